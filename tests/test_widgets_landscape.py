"""The landscape explorer (Lecture 2) and the figures of lecturelib.plotting.landscape."""

from __future__ import annotations

import math

import numpy as np
import pytest
from matplotlib.figure import Figure

from lecturelib import Link
from lecturelib import landscape as ls
from lecturelib.plotting import landscape as plots
from lecturelib.widgets.hermite import HERMITE_CHOICE
from lecturelib.widgets.landscape import DIMENSIONS, landscape_explorer


def line_data(figure: Figure) -> list[np.ndarray]:
    return [np.asarray(line.get_ydata(), dtype=float) for ax in figure.axes for line in ax.get_lines()]


def same_lines(a: Figure, b: Figure) -> bool:
    la, lb = line_data(a), line_data(b)
    return len(la) == len(lb) and all(x.shape == y.shape and np.allclose(x, y, equal_nan=True) for x, y in zip(la, lb))


def band_width(figure: Figure) -> float:
    """Half-width of the shaded start band on the loss panel."""
    (patch,) = figure.axes[0].patches
    return float(patch.get_x() + patch.get_width())


def test_default_explorer_shows_he3_at_d_100():
    panel = landscape_explorer()
    assert panel.draws == 1 and isinstance(panel.figure, Figure)
    assert "he3" in panel.figure.axes[0].get_title()
    assert band_width(panel.figure) == pytest.approx(ls.start_band(100))
    m, loss = (np.asarray(a) for a in panel.figure.axes[0].get_lines()[1].get_data())
    np.testing.assert_allclose(loss, 1 - m**3, atol=1e-12)


def test_moving_d_narrows_the_band_and_redraws():
    panel = landscape_explorer(d=100)
    before = panel.figure
    panel.controls["d"].value = 10_000
    assert panel.draws == 2 and panel.figure is not before
    assert band_width(panel.figure) == pytest.approx(ls.start_band(10_000))
    assert not same_lines(before, panel.figure)
    assert f"{ls.expected_start_gradient_norm(Link.hermite(3), 10_000):.2e}" in panel.figure.axes[2].get_title()


def test_choosing_a_link_changes_the_figure_and_the_equator_verdict():
    panel = landscape_explorer()
    assert "degenerate saddle" in panel.figure.axes[1].get_title()
    before = panel.figure
    panel.controls["link"].value = "relu"
    assert "relu" in panel.figure.axes[0].get_title()
    assert "not stationary" in panel.figure.axes[1].get_title()
    assert not same_lines(before, panel.figure)


def test_k_slider_drives_the_hermite_link():
    panel = landscape_explorer(link=HERMITE_CHOICE, k=2)
    assert "maximum" in panel.figure.axes[1].get_title()
    panel.controls["k"].value = 5
    assert "he5" in panel.figure.axes[0].get_title()
    m, signal = (np.asarray(a) for a in panel.figure.axes[1].get_lines()[2].get_data())
    np.testing.assert_allclose(signal, -5 * m**4 * (1 - m**2), atol=1e-12)


def test_explorer_rejects_bad_arguments():
    with pytest.raises(ValueError, match="link must be one of"):
        landscape_explorer(link="softplus")
    with pytest.raises(ValueError, match=r"k must be an integer in \[1, 8\], got 9"):
        landscape_explorer(k=9)
    with pytest.raises(ValueError, match="d must be one of"):
        landscape_explorer(d=7)
    assert DIMENSIONS[0] == 3


# --------------------------------------------------------------------------- the figures


def labelled(figure: Figure) -> bool:
    flat = [ax for ax in figure.axes if ax.name != "3d"]
    return all(ax.get_xlabel() and ax.get_ylabel() for ax in flat if ax.get_lines() or ax.collections)


def test_profiles_draw_loss_and_signal_with_critical_markers():
    fig = plots.profiles([ls.landscape_profile(Link.named(n), points=101) for n in ("he3", "he3+he4")])
    assert len(fig.axes) == 4
    assert all(ax.get_xlabel() for ax in fig.axes) and fig.axes[0].get_ylabel() and fig.axes[2].get_ylabel()
    kinds = {line.get_label() for ax in fig.axes for line in ax.get_lines()}
    assert {"local minimum", "global maximum", "saddle", "global minimum"} <= kinds


def test_sphere_figure_has_a_globe_and_a_map_per_grid():
    fig = plots.sphere([ls.sphere_grid(Link.hermite(k), n_lat=9, n_lon=17) for k in (3, 4)])
    assert sum(ax.name == "3d" for ax in fig.axes) == 2
    maps = [ax for ax in fig.axes if ax.get_xlabel() == "longitude (degrees)"]
    assert len(maps) == 2 and all(ax.get_ylabel() == "latitude (degrees)" for ax in maps)


def test_start_histograms_overlay_the_exact_density():
    fig = plots.start_histograms({d: ls.sample_start_overlap(d, 500, seed=d) for d in (3, 50)})
    assert len(fig.axes) == 2
    m, p = (np.asarray(a) for a in fig.axes[1].get_lines()[0].get_data())
    np.testing.assert_allclose(p, ls.start_overlap_density(m, 50))


def test_gradient_scaling_figure_is_log_log_with_the_fitted_slope_in_the_legend():
    s = ls.start_gradient_scaling(Link.hermite(2), dims=(20, 80), samples=50, seed=0)
    fig = plots.gradient_scaling([s])
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log" and labelled(fig)
    assert f"{s.slope:+.3f}" in ax.get_legend().get_texts()[0].get_text()


def test_figures_reject_empty_input():
    for draw, name in ((plots.profiles, "landscapes"), (plots.sphere, "grids"),
                       (plots.start_histograms, "samples"), (plots.gradient_scaling, "scalings")):
        with pytest.raises(ValueError, match=name):
            draw({} if name == "samples" else [])
    with pytest.raises(ValueError, match="profile must have a dimension d"):
        plots.explorer(ls.landscape_profile(Link.hermite(3)))
    assert math.isfinite(ls.landscape_profile(Link.hermite(3), d=10).expected_gradient_norm)
