"""lecturelib.decomposition: the drift-plus-martingale decomposition, Doob, hypercontractivity, Bihari-LaSalle."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from lecturelib import Link, online_sgd
from lecturelib import _decomposition_kernels as dk
from lecturelib import decomposition as dc
from lecturelib._kernels import series_roots

HE3 = Link.hermite(3)


# --------------------------------------------------------------------------- the decomposition


@pytest.mark.parametrize("link, eta, m0", [(HE3, 2e-4, 0.2), (Link.hermite(2), 1e-3, 0.1),
                                           (Link.named("he3+he4"), 5e-4, None)])
def test_decomposition_adds_up_to_the_simulated_overlap_within_1e_12(link, eta, m0):
    dec = dc.decompose(link, 100, eta, 100_000, runs=4, m0=m0, seed=0, record_every=1000)
    assert dec.max_residual < 1e-12
    assert np.abs(dec.residual).max() < 1e-12
    assert np.abs(dec.overlap[:, -1] - dec.start).max() > 1e-3  # the runs moved: the check is not vacuous


def test_increment_step_matches_the_full_dimensional_update_by_coupling():
    """Feed the d-dimensional update's own (lambda, beta, ||z||^2) into the chain: same g, m', ||w'||."""
    rng = np.random.default_rng(0)
    d, eta = 40, 0.05
    link = Link.named("he3+he4")
    coef, slope = dc._series(link)
    root = series_roots(coef.size)
    w_star = np.zeros(d)
    w_star[0] = 1.0
    w = rng.standard_normal(d)
    w *= 1.3 / np.linalg.norm(w)  # a norm different from 1
    for _ in range(60):
        r = np.linalg.norm(w)
        w_hat = w / r
        mu = w_hat @ w_star
        x = rng.standard_normal(d)
        lam = w_hat @ x
        kappa = (link.f(x @ w_star) - link.f(lam)) * link.df(lam)
        g_full = kappa * (w_star @ (x - lam * w_hat))
        w_new = w + eta * kappa * (x - lam * w_hat)
        u = (w_star - mu * w_hat) / np.linalg.norm(w_star - mu * w_hat)
        beta = u @ x
        z = x - lam * w_hat - beta * u
        g, g_bar, mu_new, r_new = dk.increment_step(0, coef, root, slope, eta, mu, r, lam, beta, z @ z)
        assert g == pytest.approx(g_full, abs=1e-12 * max(1.0, abs(g_full)))
        assert g_bar == pytest.approx(float(link.drift(mu)), abs=1e-12)
        assert r_new * mu_new == pytest.approx(w_new @ w_star, abs=1e-12)
        assert r_new == pytest.approx(np.linalg.norm(w_new), rel=1e-12)
        assert w_new @ w_star == pytest.approx(w @ w_star + eta * g_full, abs=1e-12)
        w = w_new


def test_decomposition_matches_the_full_engine_in_law():
    """Two-sample KS tests of m_T and ||w_T|| against online_sgd(engine="full", projected=False); level 0.01 each
    (Bonferroni over the two tests: 0.02 in all)."""
    d, eta, steps, runs = 50, 0.02, 400, 400
    full = online_sgd(HE3, d, eta, steps, runs=runs, m0=0.3, seed=11, engine="full", projected=False,
                      record_every=steps)
    chain = dc.decompose(HE3, d, eta, steps, runs=runs, m0=0.3, seed=12, record_every=steps)
    assert stats.ks_2samp(full.overlap[:, -1], chain.overlap[:, -1]).pvalue > 0.01
    assert stats.ks_2samp(full.norm[:, -1], chain.norm[:, -1]).pvalue > 0.01
    assert np.median(chain.norm[:, -1]) > 1.05  # the norm grew: the test compares something


