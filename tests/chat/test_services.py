"""Chat services: who may open, read, post, edit and delete; what they record."""

from __future__ import annotations

from typing import Any

import pytest

from labora.chat import selectors, services
from labora.chat.models import Channel, ChannelMember, Message
from labora.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from labora.core.models import DomainEvent
from labora.workspaces.models import Membership

pytestmark = pytest.mark.django_db


def _events(name: str) -> list[DomainEvent]:
    return list(DomainEvent.objects.filter(name=name).order_by("id"))


def test_a_project_channel_is_created_once_on_first_use(acme: dict[str, Any]) -> None:
    first = services.channel_for_project(actor=acme["ann"], project=acme["ops"])
    again = services.channel_for_project(actor=acme["bob"], project=acme["ops"])
    assert first.pk == again.pk
    assert first.kind == "project"
    [event] = _events("chat.channel_created")
    assert event.data == {"channel": first.public_id, "kind": "project", "project": "OPS"}


def test_a_private_projects_channel_is_hidden_from_members_outside_it(acme: dict[str, Any]) -> None:
    with pytest.raises(NotFound):
        services.channel_for_project(actor=acme["ann"], project=acme["sec"])
    assert not Channel.objects.exists()
    channel = services.channel_for_project(actor=acme["cat"], project=acme["sec"])
    services.message_post(actor=acme["cat"], channel=channel, body="the vault code changed")
    ann_membership = Membership.objects.get(user=acme["ann"], workspace=acme["ws"])
    assert list(selectors.channel_list(user=acme["ann"], workspace=acme["ws"], membership=ann_membership)) == []
    with pytest.raises(NotFound):
        selectors.channel_get(
            user=acme["ann"], workspace=acme["ws"], membership=ann_membership, channel_id=channel.public_id
        )
    with pytest.raises(NotFound):
        services.message_post(actor=acme["ann"], channel=channel, body="let me in")
    assert Message.objects.count() == 1


def test_posting_records_the_event_notifications_build_on(acme: dict[str, Any]) -> None:
    channel = services.channel_for_project(actor=acme["ann"], project=acme["ops"])
    message = services.message_post(
        actor=acme["ann"], channel=channel, body="**Deploy** done, @bob and @cat please check OPS-1"
    )
    [event] = _events("chat.message_posted")
    assert event.data == {
        "channel": channel.public_id,
        "kind": "project",
        "project": "OPS",
        "message": message.pk,
        "mentions": sorted([acme["bob"].pk, acme["cat"].pk]),
        "excerpt": "Deploy done, @bob and @cat please check OPS-1",
    }
    assert event.actor == acme["ann"]
    assert "<strong>Deploy</strong>" in message.body_html
    assert 'title="Bob Baker">@bob</span>' in message.body_html
    channel.refresh_from_db()
    assert channel.last_message_id == message.pk


def test_mentions_of_people_who_cannot_read_a_private_channel_are_dropped(acme: dict[str, Any]) -> None:
    channel = services.channel_for_project(actor=acme["cat"], project=acme["sec"])
    message = services.message_post(actor=acme["cat"], channel=channel, body="@ann @owner look")
    assert [u.pk for u in message.mentions.all()] == [acme["owner"].pk]  # Ann cannot see SEC
    assert _events("chat.message_posted")[0].data["mentions"] == [acme["owner"].pk]


def test_a_direct_conversation_is_unique_per_set_of_members(acme: dict[str, Any]) -> None:
    channel, created = services.direct_channel_open(actor=acme["ann"], workspace=acme["ws"], members=[acme["bob"]])
    again, created_again = services.direct_channel_open(
        actor=acme["bob"], workspace=acme["ws"], members=[acme["ann"], acme["bob"]]
    )
    trio, trio_created = services.direct_channel_open(
        actor=acme["ann"], workspace=acme["ws"], members=[acme["bob"], acme["cat"]]
    )
    assert (created, created_again, trio_created) == (True, False, True)
    assert again.pk == channel.pk
    assert trio.pk != channel.pk
    assert channel.member_key == ",".join(str(pk) for pk in sorted([acme["ann"].pk, acme["bob"].pk]))
    assert sorted(ChannelMember.objects.filter(channel=channel).values_list("user_id", flat=True)) == sorted(
        [acme["ann"].pk, acme["bob"].pk]
    )
    events = _events("chat.channel_created")
    assert len(events) == 2
    assert events[0].data["audience"] == sorted([acme["ann"].pk, acme["bob"].pk])


@pytest.mark.parametrize(
    ("who", "members", "error"),
    [
        ("ann", [], ValidationError),  # nobody else
        ("ann", ["stan"], ValidationError),  # not a member of this workspace
        ("gus", ["ann"], PermissionDenied),  # guests do not start conversations
    ],
)
def test_opening_a_direct_conversation_is_refused_without_writing(
    acme: dict[str, Any], who: str, members: list[str], error: type[Exception]
) -> None:
    with pytest.raises(error):
        services.direct_channel_open(actor=acme[who], workspace=acme["ws"], members=[acme[m] for m in members])
    assert not Channel.objects.exists()
    assert not DomainEvent.objects.filter(name__startswith="chat.").exists()


