"""Replay the demo's story (demo/data/, read by demo/story.py) into the database.

`load_demo(today=...)` builds the CO-RESP project as it stood on `today`: the consortium and one
account per role, the plan, and everything that had happened by then to its deliverables,
milestones, risks, events, conference reports, social procurement register, and the impact
indicators with the figures partners reported and the coordinator's queries about them. Each step
goes through the models' own methods (Deliverable.start, Milestone.mark_achieved,
ConferenceReport.publish, ClauseOutcome.validate, IndicatorValue.submit, DataQuery.answer,
VersionedModel.save_edit ...) on its own day,
by its own person, so the history tables show who did what and when; a day before the end of
the project gives an earlier snapshot. Nothing is random: the same `today`
always gives the same rows (only the events' iCalendar UIDs are new each time).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from accounts.models import User
from demo.story import (
    ActionPlanRecord,
    AgendaSlot,
    AwardRecord,
    ClauseOutcomeRecord,
    CommunityWebinar,
    DataQueryRecord,
    DeliverableRecord,
    EventRecord,
    GoodPracticeRecord,
    IndicatorRecord,
    IndicatorValueRecord,
    MilestoneRecord,
    ReportRecord,
    RiskRecord,
    Story,
    StoryError,
    SupplierRecord,
    TenderRecord,
    read_story,
)
from events.models import AgendaItem, Attendance, Event, Material, Outcome
from impact.models import DataQuery, Indicator, IndicatorValue, PartnerTarget, QueryMessage
from procurement.models import (
    ClauseOutcome,
    Contract,
    GoodPractice,
    LocalActionPlan,
    Lot,
    PlanAction,
    SocialClause,
    Tender,
)
from projects.history import record_history, record_user
from projects.models import (
    Deliverable,
    Level,
    Membership,
    Milestone,
    Organisation,
    Partner,
    ProgressUpdate,
    Project,
    ReportingPeriod,
    Risk,
    RiskReview,
    WorkPackage,
)
from reports.models import ConferenceReport, Recommendation


class DemoConflict(Exception):
    """The database already holds something the demo would create."""


@dataclass(frozen=True)
class Login:
    """One demo account as the list of logins shows it."""

    email: str
    role: str
    organisation: str


def demo_password() -> str:
    """The published password every demo account shares."""
    return read_story().people.password


# The published authenticator-app key of the demo accounts that must use a second factor (the
# coordinator and the site admin, see accounts/mfa.py); base32, to type into any TOTP app.
DEMO_TOTP_SECRET = "CORESPDEMOCORESPDEMOCORESPDEMO23"  # noqa: S105 (published, like the password)


def demo_logins() -> list[Login]:
    """Every demo account, in the order to show them."""
    story = read_story()
    numbers = {partner.short_name: partner.number for partner in story.partners}
    roles = dict(Membership.Role.choices)
    logins = []
    for person in story.people.people:
        role = "site admin" if person.role is None else str(roles[person.role]).lower()
        if person.partner is None:
            organisation = f"- ({person.affiliation})"
        else:
            organisation = f"P{numbers[person.partner]} {person.partner}"
        logins.append(Login(email=person.email, role=role, organisation=organisation))
    return logins


@transaction.atomic
def load_demo(*, today: dt.date) -> Project:
    """Create the demo project as it stood on `today`, with its organisations and accounts.

    Raises DemoConflict (and creates nothing) if the project or one of the accounts exists.
    """
    story = read_story()
    acronym = story.plan.project.acronym
    if Project.objects.filter(acronym=acronym).exists():
        raise DemoConflict(f"A project called {acronym} already exists.")
    emails = [person.email for person in story.people.people]
    taken = sorted(User.objects.filter(email__in=emails).values_list("email", flat=True))
    if taken:
        raise DemoConflict("These demo accounts already exist: " + ", ".join(taken))

    cast = _load_consortium(story)
    _load_plan(story, cast)
    for deliverable in story.deliverables.deliverables:
        _load_deliverable(story, cast, deliverable, today)
    for milestone in story.milestones.milestones:
        _load_milestone(story, cast, milestone, today)
    for risk in story.risks.risks:
        _load_risk(story, cast, risk, today)
    events = {}
    for record in story.events.events:
        event = _load_event(story, cast, record, today)
        if event is not None:
            events[record.key] = event
    if today > cast.project.end_date:
        _load_community_webinar(story, cast, story.events.community_webinar, today)
    for report in story.reports.reports:
        event = events.get(report.event)
        if event is not None and report.written_on <= today and event.status == Event.Status.HELD:
            _write_report(story, cast, report, event, today)
    _load_procurement(story, cast, events, today)
    _load_impact(story, cast, today)
    # Last: the figures of a period were entered while it was open, before the funder's
    # acceptance locked it (IndicatorValue.clean refuses a value in a locked period).
    _lock_accepted_periods(story, cast, today)
    return cast.project


# --------------------------------------------------------------------------------------------
# Who is who, and the calendar
# --------------------------------------------------------------------------------------------


@dataclass
class _Cast:
    """The demo project's partners and people, as the data files name them."""

    project: Project
    partners: dict[str, Partner]  # by short name
    people: dict[str, User]  # by key
    coordinator: User
    staff: dict[str, User]  # the first partner staff member of each partner, by short name
    work_packages: dict[int, WorkPackage]  # by number, filled in by _load_plan

    def partner(self, short_name: str) -> Partner:
        try:
            return self.partners[short_name]
        except KeyError:
            raise StoryError(f"No demo partner is called {short_name!r}") from None

    def person(self, key: str) -> User:
        try:
            return self.people[key]
        except KeyError:
            raise StoryError(f"No demo person has the key {key!r}") from None

    def recorder(self, short_name: str) -> User:
        """Who records what `short_name` does: its staff, or else the coordinator."""
        return self.staff.get(short_name, self.coordinator)


