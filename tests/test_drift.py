"""The one-step drift of online SGD (lecturelib.drift): moments, exact mean, expansion, threshold, barrier."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lecturelib import Link, online_sgd
from lecturelib import drift


@pytest.mark.parametrize("k, kappa2, kappa2_beta2", [(1, 2, 4), (2, 12, 12), (3, 96, 114), (4, 856, 888)])
def test_kappa_moments_at_the_equator_are_the_stated_integers(k, kappa2, kappa2_beta2):
    mom = drift.kappa_moments(Link.hermite(k), 0.0)
    assert mom.kappa2 == pytest.approx(kappa2, rel=1e-12)
    assert mom.kappa2_beta2 == pytest.approx(kappa2_beta2, rel=1e-12)


def test_kappa_moments_of_h1_match_the_closed_forms_at_every_overlap():
    m = np.linspace(-0.9, 0.9, 7)
    mom = drift.kappa_moments(Link.hermite(1), m)
    np.testing.assert_allclose(mom.kappa2, 2 * (1 - m), rtol=1e-12)
    np.testing.assert_allclose(mom.kappa2_beta2, (1 - m) ** 2 + 3 * (1 - m * m), rtol=1e-12)


def test_label_noise_adds_sigma_squared_times_the_mean_square_derivative():
    clean, noisy = drift.kappa_moments(Link.hermite(3), 0.3), drift.kappa_moments(Link.hermite(3), 0.3, noise=0.5)
    assert noisy.kappa2 - clean.kappa2 == pytest.approx(0.25 * 3)
    assert noisy.kappa2_beta2 - clean.kappa2_beta2 == pytest.approx(0.25 * 3)


@pytest.mark.parametrize("dof", [1, 8, 998, 9998])
def test_chi_square_rule_integrates_the_first_moments_exactly(dof):
    z, w = drift.chi_square_rule(dof, 12)
    assert w.sum() == pytest.approx(1.0, rel=1e-12)
    assert w @ z == pytest.approx(dof, rel=1e-10)
    assert w @ z**2 == pytest.approx(dof * (dof + 2), rel=1e-10)
    assert w @ z**3 == pytest.approx(dof * (dof + 2) * (dof + 4), rel=1e-9)


@pytest.mark.parametrize("k, d, c, m", [(2, 100, 0.2, 0.5), (3, 50, 0.1, 0.6), (1, 20, 2.0, -0.2)])
def test_exact_drift_matches_the_chains_monte_carlo_mean_within_3_standard_errors(k, d, c, m):
    link = Link.hermite(k)
    eta = c / d if k <= 2 else c * d ** (-k / 2)
    runs = 40000
    sample = online_sgd(link, d, eta, 1, runs=runs, m0=m, seed=11).overlap[:, 1] - m
    se = sample.std() / math.sqrt(runs)
    exact = float(drift.exact_drift(link, d, eta, m))
    assert abs(sample.mean() - exact) < 3 * se
    assert abs(exact) > 5 * se  # the comparison is not against zero


def test_exact_drift_has_converged_in_its_nodes():
    link = Link.hermite(4)
    eta = 0.05 / 30**2
    m = np.array([0.1, 0.5])
    np.testing.assert_allclose(drift.exact_drift(link, 30, eta, m), drift.exact_drift(link, 30, eta, m, nodes=120,
                               chi_nodes=48), rtol=1e-5)


def test_expansion_is_accurate_for_h3_at_small_c_and_off_by_a_fifth_for_h2_at_c_03():
    m = np.array([0.05, 0.1, 0.2, 0.4, 0.6, 0.8])
    he3 = Link.hermite(3)
    for c in (0.02, 0.05, 0.1):
        eta = c * 1000**-1.5
        ex, ap = drift.exact_drift(he3, 1000, eta, m), drift.drift_expansion(he3, 1000, eta, m)
        away = m >= 0.2  # away from the barrier, where the drift vanishes
        assert np.all(np.abs(ap - ex)[away] / np.abs(ex)[away] < 1e-3)
    he2 = Link.hermite(2)
    ex, ap = drift.exact_drift(he2, 1000, 3e-4, m), drift.drift_expansion(he2, 1000, 3e-4, m)
    rel = (ap - ex) / np.abs(ex)
    assert np.all((-0.21 < rel[:3]) & (rel[:3] < -0.19))  # "about 20 % near the equator"
    assert np.all(ex > 0)  # the exact drift stays positive up to m = 0.8


def test_first_term_of_the_expansion_is_the_population_drift():
    link = Link.hermite(3)
    m = np.array([0.1, 0.5])
    tiny = 1e-9
    np.testing.assert_allclose(drift.exact_drift(link, 10, tiny, m) / tiny, link.drift(m), rtol=1e-5)


def test_h2_equator_thresholds_are_the_stated_values_and_fall_toward_one_third():
    he2 = Link.hermite(2)
    values = [drift.equator_threshold(he2, d) for d in (100, 200, 800, 3200)]
    np.testing.assert_allclose(values[:3], [0.439, 0.391, 0.350], atol=5e-4)
    assert values[0] > values[1] > values[2] > values[3] > 1 / 3
    assert values[3] - 1 / 3 < 0.006


@pytest.mark.parametrize("k, c, tol", [(3, 0.02, 1e-3), (3, 0.05, 1e-3), (3, 0.1, 2e-3), (4, 0.02, 0.02), (4, 0.05, 0.02)])
def test_barrier_estimate_matches_the_exact_zero_of_the_drift(k, c, tol):
    link = Link.hermite(k)
    eta = c * 1000 ** (-k / 2)
    exact, estimate = drift.barrier(link, 1000, eta), drift.barrier_estimate(link, 1000, eta)
    assert abs(exact / estimate - 1) < tol
    if k == 3:
        assert estimate == pytest.approx(16 * c / math.sqrt(1000))


def test_bad_input_raises_errors_naming_the_argument():
    with pytest.raises(ValueError, match="k >= 3"):
        drift.barrier_estimate(Link.hermite(2), 100, 1e-3)
    with pytest.raises(ValueError, match="m must hold overlaps"):
        drift.exact_drift(Link.hermite(2), 100, 1e-3, 1.5)
    with pytest.raises(ValueError, match="eta"):
        drift.exact_drift(Link.hermite(2), 100, -1.0, 0.1)
    with pytest.raises(ValueError, match="d must be"):
        drift.drift_expansion(Link.hermite(2), 2, 1e-3, 0.1)
    with pytest.raises(TypeError, match="link"):
        drift.kappa_moments("he2", 0.0)
