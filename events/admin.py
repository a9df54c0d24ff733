"""Django admin for events, their parts and the calendar feeds.

Files are not uploaded here: materials' files go through the event page, where projects.files
checks them; the admin shows them and can remove them. Choices of partners and work packages are
limited to the event's project, and every changelist selects its related rows up front. Events
and their attendance are saved through the versioned-edit door, as on the platform (see
projects/admin.py).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import ForeignKey, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from coresp.admin_a11y import TabularInline
from events.forms import ChecksTheTime
from events.models import AgendaItem, Attendance, CalendarFeed, Event, Material, Outcome
from projects.admin import (
    InlineBase,
    VersionedAdmin,
    VersionedAdminForm,
    VersionedInlineForm,
    VersionedInlineFormSet,
)
from projects.models import Partner, WorkPackage


def _event_project_id(request: HttpRequest) -> int | None:
    """The project of the event on the admin change page in the request, if it is one."""
    match = request.resolver_match
    object_id = match.kwargs.get("object_id") if match else None
    if not object_id or not str(object_id).isdigit():
        return None
    return Event.objects.filter(pk=object_id).values_list("project_id", flat=True).first()


class EventPartnerChoices(InlineBase):
    """Partner and work package fields of an event's inlines list that project's only."""

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField | None:
        if db_field.related_model in (Partner, WorkPackage):
            project_id = _event_project_id(request)
            if project_id is not None and db_field.related_model is Partner:
                kwargs["queryset"] = Partner.objects.filter(project_id=project_id).select_related(
                    "organisation"
                )
            elif project_id is not None:
                kwargs["queryset"] = WorkPackage.objects.filter(project_id=project_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AgendaItemInline(TabularInline):
    model = AgendaItem
    fields = ("starts_at", "title", "session_type", "speakers")
    extra = 0


class MaterialInline(TabularInline):
    model = Material
    fields = ("kind", "title", "url", "original_name", "size", "added_by", "added_at")
    readonly_fields = ("original_name", "size", "added_by", "added_at")
    extra = 0
    can_delete = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # files need the upload checks of the event page

    def get_queryset(self, request: HttpRequest) -> QuerySet[Material]:
        return super().get_queryset(request).select_related("added_by")


class OutcomeInline(EventPartnerChoices, TabularInline):
    model = Outcome
    fields = ("kind", "text", "owner", "due_date", "is_done")
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Outcome]:
        return super().get_queryset(request).select_related("owner__organisation")


class AttendanceInlineForm(ChecksTheTime, VersionedInlineForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, now=timezone.now(), **kwargs)  # the request is the edge


class AttendanceInline(admin.StackedInline):
    model = Attendance
    form = AttendanceInlineForm
    formset = VersionedInlineFormSet
    fields = (
        ("total", "in_person", "online"),
        tuple(Attendance.STAKEHOLDER_FIELDS),
        tuple(Attendance.GENDER_FIELDS),
        "by_country",
        "recorded_by",
        "version",
    )
    readonly_fields = ("recorded_by",)
    extra = 0
    max_num = 1


class EventAdminForm(ChecksTheTime, VersionedAdminForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, now=timezone.now(), **kwargs)  # the request is the edge


@admin.register(Event)
class EventAdmin(EventPartnerChoices, VersionedAdmin):
    form = EventAdminForm
    list_display = ("title", "project", "kind", "starts_at", "city", "organiser", "status")
    list_filter = ("kind", "status", "format", "project")
    search_fields = ("title", "city", "venue")
    list_select_related = ("project", "organiser__organisation")
    date_hierarchy = "starts_at"
    readonly_fields = ("uid",)
    inlines = (AgendaItemInline, AttendanceInline, OutcomeInline, MaterialInline)
    fieldsets = (
        (None, {"fields": ("project", "kind", "title", "format", "status", "description")}),
        (
            _("When and where"),
            {
                "fields": ("starts_at", "ends_at", "time_zone", "venue", "city", "country"),
                "description": _(
                    "Times here are in the site's zone; the event's pages show them in the "
                    "event's own zone."
                ),
            },
        ),
        (
            _("Who and links"),
            {"fields": ("organiser", "work_package", "registration_url", "recording_url", "uid")},
        ),
    )


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ("user", "created_at")
    search_fields = ("user__email",)
    list_select_related = ("user",)
    fields = ("user", "created_at")
    readonly_fields = ("user", "created_at")
    actions = ("revoke",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # people create their own address

    @admin.action(description=_("Revoke (the old address stops working)"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[CalendarFeed]) -> None:
        now = timezone.now()
        for feed in queryset:
            feed.revoke(now=now)
        count = queryset.count()
        message = ngettext(
            "%(count)s calendar address replaced.",
            "%(count)s calendar addresses replaced.",
            count,
        )
        messages.success(request, message % {"count": count})
