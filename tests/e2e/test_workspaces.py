"""Workspace pages in a real browser: create a workspace, invite people, change a role
without a reload, accept an invitation as a newcomer, build a team."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from labora.workspaces.models import Membership, Role, TeamMember
from tests import factories
from tests.e2e.conftest import PHONE, login, shot


def _seed() -> Any:
    owner = factories.make_user(email="olivia@example.com", name="Olivia Owner")
    workspace = factories.make_workspace(owner=owner, slug="acme", name="Acme")
    for name, email, role in (
        ("Bob Builder", "bob@example.com", Role.MEMBER),
        ("Carla Chen", "carla@example.com", Role.ADMIN),
    ):
        factories.add_member(workspace, factories.make_user(email=email, name=name), role=role)
    factories.make_user(email="erin@example.com", name="Erin Early")  # has an account, not a member
    return workspace


def _toast(page: Any, text: str) -> None:
    """Wait for a toast that says `text` (fails after the page's default timeout)."""
    page.locator("#toasts .toast", has_text=text).wait_for(state="visible")


def test_create_a_workspace(page: Any, live_server: Any) -> None:
    _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)

    page.goto(f"{live_server.url}{reverse('workspace_create')}")
    page.fill("input[name=name]", "Globex Corporation")
    page.fill("input[name=slug]", "acme")
    with page.expect_navigation():
        page.click("button:has-text('Create workspace')")
    assert page.locator(".field-error .error").inner_text() == "The slug 'acme' is taken; choose another."
    shot(page, "workspaces-create-slug-taken")

    page.fill("input[name=slug]", "")
    with page.expect_navigation():
        page.click("button:has-text('Create workspace')")

    assert page.url == f"{live_server.url}/w/globex-corporation/"
    _toast(page, "Globex Corporation")
    assert not page.js_errors
    shot(page, "workspaces-create-done")


def test_invite_people_and_change_a_role(page: Any, live_server: Any) -> None:
    workspace = _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}{reverse('workspace_members', kwargs={'ws': 'acme'})}")

    # An existing account joins at once
    page.fill("#invite-form input[name=email]", "erin@example.com")
    with page.expect_navigation():
        page.click("#invite-form button[type=submit]")
    _toast(page, "joined as member")
    assert page.locator("#members-table .person-name", has_text="Erin Early").count() == 1

    # A new address gets an invitation, listed as pending
    page.fill("#invite-form input[name=email]", "dan@example.com")
    page.select_option("#invite-form select[name=role]", "guest")
    with page.expect_navigation():
        page.click("#invite-form button[type=submit]")
    _toast(page, "e-mailed them an invitation")
    assert page.locator("#invitations-table").get_by_text("dan@example.com").count() == 1
    shot(page, "workspaces-members-invited")

    # A role changes in place (HTMX swaps the row, no reload)
    bob = Membership.objects.get(workspace=workspace, user__email="bob@example.com")
    row = page.locator(f"#member-{bob.user.public_id}")
    row.locator("select[name=role]").select_option("admin")
    page.evaluate("window.__noReload = true")
    row.locator("button:has-text('Save')").click()
    _toast(page, "Bob Builder is now admin.")
    assert page.evaluate("window.__noReload === true")
    assert row.locator("input[name=version]").input_value() == "2"
    bob.refresh_from_db()
    assert bob.role == Role.ADMIN

    # The last owner cannot step down: the error shows in the row
    me = page.locator(f"#member-{workspace.created_by.public_id}")
    me.locator("select[name=role]").select_option("member")
    me.locator("button:has-text('Save')").click()
    me.locator("[role=alert]").wait_for()
    assert "at least one owner" in me.locator("[role=alert]").inner_text()
    assert not page.js_errors
    shot(page, "workspaces-members-role-changed")

    page.set_viewport_size(PHONE)
    shot(page, "workspaces-members-phone")


def test_a_newcomer_accepts_an_invitation(page: Any, browser: Any, live_server: Any) -> None:
    _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}{reverse('workspace_members', kwargs={'ws': 'acme'})}")
    page.fill("#invite-form input[name=email]", "nina@example.com")
    with page.expect_navigation():
        page.click("#invite-form button[type=submit]")
    link = page.locator("#invitations-table input").first.input_value()

    newcomer = browser.new_context(viewport=PHONE, base_url=live_server.url).new_page()
    newcomer.goto(link)
    assert "Olivia Owner" in newcomer.locator(".auth-card").inner_text()
    shot(newcomer, "workspaces-invitation-anonymous-phone")
    with newcomer.expect_navigation():
        newcomer.click("text=Create account")
    assert newcomer.input_value("input[name=email]") == "nina@example.com"
    newcomer.fill("input[name=name]", "Nina New")
    newcomer.fill("input[name=password]", factories.PASSWORD)
    newcomer.fill("input[name=password_confirm]", factories.PASSWORD)
    with newcomer.expect_navigation():
        newcomer.click("button[type=submit]")
    assert newcomer.url == link
    with newcomer.expect_navigation():
        newcomer.click("button:has-text('Accept and join')")

    assert newcomer.url == f"{live_server.url}/w/acme/"
    _toast(newcomer, "Welcome to Acme")
    assert Membership.objects.filter(workspace__slug="acme", user__email="nina@example.com").exists()
    shot(newcomer, "workspaces-invitation-joined-phone")
    newcomer.context.close()


def test_create_a_team_and_add_a_member(page: Any, live_server: Any) -> None:
    workspace = _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)

    page.goto(f"{live_server.url}{reverse('workspace_teams', kwargs={'ws': 'acme'})}")
    shot(page, "workspaces-teams-empty")
    page.fill("#team-create-form input[name=name]", "Platform")
    page.fill("#team-create-form textarea[name=description]", "APIs, infrastructure and the data model.")
    with page.expect_navigation():
        page.click("#team-create-form button[type=submit]")
    assert page.locator(".topbar-title").inner_text() == "Platform"

    bob = Membership.objects.get(workspace=workspace, user__email="bob@example.com")
    page.select_option("#team-add-form select[name=member]", bob.user.public_id)
    with page.expect_navigation():
        page.click("#team-add-form button[type=submit]")
    _toast(page, "Bob Builder added to Platform")
    assert page.locator("#team-members").get_by_text("Bob Builder").count() == 1
    assert TeamMember.objects.filter(team__name="Platform", user=bob.user).exists()
    shot(page, "workspaces-team")

    page.goto(f"{live_server.url}{reverse('workspace_teams', kwargs={'ws': 'acme'})}")
    assert page.locator("#teams-table td.num").inner_text() == "1"
    assert not page.js_errors
    shot(page, "workspaces-teams")
