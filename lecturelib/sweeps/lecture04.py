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

``theorem-table-seed2``: the same with another root seed (``k = 4`` up to ``d = 136``), so
that every bootstrap interval can be checked against an independent replicate.
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
    description="the theorem table again with an independent root seed (k = 4 up to d = 136)",
    function=escape_cell, cells=theorem_cells({4: 136}), runs=256, seed=1729, sources=_ENGINE,
)
