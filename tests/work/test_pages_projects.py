"""Project pages: the list with task counts, create, settings (edit, stale version, archive, trash)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from labora.work import services
from labora.work.models import Project
from labora.workspaces.models import Role
from tests import factories


@pytest.fixture
def project(user: Any, workspace: Any) -> Project:
    return services.project_create(actor=user, workspace=workspace, key="OPS", name="Operations")


def _url(name: str, workspace: Any, **kwargs: Any) -> str:
    return reverse(name, kwargs={"ws": workspace.slug, **kwargs})


def test_the_list_shows_each_project_with_open_and_total_task_counts(
    client_in: Client, user: Any, workspace: Any, project: Project
) -> None:
    for title in ("a", "b", "c"):
        services.task_create(actor=user, project=project, title=title)
    done = services.task_create(actor=user, project=project, title="d")
    services.task_update(actor=user, task=done, status="Done")
    services.task_delete(actor=user, task=services.task_create(actor=user, project=project, title="trashed"))

    response = client_in.get(_url("project_list", workspace))

    assert response.status_code == 200
    (row,) = response.context["projects"]
    assert (row.key, row.open_count, row.task_count) == ("OPS", 3, 4)
    assert b"Operations" in response.content


def test_the_list_takes_the_same_number_of_queries_for_3_or_30_projects(
    client_in: Client, user: Any, workspace: Any
) -> None:
    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client_in.get(_url("project_list", workspace)).status_code == 200
        return len(ctx.captured_queries)

    for i in range(3):
        services.project_create(actor=user, workspace=workspace, key=f"P{i}X", name=f"P {i}")
    count()  # warm up: the first visit also stores the session's last workspace
    few = count()
    for i in range(3, 30):
        services.project_create(actor=user, workspace=workspace, key=f"P{i}X", name=f"P {i}")
    assert count() == few


def test_creating_a_project_redirects_to_its_task_list(client_in: Client, user: Any, workspace: Any) -> None:
    response = client_in.post(
        _url("project_create", workspace),
        {"key": "WEB", "name": "Website", "kind": "project", "lead": user.email, "target_date": "2027-01-31"},
    )

    assert response.status_code == 302
    assert response["Location"] == _url("project_tasks", workspace, key="WEB")
    project = Project.objects.get(workspace=workspace, key="WEB")
    assert (project.name, project.lead, str(project.target_date)) == ("Website", user, "2027-01-31")


def test_a_taken_key_is_reported_on_the_key_field(client_in: Client, workspace: Any, project: Project) -> None:
    response = client_in.post(_url("project_create", workspace), {"key": "OPS", "name": "Again", "kind": "project"})

    assert response.status_code == 422
    assert "is taken in this workspace" in response.context["form"].errors["key"][0]
    assert Project.objects.filter(workspace=workspace).count() == 1


def test_a_malformed_key_is_reported_on_the_key_field(client_in: Client, workspace: Any) -> None:
    response = client_in.post(_url("project_create", workspace), {"key": "o p", "name": "X", "kind": "project"})

    assert response.status_code == 422
    assert "upper-case letters and digits" in response.context["form"].errors["key"][0]
    assert not Project.objects.filter(workspace=workspace).exists()


def test_settings_save_the_fields_with_the_version(client_in: Client, workspace: Any, project: Project) -> None:
    response = client_in.post(
        _url("project_settings", workspace, key="OPS"),
        {"action": "save", "name": "Ops & support", "kind": "ongoing", "version": project.version},
    )

    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.name, project.kind) == ("Ops & support", "ongoing")


def test_settings_with_a_stale_version_say_it_changed_elsewhere(
    client_in: Client, user: Any, workspace: Any, project: Project
) -> None:
    stale = project.version
    services.project_update(actor=user, project=project, name="Renamed meanwhile")

    response = client_in.post(
        _url("project_settings", workspace, key="OPS"),
        {"action": "save", "name": "Mine", "kind": "project", "version": stale},
    )

    assert response.status_code == 422
    assert "changed elsewhere" in response.content.decode()
    project.refresh_from_db()
    assert project.name == "Renamed meanwhile"


def test_settings_archive_unarchive_and_delete(client_in: Client, workspace: Any, project: Project) -> None:
    url = _url("project_settings", workspace, key="OPS")

    client_in.post(url, {"action": "archive"})
    project.refresh_from_db()
    assert project.archived_at is not None
    assert client_in.get(_url("project_list", workspace)).context["projects"] == []

    client_in.post(url, {"action": "unarchive"})
    project.refresh_from_db()
    assert project.archived_at is None

    response = client_in.post(url, {"action": "delete"})
    assert response["Location"] == _url("project_list", workspace)
    assert not Project.objects.filter(pk=project.pk).exists()
    assert Project.all_objects.get(pk=project.pk).deleted_at is not None


def test_settings_show_the_workflow_read_only(client_in: Client, workspace: Any, project: Project) -> None:
    content = client_in.get(_url("project_settings", workspace, key="OPS")).content.decode()

    assert 'id="workflow-table"' in content
    assert "In review" in content


def test_a_guest_sees_projects_but_cannot_create_one(client: Client, workspace: Any, project: Project) -> None:
    guest = factories.make_user()
    factories.add_member(workspace, guest, role=Role.GUEST)
    client.force_login(guest)

    assert client.get(_url("project_list", workspace)).status_code == 200
    response = client.post(_url("project_create", workspace), {"key": "NEW", "name": "New", "kind": "project"})

    assert response.status_code == 403
    assert not Project.objects.filter(key="NEW").exists()


def test_another_workspaces_project_is_not_found(client_in: Client, workspace: Any) -> None:
    stranger = factories.make_user()
    theirs = factories.make_workspace(owner=stranger)
    services.project_create(actor=stranger, workspace=theirs, key="SEC", name="Secret")

    assert client_in.get(_url("project_list", theirs)).status_code == 404
    assert client_in.get(_url("project_tasks", workspace, key="SEC")).status_code == 404
    assert client_in.get(_url("project_settings", workspace, key="SEC")).status_code == 404


def test_the_sidebar_links_projects_and_the_palette_lists_them(
    client_in: Client, workspace: Any, project: Project
) -> None:
    response = client_in.get(_url("workspace_home", workspace))

    assert _url("project_list", workspace).encode() in response.content
    labels = [c["label"] for c in response.context["palette_commands"]]
    assert "OPS Operations" in labels
