"""Factory functions for the procurement register (tests/factories.py style: plain functions,
explicit deterministic defaults, every one saves and returns its row).

In the cast's project (tests/conftest.py) P3 "Voorbeeld" is a public authority: `make_tender`
defaults to a tender of that municipality, recorded by P3, so the `other_partner` fixture (P3's
staff) keeps it and the `partner` fixture (P2, CoopLab) only reads it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from procurement.models import (
    ClauseOutcome,
    Contract,
    GoodPractice,
    LocalActionPlan,
    Lot,
    PlanAction,
    Reservation,
    SocialClause,
    Tender,
)
from projects.models import Organisation, Partner, Project, ReportingPeriod

# Real CPV codes with their check digits: construction work; social work services.
CPV_CONSTRUCTION = "45000000-7"
CPV_SOCIAL_WORK = "85311000-2"
CPV_CLEANING = "90910000-9"


def make_tender(
    project: Project,
    *,
    recorded_by: Partner | None = None,
    authority: Organisation | None = None,
    reference: str | None = None,
    title: str | None = None,
    cpv_codes: list[str] | None = None,
    procedure: str = Tender.Procedure.OPEN,
    status: str = Tender.Status.PUBLISHED,
    publication_date: dt.date | None = dt.date(2023, 3, 1),
    estimated_value: Decimal | None = Decimal("120000.00"),
    lots: int = 1,
    **fields: Any,
) -> Tender:
    """A tender of P3's municipality (recorded by P3), with `lots` lots numbered from 1."""
    if recorded_by is None:
        recorded_by = project.partners.get(number=3)
    if authority is None:
        authority = recorded_by.organisation
    if reference is None:
        reference = f"T-{Tender.objects.filter(project=project).count() + 1:03d}"
    tender = Tender.objects.create(
        project=project,
        recorded_by=recorded_by,
        authority=authority,
        reference=reference,
        title=title or f"Cleaning of municipal buildings ({reference})",
        cpv_codes=cpv_codes if cpv_codes is not None else [CPV_CLEANING],
        procedure=procedure,
        status=status,
        publication_date=publication_date,
        estimated_value=estimated_value,
        **fields,
    )
    for number in range(1, lots + 1):
        make_lot(tender, number=number)
    return tender


def make_lot(
    tender: Tender,
    *,
    number: int | None = None,
    title: str | None = None,
    reservation: str = Reservation.NONE,
    **fields: Any,
) -> Lot:
    if number is None:
        number = tender.lots.count() + 1
    return Lot.objects.create(
        tender=tender,
        number=number,
        title=title or f"Lot {number}",
        reservation=reservation,
        **fields,
    )


def make_clause(
    tender: Tender,
    *,
    lot: Lot | None = None,
    stage: str = SocialClause.Stage.PERFORMANCE,
    category: str = SocialClause.Category.DISABILITY_EMPLOYMENT,
    description: str = "At least two persons with disabilities work on the contract.",
    target_quantity: Decimal | None = Decimal(2),
    target_unit: str = SocialClause.Unit.PERSONS,
    **fields: Any,
) -> SocialClause:
    return SocialClause.objects.create(
        tender=tender,
        lot=lot,
        stage=stage,
        category=category,
        description=description,
        target_quantity=target_quantity,
        target_unit=target_unit,
        **fields,
    )


def make_supplier(name: str = "Integra Valencia", **fields: Any) -> Organisation:
    return Organisation.objects.create(
        legal_name=fields.pop("legal_name", f"{name} S. Coop."),
        short_name=name,
        country=fields.pop("country", "ES"),
        kind=fields.pop("kind", Organisation.Kind.WISE),
        **fields,
    )


def make_contract(
    lot: Lot,
    *,
    supplier: Organisation | None = None,
    supplier_type: str = Contract.SupplierType.WISE,
    awarded_value: Decimal = Decimal("95000.00"),
    start_date: dt.date = dt.date(2023, 6, 1),
    end_date: dt.date | None = dt.date(2025, 5, 31),
    **fields: Any,
) -> Contract:
    return Contract.objects.create(
        lot=lot,
        supplier=supplier or make_supplier(),
        supplier_type=supplier_type,
        awarded_value=awarded_value,
        start_date=start_date,
        end_date=end_date,
        **fields,
    )


def make_period(
    project: Project, *, number: int = 1, start_month: int = 1, end_month: int = 9
) -> ReportingPeriod:
    """RP<number>, by default M1-M9: 1 October 2022 to 30 June 2023 in the cast's project."""
    return ReportingPeriod.objects.create(
        project=project, number=number, start_month=start_month, end_month=end_month
    )


def make_clause_outcome(
    clause: SocialClause,
    period: ReportingPeriod,
    *,
    achieved: Decimal = Decimal(2),
    headcount: int | None = 2,
    status: str = ClauseOutcome.Status.DRAFT,
    **fields: Any,
) -> ClauseOutcome:
    return ClauseOutcome.objects.create(
        clause=clause,
        period=period,
        achieved=achieved,
        headcount=headcount,
        status=status,
        **fields,
    )


def make_action_plan(
    project: Project,
    *,
    partner: Partner | None = None,
    title: str = "Local action plan for socially responsible procurement",
    **fields: Any,
) -> LocalActionPlan:
    return LocalActionPlan.objects.create(
        project=project,
        partner=partner or project.partners.get(number=3),
        title=title,
        **fields,
    )


def make_plan_action(
    plan: LocalActionPlan,
    *,
    number: int | None = None,
    what: str = "Reserve the cleaning contract for sheltered workshops.",
    responsible_body: str = "Procurement office",
    **fields: Any,
) -> PlanAction:
    if number is None:
        number = plan.actions.count() + 1
    return PlanAction.objects.create(
        plan=plan, number=number, what=what, responsible_body=responsible_body, **fields
    )


def make_good_practice(
    project: Project,
    *,
    recorded_by: Partner | None = None,
    title: str = "Reserved catering in Valencia's schools",
    **fields: Any,
) -> GoodPractice:
    return GoodPractice.objects.create(
        project=project,
        recorded_by=recorded_by or project.partners.get(number=2),
        title=title,
        country=fields.pop("country", "ES"),
        contracting_authority=fields.pop("contracting_authority", "Ajuntament de València"),
        sector=fields.pop("sector", "catering"),
        stage=fields.pop("stage", GoodPractice.Stage.TENDERING),
        instruments=fields.pop("instruments", [GoodPractice.Instrument.RESERVED_CONTRACT]),
        results=fields.pop("results", "Twelve jobs for persons with disabilities."),
        **fields,
    )
