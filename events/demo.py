"""The CO-RESP demo project's events: the social economy mission, the nine local roundtables in
Dobrich, Gleisdorf and Marina de Cudeyo, the transnational project meeting and the final
conference in Brussels, and (once the project is over) a community of practice webinar.

`load_events_demo(project, today=...)` is called by `manage.py load_demo` after projects/demo.py
has built the consortium. It finds partners by their organisations' short names and replays what
had happened by `today`: an event that ended by then is held and has its attendance and outcomes;
one still ahead is planned. Each change is recorded in the history on the day it happened, by
the person who made it. Nothing is random: the same `today` always gives the same data.

Speakers are named by their role and organisation, never by a person's name: the demo invents
no people. Attendance is aggregate counts only, as everywhere on the platform.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import transaction

from accounts.models import User
from events.models import AgendaItem, Attendance, Event, Material, Outcome
from projects.models import Membership, Partner, Project, WorkPackage

S = AgendaItem.SessionType
K = Event.Kind
D = dt.date


@dataclass(frozen=True)
class Slot:
    """An agenda item, `minutes` after the event's start (a multi-day event counts on)."""

    minutes: int
    title: str
    session_type: str
    speakers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Action:
    """An outcome: an action item (with an owner) or a decision."""

    text: str
    owner: str | None = None  # organisation short name
    due: dt.date | None = None
    done_on: dt.date | None = None  # None: still open
    kind: str = Outcome.Kind.ACTION


@dataclass(frozen=True)
class Counts:
    total: int
    in_person: int | None = None
    online: int | None = None
    # public authorities, social economy, companies, organisations of persons with
    # disabilities, procurement experts, other (Attendance.STAKEHOLDER_FIELDS)
    stakeholders: tuple[int, int, int, int, int, int] | None = None
    genders: tuple[int, int, int] | None = None  # women, men, other or not stated
    countries: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class EventSpec:
    key: str
    kind: str
    title: str
    organiser: str  # organisation short name
    work_package: int | None
    zone: str
    start: dt.datetime  # naive: the wall-clock time at the event
    end: dt.datetime
    venue: str = ""
    city: str = ""
    country: str = ""
    format: str = Event.Format.IN_PERSON
    description: str = ""
    registration_url: str = ""
    recording_url: str = ""
    agenda: tuple[Slot, ...] = ()
    attendance: Counts | None = None
    outcomes: tuple[Action, ...] = ()
    links: tuple[tuple[str, str, str], ...] = ()  # (Material.Kind, title, url)
    announced: dt.date | None = None  # added to the platform on; default four weeks before
    # First planned for (start, end), then moved on `day` for `reason`.
    moved_from: tuple[dt.datetime, dt.datetime, dt.date, str] | None = None


T = dt.datetime

# --------------------------------------------------------------------------------------------
# Local roundtables (WP3): three sessions in each pilot municipality
# --------------------------------------------------------------------------------------------

ROUNDTABLE_SESSIONS = (
    (
        "mapping the contracts",
        "Which of the municipality's contracts could employ people from the target groups, and "
        "which local social enterprises could deliver them.",
        (
            Slot(0, "Welcome by the municipality", S.WELCOME, ("Mayor's office, {place}",)),
            Slot(
                15,
                "Social clauses and reserved contracts under the 2014 procurement directive",
                S.PRESENTATION,
                ("Project officer, NASO",),
            ),
            Slot(
                45,
                "The social economy around us: who supplies what",
                S.PRESENTATION,
                ("Researcher, ZfSW",),
            ),
            Slot(90, "Coffee break", S.BREAK),
            Slot(105, "Picking the contracts to work on", S.WORKSHOP),
            Slot(195, "Conclusions and the next session", S.CLOSING),
        ),
    ),
    (
        "social clauses and reserved lots",
        "Drafting clauses and lots for the contracts chosen in the first session, with the "
        "employers and social enterprises that would deliver them.",
        (
            Slot(0, "What we chose last time", S.WELCOME, ("Project officer, NASO",)),
            Slot(
                15,
                "How a hiring clause is checked in practice",
                S.PANEL,
                ("Public procurement department, {place}", "Policy advisor, EUCIE"),
            ),
            Slot(75, "Coffee break", S.BREAK),
            Slot(90, "Drafting clauses and lots in small groups", S.WORKSHOP),
            Slot(195, "Round-up", S.CLOSING),
        ),
    ),
    (
        "targets for the action plan",
        "Agreeing the targets, the contracts and the monitoring of the local action plan.",
        (
            Slot(0, "Where we stand", S.WELCOME, ("Project officer, NASO",)),
            Slot(15, "Targets, and how to measure them", S.DISCUSSION),
            Slot(90, "Coffee break", S.BREAK),
            Slot(105, "The local action plan: who does what, by when", S.WORKSHOP),
            Slot(195, "Commitments and closing", S.CLOSING, ("Mayor's office, {place}",)),
        ),
    ),
)


