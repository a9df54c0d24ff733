"""Who may do what in the procurement register, as a matrix: every URL of the `procurement`
namespace x every member of the cast x GET and POST, with the expected answer written down for
each.

The URLs come from the resolver, so a URL added to procurement/urls.py without a row in EXPECTED
fails this test. POSTs carry valid data: a role that may act gets the redirect that follows a
successful change, which proves the permission is granted as well as refused. Each URL's objects
are made in the state its action needs (a submitted outcome for "validate"); each case runs in a
savepoint rolled back after it, so every case starts from the same state.

The tender is P3's municipality's, recorded by P3: `other_partner` (P3) keeps it with the
coordinator, `partner` (P2) and `observer` only read it. The local action plan is P3's; the good
practice was recorded by P2, so there `partner` keeps it and `other_partner` only reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import User
from events.models import Event
from procurement.evidence import add_outcome_evidence
from procurement.models import (
    ClauseOutcome,
    Contract,
    GoodPractice,
    LocalActionPlan,
    Lot,
    OutcomeEvidence,
    PlanAction,
    Reservation,
    SocialClause,
    Tender,
)
from projects.files import check_upload
from projects.models import Membership, Partner, Project, ReportingPeriod
from tests.events.factories import make_event
from tests.procurement.factories import (
    CPV_CLEANING,
    CPV_SOCIAL_WORK,
    make_action_plan,
    make_clause,
    make_clause_outcome,
    make_contract,
    make_good_practice,
    make_period,
    make_plan_action,
    make_tender,
)
from tests.projects.conftest import make_pdf

pytestmark = pytest.mark.django_db

ROLES = ("coordinator", "partner", "other_partner", "observer", "outsider", "anonymous")

# A real PDF (the upload's type is read from its content).
PDF = make_pdf("Payroll extract, June 2023")

# GET/POST answer for each member of the cast.
#   200 a page; 302 the redirect after a successful change; 403 a member whose role may not do
#   this; 404 not a member (the project is not revealed); 405 wrong method;
#   login: 302 to the login page (before anything else, for anonymous users).
EXPECTED = """
url name              coordinator partner  other_partner observer outsider anonymous
tender_list           200/405     200/405  200/405       200/405  404/405  login/login
tender_export         200/405     200/405  200/405       200/405  404/405  login/login
tender_create         200/302     200/302  200/302       403/403  404/404  login/login
tender_detail         200/405     200/405  200/405       200/405  404/405  login/login
tender_edit           200/302     403/403  200/302       403/403  404/404  login/login
tender_delete         200/302     403/403  200/302       403/403  404/404  login/login
lot_create            200/302     403/403  200/302       403/403  404/404  login/login
lot_edit              200/302     403/403  200/302       403/403  404/404  login/login
lot_delete            200/302     403/403  200/302       403/403  404/404  login/login
contract_edit         200/302     403/403  200/302       403/403  404/404  login/login
clause_create         200/302     403/403  200/302       403/403  404/404  login/login
clause_edit           200/302     403/403  200/302       403/403  404/404  login/login
clause_delete         200/302     403/403  200/302       403/403  404/404  login/login
outcome_create        200/302     403/403  200/302       403/403  404/404  login/login
outcome_edit          200/302     403/403  200/302       403/403  404/404  login/login
outcome_submit        405/302     405/403  405/302       405/403  405/404  login/login
outcome_validate      405/302     405/403  405/403       405/403  405/404  login/login
outcome_send_back     405/302     405/403  405/403       405/403  405/404  login/login
evidence_upload       405/302     405/403  405/302       405/403  405/404  login/login
evidence_download     200/405     200/405  200/405       200/405  404/405  login/login
procurement_summary   200/405     200/405  200/405       200/405  404/405  login/login
action_plan_list      200/405     200/405  200/405       200/405  404/405  login/login
action_plan_create    200/302     200/302  200/302       403/403  404/404  login/login
action_plan_detail    200/405     200/405  200/405       200/405  404/405  login/login
action_plan_edit      200/302     403/403  200/302       403/403  404/404  login/login
plan_action_create    200/302     403/403  200/302       403/403  404/404  login/login
plan_action_edit      200/302     403/403  200/302       403/403  404/404  login/login
good_practice_list    200/405     200/405  200/405       200/405  404/405  login/login
good_practice_create  200/302     200/302  200/302       403/403  404/404  login/login
good_practice_detail  200/405     200/405  200/405       200/405  404/405  login/login
good_practice_edit    200/302     200/302  403/403       403/403  404/404  login/login
"""


def parse_expected(table: str) -> dict[str, dict[str, tuple[str, str]]]:
    lines = [line.split() for line in table.strip().splitlines()]
    header, rows = lines[0], lines[1:]
    assert tuple(header[2:]) == ROLES, header
    expected = {}
    for row in rows:
        assert len(row) == 1 + len(ROLES), f"row {row[0]} needs one GET/POST pair per role"
        pairs = [cell.split("/") for cell in row[1:]]
        expected[row[0]] = {
            role: (get, post) for role, (get, post) in zip(ROLES, pairs, strict=True)
        }
    return expected


# --- the objects each case needs --------------------------------------------------------------


@dataclass
class World:
    """What one URL's cases act on, made afresh inside its transaction."""

    project: Project
    event: Event
    tender: Tender
    lot: Lot  # lot 1, awarded, with the clause
    spare_lot: Lot  # lot 2: no award, no clause, so it may be deleted
    contract: Contract
    clause: SocialClause
    period: ReportingPeriod  # RP1, the outcome's
    next_period: ReportingPeriod  # RP2, free for a new outcome
    outcome: ClauseOutcome | None
    evidence: OutcomeEvidence | None
    plan: LocalActionPlan
    action: PlanAction
    practice: GoodPractice


