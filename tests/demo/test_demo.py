"""The demo events and conference reports: the facts of the seed, valid data, and the
platform's own words."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from demo.loader import DemoConflict, load_demo
from demo.story import DATA, FILES, read_story
from events.models import AgendaItem, Attendance, Event, Outcome
from projects.models import Project
from reports.models import ConferenceReport, Recommendation
from tests.demo.texts import data_texts

BRUSSELS = ZoneInfo("Europe/Brussels")
TODAY = dt.date(2024, 11, 4)  # some months after the project ended
# Fingerprints of the seed article's seven-word runs (the article itself stays outside the repo).
SEED_GRAMS = Path(__file__).with_name("seed_7grams.txt")


@pytest.fixture
def demo(db: None) -> Project:
    return load_demo(today=TODAY)


def test_the_final_conference(demo: Project) -> None:
    event = Event.objects.get(project=demo, kind=Event.Kind.FINAL_CONFERENCE)
    assert event.title.startswith("Maximising the Use of Social Procurement")
    assert event.format == Event.Format.HYBRID
    assert event.status == Event.Status.HELD
    assert event.local_start == dt.datetime(2024, 3, 22, 9, 0, tzinfo=BRUSSELS)
    assert "European Economic and Social Committee" in event.venue
    assert event.city == "Brussels"
    assert event.recording_url
    types = set(event.agenda_items.values_list("session_type", flat=True))
    assert {AgendaItem.SessionType.KEYNOTE, AgendaItem.SessionType.PANEL} <= types
    assert AgendaItem.SessionType.BREAK in types
    panels = event.agenda_items.filter(session_type=AgendaItem.SessionType.PANEL)
    assert all(len(p.speaker_list) >= 3 and all(org for _, org in p.speaker_list) for p in panels)
    attendance = event.attendance
    attendance.full_clean()  # every breakdown adds up
    assert (attendance.in_person or 0) + (attendance.online or 0) == attendance.total == 112
    assert sum(attendance.by_country.values()) == attendance.total


def test_the_published_conference_report(demo: Project) -> None:
    report = ConferenceReport.objects.get(event__kind=Event.Kind.FINAL_CONFERENCE)
    assert report.status == ConferenceReport.Status.PUBLISHED
    assert report.author.organisation.short_name == "EASPD"
    assert "persons with disabilities" in report.success_stories
    for word in ("Data", "Culture", "Employers"):
        assert word in report.challenges
    for step in ("awareness", "partnerships", "environmental"):
        assert step in report.lessons_learned
    audiences = set(report.recommendations.values_list("audience", flat=True))
    assert audiences == {a.value for a in Recommendation.Audience}
    texts = " ".join(report.recommendations.values_list("text", flat=True)).lower()
    for idea in ("policy framework", "collaboration", "holistic"):
        assert idea in texts
    # Published through the review: the history shows who did what.
    reasons = list(report.history.values_list("history_change_reason", flat=True))
    assert {"Written", "Sent for review", "Published"} <= set(reasons)


def test_the_transnational_project_meeting(demo: Project) -> None:
    event = Event.objects.get(project=demo, kind=Event.Kind.TPM)
    assert event.local_start.date() == dt.date(2024, 3, 21)
    titles = " ".join(event.agenda_items.values_list("title", flat=True)).lower()
    for topic in ("work package", "risks", "lessons learned", "quality", "community of practice"):
        assert topic in titles
    assert event.outcomes.filter(kind=Outcome.Kind.DECISION).exists()
    assert event.outcomes.filter(kind=Outcome.Kind.ACTION, is_done=False).exists()


def test_roundtables_and_the_mission(demo: Project) -> None:
    roundtables = Event.objects.filter(project=demo, kind=Event.Kind.ROUNDTABLE)
    assert sorted(set(roundtables.values_list("city", flat=True))) == [
        "Dobrich",
        "Gleisdorf",
        "Marina de Cudeyo",
    ]
    assert {e.organiser.organisation.short_name for e in roundtables} == {
        "Dobrich",
        "Gleisdorf",
        "Marina de Cudeyo",
    }
    dobrich = roundtables.filter(city="Dobrich").first()
    assert dobrich is not None and dobrich.time_zone == "Europe/Sofia"
    assert Event.objects.filter(project=demo, kind=Event.Kind.MISSION).count() == 1
    for attendance in Attendance.objects.filter(event__project=demo):
        attendance.full_clean()


def test_marina_sessions_were_postponed_in_the_history(demo: Project) -> None:
    first = Event.objects.get(
        project=demo, title__startswith="Local roundtable in Marina de Cudeyo (1"
    )
    statuses = list(first.history.order_by("history_date").values_list("status", flat=True))
    assert statuses == ["planned", "postponed", "planned", "held"]


def test_an_earlier_day_gives_an_earlier_state(db: None) -> None:
    project = load_demo(today=dt.date(2024, 3, 22))
    conference = Event.objects.get(project=project, kind=Event.Kind.FINAL_CONFERENCE)
    assert conference.status == Event.Status.PLANNED
    assert not Attendance.objects.filter(event=conference).exists()
    assert not ConferenceReport.objects.filter(event=conference).exists()


def test_loading_twice_adds_nothing(demo: Project) -> None:
    before = (Event.objects.count(), ConferenceReport.objects.count())
    with pytest.raises(DemoConflict):
        load_demo(today=TODAY)
    assert (Event.objects.count(), ConferenceReport.objects.count()) == before


def test_after_the_project_a_webinar_is_coming(demo: Project) -> None:
    upcoming = Event.objects.filter(project=demo).upcoming(
        dt.datetime.combine(TODAY, dt.time(), BRUSSELS)
    )
    assert [e.title for e in upcoming] == [read_story().events.community_webinar.title]


def _grams(text: str, n: int) -> set[str]:
    """Fingerprints of the runs of `n` words of `text`, as in seed_7grams.txt."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    runs = {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}
    return {hashlib.sha256(run.encode()).hexdigest()[:16] for run in runs}


