"""The Plan pages: schedule, auto-scheduling, conflicts, baselines and variance, the forecast, and
the MS Project import and export pages, through the Django test client as a browser would."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from labora.core.models import DomainEvent
from labora.planning import services
from labora.planning.engine.forecast import HistogramBin
from labora.planning.models import Baseline, ProjectPlan, TaskPlan
from labora.planning.views.forecast import chart_of, forecast_for, period_days, periods_of, runs_inline
from labora.work import services as work_services
from labora.work.models import Project, Task
from labora.workspaces.models import Role
from tests import factories

D = datetime.date
PLAN = "/w/acme/projects/PLN/plan/"
BASELINES = f"{PLAN}baselines/"
FORECAST = f"{PLAN}forecast/"
EXPORT = f"{PLAN}export.xml"
IMPORT = "/w/acme/projects/import/ms-project/"
SAMPLE = Path("/work/shared/testdata/mspdi/task-links-project2016-mspdi.xml")
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<Project xmlns="http://schemas.microsoft.com/project"><Name>&lol3;</Name></Project>"""


def _client(person: Any) -> Client:
    client = Client()
    client.force_login(person)
    return client


@pytest.fixture
def owner_client(user: Any) -> Client:
    return _client(user)


@pytest.fixture
def chain(make_task: Any, link: Any) -> tuple[Task, Task]:
    """A (3 days) then B (2 days), finish to start, from Monday 6 January 2025."""
    a, b = make_task("Design", 3), make_task("Build", 2)
    link(a, b)
    return a, b


def _refresh(*tasks: Task) -> list[Task]:
    return [Task.objects.get(pk=t.pk) for t in tasks]


# --- the Plan page ---------------------------------------------------------------------------------


def test_the_schedule_button_dates_the_tasks_and_shows_finish_moves_and_critical_path(
    owner_client: Client, project: Project, chain: tuple[Task, Task]
) -> None:
    page = owner_client.get(PLAN)
    assert page.status_code == 200
    assert b"Schedule now" in page.content
    assert b"Not scheduled yet" in page.content

    response = owner_client.post(PLAN, {"action": "schedule"})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'finishes on <time datetime="2025-01-10">' in html
    assert "2 tasks moved" in html
    assert re.findall(r'<ol class="plan-path"[^>]*>(.*?)</ol>', html, re.S)[0].count("/w/acme/tasks/PLN-") == 2
    a, b = _refresh(*chain)
    assert (a.start_date, a.due_date, b.start_date, b.due_date) == (
        D(2025, 1, 6),
        D(2025, 1, 8),
        D(2025, 1, 9),
        D(2025, 1, 10),
    )
    assert ProjectPlan.objects.get(project=project).finish_date == D(2025, 1, 10)
    assert DomainEvent.objects.filter(name="project.scheduled").count() == 1
    # the critical path table lists both, with their floats
    assert 'id="plan-row-PLN-1" class="plan-critical"' in html
    assert 'id="plan-row-PLN-2" class="plan-critical"' in html


