"""procurement:tender_list: the register, filtered, sorted and paginated, read by every member."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from procurement.models import Lot, Reservation, SocialClause, Tender
from projects.models import Organisation, Project
from tests.factories import make_organisation
from tests.procurement.factories import (
    CPV_CLEANING,
    CPV_CONSTRUCTION,
    CPV_SOCIAL_WORK,
    make_clause,
    make_lot,
    make_period,
    make_tender,
)

pytestmark = pytest.mark.django_db


def url(project: Project, query: str = "") -> str:
    return reverse("procurement:tender_list", args=[project.slug]) + query


def listed(client: Client, project: Project, query: str = "") -> list[str]:
    response = client.get(url(project, query))
    assert response.status_code == 200
    return [t.reference for t in response.context["page_obj"]]


def add_tenders(project: Project, n: int) -> None:
    """`n` more tenders in bulk, of three authorities and both recorders, each with two lots
    (every other one reserved) and two clauses, as the register's query counts need them."""
    p2, p3 = project.partners.get(number=2), project.partners.get(number=3)
    authorities = [p2.organisation, p3.organisation]
    start = Tender.objects.filter(project=project).count()
    tenders = Tender.objects.bulk_create(
        Tender(
            project=project,
            recorded_by=p2 if k % 2 else p3,
            authority=authorities[k % 2],
            reference=f"B-{k:04d}",
            title=f"Bulk tender {k}",
            cpv_codes=[CPV_CLEANING],
            cpv_division="90",
            procedure=Tender.Procedure.OPEN,
            status=Tender.Status.PUBLISHED,
            publication_date=dt.date(2023, 1, 1) + dt.timedelta(days=k % 300),
            estimated_value=Decimal(1000 * k),
        )
        for k in range(start, start + n)
    )
    Lot.objects.bulk_create(
        Lot(
            tender=t,
            number=number,
            title=f"Lot {number}",
            reservation=Reservation.ART_20 if number == 2 and t.pk % 2 else Reservation.NONE,
        )
        for t in tenders
        for number in (1, 2)
    )
    SocialClause.objects.bulk_create(
        SocialClause(
            tender=t,
            stage=stage,
            category=SocialClause.Category.DISABILITY_EMPLOYMENT,
            description="Jobs.",
        )
        for t in tenders
        for stage in (SocialClause.Stage.PERFORMANCE, SocialClause.Stage.SELECTION)
    )


@pytest.fixture
def register(project: Project) -> dict[str, Tender]:
    """Four tenders of three authorities, recorded by P2 and P3."""
    p2, p3 = project.partners.get(number=2), project.partners.get(number=3)
    town = make_organisation(
        "Dobrich", legal_name="Obshtina Dobrich", kind=Organisation.Kind.PUBLIC_AUTHORITY
    )
    cleaning = make_tender(
        project,
        reference="VB-01",
        title="Cleaning of schools",
        publication_date=dt.date(2023, 3, 1),
        estimated_value=Decimal("1250000.50"),
    )
    make_lot(cleaning, number=2, reservation=Reservation.ART_20)
    make_clause(cleaning)  # disability employment, performance condition
    make_clause(
        cleaning,
        stage=SocialClause.Stage.AWARD,
        category=SocialClause.Category.GPP,
        weight_percent=Decimal(10),
    )
    care = make_tender(
        project,
        recorded_by=p2,
        reference="CL-07",
        title="Home care services",
        cpv_codes=[CPV_SOCIAL_WORK],
        procedure=Tender.Procedure.LIGHT_REGIME,
        publication_date=dt.date(2023, 9, 15),
        estimated_value=None,
    )
    make_clause(care, stage=SocialClause.Stage.AWARD, weight_percent=Decimal(20))
    works = make_tender(
        project,
        recorded_by=p3,
        authority=town,
        reference="DB-2",
        title="Renovation of the market hall",
        cpv_codes=[CPV_CONSTRUCTION],
        status=Tender.Status.PLANNED,
        publication_date=None,
    )
    old = make_tender(
        project,
        reference="VB-00",
        title="Cleaning of the town hall",
        status=Tender.Status.CANCELLED,
        publication_date=dt.date(2022, 11, 5),
    )
    return {"cleaning": cleaning, "care": care, "works": works, "old": old}