def _at(story: Story, day: dt.date, time: dt.time) -> dt.datetime:
    """`time` on `day`, on the demo's calendar."""
    return dt.datetime.combine(day, time, tzinfo=ZoneInfo(story.plan.time_zone))


def _on_calendar(story: Story, moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=ZoneInfo(story.plan.time_zone))


def _local(moment: dt.datetime, zone: str) -> dt.datetime:
    """A wall-clock time at an event's place."""
    return moment.replace(tzinfo=ZoneInfo(zone))


def _stamp(obj: models.Model, when: dt.datetime, by: User, reason: str = "") -> None:
    """Make the next history record of `obj` say when, by whom and why (django-simple-history
    reads these attributes; a workflow method that saves gives its own reason)."""
    setattr(obj, "_history_date", when)  # noqa: B010 (not declared attributes)
    record_user(obj, by)
    record_history(obj, reason)


def _valid_save(obj: models.Model) -> None:
    obj.full_clean()
    obj.save()


def _set_timestamps(model: type[models.Model], pk: Any, **values: dt.datetime) -> None:
    """auto_now(_add) fields take the wall clock; put the demo's own dates there instead."""
    model._default_manager.filter(pk=pk).update(**values)


def _level(name: str) -> Level:
    try:
        return Level[name.upper()]
    except KeyError:
        raise StoryError(f"{name!r} is not a level: low, medium or high") from None


# --------------------------------------------------------------------------------------------
# The consortium and the plan
# --------------------------------------------------------------------------------------------


def _load_consortium(story: Story) -> _Cast:
    project = Project(**dataclasses.asdict(story.plan.project))
    _valid_save(project)

    partners: dict[str, Partner] = {}
    for record in story.partners:
        # Organisations are shared between projects: reuse one an administrator already made.
        organisation = Organisation.objects.filter(legal_name=record.legal_name).first()
        if organisation is None:
            organisation = Organisation(
                legal_name=record.legal_name,
                short_name=record.short_name,
                country=record.country,
                kind=record.kind,
                pic=record.pic,
            )
            _valid_save(organisation)
        partner = Partner(
            project=project, organisation=organisation, number=record.number, role=record.role
        )
        _valid_save(partner)
        partners[record.short_name] = partner

    people: dict[str, User] = {}
    staff: dict[str, User] = {}
    coordinator: User | None = None
    joined = _on_calendar(story, story.people.joined_at)
    # Hashing is slow on purpose; the accounts share one published password, so hash it once.
    password = make_password(story.people.password)
    for person in story.people.people:
        user = User(
            email=person.email,
            full_name=person.full_name,
            is_staff=person.is_site_admin,
            is_superuser=person.is_site_admin,
            date_joined=joined,
            password=password,
        )
        _valid_save(user)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        if person.is_site_admin or person.role == Membership.Role.COORDINATOR:
            # They could not use the site without one: give them the published demo key.
            TOTP.activate(user, DEMO_TOTP_SECRET)
        if person.role is not None:
            staff_of = partners[person.partner] if person.partner else None
            _valid_save(Membership(user=user, project=project, partner=staff_of, role=person.role))
        if person.role == Membership.Role.COORDINATOR and coordinator is None:
            coordinator = user
        if person.role == Membership.Role.PARTNER and person.partner is not None:
            staff.setdefault(person.partner, user)
        people[person.key] = user
    if coordinator is None:
        raise StoryError("people.toml: the demo project needs a coordinator")
    return _Cast(
        project=project,
        partners=partners,
        people=people,
        coordinator=coordinator,
        staff=staff,
        work_packages={},
    )


