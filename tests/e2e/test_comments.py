"""Comments in a real browser: post with an @mention picked from the suggestions, react, reply,
edit (with history), a task reference hover card, a live comment from someone else arriving
without losing the composer's text; screenshots at desktop and phone width."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from playwright.sync_api import expect

from labora.collaboration import services as comment_services
from labora.collaboration.models import Comment
from labora.work import services
from tests import factories
from tests.e2e.conftest import ARTIFACTS, PHONE, login, shot


def _seed() -> tuple[Any, Any, Any]:
    owner = factories.make_user(email="olivia@example.com", name="Olivia Owner")
    workspace = factories.make_workspace(owner=owner, slug="acme", name="Acme")
    ann = factories.add_member(workspace, factories.make_user(email="ann@example.com", name="Ann Lee")).user
    ann.handle = "ann"
    ann.save(update_fields=["handle"])
    project = services.project_create(actor=owner, workspace=workspace, key="OPS", name="Operations")
    task = services.task_create(actor=owner, project=project, title="Renew the TLS certificate", assignee=ann.email)
    services.task_create(actor=owner, project=project, title="Rotate the API keys")
    return owner, ann, task


def test_comment_mention_react_reply_edit(page: Any, browser: Any, live_server: Any) -> None:
    _owner, _ann, task = _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}{reverse('task_detail', kwargs={'ws': 'acme', 'task_key': task.key})}")
    composer = page.locator("#comment-body")
    expect(composer).to_be_visible()
    expect(page.locator("#comments-empty")).to_be_visible()

    # Type a mention: the suggestions open; the keyboard picks Ann.
    composer.click()
    composer.type("Can you take this, @an")
    option = page.locator(".mention-list [role='option']").first
    expect(option).to_contain_text("Ann Lee")
    composer.press("Enter")
    expect(composer).to_have_value("Can you take this, @ann ")
    composer.type("? It blocks OPS-2.")
    composer.press("Control+Enter")

    thread = page.locator(".comment-thread").first
    expect(thread.locator(".mention")).to_have_text("@ann")
    expect(composer).to_have_value("")
    expect(page.locator("#comment-count")).to_have_text("1")

    # The reference shows a hover card.
    thread.locator("a.task-ref").hover()
    expect(page.locator(".ref-card")).to_contain_text("Rotate the API keys")
    page.mouse.move(0, 0)

    # React with the picker, then see the count.
    thread.locator(".reaction-add").click()
    thread.locator("button[aria-label='React with 🎉']").click()
    expect(page.locator(".comment-thread .reaction.is-mine")).to_contain_text("1")

    # Reply.
    page.locator(".comment-reply-open").first.click()
    reply = page.locator(".comment-reply-form textarea").first
    expect(reply).to_be_focused()
    reply.fill("Adding the renewal checklist now.")
    reply.press("Control+Enter")
    expect(page.locator(".comment-replies")).to_contain_text("Adding the renewal checklist now.")

    # Edit the first comment; it shows "edited" and its history.
    page.locator("[data-comment-action='edit']").first.click()
    edit = page.locator(".comment-edit-form textarea").first
    edit.fill("Can you take this, @ann? It blocks OPS-2 — due Friday.")
    edit.press("Control+Enter")
    expect(page.locator(".comment-thread").first.locator(".comment-body").first).to_contain_text("due Friday")
    page.locator(".comment-edited").first.click()
    expect(page.locator(".comment-history").first).to_contain_text("It blocks OPS-2.")
    root = Comment.objects.get(parent__isnull=True)
    assert root.version == 2
    assert list(root.mentions.values_list("email", flat=True)) == ["ann@example.com"]

    # Ann comments from her browser while Olivia types: Olivia's threads refresh, her text stays.
    composer.fill("Half-written thought")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    other = context.new_page()
    login(other, live_server, "ann@example.com", factories.PASSWORD)
    other.goto(page.url)
    other.fill("#comment-body", "On it — renewing today.")
    other.click("#comment-submit")
    expect(other.locator("#comment-threads")).to_contain_text("On it — renewing today.")
    context.close()
    expect(page.locator("#comment-threads")).to_contain_text("On it — renewing today.", timeout=10_000)
    expect(composer).to_have_value("Half-written thought")
    composer.fill("")
    shot(page, "comments-task-desktop")

    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator("#comment-threads")).to_contain_text("On it — renewing today.")
    page.locator("#comments-heading").scroll_into_view_if_needed()
    shot(page, "comments-task-phone")
    ARTIFACTS.mkdir(exist_ok=True)  # the section alone, legible at phone width
    page.locator(".comments-card").screenshot(path=str(ARTIFACTS / "comments-task-phone-section.png"))


def test_project_discussion_page(page: Any, live_server: Any) -> None:
    _owner, ann, task = _seed()
    comment_services.comment_create(
        actor=ann, project=task.project, body="Kick-off notes: see OPS-1 and @olivia@example.com"
    )
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}{reverse('project_discussion', kwargs={'ws': 'acme', 'key': 'OPS'})}")
    expect(page.locator("#comment-threads")).to_contain_text("Kick-off notes")
    expect(page.locator("#comment-threads .mention")).to_have_text("@olivia@example.com")
    page.fill("#comment-body", "Thanks, **noted**.")
    page.click("#comment-submit")
    expect(page.locator("#comment-threads .comment-body strong")).to_have_text("noted")
    shot(page, "comments-discussion-desktop")

    # Delete it, after confirming.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".comment", has_text="Thanks, noted.").locator("button[aria-label='Delete this comment']").click()
    expect(page.locator("#comment-threads")).not_to_contain_text("Thanks, noted.")
    expect(page.locator("#comment-count")).to_have_text("1")

    # @ suggestions close with Escape and leave the text as typed.
    page.fill("#comment-body", "")
    page.locator("#comment-body").type("ping @an")
    expect(page.locator(".mention-list [role='option']").first).to_contain_text("Ann Lee")
    page.locator("#comment-body").press("Escape")
    expect(page.locator(".mention-list")).to_be_hidden()
    expect(page.locator("#comment-body")).to_have_value("ping @an")


def test_comments_in_the_side_panel_survive_other_edits(page: Any, live_server: Any) -> None:
    _owner, _ann, _task = _seed()
    login(page, live_server, "olivia@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}{reverse('project_tasks', kwargs={'ws': 'acme', 'key': 'OPS'})}?task=OPS-1")
    panel = page.locator("#task-panel-body")
    composer = panel.locator("#comment-body")
    expect(composer).to_be_visible()

    # Text typed in the composer stays while another part of the task is changed.
    composer.fill("Draft: still thinking")
    panel.locator("#watch-button").click()
    expect(panel.locator("#watch-button")).to_have_text("Watch")
    expect(composer).to_have_value("Draft: still thinking")

    # Post from the panel.
    composer.fill("Posted from the panel")
    panel.locator("#comment-submit").click()
    expect(panel.locator("#comment-threads")).to_contain_text("Posted from the panel")
    assert Comment.objects.get().body == "Posted from the panel"
    shot(page, "comments-panel-desktop")
