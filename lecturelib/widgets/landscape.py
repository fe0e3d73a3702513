"""The landscape explorer of Lecture 2: L(m), the signal component of the gradient, and where starts land."""

from __future__ import annotations

import ipywidgets as W

from ..landscape import landscape_profile
from ..plotting import landscape as plots
from ..links import CATALOGUE
from ._controls import HERMITE_CHOICE, STYLE, check_choice, chosen_link, link_controls
from ._panel import Panel, panel

__all__ = ["landscape_explorer", "DIMENSIONS"]

DIMENSIONS: tuple[int, ...] = (3, 10, 30, 100, 300, 1000, 3000, 10_000, 100_000)
"""The values of the ``d`` slider."""


STATIC_GRID = {"link": (HERMITE_CHOICE, *CATALOGUE), "k": tuple(range(1, 9)), "d": DIMENSIONS}
"""The static site's grid (``lecturelib.widgets._states``): every link, every ``k`` (used only by
``He_k``) and every dimension: 20 figures x 9 = 180 states."""
STATIC_SAME = lambda v: v if v["link"] == HERMITE_CHOICE else {**v, "k": 3}  # noqa: E731
"""``k`` changes the figure only with the ``He_k`` entry."""


def _draw(link: str, k: int, d: int):
    return plots.explorer(landscape_profile(chosen_link(link, k), d))


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
    controls = link_controls(link, k, k_max=8)
    check_choice("d", d, DIMENSIONS)
    return panel(
        draw=_draw,
        controls={
            **controls,
            "d": W.SelectionSlider(options=DIMENSIONS, value=d, description="dimension d", style=STYLE),
        },
        title="Landscape explorer",
    )
