"""Project access in a real browser: make a project private, share it with a member, change
their role in place (HTMX row swap), and see that a workspace member outside it cannot find it."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from playwright.sync_api import expect

from labora.work import services
from labora.work.models import Project, ProjectMember
from labora.workspaces.models import Role
from tests import factories
from tests.e2e.conftest import login, shot


def test_make_a_project_private_and_share_it(page: Any, live_server: Any) -> None:
    owner = factories.make_user(email="olivia@example.com", name="Olivia Owner")
    workspace = factories.make_workspace(owner=owner, slug="acme", name="Acme")
    factories.add_member(workspace, factories.make_user(email="bob@example.com", name="Bob Builder"))
    factories.add_member(workspace, factories.make_user(email="gina@example.com", name="Gina Guest"), role=Role.GUEST)
    factories.add_member(workspace, factories.make_user(email="mia@example.com", name="Mia Member"))
    services.project_create(actor=owner, workspace=workspace, key="OPS", name="Operations")
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    settings_url = f"{live_server.url}{reverse('project_settings', kwargs={'ws': 'acme', 'key': 'OPS'})}"

    # Make it private, with a colour and an icon, from the settings form.
    page.goto(settings_url)
    page.check("#id_is_private")
    page.click("#colour-picker label[title='#059669']")
    page.click("#icon-picker label[title='shield']")
    with page.expect_navigation():
        page.click("#project-settings-form button[type=submit]")
    expect(page.locator(".private-lock").first).to_be_visible()
    project = Project.objects.get(key="OPS")
    assert (project.is_private, project.colour, project.icon) == (True, "#059669", "shield")

    # Share it with Bob and with a guest (who becomes a viewer by default).
    for email in ("bob@example.com", "gina@example.com"):
        page.select_option("#member-add-form select[name=email]", email)
        with page.expect_navigation():
            page.click("#member-add-form button[type=submit]")
    rows = page.locator("#project-members-table tbody tr")
    expect(rows).to_have_count(3)

    # Make Bob a viewer in place: only his row is swapped.
    bob = ProjectMember.objects.get(user__email="bob@example.com").user
    row = page.locator(f"#project-member-{bob.public_id}")
    row.locator("select[name=role]").select_option("viewer")
    row.locator("button:has-text('Save')").click()
    expect(page.locator(".toast").last).to_contain_text("Bob Builder is now viewer")
    assert ProjectMember.objects.get(user=bob).role == "viewer"
    # The guest can be a viewer or contributor only: no manager choice in their row.
    gina = ProjectMember.objects.get(user__email="gina@example.com").user
    options = page.locator(f"#project-member-{gina.public_id} select[name=role] option").all_inner_texts()
    assert options == ["Contributor", "Viewer"]
    shot(page, "access-settings-1280")

    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(settings_url + "#members")
    shot(page, "access-settings-375")
    page.set_viewport_size({"width": 1280, "height": 800})

    # The project list shows the lock; a member outside the project does not see it at all.
    page.goto(f"{live_server.url}{reverse('project_list', kwargs={'ws': 'acme'})}")
    expect(page.locator("#project-OPS .private-lock")).to_be_visible()
    shot(page, "access-project-list")
    page.context.clear_cookies()
    login(page, live_server, "mia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}{reverse('project_list', kwargs={'ws': 'acme'})}")
    expect(page.locator("#project-OPS")).to_have_count(0)
    # (the test server speaks no websocket: the live-updates client's failed handshake is not ours)
    assert [e for e in page.js_errors if "WebSocket" not in e] == []
    response = page.goto(settings_url)
    assert response is not None
    assert response.status == 404
