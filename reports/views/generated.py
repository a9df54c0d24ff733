"""Generated PDFs (progress reports, and the PDFs of conference reports): request one, watch it
being made, download it, retry or delete it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from accounts.http import AuthenticatedRequest
from projects.files import download_response
from projects.permissions import Access, access_project
from reports.forms import ProgressReportForm
from reports.models import GeneratedReport
from reports.permissions import (
    PDF_NOT_MADE,
    access_conference_report,
    access_report_file,
    can_delete_report,
    can_request_conference_pdf,
    can_request_progress_report,
    can_retry,
)
from reports.rendering import data_quality
from reports.workflows import (
    failure_message,
    request_conference_pdf,
    request_progress_report,
    retry_report,
)

PAGE_SIZE = 25


class HtmxRequest(AuthenticatedRequest):
    """A request through django-htmx's middleware (settings.MIDDLEWARE), which adds `htmx`."""

    htmx: HtmxDetails


def _render_list(
    request: AuthenticatedRequest, access: Access, form: ProgressReportForm, status: int = 200
) -> HttpResponse:
    reports = GeneratedReport.objects.visible_to(access).select_related(
        "requested_by", "period", "event"
    )
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    can_request = can_request_progress_report(access)
    # Before a report is made: what its annex would list (open queries, the checks' findings).
    quality = data_quality(access.project, timezone.localdate()) if can_request else None
    return render(
        request,
        "reports/report_list.html",
        {
            "project": access.project,
            "access": access,
            "section": "reports",
            "form": form,
            "page_obj": page,
            "can_request_progress_report": can_request,
            "quality": quality,
        },
        status=status,
    )


@login_required
@require_GET
def report_list(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = access_project(request.user, slug)
    return _render_list(request, access, ProgressReportForm(access=access))


@login_required
@require_POST
def progress_report_request(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """Queue a progress report: the coordinator."""
    access = access_project(request.user, slug)
    access.require(
        can_request_progress_report(access),
        gettext("Only the coordinator requests progress reports."),
    )
    form = ProgressReportForm(request.POST, access=access)
    if not form.is_valid():
        return _render_list(request, access, form, status=422)
    data = form.cleaned_data
    report = request_progress_report(
        access.project,
        requested_by=request.user,
        period=data["period"],
        start_date=data["start_date"],
        end_date=data["end_date"],
        sections=data["sections"],
        language=data["language"] or None,
    )
    messages.success(
        request,
        gettext("Your report is queued. You can keep working: this page shows when it is ready."),
    )
    return redirect(report)


@login_required
@require_POST
def conference_report_pdf(request: AuthenticatedRequest, slug: str, event_id: int) -> HttpResponse:
    """The PDF of an event's published report, made once per version of the report: a second
    request goes to the PDF made (or being made) already. Partners and the coordinator may have
    a new one made; an observer only reaches one that exists."""
    access, report = access_conference_report(request.user, slug, event_id)
    existing = GeneratedReport.objects.of_conference_report(report).reusable().first()
    if existing is not None:
        return redirect(existing)
    access.require(can_request_conference_pdf(access, report), gettext(PDF_NOT_MADE))
    pdf = request_conference_pdf(report, requested_by=request.user)
    return redirect(pdf)


@login_required
@require_GET
def report_detail(request: HtmxRequest, slug: str, pk: int) -> HttpResponse:
    access, report = access_report_file(request.user, slug, pk)
    template = "reports/report_detail.html"
    if request.htmx and request.GET.get("status") == report.status:
        return HttpResponse(status=204)  # unchanged: htmx keeps the fragment, nothing re-announced
    if request.htmx:
        # The polled fragment: the same partial the full page shows, so both render alike.
        template += "#report-status"
    return render(
        request,
        template,
        {
            "project": access.project,
            "access": access,
            "section": "reports",
            "report": report,
            "failure": failure_message(report) if report.is_failed else "",
            "can_retry": can_retry(access, report),
            "can_delete": can_delete_report(access, report),
        },
    )


@login_required
@require_GET
def report_download(request: AuthenticatedRequest, slug: str, pk: int) -> FileResponse:
    _, report = access_report_file(request.user, slug, pk)
    if not report.is_ready or not report.file:
        raise Http404("This report is not ready.")
    return download_response(report.file, filename=report.filename, content_type="application/pdf")


@login_required
@require_POST
def report_retry(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access, report = access_report_file(request.user, slug, pk)
    access.require(can_retry(access, report))
    try:
        retry_report(report, now=timezone.now())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, gettext("The report is queued again."))
    return redirect(report)


@login_required
@require_http_methods(["GET", "POST"])
def report_delete(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access, report = access_report_file(request.user, slug, pk)
    access.require(
        can_delete_report(access, report), gettext("Only the coordinator deletes reports.")
    )
    if request.method == "POST":
        if report.file:
            report.file.delete(save=False)
        report.delete()
        messages.success(request, gettext("The report was deleted."))
        return redirect("reports:report_list", access.project.slug)
    return render(
        request,
        "reports/report_confirm_delete.html",
        {"project": access.project, "access": access, "section": "reports", "report": report},
    )
