"""The concentration explorer of Lecture 6: empirical against population signal on the band, and multi-pass runs."""

from __future__ import annotations


import ipywidgets as W

from ..concentration import signal_check
from ..flow_vs_sgd import theorem_step_size
from ..links import Link
from ..multipass import draw_sample, multipass_sgd
from ..plotting import concentration as plots
from ._controls import STYLE, check_choice, check_int
from ._panel import Panel, panel

__all__ = ["concentration_explorer", "DIMENSIONS", "SAMPLE_SIZES", "THETAS", "STEP_CONSTANTS", "LEVEL"]

DIMENSIONS: tuple[int, ...] = (8, 16, 32, 64)
SAMPLE_SIZES: tuple[int, ...] = (250, 500, 1000, 2000, 4000, 8000, 16000, 32000, 64000)
THETAS: tuple[float, ...] = (0.0, 0.125, 0.25, 0.375, 0.5)
RUNS = 4
MAX_STEPS = 400_000
"""Cap on the horizon ``40 d^(k-1)`` so that a redraw stays near a second."""
STEP_CONSTANTS: dict[int, float] = {2: 0.1, 3: 1 / 16, 4: 0.02}
r"""The constant ``c`` of :math:`\eta = c/d` (``k = 2``) or :math:`c\,d^{-k/2}` (``k >= 3``): for ``k = 3``,
``1/16`` puts Lecture 4's normalization barrier :math:`16c/\sqrt d` at the typical start; ``0.1`` and
``0.02`` are Lecture 4's constants for ``k = 2`` and ``4``."""
LEVEL = 0.9
"""A run succeeds if its overlap (absolute value for even ``k``) at the horizon is at least this."""


def _draw(n: int, d: int, k: int, theta: float, seed: int = 0):
    link = Link.hermite(k)
    sample = draw_sample(link, d, n, seed=seed)
    check = signal_check(link, sample, theta, points=32, search_starts=2, search_steps=4, seed=seed + 1)
    steps = min(MAX_STEPS, 40 * d ** max(k - 1, 1))
    run = multipass_sgd(link, sample, theorem_step_size(k, d, STEP_CONSTANTS[k]), steps, runs=RUNS,
                        seed=seed + 2, record_every=max(1, steps // 400))
    return plots.signals_and_run(check, run, f"$He_{k}$", level=LEVEL)


def concentration_explorer(n: int = 4000, d: int = 16, k: int = 3, theta: float = 0.5) -> Panel:
    r"""One sample of size ``n`` in dimension ``d`` for :math:`He_k/\sqrt{k!}`: :math:`\hat g_n` against
    :math:`\bar g` on the band :math:`\tfrac14 d^{-\theta} \le m \le \tfrac12`, and four multi-pass runs on it,
    without early stop (:math:`\eta` from :data:`STEP_CONSTANTS`; horizon :math:`40\,d^{k-1}` capped at
    :data:`MAX_STEPS`); a run succeeds if its overlap at the horizon is at least :data:`LEVEL`.

    Parameters
    ----------
    n : int, default 4000
        One of :data:`SAMPLE_SIZES`.
    d : int, default 16
        One of :data:`DIMENSIONS`.
    k : int, default 3
        In ``[2, 4]``.
    theta : float, default 0.5
        One of :data:`THETAS`.
    """
    check_choice("n", n, SAMPLE_SIZES)
    check_choice("d", d, DIMENSIONS)
    check_int("k", k, 2, 4)
    check_choice("theta", theta, THETAS)
    return panel(
        draw=_draw,
        controls={
            "n": W.SelectionSlider(options=SAMPLE_SIZES, value=n, description="n", continuous_update=False,
                                   style=STYLE),
            "d": W.SelectionSlider(options=DIMENSIONS, value=d, description="d", continuous_update=False,
                                   style=STYLE),
            "k": W.IntSlider(value=k, min=2, max=4, description="k", continuous_update=False, style=STYLE),
            "theta": W.SelectionSlider(options=THETAS, value=theta, description="θ", continuous_update=False,
                                       style=STYLE),
        },
        title="Empirical against population signal on one sample, and multi-pass SGD on it",
    )


