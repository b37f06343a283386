"""The board's long columns come in pages (BOARD_COLUMN_PAGE cards, then "Show N more" for the
next ones, the headers counting every card), and quick add works in every layout: a card typed
into a column gets what that column stands for (status, assignee, priority, the lane's assignee).

BOARD_COLUMN_PAGE is set to 3 here, so a handful of cards make a long column."""

from __future__ import annotations

import html as htmllib
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from labora.work import services
from labora.work.models import Project, Status, Task
from labora.work.services import StatusSpec
from labora.work.services.tasks import task_move
from labora.work.views import board as board_view

BOARD = "/w/acme/projects/OPS/board/"


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(board_view, "BOARD_COLUMN_PAGE", 3)


@pytest.fixture
def project(user: Any, workspace: Any) -> Project:
    project = services.project_create(actor=user, workspace=workspace, key="OPS", name="Operations")
    services.workflow_replace(
        actor=user,
        project=project,
        statuses=[
            StatusSpec("To do", "todo"),
            StatusSpec("Doing", "in_progress", wip_limit=2),
            StatusSpec("Done", "done"),
        ],
        transitions=[],
    )
    return project


def _add(user: Any, project: Project, title: str, **kwargs: Any) -> Task:
    return services.task_create(actor=user, project=project, title=title, **kwargs)


def _cards(html: str) -> list[str]:
    return re.findall(r'<li class="board-card[^"]*" id="card-([A-Z]+-\d+)"', html)


def _list(html: str, list_id: str) -> list[str]:
    match = re.search(rf'<ol class="board-cards"[^>]* id="cards-{list_id}"[^>]*>(.*?)</ol>', html, re.S)
    assert match is not None, list_id
    return _cards(match.group(1))


def _more(html: str, dom_id: str) -> tuple[str, str]:
    """The "Show more" link of a column: (its text, its address); href and hx-get agree."""
    match = re.search(rf'<a class="[^"]*board-more"[^>]* id="more-{dom_id}"[^>]*>(.*?)</a>', html, re.S)
    assert match is not None, dom_id
    tag = match.group(0)
    href = htmllib.unescape(re.search(r' href="([^"]+)"', tag).group(1))  # type: ignore[union-attr]
    assert htmllib.unescape(re.search(r' hx-get="([^"]+)"', tag).group(1)) == href  # type: ignore[union-attr]
    return " ".join(re.sub(r"<[^>]+>", "", match.group(1)).split()), href


def _count(html: str, key: str) -> str:
    match = re.search(rf'<span class="board-count[^"]*" id="count-{key}"[^>]*>([^<]+)</span>', html)
    assert match is not None, key
    return match.group(1)


def _status_pk(project: Project, name: str) -> int:
    return Status.objects.get(project=project, name=name).pk


def _htmx(client: Client, url: str) -> Any:
    return client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="cards-x")


# --- paging -------------------------------------------------------------------------------------


def test_a_long_column_shows_its_first_page_by_rank_and_counts_every_card(
    client_in: Client, user: Any, project: Project
) -> None:
    for i in range(8):
        _add(user, project, f"Card {i}")
    _add(user, project, "Busy", status="Doing")
    todo = _status_pk(project, "To do")
    # OPS-8 goes to the top: the page follows the rank, not the number.
    task_move(actor=user, task=Task.objects.get(number=8), before_key="OPS-1")

    html = client_in.get(BOARD).content.decode()

    assert _list(html, str(todo)) == ["OPS-8", "OPS-1", "OPS-2"]
    assert _count(html, str(todo)) == "8"
    assert re.search(rf'id="count-{todo}"[^>]* title="8 tasks"', html)
    assert _count(html, str(_status_pk(project, "Doing"))) == "1 / 2"
    text, href = _more(html, str(todo))
    assert text == "Show 3 more of 5"
    assert f"column={todo}" in href
    assert "after=OPS-2" in href
    assert "9 tasks" in html  # the toolbar counts every card too
    assert 'id="more-' + str(_status_pk(project, "Doing")) + '"' not in html  # a short column has no link


def test_a_wip_limit_compares_the_true_total(client_in: Client, user: Any, project: Project) -> None:
    for i in range(5):
        _add(user, project, f"Card {i}")
    todo = Status.objects.get(project=project, name="To do")
    todo.wip_limit = 4
    todo.save(update_fields=["wip_limit"])

    html = client_in.get(BOARD).content.decode()

    assert _list(html, str(todo.pk)) == ["OPS-1", "OPS-2", "OPS-3"]
    assert re.search(rf'<span class="board-count is-full" id="count-{todo.pk}"[^>]*>5 / 4</span>', html)
    assert re.search(rf'<section class="board-column is-full" id="column-{todo.pk}"', html)


