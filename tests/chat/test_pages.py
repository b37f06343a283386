"""The chat pages and their HTMX fragments."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from labora.chat import services
from labora.chat.models import Channel, Message

pytestmark = pytest.mark.django_db


def browser(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_chat_page_lists_channels_with_unread_counts_in_bold(acme: dict[str, Any]) -> None:
    ops = services.channel_for_project(actor=acme["bob"], project=acme["ops"])
    services.message_post(actor=acme["bob"], channel=ops, body="one")
    services.message_post(actor=acme["bob"], channel=ops, body="two")
    dm, _ = services.direct_channel_open(actor=acme["bob"], workspace=acme["ws"], members=[acme["ann"]])
    html = browser(acme["ann"]).get("/w/acme/chat/").text
    assert 'class="chat-channel is-unread"' in html
    assert 'aria-label="2 unread"' in html
    assert "Bob Baker" in html  # the DM, named after the other person
    assert f"/w/acme/chat/{dm.public_id}/" in html
    assert "/w/acme/chat/project/SEC/" not in html  # private, Ann is not in it
    # Cat is in SEC: she is offered its channel
    assert "/w/acme/chat/project/SEC/" in browser(acme["cat"]).get("/w/acme/chat/").text


def test_a_conversation_shows_history_a_new_marker_and_the_composer(acme: dict[str, Any]) -> None:
    ops = services.channel_for_project(actor=acme["ann"], project=acme["ops"])
    services.message_post(actor=acme["ann"], channel=ops, body="old news")
    newer = services.message_post(actor=acme["bob"], channel=ops, body="**fresh** news")
    html = browser(acme["ann"]).get(f"/w/acme/chat/{ops.public_id}/").text
    assert "<strong>fresh</strong> news" in html
    assert html.index("old news") < html.index('id="chat-new-marker"') < html.index(f'id="msg-{newer.pk}"')
    assert "data-chat-composer" in html
    assert "chat-has-channel" in html


def test_posting_from_the_composer_answers_the_message_for_htmx(acme: dict[str, Any]) -> None:
    ops = services.channel_for_project(actor=acme["ann"], project=acme["ops"])
    client = browser(acme["ann"])
    response = client.post(f"/w/acme/chat/{ops.public_id}/post/", {"body": "hello *team*"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    message = Message.objects.get()
    assert response["X-Chat-Message"] == str(message.pk)
    assert response.text.lstrip().startswith(f'<li class="chat-message has-head is-mine" id="msg-{message.pk}"')
    refused = client.post(f"/w/acme/chat/{ops.public_id}/post/", {"body": "x" * 10_001}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 422
    assert "at most 10,000" in refused["HX-Trigger"]
    assert Message.objects.count() == 1


def test_history_loads_older_pages_with_a_sentinel(acme: dict[str, Any]) -> None:
    ops = services.channel_for_project(actor=acme["ann"], project=acme["ops"])
    ids = [services.message_post(actor=acme["ann"], channel=ops, body=f"m{i}").pk for i in range(60)]
    client = browser(acme["bob"])
    page = client.get(f"/w/acme/chat/{ops.public_id}/").text
    assert f"history/?before={ids[10]}" in page
    assert f'id="msg-{ids[9]}"' not in page
    older = client.get(f"/w/acme/chat/{ops.public_id}/history/?before={ids[10]}", HTTP_HX_REQUEST="true").text
    assert f'id="msg-{ids[0]}"' in older
    assert f'id="msg-{ids[9]}"' in older
    assert "This is the start of #OPS" in older


def test_other_peoples_conversations_are_not_found(acme: dict[str, Any]) -> None:
    dm, _ = services.direct_channel_open(actor=acme["ann"], workspace=acme["ws"], members=[acme["bob"]])
    message = services.message_post(actor=acme["ann"], channel=dm, body="just us")
    sec = services.channel_for_project(actor=acme["cat"], project=acme["sec"])
    for url in (
        f"/w/acme/chat/{dm.public_id}/",
        f"/w/acme/chat/{dm.public_id}/m/{message.pk}/",
        f"/w/acme/chat/{sec.public_id}/",
        "/w/acme/projects/SEC/chat/",
        "/w/acme/chat/project/SEC/",
    ):
        assert (
            browser(acme["cat"] if "SEC" not in url and sec.public_id not in url else acme["ann"]).get(url).status_code
            == 404
        ), url
    assert browser(acme["cat"]).post(f"/w/acme/chat/{dm.public_id}/post/", {"body": "hi"}).status_code == 404
    assert Message.objects.count() == 1


def test_starting_a_direct_conversation_from_the_page(acme: dict[str, Any]) -> None:
    client = browser(acme["ann"])
    form = client.get("/w/acme/chat/new/").text
    assert 'value="bob@example.com"' in form
    response = client.post("/w/acme/chat/new/", {"members": ["bob@example.com", "cat@example.com"]})
    channel = Channel.objects.get(kind="direct")
    assert response.status_code == 302
    assert response["Location"] == f"/w/acme/chat/{channel.public_id}/"
    again = client.post("/w/acme/chat/new/", {"members": ["cat@example.com", "bob@example.com"]})
    assert again["Location"] == response["Location"]
    empty = client.post("/w/acme/chat/new/", {})
    assert empty.status_code == 422
    assert "at least one other member" in empty.text


def test_the_project_chat_tab(acme: dict[str, Any]) -> None:
    html = browser(acme["gus"]).get("/w/acme/projects/OPS/chat/").text  # a guest the project is shared with
    assert 'aria-current="page">Chat</a>' in html
    assert "data-chat-conversation" in html
    assert Channel.objects.filter(kind="project", project=acme["ops"]).count() == 1


def test_edit_and_delete_from_the_page(acme: dict[str, Any]) -> None:
    ops = services.channel_for_project(actor=acme["ann"], project=acme["ops"])
    message = services.message_post(actor=acme["ann"], channel=ops, body="typo")
    client = browser(acme["ann"])
    form = client.get(f"/w/acme/chat/{ops.public_id}/m/{message.pk}/edit/", HTTP_HX_REQUEST="true").text
    assert 'name="version" value="1"' in form
    saved = client.post(f"/w/acme/chat/{ops.public_id}/m/{message.pk}/", {"body": "fixed", "version": "1"})
    assert "fixed" in saved.text
    assert "(edited)" in saved.text
    assert browser(acme["bob"]).get(f"/w/acme/chat/{ops.public_id}/m/{message.pk}/edit/").status_code == 404
    gone = client.post(f"/w/acme/chat/{ops.public_id}/m/{message.pk}/delete/", HTTP_HX_REQUEST="true")
    assert gone.status_code == 200
    assert gone.text == ""
    assert not Message.objects.exists()


def test_mark_read_from_the_page(acme: dict[str, Any]) -> None:
    ops = services.channel_for_project(actor=acme["ann"], project=acme["ops"])
    message = services.message_post(actor=acme["ann"], channel=ops, body="read me")
    client = browser(acme["bob"])
    assert client.post(f"/w/acme/chat/{ops.public_id}/read/", {"message": message.pk}).status_code == 204
    assert 'class="chat-channel is-unread"' not in client.get("/w/acme/chat/list/").text


def test_mute_from_the_page(acme: dict[str, Any]) -> None:
    ops = services.channel_for_project(actor=acme["ann"], project=acme["ops"])
    client = browser(acme["bob"])
    response = client.post(f"/w/acme/chat/{ops.public_id}/mute/", {"muted": "1", "next": "https://evil.example/"})
    assert response["Location"] == f"/w/acme/chat/{ops.public_id}/"
    page = client.get(response["Location"]).text
    assert ">Unmute</button>" in page
    assert 'class="chat-muted"' in page


def test_the_chat_page_costs_the_same_for_few_and_many_messages_and_channels(acme: dict[str, Any]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from labora.work.services import project_create

    ops = services.channel_for_project(actor=acme["ann"], project=acme["ops"])
    services.message_post(actor=acme["bob"], channel=ops, body="one @ann")
    client = browser(acme["ann"])
    url = f"/w/acme/chat/{ops.public_id}/"
    client.get(url)

    def cost() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = cost()
    for n in range(4):
        project = project_create(actor=acme["owner"], workspace=acme["ws"], key=f"Q{n}X", name=f"Q{n}")
        services.message_post(
            actor=acme["bob"], channel=services.channel_for_project(actor=acme["bob"], project=project), body="hi"
        )
    for person in ("bob", "cat"):
        dm, _ = services.direct_channel_open(actor=acme["ann"], workspace=acme["ws"], members=[acme[person]])
        services.message_post(actor=acme[person], channel=dm, body="psst")
    for n in range(40):
        services.message_post(actor=[acme["bob"], acme["cat"], acme["owner"]][n % 3], channel=ops, body=f"m{n} @bob")
    assert cost() == few
