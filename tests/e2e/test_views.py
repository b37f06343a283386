"""Views in a real browser: drag a card into another swimlane (it changes hands), bulk edit
labels in the list, edit a cell in place, open the side panel from the board and edit a field
there, save a view. Screenshots at 1280 and 375 px wide."""

from __future__ import annotations

import re
from typing import Any

from labora.work import services
from labora.work.models import SavedView, Task
from labora.work.services import StatusSpec
from tests import factories
from tests.e2e.conftest import PHONE, login, shot

BOARD = "/w/acme/projects/OPS/board/"
LIST = "/w/acme/projects/OPS/"


def _seed() -> None:
    owner = factories.make_user(email="olivia@example.com", name="Olivia Owner")
    workspace = factories.make_workspace(owner=owner, slug="acme", name="Acme")
    bob = factories.add_member(workspace, factories.make_user(email="bob@example.com", name="Bob Builder")).user
    project = services.project_create(actor=owner, workspace=workspace, key="OPS", name="Operations")
    services.workflow_replace(
        actor=owner,
        project=project,
        statuses=[
            StatusSpec("To do", "todo"),
            StatusSpec("Doing", "in_progress", wip_limit=3),
            StatusSpec("Done", "done"),
        ],
        transitions=[],
    )
    services.task_create(
        actor=owner, project=project, title="Rotate the keys", assignee=owner.email, labels=["security"]
    )
    services.task_create(
        actor=owner, project=project, title="Renew the certificate", assignee=bob.email, status="Doing"
    )
    services.task_create(actor=owner, project=project, title="Write the runbook", labels=["docs"])


def _errors(page: Any) -> list[str]:
    """Script and CSP errors, without the live-updates socket, which the test server (WSGI) lacks."""
    return [e for e in page.js_errors if "WebSocket connection" not in e]


def _task(number: int) -> Task:
    return Task.objects.select_related("status", "assignee").get(project__key="OPS", number=number)


def _drag_to(page: Any, key: str, target_selector: str) -> None:
    card = page.locator(f"#card-{key}")
    target = page.locator(target_selector)
    box = card.bounding_box()
    goal = target.bounding_box()
    page.mouse.move(box["x"] + box["width"] - 6, box["y"] + box["height"] - 6)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] - 16, box["y"] + box["height"], steps=4)
    # Straight across first, then down or up into the target: the path crosses no other list's middle.
    x = goal["x"] + goal["width"] / 2
    page.mouse.move(x, box["y"] + box["height"], steps=10)
    page.mouse.move(x, goal["y"] + goal["height"] - 12, steps=16)
    # Settle over the target (SortableJS reads the pointer on its own animation frames).
    for dy in (1, 2, 3):
        page.mouse.move(x, goal["y"] + goal["height"] - 12 + dy)
    page.locator(f"{target_selector} > .is-ghost, {target_selector} > .is-chosen").first.wait_for()
    page.mouse.up()


def test_drag_a_card_into_another_swimlane_reassigns_it(page: Any, live_server: Any) -> None:
    _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}{BOARD}?group=lanes")
    lanes = [" ".join(t.split()) for t in page.locator(".board-lane-title").all_inner_texts()]
    assert lanes == ["BB Bob Builder 1", "OO Olivia Owner 1", "Unassigned 1"]
    bob_lane = page.locator("[data-lane-section]").first.get_attribute("data-lane-section")

    with page.expect_response(lambda r: "/tasks/OPS-1/move/" in r.url) as answer:
        _drag_to(page, "OPS-1", f'[data-board-list][data-lane="{bob_lane}"][data-status="Doing"]')
    assert answer.value.status == 200
    page.locator('#card-OPS-1[data-version="3"]').wait_for()
    shot(page, "views-board-lane-drop")
    assert (_task(1).assignee.email, _task(1).status.name) == ("bob@example.com", "Doing")
    page.reload()
    assert page.locator(f'[data-lane="{bob_lane}"][data-status="Doing"] > [data-key]').count() == 2
    assert not _errors(page)

    page.set_viewport_size(PHONE)
    page.reload()
    shot(page, "views-board-lanes-phone")


def test_board_by_assignee_columns_drag_reassigns(page: Any, live_server: Any) -> None:
    _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}{BOARD}?group=assignee")
    with page.expect_response(lambda r: "/tasks/OPS-3/move/" in r.url) as answer:
        _drag_to(page, "OPS-3", '[data-board-list][data-assignee="bob@example.com"]')
    assert answer.value.status == 200
    page.locator('#card-OPS-3[data-version="2"]').wait_for()
    assert _task(3).assignee.email == "bob@example.com"
    shot(page, "views-board-by-assignee")