def _roundtables(
    *,
    place: str,
    organiser: str,
    zone: str,
    venue: str,
    country: str,
    starts: tuple[T, T, T],
    counts: tuple[Counts, Counts, Counts],
    moved_from: tuple[T, T, D, str] | None = None,
) -> list[EventSpec]:
    """The three roundtable sessions of one pilot municipality, 3.5 hours each."""
    specs = []
    for n, (start, (topic, description, agenda), attendance) in enumerate(
        zip(starts, ROUNDTABLE_SESSIONS, counts, strict=True), start=1
    ):
        outcomes: tuple[Action, ...] = ()
        if n == 3:
            outcomes = (
                Action(
                    f"The roundtable agreed the targets of the local action plan of {place}.",
                    kind=Outcome.Kind.DECISION,
                ),
                Action(
                    f"Write the local action plan of {place} from the roundtable's conclusions "
                    "and put it to the council.",
                    owner=organiser,
                    due=start.date() + dt.timedelta(days=60),
                    done_on=start.date() + dt.timedelta(days=55),
                ),
            )
        specs.append(
            EventSpec(
                key=f"{place}-{n}",
                kind=K.ROUNDTABLE,
                title=f"Local roundtable in {place} ({n} of 3): {topic}",
                organiser=organiser,
                work_package=3,
                zone=zone,
                start=start,
                end=start + dt.timedelta(minutes=210),
                venue=venue,
                city=place,
                country=country,
                description=description,
                agenda=tuple(
                    Slot(
                        s.minutes,
                        s.title,
                        s.session_type,
                        tuple(x.format(place=place) for x in s.speakers),
                    )
                    for s in agenda
                ),
                attendance=attendance,
                outcomes=outcomes,
                moved_from=moved_from if n == 1 else None,
            )
        )
    return specs


def _c(
    total: int, stakeholders: tuple[int, int, int, int, int, int], women: int, country: str
) -> Counts:
    """A roundtable's counts: everyone in person, all from the municipality's country."""
    return Counts(
        total=total,
        in_person=total,
        stakeholders=stakeholders,
        genders=(women, total - women - 1, 1),
        countries={country: total},
    )


ROUNDTABLES = [
    *_roundtables(
        place="Dobrich",
        organiser="Dobrich",
        zone="Europe/Sofia",
        venue="Dobrich Municipality, council chamber",
        country="BG",
        starts=(T(2023, 5, 23, 10, 0), T(2023, 6, 27, 10, 0), T(2023, 9, 7, 10, 0)),
        counts=(
            _c(24, (9, 6, 3, 3, 2, 1), 14, "BG"),
            _c(21, (8, 5, 3, 2, 2, 1), 12, "BG"),
            _c(19, (8, 4, 2, 2, 2, 1), 11, "BG"),
        ),
    ),
    *_roundtables(
        place="Gleisdorf",
        organiser="Gleisdorf",
        zone="Europe/Vienna",
        venue="Rathaus Gleisdorf, Sitzungssaal",
        country="AT",
        starts=(T(2023, 5, 25, 14, 0), T(2023, 6, 22, 14, 0), T(2023, 9, 14, 14, 0)),
        counts=(
            _c(26, (7, 7, 6, 3, 2, 1), 15, "AT"),
            _c(22, (6, 6, 5, 2, 2, 1), 12, "AT"),
            _c(20, (6, 6, 3, 2, 2, 1), 11, "AT"),
        ),
    ),
    *_roundtables(
        place="Marina de Cudeyo",
        organiser="Marina de Cudeyo",
        zone="Europe/Madrid",
        venue="Ayuntamiento de Marina de Cudeyo, salón de plenos",
        country="ES",
        starts=(T(2023, 9, 5, 10, 0), T(2023, 9, 13, 10, 0), T(2023, 9, 21, 10, 0)),
        counts=(
            _c(18, (6, 5, 2, 3, 1, 1), 11, "ES"),
            _c(17, (6, 4, 2, 3, 1, 1), 10, "ES"),
            _c(19, (7, 4, 3, 3, 1, 1), 11, "ES"),
        ),
        moved_from=(
            T(2023, 6, 13, 10, 0),
            T(2023, 6, 13, 13, 30),
            D(2023, 5, 30),
            "Postponed: the council is being reconstituted after the municipal elections of "
            "28 May 2023.",
        ),
    ),
]

