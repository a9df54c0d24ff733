"""Who may do what with indicators, values and queries, and the lookups that fetch and authorise
in one call (the rules of projects/permissions.py: outsiders get 404, a member who may only read
gets 403 on a change).

Every member reads the indicators, the figures, the data-quality page and the queries. The
coordinator defines the indicators, validates values, raises queries and closes them; a partner
enters its own organisation's values and answers the queries assigned to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.shortcuts import get_object_or_404

from impact.models import DataQuery, Indicator, IndicatorValue, ValueEvidence
from projects.models import Partner, ReportingPeriod
from projects.permissions import Access, access_project

if TYPE_CHECKING:
    from accounts.models import User


def can_define_indicators(access: Access) -> bool:
    return access.is_coordinator


def can_enter_values(access: Access, partner: Partner) -> bool:
    """Enter, edit and submit `partner`'s values: its own staff, and the coordinator."""
    return access.is_coordinator or (access.is_partner and access.partner_id == partner.pk)


def can_validate_value(access: Access) -> bool:
    return access.is_coordinator


def can_raise_query(access: Access) -> bool:
    return access.is_coordinator


def can_answer_query(access: Access, query: DataQuery) -> bool:
    return access.is_coordinator or (
        access.is_partner and access.partner_id == query.assigned_to_id
    )


def can_close_query(access: Access) -> bool:
    return access.is_coordinator


def access_indicator(user: User, slug: str, code: str) -> tuple[Access, Indicator]:
    access = access_project(user, slug)
    indicator = get_object_or_404(
        Indicator.objects.select_related("work_package", "responsible__organisation"),
        project=access.project,
        code=code,
    )
    indicator.project = access.project
    return access, indicator


def access_entry(
    user: User, slug: str, partner_number: int, period_number: int
) -> tuple[Access, Partner, ReportingPeriod]:
    """The entry page of one partner for one period."""
    access = access_project(user, slug)
    partner = get_object_or_404(
        Partner.objects.select_related("organisation"),
        project=access.project,
        number=partner_number,
    )
    period = get_object_or_404(ReportingPeriod, project=access.project, number=period_number)
    partner.project = period.project = access.project
    return access, partner, period


def access_value(user: User, slug: str, pk: int) -> tuple[Access, IndicatorValue]:
    access = access_project(user, slug)
    value = get_object_or_404(
        IndicatorValue.objects.select_related("indicator", "partner__organisation", "period"),
        indicator__project=access.project,
        pk=pk,
    )
    value.indicator.project = value.partner.project = value.period.project = access.project
    return access, value


def access_value_evidence(
    user: User, slug: str, pk: int, evidence_pk: int
) -> tuple[Access, ValueEvidence]:
    access, value = access_value(user, slug, pk)
    evidence = get_object_or_404(ValueEvidence, value=value, pk=evidence_pk)
    evidence.value = value
    return access, evidence


def access_query(user: User, slug: str, pk: int) -> tuple[Access, DataQuery]:
    access = access_project(user, slug)
    query = get_object_or_404(
        DataQuery.objects.select_related("assigned_to__organisation", "subject_type"),
        project=access.project,
        pk=pk,
    )
    query.project = access.project
    return access, query
