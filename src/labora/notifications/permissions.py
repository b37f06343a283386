"""Who may do what with notifications. Everyone manages only their own inbox and preferences;
the selectors scope every read to the recipient, so another person's notification is a 404."""

from __future__ import annotations

from typing import Any

from labora.core.policy import rule


@rule("notification.manage")
def _manage(user: Any, membership: Any) -> bool:
    """Read, mark, archive one's own notifications and set one's preferences in a workspace."""
    return membership is not None and membership.user_id == user.pk
