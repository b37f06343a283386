"""The application shell's pages: the start redirect, the workspace overview, the activity
log, error pages and the command palette's data."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from labora.web.context_processors import LAST_WORKSPACE
from labora.workspaces.models import Role
from labora.workspaces.services import member_invite, team_create, workspace_update
from tests import factories


@pytest.fixture
def client_for() -> Any:
    def build(user: Any) -> Client:
        c = Client()
        c.force_login(user)
        return c

    return build


@pytest.fixture
def owner_client(user: Any, client_for: Any) -> Client:
    return client_for(user)


def _palette(response: Any) -> list[dict[str, str]]:
    match = re.search(r'<script id="palette-commands" type="application/json">(.*?)</script>', response.text, re.S)
    assert match, "the page carries the palette commands as JSON"
    return json.loads(match.group(1))


# --- "/" ----------------------------------------------------------------------------------


def test_home_sends_anonymous_visitors_to_sign_in(client: Client, db: Any) -> None:
    response = client.get("/")

    assert response.status_code == 302
    assert response.url == reverse("login")


def test_home_sends_a_user_without_workspace_to_create_one(client_for: Any, db: Any) -> None:
    response = client_for(factories.make_user()).get("/")

    assert response.status_code == 302
    assert response.url == reverse("workspace_create")


def test_home_opens_the_first_workspace_by_name(client_for: Any, user: Any) -> None:
    factories.make_workspace(owner=user, slug="zeta", name="Zeta")
    factories.make_workspace(owner=user, slug="alpha", name="Alpha")

    response = client_for(user).get("/")

    assert response.url == reverse("workspace_home", kwargs={"ws": "alpha"})


def test_home_returns_to_the_workspace_visited_last(client_for: Any, user: Any) -> None:
    factories.make_workspace(owner=user, slug="alpha", name="Alpha")
    factories.make_workspace(owner=user, slug="zeta", name="Zeta")
    c = client_for(user)
    c.get(reverse("workspace_home", kwargs={"ws": "zeta"}))

    response = c.get("/")

    assert c.session[LAST_WORKSPACE] == "zeta"
    assert response.url == reverse("workspace_home", kwargs={"ws": "zeta"})


def test_home_ignores_a_last_workspace_the_user_has_left(client_for: Any, user: Any) -> None:
    factories.make_workspace(owner=user, slug="alpha", name="Alpha")
    c = client_for(user)
    session = c.session
    session[LAST_WORKSPACE] = "gone"
    session.save()

    assert c.get("/").url == reverse("workspace_home", kwargs={"ws": "alpha"})


# --- workspace home -----------------------------------------------------------------------


def test_workspace_home_shows_name_role_members_teams_and_activity(
    owner_client: Client, user: Any, workspace: Any, run_events: Any
) -> None:
    membership = workspace.memberships.get(user=user)
    bob = factories.make_user(email="bob@example.com", name="Bob Builder")
    with run_events():
        member_invite(actor=user, workspace=workspace, membership=membership, email=bob.email, role="member")
        member_invite(actor=user, workspace=workspace, membership=membership, email="new@example.com", role="guest")
        team_create(actor=user, workspace=workspace, membership=membership, name="Platform")
        workspace_update(actor=user, workspace=workspace, membership=membership, name="Acme Corp")

    response = owner_client.get(reverse("workspace_home", kwargs={"ws": "acme"}))

    assert response.status_code == 200
    html = response.text
    assert "Acme Corp" in html
    assert '<span class="badge role-owner">Owner</span>' in html
    assert re.search(r'data-testid="member-count">2<', html)
    assert re.search(r'data-testid="team-count">1<', html)
    feed = html[html.index('id="home-activity"') :]
    assert (
        "<strong>Olivia Owner</strong> renamed the workspace from <strong>Acme</strong> to <strong>Acme Corp</strong>"
        in feed
    )
    assert "<strong>Olivia Owner</strong> created the team <strong>Platform</strong>" in feed
    assert "<strong>Olivia Owner</strong> invited <strong>new@example.com</strong> as <strong>guest</strong>" in feed
    assert "<strong>Olivia Owner</strong> added <strong>bob@example.com</strong> as <strong>member</strong>" in feed
    # Newest first
    assert feed.index("renamed the workspace") < feed.index("added <strong>bob@example.com")
    assert "Getting started" in html


def test_workspace_home_shows_at_most_15_activity_entries(
    owner_client: Client, user: Any, workspace: Any, run_events: Any
) -> None:
    membership = workspace.memberships.get(user=user)
    with run_events():
        for n in range(20):
            team_create(actor=user, workspace=workspace, membership=membership, name=f"Team {n:02d}")

    html = owner_client.get(reverse("workspace_home", kwargs={"ws": "acme"})).text

    feed = html[html.index('id="home-activity"') :]
    assert feed.count('class="feed-item"') == 15
    assert "Team 19" in feed
    assert "Team 04" not in feed


def test_workspace_home_hides_members_and_activity_from_a_guest(client_for: Any, workspace: Any) -> None:
    guest = factories.make_user(name="Gina Guest")
    factories.add_member(workspace, guest, role=Role.GUEST)

    response = client_for(guest).get(reverse("workspace_home", kwargs={"ws": "acme"}))

    assert response.status_code == 200
    assert "Activity is for members" in response.text
    assert 'data-testid="member-count"' not in response.text
    assert "Getting started" not in response.text
    assert reverse("workspace_activity", kwargs={"ws": "acme"}) not in response.text


def test_workspace_home_of_another_workspace_is_not_found(client_for: Any, workspace: Any) -> None:
    stranger = factories.make_user()
    factories.make_workspace(owner=stranger, slug="other")

    response = client_for(stranger).get(reverse("workspace_home", kwargs={"ws": "acme"}))

    assert response.status_code == 404
    assert "find that page" in response.text
    assert "Acme" not in response.text


def test_workspace_home_requires_sign_in(client: Client, workspace: Any) -> None:
    response = client.get(reverse("workspace_home", kwargs={"ws": "acme"}))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_workspace_home_query_count_does_not_grow_with_activity(
    owner_client: Client, user: Any, workspace: Any, run_events: Any, django_assert_max_num_queries: Any
) -> None:
    membership = workspace.memberships.get(user=user)
    url = reverse("workspace_home", kwargs={"ws": "acme"})
    owner_client.get(url)  # the session remembers the workspace: no write below
    with run_events():
        team_create(actor=user, workspace=workspace, membership=membership, name="First")
    with django_assert_max_num_queries(12) as few:
        owner_client.get(url)
    with run_events():
        for n in range(30):
            team_create(actor=user, workspace=workspace, membership=membership, name=f"Team {n}")
        for _ in range(5):
            factories.add_member(workspace, factories.make_user())

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = owner_client.get(url)

    assert response.status_code == 200


# --- activity -------------------------------------------------------------------------------


def test_activity_lists_every_event_newest_first(
    owner_client: Client, user: Any, workspace: Any, run_events: Any
) -> None:
    membership = workspace.memberships.get(user=user)
    with run_events():
        team_create(actor=user, workspace=workspace, membership=membership, name="Design")
        member_invite(actor=user, workspace=workspace, membership=membership, email="x@example.com", role="admin")

    response = owner_client.get(reverse("workspace_activity", kwargs={"ws": "acme"}))

    assert response.status_code == 200
    html = response.text
    assert html.index("invited <strong>x@example.com</strong> as <strong>admin</strong>") < html.index(
        "created the team <strong>Design</strong>"
    )


def test_activity_filters_by_event_kind(owner_client: Client, user: Any, workspace: Any, run_events: Any) -> None:
    membership = workspace.memberships.get(user=user)
    with run_events():
        team_create(actor=user, workspace=workspace, membership=membership, name="Design")
        member_invite(actor=user, workspace=workspace, membership=membership, email="x@example.com", role="admin")

    response = owner_client.get(reverse("workspace_activity", kwargs={"ws": "acme"}), {"kind": "team"})

    assert "created the team <strong>Design</strong>" in response.text
    assert "x@example.com" not in response.text
    assert '<option value="team" selected>Teams</option>' in response.text


def test_activity_with_an_unknown_kind_says_so_and_shows_everything(
    owner_client: Client, user: Any, workspace: Any, run_events: Any
) -> None:
    membership = workspace.memberships.get(user=user)
    with run_events():
        team_create(actor=user, workspace=workspace, membership=membership, name="Design")

    response = owner_client.get(reverse("workspace_activity", kwargs={"ws": "acme"}), {"kind": "bogus", "page": "x"})

    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert "created the team <strong>Design</strong>" in response.text


def test_activity_is_forbidden_to_a_guest(client_for: Any, workspace: Any) -> None:
    guest = factories.make_user()
    factories.add_member(workspace, guest, role=Role.GUEST)

    response = client_for(guest).get(reverse("workspace_activity", kwargs={"ws": "acme"}))

    assert response.status_code == 403
    assert "Only members can see the activity of this workspace." in response.text


def test_activity_of_another_workspace_is_not_found(client_for: Any, workspace: Any) -> None:
    response = client_for(factories.make_user()).get(reverse("workspace_activity", kwargs={"ws": "acme"}))

    assert response.status_code == 404


def test_a_denied_htmx_request_gets_a_toast_instead_of_a_page(client_for: Any, workspace: Any) -> None:
    guest = factories.make_user()
    factories.add_member(workspace, guest, role=Role.CLIENT)

    response = client_for(guest).get(reverse("workspace_activity", kwargs={"ws": "acme"}), HTTP_HX_REQUEST="true")

    assert response.status_code == 403
    assert response["HX-Reswap"] == "none"
    assert json.loads(response["HX-Trigger"])["labora:toast"]["level"] == "error"


# --- the shell ----------------------------------------------------------------------------


def test_shell_lists_workspaces_navigation_and_coming_soon(owner_client: Client, user: Any, workspace: Any) -> None:
    factories.make_workspace(owner=user, slug="beta", name="Beta")

    html = owner_client.get(reverse("workspace_home", kwargs={"ws": "acme"})).text

    assert 'href="/w/beta/"' in html
    assert f'href="{reverse("workspace_create")}"' in html
    for name in ("workspace_activity", "workspace_members", "workspace_teams", "workspace_settings"):
        assert f'href="{reverse(name, kwargs={"ws": "acme"})}"' in html
    assert f'href="{reverse("project_list", kwargs={"ws": "acme"})}"' in html
    assert re.search(
        rf'<a class="nav-item" href="{reverse("my_work", kwargs={"ws": "acme"})}">'
        r'.*?<span class="nav-item-label">My work</span></a>',
        html,
    )
    for soon in ("Time", "Goals", "Reports"):
        assert re.search(
            rf'<span class="nav-item is-disabled" aria-disabled="true">.*?<span class="nav-item-label">{soon}</span>',
            html,
        ), soon
    assert f'action="{reverse("logout")}"' in html
    assert 'aria-current="page"' in html


def test_palette_commands_cover_workspaces_pages_and_account(owner_client: Client, user: Any, workspace: Any) -> None:
    factories.make_workspace(owner=user, slug="beta", name="Beta")

    commands = _palette(owner_client.get(reverse("workspace_home", kwargs={"ws": "acme"})))

    by_label = {c["label"]: c for c in commands}
    assert by_label["Activity"]["url"] == "/w/acme/activity/"
    assert by_label["Members"]["url"] == reverse("workspace_members", kwargs={"ws": "acme"})
    assert by_label["Beta"] == {
        "label": "Beta",
        "url": "/w/beta/",
        "group": "Switch workspace",
        "keywords": "workspace switch go beta",
        "hint": "Owner",
    }
    assert by_label["Create workspace"]["url"] == reverse("workspace_create")
    assert by_label["Create API token"]["url"] == reverse("settings_tokens")
    assert {"Profile", "Security", "API tokens"} <= set(by_label)
    assert all(set(c) == {"label", "url", "group", "keywords", "hint"} for c in commands)


def test_account_pages_keep_the_last_workspace_in_the_shell(owner_client: Client, workspace: Any) -> None:
    owner_client.get(reverse("workspace_home", kwargs={"ws": "acme"}))

    html = owner_client.get(reverse("settings_profile")).text

    assert '<span class="ws-switcher-name">Acme</span>' in html
    assert "Workspace Acme" in html  # the settings side nav


def test_styleguide_is_served_only_in_debug(owner_client: Client, settings: Any) -> None:
    settings.DEBUG = False
    assert owner_client.get("/_styleguide/").status_code == 404

    settings.DEBUG = True
    response = owner_client.get("/_styleguide/")

    assert response.status_code == 200
    assert "Labora design system" in response.text


def test_pages_carry_no_inline_script_or_style(owner_client: Client, workspace: Any, settings: Any) -> None:
    settings.DEBUG = True
    for url in ("/w/acme/", "/w/acme/activity/", "/_styleguide/", "/w/nope/"):
        html = owner_client.get(url).text
        assert "style=" not in html, url
        assert "<style" not in html, url
        assert not re.search(r"<script(?![^>]*\b(src=|type=\"application/json\"))", html), url
        assert not re.search(r"\son[a-z]+=", html), url


def test_an_unknown_address_gets_the_404_page_in_the_auth_layout_when_signed_out(client: Client, db: Any) -> None:
    response = client.get("/no/such/page/")

    assert response.status_code == 404
    assert "find that page" in response.text
    assert 'class="auth-card' in response.text


def test_the_500_page_renders_without_a_request() -> None:
    from django.template.loader import render_to_string

    html = render_to_string("500.html")

    assert "Something went wrong on our side" in html
    assert "labora/dist/app.css" in html
