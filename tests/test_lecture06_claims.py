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
PRINTED_FRESH = [0.55, 0.76, 0.37, 0.52, 0.02, 0.72]
PRINTED_EFFORT = (0.61, 0.31)
DIMS = {0.0: (4, 8, 16), 0.25: (4, 6, 8), 0.5: (3, 4, 5)}
# half-widths of the 95 % intervals printed beside the fitted deviation exponents (n, d; random, searched)
HALVES = (0.17, 0.17, 0.26, 0.26)


def n_uniform(d: float) -> float:
    return 114 / 1.5**2 * d**3 * math.log(d)


@pytest.fixture(scope="module")
def scans() -> dict[tuple[float, int], conc.ThresholdScan]:
    out = {}
    for theta, dims in DIMS.items():
        for d in dims:
            start = conc.pointwise_threshold(HE3, d, theta, 1.0)
            grid = [int(start * 2 ** (j / 2)) for j in range(16) if 8 * d * start * 2 ** (j / 2) <= mp.SAMPLE_LIMIT_BYTES]
            out[theta, d] = conc.benign_threshold(HE3, d, theta, grid, points=12, search_starts=1, search_steps=4,
                                                  seed=3)
    return out


def test_first_epoch_without_replacement_matches_online_sgd():
    d, steps = 30, 3000
    eta = 0.5 * d ** -1.5
    multi = mp.multipass_trials(HE3, d, steps, eta, steps, runs=200, m0=0.3, seed=11, replacement=False,
                                record_every=steps)
    online = online_sgd(HE3, d, eta, steps, runs=200, m0=0.3, seed=12, record_every=steps)
    assert multi.reused.sum() == 0
    assert stats.ks_2samp(multi.overlap[:, -1], online.overlap[:, -1]).pvalue == pytest.approx(0.71, abs=0.006)
    assert multi.overlap[:, -1].mean() == pytest.approx(0.2229, abs=6e-5)
    assert online.overlap[:, -1].mean() == pytest.approx(0.1946, abs=6e-5)


def test_the_sample_guard_names_n_d_and_the_limit():
    with pytest.raises(ValueError, match=r"n=20000000 points in d=25 .* limit is 1 GiB, i.e. n <= 5368709 at d=25"):
        mp.draw_sample(HE3, d=25, n=20_000_000)


def test_variance_of_one_term_is_114_at_the_equator_and_smaller_on_the_band():
    assert conc.signal_variance(HE3, 0.0) == pytest.approx(114.0, abs=1e-9)
    assert conc.signal_variance(HE3, 0.25) == pytest.approx(86.21, abs=0.006)
    assert conc.signal_variance(HE3, 0.0625) == pytest.approx(105.49, abs=0.006)
    assert conc.population_signal(HE3, 0.0625) == pytest.approx(0.0117, abs=6e-5)
    assert conc.population_signal(HE3, 0.25) == pytest.approx(3 * 0.25**2 * (1 - 0.25**2))


def test_exercise_variance_of_one_term_for_he2_is_12_not_20():
    # E[f(b)^2 b^2] E f'^2 - 2 E[f(b) b^2] E[f f'^2] + E[f^2 f'^2] = 5*2 - 2*sqrt(2)*2*sqrt(2) + 10
    assert conc.signal_variance(Link.hermite(2), 0.0) == pytest.approx(12.0, abs=1e-9)


def test_uniform_heuristic_constant_is_51_and_the_memory_caps_d():
    assert 114 / 1.5**2 == pytest.approx(50.67, abs=0.01)
    fits = [d for d in range(3, 200) if 8 * n_uniform(d) * d <= mp.SAMPLE_LIMIT_BYTES]
    assert max(fits) == 29 and n_uniform(29) == pytest.approx(4.16e6, rel=0.002)


def test_search_finds_a_negative_empirical_signal_where_random_points_do_not():
    check = conc.signal_check(HE3, mp.draw_sample(HE3, 8, 200_000, seed=0), 0.5, points=32, search_starts=4,
                              search_steps=8, seed=1)
    assert check.worst_ratio_random > 0.0 > check.worst_ratio
    assert check.worst_ratio_random == pytest.approx(0.78, abs=0.006)
    assert check.worst_ratio == pytest.approx(-1.47, abs=0.006)


