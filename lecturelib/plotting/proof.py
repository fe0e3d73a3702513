r"""Figures of Lecture 5: the drift-plus-martingale proof drawn on runs.

Every function takes a result of :mod:`lecturelib.decomposition` and returns a
:class:`matplotlib.figure.Figure`; none of them simulates.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from ..decomposition import (
    AdmissibleRegion, BihariLasalleCurves, Decomposition, HypercontractivityCheck, MartingaleTail, NormGrowth,
    PointDiagnostics, region_position,
)

__all__ = ["decomposition", "norm_growth", "martingale_tail", "hypercontractivity", "bihari_lasalle",
           "admissible_region", "proof_panel"]


def _check(name: str, value: object, kind: type) -> None:
    if not isinstance(value, kind):
        raise TypeError(f"{name} must be a {kind.__name__}, got {type(value).__name__}")


def _draw_decomposition(ax, dec: Decomposition, runs: Sequence[int]) -> None:
    for j, r in enumerate(runs):
        color = f"C{j}"
        ax.plot(dec.steps, dec.overlap[r], color=color, lw=1.8, label="$m_t$" if j == 0 else None)
        ax.plot(dec.steps, dec.start[r] + dec.drift[r], "--", color=color, lw=1.2,
                label="$m_0 + D_t$" if j == 0 else None)
        ax.plot(dec.steps, dec.martingale[r], ":", color=color, lw=1.2, label="$M_t$" if j == 0 else None)
    ax.axhline(0.0, color="0.7", lw=0.8)
    ax.set_xlabel("step $t$")
    ax.set_ylabel(r"overlap $m_t = \langle w_t, w_*\rangle$ and its parts")
    k = dec.link.information_exponent
    ax.set_title(rf"$h_{k}$, $d = {dec.d}$, $\eta = {dec.eta:.3g}$: $m_t = m_0 + D_t + M_t$", fontsize=10)
    ax.legend(fontsize=8, loc="upper left")


def decomposition(dec: Decomposition, runs: Sequence[int] = (0, 1, 2)) -> Figure:
    r"""Per run: :math:`m_t` (solid), :math:`m_0 + D_t` (dashed) and :math:`M_t` (dotted) against the step."""
    _check("dec", dec, Decomposition)
    runs = list(runs)
    if not runs or any(not 0 <= r < dec.runs for r in runs):
        raise ValueError(f"runs must list run indices in [0, {dec.runs}), got {runs!r}")
    fig = Figure(figsize=(6.6, 4.2), layout="constrained")
    _draw_decomposition(fig.add_subplot(), dec, runs)
    return fig


def norm_growth(growth: NormGrowth) -> Figure:
    r""":math:`\|w_t\|^2 - 1` (mean, with the prediction) and :math:`\sqrt d\max_{s\le t}|M_s|` (90 % quantile) against :math:`\eta\sqrt{td}` (log-log)."""
    _check("growth", growth, NormGrowth)
    fig = Figure(figsize=(6.6, 4.4), layout="constrained")
    ax = fig.add_subplot()
    for i, eta in enumerate(growth.eta):
        x = growth.scale[i]
        keep = x > 0
        ax.plot(x[keep], growth.norm_excess[i][keep], "-", color=f"C{i}", lw=1.8,
                label=rf"$\|w_t\|^2 - 1$, $\eta = {eta:.0e}$")
        ax.plot(x[keep], growth.martingale[i][keep], "-.", color=f"C{i}", lw=1.2,
                label=rf"$\sqrt{{d}}\,\max_{{s \leq t}}|M_s|$ (90 %), $\eta = {eta:.0e}$")
    x = growth.scale[0][growth.scale[0] > 0]
    ax.plot(x, growth.predicted_excess[0][growth.scale[0] > 0], "k--", lw=1,
            label=r"$\eta^2 t\,(\mathbb{E}[\kappa^2](d-2) + \mathbb{E}[\kappa^2\beta^2])$")
    ax.axhline(1.0, color="0.5", lw=0.8)
    ax.axhline(0.5, color="0.5", lw=0.8, ls=":")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"$\eta\sqrt{t\,d}$ ((A1) asks that it stay small)")
    ax.set_ylabel(r"norm excess and martingale, in units of $1/\sqrt{d}$")
    k = growth.link.information_exponent
    ax.set_title(rf"$h_{k}$, $d = {growth.d}$, {growth.runs} runs from $m_0 = 0$: both grow with $\eta\sqrt{{td}}$",
                 fontsize=10)
    ax.legend(fontsize=7, loc="upper left")
    return fig


def martingale_tail(tail: MartingaleTail) -> Figure:
    r"""Empirical :math:`\mathbb{P}(\max_{t\le T}|M_t| \ge \lambda)` with Doob's bounds and the Brownian prediction (log y)."""
    _check("tail", tail, MartingaleTail)
    fig = Figure(figsize=(6.6, 4.4), layout="constrained")
    ax = fig.add_subplot()
    x = tail.levels / tail.sigma
    shown = tail.empirical > 0
    ax.errorbar(x[shown], tail.empirical[shown], yerr=tail.standard_error[shown], fmt="o", ms=3.5, color="k",
                label=f"empirical ({tail.runs} runs)")
    for i, p in enumerate(tail.p):
        label = rf"Doob, $p = {p:g}$: $\mathbb{{E}}|M_T|^{{{p:g}}}/\lambda^{{{p:g}}}$"
        ax.plot(x, tail.doob[i], "-", color=f"C{i}", lw=1.3, label=label)
    ax.plot(x, tail.brownian, "--", color="C3", lw=1.3, label=r"Brownian maximum, $\sigma_T$ matched")
    ax.set_yscale("log")
    ax.set_ylim(max(0.3 / tail.runs, 1e-5), 1.5)
    ax.set_xlabel(r"level $\lambda/\sigma_T$, $\sigma_T^2 = \mathbb{E}M_T^2$")
    ax.set_ylabel(r"$\mathbb{P}(\max_{t \leq T}|M_t| \geq \lambda)$")
    ax.set_title("Doob's maximal inequality on runs", fontsize=10)
    ax.legend(fontsize=8, loc="lower left")
    return fig


