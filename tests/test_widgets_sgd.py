"""The SGD explorer (Lecture 4) and the figures of lecturelib.plotting.sgd."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from lecturelib import Link, online_sgd
from lecturelib import drift, experiments
from lecturelib.engine_law import compare_engines
from lecturelib.phases import search_descent
from lecturelib.plotting import sgd as plots
from lecturelib.widgets.sgd import DIMENSIONS, MAX_DIMENSION, sgd_explorer


def lines(figure: Figure) -> list[np.ndarray]:
    return [np.asarray(line.get_ydata(), dtype=float) for ax in figure.axes for line in ax.get_lines()]


@pytest.fixture(scope="module")
def explorer():
    return sgd_explorer(k=2, d=200, eta_scale=0.1, horizon_scale=5.0, runs=8)


def test_explorer_draws_its_default_figure(explorer):
    assert explorer.draws == 1 and isinstance(explorer.figure, Figure)
    title = explorer.figure.axes[0].get_title()
    assert "$k = 2$" in title and "$d = 200$" in title and "8 runs" in title
    assert explorer.figure.axes[0].get_yscale() == "log"


@pytest.mark.parametrize("control, value, expected", [
    ("k", 1, "$k = 1$"), ("runs", 12, "12 runs"), ("eta_scale", 0.2, r"\eta = 0.001"), ("d", 100, "$d = 100$"),
    ("horizon_scale", 2.0, None),
])
def test_moving_a_control_redraws_a_different_figure(explorer, control, value, expected):
    before, draws = lines(explorer.figure), explorer.draws
    explorer.controls[control].value = value
    assert explorer.draws == draws + 1
    if expected is not None:
        assert expected in explorer.figure.axes[0].get_title()
    after = lines(explorer.figure)
    assert len(before) != len(after) or not all(a.shape == b.shape and np.allclose(a, b) for a, b in zip(before, after))


def test_dimension_is_capped_for_k_3_and_4():
    panel = sgd_explorer(k=4, d=1000, eta_scale=0.02, horizon_scale=1.0, runs=4)
    assert f"$d = {MAX_DIMENSION[4]}$" in panel.figure.axes[0].get_title()
    assert MAX_DIMENSION[1] == MAX_DIMENSION[2] == max(DIMENSIONS)


def test_explorer_rejects_bad_defaults():
    with pytest.raises(ValueError, match="k must be an integer in"):
        sgd_explorer(k=5)
    with pytest.raises(ValueError, match="d must be one of"):
        sgd_explorer(d=7)
    with pytest.raises(ValueError, match="eta_scale must be a number in"):
        sgd_explorer(eta_scale=2.0)
    with pytest.raises(ValueError, match="horizon_scale must be a number in"):
        sgd_explorer(horizon_scale=0.5)
    with pytest.raises(ValueError, match="runs must be an integer in"):
        sgd_explorer(runs=1)


def test_figures_have_labelled_axes_and_titles():
    law = compare_engines(Link.hermite(1), 20, 0.01, 20, runs=20, seed=0)
    sweep = experiments.theorem_table(runs=2, seed=0, ks=(1, 2),
                                      settings={1: dict(d_values=(20, 40)), 2: dict(d_values=(20, 40))})
    phase = [search_descent(Link.hermite(1), 50, 0.01, 5000, runs=4, seed=0)]
    prob = experiments.escape_probability(Link.hermite(2), (50,), (0.1, 0.6), horizon_scale=5.0, runs=4)
    diagram = experiments.phase_diagram(Link.hermite(3), 20, (0.05, 0.2), horizon_scale=2.0, runs=4)
    m = np.array([0.1, 0.5])
    figures = [
        plots.qq_plot(law), plots.theorem_table(sweep), plots.collapse(sweep), plots.search_descent(phase),
        plots.drift_comparison(m, [drift.exact_drift(Link.hermite(2), 50, 0.002, m)],
                               [drift.drift_expansion(Link.hermite(2), 50, 0.002, m)], ["h2"]),
        plots.escape_probability(prob, thresholds=[0.5], limit=1 / 3), plots.phase_diagram(diagram, barrier_c=1 / 16),
        plots.explorer(online_sgd(Link.hermite(1), 20, 0.05, 200, runs=3, seed=0)),
    ]
    for fig in figures:
        ax = fig.axes[0]
        assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    assert figures[1].axes[0].get_xscale() == figures[1].axes[0].get_yscale() == "log"


def test_plotting_functions_reject_wrong_inputs():
    with pytest.raises(TypeError, match="comparison must be"):
        plots.qq_plot(None)
    with pytest.raises(TypeError, match="table must be"):
        plots.theorem_table([1])
    with pytest.raises(ValueError, match="at least one SearchDescent"):
        plots.search_descent([])
    with pytest.raises(ValueError, match="same positive length"):
        plots.drift_comparison(np.zeros(2), [], [], [])
    with pytest.raises(TypeError, match="diagram must be"):
        plots.phase_diagram("x")
