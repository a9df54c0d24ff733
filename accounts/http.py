"""Typing for views behind @login_required: their request's user is a real User, and htmx's
details are there (HtmxMiddleware)."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from accounts.models import User


class AuthenticatedRequest(HttpRequest):
    user: User
    htmx: HtmxDetails  # set by django_htmx.middleware.HtmxMiddleware on every request
