"""Deliverables: the list partners and coordinators work from, each deliverable's page, and the
state changes of its review cycle."""

from __future__ import annotations

import copy
import csv
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from projects.files import add_deliverable_version, check_upload, download_response
from projects.filters import DeliverableFilter
from projects.forms.deliverables import (
    DeliverableForm,
    ProgressUpdateForm,
    RecordSubmissionForm,
    RequestChangesForm,
    VersionOnlyForm,
    VersionUploadForm,
)
from projects.history import history_entries
from projects.models import Deliverable, StaleEdit
from projects.paging import paginate
from projects.permissions import (
    Access,
    access_deliverable,
    access_deliverable_version,
    access_project,
)

PAGE_SIZE = 50
EDIT_STALE_MESSAGE = (
    "Someone else saved this deliverable while you were editing it. Your changes are below and "
    "are not saved: compare them with the deliverable's page, then save again to keep yours."
)
STALE_MESSAGE = (
    "Someone else changed this deliverable after you opened the page. Nothing of yours was "
    "saved: check the current state below and try again."
)


def _filtered(
    request: AuthenticatedRequest, access: Access, *, full: bool = False
) -> DeliverableFilter:
    """The filtered deliverables; `full` fetches the long texts too (the export has them)."""
    rows = Deliverable.objects.filter(project=access.project)
    queryset = rows.with_related() if full else rows.for_lists()
    return DeliverableFilter(
        request.GET or None, queryset=queryset, project=access.project, today=timezone.localdate()
    )


