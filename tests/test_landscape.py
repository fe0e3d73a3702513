"""Tests of lecturelib.landscape: loss and spherical gradient, the law of a random start, critical sets."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from scipy.integrate import quad

from lecturelib import Link
from lecturelib import landscape as ls

LINKS = ("he1", "he2", "he3", "he4", "relu", "abs", "tanh", "he3+he4", "cubic")


def unit_pair(d: int, m: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors w_star, w of R^d with <w, w_star> = m."""
    rng = np.random.default_rng(seed)
    w_star = rng.standard_normal(d)
    w_star /= np.linalg.norm(w_star)
    u = rng.standard_normal(d)
    u -= (u @ w_star) * w_star
    u /= np.linalg.norm(u)
    return w_star, m * w_star + math.sqrt(1 - m * m) * u


# --------------------------------------------------------------------------- loss and gradient


@pytest.mark.parametrize("name", LINKS)
@pytest.mark.parametrize("m", [-0.7, -0.2, 0.05, 0.4, 0.85])
def test_spherical_gradient_is_the_finite_difference_gradient_of_the_loss(name, m):
    # L(w/|w|) is constant along rays, so its Euclidean gradient at a unit w is the spherical one.
    link = Link.named(name)
    w_star, w = unit_pair(7, m, seed=11)
    h = 1e-6
    numeric = np.array([
        (ls.loss((w + h * e) / np.linalg.norm(w + h * e), w_star, link)
         - ls.loss((w - h * e) / np.linalg.norm(w - h * e), w_star, link)) / (2 * h)
        for e in np.eye(7)
    ])
    grad = ls.spherical_gradient(w, w_star, link)
    np.testing.assert_allclose(grad, numeric, atol=2e-8 * max(1.0, np.abs(numeric).max()))
    assert abs(grad @ w) < 1e-14


@pytest.mark.parametrize("name", LINKS)
def test_signal_component_is_the_derivative_of_the_loss_along_the_great_circle_to_w_star(name):
    link = Link.named(name)
    for m in (-0.6, 0.1, 0.7):
        theta, h = math.asin(m), 1e-6
        # m = sin(theta) on the circle through w_star; d/dtheta L = <w_star, grad> / cos(theta).
        slope = (link.population_loss(math.sin(theta + h)) - link.population_loss(math.sin(theta - h))) / (2 * h)
        assert ls.signal_component(m, link) == pytest.approx(slope * math.cos(theta), rel=1e-7, abs=1e-10)


def test_gradient_of_hermite_link_is_minus_k_m_power_times_tangent():
    w_star, w = unit_pair(9, 0.3, seed=2)
    for k in range(1, 7):
        expected = -k * 0.3 ** (k - 1) * (w_star - 0.3 * w)
        np.testing.assert_allclose(ls.spherical_gradient(w, w_star, Link.hermite(k)), expected, atol=1e-14)
        assert ls.signal_component(0.3, Link.hermite(k)) == pytest.approx(-k * 0.3 ** (k - 1) * 0.91, rel=1e-13)
        assert ls.loss(w, w_star, Link.hermite(k)) == pytest.approx(1 - 0.3**k, rel=1e-13)


@pytest.mark.parametrize("name", LINKS)
def test_signal_component_and_norm_are_those_of_the_gradient_vector(name):
    link = Link.named(name)
    w_star, _ = unit_pair(6, 0.0, seed=3)
    ws = np.array([unit_pair(6, m, seed=3)[1] for m in (-0.9, -0.3, 0.0, 0.5, 0.99)])
    grads = ls.spherical_gradient(ws, w_star, link)
    m = ws @ w_star
    np.testing.assert_allclose(grads @ w_star, ls.signal_component(m, link), atol=1e-13)
    np.testing.assert_allclose(np.linalg.norm(grads, axis=1), ls.gradient_norm(m, link), atol=1e-13)


@pytest.mark.parametrize("name", ("he3", "he4", "relu", "sign", "abs"))
def test_gradient_vanishes_at_plus_and_minus_w_star(name):
    link = Link.named(name)
    assert np.all(ls.gradient_norm([-1.0, 1.0], link) == 0.0)
    if name != "sign":  # phi' of sign is infinite at the poles: a vector off by one ulp has a visible gradient
        w_star, _ = unit_pair(5, 0.0, seed=4)
        grads = ls.spherical_gradient(np.array([w_star, -w_star]), w_star, link)
        np.testing.assert_allclose(grads, 0.0, atol=1e-14)
    e = np.eye(3)[0]
    assert np.all(ls.spherical_gradient(np.array([e, -e]), e, link) == 0.0)


