from django.contrib import admin

from coresp.admin_a11y import TabularInline
from procurement.models import (
    ClauseOutcome,
    Contract,
    GoodPractice,
    LocalActionPlan,
    Lot,
    PlanAction,
    SocialClause,
    Tender,
)
from projects.admin import VersionedAdmin


class LotInline(TabularInline):
    model = Lot
    extra = 0


class SocialClauseInline(admin.StackedInline):
    model = SocialClause
    extra = 0


@admin.register(Tender)
class TenderAdmin(VersionedAdmin):
    list_display = ["reference", "title", "project", "authority", "procedure", "status"]
    list_filter = ["project", "status", "procedure"]
    search_fields = ["reference", "title", "authority__short_name"]
    inlines = [LotInline, SocialClauseInline]


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["lot", "supplier", "supplier_type", "awarded_value", "start_date"]
    list_filter = ["supplier_type"]


@admin.register(ClauseOutcome)
class ClauseOutcomeAdmin(VersionedAdmin):
    list_display = ["clause", "period", "achieved", "headcount", "status"]
    list_filter = ["status"]


class PlanActionInline(TabularInline):
    model = PlanAction
    extra = 0


@admin.register(LocalActionPlan)
class LocalActionPlanAdmin(VersionedAdmin):
    list_display = ["title", "project", "partner", "adopted_on"]
    inlines = [PlanActionInline]


@admin.register(GoodPractice)
class GoodPracticeAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "country", "stage"]
    list_filter = ["project", "stage"]
    search_fields = ["title", "contracting_authority"]
