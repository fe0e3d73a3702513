"""Claims about the gradient flow of the overlap and the effective flow of SGD (lecturelib.flow)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lecturelib import Link, flow_escape_time, gradient_flow
from lecturelib.flow import effective_drift, effective_flow, small_overlap_flow
from lecturelib.hermite import hermite

TIMES = np.array([0.0, 0.05, 0.3, 1.0, 2.5, 7.0, 20.0])


def numeric_hermite_link(k: int) -> Link:
    """He_k/sqrt(k!) as a Python callable: the same function without the closed forms."""
    return Link.from_function(lambda z: hermite(k, z, normalized=True), name=f"callable-he{k}")


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("m0", [0.02, 0.3, -0.2, -0.9])
def test_closed_form_flow_matches_numerical_solver(k, m0):
    link = Link.hermite(k)
    closed = gradient_flow(link, m0, TIMES, method="closed")
    numeric = gradient_flow(link, m0, TIMES, method="numeric")
    np.testing.assert_allclose(closed, numeric, rtol=0, atol=1e-8)


def test_closed_forms_for_k1_and_k2_are_tanh_and_logistic():
    m0 = 0.2
    np.testing.assert_allclose(gradient_flow(Link.hermite(1), m0, TIMES), np.tanh(TIMES + np.arctanh(m0)), atol=1e-15)
    u = m0**2 * np.exp(4 * TIMES) / (1 - m0**2 + m0**2 * np.exp(4 * TIMES))
    np.testing.assert_allclose(gradient_flow(Link.hermite(2), m0, TIMES), np.sqrt(u), rtol=1e-13)


def test_flow_solves_the_ode_for_a_scaled_series():
    # 2 He_3/sqrt(3!) has drift 4 * 3 m^2 (1 - m^2): the closed form with time scaled by a^2 = 4.
    scaled = Link.from_hermite_series([0.0, 0.0, 0.0, 2.0], normalized=True)
    np.testing.assert_allclose(
        gradient_flow(scaled, 0.1, TIMES), gradient_flow(Link.hermite(3), 0.1, 4 * TIMES), atol=1e-13
    )


@pytest.mark.parametrize("name", ["relu", "tanh", "he3+he4", "abs", "cubic"])
def test_flow_reaches_the_level_at_its_escape_time(name):
    link = Link.named(name)
    m0 = 0.1
    T = flow_escape_time(link, m0, 0.6)
    assert 0 < T < math.inf
    assert abs(abs(float(gradient_flow(link, m0, T, method="numeric"))) - 0.6) < 1e-8


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_escape_time_closed_form_matches_quadrature(k):
    for m0 in (0.01, 0.2):
        closed = flow_escape_time(Link.hermite(k), m0, 0.7)
        numeric = flow_escape_time(numeric_hermite_link(k), m0, 0.7)
        assert closed == pytest.approx(numeric, rel=1e-7)


def test_escape_time_is_order_one_for_k1():
    times = [flow_escape_time(Link.hermite(1), 1 / math.sqrt(d)) for d in (1e2, 1e4, 1e6)]
    assert times == pytest.approx(math.atanh(0.5) - np.arctanh(1 / np.sqrt([1e2, 1e4, 1e6])), rel=1e-12)
    assert max(times) < math.atanh(0.5)


def test_escape_time_grows_like_quarter_log_d_for_k2():
    # exactly T = (ln(u/(1-u)) - ln(u0/(1-u0)))/4 with u = m^2; from u0 = 1/d that is ~ ln(d)/4
    T = [flow_escape_time(Link.hermite(2), 1 / math.sqrt(d)) for d in (1e4, 1e8)]
    assert T[1] - T[0] == pytest.approx(0.25 * math.log((1e8 - 1) / (1e4 - 1)), rel=1e-12)
    assert T[1] - T[0] == pytest.approx(0.25 * math.log(1e4), rel=1e-4)


@pytest.mark.parametrize("k", [3, 4, 5])
def test_escape_time_from_c_over_sqrt_d_is_d_to_k_over_2_minus_1(k):
    # errata: T ~ d^{k/2-1} / (c^{k-2} k (k-2)) from m0 = c/sqrt(d).
    c = 0.5
    for d, rel in ((1e6, 5e-2), (1e10, 1e-3)):
        T = flow_escape_time(Link.hermite(k), c / math.sqrt(d))
        assert T == pytest.approx(d ** (k / 2 - 1) / (c ** (k - 2) * k * (k - 2)), rel=rel)


def test_small_overlap_flow_is_the_flow_near_the_equator():
    for k in (1, 2, 3, 4):
        link = Link.hermite(k)
        t = np.linspace(0, 0.5 * flow_escape_time(link, 0.01, 0.05), 5)
        np.testing.assert_allclose(small_overlap_flow(link, 0.01, t), gradient_flow(link, 0.01, t), rtol=3e-3)


def test_small_overlap_flow_blows_up_at_the_predicted_time():
    m0, k = 0.05, 3
    t_star = m0 ** -(k - 2) / (k * (k - 2))
    values = small_overlap_flow(Link.hermite(k), m0, [0.999 * t_star, 1.001 * t_star])
    assert values[0] > 10 and values[1] == math.inf


def test_even_links_escape_by_absolute_overlap():
    assert flow_escape_time(Link.hermite(2), -0.1) == flow_escape_time(Link.hermite(2), 0.1)
    assert gradient_flow(Link.hermite(4), -0.3, 5.0) == pytest.approx(-gradient_flow(Link.hermite(4), 0.3, 5.0))


def test_stationary_starts_never_escape():
    assert flow_escape_time(Link.hermite(2), 0.0) == math.inf
    assert flow_escape_time(Link.hermite(3), -0.2) == math.inf  # climbs to the saddle m = 0
    assert flow_escape_time(numeric_hermite_link(3), 0.0) == math.inf
    assert flow_escape_time(Link.hermite(1), -0.2) < math.inf  # k = 1: the equator is not stationary
    assert flow_escape_time(Link.hermite(3), 0.6) == 0.0


def test_odd_k_negative_start_creeps_to_the_saddle():
    m = gradient_flow(Link.hermite(3), -0.3, TIMES)
    assert np.all(np.diff(m) > 0) and np.all(m < 0)
    np.testing.assert_allclose(m, gradient_flow(Link.hermite(3), -0.3, TIMES, method="numeric"), atol=1e-8)


@pytest.mark.parametrize("name", ["he1", "he2", "he3", "relu", "sign", "tanh"])
def test_flow_stays_in_the_unit_interval(name):
    for m0 in (-1.0, -0.5, 0.0, 0.5, 1.0):
        m = gradient_flow(Link.named(name), m0, TIMES)
        assert np.all(np.abs(m) <= 1.0)


def test_effective_drift_of_he1_is_the_corrected_flow():
    m = np.linspace(-0.9, 0.9, 7)
    for c in (0.0, 0.3, 1.0):
        np.testing.assert_allclose(effective_drift(Link.hermite(1), m, c), (1 - m) * (1 + m - c * m), atol=1e-12)


@pytest.mark.parametrize(("k", "second_moment"), [(1, 2), (2, 12), (3, 96), (4, 856)])
def test_normalization_pull_at_the_equator(k, second_moment):
    # DESIGN: E[c~^2] at m = 0 is 2, 12, 96, 856 for He_1..He_4.
    m, eta_d = 1e-6, 0.5
    pull = (Link.hermite(k).drift(m) - effective_drift(Link.hermite(k), m, eta_d)) / (0.5 * eta_d * m)
    assert pull == pytest.approx(second_moment, rel=1e-4)


def test_k2_signal_wins_only_below_one_third():
    link, m = Link.hermite(2), 1e-4
    rate = [effective_drift(link, m, c) / m for c in (0.3, 1 / 3, 0.36)]
    assert rate[0] > 0 and abs(rate[1]) < 1e-6 and rate[2] < 0
    assert rate[0] == pytest.approx(2 - 6 * 0.3, rel=1e-6)


def test_effective_flow_closed_form_matches_solver():
    for c in (0.0, 0.5, 1.5):
        closed = effective_flow(Link.hermite(1), 0.05, TIMES, c, method="closed")
        np.testing.assert_allclose(closed, effective_flow(Link.hermite(1), 0.05, TIMES, c, method="numeric"), atol=1e-8)
    np.testing.assert_allclose(effective_flow(Link.hermite(1), 0.05, TIMES, 0.0), gradient_flow(Link.hermite(1), 0.05, TIMES))


def test_effective_flow_tends_to_gradient_flow_as_eta_d_vanishes():
    gaps = [np.abs(effective_flow(Link.hermite(1), 0.0, TIMES, c) - gradient_flow(Link.hermite(1), 0.0, TIMES)).max()
            for c in (0.4, 0.1, 0.01)]
    assert gaps[0] > gaps[1] > gaps[2] and gaps[2] < 5e-3


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: gradient_flow(Link.hermite(2), 1.5, TIMES), "m0"),
        (lambda: gradient_flow(Link.hermite(2), 0.1, [-1.0]), "t"),
        (lambda: gradient_flow(Link.hermite(2), 0.1, TIMES, method="rk4"), "method"),
        (lambda: gradient_flow(Link.relu(), 0.1, TIMES, method="closed"), "method='closed'"),
        (lambda: flow_escape_time(Link.hermite(2), 0.1, 1.0), "level"),
        (lambda: flow_escape_time(Link.hermite(2), 0.1, math.nan), "level"),
        (lambda: effective_drift(Link.hermite(2), 0.1, -1.0), "eta_d"),
        (lambda: effective_drift(Link.hermite(2), 2.0, 0.1), "m"),
        (lambda: effective_flow(Link.hermite(2), 0.1, TIMES, 0.1, method="closed"), "method='closed'"),
        (lambda: small_overlap_flow(Link.hermite(2), -1.1, TIMES), "m0"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_a_link_must_be_a_link():
    with pytest.raises(TypeError, match="link"):
        gradient_flow(np.tanh, 0.1, TIMES)