def test_show_more_answers_the_next_page_and_a_new_link_then_removes_it(
    client_in: Client, user: Any, project: Project
) -> None:
    for i in range(7):
        _add(user, project, f"Card {i}")
    todo = str(_status_pk(project, "To do"))
    _, href = _more(client_in.get(BOARD).content.decode(), todo)

    second = _htmx(client_in, href)
    assert second.status_code == 200
    page = second.content.decode()
    assert _cards(page) == ["OPS-4", "OPS-5", "OPS-6"]
    assert "<section" not in page  # only the cards and the link
    assert "board-count" not in page
    text, href = _more(page, todo)
    assert 'hx-swap-oob="true"' in page
    assert text == "Show 1 more"

    last = _htmx(client_in, href).content.decode()
    assert _cards(last) == ["OPS-7"]
    assert f'<span id="more-{todo}" hx-swap-oob="delete"></span>' in last


def test_without_javascript_the_link_shows_the_board_with_that_column_longer(
    client_in: Client, user: Any, project: Project
) -> None:
    for i in range(7):
        _add(user, project, f"Card {i}")
    _add(user, project, "Done one", status="Done")
    todo = str(_status_pk(project, "To do"))
    _, href = _more(client_in.get(BOARD).content.decode(), todo)

    page = client_in.get(href).content.decode()

    assert "<html" in page
    assert _list(page, todo) == ["OPS-1", "OPS-2", "OPS-3", "OPS-4", "OPS-5", "OPS-6"]
    assert _list(page, str(_status_pk(project, "Done"))) == ["OPS-8"]
    assert _more(page, todo)[0] == "Show 1 more"


def test_a_live_refresh_keeps_the_cards_show_more_loaded(client_in: Client, user: Any, project: Project) -> None:
    """board.js sends `long=<dom id>:<cards shown>` with the live refresh of the whole board."""
    for i in range(8):
        _add(user, project, f"Card {i}")
    _add(user, project, "Done one", status="Done")
    todo = str(_status_pk(project, "To do"))

    page = client_in.get(f"{BOARD}?long={todo}:6,nonsense,:4,x:y").content.decode()

    assert _list(page, todo) == ["OPS-1", "OPS-2", "OPS-3", "OPS-4", "OPS-5", "OPS-6"]
    text, href = _more(page, todo)
    assert text == "Show 2 more"
    assert "after=OPS-6" in href
    assert "long=" not in href
    assert _list(page, str(_status_pk(project, "Done"))) == ["OPS-9"]
    # The refresh address itself does not carry the lengths (the script adds them each time).
    assert 'data-board-refresh data-board-page="3" hx-get="/w/acme/projects/OPS/board/?"' in page
    # Asking for more than there are shows them all, without a link.
    longest = client_in.get(f"{BOARD}?long={todo}:50").content.decode()
    assert len(_list(longest, todo)) == 8
    assert f'id="more-{todo}"' not in longest


