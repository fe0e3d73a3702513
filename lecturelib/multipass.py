r"""Batch-1 multi-pass SGD: spherical SGD that revisits a fixed sample of size :math:`n`.

The sample is :math:`(x_i, y_i)_{i \le n}` with :math:`x_i \sim N(0, I_d)` i.i.d. and
:math:`y_i = f(\langle w_*, x_i\rangle) + \sigma\varepsilon_i`, drawn once. Each step picks an
index :math:`i_t` (uniformly from :math:`\{1, \dots, n\}`, or in epochs: a fresh uniform
permutation of the sample per pass) and takes the projected step of online SGD on that sample,

.. math::

    w^{t+1} = \frac{w^t + c_t\,(x_{i_t} - \lambda_t w^t)}{\|\cdot\|}, \qquad
    \lambda_t = \langle w^t, x_{i_t}\rangle,\quad c_t = \eta\,(y_{i_t} - f(\lambda_t))\,f'(\lambda_t),

a step along :math:`-\nabla_S` of the one-sample loss :math:`\tfrac12(y_i - f(\langle w, x_i\rangle))^2`.
It is SGD on the *empirical* loss :math:`\hat L_n(w) = \frac1n\sum_i \tfrac12(y_i - f(\langle w, x_i\rangle))^2`.

Why full dimension: the overlap engine of :mod:`lecturelib.sgd` uses that a *fresh* Gaussian
:math:`x` splits as :math:`\lambda w + \beta u + z` with :math:`(\lambda, \beta, \|z\|^2)`
independent of the past. Once a sample comes back, :math:`x_i` is no longer independent of
:math:`w^t` (the iterate has moved along :math:`x_i` before), so no finite set of scalars
carries the law of the next step; the engine keeps :math:`w` and the sample in dimension
:math:`d` (with :math:`w_* = e_1`). Its compiled kernel costs one dot product and one axpy per
step (:mod:`lecturelib._multipass_kernels`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import _kernels, _multipass_kernels as _mk
from ._validation import check_int, check_link, check_overlap, check_real, check_seed

__all__ = ["Sample", "MultipassResult", "SuccessSweep", "draw_sample", "multipass_sgd", "multipass_trials",
           "success_sweep", "expected_reuse_fraction",
           "check_sample_size", "empirical_loss", "SAMPLE_LIMIT_BYTES"]

SAMPLE_LIMIT_BYTES = 1 << 30
"""Largest sample matrix (``n x d`` doubles) the engine agrees to hold: 1 GiB."""


def check_sample_size(n: object, d: object) -> tuple[int, int]:
    """``n >= 1``, ``d >= 3`` and an ``n x d`` float64 matrix of at most :data:`SAMPLE_LIMIT_BYTES`."""
    n = check_int("n", n, 1)
    d = check_int("d", d, 3)
    size = 8 * n * d
    if size > SAMPLE_LIMIT_BYTES:
        raise ValueError(
            f"a sample of n={n} points in d={d} dimensions needs {size / 2**30:.2f} GiB (n x d float64); "
            f"the limit is {SAMPLE_LIMIT_BYTES / 2**30:.0f} GiB, i.e. n <= {SAMPLE_LIMIT_BYTES // (8 * d)} at d={d}"
        )
    return n, d


def _frozen(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class Sample:
    r"""A fixed sample :math:`(x_i, y_i)_{i \le n}` of the single-index model with :math:`w_* = e_1`.

    Attributes
    ----------
    x : numpy.ndarray
        Inputs, shape ``(n, d)``, C-contiguous float64 (read-only).
    y : numpy.ndarray
        Labels, shape ``(n,)``.
    seed : int or None
        Seed it was drawn with (``None`` for a sample built from arrays).
    """

    x: np.ndarray
    y: np.ndarray
    seed: int | None = None

    def __post_init__(self) -> None:
        x = np.asarray(self.x)
        y = np.asarray(self.y)
        if x.ndim != 2:
            raise ValueError(f"x must be a 2-D array of shape (n, d), got shape {x.shape}")
        check_sample_size(x.shape[0], x.shape[1])
        if y.shape != (x.shape[0],):
            raise ValueError(f"y must have shape (n,) = ({x.shape[0]},) to match x of shape {x.shape}, got {y.shape}")
        if not (np.issubdtype(x.dtype, np.number) and np.issubdtype(y.dtype, np.number)):
            raise TypeError(f"x and y must be real arrays, got dtypes {x.dtype} and {y.dtype}")
        x = np.ascontiguousarray(x, dtype=float)
        y = np.ascontiguousarray(y, dtype=float)
        if not (np.isfinite(x).all() and np.isfinite(y).all()):
            raise ValueError("x and y must hold finite numbers")
        object.__setattr__(self, "x", _frozen(x))
        object.__setattr__(self, "y", _frozen(y))

    @property
    def n(self) -> int:
        """Sample size."""
        return self.x.shape[0]

    @property
    def d(self) -> int:
        """Dimension."""
        return self.x.shape[1]


def draw_sample(link: object, d: int, n: int, *, noise: float = 0.0, seed: int | None = None,
                independent_labels: bool = False) -> Sample:
    r"""Draw :math:`x_i \sim N(0, I_d)` and :math:`y_i = f(x_{i,1}) + \sigma\varepsilon_i`, :math:`i \le n`.

    With ``independent_labels=True`` the labels are :math:`y_i = f(z_i) + \sigma\varepsilon_i` with
    :math:`z_i \sim N(0, 1)` independent of :math:`x_i` (a *null* sample: same label law, no
    information about :math:`w_*`); the inputs are the same draws as without it. Refuses
    (``ValueError`` naming ``n``, ``d`` and the limit) a matrix above 1 GiB.
    """
    check_link(link)
    n, d = check_sample_size(n, d)
    noise = check_real("noise", noise, nonnegative=True)
    seed = check_seed(seed)
    if not isinstance(independent_labels, (bool, np.bool_)):
        raise TypeError(f"independent_labels must be a bool, got {independent_labels!r}")
    root = np.random.SeedSequence(seed)
    gx, ge, gz = (np.random.default_rng(s) for s in root.spawn(3))  # children 0, 1 as before
    x = gx.standard_normal((n, d))
    z = gz.standard_normal(n) if independent_labels else x[:, 0]
    y = np.asarray(link.f(z), dtype=float)
    if noise > 0.0:
        y = y + noise * ge.standard_normal(n)
    return Sample(x=x, y=y, seed=int(root.entropy))


def empirical_loss(link: object, sample: Sample, w: np.ndarray) -> float | np.ndarray:
    r"""Training loss :math:`\hat L_n(w) = \frac1{2n}\sum_i (y_i - f(\langle w, x_i\rangle))^2`; ``w`` of shape ``(..., d)``."""
    check_link(link)
    if not isinstance(sample, Sample):
        raise TypeError(f"sample must be a Sample, got {type(sample).__name__}")
    w = np.asarray(w, dtype=float)
    if w.shape[-1] != sample.d:
        raise ValueError(f"w must have last dimension d={sample.d}, got shape {w.shape}")
    flat = w.reshape(-1, sample.d)
    out = np.empty(flat.shape[0])
    for lo in range(0, sample.n, 1 << 16):
        lam = sample.x[lo: lo + (1 << 16)] @ flat.T
        r = sample.y[lo: lo + (1 << 16), None] - link.f(lam)
        out_part = 0.5 * np.einsum("ip,ip->p", r, r)
        out = out_part if lo == 0 else out + out_part
    out = out / sample.n
    return float(out[0]) if w.ndim == 1 else out.reshape(w.shape[:-1])


@dataclass(frozen=True, eq=False)
class MultipassResult:
    r"""Recorded runs of multi-pass SGD, with everything needed to interpret them.

    Attributes
    ----------
    link : Link
    d, n : int
        Dimension and sample size (the same for every run).
    eta : float
    steps : numpy.ndarray
        Recorded step indices ``0, record_every, ...``.
    overlap : numpy.ndarray
        Shape ``(runs, len(steps))``: :math:`\langle w^t, w_*\rangle`; a run stopped by
        ``stop_at`` keeps its value at escape.
    replacement : bool
        ``True``: indices drawn uniformly with replacement; ``False``: epochs of permutations.
    fresh_samples : bool
        ``True`` if every run had its own sample (:func:`multipass_trials`).
    seed : int
    m0 : float or None
    stop_at : float or None
    steps_taken : numpy.ndarray
        Steps each run took (fewer than the horizon if it was stopped).
    reused : numpy.ndarray
        Per run, the number of steps whose sample had been used before.
    train_loss : numpy.ndarray
        :math:`\hat L_n(w)` at each run's last iterate, on its own sample.
    """

    link: object
    d: int
    n: int
    eta: float
    steps: np.ndarray
    overlap: np.ndarray
    replacement: bool
    fresh_samples: bool
    seed: int
    m0: float | None
    stop_at: float | None
    steps_taken: np.ndarray
    reused: np.ndarray
    train_loss: np.ndarray

    @property
    def runs(self) -> int:
        """Number of runs."""
        return self.overlap.shape[0]

    @property
    def alpha(self) -> float:
        r""":math:`\alpha = n/d`."""
        return self.n / self.d

    @property
    def reuse_fraction(self) -> np.ndarray:
        """Per run, the fraction of its steps that reused a sample (``nan`` for a run of 0 steps)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.reused / self.steps_taken

    @property
    def population_loss(self) -> np.ndarray:
        r"""Population loss :math:`L(m) = \psi(1) - \psi(m)` at each run's last recorded overlap."""
        return np.asarray(self.link.population_loss(self.overlap[:, -1]), dtype=float)