# The POST's data, from the world and the partner of the member who posts: a partner names only
# its own organisation as a plan's partner or a good practice's recorder.
Payload = Callable[[World, Partner | None], dict[str, Any]]


def no_data(world: World, own: Partner | None) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Scene:
    """The state a URL's cases start from, and the valid data its POST sends."""

    # "" for no outcome (nor evidence) on the clause.
    outcome_status: str = ClauseOutcome.Status.DRAFT
    payload: Payload = no_data


def _own_or(project: Project, own: Partner | None, number: int) -> int:
    """The poster's partner, or (for a member without one, refused anyway) partner `number`."""
    return own.pk if own is not None else project.partners.get(number=number).pk


def _tender_new(world: World, own: Partner | None) -> dict[str, Any]:
    # A partner's recorder is fixed to their own partner (the posted one is ignored).
    p3 = world.project.partners.get(number=3)
    return {
        "reference": "2023/099", "title": "Social services for the elderly",
        "authority": p3.organisation_id, "recorded_by": p3.pk,
        "cpv_codes": CPV_SOCIAL_WORK, "procedure": Tender.Procedure.LIGHT_REGIME,
        "estimated_value": "250000.00", "status": Tender.Status.PUBLISHED,
        "publication_date": "2023-02-15", "award_date": "", "notice_url": "",
        "work_package": "",
    }  # fmt: skip


def _tender_form(world: World, own: Partner | None) -> dict[str, Any]:
    t = world.tender
    return {
        "reference": t.reference, "title": "Cleaning of municipal buildings and schools",
        "authority": t.authority_id, "recorded_by": t.recorded_by_id,
        "cpv_codes": ", ".join(t.cpv_codes), "procedure": t.procedure,
        "estimated_value": str(t.estimated_value), "status": t.status,
        "publication_date": t.publication_date.isoformat() if t.publication_date else "",
        "award_date": "", "notice_url": "", "work_package": "",
        "version": t.version, "change_reason": "Schools added.",
    }  # fmt: skip


def _lot_form(number: int) -> Payload:
    return lambda w, own: {
        "number": number, "title": f"Cleaning of schools (lot {number})",
        "estimated_value": "45000.50", "reservation": Reservation.NONE,
    }  # fmt: skip


def _contract_form(world: World, own: Partner | None) -> dict[str, Any]:
    return {
        "supplier": world.contract.supplier_id, "new_supplier_name": "",
        "new_supplier_legal_name": "", "new_supplier_country": "", "new_supplier_kind": "",
        "supplier_type": Contract.SupplierType.WISE, "awarded_value": "96000.00",
        "start_date": "2023-06-01", "end_date": "2025-05-31",
    }  # fmt: skip


def _clause_form(world: World, own: Partner | None) -> dict[str, Any]:
    return {
        "lot": world.lot.pk, "stage": SocialClause.Stage.PERFORMANCE,
        "category": SocialClause.Category.DISABILITY_EMPLOYMENT, "is_mandatory": "on",
        "description": "Two persons with disabilities work on the contract throughout.",
        "weight_percent": "", "target_quantity": "2", "target_unit": SocialClause.Unit.PERSONS,
        "verification": "Payroll extracts every six months.",
        "status": SocialClause.Status.PLANNED, "sanction_note": "",
    }  # fmt: skip


def _outcome_figures(period: ReportingPeriod) -> dict[str, Any]:
    """Two people, both with disabilities, one woman and one man, 1.5 FTE: it adds up."""
    return {
        "period": period.pk, "achieved": "2", "headcount": "2", "fte": "1.5",
        "women": "1", "men": "1", "gender_other": "0",
        "with_disabilities": "2", "other_disadvantaged": "0", "group_other": "0",
        "note": "From the supplier's payroll.",
    }  # fmt: skip


