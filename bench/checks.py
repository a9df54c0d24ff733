"""How long the data-quality checks take on a project far bigger than any real one.

Run by hand from the project folder:

    .venv/bin/python bench/checks.py                 # median of 7 runs
    .venv/bin/python bench/checks.py --repeat 15

In one process it builds a throwaway SQLite database under var/bench/checks/ with a BIG project
(50 indicators, 10 partners, 6 reporting periods, ~2,650 entered values, 2,000 events with their
attendance, 500 tenders with lots, clauses, contracts, ~2,600 clause outcomes with evidence, 200
deliverables, 100 risks), every kind of record with a few deliberate discrepancies, and an EMPTY
project (the same partners and periods, no records). It times impact.checks.run_checks on both
(the median of --repeat runs, after one untimed run), each rule alone on BIG, one trivial query,
and the data-quality page through Django's test client (in process, DEBUG off) next to the bench's
trivial view /bench/ping. It prints the seconds, the query counts, the findings by rule and
`ratio NAME VALUE` lines: BIG against EMPTY (the cost of the rows), BIG against the trivial query,
and the page against the trivial view. Target: run_checks on BIG under 1 s. It asserts nothing.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import VAR, configure, fresh_database, slugify  # noqa: E402

WORK = VAR / "checks"  # not var/bench itself: bench/pages.py may run at the same time
PASSWORD = "bench-Password-4-checks"
TARGET_SECONDS = 1.0
PARTNERS, PERIODS, MONTHS_PER_PERIOD = 10, 6, 6
ENTERED, COMPUTED = 45, 5  # 50 indicators
EVENTS, TENDERS, DELIVERABLES, RISKS = 2000, 500, 200, 100


def median_seconds(run: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The median wall time of `repeat` calls of `run`, after one untimed call; and its result."""
    result = run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


# --- the data --------------------------------------------------------------------------------


def build(acronym: str, *, records: bool) -> Any:
    """A project of 36 months whose M34 is this month (RP1-RP5 ended, RP6 running; RP1-RP4
    locked), with its partners and periods; with `records`, everything the checks read."""
    from projects.models import Organisation, Partner, Project, ReportingPeriod, add_months

    today = dt.date.today()
    project = Project.objects.create(
        acronym=acronym,
        slug=acronym.lower(),
        title=f"{acronym}: a benchmark project",
        programme=Project.Programme.SMP,
        start_date=add_months(today.replace(day=1), -33),
        duration_months=36,
    )
    orgs = Organisation.objects.bulk_create(
        Organisation(
            legal_name=f"{acronym} organisation {k}",
            short_name=f"{acronym[:3]}{k}",
            country="BE",
            kind=Organisation.Kind.NGO,
        )
        for k in range(1, PARTNERS + 1)
    )
    team = Partner.objects.bulk_create(
        Partner(
            project=project,
            organisation=org,
            number=k,
            role=Partner.Role.COORDINATOR if k == 1 else Partner.Role.BENEFICIARY,
        )
        for k, org in enumerate(orgs, start=1)
    )
    periods = ReportingPeriod.objects.bulk_create(
        ReportingPeriod(
            project=project,
            number=k,
            start_month=(k - 1) * MONTHS_PER_PERIOD + 1,
            end_month=k * MONTHS_PER_PERIOD,
            is_locked=k <= 4,
        )
        for k in range(1, PERIODS + 1)
    )
    for period in periods:
        period.project = project
    if records:
        build_indicators(project, team, periods)
        build_events(project, team, periods)
        build_tenders(project, team, periods)
        build_plan(project, team)
    return project


