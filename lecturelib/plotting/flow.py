r"""Figures of Lecture 3: the gradient flow, its escape times, and online SGD against it.

Every function takes a result of :mod:`lecturelib.flow_vs_sgd` and returns a
:class:`matplotlib.figure.Figure`; none of them simulates or solves an ODE.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from ..flow_vs_sgd import EscapeTable, FlowCurves, FlowGap, SearchPhase, Trajectories

__all__ = ["flow_solutions", "flow_escape_times", "sgd_against_flow", "search_phase", "trajectories"]


def _asymptote_label(k: int, level: float) -> str:
    """The leading term of the flow's escape time as drawn in the legend (see ``flow_escape_asymptote``)."""
    if k == 1:
        return rf"$\operatorname{{artanh}}({level:g})$"
    if k == 2:
        return rf"$\frac{{1}}{{4}}\ln({level**2 / (1 - level**2):.3g}\, d/c^2)$"
    power = {0.5: r"\sqrt{d}", 1.0: "d"}.get(k / 2 - 1, f"d^{{{k / 2 - 1:g}}}")
    c_power = "c" if k == 3 else f"c^{{{k - 2}}}"
    return rf"${power}/({k * (k - 2)}\, {c_power})$"


def _check(name: str, value: object, kind: type) -> None:
    if not isinstance(value, kind):
        raise TypeError(f"{name} must be a {kind.__name__}, got {type(value).__name__}")


def flow_solutions(curves: FlowCurves) -> Figure:
    r"""One panel per ``k``: closed form (line), numerical solution (dots) and, for ``k >= 3``,
    the small-overlap solution (dashed) with its blow-up time :math:`\tau_*` (dotted), against flow time :math:`\tau`."""
    _check("curves", curves, FlowCurves)
    n = len(curves.k)
    fig = Figure(figsize=(3.2 * n, 3.2), layout="constrained")
    axes = fig.subplots(1, n, squeeze=False)[0]
    for ax, k, t, closed, numeric, small, blowup in zip(axes, curves.k, curves.t, curves.closed,
                                                         curves.numeric, curves.small, curves.blowup):
        ax.plot(t, closed, color="C0", lw=2, label="closed form")
        every = max(1, t.size // 40)
        ax.plot(t[::every], numeric[::every], "o", color="C1", ms=3, label="numerical")
        if k >= 3:
            shown = np.where(np.abs(small) <= 1.5, small, np.nan)
            ax.plot(t, shown, "--", color="C3", lw=1.5, label="small-$m$ solution")
            ax.axvline(blowup, color="C3", ls=":", lw=1, label=r"$\tau_* = m_0^{-(k-2)}/(k(k-2))$")
        ax.set_ylim(0.0, 1.05)
        ax.set_xlabel(r"flow time $\tau$")
        ax.set_title(f"$k = {k}$, $m_0 = {curves.m0:g}$", fontsize=10)
    axes[0].set_ylabel(r"overlap $m(\tau)$")
    handles, labels = axes[-1].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(labels), fontsize=8)
    return fig


