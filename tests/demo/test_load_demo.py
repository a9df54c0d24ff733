"""`manage.py load_demo`: it loads the story once, dated as it happened, and lists the logins
once (bin/run, behind `make run`, lists none of its own)."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db.models import Model

from demo.loader import demo_logins, demo_password, load_demo
from demo.story import read_story
from events.models import Event
from impact.models import DataQuery, Indicator, IndicatorValue
from procurement.models import ClauseOutcome, GoodPractice, LocalActionPlan, Tender
from projects.models import Deliverable, Project, Risk

BRUSSELS = ZoneInfo("Europe/Brussels")
TODAY = dt.date(2024, 11, 4)
BIN_RUN = Path(__file__).resolve().parents[2] / "bin" / "run"


def _run() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def _assert_each_login_once(output: str) -> None:
    assert output.count(f"password for all: {demo_password()}") == 1
    for person in read_story().people.people:
        assert output.count(person.email) == 1, person.email


@pytest.mark.django_db
def test_load_demo_loads_the_project_and_lists_each_login_once() -> None:
    output = _run()
    assert "Loaded the CO-RESP demo project: 7 partners, 5 work packages, 22 deliverables" in output
    assert Project.objects.get().acronym == "CO-RESP"
    _assert_each_login_once(output)
    for line in (
        r"partner@naso\.example +partner +P2 NASO",
        r"observer@funder\.example +observer +- \(funder\)",
        r"admin@coresp\.example +site admin +- \(Django admin\)",
    ):
        assert re.search(f"^{line}$", output, re.MULTILINE), line


def _counts() -> dict[type[Model], int]:
    models: tuple[type[Model], ...] = (
        Project,
        Deliverable,
        Event,
        Tender,
        ClauseOutcome,
        LocalActionPlan,
        GoodPractice,
        Indicator,
        IndicatorValue,
        DataQuery,
    )
    return {model: model._default_manager.count() for model in models}


@pytest.mark.django_db
def test_a_second_run_adds_nothing_and_lists_the_logins_once_again() -> None:
    _run()
    counts = _counts()
    assert counts[Tender] and counts[ClauseOutcome]  # the register was loaded the first time
    assert counts[IndicatorValue] and counts[DataQuery]  # and the impact figures
    output = _run()
    assert "nothing to do" in output
    assert _counts() == counts
    _assert_each_login_once(output)


def test_bin_run_lists_no_logins_of_its_own() -> None:
    script = BIN_RUN.read_text()
    assert "manage.py load_demo" in script
    assert demo_password() not in script
    assert not [login.email for login in demo_logins() if login.email in script]


def _history(obj: Deliverable | Risk) -> list[str]:
    """Each history record of `obj`: when (Brussels time), by whom, and why."""
    return [
        f"{h.history_date.astimezone(BRUSSELS):%Y-%m-%d %H:%M} {h.history_user.email}: "
        f"{h.history_change_reason}"
        for h in obj.history.order_by("history_date", "history_id")
    ]


@pytest.mark.django_db
def test_the_history_says_who_did_what_and_when() -> None:
    load_demo(today=TODAY)
    d21 = Deliverable.objects.get(number="D2.1")
    assert _history(d21) == [
        "2022-10-03 10:00 coordinator@easpd.example: Imported from the grant agreement",
        "2022-10-17 09:30 partner@zfsw.example: Work started",
        "2023-02-01 11:00 partner@zfsw.example: Submitted for review",
        "2023-02-08 14:30 coordinator@easpd.example: Changes requested",
        "2023-02-15 11:00 partner@zfsw.example: Submitted for review",
        "2023-02-20 15:00 coordinator@easpd.example: Approved",
        "2023-02-22 10:15 coordinator@easpd.example: Submitted to the funder",
    ]
    assert d21.status == Deliverable.Status.SUBMITTED
    assert d21.created_at == dt.datetime(2022, 10, 3, 10, 0, tzinfo=BRUSSELS)
    assert d21.updated_at == dt.datetime(2023, 2, 22, 10, 15, tzinfo=BRUSSELS)

    risk = Risk.objects.get(project__acronym="CO-RESP", number=1)
    assert _history(risk) == [
        "2022-10-20 17:00 partner@zfsw.example: Risk raised",
        "2022-10-20 17:00 partner@zfsw.example: Work packages set",
        "2022-12-19 17:30 partner@zfsw.example: Reviewed",
        "2023-02-20 17:30 coordinator@easpd.example: Reviewed",
        "2024-03-21 17:30 coordinator@easpd.example: Reviewed",
    ]
    assert risk.status == Risk.Status.MONITORED


@pytest.mark.django_db
def test_an_event_was_created_on_the_day_it_was_announced() -> None:
    load_demo(today=TODAY)
    marina = Event.objects.get(title__startswith="Local roundtable in Marina de Cudeyo (1")
    announced = dt.datetime(2023, 5, 16, 9, 30, tzinfo=BRUSSELS)  # four weeks before 13 June
    assert marina.created_at == announced
    assert marina.history.earliest("history_date").history_date == announced