def _load_plan(story: Story, cast: _Cast) -> None:
    for record in story.plan.work_packages:
        work_package = WorkPackage(
            project=cast.project,
            number=record.number,
            title=record.title,
            lead=cast.partner(record.lead),
            start_month=record.start_month,
            end_month=record.end_month,
            objectives=record.objectives,
        )
        _valid_save(work_package)
        cast.work_packages[record.number] = work_package
    for period in story.plan.reporting_periods:
        _valid_save(
            ReportingPeriod(
                project=cast.project,
                number=period.number,
                start_month=period.start_month,
                end_month=period.end_month,
                report_due_date=period.report_due_date,
            )
        )


def _lock_accepted_periods(story: Story, cast: _Cast, today: dt.date) -> None:
    """Lock each period whose report the funder had accepted by `today`: kept as it was."""
    accepted = [
        period.number
        for period in story.plan.reporting_periods
        if period.accepted_on is not None and period.accepted_on <= today
    ]
    ReportingPeriod.objects.filter(project=cast.project, number__in=accepted).update(is_locked=True)


# --------------------------------------------------------------------------------------------
# Deliverables, milestones, risks
# --------------------------------------------------------------------------------------------


def _load_deliverable(
    story: Story, cast: _Cast, record: DeliverableRecord, today: dt.date
) -> Deliverable:
    imported = _on_calendar(story, story.plan.plan_imported_at)
    deliverable = Deliverable(
        project=cast.project,
        # D3.2 is in WP3.
        work_package=cast.work_packages[int(record.number[1 : record.number.index(".")])],
        number=record.number,
        title=record.title,
        description=record.description,
        lead=cast.partner(record.lead),
        type=record.type,
        dissemination=record.dissemination,
        due_month=record.due_month,
    )
    deliverable.full_clean()
    _stamp(deliverable, imported, cast.coordinator)
    deliverable.save_edit(None, reason="Imported from the grant agreement")
    last_change = imported

    for step in record.steps:
        if step.on > today:
            continue
        try:
            when = _at(story, step.on, story.deliverables.step_times[step.action])
        except KeyError:
            raise StoryError(f"{record.number}: no step is called {step.action!r}") from None
        by = cast.person(step.by)
        if step.action == "progress":
            if step.percent is None:
                raise StoryError(f"{record.number}: the progress of {step.on} has no percent")
            update = ProgressUpdate(
                deliverable=deliverable,
                date=step.on,
                percent=step.percent,
                note=step.note,
                author=by,
            )
            _valid_save(update)
            _set_timestamps(ProgressUpdate, update.pk, created_at=when)
            continue
        _stamp(deliverable, when, by)
        version = deliverable.version
        match step.action:
            case "start":
                deliverable.start(expected_version=version)
            case "review":
                deliverable.submit_for_review(expected_version=version)
            case "changes":
                deliverable.request_changes(comment=step.comment, expected_version=version)
            case "approve":
                deliverable.approve(expected_version=version)
            case "submit":
                if step.justification and not deliverable.is_late(step.on):
                    raise StoryError(
                        f"{record.number} is on time: it needs no delay justification."
                    )
                # Checks the date against `today` and demands a justification when late.
                deliverable.record_submission(
                    on=step.on,
                    justification=step.justification,
                    expected_version=version,
                    today=today,
                )
        last_change = when

    _set_timestamps(Deliverable, deliverable.pk, created_at=imported, updated_at=last_change)
    return deliverable


def _load_milestone(story: Story, cast: _Cast, record: MilestoneRecord, today: dt.date) -> None:
    imported = _on_calendar(story, story.plan.plan_imported_at)
    milestone = Milestone(
        project=cast.project,
        number=record.number,
        title=record.title,
        due_month=record.due_month,
        means_of_verification=record.means_of_verification,
    )
    milestone.full_clean()
    _stamp(milestone, imported, cast.coordinator, "Imported from the grant agreement")
    milestone.save()
    _stamp(milestone, imported, cast.coordinator, "Work packages set")
    milestone.work_packages.set([cast.work_packages[n] for n in record.work_packages])
    if record.achieved_on is None:
        return
    if record.recorded_on is None:
        raise StoryError(f"{record.number}: achieved_on needs recorded_on")
    if record.recorded_on <= today:
        _stamp(
            milestone,
            _at(story, record.recorded_on, story.milestones.recorded_at),
            cast.coordinator,
        )
        milestone.mark_achieved(on=record.achieved_on, note=record.note, today=today)


