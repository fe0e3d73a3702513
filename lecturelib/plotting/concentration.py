r"""Figures of Lecture 6: empirical against population signal, benign thresholds, multi-pass SGD.

Every function takes results of :mod:`lecturelib.concentration` or :mod:`lecturelib.multipass`
and returns a :class:`matplotlib.figure.Figure`; none of them simulates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from ..concentration import DeviationScaling, OpenQuestionTable, SignalCheck, ThresholdScan
from ..multipass import MultipassResult, SuccessSweep

__all__ = ["signals", "thresholds", "deviations", "success", "losses", "signals_and_run", "open_question"]


def _check(name: str, value: object, kind: type) -> None:
    if not isinstance(value, kind):
        raise TypeError(f"{name} must be a {kind.__name__}, got {type(value).__name__}")


def _draw_signals(ax, check: SignalCheck, link_name: str) -> None:
    lo, hi = check.band
    m = np.geomspace(lo, hi, 200)
    g_bar = np.interp(np.log(m), np.log(np.sort(check.m)), check.g_bar[np.argsort(check.m)])
    ax.plot(m, g_bar, color="k", lw=1.5, label=r"population $\bar g(m)$")
    ax.plot(m, 0.5 * g_bar, color="k", lw=1, ls="--", label=r"$\bar g/2$")
    ax.plot(check.m, check.g_hat, "o", ms=3, color="C0", label=r"$\hat g_n(w)$, random $w$")
    if check.search_m.size:
        ax.plot(check.search_m, check.search_g_hat, "x", ms=7, color="C3", label=r"$\hat g_n(w)$, after local search")
    ax.set_xscale("log")
    ax.set_xlabel(r"overlap $m = \langle w, w_*\rangle$")
    ax.set_ylabel("signal along $w_*$")
    verdict = "benign" if check.benign else "not benign"
    ax.set_title(rf"{link_name}: $d = {check.d}$, $n = {check.n}$, $\theta = {check.theta:g}$ ({verdict})", fontsize=10)
    ax.legend(fontsize=7, loc="upper left")


def signals(check: SignalCheck, link_name: str = "$He_3$") -> Figure:
    r""":math:`\hat g_n(w)` at the points tried against :math:`\bar g(m)` and :math:`\bar g/2` on the band (log ``m``)."""
    _check("check", check, SignalCheck)
    fig = Figure(figsize=(6.4, 4.2), layout="constrained")
    _draw_signals(fig.add_subplot(), check, link_name)
    return fig


def thresholds(scans: Sequence[ThresholdScan], predictions: Mapping[tuple[float, int], float] | None = None) -> Figure:
    r"""Measured benign sample size against ``d`` for each :math:`\theta` (log-log); dashed: ``predictions[(theta, d)]``."""
    if not scans or not all(isinstance(s, ThresholdScan) for s in scans):
        raise TypeError("scans must be a non-empty sequence of ThresholdScan")
    fig = Figure(figsize=(6.4, 4.4), layout="constrained")
    ax = fig.add_subplot()
    for i, theta in enumerate(sorted({s.theta for s in scans})):
        mine = sorted((s for s in scans if s.theta == theta), key=lambda s: s.d)
        d = np.array([s.d for s in mine])
        ax.plot(d, [s.threshold for s in mine], "o-", color=f"C{i}", label=rf"measured, $\theta = {theta:g}$")
        if predictions:
            ax.plot(d, [predictions[(theta, int(x))] for x in d], "--", color=f"C{i}", lw=1,
                    label=rf"pointwise prediction, $\theta = {theta:g}$")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("dimension $d$")
    ax.set_ylabel(r"sample size $n$ from which $\hat g_n \geq \bar g/2$ everywhere tried")
    ax.set_title(r"benign threshold on the band $\frac{1}{4} d^{-\theta} \leq m \leq \frac{1}{2}$ ($He_3$)", fontsize=10)
    ax.legend(fontsize=7)
    return fig


def deviations(scaling: DeviationScaling) -> Figure:
    r"""Worst :math:`|\hat g_n - \bar g|` found against ``n`` per ``d`` (log-log): random points (dashed), after the search (solid), and :math:`\sqrt{d\ln d/n}` (dotted)."""
    _check("scaling", scaling, DeviationScaling)
    fig = Figure(figsize=(6.4, 4.4), layout="constrained")
    ax = fig.add_subplot()
    n = scaling.n.astype(float)
    for i, d in enumerate(scaling.d):
        ax.plot(n, scaling.searched[i], "o-", color=f"C{i}", label=f"$d = {d}$, after search")
        ax.plot(n, scaling.random[i], "s--", color=f"C{i}", ms=4, lw=1, label=f"$d = {d}$, random points")
        ax.plot(n, np.sqrt(d * np.log(d) / n), ":", color=f"C{i}", lw=1)
    ax.plot([], [], ":", color="grey", label=r"$\sqrt{d \ln d / n}$")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("sample size $n$")
    ax.set_ylabel(r"worst $|\hat g_n(w) - \bar g(m)|$ found")
    ax.set_title(rf"deviation of the empirical signal on the band, $\theta = {scaling.theta:g}$ ($He_3$)", fontsize=10)
    ax.legend(fontsize=7, ncols=2)
    return fig


def success(sweep: SuccessSweep) -> Figure:
    r"""Success probability of multi-pass SGD against :math:`n/d^{k-1}` per ``d``; dotted: online SGD."""
    _check("sweep", sweep, SuccessSweep)
    k = sweep.link.information_exponent
    fig = Figure(figsize=(6.4, 4.2), layout="constrained")
    ax = fig.add_subplot()
    for i, d in enumerate(sweep.d):
        err = np.sqrt(sweep.success[i] * (1 - sweep.success[i]) / sweep.runs)
        ax.errorbar(sweep.ratio, sweep.success[i], yerr=err, fmt="o-", color=f"C{i}", capsize=2, label=f"$d = {d}$")
        ax.axhline(sweep.online_success[i], color=f"C{i}", ls=":", lw=1)
    ax.plot([], [], ":", color="grey", label="online SGD (fresh samples)")
    ax.axvline(1.0, color="k", lw=0.8, alpha=0.5)
    ax.set_xscale("log")
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel(rf"$n / d^{{{k - 1}}}$")
    ax.set_ylabel(rf"P(overlap reaches {sweep.level:g})")
    ax.set_title(rf"multi-pass SGD, $\eta = {sweep.eta_scale:g}\,d^{{-{k}/2}}$, $T = {sweep.horizon_scale:g}\,d^{{{k - 1}}}$ steps, {sweep.runs} trials",
                 fontsize=10)
    ax.legend(fontsize=8)
    return fig


def losses(sweep: SuccessSweep) -> Figure:
    r"""Training against population loss at the last iterate of every trial: failed (crosses) and successful (dots)."""
    _check("sweep", sweep, SuccessSweep)
    fig = Figure(figsize=(6.4, 4.2), layout="constrained")
    ax = fig.add_subplot()
    failed = sweep.failed
    ratio = np.broadcast_to(sweep.ratio[None, :, None], failed.shape)
    for j, r in enumerate(sweep.ratio):
        sel = ratio == r
        ax.plot(sweep.population_loss[sel & failed], sweep.train_loss[sel & failed], "x", color=f"C{j}", ms=5,
                label=rf"$n/d^{{k-1}} = {r:g}$, failed")
        ax.plot(sweep.population_loss[sel & ~failed], sweep.train_loss[sel & ~failed], ".", color=f"C{j}", ms=3,
                alpha=0.5)
    lim = [0.8, 1.1]
    ax.plot(lim, lim, color="k", lw=0.8, label="training = population")
    ax.set_xlim(*lim)
    ax.set_yscale("log")
    ax.set_xlabel(r"population loss $L(m) = 1 - m^3$ at the last iterate")
    ax.set_ylabel(r"training loss $\hat L_n(w)$ at the last iterate")
    ax.set_title(rf"where the runs end (dots: successful, stopped at $m = {sweep.level:g}$)", fontsize=10)
    ax.legend(fontsize=7)
    return fig


def signals_and_run(check: SignalCheck, run: MultipassResult, link_name: str, *, level: float = 0.9) -> Figure:
    """The widget's figure: the signals on the band (left) and multi-pass runs on the same sample (right),
    with the number of runs whose overlap at the horizon (``|m|`` for an even link) is at least ``level``."""
    _check("check", check, SignalCheck)
    _check("run", run, MultipassResult)
    level = float(level)
    fig = Figure(figsize=(10.5, 4.0), layout="constrained")
    left, right = fig.subplots(1, 2)
    _draw_signals(left, check, link_name)
    for r in range(run.runs):
        right.plot(run.steps, run.overlap[r], lw=1, color=f"C{r}")
    right.axhline(check.band[0], color="grey", lw=0.8, ls="--", label=r"band edge $\frac{1}{4} d^{-\theta}$")
    right.axhline(level, color="k", lw=0.8, ls=":", label=f"success level {level:g}")
    right.set_xlabel("step $t$")
    right.set_ylabel(r"overlap $m_t$")
    reuse = float(np.nanmean(run.reuse_fraction))
    final = np.abs(run.overlap[:, -1]) if run.link.is_even else run.overlap[:, -1]
    held = int(np.sum(final >= level))
    right.set_title(rf"multi-pass SGD, $\eta = {run.eta:.2g}$: {held} of {run.runs} hold $m \geq {level:g}$ at $T$ "
                    rf"(reused steps {reuse:.0%})", fontsize=9)
    right.legend(fontsize=7)
    return fig


def open_question(tables: Sequence[OpenQuestionTable]) -> Figure:
    r"""Success of multi-pass SGD (:math:`m_T \ge 0.9`) against :math:`n/d^2`, one panel per ``c``.

    Solid: multi-pass SGD, with 95 % Wilson intervals; dotted: online SGD at the same ``c``;
    grey crosses: the null (labels independent of :math:`x`), pooled over ``d``.
    """
    tables = list(tables)
    for t in tables:
        _check("tables entry", t, OpenQuestionTable)
    fig = Figure(figsize=(10.5, 4.0), layout="constrained")
    axes = fig.subplots(1, len(tables), sharey=True, squeeze=False)[0]
    for ax, t in zip(axes, tables):
        for i, d in enumerate(t.d):
            err = np.abs(t.multipass_ci[i] - t.multipass[i][:, None]).T
            ax.errorbar(t.ratio, t.multipass[i], yerr=err, fmt="o-", color=f"C{i}", capsize=2, label=f"$d = {d}$")
            ax.axhline(t.online[i], color=f"C{i}", ls=":", lw=1)
        ax.plot(t.ratio, t.null.mean(axis=0), "x", color="grey", ms=7, label="null (labels independent of $x$)")
        ax.plot([], [], ":", color="grey", label="online SGD, same $c$")
        ax.set_xscale("log", base=2)
        ax.set_ylim(-0.03, 1.03)
        ax.set_xlabel("$n / d^{2}$")
        ax.set_title(rf"$c = {t.c:g}$: $\eta = c\,d^{{-3/2}}$, $T = 40\,d^2$, {t.runs} runs per point", fontsize=10)
    axes[0].set_ylabel(rf"P($m_T \geq {tables[0].level:g}$)")
    axes[0].legend(fontsize=7, loc="upper left")
    return fig
