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
``schedule()`` takes the network through :meth:`Network.in_topological_order`: a large plan not
listed in a topological order is renumbered in one, so that the passes walk the nodes in index
order (each task keeps its input position for the results).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import repeat
from typing import Any, NamedTuple, NoReturn

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

# nodes from which a network listed out of topological order is renumbered in one (see
# Network.in_topological_order); below, Kahn's loop in Python is quicker than building it again
RENUMBER_FROM = 10_000


class Edge:
    """``dst``'s start (or finish, ``to_finish``) >= ``src``'s finish (or start) + lag.

    A plain slotted class (not a dataclass): networks hold tens of thousands and build them often.
    """

    __slots__ = ("code", "dst", "elapsed", "from_finish", "key", "lag", "src", "to_finish")

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
        # as in the network's columns: from_finish + 2 * to_finish + 4 * elapsed + 8 * lag
        self.code = from_finish + 2 * to_finish + 4 * bool(elapsed) + 8 * lag

    def __repr__(self) -> str:
        return f"Edge({self.src} -> {self.dst}, key={self.key!r})"


_FROM_FINISH = {"FS": True, "FF": True, "SS": False, "SF": False}
# (from_finish, to_finish) by dependency type (a DependencyType or its string)
_FLAGS: dict[object, tuple[bool, bool]] = {kind: (_FROM_FINISH[kind], kind in ("FF", "SF")) for kind in _FROM_FINISH}
_CODES: dict[object, int] = {kind: flags[0] + 2 * flags[1] for kind, flags in _FLAGS.items()}
_TO_FINISH = {"FF": True, "SF": True, "FS": False, "SS": False}


class _EdgeLists:
    """``Network.in_edges`` / ``out_edges``: one list of :class:`Edge` objects per node, made on
    first access from the network's edge columns (a full schedule never needs most of them: its
    passes read the columns). A list, once made, is the node's own and changes with the network."""

    __slots__ = ("_lists", "_make")

    def __init__(self, size: int, make: Callable[[int], list[Edge]]) -> None:
        self._lists: list[list[Edge] | None] = [None] * size
        self._make = make

    def __getitem__(self, v: int) -> list[Edge]:
        edges = self._lists[v]
        if edges is None:
            edges = self._lists[v] = self._make(v)
        return edges

    def made(self, v: int) -> list[Edge] | None:
        """The node's list if it was made (and so may have changed since), else None."""
        return self._lists[v]

    def __setitem__(self, v: int, edges: list[Edge]) -> None:
        self._lists[v] = edges

    def __len__(self) -> int:
        return len(self._lists)

    def __iter__(self) -> Iterator[list[Edge]]:
        for v in range(len(self._lists)):
            yield self[v]


class _Hierarchy(NamedTuple):
    """The hierarchy as NumPy columns (see :meth:`Network._build_hierarchy`)."""

    par: npt.NDArray[np.int64]  # parent task of each task, -1 for none
    has_parent: npt.NDArray[np.int64]  # the tasks that have one
    is_agg: npt.NDArray[np.bool_]  # per task: a summary
    aggs: npt.NDArray[np.int64]  # the summaries
    kind: npt.NDArray[np.int64]  # per node
    gate_of: npt.NDArray[np.int64]  # per task: its gate node, -1 for a leaf
    parent_agg: npt.NDArray[np.int64]  # per node
    parent_gate: npt.NDArray[np.int64]  # per node: the gate that starts it, -1 for none
    started: npt.NDArray[np.int64]  # per task in has_parent: the node its parent's gate starts


_HIERARCHY_LISTS = frozenset(
    {"aggregates", "kind", "gate_of", "owner", "parent_agg", "parent_gate", "children", "gate_children", "leaves"}
)
_ROW_LISTS = frozenset({"in_ptr", "in_src", "in_code", "out_ptr", "out_dst", "out_code", "_in_perm", "_out_perm"})


