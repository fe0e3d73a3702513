"""The concentration explorer (Lecture 6) and the figures of lecturelib.plotting.concentration."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from lecturelib import Link
from lecturelib.concentration import benign_threshold, deviation_scaling, signal_check
from lecturelib.multipass import draw_sample, multipass_sgd, success_sweep
from lecturelib.plotting import concentration as plots
from lecturelib.widgets.concentration import DIMENSIONS, SAMPLE_SIZES, concentration_explorer

HE3 = Link.hermite(3)


def line_data(figure: Figure) -> list[np.ndarray]:
    return [np.asarray(line.get_ydata(), dtype=float) for ax in figure.axes for line in ax.get_lines()]


def same_lines(a: Figure, b: Figure) -> bool:
    la, lb = line_data(a), line_data(b)
    return len(la) == len(lb) and all(x.shape == y.shape and np.allclose(x, y, equal_nan=True) for x, y in zip(la, lb))


@pytest.fixture(scope="module")
def explorer():
    return concentration_explorer(n=1000, d=8, k=3, theta=0.5)


def test_explorer_draws_its_default_figure(explorer):
    assert explorer.draws == 1 and isinstance(explorer.figure, Figure)
    title = explorer.figure.axes[0].get_title()
    assert "$d = 8$" in title and "$n = 1000$" in title and r"\theta = 0.5" in title
    assert explorer.figure.axes[1].get_xlabel() == "step $t$"


@pytest.mark.parametrize("control, value, expected", [
    ("n", 2000, "$n = 2000$"), ("d", 16, "$d = 16$"), ("theta", 0.0, r"\theta = 0$"), ("k", 2, "$He_2$"),
])
def test_moving_a_control_redraws_a_different_figure(explorer, control, value, expected):
    before, draws = explorer.figure, explorer.draws
    explorer.controls[control].value = value
    assert explorer.draws == draws + 1
    assert expected in explorer.figure.axes[0].get_title()
    assert not same_lines(before, explorer.figure)


def test_explorer_rejects_bad_defaults():
    with pytest.raises(ValueError, match="n must be one of"):
        concentration_explorer(n=3)
    with pytest.raises(ValueError, match="d must be one of"):
        concentration_explorer(d=7)
    with pytest.raises(ValueError, match="k must be an integer in"):
        concentration_explorer(k=5)
    with pytest.raises(ValueError, match="theta must be one of"):
        concentration_explorer(theta=0.7)
    assert 16 in DIMENSIONS and 4000 in SAMPLE_SIZES


def test_figures_have_labelled_log_axes():
    check = signal_check(HE3, draw_sample(HE3, 6, 2000, seed=0), 0.25, points=8, search_starts=1, search_steps=2)
    ax = plots.signals(check).axes[0]
    assert ax.get_xscale() == "log" and "overlap" in ax.get_xlabel()
    scan = benign_threshold(HE3, 4, 0.0, [10**4, 10**5, 2 * 10**5, 4 * 10**5], points=4, search_starts=1,
                            search_steps=1, seed=0)
    ax = plots.thresholds([scan]).axes[0]
    assert ax.get_xscale() == ax.get_yscale() == "log" and ax.get_xlabel() == "dimension $d$"
    scaling = deviation_scaling(HE3, (4, 8), (500, 2000), points=4, search_starts=0)
    ax = plots.deviations(scaling).axes[0]
    assert ax.get_xscale() == ax.get_yscale() == "log" and ax.get_xlabel() == "sample size $n$"
    sweep = success_sweep(HE3, (8,), (0.5, 1.0), runs=2, horizon_scale=2.0, seed=0)
    assert plots.success(sweep).axes[0].get_xlabel() == "$n / d^{2}$"
    assert "training loss" in plots.losses(sweep).axes[0].get_ylabel()
    run = multipass_sgd(HE3, draw_sample(HE3, 6, 100, seed=1), 0.01, 100, runs=2, seed=0)
    assert len(plots.signals_and_run(check, run, "$He_3$").axes) == 2


def test_plotting_functions_reject_wrong_inputs():
    with pytest.raises(TypeError, match="check must be a SignalCheck"):
        plots.signals(None)
    with pytest.raises(TypeError, match="scans must be a non-empty sequence"):
        plots.thresholds([])
    with pytest.raises(TypeError, match="sweep must be a SuccessSweep"):
        plots.success("x")


def test_widget_uses_the_barrier_step_size_and_the_hold_criterion(explorer):
    from lecturelib.widgets.concentration import LEVEL, STEP_CONSTANTS
    assert STEP_CONSTANTS[3] == 1 / 16 and LEVEL == 0.9
    explorer.controls["k"].value = 3
    explorer.controls["d"].value = 8
    title = explorer.figure.axes[1].get_title()
    assert "hold $m \\geq 0.9$ at $T$" in title and f"{(1 / 16) * 8 ** -1.5:.2g}" in title


def test_open_question_figure_and_table_from_the_stored_sweep():
    from lecturelib import sweeps
    from lecturelib.concentration import open_question_table
    stored = sweeps.load("open-question", quiet=True)
    tables = [open_question_table(stored, c) for c in (1 / 16, 1 / 4)]
    fig = plots.open_question(tables)
    assert len(fig.axes) == 2 and fig.axes[0].get_xlabel() == "$n / d^{2}$"
    with pytest.raises(ValueError, match="c must be one of"):
        open_question_table(stored, 0.5)
    with pytest.raises(TypeError, match="tables entry must be a OpenQuestionTable"):
        plots.open_question(["x"])