def _link_code(link: object) -> tuple[int, np.ndarray]:
    code = _kernels.LINK_CODES.get(link.kind)
    if code is None:
        raise ValueError(
            f"multipass_sgd compiles only Hermite series and the closed forms "
            f"{tuple(c for c in _kernels.LINK_CODES if c != 'hermite_series')}, got link {link.name!r} of kind "
            f"{link.kind!r}: expand it with Link.from_hermite_series"
        )
    if code != _kernels.SERIES:
        return code, np.zeros(1)
    return code, np.ascontiguousarray(link.normalized_coefficients, dtype=float)


def _start(gen: np.random.Generator, d: int, m0: float | None) -> np.ndarray:
    if m0 is None:
        v = gen.standard_normal(d)
        return v / np.linalg.norm(v)
    v = gen.standard_normal(d - 1)
    w = np.empty(d)
    w[0] = m0
    w[1:] = math.sqrt(1.0 - m0 * m0) * v / np.linalg.norm(v)
    return w


def _check_run_args(link, eta, steps, runs, m0, seed, replacement, record_every, stop_at):
    check_link(link)
    eta = check_real("eta", eta, positive=True)
    steps = check_int("steps", steps, 0)
    runs = check_int("runs", runs, 1)
    m0 = None if m0 is None else check_overlap("m0", m0)
    seed = check_seed(seed)
    if not isinstance(replacement, (bool, np.bool_)):
        raise TypeError(f"replacement must be a bool, got {replacement!r}")
    record_every = check_int("record_every", record_every, 1)
    stop_at = None if stop_at is None else check_real("stop_at", stop_at)
    n_rec = steps // record_every + 1
    if runs * n_rec * 8 > SAMPLE_LIMIT_BYTES:
        raise ValueError(f"record_every={record_every} would record {runs} runs x {n_rec} records, above 1 GiB: "
                         f"raise record_every")
    return eta, steps, runs, m0, seed, bool(replacement), record_every, stop_at, n_rec


