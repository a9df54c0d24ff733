"""The parts of an event its organiser records: agenda items, materials, outcomes, attendance.

Each change is a POST from a form on the event's page; a refused one shows that page again with
the form and its errors (422), nothing saved.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from coresp.text import in_sentence
from events.forms import (
    AgendaItemForm,
    AttendanceForm,
    MaterialLinkForm,
    MaterialUploadForm,
    OutcomeForm,
)
from events.models import Attendance, Event
from events.permissions import (
    access_agenda_item,
    access_event,
    access_material,
    access_outcome,
    can_manage_event,
    can_tick_outcome,
)
from events.views.events import refused
from events.workflows import add_material_file, delete_material
from projects.files import check_upload, download_response
from projects.models import StaleEdit
from projects.permissions import Access

# The reason of a refusal (403), and the message of a stale edit: translated where they are used.
MANAGE_ONLY = gettext_noop("Only the coordinator and the organiser's staff change this event.")
STALE_MESSAGE = gettext_noop(
    "Someone else saved these figures while you were editing them. Your figures are below and "
    "are not saved: compare them with the event's page, then save again to keep yours."
)


# --- agenda ---------------------------------------------------------------------------------


@login_required
@require_POST
def agenda_item_add(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access, event = access_event(request.user, slug, pk)
    access.require(can_manage_event(access, event), gettext(MANAGE_ONLY))
    form = AgendaItemForm(request.POST, event=event)
    if not form.is_valid():
        return refused(request, access, event, agenda_form=form)
    item = form.save()
    messages.success(request, gettext("'%(title)s' added to the agenda.") % {"title": item.title})
    return redirect(event.get_absolute_url() + "#agenda-heading")


@login_required
@require_http_methods(["GET", "POST"])
def agenda_item_edit(
    request: AuthenticatedRequest, slug: str, pk: int, item_pk: int
) -> HttpResponse:
    access, item = access_agenda_item(request.user, slug, pk, item_pk)
    event = item.event
    access.require(can_manage_event(access, event), gettext(MANAGE_ONLY))
    form = AgendaItemForm(request.POST or None, instance=item, event=event)
    return _edit_part(
        request,
        access,
        event,
        form,
        template="events/agenda_item_form.html",
        done=gettext("'%(title)s' saved.") % {"title": item.title},
        anchor="#agenda-heading",
        item=item,
    )


def _edit_part(
    request: AuthenticatedRequest,
    access: Access,
    event: Event,
    form: forms.ModelForm,
    *,
    template: str,
    done: str,
    anchor: str,
    **context: Any,
) -> HttpResponse:
    """The edit page of a part of an event (agenda item, outcome): save and go back to the
    event on valid input, the form again with 422 on bad input (nothing saved)."""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, done)
            return redirect(event.get_absolute_url() + anchor)
        status = 422
    return render(
        request,
        template,
        {
            "project": access.project,
            "access": access,
            "section": "events",
            "event": event,
            "form": form,
            **context,
        },
        status=status,
    )


def _confirm_removal(
    request: AuthenticatedRequest, access: Access, event: Event, *, question: str, anchor: str
) -> HttpResponse:
    """The page that asks before anything is removed (GET), with `question` as its heading
    ("Remove the agenda item 'Welcome'?"); the POST does the removal."""
    return render(
        request,
        "events/confirm_remove.html",
        {
            "project": access.project,
            "access": access,
            "section": "events",
            "event": event,
            "question": question,
            "cancel_url": event.get_absolute_url() + anchor,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def agenda_item_delete(
    request: AuthenticatedRequest, slug: str, pk: int, item_pk: int
) -> HttpResponse:
    access, item = access_agenda_item(request.user, slug, pk, item_pk)
    access.require(can_manage_event(access, item.event), gettext(MANAGE_ONLY))
    if request.method == "GET":
        return _confirm_removal(
            request,
            access,
            item.event,
            question=gettext("Remove the agenda item '%(title)s'?") % {"title": item.title},
            anchor="#agenda-heading",
        )
    item.delete()
    messages.success(
        request, gettext("'%(title)s' removed from the agenda.") % {"title": item.title}
    )
    return redirect(item.event.get_absolute_url() + "#agenda-heading")


# --- materials ------------------------------------------------------------------------------


@login_required
@require_POST
def material_upload(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access, event = access_event(request.user, slug, pk)
    access.require(can_manage_event(access, event), gettext(MANAGE_ONLY))
    form = MaterialUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            checked = check_upload(form.cleaned_data["file"])
        except ValidationError as error:
            form.add_error("file", error)
        else:
            material = add_material_file(
                event,
                checked,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                by=request.user,
            )
            messages.success(
                request, gettext("%(name)s uploaded.") % {"name": material.original_name}
            )
            return redirect(event.get_absolute_url() + "#materials-heading")
    return refused(request, access, event, upload_form=form)


@login_required
@require_POST
def material_link_add(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access, event = access_event(request.user, slug, pk)
    access.require(can_manage_event(access, event), gettext(MANAGE_ONLY))
    form = MaterialLinkForm(request.POST)
    form.instance.event, form.instance.added_by = event, request.user
    if not form.is_valid():
        return refused(request, access, event, link_form=form)
    material = form.save()
    messages.success(request, gettext("Link '%(title)s' added.") % {"title": material.title})
    return redirect(event.get_absolute_url() + "#materials-heading")


@login_required
@require_GET
def material_download(
    request: AuthenticatedRequest, slug: str, pk: int, material_pk: int
) -> FileResponse:
    _, material = access_material(request.user, slug, pk, material_pk)
    if not material.file:
        raise Http404("This material is a link, not a file.")
    return download_response(
        material.file, filename=material.original_name, content_type=material.content_type
    )


@login_required
@require_http_methods(["GET", "POST"])
def material_delete(
    request: AuthenticatedRequest, slug: str, pk: int, material_pk: int
) -> HttpResponse:
    access, material = access_material(request.user, slug, pk, material_pk)
    access.require(can_manage_event(access, material.event), gettext(MANAGE_ONLY))
    if request.method == "GET":
        params = {"kind": in_sentence(material.get_kind_display()), "title": material.title}
        if material.is_link:
            # Translators: the kind is a kind of material in lower case, e.g. "press coverage".
            question = gettext("Remove the %(kind)s '%(title)s'?") % params
        else:
            # Translators: the kind is a kind of material in lower case, e.g. "slides".
            question = gettext("Remove the %(kind)s '%(title)s' and its file?") % params
        return _confirm_removal(
            request, access, material.event, question=question, anchor="#materials-heading"
        )
    with transaction.atomic():
        delete_material(material)
    messages.success(request, gettext("'%(title)s' removed.") % {"title": material.title})
    return redirect(material.event.get_absolute_url() + "#materials-heading")


# --- outcomes -------------------------------------------------------------------------------


@login_required
@require_POST
def outcome_add(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access, event = access_event(request.user, slug, pk)
    access.require(can_manage_event(access, event), gettext(MANAGE_ONLY))
    form = OutcomeForm(request.POST, event=event)
    if not form.is_valid():
        return refused(request, access, event, outcome_form=form)
    outcome = form.save()
    messages.success(
        request,
        gettext("Action item recorded.") if outcome.is_action else gettext("Decision recorded."),
    )
    return redirect(event.get_absolute_url() + "#outcomes-heading")


@login_required
@require_POST
def outcome_toggle(
    request: AuthenticatedRequest, slug: str, pk: int, outcome_pk: int
) -> HttpResponse:
    """Tick an action item off, or open it again; `done` in the form says which."""
    access, outcome = access_outcome(request.user, slug, pk, outcome_pk)
    access.require(
        can_tick_outcome(access, outcome),
        gettext(
            "Only the organiser's staff, the coordinator and the partner who owns it tick it off."
        ),
    )
    # The wanted state, not a flip: a double click or a resent form does not undo itself.
    done = request.POST.get("done", "1") != "0"
    try:
        outcome.set_done(done)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request, gettext("Action item done.") if done else gettext("Action item open again.")
        )
    return redirect(outcome.event.get_absolute_url() + "#outcomes-heading")


@login_required
@require_http_methods(["GET", "POST"])
def outcome_edit(
    request: AuthenticatedRequest, slug: str, pk: int, outcome_pk: int
) -> HttpResponse:
    """Correct a decision or an action item: its text, owner or due date change as work moves."""
    access, outcome = access_outcome(request.user, slug, pk, outcome_pk)
    event = outcome.event
    access.require(can_manage_event(access, event), gettext(MANAGE_ONLY))
    form = OutcomeForm(request.POST or None, instance=outcome, event=event)
    return _edit_part(
        request,
        access,
        event,
        form,
        template="events/outcome_form.html",
        done=gettext("Action item saved.") if outcome.is_action else gettext("Decision saved."),
        anchor="#outcomes-heading",
        outcome=outcome,
    )


@login_required
@require_http_methods(["GET", "POST"])
def outcome_delete(
    request: AuthenticatedRequest, slug: str, pk: int, outcome_pk: int
) -> HttpResponse:
    access, outcome = access_outcome(request.user, slug, pk, outcome_pk)
    access.require(can_manage_event(access, outcome.event), gettext(MANAGE_ONLY))
    if request.method == "GET":
        params = {"text": outcome.text[:60]}
        if outcome.is_action:
            question = gettext("Remove the action item '%(text)s'?") % params
        else:
            question = gettext("Remove the decision '%(text)s'?") % params
        return _confirm_removal(
            request, access, outcome.event, question=question, anchor="#outcomes-heading"
        )
    outcome.delete()
    messages.success(
        request,
        gettext("Action item removed.") if outcome.is_action else gettext("Decision removed."),
    )
    return redirect(outcome.event.get_absolute_url() + "#outcomes-heading")


# --- attendance -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def attendance_edit(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Record or correct how many came. Aggregate counts only; each breakdown must add up."""
    access, event = access_event(request.user, slug, pk)
    access.require(can_manage_event(access, event), gettext(MANAGE_ONLY))
    attendance = event.attendance_or_none or Attendance(event=event)
    # Stored with the history record, so in English (views.events names them on the page).
    reason = gettext_noop("Recorded") if attendance.pk is None else gettext_noop("Corrected")
    now = timezone.now()
    form = AttendanceForm(request.POST or None, instance=attendance, event=event, now=now)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            form.instance.recorded_by = request.user
            try:
                saved = form.save_edit(reason=reason)
            except StaleEdit:
                # Someone corrected the figures since the page was loaded, or recorded the first
                # ones at the same moment (the one-to-one keeps theirs): this input again,
                # against what they saved.
                form = form.against(Attendance.objects.get(event=event), gettext(STALE_MESSAGE))
                status = 409
            else:
                message = ngettext(
                    "Attendance saved: %(total)s participant.",
                    "Attendance saved: %(total)s participants.",
                    saved.total,
                )
                messages.success(request, message % {"total": saved.total})
                return redirect(event.get_absolute_url() + "#attendance-heading")
    return render(
        request,
        "events/attendance_form.html",
        {
            "project": access.project,
            "access": access,
            "section": "events",
            "event": event,
            "form": form,
            "has_started": event.has_started(now),
        },
        status=status,
    )
