"""The application shell in a real browser: sign in, the workspace home, the command
palette, keyboard shortcuts and the phone drawer."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from playwright.sync_api import expect

from labora.workspaces.selectors import workspace_for_user
from labora.workspaces.services import member_invite, team_create
from tests import factories
from tests.e2e.conftest import PHONE, login, shot


def _seed() -> Any:
    owner = factories.make_user(email="olivia@example.com", name="Olivia Owner")
    workspace = factories.make_workspace(owner=owner, slug="acme", name="Acme")
    factories.make_workspace(owner=owner, slug="globex", name="Globex")
    _, membership = workspace_for_user(user=owner, slug="acme")
    for name, email in (("Bob Builder", "bob@example.com"), ("Carla Chen", "carla@example.com")):
        factories.add_member(workspace, factories.make_user(email=email, name=name))
    member_invite(actor=owner, workspace=workspace, membership=membership, email="dan@example.com", role="guest")
    team_create(actor=owner, workspace=workspace, membership=membership, name="Platform")
    return owner


def test_sign_in_lands_on_the_workspace_home(page: Any, live_server: Any) -> None:
    _seed()

    login(page, live_server, "olivia@example.com", factories.PASSWORD)

    assert page.url == f"{live_server.url}/w/acme/"
    assert page.locator(".overview-head h1").inner_text() == "Acme"
    assert page.locator("#home-activity").get_by_text("created the team").count() == 1
    # The bundle loaded (served by the live server) and Alpine started without CSP errors.
    assert page.evaluate("typeof window.Alpine === 'object' && typeof window.htmx === 'object'")
    assert not page.js_errors
    shot(page, "shell-home-desktop")


def test_command_palette_jumps_to_a_page(page: Any, live_server: Any) -> None:
    _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)

    page.keyboard.press("Control+k")
    palette = page.locator("dialog.palette")
    palette.wait_for(state="visible")
    page.keyboard.type("activ")
    first = palette.locator(".palette-item.is-active")
    assert first.locator(".palette-item-label").inner_text() == "Activity"
    shot(page, "shell-palette-desktop")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.url == f"{live_server.url}{reverse('workspace_activity', kwargs={'ws': 'acme'})}"
    assert page.locator(".feed-item").count() >= 2
    assert not page.js_errors


def test_command_palette_moves_with_arrows_and_closes_with_escape(page: Any, live_server: Any) -> None:
    _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)

    page.click(".search-trigger")
    palette = page.locator("dialog.palette")
    palette.wait_for(state="visible")
    page.keyboard.type("glbx")  # fuzzy: Globex
    assert palette.locator(".palette-item-label").first.inner_text() == "Globex"
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.press("ArrowDown")
    assert palette.locator(".palette-item").nth(1).get_attribute("aria-selected") == "true"
    page.keyboard.press("Escape")
    palette.wait_for(state="hidden")


def test_keyboard_shortcuts_go_somewhere_but_not_while_typing(page: Any, live_server: Any) -> None:
    _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)

    page.keyboard.press("Shift+?")
    page.get_by_role("heading", name="Keyboard shortcuts").wait_for(state="visible")
    page.keyboard.press("Escape")
    with page.expect_navigation():
        page.keyboard.press("g")
        page.keyboard.press("a")
    assert page.url.endswith("/w/acme/activity/")

    page.locator("select[name=kind]").focus()
    page.keyboard.press("g")
    page.keyboard.press("h")
    page.wait_for_timeout(300)
    assert page.url.endswith("/w/acme/activity/")


def test_phone_drawer_opens_and_navigates(page: Any, live_server: Any) -> None:
    _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.set_viewport_size(PHONE)
    page.reload()

    sidebar = page.locator("#sidebar")
    assert not sidebar.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "shell-home-phone")

    page.get_by_role("button", name="Open navigation").click()
    sidebar.get_by_role("link", name="Activity").wait_for(state="visible")
    shot(page, "shell-drawer-phone")
    with page.expect_navigation():
        sidebar.get_by_role("link", name="Activity").click()

    assert page.url.endswith("/w/acme/activity/")
    assert not sidebar.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "shell-activity-phone")


def test_workspace_switcher_and_user_menu(page: Any, live_server: Any) -> None:
    _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)

    page.click(".ws-switcher")
    menu = page.locator("#ws-menu")
    menu.wait_for(state="visible")
    shot(page, "shell-switcher-desktop")
    with page.expect_navigation():
        menu.get_by_role("menuitem", name="Globex").click()
    assert page.url.endswith("/w/globex/")

    page.click(".user-button")
    page.locator("#user-menu").wait_for(state="visible")
    page.keyboard.press("Escape")
    page.locator("#user-menu").wait_for(state="hidden")
    page.click(".user-button")
    with page.expect_navigation():
        page.get_by_role("menuitem", name="Sign out").click()
    assert reverse("login") in page.url


def test_activity_filter_updates_the_list_in_place(page: Any, live_server: Any) -> None:
    _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}{reverse('workspace_activity', kwargs={'ws': 'acme'})}")
    page.evaluate("window.__sameDocument = true")

    page.select_option("select[name=kind]", "team")
    page.wait_for_url("**/activity/?kind=team*")  # (and the person filter, empty)

    expect(page.locator(".feed-item")).to_have_count(1)
    expect(page.locator(".feed-item")).to_contain_text("Olivia Owner created the team Platform")
    assert page.evaluate("window.__sameDocument") is True  # swapped by HTMX, not reloaded
    assert not page.js_errors
