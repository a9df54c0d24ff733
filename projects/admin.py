"""Django admin for the consortium and its plan.

Site admins set up organisations, projects, partners and memberships here, and import a project's
deliverable list from the grant agreement (ProjectAdmin.deliverable_import_view). Every changelist
selects its related rows up front, so its query count does not grow with the number of rows.
Partner choices inside a project's inlines are limited to that project's partners.

The admin goes through the same doors as the pages: a versioned row (deliverable, risk, event,
attendance) is saved with VersionedModel.save_edit, so an admin save moves its version and a stale
admin page is refused; a deliverable's status changes only through its transitions on the
platform (read-only here); a risk review added here goes through projects.workflows.review_risk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ForeignKey, QuerySet
from django.forms import BaseInlineFormSet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_noop, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import User
from coresp.admin_a11y import TabularInline
from projects.forms.versioned import VersionedModelForm, VersionField
from projects.imports import COLUMNS, MAX_FILE_SIZE, MAX_ROWS, ImportResult, import_deliverables
from projects.models import (
    Deliverable,
    DeliverableVersion,
    Membership,
    Milestone,
    Notification,
    Organisation,
    Partner,
    ProgressUpdate,
    Project,
    ReportingPeriod,
    Risk,
    RiskReview,
    StaleEdit,
    WorkPackage,
)
from projects.workflows import review_risk


def _admin_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the admin site lets only its staff in
    return user


def _object_id(request: HttpRequest) -> int | None:
    """The primary key in the admin change page's URL, if the request is for one."""
    match = request.resolver_match
    object_id = str(match.kwargs.get("object_id", "")) if match else ""
    return int(object_id) if object_id.isdigit() else None


# The versioned-edit door in the admin (used by events/admin.py too)

# Translated where it is shown (gettext), in the language of the person reading.
STALE_IN_ADMIN = gettext_noop(
    "Someone else saved this while you were editing it, so nothing on the page was saved. "
    "Here it is as it is now: make your changes again."
)


class RefusesStaleEdits(admin.ModelAdmin):
    """A change page whose saves go through VersionedModel.save_edit (its own row or an inline's):
    a stale save rolls the whole page back (the admin saves in one transaction) and comes back
    to the page as it is now, with a message."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleEdit:
            messages.error(request, gettext(STALE_IN_ADMIN))
            return redirect(request.get_full_path())


class VersionedAdminForm(VersionedModelForm):
    class Meta:
        # `version` is this form's own hidden field, not the model's (which is not editable):
        # excluded from the model's fields, so that the admin may list it in its fieldsets.
        exclude = ("version",)


class VersionedAdmin(RefusesStaleEdits, SimpleHistoryAdmin):
    """The admin of a VersionedModel: the change page carries the version it was loaded at
    (hidden) and saves through the door, with the many-to-many fields in the same history
    record."""

    form = VersionedAdminForm

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None and "version" not in flatten_fieldsets(fieldsets):
            name, options = fieldsets[-1]
            fieldsets[-1] = (name, {**options, "fields": (*options["fields"], "version")})
        return fieldsets

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # History reasons are stored, so in English.
        form.save_edit(
            reason=gettext_noop("Changed in the admin")
            if change
            else gettext_noop("Added in the admin")
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Not form.save_m2m(): the many-to-many fields were saved with the row, by save_edit.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


class VersionedInlineForm(VersionedAdminForm):
    """A row of an inline of a VersionedModel. The inline lists `version` for every row, so a
    new row keeps an empty one (it has nothing to be stale against)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.setdefault("version", VersionField(required=False))


class VersionedInlineFormSet(BaseInlineFormSet):
    """A changed row of the inline is saved through the door with the version its page showed;
    the parent's admin takes RefusesStaleEdits for a stale one."""

    def save_existing(self, form: Any, obj: Any, commit: bool = True) -> Any:
        if not commit:
            return super().save_existing(form, obj, commit=False)
        return form.save_edit(reason=gettext_noop("Changed in the admin"))


# Organisations and projects


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("short_name", "legal_name", "country", "kind", "pic")
    list_filter = ("kind", "country")
    search_fields = ("short_name", "legal_name", "pic")


