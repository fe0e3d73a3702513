r"""Figures of Lecture 4: online SGD, the theorem's table, the drift, thresholds, the phase diagram.

Every function takes results of :mod:`lecturelib.engine_law`, :mod:`lecturelib.experiments`,
:mod:`lecturelib.phases` or :mod:`lecturelib.drift` and returns a
:class:`matplotlib.figure.Figure`; none of them simulates.
"""

from __future__ import annotations

import math

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from ..engine_law import EngineComparison
from ..experiments import EscapeProbability, PhaseDiagram, TheoremTable, median_interval
from ..phases import SearchDescent
from ..sgd import SGDResult, escape_times

__all__ = ["qq_plot", "theorem_table", "collapse", "search_descent", "drift_comparison",
           "escape_probability", "phase_diagram", "explorer"]


def _check(name: str, value: object, kind: type) -> None:
    if not isinstance(value, kind):
        raise TypeError(f"{name} must be a {kind.__name__}, got {type(value).__name__}")


def qq_plot(comparison: EngineComparison) -> Figure:
    r"""Quantiles of :math:`m_T` from the full engine against those of the chain, with the diagonal."""
    _check("comparison", comparison, EngineComparison)
    q = np.linspace(0.01, 0.99, 99)
    a, b = np.quantile(comparison.chain, q), np.quantile(comparison.full, q)
    fig = Figure(figsize=(4.6, 4.4), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(a, b, "o", ms=3, color="C0", label="quantiles 1 % … 99 %")
    lo, hi = min(a.min(), b.min()), max(a.max(), b.max())
    ax.plot([lo, hi], [lo, hi], color="0.5", lw=1, label="equal laws")
    ax.set_xlabel(r"overlap chain: quantile of $m_T$")
    ax.set_ylabel(rf"full engine in $d = {comparison.d}$: quantile of $m_T$")
    ax.set_title(rf"{comparison.link.name}, $T = {comparison.steps}$, {comparison.runs} runs each; "
                 rf"KS $p = {comparison.pvalue:.2f}$", fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    return fig


def _law(k: int) -> str:
    return {1: "d", 2: r"d\ln d"}.get(k, f"d^{k - 1}")


def _bars(median: np.ndarray, interval: np.ndarray) -> np.ndarray:
    """Error-bar lengths ``(2, n)`` below and above ``median`` from intervals of shape ``(n, 2)``
    (an unidentified end, ``nan``, draws no bar on that side)."""
    low = np.nan_to_num(median - interval[:, 0], nan=0.0)
    high = np.nan_to_num(interval[:, 1] - median, nan=0.0)
    return np.vstack([np.maximum(low, 0.0), np.maximum(high, 0.0)])


def theorem_table(table: TheoremTable) -> Figure:
    r"""Median escape time against ``d`` for each ``k`` (log-log), with the law of the theorem
    (its constant fitted at the smallest ``d``) and the fitted exponent in the legend; the error
    bars are the 95 % bootstrap intervals of the censored medians (:func:`~lecturelib.experiments.median_interval`)."""
    _check("table", table, TheoremTable)
    fig = Figure(figsize=(6.6, 4.6), layout="constrained")
    ax = fig.add_subplot()
    for i, sweep in enumerate(table.sweeps):
        k = sweep.link.information_exponent
        d = sweep.d.astype(float)
        law = d * np.log(d) if k == 2 else d ** max(1, k - 1)
        ax.errorbar(d, sweep.median, yerr=_bars(sweep.median, median_interval(sweep.times)), fmt="o",
                    color=f"C{i}", ms=4, capsize=2,
                    label=rf"$k = {k}$: slope ${sweep.exponent.slope:.2f}$ "
                      rf"$[{sweep.exponent.ci_low:.2f}, {sweep.exponent.ci_high:.2f}]$")
        ax.plot(d, law * sweep.median[0] / law[0], "--", color=f"C{i}", lw=1,
                label=rf"$\propto {_law(k)}$")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("dimension $d$")
    ax.set_ylabel(r"median escape time $T_{\rm esc}$ (steps to $|m| = 1/2$)")
    ax.set_title("online SGD on $He_k$ with the theorem's step sizes", fontsize=10)
    ax.legend(fontsize=7, ncols=2, loc="lower right")
    return fig


def collapse(table: TheoremTable) -> Figure:
    r""":math:`T_{\rm esc}/d^{k-1}` (:math:`T_{\rm esc}/(d\ln d)` for ``k = 2``) against ``d``: flat if the law holds.

    Normalized at the largest ``d``; error bars as in :func:`theorem_table` (the normalizing
    median's own uncertainty is not propagated)."""
    _check("table", table, TheoremTable)
    fig = Figure(figsize=(6.6, 4.0), layout="constrained")
    ax = fig.add_subplot()
    for i, sweep in enumerate(table.sweeps):
        k = sweep.link.information_exponent
        d = sweep.d.astype(float)
        law = d * np.log(d) if k == 2 else d ** max(1, k - 1)
        ratio = sweep.median / law
        scale = law * ratio[-1]
        ax.errorbar(d, ratio / ratio[-1], yerr=_bars(sweep.median, median_interval(sweep.times)) / scale,
                    fmt="o-", color=f"C{i}", ms=4, capsize=2, label=rf"$k = {k}$: $T_{{\rm esc}}/{_law(k)}$")
    ax.axhline(1.0, color="0.6", lw=0.8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("dimension $d$")
    ax.set_ylabel("escape time over the law, relative to the largest $d$")
    ax.set_title("collapse of the escape times onto the theorem's laws", fontsize=10)
    ax.legend(fontsize=8)
    return fig


def search_descent(results: Sequence[SearchDescent]) -> Figure:
    r"""Per ``k``, :math:`|m|` on a log scale against steps over the median :math:`T_{1/2}`, with
    :math:`1/\sqrt d` marked."""
    results = list(results)
    if not results:
        raise ValueError("results must hold at least one SearchDescent, got none")
    for i, r in enumerate(results):
        _check(f"results[{i}]", r, SearchDescent)
    fig = Figure(figsize=(4.0 * len(results), 3.8), layout="constrained")
    axes = fig.subplots(1, len(results), squeeze=False)[0]
    for ax, r in zip(axes, results):
        scale = np.nanmedian(r.search)
        for run in range(min(8, r.overlap.shape[0])):
            ax.plot(r.steps / scale, np.maximum(np.abs(r.overlap[run]), 1e-4), lw=0.8, color=f"C{run % 10}")
        ax.axhline(1 / np.sqrt(r.d), color="k", ls=":", lw=1, label=r"$1/\sqrt{d}$")
        ax.axhline(0.5, color="0.5", ls="--", lw=0.8, label=r"$|m| = 1/2$")
        ax.set_yscale("log")
        ax.set_ylim(1e-3, 1.2)
        ax.set_xlim(0, 2.5)
        ax.set_xlabel(r"steps / median $T_{1/2}$")
        ax.set_title(rf"$k = {r.link.information_exponent}$, $d = {r.d}$: "
                     rf"{r.search_fraction:.0%} of steps searching", fontsize=9)
        ax.legend(fontsize=7, loc="lower right")
    axes[0].set_ylabel(r"$|m_t|$")
    return fig


def drift_comparison(m: np.ndarray, exact: Sequence[np.ndarray], expansion: Sequence[np.ndarray],
                     labels: Sequence[str]) -> Figure:
    r"""The exact one-step mean (dots) against its expansion (lines), one panel per setting."""
    m = np.asarray(m, dtype=float)
    if not (len(exact) == len(expansion) == len(labels)) or not labels:
        raise ValueError("exact, expansion and labels must have the same positive length")
    fig = Figure(figsize=(4.2 * len(labels), 3.6), layout="constrained")
    axes = fig.subplots(1, len(labels), squeeze=False)[0]
    for ax, ex, ap, label in zip(axes, exact, expansion, labels):
        ax.plot(m, ex, "o", color="C0", label="exact (quadrature)")
        ax.plot(m, ap, "-", color="C1", label="second-order expansion")
        ax.axhline(0.0, color="0.6", lw=0.8)
        ax.set_xlabel("overlap $m$")
        ax.set_title(label, fontsize=9)
        ax.legend(fontsize=7)
    axes[0].set_ylabel(r"$\mathbb{E}[m' - m \mid m]$")
    return fig


def escape_probability(result: EscapeProbability, thresholds: Sequence[float] | None = None,
                       limit: float | None = None) -> Figure:
    r"""Escape probability against :math:`c = \eta d` per ``d``; the exact finite-``d`` thresholds
    (dotted, same colour) and the limit (grey)."""
    _check("result", result, EscapeProbability)
    fig = Figure(figsize=(6.4, 4.0), layout="constrained")
    ax = fig.add_subplot()
    for i, d in enumerate(result.d):
        ax.plot(result.c, result.probability[i], "o-", color=f"C{i}",
                label=rf"$d = {d}$, $T = {result.horizon[i] // d}\,d$")
        if thresholds is not None:
            ax.axvline(thresholds[i], color=f"C{i}", ls=":", lw=1.2)
    if limit is not None:
        ax.axvline(limit, color="0.4", lw=1, label=rf"$d \to \infty$: $c = {limit:.3g}$")
    ax.set_xlabel(r"step-size constant $c = \eta d$")
    ax.set_ylabel(f"fraction of {result.runs} runs escaped")
    ax.set_title(rf"{result.link.name}: escape to $|m| = {result.level:g}$ (dotted: exact threshold per $d$)",
                 fontsize=10)
    ax.legend(fontsize=8)
    return fig


def phase_diagram(diagram: PhaseDiagram, barrier_c: float | None = None,
                  negative_from: float | None = None) -> Figure:
    r"""Escape probability over :math:`(c, T/d^{k-1})` as an image, with the barrier's line.

    ``negative_from``: the smallest ``c`` of the grid at which the exact one-step mean is negative
    at every :math:`m \in (0, 1)`; the columns from there on are hatched (there, touching the
    level is a passing visit, not an escape).
    """
    _check("diagram", diagram, PhaseDiagram)
    fig = Figure(figsize=(6.4, 4.4), layout="constrained")
    ax = fig.add_subplot()
    mesh = ax.pcolormesh(diagram.c, diagram.grid, diagram.probability.T, shading="nearest", cmap="viridis",
                         vmin=0, vmax=1)
    fig.colorbar(mesh, ax=ax, label=r"$P(T_{\rm esc} \leq T)$")
    if barrier_c is not None:
        ax.axvline(barrier_c, color="w", ls="--", lw=1.5, label=r"barrier $m_c = 1/\sqrt{d}$")
    if negative_from is not None:
        c = np.asarray(diagram.c, dtype=float)
        left = math.sqrt(c[c < negative_from].max() * negative_from) if np.any(c < negative_from) else c[0]
        ax.axvspan(left, c[-1] * 1.2, facecolor="none", edgecolor="w", hatch="//", lw=0,
                   label="exact mean < 0 at every $m$")
    if barrier_c is not None or negative_from is not None:
        ax.legend(fontsize=8, loc="lower right")
    k = diagram.link.information_exponent
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(rf"step-size constant $c = \eta d^{{{k / 2:g}}}$")
    ax.set_ylabel(rf"horizon $T/d^{{{k - 1}}}$")
    ax.set_title(rf"{diagram.link.name}, $d = {diagram.d}$, {diagram.times.shape[1]} runs per $c$", fontsize=10)
    return fig


def explorer(result: SGDResult, level: float = 0.5) -> Figure:
    r"""Left: trajectories :math:`|m_t|` (log scale) against steps. Right: histogram of escape times."""
    _check("result", result, SGDResult)
    times = escape_times(result, level)
    fig = Figure(figsize=(9.0, 3.6), layout="constrained")
    left, right = fig.subplots(1, 2)
    for run in range(min(12, result.runs)):
        left.plot(result.steps, np.maximum(np.abs(result.overlap[run]), 1e-4), lw=0.8)
    left.axhline(1 / np.sqrt(result.d), color="k", ls=":", lw=1, label=r"$1/\sqrt{d}$")
    left.axhline(level, color="0.5", ls="--", lw=0.8, label=f"escape level {level:g}")
    left.set_yscale("log")
    left.set_ylim(1e-3, 1.2)
    left.set_xlabel("steps $t$")
    left.set_ylabel(r"$|m_t|$")
    k = result.link.information_exponent
    left.set_title(rf"$k = {k}$, $d = {result.d}$, $\eta = {result.eta:.3g}$, {result.runs} runs", fontsize=9)
    left.legend(fontsize=7, loc="lower right")
    done = times[np.isfinite(times)]
    if done.size:
        right.hist(done, bins=20, color="C0")
    right.set_xlabel(r"escape time $T_{\rm esc}$ (steps)")
    right.set_ylabel("runs")
    right.set_title(f"{np.isnan(times).mean():.0%} censored at the horizon {result.steps[-1]}", fontsize=9)
    return fig