def test_random_points_worst_ratio_on_six_fresh_samples_the_first_is_favourable():
    fresh = [conc.signal_check(HE3, mp.draw_sample(HE3, 8, 200_000, seed=100 + s), 0.5, points=32,
                               search_starts=0, search_steps=0, seed=1).worst_ratio_random for s in range(6)]
    assert np.round(fresh, 2).tolist() == PRINTED_FRESH
    assert 0.78 > np.median(fresh)  # "on the favourable side of the six fresh ones"
    assert max(fresh) - min(fresh) > 0.3  # "varies widely from sample to sample"


def test_expected_maximum_of_32_half_normals_is_2_35():
    from scipy import integrate
    value = integrate.quad(lambda x: 1 - (2 * stats.norm.cdf(x) - 1) ** 32, 0, 20)[0]
    assert round(value, 2) == 2.35


def test_a_stronger_search_finds_violations_at_the_size_the_scan_found(scans):
    n = int(scans[0.0, 16].threshold)
    sample = mp.draw_sample(HE3, 16, n, seed=7)
    weak = conc.signal_check(HE3, sample, 0.0, points=12, search_starts=1, search_steps=4, seed=8)
    strong = conc.signal_check(HE3, sample, 0.0, points=12, search_starts=6, search_steps=30, seed=8)
    assert round(weak.worst_ratio, 2) == PRINTED_EFFORT[0] and round(strong.worst_ratio, 2) == PRINTED_EFFORT[1]
    assert strong.worst_ratio < 0.5 <= weak.worst_ratio  # "far below 1/2" with the stronger search only
    assert not strong.benign and weak.benign


def test_online_drift_at_c_1_is_negative_up_to_0_9():
    """"at c = 1 it is negative at every overlap up to 0.9 for every d used below" (d = 16 ... 128)."""
    from lecturelib import drift
    m = np.linspace(0.02, 0.9, 45)
    for d in (16, 32, 64, 128):
        assert np.all(drift.exact_drift(HE3, d, d ** -1.5, m) < 0), d
    # and c = 1/16 puts the barrier near the typical start 1/sqrt(d) (Lecture 4's 16 c / sqrt(d))
    for d in (64, 128):
        barrier = drift.barrier(HE3, d, d ** -1.5 / 16)
        assert 0.5 / math.sqrt(d) < barrier < 2 / math.sqrt(d), (d, barrier)


def test_deviation_exponents_random_points_root_n_search_grows_with_d():
    s = conc.deviation_scaling(HE3, (8, 32, 128), (4000, 16000, 64000), points=32, search_starts=2, search_steps=6,
                               seed=2)
    assert s.n_exponent_random == pytest.approx(-0.5, abs=0.15)
    assert abs(s.d_exponent_random) < 0.2
    assert s.d_exponent > 0.5 and s.n_exponent < -0.5
    printed = (s.n_exponent_random, s.d_exponent_random, s.n_exponent, s.d_exponent)
    assert np.allclose(printed, (-0.41, -0.09, -0.70, 0.93), atol=0.006)
    # the notebook's 95 % intervals from the fit's residuals (Student t, 6 degrees of freedom)
    halves = {}
    for name, values in (("random", s.random), ("searched", s.searched)):
        dd, nn = np.meshgrid(np.log(s.d), np.log(s.n), indexing="ij")
        X = np.column_stack([np.ones(dd.size), nn.ravel(), dd.ravel()])
        y = np.log(values).ravel()
        coef, res, *_ = np.linalg.lstsq(X, y, rcond=None)
        cov = res[0] / (y.size - 3) * np.linalg.inv(X.T @ X)
        halves[name] = stats.t.ppf(0.975, y.size - 3) * np.sqrt(np.diag(cov))[1:]
        fit = s._fit(values)
        assert np.allclose(coef[1:], fit)
    assert np.allclose(np.concatenate([halves["random"], halves["searched"]]), HALVES, atol=0.006)
    # "random points: n^{-1/2}, no d-dependence (within the intervals)"
    assert abs(s.n_exponent_random + 0.5) <= halves["random"][0] and abs(s.d_exponent_random) <= halves["random"][1]
    # the search: d exponent above 1/2 beyond its interval; n exponent steeper than -1/2, but its interval holds -1/2
    assert s.d_exponent - halves["searched"][1] > 0.5
    assert s.n_exponent < -0.5 <= s.n_exponent + halves["searched"][0]


