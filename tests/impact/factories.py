"""Factory functions for indicators, values and queries (tests/factories.py style: plain
functions, explicit deterministic defaults, every one saves and returns its row)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from accounts.models import User
from impact.models import DataQuery, Indicator, IndicatorValue, QueryMessage
from projects.models import Partner, Project, ReportingPeriod


def make_indicator(
    project: Project,
    *,
    code: str | None = None,
    name: str | None = None,
    unit: str = Indicator.Unit.PERSONS,
    source: str = Indicator.Source.ENTERED,
    measure: str = "",
    target: Decimal | None = Decimal(20),
    reporting_partners: list[Partner] | None = None,
    **fields: Any,
) -> Indicator:
    """An entered indicator (KPI<n>) that P2 and P3 report, unless told otherwise."""
    if code is None:
        code = f"KPI{project.indicators.count() + 1}"
    indicator = Indicator.objects.create(
        project=project,
        code=code,
        name=name or f"Indicator {code}",
        definition=fields.pop("definition", "Persons who started work through a social clause."),
        unit=unit,
        source=source,
        measure=measure,
        target=target,
        **fields,
    )
    if source == Indicator.Source.ENTERED:
        if reporting_partners is None:
            reporting_partners = list(project.partners.filter(number__in=[2, 3]))
        indicator.reporting_partners.set(reporting_partners)
    return indicator


def make_value(
    indicator: Indicator,
    partner: Partner,
    period: ReportingPeriod,
    *,
    value: Decimal = Decimal(5),
    status: str = IndicatorValue.Status.DRAFT,
    **fields: Any,
) -> IndicatorValue:
    return IndicatorValue.objects.create(
        indicator=indicator, partner=partner, period=period, value=value, status=status, **fields
    )


def make_query(
    subject: models.Model,
    *,
    project: Project,
    assigned_to: Partner,
    raised_by: User | None = None,
    question: str = "The breakdown by gender does not add up: please check.",
    check_code: str = "",
    status: str = DataQuery.Status.OPEN,
) -> DataQuery:
    query = DataQuery.objects.create(
        project=project,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        check_code=check_code,
        question=question,
        assigned_to=assigned_to,
        raised_by=raised_by,
        status=status,
    )
    QueryMessage.objects.create(
        query=query, author=raised_by, kind=QueryMessage.Kind.QUESTION, text=question,
        at=timezone.now(),
    )  # fmt: skip
    return query