class PartnerInline(TabularInline):
    model = Partner
    fields = ("number", "organisation", "role")
    autocomplete_fields = ("organisation",)
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Partner]:
        return super().get_queryset(request).select_related("organisation")


if TYPE_CHECKING:
    # What the choice mixins below are mixed into; at run time they stand alone.
    InlineBase = admin.options.InlineModelAdmin[Any, Any]
else:
    InlineBase = object


class ProjectPartnerChoices(InlineBase):
    """Limits an inline's Partner fields to the partners of the project on the page."""

    partner_fields: tuple[str, ...] = ("partner",)

    def project_partners(self, request: HttpRequest) -> QuerySet[Partner]:
        project_id = _object_id(request)
        if project_id is None:
            return Partner.objects.none()  # a new project has no partners yet
        return Partner.objects.filter(project_id=project_id).select_related("organisation")

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField | None:
        if db_field.name in self.partner_fields:
            kwargs["queryset"] = self.project_partners(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MembershipInline(ProjectPartnerChoices, TabularInline):
    model = Membership
    fields = ("user", "partner", "role", "is_active")
    autocomplete_fields = ("user",)
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return super().get_queryset(request).select_related("user", "partner__organisation")


class ReportingPeriodInline(TabularInline):
    model = ReportingPeriod
    fields = ("number", "start_month", "end_month", "report_due_date", "is_locked")
    extra = 0


class DeliverableImportForm(forms.Form):
    file = forms.FileField(
        label=_("Deliverable table"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Here rather than on the field: the limits go into the sentence in the reader's language.
        self.fields["file"].help_text = ngettext(
            "A CSV file (UTF-8, comma or semicolon separated) or an Excel workbook (.xlsx, first "
            "sheet), at most %(megabytes)s MB and %(rows)s row.",
            "A CSV file (UTF-8, comma or semicolon separated) or an Excel workbook (.xlsx, first "
            "sheet), at most %(megabytes)s MB and %(rows)s rows.",
            MAX_ROWS,
        ) % {
            "megabytes": MAX_FILE_SIZE // (1024 * 1024),
            "rows": number_format(MAX_ROWS, force_grouping=True),
        }


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = (
        "acronym",
        "title",
        "programme",
        "grant_agreement_number",
        "start_date",
        "duration_months",
        "end_date",
    )
    list_filter = ("programme",)
    search_fields = ("acronym", "title", "grant_agreement_number", "slug")
    prepopulated_fields = {"slug": ("acronym",)}
    inlines = (PartnerInline, MembershipInline, ReportingPeriodInline)

    @admin.display(description=_("end date"))
    def end_date(self, project: Project) -> Any:
        return project.end_date

    def get_urls(self) -> list[URLPattern]:
        # Before the default URLs: their "<path:object_id>/" catch-all would take this one.
        return [
            path(
                "<int:project_id>/import-deliverables/",
                self.admin_site.admin_view(self.deliverable_import_view),
                name="projects_project_deliverable_import",
            ),
            *super().get_urls(),
        ]

    @method_decorator(require_http_methods(["GET", "POST"]))
    def deliverable_import_view(self, request: HttpRequest, project_id: int) -> HttpResponse:
        """Upload the grant agreement's deliverable table: all rows are created, or none."""
        if not request.user.has_perm("projects.add_deliverable"):
            raise PermissionDenied
        project = self.get_object(request, str(project_id))
        if project is None:
            raise Http404("No such project.")
        result: ImportResult | None = None
        if request.method == "POST":
            form = DeliverableImportForm(request.POST, request.FILES)
        else:
            form = DeliverableImportForm()
        if form.is_bound and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = import_deliverables(project, upload, filename=upload.name)
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                if result.ok:
                    count = len(result.created)
                    self.message_user(
                        request,
                        ngettext(
                            "%(count)d deliverable imported from %(file)s.",
                            "%(count)d deliverables imported from %(file)s.",
                            count,
                        )
                        % {"count": count, "file": upload.name},
                        messages.SUCCESS,
                    )
                    return redirect("admin:projects_project_change", project.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import deliverables into %(project)s") % {"project": project},
            "subtitle": None,
            "opts": self.opts,
            "original": project,
            "form": form,
            "result": result,
            "columns": list(COLUMNS),
            "max_rows": MAX_ROWS,
        }
        status = 422 if request.method == "POST" else 200
        return TemplateResponse(
            request, "admin/projects/project/deliverable_import.html", context, status=status
        )


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("code", "organisation", "project", "role")
    list_display_links = ("code", "organisation")
    list_filter = ("role", "project")
    list_select_related = ("organisation", "project")
    search_fields = ("organisation__short_name", "organisation__legal_name", "project__acronym")
    autocomplete_fields = ("project", "organisation")
    ordering = ("project__acronym", "number")

    @admin.display(description=_("number"), ordering="number")
    def code(self, partner: Partner) -> str:
        return partner.code

    def get_queryset(self, request: HttpRequest) -> QuerySet[Partner]:
        # Partner.__str__ names the organisation: the autocomplete lists use this queryset too.
        return super().get_queryset(request).select_related("organisation", "project")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "project", "partner", "role", "is_active")
    list_filter = ("role", "is_active", "project")
    list_select_related = ("user", "project", "partner__organisation")
    search_fields = ("user__email", "user__full_name", "project__acronym")
    autocomplete_fields = ("user", "project", "partner")


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "project",
        "start_month",
        "end_month",
        "report_due_date",
        "is_locked",
    )
    list_filter = ("is_locked", "project")
    list_select_related = ("project",)
    search_fields = ("project__acronym",)
    autocomplete_fields = ("project",)


# Work packages and deliverables


class DeliverableInlineFormSet(VersionedInlineFormSet):
    def add_fields(self, form: forms.ModelForm, index: int | None) -> None:
        super().add_fields(form, index)
        # The inline has no project field: a new deliverable belongs to its work package's
        # project, and must know it before validation (due month range, duplicate numbers).
        if self.instance.project_id:
            form.instance.project = self.instance.project


class DeliverableInline(ProjectPartnerChoices, TabularInline):
    model = Deliverable
    form = VersionedInlineForm
    formset = DeliverableInlineFormSet
    fields = (
        "number", "title", "lead", "type", "dissemination", "due_month", "due_date", "version",
    )  # fmt: skip
    readonly_fields = ("due_date",)
    partner_fields = ("lead",)
    show_change_link = True
    extra = 0

    def project_partners(self, request: HttpRequest) -> QuerySet[Partner]:
        work_package_id = _object_id(request)
        if work_package_id is None:
            return Partner.objects.select_related("organisation")
        return Partner.objects.filter(project__work_packages=work_package_id).select_related(
            "organisation"
        )


@admin.register(WorkPackage)
class WorkPackageAdmin(RefusesStaleEdits):
    list_display = ("code", "title", "project", "lead", "start_month", "end_month")
    list_display_links = ("code", "title")
    list_filter = ("project",)
    list_select_related = ("project", "lead__organisation")
    search_fields = ("title", "project__acronym")
    autocomplete_fields = ("project", "lead")
    inlines = (DeliverableInline,)

    @admin.display(description=_("number"), ordering="number")
    def code(self, work_package: WorkPackage) -> str:
        return work_package.code

    def get_queryset(self, request: HttpRequest) -> QuerySet[WorkPackage]:
        # WorkPackage.__str__ is "WP2 title": no join needed for autocomplete labels, but the
        # change form's inline reads the project's duration once per deliverable.
        return super().get_queryset(request).select_related("project")


class DeliverableVersionInline(TabularInline):
    """Read-only: versions are uploaded through the platform, which hashes and checks them."""

    model = DeliverableVersion
    # No `file`: private storage gives files no URL; the platform's download view serves them.
    fields = ("original_name", "size_display", "note", "uploaded_by", "uploaded_at")
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("size"))
    def size_display(self, version: DeliverableVersion) -> str:
        return filesizeformat(version.size)

    def get_queryset(self, request: HttpRequest) -> QuerySet[DeliverableVersion]:
        return super().get_queryset(request).select_related("uploaded_by")


