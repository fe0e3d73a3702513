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


def full_batch_overlaps(tables: Sequence[FullBatchTable], alphas: Sequence[float] = (4.0, 16.0)) -> Figure:
    r"""Median :math:`|m_t|` of full-batch GD against the step :math:`t`, one panel per link: one colour
    per ``d``, solid for the largest of ``alphas`` (with the quartiles shaded), dashed for the others;
    the thin dotted lines mark the median :math:`|m_0| \approx 0.674/\sqrt d` of a random start."""
    tables = tuple(tables)
    if not tables or not all(isinstance(t, FullBatchTable) for t in tables):
        raise TypeError("tables must be a non-empty sequence of FullBatchTable")
    fig = Figure(figsize=(3.9 * len(tables), 3.6), layout="constrained")
    axes = fig.subplots(1, len(tables), squeeze=False, sharey=True)[0]
    for ax, table in zip(axes, tables):
        t = np.arange(table.median.shape[2])
        for a in alphas:
            hits = np.flatnonzero(np.isclose(table.alpha, a))
            if not hits.size:
                raise ValueError(f"alphas entry {a!r} is not among the table's ratios {table.alpha.tolist()}")
        big = max(alphas)
        for i, d in enumerate(table.d):
            for a in alphas:
                j = int(np.flatnonzero(np.isclose(table.alpha, a))[0])
                solid = a == big
                ax.plot(t, table.median[i, j], "-" if solid else "--", marker="o" if solid else None, ms=3,
                        color=f"C{i}", lw=1.5 if solid else 1, label=f"d = {d}" if solid else None)
                if solid:
                    ax.fill_between(t, table.quartiles[i, j, :, 0], table.quartiles[i, j, :, 1], color=f"C{i}",
                                    alpha=0.15, lw=0)
            ax.axhline(0.674 / np.sqrt(d), color=f"C{i}", lw=0.6, ls=":")
        ax.axhline(0.5, color="grey", lw=0.8)
        ax.set_ylim(0.0, 1.0)
        ax.set_xlabel("step $t$")
        ax.set_title(f"{table.link.name}: full-batch GD, eta = {table.eta:g}, {table.runs} runs", fontsize=10)
    axes[0].set_ylabel(r"$|m_t|$: median, quartiles shaded")
    axes[0].plot([], [], "k-", label=rf"$\alpha = {max(alphas):g}$")
    axes[0].plot([], [], "k--", label=", ".join(rf"$\alpha = {a:g}$" for a in alphas if a != max(alphas)))
    axes[0].plot([], [], "k:", lw=0.6, label="random start")
    axes[0].legend(fontsize=7, loc="upper left")
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


def conditional_norms(norms: "dict[str, Sequence[float]]", exponents: "dict[str, tuple[int, int]]") -> Figure:
    r"""Bars of :math:`\mathbb E[\zeta_1^2]` and :math:`\mathbb E[\zeta_2^2]` per link, labelled with
    :math:`k_*` and :math:`k_{\mathrm{gen}}`: ``norms[name] = (E zeta_1^2, E zeta_2^2)``,
    ``exponents[name] = (k_*, k_gen)``."""
    if not norms or set(norms) != set(exponents):
        raise ValueError("norms and exponents must be non-empty and have the same link names")
    names = list(norms)
    values = np.array([[float(norms[n][0]), float(norms[n][1])] for n in names])
    fig = Figure(figsize=(7.6, 3.2), layout="constrained")
    ax = fig.add_subplot()
    x = np.arange(len(names))
    ax.bar(x - 0.2, values[:, 0], width=0.4, color="C0", label=r"$\mathbb{E}[\zeta_1^2]$")
    ax.bar(x + 0.2, values[:, 1], width=0.4, color="C1", label=r"$\mathbb{E}[\zeta_2^2]$")
    ax.set_xticks(x, [f"{n} ({exponents[n][0]}, {exponents[n][1]})" for n in names], fontsize=7, rotation=30,
                  ha="right")
    ax.set_xlabel(r"link ($k_*$, $k_{\mathrm{gen}}$)")
    ax.set_ylabel("conditional Hermite norm")
    ax.set_title(r"the catalogue: $\zeta_1 \neq 0$ or $\zeta_2 \neq 0$ for every link, so $k_{\mathrm{gen}} \leq 2$ "
                 r"whatever $k_*$", fontsize=10)
    ax.legend(fontsize=8)
    return fig
