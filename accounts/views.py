"""The language switcher: the one page of accounts outside allauth and the admin."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from accounts.models import User


@require_POST
def language_choose(request: HttpRequest) -> HttpResponseBase:
    """Switch the language of the pages, for anyone: remembered in a cookie and, for a person
    who is signed in, on their account (so their emails and other devices follow).

    Django's set_language checks the code and the return address (only this site's).
    """
    response = set_language(request)
    language = request.POST.get("language", "")
    if language in dict(settings.LANGUAGES) and request.user.is_authenticated:
        User.objects.filter(pk=request.user.pk).update(language=language)
    return response
