"""Conference reports (the written account of an event) and the recommendations drawn from them.

The organiser's staff and the coordinator write a draft and send it for review; the coordinator
publishes it or sends it back with a comment. The published report shows on the event's page,
with the participant figures of the event's attendance (never typed into the report).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from events.models import Event
from events.permissions import access_event, can_manage_event
from events.views.events import event_page
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

PAGE_SIZE = 50
WRITERS_ONLY = "Only the organiser's staff and the coordinator write this report."
COORDINATOR_ONLY = "Only the coordinator publishes a report or sends it back."
STALE_MESSAGE = (
    "Someone else changed this report after you opened the page. Nothing of yours was saved: "
    "reload the page to see their version, then make your changes again."
)


def _report_anchor(event: Event) -> str:
    return event.get_absolute_url() + "#report-heading"


@login_required
@require_http_methods(["GET", "POST"])
def conference_report_edit(request: HttpRequest, slug: str, event_id: int) -> HttpResponse:
    """Write or edit the draft, with its recommendations, in one form and one transaction."""
    access, event = access_event(request.user, slug, event_id)  # type: ignore[arg-type]
    access.require(can_manage_event(access, event), WRITERS_ONLY)
    report = ConferenceReport.objects.filter(event=event).first() or ConferenceReport(
        event=event, author=event.organiser
    )
    report.event = event
    if not report.is_draft:
        messages.info(
            request,
            f"The report is {report.get_status_display().lower()}: it can be edited again only "
            "if the coordinator sends it back.",
        )
        return redirect(_report_anchor(event))
    data = request.POST if request.method == "POST" else None
    form = ConferenceReportForm(data, instance=report)
    formset = cast(
        BaseRecommendationFormSet,
        RecommendationFormSet(data, instance=report, prefix="recommendations"),
    )
    status = 200
    if request.method == "POST":
        status = 422
        # Both validated, so that every error shows at once.
        valid = form.is_valid()
        valid = formset.is_valid() and valid
        if valid:
            try:
                # The report and all its recommendations, or nothing.
                with transaction.atomic():
                    report = form.save(commit=False)
                    if report.pk is None:
                        report._change_reason = "Written"  # type: ignore[attr-defined]
                        report.save()
                    else:
                        report.save_edit(form.cleaned_data["version"] or 0, reason="Edited")
                    formset.instance = report
                    formset.save_in_order()
            # IntegrityError: someone else wrote the first draft of this report at the same time.
            except (StaleEdit, IntegrityError):
                form.add_error(None, STALE_MESSAGE)
                status = 409
            else:
                messages.success(request, "Report saved.")
                return redirect(_report_anchor(event))
    return render(
        request,
        "reports/conference_report_form.html",
        {
            "project": access.project,
            "access": access,
            "section": "events",
            "event": event,
            "report": report,
            "attendance": event.attendance_or_none,
            "form": form,
            "formset": formset,
            "history": history_entries(report) if report.pk else [],
        },
        status=status,
    )


def _transition(
    request: HttpRequest,
    slug: str,
    event_id: int,
    *,
    allowed: Callable[[Access, Event], bool],
    reason: str,
    form_class: type[VersionOnlyForm],
    change: Callable[[ConferenceReport, dict[str, Any]], None],
    done: str,
) -> HttpResponse:
    """Check, validate, change through the model, redirect; a refusal shows the event's page
    with the reason (422), nothing saved."""
    access, event = access_event(request.user, slug, event_id)  # type: ignore[arg-type]
    access.require(allowed(access, event), reason)
    report = get_object_or_404(ConferenceReport, event=event)
    report.event = event
    form = form_class(request.POST)
    errors: list[str] = []
    if form.is_valid():
        try:
            with transaction.atomic():
                change(report, form.cleaned_data)
        except StaleEdit:
            messages.error(request, STALE_MESSAGE)
            return redirect(_report_anchor(event))
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, done)
            return redirect(_report_anchor(event))
    else:
        errors = [
            f"{form.fields[name].label or name.capitalize()}: {message}"
            if name in form.fields and name != "version"
            else "The page was out of date: reload it and try again."
            for name, messages_ in form.errors.items()
            for message in messages_
        ]
    return event_page(
        request,
        access,
        event,
        status=422,
        report_errors=errors,
        send_back_comment=request.POST.get("comment", ""),
    )


@login_required
@require_POST
def conference_report_submit(request: HttpRequest, slug: str, event_id: int) -> HttpResponse:
    return _transition(
        request, slug, event_id,
        allowed=can_manage_event, reason=WRITERS_ONLY,
        form_class=VersionOnlyForm,
        change=lambda r, data: r.submit_for_review(expected_version=data["version"]),
        done="The report is sent to the coordinator for review.",
    )  # fmt: skip


@login_required
@require_POST
def conference_report_publish(request: HttpRequest, slug: str, event_id: int) -> HttpResponse:
    return _transition(
        request, slug, event_id,
        allowed=lambda a, e: a.is_coordinator, reason=COORDINATOR_ONLY,
        form_class=VersionOnlyForm,
        change=lambda r, data: r.publish(expected_version=data["version"], now=timezone.now()),
        done="The report is published: everyone in the project sees it on the event's page.",
    )  # fmt: skip


@login_required
@require_POST
def conference_report_send_back(request: HttpRequest, slug: str, event_id: int) -> HttpResponse:
    return _transition(
        request, slug, event_id,
        allowed=lambda a, e: a.is_coordinator, reason=COORDINATOR_ONLY,
        form_class=SendBackForm,
        change=lambda r, data: r.send_back(
            comment=data["comment"], expected_version=data["version"]
        ),
        done="The report is sent back to its writers with your comment.",
    )  # fmt: skip


# --- recommendations across the project -----------------------------------------------------


def _filtered(request: HttpRequest, access: Access) -> RecommendationFilter:
    queryset = (
        Recommendation.objects.published()  # type: ignore[attr-defined]
        .in_project(access.project)
        .select_related("report__event", "report__author__organisation")
        .order_by("-report__event__starts_at", "report_id", "position", "pk")
    )
    return RecommendationFilter(request.GET or None, queryset=queryset)


@login_required
@require_GET
def recommendation_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Every recommendation of the project's published reports: the raw material of its
    recommendations for replication."""
    access = access_project(request.user, slug)  # type: ignore[arg-type]
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


EXPORT_HEADER = [
    "Recommendation", "Addressed to", "Event", "Event kind", "Event date", "Report by",
    "Published",
]  # fmt: skip


def _cell(value: Any) -> str:
    """A CSV cell a spreadsheet will not run as a formula (text starting with = + - @)."""
    text = str(value)
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def _export_row(r: Recommendation) -> list[str]:
    event = r.report.event
    return [
        _cell(r.text),
        r.get_audience_display(),
        _cell(event.title),
        event.get_kind_display(),
        f"{event.local_start:%Y-%m-%d}",
        r.report.author.organisation.short_name,
        f"{timezone.localtime(r.report.published_at):%Y-%m-%d}" if r.report.published_at else "",
    ]


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@require_GET
def recommendation_export(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    """Exactly what the page shows with the same filters, every page of it, as CSV."""
    access = access_project(request.user, slug)  # type: ignore[arg-type]
    rows = _filtered(request, access).qs.iterator(chunk_size=500)
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"  # so that spreadsheet programs read the file as UTF-8
        yield writer.writerow(EXPORT_HEADER)
        for recommendation in rows:
            yield writer.writerow(_export_row(recommendation))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    filename = f"{access.project.acronym}-recommendations-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
