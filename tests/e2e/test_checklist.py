"""A task's checklist reorders in a real browser: by dragging an item's handle and by Alt+Up /
Alt+Down on a focused item, on the task page and in the side panel; the order is saved (the
checklist_item_move service, version-checked) and a refused move snaps back with a toast."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from playwright.sync_api import expect

from labora.work import services
from labora.work.models import ChecklistItem, Task
from labora.work.services import checklist as checklist_services
from tests import factories
from tests.e2e.conftest import PHONE, login, shot

ITEMS = ["Buy the domain", "Point DNS at the host", "Order the certificate", "Announce the launch"]


def _seed() -> Task:
    owner = factories.make_user(email="olivia@example.com", name="Olivia Owner")
    workspace = factories.make_workspace(owner=owner, slug="acme", name="Acme")
    project = services.project_create(actor=owner, workspace=workspace, key="OPS", name="Operations")
    task = services.task_create(actor=owner, project=project, title="Launch the status page")
    for text in ITEMS:
        checklist_services.checklist_item_add(actor=owner, task=task, text=text)
    return task


def _saved(task: Task) -> list[str]:
    return [i.text for i in ChecklistItem.objects.filter(task=task).order_by("rank")]


def _expect_shown(scope: Any, items: list[str]) -> None:
    """The checklist shows `items` in this order (waiting, as a reader would, for a live refresh
    that may still be re-rendering it)."""
    expect(scope.locator("#checklist .checklist-text")).to_have_text(items)


def _drag(page: Any, scope: Any, text: str, onto: str, *, below: bool) -> None:
    """Drag the handle of `text` onto the item `onto` (its lower or upper half), as a hand would."""
    handle = scope.get_by_role("button", name=f"Move {text} (drag, or Alt+Up / Alt+Down)")
    # The dependencies load after the page (and push the checklist down); the panel slides in.
    expect(scope.get_by_text("Loading dependencies…")).to_have_count(0)
    scope.locator("#checklist").scroll_into_view_if_needed()
    box = handle.bounding_box()
    for _ in range(20):
        page.wait_for_timeout(50)
        still = handle.bounding_box()
        if still == box:
            break
        box = still
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2 + 4, steps=3)
    # Where the target is once the drag has started (a busy machine may still be laying out).
    goal = scope.locator(".checklist-item", has_text=onto).bounding_box()
    y = goal["y"] + goal["height"] * (0.8 if below else 0.2)
    page.mouse.move(goal["x"] + goal["width"] / 2, y, steps=12)
    page.wait_for_timeout(100)  # let the sorter take the last position before the drop
    page.mouse.up()


def _move_answer(response: Any) -> bool:
    return "/checklist/" in response.url and response.url.endswith("/move") and response.request.method == "POST"


def test_drag_and_keyboard_reorder_the_checklist_on_the_task_page(page: Any, live_server: Any) -> None:
    task = _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}{reverse('task_detail', kwargs={'ws': 'acme', 'task_key': task.key})}")
    expect(page.locator("#checklist .checklist-item")).to_have_count(4)
    # The up/down buttons are the no-JavaScript fallback only.
    expect(page.get_by_role("button", name="Move Buy the domain down")).to_have_count(0)

    # Drag the last item above the first.
    with page.expect_response(_move_answer) as answer:
        _drag(page, page, "Announce the launch", "Buy the domain", below=False)
    assert answer.value.status == 200
    expected = ["Announce the launch", "Buy the domain", "Point DNS at the host", "Order the certificate"]
    _expect_shown(page, expected)
    assert _saved(task) == expected

    # Alt+Down twice on a focused handle, then Alt+Up once: each move saved with the new version.
    handle = page.get_by_role("button", name="Move Buy the domain (drag, or Alt+Up / Alt+Down)")
    handle.focus()
    item = page.locator(".checklist-item", has_text="Buy the domain")
    for key in ("Alt+ArrowDown", "Alt+ArrowDown", "Alt+ArrowUp"):
        with page.expect_response(_move_answer) as answer:
            page.keyboard.press(key)
        assert answer.value.status == 200
        expect(item).not_to_have_attribute("aria-busy", "true")  # its new version is kept
    expected = ["Announce the launch", "Point DNS at the host", "Buy the domain", "Order the certificate"]
    _expect_shown(page, expected)
    assert _saved(task) == expected
    assert page.evaluate("document.activeElement.getAttribute('aria-label')").startswith("Move Buy the domain")
    expect(page.locator("[data-checklist-status]")).to_have_text("Buy the domain: moved to position 3 of 4.")

    # Ticking still works after the moves (its form carries the item's new version).
    page.click("button[aria-label='Tick Buy the domain']")
    expect(page.locator("#checklist-count")).to_have_text("1/4")
    assert not page.js_errors
    shot(page, "checklist-reorder-desktop")


def test_a_refused_move_snaps_back_with_a_toast(page: Any, live_server: Any) -> None:
    task = _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}{reverse('task_detail', kwargs={'ws': 'acme', 'task_key': task.key})}")
    expect(page.locator("#checklist .checklist-item")).to_have_count(4)
    # Someone else edits the first item meanwhile: the page's version of it is stale.
    first = ChecklistItem.objects.get(task=task, text="Buy the domain")
    checklist_services.checklist_item_update(actor=task.reporter, item=first, text="Buy the domain")
    checklist_services.checklist_item_update(actor=task.reporter, item=first, done=True)

    page.get_by_role("button", name="Move Buy the domain (drag, or Alt+Up / Alt+Down)").focus()
    with page.expect_response(_move_answer) as answer:
        page.keyboard.press("Alt+ArrowDown")
    assert answer.value.status == 409
    expect(page.locator(".toast-error")).to_be_visible()
    expect(page.locator(".toast-error")).to_contain_text("changed")
    _expect_shown(page, ITEMS)  # back where it was
    assert _saved(task) == ITEMS
    shot(page, "checklist-refused-move")


def test_reorder_in_the_side_panel_and_on_a_phone(page: Any, live_server: Any) -> None:
    task = _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    board = reverse("project_board", kwargs={"ws": "acme", "key": "OPS"})
    page.goto(f"{live_server.url}{board}?task={task.key}")
    panel = page.locator("#task-panel")
    panel.locator("#task-page #checklist").wait_for()

    with page.expect_response(_move_answer) as answer:
        _drag(page, panel, "Buy the domain", "Order the certificate", below=True)
    assert answer.value.status == 200
    expected = ["Point DNS at the host", "Order the certificate", "Buy the domain", "Announce the launch"]
    _expect_shown(panel, expected)
    assert _saved(task) == expected

    panel.get_by_role("button", name="Move Announce the launch (drag, or Alt+Up / Alt+Down)").focus()
    with page.expect_response(_move_answer):
        page.keyboard.press("Alt+ArrowUp")
    expected = ["Point DNS at the host", "Order the certificate", "Announce the launch", "Buy the domain"]
    expect(panel.locator("#checklist .checklist-item").nth(2)).to_contain_text("Announce the launch")
    assert _saved(task) == expected
    assert not page.js_errors
    shot(page, "checklist-panel")

    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}{reverse('task_detail', kwargs={'ws': 'acme', 'task_key': task.key})}")
    expect(page.locator("#checklist .checklist-item")).to_have_count(4)
    _expect_shown(page, expected)
    shot(page, "checklist-phone")
    assert not page.js_errors
