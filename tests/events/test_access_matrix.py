"""Who gets what from every URL of the events app (the reports app's URLs, conference reports
included, are in tests/reports/test_access_matrix.py).

One row per URL name: the expected status for GET and for an empty POST, for each member of the
cast. Anonymous users are sent to the login page (302 there) except on the private calendar feed,
whose secret token is the credential; outsiders get 404 (the project's existence is not revealed);
members whose role may read but not change get 403 on a change; the wrong method is 405. An
empty POST is refused as invalid input (422) for those allowed to change, except where the action
needs no input (delete, tick off: 302 to the event).

A URL of the app missing from the table fails `test_every_url_is_in_the_table`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from events.models import CalendarFeed, Event
from projects.models import Project
from tests.events.factories import (
    make_agenda_item,
    make_event,
    make_file,
    make_link,
    make_outcome,
)

ROLES = ("anonymous", "coordinator", "partner", "other_partner", "observer", "outsider")

# name: (GET statuses, POST statuses), each in the order of ROLES.
#                         anon coord partner other observer outsider
READ = (302, 200, 200, 200, 200, 404)
GET_ONLY = (302, 405, 405, 405, 405, 405)
POST_ONLY = GET_ONLY
MANAGE_PAGE = (302, 200, 200, 403, 403, 404)
MANAGE_CHANGE = (302, 422, 422, 403, 403, 404)
MANAGE_DONE = (302, 302, 302, 403, 403, 404)

TABLE: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    # events
    "events:event_list": (READ, GET_ONLY),
    "events:event_calendar": (READ, GET_ONLY),
    "events:event_create": ((302, 200, 200, 200, 403, 404), (302, 422, 422, 422, 403, 404)),
    "events:event_detail": (READ, GET_ONLY),
    "events:event_edit": (MANAGE_PAGE, MANAGE_CHANGE),
    "events:event_delete": (MANAGE_PAGE, MANAGE_DONE),  # GET asks for confirmation
    "events:event_ics": (READ, GET_ONLY),
    "events:agenda_item_add": (POST_ONLY, MANAGE_CHANGE),
    "events:agenda_item_edit": (MANAGE_PAGE, MANAGE_CHANGE),
    "events:agenda_item_delete": (MANAGE_PAGE, MANAGE_DONE),  # GET asks for confirmation
    "events:material_upload": (POST_ONLY, MANAGE_CHANGE),
    "events:material_link_add": (POST_ONLY, MANAGE_CHANGE),
    "events:material_download": (READ, GET_ONLY),
    "events:material_delete": (MANAGE_PAGE, MANAGE_DONE),  # GET asks for confirmation
    "events:outcome_add": (POST_ONLY, MANAGE_CHANGE),
    # The action item is owned by P3, other_partner's organisation: they may tick it off.
    "events:outcome_toggle": (POST_ONLY, (302, 302, 302, 302, 403, 404)),
    "events:outcome_edit": (MANAGE_PAGE, MANAGE_CHANGE),
    "events:outcome_delete": (MANAGE_PAGE, MANAGE_DONE),  # GET asks for confirmation
    "events:attendance_edit": (MANAGE_PAGE, MANAGE_CHANGE),
    # Your own calendar address: everyone logged in has one to manage, even outside projects.
    "events:calendar_feed_settings": (
        (302, 200, 200, 200, 200, 200),
        (302, 422, 422, 422, 422, 422),
    ),
    # The token is the credential: no session needed, the same answer for everyone.
    "events:calendar_feed": ((200,) * 6, (405,) * 6),
}


def _names(namespace: str) -> set[str]:
    _, resolver = get_resolver().namespace_dict[namespace]
    names = (getattr(p, "name", None) for p in resolver.url_patterns)
    return {f"{namespace}:{name}" for name in names if name}


def test_every_url_is_in_the_table() -> None:
    assert _names("events") == set(TABLE), "add the missing URLs to TABLE (or remove stale rows)"


class World:
    """The objects every URL of the table points at."""

    def __init__(self, project: Project, coordinator: Any) -> None:
        self.project = project
        self.event = make_event(project, title="Roundtable in Gleisdorf")
        self.item = make_agenda_item(self.event)
        self.file = make_file(self.event, added_by=coordinator)
        self.link = make_link(self.event, added_by=coordinator)
        self.outcome = make_outcome(self.event, owner=project.partners.get(number=3))
        self.feed = CalendarFeed.for_user(coordinator)

    def args(self, name: str) -> list[Any]:
        slug, pk = self.project.slug, self.event.pk
        per_name: dict[str, Callable[[], list[Any]]] = {
            "agenda_item_edit": lambda: [slug, pk, self.item.pk],
            "agenda_item_delete": lambda: [slug, pk, self.item.pk],
            "material_download": lambda: [slug, pk, self.file.pk],
            "material_delete": lambda: [slug, pk, self.link.pk],
            "outcome_toggle": lambda: [slug, pk, self.outcome.pk],
            "outcome_edit": lambda: [slug, pk, self.outcome.pk],
            "outcome_delete": lambda: [slug, pk, self.outcome.pk],
            "calendar_feed_settings": lambda: [],
            "calendar_feed": lambda: [self.feed.token],
        }
        short = name.split(":", 1)[1]
        if short in per_name:
            return per_name[short]()
        if short in {"event_list", "event_calendar", "event_create"}:
            return [slug]
        return [slug, pk]  # the event's own pages


CASES = [
    pytest.param(name, method, role, expected[i], id=f"{name}-{method}-{role}")
    for name, (get, post) in TABLE.items()
    for method, expected in (("GET", get), ("POST", post))
    for i, role in enumerate(ROLES)
]


@pytest.mark.parametrize(("name", "method", "role", "expected"), CASES)
def test_access(
    name: str,
    method: str,
    role: str,
    expected: int,
    request: pytest.FixtureRequest,
    client: Client,
    project: Project,
    coordinator: Any,
    private_media: Any,
) -> None:
    world = World(project, coordinator)
    # Every member of the cast exists in every case, so the project looks the same to each.
    users = {r: request.getfixturevalue(r) for r in ROLES if r != "anonymous"}
    if role != "anonymous":
        client.force_login(users[role])
    url = reverse(name, args=world.args(name))
    response = client.get(url) if method == "GET" else client.post(url, {})
    assert response.status_code == expected, response.content[:500]
    if role == "anonymous" and expected == 302:
        assert response["Location"].startswith(reverse("account_login"))
    if expected in (403, 404, 405, 422) and method == "POST":
        # A refused change changes nothing.
        assert Event.objects.filter(pk=world.event.pk).exists()
        assert world.event.agenda_items.count() == 1
