"""Text that partners type cannot make a report fetch anything or embed a file.

Every user text that reaches a progress report or a conference report PDF gets markup that, if it
ever got through as HTML, would make WeasyPrint fetch from a local HTTP server started here, embed
/etc/passwd as an attachment, or import a stylesheet. The PDFs are rendered with the platform's
own code (reports.rendering); the server must see no request, the PDFs must hold no embedded file,
and the markup must come out as the text that was typed.

Two lines of defence are tested separately: the templates escape user text, and the URL fetcher
(StaticOnlyFetcher) refuses everything but the platform's static files even for raw markup. A
control run with WeasyPrint's default fetcher shows the payload is live, so a 0 here means
something.
"""

from __future__ import annotations

import datetime as dt
import http.server
import io
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils import timezone
from pypdf import PdfReader
from weasyprint import HTML, URLFetcher

from accounts.models import User
from events.models import AgendaItem, Attendance, Event
from projects.models import Deliverable, Project, RiskReview, WorkPackage
from reports import rendering
from reports.models import ConferenceReport, Recommendation
from tests.factories import make_deliverable, make_milestone, make_risk
from tests.reports import ALL_SECTIONS, make_conference_pdf, make_progress_report, pdf_text

pytestmark = pytest.mark.django_db


class RequestLog(http.server.ThreadingHTTPServer):
    """A local HTTP server that answers everything and remembers every path asked for."""

    requests: list[str]

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(http.server.BaseHTTPRequestHandler):
    server: RequestLog

    def do_GET(self) -> None:
        self.server.requests.append(self.path)
        if self.path.startswith("/redirect"):
            # A redirect to a file: URL, as in the redirect bypass WeasyPrint 68 fixed.
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()
            return
        body = b"body { background: url(/from-css) }" if "css" in self.path else b"GIF89a"
        self.send_response(200)
        self.send_header("Content-Type", "text/css" if "css" in self.path else "image/gif")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep the test output clean


@pytest.fixture
def http_server() -> Iterator[RequestLog]:
    server = RequestLog(("127.0.0.1", 0), _Handler)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def payload(origin: str, label: str) -> str:
    """Markup that fetches from `origin` and attaches /etc/passwd, if it is ever not escaped."""
    return (
        f'{label} <img src="{origin}/x">'
        '<link rel="attachment" href="file:///etc/passwd">'
        f"<style>@import url({origin}/css)</style>"
        f'<p style="background: url({origin}/bg)">'
        f'<a rel="attachment" href="{origin}/redirect">'
    )


def short_payload(origin: str, label: str) -> str:
    """For titles of at most 200 characters."""
    return (
        f'{label} <img src="{origin}/x"><link rel="attachment" href="file:///etc/passwd">'
        f"<style>@import url({origin}/css)</style>url({origin}/bg)"
    )


def squeeze(text: str) -> str:
    """Text without whitespace: table cells wrap long words onto several lines."""
    return "".join(text.split())


def embedded_files(content: bytes) -> list[str]:
    """Names of files embedded in a PDF: in the catalog's /Names, or as file annotations."""
    reader = PdfReader(io.BytesIO(content))
    names = list(reader.attachments)
    catalog = reader.root_object
    names_tree = catalog.get("/Names")
    if names_tree is not None and "/EmbeddedFiles" in names_tree.get_object():
        names.append("/EmbeddedFiles in the catalog")
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            if annotation.get_object().get("/Subtype") == "/FileAttachment":
                names.append("a /FileAttachment annotation")
    return names


def _project_with_texts(
    project: Project, work_package: WorkPackage, coordinator: User, origin: str
) -> dict[str, str]:
    """Put the payload into every text of `project` a progress report can show; returns the
    texts that the report must show, by where they were typed."""
    shown: dict[str, str] = {}

    def text(label: str, short: bool = False) -> str:
        value = (short_payload if short else payload)(origin, label)
        shown[label] = value
        return value

    project.title = text("project-title", short=True)
    project.save()
    work_package.title = text("wp-title", short=True)
    work_package.objectives = text("wp-objectives")
    work_package.save()
    make_deliverable(
        work_package, number="D1.1", due_month=3, title=text("deliverable-title", short=True),
        # The description is not printed in a progress report; it gets the payload anyway.
        description=payload(origin, "deliverable-description"),
        status=Deliverable.Status.SUBMITTED, submitted_date=dt.date(2023, 2, 15),
        delay_justification=text("delay-justification"),
    )  # fmt: skip
    make_milestone(
        project, number="MS1", due_month=4, title=text("milestone-title", short=True),
        work_packages=[work_package],
    )  # fmt: skip
    risk = make_risk(
        project, owner=work_package.lead, title=text("risk-title", short=True),
        description=text("risk-description"), mitigation=text("risk-mitigation"),
        likelihood=3, impact=2,
    )  # fmt: skip
    RiskReview.objects.create(
        risk=risk, review_date=dt.date(2023, 3, 1), likelihood=3, impact=2,
        status="open", note=text("review-note"), reviewed_by=coordinator,
    )  # fmt: skip
    event = _event_with_report(project, work_package, origin, text)
    Attendance.objects.create(event=event, total=40, in_person=40, public_authorities=40)
    return shown


