"""The CO-RESP demo project's conference reports, written for the demo from what is publicly
known about the project's events (see ../shared/seed/), in the platform's own words.

`load_reports_demo(project, today=...)` runs after events/demo.py. It writes each report through
the same doors as the pages do (save, submit_for_review, publish), each on its own day by its own
person, and stops where `today` stops: a report due to be published after `today` is left in
review, or as a draft. Nothing is random.

The reports: the final conference (published), the social economy mission (published), the
first Gleisdorf roundtable (published) and the last Marina de Cudeyo roundtable (waiting for the
coordinator's review).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction

from accounts.models import User
from events.models import Event
from projects.models import Membership, Project
from reports.models import ConferenceReport, Recommendation

D = dt.date
A = Recommendation.Audience


@dataclass(frozen=True)
class ReportSpec:
    event_title: str
    written_on: dt.date
    submitted_on: dt.date | None
    published_on: dt.date | None
    summary: str
    key_messages: tuple[str, ...]
    success_stories: str
    challenges: str
    lessons_learned: str
    next_steps: str
    recommendations: tuple[tuple[str, str], ...]  # (audience, text)


FINAL_CONFERENCE = ReportSpec(
    event_title="Maximising the Use of Social Procurement: CO-RESP final conference",
    written_on=D(2024, 3, 25),
    submitted_on=D(2024, 4, 12),
    published_on=D(2024, 4, 19),
    summary=(
        "On 22 March 2024 CO-RESP closed with a conference at the European Economic and Social "
        "Committee in Brussels, followed both in the room and online. Local and regional "
        "authorities, social enterprises, organisations of persons with disabilities and "
        "procurement specialists came to take stock of what socially responsible public "
        "procurement (SRPP) had delivered in the project and in other European countries.\n\n"
        "The day moved from evidence to obstacles to action: the pilot municipalities and their "
        "partners showed contracts in which social requirements had opened jobs, a second panel "
        "looked at why such contracts remain the exception, and the closing discussion asked "
        "what would make them ordinary practice. The recommendations below came out of those "
        "discussions."
    ),
    key_messages=(
        "Social requirements written into public contracts do bring persons with disabilities "
        "and other disadvantaged people into work, when buyers and suppliers prepare them "
        "together.",
        "What cannot be counted cannot be scaled: employment results are measured in "
        "incompatible ways today.",
        "Habits and employers' doubts hold SRPP back at least as much as the law does.",
        "Social and environmental aims in procurement strengthen each other and belong in one "
        "strategy.",
    ),
    success_stories=(
        "Speakers from several countries described tenders in which a social clause made the "
        "contractor responsible for hiring people from the target groups, and showed the jobs "
        "that followed for persons with disabilities and others far from the labour market. In "
        "the CO-RESP pilots, services such as cleaning, green-space maintenance and catering "
        "proved the easiest place to start.\n\n"
        "Social enterprises told the room that a first public contract, won through a reserved "
        "lot or as a subcontractor, gave them the track record they needed to bid again."
    ),
    challenges=(
        "Data: authorities, contractors and employment services each record hiring under "
        "social clauses in their own way, so their figures disagree and cannot be added up to "
        "show what a policy achieved.\n\n"
        "Culture: in many administrations procurement is still seen as a legal exercise decided "
        "on price, and social aims as somebody else's business.\n\n"
        "Employers: contractors hesitate to commit to hiring targets, unsure whether suitable "
        "candidates will apply, what support they will get and how compliance will be judged."
    ),
    lessons_learned=(
        "Three steps were named again and again as the way to wider use of SRPP. First, raise "
        "awareness and build skills among everyone involved, from procurement officers to "
        "employers and social enterprises. Second, set up lasting partnerships between the "
        "public and private sides, so that hiring commitments are planned before the tender "
        "rather than discovered in it. Third, bring environmental criteria into the same "
        "procurement decisions, since buyers are more willing to change how they purchase when "
        "one change serves both goals."
    ),
    next_steps=(
        "The recommendations feed the project's recommendations for replication and its policy "
        "brief. The community of practice set up by CO-RESP continues after the project, so "
        "that procurement officers and practitioners can keep exchanging tenders, clauses and "
        "results. The recording of the conference is available from the event's page."
    ),
    recommendations=(
        (
            A.POLICY_MAKERS,
            "Set out a clear policy framework for social procurement: say what authorities are "
            "expected to do with social clauses and reserved contracts, provide model clauses, "
            "and explain how compliance will be verified.",
        ),
        (
            A.ALL,
            "Make collaboration between the public and private sectors a standing arrangement, "
            "for instance a partnership around a recurring contract, so that buyers, employers "
            "and social enterprises plan the hiring together.",
        ),
        (
            A.CONTRACTING_AUTHORITIES,
            "Take a holistic approach: pursue social and environmental objectives in the same "
            "procurement strategy and, where it fits, in the same tenders.",
        ),
        (
            A.CONTRACTING_AUTHORITIES,
            "Train procurement officers in SRPP and agree at the outset which employment "
            "figures contractors must report, and in what form, so that results can be compared "
            "and added up.",
        ),
        (
            A.SOCIAL_ECONOMY,
            "Prepare to bid together: consortia and subcontracting agreements let smaller "
            "social enterprises meet the size and capacity a public contract requires.",
        ),
        (
            A.POLICY_MAKERS,
            "Support awareness work aimed at employers, showing what hiring persons with "
            "disabilities involves in practice and what help is available, to answer the "
            "reluctance contractors report.",
        ),
    ),
)

MISSION = ReportSpec(
    event_title="Social economy mission: inclusive enterprises that deliver public contracts",
    written_on=D(2023, 4, 25),
    submitted_on=D(2023, 5, 2),
    published_on=D(2023, 5, 5),
    summary=(
        "Fourteen procurement officers and councillors from Dobrich, Gleisdorf and Marina de "
        "Cudeyo spent three days with five inclusive enterprises that already work for public "
        "buyers, to judge quality, delivery capacity and prices for themselves."
    ),
    key_messages=(
        "Seeing the work answers most doubts about what inclusive enterprises can deliver.",
        "Each municipality came home with two contracts to examine at its first roundtable.",
    ),
    success_stories=(
        "A catering enterprise supplies school canteens under a reserved contract; a cleaning "
        "enterprise holds a multi-year contract with a regional authority."
    ),
    challenges=(
        "Participants doubted that enterprises in their own regions had the same capacity; "
        "the roundtables will have to map local suppliers first."
    ),
    lessons_learned="Visits work best when each one answers questions agreed beforehand.",
    next_steps="The roundtables in the three municipalities start in May.",
    recommendations=(
        (
            A.CONTRACTING_AUTHORITIES,
            "Visit potential suppliers before writing a reserved or socially conditioned "
            "tender: what buyers have seen, they trust.",
        ),
        (
            A.SOCIAL_ECONOMY,
            "Invite public buyers to your premises and show your delivery record.",
        ),
    ),
)

GLEISDORF_FIRST = ReportSpec(
    event_title="Local roundtable in Gleisdorf (1 of 3): mapping the contracts",
    written_on=D(2023, 5, 30),
    submitted_on=D(2023, 6, 5),
    published_on=D(2023, 6, 9),
    summary=(
        "The first Gleisdorf roundtable brought the municipality's buyers together with social "
        "enterprises, local employers and the employment service to choose the contracts to "
        "work on: building cleaning and the upkeep of parks."
    ),
    key_messages=("Employers want to know how a hiring clause will be checked.",),
    success_stories="",
    challenges=(
        "Employers asked what happens if no suitable candidate applies for a job created by a "
        "hiring clause."
    ),
    lessons_learned="",
    next_steps="The second session drafts the clauses for the two contracts.",
    recommendations=(
        (
            A.CONTRACTING_AUTHORITIES,
            "Explain at the start how compliance with a hiring clause will be checked, and "
            "what happens when no suitable candidate applies.",
        ),
    ),
)

MARINA_LAST = ReportSpec(
    event_title="Local roundtable in Marina de Cudeyo (3 of 3): targets for the action plan",
    written_on=D(2024, 3, 27),
    submitted_on=D(2024, 4, 2),
    published_on=None,
    summary=(
        "The last roundtable in Marina de Cudeyo agreed the targets of the municipality's local "
        "action plan, after sessions delayed by the municipal elections."
    ),
    key_messages=("Two reserved lots are planned for the next green-space contract.",),
    success_stories="",
    challenges="The new council needed time to adopt the project as its own.",
    lessons_learned="",
    next_steps="The action plan goes to the council for adoption.",
    recommendations=(
        (
            A.CONTRACTING_AUTHORITIES,
            "Agree the targets with the council early, so that a change of government does not "
            "stop the plan.",
        ),
    ),
)

REPORTS = (MISSION, GLEISDORF_FIRST, MARINA_LAST, FINAL_CONFERENCE)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=ZoneInfo("Europe/Brussels"))


def _stamp(obj: object, when: dt.datetime, user: User | None) -> None:
    obj._history_date = when  # type: ignore[attr-defined]
    obj._history_user = user  # type: ignore[attr-defined]


@transaction.atomic
def load_reports_demo(project: Project, *, today: dt.date) -> list[ConferenceReport]:
    """Write the demo project's conference reports as they stood on `today`.

    Needs the events of events/demo.py (a report whose event is missing, or was not yet held
    by `today`, is skipped). Does nothing if the project already has conference reports, so it
    is safe to run twice. Returns the reports it wrote.
    """
    if ConferenceReport.objects.in_project(project).exists():  # type: ignore[attr-defined]
        return []
    events = {e.title: e for e in Event.objects.filter(project=project).select_related("organiser")}
    coordinator = (
        Membership.objects.filter(project=project, role=Membership.Role.COORDINATOR, is_active=True)
        .select_related("user")
        .first()
    )
    reviewer = coordinator.user if coordinator else None
    written = []
    for spec in REPORTS:
        event = events.get(spec.event_title)
        if event is None or spec.written_on > today or event.status != Event.Status.HELD:
            continue
        writer = (
            Membership.objects.filter(
                project=project, partner=event.organiser, role=Membership.Role.PARTNER
            )
            .select_related("user")
            .first()
        )
        written.append(_write(spec, event, writer.user if writer else reviewer, reviewer, today))
    return written


def _write(
    spec: ReportSpec, event: Event, writer: User | None, reviewer: User | None, today: dt.date
) -> ConferenceReport:
    report = ConferenceReport(
        event=event,
        author=event.organiser,
        summary=spec.summary,
        key_messages="\n".join(spec.key_messages),
        success_stories=spec.success_stories,
        challenges=spec.challenges,
        lessons_learned=spec.lessons_learned,
        next_steps=spec.next_steps,
    )
    report.full_clean()
    _stamp(report, _at(spec.written_on, 11), writer)
    report._change_reason = "Written"  # type: ignore[attr-defined]
    report.save()
    for position, (audience, text) in enumerate(spec.recommendations, start=1):
        Recommendation.objects.create(
            report=report, text=text, audience=audience, position=position
        )
    if spec.submitted_on and spec.submitted_on <= today:
        _stamp(report, _at(spec.submitted_on, 15), writer)
        report.submit_for_review(expected_version=report.version)
        if spec.published_on and spec.published_on <= today:
            _stamp(report, _at(spec.published_on, 10), reviewer)
            report.publish(expected_version=report.version, now=_at(spec.published_on, 10))
    ConferenceReport.objects.filter(pk=report.pk).update(
        updated_at=_at(
            max(
                d
                for d in (spec.written_on, spec.submitted_on, spec.published_on)
                if d and d <= today
            ),
            16,
        )
    )
    return report