class ProgressUpdateInline(TabularInline):
    model = ProgressUpdate
    fields = ("date", "percent", "note", "author")
    autocomplete_fields = ("author",)
    extra = 0


@admin.register(Deliverable)
class DeliverableAdmin(VersionedAdmin):
    """The status and what its transitions record are read-only: they change on the platform,
    through Deliverable.start, submit_for_review, request_changes, approve, record_submission."""

    list_display = (
        "number",
        "title",
        "project",
        "work_package",
        "lead",
        "type",
        "dissemination",
        "due_month",
        "due_date",
        "status",
    )
    list_display_links = ("number", "title")
    list_filter = ("status", "type", "dissemination", "project")
    list_select_related = ("project", "work_package", "lead__organisation")
    search_fields = ("number", "title", "project__acronym")
    autocomplete_fields = ("project", "work_package", "lead")
    readonly_fields = (
        "due_date", "status", "submitted_date", "delay_justification", "review_comment",
        "created_at", "updated_at",
    )  # fmt: skip
    date_hierarchy = "due_date"
    fieldsets = (
        (
            None,
            {"fields": ("project", "work_package", "number", "title", "description", "lead")},
        ),
        (
            pgettext_lazy("admin section of a deliverable", "Classification"),
            {"fields": ("type", "dissemination")},
        ),
        (
            pgettext_lazy("admin section of a deliverable", "Schedule"),
            {"fields": ("due_month", "due_date")},
        ),
        (
            pgettext_lazy("admin section of a deliverable", "Status"),
            {
                "fields": (
                    "status",
                    "submitted_date",
                    "delay_justification",
                    "review_comment",
                    "created_at",
                    "updated_at",
                )
            },
        ),
    )
    inlines = (DeliverableVersionInline, ProgressUpdateInline)


