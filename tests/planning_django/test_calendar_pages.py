"""The calendar pages and the working-calendar settings pages.

The selector (labora.planning.calendar_view): the window by due or start date, spans, who sees
what, a constant number of queries. The calendar pages: month and week grids, shading, HTMX
partials, drag-and-drop rescheduling (version-checked), quick add. The settings pages: working
week, holidays and extra working days, the project's own calendar, stale and refused writes.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client

from labora.core.models import DomainEvent
from labora.planning.calendar_view import calendar_tasks, moved_dates
from labora.planning.models import WorkCalendar
from labora.planning.services import calendar_set_project, calendar_set_workspace
from labora.work import services as work_services
from labora.work.models import Project, ProjectMember, Task
from labora.workspaces.models import Role
from tests import factories

D = datetime.date
CAL = "/w/acme/projects/PLN/calendar/"
WS_CAL = "/w/acme/calendar/"
WS_SETTINGS = "/w/acme/settings/calendar/"
PLN_SETTINGS = "/w/acme/projects/PLN/settings/calendar/"
WEEK = ["mon", "tue", "wed", "thu", "fri"]


@pytest.fixture
def client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _client(person: Any) -> Client:
    client = Client()
    client.force_login(person)
    return client


def _task(user: Any, project: Project, title: str, **fields: Any) -> Task:
    return work_services.task_create(actor=user, project=project, title=title, **fields)


def _keys(tasks: list[Task]) -> list[str]:
    return [t.key for t in tasks]


def _day_keys(html: str, day: str) -> list[str]:
    """The chips of one day cell of the month grid, in order (shown and "+N more")."""
    cell = re.search(rf'id="day-{day}".*?(?=id="day-|<section class="cal-agenda")', html, re.S)
    assert cell is not None, day
    return re.findall(r'<li class="cal-chip[^"]*" id="chip-([A-Z]+-\d+)"', cell.group(0))


def _grid(client: Client, url: str) -> str:
    response = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="calendar-grid")
    assert response.status_code == 200
    return response.content.decode()


def _reschedule(client: Client, task: Task, day: str, *, version: Any = None, mode: str = "due", url: str = CAL) -> Any:
    return client.post(
        f"{url}?month=2025-01",
        {
            "action": "reschedule",
            "task": task.key,
            "date": day,
            "mode": mode,
            "version": task.version if version is None else version,
        },
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="calendar-grid",
    )


# --- the selector ---------------------------------------------------------------------------------


def test_the_window_holds_the_tasks_due_in_it_and_those_spanning_it(user: Any, workspace: Any, project: Any) -> None:
    due_in = _task(user, project, "Due in", due_date=D(2025, 1, 10))
    _task(user, project, "Due before", due_date=D(2025, 1, 3))
    _task(user, project, "Undated")
    spanning = _task(user, project, "Spanning", start_date=D(2025, 1, 1), due_date=D(2025, 1, 31))
    starts_in = _task(user, project, "Starts in", start_date=D(2025, 1, 8))

    by_due = calendar_tasks(user=user, workspace=workspace, start=D(2025, 1, 6), end=D(2025, 1, 12), mode="due")
    assert _keys(by_due.tasks) == [due_in.key, spanning.key]
    assert not by_due.truncated

    by_start = calendar_tasks(user=user, workspace=workspace, start=D(2025, 1, 6), end=D(2025, 1, 12), mode="start")
    assert _keys(by_start.tasks) == [spanning.key, starts_in.key]


def test_the_window_filters_by_project_and_query_and_caps_the_count(user: Any, workspace: Any, project: Any) -> None:
    other = work_services.project_create(actor=user, workspace=workspace, key="OTH", name="Other")
    mine = _task(user, project, "Mine", due_date=D(2025, 1, 7), priority="urgent")
    _task(user, project, "Low", due_date=D(2025, 1, 7), priority="low")
    theirs = _task(user, other, "Theirs", due_date=D(2025, 1, 8))
    window = {"user": user, "workspace": workspace, "start": D(2025, 1, 6), "end": D(2025, 1, 12)}

    assert _keys(calendar_tasks(**window, project_keys=["oth"]).tasks) == [theirs.key]
    assert _keys(calendar_tasks(**window, q="priority:urgent").tasks) == [mine.key]
    assert _keys(calendar_tasks(**window, project=other).tasks) == [theirs.key]
    capped = calendar_tasks(**window, limit=2)
    assert (len(capped.tasks), capped.truncated) == (2, True)


def test_private_projects_are_hidden_and_a_guest_sees_only_what_is_shared(
    user: Any, workspace: Any, project: Any
) -> None:
    secret = work_services.project_create(actor=user, workspace=workspace, key="SEC", name="Secret", is_private=True)
    shared = _task(user, project, "Shared", due_date=D(2025, 1, 7))
    _task(user, secret, "Secret", due_date=D(2025, 1, 7))
    public = work_services.project_create(actor=user, workspace=workspace, key="PUB", name="Public")
    public_task = _task(user, public, "Public", due_date=D(2025, 1, 7))
    member = factories.make_user(email="member@example.com")
    factories.add_member(workspace, member, role=Role.MEMBER)
    guest = factories.make_user(email="guest@example.com")
    factories.add_member(workspace, guest, role=Role.GUEST)
    ProjectMember.objects.create(project=project, user=guest, role="viewer")
    window = {"workspace": workspace, "start": D(2025, 1, 6), "end": D(2025, 1, 12)}

    assert _keys(calendar_tasks(user=member, **window).tasks) == [shared.key, public_task.key]
    assert _keys(calendar_tasks(user=guest, **window).tasks) == [shared.key]
    stranger = factories.make_user(email="stranger@example.com")
    assert calendar_tasks(user=stranger, **window).tasks == []


def test_the_window_costs_the_same_queries_for_3_or_30_tasks(
    user: Any, workspace: Any, project: Any, django_assert_num_queries: Any
) -> None:
    from labora.workspaces.models import Membership

    membership = Membership.objects.get(workspace=workspace, user=user)
    window = {
        "user": user,
        "workspace": workspace,
        "membership": membership,
        "start": D(2025, 1, 1),
        "end": D(2025, 1, 31),
    }
    for i in range(3):
        _task(user, project, f"T{i}", due_date=D(2025, 1, 1 + i), assignee=user.email)
    with django_assert_num_queries(1):
        found = calendar_tasks(**window).tasks
        [(t.project.key, t.status.name, t.assignee and t.assignee.email) for t in found]
    for i in range(27):
        _task(user, project, f"U{i}", due_date=D(2025, 1, 1 + i % 28), assignee=user.email)
    with django_assert_num_queries(1):
        found = calendar_tasks(**window).tasks
        [(t.project.key, t.status.name, t.assignee and t.assignee.email) for t in found]
    assert len(found) == 30


@pytest.mark.parametrize(
    ("start", "due", "day", "mode", "expected"),
    [
        (None, D(2025, 1, 10), D(2025, 1, 14), "due", (None, D(2025, 1, 14))),
        (D(2025, 1, 6), D(2025, 1, 10), D(2025, 1, 14), "due", (D(2025, 1, 10), D(2025, 1, 14))),
        (D(2025, 1, 6), D(2025, 1, 10), D(2025, 1, 1), "start", (D(2025, 1, 1), D(2025, 1, 5))),
        (D(2025, 1, 6), None, D(2025, 1, 8), "start", (D(2025, 1, 8), None)),
    ],
)
def test_a_drop_moves_the_anchor_and_keeps_the_span(start: Any, due: Any, day: Any, mode: Any, expected: Any) -> None:
    assert moved_dates(Task(start_date=start, due_date=due), day, mode) == expected


# --- the calendar pages -----------------------------------------------------------------------------


def test_the_month_grid_places_chips_on_their_day_and_shades_the_calendar(
    client: Client, user: Any, workspace: Any, project: Any
) -> None:
    calendar_set_workspace(actor=user, workspace=workspace, working_days=WEEK, holidays=[D(2025, 1, 1)])
    first = _task(user, project, "Kick-off", due_date=D(2025, 1, 7))
    late = _task(user, project, "Late report", due_date=D(2025, 1, 2))
    for i in range(4):
        _task(user, project, f"Busy {i}", due_date=D(2025, 1, 15))
    response = client.get(f"{CAL}?month=2025-01")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h2 class="cal-title" id="calendar-title" aria-live="polite">January 2025</h2>' in html
    # Weeks start on Monday: 30 Dec 2024 to 2 Feb 2025.
    days = re.findall(r'role="gridcell" id="day-([0-9-]+)"', html)
    assert (days[0], days[-1], len(days)) == ("2024-12-30", "2025-02-02", 35)
    assert _day_keys(html, "2025-01-07") == [first.key]
    assert "+1 more" in html
    assert len(_day_keys(html, "2025-01-15")) == 4
    assert re.search(r'class="cal-day is-off is-holiday" role="gridcell" id="day-2025-01-01"', html)
    assert re.search(r'class="cal-day is-off" role="gridcell" id="day-2025-01-04"', html)
    assert re.search(rf'class="cal-chip is-todo is-overdue is-draggable" id="chip-{late.key}"', html)
    assert 'data-calendar-project="PLN"' in html
    assert 'aria-current="page">Calendar</a>' in html


def test_the_start_mode_and_the_week_view_draw_spans_as_bars(client: Client, user: Any, project: Any) -> None:
    span = _task(user, project, "Build", start_date=D(2025, 1, 8), due_date=D(2025, 1, 16))
    single = _task(user, project, "Ship", start_date=D(2025, 1, 9), due_date=D(2025, 1, 9))
    month = client.get(f"{CAL}?month=2025-01&mode=start").content.decode()
    assert _day_keys(month, "2025-01-08") == [span.key]
    assert 'aria-current="page">By start date</a>' in month

    week = client.get(f"{CAL}?view=week&week=2025-01-08").content.decode()
    assert "6\N{EN DASH}12 January 2025" in week
    assert re.search(rf'cal-bar cal-col-3 cal-span-5 is-cont-after[^"]*" id="chip-{span.key}"', week)
    assert re.search(rf'id="day-2025-01-09".*?id="chip-{single.key}"', week, re.S)
    assert "week=2024-12-30" in week  # the previous week's link
    assert "month=2025-01" in week  # back to the month


def test_htmx_gets_the_named_partials(client: Client, user: Any, project: Any) -> None:
    _task(user, project, "Kick-off", due_date=D(2025, 1, 7))
    grid = _grid(client, f"{CAL}?month=2025-01")
    assert grid.lstrip().startswith('<div class="cal-grid-wrap" id="calendar-grid"')
    assert "<html" not in grid
    whole = client.get(f"{CAL}?month=2025-02", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="calendar").content.decode()
    assert whole.lstrip().startswith('<div class="calendar" id="calendar"')
    assert "February 2025" in whole


def test_the_workspace_calendar_shows_every_visible_project_and_filters(
    client: Client, user: Any, workspace: Any, project: Any
) -> None:
    other = work_services.project_create(actor=user, workspace=workspace, key="OTH", name="Other")
    mine = _task(user, project, "Mine", due_date=D(2025, 1, 7))
    theirs = _task(user, other, "Theirs", due_date=D(2025, 1, 7), priority="urgent")
    html = client.get(f"{WS_CAL}?month=2025-01").content.decode()
    assert _day_keys(html, "2025-01-07") == [theirs.key, mine.key] or _day_keys(html, "2025-01-07") == [
        mine.key,
        theirs.key,
    ]
    assert 'aria-current="page"><svg' in html  # the sidebar's Calendar item
    filtered = client.get(f"{WS_CAL}?month=2025-01&project=OTH").content.decode()
    assert _day_keys(filtered, "2025-01-07") == [theirs.key]
    assert '<option value="OTH" selected>' in filtered
    queried = client.get(f"{WS_CAL}?month=2025-01&q=priority:urgent").content.decode()
    assert _day_keys(queried, "2025-01-07") == [theirs.key]
    bad = client.get(f"{WS_CAL}?month=2025-01&q=priority:" + "%3E%3E")
    assert bad.status_code == 200
    assert 'id="calendar-q-error"' in bad.content.decode()


def test_the_calendar_pages_answer_404_to_outsiders_and_hide_private_projects(
    user: Any, workspace: Any, project: Any
) -> None:
    secret = work_services.project_create(actor=user, workspace=workspace, key="SEC", name="Secret", is_private=True)
    _task(user, secret, "Hidden", due_date=D(2025, 1, 7))
    member = factories.make_user(email="member@example.com")
    factories.add_member(workspace, member, role=Role.MEMBER)
    as_member = _client(member)
    assert as_member.get("/w/acme/projects/SEC/calendar/").status_code == 404
    assert "SEC-1" not in as_member.get(f"{WS_CAL}?month=2025-01").content.decode()
    stranger = _client(factories.make_user(email="stranger@example.com"))
    assert stranger.get(WS_CAL).status_code == 404
    assert stranger.get(CAL).status_code == 404
    assert Client().get(CAL).status_code == 302  # to sign in


def test_the_page_costs_the_same_queries_for_few_or_many_tasks(
    client: Client, user: Any, workspace: Any, project: Any
) -> None:
    other = work_services.project_create(actor=user, workspace=workspace, key="OTH", name="Other")
    _task(user, project, "One", due_date=D(2025, 1, 7))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(WS_CAL)  # the first page of a visit also stores the workspace in the session
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"{WS_CAL}?month=2025-01").status_code == 200
    for i in range(40):
        _task(user, project if i % 2 else other, f"T{i}", due_date=D(2025, 1, 1 + i % 31), assignee=user.email)
    with CaptureQueriesContext(connection) as many:
        assert client.get(f"{WS_CAL}?month=2025-01").status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_dropping_a_chip_on_another_day_reschedules_it(client: Client, user: Any, project: Any) -> None:
    task = _task(user, project, "Kick-off", due_date=D(2025, 1, 7))
    response = _reschedule(client, task, "2025-01-20")
    assert response.status_code == 200
    task.refresh_from_db()
    assert (task.due_date, task.version) == (D(2025, 1, 20), 2)
    assert _day_keys(response.content.decode(), "2025-01-20") == [task.key]
    event = DomainEvent.objects.filter(name="task.updated").get()
    assert event.changes == {"due_date": ["2025-01-07", "2025-01-20"]}


def test_a_dropped_span_keeps_its_length_and_start_mode_moves_the_start(
    client: Client, user: Any, project: Any
) -> None:
    task = _task(user, project, "Build", start_date=D(2025, 1, 6), due_date=D(2025, 1, 10))
    assert _reschedule(client, task, "2025-01-15").status_code == 200
    task.refresh_from_db()
    assert (task.start_date, task.due_date) == (D(2025, 1, 11), D(2025, 1, 15))
    assert _reschedule(client, task, "2025-01-20", mode="start").status_code == 200
    task.refresh_from_db()
    assert (task.start_date, task.due_date) == (D(2025, 1, 20), D(2025, 1, 24))


def test_a_stale_drop_answers_409_and_changes_nothing(client: Client, user: Any, project: Any) -> None:
    task = _task(user, project, "Kick-off", due_date=D(2025, 1, 7))
    work_services.task_update(actor=user, task=task, title="Kick-off meeting")
    response = _reschedule(client, task, "2025-01-20", version=1)
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    assert "labora:toast" in response["HX-Trigger"]
    task.refresh_from_db()
    assert (task.due_date, task.version) == (D(2025, 1, 7), 2)


def test_a_drop_with_a_bad_date_or_no_version_answers_422(client: Client, user: Any, project: Any) -> None:
    task = _task(user, project, "Kick-off", start_date=D(2025, 1, 6), due_date=D(2025, 1, 10))
    bad = _reschedule(client, task, "2025-02-30")
    assert bad.status_code == 422
    assert "'2025-02-30' is not a date" in bad.content.decode()
    assert "YYYY-MM-DD" in bad.content.decode()
    assert _reschedule(client, task, "2025-01-08", version="").status_code == 422
    too_far = _reschedule(client, task, "9999-12-31", mode="start")
    assert too_far.status_code == 422
    assert "too far away" in too_far.content.decode()
    task.refresh_from_db()
    assert (task.start_date, task.due_date, task.version) == (D(2025, 1, 6), D(2025, 1, 10), 1)


def test_a_viewer_cannot_reschedule_and_sees_no_draggable_chips(user: Any, project: Any, viewer: Any) -> None:
    task = _task(user, project, "Kick-off", due_date=D(2025, 1, 7))
    as_viewer = _client(viewer)
    html = as_viewer.get(f"{CAL}?month=2025-01").content.decode()
    assert f'id="chip-{task.key}"' in html
    assert "data-drag" not in html
    assert 'id="calendar-add"' not in html
    response = _reschedule(as_viewer, task, "2025-01-20")
    assert response.status_code == 403
    task.refresh_from_db()
    assert (task.due_date, task.version) == (D(2025, 1, 7), 1)
    added = as_viewer.post(CAL, {"action": "add", "title": "Nope", "date": "2025-01-07"})
    assert added.status_code == 403
    assert Task.objects.count() == 1


def test_a_drop_of_another_projects_task_on_a_project_calendar_is_404(
    client: Client, user: Any, workspace: Any, project: Any
) -> None:
    other = work_services.project_create(actor=user, workspace=workspace, key="OTH", name="Other")
    task = _task(user, other, "Elsewhere", due_date=D(2025, 1, 7))
    assert _reschedule(client, task, "2025-01-20").status_code == 404
    assert client.post(CAL, {"action": "reschedule", "task": "NOPE-1", "date": "2025-01-20"}).status_code == 404
    assert _reschedule(client, task, "2025-01-20", url=WS_CAL).status_code == 200
    task.refresh_from_db()
    assert task.due_date == D(2025, 1, 20)


def test_quick_add_creates_a_task_due_that_day(client: Client, user: Any, project: Any) -> None:
    response = client.post(
        f"{CAL}?month=2025-01",
        {"action": "add", "title": "Call the printer", "date": "2025-01-09"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="calendar-grid",
    )
    assert response.status_code == 200
    task = Task.objects.get()
    assert (task.title, task.due_date) == ("Call the printer", D(2025, 1, 9))
    assert _day_keys(response.content.decode(), "2025-01-09") == [task.key]
    refused = client.post(
        f"{CAL}?month=2025-01",
        {"action": "add", "title": "  ", "date": "2025-01-09"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="calendar-grid",
    )
    assert refused.status_code == 200
    assert '"level": "error"' in refused["HX-Trigger"]
    plain = client.post(CAL, {"action": "add", "title": "No date", "date": "soon", "return": "month=2025-01"})
    assert (plain.status_code, plain["Location"]) == (302, f"{CAL}?month=2025-01")
    assert Task.objects.count() == 1


# --- the settings pages ---------------------------------------------------------------------------


def _calendar_row(workspace: Any, project: Any = None) -> WorkCalendar | None:
    rows = WorkCalendar.objects.filter(workspace=workspace)
    return rows.filter(project=project).first() if project else rows.filter(project__isnull=True).first()


def test_an_admin_saves_the_working_week(client: Client, workspace: Any) -> None:
    page = client.get(WS_SETTINGS)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="calendar-week-form"' in html
    assert re.search(r'aria-current="page"><svg[^€]*?</svg>Working calendar</a>', html)
    response = client.post(
        WS_SETTINGS,
        {"action": "week", "working_days": ["mon", "tue", "wed", "thu"], "hours_per_day": "7", "version": "0"},
    )
    assert (response.status_code, response["Location"]) == (302, WS_SETTINGS)
    row = _calendar_row(workspace)
    assert row is not None
    assert (row.working_days, row.hours_per_day, row.version) == (["mon", "tue", "wed", "thu"], 7, 1)
    assert DomainEvent.objects.filter(name="calendar.updated").count() == 1
    assert "Working days saved: Monday, Tuesday, Wednesday, Thursday." in client.get(WS_SETTINGS).content.decode()


def test_no_working_day_at_all_is_refused_inline(client: Client, workspace: Any) -> None:
    response = client.post(WS_SETTINGS, {"action": "week", "hours_per_day": "8", "version": "0"})
    assert response.status_code == 200
    assert "Tick at least one working day" in response.content.decode()
    assert _calendar_row(workspace) is None


def test_holidays_are_added_one_or_a_range_at_a_time_and_removed(client: Client, user: Any, workspace: Any) -> None:
    def add(first: str, last: str = "", kind: str = "holiday", version: int = 0) -> Any:
        return client.post(
            WS_SETTINGS, {"action": "add", "kind": kind, "first": first, "last": last, "version": str(version)}
        )

    assert add("2025-12-25").status_code == 302
    assert add("2025-12-29", "2025-12-31", version=1).status_code == 302
    row = _calendar_row(workspace)
    assert row is not None
    assert row.holidays == ["2025-12-25", "2025-12-29", "2025-12-30", "2025-12-31"]

    duplicate = add("2025-12-25", version=2)
    assert duplicate.status_code == 200
    assert "Thu 25 Dec 2025 is already a holiday." in duplicate.content.decode()
    bad = add("2025-13-01", version=2)
    assert "Write the date as YYYY-MM-DD." in bad.content.decode()
    backwards = add("2025-12-10", "2025-12-01", version=2)
    assert "The last day comes on or after the first one." in backwards.content.decode()
    clash = add("2025-12-25", kind="extra", version=2)
    assert "is listed as a holiday: remove it there first." in clash.content.decode()
    row.refresh_from_db()
    assert row.version == 2

    listed = client.get(WS_SETTINGS).content.decode()
    assert "(3 days)" in listed
    removed = client.post(
        WS_SETTINGS,
        {"action": "remove", "kind": "holiday", "first": "2025-12-29", "last": "2025-12-31", "version": "2"},
    )
    assert removed.status_code == 302
    row.refresh_from_db()
    assert (row.holidays, row.version) == (["2025-12-25"], 3)


def test_a_stale_form_keeps_the_edit_and_says_so(client: Client, user: Any, workspace: Any) -> None:
    calendar_set_workspace(actor=user, workspace=workspace, working_days=WEEK, holidays=[])
    calendar_set_workspace(actor=user, workspace=workspace, working_days=WEEK, holidays=[D(2025, 5, 1)], version=1)
    response = client.post(
        WS_SETTINGS, {"action": "week", "working_days": ["mon", "tue"], "hours_per_day": "6", "version": "1"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else changed this calendar since you opened the page" in html
    assert re.search(r'value="tue"[^>]*checked', html)
    assert not re.search(r'value="wed"[^>]*checked', html)
    assert 'name="hours_per_day" value="6"' in html
    assert 'name="version" value="2"' in html  # sending it again applies it
    row = _calendar_row(workspace)
    assert row is not None
    assert (row.working_days, row.version) == (WEEK, 2)

    stale_remove = client.post(
        WS_SETTINGS,
        {"action": "remove", "kind": "holiday", "first": "2025-05-01", "last": "2025-05-01", "version": "1"},
    )
    assert "Nothing was removed" in stale_remove.content.decode()
    row.refresh_from_db()
    assert row.holidays == ["2025-05-01"]


def test_members_read_the_workspace_calendar_guests_and_writes_are_refused(
    workspace: Any, project: Any, viewer: Any
) -> None:
    member = factories.make_user(email="member@example.com")
    factories.add_member(workspace, member, role=Role.MEMBER)
    as_member = _client(member)
    page = as_member.get(WS_SETTINGS)
    assert page.status_code == 200
    assert 'id="calendar-week-form"' not in page.content.decode()
    assert "Only owners and admins can change the workspace calendar." in page.content.decode()
    refused = as_member.post(
        WS_SETTINGS, {"action": "week", "working_days": ["mon"], "hours_per_day": "8", "version": "0"}
    )
    assert refused.status_code == 403
    assert _calendar_row(workspace) is None
    assert _client(viewer).get(WS_SETTINGS).status_code == 403
    assert _client(factories.make_user(email="x@example.com")).get(WS_SETTINGS).status_code == 404


def test_a_project_gets_its_own_calendar_and_goes_back_to_the_workspace_one(
    client: Client, user: Any, workspace: Any, project: Any
) -> None:
    calendar_set_workspace(actor=user, workspace=workspace, working_days=WEEK, holidays=[D(2025, 1, 1)])
    page = client.get(PLN_SETTINGS).content.decode()
    assert "PLN uses the workspace calendar." in page
    assert 'id="calendar-week-form"' not in page
    assert client.post(PLN_SETTINGS, {"action": "own"}).status_code == 302
    row = _calendar_row(workspace, project)
    assert row is not None
    assert (row.holidays, row.version) == (["2025-01-01"], 1)
    own = client.get(PLN_SETTINGS).content.decode()
    assert 'id="calendar-week-form"' in own
    assert (
        client.post(
            PLN_SETTINGS, {"action": "add", "kind": "extra", "first": "2025-01-04", "last": "", "version": "1"}
        ).status_code
        == 302
    )
    row.refresh_from_db()
    assert row.extra_working_days == ["2025-01-04"]
    # The project calendar shades its own days: a Saturday worked is not a day off.
    grid = client.get(f"{CAL}?month=2025-01").content.decode()
    assert re.search(r'class="cal-day" role="gridcell" id="day-2025-01-04"', grid)

    assert client.post(PLN_SETTINGS, {"action": "reset"}).status_code == 302
    assert _calendar_row(workspace, project) is None
    assert {"calendar.updated", "calendar.reset"} <= set(DomainEvent.objects.values_list("name", flat=True))


def test_only_managers_change_a_project_calendar(user: Any, workspace: Any, project: Any, contributor: Any) -> None:
    as_contributor = _client(contributor)
    page = as_contributor.get(PLN_SETTINGS)
    assert page.status_code == 200
    assert "Only managers of PLN can change its calendar." in page.content.decode()
    assert 'id="calendar-own"' not in page.content.decode()
    assert as_contributor.post(PLN_SETTINGS, {"action": "own"}).status_code == 403
    assert _calendar_row(workspace, project) is None
    calendar_set_project(actor=user, project=project, working_days=WEEK, holidays=[])
    assert as_contributor.post(PLN_SETTINGS, {"action": "reset"}).status_code == 403
    assert _calendar_row(workspace, project) is not None


def test_the_preview_marks_the_next_four_weeks(client: Client, user: Any, workspace: Any) -> None:
    from labora.work.query_compiler import user_today

    today = user_today(user)
    holiday = today + datetime.timedelta(days=7 - today.weekday() + 1)  # next Tuesday
    calendar_set_workspace(actor=user, workspace=workspace, working_days=WEEK, holidays=[holiday])
    html = client.get(WS_SETTINGS).content.decode()
    cells = re.findall(r'class="cal-preview-day([^"]*)" role="listitem" data-date="([0-9-]+)"', html)
    assert len(cells) == 28
    marks = {day: classes for classes, day in cells}
    assert "is-holiday" in marks[holiday.isoformat()]
    assert "is-today" in marks[today.isoformat()]
    saturday = today - datetime.timedelta(days=today.weekday()) + datetime.timedelta(days=5)
    assert "is-off" in marks[saturday.isoformat()]


def test_the_project_settings_page_links_to_the_calendar_settings(client: Client, project: Any) -> None:
    html = client.get("/w/acme/projects/PLN/settings/").content.decode()
    assert f'href="{PLN_SETTINGS}"' in html


def test_a_holiday_added_on_the_page_reschedules_an_auto_scheduled_project(
    client: Client, user: Any, workspace: Any, project: Any, run_events: Any
) -> None:
    from labora.planning import services as planning_services

    with run_events():
        planning_services.project_plan_update(actor=user, project=project, auto_schedule=True)
        task = _task(user, project, "Two days", duration_days=2)
    task.refresh_from_db()
    assert (task.start_date, task.due_date) == (D(2025, 1, 6), D(2025, 1, 7))
    with run_events():
        response = client.post(
            WS_SETTINGS, {"action": "add", "kind": "holiday", "first": "2025-01-06", "last": "", "version": "0"}
        )
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.start_date, task.due_date) == (D(2025, 1, 7), D(2025, 1, 8))


def test_the_workspace_calendar_filtered_to_one_project_shades_that_projects_days(
    client: Client, user: Any, workspace: Any, project: Any
) -> None:
    calendar_set_workspace(actor=user, workspace=workspace, working_days=WEEK, holidays=[])
    calendar_set_project(actor=user, project=project, working_days=WEEK, holidays=[D(2025, 1, 8)])
    everyone = client.get(f"{WS_CAL}?month=2025-01").content.decode()
    assert re.search(r'class="cal-day" role="gridcell" id="day-2025-01-08"', everyone)
    only_pln = client.get(f"{WS_CAL}?month=2025-01&project=PLN").content.decode()
    assert re.search(r'class="cal-day is-off is-holiday" role="gridcell" id="day-2025-01-08"', only_pln)


def test_an_unreadable_address_falls_back_to_this_month_or_week(client: Client, user: Any, project: Any) -> None:
    from labora.work.query_compiler import user_today

    today = user_today(user)
    html = client.get(f"{CAL}?month=2025-13&mode=sideways").content.decode()
    assert f"{today:%B %Y}</h2>" in html
    assert 'aria-current="page">By due date</a>' in html
    week = client.get(f"{CAL}?view=week&week=someday").content.decode()
    monday = today - datetime.timedelta(days=today.weekday())
    assert f'name="week" value="{monday.isoformat()}"' in week
    far = client.get(f"{CAL}?month=0001-01").content.decode()
    assert f"{today:%B %Y}</h2>" in far


def test_a_member_of_another_workspace_cannot_reschedule_here(user: Any, project: Any) -> None:
    task = _task(user, project, "Kick-off", due_date=D(2025, 1, 7))
    stranger = factories.make_user(email="stranger@example.com")
    factories.make_workspace(owner=stranger, slug="other", name="Other")
    response = _reschedule(_client(stranger), task, "2025-01-20", url=WS_CAL)
    assert response.status_code == 404
    task.refresh_from_db()
    assert (task.due_date, task.version) == (D(2025, 1, 7), 1)


def test_a_holiday_gets_a_name_on_the_settings_page_and_keeps_it_until_removed(
    client: Client, user: Any, workspace: Any
) -> None:
    def add(first: str, last: str = "", name: str = "", version: int = 0) -> Any:
        data = {"action": "add", "kind": "holiday", "first": first, "last": last, "name": name, "version": str(version)}
        return client.post(WS_SETTINGS, data)

    # given two named holidays and one without a name
    assert add("2025-12-25", name="Christmas Day").status_code == 302
    assert add("2025-12-26", name="Boxing Day", version=1).status_code == 302
    assert add("2025-12-31", version=2).status_code == 302
    row = _calendar_row(workspace)
    assert row is not None
    assert row.holidays == ["2025-12-25", "2025-12-26", "2025-12-31"]
    assert row.holiday_names == {"2025-12-25": "Christmas Day", "2025-12-26": "Boxing Day"}
    # then the list shows each name on its own line (days with different names are not merged)
    html = client.get(WS_SETTINGS).content.decode()
    assert '<span class="cal-date-name">Christmas Day</span>' in html
    assert '<span class="cal-date-name">Boxing Day</span>' in html
    assert 'name="name"' in html
    # when a listed holiday is added again with a name, it is renamed
    renamed = add("2025-12-31", name="New Year's Eve", version=3)
    assert renamed.status_code == 302
    row.refresh_from_db()
    assert (row.holiday_names["2025-12-31"], row.version) == ("New Year's Eve", 4)
    # when a holiday is removed, its name goes with it
    removed = client.post(
        WS_SETTINGS,
        {"action": "remove", "kind": "holiday", "first": "2025-12-26", "last": "2025-12-26", "version": "4"},
    )
    assert removed.status_code == 302
    row.refresh_from_db()
    assert row.holiday_names == {"2025-12-25": "Christmas Day", "2025-12-31": "New Year's Eve"}
    # a name too long is refused inline and nothing changes
    too_long = add("2025-12-24", name="x" * 101, version=5)
    assert too_long.status_code == 200
    assert "A name is at most 100 characters." in too_long.content.decode()
    row.refresh_from_db()
    assert row.version == 5


def test_a_named_holiday_shows_its_name_on_the_calendar(
    client: Client, user: Any, workspace: Any, project: Any
) -> None:
    calendar_set_workspace(
        actor=user,
        workspace=workspace,
        working_days=WEEK,
        holidays=[D(2025, 1, 1), D(2025, 1, 2)],
        holiday_names={D(2025, 1, 1): "New Year's Day"},
    )
    html = client.get(f"{CAL}?month=2025-01").content.decode()
    assert re.search(r'id="day-2025-01-01" data-date="2025-01-01" title="New Year&#x27;s Day"', html)
    assert '<span class="cal-day-tag" title="New Year&#x27;s Day">New Year&#x27;s Day</span>' in html
    assert "holiday: New Year&#x27;s Day" in html  # the day's accessible name
    assert '<span class="cal-day-tag" title="Holiday">Holiday</span>' in html  # 2 January has no name
    week = client.get(f"{CAL}?view=week&week=2024-12-30").content.decode()
    assert "Wednesday 1 January · New Year&#x27;s Day" in week
