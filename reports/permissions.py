"""Who may do what with conference reports and generated PDFs, and the lookups that fetch and
authorise in one call.

The same rules as projects/permissions.py and events/permissions.py: someone outside the project
gets 404; a member who may read but not change gets 403 (PermissionDenied) on a change. What is
particular here is reading: a draft or a report in review is its writers' (the organiser's staff)
and the coordinator's only, and so is a PDF made of it (ConferenceReportQuerySet.visible_to,
GeneratedReportQuerySet.visible_to). To any other member it does not exist: 404.

Who writes or reviews the report of an event is checked on the event, before the report is looked
up, so that a refusal says nothing about whether a draft exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404
from django.utils.translation import gettext, gettext_noop

from events.models import Event
from events.permissions import access_event, can_manage_event
from projects.models import Membership
from projects.permissions import Access, access_project
from reports.models import ConferenceReport, GeneratedReport

if TYPE_CHECKING:
    from accounts.models import User

# The reasons a refusal (403) gives; translated where they are raised (gettext), in the
# language of the person refused.
WRITERS_ONLY = gettext_noop("Only the organiser's staff and the coordinator write this report.")
COORDINATOR_ONLY = gettext_noop("Only the coordinator publishes a report or sends it back.")
PDF_NOT_MADE = gettext_noop(
    "No PDF has been made of this report yet. Partners and the coordinator can have one made."
)


# --- conference reports -----------------------------------------------------------------------


def can_write_report(access: Access, event: Event) -> bool:
    """Write the report on `event` and send it for review: the organiser's staff and the
    coordinator (who manage the event, events.permissions.can_manage_event)."""
    return can_manage_event(access, event)


def can_review_report(access: Access, event: Event) -> bool:
    """Publish the report on `event` or send it back: the coordinator."""
    return access.is_coordinator


def can_edit_report(access: Access, report: ConferenceReport) -> bool:
    """The page offers the edit form: to its writers, while it is a draft."""
    return can_write_report(access, report.event) and report.is_draft


def can_submit(access: Access, report: ConferenceReport) -> bool:
    """The page offers "Send for review": to its writers, while it is a draft."""
    return can_write_report(access, report.event) and report.is_draft


def can_publish(access: Access, report: ConferenceReport) -> bool:
    """The page offers "Publish": to the coordinator, while the report is in review."""
    return can_review_report(access, report.event) and report.is_in_review


def can_send_back(access: Access, report: ConferenceReport) -> bool:
    """The page offers "Send back": to the coordinator, while the report is in review."""
    return can_review_report(access, report.event) and report.is_in_review


def can_request_conference_pdf(access: Access, report: ConferenceReport) -> bool:
    """Have a PDF made of a published report: partners and the coordinator. An observer
    creates no rows: they download a PDF someone else had made (one per version, reused)."""
    return (access.is_coordinator or access.is_partner) and report.is_published


def access_conference_report(
    user: User, slug: str, event_id: int
) -> tuple[Access, ConferenceReport]:
    """The report on event `event_id` as `user` may read it: 404 if the event has none, or none
    they may read (a draft or a report in review, for anyone but its writers)."""
    access, event = access_event(user, slug, event_id)
    report = _report_of(access, event)
    if report is None:
        raise Http404("No such report.")
    return access, report


def access_report_to_write(
    user: User, slug: str, event_id: int, *, or_new: bool = False
) -> tuple[Access, ConferenceReport]:
    """The report on event `event_id` for its writers: 403 for anyone else in the project, 404 if
    there is none; with `or_new`, a new unsaved draft by the organiser instead (the first one)."""
    access, event = access_event(user, slug, event_id)
    access.require(can_write_report(access, event), gettext(WRITERS_ONLY))
    report = _report_of(access, event)
    if report is None and or_new:
        report = ConferenceReport(event=event, author=event.organiser)
    if report is None:
        raise Http404("No such report.")
    return access, report


def access_report_to_review(
    user: User, slug: str, event_id: int
) -> tuple[Access, ConferenceReport]:
    """The report on event `event_id` for a review decision: 403 for anyone but the
    coordinator, 404 if there is none."""
    access, event = access_event(user, slug, event_id)
    access.require(can_review_report(access, event), gettext(COORDINATOR_ONLY))
    report = _report_of(access, event)
    if report is None:
        raise Http404("No such report.")
    return access, report


def _report_of(access: Access, event: Event) -> ConferenceReport | None:
    report = (
        ConferenceReport.objects.visible_to(access)
        .filter(event=event)
        .select_related("author__organisation")
        .first()
    )
    if report is not None:
        report.event = event
    return report


# --- generated PDFs ---------------------------------------------------------------------------


def can_request_progress_report(access: Access) -> bool:
    return access.is_coordinator


def can_retry(access: Access, pdf: GeneratedReport) -> bool:
    """Queue a failed PDF again: the coordinator, or whoever asked for it (the model refuses one
    that has not failed, with the reason)."""
    return access.is_coordinator or pdf.requested_by_id == access.membership.user_id


def can_delete_report(access: Access, pdf: GeneratedReport) -> bool:
    return access.is_coordinator


def access_report_file(user: User, slug: str, pk: int) -> tuple[Access, GeneratedReport]:
    """The generated PDF `pk` of project `slug`, if `user` may see it; else 404."""
    access = access_project(user, slug)
    pdf = (
        GeneratedReport.objects.visible_to(access)
        .select_related("requested_by", "period", "event")
        .filter(pk=pk)
        .first()
    )
    if pdf is None:
        raise Http404("No such report.")
    pdf.project = access.project
    return access, pdf


def requester_access(pdf: GeneratedReport) -> Access | None:
    """What the member who asked for `pdf` may do in its project now (None if they are no
    longer a member): a PDF shows only what its requester may read."""
    membership = (
        Membership.objects.filter(user_id=pdf.requested_by_id, project=pdf.project, is_active=True)
        .select_related("partner")
        .first()
    )
    if membership is None:
        return None
    membership.project = pdf.project
    return Access(project=pdf.project, membership=membership)
