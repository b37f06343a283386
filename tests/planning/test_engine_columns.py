"""The network's edge columns, its lazily made edge objects and the two ways it orders nodes."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labora.planning.engine import (
    Calendar,
    ConstraintType,
    CycleError,
    Dependency,
    DependencyType,
    ScheduleInputError,
    ScheduleResult,
    Task,
    schedule,
)
from labora.planning.engine.network import Network
from tests.planning.test_engine_properties import Net, networks

START = date(2025, 3, 3)
NOT_A_TYPE: Any = "XX"
CAL = Calendar(holidays=frozenset({date(2025, 3, 12)}))


def mixed() -> tuple[list[Task], list[Dependency]]:
    """Summaries (one nested), links into and out of summaries, an elapsed lag, a lead."""
    tasks = [
        Task("d", 4),
        Task("S", parent=None),
        Task("a", 2, parent="S"),
        Task("R", parent="S"),
        Task("b", 3, parent="R"),
        Task("c", 1, parent="R"),
        Task("e", 0),
        Task("f", 2, constraint=ConstraintType.SNET, constraint_date=date(2025, 3, 20)),
    ]
    deps = [
        Dependency("d", "S", DependencyType.FS, 1),  # into a summary's gate
        Dependency("d", "R", DependencyType.FF, 0),  # copied onto every leaf of R
        Dependency("a", "b", DependencyType.SS, 2, lag_elapsed=True),
        Dependency("b", "c", DependencyType.FS, -1),
        Dependency("S", "e", DependencyType.FS, 0),  # out of a summary
        Dependency("c", "f", DependencyType.SF, 1),
    ]
    return tasks, deps


def edge_fields(edges: list) -> list[tuple]:
    return [(e.src, e.dst, e.from_finish, e.to_finish, e.lag, e.elapsed, e.key) for e in edges]


def test_edge_objects_are_made_per_node_as_edges_for_would_make_them() -> None:
    tasks, deps = mixed()
    net = Network(tasks, deps)
    expected_in: dict[int, list] = {}
    expected_out: dict[int, list] = {}
    for dep in deps:
        for edge in net.edges_for(dep):
            expected_in.setdefault(edge.dst, []).append(edge)
            expected_out.setdefault(edge.src, []).append(edge)
    for v in range(net.size):
        assert edge_fields(net.in_edges[v]) == edge_fields(expected_in.get(v, []))
        assert edge_fields(net.out_edges[v]) == edge_fields(expected_out.get(v, []))
        # the columns say the same
        assert [(u, c) for u, c, _ in net.in_links(v)] == [(e.src, e.code) for e in net.in_edges[v]]
        assert [(w, c) for w, c, _ in net.out_links(v)] == [(e.dst, e.code) for e in net.out_edges[v]]
        assert net.sources(v) == [e.src for e in net.in_edges[v]]
    # one object per edge, shared by its two ends
    for v in range(net.size):
        for e in net.out_edges[v]:
            assert any(e is other for other in net.in_edges[e.dst])
    elapsed = [e for v in range(net.size) for e in net.in_edges[v] if e.elapsed]
    assert len(elapsed) == 1
    assert elapsed[0].code & 4
    assert elapsed[0].code >> 3 == 2


def test_a_changed_network_reads_its_objects_and_rebuilds_the_same_columns() -> None:
    tasks, deps = mixed()
    net = Network(tasks, deps)
    net.sort()
    net.add_dependency(Dependency("e", "f", DependencyType.FF, 3))
    net.remove_dependency("b", "c")
    assert not net.columns_fresh
    stale_in = [[(u, c) for u, c, _ in net.in_links(v)] for v in range(net.size)]
    stale_out = [[(w, c) for w, c, _ in net.out_links(v)] for v in range(net.size)]
    net.refresh_columns()
    assert net.columns_fresh
    assert [[(u, c) for u, c, _ in net.in_links(v)] for v in range(net.size)] == stale_in
    assert [[(w, c) for w, c, _ in net.out_links(v)] for v in range(net.size)] == stale_out
    fresh = Network(tasks, list(net.dependencies.values()))
    assert (fresh.in_ptr, fresh.in_src, fresh.in_code) == (net.in_ptr, net.in_src, net.in_code)
    assert (fresh.out_ptr, fresh.out_dst, fresh.out_code) == (net.out_ptr, net.out_dst, net.out_code)


def assert_topological(net: Network) -> None:
    rank = net.rank
    assert sorted(rank) == list(range(net.size))
    for u in range(net.size):
        for w in net.forward_succs(u):
            assert rank[u] < rank[w], (u, w)


def test_a_plan_listed_in_dependency_order_skips_kahns_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    tasks, deps = mixed()
    listed = Network(tasks, deps)
    calls: list[bool] = []
    original = Network._order_as_listed

    def spy(self: Network, src, dst):
        found = original(self, src, dst)
        calls.append(found is not None)
        return found

    monkeypatch.setattr(Network, "_order_as_listed", spy)
    listed.sort()
    assert_topological(listed)
    reordered = Network(list(reversed(tasks)), deps)  # "e" now comes before the summary it follows
    reordered.sort()
    assert_topological(reordered)
    assert calls == [True, False]


def comparable(result: ScheduleResult) -> tuple:
    return (
        result.start_date,
        result.finish_date,
        result.tasks,
        sorted(map(str, result.critical_path)),
        sorted(tuple(map(str, chain)) for chain in result.critical_chains),
        result.conflicts,
    )


def test_listing_order_does_not_change_the_schedule() -> None:
    tasks, deps = mixed()
    assert comparable(schedule(tasks, deps, CAL, START)) == comparable(
        schedule(list(reversed(tasks)), list(reversed(deps)), CAL, START)
    )


@settings(max_examples=150, deadline=None)
@given(networks(), st.randoms(use_true_random=False))
def test_any_listing_order_gives_the_same_schedule(net: Net, rng) -> None:
    shuffled_tasks, shuffled_deps = list(net.tasks), list(net.deps)
    rng.shuffle(shuffled_tasks)
    rng.shuffle(shuffled_deps)
    try:
        expected = schedule(net.tasks, net.deps, CAL, START)
    except CycleError:  # a link into a summary can close a cycle through the hierarchy
        with pytest.raises(CycleError):
            schedule(shuffled_tasks, shuffled_deps, CAL, START)
        return
    assert comparable(schedule(shuffled_tasks, shuffled_deps, CAL, START)) == comparable(expected)


@pytest.mark.parametrize(
    ("tasks", "deps", "message"),
    [
        # the first bad dependency in the input's order is the one named
        (
            [Task("a", 1), Task("b", 1)],
            [Dependency("a", "b"), Dependency("a", "x"), Dependency("a", "b")],
            "unknown task 'x'",
        ),
        ([Task("a", 1), Task("b", 1)], [Dependency("a", "b"), Dependency("a", "b"), Dependency("y", "a")], "two dep"),
        ([Task("a", 1), Task("b", 1)], [Dependency("a", "b", NOT_A_TYPE), Dependency("b", "b")], "unknown dependency"),
        # and the first bad task
        ([Task("a", 1), Task("b", -1), Task("a", 1)], [], "'a' is listed twice"),
        ([Task("a", 1), Task("b", -1, parent="zz")], [], "'b' has a negative duration"),
        ([Task("a", 1, parent="zz"), Task("b", -1)], [], "unknown parent 'zz'"),
        ([Task("a", 1, constraint=ConstraintType.MSO), Task("b", -1)], [], "needs a date"),
        ([Task("a", 1, parent="b"), Task("b", 1, parent="c"), Task("c", 1, parent="a")], [], "hierarchy loops"),
    ],
)
def test_the_first_problem_in_the_input_is_reported(tasks: list[Task], deps: list[Dependency], message: str) -> None:
    with pytest.raises(ScheduleInputError, match=message):
        schedule(tasks, deps, CAL, START)


def test_a_self_dependency_is_a_cycle() -> None:
    with pytest.raises(CycleError):
        schedule([Task("a", 1), Task("b", 1)], [Dependency("a", "b"), Dependency("b", "b")], CAL, START)