def hypercontractivity(check: HypercontractivityCheck) -> Figure:
    r""":math:`\|p\|_q/((q-1)^{j/2}\|p\|_2)` against the degree :math:`j`, for :math:`He_j` and random polynomials (the bound is 1)."""
    _check("check", check, HypercontractivityCheck)
    fig = Figure(figsize=(6.4, 4.0), layout="constrained")
    ax = fig.add_subplot()
    for i, q in enumerate(check.q):
        ax.plot(check.degrees, check.hermite[i], "o-", color=f"C{i}", label=rf"$He_j$, $q = {q:g}$")
        ax.plot(check.degrees, check.random_max[i], "s--", mfc="none", color=f"C{i}",
                label=f"random, {check.variables} variables (max of {check.count}), $q = {q:g}$")
    ax.axhline(1.0, color="k", lw=1)
    ax.set_xlabel("degree $j$")
    ax.set_ylabel(r"$\|p\|_q \,/\, (q-1)^{j/2}\|p\|_2$")
    ax.set_ylim(0.0, 1.1)
    ax.set_title(r"Gaussian hypercontractivity: every ratio is at most 1", fontsize=10)
    ax.legend(fontsize=7, loc="lower left", ncols=2)
    return fig


def bihari_lasalle(curves: BihariLasalleCurves) -> Figure:
    r"""The lemma's smallest sequence against its corrected bound, the notes' bound and the flow."""
    _check("curves", curves, BihariLasalleCurves)
    fig = Figure(figsize=(6.4, 4.2), layout="constrained")
    ax = fig.add_subplot()
    show = lambda y: np.where(np.isfinite(y) & (y <= 1.5), y, np.nan)  # noqa: E731
    ax.plot(curves.t, show(curves.flow), color="C2", lw=1.5, label=r"flow $y' = a_1 y^{k-1}$")
    ax.plot(curves.t, show(curves.sequence), color="C0", lw=2.2,
            label=r"sequence $\underline{y}_t = a_0 + a_1\sum_{s<t}\underline{y}_s^{k-1}$")
    ax.plot(curves.t, curves.bound, "--", color="C3", lw=1.5, label=r"bound, $(1+a_1)^{k-2}$")
    if curves.k >= 4:
        ax.plot(curves.t, curves.notes_bound, ":", color="C1", lw=1.5, label=r"notes' bound, $(1+a_1)$")
    ax.set_ylim(0.0, 1.05)
    ax.set_xlabel("step $t$")
    ax.set_ylabel(r"$\underline{y}_t$")
    ax.set_title(rf"Bihari–LaSalle, $k = {curves.k}$, $a_0 = {curves.a0:g}$, $a_1 = {curves.a1:g}$", fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    return fig


def _draw_region(ax, region: AdmissibleRegion, region_label: str = "admissible") -> None:
    eta = region.eta
    ax.plot(eta, region.t_a1, color="C0", lw=1.5, label=r"(A1) $\eta\sqrt{Td} = A$")
    ax.plot(eta, region.t_a2, color="C1", lw=1.5, label=r"(A2) $\eta T = K\,d^{k/2-1}$" if region.k > 2
            else r"(A2) $\eta T = K\ln d$")
    inside = region.t_a2 <= region.t_a1
    ax.fill_between(eta[inside], region.t_a2[inside], region.t_a1[inside], color="C2", alpha=0.2,
                    label=region_label)
    ax.plot(*region.corner, "k*", ms=10, label="corner")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"step size $\eta$")
    ax.set_ylabel("horizon $T$ (steps)")


