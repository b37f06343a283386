"""The inbox in a browser: the bell's unread count, marking read with the keyboard and the
mouse, "Mark all read", a new notification arriving live, archiving with E, and a phone."""

from __future__ import annotations

import re
import threading
from typing import Any

from playwright.sync_api import expect

from labora.work import services
from tests import factories
from tests.e2e.conftest import PHONE, TIMEOUT_MS, login, shot

BELL = "[data-inbox-bell] [data-inbox-count]"


def _seed() -> tuple[Any, Any]:
    owner = factories.make_user(email="olivia@example.com", name="Olivia Owner")
    alice = factories.make_user(email="alice@example.com", name="Alice Adams")
    workspace = factories.make_workspace(owner=owner, slug="acme", name="Acme")
    factories.add_member(workspace, alice)
    project = services.project_create(actor=owner, workspace=workspace, key="OPS", name="Operations")
    for title in ("Renew the TLS certificate", "Review the release notes", "Plan the offsite"):
        services.task_create(actor=owner, project=project, title=title, assignee=alice.email)
    return owner, project


def test_the_inbox_counts_marks_read_and_updates_live(page: Any, live_server: Any) -> None:
    owner, project = _seed()
    login(page, live_server, "alice@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}/w/acme/")

    bell = page.locator(BELL)
    bell.wait_for(state="visible", timeout=TIMEOUT_MS)
    assert bell.inner_text().startswith("3")

    page.click("[data-inbox-bell]")
    page.wait_for_url("**/w/acme/inbox/")
    items = page.locator("[data-inbox-item]")
    assert items.count() == 3
    assert page.locator("[data-inbox-item].is-unread").count() == 3
    assert "Olivia Owner assigned you" in items.first.inner_text()
    shot(page, "inbox-desktop")

    # Keyboard: j focuses the first row, u marks it read; the bell follows.
    page.keyboard.press("j")
    page.keyboard.press("u")
    expect(page.locator("[data-inbox-item].is-unread")).to_have_count(2, timeout=TIMEOUT_MS)
    expect(page.locator(BELL)).to_have_text(re.compile(r"^2\b"), timeout=TIMEOUT_MS)

    # Mark all read: the bell disappears.
    page.click("[data-read-all]")
    page.wait_for_url("**/w/acme/inbox/")
    assert page.locator("[data-inbox-item].is-unread").count() == 0
    expect(page.locator(BELL)).to_be_hidden(timeout=TIMEOUT_MS)

    # Live: a new assignment shows up without a reload, and the bell counts it.
    expect(page.locator("[data-live-workspace]")).to_have_attribute("data-live-state", "open", timeout=TIMEOUT_MS)
    # From another thread, like a request of someone else: this one runs Playwright's event loop.
    writer = threading.Thread(
        target=services.task_create,
        kwargs={"actor": owner, "project": project, "title": "Call the auditor", "assignee": "alice@example.com"},
    )
    writer.start()
    writer.join(TIMEOUT_MS / 1000)
    expect(page.locator("[data-inbox-item]")).to_have_count(4, timeout=TIMEOUT_MS)
    expect(page.locator(BELL)).to_have_text(re.compile(r"^1\b"), timeout=TIMEOUT_MS)
    assert "Call the auditor" in page.locator("[data-inbox-item].is-unread").inner_text()

    # E archives the focused row: it leaves the inbox.
    page.locator("[data-inbox-item] [data-inbox-link]").last.focus()
    page.keyboard.press("e")
    expect(page.locator("[data-inbox-item]")).to_have_count(3, timeout=TIMEOUT_MS)

    # Clicking an item goes to the task and marks it read.
    page.locator("[data-inbox-item].is-unread [data-inbox-link]").click()
    page.wait_for_url("**/w/acme/tasks/OPS-4/")
    expect(page.locator(BELL)).to_be_hidden(timeout=TIMEOUT_MS)
    assert not page.js_errors


def test_the_inbox_and_preferences_on_a_phone(browser: Any, live_server: Any) -> None:
    _seed()
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        login(page, live_server, "alice@example.com", factories.PASSWORD)
        page.goto(f"{live_server.url}/w/acme/inbox/")
        page.locator(BELL).wait_for(state="visible", timeout=TIMEOUT_MS)
        assert page.locator("[data-inbox-item]").count() == 3
        shot(page, "inbox-phone")
        page.goto(f"{live_server.url}/w/acme/settings/notifications/")
        shot(page, "notification-preferences-phone")
        page.check("input[name='email:task.status_changed']")
        page.check("input[name=email_mode][value=daily]")
        with page.expect_navigation():
            page.click("#prefs-form button[type=submit]")
        assert page.locator("input[name='email:task.status_changed']").is_checked()
        assert page.locator("input[name=email_mode][value=daily]").is_checked()
        page.goto(f"{live_server.url}/w/acme/projects/OPS/")
        page.locator("#project-watch button").wait_for(state="visible", timeout=TIMEOUT_MS)
        shot(page, "project-watch-phone")
    finally:
        context.close()
    assert errors == []


def test_the_preferences_page_and_watch_button_on_a_desktop(page: Any, live_server: Any) -> None:
    _seed()
    login(page, live_server, "alice@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}/w/acme/settings/notifications/")
    shot(page, "notification-preferences-desktop")
    page.goto(f"{live_server.url}/w/acme/projects/OPS/")
    button = page.locator("#project-watch button")
    button.wait_for(state="visible", timeout=TIMEOUT_MS)
    assert button.get_attribute("aria-pressed") == "false"
    button.click()
    expect(page.locator("#project-watch button")).to_have_attribute("aria-pressed", "true", timeout=TIMEOUT_MS)
    shot(page, "project-watching")
    assert not page.js_errors
