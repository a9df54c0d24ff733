"""Second factors (allauth.mfa): who must have one, and the page that says why."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class RequireMFAMiddleware:
    """Staff and coordinators enrol a second factor before using the site: a stub for now."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)
