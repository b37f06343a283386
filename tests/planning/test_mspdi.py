"""MS Project XML: the real files MS Project saved, round trips, and hostile input."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from labora.planning.engine import Calendar, ConstraintType, DependencyType, schedule
from labora.planning.mspdi import (
    MspdiError,
    engine_calendar,
    read_mspdi,
    read_mspdi_file,
    schedulable_tasks,
    to_engine,
)
from labora.planning.mspdi.convert import exception_dates
from labora.planning.mspdi.durations import format_duration, parse_duration
from labora.planning.mspdi.writer import write_mspdi

DATA = Path("/work/shared/testdata/mspdi")
if not DATA.exists():  # the files live beside the repository in the project's workspace
    DATA = Path(__file__).resolve().parents[3] / "shared" / "testdata" / "mspdi"
FILES = sorted(p.name for p in DATA.glob("*.xml"))

# For every file: the tasks (UIDs) whose start or finish date differs from MS Project's, and why.
# docs/scheduling.md explains each one; every other task matches MS Project to the day.
MISMATCHES: dict[str, dict[int, str]] = {
    "calendar-calendars-project2019-mspdi.xml": {},
    "calendar-recurring-exceptions-project2016-mspdi.xml": {},
    "caltest.xml": {},
    "mspdiduration.xml": {8: "elapsed duration", 9: "elapsed duration", 10: "elapsed duration"},
    "mspdinulltasks.xml": {},
    "mspdiresource.xml": {2: "resource calendars", 3: "follows task 2 (and a work contour)"},
    "mspditimephasedsegments.xml": {18: "resource calendar exception"},
    "sample.xml": {1: "summary of task 2", 2: "resource calendars (night shift)"},
    "task-links-project2007-mspdi.xml": {},
    "task-links-project2016-mspdi.xml": {},
}
TASK_COUNTS = {
    "calendar-calendars-project2019-mspdi.xml": 0,
    "calendar-recurring-exceptions-project2016-mspdi.xml": 0,
    "caltest.xml": 3,
    "mspdiduration.xml": 10,
    "mspdinulltasks.xml": 5,
    "mspdiresource.xml": 3,
    "mspditimephasedsegments.xml": 20,
    "sample.xml": 19,
    "task-links-project2007-mspdi.xml": 16,
    "task-links-project2016-mspdi.xml": 16,
}


def test_every_file_is_covered() -> None:
    assert sorted(MISMATCHES) == FILES


def mismatches(name: str, *, honour_manual: bool = True) -> set[int]:
    project = read_mspdi_file(DATA / name)
    data = to_engine(project, honour_manual=honour_manual)
    result = schedule(data.tasks, data.dependencies, data.calendar, data.project_start)
    tasks = schedulable_tasks(project)
    assert len(tasks) == TASK_COUNTS[name]
    differ = set()
    for task in tasks:
        assert task.start is not None
        assert task.finish is not None
        ours = result.tasks[task.uid]
        if (ours.early_start, ours.early_finish) != (task.start.date(), task.finish.date()):
            differ.add(task.uid)
    return differ


@pytest.mark.parametrize("name", FILES)
def test_start_and_finish_match_ms_project(name: str) -> None:
    assert mismatches(name) == set(MISMATCHES[name])


def test_project_2016_file_matches_when_its_manual_tasks_are_scheduled_from_the_links() -> None:
    assert mismatches("task-links-project2016-mspdi.xml", honour_manual=False) == set()


def test_slack_and_critical_flags_match_ms_project_for_the_link_types() -> None:
    project = read_mspdi_file(DATA / "task-links-project2007-mspdi.xml")
    data = to_engine(project)
    result = schedule(data.tasks, data.dependencies, data.calendar, data.project_start)
    per_day = 10 * project.minutes_per_day  # slack is in tenths of a minute
    for task in schedulable_tasks(project):
        ours = result.tasks[task.uid]
        assert task.total_slack is not None
        assert task.free_slack is not None
        assert task.late_finish is not None
        assert ours.total_float_days == task.total_slack / per_day, task.uid
        assert ours.free_float_days == task.free_slack / per_day, task.uid
        assert ours.critical == task.critical, task.uid
        assert ours.late_finish == task.late_finish.date(), task.uid
    assert result.finish_date == date(2014, 11, 3)


def test_link_types_and_lags_are_read() -> None:
    data = to_engine(read_mspdi_file(DATA / "task-links-project2007-mspdi.xml"))
    links = {(d.predecessor, d.successor): (d.type, d.lag_days) for d in data.dependencies}
    assert links == {
        (1, 2): (DependencyType.FS, 0),
        (3, 4): (DependencyType.FS, 1),
        (5, 6): (DependencyType.FS, 2),
        (7, 8): (DependencyType.FS, 5),  # 1 week (LagFormat 9) = 5 working days
        (9, 10): (DependencyType.FS, 10),
        (11, 12): (DependencyType.SF, 2),
        (13, 14): (DependencyType.SS, 2),
        (15, 16): (DependencyType.FF, 2),
    }


def test_sample_file_hierarchy_milestone_constraints_and_negative_lag() -> None:
    project = read_mspdi_file(DATA / "sample.xml")
    data = to_engine(project)
    by_id = {t.id: t for t in data.tasks}
    assert by_id[2].parent == 1
    assert by_id[3].parent == 1
    assert by_id[1].parent is None
    assert by_id[3].duration_days == 0
    assert by_id[3].is_milestone
    assert by_id[20].constraint == ConstraintType.SNET
    assert by_id[20].constraint_date == date(2003, 1, 8)
    lags = {(d.predecessor, d.successor): d.lag_days for d in data.dependencies}
    assert lags[(13, 14)] == -1
    assert data.calendar == Calendar()
    assert [c.name for c in project.calendars] == ["Standard", "Night Shift", "First Resource", "Second Resource"]


def test_null_tasks_are_skipped_and_outline_levels_make_the_hierarchy() -> None:
    project = read_mspdi_file(DATA / "mspdinulltasks.xml")
    assert [t.uid for t in schedulable_tasks(project)] == [1, 3, 4, 6, 8]
    parents = {t.uid: t.parent_uid for t in schedulable_tasks(project)}
    assert parents == {1: None, 3: 1, 4: 1, 6: None, 8: 6}
    assert project.minutes_per_day == 450
    assert to_engine(project).tasks[1].duration_days == 10  # 75 h at 7.5 h a day


def test_resources_and_assignments() -> None:
    project = read_mspdi_file(DATA / "mspdiresource.xml")
    wade = next(r for r in project.resources if r.name == "Wade Golden")
    assert wade.email == "wade.golden@steelray.com"
    assert {(a.task_uid, a.resource_uid) for a in project.assignments} >= {(2, 1), (2, 2), (2, 3), (3, 1)}
    done = next(t for t in project.tasks if t.uid == 4)
    assert done.percent_complete == 100
    assert done.actual_finish is not None


def test_recurring_calendar_exceptions_are_expanded() -> None:
    project = read_mspdi_file(DATA / "calendar-recurring-exceptions-project2016-mspdi.xml")
    cal = project.calendars[0]
    by_name = {ex.name: sorted(exception_dates(ex)) for ex in cal.exceptions}
    assert len(cal.exceptions) == 27
    assert by_name["Daily 1"] == [date(2000, 1, 1), date(2000, 1, 2), date(2000, 1, 3)]
    assert by_name["Daily 2"] == [date(2000, 2, 1), date(2000, 2, 4), date(2000, 2, 7), date(2000, 2, 10)]
    assert by_name["Weekly 2 Tuesday"] == [date(2001, 1, 2), date(2001, 1, 16), date(2001, 1, 30), date(2001, 2, 13)]
    assert by_name["Weekly 7 Sunday"][0] == date(2001, 2, 18)
    assert by_name["Weekly 7 Sunday"][-1] == date(2002, 3, 17)
    assert len(by_name["Weekly 7 Sunday"]) == 9
    # first Monday every two months
    assert by_name["Monthly Relative 1"] == [date(2002, 1, 7), date(2002, 3, 4), date(2002, 5, 6)]
    for ex in cal.exceptions:  # every expansion ends where MS Project says the exception ends
        days = sorted(exception_dates(ex))
        assert days, ex.name
        assert days[-1] == ex.finish, ex.name
        if ex.recurrence and ex.recurrence.occurrences:
            assert len(days) == ex.recurrence.occurrences, ex.name
    working = [ex for ex in cal.exceptions if ex.working]
    assert len(working) == 1
    engine = engine_calendar(project)
    assert date(2000, 1, 3) in engine.holidays  # a Monday off
    assert date(2000, 1, 1) not in engine.holidays  # a Saturday is off anyway


def test_old_style_exceptions_and_derived_calendars() -> None:
    project = read_mspdi_file(DATA / "caltest.xml")
    three = next(c for c in project.calendars if c.name == "Resource Three")
    assert three.base_uid == 3
    assert three.exceptions
    cal = engine_calendar(project, three.uid)
    assert cal.working_weekdays == frozenset(range(5))
    assert any(day.month == 11 and day.year == 2005 for day in cal.holidays)


@pytest.mark.parametrize("name", FILES)
def test_round_trip(name: str) -> None:
    project = read_mspdi_file(DATA / name)
    written = write_mspdi(project)
    assert written.startswith(b'<?xml version="1.0" encoding="UTF-8"')
    assert b'<Project xmlns="http://schemas.microsoft.com/project">' in written
    assert read_mspdi(written) == project


def test_durations() -> None:
    assert parse_duration("PT8H0M0S") == 480
    assert parse_duration("PT133H20M0S") == 8000
    assert parse_duration("-PT4H30M0S") == -270
    assert parse_duration("P1DT1H") == 1500
    assert format_duration(8000) == "PT133H20M0S"
    assert format_duration(parse_duration("PT114H17M6S")) == "PT114H17M6S"
    with pytest.raises(MspdiError, match="not an ISO-8601 duration"):
        parse_duration("8 hours")


# --- hostile input ------------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Project xmlns="http://schemas.microsoft.com/project"><Name>&lol4;</Name></Project>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE p [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Project xmlns="http://schemas.microsoft.com/project"><Name>&secret;</Name></Project>"""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (BILLION_LAUGHS, "declares a DTD"),
        (EXTERNAL_ENTITY, "declares a DTD"),
        (b"<html><body>hello</body></html>", "the root element is <html>"),
        (b'<Project xmlns="urn:other"><Name>x</Name></Project>', "the root element is <Project>"),
        (b"<Project xmlns='http://schemas.microsoft.com/project'><Tasks><Task>", "not well-formed XML"),
        (b"PK\x03\x04 this is a zip, not XML", "not well-formed XML"),
        (b"   ", "the file is empty"),
        (
            b"<Project xmlns='http://schemas.microsoft.com/project'><Tasks><Task><UID>x</UID></Task></Tasks></Project>",
            "malformed value",
        ),
        (
            b"<Project xmlns='http://schemas.microsoft.com/project'><Tasks><Task><UID>1</UID>"
            b"<Duration>eight hours</Duration></Task></Tasks></Project>",
            "not an ISO-8601 duration",
        ),
    ],
)
def test_hostile_or_broken_files_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(MspdiError, match=message):
        read_mspdi(data)


def test_fifty_megabytes_of_nonsense_are_refused_before_parsing(tmp_path: Path) -> None:
    junk = b"<Project>" + b"\x00nonsense" * (50 * 1024 * 1024 // 9)
    with pytest.raises(MspdiError, match="larger than 32 MB"):
        read_mspdi(junk)
    path = tmp_path / "junk.xml"
    path.write_bytes(junk)
    with pytest.raises(MspdiError, match="the file is 50 MB"):
        read_mspdi_file(path)
    with path.open("rb") as stream:  # a stream is read only up to the limit
        with pytest.raises(MspdiError, match="larger than 32 MB"):
            read_mspdi(stream)