def test_lists_the_register_latest_published_first(
    client: Client, observer: User, project: Project, register: dict[str, Tender]
) -> None:
    client.force_login(observer)

    response = client.get(url(project))

    # Published latest first, those not published yet last.
    assert [t.reference for t in response.context["page_obj"]] == [
        "CL-07",
        "VB-01",
        "VB-00",
        "DB-2",
    ]
    html = response.content.decode()
    cleaning = register["cleaning"]
    detail = reverse("procurement:tender_detail", args=[project.slug, cleaning.pk])
    assert f'<a href="{detail}">VB-01</a>' in html
    assert "Cleaning of schools" in html and "Voorbeeld" in html and "Dobrich" in html
    assert "Light regime for social and other specific services" in html
    assert CPV_SOCIAL_WORK in html
    assert "1,250,000.50" in html


def test_each_row_counts_its_clauses_and_says_whether_a_lot_is_reserved(
    client: Client, observer: User, project: Project, register: dict[str, Tender]
) -> None:
    client.force_login(observer)

    rows = {t.reference: t for t in client.get(url(project)).context["page_obj"]}

    assert {ref: (t.clause_count, t.has_reserved_lot) for ref, t in rows.items()} == {
        "CL-07": (1, False),
        "VB-01": (2, True),
        "VB-00": (0, False),
        "DB-2": (0, False),
    }


def test_a_member_who_may_record_gets_the_link(
    client: Client, partner: User, project: Project
) -> None:
    client.force_login(partner)
    response = client.get(url(project))
    create = reverse("procurement:tender_create", args=[project.slug])
    assert f'href="{create}"' in response.content.decode()
    assert response.context["can_record"] is True


def test_an_observer_does_not_get_the_link(
    client: Client, observer: User, project: Project
) -> None:
    client.force_login(observer)
    response = client.get(url(project))
    create = reverse("procurement:tender_create", args=[project.slug])
    assert create not in response.content.decode()
    html = response.content.decode()
    assert "No tender is recorded yet. The partners record their authorities&#x27;" in html or (
        "No tender is recorded yet. The partners record their authorities' tenders here." in html
    )


def test_an_empty_register_says_how_to_start(
    client: Client, partner: User, project: Project
) -> None:
    client.force_login(partner)
    html = client.get(url(project)).content.decode()
    create = reverse("procurement:tender_create", args=[project.slug])
    assert f'No tender is recorded yet. <a href="{create}">Record the first one</a>' in html


def test_no_match_offers_the_whole_register(
    client: Client, partner: User, project: Project, register: dict[str, Tender]
) -> None:
    client.force_login(partner)
    html = client.get(url(project, "?q=nothing-like-this")).content.decode()
    assert f'No tender matches these filters. <a href="{url(project)}">' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?status=published", ["CL-07", "VB-01"]),
        ("?procedure=light", ["CL-07"]),
        ("?reserved=yes", ["VB-01"]),
        ("?reserved=no", ["CL-07", "VB-00", "DB-2"]),
        ("?category=gpp", ["VB-01"]),
        ("?stage=award", ["CL-07", "VB-01"]),
        # One clause with both: the cleaning tender's award criterion is environmental, its
        # disability clause a performance condition.
        ("?category=disability&stage=award", ["CL-07"]),
        ("?category=disability&stage=performance", ["VB-01"]),
        ("?cpv_division=45", ["DB-2"]),
        ("?cpv_division=90", ["VB-01", "VB-00"]),
        ("?published_from=2023-01-01&published_until=2023-06-30", ["VB-01"]),
        ("?q=clean", ["VB-01", "VB-00"]),
        ("?q=obshtina", ["DB-2"]),
        ("?q=cl-07", ["CL-07"]),
    ],
)
def test_filters(
    client: Client,
    observer: User,
    project: Project,
    register: dict[str, Tender],
    query: str,
    expected: list[str],
) -> None:
    client.force_login(observer)
    assert listed(client, project, query) == expected


def test_filters_by_authority_and_by_recording_partner(
    client: Client, observer: User, project: Project, register: dict[str, Tender]
) -> None:
    client.force_login(observer)
    p2, p3 = project.partners.get(number=2), project.partners.get(number=3)

    assert listed(client, project, f"?authority={p3.organisation_id}") == ["VB-01", "VB-00"]
    assert listed(client, project, f"?recorded_by={p2.pk}") == ["CL-07"]
    assert listed(client, project, f"?recorded_by={p3.pk}&status=planned") == ["DB-2"]


def test_the_authorities_offered_are_those_of_the_register(
    client: Client, observer: User, project: Project, register: dict[str, Tender]
) -> None:
    make_organisation("Unrelated")
    client.force_login(observer)

    form = client.get(url(project)).context["filter"].form

    assert [o.short_name for o in form.fields["authority"].queryset] == [
        "CoopLab",
        "Dobrich",
        "Voorbeeld",
    ]
    assert [code for code, _ in form.fields["cpv_division"].choices if code] == ["45", "85", "90"]