class Network:
    """Nodes, edges and topological ranks; see the module docstring.

    The edges are kept as columns (NumPy arrays, and Python lists in compressed-sparse-row form
    for the passes: ``in_ptr``/``in_src``/``in_code`` and ``out_ptr``/``out_dst``/``out_code``,
    where a code is ``from_finish + 2 * to_finish + 4 * elapsed + 8 * lag``). ``in_edges`` and
    ``out_edges`` give the same edges as :class:`Edge` objects, made per node on first access;
    adding or removing a dependency changes those lists and makes the columns stale
    (``columns_fresh`` is then False and the passes read the objects). The hierarchy is kept as
    NumPy columns too (``_h``); its Python lists (``kind``, ``children``...) and the compressed
    rows are made on first use.
    """

    # made on first use (see __getattr__)
    aggregates: list[int]
    kind: list[int]
    gate_of: list[int]
    owner: list[int]
    parent_agg: list[int]
    parent_gate: list[int]
    children: list[Sequence[int]]
    gate_children: list[Sequence[int]]
    leaves: list[int]
    in_ptr: list[int]
    in_src: list[int]
    in_code: list[int]
    out_ptr: list[int]
    out_dst: list[int]
    out_code: list[int]
    _in_perm: npt.NDArray[np.int64]
    _out_perm: npt.NDArray[np.int64]

    def __init__(self, tasks: Sequence[Task], dependencies: Iterable[Dependency]) -> None:
        self.tasks = list(tasks)
        n = len(self.tasks)
        self.n_tasks = n
        self.ids: list[TaskId] = [task.id for task in self.tasks]
        self._index: dict[TaskId, int] | None = dict(zip(self.ids, range(n), strict=True))
        # input position of each task when the network renumbered them (see in_topological_order)
        self.position: list[int] | None = None
        self.input_order: list[int] | None = None  # the inverse: each input position's task
        parent_of = self._check_tasks()
        self._check_hierarchy(parent_of)
        self._setup(parent_of, dependencies)

    def _setup(
        self,
        parent_of: list[int],
        dependencies: Iterable[Dependency],
        columns: tuple[npt.NDArray[np.int64], ...] | None = None,
    ) -> None:
        """Everything but the tasks: hierarchy, edge columns (read from the dependencies, or given
        as checked ``columns``), edge lists, ranks."""
        self._parent_of = parent_of
        self._build_hierarchy(parent_of)
        self._table: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64], list[Edge]] | None = (
            None
        )
        self._dependencies: dict[tuple[TaskId, TaskId], Dependency] | None = None
        self._rows: (
            tuple[list[int], list[int], list[int], list[int], list[int], list[int], list[int], list[Edge | None]] | None
        ) = None
        self._attach_all(dependencies, columns)
        self.in_edges = _EdgeLists(self.size, self._make_in_edges)
        self.out_edges = _EdgeLists(self.size, self._make_out_edges)
        self.rank: list[int] = [0] * self.size
        self._order: list[int] | None = None

    @property
    def index(self) -> dict[TaskId, int]:
        """Task id -> task index (made on first use in a renumbered network)."""
        if self._index is None:
            self._index = dict(zip(self.ids, range(self.n_tasks), strict=True))
        return self._index

    # --- structure --------------------------------------------------------------------------

    def _check_tasks(self) -> list[int]:
        """Each task's parent index (-1 for none). The common case is checked by columns; on a
        duplicate, a negative duration, a constraint without its date or an unknown parent the
        tasks are checked one by one, to raise on the first in the input's order."""
        tasks, index, n = self.tasks, self.index, self.n_tasks
        asap = ConstraintType.ASAP
        parents = [task.parent for task in tasks]
        parent_of: list[int] = list(map(index.get, parents, repeat(-1, n)))
        durations = [task.duration_days for task in tasks]
        constraints = [task.constraint for task in tasks]
        suspect = (
            len(index) != n
            or None in index
            or min(durations, default=0) < 0
            or parents.count(None) != parent_of.count(-1)
        )
        if not suspect and constraints.count(asap) != n:
            suspect = any(
                task.constraint_date is None and task.constraint is not asap and task.constraint != "ASAP"
                for task in tasks
            )
        if not suspect:
            return parent_of
        parent_of = [-1] * n
        for i, task in enumerate(tasks):
            if index[task.id] != i:
                raise ScheduleInputError(f"task {task.id!r} is listed twice")
            if task.duration_days < 0:
                raise ScheduleInputError(f"task {task.id!r} has a negative duration")
            if task.constraint_date is None and task.constraint is not asap and task.constraint != "ASAP":
                raise ScheduleInputError(f"task {task.id!r}: constraint {task.constraint} needs a date")
            if task.parent is not None:
                p = index.get(task.parent)
                if p is None:
                    raise ScheduleInputError(f"task {task.id!r} names an unknown parent {task.parent!r}")
                parent_of[i] = p
        return parent_of

    def _build_hierarchy(self, parent_of: list[int]) -> None:
        """Kinds, gates and the links between them as NumPy columns; the lists the passes read
        (``kind``, ``children``...) are made from them on first use (:meth:`_hierarchy_lists`)."""
        n = self.n_tasks
        par = np.array(parent_of, dtype=np.int64)
        has_parent = np.flatnonzero(par >= 0)
        is_agg = np.zeros(n, dtype=bool)
        is_agg[par[has_parent]] = True
        aggs = np.flatnonzero(is_agg)
        size = n + len(aggs)
        self.size = size
        kind = np.full(size, GATE, dtype=np.int64)
        kind[:n] = np.where(is_agg, AGG, LEAF)
        gate_of = np.full(n, -1, dtype=np.int64)
        gate_of[aggs] = np.arange(n, size, dtype=np.int64)
        parent_agg = np.full(size, -1, dtype=np.int64)
        parent_agg[:n] = par
        # a child summary is started by its gate, which its parent's gate starts
        started = np.where(is_agg[has_parent], gate_of[has_parent], has_parent)  # what each child's parent gate starts
        parent_gate = np.full(size, -1, dtype=np.int64)
        parent_gate[started] = gate_of[par[has_parent]]
        self._h = _Hierarchy(par, has_parent, is_agg, aggs, kind, gate_of, parent_agg, parent_gate, started)
        self.leaves_under: dict[int, list[int]] = {}
        for name in _HIERARCHY_LISTS:
            self.__dict__.pop(name, None)

    def _hierarchy_lists(self) -> None:
        h, n, size = self._h, self.n_tasks, self.size
        self.aggregates = h.aggs.tolist()
        self.kind = h.kind.tolist()
        self.gate_of = h.gate_of.tolist()
        self.owner = list(range(n)) + self.aggregates  # node -> task index (gates -> their summary)
        self.parent_agg = h.parent_agg.tolist()
        self.parent_gate = h.parent_gate.tolist()
        # children in index order, grouped by parent (a stable sort keeps the order)
        by_parent = np.argsort(h.par[h.has_parent], kind="stable")
        kids = h.has_parent[by_parent].tolist()
        kids_started = h.started[by_parent].tolist()
        bounds = [*np.searchsorted(h.par[h.has_parent][by_parent], h.aggs, side="left").tolist(), len(kids)]
        # a node without children shares one empty tuple: 100,000 empty lists would cost time to
        # allocate and to scan by the garbage collector
        children: list[Sequence[int]] = [NO_NODES] * n
        gate_children: list[Sequence[int]] = [NO_NODES] * size
        gates = self.gate_of
        for a, lo, hi in zip(self.aggregates, bounds, bounds[1:], strict=False):
            children[a] = kids[lo:hi]
            gate_children[gates[a]] = kids_started[lo:hi]
        self.children = children
        self.gate_children = gate_children
        self.leaves = np.flatnonzero(~h.is_agg).tolist()

    def __getattr__(self, name: str) -> Any:
        """The hierarchy's and the edges' lists, made on first use: a network renumbered by
        :meth:`in_topological_order` never needs those of the network it was made from."""
        if name in _HIERARCHY_LISTS:
            self._hierarchy_lists()
        elif name in _ROW_LISTS:
            self._compressed_rows()
        else:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return self.__dict__[name]

    def _attach_all(
        self, dependencies: Iterable[Dependency], columns: tuple[npt.NDArray[np.int64], ...] | None = None
    ) -> None:
        """The dependencies as edge columns (see the class docstring). The fields are gathered
        column by column (comprehensions and ``map``, which run in C) and checked with NumPy; on
        a duplicate, an unknown id, a self-dependency or an unknown type the dependencies are
        checked one by one, to raise on the first in the input's order. ``columns`` (source,
        target, code, lag per dependency, already checked) spares reading the dependencies."""
        deps = list(dependencies)
        self._deps = deps
        m = len(deps)
        if columns is not None:
            src_a, dst_a, code_a, lag_a = columns
        else:
            self._preds = preds = [dep.predecessor for dep in deps]
            self._succs = succs = [dep.successor for dep in deps]
            index_get = self.index.get
            try:  # a list first: np.array() over a list is much faster than np.fromiter() over a map
                src_a = np.array(list(map(index_get, preds)), dtype=np.int64).reshape(m)
                dst_a = np.array(list(map(index_get, succs)), dtype=np.int64).reshape(m)
                code_a = np.array(list(map(_CODES.get, [dep.type for dep in deps])), dtype=np.int64).reshape(m)
            except TypeError:  # None: an unknown id or type
                self._raise_first_error(deps)
            pairs = np.sort(src_a * self.size + dst_a)
            if m and (bool((src_a == dst_a).any()) or bool((pairs[1:] == pairs[:-1]).any())):
                self._raise_first_error(deps)
            lag_a = np.array([dep.lag_days for dep in deps]).astype(np.int64) if m else np.zeros(0, dtype=np.int64)
            elapsed = [dep.lag_elapsed for dep in deps]
            if any(elapsed):
                code_a += 4 * np.array(elapsed, dtype=bool)
            self._columns = (src_a, dst_a, code_a, lag_a)
        kind = self._h.kind
        into_leaf = kind[dst_a] == LEAF
        e_src, e_dst, e_code, e_lag = src_a[into_leaf], dst_a[into_leaf], code_a[into_leaf], lag_a[into_leaf]
        e_dep = np.flatnonzero(into_leaf)
        if not into_leaf.all():  # into summaries: a start link to the gate, a finish link to every leaf
            extra: list[tuple[int, int, int]] = []  # (source, target, dependency)
            for d in np.flatnonzero(~into_leaf).tolist():
                dst = int(dst_a[d])
                targets = self.leaves_of(dst) if code_a[d] & 2 else [int(self._h.gate_of[dst])]
                extra.extend((int(src_a[d]), t, d) for t in targets)
            cols = np.array(extra, dtype=np.int64).reshape(-1, 3)
            e_src = np.concatenate([e_src, cols[:, 0]])
            e_dst = np.concatenate([e_dst, cols[:, 1]])
            e_dep = np.concatenate([e_dep, cols[:, 2]])
            e_code = np.concatenate([e_code, code_a[cols[:, 2]]])
            e_lag = np.concatenate([e_lag, lag_a[cols[:, 2]]])
        self._e_src, self._e_dst, self._e_code, self._e_lag, self._e_dep = e_src, e_dst, e_code, e_lag, e_dep
        for name in _ROW_LISTS:
            self.__dict__.pop(name, None)
        self.columns_fresh = True

    def _compressed_rows(self) -> None:
        """``in_ptr``/``in_src``/``in_code`` and ``out_ptr``/``out_dst``/``out_code`` (see the
        class docstring) from the edge columns, on first use."""
        e_src, e_dst, e_code, e_lag, e_dep = self._e_src, self._e_dst, self._e_code, self._e_lag, self._e_dep
        packed = e_code + 8 * e_lag
        size = self.size
        # compressed sparse rows, each node's edges in the input's order
        rows = len(e_dep)
        seq = np.arange(rows, dtype=np.int64)  # each row's place in the input's order
        if rows and bool((e_dep[1:] < e_dep[:-1]).any()):  # edges into summaries at the end
            seq[np.argsort(e_dep, kind="stable")] = np.arange(rows, dtype=np.int64)
        in_perm = np.argsort(e_dst * rows + seq)  # unique keys: no need for a stable sort
        out_perm = np.argsort(e_src * rows + seq)
        self._in_perm, self._out_perm = in_perm, out_perm
        ptr = np.zeros(size + 1, dtype=np.int64)
        np.cumsum(np.bincount(e_dst, minlength=size), out=ptr[1:])
        self.in_ptr = ptr.tolist()
        np.cumsum(np.bincount(e_src, minlength=size), out=ptr[1:])
        self.out_ptr = ptr.tolist()
        self.in_src = e_src[in_perm].tolist()
        self.in_code = packed[in_perm].tolist()
        self.out_dst = e_dst[out_perm].tolist()
        self.out_code = packed[out_perm].tolist()

    def refresh_columns(self) -> None:
        """Build the edge columns again from the dependencies, after a change made them stale:
        a full pass over the columns (and over fresh lists of edge objects) is much faster than
        one over the objects the changes left."""
        if self.columns_fresh:
            return
        self._table = None
        self._rows = None
        self._attach_all(list(self.dependencies.values()))
        self.in_edges = _EdgeLists(self.size, self._make_in_edges)
        self.out_edges = _EdgeLists(self.size, self._make_out_edges)

    def _raise_first_error(self, deps: list[Dependency]) -> NoReturn:
        """Check the dependencies one by one and raise on the first bad one."""
        known: set[tuple[TaskId, TaskId]] = set()
        for dep in deps:
            if dep.key in known:
                raise ScheduleInputError(f"two dependencies link {dep.predecessor!r} to {dep.successor!r}")
            self.edges_for(dep)
            known.add(dep.key)
        raise ScheduleInputError("the dependencies cannot be read: check their tasks, types and lags")

    @property
    def dependencies(self) -> dict[tuple[TaskId, TaskId], Dependency]:
        """The dependencies by ``(predecessor, successor)``, made on first use."""
        if self._dependencies is None:
            self._dependencies = dict(zip(zip(self._preds, self._succs, strict=True), self._deps, strict=True))
        return self._dependencies

    def _row_lists(
        self,
    ) -> tuple[list[int], list[int], list[int], list[int], list[int], list[int], list[int], list[Edge | None]]:
        """The edge columns as lists (made once), for making edge objects one at a time: source,
        target, code, lag, dependency, the rows in ``in_src`` and ``out_dst`` order, the objects."""
        if self._rows is None:
            self._rows = (
                self._e_src.tolist(),
                self._e_dst.tolist(),
                self._e_code.tolist(),
                self._e_lag.tolist(),
                self._e_dep.tolist(),
                self._in_perm.tolist(),
                self._out_perm.tolist(),
                [None] * len(self._e_src),
            )
        return self._rows

    def edge(self, i: int) -> Edge:
        """The edge in row ``i`` of the columns, as an object (one per edge, made once)."""
        rows = self._row_lists()
        edge = rows[7][i]
        if edge is None:
            code, d = rows[2][i], rows[4][i]
            edge = rows[7][i] = Edge(
                rows[0][i],
                rows[1][i],
                bool(code & 1),
                bool(code & 2),
                rows[3][i],
                bool(code & 4),
                (self._preds[d], self._succs[d]),
            )
        return edge

    def in_edge_at(self, i: int) -> Edge:
        """The edge at position ``i`` of ``in_src``/``in_code``."""
        return self.edge(self._row_lists()[5][i])

    def out_edge_at(self, i: int) -> Edge:
        """The edge at position ``i`` of ``out_dst``/``out_code``."""
        return self.edge(self._row_lists()[6][i])

    def _make_in_edges(self, v: int) -> list[Edge]:
        return [self.edge(i) for i in self._row_lists()[5][self.in_ptr[v] : self.in_ptr[v + 1]]]

    def _make_out_edges(self, u: int) -> list[Edge]:
        return [self.edge(i) for i in self._row_lists()[6][self.out_ptr[u] : self.out_ptr[u + 1]]]

    def in_links(self, v: int) -> list[tuple[int, int, Edge | None]]:
        """``v``'s incoming edges as ``(source, code, edge)`` (see the class docstring for the
        code); ``edge`` is given when the lag is elapsed, or when the node's edge objects exist.

        The columns stay right for every node whose edge objects were never made: only those
        can have changed since the columns were built (so this reads the objects for them)."""
        edges = self.in_edges.made(v)
        if edges is not None:
            return [(e.src, e.code, e) for e in edges]
        lo, hi = self.in_ptr[v], self.in_ptr[v + 1]
        return [
            (u, c, self.in_edge_at(i) if c & 4 else None)
            for i, u, c in zip(range(lo, hi), self.in_src[lo:hi], self.in_code[lo:hi], strict=True)
        ]

    def out_links(self, u: int) -> list[tuple[int, int, Edge | None]]:
        """``u``'s outgoing edges as ``(target, code, edge)``, as :meth:`in_links`."""
        edges = self.out_edges.made(u)
        if edges is not None:
            return [(e.dst, e.code, e) for e in edges]
        lo, hi = self.out_ptr[u], self.out_ptr[u + 1]
        return [
            (w, c, self.out_edge_at(i) if c & 4 else None)
            for i, w, c in zip(range(lo, hi), self.out_dst[lo:hi], self.out_code[lo:hi], strict=True)
        ]

    def sources(self, v: int) -> list[int]:
        """The sources of ``v``'s incoming edges (as :meth:`in_links`)."""
        edges = self.in_edges.made(v)
        if edges is not None:
            return [e.src for e in edges]
        return self.in_src[self.in_ptr[v] : self.in_ptr[v + 1]]

    def targets(self, u: int) -> list[int]:
        """The targets of ``u``'s outgoing edges (as :meth:`in_links`)."""
        edges = self.out_edges.made(u)
        if edges is not None:
            return [e.dst for e in edges]
        return self.out_dst[self.out_ptr[u] : self.out_ptr[u + 1]]

    def _check_hierarchy(self, parent_of: list[int]) -> None:
        """Raise when the parents loop. Pointer doubling with NumPy finds that none does (every
        chain of parents ends within ``n`` steps); only then is the loop looked for and named."""
        n = len(parent_of)
        jump = np.array(parent_of, dtype=np.int64)
        reach = 1
        while True:
            live = np.flatnonzero(jump >= 0)
            if not live.size:
                return
            if reach >= n:
                break
            jump[live] = jump[jump[live]]
            reach *= 2
        state = [0] * n  # 0 new, 1 on path, 2 done
        for start in range(n):
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
        self.refresh_columns()
        if self._table is None:
            plain = (self._h.kind[self._e_dst] == LEAF) & (self._e_code & 4 == 0)
            self._table = (
                self._e_src[plain],
                self._e_dst[plain],
                (self._e_code[plain] & 3) + 4 * self._e_lag[plain],
                [self.edge(i) for i in np.flatnonzero(~plain).tolist()],
            )
        return self._table

    def _attach(self, edge: Edge) -> None:
        self._table = None
        self.columns_fresh = False
        self.in_edges[edge.dst].append(edge)
        self.out_edges[edge.src].append(edge)

    def _detach(self, key: tuple[TaskId, TaskId]) -> list[Edge]:
        self._table = None
        self.columns_fresh = False
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
        yield from self.sources(v)

    def forward_succs(self, u: int) -> Iterator[int]:
        yield from self.targets(u)
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
        """Kahn's algorithm; raises :class:`CycleError` naming the tasks on a cycle.

        The successors of every node (as :meth:`forward_succs` gives them: its edges, then the
        nodes a gate starts or the summary a child rolls up into) are gathered in one array
        sorted by node; a list iterated while it grows is the queue (breadth first)."""
        size, n = self.size, self.n_tasks
        if self.columns_fresh:
            src, dst, started, child = self._links()
            order_as_listed = self._order_as_listed(src, dst)
            if order_as_listed is not None:
                return self._set_order(order_as_listed)
            tie = np.concatenate([self._e_dep, np.array(self.owner, dtype=np.int64)[started], child])
            span = max(len(self._e_src), n) + 1
            tie[len(self._e_src) :] += span  # edges first, then the hierarchy
            by = np.argsort(src * (2 * span) + tie)
            succ: list[int] = dst[by].tolist()
            ptr = np.zeros(size + 1, dtype=np.int64)
            np.cumsum(np.bincount(src, minlength=size), out=ptr[1:])
            bounds: list[int] = ptr.tolist()
            counts = np.bincount(dst, minlength=size)
            order: list[int] = np.flatnonzero(counts == 0).tolist()
            indegree: list[int] = counts.tolist()
            for u in order:
                for w in succ[bounds[u] : bounds[u + 1]]:
                    d = indegree[w] - 1
                    indegree[w] = d
                    if not d:
                        order.append(w)
        else:
            indegree = [len(edges) + (g >= 0) for edges, g in zip(self.in_edges, self.parent_gate, strict=True)]
            for v in self.aggregates:
                indegree[v] = len(self.children[v])
            order = [v for v in range(size) if indegree[v] == 0]
            for u in order:
                for w in self.forward_succs(u):
                    indegree[w] -= 1
                    if not indegree[w]:
                        order.append(w)
        if len(order) < size:
            raise CycleError(self._cycle_among({v for v in range(size) if indegree[v] > 0}))
        return self._set_order(np.array(order, dtype=np.int64))

    def _links(
        self,
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Every link between nodes (as :meth:`forward_succs` gives them) as ``src``/``dst``
        columns: the edges, then gate -> the nodes it starts, then child -> its aggregate; also
        the nodes started by a gate and the children, in that order."""
        par = self._h.par
        child = self._h.has_parent
        gate_child = self._h.parent_gate
        started = np.flatnonzero(gate_child >= 0)
        src = np.concatenate([self._e_src, gate_child[started], child])
        dst = np.concatenate([self._e_dst, started, par[child]])
        return src, dst, started, child

    def in_topological_order(self) -> Network:
        """This network, sorted (:meth:`sort`), when its tasks are listed in a topological order
        (see :meth:`_order_as_listed`); otherwise an equal network whose tasks are numbered in
        one, sorted. Raises :class:`CycleError` as :meth:`sort` does.

        The passes walk the nodes in topological order and read a dozen lists at each node's
        index: when the index order is the topological order, they read memory in sequence; a
        plan listed out of dependency order made them jump around it (more than twice the time
        at 100,000 tasks) and needed Kahn's loop in Python. Here a topological order is found
        level by level with NumPy, and the network is built again from the columns it already
        has, tasks renumbered in that order (dependencies keep theirs). The renumbered network
        keeps each task's input position (``position``, and the inverse ``input_order``): the
        results come back in the input's order and ties are broken by input position, as they
        would be without renumbering."""
        if not self.columns_fresh:
            self.sort()
            return self
        src, dst, _, _ = self._links()
        # the order as listed keeps the leaves in input order: a link back between two leaves
        # rules it out at once
        leaf = self._h.kind == LEAF
        back = (self._e_src > self._e_dst) & leaf[self._e_src] & leaf[self._e_dst]
        listed = None if bool(back.any()) else self._order_as_listed(src, dst)
        if listed is not None:
            self._set_order(listed)
            return self
        if self.size < RENUMBER_FROM:  # small: Kahn's loop costs less than numbering again
            self.sort()
            return self
        order = _topological_levels(src, dst, self.size)
        if order is None:
            self.sort()  # raises CycleError, naming the tasks on a cycle
            raise AssertionError("a cycle that Kahn's algorithm did not find")  # pragma: no cover
        return self._renumbered(order)

    def _renumbered(self, order: npt.NDArray[np.int64]) -> Network:
        """A copy of this network with task ``order[i]``'s (tasks only) at index ``i``."""
        n = self.n_tasks
        perm = order[order < n]
        inv = np.empty(n, dtype=np.int64)
        inv[perm] = np.arange(n, dtype=np.int64)
        position: list[int] = perm.tolist()
        new = Network.__new__(Network)
        new.tasks = list(map(self.tasks.__getitem__, position))
        new.n_tasks = n
        new.ids = list(map(self.ids.__getitem__, position))
        new._index = None
        new.position = position
        new.input_order = inv.tolist()
        par = np.array(self._parent_of, dtype=np.int64)[perm]
        parent_of: list[int] = np.where(par >= 0, inv[np.maximum(par, 0)], -1).tolist()
        src_a, dst_a, code_a, lag_a = self._columns
        new._preds, new._succs = self._preds, self._succs
        columns = (inv[src_a], inv[dst_a], code_a, lag_a)
        new._columns = columns
        new._setup(parent_of, self._deps, columns)
        new.sort()
        return new

    def _set_order(self, order: npt.NDArray[np.int64]) -> list[int]:
        rank = np.empty(self.size, dtype=np.int64)
        rank[order] = np.arange(self.size, dtype=np.int64)
        self.rank = rank.tolist()
        self._order = order.tolist()
        return self._order

    def _order_as_listed(self, src: npt.NDArray[np.int64], dst: npt.NDArray[np.int64]) -> npt.NDArray[np.int64] | None:
        """The tasks in the input's order, each summary's gate just before its first subtask and
        its aggregate just after its last one, when that order is topological (``src`` before
        ``dst`` for every link, checked at once): plans usually list a task after the tasks it
        depends on, and then Kahn's algorithm (a Python loop over every link) is not needed."""
        n, size = self.n_tasks, self.size
        if size == n:
            key = np.arange(n, dtype=np.int64)
            return key if bool((src < dst).all()) else None
        par = self._h.par
        depth = np.zeros(n, dtype=np.int64)  # 0 for a top-level task
        up = par.copy()
        while True:
            has = up >= 0
            if not has.any():
                break
            depth += has
            up[has] = par[up[has]]
        aggs = self._h.aggs
        is_leaf = ~self._h.is_agg
        first = np.where(is_leaf, np.arange(n, dtype=np.int64), n)  # first / last leaf listed under a node
        last = np.where(is_leaf, np.arange(n, dtype=np.int64), -1)
        for d in range(int(depth.max()), 0, -1):  # deepest first: a summary's subtasks are complete
            nodes = np.flatnonzero(depth == d)
            np.minimum.at(first, par[nodes], first[nodes])
            np.maximum.at(last, par[nodes], last[nodes])
        # sort by (position, tie): a gate at its summary's first leaf, before it (outer gates
        # first); an aggregate at its summary's last leaf, after it (inner aggregates first)
        position = np.concatenate([np.where(is_leaf, first, last), first[aggs]])
        tie = np.zeros(size, dtype=np.int64)
        tie[aggs] = n + 1 - depth[aggs]
        tie[n:] = depth[aggs] - n - 1
        order = np.lexsort((tie, position))
        rank = np.empty(size, dtype=np.int64)
        rank[order] = np.arange(size, dtype=np.int64)
        return order if bool((rank[src] < rank[dst]).all()) else None

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


def _topological_levels(
    src: npt.NDArray[np.int64], dst: npt.NDArray[np.int64], size: int
) -> npt.NDArray[np.int64] | None:
    """A topological order of nodes ``0 .. size-1`` linked ``src`` -> ``dst``, or None on a cycle.

    Kahn's algorithm a level at a time, with NumPy: the nodes without predecessors, then those
    whose predecessors are all in earlier levels... Each level's outgoing links are gathered from
    compressed sparse rows (``np.repeat`` of the row starts), the in-degrees they lower with
    ``np.subtract.at``: a dozen NumPy calls per level instead of a Python step per link."""
    succ = dst[np.argsort(src, kind="stable")]
    ptr = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=size), out=ptr[1:])
    start, stop = ptr[:-1], ptr[1:]
    indegree = np.bincount(dst, minlength=size)
    frontier = np.flatnonzero(indegree == 0)
    mark = np.zeros(size, dtype=np.int64)
    steps = np.arange(len(succ) + 1, dtype=np.int64)
    levels = []
    placed = 0
    while frontier.size:
        levels.append(frontier)
        placed += frontier.size
        lo = start[frontier]
        count = stop[frontier] - lo
        ends = count.cumsum()
        total = int(ends[-1])
        if not total:
            break
        targets = succ[np.repeat(lo - ends + count, count) + steps[:total]]
        np.subtract.at(indegree, targets, 1)
        ready = targets[indegree[targets] == 0]
        if ready.size > 1:  # a node reached by several links of this level: keep it once
            k = steps[: ready.size]
            mark[ready] = k
            ready = ready[mark[ready] == k]
        frontier = ready
    if placed < size:
        return None
    return np.concatenate(levels) if levels else np.zeros(0, dtype=np.int64)
