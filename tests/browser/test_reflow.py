"""Reflow (WCAG 1.4.10) and target size (2.5.8) on a 320 px wide phone: the demo's coordinator,
a partner who organises the event with the fullest agenda, and the funder's observer each go
through the main pages, and none of them scrolls sideways. Wide tables scroll inside their own
`.table-wrap` region (a named tab stop), and what sticks out of the page is named when a page
does not fit. Every page is checked by axe on the way (tests/browser/conftest.py), with WCAG 2.2's
rules: its target-size rule finds links and buttons smaller than 24 x 24 px, on the login page
too."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from demo.loader import demo_password, load_demo
from events.models import Event
from procurement.models import Tender
from projects.models import Membership, Project
from tests.browser.conftest import login, visit

pytestmark = pytest.mark.services

WIDTH = 320

# The elements whose right edge lies beyond the screen, outermost first: what to fix when a page
# does not fit. An element inside a scrolling box (overflow other than visible) is the box's
# business, not the page's, unless the box itself sticks out.
OVERFLOWING = """(width) => {
  const out = [];
  const scrolls = (el) => getComputedStyle(el).overflowX !== 'visible';
  // A scrolling box clips what it contains, but not an absolutely positioned element whose
  // containing block (about its offsetParent) lies outside the box.
  const clipped = (el) => {
    const positioned = ['absolute', 'fixed'].includes(getComputedStyle(el).position);
    const block = el.offsetParent;
    for (let p = el.parentElement; p; p = p.parentElement) {
      if (positioned && !(block && p.contains(block))) continue;
      if (p !== document.body && p !== document.documentElement && scrolls(p)) {
        const r = p.getBoundingClientRect();
        if (r.right <= width) return true;
      }
    }
    return false;
  };
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > width + 0.5 && !clipped(el)) {
      const classes = typeof el.className === 'string' ? el.className.trim() : '';
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (classes ? '.' + classes.replace(/\\s+/g, '.') : '');
      const text = (el.textContent || '').trim().slice(0, 40);
      out.push(`${name} (right edge ${Math.round(r.right)} px): ${text}`);
    }
  }
  return out.slice(0, 8);
}"""


# The smallest text of the timeline's chart as drawn: its font size in viewBox units times the
# chart's scale on the screen.
SMALLEST_CHART_TEXT = """() => {
  const svg = document.querySelector('svg.timeline-svg');
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const sizes = [...svg.querySelectorAll('text')].map(t => parseFloat(t.getAttribute('font-size')));
  return Math.min(...sizes) * scale;
}"""

# What a keyboard user sees on a scrolling table's box once it has focus.
FOCUSED_BOX = """() => {
  const box = document.querySelector('.table-wrap');
  box.focus();
  const style = getComputedStyle(box);
  return {focused: document.activeElement === box && box.matches(':focus-visible'),
          outline: style.outlineStyle, width: parseFloat(style.outlineWidth)};
}"""


def main_pages(project: Project) -> dict[str, str]:
    """The main page types of a project, by name, from the demo."""
    slug = project.slug
    deliverable = project.deliverables.order_by("sort_key").first()
    event = _fullest_event(project)
    tender = Tender.objects.filter(project=project).order_by("pk").first()
    assert deliverable and event and tender
    return {
        # The demo's one project: the home page is its dashboard.
        "dashboard": reverse("projects:project_dashboard", args=[slug]),
        "deliverable list": reverse("projects:deliverable_list", args=[slug]),
        "deliverable": deliverable.get_absolute_url(),
        "event list": reverse("events:event_list", args=[slug]),
        "event": event.get_absolute_url(),
        "calendar": reverse("events:event_calendar", args=[slug])
        + f"?month={event.local_start:%Y-%m}",
        "risk list": reverse("projects:risk_list", args=[slug]),
        "timeline": reverse("projects:timeline", args=[slug]),
        "impact": reverse("impact:impact_overview", args=[slug]),
        "procurement register": reverse("procurement:tender_list", args=[slug]),
        "tender": reverse("procurement:tender_detail", args=[slug, tender.pk]),
        "reports": reverse("reports:report_list", args=[slug]),
    }


def _fullest_event(project: Project) -> Event:
    """The event with the most agenda items and outcomes: the widest tables, with Edit/Remove
    links (and their visually hidden titles) for whoever manages it."""
    event = (
        Event.objects.filter(project=project)
        .annotate(rows=Count("agenda_items", distinct=True) + Count("outcomes", distinct=True))
        .order_by("-rows", "pk")
        .first()
    )
    assert event is not None
    return event


@pytest.fixture
def demo(transactional_db: None) -> Project:
    return load_demo(today=timezone.localdate())


def _email(project: Project, role: str) -> str:
    if role == "partner":
        # Staff of the organiser of the fullest event: a partner who manages its tables.
        organiser = _fullest_event(project).organiser
        membership = Membership.objects.filter(
            project=project, role=Membership.Role.PARTNER, partner=organiser
        ).first()
    else:
        membership = Membership.objects.filter(project=project, role=role).first()
    assert membership is not None, role
    return membership.user.email


@pytest.mark.parametrize("role", ["coordinator", "partner", "observer"])
def test_the_main_pages_fit_a_320_px_screen(page: Any, demo: Project, role: str) -> None:
    login(page, _email(demo, role), demo_password())
    page.set_viewport_size({"width": WIDTH, "height": 640})

    too_wide = []
    for name, url in main_pages(demo).items():
        response = visit(page, url)  # axe checks each page
        assert response.status == 200, (name, url)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > WIDTH:
            sticking_out = page.evaluate(OVERFLOWING, WIDTH)
            too_wide.append(f"{name} ({url}) is {width} px wide: {'; '.join(sticking_out)}")
        if name == "timeline":
            # The chart scrolls in its region rather than shrink its text to 5-7 px.
            smallest = page.evaluate(SMALLEST_CHART_TEXT)
            assert smallest >= 10, f"the timeline's smallest text is {smallest:.1f} px"
        if name == "deliverable list" and role == "observer":
            # Nothing to focus in an observer's table: the box itself is the tab stop.
            box = page.evaluate(FOCUSED_BOX)
            assert box["focused"] and box["outline"] != "none" and box["width"] >= 2, box

    assert not too_wide, "\n".join(too_wide)
