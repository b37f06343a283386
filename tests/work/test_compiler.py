"""The query compiler: each field and operator against a small dataset, with a fixed today."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from labora.core.errors import ValidationError
from labora.work import services
from labora.work.models import Task
from labora.work.query_compiler import compile_query, order_by, user_today
from tests import factories

TODAY = datetime.date(2026, 3, 10)


@pytest.fixture
def data(user: Any, workspace: Any) -> dict[str, Any]:
    """OPS-1..5 and WEB-1, owned/reported by `user`; `mia` is another member."""
    mia = factories.add_member(workspace, factories.make_user(email="mia@example.com")).user
    ops = services.project_create(actor=user, workspace=workspace, key="OPS", name="Ops")
    web = services.project_create(actor=user, workspace=workspace, key="WEB", name="Web")

    def make(project: Any, **kwargs: Any) -> Task:
        return services.task_create(actor=user, project=project, **kwargs)

    make(
        ops,
        title="Printer jam",
        priority="high",
        assignee=user.email,
        due_date=datetime.date(2026, 3, 9),
        labels=["bug"],
        estimate_hours=2,
    )
    make(
        ops,
        title="Renew licence",
        priority="low",
        assignee=mia.email,
        due_date=datetime.date(2026, 3, 15),
        start_date=datetime.date(2026, 3, 1),
        labels=["admin", "bug"],
        estimate_hours=8,
        type="milestone",
    )
    make(ops, title="Old request", status="Done", due_date=datetime.date(2026, 3, 1), description="the PRINTER")
    make(ops, title="Dropped", status="Cancelled", parent="OPS-1")
    make(ops, title="Someday", status="Backlog", priority="urgent")
    make(web, title="Launch page", status="In progress", assignee=mia.email)
    return {"user": user, "mia": mia, "workspace": workspace}


def keys(data: dict[str, Any], text: str, today: datetime.date = TODAY) -> list[str]:
    q = compile_query(text, user=data["user"], workspace=data["workspace"], today=today)
    tasks = Task.objects.filter(workspace=data["workspace"]).filter(q).select_related("project")
    return sorted(t.key for t in tasks)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["OPS-1", "OPS-2", "OPS-3", "OPS-4", "OPS-5", "WEB-1"]),
        ("status:open", ["OPS-1", "OPS-2", "OPS-5", "WEB-1"]),
        ("status:closed", ["OPS-3", "OPS-4"]),
        ('status:"in progress"', ["WEB-1"]),
        ("status:done,cancelled", ["OPS-3", "OPS-4"]),
        ("status!=open", ["OPS-3", "OPS-4"]),
        ("category:backlog", ["OPS-5"]),
        ("category=in_progress", ["WEB-1"]),
        ("assignee:me", ["OPS-1"]),
        ("assignee:none", ["OPS-3", "OPS-4", "OPS-5"]),
        ("assignee:mia@example.com", ["OPS-2", "WEB-1"]),
        ("assignee!=me", ["OPS-2", "OPS-3", "OPS-4", "OPS-5", "WEB-1"]),
        ("assignee!=none", ["OPS-1", "OPS-2", "WEB-1"]),
        ("reporter:me", ["OPS-1", "OPS-2", "OPS-3", "OPS-4", "OPS-5", "WEB-1"]),
        ("priority:high", ["OPS-1"]),
        ("priority>=high", ["OPS-1", "OPS-5"]),
        ("priority<medium", ["OPS-2", "OPS-3", "OPS-4", "WEB-1"]),
        ("priority!=none", ["OPS-1", "OPS-2", "OPS-5"]),
        ("label:bug", ["OPS-1", "OPS-2"]),
        ("label:admin,missing", ["OPS-2"]),
        ("label:none", ["OPS-3", "OPS-4", "OPS-5", "WEB-1"]),
        ("label!=bug", ["OPS-3", "OPS-4", "OPS-5", "WEB-1"]),
        ("type:milestone", ["OPS-2"]),
        ("project:web", ["WEB-1"]),
        ("project!=OPS", ["WEB-1"]),
        ("due:overdue", ["OPS-1"]),
        ("due<today", ["OPS-1", "OPS-3"]),
        ("due<=+5d", ["OPS-1", "OPS-2", "OPS-3"]),
        ("due>2026-03-09", ["OPS-2"]),
        ("due:2026-03-15", ["OPS-2"]),
        ("due!=2026-03-15", ["OPS-1", "OPS-3", "OPS-4", "OPS-5", "WEB-1"]),
        ("due:none", ["OPS-4", "OPS-5", "WEB-1"]),
        ("due>=-1w", ["OPS-1", "OPS-2"]),
        ("start:none", ["OPS-1", "OPS-3", "OPS-4", "OPS-5", "WEB-1"]),
        ("start<yesterday", ["OPS-2"]),
        ("estimate>2", ["OPS-2"]),
        ("estimate>=2h", ["OPS-1", "OPS-2"]),
        ("estimate:1d", ["OPS-2"]),
        ("estimate:none", ["OPS-3", "OPS-4", "OPS-5", "WEB-1"]),
        ("parent:OPS-1", ["OPS-4"]),
        ("parent:none project:OPS status:closed", ["OPS-3"]),
        ("text:printer", ["OPS-1", "OPS-3"]),
        ("printer", ["OPS-1", "OPS-3"]),
        ("label:bug OR project:web", ["OPS-1", "OPS-2", "WEB-1"]),
        ("NOT (label:bug OR project:web)", ["OPS-3", "OPS-4", "OPS-5"]),
        ("-status:open", ["OPS-3", "OPS-4"]),
        ("label:bug AND assignee:me", ["OPS-1"]),
        # OPS-2 has both labels: whichever label term is joined, it is listed once, and two
        # label terms are two conditions, not one link holding both labels.
        ("label:BUG", ["OPS-1", "OPS-2"]),
        ("label:bug label:admin", ["OPS-2"]),
        ("label:admin label:bug status:open", ["OPS-2"]),
        ("label:bug,admin", ["OPS-1", "OPS-2"]),
        ("label:bug OR label:admin", ["OPS-1", "OPS-2"]),
        ("label:bug NOT label:admin", ["OPS-1"]),
        ("label:admin NOT label:bug", []),
        ("label:bug (label:admin OR assignee:me)", ["OPS-1", "OPS-2"]),
        ("(label:bug status:open) OR project:web", ["OPS-1", "OPS-2", "WEB-1"]),
        ("label:missing label:bug", []),
    ],
)
def test_the_query_selects(data: dict[str, Any], text: str, expected: list[str]) -> None:
    assert keys(data, text) == expected


def _label_sql(data: dict[str, Any], text: str) -> str:
    q = compile_query(text, user=data["user"], workspace=data["workspace"], today=TODAY)
    return str(Task.objects.filter(workspace=data["workspace"]).filter(q).query)


@pytest.mark.parametrize(
    ("text", "joins", "exists"),
    [
        ("label:bug", 1, 0),  # the label every match has: a join (cheaper than EXISTS)
        ("status:open label:bug", 1, 0),
        ("label:bug label:admin", 1, 1),  # only one of them joined
        ("label:bug,admin", 0, 2),  # either label: a join would list OPS-2 twice
        ("label:bug OR project:web", 0, 1),
        ("NOT label:bug", 0, 1),
        ("label!=bug", 0, 1),
        ("label:none", 0, 1),
    ],
)
def test_only_the_label_every_match_must_have_is_joined(
    data: dict[str, Any], text: str, joins: int, exists: int
) -> None:
    sql = _label_sql(data, text)
    assert sql.count('JOIN "work_task_labels"') == joins
    assert sql.count("EXISTS") == exists


def test_created_and_updated_are_days_in_the_users_time_zone(data: dict[str, Any]) -> None:
    today = user_today(data["user"])
    assert keys(data, "created:today", today) == ["OPS-1", "OPS-2", "OPS-3", "OPS-4", "OPS-5", "WEB-1"]
    assert keys(data, "created<today", today) == []
    assert keys(data, "updated>=-1d", today) == ["OPS-1", "OPS-2", "OPS-3", "OPS-4", "OPS-5", "WEB-1"]
    assert keys(data, "updated>today", today) == []
    Task.objects.filter(project__key="WEB").update(created_at=timezone.now() - datetime.timedelta(days=20))
    assert keys(data, "created<-2w", today) == ["WEB-1"]
    assert keys(data, "created<=-20d", today) == ["WEB-1"]


def test_a_time_zone_far_east_moves_the_day(data: dict[str, Any]) -> None:
    user = data["user"]
    user.timezone = "Pacific/Kiritimati"  # UTC+14
    Task.objects.filter(project__key="WEB").update(
        created_at=datetime.datetime(2026, 3, 9, 11, 0, tzinfo=datetime.UTC)  # 2026-03-10 01:00 there
    )
    assert "WEB-1" in keys(data, "created:2026-03-10")
    assert "WEB-1" not in keys(data, "created:2026-03-09")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("priority:whenever", "Unknown priority"),
        ("category:later", "Unknown category"),
        ("type:story", "Unknown type"),
        ("parent:nonsense", "not a task key"),
    ],
)
def test_values_the_data_cannot_have_answer_invalid_query(data: dict[str, Any], text: str, message: str) -> None:
    with pytest.raises(ValidationError) as err:
        keys(data, text)
    assert err.value.code == "invalid_query"
    assert message in err.value.message


def test_a_syntax_error_carries_its_position(data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as err:
        keys(data, "status:open (")
    assert err.value.code == "invalid_query"
    assert err.value.extra["position"] == 14
    assert "q" in err.value.fields


def test_order_puts_empty_values_last_both_ways(data: dict[str, Any]) -> None:
    def ordered(text: str) -> list[str]:
        return [t.key for t in Task.objects.select_related("project").order_by(*order_by(text))]

    assert ordered("due")[:3] == ["OPS-3", "OPS-1", "OPS-2"]
    assert ordered("-due")[:3] == ["OPS-2", "OPS-1", "OPS-3"]
    assert ordered("-due")[3:] == ["OPS-4", "OPS-5", "WEB-1"]
    assert ordered("category,key") == ["OPS-5", "OPS-1", "OPS-2", "WEB-1", "OPS-3", "OPS-4"]
    assert ordered("-priority,key")[:2] == ["OPS-5", "OPS-1"]
    with pytest.raises(ValidationError) as err:
        order_by("colour")
    assert "order" in err.value.fields
