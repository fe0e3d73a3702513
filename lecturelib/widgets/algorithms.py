"""The algorithm comparison of Lecture 7: median overlap against samples for several algorithms."""

from __future__ import annotations

import ipywidgets as W

from ..algorithms import compare_trajectories
from ..plotting import algorithms as plots
from ._controls import STYLE, check_choice, check_int
from ._panel import Panel, panel

__all__ = ["algorithm_comparison", "DIMENSIONS"]

DIMENSIONS: tuple[int, ...] = (50, 100, 200, 400)
"""The dimensions offered by the ``d`` slider."""

# The static site's grid (lecturelib.widgets._states; the seed stays 0): every k and d, 8 states.
STATIC_GRID = {"k": (3, 4), "d": DIMENSIONS}


def _draw(k: int, d: int, seed: int):
    return plots.trajectory_comparison(compare_trajectories(k, d, seed=seed))


def algorithm_comparison(k: int = 3, d: int = 100, seed: int = 0) -> Panel:
    r"""Vanilla online SGD, the smoothed loss, the L1 loss and reused samples on :math:`He_k/\sqrt{k!}`.

    Parameters
    ----------
    k : int, default 3
        3 or 4.
    d : int, default 100
        One of :data:`DIMENSIONS`.
    seed : int, default 0
        In ``[0, 999]``.
    """
    check_int("k", k, 3, 4)
    check_choice("d", d, DIMENSIONS)
    check_int("seed", seed, 0, 999)
    return panel(
        draw=_draw,
        controls={
            "k": W.IntSlider(value=k, min=3, max=4, description="k", continuous_update=False, style=STYLE),
            "d": W.SelectionSlider(options=DIMENSIONS, value=d, description="d", continuous_update=False, style=STYLE),
            "seed": W.BoundedIntText(value=seed, min=0, max=999, description="seed", style=STYLE),
        },
        title="Algorithms compared: 200 000 samples, 12 runs each",
    )
