r"""Online spherical SGD for the single-index model, with two engines of one law.

The algorithm (the notes' setting, with the errata fixed): a fixed unit target :math:`w_*`,
a start :math:`w^0` uniform on the sphere :math:`S^{d-1}` (or at a given overlap), and at
each step a fresh mini-batch :math:`x_1, \dots, x_B \sim N(0, I_d)` with labels
:math:`y_i = f(\langle w_*, x_i\rangle) + \sigma\varepsilon_i`. With
:math:`\lambda_i = \langle w, x_i\rangle` and :math:`c_i = \eta\,(y_i - f(\lambda_i))\,f'(\lambda_i)`
(minus :math:`\eta` times the derivative of the square loss
:math:`\tfrac12(y - f(\lambda))^2` in :math:`\lambda`), the projected step is

.. math::

    w \leftarrow \frac{w + \frac1B\sum_i c_i\,(x_i - \lambda_i w)}
                      {\big\|w + \frac1B\sum_i c_i\,(x_i - \lambda_i w)\big\|},

a step along the spherical gradient followed by normalization (``step="tangent"``, the
default). ``step="euclidean"`` is the rule much published code uses: a step along the
Euclidean gradient of the loss, :math:`w + \frac1B\sum_i c_i x_i`, then normalized; it keeps
the radial part :math:`\frac1B\sum_i c_i\lambda_i\, w` that the tangent step removes, and
stays an exact chain in the same scalars (:mod:`lecturelib._kernels`). ``projected=False`` is the
update the notes' proof analyses: :math:`w \leftarrow w + \frac1B\sum_i c_i (x_i -
\hat\lambda_i \hat w)` with :math:`\hat w = w/\|w\|`, :math:`\hat\lambda_i = \langle \hat w,
x_i\rangle` and :math:`f(\hat\lambda_i), f'(\hat\lambda_i)` in :math:`c_i`; its recorded
overlap is :math:`\langle w, w_*\rangle` and ``norm`` is :math:`\|w\|`.

Engines:

``engine="full"``
    the literal algorithm in dimension ``d`` with :math:`w_* = e_1` (rotation invariance
    makes the choice immaterial), vectorized over runs, for any link. Gaussians are drawn
    in chunks so that memory beyond the ``runs x d`` state stays under about 256 MiB.
``engine="overlap"``
    the exact Markov chain of the overlap (``DESIGN.md``): :math:`\lambda, \beta \sim N(0,1)`
    and :math:`\|z\|^2 \sim \chi^2_{d-2}` replace the ``d``-dimensional draw, at a cost
    independent of ``d``. It runs Hermite-series links and the closed forms of
    :data:`lecturelib.links.CLOSED_FORMS` (compiled with numba) and refuses a Python
    callable.

Losses and sample reuse (``loss=``, ``rho=``, ``reuse=``; see :func:`online_sgd`): the
step is always :math:`w \leftarrow (w + \eta\kappa(x - \lambda w))/\|\cdot\|`, and only the
per-sample factor :math:`\kappa` changes. The square loss with one step per sample runs in
the engines above, unchanged; the L1 loss, the smoothed correlation losses of Damian,
Nichani, Ge and Lee (2023) and sample reuse run in :func:`lecturelib._kernels.variant_chain`
(overlap engine) and :func:`_run_full_variant` (full engine), one sample per step.

Each run ``r`` draws from its own stream, child ``r`` of ``numpy.random.SeedSequence(seed)``,
so a result does not depend on the number of threads, and run ``r`` is the same whatever
``runs`` is.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import NoReturn

import numpy as np

from . import _kernels
from ._validation import check_choice, check_int, check_link, check_overlap, check_real, check_seed

__all__ = ["SGDResult", "online_sgd", "escape_times", "smoothed_kappa", "ENGINES", "LOSSES", "SMOOTHED_LOSSES",
           "STEPS"]

ENGINES: tuple[str, ...] = ("overlap", "full")
STEPS: tuple[str, ...] = ("tangent", "euclidean")
"""Step rules: the spherical (tangent) gradient step, or the Euclidean gradient step; both normalized."""
LOSSES: tuple[str, ...] = tuple(_kernels.LOSS_CODES)
RECORD_LIMIT_BYTES = 1 << 30
"""Largest record (overlap and norm arrays) ``online_sgd`` agrees to allocate."""
CHUNK_BYTES = 1 << 22
"""Gaussians drawn at once by the full engine: 4 MiB, small enough to stay in cache (measured
faster than 16 or 64 MiB) and far below the 256 MiB budget."""


@dataclass(frozen=True, eq=False)
class SGDResult:
    r"""Recorded trajectories of online SGD, with the parameters that produced them.

    Attributes
    ----------
    link : Link
    d : int
        Dimension.
    eta : float
        Step size :math:`\eta`.
    steps : numpy.ndarray
        Recorded step indices ``0, record_every, 2 record_every, ...`` (``<= horizon``).
    overlap : numpy.ndarray
        Shape ``(runs, len(steps))``: :math:`\langle w^t, w_*\rangle` at the recorded steps.
        A run stopped by ``stop_at`` keeps its value at escape in the later records.
    engine : str
        ``"overlap"`` or ``"full"``.
    seed : int
        The root seed (drawn from the OS and stored when ``None`` was passed), so every
        result can be reproduced.
    m0 : float or None
        The fixed initial overlap, or ``None`` for a uniform start on the sphere.
    batch_size : int
    noise : float
        Label-noise standard deviation :math:`\sigma`.
    loss : str
    projected : bool
    norm : numpy.ndarray or None
        :math:`\|w^t\|` at the recorded steps when ``projected=False``, else ``None``.
    stop_at : float or None
        The escape level at which runs were stopped, if any.
    rho : float or None
        Smoothing radius of a smoothed loss, else ``None``.
    reuse : int
        Consecutive steps per sample (1: online SGD).
    step : str
        ``"tangent"`` or ``"euclidean"``: the step rule.
    escape_step : numpy.ndarray or None
        With ``stop_at``: per run, the exact first step ``t`` whose overlap (absolute value
        for even links) is at or past ``stop_at``, whatever ``record_every``; ``nan`` for a
        run that never got there (censored at the horizon). ``None`` without ``stop_at``.
    """

    link: object
    d: int
    eta: float
    steps: np.ndarray
    overlap: np.ndarray
    engine: str
    seed: int
    m0: float | None
    batch_size: int
    noise: float
    loss: str
    projected: bool
    norm: np.ndarray | None
    stop_at: float | None
    rho: float | None = None
    reuse: int = 1
    step: str = "tangent"
    escape_step: np.ndarray | None = None

    @property
    def runs(self) -> int:
        """Number of independent runs."""
        return self.overlap.shape[0]


def _available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _frozen(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def _overlap_link(link: object) -> tuple[int, np.ndarray]:
    """Link code and normalized coefficients for the numba kernel."""
    code = _kernels.LINK_CODES.get(link.kind)
    if code is None:
        raise ValueError(
            f"engine='overlap' cannot run link {link.name!r} of kind {link.kind!r}: it compiles only "
            f"Hermite series and the closed forms {tuple(c for c in _kernels.LINK_CODES if c != 'hermite_series')}; "
            "use engine='full', or expand the link with Link.from_hermite_series"
        )
    if code != _kernels.SERIES:
        return code, np.zeros(1)
    return code, np.ascontiguousarray(link.normalized_coefficients, dtype=float)


def _run_overlap(
    link: object, d: int, eta: float, steps: int, seeds: list[np.random.SeedSequence], m0: float | None,
    batch: int, noise: float, loss: str, projected: bool, record_every: int, stop_at: float | None, threads: int,
    euclid: bool = False,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    code, coef = _overlap_link(link)
    gens = [np.random.default_rng(s) for s in seeds]
    half = 0.5 * (d - 1)
    # (1 + m0)/2 ~ Beta((d-1)/2, (d-1)/2) is the exact law of <w0, w*> for w0 uniform.
    starts = [2.0 * g.beta(half, half) - 1.0 if m0 is None else m0 for g in gens]
    n_rec = steps // record_every + 1
    overlap = np.empty((len(seeds), n_rec))
    norm = np.empty((len(seeds), 0 if projected else n_rec))
    level = math.inf if stop_at is None else stop_at
    loss_code = _kernels.LOSS_CODES[loss]

    def one(r: int) -> tuple[int, int]:
        return _kernels.overlap_chain(
            gens[r], code, coef, d, eta, steps, batch, noise, loss_code, projected, euclid,
            float(starts[r]), level, link.is_even, record_every, overlap[r], norm[r],
        )

    if threads == 1 or len(seeds) == 1:
        status = [one(r) for r in range(len(seeds))]
    else:
        with ThreadPoolExecutor(max_workers=min(threads, len(seeds))) as pool:
            status = list(pool.map(one, range(len(seeds))))
    for r, (code_r, t) in enumerate(status):
        if code_r == _kernels.DIVERGED:
            _diverged(link, d, eta, batch, noise, projected, r, t)
    return overlap, (None if projected else norm), _escape_steps(status)


def _escape_steps(status: list[tuple[int, int]]) -> np.ndarray:
    """Per run, the kernel's exact escape step, ``nan`` for a run that did not escape."""
    return np.array([float(t) if code == _kernels.ESCAPED else math.nan for code, t in status])


