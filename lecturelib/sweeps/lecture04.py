r"""Stored sweeps of Lecture 4 (``04-online-sgd``): the theorem's table at research scale.

``theorem-table``: for :math:`He_k`, ``k = 1 .. 4``, 256 runs per dimension of projected online
SGD from a uniform start, each stopped at its exact first step with :math:`|m| \ge 1/2`
(:func:`lecturelib.sgd.online_sgd` with ``stop_at``), censored at the horizon:

======  ===================  ==========================  ===================
``k``   step size            dimensions                  horizon
======  ===================  ==========================  ===================
1       :math:`0.5/d`        13, log-spaced 100 … 10^5   :math:`20d`
2       :math:`0.1/d`        13, log-spaced 100 … 10^5   :math:`40 d^{5/4}`
3       :math:`0.05 d^{-3/2}`  8, log-spaced 40 … 1000     :math:`60 d^2`
4       :math:`0.02 d^{-2}`    7, 24 … 192 (ratio √2)      :math:`30 d^3`
======  ===================  ==========================  ===================

The grid is set by the CPU budget of ``make sweeps`` (about 90 CPU minutes on this course's
2-core machine): a run costs about 50 ns a step, and the mean cost per run is about
:math:`2d`, :math:`4 d\ln d`, :math:`26 d^2` and :math:`13 d^3` steps for ``k = 1 .. 4``
(measured), so ``k = 4`` at ``d = 192`` alone is about 25 CPU minutes.

``theorem-table-seed2``: the same with another root seed, on the cheaper part of the grid
(``k = 1, 2`` in full, ``k = 3`` up to ``d = 398``, ``k = 4`` up to ``d = 68``: about an eighth
of the cost), so that the bootstrap intervals can be checked against an independent
replicate on the dimensions both hold.
"""

from __future__ import annotations

import math

import numpy as np

from . import declare

__all__ = ["escape_cell", "THEOREM_GRID", "theorem_cells"]

_ENGINE = (
    "lecturelib.sgd:online_sgd", "lecturelib.sgd:_online_sgd_runs", "lecturelib.sgd:_run_overlap",
    "lecturelib.sgd:_overlap_link", "lecturelib.sgd:_escape_steps", "lecturelib._kernels:overlap_chain",
    "lecturelib._kernels:chain_update", "lecturelib._kernels:link_value", "lecturelib._kernels:chi_square",
    "lecturelib._kernels:series_roots", "lecturelib.links:Link.hermite",
)
"""The code an escape cell runs: the engine's entry points and its numba kernels."""


def escape_cell(first: int, stop: int, *, seed: int, k: int, d: int, eta: float, horizon: int,
                level: float = 0.5, step: str = "tangent") -> dict[str, np.ndarray]:
    r"""Exact escape steps of runs ``first .. stop - 1`` of projected online SGD for :math:`He_k`.

    :math:`\tau_r = \min\{t \le T : |m_t| \ge \text{level}\}` (``m_t`` itself for odd ``k``),
    ``nan`` when the run is censored at ``horizon``; the start is uniform on the sphere.
    Returns ``{"escape": array of shape (stop - first,)}``.
    """
    from ..links import Link
    from ..sgd import _online_sgd_runs

    result = _online_sgd_runs(first, stop, Link.hermite(k), d, eta, horizon, seed=seed, stop_at=level,
                              record_every=max(1, horizon), threads=1, step=step)
    return {"escape": np.asarray(result.escape_step, dtype=float)}


