"""Unit tests of the Lecture 4 revision's library functions: the search/descent split with its
censored descent median, the exact mean's descent, the crossing interval of the threshold, the
probability of reaching a level on the phase diagram's draws, the bootstrap interval of a
censored median, and the phase diagram's hatching."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy.integrate import quad

from lecturelib import Link
from lecturelib import experiments
from lecturelib.phases import _median_interval, drift_descent, search_descent
from lecturelib.plotting import sgd as plots

# --------------------------------------------------------------------------- the exact mean's descent


def test_drift_descent_of_h1_is_the_corrected_ode_at_large_d():
    # (1/eta) E[m' - m | m] = (1 - m)(1 + m - c m) + O(1/d) (Lecture 4, Exercise 2)
    d, c = 100_000, 0.5
    eta = c / d
    ode, _ = quad(lambda m: 1.0 / (eta * (1 - m) * (1 + m - c * m)), 0.5, 0.9)
    assert drift_descent(Link.hermite(1), d, eta) == pytest.approx(ode, rel=2e-3)


def test_drift_descent_of_h2_is_the_flow_over_one_minus_3c_at_large_d():
    # E[kappa^2] = 12 (1 - m^2) at every m: the pull removes the fraction 3c of the signal
    d, c = 100_000, 0.1
    eta = c / d
    flow, _ = quad(lambda m: 1.0 / (eta * 2 * m * (1 - m * m)), 0.5, 0.9)
    assert drift_descent(Link.hermite(2), d, eta) == pytest.approx(flow / (1 - 3 * c), rel=5e-3)


def test_drift_descent_refuses_a_non_positive_mean_and_a_bad_interval():
    with pytest.raises(ValueError, match="not positive"):
        drift_descent(Link.hermite(2), 1000, 0.5 / 1000)  # c = 0.5 > 1/3: the pull wins at every m
    with pytest.raises(ValueError, match="start < end"):
        drift_descent(Link.hermite(2), 1000, 1e-4, start=0.9, end=0.5)
    with pytest.raises(ValueError, match="start < end"):
        drift_descent(Link.hermite(2), 1000, 1e-4, start=0.5, end=1.0)


# --------------------------------------------------------------------------- censored medians


def test_median_interval_counts_infinite_values_as_censored_runs():
    rng = np.random.default_rng(0)
    x = np.array([1.0, 2.0, 3.0, np.inf, np.inf])
    med, lo, hi = _median_interval(x, rng)
    assert med == 3.0 and lo <= med and (math.isnan(hi) or hi >= med)
    med, lo, hi = _median_interval(np.array([1.0, np.inf, np.inf]), rng)
    assert math.isnan(med)  # half the runs or more censored: not identified
    assert all(math.isnan(v) for v in _median_interval(np.array([]), rng))


def test_median_interval_of_a_sweep_brackets_the_censored_median_and_shrinks_with_runs():
    rng = np.random.default_rng(1)
    small = rng.exponential(1.0, size=(1, 64))
    large = rng.exponential(1.0, size=(1, 4096))
    for times in (small, large):
        (lo, hi), = experiments.median_interval(times, seed=2)
        median, _ = experiments.censored_median(times)
        assert lo <= median[0] <= hi
    (lo_s, hi_s), = experiments.median_interval(small, seed=2)
    (lo_l, hi_l), = experiments.median_interval(large, seed=2)
    assert hi_l - lo_l < 0.5 * (hi_s - lo_s)
    assert lo_l < math.log(2) < hi_l  # population median of Exp(1)


def test_median_interval_upper_end_is_nan_when_replicates_are_censored():
    times = np.array([[1.0, 2.0, 3.0, np.nan, np.nan, np.nan, np.nan, 4.0, 5.0]])  # 4 of 9 censored
    (lo, hi), = experiments.median_interval(times, seed=0)
    assert np.isfinite(lo) and math.isnan(hi)


def test_median_interval_checks_its_arguments():
    with pytest.raises(ValueError, match="times"):
        experiments.median_interval(np.zeros((2, 0)))
    with pytest.raises(ValueError, match="confidence"):
        experiments.median_interval(np.ones((1, 4)), confidence=1.5)


# --------------------------------------------------------------------------- search and descent


@pytest.fixture(scope="module")
def split() -> object:
    return search_descent(Link.hermite(2), 200, 0.1 / 200, 20_000, runs=48, seed=3)


def test_search_descent_splits_each_run_at_one_half(split):
    done = np.isfinite(split.total)
    assert np.all(split.search[done] <= split.total[done])
    assert split.censored_fraction == pytest.approx(1 - done.mean())
    assert split.search_fraction == pytest.approx(np.median(split.search[done] / split.total[done]))
    lo, hi = split.search_interval
    assert 0 < lo <= split.search_fraction <= hi < 1


def test_search_descent_median_is_censored_not_dropped(split):
    descents = np.where(np.isfinite(split.total), split.total - split.search, np.inf)
    assert split.descent_median == np.median(descents)
    lo, hi = split.descent_interval
    assert lo <= split.descent_median <= hi
    # with a horizon too short for half the runs the median is not identified
    short = search_descent(Link.hermite(2), 200, 0.1 / 200, 600, runs=16, seed=3)
    assert short.censored_fraction >= 0.5 and math.isnan(short.descent_median)


def test_search_descent_is_reproducible_and_checks_its_arguments(split):
    again = search_descent(Link.hermite(2), 200, 0.1 / 200, 20_000, runs=48, seed=3)
    np.testing.assert_array_equal(again.total, split.total)
    assert again.descent_interval == split.descent_interval
    with pytest.raises(ValueError, match="end"):
        search_descent(Link.hermite(2), 200, 1e-3, 100, end=0.4)


# --------------------------------------------------------------------------- the threshold's crossing


@pytest.fixture(scope="module")
def probability() -> experiments.EscapeProbability:
    return experiments.escape_probability(Link.hermite(2), (50,), (0.1, 0.2, 0.3, 0.4), horizon_scale=5.0,
                                          runs=8, seed=0)


def test_crossing_interval_brackets_the_crossing_between_the_grid_points(probability):
    designed = dataclasses.replace(probability, probability=np.array([[1.0, 0.8, 0.2, 0.0]]), runs=64,
                                   crossing=np.array([0.25]))
    (lo, hi), = experiments.crossing_interval(designed, seed=0)
    assert 0.2 <= lo < 0.25 < hi <= 0.3
    (lo_big, hi_big), = experiments.crossing_interval(dataclasses.replace(designed, runs=1024), seed=0)
    assert hi_big - lo_big < 0.5 * (hi - lo)  # the counts' spread shrinks like 1/sqrt(runs)


def test_crossing_interval_is_nan_without_a_crossing_and_checks_its_arguments(probability):
    flat = dataclasses.replace(probability, probability=np.array([[1.0, 1.0, 1.0, 1.0]]))
    assert np.all(np.isnan(experiments.crossing_interval(flat)))
    with pytest.raises(TypeError, match="EscapeProbability"):
        experiments.crossing_interval(np.zeros((1, 4)))
    with pytest.raises(ValueError, match="confidence"):
        experiments.crossing_interval(probability, confidence=0.0)


# --------------------------------------------------------------------------- reaching a level


@pytest.fixture(scope="module")
def diagram() -> experiments.PhaseDiagram:
    return experiments.phase_diagram(Link.hermite(3), 20, (0.05, 0.3, 2.0), horizon_scale=5.0, runs=32, seed=4)


def test_reach_probability_runs_on_the_phase_diagrams_draws(diagram):
    touch = experiments.reach_probability(Link.hermite(3), 20, diagram.c, horizon_scale=5.0, runs=32,
                                          level=0.5, seed=4)
    np.testing.assert_array_equal(touch, diagram.probability[:, -1])  # the same runs, to the same level
    reach = experiments.reach_probability(Link.hermite(3), 20, diagram.c, horizon_scale=5.0, runs=32,
                                          level=0.9, seed=4)
    assert np.all(reach <= touch)  # reaching 0.9 passes 1/2 first


def test_reach_probability_checks_its_arguments():
    with pytest.raises(ValueError):
        experiments.reach_probability(Link.hermite(3), 2, (0.1,), horizon_scale=1.0, runs=4, level=0.9)
    with pytest.raises(ValueError):
        experiments.reach_probability(Link.hermite(3), 20, (0.1,), horizon_scale=-1.0, runs=4, level=0.9)
    with pytest.raises(ValueError):
        experiments.reach_probability(Link.hermite(3), 20, (0.1,), horizon_scale=1.0, runs=0, level=0.9)


# --------------------------------------------------------------------------- figures


def test_phase_diagram_hatches_the_columns_where_the_mean_is_negative(diagram):
    fig = plots.phase_diagram(diagram, barrier_c=1 / 16, negative_from=2.0)
    hatched = [p for p in fig.axes[0].patches if p.get_hatch() == "//"]
    assert len(hatched) == 1
    patch = hatched[0]
    if hasattr(patch, "get_width"):  # a Rectangle (matplotlib >= 3.9), else a Polygon
        low, high = patch.get_x(), patch.get_x() + patch.get_width()
    else:
        low, high = patch.get_xy()[:, 0].min(), patch.get_xy()[:, 0].max()
    assert low == pytest.approx(math.sqrt(0.3 * 2.0)) and high > 2.0  # from between the columns on
    plain = plots.phase_diagram(diagram, barrier_c=1 / 16)
    assert not [p for p in plain.axes[0].patches if p.get_hatch()]
