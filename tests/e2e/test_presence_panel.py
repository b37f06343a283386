"""Presence in the task side panel: who else views a task shows in the panel opened from the
list, the board or My work, as on the task page; closing the panel, or showing another task,
leaves the task for the others."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from labora.work import services
from tests import factories
from tests.e2e.conftest import PHONE, open_signed_in, settle, shot


def _seed() -> dict[str, Any]:
    ann = factories.make_user(email="ann@example.com", name="Ann Able")
    bob = factories.make_user(email="bob@example.com", name="Bob Baker")
    workspace = factories.make_workspace(owner=ann, slug="acme", name="Acme")
    factories.add_member(workspace, bob)
    project = services.project_create(actor=ann, workspace=workspace, key="OPS", name="Operations")
    first = services.task_create(actor=ann, project=project, title="Renew the TLS certificate", assignee=bob.email)
    second = services.task_create(actor=ann, project=project, title="Rotate the API keys")
    return {"ann": ann, "bob": bob, "first": first, "second": second}


def test_the_side_panel_shows_who_else_views_the_task_and_leaves_on_close(browser: Any, live_server: Any) -> None:
    data = _seed()
    first, second = data["first"].key, data["second"].key
    task_page = reverse("task_detail", kwargs={"ws": "acme", "task_key": first})
    tasks = reverse("project_tasks", kwargs={"ws": "acme", "key": "OPS"})
    bob_context, bob, bob_errors = open_signed_in(browser, live_server, "bob@example.com", task_page)
    ann_context, ann, ann_errors = open_signed_in(browser, live_server, "ann@example.com", tasks)
    try:
        bob_presence = bob.locator(".topbar [data-live-presence]")
        assert bob_presence.is_hidden()  # alone on the task

        # Ann opens the task in the side panel from the list: each sees the other.
        ann.locator(f'a[data-panel-link][data-task="{first}"]').first.click()
        ann.locator("#task-panel-body #task-title").wait_for()
        panel_presence = ann.locator("#task-panel [data-live-presence]")
        panel_presence.locator('[aria-label="Bob Baker"]').wait_for(timeout=4000)
        assert "Also viewing" in panel_presence.inner_text()
        bob_presence.locator('[aria-label="Ann Able"]').wait_for(timeout=4000)
        shot(ann, "presence-panel-desktop")

        # Another task in the panel: Ann leaves the first one, and sees nobody on the second.
        ann.locator(f'a[data-panel-link][data-task="{second}"]').first.click()
        ann.locator("#task-panel-body #task-title", has_text="Rotate the API keys").wait_for()
        bob_presence.wait_for(state="hidden", timeout=4000)
        assert panel_presence.is_hidden()

        # Back to the first, then the panel closes (Escape): Bob is alone again.
        ann.locator(f'a[data-panel-link][data-task="{first}"]').first.click()
        panel_presence.locator('[aria-label="Bob Baker"]').wait_for(timeout=4000)
        bob_presence.locator('[aria-label="Ann Able"]').wait_for(timeout=4000)
        ann.locator("#task-panel-close").click()
        ann.locator("#task-panel").wait_for(state="hidden")
        bob_presence.wait_for(state="hidden", timeout=4000)
        assert not ann_errors, ann_errors
        assert not bob_errors, bob_errors
        settle(ann, bob, ms=400)
    finally:
        ann_context.close()
        bob_context.close()


def test_presence_in_the_panel_from_my_work_on_a_phone(browser: Any, live_server: Any) -> None:
    data = _seed()
    key = data["first"].key
    tasks = reverse("project_tasks", kwargs={"ws": "acme", "key": "OPS"})
    my_work = reverse("my_work", kwargs={"ws": "acme"})
    # Ann has the task open in the panel (?task= in the address opens it on load).
    ann_context, ann, ann_errors = open_signed_in(browser, live_server, "ann@example.com", f"{tasks}?task={key}")
    bob_context, bob, bob_errors = open_signed_in(browser, live_server, "bob@example.com", my_work, viewport=PHONE)
    try:
        bob.locator(f'a[data-panel-link][data-task="{key}"]').first.click()
        bob.locator("#task-panel-body #task-title").wait_for()
        bob.locator('#task-panel [data-live-presence] [aria-label="Ann Able"]').wait_for(timeout=4000)
        ann.locator('#task-panel [data-live-presence] [aria-label="Bob Baker"]').wait_for(timeout=4000)
        shot(bob, "presence-panel-phone")
        assert bob.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        bob.keyboard.press("Escape")
        bob.locator("#task-panel").wait_for(state="hidden")
        ann.locator("#task-panel [data-live-presence]").wait_for(state="hidden", timeout=4000)
        assert not ann_errors, ann_errors
        assert not bob_errors, bob_errors
        settle(ann, bob, ms=400)
    finally:
        ann_context.close()
        bob_context.close()
