"""The CO-RESP demo project: a consortium, its plan and a believable state of work.

CO-RESP (October 2022 - March 2024, Single Market Programme) piloted socially responsible public
procurement (SRPP) for jobs for persons with disabilities and for other disadvantaged people
in three municipalities. `load_demo` builds it as the platform would hold it some time after the
project ended: most deliverables approved or submitted, a few late, the final report still in
review, one local action plan sent back for changes, one milestone missed.

Everything happens on a fixed calendar. Each deliverable, milestone, risk review and reporting
period carries the dates on which things happened to it; `load_demo(today=...)` replays what had
happened by `today` through the models' own workflow methods, so the history tables show who did
what and when, and a date earlier than the end of the project gives an earlier snapshot. Nothing is
random: the same `today` always gives the same data.

Events (the mission, roundtables, meetings, the final conference) belong to the events app and are
not created here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import models, transaction

from accounts.models import User
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

DEMO_PASSWORD = "coresp-demo"  # noqa: S105 - the published password of the demo accounts
DEMO_ACRONYM = "CO-RESP"

BRUSSELS = ZoneInfo("Europe/Brussels")
D = dt.date


class DemoConflict(Exception):
    """The database already holds something the demo would create."""


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=BRUSSELS)


# --------------------------------------------------------------------------------------------
# The consortium
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerSpec:
    number: int
    short_name: str
    legal_name: str
    country: str
    kind: str
    pic: str
    role: str = Partner.Role.BENEFICIARY


PARTNERS: tuple[PartnerSpec, ...] = (
    PartnerSpec(
        1,
        "EASPD",
        "European Association of Service providers for Persons with Disabilities",
        "BE",
        Organisation.Kind.NETWORK,
        "949617286",
        Partner.Role.COORDINATOR,
    ),
    PartnerSpec(
        2,
        "NASO",
        "National Alliance for Social Responsibility",
        "BG",
        Organisation.Kind.SOCIAL_ECONOMY,
        "906418273",
    ),
    PartnerSpec(
        3,
        "ZfSW",
        "Zentrum für Sozialwirtschaft",
        "AT",
        Organisation.Kind.SOCIAL_ECONOMY,
        "898134562",
    ),
    PartnerSpec(
        4,
        "EUCIE",
        "European Confederation of Inclusive Enterprises",
        "FR",
        Organisation.Kind.NETWORK,
        "888452917",
    ),
    PartnerSpec(
        5,
        "Dobrich",
        "Dobrich Municipality",
        "BG",
        Organisation.Kind.PUBLIC_AUTHORITY,
        "912663084",
    ),
    PartnerSpec(
        6,
        "Gleisdorf",
        "Stadtgemeinde Gleisdorf",
        "AT",
        Organisation.Kind.PUBLIC_AUTHORITY,
        "917205348",
    ),
    PartnerSpec(
        7,
        "Marina de Cudeyo",
        "Ayuntamiento de Marina de Cudeyo",
        "ES",
        Organisation.Kind.PUBLIC_AUTHORITY,
        "913874605",
    ),
)


@dataclass(frozen=True)
class DemoUser:
    key: str
    email: str
    full_name: str
    role: str | None  # a Membership.Role, or None for the site administrator
    partner: int | None  # partner number
    is_admin: bool = False


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser(
        "coord",
        "coordinator@easpd.example",
        "Clara Vandenberghe",
        Membership.Role.COORDINATOR,
        1,
    ),
    DemoUser(
        "easpd",
        "partner@easpd.example",
        "Tomás Oliveira",
        Membership.Role.PARTNER,
        1,
    ),
    DemoUser(
        "naso",
        "partner@naso.example",
        "Desislava Petrova",
        Membership.Role.PARTNER,
        2,
    ),
    DemoUser(
        "zfsw",
        "partner@zfsw.example",
        "Markus Hofer",
        Membership.Role.PARTNER,
        3,
    ),
    DemoUser(
        "eucie",
        "partner@eucie.example",
        "Camille Lefèvre",
        Membership.Role.PARTNER,
        4,
    ),
    DemoUser(
        "dobrich",
        "partner@dobrich.example",
        "Georgi Ivanov",
        Membership.Role.PARTNER,
        5,
    ),
    DemoUser(
        "gleisdorf",
        "partner@gleisdorf.example",
        "Sabine Pichler",
        Membership.Role.PARTNER,
        6,
    ),
    DemoUser(
        "marina",
        "partner@marinadecudeyo.example",
        "Lucía Gómez Ruiz",
        Membership.Role.PARTNER,
        7,
    ),
    DemoUser(
        "observer",
        "observer@funder.example",
        "Ingrid Lindqvist",
        Membership.Role.OBSERVER,
        None,
    ),
    DemoUser(
        "admin",
        "admin@coresp.example",
        "Platform Administrator",
        None,
        None,
        is_admin=True,
    ),
)


def demo_logins() -> list[tuple[str, str, str]]:
    """(email, role, organisation) of every demo account, in the order to show them."""
    names = {spec.number: f"P{spec.number} {spec.short_name}" for spec in PARTNERS}
    roles = dict(Membership.Role.choices)
    rows = []
    for user in DEMO_USERS:
        if user.role is None:
            role, organisation = "site admin", "- (Django admin)"
        elif user.partner is None:
            role, organisation = str(roles[user.role]), "- (funder)"
        else:
            role, organisation = str(roles[user.role]), names[user.partner]
        rows.append((user.email, role.lower(), organisation))
    return rows


# --------------------------------------------------------------------------------------------
# The project and its plan
# --------------------------------------------------------------------------------------------

PROJECT = {
    "acronym": DEMO_ACRONYM,
    "slug": "co-resp",
    "title": (
        "Co-creating socially responsible public procurement for the inclusive employment of "
        "persons with disabilities and disadvantaged groups"
    ),
    "programme": Project.Programme.SMP,
    "grant_agreement_number": "101087316",
    "start_date": D(2022, 10, 1),
    "duration_months": 18,
    "website": "https://co-resp.example/",
    "summary": (
        "CO-RESP brings municipalities and the social economy to the same table so that public "
        "purchasing creates jobs for persons with disabilities and other people far from the "
        "labour market. In three pilot localities (Dobrich in Bulgaria, Gleisdorf in Austria and "
        "Marina de Cudeyo in Spain) the partners map what local social enterprises can supply, "
        "take procurement officers and councillors on a mission to see inclusive enterprises at "
        "work, and run local roundtables with contracting authorities, social economy "
        "organisations, employers and organisations of persons with disabilities. Each "
        "municipality ends with a local action plan built on social clauses, reserved contracts "
        "and early market engagement. What the pilots teach is turned into recommendations for "
        "replication, model clauses, and a European community of practice on socially "
        "responsible public procurement (SRPP)."
    ),
}

# number, title, lead partner, start month, end month, objectives
WORK_PACKAGES: tuple[tuple[int, str, int, int, int, str], ...] = (
    (
        1,
        "Project management and quality assurance",
        1,
        1,
        18,
        "Keep the partnership on course from kick-off to final report: plan and follow up the "
        "work, hold the monthly coordination calls, manage the budget and report to the funder "
        "on time.\n"
        "Set the quality rules every output must pass (internal peer review by another partner, "
        "accessible and plain-language versions) and check them at mid-term and at the end.\n"
        "Protect the people who take part: consent in their own language, and attendance kept "
        "as aggregate counts only.\n"
        "Keep the risk register alive and bring all partners together for a transnational "
        "project meeting before the close.",
    ),
    (
        2,
        "Social economy mission",
        4,
        2,
        9,
        "Find out what the social economy can supply in and around the three pilot "
        "municipalities: social enterprises, work-integration enterprises and sheltered "
        "workshops, what they produce and how many people from the target groups they employ.\n"
        "Take procurement officers and elected representatives of the three municipalities on a "
        "mission to inclusive enterprises that already deliver public contracts, so that they "
        "see quality, capacity and prices for themselves.\n"
        "Bring back concrete ideas for contracts that each municipality could reserve or open "
        "to social clauses.",
    ),
    (
        3,
        "Local roundtables and local action plans",
        2,
        4,
        16,
        "In each pilot municipality, bring together those who buy, those who supply and those "
        "the contracts should benefit: procurement staff, social economy organisations, "
        "mainstream employers, the public employment service and organisations of persons with "
        "disabilities.\n"
        "Hold three roundtable sessions per locality to pick the contracts best suited to social "
        "clauses or reservation, agree targets and settle how results will be measured.\n"
        "Turn the conclusions into a local action plan that each municipality formally adopts.",
    ),
    (
        4,
        "Recommendations for replication",
        3,
        10,
        18,
        "Compare how Austria, Bulgaria and Spain apply the rules on reserved contracts and "
        "social considerations of the 2014 public procurement directive, and where procurement "
        "officers see legal risk.\n"
        "Draw out what worked and what did not in the three pilots, and package it for other "
        "municipalities: a step-by-step route from supplier mapping to adopted plan, model "
        "clauses and tender templates, and recommendations to contracting authorities, the "
        "social economy and policy makers.",
    ),
    (
        5,
        "Communication, dissemination and the community of practice",
        1,
        1,
        18,
        "Make the project known to contracting authorities and the social economy across Europe "
        "through the partners' networks, an accessible web page, newsletters and national "
        "procurement events.\n"
        "Open an online community of practice where procurement officers and social economy "
        "practitioners swap tenders, clauses and results, and make sure it carries on after the "
        "project.\n"
        "Close the project with a final conference in Brussels and a policy brief for EU and "
        "national decision makers.",
    ),
)

REPORTING_PERIODS = (
    # number, start month, end month, report due, the day the report was accepted (locks it)
    (1, 1, 9, D(2023, 8, 29), D(2023, 10, 12)),
    (2, 10, 18, D(2024, 5, 30), None),
)


# --------------------------------------------------------------------------------------------
# Deliverables and what happened to them
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """Something that happened to a deliverable on `day`, done by the demo user `who`."""

    day: dt.date
    action: str  # start, progress, review, changes, approve, submit
    who: str = "coord"
    percent: int | None = None
    text: str = ""


def start(day: dt.date, who: str) -> Step:
    return Step(day, "start", who)


def progress(day: dt.date, who: str, percent: int, note: str) -> Step:
    return Step(day, "progress", who, percent, note)


def review(day: dt.date, who: str) -> Step:
    return Step(day, "review", who)


def changes(day: dt.date, comment: str) -> Step:
    return Step(day, "changes", "coord", text=comment)


def approve(day: dt.date) -> Step:
    return Step(day, "approve", "coord")


def submit(day: dt.date, justification: str = "") -> Step:
    return Step(day, "submit", "coord", text=justification)


@dataclass(frozen=True)
class DeliverableSpec:
    number: str
    title: str
    lead: int
    type: str
    dissemination: str
    due_month: int
    description: str
    steps: tuple[Step, ...] = field(default=())


R, DEC, DMP, OTHER = (
    Deliverable.Type.R,
    Deliverable.Type.DEC,
    Deliverable.Type.DMP,
    Deliverable.Type.OTHER,
)
PU, SEN = Deliverable.Dissemination.PU, Deliverable.Dissemination.SEN

DELIVERABLES: tuple[DeliverableSpec, ...] = (
    # ---- WP1 ------------------------------------------------------------------------------
    DeliverableSpec(
        "D1.1",
        "Project handbook and quality assurance plan",
        1,
        R,
        SEN,
        2,
        "The consortium's rule book: who decides what and how disagreements are escalated, the "
        "calendar of internal deadlines, templates for timesheets and activity reports, and the "
        "quality route every deliverable follows: a peer reviewer from another partner, a "
        "two-week review window, and a checklist covering plain language, an easy-to-read "
        "summary and accessible documents (headings, alternative text, contrast).",
        (
            start(D(2022, 10, 5), "easpd"),
            progress(
                D(2022, 10, 24),
                "easpd",
                50,
                "Structure agreed at the kick-off; roles table and internal calendar drafted.",
            ),
            progress(
                D(2022, 11, 14),
                "easpd",
                90,
                "ZfSW's peer review worked in; accessibility checklist added as an annex.",
            ),
            review(D(2022, 11, 16), "easpd"),
            approve(D(2022, 11, 25)),
            submit(D(2022, 11, 28)),
        ),
    ),
    DeliverableSpec(
        "D1.2",
        "Data management and data protection plan",
        1,
        DMP,
        SEN,
        3,
        "Which data the project collects (supplier mapping, roundtable attendance, survey "
        "answers, evaluation forms), where it is stored, who may see it and when it is deleted. "
        "Consent forms in Bulgarian, German and Spanish. Attendance at every event is recorded "
        "as aggregate counts only, so the project never holds a list of participants' "
        "disability status; access needs are asked separately and deleted after the event.",
        (
            start(D(2022, 11, 7), "easpd"),
            progress(
                D(2022, 12, 12),
                "easpd",
                70,
                "Consent forms drafted in three languages; waiting for the data protection "
                "officers of Dobrich and Marina de Cudeyo to clear them.",
            ),
            review(D(2023, 1, 10), "easpd"),
            approve(D(2023, 1, 17)),
            submit(
                D(2023, 1, 20),
                "The data protection officers of two partner municipalities had to clear the "
                "Bulgarian and Spanish consent forms before the plan could be final, and their "
                "offices were closed over the year-end holidays. Submitted once both had "
                "signed off.",
            ),
        ),
    ),
    DeliverableSpec(
        "D1.3",
        "Interim quality and risk report",
        1,
        R,
        SEN,
        9,
        "A mid-term check against the quality plan: peer-review scores of the first "
        "deliverables, what partners and mission participants said in the feedback survey, the "
        "state of the risk register, and the corrective actions agreed for the second half of "
        "the project.",
        (
            start(D(2023, 5, 22), "easpd"),
            progress(
                D(2023, 6, 9),
                "easpd",
                60,
                "Partner survey closed with all seven partners answering; risk register "
                "reviewed with the work package leaders.",
            ),
            review(D(2023, 6, 21), "easpd"),
            approve(D(2023, 6, 27)),
            submit(D(2023, 6, 29)),
        ),
    ),
    DeliverableSpec(
        "D1.4",
        "Final quality assessment report",
        1,
        R,
        SEN,
        18,
        "The end-of-project assessment: whether the outputs met the quality criteria, what "
        "participants in the mission, the roundtables and the final conference said in their "
        "evaluation forms, how the risks were handled, and what the partners would do "
        "differently next time.",
        (
            start(D(2024, 2, 12), "easpd"),
            progress(
                D(2024, 3, 8),
                "easpd",
                55,
                "Roundtable evaluation forms from the three municipalities compiled; "
                "lessons-learned session for the transnational meeting prepared.",
            ),
            progress(
                D(2024, 4, 5),
                "easpd",
                85,
                "Final conference evaluation added (41% of participants answered).",
            ),
            review(D(2024, 4, 12), "easpd"),
            changes(
                D(2024, 4, 19),
                "Please present the findings per pilot municipality rather than only for the "
                "consortium as a whole, and give the response rate of each evaluation.",
            ),
            review(D(2024, 4, 30), "easpd"),
            approve(D(2024, 5, 6)),
        ),
    ),
    DeliverableSpec(
        "D1.5",
        "Final report to the funder",
        1,
        R,
        SEN,
        18,
        "The final technical and financial report: activities and results against the grant "
        "agreement, the state of every deliverable and milestone, deviations from the plan and "
        "how they were handled, and the consolidated financial statement built from each "
        "partner's costs and timesheets.",
        (
            start(D(2024, 3, 25), "easpd"),
            progress(
                D(2024, 4, 22),
                "easpd",
                40,
                "Technical part drafted for WP1, WP2 and WP5; sections for WP3 and WP4 "
                "requested from NASO and ZfSW.",
            ),
            progress(
                D(2024, 5, 17),
                "easpd",
                75,
                "All technical sections in. Cost statements still missing from two partners.",
            ),
            progress(
                D(2024, 5, 29),
                "easpd",
                90,
                "Cost statements received; consolidated budget table checked against the "
                "timesheets. Ready for the coordinator's review.",
            ),
            review(D(2024, 5, 30), "easpd"),
        ),
    ),
    # ---- WP2 ------------------------------------------------------------------------------
    DeliverableSpec(
        "D2.1",
        "Mapping of social economy suppliers in the pilot localities",
        3,
        R,
        PU,
        3,
        "An inventory of the social enterprises, work-integration enterprises and sheltered "
        "workshops within reach of Dobrich, Gleisdorf and Marina de Cudeyo: what they make or "
        "do, whether they can handle a public contract, and how many people from the target "
        "groups they employ. Set against it, what the three municipalities bought in 2021-2022 "
        "and which of those goods and services the social economy could supply.",
        (
            start(D(2022, 10, 17), "zfsw"),
            progress(
                D(2022, 11, 21),
                "zfsw",
                40,
                "Collection templates sent to the three municipalities; Gleisdorf has returned "
                "its 2021 purchasing list.",
            ),
            progress(
                D(2022, 12, 19),
                "zfsw",
                65,
                "The Bulgarian and Spanish registers count disadvantaged workers in different "
                "ways: harmonising the categories with NASO before going further (see R1).",
            ),
            progress(
                D(2023, 1, 30),
                "zfsw",
                95,
                "Common categories agreed and figures re-collected; supplier tables complete "
                "for all three localities.",
            ),
            review(D(2023, 2, 1), "zfsw"),
            changes(
                D(2023, 2, 8),
                "For enterprises with fewer than ten employees, give the number of workers from "
                "the target groups as a range rather than an exact figure, so that no one can be "
                "identified.",
            ),
            review(D(2023, 2, 15), "zfsw"),
            approve(D(2023, 2, 20)),
            submit(
                D(2023, 2, 22),
                "The national registers of Bulgaria, Austria and Spain define the target groups "
                "differently (recognised disability, long-term unemployment, social assistance), "
                "so the first supplier tables could not be compared. The partners agreed a "
                "common set of categories in January 2023 and collected the figures again.",
            ),
        ),
    ),
    DeliverableSpec(
        "D2.2",
        "Social economy mission: programme and participant guide",
        4,
        R,
        PU,
        5,
        "The programme of the three-day mission for procurement officers and councillors from "
        "the pilot municipalities: the inclusive enterprises to be visited and what each visit "
        "should answer (quality, delivery capacity, price, support for workers), plus a short "
        "primer on reserved contracts and social clauses to read before travelling.",
        (
            start(D(2023, 1, 9), "eucie"),
            progress(
                D(2023, 2, 6),
                "eucie",
                70,
                "Five host enterprises confirmed; travel for the Dobrich delegation arranged.",
            ),
            review(D(2023, 2, 16), "eucie"),
            approve(D(2023, 2, 21)),
            submit(D(2023, 2, 24)),
        ),
    ),
    DeliverableSpec(
        "D2.3",
        "Social economy mission report: lessons for contracting authorities",
        4,
        R,
        PU,
        8,
        "What the mission participants saw and brought home: contracts that inclusive "
        "enterprises already deliver for public buyers (catering, cleaning, green-space "
        "maintenance, printing, laundry), the conditions that made them work, and the first "
        "ideas each municipality took back for its own tenders.",
        (
            start(D(2023, 4, 24), "eucie"),
            progress(
                D(2023, 5, 15),
                "eucie",
                50,
                "Visit notes compiled; write-up of the interviews with two host enterprises "
                "still to do.",
            ),
            progress(
                D(2023, 6, 12),
                "eucie",
                85,
                "Participants' follow-up questionnaire in; chapter on catering and cleaning "
                "contracts finished.",
            ),
            review(D(2023, 6, 19), "eucie"),
            approve(D(2023, 6, 26)),
            submit(
                D(2023, 6, 28),
                "The report waited for the participants' follow-up questionnaire. Several "
                "officials of Marina de Cudeyo could only answer after the Spanish municipal "
                "elections of 28 May 2023, and we wanted the report to reflect what the new "
                "council intends to do.",
            ),
        ),
    ),
    # ---- WP3 ------------------------------------------------------------------------------
    DeliverableSpec(
        "D3.1",
        "Roundtable methodology and facilitation toolkit",
        2,
        R,
        PU,
        5,
        "A step-by-step method for local SRPP roundtables: whom to invite (contracting "
        "authorities, social economy organisations, mainstream employers, the employment "
        "service, organisations of persons with disabilities), the format of each of the three "
        "sessions, exercises for choosing contracts suited to social clauses or reservation, a "
        "checklist for accessible venues and material, and templates for the roundtable report "
        "and the local action plan.",
        (
            start(D(2023, 1, 16), "naso"),
            progress(
                D(2023, 2, 13),
                "naso",
                60,
                "Session formats tried out with the Dobrich team; accessibility checklist "
                "reviewed by EASPD.",
            ),
            review(D(2023, 2, 20), "naso"),
            approve(D(2023, 2, 27)),
            submit(D(2023, 2, 28)),
        ),
    ),
    DeliverableSpec(
        "D3.2",
        "Local roundtable reports: Dobrich, Gleisdorf and Marina de Cudeyo",
        2,
        R,
        PU,
        11,
        "One chapter per municipality covering its three roundtable sessions: who took part "
        "(aggregate counts by stakeholder group), which contracts were examined, the doubts "
        "raised by buyers and employers, and the commitments made. Each chapter is written with "
        "the municipal partner and translated into English.",
        (
            start(D(2023, 5, 8), "naso"),
            progress(
                D(2023, 7, 10),
                "naso",
                35,
                "First and second sessions in Dobrich and Gleisdorf written up.",
            ),
            progress(
                D(2023, 8, 28),
                "naso",
                60,
                "Marina de Cudeyo sessions moved to September while the new council settles in.",
            ),
            progress(
                D(2023, 9, 25),
                "naso",
                90,
                "All nine sessions written up; English translations being checked.",
            ),
            review(D(2023, 9, 29), "naso"),
            approve(D(2023, 10, 6)),
            submit(
                D(2023, 10, 9),
                "The roundtables in Marina de Cudeyo had to move from June to September 2023 "
                "because the municipal council was being reconstituted after the May elections. "
                "We held the report back for the last session so that all three localities are "
                "covered in one document.",
            ),
        ),
    ),
    DeliverableSpec(
        "D3.3",
        "Local action plan: Dobrich",
        5,
        R,
        PU,
        15,
        "Dobrich's plan for 2024-2026: a contract performance clause requiring the hiring of "
        "unemployed persons with disabilities in the municipal cleaning and green-space "
        "contracts, a lot for office supplies reserved for sheltered workshops, a yearly "
        "market-engagement day with local social enterprises, and the indicators the "
        "administration will report to the municipal council.",
        (
            start(D(2023, 10, 2), "dobrich"),
            progress(
                D(2023, 11, 6),
                "dobrich",
                50,
                "Draft discussed with the procurement department and the local labour office.",
            ),
            progress(
                D(2023, 12, 4),
                "dobrich",
                85,
                "Targets agreed at the third roundtable; legal check of the reserved lot done.",
            ),
            review(D(2023, 12, 11), "dobrich"),
            approve(D(2023, 12, 18)),
            submit(D(2023, 12, 21)),
        ),
    ),
    DeliverableSpec(
        "D3.4",
        "Local action plan: Gleisdorf",
        6,
        R,
        PU,
        15,
        "Gleisdorf's plan: social award criteria in the tenders for school catering and "
        "building maintenance, contracts reserved for sheltered workshops and integrative "
        "enterprises as Austrian procurement law allows, a supplier day with the regional "
        "social economy, and a yearly count of the people from the target groups employed "
        "under municipal contracts.",
        (
            start(D(2023, 10, 9), "gleisdorf"),
            progress(
                D(2023, 11, 13),
                "gleisdorf",
                45,
                "Catering and maintenance contracts chosen with the building authority.",
            ),
            progress(
                D(2023, 12, 12),
                "gleisdorf",
                80,
                "Award criteria drafted; the council's social committee has seen the draft.",
            ),
            review(D(2024, 1, 8), "gleisdorf"),
            changes(
                D(2024, 1, 15),
                "Add the baseline-year figures for each indicator and name the office that "
                "will report on them each year.",
            ),
            review(D(2024, 2, 5), "gleisdorf"),
            approve(D(2024, 2, 12)),
        ),
    ),
    DeliverableSpec(
        "D3.5",
        "Local action plan: Marina de Cudeyo",
        7,
        R,
        PU,
        15,
        "Marina de Cudeyo's plan: the share of the contract budget reserved for special "
        "employment centres of social initiative and work-integration enterprises, as Spanish "
        "procurement law requires, social clauses in the cleaning and maintenance contracts "
        "for municipal buildings, and a preliminary market consultation with the social "
        "economy before every large tender.",
        (
            start(D(2023, 10, 16), "marina"),
            progress(
                D(2023, 11, 20),
                "marina",
                30,
                "Our procurement officer left in October; the secretary's office has taken over "
                "the draft.",
            ),
            progress(
                D(2024, 1, 22),
                "marina",
                60,
                "Reserved share discussed with the groups on the council.",
            ),
            progress(
                D(2024, 2, 26),
                "marina",
                85,
                "Plan complete in Spanish; English summary in progress.",
            ),
            review(D(2024, 3, 4), "marina"),
            changes(
                D(2024, 3, 13),
                "The plan does not yet fix the percentage of the contract budget to be reserved "
                "or the year from which it applies, and the indicators have no baseline. Please "
                "add both, and attach the council agenda on which the plan will be adopted.",
            ),
            progress(
                D(2024, 4, 15),
                "marina",
                90,
                "Percentage and baseline added. Adoption by the full council expected after "
                "the summer; the agenda will follow.",
            ),
        ),
    ),
    # ---- WP4 ------------------------------------------------------------------------------
    DeliverableSpec(
        "D4.1",
        "Reserved contracts and social clauses: legal frameworks in Austria, Bulgaria and Spain",
        3,
        R,
        PU,
        12,
        "How the three countries transposed the directive's provisions on reserved contracts, "
        "award criteria and contract performance conditions: thresholds and procedures, which "
        "organisations may bid for a reserved contract, and where procurement officers fear "
        "complaints or audit findings. A comparison table, and answers to the legal questions "
        "raised at the roundtables.",
        (
            start(D(2023, 7, 3), "zfsw"),
            progress(
                D(2023, 8, 7),
                "zfsw",
                45,
                "Austrian and Spanish chapters drafted; Bulgarian chapter in progress with NASO.",
            ),
            progress(
                D(2023, 9, 11),
                "zfsw",
                85,
                "Comparison table finished; roundtable questions answered.",
            ),
            review(D(2023, 9, 18), "zfsw"),
            approve(D(2023, 9, 26)),
            submit(D(2023, 9, 28)),
        ),
    ),
    DeliverableSpec(
        "D4.2",
        "Recommendations for replicating SRPP in European municipalities",
        3,
        R,
        PU,
        18,
        "What another municipality needs in order to repeat the CO-RESP route from supplier "
        "mapping to an adopted action plan: the steps, the time and staff they take, the "
        "conditions for success and the pitfalls met in the pilots (incomparable data, "
        "reluctant employers, turnover of procurement staff), with recommendations addressed "
        "to contracting authorities, social economy organisations and policy makers.",
        (
            start(D(2023, 12, 4), "zfsw"),
            progress(
                D(2024, 1, 29),
                "zfsw",
                40,
                "Interviews with the three municipalities done; outline agreed with NASO.",
            ),
            progress(
                D(2024, 3, 25),
                "zfsw",
                75,
                "Draft discussed at the transnational project meeting on 21 March; messages "
                "from the final conference to be added.",
            ),
            review(D(2024, 4, 15), "zfsw"),
            changes(
                D(2024, 4, 24),
                "Split the recommendations by audience and give each one an example from the "
                "pilots. The section on monitoring contractors' hiring needs the data caveats "
                "from D2.1.",
            ),
            progress(
                D(2024, 5, 8),
                "zfsw",
                95,
                "Recommendations regrouped for contracting authorities, the social economy and "
                "policy makers; examples and data caveats added.",
            ),
            review(D(2024, 5, 13), "zfsw"),
        ),
    ),
    DeliverableSpec(
        "D4.3",
        "Model social clauses and tender templates",
        4,
        OTHER,
        PU,
        17,
        "Wording ready to adapt for contract notices and tender documents: a notice for a "
        "reserved contract, social award criteria with scoring examples, performance clauses "
        "on hiring persons with disabilities and long-term unemployed people, and the "
        "monitoring form contractors fill in. In English, with Bulgarian, German and Spanish "
        "versions.",
        (
            start(D(2024, 1, 8), "eucie"),
            progress(
                D(2024, 2, 19),
                "eucie",
                50,
                "English templates drafted and checked by ZfSW against the legal analysis (D4.1).",
            ),
            progress(
                D(2024, 4, 8),
                "eucie",
                65,
                "Bulgarian and German versions done. The Spanish version waits for the revised "
                "Marina de Cudeyo plan (D3.5).",
            ),
        ),
    ),
    # ---- WP5 ------------------------------------------------------------------------------
    DeliverableSpec(
        "D5.1",
        "Communication and dissemination plan",
        1,
        R,
        PU,
        3,
        "Audiences and messages, channels (the partners' networks, newsletters, social media, "
        "national procurement events), accessibility rules for every piece of material, "
        "indicators of reach, and who does what in each partner organisation.",
        (
            start(D(2022, 10, 10), "easpd"),
            progress(
                D(2022, 11, 28),
                "easpd",
                70,
                "Audiences and channels agreed with all partners; indicators drafted.",
            ),
            review(D(2022, 12, 12), "easpd"),
            approve(D(2022, 12, 16)),
            submit(D(2022, 12, 20)),
        ),
    ),
    DeliverableSpec(
        "D5.2",
        "Visual identity and project web page",
        1,
        DEC,
        PU,
        2,
        "Logo, document and slide templates, and an accessible project web page hosted by the "
        "coordinator, with pages for each pilot in Bulgarian, German and Spanish.",
        (
            start(D(2022, 10, 5), "easpd"),
            progress(
                D(2022, 11, 7),
                "easpd",
                60,
                "Logo chosen by the partners; web page checked with a screen reader.",
            ),
            review(D(2022, 11, 21), "easpd"),
            approve(D(2022, 11, 24)),
            submit(D(2022, 11, 29)),
        ),
    ),
    DeliverableSpec(
        "D5.3",
        "Community of practice on SRPP: online space and terms of reference",
        1,
        DEC,
        PU,
        12,
        "An online community where procurement officers, social economy organisations and "
        "organisations of persons with disabilities share tenders, clauses and results; its "
        "terms of reference, moderation rules and a calendar of quarterly online exchanges.",
        (
            start(D(2023, 6, 5), "easpd"),
            progress(
                D(2023, 8, 21),
                "easpd",
                50,
                "Decided to host the community on the coordinator's existing member network "
                "instead of a new website, so that it survives the project.",
            ),
            progress(
                D(2023, 10, 9),
                "easpd",
                80,
                "Terms of reference agreed; 64 practitioners invited.",
            ),
            review(D(2023, 10, 23), "easpd"),
            approve(D(2023, 10, 30)),
            submit(
                D(2023, 11, 3),
                "In September the partners chose to host the community on an existing network "
                "rather than a new website, so that it carries on after the project. Moving the "
                "content and setting up moderation took five more weeks.",
            ),
        ),
    ),
    DeliverableSpec(
        "D5.4",
        "Final conference report",
        1,
        R,
        PU,
        18,
        "An account of the final conference in Brussels on 22 March 2024: the programme, "
        "attendance in aggregate, the social clauses and reserved contracts presented by the "
        "pilot municipalities, the obstacles raised from the floor, and the recommendations to "
        "policy makers, contracting authorities and the social economy.",
        (
            start(D(2024, 3, 25), "easpd"),
            progress(
                D(2024, 4, 8),
                "easpd",
                60,
                "Session summaries written; speakers asked to approve their quotes.",
            ),
            review(D(2024, 4, 15), "easpd"),
            approve(D(2024, 4, 19)),
            submit(
                D(2024, 4, 22),
                "The conference took place on 22 March, nine days before the due date. The "
                "report needed the speakers' approval of their quotes and captions for the "
                "recording before it could be published.",
            ),
        ),
    ),
    DeliverableSpec(
        "D5.5",
        "Policy brief: public procurement that creates inclusive jobs",
        4,
        R,
        PU,
        18,
        "A four-page brief for EU and national decision makers drawing on the pilots: make "
        "reserved contracts easier to use, count social outcomes when public procurement is "
        "monitored, and fund capacity building for small contracting authorities.",
        (
            start(D(2024, 2, 5), "eucie"),
            progress(
                D(2024, 3, 25),
                "eucie",
                40,
                "Key messages taken from the final conference discussion.",
            ),
            progress(
                D(2024, 5, 6),
                "eucie",
                55,
                "On hold until the recommendations (D4.2) are approved, so that the wording "
                "matches.",
            ),
        ),
    ),
    DeliverableSpec(
        "D5.6",
        "Sustainability plan for the community of practice",
        1,
        R,
        PU,
        18,
        "How the community of practice carries on after March 2024: who hosts and moderates "
        "it, how new municipalities join, which material stays available, and the funding "
        "sought for a follow-up.",
    ),
)


# --------------------------------------------------------------------------------------------
# Milestones
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneSpec:
    number: str
    title: str
    work_packages: tuple[int, ...]
    due_month: int
    means_of_verification: str
    achieved: tuple[dt.date, dt.date, str] | None = None  # achieved on, recorded on, note


MILESTONES: tuple[MilestoneSpec, ...] = (
    MilestoneSpec(
        "MS1",
        "Kick-off meeting held",
        (1,),
        1,
        "Minutes of the kick-off meeting, listing the partner organisations present and the "
        "decisions taken, circulated to all partners.",
        (
            D(2022, 10, 20),
            D(2022, 10, 27),
            "Kick-off held in Brussels on 19-20 October 2022 with all seven partners; minutes "
            "circulated on 27 October.",
        ),
    ),
    MilestoneSpec(
        "MS2",
        "Social economy mission completed",
        (2,),
        7,
        "Mission held with participants from all three pilot municipalities; aggregate "
        "attendance counts and the participants' evaluation forms on file.",
        (
            D(2023, 4, 20),
            D(2023, 4, 24),
            "Three-day mission from 18 to 20 April 2023: 14 participants from the three "
            "municipalities visited five inclusive enterprises. Evaluation forms collected.",
        ),
    ),
    MilestoneSpec(
        "MS3",
        "Local roundtables held in Dobrich, Gleisdorf and Marina de Cudeyo",
        (3,),
        11,
        "Three roundtable sessions held in each pilot municipality, each with an agenda, "
        "aggregate attendance counts and a summary of conclusions.",
        (
            D(2023, 9, 21),
            D(2023, 9, 25),
            "Ninth and last session held in Marina de Cudeyo on 21 September 2023, three weeks "
            "after the due date: the Spanish sessions waited for the new council.",
        ),
    ),
    MilestoneSpec(
        "MS4",
        "Local action plans adopted",
        (3, 4),
        16,
        "Each of the three municipalities has adopted its local action plan by a decision of "
        "the council or the mayor, and a copy of the decision is on file.",
    ),
    MilestoneSpec(
        "MS5",
        "Transnational project meeting held",
        (1, 4),
        18,
        "Meeting of all partners reviewing the deliverables, the risk register and the draft "
        "recommendations for replication; minutes circulated.",
        (
            D(2024, 3, 21),
            D(2024, 3, 26),
            "Held in Brussels on 21 March 2024 with all seven partners; minutes circulated on "
            "26 March.",
        ),
    ),
    MilestoneSpec(
        "MS6",
        "Final conference held",
        (5,),
        18,
        "Final conference open to external stakeholders, with at least 80 participants on site "
        "or online, and the recording published.",
        (
            D(2024, 3, 22),
            D(2024, 4, 3),
            "Held in Brussels on 22 March 2024, on site and streamed; recording published on "
            "3 April.",
        ),
    ),
)


# --------------------------------------------------------------------------------------------
# Risk register
# --------------------------------------------------------------------------------------------

L, M, H = Level.LOW, Level.MEDIUM, Level.HIGH
OPEN, MONITORED, MATERIALISED, CLOSED = (
    Risk.Status.OPEN,
    Risk.Status.MONITORED,
    Risk.Status.MATERIALISED,
    Risk.Status.CLOSED,
)


@dataclass(frozen=True)
class ReviewSpec:
    day: dt.date
    who: str
    likelihood: int
    impact: int
    status: str
    note: str


@dataclass(frozen=True)
class RiskSpec:
    title: str
    category: str
    work_packages: tuple[int, ...]
    owner: int
    raised_on: dt.date
    raised_by: str
    likelihood: int
    impact: int
    description: str
    mitigation: str
    reviews: tuple[ReviewSpec, ...]


RISKS: tuple[RiskSpec, ...] = (
    RiskSpec(
        "Target-group data not comparable between countries",
        Risk.Category.DATA,
        (2, 4),
        3,
        D(2022, 10, 20),
        "zfsw",
        M,
        M,
        "The registers and statistics the partners rely on define the target groups "
        "differently (recognised disability, degree of disability, long-term unemployment, "
        "social assistance) and some give only totals. Mapping figures and the hiring results "
        "of social clauses may not be comparable between Bulgaria, Austria and Spain.",
        "Agree one set of categories before any figures are collected; give small numbers as "
        "ranges; state the source and definition next to every figure; in the local action "
        "plans, choose indicators that each municipality can actually obtain from its "
        "contractors.",
        (
            ReviewSpec(
                D(2022, 12, 19),
                "zfsw",
                H,
                M,
                MATERIALISED,
                "The first supplier tables from Dobrich and Marina de Cudeyo use different "
                "definitions; D2.1 will be late while the categories are harmonised.",
            ),
            ReviewSpec(
                D(2023, 2, 20),
                "coord",
                M,
                M,
                MONITORED,
                "Common categories agreed and used in D2.1. Watch for the same problem in the "
                "roundtable reports.",
            ),
            ReviewSpec(
                D(2024, 3, 21),
                "coord",
                M,
                M,
                MONITORED,
                "Reviewed at the transnational meeting: monitoring of contractors' hires still "
                "counts people differently in each country. Carried into the replication "
                "recommendations (D4.2).",
            ),
        ),
    ),
    RiskSpec(
        "Cultural barriers among local stakeholders",
        Risk.Category.STAKEHOLDERS,
        (2, 3),
        2,
        D(2022, 10, 20),
        "naso",
        M,
        H,
        "Some procurement officers and suppliers see the employment of persons with "
        "disabilities as charity rather than a service bought at a fair price, and expect lower "
        "quality from social economy suppliers. They may stay away from the roundtables or "
        "agree only to symbolic commitments.",
        "Show buyers working examples (the mission, site visits during the roundtables); let "
        "social enterprises present their own offer and prices; use plain, non-medical "
        "language in all material; invite organisations of persons with disabilities as "
        "speakers, not as a topic.",
        (
            ReviewSpec(
                D(2023, 4, 24),
                "naso",
                M,
                H,
                OPEN,
                "Mission participants came back with concrete contract ideas, but colleagues "
                "who did not travel remain cautious.",
            ),
            ReviewSpec(
                D(2023, 9, 25),
                "naso",
                M,
                M,
                MONITORED,
                "Buyers attended the roundtables in all three localities. The doubts now "
                "concern price and delivery capacity rather than the principle.",
            ),
            ReviewSpec(
                D(2024, 3, 21),
                "coord",
                M,
                M,
                MONITORED,
                "Still relevant for any municipality that repeats the approach; covered in D4.2.",
            ),
        ),
    ),
    RiskSpec(
        "Employers resist inclusive hiring clauses",
        Risk.Category.STAKEHOLDERS,
        (3, 4),
        4,
        D(2023, 2, 13),
        "eucie",
        M,
        H,
        "Companies bidding for municipal contracts may resist performance clauses that require "
        "them to hire persons with disabilities or other disadvantaged people, fearing costs "
        "and paperwork. They may stop bidding or challenge the clauses, leaving the "
        "municipality with fewer offers.",
        "Discuss draft clauses with employers' organisations before tenders are published "
        "(market engagement); start with contracts where hiring is realistic (cleaning, green "
        "spaces, catering); accept subcontracting to social enterprises as a way to comply; "
        "link bidders with the employment service for recruitment and job coaching.",
        (
            ReviewSpec(
                D(2023, 6, 26),
                "eucie",
                M,
                H,
                OPEN,
                "Employers at the Gleisdorf roundtable asked how compliance with a hiring "
                "clause would be checked and what happens if no suitable candidate applies.",
            ),
            ReviewSpec(
                D(2023, 10, 16),
                "eucie",
                H,
                H,
                MATERIALISED,
                "A Dobrich cleaning tender with a hiring clause drew a single bid. The "
                "municipality will consult the market before the next one.",
            ),
            ReviewSpec(
                D(2024, 2, 12),
                "coord",
                H,
                M,
                MATERIALISED,
                "Market consultation held in Dobrich; the clause now allows subcontracting to "
                "social enterprises. Kept on the register for the recommendations.",
            ),
        ),
    ),
    RiskSpec(
        "Contracting authorities do not take part in the roundtables",
        Risk.Category.STAKEHOLDERS,
        (3,),
        2,
        D(2022, 11, 14),
        "naso",
        M,
        H,
        "Procurement staff are few and busy, especially in small municipalities, and may skip "
        "the roundtable sessions, so the action plans would be written without the people who "
        "have to apply them.",
        "Hold sessions in the town hall at times agreed with the procurement department; have "
        "the mayor or head of administration send the invitations; keep each session to half a "
        "day; invite neighbouring municipalities and regional purchasing bodies; send notes to "
        "anyone who missed a session.",
        (
            ReviewSpec(
                D(2023, 6, 12),
                "naso",
                M,
                H,
                OPEN,
                "Procurement staff attended the first sessions in Dobrich and Gleisdorf; the "
                "Marina de Cudeyo sessions are postponed.",
            ),
            ReviewSpec(
                D(2023, 9, 25),
                "naso",
                L,
                M,
                MONITORED,
                "All nine sessions held, each with procurement staff present.",
            ),
            ReviewSpec(
                D(2023, 12, 18),
                "coord",
                L,
                M,
                CLOSED,
                "Roundtables completed; the risk no longer applies.",
            ),
        ),
    ),
    RiskSpec(
        "Staff turnover in the partner municipalities",
        Risk.Category.PARTNERSHIP,
        (1, 3),
        7,
        D(2022, 10, 20),
        "coord",
        M,
        M,
        "The municipalities in the consortium rely on one or two people for procurement and "
        "for the project. If they leave, knowledge and momentum leave with them and the local "
        "action plan may stall.",
        "Name a deputy contact in each municipality; keep working files on the platform rather "
        "than in personal mailboxes; brief newcomers with a short induction pack; ask the "
        "mayor's office to confirm in writing who takes over.",
        (
            ReviewSpec(
                D(2023, 6, 26),
                "coord",
                H,
                M,
                OPEN,
                "New council in Marina de Cudeyo after the May elections; contacts may change.",
            ),
            ReviewSpec(
                D(2023, 10, 16),
                "marina",
                H,
                H,
                MATERIALISED,
                "Our procurement officer left in October. The secretary's office has taken over "
                "the action plan; no replacement yet.",
            ),
            ReviewSpec(
                D(2024, 3, 13),
                "coord",
                H,
                H,
                MATERIALISED,
                "The Marina de Cudeyo action plan went back for changes; the post is still vacant.",
            ),
        ),
    ),
    RiskSpec(
        "Legal uncertainty about reserved contracts",
        Risk.Category.LEGAL,
        (3, 4),
        3,
        D(2022, 12, 5),
        "zfsw",
        M,
        H,
        "National rules on who may bid for a reserved contract (sheltered workshops, "
        "integrative enterprises, special employment centres, work-integration enterprises) "
        "differ between the three countries and are unclear to procurement officers, who fear "
        "complaints and audit findings if they reserve a contract or use social award criteria.",
        "Analyse the three national frameworks early in WP4 (D4.1); hold a question-and-answer "
        "slot with a procurement lawyer at each second roundtable; check the model clauses "
        "against national law (D4.3); point to the European Commission's guidance on socially "
        "responsible public procurement.",
        (
            ReviewSpec(
                D(2023, 5, 15),
                "zfsw",
                M,
                H,
                OPEN,
                "Dobrich asked whether social enterprises without sheltered-workshop status may "
                "bid for a reserved lot; question collected for D4.1.",
            ),
            ReviewSpec(
                D(2023, 9, 28),
                "zfsw",
                M,
                M,
                MONITORED,
                "Legal analysis submitted; question-and-answer slots held in all three "
                "municipalities.",
            ),
            ReviewSpec(
                D(2024, 2, 19),
                "coord",
                M,
                M,
                MONITORED,
                "The Spanish tender templates (D4.3) still need their legal check.",
            ),
        ),
    ),
    RiskSpec(
        "Partners report late",
        Risk.Category.MANAGEMENT,
        (1,),
        1,
        D(2023, 3, 13),
        "coord",
        M,
        M,
        "Partners send timesheets, cost statements and activity input after the internal "
        "deadlines, which delays the periodic and final reports and the payments to the whole "
        "consortium.",
        "Internal deadlines four weeks ahead of the funder's; reminders two weeks and one week "
        "before; templates pre-filled from the previous period; missing items listed by partner "
        "at the monthly coordination call; escalation to the partner's legal representative "
        "after two missed deadlines.",
        (
            ReviewSpec(
                D(2023, 8, 21),
                "coord",
                H,
                M,
                OPEN,
                "Two partners late with their RP1 cost statements; the periodic report is still "
                "on time.",
            ),
            ReviewSpec(
                D(2024, 4, 22),
                "coord",
                H,
                H,
                MATERIALISED,
                "The final report is held up: cost statements of two partners outstanding.",
            ),
            ReviewSpec(
                D(2024, 5, 29),
                "coord",
                M,
                M,
                OPEN,
                "Statements received and the final report is in review. Stays open until the "
                "funder accepts the report.",
            ),
        ),
    ),
    RiskSpec(
        "Local elections change political priorities",
        Risk.Category.EXTERNAL,
        (3,),
        5,
        D(2022, 10, 20),
        "dobrich",
        M,
        H,
        "Municipal elections in Spain (May 2023) and Bulgaria (October 2023) fall within the "
        "project. A new council or mayor may not share the commitment to SRPP and could delay "
        "or drop the local action plan.",
        "Brief the new councils on the project early; build cross-party support at the "
        "roundtables; have the plan adopted by the council rather than by the mayor alone; keep "
        "adoption away from campaign periods.",
        (
            ReviewSpec(
                D(2023, 6, 26),
                "coord",
                H,
                M,
                OPEN,
                "The Spanish elections pushed the Marina de Cudeyo roundtables to September.",
            ),
            ReviewSpec(
                D(2023, 11, 13),
                "dobrich",
                M,
                M,
                MONITORED,
                "After the October elections the administration confirmed that work on the "
                "Dobrich action plan continues as planned.",
            ),
            ReviewSpec(
                D(2024, 2, 12),
                "coord",
                L,
                M,
                CLOSED,
                "Both election periods are over; the Dobrich and Gleisdorf plans were adopted.",
            ),
        ),
    ),
    RiskSpec(
        "Community of practice does not take off",
        Risk.Category.STAKEHOLDERS,
        (5,),
        1,
        D(2023, 5, 22),
        "easpd",
        M,
        M,
        "Practitioners may join the online community without contributing, and activity may "
        "stop when the project ends, so the results would not travel beyond the three pilots.",
        "Host the community on an existing network that will outlive the project; seed it with "
        "the pilots' tenders and the model clauses; run quarterly online exchanges, each with a "
        "named host; invite the municipalities met at the final conference.",
        (
            ReviewSpec(
                D(2023, 11, 6),
                "easpd",
                M,
                M,
                MONITORED,
                "Community opened with 64 invited members; 23 joined the first online exchange.",
            ),
            ReviewSpec(
                D(2024, 4, 8),
                "easpd",
                H,
                M,
                OPEN,
                "Activity dropped after the final conference, and the sustainability plan "
                "(D5.6) has not been started.",
            ),
        ),
    ),
    RiskSpec(
        "Travel and event costs rise above the budget",
        Risk.Category.FINANCIAL,
        (1, 5),
        1,
        D(2022, 10, 20),
        "coord",
        M,
        M,
        "Inflation pushed up the prices of travel, venues and interpretation, putting the "
        "mission and the Brussels events at risk of overspending.",
        "Book travel early; hold the transnational meeting and the final conference back to "
        "back so that one trip serves both; use venues offered by the partners' networks; "
        "offer online participation; shift unspent budget between cost categories within the "
        "limits of the grant agreement.",
        (
            ReviewSpec(
                D(2023, 3, 13),
                "coord",
                H,
                M,
                OPEN,
                "Mission travel came in 18% over budget.",
            ),
            ReviewSpec(
                D(2023, 10, 30),
                "coord",
                M,
                M,
                MONITORED,
                "Transnational meeting and final conference planned on consecutive days in "
                "Brussels in March 2024.",
            ),
            ReviewSpec(
                D(2024, 4, 22),
                "coord",
                L,
                L,
                CLOSED,
                "Both events held within the adjusted budget.",
            ),
        ),
    ),
    RiskSpec(
        "Sensitive personal data collected at events",
        Risk.Category.LEGAL,
        (1, 3),
        1,
        D(2022, 11, 7),
        "easpd",
        L,
        H,
        "Registration forms and attendance lists of the roundtables and the conference could "
        "reveal participants' disabilities, which is special-category personal data.",
        "Record attendance as aggregate counts only; ask about access needs separately, keep "
        "the answers only until the event and delete them afterwards; consent forms in each "
        "language (D1.2).",
        (
            ReviewSpec(
                D(2023, 1, 17),
                "coord",
                L,
                H,
                MONITORED,
                "Data management plan approved; consent forms in use.",
            ),
            ReviewSpec(
                D(2024, 4, 8),
                "coord",
                L,
                M,
                CLOSED,
                "No incident during the project; access-needs answers deleted after the final "
                "conference.",
            ),
        ),
    ),
)


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------

PLAN_IMPORTED_ON = D(2022, 10, 3)
STEP_TIMES = {
    "start": (9, 30),
    "progress": (16, 0),
    "review": (11, 0),
    "changes": (14, 30),
    "approve": (15, 0),
    "submit": (10, 15),
}


def _stamp(obj: models.Model, when: dt.datetime, user: User, reason: str) -> None:
    """Make the next history record of `obj` say who changed it, when, and why."""
    obj._history_date = when  # type: ignore[attr-defined]
    obj._history_user = user  # type: ignore[attr-defined]
    obj._change_reason = reason  # type: ignore[attr-defined]


def _valid_save(obj: models.Model) -> None:
    obj.full_clean()
    obj.save()


def _set_timestamps(model: type[models.Model], pk: Any, **values: dt.datetime) -> None:
    """auto_now(_add) fields take the wall clock; put the demo's own dates there instead."""
    model._default_manager.filter(pk=pk).update(**values)


