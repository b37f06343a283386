"""/api/v1/workspaces: API.md's "Workspaces and members" contract, plus teams and invitations."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, connections

from labora.accounts.models import User
from labora.core.models import DomainEvent
from labora.workspaces import services
from labora.workspaces.models import Invitation, Membership, Role, Team, Workspace
from tests import factories
from tests.conftest import ApiClient
from tests.core.test_errors import assert_error_body

WS = "/api/v1/workspaces"


def _role_of(workspace: Workspace, user: Any) -> str | None:
    m = Membership.objects.filter(workspace=workspace, user=user).first()
    return m.role if m else None


def _bulk_members(workspace: Workspace, n: int) -> None:
    """n extra members, inserted in bulk: this is set-up for counting queries, not a test
    of sign-up, and hashing n passwords would only make the suite slow."""
    users = User.objects.bulk_create(
        [
            User(email=f"bulk{i}-{workspace.slug}@example.com", name=f"Bulk {i:03}", handle=f"bulk{i}-{workspace.slug}")
            for i in range(n)
        ]
    )
    Membership.objects.bulk_create([Membership(workspace=workspace, user=u, role=Role.MEMBER) for u in users])


# --- workspaces ----------------------------------------------------------------------------


def test_post_workspaces_creates_one_owned_by_the_caller(user: Any, api: Any) -> None:
    response = api.post_json(WS, {"name": "Beta Corp", "slug": "beta"})

    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("slug", "name", "role", "version")} == {
        "slug": "beta",
        "name": "Beta Corp",
        "role": "owner",
        "version": 1,
    }
    assert _role_of(Workspace.objects.get(slug="beta"), user) == Role.OWNER


def test_post_workspaces_with_a_taken_slug_is_409_naming_the_field(api: Any, workspace: Any) -> None:
    error = assert_error_body(api.post_json(WS, {"name": "Again", "slug": "acme"}), 409, "slug_taken")

    assert error["fields"] == {"slug": "taken"}
    assert Workspace.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"name": "X", "slug": "Not A Slug"}, {"slug"}),
        ({"name": "", "slug": "fine"}, {"name"}),
        ({"slug": "fine"}, {"name"}),
        ({"name": "X" * 101, "slug": "fine"}, {"name"}),
        ({"name": "X", "slug": "s" * 51}, {"slug"}),
    ],
)
def test_post_workspaces_with_bad_input_is_422_naming_the_field(
    api: Any, payload: dict[str, Any], fields: set[str]
) -> None:
    error = assert_error_body(api.post_json(WS, payload), 422)

    assert set(error["fields"]) == fields
    assert Workspace.objects.count() == 0


def test_get_workspaces_lists_the_callers_only(user: Any, workspace: Any, api: Any) -> None:
    factories.make_workspace(slug="theirs")
    guest_in = factories.make_workspace(slug="zeta", name="Zeta")
    factories.add_member(guest_in, user, role=Role.GUEST)

    body = api.get(WS).json()

    assert body["count"] == 2
    assert body["next"] is None
    assert [(w["slug"], w["role"]) for w in body["items"]] == [("acme", "owner"), ("zeta", "guest")]


def test_get_one_workspace(api: Any, workspace: Any) -> None:
    body = api.get(f"{WS}/acme").json()

    assert (body["slug"], body["name"], body["role"], body["version"]) == ("acme", "Acme", "owner", 1)


def test_patch_workspace_renames_with_if_match(api: Any, workspace: Any) -> None:
    response = api.patch_json(f"{WS}/acme", {"name": "Acme Inc"}, HTTP_IF_MATCH="1")

    assert response.status_code == 200
    assert (response.json()["name"], response.json()["version"]) == ("Acme Inc", 2)


def test_patch_workspace_with_a_stale_if_match_is_409_with_the_current_workspace(api: Any, workspace: Any) -> None:
    api.patch_json(f"{WS}/acme", {"name": "Acme Inc"}, HTTP_IF_MATCH="1")

    response = api.patch_json(f"{WS}/acme", {"name": "Acme Ltd"}, HTTP_IF_MATCH="1")

    assert_error_body(response, 409, "stale_version")
    assert response.json()["current"] == {"slug": "acme", "name": "Acme Inc", "version": 2}
    workspace.refresh_from_db()
    assert workspace.name == "Acme Inc"


def test_a_member_cannot_rename_the_workspace(workspace: Any, api_for: Any) -> None:
    member = factories.add_member(workspace).user

    assert_error_body(api_for(member).patch_json(f"{WS}/acme", {"name": "Mine"}), 403)

    workspace.refresh_from_db()
    assert (workspace.name, workspace.version) == ("Acme", 1)


# --- members -------------------------------------------------------------------------------


def test_get_members_lists_everyone_with_their_role(user: Any, workspace: Any, api: Any) -> None:
    bob = factories.make_user(email="bob@example.com", name="Bob")
    factories.add_member(workspace, bob, role=Role.ADMIN)

    body = api.get(f"{WS}/acme/members").json()

    assert body["count"] == 2
    assert [(m["email"], m["role"], m["id"]) for m in body["items"]] == [
        ("bob@example.com", "admin", bob.public_id),
        ("owner@example.com", "owner", user.public_id),
    ]
    assert set(body["items"][0]) == {"id", "email", "name", "handle", "role", "version", "joined_at"}


@pytest.mark.parametrize("role", ["owner", "admin", "member", "guest", "client"])
def test_post_members_adds_an_existing_account_with_any_role(workspace: Any, api: Any, role: str) -> None:
    someone = factories.make_user(email="someone@example.com")

    response = api.post_json(f"{WS}/acme/members", {"email": "someone@example.com", "role": role})

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["email"], body["role"], body["invitation_id"]) == (
        "active",
        "someone@example.com",
        role,
        None,
    )
    assert body["member"]["id"] == someone.public_id
    assert _role_of(workspace, someone) == role


def test_post_members_invites_an_unknown_email(workspace: Any, api: Any) -> None:
    response = api.post_json(f"{WS}/acme/members", {"email": "new@example.com", "role": "guest"})

    assert response.status_code == 201
    body = response.json()
    invitation = Invitation.objects.get(public_id=body["invitation_id"])
    assert (body["status"], body["member"], invitation.email, invitation.role) == (
        "invited",
        None,
        "new@example.com",
        "guest",
    )


def test_post_members_defaults_to_the_member_role(workspace: Any, api: Any) -> None:
    factories.make_user(email="someone@example.com")

    assert api.post_json(f"{WS}/acme/members", {"email": "someone@example.com"}).json()["role"] == "member"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "someone@example.com", "role": "boss"}, "role"),
        ({"email": "not-an-email", "role": "member"}, "email"),
        ({"role": "member"}, "email"),
    ],
)
def test_post_members_with_bad_input_is_422_naming_the_field(
    workspace: Any, api: Any, payload: dict[str, Any], field: str
) -> None:
    error = assert_error_body(api.post_json(f"{WS}/acme/members", payload), 422)

    assert set(error["fields"]) == {field}
    assert Invitation.objects.count() == 0
    assert Membership.objects.filter(workspace=workspace).count() == 1


def test_post_members_for_a_member_already_there_is_409(workspace: Any, api: Any) -> None:
    error = assert_error_body(
        api.post_json(f"{WS}/acme/members", {"email": "owner@example.com", "role": "member"}), 409, "already_member"
    )

    assert error["fields"] == {"email": "already a member"}


def test_a_member_cannot_add_members(workspace: Any, api_for: Any) -> None:
    member = factories.add_member(workspace).user

    response = api_for(member).post_json(f"{WS}/acme/members", {"email": "x@example.com", "role": "member"})

    assert_error_body(response, 403)
    assert Invitation.objects.count() == 0


def test_guests_do_not_see_the_member_list(workspace: Any, api_for: Any) -> None:
    guest = factories.add_member(workspace, role=Role.GUEST).user

    assert_error_body(api_for(guest).get(f"{WS}/acme/members"), 403)


def test_get_one_member(workspace: Any, api: Any, user: Any) -> None:
    body = api.get(f"{WS}/acme/members/{user.public_id}").json()

    assert (body["email"], body["role"]) == ("owner@example.com", "owner")


def test_patch_member_changes_the_role(workspace: Any, api: Any) -> None:
    bob = factories.add_member(workspace, role=Role.MEMBER).user

    response = api.patch_json(f"{WS}/acme/members/{bob.public_id}", {"role": "admin"}, HTTP_IF_MATCH="1")

    assert response.status_code == 200
    assert (response.json()["role"], response.json()["version"]) == ("admin", 2)
    assert _role_of(workspace, bob) == Role.ADMIN


def test_patch_member_with_a_stale_if_match_is_409_with_the_current_member(workspace: Any, api: Any) -> None:
    bob = factories.add_member(workspace, role=Role.MEMBER).user
    api.patch_json(f"{WS}/acme/members/{bob.public_id}", {"role": "admin"}, HTTP_IF_MATCH="1")

    response = api.patch_json(f"{WS}/acme/members/{bob.public_id}", {"role": "guest"}, HTTP_IF_MATCH="1")

    assert_error_body(response, 409, "stale_version")
    current = response.json()["current"]
    assert (current["id"], current["role"], current["version"]) == (bob.public_id, "admin", 2)
    assert _role_of(workspace, bob) == Role.ADMIN


def test_patch_member_with_an_unknown_role_is_422_naming_it(workspace: Any, api: Any, user: Any) -> None:
    error = assert_error_body(api.patch_json(f"{WS}/acme/members/{user.public_id}", {"role": "king"}), 422)

    assert set(error["fields"]) == {"role"}


def test_delete_member_removes_them(workspace: Any, api: Any) -> None:
    bob = factories.add_member(workspace).user

    assert api.delete(f"{WS}/acme/members/{bob.public_id}").status_code == 204

    assert _role_of(workspace, bob) is None


def test_the_last_owner_cannot_be_removed_or_demoted(workspace: Any, api: Any, user: Any) -> None:
    demote = api.patch_json(f"{WS}/acme/members/{user.public_id}", {"role": "admin"})
    remove = api.delete(f"{WS}/acme/members/{user.public_id}")

    assert set(assert_error_body(demote, 422, "last_owner")["fields"]) == {"role"}
    assert_error_body(remove, 422, "last_owner")
    assert _role_of(workspace, user) == Role.OWNER
    assert not DomainEvent.objects.filter(name__in=["member.role_changed", "member.removed"]).exists()


def test_an_unknown_member_is_404(workspace: Any, api: Any) -> None:
    stranger = factories.make_user()

    assert_error_body(api.get(f"{WS}/acme/members/{stranger.public_id}"), 404)
    assert_error_body(api.patch_json(f"{WS}/acme/members/{stranger.public_id}", {"role": "admin"}), 404)
    assert_error_body(api.delete(f"{WS}/acme/members/{stranger.public_id}"), 404)


def test_get_members_costs_the_same_queries_for_5_and_60_members(
    workspace: Any, api: Any, django_assert_num_queries: Any
) -> None:
    api.get(f"{WS}/acme/members")  # warm up: the token's first use is recorded once
    small = factories.make_workspace(owner=workspace.created_by, slug="small")
    _bulk_members(small, 4)
    _bulk_members(workspace, 59)

    # A first page that is not full holds every match: no COUNT (core.pagination).
    with django_assert_num_queries(3):
        assert api.get(f"{WS}/small/members?page_size=200").json()["count"] == 5
    with django_assert_num_queries(3):
        assert len(api.get(f"{WS}/acme/members?page_size=200").json()["items"]) == 60
    with django_assert_num_queries(4):  # a full page: the COUNT says how many there are
        assert api.get(f"{WS}/acme/members?page_size=60").json()["count"] == 60


# --- last owner under concurrency (PostgreSQL) -----------------------------------------------


@pytest.mark.postgres
def test_two_concurrent_demotions_cannot_leave_a_workspace_without_owner(
    transactional_db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("row locks need PostgreSQL; SQLite serialises writers anyway")
    ana = factories.make_user(email="ana@example.com")
    bob = factories.make_user(email="bob@example.com")
    workspace = factories.make_workspace(owner=ana, slug="duo")
    factories.add_member(workspace, bob, role=Role.OWNER)

    # Widen the window between "count the owners" and "demote": without the row locks both
    # requests would count two owners here and both would go ahead.
    real_count = services._owner_count

    def slow_count(ws: Workspace) -> int:
        n = real_count(ws)
        time.sleep(0.3)
        return n

    monkeypatch.setattr(services, "_owner_count", slow_count)
    barrier = threading.Barrier(2)
    outcomes: dict[str, int] = {}

    def demote(actor: User, target: User) -> None:
        try:
            client = ApiClient(factories.make_token(actor))
            barrier.wait()
            outcomes[actor.email] = client.patch_json(
                f"{WS}/duo/members/{target.public_id}", {"role": "member"}
            ).status_code
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=demote, args=(ana, bob)),
        threading.Thread(target=demote, args=(bob, ana)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(outcomes.values()) == [200, 422]
    assert Membership.objects.filter(workspace=workspace, role=Role.OWNER).count() == 1


@pytest.mark.postgres
def test_two_owners_leaving_at_once_cannot_leave_a_workspace_without_owner(
    transactional_db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("row locks need PostgreSQL; SQLite serialises writers anyway")
    ana = factories.make_user(email="ana@example.com")
    bob = factories.make_user(email="bob@example.com")
    workspace = factories.make_workspace(owner=ana, slug="duo")
    factories.add_member(workspace, bob, role=Role.OWNER)
    real_count = services._owner_count

    def slow_count(ws: Workspace) -> int:
        n = real_count(ws)
        time.sleep(0.3)
        return n

    monkeypatch.setattr(services, "_owner_count", slow_count)
    barrier = threading.Barrier(2)
    outcomes: dict[str, int] = {}

    def leave(actor: User) -> None:
        try:
            client = ApiClient(factories.make_token(actor))
            barrier.wait()
            outcomes[actor.email] = client.delete(f"{WS}/duo/members/{actor.public_id}").status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=leave, args=(u,)) for u in (ana, bob)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(outcomes.values()) == [204, 422]
    assert Membership.objects.filter(workspace=workspace, role=Role.OWNER).count() == 1


# --- invitations ---------------------------------------------------------------------------


def test_invitations_list_revoke_and_accept(workspace: Any, api: Any, api_for: Any) -> None:
    first = api.post_json(f"{WS}/acme/members", {"email": "first@example.com", "role": "member"}).json()
    second = api.post_json(f"{WS}/acme/members", {"email": "second@example.com", "role": "guest"}).json()

    listed = api.get(f"{WS}/acme/invitations").json()
    assert {(i["email"], i["role"], i["state"], i["invited_by"]) for i in listed["items"]} == {
        ("first@example.com", "member", "pending", "owner@example.com"),
        ("second@example.com", "guest", "pending", "owner@example.com"),
    }

    assert api.delete(f"{WS}/acme/invitations/{first['invitation_id']}").status_code == 204
    assert [i["email"] for i in api.get(f"{WS}/acme/invitations").json()["items"]] == ["second@example.com"]
    assert_error_body(api.delete(f"{WS}/acme/invitations/{first['invitation_id']}"), 404)

    newcomer = factories.make_user(email="second@example.com")
    token = services.invitation_link_token(Invitation.objects.get(public_id=second["invitation_id"]))
    accepted = api_for(newcomer).post_json("/api/v1/invitations/accept", {"token": token})
    assert accepted.status_code == 200
    assert (accepted.json()["slug"], accepted.json()["role"]) == ("acme", "guest")
    assert _role_of(workspace, newcomer) == Role.GUEST


def test_accepting_a_bad_invitation_token_is_404(db: Any, api: Any) -> None:
    assert_error_body(api.post_json("/api/v1/invitations/accept", {"token": "forged"}), 404)


def test_members_do_not_see_invitations(workspace: Any, api_for: Any) -> None:
    member = factories.add_member(workspace).user

    assert_error_body(api_for(member).get(f"{WS}/acme/invitations"), 403)


# --- teams ---------------------------------------------------------------------------------


def test_team_life_cycle_over_the_api(workspace: Any, api: Any) -> None:
    bob = factories.make_user(email="bob@example.com", name="Bob")
    factories.add_member(workspace, bob)

    created = api.post_json(f"{WS}/acme/teams", {"name": "Ops", "description": "Keeps the lights on"})
    assert created.status_code == 201
    team = created.json()
    assert (team["name"], team["description"], team["version"], team["members"]) == (
        "Ops",
        "Keeps the lights on",
        1,
        [],
    )
    url = f"{WS}/acme/teams/{team['id']}"

    added = api.post_json(f"{url}/members", {"email": "bob@example.com"})
    assert added.status_code == 201
    assert added.json()["members"] == [{"id": bob.public_id, "email": "bob@example.com", "name": "Bob"}]

    renamed = api.patch_json(url, {"name": "Operations"}, HTTP_IF_MATCH="1")
    assert (renamed.json()["name"], renamed.json()["version"]) == ("Operations", 2)
    stale = api.patch_json(url, {"name": "Ops again"}, HTTP_IF_MATCH="1")
    assert_error_body(stale, 409, "stale_version")
    assert stale.json()["current"]["name"] == "Operations"

    assert [t["name"] for t in api.get(f"{WS}/acme/teams").json()["items"]] == ["Operations"]
    assert api.get(url).json()["members"][0]["email"] == "bob@example.com"

    assert api.delete(f"{url}/members/{bob.public_id}").status_code == 204
    assert api.get(url).json()["members"] == []

    assert api.delete(url).status_code == 204
    assert_error_body(api.get(url), 404)
    assert Team.all_objects.get(public_id=team["id"]).deleted_at is not None


def test_a_duplicate_team_name_is_409_naming_the_field(workspace: Any, api: Any) -> None:
    api.post_json(f"{WS}/acme/teams", {"name": "Ops"})

    error = assert_error_body(api.post_json(f"{WS}/acme/teams", {"name": "ops"}), 409, "team_name_taken")

    assert error["fields"] == {"name": "taken"}


def test_an_empty_team_name_is_422_naming_the_field(workspace: Any, api: Any) -> None:
    error = assert_error_body(api.post_json(f"{WS}/acme/teams", {"name": ""}), 422)

    assert set(error["fields"]) == {"name"}


def test_adding_a_non_member_to_a_team_is_404(workspace: Any, api: Any) -> None:
    team = api.post_json(f"{WS}/acme/teams", {"name": "Ops"}).json()
    factories.make_user(email="outsider@example.com")

    assert_error_body(api.post_json(f"{WS}/acme/teams/{team['id']}/members", {"email": "outsider@example.com"}), 404)


def test_members_see_teams_but_cannot_change_them(workspace: Any, api: Any, api_for: Any) -> None:
    team = api.post_json(f"{WS}/acme/teams", {"name": "Ops"}).json()
    member = api_for(factories.add_member(workspace).user)

    assert member.get(f"{WS}/acme/teams").json()["count"] == 1
    assert_error_body(member.post_json(f"{WS}/acme/teams", {"name": "Mine"}), 403)
    assert_error_body(member.patch_json(f"{WS}/acme/teams/{team['id']}", {"name": "Mine"}), 403)
    assert_error_body(member.delete(f"{WS}/acme/teams/{team['id']}"), 403)
    assert [t.name for t in Team.objects.all()] == ["Ops"]


def test_get_teams_costs_the_same_queries_for_1_and_10_teams(
    workspace: Any, api: Any, django_assert_num_queries: Any
) -> None:
    ms = Membership.objects.get(workspace=workspace, user=workspace.created_by)
    _bulk_members(workspace, 3)
    people = list(Membership.objects.filter(workspace=workspace).select_related("user"))
    for n in range(10):
        team = services.team_create(actor=ms.user, workspace=workspace, membership=ms, name=f"Team {n}")
        if n == 0:
            api.get(f"{WS}/acme/teams")  # warm up the token, then measure one team
            with django_assert_num_queries(4) as one:  # (a page that is not full: no COUNT)
                api.get(f"{WS}/acme/teams")
        for person in people:
            services.team_member_add(actor=ms.user, workspace=workspace, membership=ms, team=team, user_member=person)

    with django_assert_num_queries(4) as ten:
        assert api.get(f"{WS}/acme/teams").json()["count"] == 10

    assert len(one.captured_queries) == len(ten.captured_queries)