def test_bulk_edit_labels_in_the_list(page: Any, live_server: Any) -> None:
    _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}{LIST}")
    page.check('input[data-select][value="OPS-1"]')
    page.check('input[data-select][value="OPS-3"]')
    assert page.locator("#bulk-form").is_visible()
    page.fill("#bulk-labels-add", "ops, urgent")
    page.fill("#bulk-labels-remove", "docs")
    shot(page, "views-list-bulk-labels")
    with page.expect_navigation():
        page.click("#bulk-form button[value=apply]")
    page.locator(".toast, .alert", has_text="Updated: OPS-1, OPS-3").first.wait_for()
    assert sorted(label.name for label in _task(1).labels.all()) == ["ops", "security", "urgent"]
    assert sorted(label.name for label in _task(3).labels.all()) == ["ops", "urgent"]
    assert sorted(label.name for label in _task(2).labels.all()) == []
    assert not _errors(page)


def test_edit_a_cell_in_place(page: Any, live_server: Any) -> None:
    _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}{LIST}")
    with page.expect_response(lambda r: "/tasks/OPS-3/cell/" in r.url):
        page.select_option('select[aria-label="Priority of OPS-3"]', "urgent")
    page.locator('#task-OPS-3 select[aria-label="Priority of OPS-3"].badge-danger').wait_for()
    assert _task(3).priority_name == "urgent"
    shot(page, "views-list-cell-edit")


def test_open_the_side_panel_from_the_board_and_edit_a_field(page: Any, live_server: Any) -> None:
    _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}{BOARD}")
    page.click("#card-OPS-3 .board-card-title")
    panel = page.locator("#task-panel")
    panel.locator("#task-page").wait_for()
    assert re.search(r"[?&]task=OPS-3\b", page.url)
    assert panel.locator("#task-title").inner_text() == "Write the runbook"

    details = panel.locator("form:has(input[name=action][value=details])")
    details.locator("select[name=priority]").select_option("high")
    with page.expect_response(lambda r: "/tasks/OPS-3/" in r.url and r.request.method == "POST") as answer:
        details.locator("button[type=submit]").click()
    assert answer.value.status == 200
    panel.locator("#task-page .badge-warning", has_text="High").wait_for()
    assert _task(3).priority_name == "high"
    assert page.url.startswith(f"{live_server.url}{BOARD}")  # still on the board
    page.locator("#card-OPS-3.prio-high").wait_for()  # the board refreshed behind the panel

    page.reload()  # ?task=OPS-3 opens the panel again
    panel.locator("#task-page").wait_for()
    page.keyboard.press("Escape")
    panel.wait_for(state="hidden")
    assert "task=" not in page.url
    assert not _errors(page)
    page.click("#card-OPS-3 .board-card-title")
    panel.locator("#task-page").wait_for()
    shot(page, "views-panel-board")  # last: a screenshot hides the caret with an inline style


def test_the_side_panel_is_full_screen_on_a_phone(page: Any, live_server: Any) -> None:
    _seed()
    page.set_viewport_size(PHONE)
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}{LIST}?task=OPS-1")
    panel = page.locator("#task-panel")
    panel.locator("#task-page").wait_for()
    box = panel.bounding_box()
    assert (box["x"], box["width"]) == (0, PHONE["width"])
    page.screenshot(path=str(shot.__globals__["ARTIFACTS"] / "views-panel-phone.png"))
    page.click("#task-panel-close")
    panel.wait_for(state="hidden")


def test_save_a_view_and_select_it(page: Any, live_server: Any) -> None:
    _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}{LIST}?q=label%3Asecurity&group=assignee")
    page.click("#view-save-open")
    page.fill("#view-save-name", "Security work")
    page.check("#view-save-shared")
    shot(page, "views-save-dialog")
    with page.expect_navigation():
        page.click("#view-save-form button[type=submit]")
    view = SavedView.objects.get()
    assert (view.name, view.query, view.group_by, view.shared) == ("Security work", "label:security", "assignee", True)
    tab = page.locator(f'.view-tab[data-view="{view.public_id}"]')
    assert tab.get_attribute("aria-current") == "page"
    assert page.locator("#task-results [data-task-row]").count() == 1
    shot(page, "views-saved-tab")

    page.goto(f"{live_server.url}{LIST}")
    with page.expect_navigation():
        page.click(f'.view-tab[data-view="{view.public_id}"]')
    assert page.input_value("#task-q") == "label:security"

    page.set_viewport_size(PHONE)
    page.reload()
    shot(page, "views-list-phone")
    assert not _errors(page)
