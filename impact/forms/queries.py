"""The forms of the query workflow: the record a new query is about (from the link that opens the
form), raising it, answering it, and closing it.

A query may be about a record of one of the types in SUBJECTS, of the project the URL names; the
link that raises one (`query_create_url`) names it as ?subject_type=<app_label.model>&subject_id=
<pk>, with the check whose finding it is and the partner to assign it to, if known. The rules of
the workflow itself (who may, what a closed query refuses, an acceptance needs a reason) are
DataQuery.answer()'s and close()'s, and impact/permissions.py's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from events.models import Attendance, Event
from impact.models import DataQuery, IndicatorValue, QueryMessage
from procurement.models import ClauseOutcome, Tender
from projects.history import record_history
from projects.models import Deliverable, Partner, Project, Risk

# --- what a query may be about ----------------------------------------------------------------


@dataclass(frozen=True)
class SubjectType:
    """A kind of record a query may be about: how to find the project's records of the kind
    (with what their name and link need, in the same query), who answers for one by default,
    and the page that shows it."""

    rows: Callable[[Project], models.QuerySet[Any]]
    partner: Callable[[Any], Partner | None]
    url: Callable[[Any, Project], str]
    label: Callable[[Any], str] = str


def _value_url(value: IndicatorValue, project: Project) -> str:
    args = [project.slug, value.partner.number, value.period.number]
    return reverse("impact:value_entry", args=args) + f"#value-{value.pk}"


def _outcome_url(outcome: ClauseOutcome, project: Project) -> str:
    args = [project.slug, outcome.clause.tender_id]
    return reverse("procurement:tender_detail", args=args) + "#outcomes-heading"


def _outcome_label(outcome: ClauseOutcome) -> str:
    return f"{outcome.clause.tender.reference}: {outcome}"


# Keyed by the model's label (`record._meta.label_lower`), as the links name them.
SUBJECTS: dict[str, SubjectType] = {
    "impact.indicatorvalue": SubjectType(
        rows=lambda p: IndicatorValue.objects.filter(indicator__project=p).select_related(
            "indicator", "partner__organisation", "period"
        ),
        partner=lambda v: v.partner,
        url=_value_url,
    ),
    "procurement.clauseoutcome": SubjectType(
        rows=lambda p: ClauseOutcome.objects.filter(clause__tender__project=p).select_related(
            "clause__tender__recorded_by__organisation", "clause__lot", "period"
        ),
        partner=lambda o: o.clause.tender.recorded_by,
        url=_outcome_url,
        label=_outcome_label,
    ),
    "events.attendance": SubjectType(
        rows=lambda p: Attendance.objects.filter(event__project=p).select_related(
            "event__organiser__organisation"
        ),
        partner=lambda a: a.event.organiser,
        url=lambda a, p: (
            reverse("events:event_detail", args=[p.slug, a.event_id]) + "#attendance-heading"
        ),
    ),
    "events.event": SubjectType(
        rows=lambda p: Event.objects.filter(project=p).select_related("organiser__organisation"),
        partner=lambda e: e.organiser,
        url=lambda e, p: reverse("events:event_detail", args=[p.slug, e.pk]),
    ),
    "procurement.tender": SubjectType(
        rows=lambda p: Tender.objects.filter(project=p).select_related("recorded_by__organisation"),
        partner=lambda t: t.recorded_by,
        url=lambda t, p: reverse("procurement:tender_detail", args=[p.slug, t.pk]),
        label=lambda t: f"{t.reference}: {t.title}",
    ),
    "projects.deliverable": SubjectType(
        rows=lambda p: Deliverable.objects.filter(project=p).select_related("lead__organisation"),
        partner=lambda d: d.lead,
        url=lambda d, p: reverse("projects:deliverable_detail", args=[p.slug, d.number]),
    ),
    "projects.risk": SubjectType(
        rows=lambda p: Risk.objects.filter(project=p).select_related("owner__organisation"),
        partner=lambda r: r.owner,
        url=lambda r, p: reverse("projects:risk_detail", args=[p.slug, r.number]),
    ),
}


def subject_label(record: models.Model) -> str:
    """The label SUBJECTS and the links know a record's type by: "procurement.clauseoutcome"."""
    model = record._meta.concrete_model or type(record)
    return model._meta.label_lower


@dataclass(frozen=True)
class Subject:
    """One record a query is about, as a page shows it: its name, its kind, its page."""

    record: models.Model
    name: str
    kind: str  # the model's verbose name: "clause outcome"
    url: str
    partner: Partner | None  # who answers for it, unless the coordinator says otherwise


def find_subject(project: Project, label: str, pk: int) -> Subject | None:
    """The record `label` #`pk` of `project`, or None (an unknown type, or no such record in this
    project: another project's record is never found). One query."""
    kind = SUBJECTS.get(label)
    if kind is None:
        return None
    record = kind.rows(project).filter(pk=pk).first()
    if record is None:
        return None
    return Subject(
        record=record,
        name=kind.label(record),
        kind=str(record._meta.verbose_name),
        url=kind.url(record, project),
        partner=kind.partner(record),
    )


