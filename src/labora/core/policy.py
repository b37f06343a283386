"""The permission policy: one place that answers "may this user do this to that".

Each app states its rules in its own `permissions.py` with `@rule("app.action")`; services
call `check(actor, "app.action", obj)`. An action without a rule is denied (deny by default).
Visibility is different: an object the user may not *see* is answered by the selectors with
NotFound (404), so that its existence is not leaked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from labora.core.errors import PermissionDenied

Rule = Callable[[Any, Any], bool]
_rules: dict[str, Rule] = {}


def rule(action: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        if action in _rules and _rules[action] is not fn:
            raise RuntimeError(f"two rules for {action!r}")
        _rules[action] = fn
        return fn

    return register


def can(user: Any, action: str, obj: Any = None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    fn = _rules.get(action)
    return bool(fn and fn(user, obj))


def check(user: Any, action: str, obj: Any = None, *, message: str | None = None) -> None:
    """Raise PermissionDenied unless `user` may do `action` to `obj`."""
    if not can(user, action, obj):
        raise PermissionDenied(
            message or "You do not have permission to do this. Ask a workspace admin.",
            code="forbidden",
            extra={"action": action},
        )


def actions() -> list[str]:
    return sorted(_rules)
