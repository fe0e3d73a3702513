"""The proof explorer (Lecture 5) and the figures of lecturelib.plotting.proof."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from lecturelib import Link
from lecturelib import decomposition as dc
from lecturelib.plotting import proof as plots
from lecturelib.widgets.proof import DIMENSIONS, STEP_CAP, proof_explorer

HE3 = Link.hermite(3)


def line_data(figure: Figure) -> list[np.ndarray]:
    return [np.asarray(line.get_ydata(), dtype=float) for ax in figure.axes for line in ax.get_lines()]


def same_lines(a: Figure, b: Figure) -> bool:
    la, lb = line_data(a), line_data(b)
    return len(la) == len(lb) and all(x.shape == y.shape and np.allclose(x, y, equal_nan=True) for x, y in zip(la, lb))


@pytest.fixture(scope="module")
def explorer():
    return proof_explorer(k=3, d=50, eta_scale=0.05, time_scale=5.0, seed=0)


def test_explorer_draws_its_default_figure(explorer):
    assert explorer.draws == 1 and isinstance(explorer.figure, Figure)
    left, right = explorer.figure.axes
    assert "$d = 50$" in left.get_title() and "$h_3$" in left.get_title()
    assert right.get_xscale() == right.get_yscale() == "log"
    assert any(label.startswith("this run") for label in right.get_legend_handles_labels()[1])


@pytest.mark.parametrize("control, value, expected", [
    ("seed", 4, "$h_3$"), ("k", 2, "$h_2$"), ("d", 25, "$d = 25$"), ("eta_scale", 0.5, "$h_"),
    ("time_scale", 0.5, "$h_"),
])
def test_moving_a_control_redraws_a_different_figure(explorer, control, value, expected):
    before, draws = explorer.figure, explorer.draws
    explorer.controls[control].value = value
    assert explorer.draws == draws + 1
    assert expected in explorer.figure.axes[0].get_title()
    assert not same_lines(before, explorer.figure)


def test_explorer_caps_the_horizon():
    panel = proof_explorer(k=4, d=400, eta_scale=0.01, time_scale=1.0, seed=0)
    steps = panel.figure.axes[0].get_lines()[0].get_xdata()
    assert steps[-1] <= STEP_CAP


def test_explorer_rejects_bad_defaults():
    with pytest.raises(ValueError, match="k must be an integer in"):
        proof_explorer(k=1)
    with pytest.raises(ValueError, match="d must be one of"):
        proof_explorer(d=7)
    with pytest.raises(ValueError, match="eta_scale must be a number in"):
        proof_explorer(eta_scale=20.0)
    with pytest.raises(ValueError, match="time_scale must be a number in"):
        proof_explorer(time_scale=0.0)
    with pytest.raises(ValueError, match="seed must be an integer in"):
        proof_explorer(seed=-1)
    assert 100 in DIMENSIONS


def test_figures_have_labelled_axes_and_log_scales_where_needed():
    dec = dc.decompose(HE3, 50, 1e-3, 2000, runs=3, m0=0.2, seed=0, record_every=20)
    fig = plots.decomposition(dec)
    assert fig.axes[0].get_xlabel() == "step $t$" and len(fig.axes[0].get_lines()) == 10
    growth = dc.norm_growth(HE3, 50, [1e-2], scale_max=0.5, runs=5, seed=0, records=20)
    ax = plots.norm_growth(growth).axes[0]
    assert ax.get_xscale() == ax.get_yscale() == "log"
    runs = dc.decompose(HE3, 50, 1e-4, 200, runs=200, m0=0.2, seed=1, record_every=200)
    ax = plots.martingale_tail(dc.martingale_tail(runs, [0.5, 1.0, 2.0], relative=True)).axes[0]
    assert ax.get_yscale() == "log" and "lambda" in ax.get_xlabel()
    ax = plots.hypercontractivity(dc.hypercontractivity_check(2, count=2)).axes[0]
    assert ax.get_xlabel() == "degree $j$"
    ax = plots.bihari_lasalle(dc.bihari_lasalle_curves(0.3, 0.25, 4, 20)).axes[0]
    assert any("notes" in label for label in ax.get_legend_handles_labels()[1])
    point = dc.diagnose_point(HE3, 50, 1e-4, 500, c0=2.0, runs=2, seed=0)
    ax = plots.admissible_region(dc.admissible_region(50, 3), [point]).axes[0]
    assert ax.get_xscale() == ax.get_yscale() == "log" and ax.get_ylabel() == "horizon $T$ (steps)"


def test_plotting_functions_reject_wrong_inputs():
    with pytest.raises(TypeError, match="dec must be a Decomposition"):
        plots.decomposition(None)
    with pytest.raises(TypeError, match="tail must be a MartingaleTail"):
        plots.martingale_tail([1])
    with pytest.raises(TypeError, match="region must be a AdmissibleRegion"):
        plots.admissible_region("x")
    dec = dc.decompose(HE3, 20, 1e-3, 10, runs=2, seed=0)
    with pytest.raises(ValueError, match="runs must list run indices"):
        plots.decomposition(dec, runs=[5])