def _one_run(link, code, coef, sample, x_sq, eta, steps, gen_start, gen_index, m0, replacement, record_every,
             stop_at, overlap_row):
    w = _start(gen_start, sample.d, m0)
    seen = np.zeros(sample.n, dtype=np.bool_)
    level = math.inf if stop_at is None else stop_at
    status, taken, reused = _mk.multipass_chain(gen_index, code, coef, sample.x, sample.y, x_sq, w, eta, steps,
                                               replacement, level, link.is_even, record_every, overlap_row, seen)
    if status == _mk.DIVERGED:
        raise FloatingPointError(
            f"multi-pass SGD diverged: the overlap stopped being finite at step {taken} (link={link.name!r}, "
            f"d={sample.d}, n={sample.n}, eta={eta!r}); lower eta"
        )
    return taken, reused, empirical_loss(link, sample, w)


def multipass_sgd(
    link: object, sample: Sample, eta: float, steps: int, *, runs: int = 1, m0: float | None = None,
    seed: int | None = None, replacement: bool = True, record_every: int = 1, stop_at: float | None = None,
) -> MultipassResult:
    r"""Run batch-1 multi-pass SGD ``runs`` times on one fixed ``sample`` (module docstring).

    Parameters
    ----------
    link : Link
        Teacher and student link (a Hermite series or a compiled closed form).
    sample : Sample
        The fixed sample (:func:`draw_sample`), target :math:`w_* = e_1`.
    eta : float
        Step size, positive.
    steps : int
        Horizon :math:`T \ge 0`.
    runs : int, default 1
        Independent starts and index sequences on the same sample.
    m0 : float or None
        ``None``: :math:`w^0` uniform on the sphere; a number: every run starts at that overlap.
    seed : int or None
        Root seed; run ``r`` uses child ``r`` of ``SeedSequence(seed)``.
    replacement : bool, default True
        ``True``: :math:`i_t` uniform on the sample; ``False``: epochs without replacement.
    record_every : int, default 1
    stop_at : float or None
        Stop a run once its overlap (absolute value for an even link) reaches this level.

    Returns
    -------
    MultipassResult

    Raises
    ------
    ValueError, TypeError
        For invalid arguments (the message names the argument).
    FloatingPointError
        If a run diverges.
    """
    if not isinstance(sample, Sample):
        raise TypeError(f"sample must be a Sample (see draw_sample), got {type(sample).__name__}")
    eta, steps, runs, m0, seed, replacement, record_every, stop_at, n_rec = _check_run_args(
        link, eta, steps, runs, m0, seed, replacement, record_every, stop_at)
    code, coef = _link_code(link)
    root = np.random.SeedSequence(seed)
    x_sq = np.einsum("ij,ij->i", sample.x, sample.x)
    overlap = np.empty((runs, n_rec))
    taken, reused, train = np.empty(runs, dtype=np.int64), np.empty(runs, dtype=np.int64), np.empty(runs)
    for r, child in enumerate(root.spawn(runs)):
        g_start, g_index = (np.random.default_rng(s) for s in child.spawn(2))
        taken[r], reused[r], train[r] = _one_run(link, code, coef, sample, x_sq, eta, steps, g_start, g_index, m0,
                                                 replacement, record_every, stop_at, overlap[r])
    return MultipassResult(
        link=link, d=sample.d, n=sample.n, eta=eta, steps=_frozen(np.arange(n_rec, dtype=np.int64) * record_every),
        overlap=_frozen(overlap), replacement=replacement, fresh_samples=False, seed=int(root.entropy), m0=m0,
        stop_at=stop_at, steps_taken=_frozen(taken), reused=_frozen(reused), train_loss=_frozen(train),
    )