# --------------------------------------------------------------------------------------------
# The social economy mission (WP2), the transnational meeting (WP1), the final conference (WP5)
# --------------------------------------------------------------------------------------------

MISSION = EventSpec(
    key="mission",
    kind=K.MISSION,
    title="Social economy mission: inclusive enterprises that deliver public contracts",
    organiser="EUCIE",
    work_package=2,
    zone="Europe/Paris",
    start=T(2023, 4, 18, 9, 0),
    end=T(2023, 4, 20, 16, 0),
    venue="Five inclusive enterprises (site visits)",
    country="FR",
    description=(
        "Three days of visits for procurement officers and councillors of the three pilot "
        "municipalities: catering, cleaning, green-space maintenance, printing and laundry "
        "services run by inclusive enterprises for public buyers. Each visit asks about "
        "quality, delivery capacity, price and the support given to workers."
    ),
    agenda=(
        Slot(
            0,
            "Welcome and briefing: reserved contracts in a nutshell",
            S.WELCOME,
            ("Mission lead, EUCIE",),
        ),
        Slot(90, "Site visit: a catering enterprise serving school canteens", S.PRESENTATION),
        Slot(
            300,
            "Site visit: a cleaning enterprise working for a regional authority",
            S.PRESENTATION,
        ),
        Slot(1440, "Site visit: green-space maintenance for a municipality", S.PRESENTATION),
        Slot(1680, "Site visit: a print shop with reserved public orders", S.PRESENTATION),
        Slot(2880, "Site visit: an industrial laundry for hospitals", S.PRESENTATION),
        Slot(
            3120,
            "Debrief: what each municipality takes home",
            S.DISCUSSION,
            ("Mission lead, EUCIE", "Project officer, NASO"),
        ),
    ),
    attendance=Counts(
        total=14,
        in_person=14,
        stakeholders=(11, 3, 0, 0, 0, 0),
        genders=(8, 6, 0),
        countries={"BG": 5, "AT": 5, "ES": 4},
    ),
    outcomes=(
        Action(
            "Each municipality names two contracts to examine at its first roundtable.",
            kind=Outcome.Kind.DECISION,
        ),
        Action(
            "Send participants the follow-up questionnaire on what they will apply at home.",
            owner="EUCIE",
            due=D(2023, 5, 5),
            done_on=D(2023, 5, 4),
        ),
    ),
    announced=D(2023, 2, 24),
)

