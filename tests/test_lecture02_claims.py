"""Every number Lecture 2 (lectures/02-landscape.ipynb) states, recomputed and compared with theory."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from scipy.integrate import quad

from lecturelib import Link
from lecturelib import landscape as ls

# --------------------------------------------------------------------------- the gradient


def test_spherical_gradient_lemma_matches_finite_differences_in_dimension_10():
    rng = np.random.default_rng(0)  # the lecture's seed
    w_star, w = (v / np.linalg.norm(v) for v in rng.standard_normal((2, 10)))
    assert round(float(w @ w_star), 3) == -0.522
    h = 1e-6
    for name in ("he3", "he4", "relu", "he3+he4"):
        link = Link.named(name)
        fd = np.array([
            (ls.loss((w + h * e) / np.linalg.norm(w + h * e), w_star, link)
             - ls.loss((w - h * e) / np.linalg.norm(w - h * e), w_star, link)) / (2 * h)
            for e in np.eye(10)
        ])
        assert np.abs(fd - ls.spherical_gradient(w, w_star, link)).max() < 1e-8


def test_relu_gradient_on_the_equator_is_one_quarter():
    assert Link.relu().correlation_derivative(0.0) == pytest.approx(0.25, rel=1e-15)
    assert ls.classify_equator(Link.relu()).gradient_norm == pytest.approx(0.25, rel=1e-15)
    assert ls.classify_equator(Link.named("tanh")).gradient_norm == pytest.approx(0.3669, abs=5e-5)
    assert ls.classify_equator(Link.hermite(1)).gradient_norm == 1.0


# --------------------------------------------------------------------------- critical points


def test_minus_w_star_loss_is_twice_the_odd_energy():
    for name in ("he1", "he2", "he3", "he4", "relu", "abs", "tanh", "he3+he4", "cubic"):
        link = Link.named(name)
        c2 = np.asarray(link.normalized_coefficients) ** 2
        assert link.population_loss(-1.0) == pytest.approx(2 * c2[1::2].sum(), rel=1e-9, abs=1e-12)
    assert Link.hermite(3).population_loss(-1.0) == 2.0  # odd He_k: the global maximum


@pytest.mark.parametrize("name, kind, global_max", [
    ("he1", "not stationary", False), ("relu", "not stationary", False), ("tanh", "not stationary", False),
    ("he2", "maximum", True), ("abs", "maximum", True), ("he3", "degenerate saddle", False),
    ("he4", "maximum", True), ("he5", "degenerate saddle", False), ("he3+he4", "degenerate saddle", False),
])
def test_equator_table(name, kind, global_max):
    eq = ls.classify_equator(Link.named(name))
    assert (eq.kind, eq.global_maximum) == (kind, global_max)
    assert eq.information_exponent == {"he1": 1, "relu": 1, "tanh": 1, "he2": 2, "abs": 2, "he3": 3,
                                       "he4": 4, "he5": 5, "he3+he4": 3}[name]


def test_second_derivative_across_the_equator_is_minus_two_c2_squared():
    for name in ("he2", "abs", "quadratic", "he3", "he4", "relu"):
        link = Link.named(name)
        c2 = float(link.normalized_coefficients[2]) ** 2
        h = 1e-4
        numeric = (link.population_loss(math.sin(h)) - 2 * link.population_loss(0.0)
                   + link.population_loss(-math.sin(h))) / h**2
        assert numeric == pytest.approx(-2 * c2, abs=1e-5)
        assert ls.classify_equator(link).transverse_hessian == pytest.approx(-2 * c2, abs=1e-14)


def test_he3_plus_he4_ring_of_maxima_and_spurious_minimum():
    link = Link.named("he3+he4")
    m = np.linspace(-1, 1, 11)
    np.testing.assert_allclose(link.correlation_derivative(m), m**2 * (3 + 4 * m) / 2, atol=1e-14)
    points = ls.critical_overlaps(link)
    assert [(round(p.m, 4), round(p.loss, 4), p.kind) for p in points] == [
        (-1.0, 1.0, "local minimum"), (-0.75, 1.0527, "global maximum"), (0.0, 1.0, "saddle"),
        (1.0, 0.0, "global minimum")]
    assert points[1].loss == pytest.approx(1 + 27 / 512, rel=1e-14)
    assert link.correlation_derivative(-1.0) == pytest.approx(-0.5)


def test_probability_of_starting_beyond_the_ring_and_its_bound():
    printed = {10: 3.9e-03, 100: 9.0e-20, 1000: 7.8e-182}
    for d, value in printed.items():
        p = ls.start_overlap_tail(0.75 * math.sqrt(d), d)
        assert float(f"{p:.1e}") == value
        integral = quad(lambda m: ls.start_overlap_density(m, d), 0.75, 1.0, epsabs=0.0, epsrel=1e-12)[0]
        assert p == pytest.approx(integral, rel=1e-6, abs=1e-300)
        assert p <= ls.start_overlap_normalizer(d) / 4 * (7 / 16) ** ((d - 3) / 2)


# --------------------------------------------------------------------------- the random start


def test_normalizer_values_printed_in_the_lecture():
    printed = {3: 0.5000, 5: 0.7500, 20: 1.7162, 200: 5.6207}
    for d, value in printed.items():
        b_d = ls.start_overlap_normalizer(d)
        assert round(b_d, 4) == value
        assert b_d <= math.sqrt((d - 1) / (2 * math.pi)) < math.sqrt(d / (2 * math.pi))
        assert b_d == pytest.approx(math.gamma(d / 2) / (math.sqrt(math.pi) * math.gamma((d - 1) / 2)), rel=1e-12)
    assert math.sqrt(2 / (2 * math.pi)) == pytest.approx(0.564, abs=1e-3)  # the bound at d = 3 (exercise)


def test_sampled_second_moment_is_one_over_d():
    for d in (3, 5, 20, 200):
        m0 = ls.sample_start_overlap(d, 20_000, seed=d)
        assert d * np.mean(m0**2) == pytest.approx(1.0, abs=0.03)


TAIL_TABLE = {  # the lecture's table of P(m0 >= c0/sqrt d), c0 = 0.1, 0.5, 1, 2
    3: (0.4711, 0.3557, 0.2113, 0.0000),
    10: (0.4632, 0.3212, 0.1717, 0.0184),
    100: (0.4605, 0.3098, 0.1599, 0.0225),
    10_000: (0.4602, 0.3085, 0.1587, 0.0227),
}
CS = np.array([0.1, 0.5, 1.0, 2.0])


@pytest.mark.parametrize("d", TAIL_TABLE)
def test_tail_table_is_the_integral_of_the_density(d):
    for c, value in zip(CS, TAIL_TABLE[d]):
        t = c / math.sqrt(d)
        integral = 0.0 if t >= 1 else quad(lambda m: ls.start_overlap_density(m, d), t, 1.0)[0]
        assert round(integral, 4) == value
        assert ls.start_overlap_tail(c, d) >= 0.5 - c / math.sqrt(2 * math.pi)


def test_tail_limit_and_bound_rows():
    np.testing.assert_allclose(np.round(ls.start_overlap_tail_limit(CS), 4), [0.4602, 0.3085, 0.1587, 0.0228])
    np.testing.assert_allclose(ls.start_overlap_tail_limit(CS), stats.norm.sf(CS), rtol=1e-12)
    np.testing.assert_allclose(np.round(ls.start_overlap_tail_bound(CS), 4), [0.4601, 0.3005, 0.1011, -0.2979])
    assert ls.start_overlap_tail(1.0, 3) == pytest.approx((1 - 1 / math.sqrt(3)) / 2, rel=1e-14)  # Archimedes


def test_monte_carlo_tail_at_d_100():
    m0 = ls.sample_start_overlap(100, 200_000, seed=1)
    hits = np.mean(m0 >= 0.1)
    stderr = math.sqrt(hits * (1 - hits) / m0.size)
    assert abs(hits - ls.start_overlap_tail(1.0, 100)) < 3 * stderr
    assert round(ls.start_overlap_tail(1.0, 100), 4) == 0.1599


def test_start_band_tends_to_1_96_over_sqrt_d():
    printed = {10: 1.904, 100: 1.956, 10_000: 1.960}
    for d, value in printed.items():
        q = ls.start_band(d)
        assert round(q * math.sqrt(d), 3) == value
        assert 2 * ls.start_overlap_tail(q * math.sqrt(d), d) == pytest.approx(0.05, abs=1e-12)
    assert stats.norm.ppf(0.975) == pytest.approx(1.96, abs=1e-3)


def test_chebyshev_gives_only_a_constant_probability_for_a_fixed_c():
    # the remark: P(|m0| >= C/sqrt d) <= 1/C^2 holds, and for a fixed C it stays bounded away from 0
    for d in (5, 100, 10_000):
        for big_c in (1.5, 2.0, 3.0):
            p = 2 * ls.start_overlap_tail(big_c, d)
            assert p <= 1 / big_c**2
            if big_c < math.sqrt(d):
                assert p > 1e-3


def _cap_ratio_max() -> float:
    t = np.linspace(0.01, 0.99, 99)
    return max((ls.start_overlap_tail(t * np.sqrt(d), d) / np.exp(-d * t**2 / 2)).max() for d in range(3, 1001))


def test_spherical_cap_bound_holds_for_every_d_from_3_to_1000():
    # item 4 of the start theorem, as checked by the lecture's cell: largest ratio 0.4951 < 1
    ratio = _cap_ratio_max()
    assert round(ratio, 4) == 0.4951
    assert ratio <= 1.0
    # the ratio is largest at the smallest t (there the tail is close to 1/2 and the bound to 1)
    t = np.linspace(0.01, 0.99, 99)
    for d in (3, 10, 100, 1000):
        per_t = ls.start_overlap_tail(t * np.sqrt(d), d) / np.exp(-d * t**2 / 2)
        assert np.argmax(per_t) == 0
    assert ratio > 0.49


def test_cap_bound_against_its_proof_on_a_finer_grid():
    # the proof's two covering balls: (1 - t^2)^(d/2) for t <= 1/sqrt 2, (2t)^(-d) above; both <= exp(-d t^2/2)
    t = np.linspace(1e-3, 1.0, 1000)
    for d in (3, 4, 7, 30, 300, 3000):
        tail = ls.start_overlap_tail(t * np.sqrt(d), d)
        low = t <= 1 / np.sqrt(2)
        cover = np.empty_like(t)
        cover[low] = (1 - t[low] ** 2) ** (d / 2)
        cover[~low] = (2 * t[~low]) ** (-float(d))
        assert np.all(tail <= cover * (1 + 1e-12))
        assert np.all(cover <= np.exp(-d * t**2 / 2) * (1 + 1e-12))


def test_start_overlap_is_below_sqrt_2_ln_d_over_d_with_probability_1_minus_2_over_d():
    printed = {10: (0.6786, "2.17e-02"), 100: (0.3035, "2.03e-03"), 1000: (0.1175, "1.94e-04")}
    for d, (band_printed, p_printed) in printed.items():
        band = math.sqrt(2 * math.log(d) / d)
        p = 2 * ls.start_overlap_tail(band * math.sqrt(d), d)
        assert round(band, 4) == band_printed and f"{p:.2e}" == p_printed
        assert p <= 2 / d
    for d in range(3, 1001):
        band = math.sqrt(2 * math.log(d) / d)
        assert 2 * ls.start_overlap_tail(band * math.sqrt(d), d) <= 2 / d


# --------------------------------------------------------------------------- gradient at the start


def test_gradient_norm_at_the_start_decays_like_d_to_minus_k_minus_1_over_2():
    # The lecture's sweep: d = 30 ... 10^4, 1000 explicit starts per d, seed k; slopes within 0.02.
    dims = (30, 100, 300, 1000, 3000, 10_000)
    for k in (1, 2, 3, 4):
        s = ls.start_gradient_scaling(Link.hermite(k), dims=dims, samples=1000, seed=k)
        assert s.theory_slope == -(k - 1) / 2
        assert abs(s.slope - s.theory_slope) < 0.02
        assert s.theory_slope < s.expected_slope < s.theory_slope + 0.015  # the O(1/d) correction
        assert np.all(np.abs(s.mean - s.expected) < 4 * s.stderr)


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_proposition_asymptotics_has_a_one_over_d_correction(k):
    moment = 2 ** ((k - 1) / 2) * math.gamma(k / 2) / math.sqrt(math.pi)
    for d in (100, 1000, 10_000):
        exact = ls.expected_start_gradient_norm(Link.hermite(k), d)
        leading = k * moment * d ** (-(k - 1) / 2)
        assert abs(exact / leading - 1) * d < k * k  # O(1/d) with a constant of order k^2


def test_he3_gradient_is_about_3_over_d_and_relu_tends_to_one_quarter():
    printed_he3 = {10: 0.8601, 1000: 0.9985, 100_000: 1.0000}
    printed_relu = {10: 0.2365, 1000: 0.2499, 100_000: 0.2500}
    for d in printed_he3:
        he3 = ls.expected_start_gradient_norm(Link.hermite(3), d) * d / 3
        assert round(he3, 4) == printed_he3[d]
        assert round(ls.expected_start_gradient_norm(Link.relu(), d), 4) == printed_relu[d]
        if d >= 1000:
            assert abs(he3 - 1) < 0.002
    assert ls.expected_start_gradient_norm(Link.relu(), 10**7) == pytest.approx(0.25, rel=1e-6)


def test_signal_component_at_the_start_carries_almost_all_the_norm():
    run = ls.start_gradients(Link.hermite(3), 1000, samples=500, seed=0)
    np.testing.assert_allclose(np.abs(run.signal), np.sqrt(1 - run.m0**2) * run.norm, rtol=1e-10, atol=1e-18)


# --------------------------------------------------------------------------- exercises


def test_fourth_moment_of_the_start_overlap():
    for d in (3, 10, 50, 400):
        moment = quad(lambda m: m**4 * ls.start_overlap_density(m, d), -1, 1, points=[0.0])[0]
        assert moment == pytest.approx(3 / (d * (d + 2)), rel=1e-9)


def test_second_derivatives_along_great_circles():
    e = np.eye(5)
    h = 1e-3

    def bend(k, w, v):
        along = lambda t: ls.loss(np.cos(t) * w + np.sin(t) * v, e[0], Link.hermite(k))  # noqa: E731
        return (along(h) - 2 * along(0.0) + along(-h)) / h**2

    for k in (2, 3, 4):
        assert bend(k, e[1], e[0]) == pytest.approx(-2.0 if k == 2 else 0.0, abs=1e-5)
        assert bend(k, e[1], e[2]) == pytest.approx(0.0, abs=1e-12)
        assert bend(k, e[0], e[1]) == pytest.approx(float(k), abs=1e-4)
