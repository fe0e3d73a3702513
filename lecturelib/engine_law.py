r"""The two engines of online SGD compared: the same law of :math:`m_T`, and their cost per step.

The overlap chain (:func:`lecturelib.sgd.online_sgd` with ``engine="overlap"``) is an exact
reduction of the ``d``-dimensional algorithm (``engine="full"``): at every fixed horizon
:math:`T` the two laws of :math:`m_T` coincide. :func:`compare_engines` samples both from
the same start and tests the hypothesis with the two-sample Kolmogorov--Smirnov test at a
stated level, and times both engines per run-step in the same call (the ratio is the point;
absolute times depend on the machine).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ._validation import check_int, check_link, check_real
from .sgd import online_sgd

__all__ = ["EngineComparison", "compare_engines"]


@dataclass(frozen=True, eq=False)
class EngineComparison:
    r"""Samples of :math:`m_T` from both engines, the two-sample test, and the cost per step.

    Attributes
    ----------
    link : Link
    d, eta, steps, runs : int, float, int, int
    m0 : float or None
    full, chain : numpy.ndarray
        :math:`m_T` per run, from ``engine="full"`` and ``engine="overlap"``.
    statistic, pvalue : float
        Two-sample Kolmogorov--Smirnov statistic and its exact p-value.
    level : float
        Level of the test: the laws are declared different when ``pvalue < level``.
    full_seconds_per_step, chain_seconds_per_step : float
        Wall time per run-step of each engine, measured in this call (best of ``repeats``
        for the chain, which is fast enough to repeat).
    """

    link: object
    d: int
    eta: float
    steps: int
    runs: int
    m0: float | None
    full: np.ndarray
    chain: np.ndarray
    statistic: float
    pvalue: float
    level: float
    full_seconds_per_step: float
    chain_seconds_per_step: float

    @property
    def rejected(self) -> bool:
        """True if the test rejects equality of the two laws at ``level``."""
        return self.pvalue < self.level

    @property
    def cost_ratio(self) -> float:
        """Cost per step of the full engine over that of the chain."""
        return self.full_seconds_per_step / self.chain_seconds_per_step


def compare_engines(
    link: object, d: int, eta: float, steps: int, *, runs: int = 200, m0: float | None = None, seed: int = 0,
    level: float = 0.01, repeats: int = 3,
) -> EngineComparison:
    r"""Run both engines ``runs`` times for ``steps`` steps and compare the laws of :math:`m_T`.

    The two samples use different seeds (``seed`` for the full engine, ``seed + 1`` for the
    chain), so they are independent, as the two-sample test requires. The chain is timed
    on one thread, so that the ratio compares the work per step.
    """
    check_link(link)
    d = check_int("d", d, 3)
    steps = check_int("steps", steps, 1)
    runs = check_int("runs", runs, 2)
    level = check_real("level", level, positive=True)
    if not level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    repeats = check_int("repeats", repeats, 1)
    kwargs = dict(runs=runs, m0=m0, record_every=steps)
    start = time.perf_counter()
    full = online_sgd(link, d, eta, steps, engine="full", seed=seed, **kwargs)
    full_time = time.perf_counter() - start
    chain_time = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        chain = online_sgd(link, d, eta, steps, engine="overlap", seed=seed + 1, threads=1, **kwargs)
        chain_time = min(chain_time, time.perf_counter() - start)
    a, b = full.overlap[:, -1].copy(), chain.overlap[:, -1].copy()
    test = stats.ks_2samp(a, b, method="exact")
    a.setflags(write=False)
    b.setflags(write=False)
    work = runs * steps
    return EngineComparison(
        link=link, d=d, eta=float(eta), steps=steps, runs=runs, m0=m0, full=a, chain=b,
        statistic=float(test.statistic), pvalue=float(test.pvalue), level=level,
        full_seconds_per_step=full_time / work, chain_seconds_per_step=chain_time / work,
    )
