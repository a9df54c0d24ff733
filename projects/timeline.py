"""A project's plan: the table of work packages with their deliverables and milestones, and the
geometry of its timeline (work packages as bars over the project's months, deliverables and
milestones as markers, today's month marked). The timeline page and the PDF report both use it.

Plain functions over rows already fetched: no queries, no clock, no request, so the plan can be
tested by its numbers and the templates only draw what they are given (inline SVG, presentation
attributes only: the CSP forbids style attributes).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext

from projects.models import Deliverable, Milestone, Progress, Project, WorkPackage


@dataclass(frozen=True)
class PlanRow:
    """One work package of the plan: its months, its deliverables and its milestones."""

    work_package: WorkPackage
    start_date: dt.date  # first day of its start month
    end_date: dt.date  # last day of its end month
    deliverables: list[Deliverable]
    milestones: list[Milestone]

    @property
    def progress(self) -> int:
        """Percent of its deliverables done (Progress)."""
        return Progress.of(self.deliverables).percent


@dataclass(frozen=True)
class Plan:
    rows: list[PlanRow]
    project_milestones: list[Milestone]  # linked to no work package: the whole project's


def build_plan(
    project: Project,
    *,
    work_packages: Iterable[WorkPackage],
    deliverables: Iterable[Deliverable],
    milestones: Iterable[Milestone],
) -> Plan:
    """Deliverables and milestones by work package, each list in the order given. A milestone
    of several work packages is in each of their rows. `milestones` need their work packages
    prefetched (`work_packages.all()` is read for each)."""
    due: dict[int, list[Deliverable]] = defaultdict(list)
    for deliverable in deliverables:
        due[deliverable.work_package_id].append(deliverable)
    milestones_of: dict[int, list[Milestone]] = defaultdict(list)
    project_milestones = []
    for milestone in milestones:
        linked = milestone.work_packages.all()
        for wp in linked:
            milestones_of[wp.pk].append(milestone)
        if not linked:
            project_milestones.append(milestone)
    rows = [
        PlanRow(
            work_package=wp,
            start_date=project.month_start(wp.start_month),
            end_date=project.month_end(wp.end_month),
            deliverables=due[wp.pk],
            milestones=milestones_of[wp.pk],
        )
        for wp in work_packages
    ]
    return Plan(rows=rows, project_milestones=project_milestones)


# Units of the SVG's viewBox; the picture scales to the page width.
LABEL_WIDTH = 180
MONTH_WIDTH = 24
HEADER_HEIGHT = 34
ROW_HEIGHT = 30
BAR_HEIGHT = 16
MARKER_RADIUS = 5
LABEL_CHARS = 26


@dataclass(frozen=True)
class Marker:
    """Deliverables (circle) or milestones (diamond) due in one month, drawn at its centre."""

    month: int
    x: float
    y: float
    numbers: tuple[str, ...]
    title: str  # the accessible name: "D1.1 Plan, D1.2 Report: due M6"

    @property
    def label(self) -> str:
        return ", ".join(self.numbers)

    @property
    def count(self) -> int:
        return len(self.numbers)

    @property
    def count_x(self) -> float:
        """Where the number of markers in one month is written, just right of the marker."""
        return self.x + MARKER_RADIUS + 3

    @property
    def count_y(self) -> float:
        return self.y - 4

    @property
    def diamond(self) -> str:
        """The points of a diamond around (x, y), for <polygon points="...">."""
        r = MARKER_RADIUS + 1
        x, y = self.x, self.y
        return f"{x},{y - r} {x + r},{y} {x},{y + r} {x - r},{y}"


@dataclass(frozen=True)
class Row:
    """One work package: its bar and its deliverables."""

    code: str
    title: str
    label: str  # the title shortened to fit the label column
    start_month: int
    end_month: int
    x: float
    y: float  # top of the bar
    width: float
    label_y: float
    deliverables: list[Marker] = field(default_factory=list)


@dataclass(frozen=True)
class Tick:
    month: int
    x: float  # left edge of the month
    centre: float
    label: str  # "" when the month is not labelled (only M1 and every third month are)
    is_year_start: bool


@dataclass(frozen=True)
class Timeline:
    width: float
    height: float
    plot_top: float
    plot_bottom: float
    ticks: list[Tick]
    rows: list[Row]
    milestones_y: float  # centre line of the milestones row, below the work packages
    milestones: list[Marker]
    today_month: int | None  # None when today is outside the project
    today_x: float | None  # left edge of today's month column
    month_width: float = MONTH_WIDTH
    label_width: float = LABEL_WIDTH

    @property
    def plot_height(self) -> float:
        return self.plot_bottom - self.plot_top

    @property
    def tick_label_y(self) -> float:
        return self.plot_top - 8

    @property
    def milestones_label_y(self) -> float:
        return self.milestones_y + 4

    @property
    def today_centre(self) -> float | None:
        return None if self.today_x is None else self.today_x + self.month_width / 2


def month_x(month: int) -> float:
    """The left edge of project month `month` (M1 starts right after the label column)."""
    return LABEL_WIDTH + (month - 1) * MONTH_WIDTH


def month_centre(month: int) -> float:
    return month_x(month) + MONTH_WIDTH / 2


def _shorten(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _due_title(items: Iterable[str], month: int) -> str:
    """A marker's accessible name: "D1.1 Plan, D1.2 Report: due M6" (M6: project month 6)."""
    # Translators: M6 is project month 6; %(items)s lists deliverables or milestones.
    return gettext("%(items)s: due M%(month)s") % {"items": ", ".join(items), "month": month}


