"""How fast the busiest pages are, next to the cheapest page the same stack can serve.

Run by hand from the project folder:

    .venv/bin/python bench/pages.py                  # SQLite file under var/bench/
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/coresp_bench \
        .venv/bin/python bench/pages.py

It builds a throwaway database with a big project (2,000 deliverables, 300 risks, 20 work
packages, 500 tenders; 6 reporting periods, 50 indicators, 45 of them entered by the 10 partners,
their values for RP1 and half of RP2, 2,000 events) and a small one (20 deliverables, 20 risks, 5
tenders; 4 periods, 5 indicators, 2 of them entered by 3 partners, 10 events), serves the platform
with gunicorn (2 workers, DEBUG off), logs in through the login form and times, request by
request, the trivial authenticated view /bench/ping, the project dashboard, one page of the
filtered deliverable list, the risk register, the procurement register and its summary, the
impact page, a partner's entry page for the running period and the data-quality page, each page
also for a partner who reads German (translation on). It prints
the median and 90th percentile of each, each page's median as a multiple of the trivial view's
(target: 8x or less), each page's query count in the big and the small project (target: equal),
and `ratio NAME VALUE` lines: each page against the trivial view, and each page in German against
the same page in English (`..._de_vs_en`, target: 1.0 within noise). It asserts nothing: the
figures are for people to read.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import http.cookies
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

if TYPE_CHECKING:
    from projects.models import Partner, Project

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
PASSWORD = "bench-Password-4-pages"
PAGES = {
    # name: path in the big project (the small one has the same pages under its own slug)
    "dashboard": "/p/{slug}/",
    "deliverable list": "/p/{slug}/deliverables/?status=in_review&sort=due",
    "risk register": "/p/{slug}/risks/",
    "tender register": "/p/{slug}/tenders/",
    "register summary": "/p/{slug}/procurement/",
    "impact page": "/p/{slug}/impact/",
    # partner 2 (the benchmark's partner) in RP2, the running period of both projects
    "entry page": "/p/{slug}/impact/entry/2/2/",
    "data-quality page": "/p/{slug}/data-quality/",
}
TARGET_RATIO = 8


def configure(database_url: str) -> None:
    """The environment the platform's settings read; the same for this process and gunicorn."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": database_url,
            "DEBUG": "False",
            "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "SECURE_SSL_REDIRECT": "False",
            "SECURE_COOKIES": "False",
            "SECURE_HSTS_SECONDS": "0",
            "STATIC_ROOT": str(VAR / "static"),
            "VAR_DIR": str(VAR),
            "LOG_LEVEL": "WARNING",
            "REDIS_URL": "",
            "CORESP_TESTING": "",
            "PYTHONPATH": str(ROOT),
        }
    )
    sys.path.insert(0, str(ROOT))


