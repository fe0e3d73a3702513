"""The landscape explorer of Lecture 2: L(m), the signal component of the gradient, and where starts land."""

from __future__ import annotations

import ipywidgets as W

from ..landscape import landscape_profile
from ..links import CATALOGUE, Link
from ..plotting import landscape as plots
from ._panel import Panel, panel
from .hermite import HERMITE_CHOICE

__all__ = ["landscape_explorer", "DIMENSIONS"]

DIMENSIONS: tuple[int, ...] = (3, 10, 30, 100, 300, 1000, 3000, 10_000, 100_000)
"""The values of the ``d`` slider."""


def _draw(link: str, k: int, d: int):
    chosen = Link.hermite(k) if link == HERMITE_CHOICE else Link.named(link)
    return plots.explorer(landscape_profile(chosen, d))


def landscape_explorer(link: str = HERMITE_CHOICE, k: int = 3, d: int = 100) -> Panel:
    """Pick a link (or ``He_k/sqrt(k!)``) and a dimension; see ``L(m)``, the gradient along ``w_*`` and the start band.

    Parameters
    ----------
    link : str, default :data:`~lecturelib.widgets.hermite.HERMITE_CHOICE`
        A name from :data:`lecturelib.links.CATALOGUE`, or ``HERMITE_CHOICE`` to use the ``k`` slider.
    k : int, default 3
        Degree used when ``link`` is ``HERMITE_CHOICE``, in ``[1, 8]``.
    d : int, default 100
        Dimension of the random start, one of :data:`DIMENSIONS`.
    """
    options = (HERMITE_CHOICE, *CATALOGUE)
    if link not in options:
        raise ValueError(f"link must be one of {options}, got {link!r}")
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= 8:
        raise ValueError(f"k must be an integer in [1, 8], got {k!r}")
    if d not in DIMENSIONS:
        raise ValueError(f"d must be one of {DIMENSIONS}, got {d!r}")
    style = {"description_width": "initial"}
    return panel(
        draw=_draw,
        controls={
            "link": W.Dropdown(options=options, value=link, description="link", style=style),
            "k": W.IntSlider(value=k, min=1, max=8, description="k (for He_k)", style=style),
            "d": W.SelectionSlider(options=DIMENSIONS, value=d, description="dimension d", style=style),
        },
        title="Landscape explorer",
    )
