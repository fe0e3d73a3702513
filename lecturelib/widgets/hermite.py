"""The Hermite explorer of Lecture 1: a link's spectrum, partial sums, exponent and loss."""

from __future__ import annotations

import ipywidgets as W

from ..links import CATALOGUE, Link
from ..plotting import hermite as plots
from ._panel import Panel, panel

__all__ = ["hermite_explorer", "HERMITE_CHOICE"]

HERMITE_CHOICE = "He_k/sqrt(k!) (slider k)"
"""The dropdown entry that takes the link from the ``k`` slider."""


def _draw(link: str, k: int, order: int):
    chosen = Link.hermite(k) if link == HERMITE_CHOICE else Link.named(link)
    return plots.explorer(chosen, order)


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
    options = (HERMITE_CHOICE, *CATALOGUE)
    if link not in options:
        raise ValueError(f"link must be one of {options}, got {link!r}")
    for name, value, high, low in (("k", k, 10, 1), ("order", order, 30, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"{name} must be an integer in [{low}, {high}], got {value!r}")
    style = {"description_width": "initial"}
    return panel(
        draw=_draw,
        controls={
            "link": W.Dropdown(options=options, value=link, description="link", style=style),
            "k": W.IntSlider(value=k, min=1, max=10, description="k (for He_k)", style=style),
            "order": W.IntSlider(value=order, min=0, max=30, description="partial sum K", style=style),
        },
        title="Hermite explorer",
    )