@admin.register(DeliverableVersion)
class DeliverableVersionAdmin(admin.ModelAdmin):
    """Versions come from the platform's upload view; here they can be read, annotated, deleted."""

    list_display = ("original_name", "deliverable", "project", "size_display", "uploaded_by")
    list_filter = ("deliverable__project",)
    list_select_related = ("deliverable__project", "uploaded_by")
    search_fields = ("original_name", "deliverable__number", "deliverable__title", "sha256")
    fields = (
        "deliverable",
        "original_name",
        "content_type",
        "size_display",
        "sha256",
        "note",
        "uploaded_by",
        "uploaded_at",
    )
    readonly_fields = (
        "deliverable",
        "original_name",
        "content_type",
        "size_display",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    )
    date_hierarchy = "uploaded_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("project"), ordering="deliverable__project__acronym")
    def project(self, version: DeliverableVersion) -> Project:
        return version.deliverable.project

    @admin.display(description=_("size"), ordering="size")
    def size_display(self, version: DeliverableVersion) -> str:
        return filesizeformat(version.size)


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(admin.ModelAdmin):
    list_display = ("deliverable", "project", "date", "percent", "author")
    list_filter = ("deliverable__project",)
    list_select_related = ("deliverable__project", "author")
    search_fields = ("deliverable__number", "deliverable__title", "note")
    autocomplete_fields = ("deliverable", "author")
    readonly_fields = ("created_at",)
    date_hierarchy = "date"

    @admin.display(description=_("project"), ordering="deliverable__project__acronym")
    def project(self, update: ProgressUpdate) -> Project:
        return update.deliverable.project


# Milestones and risks


@admin.register(Milestone)
class MilestoneAdmin(SimpleHistoryAdmin):
    list_display = ("number", "title", "project", "due_month", "due_date", "achieved_date")
    list_display_links = ("number", "title")
    list_filter = (("achieved_date", admin.EmptyFieldListFilter), "project")
    list_select_related = ("project",)
    search_fields = ("number", "title", "project__acronym")
    autocomplete_fields = ("project", "work_packages")
    readonly_fields = ("due_date",)
    fields = (
        "project",
        "number",
        "title",
        "work_packages",
        "due_month",
        "due_date",
        "means_of_verification",
        "achieved_date",
        "achievement_note",
    )


class RiskReviewAdminForm(forms.ModelForm):
    def clean_review_date(self) -> Any:
        review_date = self.cleaned_data["review_date"]
        if review_date > timezone.localdate():
            raise ValidationError(gettext("The date is in the future."))
        return review_date


