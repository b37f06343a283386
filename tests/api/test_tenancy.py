"""Tenancy, proved over the whole API (DESIGN.md §3: "A user of another workspace gets 404,
never someone else's data").

The walker reads the live OpenAPI schema, so a route added tomorrow is checked tomorrow
without anyone listing it here. For every operation under /workspaces/{ws} it calls, as the
owner of workspace A who is not in workspace B:

- the route with ws = B and every other path parameter set to a REAL id of an object of B;
- the route with ws = A (the caller's own workspace) and B's ids (guessing ids across tenants);

each with a plausible JSON body, and requires a 404 with API.md's error body and not one
changed row anywhere in the database. Ids are found by listing B's collections as B's owner
(creating an object through the API first when B has none), so new resources need no code
here either, unless their ids cannot be listed.
"""

from __future__ import annotations

from typing import Any

import pytest

from labora.workspaces import services
from labora.workspaces.models import Membership, Role
from tests import factories
from tests.api.openapi_walk import (
    Operation,
    Sampler,
    database_state,
    live_schema,
    operations,
    send,
    state_diff,
)
from tests.chat.builders import chat_ids
from tests.conftest import ApiClient
from tests.planning_django.builders import dependency_in

# Routes that answer without credentials, on purpose. Everything else must answer 401.
PUBLIC = {"GET /api/v1/health"}


class World:
    """Workspace A (the caller's) and workspace B (someone else's, full of data)."""

    def __init__(self) -> None:
        self.schema = live_schema()
        self.ops = list(operations(self.schema))
        self.sampler = Sampler(self.schema)

        self.caller = factories.make_user(email="walker@example.com")
        self.a = factories.make_workspace(owner=self.caller, slug="alpha", name="Alpha")
        # A 500 is a finding to report with the others, not a crash of the walk.
        self.client = ApiClient(factories.make_token(self.caller), raise_request_exception=False)

        b_owner = factories.make_user(email="b-owner@example.com")
        self.b = factories.make_workspace(owner=b_owner, slug="bravo", name="Bravo")
        self.b_client = ApiClient(factories.make_token(b_owner))
        owner_ms = Membership.objects.get(workspace=self.b, user=b_owner)
        ctx = {"actor": b_owner, "workspace": self.b, "membership": owner_ms}
        b_member = factories.add_member(self.b, factories.make_user(email="b-member@example.com"), role=Role.ADMIN)
        team = services.team_create(**ctx, name="B team")
        services.team_member_add(**ctx, team=team, user_member=b_member)
        invitation = services.member_invite(**ctx, email="b-invitee@example.com", role="member")
        # Ids of B's objects by path parameter name; anything else is discovered.
        self.known = {
            "member_id": b_member.user.public_id,
            "team_id": team.public_id,
            "invitation_id": invitation.public_id,
            "dependency_id": dependency_in(b_owner, self.b),
            **chat_ids(b_owner, b_member.user, self.b),
        }
        self._found: dict[tuple[str, str], str | None] = {}

    def b_ids(self, op: Operation) -> dict[str, str]:
        """A real id of an object of B for every path parameter of `op` (ws = B)."""
        values = {"ws": self.b.slug}
        for name in op.params:
            if name == "ws":
                continue
            value = self.known.get(name) or self._discover(op, name, values) or self._create_by_name(name)
            if value is None:
                pytest.fail(
                    f"{op.label}: found no object of workspace B for {{{name}}}. Make its collection "
                    f"listable (GET …/{{{name}}}'s parent answering {{items: [...]}}) and creatable by POST, "
                    f"or add a builder for {name!r} to World.known in tests/api/test_tenancy.py."
                )
            values[name] = value
        return values

    def _discover(self, op: Operation, name: str, values: dict[str, str]) -> str | None:
        collection_template = op.path[: op.path.index("{" + name + "}")].rstrip("/")
        collection = Operation("get", collection_template, {}).url(values)
        if (collection, name) not in self._found:
            self._found[collection, name] = self._list_or_create(collection_template, collection, name)
        return self._found[collection, name]

    def _create_by_name(self, name: str) -> str | None:
        """`task_key` when tasks are created elsewhere (…/projects/{key}/tasks): create one
        through the shortest POST …/tasks route of B and take its key or id."""
        noun = name.rsplit("_", 1)[0]
        creators = sorted(
            (o for o in self.ops if o.method == "post" and "{ws}" in o.path and o.path.endswith(f"/{noun}s")),
            key=lambda o: len(o.params),
        )
        for create in creators:
            if ("by-name", create.path) in self._found:
                if (made := self._found["by-name", create.path]) is not None:
                    return made  # created for an earlier route: the same object serves this one
                continue  # already tried (or being tried: no recursion through a cycle)
            self._found["by-name", create.path] = None
            url = create.url(self.b_ids(create))
            created = send(self.b_client, "post", url, self.sampler.body(create, required_only=True))
            if created.status_code == 201 and (value := _pick(created.json(), name)):
                self._found["by-name", create.path] = value
                return value
        return None

    def _list_or_create(self, template: str, url: str, name: str) -> str | None:
        listed = self.b_client.get(url)
        if listed.status_code == 200 and listed.json().get("items"):
            return _pick(listed.json()["items"][0], name)
        create = next((o for o in self.ops if o.method == "post" and o.path == template), None)
        if create is None:
            return None
        created = send(self.b_client, "post", url, self.sampler.body(create, required_only=True))
        return _pick(created.json(), name) if created.status_code == 201 else None


