"""Two rules beyond the first cut (rules.py): mentions added by a comment edit notify, and a
muted chat channel stays quiet except for messages that name the person themselves."""

from __future__ import annotations

from typing import Any

from labora.chat import services as chat
from labora.collaboration import services as comments
from labora.notifications import rules
from labora.notifications.models import Notification
from labora.notifications.rules import Facts
from labora.work.services.watchers import task_watch
from labora.workspaces import services as workspaces
from labora.workspaces.models import Membership
from tests.notifications.conftest import Team


def inbox(user: Any) -> list[tuple[str, str]]:
    return [(n.kind, n.text) for n in Notification.objects.filter(recipient=user).order_by("id")]


# --- the pure rules --------------------------------------------------------------------------


def test_an_edit_notifies_only_the_people_it_added() -> None:
    facts = Facts(
        event="comment.edited",
        actor_id=1,
        mention_ids=frozenset({1, 2}),
        task_watcher_ids=frozenset({3}),
    )
    assert rules.recipients(facts) == {2: rules.MENTION}
    assert rules.recipients(Facts(event="comment.edited", actor_id=1, task_watcher_ids=frozenset({3}))) == {}


def test_muted_people_hear_only_of_messages_that_name_them() -> None:
    direct = Facts(
        event="chat.message_posted",
        actor_id=1,
        chat_kind="direct",
        chat_member_ids=frozenset({1, 2, 3, 4}),
        mention_ids=frozenset({3, 4}),
        muted_ids=frozenset({2, 3, 4}),
        personal_mention_ids=frozenset({4}),  # 3 was reached through a team
    )
    assert rules.recipients(direct) == {4: rules.CHAT_MENTION}
    unmuted = Facts(
        event="chat.message_posted",
        actor_id=1,
        chat_kind="project",
        mention_ids=frozenset({3}),
    )
    assert rules.recipients(unmuted) == {3: rules.CHAT_MENTION}  # a team mention is enough when not muted


# --- through the services --------------------------------------------------------------------


def test_editing_a_comment_notifies_the_newly_mentioned_once(team: Team, run_events: Any) -> None:
    with run_events():
        task_watch(actor=team.bob, task=team.task)
        note = comments.comment_create(actor=team.alice, task=team.task, body="@carol@example.com have a look")
    assert inbox(team.carol) == [("comment.mention", "mentioned you: “@carol@example.com have a look”")]
    assert inbox(team.bob) == [("comment.added", "commented: “@carol@example.com have a look”")]
    with run_events():
        note = comments.comment_update(
            actor=team.alice,
            comment=note,
            body="@carol@example.com and @owner@example.com, have a look",
            version=note.version,
        )
    owner = Notification.objects.get(recipient=team.owner, kind="comment.mention")  # also watches: comment.added
    assert (owner.kind, owner.link) == ("comment.mention", f"/w/acme/tasks/OPS-1/#comment-{note.public_id}")
    assert owner.text == "mentioned you: “@carol@example.com and @owner@example.com, have a look”"
    assert len(inbox(team.carol)) == 1  # already mentioned before the edit
    assert len(inbox(team.bob)) == 1  # watchers are not told of edits
    with run_events():  # an edit that adds nobody tells nobody
        comments.comment_update(actor=team.alice, comment=note, body="@carol@example.com look", version=note.version)
    assert Notification.objects.filter(kind="comment.mention").count() == 2
    assert Notification.objects.filter(kind="comment.added").count() == 2  # Bob's and the owner's, from the create


def test_an_edit_never_notifies_someone_who_cannot_see_the_project(team: Team, run_events: Any) -> None:
    with run_events():
        note = comments.comment_create(actor=team.owner, task=team.task, body="First")
    with run_events():
        comments.comment_update(
            actor=team.owner, comment=note, body="Now @guest@example.com and @bob@example.com", version=note.version
        )
    assert inbox(team.bob) == [("comment.mention", "mentioned you: “Now @guest@example.com and @bob@example.com”")]
    assert inbox(team.guest) == []  # a guest without the project shared


