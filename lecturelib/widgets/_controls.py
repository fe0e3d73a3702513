"""Controls that several panels share: the link chooser and the checks of their defaults."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import ipywidgets as W

from ..links import CATALOGUE, Link

HERMITE_CHOICE = "He_k/sqrt(k!) (slider k)"
"""The dropdown entry that takes the link from the ``k`` slider."""

LINK_OPTIONS: tuple[str, ...] = (HERMITE_CHOICE, *CATALOGUE)
STYLE = {"description_width": "initial"}


def check_int(name: str, value: object, low: int, high: int) -> int:
    """``value`` if it is an integer in ``[low, high]``; otherwise a ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer in [{low}, {high}], got {value!r}")
    return value


def check_choice(name: str, value: object, options: Sequence[object]) -> object:
    """``value`` if it is one of ``options``; otherwise a ValueError naming ``name``."""
    if isinstance(value, bool) or value not in options:
        raise ValueError(f"{name} must be one of {tuple(options)}, got {value!r}")
    return value


def chosen_link(link: str, k: int) -> Link:
    """The catalogue link ``link``, or ``He_k/sqrt(k!)`` when ``link`` is :data:`HERMITE_CHOICE`."""
    return Link.hermite(k) if link == HERMITE_CHOICE else Link.named(link)


def link_controls(link: str, k: int, *, k_max: int) -> dict[str, W.ValueWidget]:
    """A dropdown over :data:`LINK_OPTIONS` and a slider for ``k`` in ``[1, k_max]``, checked."""
    check_choice("link", link, LINK_OPTIONS)
    check_int("k", k, 1, k_max)
    return {
        "link": W.Dropdown(options=LINK_OPTIONS, value=link, description="link", style=STYLE),
        "k": W.IntSlider(value=k, min=1, max=k_max, description="k (for He_k)", style=STYLE),
    }


def name_controls(controls: Mapping[str, W.ValueWidget]) -> dict[str, W.ValueWidget]:
    """``controls`` as a dict, each control with a non-empty ``description``: its accessible name.

    A control without a description gets its key (the keyword argument it feeds), so that a
    screen reader announces every control by name and the page passes WCAG 4.1.2.
    """
    named = dict(controls)
    for name, control in named.items():
        if not str(getattr(control, "description", "") or "").strip():
            control.description = name
    return named
