"""People: a user logs in with their email address; there are no usernames."""

import datetime as dt
from typing import Any, ClassVar, Self

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        # Without a password the account cannot log in until its owner sets one from an
        # invitation or reset link.
        user.set_password(password) if password else user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who uses the platform; their email address is their login."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    is_staff = models.BooleanField(
        _("staff status"), default=False, help_text=_("May log in to the admin site.")
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_(
            "Untick instead of deleting: an inactive person cannot log in, "
            "and their history stays attributed to them."
        ),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    invited_at = models.DateTimeField(_("invited at"), null=True, blank=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The language of the pages and emails; empty follows the browser."),
    )

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name or self.email

    @property
    def email_language(self) -> str:
        """The language their emails are written in: their choice, else the site's."""
        return self.language or settings.LANGUAGE_CODE

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class OutboxEmailQuerySet(models.QuerySet["OutboxEmail"]):
    def due(self, now: dt.datetime) -> Self:
        """Queued rows whose time has come and that no message is known to be carrying: a retry
        whose backoff is over, or a new row whose on-commit message has had OUTBOX_GRACE to
        arrive (the broker was down or lost it)."""
        Status = OutboxEmail.Status
        return self.filter(
            models.Q(attempts=0, next_attempt_at__lte=now - OutboxEmail.OUTBOX_GRACE)
            | models.Q(attempts__gt=0, next_attempt_at__lte=now),
            status=Status.QUEUED,
        )

    def stuck_sending(self, now: dt.datetime) -> Self:
        """Rows claimed for sending longer ago than any send can take: their worker died."""
        return self.filter(
            status=OutboxEmail.Status.SENDING,
            last_attempt_at__lt=now - OutboxEmail.STUCK_AFTER,
        )


class OutboxEmail(models.Model):
    """One email to one address, kept until it is sent (the outbox).

    Every email the platform sends is a row first, written in the transaction that caused it; a
    task sends it after commit and marks it sent once (a conditional UPDATE), retrying with backoff
    while the SMTP server is down; a periodic sweep re-sends rows whose message the broker lost.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )
    to_address = models.EmailField(_("to"))
    # What the email is about (e.g. "invitation", "password_reset", a notification's kind).
    kind = models.CharField(_("kind"), max_length=40, blank=True)
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    # A caller that must send a thing once (a reminder) names it; a second row with the same key
    # is never created (unique), whoever tries.
    key = models.CharField(_("key"), max_length=200, null=True, blank=True, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    objects = OutboxEmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")

    def __str__(self) -> str:
        return f"{self.to_address}: {self.subject}"

    # After this many attempts a row is failed and stays so until someone sends it again.
    MAX_ATTEMPTS = 10
    # A new row's own message normally arrives within a second of the commit; the sweep leaves
    # it alone this long so as not to send a second message for it.
    OUTBOX_GRACE = dt.timedelta(seconds=30)
    # Far longer than an SMTP send can take (the mailer's timeout is 20 s a step): a row still
    # "sending" after this was claimed by a worker that died.
    STUCK_AFTER = dt.timedelta(minutes=10)

    @staticmethod
    def backoff(attempts: int) -> dt.timedelta:
        """How long to wait after the `attempts`-th failed attempt: 1, 2, 4 ... minutes, at most
        an hour."""
        return dt.timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))

    def claim(self, now: dt.datetime) -> int | None:
        """Take the row for sending; returns this attempt's number, or None if it is sent,
        failed, being sent by someone else, or not due yet (a message that arrives during the
        backoff sends nothing).

        queued -> sending for exactly one caller (a conditional UPDATE): two workers given the
        same message, or a message delivered twice, send once. The attempt number is a fencing
        token for what the sender writes afterwards."""
        claimed = OutboxEmail.objects.filter(
            pk=self.pk, status=self.Status.QUEUED, next_attempt_at__lte=now
        ).update(
            status=self.Status.SENDING,
            attempts=models.F("attempts") + 1,
            last_attempt_at=now,
        )
        if not claimed:
            return None
        self.refresh_from_db()
        return self.attempts

    def mark_sent(self, attempt: int, now: dt.datetime) -> bool:
        """sending -> sent, once, by the claim that made `attempt`."""
        return bool(
            OutboxEmail.objects.filter(
                pk=self.pk, status=self.Status.SENDING, attempts=attempt
            ).update(status=self.Status.SENT, sent_at=now, last_error="")
        )

    def mark_attempt_failed(
        self, attempt: int, now: dt.datetime, error: str, *, permanent: bool = False
    ) -> Status | None:
        """sending -> queued again after the backoff, or -> failed after MAX_ATTEMPTS (or at
        once if the failure is `permanent`); returns the new status, None if the claim was
        lost (the sweep took the row back)."""
        if permanent or attempt >= self.MAX_ATTEMPTS:
            status, next_attempt_at = self.Status.FAILED, now
        else:
            status, next_attempt_at = self.Status.QUEUED, now + self.backoff(attempt)
        moved = OutboxEmail.objects.filter(
            pk=self.pk, status=self.Status.SENDING, attempts=attempt
        ).update(status=status, next_attempt_at=next_attempt_at, last_error=error[:2000])
        return status if moved else None

    def send_again(self, now: dt.datetime) -> bool:
        """failed -> queued, its attempts starting over (an admin's "send again")."""
        return bool(
            OutboxEmail.objects.filter(pk=self.pk, status=self.Status.FAILED).update(
                status=self.Status.QUEUED, attempts=0, next_attempt_at=now, last_error=""
            )
        )


class AppendOnlyQuerySet(models.QuerySet[Any]):
    """Rows that are written once and never changed or removed, even in bulk."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("The security log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The security log is append-only.")


class SecurityEvent(models.Model):
    """One line of the security log: who, what, when, from where. Append-only: a row is
    written by `accounts.security.record` and never changed or deleted (save and delete refuse)."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Signed in")
        LOGIN_FAILED = "login_failed", _("Failed sign-in")
        LOCKOUT = "lockout", _("Too many attempts")
        LOGOUT = "logout", _("Signed out")
        SESSION_EXPIRED = "session_expired", _("Session expired")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        PASSWORD_RESET = "password_reset", _("Password reset")
        MFA_ENABLED = "mfa_enabled", _("Second factor added")
        MFA_REMOVED = "mfa_removed", _("Second factor removed")
        MFA_RESET = "mfa_reset", _("Second factor reset by an administrator")
        MFA_FAILED = "mfa_failed", _("Wrong second-factor code")
        RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
        ROLE_CHANGED = "role_changed", _("Role changed")
        SENSITIVE_EXPORT = "sensitive_export", _("Export of sensitive data")

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    kind = models.CharField(_("what"), max_length=24, choices=Kind.choices)
    # The person it is about; their address is kept too (a failed sign-in may name no account).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    email = models.CharField(_("email address"), max_length=254, blank=True)
    # Who did it, when that is someone else (an administrator resetting a factor).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=200, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = models.Manager.from_queryset(AppendOnlyQuerySet)()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("security event")
        verbose_name_plural = _("security log")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.email}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("The security log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("The security log is append-only.")