def test_a_direct_conversation_has_at_most_eight_people(acme: dict[str, Any]) -> None:
    from labora.workspaces.models import Role
    from tests import factories

    extra = [factories.make_user() for _ in range(7)]
    for person in extra:
        factories.add_member(acme["ws"], person, Role.MEMBER)
    with pytest.raises(ValidationError, match="at most 8"):
        services.direct_channel_open(actor=acme["ann"], workspace=acme["ws"], members=[*extra, acme["bob"]])
    channel, _ = services.direct_channel_open(actor=acme["ann"], workspace=acme["ws"], members=extra)
    assert channel.memberships.count() == 8


def test_a_direct_message_is_addressed_to_its_members_and_hidden_from_others(acme: dict[str, Any]) -> None:
    channel, _ = services.direct_channel_open(actor=acme["ann"], workspace=acme["ws"], members=[acme["bob"]])
    message = services.message_post(actor=acme["bob"], channel=channel, body="lunch? @cat @ann")
    members = sorted([acme["ann"].pk, acme["bob"].pk])
    data = _events("chat.message_posted")[0].data
    assert data["audience"] == members
    assert data["members"] == members
    assert data["mentions"] == [acme["ann"].pk]  # Cat is not in the conversation
    assert "project" not in data
    owner_membership = Membership.objects.get(user=acme["owner"], workspace=acme["ws"])
    with pytest.raises(NotFound):  # not even the owner
        selectors.channel_get(
            user=acme["owner"], workspace=acme["ws"], membership=owner_membership, channel_id=channel.public_id
        )
    with pytest.raises(NotFound):
        services.message_post(actor=acme["cat"], channel=channel, body="hi")
    with pytest.raises(NotFound):
        services.message_delete(actor=acme["owner"], message=message)
    assert Message.objects.count() == 1


def test_a_body_over_ten_thousand_characters_or_empty_is_refused(acme: dict[str, Any]) -> None:
    channel = services.channel_for_project(actor=acme["ann"], project=acme["ops"])
    with pytest.raises(ValidationError) as too_long:
        services.message_post(actor=acme["ann"], channel=channel, body="x" * 10_001)
    assert too_long.value.fields == {"body": "too long"}
    with pytest.raises(ValidationError):
        services.message_post(actor=acme["ann"], channel=channel, body="   \n ")
    assert not Message.objects.exists()
    assert not _events("chat.message_posted")
    services.message_post(actor=acme["ann"], channel=channel, body="x" * 10_000)


def test_only_the_author_edits_and_a_stale_version_is_a_conflict(acme: dict[str, Any]) -> None:
    channel = services.channel_for_project(actor=acme["ann"], project=acme["ops"])
    message = services.message_post(actor=acme["ann"], channel=channel, body="first")
    with pytest.raises(PermissionDenied):
        services.message_edit(actor=acme["owner"], message=message, body="hijacked")
    edited = services.message_edit(actor=acme["ann"], message=message, body="second @bob", version=1)
    assert (edited.body, edited.version) == ("second @bob", 2)
    assert edited.edited_at is not None
    assert [u.pk for u in edited.mentions.all()] == [acme["bob"].pk]
    with pytest.raises(Conflict):
        services.message_edit(actor=acme["ann"], message=message, body="third", version=1)
    message.refresh_from_db()
    assert message.body == "second @bob"
    [event] = _events("chat.message_edited")
    assert event.changes == {"body": ["first", "second @bob"]}


def test_authors_and_project_managers_delete_others_do_not(acme: dict[str, Any]) -> None:
    channel = services.channel_for_project(actor=acme["ann"], project=acme["ops"])
    mine = services.message_post(actor=acme["ann"], channel=channel, body="mine")
    theirs = services.message_post(actor=acme["bob"], channel=channel, body="theirs")
    with pytest.raises(PermissionDenied):
        services.message_delete(actor=acme["ann"], message=theirs)
    assert Message.objects.count() == 2
    services.message_delete(actor=acme["ann"], message=mine)
    services.message_delete(actor=acme["owner"], message=theirs)  # the owner manages every project
    assert Message.objects.count() == 0
    assert Message.all_objects.filter(deleted_by=acme["owner"]).count() == 1
    assert [e.data["message"] for e in _events("chat.message_deleted")] == [mine.pk, theirs.pk]


