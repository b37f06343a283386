"""GET /workspaces/{ws}/tasks (every project you can see) and GET /workspaces/{ws}/search (the
command palette's as-you-type search)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from labora.work import services
from labora.work.models import Project
from labora.workspaces.models import Role
from tests import factories

WS = "/api/v1/workspaces/acme"


@pytest.fixture
def ops(user: Any, workspace: Any) -> Project:
    return services.project_create(actor=user, workspace=workspace, key="OPS", name="Operations")


@pytest.fixture
def web(user: Any, workspace: Any) -> Project:
    return services.project_create(actor=user, workspace=workspace, key="WEB", name="Website")


def _task(user: Any, project: Project, title: str, description: str = "", **kwargs: Any) -> Any:
    return services.task_create(actor=user, project=project, title=title, description=description, **kwargs)


# --- the workspace-wide list --------------------------------------------------------------------------


def test_the_workspace_list_spans_projects_ranked_by_match(api: Any, user: Any, ops: Project, web: Project) -> None:
    _task(user, ops, "Server invoice", "Pay the hosting invoice; the invoice is late")
    _task(user, web, "Landing page", "Link to the invoice form")
    _task(user, web, "About page")
    body = api.get(f"{WS}/tasks", {"q": "invoice"}).json()
    assert body["count"] == 2
    assert [t["key"] for t in body["items"]] == ["OPS-1", "WEB-1"]
    ordered = api.get(f"{WS}/tasks", {"q": "invoice", "order": "-key"}).json()
    assert [t["key"] for t in ordered["items"]] == ["WEB-1", "OPS-1"]
    everything = api.get(f"{WS}/tasks").json()
    assert {t["key"] for t in everything["items"]} == {"OPS-1", "WEB-1", "WEB-2"}


def test_the_workspace_list_pages(api: Any, user: Any, ops: Project) -> None:
    for n in range(5):
        _task(user, ops, f"Report {n}")
    first = api.get(f"{WS}/tasks", {"q": "report", "page_size": 2}).json()
    assert first["count"] == 5
    assert len(first["items"]) == 2
    assert "page=2" in first["next"]
    last = api.get(f"{WS}/tasks", {"q": "report", "page_size": 2, "page": 3}).json()
    assert len(last["items"]) == 1
    assert last["next"] is None


def test_the_workspace_list_hides_private_projects_you_are_not_in(
    api_for: Any, user: Any, workspace: Any, ops: Project
) -> None:
    member = factories.make_user()
    factories.add_member(workspace, member, Role.MEMBER)
    secret = services.project_create(actor=user, workspace=workspace, key="SEC", name="Secret", is_private=True)
    _task(user, ops, "Budget review")
    _task(user, secret, "Budget cuts")
    body = api_for(member).get(f"{WS}/tasks", {"q": "budget"}).json()
    assert [t["key"] for t in body["items"]] == ["OPS-1"]
    assert api_for(member).get(f"{WS}/search", {"q": "budget"}).json()["count"] == 1
    assert api_for(member).get(f"{WS}/search", {"q": "SEC-1"}).json()["items"] == []


def test_another_workspace_answers_404_and_its_tasks_are_never_found(
    api: Any, api_for: Any, user: Any, ops: Project
) -> None:
    stranger = factories.make_user()
    theirs = factories.make_workspace(owner=stranger, slug="globex")
    project = services.project_create(actor=stranger, workspace=theirs, key="OPS", name="Theirs")
    _task(stranger, project, "Merger plan")
    _task(user, ops, "Merger rumours")
    assert api.get("/api/v1/workspaces/globex/tasks", {"q": "merger"}).status_code == 404
    assert api.get("/api/v1/workspaces/globex/search", {"q": "merger"}).status_code == 404
    assert [t["title"] for t in api.get(f"{WS}/tasks", {"q": "merger"}).json()["items"]] == ["Merger rumours"]
    assert [t["title"] for t in api.get(f"{WS}/search", {"q": "merger"}).json()["items"]] == ["Merger rumours"]


def test_a_bad_query_answers_422_with_where(api: Any, ops: Project) -> None:
    response = api.get(f"{WS}/tasks", {"q": "status:"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_query"
    empty = api.get(f"{WS}/tasks", {"q": 'text:"**"'})
    assert empty.status_code == 422
    assert "letters or digits" in empty.json()["error"]["message"]


def test_the_workspace_list_takes_the_same_queries_for_3_or_30_tasks(api: Any, user: Any, ops: Project) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(f"{WS}/tasks", {"q": "task status:open", "page_size": 50}).status_code == 200
        return len(captured)

    for n in range(3):
        _task(user, ops, f"Task {n}", labels=["ops"])
    queries()  # the first request also stamps the token's last use
    few = queries()
    for n in range(27):
        _task(user, ops, f"Task {n + 3}", labels=["ops"])
    assert queries() == few


# --- the palette's search ------------------------------------------------------------------------------


def test_search_answers_the_best_few_with_what_a_result_line_shows(
    api: Any, user: Any, ops: Project, web: Project
) -> None:
    _task(user, ops, "Deploy pipeline", "Move the deploy to the new runners")
    for n in range(10):
        _task(user, web, f"Page {n}", "Deploy notes")
    body = api.get(f"{WS}/search", {"q": "deploy pip"}).json()
    assert body == {
        "items": [
            {
                "key": "OPS-1",
                "title": "Deploy pipeline",
                "project": "OPS",
                "project_name": "Operations",
                "status": "To do",
                "category": "todo",
                "url": "/w/acme/tasks/OPS-1/",
            }
        ],
        "count": 1,
        "next": None,
        "count_exact": True,
    }
    many = api.get(f"{WS}/search", {"q": "depl"}).json()
    assert many["count"] == 11
    assert len(many["items"]) == 8
    assert many["items"][0]["key"] == "OPS-1"  # the only one with it in the title
    assert many["next"].startswith("http://testserver/api/v1/workspaces/acme/tasks?q=")
    assert api.get(many["next"]).json()["count"] == 11
    assert len(api.get(f"{WS}/search", {"q": "depl", "limit": 3}).json()["items"]) == 3


def test_search_finds_a_task_by_its_key_first(api: Any, user: Any, ops: Project) -> None:
    _task(user, ops, "First")
    _task(user, ops, "Mentions ops-1 in passing")
    body = api.get(f"{WS}/search", {"q": "ops-1"}).json()
    assert [item["key"] for item in body["items"]] == ["OPS-1", "OPS-2"]


@pytest.mark.parametrize(
    ("q", "found"),
    [("*", 0), ('"', 0), ("--", 0), ("NEAR(", 1), ("' OR 1=1 --", 0), ("some:*", 1), ("\\", 0), ('"or" NEAR*', 1)],
)
def test_search_takes_any_text(api: Any, user: Any, ops: Project, q: str, found: int) -> None:
    _task(user, ops, "Or something near")
    response = api.get(f"{WS}/search", {"q": q})
    assert response.status_code == 200
    assert response.json()["count"] == found


def test_search_needs_a_query(api: Any, ops: Project) -> None:
    response = api.get(f"{WS}/search")
    assert response.status_code == 422
    assert "q" in response.json()["error"]["fields"]


def test_search_takes_a_constant_number_of_queries(api: Any, user: Any, ops: Project) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(f"{WS}/search", {"q": "ops-1"}).status_code == 200
        return len(captured)

    _task(user, ops, "ops one")
    queries()  # the first request also stamps the token's last use
    few = queries()
    for n in range(12):
        _task(user, ops, f"ops {n}")
    assert queries() == few
