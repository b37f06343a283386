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


def paginate(request: HttpRequest, queryset: QuerySet | list, *, page: int, page_size: int | None) -> dict[str, Any]:
    """Slice `queryset` for `page` (1-based); `page_size` defaults to API_PAGE_SIZE, max 200."""
    size = max(1, min(page_size or settings.API_PAGE_SIZE, settings.API_MAX_PAGE_SIZE))
    page = max(1, page)  # a negative slice of a QuerySet raises instead of answering
    count = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
    start = (page - 1) * size
    # Past the end there is nothing to fetch; asking anyway would hand the database an
    # OFFSET it may not even represent (SQLite's is 64-bit: ?page=10**20 used to be a 500).
    items = list(queryset[start : start + size]) if start < count else []
    has_next = start + size < count
    next_url = None
    if has_next:
        params = request.GET.copy()
        params["page"] = str(page + 1)
        params["page_size"] = str(size)
        next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
    return {"items": items, "count": count, "next": next_url}