@login_required
@require_GET
def deliverable_list(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = access_project(request.user, slug)
    filterset = _filtered(request, access)
    page, query = paginate(request, filterset.qs, PAGE_SIZE)
    return render(
        request,
        "projects/deliverable_list.html",
        {
            "project": access.project,
            "access": access,
            "section": "deliverables",
            "filter": filterset,
            "page_obj": page,
            "query": query,
            "today": timezone.localdate(),
        },
    )


EXPORT_HEADER = [
    "Number",
    "Title",
    "Work package",
    "Lead partner",
    "Type",
    "Dissemination level",
    "Due month",
    "Due date",
    "Status",
    "Submitted",
    "Delay justification",
]


def _export_row(d: Deliverable) -> list[Any]:
    return [
        d.number,
        d.title,
        d.work_package.code,
        str(d.lead),
        d.type,
        d.dissemination,
        f"M{d.due_month}",
        d.due_date,
        d.get_status_display(),
        d.submitted_date or "",
        d.delay_justification,
    ]


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@require_GET
def deliverable_export(
    request: AuthenticatedRequest, slug: str, fmt: str
) -> HttpResponse | StreamingHttpResponse:
    """Exactly what the list shows with the same filters, every page of it, as CSV or XLSX."""
    access = access_project(request.user, slug)
    if fmt not in {"csv", "xlsx"}:
        raise Http404("Unknown format.")
    rows = _filtered(request, access, full=True).qs.iterator(chunk_size=500)
    filename = f"{access.project.acronym}-deliverables-{timezone.localdate():%Y-%m-%d}.{fmt}"
    if fmt == "csv":
        writer = csv.writer(_Echo())
        lines = (writer.writerow(r) for r in [EXPORT_HEADER, *map(_export_row, rows)])
        response: HttpResponse | StreamingHttpResponse = StreamingHttpResponse(
            lines, content_type="text/csv; charset=utf-8"
        )
    else:
        from openpyxl import Workbook  # only this view needs it

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Deliverables")
        sheet.append(EXPORT_HEADER)
        for deliverable in rows:
            sheet.append(_export_row(deliverable))
        response = HttpResponse(
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        workbook.save(response)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def deliverable_create(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = access_project(request.user, slug)
    access.require(access.can_plan, "Only the coordinator adds deliverables.")
    form = DeliverableForm(
        request.POST or None, instance=Deliverable(project=access.project), can_plan=True
    )
    if request.method == "POST":
        if form.is_valid():
            deliverable = form.save(commit=False)
            deliverable._change_reason = "Created"
            deliverable.save()
            messages.success(request, f"{deliverable.number} added.")
            return redirect(deliverable)
        status = 422
    else:
        status = 200
    return render(
        request,
        "projects/deliverable_form.html",
        {"project": access.project, "access": access, "section": "deliverables", "form": form},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def deliverable_edit(request: AuthenticatedRequest, slug: str, number: str) -> HttpResponse:
    access, deliverable = access_deliverable(request.user, slug, number)
    access.require(access.can_work_on(deliverable))
    # The form edits a copy: after refused input the page still names and links to the stored one.
    form = DeliverableForm(
        request.POST or None, instance=copy.copy(deliverable), can_plan=access.can_plan
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                form.instance.save_edit(form.cleaned_data["version"], reason="Edited")
            except StaleEdit:
                # Keep their input, now against the current version: saving again is a
                # deliberate overwrite, not another refusal.
                deliverable.refresh_from_db()
                data = request.POST.copy()
                data["version"] = str(deliverable.version)
                form = DeliverableForm(
                    data, instance=copy.copy(deliverable), can_plan=access.can_plan
                )
                form.is_valid()
                form.add_error(None, EDIT_STALE_MESSAGE)
                status = 409
            else:
                messages.success(request, f"{form.instance.number} saved.")
                return redirect(form.instance)
    return render(
        request,
        "projects/deliverable_form.html",
        {
            "project": access.project,
            "access": access,
            "section": "deliverables",
            "form": form,
            "deliverable": deliverable,
        },
        status=status,
    )


def _render_detail(
    request: AuthenticatedRequest,
    access: Access,
    deliverable: Deliverable,
    *,
    status: int = 200,
    **forms: Any,
) -> HttpResponse:
    versions = list(deliverable.versions.select_related("uploaded_by"))
    updates = list(deliverable.progress_updates.select_related("author"))
    can_work = access.can_work_on(deliverable)
    initial = {"version": deliverable.version}
    context = {
        "project": access.project,
        "access": access,
        "section": "deliverables",
        "deliverable": deliverable,
        "today": timezone.localdate(),
        "versions": versions,
        "updates": updates,
        "latest_percent": updates[0].percent if updates else None,
        "history": history_entries(deliverable),
        "can_work": can_work,
        "can_start": can_work and deliverable.can("start"),
        "can_submit": can_work and deliverable.can("submit_for_review"),
        "can_review": access.can_review and deliverable.can("approve"),
        "can_record": access.can_review and deliverable.can("record_submission"),
        "version_form": VersionOnlyForm(initial=initial),
        "changes_form": RequestChangesForm(initial=initial),
        "submission_form": RecordSubmissionForm(
            initial={**initial, "submitted_date": timezone.localdate()}
        ),
        "progress_form": ProgressUpdateForm(),
        "upload_form": VersionUploadForm(),
    }
    context.update(forms)
    return render(request, "projects/deliverable_detail.html", context, status=status)


@login_required
@require_GET
def deliverable_detail(request: AuthenticatedRequest, slug: str, number: str) -> HttpResponse:
    access, deliverable = access_deliverable(request.user, slug, number)
    return _render_detail(request, access, deliverable)


def _transition(
    request: AuthenticatedRequest,
    slug: str,
    number: str,
    *,
    allowed: Callable[[Access, Deliverable], bool],
    form_class: type[VersionOnlyForm],
    form_name: str,
    change: Callable[[Deliverable, dict[str, Any]], None],
    done: str,
) -> HttpResponse:
    """The shape every state change shares: check, validate, change through the model, redirect.

    A ValidationError from the model (wrong state, missing justification) or a stale version
    re-renders the page with the message and nothing saved.
    """
    access, deliverable = access_deliverable(request.user, slug, number)
    access.require(allowed(access, deliverable))
    form = form_class(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                change(deliverable, form.cleaned_data)
        except StaleEdit:
            messages.error(request, STALE_MESSAGE)
            return redirect(deliverable)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                # Not about a field (the deliverable moved on, e.g. a second click): say why at
                # the top of the page, where it shows whatever actions are still offered.
                for message in error.messages:
                    messages.error(request, message)
        else:
            messages.success(request, done.format(number=deliverable.number))
            return redirect(deliverable)
    # The instance may hold the refused values: show the stored state.
    deliverable.refresh_from_db()
    return _render_detail(request, access, deliverable, status=422, **{form_name: form})


@login_required
@require_POST
def deliverable_start(request: AuthenticatedRequest, slug: str, number: str) -> HttpResponse:
    return _transition(
        request,
        slug,
        number,
        allowed=lambda a, d: a.can_work_on(d),
        form_class=VersionOnlyForm,
        form_name="version_form",
        change=lambda d, data: d.start(expected_version=data["version"]),
        done="Work on {number} has started.",
    )


@login_required
@require_POST
def deliverable_submit(request: AuthenticatedRequest, slug: str, number: str) -> HttpResponse:
    return _transition(
        request,
        slug,
        number,
        allowed=lambda a, d: a.can_work_on(d),
        form_class=VersionOnlyForm,
        form_name="version_form",
        change=lambda d, data: d.submit_for_review(expected_version=data["version"]),
        done="{number} is submitted for review. The coordinator will see it on their dashboard.",
    )


@login_required
@require_POST
def deliverable_request_changes(
    request: AuthenticatedRequest, slug: str, number: str
) -> HttpResponse:
    return _transition(
        request,
        slug,
        number,
        allowed=lambda a, d: a.can_review,
        form_class=RequestChangesForm,
        form_name="changes_form",
        change=lambda d, data: d.request_changes(
            comment=data["comment"], expected_version=data["version"]
        ),
        done="Changes to {number} requested.",
    )


@login_required
@require_POST
def deliverable_approve(request: AuthenticatedRequest, slug: str, number: str) -> HttpResponse:
    return _transition(
        request,
        slug,
        number,
        allowed=lambda a, d: a.can_review,
        form_class=VersionOnlyForm,
        form_name="version_form",
        change=lambda d, data: d.approve(expected_version=data["version"]),
        done="{number} approved.",
    )


@login_required
@require_POST
def deliverable_record_submission(
    request: AuthenticatedRequest, slug: str, number: str
) -> HttpResponse:
    return _transition(
        request,
        slug,
        number,
        allowed=lambda a, d: a.can_review,
        form_class=RecordSubmissionForm,
        form_name="submission_form",
        change=lambda d, data: d.record_submission(
            on=data["submitted_date"],
            justification=data["delay_justification"],
            expected_version=data["version"],
            today=timezone.localdate(),
        ),
        done="Submission of {number} to the funder recorded.",
    )


@login_required
@require_POST
def deliverable_progress_add(request: AuthenticatedRequest, slug: str, number: str) -> HttpResponse:
    access, deliverable = access_deliverable(request.user, slug, number)
    access.require(access.can_work_on(deliverable))
    form = ProgressUpdateForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, access, deliverable, status=422, progress_form=form)
    update = form.save(commit=False)
    update.deliverable, update.author = deliverable, request.user
    update.save()
    messages.success(request, f"Progress on {deliverable.number} recorded: {update.percent}%.")
    return redirect(deliverable)


@login_required
@require_POST
def deliverable_version_upload(
    request: AuthenticatedRequest, slug: str, number: str
) -> HttpResponse:
    access, deliverable = access_deliverable(request.user, slug, number)
    access.require(access.can_work_on(deliverable))
    form = VersionUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            checked = check_upload(form.cleaned_data["file"])
        except ValidationError as error:
            form.add_error("file", error)
        else:
            add_deliverable_version(
                deliverable,
                checked,
                by=request.user,
                note=form.cleaned_data["note"],
            )
            messages.success(request, f"{checked.original_name} uploaded to {deliverable.number}.")
            return redirect(deliverable)
    return _render_detail(request, access, deliverable, status=422, upload_form=form)


@login_required
@require_GET
def deliverable_version_download(
    request: AuthenticatedRequest, slug: str, number: str, pk: int
) -> FileResponse:
    _, version = access_deliverable_version(request.user, slug, number, pk)
    return download_response(
        version.file, filename=version.original_name, content_type=version.content_type
    )