def test_equator_gradient_is_minus_mu1_squared_w_star():
    # k = 1 links are not stationary on the equator: grad = -phi'(0) w_star = -mu_1^2 w_star.
    w_star, w = unit_pair(8, 0.0, seed=5)
    np.testing.assert_allclose(ls.spherical_gradient(w, w_star, Link.relu()), -0.25 * w_star, atol=1e-15)
    np.testing.assert_allclose(ls.spherical_gradient(w, w_star, Link.hermite(1)), -w_star, atol=1e-15)
    np.testing.assert_allclose(ls.spherical_gradient(w, w_star, Link.hermite(3)), 0.0, atol=1e-30)


# --------------------------------------------------------------------------- the random start


@pytest.mark.parametrize("d", [2, 3, 4, 7, 50, 1000, 100_000])
def test_start_density_integrates_to_one(d):
    total = quad(lambda m: ls.start_overlap_density(m, d), -1, 1, points=[0.0], limit=400)[0]
    assert total == pytest.approx(1.0, abs=1e-8)


@pytest.mark.parametrize("d", [2, 3, 5, 30, 400])
def test_start_density_is_the_law_of_a_signed_beta_square_root(d):
    # m0^2 ~ Beta(1/2, (d-1)/2) and m0 symmetric: p(m) = |m| * beta_pdf(m^2).
    m = np.linspace(-0.95, 0.95, 38)
    np.testing.assert_allclose(ls.start_overlap_density(m, d),
                               np.abs(m) * stats.beta(0.5, (d - 1) / 2).pdf(m * m), rtol=1e-10)


def test_normalizer_values_and_bounds():
    assert ls.start_overlap_normalizer(2) == pytest.approx(1 / math.pi, rel=1e-14)
    assert ls.start_overlap_normalizer(3) == pytest.approx(0.5, rel=1e-14)
    assert ls.start_overlap_normalizer(4) == pytest.approx(2 / math.pi, rel=1e-14)
    for d in (3, 4, 10, 100, 10**4, 10**6):
        assert ls.start_overlap_normalizer(d) <= math.sqrt((d - 1) / (2 * math.pi))
    assert ls.start_overlap_normalizer(10**8) / 1e4 == pytest.approx(1 / math.sqrt(2 * math.pi), rel=1e-7)


@pytest.mark.parametrize("d", [3, 10, 200, 5000])
def test_sampled_start_overlaps_follow_the_exact_law(d):
    m0 = ls.sample_start_overlap(d, 20_000, seed=d)
    cdf = lambda m: 1.0 - ls.start_overlap_tail(np.asarray(m) * math.sqrt(d), d)  # noqa: E731
    assert stats.kstest(m0, cdf).pvalue > 1e-3
    assert np.mean(m0**2) * d == pytest.approx(1.0, abs=0.05)


def test_start_overlap_sampler_matches_explicit_uniform_vectors():
    d = 40
    explicit = ls.uniform_sphere(d, 8000, seed=1) @ np.eye(d)[0]
    assert stats.ks_2samp(explicit, ls.sample_start_overlap(d, 8000, seed=2)).pvalue > 1e-3
    np.testing.assert_allclose(np.linalg.norm(ls.uniform_sphere(d, 10, seed=3), axis=1), 1.0, atol=1e-14)


def test_samplers_are_reproducible_from_the_seed():
    np.testing.assert_array_equal(ls.sample_start_overlap(30, 50, seed=7), ls.sample_start_overlap(30, 50, seed=7))
    assert not np.array_equal(ls.sample_start_overlap(30, 50, seed=7), ls.sample_start_overlap(30, 50, seed=8))


@pytest.mark.parametrize("d", [2, 3, 8, 100, 10_000])
@pytest.mark.parametrize("c", [-1.5, 0.0, 0.3, 1.0, 2.5])
def test_tail_probability_is_the_integral_of_the_density(d, c):
    t = c / math.sqrt(d)
    integral = 0.0 if t >= 1 else quad(lambda m: ls.start_overlap_density(m, d), max(-1.0, t), 1.0,
                                       limit=400, points=[0.0] if t < 0 else None)[0]
    assert ls.start_overlap_tail(c, d) == pytest.approx(integral, abs=1e-9)