def test_scheduling_through_htmx_answers_the_named_partial(
    owner_client: Client, project: Project, chain: tuple[Task, Task]
) -> None:
    response = owner_client.post(PLAN, {"action": "schedule"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div class="stack" id="plan-main">')
    assert "<html" not in html
    assert 'id="schedule-result"' in html


def test_slack_to_target_counts_working_days(owner_client: Client, user: Any, project: Project, chain: Any) -> None:
    work_services.project_update(actor=user, project=project, target_date=D(2025, 1, 15))
    owner_client.post(PLAN, {"action": "schedule"})
    html = owner_client.get(PLAN).content.decode()
    # finish Fri 10 Jan, target Wed 15 Jan: Mon 13, Tue 14, Wed 15 to spare
    assert re.search(r'id="plan-slack">.*?<div class="stat-value">\+3 d</div>', html, re.S)
    work_services.project_update(actor=user, project=Project.objects.get(pk=project.pk), target_date=D(2025, 1, 8))
    html = owner_client.get(PLAN).content.decode()
    assert "2 working days late" in html


def test_without_a_start_date_the_schedule_button_says_what_to_do(
    owner_client: Client, user: Any, project: Project, chain: Any
) -> None:
    work_services.project_update(actor=user, project=project, start_date=None)
    response = owner_client.post(PLAN, {"action": "schedule"})
    assert response.status_code == 422
    assert b"has no start date" in response.content
    assert DomainEvent.objects.filter(name="project.scheduled").count() == 0


def test_a_viewer_sees_the_plan_but_cannot_schedule_or_switch_auto(
    project: Project, chain: tuple[Task, Task], viewer: Any
) -> None:
    client = _client(viewer)
    page = client.get(PLAN)
    assert page.status_code == 200
    assert b'id="schedule-button"' not in page.content
    assert b'id="auto-button"' not in page.content

    denied = client.post(PLAN, {"action": "schedule"})
    assert denied.status_code == 403
    assert client.post(PLAN, {"action": "auto", "version": "0", "auto_schedule": "on"}).status_code == 403
    a, b = _refresh(*chain)
    assert (a.start_date, b.start_date) == (None, None)
    assert not ProjectPlan.objects.filter(project=project, auto_schedule=True).exists()
    assert DomainEvent.objects.filter(name__in=["project.scheduled", "project_plan.updated"]).count() == 0


def test_a_contributor_schedules_but_cannot_switch_auto(
    project: Project, chain: tuple[Task, Task], contributor: Any
) -> None:
    client = _client(contributor)
    page = client.get(PLAN).content
    assert b'id="schedule-button"' in page
    assert b'id="auto-button"' not in page
    assert client.post(PLAN, {"action": "schedule"}).status_code == 200
    assert client.post(PLAN, {"action": "auto", "version": "0", "auto_schedule": "on"}).status_code == 403


def test_the_auto_switch_is_version_checked(owner_client: Client, project: Project) -> None:
    on = owner_client.post(PLAN, {"action": "auto", "version": "0", "auto_schedule": "on"})
    assert on.status_code == 200
    assert b"Auto-scheduling is on" in on.content
    plan = ProjectPlan.objects.get(project=project)
    assert (plan.auto_schedule, plan.version) == (True, 1)

    stale = owner_client.post(PLAN, {"action": "auto", "version": "0"})  # a second tab, opened before

    assert stale.status_code == 409
    assert b"Someone changed the planning settings" in stale.content
    assert b"It is now on" in stale.content
    plan.refresh_from_db()
    assert (plan.auto_schedule, plan.version) == (True, 1)
    assert DomainEvent.objects.filter(name="project_plan.updated").count() == 1
    off = owner_client.post(PLAN, {"action": "auto", "version": "1"})
    assert off.status_code == 200
    assert b'id="auto-state">Off' in off.content


def test_conflicts_and_manual_tasks_are_listed_with_keys(
    owner_client: Client, user: Any, project: Project, make_task: Any, link: Any
) -> None:
    a = make_task("Foundation", 3)
    b = make_task("Walls", 2, start_date=D(2025, 1, 7), due_date=D(2025, 1, 8))
    link(a, b)
    services.task_plan_update(actor=user, task=b, mode="manual")
    owner_client.post(PLAN, {"action": "schedule"})

    html = owner_client.get(PLAN).content.decode()

    row = re.search(r'<tr id="conflict-PLN-2".*?</tr>', html, re.S)
    assert row is not None
    assert "Manual" in row.group(0)
    assert "dependency on PLN-1 (FS +0d) needs a start on or after 2025-01-09" in row.group(0)
    assert TaskPlan.objects.get(task=b).conflicts  # stored by the schedule


def test_the_critical_table_toggles_to_all_tasks_and_paginates(
    owner_client: Client, project: Project, make_task: Any, link: Any
) -> None:
    first = make_task("Spine", 5)
    for i in range(55):
        link(first, make_task(f"Rib {i}", 1))
    owner_client.post(PLAN, {"action": "schedule"})
    critical = owner_client.get(PLAN).content.decode()
    assert critical.count('class="plan-critical"') == 50  # a page of them
    assert re.search(r'id="critical-heading">Critical path <span class="count">56<', critical)
    everything = owner_client.get(f"{PLAN}?show=all").content.decode()
    assert everything.count('<tr id="plan-row-') == 50
    assert "1–50 of 56" in everything  # noqa: RUF001 (the pager's en dash)
    assert "show=all&amp;page=2" in everything
    second = owner_client.get(f"{PLAN}?show=all&page=2").content.decode()
    assert second.count('<tr id="plan-row-') == 6


@pytest.mark.parametrize("extra", [0, 40])
def test_the_plan_page_takes_the_same_queries_whatever_the_size(
    owner_client: Client,
    project: Project,
    make_task: Any,
    link: Any,
    extra: int,
    django_assert_num_queries: Any,
) -> None:
    previous = make_task("Start", 1)
    for i in range(extra):
        task = make_task(f"Step {i}", 1)
        link(previous, task)
        previous = task
    owner_client.post(PLAN, {"action": "schedule"})
    owner_client.get(PLAN)  # warm the session
    with django_assert_num_queries(11):
        assert owner_client.get(PLAN).status_code == 200


def test_outsiders_get_404_on_every_plan_page(user: Any, project: Project, chain: Any) -> None:
    stranger = factories.make_user(email="stranger@example.com")
    factories.make_workspace(owner=stranger, slug="other")
    client = _client(stranger)
    baseline = services.baseline_create(actor=user, project=project, name="B")
    for url in (PLAN, BASELINES, FORECAST, EXPORT, f"{BASELINES}{baseline.public_id}/", IMPORT):
        assert client.get(url).status_code == 404, url
    assert client.post(PLAN, {"action": "schedule"}).status_code == 404
    assert client.post(BASELINES, {"action": "create", "name": "Mine"}).status_code == 404
    assert Baseline.objects.count() == 1


def test_the_export_downloads_ms_project_xml(owner_client: Client, project: Project, chain: Any) -> None:
    response = owner_client.get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="PLN.xml"'
    assert b"<Project" in response.content
    assert b"<Name>Design</Name>" in response.content


# --- baselines --------------------------------------------------------------------------------------


def test_save_a_baseline_then_see_the_drift_task_by_task(
    owner_client: Client, user: Any, project: Project, chain: tuple[Task, Task]
) -> None:
    owner_client.post(PLAN, {"action": "schedule"})
    saved = owner_client.post(BASELINES, {"action": "create", "name": "Agreed plan"})
    baseline = Baseline.objects.get(project=project)
    assert saved.status_code == 302
    assert saved["Location"] == f"{BASELINES}{baseline.public_id}/"
    a, _b = chain
    work_services.task_update(actor=user, task=Task.objects.get(pk=a.pk), duration_days=5)
    owner_client.post(PLAN, {"action": "schedule"})  # A 6-10 Jan, B 13-14 Jan

    page = owner_client.get(saved["Location"])

    assert page.status_code == 200
    variance = page.context["variance"]
    assert (variance.finish_variance_days, variance.start_variance_days, variance.duration_variance_days) == (2, 0, 2)
    rows = {r.key: r for r in variance.tasks}
    assert (rows["PLN-1"].start_variance_days, rows["PLN-1"].finish_variance_days) == (0, 2)
    assert rows["PLN-1"].duration_variance_days == 2
    assert (rows["PLN-2"].start_variance_days, rows["PLN-2"].finish_variance_days) == (2, 2)
    assert rows["PLN-2"].duration_variance_days == 0
    html = page.content.decode()
    assert 'id="variance-PLN-1" class="plan-late-row"' in html
    assert 'id="late-count">2<' in html
    assert "Agreed plan" in html
    assert "Olivia Owner" in html


def test_the_variance_table_sorts_and_filters_late_tasks(
    owner_client: Client, user: Any, project: Project, make_task: Any, link: Any
) -> None:
    a, b, _c = make_task("A", 1), make_task("B", 1), make_task("C", 1)
    link(a, b)
    owner_client.post(PLAN, {"action": "schedule"})
    baseline = services.baseline_create(actor=user, project=project, name="Base")
    work_services.task_update(actor=user, task=Task.objects.get(pk=a.pk), duration_days=4)
    owner_client.post(PLAN, {"action": "schedule"})
    url = f"{BASELINES}{baseline.public_id}/"

    def keys(query: str) -> list[str]:
        return [r.key for r in owner_client.get(f"{url}?{query}").context["page"].object_list]

    assert keys("sort=key") == ["PLN-1", "PLN-2", "PLN-3"]
    assert keys("sort=-key") == ["PLN-3", "PLN-2", "PLN-1"]
    assert keys("sort=-finish") == ["PLN-1", "PLN-2", "PLN-3"]  # +3, +3, 0
    assert keys("sort=start") == ["PLN-1", "PLN-3", "PLN-2"]  # 0, 0, +3
    assert keys("sort=finish&late=1") == ["PLN-1", "PLN-2"]
    assert keys("sort=nonsense") == ["PLN-1", "PLN-2", "PLN-3"]


def test_delete_a_baseline_after_confirming(owner_client: Client, user: Any, project: Project) -> None:
    baseline = services.baseline_create(actor=user, project=project, name="Old")
    page = owner_client.get(BASELINES).content.decode()
    assert 'data-confirm="Delete the baseline “Old”?' in page
    response = owner_client.post(BASELINES, {"action": "delete", "baseline": baseline.public_id})
    assert response.status_code == 302
    assert not Baseline.objects.filter(pk=baseline.pk).exists()
    assert owner_client.get(f"{BASELINES}{baseline.public_id}/").status_code == 404
    assert owner_client.post(BASELINES, {"action": "delete", "baseline": "nope"}).status_code == 404


def test_a_taken_or_empty_baseline_name_is_shown_on_the_form(owner_client: Client, user: Any, project: Project) -> None:
    services.baseline_create(actor=user, project=project, name="Agreed")
    taken = owner_client.post(BASELINES, {"action": "create", "name": "agreed"})
    assert taken.status_code == 409
    assert b"already has a baseline named" in taken.content
    empty = owner_client.post(BASELINES, {"action": "create", "name": "  "})
    assert empty.status_code == 422
    assert Baseline.objects.count() == 1


def test_a_viewer_sees_baselines_but_cannot_save_or_delete_one(user: Any, project: Project, viewer: Any) -> None:
    baseline = services.baseline_create(actor=user, project=project, name="Agreed")
    client = _client(viewer)
    page = client.get(BASELINES)
    assert page.status_code == 200
    assert b"Agreed" in page.content
    assert b"Save baseline" not in page.content
    assert client.get(f"{BASELINES}{baseline.public_id}/").status_code == 200
    assert client.post(BASELINES, {"action": "create", "name": "Mine"}).status_code == 403
    assert client.post(BASELINES, {"action": "delete", "baseline": baseline.public_id}).status_code == 403
    assert list(Baseline.objects.values_list("name", flat=True)) == ["Agreed"]


def test_the_baseline_list_is_paginated_without_n_plus_1(
    owner_client: Client, user: Any, project: Project, django_assert_num_queries: Any
) -> None:
    for i in range(3):
        services.baseline_create(actor=user, project=project, name=f"B{i}")
    owner_client.get(BASELINES)
    with django_assert_num_queries(8):
        few = owner_client.get(BASELINES)
    for i in range(3, 20):
        services.baseline_create(actor=user, project=project, name=f"B{i}")
    with django_assert_num_queries(8):
        many = owner_client.get(BASELINES)
    assert few.content.count(b'<tr id="baseline-') == 3
    assert many.content.count(b'<tr id="baseline-') == 20


# --- forecast ---------------------------------------------------------------------------------------


def _estimated(make_task: Any, link: Any) -> None:
    a = make_task("Design", 3, estimate_optimistic_hours=16, estimate_likely_hours=24, estimate_pessimistic_hours=64)
    b = make_task("Build", 5, estimate_optimistic_hours=32, estimate_likely_hours=40, estimate_pessimistic_hours=120)
    docs = make_task("Docs", 2)
    launch = make_task("Launch", 0)
    link(a, b)
    link(a, docs)
    link(b, launch)
    link(docs, launch)


def test_the_forecast_is_stable_for_a_seed_and_its_percentiles_are_ordered(
    owner_client: Client, user: Any, project: Project, make_task: Any, link: Any
) -> None:
    work_services.project_update(actor=user, project=project, target_date=D(2025, 1, 20))
    _estimated(make_task, link)

    first = owner_client.get(f"{FORECAST}?runs=1000&method=pert&seed=7")
    again = owner_client.get(f"{FORECAST}?runs=1000&method=pert&seed=7")

    assert first.status_code == 200
    r1, r2 = first.context["result"], again.context["result"]
    assert (r1.p50, r1.p80, r1.p95) == (r2.p50, r2.p80, r2.p95)
    assert r1.deterministic == D(2025, 1, 15)
    assert r1.deterministic <= r1.p50 <= r1.p80 <= r1.p95
    assert [m["key"] for m in r1.milestones] == ["PLN-4"]
    assert r1.by == "day"  # finishes within a few weeks: a bar per working day
    assert sum(p.count for p in r1.periods) == 1000
    assert r1.periods[-1].cumulative == pytest.approx(1.0)
    assert all(p.first.weekday() < 5 for p in r1.periods)
    assert r1.critical[0] == {"key": "PLN-1", "title": "Design", "index": 1.0, "percent": 100}
    html = first.content.decode()
    assert '<svg class="plan-histogram"' in html
    assert 'id="histogram-table"' in html
    assert html.count('<rect class="plan-bar"') == sum(1 for p in r1.periods if p.count)
    for label in ("P50", "P80", "P95", "Target"):
        assert f">{label}</text>" in html
    assert 'id="criticality-PLN-1"' in html


def test_the_forecast_takes_runs_and_method_from_the_form_and_ignores_nonsense(
    owner_client: Client, project: Project, make_task: Any, link: Any
) -> None:
    _estimated(make_task, link)
    tri = owner_client.get(f"{FORECAST}?runs=10000&method=triangular&seed=3").context["result"]
    assert (tri.runs, tri.method, tri.seed) == (10_000, "triangular", 3)
    odd = owner_client.get(f"{FORECAST}?runs=99999999&method=magic&seed=-4")
    assert odd.status_code == 200
    assert (odd.context["result"].runs, odd.context["result"].method, odd.context["result"].seed) == (1000, "pert", 1)


def test_the_forecast_without_a_start_date_explains_itself(
    owner_client: Client, user: Any, project: Project, make_task: Any
) -> None:
    work_services.project_update(actor=user, project=project, start_date=None)
    make_task("Alone", 1)
    response = owner_client.get(FORECAST)
    assert response.status_code == 200
    assert response.context["result"] is None
    assert b"has no start date" in response.content


def test_the_viewer_reads_the_forecast(project: Project, make_task: Any, link: Any, viewer: Any) -> None:
    _estimated(make_task, link)
    assert _client(viewer).get(FORECAST).status_code == 200


def test_weeks_fill_gaps_and_the_chart_places_markers_by_weekday() -> None:
    bins = [
        HistogramBin(D(2025, 1, 8), D(2025, 1, 8), 3),  # Wed, week of 6 Jan
        HistogramBin(D(2025, 1, 10), D(2025, 1, 10), 1),  # Fri, same week
        HistogramBin(D(2025, 2, 25), D(2025, 2, 25), 4),  # Tue, week of 24 Feb: 7 weeks later
    ]
    assert period_days(bins) == 7
    weeks = periods_of(bins, 8, 7)
    assert [(w.first, w.count) for w in weeks][:2] == [(D(2025, 1, 6), 4), (D(2025, 1, 13), 0)]
    assert (len(weeks), weeks[-1].first, weeks[-1].count) == (8, D(2025, 2, 24), 4)
    assert [w.cumulative for w in weeks][:2] == [0.5, 0.5]
    assert weeks[-1].cumulative == 1.0
    chart = chart_of(weeks, [("P50", "", D(2025, 1, 6), "a"), ("Target", "", D(2025, 3, 10), "b")])
    assert len(chart.bars) == 2  # empty weeks have no bar
    assert chart.bars[0].height == chart.bars[1].height  # equal counts, equal bars
    # the target widens the axis to ten weeks; Monday of week 1 sits at its left edge
    slot = (chart.plot_right - chart.plot_left) / 10
    assert chart.markers[0].x == pytest.approx(chart.plot_left + slot / 14, abs=0.1)
    assert chart.markers[1].x == pytest.approx(chart.plot_left + 9 * slot + slot / 14, abs=0.1)


def test_a_short_spread_is_drawn_by_day_and_close_labels_take_separate_rows() -> None:
    bins = [HistogramBin(D(2025, 1, 9), D(2025, 1, 9), 6), HistogramBin(D(2025, 1, 10), D(2025, 1, 10), 0),
            HistogramBin(D(2025, 1, 13), D(2025, 1, 13), 2)]  # fmt: skip
    assert period_days(bins) == 1
    days = periods_of(bins, 8, 1)
    assert [(d.first, d.count) for d in days] == [(D(2025, 1, 9), 6), (D(2025, 1, 10), 0), (D(2025, 1, 13), 2)]
    chart = chart_of(
        days, [("P50", "", D(2025, 1, 9), "a"), ("P80", "", D(2025, 1, 9), "b"), ("P95", "", D(2025, 1, 13), "c")]
    )
    assert [m.y for m in chart.markers] == [12, 24, 12]  # P80 on top of P50 moves down a row
    assert chart.markers[0].x == chart.markers[1].x < chart.markers[2].x


# --- MS Project import -------------------------------------------------------------------------------


def test_import_a_real_file_and_see_the_summary(owner_client: Client, workspace: Any) -> None:
    assert b"Import from MS Project" in owner_client.get("/w/acme/projects/").content
    assert owner_client.get(IMPORT).status_code == 200

    response = owner_client.post(
        IMPORT,
        {
            "file": SimpleUploadedFile("links.xml", SAMPLE.read_bytes(), content_type="application/xml"),
            "key": "lnk",
            "name": "Links from MS Project",
        },
    )

    assert response.status_code == 200
    project = Project.objects.get(workspace=workspace, key="LNK")
    assert project.name == "Links from MS Project"
    outcome = response.context["outcome"]
    assert outcome.tasks == Task.objects.filter(project=project).count() > 0
    html = response.content.decode()
    assert f'id="import-tasks">{outcome.tasks}<' in html
    assert f'id="import-dependencies">{outcome.dependencies}<' in html
    assert "/w/acme/projects/LNK/plan/" in html
    assert DomainEvent.objects.filter(name="project.imported").count() == 1


def test_a_billion_laughs_file_is_refused_with_the_reason_and_nothing_is_imported(
    owner_client: Client, workspace: Any
) -> None:
    response = owner_client.post(
        IMPORT, {"file": SimpleUploadedFile("lol.xml", BILLION_LAUGHS, content_type="application/xml"), "key": "LOL"}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "The file cannot be imported" in html
    assert "Nothing was imported" in html
    assert 'id="import-form"' in html
    assert not Project.all_objects.filter(key="LOL").exists()
    assert DomainEvent.objects.filter(name="project.imported").count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<html><body>not a plan</body></html>", b"The file cannot be imported"),
        (b"", b"The submitted file is empty"),
    ],
)
def test_other_bad_files_are_refused_on_the_form(
    owner_client: Client, workspace: Any, content: bytes, message: bytes
) -> None:
    response = owner_client.post(
        IMPORT, {"file": SimpleUploadedFile("bad.xml", content, content_type="application/xml"), "key": "BAD"}
    )
    assert response.status_code == 422
    assert message in response.content
    assert not Project.all_objects.filter(key="BAD").exists()


def test_a_taken_key_is_shown_on_the_key_field(owner_client: Client, project: Project) -> None:
    response = owner_client.post(IMPORT, {"file": SimpleUploadedFile("links.xml", SAMPLE.read_bytes()), "key": "PLN"})
    assert response.status_code == 409
    assert re.search(rb'id="id_key_error">.*?PLN', response.content, re.S)
    assert Project.objects.filter(key="PLN").count() == 1


def test_a_guest_cannot_import(workspace: Any) -> None:
    guest = factories.make_user(email="guest@example.com")
    factories.add_member(workspace, guest, role=Role.GUEST)
    client = _client(guest)
    assert client.get(IMPORT).status_code == 403
    response = client.post(IMPORT, {"file": SimpleUploadedFile("links.xml", SAMPLE.read_bytes()), "key": "GST"})
    assert response.status_code == 403
    assert not Project.all_objects.filter(key="GST").exists()


def test_the_summary_names_the_resources_that_matched_nobody(owner_client: Client, workspace: Any) -> None:
    wade = factories.make_user(email="wade.golden@steelray.com", name="Wade Golden")
    factories.add_member(workspace, wade, role=Role.MEMBER)
    content = Path("/work/shared/testdata/mspdi/mspdiresource.xml").read_bytes()

    response = owner_client.post(IMPORT, {"file": SimpleUploadedFile("res.xml", content), "key": "RES"})

    assert response.status_code == 200
    outcome = response.context["outcome"]
    assert outcome.unmatched_resources == ["Brian Leach", "Concrete", "Jon Iles"]
    unmatched = re.search(r'id="import-unmatched">.*?</ul>', response.content.decode(), re.S)
    assert unmatched is not None
    assert [n for n in ("Brian Leach", "Concrete", "Jon Iles", "Wade Golden") if n in unmatched.group(0)] == [
        "Brian Leach",
        "Concrete",
        "Jon Iles",
    ]
    assert Task.objects.filter(project__key="RES", assignee=wade).count() == outcome.assigned


# --- demo data ----------------------------------------------------------------------------------------


def test_the_demo_plan_has_every_planning_feature_to_show(user: Any, workspace: Any) -> None:
    from labora.planning import selectors
    from labora.planning.demo import PLAN as DEMO_PLAN
    from labora.planning.demo import add_planning
    from labora.planning.models import Dependency

    people = {"demo": user}
    for handle in ("maya.chen", "tomas.ortega", "priya.raman", "jonas.weber"):
        people[handle] = factories.make_user(email=f"{handle}@example.com")
        factories.add_member(workspace, people[handle], role=Role.MEMBER)

    project = add_planning(owner=user, workspace=workspace, users=people, today=D(2025, 3, 26))

    assert project.start_date == D(2025, 3, 3)  # the Monday three weeks before
    assert Task.objects.filter(project=project).count() == len(DEMO_PLAN)
    assert Task.objects.filter(project=project, type="milestone").count() == 2
    assert Task.objects.filter(project=project, parent__isnull=False).count() == len(DEMO_PLAN) - 4
    links = Dependency.objects.filter(successor__project=project)
    assert set(links.values_list("type", flat=True)) == {"FS", "SS", "FF"}
    assert links.filter(lag_days__gt=0).exists()
    assert links.filter(lag_days__lt=0).exists()
    assert Task.objects.filter(project=project, estimate_pessimistic_minutes__isnull=False).count() >= 10
    assert selectors.project_calendar(project=project).holidays
    plan = selectors.project_plan(project=project)
    assert plan.auto_schedule
    assert plan.finish_date is not None
    assert plan.finish_date <= project.target_date
    baseline = Baseline.objects.get(project=project)
    assert baseline.created_at.date() == project.start_date
    variance = selectors.baseline_variance(project=project, baseline=baseline)
    assert variance.finish_variance_days == 2
    conflicts = TaskPlan.objects.filter(task__project=project).exclude(conflicts=[])
    assert [p.task.title for p in conflicts] == ["Fire safety inspection"]


def _wide(make_task: Any, link: Any, n: int = 45) -> None:
    """A plan big enough for 10,000 runs to go to the background (n tasks x runs > the inline budget)."""
    first = make_task("Kick-off", 1)
    for i in range(n - 1):
        task = make_task(
            f"Work {i}", 2, estimate_optimistic_hours=8, estimate_likely_hours=16, estimate_pessimistic_hours=40
        )
        link(first, task)


def test_a_big_forecast_runs_in_the_background_and_the_page_polls_for_it(
    owner_client: Client, user: Any, project: Project, make_task: Any, link: Any, viewer: Any, settings: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    from labora.core.worker import LaboraWorker

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "ENQUEUE_ON_COMMIT": False}}
    _wide(make_task, link)

    started = owner_client.get(f"{FORECAST}?runs=10000&method=pert&seed=5")

    (queued,) = DBTaskResult.objects.all()
    poll = f"{FORECAST}?runs=10000&method=pert&seed=5&job={queued.id}"
    assert started.status_code == 302
    assert started["Location"] == poll
    page = owner_client.get(poll)
    assert page.status_code == 200
    assert page.context["result"] is None
    assert page.context["poll_url"] == poll
    assert DBTaskResult.objects.count() == 1  # following the job does not start another
    assert 'id="forecast-job"' in page.content.decode()
    assert f'hx-get="{poll.replace("&", "&amp;")}"' in page.content.decode()
    waiting = owner_client.get(poll, HTTP_HX_REQUEST="true")
    assert waiting.content.decode().lstrip().startswith('<div class="stack" id="forecast-result">')
    assert b"Waiting for a worker" in waiting.content

    assert LaboraWorker().tick()["tasks"] == 1
    done = owner_client.get(poll, HTTP_HX_REQUEST="true")

    result = done.context["result"]
    assert (result.runs, result.method, result.seed) == (10_000, "pert", 5)
    assert result.p50 <= result.p80 <= result.p95
    assert b'<svg class="plan-histogram"' in done.content
    assert b'id="forecast-job"' not in done.content
    inline = forecast_for(project=project, runs=10_000, method="pert", seed=5)
    assert (inline.p50, inline.p80, inline.p95, inline.periods) == (result.p50, result.p80, result.p95, result.periods)
    # someone else's job, or no job at all, is not found
    assert _client(viewer).get(poll).status_code == 404
    assert owner_client.get(f"{FORECAST}?job=not-a-job").status_code == 404
    assert owner_client.get(f"{FORECAST}?job=00000000-0000-0000-0000-000000000000").status_code == 404