TPM = EventSpec(
    key="tpm",
    kind=K.TPM,
    title="Transnational project meeting in Brussels",
    organiser="EASPD",
    work_package=1,
    zone="Europe/Brussels",
    start=T(2024, 3, 21, 9, 30),
    end=T(2024, 3, 21, 17, 0),
    venue="EASPD offices",
    city="Brussels",
    country="BE",
    description=(
        "The last meeting of all seven partners before the project closes: where each work "
        "package stands, the risks that are still open, what the pilots taught us, quality "
        "assurance for the final deliverables, and how the community of practice carries the "
        "work on once the project is over."
    ),
    agenda=(
        Slot(0, "Welcome and agenda", S.WELCOME, ("Project coordinator, EASPD",)),
        Slot(
            15,
            "Progress per work package: deliverables done, late and still open",
            S.PRESENTATION,
            (
                "WP1 lead, EASPD",
                "WP2 lead, EUCIE",
                "WP3 lead, NASO",
                "WP4 lead, ZfSW",
                "WP5 lead, EASPD",
            ),
        ),
        Slot(90, "Coffee break", S.BREAK),
        Slot(
            105,
            "Risks and challenges: the register reviewed together",
            S.DISCUSSION,
            ("Project coordinator, EASPD",),
        ),
        Slot(180, "Lunch", S.BREAK),
        Slot(
            240,
            "Lessons learned from the three pilots",
            S.WORKSHOP,
            ("Dobrich Municipality", "Stadtgemeinde Gleisdorf", "Ayuntamiento de Marina de Cudeyo"),
        ),
        Slot(
            315,
            "Quality assurance of the final deliverables and the final report",
            S.PRESENTATION,
            ("Project coordinator, EASPD",),
        ),
        Slot(360, "Coffee break", S.BREAK),
        Slot(
            375,
            "The community of practice: the project's legacy",
            S.DISCUSSION,
            ("Mission lead, EUCIE", "Project and communication officer, EASPD"),
        ),
        Slot(435, "Decisions and next steps", S.CLOSING, ("Project coordinator, EASPD",)),
    ),
    attendance=Counts(
        total=16,
        in_person=16,
        stakeholders=(4, 7, 0, 3, 2, 0),
        genders=(10, 6, 0),
        countries={"BE": 4, "BG": 4, "AT": 4, "ES": 2, "FR": 2},
    ),
    outcomes=(
        Action(
            "The community of practice continues after the project, hosted by EASPD, with a "
            "moderator in each pilot country.",
            kind=Outcome.Kind.DECISION,
        ),
        Action(
            "EASPD prepares the final periodic report; every partner sends its input by 15 May.",
            kind=Outcome.Kind.DECISION,
        ),
        Action(
            "Circulate the minutes of the meeting to all partners.",
            owner="EASPD",
            due=D(2024, 3, 28),
            done_on=D(2024, 3, 26),
        ),
        Action(
            "Add the final conference's key messages to the recommendations for replication.",
            owner="ZfSW",
            due=D(2024, 4, 30),
            done_on=D(2024, 4, 29),
        ),
        Action(
            "Collect the council decisions adopting the three local action plans.",
            owner="NASO",
            due=D(2024, 5, 15),
        ),
        Action(
            "Name a moderator for the community of practice in Bulgaria, Austria and Spain.",
            owner="EUCIE",
            due=D(2024, 6, 28),
        ),
    ),
    announced=D(2024, 1, 15),
)

FINAL_CONFERENCE = EventSpec(
    key="final-conference",
    kind=K.FINAL_CONFERENCE,
    title="Maximising the Use of Social Procurement: CO-RESP final conference",
    organiser="EASPD",
    work_package=5,
    zone="Europe/Brussels",
    start=T(2024, 3, 22, 9, 0),
    end=T(2024, 3, 22, 15, 30),
    venue="European Economic and Social Committee, Rue Belliard 99",
    city="Brussels",
    country="BE",
    format=Event.Format.HYBRID,
    description=(
        "The closing conference of CO-RESP, on site and streamed: what socially responsible "
        "public procurement achieved in the pilots, what stands in its way, and what policy "
        "makers, contracting authorities and the social economy can do to make it the norm."
    ),
    registration_url="https://co-resp.example/final-conference/register",
    recording_url="https://co-resp.example/final-conference/recording",
    agenda=(
        Slot(0, "Registration and coffee", S.BREAK),
        Slot(
            30,
            "Welcome",
            S.WELCOME,
            ("Project coordinator, EASPD", "Member, European Economic and Social Committee"),
        ),
        Slot(
            45,
            "Keynote: social procurement in the EU, where we stand",
            S.KEYNOTE,
            ("Policy officer, European Commission",),
        ),
        Slot(
            75,
            "Panel: social clauses at work in Dobrich, Gleisdorf and Marina de Cudeyo",
            S.PANEL,
            (
                "Public procurement department, Dobrich Municipality",
                "Social affairs office, Stadtgemeinde Gleisdorf",
                "Municipal secretary's office, Ayuntamiento de Marina de Cudeyo",
                "Moderator, NASO",
            ),
        ),
        Slot(150, "Coffee break", S.BREAK),
        Slot(
            165,
            "Panel: what stands in the way (data, habits and employers)",
            S.PANEL,
            (
                "Researcher, ZfSW",
                "Policy advisor, EUCIE",
                "Representative, an organisation of persons with disabilities",
                "Moderator, EASPD",
            ),
        ),
        Slot(240, "Lunch", S.BREAK),
        Slot(
            300,
            "Panel: making it the norm (partnerships, skills, green and social together)",
            S.PANEL,
            (
                "Procurement expert, a regional purchasing body",
                "Director, a work-integration social enterprise",
                "Project coordinator, EASPD",
            ),
        ),
        Slot(
            345,
            "Recommendations for replication",
            S.PRESENTATION,
            ("Replication lead, ZfSW",),
        ),
        Slot(375, "Closing words", S.CLOSING, ("Project coordinator, EASPD",)),
    ),
    attendance=Counts(
        total=112,
        in_person=64,
        online=48,
        stakeholders=(28, 34, 9, 16, 15, 10),
        genders=(66, 43, 3),
        countries={
            "BE": 30,
            "ES": 18,
            "AT": 14,
            "BG": 12,
            "IT": 8,
            "FR": 7,
            "DE": 6,
            "NL": 5,
            "PL": 5,
            "PT": 4,
            "IE": 3,
        },
    ),
    links=(
        (
            Material.Kind.PRESS,
            "News: Driving inclusive employment, the CO-RESP events in Brussels",
            "https://co-resp.example/news/brussels-march-2024",
        ),
    ),
    announced=D(2024, 1, 22),
)

