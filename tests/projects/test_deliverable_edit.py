"""projects:deliverable_edit: the coordinator edits every field; the lead organisation's staff
edit the description only. Saves name the version the form was loaded from."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from projects.models import Deliverable, Project, WorkPackage
from tests.factories import make_work_package

pytestmark = pytest.mark.django_db


def url(d: Deliverable) -> str:
    return reverse("projects:deliverable_edit", args=[d.project.slug, d.number])


def fresh(d: Deliverable) -> Deliverable:
    return Deliverable.objects.get(pk=d.pk)


def full(d: Deliverable, **changes: Any) -> dict[str, Any]:
    return {
        "number": d.number,
        "title": d.title,
        "work_package": d.work_package_id,
        "lead": d.lead_id,
        "type": d.type,
        "dissemination": d.dissemination,
        "due_month": d.due_month,
        "description": d.description,
        "version": d.version,
        **changes,
    }


def test_coordinator_gets_every_field_with_the_current_version(
    client: Client, coordinator: User, deliverable: Deliverable
) -> None:
    client.force_login(coordinator)
    response = client.get(url(deliverable))
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.fields) == {
        "number", "title", "work_package", "lead", "type", "dissemination", "due_month",
        "description", "version",
    }  # fmt: skip
    assert form["version"].value() == 1
    assert 'type="hidden" name="version" value="1"' in response.content.decode()


def test_lead_partner_gets_the_description_only(
    client: Client, partner: User, deliverable: Deliverable
) -> None:
    client.force_login(partner)
    response = client.get(url(deliverable))
    assert set(response.context["form"].fields) == {"description", "version"}


def test_coordinator_changes_the_plan_and_the_due_date_follows(
    client: Client, coordinator: User, project: Project, deliverable: Deliverable
) -> None:
    wp2 = make_work_package(project, number=2, lead=project.partners.get(number=3))
    client.force_login(coordinator)

    response = client.post(
        url(deliverable),
        full(
            deliverable,
            number="D2.1",
            work_package=wp2.pk,
            lead=wp2.lead_id,
            title="Handbook, revised",
            due_month=12,
            type=Deliverable.Type.DEC,
        ),
        follow=True,
    )

    stored = fresh(deliverable)
    assert response.redirect_chain == [(stored.get_absolute_url(), 302)]
    assert [str(m) for m in response.context["messages"]] == ["D2.1 saved."]
    assert (stored.number, stored.work_package, stored.lead, stored.title, stored.type) == (
        "D2.1", wp2, wp2.lead, "Handbook, revised", "DEC",
    )  # fmt: skip
    assert stored.due_date == dt.date(2023, 9, 30)  # M12
    assert stored.sort_key == 2001
    assert stored.version == 2
    record = stored.history.latest("history_id")
    assert (record.history_change_reason, record.history_user) == ("Edited", coordinator)


def test_lead_partner_edits_the_description_and_cannot_touch_the_plan(
    client: Client, partner: User, deliverable: Deliverable
) -> None:
    client.force_login(partner)

    response = client.post(
        url(deliverable),
        full(deliverable, description="Rules, templates, contacts.", title="Renamed", due_month=18),
    )

    assert response.status_code == 302
    stored = fresh(deliverable)
    assert stored.description == "Rules, templates, contacts."
    assert (stored.title, stored.due_month) == ("Project handbook", 6)  # not theirs to change
    assert stored.version == 2


def test_a_refused_edit_keeps_the_input_and_changes_nothing(
    client: Client, coordinator: User, deliverable: Deliverable
) -> None:
    client.force_login(coordinator)
    response = client.post(url(deliverable), full(deliverable, title="", due_month=40))
    assert response.status_code == 422
    form = response.context["form"]
    assert form.errors["title"] == ["This field is required."]
    assert "M40 is outside the project" in form.errors["due_month"][0]
    assert form["due_month"].value() == "40"  # the input is back
    stored = fresh(deliverable)
    assert (stored.title, stored.due_month, stored.version) == ("Project handbook", 6, 1)


@pytest.mark.parametrize("who", ["other_partner", "observer"])
def test_others_get_403(
    client: Client, deliverable: Deliverable, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(deliverable)).status_code == 403
    assert client.post(url(deliverable), full(deliverable, description="x")).status_code == 403
    assert fresh(deliverable).description == ""


def test_outsider_gets_404(client: Client, outsider: User, deliverable: Deliverable) -> None:
    client.force_login(outsider)
    assert client.get(url(deliverable)).status_code == 404
    assert client.post(url(deliverable), full(deliverable)).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, deliverable: Deliverable) -> None:
    response = client.get(url(deliverable))
    assert response["Location"].startswith(reverse("account_login") + "?next=")


@pytest.mark.parametrize("method", ["put", "delete"])
def test_other_methods_are_not_allowed(
    client: Client, coordinator: User, deliverable: Deliverable, method: str
) -> None:
    client.force_login(coordinator)
    assert getattr(client, method)(url(deliverable)).status_code == 405


def test_work_package_of_the_form_is_this_projects(
    client: Client, coordinator: User, deliverable: Deliverable, work_package: WorkPackage
) -> None:
    client.force_login(coordinator)
    form = client.get(url(deliverable)).context["form"]
    assert list(form.fields["work_package"].queryset) == [work_package]