def test_a_small_forecast_stays_inline(owner_client: Client, project: Project, make_task: Any, link: Any) -> None:
    _estimated(make_task, link)
    assert runs_inline(project=Project.objects.get(pk=project.pk), runs=10_000)
    assert owner_client.get(f"{FORECAST}?runs=10000").context["job"] is None


def test_with_an_immediate_task_backend_a_big_forecast_shows_at_once(
    owner_client: Client, project: Project, make_task: Any, link: Any
) -> None:
    _wide(make_task, link)
    assert not runs_inline(project=Project.objects.get(pk=project.pk), runs=10_000)
    page = owner_client.get(f"{FORECAST}?runs=10000")
    assert page.context["job"] is None
    assert page.context["result"].runs == 10_000


def _padded(content: bytes) -> bytes:
    """The file made bigger than what imports inside the request (a comment after the declaration)."""
    declaration, rest = content.split(b"?>", 1)
    return declaration + b"?><!-- " + b"x" * (600 * 1024) + b" -->" + rest


@pytest.fixture
def database_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "ENQUEUE_ON_COMMIT": False}}


def test_a_big_file_is_imported_by_a_background_job_that_the_page_follows(
    owner_client: Client, workspace: Any, database_tasks: None
) -> None:
    from django.core.files.storage import default_storage
    from django_tasks_db.models import DBTaskResult

    from labora.core.worker import LaboraWorker

    response = owner_client.post(
        IMPORT, {"file": SimpleUploadedFile("big.xml", _padded(SAMPLE.read_bytes())), "key": "BIG", "name": "Big one"}
    )

    (queued,) = DBTaskResult.objects.all()
    assert response.status_code == 302
    assert response["Location"] == f"{IMPORT}?job={queued.id}"
    upload = queued.args_kwargs["args"][2]
    assert default_storage.exists(upload)
    assert not Project.all_objects.filter(key="BIG").exists()
    waiting = owner_client.get(response["Location"])
    assert b"Waiting for a worker to start the import" in waiting.content
    assert 'hx-get="{}"'.format(response["Location"]) in waiting.content.decode()

    assert LaboraWorker().tick()["tasks"] >= 1
    done = owner_client.get(response["Location"], HTTP_HX_REQUEST="true")

    assert done.status_code == 200
    assert done.content.decode().lstrip().startswith('<div class="stack plan-page" id="import-result">')
    project = Project.objects.get(workspace=workspace, key="BIG")
    assert project.name == "Big one"
    count = Task.objects.filter(project=project).count()
    assert count > 0
    assert f'id="import-tasks">{count}<' in done.content.decode()
    assert not default_storage.exists(upload)
    stranger = factories.make_user(email="other-member@example.com")
    factories.add_member(workspace, stranger, role=Role.MEMBER)
    assert _client(stranger).get(response["Location"]).status_code == 404
    assert owner_client.get(f"{IMPORT}?job=00000000-0000-0000-0000-000000000000").status_code == 404


