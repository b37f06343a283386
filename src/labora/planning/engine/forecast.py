"""Monte Carlo forecast: many schedules at once, one NumPy row per task and one column per run.

Durations are sampled for all runs at once (PERT-beta or triangular from optimistic / most likely /
pessimistic estimates, in working days, continuous), then the forward and backward passes walk the
network once in topological order, each step operating on whole rows of ``runs`` values. A run's
finish position is a fractional working-day position; dates are the working day it falls in.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from labora.planning.engine.calendar import Calendar, WorkingDays
from labora.planning.engine.model import Dependency, ScheduleInputError, Task, TaskId
from labora.planning.engine.network import AGG, GATE, LEAF, Network
from labora.planning.engine.passes import POS, State

FloatMatrix = npt.NDArray[np.float64]
_TOLERANCE = 1e-7
_CHUNK = 2000  # runs simulated at once


@dataclass(frozen=True)
class Estimate:
    """Three-point estimate of a task's duration in working days."""

    optimistic: float
    likely: float
    pessimistic: float

    def __post_init__(self) -> None:
        if not (0 <= self.optimistic <= self.likely <= self.pessimistic):
            raise ScheduleInputError(
                f"an estimate needs 0 <= optimistic <= likely <= pessimistic, got "
                f"{self.optimistic}, {self.likely}, {self.pessimistic}"
            )


@dataclass(frozen=True)
class Percentiles:
    p50: date
    p80: date
    p95: date


@dataclass(frozen=True)
class HistogramBin:
    """Runs that finish from ``start`` to ``finish`` (inclusive working dates)."""

    start: date
    finish: date
    count: int


@dataclass(frozen=True)
class Forecast:
    runs: int
    deterministic_finish: date
    finish: Percentiles
    milestones: dict[TaskId, Percentiles]
    histogram: list[HistogramBin]
    criticality: dict[TaskId, float]  # share of runs in which each (non-summary) task was critical


def sample_durations(
    estimates: Sequence[Estimate],
    runs: int,
    rng: np.random.Generator,
    distribution: Literal["pert", "triangular"] = "pert",
) -> FloatMatrix:
    """A ``len(estimates) x runs`` matrix of sampled durations."""
    if not estimates:
        return np.zeros((0, runs))
    a = np.array([e.optimistic for e in estimates], dtype=np.float64)[:, None]
    m = np.array([e.likely for e in estimates], dtype=np.float64)[:, None]
    b = np.array([e.pessimistic for e in estimates], dtype=np.float64)[:, None]
    span = b - a
    safe = np.where(span > 0, span, 1.0)
    if distribution == "pert":
        alpha = 1 + 4 * (m - a) / safe
        beta = 1 + 4 * (b - m) / safe
        x = rng.beta(np.broadcast_to(alpha, (len(estimates), runs)), np.broadcast_to(beta, (len(estimates), runs)))
        out = a + span * x
    elif distribution == "triangular":
        u = rng.random((len(estimates), runs))
        c = (m - a) / safe
        left = a + np.sqrt(u * span * (m - a))
        right = b - np.sqrt((1 - u) * span * (b - m))
        out = np.where(u < c, left, right)
    else:
        raise ScheduleInputError(f"unknown distribution {distribution!r}: use 'pert' or 'triangular'")
    return np.where(span > 0, out, a)