def test_check_passes_from_6e4_to_about_1e6_and_grows_with_theta(scans):
    thresholds = {key: s.threshold for key, s in scans.items()}
    assert all(np.isfinite(v) for v in thresholds.values())
    assert all(5e4 <= v <= 3e6 for v in thresholds.values())
    # theta = 0: the pointwise prediction is flat in d, the measured threshold is not.
    assert thresholds[0.0, 16] > 2 * thresholds[0.0, 4]
    # at d = 4 (the dimension all three rows share) the threshold grows with theta.
    assert thresholds[0.0, 4] < thresholds[0.25, 4] < thresholds[0.5, 4]
    # the printed values (seeded, so recomputed exactly)
    printed = {(0.0, 4): 6.31e4, (0.0, 8): 8.93e4, (0.0, 16): 2.53e5, (0.25, 4): 1.27e5, (0.25, 6): 5.43e5,
               (0.25, 8): 7.27e5, (0.5, 3): 1.02e5, (0.5, 4): 1.84e5, (0.5, 5): 1.16e6}
    for key, value in printed.items():
        assert thresholds[key] == pytest.approx(value, rel=0.006)
    slopes = {theta: np.polyfit(np.log(dims), np.log([thresholds[theta, d] for d in dims]), 1)[0]
              for theta, dims in DIMS.items()}
    assert slopes[0.0] == pytest.approx(1.00, abs=0.005) and slopes[0.25] == pytest.approx(2.59, abs=0.005)
    assert slopes[0.5] == pytest.approx(4.62, abs=0.005)
    # the printed grid resolution ln(sqrt 2) / ln(d_max / d_min): 0.25, 0.50, 0.68
    resolution = {theta: math.log(math.sqrt(2)) / math.log(max(dims) / min(dims)) for theta, dims in DIMS.items()}
    assert [round(resolution[t], 2) for t in (0.0, 0.25, 0.5)] == [0.25, 0.50, 0.68]
    # d = 3 and d = 4 at theta = 1/2: the first sample scanned was already benign (upper bounds); d = 5 was not.
    assert scans[0.5, 3].n[0] == scans[0.5, 3].threshold and scans[0.5, 4].n[0] == scans[0.5, 4].threshold
    assert scans[0.5, 5].n[0] < scans[0.5, 5].threshold
    # the jump from d = 4 to d = 5 at theta = 1/2 carries the exponent
    assert thresholds[0.5, 5] > 5 * thresholds[0.5, 4]


def test_expected_reuse_at_the_uniform_threshold_vanishes_like_1_over_d_log_d():
    for d, printed in ((10, 8.5e-3), (100, 4.3e-4), (1000, 2.9e-5)):
        frac = mp.expected_reuse_fraction(int(n_uniform(d)), 20 * d**2)
        assert frac == pytest.approx(printed, rel=0.02)
        assert frac == pytest.approx(0.197 / (d * math.log(d)), rel=0.05)




# --------------------------------------------------------------------------- the open question (stored sweep)

from lecturelib import sweeps  # noqa: E402

PRINTED_TABLE = {  # c: (online, multipass rows), as printed (fraction, half-width)
    1 / 16: ([(0.81, 0.08), (0.91, 0.06), (0.83, 0.07), (0.86, 0.07)],
             [[0.00, 0.00, 0.06, 0.14, 0.17, 0.30], [0.00, 0.01, 0.03, 0.18, 0.20, 0.45],
              [0.00, 0.02, 0.17, 0.33, 0.32, 0.46], [0.02, 0.06, 0.27, 0.43, 0.48, 0.52]]),
    1 / 4: ([(0.99, 0.04), (0.98, 0.04), (0.92, 0.06)],
            [[0.00, 0.02, 0.08, 0.13, 0.40, 0.70], [0.00, 0.00, 0.09, 0.16, 0.47, 0.90],
             [0.00, 0.03, 0.07, 0.32, 0.90, 0.92]]),
}


