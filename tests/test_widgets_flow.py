"""The flow explorer (Lecture 3) and the figures of lecturelib.plotting.flow."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from lecturelib import Link
from lecturelib.flow_vs_sgd import flow_curves, flow_escape_table, search_phase, sgd_flow_gap, theorem_step_size
from lecturelib.plotting import flow as plots
from lecturelib.widgets.flow import DIMENSIONS, flow_explorer


def line_data(figure: Figure) -> list[np.ndarray]:
    return [np.asarray(line.get_ydata(), dtype=float) for ax in figure.axes for line in ax.get_lines()]


def same_lines(a: Figure, b: Figure) -> bool:
    la, lb = line_data(a), line_data(b)
    return len(la) == len(lb) and all(x.shape == y.shape and np.allclose(x, y, equal_nan=True) for x, y in zip(la, lb))


@pytest.fixture(scope="module")
def explorer():
    return flow_explorer(k=2, d=50, eta_scale=0.1, seed=0)


def test_explorer_draws_its_default_figure(explorer):
    assert explorer.draws == 1 and isinstance(explorer.figure, Figure)
    title = explorer.figure.axes[0].get_title()
    assert "$k = 2$" in title and "$d = 50$" in title and "seed 0" in title


@pytest.mark.parametrize("control, value, expected", [
    ("seed", 5, "seed 5"), ("k", 1, "$k = 1$"), ("d", 20, "$d = 20$"), ("eta_scale", 0.5, r"\eta = 0.025"),
])
def test_moving_a_control_redraws_a_different_figure(explorer, control, value, expected):
    before, draws = explorer.figure, explorer.draws
    explorer.controls[control].value = value
    assert explorer.draws == draws + 1
    assert expected in explorer.figure.axes[0].get_title()
    assert not same_lines(before, explorer.figure)


def test_explorer_rejects_bad_defaults():
    with pytest.raises(ValueError, match="k must be an integer in"):
        flow_explorer(k=5)
    with pytest.raises(ValueError, match="d must be one of"):
        flow_explorer(d=7)
    with pytest.raises(ValueError, match="eta_scale must be a number in"):
        flow_explorer(eta_scale=2.0)
    with pytest.raises(ValueError, match="seed must be an integer in"):
        flow_explorer(seed=-1)
    assert 100 in DIMENSIONS


def test_flow_solutions_draw_closed_numeric_and_small_curves():
    fig = plots.flow_solutions(flow_curves((2, 3), m0=0.1, points=30))
    assert len(fig.axes) == 2
    assert [ax.get_xlabel() for ax in fig.axes] == [r"flow time $\tau$", r"flow time $\tau$"]
    assert len(fig.axes[1].get_lines()) == 4  # closed, numeric, small-m, tau_*


def test_escape_time_figure_is_log_log_with_one_theory_line_per_k():
    fig = plots.flow_escape_times(flow_escape_table((1, 2, 3), [1e2, 1e3, 1e4]))
    ax = fig.axes[0]
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert len(ax.get_lines()) == 6 and ax.get_xlabel() == "dimension $d$"


def test_sgd_against_flow_figure_shows_the_fitted_constant():
    gap = sgd_flow_gap(Link.hermite(1), 100, [0.25, 1.0], tau_max=1.0, runs=4, seed=0, records=30)
    fig = plots.sgd_against_flow(gap, show=[1])
    labels = fig.axes[1].get_legend_handles_labels()[1]
    assert any("fitted" in label and f"{gap.bound_constant:.3f}" in label for label in labels)
    with pytest.raises(ValueError, match="show must list indices"):
        plots.sgd_against_flow(gap, show=[2])


def test_search_phase_figure_marks_starts_where_the_flow_never_escapes():
    result = search_phase(Link.hermite(3), 30, theorem_step_size(3, 30, 0.05), tau_max=2.0, runs=12, seed=1,
                          records=100)
    fig = plots.search_phase([result])
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert ("flow never escapes" in labels) == bool(np.isinf(result.flow_time).any())


def test_plotting_functions_reject_wrong_inputs():
    with pytest.raises(TypeError, match="curves must be a FlowCurves"):
        plots.flow_solutions(None)
    with pytest.raises(TypeError, match="table must be"):
        plots.flow_escape_times([1, 2])
    with pytest.raises(TypeError, match="traj must be"):
        plots.trajectories("x")
    with pytest.raises(ValueError, match="at least one SearchPhase"):
        plots.search_phase([])