def build_indicators(project: Any, team: list[Any], periods: list[Any]) -> None:
    """45 entered indicators that every partner reports (persons by gender, FTE with headcount,
    EUR, counts; every 9th asks for evidence) and 5 computed ones; a value per partner and
    period up to RP5 and for half of RP6, with a file for those that need one. The deliberate
    discrepancies: every 37th breakdown off by one, every 101st value 40 times too big, every
    97th FTE above its headcount, every 53rd value missing, every 61st value of a locked period
    left submitted, every 7th value needing evidence without it. Values are validated in the
    locked periods, submitted in RP5, drafts in RP6."""
    from accounts.models import User
    from impact.models import Indicator, IndicatorValue, PartnerTarget, ValueEvidence

    units = [Indicator.Unit.PERSONS, Indicator.Unit.FTE, Indicator.Unit.EUR, Indicator.Unit.COUNT]
    entered = Indicator.objects.bulk_create(
        Indicator(
            project=project,
            code=f"KPI{k}",
            name=f"Indicator {k}",
            definition="What counts and what does not.",
            unit=units[k % 4],
            target=Decimal(5000),
            disaggregations=[Indicator.Disaggregation.GENDER] if k % 4 == 0 else [],
            requires_evidence=k % 9 == 0,
        )
        for k in range(1, ENTERED + 1)
    )
    measures = [
        (Indicator.Measure.PARTICIPANTS, False),
        (Indicator.Measure.EVENTS_HELD, False),
        (Indicator.Measure.TENDERS_WITH_SOCIAL_CLAUSES, False),
        (Indicator.Measure.PERSONS_EMPLOYED, True),
        (Indicator.Measure.PERSONS_WITH_DISABILITIES, True),
    ]
    Indicator.objects.bulk_create(
        Indicator(
            project=project,
            code=f"C{k}",
            name=f"Computed {k}",
            definition="Counted by the platform.",
            unit=Indicator.Unit.PERSONS,
            source=Indicator.Source.COMPUTED,
            measure=measure,
            requires_evidence=evidence,
            target=Decimal(500),
        )
        for k, (measure, evidence) in enumerate(measures, start=1)
    )
    Indicator.reporting_partners.through.objects.bulk_create(
        Indicator.reporting_partners.through(indicator_id=i.pk, partner_id=p.pk)
        for i in entered
        for p in team
    )
    PartnerTarget.objects.bulk_create(
        PartnerTarget(indicator=i, partner=p, target=Decimal(500))
        for i in entered[::3]
        for p in team
    )
    statuses = IndicatorValue.Status
    rows = []
    n = 0
    for indicator in entered:
        for partner in team:
            for period in periods:
                n += 1
                if n % 53 == 0 or (period.number == PERIODS and n % 2):
                    continue
                value = 40 + n % 20
                if period.is_locked:
                    status = statuses.SUBMITTED if n % 61 == 0 else statuses.VALIDATED
                else:
                    status = statuses.SUBMITTED if period.number < PERIODS else statuses.DRAFT
                row = IndicatorValue(
                    indicator=indicator,
                    partner=partner,
                    period=period,
                    value=Decimal(value * 40 if n % 101 == 0 else value),
                    status=status,
                )
                if indicator.unit == Indicator.Unit.FTE:
                    row.value = Decimal(value + (n % 97 == 0)) if n % 97 == 0 else row.value / 2
                    row.headcount = value
                if indicator.unit in (Indicator.Unit.PERSONS, Indicator.Unit.FTE):
                    whole = int(row.headcount or row.value)
                    row.women, row.men = whole // 2, whole - whole // 2 + (n % 37 == 0)
                rows.append(row)
    made = IndicatorValue.objects.bulk_create(rows, batch_size=500)
    uploader = User.objects.create_user(f"uploader@{project.slug}.example.org", PASSWORD)
    ValueEvidence.objects.bulk_create(
        (
            ValueEvidence(
                value=value,
                file=f"impact/evidence/{value.pk}.pdf",
                original_name="list.pdf",
                content_type="application/pdf",
                size=1000,
                sha256="0" * 64,
                uploaded_by=uploader,
            )
            for k, value in enumerate(made)
            if value.indicator.requires_evidence and k % 7
        ),
        batch_size=500,
    )


def build_events(project: Any, team: list[Any], periods: list[Any]) -> None:
    """2,000 events over M1-M33, held, organised by the partners in turn; attendance with its
    breakdowns for all but every 20th (held without attendance), every 50th gender breakdown
    off by two; countries for every other one."""
    from zoneinfo import ZoneInfo

    from events.models import Attendance, Event

    brussels = ZoneInfo("Europe/Brussels")
    kinds = list(Event.Kind)
    events = Event.objects.bulk_create(
        (
            Event(
                project=project,
                kind=kinds[k % len(kinds)],
                title=f"Event {k}",
                starts_at=dt.datetime.combine(
                    project.month_start(1 + k % 33) + dt.timedelta(days=k % 27),
                    dt.time(10),
                    brussels,
                ),
                ends_at=dt.datetime.combine(
                    project.month_start(1 + k % 33) + dt.timedelta(days=k % 27),
                    dt.time(13),
                    brussels,
                ),
                city="Brussels",
                organiser=team[k % len(team)],
                status=Event.Status.HELD,
            )
            for k in range(1, EVENTS + 1)
        ),
        batch_size=500,
    )
    Attendance.objects.bulk_create(
        (
            Attendance(
                event=event,
                total=40,
                in_person=30,
                online=10,
                public_authorities=10,
                social_economy=10,
                companies=10,
                dpo=5,
                experts=5,
                women=20 + 2 * (k % 50 == 0),
                men=20,
                by_country={"BE": 25, "ES": 15} if k % 2 else {},
            )
            for k, event in enumerate(events)
            if k % 20
        ),
        batch_size=500,
    )