def _load_risk(story: Story, cast: _Cast, record: RiskRecord, today: dt.date) -> None:
    if record.raised_on > today:
        return
    raised_at = _at(story, record.raised_on, story.risks.raised_at)
    raised_by = cast.person(record.raised_by)
    risk = Risk(
        project=cast.project,
        title=record.title,
        description=record.description,
        category=record.category,
        likelihood=_level(record.likelihood),
        impact=_level(record.impact),
        mitigation=record.mitigation,
        owner=cast.partner(record.owner),
        status=Risk.Status.OPEN,
        raised_by=raised_by,
    )
    risk.full_clean()
    _stamp(risk, raised_at, raised_by)
    risk.save_edit(None, reason="Risk raised")
    _stamp(risk, raised_at, raised_by, "Work packages set")
    risk.work_packages.set([cast.work_packages[n] for n in record.work_packages])

    for review in record.reviews:
        if review.on > today:
            continue
        when = _at(story, review.on, story.risks.reviewed_at)
        reviewer = cast.person(review.by)
        row = RiskReview(
            risk=risk,
            review_date=review.on,
            likelihood=_level(review.likelihood),
            impact=_level(review.impact),
            status=review.status,
            note=review.note,
            reviewed_by=reviewer,
        )
        _valid_save(row)
        _set_timestamps(RiskReview, row.pk, created_at=when)
        # The reviews come in date order: each is the latest, and sets the risk's scores.
        risk.likelihood, risk.impact, risk.status = row.likelihood, row.impact, row.status
        _stamp(risk, when, reviewer)
        risk.save_edit(risk.version, reason="Reviewed")
    _set_timestamps(Risk, risk.pk, created_at=raised_at)


# --------------------------------------------------------------------------------------------
# Events
# --------------------------------------------------------------------------------------------


def _load_event(story: Story, cast: _Cast, record: EventRecord, today: dt.date) -> Event | None:
    calendar = story.events.calendar
    postponed = record.postponed
    first_start = postponed.planned_start if postponed else record.start
    first_end = postponed.planned_end if postponed else record.end
    announced = record.announced_on or (
        first_start.date() - dt.timedelta(days=calendar.announced_days_before)
    )
    if announced > today:
        return None
    who = cast.recorder(record.organiser)
    event = Event(
        project=cast.project,
        kind=record.kind,
        title=record.title,
        format=record.format,
        starts_at=_local(first_start, record.time_zone),
        ends_at=_local(first_end, record.time_zone),
        time_zone=record.time_zone,
        venue=record.venue,
        city=record.city,
        country=record.country,
        organiser=cast.partner(record.organiser),
        work_package=cast.work_packages[record.work_package] if record.work_package else None,
        registration_url=record.registration_url,
        description=record.description,
    )
    _create_event(event, _at(story, announced, calendar.recorded_at), who)

    if postponed is not None and postponed.postponed_on <= today:
        event.status = Event.Status.POSTPONED
        _stamp(event, _at(story, postponed.postponed_on, calendar.recorded_at), who)
        event.save_edit(event.version, reason=postponed.reason)
        if postponed.rescheduled_on <= today:
            event.starts_at = _local(record.start, record.time_zone)
            event.ends_at = _local(record.end, record.time_zone)
            event.status = Event.Status.PLANNED
            _stamp(event, _at(story, postponed.rescheduled_on, calendar.recorded_at), who)
            event.save_edit(event.version, reason=postponed.rescheduled_reason)

    _load_agenda(event, _local(record.start, record.time_zone), record.agenda)

    held_on = record.end.date() + dt.timedelta(days=calendar.held_days_after_end)
    if held_on > today:
        return event
    if record.recording_url:
        event.recording_url = record.recording_url
    event.status = Event.Status.HELD
    _stamp(event, _at(story, held_on, calendar.recorded_at), who)
    event.save_edit(event.version, reason="Held")

    if record.attendance is not None:
        attendance = Attendance(
            event=event, recorded_by=who, **dataclasses.asdict(record.attendance)
        )
        # The demo obeys the same rules as the form: every breakdown adds up.
        attendance.full_clean()
        recorded_on = held_on + dt.timedelta(days=calendar.attendance_days_after_held)
        _stamp(attendance, _at(story, recorded_on, calendar.recorded_at), who)
        attendance.save_edit(None, reason="Recorded")
    for outcome in record.outcomes:
        Outcome.objects.create(
            event=event,
            kind=outcome.kind,
            text=outcome.text,
            owner=cast.partner(outcome.owner) if outcome.owner else None,
            due_date=outcome.due_date,
            is_done=outcome.done_on is not None and outcome.done_on <= today,
        )
    added_on = held_on + dt.timedelta(days=calendar.materials_days_after_held)
    for material in record.materials:
        Material.objects.create(
            event=event,
            kind=material.kind,
            title=material.title,
            url=material.url,
            added_by=who,
            added_at=_at(story, added_on, calendar.recorded_at),
        )
    return event


def _create_event(event: Event, announced_at: dt.datetime, who: User) -> None:
    """Put `event` on the platform at `announced_at`."""
    event.full_clean()
    _stamp(event, announced_at, who)
    event.save_edit(None, reason="Created")
    # auto_now_add took the wall clock, and each later save writes back what the instance holds.
    event.created_at = announced_at
    _set_timestamps(Event, event.pk, created_at=announced_at)


