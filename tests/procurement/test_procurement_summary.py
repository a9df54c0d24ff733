"""procurement:procurement_summary and procurement.summary: the register's figures for a known set
of tenders (counts, values, shares, by partner and by period, only validated outcomes), who reads
the page, its query count for 5 tenders and for 500, and its charts with their tables."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from procurement.models import (
    ClauseOutcome,
    Contract,
    Lot,
    Reservation,
    SocialClause,
    Tender,
)
from procurement.summary import (
    CHART_PLOT_WIDTH,
    Summary,
    period_months,
    register_summary,
    targets_chart,
    tenders_chart,
)
from projects.models import Organisation, Project, ReportingPeriod
from tests.factories import make_organisation, make_project
from tests.procurement.factories import (
    make_clause,
    make_clause_outcome,
    make_contract,
    make_period,
    make_supplier,
    make_tender,
)

pytestmark = pytest.mark.django_db

C = SocialClause.Category
U = SocialClause.Unit
VALIDATED = ClauseOutcome.Status.VALIDATED


def url(project: Project, query: str = "") -> str:
    return reverse("procurement:procurement_summary", args=[project.slug]) + query


class Register:
    """The known set, in the cast's project (M1 = October 2022; RP1 = M1-M9, 1 October 2022 to
    30 June 2023; RP2 = M10-M18, 1 July 2023 to 31 March 2024):

    T1  P3's, published in RP1, EUR 120,000; a disability clause (2 persons) and a GPP clause;
        its one lot reserved (Art. 20), awarded to a WISE for 95,000; RP1 outcome validated (2
        persons, 2 with disabilities, 1.5 FTE), RP2 outcome only submitted.
    T2  recorded by P2 for a municipality outside the consortium, published in RP2, EUR 80,000;
        a training clause (500 hours); lot 1 to a mainstream company (50,000), lot 2 reserved
        (Art. 20) to a sheltered workshop (20,000); RP2 outcome validated (300 hours, 4 persons,
        1 with disabilities, 2 FTE).
    T3  P3's, published in RP1, EUR 40,000; no clause; awarded to a social economy enterprise
        (30,000).
    T4  P3's, published in RP1, cancelled, with a clause: in no figure.
    T5  run by P2's organisation (CoopLab), recorded by P3, never published (negotiated without
        publication), awarded in RP2, EUR 5,000; only an energy clause (EUR 1,000 target).
    """

    def __init__(self, project: Project) -> None:
        self.project = project
        self.rp1 = make_period(project, number=1, start_month=1, end_month=9)
        self.rp2 = make_period(project, number=2, start_month=10, end_month=18)
        p2 = project.partners.get(number=2)
        elsewhere = make_organisation(
            "Ayuntamiento", legal_name="Ayuntamiento de Ejemplo", country="ES",
            kind=Organisation.Kind.PUBLIC_AUTHORITY,
        )  # fmt: skip

        self.t1 = make_tender(project, reference="T1", estimated_value=Decimal("120000"))
        lot = self.t1.lots.get()
        lot.reservation = Reservation.ART_20
        lot.save()
        disability = make_clause(
            self.t1, category=C.DISABILITY_EMPLOYMENT, target_quantity=Decimal(2)
        )
        make_clause(self.t1, category=C.GPP, target_quantity=None, stage="specification")
        make_contract(lot, supplier_type=Contract.SupplierType.WISE, declared_share=40)
        self.t1_rp1 = make_clause_outcome(
            disability, self.rp1, achieved=Decimal(2), headcount=2, with_disabilities=2,
            group_other=0, fte=Decimal("1.5"), status=VALIDATED,
        )  # fmt: skip
        self.t1_rp2 = make_clause_outcome(
            disability, self.rp2, achieved=Decimal(3), headcount=3, with_disabilities=3,
            fte=Decimal(3), status=ClauseOutcome.Status.SUBMITTED,
        )  # fmt: skip

        self.t2 = make_tender(
            project, reference="T2", recorded_by=p2, authority=elsewhere, lots=2,
            publication_date=dt.date(2023, 9, 1), estimated_value=Decimal("80000"),
        )  # fmt: skip
        lot1, lot2 = self.t2.lots.order_by("number")
        lot2.reservation = Reservation.ART_20
        lot2.save()
        training = make_clause(
            self.t2, category=C.APPRENTICESHIPS, target_quantity=Decimal(500), target_unit=U.HOURS
        )
        supplier = make_supplier("Construcciones")
        make_contract(
            lot1, supplier=supplier, supplier_type=Contract.SupplierType.MAINSTREAM,
            awarded_value=Decimal("50000"), start_date=dt.date(2023, 10, 1),
        )  # fmt: skip
        make_contract(
            lot2, supplier=supplier, supplier_type=Contract.SupplierType.SHELTERED,
            awarded_value=Decimal("20000"), start_date=dt.date(2023, 10, 1), declared_share=80,
        )  # fmt: skip
        make_clause_outcome(
            training, self.rp2, achieved=Decimal(300), headcount=4, with_disabilities=1,
            other_disadvantaged=3, fte=Decimal(2), status=VALIDATED,
        )  # fmt: skip

        self.t3 = make_tender(
            project, reference="T3", publication_date=dt.date(2023, 5, 1),
            estimated_value=Decimal("40000"),
        )  # fmt: skip
        make_contract(
            self.t3.lots.get(), supplier=supplier,
            supplier_type=Contract.SupplierType.SOCIAL_ECONOMY, awarded_value=Decimal("30000"),
        )  # fmt: skip

        self.t4 = make_tender(
            project, reference="T4", status=Tender.Status.CANCELLED,
            publication_date=dt.date(2023, 4, 1), estimated_value=Decimal("10000"),
        )  # fmt: skip
        make_clause(self.t4, category=C.DISABILITY_EMPLOYMENT, target_quantity=Decimal(50))

        self.t5 = make_tender(
            project, reference="T5", authority=p2.organisation, publication_date=None,
            award_date=dt.date(2023, 8, 15), status=Tender.Status.AWARDED,
            procedure=Tender.Procedure.NEGOTIATED_WITHOUT_PUBLICATION,
            estimated_value=Decimal("5000"),
        )  # fmt: skip
        make_clause(
            self.t5,
            category=C.ENERGY,
            target_quantity=Decimal(1000),
            target_unit=U.EUR_SUBCONTRACTED,
        )


@pytest.fixture
def register(project: Project) -> Register:
    return Register(project)


def targets(summary: Summary) -> list[tuple[str, str, Decimal | None, Decimal]]:
    return [(r.category, r.unit, r.target, r.achieved) for r in summary.targets]


# --- the figures ------------------------------------------------------------------------------


def test_the_whole_register(register: Register, project: Project) -> None:
    summary = register_summary(project)

    t = summary.tenders
    assert (t.in_register, t.cancelled, t.count) == (5, 1, 4)
    assert t.estimated_value == Decimal("245000.00")
    assert (t.with_social_clause, t.with_social_clause_value) == (2, Decimal("200000.00"))
    assert (t.without_social_clause, t.without_social_clause_value) == (2, Decimal("45000.00"))
    assert t.with_social_clause_percent == Decimal("50.0")
    assert t.with_social_clause_value_percent == Decimal("81.6")
    assert t.with_environmental_clause == 2  # T1 (GPP) and T5 (energy only)
    assert (t.combining, t.combining_value, t.combining_percent) == (
        1,
        Decimal("120000.00"),
        Decimal("25.0"),
    )

    c = summary.contracts
    assert (c.lots, c.reserved_lots, c.reserved_lots_percent) == (5, 2, Decimal("40.0"))
    assert (c.contracts, c.awarded_value) == (4, Decimal("195000.00"))
    assert (c.reserved_contracts, c.reserved_value) == (2, Decimal("115000.00"))
    assert (c.reserved_contracts_percent, c.reserved_value_percent) == (
        Decimal("50.0"),
        Decimal("59.0"),
    )
    assert (c.social_economy_contracts, c.social_economy_value) == (3, Decimal("145000.00"))
    assert (c.social_economy_percent, c.social_economy_value_percent) == (
        Decimal("75.0"),
        Decimal("74.4"),
    )

    # In the order of the categories; T4's clause is cancelled with its tender.
    assert targets(summary) == [
        (C.DISABILITY_EMPLOYMENT, U.PERSONS, Decimal(2), Decimal(2)),  # RP2's is not validated
        (C.APPRENTICESHIPS, U.HOURS, Decimal(500), Decimal(300)),
        (C.GPP, U.PERSONS, None, Decimal(0)),
        (C.ENERGY, U.EUR_SUBCONTRACTED, Decimal(1000), Decimal(0)),
    ]
    disability, training, gpp, _energy = summary.targets
    assert (disability.headcount, disability.with_disabilities, disability.fte) == (
        2,
        2,
        Decimal("1.50"),
    )
    assert disability.achieved_percent == Decimal("100.0")
    assert training.achieved_percent == Decimal("60.0")
    assert (gpp.clauses, gpp.with_target, gpp.achieved_percent) == (1, 0, None)
    assert (summary.headcount, summary.with_disabilities, summary.fte) == (6, 3, Decimal("3.50"))


def test_a_partner_has_the_tenders_it_records_and_those_of_its_organisation(
    register: Register, project: Project
) -> None:
    summary = register_summary(project, partner=project.partners.get(number=2))

    t = summary.tenders
    assert (t.count, t.estimated_value) == (2, Decimal("85000.00"))  # T2, T5
    assert (t.with_social_clause, t.with_environmental_clause, t.combining) == (1, 1, 0)
    c = summary.contracts
    assert (c.lots, c.reserved_lots, c.contracts, c.awarded_value) == (
        3,
        1,
        2,
        Decimal("70000.00"),
    )
    assert (c.social_economy_contracts, c.social_economy_value) == (1, Decimal("20000.00"))
    assert targets(summary) == [
        (C.APPRENTICESHIPS, U.HOURS, Decimal(500), Decimal(300)),
        (C.ENERGY, U.EUR_SUBCONTRACTED, Decimal(1000), Decimal(0)),
    ]
    assert t.in_register == 5  # the whole register, whatever the selection


def test_a_period_has_the_tenders_published_in_it_and_the_outcomes_reported_for_it(
    register: Register, project: Project
) -> None:
    rp1 = register_summary(project, period=register.rp1)
    assert (rp1.tenders.count, rp1.tenders.estimated_value) == (2, Decimal("160000.00"))  # T1, T3
    assert rp1.tenders.cancelled == 1  # T4
    assert (rp1.contracts.contracts, rp1.contracts.awarded_value) == (2, Decimal("125000.00"))
    assert targets(rp1) == [
        (C.DISABILITY_EMPLOYMENT, U.PERSONS, Decimal(2), Decimal(2)),
        (C.GPP, U.PERSONS, None, Decimal(0)),
    ]

    rp2 = register_summary(project, period=register.rp2)
    # T2, and T5 by its award date (never published)
    assert (rp2.tenders.count, rp2.tenders.estimated_value) == (2, Decimal("85000.00"))
    # Targets of every tender published by the end of RP2, against RP2's validated outcomes.
    assert targets(rp2) == [
        (C.DISABILITY_EMPLOYMENT, U.PERSONS, Decimal(2), Decimal(0)),
        (C.APPRENTICESHIPS, U.HOURS, Decimal(500), Decimal(300)),
        (C.GPP, U.PERSONS, None, Decimal(0)),
        (C.ENERGY, U.EUR_SUBCONTRACTED, Decimal(1000), Decimal(0)),
    ]
    assert (rp2.headcount, rp2.with_disabilities, rp2.fte) == (4, 1, Decimal("2.00"))


def test_a_partner_and_a_period_together(register: Register, project: Project) -> None:
    summary = register_summary(project, partner=project.partners.get(number=3), period=register.rp1)

    assert summary.tenders.count == 2  # T1, T3 (T5 is P3's too, but in RP2)
    assert targets(summary)[0] == (C.DISABILITY_EMPLOYMENT, U.PERSONS, Decimal(2), Decimal(2))


def test_a_date_range_counts_the_periods_wholly_inside_it(
    register: Register, project: Project
) -> None:
    same_as_rp2 = register_summary(project, start=dt.date(2023, 7, 1), end=dt.date(2024, 3, 31))
    assert same_as_rp2.tenders.count == 2
    assert same_as_rp2.headcount == 4

    # RP2 starts before this range: its outcomes are not counted, its tenders are.
    part = register_summary(project, start=dt.date(2023, 7, 15), end=dt.date(2024, 3, 31))
    assert part.tenders.count == 2
    assert part.headcount == 0

    assert period_months(project, dt.date(2022, 10, 1), dt.date(2023, 6, 30)) == (1, 9)
    assert period_months(project, dt.date(2022, 10, 2), dt.date(2023, 6, 29)) == (2, 8)
    assert period_months(project, dt.date(2020, 1, 1), None) == (1, None)


def test_only_validated_outcomes_count(register: Register, project: Project) -> None:
    before = register_summary(project, period=register.rp2)
    assert targets(before)[0][3] == Decimal(0)  # T1's RP2 outcome is only submitted

    ClauseOutcome.objects.filter(pk=register.t1_rp2.pk).update(status=VALIDATED)
    after = register_summary(project, period=register.rp2)

    assert targets(after)[0] == (C.DISABILITY_EMPLOYMENT, U.PERSONS, Decimal(2), Decimal(3))
    assert (after.headcount, after.with_disabilities) == (7, 4)


def test_a_register_without_tenders_is_empty(project: Project) -> None:
    summary = register_summary(project)

    assert summary.is_register_empty
    assert summary.tenders.estimated_value == Decimal("0.00")
    assert summary.tenders.with_social_clause_percent is None
    assert summary.contracts.reserved_value_percent is None
    assert summary.targets == []


def test_percent_of_the_workforce_is_averaged_not_added_up(project: Project) -> None:
    period = make_period(project)
    supplier = make_supplier()
    for reference, target, achieved in (("A", 10, 12), ("B", 30, 20)):
        tender = make_tender(project, reference=reference)
        make_contract(tender.lots.get(), supplier=supplier)
        clause = make_clause(
            tender, target_quantity=Decimal(target), target_unit=U.PERCENT_WORKFORCE
        )
        make_clause_outcome(
            clause, period, achieved=Decimal(achieved), headcount=None, status=VALIDATED
        )

    (row,) = register_summary(project).targets

    assert row.is_average
    assert (row.clauses, row.target, row.achieved) == (2, Decimal(20), Decimal(16))


# --- the page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["coordinator", "partner", "other_partner", "observer"])
def test_every_member_reads_the_summary(
    client: Client, register: Register, project: Project, role: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(role))

    response = client.get(url(project))

    assert response.status_code == 200
    assert response.context["summary"].tenders.count == 4
    assert response.context["subsection"] == "summary"
    html = response.content.decode()
    assert "4 tenders, estimated at EUR 245,000.00" in html
    assert "2 tenders (50.0 % of the tenders), EUR 200,000.00 (81.6 % of the estimated value)" in (
        html
    )
    assert "2 of 5 lots (40.0 %)" in html
    assert (
        "3 contracts (75.0 % of the contracts), EUR 145,000.00 (74.4 % of the awarded value)"
        in (html)
    )
    assert "1 cancelled tender is left out." in html


def test_the_filters_choose_a_partner_and_a_period(
    client: Client, observer: User, register: Register, project: Project
) -> None:
    client.force_login(observer)

    response = client.get(url(project, "?partner=3&period=1"))

    assert response.status_code == 200
    selection = response.context["summary"].selection
    assert (selection.partner.number, selection.period.number) == (3, 1)
    assert response.context["summary"].tenders.count == 2
    html = response.content.decode()
    assert (
        "Tenders recorded by P3 Voorbeeld or run by its organisation, published in RP1 (M1-M9) "
        "(1 Oct 2022 to 30 Jun 2023); outcomes reported for RP1 (M1-M9)."
    ) in html
    assert '<option value="3" selected>P3 Voorbeeld</option>' in html


@pytest.mark.parametrize("query", ["?partner=9", "?period=7", "?partner=x"])
def test_an_unknown_partner_or_period_is_refused_on_its_field(
    client: Client, observer: User, register: Register, project: Project, query: str
) -> None:
    client.force_login(observer)

    response = client.get(url(project, query))

    assert response.status_code == 422
    assert response.context["summary"] is None
    assert response.context["form"].errors
    assert "Select a valid choice." in response.content.decode()


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


def test_the_charts_are_svg_images_with_a_title_a_description_and_a_table(
    client: Client, partner: User, register: Register, project: Project
) -> None:
    client.force_login(partner)

    html = client.get(url(project)).content.decode()

    assert html.count('role="img"') == 2
    assert 'aria-labelledby="tenders-chart-title tenders-chart-desc"' in html
    assert (
        '<title id="tenders-chart-title">Tenders with and without a social clause</title>' in html
    )
    assert '<desc id="tenders-chart-desc">Two bars on the scale of all the tenders counted: 2' in (
        html
    )
    assert 'aria-labelledby="targets-chart-title targets-chart-desc"' in html
    assert '<title id="targets-chart-title">Clause targets and what was achieved' in html
    assert '<desc id="targets-chart-desc">For each of 4 categories and units' in html
    # Each bar says its value: nothing is told by colour or length alone.
    assert ">Target: 500 hours of employment</text>" in html
    assert ">Achieved: 300 hours of employment</text>" in html
    assert ">Target: 2 persons</text>" in html
    assert ">Achieved: 2 persons</text>" in html
    assert ">Target: 1,000 EUR subcontracted</text>" in html
    # The tables after them.
    assert 'caption">Tenders with and without a social clause</caption>' in html
    assert (
        'caption">Clause targets against validated outcomes, by category and unit</caption>'
    ) in html
    assert '<th scope="row">Apprenticeships and training</th>' in html
    assert '<td class="num">60.0 %</td>' in html


def test_bars_are_drawn_to_scale_in_each_unit(register: Register, project: Project) -> None:
    summary = register_summary(project)
    chart = targets_chart(summary.targets)
    disability, training, gpp, energy = ([bar.width for bar in row.bars] for row in chart.rows)
    assert disability == [CHART_PLOT_WIDTH] * 2  # 2 of 2 persons
    assert training == [CHART_PLOT_WIDTH, CHART_PLOT_WIDTH * 0.6]  # 300 of 500 hours
    assert gpp == [0, 0]  # no target, nothing reported: no bar, the labels say so
    assert [bar.label for bar in chart.rows[2].bars] == ["No target set", "Achieved: 0 persons"]
    assert energy == [CHART_PLOT_WIDTH, 0]
    assert chart.rows[0].label == "Employment of persons with disabilities"
    assert chart.rows[0].title == (
        "Employment of persons with disabilities: Target: 2 persons; Achieved: 2 persons"
    )
    bars = [row.bars[0].width for row in tenders_chart(summary.tenders).rows]
    assert bars == [CHART_PLOT_WIDTH / 2, CHART_PLOT_WIDTH / 2]


def test_the_charts_read_in_german(
    client: Client, partner: User, register: Register, project: Project
) -> None:
    partner.language = "de"
    partner.save(update_fields=["language"])
    client.force_login(partner)

    html = client.get(url(project)).content.decode()

    # Coordinates stay machine numbers; the values people read use German digits.
    assert 'viewBox="0 0 800 ' in html
    assert "1.000" in html


def test_an_empty_register_says_what_to_do(
    client: Client, partner: User, observer: User, project: Project
) -> None:
    client.force_login(partner)
    html = client.get(url(project)).content.decode()
    create = reverse("procurement:tender_create", args=[project.slug])
    assert "No tenders in the register yet." in html
    assert f'<a href="{create}">Record a tender</a>' in html
    assert 'role="img"' not in html

    client.force_login(observer)
    html = client.get(url(project)).content.decode()
    assert "When partners record their tenders, this page sums them up." in html
    assert create not in html


# --- the cost ---------------------------------------------------------------------------------


def add_tenders(project: Project, n: int, period: ReportingPeriod) -> None:
    """`n` tenders, each with a lot (every other one reserved), two clauses (social and
    environmental), a contract and a validated outcome: every join the summary could multiply."""
    start = Tender.objects.filter(project=project).count()
    p3 = project.partners.get(number=3)
    supplier = Organisation.objects.filter(short_name="Integra Valencia").first() or make_supplier()
    tenders = Tender.objects.bulk_create(
        Tender(
            project=project,
            recorded_by=p3,
            authority_id=p3.organisation_id,
            reference=f"B-{k}",
            title=f"Tender {k}",
            cpv_codes=["90910000-9"],
            cpv_division="90",
            procedure=Tender.Procedure.OPEN,
            estimated_value=Decimal(1000 + k),
            publication_date=dt.date(2023, 3, 1),
            status=Tender.Status.PUBLISHED,
        )
        for k in range(start, start + n)
    )
    lots = Lot.objects.bulk_create(
        Lot(
            tender=t,
            number=1,
            title="Lot 1",
            reservation=Reservation.ART_20 if k % 2 else Reservation.NONE,
        )
        for k, t in enumerate(tenders, start=start)
    )
    Contract.objects.bulk_create(
        Contract(
            lot=lot,
            supplier=supplier,
            supplier_type=Contract.SupplierType.WISE,
            awarded_value=Decimal(900),
            start_date=dt.date(2023, 4, 1),
        )
        for lot in lots
    )
    clauses = SocialClause.objects.bulk_create(
        SocialClause(
            tender=t,
            stage=SocialClause.Stage.PERFORMANCE,
            category=category,
            description="A clause.",
            target_quantity=Decimal(2),
        )
        for t in tenders
        for category in (C.DISABILITY_EMPLOYMENT, C.CIRCULAR)
    )
    ClauseOutcome.objects.bulk_create(
        ClauseOutcome(
            clause=clause,
            period=period,
            achieved=Decimal(2),
            headcount=2,
            with_disabilities=2,
            status=VALIDATED,
        )
        for clause in clauses[::2]
    )


# session, user, member; the form's partners (with organisations) and periods; then the four
# aggregate queries of register_summary: tenders (with EXISTS for their clauses), lots with
# contracts, clause targets by category and unit, validated outcomes by category and unit.
SUMMARY_QUERIES = 3 + 2 + 4


@pytest.mark.parametrize("query", ["", "?partner=3&period=1"])
def test_the_summary_costs_the_same_for_5_tenders_and_500(
    client: Client, partner: User, project: Project, query: str
) -> None:
    period = make_period(project)
    client.force_login(partner)
    page = url(project, query)
    client.get(page)  # warm up: first-request work is not the page's cost

    add_tenders(project, 5, period)
    with CaptureQueriesContext(connection) as few:
        assert client.get(page).status_code == 200
    add_tenders(project, 495, period)
    with CaptureQueriesContext(connection) as many:
        response = client.get(page)
    assert response.status_code == 200

    listing = "\n".join(q["sql"][:160] for q in many.captured_queries)
    assert len(few) == len(many), listing
    assert len(many) == SUMMARY_QUERIES, listing
    summary = response.context["summary"]
    assert summary.tenders.count == 500
    assert summary.tenders.estimated_value == sum(Decimal(1000 + k) for k in range(500))
    assert (summary.contracts.contracts, summary.contracts.reserved_contracts) == (500, 250)
    assert summary.tenders.combining == 500
    assert summary.headcount == 1000
    assert targets(summary)[0] == (C.DISABILITY_EMPLOYMENT, U.PERSONS, Decimal(1000), Decimal(1000))


def test_register_summary_runs_four_queries(register: Register, project: Project) -> None:
    with CaptureQueriesContext(connection) as queries:
        register_summary(project, partner=project.partners.get(number=2), period=register.rp2)
    # partners.get is the test's; the summary's four follow it.
    assert len(queries) == 1 + 4


def test_a_period_of_another_project_is_refused(project: Project) -> None:
    elsewhere = make_period(make_project("OTHER"), number=1)

    with pytest.raises(ValueError, match="RP1 belongs to another project"):
        register_summary(project, period=elsewhere)
