"""Deliverables: the list partners and coordinators work from, each deliverable's page, and the
state changes of its review cycle."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from accounts.models import SecurityEvent
from accounts.security import record
from projects.exports import FORMATS, CellValue, spreadsheet_response
from projects.files import add_deliverable_version, check_upload, download_response
from projects.filters import DeliverableFilter
from projects.forms.deliverables import (
    DeliverableForm,
    ProgressUpdateForm,
    RecordSubmissionForm,
    RequestChangesForm,
    VersionUploadForm,
)
from projects.forms.versioned import VersionOnlyForm
from projects.history import history_entries
from projects.models import Deliverable, StaleEdit
from projects.paging import paginate
from projects.permissions import (
    Access,
    access_deliverable,
    access_deliverable_version,
    access_project,
    can_plan,
    can_review,
    can_work_on,
)
from projects.workflows import move_deliverable

PAGE_SIZE = 50
# Translated where they are shown (gettext), in the language of the person reading.
EDIT_STALE_MESSAGE = gettext_noop(
    "Someone else saved this deliverable while you were editing it. Your changes are below and "
    "are not saved: compare them with the deliverable's page, then save again to keep yours."
)
STALE_MESSAGE = gettext_noop(
    "Someone else changed this deliverable after you opened the page. Nothing of yours was "
    "saved: check the current state below and try again."
)


def _filtered(
    request: AuthenticatedRequest, access: Access, *, today: dt.date, full: bool = False
) -> DeliverableFilter:
    """The filtered deliverables (overdue as of `today`); `full` fetches the long texts too (the
    export has them)."""
    rows = Deliverable.objects.filter(project=access.project)
    queryset = rows.with_related() if full else rows.for_lists()
    return DeliverableFilter(
        request.GET or None, queryset=queryset, project=access.project, today=today
    )


@login_required
@require_GET
def deliverable_list(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = access_project(request.user, slug)
    today = timezone.localdate()
    filterset = _filtered(request, access, today=today)
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
            "today": today,
            "can_create": can_plan(access),
        },
    )


# The export's column headings, in the language of the person exporting (str() at the request).
EXPORT_HEADER = [
    pgettext_lazy("column heading", "Number"),
    pgettext_lazy("column heading", "Title"),
    pgettext_lazy("column heading", "Work package"),
    pgettext_lazy("column heading", "Lead partner"),
    pgettext_lazy("column heading", "Type"),
    pgettext_lazy("column heading", "Dissemination level"),
    pgettext_lazy("column heading", "Due month"),
    pgettext_lazy("column heading", "Due date"),
    pgettext_lazy("column heading", "Status"),
    pgettext_lazy("column heading: date submitted to the funder", "Submitted"),
    pgettext_lazy("column heading", "Delay justification"),
]


def _export_row(d: Deliverable) -> list[CellValue]:
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
        d.submitted_date,
        d.delay_justification,
    ]


@login_required
@require_GET
def deliverable_export(
    request: AuthenticatedRequest, slug: str, fmt: str
) -> HttpResponse | StreamingHttpResponse:
    """Exactly what the list shows with the same filters, every page of it, as CSV or XLSX."""
    access = access_project(request.user, slug)
    if fmt not in FORMATS:
        raise Http404("Unknown format.")
    today = timezone.localdate()
    deliverables = _filtered(request, access, today=today, full=True).qs
    if sensitive := deliverables.filter(dissemination=Deliverable.Dissemination.SEN).count():
        # Sensitive deliverables leaving the platform are a line in the security log.
        record(
            SecurityEvent.Kind.SENSITIVE_EXPORT,
            user=request.user,
            request=request,
            export="deliverables",
            project=access.project.slug,
            format=fmt,
            sensitive_rows=sensitive,
        )
    rows = deliverables.iterator(chunk_size=500)
    return spreadsheet_response(
        fmt,
        filename=f"{access.project.acronym}-deliverables-{today:%Y-%m-%d}",
        title=gettext("Deliverables"),
        header=[str(column) for column in EXPORT_HEADER],
        rows=map(_export_row, rows),
    )


@login_required
@require_http_methods(["GET", "POST"])
def deliverable_create(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = access_project(request.user, slug)
    access.require(can_plan(access), gettext("Only the coordinator adds deliverables."))
    form = DeliverableForm(
        request.POST or None, instance=Deliverable(project=access.project), can_plan=True
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                # History reasons are stored, so in English.
                deliverable = form.save_edit(reason=gettext_noop("Created"))
            except StaleEdit:
                # The number was free when checked, then someone else's D<n> took it.
                form.add_error("number", gettext("Someone else added this number a moment ago."))
                status = 409
            else:
                messages.success(
                    request, gettext("%(number)s added.") % {"number": deliverable.number}
                )
                return redirect(deliverable)
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
    access.require(can_work_on(access, deliverable))
    # The form edits a copy: after refused input the page still names and links to the stored one.
    form = DeliverableForm(
        request.POST or None, instance=copy.copy(deliverable), can_plan=can_plan(access)
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                saved = form.save_edit(reason=gettext_noop("Edited"))
            except StaleEdit:
                # Their input again, against the current version: saving again is a deliberate
                # overwrite, not another refusal.
                deliverable.refresh_from_db()
                form = form.against(copy.copy(deliverable), gettext(EDIT_STALE_MESSAGE))
                status = 409
            else:
                messages.success(request, gettext("%(number)s saved.") % {"number": saved.number})
                return redirect(saved)
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
    can_work = can_work_on(access, deliverable)
    may_review = can_review(access, deliverable)
    initial = {"version": deliverable.version}
    today = timezone.localdate()
    context = {
        "project": access.project,
        "access": access,
        "section": "deliverables",
        "deliverable": deliverable,
        "today": today,
        "versions": versions,
        "updates": updates,
        "latest_percent": updates[0].percent if updates else None,
        "history": history_entries(deliverable),
        "can_work": can_work,
        "can_start": can_work and deliverable.can("start"),
        "can_submit": can_work and deliverable.can("submit_for_review"),
        "can_review": may_review and deliverable.can("approve"),
        "can_record": may_review and deliverable.can("record_submission"),
        "version_form": VersionOnlyForm(initial=initial),
        "changes_form": RequestChangesForm(initial=initial),
        "submission_form": RecordSubmissionForm(
            initial={**initial, "submitted_date": today}, project=deliverable.project
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


# The state changes: each checks who may act, validates its form, and changes the deliverable
# through its model method (Deliverable.start ...), which checks the status and the version.


def _refused(
    request: AuthenticatedRequest,
    access: Access,
    deliverable: Deliverable,
    error: ValidationError | StaleEdit | None,
    **posted: VersionOnlyForm,
) -> HttpResponse:
    """A state change not made (nothing saved); `posted` is its bound form by its name on the page.

    Stale: back to the page, which shows the current state and the actions still offered. Else
    the page with the form and its errors (422): a field's error on the field; one not about a
    field (the deliverable moved on, e.g. a second click) at the top of the page.
    """
    if isinstance(error, StaleEdit):
        messages.error(request, gettext(STALE_MESSAGE))
        return redirect(deliverable)
    (form,) = posted.values()
    if error is not None and hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    elif error is not None:
        for message in error.messages:
            messages.error(request, message)
    deliverable.refresh_from_db()  # the instance may hold the refused values
    return _render_detail(request, access, deliverable, status=422, **posted)


@login_required
@require_POST
def deliverable_start(request: AuthenticatedRequest, slug: str, number: str) -> HttpResponse:
    access, deliverable = access_deliverable(request.user, slug, number)
    access.require(can_work_on(access, deliverable))
    form = VersionOnlyForm(request.POST)
    if not form.is_valid():
        return _refused(request, access, deliverable, None, version_form=form)
    try:
        move_deliverable(
            deliverable, "start", by=request.user, expected_version=form.cleaned_data["version"]
        )
    except (ValidationError, StaleEdit) as error:
        return _refused(request, access, deliverable, error, version_form=form)
    messages.success(
        request, gettext("Work on %(number)s has started.") % {"number": deliverable.number}
    )
    return redirect(deliverable)


@login_required
@require_POST
def deliverable_submit(request: AuthenticatedRequest, slug: str, number: str) -> HttpResponse:
    access, deliverable = access_deliverable(request.user, slug, number)
    access.require(can_work_on(access, deliverable))
    form = VersionOnlyForm(request.POST)
    if not form.is_valid():
        return _refused(request, access, deliverable, None, version_form=form)
    try:
        move_deliverable(
            deliverable,
            "submit_for_review",
            by=request.user,
            expected_version=form.cleaned_data["version"],
        )
    except (ValidationError, StaleEdit) as error:
        return _refused(request, access, deliverable, error, version_form=form)
    messages.success(
        request,
        gettext(
            "%(number)s is submitted for review. The coordinator will see it on their dashboard."
        )
        % {"number": deliverable.number},
    )
    return redirect(deliverable)


@login_required
@require_POST
def deliverable_request_changes(
    request: AuthenticatedRequest, slug: str, number: str
) -> HttpResponse:
    access, deliverable = access_deliverable(request.user, slug, number)
    access.require(can_review(access, deliverable))
    form = RequestChangesForm(request.POST)
    if not form.is_valid():
        return _refused(request, access, deliverable, None, changes_form=form)
    try:
        move_deliverable(
            deliverable,
            "request_changes",
            by=request.user,
            comment=form.cleaned_data["comment"],
            expected_version=form.cleaned_data["version"],
        )
    except (ValidationError, StaleEdit) as error:
        return _refused(request, access, deliverable, error, changes_form=form)
    messages.success(
        request, gettext("Changes to %(number)s requested.") % {"number": deliverable.number}
    )
    return redirect(deliverable)


@login_required
@require_POST
def deliverable_approve(request: AuthenticatedRequest, slug: str, number: str) -> HttpResponse:
    access, deliverable = access_deliverable(request.user, slug, number)
    access.require(can_review(access, deliverable))
    form = VersionOnlyForm(request.POST)
    if not form.is_valid():
        return _refused(request, access, deliverable, None, version_form=form)
    try:
        move_deliverable(
            deliverable, "approve", by=request.user, expected_version=form.cleaned_data["version"]
        )
    except (ValidationError, StaleEdit) as error:
        return _refused(request, access, deliverable, error, version_form=form)
    messages.success(request, gettext("%(number)s approved.") % {"number": deliverable.number})
    return redirect(deliverable)


@login_required
@require_POST
def deliverable_record_submission(
    request: AuthenticatedRequest, slug: str, number: str
) -> HttpResponse:
    access, deliverable = access_deliverable(request.user, slug, number)
    access.require(can_review(access, deliverable))
    form = RecordSubmissionForm(request.POST, project=access.project)
    if not form.is_valid():
        return _refused(request, access, deliverable, None, submission_form=form)
    try:
        move_deliverable(
            deliverable,
            "record_submission",
            by=request.user,
            on=form.cleaned_data["submitted_date"],
            justification=form.cleaned_data["delay_justification"],
            expected_version=form.cleaned_data["version"],
            today=timezone.localdate(),
        )
    except (ValidationError, StaleEdit) as error:
        return _refused(request, access, deliverable, error, submission_form=form)
    messages.success(
        request,
        gettext("Submission of %(number)s to the funder recorded.")
        % {"number": deliverable.number},
    )
    return redirect(deliverable)


@login_required
@require_POST
def deliverable_progress_add(request: AuthenticatedRequest, slug: str, number: str) -> HttpResponse:
    access, deliverable = access_deliverable(request.user, slug, number)
    access.require(can_work_on(access, deliverable))
    form = ProgressUpdateForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, access, deliverable, status=422, progress_form=form)
    update = form.save(commit=False)
    update.deliverable, update.author = deliverable, request.user
    update.save()
    messages.success(
        request,
        gettext("Progress on %(number)s recorded: %(percent)s%%.")
        % {"number": deliverable.number, "percent": update.percent},
    )
    return redirect(deliverable)


@login_required
@require_POST
def deliverable_version_upload(
    request: AuthenticatedRequest, slug: str, number: str
) -> HttpResponse:
    access, deliverable = access_deliverable(request.user, slug, number)
    access.require(can_work_on(access, deliverable))
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
            messages.success(
                request,
                gettext("%(file)s uploaded to %(number)s.")
                % {"file": checked.original_name, "number": deliverable.number},
            )
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