def multipass_trials(
    link: object, d: int, n: int, eta: float, steps: int, *, runs: int = 1, m0: float | None = None,
    seed: int | None = None, replacement: bool = True, record_every: int = 1, stop_at: float | None = None,
    noise: float = 0.0, progress: bool = False, independent_labels: bool = False, _first_run: int = 0,
) -> MultipassResult:
    r"""Independent trials: each run draws its own sample of size ``n`` and its own start.

    The law of a trial is that of the whole procedure (sample, start, index sequence), which is
    what a success probability refers to. With ``replacement=False`` and ``steps <= n`` a trial
    never revisits a sample, so it has exactly the law of online SGD
    (:func:`lecturelib.sgd.online_sgd`). Arguments as in :func:`multipass_sgd`; only one
    sample is in memory at a time. ``independent_labels=True`` draws null samples
    (:func:`draw_sample`). Run ``r`` uses child ``r`` of ``SeedSequence(seed)``; the private
    ``_first_run`` computes runs ``_first_run .. _first_run + runs - 1`` of that sequence, so
    blocks of runs reassemble bit for bit into one call (stored sweeps rely on it).
    """
    n, d = check_sample_size(n, d)
    eta, steps, runs, m0, seed, replacement, record_every, stop_at, n_rec = _check_run_args(
        link, eta, steps, runs, m0, seed, replacement, record_every, stop_at)
    noise = check_real("noise", noise, nonnegative=True)
    if not isinstance(independent_labels, (bool, np.bool_)):
        raise TypeError(f"independent_labels must be a bool, got {independent_labels!r}")
    _first_run = check_int("_first_run", _first_run, 0)
    code, coef = _link_code(link)
    root = np.random.SeedSequence(seed)
    overlap = np.empty((runs, n_rec))
    taken, reused, train = np.empty(runs, dtype=np.int64), np.empty(runs, dtype=np.int64), np.empty(runs)
    children = root.spawn(runs) if _first_run == 0 else [
        np.random.SeedSequence(root.entropy, spawn_key=(r,)) for r in range(_first_run, _first_run + runs)]
    if progress:
        from tqdm.auto import tqdm
        children = tqdm(children, desc=f"d={d}, n={n}")
    for r, child in enumerate(children):
        s_sample, s_start, s_index = child.spawn(3)
        sample = draw_sample(link, d, n, noise=noise, seed=int(s_sample.generate_state(1)[0]),
                             independent_labels=independent_labels)
        x_sq = np.einsum("ij,ij->i", sample.x, sample.x)
        taken[r], reused[r], train[r] = _one_run(
            link, code, coef, sample, x_sq, eta, steps, np.random.default_rng(s_start),
            np.random.default_rng(s_index), m0, replacement, record_every, stop_at, overlap[r])
    return MultipassResult(
        link=link, d=d, n=n, eta=eta, steps=_frozen(np.arange(n_rec, dtype=np.int64) * record_every),
        overlap=_frozen(overlap), replacement=replacement, fresh_samples=True, seed=int(root.entropy), m0=m0,
        stop_at=stop_at, steps_taken=_frozen(taken), reused=_frozen(reused), train_loss=_frozen(train),
    )