def _pick(item: dict[str, Any], name: str) -> str | None:
    for key in (name, "key", "id", "slug"):
        if item.get(key) not in (None, ""):
            return str(item[key])
    return None


@pytest.fixture
def world(db: Any) -> World:
    return World()


def _expect_404_and_no_change(world: World, op: Operation, url: str) -> list[str]:
    """Call `url` as A's owner; the problems found (empty when the route holds)."""
    body = world.sampler.body(op)
    before = database_state()
    response = send(world.client, op.method, url, body, world.sampler.query(op))
    if response.status_code == 422 and body is not None:
        # Our sample body broke a constraint; a minimal one must get through validation.
        response = send(world.client, op.method, url, world.sampler.body(op, required_only=True), None)
    changed = state_diff(before, database_state())
    problems = []
    if response.status_code != 404:
        problems.append(f"{op.method.upper()} {url} answered {response.status_code}: {response.content[:300]!r}")
    else:
        error = response.json().get("error", {})
        if error.get("code") != "not_found" or not error.get("message") or error.get("fields") != {}:
            problems.append(f"{op.method.upper()} {url}: 404 without API.md's error body: {response.json()}")
    if changed:
        problems.append(f"{op.method.upper()} {url} changed rows of: {', '.join(changed)}")
    return problems


def test_no_route_under_a_workspace_reaches_into_another_workspace(world: World) -> None:
    scoped = [op for op in world.ops if "{ws}" in op.path]
    assert len(scoped) >= 15, "the schema lost its workspace routes: is the walker reading the right API?"
    problems: list[str] = []

    for op in scoped:
        b_values = world.b_ids(op)
        # ws = B: a workspace the caller is not in
        problems += _expect_404_and_no_change(world, op, op.url(b_values))
        # ws = A (the caller's own, where they are owner) with B's ids: guessing across tenants
        if len(op.params) > 1:
            problems += _expect_404_and_no_change(world, op, op.url({**b_values, "ws": world.a.slug}))

    assert problems == [], "cross-tenant access:\n" + "\n".join(problems)


def test_every_route_but_the_public_ones_answers_401_without_credentials(world: World) -> None:
    anonymous = ApiClient(raise_request_exception=False)
    forged = ApiClient("lab_forged-token-that-nobody-was-given", raise_request_exception=False)
    problems: list[str] = []

    for op in world.ops:
        if op.label in PUBLIC:
            assert op.is_public, f"{op.label} is listed as public but its schema asks for credentials"
            continue
        if op.is_public:
            problems.append(f"{op.label} declares no security: add it to PUBLIC if that is deliberate")
        url = op.url(world.b_ids(op) if op.params else {})
        for label, client in (("no credentials", anonymous), ("a forged token", forged)):
            before = database_state()
            response = send(client, op.method, url, world.sampler.body(op))
            if response.status_code != 401 or response.json().get("error", {}).get("code") != "unauthenticated":
                problems.append(f"{op.label} with {label}: {response.status_code} {response.content[:200]!r}")
            if changed := state_diff(before, database_state()):
                problems.append(f"{op.label} with {label} changed rows of: {', '.join(changed)}")

    assert problems == [], "\n".join(problems)


def test_the_public_routes_exist(world: World) -> None:
    assert {op.label for op in world.ops} >= PUBLIC
