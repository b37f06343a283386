"""The board in a real browser: drag a card to another column and it stays there; a move past
a WIP limit is refused, the card goes back and a toast says why; the board on a phone; a long
column's "Show more" and a drag of a card it brought."""

from __future__ import annotations

from typing import Any

from labora.accounts.models import User
from labora.work import services
from labora.work.models import Task
from labora.work.services import StatusSpec
from labora.work.views import board as board_view
from tests import factories
from tests.e2e.conftest import PHONE, login, shot

BOARD = "/w/acme/projects/OPS/board/"


def _seed() -> None:
    owner = factories.make_user(email="olivia@example.com", name="Olivia Owner")
    workspace = factories.make_workspace(owner=owner, slug="acme", name="Acme")
    project = services.project_create(actor=owner, workspace=workspace, key="OPS", name="Operations")
    services.workflow_replace(
        actor=owner,
        project=project,
        statuses=[
            StatusSpec("To do", "todo"),
            StatusSpec("Doing", "in_progress", wip_limit=1),
            StatusSpec("Done", "done"),
        ],
        transitions=[],
    )
    services.task_create(actor=owner, project=project, title="Already busy", status="Doing", priority="high")
    services.task_create(actor=owner, project=project, title="Write the launch post", labels=["content"])
    services.task_create(
        actor=owner,
        project=project,
        title="Fix the sign-in bug",
        priority="urgent",
        assignee=owner.email,
        labels=["bug"],
    )


def _column_keys(page: Any, status: str) -> list[str]:
    return page.locator(f'[data-board-list][data-status="{status}"] > [data-key]').evaluate_all(
        "cards => cards.map(c => c.dataset.key)"
    )


def _drag(page: Any, key: str, status: str) -> None:
    card = page.locator(f"#card-{key}")
    lane = card.evaluate("c => c.parentElement.dataset.lane || ''")
    in_lane = f'[data-lane="{lane}"]' if lane else ""
    target = page.locator(f'[data-board-list]{in_lane}[data-status="{status}"]')
    box = card.bounding_box()
    goal = target.bounding_box()
    # Grab the card by its padding (links inside it are not drag handles).
    page.mouse.move(box["x"] + box["width"] - 6, box["y"] + box["height"] - 6)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] - 16, box["y"] + box["height"], steps=4)
    page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + goal["height"] - 10, steps=12)
    page.mouse.up()


def test_drag_a_card_to_another_column_and_it_stays_there(page: Any, live_server: Any) -> None:
    _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}{BOARD}")
    assert _column_keys(page, "To do") == ["OPS-2", "OPS-3"]
    assert page.locator('[data-status="Doing"] [data-board-count]').inner_text() == "1 / 1"
    shot(page, "board-desktop")

    with page.expect_response(lambda r: "/tasks/OPS-3/move/" in r.url) as answer:
        _drag(page, "OPS-3", "Done")
    assert answer.value.status == 200
    page.locator('#card-OPS-3[data-version="2"]').wait_for()
    assert _column_keys(page, "Done") == ["OPS-3"]

    page.reload()
    assert _column_keys(page, "Done") == ["OPS-3"]
    assert _column_keys(page, "To do") == ["OPS-2"]
    assert Task.objects.get(number=3).status.name == "Done"
    assert not page.js_errors


def test_a_move_past_the_wip_limit_puts_the_card_back_and_says_why(page: Any, live_server: Any) -> None:
    _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}{BOARD}")

    with page.expect_response(lambda r: "/tasks/OPS-2/move/" in r.url) as answer:
        _drag(page, "OPS-2", "Doing")
    assert answer.value.status == 422
    page.locator("#toasts .toast", has_text="WIP limit").wait_for(state="visible")
    assert _column_keys(page, "To do") == ["OPS-2", "OPS-3"]
    assert _column_keys(page, "Doing") == ["OPS-1"]
    assert page.locator('[data-status="Doing"] [data-board-count]').inner_text() == "1 / 1"
    shot(page, "board-wip-refused")
    assert Task.objects.get(number=2).status.name == "To do"


