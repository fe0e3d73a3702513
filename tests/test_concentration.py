"""Empirical and population signals: gradients against finite differences, the variance, the search, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lecturelib import Link
from lecturelib import _multipass_kernels as mk
from lecturelib.concentration import (
    band, band_points, benign_threshold, deviation_scaling, empirical_gradient, empirical_signal,
    pointwise_threshold, population_signal, signal_check, signal_variance,
)
from lecturelib.multipass import draw_sample, empirical_loss

HE3 = Link.hermite(3)


def unit(v):
    return v / np.linalg.norm(v)


@pytest.mark.parametrize("name", ["he3", "relu", "he3+he4"])
def test_empirical_gradient_matches_finite_differences_of_the_empirical_loss(name):
    link = Link.named(name)
    sample = draw_sample(link, 12, 500, noise=0.1, seed=0)
    rng = np.random.default_rng(1)
    w = unit(rng.standard_normal(12))
    grad = empirical_gradient(link, sample, w)
    assert abs(grad @ w) < 1e-12  # tangent to the sphere
    for _ in range(3):
        u = rng.standard_normal(12)
        u = unit(u - (u @ w) * w)
        h = 1e-6
        fd = (empirical_loss(link, sample, unit(w + h * u)) - empirical_loss(link, sample, unit(w - h * u))) / (2 * h)
        assert abs(fd - grad @ u) < 1e-6 * max(1.0, abs(fd))


def test_empirical_signal_is_minus_the_target_component_of_the_gradient():
    sample = draw_sample(HE3, 10, 300, seed=2)
    w = band_points(10, 0.5, 5, seed=3)
    g = empirical_signal(HE3, sample, w)
    for p in range(5):
        assert abs(g[p] + empirical_gradient(HE3, sample, w[p])[0]) < 1e-12


def test_kernel_gradient_of_the_signal_matches_finite_differences():
    sample = draw_sample(HE3, 6, 400, seed=4)
    w = band_points(6, 0.25, 2, seed=5)
    g = np.zeros(2)
    grad = np.zeros((2, 6))
    mk.signal_sums(0, np.ascontiguousarray(HE3.normalized_coefficients), sample.x, sample.y, w, True, g, grad)
    h = 1e-6

    def raw(v):  # the same formula, off the sphere
        out = np.zeros(1)
        mk.signal_sums(0, np.ascontiguousarray(HE3.normalized_coefficients), sample.x, sample.y, v[None], False,
                       out, np.zeros((0, 0)))
        return out[0]

    for p in range(2):
        fd = np.array([(raw(w[p] + h * e) - raw(w[p] - h * e)) / (2 * h) for e in np.eye(6)])
        assert np.abs(fd - grad[p]).max() < 1e-4 * np.abs(grad[p]).max()


def test_variance_of_one_term_at_the_equator_is_114_for_he3():
    # E[f(b)^2 b^2] E[f'^2] + E[f^2 f'^2] = 7 * 3 + 93 (moments of He_3/sqrt 6).
    assert signal_variance(HE3, 0.0) == pytest.approx(114.0, rel=1e-12)


def test_empirical_signal_is_unbiased_with_the_predicted_variance():
    """Over 400 samples of n = 200 at m = 0.3: mean within 4 standard errors, variance within 15 %."""
    m, n = 0.3, 200
    w = np.zeros(5)
    w[0], w[1] = m, math.sqrt(1 - m * m)
    values = np.array([empirical_signal(HE3, draw_sample(HE3, 5, n, seed=s), w) for s in range(400)])
    var = signal_variance(HE3, m)
    assert abs(values.mean() - population_signal(HE3, m)) < 4 * math.sqrt(var / n / 400)
    assert values.var() * n == pytest.approx(var, rel=0.15)


def test_band_points_lie_in_the_band():
    lo, hi = band(64, 0.5)
    assert lo == pytest.approx(0.25 / 8) and hi == 0.5
    w = band_points(64, 0.5, 200, seed=0)
    assert np.allclose(np.linalg.norm(w, axis=1), 1.0)
    assert w[:, 0].min() >= lo and w[:, 0].max() <= hi


def test_local_search_only_lowers_the_worst_ratio_and_stays_in_the_band():
    sample = draw_sample(HE3, 8, 20000, seed=1)
    check = signal_check(HE3, sample, 0.5, points=32, search_starts=4, search_steps=8, seed=2)
    assert check.worst_ratio <= check.worst_ratio_random
    assert check.worst_ratio < check.worst_ratio_random - 0.2  # it finds clearly worse points here
    lo, hi = check.band
    assert check.search_m.min() >= lo - 1e-12 and check.search_m.max() <= hi + 1e-12


def test_pointwise_threshold_grows_like_d_to_the_4_theta_for_he3():
    for theta in (0.0, 0.25, 0.5):
        ratio = pointwise_threshold(HE3, 1024, theta, 2.0) / pointwise_threshold(HE3, 256, theta, 2.0)
        assert math.log(ratio, 4) == pytest.approx(4 * theta, abs=0.02)


def test_random_point_deviation_falls_like_one_over_root_n():
    """Exponent within 0.15 of -1/2 (4 sample sizes, factor 64)."""
    scaling = deviation_scaling(HE3, (8, 16), (1000, 4000, 16000, 64000), points=32, search_starts=0, seed=0)
    assert scaling.n_exponent_random == pytest.approx(-0.5, abs=0.15)


def test_threshold_scan_stops_after_confirm_benign_samples():
    scan = benign_threshold(HE3, 4, 0.0, [100, 1000, 10**5, 2 * 10**5, 4 * 10**5, 8 * 10**5], points=8,
                            search_starts=1, search_steps=2, seed=0)
    ok = scan.worst_ratio >= 0.5
    assert ok[-2:].all() and (scan.n.size == scan.worst_ratio.size)
    assert scan.threshold in scan.n.tolist()


def test_bad_input_is_rejected_with_messages_naming_the_argument():
    sample = draw_sample(HE3, 6, 10, seed=0)
    with pytest.raises(ValueError, match="theta must be in"):
        band(10, 0.7)
    with pytest.raises(ValueError, match="w must have last dimension d=6"):
        empirical_signal(HE3, sample, np.ones(5) / math.sqrt(5))
    with pytest.raises(ValueError, match="w must hold unit vectors"):
        empirical_signal(HE3, sample, np.ones(6))
    with pytest.raises(TypeError, match="sample must be a Sample"):
        signal_check(HE3, "sample", 0.0)
    with pytest.raises(ValueError, match="objective must be one of"):
        signal_check(HE3, sample, 0.0, objective="max")
    with pytest.raises(ValueError, match="n_values must be a non-empty increasing"):
        benign_threshold(HE3, 6, 0.0, [100, 50])
    with pytest.raises(ValueError, match="n=200000000 points in d=6"):
        benign_threshold(HE3, 6, 0.0, [200_000_000])
