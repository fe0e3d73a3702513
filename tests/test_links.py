"""Tests of lecturelib.links: the Link contract, closed forms, population quantities."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lecturelib.hermite import correlated_expectation, hermite, hermite_coefficients, hermite_derivative
from lecturelib.links import (
    CATALOGUE,
    CLOSED_FORMS,
    Link,
    directions_with_overlap,
    sample_population_loss,
)

M_GRID = np.linspace(-0.95, 0.95, 39)

EXPECTED_EXPONENT = {
    "relu": 1, "abs": 2, "sign": 1, "tanh": 1, "sigmoid": 1,
    "he1": 1, "he2": 2, "he3": 3, "he4": 4, "quadratic": 2, "cubic": 1, "he3+he4": 3,
}
EVEN = {"abs", "he2", "he4", "quadratic"}


def two_directions(d: int, m: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors w_star, w in R^d with <w, w_star> = m (w_star uniform on the sphere)."""
    w_star, w = directions_with_overlap(d, m, seed=seed)
    return w_star, w[0]


# --------------------------------------------------------------------------- the catalogue


def test_catalogue_holds_the_contract_names():
    assert set(CLOSED_FORMS) == {"relu", "abs", "sign", "tanh", "sigmoid"}
    assert set(EXPECTED_EXPONENT) == set(CATALOGUE)


@pytest.mark.parametrize("name", CATALOGUE)
def test_information_exponent_of_catalogue_links(name):
    assert Link.named(name).information_exponent == EXPECTED_EXPONENT[name]


@pytest.mark.parametrize("name", CATALOGUE)
def test_is_even_matches_the_symmetry_of_f(name):
    link = Link.named(name)
    z = np.linspace(-4, 4, 81)
    assert link.is_even == (name in EVEN)
    assert link.is_even == bool(np.allclose(link.f(z), link.f(-z), atol=1e-12))


def test_catalogue_links_are_the_advertised_functions():
    z = np.linspace(-3, 3, 25)
    np.testing.assert_allclose(Link.named("quadratic").f(z), (z**2 - 1) / math.sqrt(2), atol=1e-14)
    np.testing.assert_allclose(Link.named("cubic").f(z), z**3, atol=1e-13)
    np.testing.assert_allclose(
        Link.named("he3+he4").f(z),
        (hermite(3, z, normalized=True) + hermite(4, z, normalized=True)) / math.sqrt(2), atol=1e-13,
    )
    np.testing.assert_allclose(Link.named("sigmoid").f(z), 1 / (1 + np.exp(-z)), atol=1e-15)
    np.testing.assert_allclose(Link.relu().f(z), np.maximum(z, 0))


@pytest.mark.parametrize("name", ["relu", "abs", "sign"])
def test_exact_kink_coefficients_match_quadrature(name):
    link = Link.named(name)
    quad = hermite_coefficients(link.f, link.kmax, breakpoints=(0.0,), normalized=True)
    assert np.abs(link.normalized_coefficients - quad).max() < 1e-14


def test_relu_first_coefficients_are_the_closed_forms():
    mu = Link.relu().coefficients
    np.testing.assert_allclose(mu[:7], np.array([1, math.sqrt(math.pi / 2), 1, 0, -1, 0, 3]) / math.sqrt(2 * math.pi),
                               rtol=1e-14, atol=1e-16)


@pytest.mark.parametrize("name", ["tanh", "sigmoid"])
def test_smooth_closed_forms_have_negligible_truncated_tail(name):
    link = Link.named(name)
    tail = link.second_moment - link.correlation(1.0)
    assert abs(tail) < 1e-11  # the documented bound 4e-12 (tanh), 1e-15 (sigmoid), plus quadrature error


# --------------------------------------------------------------------------- Hermite links


@pytest.mark.parametrize("k", range(1, 8))
def test_hermite_link_loss_is_one_minus_m_to_the_k(k):
    link = Link.hermite(k)
    np.testing.assert_allclose(link.population_loss(M_GRID), 1 - M_GRID**k, atol=1e-14)
    assert link.information_exponent == k
    assert link.second_moment == pytest.approx(1.0, abs=1e-14)


