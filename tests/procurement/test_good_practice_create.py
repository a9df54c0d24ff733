"""procurement:good_practice_create: partners and the coordinator record a case the consortium
found: its SRPP instruments ticked from the list, the event where it was found one of the
project's."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from events.models import Event
from procurement.models import GoodPractice
from projects.models import Project
from tests.events.factories import make_event
from tests.factories import make_organisation, make_partner, make_project

pytestmark = pytest.mark.django_db

Instrument = GoodPractice.Instrument


def url(project: Project) -> str:
    return reverse("procurement:good_practice_create", args=[project.slug])


def form_data(project: Project, **changes: Any) -> dict[str, Any]:
    return {
        "title": "Reserved catering in Valencia's schools",
        "country": "ES",
        "contracting_authority": "Ajuntament de València",
        "sector": "catering",
        "stage": GoodPractice.Stage.TENDERING,
        "instruments": [Instrument.LOTS, Instrument.RESERVED_CONTRACT],
        "results": "Twelve jobs for persons with disabilities.",
        "source": "https://example.org/valencia-catering",
        "found_at": "",
        "recorded_by": str(project.partners.get(number=2).pk),
        **changes,
    }


def test_a_partner_records_a_case_found_on_a_mission(
    client: Client, partner: User, project: Project
) -> None:
    mission = make_event(project, title="Mission to Valencia", kind=Event.Kind.MISSION)
    client.force_login(partner)

    response = client.post(url(project), form_data(project, found_at=str(mission.pk)), follow=True)

    practice = GoodPractice.objects.get()
    assert response.redirect_chain == [(practice.get_absolute_url(), 302)]
    assert "Reserved catering in Valencia&#x27;s schools recorded." in response.content.decode()
    assert (practice.project, practice.recorded_by.number) == (project, 2)
    assert (str(practice.country), practice.found_at) == ("ES", mission)
    # Stored in the list's order, whatever order the browser sent them in.
    assert practice.instruments == [Instrument.RESERVED_CONTRACT, Instrument.LOTS]
    assert practice.history.latest().history_user == partner


def test_the_instruments_are_checkboxes_of_the_list(
    client: Client, partner: User, project: Project
) -> None:
    client.force_login(partner)

    response = client.get(url(project))

    html = response.content.decode()
    for value, label in Instrument.choices:
        assert f'type="checkbox" name="instruments" value="{value}"' in html
        assert str(label) in html
    form = response.context["form"]
    assert [p.number for p in form.fields["recorded_by"].queryset] == [2]
    assert form["recorded_by"].value() == project.partners.get(number=2).pk


def test_the_event_list_holds_the_projects_events_only(
    client: Client, partner: User, project: Project
) -> None:
    ours = make_event(project, title="Mission to Valencia", kind=Event.Kind.MISSION)
    other = make_project("OTHER")
    make_event(other, organiser=make_partner(other, make_organisation("Else")))
    client.force_login(partner)

    form = client.get(url(project)).context["form"]

    assert list(form.fields["found_at"].queryset) == [ours]


def test_the_coordinator_may_name_the_partner_that_keeps_it(
    client: Client, coordinator: User, project: Project
) -> None:
    client.force_login(coordinator)
    form = client.get(url(project)).context["form"]
    assert form["recorded_by"].value() == project.partners.get(number=1).pk  # their own first

    response = client.post(
        url(project), form_data(project, recorded_by=str(project.partners.get(number=3).pk))
    )

    assert response.status_code == 302
    assert GoodPractice.objects.get().recorded_by.number == 3


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"instruments": []}, "instruments"),
        ({"instruments": ["lottery"]}, "instruments"),
        ({"stage": "dreaming"}, "stage"),
        ({"country": "XX"}, "country"),
        ({"results": ""}, "results"),
    ],
)
def test_bad_input_is_refused_on_the_field_and_nothing_is_saved(
    client: Client, partner: User, project: Project, changes: dict[str, Any], field: str
) -> None:
    client.force_login(partner)

    response = client.post(url(project), form_data(project, **changes))

    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert not GoodPractice.objects.exists()


def test_an_event_of_another_project_is_refused(
    client: Client, partner: User, project: Project
) -> None:
    other = make_project("OTHER")
    theirs = make_event(other, organiser=make_partner(other, make_organisation("Else")))
    client.force_login(partner)

    response = client.post(url(project), form_data(project, found_at=str(theirs.pk)))

    assert response.status_code == 422
    assert "Select a valid choice" in response.context["form"].errors["found_at"][0]
    assert not GoodPractice.objects.exists()


def test_a_partner_cannot_record_in_another_partners_name(
    client: Client, partner: User, project: Project
) -> None:
    client.force_login(partner)

    response = client.post(
        url(project), form_data(project, recorded_by=str(project.partners.get(number=3).pk))
    )

    assert response.status_code == 422
    assert "recorded_by" in response.context["form"].errors
    assert not GoodPractice.objects.exists()


def test_observer_may_not_record_a_case(client: Client, observer: User, project: Project) -> None:
    client.force_login(observer)

    assert client.get(url(project)).status_code == 403
    assert client.post(url(project), form_data(project)).status_code == 403
    assert not GoodPractice.objects.exists()


def test_outsider_gets_404(client: Client, outsider: User, project: Project) -> None:
    client.force_login(outsider)
    assert client.get(url(project)).status_code == 404
    assert client.post(url(project), form_data(project)).status_code == 404
    assert not GoodPractice.objects.exists()


def test_anonymous_is_sent_to_login(client: Client, project: Project) -> None:
    response = client.post(url(project), form_data(project))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not GoodPractice.objects.exists()


def test_other_methods_are_not_allowed(client: Client, partner: User, project: Project) -> None:
    client.force_login(partner)
    assert client.put(url(project)).status_code == 405
    assert client.delete(url(project)).status_code == 405