def _load_agenda(event: Event, start: dt.datetime, agenda: tuple[AgendaSlot, ...]) -> None:
    for slot in agenda:
        AgendaItem.objects.create(
            event=event,
            starts_at=start + dt.timedelta(minutes=slot.minutes),
            title=slot.title,
            session_type=slot.session_type,
            speakers="\n".join(slot.speakers),
        )


def _load_community_webinar(
    story: Story, cast: _Cast, record: CommunityWebinar, today: dt.date
) -> Event:
    day = today + dt.timedelta(days=record.days_ahead)
    zone = ZoneInfo(record.time_zone)
    event = Event(
        project=cast.project,
        kind=record.kind,
        title=record.title,
        format=record.format,
        starts_at=dt.datetime.combine(day, record.starts, tzinfo=zone),
        ends_at=dt.datetime.combine(day, record.ends, tzinfo=zone),
        time_zone=record.time_zone,
        organiser=cast.partner(record.organiser),
        work_package=cast.work_packages[record.work_package] if record.work_package else None,
        registration_url=record.registration_url,
        description=record.description,
    )
    announced = today - dt.timedelta(days=record.announced_days_before)
    recorded_at = story.events.calendar.recorded_at
    _create_event(event, _at(story, announced, recorded_at), cast.recorder(record.organiser))
    _load_agenda(event, event.starts_at, record.agenda)
    return event


# --------------------------------------------------------------------------------------------
# Conference reports
# --------------------------------------------------------------------------------------------


def _write_report(
    story: Story, cast: _Cast, record: ReportRecord, event: Event, today: dt.date
) -> ConferenceReport:
    times = story.reports.times
    writer = cast.recorder(event.organiser.organisation.short_name)
    report = ConferenceReport(
        event=event,
        author=event.organiser,
        summary=record.summary,
        key_messages="\n".join(record.key_messages),
        success_stories=record.success_stories,
        challenges=record.challenges,
        lessons_learned=record.lessons_learned,
        next_steps=record.next_steps,
    )
    report.full_clean()
    _stamp(report, _at(story, record.written_on, times.written_at), writer)
    report.save_edit(None, reason="Written")
    for position, recommendation in enumerate(record.recommendations, start=1):
        Recommendation.objects.create(
            report=report,
            text=recommendation.text,
            audience=recommendation.audience,
            position=position,
        )
    last_change = record.written_on
    if record.submitted_on and record.submitted_on <= today:
        _stamp(report, _at(story, record.submitted_on, times.submitted_at), writer)
        report.submit_for_review(expected_version=report.version)
        last_change = record.submitted_on
        if record.published_on and record.published_on <= today:
            published_at = _at(story, record.published_on, times.published_at)
            _stamp(report, published_at, cast.coordinator)
            report.publish(expected_version=report.version, now=published_at)
            last_change = record.published_on
    ConferenceReport.objects.filter(pk=report.pk).update(
        updated_at=_at(story, last_change, times.last_change_at)
    )
    return report


# --------------------------------------------------------------------------------------------
# The social procurement register
# --------------------------------------------------------------------------------------------


def _load_procurement(story: Story, cast: _Cast, events: dict[str, Event], today: dt.date) -> None:
    """Good practices, then tenders (their awards and outcomes), then the action plans whose
    actions point at both."""
    register = story.procurement
    practices = {}
    for practice in register.good_practices:
        if practice.recorded_on <= today:
            practices[practice.key] = _load_good_practice(story, cast, practice, events)
    suppliers = {supplier.key: supplier for supplier in register.suppliers}
    tenders = {}
    for record in register.tenders:
        if record.recorded_on <= today:
            tenders[record.reference] = _load_tender(story, cast, record, suppliers, today)
    for plan in register.action_plans:
        if plan.recorded_on <= today:
            _load_action_plan(story, cast, plan, events, tenders, practices, today)


def _event(events: dict[str, Event], key: str, where: str) -> Event:
    try:
        return events[key]
    except KeyError:
        raise StoryError(f"{where}: no event {key!r} is on the platform by then") from None


def _load_good_practice(
    story: Story, cast: _Cast, record: GoodPracticeRecord, events: dict[str, Event]
) -> GoodPractice:
    who = cast.recorder(record.recorded_by)
    practice = GoodPractice(
        project=cast.project,
        recorded_by=cast.partner(record.recorded_by),
        title=record.title,
        country=record.country,
        contracting_authority=record.contracting_authority,
        sector=record.sector,
        stage=record.stage,
        instruments=list(record.instruments),
        results=record.results,
        source=record.source,
        found_at=_event(events, record.found_at, record.key),
    )
    recorded_at = _at(story, record.recorded_on, story.procurement.times.recorded_at)
    _stamp(practice, recorded_at, who, "Recorded")
    _valid_save(practice)
    return practice