@pytest.mark.parametrize("name", ["he2", "he3", "he3+he4", "cubic"])
@pytest.mark.parametrize("mu", [0.0, 0.3, -0.6, 0.95])
def test_mean_increment_is_the_drift_at_the_cosine(name, mu):
    link = Link.named(name)
    moments = dc.increment_moments(link, mu)
    assert moments["mean"] == pytest.approx(float(link.drift(mu)), abs=1e-10)
    _, slope = dc._series(link)
    assert dk.mean_increment(slope, mu) == pytest.approx(float(link.drift(mu)), abs=1e-12)


def test_martingale_increments_have_mean_zero_on_runs():
    dec = dc.decompose(HE3, 100, 1e-5, 20_000, runs=20, m0=0.0, seed=3)
    z = dc.centred_increments(dec)
    assert z.size == 20 * 20_000
    assert abs(z.mean()) < 4 * z.std() / math.sqrt(z.size)
    assert z.var() == pytest.approx(dc.increment_moments(HE3, 0.0)["variance"], rel=0.1)


def test_record_every_subsamples_the_same_run():
    fine = dc.decompose(HE3, 60, 1e-3, 500, runs=2, m0=0.1, seed=5, record_every=1)
    coarse = dc.decompose(HE3, 60, 1e-3, 500, runs=2, m0=0.1, seed=5, record_every=50)
    for name in ("overlap", "norm", "drift", "martingale"):
        np.testing.assert_array_equal(getattr(fine, name)[:, ::50], getattr(coarse, name))
    np.testing.assert_array_equal(fine.max_martingale, coarse.max_martingale)
    assert np.isnan(fine.increment[:, -1]).all() and np.isfinite(fine.increment[:, :-1]).all()


def test_stopping_at_escape_keeps_the_state_at_escape():
    dec = dc.decompose(HE3, 50, 5e-4, 50_000, runs=4, m0=0.3, seed=1, record_every=10, stop_at_escape=True)
    assert dec.escaped_fraction >= 0.5
    for r in np.flatnonzero(np.isfinite(dec.escape_step)):
        after = dec.steps > dec.escape_step[r]
        assert np.all(dec.overlap[r, after] == dec.overlap[r, -1])
        assert dec.cosine[r, -1] >= 0.5


def test_result_does_not_depend_on_threads():
    one = dc.decompose(HE3, 50, 1e-3, 2000, runs=5, seed=7, record_every=100, threads=1)
    two = dc.decompose(HE3, 50, 1e-3, 2000, runs=5, seed=7, record_every=100, threads=2)
    np.testing.assert_array_equal(one.overlap, two.overlap)


def test_record_guard_refuses_an_oversized_record():
    with pytest.raises(ValueError, match="raise record_every to at least"):
        dc.decompose(HE3, 10, 1e-3, 10**9, runs=1000)


def test_a_diverging_run_is_reported():
    with pytest.raises(FloatingPointError, match="diverged"):
        dc.decompose(Link.hermite(4), 10, 1e200, 100, seed=0)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(link=Link.relu()), ValueError, "not a Hermite series"),
    (dict(d=2), ValueError, "d must be an integer >= 3"),
    (dict(eta=-1.0), ValueError, "eta must be a positive"),
    (dict(m0=1.5), ValueError, r"m0 must be a number in \[-1, 1\]"),
    (dict(stop_at_escape=1), TypeError, "stop_at_escape must be a bool"),
    (dict(link="he3"), TypeError, "link must be a lecturelib.Link"),
])
def test_decompose_rejects_bad_arguments(kwargs, error, match):
    args = dict(link=HE3, d=20, eta=1e-3, steps=10)
    args.update(kwargs)
    with pytest.raises(error, match=match):
        dc.decompose(args.pop("link"), args.pop("d"), args.pop("eta"), args.pop("steps"), **args)


# --------------------------------------------------------------------------- the norm


def test_norm_growth_follows_the_prediction_near_the_equator():
    dec = dc.decompose(HE3, 100, 1e-3, 1000, runs=400, m0=0.0, seed=2, record_every=100)
    predicted = dc.norm_growth_prediction(HE3, 100, 1e-3, dec.steps)
    measured = np.mean(dec.norm**2, axis=0)
    assert np.allclose(measured[1:] - 1, predicted[1:] - 1, rtol=0.1)


