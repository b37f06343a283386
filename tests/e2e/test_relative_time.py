"""Relative times tick on a page left open: "just now" becomes "5 minutes ago" without a reload
(frontend/js/relative_time.js, with Playwright's fake clock), for the server's markup and for
markup added later (HTMX, live updates)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from labora.collaboration import services as comments
from labora.work import services
from tests import factories
from tests.e2e.conftest import login, shot


def test_relative_times_move_on_without_a_reload(page: Any, live_server: Any) -> None:
    owner = factories.make_user(email="olivia@example.com", name="Olivia Owner")
    workspace = factories.make_workspace(owner=owner, slug="acme", name="Acme")
    project = services.project_create(actor=owner, workspace=workspace, key="OPS", name="Operations")
    task = services.task_create(actor=owner, project=project, title="Renew the TLS certificate")
    comments.comment_create(actor=owner, task=task, body="Ordered the new certificate.")

    page.clock.install()  # fake timers and Date, starting at the real time
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}{reverse('task_detail', kwargs={'ws': 'acme', 'task_key': task.key})}")
    stamp = page.locator(".comment-time time[data-relative]")
    stamp.wait_for()
    assert stamp.inner_text() == "just now"
    assert stamp.get_attribute("datetime")

    # Markup that arrives later (an HTMX swap, a live update) is covered by the same timer.
    page.evaluate(
        """() => {
          const t = document.createElement("time");
          t.id = "added-later";
          t.setAttribute("datetime", new Date(Date.now() - 3 * 3600 * 1000).toISOString());
          t.dataset.relative = "";
          t.textContent = "3 hours ago";
          document.querySelector("main").append(t);
        }"""
    )
    page.clock.run_for("05:00")  # five minutes pass: the 30-second timer fires ten times
    assert stamp.inner_text() == "5 minutes ago"
    assert page.locator("#added-later").inner_text() == "3 hours ago"
    # The title is the reader's own date and time, not the server's.
    assert "UTC" not in (stamp.get_attribute("title") or "")
    assert stamp.get_attribute("title")

    page.clock.run_for("55:00")
    assert stamp.inner_text() == "1 hour ago"
    assert page.locator("#added-later").inner_text() == "4 hours ago"
    page.clock.run_for(26 * 3600 * 1000)
    assert stamp.inner_text() == "1 day ago"
    shot(page, "relative-time-comment")
    assert not page.js_errors, page.js_errors


def test_nothing_ticks_while_the_tab_is_hidden(page: Any, live_server: Any) -> None:
    owner = factories.make_user(email="olivia@example.com", name="Olivia Owner")
    workspace = factories.make_workspace(owner=owner, slug="acme", name="Acme")
    project = services.project_create(actor=owner, workspace=workspace, key="OPS", name="Operations")
    task = services.task_create(actor=owner, project=project, title="Renew the TLS certificate")
    comments.comment_create(actor=owner, task=task, body="Ordered the new certificate.")

    page.clock.install()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}{reverse('task_detail', kwargs={'ws': 'acme', 'task_key': task.key})}")
    stamp = page.locator(".comment-time time[data-relative]")
    stamp.wait_for()
    hide = """(hidden) => {
      Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
      const state = hidden ? "hidden" : "visible";
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => state });
      document.dispatchEvent(new Event("visibilitychange"));
    }"""
    page.evaluate(hide, True)
    page.clock.run_for("10:00")
    assert stamp.inner_text() == "just now"  # hidden: no work done
    page.evaluate(hide, False)  # back: updated at once, not at the next tick
    assert stamp.inner_text() == "10 minutes ago"
    assert not page.js_errors, page.js_errors
