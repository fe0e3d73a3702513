"""Every number Lecture 7 states, recomputed with the notebook's seeds.

The sweeps are deterministic for fixed seeds (each run has its own stream, whatever the number
of threads), so the fitted exponents printed in the notebook and written in its table are
checked to two decimals; each is also checked against the exponent the lecture states for the
algorithm (``Algorithm.stated``) within 0.2.
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
    "smoothed_random": (2.40, 2.08, 2.84),
    "l1": (1.02, 0.98, 1.03),
    "l1_he4": (1.25, 1.18, 1.34),
    "reuse": (1.78, 1.47, 2.21),
}
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


def test_random_direction_variance_is_about_d_times_larger():
    printed = {100: 0.73, 400: 0.54, 1600: 0.51}
    for d, value in printed.items():
        v = alg.smoothing_variance("he3", d, samples=200_000, seed=0)
        assert round(v.ratio / d, 2) == value
        assert 0.3 < v.ratio / d < 1.0


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
    he2, he3 = (full_batch_table(Link.hermite(k), (100, 200, 400), (1, 2, 4, 8, 16), eta=10.0, steps=8, runs=6,
                                 seed=k) for k in (2, 3))
    assert he3.median.max() < 0.2  # He_3: never beyond a random start
    assert he2.median[:, :3].max() < 0.2  # He_2, alpha <= 4
    assert np.all(he2.median[:, -1, 2] < 0.25) and np.all(he2.median[:, -1, 8] > 0.5)  # alpha = 16