def build_tenders(project: Any, team: list[Any], periods: list[Any]) -> None:
    """500 tenders of the partners, each with a lot (every 5th with two), a contract per lot, a
    disability clause for the whole tender and an environmental one, and on every 10th tender a
    second social clause on lot 1 (its RP2 outcomes count the same contract twice); validated
    outcomes of the disability clause for RP1-RP5 (every 40th with more FTE than people), with
    evidence for all but every 25th."""
    from procurement.models import (
        ClauseOutcome,
        Contract,
        Lot,
        OutcomeEvidence,
        SocialClause,
        Tender,
    )
    from projects.models import Organisation

    supplier = Organisation.objects.create(
        legal_name=f"{project.acronym} supplier S. Coop.",
        short_name=f"{project.acronym[:3]}S",
        country="ES",
        kind=Organisation.Kind.WISE,
    )
    tenders = Tender.objects.bulk_create(
        Tender(
            project=project,
            recorded_by=team[k % len(team)],
            authority_id=team[k % len(team)].organisation_id,
            reference=f"{project.acronym}-T{k:04d}",
            title=f"Cleaning of municipal buildings {k}",
            cpv_codes=["90910000-9"],
            cpv_division="90",
            procedure=Tender.Procedure.OPEN,
            estimated_value=Decimal(10_000 + 37 * k),
            publication_date=project.month_start(1 + k % 12),
            status=Tender.Status.AWARDED,
            award_date=project.month_start(2 + k % 12),
        )
        for k in range(1, TENDERS + 1)
    )
    lots = Lot.objects.bulk_create(
        Lot(tender=tender, number=number, title=f"Lot {number}")
        for k, tender in enumerate(tenders)
        for number in ((1, 2) if k % 5 == 0 else (1,))
    )
    Contract.objects.bulk_create(
        Contract(
            lot=lot,
            supplier=supplier,
            supplier_type=Contract.SupplierType.WISE,
            awarded_value=Decimal(9_000),
            start_date=project.month_start(1),
        )
        for lot in lots
    )
    first_lots = {lot.tender_id: lot for lot in lots if lot.number == 1}
    clauses = SocialClause.objects.bulk_create(
        SocialClause(
            tender=tender,
            lot=lot,
            stage=SocialClause.Stage.PERFORMANCE,
            category=category,
            description="A clause.",
            target_quantity=Decimal(2),
        )
        for k, tender in enumerate(tenders)
        for category, lot in (
            (SocialClause.Category.DISABILITY_EMPLOYMENT, None),
            (SocialClause.Category.GPP, None),
            *(
                ((SocialClause.Category.LONG_TERM_UNEMPLOYED, first_lots[tender.pk]),)
                if k % 10 == 0
                else ()
            ),
        )
    )
    social = [c for c in clauses if c.category == SocialClause.Category.DISABILITY_EMPLOYMENT]
    extra = [c for c in clauses if c.category == SocialClause.Category.LONG_TERM_UNEMPLOYED]
    done = [p for p in periods if p.number < PERIODS]
    outcomes = ClauseOutcome.objects.bulk_create(
        [
            ClauseOutcome(
                clause=clause,
                period=period,
                achieved=Decimal(2),
                headcount=2,
                fte=Decimal("2.5") if (clause.pk + period.number) % 40 == 0 else Decimal("1.5"),
                women=1,
                men=1,
                with_disabilities=2,
                group_other=0,
                status=ClauseOutcome.Status.VALIDATED,
            )
            for clause in social
            for period in done
        ]
        + [
            ClauseOutcome(
                clause=clause,
                period=periods[1],
                achieved=Decimal(1),
                headcount=1,
                status=ClauseOutcome.Status.VALIDATED,
            )
            for clause in extra
        ],
        batch_size=500,
    )
    OutcomeEvidence.objects.bulk_create(
        (
            OutcomeEvidence(
                outcome=outcome,
                file=f"procurement/evidence/{outcome.pk}.pdf",
                original_name="payroll.pdf",
                content_type="application/pdf",
                size=1000,
                sha256="0" * 64,
            )
            for k, outcome in enumerate(outcomes)
            if k % 25
        ),
        batch_size=500,
    )