def test_moments_at_the_equator_match_the_design_table():
    for k, kappa2 in zip((1, 2, 3, 4), (2, 12, 96, 856)):
        assert dc.increment_moments(Link.hermite(k))["kappa2"] == pytest.approx(kappa2, rel=1e-12)


# --------------------------------------------------------------------------- Doob


def test_doob_bound_is_never_exceeded_beyond_three_standard_errors():
    dec = dc.decompose(HE3, 100, 1e-4, 2000, runs=2000, m0=0.2, seed=9, record_every=2000)
    tail = dc.martingale_tail(dec, np.linspace(0.2, 5.0, 40), p=(1.0, 2.0, 4.0, 6.0), relative=True)
    for i in range(len(tail.p)):
        error = np.sqrt(tail.standard_error**2 + tail.doob_error[i] ** 2)
        assert np.all(tail.empirical <= tail.doob[i] + 3 * error + 1e-12)
    assert tail.empirical[0] > 0.9 and tail.empirical[-1] < 0.01  # the levels span the tail


def test_maximum_is_at_least_the_final_value():
    dec = dc.decompose(HE3, 50, 1e-3, 3000, runs=50, seed=4, record_every=100)
    assert np.all(dec.max_martingale >= np.abs(dec.martingale[:, -1]))
    assert np.all(dec.max_martingale >= np.abs(dec.martingale).max(axis=1))


def test_brownian_maximum_tail_series_agree_and_match_the_reflection_bound():
    x = np.array([1.5 - 1e-9, 1.5])
    a, b = dc.brownian_maximum_tail(x)
    assert a == pytest.approx(b, abs=1e-8)
    far = dc.brownian_maximum_tail(np.array([3.0, 4.0]))
    reflection = 2 * stats.norm.sf(np.array([3.0, 4.0])) * 2
    assert np.all(far <= reflection * (1 + 1e-12)) and np.allclose(far, reflection, rtol=1e-3)
    values = dc.brownian_maximum_tail(np.linspace(0.2, 5, 50))
    assert np.all(np.diff(values) < 0)


def test_martingale_tail_refuses_stopped_runs():
    dec = dc.decompose(HE3, 20, 1e-3, 10, runs=2, seed=0, stop_at_escape=True)
    with pytest.raises(ValueError, match="must not be stopped"):
        dc.martingale_tail(dec, [0.1])


# --------------------------------------------------------------------------- hypercontractivity


def test_hypercontractivity_holds_on_the_grid():
    check = dc.hypercontractivity_check(max_degree=6, q=(3.0, 4.0, 6.0), variables=2, count=30, seed=1)
    assert check.holds
    assert check.hermite[:, 0] == pytest.approx(1.0)  # constants are extremal
    three = dc.hypercontractivity_check(max_degree=4, q=(4.0,), variables=3, count=10, seed=2, nodes=30)
    assert three.holds


def test_hermite_norms_are_exact_for_even_q():
    # E He_2^4 = 60, ||He_2||_2 = sqrt(2): ratio (60^(1/4)) / (3 * sqrt 2)
    check = dc.hypercontractivity_check(max_degree=2, q=(4.0,), count=1)
    assert check.hermite[0, 2] == pytest.approx(60 ** 0.25 / math.sqrt(2) / 3.0, rel=1e-12)


def test_increment_is_a_polynomial_of_degree_2k():
    for k in (1, 2, 3, 4):
        for q in (3.0, 4.0, 6.0):
            ratio = dc.increment_norm_ratio(Link.hermite(k), q)
            assert ratio <= (q - 1) ** k
    assert dc.increment_norm_ratio(HE3, 4.0) > 3.0 ** 1.5  # the link's degree k would not suffice


# --------------------------------------------------------------------------- Bihari-LaSalle


@settings(max_examples=300, deadline=None)
@given(a0=st.floats(1e-3, 1.2), a1=st.floats(1e-4, 2.0), k=st.integers(2, 7),
       slack=st.lists(st.floats(0.0, 0.5), min_size=60, max_size=60))
