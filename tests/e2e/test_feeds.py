"""Activity feeds in a browser: a project's feed filtered by kind, with new entries arriving live
at the top while it is open; the person page; phone width."""

from __future__ import annotations

from typing import Any

from labora.chat import services as chat
from labora.core.models import DomainEvent
from labora.work.services import project_create, task_create, task_update
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE, login, new_page, shot


def _seed() -> dict[str, Any]:
    from labora.core.events import dispatch

    ann = factories.make_user(email="ann@example.com", name="Ann Able")
    bob = factories.make_user(email="bob@example.com", name="Bob Baker")
    workspace = factories.make_workspace(owner=ann, slug="acme", name="Acme")
    factories.add_member(workspace, bob)
    ops = project_create(actor=ann, workspace=workspace, key="OPS", name="Operations")
    task = task_create(actor=ann, project=ops, title="Rotate the keys")
    task_update(actor=bob, task=task, priority="high", title="Rotate every key")
    channel = chat.channel_for_project(actor=bob, project=ops)
    chat.message_post(actor=bob, channel=channel, body="Keys are rotated, see OPS-1")
    dispatch(DomainEvent.objects.filter(delivered_at__isnull=True).values_list("id", flat=True))
    return {"ann": ann, "bob": bob, "ops": ops, "task": task, "channel": channel}


def test_a_project_feed_filtered_by_kind_updates_live(browser: Any, live_server: Any) -> None:
    data = _seed()
    context, page, errors = new_page(browser, live_server)
    try:
        login(page, live_server, "ann@example.com", factories.PASSWORD)
        page.goto(f"{live_server.url}/w/acme/projects/OPS/board/")
        page.locator(".project-nav").get_by_role("link", name="Activity").click()
        page.locator(".feed-item", has_text="Rotate every key").first.wait_for()
        # Field-level before/after of the update.
        update = page.locator(".feed-item", has_text="priority").first.inner_text()
        assert "Bob Baker" in update
        assert "high" in update
        shot(page, "feed-project-all")

        with page.expect_navigation():
            page.select_option("select[name=kind]", "task")
        assert "kind=task" in page.url
        assert page.locator(".feed-item", has_text="wrote in").count() == 0
        assert page.locator(".feed-item").count() >= 2
        page.locator('main[data-live-state="open"]').wait_for()

        # Bob changes a task meanwhile: it appears at the top without a reload...
        page.evaluate("window.__sameDocument = true")
        task_update(actor=data["bob"], task=data["task"], priority="urgent")
        top = page.locator("#feed-items .feed-item").first
        top.filter(has_text="urgent").wait_for(timeout=4000)
        # ...while a chat message (another kind) does not.
        chat.message_post(actor=data["bob"], channel=data["channel"], body="Done for today")
        page.wait_for_timeout(1500)
        assert page.locator(".feed-item", has_text="Done for today").count() == 0
        assert page.evaluate("window.__sameDocument") is True
        shot(page, "feed-project-tasks-live")

        page.set_viewport_size(PHONE)
        shot(page, "feed-project-phone")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        # The actor's avatar leads to what that person did.
        page.set_viewport_size(DESKTOP)
        page.locator(".feed-actor").first.click()
        page.wait_for_url("**/people/*/activity/")
        page.locator("h2", has_text="Bob Baker").wait_for()
        shot(page, "feed-person")
        assert not errors, errors
        # Let the page finish its websocket hello before the database is flushed (PostgreSQL).
        page.locator('main[data-live-state="open"]').wait_for()
        page.wait_for_timeout(600)
    finally:
        context.close()