def _load_tender(
    story: Story,
    cast: _Cast,
    record: TenderRecord,
    suppliers: dict[str, SupplierRecord],
    today: dt.date,
) -> Tender:
    times = story.procurement.times
    who = cast.recorder(record.recorded_by)
    if record.recorded_on < record.publication_date:
        raise StoryError(f"{record.reference}: recorded before its publication")
    recorded_at = _at(story, record.recorded_on, times.recorded_at)
    tender = Tender(
        project=cast.project,
        recorded_by=cast.partner(record.recorded_by),
        authority=cast.partner(record.authority).organisation,
        reference=record.reference,
        title=record.title,
        cpv_codes=list(record.cpv_codes),
        procedure=record.procedure,
        estimated_value=record.estimated_value,
        publication_date=record.publication_date,
        notice_url=record.notice_url,
        status=Tender.Status.PUBLISHED,
        work_package=cast.work_packages[record.work_package] if record.work_package else None,
    )
    tender.full_clean()
    _stamp(tender, recorded_at, who)
    tender.save_edit(None, reason="Recorded")
    tender.created_at = recorded_at
    _set_timestamps(Tender, tender.pk, created_at=recorded_at)

    lots: dict[int, Lot] = {}
    for lot_record in record.lots:
        lot = Lot(
            tender=tender,
            number=lot_record.number,
            title=lot_record.title,
            estimated_value=lot_record.estimated_value,
            reservation=lot_record.reservation,
        )
        _stamp(lot, recorded_at, who, "Recorded")
        _valid_save(lot)
        lots[lot.number] = lot
    clauses = []
    for clause_record in record.clauses:
        clause = SocialClause(
            tender=tender,
            lot=lots[clause_record.lot] if clause_record.lot is not None else None,
            stage=clause_record.stage,
            category=clause_record.category,
            is_mandatory=clause_record.is_mandatory,
            description=clause_record.description,
            weight_percent=clause_record.weight_percent,
            target_quantity=clause_record.target_quantity,
            target_unit=clause_record.target_unit,
            verification=clause_record.verification,
            status=SocialClause.Status.PLANNED,
        )
        _stamp(clause, recorded_at, who, "Recorded")
        _valid_save(clause)
        clauses.append(clause)
    if record.award is not None and record.award.recorded_on <= today:
        _record_award(story, cast, record, record.award, tender, lots, clauses, suppliers, today)
    return tender


def _record_award(
    story: Story,
    cast: _Cast,
    record: TenderRecord,
    award: AwardRecord,
    tender: Tender,
    lots: dict[int, Lot],
    clauses: list[SocialClause],
    suppliers: dict[str, SupplierRecord],
    today: dt.date,
) -> None:
    """The award and its contracts; then each clause runs, and reports what it delivered."""
    times = story.procurement.times
    who = cast.recorder(record.recorded_by)
    awarded_at = _at(story, award.recorded_on, times.recorded_at)
    tender.status, tender.award_date = Tender.Status.AWARDED, award.date
    tender.full_clean()
    _stamp(tender, awarded_at, who)
    tender.save_edit(tender.version, reason="Award recorded")
    contracts = []
    for contract_record in award.contracts:
        contract = Contract(
            lot=lots[contract_record.lot],
            supplier=_supplier(suppliers, contract_record.supplier),
            supplier_type=contract_record.supplier_type,
            awarded_value=contract_record.awarded_value,
            start_date=contract_record.start_date,
            end_date=contract_record.end_date,
            declared_share=contract_record.declared_share,
            share_evidence=contract_record.share_evidence,
        )
        _stamp(contract, awarded_at, who, "Award recorded")
        _valid_save(contract)
        contracts.append(contract)

    for clause, clause_record in zip(clauses, record.clauses, strict=True):
        # A clause runs from the day the first contract it binds starts (any lot's, for one on
        # the whole tender).
        starts = [c.start_date for c in contracts if clause.lot is None or c.lot == clause.lot]
        if not starts or min(starts) > today:
            continue
        clause.status = SocialClause.Status.IN_EXECUTION
        _stamp(clause, _at(story, min(starts), times.recorded_at), who, "Contract started")
        _valid_save(clause)
        for outcome in clause_record.outcomes:
            if outcome.submitted_on <= today:
                _report_outcome(story, cast, clause, outcome, who, today)


def _supplier(suppliers: dict[str, SupplierRecord], key: str) -> Organisation:
    try:
        record = suppliers[key]
    except KeyError:
        raise StoryError(f"procurement.toml: no supplier has the key {key!r}") from None
    # Shared between projects like the partners' organisations: reuse one that exists.
    organisation = Organisation.objects.filter(legal_name=record.legal_name).first()
    if organisation is None:
        organisation = Organisation(
            legal_name=record.legal_name,
            short_name=record.short_name,
            country=record.country,
            kind=record.kind,
        )
        _valid_save(organisation)
    return organisation