@transaction.atomic
def load_demo(*, today: dt.date) -> Project:
    """Create the CO-RESP project as it stood on `today`, with its organisations and users.

    Raises DemoConflict if the project or one of the demo accounts already exists.
    """
    if Project.objects.filter(acronym=DEMO_ACRONYM).exists():
        raise DemoConflict(f"A project called {DEMO_ACRONYM} already exists.")
    taken = sorted(
        User.objects.filter(email__in=[u.email for u in DEMO_USERS]).values_list("email", flat=True)
    )
    if taken:
        raise DemoConflict("These demo accounts already exist: " + ", ".join(taken))

    project = Project(**PROJECT)
    _valid_save(project)

    partners: dict[int, Partner] = {}
    for spec in PARTNERS:
        # Organisations are shared between projects: reuse one an administrator already made.
        organisation = Organisation.objects.filter(legal_name=spec.legal_name).first()
        if organisation is None:
            organisation = Organisation(
                legal_name=spec.legal_name,
                short_name=spec.short_name,
                country=spec.country,
                kind=spec.kind,
                pic=spec.pic,
            )
            _valid_save(organisation)
        partner = Partner(project=project, organisation=organisation, number=spec.number)
        partner.role = spec.role
        _valid_save(partner)
        partners[spec.number] = partner

    users = _create_users(project, partners)
    coordinator = users["coord"]

    for number, title, lead, start_month, end_month, objectives in WORK_PACKAGES:
        _valid_save(
            WorkPackage(
                project=project,
                number=number,
                title=title,
                lead=partners[lead],
                start_month=start_month,
                end_month=end_month,
                objectives=objectives,
            )
        )
    work_packages = {wp.number: wp for wp in project.work_packages.all()}

    for number, start_month, end_month, due, accepted in REPORTING_PERIODS:
        _valid_save(
            ReportingPeriod(
                project=project,
                number=number,
                start_month=start_month,
                end_month=end_month,
                report_due_date=due,
                is_locked=accepted is not None and accepted <= today,
            )
        )

    imported = _at(PLAN_IMPORTED_ON, 10)
    for deliverable_spec in DELIVERABLES:
        _load_deliverable(
            deliverable_spec, project, partners, work_packages, users, imported, today
        )

    for ms in MILESTONES:
        _load_milestone(ms, project, work_packages, coordinator, imported, today)

    for risk_spec in RISKS:
        _load_risk(risk_spec, project, partners, work_packages, users, today)

    return project


