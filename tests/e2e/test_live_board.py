"""Live updates in real browsers: two people have the same board open; one drags a card to
another column and the other's board shows it there without a reload — while the second person
keeps what they were typing in the board's "+ Add a task" box.

pytest-django's live_server speaks WSGI (no websockets), so these tests serve the app with
uvicorn (labora.asgi, as `labora serve` does) on a thread of this process, against the test
database."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from labora.work import services
from labora.work.services import StatusSpec
from tests import factories
from tests.e2e.conftest import open_signed_in, shot

BOARD = "/w/acme/projects/OPS/board/"


@pytest.fixture
def asgi_server(transactional_db: Any) -> Iterator[SimpleNamespace]:
    import uvicorn

    from labora.asgi import application

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(application, host="127.0.0.1", port=port, lifespan="off", log_config=None, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="asgi-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    yield SimpleNamespace(url=f"http://127.0.0.1:{port}")
    server.should_exit = True
    thread.join(10)


def _seed() -> None:
    owner = factories.make_user(email="olivia@example.com", name="Olivia Owner")
    member = factories.make_user(email="mo@example.com", name="Mo Member")
    workspace = factories.make_workspace(owner=owner, slug="acme", name="Acme")
    factories.add_member(workspace, member)
    project = services.project_create(actor=owner, workspace=workspace, key="OPS", name="Operations")
    services.workflow_replace(
        actor=owner,
        project=project,
        statuses=[StatusSpec("To do", "todo"), StatusSpec("Doing", "in_progress"), StatusSpec("Done", "done")],
        transitions=[],
    )
    services.task_create(actor=owner, project=project, title="Write the launch post")
    services.task_create(actor=owner, project=project, title="Fix the sign-in bug", priority="urgent")


def _column_keys(page: Any, status: str) -> list[str]:
    return page.locator(f'[data-board-list][data-status="{status}"] > [data-key]').evaluate_all(
        "cards => cards.map(c => c.dataset.key)"
    )


def _drag(page: Any, key: str, status: str) -> None:
    card = page.locator(f"#card-{key}")
    target = page.locator(f'[data-board-list][data-status="{status}"]')
    box = card.bounding_box()
    goal = target.bounding_box()
    page.mouse.move(box["x"] + box["width"] - 6, box["y"] + box["height"] - 6)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] - 16, box["y"] + box["height"], steps=4)
    page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + goal["height"] - 10, steps=12)
    page.mouse.up()


def _open_board(browser: Any, server: Any, email: str) -> tuple[Any, Any, list[str]]:
    return open_signed_in(browser, server, email, BOARD)


def test_a_card_moved_on_one_board_moves_on_the_other(browser: Any, asgi_server: Any) -> None:
    _seed()
    mover_context, mover, mover_errors = _open_board(browser, asgi_server, "olivia@example.com")
    watcher_context, watcher, watcher_errors = _open_board(browser, asgi_server, "mo@example.com")
    try:
        assert _column_keys(watcher, "To do") == ["OPS-1", "OPS-2"]
        shot(watcher, "live-board-watcher-before")

        with mover.expect_response(lambda r: "/tasks/OPS-2/move/" in r.url) as answer:
            _drag(mover, "OPS-2", "Done")
        assert answer.value.status == 200

        # The watcher's board follows: OPS-2 leaves "To do" and shows up in "Done".
        watcher.locator('[data-board-list][data-status="Done"] > #card-OPS-2').wait_for()
        assert _column_keys(watcher, "To do") == ["OPS-1"]
        assert watcher.locator('[data-status="Done"] [data-board-count]').inner_text() == "1"
        shot(watcher, "live-board-watcher-after")

        # Now the watcher is typing a new card's title in "To do" when the mover moves OPS-1.
        typing = watcher.locator('[data-board-list][data-status="To do"]').locator(
            "xpath=ancestor::section[1]//input[@name='title']"
        )
        typing.click()
        typing.type("Half a tho")
        _drag(mover, "OPS-1", "Doing")
        watcher.locator('[data-board-list][data-status="Doing"] > #card-OPS-1').wait_for()
        # The card left "To do" and the box kept its text and the focus.
        assert _column_keys(watcher, "To do") == []
        assert typing.input_value() == "Half a tho"
        assert typing.evaluate("el => el === document.activeElement")
        assert watcher.locator('[data-status="To do"] [data-board-count]').inner_text() == "0"
        typing.type("ught")
        shot(watcher, "live-board-watcher-typing")
        assert typing.input_value() == "Half a thought"

        # Leaving the box refreshes the column it held back, and the text typed is still there.
        watcher.locator("#board").evaluate("board => { board.dataset.before = '1'; }")
        watcher.locator("h1.topbar-title").click()
        watcher.locator("#board:not([data-before])").wait_for()
        assert typing.input_value() == "Half a thought"
        assert _column_keys(watcher, "To do") == []
        shot(watcher, "live-board-watcher-after-blur")
        assert not [e for e in watcher_errors if "WebSocket" in e or "Refused" in e], watcher_errors
        assert not [e for e in mover_errors if "Refused" in e], mover_errors
    finally:
        mover_context.close()
        watcher_context.close()
