"""The pages of accounts outside allauth and the admin: a person's own account page, and the
language switcher."""

from __future__ import annotations

from typing import Literal, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language

from accounts.forms import AccountForm
from accounts.mfa import has_second_factor
from accounts.models import User

# The language cookie as Django's own switcher sets it (settings.LANGUAGE_COOKIE_*).
SAMESITE = cast(Literal["Lax", "Strict", "None"], settings.LANGUAGE_COOKIE_SAMESITE)


@login_required
@require_http_methods(["GET", "POST"])
def account_settings(request: HttpRequest) -> HttpResponse:
    """A person's own account: their name and language, the way to their password and to their
    second factors. Only
    ever their own (the account is the signed-in user), so there is nothing else to check."""
    user = request.user
    assert isinstance(user, User)
    form = AccountForm(request.POST or None, instance=user)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            # The page that answers is in the language just chosen (or the browser's again).
            language = user.language or translation.get_language_from_request(request)
            translation.activate(language)
            messages.success(request, gettext("Your account is saved."))
            response = redirect("account_settings")
            if user.language:
                response.set_cookie(
                    settings.LANGUAGE_COOKIE_NAME,
                    user.language,
                    max_age=settings.LANGUAGE_COOKIE_AGE,
                    samesite=SAMESITE,
                    secure=settings.LANGUAGE_COOKIE_SECURE,
                    httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                )
            else:  # back to the browser's: the switcher's cookie would hold the old choice
                response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, samesite=SAMESITE)
            return response
        context = {"form": form, "has_second_factor": has_second_factor(user)}
        return render(request, "accounts/account_settings.html", context, status=422)
    context = {"form": form, "has_second_factor": has_second_factor(user)}
    return render(request, "accounts/account_settings.html", context)


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
