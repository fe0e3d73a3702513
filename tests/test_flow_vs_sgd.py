"""lecturelib.flow_vs_sgd: the measurements of Lecture 3, their invariants and their bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lecturelib import Link, flow_escape_time, gradient_flow
from lecturelib.flow_vs_sgd import (
    EscapeTable,
    flow_curves,
    flow_escape_asymptote,
    flow_escape_table,
    loglog_slope,
    search_phase,
    sgd_flow_gap,
    sgd_over_flow,
    theorem_step_size,
)


def test_theorem_step_size_is_c_over_d_then_c_d_to_minus_k_over_2():
    assert theorem_step_size(1, 100, 0.5) == 0.005
    assert theorem_step_size(2, 100, 0.5) == 0.005
    assert theorem_step_size(3, 100, 0.5) == pytest.approx(0.5e-3)
    assert theorem_step_size(4, 100, 0.5) == pytest.approx(0.5e-4)


def test_loglog_slope_recovers_a_power_law():
    x = np.array([1.0, 10.0, 100.0, 1000.0])
    assert loglog_slope(x, 3.0 * x**-0.7) == pytest.approx(-0.7, abs=1e-12)


def test_flow_curves_small_solution_blows_up_at_t_star():
    curves = flow_curves((3, 4), m0=0.1, points=50)
    assert curves.blowup == pytest.approx((10 / 3, 100 / 8))
    for t, small, t_star in zip(curves.t, curves.small, curves.blowup):
        assert np.all(np.isinf(small[t > t_star])) and np.all(np.isfinite(small[t < t_star]))


def test_flow_curves_start_at_m0_and_reach_the_horizon_level():
    curves = flow_curves((1, 2), m0=0.05, reach=0.9, stretch=1.0, points=30)
    for closed in curves.closed:
        assert closed[0] == pytest.approx(0.05) and closed[-1] == pytest.approx(0.9, abs=1e-9)
    assert max(curves.max_gap) < 1e-9


def test_asymptote_k2_is_exact_up_to_order_one_over_d():
    d = np.array([1e2, 1e4])
    exact = [flow_escape_time(Link.hermite(2), 1 / math.sqrt(di), 0.5) for di in d]
    # exact = asymptote + ln(1 - 1/d)/4
    np.testing.assert_allclose(exact - flow_escape_asymptote(2, d), np.log1p(-1 / d) / 4, atol=1e-12)


def test_escape_table_fields_and_fits():
    table = flow_escape_table((1, 3), [1e2, 1e4, 1e6], c=2.0)
    assert isinstance(table, EscapeTable) and table.time.shape == (2, 3)
    assert table.time[1, 0] == pytest.approx(flow_escape_time(Link.hermite(3), 0.2, 0.5))
    assert table.exponent(3, 1e4) == pytest.approx(0.5, abs=0.01)
    assert table.log_slope(1, 1e4) == pytest.approx(0.0, abs=0.01)
    with pytest.raises(ValueError, match="k must be one of"):
        table.exponent(2)
    with pytest.raises(ValueError, match="d_min"):
        table.exponent(3, 1e5)


def test_sgd_flow_gap_is_reproducible_and_consistent():
    kwargs = dict(tau_max=1.0, runs=8, seed=3, records=50)
    a = sgd_flow_gap(Link.hermite(1), 200, [0.5, 1.0], **kwargs)
    b = sgd_flow_gap(Link.hermite(1), 200, [0.5, 1.0], **kwargs)
    np.testing.assert_array_equal(a.error, b.error)
    assert np.all(a.bias <= a.error + 1e-15)  # sup of a mean is at most the mean of sups
    np.testing.assert_allclose(a.flow[0], gradient_flow(Link.hermite(1), 0.0, a.tau[0]))
    assert a.bound_constant == pytest.approx(np.max(a.error / np.sqrt(a.c)))
    assert 1.0 - a.tau[0][1] < a.tau[0][-1] <= 1.0 + a.eta[0]  # the horizon is reached to one record


def test_search_phase_flow_never_escapes_from_negative_starts_for_odd_k():
    link = Link.hermite(3)
    result = search_phase(link, 30, theorem_step_size(3, 30, 0.05), tau_max=2.0, runs=16, seed=1, records=200)
    assert np.all(np.isinf(result.flow_time) == (result.m0 <= 0))
    assert result.typical_flow_time == pytest.approx(flow_escape_time(link, 1 / math.sqrt(30)))
    assert 0.0 <= result.censored_fraction <= 1.0


def test_sgd_over_flow_starts_each_flow_at_its_run():
    traj = sgd_over_flow(2, 50, 0.1, seed=4, runs=3, records=40)
    np.testing.assert_array_equal(traj.flow[:, 0], traj.overlap[:, 0])
    assert traj.overlap.shape == traj.flow.shape == (3, traj.tau.size)
    assert not traj.truncated
    cut = sgd_over_flow(3, 100, 0.05, seed=0, runs=2, max_steps=1000)
    assert cut.truncated and cut.tau[-1] <= 1000 * cut.eta + 1e-12


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: theorem_step_size(0, 100, 1.0), "k must be an integer >= 1"),
        (lambda: theorem_step_size(1, 2, 1.0), "d must be an integer >= 3"),
        (lambda: theorem_step_size(1, 100, 0.0), "c must be a positive finite number"),
        (lambda: loglog_slope([1.0, 1.0], [1.0, 2.0]), "two distinct x"),
        (lambda: loglog_slope([1.0, -1.0], [1.0, 2.0]), "x must be"),
        (lambda: flow_curves((1,), m0=0.99), "m0 must be in"),
        (lambda: flow_curves((1,), reach=1.0), "reach must be in"),
        (lambda: flow_curves((1,), stretch=0.5), "stretch must be >= 1"),
        (lambda: flow_curves((0,)), "ks entry must be an integer >= 1"),
        (lambda: flow_escape_asymptote(3, [0.5], c=1.0), "d must be"),
        (lambda: flow_escape_asymptote(3, [10.0], level=1.5), "level must be in"),
        (lambda: flow_escape_table((1,), [2.0], c=1.0), "d_values must be"),
        (lambda: sgd_flow_gap(Link.hermite(1), 100, [0.0]), "c_values must be"),
        (lambda: sgd_flow_gap(Link.hermite(1), 100, [0.1], tau_max=-1.0), "tau_max must be"),
        (lambda: sgd_flow_gap(Link.hermite(1), 100, [0.1], m0=2.0), "m0 must be"),
        (lambda: search_phase(Link.hermite(1), 100, 0.01, tau_max=1.0, level=0.0), "level must be in"),
        (lambda: search_phase(Link.hermite(1), 100, -0.01, tau_max=1.0), "eta must be"),
        (lambda: sgd_over_flow(1, 100, 0.1, runs=0), "runs must be an integer >= 1"),
        (lambda: sgd_over_flow(1, 100, 0.1, max_steps=0), "max_steps must be"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: flow_curves("13"), "ks must be"),
        (lambda: sgd_flow_gap("he1", 100, [0.1]), "link must be"),
        (lambda: sgd_flow_gap(Link.hermite(1), 100, [0.1], seed=None), "seed must be"),
        (lambda: search_phase(Link.hermite(1), 100.0, 0.01, tau_max=1.0), "d must be an integer"),
        (lambda: loglog_slope(["a"], [1.0]), "x must be a sequence of numbers"),
    ],
)
def test_bad_types_raise_type_error_naming_the_argument(call, match):
    with pytest.raises(TypeError, match=match):
        call()
