"""A text search with many matches ranks a window of the newest matches and counts up to a cap
(selectors.RANK_WINDOW, api.COUNT_CAP; docs/performance.md): small here, so that a handful of
tasks exercises what 18,000 matches do on the benchmark."""

from __future__ import annotations

from typing import Any

import pytest

from labora.work import api as work_api
from labora.work import selectors, services
from labora.work.models import Project

WS = "/api/v1/workspaces/acme"


@pytest.fixture
def ops(user: Any, workspace: Any) -> Project:
    return services.project_create(actor=user, workspace=workspace, key="OPS", name="Operations")


@pytest.fixture
def small_window(monkeypatch: Any) -> None:
    monkeypatch.setattr(selectors, "RANK_WINDOW", 4)
    monkeypatch.setattr(work_api, "COUNT_CAP", 6)


def _titles(user: Any, project: Project, titles: list[str]) -> None:
    for title in titles:
        services.task_create(actor=user, project=project, title=title, description="an invoice to pay")


def test_few_matches_are_all_ranked_and_counted_exactly(api: Any, user: Any, ops: Project, small_window: None) -> None:
    _titles(user, ops, ["Call the bank", "Invoice invoice", "Plan"])  # three matches: under the window

    body = api.get(f"{WS}/tasks", {"q": "invoice"}).json()

    assert body["count"] == 3
    assert body["count_exact"] is True
    assert body["items"][0]["key"] == "OPS-2"  # the title match ranks first


def test_many_matches_rank_the_newest_then_list_the_rest_newest_first(
    api: Any, user: Any, ops: Project, small_window: None
) -> None:
    # OPS-1 has the best title of all, but is older than the window of the 4 newest matches
    _titles(user, ops, ["Invoice invoice invoice", "a", "b", "c", "d", "e", "Invoice f", "g", "h"])
    services.task_create(actor=user, project=ops, title="no match here")

    first = api.get(f"{WS}/tasks", {"q": "invoice", "page_size": 3}).json()

    assert first["items"][0]["key"] == "OPS-7"  # best within the window (OPS-6..OPS-9)
    assert {t["key"] for t in first["items"]} <= {"OPS-6", "OPS-7", "OPS-8", "OPS-9"}
    assert first["count"] == 7  # counted up to the cap (6) + 1: at least 7
    assert first["count_exact"] is False
    assert "page=2" in first["next"]

    keys = [t["key"] for t in first["items"]]
    url: str | None = first["next"]
    while url is not None:
        page = api.get(url).json()
        keys += [t["key"] for t in page["items"]]
        url = page["next"]
    # every match once: the window (ranked), then the older ones newest first
    assert sorted(keys[:4]) == ["OPS-6", "OPS-7", "OPS-8", "OPS-9"]
    assert keys[4:] == ["OPS-5", "OPS-4", "OPS-3", "OPS-2", "OPS-1"]


def test_a_page_past_the_cap_still_counts_to_its_end(api: Any, user: Any, ops: Project, small_window: None) -> None:
    _titles(user, ops, [f"t{i}" for i in range(9)])

    page = api.get(f"{WS}/tasks", {"q": "invoice", "page_size": 4, "page": 2}).json()
    assert [t["key"] for t in page["items"]] == ["OPS-5", "OPS-4", "OPS-3", "OPS-2"]
    assert page["count"] == 9  # counted to the end of page 2 (8) + 1: at least 9
    assert page["count_exact"] is False
    assert "page=3" in page["next"]
    last = api.get(f"{WS}/tasks", {"q": "invoice", "page_size": 4, "page": 3}).json()
    assert [t["key"] for t in last["items"]] == ["OPS-1"]
    assert last["next"] is None
    assert last["count"] == 9
    assert last["count_exact"] is True  # counted to 13: all of them
    beyond = api.get(f"{WS}/tasks", {"q": "invoice", "page_size": 4, "page": 2**70}).json()
    assert beyond["items"] == []
    assert beyond["next"] is None


def test_an_explicit_order_or_a_structured_query_is_not_windowed(
    api: Any, user: Any, ops: Project, small_window: None
) -> None:
    _titles(user, ops, [f"t{i}" for i in range(9)])

    ordered = api.get(f"{WS}/tasks", {"q": "invoice", "order": "key", "page_size": 3}).json()
    assert [t["key"] for t in ordered["items"]] == ["OPS-1", "OPS-2", "OPS-3"]
    assert ordered["count"] == 9
    assert ordered["count_exact"] is True
    structured = api.get(f"{WS}/projects/OPS/tasks", {"q": "status:open", "page_size": 3}).json()
    assert structured["count"] == 9
    assert structured["count_exact"] is True


