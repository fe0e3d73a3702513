r"""Figures of Lecture 1: Hermite spectra, partial sums, population losses.

Every function takes links (or a :class:`~lecturelib.links.LossSample`) and returns a
:class:`matplotlib.figure.Figure`; none of them simulates.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..links import Link, LossSample

__all__ = ["spectrum", "partial_sums", "population_losses", "loss_check", "explorer"]

_Z = np.linspace(-3.0, 3.0, 401)
_M = np.linspace(-1.0, 1.0, 401)
_FLOOR = 1e-16  # coefficients below this (squared) are zero up to rounding: not drawn on a log axis


def _draw_spectrum(ax: Axes, link: Link, kmax: int) -> None:
    k_star = link.information_exponent
    kmax = max(kmax, k_star)
    energy = np.asarray(link.normalized_coefficients[: kmax + 1]) ** 2
    k = np.arange(energy.size)
    shown = energy > _FLOOR
    ax.vlines(k[shown], _FLOOR, energy[shown], color="0.6", lw=1.5)
    ax.plot(k[shown], energy[shown], "o", color="C0", ms=5, label=r"$\mu_k^2/k!$")
    ax.plot([k_star], [energy[k_star]], "o", color="C3", ms=9, mfc="none", mew=2,
            label=rf"$k_* = {k_star}$")
    ax.set_yscale("log")
    top = energy.max()
    ax.set_ylim(max(_FLOOR, 1e-8 * top), 3 * top)
    ax.set_xlim(-0.5, kmax + 0.5)
    ax.set_xlabel("degree $k$")
    ax.set_ylabel(r"$\mu_k^2 / k!$ (log scale)")
    ax.legend(loc="upper right", fontsize=8)


def _draw_partial_sums(ax: Axes, link: Link, orders: Sequence[int]) -> None:
    ax.plot(_Z, link.f(_Z), color="k", lw=2.5, label="$f$")
    for i, order in enumerate(orders):
        ax.plot(_Z, link.partial_sum(_Z, order), color=f"C{i}", lw=1.2, label=f"$K = {order}$")
    ax.set_xlabel("$z$")
    ax.set_ylabel("partial sum $f_K(z)$")
    ax.legend(fontsize=8, loc="best")


def _draw_loss(ax: Axes, link: Link) -> None:
    ax.plot(_M, link.population_loss(_M), color="C0", lw=2)
    ax.set_xlabel(r"overlap $m = \langle w, w_* \rangle$")
    ax.set_ylabel("population loss $L(m)$")
    ax.axvline(0.0, color="0.8", lw=1, zorder=0)


def spectrum(link: Link, kmax: int = 20) -> Figure:
    r"""Stem plot of the Hermite energy :math:`\mu_k^2/k!` for ``k = 0..kmax`` (log scale), :math:`k_*` circled."""
    fig = Figure(figsize=(5.5, 3.5), layout="constrained")
    ax = fig.add_subplot()
    _draw_spectrum(ax, link, kmax)
    ax.set_title(f"Hermite spectrum of {link.name}")
    return fig


def partial_sums(links: Sequence[Link], orders: Sequence[int] = (1, 3, 7, 15)) -> Figure:
    r"""One panel per link: ``f`` and its partial sums :math:`\sum_{k\le K}\mu_k He_k/k!` on ``[-3, 3]``."""
    fig = Figure(figsize=(4.2 * len(links), 3.6), layout="constrained")
    axes = fig.subplots(1, len(links), squeeze=False)[0]
    for ax, link in zip(axes, links):
        _draw_partial_sums(ax, link, orders)
        ax.set_title(link.name)
    return fig


def population_losses(links: Sequence[Link]) -> Figure:
    r""":math:`L(m) = \sum_{k\ge1}\mu_k^2/k!\,(1 - m^k)` of several links on ``[-1, 1]``, normalized by :math:`L(0)`."""
    fig = Figure(figsize=(5.5, 3.6), layout="constrained")
    ax = fig.add_subplot()
    for link in links:
        ax.plot(_M, link.population_loss(_M) / link.population_loss(0.0),
                label=f"{link.name} ($k_* = {link.information_exponent}$)")
    ax.axvline(0.0, color="0.8", lw=1, zorder=0)
    ax.set_xlabel(r"overlap $m = \langle w, w_* \rangle$")
    ax.set_ylabel("$L(m) / L(0)$")
    ax.legend(fontsize=8)
    return fig


def loss_check(samples: Sequence[LossSample]) -> Figure:
    """Formula :math:`L(m)` (lines) against Monte Carlo estimates in dimension ``d`` (points, 2 s.e. bars)."""
    fig = Figure(figsize=(5.5, 3.6), layout="constrained")
    ax = fig.add_subplot()
    for i, sample in enumerate(samples):
        ax.plot(_M, sample.link.population_loss(_M), color=f"C{i}", lw=1.5,
                label=f"{sample.link.name}: formula")
        ax.errorbar(sample.m, sample.mean, yerr=2 * sample.stderr, fmt="o", color=f"C{i}", ms=4,
                    capsize=2, label=f"{sample.link.name}: Monte Carlo, $d = {sample.d}$")
    ax.set_xlabel(r"overlap $m = \langle w, w_* \rangle$")
    ax.set_ylabel("population loss $L(m)$")
    ax.legend(fontsize=8)
    return fig


def explorer(link: Link, order: int, kmax: int = 20) -> Figure:
    """The Hermite explorer's figure: spectrum, partial sums up to ``order``, and ``L(m)``."""
    fig = Figure(figsize=(13, 3.6), layout="constrained")
    spec_ax, sum_ax, loss_ax = fig.subplots(1, 3)
    _draw_spectrum(spec_ax, link, kmax)
    _draw_partial_sums(sum_ax, link, sorted({max(0, order // 2), order}))
    _draw_loss(loss_ax, link)
    fig.suptitle(f"{link.name}: information exponent $k_* = {link.information_exponent}$")
    return fig
