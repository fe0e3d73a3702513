r"""Figures of Lecture 2: the landscape :math:`L(m)`, its gradient, the sphere :math:`\mathbb S^2`, the random start.

Every function takes results of :mod:`lecturelib.landscape` (profiles, sphere grids, samples,
scalings) and returns a :class:`matplotlib.figure.Figure`; none of them simulates. Closed-form
curves drawn next to data (the density of :math:`m_0`) are evaluated from their formulas.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from ..landscape import GradientScaling, LandscapeProfile, SphereGrid, start_overlap_density

__all__ = ["profiles", "sphere", "start_histograms", "gradient_scaling", "explorer"]

_MARKERS = {  # kind of critical set -> (marker, colour, filled)
    "global minimum": ("o", "C2", True),
    "local minimum": ("o", "C2", False),
    "global maximum": ("^", "C3", True),
    "local maximum": ("^", "C3", False),
    "saddle": ("D", "C1", True),
}
_CMAP = "viridis"


def _title(profile: LandscapeProfile) -> str:
    return f"{profile.link.name}  ($k_* = {profile.equator.information_exponent}$)"


def _mark_critical(ax: Axes, profile: LandscapeProfile, values: str) -> None:
    for point in profile.critical:
        marker, colour, filled = _MARKERS[point.kind]
        y = point.loss if values == "loss" else 0.0
        ax.plot([point.m], [y], marker, color=colour, mfc=colour if filled else "white", mew=1.5, ms=7,
                zorder=5, label=point.kind)


def _shade_band(ax: Axes, profile: LandscapeProfile) -> None:
    if profile.band is not None:
        ax.axvspan(-profile.band, profile.band, color="C1", alpha=0.2, lw=0,
                   label=f"{profile.probability:.0%} of starts ($d = {profile.d}$)")


def _draw_loss(ax: Axes, profile: LandscapeProfile) -> None:
    ax.axvline(0.0, color="0.7", lw=1, ls="--", zorder=0)
    _shade_band(ax, profile)
    ax.plot(profile.m, profile.loss, color="C0", lw=2)
    _mark_critical(ax, profile, "loss")
    ax.set_xlabel(r"overlap $m = \langle w, w_*\rangle$")
    ax.set_ylabel(r"loss $L(m)$")


def _draw_signal(ax: Axes, profile: LandscapeProfile) -> None:
    ax.axvline(0.0, color="0.7", lw=1, ls="--", zorder=0)
    ax.axhline(0.0, color="0.7", lw=1, zorder=0)
    _shade_band(ax, profile)
    ax.plot(profile.m, profile.signal, color="C4", lw=2)
    _mark_critical(ax, profile, "signal")
    ax.set_xlabel(r"overlap $m = \langle w, w_*\rangle$")
    ax.set_ylabel(r"$\langle w_*, \nabla_S L\rangle = -(1-m^2)\psi'(m)$")


def _legend_once(fig: Figure, axes: Sequence[Axes]) -> None:
    handles: dict[str, object] = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(label, handle)
    fig.legend(handles.values(), handles.keys(), loc="outside lower center", ncol=min(6, len(handles)),
               fontsize=8, frameon=False)


def profiles(landscapes: Sequence[LandscapeProfile]) -> Figure:
    r"""One column per link: :math:`L(m)` above, :math:`\langle w_*, \nabla_S L\rangle` below, critical sets marked.

    Markers: filled circle = global minimum, open circle = local minimum, triangle = maximum
    (filled: global), diamond = saddle. The dashed line is the equator :math:`m = 0`.
    """
    if not landscapes:
        raise ValueError("landscapes must hold at least one LandscapeProfile, got none")
    fig = Figure(figsize=(3.3 * len(landscapes), 5.6), layout="constrained")
    axes = fig.subplots(2, len(landscapes), squeeze=False, sharex=True)
    for column, profile in enumerate(landscapes):
        _draw_loss(axes[0, column], profile)
        _draw_signal(axes[1, column], profile)
        axes[0, column].set_title(_title(profile), fontsize=10)
        if column:
            axes[0, column].set_ylabel("")
            axes[1, column].set_ylabel("")
    _legend_once(fig, axes.ravel())
    return fig


def _great_circle(normal: np.ndarray, points: int = 241) -> np.ndarray:
    """Points of the great circle orthogonal to ``normal`` (the equator of ``normal``)."""
    helper = np.eye(3)[np.argmin(np.abs(normal))]
    u = np.cross(normal, helper)
    u /= np.linalg.norm(u)
    v = np.cross(normal, u)
    t = np.linspace(0.0, 2.0 * np.pi, points)
    return np.outer(np.cos(t), u) + np.outer(np.sin(t), v)


def _draw_globe(ax: Axes, grid: SphereGrid, norm: Normalize, elev: float, azim: float) -> None:
    # Axes3D sorts artists by mean depth, not per pixel: lines on the far side would show
    # through the sphere, so only the half facing the viewer is drawn on top of the surface.
    eye = np.array([np.cos(np.radians(elev)) * np.cos(np.radians(azim)),
                    np.cos(np.radians(elev)) * np.sin(np.radians(azim)), np.sin(np.radians(elev))])
    colours = colormaps[_CMAP](norm(grid.loss))
    x, y, z = (grid.points[..., i] for i in range(3))
    ax.plot_surface(x, y, z, facecolors=colours, rstride=1, cstride=1, linewidth=0, antialiased=False,
                    shade=False, zorder=1)
    w_star = np.asarray(grid.w_star)
    ring = 1.01 * _great_circle(w_star)
    ring[ring @ eye < 0] = np.nan
    ax.plot(*ring.T, color="white", lw=2.5, zorder=3)
    for sign, label, marker in ((1.0, "$w_*$", "*"), (-1.0, "$-w_*$", "X")):
        v = sign * w_star
        if v @ eye > 0:
            ax.plot(*np.outer([1.0, 1.3], v).T, color="k", lw=1.5, zorder=4)
            ax.scatter(*(1.3 * v), marker=marker, s=110, color="k", depthshade=False, zorder=5)
            ax.text(*(1.45 * v), label, fontsize=12, ha="center", zorder=6)
    ax.view_init(elev=elev, azim=azim)
    ax.set_box_aspect((1, 1, 1), zoom=1.2)
    ax.set_axis_off()


def _draw_map(ax: Axes, grid: SphereGrid, norm: Normalize) -> object:
    lon, lat = np.degrees(grid.lon), np.degrees(grid.lat)
    mesh = ax.pcolormesh(lon, lat, grid.loss, cmap=_CMAP, norm=norm, shading="gouraud", rasterized=True)
    ax.contour(lon, lat, grid.overlap, levels=[0.0], colors="white", linewidths=2)
    # Arrows of -grad_S L in the local (east, north) frame: the direction gradient flow moves.
    step_lat, step_lon = max(1, grid.lat.size // 9), max(1, grid.lon.size // 18)
    la, lo = np.meshgrid(grid.lat[step_lat:-1:step_lat], grid.lon[::step_lon], indexing="ij")
    g = -grid.gradient[step_lat:-1:step_lat, ::step_lon]
    east = np.stack([-np.sin(lo), np.cos(lo), np.zeros_like(lo)], axis=-1)
    north = np.stack([-np.sin(la) * np.cos(lo), -np.sin(la) * np.sin(lo), np.cos(la)], axis=-1)
    ax.quiver(np.degrees(lo), np.degrees(la), (g * east).sum(-1), (g * north).sum(-1), color="white",
              alpha=0.8, width=0.003, scale=None)
    w_star = np.asarray(grid.w_star)
    for sign, label, marker in ((1.0, "$w_*$", "*"), (-1.0, "$-w_*$", "X")):
        v = sign * w_star
        ax.plot(np.degrees(np.arctan2(v[1], v[0])), np.degrees(np.arcsin(v[2])), marker, color="k", ms=12,
                mec="white", label=label)
    ax.set_xlabel("longitude (degrees)")
    ax.set_ylabel("latitude (degrees)")
    ax.set_xlim(-180, 180)
    ax.set_ylim(-90, 90)
    return mesh


def sphere(grids: Sequence[SphereGrid]) -> Figure:
    r"""The landscape on :math:`\mathbb S^2`: for each grid a shaded globe and a longitude-latitude map.

    Colour is :math:`L(w)` (one colour scale for all panels); the white circle is the equator
    :math:`\{m = 0\}` of :math:`w_*`; arrows on the map show :math:`-\nabla_S L`.
    """
    if not grids:
        raise ValueError("grids must hold at least one SphereGrid, got none")
    norm = Normalize(min(float(g.loss.min()) for g in grids), max(float(g.loss.max()) for g in grids))
    fig = Figure(figsize=(10.5, 3.9 * len(grids)), layout="constrained")
    subfigs = fig.subfigures(len(grids), 1, squeeze=False)[:, 0]
    for subfig, grid in zip(subfigs, grids):
        layout = subfig.add_gridspec(1, 2, width_ratios=(1, 1.7))
        globe = subfig.add_subplot(layout[0], projection="3d", computed_zorder=False)
        _draw_globe(globe, grid, norm, elev=15, azim=25)
        globe.set_title(f"{grid.link.name}: white circle = equator $m = 0$", fontsize=10)
        flat = subfig.add_subplot(layout[1])
        mesh = _draw_map(flat, grid, norm)
        flat.set_title(f"{grid.link.name}: $L$ on $\\mathbb{{S}}^2$, arrows $-\\nabla_S L$", fontsize=10)
        subfig.colorbar(mesh, ax=flat, label="$L(w)$", shrink=0.9)
    return fig


def start_histograms(samples: Mapping[int, np.ndarray], bins: int = 40) -> Figure:
    r"""One panel per dimension: histogram of sampled :math:`m_0` against the density :math:`b_d(1-m^2)^{(d-3)/2}`.

    ``samples`` maps ``d`` to an array of sampled overlaps; the dashed curve is the Gaussian
    :math:`N(0, 1/d)` that the law approaches.
    """
    if not samples:
        raise ValueError("samples must map at least one dimension d to sampled overlaps, got none")
    fig = Figure(figsize=(3.2 * len(samples), 3.2), layout="constrained")
    axes = fig.subplots(1, len(samples), squeeze=False)[0]
    for ax, (d, m0) in zip(axes, samples.items()):
        ax.hist(m0, bins=bins, range=(-1, 1) if d <= 10 else None, density=True, color="C0", alpha=0.45,
                label=f"{len(m0)} samples")
        edge = min(1.0, 5.0 / np.sqrt(d))
        m = np.linspace(-edge, edge, 401) * (1 - 1e-9)
        ax.plot(m, start_overlap_density(m, d), color="C3", lw=2, label="exact density")
        ax.plot(m, np.sqrt(d / (2 * np.pi)) * np.exp(-d * m * m / 2), color="k", lw=1, ls="--",
                label="$N(0, 1/d)$")
        ax.set_xlim(-edge, edge)
        ax.set_title(f"$d = {d}$")
        ax.set_xlabel(r"$m_0 = \langle w^0, w_*\rangle$")
    axes[0].set_ylabel("density")
    axes[0].legend(fontsize=7, loc="lower center")
    return fig


def gradient_scaling(scalings: Sequence[GradientScaling]) -> Figure:
    r"""Log-log plot of :math:`\mathbb E\|\nabla_S L(w^0)\|` against ``d``: measurements, exact curve, fitted slope.

    Markers (with two standard errors) are the sample means; the dotted line is the exact
    expectation; the legend gives the fitted slope and :math:`-(k_*-1)/2`.
    """
    if not scalings:
        raise ValueError("scalings must hold at least one GradientScaling, got none")
    fig = Figure(figsize=(6.2, 4.2), layout="constrained")
    ax = fig.add_subplot()
    for i, s in enumerate(scalings):
        colour = f"C{i}"
        ax.errorbar(s.dims, s.mean, yerr=2 * s.stderr, fmt="o", color=colour, ms=5, capsize=2,
                    label=f"{s.link.name}: fitted slope {s.slope:+.3f} (theory {s.theory_slope:+.1f})")
        fit = np.exp(s.intercept) * s.dims.astype(float) ** s.slope
        ax.plot(s.dims, fit, color=colour, lw=1.2)
        ax.plot(s.dims, s.expected, color=colour, lw=1, ls=":")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("dimension $d$")
    ax.set_ylabel(r"$\mathbb{E}\,\|\nabla_S L(w^0)\|$ at a uniform start")
    ax.legend(fontsize=8, loc="lower left")
    return fig


def explorer(profile: LandscapeProfile) -> Figure:
    r"""The widget's figure: :math:`L(m)`, :math:`\langle w_*, \nabla_S L\rangle` with the start band, and a zoom on the band.

    The third panel shows the signal component on :math:`|m| \le 4/\sqrt d` with the density
    of :math:`m_0` (right axis) and :math:`\mathbb E\|\nabla_S L(w^0)\|`.
    """
    if profile.d is None:
        raise ValueError("profile must have a dimension d (landscape_profile(link, d=...)), got d=None")
    fig = Figure(figsize=(11.5, 3.6), layout="constrained")
    left, middle, right = fig.subplots(1, 3)
    _draw_loss(left, profile)
    left.set_title(_title(profile), fontsize=10)
    _draw_signal(middle, profile)
    middle.set_title(f"equator: {profile.equator.kind}", fontsize=10)
    right.axhline(0.0, color="0.7", lw=1)
    right.plot(profile.zoom_m, profile.zoom_signal, color="C4", lw=2)
    right.set_xlabel(r"overlap $m$ (zoom on $|m| \leq 4/\sqrt{d}$)")
    right.set_ylabel(r"$\langle w_*, \nabla_S L\rangle$")
    right.ticklabel_format(axis="y", style="sci", scilimits=(-2, 2))
    density = right.twinx()
    density.fill_between(profile.zoom_m, profile.zoom_density, color="C1", alpha=0.2, lw=0)
    density.set_ylabel(f"density of $m_0$, $d = {profile.d}$", color="C1")
    density.set_ylim(bottom=0)
    right.set_title(rf"$\mathbb{{E}}\|\nabla_S L(w^0)\| = {profile.expected_gradient_norm:.2e}$", fontsize=10)
    _legend_once(fig, [left, middle])
    return fig
