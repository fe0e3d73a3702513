"""Unit and property tests of online SGD (lecturelib.sgd) and its numba kernels."""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest
from scipy import stats

from lecturelib import Link, escape_times, online_sgd
from lecturelib import _kernels
from lecturelib.links import CLOSED_FORMS
from lecturelib.sgd import _full_step


def start_cdf(d: int):
    """CDF of <w0, w*> for w0 uniform on the sphere: (1 + m)/2 ~ Beta((d-1)/2, (d-1)/2)."""
    law = stats.beta((d - 1) / 2, (d - 1) / 2)
    return lambda m: law.cdf((1 + np.asarray(m)) / 2)


# --------------------------------------------------------------------------- the chain


@pytest.mark.parametrize("name", ["he3", "relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("projected", [True, False])
@pytest.mark.parametrize("batch", [1, 3])
def test_full_engine_step_fed_into_the_chain_update_agrees_to_1e_12(name, projected, batch):
    """Coupling: the chain's update, fed the full step's own (lambda, beta, ||z||^2), gives its m'."""
    link, d, runs, eta, noise = Link.named(name), 40, 8, 0.3, 0.4
    rng = np.random.default_rng(7)
    W = rng.standard_normal((runs, d))
    radius = np.ones(runs) if projected else rng.uniform(0.5, 2.0, runs)
    W *= (radius / np.linalg.norm(W, axis=1))[:, None]
    X = rng.standard_normal((runs, batch, d))
    Y = link.f(X[..., 0]) + noise * rng.standard_normal((runs, batch))
    W_new = W.copy()
    _full_step(W_new, X.copy(), Y, link, eta, projected)

    w_star = np.eye(d)[0]
    r = np.linalg.norm(W, axis=1)
    w_hat = W / r[:, None]
    m = w_hat[:, 0]
    u = (w_star - m[:, None] * w_hat) / np.sqrt(1 - m**2)[:, None]
    lam = np.einsum("rbd,rd->rb", X, w_hat)
    beta = np.einsum("rbd,rd->rb", X, u)
    z = X - lam[..., None] * w_hat[:, None] - beta[..., None] * u[:, None]
    np.testing.assert_allclose(X[..., 0], m[:, None] * lam + np.sqrt(1 - m**2)[:, None] * beta, atol=1e-12)
    c = eta * (Y - link.f(lam)) * link.df(lam)
    b = (c * beta).mean(axis=1)
    zz = np.sum(np.einsum("rb,rbd->rd", c, z) ** 2, axis=1) / batch**2
    for i in range(runs):
        m_new, r_new = _kernels.chain_update(m[i], r[i], 0.0, b[i], zz[i], projected)
        norm = np.linalg.norm(W_new[i])
        assert m_new == pytest.approx(W_new[i, 0] / norm, abs=1e-12)
        assert r_new == pytest.approx(1.0 if projected else norm, abs=1e-12)


@pytest.mark.parametrize("name", [*CLOSED_FORMS, "he1", "he4", "cubic", "he3+he4"])
def test_compiled_links_match_the_link_functions(name):
    link = Link.named(name)
    code, coef = {"hermite_series": (_kernels.SERIES, None)}.get(link.kind, (_kernels.LINK_CODES[link.kind], None))
    coef = np.ascontiguousarray(link.normalized_coefficients) if code == _kernels.SERIES else np.zeros(1)
    root = _kernels.series_roots(coef.size)
    z = np.concatenate([np.linspace(-6, 6, 97), [0.0, -745.0, 745.0]])
    values = np.array([_kernels.link_value(code, coef, root, float(x)) for x in z])
    np.testing.assert_allclose(values[:, 0], link.f(z), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(values[:, 1], link.df(z), rtol=1e-12, atol=1e-12)


def test_a_long_series_is_evaluated_stably():
    rng = np.random.default_rng(3)
    link = Link.from_hermite_series(rng.standard_normal(41) / np.arange(1, 42), normalized=True)
    coef = np.ascontiguousarray(link.normalized_coefficients)
    root = _kernels.series_roots(coef.size)
    z = np.linspace(-5, 5, 41)
    values = np.array([_kernels.link_value(0, coef, root, float(x)) for x in z])
    np.testing.assert_allclose(values[:, 0], link.f(z), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(values[:, 1], link.df(z), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("dof", [1, 2, 5, 998])
def test_chi_square_draws_have_the_exact_law(dof):
    # Level 1e-3 per test, 4 tests.
    gen = np.random.default_rng(dof)
    shift = dof / 2 - 1 / 3
    scale = 1 / math.sqrt(9 * shift) if dof > 1 else 0.0
    draws = [_kernels.chi_square(gen, dof, shift, scale) for _ in range(20000)]
    assert stats.kstest(draws, stats.chi2(dof).cdf).pvalue > 1e-3


# --------------------------------------------------------------------------- online_sgd


@pytest.mark.parametrize("engine", ["overlap", "full"])
def test_result_records_its_parameters(engine):
    res = online_sgd(Link.hermite(2), 30, 0.01, 50, runs=3, seed=4, engine=engine, record_every=10,
                     batch_size=2, noise=0.1, projected=False)
    assert res.overlap.shape == (3, 6) and res.norm.shape == (3, 6)
    assert res.steps.tolist() == [0, 10, 20, 30, 40, 50]
    assert (res.d, res.eta, res.engine, res.seed, res.m0, res.batch_size, res.noise, res.loss, res.projected,
            res.stop_at, res.runs) == (30, 0.01, engine, 4, None, 2, 0.1, "l2", False, None, 3)
    assert not res.overlap.flags.writeable


@pytest.mark.parametrize("engine", ["overlap", "full"])
def test_same_seed_gives_the_same_result_bit_for_bit(engine):
    a = online_sgd(Link.hermite(3), 20, 0.05, 200, runs=4, seed=11, engine=engine)
    b = online_sgd(Link.hermite(3), 20, 0.05, 200, runs=4, seed=11, engine=engine)
    np.testing.assert_array_equal(a.overlap, b.overlap)
    c = online_sgd(Link.hermite(3), 20, 0.05, 200, runs=4, seed=12, engine=engine)
    assert not np.array_equal(a.overlap, c.overlap)


def test_without_a_seed_the_stored_seed_reproduces_the_result():
    a = online_sgd(Link.hermite(1), 20, 0.05, 100, runs=2)
    b = online_sgd(Link.hermite(1), 20, 0.05, 100, runs=2, seed=a.seed)
    np.testing.assert_array_equal(a.overlap, b.overlap)


def test_overlap_engine_result_does_not_depend_on_threads():
    kwargs = dict(runs=5, seed=2, record_every=7)
    one = online_sgd(Link.named("he3+he4"), 50, 0.01, 500, threads=1, **kwargs)
    two = online_sgd(Link.named("he3+he4"), 50, 0.01, 500, threads=2, **kwargs)
    np.testing.assert_array_equal(one.overlap, two.overlap)


@pytest.mark.parametrize("engine", ["overlap", "full"])
def test_run_r_does_not_depend_on_the_number_of_runs(engine):
    many = online_sgd(Link.relu(), 30, 0.05, 100, runs=5, seed=8, engine=engine, noise=0.2)
    few = online_sgd(Link.relu(), 30, 0.05, 100, runs=2, seed=8, engine=engine, noise=0.2)
    np.testing.assert_array_equal(many.overlap[:2], few.overlap)


@pytest.mark.parametrize("engine", ["overlap", "full"])
def test_projected_overlap_never_leaves_the_unit_interval(engine):
    for name, eta in [("he3", 3.0), ("he1", 5.0), ("tanh", 20.0)]:
        res = online_sgd(Link.named(name), 5, eta, 300, runs=20, seed=1, engine=engine)
        assert np.all(np.abs(res.overlap) <= 1.0)


@pytest.mark.parametrize("engine", ["overlap", "full"])
def test_uniform_start_has_the_density_of_the_overlap_of_a_random_unit_vector(engine):
    # density proportional to (1 - m^2)^((d-3)/2); level 1e-3 per test, 4 tests.
    for d in (4, 60):
        res = online_sgd(Link.hermite(2), d, 0.01, 0, runs=4000, seed=d, engine=engine)
        assert stats.kstest(res.overlap[:, 0], start_cdf(d)).pvalue > 1e-3


@pytest.mark.parametrize("engine", ["overlap", "full"])
def test_a_fixed_start_fixes_the_initial_overlap(engine):
    res = online_sgd(Link.hermite(1), 10, 0.01, 3, runs=3, m0=-0.25, seed=0, engine=engine, projected=False)
    np.testing.assert_allclose(res.overlap[:, 0], -0.25, atol=1e-15)
    np.testing.assert_allclose(res.norm[:, 0], 1.0)


def test_at_the_target_the_gradient_vanishes():
    res = online_sgd(Link.hermite(3), 10, 0.1, 20, runs=2, m0=1.0, seed=0)
    np.testing.assert_array_equal(res.overlap, 1.0)


@pytest.mark.parametrize("engine", ["overlap", "full"])
def test_stopping_at_escape_changes_nothing_before_it(engine):
    link, kwargs = Link.hermite(1), dict(runs=6, seed=5, engine=engine)
    free = online_sgd(link, 40, 0.02, 300, **kwargs)
    stopped = online_sgd(link, 40, 0.02, 300, stop_at=0.5, **kwargs)
    t_free, t_stop = escape_times(free, 0.5), escape_times(stopped, 0.5)
    np.testing.assert_array_equal(t_free, t_stop)
    for r, t in enumerate(t_stop.astype(int)):
        np.testing.assert_array_equal(stopped.overlap[r, : t + 1], free.overlap[r, : t + 1])
        assert np.all(stopped.overlap[r, t:] == stopped.overlap[r, t])


def test_stopping_works_between_records_and_for_unprojected_runs():
    res = online_sgd(Link.hermite(1), 40, 0.02, 400, runs=6, seed=5, stop_at=0.5, record_every=7, projected=False)
    t = escape_times(res, 0.5)  # the exact steps; the record shows each escape at the next multiple of 7
    assert np.all(np.isfinite(t)) and np.any(t % 7 != 0)
    last = res.overlap[np.arange(6), np.ceil(t / 7).astype(int)]
    assert np.all(last >= 0.5)
    np.testing.assert_array_equal(res.overlap[:, -1], last)


def test_escape_times_count_absolute_overlap_for_even_links_and_censor_with_nan():
    res = online_sgd(Link.hermite(2), 30, 0.005, 300, runs=40, seed=3)
    t = escape_times(res, 0.5)
    hit = np.abs(res.overlap) >= 0.5
    assert np.array_equal(np.isnan(t), ~hit.any(axis=1))
    escaped = np.flatnonzero(np.isfinite(t))
    at_escape = res.overlap[escaped, t[escaped].astype(int)]
    assert np.all(np.abs(at_escape) >= 0.5) and np.any(at_escape < 0) and np.isnan(t).any()
    with pytest.raises(ValueError, match="level"):
        escape_times(online_sgd(Link.hermite(2), 20, 0.01, 10, seed=0, stop_at=0.2), 0.3)


def test_overlap_engine_refuses_a_python_callable_and_points_to_the_full_engine():
    link = Link.from_function(np.sin, name="sin")
    with pytest.raises(ValueError, match="engine='full'"):
        online_sgd(link, 10, 0.01, 10, seed=0)
    res = online_sgd(link, 10, 0.01, 10, seed=0, engine="full")
    assert np.all(np.isfinite(res.overlap))


@pytest.mark.parametrize("engine", ["overlap", "full"])
def test_a_diverging_run_raises_and_names_the_parameters(engine):
    with pytest.raises(FloatingPointError, match=r"eta=1e\+200.*d=10|d=10.*eta=1e\+200"):
        online_sgd(Link.hermite(3), 10, 1e200, 50, runs=2, seed=0, engine=engine, projected=False)


def test_the_record_guard_refuses_more_than_a_gibibyte():
    with pytest.raises(ValueError, match="record_every"):
        online_sgd(Link.hermite(3), 10, 0.01, 10**9, runs=2, seed=0)


def test_full_engine_memory_stays_bounded_for_a_long_run():
    # 4 runs x 5000 steps x d = 1000 is 160 MB of Gaussians; drawn in chunks, never at once.
    tracemalloc.start()
    try:
        online_sgd(Link.hermite(2), 1000, 1e-4, 5000, runs=4, seed=0, engine="full", record_every=1000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 32 * 2**20


BAD = [
    (dict(d=2), "d"),
    (dict(eta=0.0), "eta"),
    (dict(eta=-1.0), "eta"),
    (dict(eta=math.nan), "eta"),
    (dict(eta=math.inf), "eta"),
    (dict(steps=-1), "steps"),
    (dict(runs=0), "runs"),
    (dict(m0=1.5), "m0"),
    (dict(m0=-1.01), "m0"),
    (dict(engine="gpu"), "engine"),
    (dict(loss="hinge"), "loss"),
    (dict(batch_size=0), "batch_size"),
    (dict(batch_size=-2), "batch_size"),
    (dict(record_every=0), "record_every"),
    (dict(noise=-0.1), "noise"),
    (dict(seed=-1), "seed"),
    (dict(stop_at=math.nan), "stop_at"),
    (dict(threads=0), "threads"),
]


@pytest.mark.parametrize(("change", "name"), BAD)
def test_bad_input_raises_value_error_naming_the_argument(change, name):
    kwargs = dict(link=Link.hermite(2), d=10, eta=0.01, steps=10, seed=0) | change
    with pytest.raises(ValueError, match=rf"^{name} "):
        online_sgd(**kwargs)


@pytest.mark.parametrize(("change", "name"), [(dict(d=10.0), "d"), (dict(runs="3"), "runs"),
                                              (dict(link=np.tanh), "link"), (dict(projected=1), "projected")])
def test_wrong_types_raise_type_error_naming_the_argument(change, name):
    kwargs = dict(link=Link.hermite(2), d=10, eta=0.01, steps=10, seed=0) | change
    with pytest.raises(TypeError, match=rf"^{name} "):
        online_sgd(**kwargs)


# --------------------------------------------------------------------------- the Euclidean step rule


@pytest.mark.parametrize("name", ["he2", "he3", "relu", "tanh"])
@pytest.mark.parametrize("batch", [1, 3])
def test_euclidean_full_step_fed_into_the_chain_update_agrees_to_1e_12(name, batch):
    """Coupling of the Euclidean rule: the chain with a = mean(c lambda) reproduces the full step, over 40 steps."""
    link, d, runs, eta, noise = Link.named(name), 30, 6, 0.2, 0.3
    rng = np.random.default_rng(11)
    W = rng.standard_normal((runs, d))
    W /= np.linalg.norm(W, axis=1)[:, None]
    m = W[:, 0].copy()
    for _ in range(40):
        X = rng.standard_normal((runs, batch, d))
        Y = link.f(X[..., 0]) + noise * rng.standard_normal((runs, batch))
        u = (np.eye(d)[0] - m[:, None] * W) / np.sqrt(1 - m**2)[:, None]
        lam = np.einsum("rbd,rd->rb", X, W)
        beta = np.einsum("rbd,rd->rb", X, u)
        z = X - lam[..., None] * W[:, None] - beta[..., None] * u[:, None]
        c = eta * (Y - link.f(lam)) * link.df(lam)
        a, b = (c * lam).mean(axis=1), (c * beta).mean(axis=1)
        zz = np.sum(np.einsum("rb,rbd->rd", c, z) ** 2, axis=1) / batch**2
        x_sq = np.einsum("rd,rd->r", X[:, 0], X[:, 0]) if batch == 1 else None
        _full_step(W, X, Y, link, eta, True, x_sq, True)
        W /= np.linalg.norm(W, axis=1)[:, None]
        for i in range(runs):
            m[i], r = _kernels.chain_update(m[i], 1.0, a[i], b[i], zz[i], True)
            assert r == 1.0
        np.testing.assert_allclose(m, W[:, 0], atol=1e-12, rtol=0)


def test_euclidean_and_tangent_rules_differ_and_agree_as_eta_vanishes():
    """The rules differ by the radial part c*lambda of the step: visible at eta d = 0.3, gone at a tiny step."""
    link = Link.hermite(2)
    final = [online_sgd(link, 30, 0.01, 300, runs=2000, m0=0.3, seed=4, step=s).overlap[:, -1]
             for s in ("tangent", "euclidean")]
    gap = final[0].mean() - final[1].mean()
    se = math.sqrt(final[0].var() / 2000 + final[1].var() / 2000)
    assert gap > 5 * se  # the Euclidean rule's extra radial noise slows the descent
    small = [online_sgd(link, 50, 1e-7, 1, runs=4, m0=0.3, seed=4, step=s).overlap[:, -1] for s in ("tangent", "euclidean")]
    np.testing.assert_allclose(small[0], small[1], atol=1e-12)


def test_euclidean_rule_refuses_the_unprojected_update_and_unknown_rules():
    with pytest.raises(ValueError, match="projected=True"):
        online_sgd(Link.hermite(2), 20, 0.01, 10, step="euclidean", projected=False)
    with pytest.raises(ValueError, match="step"):
        online_sgd(Link.hermite(2), 20, 0.01, 10, step="riemannian")


# --------------------------------------------------------------------------- exact escape steps


@pytest.mark.parametrize("engine", ["overlap", "full"])
@pytest.mark.parametrize("options", [{}, {"step": "euclidean"}, {"loss": "l1"}, {"batch_size": 2, "noise": 0.2},
                                     {"projected": False}])
def test_escape_step_is_the_first_step_at_the_level_whatever_record_every(engine, options):
    """With stop_at, escape_step equals the first hit in a record of every step, and does not move with record_every."""
    link, d, eta, steps, level = Link.hermite(2), 40, 0.002, 3000, 0.5
    fine = online_sgd(link, d, eta, steps, runs=12, seed=21, engine=engine, stop_at=level, **options)
    hit = np.abs(fine.overlap) >= level
    first = np.where(hit.any(axis=1), np.argmax(hit, axis=1), np.nan)
    np.testing.assert_array_equal(fine.escape_step, first)
    assert np.isfinite(first).sum() >= 6  # most runs escape: the comparison is not vacuous
    coarse = online_sgd(link, d, eta, steps, runs=12, seed=21, engine=engine, stop_at=level, record_every=701,
                        **options)
    np.testing.assert_array_equal(coarse.escape_step, first)
    np.testing.assert_array_equal(escape_times(coarse, level), first)
    # a lower level is read off the record: resolved to record_every, never before the exact step
    lower = escape_times(coarse, 0.3)
    exact_lower = escape_times(fine, 0.3)
    ok = np.isfinite(exact_lower)
    assert np.all(lower[ok] >= exact_lower[ok]) and np.all(lower[ok] - exact_lower[ok] < 701)


def test_escape_step_is_none_without_stop_at():
    res = online_sgd(Link.hermite(1), 20, 0.05, 50, runs=2, seed=0)
    assert res.escape_step is None
