"""The workspace pages: create, settings, members and invitations, teams."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse

from labora.workspaces import services
from labora.workspaces.models import Invitation, Membership, Role, Team, TeamMember, Workspace
from tests import factories

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def flashes(response: Any) -> list[str]:
    """The flash messages a response queued (or showed)."""
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def owner(user: Any, workspace: Workspace) -> Client:
    """`user`, signed in: owner of workspace "acme"."""
    return signed_in(user)


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    """Run background tasks (the invitation e-mail) at once, whatever the environment chose."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def members_url(workspace: Workspace) -> str:
    return reverse("workspace_members", kwargs={"ws": workspace.slug})


@pytest.fixture
def teams_url(workspace: Workspace) -> str:
    return reverse("workspace_teams", kwargs={"ws": workspace.slug})


# --- access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["workspace_settings", "workspace_members", "workspace_teams"])
def test_pages_ask_anonymous_visitors_to_sign_in(workspace: Workspace, name: str) -> None:
    response = Client().get(reverse(name, kwargs={"ws": workspace.slug}))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_create_page_asks_anonymous_visitors_to_sign_in(db: Any) -> None:
    response = Client().get(reverse("workspace_create"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["workspace_settings", "workspace_members", "workspace_teams"])
def test_another_workspace_answers_404(owner: Client, name: str) -> None:
    other = factories.make_workspace(slug="globex")

    response = owner.get(reverse(name, kwargs={"ws": other.slug}))

    assert response.status_code == 404


def test_an_unknown_slug_answers_404(owner: Client) -> None:
    assert owner.get(reverse("workspace_settings", kwargs={"ws": "nope"})).status_code == 404


# --- create ----------------------------------------------------------------------------------


def test_create_workspace_makes_me_owner_and_opens_it(owner: Client, user: Any) -> None:
    response = owner.post(reverse("workspace_create"), {"name": "Globex", "slug": "globex"}, follow=False)

    assert response.status_code == 302
    assert response["Location"] == reverse("workspace_home", kwargs={"ws": "globex"})
    created = Workspace.objects.get(slug="globex")
    assert created.name == "Globex"
    assert Membership.objects.get(workspace=created, user=user).role == Role.OWNER


def test_create_workspace_says_so_in_a_flash_message(owner: Client) -> None:
    response = owner.post(reverse("workspace_create"), {"name": "Globex", "slug": "globex"})

    assert flashes(response) == ["Workspace “Globex” is ready: invite people to work with you."]


def test_create_workspace_with_a_taken_slug_shows_the_error_on_the_slug(owner: Client, workspace: Workspace) -> None:
    response = owner.post(reverse("workspace_create"), {"name": "Another Acme", "slug": "acme"})

    assert response.status_code == 200
    assert "taken" in response.context["form"].errors["slug"][0]
    assert Workspace.objects.count() == 1


def test_create_workspace_with_a_bad_slug_explains_the_format(owner: Client, workspace: Workspace) -> None:
    response = owner.post(reverse("workspace_create"), {"name": "Globex", "slug": "Globex Corp!"})

    assert response.status_code == 200
    assert "lower-case letters, digits and dashes" in response.context["form"].errors["slug"][0]
    assert Workspace.objects.count() == 1


def test_create_workspace_with_a_reserved_slug_says_it_is_reserved(owner: Client, workspace: Workspace) -> None:
    response = owner.post(reverse("workspace_create"), {"name": "New", "slug": "new"})

    assert response.status_code == 200
    assert "reserved" in response.context["form"].errors["slug"][0]


def test_create_workspace_without_a_slug_derives_it_from_the_name(owner: Client) -> None:
    response = owner.post(reverse("workspace_create"), {"name": "Globex Corporation", "slug": ""})

    assert response["Location"] == reverse("workspace_home", kwargs={"ws": "globex-corporation"})


def test_create_workspace_without_a_name_asks_for_one(owner: Client, workspace: Workspace) -> None:
    response = owner.post(reverse("workspace_create"), {"name": "", "slug": "x"})

    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert Workspace.objects.count() == 1


def test_the_create_url_is_not_taken_for_a_workspace_slug(owner: Client) -> None:
    response = owner.get("/w/new/")

    assert response.status_code == 200
    assert response.templates[0].name == "workspaces/create.html"


# --- settings --------------------------------------------------------------------------------


def test_settings_show_slug_created_date_and_my_role(owner: Client, workspace: Workspace) -> None:
    response = owner.get(reverse("workspace_settings", kwargs={"ws": "acme"}))

    assert response.status_code == 200
    body = response.content.decode()
    assert "/w/acme/" in body
    assert workspace.created_at.strftime("%Y") in body
    assert "Owner" in body


def test_rename_workspace(owner: Client, workspace: Workspace) -> None:
    url = reverse("workspace_settings", kwargs={"ws": "acme"})

    response = owner.post(url, {"name": "Acme Corp", "version": workspace.version})

    assert response.status_code == 302
    workspace.refresh_from_db()
    assert workspace.name == "Acme Corp"
    assert workspace.version == 2


def test_rename_with_a_stale_version_says_it_changed_elsewhere_and_keeps_the_other_change(
    owner: Client, user: Any, workspace: Workspace
) -> None:
    url = reverse("workspace_settings", kwargs={"ws": "acme"})
    opened_version = workspace.version
    services.workspace_update(
        actor=user, workspace=workspace, membership=workspace.memberships.get(), name="Renamed elsewhere"
    )

    response = owner.post(url, {"name": "My stale name", "version": opened_version})

    assert response.status_code == 200
    assert "changed elsewhere" in response.content.decode()
    workspace.refresh_from_db()
    assert workspace.name == "Renamed elsewhere"


def test_members_see_settings_read_only_and_cannot_rename(workspace: Workspace) -> None:
    member = factories.add_member(workspace, role=Role.MEMBER).user
    client = signed_in(member)
    url = reverse("workspace_settings", kwargs={"ws": "acme"})

    page = client.get(url)
    response = client.post(url, {"name": "Hijacked", "version": workspace.version})

    assert page.status_code == 200
    assert 'name="name"' not in page.content.decode()
    assert response.status_code == 403
    workspace.refresh_from_db()
    assert workspace.name == "Acme"


# --- members ---------------------------------------------------------------------------------


def test_members_page_lists_members_with_role_and_handle(owner: Client, workspace: Workspace, members_url: str) -> None:
    ana = factories.make_user(email="ana@example.com", name="Ana Lima")
    factories.add_member(workspace, ana, role=Role.ADMIN)

    response = owner.get(members_url)

    body = response.content.decode()
    assert response.status_code == 200
    assert "Ana Lima" in body
    assert "ana@example.com" in body
    assert f"@{ana.handle}" in body
    assert "AL" in body  # initials in the avatar
    assert 'Members <span class="count">2</span>' in body


def test_members_page_is_paginated_by_50(owner: Client, workspace: Workspace, members_url: str) -> None:
    for _ in range(54):
        factories.add_member(workspace)

    first = owner.get(members_url)
    second = owner.get(members_url, {"page": 2})

    assert len(first.context["rows"]) == 50
    assert len(second.context["rows"]) == 5
    assert "Page 2 of 2" in second.content.decode()


def test_members_page_query_count_does_not_grow_with_members(
    owner: Client, workspace: Workspace, members_url: str, django_assert_max_num_queries: Any
) -> None:
    for _ in range(60):
        factories.add_member(workspace)
    services.member_invite(
        actor=workspace.created_by,
        workspace=workspace,
        membership=workspace.memberships.get(user=workspace.created_by),
        email="pending@example.com",
        role="member",
    )

    # 10 today (session, user, membership, count, page, invitations, the shell's workspaces, session save).
    with django_assert_max_num_queries(12):
        response = owner.get(members_url)

    assert response.status_code == 200
    assert len(response.context["rows"]) == 50


def test_invite_an_existing_account_joins_at_once(owner: Client, workspace: Workspace, members_url: str) -> None:
    ana = factories.make_user(email="ana@example.com", name="Ana Lima")

    response = owner.post(members_url, {"action": "invite", "email": "Ana@Example.com", "role": "admin"})

    assert Membership.objects.get(workspace=workspace, user=ana).role == Role.ADMIN
    assert not Invitation.objects.exists()
    assert any("joined as admin" in m for m in flashes(response))


def test_invite_a_new_address_emails_a_link_that_leads_to_membership(
    owner: Client, workspace: Workspace, members_url: str, run_events: Any, immediate_tasks: None
) -> None:
    # Given an admin invites an address without an account
    with run_events():
        response = owner.post(members_url, {"action": "invite", "email": "new@example.com", "role": "member"})
    assert response.status_code == 302
    assert any("e-mailed them an invitation" in m for m in flashes(response))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new@example.com"]
    link = re.search(r"https?://\S+/invitations/\S+/", message.body)
    assert link is not None
    path = urlsplit(link.group(0)).path

    # When the invitee opens the link without an account, they are offered to sign up with that address
    anonymous = Client().get(path)
    assert anonymous.status_code == 200
    body = anonymous.content.decode()
    assert "Acme" in body
    assert "Olivia Owner" in body
    assert "new@example.com" in body
    signup = urlsplit(anonymous.context["signup_url"])
    assert signup.path == reverse("signup")
    assert parse_qs(signup.query) == {"email": ["new@example.com"], "next": [path]}
    login = urlsplit(anonymous.context["login_url"])
    assert (login.path, parse_qs(login.query)) == (reverse("login"), {"next": [path]})

    # Then they create that account from the sign-up page, come back to the invitation and join
    newcomer = Client()
    signed_up = newcomer.post(
        anonymous.context["signup_url"],
        {
            "email": "new@example.com",
            "name": "Nina New",
            "password": factories.PASSWORD,
            "password_confirm": factories.PASSWORD,
            "next": path,
        },
    )
    assert signed_up.status_code == 302
    assert signed_up["Location"] == path
    assert "Accept and join" in newcomer.get(path).content.decode()
    accepted = newcomer.post(path)
    assert accepted.status_code == 302
    assert accepted["Location"] == reverse("workspace_home", kwargs={"ws": "acme"})
    assert Membership.objects.get(workspace=workspace, user__email="new@example.com").role == Role.MEMBER
    # and the link is used up
    assert newcomer.get(path).status_code == 410


def _pending_invitation(workspace: Workspace, email: str = "new@example.com") -> tuple[Invitation, str]:
    owner_membership = workspace.memberships.get(role=Role.OWNER)
    invitation = services.member_invite(
        actor=owner_membership.user, workspace=workspace, membership=owner_membership, email=email, role="guest"
    )
    assert isinstance(invitation, Invitation)
    return invitation, reverse("invitation_accept", args=[services.invitation_link_token(invitation)])


def test_invitation_opened_with_another_account_explains_and_offers_sign_out(workspace: Workspace) -> None:
    _, path = _pending_invitation(workspace)
    someone_else = signed_in(factories.make_user(email="other@example.com"))

    page = someone_else.get(path)
    attempt = someone_else.post(path)

    body = page.content.decode()
    assert "signed in as <strong>other@example.com</strong>" in body
    assert reverse("logout") in body
    assert "Accept and join" not in body
    assert attempt.status_code == 200
    assert not Membership.objects.filter(workspace=workspace, user__email="other@example.com").exists()


def test_accepting_anonymously_asks_to_sign_in(workspace: Workspace) -> None:
    _, path = _pending_invitation(workspace)

    response = Client().post(path)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert Membership.objects.count() == 1


def test_a_broken_invitation_link_shows_a_clear_message(db: Any) -> None:
    response = Client().get(reverse("invitation_accept", args=["not-a-real-token"]))

    assert response.status_code == 404
    assert "This invitation cannot be used" in response.content.decode()
    assert "not valid" in response.content.decode()


def test_revoke_an_invitation(owner: Client, workspace: Workspace, members_url: str) -> None:
    invitation, path = _pending_invitation(workspace)

    response = owner.post(members_url, {"action": "revoke", "invitation": invitation.public_id})

    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert any("revoked" in m for m in flashes(response))
    page = Client().get(path)
    assert page.status_code == 410
    assert "revoked" in page.content.decode()


def test_change_a_members_role(owner: Client, workspace: Workspace, members_url: str) -> None:
    target = factories.add_member(workspace, role=Role.MEMBER)

    response = owner.post(
        members_url,
        {"action": "role", "member": target.user.public_id, "role": "admin", "version": target.version},
    )

    target.refresh_from_db()
    assert target.role == Role.ADMIN
    assert target.version == 2
    assert any("is now admin" in m for m in flashes(response))


def test_change_a_role_with_htmx_returns_only_the_updated_row(
    owner: Client, workspace: Workspace, members_url: str
) -> None:
    target = factories.add_member(workspace, role=Role.MEMBER)

    response = owner.post(
        members_url,
        {"action": "role", "member": target.user.public_id, "role": "guest", "version": target.version},
        HTTP_HX_REQUEST="true",
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert body.strip().startswith(f'<tr id="member-{target.user.public_id}"')
    assert "<html" not in body
    assert 'name="version" value="2"' in body
    assert json.loads(response["HX-Trigger"]) == {
        "labora:toast": {"message": f"{target.user.display_name} is now guest.", "level": "success"}
    }


def test_change_a_role_with_a_stale_version_changes_nothing(
    owner: Client, workspace: Workspace, members_url: str
) -> None:
    target = factories.add_member(workspace, role=Role.MEMBER)

    response = owner.post(
        members_url,
        {"action": "role", "member": target.user.public_id, "role": "admin", "version": target.version + 5},
    )

    target.refresh_from_db()
    assert target.role == Role.MEMBER
    assert any("changed elsewhere" in m for m in flashes(response))


def test_the_last_owner_cannot_be_demoted(owner: Client, user: Any, workspace: Workspace, members_url: str) -> None:
    mine = workspace.memberships.get(user=user)

    response = owner.post(
        members_url,
        {"action": "role", "member": user.public_id, "role": "admin", "version": mine.version},
    )

    mine.refresh_from_db()
    assert mine.role == Role.OWNER
    assert any("at least one owner" in m for m in flashes(response))


def test_the_last_owner_demotion_error_shows_in_the_htmx_row(
    owner: Client, user: Any, workspace: Workspace, members_url: str
) -> None:
    mine = workspace.memberships.get(user=user)

    response = owner.post(
        members_url,
        {"action": "role", "member": user.public_id, "role": "member", "version": mine.version},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert "at least one owner" in response.content.decode()
    mine.refresh_from_db()
    assert mine.role == Role.OWNER


def test_the_last_owner_cannot_leave(owner: Client, user: Any, workspace: Workspace, members_url: str) -> None:
    response = owner.post(members_url, {"action": "leave"})

    assert Membership.objects.filter(workspace=workspace, user=user, role=Role.OWNER).exists()
    assert any("last owner cannot be removed" in m for m in flashes(response))


def test_the_last_owner_cannot_be_removed_by_an_admin(workspace: Workspace, user: Any, members_url: str) -> None:
    admin = signed_in(factories.add_member(workspace, role=Role.ADMIN).user)

    response = admin.post(members_url, {"action": "remove", "member": user.public_id})

    assert response.status_code == 403
    assert Membership.objects.filter(workspace=workspace, user=user, role=Role.OWNER).exists()


def test_remove_a_member(owner: Client, workspace: Workspace, members_url: str) -> None:
    target = factories.add_member(workspace, role=Role.MEMBER)

    response = owner.post(members_url, {"action": "remove", "member": target.user.public_id})

    assert not Membership.objects.filter(pk=target.pk).exists()
    assert any("was removed" in m for m in flashes(response))


def test_a_member_can_leave(workspace: Workspace, members_url: str) -> None:
    leaving = factories.add_member(workspace, role=Role.MEMBER)

    response = signed_in(leaving.user).post(members_url, {"action": "leave"})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert not Membership.objects.filter(pk=leaving.pk).exists()


def test_a_member_sees_the_list_but_cannot_invite(workspace: Workspace, members_url: str) -> None:
    client = signed_in(factories.add_member(workspace, role=Role.MEMBER).user)

    page = client.get(members_url)
    response = client.post(members_url, {"action": "invite", "email": "x@example.com", "role": "member"})

    assert page.status_code == 200
    assert "Invite people" not in page.content.decode()
    assert response.status_code == 403
    assert not Invitation.objects.exists()
    assert Membership.objects.filter(workspace=workspace).count() == 2


def test_a_member_cannot_change_roles(workspace: Workspace, user: Any, members_url: str) -> None:
    me = factories.add_member(workspace, role=Role.MEMBER)
    other = factories.add_member(workspace, role=Role.MEMBER)

    response = signed_in(me.user).post(
        members_url, {"action": "role", "member": other.user.public_id, "role": "admin", "version": other.version}
    )

    assert response.status_code == 403
    other.refresh_from_db()
    assert other.role == Role.MEMBER


def test_a_denied_htmx_role_change_answers_403_with_a_toast(workspace: Workspace, members_url: str) -> None:
    me = factories.add_member(workspace, role=Role.MEMBER)
    other = factories.add_member(workspace, role=Role.MEMBER)

    response = signed_in(me.user).post(
        members_url,
        {"action": "role", "member": other.user.public_id, "role": "admin", "version": other.version},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 403
    assert response["HX-Reswap"] == "none"
    assert "Only admins can change roles" in json.loads(response["HX-Trigger"])["labora:toast"]["message"]
    other.refresh_from_db()
    assert other.role == Role.MEMBER


def test_an_admin_cannot_invite_an_owner(workspace: Workspace, members_url: str) -> None:
    admin = signed_in(factories.add_member(workspace, role=Role.ADMIN).user)

    response = admin.post(members_url, {"action": "invite", "email": "boss@example.com", "role": "owner"})

    assert response.status_code == 200
    assert response.context["invite_form"].errors["role"]
    assert not Invitation.objects.exists()


def test_inviting_a_member_twice_says_already_a_member(owner: Client, workspace: Workspace, members_url: str) -> None:
    member = factories.add_member(workspace, role=Role.MEMBER)

    response = owner.post(members_url, {"action": "invite", "email": member.user.email, "role": "member"})

    assert response.status_code == 200
    assert "already a member" in response.context["invite_form"].errors["email"][0]


@pytest.mark.parametrize("role", [Role.GUEST, Role.CLIENT])
def test_guests_and_clients_get_403_on_members_and_teams(workspace: Workspace, members_url: str, role: str) -> None:
    client = signed_in(factories.add_member(workspace, role=role).user)

    members = client.get(members_url)
    teams = client.get(reverse("workspace_teams", kwargs={"ws": "acme"}))

    assert members.status_code == 403
    assert "Guests and clients" in members.content.decode()
    assert teams.status_code == 403


# --- teams -----------------------------------------------------------------------------------


def test_create_a_team(owner: Client, workspace: Workspace, teams_url: str) -> None:
    response = owner.post(teams_url, {"name": "Design", "description": "Pixels"})

    team = Team.objects.get(workspace=workspace)
    assert (team.name, team.description) == ("Design", "Pixels")
    assert response["Location"] == reverse("workspace_team", kwargs={"ws": "acme", "team_id": team.public_id})


def test_a_team_name_is_unique_in_the_workspace(owner: Client, workspace: Workspace, teams_url: str) -> None:
    owner.post(teams_url, {"name": "Design"})

    response = owner.post(teams_url, {"name": "design"})

    assert response.status_code == 200
    assert "exists already" in response.context["form"].errors["name"][0]
    assert Team.objects.count() == 1


def test_teams_list_shows_member_counts(owner: Client, user: Any, workspace: Workspace, teams_url: str) -> None:
    mine = workspace.memberships.get(user=user)
    team = services.team_create(actor=user, workspace=workspace, membership=mine, name="Design")
    services.team_member_add(actor=user, workspace=workspace, membership=mine, team=team, user_member=mine)

    response = owner.get(teams_url)

    assert [(t.name, t.member_count) for t in response.context["teams"]] == [("Design", 1)]


@pytest.fixture
def team(user: Any, workspace: Workspace) -> Team:
    return services.team_create(
        actor=user, workspace=workspace, membership=workspace.memberships.get(user=user), name="Design"
    )


def team_url(team: Team) -> str:
    return reverse("workspace_team", kwargs={"ws": team.workspace.slug, "team_id": team.public_id})


def test_rename_and_describe_a_team(owner: Client, team: Team) -> None:
    response = owner.post(
        team_url(team), {"action": "update", "name": "Product design", "description": "UX", "version": team.version}
    )

    assert response.status_code == 302
    team.refresh_from_db()
    assert (team.name, team.description, team.version) == ("Product design", "UX", 2)


def test_rename_a_team_with_a_stale_version_changes_nothing(owner: Client, team: Team) -> None:
    response = owner.post(
        team_url(team), {"action": "update", "name": "Stale", "description": "", "version": team.version + 1}
    )

    assert response.status_code == 200
    assert "changed elsewhere" in response.content.decode()
    team.refresh_from_db()
    assert team.name == "Design"


def test_add_and_remove_a_team_member(owner: Client, workspace: Workspace, team: Team) -> None:
    ana = factories.add_member(workspace, factories.make_user(name="Ana Lima"), role=Role.MEMBER)

    page = owner.get(team_url(team))
    added = owner.post(team_url(team), {"action": "add_member", "member": ana.user.public_id})
    assert ana.user.public_id in page.content.decode()
    assert added.status_code == 302
    assert TeamMember.objects.filter(team=team, user=ana.user).exists()
    assert "Ana Lima" in owner.get(team_url(team)).content.decode()

    removed = owner.post(team_url(team), {"action": "remove_member", "member": ana.user.public_id})

    assert removed.status_code == 302
    assert not TeamMember.objects.filter(team=team).exists()


def test_only_workspace_members_can_be_added_to_a_team(owner: Client, team: Team) -> None:
    outsider = factories.make_user()

    response = owner.post(team_url(team), {"action": "add_member", "member": outsider.public_id})

    assert not TeamMember.objects.exists()
    assert any("No such member" in m for m in flashes(response))


def test_delete_a_team_moves_it_to_the_trash(owner: Client, team: Team, teams_url: str) -> None:
    response = owner.post(team_url(team), {"action": "delete"})

    assert response["Location"] == teams_url
    assert not Team.objects.filter(pk=team.pk).exists()
    assert Team.all_objects.get(pk=team.pk).deleted_at is not None
    assert owner.get(team_url(team)).status_code == 404


def test_members_view_teams_but_cannot_change_them(workspace: Workspace, team: Team, teams_url: str) -> None:
    client = signed_in(factories.add_member(workspace, role=Role.MEMBER).user)

    listing = client.get(teams_url)
    detail = client.get(team_url(team))
    create = client.post(teams_url, {"name": "Shadow"})
    delete = client.post(team_url(team), {"action": "delete"})

    assert listing.status_code == 200
    assert detail.status_code == 200
    assert "New team" not in listing.content.decode()
    assert "Delete team" not in detail.content.decode()
    assert (create.status_code, delete.status_code) == (403, 403)
    assert list(Team.objects.values_list("name", flat=True)) == ["Design"]


def test_a_team_of_another_workspace_answers_404(owner: Client) -> None:
    other = factories.make_workspace()
    foreign = services.team_create(
        actor=other.created_by, workspace=other, membership=other.memberships.get(), name="Theirs"
    )

    response = owner.get(reverse("workspace_team", kwargs={"ws": "acme", "team_id": foreign.public_id}))

    assert response.status_code == 404