@pytest.mark.parametrize("k", range(1, 8))
def test_hermite_link_drift_is_k_m_to_the_k_minus_1_times_one_minus_m_squared(k):
    np.testing.assert_allclose(Link.hermite(k).drift(M_GRID), k * M_GRID ** (k - 1) * (1 - M_GRID**2), atol=1e-13)


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_series_derivative_is_the_shifted_series(k):
    z = np.linspace(-3, 3, 13)
    np.testing.assert_allclose(Link.hermite(k).df(z), hermite_derivative(k, z, normalized=True), atol=1e-12)


def test_hermite_link_equals_its_catalogue_name_and_is_hashable():
    assert Link.hermite(3) == Link.named("he3")
    cache = {Link.hermite(3): "k=3", Link.relu(): "relu"}
    assert cache[Link.named("he3")] == "k=3" and cache[Link.named("relu")] == "relu"
    assert hash(Link.from_hermite_series([0.0, 1.0])) == hash(Link.from_hermite_series((0.0, 1.0)))


def test_coefficients_are_read_only():
    link = Link.named("tanh")
    with pytest.raises(ValueError):
        link.coefficients[1] = 0.0
    with pytest.raises(ValueError):
        link.normalized_coefficients[1] = 0.0


# --------------------------------------------------------------------------- population quantities


def test_relu_correlation_is_the_arc_cosine_kernel_and_matches_its_series():
    link = Link.relu()
    m = np.linspace(-0.9, 0.9, 19)
    kernel = (np.sqrt(1 - m**2) + (np.pi - np.arccos(m)) * m) / (2 * np.pi)
    np.testing.assert_allclose(link.correlation(m), kernel, atol=1e-15)
    assert_series_within_its_tail(link, m)
    assert link.population_loss(1.0) == 0.0
    assert link.population_loss(0.0) == pytest.approx(0.5 - 1 / (2 * np.pi), abs=1e-15)


def assert_series_within_its_tail(link: Link, m: np.ndarray) -> None:
    """The closed form minus the degree-kmax series is at most |m|^(kmax+1) * (its tail at m = 1)."""
    c2 = link.normalized_coefficients**2
    tail = link.second_moment - c2.sum()
    gap = np.abs(link.correlation(m) - np.polynomial.polynomial.polyval(m, c2))
    assert np.all(gap <= np.abs(m) ** c2.size * tail + 1e-14)


@pytest.mark.parametrize("name", ["abs", "sign"])
def test_kink_correlations_match_their_series(name):
    assert_series_within_its_tail(Link.named(name), np.linspace(-0.9, 0.9, 19))


@pytest.mark.parametrize(("name", "tail"), [("relu", 5.9e-5), ("abs", 2.4e-4), ("sign", 0.057)])
def test_degree_80_tails_of_kinked_links_are_as_documented(name, tail):
    link = Link.named(name)
    assert link.second_moment - np.sum(link.normalized_coefficients**2) == pytest.approx(tail, rel=0.02)


