"""The policy: one place that answers "may this user do this", denying by default."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from labora.core import policy
from labora.core.errors import PermissionDenied
from tests import factories

SRC = Path(__file__).resolve().parents[2] / "src" / "labora"


@pytest.fixture
def temporary_rules() -> Iterator[list[str]]:
    added: list[str] = []
    yield added
    for action in added:
        policy._rules.pop(action, None)


def _allow_if_named_ana(user: Any, obj: Any) -> bool:
    return user.name == "Ana"


def test_an_action_without_a_rule_is_denied(user: Any) -> None:
    assert policy.can(user, "nobody.wrote.a.rule.for.this") is False
    with pytest.raises(PermissionDenied):
        policy.check(user, "nobody.wrote.a.rule.for.this")


def test_a_rule_decides_for_its_action(db: Any, temporary_rules: list[str]) -> None:
    policy.rule("tests.act")(_allow_if_named_ana)
    temporary_rules.append("tests.act")
    ana = factories.make_user(name="Ana")
    bob = factories.make_user(name="Bob")

    assert policy.can(ana, "tests.act") is True
    assert policy.can(bob, "tests.act") is False


def test_anonymous_and_inactive_users_are_denied_whatever_the_rule(db: Any, temporary_rules: list[str]) -> None:
    from django.contrib.auth.models import AnonymousUser

    policy.rule("tests.anyone")(lambda user, obj: True)
    temporary_rules.append("tests.anyone")
    inactive = factories.make_user()
    inactive.is_active = False

    assert policy.can(None, "tests.anyone") is False
    assert policy.can(AnonymousUser(), "tests.anyone") is False
    assert policy.can(inactive, "tests.anyone") is False


def test_check_raises_a_403_error_naming_the_action(user: Any) -> None:
    with pytest.raises(PermissionDenied) as caught:
        policy.check(user, "tests.denied", message="Only admins can do this.")

    assert caught.value.status == 403
    assert caught.value.body() == {
        "error": {"code": "forbidden", "message": "Only admins can do this.", "fields": {}, "action": "tests.denied"}
    }


def test_two_different_rules_for_one_action_are_refused(temporary_rules: list[str]) -> None:
    policy.rule("tests.twice")(_allow_if_named_ana)
    temporary_rules.append("tests.twice")

    policy.rule("tests.twice")(_allow_if_named_ana)  # the same function again is harmless
    with pytest.raises(RuntimeError, match="two rules"):
        policy.rule("tests.twice")(lambda user, obj: True)


def test_every_action_the_code_checks_has_a_rule() -> None:
    # A typo in an action name would silently deny everyone; catch it here.
    checked: set[str] = set()
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts or path == SRC / "core" / "policy.py":
            continue
        text = path.read_text()
        checked |= set(re.findall(r"""\bcheck\(\s*[\w.]+,\s*["']([a-z_.]+)["']""", text))
        checked |= set(re.findall(r"""\bcan\(\s*[\w.]+,\s*["']([a-z_.]+)["']""", text))
    assert checked, "found no policy checks at all: the pattern above is out of date"
    assert checked - set(policy.actions()) == set()
