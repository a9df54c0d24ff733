"""Fail when text shown to people is not marked for translation, or a shipped language is not
complete. Run by `make lint`; `python bin/check_i18n.py --list` prints every finding.

Templates: every text node outside {% translate %} / {% blocktranslate %} that holds a word is a
finding (markup, template variables, punctuation and numbers are not words). Python: a literal
string given straight to `messages.<level>()`, `ValidationError()` or a form's `add_error()` is a
finding (it must go through gettext). Catalogues: `msgfmt --check --statistics` on each shipped
language must report no untranslated and no fuzzy message.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import Lexer, TokenType

BASE = Path(__file__).resolve().parent.parent
TEMPLATE_DIRS = [BASE / "templates"]
PYTHON_DIRS = [
    "accounts",
    "projects",
    "events",
    "procurement",
    "impact",
    "reports",
    "demo",
    "coresp",
]
LANGUAGES = ["de", "fr", "es", "bg"]

# Words that are the same in every language: names and codes, not sentences.
UNTRANSLATED_WORDS = {"CO-RESP", "CO", "RESP", "PDF", "CSV", "XLSX", "iCalendar", "htmx", "PIC"}
WORD = re.compile(r"[^\W\d_]{2,}")
CLOSING = {"endblocktranslate", "endblocktrans", "endcomment", "endverbatim"}


class _TextNodes(HTMLParser):
    """The text between tags, and the attribute values people read (title, alt, aria-label,
    placeholder), outside <script> and <style>."""

    READ_ATTRIBUTES = {"title", "alt", "aria-label", "placeholder", "aria-description"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[tuple[int, str]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1
        line = self.getpos()[0]
        self.texts.extend((line, v) for k, v in attrs if k in self.READ_ATTRIBUTES and v)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.texts.append((self.getpos()[0], data))


def _words(text: str) -> list[str]:
    return [w for w in WORD.findall(text) if w not in UNTRANSLATED_WORDS]


def template_findings(path: Path) -> list[str]:
    """Text with words outside translation tags: '<file>:<line>: <text>'.

    The template is read back with every tag and variable replaced by a neutral placeholder (and
    the insides of blocktranslate and comment blocks blanked), line breaks kept, so the HTML
    parser sees whole elements and reports true line numbers.
    """
    source = path.read_text(encoding="utf-8")
    pieces = []
    inside = 0
    for token in Lexer(source).tokenize():
        blank = "\n" * token.contents.count("\n")
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if name in {"blocktranslate", "blocktrans", "comment", "verbatim"}:
                inside += 1
            elif name in CLOSING:
                inside = max(0, inside - 1)
            pieces.append("0" + blank)
        elif token.token_type == TokenType.TEXT and not inside:
            pieces.append(token.contents)
        else:
            pieces.append("0" + blank)
    parser = _TextNodes()
    parser.feed("".join(pieces))
    parser.close()
    return [
        f"{path.relative_to(BASE)}:{line}: {' '.join(text.split())[:70]}"
        for line, text in parser.texts
        if _words(text)
    ]


MESSAGE_CALLS = {"success", "error", "info", "warning", "debug"}


def _is_plain_string(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(_words(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(
            isinstance(v, ast.Constant) and isinstance(v.value, str) and _words(v.value)
            for v in node.values
        )
    if isinstance(node, ast.Dict):
        return any(v is not None and _is_plain_string(v) for v in node.values)
    return False


def python_findings(path: Path) -> list[str]:
    """Literal strings handed to messages, ValidationError or add_error without gettext."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    findings = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        owner = func.value if isinstance(func, ast.Attribute) else None
        candidates: list[ast.expr] = []
        if name in MESSAGE_CALLS and isinstance(owner, ast.Name) and owner.id == "messages":
            candidates = node.args[1:2]
        elif name == "ValidationError":
            candidates = node.args[:1]
        elif name == "add_error":
            candidates = node.args[1:2]
        for arg in candidates:
            if _is_plain_string(arg):
                findings.append(f"{path.relative_to(BASE)}:{node.lineno}: {name}(...) literal")
    return findings


def catalogue_findings() -> list[str]:
    """Each shipped language's catalogue, checked and counted by msgfmt."""
    findings = []
    for language in LANGUAGES:
        po = BASE / "locale" / language / "LC_MESSAGES" / "django.po"
        if not po.exists():
            findings.append(f"{po.relative_to(BASE)}: missing")
            continue
        result = subprocess.run(
            ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
            capture_output=True,
            text=True,
            check=False,
        )
        report = (result.stderr + result.stdout).strip()
        if result.returncode or "untranslated" in report or "fuzzy" in report:
            findings.append(f"{po.relative_to(BASE)}: {report}")
        else:
            print(f"{language}: {report}")
    return findings


def main(argv: list[str]) -> int:
    import django

    sys.path.insert(0, str(BASE))
    django.setup()
    findings: list[str] = []
    for directory in TEMPLATE_DIRS:
        for path in sorted(directory.rglob("*.html")) + sorted(directory.rglob("*.txt")):
            findings += template_findings(path)
    for package in PYTHON_DIRS:
        for path in sorted((BASE / package).rglob("*.py")):
            if "migrations" not in path.parts:
                findings += python_findings(path)
    findings += catalogue_findings()
    if findings:
        shown = findings if "--list" in argv else findings[:40]
        print("\n".join(shown))
        if len(shown) < len(findings):
            print(f"... and {len(findings) - len(shown)} more (--list shows all)")
        print(f"{len(findings)} strings not ready for translation", file=sys.stderr)
        return 1
    print("Every string shown to people is marked, and every language is complete.")
    return 0


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coresp.settings")
    os.environ.setdefault("DEBUG", "1")
    sys.exit(main(sys.argv[1:]))
