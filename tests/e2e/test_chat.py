"""Chat in real browsers: two people in one channel, live delivery without a reload (the
composer keeps its text), Enter sends and Shift+Enter breaks the line, a direct message started
from the page, older history on scroll, and the phone's two screens."""

from __future__ import annotations

from typing import Any

import pytest

from labora.chat import services as chat
from labora.chat.models import Channel, Message
from labora.work.services import project_create
from tests import factories
from tests.e2e.conftest import PHONE, login, open_signed_in, settle, shot


def _seed() -> dict[str, Any]:
    ann = factories.make_user(email="ann@example.com", name="Ann Able")
    bob = factories.make_user(email="bob@example.com", name="Bob Baker")
    cat = factories.make_user(email="cat@example.com", name="Cat Cole")
    workspace = factories.make_workspace(owner=ann, slug="acme", name="Acme")
    factories.add_member(workspace, bob)
    factories.add_member(workspace, cat)
    ops = project_create(actor=ann, workspace=workspace, key="OPS", name="Operations")
    project_create(actor=ann, workspace=workspace, key="WEB", name="Website")
    channel = chat.channel_for_project(actor=ann, project=ops)
    chat.message_post(actor=bob, channel=channel, body="Morning all, the **deploy** is at 10.")
    chat.message_post(actor=cat, channel=channel, body="Thanks! I will watch the dashboards.")
    return {"ann": ann, "bob": bob, "cat": cat, "ws": workspace, "ops": ops, "channel": channel}


def test_a_message_appears_live_for_the_other_person_and_their_draft_stays(browser: Any, live_server: Any) -> None:
    data = _seed()
    url = f"/w/acme/chat/{data['channel'].public_id}/"
    ann_context, ann, ann_errors = open_signed_in(browser, live_server, "ann@example.com", url)
    bob_context, bob, bob_errors = open_signed_in(browser, live_server, "bob@example.com", url)
    try:
        bob_input = bob.locator("[data-chat-input]")
        bob_input.click()
        bob_input.type("Half a tho")

        composer = ann.locator("[data-chat-input]")
        composer.click()
        composer.type("Deploy went fine")
        composer.press("Shift+Enter")
        composer.type("ping @bo")
        # "@" suggests people; Enter takes the highlighted one instead of sending.
        option = ann.locator(".chat-mentions [role='option']", has_text="Bob Baker")
        option.wait_for()
        shot(ann, "chat-desktop-mention")
        composer.press("Enter")
        assert ann.locator(".chat-mentions").is_hidden()
        composer.type("if anything looks odd")
        assert composer.input_value() == "Deploy went fine\nping @bob if anything looks odd"
        with ann.expect_response(lambda r: r.url.endswith("/post/")) as answer:
            composer.press("Enter")
        assert answer.value.status == 200
        ann.locator(".chat-message", has_text="Deploy went fine").wait_for()
        assert composer.input_value() == ""

        # Bob's page shows it without a reload, and his own draft is untouched.
        posted = bob.locator(".chat-message", has_text="Deploy went fine")
        posted.wait_for(timeout=3000)
        assert posted.locator(".mention").inner_text() == "@bob"
        assert bob.locator(".chat-message", has_text="Deploy went fine").count() == 1
        assert bob_input.input_value() == "Half a tho"
        assert bob_input.evaluate("el => el === document.activeElement")
        # ...and it only appears once for Ann too (her HTMX answer and the live event).
        ann.wait_for_timeout(500)
        assert ann.locator(".chat-message", has_text="Deploy went fine").count() == 1
        shot(ann, "chat-desktop-ann")
        shot(bob, "chat-desktop-bob")
        assert Message.objects.filter(body="Deploy went fine\nping @bob if anything looks odd").count() == 1
        assert not ann_errors, ann_errors
        assert not bob_errors, bob_errors
        settle(ann, bob)
    finally:
        ann_context.close()
        bob_context.close()