def test_a_card_dropped_after_the_last_shown_comes_before_the_hidden_ones(
    client_in: Client, user: Any, project: Project
) -> None:
    for i in range(6):
        _add(user, project, f"Card {i}")
    _add(user, project, "Elsewhere", status="Done")
    todo = str(_status_pk(project, "To do"))
    _, href = _more(client_in.get(BOARD).content.decode(), todo)

    # What board.js posts for a card dropped at the end of the partly shown column.
    drop = client_in.post(
        "/w/acme/tasks/OPS-7/move/",
        {"after": "OPS-3", "status": "To do", "version": "1"},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert drop.status_code == 200

    order = list(Task.objects.filter(status__name="To do").order_by("rank", "id").values_list("number", flat=True))
    assert order == [1, 2, 3, 7, 4, 5, 6]
    # The link still says "after OPS-3": the dropped card comes first (the page takes it out
    # of where it was dropped and puts it back here, in rank order).
    assert _cards(_htmx(client_in, href).content.decode()) == ["OPS-7", "OPS-4", "OPS-5"]
    assert _count(client_in.get(BOARD).content.decode(), todo) == "7"


def test_show_more_follows_the_cursor_when_it_left_the_column_or_the_board(
    client_in: Client, user: Any, project: Project
) -> None:
    for i in range(7):
        _add(user, project, f"Card {i}")
    todo = str(_status_pk(project, "To do"))
    _, href = _more(client_in.get(BOARD).content.decode(), todo)

    task_move(actor=user, task=Task.objects.get(number=3), status="Done")  # the cursor moved away
    assert _cards(_htmx(client_in, href).content.decode()) == ["OPS-4", "OPS-5", "OPS-6"]

    services.task_delete(actor=user, task=Task.objects.get(number=3))  # gone: after the first `shown` cards
    assert _cards(_htmx(client_in, href).content.decode()) == ["OPS-5", "OPS-6", "OPS-7"]


def test_show_more_of_an_unknown_column_is_not_found(client_in: Client, user: Any, project: Project) -> None:
    _add(user, project, "One")
    assert _htmx(client_in, f"{BOARD}?column=nope&after=OPS-1").status_code == 404


@pytest.mark.parametrize(
    ("group", "dom_id"),
    [("assignee", "u{bob}"), ("priority", "p3")],
)
def test_columns_by_assignee_and_by_priority_are_paged_too(
    client_in: Client, user: Any, project: Project, bob: Any, group: str, dom_id: str
) -> None:
    for i in range(5):
        _add(user, project, f"Card {i}", assignee=bob.email, priority="high")
    dom_id = dom_id.format(bob=bob.pk)

    html = client_in.get(BOARD, {"group": group}).content.decode()

    assert _list(html, dom_id) == ["OPS-1", "OPS-2", "OPS-3"]
    assert _count(html, dom_id) == "5"
    _, href = _more(html, dom_id)
    assert f"group={group}" in href
    assert _cards(_htmx(client_in, href).content.decode()) == ["OPS-4", "OPS-5"]


def test_a_swimlane_cell_is_paged_and_its_link_names_the_lane(
    client_in: Client, user: Any, project: Project, bob: Any
) -> None:
    for i in range(5):
        _add(user, project, f"Bob's {i}", assignee=bob.email)
    for i in range(4):
        _add(user, project, f"Nobody's {i}")
    todo = _status_pk(project, "To do")
    bob_cell = f"{bob.public_id}-{todo}"

    html = client_in.get(BOARD, {"group": "lanes"}).content.decode()

    assert _list(html, bob_cell) == ["OPS-1", "OPS-2", "OPS-3"]
    assert _list(html, f"none-{todo}") == ["OPS-6", "OPS-7", "OPS-8"]
    assert _count(html, str(todo)) == "9"  # the status header above the lanes: every card
    assert re.search(rf'id="lane-count-{bob.public_id}"[^>]*>5<', html)
    text, href = _more(html, bob_cell)
    assert text == "Show 2 more"
    assert f"lane={bob.public_id}" in href
    assert _cards(_htmx(client_in, href).content.decode()) == ["OPS-4", "OPS-5"]
    assert _cards(_htmx(client_in, _more(html, f"none-{todo}")[1]).content.decode()) == ["OPS-9"]

    # A live refresh after "Show more" in Bob's cell keeps that cell long, and only that one.
    refreshed = client_in.get(BOARD, {"group": "lanes", "long": f"{bob_cell}:5"}).content.decode()
    assert _list(refreshed, bob_cell) == ["OPS-1", "OPS-2", "OPS-3", "OPS-4", "OPS-5"]
    assert f'id="more-{bob_cell}"' not in refreshed
    assert _list(refreshed, f"none-{todo}") == ["OPS-6", "OPS-7", "OPS-8"]


@pytest.mark.parametrize("group", ["", "assignee", "priority", "lanes"])
def test_a_paged_board_and_its_show_more_read_a_constant_number_of_queries(
    client_in: Client, user: Any, project: Project, bob: Any, group: str
) -> None:
    def count(url: str, **headers: Any) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client_in.get(url, **headers).status_code == 200
        return len(ctx.captured_queries)

    for i in range(5):
        _add(user, project, f"T{i}", assignee=bob.email, labels=["a"])
    board = f"{BOARD}?group={group}"
    count(board)
    few = count(board)
    _, more = _more(client_in.get(board).content.decode(), r"[\w-]+")
    few_more = count(more, HTTP_HX_REQUEST="true")
    for i in range(40):
        _add(user, project, f"U{i}", assignee=bob.email, labels=["b", "c"])
    assert count(board) == few
    assert count(more, HTTP_HX_REQUEST="true") == few_more


# --- quick add in every layout --------------------------------------------------------------------


def test_quick_add_in_an_assignee_column_assigns_the_task(
    client_in: Client, user: Any, project: Project, bob: Any
) -> None:
    html = client_in.get(BOARD, {"group": "assignee"}).content.decode()
    assert f'<input type="hidden" name="assignee" value="{bob.email}">' in html

    response = client_in.post(
        f"{BOARD}?group=assignee", {"assignee": bob.email, "title": "For Bob"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith(f'<section class="board-column" id="column-u{bob.pk}"')
    assert _list(page, f"u{bob.pk}") == ["OPS-1"]
    task = Task.objects.select_related("assignee", "status").get()
    assert (task.assignee, task.status.name, task.title) == (bob, "To do", "For Bob")

    client_in.post(f"{BOARD}?group=assignee", {"assignee": "", "title": "For nobody"}, HTTP_HX_REQUEST="true")
    assert Task.objects.get(number=2).assignee is None


def test_quick_add_in_a_priority_column_sets_the_priority(client_in: Client, user: Any, project: Project) -> None:
    response = client_in.post(f"{BOARD}?group=priority", {"priority": "high", "title": "Hot"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith('<section class="board-column" id="column-p3"')
    assert _list(page, "p3") == ["OPS-1"]
    assert Task.objects.get().priority_name == "high"


def test_quick_add_in_a_swimlane_cell_takes_its_status_and_the_lanes_assignee(
    client_in: Client, user: Any, project: Project, bob: Any
) -> None:
    _add(user, project, "Bob's", assignee=bob.email)
    doing = _status_pk(project, "Doing")
    html = client_in.get(BOARD, {"group": "lanes"}).content.decode()
    form = re.search(rf'<div class="board-lane-cell" id="cell-{bob.public_id}-{doing}">.*?</form>', html, re.S)
    assert form is not None
    assert 'name="status" value="Doing"' in form.group(0)
    assert f'name="assignee" value="{bob.email}"' in form.group(0)

    response = client_in.post(
        f"{BOARD}?group=lanes",
        {"status": "Doing", "lane": str(bob.public_id), "assignee": bob.email, "title": "Bob's next"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith(f'<div class="board-lane-cell" id="cell-{bob.public_id}-{doing}">')
    assert _list(page, f"{bob.public_id}-{doing}") == ["OPS-2"]
    # The status header above the lanes and the lane's count, out of band.
    assert re.search(rf'id="count-{doing}" data-board-count hx-swap-oob="true"[^>]*>1 / 2<', page)
    assert re.search(rf'id="lane-count-{bob.public_id}" data-lane-count hx-swap-oob="true">2<', page)
    task = Task.objects.select_related("assignee", "status").get(number=2)
    assert (task.status.name, task.assignee) == ("Doing", bob)

    client_in.post(
        f"{BOARD}?group=lanes",
        {"status": "Done", "lane": "none", "assignee": "", "title": "Nobody's"},
        HTTP_HX_REQUEST="true",
    )
    task = Task.objects.select_related("assignee", "status").get(number=3)
    assert (task.status.name, task.assignee) == ("Done", None)


@pytest.mark.parametrize(
    ("group", "data", "unit"),
    [
        ("", {"status": "Doing"}, '<section class="board-column is-full" id="column-{doing}"'),
        (
            "lanes",
            {"status": "Doing", "lane": "none", "assignee": ""},
            '<div class="board-lane-cell" id="cell-none-{doing}"',
        ),
    ],
)
def test_a_refused_quick_add_says_why_next_to_the_field_and_keeps_the_title(
    client_in: Client, user: Any, project: Project, group: str, data: dict[str, str], unit: str
) -> None:
    _add(user, project, "A", status="Doing")
    _add(user, project, "B", status="Doing")
    doing = _status_pk(project, "Doing")

    response = client_in.post(f"{BOARD}?group={group}", {**data, "title": "C & D"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith(unit.format(doing=doing))
    assert re.search(
        r'<p class="field-error-text board-add-error" id="add-[\w-]+-error" role="alert">[^<]*WIP limit', page
    )
    assert 'aria-invalid="true"' in page
    assert 'value="C &amp; D"' in page
    assert "WIP limit" in response["HX-Trigger"]
    assert Task.objects.count() == 2


def test_quick_add_into_a_long_column_shows_the_new_card_past_the_page(
    client_in: Client, user: Any, project: Project
) -> None:
    for i in range(5):
        _add(user, project, f"Card {i}")
    todo = str(_status_pk(project, "To do"))

    page = client_in.post(BOARD, {"status": "To do", "title": "Newest"}, HTTP_HX_REQUEST="true").content.decode()

    assert _list(page, todo) == ["OPS-1", "OPS-2", "OPS-3", "OPS-6"]
    assert _count(page, todo) == "6"
    text, href = _more(page, todo)
    assert text == "Show 2 more"
    # The next page has the new card again: the page moves it to its place (board.js).
    assert _cards(_htmx(client_in, href).content.decode()) == ["OPS-4", "OPS-5", "OPS-6"]


def test_a_plain_quick_add_returns_to_the_same_layout(client_in: Client, user: Any, project: Project) -> None:
    response = client_in.post(f"{BOARD}?group=priority", {"priority": "low", "title": "Later"})
    assert response.status_code == 302
    assert response["Location"] == f"{BOARD}?group=priority"
    assert Task.objects.get().priority_name == "low"
