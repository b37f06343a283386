"""GET|PUT /workspaces/{ws}/calendar and GET|PUT|DELETE /workspaces/{ws}/projects/{key}/calendar."""

from __future__ import annotations

from typing import Any

from labora.core.models import DomainEvent
from labora.planning.models import WorkCalendar
from tests.planning_django.conftest import WS, event_names

WEEK = ["mon", "tue", "wed", "thu", "fri"]


def test_the_default_calendar_is_monday_to_friday_without_holidays(api: Any, project: Any) -> None:
    body = api.get(f"{WS}/projects/PLN/calendar").json()
    assert body == {
        "working_days": WEEK,
        "holidays": [],
        "holiday_names": {},
        "extra_working_days": [],
        "hours_per_day": 8,
        "source": "default",
        "version": 0,
    }
    assert api.get(f"{WS}/calendar").json()["source"] == "default"


def test_a_project_uses_the_workspace_calendar_until_it_has_its_own(api: Any, project: Any) -> None:
    put = api.put_json(
        f"{WS}/calendar",
        {"working_days": ["sun", "mon", "tue", "wed", "thu"], "holidays": ["2025-04-18", "2025-01-01"]},
    )
    assert put.status_code == 200, put.content
    assert put.json()["working_days"] == ["mon", "tue", "wed", "thu", "sun"]
    assert put.json()["holidays"] == ["2025-01-01", "2025-04-18"]
    assert put.json()["version"] == 1
    inherited = api.get(f"{WS}/projects/PLN/calendar").json()
    assert (inherited["source"], inherited["holidays"], inherited["version"]) == (
        "workspace",
        ["2025-01-01", "2025-04-18"],
        0,
    )

    own = api.put_json(
        f"{WS}/projects/PLN/calendar",
        {"working_days": WEEK, "holidays": ["2025-05-01"], "hours_per_day": 7},
        HTTP_IF_MATCH="0",
    )
    assert own.status_code == 200, own.content
    assert (own.json()["source"], own.json()["hours_per_day"], own.json()["version"]) == ("project", 7, 1)
    assert api.get(f"{WS}/calendar").json()["holidays"] == ["2025-01-01", "2025-04-18"]

    assert api.delete(f"{WS}/projects/PLN/calendar").status_code == 204
    assert api.get(f"{WS}/projects/PLN/calendar").json()["source"] == "workspace"
    assert {"calendar.updated", "calendar.reset"} <= set(event_names())


def test_holidays_carry_names_and_plain_dates_are_still_accepted(api: Any, project: Any) -> None:
    # given a calendar written with both forms: a plain date and a named holiday
    put = api.put_json(
        f"{WS}/calendar",
        {
            "working_days": WEEK,
            "holidays": ["2025-01-01", {"date": "2025-12-25", "name": "  Christmas   Day "}, {"date": "2025-12-26"}],
        },
    )
    assert put.status_code == 200, put.content
    # then the dates stay a plain list (what the scheduler reads) and the names sit beside them
    assert put.json()["holidays"] == ["2025-01-01", "2025-12-25", "2025-12-26"]
    assert put.json()["holiday_names"] == {"2025-12-25": "Christmas Day"}
    row = WorkCalendar.objects.get(project__isnull=True)
    assert (row.holidays, row.holiday_names) == (
        ["2025-01-01", "2025-12-25", "2025-12-26"],
        {"2025-12-25": "Christmas Day"},
    )
    assert api.get(f"{WS}/projects/PLN/calendar").json()["holiday_names"] == {"2025-12-25": "Christmas Day"}
    event = DomainEvent.objects.filter(name="calendar.updated").latest("id")
    assert event.changes["holiday_names"] == [{}, {"2025-12-25": "Christmas Day"}]
    # when a client that knows only dates writes the calendar again, the names stay
    again = api.put_json(f"{WS}/calendar", {"working_days": WEEK, "holidays": ["2025-01-01", "2025-12-25"]})
    assert again.json()["holiday_names"] == {"2025-12-25": "Christmas Day"}
    # an empty name removes it; a holiday taken off the list takes its name with it
    cleared = api.put_json(f"{WS}/calendar", {"working_days": WEEK, "holidays": [{"date": "2025-12-25", "name": ""}]})
    assert (cleared.json()["holidays"], cleared.json()["holiday_names"]) == (["2025-12-25"], {})
    api.put_json(f"{WS}/calendar", {"working_days": WEEK, "holidays": [{"date": "2025-12-25", "name": "Xmas"}]})
    dropped = api.put_json(f"{WS}/calendar", {"working_days": WEEK, "holidays": []})
    assert dropped.json()["holiday_names"] == {}


def test_a_stale_calendar_write_answers_409(api: Any, project: Any) -> None:
    api.put_json(f"{WS}/projects/PLN/calendar", {"working_days": WEEK, "holidays": []})
    stale = api.put_json(f"{WS}/projects/PLN/calendar", {"working_days": ["mon"], "holidays": []}, HTTP_IF_MATCH="0")
    assert stale.status_code == 409
    assert stale.json()["current"]["working_days"] == WEEK
    assert WorkCalendar.objects.get(project=project).working_days == WEEK


def test_bad_calendars_answer_422(api: Any, project: Any) -> None:
    for body, field in (
        ({"working_days": ["someday"], "holidays": []}, "working_days.0"),
        ({"working_days": [], "holidays": []}, "working_days"),
        ({"working_days": WEEK, "holidays": ["31/12/2025"]}, "holidays.0.date"),
        ({"working_days": WEEK, "holidays": [{"date": "2025-12-25", "name": "x" * 101}]}, "holidays.0.name"),
        ({"working_days": WEEK, "holidays": [], "hours_per_day": 30}, "hours_per_day"),
    ):
        response = api.put_json(f"{WS}/projects/PLN/calendar", body)
        assert response.status_code == 422, body
        assert field in response.json()["error"]["fields"], response.json()
    assert WorkCalendar.objects.count() == 0


def test_members_cannot_change_the_workspace_calendar_nor_contributors_a_projects(
    contributor: Any, api_for: Any, project: Any
) -> None:
    client = api_for(contributor)
    assert client.put_json(f"{WS}/calendar", {"working_days": WEEK, "holidays": []}).status_code == 403
    assert client.put_json(f"{WS}/projects/PLN/calendar", {"working_days": WEEK, "holidays": []}).status_code == 403
    assert client.delete(f"{WS}/projects/PLN/calendar").status_code == 403
    assert client.get(f"{WS}/projects/PLN/calendar").status_code == 200
    assert WorkCalendar.objects.count() == 0