def _design_team(team: Team, *people: Any) -> None:
    owner_membership = Membership.objects.get(workspace=team.workspace, user=team.owner)
    design = workspaces.team_create(
        actor=team.owner, workspace=team.workspace, membership=owner_membership, name="Design"
    )
    for person in people:
        workspaces.team_member_add(
            actor=team.owner,
            workspace=team.workspace,
            membership=owner_membership,
            team=design,
            user_member=Membership.objects.get(workspace=team.workspace, user=person),
        )


def test_a_muted_project_channel_only_notifies_direct_mentions(team: Team, run_events: Any) -> None:
    with run_events():
        _design_team(team, team.bob, team.carol)
        channel = chat.channel_for_project(actor=team.owner, project=team.project)
        chat.channel_mute(actor=team.bob, channel=channel, muted=True)
        chat.channel_mute(actor=team.carol, channel=channel, muted=True)
        chat.message_post(actor=team.owner, channel=channel, body="@design please review")
        chat.message_post(actor=team.owner, channel=channel, body="@carol@example.com this one is yours")
        chat.message_post(actor=team.owner, channel=channel, body="@alice@example.com @design ship it")
    assert inbox(team.bob) == []  # muted, reached only through the team
    assert inbox(team.carol) == [("chat.mention", "mentioned you in chat: “@carol@example.com this one is yours”")]
    assert [kind for kind, _ in inbox(team.alice)] == ["chat.mention"]  # not muted: told as before
    with run_events():  # unmuted again: team mentions reach Bob
        chat.channel_mute(actor=team.bob, channel=channel, muted=False)
        chat.message_post(actor=team.owner, channel=channel, body="@design one more")
    assert [kind for kind, _ in inbox(team.bob)] == ["chat.mention"]


def test_a_muted_direct_conversation_is_quiet_unless_it_names_you(team: Team, run_events: Any) -> None:
    with run_events():
        channel, _ = chat.direct_channel_open(
            actor=team.alice, workspace=team.workspace, members=[team.bob, team.carol]
        )
        chat.channel_mute(actor=team.bob, channel=channel, muted=True)
        chat.message_post(actor=team.alice, channel=channel, body="Lunch?")
        chat.message_post(actor=team.alice, channel=channel, body="@bob@example.com you too?")
    assert inbox(team.bob) == [("chat.mention", "mentioned you in chat: “@bob@example.com you too?”")]
    assert [kind for kind, _ in inbox(team.carol)] == ["chat.direct"]  # collapsed: one row for two messages
    assert Notification.objects.get(recipient=team.carol).count == 2


def test_muting_costs_a_fixed_number_of_queries(
    team: Team, run_events: Any, django_assert_max_num_queries: Any
) -> None:
    from django.db import transaction

    from labora.core.models import DomainEvent
    from labora.notifications import subscribers
    from labora.workspaces.models import Role
    from tests import factories

    people = [factories.make_user() for _ in range(20)]
    for person in people:
        factories.add_member(team.workspace, person, Role.MEMBER)
    with run_events():
        channel = chat.channel_for_project(actor=team.owner, project=team.project)
        for person in people[:10]:
            chat.channel_mute(actor=person, channel=channel, muted=True)
        chat.message_post(
            actor=team.owner, channel=channel, body=" ".join(f"@{p.email}" for p in people[::2]) + " please look"
        )
    assert Notification.objects.filter(kind="chat.mention").count() == 10  # every other one named, muted or not
    Notification.objects.all().delete()
    event = DomainEvent.objects.get(name="chat.message_posted")
    # Workspace, project, muted members, the message's text, the people it names, then the
    # delivery (memberships, project roles, receipts, preferences, e-mail modes, open rows,
    # insert, receipts, unread counts) and the savepoint pair: none of it per person.
    with django_assert_max_num_queries(17), transaction.atomic():
        subscribers.fanout(event)
    assert Notification.objects.count() == 10
