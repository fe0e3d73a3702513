"""The loss variants of online SGD: the smoothed factor, the chain against the full engine, bad input.

Law tests: two-sample Kolmogorov--Smirnov tests of the overlap engine (the three-coordinate
chain of ``variant_chain``) against the literal d-dimensional algorithm, 1500 runs each, at
two recorded times per setting; each setting also checks that the test rejects vanilla
online SGD in place of the variant (power). Family-wise level ALPHA = 0.01, Bonferroni-corrected over the
N_KS tests of this file (each requires p > ALPHA / N_KS).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, special, stats

from lecturelib import Link, online_sgd
from lecturelib.sgd import smoothed_kappa

RUNS = 1500
ALPHA = 0.01

SETTINGS = [
    ("he3", "l1", 1, 30, 0.05, 240, {"m0": 0.3}),
    ("he4", "l1", 1, 20, 0.05, 200, {"m0": 0.4, "noise": 0.3}),
    ("he3", "smoothed", 1, 30, 0.05, 240, {"m0": 0.3}),
    ("he3", "smoothed_random", 1, 25, 0.05, 200, {"m0": 0.3, "rho": 1.5}),
    ("he3", "l2", 2, 30, 0.01, 240, {"m0": 0.3}),
    ("relu", "l1", 2, 20, 0.05, 120, {}),
]
N_KS = 2 * len(SETTINGS)


@pytest.mark.parametrize(("name", "loss", "reuse", "d", "eta", "steps", "options"), SETTINGS)
def test_variant_chain_matches_full_engine_in_law(name, loss, reuse, d, eta, steps, options):
    link = Link.named(name)
    kwargs = dict(runs=RUNS, loss=loss, reuse=reuse, record_every=steps // 2, **options)
    chain = online_sgd(link, d, eta, steps, seed=1, engine="overlap", **kwargs)
    full = online_sgd(link, d, eta, steps, seed=2, engine="full", **kwargs)
    for j in (1, 2):
        p = stats.ks_2samp(chain.overlap[:, j], full.overlap[:, j]).pvalue
        assert p > ALPHA / N_KS, f"{name}/{loss}/reuse={reuse} at step {chain.steps[j]}: KS p-value {p:.2e}"
    # The comparison has power: it tells the variant from vanilla online SGD (square loss, one
    # step per sample) run with the same settings.
    vanilla = {**kwargs, "loss": "l2", "reuse": 1}
    vanilla.pop("rho", None)
    other = online_sgd(link, d, eta, steps, seed=3, engine="overlap", **vanilla)
    assert stats.ks_2samp(other.overlap[:, 2], full.overlap[:, 2]).pvalue < ALPHA / N_KS


def smoothed_by_quadrature(link, d, rho, lam, q):
    """F_lam - 2 lam F_q by quadrature over s, density (1 - s^2)^((d-4)/2) / B(1/2, (d-2)/2)."""
    scale = 1.0 / math.sqrt(1.0 + rho * rho)
    norm = special.beta(0.5, 0.5 * (d - 2))

    def expect(g):
        return integrate.quad(lambda s: g(s) * (1 - s * s) ** (0.5 * (d - 4)), -1.0, 1.0, epsabs=1e-13)[0] / norm

    f_lam = expect(lambda s: link.df((lam + rho * math.sqrt(q) * s) * scale) * scale)
    f_q = expect(lambda s: link.df((lam + rho * math.sqrt(q) * s) * scale) * scale * rho * s / (2 * math.sqrt(q)))
    return f_lam - 2 * lam * f_q


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_smoothed_factor_is_the_exact_average_over_the_sphere(k):
    link = Link.hermite(k)
    for d, rho, lam, q in [(20, 20**0.25, 0.7, 18.0), (50, 2.0, -1.3, 60.0), (100, 100**0.25, 2.1, 95.0)]:
        exact = smoothed_kappa(link, d, rho, lam, q, 1.0)
        assert float(exact) == pytest.approx(smoothed_by_quadrature(link, d, rho, lam, q), abs=1e-10)


def test_one_random_direction_is_unbiased_and_noisier():
    rng = np.random.default_rng(0)
    link, d, rho, lam, q = Link.hermite(3), 100, 100**0.25, 0.8, 99.0
    g = rng.standard_normal(400_000)
    s = g / np.sqrt(g * g + rng.chisquare(d - 2, g.size))
    scale = 1 / math.sqrt(1 + rho * rho)
    one = link.df((lam + rho * math.sqrt(q) * s) * scale) * scale * (1 - lam * rho * s / math.sqrt(q))
    exact = float(smoothed_kappa(link, d, rho, lam, q, 1.0))
    assert abs(one.mean() - exact) < 4 * one.std() / math.sqrt(one.size)
    assert one.var() > 5 * exact**2


def test_square_loss_is_unchanged_by_the_new_options():
    link = Link.hermite(3)
    a = online_sgd(link, 40, 0.01, 500, runs=3, seed=5)
    b = online_sgd(link, 40, 0.01, 500, runs=3, seed=5, loss="l2", reuse=1, rho=None)
    assert np.array_equal(a.overlap, b.overlap) and b.reuse == 1 and b.rho is None


def test_reuse_counts_steps_and_stops_at_escape():
    res = online_sgd(Link.hermite(1), 100, 0.02, 4000, runs=4, seed=0, reuse=2, loss="l1", stop_at=0.5)
    assert res.steps[-1] == 4000 and np.all(res.overlap[:, -1] >= 0.5)


@pytest.mark.parametrize(("kwargs", "match"), [
    (dict(loss="huber"), "loss must be one of"),
    (dict(loss="smoothed", rho=0.0), "rho must be a positive"),
    (dict(loss="smoothed", rho=-1.0), "rho must be a positive"),
    (dict(loss="smoothed", rho=float("nan")), "rho must be a positive"),
    (dict(loss="l2", rho=2.0), "rho applies only"),
    (dict(loss="l1", batch_size=2), "batch_size must be 1"),
    (dict(loss="l1", projected=False), "projected must be True"),
    (dict(reuse=0), "reuse must be an integer"),
    (dict(reuse=2, batch_size=4), "batch_size must be 1"),
])
def test_bad_loss_options_are_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        online_sgd(Link.hermite(3), 30, 0.01, 10, **kwargs)


def test_loss_the_chain_cannot_run_is_rejected():
    with pytest.raises(ValueError, match="loss='smoothed'.*Hermite-series"):
        online_sgd(Link.relu(), 30, 0.01, 10, loss="smoothed")
    with pytest.raises(ValueError, match="engine='overlap' cannot run"):
        online_sgd(Link.from_function(np.tanh), 30, 0.01, 10, loss="l1")
    # the full engine runs a callable link with the L1 loss
    res = online_sgd(Link.from_function(np.tanh), 30, 0.01, 10, loss="l1", engine="full", seed=0)
    assert res.overlap.shape == (1, 11)
