"""The register's summary page: the figures of procurement.summary for the whole project, one
partner or one reporting period, with two charts (server-drawn SVG, each with the same figures as
a table after it). Every member reads it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedRequest
from procurement.permissions import can_record
from procurement.summary import register_summary, targets_chart, tenders_chart
from projects.models import Partner, ReportingPeriod
from projects.permissions import access_project


class SummaryFilterForm(forms.Form):
    """?partner=<number>&period=<number>, chosen from the project's partners and periods (given,
    already fetched: checking a choice costs no query)."""

    partner = forms.TypedChoiceField(
        label=pgettext_lazy("summary filter", "Partner"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("The tenders it records and those of its own organisation."),
    )
    period = forms.TypedChoiceField(
        label=_("Reporting period"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Tenders published in it, and the outcomes reported for it."),
    )

    def __init__(
        self,
        data: Any,
        *,
        partners: Sequence[Partner],
        periods: Sequence[ReportingPeriod],
    ) -> None:
        super().__init__(data)
        partner_field = self.fields["partner"]
        period_field = self.fields["period"]
        assert isinstance(partner_field, forms.TypedChoiceField)
        assert isinstance(period_field, forms.TypedChoiceField)
        partner_field.choices = [("", gettext("All partners"))] + [
            (p.number, str(p)) for p in partners
        ]
        period_field.choices = [("", gettext("All periods"))] + [
            (p.number, str(p)) for p in periods
        ]


@login_required
@require_GET
def procurement_summary(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    access = access_project(request.user, slug)
    project = access.project
    # Nine queries whatever the register's size: session, user, member; the partners with their
    # organisations and the periods (the form's choices); the four of register_summary.
    partners = list(
        Partner.objects.filter(project=project).select_related("organisation").order_by("number")
    )
    periods = list(ReportingPeriod.objects.filter(project=project).order_by("number"))
    form = SummaryFilterForm(request.GET or None, partners=partners, periods=periods)
    context: dict[str, Any] = {
        "project": project,
        "access": access,
        "section": "procurement",
        "subsection": "summary",
        "form": form,
        "can_record": can_record(access),
        "summary": None,
    }
    if form.is_bound and not form.is_valid():
        return render(request, "procurement/summary.html", context, status=422)
    chosen = form.cleaned_data if form.is_bound else {}
    partner = next((p for p in partners if p.number == chosen.get("partner")), None)
    period = next((p for p in periods if p.number == chosen.get("period")), None)
    summary = register_summary(project, partner=partner, period=period)
    context.update(
        {
            "summary": summary,
            "selection": summary.selection,
            "targets_chart": targets_chart(summary.targets),
            "tenders_chart": tenders_chart(summary.tenders),
        }
    )
    return render(request, "procurement/summary.html", context)
