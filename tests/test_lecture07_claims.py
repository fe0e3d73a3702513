"""Every number Lecture 7 states, recomputed with the notebook's seeds.

The sweeps are deterministic for fixed seeds (each run has its own stream, whatever the number
of threads), so the fitted exponents printed in the notebook and written in its table are
checked to two decimals; each is also checked against the exponent the lecture states for the
algorithm (``Algorithm.stated``) within 0.2 (the reuse row: its interval contains 2 and it is within 0.25).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from lecturelib import Link
from lecturelib import algorithms as alg
from lecturelib.fullbatch import full_batch_table
from lecturelib.links import CATALOGUE, binned_conditional_hermite_norms, conditional_hermite_norms

# name: (exponent, ci_low, ci_high) as in the lecture's table
TABLE = {
    "vanilla": (1.89, 1.51, 2.25),
    "smoothed": (1.51, 1.47, 1.60),
    "smoothed_random": (2.39, 2.08, 2.84),
    "l1": (1.02, 0.98, 1.03),
    "l1_he4": (1.25, 1.18, 1.34),
    "reuse": (1.78, 1.47, 2.21),
}
# reuse / vanilla median samples: 95 % bootstrap intervals printed in the notebook
RATIO_CI = {50: (0.31, 0.94), 100: (0.31, 0.67), 200: (0.31, 0.82)}
STATED = {"vanilla": 2.0, "smoothed": 1.5, "smoothed_random": 2.5, "l1": 1.0, "l1_he4": 1.2, "reuse": 2.0}


@pytest.fixture(scope="module")
def comparison():
    return alg.compare_algorithms(seed=0)


def test_fitted_exponents_are_those_of_the_table(comparison):
    for row in comparison.rows():
        exponent, low, high = TABLE[row["name"]]
        assert round(row["exponent"], 2) == exponent, row
        assert (round(row["ci"][0], 2), round(row["ci"][1], 2)) == (low, high), row


def test_fitted_exponents_match_the_stated_laws(comparison):
    for row in comparison.rows():
        assert STATED[row["name"]] == alg.ALGORITHMS[row["name"]].stated
        assert row["max_censored_fraction"] <= 0.05, row
        if row["name"] == "reuse":
            # three dimensions, 64 runs: the interval is +-0.37 wide, so the claim "no better than
            # vanilla" is checked by the interval (it holds 2 and overlaps vanilla's), not within 0.2
            assert row["ci"][0] <= 2.0 <= row["ci"][1] and abs(row["exponent"] - row["stated"]) <= 0.25, row
        else:
            assert abs(row["exponent"] - row["stated"]) <= 0.2, row


def test_reuse_does_not_rescue_a_single_neuron_at_step_size_one_over_d():
    """At eta = c/d (the step size at which the second step on a sample moves lambda by O(1)),
    c = 0.3 and 1, d = 200 and 400, 16 runs of 200 d ln d samples: no run escapes, with or
    without reuse (the lecture's bullet on reuse)."""
    from lecturelib.sgd import escape_times, online_sgd

    for c in (0.3, 1.0):
        for d in (200, 400):
            steps = int(200 * d * math.log(d))
            for reuse in (1, 2):
                result = online_sgd(Link.named("he3"), d, c / d, steps, runs=16, seed=1, loss="l2", reuse=reuse,
                                     record_every=max(1, steps // 400), stop_at=0.5)
                assert not np.isfinite(escape_times(result, 0.5)).any(), (c, d, reuse)


def test_smoothing_reaches_d_to_the_k_over_2_and_random_direction_is_worse_than_vanilla(comparison):
    fits = {row["name"]: row for row in comparison.rows()}
    assert fits["smoothed"]["ci"][0] <= 1.5 <= fits["smoothed"]["ci"][1] < 1.75
    assert fits["vanilla"]["ci"][0] <= 2.0 <= fits["vanilla"]["ci"][1]
    assert fits["reuse"]["ci"][0] <= 2.0 <= fits["reuse"]["ci"][1]  # reuse: no better than vanilla
    assert fits["smoothed_random"]["exponent"] > fits["vanilla"]["exponent"]
    assert fits["l1"]["ci"][0] <= 1.0 <= fits["l1"]["ci"][1] + 0.01


def test_local_slope_of_d_log_d():
    assert 1.0 + 1.0 / math.log(math.sqrt(100 * 1600)) == pytest.approx(1.17, abs=0.005)


def test_random_direction_variance_is_about_d_over_2_times_larger():
    """The printed values (1e6 samples) and "within 5 % of 4e6 fresh samples, ratio / d within 0.05";
    with 2e5 samples the one-direction value at d = 100 was 12 % high (printed standard error 13 %)."""
    printed = {100: (4.27e-3, 2.78e-1, 0.65), 400: (6.20e-4, 1.48e-1, 0.60), 1600: (8.31e-5, 7.41e-2, 0.56)}
    for d, (exact, random, ratio) in printed.items():
        v = alg.smoothing_variance("he3", d, samples=1_000_000, seed=0)
        assert (float(f"{v.exact:.2e}"), float(f"{v.random:.2e}"), round(v.ratio / d, 2)) == (exact, random, ratio)
        big = alg.smoothing_variance("he3", d, samples=4_000_000, seed=1)
        assert abs(v.exact / big.exact - 1) <= 0.05 and abs(v.random / big.random - 1) <= 0.05, (d, v, big)
        assert abs(v.ratio / d - big.ratio / d) <= 0.05, (d, v, big)
        assert 0.4 < big.ratio / d < 0.8
    old = alg.smoothing_variance("he3", 100, samples=200_000, seed=0)
    ref = alg.smoothing_variance("he3", 100, samples=4_000_000, seed=1)
    assert old.random / ref.random - 1 == pytest.approx(0.12, abs=0.01)
    assert old.random_se / old.random == pytest.approx(0.13, abs=0.01)  # its printed standard error


def test_random_direction_larger_step_still_escapes_at_d_100():
    """"The range d <= 100 does not show this necessity: there the larger step size still escapes"."""
    from dataclasses import replace

    chosen = alg.ALGORITHMS["smoothed_random"]
    larger = replace(chosen, eta_exponent=0.5)
    small = alg.escape_sample_counts(chosen, 100, runs=32, seed=5)
    big = alg.escape_sample_counts(larger, 100, runs=32, seed=5)
    assert np.isfinite(big).mean() >= 0.9  # it escapes (not faster: its median is not below the chosen step's)
    assert np.isfinite(small).mean() >= 0.9


def test_reuse_halves_the_samples(comparison):
    """Median samples / d^2 printed for vanilla and reuse, with the notebook's bootstrap intervals (2000
    resamples of the 64 runs, censored runs counted as late); reuse / vanilla 0.42 to 0.55, each interval
    containing 1/2 and excluding 1."""
    sweeps = {s.algorithm.name: s.sweep for s in comparison.sweeps}
    van = np.asarray(sweeps["vanilla"].median) / sweeps["vanilla"].d ** 2
    reu = np.asarray(sweeps["reuse"].median) / sweeps["reuse"].d ** 2
    assert np.round(van, 1).tolist() == [20.6, 16.5, 17.6]
    assert np.round(reu, 1).tolist() == [11.4, 7.0, 8.3]
    assert np.all((reu / van > 0.35) & (reu / van < 0.65))
    assert np.round(reu / van, 2).tolist() == [0.55, 0.42, 0.47]
    late = {name: np.where(np.isnan(sweeps[name].times), np.inf, sweeps[name].times) for name in ("vanilla", "reuse")}
    assert late["vanilla"].shape[1] == late["reuse"].shape[1] == 64
    rng = np.random.default_rng(0)
    for i, d in enumerate(sweeps["vanilla"].d):
        boot = {}
        for name, t in late.items():
            pick = rng.integers(0, t.shape[1], (2000, t.shape[1]))
            boot[name] = np.median(t[i][pick], axis=1) / d**2
        assert np.median(late["vanilla"][i]) / d**2 == pytest.approx(van[i])
        lo, hi = np.percentile(boot["reuse"] / boot["vanilla"], (2.5, 97.5))
        assert lo <= 0.5 <= hi < 1, (d, lo, hi)
        assert RATIO_CI[int(d)] == (round(lo, 2), round(hi, 2)), (d, lo, hi)


def test_l1_loss_coefficients_see_the_generative_exponent():
    """Printed l_1..l_4 for He_3 and He_4; l_1(He_3) equals the root-sum slope -l'(0) = 0.1106."""
    he3 = alg.l1_loss_coefficients("he3", 4)
    he4 = alg.l1_loss_coefficients("he4", 4)
    assert np.round(he3, 4).tolist() == [-0.1106, -0.0412, -0.2592, -0.0227]
    assert np.round(he4, 4).tolist() == pytest.approx([0.0, -0.1564, 0.0, -0.2254], abs=1e-4)
    assert np.all(he3 < 0) and he4[1] < 0 and abs(he4[0]) < 1e-10 and abs(he4[2]) < 1e-10
    # the root-sum formula of Exercise ex-l1-drift: -l'(0) = 2 int (sum_i sign f'(z_i) phi(z_i))^2 du
    f = Link.named("he3")
    u = np.linspace(-60, 60, 24001)
    g1 = np.zeros_like(u)
    for j, uj in enumerate(u):
        roots = np.roots([1 / math.sqrt(6), 0, -3 / math.sqrt(6), -uj])
        roots = roots[np.abs(roots.imag) < 1e-9].real
        g1[j] = sum(np.sign(f.df(z)) * math.exp(-z * z / 2) / math.sqrt(2 * math.pi) for z in roots)
    slope = 2 * np.trapezoid(g1 ** 2, u)
    assert slope == pytest.approx(-he3[0], abs=2e-4)
    # finer quadrature agrees
    assert alg.l1_loss_coefficients("he3", 1, nodes=4001)[0] == pytest.approx(he3[0], abs=1e-4)


def test_catalogue_table_of_conditional_coefficients():
    printed = {"relu": (0.8183, 0.5000), "sign": (0.6366, 0.0), "he3": (0.6678, 0.6230), "he4": (0.0, 0.7754),
               "he3+he4": (0.4445, 0.6870), "abs": (0.0, 1.0), "tanh": (1.0, 1.0)}
    for name in CATALOGUE:
        link = Link.named(name)
        roots = conditional_hermite_norms(link, 2)
        bins = binned_conditional_hermite_norms(link, 2, samples=200_000, bins=200, seed=0)
        assert np.allclose(roots, bins, atol=0.025), name  # "within 0.025" (the bins are biased low: 0.022 for he3)
        if name in printed:
            assert np.round(roots[1:], 4) == pytest.approx(printed[name], abs=1e-4), name


def test_full_batch_claims():
    he2, he3 = (full_batch_table(Link.hermite(k), (100, 200, 400), (1, 4, 16), eta=10.0, steps=8, runs=24,
                                 seed=k) for k in (2, 3))
    start = 0.674 / np.sqrt(he3.d)  # median |m_0| of a random start (0.674 = median of |N(0,1)|)
    assert np.round(start, 3).tolist() == [0.067, 0.048, 0.034]
    from scipy import stats
    assert stats.halfnorm.median() == pytest.approx(0.674, abs=5e-4)
    # He_3 at alpha = 16: within about a factor 1.5 of the random-start level at every t <= 8 (at most 1.35)
    assert round(float((he3.median[:, -1] / start[:, None]).max()), 2) == 1.35
    # He_3 over alpha <= 4: below twice that level
    assert np.all(he3.median[:, :-1].max(axis=(1, 2)) < 2 * start)
    # He_2, alpha <= 4: below about 0.25 over t <= 8 (the table's largest median is 0.20, at d = 100)
    assert he2.median[:, :-1].max() < 0.25 and round(float(he2.median[0, :-1].max()), 2) == 0.20
    # ... and still rising at t = 8: 240 runs at d = 100, alpha = 4
    from lecturelib.fullbatch import full_batch_gd
    m = np.abs(full_batch_gd(Link.hermite(2), 100, 400, 10.0, 8, runs=240, seed=20).overlap)
    med = np.median(m, axis=0)
    assert np.round(med, 2).tolist() == [0.06, 0.10, 0.13, 0.15, 0.17, 0.18, 0.19, 0.20, 0.20]
    assert med[-1] > med[4] + 0.02 and med.max() < 0.25
    pick = np.random.default_rng(0).integers(0, 240, (2000, 240))
    lo, hi = np.percentile(np.median(m[pick, -1], axis=1), (2.5, 97.5))
    assert (round(lo, 2), round(hi, 2)) == (0.17, 0.25)
    # the 24-run table at d = 100, alpha = 4 is still rising too
    assert he2.median[0, 1, -1] >= he2.median[0, 1, :5].max()
    # He_2 at alpha = 16: first crossings of 1/2 at t = 3, 4, 7
    assert he2.first_crossing(0.5)[:, -1].tolist() == [3, 4, 7]
    assert (he3.first_crossing(0.5)[:, -1] == -1).all()
