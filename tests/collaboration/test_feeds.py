"""Activity feeds per project, person and workspace: visibility, addressed events left out,
filters by kind and person, "load more" and live pages, the API's `kind`."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from labora.chat import services as chat
from labora.collaboration import feeds
from labora.collaboration.models import ActivityEntry
from labora.core.errors import ValidationError
from labora.work.services import project_create, task_create, task_update
from labora.work.services.members import project_member_add
from labora.workspaces.models import Membership, Role
from tests import factories
from tests.conftest import ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(run_events: Any) -> dict[str, Any]:
    """Owner Olivia; members Ann and Bob; guest Gus (shared OPS). OPS public, SEC private (Bob in it)."""
    owner = factories.make_user(email="owner@example.com", name="Olivia Owner")
    ann = factories.make_user(email="ann@example.com", name="Ann Able")
    bob = factories.make_user(email="bob@example.com", name="Bob Baker")
    gus = factories.make_user(email="gus@example.com", name="Gus Guest")
    ws = factories.make_workspace(owner=owner, slug="acme", name="Acme")
    factories.add_member(ws, ann, Role.MEMBER)
    factories.add_member(ws, bob, Role.MEMBER)
    factories.add_member(ws, gus, Role.GUEST)
    with run_events():
        ops = project_create(actor=owner, workspace=ws, key="OPS", name="Operations")
        sec = project_create(actor=owner, workspace=ws, key="SEC", name="Security", is_private=True)
        project_member_add(actor=owner, project=sec, email="bob@example.com")
        project_member_add(actor=owner, project=ops, email="gus@example.com")
        task = task_create(actor=ann, project=ops, title="Rotate the keys")
        task_create(actor=bob, project=sec, title="Audit the vault")
        task_update(actor=ann, task=task, priority="high")
        channel = chat.channel_for_project(actor=ann, project=ops)
        chat.message_post(actor=ann, channel=channel, body="keys rotated")
        dm, _ = chat.direct_channel_open(actor=ann, workspace=ws, members=[bob])
        chat.message_post(actor=ann, channel=dm, body="the secret plan")
        chat.channel_mark_read(actor=bob, channel=dm, message_id=dm.last_message_id)
    return {"ws": ws, "owner": owner, "ann": ann, "bob": bob, "gus": gus, "ops": ops, "sec": sec, "task": task}


def _names(entries: Any) -> list[str]:
    return [e.name for e in entries]


def _membership(acme: dict[str, Any], who: str) -> Membership:
    return Membership.objects.get(workspace=acme["ws"], user=acme[who])


def test_addressed_events_never_reach_a_feed_not_even_the_owners(acme: dict[str, Any]) -> None:
    assert ActivityEntry.objects.filter(data__has_key="audience").count() == 3  # DM opened, posted, read
    for who in ("owner", "ann", "bob"):
        entries = list(feeds.feed_entries(workspace=acme["ws"], membership=_membership(acme, who)))
        assert all("audience" not in e.data for e in entries)
        assert "the secret plan" not in str([e.data for e in entries])
    owner_feed = _names(feeds.feed_entries(workspace=acme["ws"], membership=_membership(acme, "owner")))
    assert owner_feed.count("chat.message_posted") == 1  # the project channel's


def test_private_projects_and_guests_see_only_what_they_may(acme: dict[str, Any]) -> None:
    ann = feeds.feed_entries(workspace=acme["ws"], membership=_membership(acme, "ann"))
    bob = feeds.feed_entries(workspace=acme["ws"], membership=_membership(acme, "bob"))
    gus = feeds.feed_entries(workspace=acme["ws"], membership=_membership(acme, "gus"))
    assert "SEC" not in {e.project_key for e in ann}
    assert "SEC" in {e.project_key for e in bob}
    assert {e.project_key for e in gus} == {"OPS"}


def test_feeds_filter_by_kind_project_and_person(acme: dict[str, Any]) -> None:
    owner = _membership(acme, "owner")
    chat_only = feeds.feed_entries(workspace=acme["ws"], membership=owner, kind="chat")
    assert _names(chat_only) == ["chat.message_posted", "chat.channel_created"]
    tasks_of_ann = feeds.feed_entries(workspace=acme["ws"], membership=owner, kind="task", actor_id=acme["ann"].pk)
    assert _names(tasks_of_ann) == ["task.updated", "task.created"]
    ops = feeds.feed_entries(workspace=acme["ws"], membership=owner, project="ops")
    assert {e.project_key for e in ops} == {"OPS"}
    with pytest.raises(ValidationError, match="Unknown kind 'gossip'"):
        feeds.feed_entries(workspace=acme["ws"], membership=owner, kind="gossip")


def test_a_feed_page_costs_one_query_whatever_its_length(acme: dict[str, Any], run_events: Any) -> None:
    owner = _membership(acme, "owner")

    def cost() -> int:
        with CaptureQueriesContext(connection) as ctx:
            page = feeds.feed_page(feeds.feed_entries(workspace=acme["ws"], membership=owner))
            for entry in page.entries:
                str(entry.actor)
        return len(ctx.captured_queries)

    few = cost()
    with run_events():
        for n in range(40):
            actor = factories.add_member(acme["ws"]).user
            task_create(actor=actor, project=acme["ops"], title=f"Task {n}")
    assert cost() == few == 1


def test_load_more_and_live_pages_never_overlap(acme: dict[str, Any], run_events: Any) -> None:
    owner = _membership(acme, "owner")
    with run_events():
        for n in range(35):
            task_create(actor=acme["owner"], project=acme["ops"], title=f"Task {n}")
    entries = feeds.feed_entries(workspace=acme["ws"], membership=owner, project="OPS")
    first = feeds.feed_page(entries)
    second = feeds.feed_page(entries, before=first.last_id)
    everything = [e.event_id for e in entries]
    assert [e.event_id for e in first.entries + second.entries] == everything
    assert first.has_more
    assert not second.has_more
    with run_events():
        task_create(actor=acme["ann"], project=acme["ops"], title="Arrived live")
    live = feeds.feed_page(entries, after=first.first_id)
    assert [e.data.get("task") for e in live.entries] == ["OPS-37"]


def test_the_project_activity_page_filters_by_kind_and_loads_more(acme: dict[str, Any], run_events: Any) -> None:
    client = Client()
    client.force_login(acme["ann"])
    page = client.get("/w/acme/projects/OPS/activity/", {"kind": "chat"}).text
    assert 'aria-current="page">Activity</a>' in page
    assert "wrote in <strong>OPS chat</strong>: “keys rotated”" in page
    assert "Rotate the keys" not in page
    assert 'hx-trigger="labora:live from:document delay:500ms"' in page
    assert client.get("/w/acme/projects/SEC/activity/").status_code == 404
    with run_events():
        for n in range(31):
            task_create(actor=acme["ann"], project=acme["ops"], title=f"Task {n}")
    full = client.get("/w/acme/projects/OPS/activity/").text
    assert full.count('class="feed-item"') == 30
    assert "Load more" in full
    oldest_shown = feeds.feed_page(
        feeds.feed_entries(workspace=acme["ws"], membership=_membership(acme, "ann"), project="OPS")
    ).last_id
    more = client.get(f"/w/acme/projects/OPS/activity/?before={oldest_shown}", HTTP_HX_REQUEST="true").text
    assert "<html" not in more
    assert (
        more.count('class="feed-item"')
        == ActivityEntry.objects.filter(project_key="OPS").exclude(data__has_key="audience").count() - 30
    )


def test_the_person_page_shows_what_they_did_that_the_reader_may_see(acme: dict[str, Any]) -> None:
    client = Client()
    client.force_login(acme["ann"])
    html = client.get("/w/acme/people/bob@example.com/activity/").text
    assert "Bob Baker" in html
    assert "Audit the vault" not in html  # SEC is private, Ann is not in it
    assert client.get(f"/w/acme/people/{acme['ann'].public_id}/activity/").status_code == 200
    assert client.get("/w/acme/people/nobody/activity/").status_code == 404
    guest = Client()
    guest.force_login(acme["gus"])
    assert guest.get("/w/acme/people/bob@example.com/activity/").status_code == 403


def test_the_workspace_page_answers_live_entries_after_an_id(acme: dict[str, Any], run_events: Any) -> None:
    client = Client()
    client.force_login(acme["owner"])
    newest = feeds.feed_entries(workspace=acme["ws"], membership=_membership(acme, "owner")).first()
    assert newest is not None
    with run_events():
        task_create(actor=acme["bob"], project=acme["ops"], title="Fresh work")
    live = client.get(f"/w/acme/activity/?after={newest.event_id}", HTTP_HX_REQUEST="true").text
    assert live.count('class="feed-item"') == 1
    assert "Fresh work" in live
    assert 'hx-swap-oob="true"' in live
    filtered = client.get(f"/w/acme/activity/?after={newest.event_id}&kind=chat", HTTP_HX_REQUEST="true").text
    assert 'class="feed-item"' not in filtered
    by_person = client.get("/w/acme/activity/", {"person": acme["bob"].public_id}).text
    assert "Audit the vault" in by_person
    assert "Rotate the keys" not in by_person


def test_the_activity_api_filters_by_kind_and_hides_direct_messages(acme: dict[str, Any]) -> None:
    api = ApiClient(factories.make_token(acme["owner"]))
    items = api.get("/api/v1/workspaces/acme/activity").json()["items"]
    assert all(not item["event"].startswith("chat.channel_read") for item in items)
    assert [i["event"] for i in items if i["event"].startswith("chat.")] == [
        "chat.message_posted",
        "chat.channel_created",
    ]
    chat_only = api.get("/api/v1/workspaces/acme/activity?kind=chat").json()
    assert chat_only["count"] == 2
    unknown = api.get("/api/v1/workspaces/acme/activity?kind=gossip")
    assert unknown.status_code == 422
    assert unknown.json()["error"]["fields"] == {"kind": "unknown kind"}


# --- the workspace page: "load more" by a cursor, never page numbers ---------------------------


def _workspace_page(client: Client, **params: Any) -> tuple[int, str, int]:
    """(status, html, queries) of one GET of the workspace's feed."""
    headers = {"HTTP_HX_REQUEST": "true"} if params.pop("htmx", False) else {}
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/w/acme/activity/", params, **headers)
    return response.status_code, response.text, len(ctx.captured_queries)


