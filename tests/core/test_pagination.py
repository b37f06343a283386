"""API lists: {"items", "count", "next"}, page numbers from 1, page_size capped at 200."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.test import RequestFactory

from labora.accounts.models import User
from labora.core.pagination import paginate
from tests import factories


def _request(query: str = "") -> Any:
    return RequestFactory().get(f"/api/v1/things?{query}")


def test_the_first_page_links_to_the_next_keeping_the_other_filters() -> None:
    result = paginate(_request("q=open&page=1"), list(range(5)), page=1, page_size=2)

    assert result["items"] == [0, 1]
    assert result["count"] == 5
    url = urlsplit(result["next"])
    assert url.scheme == "http"
    assert url.path == "/api/v1/things"
    assert parse_qs(url.query) == {"q": ["open"], "page": ["2"], "page_size": ["2"]}


def test_the_last_page_has_no_next() -> None:
    result = paginate(_request(), list(range(5)), page=3, page_size=2)

    assert result == {"items": [4], "count": 5, "next": None}


def test_a_page_past_the_end_is_empty_not_an_error() -> None:
    assert paginate(_request(), list(range(5)), page=9, page_size=2) == {"items": [], "count": 5, "next": None}


def test_a_page_far_past_the_end_does_not_reach_the_database(api: Any, workspace: Any) -> None:
    # 2**70 rows would overflow SQLite's 64-bit OFFSET; the answer is simply empty.
    response = api.get(f"/api/v1/workspaces?page={2**70}")

    assert response.status_code == 200
    assert response.json() == {"items": [], "count": 1, "next": None}


def test_a_page_below_one_is_read_as_the_first() -> None:
    assert paginate(_request(), list(range(3)), page=0, page_size=2)["items"] == [0, 1]


def test_page_size_defaults_to_the_setting_and_is_capped_at_200(settings: Any) -> None:
    settings.API_PAGE_SIZE = 3
    assert len(paginate(_request(), list(range(500)), page=1, page_size=None)["items"]) == 3
    assert len(paginate(_request(), list(range(500)), page=1, page_size=1000)["items"]) == 200


def test_a_queryset_is_counted_and_sliced_in_the_database(db: Any, django_assert_num_queries: Any) -> None:
    for _ in range(3):
        factories.make_user()
    qs = User.objects.order_by("id")

    with django_assert_num_queries(2):  # COUNT + one LIMIT/OFFSET query
        result = paginate(_request(), qs, page=2, page_size=2)

    assert result["count"] == 3
    assert [u.pk for u in result["items"]] == [list(qs.values_list("pk", flat=True))[2]]


def test_an_api_list_has_the_contract_shape(api: Any, workspace: Any) -> None:
    body = api.get("/api/v1/workspaces?page_size=1").json()

    assert set(body) == {"items", "count", "next"}
    assert body["count"] == 1
    assert body["next"] is None


def test_an_api_page_size_over_200_is_refused_with_the_field_named(api: Any) -> None:
    response = api.get("/api/v1/workspaces?page_size=201")

    assert response.status_code == 422
    assert "page_size" in response.json()["error"]["fields"]
