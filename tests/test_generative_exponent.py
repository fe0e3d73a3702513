"""The generative exponent: values of the catalogue, the binning check, atoms, polynomials."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lecturelib import Link
from lecturelib.links import (
    CATALOGUE, _atom_hermite_means, binned_conditional_hermite_norms, conditional_hermite_norms,
    generative_exponent_of,
)

EXPECTED = {"he1": 1, "he2": 2, "he3": 1, "he4": 2, "relu": 1, "abs": 2, "tanh": 1, "sigmoid": 1, "sign": 1,
            "quadratic": 2, "cubic": 1, "he3+he4": 1}
INFORMATION = {"he1": 1, "he2": 2, "he3": 3, "he4": 4, "relu": 1, "abs": 2, "tanh": 1, "sigmoid": 1, "sign": 1,
               "quadratic": 2, "cubic": 1, "he3+he4": 3}


@pytest.mark.parametrize("name", CATALOGUE)
def test_generative_and_information_exponents_of_the_catalogue(name):
    link = Link.named(name)
    assert link.generative_exponent == EXPECTED[name]
    assert link.information_exponent == INFORMATION[name]
    assert link.generative_exponent <= link.information_exponent


@pytest.mark.parametrize("name", ["relu", "abs", "sign", "he3", "he4", "he3+he4"])
def test_root_sum_matches_binning(name):
    link = Link.named(name)
    exact = conditional_hermite_norms(link, 2)
    binned = binned_conditional_hermite_norms(link, 2, samples=400_000, bins=400, seed=1)
    assert np.allclose(exact, binned, atol=0.03), (exact, binned)


def test_monotone_links_keep_every_hermite_coefficient():
    # y determines z: zeta_j(y) = h_j(z), so E zeta_j^2 = E h_j^2 = 1
    for name in ("tanh", "he1", "cubic"):
        assert np.allclose(conditional_hermite_norms(Link.named(name), 4), 1.0, atol=1e-8)


def test_even_links_have_no_odd_conditional_coefficient():
    for name in ("he2", "he4", "abs"):
        norms = conditional_hermite_norms(Link.named(name), 5)
        assert np.all(norms[1::2] < 1e-20) and norms[2] > 0.5


def test_atom_means_by_quadrature():
    from scipy.integrate import quad

    from lecturelib.hermite import hermite

    mass, means = _atom_hermite_means(-math.inf, 0.0, 4)
    assert mass == pytest.approx(0.5)
    for j in range(5):
        value = quad(lambda z: hermite(j, z, normalized=True) * math.exp(-z * z / 2) / math.sqrt(2 * math.pi),
                     -np.inf, 0.0)[0] / 0.5
        assert means[j] == pytest.approx(value, abs=1e-10)


@pytest.mark.parametrize("seed", range(5))
def test_random_polynomial_links_have_generative_exponent_at_most_two(seed):
    rng = np.random.default_rng(seed)
    coefficients = rng.standard_normal(6)
    coefficients[:3] = 0.0  # information exponent 3 or more
    link = Link.from_hermite_series(coefficients, normalized=True)
    assert link.information_exponent >= 3
    assert link.generative_exponent <= 2


def test_callable_links_with_a_flat_piece():
    relu = Link.from_function(lambda z: np.maximum(z, 0.0), df=lambda z: (z > 0).astype(float), breakpoints=[0.0])
    assert relu.generative_exponent == 1
    assert np.allclose(conditional_hermite_norms(relu, 3), conditional_hermite_norms(Link.relu(), 3), atol=1e-6)
    assert Link.from_function(np.abs, df=np.sign, breakpoints=[0.0]).generative_exponent == 2


def test_constant_link_has_no_generative_exponent():
    with pytest.raises(ValueError, match="generative exponent exceeds"):
        generative_exponent_of(Link.from_hermite_series([1.0]))


def test_bad_input_is_rejected():
    with pytest.raises(TypeError, match="link"):
        conditional_hermite_norms("he3")
    with pytest.raises(ValueError, match="bins"):
        binned_conditional_hermite_norms(Link.hermite(3), 2, samples=10, bins=8)


def test_he4_conditional_norm_against_the_partner_root_integral():
    r"""For :math:`f = He_4/\sqrt{24}` the roots of :math:`f(z) = f(z_0)` are :math:`\pm z_0` and, when
    :math:`z_0^2 < 6`, :math:`\pm\sqrt{6 - z_0^2}` (the two values of :math:`u = z^2` sum to 6), so
    :math:`\zeta_2(f(z))` has a closed form in ``z`` that jumps at :math:`z = \pm\sqrt 6`; its integral by
    adaptive quadrature split there is 0.775374 (a rule that ignores the jump gave 0.7857)."""
    from scipy.integrate import quad

    def phi(z):
        return math.exp(-z * z / 2) / math.sqrt(2 * math.pi)

    def fp(z):
        return (4 * z**3 - 12 * z) / math.sqrt(24)

    def h2(z):
        return (z * z - 1) / math.sqrt(2)

    def zeta2(z):
        if z * z >= 6:
            return h2(z)
        zp = math.sqrt(6 - z * z)
        w1, w2 = phi(z) / abs(fp(z)), phi(zp) / abs(fp(zp))
        return (h2(z) * w1 + h2(zp) * w2) / (w1 + w2)

    edges = (0.0, math.sqrt(3), math.sqrt(6), 12.0)
    value = 2 * sum(quad(lambda z: zeta2(z) ** 2 * phi(z), a, b, limit=400)[0] for a, b in zip(edges, edges[1:]))
    assert value == pytest.approx(0.775374, abs=2e-6)
    assert conditional_hermite_norms(Link.named("he4"), 2)[2] == pytest.approx(value, abs=1e-6)