def test_filters_by_reporting_period_of_the_publication(
    client: Client, observer: User, project: Project, register: dict[str, Tender]
) -> None:
    rp1 = make_period(project, number=1, start_month=1, end_month=9)  # Oct 2022 - Jun 2023
    rp2 = make_period(project, number=2, start_month=10, end_month=18)  # Jul 2023 - Mar 2024
    client.force_login(observer)

    assert listed(client, project, f"?period={rp1.pk}") == ["VB-01", "VB-00"]
    assert listed(client, project, f"?period={rp2.pk}") == ["CL-07"]


def test_a_period_of_another_project_is_refused_on_the_field(
    client: Client, observer: User, project: Project, register: dict[str, Tender]
) -> None:
    from tests.factories import make_project

    other = make_period(make_project("Other", slug="other"))
    client.force_login(observer)

    response = client.get(url(project, f"?period={other.pk}"))

    assert response.status_code == 200
    assert "period" in response.context["filter"].form.errors
    assert "Select a valid choice." in response.content.decode()


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("reference", ["CL-07", "DB-2", "VB-00", "VB-01"]),
        ("-reference", ["VB-01", "VB-00", "DB-2", "CL-07"]),
        ("title", ["VB-01", "VB-00", "CL-07", "DB-2"]),
        ("authority", ["CL-07", "DB-2", "VB-00", "VB-01"]),  # ties broken by reference
        ("-clauses", ["VB-01", "CL-07", "DB-2", "VB-00"]),
        ("status", ["VB-00", "DB-2", "CL-07", "VB-01"]),
        # Without a value or a date last, whichever the direction.
        ("value", ["DB-2", "VB-00", "VB-01", "CL-07"]),
        ("-value", ["VB-01", "DB-2", "VB-00", "CL-07"]),
        ("published", ["VB-00", "VB-01", "CL-07", "DB-2"]),
        ("-published", ["CL-07", "VB-01", "VB-00", "DB-2"]),
    ],
)
def test_sorts_with_a_tie_breaker(
    client: Client,
    observer: User,
    project: Project,
    register: dict[str, Tender],
    sort: str,
    expected: list[str],
) -> None:
    client.force_login(observer)
    assert listed(client, project, f"?sort={sort}") == expected


def test_pages_of_50_keep_the_filters(client: Client, observer: User, project: Project) -> None:
    add_tenders(project, 120)
    client.force_login(observer)

    first = client.get(url(project, "?status=published&sort=reference"))
    last = client.get(url(project, "?status=published&sort=reference&page=3"))

    assert len(first.context["page_obj"]) == 50
    assert len(last.context["page_obj"]) == 20
    assert 'href="?status=published&amp;sort=reference&amp;page=2"' in first.content.decode()
    seen = [
        t.reference
        for page in (1, 2, 3)
        for t in client.get(url(project, f"?status=published&sort=reference&page={page}")).context[
            "page_obj"
        ]
    ]
    assert len(seen) == len(set(seen)) == 120


def test_the_export_links_carry_the_filters(
    client: Client, observer: User, project: Project, register: dict[str, Tender]
) -> None:
    client.force_login(observer)
    html = client.get(url(project, "?status=published&page=1")).content.decode()
    csv_url = reverse("procurement:tender_export", args=[project.slug, "csv"])
    assert f'href="{csv_url}?status=published"' in html


def test_outsider_gets_404(client: Client, outsider: User, project: Project) -> None:
    client.force_login(outsider)
    assert client.get(url(project)).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, project: Project) -> None:
    response = client.get(url(project))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_other_methods_are_not_allowed(client: Client, partner: User, project: Project) -> None:
    client.force_login(partner)
    assert client.post(url(project)).status_code == 405


# --- what the page costs ------------------------------------------------------------------

# session, user, member; the filter's choices: the authorities of the register, the recording
# partners, the reporting periods, the CPV divisions; the page's tenders with their authorities,
# recorders, clause counts and reservations (one query) and the paginator's count.
LIST_QUERIES = 3 + 4 + 2


@pytest.mark.parametrize(
    "query", ["", "?reserved=yes&category=disability&stage=selection&sort=-clauses"]
)
def test_the_list_costs_the_same_for_5_tenders_and_500(
    client: Client, partner: User, project: Project, query: str
) -> None:
    make_period(project)
    client.force_login(partner)
    client.get(url(project, query))  # warm up

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(project, query))
        assert response.status_code == 200
        assert response.context["page_obj"].object_list
        return len(queries)

    add_tenders(project, 5)
    few = cost()
    add_tenders(project, 495)
    many = cost()

    assert few == many == LIST_QUERIES
