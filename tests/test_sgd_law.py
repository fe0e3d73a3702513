"""The two engines of online SGD sample one law; the mean overlap follows the effective flow.

Two-sample Kolmogorov--Smirnov tests compare the overlap engine (the exact scalar chain) with
the full d-dimensional algorithm, 2000 runs each, at three recorded times of each setting
(and for the norm when unprojected). Family-wise level ALPHA = 0.01, Bonferroni-corrected
over the N_KS tests of this file, so each test requires p > ALPHA / N_KS. The seeds are
fixed; the KS test at this size detects a shift of about 0.06 standard deviations.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from lecturelib import Link, gradient_flow, online_sgd
from lecturelib.flow import effective_flow

RUNS = 2000
ALPHA = 0.01

# (link, d, eta, steps, options): every option of the engines appears at least once.
SETTINGS = [
    ("he1", 50, 0.02, 150, {}),
    ("he3", 30, 0.001, 1200, {"m0": 0.5}),
    ("he2", 30, 0.05, 150, {"m0": 0.3, "batch_size": 4, "noise": 0.5}),
    ("relu", 25, 0.1, 120, {"projected": False}),
    ("tanh", 15, 0.1, 150, {"m0": -0.2, "batch_size": 2, "noise": 0.3}),
    ("he3+he4", 40, 0.001, 900, {"m0": 0.5}),
    ("he2", 20, 0.05, 90, {"m0": 0.4, "projected": False, "batch_size": 3, "noise": 0.2}),
    # the Euclidean step rule: its chain (radial part a = mean c lambda) against the literal algorithm
    ("he2", 30, 0.01, 300, {"m0": 0.3, "step": "euclidean", "batch_size": 2, "noise": 0.3}),
    ("he3", 30, 0.002, 900, {"m0": 0.5, "step": "euclidean"}),
    ("relu", 25, 0.1, 120, {"step": "euclidean"}),
]
N_KS = sum(3 * (2 if not opts.get("projected", True) else 1) for *_, opts in SETTINGS)


@pytest.mark.parametrize(("name", "d", "eta", "steps", "options"), SETTINGS)
def test_overlap_engine_matches_full_engine_in_law(name, d, eta, steps, options):
    link = Link.named(name)
    kwargs = dict(runs=RUNS, record_every=steps // 3, **options)
    chain = online_sgd(link, d, eta, steps, seed=1, engine="overlap", **kwargs)
    full = online_sgd(link, d, eta, steps, seed=2, engine="full", **kwargs)
    pairs = [(chain.overlap, full.overlap)] + ([(chain.norm, full.norm)] if chain.norm is not None else [])
    for a, b in pairs:
        for j in (1, 2, 3):
            p = stats.ks_2samp(a[:, j], b[:, j]).pvalue
            assert p > ALPHA / N_KS, f"{name} at step {chain.steps[j]}: KS p-value {p:.2e}"
    # The comparison has power: the law after as many steps of size 1.5 eta is rejected.
    other = online_sgd(link, d, 1.5 * eta, steps, seed=3, engine="overlap", **kwargs)
    assert stats.ks_2samp(other.overlap[:, 3], full.overlap[:, 3]).pvalue < ALPHA / N_KS


TAU = np.array([0.25, 0.5, 1.0, 1.5, 2.0])


def mean_overlap_gap(c: float, d: int = 1000, runs: int = 1000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean overlap of He_1 SGD with eta = c/d at times tau = eta t, its standard error, and tau's steps."""
    eta = c / d
    record = int(round(0.25 / eta))
    res = online_sgd(Link.hermite(1), d, eta, record * 8, runs=runs, m0=0.0, seed=17, record_every=record)
    idx = np.rint(TAU / 0.25).astype(int)
    mean = res.overlap[:, idx].mean(axis=0)
    se = res.overlap[:, idx].std(axis=0) / np.sqrt(runs)
    return mean, se, res.steps[idx] * eta


@pytest.mark.parametrize("c", [0.8, 0.4, 0.1])
def test_mean_overlap_follows_the_corrected_flow_for_k1(c):
    # dm/dtau = (1 - m)(1 + m - c m) with tau = eta t; the neglected terms are O(1/d).
    mean, se, tau = mean_overlap_gap(c)
    predicted = effective_flow(Link.hermite(1), 0.0, tau, c)
    assert np.all(np.abs(mean - predicted) < 4 * se + 2e-3)


def test_mean_overlap_approaches_the_gradient_flow_as_c_vanishes():
    gaps = []
    for c in (0.8, 0.4, 0.1):
        mean, _, tau = mean_overlap_gap(c)
        gaps.append(np.abs(mean - gradient_flow(Link.hermite(1), 0.0, tau)).max())
    assert gaps[0] > gaps[1] > gaps[2]
    assert gaps[0] > 0.05 and gaps[2] < 0.02