def _diverged(link: object, d: int, eta: float, batch: int, noise: float, projected: bool, run: object,
              step: object) -> NoReturn:
    raise FloatingPointError(
        f"online SGD diverged: the overlap of run {run} stopped being finite at step {step} "
        f"(link={link.name!r}, d={d}, eta={eta!r}, batch_size={batch}, noise={noise!r}, "
        f"projected={projected}); lower eta"
    )


def _full_step(
    W: np.ndarray, X: np.ndarray, Y: np.ndarray, link: object, eta: float, projected: bool,
    x_sq: np.ndarray | None = None, euclid: bool = False,
) -> None:
    r"""One SGD step of every run, in place: ``W`` is ``(runs, d)``, ``X`` the inputs
    ``(runs, B, d)`` (overwritten), ``Y`` their labels ``(runs, B)``.

    :math:`w + \frac1B\sum_i c_i (x_i - \hat\lambda_i \hat w)
    = (1 - \frac1B\sum_i c_i\hat\lambda_i/\|w\|)\, w + \frac1B\sum_i c_i x_i`, then
    normalized when projected. With ``B = 1``, a unit ``w`` and ``x_sq`` :math:`= \|x\|^2`
    given, the norm comes from :math:`\|(1 - c\lambda) w + c x\|^2 = 1 + c^2(\|x\|^2 -
    \lambda^2)` instead of a pass over the vectors (the caller renormalizes exactly now and
    then, so rounding cannot accumulate). ``euclid`` (projected only) takes the Euclidean step
    :math:`w + \frac1B\sum_i c_i x_i`: no shrink, and :math:`\|w + c x\|^2 = 1 + 2c\lambda +
    c^2\|x\|^2`.
    """
    batch = X.shape[1]
    norm = 1.0 if projected else np.sqrt(np.einsum("rd,rd->r", W, W))
    lam = np.matmul(X, W[:, :, None])[..., 0]
    if not projected:
        lam /= norm[:, None]
    c = eta * (Y - link.f(lam)) * link.df(lam)
    if euclid:
        shrink = np.ones(W.shape[0])
    else:
        shrink = 1.0 - np.einsum("rb,rb->r", c, lam) / (batch * norm)
    if x_sq is not None and projected and batch == 1:
        if euclid:
            scale = 1.0 / np.sqrt(1.0 + 2.0 * c[:, 0] * lam[:, 0] + c[:, 0] ** 2 * x_sq)
        else:
            scale = 1.0 / np.sqrt(1.0 + c[:, 0] ** 2 * (x_sq - lam[:, 0] ** 2))
        W *= (shrink * scale)[:, None]
        X[:, 0] *= (c[:, 0] * scale)[:, None]  # in place: no temporary of the size of W
        W += X[:, 0]
        return
    W *= shrink[:, None]
    if batch == 1:
        X[:, 0] *= c
        W += X[:, 0]
    else:
        W += np.einsum("rb,rbd->rd", c, X) / batch
    if projected:
        W /= np.sqrt(np.einsum("rd,rd->r", W, W))[:, None]


