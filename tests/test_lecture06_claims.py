"""Every number Lecture 6 (lectures/06-concentration.ipynb) states, recomputed and compared with its claim.

The settings below repeat the notebook's; a change there must be mirrored here.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from lecturelib import Link, online_sgd
from lecturelib import concentration as conc
from lecturelib import multipass as mp

HE3 = Link.hermite(3)
DIMS = {0.0: (4, 8, 16), 0.25: (4, 6, 8), 0.5: (3, 4, 5)}
SWEEP = dict(d_values=(16, 32, 64), ratios=(1 / 16, 1 / 8, 1 / 4, 1 / 2, 1, 2), eta_scale=1.0, horizon_scale=20.0,
             runs=32, seed=6)


def n_uniform(d: float) -> float:
    return 114 / 1.5**2 * d**3 * math.log(d)


@pytest.fixture(scope="module")
def scans() -> dict[tuple[float, int], conc.ThresholdScan]:
    out = {}
    for theta, dims in DIMS.items():
        for d in dims:
            start = conc.pointwise_threshold(HE3, d, theta, 1.0)
            grid = [int(start * 2 ** (j / 2)) for j in range(16) if 8 * d * start * 2 ** (j / 2) <= mp.SAMPLE_LIMIT_BYTES]
            out[theta, d] = conc.benign_threshold(HE3, d, theta, grid, points=16, search_starts=2, search_steps=4,
                                                  seed=3)
    return out


@pytest.fixture(scope="module")
def sweep() -> mp.SuccessSweep:
    return mp.success_sweep(HE3, **SWEEP)


def test_first_epoch_without_replacement_matches_online_sgd():
    d, steps = 30, 3000
    eta = 0.5 * d ** -1.5
    multi = mp.multipass_trials(HE3, d, steps, eta, steps, runs=200, m0=0.3, seed=11, replacement=False,
                                record_every=steps)
    online = online_sgd(HE3, d, eta, steps, runs=200, m0=0.3, seed=12, record_every=steps)
    assert multi.reused.sum() == 0
    assert stats.ks_2samp(multi.overlap[:, -1], online.overlap[:, -1]).pvalue > 0.05


def test_the_sample_guard_names_n_d_and_the_limit():
    with pytest.raises(ValueError, match=r"n=20000000 points in d=25 .* limit is 1 GiB, i.e. n <= 5368709 at d=25"):
        mp.draw_sample(HE3, d=25, n=20_000_000)


def test_variance_of_one_term_is_114_at_the_equator_and_smaller_on_the_band():
    assert conc.signal_variance(HE3, 0.0) == pytest.approx(114.0, abs=1e-9)
    assert conc.signal_variance(HE3, 0.25) < 114 and conc.signal_variance(HE3, 0.0625) < 114
    assert conc.population_signal(HE3, 0.25) == pytest.approx(3 * 0.25**2 * (1 - 0.25**2))


def test_uniform_heuristic_constant_is_51_and_the_memory_caps_d():
    assert 114 / 1.5**2 == pytest.approx(50.67, abs=0.01)
    fits = [d for d in range(3, 200) if 8 * n_uniform(d) * d <= mp.SAMPLE_LIMIT_BYTES]
    assert max(fits) == 29


def test_search_finds_a_negative_empirical_signal_where_random_points_do_not():
    check = conc.signal_check(HE3, mp.draw_sample(HE3, 8, 200_000, seed=0), 0.5, points=32, search_starts=4,
                              search_steps=8, seed=1)
    assert check.worst_ratio_random > 0.0 > check.worst_ratio


def test_deviation_exponents_random_points_root_n_search_grows_with_d():
    s = conc.deviation_scaling(HE3, (8, 32, 128), (4000, 16000, 64000), points=32, search_starts=2, search_steps=6,
                               seed=2)
    assert s.n_exponent_random == pytest.approx(-0.5, abs=0.15)
    assert abs(s.d_exponent_random) < 0.2
    assert s.d_exponent > 0.5 and s.n_exponent < -0.5


def test_benign_thresholds_are_1e5_to_1e6_and_grow_with_theta(scans):
    thresholds = {key: s.threshold for key, s in scans.items()}
    assert all(np.isfinite(v) for v in thresholds.values())
    assert all(5e4 <= v <= 3e6 for v in thresholds.values())
    # theta = 0: the pointwise prediction is flat in d, the measured threshold is not.
    assert thresholds[0.0, 16] > 2 * thresholds[0.0, 4]
    # at d = 4 (the dimension all three rows share) the threshold grows with theta.
    assert thresholds[0.0, 4] < thresholds[0.5, 4]


def test_benign_run_at_theta_half_reuses_almost_no_sample(scans):
    n_benign = int(scans[0.5, 5].threshold)
    run = mp.multipass_sgd(HE3, mp.draw_sample(HE3, 5, n_benign, seed=4), 5 ** -1.5, 20 * 25, runs=8,
                           m0=5 ** -0.5, seed=5, stop_at=0.9)
    ok = run.overlap[:, -1] >= 0.9
    assert ok.sum() == 8
    assert run.reuse_fraction[ok].mean() < 1e-3


def test_expected_reuse_at_the_uniform_threshold_vanishes_like_1_over_d_log_d():
    for d in (10, 100, 1000):
        frac = mp.expected_reuse_fraction(int(n_uniform(d)), 20 * d**2)
        assert frac == pytest.approx(20 / (2 * 50.67 * d * math.log(d)), rel=0.05)


def test_multipass_succeeds_well_below_d_squared_and_failures_fit_the_sample(sweep):
    assert np.all(sweep.online_success >= 0.85)
    j16, j8 = 0, 1
    assert np.all(sweep.success[:, j16] >= 0.3) and np.all(sweep.success[:, j8] >= 0.6)
    assert np.all(sweep.success[:, j16] < sweep.success[:, -1])
    for j in (j16, j8):
        bad = sweep.failed[:, j]
        assert np.median(sweep.train_loss[:, j][bad]) < 0.5 * np.median(sweep.population_loss[:, j][bad])
        assert np.median(sweep.population_loss[:, j][bad]) > 0.9
    assert sweep.n[-1].tolist() == [256, 512, 1024, 2048, 4096, 8192]
