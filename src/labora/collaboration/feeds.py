"""Activity feeds: the activity log read per task, project, person or workspace.

One selector behind every feed page, the activity API and the live "new entries" fragment. It
starts from what the reader may see (labora.work.selectors.activity_project_filter: private
projects, guests) and leaves out addressed events — those whose data names an `audience`, such
as direct messages and read positions — which belong to their audience's inbox, not to a feed
anybody else reads. Newest first, paged by a cursor on the event id so that entries arriving
live at the top never shift the "load more" pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from labora.collaboration.models import ActivityEntry
from labora.core.errors import ValidationError
from labora.web import activity_text
from labora.workspaces.models import Membership, Workspace

FEED_PAGE = 30


def kinds() -> list[tuple[str, str]]:
    """(kind, label) of every kind of event a feed can be filtered by (apps add theirs)."""
    return list(activity_text.KINDS)


def kind_prefix(kind: str | None) -> str | None:
    """The event-name prefix of `kind`; None for no kind; ValidationError for an unknown one."""
    if not kind:
        return None
    prefix = activity_text.kind_prefix(kind)
    if prefix is None:
        known = ", ".join(k for k, _ in kinds())
        raise ValidationError(f"Unknown kind '{kind[:40]}': use one of {known}.", fields={"kind": "unknown kind"})
    return prefix


def feed_entries(
    *,
    workspace: Workspace,
    membership: Membership | None,
    task: str | None = None,
    project: str | None = None,
    actor_id: int | None = None,
    actor_email: str | None = None,
    kind: str | None = None,
    name_prefix: str | None = None,
) -> QuerySet[ActivityEntry]:
    """The entries of `workspace` the holder of `membership` may read, newest first (by event id),
    with their actors. One query. Raises ValidationError for an unknown `kind`."""
    from labora.work.selectors import activity_project_filter  # collaboration does not depend on work at import

    qs = (
        ActivityEntry.objects.filter(workspace=workspace)
        .filter(activity_project_filter(membership=membership))
        .exclude(data__has_key="audience")
        .select_related("actor")
    )
    if task:
        qs = qs.filter(task_key__iexact=task)
    if project:
        qs = qs.filter(project_key__iexact=project)
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    if actor_email:
        qs = qs.filter(actor__email__iexact=actor_email)
    prefix = kind_prefix(kind)
    if prefix:
        qs = qs.filter(name__startswith=prefix)
    if name_prefix:
        qs = qs.filter(name__startswith=name_prefix)
    return qs.order_by("-event_id")


@dataclass
class FeedPage:
    entries: list[ActivityEntry]
    has_more: bool

    @property
    def last_id(self) -> int | None:
        return self.entries[-1].event_id if self.entries else None

    @property
    def first_id(self) -> int | None:
        return self.entries[0].event_id if self.entries else None


def feed_page(
    entries: QuerySet[ActivityEntry], *, before: int | None = None, after: int | None = None, size: int = FEED_PAGE
) -> FeedPage:
    """One page of a feed: entries older than event `before` (load more), or newer than event
    `after` (what arrived live, at most one page), or the newest. One query."""
    if before is not None:
        entries = entries.filter(event_id__lt=before)
    if after is not None:
        entries = entries.filter(event_id__gt=after)
    rows = list(entries[: size + 1])
    return FeedPage(entries=rows[:size], has_more=len(rows) > size)


def person_for_feed(*, workspace: Workspace, who: str) -> Any:
    """The member of `workspace` named by `who` (@handle, public id or e-mail); NotFound otherwise."""
    from django.db.models import Q

    from labora.accounts.models import User
    from labora.core.errors import NotFound

    name = (who or "").strip().lstrip("@")
    person = (
        User.objects.filter(memberships__workspace=workspace)
        .filter(Q(handle__iexact=name) & ~Q(handle="") | Q(public_id=name) | Q(email__iexact=name))
        .first()
        if name
        else None
    )
    if person is None:
        raise NotFound(f"Nobody called '{name[:60]}' in this workspace.")
    return person
