"""Who may do what in the procurement register, and the lookups that fetch and authorise in one
call (the rules of projects/permissions.py: outsiders get 404, a member who may only read gets
403 on a change).

Every member reads the register. A tender is kept by the partner that recorded it and by the
partners whose organisation is its contracting authority (the municipality's own staff); the
coordinator keeps everything and alone validates what partners report. A local action plan is its
partner's; a good practice is its recorder's; the coordinator may change both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.shortcuts import get_object_or_404

from procurement.models import (
    ClauseOutcome,
    GoodPractice,
    LocalActionPlan,
    Lot,
    OutcomeEvidence,
    PlanAction,
    SocialClause,
    Tender,
)
from projects.permissions import Access, access_project

if TYPE_CHECKING:
    from accounts.models import User


def can_record(access: Access) -> bool:
    """Record a tender, a local action plan or a good practice: partners and the coordinator."""
    return access.is_coordinator or access.is_partner


def can_change_tender(access: Access, tender: Tender) -> bool:
    """Edit a tender, its lots, clauses and contracts, and report its clauses' outcomes."""
    if access.is_coordinator:
        return True
    partner = access.membership.partner
    return (
        access.is_partner
        and partner is not None
        and (tender.recorded_by_id == partner.pk or tender.authority_id == partner.organisation_id)
    )


def tenders_kept_by(access: Access, prefix: str = "") -> Q:
    """can_change_tender as a condition on tenders (`prefix` "tender__" on clauses): the
    coordinator keeps all; a partner those it recorded and those of its own organisation's
    authority; anyone else none. tests/procurement/test_outcomes_panel.py checks the two agree."""
    if access.is_coordinator:
        return Q()
    partner = access.membership.partner
    if not access.is_partner or partner is None:
        return Q(pk__in=[])
    return Q(**{f"{prefix}recorded_by_id": partner.pk}) | Q(
        **{f"{prefix}authority_id": partner.organisation_id}
    )


def can_validate_outcome(access: Access) -> bool:
    """Validate (or send back) a submitted outcome: the coordinator checks the numbers."""
    return access.is_coordinator


def can_change_plan(access: Access, plan: LocalActionPlan) -> bool:
    return access.is_coordinator or (access.is_partner and plan.partner_id == access.partner_id)


def can_change_good_practice(access: Access, practice: GoodPractice) -> bool:
    return access.is_coordinator or (
        access.is_partner and practice.recorded_by_id == access.partner_id
    )


def access_tender(user: User, slug: str, pk: int) -> tuple[Access, Tender]:
    access = access_project(user, slug)
    tender = get_object_or_404(Tender.objects.for_lists(), project=access.project, pk=pk)
    tender.project = access.project
    return access, tender


def access_lot(user: User, slug: str, pk: int, number: int) -> tuple[Access, Lot]:
    access, tender = access_tender(user, slug, pk)
    lot = get_object_or_404(Lot, tender=tender, number=number)
    lot.tender = tender
    return access, lot


def access_clause(user: User, slug: str, pk: int, clause_pk: int) -> tuple[Access, SocialClause]:
    access, tender = access_tender(user, slug, pk)
    clause = get_object_or_404(
        SocialClause.objects.select_related("lot"), tender=tender, pk=clause_pk
    )
    clause.tender = tender
    return access, clause


def access_outcome(user: User, slug: str, pk: int, outcome_pk: int) -> tuple[Access, ClauseOutcome]:
    access, tender = access_tender(user, slug, pk)
    outcome = get_object_or_404(
        ClauseOutcome.objects.select_related("clause__lot", "period"),
        clause__tender=tender,
        pk=outcome_pk,
    )
    outcome.clause.tender = tender
    return access, outcome


def access_evidence(
    user: User, slug: str, pk: int, outcome_pk: int, evidence_pk: int
) -> tuple[Access, OutcomeEvidence]:
    access, outcome = access_outcome(user, slug, pk, outcome_pk)
    evidence = get_object_or_404(OutcomeEvidence, outcome=outcome, pk=evidence_pk)
    evidence.outcome = outcome
    return access, evidence


def access_action_plan(user: User, slug: str, pk: int) -> tuple[Access, LocalActionPlan]:
    access = access_project(user, slug)
    plan = get_object_or_404(
        LocalActionPlan.objects.select_related("partner__organisation", "adopted_at"),
        project=access.project,
        pk=pk,
    )
    plan.project = access.project
    return access, plan


def access_plan_action(user: User, slug: str, pk: int, number: int) -> tuple[Access, PlanAction]:
    access, plan = access_action_plan(user, slug, pk)
    action = get_object_or_404(PlanAction, plan=plan, number=number)
    action.plan = plan
    return access, action


def access_good_practice(user: User, slug: str, pk: int) -> tuple[Access, GoodPractice]:
    access = access_project(user, slug)
    practice = get_object_or_404(
        GoodPractice.objects.select_related("recorded_by__organisation", "found_at"),
        project=access.project,
        pk=pk,
    )
    practice.project = access.project
    return access, practice
