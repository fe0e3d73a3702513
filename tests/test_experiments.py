"""Claims about escape times of online SGD: the theorem's scaling laws, recomputed by sweeps."""

from __future__ import annotations

import numpy as np
import pytest

from lecturelib import Link
from lecturelib.experiments import THEOREM_SETTINGS, censored_median, escape_sweep, theorem_table


def test_censored_runs_count_as_late_and_hide_the_median_from_half_on():
    times = np.array([[5.0, 1.0, np.nan, 3.0], [np.nan, 1.0, np.nan, 3.0], [2.0, 4.0, 6.0, 8.0]])
    median, censored = censored_median(times)
    assert median[0] == 4.0  # (3 + 5)/2: the censored run sorts last, it is not dropped
    assert np.isnan(median[1])  # half censored: the median is not identified
    assert median[2] == 5.0
    np.testing.assert_array_equal(censored, [0.25, 0.5, 0.0])


def test_escape_time_exponent_is_1_for_k1():
    sweep = escape_sweep(Link.hermite(1), (100, 178, 316, 562, 1000, 1778, 3162), runs=64, seed=1,
                         **{k: v for k, v in THEOREM_SETTINGS[1].items() if k != "d_values"})
    assert abs(sweep.exponent.slope - 1.0) <= 0.15
    assert sweep.exponent.ci_low <= sweep.exponent.slope <= sweep.exponent.ci_high
    assert np.all(sweep.censored_fraction == 0)


def test_escape_time_over_d_grows_like_log_d_at_the_drift_rate_for_k2():
    # eta = c/d, c = 0.1 < 1/3: median T/d = ln(d) / (2c(2 - 6c)) + const.
    c = 0.1
    sweep = escape_sweep(Link.hermite(2), (100, 316, 1000, 3162, 10000), eta_scale=c, eta_exponent=1.0,
                         horizon_scale=40.0, horizon_exponent=1.25, runs=128, seed=0)
    predicted = 1 / (2 * c * (2 - 6 * c))
    assert abs(sweep.log_slope.slope / predicted - 1) <= 0.2
    assert 1.0 < sweep.exponent.slope < 1.35  # d log d looks like a slightly steeper power


def test_escape_time_exponent_is_k_minus_1_for_k3():
    # eta = 0.05 d^{-3/2}: the normalization's barrier sits at the typical start.
    sweep = escape_sweep(Link.hermite(3), (20, 40, 80, 160), eta_scale=0.05, eta_exponent=1.5,
                         horizon_scale=40.0, horizon_exponent=2.0, runs=192, seed=5)
    assert abs(sweep.exponent.slope - 2.0) <= 0.15
    assert np.all(sweep.censored_fraction < 0.5)


def test_k2_escapes_only_below_the_step_size_threshold_one_third():
    # Near the equator the mean overlap moves at rate (2 - 6c) m per unit eta t: c = 0.2
    # escapes after ~ d ln(d) / (2c(2 - 6c)) ~ 22 d steps, c = 0.5 is held at |m| ~ 1/sqrt(d)
    # (DESIGN: 0.4/d and 0.5/d stay at the equator at d = 800).
    kwargs = dict(eta_exponent=1.0, horizon_scale=150.0, horizon_exponent=1.0, runs=48, seed=2)
    below = escape_sweep(Link.hermite(2), (800, 1600), eta_scale=0.2, **kwargs)
    above = escape_sweep(Link.hermite(2), (800, 1600), eta_scale=0.5, **kwargs)
    assert np.all(below.censored_fraction == 0)
    assert np.all(below.median < 50 * below.d)
    assert np.all(above.censored_fraction == 1)


def test_a_sweep_records_its_settings_and_is_reproducible():
    kwargs = dict(eta_scale=0.5, eta_exponent=1.0, horizon_scale=10.0, horizon_exponent=1.0, runs=8, seed=3)
    a = escape_sweep(Link.hermite(1), (50, 100), **kwargs)
    b = escape_sweep(Link.hermite(1), (50, 100), **kwargs)
    np.testing.assert_array_equal(a.times, b.times)
    assert a.exponent == b.exponent
    np.testing.assert_allclose(a.eta, [0.01, 0.005])
    np.testing.assert_array_equal(a.horizon, [500, 1000])
    assert a.runs == 8 and a.times.shape == (2, 8) and len(a.seeds) == 2
    assert [(row["d"], row["horizon"]) for row in a.rows()] == [(50, 500), (100, 1000)]
    assert a.rows()[1]["median"] == a.median[1]


def test_progress_bar_shows_and_changes_nothing(capsys):
    kwargs = dict(eta_scale=0.5, eta_exponent=1.0, horizon_scale=10.0, horizon_exponent=1.0, runs=4, seed=3)
    quiet = escape_sweep(Link.hermite(1), (50, 100), **kwargs)
    loud = escape_sweep(Link.hermite(1), (50, 100), progress=True, **kwargs)
    np.testing.assert_array_equal(quiet.times, loud.times)
    assert "escape sweep" in capsys.readouterr().err


def test_theorem_table_has_one_row_per_k_with_the_predicted_laws():
    rows = theorem_table(runs=2, seed=0).rows()
    assert [(r["k"], r["predicted"]) for r in rows] == [(1, "d"), (2, "d log d"), (3, "d^2"), (4, "d^3")]
    assert rows[1]["log_slope_predicted"] == pytest.approx(1 / (2 * 0.1 * (2 - 0.6)))


GOOD = dict(d_values=(50, 100), eta_scale=0.5, eta_exponent=1.0, horizon_scale=10.0, horizon_exponent=1.0)


@pytest.mark.parametrize(
    ("change", "name"),
    [
        (dict(d_values=(50, 50)), "d_values"),
        (dict(d_values=(2, 50)), "d_values"),
        (dict(eta_scale=0.0), "eta_scale"),
        (dict(horizon_scale=-1.0), "horizon_scale"),
        (dict(eta_exponent=np.inf), "eta_exponent"),
        (dict(runs=0), "runs"),
        (dict(level=1.0), "level"),
        (dict(engine="gpu"), "engine"),
        (dict(confidence=1.0), "confidence"),
        (dict(n_boot=0), "n_boot"),
    ],
)
def test_bad_sweep_input_raises_value_error_naming_the_argument(change, name):
    with pytest.raises(ValueError, match=name):
        escape_sweep(Link.hermite(1), **(GOOD | change))


def test_sweep_argument_types_are_checked():
    with pytest.raises(TypeError, match="d_values"):
        escape_sweep(Link.hermite(1), **(GOOD | dict(d_values=(50.5, 100))))
    with pytest.raises(TypeError, match="progress"):
        escape_sweep(Link.hermite(1), **GOOD, progress="yes")