def _event_with_report(project: Project, work_package: WorkPackage, origin: str, text) -> Event:  # type: ignore[no-untyped-def]
    starts = dt.datetime(2023, 3, 14, 9, 0, tzinfo=dt.UTC)
    event = Event.objects.create(
        project=project, kind=Event.Kind.ROUNDTABLE, title=text("event-title", True),
        starts_at=starts, ends_at=starts + dt.timedelta(hours=3),
        city=text("event-city", True)[:100], venue=text("event-venue", True),
        organiser=work_package.lead, status=Event.Status.HELD,
    )  # fmt: skip
    report = ConferenceReport.objects.create(
        event=event, author=work_package.lead, status=ConferenceReport.Status.PUBLISHED,
        published_at=starts + dt.timedelta(days=7),
        summary=text("report-summary"), key_messages=text("key-message"),
        success_stories=text("success-stories"), challenges=text("challenges"),
        lessons_learned=text("lessons-learned"), next_steps=text("next-steps"),
    )  # fmt: skip
    Recommendation.objects.create(
        report=report, text=text("recommendation"), audience=Recommendation.Audience.ALL, position=1
    )
    AgendaItem.objects.create(
        event=event, starts_at=starts, title=text("agenda-title", True),
        session_type=AgendaItem.SessionType.PANEL, speakers=text("speaker", True) + ", Org",
    )  # fmt: skip
    return event


def _assert_safe(server: RequestLog, content: bytes) -> None:
    assert server.requests == [], f"The report fetched {server.requests}"
    assert embedded_files(content) == []


def test_a_progress_report_with_markup_in_every_text_fetches_nothing_and_embeds_nothing(
    http_server: RequestLog, project: Project, work_package: WorkPackage, coordinator: User
) -> None:
    shown = _project_with_texts(project, work_package, coordinator, http_server.origin)
    # Sections whose print template exists (the timeline is tested in test_progress_sections).
    report = make_progress_report(
        project, coordinator, sections=[s for s in ALL_SECTIONS if s != "timeline"]
    )
    report.project = Project.objects.get(pk=project.pk)

    pdf = rendering.render_pdf(
        "reports/pdf/progress.html", rendering.progress_report_context(report, timezone.now())
    )

    _assert_safe(http_server, pdf.content)
    text = squeeze(pdf_text(pdf.content))
    shown_in_progress_report = {
        "project-title", "wp-title", "wp-objectives", "deliverable-title", "delay-justification",
        "milestone-title", "risk-title", "risk-description", "risk-mitigation", "review-note",
        "event-title", "key-message", "recommendation",
    }  # fmt: skip
    missing = [k for k in sorted(shown_in_progress_report) if squeeze(shown[k]) not in text]
    assert missing == [], "These texts are not printed as typed"


def test_a_conference_report_with_markup_in_every_text_fetches_nothing_and_embeds_nothing(
    http_server: RequestLog, project: Project, work_package: WorkPackage, coordinator: User
) -> None:
    shown = _project_with_texts(project, work_package, coordinator, http_server.origin)
    event = Event.objects.select_related("project").get(project=project)

    row = make_conference_pdf(event, coordinator)

    pdf = rendering.render_pdf(
        "reports/pdf/conference.html", rendering.conference_report_context(row, timezone.now())
    )

    _assert_safe(http_server, pdf.content)
    text = squeeze(pdf_text(pdf.content))
    shown_in_conference_report = {
        "event-title", "event-venue", "report-summary", "key-message", "success-stories",
        "challenges", "lessons-learned", "next-steps", "recommendation", "agenda-title", "speaker",
    }  # fmt: skip
    missing = [k for k in sorted(shown_in_conference_report) if squeeze(shown[k]) not in text]
    assert missing == [], "These texts are not printed as typed"


def _raw_html(origin: str) -> str:
    return f"""<!DOCTYPE html><html lang="en"><head><title>Raw</title>
    <link rel="stylesheet" href="{origin}/sheet.css">
    <link rel="attachment" href="file:///etc/passwd">
    <style>@import url({origin}/import.css); body {{ background: url({origin}/bg) }}</style>
    </head><body><p>{payload(origin, "raw")}</p>
    <img src="file:///etc/passwd"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
    <a rel="attachment" href="{origin}/attach">attachment</a></body></html>"""


