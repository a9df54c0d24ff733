"""The demo's story as the files in demo/data/ tell it, read into typed records.

Each file is TOML with named fields (read by the standard library's tomllib). A table becomes the
record class named for it below: a key the record does not have, a missing field or a value of the
wrong type stops the reading with the file and the key, so a typo in the story cannot pass
unnoticed. Choice fields hold the models' stored values ("in_preparation", "roundtable"), checked
by the models' own full_clean() when demo/loader.py replays the story. Times of day and dates
without a zone are on the calendar of `Plan.time_zone`; an event's own start and end are on the
clock of its place (`EventRecord.time_zone`).

An event may name a `template` from events.toml's [templates]: it takes the template's fields,
with "{city}" in them replaced by its own city, and adds or overrides its own.

An amount (EUR, FTE, a weight in per cent) is a `Decimal`: an integer or a string of digits in
TOML ("1.50"), never a float, which would round it on the way in.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import tomllib
import types
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args, get_origin, get_type_hints

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

DATA = Path(__file__).with_name("data")


class StoryError(ValueError):
    """A data file says something the demo cannot read."""


# --------------------------------------------------------------------------------------------
# The consortium: organisations.toml, people.toml, project.toml
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PartnerRecord:
    number: int
    short_name: str
    legal_name: str
    country: str
    kind: str
    pic: str
    role: str


@dataclass(frozen=True, kw_only=True)
class Organisations:
    partners: tuple[PartnerRecord, ...]


@dataclass(frozen=True, kw_only=True)
class Person:
    key: str
    email: str
    full_name: str
    role: str | None = None  # in the project; none for the site administrator
    partner: str | None = None  # a partner's short name
    affiliation: str = ""  # shown in the list of logins for someone who is no partner's staff
    is_site_admin: bool = False


@dataclass(frozen=True, kw_only=True)
class People:
    password: str
    joined_at: dt.datetime
    people: tuple[Person, ...]


@dataclass(frozen=True, kw_only=True)
class ProjectRecord:
    acronym: str
    slug: str
    title: str
    programme: str
    grant_agreement_number: str
    start_date: dt.date
    duration_months: int
    website: str
    summary: str


@dataclass(frozen=True, kw_only=True)
class WorkPackageRecord:
    number: int
    title: str
    lead: str
    start_month: int
    end_month: int
    objectives: str


@dataclass(frozen=True, kw_only=True)
class ReportingPeriodRecord:
    number: int
    start_month: int
    end_month: int
    report_due_date: dt.date
    accepted_on: dt.date | None = None  # the funder accepted the report: the period is locked


@dataclass(frozen=True, kw_only=True)
class Plan:
    time_zone: str
    plan_imported_at: dt.datetime
    project: ProjectRecord
    work_packages: tuple[WorkPackageRecord, ...]
    reporting_periods: tuple[ReportingPeriodRecord, ...]


# --------------------------------------------------------------------------------------------
# Deliverables, milestones, risks: deliverables.toml, milestones.toml, risks.toml
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Step:
    """Something that happened to a deliverable `on` a day, done `by` a person."""

    on: dt.date
    action: str  # start, progress, review, changes, approve or submit
    by: str
    percent: int | None = None  # progress
    note: str = ""  # progress
    comment: str = ""  # changes
    justification: str = ""  # submit, when late


@dataclass(frozen=True, kw_only=True)
class DeliverableRecord:
    number: str
    title: str
    lead: str
    type: str
    dissemination: str
    due_month: int
    description: str
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Deliverables:
    step_times: dict[str, dt.time]
    deliverables: tuple[DeliverableRecord, ...]


@dataclass(frozen=True, kw_only=True)
class MilestoneRecord:
    number: str
    title: str
    work_packages: tuple[int, ...]
    due_month: int
    means_of_verification: str
    achieved_on: dt.date | None = None
    recorded_on: dt.date | None = None  # the day the coordinator marked it achieved
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class Milestones:
    recorded_at: dt.time
    milestones: tuple[MilestoneRecord, ...]


@dataclass(frozen=True, kw_only=True)
class RiskReviewRecord:
    on: dt.date
    by: str
    likelihood: str  # low, medium or high
    impact: str
    status: str
    note: str


@dataclass(frozen=True, kw_only=True)
class RiskRecord:
    title: str
    category: str
    work_packages: tuple[int, ...]
    owner: str
    raised_on: dt.date
    raised_by: str
    likelihood: str
    impact: str
    description: str
    mitigation: str
    reviews: tuple[RiskReviewRecord, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Risks:
    raised_at: dt.time
    reviewed_at: dt.time
    risks: tuple[RiskRecord, ...]


# --------------------------------------------------------------------------------------------
# Events: events.toml
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AgendaSlot:
    minutes: int  # after the event's start; a multi-day event counts on
    title: str
    session_type: str
    speakers: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class AttendanceRecord:
    """Aggregate counts, named as the fields of events.models.Attendance."""

    total: int
    in_person: int | None = None
    online: int | None = None
    public_authorities: int | None = None
    social_economy: int | None = None
    companies: int | None = None
    dpo: int | None = None  # organisations of persons with disabilities
    experts: int | None = None
    other_stakeholders: int | None = None
    women: int | None = None
    men: int | None = None
    other_gender: int | None = None
    by_country: dict[str, int] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class OutcomeRecord:
    kind: str  # decision or action
    text: str
    owner: str | None = None  # a partner's short name
    due_date: dt.date | None = None
    done_on: dt.date | None = None  # none: still open


@dataclass(frozen=True, kw_only=True)
class MaterialRecord:
    kind: str
    title: str
    url: str


@dataclass(frozen=True, kw_only=True)
class Postponement:
    """The event was first planned for `planned_start`..`planned_end`, postponed, then moved."""

    planned_start: dt.datetime
    planned_end: dt.datetime
    postponed_on: dt.date
    reason: str
    rescheduled_on: dt.date
    rescheduled_reason: str


@dataclass(frozen=True, kw_only=True)
class EventRecord:
    key: str
    kind: str
    title: str
    format: str
    organiser: str  # a partner's short name; its staff record the event
    work_package: int | None = None
    time_zone: str
    start: dt.datetime  # the wall-clock time at the event
    end: dt.datetime
    venue: str = ""
    city: str = ""
    country: str = ""
    description: str = ""
    registration_url: str = ""
    recording_url: str = ""
    announced_on: dt.date | None = None  # default: EventCalendar.announced_days_before
    postponed: Postponement | None = None
    agenda: tuple[AgendaSlot, ...] = ()
    attendance: AttendanceRecord | None = None
    outcomes: tuple[OutcomeRecord, ...] = ()
    materials: tuple[MaterialRecord, ...] = ()


@dataclass(frozen=True, kw_only=True)
class EventCalendar:
    """When the things that happen to every event are recorded, counted from the event."""

    recorded_at: dt.time
    announced_days_before: int
    held_days_after_end: int
    attendance_days_after_held: int
    materials_days_after_held: int


@dataclass(frozen=True, kw_only=True)
class CommunityWebinar:
    """An event placed relative to the day the demo is loaded, once the project is over."""

    kind: str
    title: str
    format: str
    organiser: str
    work_package: int | None = None
    time_zone: str
    registration_url: str = ""
    description: str = ""
    days_ahead: int
    starts: dt.time
    ends: dt.time
    announced_days_before: int
    agenda: tuple[AgendaSlot, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Events:
    calendar: EventCalendar
    events: tuple[EventRecord, ...]
    community_webinar: CommunityWebinar


# --------------------------------------------------------------------------------------------
# Conference reports: reports.toml
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RecommendationRecord:
    audience: str
    text: str


@dataclass(frozen=True, kw_only=True)
class ReportRecord:
    event: str  # an event's key
    written_on: dt.date
    submitted_on: dt.date | None = None
    published_on: dt.date | None = None
    summary: str
    key_messages: tuple[str, ...] = ()
    success_stories: str = ""
    challenges: str = ""
    lessons_learned: str = ""
    next_steps: str = ""
    recommendations: tuple[RecommendationRecord, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ReportTimes:
    written_at: dt.time
    submitted_at: dt.time
    published_at: dt.time
    last_change_at: dt.time


@dataclass(frozen=True, kw_only=True)
class Reports:
    times: ReportTimes
    reports: tuple[ReportRecord, ...]


# --------------------------------------------------------------------------------------------
# The social procurement register: procurement.toml
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SupplierRecord:
    """An organisation that won a contract: no partner, so it is named here once."""

    key: str
    legal_name: str
    short_name: str
    country: str
    kind: str  # an Organisation.Kind value


@dataclass(frozen=True, kw_only=True)
class LotRecord:
    number: int
    title: str
    estimated_value: Decimal | None = None
    reservation: str = "none"  # a Reservation value


@dataclass(frozen=True, kw_only=True)
class ClauseOutcomeRecord:
    """What a clause delivered in one reporting period, as the partner reported it: entered and
    submitted on `submitted_on` by the tender's partner, validated by the coordinator."""

    period: int  # a reporting period's number
    achieved: Decimal
    headcount: int | None = None
    fte: Decimal | None = None
    women: int | None = None
    men: int | None = None
    gender_other: int | None = None
    with_disabilities: int | None = None
    other_disadvantaged: int | None = None
    group_other: int | None = None
    note: str = ""
    submitted_on: dt.date
    validated_on: dt.date | None = None


