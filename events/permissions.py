"""Who may do what with events, and the lookups that fetch and authorise in one call.

The same rules as projects/permissions.py: someone outside the project gets 404, a member who may
read but not change gets 403 (PermissionDenied) from `access.require(...)`. Everyone in the project
reads every event; the coordinator and the staff of the organising partner change it, its agenda,
materials, outcomes and attendance, and write its report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.shortcuts import get_object_or_404

from events.models import AgendaItem, Event, Material, Outcome
from projects.permissions import Access, access_project

if TYPE_CHECKING:
    from accounts.models import User


def can_create_event(access: Access) -> bool:
    """Partners record the events they organise; observers only read."""
    return access.is_coordinator or access.is_partner


def can_manage_event(access: Access, event: Event) -> bool:
    """Edit the event, its agenda, materials, outcomes, attendance; write its report."""
    return access.is_coordinator or (access.is_partner and event.organiser_id == access.partner_id)


def can_tick_outcome(access: Access, outcome: Outcome) -> bool:
    """An action item is ticked off by those who run the event or by the partner who owns it."""
    return can_manage_event(access, outcome.event) or (
        access.is_partner and outcome.owner_id is not None and outcome.owner_id == access.partner_id
    )


def access_event(user: User, slug: str, pk: int) -> tuple[Access, Event]:
    access = access_project(user, slug)
    event = get_object_or_404(
        Event.objects.select_related("organiser__organisation", "work_package"),
        project=access.project,
        pk=pk,
    )
    event.project = access.project
    if event.work_package is not None:
        event.work_package.project = access.project  # for its address, without a query
    return access, event


def access_agenda_item(user: User, slug: str, pk: int, item_pk: int) -> tuple[Access, AgendaItem]:
    access, event = access_event(user, slug, pk)
    item = get_object_or_404(AgendaItem, event=event, pk=item_pk)
    item.event = event
    return access, item


def access_material(user: User, slug: str, pk: int, material_pk: int) -> tuple[Access, Material]:
    access, event = access_event(user, slug, pk)
    material = get_object_or_404(Material, event=event, pk=material_pk)
    material.event = event
    return access, material


def access_outcome(user: User, slug: str, pk: int, outcome_pk: int) -> tuple[Access, Outcome]:
    access, event = access_event(user, slug, pk)
    outcome = get_object_or_404(Outcome, event=event, pk=outcome_pk)
    outcome.event = event
    return access, outcome
