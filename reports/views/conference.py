"""Conference reports (the written account of an event) and the recommendations drawn from them.

The organiser's staff and the coordinator write a draft and send it for review; the coordinator
publishes it or sends it back with a comment. The report shows on its event's page through the
reports app's own tag (reports_tags.conference_report_section), with the participant figures of
the event's attendance (never typed into the report). A refused change shows a page of this app
with the reason (422), or with the report as it now is (409, someone changed it meanwhile).
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from projects.exports import CellValue, spreadsheet_response
from projects.forms.versioned import VersionOnlyForm
from projects.history import history_entries
from projects.models import StaleEdit
from projects.paging import paginate
from projects.permissions import Access, access_project
from reports.forms import (
    BaseRecommendationFormSet,
    ConferenceReportForm,
    RecommendationFilter,
    RecommendationFormSet,
    SendBackForm,
)
from reports.models import ConferenceReport, Recommendation
from reports.permissions import (
    access_report_to_review,
    access_report_to_write,
    can_edit_report,
)
from reports.workflows import move_conference_report

PAGE_SIZE = 50
PREFIX = "recommendations"
STALE_MESSAGE = gettext_noop(
    "Someone else changed this report after you opened the page. Nothing of yours was saved: "
    "reload the page to see their version, then make your changes again."
)


def _edit_page(
    request: AuthenticatedRequest,
    access: Access,
    report: ConferenceReport,
    form: ConferenceReportForm,
    formset: BaseRecommendationFormSet,
    *,
    status: int,
) -> HttpResponse:
    return render(
        request,
        "reports/conference_report_form.html",
        {
            "project": access.project,
            "access": access,
            "section": "events",
            "event": report.event,
            "report": report,
            "attendance": report.event.attendance_or_none,
            "form": form,
            "formset": formset,
            "history": history_entries(report) if report.pk else [],
        },
        status=status,
    )


def _recommendations(data: Any, report: ConferenceReport) -> BaseRecommendationFormSet:
    return cast(
        BaseRecommendationFormSet, RecommendationFormSet(data, instance=report, prefix=PREFIX)
    )


@login_required
@require_http_methods(["GET", "POST"])
def conference_report_edit(request: AuthenticatedRequest, slug: str, event_id: int) -> HttpResponse:
    """Write or edit the draft, with its recommendations, in one form and one transaction."""
    access, report = access_report_to_write(request.user, slug, event_id, or_new=True)
    if not report.is_draft:
        # One whole sentence for each state, rather than a status name inside a sentence.
        if report.is_published:
            status = gettext(
                "The report is published: it can be edited again only if the coordinator sends "
                "it back."
            )
        else:
            status = gettext(
                "The report is in review: it can be edited again only if the coordinator sends "
                "it back."
            )
        messages.info(request, status)
        return redirect(report)
    data = request.POST if request.method == "POST" else None
    form = ConferenceReportForm(data, instance=report)
    formset = _recommendations(data, report)
    if request.method == "GET":
        return _edit_page(request, access, report, form, formset, status=200)

    valid = form.is_valid()
    valid = formset.is_valid() and valid  # both validated, so that every error shows at once
    if not valid:
        return _edit_page(request, access, report, form, formset, status=422)
    # Stored with the history record, so in English (see ConferenceReport.submit_for_review).
    reason = gettext_noop("Written") if report.pk is None else gettext_noop("Edited")
    try:
        # The report and all its recommendations, or nothing. save_edit's conditional update
        # locks the report's row until this transaction ends, so no other save interleaves.
        with transaction.atomic():
            report = form.save_edit(reason=reason)
            formset.instance = report
            formset.save_in_order()
    except StaleEdit:
        # Someone saved since the page was loaded (or wrote the first draft at the same time):
        # the same input again, over the report as they left it.
        _, current = access_report_to_write(request.user, slug, event_id)
        form = form.against(current, gettext(STALE_MESSAGE))
        formset = _recommendations(data, current)
        formset.is_valid()
        return _edit_page(request, access, current, form, formset, status=409)
    messages.success(request, gettext("Report saved."))
    return redirect(report)


def _refused(
    request: AuthenticatedRequest,
    access: Access,
    report: ConferenceReport,
    form: VersionOnlyForm,
    *,
    status: int,
) -> HttpResponse:
    """A refused submit, publish or send-back: the reason, and the send-back form with its
    input and its errors by the field (422); or the report as it now is (409)."""
    return render(
        request,
        "reports/conference_report_refused.html",
        {
            "project": access.project,
            "access": access,
            "section": "events",
            "event": report.event,
            "report": report,
            "form": form,
            "send_back_form": form if isinstance(form, SendBackForm) else None,
            "can_edit": can_edit_report(access, report),
        },
        status=status,
    )


@login_required
@require_POST
def conference_report_submit(
    request: AuthenticatedRequest, slug: str, event_id: int
) -> HttpResponse:
    """Send the draft to the coordinator for review: its writers, once it has a summary."""
    access, report = access_report_to_write(request.user, slug, event_id)
    form = VersionOnlyForm(request.POST)
    if not form.is_valid():
        return _refused(request, access, report, form, status=422)
    try:
        move_conference_report(
            report,
            "submit_for_review",
            by=request.user,
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        form.add_error(None, error.messages)
        return _refused(request, access, report, form, status=422)
    except StaleEdit:
        report.refresh_from_db()
        form.add_error(None, gettext(STALE_MESSAGE))
        return _refused(request, access, report, form, status=409)
    messages.success(request, gettext("The report is sent to the coordinator for review."))
    return redirect(report)


@login_required
@require_POST
def conference_report_publish(
    request: AuthenticatedRequest, slug: str, event_id: int
) -> HttpResponse:
    """Publish a report in review: the coordinator. Everyone in the project then reads it."""
    access, report = access_report_to_review(request.user, slug, event_id)
    form = VersionOnlyForm(request.POST)
    if not form.is_valid():
        return _refused(request, access, report, form, status=422)
    try:
        move_conference_report(
            report,
            "publish",
            by=request.user,
            expected_version=form.cleaned_data["version"],
            now=timezone.now(),
        )
    except ValidationError as error:
        form.add_error(None, error.messages)
        return _refused(request, access, report, form, status=422)
    except StaleEdit:
        report.refresh_from_db()
        form.add_error(None, gettext(STALE_MESSAGE))
        return _refused(request, access, report, form, status=409)
    messages.success(
        request,
        gettext("The report is published: everyone in the project sees it on the event's page."),
    )
    return redirect(report)


@login_required
@require_POST
def conference_report_send_back(
    request: AuthenticatedRequest, slug: str, event_id: int
) -> HttpResponse:
    """Send a report in review back to its writers with a comment: the coordinator."""
    access, report = access_report_to_review(request.user, slug, event_id)
    form = SendBackForm(request.POST)
    if not form.is_valid():
        return _refused(request, access, report, form, status=422)
    try:
        move_conference_report(
            report,
            "send_back",
            by=request.user,
            comment=form.cleaned_data["comment"],
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        form.add_error(None, error)  # "comment" errors go to the comment field
        return _refused(request, access, report, form, status=422)
    except StaleEdit:
        report.refresh_from_db()
        # The comment is kept, against the version now shown: sending it again is deliberate.
        form = SendBackForm({"version": report.version, "comment": form.cleaned_data["comment"]})
        form.is_valid()
        form.add_error(None, gettext(STALE_MESSAGE))
        return _refused(request, access, report, form, status=409)
    messages.success(request, gettext("The report is sent back to its writers with your comment."))
    return redirect(report)


# --- recommendations across the project -----------------------------------------------------


def _filtered(request: AuthenticatedRequest, access: Access) -> RecommendationFilter:
    queryset = (
        Recommendation.objects.visible_to(access)
        .published()
        .select_related("report__event", "report__author__organisation")
        .order_by("-report__event__starts_at", "report_id", "position", "pk")
    )
    return RecommendationFilter(request.GET or None, queryset=queryset)


@login_required
@require_GET
def recommendation_list(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """Every recommendation of the project's published reports: the raw material of its
    recommendations for replication."""
    access = access_project(request.user, slug)
    filterset = _filtered(request, access)
    page, query = paginate(request, filterset.qs, PAGE_SIZE)
    return render(
        request,
        "reports/recommendation_list.html",
        {
            "project": access.project,
            "access": access,
            "section": "recommendations",
            "filter": filterset,
            "page_obj": page,
            "query": query,
        },
    )


# The export's column headers, in the language of the person exporting (gettext at the request).
EXPORT_HEADER = [
    gettext_noop("Recommendation"), gettext_noop("Addressed to"), gettext_noop("Event"),
    gettext_noop("Event kind"), gettext_noop("Event date"), gettext_noop("Report by"),
    gettext_noop("Published"),
]  # fmt: skip


def _export_row(r: Recommendation) -> list[CellValue]:
    event, published_at = r.report.event, r.report.published_at
    return [
        r.text,
        r.get_audience_display(),
        event.title,
        event.get_kind_display(),
        event.local_start.date(),
        r.report.author.organisation.short_name,
        timezone.localtime(published_at).date() if published_at else None,
    ]


@login_required
@require_GET
def recommendation_export(
    request: AuthenticatedRequest, slug: str
) -> HttpResponse | StreamingHttpResponse:
    """Exactly what the page shows with the same filters, every page of it, as CSV."""
    access = access_project(request.user, slug)
    rows = _filtered(request, access).qs.iterator(chunk_size=500)
    return spreadsheet_response(
        "csv",
        filename=f"{access.project.acronym}-recommendations-{timezone.localdate():%Y-%m-%d}",
        title=gettext("Recommendations"),
        header=[gettext(column) for column in EXPORT_HEADER],
        rows=map(_export_row, rows),
    )
