"""The Hermite explorer (Lecture 1) and the figures it draws."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from lecturelib import Link
from lecturelib.links import CATALOGUE, sample_population_loss
from lecturelib.plotting import hermite as plots
from lecturelib.widgets.hermite import HERMITE_CHOICE, hermite_explorer


def line_data(figure: Figure) -> list[np.ndarray]:
    return [np.asarray(line.get_ydata(), dtype=float) for ax in figure.axes for line in ax.get_lines()]


def same_lines(a: Figure, b: Figure) -> bool:
    la, lb = line_data(a), line_data(b)
    return len(la) == len(lb) and all(x.shape == y.shape and np.allclose(x, y) for x, y in zip(la, lb))


def test_choosing_another_link_redraws_a_different_figure():
    panel = hermite_explorer()
    assert panel.draws == 1
    assert isinstance(panel.figure, Figure)
    assert "relu" in panel.figure._suptitle.get_text() and "k_* = 1" in panel.figure._suptitle.get_text()
    before = panel.figure
    panel.controls["link"].value = "he3+he4"
    assert panel.draws == 2
    assert "k_* = 3" in panel.figure._suptitle.get_text()
    assert not same_lines(before, panel.figure)


def test_k_slider_drives_the_hermite_link():
    panel = hermite_explorer(link=HERMITE_CHOICE, k=2)
    before = panel.figure
    panel.controls["k"].value = 5
    assert "he5" in panel.figure._suptitle.get_text() and "k_* = 5" in panel.figure._suptitle.get_text()
    assert not same_lines(before, panel.figure)
    # the loss panel shows 1 - m^5
    loss_line = panel.figure.axes[2].get_lines()[0]
    m, loss = loss_line.get_xdata(), loss_line.get_ydata()
    np.testing.assert_allclose(loss, 1 - m**5, atol=1e-12)


def test_order_slider_changes_the_partial_sums():
    panel = hermite_explorer(link="sign", order=4)
    before = panel.figure
    panel.controls["order"].value = 20
    assert not same_lines(before, panel.figure)
    labels = [t.get_text() for t in panel.figure.axes[1].get_legend().get_texts()]
    assert labels == ["$f$", "$K = 10$", "$K = 20$"]


@pytest.mark.parametrize("name", CATALOGUE)
def test_every_catalogue_link_can_be_explored(name):
    # the figure the panel draws for each dropdown entry (without the panel's PNG rendering)
    fig = plots.explorer(Link.named(name), order=6)
    assert len(fig.axes) == 3
    for ax in fig.axes:
        assert ax.get_xlabel() and ax.get_ylabel()


def test_spectrum_is_on_a_log_axis_and_circles_k_star():
    fig = plots.spectrum(Link.named("he3+he4"))
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    circled = ax.get_lines()[1]
    assert list(circled.get_xdata()) == [3]


def test_figures_have_labelled_axes():
    sample = sample_population_loss(Link.hermite(2), [0.0, 0.5], samples=1000, seed=0)
    figures = [
        plots.partial_sums([Link.relu(), Link.named("tanh")]),
        plots.population_losses([Link.hermite(1), Link.hermite(3)]),
        plots.loss_check([sample]),
        plots.spectrum(Link.relu()),
    ]
    for fig in figures:
        assert isinstance(fig, Figure)
        for ax in fig.axes:
            assert ax.get_xlabel() and ax.get_ylabel()


def test_bad_explorer_arguments_name_the_argument():
    with pytest.raises(ValueError, match="link must be one of"):
        hermite_explorer(link="softplus")
    with pytest.raises(ValueError, match="k must be an integer in \\[1, 10\\], got 0"):
        hermite_explorer(k=0)
    with pytest.raises(ValueError, match="order must be an integer in \\[0, 30\\], got 31"):
        hermite_explorer(order=31)
