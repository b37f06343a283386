"""The Plan pages in a real browser, on the demo's "Studio move" plan: schedule it, save a baseline
and see the drift, run a forecast and read its histogram, import an MS Project file; on a desktop
and on a phone."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from labora.accounts.models import User
from labora.planning.demo import add_planning
from labora.planning.models import Baseline
from labora.work.models import Project
from labora.workspaces.models import Role
from tests import factories
from tests.e2e.conftest import PHONE, login
from tests.e2e.conftest import shot as _shot

PLAN = "/w/acme/projects/FIT/plan/"
SAMPLE = Path("/work/shared/testdata/mspdi/task-links-project2016-mspdi.xml")
PEOPLE = ("maya.chen", "tomas.ortega", "priya.raman", "jonas.weber")


def shot(page: Any, name: str) -> None:
    """A full-page screenshot from the top (fixed bars would land mid-page otherwise)."""
    page.evaluate("window.scrollTo(0, 0)")
    _shot(page, name)


def _seed() -> None:
    owner = factories.make_user(email="olivia@example.com", name="Olivia Owner")
    workspace = factories.make_workspace(owner=owner, slug="acme", name="Acme")
    users = {"demo": owner}
    for handle in PEOPLE:
        users[handle] = factories.make_user(email=f"{handle}@example.com", name=handle.replace(".", " ").title())
        factories.add_member(workspace, users[handle], role=Role.MEMBER)
    add_planning(owner=owner, workspace=workspace, users=users, today=datetime.date(2025, 3, 24))


def test_schedule_the_plan_and_see_its_critical_path_and_conflicts(page: Any, live_server: Any) -> None:
    _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}{PLAN}")
    assert page.locator(".project-nav [aria-current=page]").inner_text() == "Plan"
    assert page.locator("#auto-state").inner_text() == "On"
    assert page.locator("#conflict-FIT-10").count() == 1  # the manual inspection no longer fits

    with page.expect_response(lambda r: r.url.endswith(PLAN) and r.request.method == "POST") as answer:
        page.click("#schedule-button")
    assert answer.value.status == 200
    result = page.locator("#schedule-result")
    result.wait_for()
    assert "finishes on" in result.inner_text()
    path = page.locator("#schedule-result .plan-path a").all_inner_texts()
    assert path[0] == "FIT-4"
    assert path[-1] == "FIT-19"
    rows = page.locator("#critical-table tbody tr").evaluate_all("rows => rows.map(r => r.id)")
    assert set(path) <= {r.removeprefix("plan-row-") for r in rows}  # the table adds critical summaries
    assert "dependency on FIT-7" in page.locator("#conflict-FIT-10").inner_text()
    shot(page, "plan-desktop")

    page.keyboard.press("Tab")  # the page stays keyboard-reachable after the swap
    page.set_viewport_size(PHONE)
    shot(page, "plan-phone")
    assert not page.js_errors


def test_save_a_baseline_and_see_the_drift(page: Any, live_server: Any) -> None:
    _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}{PLAN}baselines/")
    assert page.locator("#baseline-table tbody tr").count() == 1  # the kick-off plan
    page.fill("#baseline-name", "Before the move")
    with page.expect_navigation():
        page.click("#baseline-form button[type=submit]")
    baseline = Baseline.objects.get(name="Before the move")
    assert page.url.endswith(f"/plan/baselines/{baseline.public_id}/")
    assert page.locator("#late-count").inner_text() == "0"  # nothing moved since a moment ago

    page.goto(f"{live_server.url}{PLAN}baselines/")
    kickoff = Baseline.objects.get(name="Kick-off plan")
    page.click(f"#baseline-{kickoff.public_id} a")
    late = int(page.locator("#late-count").inner_text())
    assert late > 0
    assert page.locator("#variance-table tr.plan-late-row").count() == late
    page.click("#variance-table th a:has-text('Δ finish')")
    page.click("#variance-table th a:has-text('Δ finish')")  # again: latest first
    first = page.locator("#variance-table tbody tr").first
    assert "plan-late-row" in (first.get_attribute("class") or "")
    shot(page, "plan-baseline-desktop")
    page.set_viewport_size(PHONE)
    shot(page, "plan-baseline-phone")

    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}{PLAN}baselines/")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click(f"#baseline-{baseline.public_id} button")
    assert not Baseline.objects.filter(name="Before the move").exists()
    assert not page.js_errors


def test_run_a_forecast_and_read_its_histogram(page: Any, live_server: Any) -> None:
    _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}{PLAN}")
    page.click(".plan-nav a:has-text('Forecast')")
    page.select_option("#forecast-runs", "10000")
    page.select_option("#forecast-method", "triangular")
    with page.expect_navigation():
        page.click("#forecast-run")
    assert "runs=10000" in page.url
    assert "method=triangular" in page.url
    assert page.locator("svg.plan-histogram rect.plan-bar").count() >= 1
    assert page.locator("svg.plan-histogram .plan-mark").count() == 4  # P50, P80, P95, target
    dates = [page.locator(f"#forecast-{p} time").get_attribute("datetime") for p in ("p50", "p80", "p95")]
    assert dates == sorted(dates)
    assert page.locator("#criticality-table tbody tr").count() >= 5
    page.click("#histogram-table-toggle summary")
    assert page.locator("#histogram-table").is_visible()
    shot(page, "plan-forecast-desktop")
    page.set_viewport_size(PHONE)
    shot(page, "plan-forecast-phone")
    assert not page.js_errors


def test_import_an_ms_project_file(page: Any, live_server: Any) -> None:
    _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}/w/acme/projects/")
    page.click("#import-mspdi-link")
    page.set_input_files("#id_file", str(SAMPLE))
    page.fill("#id_key", "LNK")
    page.fill("#id_name", "Linked tasks")
    shot(page, "plan-import-form")
    with page.expect_navigation():
        page.click("#import-submit")
    summary = page.locator("#import-summary")
    assert "LNK Linked tasks is imported" in summary.inner_text()
    project = Project.objects.get(key="LNK")
    assert int(page.locator("#import-tasks").inner_text()) == project.tasks.count()
    shot(page, "plan-import-desktop")
    page.set_viewport_size(PHONE)
    shot(page, "plan-import-phone")
    page.set_viewport_size({"width": 1280, "height": 800})
    with page.expect_navigation():
        page.click("#import-open-plan")
    assert page.url.endswith("/projects/LNK/plan/")
    assert not page.js_errors


def test_the_gantt_names_a_holiday_when_its_shade_is_hovered(page: Any, live_server: Any) -> None:
    _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}/w/acme/projects/FIT/gantt/")
    page.wait_for_selector("[data-gantt][data-gantt-ready]")
    # the demo's calendar names its holidays: their shaded columns carry the name as a tooltip
    retreat = page.locator('rect.gantt-off[data-holiday="Company retreat"]')
    retreat.first.wait_for(state="attached")
    assert retreat.first.locator("title").text_content() == "Company retreat"
    assert page.locator('rect.gantt-off[data-holiday="Building closed"]').count() >= 1
    assert not page.js_errors


def test_a_big_forecast_runs_in_the_background_while_the_page_polls(page: Any, live_server: Any, settings: Any) -> None:
    from labora.core.worker import LaboraWorker
    from labora.work import services as work_services

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "ENQUEUE_ON_COMMIT": False}}
    _seed()
    owner = User.objects.get(email="olivia@example.com")
    project = Project.objects.get(key="FIT")
    for i in range(30):  # 49 tasks x 10,000 runs: past the inline budget
        work_services.task_create(actor=owner, project=project, title=f"Snag {i}", duration_days=1)
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}{PLAN}forecast/?runs=10000&method=pert&seed=2")
    assert "Waiting for a worker" in page.locator("#forecast-job").inner_text()
    shot(page, "plan-forecast-waiting")
    # a running job reports how far it is: the poll draws a percentage bar
    from django_tasks_db.models import DBTaskResult

    from labora.core.jobs import report_progress

    (job,) = DBTaskResult.objects.filter(task_path__endswith="project_forecast_job")
    report_progress(str(job.id), 2500, 10_000)
    bar = page.locator('#forecast-progress [role="progressbar"]')
    bar.wait_for()  # the next poll (every second) brings it
    assert bar.get_attribute("aria-valuenow") == "25"
    assert "25% · 2500 of 10000 runs" in page.locator("#forecast-progress").inner_text()
    shot(page, "plan-forecast-progress")

    assert LaboraWorker().tick()["tasks"] >= 1  # the forecast (and any e-mail the seeding queued)
    page.locator("svg.plan-histogram").wait_for(timeout=30_000)  # the poll swapped the result in
    assert page.locator("#forecast-job").count() == 0
    assert "10000 runs (pert, seed 2)" in page.locator("#forecast-histogram").inner_text()
    assert not page.js_errors
