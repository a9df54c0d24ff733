"""Queries on figures: the coordinator raises one about a record (a check's finding, or their own
question), assigned to a partner; the partner answers (explains, or says what it corrected); the
coordinator closes it, resolved or accepted as it is with a reason. Each step adds a message to
the query's thread, with who and when.

Every member reads a query. A refused step shows the query's page again with the reason and the
posted form (422); nothing is saved.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from impact.forms.queries import (
    QueryAnswerForm,
    QueryCloseForm,
    QueryRaiseForm,
    QuerySubjectForm,
    Subject,
    content_type_of,
    find_subject,
)
from impact.models import DataQuery, QueryMessage
from impact.permissions import (
    access_query,
    can_answer_query,
    can_close_query,
    can_raise_query,
)
from impact.views.quality import forgets_checks
from projects.history import history_entries, record_history
from projects.permissions import Access, access_project

COORDINATOR_RAISES = gettext_noop("Only the coordinator raises queries.")
ASSIGNED_ANSWERS = gettext_noop(
    "Only the staff of the partner the query is assigned to, and the coordinator, answer it."
)
COORDINATOR_CLOSES = gettext_noop("Only the coordinator closes queries.")

# The badge each status wears (site.css); the status is always written out beside its colour.
STATUS_BADGES: dict[str, str] = {
    DataQuery.Status.OPEN: "badge-medium",
    DataQuery.Status.ANSWERED: "",
    DataQuery.Status.RESOLVED: "badge-ok",
    DataQuery.Status.ACCEPTED: "badge-ok",
}


def _base(access: Access) -> dict[str, Any]:
    return {
        "project": access.project,
        "access": access,
        "section": "impact",
        "subsection": "quality",
    }


@login_required
@require_http_methods(["GET", "POST"])
@forgets_checks
def query_create(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """Raise a query about one record of the project, named by the link's query string (GET the
    form, prefilled; POST it to the same address): the coordinator."""
    access = access_project(request.user, slug)
    access.require(can_raise_query(access), gettext(COORDINATOR_RAISES))
    about = QuerySubjectForm(request.GET, project=access.project)
    if not about.is_valid():
        raise Http404("No such record in this project.")
    subject: Subject = about.cleaned_data["subject"]
    query = DataQuery(
        project=access.project,
        subject_type=content_type_of(subject),
        subject_id=subject.record.pk,
        check_code=about.cleaned_data["check"],
        assigned_to=subject.partner,
        raised_by=request.user,
    )
    form = QueryRaiseForm(
        request.POST or None,
        instance=query,
        project=access.project,
        partner_number=about.cleaned_data["partner"],
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            query = form.raise_query(now=timezone.now())
            messages.success(
                request,
                gettext("%(query)s raised and assigned to %(partner)s.")
                % {"query": query, "partner": query.assigned_to},
            )
            return redirect(query)
        status = 422
    # Queries not yet closed on the same record: the coordinator may mean to add to one of them.
    unresolved = list(
        DataQuery.objects.filter(project=access.project)
        .about(subject.record)
        .unresolved()
        .order_by("raised_at", "pk")
    )
    return render(
        request,
        "impact/query_form.html",
        {
            **_base(access),
            "subject": subject,
            "check_code": about.cleaned_data["check"],
            "form": form,
            "action": reverse("impact:query_create", args=[slug]) + "?" + about.query_string(),
            "unresolved": unresolved,
        },
        status=status,
    )


def _subject_of(access: Access, query: DataQuery) -> Subject | None:
    """The record the query is about, with its name and page; None if it was deleted since."""
    label = f"{query.subject_type.app_label}.{query.subject_type.model}"
    return find_subject(access.project, label, query.subject_id)


def _detail_page(
    request: AuthenticatedRequest,
    access: Access,
    query: DataQuery,
    *,
    status: int = 200,
    refused: Form | None = None,
    **bound: Form,
) -> HttpResponse:
    """The query's page: its subject, thread and history, and the forms the viewer may use now
    (unbound, unless a refused step passes its posted form by name: answer_form=, close_form=)."""
    is_open = query.is_unresolved
    thread = list(
        QueryMessage.objects.filter(query=query).select_related("author").order_by("at", "pk")
    )
    context: dict[str, Any] = {
        **_base(access),
        "query": query,
        "subject": _subject_of(access, query),
        "thread": thread,
        "status_badge": STATUS_BADGES.get(query.status, ""),
        "can_answer": is_open and can_answer_query(access, query),
        "can_close": is_open and can_close_query(access),
        "answer_form": QueryAnswerForm(auto_id="query-answer-%s"),
        "close_form": QueryCloseForm(auto_id="query-close-%s"),
        "refused": refused,
        "history": history_entries(query),
    }
    context.update(bound)
    return render(request, "impact/query_detail.html", context, status=status)


@login_required
@require_GET
def query_detail(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    access, query = access_query(request.user, slug, pk)
    return _detail_page(request, access, query)


def _lock(query: DataQuery) -> None:
    """Read the query's status again under a row lock (inside the caller's transaction): an
    answer posted while the coordinator closes it must not reopen it as "answered"."""
    query.status = (
        DataQuery.objects.select_for_update().filter(pk=query.pk).values_list("status", flat=True)
    ).get()


@login_required
@require_POST
@forgets_checks
def query_answer(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Answer a query: the staff of the partner it is assigned to, and the coordinator."""
    access, query = access_query(request.user, slug, pk)
    access.require(can_answer_query(access, query), gettext(ASSIGNED_ANSWERS))
    form = QueryAnswerForm(request.POST, auto_id="query-answer-%s")
    if form.is_valid():
        try:
            with transaction.atomic():
                _lock(query)
                # History reasons are stored, so in English (translated where they are shown).
                record_history(query, gettext_noop("Answered"))
                query.answer(by=request.user, text=form.cleaned_data["text"], now=timezone.now())
        except ValidationError as error:
            form.add_error(None, error)  # "text" errors go to the text field
        else:
            messages.success(
                request,
                gettext("Your answer is sent. The coordinator will close the query."),
            )
            return redirect(query)
    return _detail_page(request, access, query, status=422, refused=form, answer_form=form)


@login_required
@require_POST
@forgets_checks
def query_close(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """Close a query, resolved or accepted as it is (with a reason): the coordinator."""
    access, query = access_query(request.user, slug, pk)
    access.require(can_close_query(access), gettext(COORDINATOR_CLOSES))
    form = QueryCloseForm(request.POST, auto_id="query-close-%s")
    if form.is_valid():
        accepted = form.is_acceptance
        try:
            with transaction.atomic():
                _lock(query)
                record_history(
                    query,
                    gettext_noop("Accepted as it is") if accepted else gettext_noop("Resolved"),
                )
                query.close(
                    by=request.user,
                    accepted=accepted,
                    text=form.cleaned_data["text"],
                    now=timezone.now(),
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if accepted:
                text = gettext("%(query)s closed: the figure is accepted as it is.")
            else:
                text = gettext("%(query)s resolved and closed.")
            messages.success(request, text % {"query": query})
            return redirect(query)
    return _detail_page(request, access, query, status=422, refused=form, close_form=form)