def expected_reuse_fraction(n: int, steps: int) -> float:
    r"""Expected fraction of ``steps`` uniform draws from ``n`` samples that hit an index drawn before.

    :math:`1 - \frac{n}{T}\big(1 - (1 - 1/n)^T\big)`: the expected number of distinct indices is
    :math:`n(1 - (1 - 1/n)^T)`; about :math:`T/(2n)` when :math:`T \ll n`.
    """
    n = check_int("n", n, 1)
    steps = check_int("steps", steps, 1)
    distinct = -n * math.expm1(steps * math.log1p(-1.0 / n)) if n > 1 else 1.0
    return 1.0 - distinct / steps


@dataclass(frozen=True, eq=False)
class SuccessSweep:
    r"""Success of multi-pass SGD against :math:`n/d^{k-1}`, with online SGD as the :math:`n = \infty` column.

    Attributes
    ----------
    link : Link
    d : numpy.ndarray
        Dimensions.
    ratio : numpy.ndarray
        The values of :math:`n/d^{k-1}`; ``n = max(1, round(ratio * d**(k-1)))``.
    n : numpy.ndarray
        Shape ``(len(d), len(ratio))``.
    eta_scale, horizon_scale : float
        :math:`\eta = c\,d^{-k/2}` and :math:`T = C\,d^{k-1}`.
    level : float
        A run succeeds if its overlap reaches ``level`` within the horizon.
    runs : int
        Trials per cell (each with its own sample and start).
    success : numpy.ndarray
        Shape ``(len(d), len(ratio))``: fraction of successful trials.
    online_success : numpy.ndarray
        Shape ``(len(d),)``: the same for online SGD (fresh samples, overlap engine).
    final_overlap, train_loss, population_loss : numpy.ndarray
        Shape ``(len(d), len(ratio), runs)``: at each trial's last iterate.
    reuse_fraction : numpy.ndarray
        Shape ``(len(d), len(ratio), runs)``.
    """

    link: object
    d: np.ndarray
    ratio: np.ndarray
    n: np.ndarray
    eta_scale: float
    horizon_scale: float
    level: float
    runs: int
    success: np.ndarray
    online_success: np.ndarray
    final_overlap: np.ndarray
    train_loss: np.ndarray
    population_loss: np.ndarray
    reuse_fraction: np.ndarray

    @property
    def failed(self) -> np.ndarray:
        """Boolean mask ``(len(d), len(ratio), runs)`` of the trials that did not reach ``level``."""
        return self.final_overlap < self.level


