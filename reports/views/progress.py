"""PDF progress reports: request one, watch it being made, download it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from events.models import Event
from projects.files import download_response
from projects.models import ReportingPeriod
from projects.permissions import Access, access_project
from reports.models import ProgressReport
from reports.workflows import request_conference_pdf, request_progress_report, retry_report

PAGE_SIZE = 25


class ProgressReportForm(forms.Form):
    """A reporting period, or a date range; and the sections to include."""

    period = forms.ModelChoiceField(
        queryset=ReportingPeriod.objects.none(),
        required=False,
        empty_label="A date range instead (below)",
        help_text="The reporting period the report covers.",
    )
    start_date = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )
    sections = forms.MultipleChoiceField(
        choices=ProgressReport.SECTIONS,
        initial=[key for key, _ in ProgressReport.SECTIONS],
        widget=forms.CheckboxSelectMultiple,
        help_text="The cover and the contents are always included.",
    )

    def __init__(self, *args: Any, access: Access, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        periods = ReportingPeriod.objects.filter(project=access.project)
        self.fields["period"].queryset = periods  # type: ignore[attr-defined]
        # Offer the latest period that has begun: the one a coordinator is usually reporting on.
        month = access.project.month_of(timezone.localdate())
        self.fields["period"].initial = (
            periods.filter(start_month__lte=month)
            .order_by("-number")
            .values_list("pk", flat=True)
            .first()
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("period") is None:
            start, end = data.get("start_date"), data.get("end_date")
            if not (start and end):
                raise ValidationError("Choose a reporting period, or give both dates of a range.")
            if end < start:
                self.add_error("end_date", "The range ends before it starts.")
        return data


def _access_report(
    request: AuthenticatedRequest, slug: str, pk: int
) -> tuple[Access, ProgressReport]:
    access = access_project(request.user, slug)
    report = get_object_or_404(
        ProgressReport.objects.select_related("requested_by", "period", "event"),
        project=access.project,
        pk=pk,
    )
    report.project = access.project
    return access, report


def _render_list(
    request: AuthenticatedRequest, access: Access, form: ProgressReportForm, status: int = 200
) -> HttpResponse:
    reports = ProgressReport.objects.filter(project=access.project).select_related(
        "requested_by", "period", "event"
    )
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/report_list.html",
        {
            "project": access.project,
            "access": access,
            "section": "reports",
            "form": form,
            "page_obj": page,
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
def report_request(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = access_project(request.user, slug)
    access.require(access.is_coordinator, "Only the coordinator requests progress reports.")
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
    )
    messages.success(
        request, "Your report is queued. You can keep working: this page shows when it is ready."
    )
    return redirect(report)


@login_required
@require_GET
def report_detail(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access, report = _access_report(request, slug, pk)
    template = "reports/report_detail.html"
    if request.htmx and request.GET.get("status") == report.status:  # type: ignore[attr-defined]
        return HttpResponse(status=204)  # unchanged: htmx keeps the fragment, nothing re-announced
    if request.htmx:  # type: ignore[attr-defined]
        # The polled fragment: the same partial the full page shows, so both render alike.
        template += "#report-status"
    return render(
        request,
        template,
        {"project": access.project, "access": access, "section": "reports", "report": report},
    )


@login_required
@require_GET
def report_download(request: AuthenticatedRequest, slug: str, pk: int) -> FileResponse:
    _, report = _access_report(request, slug, pk)
    if report.status != ProgressReport.Status.READY or not report.file:
        raise Http404("This report is not ready.")
    return download_response(report.file, filename=report.filename, content_type="application/pdf")


@login_required
@require_POST
def report_retry(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access, report = _access_report(request, slug, pk)
    access.require(access.is_coordinator or report.requested_by_id == request.user.pk)
    try:
        retry_report(report, now=timezone.now())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The report is queued again.")
    return redirect(report)


@login_required
@require_http_methods(["GET", "POST"])
def report_delete(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access, report = _access_report(request, slug, pk)
    access.require(access.is_coordinator, "Only the coordinator deletes reports.")
    if request.method == "POST":
        if report.file:
            report.file.delete(save=False)
        report.delete()
        messages.success(request, "The report was deleted.")
        return redirect("reports:report_list", access.project.slug)
    return render(
        request,
        "reports/report_confirm_delete.html",
        {"project": access.project, "access": access, "section": "reports", "report": report},
    )


@login_required
@require_POST
def conference_report_pdf(request: AuthenticatedRequest, slug: str, event_id: int) -> HttpResponse:
    """Any member may have an event's report made into a PDF: it changes no project data."""
    access = access_project(request.user, slug)
    event = get_object_or_404(Event, project=access.project, pk=event_id)
    event.project = access.project
    report = request_conference_pdf(event, requested_by=request.user)
    return redirect(report)
