"""The multi-pass SGD engine: exact steps, the law of its first epoch, reuse counts, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from lecturelib import Link, online_sgd
from lecturelib import _multipass_kernels as mk
from lecturelib.multipass import (
    SAMPLE_LIMIT_BYTES, Sample, check_sample_size, draw_sample, empirical_loss, expected_reuse_fraction,
    multipass_sgd, multipass_trials, success_sweep,
)

HE3 = Link.hermite(3)


def reference_run(link, sample, w0, eta, indices):
    """The projected step written out in numpy, one sample at a time."""
    w = w0.copy()
    overlaps = [w[0]]
    for i in indices:
        x = sample.x[i]
        lam = w @ x
        c = eta * (sample.y[i] - link.f(lam)) * link.df(lam)
        w = w + c * (x - lam * w)
        w /= np.linalg.norm(w)
        overlaps.append(w[0])
    return np.array(overlaps), w


@pytest.mark.parametrize("name", ["he3", "relu", "tanh"])
def test_kernel_takes_the_projected_step_of_numpy_to_1e_12(name):
    link = Link.named(name)
    sample = draw_sample(link, 20, 50, seed=0)
    w0 = np.random.default_rng(1).standard_normal(20)
    w0 /= np.linalg.norm(w0)
    eta = 0.01
    code, coef = (0, np.ascontiguousarray(link.normalized_coefficients)) if link.kind == "hermite_series" else (
        {"relu": 1, "tanh": 4}[link.kind], np.zeros(1))
    w = w0.copy()
    out = np.empty(1001)
    seen = np.zeros(50, dtype=np.bool_)
    status, taken, reused = mk.multipass_chain(np.random.default_rng(5), code, coef, sample.x, sample.y,
                                               np.einsum("ij,ij->i", sample.x, sample.x), w, eta, 1000, True,
                                               math.inf, False, 1, out, seen)
    indices = np.random.default_rng(5).integers(0, 50, 1000)  # the kernel draws the same indices
    expected, w_end = reference_run(link, sample, w0, eta, indices)
    assert status == mk.FINISHED and taken == 1000
    assert np.abs(out - expected).max() < 1e-12 and np.abs(w - w_end).max() < 1e-12
    assert reused == 1000 - np.unique(indices).size


def test_epochs_without_replacement_visit_every_sample_once_per_epoch():
    sample = draw_sample(HE3, 10, 37, seed=0)
    res = multipass_sgd(HE3, sample, 1e-3, 3 * 37, replacement=False, seed=1)
    assert res.reused[0] == 2 * 37  # the first epoch reuses nothing, the next two everything
    first = multipass_sgd(HE3, sample, 1e-3, 37, replacement=False, seed=1)
    assert first.reused[0] == 0


def test_first_epoch_without_replacement_has_the_law_of_online_sgd():
    """Two-sample KS tests at 3 recorded steps, level 0.01 each (Bonferroni: 0.03 in all).

    d = 30, n = T = 3000, He_3 from m0 = 0.3 with eta = 0.5 d^(-3/2): the overlap moves from
    0.3 to about 0.4, so the test has power against a wrong step or a wrong sample law.
    """
    d, steps = 30, 3000
    eta = 0.5 * d ** -1.5
    multi = multipass_trials(HE3, d, steps, eta, steps, runs=400, m0=0.3, seed=11, replacement=False, record_every=1000)
    online = online_sgd(HE3, d, eta, steps, runs=400, m0=0.3, seed=12, record_every=1000)
    assert np.all(multi.reused == 0)
    assert abs(multi.overlap[:, -1].mean() - 0.3) > 0.03  # the runs did move
    for j in (1, 2, 3):
        assert stats.ks_2samp(multi.overlap[:, j], online.overlap[:, j]).pvalue > 0.01


def test_reuse_with_replacement_matches_its_expectation():
    res = multipass_trials(HE3, 5, 200, 1e-3, 400, runs=50, seed=3)
    expected = expected_reuse_fraction(200, 400)
    assert abs(res.reuse_fraction.mean() - expected) < 0.01
    assert abs(expected_reuse_fraction(10**6, 1000) - 1000 / (2 * 10**6)) < 1e-6


def test_training_loss_is_the_empirical_loss_of_the_last_iterate():
    sample = draw_sample(HE3, 8, 100, seed=2)
    assert abs(empirical_loss(HE3, sample, np.eye(8)[0]) - 0.0) < 1e-14  # w = w_* fits exactly
    res = multipass_sgd(HE3, sample, 0.05, 2000, seed=0)
    assert res.train_loss[0] < empirical_loss(HE3, sample, np.eye(8)[1])  # SGD lowered the training loss


def test_a_run_starting_above_stop_at_records_its_start():
    res = multipass_sgd(HE3, draw_sample(HE3, 8, 10, seed=0), 0.01, 100, m0=0.8, stop_at=0.5, seed=0)
    assert np.all(res.overlap == 0.8) and res.steps_taken[0] == 0


def test_success_sweep_has_one_cell_per_d_and_ratio():
    sweep = success_sweep(HE3, (8, 10), (0.5, 2.0), runs=4, seed=0, horizon_scale=5.0)
    assert sweep.success.shape == (2, 2) and sweep.online_success.shape == (2,)
    assert sweep.n.tolist() == [[32, 128], [50, 200]]
    assert sweep.train_loss.shape == (2, 2, 4)


def test_bad_input_is_rejected_with_messages_naming_the_argument():
    with pytest.raises(ValueError, match="n must be an integer >= 1, got 0"):
        draw_sample(HE3, 10, 0)
    limit_n = SAMPLE_LIMIT_BYTES // (8 * 1000) + 1
    with pytest.raises(ValueError, match=rf"n={limit_n} points in d=1000 dimensions .* the limit is 1 GiB"):
        check_sample_size(limit_n, 1000)
    with pytest.raises(ValueError, match="n=20000000 points in d=25"):
        multipass_trials(HE3, 25, 20_000_000, 0.01, 10)
    with pytest.raises(ValueError, match=r"y must have shape \(n,\) = \(5,\)"):
        Sample(x=np.zeros((5, 4)), y=np.zeros(4))
    with pytest.raises(ValueError, match="x must be a 2-D array"):
        Sample(x=np.zeros(5), y=np.zeros(5))
    with pytest.raises(ValueError, match="d must be an integer >= 3"):
        Sample(x=np.zeros((5, 2)), y=np.zeros(5))
    with pytest.raises(TypeError, match="sample must be a Sample"):
        multipass_sgd(HE3, (np.zeros((5, 4)), np.zeros(5)), 0.1, 10)
    sample = draw_sample(HE3, 4, 5, seed=0)
    with pytest.raises(ValueError, match="eta must be a positive finite number"):
        multipass_sgd(HE3, sample, -1.0, 10)
    with pytest.raises(TypeError, match="replacement must be a bool"):
        multipass_sgd(HE3, sample, 0.1, 10, replacement="no")
    with pytest.raises(ValueError, match="cannot|compiles only"):
        multipass_sgd(Link.from_function(np.tanh), sample, 0.1, 10)


def test_a_diverging_run_is_reported():
    sample = draw_sample(HE3, 50, 20, seed=0)
    with pytest.raises(FloatingPointError, match="multi-pass SGD diverged"):
        multipass_sgd(HE3, sample, 1e3, 5000, seed=0)


def test_first_epoch_without_replacement_is_the_online_step_on_a_permutation_to_1e_12():
    """Pathwise form of the law claim: the first epoch applies the projected online step, in a
    uniform random order (Fisher--Yates on the kernel's own generator), to n distinct samples."""
    n, d, eta = 60, 12, 0.02
    sample = draw_sample(HE3, d, n, seed=7)
    w0 = np.random.default_rng(8).standard_normal(d)
    w0 /= np.linalg.norm(w0)
    w, out, seen = w0.copy(), np.empty(n + 1), np.zeros(n, dtype=np.bool_)
    status, taken, reused = mk.multipass_chain(np.random.default_rng(9), 0, np.ascontiguousarray(
        HE3.normalized_coefficients), sample.x, sample.y, np.einsum("ij,ij->i", sample.x, sample.x), w, eta, n,
        False, math.inf, False, 1, out, seen)
    gen, order = np.random.default_rng(9), np.arange(n)
    for j in range(n - 1, 0, -1):  # the kernel's shuffle, replayed in numpy
        r = gen.integers(0, j + 1)
        order[j], order[r] = order[r], order[j]
    expected, w_end = reference_run(HE3, sample, w0, eta, order)
    assert status == mk.FINISHED and taken == n and reused == 0 and seen.all()
    assert sorted(order.tolist()) == list(range(n)) and not np.array_equal(order, np.arange(n))
    assert np.abs(out - expected).max() < 1e-12 and np.abs(w - w_end).max() < 1e-12


def test_trials_reassemble_from_blocks_and_null_labels_are_independent_of_x():
    from lecturelib.multipass import draw_sample, multipass_trials
    whole = multipass_trials(HE3, 8, 40, 0.01, 200, runs=4, seed=3, independent_labels=True)
    part = multipass_trials(HE3, 8, 40, 0.01, 200, runs=2, seed=3, independent_labels=True, _first_run=2)
    assert np.array_equal(whole.overlap[2:], part.overlap) and np.array_equal(whole.train_loss[2:], part.train_loss)
    plain, null = draw_sample(HE3, 5, 2000, seed=1), draw_sample(HE3, 5, 2000, seed=1, independent_labels=True)
    assert np.array_equal(plain.x, null.x) and not np.allclose(plain.y, null.y)
    assert abs(np.corrcoef(null.y, HE3.f(null.x[:, 0]))[0, 1]) < 0.1
    with pytest.raises(TypeError, match="independent_labels must be a bool"):
        draw_sample(HE3, 5, 10, independent_labels=1)