def test_a_direct_message_started_from_the_page_reaches_only_its_members(browser: Any, live_server: Any) -> None:
    _seed()
    ann_context, ann, ann_errors = open_signed_in(browser, live_server, "ann@example.com", "/w/acme/chat/")
    bob_context, bob, _ = open_signed_in(browser, live_server, "bob@example.com", "/w/acme/chat/")
    cat_context, cat, _ = open_signed_in(browser, live_server, "cat@example.com", "/w/acme/chat/")
    try:
        shot(ann, "chat-desktop-list")
        ann.get_by_role("link", name="New message").first.click()
        ann.locator("[data-chat-filter]").fill("bob")
        assert ann.locator("[data-chat-person]:visible").count() == 1
        ann.get_by_label("Bob Baker").check()
        shot(ann, "chat-desktop-new")
        with ann.expect_navigation():
            ann.get_by_role("button", name="Start conversation").click()
        channel = Channel.objects.get(kind="direct")
        assert ann.url.endswith(f"/w/acme/chat/{channel.public_id}/")
        ann.locator("[data-chat-input]").fill("Can you review my PR?")
        ann.locator("[data-chat-input]").press("Enter")
        ann.locator(".chat-message", has_text="Can you review my PR?").wait_for()

        # Bob's channel list gets the conversation, bold with one unread message, live.
        unread = bob.locator(f'[data-chat-channel-link="{channel.public_id}"].is-unread')
        unread.wait_for(timeout=3000)
        assert unread.locator(".chat-unread").inner_text() == "1"
        shot(bob, "chat-desktop-unread")
        # Cat is not in it: nothing arrived, and the address is a 404 for her.
        cat.wait_for_timeout(800)
        assert cat.locator(f'[data-chat-channel-link="{channel.public_id}"]').count() == 0
        assert cat.goto(f"{live_server.url}/w/acme/chat/{channel.public_id}/").status == 404

        # Opening it marks it read.
        unread.click()
        bob.locator(".chat-message", has_text="Can you review my PR?").wait_for()
        bob.locator(f'[data-chat-channel-link="{channel.public_id}"]:not(.is-unread)').wait_for()
        assert not ann_errors, ann_errors
        settle(ann, bob, cat)
    finally:
        ann_context.close()
        bob_context.close()
        cat_context.close()


def test_older_messages_load_when_scrolling_up(page: Any, live_server: Any) -> None:
    data = _seed()
    for n in range(70):
        chat.message_post(actor=data["bob" if n % 2 else "cat"], channel=data["channel"], body=f"Status update {n:02d}")
    login(page, live_server, "ann@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}/w/acme/chat/{data['channel'].public_id}/")
    page.locator(".chat-message", has_text="Status update 69").wait_for()
    assert page.locator(".chat-message", has_text="Status update 05").count() == 0
    box = page.locator("[data-chat-scroll]")
    assert box.evaluate("el => el.scrollHeight - el.scrollTop - el.clientHeight < 5")  # opened at the bottom
    box.evaluate("el => { el.scrollTop = 0; }")
    page.locator(".chat-message", has_text="Status update 05").wait_for()
    page.locator(".chat-start").wait_for()
    # Reading position kept: the view did not jump to the very top of the new page.
    assert box.evaluate("el => el.scrollTop") > 200
    assert page.locator(".chat-message").count() == 72
    assert not page.js_errors, page.js_errors
    settle(page)


@pytest.mark.parametrize("width", [PHONE["width"]])
def test_on_a_phone_the_list_and_the_conversation_are_two_screens(browser: Any, live_server: Any, width: int) -> None:
    data = _seed()
    context, page, errors = open_signed_in(browser, live_server, "ann@example.com", "/w/acme/chat/", PHONE)
    try:
        assert page.locator(".chat-sidebar").is_visible()
        assert not page.locator(".chat-main").is_visible()
        shot(page, "chat-phone-list")
        page.get_by_role("link", name="OPS Operations").click()
        page.locator("[data-chat-input]").wait_for()
        assert not page.locator(".chat-sidebar").is_visible()
        assert page.locator(".chat-message", has_text="deploy").is_visible()
        page.locator("[data-chat-input]").fill("From my phone")
        page.get_by_role("button", name="Send").click()
        page.locator(".chat-message", has_text="From my phone").wait_for()
        shot(page, "chat-phone-conversation")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.get_by_role("link", name="All conversations").click()
        page.locator(".chat-sidebar").wait_for()
        assert data["channel"].messages.count() == 3
        assert not errors, errors
        settle(page)
    finally:
        context.close()