THEOREM_GRID: dict[int, dict[str, object]] = {
    1: {"c": 0.5, "a": 1.0, "d": tuple(int(round(10 ** (2 + i / 4))) for i in range(13)), "C": 20.0, "b": 1.0,
        "cost": lambda d: 2.0 * d},
    2: {"c": 0.1, "a": 1.0, "d": tuple(int(round(10 ** (2 + i / 4))) for i in range(13)), "C": 40.0, "b": 1.25,
        "cost": lambda d: 4.0 * d * math.log(d)},
    3: {"c": 0.05, "a": 1.5, "d": (40, 63, 100, 158, 251, 398, 631, 1000), "C": 60.0, "b": 2.0,
        "cost": lambda d: 26.0 * d**2},
    4: {"c": 0.02, "a": 2.0, "d": (24, 34, 48, 68, 96, 136, 192), "C": 30.0, "b": 3.0,
        "cost": lambda d: 13.0 * d**3},
}
r"""Per ``k``: :math:`\eta = c\,d^{-a}`, horizon :math:`\lfloor C d^b\rfloor`, the dimensions, and the
measured mean steps per run (for scheduling the most expensive cells first)."""


def theorem_cells(d_max: dict[int, int] | None = None) -> list[dict[str, object]]:
    """The cells of the theorem table, ``k = 1 .. 4`` (dimensions up to ``d_max[k]`` when given)."""
    cells = []
    for k, g in THEOREM_GRID.items():
        for d in g["d"]:
            if d_max and d > d_max.get(k, d):
                continue
            cells.append({"k": k, "d": d, "eta": g["c"] * d ** -g["a"], "horizon": int(math.floor(g["C"] * d ** g["b"])),
                          "level": 0.5, "_cost": g["cost"](d)})
    return cells


THEOREM_TABLE = declare(
    "theorem-table", lecture="04-online-sgd",
    description="exact escape steps to |m| >= 1/2 of online SGD for He_1..He_4, 256 runs per d",
    function=escape_cell, cells=theorem_cells(), runs=256, seed=2021, sources=_ENGINE,
)

THEOREM_TABLE_SEED2 = declare(
    "theorem-table-seed2", lecture="04-online-sgd",
    description="the theorem table again with an independent root seed (k = 3 up to d = 398, k = 4 up to 68)",
    function=escape_cell, cells=theorem_cells({3: 398, 4: 68}), runs=256, seed=1729, sources=_ENGINE,
)


# --------------------------------------------------------------------------- analysis of the stored table


def _sweep_for(stored: object, k: int, *, confidence: float, n_boot: int, boot_seed: int) -> object:
    """The :class:`~lecturelib.experiments.EscapeSweep` of ``k`` rebuilt from the stored escape steps."""
    from ..experiments import EscapeSweep, _fit, censored_median
    from ..links import Link

    cells = sorted(stored.select(k=k), key=lambda i: stored.cells[i]["d"])
    d = np.array([stored.cells[i]["d"] for i in cells], dtype=np.int64)
    times = stored.stack("escape", cells)
    median, censored = censored_median(times)
    rng = np.random.default_rng(np.random.SeedSequence([boot_seed, k]))
    log_d = np.log(d.astype(float))
    exponent = _fit(log_d, lambda t, dd: np.log(t), d, times, confidence, n_boot, rng)
    log_slope = _fit(log_d, lambda t, dd: t / dd, d, times, confidence, n_boot, rng)
    g = THEOREM_GRID[k]
    return EscapeSweep(
        link=Link.hermite(k), d=d, eta=np.array([stored.cells[i]["eta"] for i in cells]),
        horizon=np.array([stored.cells[i]["horizon"] for i in cells], dtype=np.int64), level=0.5, times=times,
        median=median, censored_fraction=censored, exponent=exponent, log_slope=log_slope,
        seeds=tuple(stored.cell_seeds[i] for i in cells), eta_scale=float(g["c"]), eta_exponent=float(g["a"]),
        horizon_scale=float(g["C"]), horizon_exponent=float(g["b"]), engine="overlap",
    )


