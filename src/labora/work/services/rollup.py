"""Roll-ups of estimates and progress up the subtask tree, kept by the task services.

For every live task:
- a leaf (no live subtasks): rollup_estimate_minutes = its own estimate; progress = 100 when its
  status is in the done category, else 0;
- a parent: rollup_estimate_minutes = the sum of its children's roll-ups, cancelled leaves left
  out (None when nothing below has an estimate); progress = the done share of the work of the
  leaves below it, cancelled leaves left out: weighted by estimate when any of those leaves has
  one (leaves without an estimate then weigh nothing), else each leaf counts 1. A parent with no
  countable leaf is 100 when it is done itself, else 0.

`rollup_refresh` is called inside the writing transaction with the tasks whose estimate, status,
parent or liveness changed (and the old parents of moved tasks). It finds each one's top
ancestor (one query per level up), loads those trees (one query per level down: an exact leaf
count needs the whole subtree, not only the children), recomputes and writes the rows whose
values changed in one bulk update. Derived fields: no version bump and no event of their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from labora.work.models import Category, Task

MAX_DEPTH = 100  # parent cycles are refused by the services; this only bounds a broken tree


@dataclass
class _Node:
    pk: int
    parent_id: int | None
    estimate: int | None
    category: str
    rollup: int | None
    progress: int
    children: list[_Node] = field(default_factory=list)


@dataclass
class _Sums:
    """The countable (not cancelled) leaves below a node."""

    estimate: int = 0  # of all of them, for rollup_estimate_minutes
    any_estimate: bool = False  # one of them has an estimate (0 included)
    has_estimate: bool = False  # one of them has an estimate above 0: progress weighs by estimate
    done_estimate: int = 0
    leaves: int = 0
    done_leaves: int = 0

    def add(self, other: _Sums) -> None:
        self.estimate += other.estimate
        self.any_estimate = self.any_estimate or other.any_estimate
        self.has_estimate = self.has_estimate or other.has_estimate
        self.done_estimate += other.done_estimate
        self.leaves += other.leaves
        self.done_leaves += other.done_leaves


def _roots(start_ids: set[int]) -> set[int]:
    """The top live ancestors of the given live tasks (one query per level up).

    A live task under a trashed parent is a top ancestor: the trash is outside the live tree.
    """
    roots: set[int] = set()
    frontier = set(start_ids)
    below: dict[int, set[int]] = {}  # a frontier node -> the nodes of the level under it that led here
    seen: set[int] = set()
    for _ in range(MAX_DEPTH):
        if not frontier:
            break
        seen |= frontier
        parents = dict(Task.objects.filter(pk__in=frontier).values_list("pk", "parent_id"))
        next_below: dict[int, set[int]] = {}
        for pk in frontier:
            if pk not in parents:  # trashed: its children (if we came from them) are tops
                roots |= below.get(pk, set())
                continue
            parent = parents[pk]
            if parent is None:
                roots.add(pk)
            elif parent not in seen:  # (one already walked finds its own top)
                next_below.setdefault(parent, set()).add(pk)
        below = next_below
        frontier = set(next_below)
    return roots


_FIELDS = ("pk", "parent_id", "estimate_minutes", "status__category", "rollup_estimate_minutes", "progress")


def _load(roots: set[int]) -> list[_Node]:
    nodes: dict[int, _Node] = {}

    def add(rows: Iterable[tuple[int, int | None, int | None, str, int | None, int]]) -> set[int]:
        added = set()
        for pk, parent_id, estimate, category, rollup, progress in rows:
            if pk in nodes:
                continue
            nodes[pk] = _Node(pk, parent_id, estimate, category, rollup, progress)
            added.add(pk)
            if parent_id in nodes:
                nodes[parent_id].children.append(nodes[pk])
        return added

    frontier = add(Task.objects.filter(pk__in=roots).values_list(*_FIELDS))
    top = [nodes[pk] for pk in frontier]
    for _ in range(MAX_DEPTH):
        if not frontier:
            break
        frontier = add(Task.objects.filter(parent_id__in=frontier).values_list(*_FIELDS).order_by("pk"))
    return top


def _compute(node: _Node, changed: list[_Node]) -> _Sums:
    done = node.category == Category.DONE
    if not node.children:
        sums = _Sums()
        if node.category != Category.CANCELLED:
            sums = _Sums(
                estimate=node.estimate or 0,
                any_estimate=node.estimate is not None,
                has_estimate=node.estimate is not None and node.estimate > 0,
                done_estimate=(node.estimate or 0) if done else 0,
                leaves=1,
                done_leaves=1 if done else 0,
            )
        rollup, progress = node.estimate, 100 if done else 0
    else:
        sums = _Sums()
        for child in node.children:
            sums.add(_compute(child, changed))
        rollup = sums.estimate if sums.any_estimate else None
        if sums.has_estimate and sums.estimate > 0:
            progress = round(100 * sums.done_estimate / sums.estimate)
        elif sums.leaves:
            progress = round(100 * sums.done_leaves / sums.leaves)
        else:
            progress = 100 if done else 0
    if (rollup, progress) != (node.rollup, node.progress):
        node.rollup, node.progress = rollup, progress
        changed.append(node)
    return sums


def rollup_refresh(task_ids: Iterable[int | None]) -> int:
    """Recompute the roll-ups of the trees holding these tasks; returns how many rows changed."""
    start = {pk for pk in task_ids if pk is not None}
    if not start:
        return 0
    changed: list[_Node] = []
    for root in _load(_roots(start)):
        _compute(root, changed)
    if changed:
        Task.all_objects.bulk_update(
            [Task(pk=n.pk, rollup_estimate_minutes=n.rollup, progress=n.progress) for n in changed],
            ["rollup_estimate_minutes", "progress"],
        )
    return len(changed)
