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
from collections.abc import Iterable
from datetime import date

import numpy as np

from labora.planning.engine.calendar import WorkingDays
from labora.planning.engine.model import ConstraintType, TaskId, TaskSchedule
from labora.planning.engine.network import AGG, GATE, LEAF, Edge, Network

NEG = -(1 << 60)
POS = 1 << 60
MAX_CHAINS = 200

_TYPE_NAMES = {(True, False): "FS", (False, False): "SS", (True, True): "FF", (False, True): "SF"}


def edge_label(e: Edge) -> str:
    unit = "ed" if e.elapsed else "d"
    return f"{_TYPE_NAMES[(e.from_finish, e.to_finish)]} {e.lag:+d}{unit}"


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
        self._init_static()

    # --- static data from the tasks ------------------------------------------------------------

    def _init_static(self) -> None:
        net, wd = self.net, self.wd
        for v, task in enumerate(net.tasks):
            kind = net.kind[v]
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
        self.dur[v] = days

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
            es = min(es_k[c] for c in kids)
            ef = max(ef_k[c] for c in kids)
        elif kind == GATE:
            es = self.start_floor_k[v]
            g = net.parent_gate[v]
            if g >= 0 and es_k[g] > es:
                es = es_k[g]
            for e in net.in_edges[v]:
                k = ef_k[e.src] if e.from_finish else es_k[e.src]
                if e.lag or e.elapsed:
                    k = self.lag_key(k, e)
                if k > es:
                    es = k
            ef = es
        else:
            ks = self.start_floor_k[v]
            kf = self.finish_floor_k[v]
            g = net.parent_gate[v]
            if g >= 0 and es_k[g] > ks:
                ks = es_k[g]
            for e in net.in_edges[v]:
                k = ef_k[e.src] if e.from_finish else es_k[e.src]
                if e.lag or e.elapsed:
                    k = self.lag_key(k, e)
                if e.to_finish:
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
        for v in self.net.order():
            self.forward_node(v)
        self.pf = self._project_finish()

    def _project_finish(self) -> int:
        best = 0
        ef_k, kind = self.ef_k, self.net.kind
        for v in range(self.net.n_tasks):
            if kind[v] == LEAF and ef_k[v] > best:
                best = ef_k[v]
        return best

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
        for e in net.out_edges[v]:
            limit = lf[e.dst] if e.to_finish else ls[e.dst]
            bound = self.lag_back(limit, e) if (e.lag or e.elapsed) else limit
            if e.from_finish:
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
        order = self.net.order()
        for i in range(len(order) - 1, -1, -1):
            self.backward_node(order[i])

    def backward_dependents(self, v: int) -> Iterable[int]:
        net = self.net
        for e in net.in_edges[v]:
            yield e.src
        if net.kind[v] == AGG:
            yield from net.children[v]
        elif net.parent_gate[v] >= 0:
            yield net.parent_gate[v]

    # --- incremental -------------------------------------------------------------------------

    def propagate(self, forward_seeds: Iterable[int], backward_seeds: Iterable[int]) -> None:
        """Recompute what the seeds affect, in topological order, forward then backward."""
        net, rank = self.net, self.net.rank
        heap = [(rank[v], v) for v in set(forward_seeds)]
        heapq.heapify(heap)
        queued = {v for _, v in heap}
        changed: set[int] = set()
        while heap:
            _, v = heapq.heappop(heap)
            queued.discard(v)
            if self.forward_node(v):
                changed.add(v)
                for w in net.forward_succs(v):
                    if w not in queued:
                        queued.add(w)
                        heapq.heappush(heap, (rank[w], w))
        old_pf = self.pf
        self.pf = self._project_finish()
        if (old_pf + 1) >> 1 != self.pf_pos:
            self.backward_all()
            return
        seeds = set(backward_seeds) | changed
        for v in changed:
            if net.kind[v] == AGG:
                seeds.update(net.children[v])
        bheap = [(-rank[v], v) for v in seeds]
        heapq.heapify(bheap)
        queued = set(seeds)
        while bheap:
            _, v = heapq.heappop(bheap)
            queued.discard(v)
            if self.backward_node(v):
                for w in self.backward_dependents(v):
                    if w not in queued:
                        queued.add(w)
                        heapq.heappush(bheap, (-rank[w], w))

    # --- results -------------------------------------------------------------------------------

    def results(
        self,
    ) -> tuple[dict[TaskId, TaskSchedule], list[TaskId], list[list[TaskId]], dict[TaskId, tuple[str, ...]]]:
        net, wd = self.net, self.wd
        n, size = net.n_tasks, net.size
        kind = net.kind
        es_x = [(k + 1) >> 1 for k in self.es_k]
        ef_x = [(k + 1) >> 1 for k in self.ef_k]
        ls, lf = list(self.ls), list(self.lf)
        order = net.order()
        for v in order:  # summaries span their children's late dates
            if kind[v] == AGG:
                kids = net.children[v]
                ls[v] = min(ls[c] for c in kids)
                lf[v] = max(lf[c] for c in kids)
        pf = self.pf_pos
        tf = [0] * size
        for v in range(n):
            tf[v] = lf[v] - ef_x[v] if kind[v] == AGG else ls[v] - es_x[v]
        # free float; gates pass on the slack of the subtasks they start
        ff = [0] * size
        through = [0] * size
        for i in range(size - 1, -1, -1):
            v = order[i]
            if kind[v] == GATE:
                best = POS
                for c in net.gate_children[v]:
                    s = es_x[c] - es_x[v] + (through[c] if kind[c] == GATE else 0)
                    if s < best:
                        best = s
                through[v] = best if best < POS else pf - es_x[v]
                continue
            best = POS
            for e in net.out_edges[v]:
                src = ef_x[v] if e.from_finish else es_x[v]
                target = ef_x[e.dst] if e.to_finish else es_x[e.dst]
                s = target - (self.lag_pos(src, e) if e.elapsed else src + e.lag)
                if kind[e.dst] == GATE:
                    s += through[e.dst]
                if s < best:
                    best = s
            a = net.parent_agg[v]
            if a >= 0:
                s = ef_x[a] - ef_x[v] + ff[a]
                if s < best:
                    best = s
            ff[v] = best if best < POS else pf - ef_x[v]
        for v in range(n):
            if ff[v] > tf[v]:  # free float never exceeds total float (the project finish can bind first)
                ff[v] = tf[v]
        critical = [tf[v] <= 0 and not self.done[v] for v in range(n)]

        # dates, all at once: a finish (or a milestone) keeps the side its early key has
        es_k, ef_k = self.es_k, self.ef_k
        early_start = [es_k[v] >> 1 for v in range(n)]
        early_finish = [ef_k[v] >> 1 for v in range(n)]
        late_start = [2 * ls[v] - (es_k[v] & 1) >> 1 for v in range(n)]
        late_finish = [2 * lf[v] - (ef_k[v] & 1) >> 1 for v in range(n)]
        positions = np.array(early_start + early_finish + late_start + late_finish, dtype=np.int64)
        days = wd.dates(positions).tolist()
        for v, (shown_start, shown_finish) in self.shown.items():
            # actuals and manual dates are facts: shown as given, even on a non-working day
            if shown_start is not None:
                days[v] = shown_start
            if shown_finish is not None:
                days[n + v] = shown_finish
        tasks: dict[TaskId, TaskSchedule] = {}
        conflicts: dict[TaskId, tuple[str, ...]] = {}
        for v in range(n):
            task = net.tasks[v]
            summary = kind[v] == AGG
            milestone = not summary and (self.d_eff[v] == 0 or task.is_milestone)
            tasks[task.id] = TaskSchedule(
                early_start=days[v],
                early_finish=days[n + v],
                late_start=days[2 * n + v],
                late_finish=days[3 * n + v],
                total_float_days=tf[v],
                free_float_days=ff[v],
                critical=critical[v],
                is_summary=summary,
                is_milestone=milestone,
                conflicts=self.conflicts[v],
            )
            if self.conflicts[v]:
                conflicts[task.id] = self.conflicts[v]
        crit_leaves = sorted((v for v in range(n) if critical[v] and kind[v] == LEAF), key=lambda v: (es_x[v], v))
        chains = self._chains(crit_leaves, critical, es_x, ef_x)
        return tasks, [net.tasks[v].id for v in crit_leaves], chains, conflicts

    def _chains(self, crit: list[int], critical: list[bool], es_x: list[int], ef_x: list[int]) -> list[list[TaskId]]:
        """Chains of critical leaves linked by driving (zero-slack) dependencies."""
        net = self.net
        kind = net.kind

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
                for e in net.out_edges[x]:
                    if kind[x] == AGG and not e.from_finish:
                        continue  # reached through the summary's finish, not its start
                    src = ef_x[x] if e.from_finish else es_x[x]
                    target = ef_x[e.dst] if e.to_finish else es_x[e.dst]
                    if target == self.lag_pos(src, e) and e.dst not in seen:
                        seen.add(e.dst)
                        stack.append(e.dst)
                if kind[x] == GATE:
                    for c in net.gate_children[x]:
                        if es_x[c] == es_x[x] and c not in seen:
                            seen.add(c)
                            stack.append(c)
                a = net.parent_agg[x]
                if a >= 0 and ef_x[a] == ef_x[x] and a not in seen:
                    seen.add(a)
                    stack.append(a)
            found.discard(u)
            return found

        succ: dict[int, list[int]] = {}
        has_pred: set[int] = set()
        for u in crit:
            nxt = sorted(driven(u), key=lambda v: (es_x[v], v))
            succ[u] = nxt
            has_pred.update(nxt)
        chains: list[list[TaskId]] = []
        for source in crit:
            if source in has_pred or len(chains) >= MAX_CHAINS:
                continue
            # depth-first over the driving links (a DAG), one shared path: no copying per step
            path = [source]
            branches = [iter(succ[source])]
            while branches and len(chains) < MAX_CHAINS:
                step = next(branches[-1], None)
                if step is None:
                    if not succ[path[-1]]:
                        chains.append([net.tasks[v].id for v in path])
                    path.pop()
                    branches.pop()
                    continue
                path.append(step)
                branches.append(iter(succ[step]))
        return chains


_CONSTRAINT_WORDS = {
    ConstraintType.ASAP: "as soon as possible",
    ConstraintType.SNET: "start no earlier than",
    ConstraintType.SNLT: "start no later than",
    ConstraintType.FNET: "finish no earlier than",
    ConstraintType.FNLT: "finish no later than",
    ConstraintType.MSO: "must start on",
    ConstraintType.MFO: "must finish on",
}