def _full_block(
    link: object, d: int, eta: float, steps: int, seeds: list[np.random.SeedSequence], m0: float | None,
    batch: int, noise: float, projected: bool, record_every: int, stop_at: float | None, euclid: bool = False,
) -> tuple[np.ndarray | None, np.ndarray | None, int, np.ndarray]:
    """The literal d-dimensional algorithm for a block of runs (w_* = e_1); also returns the
    exact escape step of each run (``nan`` if none)."""
    runs = len(seeds)
    streams = [[np.random.default_rng(s) for s in seed.spawn(3)] for seed in seeds]
    W = np.empty((runs, d))
    for r, (start, _, _) in enumerate(streams):
        if m0 is None:
            v = start.standard_normal(d)
            W[r] = v / np.linalg.norm(v)
        else:
            v = start.standard_normal(d - 1)
            W[r, 0] = m0
            W[r, 1:] = math.sqrt(1.0 - m0 * m0) * v / np.linalg.norm(v)
    n_rec = steps // record_every + 1
    overlap = np.empty((runs, n_rec))
    norm = None if projected else np.empty((runs, n_rec))
    overlap[:, 0] = W[:, 0]
    if norm is not None:
        norm[:, 0] = 1.0
    even = link.is_even
    escaped = np.zeros(runs, dtype=bool)
    frozen = np.zeros(runs)
    frozen_norm = np.ones(runs)
    escape_step = np.full(runs, math.nan)
    if stop_at is not None:
        escaped = (np.abs(W[:, 0]) if even else W[:, 0]) >= stop_at
        frozen = W[:, 0].copy()
        escape_step[escaped] = 0.0
    chunk = max(1, min(steps, CHUNK_BYTES // (8 * runs * batch * d)))
    # Step-major layout: each step's inputs are contiguous, which halves the cost of the
    # per-step passes; each run's stream is drawn into a buffer and copied in.
    X = np.empty((chunk, runs, batch, d))
    own = np.empty((chunk, batch, d))
    eps = np.zeros((chunk, runs, batch))
    t = 0
    while t < steps and not escaped.all():
        n = min(chunk, steps - t)
        for r, (_, xs, ns) in enumerate(streams):
            if X[:n, r].flags.c_contiguous:  # one step per chunk, or one run
                xs.standard_normal(out=X[:n, r])
            else:
                xs.standard_normal(out=own[:n])
                X[:n, r] = own[:n]
            if noise > 0.0:
                eps[:n, r] = ns.standard_normal((n, batch))
        Y = link.f(X[:n, :, :, 0]) + noise * eps[:n]
        x_sq = np.einsum("nrd,nrd->nr", X[:n, :, 0], X[:n, :, 0]) if projected and batch == 1 else None
        for j in range(n):
            _full_step(W, X[j], Y[j], link, eta, projected, None if x_sq is None else x_sq[j], euclid)
            t += 1
            if stop_at is not None:
                value = W[:, 0]
                new = ~escaped & ((np.abs(value) if even else value) >= stop_at)
                if new.any():
                    frozen[new] = value[new]
                    escape_step[new] = t
                    if norm is not None:
                        frozen_norm[new] = np.sqrt(np.einsum("rd,rd->r", W[new], W[new]))
                    escaped |= new
            if t % record_every == 0:
                i = t // record_every
                overlap[:, i] = np.where(escaped, frozen, W[:, 0]) if stop_at is not None else W[:, 0]
                if norm is not None:
                    current = np.sqrt(np.einsum("rd,rd->r", W, W))
                    norm[:, i] = np.where(escaped, frozen_norm, current) if stop_at is not None else current
            if escaped.all():
                break
        if not np.all(np.isfinite(W[:, 0])):
            return None, None, t, escape_step
        if projected:
            W /= np.sqrt(np.einsum("rd,rd->r", W, W))[:, None]
    if t < steps:  # every run escaped: the remaining records hold the values at escape
        overlap[:, t // record_every + 1 :] = frozen[:, None]
        if norm is not None:
            norm[:, t // record_every + 1 :] = frozen_norm[:, None]
    return overlap, norm, t, escape_step


def _run_full(
    link: object, d: int, eta: float, steps: int, seeds: list[np.random.SeedSequence], m0: float | None,
    batch: int, noise: float, projected: bool, record_every: int, stop_at: float | None, euclid: bool = False,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    # Blocks of runs keep one step's draw (runs x batch x d doubles) within the chunk budget.
    block = max(1, CHUNK_BYTES // (8 * batch * d))
    parts = []
    for lo in range(0, len(seeds), block):
        overlap, norm, t, escape = _full_block(link, d, eta, steps, seeds[lo : lo + block], m0, batch, noise,
                                               projected, record_every, stop_at, euclid)
        if overlap is None:
            _diverged(link, d, eta, batch, noise, projected, f"{lo}..{lo + block - 1}", f"<= {t}")
        parts.append((overlap, norm, escape))
    overlap = np.concatenate([p[0] for p in parts])
    norm = None if projected else np.concatenate([p[1] for p in parts])
    if not np.all(np.isfinite(overlap)) or (norm is not None and not np.all(np.isfinite(norm))):
        _diverged(link, d, eta, batch, noise, projected, "some", "a recorded step")
    return overlap, norm, np.concatenate([p[2] for p in parts])

SMOOTHED_LOSSES: tuple[str, ...] = ("smoothed", "smoothed_random")
"""The correlation losses smoothed over the sphere of radius ``rho`` (exact average, one direction)."""


def smoothing_tables(link: object, d: int) -> tuple[np.ndarray, np.ndarray]:
    r"""Tables of :func:`lecturelib._kernels.smoothed_factor` for a Hermite-series link in dimension ``d``.

    ``table[p, k]`` :math:`= \sqrt{k!/(k-p)!}` for ``p <= k`` (0 otherwise), ``p = 0..K+1``;
    ``weights[0, j]`` :math:`= M_j/(2j)!` and ``weights[1, j]`` :math:`= j M_j/(2j)!` with
    :math:`M_j = \mathbb{E}[s^{2j}] = \prod_{i<j} \frac{2i+1}{d-1+2i}`, the moments of the
    first coordinate of a uniform point of :math:`S^{d-2}`.
    """
    if link.kind != "hermite_series":
        return np.zeros((2, 1)), np.zeros((2, 1))
    n = len(link.series)
    table = np.zeros((n + 1, n))
    for p in range(n + 1):
        for k in range(p, n):
            table[p, k] = math.sqrt(math.prod(range(k - p + 1, k + 1)))
    jmax = n // 2 + 1
    weights = np.zeros((2, jmax))
    moment = 1.0
    for j in range(jmax):
        weights[0, j] = moment / math.factorial(2 * j)
        weights[1, j] = j * moment / math.factorial(2 * j)
        moment *= (2 * j + 1) / (d - 1 + 2 * j)
    return table, weights


def smoothed_kappa(link: object, d: int, rho: float, lam: np.ndarray, q: np.ndarray, y: np.ndarray) -> np.ndarray:
    r"""Exact factor :math:`\kappa = y\,(F_\lambda - 2\lambda F_q)` of the smoothed correlation loss.

    For one sample the smoothed loss is :math:`-y\,F(\lambda, q)`,
    :math:`F = \mathbb{E}_v f(\langle (w + \rho v)/\sqrt{1+\rho^2}, x\rangle)` with ``v``
    uniform on the unit sphere of :math:`w^\perp`, :math:`\lambda = \langle w, x\rangle`
    and :math:`q = \|x\|^2 - \lambda^2`; its spherical gradient is
    :math:`-y(F_\lambda - 2\lambda F_q)(x - \lambda w)`. Vectorized over the arrays.
    """
    table, weights = smoothing_tables(link, d)
    coef = np.ascontiguousarray(link.normalized_coefficients, dtype=float)
    lam, q, y = np.broadcast_arrays(np.asarray(lam, float), np.asarray(q, float), np.asarray(y, float))
    out = np.empty(lam.shape)
    for i in np.ndindex(lam.shape):
        out[i] = y[i] * _kernels.smoothed_factor(coef, table, weights, float(lam[i]), float(q[i]), rho)
    return out


def _check_variant(link: object, engine: str, loss: str, rho: float | None, reuse: object, batch: int,
                   projected: bool, d: int) -> tuple[float, int]:
    """Validate the loss options; return ``(rho, reuse)`` (``rho = d**0.25`` by default)."""
    reuse = check_int("reuse", reuse, 1)
    if loss in SMOOTHED_LOSSES:
        rho = d**0.25 if rho is None else check_real("rho", rho, positive=True)
    elif rho is not None:
        raise ValueError(f"rho applies only to loss in {SMOOTHED_LOSSES}, got rho={rho!r} with loss={loss!r}")
    else:
        rho = 0.0
    if loss == "l2" and reuse == 1:
        return rho, reuse
    if batch != 1:
        raise ValueError(
            f"loss={loss!r} with reuse={reuse} runs one sample per step: batch_size must be 1, got {batch}"
        )
    if not projected:
        raise ValueError(f"loss={loss!r} with reuse={reuse} runs the projected update only: projected must be True")
    if loss == "smoothed" and link.kind != "hermite_series":
        raise ValueError(
            f"loss='smoothed' averages over the smoothing sphere in closed form, which needs a Hermite-series "
            f"link; link {link.name!r} has kind {link.kind!r}: use Link.from_hermite_series or "
            f"loss='smoothed_random'"
        )
    if engine == "overlap":
        _overlap_link(link)  # raises for a link the chain cannot compile
    return rho, reuse


def _run_overlap_variant(
    link: object, d: int, eta: float, steps: int, seeds: list[np.random.SeedSequence], m0: float | None,
    noise: float, loss: str, rho: float, reuse: int, record_every: int, stop_at: float | None, threads: int,
    euclid: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    code, coef = _overlap_link(link)
    table, weights = smoothing_tables(link, d)
    gens = [np.random.default_rng(s) for s in seeds]
    half = 0.5 * (d - 1)
    starts = [2.0 * g.beta(half, half) - 1.0 if m0 is None else m0 for g in gens]
    overlap = np.empty((len(seeds), steps // record_every + 1))
    level = math.inf if stop_at is None else stop_at
    loss_code = _kernels.LOSS_CODES[loss]

    def one(r: int) -> tuple[int, int]:
        return _kernels.variant_chain(gens[r], code, coef, table, weights, d, eta, steps, noise, loss_code, rho,
                                      reuse, euclid, float(starts[r]), level, link.is_even, record_every,
                                      overlap[r])

    if threads == 1 or len(seeds) == 1:
        status = [one(r) for r in range(len(seeds))]
    else:
        with ThreadPoolExecutor(max_workers=min(threads, len(seeds))) as pool:
            status = list(pool.map(one, range(len(seeds))))
    for r, (code_r, t) in enumerate(status):
        if code_r == _kernels.DIVERGED:
            _diverged(link, d, eta, 1, noise, True, r, t)
    return overlap, _escape_steps(status)


def _variant_kappa(link: object, loss: str, d: int, rho: float, lam: np.ndarray, x_perp_sq: np.ndarray,
                   y: np.ndarray, s: np.ndarray | None) -> np.ndarray:
    """Per-run factor kappa of the full variant engine (see :func:`lecturelib._kernels.variant_chain`)."""
    if loss in ("l2", "l1"):
        r = y - link.f(lam)
        return (np.sign(r) if loss == "l1" else r) * link.df(lam)
    if loss == "smoothed":
        return smoothed_kappa(link, d, rho, lam, x_perp_sq, y)
    scale = 1.0 / math.sqrt(1.0 + rho * rho)
    root = np.sqrt(x_perp_sq)
    arg = (lam + rho * root * s) * scale
    return y * link.df(arg) * scale * (1.0 - lam * rho * s / root)


def _run_full_variant(
    link: object, d: int, eta: float, steps: int, seeds: list[np.random.SeedSequence], m0: float | None,
    noise: float, loss: str, rho: float, reuse: int, record_every: int, stop_at: float | None,
    euclid: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    r"""The literal d-dimensional algorithm for the loss variants (``w_* = e_1``, one sample per step).

    For ``smoothed_random`` each step draws a direction ``v`` uniform on the unit sphere of
    :math:`w^\perp` and uses :math:`s = \langle v, x - \lambda w\rangle/\|x - \lambda w\|`.
    """
    runs = len(seeds)
    streams = [[np.random.default_rng(s) for s in seed.spawn(4)] for seed in seeds]
    W = np.empty((runs, d))
    for r, (start, _, _, _) in enumerate(streams):
        if m0 is None:
            v = start.standard_normal(d)
            W[r] = v / np.linalg.norm(v)
        else:
            v = start.standard_normal(d - 1)
            W[r, 0] = m0
            W[r, 1:] = math.sqrt(1.0 - m0 * m0) * v / np.linalg.norm(v)
    even = link.is_even
    overlap = np.empty((runs, steps // record_every + 1))
    overlap[:, 0] = W[:, 0]
    level = math.inf if stop_at is None else stop_at
    escaped = (np.abs(W[:, 0]) if even else W[:, 0]) >= level
    frozen = W[:, 0].copy()
    escape_step = np.where(escaped, 0.0, math.nan)
    t = 0
    while t < steps and not escaped.all():
        X = np.stack([xs.standard_normal(d) for _, xs, _, _ in streams])
        y = link.f(X[:, 0])
        if noise > 0.0:
            y = y + noise * np.array([ns.standard_normal() for _, _, ns, _ in streams])
        for _ in range(reuse):
            lam = np.einsum("rd,rd->r", W, X)
            perp = X - lam[:, None] * W
            perp_sq = np.einsum("rd,rd->r", perp, perp)
            s = None
            if loss == "smoothed_random":
                V = np.stack([vs.standard_normal(d) for _, _, _, vs in streams])
                V -= np.einsum("rd,rd->r", V, W)[:, None] * W
                V /= np.sqrt(np.einsum("rd,rd->r", V, V))[:, None]
                s = np.einsum("rd,rd->r", V, perp) / np.sqrt(perp_sq)
            c = eta * _variant_kappa(link, loss, d, rho, lam, perp_sq, y, s)
            W += c[:, None] * (X if euclid else perp)
            W /= np.sqrt(np.einsum("rd,rd->r", W, W))[:, None]
            t += 1
            value = W[:, 0]
            if not np.all(np.isfinite(value)):
                _diverged(link, d, eta, 1, noise, True, "some", t)
            new = ~escaped & ((np.abs(value) if even else value) >= level)
            frozen[new] = value[new]
            escape_step[new] = t
            escaped |= new
            if t % record_every == 0:
                overlap[:, t // record_every] = np.where(escaped, frozen, value)
            if t >= steps or escaped.all():
                break
    if t < steps:
        overlap[:, t // record_every + 1 :] = frozen[:, None]
    return overlap, escape_step


def online_sgd(
    link: object,
    d: int,
    eta: float,
    steps: int,
    *,
    runs: int = 1,
    m0: float | None = None,
    seed: int | None = None,
    engine: str = "overlap",
    batch_size: int = 1,
    noise: float = 0.0,
    loss: str = "l2",
    record_every: int = 1,
    projected: bool = True,
    stop_at: float | None = None,
    threads: int | None = None,
    rho: float | None = None,
    reuse: int = 1,
    step: str = "tangent",
    _first_run: int = 0,
) -> SGDResult:
    r"""Run online SGD ``runs`` times and record the overlap :math:`\langle w^t, w_*\rangle`.

    The step (see the module docstring) is
    :math:`w \leftarrow (w + \frac1B\sum_i c_i (x_i - \lambda_i w))/\|\cdot\|`,
    :math:`c_i = \eta\,(y_i - f(\lambda_i)) f'(\lambda_i)` (``step="tangent"``), or
    :math:`w \leftarrow (w + \frac1B\sum_i c_i x_i)/\|\cdot\|` (``step="euclidean"``). Both engines sample the same law;
    on the overlap engine, with :math:`\lambda_i, \beta_i \sim N(0,1)`,
    :math:`b = \frac1B\sum_i c_i\beta_i` and
    :math:`\|\bar z\|^2 = \frac{\sum_i c_i^2}{B^2}\chi^2_{d-2}`,

    .. math::

        m' = \frac{m + \sqrt{1-m^2}\, b}{\sqrt{1 + b^2 + \|\bar z\|^2}}.

    Parameters
    ----------
    link : Link
        Link of both teacher and student.
    d : int
        Dimension, ``>= 3``.
    eta : float
        Step size, positive and finite.
    steps : int
        Number of SGD steps (the horizon), ``>= 0``.
    runs : int, default 1
        Independent runs, ``>= 1``.
    m0 : float or None, default None
        ``None`` draws :math:`w^0` uniformly on the sphere (the overlap engine draws its
        exact law, density :math:`\propto (1-m^2)^{(d-3)/2}`); a number in ``[-1, 1]``
        starts every run at that overlap.
    seed : int or None
        Root seed (``>= 0``); ``None`` draws one from the OS (stored in the result).
    engine : {"overlap", "full"}
    batch_size : int, default 1
        Samples per step; the step uses the mean of their gradients.
    noise : float, default 0
        Label noise :math:`\sigma \ge 0`: :math:`y = f(\langle w_*, x\rangle) + \sigma\varepsilon`.
    loss : {"l2", "l1", "smoothed", "smoothed_random"}
        The per-sample factor :math:`\kappa` of the step :math:`w + \eta\kappa(x - \lambda w)`:
        ``"l2"`` the square loss, :math:`\kappa = (y - f(\lambda))f'(\lambda)`; ``"l1"`` the
        absolute loss :math:`|y - f(\lambda)|`, :math:`\kappa = \operatorname{sign}(y -
        f(\lambda))f'(\lambda)`; ``"smoothed"`` the correlation loss :math:`-y f` averaged over
        the sphere of radius ``rho`` around ``w`` (Damian, Nichani, Ge and Lee 2023), exactly
        (:func:`smoothed_kappa`, Hermite-series links); ``"smoothed_random"`` the same with one
        random smoothing direction per step. Losses other than ``"l2"`` need
        ``batch_size=1`` and ``projected=True``.
    record_every : int, default 1
        Record every this many steps (step 0 is always recorded).
    projected : bool, default True
        ``False`` runs the unprojected update and records :math:`\|w\|` too.
    stop_at : float or None
        Stop each run at the first step where its overlap (absolute value for even links)
        reaches this level; later records keep the value at escape, and the result's
        ``escape_step`` holds that step exactly, whatever ``record_every``.
    threads : int or None
        Worker threads of the overlap engine (default: the cores this process may use). The
        result does not depend on it.
    rho : float or None
        Smoothing radius :math:`\rho > 0` of the smoothed losses (default :math:`d^{1/4}`);
        only for those losses.
    reuse : int, default 1
        Consecutive steps taken on each sample (``2``: every sample is used twice in a row);
        ``steps`` counts steps, so ``steps / reuse`` samples are drawn. ``reuse > 1`` needs
        ``batch_size=1`` and ``projected=True``.
    step : {"tangent", "euclidean"}, default "tangent"
        The step rule: along the spherical gradient :math:`x - \lambda w`, or along the
        Euclidean gradient :math:`x` (then normalized in both). ``"euclidean"`` needs
        ``projected=True`` (the unprojected update of the notes is a tangent step).

    Returns
    -------
    SGDResult

    Raises
    ------
    ValueError, TypeError
        For invalid arguments (the message names the argument), a link the overlap engine
        cannot compile, or a record larger than 1 GiB.
    FloatingPointError
        If a run diverges (its overlap stops being finite).

    Examples
    --------
    >>> from lecturelib import Link
    >>> res = online_sgd(Link.hermite(1), d=100, eta=0.01, steps=2000, runs=4, seed=0)
    >>> res.overlap.shape
    (4, 2001)
    """
    check_link(link)
    d = check_int("d", d, 3)
    eta = check_real("eta", eta, positive=True)
    steps = check_int("steps", steps, 0)
    runs = check_int("runs", runs, 1)
    if m0 is not None:
        m0 = check_overlap("m0", m0)
    seed = check_seed(seed)
    engine = check_choice("engine", engine, ENGINES)
    batch_size = check_int("batch_size", batch_size, 1)
    noise = check_real("noise", noise, nonnegative=True)
    loss = check_choice("loss", loss, LOSSES)
    record_every = check_int("record_every", record_every, 1)
    if not isinstance(projected, (bool, np.bool_)):
        raise TypeError(f"projected must be a bool, got {projected!r}")
    projected = bool(projected)
    if stop_at is not None:
        stop_at = check_real("stop_at", stop_at)
    threads = _available_cores() if threads is None else check_int("threads", threads, 1)
    step = check_choice("step", step, STEPS)
    euclid = step == "euclidean"
    if euclid and not projected:
        raise ValueError("step='euclidean' needs projected=True: the unprojected update of the notes is a tangent step")
    rho, reuse = _check_variant(link, engine, loss, rho, reuse, batch_size, projected, d)
    n_rec = steps // record_every + 1
    size = runs * n_rec * 8 * (1 if projected else 2)
    if size > RECORD_LIMIT_BYTES:
        raise ValueError(
            f"record_every={record_every} would record {size / 2**30:.1f} GiB ({runs} runs x {n_rec} records); "
            f"the limit is 1 GiB: raise record_every to at least {math.ceil(steps * runs * 8 * (1 if projected else 2) / RECORD_LIMIT_BYTES)}"
        )
    root = np.random.SeedSequence(seed)
    seeds = root.spawn(runs) if _first_run == 0 else [  # runs _first_run.. of the same root
        np.random.SeedSequence(root.entropy, spawn_key=(r,)) for r in range(_first_run, _first_run + runs)]
    if loss != "l2" or reuse != 1:
        run = _run_overlap_variant if engine == "overlap" else _run_full_variant
        extra = (threads,) if engine == "overlap" else ()
        overlap, escape = run(link, d, eta, steps, seeds, m0, noise, loss, rho, reuse, record_every, stop_at,
                              *extra, euclid=euclid)
        norm = None
    elif engine == "overlap":
        overlap, norm, escape = _run_overlap(link, d, eta, steps, seeds, m0, batch_size, noise, loss, projected,
                                             record_every, stop_at, threads, euclid)
    else:
        overlap, norm, escape = _run_full(link, d, eta, steps, seeds, m0, batch_size, noise, projected,
                                          record_every, stop_at, euclid)
    return SGDResult(
        link=link, d=d, eta=eta, steps=_frozen(np.arange(n_rec, dtype=np.int64) * record_every),
        overlap=_frozen(overlap), engine=engine, seed=int(root.entropy), m0=m0, batch_size=batch_size,
        noise=noise, loss=loss, projected=projected, norm=None if norm is None else _frozen(norm),
        stop_at=stop_at, rho=rho if loss in SMOOTHED_LOSSES else None, reuse=reuse, step=step,
        escape_step=None if stop_at is None else _frozen(escape),
    )


def _online_sgd_runs(first: int, stop: int, link: object, d: int, eta: float, steps: int,
                     **options: object) -> SGDResult:
    """Runs ``first .. stop - 1`` of ``online_sgd(link, d, eta, steps, runs=R, **options)`` for any
    ``R >= stop``: run ``r`` draws from child ``r`` of ``SeedSequence(seed)`` whatever the block,
    so blocks of runs reassemble bit for bit into one call (used by :mod:`lecturelib.parallel`)."""
    first = check_int("first", first, 0)
    stop = check_int("stop", stop, first + 1)
    return online_sgd(link, d, eta, steps, runs=stop - first, _first_run=first, **options)


def escape_times(result: SGDResult, level: float = 0.5) -> np.ndarray:
    r"""Per run, the first step whose overlap reaches ``level``; ``nan`` if none.

    .. math::

        \tau_r = \min\{t : m^t_r \ge \text{level}\}

    with :math:`|m^t_r|` for an even link (:math:`w_*` and :math:`-w_*` fit equally well).
    When the runs were stopped at this level (``online_sgd(..., stop_at=level)``) the minimum
    is over every step: the engines' exact ``escape_step``, whatever ``record_every``;
    otherwise it is over the recorded steps ``result.steps`` (resolved to ``record_every``). A
    run that never reaches the level is *censored* at the horizon ``result.steps[-1]``;
    :func:`lecturelib.experiments.censored_median` treats it so.

    Parameters
    ----------
    result : SGDResult
    level : float, default 0.5
        Finite; at most ``result.stop_at`` when runs were stopped (above it nothing was
        observed).

    Returns
    -------
    numpy.ndarray
        Float array of shape ``(runs,)``.
    """
    if not isinstance(result, SGDResult):
        raise TypeError(f"result must be an SGDResult from online_sgd, got {type(result).__name__}")
    level = check_real("level", level)
    if result.stop_at is not None and level > result.stop_at:
        raise ValueError(
            f"level must be <= stop_at={result.stop_at!r} of this result (runs stopped there), got {level!r}"
        )
    if result.escape_step is not None and level == result.stop_at:
        return result.escape_step.astype(float)
    values = np.abs(result.overlap) if result.link.is_even else result.overlap
    hit = values >= level
    first = np.argmax(hit, axis=1)
    return np.where(hit.any(axis=1), result.steps[first].astype(float), np.nan)
