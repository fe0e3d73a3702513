"""The SGD explorer of Lecture 4: trajectories of online SGD on He_k and the escape-time histogram."""

from __future__ import annotations

import math

import ipywidgets as W

from ..flow_vs_sgd import theorem_step_size
from ..links import Link
from ..plotting import sgd as plots
from ..sgd import online_sgd
from ._controls import STYLE, check_choice, check_int
from ._panel import Panel, panel

__all__ = ["sgd_explorer", "DIMENSIONS", "MAX_DIMENSION"]

DIMENSIONS: tuple[int, ...] = (20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)
"""The dimensions offered by the ``d`` slider."""
MAX_DIMENSION: dict[int, int] = {1: 10000, 2: 10000, 3: 100, 4: 30}
"""Largest ``d`` drawn per ``k`` (a larger choice is capped): He_3 needs about 20 d² steps per
run and He_4 about 10 d³, so the caps keep a redraw near a second."""

# The static site's grid (lecturelib.widgets._states): 9 (k, capped d) x 3 x 3 x 3 = 243 states.
# d: a small, the default and the largest dimension (k = 3, 4 are capped at 100 and 30 anyway);
# c: 0.02, 0.1 (default), 0.5, a factor 5 apart (the slow, the theorem's and the noisy regime;
# 0.005 at d = 10000 costs 20 s a figure); horizon: 1, 10 (default) and 100
# times the law; runs: 8, 32 (default), 64, the histogram thin and full.
STATIC_GRID = {"k": (1, 2, 3, 4), "d": (50, 1000, 10000), "eta_scale": (0.02, 0.1, 0.5),
               "horizon_scale": (1.0, 10.0, 100.0), "runs": (8, 32, 64)}
STATIC_SAME = lambda v: {**v, "d": min(v["d"], MAX_DIMENSION[v["k"]])}  # noqa: E731  (d is capped per k)


def _draw(k: int, d: int, eta_scale: float, horizon_scale: float, runs: int):
    d = min(d, MAX_DIMENSION[k])
    law = d * math.log(d) if k == 2 else float(d) ** max(1, k - 1)
    horizon = int(horizon_scale * law)
    result = online_sgd(Link.hermite(k), d, theorem_step_size(k, d, eta_scale), horizon, runs=runs, seed=0,
                        record_every=max(1, horizon // 1000), stop_at=0.9)
    return plots.explorer(result)


def sgd_explorer(k: int = 2, d: int = 1000, eta_scale: float = 0.1, horizon_scale: float = 10.0,
                 runs: int = 32) -> Panel:
    r"""Online SGD on :math:`He_k/\sqrt{k!}`: trajectories and escape times.

    The step size is :math:`\eta = c/d` (``k <= 2``) or :math:`c\,d^{-k/2}` (``k >= 3``);
    the horizon is ``horizon_scale`` times :math:`d` (``k = 1``), :math:`d\ln d` (``k = 2``)
    or :math:`d^{k-1}` (``k >= 3``); ``d`` is capped at :data:`MAX_DIMENSION` for ``k``.
    Runs stop at :math:`|m| \ge 0.9`.
    """
    check_int("k", k, 1, 4)
    check_choice("d", d, DIMENSIONS)
    check_int("runs", runs, 4, 64)
    if isinstance(eta_scale, bool) or not isinstance(eta_scale, (int, float)) or not 0.005 <= eta_scale <= 1.0:
        raise ValueError(f"eta_scale must be a number in [0.005, 1], got {eta_scale!r}")
    if isinstance(horizon_scale, bool) or not isinstance(horizon_scale, (int, float)) or not 1 <= horizon_scale <= 100:
        raise ValueError(f"horizon_scale must be a number in [1, 100], got {horizon_scale!r}")
    return panel(
        draw=_draw,
        controls={
            "k": W.IntSlider(value=k, min=1, max=4, description="k", continuous_update=False, style=STYLE),
            "d": W.SelectionSlider(options=DIMENSIONS, value=d, description="d (capped per k)",
                                   continuous_update=False, style=STYLE),
            "eta_scale": W.FloatLogSlider(value=eta_scale, base=10, min=-2.3, max=0, step=0.1,
                                          description="step constant c", continuous_update=False,
                                          readout_format=".3f", style=STYLE),
            "horizon_scale": W.FloatLogSlider(value=horizon_scale, base=10, min=0, max=2, step=0.1,
                                              description="horizon / law", continuous_update=False,
                                              readout_format=".1f", style=STYLE),
            "runs": W.IntSlider(value=runs, min=4, max=64, step=4, description="runs", continuous_update=False,
                                style=STYLE),
        },
        title="Online SGD on He_k (η = c/d for k ≤ 2, c·d^(−k/2) for k ≥ 3; horizon in units of d, d ln d, d^(k−1))",
    )