def test_the_workspace_page_loads_more_by_a_cursor_that_live_entries_never_shift(
    acme: dict[str, Any], run_events: Any
) -> None:
    client = Client()
    client.force_login(acme["owner"])
    with run_events():
        for n in range(70):
            task_create(actor=acme["ann"], project=acme["ops"], title=f"Task {n:02d}")
    everything = [e.event_id for e in feeds.feed_entries(workspace=acme["ws"], membership=_membership(acme, "owner"))]
    status, first, _ = _workspace_page(client)
    assert status == 200
    assert first.count('class="feed-item"') == feeds.FEED_PAGE
    cursor = everything[feeds.FEED_PAGE - 1]
    assert f'hx-get="/w/acme/activity/?before={cursor}"' in first
    assert "page=" not in first
    assert "Task 69" in first
    # Ten entries arrive live on top: the next page still starts right below the last one shown.
    with run_events():
        for n in range(10):
            task_create(actor=acme["bob"], project=acme["ops"], title=f"Later {n}")
    _, second, _ = _workspace_page(client, before=cursor, htmx=True)
    assert "<html" not in second
    assert second.count('class="feed-item"') == feeds.FEED_PAGE
    assert "Later" not in second
    shown = everything[feeds.FEED_PAGE : 2 * feeds.FEED_PAGE]
    assert f"before={shown[-1]}" in second
    _, third, _ = _workspace_page(client, before=shown[-1], htmx=True)
    assert third.count('class="feed-item"') == len(everything) - 2 * feeds.FEED_PAGE
    assert "Load more" not in third
    # A filter keeps its cursor links filtered.
    _, tasks_only, _ = _workspace_page(client, kind="task")
    assert "?kind=task&amp;before=" in tasks_only


