"""The sidebar's Chat badge: chat.selectors.unread_total, its fragment and the shell's lazy loader."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from labora.chat import selectors, services
from labora.work.models import ProjectMember

pytestmark = pytest.mark.django_db


def browser(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def total(acme: dict[str, Any], who: str) -> int:
    from labora.workspaces.models import Membership

    membership = Membership.objects.get(workspace=acme["ws"], user=acme[who])
    return selectors.unread_total(user=acme[who], workspace=acme["ws"], membership=membership)


def test_it_counts_unread_messages_of_others_in_the_users_conversations(acme: dict[str, Any]) -> None:
    ann, bob, cat = acme["ann"], acme["bob"], acme["cat"]
    ops = services.channel_for_project(actor=bob, project=acme["ops"])
    services.message_post(actor=bob, channel=ops, body="before Ann ever opened the channel")
    # Ann has no read position in OPS yet: a project channel she never opened does not count.
    assert total(acme, "ann") == 0
    services.message_post(actor=ann, channel=ops, body="I am here")  # her read position from now on
    services.message_post(actor=bob, channel=ops, body="one")
    services.message_post(actor=cat, channel=ops, body="two")
    services.message_post(actor=ann, channel=ops, body="my own never counts")
    assert total(acme, "ann") == 0  # posting moved her position past them
    services.message_post(actor=bob, channel=ops, body="three")
    assert total(acme, "ann") == 1
    dm, _ = services.direct_channel_open(actor=bob, workspace=acme["ws"], members=[ann])
    services.message_post(actor=bob, channel=dm, body="psst")
    services.message_post(actor=bob, channel=dm, body="psst again")
    assert total(acme, "ann") == 3
    # A DM between others is none of Ann's business.
    other_dm, _ = services.direct_channel_open(actor=bob, workspace=acme["ws"], members=[cat])
    services.message_post(actor=bob, channel=other_dm, body="between us")
    assert total(acme, "ann") == 3
    # Cat wrote "two" in OPS: the two messages after it are unread for her, and Bob's DM.
    assert total(acme, "cat") == 3
    assert total(acme, "owner") == 0  # in no conversation at all


def test_muted_project_channels_do_not_count_but_direct_messages_always_do(acme: dict[str, Any]) -> None:
    ann, bob = acme["ann"], acme["bob"]
    ops = services.channel_for_project(actor=bob, project=acme["ops"])
    services.message_post(actor=ann, channel=ops, body="hello")
    services.message_post(actor=bob, channel=ops, body="news")
    dm, _ = services.direct_channel_open(actor=bob, workspace=acme["ws"], members=[ann])
    services.message_post(actor=bob, channel=dm, body="psst")
    assert total(acme, "ann") == 2
    services.channel_mute(actor=ann, channel=ops, muted=True)
    assert total(acme, "ann") == 1
    services.channel_mute(actor=ann, channel=dm, muted=True)
    assert total(acme, "ann") == 1  # a direct message is for you: it counts even muted
    services.channel_mute(actor=ann, channel=ops, muted=False)
    assert total(acme, "ann") == 2


def test_reading_deleting_and_losing_access_clear_the_count(acme: dict[str, Any]) -> None:
    owner, cat = acme["owner"], acme["cat"]
    sec = services.channel_for_project(actor=owner, project=acme["sec"])
    services.message_post(actor=cat, channel=sec, body="Cat was here")
    first = services.message_post(actor=owner, channel=sec, body="secret one")
    second = services.message_post(actor=owner, channel=sec, body="secret two")
    assert total(acme, "cat") == 2
    services.message_delete(actor=owner, message=first)
    assert total(acme, "cat") == 1
    services.channel_mark_read(actor=cat, channel=sec, message_id=second.pk)
    assert total(acme, "cat") == 0
    services.message_post(actor=owner, channel=sec, body="secret three")
    assert total(acme, "cat") == 1
    # Cat leaves the private project: its channel no longer counts for her.
    from labora.work.services.members import project_member_remove

    row = ProjectMember.objects.get(project=acme["sec"], user=cat)
    project_member_remove(actor=owner, project=acme["sec"], member=row)
    assert total(acme, "cat") == 0


def test_one_query_whatever_the_number_of_channels_and_a_cap(
    acme: dict[str, Any], django_assert_num_queries: Any
) -> None:
    from labora.work.services import project_create

    ann, bob = acme["ann"], acme["bob"]
    for n in range(5):
        project = project_create(actor=acme["owner"], workspace=acme["ws"], key=f"Q{n}X", name=f"Q{n}")
        channel = services.channel_for_project(actor=bob, project=project)
        services.message_post(actor=ann, channel=channel, body="hi")
        services.message_post(actor=bob, channel=channel, body="hello")
    for person in ("bob", "cat", "owner"):
        dm, _ = services.direct_channel_open(actor=acme[person], workspace=acme["ws"], members=[ann])
        services.message_post(actor=acme[person], channel=dm, body="psst")
    from labora.workspaces.models import Membership

    membership = Membership.objects.get(workspace=acme["ws"], user=ann)
    with django_assert_num_queries(1):
        assert selectors.unread_total(user=ann, workspace=acme["ws"], membership=membership) == 8
    with django_assert_num_queries(1):
        assert selectors.unread_total(user=ann, workspace=acme["ws"], membership=membership, cap=3) == 3
    # Not a member: nothing, and no query.
    with django_assert_num_queries(0):
        assert selectors.unread_total(user=acme["stan"], workspace=acme["ws"], membership=None) == 0


def test_the_badge_fragment_says_how_many_and_hides_at_zero(acme: dict[str, Any]) -> None:
    ann, bob = acme["ann"], acme["bob"]
    client = browser(ann)
    empty = client.get("/w/acme/chat/unread/")
    assert empty.status_code == 200
    assert 'data-chat-unread="0"' in empty.text
    assert " hidden" in empty.text
    assert empty["Cache-Control"] == "no-store"
    dm, _ = services.direct_channel_open(actor=bob, workspace=acme["ws"], members=[ann])
    last = None
    for n in range(3):
        last = services.message_post(actor=bob, channel=dm, body=f"m{n}")
    html = client.get("/w/acme/chat/unread/").text
    assert 'data-chat-unread="3"' in html
    assert " hidden" not in html
    assert '>3<span class="sr-only"> unread</span>' in html
    assert f'data-me="{ann.public_id}"' in html
    # Reading the conversation (chat.js posts the newest message on screen) clears it.
    assert last is not None
    assert client.post(f"/w/acme/chat/{dm.public_id}/read/", {"message": last.pk}).status_code == 204
    assert 'data-chat-unread="0"' in client.get("/w/acme/chat/unread/").text
    for n in range(selectors.UNREAD_CAP + 1):
        services.message_post(actor=bob, channel=dm, body=f"flood {n}")
    assert '>99+<span class="sr-only">' in client.get("/w/acme/chat/unread/").text


def test_the_badge_is_only_for_the_workspaces_members(acme: dict[str, Any]) -> None:
    assert browser(acme["stan"]).get("/w/acme/chat/unread/").status_code == 404
    anonymous = Client().get("/w/acme/chat/unread/")
    assert anonymous.status_code == 302


def test_every_workspace_page_loads_the_badge_lazily(acme: dict[str, Any]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = browser(acme["ann"])
    for url in ("/w/acme/", "/w/acme/chat/"):
        html = client.get(url).text
        assert "data-chat-nav" in html
        assert 'hx-get="/w/acme/chat/unread/"' in html
        assert 'hx-trigger="load"' in html
    # The shell pays no query for it: the chat tables are not read by the home page.
    with CaptureQueriesContext(connection) as ctx:
        client.get("/w/acme/")
    assert not [q for q in ctx.captured_queries if "chat_message" in q["sql"]]
