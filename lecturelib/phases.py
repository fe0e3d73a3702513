r"""Search and descent: where online SGD spends its samples.

A run from a uniform start first *searches*: its overlap wanders at the scale
:math:`|m| \asymp 1/\sqrt d` of the start until the drift takes over; then it *descends*
from :math:`|m| = 1/2` to near 1 in a time close to the gradient flow's. With the escape
times :math:`T_{1/2}` and :math:`T_{\rm end}` (first steps with :math:`|m| \ge 1/2`, resp.
``end``), the fraction of steps spent searching is :math:`T_{1/2}/T_{\rm end}`: a constant
for ``k = 1``, :math:`1 - O(1/\ln d)` for ``k = 2`` and almost 1 for ``k >= 3``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import check_int, check_link, check_real
from .flow import flow_escape_time
from .sgd import escape_times, online_sgd

__all__ = ["SearchDescent", "search_descent"]


@dataclass(frozen=True, eq=False)
class SearchDescent:
    r"""Runs stopped at :math:`|m| \ge` ``end``, with their search and descent times.

    Attributes
    ----------
    link : Link
    d : int
    eta : float
    steps : numpy.ndarray
        Recorded steps.
    overlap : numpy.ndarray
        Shape ``(runs, len(steps))``.
    search : numpy.ndarray
        Per run, :math:`T_{1/2}` (``nan`` if censored).
    total : numpy.ndarray
        Per run, :math:`T_{\rm end}` (``nan`` if censored).
    search_fraction : float
        Median over completed runs of :math:`T_{1/2}/T_{\rm end}`.
    descent_median : float
        Median over completed runs of :math:`T_{\rm end} - T_{1/2}` in steps.
    flow_descent : float
        The gradient flow's time from ``1/2`` to ``end``, divided by :math:`\eta` (in steps).
    end : float
    censored_fraction : float
    """

    link: object
    d: int
    eta: float
    steps: np.ndarray
    overlap: np.ndarray
    search: np.ndarray
    total: np.ndarray
    search_fraction: float
    descent_median: float
    flow_descent: float
    end: float
    censored_fraction: float


def search_descent(
    link: object, d: int, eta: float, horizon: int, *, runs: int = 32, end: float = 0.9, seed: int = 0,
    records: int = 4000,
) -> SearchDescent:
    r"""Run ``runs`` runs of online SGD from uniform starts until :math:`|m| \ge` ``end`` (or ``horizon``).

    Parameters
    ----------
    link : Link
    d : int
    eta : float
    horizon : int
        Largest number of steps per run.
    runs : int, default 32
    end : float, default 0.9
        End of the descent, in ``(1/2, 1)``.
    seed : int, default 0
    records : int, default 4000
        Records per run (the times are resolved to ``horizon / records`` steps).
    """
    check_link(link)
    horizon = check_int("horizon", horizon, 1)
    end = check_real("end", end)
    if not 0.5 < end < 1.0:
        raise ValueError(f"end must be in (0.5, 1), got {end!r}")
    records = check_int("records", records, 1)
    result = online_sgd(link, d, eta, horizon, runs=runs, seed=seed, record_every=max(1, horizon // records),
                        stop_at=end)
    search = escape_times(result, 0.5)
    total = escape_times(result, end)
    done = np.isfinite(total)
    fraction = float(np.median(search[done] / total[done])) if done.any() else float("nan")
    descent = float(np.median(total[done] - search[done])) if done.any() else float("nan")
    flow = flow_escape_time(link, 0.5, end) / eta
    return SearchDescent(link=link, d=result.d, eta=result.eta, steps=result.steps, overlap=result.overlap,
                         search=search, total=total, search_fraction=fraction, descent_median=descent,
                         flow_descent=float(flow), end=end, censored_fraction=float(1.0 - done.mean()))
