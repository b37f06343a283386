"""Saved views: personal or shared, edited by their owner or a project manager; the API."""

from __future__ import annotations

from typing import Any

import pytest

from labora.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from labora.core.models import DomainEvent
from labora.work import services
from labora.work.models import Project, ProjectMember, ProjectRole, SavedView
from labora.work.services import saved_views as sv
from labora.workspaces.models import Role
from tests import factories
from tests.conftest import ApiClient

VIEWS = "/api/v1/workspaces/acme/projects/OPS/views"


@pytest.fixture
def project(user: Any, workspace: Any) -> Project:
    return services.project_create(actor=user, workspace=workspace, key="OPS", name="Operations")


@pytest.fixture
def member(workspace: Any) -> Any:
    return factories.add_member(workspace, factories.make_user(email="mia@example.com"), Role.MEMBER).user


def _events(name: str) -> int:
    return DomainEvent.objects.filter(name=name).count()


# --- services --------------------------------------------------------------------------------


def test_a_personal_view_is_seen_by_its_owner_only(user: Any, workspace: Any, project: Project, member: Any) -> None:
    view = sv.saved_view_create(
        actor=member, project=project, name="My bugs", query="label:bug assignee:me", order="-updated"
    )
    assert (view.name, view.query, view.order, view.layout, view.shared) == (
        "My bugs",
        "label:bug assignee:me",
        "-updated",
        "list",
        False,
    )
    assert [v.name for v in sv.saved_view_list(user=member, workspace=workspace, project=project)] == ["My bugs"]
    assert list(sv.saved_view_list(user=user, workspace=workspace, project=project)) == []
    assert _events("saved_view.created") == 1


