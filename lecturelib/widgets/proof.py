"""The proof explorer of Lecture 5: the decomposition m_t = m_0 + D_t + M_t on runs, and (eta, T) in the admissible region."""

from __future__ import annotations

import math

import ipywidgets as W

from ..decomposition import admissible_region, decompose, proof_constants, theorem_point
from ..links import Link
from ..plotting import proof as plots
from ._controls import STYLE, check_choice, check_int
from ._panel import Panel, panel

__all__ = ["proof_explorer", "DIMENSIONS", "STEP_CAP", "START_CONSTANT"]

DIMENSIONS: tuple[int, ...] = (25, 50, 100, 200, 400)
"""The dimensions offered by the ``d`` slider."""
STEP_CAP = 1_000_000
"""Largest horizon simulated (three runs), so that a redraw takes about a second."""
START_CONSTANT = 2.0
r"""Runs start at :math:`m_0 = c_0/\sqrt d` with this :math:`c_0`; the region uses the proof's constants for it."""

# The static site's grid (lecturelib.widgets._states; the seed stays 0): 3 x 5 x 3 x 3 = 135 states.
# Every k and d; c a decade on each side of the default 0.01; C_T = 1, 60 (default) and 1000,
# before, at and past the escape, so that (eta, T) moves across the admissible region.
STATIC_GRID = {"k": (2, 3, 4), "d": DIMENSIONS, "eta_scale": (0.001, 0.01, 0.1), "time_scale": (1.0, 60.0, 1000.0)}


def _draw(k: int, d: int, eta_scale: float, time_scale: float, seed: int):
    link = Link.hermite(k)
    eta, steps = theorem_point(d, k, eta_scale, time_scale)
    steps = min(steps, STEP_CAP)
    dec = decompose(link, d, eta, steps, runs=3, m0=START_CONSTANT / math.sqrt(d), seed=seed,
                    record_every=max(1, steps // 400))
    a, b = proof_constants(link, START_CONSTANT)
    return plots.proof_panel(dec, admissible_region(d, k, a1_constant=a, a2_constant=b))


def _check_scale(name: str, value: object, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ValueError(f"{name} must be a number in [{low:g}, {high:g}], got {value!r}")
    return float(value)


def proof_explorer(k: int = 3, d: int = 100, eta_scale: float = 0.01, time_scale: float = 60.0,
                   seed: int = 0) -> Panel:
    r"""Three unprojected runs of :math:`h_k` from :math:`m_0 = 2/\sqrt d`, split into :math:`m_0 + D_t` and :math:`M_t`.

    :math:`\eta = c\,d^{-k/2}` and :math:`T = C_T d^{k-1}` (:math:`c/d` and :math:`C_T d\ln d` for
    ``k = 2``; :func:`lecturelib.decomposition.theorem_point`), capped at :data:`STEP_CAP` steps.

    Parameters
    ----------
    k : int, default 3
        In ``[2, 4]``.
    d : int, default 100
        One of :data:`DIMENSIONS`.
    eta_scale : float, default 0.01
        :math:`c`, in ``[1e-4, 10]``.
    time_scale : float, default 60
        :math:`C_T`, in ``[0.01, 1000]`` (the lecture's horizon constant).
    seed : int, default 0
        In ``[0, 999]``.
    """
    check_int("k", k, 2, 4)
    check_choice("d", d, DIMENSIONS)
    _check_scale("eta_scale", eta_scale, 1e-4, 10.0)
    _check_scale("time_scale", time_scale, 0.01, 1000.0)
    check_int("seed", seed, 0, 999)
    return panel(
        draw=_draw,
        controls={
            "k": W.IntSlider(value=k, min=2, max=4, description="k", continuous_update=False, style=STYLE),
            "d": W.SelectionSlider(options=DIMENSIONS, value=d, description="d", continuous_update=False,
                                   style=STYLE),
            "eta_scale": W.FloatLogSlider(value=eta_scale, base=10, min=-4, max=1, step=0.1,
                                          description="η = c·d^(−k/2), c", continuous_update=False,
                                          readout_format=".2g", style=STYLE),
            "time_scale": W.FloatLogSlider(value=time_scale, base=10, min=-2, max=3, step=0.1,
                                           description="T = C_T·d^(k−1), C_T", continuous_update=False,
                                           readout_format=".3g", style=STYLE),
            "seed": W.BoundedIntText(value=seed, min=0, max=999, description="seed", style=STYLE),
        },
        title="The proof on three runs: m_t = m_0 + D_t + M_t, and where (η, T) sits (k = 2: η = c/d, T = C_T·d ln d)",
    )