def test_the_project_chat_tab(page: Any, live_server: Any) -> None:
    _seed()
    login(page, live_server, "bob@example.com", factories.PASSWORD)
    page.goto(f"{live_server.url}/w/acme/projects/OPS/board/")
    page.locator(".project-nav").get_by_role("link", name="Chat").click()
    page.locator(".chat-message", has_text="the dashboards").wait_for()
    shot(page, "chat-project-tab")
    page.set_viewport_size(PHONE)
    shot(page, "chat-project-tab-phone")
    assert not page.js_errors, page.js_errors
    settle(page)


def test_the_sidebar_badge_counts_unread_messages_live_and_reading_clears_it(browser: Any, live_server: Any) -> None:
    data = _seed()
    dm, _ = chat.direct_channel_open(actor=data["bob"], workspace=data["ws"], members=[data["ann"]])
    # Ann has read OPS up to Cat's message: the seed's two messages are not news to her.
    chat.channel_mark_read(actor=data["ann"], channel=data["channel"], message_id=data["channel"].last_message_id)
    ann_context, ann, ann_errors = open_signed_in(browser, live_server, "ann@example.com", "/w/acme/")
    bob_context, bob, bob_errors = open_signed_in(
        browser, live_server, "bob@example.com", f"/w/acme/chat/{dm.public_id}/"
    )
    try:
        nav = ann.locator("[data-chat-nav]")
        badge = nav.locator("[data-chat-unread]")
        badge.wait_for(state="attached")
        ann.locator('[data-chat-unread="0"]').wait_for(state="attached")  # loaded, nothing unread
        assert badge.is_hidden()

        # Bob writes to Ann: her badge shows it without a reload.
        composer = bob.locator("[data-chat-input]")
        composer.fill("Lunch at noon?")
        composer.press("Enter")
        bob.locator(".chat-message", has_text="Lunch at noon?").wait_for()
        ann.locator('[data-chat-nav] [data-chat-unread="1"]').wait_for(timeout=4000)
        assert badge.text_content() == "1 unread"  # "Chat 1 unread" for a screen reader
        assert "Chat" in nav.inner_text()
        composer.fill("Or at one?")
        composer.press("Enter")
        ann.locator('[data-chat-nav] [data-chat-unread="2"]').wait_for(timeout=4000)
        shot(ann, "chat-sidebar-badge")
        ann.reload()
        ann.locator('[data-chat-nav] [data-chat-unread="2"]').wait_for()  # the page load says so too

        # Bob writes in OPS, where Ann has a read position: that counts as well.
        bob.goto(f"{live_server.url}/w/acme/chat/{data['channel'].public_id}/")
        bob.locator('main[data-live-state="open"]').wait_for()
        bob.locator("[data-chat-input]").fill("Deploy done.")
        bob.locator("[data-chat-input]").press("Enter")
        bob.locator(".chat-message", has_text="Deploy done.").wait_for()
        ann.locator('[data-chat-nav] [data-chat-unread="3"]').wait_for(timeout=4000)

        # Opening the conversation reads it: the badge drops by what was read, then to zero.
        nav.click()
        ann.locator(f'[data-chat-channel-link="{dm.public_id}"]').click()
        ann.locator(".chat-message", has_text="Or at one?").wait_for()
        ann.locator('[data-chat-nav] [data-chat-unread="1"]').wait_for(timeout=4000)
        ann.locator(f'[data-chat-channel-link="{data["channel"].public_id}"]').click()
        ann.locator(".chat-message", has_text="Deploy done.").wait_for()
        ann.locator('[data-chat-nav] [data-chat-unread="0"]').wait_for(state="attached", timeout=4000)
        assert ann.locator("[data-chat-nav] [data-chat-unread]").is_hidden()
        assert not ann_errors, ann_errors
        assert not bob_errors, bob_errors
        settle(ann, bob)
    finally:
        ann_context.close()
        bob_context.close()
