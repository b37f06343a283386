"""@mentions and task references in Markdown text (comments, chat messages).

The public API — small on purpose, shared by comments and chat:

``parse(body) -> Parsed``
    Pure (no database): the ``@names`` and task keys written in a Markdown body, in order of first
    appearance, without duplicates. ``Parsed.mentions`` holds what followed each ``@``: a handle
    (``@ann``), an e-mail (``@ann@example.com``) or a team written as its name slugified
    (``@design-team`` for the team "Design team"); lower-cased. ``Parsed.references`` holds task
    keys written ``#OPS-12`` or bare ``OPS-12``; upper-cased. Text in code spans and fenced code
    blocks is ignored, so is an ``@`` inside a word (``ann@example.com`` is an address, not a
    mention) or after ``/`` (URLs). Never raises. At most ``MAX_ITEMS`` of each are kept.

``resolve(*, workspace, author, parsed) -> Resolved``
    Maps the names to *members of the workspace*: a handle or e-mail of a member becomes that
    user; otherwise a team slug becomes the team and its members (those still in the workspace).
    Anybody else resolves to nothing — they are not notified and their name renders as plain text.
    References resolve only to live tasks the *author* may see. ``Resolved.user_ids`` is the
    sorted, de-duplicated list of people to notify (direct mentions + expanded teams, the author
    left out). A few queries, whatever the number of names (users, teams, team members, tasks).
    It may name members who cannot see what is being discussed: narrow it to your audience
    before notifying (comments keep those who may see the project: services._render).

``render(body, *, resolved, workspace_slug) -> str``
    The body as sanitised HTML (labora.work.markdown's nh3 pipeline) with resolved mentions as
    ``<span class="mention">@ann</span>`` and resolved references as
    ``<a class="task-ref" href="/w/<ws>/tasks/OPS-12/" data-task-ref="OPS-12">OPS-12</a>``.
    Only text outside code, pre and links is touched; the markup added here never comes from the
    user (nh3 has already dropped every class/data attribute they wrote).

``restrict_refs(html, *, visible_keys) -> str``
    Read-time filter for a viewer: turns the task-ref links whose key is not in ``visible_keys``
    back into plain text (a stored body was linked for its author, who may see more than the
    viewer). ``ref_keys(html)`` lists the keys linked in a stored body, to fetch the visible ones
    in one query for a whole page of bodies.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

MAX_ITEMS = 50

# What may follow "@": an e-mail address or a handle/team slug. An "@" preceded by a word
# character, a dot, a slash or another "@" is part of an address or a URL, not a mention.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"  # one part of a domain name
_EMAIL = rf"[A-Za-z0-9][A-Za-z0-9._%+-]*@{_LABEL}(?:\.{_LABEL})+"
# Handles may hold dots and dashes inside (accounts: "maya.chen"), never at the end: in "@ann."
# the dot ends the sentence.
_SLUG = r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?"
MENTION_RE = re.compile(rf"(?<![\w@./+-])@({_EMAIL}|{_SLUG})(?![\w@])")
# A task key: the project key's shape (work.services.projects.KEY_RE) + "-" + number.
REFERENCE_RE = re.compile(r"(?<![\w/#.-])#?([A-Z][A-Z0-9]{1,9}-[1-9][0-9]{0,9})(?![\w-])")
_FENCE_RE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})")
_CODE_SPAN_RE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)


@dataclass(frozen=True)
class Parsed:
    mentions: tuple[str, ...] = ()
    references: tuple[str, ...] = ()


def _prose(body: str) -> str:
    """`body` with fenced code blocks and code spans blanked out (replaced by spaces)."""
    lines: list[str] = []
    fence: str | None = None
    for line in body.splitlines():
        match = _FENCE_RE.match(line)
        if fence is None and match:
            fence = match.group(1)[0] * len(match.group(1))
            lines.append("")
            continue
        if fence is not None:
            if match and match.group(1).startswith(fence) and line.strip() == match.group(1):
                fence = None
            lines.append("")
            continue
        lines.append(line)
    text = "\n".join(lines)
    return _CODE_SPAN_RE.sub(lambda m: " " * len(m.group(0)), text)


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))[:MAX_ITEMS]


def parse(body: str | None) -> Parsed:
    """The mentions and task references of a Markdown `body` (see the module docstring)."""
    if not body:
        return Parsed()
    text = _prose(str(body))
    mentions = [m.group(1).lower() for m in MENTION_RE.finditer(text)]
    references = [m.group(1).upper() for m in REFERENCE_RE.finditer(text)]
    return Parsed(mentions=_unique(mentions), references=_unique(references))


def team_slug(name: str) -> str:
    """How a team is written after "@": its name lower-cased, runs of other characters as "-"."""
    return re.sub(r"[^a-z0-9_]+", "-", name.lower()).strip("-")


@dataclass
class Resolved:
    users: list[Any] = field(default_factory=list)  # mentioned directly, members of the workspace
    teams: list[Any] = field(default_factory=list)
    team_users: list[Any] = field(default_factory=list)  # members of those teams
    tasks: dict[str, Any] = field(default_factory=dict)  # key -> Task the author may see
    author_id: int | None = None
    # name written after "@" (lower-case) -> ("user", User) or ("team", Team)
    names: dict[str, tuple[str, Any]] = field(default_factory=dict)

    @property
    def user_ids(self) -> list[int]:
        """Everyone to notify: direct mentions and team members, without the author."""
        ids = {u.pk for u in self.users} | {u.pk for u in self.team_users}
        ids.discard(self.author_id)
        return sorted(ids)

    @property
    def team_names(self) -> list[str]:
        return [t.name for t in self.teams]


def resolve(*, workspace: Any, author: Any, parsed: Parsed) -> Resolved:
    """Map `parsed` to members, teams and tasks of `workspace` (see the module docstring)."""
    from django.db.models import Q
    from django.db.models.functions import Lower

    from labora.accounts.models import User
    from labora.work.models import Task
    from labora.work.selectors import visible_projects
    from labora.workspaces.models import Membership, Team

    result = Resolved(author_id=getattr(author, "pk", None))
    names = list(parsed.mentions)
    if names:
        emails = [n for n in names if "@" in n]
        handles = [n for n in names if "@" not in n]
        members = User.objects.filter(memberships__workspace=workspace, is_active=True).annotate(
            handle_lower=Lower("handle"), email_lower=Lower("email")
        )
        members = members.filter(Q(email_lower__in=emails) | (Q(handle_lower__in=handles) & ~Q(handle="")))
        by_name: dict[str, Any] = {}
        for member in members:
            by_name[member.email_lower] = member
            if member.handle_lower:
                by_name[member.handle_lower] = member
        seen: set[int] = set()
        for name in names:
            person = by_name.get(name)
            if person is not None:
                result.names[name] = ("user", person)
                if person.pk not in seen:
                    seen.add(person.pk)
                    result.users.append(person)
        left = [n for n in handles if n not in result.names]
        if left:
            teams = [t for t in Team.objects.filter(workspace=workspace) if team_slug(t.name) in left]
            if teams:
                in_workspace = Membership.objects.filter(workspace=workspace).values("user_id")
                team_members = (
                    User.objects.filter(teams__in=teams, is_active=True, pk__in=in_workspace).distinct().order_by("pk")
                )
                result.team_users = list(team_members)
                for team in teams:
                    result.names[team_slug(team.name)] = ("team", team)
                result.teams = teams
    if parsed.references and getattr(author, "pk", None):
        keys: Q = Q(pk__in=[])
        for ref in parsed.references:
            project_key, _, number = ref.partition("-")
            keys |= Q(project__key=project_key, number=int(number))
        visible = visible_projects(user=author, workspace=workspace).values("pk")
        tasks = Task.objects.filter(workspace=workspace, project__in=visible).filter(keys).select_related("project")
        found = {t.key: t for t in tasks}
        result.tasks = {ref: found[ref] for ref in parsed.references if ref in found}
    return result


# --- rendering -----------------------------------------------------------------------------

_SKIP_TAGS = {"code", "pre", "a"}
_VOID_TAGS = {"br", "hr", "img"}


class _Linker(HTMLParser):
    """Re-emits sanitised HTML, replacing resolved mentions/references in plain text runs."""

    def __init__(self, resolved: Resolved, workspace_slug: str) -> None:
        super().__init__(convert_charrefs=True)
        self.resolved = resolved
        self.slug = workspace_slug
        self.out: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or "")
        if tag in _SKIP_TAGS and tag not in _VOID_TAGS:
            self.skip += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        self.out.append(f"</{tag}>")
        if tag in _SKIP_TAGS and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if self.skip:
            self.out.append(html_lib.escape(data, quote=False))
            return
        self.out.append(self._link(data))

    def _link(self, text: str) -> str:
        pieces: list[tuple[int, int, str]] = []
        for m in MENTION_RE.finditer(text):
            hit = self.resolved.names.get(m.group(1).lower())
            if hit is None:
                continue
            kind, obj = hit
            label = html_lib.escape(m.group(0), quote=False)
            if kind == "user":
                title = html_lib.escape(obj.display_name)
                pieces.append(
                    (
                        m.start(),
                        m.end(),
                        f'<span class="mention" data-user="{obj.public_id}" title="{title}">{label}</span>',
                    )
                )
            else:
                title = html_lib.escape(obj.name)
                pieces.append(
                    (m.start(), m.end(), f'<span class="mention mention-team" title="{title}">{label}</span>')
                )
        for m in REFERENCE_RE.finditer(text):
            key = m.group(1)
            if key not in self.resolved.tasks or any(s <= m.start() < e for s, e, _ in pieces):
                continue
            href = f"/w/{self.slug}/tasks/{key}/"
            pieces.append(
                (
                    m.start(),
                    m.end(),
                    f'<a class="task-ref" href="{href}" data-task-ref="{key}">{html_lib.escape(m.group(0))}</a>',
                )
            )
        if not pieces:
            return html_lib.escape(text, quote=False)
        pieces.sort()
        out: list[str] = []
        at = 0
        for start, end, markup in pieces:
            if start < at:
                continue
            out.append(html_lib.escape(text[at:start], quote=False))
            out.append(markup)
            at = end
        out.append(html_lib.escape(text[at:], quote=False))
        return "".join(out)


def render(body: str, *, resolved: Resolved, workspace_slug: str) -> str:
    """`body` as sanitised HTML with resolved mentions and references marked up."""
    from labora.work.markdown import render_markdown

    clean = str(render_markdown(body))
    if not clean or (not resolved.names and not resolved.tasks):
        return clean
    linker = _Linker(resolved, workspace_slug)
    linker.feed(clean)
    linker.close()
    return "".join(linker.out)


_REF_LINK_RE = re.compile(r'<a class="task-ref" href="[^"]*" data-task-ref="([A-Z0-9-]+)">(.*?)</a>', re.DOTALL)


def ref_keys(html: str) -> set[str]:
    """The task keys linked in a rendered body."""
    return {m.group(1) for m in _REF_LINK_RE.finditer(html or "")}


def restrict_refs(html: str, *, visible_keys: set[str]) -> str:
    """`html` with the task-ref links the viewer may not follow turned back into their text."""
    if not html or "task-ref" not in html:
        return html
    return _REF_LINK_RE.sub(lambda m: m.group(0) if m.group(1) in visible_keys else m.group(2), html)
