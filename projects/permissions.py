"""Every object lookup in a view goes through here: fetch and authorise in one call.

Someone outside a project gets 404 (its existence is not revealed); a member whose role may read
but not change gets 403 on a change (PermissionDenied). Anonymous users never reach these helpers:
views carry @login_required.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from projects.models import (
    Deliverable,
    DeliverableVersion,
    Membership,
    Milestone,
    Project,
    Risk,
    WorkPackage,
)

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class Access:
    """What one member may do in one project."""

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

    @property
    def can_plan(self) -> bool:
        """Create and edit work packages, deliverables, milestones: the coordinator's job."""
        return self.is_coordinator

    def can_work_on(self, deliverable: Deliverable) -> bool:
        """Edit, upload, log progress and submit for review: the lead organisation's staff."""
        return self.is_coordinator or (self.is_partner and deliverable.lead_id == self.partner_id)

    @property
    def can_review(self) -> bool:
        """Approve, request changes, record submission to the funder."""
        return self.is_coordinator

    @property
    def can_raise_risk(self) -> bool:
        return self.is_coordinator or self.is_partner

    def can_update_risk(self, risk: Risk) -> bool:
        return self.is_coordinator or (self.is_partner and risk.owner_id == self.partner_id)

    def require(self, allowed: bool, reason: str = "") -> None:
        if not allowed:
            raise PermissionDenied(reason or "Your role in this project does not allow this.")


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