def test_bihari_lasalle_bound_is_below_every_sequence_of_the_hypothesis(a0, a1, k, slack):
    """Any u_t >= a0 + a1 sum_{s<t} u_s^(k-1) (built with random nonnegative slack) stays above the bound."""
    u = np.empty(len(slack))
    total = 0.0
    for t, extra in enumerate(slack):
        u[t] = a0 + a1 * total + extra
        total += min(u[t], 1e30) ** (k - 1)  # past 1e30 the bound is 1 long since
    bound = dc.bihari_lasalle_bound(a0, a1, k, np.arange(u.size))
    assert np.all(u >= bound * (1 - 1e-12))


def test_notes_form_fails_on_the_errata_example_and_the_corrected_form_holds():
    a0, a1 = 0.8878, 0.0228
    u1 = dc.comparison_sequence(a0, a1, 4, 1)[1]
    assert u1 == pytest.approx(a0 + a1 * a0**3, rel=1e-15)
    assert dc.bihari_lasalle_bound(a0, a1, 4, 1.0, notes_form=True) > u1
    assert dc.bihari_lasalle_bound(a0, a1, 4, 1.0) < u1
    assert dc.notes_form_failures(3, 300)["notes"] == 0.0  # the forms agree for k = 3
    assert dc.notes_form_failures(4, 300)["corrected"] == 0.0


def test_k2_bound_is_the_sequence_and_the_flow_is_above_it():
    exact = dc.bihari_lasalle_bound(0.01, 0.1, 2, np.arange(51))
    np.testing.assert_allclose(dc.comparison_sequence(0.01, 0.1, 2, 50), exact, rtol=1e-12)
    for k in (3, 4, 5):
        curves = dc.bihari_lasalle_curves(0.2, 0.1, k, 60)
        finite = np.isfinite(curves.sequence) & np.isfinite(curves.flow)
        assert np.all(curves.flow[finite] >= curves.sequence[finite] * (1 - 1e-12))
        assert np.all(curves.sequence >= curves.bound * (1 - 1e-12))


def test_bihari_lasalle_rejects_bad_arguments():
    with pytest.raises(ValueError, match="a0 must be a positive"):
        dc.bihari_lasalle_bound(0.0, 0.1, 3, [1])
    with pytest.raises(ValueError, match="k must be an integer >= 2"):
        dc.comparison_sequence(0.1, 0.1, 1, 5)
    with pytest.raises(ValueError, match="t must hold finite times"):
        dc.bihari_lasalle_bound(0.1, 0.1, 3, [-1.0])


# --------------------------------------------------------------------------- the admissible region


@pytest.mark.parametrize("d, k", [(100, 3), (400, 4), (1000, 2)])
def test_region_lines_meet_at_the_corner(d, k):
    region = dc.admissible_region(d, k, a1_constant=0.2, a2_constant=0.7)
    eta_c, t_c = region.corner
    at = dc.admissible_region(d, k, [eta_c], a1_constant=0.2, a2_constant=0.7)
    assert at.t_a1[0] == pytest.approx(t_c) and at.t_a2[0] == pytest.approx(t_c)
    assert np.all((region.t_a2 <= region.t_a1) == (region.eta <= eta_c * (1 + 1e-12)))


def test_unit_constants_give_the_theorem_corner():
    assert dc.admissible_region(100, 3).corner == pytest.approx((100**-1.5, 100**2))
    assert dc.admissible_region(400, 4).corner == pytest.approx((400**-2.0, 400**3))
    d = 1000
    assert dc.admissible_region(d, 2).corner == pytest.approx((1 / (d * math.log(d)), d * math.log(d) ** 2))