@dataclass(frozen=True, kw_only=True)
class ClauseRecord:
    lot: int | None = None  # none: the whole tender
    stage: str
    category: str
    is_mandatory: bool = True
    description: str
    weight_percent: Decimal | None = None
    target_quantity: Decimal | None = None
    target_unit: str = "persons"
    verification: str = ""
    outcomes: tuple[ClauseOutcomeRecord, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ContractRecord:
    lot: int
    supplier: str  # a supplier's key
    supplier_type: str  # a Contract.SupplierType value
    awarded_value: Decimal
    start_date: dt.date
    end_date: dt.date | None = None
    declared_share: Decimal | None = None
    share_evidence: str = ""


@dataclass(frozen=True, kw_only=True)
class AwardRecord:
    date: dt.date  # the award decision
    recorded_on: dt.date  # the day the partner put it in the register
    contracts: tuple[ContractRecord, ...]


@dataclass(frozen=True, kw_only=True)
class TenderRecord:
    reference: str
    title: str
    authority: str  # a partner's short name: its organisation runs the procedure
    recorded_by: str  # a partner's short name: its staff keep the record
    work_package: int | None = None
    cpv_codes: tuple[str, ...]
    procedure: str  # a Tender.Procedure value
    estimated_value: Decimal | None = None
    publication_date: dt.date
    notice_url: str = ""
    recorded_on: dt.date  # on or after the publication
    lots: tuple[LotRecord, ...]
    clauses: tuple[ClauseRecord, ...] = ()
    award: AwardRecord | None = None


@dataclass(frozen=True, kw_only=True)
class PlanActionRecord:
    number: int
    what: str
    responsible_body: str
    due_month: int | None = None
    status: str = "planned"  # a PlanAction.Status value, as the plan was recorded
    done_on: dt.date | None = None  # the action was marked done that day
    tender: str | None = None  # a tender's reference, recorded before the plan
    good_practices: tuple[str, ...] = ()  # good practices' keys


@dataclass(frozen=True, kw_only=True)
class ActionPlanRecord:
    partner: str
    title: str
    adopted_at: str  # an event's key: the roundtable that adopted the plan
    adopted_on: dt.date
    recorded_on: dt.date
    summary: str
    actions: tuple[PlanActionRecord, ...]


@dataclass(frozen=True, kw_only=True)
class GoodPracticeRecord:
    key: str
    title: str
    country: str
    contracting_authority: str
    sector: str
    stage: str  # a GoodPractice.Stage value
    instruments: tuple[str, ...]  # GoodPractice.Instrument values
    results: str
    source: str = ""
    found_at: str  # an event's key
    recorded_by: str  # a partner's short name
    recorded_on: dt.date


@dataclass(frozen=True, kw_only=True)
class ProcurementTimes:
    recorded_at: dt.time
    submitted_at: dt.time
    validated_at: dt.time


@dataclass(frozen=True, kw_only=True)
class Procurement:
    times: ProcurementTimes
    suppliers: tuple[SupplierRecord, ...]
    good_practices: tuple[GoodPracticeRecord, ...]
    tenders: tuple[TenderRecord, ...]
    action_plans: tuple[ActionPlanRecord, ...]


# --------------------------------------------------------------------------------------------
# Impact indicators and data quality: impact.toml
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PartnerTargetRecord:
    partner: str  # a partner's short name
    target: Decimal


@dataclass(frozen=True, kw_only=True)
class IndicatorRecord:
    """An indicator as the coordinator defined it on `defined_on`; a computed one names its
    `measure` (and `event_kind`), an entered one the partners that report it."""

    code: str
    name: str
    definition: str
    unit: str  # an Indicator.Unit value
    kind: str = "output"  # an Indicator.Kind value
    work_package: int | None = None
    responsible: str | None = None  # a partner's short name
    baseline: Decimal | None = None
    target: Decimal | None = None
    target_month: int | None = None
    source: str = "entered"  # an Indicator.Source value
    measure: str = ""  # an Indicator.Measure value
    event_kind: str = ""  # an Event.Kind value
    disaggregations: tuple[str, ...] = ()  # Indicator.Disaggregation values
    requires_evidence: bool = False
    reporting_partners: tuple[str, ...] = ()  # partners' short names
    partner_targets: tuple[PartnerTargetRecord, ...] = ()
    esf_code: str = ""
    toms_code: str = ""
    sdg_target: str = ""
    defined_on: dt.date


@dataclass(frozen=True, kw_only=True)
class IndicatorValueRecord:
    """A partner's figure for an entered indicator in one period: entered and submitted by the
    partner's staff, validated by the coordinator (none: still waiting)."""

    indicator: str  # an indicator's code
    partner: str
    period: int  # a reporting period's number
    value: Decimal
    headcount: int | None = None
    women: int | None = None
    men: int | None = None
    gender_other: int | None = None
    with_disabilities: int | None = None
    other_disadvantaged: int | None = None
    group_other: int | None = None
    data_source: str = ""
    collection_method: str = ""
    note: str = ""
    entered_on: dt.date
    submitted_on: dt.date | None = None
    validated_on: dt.date | None = None


@dataclass(frozen=True, kw_only=True)
class QueryAnswerRecord:
    on: dt.date
    text: str


@dataclass(frozen=True, kw_only=True)
class DataQueryRecord:
    """The coordinator's question about one value (named by indicator, partner and period),
    assigned to the value's partner; answered by its staff, or still open."""

    indicator: str
    partner: str
    period: int
    check_code: str = ""  # the check whose finding it is; empty: the coordinator's own
    raised_on: dt.date
    question: str
    answer: QueryAnswerRecord | None = None


@dataclass(frozen=True, kw_only=True)
class ImpactTimes:
    defined_at: dt.time
    entered_at: dt.time
    submitted_at: dt.time
    validated_at: dt.time
    raised_at: dt.time
    answered_at: dt.time


@dataclass(frozen=True, kw_only=True)
class Impact:
    times: ImpactTimes
    indicators: tuple[IndicatorRecord, ...]
    values: tuple[IndicatorValueRecord, ...]
    queries: tuple[DataQueryRecord, ...] = ()


# --------------------------------------------------------------------------------------------
# The whole story
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Story:
    partners: tuple[PartnerRecord, ...]
    people: People
    plan: Plan
    deliverables: Deliverables
    milestones: Milestones
    risks: Risks
    events: Events
    reports: Reports
    procurement: Procurement
    impact: Impact


FILES = (
    "organisations.toml",
    "people.toml",
    "project.toml",
    "deliverables.toml",
    "milestones.toml",
    "risks.toml",
    "events.toml",
    "reports.toml",
    "procurement.toml",
    "impact.toml",
)


@functools.cache
def read_story() -> Story:
    """The story of demo/data/, read once per process."""
    tables = {name: read_table(name) for name in FILES}
    events = dict(tables["events.toml"])
    templates = events.pop("templates", {})
    events["events"] = [_apply_template(event, templates) for event in events.get("events", [])]
    return Story(
        partners=record_from_table(
            Organisations, tables["organisations.toml"], "organisations.toml"
        ).partners,
        people=record_from_table(People, tables["people.toml"], "people.toml"),
        plan=record_from_table(Plan, tables["project.toml"], "project.toml"),
        deliverables=record_from_table(
            Deliverables, tables["deliverables.toml"], "deliverables.toml"
        ),
        milestones=record_from_table(Milestones, tables["milestones.toml"], "milestones.toml"),
        risks=record_from_table(Risks, tables["risks.toml"], "risks.toml"),
        events=record_from_table(Events, events, "events.toml"),
        reports=record_from_table(Reports, tables["reports.toml"], "reports.toml"),
        procurement=record_from_table(Procurement, tables["procurement.toml"], "procurement.toml"),
        impact=record_from_table(Impact, tables["impact.toml"], "impact.toml"),
    )


def read_table(name: str) -> dict[str, Any]:
    """One data file as tomllib reads it."""
    with (DATA / name).open("rb") as file:
        return tomllib.load(file)


def _apply_template(event: dict[str, Any], templates: Mapping[str, Any]) -> dict[str, Any]:
    if "template" not in event:
        return event
    own = {key: value for key, value in event.items() if key != "template"}
    try:
        template = templates[event["template"]]
    except KeyError:
        raise StoryError(f"events.toml: event {own.get('key')!r} names no known template") from None
    return {**_fill(template, city=str(own.get("city", ""))), **own}


def _fill(value: Any, *, city: str) -> Any:
    """`value` with "{city}" replaced in every string in it."""
    if isinstance(value, str):
        return value.replace("{city}", city)
    if isinstance(value, list):
        return [_fill(item, city=city) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, city=city) for key, item in value.items()}
    return value


