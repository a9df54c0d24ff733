"""Who may do what in a project: the `access_*` lookups that fetch and authorise in one call,
and the `can_*(access, obj)` checks that views, forms and other apps call (events/permissions.py
and reports/permissions.py follow the same style).

Someone outside a project gets 404 (its existence is not revealed); a member whose role may read
but not change gets 403 on a change (`access.require(can_...)` raises PermissionDenied). Anonymous
users never reach these helpers: views carry @login_required. Templates never decide from a role:
views pass them the `can_*` answers as booleans.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext

from projects.models import (
    Deliverable,
    DeliverableVersion,
    Membership,
    Milestone,
    Notification,
    Project,
    Risk,
    WorkPackage,
)

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class Access:
    """Who one member is in one project: the facts the `can_*` checks below decide from."""

    project: Project
    membership: Membership

    @property
    def role(self) -> str:
        return self.membership.role

    @property
    def is_coordinator(self) -> bool:
        return self.membership.is_coordinator

    @property
    def is_partner(self) -> bool:
        return self.membership.role == Membership.Role.PARTNER

    @property
    def is_observer(self) -> bool:
        return self.membership.is_observer

    @property
    def partner_id(self) -> int | None:
        return self.membership.partner_id

    def require(self, allowed: bool, reason: str = "") -> None:
        """403 (PermissionDenied) unless `allowed`, the answer of a `can_*` check."""
        if not allowed:
            raise PermissionDenied(
                reason or gettext("Your role in this project does not allow this.")
            )


def can_plan(access: Access) -> bool:
    """Create and edit work packages, deliverables, milestones: the coordinator's job."""
    return access.is_coordinator


def can_work_on(access: Access, deliverable: Deliverable) -> bool:
    """Edit, upload, log progress and submit for review: the lead organisation's staff (and the
    coordinator)."""
    return access.is_coordinator or (access.is_partner and deliverable.lead_id == access.partner_id)


def can_review(access: Access, deliverable: Deliverable) -> bool:
    """Approve, request changes, record submission to the funder: the coordinator."""
    return access.is_coordinator


def can_raise_risk(access: Access) -> bool:
    """Partners and the coordinator add to the register; observers only read."""
    return access.is_coordinator or access.is_partner


def can_update_risk(access: Access, risk: Risk) -> bool:
    """Edit and review a risk: the coordinator and the staff of the partner who owns it."""
    return access.is_coordinator or (access.is_partner and risk.owner_id == access.partner_id)


def can_name_any_partner(access: Access) -> bool:
    """Name any partner as a risk's owner or an event's organiser: the coordinator. A partner
    names their own organisation only."""
    return access.is_coordinator


def access_project(user: User, slug: str) -> Access:
    """The project `slug` and the user's membership in it; 404 if they are not a member."""
    membership = (
        Membership.objects.filter(user=user, is_active=True, project__slug=slug)
        .select_related("project", "partner__organisation")
        .first()
    )
    if membership is None:
        raise Http404("No such project.")
    return Access(project=membership.project, membership=membership)


def access_work_package(user: User, slug: str, number: int) -> tuple[Access, WorkPackage]:
    access = access_project(user, slug)
    work_package = get_object_or_404(
        WorkPackage.objects.select_related("lead__organisation"),
        project=access.project,
        number=number,
    )
    work_package.project = access.project
    return access, work_package


def access_deliverable(user: User, slug: str, number: str) -> tuple[Access, Deliverable]:
    access = access_project(user, slug)
    deliverable = get_object_or_404(
        Deliverable.objects.select_related("work_package", "lead__organisation"),
        project=access.project,
        number=number,
    )
    deliverable.project = access.project
    return access, deliverable


def access_deliverable_version(
    user: User, slug: str, number: str, pk: int
) -> tuple[Access, DeliverableVersion]:
    access, deliverable = access_deliverable(user, slug, number)
    version = get_object_or_404(DeliverableVersion, deliverable=deliverable, pk=pk)
    version.deliverable = deliverable
    return access, version


def access_milestone(user: User, slug: str, number: str) -> tuple[Access, Milestone]:
    access = access_project(user, slug)
    milestone = get_object_or_404(Milestone, project=access.project, number=number)
    milestone.project = access.project
    return access, milestone


def access_risk(user: User, slug: str, number: int) -> tuple[Access, Risk]:
    access = access_project(user, slug)
    risk = get_object_or_404(
        Risk.objects.select_related("owner__organisation"), project=access.project, number=number
    )
    risk.project = access.project
    return access, risk


def access_notification(user: User, pk: int) -> Notification:
    """`user`'s own notification `pk`, about a project they still belong to; 404 otherwise (a
    notification of someone else is not revealed)."""
    return get_object_or_404(Notification.objects.for_reader(user), pk=pk)