def test_the_workspace_page_costs_the_same_queries_whatever_the_page(acme: dict[str, Any], run_events: Any) -> None:
    client = Client()
    client.force_login(acme["ann"])
    _workspace_page(client)  # the first visit of a session writes it
    _, _, few = _workspace_page(client)
    with run_events():
        for n in range(45):
            actor = factories.add_member(acme["ws"]).user
            task_create(actor=actor, project=acme["ops"], title=f"Task {n}")
    _, html, many = _workspace_page(client)
    assert many == few
    last = feeds.feed_page(feeds.feed_entries(workspace=acme["ws"], membership=_membership(acme, "ann"))).last_id
    _, _, more = _workspace_page(client, before=last, htmx=True)
    assert more <= many
    assert "Audit the vault" not in html  # SEC is private


def test_the_workspace_page_filters_in_place_and_says_when_a_filter_is_unknown(acme: dict[str, Any]) -> None:
    client = Client()
    client.force_login(acme["owner"])
    page = client.get("/w/acme/activity/", {"kind": "chat"}).text
    assert 'hx-target="#feed"' in page
    assert '<option value="chat" selected>' in page
    assert "Rotate the keys" not in page
    fragment = client.get("/w/acme/activity/", {"kind": "task"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="feed").text
    assert fragment.startswith('<div id="feed"')
    assert "Rotate the keys" in fragment
    unknown = client.get("/w/acme/activity/", {"kind": "bogus"}).text
    assert "Select a valid choice" in unknown
    assert "Rotate the keys" in unknown
    guest = Client()
    guest.force_login(acme["gus"])
    denied = guest.get("/w/acme/activity/")
    assert denied.status_code == 403
    assert "Only members can see the activity of this workspace." in denied.text