ALL_EVENTS: list[EventSpec] = [MISSION, *ROUNDTABLES, TPM, FINAL_CONFERENCE]

# After the project: the community of practice keeps meeting online. Placed relative to `today`
# so the dashboard always has a next event to show.
COMMUNITY_WEBINAR_TITLE = "Community of practice: online exchange on social clauses"


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def _aware(naive: dt.datetime, zone: str) -> dt.datetime:
    return naive.replace(tzinfo=ZoneInfo(zone))


def _stamp(obj: object, when: dt.datetime, user: User | None, reason: str) -> None:
    """Make the next history record of `obj` say who changed it, when and why."""
    obj._history_date = when  # type: ignore[attr-defined]
    obj._history_user = user  # type: ignore[attr-defined]
    obj._change_reason = reason  # type: ignore[attr-defined]


def _morning(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 9, 30, tzinfo=ZoneInfo("Europe/Brussels"))


class _Cast:
    """The demo project's partners and the first staff member of each, by short name."""

    def __init__(self, project: Project) -> None:
        self.partners: dict[str, Partner] = {
            p.organisation.short_name: p for p in project.partners.select_related("organisation")
        }
        self.staff: dict[str, User] = {}
        self.coordinator: User | None = None
        memberships = Membership.objects.filter(project=project, is_active=True).select_related(
            "user", "partner__organisation"
        )
        # A partner's own staff record its events; the coordinator stands in for none.
        for membership in memberships.order_by("pk"):
            if membership.role == Membership.Role.COORDINATOR and self.coordinator is None:
                self.coordinator = membership.user
            if membership.role == Membership.Role.PARTNER and membership.partner is not None:
                self.staff.setdefault(membership.partner.organisation.short_name, membership.user)
        self.work_packages: dict[int, WorkPackage] = {
            wp.number: wp for wp in project.work_packages.all()
        }

    def partner(self, short_name: str) -> Partner:
        return self.partners[short_name]

    def person(self, short_name: str) -> User:
        """Who records `short_name`'s events: its staff, or else the coordinator."""
        person = self.staff.get(short_name) or self.coordinator
        if person is None:
            raise ValueError("The demo project has no coordinator and no staff for " + short_name)
        return person


@transaction.atomic
def load_events_demo(project: Project, *, today: dt.date) -> list[Event]:
    """Create the demo project's events as they stood on `today`.

    Needs the partners of projects/demo.py (EASPD, NASO, ZfSW, EUCIE, Dobrich, Gleisdorf,
    Marina de Cudeyo). Does nothing if the project already has events, so it is safe to run
    twice. Returns the events it created.
    """
    if Event.objects.filter(project=project).exists():
        return []
    cast = _Cast(project)
    events = [_load_event(project, spec, cast, today) for spec in ALL_EVENTS]
    if today > project.end_date:
        events.append(_community_webinar(project, cast, today))
    return [e for e in events if e is not None]


