"""The chat API per contract: shapes, status codes, cursor paging, outsiders and non-members 404."""

from __future__ import annotations

from typing import Any

import pytest

from labora.chat import services
from labora.chat.models import Channel, Message
from tests import factories
from tests.conftest import ApiClient

pytestmark = pytest.mark.django_db

BASE = "/api/v1/workspaces/acme/chat/channels"


def client(user: Any) -> ApiClient:
    return ApiClient(factories.make_token(user))


def test_a_project_channel_through_the_api(acme: dict[str, Any]) -> None:
    ann = client(acme["ann"])
    response = ann.get("/api/v1/workspaces/acme/projects/ops/chat")
    assert response.status_code == 200, response.content
    channel = response.json()
    assert channel == {
        "id": channel["id"],
        "kind": "project",
        "name": "OPS · Operations",
        "project": "OPS",
        "members": [],
        "unread": 0,
        "last_read": 0,
        "last_message_at": None,
        "muted": False,
    }
    posted = ann.post_json(f"{BASE}/{channel['id']}/messages", {"body": "Hello @bob, see *this*"})
    assert posted.status_code == 201, posted.content
    body = posted.json()
    assert body["author"] == {"id": acme["ann"].public_id, "name": "Ann Able", "email": "ann@example.com"}
    assert body["mentions"] == ["bob@example.com"]
    assert "<em>this</em>" in body["body_html"]
    assert body["version"] == 1
    listed = client(acme["bob"]).get(BASE).json()
    assert listed["count"] == 1
    assert listed["items"][0]["unread"] == 1
    assert listed["next"] is None


def test_private_project_channel_and_outsiders_answer_404(acme: dict[str, Any]) -> None:
    assert client(acme["ann"]).get("/api/v1/workspaces/acme/projects/SEC/chat").status_code == 404
    channel = services.channel_for_project(actor=acme["cat"], project=acme["sec"])
    services.message_post(actor=acme["cat"], channel=channel, body="secret")
    for person in ("ann", "stan"):
        api = client(acme[person])
        assert api.get(f"{BASE}/{channel.public_id}/messages").status_code == 404
        refused = api.post_json(f"{BASE}/{channel.public_id}/messages", {"body": "hi"})
        assert refused.status_code == 404
        assert refused.json()["error"]["code"] == "not_found"
    assert client(acme["stan"]).get(BASE).status_code == 404
    assert Message.objects.count() == 1


def test_open_a_direct_conversation_then_the_same_again(acme: dict[str, Any]) -> None:
    ann = client(acme["ann"])
    created = ann.post_json(BASE, {"members": ["bob@example.com", "@cat"]})
    assert created.status_code == 201, created.content
    channel = created.json()
    assert channel["kind"] == "direct"
    assert channel["name"] == "Bob Baker, Cat Cole"
    assert sorted(m["email"] for m in channel["members"]) == ["ann@example.com", "bob@example.com", "cat@example.com"]
    again = client(acme["cat"]).post_json(BASE, {"members": [acme["ann"].public_id, "BOB@example.com"]})
    assert again.status_code == 200
    assert again.json()["id"] == channel["id"]
    unknown = ann.post_json(BASE, {"members": ["stan@example.com"]})
    assert unknown.status_code == 422
    assert "stan@example.com" in unknown.json()["error"]["message"]
    assert client(acme["gus"]).post_json(BASE, {"members": ["ann@example.com"]}).status_code == 403
    assert Channel.objects.count() == 1
    # a non-member of the conversation: 404 on every route of it
    owner = client(acme["owner"])
    assert owner.get(f"{BASE}/{channel['id']}/messages").status_code == 404
    assert owner.post_json(f"{BASE}/{channel['id']}/read", {"message": 1}).status_code == 404


def test_history_pages_backwards_by_cursor_in_constant_queries(
    acme: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    channel = services.channel_for_project(actor=acme["ann"], project=acme["ops"])
    authors = [acme["ann"], acme["bob"], acme["cat"], acme["owner"]]
    ids = [services.message_post(actor=authors[i % 4], channel=channel, body=f"message {i} @bob").pk for i in range(25)]
    api = client(acme["ann"])
    url = f"{BASE}/{channel.public_id}/messages?limit=10"
    seen: list[int] = []
    pages = 0
    while url:
        with django_assert_max_num_queries(12):
            response = api.get(url)
        assert response.status_code == 200
        page = response.json()
        assert page["count"] == 25
        assert [m["id"] for m in page["items"]] == sorted(m["id"] for m in page["items"])
        seen = [m["id"] for m in page["items"]] + seen
        url = page["next"] and page["next"].replace("http://testserver", "")
        pages += 1
    assert pages == 3
    assert seen == ids


def test_history_query_count_does_not_grow_with_the_page(acme: dict[str, Any]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    channel = services.channel_for_project(actor=acme["ann"], project=acme["ops"])
    api = client(acme["ann"])

    def cost(limit: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(f"{BASE}/{channel.public_id}/messages?limit={limit}").status_code == 200
        return len(ctx.captured_queries)

    for i in range(3):
        services.message_post(actor=acme["bob"], channel=channel, body=f"m{i} @ann")
    cost(1)  # the token's first use is recorded once
    few = cost(3)
    for i in range(30):
        services.message_post(actor=[acme["bob"], acme["cat"]][i % 2], channel=channel, body=f"n{i} @ann @bob")
    assert cost(30) == few


def test_edit_with_if_match_delete_and_read(acme: dict[str, Any]) -> None:
    channel = services.channel_for_project(actor=acme["ann"], project=acme["ops"])
    message = services.message_post(actor=acme["ann"], channel=channel, body="draft")
    url = f"{BASE}/{channel.public_id}/messages/{message.pk}"
    ann = client(acme["ann"])
    stale = ann.patch_json(url, {"body": "late"}, HTTP_IF_MATCH="5")
    assert stale.status_code == 409
    assert stale.json()["current"]["body"] == "draft"
    edited = ann.patch_json(url, {"body": "final"}, HTTP_IF_MATCH="1")
    assert edited.status_code == 200
    assert (edited.json()["body"], edited.json()["version"]) == ("final", 2)
    assert client(acme["bob"]).patch_json(url, {"body": "mine now"}).status_code == 403
    too_long = ann.patch_json(url, {"body": "y" * 10_001})
    assert too_long.status_code == 422
    assert too_long.json()["error"]["fields"] == {"body": "too long"}
    bob = client(acme["bob"])
    read = bob.post_json(f"{BASE}/{channel.public_id}/read", {"message": message.pk})
    assert read.json() == {"channel": channel.public_id, "last_read": message.pk, "unread": 0}
    assert bob.post_json(f"{BASE}/{channel.public_id}/read", {"message": 999999}).status_code == 422
    assert client(acme["bob"]).delete(url).status_code == 403
    assert ann.delete(url).status_code == 204
    assert ann.delete(url).status_code == 404
    assert ann.get(f"{BASE}/{channel.public_id}/messages").json()["items"] == []


def test_mute_through_the_api(acme: dict[str, Any]) -> None:
    channel = services.channel_for_project(actor=acme["ann"], project=acme["ops"])
    api = client(acme["bob"])
    muted = api.put_json(f"{BASE}/{channel.public_id}/mute", {"muted": True})
    assert muted.status_code == 200
    assert muted.json()["muted"] is True
    assert api.get(BASE).json()["items"][0]["muted"] is True
    assert client(acme["ann"]).get(BASE).json()["items"][0]["muted"] is False
    assert api.put_json(f"{BASE}/{channel.public_id}/mute", {"muted": "yes"}).status_code == 422