def test_tail_symmetry_and_ends():
    c = np.array([0.0, 0.5, 1.0, 3.0])
    np.testing.assert_allclose(ls.start_overlap_tail(c, 50) + ls.start_overlap_tail(-c, 50), 1.0, atol=1e-15)
    assert ls.start_overlap_tail(0.0, 17) == 0.5
    assert ls.start_overlap_tail(5.0, 16) == 0.0  # c / sqrt(d) > 1
    assert ls.start_overlap_tail(-5.0, 16) == 1.0
    assert ls.start_overlap_tail(1.0, 3) == pytest.approx(0.5 * (1 - 1 / math.sqrt(3)), rel=1e-14)  # uniform


def test_tail_converges_to_the_gaussian_limit_at_rate_one_over_d():
    c = np.linspace(0.0, 3.0, 13)
    errors = [np.abs(ls.start_overlap_tail(c, d) - ls.start_overlap_tail_limit(c)).max() for d in (100, 1000, 10_000)]
    assert errors[0] < 2e-3 and errors[1] < 2e-4 and errors[2] < 2e-5
    assert ls.start_overlap_tail_limit(1.0) == pytest.approx(1 - stats.norm.cdf(1.0), rel=1e-14)


def test_tail_is_at_least_one_half_minus_c_over_sqrt_2pi_in_every_dimension():
    c = np.linspace(0.0, 4.0, 81)
    for d in (3, 4, 5, 10, 31, 100, 1000, 10**5, 10**7):
        assert np.all(ls.start_overlap_tail(c, d) >= ls.start_overlap_tail_bound(c) - 1e-15)
    np.testing.assert_allclose(ls.start_overlap_tail_bound(c), 0.5 - c / math.sqrt(2 * math.pi))


@pytest.mark.parametrize("d", [3, 20, 1000])
def test_start_band_holds_the_requested_probability(d):
    for p in (0.5, 0.9, 0.95):
        q = ls.start_band(d, p)
        assert 1 - 2 * ls.start_overlap_tail(q * math.sqrt(d), d) == pytest.approx(p, abs=1e-12)
    assert ls.start_band(10**7, 0.95) * math.sqrt(10**7) == pytest.approx(stats.norm.ppf(0.975), rel=1e-6)


# --------------------------------------------------------------------------- gradient at the start


@pytest.mark.parametrize("k", [1, 2, 3, 4, 7])
@pytest.mark.parametrize("d", [2, 3, 10, 1000, 10**6])
def test_expected_gradient_norm_closed_form_matches_quadrature(k, d):
    # The callable copy of He_k/sqrt(k!) takes the quadrature path.
    link = Link.hermite(k)
    copy = Link.from_function(link.f, link.df, name="copy")
    assert ls.expected_start_gradient_norm(copy, d) == pytest.approx(
        ls.expected_start_gradient_norm(link, d), rel=1e-8)


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_expected_gradient_norm_approaches_k_times_gaussian_moment_times_d_power(k):
    d = 10**6
    moment = 2 ** ((k - 1) / 2) * math.gamma(k / 2) / math.sqrt(math.pi)  # E|G|^(k-1)
    assert ls.expected_start_gradient_norm(Link.hermite(k), d) == pytest.approx(
        k * moment * d ** (-(k - 1) / 2), rel=1e-5)


def test_expected_gradient_norm_exact_values():
    assert ls.expected_start_gradient_norm(Link.hermite(1), 3) == pytest.approx(math.pi / 4, rel=1e-14)
    assert ls.expected_start_gradient_norm(Link.hermite(2), 3) == pytest.approx(2 / 3, rel=1e-14)
    # relu: phi'(m) = (pi - arccos m)/(2 pi) -> 1/4 as d grows
    assert ls.expected_start_gradient_norm(Link.relu(), 10**6) == pytest.approx(0.25, rel=1e-5)


