"""Scheduling engine benchmark: full schedules, incremental reschedules and Monte Carlo forecasts,
with the same networks scheduled by a networkx-based critical-path method for comparison.

Run with ``python -m bench planning`` (also part of ``make bench`` with ``--quick``). Networks are
random but seeded: each task depends on 1-2 of the 60 tasks before it (mostly finish-to-start, some
SS/FF, lags of 0-2 days), with one summary task per 50 tasks, on a Monday-Friday calendar with
holidays. Prints a Markdown table (wall time and CPU time, ``time.process_time``), the issue-4
targets met or not, the load average and a reference loop (1M Python additions) that shows how busy
the machine was; docs/scheduling.md records a run.

The timed call holds on to its result until the clocks stop: freeing a 100,000-task result is
the caller's business, later, and is not part of computing it.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from labora.planning.engine import (
    Calendar,
    Dependency,
    DependencyType,
    DurationChanged,
    Estimate,
    Task,
    forecast,
    reschedule,
    schedule,
)
from labora.planning.engine.calendar import WorkingDays

START = date(2025, 1, 6)
CALENDAR = Calendar(holidays=frozenset(START + timedelta(days=d) for d in range(0, 3650, 97)))

# issue 4's targets, in milliseconds
TARGETS = {
    ("full", 10_000): 100.0,
    ("full", 100_000): 1000.0,
    ("incremental", 10_000): 20.0,
    ("monte-carlo", 1000): 2000.0,
}


def network(n_tasks: int, n_deps: int, seed: int = 1) -> tuple[list[Task], list[Dependency]]:
    rng = random.Random(seed)
    tasks: list[Task] = []
    n_summaries = max(1, n_tasks // 50)
    for s in range(n_summaries):
        tasks.append(Task(f"S{s}"))
    leaves = n_tasks - n_summaries
    for i in range(leaves):
        tasks.append(
            Task(f"T{i}", rng.choice([0, 1, 2, 3, 5, 8]) if i % 40 else 0, parent=f"S{i * n_summaries // leaves}")
        )
    deps: dict[tuple[str, str], Dependency] = {}
    kinds = [DependencyType.FS] * 8 + [DependencyType.SS, DependencyType.FF]
    while len(deps) < n_deps:
        b = rng.randrange(1, leaves)
        a = rng.randrange(max(0, b - 60), b)
        key = (f"T{a}", f"T{b}")
        if key not in deps:
            deps[key] = Dependency(key[0], key[1], rng.choice(kinds), rng.choice([0, 0, 0, 1, 2]))
    return tasks, list(deps.values())


def fresh_copy(tasks: list[Task], deps: list[Dependency]) -> tuple[list[Task], list[Dependency]]:
    """New objects with new id strings, made in list order (as a database load makes them)."""

    def again(text: str) -> str:
        return (text + ".")[:-1]

    copied = [
        Task(again(str(t.id)), t.duration_days, parent=None if t.parent is None else again(str(t.parent)))
        for t in tasks
    ]
    return copied, [Dependency(again(str(d.predecessor)), again(str(d.successor)), d.type, d.lag_days) for d in deps]


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall and CPU milliseconds of ``fn()``; the result is released after the clocks stop."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
        del result
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000


def incremental_ms(tasks: list[Task], deps: list[Dependency], changes: int) -> tuple[float, float, float, float]:
    """Median wall, median CPU, 90th-percentile CPU and worst CPU ms of one-duration changes."""
    rng = random.Random(2)
    result = schedule(tasks, deps, CALENDAR, START)
    leaves = [t.id for t in tasks if t.parent is not None]
    walls, cpus = [], []
    for _ in range(changes):
        change = DurationChanged(rng.choice(leaves), rng.randrange(0, 10))
        wall, cpu = time.perf_counter(), time.process_time()
        new = reschedule(result, change)
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
        result = new
    ranked = sorted(cpus)
    p90 = ranked[min(len(ranked) - 1, int(0.9 * len(ranked)))]
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000, p90 * 1000, ranked[-1] * 1000


def networkx_cpm(nx: Any, tasks: list[Task], deps: list[Dependency]) -> tuple[int, dict[Any, int]]:
    """Critical-path scheduling with networkx: the graph, its topological order, the forward and
    backward passes in working-day positions (FS/SS/FF/SF with lags), total floats.

    The usual way to schedule with networkx; it does less than the engine (no calendar dates,
    summaries, constraints, free float, chains or result objects), so the ratio flatters it.
    Returns the project length in working days and each task's total float.
    """
    duration = {t.id: t.duration_days for t in tasks if t.parent is not None}
    graph = nx.DiGraph()
    graph.add_nodes_from(duration)
    graph.add_edges_from((d.predecessor, d.successor, {"type": str(d.type), "lag": d.lag_days}) for d in deps)
    order = list(nx.topological_sort(graph))
    es: dict[Any, int] = {}
    ef: dict[Any, int] = {}
    for v in order:
        start = 0
        finish = 0
        for u, _, data in graph.in_edges(v, data=True):
            kind, lag = data["type"], data["lag"]
            source = ef[u] if kind in ("FS", "FF") else es[u]
            if kind in ("FS", "SS"):
                start = max(start, source + lag)
            else:
                finish = max(finish, source + lag)
        start = max(start, finish - duration[v])
        es[v], ef[v] = start, start + duration[v]
    length = max(ef.values(), default=0)
    ls: dict[Any, int] = {}
    lf: dict[Any, int] = {}
    for v in reversed(order):
        finish = length
        start = length
        for _, w, data in graph.out_edges(v, data=True):
            kind, lag = data["type"], data["lag"]
            target = lf[w] if kind in ("FF", "SF") else ls[w]
            if kind in ("FS", "FF"):
                finish = min(finish, target - lag)
            else:
                start = min(start, target - lag)
        finish = min(finish, start + duration[v])
        lf[v], ls[v] = finish, finish - duration[v]
    return length, {v: ls[v] - es[v] for v in order}


def reference_ms() -> float:
    """CPU ms of 1M Python additions: ~40 ms on an idle core of the reference machine."""
    begin = time.process_time()
    total = 0
    for i in range(1_000_000):
        total += i
    return (time.process_time() - begin) * 1000


def run(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench planning", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="Skip the 100,000-task network.")
    args = parser.parse_args(argv)
    try:
        import networkx as nx  # only for the comparison (the dev extra installs it)
    except ImportError:
        nx = None
        print("networkx is not installed (pip install networkx): no comparison")
    rows: list[tuple[str, str, str, str]] = []
    met: list[str] = []
    load_before = os.getloadavg()[0]
    ref_before = reference_ms()

    def check(key: tuple[str, int], wall: float, cpu: float, what: str) -> str:
        """Wall time is what the issue asks for; on a busy machine CPU time is the fairer reading."""
        target = TARGETS.get(key)
        if target is None:
            return ""
        verdict = "met" if wall < target else "met in CPU time only" if cpu < target else "NOT met"
        met.append(f"{what}: {wall:.1f} ms wall, {cpu:.1f} ms CPU, target < {target:.0f} ms: {verdict}")
        return f"target < {target:.0f} ms: {verdict}"

    sizes = [(2000, 4000, 7), (10_000, 15_000, 7)] + ([] if args.quick else [(100_000, 150_000, 3)])
    for n, m, repeat in sizes:
        tasks, deps = network(n, m)
        full, full_cpu = timed(lambda tasks=tasks, deps=deps: schedule(tasks, deps, CALENDAR, START), repeat)  # type: ignore[misc]
        note = check(("full", n), full, full_cpu, f"full schedule, {n:,} tasks")
        rows.append(
            (
                f"full schedule, {n:,} tasks / {m:,} dependencies",
                f"{full:.1f} ms",
                f"{full_cpu:.1f} ms",
                f"median of {repeat}; {note}",
            )
        )
        if n >= 10_000:  # the same plan listed in random order: the engine renumbers it
            mixed_tasks, mixed_deps = list(tasks), list(deps)
            random.Random(4).shuffle(mixed_tasks)
            random.Random(5).shuffle(mixed_deps)
            mixed, mixed_cpu = timed(
                lambda tasks=mixed_tasks, deps=mixed_deps: schedule(tasks, deps, CALENDAR, START),  # type: ignore[misc]
                repeat,
            )
            note = check(("full", n), mixed, mixed_cpu, f"full schedule, {n:,} tasks listed in random order")
            rows.append(
                (
                    f"... the same, tasks and dependencies listed in random order, {n:,} tasks",
                    f"{mixed:.1f} ms",
                    f"{mixed_cpu:.1f} ms",
                    f"median of {repeat}; not a topological order: renumbered in one (NumPy, level by level); {note}",
                )
            )
            # the same shuffled plan built afresh in that order, as loading it from storage would:
            # the objects (and ids) lie in memory in list order, not scattered by the shuffle
            built_tasks, built_deps = fresh_copy(mixed_tasks, mixed_deps)
            built, built_cpu = timed(
                lambda tasks=built_tasks, deps=built_deps: schedule(tasks, deps, CALENDAR, START),  # type: ignore[misc]
                repeat,
            )
            rows.append(
                (
                    f"... the same random order, objects built in that order (as loaded), {n:,} tasks",
                    f"{built:.1f} ms",
                    f"{built_cpu:.1f} ms",
                    f"median of {repeat}",
                )
            )
        if n <= 10_000:
            inc, inc_cpu, p90, worst = incremental_ms(tasks, deps, 30)
            note = check(("incremental", n), inc, inc_cpu, f"incremental reschedule (median), {n:,} tasks")
            rows.append(
                (
                    f"incremental reschedule (one duration), {n:,} tasks",
                    f"{inc:.2f} ms",
                    f"{inc_cpu:.2f} ms",
                    f"median of 30 (CPU p90 {p90:.1f} ms, worst {worst:.1f} ms: a change that moves the project finish "
                    f"redoes the backward pass); {note}",
                )
            )
        if nx is None:
            continue
        nx_ms, nx_cpu = timed(lambda tasks=tasks, deps=deps: networkx_cpm(nx, tasks, deps), repeat)  # type: ignore[misc]
        length, _ = networkx_cpm(nx, tasks, deps)
        engine = schedule(tasks, deps, CALENDAR, START)
        wd = WorkingDays(CALENDAR, START)
        same = wd.finish_position(engine.finish_date) == length
        rows.append(
            (
                f"networkx CPM (topological sort + both passes), {n:,} tasks",
                f"{nx_ms:.1f} ms",
                f"{nx_cpu:.1f} ms",
                f"networkx / engine: {nx_ms / full:.2f}x wall, {nx_cpu / full_cpu:.2f}x CPU; "
                f"same project length: {'yes' if same else 'NO'}",
            )
        )

    for n, m, runs in [(2000, 4000, 1000), (1000, 1500, 10_000)]:
        tasks, deps = network(n, m)
        rng = random.Random(3)
        estimates = {}
        for t in tasks:
            if t.parent is not None and t.duration_days:
                likely = t.duration_days
                estimates[t.id] = Estimate(likely * 0.8, likely, likely * (1.2 + rng.random()))
        mc, mc_cpu = timed(
            lambda tasks=tasks, deps=deps, est=estimates, runs=runs: forecast(  # type: ignore[misc]
                tasks, deps, CALENDAR, START, est, runs=runs, seed=1
            ),
            1,
        )
        note = check(
            ("monte-carlo", n) if runs == 10_000 else ("", 0), mc, mc_cpu, f"Monte Carlo {runs:,} runs, {n:,} tasks"
        )
        rows.append(
            (
                f"Monte Carlo, {runs:,} runs of {n:,} tasks (PERT, criticality)",
                f"{mc / 1000:.2f} s",
                f"{mc_cpu / 1000:.2f} s",
                f"one run; {note}" if note else "one run",
            )
        )

    print("| measure | wall | CPU | note |")
    print("|---|---|---|---|")
    for name, value, cpu, note in rows:
        print(f"| {name} | {value} | {cpu} | {note} |")
    print()
    for line in met:
        print(f"- {line}")
    load_after = os.getloadavg()[0]
    print(
        f"\nLoad average {load_before:.1f} before, {load_after:.1f} after, on {os.cpu_count()} CPUs; "
        f"reference loop (1M Python additions) {ref_before:.0f} ms CPU before, {reference_ms():.0f} ms after "
        "(~40 ms on an idle core)."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(run())
