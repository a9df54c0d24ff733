"""procurement:action_plan_create: a partner records its own local action plan, the coordinator
any partner's; the plan is adopted at one of the project's events on a date near the project."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from events.models import Event
from procurement.models import LocalActionPlan
from projects.models import Project
from tests.events.factories import make_event
from tests.factories import make_organisation, make_partner, make_project

pytestmark = pytest.mark.django_db


def url(project: Project) -> str:
    return reverse("procurement:action_plan_create", args=[project.slug])


@pytest.fixture
def roundtable(project: Project) -> Event:
    return make_event(project, title="CoopLab local roundtable")


def form_data(project: Project, **changes: Any) -> dict[str, Any]:
    return {
        "title": "CoopLab SRPP plan",
        "partner": str(project.partners.get(number=2).pk),
        "adopted_at": "",
        "adopted_on": "2023-05-10",
        "summary": "Reserve two contracts a year.",
        **changes,
    }


def test_a_partner_records_its_own_plan(
    client: Client, partner: User, project: Project, roundtable: Event
) -> None:
    client.force_login(partner)

    response = client.post(
        url(project), form_data(project, adopted_at=str(roundtable.pk)), follow=True
    )

    plan = LocalActionPlan.objects.get()
    assert response.redirect_chain == [(plan.get_absolute_url(), 302)]
    assert "CoopLab SRPP plan recorded." in response.content.decode()
    assert (plan.project, plan.partner.number, plan.adopted_at) == (project, 2, roundtable)
    assert plan.adopted_on == dt.date(2023, 5, 10)
    assert plan.version == 1
    record = plan.history.latest()
    assert (record.history_user, record.history_change_reason) == (partner, "Created")


def test_a_partner_finds_its_own_organisation_chosen_and_no_other(
    client: Client, partner: User, project: Project
) -> None:
    client.force_login(partner)

    form = client.get(url(project)).context["form"]

    assert [p.number for p in form.fields["partner"].queryset] == [2]
    assert form["partner"].value() == project.partners.get(number=2).pk


def test_a_partner_cannot_record_a_plan_for_another_partner(
    client: Client, partner: User, project: Project
) -> None:
    client.force_login(partner)

    response = client.post(
        url(project), form_data(project, partner=str(project.partners.get(number=3).pk))
    )

    assert response.status_code == 422
    assert "partner" in response.context["form"].errors
    assert not LocalActionPlan.objects.exists()


def test_the_coordinator_chooses_the_partner(
    client: Client, coordinator: User, project: Project
) -> None:
    client.force_login(coordinator)
    form = client.get(url(project)).context["form"]
    assert [p.number for p in form.fields["partner"].queryset] == [1, 2, 3]

    response = client.post(
        url(project), form_data(project, partner=str(project.partners.get(number=3).pk))
    )

    assert response.status_code == 302
    assert LocalActionPlan.objects.get().partner.number == 3


def test_the_event_list_holds_the_projects_events_roundtables_first(
    client: Client, partner: User, project: Project
) -> None:
    early_mission = make_event(
        project,
        title="Mission to Valencia",
        kind=Event.Kind.MISSION,
        starts_at=dt.datetime(2023, 1, 10, 9, tzinfo=dt.UTC),
    )
    late_roundtable = make_event(
        project, title="Second roundtable", starts_at=dt.datetime(2023, 9, 5, 9, tzinfo=dt.UTC)
    )
    first_roundtable = make_event(
        project, title="First roundtable", starts_at=dt.datetime(2023, 2, 1, 9, tzinfo=dt.UTC)
    )
    other = make_project("OTHER")
    make_event(other, organiser=make_partner(other, make_organisation("Else")), title="Theirs")
    client.force_login(partner)

    response = client.get(url(project))

    events = list(response.context["form"].fields["adopted_at"].queryset)
    assert events == [first_roundtable, late_roundtable, early_mission]
    assert "First roundtable (Local roundtable, 1 Feb 2023)" in response.content.decode()


def test_an_event_of_another_project_is_refused(
    client: Client, partner: User, project: Project
) -> None:
    other = make_project("OTHER")
    theirs = make_event(other, organiser=make_partner(other, make_organisation("Else")))
    client.force_login(partner)

    response = client.post(url(project), form_data(project, adopted_at=str(theirs.pk)))

    assert response.status_code == 422
    assert "Select a valid choice" in response.context["form"].errors["adopted_at"][0]
    assert not LocalActionPlan.objects.exists()


def test_a_date_too_far_from_the_project_is_refused_with_the_window(
    client: Client, partner: User, project: Project
) -> None:
    client.force_login(partner)

    response = client.post(url(project), form_data(project, adopted_on="2035-01-01"))

    assert response.status_code == 422
    assert response.context["form"].errors["adopted_on"] == [
        "2035-01-01 is too far from the project (2020-10-01 to 2029-12-31)."
    ]
    assert not LocalActionPlan.objects.exists()


def test_the_date_picker_is_bounded_to_the_window(
    client: Client, partner: User, project: Project
) -> None:
    client.force_login(partner)

    html = client.get(url(project)).content.decode()

    assert 'type="date"' in html
    assert 'min="2020-10-01"' in html and 'max="2029-12-31"' in html


def test_a_plan_needs_a_title(client: Client, partner: User, project: Project) -> None:
    client.force_login(partner)

    response = client.post(url(project), form_data(project, title=""))

    assert response.status_code == 422
    assert "title" in response.context["form"].errors
    assert not LocalActionPlan.objects.exists()


def test_observer_may_not_record_a_plan(client: Client, observer: User, project: Project) -> None:
    client.force_login(observer)

    assert client.get(url(project)).status_code == 403
    assert client.post(url(project), form_data(project)).status_code == 403
    assert not LocalActionPlan.objects.exists()


def test_outsider_gets_404(client: Client, outsider: User, project: Project) -> None:
    client.force_login(outsider)
    assert client.get(url(project)).status_code == 404
    assert client.post(url(project), form_data(project)).status_code == 404
    assert not LocalActionPlan.objects.exists()


def test_anonymous_is_sent_to_login(client: Client, project: Project) -> None:
    response = client.post(url(project), form_data(project))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not LocalActionPlan.objects.exists()


def test_other_methods_are_not_allowed(client: Client, partner: User, project: Project) -> None:
    client.force_login(partner)
    assert client.put(url(project)).status_code == 405
    assert client.delete(url(project)).status_code == 405
