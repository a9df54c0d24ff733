"""procurement:good_practice_edit: the coordinator, or the partner that recorded a case, edit it."""

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
from tests.procurement.factories import make_good_practice

pytestmark = pytest.mark.django_db

Instrument = GoodPractice.Instrument
TITLE = "Reserved catering in Valencia's schools"


@pytest.fixture
def practice(project: Project) -> GoodPractice:
    """Recorded by P2 (the `partner`'s organisation): `other_partner` (P3) only reads it."""
    return make_good_practice(project, title=TITLE)


def url(practice: GoodPractice) -> str:
    return reverse("procurement:good_practice_edit", args=[practice.project.slug, practice.pk])


def form_data(practice: GoodPractice, **changes: Any) -> dict[str, Any]:
    return {
        "title": practice.title,
        "country": str(practice.country),
        "contracting_authority": practice.contracting_authority,
        "sector": practice.sector,
        "stage": practice.stage,
        "instruments": list(practice.instruments),
        "results": practice.results,
        "source": practice.source,
        "found_at": str(practice.found_at_id or ""),
        "recorded_by": str(practice.recorded_by_id),
        **changes,
    }


def test_the_recorder_edits_the_case(
    client: Client, partner: User, project: Project, practice: GoodPractice
) -> None:
    mission = make_event(project, title="Mission to Valencia", kind=Event.Kind.MISSION)
    client.force_login(partner)
    html = client.get(url(practice)).content.decode()
    assert 'value="reserved" id="id_instruments_0" checked' in html  # the stored ones ticked

    response = client.post(
        url(practice),
        form_data(
            practice,
            results="Fourteen jobs.",
            instruments=[Instrument.AWARD_CRITERION, Instrument.RESERVED_CONTRACT],
            found_at=str(mission.pk),
        ),
        follow=True,
    )

    assert response.redirect_chain == [(practice.get_absolute_url(), 302)]
    assert "Reserved catering in Valencia&#x27;s schools saved." in response.content.decode()
    practice.refresh_from_db()
    assert practice.results == "Fourteen jobs."
    assert practice.instruments == [Instrument.RESERVED_CONTRACT, Instrument.AWARD_CRITERION]
    assert practice.found_at == mission


def test_the_coordinator_edits_any_case_and_may_hand_it_over(
    client: Client, coordinator: User, project: Project, practice: GoodPractice
) -> None:
    client.force_login(coordinator)

    response = client.post(
        url(practice),
        form_data(practice, recorded_by=str(project.partners.get(number=3).pk)),
    )

    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.recorded_by.number == 3


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"instruments": []}, "instruments"),
        ({"title": ""}, "title"),
        ({"stage": "dreaming"}, "stage"),
    ],
)
def test_bad_input_is_refused_on_the_field_and_nothing_is_saved(
    client: Client, partner: User, practice: GoodPractice, changes: dict[str, Any], field: str
) -> None:
    client.force_login(partner)

    response = client.post(url(practice), form_data(practice, results="Changed", **changes))

    assert response.status_code == 422
    assert field in response.context["form"].errors
    practice.refresh_from_db()
    assert practice.results == "Twelve jobs for persons with disabilities."
    assert practice.instruments == [Instrument.RESERVED_CONTRACT]
    assert f"Edit {TITLE}".replace("'", "&#x27;") in response.content.decode()


def test_an_event_of_another_project_is_refused(
    client: Client, partner: User, practice: GoodPractice
) -> None:
    other = make_project("OTHER")
    theirs = make_event(other, organiser=make_partner(other, make_organisation("Else")))
    client.force_login(partner)

    response = client.post(url(practice), form_data(practice, found_at=str(theirs.pk)))

    assert response.status_code == 422
    assert "found_at" in response.context["form"].errors
    practice.refresh_from_db()
    assert practice.found_at is None


def test_the_recorder_cannot_hand_the_case_to_another_partner(
    client: Client, partner: User, project: Project, practice: GoodPractice
) -> None:
    client.force_login(partner)

    response = client.post(
        url(practice), form_data(practice, recorded_by=str(project.partners.get(number=3).pk))
    )

    assert response.status_code == 422
    practice.refresh_from_db()
    assert practice.recorded_by.number == 2


@pytest.mark.parametrize("who", ["other_partner", "observer"])
def test_others_may_not_edit(
    client: Client, practice: GoodPractice, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))

    assert client.get(url(practice)).status_code == 403
    assert client.post(url(practice), form_data(practice, title="Changed")).status_code == 403
    practice.refresh_from_db()
    assert practice.title == TITLE


def test_outsider_gets_404(client: Client, outsider: User, practice: GoodPractice) -> None:
    client.force_login(outsider)
    assert client.get(url(practice)).status_code == 404
    assert client.post(url(practice), form_data(practice, title="Changed")).status_code == 404
    practice.refresh_from_db()
    assert practice.title == TITLE


def test_anonymous_is_sent_to_login(client: Client, practice: GoodPractice) -> None:
    response = client.post(url(practice), form_data(practice, title="Changed"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    practice.refresh_from_db()
    assert practice.title == TITLE


def test_other_methods_are_not_allowed(
    client: Client, partner: User, practice: GoodPractice
) -> None:
    client.force_login(partner)
    assert client.put(url(practice)).status_code == 405
    assert client.delete(url(practice)).status_code == 405