def query_create_url(
    project: Project,
    record: models.Model,
    *,
    check_code: str = "",
    partner: Partner | None = None,
) -> str:
    """The link that opens the form raising a query about `record` (the data-quality page's, for
    a finding: its check's code and the partner the finding names)."""
    params: dict[str, Any] = {"subject_type": subject_label(record), "subject_id": record.pk}
    if check_code:
        params["check"] = check_code
    if partner is not None:
        params["partner"] = partner.number
    return reverse("impact:query_create", args=[project.slug]) + "?" + urlencode(params)


class QuerySubjectForm(forms.Form):
    """The record a new query is about, as the link names it (the query string of both the form
    page and its POST). Not valid: no such record in this project, and the view answers 404."""

    subject_type = forms.CharField(max_length=100)
    subject_id = forms.IntegerField(min_value=1)
    check = forms.CharField(
        required=False,
        max_length=40,
        validators=[RegexValidator(r"^[A-Za-z0-9_.-]+$")],
    )
    partner = forms.IntegerField(required=False, min_value=1)

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        label, pk = data.get("subject_type"), data.get("subject_id")
        if label and pk:
            subject = find_subject(self.project, label, pk)
            if subject is None:
                # Never shown: the view answers 404, as for any record of another project.
                raise forms.ValidationError(gettext("No such record in this project."))
            data["subject"] = subject
        return data

    def query_string(self) -> str:
        """The valid query string again, for the form's POST (the subject is not a field)."""
        data = self.cleaned_data
        params: dict[str, Any] = {
            "subject_type": data["subject_type"],
            "subject_id": data["subject_id"],
        }
        if data.get("check"):
            params["check"] = data["check"]
        if data.get("partner"):
            params["partner"] = data["partner"]
        return urlencode(params)


# --- raising, answering and closing a query ----------------------------------------------------


class QueryRaiseForm(forms.ModelForm):
    """Raise a query about one record, assigned to a partner: the coordinator. Saving it records
    the question as the first message of its thread."""

    instance: DataQuery

    class Meta:
        model = DataQuery
        fields = ("assigned_to", "question")
        labels = {"assigned_to": _("Partner who answers")}
        help_texts = {
            "assigned_to": _("Their staff see the query on their dashboard and answer it."),
            "question": _(
                "Name the figure and what looks wrong, so the partner can check it against "
                "their records."
            ),
        }
        widgets = {"question": forms.Textarea(attrs={"rows": 5})}

    def __init__(
        self, *args: Any, project: Project, partner_number: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        partners = Partner.objects.filter(project=project).select_related("organisation")
        assigned_to = cast(forms.ModelChoiceField, self.fields["assigned_to"])
        assigned_to.queryset = partners.order_by("number")
        if not self.is_bound:
            # The partner the link names (a finding's), else the one that answers for the record.
            default = self.instance.assigned_to_id
            if partner_number is not None:
                named = partners.filter(number=partner_number).values_list("pk", flat=True)
                default = named.first() or default
            self.initial["assigned_to"] = default

    def raise_query(self, *, now: dt.datetime) -> DataQuery:
        """Save the query and its first message, the question, together."""
        query = self.instance
        with transaction.atomic():
            # History reasons are stored, so in English (translated where they are shown).
            record_history(query, gettext_noop("Raised"))
            query = self.save()
            QueryMessage.objects.create(
                query=query,
                author=query.raised_by,
                kind=QueryMessage.Kind.QUESTION,
                text=query.question,
                at=now,
            )
        return query


class QueryAnswerForm(forms.Form):
    """The assigned partner's answer (or the coordinator's, for them)."""

    # Not required here: the model says what is missing (DataQuery.answer).
    text = forms.CharField(
        required=False,
        label=_("Your answer"),
        help_text=_(
            "Explain the figure, or say what you corrected and where. The coordinator then "
            "resolves the query or accepts the figure as it is."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class QueryCloseForm(forms.Form):
    """Close a query: resolved (the figure is right now), or accepted as it is, with a reason."""

    RESOLVED, ACCEPTED = "resolved", "accepted"

    outcome = forms.ChoiceField(
        label=_("Close the query as"),
        choices=[
            (RESOLVED, _("Resolved: the figure is right now")),
            (ACCEPTED, _("Accepted as it is: the figure stands, for the reason below")),
        ],
        initial=RESOLVED,
        widget=forms.RadioSelect,
    )
    # Required for an acceptance only: the model says so (DataQuery.close).
    text = forms.CharField(
        required=False,
        label=_("Comment"),
        help_text=_("Required when the figure is accepted as it is: say why it stands."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    @property
    def is_acceptance(self) -> bool:
        return self.cleaned_data["outcome"] == self.ACCEPTED


def content_type_of(subject: Subject) -> ContentType:
    """The content type a query stores for its subject (cached by Django after the first)."""
    return ContentType.objects.get_for_model(subject.record)
