"""Project access on the pages: the members section of project settings, privacy, colour and
icon, what viewers and guests see, and forced POSTs answered 403 (decision 0006)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from labora.work import services
from labora.work.models import Project, ProjectMember, Task
from labora.workspaces.models import Role
from tests import factories


@pytest.fixture
def project(user: Any, workspace: Any) -> Project:
    return services.project_create(actor=user, workspace=workspace, key="OPS", name="Operations")


def _url(name: str, workspace: Any, **kwargs: Any) -> str:
    return reverse(name, kwargs={"ws": workspace.slug, **kwargs})


def _client(person: Any) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_create_takes_privacy_colour_and_icon(user: Any, workspace: Any) -> None:
    client = _client(user)
    page = client.get(_url("project_create", workspace))
    assert 'id="colour-picker"' in page.content.decode()
    assert 'id="icon-picker"' in page.content.decode()

    response = client.post(
        _url("project_create", workspace),
        {"key": "WEB", "name": "Website", "kind": "project", "is_private": "on", "colour": "#dc2626", "icon": "goals"},
    )

    assert response.status_code == 302
    project = Project.objects.get(key="WEB")
    assert (project.is_private, project.colour, project.icon) == (True, "#dc2626", "goals")


def test_the_list_shows_the_colour_icon_and_a_lock(user: Any, workspace: Any, project: Project) -> None:
    services.project_create(actor=user, workspace=workspace, key="SEC", name="Secret", is_private=True, icon="shield")
    html = _client(user).get(_url("project_list", workspace)).content.decode()
    secret_row = html.split('id="project-SEC"')[1].split("</tr>")[0]
    assert 'fill="#4f46e5"' in secret_row
    assert 'class="private-lock"' in secret_row
    ops_row = html.split('id="project-OPS"')[1].split("</tr>")[0]
    assert "Private" not in ops_row


def test_a_guest_sees_only_shared_projects_in_the_list_and_the_palette(
    user: Any, workspace: Any, project: Project
) -> None:
    services.project_create(actor=user, workspace=workspace, key="SHR", name="Shared")
    guest = factories.add_member(workspace, role=Role.GUEST).user
    client = _client(guest)
    assert client.get(_url("project_list", workspace)).context["projects"] == []

    ProjectMember.objects.create(project=Project.objects.get(key="SHR"), user=guest, role="viewer")
    response = client.get(_url("project_list", workspace))
    assert [p.key for p in response.context["projects"]] == ["SHR"]
    labels = [c["label"] for c in response.context["palette_commands"]]
    assert "SHR Shared" in labels
    assert "OPS Operations" not in labels
    assert client.get(_url("project_tasks", workspace, key="OPS")).status_code == 404
    assert client.get(_url("project_settings", workspace, key="OPS")).status_code == 404


def test_a_manager_adds_changes_and_removes_members(user: Any, workspace: Any, project: Project) -> None:
    member = factories.add_member(workspace).user
    client = _client(user)
    page = client.get(_url("project_settings", workspace, key="OPS"))
    assert page.context["add_form"] is not None
    assert member.email in page.content.decode()

    added = client.post(
        _url("project_settings", workspace, key="OPS"), {"action": "member_add", "email": member.email, "role": ""}
    )
    assert added.status_code == 302
    assert ProjectMember.objects.get(user=member).role == "contributor"

    row = client.post(
        _url("project_settings", workspace, key="OPS"),
        {"action": "member_role", "member": member.public_id, "role": "viewer"},
        HTTP_HX_REQUEST="true",
    )
    assert row.status_code == 200
    assert f'id="project-member-{member.public_id}"' in row.content.decode()
    assert "<html" not in row.content.decode()
    assert ProjectMember.objects.get(user=member).role == "viewer"

    removed = client.post(
        _url("project_settings", workspace, key="OPS"),
        {"action": "member_remove", "member": member.public_id},
        HTTP_HX_REQUEST="true",
    )
    assert removed.status_code == 200
    assert removed.content == b""
    assert "no longer a member" in removed["HX-Trigger"]
    assert not ProjectMember.objects.filter(user=member).exists()


def test_demoting_the_last_manager_shows_why_in_the_row(user: Any, workspace: Any, project: Project) -> None:
    services.project_update(actor=user, project=project, is_private=True)
    row = _client(user).post(
        _url("project_settings", workspace, key="OPS"),
        {"action": "member_role", "member": user.public_id, "role": "viewer"},
        HTTP_HX_REQUEST="true",
    )
    assert "last manager" in row.content.decode()
    assert ProjectMember.objects.get(user=user).role == "manager"


def test_settings_save_privacy_colour_and_icon(user: Any, workspace: Any, project: Project) -> None:
    response = _client(user).post(
        _url("project_settings", workspace, key="OPS"),
        {
            "action": "save",
            "name": "Operations",
            "kind": "ongoing",
            "version": project.version,
            "is_private": "on",
            "colour": "#059669",
            "icon": "inbox",
        },
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.is_private, project.colour, project.icon) == (True, "#059669", "inbox")


def test_a_viewer_sees_no_write_controls_and_forced_posts_are_forbidden(
    user: Any, workspace: Any, project: Project
) -> None:
    services.task_create(actor=user, project=project, title="Read me")
    viewer = factories.add_member(workspace).user
    ProjectMember.objects.create(project=project, user=viewer, role="viewer")
    client = _client(viewer)

    settings_page = client.get(_url("project_settings", workspace, key="OPS"))
    html = settings_page.content.decode()
    assert settings_page.context["can_edit"] is False
    assert settings_page.context["can_manage"] is False
    assert 'id="project-settings-form"' not in html
    assert 'id="member-add-form"' not in html
    assert "Your role</dt><dd>Viewer" in html
    assert client.get(_url("project_tasks", workspace, key="OPS")).context["can_write"] is False
    assert client.get(_url("project_board", workspace, key="OPS")).context["can_write"] is False
    assert client.get(_url("task_detail", workspace, task_key="OPS-1")).context["can_write"] is False

    forced = [
        client.post(_url("project_tasks", workspace, key="OPS"), {"action": "quick_add", "title": "Mine"}),
        client.post(_url("project_settings", workspace, key="OPS"), {"action": "archive"}),
        client.post(
            _url("project_settings", workspace, key="OPS"),
            {"action": "member_add", "email": viewer.email, "role": "manager"},
        ),
        client.post(_url("project_settings", workspace, key="OPS"), {"action": "delete"}),
    ]
    assert [r.status_code for r in forced] == [403] * 4
    assert list(Task.objects.values_list("title", flat=True)) == ["Read me"]
    project.refresh_from_db()
    assert project.archived_at is None
    assert project.deleted_at is None
    assert ProjectMember.objects.get(user=viewer).role == "viewer"
