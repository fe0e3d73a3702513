r"""Figures of Lecture 7: escape times of the algorithms side by side, and full-batch GD.

Every function takes a result of :mod:`lecturelib.algorithms` or :mod:`lecturelib.fullbatch`
and returns a :class:`matplotlib.figure.Figure`; none simulates.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from ..algorithms import Comparison, TrajectoryComparison
from ..fullbatch import FullBatchTable

__all__ = ["escape_comparison", "full_batch_overlaps", "trajectory_comparison"]


def escape_comparison(comparison: Comparison, title: str | None = None) -> Figure:
    r"""Median escape time in samples against ``d`` (log-log), one colour per algorithm, with the fitted line
    and the exponent's 95 % interval in the legend."""
    if not isinstance(comparison, Comparison):
        raise TypeError(f"comparison must be a Comparison, got {type(comparison).__name__}")
    fig = Figure(figsize=(7.2, 5.6), layout="constrained")
    ax = fig.add_subplot()
    for i, item in enumerate(comparison.sweeps):
        sweep, fit = item.sweep, item.sweep.exponent
        d = sweep.d.astype(float)
        ok = np.isfinite(sweep.median)
        ax.plot(d[ok], sweep.median[ok], "o", color=f"C{i}", ms=5,
                label=f"{item.algorithm.label} ({item.algorithm.link}): {fit.slope:.2f} [{fit.ci_low:.2f}, {fit.ci_high:.2f}]")
        ax.plot(d, np.exp(fit.intercept) * d**fit.slope, "-", color=f"C{i}", lw=1, alpha=0.7)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("dimension $d$")
    ax.set_ylabel("median samples to reach $|m| = 1/2$")
    ax.set_title(title or "Samples to escape the equator: fitted exponent [95 % interval]", fontsize=10)
    fig.legend(fontsize=7, loc="outside lower center", ncols=2)
    return fig


def full_batch_overlaps(tables: Sequence[FullBatchTable], steps: Sequence[int] = (1, 2, 3, 6)) -> Figure:
    r"""Median :math:`|m_T|` of full-batch GD against :math:`\alpha = n/d`, one panel per link, one colour per
    ``d`` and one line style per number of steps ``T``."""
    tables = tuple(tables)
    if not tables or not all(isinstance(t, FullBatchTable) for t in tables):
        raise TypeError("tables must be a non-empty sequence of FullBatchTable")
    fig = Figure(figsize=(3.6 * len(tables), 3.6), layout="constrained")
    axes = fig.subplots(1, len(tables), squeeze=False)[0]
    styles = ("-", "--", "-.", ":")
    for ax, table in zip(axes, tables):
        for i, d in enumerate(table.d):
            for j, t in enumerate(steps):
                if t < table.median.shape[2]:
                    ax.plot(table.alpha, table.median[i, :, t], styles[j % len(styles)], marker="o", ms=3,
                            color=f"C{i}", label=f"d = {d}, T = {t}")
        ax.axhline(0.5, color="grey", lw=0.8, ls=":")
        ax.set_xscale("log", base=2)
        ax.set_ylim(0.0, 1.0)
        ax.set_xlabel(r"samples per dimension $\alpha = n/d$")
        ax.set_title(f"{table.link.name}: full-batch GD, eta = {table.eta:g}", fontsize=10)
    axes[0].set_ylabel(r"median $|m_T|$")
    handles, labels = axes[-1].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside right center", fontsize=7)
    return fig


def trajectory_comparison(result: TrajectoryComparison) -> Figure:
    r"""Median :math:`|m|` against the number of samples (log scale), one line per algorithm."""
    if not isinstance(result, TrajectoryComparison):
        raise TypeError(f"result must be a TrajectoryComparison, got {type(result).__name__}")
    fig = Figure(figsize=(6.4, 4.0), layout="constrained")
    ax = fig.add_subplot()
    for i, (label, median) in enumerate(result.median.items()):
        ax.plot(result.samples[1:], median[1:], color=f"C{i}", lw=1.5, label=label)
    ax.set_xscale("log")
    ax.set_ylim(0.0, 1.0)
    ax.set_xlabel("samples")
    ax.set_ylabel(r"median overlap $|m|$")
    ax.set_title(f"He_{result.k}, d = {result.d}, seed {result.seed}: median overlap of {result.runs} runs per algorithm", fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    return fig