def _version(world: World, own: Partner | None) -> dict[str, Any]:
    assert world.outcome is not None
    return {"version": world.outcome.version}


def _evidence_file(world: World, own: Partner | None) -> dict[str, Any]:
    # A new file for each POST: the client reads it to the end.
    return {"file": SimpleUploadedFile("Payroll_June.pdf", PDF, "application/pdf")}


def _plan_form(world: World, own: Partner | None) -> dict[str, Any]:
    return {
        "title": "Voorbeeld local action plan for SRPP", "partner": world.plan.partner_id,
        "adopted_at": world.event.pk, "adopted_on": "2023-05-10",
        "summary": "Reserve two contracts a year.", "version": world.plan.version,
    }  # fmt: skip


def _plan_new(world: World, own: Partner | None) -> dict[str, Any]:
    form = _plan_form(world, own)
    del form["version"]
    return {**form, "title": "Our SRPP plan", "partner": _own_or(world.project, own, 3)}


def _action_form(number: int) -> Payload:
    return lambda w, own: {
        "number": number, "what": "Reserve the catering contract for sheltered workshops.",
        "responsible_body": "Procurement office", "due_month": "6",
        "status": PlanAction.Status.PLANNED, "tender": w.tender.pk,
        "good_practices": [w.practice.pk],
    }  # fmt: skip


def _practice_form(world: World, own: Partner | None) -> dict[str, Any]:
    p = world.practice
    return {
        "title": p.title, "country": "ES", "contracting_authority": p.contracting_authority,
        "sector": p.sector, "stage": p.stage,
        "instruments": [GoodPractice.Instrument.LOTS, GoodPractice.Instrument.RESERVED_CONTRACT],
        "results": p.results, "source": "", "found_at": world.event.pk,
        "recorded_by": p.recorded_by_id,
    }  # fmt: skip


def _practice_new(world: World, own: Partner | None) -> dict[str, Any]:
    form = _practice_form(world, own)
    return {**form, "title": "Social catering", "recorded_by": _own_or(world.project, own, 2)}


SUBMITTED = ClauseOutcome.Status.SUBMITTED

SCENES: dict[str, Scene] = {
    "tender_create": Scene(payload=_tender_new),
    "tender_edit": Scene(payload=_tender_form),
    # A tender without validated outcomes may be deleted (with its draft outcome).
    "tender_delete": Scene(),
    "lot_create": Scene(payload=_lot_form(3)),
    "lot_edit": Scene(payload=_lot_form(1)),
    "lot_delete": Scene(),  # lot 2
    "contract_edit": Scene(payload=_contract_form),
    "clause_create": Scene(payload=_clause_form),
    "clause_edit": Scene(payload=_clause_form),
    # A clause with no outcome reported may be deleted.
    "clause_delete": Scene(outcome_status=""),
    "outcome_create": Scene(payload=lambda w, own: _outcome_figures(w.next_period)),
    "outcome_edit": Scene(
        payload=lambda w, own: {**_outcome_figures(w.period), **_version(w, own)}
    ),
    "outcome_submit": Scene(payload=_version),
    "outcome_validate": Scene(outcome_status=SUBMITTED, payload=_version),
    "outcome_send_back": Scene(
        outcome_status=SUBMITTED,
        payload=lambda w, own: {**_version(w, own), "comment": "Add the payroll of June."},
    ),
    "evidence_upload": Scene(payload=_evidence_file),
    "action_plan_create": Scene(payload=_plan_new),
    "action_plan_edit": Scene(payload=_plan_form),
    "plan_action_create": Scene(payload=_action_form(2)),
    "plan_action_edit": Scene(payload=_action_form(1)),
    "good_practice_create": Scene(payload=_practice_new),
    "good_practice_edit": Scene(payload=_practice_form),
}


def build_world(project: Project, scene: Scene) -> World:
    other_partner = User.objects.get(email="other.partner@example.org")
    event = make_event(project, title="Local roundtable in Voorbeeld", kind=Event.Kind.ROUNDTABLE)
    tender = make_tender(project, lots=2, cpv_codes=[CPV_CLEANING])
    lot, spare_lot = tender.lots.get(number=1), tender.lots.get(number=2)
    contract = make_contract(lot, start_date=dt.date(2023, 6, 1))
    clause = make_clause(tender, lot=lot)
    period = make_period(project)
    next_period = make_period(project, number=2, start_month=10, end_month=18)
    outcome = evidence = None
    if scene.outcome_status:
        outcome = make_clause_outcome(clause, period, status=scene.outcome_status)
        upload = SimpleUploadedFile("Payroll_May.pdf", PDF, "application/pdf")
        evidence = add_outcome_evidence(outcome, check_upload(upload), by=other_partner)
    plan = make_action_plan(project, adopted_at=event, adopted_on=dt.date(2023, 5, 10))
    action = make_plan_action(plan)
    practice = make_good_practice(project)
    return World(
        project, event, tender, lot, spare_lot, contract, clause, period, next_period, outcome,
        evidence, plan, action, practice,
    )  # fmt: skip


