"""Rules for one's own account: a user manages only their own tokens and profile."""

from __future__ import annotations

from typing import Any

from labora.core.policy import rule


@rule("account.update")
def _account_update(user: Any, target: Any) -> bool:
    return target is not None and target.pk == user.pk


@rule("token.manage")
def _token_manage(user: Any, token: Any) -> bool:
    return token is None or token.user_id == user.pk