def theorem_table(stored: object | None = None, *, confidence: float = 0.95, n_boot: int = 2000,
                  boot_seed: int = 0) -> object:
    r"""The theorem's table from a stored sweep (default: ``sweeps.load("theorem-table")``).

    Per ``k``, the censored median escape step :math:`\hat T(d)` (a censored run counts as
    :math:`+\infty`), the least-squares exponent of :math:`\ln\hat T` on :math:`\ln d` and the
    slope of :math:`\hat T/d` on :math:`\ln d`, each with a percentile-bootstrap interval
    (runs resampled within each ``d``, ``n_boot`` replicates). Returns a
    :class:`~lecturelib.experiments.TheoremTable`.
    """
    from . import load
    from ..experiments import TheoremTable

    stored = load("theorem-table") if stored is None else stored
    ks = sorted({c["k"] for c in stored.cells})
    return TheoremTable(tuple(_sweep_for(stored, k, confidence=confidence, n_boot=n_boot, boot_seed=boot_seed)
                              for k in ks))


def local_exponents(sweep: object, *, confidence: float = 0.95, n_boot: int = 2000, seed: int = 0
                    ) -> list[dict[str, float]]:
    r"""Exponents between successive dimensions: :math:`\ln(\hat T_{i+1}/\hat T_i)/\ln(d_{i+1}/d_i)`.

    Each with a percentile-bootstrap interval (runs resampled within each ``d``; a replicate
    whose median is censored at either end is dropped and counted in ``undefined``).
    """
    from ..experiments import censored_median

    times, d = sweep.times, sweep.d.astype(float)
    rng = np.random.default_rng(seed)
    runs = times.shape[1]
    picks = rng.integers(0, runs, size=(n_boot, len(d), runs))
    boot, _ = censored_median(np.take_along_axis(times[None], picks, axis=2))
    median, _ = censored_median(times)
    tail = 50.0 * (1.0 - confidence)
    rows = []
    for i in range(len(d) - 1):
        span = math.log(d[i + 1] / d[i])
        value = math.log(median[i + 1] / median[i]) / span
        b = np.log(boot[:, i + 1] / boot[:, i]) / span
        ok = np.isfinite(b)
        low, high = np.percentile(b[ok], [tail, 100.0 - tail]) if ok.any() else (math.nan, math.nan)
        rows.append({"d_low": int(d[i]), "d_high": int(d[i + 1]), "exponent": value, "ci_low": float(low),
                     "ci_high": float(high), "undefined": float(1.0 - ok.mean())})
    return rows


def seed_comparison(first: object | None = None, second: object | None = None, *, confidence: float = 0.95,
                    n_boot: int = 2000) -> list[dict[str, object]]:
    r"""The exponent (and, for ``k = 2``, the log slope) of the two independently seeded tables, on
    the dimensions they share, each with its interval, and whether the intervals overlap."""
    from . import load

    first = load("theorem-table", quiet=True) if first is None else first
    second = load("theorem-table-seed2", quiet=True) if second is None else second
    shared = [c for c in first.cells if c in second.cells]
    rows = []
    for k in sorted({c["k"] for c in shared}):
        fits = []
        for stored in (first, second):
            keep = [i for i in stored.select(k=k) if stored.cells[i] in shared]
            sub = _subset(stored, keep)
            fits.append(_sweep_for(sub, k, confidence=confidence, n_boot=n_boot, boot_seed=0))
        for what in ("exponent", "log_slope") if k == 2 else ("exponent",):
            a, b = getattr(fits[0], what), getattr(fits[1], what)
            rows.append({"k": k, "fit": what, "d_range": (int(fits[0].d[0]), int(fits[0].d[-1])),
                         "first": (a.slope, a.ci_low, a.ci_high), "second": (b.slope, b.ci_low, b.ci_high),
                         "overlap": bool(a.ci_low <= b.ci_high and b.ci_low <= a.ci_high)})
    return rows


def _subset(stored: object, keep: list[int]) -> object:
    """The stored sweep restricted to the cells ``keep`` (same runs and seeds)."""
    import dataclasses

    return dataclasses.replace(stored, cells=tuple(stored.cells[i] for i in keep),
                               cell_seeds=tuple(stored.cell_seeds[i] for i in keep),
                               arrays=tuple(stored.arrays[i] for i in keep))
