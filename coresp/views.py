"""Views that belong to the site as a whole rather than to one app."""

import redis
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from coresp.uploads import UploadTooBig


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:  # any failure means "not answering", and is reported, not raised
        return f"error: {type(exc).__name__}"


def _broker_status() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    try:
        client = redis.Redis.from_url(
            settings.CELERY_BROKER_URL, socket_timeout=1, socket_connect_timeout=1
        )
        client.ping()
        client.close()
        return "ok"
    except Exception as exc:
        return f"error: {type(exc).__name__}"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    database, broker = _database_status(), _broker_status()
    healthy = database == "ok" and broker in {"ok", "in-process"}
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "database": database, "broker": broker},
        status=200 if healthy else 503,
    )


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        return request_too_large(request, exception)
    return render(request, "400.html", status=400)


def request_too_large(request: HttpRequest, exception: RequestDataTooBig) -> HttpResponse:
    """413 for a body over a limit: a file over MAX_UPLOAD_SIZE (coresp.uploads stopped reading
    it) or form fields over DATA_UPLOAD_MAX_MEMORY_SIZE (Django's own RequestDataTooBig)."""
    is_file = isinstance(exception, UploadTooBig)
    limit = (
        exception.limit
        if isinstance(exception, UploadTooBig)
        else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    )
    # An htmx request swaps in the message alone; a plain post gets the page in the site's frame.
    template = "413.html#message" if request.headers.get("HX-Request") else "413.html"
    return render(request, template, {"is_file": is_file, "limit": limit}, status=413)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "403.html", {"reason": str(exception) or ""}, status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors that touch the database: the error may be the database itself.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)