def test_a_big_hostile_file_fails_in_the_job_and_the_page_says_why(
    owner_client: Client, workspace: Any, database_tasks: None
) -> None:
    from labora.core.worker import LaboraWorker

    response = owner_client.post(IMPORT, {"file": SimpleUploadedFile("lol.xml", _padded(BILLION_LAUGHS)), "key": "LOL"})
    LaboraWorker().tick()
    page = owner_client.get(response["Location"])

    assert page.status_code == 422
    html = page.content.decode()
    assert 'id="import-job-error"' in html
    assert "The file cannot be imported" in html
    assert 'value="LOL"' in html  # the key is kept for the retry
    assert not Project.all_objects.filter(key="LOL").exists()


def test_a_big_file_with_a_backend_that_runs_at_once_shows_the_summary_directly(
    owner_client: Client, workspace: Any
) -> None:
    response = owner_client.post(
        IMPORT, {"file": SimpleUploadedFile("big.xml", _padded(SAMPLE.read_bytes())), "key": "NOW"}
    )
    assert response.status_code == 200
    assert response.context["outcome"].project.key == "NOW"


def test_the_auto_switch_without_a_version_is_refused(owner_client: Client, project: Project) -> None:
    response = owner_client.post(PLAN, {"action": "auto", "auto_schedule": "on"})
    assert response.status_code == 422
    assert b"Reload the page" in response.content
    assert not ProjectPlan.objects.filter(project=project, auto_schedule=True).exists()
    assert owner_client.post(PLAN, {"action": "nonsense"}).status_code == 422


