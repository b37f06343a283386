"""The calendar in a real browser: drag a task to another day in the month view and it stays there
after a reload; a refused move snaps back with the server's message; keyboard navigation and
Alt+arrow moves of a focused chip; holidays
edited on the settings page are shaded on the calendar; the month on a phone (counts + agenda)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import F

from labora.planning.services import calendar_set_workspace
from labora.work import services
from labora.work.models import Task
from tests import factories
from tests.e2e.conftest import PHONE, login, shot, track_live, wait_live_settled

MONTH = "2026-11"
CAL = f"/w/acme/projects/OPS/calendar/?month={MONTH}"
D = datetime.date


def _seed() -> Any:
    owner = factories.make_user(email="olivia@example.com", name="Olivia Owner")
    workspace = factories.make_workspace(owner=owner, slug="acme", name="Acme")
    project = services.project_create(actor=owner, workspace=workspace, key="OPS", name="Operations")
    services.task_create(actor=owner, project=project, title="Send the invoices", due_date=D(2026, 11, 5))
    services.task_create(
        actor=owner,
        project=project,
        title="Prepare the launch",
        start_date=D(2026, 11, 9),
        due_date=D(2026, 11, 12),
        assignee=owner.email,
        priority="high",
    )
    services.task_create(actor=owner, project=project, title="Old report", due_date=D(2026, 11, 2))
    for i in range(4):
        services.task_create(actor=owner, project=project, title=f"Review contract {i + 1}", due_date=D(2026, 11, 19))
    calendar_set_workspace(
        actor=owner, workspace=workspace, working_days=["mon", "tue", "wed", "thu", "fri"], holidays=[D(2026, 11, 11)]
    )
    return owner


def _day_keys(page: Any, day: str) -> list[str]:
    return page.locator(f"#day-{day} [data-cal-list] > [data-key]").evaluate_all("cs => cs.map(c => c.dataset.key)")


def _drag(page: Any, key: str, day: str) -> None:
    chip = page.locator(f"#chip-{key}")
    target = page.locator(f"#day-{day} > [data-cal-list]")
    box = chip.bounding_box()
    goal = target.bounding_box()
    # Grab the chip by its edge (the link inside opens the side panel on a click).
    page.mouse.move(box["x"] + box["width"] - 3, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] - 12, box["y"] + box["height"], steps=4)
    page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + goal["height"] - 6, steps=14)
    page.mouse.up()


def test_drag_a_task_to_another_day_and_it_stays_there(page: Any, live_server: Any) -> None:
    _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}{CAL}")
    assert _day_keys(page, "2026-11-05") == ["OPS-1"]
    assert page.locator("#day-2026-11-11.is-holiday").count() == 1
    assert page.locator("#day-2026-11-07.is-off").count() == 1
    assert page.locator("#day-2026-11-19 .cal-more summary").inner_text() == "+1 more"
    shot(page, "calendar-month-desktop")

    with page.expect_response(lambda r: "/projects/OPS/calendar/" in r.url and r.request.method == "POST") as answer:
        _drag(page, "OPS-1", "2026-11-17")
    assert answer.value.status == 200
    page.locator('#day-2026-11-17 [data-key="OPS-1"][data-version="2"]').wait_for()
    assert _day_keys(page, "2026-11-05") == []

    page.reload()
    assert _day_keys(page, "2026-11-17") == ["OPS-1"]
    assert Task.objects.get(number=1).due_date == D(2026, 11, 17)
    assert not page.js_errors


def test_a_stale_move_snaps_back_with_the_reason_and_a_span_moves_whole(page: Any, live_server: Any) -> None:
    _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}{CAL}")
    page.locator('main[data-live-state="open"]').wait_for()

    # Someone else changed OPS-3 a moment ago and the page has not heard of it yet (a live
    # update would refresh the chip): it still holds the old version.
    Task.objects.filter(number=3).update(title="Old report (v2)", version=F("version") + 1)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        _drag(page, "OPS-3", "2026-11-04")
    assert answer.value.status == 409
    page.locator("#toasts .toast", has_text="changed by someone else").wait_for(state="visible")
    assert _day_keys(page, "2026-11-02") == ["OPS-3"]
    assert Task.objects.get(number=3).due_date == D(2026, 11, 2)
    # The calendar then shows OPS-3 as it is now.
    page.locator('#chip-OPS-3[data-version="2"]').wait_for()
    shot(page, "calendar-stale-refused")

    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        _drag(page, "OPS-2", "2026-11-13")
    assert answer.value.status == 200
    page.locator('#day-2026-11-13 [data-key="OPS-2"]').wait_for()
    moved = Task.objects.get(number=2)
    assert (moved.start_date, moved.due_date) == (D(2026, 11, 10), D(2026, 11, 13))
    # The browser logs the refused request itself; nothing else went wrong.
    assert [e for e in page.js_errors if "status of 409" not in e] == []


def test_keyboard_moves_between_months_and_the_week_view_draws_spans(page: Any, live_server: Any) -> None:
    _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}{CAL}")
    page.locator("#main").focus()
    page.keyboard.press("ArrowRight")
    page.locator("#calendar-title", has_text="December 2026").wait_for()
    assert "month=2026-12" in page.url
    page.keyboard.press("k")
    page.locator("#calendar-title", has_text="November 2026").wait_for()
    page.goto(f"{live_server.url}/w/acme/projects/OPS/calendar/?view=week&week=2026-11-09")
    bar = page.locator('.cal-bars [data-key="OPS-2"]')
    assert "cal-span-4" in (bar.get_attribute("class") or "")
    shot(page, "calendar-week-desktop")
    page.keyboard.press("t")
    page.wait_for_url("**week=*")
    # A chip opens the task side panel and the address remembers it.
    page.goto(f"{live_server.url}{CAL}")
    page.locator("#chip-OPS-1 a").click()
    page.locator("#task-panel").wait_for(state="visible")
    page.locator("#task-panel-body", has_text="Send the invoices").first.wait_for()
    assert "task=OPS-1" in page.url
    assert not page.js_errors


def _wait_focus_on(page: Any, key: str) -> None:
    """The focus is (or comes back, after a live refresh of the grid) on the chip of `key`."""
    page.wait_for_function(
        "key => document.activeElement && document.activeElement.closest('[data-key]')?.dataset.key === key", arg=key
    )


def test_a_focused_chip_moves_with_alt_and_the_arrows_and_keeps_the_focus(page: Any, live_server: Any) -> None:
    _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}{CAL}")
    page.locator('main[data-live-state="open"]').wait_for()
    track_live(page)
    page.locator("#chip-OPS-1 .cal-chip-link").focus()

    # Alt+→: a day later, saved with the chip's version, the focus still on it
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.keyboard.press("Alt+ArrowRight")
    assert answer.value.status == 200
    page.locator('#day-2026-11-06 [data-key="OPS-1"][data-version="2"]').wait_for()
    assert Task.objects.get(number=1).due_date == D(2026, 11, 6)
    _wait_focus_on(page, "OPS-1")
    assert "month=2026-11" in page.url  # the browser did not go back in its history

    # Alt+↓: a week later; Alt+← a day earlier
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.keyboard.press("Alt+ArrowDown")
    page.locator('#day-2026-11-13 [data-key="OPS-1"][data-version="3"]').wait_for()
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.keyboard.press("Alt+ArrowLeft")
    page.locator('#day-2026-11-12 [data-key="OPS-1"][data-version="4"]').wait_for()
    _wait_focus_on(page, "OPS-1")
    # Alt+↑: a week earlier
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.keyboard.press("Alt+ArrowUp")
    page.locator('#day-2026-11-05 [data-key="OPS-1"][data-version="5"]').wait_for()
    assert Task.objects.get(number=1).due_date == D(2026, 11, 5)
    shot(page, "calendar-keyboard-move")

    # A refused move (someone else changed the task) snaps back with the reason; focus stays.
    # The change is made once the moves' live refreshes are over, so none of them shows it.
    wait_live_settled(page)
    Task.objects.filter(number=1).update(title="Send the invoices (v2)", version=F("version") + 1)
    page.locator("#chip-OPS-1 .cal-chip-link").focus()
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.keyboard.press("Alt+ArrowRight")
    assert answer.value.status == 409
    page.locator("#toasts .toast", has_text="changed by someone else").wait_for(state="visible")
    page.locator('#day-2026-11-05 [data-key="OPS-1"][data-version="6"]').wait_for()
    assert _day_keys(page, "2026-11-06") == []
    assert Task.objects.get(number=1).due_date == D(2026, 11, 5)
    page.wait_for_function("document.activeElement && document.activeElement.closest('#chip-OPS-1') !== null")
    assert [e for e in page.js_errors if "status of 409" not in e] == []


def test_holidays_added_in_settings_are_shaded_on_the_calendar(page: Any, live_server: Any) -> None:
    _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}/w/acme/settings/calendar/")
    page.fill("#id_first", "2026-11-24")
    page.fill("#id_last", "2026-11-25")
    page.fill("#id_name", "Founders' days")
    with page.expect_navigation():
        page.click("#calendar-dates-form button[type=submit]")
    page.locator(".toast, .alert", has_text="Added 2 holidays (Founders' days)").first.wait_for()
    assert page.locator("#calendar-holidays .cal-date-name", has_text="Founders' days").count() == 1
    shot(page, "calendar-settings-desktop")
    page.goto(f"{live_server.url}{CAL}")
    assert page.locator("#day-2026-11-24.is-holiday").count() == 1
    assert page.locator("#day-2026-11-25.is-holiday").count() == 1
    assert page.locator("#day-2026-11-26.is-holiday").count() == 0
    # the shaded days carry the holiday's name (the one without a name says "Holiday")
    assert page.locator("#day-2026-11-24 .cal-day-tag").inner_text() == "Founders' days"
    assert page.locator("#day-2026-11-24").get_attribute("title") == "Founders' days"
    assert page.locator("#day-2026-11-11 .cal-day-tag").inner_text() == "Holiday"
    shot(page, "calendar-named-holiday")
    page.goto(f"{live_server.url}/w/acme/projects/OPS/settings/calendar/")
    with page.expect_navigation():
        page.click("#calendar-own")
    page.locator("#calendar-week-form").wait_for()
    shot(page, "calendar-project-settings-desktop")
    assert not page.js_errors


def test_the_month_on_a_phone_shows_counts_and_a_day_list(page: Any, live_server: Any) -> None:
    _seed()
    page.set_viewport_size(PHONE)
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}{CAL}")
    assert page.locator("#day-2026-11-19 .cal-day-count").inner_text() == "4"
    assert page.locator("#agenda-2026-11-19 [data-key]").count() == 4
    assert page.locator("#day-2026-11-19 .cal-chips").first.is_hidden()
    fits = page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert fits
    shot(page, "calendar-month-phone")
    page.goto(f"{live_server.url}/w/acme/projects/OPS/calendar/?view=week&week=2026-11-09")
    assert page.locator('.cal-bars [data-key="OPS-2"]').is_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "calendar-week-phone")
    page.goto(f"{live_server.url}/w/acme/settings/calendar/")
    shot(page, "calendar-settings-phone")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_a_change_made_elsewhere_shows_up_live_keeping_the_scroll(page: Any, live_server: Any) -> None:
    owner = _seed()
    page.set_viewport_size({"width": 1280, "height": 500})
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}/w/acme/calendar/?month={MONTH}")
    page.locator('main[data-live-state="open"]').wait_for()  # the websocket said hello
    page.evaluate("() => window.scrollTo(0, 300)")
    before = page.evaluate("() => window.scrollY")
    assert before > 0
    services.task_update(actor=owner, task=Task.objects.get(number=1), due_date=D(2026, 11, 26))
    page.locator('#day-2026-11-26 [data-key="OPS-1"]').wait_for()
    assert _day_keys(page, "2026-11-05") == []
    assert page.evaluate("() => window.scrollY") == before
    page.set_viewport_size({"width": 1280, "height": 800})
    page.evaluate("() => window.scrollTo(0, 0)")
    shot(page, "calendar-workspace-desktop")
    assert not page.js_errors
