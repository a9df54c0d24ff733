from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from projects.models import Membership


@login_required
def home(request: HttpRequest) -> HttpResponse:
    memberships = list(
        Membership.objects.filter(user=request.user, is_active=True).select_related(
            "project", "partner__organisation"
        )
    )
    # Someone in one project lands straight in it.
    if len(memberships) == 1:
        return redirect(memberships[0].project)
    return render(request, "projects/home.html", {"memberships": memberships})
