from typing import Any

from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest
from django.utils import translation

from accounts.lockout import LockoutRecordingAdapter
from accounts.models import User
from accounts.outbox import send_email


class AccountAdapter(LockoutRecordingAdapter):
    """allauth, as the platform uses it; sign-in lockouts are recorded (LockoutRecordingAdapter)."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # People are invited by an administrator; nobody creates their own account.
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """allauth's emails (password reset, address confirmation, security notices) in the
        recipient's language, whoever asked for them: an unknown address gets the language of
        the page it was asked on. They go through the outbox, so a page that sends one answers
        at once even when the SMTP server is down; the email leaves when it is back."""
        user = context.get("user")
        if not isinstance(user, User):
            user = User.objects.filter(email__iexact=email).first()
        language = user.email_language if user else translation.get_language()
        request = allauth_context.request
        # What allauth's own send_mail puts in every email's context.
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        with translation.override(language):
            message = self.render_mail(template_prefix, email, ctx)
        text, html = str(message.body), ""
        if isinstance(message, EmailMultiAlternatives):
            html = next(
                (str(content) for content, kind in message.alternatives if kind == "text/html"),
                "",
            )
        elif message.content_subtype == "html":
            # allauth found only an HTML template: it is the body.
            text, html = "", text
        send_email(
            email,
            str(message.subject),
            text,
            html=html,
            user=user,
            kind=template_prefix.rsplit("/", 1)[-1],
            headers={name: str(value) for name, value in message.extra_headers.items()},
        )
