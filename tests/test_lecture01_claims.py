"""Every number stated in lectures/01-hermite.ipynb, recomputed.

Each test names the claim; the comment quotes where the lecture states it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.polynomial import hermite as physicists
from numpy.polynomial import polynomial as P
from scipy import integrate

from lecturelib import Link
from lecturelib.hermite import (
    correlated_expectation,
    gaussian_expectation,
    hermite,
    hermite_coefficients,
    hermite_monomials,
    information_exponent,
    mehler,
)
from lecturelib.links import CATALOGUE, sample_population_loss

SQRT_2PI = math.sqrt(2 * math.pi)
SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


def gaussian_quad(g) -> float:
    """E[g(G)] by adaptive quadrature on each half-line (kinks sit at 0), independent of lecturelib."""
    def density_times_g(x: float) -> float:
        return g(x) * math.exp(-x * x / 2) / SQRT_2PI

    return sum(integrate.quad(density_times_g, a, b, epsabs=1e-10, limit=200)[0]
               for a, b in ((-np.inf, 0.0), (0.0, np.inf)))


# --------------------------------------------------------------------------- the basis


def test_first_hermite_polynomials_are_as_listed():
    # "He_0 = 1, He_1 = x, He_2 = x^2 - 1, He_3 = x^3 - 3x, He_4 = x^4 - 6x^2 + 3"
    assert [hermite_monomials(k) for k in range(5)] == [
        (1,), (0, 1), (-1, 0, 1), (0, -3, 0, 1), (3, 0, -6, 0, 1)]
    assert hermite_monomials(5) == (0, 15, 0, -10, 0, 1)


def test_rodrigues_formula_defines_the_same_polynomials():
    # He_k phi = (-1)^k phi^(k): differentiate phi symbolically as (polynomial) * phi
    poly = np.array([1.0])
    for k in range(8):
        assert np.allclose(poly, np.array(hermite_monomials(k), dtype=float))
        poly = P.polysub(P.polymulx(poly), P.polyder(poly))  # -(p phi)' = (x p - p') phi


@pytest.mark.parametrize("k", range(0, 9))
def test_physicists_polynomials_are_a_rescaling(k):
    # "H_k(x) = 2^{k/2} He_k(sqrt 2 x)"
    x = np.linspace(-2, 2, 9)
    np.testing.assert_allclose(physicists.hermval(x, [0] * k + [1]),
                               2 ** (k / 2) * hermite(k, math.sqrt(2) * x), rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize(("x", "t"), [(0.3, 0.5), (-1.2, 0.8), (2.0, -0.4)])
def test_generating_function(x, t):
    # "sum_k He_k(x) t^k / k! = exp(tx - t^2/2)"
    total = sum(float(hermite(k, x)) * t**k / math.factorial(k) for k in range(60))
    assert total == pytest.approx(math.exp(t * x - t * t / 2), rel=1e-13)


def test_derivative_and_recurrence_hold_exactly_up_to_degree_20():
    # "(1) ... exactly for k <= 20: True", "(3) ... exactly for k <= 20: True"
    he = [np.array(hermite_monomials(k), dtype=object) for k in range(22)]
    for k in range(1, 21):
        assert list(P.polyder(he[k])) == list(k * he[k - 1])
        assert list(he[k + 1]) == list(P.polysub(P.polymulx(he[k]), k * he[k - 1]))


@pytest.mark.parametrize("k", range(6))
def test_integration_by_parts_with_shifted_cosine(k):
    # "E[He_k(G) g(G)] = E[g^(k)(G)]" with g = cos(x + 1): both equal e^{-1/2} cos(1 + k pi/2)
    exact = math.exp(-0.5) * math.cos(1 + k * math.pi / 2)
    assert gaussian_expectation(lambda x: hermite(k, x) * np.cos(x + 1)) == pytest.approx(exact, abs=1e-13)
    assert gaussian_quad(lambda x: float(hermite(k, x)) * math.cos(x + 1)) == pytest.approx(exact, abs=1e-11)
    assert f"{exact:+.10f}" in {"+0.3277099140", "-0.5103779515", "-0.3277099140", "+0.5103779515"}


def test_gram_matrix_has_factorials_on_the_diagonal_and_h_is_orthonormal_to_60():
    # printed Gram matrix diag(1, 1, 2, 6, 24, 120); "below 1e-12: True" for j, k <= 60
    gram = np.array([[gaussian_quad(lambda x: float(hermite(j, x) * hermite(k, x))) for k in range(6)]
                     for j in range(6)])
    np.testing.assert_allclose(gram, np.diag([1, 1, 2, 6, 24, 120]), atol=1e-9)
    unit = np.array([hermite_coefficients(lambda x, j=j: hermite(j, x, normalized=True), 60, normalized=True)
                     for j in range(61)])
    assert np.abs(unit - np.eye(61)).max() < 1e-12


# --------------------------------------------------------------------------- expansions


def test_relu_coefficients_are_the_listed_sequence():
    # "mu(relu) = (1, sqrt(pi/2), 1, 0, -1, 0, 3, 0, -15, ...)/sqrt(2 pi)"
    listed = np.array([1, math.sqrt(math.pi / 2), 1, 0, -1, 0, 3, 0, -15]) / SQRT_2PI
    by_quad = [gaussian_quad(lambda x, k=k: max(x, 0.0) * float(hermite(k, x))) for k in range(9)]
    np.testing.assert_allclose(by_quad, listed, atol=1e-10)
    np.testing.assert_allclose(Link.relu().coefficients[:9], listed, atol=1e-15)


@pytest.mark.parametrize("k", range(2, 13))
def test_relu_and_sign_coefficient_formulas_of_the_lemma(k):
    def dfact(n: int) -> int:
        return math.prod(range(n, 0, -2)) if n > 0 else 1

    relu = 0.0 if k % 2 else (-1) ** (k // 2 + 1) * dfact(k - 3) / SQRT_2PI
    sign = 0.0 if k % 2 == 0 else (-1) ** ((k - 1) // 2) * 2 * dfact(k - 2) / SQRT_2PI
    assert float(hermite(k - 2, 0.0)) / SQRT_2PI == pytest.approx(relu, abs=1e-14)
    assert 2 * float(hermite(k - 1, 0.0)) / SQRT_2PI == pytest.approx(sign, abs=1e-14)
    assert gaussian_quad(lambda x: max(x, 0.0) * float(hermite(k, x))) == pytest.approx(relu, abs=1e-9)
    half_line = integrate.quad(lambda x: float(hermite(k, x)) * math.exp(-x * x / 2) / SQRT_2PI, 0, np.inf)[0]
    assert 2 * half_line * (k % 2) == pytest.approx(sign, abs=1e-9)


@pytest.mark.parametrize(("name", "printed"), [("relu", "7e-04"), ("abs", "1e-03"), ("sign", "4e-03")])
def test_gauss_hermite_alone_is_inaccurate_and_breakpoints_fix_it(name, printed):
    # printed: "Gauss-Hermite 7e-04 / 1e-03 / 4e-03", "with breakpoint below 1e-14: True"
    link = Link.named(name)
    exact = link.normalized_coefficients[:61]
    err_plain = np.abs(hermite_coefficients(link.f, 60, normalized=True) - exact).max()
    err_split = np.abs(hermite_coefficients(link.f, 60, normalized=True, breakpoints=(0.0,)) - exact).max()
    assert f"{err_plain:.0e}" == printed
    assert err_split < 1e-14


@pytest.mark.parametrize(("name", "parity", "exponent", "printed"), [("relu", 0, -2.5, -2.55), ("sign", 1, -1.5, -1.51)])
def test_energy_decays_like_a_power_for_kinks(name, parity, exponent, printed):
    # "a_k^2 decays like k^{-5/2} for ReLU, like k^{-3/2} for sign"; printed fits -2.55, -1.51
    c = Link.named(name).normalized_coefficients
    k = np.arange(20, 61)
    k = k[k % 2 == parity]
    slope = np.polyfit(np.log(k), np.log(c[k] ** 2), 1)[0]
    assert round(slope, 2) == printed
    assert abs(slope - exponent) < 0.1  # the asymptotic exponent, reached slowly


def test_tanh_energy_decays_faster_than_any_power():
    # "faster than any power for tanh": the log-log slope keeps steepening
    c = Link.named("tanh").normalized_coefficients

    def slope(lo: int, hi: int) -> float:
        k = np.arange(lo, hi, 2)
        return np.polyfit(np.log(k), np.log(c[k] ** 2), 1)[0]

    assert slope(41, 81) < slope(21, 61) < -9


# --------------------------------------------------------------------------- information exponent


EXPECTED_TABLE = {  # printed: link, k_*, c_(k_*), even
    "relu": (1, 0.5, False), "abs": (2, 1 / math.sqrt(math.pi), True), "sign": (1, SQRT_2_OVER_PI, False),
    "tanh": (1, None, False), "sigmoid": (1, None, False),
    "he1": (1, 1.0, False), "he2": (2, 1.0, True), "he3": (3, 1.0, False), "he4": (4, 1.0, True),
    "quadratic": (2, 1.0, True), "cubic": (1, 3.0, False), "he3+he4": (3, 1 / math.sqrt(2), False),
}
PRINTED_LEADING = {"relu": "+0.5000", "abs": "+0.5642", "sign": "+0.7979", "tanh": "+0.6057",
                   "sigmoid": "+0.2066", "cubic": "+3.0000", "he3+he4": "+0.7071"}


@pytest.mark.parametrize("name", CATALOGUE)
def test_information_exponent_table(name):
    k_star, leading, even = EXPECTED_TABLE[name]
    link = Link.named(name)
    assert link.information_exponent == k_star
    assert link.is_even == even
    c = link.normalized_coefficients[k_star]
    if leading is None:  # tanh, sigmoid: c_1 = E f'(G), by independent quadrature
        leading = gaussian_quad(lambda x: float(link.df(np.array(x))))
    assert c == pytest.approx(leading, abs=1e-12)
    assert f"{c:+.4f}" == PRINTED_LEADING.get(name, "+1.0000")


@pytest.mark.parametrize(("f", "breakpoints", "k_star"),
                         [(np.tanh, None, 1), (np.abs, (0.0,), 2), (lambda z: z**3, None, 1), (np.cos, None, 2)],
                         ids=["tanh", "abs", "cube", "cos"])
def test_information_exponent_of_raw_functions(f, breakpoints, k_star):
    assert information_exponent(f, breakpoints=breakpoints) == k_star


# --------------------------------------------------------------------------- Mehler and the lemma


def test_mehler_table_at_correlation_0_6():
    # printed diagonal 1, 0.6, 0.36, 0.216, 0.1296 and zeros elsewhere
    table = np.array([[correlated_expectation(lambda x: hermite(j, x, normalized=True),
                                              lambda x: hermite(k, x, normalized=True), 0.6)
                       for k in range(5)] for j in range(5)])
    np.testing.assert_allclose(table, np.diag([1, 0.6, 0.36, 0.216, 0.1296]), atol=1e-12)
    assert [round(float(mehler(k, k, 0.6, normalized=True)), 6) for k in range(5)] == [1.0, 0.6, 0.36, 0.216, 0.1296]


@pytest.mark.parametrize("name", CATALOGUE)
def test_loss_near_the_equator_is_flat_to_order_k_star(name):
    # "L(m) = L(0) - mu_{k*}^2/k*! m^{k*} + O(m^{k*+1})", remainder at most |m|^{k*+1} E f^2
    link = Link.named(name)
    k = link.information_exponent
    m = np.array([-0.3, -0.1, -0.01, 0.01, 0.1, 0.3])
    remainder = link.population_loss(m) - (link.population_loss(0.0) - link.normalized_coefficients[k] ** 2 * m**k)
    assert np.all(np.abs(remainder) <= np.abs(m) ** (k + 1) * link.second_moment + 1e-12)


@pytest.mark.parametrize("name", CATALOGUE)
def test_slope_at_the_equator_is_zero_unless_k_star_is_one_and_the_order_of_flatness_is_k_star(name):
    # "The slope L'(0) = -a_1^2 is nonzero only when k_* = 1; for k_* >= 2 it is 0, and so are all
    # derivatives of order below k_*": L(m) - L(0) is of exact order m^{k_*}
    link = Link.named(name)
    k, a = link.information_exponent, link.normalized_coefficients
    assert -link.correlation_derivative(0.0) == pytest.approx(-a[1] ** 2, abs=1e-12)
    assert (link.correlation_derivative(0.0) != 0.0) == (k == 1)
    for h in (1e-2, 1e-3):
        ratio = (link.population_loss(h) - link.population_loss(0.0)) / h**k
        assert ratio == pytest.approx(-a[k] ** 2, rel=30 * h * link.second_moment / a[k] ** 2)


@pytest.mark.parametrize("k", range(1, 7))
def test_normalized_hermite_link_has_loss_one_minus_m_to_the_k(k):
    m = np.linspace(-1, 1, 21)
    np.testing.assert_allclose(Link.hermite(k).population_loss(m), 1 - m**k, atol=1e-14)


def test_relu_loss_at_the_equator_and_its_slope():
    # "L(0) = 1/2 - 1/(2 pi) ~ 0.3408", "L(m) = L(0) - m/4 + O(m^2)", "psi'(0) = 0.250000"
    relu = Link.relu()
    assert relu.population_loss(0.0) == pytest.approx(0.5 - 1 / (2 * math.pi), abs=1e-15)
    assert f"{relu.population_loss(0.0):.4f}" == "0.3408"
    assert relu.correlation_derivative(0.0) == 0.25
    assert relu.normalized_coefficients[1] ** 2 == 0.25
    # the kernel is E[relu(G1) relu(G2)]: check it against direct 2-D integration at m = 0.5
    m = 0.5
    direct = integrate.dblquad(
        lambda g3, g1: g1 * max(m * g1 + math.sqrt(1 - m * m) * g3, 0.0)
        * math.exp(-(g1 * g1 + g3 * g3) / 2) / (2 * math.pi),
        0, 12, -12, 12, epsabs=1e-11)[0]
    assert relu.correlation(m) == pytest.approx(direct, abs=1e-8)


def test_relu_series_matches_kernel_within_the_stated_tail():
    # "agrees with it on |m| <= 0.9, where the neglected tail is at most 0.9^81 times its value at m = 1"
    relu = Link.relu()
    c2 = relu.normalized_coefficients**2
    tail = relu.second_moment - c2.sum()
    m = np.linspace(-0.9, 0.9, 181)
    gap = np.abs(P.polyval(m, c2) - relu.correlation(m))
    assert gap.max() <= 0.9**81 * tail + 1e-15
    assert gap.max() < 1e-8


def test_monte_carlo_in_dimension_50_agrees_with_the_lemma():
    # "Every Monte Carlo estimate lies within three standard errors of the formula"
    overlaps = [-0.9, -0.5, 0.0, 0.3, 0.6, 0.8, 0.95]
    for link, seed in ((Link.hermite(3), 1), (Link.relu(), 2)):
        check = sample_population_loss(link, overlaps, d=50, samples=400_000, seed=seed)
        np.testing.assert_allclose(check.m, overlaps, atol=1e-12)
        assert np.all(np.abs(check.mean - check.formula) < 3 * check.stderr)


def test_random_start_has_overlap_of_order_one_over_sqrt_d():
    # "a random start, which sits at |m| ~ 1/sqrt(d)": E m0^2 = 1/d
    d, n = 50, 20_000
    w = np.random.default_rng(0).standard_normal((n, d))
    m0 = w[:, 0] / np.linalg.norm(w, axis=1)
    assert abs(np.mean(m0**2) * d - 1) < 4 * np.std(m0**2 * d) / math.sqrt(n)


# --------------------------------------------------------------------------- exercises


def test_abs_coefficients_of_the_first_exercise():
    # "mu_0 = mu_2 = sqrt(2/pi), mu_4 = -sqrt(2/pi), mu_6 = 3 sqrt(2/pi)", odd ones zero, k_* = 2
    mu = hermite_coefficients(np.abs, 8, breakpoints=(0.0,)) / SQRT_2_OVER_PI
    np.testing.assert_allclose(mu, [1, 0, 1, 0, -1, 0, 3, 0, -15], atol=1e-12)
    assert Link.named("abs").information_exponent == 2


@pytest.mark.parametrize("p", range(1, 10))
def test_monomials_have_exponent_one_or_two(p):
    # "k_*(z^p) = 1 for odd p and 2 for even p >= 2"; "z^3 = He_3 + 3 He_1"
    assert information_exponent(lambda z: z**p) == (1 if p % 2 else 2)
    if p == 3:
        np.testing.assert_allclose(hermite_coefficients(lambda z: z**3, 3), [0, 3, 0, 6], atol=1e-12)


def test_quartic_with_exponent_four():
    # "b = 0 and a = -6: f = z^4 - 6 z^2 = He_4 - 3", "L(m) = 24 (1 - m^4)", printed L(0.5) = 22.500000
    mu = hermite_coefficients(lambda z: z**4 - 6 * z**2, 4)
    np.testing.assert_allclose(mu, [-3, 0, 0, 0, 24], atol=1e-12)
    assert information_exponent(lambda z: z**4 - 6 * z**2) == 4
    assert information_exponent(lambda z: z**4 - 5 * z**2) == 2
    link = Link.from_function(lambda z: z**4 - 6 * z**2)
    m = np.linspace(-1, 1, 11)
    np.testing.assert_allclose(link.population_loss(m), 24 * (1 - m**4), atol=1e-10)
    assert f"{link.population_loss(0.5):.6f}" == "22.500000"
