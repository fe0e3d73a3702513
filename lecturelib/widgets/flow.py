"""The flow explorer of Lecture 3: online SGD trajectories over the gradient flow from the same starts."""

from __future__ import annotations

import ipywidgets as W

from ..flow_vs_sgd import sgd_over_flow
from ..plotting import flow as plots
from ._controls import STYLE, check_choice, check_int
from ._panel import Panel, panel

__all__ = ["flow_explorer", "DIMENSIONS"]

DIMENSIONS: tuple[int, ...] = (20, 50, 100, 200, 500, 1000, 2000, 5000)
"""The dimensions offered by the ``d`` slider."""


STATIC_GRID = {"k": (1, 2, 3, 4), "d": DIMENSIONS, "eta_scale": (0.005, 0.05, 0.5)}
"""The static site's grid (``lecturelib.widgets._states``; the seed stays 2 there): every ``k`` and
every ``d``, and three step constants a decade apart around the default 0.05: SGD on the flow,
the default, and ten times larger, where the noise term shows. 4 x 8 x 3 = 96 states."""


def _draw(k: int, d: int, eta_scale: float, seed: int):
    return plots.trajectories(sgd_over_flow(k, d, eta_scale, seed))


def flow_explorer(k: int = 3, d: int = 100, eta_scale: float = 0.05, seed: int = 2) -> Panel:
    r"""Six SGD runs of :math:`He_k/\sqrt{k!}` from uniform starts, each over the flow from its start.

    The step size is :math:`\eta = c/d` for ``k <= 2`` and :math:`c\, d^{-k/2}` for
    ``k >= 3`` (:func:`lecturelib.flow_vs_sgd.theorem_step_size`); ``eta_scale`` is ``c``.

    Parameters
    ----------
    k : int, default 3
        In ``[1, 4]``.
    d : int, default 100
        One of :data:`DIMENSIONS`.
    eta_scale : float, default 0.05
        In ``[0.005, 1]``.
    seed : int, default 2
        In ``[0, 999]``.
    """
    check_int("k", k, 1, 4)
    check_int("seed", seed, 0, 999)
    check_choice("d", d, DIMENSIONS)
    if isinstance(eta_scale, bool) or not isinstance(eta_scale, (int, float)) or not 0.005 <= eta_scale <= 1.0:
        raise ValueError(f"eta_scale must be a number in [0.005, 1], got {eta_scale!r}")
    return panel(
        draw=_draw,
        controls={
            "k": W.IntSlider(value=k, min=1, max=4, description="k", continuous_update=False, style=STYLE),
            "d": W.SelectionSlider(options=DIMENSIONS, value=d, description="d", continuous_update=False,
                                   style=STYLE),
            "eta_scale": W.FloatLogSlider(value=eta_scale, base=10, min=-2.3, max=0, step=0.1,
                                          description="η multiplier c", continuous_update=False,
                                          readout_format=".3f", style=STYLE),
            "seed": W.BoundedIntText(value=seed, min=0, max=999, description="seed", style=STYLE),
        },
        title="Online SGD over the gradient flow (η = c/d for k ≤ 2, c·d^(−k/2) for k ≥ 3)",
    )
