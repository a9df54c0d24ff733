"""No lost updates: concurrent saves of one deliverable or risk, from threads that each have their
own database connection.

VersionedModel.save_edit moves the version with a conditional UPDATE (WHERE version = the one
the editor started from): of two saves that started from the same version exactly one moves it,
and the other raises StaleEdit and writes nothing.

Each scenario runs on two databases:

- `sqlite-file`: a SQLite file configured as in production (WAL, write transactions BEGIN
  IMMEDIATE, 20 s busy timeout), in a child process. Not the suite's own SQLite database: that
  one is in memory with a shared cache, where a second writer gets "database table is locked" at
  once (shared-cache table locks ignore the busy timeout), so it cannot show how the real
  configuration queues writers. The child migrates a fresh file once per session.
- `postgresql`: the suite's database when DATABASE_URL is a PostgreSQL URL, in this process
  (transactional_db: the threads' connections see committed rows). Row locks make the second
  UPDATE wait for the first to commit, then finds the version moved. Without PostgreSQL these
  cases are skipped, loudly, or fail with REQUIRE_SERVICES=1 (the `postgres` fixture).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connections

from projects.models import Deliverable, Risk, StaleEdit, VersionedModel, WorkPackage
from tests.factories import (
    make_deliverable,
    make_organisation,
    make_partner,
    make_project,
    make_risk,
    make_work_package,
)

# transactional_db for the PostgreSQL cases (the threads' connections see committed rows). Marked
# on the module, not requested inside run_scenario: pytest-django sets up the test database only
# for tests that declare they need it.
pytestmark = pytest.mark.django_db(transaction=True)

THREADS, EDITS = 8, 25
BASE_DIR = Path(settings.BASE_DIR)

# --- the scenarios: each makes its rows, races, and returns what the database holds afterwards ----


def in_threads(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(0..count-1) in `count` threads at once; each closes its connection when done."""

    def run(index: int) -> Any:
        try:
            return work(index)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def race_two_edits[M: VersionedModel](
    model: type[M], pk: int, change: Callable[[M, int], None]
) -> list[str]:
    """Two editors load the same version, wait for each other, then both save."""
    both_loaded = threading.Barrier(2, timeout=30)

    def edit(index: int) -> str:
        obj = model._default_manager.get(pk=pk)
        started_from = obj.version
        both_loaded.wait()
        change(obj, index)
        try:
            obj.save_edit(started_from, reason=f"Edit {index}")
        except StaleEdit:
            return "stale"
        return "saved"

    return in_threads(2, edit)


def _work_package() -> WorkPackage:
    project = make_project("RACE", slug=f"race-{os.getpid()}-{threading.get_ident()}")
    lead = make_partner(project, make_organisation(f"Lead {project.slug}"), number=1)
    return make_work_package(project, number=1, lead=lead)


def two_deliverable_edits() -> dict[str, Any]:
    handbook = make_deliverable(_work_package(), number="D1.1", title="Handbook")

    def change(d: Deliverable, index: int) -> None:
        d.title = f"Handbook by editor {index}"

    outcomes = race_two_edits(Deliverable, handbook.pk, change)
    fresh = Deliverable.objects.get(pk=handbook.pk)
    return {
        "outcomes": outcomes,
        "title": fresh.title,
        "version": fresh.version,
        "reasons": [h.history_change_reason for h in fresh.history.order_by("history_id")],
    }


def two_risk_edits() -> dict[str, Any]:
    wp = _work_package()
    risk = make_risk(wp.project, owner=wp.lead)

    def change(r: Risk, index: int) -> None:
        r.mitigation = f"Mitigation by editor {index}"

    outcomes = race_two_edits(Risk, risk.pk, change)
    fresh = Risk.objects.get(pk=risk.pk)
    return {"outcomes": outcomes, "mitigation": fresh.mitigation, "version": fresh.version}


