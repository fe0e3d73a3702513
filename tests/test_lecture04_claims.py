"""Every number Lecture 4 (lectures/04-online-sgd.ipynb) states, recomputed and compared with theory.

The settings below repeat the notebook's; a change there must be mirrored here.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from lecturelib import Link, online_sgd
from lecturelib import drift, experiments
from lecturelib.engine_law import compare_engines
from lecturelib.flow_vs_sgd import theorem_step_size
from lecturelib.phases import search_descent

# --- the notebook's settings
LAW = dict(d=1000, eta=0.5 / 1000, steps=500, runs=200, m0=0.5, seed=0, level=0.01)
TABLE = dict(runs=32, seed=0)
SEARCH = [(1, 1000, 0.5, 40 * 1000, 1), (2, 1000, 0.1, 200 * 1000, 2), (3, 100, 0.05, 80 * 100**2, 3)]
THRESHOLD = dict(d_values=(200, 800, 3200), c_values=(0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5), horizon_scale=60.0,
                 runs=32, seed=0)
PHASE = dict(d=100, c_values=np.geomspace(0.02, 1.0, 10), horizon_scale=20.0, runs=32, seed=0)
M = np.array([0.05, 0.1, 0.2, 0.4, 0.6, 0.8])

# --- what the notebook prints (rounded as printed)
PRINTED_TABLE = {  # k: exponent, CI, max censored fraction (in %)
    1: (1.00, (0.99, 1.02), 0),
    2: (1.15, (1.12, 1.20), 0),
    3: (2.09, (1.66, 2.44), 9),
    4: (3.08, (2.75, 3.50), 19),
}
PRINTED_LOG_SLOPE = (3.40, (2.73, 4.28), 3.57)
PRINTED_SEARCH = [(34, 2330, 1846, 0), (69, 9150, 6372, 0), (92, 13000, 12079, 12)]
PRINTED_THRESHOLDS = {100: 0.439, 200: 0.391, 800: 0.350, 3200: 0.338}
PRINTED_PROBABILITY = [
    [1.00, 1.00, 1.00, 0.94, 0.88, 0.62, 0.44],
    [1.00, 1.00, 0.91, 0.25, 0.00, 0.00, 0.00],
    [1.00, 1.00, 0.84, 0.00, 0.00, 0.00, 0.00],
]
PRINTED_CROSSING = [0.483, 0.331, 0.320]
PRINTED_PHASE = [0.12, 0.56, 0.69, 0.56, 0.81, 0.88, 0.72, 0.62, 0.47, 0.50]


@pytest.fixture(scope="module")
def table() -> experiments.TheoremTable:
    return experiments.theorem_table(**TABLE)


@pytest.fixture(scope="module")
def probability() -> experiments.EscapeProbability:
    return experiments.escape_probability(Link.hermite(2), **THRESHOLD)


@pytest.fixture(scope="module")
def thresholds() -> dict[int, float]:
    return {d: drift.equator_threshold(Link.hermite(2), d) for d in PRINTED_THRESHOLDS}


# --------------------------------------------------------------------------- the exact reduction


def test_full_engine_and_chain_agree_in_law_at_d_1000_at_level_1_percent():
    law = compare_engines(Link.hermite(2), **LAW)
    assert not law.rejected and law.level == 0.01
    assert round(law.statistic, 3) == 0.110 and round(law.pvalue, 3) == 0.178
    assert (round(law.full.mean(), 4), round(law.chain.mean(), 4)) == (0.4344, 0.4267)
    assert (round(law.full.std(), 4), round(law.chain.std(), 4)) == (0.0524, 0.0551)


def test_chain_with_label_noise_leaves_w_star_at_the_rate_of_the_first_exercise():
    # E[1 - m' | m = 1] = (eta^2 sigma^2 / 2) E[f'^2] (d - 1) + O(eta^4 d^2), E[f'^2] = k for h_k.
    d, eta, sigma, k, runs = 200, 0.01 / 200, 0.7, 3, 20000
    gap = 1.0 - online_sgd(Link.hermite(k), d, eta, 1, runs=runs, m0=1.0, noise=sigma, seed=4).overlap[:, 1]
    predicted = 0.5 * eta**2 * sigma**2 * k * (d - 1)
    assert abs(gap.mean() - predicted) < 3 * gap.std() / math.sqrt(runs)


# --------------------------------------------------------------------------- the theorem's table


def test_table_rows_are_the_printed_ones(table):
    for row in table.rows():
        exponent, ci, censored = PRINTED_TABLE[row["k"]]
        assert round(row["exponent"], 2) == exponent
        assert tuple(round(x, 2) for x in row["exponent_ci"]) == ci
        assert round(100 * row["max_censored_fraction"]) == censored
    k2 = table.rows()[1]
    assert round(k2["log_slope"], 2) == PRINTED_LOG_SLOPE[0]
    assert tuple(round(x, 2) for x in k2["log_slope_ci"]) == PRINTED_LOG_SLOPE[1]
    assert round(k2["log_slope_predicted"], 2) == PRINTED_LOG_SLOPE[2]


def test_escape_time_exponents_match_the_theorem(table):
    rows = {row["k"]: row for row in table.rows()}
    assert abs(rows[1]["exponent"] - 1.0) <= 0.15
    assert abs(rows[3]["exponent"] - 2.0) <= 0.15
    lo, hi = rows[2]["log_slope_ci"]
    assert lo <= 1 / (2 * 0.1 * (2 - 6 * 0.1)) <= hi  # T/d = ln d / (2c(2 - 6c)) + const
    assert 1.1 < rows[2]["exponent"] < 1.2  # d ln d read as a power
    lo, hi = PRINTED_TABLE[4][1]
    assert lo <= rows[4]["exponent"] <= hi and abs(rows[4]["exponent"] - 3.0) <= 0.4
    assert experiments.THEOREM_SETTINGS[4]["eta_scale"] <= 0.02


def test_local_loglog_slope_of_d_ln_d_is_between_1_11_and_1_22_over_the_range():
    d = np.array([1e2, 1e4])
    slope = 1 + 1 / np.log(d)  # d/d(ln d) of ln(d ln d)
    np.testing.assert_allclose(slope, [1.217, 1.109], atol=1e-3)


def test_collapse_is_flat_within_a_factor_of_two(table):
    for sweep in table.sweeps:
        k = sweep.link.information_exponent
        d = sweep.d.astype(float)
        law = d * np.log(d) if k == 2 else d ** max(1, k - 1)
        ratio = sweep.median / law
        assert ratio.max() / ratio.min() < (2.0 if k <= 3 else 3.0)


# --------------------------------------------------------------------------- search and descent


def test_search_fractions_and_descent_lengths_are_the_printed_ones():
    for (k, d, c, horizon, seed), (percent, descent, flow, censored) in zip(SEARCH, PRINTED_SEARCH):
        p = search_descent(Link.hermite(k), d, theorem_step_size(k, d, c), horizon, runs=16, seed=seed)
        assert round(100 * p.search_fraction) == percent
        assert round(p.descent_median) == descent and round(p.flow_descent) == flow
        assert round(100 * p.censored_fraction) == censored
        assert 1.0 < p.descent_median / p.flow_descent < 1.5  # flow-like, slower
    assert PRINTED_SEARCH[0][0] < 50 < PRINTED_SEARCH[1][0] < PRINTED_SEARCH[2][0]
    excess = [round(100 * (descent / flow - 1)) for _, descent, flow, _ in PRINTED_SEARCH]
    assert (min(excess), max(excess)) == (8, 44)  # "longer than the flow's by 8 to 44 %"
    assert 2 - 6 * 0.1 == pytest.approx(1.4)


# --------------------------------------------------------------------------- the drift


def test_kappa_moments_printed_at_0_and_0_4():
    printed = {1: (2, 4, 1.20, 2.88), 2: (12, 12, 10.08, 13.31), 3: (96, 114, 91.24, 90.88),
               4: (856, 888, 840.11, 790.85)}
    for k, (a0, b0, a4, b4) in printed.items():
        mom = drift.kappa_moments(Link.hermite(k), [0.0, 0.4])
        assert (round(mom.kappa2[0]), round(mom.kappa2_beta2[0])) == (a0, b0)
        assert (round(mom.kappa2[1], 2), round(mom.kappa2_beta2[1], 2)) == (a4, b4)


def test_relative_errors_of_the_expansion_are_the_printed_ones():
    he2 = Link.hermite(2)
    ex2, ap2 = drift.exact_drift(he2, 1000, 0.3 / 1000, M), drift.drift_expansion(he2, 1000, 0.3 / 1000, M)
    np.testing.assert_allclose((ap2 - ex2) / np.abs(ex2), [-0.205, -0.204, -0.198, -0.173, -0.130, -0.071], atol=6e-4)
    assert np.all(ex2 > 0)  # "the exact drift stays positive up to m = 0.8"
    he3, eta3 = Link.hermite(3), 0.1 * 1000**-1.5
    rel3 = (drift.drift_expansion(he3, 1000, eta3, M) - drift.exact_drift(he3, 1000, eta3, M)) / np.abs(
        drift.exact_drift(he3, 1000, eta3, M))
    assert round(rel3[0], 3) == -0.093 and np.all(np.abs(rel3[1:]) < 1.5e-3)  # "about 1e-3"


def test_second_moment_of_the_chi_square_in_the_remainder_bound():
    from scipy import stats
    for d in (3, 10, 1000):
        assert stats.chi2(d - 2).moment(2) == pytest.approx(d * (d - 2), rel=1e-12)  # E Z^2 = d(d - 2)


def test_equator_moments_predict_a_sign_flip_of_h2_above_sqrt_1_minus_3c():
    c = 0.3
    m_flip = math.sqrt(1 - 3 * c)
    assert round(m_flip, 2) == 0.32
    # with E[kappa^2] = 12, E[kappa^2 beta^2] = 12 the expansion changes sign there (d = 1000)
    eta, d = c / 1000, 1000
    def frozen(m):
        return eta * 2 * m * (1 - m * m) - 0.5 * eta**2 * (12 * (d - 2) + 12) * m
    assert frozen(m_flip - 0.02) > 0 > frozen(m_flip + 0.02)
    assert drift.exact_drift(Link.hermite(2), d, eta, 0.4) > 0


def test_threshold_values_are_the_printed_ones(thresholds):
    for d, value in PRINTED_THRESHOLDS.items():
        assert round(thresholds[d], 3) == value


def test_measured_h2_threshold_against_the_exact_finite_d_threshold(probability, thresholds):
    np.testing.assert_array_equal(np.round(probability.probability, 2), PRINTED_PROBABILITY)
    np.testing.assert_allclose(probability.crossing, PRINTED_CROSSING, atol=5e-4)
    crossing = dict(zip(probability.d.tolist(), probability.crossing))
    for d in (800, 3200):  # within 0.03 of the exact threshold, slightly below (finite horizon)
        assert -0.03 < crossing[d] - thresholds[d] < 0
    assert crossing[200] > thresholds[200]  # rare escapes above the threshold at small d
    assert crossing[200] > crossing[800] > crossing[3200]  # moving toward 1/3
    assert abs(crossing[3200] - 1 / 3) < 0.02
    j = list(probability.c).index(0.4)
    assert probability.probability[0, j] > 0.5 and probability.probability[1, j] == 0.0


def test_barrier_values_are_the_printed_ones():
    printed = {(3, 0.02): (0.320, 0.320), (3, 0.05): (0.800, 0.800), (3, 0.1): (1.602, 1.600),
               (4, 0.02): (1.464, 1.463), (4, 0.05): (2.319, 2.313)}
    for (k, c), (exact, estimate) in printed.items():
        link, eta = Link.hermite(k), theorem_step_size(k, 1000, c)
        assert round(math.sqrt(1000) * drift.barrier(link, 1000, eta), 3) == exact
        assert round(math.sqrt(1000) * drift.barrier_estimate(link, 1000, eta), 3) == estimate


def test_phase_diagram_row_and_its_reading():
    diagram = experiments.phase_diagram(Link.hermite(3), **PHASE)
    final = np.round(diagram.probability[:, -1], 2)
    np.testing.assert_array_equal(final, PRINTED_PHASE)
    best = diagram.c[np.argmax(diagram.probability[:, -1])]
    assert 1 / 16 < best and 0.1 <= best <= 0.2
    assert final[0] < 0.2 and final[-1] < final.max()
    # at c = 1, d = 100 the exact one-step mean is negative at every m
    assert np.all(drift.exact_drift(Link.hermite(3), 100, 1e-3, np.linspace(0.01, 0.99, 50)) < 0)