@pytest.fixture(scope="module")
def stored() -> sweeps.StoredSweep:
    return sweeps.load("open-question", quiet=True)


@pytest.fixture(scope="module")
def tables(stored) -> dict[float, conc.OpenQuestionTable]:
    return {c: conc.open_question_table(stored, c) for c in (1 / 16, 1 / 4)}


def test_open_question_sweep_is_fresh_and_recomputes_bit_for_bit():
    report = sweeps.verify("open-question")
    assert len(report["checked"]) >= 7, report


def test_open_question_design_is_as_stated(stored):
    cells = stored.cells
    assert stored.runs == 128
    assert {c["c"] for c in cells} == {1 / 16, 1 / 4}
    assert sorted({c["d"] for c in cells if c["c"] == 1 / 16}) == [16, 32, 64, 128]
    assert sorted({c["d"] for c in cells if c["c"] == 1 / 4}) == [16, 32, 64]
    assert all(c["horizon"] == 40 for c in cells)
    assert 40 * 16 == 640  # "each sample is used 640 times on average" at n = d^2/16, T = 40 d^2
    assert round(stored.provenance["cpu_seconds"] / 60) == 10  # "This cost 10 CPU minutes"


def _refit(stored, kind, d, c, r=None):
    match = {"kind": kind, "d": d, "c": c} | ({} if r is None else {"ratio": r})
    a = stored.arrays[stored.cell(**match)]
    return np.mean(a["final_overlap"] >= 0.9)


def test_printed_success_table_refits_from_the_stored_arrays(stored, tables):
    for c, (online, rows) in PRINTED_TABLE.items():
        t = tables[c]
        for i, d in enumerate(t.d):
            p = _refit(stored, "online", int(d), c)
            assert round(p, 2) == online[i][0] and round(float(t.half_width("online")[i]), 2) == online[i][1]
            for j, r in enumerate(t.ratio):
                assert round(_refit(stored, "multipass", int(d), c, float(r)), 2) == rows[i][j], (c, d, r)
        # the half-widths: the larger side of the Wilson interval, at most 0.10 for 128 runs
        assert t.half_width("multipass").max() <= 0.10


def test_null_never_holds_and_touches_half_only_at_small_d(stored, tables):
    for c, t in tables.items():
        assert t.null.sum() == 0
        assert np.all(t.null_touch[t.d >= 64] == 0)
        assert t.null_touch[t.d <= 32].max() > 0
    assert round(tables[1 / 4].null_touch[0, -1], 2) == 0.46  # "about half the runs at c = 1/4, n = 2 d^2"
    assert round(tables[1 / 16].null_touch[0, -1], 2) == 0.12