def _clamp(month: int, duration: int) -> int:
    return max(1, min(month, duration))


def build_timeline(
    *,
    duration_months: int,
    work_packages: Sequence[WorkPackage],
    deliverables: Iterable[Deliverable],
    milestones: Iterable[Milestone],
    today_month: int,
) -> Timeline:
    """Bars and markers for a project of `duration_months`, in viewBox units.

    `today_month` is the project month of today (Project.month_of: 0 before the start, more than
    the duration after the end). Months outside the project (bad data) are drawn at its edge
    rather than off the picture.
    """
    by_wp: dict[int, dict[int, list[Deliverable]]] = defaultdict(lambda: defaultdict(list))
    for deliverable in deliverables:
        month = _clamp(deliverable.due_month, duration_months)
        by_wp[deliverable.work_package_id][month].append(deliverable)

    rows: list[Row] = []
    for index, wp in enumerate(work_packages):
        top = HEADER_HEIGHT + index * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2
        centre = top + BAR_HEIGHT / 2
        start = _clamp(wp.start_month, duration_months)
        end = max(start, _clamp(wp.end_month, duration_months))
        markers = [
            Marker(
                month=month,
                x=month_centre(month),
                y=centre,
                numbers=tuple(d.number for d in due),
                title=_due_title((f"{d.number} {d.title}" for d in due), month),
            )
            for month, due in sorted(by_wp[wp.pk].items())
        ]
        rows.append(
            Row(
                code=wp.code,
                title=wp.title,
                label=_shorten(f"{wp.code} {wp.title}"),
                start_month=wp.start_month,
                end_month=wp.end_month,
                x=month_x(start),
                y=top,
                width=(end - start + 1) * MONTH_WIDTH,
                label_y=centre + 4,  # baseline of 11-unit text, visually centred on the bar
                deliverables=markers,
            )
        )

    milestones_y = HEADER_HEIGHT + len(rows) * ROW_HEIGHT + ROW_HEIGHT / 2
    due_milestones: dict[int, list[Milestone]] = defaultdict(list)
    for milestone in milestones:
        due_milestones[_clamp(milestone.due_month, duration_months)].append(milestone)
    milestone_markers = [
        Marker(
            month=month,
            x=month_centre(month),
            y=milestones_y,
            numbers=tuple(m.number for m in due),
            title=_due_title((f"{m.number} {m.title}" for m in due), month),
        )
        for month, due in sorted(due_milestones.items())
    ]

    plot_bottom = HEADER_HEIGHT + (len(rows) + 1) * ROW_HEIGHT
    ticks = [
        Tick(
            month=month,
            x=month_x(month),
            centre=month_centre(month),
            label=f"M{month}" if month == 1 or month % 3 == 0 else "",
            is_year_start=month > 1 and (month - 1) % 12 == 0,
        )
        for month in range(1, duration_months + 1)
    ]
    in_project = 1 <= today_month <= duration_months
    return Timeline(
        width=LABEL_WIDTH + duration_months * MONTH_WIDTH + 8,
        height=plot_bottom + 8,
        plot_top=HEADER_HEIGHT,
        plot_bottom=plot_bottom,
        ticks=ticks,
        rows=rows,
        milestones_y=milestones_y,
        milestones=milestone_markers,
        today_month=today_month if in_project else None,
        today_x=month_x(today_month) if in_project else None,
    )