def _success_cell(link: object, k: int, d: int, ratio: float | None, eta_scale: float, horizon_scale: float,
                  level: float, runs: int, s: int) -> object:
    """One cell of :func:`success_sweep`: online SGD's success rate (``ratio=None``) or the trials."""
    from .sgd import online_sgd

    eta = eta_scale * d ** (-k / 2)
    steps = max(1, int(round(horizon_scale * d ** (k - 1))))
    every = max(1, steps // 200)
    if ratio is None:
        res = online_sgd(link, d, eta, steps, runs=runs, seed=s, record_every=every, stop_at=level)
        return np.mean(res.overlap[:, -1] >= level)
    n = max(1, int(round(ratio * d ** (k - 1))))
    res = multipass_trials(link, d, n, eta, steps, runs=runs, seed=s, record_every=every, stop_at=level)
    return n, res.overlap[:, -1], res.train_loss, res.population_loss, res.reuse_fraction


def success_sweep(
    link: object, d_values: "list[int] | tuple[int, ...]", ratios: "list[float] | tuple[float, ...]", *,
    eta_scale: float = 1.0, horizon_scale: float = 20.0, level: float = 0.5, runs: int = 32, seed: int = 0,
    progress: bool = False, executor: object = None,
) -> SuccessSweep:
    r"""Success probability of multi-pass SGD (with replacement) on :math:`n = \text{ratio}\cdot d^{k-1}` samples.

    For each ``d``: :math:`\eta = c\,d^{-k/2}`, horizon :math:`T = C\,d^{k-1}` (the theorem's
    scalings, :math:`k` the information exponent), ``runs`` trials per ``n`` from uniform starts,
    each stopped once its overlap reaches ``level``; online SGD with the same
    :math:`\eta, T` gives the reference. Returns a :class:`SuccessSweep`. With ``executor`` (any
    ``concurrent.futures.Executor``, e.g. Dask's ``Client(...).get_executor()``) each cell is a
    task, with the seed it has without one: the result is the same bit for bit.
    """

    check_link(link)
    k = link.information_exponent
    d_values = [check_int("d", d, 3) for d in d_values]
    ratios = [check_real("ratio", r, positive=True) for r in ratios]
    eta_scale = check_real("eta_scale", eta_scale, positive=True)
    horizon_scale = check_real("horizon_scale", horizon_scale, positive=True)
    level = check_real("level", level)
    runs = check_int("runs", runs, 1)
    seeds = np.random.SeedSequence(check_seed(seed)).spawn(len(d_values) * (len(ratios) + 1))
    shape = (len(d_values), len(ratios))
    n_grid = np.empty(shape, dtype=np.int64)
    success = np.empty(shape)
    online = np.empty(len(d_values))
    final, train, pop, reuse = (np.empty(shape + (runs,)) for _ in range(4))
    cells = [(i, j) for i in range(len(d_values)) for j in range(len(ratios) + 1)]
    tasks = [(link, k, d_values[i], None if j == len(ratios) else ratios[j], eta_scale, horizon_scale, level, runs,
              int(seeds[i * (len(ratios) + 1) + j].generate_state(1)[0])) for i, j in cells]
    if executor is not None:
        from .parallel import check_executor, check_portable, map_ordered

        check_portable(link, check_executor(executor))
        outcomes = map_ordered(_success_cell, tasks, executor=executor, progress=progress, desc="success sweep")
    else:
        if progress:
            from tqdm.auto import tqdm
            tasks = tqdm(tasks, desc="success sweep")
        outcomes = [_success_cell(*t) for t in tasks]
    for (i, j), out in zip(cells, outcomes):
        if j == len(ratios):
            online[i] = out
            continue
        n_grid[i, j], final[i, j], train[i, j], pop[i, j], reuse[i, j] = out
        success[i, j] = np.mean(final[i, j] >= level)
    arrays = [np.asarray(d_values), np.asarray(ratios), n_grid, success, online, final, train, pop, reuse]
    for a in arrays:
        a.setflags(write=False)
    d_arr, r_arr, n_grid, success, online, final, train, pop, reuse = arrays
    return SuccessSweep(link, d_arr, r_arr, n_grid, eta_scale, horizon_scale, level, runs, success, online, final,
                        train, pop, reuse)
