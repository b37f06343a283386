"""Notifications: the in-app inbox, e-mail per event and digests, per-user preferences."""

from __future__ import annotations
