"""Full-batch gradient descent on a fixed sample: the gradient, reproducibility, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from lecturelib import Link
from lecturelib.fullbatch import empirical_gradient, empirical_loss, full_batch_gd, full_batch_table


@pytest.mark.parametrize("name", ["he2", "he3", "tanh", "he3+he4"])
def test_spherical_gradient_matches_finite_differences(name):
    link = Link.named(name)
    rng = np.random.default_rng(0)
    d, n = 12, 40
    X = rng.standard_normal((n, d))
    y = link.f(X[:, 0])
    w = rng.standard_normal(d)
    w /= np.linalg.norm(w)
    grad = empirical_gradient(link, w, X, y)
    assert abs(grad @ w) < 1e-12  # tangent to the sphere
    for _ in range(3):
        v = rng.standard_normal(d)
        v -= (v @ w) * w
        h = 1e-5
        plus, minus = (w + h * v) / np.linalg.norm(w + h * v), (w - h * v) / np.linalg.norm(w - h * v)
        numeric = (empirical_loss(link, plus, X, y) - empirical_loss(link, minus, X, y)) / (2 * h)
        assert grad @ v == pytest.approx(numeric, rel=1e-6, abs=1e-9)


def test_runs_are_reproducible_and_start_uniform():
    a = full_batch_gd(Link.hermite(2), 50, 100, 5.0, 3, runs=4, seed=3)
    b = full_batch_gd(Link.hermite(2), 50, 100, 5.0, 3, runs=4, seed=3)
    assert np.array_equal(a.overlap, b.overlap) and a.overlap.shape == (4, 4)
    assert np.all(np.abs(a.overlap[:, 0]) < 0.6)


def test_table_shape_and_bad_input():
    table = full_batch_table(Link.hermite(2), [20, 30], [1, 2], eta=5.0, steps=2, runs=2)
    assert table.median.shape == (2, 2, 3)
    with pytest.raises(ValueError, match="eta"):
        full_batch_gd(Link.hermite(2), 20, 40, 0.0, 2)
    with pytest.raises(ValueError, match="alphas entry"):
        full_batch_table(Link.hermite(2), [20], [-1.0], eta=1.0, steps=1)
    with pytest.raises(ValueError, match="shape"):
        empirical_gradient(Link.hermite(2), np.ones(3), np.ones((4, 2)), np.ones(4))


def test_full_batch_table_quartiles_first_crossing_and_figure():
    from lecturelib import Link
    from lecturelib.fullbatch import full_batch_table
    from lecturelib.plotting.algorithms import full_batch_overlaps
    table = full_batch_table(Link.hermite(2), (20,), (4, 16), eta=10.0, steps=4, runs=5, seed=0)
    assert table.quartiles.shape == table.median.shape + (2,)
    assert np.all(table.quartiles[..., 0] <= table.median + 1e-12) and np.all(table.median <= table.quartiles[..., 1] + 1e-12)
    first = table.first_crossing(0.0)
    assert np.all(first == 0)
    fig = full_batch_overlaps([table], alphas=(4, 16))
    assert len(fig.axes) == 1 and fig.axes[0].get_xlabel() == "step $t$"
    with pytest.raises(ValueError, match="alphas entry"):
        full_batch_overlaps([table], alphas=(3,))


def test_conditional_norms_figure():
    from lecturelib.plotting.algorithms import conditional_norms
    fig = conditional_norms({"he3": (0.67, 0.62), "abs": (0.0, 1.0)}, {"he3": (3, 1), "abs": (2, 2)})
    assert "catalogue" in fig.axes[0].get_title()
    with pytest.raises(ValueError, match="same link names"):
        conditional_norms({"he3": (0.1, 0.2)}, {})