def _create_users(project: Project, partners: dict[int, Partner]) -> dict[str, User]:
    users: dict[str, User] = {}
    joined = _at(D(2022, 9, 26), 9)
    # Hashing is slow on purpose; the accounts share one published password, so hash it once.
    password = make_password(DEMO_PASSWORD)
    for spec in DEMO_USERS:
        user = User(
            email=spec.email,
            full_name=spec.full_name,
            is_staff=spec.is_admin,
            is_superuser=spec.is_admin,
            date_joined=joined,
            password=password,
        )
        _valid_save(user)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        if spec.role is not None:
            membership = Membership(
                user=user,
                project=project,
                partner=partners[spec.partner] if spec.partner else None,
                role=spec.role,
            )
            _valid_save(membership)
        users[spec.key] = user
    return users


def _load_deliverable(
    spec: DeliverableSpec,
    project: Project,
    partners: dict[int, Partner],
    work_packages: dict[int, WorkPackage],
    users: dict[str, User],
    imported: dt.datetime,
    today: dt.date,
) -> Deliverable:
    deliverable = Deliverable(
        project=project,
        work_package=work_packages[int(spec.number[1 : spec.number.index(".")])],
        number=spec.number,
        title=spec.title,
        description=spec.description,
        lead=partners[spec.lead],
        type=spec.type,
        dissemination=spec.dissemination,
        due_month=spec.due_month,
    )
    deliverable.full_clean()
    _stamp(deliverable, imported, users["coord"], "Imported from the grant agreement")
    deliverable.save()
    last_change = imported

    for step in _happened(spec.steps, today):
        hour, minute = STEP_TIMES[step.action]
        when = _at(step.day, hour, minute)
        actor = users[step.who]
        if step.action == "progress":
            assert step.percent is not None
            update = ProgressUpdate(
                deliverable=deliverable,
                date=step.day,
                percent=step.percent,
                note=step.text,
                author=actor,
            )
            _valid_save(update)
            _set_timestamps(ProgressUpdate, update.pk, created_at=when)
            continue
        _stamp(deliverable, when, actor, "")
        version = deliverable.version
        if step.action == "start":
            deliverable.start(expected_version=version)
        elif step.action == "review":
            deliverable.submit_for_review(expected_version=version)
        elif step.action == "changes":
            deliverable.request_changes(comment=step.text, expected_version=version)
        elif step.action == "approve":
            deliverable.approve(expected_version=version)
        elif step.action == "submit":
            if step.text and not deliverable.is_late(step.day):
                raise ValueError(f"{spec.number} is on time: it needs no delay justification.")
            # Checks the date against `today` and demands a justification when late.
            deliverable.record_submission(
                on=step.day, justification=step.text, expected_version=version, today=today
            )
        else:  # pragma: no cover - a typo in the data above
            raise ValueError(f"Unknown step {step.action!r} for {spec.number}")
        last_change = when

    _set_timestamps(Deliverable, deliverable.pk, created_at=imported, updated_at=last_change)
    return deliverable


