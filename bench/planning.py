"""Scheduling engine benchmark: full schedules, incremental reschedules and Monte Carlo forecasts.

Run with ``python -m bench planning`` (also part of ``make bench``). Networks are random but
seeded: each task depends on 1-2 of the 60 tasks before it (mostly finish-to-start, some SS/FF,
lags of 0-2 days), with one summary task per 50 tasks, on a Monday-Friday calendar with holidays.
Prints a Markdown table; docs/scheduling.md records a run.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta

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

START = date(2025, 1, 6)
CALENDAR = Calendar(holidays=frozenset(START + timedelta(days=d) for d in range(0, 3650, 97)))


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


def timed(fn: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        begin = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - begin)
    return statistics.median(samples) * 1000


def incremental_ms(tasks: list[Task], deps: list[Dependency], changes: int) -> float:
    rng = random.Random(2)
    result = schedule(tasks, deps, CALENDAR, START)
    leaves = [t.id for t in tasks if t.parent is not None]
    samples = []
    for _ in range(changes):
        change = DurationChanged(rng.choice(leaves), rng.randrange(0, 10))
        begin = time.perf_counter()
        result = reschedule(result, change)
        samples.append(time.perf_counter() - begin)
    return statistics.median(samples) * 1000


def run(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench planning", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="Skip the 100,000-task network.")
    args = parser.parse_args(argv)
    rows: list[tuple[str, str, str]] = []

    for n, m, repeat in [(2000, 4000, 7), (10_000, 15_000, 5)] + ([] if args.quick else [(100_000, 150_000, 1)]):
        tasks, deps = network(n, m)
        full = timed(lambda tasks=tasks, deps=deps: schedule(tasks, deps, CALENDAR, START), repeat)  # type: ignore[misc]
        rows.append((f"full schedule, {n:,} tasks / {m:,} dependencies", f"{full:.1f} ms", "median"))
        if n <= 10_000:
            inc = incremental_ms(tasks, deps, 30)
            rows.append((f"incremental reschedule (one duration), {n:,} tasks", f"{inc:.2f} ms", "median of 30"))
        try:
            import networkx as nx  # optional: only for the comparison
        except ImportError:
            continue
        graph = nx.DiGraph()
        graph.add_weighted_edges_from((d.predecessor, d.successor, 1) for d in deps)
        nx_ms = timed(lambda graph=graph: nx.dag_longest_path_length(graph), repeat)  # type: ignore[misc]
        rows.append((f"networkx dag_longest_path_length, {n:,} tasks", f"{nx_ms:.1f} ms", f"ratio {nx_ms / full:.2f}"))

    for n, m, runs in [(2000, 4000, 1000), (1000, 1500, 10_000)]:
        tasks, deps = network(n, m)
        rng = random.Random(3)
        estimates = {}
        for t in tasks:
            if t.parent is not None and t.duration_days:
                likely = t.duration_days
                estimates[t.id] = Estimate(likely * 0.8, likely, likely * (1.2 + rng.random()))
        mc = timed(
            lambda tasks=tasks, deps=deps, est=estimates, runs=runs: forecast(  # type: ignore[misc]
                tasks, deps, CALENDAR, START, est, runs=runs, seed=1
            ),
            1,
        )
        rows.append((f"Monte Carlo, {runs:,} runs of {n:,} tasks (PERT, criticality)", f"{mc / 1000:.2f} s", "one run"))

    print("| measure | time | note |")
    print("|---|---|---|")
    for name, value, note in rows:
        print(f"| {name} | {value} | {note} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(run())