def test_region_position_and_proof_constants():
    a, b = dc.proof_constants(HE3, c0=2.0)
    assert a == pytest.approx(2.0 / (2 * math.sqrt(114.0)))
    assert b == pytest.approx(1.0 / (3 * 0.75))
    pos = dc.region_position(100, 3, 1e-5, 600_000, a1_constant=a, a2_constant=b)
    assert pos["inside"] and pos["a1"] < 1 < pos["a2"]
    assert not dc.region_position(100, 3, 1e-3, 1e4, a1_constant=a, a2_constant=b)["inside"]
    with pytest.raises(ValueError, match="information exponent k >= 2"):
        dc.proof_constants(Link.hermite(1))


def test_theorem_point_scales():
    assert dc.theorem_point(100, 3, 2.0, 3.0) == (pytest.approx(2e-3), 30_000)
    eta, steps = dc.theorem_point(100, 2, 0.5, 1.0)
    assert eta == pytest.approx(5e-3) and steps == round(100 * math.log(100))


# ------------------------------------------------------------ helpers of the stored sweeps (Lecture 5)


def test_median_interval_is_the_order_statistic_interval():
    med, lo, hi = dc.median_interval(np.arange(1.0, 101.0))
    assert (med, lo, hi) == (50.5, 40.0, 61.0)  # the textbook interval [x_(40), x_(61)] for n = 100
    from scipy import stats
    coverage = 1 - 2 * stats.binom.cdf(39, 100, 0.5)
    assert coverage >= 0.95
    # coverage by simulation: the population median of Exp(1) is ln 2
    rng = np.random.default_rng(0)
    hits = [lo <= np.log(2) <= hi for _, lo, hi in (dc.median_interval(rng.exponential(size=41)) for _ in range(2000))]
    assert np.mean(hits) > 0.94


def test_median_interval_counts_censored_runs_as_later_than_all():
    t = np.array([1.0, 2.0, 3.0, 4.0, 5.0, np.nan, np.nan])
    med, lo, hi = dc.median_interval(t)
    assert med == 4.0 and lo == 1.0 and hi == np.inf
    from lecturelib.experiments import censored_median
    assert med == censored_median(t)[0]
    assert dc.median_interval(np.array([1.0, 2.0, 3.0, np.inf, np.inf, np.inf]))[0] == np.inf


@pytest.mark.parametrize("bad", [np.ones((3, 3)), np.ones(5), np.array([1.0, 2, 3, 4, 5, -np.inf])])
def test_median_interval_rejects_bad_values(bad):
    with pytest.raises(ValueError, match="values"):
        dc.median_interval(bad)


def test_median_interval_rejects_bad_confidence():
    with pytest.raises(ValueError, match="confidence"):
        dc.median_interval(np.arange(10.0), confidence=1.5)


def test_maximum_quantiles_of_a_brownian_sample_and_its_intervals():
    rng = np.random.default_rng(1)
    # maxima of |random walks| of 400 Gaussian steps, scaled: close to the Brownian maximum
    steps = rng.standard_normal((4000, 400)) / 20.0
    paths = np.cumsum(steps, axis=1)
    q = dc.maximum_quantiles(np.abs(paths).max(axis=1), paths[:, -1], [0.5, 0.1])
    assert q["sigma"] == pytest.approx(np.sqrt(np.mean(paths[:, -1] ** 2)))
    assert np.all(q["low"] <= q["empirical"]) and np.all(q["empirical"] <= q["high"])
    np.testing.assert_allclose(q["brownian"][1], 1.96, atol=0.01)  # P(max|B| >= 1.96) ~ 0.1
    # a discrete walk's maximum is a little below the continuous one
    assert np.all(q["empirical"] < q["brownian"] + 0.02) and np.all(q["empirical"] > q["brownian"] - 0.15)


def test_maximum_quantiles_rejects_bad_input():
    x = np.abs(np.random.default_rng(0).standard_normal(50))
    with pytest.raises(ValueError, match="maxima and final"):
        dc.maximum_quantiles(x, x[:10], [0.1])
    with pytest.raises(ValueError, match="deltas"):
        dc.maximum_quantiles(x, x, [0.0])
    with pytest.raises(ValueError, match="confidence"):
        dc.maximum_quantiles(x, x, [0.1], confidence=1.0)
    with pytest.raises(ValueError, match="sigma_T"):
        dc.maximum_quantiles(x, np.zeros(50), [0.1])