def test_the_project_list_windows_a_text_search_too(api: Any, user: Any, ops: Project, small_window: None) -> None:
    _titles(user, ops, ["Invoice invoice invoice", "a", "b", "c", "d", "e", "Invoice f", "g", "h"])

    body = api.get(f"{WS}/projects/OPS/tasks", {"q": "invoice", "page_size": 2}).json()

    assert body["items"][0]["key"] == "OPS-7"
    assert body["count_exact"] is False


def test_the_palette_search_ranks_within_the_window_and_caps_its_count(
    api: Any, user: Any, ops: Project, small_window: None
) -> None:
    _titles(user, ops, ["Invoice invoice invoice", "a", "b", "c", "d", "e", "Invoice f", "g", "h"])

    body = api.get(f"{WS}/search", {"q": "invoice", "limit": 3}).json()

    assert body["items"][0]["key"] == "OPS-7"
    assert len(body["items"]) == 3
    assert body["count"] == 7
    assert body["count_exact"] is False
    assert body["next"] is not None
    # a key typed whole comes first, and is not counted twice
    keyed = api.get(f"{WS}/search", {"q": "OPS-1"}).json()
    assert keyed["items"][0]["key"] == "OPS-1"


def test_the_window_keeps_the_querys_meaning_with_not_and_or(
    api: Any, user: Any, ops: Project, small_window: None
) -> None:
    _titles(user, ops, ["urgent a", "b", "urgent c", "d", "e", "urgent f", "g", "h", "urgent i"])
    services.task_create(actor=user, project=ops, title="kubernetes only")

    def keys(q: str) -> list[str]:
        body = api.get(f"{WS}/tasks", {"q": q, "page_size": 200}).json()
        return sorted(t["key"] for t in body["items"])

    assert keys("invoice NOT urgent") == ["OPS-2", "OPS-4", "OPS-5", "OPS-7", "OPS-8"]
    assert keys("urgent OR kubernetes") == ["OPS-1", "OPS-10", "OPS-3", "OPS-6", "OPS-9"]
    assert keys("invoice -text:urgent") == keys("invoice NOT urgent")


def _all_pages(api: Any, q: str) -> list[tuple[list[str], int, bool]]:
    pages = []
    url: str | None = f"{WS}/tasks?q={q}&page_size=3"
    while url:
        body = api.get(url).json()
        pages.append(([t["key"] for t in body["items"]], body["count"], body["count_exact"]))
        url = body["next"]
    return pages


@pytest.mark.parametrize("q", ["invoice", "invoice%20status:open", "invoice%20OR%20bank"])
def test_walking_the_tasks_answers_what_looking_the_matches_up_answers(
    api: Any, user: Any, ops: Project, small_window: None, monkeypatch: Any, q: str
) -> None:
    """On SQLite a text with many matches is tested task by task (search.matches(scan=True));
    the pages are the same either way."""
    from labora.work import search

    _titles(user, ops, ["Invoice invoice invoice", "a", "b", "Call the bank", "d", "e", "Invoice f", "g", "h", "i"])
    services.task_create(actor=user, project=ops, title="no match here")
    services.task_update(actor=user, task=ops.tasks.get(number=5), status="Done")

    walked = _all_pages(api, q)
    monkeypatch.setattr(search, "many_matches", lambda *args, **kwargs: False)
    looked_up = _all_pages(api, q)

    assert walked == looked_up
    assert sum(len(keys) for keys, _, _ in walked) >= 9


def test_many_matches_counts_the_tasks_own_text_on_sqlite_only(user: Any, ops: Project) -> None:
    from django.db import connection

    from labora.work import search

    _titles(user, ops, ["one", "two", "three"])
    words = search.Words.of(["invoice"])
    assert words is not None
    sqlite = connection.vendor == "sqlite"
    assert search.many_matches(words, 3) is sqlite
    assert search.many_matches(words, 4) is False
    assert search.many_matches(search.Words.of(["nowhere"]), 1) is False  # type: ignore[arg-type]


def test_a_walked_search_hides_the_id_from_sqlites_planner(user: Any, workspace: Any, ops: Project) -> None:
    from django.db import connection

    from labora.work import search
    from labora.work.models import Task

    words = search.Words.of(["invoice"])
    assert words is not None
    sql = str(Task.objects.filter(search.matches(words, scan=True)).values("pk").query)
    if connection.vendor == "sqlite":
        assert '+"work_task"."id" IN (SELECT rowid' in sql
    else:
        assert "+" not in sql.split("WHERE", 1)[1]  # PostgreSQL's plan needs no such hint