@pytest.mark.parametrize("name", ("he2", "he3", "relu", "he3+he4"))
def test_measured_start_gradients_agree_with_the_expectation(name):
    link = Link.named(name)
    run = ls.start_gradients(link, 200, samples=4000, seed=5)
    assert abs(run.mean - run.expected) < 4 * run.stderr
    np.testing.assert_allclose(run.norm, ls.gradient_norm(run.m0, link), rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(run.signal, ls.signal_component(run.m0, link), rtol=1e-10, atol=1e-15)
    assert run.m0.shape == run.norm.shape == (4000,)


def test_start_gradients_are_reproducible_and_chunked_consistently():
    a = ls.start_gradients(Link.hermite(3), 3_000_000 // 1000, samples=1500, seed=9)  # several chunks
    b = ls.start_gradients(Link.hermite(3), 3000, samples=1500, seed=9)
    np.testing.assert_array_equal(a.norm, b.norm)
    assert not a.norm.flags.writeable


def test_scaling_fit_recovers_the_slope_of_the_exact_curve():
    s = ls.start_gradient_scaling(Link.hermite(2), dims=(50, 200, 800, 3200), samples=400, seed=1)
    assert s.theory_slope == -0.5
    assert s.slope == pytest.approx(s.expected_slope, abs=0.05)
    np.testing.assert_allclose(s.dims, [50, 200, 800, 3200])


# --------------------------------------------------------------------------- critical sets


EQUATOR = {  # name: (stationary, kind, global maximum)
    "he1": (False, "not stationary", False),
    "relu": (False, "not stationary", False),
    "tanh": (False, "not stationary", False),
    "sign": (False, "not stationary", False),
    "cubic": (False, "not stationary", False),
    "he2": (True, "maximum", True),
    "abs": (True, "maximum", True),
    "quadratic": (True, "maximum", True),
    "he4": (True, "maximum", True),
    "he6": (True, "maximum", True),
    "he3": (True, "degenerate saddle", False),
    "he5": (True, "degenerate saddle", False),
    "he3+he4": (True, "degenerate saddle", False),
}


@pytest.mark.parametrize("name", EQUATOR)
def test_equator_is_stationary_only_for_k_star_at_least_2(name):
    eq = ls.classify_equator(Link.named(name))
    assert (eq.stationary, eq.kind, eq.global_maximum) == EQUATOR[name]
    assert eq.stationary == (eq.gradient_norm == 0.0)
    assert eq.degenerate == (eq.stationary and eq.information_exponent >= 3)


def test_equator_hessian_across_is_minus_mu2_squared():
    assert ls.classify_equator(Link.hermite(2)).transverse_hessian == pytest.approx(-2.0)
    assert ls.classify_equator(Link.hermite(4)).transverse_hessian == 0.0
    assert ls.classify_equator(Link.named("abs")).transverse_hessian == pytest.approx(-2 / math.pi, rel=1e-12)


@pytest.mark.parametrize("k", range(1, 9))
def test_critical_sets_of_hermite_links(k):
    points = ls.critical_overlaps(Link.hermite(k))
    kinds = {p.m: p.kind for p in points}
    if k == 1:
        assert kinds == {-1.0: "global maximum", 1.0: "global minimum"}
    elif k % 2 == 0:
        assert kinds == {-1.0: "global minimum", 0.0: "global maximum", 1.0: "global minimum"}
    else:
        assert kinds == {-1.0: "global maximum", 0.0: "saddle", 1.0: "global minimum"}


def test_he3_plus_he4_has_a_spurious_local_minimum_at_minus_w_star():
    # phi'(m) = m^2 (3 + 4m)/2 vanishes at m = -3/4: a ring of maxima with L = 1 + 27/512.
    points = ls.critical_overlaps(Link.named("he3+he4"))
    assert [p.kind for p in points] == ["local minimum", "global maximum", "saddle", "global minimum"]
    assert points[1].m == pytest.approx(-0.75, abs=1e-12)
    assert points[1].loss == pytest.approx(1 + 27 / 512, rel=1e-13)
    assert points[0].loss == pytest.approx(1.0, rel=1e-13)


def test_relu_has_only_the_two_poles():
    points = ls.critical_overlaps(Link.relu())
    assert [(p.m, p.kind) for p in points] == [(-1.0, "global maximum"), (1.0, "global minimum")]
    assert points[0].loss == pytest.approx(0.5)


# --------------------------------------------------------------------------- pictures and profiles


def test_sphere_grid_evaluates_the_landscape_on_unit_vectors():
    grid = ls.sphere_grid(Link.hermite(3), n_lat=7, n_lon=9)
    assert grid.points.shape == (7, 9, 3) and grid.loss.shape == (7, 9)
    np.testing.assert_allclose(np.linalg.norm(grid.points, axis=-1), 1.0, atol=1e-14)
    np.testing.assert_allclose(grid.overlap, grid.points @ np.array(grid.w_star), atol=1e-15)
    np.testing.assert_allclose(grid.loss, 1 - grid.overlap**3, atol=1e-14)
    np.testing.assert_allclose((grid.gradient * grid.points).sum(-1), 0.0, atol=1e-14)
    assert np.linalg.norm(ls.DEFAULT_W_STAR) == pytest.approx(1.0, abs=1e-15)


def test_landscape_profile_with_and_without_dimension():
    bare = ls.landscape_profile(Link.hermite(4), points=11)
    assert bare.d is None and bare.band is None and bare.zoom_m is None
    np.testing.assert_allclose(bare.loss, 1 - bare.m**4, atol=1e-14)
    full = ls.landscape_profile(Link.hermite(4), d=400, probability=0.9, points=21)
    assert full.band == pytest.approx(ls.start_band(400, 0.9))
    assert np.abs(full.zoom_m).max() == pytest.approx(0.2)
    assert full.expected_gradient_norm == pytest.approx(ls.expected_start_gradient_norm(Link.hermite(4), 400))


# --------------------------------------------------------------------------- bad input


W_STAR, W = unit_pair(4, 0.2, seed=0)
HE3 = Link.hermite(3)

BAD_CALLS = [
    (lambda: ls.loss(W, W_STAR, "he3"), TypeError, "link must be"),
    (lambda: ls.loss(2 * W, W_STAR, HE3), ValueError, "w must have unit norm"),
    (lambda: ls.loss(W, W_STAR[:3] / np.linalg.norm(W_STAR[:3]), HE3), ValueError, "dimension of w_star"),
    (lambda: ls.spherical_gradient(W, np.ones((2, 2)) / 2, HE3), ValueError, "w_star must be a 1-D unit vector"),
    (lambda: ls.spherical_gradient([np.nan] * 4, W_STAR, HE3), ValueError, "w must be finite"),
    (lambda: ls.spherical_gradient("w", W_STAR, HE3), TypeError, "w must be real numbers"),
    (lambda: ls.signal_component(1.5, HE3), ValueError, r"m must be an overlap in \[-1, 1\], got a value 1.5"),
    (lambda: ls.gradient_norm([0.1, -2.0], HE3), ValueError, "m must be an overlap"),
    (lambda: ls.start_overlap_density(0.1, 1), ValueError, "d must be an integer >= 2"),
    (lambda: ls.start_overlap_density(0.1, 3.0), TypeError, "d must be an integer >= 2"),
    (lambda: ls.start_overlap_density(0.1, True), TypeError, "d must be an integer"),
    (lambda: ls.sample_start_overlap(10, 0), ValueError, "size must be an integer >= 1"),
    (lambda: ls.sample_start_overlap(10, 5, seed=-1), ValueError, "seed must be an integer >= 0"),
    (lambda: ls.uniform_sphere(1, 5), ValueError, "d must be"),
    (lambda: ls.start_overlap_tail(np.inf, 10), ValueError, "c must be finite"),
    (lambda: ls.start_overlap_tail_limit("x"), TypeError, "c must be real numbers"),
    (lambda: ls.start_overlap_tail_bound(-0.5), ValueError, "c must be >= 0"),
    (lambda: ls.start_band(10, 1.0), ValueError, r"probability must be a number in \(0, 1\), got 1.0"),
    (lambda: ls.expected_start_gradient_norm(HE3, 0), ValueError, "d must be"),
    (lambda: ls.start_gradients(HE3, 10, samples=1), ValueError, "samples must be an integer >= 2"),
    (lambda: ls.start_gradients(HE3, 10, seed=1.5), TypeError, "seed must be an integer"),
    (lambda: ls.start_gradient_scaling(HE3, dims=(10, 10)), ValueError, "two distinct dimensions"),
    (lambda: ls.start_gradient_scaling(HE3, dims=(10, 1.5)), ValueError, "dims must be integers >= 2"),
    (lambda: ls.critical_overlaps(None), TypeError, "link must be"),
    (lambda: ls.classify_equator(3), TypeError, "link must be"),
    (lambda: ls.sphere_grid(HE3, w_star=W_STAR), ValueError, "unit vector of R\\^3"),
    (lambda: ls.sphere_grid(HE3, n_lat=2), ValueError, "n_lat must be an integer >= 3"),
    (lambda: ls.landscape_profile(HE3, d=1), ValueError, "d must be"),
    (lambda: ls.landscape_profile(HE3, probability=0), ValueError, "probability must be"),
    (lambda: ls.landscape_profile(HE3, points=2), ValueError, "points must be an integer >= 3"),
]


@pytest.mark.parametrize("call, error, match", BAD_CALLS)
def test_bad_input_raises_an_error_naming_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()
