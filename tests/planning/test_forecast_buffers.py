"""Monte Carlo forecast and critical-chain buffers."""

from __future__ import annotations

from datetime import date
from typing import Literal

import numpy as np
import pytest

from labora.planning.engine import (
    Calendar,
    Dependency,
    Estimate,
    ScheduleInputError,
    Task,
    forecast,
    insert_buffers,
    schedule,
)
from labora.planning.engine.forecast import sample_durations

# Pure Python (pytest-django would refuse a query): run once, not again on PostgreSQL.
pytestmark = pytest.mark.db_free

START = date(2025, 3, 3)
CAL = Calendar()
TASKS = [Task("A", 3), Task("B", 7), Task("C", 2), Task("D", 4), Task("M", 0, is_milestone=True)]
DEPS = [Dependency("A", "B"), Dependency("A", "C"), Dependency("C", "D"), Dependency("B", "M"), Dependency("D", "M")]


def test_certain_estimates_give_the_deterministic_schedule() -> None:
    estimates = {t.id: Estimate(t.duration_days, t.duration_days, t.duration_days) for t in TASKS}
    result = forecast(TASKS, DEPS, CAL, START, estimates, runs=200, seed=1)
    deterministic = schedule(TASKS, DEPS, CAL, START)
    assert result.deterministic_finish == deterministic.finish_date
    assert result.finish.p50 == result.finish.p80 == result.finish.p95 == deterministic.finish_date
    assert result.milestones["M"].p95 == deterministic.tasks["M"].early_finish
    assert result.criticality == {"A": 1.0, "B": 1.0, "C": 0.0, "D": 0.0, "M": 1.0}
    assert [(b.start, b.count) for b in result.histogram] == [(deterministic.finish_date, 200)]


@pytest.mark.parametrize("distribution", ["pert", "triangular"])
def test_uncertain_estimates_spread_the_finish(distribution: Literal["pert", "triangular"]) -> None:
    estimates = {
        "A": Estimate(2, 3, 6),
        "B": Estimate(3, 6, 10),
        "C": Estimate(1, 2, 5),
        "D": Estimate(2, 4, 10),
    }
    result = forecast(TASKS, DEPS, CAL, START, estimates, runs=2000, seed=7, distribution=distribution)
    assert result.finish.p50 <= result.finish.p80 <= result.finish.p95
    assert result.finish.p50 < result.finish.p95
    # the earliest possible finish (all optimistic: A2 + B3 = 5 days, Fri 7th) bounds every run
    assert result.histogram[0].start >= date(2025, 3, 7)
    assert sum(b.count for b in result.histogram) == 2000
    # both branches drive the finish in some runs
    assert 0 < result.criticality["C"] < 1
    assert 0 < result.criticality["B"] < 1
    assert result.criticality["A"] == 1.0
    again = forecast(TASKS, DEPS, CAL, START, estimates, runs=2000, seed=7, distribution=distribution)
    assert again == result  # seeded


def test_samples_stay_within_the_estimate() -> None:
    rng = np.random.default_rng(3)
    for dist in ("pert", "triangular"):
        x = sample_durations([Estimate(1, 2, 9), Estimate(4, 4, 4)], 5000, rng, dist)
        assert x.shape == (2, 5000)
        assert x[0].min() >= 1
        assert x[0].max() <= 9
        assert (x[1] == 4).all()
        assert 2 < x[0].mean() < 5  # skewed towards the pessimistic tail, above the mode


def test_summaries_and_done_work_in_a_forecast() -> None:
    tasks = [
        Task("S"),
        Task("a", 2, parent="S", actual_start=START, actual_finish=date(2025, 3, 4)),
        Task("b", 3, parent="S"),
        Task("c", 1),
    ]
    deps = [Dependency("a", "b"), Dependency("S", "c")]
    result = forecast(tasks, deps, CAL, START, {"b": Estimate(3, 3, 3)}, runs=50, seed=0)
    assert result.finish.p95 == schedule(tasks, deps, CAL, START).finish_date == date(2025, 3, 10)
    assert result.criticality["a"] == 0.0  # done work is not critical
    assert result.criticality["b"] == result.criticality["c"] == 1.0
    assert "S" not in result.criticality


def test_bad_estimate_is_refused() -> None:
    with pytest.raises(ScheduleInputError, match="optimistic <= likely <= pessimistic"):
        Estimate(5, 3, 4)


def test_buffers_are_explicit_tasks_and_dependencies() -> None:
    estimates = {"A": Estimate(2, 3, 6), "B": Estimate(5, 7, 11), "C": Estimate(1, 2, 4), "D": Estimate(2, 4, 7)}
    plan = insert_buffers(TASKS, DEPS, CAL, START, estimates)
    # critical chain A -> B -> M; project buffer after M: sqrt(3^2 + 4^2) = 5 days
    assert plan.sizes["buffer:project-buffer"] == 5
    assert plan.chains["buffer:project-buffer"] == ["A", "B", "M"]
    # the feeding chain C -> D joins M: sqrt(2^2 + 3^2) = 3.6 -> 4 days, between D and M
    assert plan.sizes["buffer:feeding:D"] == 4
    assert plan.chains["buffer:feeding:D"] == ["C", "D"]
    assert Dependency("D", "M") in plan.removed
    assert Dependency("D", "buffer:feeding:D") in plan.added
    assert Dependency("buffer:feeding:D", "M") in plan.added
    assert Dependency("M", "buffer:project-buffer") in plan.added
    assert {t.id for t in plan.tasks} == {"buffer:project-buffer", "buffer:feeding:D"}
    assert plan.schedule is not None
    # A3 + B7 ends Fri 14th, but the feeding path A3 + C2 + D4 + buffer 4 = 13 working days ends
    # Wed 19th: M waits for it (the buffer is larger than the feeding chain's float of 1 day)
    assert plan.schedule.tasks["M"].early_finish == date(2025, 3, 19)
    assert plan.schedule.finish_date == date(2025, 3, 26)


def test_cut_and_paste_buffers() -> None:
    plan = insert_buffers(TASKS, DEPS, CAL, START, {}, method="cut_and_paste")
    assert plan.sizes["buffer:project-buffer"] == 5  # half of A3 + B7 + M0
    assert plan.sizes["buffer:feeding:D"] == 3  # half of C2 + D4
