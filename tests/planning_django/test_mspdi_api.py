"""MS Project XML: POST /workspaces/{ws}/projects/import/mspdi and GET .../projects/{key}/export/mspdi."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from labora.core.models import DomainEvent
from labora.planning import services
from labora.planning.models import Dependency, TaskPlan, WorkCalendar
from labora.planning.mspdi import read_mspdi_file, schedulable_tasks
from labora.work.models import Project, Task
from labora.workspaces.models import Role
from tests import factories
from tests.planning_django.conftest import WS

D = datetime.date
SHARED = Path("/work/shared/testdata/mspdi")
WITH_TASKS = [
    "task-links-project2007-mspdi.xml",
    "task-links-project2016-mspdi.xml",
    "sample.xml",
    "mspditimephasedsegments.xml",
    "mspdiduration.xml",
    "mspdiresource.xml",
    "caltest.xml",
    "mspdinulltasks.xml",
]
IMPORT = f"{WS}/projects/import/mspdi"


def _upload(api: Any, content: bytes, key: str = "IMP", name: str | None = None, filename: str = "plan.xml") -> Any:
    data: dict[str, Any] = {"file": SimpleUploadedFile(filename, content, content_type="application/xml"), "key": key}
    if name is not None:
        data["name"] = name
    return api.post(IMPORT, data)


@pytest.mark.parametrize("filename", WITH_TASKS)
def test_each_shared_file_imports_into_a_new_project(api: Any, workspace: Any, filename: str) -> None:
    path = SHARED / filename
    parsed = read_mspdi_file(path)
    rows = schedulable_tasks(parsed)
    links = sum(1 for t in rows for link in t.predecessors if link.predecessor_uid in {r.uid for r in rows})
    response = _upload(api, path.read_bytes())
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["tasks"], body["dependencies"]) == (len(rows), links)
    project = Project.objects.get(workspace=workspace, key="IMP")
    assert project.task_counter == len(rows)
    tasks = list(Task.objects.filter(project=project).order_by("number"))
    assert [t.title for t in tasks] == [(r.name or "").strip()[:500] or f"Task {r.uid}" for r in rows]
    assert Dependency.objects.filter(successor__project=project).count() == links
    parents = {r.uid for r in rows if any(c.parent_uid == r.uid for c in rows)}
    assert Task.objects.filter(project=project, parent__isnull=False).count() == sum(
        1 for r in rows if r.parent_uid is not None and r.parent_uid in {x.uid for x in rows}
    )
    assert all(t.duration_days is None for t in tasks if rows[t.number - 1].uid in parents)
    assert WorkCalendar.objects.filter(project=project).exists()
    assert project.start_date is not None
    # the imported project schedules
    assert api.post_json(f"{WS}/projects/IMP/schedule").status_code == 200
    assert DomainEvent.objects.filter(name="project.imported").count() == 1


def test_the_2007_links_file_keeps_types_lags_and_dates(api: Any, workspace: Any) -> None:
    path = SHARED / "task-links-project2007-mspdi.xml"
    assert _upload(api, path.read_bytes(), name="Links").status_code == 201
    project = Project.objects.get(key="IMP")
    assert project.name == "Links"
    types = set(Dependency.objects.filter(successor__project=project).values_list("type", flat=True))
    assert types == {"FS", "SS", "FF", "SF"}
    lags = set(Dependency.objects.filter(successor__project=project).values_list("lag_days", flat=True))
    assert len(lags) > 1
    rows = schedulable_tasks(read_mspdi_file(path))
    first = Task.objects.get(project=project, number=1)
    assert first.start_date == rows[0].start.date()  # type: ignore[union-attr]


def test_resources_become_assignees_when_they_match_members(api: Any, workspace: Any) -> None:
    path = SHARED / "mspdiresource.xml"
    parsed = read_mspdi_file(path)
    resource = next(r for r in parsed.resources if r.name)
    factories.add_member(workspace, factories.make_user(email="res@example.com", name=resource.name), role=Role.MEMBER)
    body = _upload(api, path.read_bytes()).json()
    assigned_uids = {a.task_uid for a in parsed.assignments if a.resource_uid == resource.uid}
    if not assigned_uids:
        pytest.skip("the file assigns nothing to its first named resource")
    assert body["assigned"] >= 1
    assert Task.objects.filter(project__key="IMP", assignee__email="res@example.com").exists()
    assert resource.name not in body["unmatched_resources"]


def test_the_export_is_an_attachment_that_imports_back_the_same(
    api: Any, user: Any, make_task: Any, link: Any, project: Any
) -> None:
    api.put_json(
        f"{WS}/projects/PLN/calendar",
        {
            "working_days": ["mon", "tue", "wed", "thu"],
            "holidays": ["2025-01-08", {"date": "2025-01-15", "name": "Founders' Day"}],
        },
    )
    phase = make_task("Phase", None)
    a = make_task("Dig", 3, parent=phase.key, assignee=user.email, description="Carefully")
    b = make_task("Pour", 2, parent=phase.key)
    c = make_task("Cure", 4)
    done = make_task("Milestone", 0)
    d = make_task("Paint", 1)
    link(a, b, "SS", 1)
    link(b, c, "FF", -1)
    link(c, done, "FS", 2)
    link(a, d, "SF")
    services.task_plan_update(actor=user, task=c, constraint_type="SNET", constraint_date=D(2025, 1, 20))
    services.task_plan_update(actor=user, task=d, mode="manual")
    api.post_json(f"{WS}/projects/PLN/schedule")

    exported = api.get(f"{WS}/projects/PLN/export/mspdi")
    assert exported.status_code == 200
    assert exported["Content-Type"].startswith("application/xml")
    assert exported["Content-Disposition"] == 'attachment; filename="PLN.xml"'
    response = _upload(api, exported.content, key="RT")
    assert response.status_code == 201, response.content
    assert response.json()["project"]["name"] == "Plan"

    def shape(key: str) -> dict[str, Any]:
        tasks = list(Task.objects.filter(project__key=key).select_related("parent", "assignee").order_by("number"))
        deps = Dependency.objects.filter(successor__project__key=key).select_related("predecessor", "successor")
        plans = TaskPlan.objects.filter(task__project__key=key).select_related("task")
        return {
            "tasks": [
                (t.number, t.title, t.parent.number if t.parent else None, t.duration_days, t.start_date, t.due_date,
                 t.assignee_id, t.description)
                for t in tasks
            ],
            "deps": sorted((x.predecessor.number, x.successor.number, x.type, x.lag_days) for x in deps),
            "plans": sorted(
                (p.task.number, p.mode, p.constraint_type, p.constraint_date) for p in plans
                if p.mode != "auto" or p.constraint_type != "ASAP"
            ),
            "calendar": WorkCalendar.objects.filter(project__key=key)
            .values_list("working_days", "holidays", "holiday_names")
            .get(),
        }  # fmt: skip

    assert shape("RT") == shape("PLN")
    # the named holiday went out as the exception's Name and came back (the other as "Holiday")
    assert b"<Name>Founders' Day</Name>" in exported.content or b"<Name>Founders&apos; Day</Name>" in exported.content
    assert WorkCalendar.objects.get(project__key="RT").holiday_names == {"2025-01-15": "Founders' Day"}


HOSTILE = {
    "billion laughs": b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
    b']><Project xmlns="http://schemas.microsoft.com/project"><Name>&lol2;</Name></Project>',
    "external entity": b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<Project xmlns="http://schemas.microsoft.com/project"><Name>&x;</Name></Project>',
    "wrong root": b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>',
    "not xml": b"%PDF-1.4 this is not XML at all",
    "empty": b"",
    "truncated": b'<Project xmlns="http://schemas.microsoft.com/project"><Tasks><Task><UID>1',
    "absurd number": b'<Project xmlns="http://schemas.microsoft.com/project"><Tasks><Task><UID>1e999</UID>'
    b"<Name>x</Name></Task></Tasks></Project>",
    "bad date": b'<Project xmlns="http://schemas.microsoft.com/project"><StartDate>yesterday</StartDate></Project>',
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_or_malformed_file_answers_422_and_imports_nothing(api: Any, workspace: Any, name: str) -> None:
    events = DomainEvent.objects.count()
    response = _upload(api, HOSTILE[name])
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid_mspdi"
    assert "Nothing was imported" in error["message"]
    assert not Project.all_objects.filter(key="IMP").exists()
    assert DomainEvent.objects.count() == events


def test_fifty_megabytes_of_junk_are_refused_by_size(api: Any, workspace: Any) -> None:
    response = _upload(api, b"\x00junk" * (10 * 1024 * 1024))
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"file": "too large"}
    assert not Project.all_objects.filter(key="IMP").exists()


def test_import_needs_a_file_a_free_key_and_membership(
    api: Any, api_for: Any, user: Any, workspace: Any, project: Any
) -> None:
    content = (SHARED / "caltest.xml").read_bytes()
    missing = api.post(IMPORT, {"key": "IMP"})
    assert (missing.status_code, missing.json()["error"]["fields"]) == (422, {"file": "required"})
    assert api.post(IMPORT, {"file": SimpleUploadedFile("a.xml", content)}).status_code == 422
    taken = _upload(api, content, key="PLN")
    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "key_taken")
    assert _upload(api, content, key="bad key").status_code == 422
    guest = factories.make_user(email="guest@example.com")
    factories.add_member(workspace, guest, role=Role.GUEST)
    assert _upload(api_for(guest), content).status_code == 403
    assert Project.objects.count() == 1
