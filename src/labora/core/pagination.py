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
    size = min(page_size or settings.API_PAGE_SIZE, settings.API_MAX_PAGE_SIZE)
    count = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
    start = (page - 1) * size
    items = list(queryset[start : start + size])
    has_next = start + size < count
    next_url = None
    if has_next:
        params = request.GET.copy()
        params["page"] = str(page + 1)
        params["page_size"] = str(size)
        next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
    return {"items": items, "count": count, "next": next_url}
