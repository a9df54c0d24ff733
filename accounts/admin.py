from typing import cast

from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

# Connects the MFA receivers at start-up (admin modules are autodiscovered in ready()), until
# The outbox's admin lives beside the outbox; importing it registers it.
import accounts.admin_outbox  # noqa: F401
from accounts.forms import UserCreationForm
from accounts.models import SecurityEvent, User
from accounts.security import record
from accounts.workflows import invite_user


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    add_form = UserCreationForm
    ordering = ("email",)
    list_display = ("email", "full_name", "is_active", "is_staff", "last_login", "invited_at")
    list_filter = ("is_active", "is_staff", "is_superuser", "groups")
    search_fields = ("email", "full_name")
    readonly_fields = ("last_login", "date_joined", "invited_at")
    actions = ("send_invitation", "activate", "deactivate", "reset_second_factor")
    fieldsets = (
        (None, {"fields": ("email", "full_name", "language", "password")}),
        (gettext_lazy("Access"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (gettext_lazy("Dates"), {"fields": ("invited_at", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "send_invitation"),
                "description": gettext_lazy(
                    "The person chooses their own password from the invitation link."
                ),
            },
        ),
    )

    def save_model(
        self, request: HttpRequest, obj: User, form: forms.ModelForm, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        if not change and form.cleaned_data.get("send_invitation"):
            invite_user(obj, invited_by=cast(User, request.user))
            self.message_user(
                request,
                _("Invitation emailed to %(email)s.") % {"email": obj.email},
                messages.SUCCESS,
            )

    @admin.action(description=gettext_lazy("Email an invitation (a link to set a password)"))
    def send_invitation(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        active = queryset.filter(is_active=True)
        for user in active:
            invite_user(user, invited_by=cast(User, request.user))  # the admin is signed in
        invited = active.count()
        self.message_user(
            request,
            ngettext(
                "Invitation emailed to %(count)d person.",
                "Invitations emailed to %(count)d people.",
                invited,
            )
            % {"count": invited},
        )
        if skipped := queryset.count() - active.count():
            self.message_user(
                request,
                ngettext(
                    "%(count)d inactive person was not invited.",
                    "%(count)d inactive people were not invited.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    @admin.action(description=gettext_lazy("Activate selected people"))
    def activate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        count = queryset.update(is_active=True)
        self.message_user(
            request,
            ngettext("%(count)d person activated.", "%(count)d people activated.", count)
            % {"count": count},
        )

    @admin.action(
        description=gettext_lazy("Deactivate selected people (they can no longer log in)")
    )
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        me = request.user.pk or 0
        count = queryset.exclude(pk=me).update(is_active=False)
        self.message_user(
            request,
            ngettext("%(count)d person deactivated.", "%(count)d people deactivated.", count)
            % {"count": count},
        )
        if queryset.filter(pk=me).exists():
            self.message_user(request, _("You cannot deactivate yourself."), messages.WARNING)

    @admin.action(
        description=gettext_lazy(
            "Reset the second factor of selected people (for a lost phone or key)"
        )
    )
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        """Delete every authenticator (app, keys, recovery codes) of each person, one security
        log line each. Someone who must use a second factor enrols again at their next sign-in."""
        admin_user = cast(User, request.user)
        reset = 0
        for user in queryset.filter(authenticator__isnull=False).distinct():
            deleted = Authenticator.objects.filter(user=user).delete()[0]
            record(
                SecurityEvent.Kind.MFA_RESET,
                user=user,
                actor=admin_user,
                request=request,
                removed=deleted,
            )
            reset += 1
        self.message_user(
            request,
            ngettext(
                "The second factor of %(count)d person was reset.",
                "The second factors of %(count)d people were reset.",
                reset,
            )
            % {"count": reset},
        )


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    """The security log, for site administrators to read; nobody adds, changes or deletes."""

    list_display = ("created_at", "kind", "email", "actor", "ip_address")
    list_filter = ("kind",)
    search_fields = ("email", "ip_address")
    date_hierarchy = "created_at"
    list_select_related = ("actor",)
    readonly_fields = (
        "created_at",
        "kind",
        "user",
        "email",
        "actor",
        "ip_address",
        "user_agent",
        "detail",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)
