"""The outbox in Django admin: every email the platform sent or is trying to send, read-only,
with "send again" for the failed ones. Imported by accounts/admin.py (admin autodiscovery
imports only that module)."""

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy, ngettext

from accounts import outbox
from accounts.models import OutboxEmail


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "to_address",
        "kind",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    )
    list_filter = ("status", "kind")
    search_fields = ("to_address", "subject")
    date_hierarchy = "created_at"
    list_select_related = False
    actions = ("send_again",)
    # The row is the record of what was sent: nobody edits it by hand.
    readonly_fields = tuple(
        field.name for field in OutboxEmail._meta.get_fields() if field.concrete
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OutboxEmail | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: OutboxEmail | None = None) -> bool:
        return False

    def has_send_again_permission(self, request: HttpRequest) -> bool:
        # Nobody edits a row, but whoever may change outgoing emails may queue one again.
        return request.user.has_perm("accounts.change_outboxemail")

    @admin.action(
        description=gettext_lazy("Send the selected failed emails again"),
        permissions=["send_again"],
    )
    def send_again(self, request: HttpRequest, queryset: QuerySet[OutboxEmail]) -> None:
        """Queue each failed email again (its attempts start over); other rows are left."""
        queued = 0
        with transaction.atomic():
            for email in queryset.filter(status=OutboxEmail.Status.FAILED):
                queued += outbox.send_again(email)
        skipped = queryset.count() - queued
        self.message_user(
            request,
            ngettext(
                "%(count)d email queued to be sent again.",
                "%(count)d emails queued to be sent again.",
                queued,
            )
            % {"count": queued},
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d email was not failed and was left as it is.",
                    "%(count)d emails were not failed and were left as they are.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )
