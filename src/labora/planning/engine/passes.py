"""Forward and backward passes over a :class:`~labora.planning.engine.network.Network`.

Positions are working-day boundaries (see ``calendar``). The forward pass works on *keys*: twice
a position, minus one when the instant is the end of the previous working day rather than the
start of the next (Friday 17:00 versus Monday 08:00 — the same working time, different dates).
MS Project keeps that distinction: a milestone after a task that finishes on Friday is on Friday,
a milestone that starts with a task on Monday is on Monday, and a task whose finish is driven by
a start (start-to-finish) finishes "at 08:00" of the next day. A start rolls forward to the next
working time; adding a positive lag lands at the end of a working day, a lead (negative lag)
keeps the side it starts from. ``date = floor(key / 2)`` for either side. The backward pass and
the floats use positions.

Everything here is integer arithmetic on Python lists: the calendar is consulted only for
constraint dates, elapsed lags and the final (vectorised) conversion to dates.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable, Iterable
from datetime import date
from itertools import compress, repeat
from typing import Any

import numpy as np
import numpy.typing as npt

from labora.planning.engine.calendar import WorkingDays
from labora.planning.engine.model import ConstraintType, Task, TaskId, TaskSchedule
from labora.planning.engine.network import AGG, GATE, LEAF, Edge, Network

NEG = -(1 << 60)
POS = 1 << 60
MAX_CHAINS = 200

_TYPE_NAMES = {(True, False): "FS", (False, False): "SS", (True, True): "FF", (False, True): "SF"}


def _lag_days_key(k: int, lag: int) -> int:
    """Key ``k`` moved by a lag of ``lag`` working days (not elapsed)."""
    if lag <= 0:
        return k + 2 * lag  # a lead keeps the side it starts from
    return 2 * (((k + 1) >> 1) + lag) - 1  # a lag ends at the end of a working day


def edge_label(e: Edge) -> str:
    unit = "ed" if e.elapsed else "d"
    return f"{_TYPE_NAMES[(e.from_finish, e.to_finish)]} {e.lag:+d}{unit}"


_new_object = object.__new__
_SET = [getattr(TaskSchedule, name).__set__ for name in TaskSchedule.__slots__]
assert tuple(TaskSchedule.__slots__) == (
    "early_start",
    "early_finish",
    "late_start",
    "late_finish",
    "total_float_days",
    "free_float_days",
    "critical",
    "is_summary",
    "is_milestone",
    "conflicts",
)
_S0, _S1, _S2, _S3, _S4, _S5, _S6, _S7, _S8, _S9 = _SET


def _task_schedule(
    early_start: date,
    early_finish: date,
    late_start: date,
    late_finish: date,
    total_float_days: int,
    free_float_days: int,
    critical: bool,
    is_summary: bool,
    is_milestone: bool,
    conflicts: tuple[str, ...],
) -> TaskSchedule:
    """``TaskSchedule(...)`` without the frozen dataclass's ``__init__`` (``object.__setattr__``
    per field): the slots are set directly, which halves the cost of 100,000 results."""
    obj: TaskSchedule = _new_object(TaskSchedule)
    _S0(obj, early_start)
    _S1(obj, early_finish)
    _S2(obj, late_start)
    _S3(obj, late_finish)
    _S4(obj, total_float_days)
    _S5(obj, free_float_days)
    _S6(obj, critical)
    _S7(obj, is_summary)
    _S8(obj, is_milestone)
    _S9(obj, conflicts)
    return obj


class State:
    """The network plus every computed value, kept so that a change can be applied incrementally."""

    def __init__(self, net: Network, wd: WorkingDays) -> None:
        self.net = net
        self.wd = wd
        size = net.size
        self.es_k = [0] * size
        self.ef_k = [0] * size
        self.ls = [0] * size
        self.lf = [0] * size
        self.ls_lim = [POS] * size
        self.lf_lim = [POS] * size
        self.d_eff = [0] * size
        self.conflicts: list[tuple[str, ...]] = [()] * size
        self.pf = 0
        self.dur = [0] * size
        self.start_floor_k = [0] * size
        self.finish_floor_k = [NEG] * size
        self.fixed_es_k: list[int | None] = [None] * size
        self.fixed_ef_k: list[int | None] = [None] * size
        self.late_start_max = [POS] * size
        self.late_finish_max = [POS] * size
        self.check = [False] * size
        self.shown: dict[int, tuple[date | None, date | None]] = {}  # fixed dates shown as given
        self.done = [False] * size
        self.milestone_flags = [False] * net.n_tasks  # each task's is_milestone, read by _init_static
        # derived by derive_all() / propagate(), see "results" below
        self.es_x: list[int] = []
        self.ef_x: list[int] = []
        self.r_ls: list[int] = []
        self.r_lf: list[int] = []
        self.tf: list[int] = []
        self.slack: list[int] = []
        self.ff: list[int] = []
        self.critical: list[bool] = []
        self.crit_leaves: set[int] = set()
        self.tasks_out: dict[TaskId, TaskSchedule] = {}
        self.conflicts_out: dict[TaskId, tuple[str, ...]] = {}
        self.critical_path: list[TaskId] = []
        self.chains: list[list[TaskId]] = []
        self.chain_nodes: set[int] = set()
        self._init_static()

    # --- static data from the tasks ------------------------------------------------------------

    def _init_static(self, nodes: Iterable[int] | None = None) -> None:
        """Static data from the tasks (all of them, or the leaves ``nodes``, reset first)."""
        net, wd = self.net, self.wd
        if nodes is None:
            todo: Iterable[tuple[int, Task]] = enumerate(net.tasks)
        else:
            todo = [(v, net.tasks[v]) for v in nodes]
            for v, _ in todo:
                assert net.kind[v] == LEAF
                self.start_floor_k[v], self.finish_floor_k[v] = 0, NEG
                self.fixed_es_k[v] = self.fixed_ef_k[v] = None
                self.late_start_max[v] = self.late_finish_max[v] = POS
                self.shown.pop(v, None)
                self.conflicts[v] = ()
        kinds, dur, done, check, milestones = net.kind, self.dur, self.done, self.check, self.milestone_flags
        for v, task in todo:  # one pass over the task objects (they may lie anywhere in memory)
            milestones[v] = task.is_milestone
            kind = kinds[v]
            if (
                kind == LEAF
                and task.constraint_date is None
                and task.actual_start is None
                and task.actual_finish is None
                and not task.manually_scheduled
            ):  # the common case: nothing pins the task
                dur[v] = task.duration_days
                done[v] = check[v] = False
                continue
            target = net.gate_of[v] if kind == AGG else v
            if kind == LEAF:
                self.dur[v] = task.duration_days
                self.done[v] = task.actual_finish is not None
            c, cd = task.constraint, task.constraint_date
            if cd is not None and c != ConstraintType.ASAP:
                if c == ConstraintType.SNET:
                    self.start_floor_k[target] = max(0, 2 * wd.start_position(cd))
                elif c == ConstraintType.FNET and kind == LEAF:
                    self.finish_floor_k[v] = 2 * wd.finish_position(cd) - 1
                elif c == ConstraintType.SNLT:
                    self.late_start_max[v] = wd.start_position(cd)
                elif c == ConstraintType.FNLT:
                    self.late_finish_max[v] = wd.finish_position(cd)
                elif c == ConstraintType.MSO:
                    if kind == LEAF:
                        self.fixed_es_k[v] = 2 * wd.start_position(cd)
                    else:
                        self.start_floor_k[target] = max(0, 2 * wd.start_position(cd))
                    self.late_start_max[v] = wd.start_position(cd)
                elif c == ConstraintType.MFO:
                    if kind == LEAF:
                        self.fixed_ef_k[v] = 2 * wd.finish_position(cd) - 1
                    self.late_finish_max[v] = wd.finish_position(cd)
            if kind != LEAF:
                continue
            milestone = task.duration_days == 0
            if task.actual_start is not None or task.actual_finish is not None:
                self.fixed_es_k[v] = None if task.actual_start is None else 2 * wd.start_position(task.actual_start)
                self.fixed_ef_k[v] = None
                if task.actual_finish is not None:
                    fk = 2 * wd.finish_position(task.actual_finish) - 1
                    self.fixed_ef_k[v] = self.fixed_es_k[v] if milestone and self.fixed_es_k[v] is not None else fk
                self.shown[v] = (task.actual_start, task.actual_finish)
            elif task.manually_scheduled and task.start is not None:
                self.shown[v] = (task.start, task.finish if not milestone else None)
                self.fixed_es_k[v] = 2 * wd.start_position(task.start)
                self.fixed_ef_k[v] = None
                if task.finish is not None and not milestone:
                    self.fixed_ef_k[v] = 2 * wd.finish_position(task.finish) - 1
            self.check[v] = (
                self.fixed_es_k[v] is not None
                or self.fixed_ef_k[v] is not None
                or self.late_start_max[v] < POS
                or self.late_finish_max[v] < POS
            )

    def set_duration(self, v: int, days: int) -> None:
        """``net.tasks[v]`` has a new duration: a duration of 0 makes a milestone, which changes
        how manual and actual dates pin it, so the task's static data is derived again."""
        self.dur[v] = days
        self._init_static([v])

    # --- lags ------------------------------------------------------------------------------

    def lag_key(self, k: int, e: Edge) -> int:
        lag = e.lag
        if e.elapsed:
            wd = self.wd
            if k & 1:  # the end of working day x - 1
                x = (k + 1) >> 1
                day = wd.date_at(x - 1)
                target = date.fromordinal(day.toordinal() + lag)
                pos = wd.finish_position(target) - 1
                if wd.calendar.is_working(target):
                    return 2 * pos + 1
                return 2 * (pos + 1)
            day = wd.date_at(k >> 1)
            return 2 * wd.start_position(date.fromordinal(day.toordinal() + lag))
        if lag <= 0:
            return k + 2 * lag  # a lead keeps the side it starts from
        return 2 * (((k + 1) >> 1) + lag) - 1  # a lag ends at the end of a working day

    def lag_pos(self, x: int, e: Edge) -> int:
        if e.elapsed:
            return self.wd.shift_elapsed(x, e.lag, from_finish=e.from_finish)
        return x + e.lag

    def lag_back(self, limit: int, e: Edge) -> int:
        if e.elapsed:
            return self.wd.latest_elapsed_source(limit, e.lag, from_finish=e.from_finish)
        return limit - e.lag

    # --- forward -------------------------------------------------------------------------------

    def forward_node(self, v: int) -> bool:
        """Recompute ``v``'s early dates; True when they changed."""
        net = self.net
        kind = net.kind[v]
        es_k, ef_k = self.es_k, self.ef_k
        if kind == AGG:
            kids = net.children[v]
            es = min([es_k[c] for c in kids])
            ef = max([ef_k[c] for c in kids])
        elif kind == GATE:
            es = self.start_floor_k[v]
            g = net.parent_gate[v]
            if g >= 0 and es_k[g] > es:
                es = es_k[g]
            for u, c, e in net.in_links(v):
                k = ef_k[u] if c & 1 else es_k[u]
                if e is not None and e.elapsed:
                    k = self.lag_key(k, e)
                elif c >> 3:
                    k = _lag_days_key(k, c >> 3)
                if k > es:
                    es = k
            ef = es
        else:
            ks = self.start_floor_k[v]
            kf = self.finish_floor_k[v]
            g = net.parent_gate[v]
            if g >= 0 and es_k[g] > ks:
                ks = es_k[g]
            for u, c, e in net.in_links(v):
                k = ef_k[u] if c & 1 else es_k[u]
                if e is not None and e.elapsed:
                    k = self.lag_key(k, e)
                elif c >> 3:
                    k = _lag_days_key(k, c >> 3)
                if c & 2:
                    if k > kf:
                        kf = k
                elif k > ks:
                    ks = k
            d = self.dur[v]
            fs, ff = self.fixed_es_k[v], self.fixed_ef_k[v]
            de = d
            if fs is None and ff is None:
                if d:
                    ef = 2 * (((ks + 1) >> 1) + d) - 1
                    if kf > ef:
                        ef = kf
                    es = 2 * (((ef + 1) >> 1) - d)
                else:
                    es = ef = ks if ks > kf else kf
            elif fs is not None and ff is not None:
                es = fs
                de = max(0, ((ff + 1) >> 1) - (fs >> 1))
                ef = ff if de else fs
            elif fs is not None:
                es = fs
                ef = 2 * ((fs >> 1) + d) - 1 if d else fs
            else:
                assert ff is not None
                ef = ff
                es = 2 * (((ff + 1) >> 1) - d) if d else ff
            self.d_eff[v] = de
            if self.check[v]:
                self.conflicts[v] = self._conflicts(v, es, ef)
        if es != es_k[v] or ef != ef_k[v]:
            es_k[v] = es
            ef_k[v] = ef
            return True
        return False

    def _conflicts(self, v: int, es: int, ef: int) -> tuple[str, ...]:
        net, wd = self.net, self.wd
        task = net.tasks[v]
        xs, xf = (es + 1) >> 1, (ef + 1) >> 1
        messages = []
        if self.fixed_es_k[v] is not None or self.fixed_ef_k[v] is not None:
            g = net.parent_gate[v]
            if g >= 0 and (self.es_k[g] + 1) >> 1 > xs:
                summary = net.tasks[net.owner[g]].id
                when = wd.date_at((self.es_k[g] + 1) >> 1)
                messages.append(
                    f"its summary task {summary} cannot start before {when}, but the task starts on {wd.date_at(xs)}"
                )
            for e in net.in_edges[v]:
                k = self.ef_k[e.src] if e.from_finish else self.es_k[e.src]
                x = (self.lag_key(k, e) + 1) >> 1
                via = "" if e.key[1] == task.id else f" on summary task {e.key[1]}"
                if e.to_finish and x > xf:
                    messages.append(
                        f"the dependency on {e.key[0]} ({edge_label(e)}{via}) needs a finish on or after "
                        f"{wd.date_at(x - 1)}, but the task finishes on {wd.date_at(xf - 1)}"
                    )
                elif not e.to_finish and x > xs:
                    messages.append(
                        f"the dependency on {e.key[0]} ({edge_label(e)}{via}) needs a start on or after "
                        f"{wd.date_at(x)}, but the task starts on {wd.date_at(xs)}"
                    )
            if self.start_floor_k[v] > 0 and (self.start_floor_k[v] + 1) >> 1 > xs:
                messages.append(
                    f"start no earlier than {task.constraint_date} cannot be met: the task starts on {wd.date_at(xs)}"
                )
        if xs > self.late_start_max[v]:
            messages.append(
                f"{_CONSTRAINT_WORDS[task.constraint]} {task.constraint_date} cannot be met: "
                f"the earliest start is {wd.date_at(xs)}"
            )
        if xf > self.late_finish_max[v]:
            messages.append(
                f"{_CONSTRAINT_WORDS[task.constraint]} {task.constraint_date} cannot be met: "
                f"the earliest finish is {wd.date_at(max(xf - 1, xs))}"
            )
        return tuple(sorted(messages))

    def forward_all(self) -> None:
        """:meth:`forward_node` for every node in topological order; a plain leaf (no fixed
        dates, no constraint to check) is computed inline, the same way, from the network's edge
        columns (while they are fresh: a full schedule)."""
        net = self.net
        net.refresh_columns()
        kind, parent_gate = net.kind, net.parent_gate
        in_ptr, in_src, in_code, in_edge_at = net.in_ptr, net.in_src, net.in_code, net.in_edge_at
        es_k, ef_k, d_eff, dur = self.es_k, self.ef_k, self.d_eff, self.dur
        start_floor, finish_floor = self.start_floor_k, self.finish_floor_k
        fixed_es, fixed_ef, check = self.fixed_es_k, self.fixed_ef_k, self.check
        lag_key, forward_node = self.lag_key, self.forward_node
        for v in net.order():
            if kind[v] != LEAF or check[v] or fixed_es[v] is not None or fixed_ef[v] is not None:
                forward_node(v)
                continue
            ks = start_floor[v]
            kf = finish_floor[v]
            g = parent_gate[v]
            if g >= 0 and es_k[g] > ks:
                ks = es_k[g]
            for i in range(in_ptr[v], in_ptr[v + 1]):
                c = in_code[i]
                k = ef_k[in_src[i]] if c & 1 else es_k[in_src[i]]
                if c & 4:
                    k = lag_key(k, in_edge_at(i))
                elif c >= 8:  # a lag ends at the end of a working day
                    k = 2 * (((k + 1) >> 1) + (c >> 3)) - 1
                elif c < 0:  # a lead keeps the side it starts from
                    k += 2 * (c >> 3)
                if c & 2:
                    if k > kf:
                        kf = k
                elif k > ks:
                    ks = k
            d = dur[v]
            if d:
                ef = 2 * (((ks + 1) >> 1) + d) - 1
                if kf > ef:
                    ef = kf
                es = 2 * (((ef + 1) >> 1) - d)
            else:
                es = ef = ks if ks > kf else kf
            d_eff[v] = d
            es_k[v] = es
            ef_k[v] = ef
        self.pf = self._project_finish()

    def _project_finish(self) -> int:
        """The latest early finish key of a leaf (0 for none)."""
        return max(0, max(map(self.ef_k.__getitem__, self.net.leaves), default=0))

    # --- backward ------------------------------------------------------------------------------

    def backward_node(self, v: int) -> bool:
        net = self.net
        kind = net.kind[v]
        ls, lf = self.ls, self.lf
        if kind == GATE:
            value = self.pf_pos
            for c in net.gate_children[v]:
                if ls[c] < value:
                    value = ls[c]
            if value != ls[v]:
                ls[v] = lf[v] = value
                return True
            return False
        finish = self.pf_pos if kind == LEAF else min(self.pf_pos, self.late_finish_max[v])
        start = POS
        a = net.parent_agg[v]
        if a >= 0:
            if self.lf_lim[a] < finish:
                finish = self.lf_lim[a]
            if self.ls_lim[a] < POS and (self.es_k[v] + 1) >> 1 == (self.es_k[a] + 1) >> 1:
                start = self.ls_lim[a]
        for w, c, e in net.out_links(v):
            limit = lf[w] if c & 2 else ls[w]
            bound = self.lag_back(limit, e) if e is not None and e.elapsed else limit - (c >> 3)
            if c & 1:
                if bound < finish:
                    finish = bound
            elif bound < start:
                start = bound
        if self.late_start_max[v] < start:
            start = self.late_start_max[v]
        if kind == AGG:
            if finish != self.lf_lim[v] or start != self.ls_lim[v]:
                self.lf_lim[v] = finish
                self.ls_lim[v] = start
                return True
            return False
        if self.late_finish_max[v] < finish:
            finish = self.late_finish_max[v]
        de = self.d_eff[v]
        if start + de < finish:
            finish = start + de
        if finish != lf[v] or finish - de != ls[v]:
            lf[v] = finish
            ls[v] = finish - de
            return True
        return False

    @property
    def pf_pos(self) -> int:
        return (self.pf + 1) >> 1

    def backward_all(self) -> None:
        """:meth:`backward_node` for every node in reverse topological order; leaves inline,
        from the network's edge columns (while they are fresh)."""
        net = self.net
        net.refresh_columns()
        kind, parent_agg = net.kind, net.parent_agg
        out_ptr, out_dst, out_code, out_edge_at = net.out_ptr, net.out_dst, net.out_code, net.out_edge_at
        ls, lf, es_k, d_eff = self.ls, self.lf, self.es_k, self.d_eff
        ls_lim, lf_lim = self.ls_lim, self.lf_lim
        late_start_max, late_finish_max = self.late_start_max, self.late_finish_max
        lag_back, backward_node = self.lag_back, self.backward_node
        pf = self.pf_pos
        for v in reversed(net.order()):
            if kind[v] != LEAF:
                backward_node(v)
                continue
            finish = pf
            start = POS
            a = parent_agg[v]
            if a >= 0:
                if lf_lim[a] < finish:
                    finish = lf_lim[a]
                if ls_lim[a] < POS and (es_k[v] + 1) >> 1 == (es_k[a] + 1) >> 1:
                    start = ls_lim[a]
            for i in range(out_ptr[v], out_ptr[v + 1]):
                c = out_code[i]
                bound = lf[out_dst[i]] if c & 2 else ls[out_dst[i]]
                if c & 4:
                    bound = lag_back(bound, out_edge_at(i))
                else:
                    bound -= c >> 3
                if c & 1:
                    if bound < finish:
                        finish = bound
                elif bound < start:
                    start = bound
            if late_start_max[v] < start:
                start = late_start_max[v]
            if late_finish_max[v] < finish:
                finish = late_finish_max[v]
            de = d_eff[v]
            if start + de < finish:
                finish = start + de
            lf[v] = finish
            ls[v] = finish - de

    def backward_dependents(self, v: int) -> Iterable[int]:
        net = self.net
        yield from net.sources(v)
        if net.kind[v] == AGG:
            yield from net.children[v]
        elif net.parent_gate[v] >= 0:
            yield net.parent_gate[v]

    # --- incremental -------------------------------------------------------------------------

    def propagate(self, forward_seeds: Iterable[int], backward_seeds: Iterable[int]) -> None:
        """Recompute what the seeds affect, in topological order, forward then backward; then the
        floats, dates and ``TaskSchedule`` objects of the nodes whose values may have changed."""
        net, rank = self.net, self.net.rank
        forward_seeds, backward_seeds = set(forward_seeds), set(backward_seeds)
        heap = [(rank[v], v) for v in forward_seeds]
        heapq.heapify(heap)
        queued = set(forward_seeds)
        visited = set(forward_seeds)
        changed: set[int] = set()
        while heap:
            _, v = heapq.heappop(heap)
            queued.discard(v)
            if self.forward_node(v):
                changed.add(v)
                for w in net.forward_succs(v):
                    if w not in queued:
                        queued.add(w)
                        visited.add(w)
                        heapq.heappush(heap, (rank[w], w))
        old_pf = self.pf
        self.pf = self._project_finish()
        if (old_pf + 1) >> 1 != self.pf_pos:
            self.backward_all()
            self.derive_all()
            return
        seeds = backward_seeds | changed
        for v in changed:
            if net.kind[v] == AGG:
                seeds.update(net.children[v])
        bheap = [(-rank[v], v) for v in seeds]
        heapq.heapify(bheap)
        queued = set(seeds)
        bvisited = set(seeds)
        while bheap:
            _, v = heapq.heappop(bheap)
            queued.discard(v)
            if self.backward_node(v):
                for w in self.backward_dependents(v):
                    if w not in queued:
                        queued.add(w)
                        bvisited.add(w)
                        heapq.heappush(bheap, (-rank[w], w))
        self.derive_some(visited, changed, bvisited, forward_seeds | backward_seeds)

    # --- results -------------------------------------------------------------------------------
    #
    # Derived values are kept per node so that an incremental reschedule re-derives only the
    # nodes it touched: es_x/ef_x (early positions), r_ls/r_lf (late positions, summaries rolled
    # up from their children), tf (total float), slack (unclipped free float; for a gate, the
    # slack it passes on to the subtasks it starts), ff (free float), critical, and the
    # TaskSchedule objects themselves.

    def derive_all(self) -> None:
        """Derive floats, criticality, chains, dates and ``TaskSchedule`` objects for every task.

        Column by column with NumPy; the results are kept as lists (an incremental reschedule
        updates them in place). The ``TaskSchedule`` objects are made empty and filled one field
        at a time over all of them (``map`` over the slot setters runs in C)."""
        net = self.net
        n = net.n_tasks
        kind_a = net._h.kind
        es_k = np.array(self.es_k, dtype=np.int64)
        ef_k = np.array(self.ef_k, dtype=np.int64)
        es_x_a = (es_k + 1) >> 1
        ef_x_a = (ef_k + 1) >> 1
        ls, lf = list(self.ls), list(self.lf)
        children = net.children
        for v in net.aggregates_in_order():  # summaries span their children's late dates
            kids = children[v]
            ls[v] = min([ls[c] for c in kids])
            lf[v] = max([lf[c] for c in kids])
        ls_a = np.array(ls, dtype=np.int64)
        lf_a = np.array(lf, dtype=np.int64)
        summary_a = kind_a[:n] == AGG
        tf_a = np.where(summary_a, lf_a[:n] - ef_x_a[:n], ls_a[:n] - es_x_a[:n])
        pf = self.pf_pos
        es_x: list[int] = es_x_a.tolist()
        ef_x: list[int] = ef_x_a.tolist()
        slack = self._slack_all(es_x, ef_x, pf, es_x_a, ef_x_a)
        # free float never exceeds total float (the project finish can bind first)
        ff_a = np.minimum(np.array(slack[:n], dtype=np.int64), tf_a)
        critical_a = (tf_a <= 0) & ~np.array(self.done[:n], dtype=bool)
        tf: list[int] = tf_a.tolist()
        ff: list[int] = ff_a.tolist()
        critical: list[bool] = critical_a.tolist()
        self.es_x, self.ef_x, self.r_ls, self.r_lf = es_x, ef_x, ls, lf
        self.tf, self.slack, self.ff, self.critical = tf, slack, ff, critical
        self.crit_leaves = set(np.flatnonzero(critical_a & (kind_a[:n] == LEAF)).tolist())

        ids = net.ids
        summary_flags: list[bool] = summary_a.tolist()
        milestone_flags: list[bool] = (
            ~summary_a & ((np.array(self.d_eff[:n], dtype=np.int64) == 0) | np.array(self.milestone_flags, dtype=bool))
        ).tolist()
        conflicts = self.conflicts[:n]
        starts, finishes, late_starts, late_finishes = self._dates(list(range(n)), es_k, ef_k, ls_a, lf_a)
        objects = list(map(_new_object, repeat(TaskSchedule, n)))
        columns: tuple[list[Any], ...] = (
            starts,
            finishes,
            late_starts,
            late_finishes,
            tf,
            ff,
            critical,
            summary_flags,
            milestone_flags,
            conflicts,
        )
        for setter, column in zip(_SET, columns, strict=True):
            deque(map(setter, objects, column), maxlen=0)  # _task_schedule(...) for every task
        with_conflicts: Iterable[int] = compress(range(n), conflicts)
        inputs, position = net.input_order, net.position
        if inputs is not None and position is not None:  # tasks renumbered: back to the input's order
            ids = list(map(ids.__getitem__, inputs))
            objects = list(map(objects.__getitem__, inputs))
            with_conflicts = sorted(with_conflicts, key=position.__getitem__)
        self.tasks_out = dict(zip(ids, objects, strict=True))
        self.conflicts_out = {net.ids[v]: conflicts[v] for v in with_conflicts}
        self._derive_chains((es_x_a, ef_x_a, critical_a))

    def _slack_all(
        self, es_x: list[int], ef_x: list[int], pf: int, es: npt.NDArray[np.int64], ef: npt.NDArray[np.int64]
    ) -> list[int]:
        """Every node's slack (see :meth:`_slack_node`): the plain edges vectorised, then gates,
        the other edges and summaries in Python, then the leaves' summary term vectorised.
        ``es``/``ef`` are ``es_x``/``ef_x`` as arrays."""
        net = self.net
        size, kind = net.size, net.kind
        src, dst, code, special = net.edge_table()
        source = np.where(code & 1, ef[src], es[src])
        target = np.where(code & 2, ef[dst], es[dst])
        best = np.full(size, POS, dtype=np.int64)
        np.minimum.at(best, src, target - source - (code >> 2))
        slack: list[int] = best.tolist()
        gate_children = net.gate_children
        for g in sorted(range(net.n_tasks, size), key=net.rank.__getitem__, reverse=True):
            low = POS  # the slack a gate passes on to the subtasks it starts; child gates first
            for c in gate_children[g]:
                s = es_x[c] - es_x[g] + (slack[c] if kind[c] == GATE else 0)
                if s < low:
                    low = s
            slack[g] = low if low < POS else pf - es_x[g]
        lag_pos = self.lag_pos
        for e in special:  # elapsed lags, links into a summary's gate
            sv = ef_x[e.src] if e.from_finish else es_x[e.src]
            target_x = ef_x[e.dst] if e.to_finish else es_x[e.dst]
            s = target_x - (lag_pos(sv, e) if e.elapsed else sv + e.lag)
            if kind[e.dst] == GATE:
                s += slack[e.dst]
            if s < slack[e.src]:
                slack[e.src] = s
        parent_agg = net.parent_agg
        for a in reversed(net.aggregates_in_order()):  # parents before their child summaries
            low = slack[a]
            p = parent_agg[a]
            if p >= 0:
                s = ef_x[p] - ef_x[a] + slack[p]
                if s < low:
                    low = s
            slack[a] = low if low < POS else pf - ef_x[a]
        values = np.array(slack, dtype=np.int64)
        leaves = np.flatnonzero(np.array(kind, dtype=np.int64) == LEAF)
        parents = np.array(parent_agg, dtype=np.int64)[leaves]
        leaf_low = values[leaves]
        has = parents >= 0
        with_parent = leaves[has]
        leaf_low[has] = np.minimum(leaf_low[has], ef[parents[has]] - ef[with_parent] + values[parents[has]])
        values[leaves] = np.where(leaf_low < POS, leaf_low, pf - ef[leaves])
        result: list[int] = values.tolist()
        return result

    def _dates(
        self, nodes: list[int], *columns: npt.NDArray[np.int64]
    ) -> tuple[list[date], list[date], list[date], list[date]]:
        """Early and late dates of some tasks, converted at once; a finish (or a milestone) keeps
        the side its early key has; actual and manual dates are shown as given. ``nodes`` is
        ``0 .. n-1`` when ``columns`` (``es_k``, ``ef_k``, ``r_ls``, ``r_lf`` as arrays) are given."""
        count = len(nodes)
        if columns:
            es_k, ef_k, ls, lf = (column[:count] for column in columns)
        else:
            idx = np.array(nodes, dtype=np.int64)
            es_k = np.array(self.es_k, dtype=np.int64)[idx] if count else np.zeros(0, dtype=np.int64)
            ef_k = np.array(self.ef_k, dtype=np.int64)[idx] if count else np.zeros(0, dtype=np.int64)
            if count == len(self.r_ls) or count > 64:
                ls = np.array(self.r_ls, dtype=np.int64)[idx]
                lf = np.array(self.r_lf, dtype=np.int64)[idx]
            else:
                ls = np.array([self.r_ls[v] for v in nodes], dtype=np.int64)
                lf = np.array([self.r_lf[v] for v in nodes], dtype=np.int64)
        positions = np.concatenate([es_k >> 1, ef_k >> 1, (2 * ls - (es_k & 1)) >> 1, (2 * lf - (ef_k & 1)) >> 1])
        days = self.wd.date_list(positions)
        starts, finishes = days[:count], days[count : 2 * count]
        shown = self.shown
        if shown:
            for i, v in enumerate(nodes):
                given = shown.get(v)
                if given is not None:
                    if given[0] is not None:
                        starts[i] = given[0]
                    if given[1] is not None:
                        finishes[i] = given[1]
        return starts, finishes, days[2 * count : 3 * count], days[3 * count :]

    def _slack_node(self, v: int) -> int:
        """One node's slack, as :meth:`derive_all` computes it."""
        net, kind, es_x, ef_x, slack = self.net, self.net.kind, self.es_x, self.ef_x, self.slack
        pf = self.pf_pos
        if kind[v] == GATE:
            best = POS
            for c in net.gate_children[v]:
                s = es_x[c] - es_x[v] + (slack[c] if kind[c] == GATE else 0)
                if s < best:
                    best = s
            return best if best < POS else pf - es_x[v]
        best = POS
        for w, c, e in net.out_links(v):
            src = ef_x[v] if c & 1 else es_x[v]
            target = ef_x[w] if c & 2 else es_x[w]
            s = target - (self.lag_pos(src, e) if e is not None and e.elapsed else src + (c >> 3))
            if kind[w] == GATE:
                s += slack[w]
            if s < best:
                best = s
        a = net.parent_agg[v]
        if a >= 0:
            s = ef_x[a] - ef_x[v] + slack[a]
            if s < best:
                best = s
        return best if best < POS else pf - ef_x[v]

    def derive_some(self, visited: set[int], changed: set[int], bvisited: set[int], seeds: set[int]) -> None:
        """Re-derive after an incremental pass that kept the project finish.

        ``visited``/``changed``: nodes the forward pass recomputed / whose early dates changed;
        ``bvisited``: nodes the backward pass recomputed; ``seeds``: the nodes the change touched
        (their links or duration). Only these, the summaries above them and the nodes whose slack
        reads a changed value are re-derived.
        """
        net = self.net
        n, kind, rank = net.n_tasks, net.kind, net.rank
        es_x, ef_x, r_ls, r_lf = self.es_x, self.ef_x, self.r_ls, self.r_lf
        es_k, ef_k, ls, lf = self.es_k, self.ef_k, self.ls, self.lf
        for v in changed:
            es_x[v] = (es_k[v] + 1) >> 1
            ef_x[v] = (ef_k[v] + 1) >> 1
        touched = visited | bvisited | seeds
        aggs: set[int] = set()
        parent_agg = net.parent_agg
        for v in touched:
            if kind[v] == AGG:
                aggs.add(v)
            else:
                r_ls[v] = ls[v]
                r_lf[v] = lf[v]
            a = parent_agg[v]
            while a >= 0 and a not in aggs:
                aggs.add(a)
                a = parent_agg[a]
        children = net.children
        for v in sorted(aggs, key=rank.__getitem__):
            kids = children[v]
            r_ls[v] = min([r_ls[c] for c in kids])
            r_lf[v] = max([r_lf[c] for c in kids])
        dirty = {v for v in touched | aggs if v < n}  # tasks (gates are nodes n..)
        tf = self.tf
        for v in dirty:
            tf[v] = r_lf[v] - ef_x[v] if kind[v] == AGG else r_ls[v] - es_x[v]

        # slack: recompute from what changed, in reverse topological order, while it changes
        slack = self.slack
        start = set(seeds)
        for x in changed:
            start.add(x)
            start.update(net.sources(x))
            if net.parent_gate[x] >= 0:
                start.add(net.parent_gate[x])
            if kind[x] == AGG:
                start.update(children[x])
        heap = [(-rank[v], v) for v in start]
        heapq.heapify(heap)
        queued = set(start)
        while heap:
            _, v = heapq.heappop(heap)
            value = self._slack_node(v)
            if v < n:
                dirty.add(v)
            if value == slack[v]:
                continue
            slack[v] = value
            after: list[int] = []
            if kind[v] == GATE:
                after.extend(net.sources(v))
                if net.parent_gate[v] >= 0:
                    after.append(net.parent_gate[v])
            elif kind[v] == AGG:
                after.extend(children[v])
            for w in after:
                if w not in queued:
                    queued.add(w)
                    heapq.heappush(heap, (-rank[w], w))

        ff, critical, done, crit_leaves = self.ff, self.critical, self.done, self.crit_leaves
        crit_before = len(crit_leaves)
        crit_changed = False
        for v in dirty:
            ff[v] = slack[v] if slack[v] < tf[v] else tf[v]
            now = tf[v] <= 0 and not done[v]
            if now != critical[v]:
                critical[v] = now
                if kind[v] == LEAF:
                    crit_changed = True
                    if now:
                        crit_leaves.add(v)
                    else:
                        crit_leaves.discard(v)
        crit_changed = crit_changed or len(crit_leaves) != crit_before

        nodes = sorted(dirty)
        starts, finishes, late_starts, late_finishes = self._dates(nodes)
        ids, conflicts, milestone_flags, d_eff = net.ids, self.conflicts, self.milestone_flags, self.d_eff
        tasks = self.tasks_out.copy()
        conflict_map = self.conflicts_out.copy()
        for i, v in enumerate(nodes):
            summary = kind[v] == AGG
            tasks[ids[v]] = _task_schedule(
                starts[i],
                finishes[i],
                late_starts[i],
                late_finishes[i],
                tf[v],
                ff[v],
                critical[v],
                summary,
                not summary and (d_eff[v] == 0 or milestone_flags[v]),
                conflicts[v],
            )
            if conflicts[v]:
                conflict_map[ids[v]] = conflicts[v]
            else:
                conflict_map.pop(ids[v], None)
        self.tasks_out = tasks
        self.conflicts_out = conflict_map
        if crit_changed or not self.chain_nodes.isdisjoint(changed) or not self.chain_nodes.isdisjoint(seeds):
            self._derive_chains()
        else:
            self.critical_path = [ids[v] for v in sorted(crit_leaves, key=self._by_early_start())]
            self.chains = [list(chain) for chain in self.chains]

    def _by_early_start(self) -> Callable[[int], tuple[int, int]]:
        """Sort key for tasks: early start, then position in the input (ties as listed)."""
        es_x, position = self.es_x, self.net.position
        if position is None:
            return lambda v: (es_x[v], v)
        return lambda v: (es_x[v], position[v])

    def _derive_chains(self, arrays: tuple[npt.NDArray[Any], ...] | None = None) -> None:
        """Critical path and chains; ``arrays``: ``es_x``, ``ef_x`` and ``critical`` as NumPy
        arrays, when the caller has them."""
        es_x = self.es_x
        crit = sorted(self.crit_leaves, key=self._by_early_start())
        self.critical_path = [self.net.ids[v] for v in crit]
        self.chains, self.chain_nodes = self._chains(crit, self.critical, es_x, self.ef_x, arrays)

    def results(
        self,
    ) -> tuple[dict[TaskId, TaskSchedule], list[TaskId], list[list[TaskId]], dict[TaskId, tuple[str, ...]]]:
        """What the last :meth:`derive_all` / :meth:`propagate` derived."""
        return self.tasks_out, self.critical_path, self.chains, self.conflicts_out

    def _leaf_links(
        self,
        crit: list[int],
        critical: list[bool],
        es_x: list[int],
        ef_x: list[int],
        looked_at: set[int],
        arrays: tuple[npt.NDArray[Any], ...] | None,
    ) -> tuple[dict[int, list[int]], list[int]]:
        """What :meth:`_chains`' search from each critical leaf finds, with NumPy, for the leaves
        whose outgoing edges all are plain (into a leaf, working-day lag) and that do not drive
        their summary's finish: the critical leaves their driving edges reach, in order. Also
        marks what the search would have looked at; returns the other leaves, to search."""
        net = self.net
        size = net.size
        src, dst = net._e_src, net._e_dst  # the edge columns (fresh: a full schedule)
        code = net._e_code + 8 * net._e_lag
        kind = net._h.kind
        plain = (kind[dst] == LEAF) & (code & 4 == 0)
        if arrays is None:
            arrays = (np.array(es_x, dtype=np.int64), np.array(ef_x, dtype=np.int64), np.array(critical, dtype=bool))
        es, ef, critical_a = arrays
        leaves = np.array(crit, dtype=np.int64)
        # a leaf with a special edge, or whose finish drives its summary's: searched in Python
        special = np.zeros(size, dtype=bool)
        special[src[~plain]] = True
        parents = net._h.parent_agg[leaves]
        drives_parent = (parents >= 0) & (ef[np.maximum(parents, 0)] == ef[leaves])
        easy = ~special[leaves] & ~drives_parent
        chosen = leaves[easy]
        mine = np.zeros(size, dtype=bool)
        mine[chosen] = True
        rows = np.flatnonzero(mine[src])
        looked_at.update(chosen.tolist())
        looked_at.update(dst[rows].tolist())
        looked_at.update(parents[easy].tolist())
        s, w, c = src[rows], dst[rows], code[rows]
        source = np.where(c & 1, ef[s], es[s])
        target = np.where(c & 2, ef[w], es[w])
        hit = (target == source + (c >> 3)) & critical_a[w] & (w != s)
        s, w = s[hit], w[hit]
        position = net.position
        tie = w if position is None else np.array(position, dtype=np.int64)[w]
        by = np.lexsort((tie, es[w], s))  # by source, then as _by_early_start sorts
        s, w = s[by].tolist(), w[by].tolist()
        found: dict[int, list[int]] = {u: [] for u in chosen.tolist()}
        for u, v in zip(s, w, strict=True):
            nxt = found[u]
            if not nxt or nxt[-1] != v:  # two edges from one task to a leaf: a link into its summary too
                nxt.append(v)
        return found, leaves[~easy].tolist()

    def _chains(
        self,
        crit: list[int],
        critical: list[bool],
        es_x: list[int],
        ef_x: list[int],
        arrays: tuple[npt.NDArray[Any], ...] | None = None,
    ) -> tuple[list[list[TaskId]], set[int]]:
        """Chains of critical leaves linked by driving (zero-slack) dependencies, and every node
        the search looked at (a change elsewhere cannot change the chains)."""
        net = self.net
        kind = net.kind
        looked_at: set[int] = set()

        def driven(u: int) -> set[int]:
            found: set[int] = set()
            stack = [u]
            seen = {u}
            while stack:
                x = stack.pop()
                if kind[x] == LEAF and x != u:
                    if critical[x]:
                        found.add(x)
                    continue
                looked_at.add(x)
                for w, c, e in net.out_links(x):
                    looked_at.add(w)
                    if kind[x] == AGG and not c & 1:
                        continue  # reached through the summary's finish, not its start
                    src = ef_x[x] if c & 1 else es_x[x]
                    target = ef_x[w] if c & 2 else es_x[w]
                    lagged = self.lag_pos(src, e) if e is not None and e.elapsed else src + (c >> 3)
                    if target == lagged and w not in seen:
                        seen.add(w)
                        stack.append(w)
                if kind[x] == GATE:
                    for c in net.gate_children[x]:
                        looked_at.add(c)
                        if es_x[c] == es_x[x] and c not in seen:
                            seen.add(c)
                            stack.append(c)
                a = net.parent_agg[x]
                looked_at.add(a)
                if a >= 0 and ef_x[a] == ef_x[x] and a not in seen:
                    seen.add(a)
                    stack.append(a)
            found.discard(u)
            return found

        by_early_start = self._by_early_start()
        succ: dict[int, list[int]] = {}
        has_pred: set[int] = set()
        searched = crit
        if net.columns_fresh and crit:
            simple, searched = self._leaf_links(crit, critical, es_x, ef_x, looked_at, arrays)
            succ.update(simple)
            for nxt in simple.values():
                has_pred.update(nxt)
        for u in searched:
            nxt = sorted(driven(u), key=by_early_start)
            succ[u] = nxt
            has_pred.update(nxt)
        chains: list[list[TaskId]] = []
        ids = net.ids
        runs: dict[int, tuple[list[TaskId], int]] = {}

        def run_from(y: int) -> tuple[list[TaskId], int]:
            """The ids from ``y`` along its only driving successor while there is exactly one, and
            the node the run ends on: the walk below copies runs, not single steps."""
            cached = runs.get(y)
            if cached is None:
                names = [ids[y]]
                x = y
                while len(succ[x]) == 1:
                    x = succ[x][0]
                    names.append(ids[x])
                cached = runs[y] = (names, x)
            return cached

        for source in crit:
            if source in has_pred or len(chains) >= MAX_CHAINS:
                continue
            # depth-first over the driving links (a DAG), one shared path: no copying per step
            run, last = run_from(source)
            path = list(run)
            stack = [(0, last, iter(succ[last]))]
            while stack and len(chains) < MAX_CHAINS:
                before, last, branches = stack[-1]
                step = next(branches, None)
                if step is None:
                    if not succ[last]:
                        chains.append(path.copy())
                    del path[before:]
                    stack.pop()
                    continue
                run, last = run_from(step)
                stack.append((len(path), last, iter(succ[last])))
                path.extend(run)
        return chains, looked_at


_CONSTRAINT_WORDS = {
    ConstraintType.ASAP: "as soon as possible",
    ConstraintType.SNET: "start no earlier than",
    ConstraintType.SNLT: "start no later than",
    ConstraintType.FNET: "finish no earlier than",
    ConstraintType.FNLT: "finish no later than",
    ConstraintType.MSO: "must start on",
    ConstraintType.MFO: "must finish on",
}
