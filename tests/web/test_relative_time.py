"""Relative times: the {% reltime %} tag's markup and wording (frontend/js/relative_time.js keeps
them current with the same thresholds), and the templates that use it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client

from labora.web.templatetags.labora_ui import relative_phrase

NOW = datetime(2026, 11, 24, 9, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("ago", "phrase"),
    [
        (timedelta(seconds=0), "just now"),
        (timedelta(seconds=44), "just now"),
        (timedelta(seconds=45), "1 minute ago"),
        (timedelta(seconds=89), "1 minute ago"),
        (timedelta(seconds=90), "2 minutes ago"),  # halves round up, as Math.round does
        (timedelta(minutes=5), "5 minutes ago"),
        (timedelta(minutes=44), "44 minutes ago"),
        (timedelta(minutes=45), "1 hour ago"),
        (timedelta(hours=2, minutes=30), "3 hours ago"),
        (timedelta(hours=21), "21 hours ago"),
        (timedelta(hours=22), "1 day ago"),
        (timedelta(days=3), "3 days ago"),
        (timedelta(days=25), "25 days ago"),
        (timedelta(days=26), "1 month ago"),
        (timedelta(days=100), "3 months ago"),
        (timedelta(days=320), "1 year ago"),
        (timedelta(days=800), "2 years ago"),
        (timedelta(seconds=-30), "just now"),  # a clock a little ahead
        (timedelta(minutes=-5), "in 5 minutes"),
        (timedelta(days=-2), "in 2 days"),
    ],
)
def test_the_phrase_follows_the_same_thresholds_as_the_script(ago: timedelta, phrase: str) -> None:
    assert relative_phrase(NOW - ago, now=NOW) == phrase


def _render(source: str, **context: Any) -> str:
    return Template("{% load labora_ui %}" + source).render(Context(context))


def test_the_tag_renders_a_time_element_with_datetime_title_and_marker() -> None:
    from django.utils import timezone

    at = timezone.now() - timedelta(minutes=5)
    html = _render('{% reltime at css="feed-time" %}', at=at)
    match = re.fullmatch(
        r'<time class="feed-time" datetime="([^"]+)" title="([^"]+)" data-relative>5 minutes ago</time>', html
    )
    assert match, html
    assert datetime.fromisoformat(match.group(1)) == at
    assert match.group(2).endswith("UTC")
    assert str(at.year) in match.group(2)
    # The absolute date shown, the relative phrase in the title (kept current by the script too).
    html = _render('{% reltime at text="j M Y, H:i" %}', at=at)
    local = timezone.localtime(at)
    assert html.endswith(f">{local.day} {local:%b %Y, %H:%M}</time>"), html
    assert 'title="5 minutes ago" data-relative="title"' in html
    assert _render("{% reltime nothing %}", nothing=None) == ""


def test_titles_are_escaped_and_classes_too() -> None:
    from django.utils import timezone

    html = _render("{% reltime at css=cls %}", at=timezone.now(), cls='x" onclick="y')
    assert 'class="x&quot; onclick=&quot;y"' in html


@pytest.mark.django_db
def test_comments_activity_and_inbox_carry_the_ticking_markup(run_events: Any) -> None:
    from labora.collaboration import services as comments
    from labora.work import services
    from tests import factories

    owner = factories.make_user(email="olivia@example.com", name="Olivia Owner")
    ann = factories.make_user(email="ann@example.com", name="Ann Lee")
    workspace = factories.make_workspace(owner=owner, slug="acme", name="Acme")
    factories.add_member(workspace, ann)
    with run_events():  # the activity feed and the inbox are written after the commit
        project = services.project_create(actor=owner, workspace=workspace, key="OPS", name="Operations")
        task = services.task_create(actor=owner, project=project, title="Renew the certificate", assignee=ann.email)
        comments.comment_create(actor=owner, task=task, body="Done soon")

    client = Client()
    client.force_login(owner)
    marker = re.compile(r'<time[^>]* datetime="\d{4}-\d\d-\d\dT[^"]+" title="[^"]+" data-relative>just now</time>')
    page = client.get(f"/w/acme/tasks/{task.key}/comments/", HTTP_HX_REQUEST="true").text
    assert marker.search(page), "the comment's time"
    feed = client.get("/w/acme/").text  # the home page's recent activity
    assert re.search(r'<time class="feed-time" datetime="[^"]+" title="[^"]+" data-relative>just now</time>', feed)
    ann_client = Client()
    ann_client.force_login(ann)
    inbox = ann_client.get("/w/acme/inbox/").text
    assert re.search(r'<time class="inbox-time" datetime="[^"]+" title="[^"]+" data-relative>just now</time>', inbox)
