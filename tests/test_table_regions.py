"""Tables that scroll sideways can be reached and are named (WCAG 2.1.1, 1.3.1, 4.1.2).

A `.table-wrap` box scrolls a table wider than the screen; with nothing focusable in it (an
observer's tables have no links to edit) a keyboard could not scroll it. So every such box, and the
timeline's scrolling box, is a region (`role="region"`) with a tab stop (`tabindex="0"`) and a name
that resolves to text on the page, distinct from every other landmark's (axe's landmark-unique);
every table is named too, by its caption or by an aria-label(ledby). Checked on the rendered pages
of the demo for a coordinator, a partner and an observer, and on the templates' source for the
boxes of pages not rendered here.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from lxml import html as lxml_html

from accounts.models import User
from demo.loader import load_demo
from events.models import Event
from impact.models import Indicator, IndicatorValue
from procurement.models import LocalActionPlan, Tender
from projects.models import Deliverable, DeliverableVersion, Membership, Project
from tests.reports import make_ready_report

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
SCROLLING = ("table-wrap", "timeline-scroll")


def pages(project: Project) -> dict[str, str]:
    """Every page type with a scrolling table, from the demo: its fullest example of each."""
    slug = project.slug
    deliverable = (
        project.deliverables.annotate(n=Count("versions")).order_by("-n", "sort_key").first()
    )
    work_package = project.work_packages.order_by("number").first()
    risk = project.risks.annotate(n=Count("reviews")).order_by("-n", "number").first()
    event = (
        Event.objects.filter(project=project)
        .annotate(rows=Count("agenda_items", distinct=True) + Count("outcomes", distinct=True))
        .order_by("-rows", "pk")
        .first()
    )
    indicator = Indicator.objects.filter(project=project).order_by("code").first()
    value = IndicatorValue.objects.filter(indicator__project=project).order_by("pk").first()
    tender = (
        Tender.objects.filter(project=project)
        .annotate(n=Count("lots"))
        .order_by("-n", "pk")
        .first()
    )
    plan = LocalActionPlan.objects.filter(project=project).order_by("pk").first()
    assert deliverable and work_package and risk and event and indicator and value
    assert tender and plan
    return {
        "home of the project": reverse("projects:project_dashboard", args=[slug]),
        "work packages": reverse("projects:workpackage_list", args=[slug]),
        "work package": reverse("projects:workpackage_detail", args=[slug, work_package.number]),
        "deliverable list": reverse("projects:deliverable_list", args=[slug]),
        "deliverable": deliverable.get_absolute_url(),
        "milestones": reverse("projects:milestone_list", args=[slug]),
        "risk list": reverse("projects:risk_list", args=[slug]),
        "risk": reverse("projects:risk_detail", args=[slug, risk.number]),
        "timeline": reverse("projects:timeline", args=[slug]),
        "event list": reverse("events:event_list", args=[slug]),
        "event": event.get_absolute_url(),
        "calendar": reverse("events:event_calendar", args=[slug])
        + f"?month={event.local_start:%Y-%m}",
        "impact": reverse("impact:impact_overview", args=[slug]),
        "indicator": reverse("impact:indicator_detail", args=[slug, indicator.code]),
        "indicator form": reverse("impact:indicator_edit", args=[slug, indicator.code]),
        "value entry": reverse(
            "impact:value_entry", args=[slug, value.partner.number, value.period.number]
        ),
        "data quality": reverse("impact:data_quality", args=[slug]),
        "procurement register": reverse("procurement:tender_list", args=[slug]),
        "tender": reverse("procurement:tender_detail", args=[slug, tender.pk]),
        "procurement summary": reverse("procurement:procurement_summary", args=[slug]),
        "action plans": reverse("procurement:action_plan_list", args=[slug]),
        "action plan": reverse("procurement:action_plan_detail", args=[slug, plan.pk]),
        "good practices": reverse("procurement:good_practice_list", args=[slug]),
        "reports": reverse("reports:report_list", args=[slug]),
        "recommendations": reverse("reports:recommendation_list", args=[slug]),
    }


# The pages every role may read (the brief's main pages); the others may answer 403 to some.
EVERYONE_READS = {
    "home of the project",
    "deliverable list",
    "deliverable",
    "event list",
    "event",
    "calendar",
    "risk list",
    "timeline",
    "impact",
    "procurement register",
    "tender",
    "reports",
}


def _text(element: lxml_html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


class Unresolved(Exception):
    """An aria-labelledby id that names no element, or an element without text."""


def _name(tree: lxml_html.HtmlElement, element: lxml_html.HtmlElement) -> str:
    """The element's accessible name from aria-labelledby (each id must resolve) or aria-label."""
    if ids := element.get("aria-labelledby", "").split():
        parts = []
        for id_ in ids:
            found = tree.xpath("//*[@id=$id]", id=id_)
            parts.append(_text(found[0]) if found else "")
            if not parts[-1]:
                raise Unresolved(f"aria-labelledby={id_!r} names no text")
        return " ".join(parts)
    return " ".join(element.get("aria-label", "").split())