def test_stored_point_matches_diagnose_point_on_the_same_runs():
    link = Link.hermite(3)
    eta, steps = 2e-5, 20_000
    point = dc.diagnose_point(link, 100, eta, steps, c0=2.0, runs=8, seed=5)
    dec = dc.decompose(link, 100, eta, steps, runs=8, m0=0.2, seed=5, record_every=steps, level=0.5)
    arrays = {"max_martingale": dec.max_martingale, "final_martingale": dec.martingale[:, -1],
              "final_drift": dec.drift[:, -1], "final_norm": dec.norm[:, -1], "escape": dec.escape_step}
    stored = dc.stored_point({"d": 100, "eta": eta, "steps": steps}, arrays, link, c0=2.0)
    assert stored.runs == 8 and stored.position == point.position
    assert stored.norm == pytest.approx(float(np.median(dec.norm[:, -1])))
    assert stored.martingale_fails == pytest.approx(float(np.mean(dec.max_martingale > 0.1)))
    assert stored.escaped == pytest.approx(float(np.mean(np.isfinite(dec.escape_step))))


def test_stored_point_rejects_missing_fields():
    link = Link.hermite(3)
    with pytest.raises(ValueError, match="cell lacks"):
        dc.stored_point({"d": 100}, {}, link, c0=2.0)
    with pytest.raises(ValueError, match="arrays lack"):
        dc.stored_point({"d": 100, "eta": 1e-5, "steps": 10}, {"escape": np.zeros(3)}, link, c0=2.0)
    arrays = {name: np.zeros(3) for name in ("max_martingale", "final_martingale", "final_drift", "final_norm",
                                             "escape")}
    with pytest.raises(TypeError, match="link"):
        dc.stored_point({"d": 100, "eta": 1e-5, "steps": 10}, arrays, "h3", c0=2.0)


def test_quantile_interval_is_the_binomial_order_statistic_interval():
    est, lo, hi = dc.quantile_interval(np.arange(1.0, 101.0), 0.9)
    assert (round(float(est), 2), float(lo), float(hi)) == (90.1, 84.0, 96.0)
    assert stats.binom.cdf(95, 100, 0.9) - stats.binom.cdf(83, 100, 0.9) >= 0.95  # P(x_(84) <= q <= x_(96))
    # the median case agrees with median_interval
    x = np.random.default_rng(3).normal(size=57)
    assert [float(v) for v in dc.quantile_interval(x, 0.5)[1:]] == list(dc.median_interval(x)[1:])
    # coverage by simulation: the 0.9 quantile of Exp(1) is ln 10
    rng = np.random.default_rng(0)
    samples = rng.exponential(size=(100, 3000))
    _, lo, hi = dc.quantile_interval(samples, 0.9)
    assert np.mean((lo <= np.log(10)) & (np.log(10) <= hi)) > 0.94


def test_quantile_interval_of_running_maxima_is_monotone():
    steps = np.random.default_rng(1).standard_normal((50, 200))
    running = np.maximum.accumulate(np.abs(np.cumsum(steps, axis=1)), axis=1)
    for curve in dc.quantile_interval(running, 0.9):
        assert curve.shape == (200,) and np.all(np.diff(curve) >= 0)
    est, lo, hi = dc.quantile_interval(running, 0.9)
    assert np.all(lo <= est) and np.all(est <= hi)


@pytest.mark.parametrize("kwargs, match", [({"q": 0.0}, "q must"), ({"q": 0.5, "confidence": 0.0}, "confidence"),
                                           ({"q": 1.5}, "q must")])
def test_quantile_interval_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        dc.quantile_interval(np.arange(20.0), **kwargs)


def test_quantile_interval_rejects_bad_values():
    with pytest.raises(ValueError, match="values"):
        dc.quantile_interval(np.arange(5.0), 0.5)
    with pytest.raises(ValueError, match="values"):
        dc.quantile_interval(np.array([np.nan] * 20), 0.5)