def fresh_database(database_url: str) -> None:
    """An empty database for this run: a new SQLite file, or a PostgreSQL database recreated
    (only one whose name says it is for benchmarks)."""
    if database_url.startswith("sqlite"):
        path = Path(database_url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg
    from dj_database_url import parse

    db = parse(database_url)
    if "bench" not in db["NAME"]:
        sys.exit(
            f"Refusing to recreate {db['NAME']!r}: use a database whose name contains 'bench'."
        )
    server = {
        k: v
        for k, v in {
            "host": db["HOST"],
            "port": db["PORT"],
            "user": db["USER"],
            "password": db["PASSWORD"],
        }.items()
        if v
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db["NAME"]}"')


# --- the data --------------------------------------------------------------------------------


def build_project(
    acronym: str,
    *,
    deliverables: int,
    risks: int,
    work_packages: int,
    milestones: int,
    partners: int = 10,
    tenders: int = 0,
    periods: int = 0,
    entered: int = 0,
    computed: int = 0,
    reporting: int | None = None,
    events: int = 0,
) -> tuple[str, str]:
    """A project whose M12 is this month, with its rows; returns (slug, the partner's email).

    Rows are bulk-created (with history for deliverables, so the dashboard's "recent changes"
    has something to show). D<wp>.<n> allows n up to 99, so 2,000 deliverables in 20 work
    packages need D<wp>.100: bulk creation skips that check, which the pages do not depend on.
    `periods` reporting periods of equal length (those ended by this month locked) come first;
    `tenders` procurement tenders are added by build_tenders; with `entered` or `computed`
    indicators, build_impact adds them, their values and `events` events (`reporting`: how many
    partners report the entered ones, all by default).
    """
    from allauth.account.models import EmailAddress
    from simple_history.utils import bulk_create_with_history

    from accounts.models import User
    from projects.models import (
        Deliverable,
        Level,
        Membership,
        Milestone,
        Organisation,
        Partner,
        Project,
        ReportingPeriod,
        Risk,
        WorkPackage,
        add_months,
    )

    today = dt.date.today()
    slug = acronym.lower()
    project = Project.objects.create(
        acronym=acronym,
        slug=slug,
        title=f"{acronym}: a benchmark project",
        programme=Project.Programme.SMP,
        start_date=add_months(today, -11),
        duration_months=36,
    )
    orgs = Organisation.objects.bulk_create(
        Organisation(
            legal_name=f"{acronym} organisation {k}",
            short_name=f"{acronym[:3]}{k}",
            country="BE",
            kind=Organisation.Kind.NGO,
        )
        for k in range(1, partners + 1)
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
    wps = WorkPackage.objects.bulk_create(
        WorkPackage(
            project=project,
            number=k,
            title=f"Work package {k}",
            lead=team[k % partners],
            start_month=1,
            end_month=36,
        )
        for k in range(1, work_packages + 1)
    )
    statuses = list(Deliverable.Status)
    per_wp = -(-deliverables // work_packages)
    rows = []
    for i in range(deliverables):
        wp, n = wps[i // per_wp], i % per_wp + 1
        month = 1 + (i * 7) % 36
        rows.append(
            Deliverable(
                project=project,
                work_package=wp,
                number=f"D{wp.number}.{n}",
                sort_key=wp.number * 1000 + n,
                title=f"Deliverable {i} of {acronym}",
                description="A report on procurement practice. " * 3,
                lead=team[(i // 3) % partners],
                due_month=month,
                due_date=project.month_end(month),
                status=statuses[i % len(statuses)],
            )
        )
    bulk_create_with_history(rows, Deliverable, batch_size=500, default_change_reason="Imported")
    created = Risk.objects.bulk_create(
        Risk(
            project=project,
            number=k,
            title=f"Risk {k}",
            description="Something could go wrong.",
            category=list(Risk.Category)[k % 8],
            likelihood=list(Level)[k % 3],
            impact=list(Level)[(k // 3) % 3],
            owner=team[k % partners],
            status=Risk.Status.CLOSED if k % 10 == 0 else Risk.Status.OPEN,
        )
        for k in range(1, risks + 1)
    )
    Risk.work_packages.through.objects.bulk_create(
        Risk.work_packages.through(risk_id=r.pk, workpackage_id=wps[r.number % len(wps)].pk)
        for r in created
    )
    made = Milestone.objects.bulk_create(
        Milestone(
            project=project,
            number=f"MS{k}",
            sort_key=k,
            title=f"Milestone {k}",
            due_month=1 + (k * 5) % 36,
            due_date=project.month_end(1 + (k * 5) % 36),
            means_of_verification="Minutes are uploaded.",
        )
        for k in range(1, milestones + 1)
    )
    Milestone.work_packages.through.objects.bulk_create(
        Milestone.work_packages.through(
            milestone_id=m.pk, workpackage_id=wps[m.sort_key % len(wps)].pk
        )
        for m in made
    )
    if periods:
        months = project.duration_months // periods
        ReportingPeriod.objects.bulk_create(
            ReportingPeriod(
                project=project,
                number=k,
                start_month=(k - 1) * months + 1,
                end_month=k * months,
                is_locked=k * months < project.month_of(today),
            )
            for k in range(1, periods + 1)
        )
    if tenders:
        build_tenders(project, team, tenders)
    if entered or computed:
        build_impact(
            project,
            team,
            entered=entered,
            computed=computed,
            reporting=partners if reporting is None else reporting,
            events=events,
        )
    email = f"partner@{slug}.example.org"
    user = User.objects.create_user(email, PASSWORD, full_name=f"Partner of {acronym}")
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    Membership.objects.create(
        user=user, project=project, role=Membership.Role.PARTNER, partner=team[1]
    )
    return slug, email


def build_tenders(project: Project, team: list[Partner], count: int) -> None:
    """`count` tenders of the partners' organisations, each with one lot (every third reserved),
    two clauses (one social, one environmental), a contract (every other one with a social
    economy supplier) and a validated RP1 outcome: every join the register and the summary make.
    Bulk-created, so without history and the model's checks, which these pages do not read.
    RP1 is the project's own if it has periods, else one of M1-M12 made here."""
    from procurement.models import (
        ClauseOutcome,
        Contract,
        Lot,
        Reservation,
        SocialClause,
        Tender,
    )
    from projects.models import Organisation, ReportingPeriod

    period, _ = ReportingPeriod.objects.get_or_create(
        project=project, number=1, defaults={"start_month": 1, "end_month": 12}
    )
    supplier = Organisation.objects.create(
        legal_name=f"{project.acronym} supplier S. Coop.",
        short_name=f"{project.acronym[:3]}S",
        country="ES",
        kind=Organisation.Kind.WISE,
    )
    procedures = list(Tender.Procedure)
    statuses = [Tender.Status.PUBLISHED, Tender.Status.AWARDED, Tender.Status.PLANNED]
    made = Tender.objects.bulk_create(
        Tender(
            project=project,
            recorded_by=team[k % len(team)],
            authority_id=team[k % len(team)].organisation_id,
            reference=f"{project.acronym}-T{k:04d}",
            title=f"Cleaning of municipal buildings, lot {k}",
            cpv_codes=["90910000-9", "85311000-2"],
            cpv_division="90",
            procedure=procedures[k % len(procedures)],
            estimated_value=Decimal(10_000 + 37 * k),
            publication_date=project.month_start(1 + k % 12),
            status=statuses[k % len(statuses)],
        )
        for k in range(1, count + 1)
    )
    lots = Lot.objects.bulk_create(
        Lot(
            tender=tender,
            number=1,
            title="Lot 1",
            estimated_value=tender.estimated_value,
            reservation=Reservation.ART_20 if k % 3 == 0 else Reservation.NONE,
        )
        for k, tender in enumerate(made)
    )
    supplier_types = [Contract.SupplierType.WISE, Contract.SupplierType.MAINSTREAM]
    Contract.objects.bulk_create(
        Contract(
            lot=lot,
            supplier=supplier,
            supplier_type=supplier_types[k % 2],
            awarded_value=Decimal(9_000 + 31 * k),
            start_date=project.month_start(2),
            declared_share=Decimal(45) if lot.reservation == Reservation.ART_20 else None,
            share_evidence="Registered special employment centre.",
        )
        for k, lot in enumerate(lots)
    )
    clauses = SocialClause.objects.bulk_create(
        SocialClause(
            tender=tender,
            lot=lot,
            stage=SocialClause.Stage.PERFORMANCE,
            category=category,
            description=description,
            target_quantity=target,
            target_unit=SocialClause.Unit.PERSONS,
        )
        for tender, lot in zip(made, lots, strict=True)
        for category, description, target in (
            (
                SocialClause.Category.DISABILITY_EMPLOYMENT,
                "At least two persons with disabilities work on the contract.",
                Decimal(2),
            ),
            (SocialClause.Category.GPP, "EU GPP criteria for cleaning products.", None),
        )
    )
    ClauseOutcome.objects.bulk_create(
        ClauseOutcome(
            clause=clause,
            period=period,
            achieved=Decimal(2),
            headcount=2,
            fte=Decimal("1.5"),
            women=1,
            men=1,
            with_disabilities=2,
            status=ClauseOutcome.Status.VALIDATED,
        )
        for clause in clauses[::2]  # the social clause of each tender
    )


# bench/checks.py's computed indicators (C1-C5), those of different sources first: participants
# and events held are counted from the events, social tenders from the register, the two kinds of
# persons employed from the clause outcomes (one query each; the events two). Three of them
# already run every query of computed_values, so the small project runs them all.
COMPUTED_ORDER = ("C1", "C3", "C4", "C2", "C5")


def build_impact(
    project: Project,
    team: list[Partner],
    *,
    entered: int,
    computed: int,
    reporting: int,
    events: int,
) -> None:
    """Indicators, their values, events with attendance and a few open queries, with
    bench/checks.py's builders at the sizes given (they read them from its constants).

    build_indicators makes `entered` entered indicators reported by the first `reporting`
    partners and the five computed ones, of which the first `computed` of COMPUTED_ORDER are
    kept; it enters a value per reporting partner, entered indicator and period that has begun
    (validated in locked periods, drafts in the running one, every 53rd missing; its deliberate
    discrepancies every 37th, 61st, 97th, 101st value). The running period is then half entered:
    the values of every other entered indicator (KPI1, KPI3...) are removed, so that its entry
    page has forms as well as saved values. build_events spreads its events over M1-M33: those
    not yet begun become planned, without attendance. Open queries: one about every 10th value,
    and one about each value of partner 2 (the benchmark's partner) in the running period."""
    from unittest import mock

    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from bench import checks
    from events.models import Attendance, Event
    from impact.models import DataQuery, Indicator, IndicatorValue

    today = dt.date.today()
    begun = list(project.periods.filter(start_month__lte=project.month_of(today)))
    if not begun:
        sys.exit(f"{project.acronym}: indicators need a reporting period that has begun.")
    for period in begun:
        period.project = project
    running = begun[-1]
    with mock.patch.multiple(checks, ENTERED=entered, PERIODS=running.number, EVENTS=events):
        checks.build_indicators(project, team[:reporting], begun)
        if events:
            checks.build_events(project, team, begun)
    Indicator.objects.filter(project=project, code__in=COMPUTED_ORDER[computed:]).delete()
    IndicatorValue.objects.filter(
        period=running, indicator__code__in=[f"KPI{k}" for k in range(1, entered + 1, 2)]
    ).delete()
    later = Event.objects.filter(project=project, starts_at__gt=timezone.now())
    Attendance.objects.filter(event__in=later).delete()
    later.update(status=Event.Status.PLANNED)
    values = IndicatorValue.objects.filter(indicator__project=project).order_by("pk")
    subject_type = ContentType.objects.get_for_model(IndicatorValue)
    DataQuery.objects.bulk_create(
        DataQuery(
            project=project,
            subject_type=subject_type,
            subject_id=value.pk,
            question="Where does this figure come from? It is far from last period's.",
            assigned_to_id=value.partner_id,
        )
        for k, value in enumerate(values)
        if k % 10 == 0 or (value.partner_id == team[1].pk and value.period_id == running.pk)
    )


def german_reader(slug: str, email: str) -> str:
    """A second partner at the same organisation as `email`, who chose German."""
    from allauth.account.models import EmailAddress

    from accounts.models import User
    from projects.models import Membership

    colleague = Membership.objects.get(user__email=email, project__slug=slug)
    german = f"leserin@{slug}.example.org"
    user = User.objects.create_user(german, PASSWORD, full_name="Leserin", language="de")
    EmailAddress.objects.create(user=user, email=german, verified=True, primary=True)
    Membership.objects.create(
        user=user, project=colleague.project, role=colleague.role, partner=colleague.partner
    )
    return german


# --- query counts, in this process -----------------------------------------------------------


def query_counts(slug: str, email: str) -> dict[str, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    counts = {}
    for name, path in {"trivial view": "/bench/ping", **PAGES}.items():
        client.get(path.format(slug=slug))  # warm: first-use work is not the page's
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path.format(slug=slug))
        assert response.status_code == 200, (path, response.status_code)
        counts[name] = len(queries)
    return counts


# --- the server and the client ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "coresp.wsgi:application",
        "--config",
        str(Path(__file__).with_name("gunicorn_bench.py")),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--worker-class",
        "sync",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited: see {log}")
        try:
            if request(port, "GET", "/healthz")[0] == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    sys.exit(f"gunicorn did not answer within 60 s: see {log}")


def request(
    port: int,
    method: str,
    path: str,
    *,
    cookies: dict[str, str] | None = None,
    body: str | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One request on a new connection (gunicorn's sync workers close it after each answer)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Host": "127.0.0.1"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, data


def set_cookies(headers_list: list[tuple[str, str]], jar: dict[str, str]) -> None:
    for name, value in headers_list:
        if name.lower() == "set-cookie":
            cookie = http.cookies.SimpleCookie(value)
            jar.update({k: m.value for k, m in cookie.items()})


def log_in(port: int, email: str) -> dict[str, str]:
    """Through allauth's login form, as a browser would: the session cookie comes back."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/accounts/login/", headers={"Host": "127.0.0.1"})
    response = conn.getresponse()
    page = response.read().decode()
    jar: dict[str, str] = {}
    set_cookies(response.getheaders(), jar)
    conn.close()
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found, "the page has a CSRF token"
    token = found.group(1)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = urlencode({"csrfmiddlewaretoken": token, "login": email, "password": PASSWORD})
    conn.request(
        "POST",
        "/accounts/login/",
        body=body,
        headers={
            "Host": "127.0.0.1",
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
        },
    )
    response = conn.getresponse()
    response.read()
    set_cookies(response.getheaders(), jar)
    conn.close()
    if response.status != 302 or "sessionid" not in jar:
        sys.exit(f"Login failed: {response.status}")
    return jar


def measure(
    port: int, paths: dict[str, tuple[str, dict[str, str]]], rounds: int
) -> dict[str, list[float]]:
    """Latency in ms of each path (with its session's cookies), `rounds` times, the paths taking
    turns so that any drift in the machine's load falls on all of them alike."""
    times: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(rounds):
        for name, (path, cookies) in paths.items():
            start = time.perf_counter()
            status, _headers, _body = request(port, "GET", path, cookies=cookies)
            times[name].append((time.perf_counter() - start) * 1000)
            if status != 200:
                sys.exit(f"{path} answered {status}")
    return times


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=30, help="untimed requests per page first")
    args = parser.parse_args()

    VAR.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{VAR / 'bench.sqlite3'}"
    configure(database_url)
    fresh_database(database_url)

    import django
    from django.core.management import call_command

    django.setup()
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    shutil.rmtree(VAR / "static", ignore_errors=True)
    call_command("collectstatic", verbosity=0, interactive=False)
    big_slug, big_email = build_project(
        "BIG",
        deliverables=2000,
        risks=300,
        work_packages=20,
        milestones=60,
        tenders=500,
        periods=6,
        entered=45,
        computed=5,
        events=2000,
    )
    small_slug, small_email = build_project(
        "SMALL",
        deliverables=20,
        risks=20,
        work_packages=2,
        milestones=5,
        tenders=5,
        periods=4,
        entered=2,
        computed=3,
        reporting=3,
        events=10,
    )
    from events.models import Attendance, Event
    from impact.models import DataQuery, Indicator, IndicatorValue

    def impact_sizes(slug: str) -> str:
        held = Event.objects.filter(project__slug=slug, status=Event.Status.HELD).count()
        return (
            f"{Indicator.objects.filter(project__slug=slug).count()} indicators, "
            f"{IndicatorValue.objects.filter(indicator__project__slug=slug).count():,} values, "
            f"{held:,} held events "
            f"({Attendance.objects.filter(event__project__slug=slug).count():,} with "
            f"attendance), {DataQuery.objects.filter(project__slug=slug).count()} open queries"
        )

    print(
        f"database: {connection.vendor} ({database_url.split('@')[-1]}), built in "
        f"{time.perf_counter() - started:.1f} s: BIG has 2,000 deliverables, 300 risks, "
        f"20 work packages, 60 milestones, 500 tenders, 6 periods, {impact_sizes(big_slug)}; "
        f"SMALL has 20, 20, 2, 5, 5, 4 periods, {impact_sizes(small_slug)} (3 partners report)"
    )

    german_email = german_reader(big_slug, big_email)
    big_counts = query_counts(big_slug, big_email)
    small_counts = query_counts(small_slug, small_email)
    german_counts = query_counts(big_slug, german_email)
    big_counts.update({f"{n} (de)": german_counts[n] for n in PAGES})
    small_counts.update({f"{n} (de)": small_counts[n] for n in PAGES})
    connection.close()

    port = free_port()
    log = VAR / "gunicorn.log"
    server = start_gunicorn(port, log)
    try:
        cookies = log_in(port, big_email)
        german = log_in(port, german_email)
        paths = {
            "trivial view": ("/bench/ping", cookies),
            **{n: (p.format(slug=big_slug), cookies) for n, p in PAGES.items()},
            # The same pages for a partner who reads German: translation on, every label looked
            # up in the German catalogue, dates in German formats.
            **{f"{n} (de)": (p.format(slug=big_slug), german) for n, p in PAGES.items()},
        }
        measure(port, paths, args.warmup)
        times = measure(port, paths, args.requests)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    base = statistics.median(times["trivial view"])
    print(
        f"gunicorn, 2 sync workers, DEBUG off; {args.requests} requests per page, one at a time, "
        f"after {args.warmup} to warm up"
    )
    print()
    print(
        f"{'page':<23} {'median ms':>10} {'p90 ms':>8} {'x trivial':>10}  "
        f"{'queries 2,000 rows':>18} {'20 rows':>8}"
    )
    for name, values in times.items():
        median = statistics.median(values)
        ratio = median / base
        verdict = (
            "" if name == "trivial view" else ("within 8x" if ratio <= TARGET_RATIO else "OVER 8x")
        )
        same = "equal" if big_counts[name] == small_counts[name] else "DIFFERENT"
        print(
            f"{name:<23} {median:>10.2f} {p90(values):>8.2f} {ratio:>9.1f}x  "
            f"{big_counts[name]:>18} {small_counts[name]:>8}  {verdict:<10} queries {same}"
        )
    print()
    # One line per figure, for tools: each page against the trivial view, and each page in German
    # against the same page in English (1.0: translation costs nothing measurable).
    for name, values in times.items():
        if name == "trivial view":
            continue
        print(f"ratio {slugify(name)} {statistics.median(values) / base:.2f}")
    for name in PAGES:
        german_over_english = statistics.median(times[f"{name} (de)"]) / statistics.median(
            times[name]
        )
        print(f"ratio {slugify(name)}_de_vs_en {german_over_english:.2f}")


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


if __name__ == "__main__":
    main()
