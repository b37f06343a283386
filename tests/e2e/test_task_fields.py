"""The task page's fields in a real browser: add a checklist item, tick it, set a custom field,
watch the roll-up; screenshots at desktop and phone width."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from playwright.sync_api import expect

from labora.work import services
from labora.work.models import Task
from labora.work.services import fields as field_services
from tests import factories
from tests.e2e.conftest import PHONE, login, shot


def _seed() -> Any:
    owner = factories.make_user(email="olivia@example.com", name="Olivia Owner")
    workspace = factories.make_workspace(owner=owner, slug="acme", name="Acme")
    project = services.project_create(actor=owner, workspace=workspace, key="OPS", name="Operations")
    field_services.custom_field_create(
        actor=owner, project=project, name="Severity", type="select", options=["Low", "High"]
    )
    field_services.custom_field_create(actor=owner, project=project, name="Customer", type="text")
    parent = services.task_create(actor=owner, project=project, title="Launch the status page", estimate_hours=2)
    services.task_create(actor=owner, project=project, title="Pick a domain", parent=parent.key, estimate_hours=1)
    services.task_create(
        actor=owner, project=project, title="Write the copy", parent=parent.key, estimate_hours=3, status="Done"
    )
    return parent


def test_checklist_and_custom_fields_on_the_task_page(page: Any, live_server: Any) -> None:
    task = _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}{reverse('task_detail', kwargs={'ws': 'acme', 'task_key': task.key})}")
    expect(page.locator("#task-rollup")).to_contain_text("75%")

    # Add two checklist items with Enter (HTMX swaps the page in place).
    for text in ("Buy the domain", "Point DNS at the host"):
        page.fill("#checklist-text", text)
        page.press("#checklist-text", "Enter")
        expect(page.locator("#checklist")).to_contain_text(text)
    expect(page.locator("#checklist-count")).to_have_text("0/2")

    # Tick the first one.
    page.click("button[aria-label='Tick Buy the domain']")
    expect(page.locator("#checklist-count")).to_have_text("1/2")
    expect(page.locator("button[aria-label='Untick Buy the domain']")).to_have_attribute("aria-checked", "true")

    # Set custom fields.
    fields = page.locator("#task-custom-fields")
    fields.get_by_label("Severity").select_option("High")
    fields.get_by_label("Customer").fill("ACME Corp")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        fields.locator("button:has-text('Save')").click()
    assert answer.value.status == 200
    expect(page.locator("#task-history")).to_contain_text("ACME Corp")
    expect(page.locator("#task-custom-fields").get_by_label("Severity")).to_have_value("High")

    fresh = Task.objects.get(pk=task.pk)
    assert sorted(fresh.custom_fields.values()) == ["ACME Corp", "High"]
    assert [(i.text, i.done) for i in fresh.checklist.order_by("rank")] == [
        ("Buy the domain", True),
        ("Point DNS at the host", False),
    ]
    assert not page.js_errors
    shot(page, "task-fields-desktop")

    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator("#checklist-count")).to_have_text("1/2")
    shot(page, "task-fields-phone")
    assert not page.js_errors
