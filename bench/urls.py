"""The platform's URLs plus /bench/ping: the cheapest authenticated page the same stack can
serve. It goes through every middleware, loads the session and the user (login_required), and
returns a few bytes: whatever a real page costs on top of it is the page's own work."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from coresp import urls as site_urls


@login_required
def ping(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"pong {request.user.pk}", content_type="text/plain")


urlpatterns = [
    path("bench/ping", ping, name="bench_ping"),
    path("", include(site_urls)),
]

handler400 = site_urls.handler400
handler403 = site_urls.handler403
handler404 = site_urls.handler404
handler500 = site_urls.handler500
