"""Page-number pagination for API lists: {"items": [...], "count": N, "next": url|null}."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Schema

T = TypeVar("T")


class Page(Schema, Generic[T]):
    items: list[T]
    count: int
    next: str | None


def paginate(
    request: HttpRequest,
    queryset: QuerySet | list,
    *,
    page: int,
    page_size: int | None,
    counted: QuerySet | None = None,
) -> dict[str, Any]:
    """Slice `queryset` for `page` (1-based); `page_size` defaults to API_PAGE_SIZE, max 200.

    `counted`, when given, is what the COUNT runs on: the same rows without what only the page
    needs (joins for the columns shown), which can make the count several times cheaper."""
    counting: Any = queryset if counted is None else counted
    page, size = page_bounds(page, page_size)  # a negative slice of a QuerySet raises instead of answering
    start = (page - 1) * size
    if not isinstance(queryset, QuerySet):
        count = len(queryset)
        items = list(queryset[start : start + size])
    elif start == 0:
        # The first page is fetched first: when it is not full it holds every match, and the
        # COUNT (the dearer query of a filtered list) is not needed.
        items = list(queryset[:size])
        count = len(items) if len(items) < size else counting.count()
    else:
        # Past the end there is nothing to fetch; asking anyway would hand the database an
        # OFFSET it may not even represent (SQLite's is 64-bit: ?page=10**20 used to be a 500).
        count = counting.count()
        items = list(queryset[start : start + size]) if start < count else []
    return {"items": items, "count": count, "next": next_url(request, page, size) if start + size < count else None}


def page_bounds(page: int, page_size: int | None) -> tuple[int, int]:
    """(page, size) as `paginate` reads them: page from 1, size defaulted and capped."""
    return max(1, page), max(1, min(page_size or settings.API_PAGE_SIZE, settings.API_MAX_PAGE_SIZE))


def next_url(request: HttpRequest, page: int, size: int) -> str:
    """The address of the page after `page`, the request's other parameters kept."""
    params = request.GET.copy()
    params["page"] = str(page + 1)
    params["page_size"] = str(size)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