def _load_event(project: Project, spec: EventSpec, cast: _Cast, today: dt.date) -> Event | None:
    first_day = (spec.moved_from[0] if spec.moved_from else spec.start).date()
    announced = spec.announced or (first_day - dt.timedelta(days=28))
    if announced > today:
        return None
    organiser = cast.partner(spec.organiser)
    who = cast.person(spec.organiser)
    first_start, first_end = spec.start, spec.end
    if spec.moved_from is not None:
        first_start, first_end = spec.moved_from[0], spec.moved_from[1]
    event = Event(
        project=project,
        kind=spec.kind,
        title=spec.title,
        format=spec.format,
        starts_at=_aware(first_start, spec.zone),
        ends_at=_aware(first_end, spec.zone),
        time_zone=spec.zone,
        venue=spec.venue,
        city=spec.city,
        country=spec.country,
        organiser=organiser,
        work_package=cast.work_packages.get(spec.work_package) if spec.work_package else None,
        registration_url=spec.registration_url,
        description=spec.description,
    )
    event.full_clean()
    _stamp(event, _morning(announced), who, "Created")
    event.save()
    Event.objects.filter(pk=event.pk).update(created_at=_morning(announced))

    if spec.moved_from is not None:
        moved_on, reason = spec.moved_from[2], spec.moved_from[3]
        if moved_on <= today:
            event.status = Event.Status.POSTPONED
            _stamp(event, _morning(moved_on), who, reason)
            event.save_edit(event.version, reason=reason)
            rescheduled = moved_on + dt.timedelta(days=45)
            if rescheduled <= today:
                event.starts_at = _aware(spec.start, spec.zone)
                event.ends_at = _aware(spec.end, spec.zone)
                event.status = Event.Status.PLANNED
                _stamp(event, _morning(rescheduled), who, "New dates agreed with the council")
                event.save_edit(event.version, reason="New dates agreed with the council")

    start = _aware(spec.start, spec.zone)
    for slot in spec.agenda:
        AgendaItem.objects.create(
            event=event,
            starts_at=start + dt.timedelta(minutes=slot.minutes),
            title=slot.title,
            session_type=slot.session_type,
            speakers="\n".join(slot.speakers),
        )

    held_on = spec.end.date() + dt.timedelta(days=1)
    if held_on > today:
        return event
    if spec.recording_url:
        event.recording_url = spec.recording_url
    event.status = Event.Status.HELD
    _stamp(event, _morning(held_on), who, "Held")
    event.save_edit(event.version, reason="Held")

    if spec.attendance is not None:
        _load_attendance(event, spec.attendance, who, held_on + dt.timedelta(days=1))
    for action in spec.outcomes:
        Outcome.objects.create(
            event=event,
            kind=action.kind,
            text=action.text,
            owner=cast.partner(action.owner) if action.owner else None,
            due_date=action.due,
            is_done=action.done_on is not None and action.done_on <= today,
        )
    for kind, title, url in spec.links:
        Material.objects.create(
            event=event,
            kind=kind,
            title=title,
            url=url,
            added_by=who,
            added_at=_morning(held_on + dt.timedelta(days=5)),
        )
    return event


def _load_attendance(event: Event, counts: Counts, who: User | None, on: dt.date) -> None:
    attendance = Attendance(
        event=event,
        total=counts.total,
        in_person=counts.in_person,
        online=counts.online,
        by_country=dict(counts.countries),
        recorded_by=who,
    )
    if counts.stakeholders is not None:
        for name, value in zip(Attendance.STAKEHOLDER_FIELDS, counts.stakeholders, strict=True):
            setattr(attendance, name, value)
    if counts.genders is not None:
        for name, value in zip(Attendance.GENDER_FIELDS, counts.genders, strict=True):
            setattr(attendance, name, value)
    # The demo obeys the same rules as the form: every breakdown adds up.
    attendance.full_clean()
    _stamp(attendance, _morning(on), who, "Recorded")
    attendance.save()


def _community_webinar(project: Project, cast: _Cast, today: dt.date) -> Event:
    day = today + dt.timedelta(days=21)
    zone = "Europe/Brussels"
    event = Event(
        project=project,
        kind=K.WEBINAR,
        title=COMMUNITY_WEBINAR_TITLE,
        format=Event.Format.ONLINE,
        starts_at=_aware(dt.datetime(day.year, day.month, day.day, 10, 0), zone),
        ends_at=_aware(dt.datetime(day.year, day.month, day.day, 11, 30), zone),
        time_zone=zone,
        organiser=cast.partner("EASPD"),
        work_package=cast.work_packages.get(5),
        registration_url="https://co-resp.example/community/register",
        description=(
            "The community of practice that carries CO-RESP on: procurement officers and social "
            "economy practitioners swap tenders, clauses and results. Open to anyone working on "
            "socially responsible public procurement."
        ),
    )
    event.full_clean()
    who = cast.person("EASPD")
    _stamp(event, _morning(today - dt.timedelta(days=7)), who, "Created")
    event.save()
    start = event.starts_at
    for minutes, title, session_type in (
        (0, "Welcome and news from the members", S.WELCOME),
        (15, "A tender to discuss: cleaning with a hiring clause", S.DISCUSSION),
        (75, "Questions, and the next exchange", S.CLOSING),
    ):
        AgendaItem.objects.create(
            event=event,
            starts_at=start + dt.timedelta(minutes=minutes),
            title=title,
            session_type=session_type,
        )
    return event