def _report_outcome(
    story: Story,
    cast: _Cast,
    clause: SocialClause,
    record: ClauseOutcomeRecord,
    who: User,
    today: dt.date,
) -> None:
    """Entered and submitted by the tender's partner, validated by the coordinator."""
    times = story.procurement.times
    outcome = ClauseOutcome(
        clause=clause,
        period=ReportingPeriod.objects.get(project=cast.project, number=record.period),
        achieved=record.achieved,
        headcount=record.headcount,
        fte=record.fte,
        women=record.women,
        men=record.men,
        gender_other=record.gender_other,
        with_disabilities=record.with_disabilities,
        other_disadvantaged=record.other_disadvantaged,
        group_other=record.group_other,
        note=record.note,
    )
    # The same rules as the form: breakdowns add up, FTE within the headcount, a period the
    # contract had started in.
    outcome.full_clean()
    _stamp(outcome, _at(story, record.submitted_on, times.recorded_at), who)
    outcome.save_edit(None, reason="Recorded")
    submitted_at = _at(story, record.submitted_on, times.submitted_at)
    _stamp(outcome, submitted_at, who)
    outcome.submit(now=submitted_at, expected_version=outcome.version)
    if record.validated_on is None or record.validated_on > today:
        return
    validated_at = _at(story, record.validated_on, times.validated_at)
    _stamp(outcome, validated_at, cast.coordinator)
    outcome.validate(by=cast.coordinator, now=validated_at, expected_version=outcome.version)


def _load_action_plan(
    story: Story,
    cast: _Cast,
    record: ActionPlanRecord,
    events: dict[str, Event],
    tenders: dict[str, Tender],
    practices: dict[str, GoodPractice],
    today: dt.date,
) -> None:
    times = story.procurement.times
    who = cast.recorder(record.partner)
    recorded_at = _at(story, record.recorded_on, times.recorded_at)
    plan = LocalActionPlan(
        project=cast.project,
        partner=cast.partner(record.partner),
        title=record.title,
        adopted_at=_event(events, record.adopted_at, record.title),
        adopted_on=record.adopted_on,
        summary=record.summary,
    )
    plan.full_clean()
    _stamp(plan, recorded_at, who)
    plan.save_edit(None, reason="Recorded")
    for action in record.actions:
        tender = None
        if action.tender is not None:
            tender = tenders.get(action.tender)
            if tender is None:
                raise StoryError(f"{record.title}: tender {action.tender!r} is not recorded yet")
        row = PlanAction(
            plan=plan,
            number=action.number,
            what=action.what,
            responsible_body=action.responsible_body,
            due_month=action.due_month,
            status=action.status,
            tender=tender,
        )
        _stamp(row, recorded_at, who, "Recorded")
        _valid_save(row)
        try:
            row.good_practices.set([practices[key] for key in action.good_practices])
        except KeyError as error:
            raise StoryError(f"{record.title}: no good practice {error} by then") from None
        if action.done_on is not None and action.done_on <= today:
            row.status = PlanAction.Status.DONE
            _stamp(row, _at(story, action.done_on, times.recorded_at), who, "Done")
            _valid_save(row)


# --------------------------------------------------------------------------------------------
# Impact indicators and data quality
# --------------------------------------------------------------------------------------------


def _load_impact(story: Story, cast: _Cast, today: dt.date) -> None:
    """The indicators the coordinator defined, then the values partners entered (and the
    coordinator validated), then the coordinator's queries about some of them."""
    impact = story.impact
    indicators: dict[str, Indicator] = {}
    for record in impact.indicators:
        if record.defined_on <= today:
            indicators[record.code] = _define_indicator(story, cast, record)
    periods = {period.number: period for period in cast.project.periods.all()}
    values: dict[tuple[str, str, int], IndicatorValue] = {}
    for value_record in impact.values:
        if value_record.entered_on > today:
            continue
        key = (value_record.indicator, value_record.partner, value_record.period)
        if key in values:
            raise StoryError(f"impact.toml: two values for {key}")
        indicator = indicators.get(value_record.indicator)
        if indicator is None:
            raise StoryError(f"impact.toml: {value_record.indicator} is not defined by then")
        values[key] = _enter_value(story, cast, value_record, indicator, periods, today)
    for query_record in impact.queries:
        if query_record.raised_on <= today:
            _raise_query(story, cast, query_record, values, today)


