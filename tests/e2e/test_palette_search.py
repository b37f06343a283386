"""The command palette searches tasks as you type (full-text, ranked) and Enter opens one."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from labora.work import services
from tests import factories
from tests.e2e.conftest import login, shot


def _script_errors(page: Any) -> list[str]:
    # The test server speaks plain HTTP: the live-updates websocket cannot connect there.
    return [e for e in page.js_errors if "WebSocket" not in e]


def _seed() -> None:
    owner = factories.make_user(email="olivia@example.com", name="Olivia Owner")
    workspace = factories.make_workspace(owner=owner, slug="acme", name="Acme")
    ops = services.project_create(actor=owner, workspace=workspace, key="OPS", name="Operations")
    web = services.project_create(actor=owner, workspace=workspace, key="WEB", name="Website")
    services.task_create(actor=owner, project=ops, title="Renew the TLS certificate", description="Before March")
    services.task_create(actor=owner, project=web, title="Certificate page", description="Show our certificates")
    services.task_create(actor=owner, project=web, title="Landing page copy")
    stranger = factories.make_user()
    other = factories.make_workspace(owner=stranger, slug="globex", name="Globex")
    theirs = services.project_create(actor=stranger, workspace=other, key="SEC", name="Secret")
    services.task_create(actor=stranger, project=theirs, title="Certificate of the merger")


def test_typing_in_the_palette_finds_tasks_and_enter_opens_one(page: Any, live_server: Any) -> None:
    _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)

    page.keyboard.press("Control+k")
    palette = page.locator("dialog.palette")
    palette.wait_for(state="visible")
    page.keyboard.type("certif")
    tasks = palette.locator(".palette-group[aria-label='Tasks']")
    expect(tasks).to_be_visible()
    labels = tasks.locator(".palette-item-label")
    expect(labels).to_have_count(2)  # the other workspace's certificate is never found
    # Best first: WEB-1 says it in its title and its description, OPS-1 only in its title.
    assert labels.all_inner_texts() == ["WEB-1 Certificate page", "OPS-1 Renew the TLS certificate"]
    assert tasks.locator(".palette-item-hint").all_inner_texts() == ["Website", "Operations"]
    # Tasks lead (no command starts with the text), so the first task is the active item.
    active = palette.locator(".palette-item.is-active .palette-item-label")
    assert active.inner_text() == "WEB-1 Certificate page"
    shot(page, "palette-search-tasks")

    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{live_server.url}/w/acme/tasks/WEB-1/"
    assert not _script_errors(page)


def test_more_words_narrow_the_search_and_commands_stay(page: Any, live_server: Any) -> None:
    _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)

    page.keyboard.press("Control+k")
    palette = page.locator("dialog.palette")
    palette.wait_for(state="visible")
    page.keyboard.type("renew tls")
    labels = palette.locator(".palette-group[aria-label='Tasks'] .palette-item-label")
    expect(labels).to_have_text(["OPS-1 Renew the TLS certificate"])
    page.keyboard.press("Control+a")
    page.keyboard.type("proj")
    # "Projects" starts with the text: the command stays on top, tasks (none match) add nothing.
    expect(palette.locator(".palette-item.is-active .palette-item-label")).to_have_text("Projects")
    page.keyboard.press("Control+a")
    page.keyboard.type("zzzz")
    expect(palette.locator(".palette-empty")).to_have_text("No command or task matches. Try another word.")
    shot(page, "palette-search-empty")
    assert not _script_errors(page)
