"""Argument checks shared by the engines (private).

Every check raises ``ValueError`` or ``TypeError`` with a message that names the argument,
the value received and what is allowed.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np
from numpy.typing import ArrayLike


def check_link(link: object) -> object:
    """The argument must be a :class:`lecturelib.links.Link`."""
    from .links import Link  # imported late: links is written in another issue

    if not isinstance(link, Link):
        raise TypeError(f"link must be a lecturelib.Link (e.g. Link.hermite(3)), got {type(link).__name__}")
    return link


def check_int(name: str, value: object, minimum: int) -> int:
    """An integer (not a bool) ``>= minimum``."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_real(name: str, value: object, *, positive: bool = False, nonnegative: bool = False) -> float:
    """A finite real number, optionally ``> 0`` or ``>= 0``."""
    what = "a positive finite number" if positive else ("a finite number >= 0" if nonnegative else "a finite number")
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be {what}, got {value!r}")
    x = float(value)
    if not math.isfinite(x) or (positive and x <= 0.0) or (nonnegative and x < 0.0):
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return x


def check_overlap(name: str, value: object) -> float:
    """A number in ``[-1, 1]`` (an overlap of two unit vectors)."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a number in [-1, 1], got {value!r}")
    x = float(value)
    if not -1.0 <= x <= 1.0:
        raise ValueError(f"{name} must be a number in [-1, 1], got {value!r}")
    return x


def check_choice(name: str, value: object, allowed: tuple[str, ...]) -> str:
    """One of the strings in ``allowed``."""
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
    return value


def check_times(name: str, t: ArrayLike) -> np.ndarray:
    """A real array of finite times ``>= 0``."""
    try:
        arr = np.asarray(t, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of real numbers, got {t!r}") from exc
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"{name} must hold finite times >= 0, got {t!r}")
    return arr


def check_seed(seed: object) -> int | None:
    """``None`` or an integer ``>= 0`` (what ``numpy.random.SeedSequence`` accepts)."""
    if seed is None:
        return None
    return check_int("seed", seed, 0)