def test_quick_add_puts_a_card_at_the_bottom_of_its_column(page: Any, live_server: Any) -> None:
    _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}{BOARD}")
    column = page.locator('[data-board-column][data-status="Done"]')
    column.locator("input[name=title]").fill("Celebrate")
    column.locator("input[name=title]").press("Enter")
    page.locator('[data-board-list][data-status="Done"] > [data-key="OPS-4"]').wait_for()
    assert page.locator('[data-status="Done"] [data-board-count]').inner_text() == "1"
    assert not page.js_errors


def test_the_board_scrolls_sideways_on_a_phone(page: Any, live_server: Any) -> None:
    _seed()
    page.set_viewport_size(PHONE)
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}{BOARD}")
    widths = page.locator("#board").evaluate("b => [b.scrollWidth, b.clientWidth]")
    assert widths[0] > widths[1]
    body_overflow = page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert body_overflow
    shot(page, "board-phone")


def test_swimlanes_by_assignee_and_a_move_inside_a_lane(page: Any, live_server: Any) -> None:
    _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}{BOARD}")
    with page.expect_navigation():
        page.select_option("#board-group", "lanes")  # submits itself
    titles = [" ".join(t.split()) for t in page.locator(".board-lane-title").all_inner_texts()]
    assert titles == ["OO Olivia Owner 1", "Unassigned 2"]
    with page.expect_response(lambda r: "/tasks/OPS-3/move/" in r.url) as answer:
        _drag(page, "OPS-3", "Done")
    assert answer.value.status == 200
    page.locator('#card-OPS-3[data-version="2"]').wait_for()
    assert page.locator('[data-board-column][data-status="Done"] [data-board-count]').inner_text() == "1"
    shot(page, "board-swimlanes")
    assert Task.objects.get(number=3).status.name == "Done"
    assert not page.js_errors


def test_show_more_appends_the_rest_of_a_long_column_and_an_appended_card_can_be_dragged(
    page: Any, live_server: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(board_view, "BOARD_COLUMN_PAGE", 3)  # the live server runs in this process
    _seed()
    owner = User.objects.get(email="olivia@example.com")
    project = Task.objects.get(number=1).project
    for i in range(4):
        services.task_create(actor=owner, project=project, title=f"Backlog {i}")
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}{BOARD}")
    todo = page.locator('[data-board-column][data-status="To do"]')
    assert _column_keys(page, "To do") == ["OPS-2", "OPS-3", "OPS-4"]
    assert todo.locator("[data-board-count]").inner_text() == "6"  # every card, not the three shown

    more = todo.locator("[data-board-more]")
    assert more.inner_text() == "Show 3 more"
    more.focus()
    more.press("Enter")
    page.locator('[data-board-list][data-status="To do"] > [data-key="OPS-7"]').wait_for()
    assert _column_keys(page, "To do") == ["OPS-2", "OPS-3", "OPS-4", "OPS-5", "OPS-6", "OPS-7"]
    assert todo.locator("[data-board-more]").count() == 0
    assert page.evaluate("() => document.activeElement.closest('[data-key]').dataset.key") == "OPS-5"
    shot(page, "board-show-more")

    # A live refresh re-renders the whole board and keeps the cards "Show more" loaded.
    page.evaluate("() => { document.getElementById('board').dataset.stale = '1'; }")
    with page.expect_response(lambda r: "long=" in r.url and "/board/" in r.url) as refreshed:
        page.evaluate("() => window.dispatchEvent(new CustomEvent('labora:task-changed'))")
    assert refreshed.value.status == 200
    page.wait_for_function("() => !document.getElementById('board').dataset.stale")
    assert _column_keys(page, "To do") == ["OPS-2", "OPS-3", "OPS-4", "OPS-5", "OPS-6", "OPS-7"]
    assert todo.locator("[data-board-more]").count() == 0

    with page.expect_response(lambda r: "/tasks/OPS-7/move/" in r.url) as answer:
        _drag(page, "OPS-7", "Done")
    assert answer.value.status == 200
    page.locator('#card-OPS-7[data-version="2"]').wait_for()
    assert _column_keys(page, "Done") == ["OPS-7"]
    assert todo.locator("[data-board-count]").inner_text() == "5"
    assert page.locator('[data-board-column][data-status="Done"] [data-board-count]').inner_text() == "1"

    page.reload()
    assert _column_keys(page, "Done") == ["OPS-7"]
    assert Task.objects.get(number=7).status.name == "Done"
    assert not page.js_errors