def test_the_demo_text_is_its_own_not_the_seed(db: None) -> None:
    """No run of seven words of the seed's article appears in the demo's texts (the
    conference's official name aside): every text of every data file, as the loader reads it."""
    name = "Maximising the Use of Social Procurement"
    lines = SEED_GRAMS.read_text().splitlines()
    seed = {line for line in lines if line and not line.startswith("#")}
    assert len(seed) > 400  # the fingerprints are there, so the test can fail
    texts = data_texts()
    # The texts the old test read from the events and reports are all among them.
    report = read_story().reports.reports[0]
    assert report.summary in texts and report.recommendations[0].text in texts
    assert read_story().events.events[0].description in texts
    # And the social procurement register's: practices, clauses, plans and actions.
    procurement = read_story().procurement
    assert procurement.good_practices[0].results in texts
    assert procurement.tenders[0].clauses[0].description in texts
    assert procurement.action_plans[0].summary in texts
    assert procurement.action_plans[0].actions[0].what in texts
    # And the impact indicators': definitions, notes, the queries and their answers.
    impact = read_story().impact
    assert impact.indicators[0].definition in texts and impact.values[0].note in texts
    answered = [q for q in impact.queries if q.answer is not None]
    assert impact.queries[0].question in texts and answered[0].answer is not None
    assert answered[0].answer.text in texts
    copied = set().union(*(_grams(t.replace(name, ""), 7) & seed for t in texts))
    assert not copied


def test_a_copied_sentence_would_be_caught() -> None:
    lines = SEED_GRAMS.read_text().splitlines()
    copied = "partners convened at the CO-RESP Transnational Project Meeting to reflect"
    assert _grams(copied, 7) & set(lines)


def test_no_demo_module_quotes_the_seed() -> None:
    """The same check over the whole text of every file of the demo app: its code, its data
    files and their comments."""
    lines = SEED_GRAMS.read_text().splitlines()
    seed = {line for line in lines if line and not line.startswith("#")}
    name = "Maximising the Use of Social Procurement"
    files = sorted(DATA.parent.rglob("*.py")) + sorted(DATA.glob("*.toml"))
    assert len(files) > len(FILES)
    for path in files:
        source = path.read_text()
        assert not _grams(source.replace(name, ""), 7) & seed, path.name
