"""A person's inbox: what happened in their projects that concerns them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.http import AuthenticatedRequest
from projects.filters import NotificationFilter
from projects.models import Notification, Project
from projects.paging import paginate
from projects.permissions import access_notification

PAGE_SIZE = 25


@login_required
@require_GET
def notification_list(request: AuthenticatedRequest) -> HttpResponse:
    mine = Notification.objects.for_reader(request.user)
    projects = Project.objects.filter(
        memberships__user=request.user, memberships__is_active=True
    ).order_by("acronym")
    notifications = NotificationFilter(
        request.GET,
        queryset=mine.select_related("project", "actor"),
        projects=projects,
    )
    page, query = paginate(request, notifications.qs, PAGE_SIZE)
    return render(
        request,
        "projects/notification_list.html",
        {
            "filter": notifications,
            "page_obj": page,
            "query": query,
            "unread": mine.unread().count(),
            "filtered": any(request.GET.get(name) for name in notifications.form.fields),
        },
    )


@login_required
@require_GET
def notification_count(request: AuthenticatedRequest) -> HttpResponse:
    """The navigation's inbox link with its unread count: loaded and refreshed by htmx, so
    pages do not pay for it and the count rises without a reload."""
    unread = Notification.objects.for_reader(request.user).unread().count()
    response = render(request, "projects/includes/notification_link.html", {"unread": unread})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def notification_open(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Mark one notification read and go to the record it is about."""
    notification = access_notification(request.user, pk)
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
    # The link was made by the platform; checked all the same, so no stored value can send
    # a reader off the site.
    if url_has_allowed_host_and_scheme(notification.link, allowed_hosts={request.get_host()}):
        return redirect(notification.link)
    return redirect("projects:notification_list")


@login_required
@require_POST
def notification_read_all(request: AuthenticatedRequest) -> HttpResponse:
    marked = Notification.objects.for_reader(request.user).unread().update(read_at=timezone.now())
    if marked:
        messages.success(
            request,
            ngettext(
                "%(count)d notification marked read.",
                "%(count)d notifications marked read.",
                marked,
            )
            % {"count": marked},
        )
    else:
        messages.info(request, gettext("Nothing was unread."))
    return redirect("projects:notification_list")
