"""The Hermite explorer of Lecture 1: a link's spectrum, partial sums, exponent and loss."""

from __future__ import annotations

import ipywidgets as W

from ..plotting import hermite as plots
from ..links import CATALOGUE
from ._controls import HERMITE_CHOICE, STYLE, check_int, chosen_link, link_controls
from ._panel import Panel, panel

__all__ = ["hermite_explorer", "HERMITE_CHOICE"]


STATIC_GRID = {
    "link": (HERMITE_CHOICE, *CATALOGUE),
    "k": tuple(range(1, 11)),
    "order": (0, 2, 6, 15, 30),
}
"""The static site's grid (``lecturelib.widgets._states``): every link, every ``k`` (used only by
``He_k``), and five partial sums: none, two and the default six terms (where the partial sums of a
kinked link still miss the kink), then 15 and 30, where they have converged but for the Gibbs
ripples. 22 figures x 5 = 110 states."""
STATIC_SAME = lambda v: v if v["link"] == HERMITE_CHOICE else {**v, "k": 3}  # noqa: E731
"""``k`` changes the figure only with the ``He_k`` entry."""


def _draw(link: str, k: int, order: int):
    return plots.explorer(chosen_link(link, k), order)


def hermite_explorer(link: str = "relu", k: int = 3, order: int = 6) -> Panel:
    """Pick a catalogue link (or ``He_k/sqrt(k!)``) and see its spectrum, partial sums, ``k_*`` and ``L(m)``.

    Parameters
    ----------
    link : str, default "relu"
        A name from :data:`lecturelib.links.CATALOGUE`, or :data:`HERMITE_CHOICE`.
    k : int, default 3
        Degree used when ``link`` is :data:`HERMITE_CHOICE`, in ``[1, 10]``.
    order : int, default 6
        Highest degree ``K`` of the partial sum drawn (with ``K // 2`` for comparison), in ``[0, 30]``.
    """
    controls = link_controls(link, k, k_max=10)
    check_int("order", order, 0, 30)
    return panel(
        draw=_draw,
        controls={
            **controls,
            "order": W.IntSlider(value=order, min=0, max=30, description="partial sum K", style=STYLE),
        },
        title="Hermite explorer",
    )