def test_read_positions_move_forward_and_unread_counts_follow(acme: dict[str, Any]) -> None:
    channel = services.channel_for_project(actor=acme["ann"], project=acme["ops"])
    posted = [services.message_post(actor=acme["ann"], channel=channel, body=f"m{i}") for i in range(3)]
    services.message_post(actor=acme["bob"], channel=channel, body="bob's own")
    bob = Membership.objects.get(user=acme["bob"], workspace=acme["ws"])
    ann = Membership.objects.get(user=acme["ann"], workspace=acme["ws"])

    def unread(user: Any, membership: Membership) -> int:
        [found] = selectors.channel_list(user=user, workspace=acme["ws"], membership=membership)
        return int(found.unread)

    # Bob posted after Ann's three: his own post moved his position past them.
    assert unread(acme["bob"], bob) == 0
    assert unread(acme["ann"], ann) == 1
    services.message_post(actor=acme["cat"], channel=channel, body="cat")
    assert unread(acme["bob"], bob) == 1
    row = services.channel_mark_read(actor=acme["ann"], channel=channel, message_id=posted[0].pk)
    assert row.last_read_message_id == posted[2].pk  # never backwards
    newest = Message.objects.order_by("-id").first()
    assert newest is not None
    services.channel_mark_read(actor=acme["ann"], channel=channel, message_id=newest.pk)
    assert unread(acme["ann"], ann) == 0
    read_event = _events("chat.channel_read")[-1]
    assert read_event.data["audience"] == [acme["ann"].pk]
    other = services.channel_for_project(actor=acme["cat"], project=acme["sec"])
    foreign = services.message_post(actor=acme["cat"], channel=other, body="x")
    with pytest.raises(ValidationError):
        services.channel_mark_read(actor=acme["ann"], channel=channel, message_id=foreign.pk)


def test_the_channel_list_costs_the_same_whatever_the_number_of_channels(
    acme: dict[str, Any], django_assert_num_queries: Any
) -> None:
    from labora.work.services import project_create

    def count_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        membership = Membership.objects.get(user=acme["ann"], workspace=acme["ws"])
        with CaptureQueriesContext(connection) as ctx:
            rows = list(selectors.channel_list(user=acme["ann"], workspace=acme["ws"], membership=membership))
            for row in rows:
                selectors.channel_title(row, viewer=acme["ann"])
        return len(ctx.captured_queries)

    channel = services.channel_for_project(actor=acme["ann"], project=acme["ops"])
    services.message_post(actor=acme["bob"], channel=channel, body="one")
    services.direct_channel_open(actor=acme["ann"], workspace=acme["ws"], members=[acme["bob"]])
    small = count_queries()
    for i in range(5):
        project = project_create(actor=acme["owner"], workspace=acme["ws"], key=f"P{i}X", name=f"P{i}")
        services.message_post(
            actor=acme["bob"], channel=services.channel_for_project(actor=acme["bob"], project=project), body="hi"
        )
    services.direct_channel_open(actor=acme["ann"], workspace=acme["ws"], members=[acme["bob"], acme["cat"]])
    assert count_queries() == small == 2


def test_muting_is_per_person_and_only_for_visible_channels(acme: dict[str, Any]) -> None:
    channel = services.channel_for_project(actor=acme["ann"], project=acme["ops"])
    row = services.channel_mute(actor=acme["bob"], channel=channel, muted=True)
    assert row.muted is True
    assert services.channel_mute(actor=acme["bob"], channel=channel, muted=True).muted is True  # no new event
    [event] = _events("chat.channel_muted")
    assert event.data["audience"] == [acme["bob"].pk]
    assert event.changes == {"muted": [False, True]}
    assert not ChannelMember.objects.get(channel=channel, user=acme["bob"]).last_read_message_id
    assert not ChannelMember.objects.filter(channel=channel, user=acme["ann"], muted=True).exists()
    secret = services.channel_for_project(actor=acme["cat"], project=acme["sec"])
    with pytest.raises(NotFound):
        services.channel_mute(actor=acme["ann"], channel=secret, muted=True)
    assert not ChannelMember.objects.filter(channel=secret, user=acme["ann"]).exists()


def test_channels_are_listed_by_their_newest_message_silent_ones_last(acme: dict[str, Any]) -> None:
    quiet = services.channel_for_project(actor=acme["ann"], project=acme["ops"])
    older, _ = services.direct_channel_open(actor=acme["ann"], workspace=acme["ws"], members=[acme["bob"]])
    newer, _ = services.direct_channel_open(actor=acme["ann"], workspace=acme["ws"], members=[acme["cat"]])
    services.message_post(actor=acme["bob"], channel=older, body="first")
    services.message_post(actor=acme["cat"], channel=newer, body="second")
    membership = Membership.objects.get(user=acme["ann"], workspace=acme["ws"])
    listed = list(selectors.channel_list(user=acme["ann"], workspace=acme["ws"], membership=membership))
    assert [c.pk for c in listed] == [newer.pk, older.pk, quiet.pk]