def record_from_table[R: DataclassInstance](cls: type[R], table: Any, where: str) -> R:
    """`table` as a `cls` (a dataclass): its keys must be the record's fields."""
    if not isinstance(table, dict):
        raise StoryError(f"{where}: expected a table, got {table!r}")
    hints = get_type_hints(cls)
    fields = {field.name: field for field in dataclasses.fields(cls)}
    unknown = sorted(set(table) - set(fields))
    if unknown:
        raise StoryError(f"{where}: unknown field {', '.join(unknown)}")
    missing = sorted(
        name
        for name, field in fields.items()
        if name not in table
        and field.default is dataclasses.MISSING
        and field.default_factory is dataclasses.MISSING
    )
    if missing:
        raise StoryError(f"{where}: missing field {', '.join(missing)}")
    values = {
        name: _convert(hints[name], value, f"{where}.{name}") for name, value in table.items()
    }
    return cls(**values)


def _convert(hint: Any, value: Any, where: str) -> Any:
    origin = get_origin(hint)
    if origin is types.UnionType:  # X | None: TOML has no null, so the value is an X
        (inner,) = (arg for arg in get_args(hint) if arg is not type(None))
        return _convert(inner, value, where)
    if origin is tuple:
        if not isinstance(value, list):
            raise StoryError(f"{where}: expected a list, got {value!r}")
        item = get_args(hint)[0]
        return tuple(_convert(item, v, f"{where}[{i}]") for i, v in enumerate(value))
    if origin is dict:
        if not isinstance(value, dict):
            raise StoryError(f"{where}: expected a table, got {value!r}")
        _, item = get_args(hint)
        return {key: _convert(item, v, f"{where}.{key}") for key, v in value.items()}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return record_from_table(hint, value, where)
    if hint is Decimal:
        return _decimal(value, where)
    # tomllib reads a date-time as a datetime, which is also a date: tell them apart.
    wrong = not isinstance(value, hint) or (
        (hint is int and isinstance(value, bool))
        or (hint is dt.date and isinstance(value, dt.datetime))
    )
    if wrong:
        raise StoryError(f"{where}: expected {hint.__name__}, got {value!r}")
    return value


def _decimal(value: Any, where: str) -> Decimal:
    """An amount: an integer, or a string of digits ("1.50"); a float would be rounded."""
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, str):
        try:
            amount = Decimal(value)
        except InvalidOperation:
            pass
        else:
            if amount.is_finite():
                return amount
    raise StoryError(f"{where}: expected an amount (an integer or a string), got {value!r}")
