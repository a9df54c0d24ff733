"""projects:deliverable_create: the coordinator adds a deliverable to the plan."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from projects.models import Deliverable, Project, WorkPackage
from tests.factories import (
    make_deliverable,
    make_organisation,
    make_partner,
    make_project,
    make_work_package,
)

pytestmark = pytest.mark.django_db


def url(project: Project) -> str:
    return reverse("projects:deliverable_create", args=[project.slug])


def data(work_package: WorkPackage, /, **changes: Any) -> dict[str, Any]:
    values = {
        "number": "D1.2",
        "title": "Quality plan",
        "work_package": work_package.pk,
        "lead": work_package.lead_id,
        "type": Deliverable.Type.R,
        "dissemination": Deliverable.Dissemination.PU,
        "due_month": 4,
        "description": "How the consortium checks its outputs.",
    }
    values.update(changes)
    return values


@pytest.fixture
def cora(client: Client, coordinator: User) -> Client:
    client.force_login(coordinator)
    return client


def test_the_form_has_labels_help_text_and_only_this_projects_choices(
    cora: Client, project: Project
) -> None:
    other = make_project("OTHER")
    make_work_package(other, number=5, lead=make_partner(other, make_organisation("Elsewhere")))

    response = cora.get(url(project))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Add a deliverable" in html
    # Help text is not escaped by Django: it must be written so that a browser shows it whole
    # (raw "<work package>" would be read as a tag and vanish).
    assert "D&lt;work package&gt;.&lt;n&gt;" in html or "D<work package>" not in html
    assert "e.g. D2.1." in html
    assert "Project month, 1 to 18; due on the last day of that month." in html
    form = response.context["form"]
    assert list(form.fields["work_package"].queryset) == list(project.work_packages.all())
    assert {p.project_id for p in form.fields["lead"].queryset} == {project.pk}
    assert "version" not in form.fields


def test_coordinator_adds_a_deliverable(
    cora: Client, coordinator: User, project: Project, work_package: WorkPackage
) -> None:
    response = cora.post(url(project), data(work_package), follow=True)

    created = Deliverable.objects.get(number="D1.2")
    assert response.redirect_chain == [(created.get_absolute_url(), 302)]
    assert [str(m) for m in response.context["messages"]] == ["D1.2 added."]
    assert created.project == project
    assert created.lead == work_package.lead
    assert created.status == Deliverable.Status.PLANNED
    assert created.due_date == dt.date(2023, 1, 31)  # M4 of a project starting October 2022
    assert created.sort_key == 1002
    assert created.version == 1
    record = created.history.get()
    assert (record.history_type, record.history_change_reason, record.history_user) == (
        "+",
        "Created",
        coordinator,
    )


def test_the_due_date_is_the_end_of_the_due_month(
    cora: Client, project: Project, work_package: WorkPackage
) -> None:
    # M5 of a project starting 1 October 2022 is February 2023: 28 days.
    cora.post(url(project), data(work_package, due_month=5))
    assert Deliverable.objects.get().due_date == dt.date(2023, 2, 28)
    cora.post(url(project), data(work_package, number="D1.3", due_month=18))
    assert Deliverable.objects.get(number="D1.3").due_date == dt.date(2024, 3, 31)


def test_a_work_package_or_lead_of_another_project_is_refused(
    cora: Client, project: Project, work_package: WorkPackage
) -> None:
    other = make_project("OTHER")
    stranger = make_partner(other, make_organisation("Elsewhere"))
    their_wp = make_work_package(other, number=1, lead=stranger)

    for changes in ({"work_package": their_wp.pk}, {"lead": stranger.pk}):
        response = cora.post(url(project), data(work_package, **changes))
        assert response.status_code == 422
        field = next(iter(changes))
        assert response.context["form"].errors[field] == [
            "Select a valid choice. That choice is not one of the available choices."
        ]
    assert Deliverable.objects.count() == 0


def test_an_empty_form_is_refused_with_each_missing_field_named(
    cora: Client, project: Project
) -> None:
    blank = dict.fromkeys(data(project.work_packages.get()), "")
    response = cora.post(url(project), blank)
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {
        "number", "title", "work_package", "lead", "type", "dissemination", "due_month",
    }  # fmt: skip
    assert response.content.decode().count('class="field field-error"') == 7
    assert Deliverable.objects.count() == 0


@pytest.mark.parametrize("who", ["partner", "other_partner", "observer"])
def test_only_the_coordinator_adds_deliverables(
    client: Client,
    project: Project,
    work_package: WorkPackage,
    who: str,
    request: pytest.FixtureRequest,
) -> None:
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(project)).status_code == 403
    response = client.post(url(project), data(work_package))
    assert response.status_code == 403
    assert "Only the coordinator adds deliverables." in response.content.decode()
    assert Deliverable.objects.count() == 0


def test_outsider_gets_404(
    client: Client, outsider: User, project: Project, work_package: WorkPackage
) -> None:
    client.force_login(outsider)
    assert client.get(url(project)).status_code == 404
    assert client.post(url(project), data(work_package)).status_code == 404


def test_anonymous_is_sent_to_login(
    client: Client, project: Project, work_package: WorkPackage
) -> None:
    response = client.post(url(project), data(work_package))
    assert response["Location"].startswith(reverse("account_login"))
    assert Deliverable.objects.count() == 0


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_not_allowed(cora: Client, project: Project, method: str) -> None:
    assert getattr(cora, method)(url(project)).status_code == 405


def test_a_number_taken_at_the_same_moment_is_refused_with_409_keeping_the_input(
    cora: Client, project: Project, work_package: WorkPackage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The number was free when the form was checked; someone else's D1.2 got in first."""
    save_edit = Deliverable.save_edit

    def theirs_first(deliverable: Deliverable, *args: Any, **kwargs: Any) -> None:
        make_deliverable(work_package, number="D1.2", title="Their quality plan")
        save_edit(deliverable, *args, **kwargs)

    monkeypatch.setattr(Deliverable, "save_edit", theirs_first)

    response = cora.post(url(project), data(work_package))

    assert response.status_code == 409
    form = response.context["form"]
    assert form.errors["number"] == ["Someone else added this number a moment ago."]
    assert form["title"].value() == "Quality plan"  # the input is back
    assert list(Deliverable.objects.values_list("title", flat=True)) == ["Their quality plan"]