def test_a_shared_view_is_seen_by_everyone_in_the_project(
    user: Any, workspace: Any, project: Project, member: Any
) -> None:
    sv.saved_view_create(
        actor=member, project=project, name="Board by person", layout="board", group_by="assignee", shared=True
    )
    assert [v.name for v in sv.saved_view_list(user=user, workspace=workspace, project=project)] == ["Board by person"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "x", "query": "status:("}, "query"),
        ({"name": "x", "order": "-nonsense"}, "order"),
        ({"name": "x", "group_by": "colour"}, "group_by"),
        ({"name": "x", "layout": "board", "group_by": "due_week"}, "group_by"),
        ({"name": "x", "layout": "gantt"}, "layout"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(
    user: Any, project: Project, fields: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        sv.saved_view_create(actor=user, project=project, **fields)
    assert field in error.value.fields
    assert SavedView.objects.count() == 0
    assert _events("saved_view.created") == 0


def test_a_name_is_unique_among_the_views_one_sees(user: Any, project: Project, member: Any) -> None:
    sv.saved_view_create(actor=user, project=project, name="Triage", shared=True)
    with pytest.raises(ValidationError) as error:
        sv.saved_view_create(actor=member, project=project, name="triage")
    assert error.value.code == "duplicate_name"


def test_viewers_keep_their_views_personal(workspace: Any, project: Project) -> None:
    guest = factories.add_member(workspace, role=Role.GUEST).user
    ProjectMember.objects.create(project=project, user=guest, role=ProjectRole.VIEWER)
    sv.saved_view_create(actor=guest, project=project, name="Mine")
    with pytest.raises(PermissionDenied):
        sv.saved_view_create(actor=guest, project=project, name="Ours", shared=True)
    assert list(SavedView.objects.values_list("name", flat=True)) == ["Mine"]


def test_a_project_one_cannot_see_has_no_views_to_save(workspace: Any, project: Project) -> None:
    guest = factories.add_member(workspace, role=Role.GUEST).user  # not shared with the guest
    with pytest.raises(NotFound):
        sv.saved_view_create(actor=guest, project=project, name="Peek")
    assert SavedView.objects.count() == 0


def test_the_owner_renames_and_changes_a_view_with_a_version_check(user: Any, project: Project) -> None:
    view = sv.saved_view_create(actor=user, project=project, name="Open", query="status:open")
    renamed = sv.saved_view_update(actor=user, view=view, version=1, name="Open work", group_by="priority")
    assert (renamed.name, renamed.group_by, renamed.version) == ("Open work", "priority", 2)
    event = DomainEvent.objects.get(name="saved_view.updated")
    assert event.changes == {"name": ["Open", "Open work"], "group_by": ["", "priority"]}
    with pytest.raises(Conflict):
        sv.saved_view_update(actor=user, view=renamed, version=1, name="Stale")
    assert SavedView.objects.get().name == "Open work"


def test_only_the_owner_or_a_project_manager_edits_a_shared_view(
    user: Any, workspace: Any, project: Project, member: Any
) -> None:
    other = factories.add_member(workspace, factories.make_user(email="max@example.com"), Role.MEMBER).user
    view = sv.saved_view_create(actor=member, project=project, name="Team", shared=True)

    with pytest.raises(PermissionDenied):
        sv.saved_view_update(actor=other, view=view, name="Mine now")
    with pytest.raises(PermissionDenied):
        sv.saved_view_delete(actor=other, view=view)
    assert SavedView.objects.get().name == "Team"
    assert _events("saved_view.updated") + _events("saved_view.deleted") == 0

    ProjectMember.objects.create(project=project, user=other, role=ProjectRole.MANAGER)
    sv.saved_view_update(actor=other, view=view, name="Team board")
    sv.saved_view_update(actor=user, view=SavedView.objects.get(), query="label:ops")  # workspace owner
    assert (SavedView.objects.get().name, SavedView.objects.get().query) == ("Team board", "label:ops")


def test_delete_moves_the_view_to_the_trash(user: Any, workspace: Any, project: Project) -> None:
    view = sv.saved_view_create(actor=user, project=project, name="Old")
    sv.saved_view_delete(actor=user, view=view)
    assert SavedView.objects.count() == 0
    assert SavedView.all_objects.get().deleted_by == user
    assert _events("saved_view.deleted") == 1


# --- API -------------------------------------------------------------------------------------


def test_api_create_list_patch_delete(api: ApiClient, project: Project) -> None:
    created = api.post_json(
        VIEWS, {"name": "Urgent", "query": "priority:urgent", "order": "due", "group_by": "assignee", "shared": True}
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert {
        k: body[k] for k in ("project", "name", "query", "order", "group_by", "layout", "shared", "owner", "version")
    } == {
        "project": "OPS",
        "name": "Urgent",
        "query": "priority:urgent",
        "order": "due",
        "group_by": "assignee",
        "layout": "list",
        "shared": True,
        "owner": "owner@example.com",
        "version": 1,
    }
    listed = api.get(VIEWS).json()
    assert [v["name"] for v in listed["items"]] == ["Urgent"]
    assert listed["count"] == 1

    url = f"/api/v1/workspaces/acme/views/{body['id']}"
    stale = api.patch_json(url, {"name": "Hot"}, HTTP_IF_MATCH="7")
    assert stale.status_code == 409
    patched = api.patch_json(url, {"name": "Hot", "version": 1})
    assert patched.status_code == 200
    assert patched.json()["name"] == "Hot"
    assert api.get(url).json()["version"] == 2
    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404


def test_api_bad_query_answers_422_with_the_field(api: ApiClient, project: Project) -> None:
    response = api.post_json(VIEWS, {"name": "Broken", "query": "due<"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_query"
    assert "query" in response.json()["error"]["fields"]


def test_api_someone_elses_personal_view_is_not_found(api_for: Any, user: Any, project: Project, member: Any) -> None:
    view = sv.saved_view_create(actor=user, project=project, name="Private")
    response = api_for(member).get(f"/api/v1/workspaces/acme/views/{view.public_id}")
    assert response.status_code == 404
    assert api_for(member).delete(f"/api/v1/workspaces/acme/views/{view.public_id}").status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_api_another_workspace_cannot_see_the_views(api_for: Any, user: Any, project: Project) -> None:
    view = sv.saved_view_create(actor=user, project=project, name="Ours", shared=True)
    stranger = factories.make_user()
    factories.make_workspace(owner=stranger, slug="other")
    client = api_for(stranger)
    assert client.get(f"/api/v1/workspaces/other/views/{view.public_id}").status_code == 404
    assert client.get(f"/api/v1/workspaces/acme/views/{view.public_id}").status_code == 404
