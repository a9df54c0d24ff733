"""How the PDF progress report's render time, size and memory grow with the number of deliverables.

Run by hand from the project folder:

    .venv/bin/python bench/pdf.py                 # one timed render per size
    .venv/bin/python bench/pdf.py --repeat 3      # the median of three

In one process it builds a throwaway SQLite database under var/bench/pdf/ with three projects
that differ only in their number of deliverables (50, the baseline; 500; 2,000), renders each
one's progress report with every section through reports.rendering (progress_report_context +
render_pdf, as the Celery task does) and prints the seconds, pages, bytes and seconds per 100
deliverable rows of each, with each figure's ratio to the baseline's. It then renders the 2,000-row
report's HTML twice more outside render_pdf, once as is and once with the print stylesheet's
`table-layout: fixed` overridden by `auto`, and prints the ratio; and the process's peak RSS.
It asserts nothing: the figures are for people to read. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import resource
import shutil
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import VAR, build_project, configure, fresh_database  # noqa: E402

WORK = VAR / "pdf"  # not var/bench itself: bench/pages.py may run at the same time
BASELINE = 50
SIZES = (500, 2000)
# The same in every project, so that only the deliverable rows differ.
WORK_PACKAGES, RISKS, MILESTONES = 10, 20, 10
# A *user* stylesheet loses to the print stylesheet (an author one) whatever the order, unless
# its declaration is !important: without it this override would silently change nothing.
TABLE_LAYOUT_AUTO = "table { table-layout: auto !important; }"
ACRONYMS = {BASELINE: "BASE", 500: "MID", 2000: "LARGE"}  # org names use the first 3 letters


@dataclass
class Result:
    rows: int
    context_seconds: float
    render_seconds: float
    pages: int
    size: int
    peak_rss_mb: float

    @property
    def seconds(self) -> float:
        return self.context_seconds + self.render_seconds

    @property
    def per_100_rows(self) -> float:
        return self.seconds / (self.rows / 100)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# --- the data --------------------------------------------------------------------------------


def build(rows: int) -> Any:
    """A project with `rows` deliverables (bench/pages.py's builder), some submitted late with a
    justification so the Delay column has text to lay out; returns an unsaved GeneratedReport of
    RP1 (M1-M12, up to this month) with every section, as the request would make it."""
    from accounts.models import User
    from projects.models import Deliverable, Project, ReportingPeriod
    from reports.models import GeneratedReport

    slug, email = build_project(
        ACRONYMS[rows],
        deliverables=rows,
        risks=RISKS,
        work_packages=WORK_PACKAGES,
        milestones=MILESTONES,
    )
    project = Project.objects.get(slug=slug)
    done = list(Deliverable.objects.filter(project=project, status__in=Deliverable.DONE_STATUSES))
    for k, d in enumerate(done):
        late = k % 3 == 0
        d.submitted_date = d.due_date + dt.timedelta(days=12 if late else -5)
        if late:
            d.delay_justification = "Waited for the partners' comments on the second draft."
    Deliverable.objects.bulk_update(done, ["submitted_date", "delay_justification"])
    period = ReportingPeriod.objects.create(project=project, number=1, start_month=1, end_month=12)
    return GeneratedReport(
        project=project,
        kind=GeneratedReport.Kind.PROGRESS,
        period=period,
        start_date=period.start_date,
        end_date=period.end_date,
        sections=[key for key, _ in GeneratedReport.SECTIONS],
        requested_by=User.objects.get(email=email),
    )


# --- rendering -------------------------------------------------------------------------------


def render(report: Any, rows: int, repeat: int, keep: Path | None = None) -> Result:
    """The report as the task renders it; the median of `repeat` runs."""
    from django.utils import timezone

    from reports import rendering

    runs = []
    for _ in range(repeat):
        gc.collect()
        now = timezone.now()
        started = time.perf_counter()
        context = rendering.progress_report_context(report, now)
        context_seconds = time.perf_counter() - started
        pdf = rendering.render_pdf("reports/pdf/progress.html", context)
        runs.append((context_seconds + pdf.seconds, context_seconds, pdf))
    _total, context_seconds, pdf = sorted(runs, key=lambda run: run[0])[len(runs) // 2]
    if keep is not None:
        keep.write_bytes(pdf.content)
    return Result(
        rows=rows,
        context_seconds=context_seconds,
        render_seconds=pdf.seconds,
        pages=pdf.pages,
        size=len(pdf.content),
        peak_rss_mb=peak_rss_mb(),
    )


def render_layout(html: str, extra_css: str | None) -> tuple[float, int, int, Counter[str]]:
    """WeasyPrint on the same HTML with render_pdf's options, with or without an extra (user)
    stylesheet: (seconds, pages, bytes, the table-layout of the laid-out tables)."""
    from weasyprint import CSS, HTML

    from reports import rendering

    gc.collect()
    started = time.perf_counter()
    document = HTML(
        string=html, base_url=rendering.BASE_URL, url_fetcher=rendering.StaticOnlyFetcher()
    ).render(stylesheets=[CSS(string=extra_css)] if extra_css else None)
    content = document.write_pdf(
        pdf_variant="pdf/ua-1", custom_metadata=True, jpeg_quality=75, dpi=150
    )
    seconds = time.perf_counter() - started
    assert content is not None
    layouts: Counter[str] = Counter()
    for page in document.pages:
        for box in page._page_box.descendants():
            if type(box).__name__ == "TableBox":
                layouts[box.style["table_layout"]] += 1
    return seconds, len(document.pages), len(content), layouts


def layout_comparison(report: Any, repeat: int) -> dict[str, tuple[float, int, int, Counter[str]]]:
    from django.template.loader import render_to_string
    from django.utils import timezone

    from reports import rendering

    context = rendering.progress_report_context(report, timezone.now())
    html = render_to_string(
        "reports/pdf/progress.html", {**context, "static_origin": rendering.STATIC_ORIGIN}
    )
    results: dict[str, list[tuple[float, int, int, Counter[str]]]] = {"fixed": [], "auto": []}
    for _ in range(repeat):  # alternate, so drift in the machine's load falls on both alike
        results["fixed"].append(render_layout(html, None))
        results["auto"].append(render_layout(html, TABLE_LAYOUT_AUTO))
    return {
        name: sorted(runs, key=lambda run: run[0])[len(runs) // 2] for name, runs in results.items()
    }


# --- output ----------------------------------------------------------------------------------


def print_table(results: list[Result]) -> None:
    base = results[0]
    print(
        f"{'deliverables':>12} {'context s':>9} {'render s':>9} {'seconds':>8} {'pages':>6} "
        f"{'bytes':>10} {'s/100 rows':>10}   {'x baseline: seconds':>19} {'pages':>6} "
        f"{'bytes':>6} {'s/100 rows':>10} {'peak RSS MB':>12}"
    )
    for r in results:
        print(
            f"{r.rows:>12,} {r.context_seconds:>9.3f} {r.render_seconds:>9.2f} {r.seconds:>8.2f} "
            f"{r.pages:>6} {r.size:>10,} {r.per_100_rows:>10.3f}   "
            f"{r.seconds / base.seconds:>18.1f}x {r.pages / base.pages:>5.1f}x "
            f"{r.size / base.size:>5.1f}x {r.per_100_rows / base.per_100_rows:>9.2f}x "
            f"{r.peak_rss_mb:>12.0f}"
        )
    print()
    for r in results[1:]:
        marginal = (r.seconds - base.seconds) / ((r.rows - base.rows) / 100)
        print(
            f"{r.rows:,} rows: {marginal:.3f} s per 100 rows beyond the baseline's "
            f"({marginal * 10:.1f} ms a row); the baseline's fixed part (cover, contents, risks, "
            f"timeline, WeasyPrint's start) is in its {base.per_100_rows:.3f} s/100 rows"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help="timed renders per size (median)")
    args = parser.parse_args()

    WORK.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{WORK / 'pdf.sqlite3'}"
    configure(database_url)
    os.environ["STATIC_ROOT"] = str(WORK / "static")
    fresh_database(database_url)

    import django
    from django.core.management import call_command

    django.setup()
    import weasyprint

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    # As in production (DEBUG off): the print stylesheet is read from the collected, hashed copy.
    shutil.rmtree(WORK / "static", ignore_errors=True)
    call_command("collectstatic", verbosity=0, interactive=False)
    reports = {rows: build(rows) for rows in (BASELINE, *SIZES)}
    print(
        f"SQLite {WORK / 'pdf.sqlite3'}, built in {time.perf_counter() - started:.1f} s; "
        f"WeasyPrint {weasyprint.__version__}; every section; each project has "
        f"{WORK_PACKAGES} work packages, {RISKS} risks, {MILESTONES} milestones and "
        f"{', '.join(f'{n:,}' for n in reports)} deliverables; median of {args.repeat} "
        f"render(s) each; peak RSS after building: {peak_rss_mb():.0f} MB"
    )

    render(reports[BASELINE], BASELINE, 1)  # untimed: fonts, the fetcher and the template load once
    results = [
        render(report, rows, args.repeat, keep=WORK / f"progress-{rows}.pdf")
        for rows, report in reports.items()
    ]
    print()
    print_table(results)

    layouts = layout_comparison(reports[SIZES[-1]], args.repeat)
    (f_s, f_pages, f_bytes, f_layouts), (a_s, a_pages, a_bytes, a_layouts) = (
        layouts["fixed"],
        layouts["auto"],
    )
    print()
    print(
        f"table-layout, {SIZES[-1]:,} rows (the same HTML, WeasyPrint only; tables laid out "
        f"fixed/auto: {dict(f_layouts)} / {dict(a_layouts)}):"
    )
    print(f"  fixed {f_s:.2f} s, {f_pages} pages, {f_bytes:,} bytes")
    print(f"  auto  {a_s:.2f} s, {a_pages} pages, {a_bytes:,} bytes")
    print(
        f"  fixed/auto {f_s / a_s:.2f} (auto takes {a_s / f_s:.2f}x the time of fixed); "
        f"pages {f_pages} vs {a_pages}"
    )
    print()
    print(f"peak RSS of the process: {peak_rss_mb():.0f} MB; PDFs kept in {WORK}")


if __name__ == "__main__":
    main()
