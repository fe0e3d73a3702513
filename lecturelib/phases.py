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

__all__ = ["SearchDescent", "search_descent", "drift_descent"]


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
        Median over completed runs (those that reached ``end``) of :math:`T_{1/2}/T_{\rm end}`.
    search_interval : tuple of float
        95 % percentile-bootstrap interval of ``search_fraction`` (resampling the completed runs).
    descent_median : float
        Censored median of the descent :math:`T_{\rm end} - T_{1/2}` in steps: a run that did not
        reach ``end`` counts as :math:`+\infty` (``nan`` if half the runs or more are censored).
    descent_interval : tuple of float
        95 % percentile-bootstrap interval of ``descent_median`` (resampling all runs).
    flow_descent : float
        The gradient flow's time from ``1/2`` to ``end``, divided by :math:`\eta` (in steps).
    end : float
    censored_fraction : float
        Fraction of runs that did not reach ``end`` by the horizon.
    """

    link: object
    d: int
    eta: float
    steps: np.ndarray
    overlap: np.ndarray
    search: np.ndarray
    total: np.ndarray
    search_fraction: float
    search_interval: tuple[float, float]
    descent_median: float
    descent_interval: tuple[float, float]
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
    ratio = search[done] / total[done]
    descents = np.where(done, total - search, np.inf)  # censored runs count as +infinity
    rng = np.random.default_rng(seed)
    fraction, f_lo, f_hi = _median_interval(ratio, rng)
    descent, d_lo, d_hi = _median_interval(descents, rng)
    flow = flow_escape_time(link, 0.5, end) / eta
    return SearchDescent(link=link, d=result.d, eta=result.eta, steps=result.steps, overlap=result.overlap,
                         search=search, total=total, search_fraction=fraction, search_interval=(f_lo, f_hi),
                         descent_median=descent, descent_interval=(d_lo, d_hi), flow_descent=float(flow), end=end,
                         censored_fraction=float(1.0 - done.mean()))


def _median_interval(x: np.ndarray, rng: np.random.Generator, n_boot: int = 2000) -> tuple[float, float, float]:
    """Median of ``x`` (``inf`` entries are censored runs) and its 95 % percentile-bootstrap interval.

    ``nan`` where the median is not identified (half the values or more infinite, or no values)."""
    if x.size == 0:
        return float("nan"), float("nan"), float("nan")
    boot = np.median(x[rng.integers(0, x.size, size=(n_boot, x.size))], axis=1)
    with np.errstate(invalid="ignore"):  # inf - inf between censored replicates
        lo, hi = np.quantile(boot, [0.025, 0.975])
    med = float(np.median(x))
    return tuple(float(v) if np.isfinite(v) else float("nan") for v in (med, lo, hi))  # type: ignore[return-value]


def drift_descent(link: object, d: int, eta: float, start: float = 0.5, end: float = 0.9, *,
                  points: int = 81) -> float:
    r"""Steps from ``start`` to ``end`` predicted by the exact one-step mean of the projected chain.

    :math:`\int_{\rm start}^{\rm end} dm / \mathbb E[m' - m \mid m]`, with the mean by
    quadrature (:func:`lecturelib.drift.exact_drift`) and Simpson's rule on ``points`` overlaps;
    the deterministic (law-of-large-numbers) descent of the chain. Raises ``ValueError`` where the
    mean is not positive on the interval.
    """
    from scipy.integrate import simpson

    from .drift import exact_drift

    check_link(link)
    start, end = check_real("start", start), check_real("end", end)
    if not 0.0 < start < end < 1.0:
        raise ValueError(f"need 0 < start < end < 1, got start={start!r}, end={end!r}")
    points = check_int("points", points, 3)
    m = np.linspace(start, end, points | 1)
    mean = exact_drift(link, d, eta, m)
    if np.any(mean <= 0):
        raise ValueError(f"the exact one-step mean is not positive on [{start}, {end}] (d={d}, eta={eta!r})")
    return float(simpson(1.0 / mean, x=m))
