"""procurement:good_practice_list: every member reads the cases the consortium collected, filtered
by country, procurement stage, SRPP instrument and words, a page at a time."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from events.models import Event
from procurement.models import GoodPractice
from projects.models import Project
from tests.events.factories import make_event
from tests.factories import make_organisation, make_partner, make_project
from tests.procurement.factories import make_good_practice

pytestmark = pytest.mark.django_db

Instrument, Stage = GoodPractice.Instrument, GoodPractice.Stage


def url(project: Project) -> str:
    return reverse("procurement:good_practice_list", args=[project.slug])


def titles(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.title for p in response.context["page_obj"]]


@pytest.fixture
def practices(project: Project) -> list[GoodPractice]:
    mission = make_event(project, title="Social economy mission", kind=Event.Kind.MISSION)
    return [
        make_good_practice(
            project,
            title="Reserved catering in Valencia's schools",
            country="ES",
            stage=Stage.TENDERING,
            instruments=[Instrument.RESERVED_CONTRACT, Instrument.LOTS],
            found_at=mission,
        ),
        make_good_practice(
            project,
            title="Cleaning with a performance condition",
            country="AT",
            contracting_authority="Stadtgemeinde Gleisdorf",
            sector="cleaning",
            stage=Stage.EXECUTION,
            instruments=[Instrument.PERFORMANCE_CONDITION],
            results="Eight long-term unemployed people hired.",
        ),
        make_good_practice(
            project,
            title="Award criterion for apprenticeships",
            country="BG",
            stage=Stage.AWARD,
            instruments=[Instrument.AWARD_CRITERION],
        ),
    ]


def test_lists_the_cases_by_title_with_country_stage_instruments_and_event(
    client: Client, observer: User, project: Project, practices: list[GoodPractice]
) -> None:
    client.force_login(observer)

    response = client.get(url(project))

    assert response.status_code == 200
    assert titles(response) == [
        "Award criterion for apprenticeships",
        "Cleaning with a performance condition",
        "Reserved catering in Valencia's schools",
    ]
    html = response.content.decode()
    assert "Spain" in html and "Austria" in html and "Stadtgemeinde Gleisdorf" in html
    assert "Contract execution" in html
    assert "Reserved contract; Division into lots" in html
    mission = practices[0].found_at
    assert mission is not None
    assert reverse("events:event_detail", args=[project.slug, mission.pk]) in html
    detail = reverse("procurement:good_practice_detail", args=[project.slug, practices[1].pk])
    assert detail in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"country": "AT"}, ["Cleaning with a performance condition"]),
        ({"stage": Stage.AWARD}, ["Award criterion for apprenticeships"]),
        ({"instrument": Instrument.LOTS}, ["Reserved catering in Valencia's schools"]),
        # "award" is also part of the stage and of other words: only the instrument counts.
        ({"instrument": Instrument.AWARD_CRITERION}, ["Award criterion for apprenticeships"]),
        ({"q": "long-term unemployed"}, ["Cleaning with a performance condition"]),
        ({"q": "gleisdorf"}, ["Cleaning with a performance condition"]),
        ({"country": "ES", "instrument": Instrument.PERFORMANCE_CONDITION}, []),
    ],
)
def test_filters_narrow_the_list(
    client: Client,
    partner: User,
    project: Project,
    practices: list[GoodPractice],
    query: dict[str, str],
    expected: list[str],
) -> None:
    client.force_login(partner)
    assert titles(client.get(url(project), query)) == expected


def test_the_country_filter_offers_the_countries_of_the_projects_cases(
    client: Client, partner: User, project: Project, practices: list[GoodPractice]
) -> None:
    other = make_project("OTHER")
    make_good_practice(
        other, recorded_by=make_partner(other, make_organisation("Else")), country="FR"
    )
    client.force_login(partner)

    response = client.get(url(project))

    choices = list(response.context["filter"].form.fields["country"].choices)
    assert choices == [("", "All"), ("AT", "Austria"), ("BG", "Bulgaria"), ("ES", "Spain")]


def test_no_match_says_so_and_links_to_the_whole_list(
    client: Client, partner: User, project: Project, practices: list[GoodPractice]
) -> None:
    client.force_login(partner)

    html = client.get(url(project), {"q": "nothing like this"}).content.decode()

    assert "No good practice matches these filters." in html
    assert f'href="{url(project)}">Show them all</a>' in html


def test_the_empty_list_says_what_to_do(client: Client, partner: User, project: Project) -> None:
    client.force_login(partner)

    html = client.get(url(project)).content.decode()

    assert "No good practice is recorded yet." in html
    assert reverse("procurement:good_practice_create", args=[project.slug]) in html


def test_the_list_is_paginated_by_25(client: Client, partner: User, project: Project) -> None:
    p2 = project.partners.get(number=2)
    GoodPractice.objects.bulk_create(
        GoodPractice(
            project=project,
            recorded_by=p2,
            title=f"Case {n:02d}",
            country="ES",
            contracting_authority="Ajuntament",
            sector="catering",
            stage=Stage.TENDERING,
            instruments=[Instrument.LOTS],
            results="-",
        )
        for n in range(1, 28)
    )
    client.force_login(partner)

    first = client.get(url(project))
    second = client.get(url(project), {"country": "ES", "page": "2"})

    assert len(first.context["page_obj"]) == 25
    assert titles(second) == ["Case 26", "Case 27"]
    assert "Page 1 of 2 (27 in all)" in first.content.decode()
    assert 'href="?country=ES&amp;page=1"' in second.content.decode()  # the filter is kept


def test_observer_sees_no_record_link(client: Client, observer: User, project: Project) -> None:
    client.force_login(observer)

    html = client.get(url(project)).content.decode()

    assert reverse("procurement:good_practice_create", args=[project.slug]) not in html


@pytest.mark.parametrize("who", ["coordinator", "partner", "other_partner", "observer"])
def test_every_member_may_read_the_list(
    client: Client, project: Project, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(project)).status_code == 200


def test_outsider_gets_404(client: Client, outsider: User, project: Project) -> None:
    client.force_login(outsider)
    assert client.get(url(project)).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, project: Project) -> None:
    response = client.get(url(project))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_post_is_not_allowed(client: Client, coordinator: User, project: Project) -> None:
    client.force_login(coordinator)
    assert client.post(url(project)).status_code == 405


def _queries(client: Client, project: Project) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(project), {"stage": Stage.TENDERING}).status_code == 200
    return len(queries)


def test_query_count_is_the_same_for_5_and_500_practices(
    client: Client, partner: User, project: Project
) -> None:
    """Session, user, membership (with project and partner), the country filter's countries,
    the paginator's count, the page of cases with their recorders and events: 6."""
    partners = list(project.partners.all())
    mission = make_event(project, kind=Event.Kind.MISSION)

    def add_practices(total: int) -> None:
        start = GoodPractice.objects.count()
        GoodPractice.objects.bulk_create(
            GoodPractice(
                project=project,
                recorded_by=partners[n % 3],
                title=f"Case {n}",
                country=("ES", "AT", "BG")[n % 3],
                contracting_authority="Ajuntament",
                sector="catering",
                stage=Stage.TENDERING,
                instruments=[Instrument.RESERVED_CONTRACT, Instrument.LOTS],
                results="-",
                found_at=mission,
            )
            for n in range(start + 1, total + 1)
        )

    client.force_login(partner)
    _queries(client, project)  # warm up
    add_practices(5)
    with_5 = _queries(client, project)
    add_practices(500)
    with_500 = _queries(client, project)

    assert with_5 == with_500 == 6
