"""Django admin for the reports app.

Conference reports: read and corrected here by site admins, with their recommendations inline and
the change history of simple_history; saves go through the versioned-edit door like the
pages' (a stale save is refused). Publishing goes through the event page (the coordinator's
review), so the status is read-only here.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from coresp.admin_a11y import TabularInline
from projects.admin import VersionedAdmin
from reports.models import ConferenceReport, Recommendation


class RecommendationInline(TabularInline):
    model = Recommendation
    fields = ("position", "text", "audience")
    extra = 0


@admin.register(ConferenceReport)
class ConferenceReportAdmin(VersionedAdmin):
    list_display = ("event", "author", "status", "published_at", "updated_at")
    list_filter = ("status", "event__kind", "event__project")
    search_fields = ("event__title", "summary")
    list_select_related = ("event", "author__organisation")
    readonly_fields = ("event", "author", "status", "published_at", "review_comment")
    fields = (
        "event", "author", "status", "published_at", "review_comment", "summary",
        "key_messages", "success_stories", "challenges", "lessons_learned", "next_steps",
    )  # fmt: skip
    inlines = (RecommendationInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a report is written from its event's page

    def get_queryset(self, request: HttpRequest) -> QuerySet[ConferenceReport]:
        return super().get_queryset(request).select_related("event", "author__organisation")