def many_deliverable_edits() -> dict[str, Any]:
    """STACK-NOTES' scenario: 8 threads x 25 edits of one row (naive save() lost 172 of 200)."""
    handbook = make_deliverable(_work_package(), number="D1.1", title="Handbook")

    def edit_many(index: int) -> dict[str, int]:
        saved = stale = 0
        while saved < EDITS:
            d = Deliverable.objects.get(pk=handbook.pk)
            d.description += f"[{index}.{saved}]"
            try:
                d.save_edit(d.version)
            except StaleEdit:
                stale += 1  # someone saved since our read: read again and redo the edit
            else:
                saved += 1
        return {"saved": saved, "stale": stale}

    results = in_threads(THREADS, edit_many)
    fresh = Deliverable.objects.get(pk=handbook.pk)
    return {
        "saved": sum(r["saved"] for r in results),
        "stale": sum(r["stale"] for r in results),
        "version": fresh.version,
        "marks": fresh.description.strip("[]").split("]["),
        "history": fresh.history.count(),
    }


SCENARIOS: dict[str, Callable[[], dict[str, Any]]] = {
    "two_deliverable_edits": two_deliverable_edits,
    "two_risk_edits": two_risk_edits,
    "many_deliverable_edits": many_deliverable_edits,
}


# --- where they run ----------------------------------------------------------------------------


def _child_env(db_file: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db_file}",
        "DJANGO_SETTINGS_MODULE": "coresp.settings",
        "REDIS_URL": "",
    }


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty, migrated SQLite file: each test runs on a copy of it."""
    db_file = tmp_path_factory.mktemp("race") / "template.sqlite3"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
        cwd=BASE_DIR,
        env=_child_env(db_file),
        check=True,
        timeout=300,
    )
    return db_file


CHILD = (
    "import json, sys, django; django.setup(); "
    "from tests.projects.test_concurrent_edits import SCENARIOS; "
    "print(json.dumps(SCENARIOS[sys.argv[1]]()))"
)


@pytest.fixture(params=["sqlite-file", "postgresql"])
def run_scenario(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[[str], dict[str, Any]]]:
    if request.param == "sqlite-file":
        template = request.getfixturevalue("migrated_sqlite_file")
        db_file = tmp_path / "race.sqlite3"
        shutil.copy(template, db_file)

        def in_child(name: str) -> dict[str, Any]:
            done = subprocess.run(
                [sys.executable, "-c", CHILD, name],
                cwd=BASE_DIR,
                env=_child_env(db_file),
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert done.returncode == 0, done.stderr
            return json.loads(done.stdout.strip().splitlines()[-1])

        yield in_child
    else:
        request.getfixturevalue("postgres")  # skips (or fails) without PostgreSQL
        yield lambda name: SCENARIOS[name]()


# --- the tests ---------------------------------------------------------------------------------


def test_two_concurrent_edits_of_a_deliverable_one_wins_the_other_is_stale(
    run_scenario: Callable[[str], dict[str, Any]],
) -> None:
    facts = run_scenario("two_deliverable_edits")

    assert sorted(facts["outcomes"]) == ["saved", "stale"]
    winner = facts["outcomes"].index("saved")
    assert facts["title"] == f"Handbook by editor {winner}"
    assert facts["version"] == 2
    # One change in the history, by the winner: the stale save left no trace.
    assert facts["reasons"] == [None, f"Edit {winner}"]


def test_two_concurrent_edits_of_a_risk_one_wins_the_other_is_stale(
    run_scenario: Callable[[str], dict[str, Any]],
) -> None:
    facts = run_scenario("two_risk_edits")

    assert sorted(facts["outcomes"]) == ["saved", "stale"]
    assert facts["mitigation"] == f"Mitigation by editor {facts['outcomes'].index('saved')}"
    assert facts["version"] == 2


def test_eight_threads_editing_one_deliverable_lose_no_update(
    run_scenario: Callable[[str], dict[str, Any]],
) -> None:
    facts = run_scenario("many_deliverable_edits")

    assert facts["saved"] == THREADS * EDITS
    assert facts["version"] == facts["saved"] + 1
    marks = Counter(facts["marks"])
    assert len(marks) == THREADS * EDITS  # every edit is in the row...
    assert set(marks.values()) == {1}  # ...exactly once
    assert facts["history"] == facts["saved"] + 1  # created, then one record per save
