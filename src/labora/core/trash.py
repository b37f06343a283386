"""Soft deletion (DESIGN.md §3 "Data safety"): a row goes to the trash with who and when,
and comes back; both are versioned writes. Callers lock the row and record the event."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

_FIELDS = ["deleted_at", "deleted_by", "version", "updated_at"]


def move_to_trash(obj: Any, *, actor: Any) -> None:
    obj.deleted_at = timezone.now()
    obj.deleted_by = actor
    obj.version += 1
    obj.save(update_fields=_FIELDS)


def take_from_trash(obj: Any) -> None:
    obj.deleted_at = None
    obj.deleted_by = None
    obj.version += 1
    obj.save(update_fields=_FIELDS)
