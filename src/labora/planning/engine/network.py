"""The scheduling network: tasks and dependencies turned into nodes and edges the passes walk.

Every task is a node (indices ``0 .. n-1`` in input order). A summary task is an *aggregate*
node whose early start/finish are the min/max of its children's, plus a zero-duration *gate*
node (indices ``n ..``) that every child starts after. MS Project applies a dependency on a
summary to its subtasks; here:

- a dependency *from* a summary reads the aggregate (its start = earliest child start, its
  finish = latest child finish);
- a start-constrained dependency (FS, SS) *to* a summary constrains its gate, so every subtask
  starts after it;
- a finish-constrained dependency (FF, SF) *to* a summary is copied onto every leaf subtask.

The network keeps a topological rank per node. A full schedule orders nodes with Kahn's
algorithm (finding a cycle, if any, before anything is computed); adding an edge later updates the
ranks locally with the Pearce-Kelly algorithm, which also finds the cycle an edge would close.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import numpy as np
import numpy.typing as npt

from labora.planning.engine.model import (
    ConstraintType,
    CycleError,
    Dependency,
    ScheduleInputError,
    Task,
    TaskId,
)

NO_NODES: tuple[int, ...] = ()  # the children of a node that has none

LEAF = 0
GATE = 1
AGG = 2


class Edge:
    """``dst``'s start (or finish, ``to_finish``) >= ``src``'s finish (or start) + lag.

    A plain slotted class (not a dataclass): networks hold tens of thousands and build them often.
    """

    __slots__ = ("dst", "elapsed", "from_finish", "key", "lag", "src", "to_finish")

    def __init__(
        self,
        src: int,
        dst: int,
        from_finish: bool,
        to_finish: bool,
        lag: int,
        elapsed: bool,
        key: tuple[TaskId, TaskId],
    ) -> None:
        self.src = src
        self.dst = dst
        self.from_finish = from_finish
        self.to_finish = to_finish
        self.lag = lag
        self.elapsed = elapsed
        self.key = key

    def __repr__(self) -> str:
        return f"Edge({self.src} -> {self.dst}, key={self.key!r})"


_FROM_FINISH = {"FS": True, "FF": True, "SS": False, "SF": False}
# (from_finish, to_finish) by dependency type (a DependencyType or its string)
_FLAGS: dict[object, tuple[bool, bool]] = {kind: (_FROM_FINISH[kind], kind in ("FF", "SF")) for kind in _FROM_FINISH}
_CODES: dict[object, int] = {kind: flags[0] + 2 * flags[1] for kind, flags in _FLAGS.items()}
_TO_FINISH = {"FF": True, "SF": True, "FS": False, "SS": False}


class Network:
    """Nodes, edges and topological ranks; see the module docstring."""

    def __init__(self, tasks: Sequence[Task], dependencies: Iterable[Dependency]) -> None:
        self.tasks = list(tasks)
        n = len(self.tasks)
        self.n_tasks = n
        self.ids: list[TaskId] = [task.id for task in self.tasks]
        self.index: dict[TaskId, int] = dict(zip(self.ids, range(n), strict=True))
        asap = ConstraintType.ASAP
        index, index_get = self.index, self.index.get
        parent_of = [-1] * n
        for i, task in enumerate(self.tasks):
            if index[task.id] != i:
                raise ScheduleInputError(f"task {task.id!r} is listed twice")
            if task.duration_days < 0:
                raise ScheduleInputError(f"task {task.id!r} has a negative duration")
            if task.constraint_date is None and task.constraint is not asap and task.constraint != "ASAP":
                raise ScheduleInputError(f"task {task.id!r}: constraint {task.constraint} needs a date")
            if task.parent is not None:
                p = index_get(task.parent)
                if p is None:
                    raise ScheduleInputError(f"task {task.id!r} names an unknown parent {task.parent!r}")
                parent_of[i] = p
        self._check_hierarchy(parent_of)

        # aggregate children and gates
        # a node without children shares one empty tuple: 100,000 empty lists would cost time to
        # allocate and to scan by the garbage collector
        kids: dict[int, list[int]] = {}
        for i, p in enumerate(parent_of):
            if p >= 0:
                kids.setdefault(p, []).append(i)
        self.children: list[Sequence[int]] = [NO_NODES] * n
        for p, nodes in kids.items():
            self.children[p] = nodes
        self.kind: list[int] = [AGG if self.children[i] else LEAF for i in range(n)]
        self.aggregates: list[int] = [i for i in range(n) if self.kind[i] == AGG]
        self.gate_of: list[int] = [-1] * n
        self.owner: list[int] = list(range(n))  # node -> task index (gates -> their summary)
        for i in range(n):
            if self.kind[i] == AGG:
                self.gate_of[i] = len(self.kind)
                self.kind.append(GATE)
                self.owner.append(i)
        size = len(self.kind)
        self.size = size
        self.parent_agg: list[int] = [-1] * size
        self.parent_gate: list[int] = [-1] * size
        self.gate_children: list[Sequence[int]] = [NO_NODES] * size
        started: dict[int, list[int]] = {self.gate_of[p]: [] for p in kids}  # gate -> what it starts
        for i, p in enumerate(parent_of):
            if p < 0:
                continue
            self.parent_agg[i] = p
            g = self.gate_of[p]
            if self.kind[i] == LEAF:
                self.parent_gate[i] = g
                started[g].append(i)
            else:
                child_gate = self.gate_of[i]
                self.parent_gate[child_gate] = g
                started[g].append(child_gate)
        for g, nodes in started.items():
            self.gate_children[g] = nodes
        self.leaves: list[int] = [i for i in range(n) if self.kind[i] == LEAF]
        self.leaves_under: dict[int, list[int]] = {}

        self.in_edges: list[list[Edge]] = [[] for _ in range(size)]
        self.out_edges: list[list[Edge]] = [[] for _ in range(size)]
        self.dependencies: dict[tuple[TaskId, TaskId], Dependency] = {}
        self._table: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64], list[Edge]] | None = (
            None
        )
        self._attach_all(dependencies)

        self.rank: list[int] = [0] * size
        self._order: list[int] | None = None

    # --- structure --------------------------------------------------------------------------

    def _attach_all(self, dependencies: Iterable[Dependency]) -> None:
        """``edges_for`` + ``_attach`` for every dependency. The fields are gathered column by
        column (comprehensions and ``map``, which run in C) and the dictionary of dependencies
        is built in one go; only the edges themselves are made in a Python loop, inline for the
        common case (a link between two known tasks into a leaf). On a duplicate, an unknown id or
        a self-dependency the dependencies are attached one by one, to raise on the first."""
        deps = list(dependencies)
        known = self.dependencies
        preds = [dep.predecessor for dep in deps]
        succs = [dep.successor for dep in deps]
        keys = list(zip(preds, succs, strict=True))
        assert not known, "called once, by __init__"
        known.update(zip(keys, deps, strict=True))
        if len(known) != len(deps):  # a duplicate
            known.clear()
            self._attach_one_by_one(deps)
            return
        index_get = self.index.get
        srcs = list(map(index_get, preds))
        dsts = list(map(index_get, succs))
        types = [dep.type for dep in deps]
        flags = list(map(_FLAGS.get, types))
        lags = [dep.lag_days for dep in deps]
        elapsed = [dep.lag_elapsed for dep in deps]
        kind, in_edges, out_edges = self.kind, self.in_edges, self.out_edges
        special: list[Edge] = []  # edges edge_table() leaves to Python: elapsed lags, into summaries
        for src, dst, flag, lag, late, key, dep in zip(srcs, dsts, flags, lags, elapsed, keys, deps, strict=True):
            if src is None or dst is None or src == dst or flag is None or kind[dst] != LEAF:
                edges = self.edges_for(dep)  # summaries, and the errors (the network is dropped)
                for edge in edges:
                    self._attach(edge)
                special.extend(edges)
                continue
            edge = Edge(src, dst, flag[0], flag[1], int(lag), late, key)
            in_edges[dst].append(edge)
            out_edges[src].append(edge)
            if late:
                special.append(edge)
        # the plain edges as arrays, from the columns (every id is known by now)
        src_a = np.array(srcs, dtype=np.int64)
        dst_a = np.array(dsts, dtype=np.int64)
        plain = np.array(kind, dtype=np.int64)[dst_a] == LEAF
        if any(elapsed):
            plain &= ~np.array(elapsed, dtype=bool)
        code = np.array(list(map(_CODES.get, types)), dtype=np.int64)
        code += 4 * np.array(lags).astype(np.int64)
        self._table = (src_a[plain], dst_a[plain], code[plain], special)

    def _attach_one_by_one(self, deps: list[Dependency]) -> None:
        """The plain loop, which raises on the first bad dependency in the input's order."""
        known = self.dependencies
        for dep in deps:
            if dep.key in known:
                raise ScheduleInputError(f"two dependencies link {dep.predecessor!r} to {dep.successor!r}")
            for edge in self.edges_for(dep):
                self._attach(edge)
            known[dep.key] = dep
        self._table = None

    def _check_hierarchy(self, parent_of: list[int]) -> None:
        state = [0] * len(parent_of)  # 0 new, 1 on path, 2 done
        for start in range(len(parent_of)):
            if state[start]:
                continue
            path = []
            node = start
            while node >= 0 and state[node] == 0:
                state[node] = 1
                path.append(node)
                node = parent_of[node]
            if node >= 0 and state[node] == 1:
                loop = path[path.index(node) :]
                names = " -> ".join(repr(self.tasks[i].id) for i in loop)
                raise ScheduleInputError(f"the task hierarchy loops: {names}")
            for p in path:
                state[p] = 2

    def leaves_of(self, node: int) -> list[int]:
        cached = self.leaves_under.get(node)
        if cached is None:
            cached = []
            stack = [node]
            while stack:
                cur = stack.pop()
                if self.kind[cur] == LEAF:
                    cached.append(cur)
                else:
                    stack.extend(self.children[cur])
            cached.sort()
            self.leaves_under[node] = cached
        return cached

    def edges_for(self, dep: Dependency) -> list[Edge]:
        """The internal edges that carry one dependency."""
        src = self.index.get(dep.predecessor)
        dst = self.index.get(dep.successor)
        if src is None or dst is None:
            missing = dep.predecessor if src is None else dep.successor
            raise ScheduleInputError(f"a dependency names an unknown task {missing!r}")
        if src == dst:
            raise CycleError([dep.predecessor])
        kind = str(dep.type)
        if kind not in _TO_FINISH:
            raise ScheduleInputError(f"unknown dependency type {dep.type!r}: use FS, SS, FF or SF")
        from_finish, to_finish = _FROM_FINISH[kind], _TO_FINISH[kind]
        key = (dep.predecessor, dep.successor)
        lag = int(dep.lag_days)
        if self.kind[dst] == LEAF:
            return [Edge(src, dst, from_finish, to_finish, lag, dep.lag_elapsed, key)]
        if not to_finish:
            return [Edge(src, self.gate_of[dst], from_finish, to_finish, lag, dep.lag_elapsed, key)]
        return [Edge(src, leaf, from_finish, to_finish, lag, dep.lag_elapsed, key) for leaf in self.leaves_of(dst)]

    def edge_table(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64], list[Edge]]:
        """Every plain edge (into a leaf, working-day lag) as NumPy arrays ``src``, ``dst`` and
        ``code`` (``from_finish + 2 * to_finish + 4 * lag``), plus the other edges as objects."""
        if self._table is None:  # changed since it was built: collect again
            srcs, dsts, codes, special = [], [], [], []
            for edges in self.out_edges:
                for e in edges:
                    if e.elapsed or self.kind[e.dst] != LEAF:
                        special.append(e)
                    else:
                        srcs.append(e.src)
                        dsts.append(e.dst)
                        codes.append(4 * e.lag + 2 * e.to_finish + e.from_finish)
            self._table = (
                np.array(srcs, dtype=np.int64),
                np.array(dsts, dtype=np.int64),
                np.array(codes, dtype=np.int64),
                special,
            )
        return self._table

    def _attach(self, edge: Edge) -> None:
        self._table = None
        self.in_edges[edge.dst].append(edge)
        self.out_edges[edge.src].append(edge)

    def _detach(self, key: tuple[TaskId, TaskId]) -> list[Edge]:
        self._table = None
        dep = self.dependencies[key]
        removed = []
        for edge in self.edges_for(dep):
            self.in_edges[edge.dst] = [e for e in self.in_edges[edge.dst] if e.key != key]
            self.out_edges[edge.src] = [e for e in self.out_edges[edge.src] if e.key != key]
            removed.append(edge)
        return removed

    def forward_preds(self, v: int) -> Iterator[int]:
        """Nodes whose early dates ``v``'s early dates are computed from."""
        if self.kind[v] == AGG:
            yield from self.children[v]
            return
        if self.parent_gate[v] >= 0:
            yield self.parent_gate[v]
        for e in self.in_edges[v]:
            yield e.src

    def forward_succs(self, u: int) -> Iterator[int]:
        for e in self.out_edges[u]:
            yield e.dst
        if self.kind[u] == GATE:
            yield from self.gate_children[u]
        elif self.parent_agg[u] >= 0:
            yield self.parent_agg[u]

    # --- topological order --------------------------------------------------------------------

    def order(self) -> list[int]:
        if self._order is None:
            self._order = sorted(range(self.size), key=self.rank.__getitem__)
        return self._order

    def aggregates_in_order(self) -> list[int]:
        """The summary (aggregate) nodes in topological order: children before their parents."""
        rank = self.rank
        return sorted(self.aggregates, key=rank.__getitem__)

    def sort(self) -> list[int]:
        """Kahn's algorithm; raises :class:`CycleError` naming the tasks on a cycle."""
        size, kind = self.size, self.kind
        out_edges, gate_children, parent_agg = self.out_edges, self.gate_children, self.parent_agg
        indegree = [len(edges) + (g >= 0) for edges, g in zip(self.in_edges, self.parent_gate, strict=True)]
        for v in self.aggregates:
            indegree[v] = len(self.children[v])
        order = [v for v in range(size) if indegree[v] == 0]
        # breadth first (a list iterated while it grows is the queue); successors as forward_succs
        for u in order:
            for e in out_edges[u]:
                w = e.dst
                indegree[w] -= 1
                if not indegree[w]:
                    order.append(w)
            if kind[u] == GATE:
                for w in gate_children[u]:
                    indegree[w] -= 1
                    if not indegree[w]:
                        order.append(w)
            else:
                w = parent_agg[u]
                if w >= 0:
                    indegree[w] -= 1
                    if not indegree[w]:
                        order.append(w)
        if len(order) < self.size:
            raise CycleError(self._cycle_among({v for v in range(self.size) if indegree[v] > 0}))
        rank = self.rank
        for r, v in enumerate(order):
            rank[v] = r
        self._order = order
        return order

    def _cycle_among(self, remaining: set[int]) -> list[TaskId]:
        # every node left by Kahn's algorithm has a predecessor that was left too: walk back
        node = min(remaining)
        seen: dict[int, int] = {}
        walk: list[int] = []
        while node not in seen:
            seen[node] = len(walk)
            walk.append(node)
            node = next(p for p in self.forward_preds(node) if p in remaining)
        cycle = walk[seen[node] :]
        cycle.reverse()  # we walked against the dependencies
        return self._names(cycle)

    def _names(self, nodes: list[int]) -> list[TaskId]:
        names: list[TaskId] = []
        for v in nodes:
            name = self.tasks[self.owner[v]].id
            if not names or names[-1] != name:
                names.append(name)
        if len(names) > 1 and names[0] == names[-1]:
            names.pop()
        return names

    def add_edge_ordered(self, edge: Edge) -> None:
        """Pearce-Kelly: keep the ranks topological when ``edge`` is added; raise on a cycle."""
        u, v = edge.src, edge.dst
        if u == v:  # e.g. a finish-to-finish link from a subtask to its own summary
            raise CycleError(self._names([u]))
        lb, ub = self.rank[v], self.rank[u]
        if lb > ub:
            return
        # nodes reachable from v with rank <= ub; reaching u closes a cycle
        parent: dict[int, int] = {v: -1}
        stack = [v]
        forward = []
        while stack:
            x = stack.pop()
            forward.append(x)
            for y in self.forward_succs(x):
                if y == u:
                    path = [y]
                    node = x
                    while node != -1:
                        path.append(node)
                        node = parent[node]
                    path.reverse()  # v ... x u
                    raise CycleError(self._names([u, *path[:-1]]))
                if y not in parent and self.rank[y] <= ub:
                    parent[y] = x
                    stack.append(y)
        seen_back = {u}
        stack = [u]
        backward = []
        while stack:
            x = stack.pop()
            backward.append(x)
            for y in self.forward_preds(x):
                if y not in seen_back and self.rank[y] >= lb:
                    seen_back.add(y)
                    stack.append(y)
        backward.sort(key=self.rank.__getitem__)
        forward.sort(key=self.rank.__getitem__)
        pool = sorted(self.rank[x] for x in backward + forward)
        for r, x in zip(pool, backward + forward, strict=True):
            self.rank[x] = r
        self._order = None

    def add_dependency(self, dep: Dependency) -> list[Edge]:
        if dep.key in self.dependencies:
            raise ScheduleInputError(f"a dependency already links {dep.predecessor!r} to {dep.successor!r}")
        edges = self.edges_for(dep)
        added: list[Edge] = []
        try:
            for edge in edges:
                self.add_edge_ordered(edge)
                self._attach(edge)
                added.append(edge)
        except CycleError:
            self._table = None
            for edge in added:
                self.in_edges[edge.dst].remove(edge)
                self.out_edges[edge.src].remove(edge)
            raise
        self.dependencies[dep.key] = dep
        return edges

    def remove_dependency(self, predecessor: TaskId, successor: TaskId) -> list[Edge]:
        key = (predecessor, successor)
        if key not in self.dependencies:
            raise ScheduleInputError(f"no dependency links {predecessor!r} to {successor!r}")
        removed = self._detach(key)
        del self.dependencies[key]
        return removed
