"""The network's edge columns, its lazily made edge objects and the two ways it orders nodes."""

from __future__ import annotations

import random
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
from labora.planning.engine import network as network_module
from labora.planning.engine.network import Network
from tests.planning.test_engine_properties import Net, networks

# Pure Python (pytest-django would refuse a query): run once, not again on PostgreSQL.
pytestmark = pytest.mark.db_free

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


def listed_as_given(monkeypatch: pytest.MonkeyPatch) -> None:
    """Schedule on the network as listed (Kahn's order), as the engine did before renumbering."""

    def as_given(self: Network) -> Network:
        self.sort()
        return self

    monkeypatch.setattr(Network, "in_topological_order", as_given)


def exact(result: ScheduleResult) -> tuple:
    """Everything, in order: the tasks' and conflicts' order and the ties of the critical path."""
    return (
        result.start_date,
        result.finish_date,
        list(result.tasks.items()),
        result.critical_path,
        result.critical_chains,
        list(result.conflicts.items()),
    )


@pytest.fixture
def renumber_any_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """Renumber even small networks (the engine only renumbers from RENUMBER_FROM nodes)."""
    monkeypatch.setattr(network_module, "RENUMBER_FROM", 0)


def test_a_small_plan_listed_out_of_order_is_sorted_as_listed() -> None:
    tasks, deps = mixed()
    reordered = Network(list(reversed(tasks)), list(reversed(deps)))
    assert reordered.in_topological_order() is reordered
    assert_topological(reordered)


@pytest.mark.usefixtures("renumber_any_size")
def test_a_plan_listed_out_of_order_is_renumbered_in_a_topological_order() -> None:
    tasks, deps = mixed()
    listed = Network(tasks, deps)
    assert listed.in_topological_order() is listed
    assert listed.position is None
    reordered = Network(list(reversed(tasks)), list(reversed(deps)))
    renumbered = reordered.in_topological_order()
    assert renumbered is not reordered
    assert_topological(renumbered)
    # the renumbered network is listed in a topological order: no Kahn's loop for it
    src, dst, _, _ = renumbered._links()
    assert renumbered._order_as_listed(src, dst) is not None
    # it is the same network, tasks renumbered: each task knows its input position
    assert renumbered.position is not None
    assert renumbered.input_order is not None
    assert [renumbered.ids[v] for v in renumbered.input_order] == reordered.ids
    assert [reordered.ids[p] for p in renumbered.position] == renumbered.ids
    assert renumbered.index == {task_id: v for v, task_id in enumerate(renumbered.ids)}
    assert sorted(renumbered.dependencies) == sorted(reordered.dependencies)


@settings(max_examples=100, deadline=None)
@given(networks(), st.randoms(use_true_random=False))
def test_renumbering_gives_exactly_the_schedule_of_the_plan_as_listed(net: Net, rng) -> None:
    # the order of the result's tasks and conflicts, and ties in the critical path and chains
    # (broken by input position), are what scheduling the network as listed gives
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(network_module, "RENUMBER_FROM", 0)
        check_renumbering(net, rng)


def outcome(tasks: list[Task], deps: list[Dependency]) -> tuple:
    try:
        return exact(schedule(tasks, deps, CAL, START))
    except CycleError as error:
        return ("cycle", error.task_ids)


def check_renumbering(net: Net, rng) -> None:
    tasks, deps = list(net.tasks), list(net.deps)
    rng.shuffle(tasks)
    rng.shuffle(deps)
    renumbered = outcome(tasks, deps)
    with pytest.MonkeyPatch.context() as monkeypatch:
        listed_as_given(monkeypatch)
        assert outcome(tasks, deps) == renumbered  # the same cycle is named, if any


def test_a_large_shuffled_plan_gives_the_schedule_of_the_plan_as_listed(monkeypatch: pytest.MonkeyPatch) -> None:
    # 3,000 tasks under 60 summaries, each depending on 1-2 of the 60 listed before it, shuffled
    rng = random.Random(7)
    tasks = [Task(f"S{s}") for s in range(60)]
    tasks += [Task(f"T{i}", rng.choice([0, 1, 2, 3, 5]), parent=f"S{i // 50}") for i in range(3000)]
    links: dict[tuple[str, str], Dependency] = {}
    while len(links) < 4500:
        b = rng.randrange(1, 3000)
        key = (f"T{rng.randrange(max(0, b - 60), b)}", f"T{b}")
        links[key] = Dependency(*key, rng.choice(list(DependencyType)), rng.choice([-1, 0, 0, 1, 2]))
    deps = list(links.values())
    rng.shuffle(tasks)
    rng.shuffle(deps)
    tasks.append(Task("late", 2, constraint=ConstraintType.FNLT, constraint_date=date(2025, 3, 5)))
    deps.append(Dependency(tasks[0].id if tasks[0].parent else tasks[1].id, "late"))
    monkeypatch.setattr(network_module, "RENUMBER_FROM", 0)  # 3,060 nodes: renumber them too
    renumbered = exact(schedule(tasks, deps, CAL, START))
    assert renumbered[5], "a conflict to keep in order"
    listed_as_given(monkeypatch)
    assert exact(schedule(tasks, deps, CAL, START)) == renumbered


def test_a_leaf_driving_another_through_two_links_is_one_step_of_a_chain() -> None:
    # "a" drives "b" directly (FS) and through a finish link onto b's summary (FF +3): the
    # critical chains name "b" once
    tasks = [Task("a", 2), Task("S"), Task("b", 3, parent="S"), Task("c", 1, parent="S"), Task("d", 2)]
    deps = [
        Dependency("a", "b"),
        Dependency("a", "S", DependencyType.FF, 3),
        Dependency("b", "d"),
        Dependency("c", "d"),
    ]
    result = schedule(tasks, deps, Calendar(), date(2025, 1, 6))
    assert result.critical_path == ["a", "b", "c", "d"]
    assert result.critical_chains == [["a", "b", "d"], ["a", "c", "d"]]
