"""The shipped languages: complete catalogues, compiled as committed, and the glossary's terms used
the same way everywhere (locale/glossary.toml)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = [code for code, _ in settings.LANGUAGES if code != "en"]
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]")
GLOSSARY = tomllib.loads((LOCALE / "glossary.toml").read_text(encoding="utf-8"))


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


def test_every_shipped_language_has_a_catalogue() -> None:
    shipped = {path.parent.parent.name for path in LOCALE.glob("*/LC_MESSAGES/django.po")}
    assert shipped == set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_complete_and_has_no_fuzzy_entry(language: str) -> None:
    po = catalogue(language)
    assert len(po) > 500, "the catalogue holds the platform's messages"
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert po.percent_translated() == 100


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="needs gettext's msgfmt")
@pytest.mark.parametrize("language", LANGUAGES)
def test_msgfmt_accepts_the_catalogue(language: str) -> None:
    """--check: every placeholder of a message is in its translation, plural forms are right."""
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_its_source(language: str) -> None:
    """The committed .mo is what `make messages` makes of the .po (nobody forgot to compile)."""
    po = catalogue(language)
    mo = polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in mo}
    for entry in po.translated_entries():
        assert compiled.get((entry.msgctxt, entry.msgid)) == (
            entry.msgstr,
            entry.msgstr_plural,
        ), entry.msgid


def _texts(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


@pytest.mark.parametrize("language", LANGUAGES)
def test_glossary_terms_are_translated_alike_everywhere(language: str) -> None:
    """A message whose English holds a glossary term holds one of the term's forms."""
    po = catalogue(language)
    wrong = []
    for key, term in GLOSSARY.items():
        english = re.compile(rf"\b{re.escape(term['en'])}", re.IGNORECASE)
        forms = [form.lower() for form in term[language]]
        for entry in po.translated_entries():
            # A placeholder's name (%(deliverable_url)s) is not text a reader sees.
            if not english.search(PLACEHOLDER.sub("", entry.msgid)):
                continue
            for text in _texts(entry):
                if not any(form in text.lower() for form in forms):
                    wrong.append(f"{key}: {entry.msgid!r} -> {text!r}")
    assert wrong == []


def test_glossary_gives_every_term_in_every_language() -> None:
    for key, term in GLOSSARY.items():
        assert term["en"], key
        for language in LANGUAGES:
            assert term[language], f"{key} has no {language} form"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs gettext's xgettext")
def test_the_catalogues_hold_every_message_the_code_marks(tmp_path: Path) -> None:
    """Nobody marked a string and forgot `make messages`: makemessages, run on a copy of the
    code, finds no message the committed catalogues lack (nor one they keep that is gone)."""
    base = Path(settings.BASE_DIR)
    copy = tmp_path / "coresp"
    ignore = shutil.ignore_patterns("__pycache__", "*.mo", "*.pyc")
    # The platform's own apps (each has an apps.py), the settings, templates and catalogues.
    apps = [path.name for path in base.iterdir() if (path / "apps.py").exists()]
    for name in [*apps, "coresp", "templates", "locale"]:
        shutil.copytree(base / name, copy / name, ignore=ignore)
    shutil.copy(base / "manage.py", copy / "manage.py")
    result = subprocess.run(
        # As `make messages` runs it: the demo's story is user content, not the platform's text.
        [sys.executable, "manage.py", "makemessages", "-l", "de", "--no-obsolete", "-i", "demo/*"],
        cwd=copy,
        env={**os.environ, "DEBUG": "1", "PYTHONPATH": str(copy)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    fresh = polib.pofile(str(copy / "locale" / "de" / "LC_MESSAGES" / "django.po"))
    committed = catalogue("de")
    assert {(e.msgctxt, e.msgid) for e in fresh} == {(e.msgctxt, e.msgid) for e in committed}


def test_every_string_shown_to_people_is_marked_for_translation() -> None:
    """bin/check_i18n.py's checks (as `make lint` runs them), here too so that CI runs them:
    no template text outside translation tags, no literal message or validation error."""
    import importlib.util

    path = Path(settings.BASE_DIR) / "bin" / "check_i18n.py"
    spec = importlib.util.spec_from_file_location("check_i18n", path)
    assert spec and spec.loader
    check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check)
    findings: list[str] = []
    for directory in check.TEMPLATE_DIRS:
        for template in sorted(directory.rglob("*.html")) + sorted(directory.rglob("*.txt")):
            findings += check.template_findings(template)
    for package in check.PYTHON_DIRS:
        for module in sorted((check.BASE / package).rglob("*.py")):
            if "migrations" not in module.parts:
                findings += check.python_findings(module)
    assert findings == []
