"""The dashboard's events panel ({% project_events_panel project today %}): next events and
open action items, in two queries whatever their number."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.template import Context, Template

from events.models import Event
from projects.models import Project
from tests.events.factories import FUTURE_START, PAST_START, make_event, make_outcome

TODAY = dt.date(2099, 6, 1)


def render(project: Project, today: dt.date = TODAY) -> str:
    template = Template("{% load events_tags %}{% project_events_panel project today %}")
    return template.render(Context({"project": project, "today": today}))


def test_shows_next_events_and_open_action_items(project: Project) -> None:
    past = make_event(project, title="Final conference", starts_at=PAST_START)
    make_event(project, title="Follow-up webinar", starts_at=FUTURE_START)
    make_event(
        project, title="Cancelled visit", starts_at=FUTURE_START, status=Event.Status.CANCELLED
    )
    owner = project.partners.get(number=3)
    make_outcome(
        past, text="Publish the recommendations", owner=owner, due_date=dt.date(2099, 5, 1)
    )
    make_outcome(past, text="Already done", is_done=True)
    make_outcome(past, text="A decision, not an action", kind="decision")
    html = render(project)
    assert "Follow-up webinar" in html
    assert "Final conference" not in html.split("Open action items")[0]
    assert "Cancelled visit" not in html
    assert "Publish the recommendations" in html
    assert "Overdue" in html
    assert "Already done" not in html
    assert "A decision, not an action" not in html


@pytest.mark.parametrize("count", [5, 50])
def test_two_queries_whatever_the_number(
    project: Project, count: int, django_assert_num_queries: Any
) -> None:
    for n in range(count):
        event = make_event(
            project, title=f"Event {n}", starts_at=FUTURE_START + dt.timedelta(days=n)
        )
        make_outcome(event, owner=project.partners.get(number=2))
    # 1 the next events with their organisers, 2 the open action items with event and owner.
    with django_assert_num_queries(2):
        render(project)


def test_dashboard_shows_the_panel_once_its_template_includes_it(
    client: Any, partner: Any, project: Project
) -> None:
    """The dashboard template is the lead's; this checks the one line it needs still works."""
    make_event(project, title="Follow-up webinar", starts_at=FUTURE_START)
    client.force_login(partner)
    html = client.get(project.get_absolute_url()).content.decode()
    if "project_events_panel" not in Path("templates/projects/dashboard.html").read_text():
        pytest.skip("templates/projects/dashboard.html does not include the events panel yet")
    assert "Follow-up webinar" in html