def flow_escape_times(table: EscapeTable) -> Figure:
    r"""Escape time of the flow from :math:`m_0 = c/\sqrt d` against ``d`` (log-log), with the theory."""
    _check("table", table, EscapeTable)
    fig = Figure(figsize=(6.4, 4.4), layout="constrained")
    ax = fig.add_subplot()
    for i, k in enumerate(table.k):
        theory = _asymptote_label(k, table.level)
        ax.plot(table.d, table.asymptote[i], "-", color=f"C{i}", lw=1.2, alpha=0.8)
        ax.plot(table.d, table.time[i], "o", color=f"C{i}", ms=5, label=f"$k = {k}$; theory {theory}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("dimension $d$")
    ax.set_ylabel(rf"flow escape time $\tau_{{\rm esc}}$ to $m = {table.level:g}$")
    ax.set_title(rf"escape from $m_0 = c_0/\sqrt{{d}}$, $c_0 = {table.c:g}$: exact (dots), leading term (lines)", fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    return fig


def sgd_against_flow(gap: FlowGap, show: Sequence[int] | None = None) -> Figure:
    r"""Left: mean SGD overlap minus the flow against :math:`\tau = t\eta`, with the corrected
    flow's prediction (dashed). Right: the errors against :math:`d\eta` (log-log) with the
    fitted :math:`C\sqrt{d\eta}`.

    ``show`` lists the indices of ``gap.c`` drawn on the left (default: the three largest).
    """
    _check("gap", gap, FlowGap)
    if show is None:
        show = range(max(0, gap.c.size - 3), gap.c.size)
    show = list(show)
    if not show or any(not 0 <= i < gap.c.size for i in show):
        raise ValueError(f"show must list indices of gap.c in [0, {gap.c.size}), got {show!r}")
    fig = Figure(figsize=(10.5, 4.0), layout="constrained")
    left, right = fig.subplots(1, 2)
    for j, i in enumerate(show):
        color = f"C{j}"
        left.plot(gap.tau[i], gap.mean[i] - gap.flow[i], color=color, lw=1.8,
                  label=rf"SGD mean, $\eta d = {gap.c[i]:g}$")
        left.plot(gap.tau[i], gap.corrected[i] - gap.flow[i], "--", color="k" if j == 0 else color, lw=1,
                  label="corrected ODE" if j == 0 else None)
    left.axhline(0.0, color="0.6", lw=1)
    left.set_xlabel(r"flow time $\tau = t\eta$ ($t$ = steps)")
    left.set_ylabel(r"$m - m_{\rm flow}(\tau)$")
    left.set_title(f"{gap.link.name}, $d = {gap.d}$, {gap.runs} runs from $m_0 = {gap.m0:g}$", fontsize=10)
    left.legend(fontsize=8)

    right.plot(gap.c, gap.error, "o-", color="C0", label=r"$\mathbb{E}\,\sup_{t}\,|L(w^t) - L(w(t\eta))|$")
    right.plot(gap.c, gap.bias, "s-", color="C1", label="error of the mean loss (bias)")
    right.plot(gap.c, gap.fluctuation, "^-", color="C2", label="per run, against the corrected ODE")
    right.plot(gap.c, gap.bound_constant * gap.scale, "k--", lw=1.2,
               label=rf"$C\sqrt{{d\eta}}$, $C = {gap.bound_constant:.3f}$ fitted")
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_xlabel(r"$d\eta = c$")
    right.set_ylabel(rf"error up to $\tau = {gap.tau_max:g}$")
    right.legend(fontsize=8, loc="upper left")
    return fig


def search_phase(results: SearchPhase | Sequence[SearchPhase]) -> Figure:
    r"""Per run, SGD's escape time against the flow's prediction from the same start (log-log).

    Starts from which the flow never escapes are drawn at the right edge (triangles); runs
    censored at the horizon at the top edge.
    """
    if isinstance(results, SearchPhase):
        results = [results]
    results = list(results)
    if not results:
        raise ValueError("results must hold at least one SearchPhase, got none")
    for i, r in enumerate(results):
        _check(f"results[{i}]", r, SearchPhase)
    fig = Figure(figsize=(4.6 * len(results), 4.2), layout="constrained")
    axes = fig.subplots(1, len(results), squeeze=False)[0]
    for ax, r in zip(axes, results):
        sgd = np.where(np.isnan(r.sgd_time), r.tau_max, r.sgd_time)
        finite = np.isfinite(r.flow_time)
        right_edge = 2.0 * max(r.flow_time[finite].max() if finite.any() else r.tau_max, r.tau_max)
        ax.plot(r.flow_time[finite], sgd[finite], "o", ms=3.5, alpha=0.6, color="C0",
                label="start with $m_0 > 0$" if not r.link.is_even else "run")
        if (~finite).any():
            ax.plot(np.full((~finite).sum(), right_edge), sgd[~finite], ">", ms=4, alpha=0.5, color="C3",
                    label="flow never escapes")
        lo = min(sgd.min(), r.flow_time[finite].min()) / 1.5
        ax.plot([lo, right_edge], [lo, right_edge], color="0.5", lw=1, label="SGD = flow")
        ax.axvline(r.typical_flow_time, color="C2", ls=":", lw=1.2, label=r"flow from $1/\sqrt{d}$")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(r"flow's escape time $\tau_{\rm esc}$ from the run's $m_0$")
        ax.set_ylabel(r"SGD escape time $t\eta$")
        k = r.link.information_exponent
        power = max(1.0, k / 2)
        scaled = r"\eta d" if power == 1.0 else rf"\eta d^{{{power:g}}}"
        ax.set_title(rf"$k = {k}$, $d = {r.d}$, ${scaled} = {r.eta * r.d**power:.3g}$", fontsize=10)
        ax.legend(fontsize=7, loc="lower right")
    return fig


def trajectories(traj: Trajectories) -> Figure:
    r"""SGD overlaps against :math:`\tau = t\eta` (solid), each with the flow from its start (dashed)."""
    _check("traj", traj, Trajectories)
    fig = Figure(figsize=(7.0, 4.0), layout="constrained")
    ax = fig.add_subplot()
    for r in range(traj.overlap.shape[0]):
        color = f"C{r % 10}"
        ax.plot(traj.tau, traj.overlap[r], color=color, lw=1.2)
        ax.plot(traj.tau, traj.flow[r], "--", color=color, lw=1.0)
    levels = [traj.level, -traj.level] if traj.link.is_even else [traj.level]
    for level in levels:
        ax.axhline(level, color="0.6", lw=0.8, ls=":")
    ax.plot([], [], color="0.3", lw=1.2, label="online SGD")
    ax.plot([], [], "--", color="0.3", lw=1.0, label="gradient flow from the same start")
    ax.set_ylim(-1.02, 1.02)
    ax.set_xlim(0.0, traj.tau[-1])
    ax.set_xlabel(r"flow time $\tau = t\eta$ ($t$ = steps)")
    ax.set_ylabel(r"overlap $m = \langle w, w_*\rangle$")
    cut = " (horizon cut)" if traj.truncated else ""
    ax.set_title(rf"$k = {traj.link.information_exponent}$, $d = {traj.d}$, $\eta = {traj.eta:.3g}$, "
                 rf"seed {traj.seed}{cut}", fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    return fig
