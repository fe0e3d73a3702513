"""The algorithm comparison widget (Lecture 7) and the figures of lecturelib.plotting.algorithms."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from lecturelib.widgets.algorithms import algorithm_comparison


@pytest.fixture(scope="module")
def panel():
    return algorithm_comparison(k=3, d=50, seed=0)


def test_panel_draws_its_default_figure(panel):
    assert panel.draws == 1 and isinstance(panel.figure, Figure)
    assert "He_3, d = 50, seed 0" in panel.figure.axes[0].get_title()
    assert len(panel.figure.axes[0].get_lines()) == 4


@pytest.mark.parametrize("control, value, expected", [("seed", 4, "seed 4"), ("k", 4, "He_4"), ("d", 100, "d = 100")])
def test_moving_a_control_redraws(panel, control, value, expected):
    before, draws = panel.figure, panel.draws
    panel.controls[control].value = value
    assert panel.draws == draws + 1 and panel.figure is not before
    assert expected in panel.figure.axes[0].get_title()
    lines_before = [np.asarray(l.get_ydata()) for l in before.axes[0].get_lines()]
    lines_after = [np.asarray(l.get_ydata()) for l in panel.figure.axes[0].get_lines()]
    assert not all(np.array_equal(a, b) for a, b in zip(lines_before, lines_after))


@pytest.mark.parametrize("kwargs", [dict(k=2), dict(d=70), dict(seed=-1)])
def test_bad_defaults_are_rejected(kwargs):
    with pytest.raises(ValueError):
        algorithm_comparison(**kwargs)