def url_kwargs(name: str, converters: list[str], world: World) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    for key in converters:
        if key == "slug":
            kwargs[key] = world.project.slug
        elif key == "fmt":
            kwargs[key] = "xlsx"
        elif key == "pk" and name.startswith(("action_plan_", "plan_action_")):
            kwargs[key] = world.plan.pk
        elif key == "pk" and name.startswith("good_practice_"):
            kwargs[key] = world.practice.pk
        elif key == "pk":
            kwargs[key] = world.tender.pk
        elif key == "number" and name.startswith("plan_action_"):
            kwargs[key] = world.action.number
        elif key == "number":
            kwargs[key] = (world.spare_lot if name == "lot_delete" else world.lot).number
        elif key == "clause_pk":
            kwargs[key] = world.clause.pk
        elif key == "outcome_pk" and world.outcome is not None:
            kwargs[key] = world.outcome.pk
        elif key == "evidence_pk" and world.evidence is not None:
            kwargs[key] = world.evidence.pk
        else:
            raise AssertionError(f"{name}: the matrix does not know how to fill <{key}>")
    return kwargs


def procurement_url_patterns() -> dict[str, URLPattern]:
    """Every named URL of the `procurement` namespace, from the resolver (includes followed)."""
    _prefix, resolver = get_resolver().namespace_dict["procurement"]
    found: dict[str, URLPattern] = {}

    def walk(patterns: list[Any]) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            else:
                # An unnamed URL cannot be in the table, so it shows up as missing.
                found[pattern.name or f"<unnamed {pattern.pattern}>"] = pattern

    walk(resolver.url_patterns)
    return found


def describe(response: Any) -> str:
    """The answer as the table writes it."""
    if response.status_code == 302:
        login = reverse("account_login")
        return "login" if response["Location"].startswith(login + "?next=") else "302"
    return str(response.status_code)


def own_partner(user: User | None, project: Project) -> Partner | None:
    if user is None:
        return None
    membership = Membership.objects.filter(user=user, project=project).first()
    return membership.partner if membership is not None else None


@pytest.fixture
def private_media(settings: Any, tmp_path: Path) -> Path:
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": None},
        },
    }
    return tmp_path


def test_every_procurement_url_is_in_the_table() -> None:
    assert set(procurement_url_patterns()) == set(parse_expected(EXPECTED))


def test_every_url_answers_every_member_as_the_table_says(
    project: Project,
    coordinator: User,
    partner: User,
    other_partner: User,
    observer: User,
    outsider: User,
    private_media: Path,
    django_capture_on_commit_callbacks: Any,
    record_property: Callable[[str, object], None],
) -> None:
    expected = parse_expected(EXPECTED)
    patterns = procurement_url_patterns()
    assert set(patterns) == set(expected), "add the missing URLs to EXPECTED (or remove stale rows)"

    users: dict[str, User | None] = {
        "coordinator": coordinator,
        "partner": partner,
        "other_partner": other_partner,
        "observer": observer,
        "outsider": outsider,
        "anonymous": None,
    }
    own = {role: own_partner(user, project) for role, user in users.items()}
    mismatches: list[str] = []
    checked = 0
    # Nothing runs after a commit (a deleted tender's evidence files stay): the callbacks of
    # each case are caught, not run.
    with django_capture_on_commit_callbacks(execute=False):
        for name, pattern in sorted(patterns.items()):
            scene = SCENES.get(name, Scene())
            with transaction.atomic():
                world = build_world(project, scene)
                kwargs = url_kwargs(name, list(pattern.pattern.converters), world)
                url = reverse(f"procurement:{name}", kwargs=kwargs)
                for role in ROLES:
                    for method, want in zip(("GET", "POST"), expected[name][role], strict=True):
                        with transaction.atomic():
                            client = Client()
                            if (user := users[role]) is not None:
                                client.force_login(user)
                            if method == "GET":
                                response = client.get(url)
                            else:
                                response = client.post(url, scene.payload(world, own[role]))
                            if hasattr(response, "streaming_content"):
                                # Read to the end: the test client then closes the response
                                # without request_finished closing the test's database
                                # connection (response.close() would, on PostgreSQL).
                                b"".join(response.streaming_content)
                            transaction.set_rollback(True)
                        checked += 1
                        if (got := describe(response)) != want:
                            mismatches.append(
                                f"{method} {name} as {role}: expected {want}, got {got}"
                            )
                transaction.set_rollback(True)

    record_property("access_matrix", f"procurement access matrix: {checked} cases checked")
    assert checked == len(expected) * len(ROLES) * 2
    assert not mismatches, "\n".join(mismatches)