def build_plan(project: Any, team: list[Any]) -> None:
    """200 deliverables over M1-M36 in every status (a few late ones without a justification,
    done ones without a file) and 100 risks, every other one reviewed in RP6."""
    from projects.models import (
        Deliverable,
        DeliverableVersion,
        Risk,
        RiskReview,
        WorkPackage,
    )

    wps = WorkPackage.objects.bulk_create(
        WorkPackage(
            project=project,
            number=k,
            title=f"Work package {k}",
            lead=team[k],
            start_month=1,
            end_month=36,
        )
        for k in range(1, 6)
    )
    statuses = list(Deliverable.Status)
    deliverables = Deliverable.objects.bulk_create(
        Deliverable(
            project=project,
            work_package=wps[k % 5],
            number=f"D{wps[k % 5].number}.{k // 5 + 1}",
            sort_key=k,
            title=f"Deliverable {k}",
            lead=team[k % len(team)],
            due_month=1 + k % 36,
            due_date=project.month_end(1 + k % 36),
            status=statuses[k % len(statuses)],
            submitted_date=project.month_end(1 + k % 36) + dt.timedelta(days=k % 3)
            if statuses[k % len(statuses)] == Deliverable.Status.SUBMITTED
            else None,
        )
        for k in range(DELIVERABLES)
    )
    from accounts.models import User

    author = User.objects.filter(email=f"coordinator@{project.slug}.example.org").first()
    author = author or User.objects.create_user(f"author@{project.slug}.example.org", PASSWORD)
    DeliverableVersion.objects.bulk_create(
        DeliverableVersion(
            deliverable=d,
            file=f"deliverables/{d.pk}.pdf",
            original_name="d.pdf",
            content_type="application/pdf",
            size=1000,
            sha256="0" * 64,
            uploaded_by=author,
        )
        for k, d in enumerate(deliverables)
        if k % 4
    )
    risks = Risk.objects.bulk_create(
        Risk(
            project=project,
            number=k,
            title=f"Risk {k}",
            description="Something could go wrong.",
            category=Risk.Category.STAKEHOLDERS,
            owner=team[k % len(team)],
            status=Risk.Status.CLOSED if k % 10 == 0 else Risk.Status.OPEN,
        )
        for k in range(1, RISKS + 1)
    )
    RiskReview.objects.bulk_create(
        RiskReview(
            risk=risk,
            review_date=dt.date.today() - dt.timedelta(days=k % 20),
            likelihood=2,
            impact=2,
            status=Risk.Status.OPEN,
            note="Reviewed.",
            reviewed_by=author,
        )
        for k, risk in enumerate(risks)
        if k % 2
    )


def coordinator_of(project: Any) -> Any:
    from allauth.account.models import EmailAddress

    from accounts.models import User
    from projects.models import Membership

    email = f"coordinator@{project.slug}.example.org"
    user = User.objects.create_user(email, PASSWORD, full_name=f"Coordinator of {project}")
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    Membership.objects.create(
        user=user,
        project=project,
        role=Membership.Role.COORDINATOR,
        partner=project.partners.get(number=1),
    )
    return user