def _define_indicator(story: Story, cast: _Cast, record: IndicatorRecord) -> Indicator:
    defined_at = _at(story, record.defined_on, story.impact.times.defined_at)
    indicator = Indicator(
        project=cast.project,
        code=record.code,
        name=record.name,
        definition=record.definition,
        unit=record.unit,
        kind=record.kind,
        work_package=cast.work_packages[record.work_package] if record.work_package else None,
        responsible=cast.partner(record.responsible) if record.responsible else None,
        baseline=record.baseline,
        target=record.target,
        target_month=record.target_month,
        source=record.source,
        measure=record.measure,
        event_kind=record.event_kind,
        disaggregations=list(record.disaggregations),
        requires_evidence=record.requires_evidence,
        esf_code=record.esf_code,
        toms_code=record.toms_code,
        sdg_target=record.sdg_target,
    )
    indicator.full_clean()
    reporting = [cast.partner(name) for name in record.reporting_partners]
    _stamp(indicator, defined_at, cast.coordinator)
    indicator.save_edit(
        None, reason="Defined", m2m=lambda: indicator.reporting_partners.set(reporting)
    )
    for share in record.partner_targets:
        _valid_save(
            PartnerTarget(
                indicator=indicator, partner=cast.partner(share.partner), target=share.target
            )
        )
    return indicator


def _enter_value(
    story: Story,
    cast: _Cast,
    record: IndicatorValueRecord,
    indicator: Indicator,
    periods: dict[int, ReportingPeriod],
    today: dt.date,
) -> IndicatorValue:
    """Entered and submitted by the partner's staff, validated by the coordinator."""
    times = story.impact.times
    where = f"impact.toml: {record.indicator} of {record.partner} for RP{record.period}"
    try:
        period = periods[record.period]
    except KeyError:
        raise StoryError(f"{where}: no such reporting period") from None
    accepted_on = next(
        p.accepted_on for p in story.plan.reporting_periods if p.number == record.period
    )
    steps = [record.entered_on, record.submitted_on, record.validated_on]
    if accepted_on is not None and any(day and day >= accepted_on for day in steps):
        # The period was locked that day: the model would refuse the value.
        raise StoryError(f"{where}: entered or reviewed after the period was locked")
    who = cast.recorder(record.partner)
    value = IndicatorValue(
        indicator=indicator,
        partner=cast.partner(record.partner),
        period=period,
        value=record.value,
        headcount=record.headcount,
        women=record.women,
        men=record.men,
        gender_other=record.gender_other,
        with_disabilities=record.with_disabilities,
        other_disadvantaged=record.other_disadvantaged,
        group_other=record.group_other,
        data_source=record.data_source,
        collection_method=record.collection_method,
        note=record.note,
    )
    # The same rules as the entry form: breakdowns add up, FTE within the headcount, an open
    # period, an entered indicator of the same project.
    value.full_clean()
    entered_at = _at(story, record.entered_on, times.entered_at)
    _stamp(value, entered_at, who)
    value.save_edit(None, reason="Entered")
    # auto_now_add took the wall clock, and each later save writes back what the instance holds.
    value.entered_at = entered_at
    _set_timestamps(IndicatorValue, value.pk, entered_at=entered_at)
    if record.submitted_on is None or record.submitted_on > today:
        return value
    submitted_at = _at(story, record.submitted_on, times.submitted_at)
    _stamp(value, submitted_at, who)
    value.submit(now=submitted_at, expected_version=value.version)
    if record.validated_on is None or record.validated_on > today:
        return value
    validated_at = _at(story, record.validated_on, times.validated_at)
    _stamp(value, validated_at, cast.coordinator)
    value.validate(by=cast.coordinator, now=validated_at, expected_version=value.version)
    return value


def _raise_query(
    story: Story,
    cast: _Cast,
    record: DataQueryRecord,
    values: dict[tuple[str, str, int], IndicatorValue],
    today: dt.date,
) -> DataQuery:
    """Raised by the coordinator about one value, assigned to its partner; the question opens
    the thread. Answered by the partner's staff when the story says so."""
    times = story.impact.times
    try:
        value = values[(record.indicator, record.partner, record.period)]
    except KeyError:
        raise StoryError(
            f"impact.toml: a query about {record.indicator} of {record.partner} for "
            f"RP{record.period}, which is not entered by then"
        ) from None
    raised_at = _at(story, record.raised_on, times.raised_at)
    query = DataQuery(
        project=cast.project,
        subject_type=ContentType.objects.get_for_model(value),
        subject_id=value.pk,
        check_code=record.check_code,
        question=record.question,
        assigned_to=value.partner,
        raised_by=cast.coordinator,
    )
    query.full_clean()
    _stamp(query, raised_at, cast.coordinator, "Raised")
    query.save()
    query.raised_at = raised_at
    _set_timestamps(DataQuery, query.pk, raised_at=raised_at)
    _valid_save(
        QueryMessage(
            query=query,
            author=cast.coordinator,
            kind=QueryMessage.Kind.QUESTION,
            text=record.question,
            at=raised_at,
        )
    )
    answer = record.answer
    if answer is not None and answer.on <= today:
        if answer.on < record.raised_on:
            raise StoryError(f"impact.toml: a query about {record.indicator} answered too early")
        answered_at = _at(story, answer.on, times.answered_at)
        who = cast.recorder(record.partner)
        _stamp(query, answered_at, who, "Answered")
        query.answer(by=who, text=answer.text, now=answered_at)
    return query