def forecast(
    tasks: Sequence[Task],
    dependencies: Iterable[Dependency],
    calendar: Calendar,
    project_start: date,
    estimates: Mapping[Any, Estimate],
    *,
    runs: int = 1000,
    distribution: Literal["pert", "triangular"] = "pert",
    seed: int | None = None,
    bins: int = 20,
    progress: Callable[[int, int], object] | None = None,
) -> Forecast:
    """P50/P80/P95 finish of the project and of each milestone, a histogram and criticality indexes.

    Tasks without an estimate keep their duration. Work that is done (actual finish) and manually
    scheduled tasks keep their dates. ``progress(done, runs)`` is called after each chunk of runs.
    Raises what :func:`schedule` raises.
    """
    if runs < 1:
        raise ScheduleInputError("a forecast needs at least one run")
    net = Network(tasks, dependencies)
    net.sort()
    wd = WorkingDays(calendar, project_start)
    state = State(net, wd)
    state.forward_all()
    state.backward_all()
    size, n = net.size, net.n_tasks
    rng = np.random.default_rng(seed)

    order = net.order()
    lag_cache: dict[int, list[float]] = {}

    def lags(v: int) -> list[float]:
        cached = lag_cache.get(v)
        if cached is None:
            cached = []
            for e in net.in_edges[v]:
                if e.elapsed:  # the deterministic schedule's working-day equivalent
                    src = (state.ef_k[e.src] if e.from_finish else state.es_k[e.src]) + 1 >> 1
                    cached.append(float(state.lag_pos(src, e) - src))
                else:
                    cached.append(float(e.lag))
            lag_cache[v] = cached
        return cached

    in_groups: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None] = [None] * size
    for v in range(size):
        edges = net.in_edges[v]
        if not edges:
            continue
        lv = lags(v)
        in_groups[v] = (
            np.array([e.src + size * e.from_finish for e in edges if not e.to_finish], dtype=np.intp),
            np.array([lag for e, lag in zip(edges, lv, strict=True) if not e.to_finish])[:, None],
            np.array([e.src + size * e.from_finish for e in edges if e.to_finish], dtype=np.intp),
            np.array([lag for e, lag in zip(edges, lv, strict=True) if e.to_finish])[:, None],
        )

    out_groups: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None] = [None] * size
    for u in range(size):
        edges = net.out_edges[u]
        if not edges:
            continue
        fi: list[int] = []
        fl: list[float] = []
        si: list[int] = []
        sl: list[float] = []
        for e in edges:
            lag = lags(e.dst)[net.in_edges[e.dst].index(e)]
            (fi if e.from_finish else si).append(e.dst + size * e.to_finish)
            (fl if e.from_finish else sl).append(lag)
        out_groups[u] = (
            np.array(fi, dtype=np.intp),
            np.array(fl)[:, None],
            np.array(si, dtype=np.intp),
            np.array(sl)[:, None],
        )
    leaves = [v for v in range(n) if net.kind[v] == LEAF]
    sampled = [
        v
        for v in leaves
        if net.tasks[v].id in estimates and (state.fixed_es_k[v] is None or state.fixed_ef_k[v] is None)
    ]
    milestone_nodes = [v for v in leaves if net.tasks[v].is_milestone or state.d_eff[v] == 0]
    finishes: list[FloatMatrix] = []
    milestone_finishes: list[FloatMatrix] = []
    critical_runs = np.zeros(size)
    remaining = runs
    while remaining:  # in chunks, so that memory stays bounded whatever the number of runs
        width = min(_CHUNK, remaining)
        remaining -= width
        # durations: one row per node (zeros for summaries and gates)
        dur = np.zeros((size, width))
        for v in leaves:
            dur[v] = state.d_eff[v]
        if sampled:
            dur[sampled] = sample_durations([estimates[net.tasks[v].id] for v in sampled], width, rng, distribution)
        # X holds early starts in rows 0..size-1 and early finishes in rows size..2*size-1
        X = np.zeros((2 * size, width))
        for v in order:
            kind = net.kind[v]
            if kind == AGG:
                kids = list(net.children[v])
                X[v] = X[kids].min(axis=0)
                X[size + v] = X[[size + c for c in kids]].max(axis=0)
                continue
            start = np.full(width, float((state.start_floor_k[v] + 1) >> 1))
            g = net.parent_gate[v]
            if g >= 0:
                np.maximum(start, X[g], out=start)
            finish_req = None
            group = in_groups[v]
            if group is not None:
                s_idx, s_lag, f_idx, f_lag = group
                if s_idx.size:
                    np.maximum(start, (X[s_idx] + s_lag).max(axis=0), out=start)
                if f_idx.size:
                    finish_req = (X[f_idx] + f_lag).max(axis=0)
            if kind == GATE:
                X[v] = start
                X[size + v] = start
                continue
            fs, ff = state.fixed_es_k[v], state.fixed_ef_k[v]
            d = dur[v]
            if fs is not None and ff is not None:
                X[v] = float(fs >> 1)
                X[size + v] = float(fs >> 1) + d
            elif fs is not None:
                X[v] = float(fs >> 1)
                X[size + v] = X[v] + d
            elif ff is not None:
                X[size + v] = float((ff + 1) >> 1)
                X[v] = X[size + v] - d
            else:
                if state.finish_floor_k[v] > -POS:
                    floor = float((state.finish_floor_k[v] + 1) >> 1)
                    finish_req = np.full(width, floor) if finish_req is None else np.maximum(finish_req, floor)
                if finish_req is not None:
                    np.maximum(start, finish_req - d, out=start)
                X[v] = start
                X[size + v] = start + d

        finish = X[[size + v for v in leaves]].max(axis=0) if leaves else np.zeros(width)

        # backward pass: Y holds late starts, then late finishes
        Y = np.zeros((2 * size, width))
        lf_lim = np.full((size, width), np.inf)
        ls_lim = np.full((size, width), np.inf)
        for i in range(len(order) - 1, -1, -1):
            v = order[i]
            kind = net.kind[v]
            if kind == GATE:
                kids = list(net.gate_children[v])
                Y[v] = np.minimum(finish, Y[kids].min(axis=0)) if kids else finish
                Y[size + v] = Y[v]
                continue
            late_finish = finish.copy()
            late_start = np.full(width, np.inf)
            a = net.parent_agg[v]
            if a >= 0:
                np.minimum(late_finish, lf_lim[a], out=late_finish)
                drives = X[v] == X[a]
                late_start = np.where(drives, ls_lim[a], late_start)
            group = out_groups[v]
            if group is not None:
                f_idx, f_lag, s_idx, s_lag = group
                if f_idx.size:
                    np.minimum(late_finish, (Y[f_idx] - f_lag).min(axis=0), out=late_finish)
                if s_idx.size:
                    np.minimum(late_start, (Y[s_idx] - s_lag).min(axis=0), out=late_start)
            if state.late_start_max[v] < POS:
                np.minimum(late_start, float(state.late_start_max[v]), out=late_start)
            if state.late_finish_max[v] < POS:
                np.minimum(late_finish, float(state.late_finish_max[v]), out=late_finish)
            if kind == AGG:
                lf_lim[v] = late_finish
                ls_lim[v] = late_start
                continue
            d = dur[v]
            np.minimum(late_finish, late_start + d, out=late_finish)
            Y[size + v] = late_finish
            Y[v] = late_finish - d

        for v in leaves:
            if not state.done[v]:
                critical_runs[v] += ((Y[v] - X[v]) <= _TOLERANCE).sum()
        finishes.append(finish)
        milestone_finishes.append(X[[size + v for v in milestone_nodes]])
        if progress is not None:
            progress(runs - remaining, runs)
    finish = np.concatenate(finishes)
    milestone_positions = np.concatenate(milestone_finishes, axis=1)
    criticality = {net.tasks[v].id: float(critical_runs[v] / runs) for v in leaves}
    end_side = bool(state.pf & 1)
    finish_days = _days(finish, end_side)
    milestones: dict[TaskId, Percentiles] = {}
    for row, v in enumerate(milestone_nodes):
        milestones[net.tasks[v].id] = _percentiles(wd, _days(milestone_positions[row], bool(state.ef_k[v] & 1)))
    return Forecast(
        runs=runs,
        deterministic_finish=wd.date_at(state.pf >> 1),
        finish=_percentiles(wd, finish_days),
        milestones=milestones,
        histogram=_histogram(wd, finish_days, bins),
        criticality=criticality,
    )


def _days(positions: FloatMatrix, end_side: bool) -> npt.NDArray[np.int64]:
    """Working-day index of each fractional position: the day a finish falls in."""
    if end_side:
        return (np.ceil(positions - 1e-9) - 1).astype(np.int64)
    return np.floor(positions + 1e-9).astype(np.int64)


def _percentiles(wd: WorkingDays, days: npt.NDArray[np.int64]) -> Percentiles:
    q = np.quantile(days, [0.5, 0.8, 0.95], method="inverted_cdf").astype(np.int64)
    dates = wd.dates(q).tolist()
    return Percentiles(dates[0], dates[1], dates[2])


def _histogram(wd: WorkingDays, days: npt.NDArray[np.int64], bins: int) -> list[HistogramBin]:
    lo, hi = int(days.min()), int(days.max())
    width = max(1, math.ceil((hi - lo + 1) / max(1, bins)))
    edges = np.arange(lo, hi + width + 1, width, dtype=np.int64)
    counts, _ = np.histogram(days, bins=edges)
    starts = wd.dates(edges[:-1]).tolist()
    finishes = wd.dates(edges[1:] - 1).tolist()
    return [HistogramBin(s, f, int(c)) for s, f, c in zip(starts, finishes, counts, strict=True)]
