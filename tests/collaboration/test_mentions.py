"""labora.collaboration.mentions: the pure parser, the resolver and the renderer."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labora.collaboration import mentions
from labora.collaboration.mentions import Parsed, parse
from labora.work.services import projects as project_services
from labora.work.services import tasks as task_services
from labora.workspaces.models import Role, Team, TeamMember
from tests import factories

# --- parse (pure) ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("hi @ann", Parsed(mentions=("ann",))),
        ("@Ann, @ann and @ANN.", Parsed(mentions=("ann",))),
        ("ping @ann@Example.com.", Parsed(mentions=("ann@example.com",))),
        ("mail ann@example.com or x@y", Parsed()),  # addresses inside words are not mentions
        ("https://example.com/@ann", Parsed()),
        ("`@ann` and ``code `@bob` here``", Parsed()),
        ("```\n@ann OPS-1\n```\n@bob", Parsed(mentions=("bob",))),
        ("~~~python\n@ann\n~~~", Parsed()),
        ("@design-team, @a_b", Parsed(mentions=("design-team", "a_b"))),
        ("thanks @maya.chen. And @jo-", Parsed(mentions=("maya.chen", "jo"))),
        ("see OPS-12, #WEB-3 and (ops-4)", Parsed(references=("OPS-12", "WEB-3"))),
        ("OPS-12x OPS-0 /browse/OPS-7 X-1 OPS-12", Parsed(references=("OPS-12",))),
        ("", Parsed()),
    ],
)
def test_parse(body: str, expected: Parsed) -> None:
    assert parse(body) == expected


def test_parse_keeps_at_most_fifty_of_each() -> None:
    body = " ".join(f"@u{i} OPS-{i + 1}" for i in range(80))
    parsed = parse(body)
    assert len(parsed.mentions) == 50
    assert len(parsed.references) == 50


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_parse_never_raises_and_finds_only_well_formed_names(body: str) -> None:
    parsed = parse(body)
    for name in parsed.mentions:
        assert name == name.lower()
        assert name
    for ref in parsed.references:
        project, _, number = ref.partition("-")
        assert project.isupper()
        assert number.isdigit()


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True), st.text(alphabet="abc @`\n", max_size=40))
def test_names_inside_code_spans_are_ignored(handle: str, noise: str) -> None:
    body = f"{noise.replace('`', '')} `@{handle}`"
    assert handle not in parse(body).mentions


# --- resolve ---------------------------------------------------------------------------------


@pytest.fixture
def people(workspace: Any) -> dict[str, Any]:
    ann = factories.add_member(workspace, factories.make_user(email="ann@example.com", name="Ann")).user
    ann.handle = "ann"
    ann.save(update_fields=["handle"])
    bob = factories.add_member(workspace, factories.make_user(email="bob@example.com", name="Bob")).user
    stranger = factories.make_user(email="stranger@example.com")
    stranger.handle = "stranger"
    stranger.save(update_fields=["handle"])
    team = Team.objects.create(workspace=workspace, name="Ops crew")
    TeamMember.objects.create(team=team, user=bob)
    TeamMember.objects.create(team=team, user=stranger)  # left the workspace since: not resolved
    return {"ann": ann, "bob": bob, "stranger": stranger, "team": team}


def test_resolve_members_teams_and_not_outsiders(
    user: Any, workspace: Any, people: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    parsed = parse("@ann @BOB@example.com @stranger @stranger@example.com @ops-crew @nobody @owner@example.com")
    with django_assert_max_num_queries(3):
        resolved = mentions.resolve(workspace=workspace, author=user, parsed=parsed)
    assert resolved.users == [people["ann"], people["bob"], user]
    assert resolved.teams == [people["team"]]
    assert resolved.team_users == [people["bob"]]
    # The author is never notified of their own comment
    assert resolved.user_ids == sorted([people["ann"].pk, people["bob"].pk])
    assert set(resolved.names) == {"ann", "bob@example.com", "ops-crew", "owner@example.com"}


def test_references_resolve_only_to_tasks_the_author_sees(user: Any, workspace: Any) -> None:
    public = project_services.project_create(actor=user, workspace=workspace, key="OPS", name="Ops")
    secret = project_services.project_create(actor=user, workspace=workspace, key="SEC", name="S", is_private=True)
    task_services.task_create(actor=user, project=public, title="a")
    task_services.task_create(actor=user, project=secret, title="b")
    member = factories.add_member(workspace, role=Role.MEMBER).user
    parsed = parse("OPS-1 SEC-1 OPS-9")
    assert list(mentions.resolve(workspace=workspace, author=member, parsed=parsed).tasks) == ["OPS-1"]
    assert list(mentions.resolve(workspace=workspace, author=user, parsed=parsed).tasks) == ["OPS-1", "SEC-1"]


def test_render_links_resolved_only_outside_code(user: Any, workspace: Any, people: dict[str, Any]) -> None:
    project = project_services.project_create(actor=user, workspace=workspace, key="OPS", name="Ops")
    task_services.task_create(actor=user, project=project, title="a")
    body = "@ann see OPS-1 and `@ann OPS-1` and [OPS-1](https://x.test) @nobody <b>&amp;</b>"
    resolved = mentions.resolve(workspace=workspace, author=user, parsed=parse(body))
    html = mentions.render(body, resolved=resolved, workspace_slug="acme")
    assert html.count('class="mention"') == 1
    assert html.count('class="task-ref"') == 1
    assert "<code>@ann OPS-1</code>" in html
    assert '<a href="https://x.test" rel="noopener noreferrer nofollow">OPS-1</a>' in html
    assert "@nobody" in html
    assert mentions.ref_keys(html) == {"OPS-1"}
    # And a viewer who may not see OPS-1 gets the key as plain text
    restricted = mentions.restrict_refs(html, visible_keys=set())
    assert "task-ref" not in restricted
    assert "see OPS-1 and" in restricted


def test_team_slug() -> None:
    assert mentions.team_slug("Design Team") == "design-team"
    assert mentions.team_slug("  R&D / QA ") == "r-d-qa"