def _share(fraction: float, n: int) -> str:
    """A fraction of n runs with its standard error (the count where none or all are)."""
    count = round(fraction * n)
    if count in (0, n):
        return f"{count}/{n}"
    return f"{fraction:.1%} ± {np.sqrt(fraction * (1 - fraction) / n):.1%}"


def admissible_region(region: AdmissibleRegion, points: Sequence[PointDiagnostics] = ()) -> Figure:
    r"""The region of (A1) and (A2) in the :math:`(\eta, T)` plane (log-log), with runs placed in it.

    Points are numbered; a box lists, for each, the escaped fraction, the fraction of runs whose
    martingale exceeded :math:`m_0/2` (both with their standard errors) and the median final norm, with
    the number of runs. The region is drawn at :math:`\delta = 1`, where Doob's bound is vacuous on the
    (A1) line.
    """
    _check("region", region, AdmissibleRegion)
    for i, p in enumerate(points):
        _check(f"points[{i}]", p, PointDiagnostics)
    fig = Figure(figsize=(6.6, 4.6), layout="constrained")
    ax = fig.add_subplot()
    _draw_region(ax, region, r"admissible at $\delta = 1$ (vacuous on its boundary)")
    # Points are numbered; their results are listed in the empty upper right corner.
    lines = []
    for i, p in enumerate(points):
        ax.plot(p.eta, p.steps, "o", color="k", ms=6)
        ax.annotate(str(i + 1), (p.eta, p.steps), textcoords="offset points", xytext=(5, 4), fontsize=9)
        lines.append(f"{i + 1}: escaped {_share(p.escaped, p.runs)}, |M|>m0/2 in {_share(p.martingale_fails, p.runs)},"
                     f" ‖w_T‖ {p.norm:.2g} (n = {p.runs})")
    if lines:
        ax.text(0.98, 0.98, "\n".join(lines), transform=ax.transAxes, ha="right", va="top", fontsize=7,
                multialignment="left", bbox=dict(facecolor="white", edgecolor="0.8"))
    ax.set_title(rf"$h_{region.k}$, $d = {region.d}$: where the proof's conditions hold", fontsize=10)
    ax.legend(fontsize=8, loc="lower left")
    return fig


def proof_panel(dec: Decomposition, region: AdmissibleRegion) -> Figure:
    r"""The widget's figure: the decomposition of a few runs (left), and :math:`(\eta, T)` in the region (right)."""
    _check("dec", dec, Decomposition)
    _check("region", region, AdmissibleRegion)
    fig = Figure(figsize=(11.0, 4.2), layout="constrained")
    left, right = fig.subplots(1, 2)
    _draw_decomposition(left, dec, range(min(3, dec.runs)))
    _draw_region(right, region)
    pos = region_position(region.d, region.k, dec.eta, max(dec.horizon, 1), a1_constant=region.a1_constant,
                          a2_constant=region.a2_constant)
    right.plot(dec.eta, dec.horizon, "o", color="C3", ms=8,
               label=f"this run: (A1) {pos['a1']:.2g} {'≤' if pos['a1'] <= 1 else '>'} 1, "
                     f"(A2) {pos['a2']:.2g} {'≥' if pos['a2'] >= 1 else '<'} 1")
    right.set_title(rf"$(\eta, T)$ and the admissible region, $d = {region.d}$, $k = {region.k}$", fontsize=10)
    right.legend(fontsize=7, loc="lower left")
    return fig
