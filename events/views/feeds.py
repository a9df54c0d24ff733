"""Calendar files: one event as .ics, and each person's private feed of their projects' events.

The feed is read by calendar apps, which cannot log in: its address carries a secret token
instead of a session. A wrong or revoked token is a 404, the same answer as for an address that
never existed, so a guess learns nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import AuthenticatedRequest
from events.forms import CalendarFeedForm
from events.ics import calendar_bytes
from events.models import CalendarFeed, Event
from events.permissions import access_event


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def event_ics(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    _, event = access_event(request.user, slug, pk)
    body = calendar_bytes(
        [event],
        url_for=lambda e: request.build_absolute_uri(e.get_absolute_url()),
        now=timezone.now(),
        name=f"{event.project.acronym}: {event.title}",
    )
    return _ics_response(body, f"{event.project.acronym}-event-{event.pk}.ics")


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Every event of the projects the token's owner is an active member of. No session."""
    feed = CalendarFeed.objects.filter(token=token).select_related("user").first()
    if feed is None or not feed.user.is_active:
        raise Http404("No such calendar.")
    events = (
        Event.objects.visible_to(feed.user)
        .select_related("project", "organiser__organisation")
        .order_by("starts_at", "pk")
    )
    # The feed's links go to the site's own address: a calendar app's request may come through
    # anything, and the events' pages are behind a login there anyway.
    body = calendar_bytes(
        events,
        url_for=lambda e: settings.SITE_URL + e.get_absolute_url(),
        now=timezone.now(),
        name=gettext("CO-RESP platform events"),
    )
    response = _ics_response(body, "coresp-events.ics")
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def calendar_feed_settings(request: AuthenticatedRequest) -> HttpResponse:
    """See your private calendar address; create it, replace it (revoke) or stop it."""
    feed = CalendarFeed.objects.filter(user=request.user).first()
    if request.method == "POST":
        form = CalendarFeedForm(request.POST)
        if not form.is_valid():
            return render(
                request,
                "events/calendar_feed_settings.html",
                {"feed": feed, "feed_url": _feed_url(request, feed), "form": form},
                status=422,
            )
        action = form.cleaned_data["action"]
        if action == "create":
            feed = CalendarFeed.for_user(request.user)
            messages.success(
                request, gettext("Your calendar address is ready. Add it to your calendar app.")
            )
        elif action == "revoke" and feed is not None:
            feed.revoke(now=timezone.now())
            messages.success(
                request,
                gettext(
                    "The old address no longer works. Give your calendar app the new one below."
                ),
            )
        elif action == "stop" and feed is not None:
            feed.delete()
            messages.success(request, gettext("Your calendar address is switched off."))
        return redirect("events:calendar_feed_settings")
    return render(
        request,
        "events/calendar_feed_settings.html",
        {"feed": feed, "feed_url": _feed_url(request, feed)},
    )


def _feed_url(request: HttpRequest, feed: CalendarFeed | None) -> str:
    if feed is None:
        return ""
    return request.build_absolute_uri(reverse("events:calendar_feed", args=[feed.token]))