def problems(body: str) -> list[str]:
    """What is wrong with the page's scrolling boxes, tables and landmark names."""
    tree = lxml_html.fromstring(body)
    found = []
    ids = Counter(tree.xpath("//@id"))
    found += [f"id {id_!r} is used {n} times" for id_, n in ids.items() if n > 1]
    boxes = tree.xpath(
        " | ".join(f"//*[contains(concat(' ', @class, ' '), ' {c} ')]" for c in SCROLLING)
    )
    for box in boxes:
        start = lxml_html.tostring(box, encoding="unicode").split(">", 1)[0] + ">"
        if box.get("role") != "region":
            found.append(f"{start} is not a region")
        if box.get("tabindex") != "0":
            found.append(f"{start} has no tab stop")
        try:
            if not _name(tree, box):
                found.append(f"{start} has no name")
        except Unresolved as error:
            found.append(f"{start}: {error}")
    for table in tree.iter("table"):
        caption = table.find("caption")
        try:
            if not ((caption is not None and _text(caption)) or _name(tree, table)):
                found.append(f"a table has no caption or label: {_text(table)[:60]}")
        except Unresolved as error:
            found.append(f"a table: {error}")
    # Landmarks named alike cannot be told apart in a screen reader's list (axe landmark-unique).
    landmarks: Counter[str] = Counter()
    for element in tree.xpath("//*[@role='region'] | //section[@aria-labelledby or @aria-label]"):
        try:
            landmarks[_name(tree, element).casefold()] += 1
        except Unresolved as error:
            found.append(f"a landmark: {error}")
    found += [f"{n} regions are named {name!r}" for name, n in landmarks.items() if n > 1]
    return found


@pytest.fixture
def demo(db: None) -> Project:
    return load_demo(today=timezone.localdate())


@pytest.mark.parametrize("role", ["coordinator", "partner", "observer"])
def test_every_scrolling_table_is_a_named_region_with_a_tab_stop(
    client: Client, demo: Project, role: str
) -> None:
    membership = Membership.objects.filter(project=demo, role=role).order_by("pk").first()
    assert membership is not None
    client.force_login(membership.user)

    found, boxes = [], 0
    for name, url in pages(demo).items():
        response = client.get(url)
        if response.status_code == 403 and name not in EVERYONE_READS:
            continue
        assert response.status_code == 200, (name, url, response.status_code)
        body = response.content.decode()
        boxes += body.count('class="table-wrap"')
        found += [f"{name} ({url}): {problem}" for problem in problems(body)]

    assert boxes > 20  # the pages do show their tables
    assert not found, "\n".join(found)


def test_the_versions_and_the_earlier_reports_are_named_tables(
    client: Client, observer: User, coordinator: User, project: Project, deliverable: Deliverable
) -> None:
    """Two tables the demo has no rows for (files are uploaded and reports made by people)."""
    DeliverableVersion.objects.create(
        deliverable=deliverable,
        file="deliverables/1/abc.pdf",
        original_name="handbook_v1.pdf",
        content_type="application/pdf",
        size=2048,
        sha256="ab" * 32,
        uploaded_by=coordinator,
    )
    make_ready_report(project, coordinator)
    client.force_login(observer)

    for url, caption in [
        (deliverable.get_absolute_url(), "Versions of D1.1: the uploaded files, newest first"),
        (reverse("reports:report_list", args=[project.slug]), "Earlier reports"),
    ]:
        body = client.get(url).content.decode()
        tree = lxml_html.fromstring(body)
        (box,) = tree.find_class("table-wrap")
        assert [_text(c) for c in box.iter("caption")] == [caption]
        assert _name(tree, box) == caption
        assert problems(body) == []


def test_the_names_are_checked() -> None:
    """The checker itself finds each kind of fault."""
    page = """<main><section aria-labelledby="h"><h2 id="h">Versions</h2>
      <div class="table-wrap"><table><tr><td>1</td></tr></table></div>
      <div class="table-wrap" role="region" tabindex="0" aria-labelledby="missing"></div>
      <div class="table-wrap" role="region" tabindex="0" aria-labelledby="c">
      <table><caption id="c">Versions</caption></table></div></section></main>"""
    assert problems(page) == [
        '<div class="table-wrap"> is not a region',
        '<div class="table-wrap"> has no tab stop',
        '<div class="table-wrap"> has no name',
        '<div class="table-wrap" role="region" tabindex="0" aria-labelledby="missing">: '
        "aria-labelledby='missing' names no text",
        "a table has no caption or label: 1",
        "a landmark: aria-labelledby='missing' names no text",
        "2 regions are named 'versions'",
    ]


def test_every_scrolling_box_in_the_templates_is_a_named_region() -> None:
    """Also the boxes of pages the test above does not render (forms, other states)."""
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for tag in re.findall(r"<div\b[^>]*>", path.read_text()):
            if not any(f'class="{c}"' in tag for c in SCROLLING):
                continue
            if not (
                'role="region"' in tag
                and 'tabindex="0"' in tag
                and ("aria-labelledby=" in tag or "aria-label=" in tag)
            ):
                found.append(f"{path.relative_to(TEMPLATES)}: {tag}")
    assert not found, "\n".join(found)