def test_what_the_data_show(tables):
    t16, t4 = tables[1 / 16], tables[1 / 4]
    # at n <= d^2/8: at most 6 % (c = 1/16) and 3 % (c = 1/4); online 81-91 % and 92-99 %
    assert t16.multipass[:, :2].max() == pytest.approx(0.06, abs=0.005) and t4.multipass[:, :2].max() <= 0.035
    assert (round(t16.online.min(), 2), round(t16.online.max(), 2)) == (0.81, 0.91)
    assert (round(t4.online.min(), 2), round(t4.online.max(), 2)) == (0.92, 0.99)
    # n = 2 d^2 at c = 1/16: 30-52 %, below online at every d (disjoint intervals)
    assert (round(t16.multipass[:, -1].min(), 2), round(t16.multipass[:, -1].max(), 2)) == (0.30, 0.52)
    assert np.all(t16.multipass_ci[:, -1, 1] < t16.online_ci[:, 0])
    # c = 1/4, d = 64, n >= d^2: close to online (intervals overlap)
    assert np.all(t4.multipass_ci[-1, -2:, 1] >= t4.online_ci[-1, 0])
    # c = 1/16, fixed n/d^2 >= 1/4: higher at d = 128 than at d = 16 (disjoint intervals), not monotone between
    for j in range(2, 6):
        assert t16.multipass_ci[0, j, 1] < t16.multipass_ci[-1, j, 0], j
    assert np.round(t16.multipass[:, 2], 2).tolist() == [0.06, 0.03, 0.17, 0.27]
    # c = 1/4, n/d^2 = 1/4: flat (0.08, 0.09, 0.07; overlapping intervals)
    assert np.round(t4.multipass[:, 2], 2).tolist() == [0.08, 0.09, 0.07]
    assert t4.multipass_ci[:, 2, 0].max() <= t4.multipass_ci[:, 2, 1].min()
    # fixed alpha: 8 falls from 0.14 to 0.02; 16 and 32 flat (overlapping intervals) up to d = 64
    def diag(alpha):
        return [int(np.flatnonzero(np.isclose(t16.ratio, alpha / d))[0]) for d in t16.d]
    p8 = [t16.multipass[i, j] for i, j in enumerate(diag(8))]
    assert (round(p8[0], 2), round(p8[-1], 2)) == (0.14, 0.02)
    for alpha in (16, 32):
        ci = [t16.multipass_ci[i, j] for i, j in enumerate(diag(alpha))][:3]
        assert max(c[0] for c in ci) <= min(c[1] for c in ci), alpha


def test_failures_fit_their_sample_like_the_null_and_stay_near_the_equator(stored):
    printed = {1 / 16: (126, 0.37, 0.39, 0.87), 1 / 8: (120, 0.48, 0.48, 0.88), 1 / 4: (94, 0.55, 0.54, 0.91),
               1 / 2: (73, 0.61, 0.60, 0.92), 1: (67, 0.69, 0.67, 0.93), 2: (61, 0.75, 0.75, 0.92)}
    for r, (failed, train, null, never) in printed.items():
        multi = stored.arrays[stored.cell(kind="multipass", d=128, c=1 / 16, ratio=r)]
        ref = stored.arrays[stored.cell(kind="null", d=128, c=1 / 16, ratio=r)]
        bad = multi["final_overlap"] < 0.9
        assert bad.sum() == failed
        m_train = conc.median_interval(multi["train_loss"][bad])
        m_null = conc.median_interval(ref["train_loss"])
        assert round(m_train[0], 2) == train and round(m_null[0], 2) == null
        assert abs(m_train[0] - m_null[0]) <= 0.03  # "within 0.03 of the null runs' median"
        share = np.mean(multi["max_overlap"][bad] < 0.3)
        assert round(share, 2) == never and 0.85 <= share <= 0.95  # "about 9 in 10"
        assert 1 - 0.3 ** 3 >= 0.97
        assert m_train[2] < 0.8  # below the population loss, which is >= 0.97 for these runs
        if r <= 1 / 16:
            assert m_train[2] < 0.4  # "far below" at small n/d^2 (0.37)
        if r == 2:
            assert round(m_train[0], 2) == 0.75  # "less so at n/d^2 = 2 (0.75)"


def test_larger_step_runs_reach_and_fall_back(stored):
    lost = {d: [int(np.sum(np.isfinite(a["first_reach"]) & (a["final_overlap"] < 0.9)))
                for a in (stored.arrays[stored.cell(kind="multipass", d=d, c=1 / 4, ratio=r)]
                          for r in (1 / 16, 1 / 8, 1 / 4, 1 / 2, 1, 2))] for d in (16, 32, 64)}
    assert lost == {16: [1, 1, 2, 9, 20, 30], 32: [0, 1, 3, 12, 30, 7], 64: [0, 3, 3, 12, 4, 1]}


def test_wilson_and_median_intervals():
    low, high = conc.wilson_interval(0, 128)
    assert low == 0 and high == pytest.approx(0.0291, abs=1e-4)
    with pytest.raises(ValueError, match="successes"):
        conc.wilson_interval(5, 4)
    m, lo, hi = conc.median_interval(np.arange(128.0))
    assert (m, lo, hi) == (63.5, 52.0, 75.0)
    with pytest.raises(ValueError, match="level"):
        conc.median_interval([1.0, 2.0], level=1.5)