def _happened[T: (Step, ReviewSpec)](items: Iterable[T], today: dt.date) -> list[T]:
    return [item for item in items if item.day <= today]


def _load_milestone(
    spec: MilestoneSpec,
    project: Project,
    work_packages: dict[int, WorkPackage],
    coordinator: User,
    imported: dt.datetime,
    today: dt.date,
) -> Milestone:
    milestone = Milestone(
        project=project,
        number=spec.number,
        title=spec.title,
        due_month=spec.due_month,
        means_of_verification=spec.means_of_verification,
    )
    milestone.full_clean()
    _stamp(milestone, imported, coordinator, "Imported from the grant agreement")
    milestone.save()
    _stamp(milestone, imported, coordinator, "Work packages set")
    milestone.work_packages.set([work_packages[n] for n in spec.work_packages])
    if spec.achieved is not None:
        achieved_on, recorded_on, note = spec.achieved
        if recorded_on <= today:
            _stamp(milestone, _at(recorded_on, 12), coordinator, "")
            milestone.mark_achieved(on=achieved_on, note=note, today=today)
    return milestone


def _load_risk(
    spec: RiskSpec,
    project: Project,
    partners: dict[int, Partner],
    work_packages: dict[int, WorkPackage],
    users: dict[str, User],
    today: dt.date,
) -> Risk | None:
    if spec.raised_on > today:
        return None
    raised_at = _at(spec.raised_on, 17)
    risk = Risk(
        project=project,
        title=spec.title,
        description=spec.description,
        category=spec.category,
        likelihood=spec.likelihood,
        impact=spec.impact,
        mitigation=spec.mitigation,
        owner=partners[spec.owner],
        status=OPEN,
        raised_by=users[spec.raised_by],
    )
    risk.full_clean()
    _stamp(risk, raised_at, users[spec.raised_by], "Risk raised")
    risk.save()
    _stamp(risk, raised_at, users[spec.raised_by], "Work packages set")
    risk.work_packages.set([work_packages[n] for n in spec.work_packages])

    for review_spec in _happened(spec.reviews, today):
        when = _at(review_spec.day, 17, 30)
        reviewer = users[review_spec.who]
        row = RiskReview(
            risk=risk,
            review_date=review_spec.day,
            likelihood=review_spec.likelihood,
            impact=review_spec.impact,
            status=review_spec.status,
            note=review_spec.note,
            reviewed_by=reviewer,
        )
        _valid_save(row)
        _set_timestamps(RiskReview, row.pk, created_at=when)
        # The latest review sets the risk's current scores and status.
        risk.likelihood = review_spec.likelihood
        risk.impact = review_spec.impact
        risk.status = review_spec.status
        _stamp(risk, when, reviewer, "")
        risk.save_edit(risk.version, reason="Reviewed")
    _set_timestamps(Risk, risk.pk, created_at=raised_at)
    return risk