# --- the run ---------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed runs of each (median)")
    args = parser.parse_args()

    WORK.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{WORK / 'checks.sqlite3'}"
    configure(database_url)
    os.environ["STATIC_ROOT"] = str(WORK / "static")
    fresh_database(database_url)

    import django
    from django.core.management import call_command

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from events.models import Attendance, Event
    from impact.checks import CHECKS, RULES, Context, run_checks
    from impact.models import Indicator, IndicatorValue
    from procurement.models import ClauseOutcome
    from projects.models import Partner

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    shutil.rmtree(WORK / "static", ignore_errors=True)
    call_command("collectstatic", verbosity=0, interactive=False)  # DEBUG off: the manifest
    big = build("BIG", records=True)
    empty = build("EMPTY", records=False)
    user = coordinator_of(big)
    today = dt.date.today()
    sizes = {
        "indicators": Indicator.objects.filter(project=big).count(),
        "values": IndicatorValue.objects.filter(indicator__project=big).count(),
        "events": Event.objects.filter(project=big).count(),
        "attendance": Attendance.objects.filter(event__project=big).count(),
        "outcomes": ClauseOutcome.objects.filter(clause__tender__project=big).count(),
    }
    print(
        f"SQLite {WORK / 'checks.sqlite3'}, built in {time.perf_counter() - started:.1f} s; BIG: "
        f"{sizes['indicators']} indicators, {PARTNERS} partners, {PERIODS} periods, "
        f"{sizes['values']:,} values, {sizes['events']:,} events ({sizes['attendance']:,} with "
        f"attendance), {TENDERS} tenders, {sizes['outcomes']:,} clause outcomes, "
        f"{DELIVERABLES} deliverables, {RISKS} risks; EMPTY: the same partners and periods, "
        f"no records; median of {args.repeat} runs after one untimed"
    )

    def queries(run: Callable[[], Any]) -> int:
        with CaptureQueriesContext(connection) as captured:
            run()
        return len(captured)

    big_s, findings = median_seconds(lambda: run_checks(big, today=today), args.repeat)
    empty_s, _ = median_seconds(lambda: run_checks(empty, today=today), args.repeat)
    trivial_s, _ = median_seconds(
        lambda: Partner.objects.filter(project=big, number=1).exists(), args.repeat
    )
    big_q = queries(lambda: run_checks(big, today=today))
    empty_q = queries(lambda: run_checks(empty, today=today))

    print()
    print(f"{'run':<28} {'seconds':>9} {'queries':>8} {'findings':>9}")
    print(f"{'run_checks BIG':<28} {big_s:>9.4f} {big_q:>8} {len(findings):>9,}")
    print(f"{'run_checks EMPTY':<28} {empty_s:>9.4f} {empty_q:>8} {0:>9}")
    print(f"{'one trivial query':<28} {trivial_s:>9.5f} {1:>8}")
    verdict = "under" if big_s < TARGET_SECONDS else "OVER"
    print(f"run_checks BIG: {big_s:.3f} s, {verdict} the {TARGET_SECONDS:.0f} s target")

    # Each rule alone on BIG, with the context run_checks builds (its three queries not counted).
    periods = {p.pk: p for p in big.periods.order_by("number")}
    partners = {p.pk: p for p in big.partners.select_related("organisation")}
    indicators = {i.pk: i for i in Indicator.objects.filter(project=big)}
    for row in (*periods.values(), *partners.values(), *indicators.values()):
        row.project = big
    context = Context(big, today, periods, partners, indicators)
    by_code = Counter(f.code for f in findings)
    print()
    print(f"{'rule':<30} {'ms':>8}")
    rule_times = []
    for rule in CHECKS:
        seconds, _ = median_seconds(lambda rule=rule: list(rule(context)), args.repeat)
        rule_times.append((rule.__name__, seconds))
    for name, seconds in sorted(rule_times, key=lambda item: -item[1]):
        print(f"{name:<30} {seconds * 1000:>8.1f}")
    print()
    print("findings by check: " + ", ".join(f"{r.code} {by_code[r.code]:,}" for r in RULES))

    client = Client()
    client.force_login(user)
    page = f"/p/{big.slug}/data-quality/"
    for path in (page, "/bench/ping"):
        assert client.get(path).status_code == 200, path
    page_s, _ = median_seconds(lambda: client.get(page), args.repeat)
    ping_s, _ = median_seconds(lambda: client.get("/bench/ping"), args.repeat)
    page_q = queries(lambda: client.get(page))
    print()
    print(
        f"data-quality page of BIG (test client, in process): {page_s:.3f} s, {page_q} queries; "
        f"the trivial view /bench/ping: {ping_s * 1000:.1f} ms"
    )
    print()
    print(f"ratio checks_big_vs_empty {big_s / empty_s:.2f}")
    print(f"ratio checks_big_vs_trivial_query {big_s / trivial_s:.1f}")
    print(f"ratio checks_big_vs_target {big_s / TARGET_SECONDS:.3f}")
    print(f"ratio data_quality_page_vs_trivial_view {page_s / ping_s:.1f}")
    for name, seconds in rule_times:
        print(f"ratio rule_{slugify(name)}_vs_trivial_query {seconds / trivial_s:.1f}")


if __name__ == "__main__":
    main()