@pytest.mark.parametrize("extra", [0, 30])
def test_the_variance_and_forecast_pages_take_the_same_queries_whatever_the_size(
    owner_client: Client, user: Any, project: Project, make_task: Any, extra: int, django_assert_num_queries: Any
) -> None:
    for i in range(extra + 2):
        make_task(f"Step {i}", 1, estimate_optimistic_hours=4, estimate_likely_hours=8, estimate_pessimistic_hours=16)
    owner_client.post(PLAN, {"action": "schedule"})
    baseline = services.baseline_create(actor=user, project=project, name="Base")
    url = f"{BASELINES}{baseline.public_id}/"
    owner_client.get(url)
    with django_assert_num_queries(12):
        assert owner_client.get(url).status_code == 200
    with django_assert_num_queries(10):
        assert owner_client.get(FORECAST).status_code == 200


def test_a_running_forecast_shows_a_percentage_bar_and_the_job_reports_every_run(
    owner_client: Client, project: Project, make_task: Any, link: Any, settings: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    from labora.core.jobs import report_progress
    from labora.core.models import JobProgress
    from labora.core.worker import LaboraWorker

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "ENQUEUE_ON_COMMIT": False}}
    _wide(make_task, link)
    started = owner_client.get(f"{FORECAST}?runs=10000&method=pert&seed=5")
    (queued,) = DBTaskResult.objects.all()
    # before the job reports anything: the elapsed time only, no bar
    waiting = owner_client.get(started["Location"], HTTP_HX_REQUEST="true")
    assert b'role="progressbar"' not in waiting.content
    # given the job has reported 4,000 of 10,000 runs
    assert report_progress(str(queued.id), 4000, 10_000)
    polled = owner_client.get(started["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert 'role="progressbar"' in polled
    assert 'aria-valuenow="40"' in polled
    assert "40% · 4000 of 10000 runs" in polled
    # when the worker runs it, the job reports its chunks up to every run
    assert LaboraWorker().tick()["tasks"] == 1
    progress = JobProgress.objects.get(job_id=str(queued.id))
    assert (progress.done, progress.total, progress.percent) == (10_000, 10_000, 100)


def test_a_background_import_reports_its_steps(owner_client: Client, workspace: Any, database_tasks: None) -> None:
    from django_tasks_db.models import DBTaskResult

    from labora.core.jobs import report_progress
    from labora.core.models import JobProgress
    from labora.core.worker import LaboraWorker
    from labora.planning.services.mspdi_import import IMPORT_STEPS

    response = owner_client.post(
        IMPORT, {"file": SimpleUploadedFile("big.xml", _padded(SAMPLE.read_bytes())), "key": "BIG", "name": "Big one"}
    )
    (queued,) = DBTaskResult.objects.all()
    report_progress(str(queued.id), 1, IMPORT_STEPS)
    page = owner_client.get(response["Location"]).content.decode()
    assert 'id="import-progress"' in page
    assert 'aria-valuenow="33"' in page
    assert "checking tasks and links" in page
    LaboraWorker().tick()
    progress = JobProgress.objects.get(job_id=str(queued.id))
    assert (progress.done, progress.total) == (IMPORT_STEPS, IMPORT_STEPS)
    assert Project.objects.filter(workspace=workspace, key="BIG").exists()


def test_progress_reports_are_throttled_but_the_last_always_lands(db: None, monkeypatch: Any) -> None:
    from labora.core import jobs
    from labora.core.models import JobProgress

    clock = iter([100.0, 100.1, 100.2, 100.3, 100.31])
    monkeypatch.setattr(jobs, "_clock", lambda: next(clock))
    assert jobs.report_progress("job-1", 1, 10) is True  # the first report
    assert jobs.report_progress("job-1", 2, 10) is False  # 0.1 s later: skipped
    assert jobs.report_progress("job-1", 3, 10) is False  # 0.2 s later: skipped
    assert jobs.report_progress("job-1", 4, 10) is True  # 0.3 s after the last write
    assert (JobProgress.objects.get(job_id="job-1").done, JobProgress.objects.count()) == (4, 1)
    assert jobs.report_progress("job-1", 10, 10) is True  # 0.01 s later, but the last one
    progress = jobs.job_progress("job-1")
    assert progress is not None
    assert (progress.done, progress.total, progress.percent) == (10, 10, 100)
    assert jobs.job_progress("no-such-job") is None