@pytest.mark.parametrize("name", CATALOGUE)
def test_correlation_derivative_is_the_derivative_of_the_correlation(name):
    link = Link.named(name)
    h = 1e-6
    numeric = (link.correlation(M_GRID + h) - link.correlation(M_GRID - h)) / (2 * h)
    np.testing.assert_allclose(link.correlation_derivative(M_GRID), numeric, rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize("name", CATALOGUE)
def test_drift_is_minus_the_signal_component_of_the_spherical_gradient(name):
    # grad L(w) = -phi'(<w, w_star>) w_star; project on the tangent space at w
    link, d, m = Link.named(name), 7, 0.4
    w_star, w = two_directions(d, m, seed=1)
    grad = -link.correlation_derivative(w @ w_star) * w_star
    spherical = grad - (grad @ w) * w
    assert -(w_star @ spherical) == pytest.approx(link.drift(m), rel=1e-12)


def test_sign_drift_vanishes_only_at_the_poles():
    link = Link.named("sign")
    assert link.drift(1.0) == 0.0 and link.drift(-1.0) == 0.0
    np.testing.assert_allclose(link.drift(M_GRID), 2 / np.pi * np.sqrt(1 - M_GRID**2), atol=1e-14)


@pytest.mark.parametrize(("name", "m"), [("he3", 0.6), ("relu", 0.3), ("tanh", -0.5), ("he3+he4", 0.7), ("abs", 0.2)])
def test_population_loss_matches_monte_carlo_in_dimension_50(name, m):
    link, n = Link.named(name), 100_000
    w_star, w = two_directions(50, m, seed=7)
    x = np.random.default_rng(11).standard_normal((n, 50))
    sample = 0.5 * (link.f(x @ w_star) - link.f(x @ w)) ** 2
    se = sample.std() / math.sqrt(n)
    assert abs(sample.mean() - link.population_loss(m)) < 5 * se


@pytest.mark.parametrize(("name", "m"), [("he3", 0.5), ("relu", 0.3), ("tanh", -0.4), ("he2", 0.6)])
def test_drift_is_the_mean_of_the_per_sample_gradient(name, m):
    # g = (f(<w*,x>) - f(<w,x>)) f'(<w,x>) (<w*,x> - m <w,x>): only two Gaussians matter
    link, n = Link.named(name), 400_000
    rng = np.random.default_rng(5)
    lam, beta = rng.standard_normal((2, n))
    target = m * lam + math.sqrt(1 - m * m) * beta
    g = (link.f(target) - link.f(lam)) * link.df(lam) * (target - m * lam)
    assert abs(g.mean() - link.drift(m)) < 5 * g.std() / math.sqrt(n)


def test_sign_population_drift_is_not_the_mean_of_sample_gradients():
    link = Link.named("sign")
    assert np.all(link.df(np.linspace(-3, 3, 7)) == 0.0)
    assert link.drift(0.0) == pytest.approx(2 / np.pi)


@settings(max_examples=30, deadline=None)
@given(
    mu=st.lists(st.floats(-2, 2), min_size=2, max_size=6),
    m=st.floats(-1, 1),
)
def test_series_correlation_matches_two_dimensional_quadrature(mu, m):
    link = Link.from_hermite_series(mu)
    quad = correlated_expectation(link.f, link.f, m, nodes=12)
    scale = 1.0 + sum(abs(v) for v in mu) ** 2
    assert link.correlation(m) == pytest.approx(quad, abs=1e-11 * scale)


# --------------------------------------------------------------------------- from_function


def test_from_function_matches_the_closed_form_link():
    custom, tanh = Link.from_function(np.tanh, name="my tanh"), Link.named("tanh")
    assert custom.kind == "callable" and custom.name == "my tanh"
    np.testing.assert_allclose(custom.coefficients, tanh.coefficients, atol=1e-14)
    np.testing.assert_allclose(custom.population_loss(M_GRID), tanh.population_loss(M_GRID), atol=1e-14)
    assert custom.information_exponent == 1 and not custom.is_even


def test_numerical_derivative_is_accurate():
    z = np.linspace(-4, 4, 33)
    link = Link.from_function(lambda t: np.sin(t) + t**2)
    assert link.name == "custom"
    np.testing.assert_allclose(link.df(z), np.cos(z) + 2 * z, rtol=1e-9, atol=1e-9)


def test_given_derivative_is_used():
    link = Link.from_function(np.sin, np.cos)
    z = np.array([0.1, 1.0])
    np.testing.assert_array_equal(link.df(z), np.cos(z))


def test_from_function_with_breakpoints_recovers_relu_loss():
    link = Link.from_function(lambda t: np.maximum(t, 0), breakpoints=[0.0])
    m = np.linspace(-0.5, 0.5, 11)
    np.testing.assert_allclose(link.correlation(m), Link.relu().correlation(m), atol=1e-15)
    # L = phi(1) - phi(m) with the series truncated at kmax: off by the documented tail
    np.testing.assert_allclose(link.population_loss(m), Link.relu().population_loss(m), atol=6e-5)
    assert link.is_even is False


def test_from_function_even_link_is_detected():
    assert Link.from_function(np.cos).is_even
    assert Link.from_function(np.cos).information_exponent == 2


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("m", [1.5, -1.1, np.nan, [0.0, np.inf]])
def test_overlap_outside_the_interval_is_a_value_error_naming_m(m):
    with pytest.raises(ValueError, match="m must be an overlap in \\[-1, 1\\]"):
        Link.hermite(2).population_loss(m)


def test_overlap_a_rounding_error_above_one_is_accepted():
    assert Link.hermite(2).population_loss(1.0 + 1e-15) == 0.0


@pytest.mark.parametrize(("k", "error"), [(0, ValueError), (-1, ValueError), (171, ValueError), (2.5, TypeError), (True, TypeError)])
def test_bad_hermite_degree_names_k(k, error):
    with pytest.raises(error, match="k must be an integer"):
        Link.hermite(k)


def test_unknown_catalogue_name_lists_the_catalogue():
    with pytest.raises(ValueError, match="name must be one of .*relu"):
        Link.named("softplus")


def test_bad_series_is_rejected():
    with pytest.raises(ValueError, match="coefficients must be finite"):
        Link.from_hermite_series([0.0, np.nan])
    with pytest.raises(ValueError, match="coefficients must be 1-D"):
        Link.from_hermite_series([[0.0, 1.0]])


def test_bad_function_is_rejected():
    with pytest.raises(TypeError, match="f must be a callable"):
        Link.from_function(3.0)
    with pytest.raises(TypeError, match="df must be callable"):
        Link.from_function(np.sin, df=1.0)
    with np.errstate(all="ignore"), pytest.raises(ValueError, match="f must map an array to finite values"):
        Link.from_function(lambda t: np.log(t))


def test_function_that_overflows_on_the_nodes_is_rejected_when_coefficients_are_asked():
    link = Link.from_function(lambda t: np.exp(t**2))
    with np.errstate(over="ignore"), pytest.raises(ValueError, match="f returned non-finite values"):
        _ = link.coefficients


def test_constant_link_has_no_information_exponent():
    with pytest.raises(ValueError, match="constant"):
        _ = Link.from_hermite_series([1.0]).information_exponent


def test_link_fields_are_validated():
    with pytest.raises(ValueError, match="kind must be one of"):
        Link(name="x", kind="softplus")
    with pytest.raises(ValueError, match="series must be given exactly"):
        Link(name="x", kind="hermite_series")
    with pytest.raises(TypeError, match="series must be a tuple of floats"):
        Link(name="x", kind="hermite_series", series=[0.0, 1.0])


def test_directions_have_the_prescribed_overlaps():
    w_star, w = directions_with_overlap(30, [-1.0, -0.2, 0.0, 0.7, 1.0], seed=4)
    np.testing.assert_allclose(np.linalg.norm(w, axis=1), 1.0, atol=1e-14)
    assert np.linalg.norm(w_star) == pytest.approx(1.0, abs=1e-14)
    np.testing.assert_allclose(w @ w_star, [-1.0, -0.2, 0.0, 0.7, 1.0], atol=1e-14)


def test_bad_sampling_arguments_name_the_argument():
    with pytest.raises(ValueError, match="d must be an integer >= 2, got 1"):
        directions_with_overlap(1, 0.5)
    with pytest.raises(ValueError, match="samples must be an integer >= 2"):
        sample_population_loss(Link.hermite(2), 0.5, samples=1)
    with pytest.raises(ValueError, match="m must be an overlap"):
        sample_population_loss(Link.hermite(2), 1.5)
    with pytest.raises(TypeError, match="link must be a Link"):
        sample_population_loss(np.tanh, 0.5)
