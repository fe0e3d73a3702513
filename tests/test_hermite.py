"""Tests of lecturelib.hermite: polynomials, identities, coefficients, information exponent."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.polynomial import hermite_e, polynomial

from lecturelib.hermite import (
    correlated_expectation,
    gaussian_expectation,
    hermite,
    hermite_basis,
    hermite_coefficients,
    hermite_derivative,
    hermite_monomials,
    hermite_series,
    information_exponent,
    mehler,
)

SQRT_2PI = math.sqrt(2.0 * math.pi)


def double_factorial(n: int) -> int:
    """n!! with (-1)!! = 0!! = 1."""
    return math.prod(range(n, 0, -2)) if n > 0 else 1


def normalize(mu: np.ndarray) -> np.ndarray:
    return np.array([m / math.sqrt(math.factorial(k)) for k, m in enumerate(mu)])


# Closed forms, derived from mu_k = E[f^(k)(G)] in the sense of distributions:
# relu'' = delta_0 and E[delta_0^(n)(G)] = He_n(0) / sqrt(2 pi), He_n(0) = (-1)^(n/2) (n-1)!!.
def relu_mu(k: int) -> float:
    if k == 0:
        return 1.0 / SQRT_2PI
    if k == 1:
        return 0.5
    return 0.0 if k % 2 else (-1) ** (k // 2 + 1) * double_factorial(k - 3) / SQRT_2PI


def abs_mu(k: int) -> float:  # |x| = relu(x) + relu(-x)
    return 0.0 if k % 2 else 2.0 * relu_mu(k)


def sign_mu(k: int) -> float:  # sign' = 2 delta_0
    return 0.0 if k % 2 == 0 else 2.0 * (-1) ** ((k - 1) // 2) * double_factorial(k - 2) / SQRT_2PI


def monomial_mu(p: int, k: int) -> float:  # E[G^p He_k(G)] = p!/(p-k)! E[G^(p-k)]
    if k > p or (p - k) % 2:
        return 0.0
    return math.factorial(p) / math.factorial(p - k) * double_factorial(p - k - 1)


KINKED = {
    "relu": (lambda x: np.maximum(x, 0.0), relu_mu),
    "abs": (np.abs, abs_mu),
    "sign": (np.sign, sign_mu),
}


# --------------------------------------------------------------------------- polynomials


def test_first_hermite_polynomials_match_the_notes():
    assert hermite_monomials(0) == (1,)
    assert hermite_monomials(1) == (0, 1)
    assert hermite_monomials(2) == (-1, 0, 1)
    assert hermite_monomials(3) == (0, -3, 0, 1)
    x = np.linspace(-3, 3, 13)
    np.testing.assert_allclose(hermite(3, x), x**3 - 3 * x, rtol=1e-14, atol=1e-13)


def test_plain_hermite_is_exact_on_small_integers():
    assert hermite(3, 2.0) == 2.0
    assert hermite(10, 3.0) == float(polynomial.polyval(Fraction(3), hermite_monomials(10)))


@pytest.mark.parametrize("k", range(0, 13))
def test_hermite_matches_numpy_hermeval(k):
    x = np.linspace(-6, 6, 41)
    np.testing.assert_allclose(hermite(k, x), hermite_e.hermeval(x, [0] * k + [1]), rtol=1e-12, atol=1e-9)


def exact_hermite(k: int, x: float) -> Fraction:
    """He_k(x) in exact rational arithmetic (x is a dyadic float, so Fraction(x) is exact)."""
    xf = Fraction(x)
    return sum((Fraction(c) * xf**j for j, c in enumerate(hermite_monomials(k))), Fraction(0))


@pytest.mark.parametrize("k", [20, 40, 60])
def test_hermite_is_accurate_up_to_degree_60(k):
    x = np.array([-9.75, -3.5, -0.125, 0.3, 1.0, 2.5, 7.0, 10.0])
    scale = math.sqrt(math.factorial(k))
    exact = np.array([float(exact_hermite(k, xi)) for xi in x])
    # relative to the natural size sqrt(k!) (1 + |h_k|): near a zero, cancellation is unavoidable
    err = np.abs(hermite(k, x) - exact) / (scale * (1.0 + np.abs(exact) / scale))
    assert err.max() < 1e-12
    err_norm = np.abs(hermite(k, x, normalized=True) - exact / scale) / (1.0 + np.abs(exact) / scale)
    assert err_norm.max() < 1e-12


def test_normalized_hermite_stays_finite_for_large_degree():
    x = np.linspace(-10, 10, 201)
    h = hermite_basis(400, x, normalized=True)
    assert np.all(np.isfinite(h))
    assert np.abs(h).max() < 1e20  # e^{x^2/4}-type growth, nothing like sqrt(400!)


def test_plain_hermite_overflows_to_signed_infinity_not_nan():
    value = hermite(401, np.array([-10.0, 10.0]))
    assert np.all(np.isinf(value))
    assert value[0] < 0 < value[1]
    assert np.isinf(hermite(4, 1e200)) and hermite(3, -1e200) < 0


def test_hermite_is_orthonormal_up_to_degree_60():
    x, w = hermite_e.hermegauss(120)
    h = hermite_basis(60, x, normalized=True)
    gram = (h * (w / SQRT_2PI)) @ h.T
    np.testing.assert_allclose(gram, np.eye(61), atol=1e-12)


def test_plain_hermite_norms_are_factorials():
    x, w = hermite_e.hermegauss(40)
    he = hermite_basis(12, x)
    gram = (he * (w / SQRT_2PI)) @ he.T
    np.testing.assert_allclose(np.diag(gram), [math.factorial(k) for k in range(13)], rtol=1e-13)
    scale = np.sqrt(np.outer(np.diag(gram), np.diag(gram)))
    np.testing.assert_allclose(gram / scale, np.eye(13), atol=1e-14)


# --------------------------------------------------------------------------- identities


@pytest.mark.parametrize("k", range(1, 15))
def test_three_term_recurrence_holds_exactly(k):
    nxt, cur, prev = (np.array(hermite_monomials(j), dtype=object) for j in (k + 1, k, k - 1))
    rhs = polynomial.polysub(polynomial.polymulx(cur), k * prev)
    assert list(nxt) == list(rhs)


@pytest.mark.parametrize("k", range(1, 15))
def test_derivative_is_k_times_previous_polynomial_exactly(k):
    derivative = [j * c for j, c in enumerate(hermite_monomials(k))][1:]
    assert derivative == [k * c for c in hermite_monomials(k - 1)]


@pytest.mark.parametrize(("k", "order"), [(5, 1), (5, 2), (8, 3), (3, 3), (3, 4)])
def test_hermite_derivative_matches_differentiated_monomials(k, order):
    x = np.linspace(-3, 3, 9)
    coeffs = polynomial.polyder(np.array(hermite_monomials(k), dtype=float), order)
    np.testing.assert_allclose(hermite_derivative(k, x, order), polynomial.polyval(x, coeffs), atol=1e-9)
    np.testing.assert_allclose(
        hermite_derivative(k, x, order, normalized=True),
        polynomial.polyval(x, coeffs) / math.sqrt(math.factorial(k)),
        atol=1e-9,
    )


@settings(max_examples=40, deadline=None)
@given(k=st.integers(0, 25), a=st.floats(-1.5, 1.5))
def test_gaussian_integration_by_parts_on_exponentials(k, a):
    # g = e^{a x}: g^(k) = a^k g, E[g(G)] = e^{a^2/2}
    lhs = gaussian_expectation(lambda x: hermite(k, x) * np.exp(a * x))
    rhs = a**k * math.exp(a * a / 2)
    assert lhs == pytest.approx(rhs, rel=1e-10, abs=1e-10 * math.sqrt(math.factorial(k)))


@pytest.mark.parametrize("k", [0, 1, 2, 5, 9])
def test_gaussian_integration_by_parts_on_sine(k):
    # g = sin(2x): g^(k) = 2^k sin(2x + k pi/2)
    lhs = gaussian_expectation(lambda x: hermite(k, x) * np.sin(2 * x))
    rhs = gaussian_expectation(lambda x: 2.0**k * np.sin(2 * x + k * np.pi / 2))
    assert lhs == pytest.approx(rhs, abs=1e-11)


@pytest.mark.parametrize(("j", "k"), [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (6, 6), (2, 3), (1, 4), (2, 4)])
@pytest.mark.parametrize("rho", [-0.7, 0.0, 0.3, 0.95])
def test_mehler_formula_matches_two_dimensional_quadrature(j, k, rho):
    quad = correlated_expectation(lambda x: hermite(j, x), lambda x: hermite(k, x), rho, nodes=20)
    assert quad == pytest.approx(float(mehler(j, k, rho)), abs=1e-11)


def test_mehler_formula_matches_monte_carlo():
    rng = np.random.default_rng(3)
    rho, n = 0.6, 400_000
    g1 = rng.standard_normal(n)
    g2 = rho * g1 + math.sqrt(1 - rho**2) * rng.standard_normal(n)
    sample = hermite(3, g1) * hermite(3, g2)
    se = sample.std() / math.sqrt(n)
    assert abs(sample.mean() - float(mehler(3, 3, rho))) < 5 * se
    assert float(mehler(3, 3, rho, normalized=True)) == pytest.approx(rho**3)


def test_hermite_series_reproduces_monomial():
    x = np.linspace(-2, 2, 11)
    mu = [monomial_mu(4, k) for k in range(5)]
    np.testing.assert_allclose(hermite_series(mu, x), x**4, atol=1e-12)
    np.testing.assert_allclose(hermite_series(normalize(np.array(mu)), x, normalized=True), x**4, atol=1e-12)


# --------------------------------------------------------------------------- coefficients


@pytest.mark.parametrize("name", sorted(KINKED))
def test_kinked_coefficients_match_closed_forms_to_1e_12_with_breakpoints(name):
    f, mu = KINKED[name]
    exact = normalize(np.array([mu(k) for k in range(61)]))
    got = hermite_coefficients(f, 60, breakpoints=(0.0,), normalized=True)
    assert np.abs(got - exact).max() < 1e-12  # measured ~3e-16; the target was 1e-5


@pytest.mark.parametrize("name", sorted(KINKED))
def test_gauss_hermite_alone_is_inaccurate_on_kinks(name):
    f, mu = KINKED[name]
    exact = normalize(np.array([mu(k) for k in range(21)]))
    err = np.abs(hermite_coefficients(f, 20, normalized=True) - exact).max()
    assert 1e-5 < err < 1e-2  # why breakpoints exist


@pytest.mark.parametrize("p", [0, 1, 2, 3, 5, 8, 12])
def test_monomial_coefficients_match_closed_form(p):
    exact = normalize(np.array([monomial_mu(p, k) for k in range(21)]))
    got = hermite_coefficients(lambda x: x**p, 20, normalized=True)
    # measured: 1e-15 relative to the largest coefficient
    np.testing.assert_allclose(got, exact, rtol=0, atol=1e-13 * np.abs(exact).max())
    plain = [monomial_mu(p, k) for k in range(p + 1)]
    np.testing.assert_allclose(hermite_coefficients(lambda x: x**p, p), plain,
                               rtol=1e-12, atol=1e-13 * max(plain))


@pytest.mark.parametrize(
    ("f", "mu"),
    [
        (np.cos, lambda k: math.exp(-0.5) * math.cos(k * math.pi / 2)),
        (np.sin, lambda k: math.exp(-0.5) * math.sin(k * math.pi / 2)),
    ],
    ids=["cos", "sin"],
)
@pytest.mark.parametrize("breakpoints", [None, ()], ids=["gauss-hermite", "piecewise"])
def test_trigonometric_coefficients_match_closed_form_to_1e_12(f, mu, breakpoints):
    exact = normalize(np.array([mu(k) for k in range(61)]))
    got = hermite_coefficients(f, 60, breakpoints=breakpoints, normalized=True)
    assert np.abs(got - exact).max() < 1e-12  # measured ~4e-16; the target was 1e-8


def test_tanh_coefficients_agree_between_the_two_rules():
    a = hermite_coefficients(np.tanh, 60, normalized=True)
    b = hermite_coefficients(np.tanh, 60, breakpoints=(), normalized=True)
    assert np.abs(a - b).max() < 1e-13
    assert np.abs(a[::2]).max() < 1e-15  # tanh is odd


def test_coefficients_reconstruct_the_function_in_l2():
    mu = hermite_coefficients(np.tanh, 80, normalized=True)
    assert np.sum(mu**2) == pytest.approx(gaussian_expectation(lambda x: np.tanh(x) ** 2), abs=1e-11)


def test_constant_function_returning_a_scalar_is_accepted():
    np.testing.assert_allclose(hermite_coefficients(lambda x: 2.0, 3), [2.0, 0, 0, 0], atol=1e-14)


# --------------------------------------------------------------------------- information exponent


@pytest.mark.parametrize(
    ("f", "breakpoints", "k_star"),
    [
        (lambda x: x**3, None, 1),
        (lambda x: x**2, None, 2),
        (lambda x: x**4 - 6 * x**2 + 3, None, 4),
        (lambda x: hermite(7, x, normalized=True), None, 7),
        (lambda x: hermite(3, x) + hermite(5, x), None, 3),
        (np.cos, None, 2),
        (np.tanh, None, 1),
        (lambda x: np.maximum(x, 0), (0.0,), 1),
        (np.abs, (0.0,), 2),
        (np.sign, (0.0,), 1),
    ],
    ids=["x^3", "x^2", "He4", "h7", "He3+He5", "cos", "tanh", "relu", "abs", "sign"],
)
def test_information_exponent_of_common_functions(f, breakpoints, k_star):
    assert information_exponent(f, breakpoints=breakpoints) == k_star


def test_information_exponent_above_kmax_is_an_error_that_says_so():
    with pytest.raises(ValueError, match="kmax=5"):
        information_exponent(lambda x: hermite(8, x), kmax=5)
    assert information_exponent(lambda x: hermite(8, x), kmax=8) == 8


def test_information_exponent_of_a_constant_is_an_error():
    with pytest.raises(ValueError, match="constant"):
        information_exponent(lambda x: np.ones_like(x))


def test_information_exponent_tolerance_is_relative_to_the_norm():
    # 1e-6 * He_1 + He_3: k* = 1 at tol 1e-8, but 3 at tol 1e-4
    f = lambda x: 1e-6 * x + hermite(3, x, normalized=True)  # noqa: E731
    assert information_exponent(f) == 1
    assert information_exponent(f, tol=1e-4) == 3


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("k", [-1, -5])
def test_negative_degree_is_a_value_error_naming_k(k):
    with pytest.raises(ValueError, match=r"k must be a non-negative integer, got -"):
        hermite(k, 1.0)


@pytest.mark.parametrize("k", [2.5, 3.0, "3", None, True])
def test_non_integer_degree_is_a_type_error_naming_k(k):
    with pytest.raises(TypeError, match="k must be a non-negative integer"):
        hermite(k, 1.0)


def test_numpy_integer_degree_is_accepted():
    assert hermite(np.int64(2), 3.0) == 8.0


@pytest.mark.parametrize("x", [np.nan, np.inf, [0.0, -np.inf]])
def test_non_finite_points_are_a_value_error_naming_x(x):
    with pytest.raises(ValueError, match="x must be finite"):
        hermite(2, x)


@pytest.mark.parametrize(
    "f",
    [lambda x: np.where(x > 20, np.nan, x), lambda x: np.exp(x**2), lambda x: 1.0 / x * 0 + np.inf],
    ids=["nan", "overflow", "inf"],
)
def test_non_finite_function_values_are_a_value_error_naming_f(f):
    with np.errstate(all="ignore"), pytest.raises(ValueError, match="f returned non-finite values"):
        hermite_coefficients(f, 5)


def test_bad_arguments_of_coefficients_name_the_argument():
    with pytest.raises(TypeError, match="f must be a callable"):
        hermite_coefficients(3.0, 5)
    with pytest.raises(ValueError, match="kmax must be a non-negative integer, got -1"):
        hermite_coefficients(np.sin, -1)
    with pytest.raises(ValueError, match="breakpoints must be finite"):
        hermite_coefficients(np.sin, 3, breakpoints=(np.nan,))
    with pytest.raises(TypeError, match="breakpoints must be a sequence"):
        hermite_coefficients(np.sin, 3, breakpoints=0.0)
    with pytest.raises(ValueError, match="f must return an array of the shape"):
        hermite_coefficients(lambda x: x[:3], 3)
    with pytest.raises(TypeError, match="f must accept a numpy array"):
        hermite_coefficients(math.sin, 3)


def test_bad_arguments_of_information_exponent_name_the_argument():
    with pytest.raises(ValueError, match="tol must be a real number in \\(0, 1\\), got 0"):
        information_exponent(np.sin, tol=0)
    with pytest.raises(ValueError, match="kmax must be at least 1"):
        information_exponent(np.sin, kmax=0)


def test_bad_correlation_is_a_value_error_naming_rho():
    with pytest.raises(ValueError, match="rho must"):
        mehler(2, 2, 1.5)
    with pytest.raises(ValueError, match="rho must"):
        correlated_expectation(np.sin, np.sin, -1.01)
    with pytest.raises(ValueError, match="nodes must be an integer"):
        correlated_expectation(np.sin, np.sin, 0.5, nodes=0)


def test_bad_series_coefficients_name_the_argument():
    with pytest.raises(ValueError, match="coefficients must be finite"):
        hermite_series([1.0, np.inf], 0.0)
    with pytest.raises(ValueError, match="coefficients must be a non-empty 1-D array"):
        hermite_series([], 0.0)
