"""Long lists come a page at a time, and their links keep the filters the reader chose."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest


def paginate(request: HttpRequest, rows: Any, per_page: int) -> tuple[Page, str]:
    """The page `?page=` asks for (the last one if it is past the end), and the query string
    without `page`, for includes/pagination.html to add the page number to."""
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()