def test_the_fetcher_refuses_raw_markup_too(http_server: RequestLog) -> None:
    """The second line of defence: if markup ever escaped the templates, the fetcher still
    fetches nothing and attaches nothing (render_pdf's own options)."""
    document = HTML(
        string=_raw_html(http_server.origin),
        base_url=rendering.BASE_URL,
        url_fetcher=rendering.StaticOnlyFetcher(),
    ).render()
    content = document.write_pdf(pdf_variant="pdf/ua-1", custom_metadata=True)
    assert content is not None

    _assert_safe(http_server, content)


def test_control_the_default_fetcher_would_fetch_and_embed(http_server: RequestLog) -> None:
    """Without our fetcher the same markup reaches the server and embeds a file: the payload and
    the server are live, so the zeros above are real."""
    content = HTML(string=_raw_html(http_server.origin), url_fetcher=URLFetcher()).write_pdf()
    assert content is not None

    assert len(http_server.requests) >= 3
    assert embedded_files(content) != []


# --- StaticOnlyFetcher ------------------------------------------------------------------------

ORIGIN = rendering.STATIC_ORIGIN


def test_the_fetcher_serves_the_print_stylesheet_from_the_static_origin() -> None:
    response = rendering.StaticOnlyFetcher().fetch(f"{ORIGIN}/static/css/print.css")

    found = finders.find("css/print.css")
    assert isinstance(found, str)
    assert response.read() == Path(found).read_bytes()
    assert response.content_type == "text/css"


def test_the_fetcher_serves_the_static_url_of_the_settings() -> None:
    assert settings.STATIC_URL == "/static/"
    assert rendering.StaticOnlyFetcher().fetch(f"{ORIGIN}/static/css/site.css").read()


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("http://127.0.0.1:8000/static/css/print.css", id="local-http"),
        pytest.param("http://127.0.0.1/x", id="local-http-no-port"),
        pytest.param("file:///etc/passwd", id="file"),
        pytest.param(
            f"file://{settings.BASE_DIR}/static/css/print.css", id="file-of-a-static-file"
        ),
        pytest.param("data:text/css,body{background:red}", id="data-css"),
        pytest.param("data:image/gif;base64,R0lGODlhAQABAAAAACw=", id="data-image"),
        pytest.param(f"{ORIGIN}/static/../coresp/settings.py", id="dot-dot"),
        pytest.param(f"{ORIGIN}/static/css/../../coresp/settings.py", id="dot-dot-deeper"),
        pytest.param(f"{ORIGIN}/static/css/..%2f..%2fcoresp/settings.py", id="encoded-dot-dot"),
        pytest.param(f"{ORIGIN}/static/%2e%2e/coresp/settings.py", id="encoded-dots"),
        pytest.param(f"{ORIGIN}/static//etc/passwd", id="absolute-path"),
        pytest.param(f"{ORIGIN}/static/css/print.css%00.png", id="nul-byte"),
        pytest.param(f"{ORIGIN}/etc/passwd", id="outside-static-url"),
        pytest.param(f"{ORIGIN}/staticx/css/print.css", id="static-prefix-lookalike"),
        pytest.param(f"{ORIGIN}/static/css/missing.css", id="missing-static-file"),
        pytest.param("https://evil.example/static/css/print.css", id="another-origin"),
        pytest.param("http://static.coresp.invalid/static/css/print.css", id="same-host-http"),
        pytest.param("https://static.coresp.invalid:444/static/css/print.css", id="another-port"),
        pytest.param("https://user@static.coresp.invalid/static/css/print.css", id="userinfo"),
        pytest.param("ftp://static.coresp.invalid/static/css/print.css", id="ftp"),
    ],
)
def test_the_fetcher_refuses_everything_else(url: str) -> None:
    with pytest.raises(ValueError, match=r"Refused by the report's URL fetcher|No such static"):
        rendering.StaticOnlyFetcher().fetch(url)


def test_the_fetcher_does_not_follow_redirects_or_open_sockets(http_server: RequestLog) -> None:
    with pytest.raises(ValueError):
        rendering.StaticOnlyFetcher().fetch(f"{http_server.origin}/redirect")
    assert http_server.requests == []


def test_a_progress_report_uses_only_the_static_fetcher(
    project: Project, coordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Everything the print templates link to is served by the fetcher (the stylesheet), and
    nothing goes elsewhere: the URLs asked for are recorded."""
    asked: list[str] = []
    fetch = rendering.StaticOnlyFetcher.fetch

    def recording_fetch(self: rendering.StaticOnlyFetcher, url: str, headers: object = None):  # type: ignore[no-untyped-def]
        asked.append(url)
        return fetch(self, url, headers)

    monkeypatch.setattr(rendering.StaticOnlyFetcher, "fetch", recording_fetch)
    report = make_progress_report(project, coordinator, sections=["summary"])

    rendering.render_pdf(
        "reports/pdf/progress.html", rendering.progress_report_context(report, timezone.now())
    )

    assert asked == [f"{ORIGIN}/static/css/print.css"]
