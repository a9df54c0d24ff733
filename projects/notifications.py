"""Telling people what happened: one Notification row per recipient, made inside the
transaction of the change it reports (so a refused or rolled-back change tells no one).

Recipients are members of the project only, and never the person who did the thing."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db import models

from projects.models import Deliverable, Membership, Notification, Project

if TYPE_CHECKING:
    from accounts.models import User


def notify(
    kind: str,
    *,
    project: Project,
    about: models.Model,
    subject: str,
    link: str,
    recipients: Iterable[int],
    actor: User | None = None,
) -> list[Notification]:
    """A notification of `kind` about `about` for each of `recipients` (user ids) who is an
    active member of `project`, except `actor`. Two queries, whatever the number of people."""
    wanted = set(recipients) - ({actor.pk} if actor is not None else set())
    members = set(
        Membership.objects.filter(project=project, is_active=True, user_id__in=wanted).values_list(
            "user_id", flat=True
        )
    )
    # Not get_for_model: its per-process cache outlives the database in a long-running worker
    # (a test database made again, a restore), and a stale id breaks the insert. One query.
    content_type = ContentType.objects.get(
        app_label=about._meta.app_label, model=about._meta.model_name
    )
    return Notification.objects.bulk_create(
        Notification(
            recipient_id=user_id,
            project=project,
            kind=kind,
            content_type=content_type,
            object_id=about.pk,
            subject=subject[:300],
            link=link,
            actor=actor,
        )
        for user_id in sorted(members)
    )


def coordinators(project: Project) -> list[int]:
    """The user ids of the project's coordinators (who review deliverables)."""
    return list(
        Membership.objects.filter(
            project=project, is_active=True, role=Membership.Role.COORDINATOR
        ).values_list("user_id", flat=True)
    )


def members_of_partner(partner_id: int) -> list[int]:
    """The user ids of the people who act for a partner (its staff in the project)."""
    return list(
        Membership.objects.filter(
            partner_id=partner_id,
            is_active=True,
            role__in=(Membership.Role.COORDINATOR, Membership.Role.PARTNER),
        ).values_list("user_id", flat=True)
    )


# Who hears of each step of a deliverable's review cycle: the reviewers when it is sent for
# review, the lead partner's people when the reviewer answers.
DELIVERABLE_KINDS = {
    "submit_for_review": Notification.Kind.DELIVERABLE_IN_REVIEW,
    "request_changes": Notification.Kind.DELIVERABLE_CHANGES_REQUESTED,
    "approve": Notification.Kind.DELIVERABLE_APPROVED,
    "record_submission": Notification.Kind.DELIVERABLE_SUBMITTED,
}


def deliverable_moved(deliverable: Deliverable, action: str, *, by: User | None) -> None:
    """Tell the people concerned that `deliverable` went through `action` (a key of
    Deliverable.TRANSITIONS); an action nobody is told of ("start") does nothing."""
    kind = DELIVERABLE_KINDS.get(action)
    if kind is None:
        return
    project = deliverable.project
    if kind == Notification.Kind.DELIVERABLE_IN_REVIEW:
        recipients = coordinators(project)
    else:
        recipients = members_of_partner(deliverable.lead_id)
    notify(
        kind,
        project=project,
        about=deliverable,
        subject=f"{deliverable.number} {deliverable.title}",
        link=deliverable.get_absolute_url(),
        recipients=recipients,
        actor=by,
    )