def _record_review(risk: Risk, review: forms.ModelForm, *, by: User) -> RiskReview:
    """A review typed in the admin, recorded as on the risk's page: the latest one sets the risk's
    scores and status (and moves its version)."""
    data = review.cleaned_data
    saved, _applied = review_risk(
        risk,
        by=by,
        review_date=data["review_date"],
        likelihood=data["likelihood"],
        impact=data["impact"],
        status=data["status"],
        note=data["note"],
    )
    return saved


class RiskReviewFormSet(BaseInlineFormSet):
    def __init__(self, *args: Any, by: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.by = by

    def save_new(self, form: Any, commit: bool = True) -> RiskReview:
        return _record_review(self.instance, form, by=self.by)


class RiskReviewInline(TabularInline):
    """Reviews are a dated log: added here (through review_risk), never changed or removed."""

    model = RiskReview
    form = RiskReviewAdminForm
    formset = RiskReviewFormSet
    fields = ("review_date", "likelihood", "impact", "status", "note", "reviewed_by")
    readonly_fields = ("reviewed_by",)
    can_delete = False
    extra = 0

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Risk)
class RiskAdmin(VersionedAdmin):
    """Likelihood, impact and status are set when the risk is raised; after that they change
    through reviews (the inline below), as on the risk's page."""

    list_display = (
        "code",
        "title",
        "project",
        "category",
        "likelihood",
        "impact",
        "score",
        "status",
        "owner",
    )
    list_display_links = ("code", "title")
    list_filter = ("status", "category", "likelihood", "impact", "project")
    list_select_related = ("project", "owner__organisation")
    search_fields = ("title", "description", "project__acronym")
    autocomplete_fields = ("project", "owner", "work_packages", "raised_by")
    readonly_fields = ("number", "created_at")
    fields = (
        "project",
        "number",
        "title",
        "description",
        "category",
        "work_packages",
        "likelihood",
        "impact",
        "mitigation",
        "owner",
        "status",
        "raised_by",
        "created_at",
    )
    inlines = (RiskReviewInline,)

    @admin.display(description=_("number"), ordering="number")
    def code(self, risk: Risk) -> str:
        return risk.code

    @admin.display(description=_("score"))
    def score(self, risk: Risk) -> int:
        return risk.score

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields if obj is None else (*fields, "likelihood", "impact", "status")

    def get_formset_kwargs(
        self, request: HttpRequest, obj: Any, inline: Any, prefix: str
    ) -> dict[str, Any]:
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, RiskReviewInline):
            kwargs["by"] = _admin_user(request)
        return kwargs


@admin.register(RiskReview)
class RiskReviewAdmin(admin.ModelAdmin):
    """Reviews are a dated log: one added here goes through review_risk, as on the risk's page;
    none is changed or removed."""

    form = RiskReviewAdminForm
    list_display = ("risk", "project", "review_date", "likelihood", "impact", "status")
    list_filter = ("status", "risk__project")
    list_select_related = ("risk__project",)
    search_fields = ("risk__title", "note", "risk__project__acronym")
    autocomplete_fields = ("risk",)
    fields = ("risk", "review_date", "likelihood", "impact", "status", "note", "reviewed_by")
    readonly_fields = ("reviewed_by", "created_at")
    date_hierarchy = "review_date"

    @admin.display(description=_("project"), ordering="risk__project__acronym")
    def project(self, review: RiskReview) -> Project:
        return review.risk.project

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = _record_review(obj.risk, form, by=_admin_user(request))
        obj.pk = saved.pk  # the admin goes on with `obj` (its log entry, the next page)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """What the platform told whom: made by the workflows, read here, never written by hand."""

    list_display = ("created_at", "recipient", "project", "kind", "subject", "read_at")
    list_filter = ("kind", "project", ("read_at", admin.EmptyFieldListFilter))
    list_select_related = ("recipient", "project")
    search_fields = ("recipient__email", "subject")
    date_hierarchy = "created_at"
    fields = (
        "recipient",
        "project",
        "kind",
        "subject",
        "link",
        "actor",
        "created_at",
        "read_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
