r"""The proof of the theorem as computations: drift plus martingale, Doob, hypercontractivity, Bihari--LaSalle.

The notes' proof drops the projection and follows the unprojected update

.. math::

    w_{t+1} = w_t + \eta\,\kappa_t\,(x_t - \hat\lambda_t \hat w_t), \qquad
    \hat w_t = \frac{w_t}{\|w_t\|},\ \hat\lambda_t = \langle \hat w_t, x_t\rangle,\
    \kappa_t = (y_t - f(\hat\lambda_t))\,f'(\hat\lambda_t),

(``online_sgd(..., projected=False)``). Its overlap :math:`m_t = \langle w_t, w_*\rangle` moves
by :math:`\eta g_t`, :math:`g_t = \kappa_t\langle w_*, x_t - \hat\lambda_t\hat w_t\rangle`, whose
conditional mean is :math:`\bar g_t = (1 - \mu_t^2)\psi'(\mu_t)` at the cosine
:math:`\mu_t = m_t/\|w_t\|`. Hence the decomposition

.. math::

    m_t = m_0 + D_t + M_t, \qquad D_t = \eta\sum_{s<t}\bar g_s, \qquad
    M_t = \eta\sum_{s<t}(g_s - \bar g_s),

with :math:`M_t` a martingale. :func:`decompose` computes every term on simulated runs of the
exact two-dimensional chain (cosine and norm; see ``DESIGN.md``), which has the law of the
:math:`d`-dimensional algorithm at a cost independent of :math:`d`. The other functions are the
proof's inequalities, each next to the quantity it bounds: Doob's maximal inequality
(:func:`martingale_tail`), Gaussian hypercontractivity (:func:`hypercontractivity_check`,
:func:`increment_norm_ratio`), the discrete Bihari--LaSalle bound
(:func:`bihari_lasalle_bound`) and the admissible region of the conditions (A1), (A2)
(:func:`admissible_region`, :func:`region_position`).
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import product

import numpy as np
from numpy.polynomial import hermite_e
from numpy.typing import ArrayLike
from scipy.special import erfc

from . import _decomposition_kernels as _dk
from ._kernels import LINK_CODES, SERIES
from ._validation import check_int, check_link, check_overlap, check_real, check_seed

__all__ = [
    "Decomposition", "decompose", "increment_moments", "norm_growth_prediction",
    "median_interval", "quantile_interval", "maximum_quantiles", "stored_point",
    "MartingaleTail", "martingale_tail", "brownian_maximum_tail",
    "gaussian_norm", "HypercontractivityCheck", "hypercontractivity_check", "increment_norm_ratio",
    "bihari_lasalle_bound", "comparison_sequence", "comparison_flow",
    "AdmissibleRegion", "admissible_region", "region_position", "proof_constants",
    "PointDiagnostics", "diagnose_point", "NormGrowth", "norm_growth", "BihariLasalleCurves",
    "bihari_lasalle_curves", "theorem_point", "centred_increments", "notes_form_failures", "RECORD_LIMIT_BYTES",
]

RECORD_LIMIT_BYTES = 1 << 30
"""Largest record (six arrays of ``runs x records`` doubles) :func:`decompose` agrees to allocate."""
_ROWS = 6


def _frozen(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _series(link: object) -> tuple[np.ndarray, np.ndarray]:
    """Normalized coefficients ``a_j`` and the coefficients of :math:`\\psi'(\\mu) = \\sum_j j a_j^2 \\mu^{j-1}`."""
    if link.kind != "hermite_series":
        raise ValueError(
            f"link {link.name!r} of kind {link.kind!r} is not a Hermite series: the decomposition needs "
            "psi' in closed form; expand it with Link.from_hermite_series"
        )
    a = np.ascontiguousarray(link.normalized_coefficients, dtype=float)
    slope = np.arange(1, a.size) * a[1:] ** 2 if a.size > 1 else np.zeros(1)
    return a, np.ascontiguousarray(slope if slope.size else np.zeros(1))


# --------------------------------------------------------------------------- the decomposition on runs


@dataclass(frozen=True, eq=False)
class Decomposition:
    r"""Runs of the unprojected update with every term of :math:`m_t = m_0 + D_t + M_t`.

    Arrays of shape ``(runs, len(steps))`` hold values at the recorded steps.

    Attributes
    ----------
    link, d, eta, m0, seed
        The parameters (``m0`` is ``None`` for a uniform start).
    steps : numpy.ndarray
        Recorded steps ``0, record_every, ...``.
    horizon : int
        Number of steps :math:`T`.
    overlap : numpy.ndarray
        :math:`m_t = \langle w_t, w_*\rangle`, from the chain (:math:`\|w_t\|\mu_t`).
    norm : numpy.ndarray
        :math:`\|w_t\|`.
    drift, martingale : numpy.ndarray
        :math:`D_t` and :math:`M_t`.
    increment, mean_increment : numpy.ndarray
        :math:`g_t` and :math:`\bar g_t` of the step from ``t`` (``nan`` where no step follows).
    start : numpy.ndarray
        :math:`m_0` per run.
    max_martingale : numpy.ndarray
        :math:`\max_{t \le T}|M_t|` per run, over *every* step (not only the recorded ones).
    escape_step : numpy.ndarray
        First step at which the cosine :math:`\mu_t` (its absolute value for an even link)
        reaches ``level``; ``nan`` if never.
    level : float
    stopped : bool
        Whether runs were stopped at escape (later records then hold the state at escape).
    max_residual : float
        :math:`\max_{r,t}|m_t - m_0 - D_t - M_t|` over every step of every run (rounding only).
    """

    link: object
    d: int
    eta: float
    m0: float | None
    seed: int
    steps: np.ndarray
    horizon: int
    overlap: np.ndarray
    norm: np.ndarray
    drift: np.ndarray
    martingale: np.ndarray
    increment: np.ndarray
    mean_increment: np.ndarray
    start: np.ndarray
    max_martingale: np.ndarray
    escape_step: np.ndarray
    level: float
    stopped: bool
    max_residual: float

    @property
    def runs(self) -> int:
        """Number of runs."""
        return self.overlap.shape[0]

    @property
    def cosine(self) -> np.ndarray:
        r""":math:`\mu_t = m_t/\|w_t\|`."""
        return self.overlap / self.norm

    @property
    def residual(self) -> np.ndarray:
        r""":math:`m_t - (m_0 + D_t + M_t)` at the recorded steps."""
        return self.overlap - (self.start[:, None] + self.drift + self.martingale)

    @property
    def escaped_fraction(self) -> float:
        """Fraction of runs whose cosine reached ``level`` by the horizon."""
        return float(np.mean(np.isfinite(self.escape_step)))


def decompose(
    link: object,
    d: int,
    eta: float,
    steps: int,
    *,
    runs: int = 1,
    m0: float | None = None,
    seed: int | None = None,
    record_every: int = 1,
    level: float = 0.5,
    stop_at_escape: bool = False,
    threads: int | None = None,
    _first_run: int = 0,
) -> Decomposition:
    r"""Simulate the unprojected update and record :math:`m_t`, :math:`\|w_t\|`, :math:`D_t`, :math:`M_t`, :math:`g_t`, :math:`\bar g_t`.

    One step, in the chain's scalars (:math:`\hat\lambda, \beta \sim N(0,1)`,
    :math:`\|z\|^2 \sim \chi^2_{d-2}`, :math:`s = \sqrt{1-\mu^2}`):

    .. math::

        g = \kappa s\beta,\quad \bar g = (1-\mu^2)\psi'(\mu),\quad
        m' = m + \eta g,\quad \|w'\|^2 = \|w\|^2 + \eta^2\kappa^2(\beta^2 + \|z\|^2).

    Parameters
    ----------
    link : Link
        A Hermite-series link (``Link.hermite(k)``, ``Link.from_hermite_series``).
    d : int
        Dimension, ``>= 3``.
    eta : float
        Step size, positive.
    steps : int
        Horizon :math:`T \ge 0`.
    runs : int, default 1
    m0 : float or None
        Start overlap in ``[-1, 1]``; ``None`` draws :math:`w_0` uniformly on the sphere.
    seed : int or None
        Root seed; run ``r`` uses child ``r`` of ``SeedSequence(seed)``.
    record_every : int, default 1
        Record every this many steps (``1`` records every increment). A record larger than
        :data:`RECORD_LIMIT_BYTES` is refused with the smallest ``record_every`` that fits.
    level : float, default 0.5
        Escape level of the cosine.
    stop_at_escape : bool, default False
        End each run at escape (for escape statistics).
    threads : int or None
        Worker threads (default: the usable cores); the result does not depend on it.

    Returns
    -------
    Decomposition

    Raises
    ------
    ValueError, TypeError
        For invalid arguments or a link that is not a Hermite series.
    FloatingPointError
        If a run stops being finite.
    """
    check_link(link)
    coef, slope = _series(link)
    d = check_int("d", d, 3)
    eta = check_real("eta", eta, positive=True)
    steps = check_int("steps", steps, 0)
    runs = check_int("runs", runs, 1)
    if m0 is not None:
        m0 = check_overlap("m0", m0)
    seed = check_seed(seed)
    record_every = check_int("record_every", record_every, 1)
    level = check_real("level", level)
    if not isinstance(stop_at_escape, (bool, np.bool_)):
        raise TypeError(f"stop_at_escape must be a bool, got {stop_at_escape!r}")
    threads = _cores() if threads is None else check_int("threads", threads, 1)
    n_rec = steps // record_every + 1
    size = _ROWS * 8 * runs * n_rec
    if size > RECORD_LIMIT_BYTES:
        need = math.ceil(steps * runs * _ROWS * 8 / RECORD_LIMIT_BYTES)
        raise ValueError(
            f"record_every={record_every} would record {size / 2**30:.1f} GiB ({runs} runs x {n_rec} records x "
            f"{_ROWS} arrays); the limit is 1 GiB: raise record_every to at least {need}"
        )
    root = np.random.SeedSequence(seed)
    # run r draws from child r of the root, also when only runs _first_run.. are computed
    children = root.spawn(runs) if _first_run == 0 else [
        np.random.SeedSequence(root.entropy, spawn_key=(r,)) for r in range(_first_run, _first_run + runs)]
    gens = [np.random.default_rng(s) for s in children]
    half = 0.5 * (d - 1)
    starts = np.array([2.0 * g.beta(half, half) - 1.0 if m0 is None else m0 for g in gens])
    out = np.empty((runs, _ROWS, n_rec))
    kind = LINK_CODES["hermite_series"]
    assert kind == SERIES

    def one(r: int) -> tuple[int, int, float, int, float]:
        return _dk.decomposition_chain(gens[r], kind, coef, slope, d, eta, steps, float(starts[r]), record_every,
                                       level, bool(stop_at_escape), link.is_even, out[r])

    if threads == 1 or runs == 1:
        status = [one(r) for r in range(runs)]
    else:
        with ThreadPoolExecutor(max_workers=min(threads, runs)) as pool:
            status = list(pool.map(one, range(runs)))
    for r, (code, t, _, _, _) in enumerate(status):
        if code == _dk.DIVERGED:
            raise FloatingPointError(
                f"the unprojected update diverged: run {r} stopped being finite at step {t} "
                f"(link={link.name!r}, d={d}, eta={eta!r}); lower eta"
            )
    escape = np.array([np.nan if s[3] < 0 else float(s[3]) for s in status])
    return Decomposition(
        link=link, d=d, eta=eta, m0=m0, seed=int(root.entropy),
        steps=_frozen(np.arange(n_rec, dtype=np.int64) * record_every), horizon=steps,
        overlap=_frozen(out[:, 0]), norm=_frozen(out[:, 1]), drift=_frozen(out[:, 2]),
        martingale=_frozen(out[:, 3]), increment=_frozen(out[:, 4]), mean_increment=_frozen(out[:, 5]),
        start=_frozen(starts), max_martingale=_frozen(np.array([s[2] for s in status])),
        escape_step=_frozen(escape), level=level, stopped=bool(stop_at_escape),
        max_residual=float(max(s[4] for s in status)),
    )


# --------------------------------------------------------------------------- moments of one increment


def _gauss_rule(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of :math:`\\mathbb{E} h(G)`, :math:`G \\sim N(0,1)` (probabilists' Gauss--Hermite)."""
    x, w = hermite_e.hermegauss(n)
    return x, w / math.sqrt(2.0 * math.pi)


def _increment_grid(link: object, mu: float, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    r""":math:`\kappa`, :math:`g`, :math:`\beta` and weights on the tensor rule in :math:`(\hat\lambda, \beta)`."""
    x, w = _gauss_rule(n)
    lam, beta = np.meshgrid(x, x, indexing="ij")
    weight = np.outer(w, w)
    s = math.sqrt(max(0.0, 1.0 - mu * mu))
    kappa = (link.f(mu * lam + s * beta) - link.f(lam)) * link.df(lam)
    return kappa, kappa * s * beta, beta, weight


def increment_moments(link: object, mu: float = 0.0, *, nodes: int = 80) -> dict[str, float]:
    r"""Moments of one step at cosine ``mu``, by Gauss--Hermite quadrature in :math:`(\hat\lambda, \beta)`.

    Returns ``kappa2`` :math:`= \mathbb{E}\kappa^2`, ``kappa2_beta2`` :math:`= \mathbb{E}\kappa^2\beta^2`,
    ``mean`` :math:`= \mathbb{E} g = \bar g`, and ``variance`` :math:`= \operatorname{Var} g`. Exact for a
    polynomial link of degree :math:`k` once ``nodes > 2k``.
    """
    check_link(link)
    _series(link)
    mu = check_overlap("mu", mu)
    nodes = check_int("nodes", nodes, 2)
    kappa, g, beta, weight = _increment_grid(link, mu, nodes)
    mean = float(np.sum(weight * g))
    return {
        "kappa2": float(np.sum(weight * kappa**2)),
        "kappa2_beta2": float(np.sum(weight * kappa**2 * beta**2)),
        "mean": mean,
        "variance": float(np.sum(weight * (g - mean) ** 2)),
    }


def norm_growth_prediction(link: object, d: int, eta: float, t: ArrayLike) -> np.ndarray:
    r""":math:`\mathbb{E}\|w_t\|^2 \approx 1 + \eta^2 t\,(\mathbb{E}[\kappa^2](d-2) + \mathbb{E}[\kappa^2\beta^2])` near the equator.

    Exact while the cosine stays at 0: :math:`\|w_{t+1}\|^2 = \|w_t\|^2 + \eta^2\kappa_t^2\|x_t - \hat\lambda_t\hat w_t\|^2`
    and :math:`\|x - \hat\lambda\hat w\|^2 = \beta^2 + \|z\|^2`. Roughly :math:`1 + \eta^2 t\,\mathbb{E}[\kappa^2]\,d`.
    """
    d = check_int("d", d, 3)
    eta = check_real("eta", eta, positive=True)
    moments = increment_moments(link, 0.0)
    per_step = moments["kappa2"] * (d - 2) + moments["kappa2_beta2"]
    return 1.0 + eta**2 * np.asarray(t, dtype=float) * per_step


# --------------------------------------------------------------------------- Doob's maximal inequality


def brownian_maximum_tail(x: ArrayLike, terms: int = 200) -> np.ndarray:
    r""":math:`\mathbb{P}(\max_{s \le 1}|B_s| \ge x)` for a standard Brownian motion :math:`B`.

    .. math::

        \mathbb{P}(\max_{s\le1}|B_s| < x) = \frac4\pi\sum_{n\ge0}\frac{(-1)^n}{2n+1}
        \exp\Big(-\frac{\pi^2(2n+1)^2}{8x^2}\Big),

    and for :math:`x \ge 1.5` the equivalent image series
    :math:`\sum_{n\ge1}(-1)^{n+1}\,2\operatorname{erfc}\!\big((2n-1)x/\sqrt2\big)` (alternating signs),
    which is accurate in the far tail. The martingale's prediction in the moderate-deviation
    range: :math:`\mathbb{P}(\max_{t\le T}|M_t| \ge \lambda) \approx` this at :math:`x = \lambda/\sigma_T`.
    """
    x = np.asarray(x, dtype=float)
    if np.any(~np.isfinite(x)) or np.any(x <= 0):
        raise ValueError(f"x must hold positive finite numbers, got {x!r}")
    out = np.empty_like(x)
    small = x < 1.5
    n = np.arange(terms)[:, None]
    xs = x[small][None, :]
    odd = 2 * n + 1
    inside = 4 / np.pi * np.sum((-1.0) ** n / odd * np.exp(-(np.pi**2) * odd**2 / (8 * xs**2)), axis=0)
    out[small] = 1.0 - inside
    j = np.arange(1, 30)[:, None]
    xl = x[~small][None, :]
    out[~small] = np.sum((-1.0) ** (j + 1) * 2.0 * erfc((2 * j - 1) * xl / math.sqrt(2.0)), axis=0)
    return np.clip(out, 0.0, 1.0)


@dataclass(frozen=True)
class MartingaleTail:
    r"""The empirical tail of :math:`\max_{t\le T}|M_t|` against Doob's bounds.

    Attributes
    ----------
    levels : numpy.ndarray
        :math:`\lambda`.
    sigma : float
        :math:`\sigma_T = (\widehat{\mathbb{E}} M_T^2)^{1/2}` over the runs.
    empirical, standard_error : numpy.ndarray
        :math:`\widehat{\mathbb{P}}(\max_t|M_t| \ge \lambda)` and its standard error.
    p : tuple of float
        Moments used.
    doob : numpy.ndarray
        Shape ``(len(p), len(levels))``: :math:`\min(1, \widehat{\mathbb{E}}|M_T|^p/\lambda^p)`.
    doob_error : numpy.ndarray
        Standard errors of those estimated bounds.
    best : numpy.ndarray
        The smallest of the bounds at each level.
    brownian : numpy.ndarray
        :math:`\mathbb{P}(\max_{s\le1}|B_s| \ge \lambda/\sigma_T)` (:func:`brownian_maximum_tail`).
    maxima : numpy.ndarray
        :math:`\max_{t\le T}|M_t|` per run.
    """

    levels: np.ndarray
    sigma: float
    empirical: np.ndarray
    standard_error: np.ndarray
    p: tuple[float, ...]
    doob: np.ndarray
    doob_error: np.ndarray
    best: np.ndarray
    brownian: np.ndarray
    maxima: np.ndarray

    @property
    def runs(self) -> int:
        """Number of runs."""
        return self.maxima.size

    def quantile(self, delta: float) -> dict[str, float]:
        r"""The level exceeded with probability ``delta``: empirical, Doob with :math:`p = 2`, Brownian."""
        delta = check_real("delta", delta, positive=True)
        return {"empirical": float(np.quantile(self.maxima, 1.0 - delta)),
                "doob2": self.sigma / math.sqrt(delta),
                "brownian": float(self.sigma * _brownian_quantile(delta))}


def _brownian_quantile(delta: float) -> float:
    lo, hi = 1e-3, 50.0
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        if brownian_maximum_tail(np.array([mid]))[0] > delta:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def martingale_tail(decomposition: Decomposition, levels: ArrayLike, p: tuple[float, ...] = (2.0, 4.0, 6.0), *,
                    relative: bool = False) -> MartingaleTail:
    r"""Doob's maximal inequality on runs: :math:`\mathbb{P}(\max_{t\le T}|M_t| \ge \lambda) \le \mathbb{E}|M_T|^p/\lambda^p`.

    The moments :math:`\mathbb{E}|M_T|^p` are estimated from the same runs (final values), and
    the maxima are over every step. ``levels`` are in the units of :math:`M`, or of
    :math:`\sigma_T = (\widehat{\mathbb{E}}M_T^2)^{1/2}` with ``relative=True``.
    """
    if not isinstance(decomposition, Decomposition):
        raise TypeError(f"decomposition must be a Decomposition, got {type(decomposition).__name__}")
    if decomposition.stopped:
        raise ValueError("decomposition must not be stopped at escape: Doob's inequality is about the fixed horizon T")
    levels = np.asarray(levels, dtype=float)
    if levels.ndim != 1 or levels.size == 0 or np.any(~np.isfinite(levels)) or np.any(levels <= 0):
        raise ValueError(f"levels must be a non-empty 1-D array of positive numbers, got {levels!r}")
    p = tuple(float(check_real("p", q, positive=True)) for q in p)
    if any(q < 1 for q in p):
        raise ValueError(f"p must hold moments >= 1, got {p!r}")
    final = np.abs(decomposition.martingale[:, -1])
    if relative:
        levels = levels * float(np.sqrt(np.mean(final**2)))
    peak = decomposition.max_martingale
    n = peak.size
    hit = peak[None, :] >= levels[:, None]
    empirical = hit.mean(axis=1)
    doob = np.empty((len(p), levels.size))
    doob_error = np.empty_like(doob)
    for i, q in enumerate(p):
        moment = final**q
        doob[i] = np.minimum(1.0, moment.mean() / levels**q)
        doob_error[i] = moment.std(ddof=1) / math.sqrt(n) / levels**q
    sigma = float(np.sqrt(np.mean(final**2)))
    return MartingaleTail(
        levels=levels, sigma=sigma, empirical=empirical,
        standard_error=np.sqrt(empirical * (1 - empirical) / n), p=p, doob=doob, doob_error=doob_error,
        best=doob.min(axis=0), brownian=brownian_maximum_tail(levels / sigma), maxima=_frozen(peak.copy()),
    )


# --------------------------------------------------------------------------- hypercontractivity


def gaussian_norm(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    r""":math:`\|p\|_q = (\mathbb{E}|p|^q)^{1/q}` from values on a quadrature rule with ``weights``."""
    return float(np.sum(weights * np.abs(values) ** q) ** (1.0 / q))


@dataclass(frozen=True)
class HypercontractivityCheck:
    r"""Ratios :math:`\|p\|_q / ((q-1)^{j/2}\|p\|_2)` for polynomials :math:`p` of degree :math:`j` of Gaussians.

    Attributes
    ----------
    degrees : numpy.ndarray
        :math:`j = 0, \dots`.
    q : tuple of float
    hermite : numpy.ndarray
        Shape ``(len(q), len(degrees))``: the ratio for :math:`He_j` (one variable).
    random_max : numpy.ndarray
        Same shape: the largest ratio over ``count`` random polynomials of degree exactly
        :math:`j` in ``variables`` Gaussian variables.
    variables, count, seed : int
    """

    degrees: np.ndarray
    q: tuple[float, ...]
    hermite: np.ndarray
    random_max: np.ndarray
    variables: int
    count: int
    seed: int

    @property
    def holds(self) -> bool:
        """Whether every ratio is at most 1 (up to ``1e-9`` of quadrature rounding)."""
        return bool(np.all(self.hermite <= 1 + 1e-9) and np.all(self.random_max <= 1 + 1e-9))


def _multi_indices(degree: int, variables: int) -> list[tuple[int, ...]]:
    return [a for a in product(range(degree + 1), repeat=variables) if sum(a) <= degree]


def hypercontractivity_check(
    max_degree: int = 6, q: tuple[float, ...] = (3.0, 4.0, 6.0), *, variables: int = 2, count: int = 50,
    seed: int = 0, nodes: int = 100,
) -> HypercontractivityCheck:
    r"""Check :math:`\|p\|_q \le (q-1)^{j/2}\|p\|_2` (Nelson's hypercontractivity) for degree :math:`j \le` ``max_degree``.

    :math:`He_j` in one variable, and ``count`` random polynomials
    :math:`p = \sum_{|\alpha| \le j} c_\alpha \prod_i He_{\alpha_i}(G_i)/\sqrt{\alpha_i!}` with
    :math:`c_\alpha \sim N(0,1)` i.i.d. and at least one top-degree term, in ``variables``
    variables; norms by tensor Gauss--Hermite quadrature with ``nodes`` nodes per variable
    (exact for even ``q`` once ``nodes > q j / 2``).
    """
    max_degree = check_int("max_degree", max_degree, 0)
    variables = check_int("variables", variables, 1)
    count = check_int("count", count, 1)
    nodes = check_int("nodes", nodes, 2)
    q = tuple(float(check_real("q", x, positive=True)) for x in q)
    if any(x < 2 for x in q):
        raise ValueError(f"q must hold exponents >= 2, got {q!r}")
    if variables > 3:
        raise ValueError(f"variables must be 1, 2 or 3 (tensor quadrature), got {variables}")
    rng = np.random.default_rng(check_int("seed", seed, 0))
    x, w = _gauss_rule(nodes)
    basis = np.array([hermite_e.hermeval(x, np.eye(max_degree + 1)[j]) / math.sqrt(math.factorial(j))
                      for j in range(max_degree + 1)])
    grids = np.meshgrid(*([np.arange(nodes)] * variables), indexing="ij")
    weight = np.ones([nodes] * variables)
    for g in grids:
        weight = weight * w[g]
    degrees = np.arange(max_degree + 1)
    herm = np.empty((len(q), degrees.size))
    rand = np.empty_like(herm)
    for j in degrees:
        values = basis[j]
        for i, qq in enumerate(q):
            herm[i, j] = gaussian_norm(values, w, qq) / ((qq - 1) ** (j / 2) * gaussian_norm(values, w, 2.0))
        idx = _multi_indices(int(j), variables)
        terms = np.array([np.prod([basis[a_i][g] for a_i, g in zip(a, grids)], axis=0) for a in idx])
        top = np.array([sum(a) == j for a in idx])
        best = np.zeros(len(q))
        for _ in range(count):
            c = rng.standard_normal(len(idx))
            c[top] += np.sign(c[top]) * 0.5  # keeps the degree exactly j
            values = np.tensordot(c, terms, axes=1)
            two = gaussian_norm(values, weight, 2.0)
            for i, qq in enumerate(q):
                best[i] = max(best[i], gaussian_norm(values, weight, qq) / ((qq - 1) ** (j / 2) * two))
        rand[:, j] = best
    return HypercontractivityCheck(degrees=degrees, q=q, hermite=herm, random_max=rand, variables=variables,
                                   count=count, seed=seed)


def increment_norm_ratio(link: object, q: float, mu: float = 0.0, *, nodes: int = 120) -> float:
    r""":math:`\|g - \bar g\|_q / \|g - \bar g\|_2` for one step at cosine ``mu`` (quadrature in :math:`(\hat\lambda, \beta)`).

    For :math:`f = h_k` the increment :math:`g = (f(\mu\hat\lambda + s\beta) - f(\hat\lambda))f'(\hat\lambda)\,s\beta`
    is a polynomial of degree :math:`2k`, so hypercontractivity bounds this by :math:`(q-1)^{k}`.
    """
    check_link(link)
    _series(link)
    q = check_real("q", q, positive=True)
    mu = check_overlap("mu", mu)
    _, g, _, weight = _increment_grid(link, mu, check_int("nodes", nodes, 2))
    centred = g - np.sum(weight * g)
    return gaussian_norm(centred, weight, q) / gaussian_norm(centred, weight, 2.0)


# --------------------------------------------------------------------------- Bihari--LaSalle


def _check_bl(a0: object, a1: object, k: object) -> tuple[float, float, int]:
    a0 = check_real("a0", a0, positive=True)
    a1 = check_real("a1", a1, positive=True)
    k = check_int("k", k, 2)
    return a0, a1, k


def bihari_lasalle_bound(a0: float, a1: float, k: int, t: ArrayLike, *, notes_form: bool = False) -> np.ndarray:
    r"""The discrete Bihari--LaSalle lower bound on any :math:`u_t \ge a_0 + a_1\sum_{s<t}u_s^{k-1}`, :math:`u_s \ge 0`.

    .. math::

        k = 2:\ u_t \ge a_0(1+a_1)^t; \qquad
        k > 2:\ u_t \ge \min\Big(1, \big(a_0^{-(k-2)} - \tfrac{(k-2)\,a_1 t}{(1+a_1)^{k-2}}\big)^{-1/(k-2)}\Big),

    read as 1 once the bracket is :math:`\le 1`. ``notes_form=True`` returns the notes' version,
    with :math:`(1 + a_1)` in place of :math:`(1+a_1)^{k-2}` (right for :math:`k = 3` only).
    """
    a0, a1, k = _check_bl(a0, a1, k)
    t = np.asarray(t, dtype=float)
    if np.any(t < 0) or np.any(~np.isfinite(t)):
        raise ValueError(f"t must hold finite times >= 0, got {t!r}")
    if k == 2:
        return a0 * (1.0 + a1) ** t
    p = k - 2
    denominator = (1.0 + a1) if notes_form else (1.0 + a1) ** p
    bracket = a0 ** (-p) - p * a1 * t / denominator
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(bracket > 1.0, bracket ** (-1.0 / p), 1.0)
    return np.minimum(1.0, value)


def comparison_sequence(a0: float, a1: float, k: int, steps: int) -> np.ndarray:
    r"""The smallest sequence of the lemma's hypothesis: :math:`u_t = a_0 + a_1\sum_{s<t}u_s^{k-1}`, ``t = 0..steps``."""
    a0, a1, k = _check_bl(a0, a1, k)
    steps = check_int("steps", steps, 0)
    u = np.empty(steps + 1)
    u[0] = a0
    total = 0.0
    with np.errstate(over="ignore"):  # past the blow-up the sequence is inf, as the flow is
        for t in range(steps):
            total += u[t] ** (k - 1)
            u[t + 1] = a0 + a1 * total
    return u


def comparison_flow(a0: float, a1: float, k: int, t: ArrayLike) -> np.ndarray:
    r"""The continuous Bihari--LaSalle comparison :math:`u' = a_1 u^{k-1}`, :math:`u(0) = a_0`.

    :math:`u(t) = a_0 e^{a_1 t}` for :math:`k = 2`, :math:`(a_0^{-(k-2)} - (k-2)a_1 t)^{-1/(k-2)}`
    for :math:`k > 2` (``inf`` from its blow-up time :math:`a_0^{-(k-2)}/((k-2)a_1)` on).
    """
    a0, a1, k = _check_bl(a0, a1, k)
    t = np.asarray(t, dtype=float)
    if k == 2:
        return a0 * np.exp(a1 * t)
    p = k - 2
    bracket = a0 ** (-p) - p * a1 * t
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(bracket > 0, bracket ** (-1.0 / p), np.inf)


# --------------------------------------------------------------------------- (A1), (A2) and the admissible region


def proof_constants(link: object, c0: float = 1.0, level: float = 0.5) -> tuple[float, float]:
    r"""The constants :math:`(A, K)` of (A1) :math:`\eta\sqrt{Td} \le A` and (A2) :math:`\eta T \ge K\,d^{k/2-1}` in the proof.

    From a start :math:`m_0 = c_0/\sqrt d` with :math:`\sigma_g^2 = \operatorname{Var} g` at the equator:
    Doob with :math:`p = 2` gives :math:`\mathbb{P}(\max_{t\le T}|M_t| \ge m_0/2) \le 4\eta^2 T\sigma_g^2 d/c_0^2
    = (\eta\sqrt{Td}/A)^2` with :math:`A = c_0/(2\sigma_g)`. The drift bound
    :math:`\bar g \ge k(1-\ell^2)\mu^{k-1}` below the level :math:`\ell`, fed to the Bihari--LaSalle
    lemma from :math:`a_0 = m_0/2`, escapes once
    :math:`\eta T \ge K d^{k/2-1}` with :math:`K = (2/c_0)^{k-2}/(k(k-2)(1-\ell^2))` (leading order), and for
    :math:`k = 2` once :math:`\eta T \ge K\ln d`, :math:`K = 1/(4(1-\ell^2))`. ``k`` is the information exponent.
    """
    check_link(link)
    _series(link)
    c0 = check_real("c0", c0, positive=True)
    level = check_real("level", level, positive=True)
    if level >= 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    k = link.information_exponent
    if k < 2:
        raise ValueError(f"the link must have information exponent k >= 2 for (A2), got k = {k}")
    sigma = math.sqrt(increment_moments(link, 0.0)["variance"])
    b = 1.0 / (4.0 * (1.0 - level**2)) if k == 2 else (2.0 / c0) ** (k - 2) / (k * (k - 2) * (1.0 - level**2))
    return c0 / (2.0 * sigma), b


@dataclass(frozen=True)
class AdmissibleRegion:
    r"""The set of :math:`(\eta, T)` with (A1) :math:`\eta\sqrt{T d} \le A` and (A2) :math:`\eta T \ge K\,d^{k/2-1}` (:math:`K\ln d` for :math:`k = 2`).

    Attributes
    ----------
    d, k : int
    a1_constant, a2_constant : float
        :math:`A` and :math:`K` (1 and 1 for the bare scaling; :func:`proof_constants` for the proof's).
    eta : numpy.ndarray
        Step sizes of the grid.
    t_a1 : numpy.ndarray
        Largest horizon allowed by (A1): :math:`A^2/(\eta^2 d)`.
    t_a2 : numpy.ndarray
        Smallest horizon required by (A2): :math:`K d^{k/2-1}/\eta` (:math:`K\ln d/\eta` for :math:`k = 2`).
    corner : tuple of float
        :math:`(\eta_c, T_c)` where the lines meet: :math:`(A^2 d^{-k/2}/K, K^2 d^{k-1}/A^2)` for :math:`k > 2`,
        :math:`(A^2/(K d\ln d), K^2 d(\ln d)^2/A^2)` for :math:`k = 2`.
    """

    d: int
    k: int
    a1_constant: float
    a2_constant: float
    eta: np.ndarray
    t_a1: np.ndarray
    t_a2: np.ndarray
    corner: tuple[float, float]


def _a2_scale(d: int, k: int) -> float:
    return math.log(d) if k == 2 else d ** (k / 2 - 1)


def admissible_region(d: int, k: int, eta: ArrayLike | None = None, *, a1_constant: float = 1.0,
                      a2_constant: float = 1.0) -> AdmissibleRegion:
    r"""The lines of (A1) and (A2) in the :math:`(\eta, T)` plane.

    (A1) :math:`\eta\sqrt T \le A/\sqrt d` keeps the martingale below half the start and the norm
    near 1; (A2) :math:`\eta T \ge K d^{k/2-1}` gives the drift time to act. With unit constants
    they meet at :math:`\eta_c = d^{-k/2}`, :math:`T_c = d^{k-1}`; the region is non-empty only for
    :math:`\eta \le \eta_c`. For :math:`k = 2` (A2) reads :math:`\eta T \ge K\ln d` and
    :math:`T_c = d(\ln d)^2`: taken literally the two conditions ask for :math:`d(\ln d)^2` steps.
    """
    d = check_int("d", d, 3)
    k = check_int("k", k, 2)
    a = check_real("a1_constant", a1_constant, positive=True)
    b = check_real("a2_constant", a2_constant, positive=True)
    scale = _a2_scale(d, k)
    eta_c = a * a / (b * scale * d)
    t_c = b * scale / eta_c
    if eta is None:
        eta = eta_c * np.logspace(-2, 1.5, 200)
    eta = np.asarray(eta, dtype=float)
    if eta.ndim != 1 or np.any(eta <= 0) or np.any(~np.isfinite(eta)):
        raise ValueError(f"eta must be a 1-D array of positive finite step sizes, got {eta!r}")
    return AdmissibleRegion(d=d, k=k, a1_constant=a, a2_constant=b, eta=eta, t_a1=a * a / (eta**2 * d),
                            t_a2=b * scale / eta, corner=(eta_c, t_c))


def region_position(d: int, k: int, eta: float, steps: float, *, a1_constant: float = 1.0,
                    a2_constant: float = 1.0) -> dict[str, float | bool]:
    r"""Where :math:`(\eta, T)` sits: ``a1`` :math:`= \eta\sqrt{T d}/A` ((A1) holds iff ``<= 1``),
    ``a2`` :math:`= \eta T/(K d^{k/2-1})` ((A2) holds iff ``>= 1``; :math:`K\ln d` for :math:`k = 2`), ``inside``."""
    d = check_int("d", d, 3)
    k = check_int("k", k, 2)
    eta = check_real("eta", eta, positive=True)
    steps = check_real("steps", steps, positive=True)
    a = check_real("a1_constant", a1_constant, positive=True)
    b = check_real("a2_constant", a2_constant, positive=True)
    a1 = eta * math.sqrt(steps * d) / a
    a2 = eta * steps / (b * _a2_scale(d, k))
    return {"a1": a1, "a2": a2, "inside": bool(a1 <= 1.0 and a2 >= 1.0)}


# --------------------------------------------------------------------------- runs placed in the region


@dataclass(frozen=True)
class PointDiagnostics:
    r"""What happens to runs at one :math:`(\eta, T)`: which bound of the proof holds.

    Attributes
    ----------
    eta, steps : float
    position : dict
        :func:`region_position` with the proof's constants.
    martingale_fails : float
        Fraction of runs with :math:`\max_{t\le T}|M_t| > m_0/2` (the martingale bound fails).
    doob_bound : float
        Doob's bound on that fraction with :math:`p = 2`, :math:`\min(1, 4\widehat{\mathbb{E}}M_T^2/m_0^2)`.
    norm : float
        Median :math:`\|w_T\|`.
    drift_over_start : float
        Median :math:`D_T/m_0`.
    escaped : float
        Fraction of runs whose cosine reached the level by :math:`T`.
    runs : int
    """

    eta: float
    steps: int
    position: dict
    martingale_fails: float
    doob_bound: float
    norm: float
    drift_over_start: float
    escaped: float
    runs: int


def diagnose_point(link: object, d: int, eta: float, steps: int, *, c0: float = 1.0, runs: int = 32,
                   seed: int = 0, level: float = 0.5) -> PointDiagnostics:
    r"""Run :func:`decompose` from :math:`m_0 = c_0/\sqrt d` and report the proof's three bounds at :math:`(\eta, T)`."""
    c0 = check_real("c0", c0, positive=True)
    m0 = c0 / math.sqrt(check_int("d", d, 3))
    if m0 > 1:
        raise ValueError(f"c0 must be at most sqrt(d) = {math.sqrt(d):g}, got {c0!r}")
    dec = decompose(link, d, eta, steps, runs=runs, m0=m0, seed=seed, record_every=max(1, steps // 100),
                    level=level)
    a, b = proof_constants(link, c0, level)
    return PointDiagnostics(
        eta=float(eta), steps=int(steps),
        position=region_position(d, link.information_exponent, eta, steps, a1_constant=a, a2_constant=b),
        martingale_fails=float(np.mean(dec.max_martingale > m0 / 2)),
        doob_bound=float(min(1.0, np.mean(dec.martingale[:, -1] ** 2) / (m0 / 2) ** 2)),
        norm=float(np.median(dec.norm[:, -1])), drift_over_start=float(np.median(dec.drift[:, -1]) / m0),
        escaped=dec.escaped_fraction, runs=runs,
    )


# --------------------------------------------------------------------------- results drawn by the lecture


@dataclass(frozen=True)
class NormGrowth:
    r"""(A1) seen twice: :math:`\|w_t\|^2 - 1` and :math:`\sqrt d\,\max_{s\le t}|M_s|` against :math:`\eta\sqrt{td}`.

    Attributes
    ----------
    link, d : the parameters
    eta : numpy.ndarray
        Step sizes, one row of the arrays per step size.
    scale : list of numpy.ndarray
        :math:`\eta\sqrt{td}` at the recorded steps.
    norm_excess : list of numpy.ndarray
        Mean of :math:`\|w_t\|^2 - 1` over the runs.
    predicted_excess : list of numpy.ndarray
        :func:`norm_growth_prediction` minus 1.
    martingale : list of numpy.ndarray
        90 % quantile over the runs of :math:`\sqrt d\max_{s\le t}|M_s|` (maximum over recorded steps).
    runs : int
    """

    link: object
    d: int
    eta: np.ndarray
    scale: list
    norm_excess: list
    predicted_excess: list
    martingale: list
    runs: int


def norm_growth(link: object, d: int, eta: ArrayLike, *, scale_max: float = 3.0, runs: int = 100, seed: int = 0,
                records: int = 200) -> NormGrowth:
    r"""Runs from the equator (:math:`m_0 = 0`) for each step size up to :math:`\eta\sqrt{Td} =` ``scale_max``."""
    eta = np.asarray(eta, dtype=float)
    scale_max = check_real("scale_max", scale_max, positive=True)
    records = check_int("records", records, 1)
    scale, excess, predicted, mart = [], [], [], []
    for i, e in enumerate(eta):
        steps = max(1, int(round(scale_max**2 / (e * e * d))))
        dec = decompose(link, d, float(e), steps, runs=runs, m0=0.0, seed=seed + i,
                        record_every=max(1, steps // records))
        t = dec.steps.astype(float)
        scale.append(e * np.sqrt(t * d))
        excess.append(np.mean(dec.norm**2, axis=0) - 1.0)
        predicted.append(norm_growth_prediction(link, d, float(e), t) - 1.0)
        running = np.maximum.accumulate(np.abs(dec.martingale), axis=1)
        mart.append(math.sqrt(d) * np.quantile(running, 0.9, axis=0))
    return NormGrowth(link=link, d=d, eta=eta, scale=scale, norm_excess=excess, predicted_excess=predicted,
                      martingale=mart, runs=runs)


@dataclass(frozen=True)
class BihariLasalleCurves:
    r"""The lemma's sequence, its corrected bound, the notes' bound and the flow, for one :math:`(a_0, a_1, k)`.

    Attributes
    ----------
    a0, a1, k
    t : numpy.ndarray
        ``0..steps``.
    sequence : numpy.ndarray
        :func:`comparison_sequence` (the smallest sequence of the hypothesis).
    bound, notes_bound : numpy.ndarray
        :func:`bihari_lasalle_bound` in the corrected and the notes' form.
    flow : numpy.ndarray
        :func:`comparison_flow`.
    """

    a0: float
    a1: float
    k: int
    t: np.ndarray
    sequence: np.ndarray
    bound: np.ndarray
    notes_bound: np.ndarray
    flow: np.ndarray


def bihari_lasalle_curves(a0: float, a1: float, k: int, steps: int) -> BihariLasalleCurves:
    """The four curves of the lemma on ``t = 0..steps``."""
    u = comparison_sequence(a0, a1, k, steps)
    t = np.arange(steps + 1, dtype=float)
    return BihariLasalleCurves(a0=float(a0), a1=float(a1), k=int(k), t=t, sequence=u,
                               bound=bihari_lasalle_bound(a0, a1, k, t),
                               notes_bound=bihari_lasalle_bound(a0, a1, k, t, notes_form=True),
                               flow=comparison_flow(a0, a1, k, t))


def theorem_point(d: int, k: int, eta_scale: float, time_scale: float) -> tuple[float, int]:
    r""":math:`\eta = c\,d^{-k/2}`, :math:`T = \tau d^{k-1}` (``eta_scale`` :math:`= c`, ``time_scale`` :math:`= \tau`); for
    :math:`k = 2`, :math:`\eta = c/d` and :math:`T = \tau\, d\ln d`."""
    d = check_int("d", d, 3)
    k = check_int("k", k, 2)
    c = check_real("eta_scale", eta_scale, positive=True)
    tau = check_real("time_scale", time_scale, positive=True)
    if k == 2:
        return c / d, max(1, int(round(tau * d * math.log(d))))
    return c * d ** (-k / 2), max(1, int(round(tau * d ** (k - 1))))


def centred_increments(dec: Decomposition) -> np.ndarray:
    r"""The recorded :math:`g_t - \bar g_t` of every run, flattened (steps where a step followed)."""
    _check_decomposition(dec)
    values = (dec.increment - dec.mean_increment).ravel()
    return values[np.isfinite(values)]


def _check_decomposition(dec: object) -> None:
    if not isinstance(dec, Decomposition):
        raise TypeError(f"dec must be a Decomposition, got {type(dec).__name__}")


def notes_form_failures(k: int, samples: int = 2000, *, steps: int = 200, seed: int = 0) -> dict[str, float]:
    r"""Fraction of random :math:`(a_0, a_1)` whose smallest sequence drops below each form of the bound.

    :math:`a_0 \sim U(0, 1)`, :math:`\log_{10} a_1 \sim U(-3, 0)`; the sequence
    :math:`u_t = a_0 + a_1\sum_{s<t}u_s^{k-1}` is compared with both bounds on ``t = 0..steps``
    (with a relative slack of ``1e-12`` for rounding). Returns ``corrected`` and ``notes``.
    """
    k = check_int("k", k, 2)
    samples = check_int("samples", samples, 1)
    steps = check_int("steps", steps, 1)
    rng = np.random.default_rng(check_int("seed", seed, 0))
    t = np.arange(steps + 1, dtype=float)
    fails = {"corrected": 0, "notes": 0}
    for _ in range(samples):
        a0 = float(rng.uniform(1e-3, 1.0))
        a1 = float(10.0 ** rng.uniform(-3.0, 0.0))
        u = comparison_sequence(a0, a1, k, steps)
        for name, notes in (("corrected", False), ("notes", True)):
            bound = bihari_lasalle_bound(a0, a1, k, t, notes_form=notes)
            fails[name] += bool(np.any(u < bound * (1.0 - 1e-12)))
    return {name: count / samples for name, count in fails.items()}


def maximum_quantiles(maxima: ArrayLike, final: ArrayLike, deltas: ArrayLike, *,
                      confidence: float = 0.95) -> dict[str, np.ndarray]:
    r"""Quantiles of :math:`\max_{t \le T}|M_t|` in units of :math:`\sigma_T`, with distribution-free intervals.

    :math:`\sigma_T = (\widehat{\mathbb{E}} M_T^2)^{1/2}` is the root mean square of :math:`M_T` (``final``), as in
    :func:`martingale_tail`. For each ``delta`` the
    level exceeded with probability ``delta`` (the empirical :math:`1 - \delta` quantile of ``maxima``),
    with the order-statistic interval of the binomial law (exact coverage at least ``confidence``),
    and the same level for the maximum of a Brownian motion with variance :math:`\sigma_T^2` at time 1.
    Returns arrays ``empirical``, ``low``, ``high``, ``brownian`` (all in units of :math:`\sigma_T`) and
    the scalar ``sigma``.
    """
    from scipy import stats

    x = np.sort(np.asarray(maxima, dtype=float))
    final = np.asarray(final, dtype=float)
    if x.ndim != 1 or x.size < 10 or final.shape != x.shape or not np.all(np.isfinite(x)):
        raise ValueError(f"maxima and final must be finite 1-D arrays of one length >= 10, got {x.shape}, {final.shape}")
    deltas = np.atleast_1d(np.asarray(deltas, dtype=float))
    if np.any((deltas <= 0) | (deltas >= 1)):
        raise ValueError(f"deltas must be in (0, 1), got {deltas!r}")
    confidence = check_real("confidence", confidence)
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    sigma = float(np.sqrt(np.mean(final**2)))
    if not sigma > 0:
        raise ValueError("final must not be identically zero (sigma_T = 0)")
    n, a = x.size, (1.0 - confidence) / 2
    out = {k: np.empty(deltas.size) for k in ("empirical", "low", "high", "brownian")}
    for i, delta in enumerate(deltas):
        q = 1.0 - delta
        lo = int(stats.binom.ppf(a, n, q))  # order statistics bracketing the q-quantile
        hi = int(stats.binom.ppf(1 - a, n, q)) + 1
        out["empirical"][i] = np.quantile(x, q) / sigma
        out["low"][i] = x[max(lo - 1, 0)] / sigma
        out["high"][i] = x[min(hi - 1, n - 1)] / sigma
        out["brownian"][i] = _brownian_quantile(float(delta))
    return {**out, "sigma": sigma}


def stored_point(cell: dict, arrays: dict, link: object, *, c0: float, level: float = 0.5) -> PointDiagnostics:
    r"""The :class:`PointDiagnostics` of one cell of the stored sweep ``proof-points`` (same fields as
    :func:`diagnose_point`, computed from the stored per-run arrays).

    ``cell`` holds ``d``, ``eta`` and ``steps``; ``arrays`` the per-run ``max_martingale``,
    ``final_martingale``, ``final_norm``, ``final_drift`` and ``escape`` (``nan`` if censored).
    """
    c0 = check_real("c0", c0, positive=True)
    missing = {"d", "eta", "steps"} - set(cell)
    if missing:
        raise ValueError(f"cell lacks {sorted(missing)}, got keys {sorted(cell)}")
    missing = {"max_martingale", "final_martingale", "final_norm", "final_drift", "escape"} - set(arrays)
    if missing:
        raise ValueError(f"arrays lack {sorted(missing)}, got keys {sorted(arrays)}")
    link = check_link(link)
    d, eta, steps = int(cell["d"]), float(cell["eta"]), int(cell["steps"])
    m0 = c0 / math.sqrt(d)
    a, b = proof_constants(link, c0, level)
    return PointDiagnostics(
        eta=eta, steps=steps,
        position=region_position(d, link.information_exponent, eta, steps, a1_constant=a, a2_constant=b),
        martingale_fails=float(np.mean(arrays["max_martingale"] > m0 / 2)),
        doob_bound=float(min(1.0, np.mean(arrays["final_martingale"] ** 2) / (m0 / 2) ** 2)),
        norm=float(np.median(arrays["final_norm"])),
        drift_over_start=float(np.median(arrays["final_drift"]) / m0),
        escaped=float(np.mean(np.isfinite(arrays["escape"]))), runs=int(arrays["escape"].size),
    )


def median_interval(values: ArrayLike, *, confidence: float = 0.95) -> tuple[float, float, float]:
    r"""The sample median with its distribution-free interval from order statistics.

    ``values`` may hold ``inf`` (or ``nan``, read as :math:`+\infty`: a censored run counts as
    later than every other), so that the median of censored escape steps is the censored
    median of :func:`lecturelib.experiments.censored_median`. The interval
    :math:`[x_{(i)}, x_{(j)}]` has :math:`i, j` from the binomial law :math:`\mathrm{Bin}(n, 1/2)`
    and covers the population median with probability at least ``confidence``; its ends are
    ``inf`` where the order statistic is a censored value.

    Returns ``(median, low, high)``.

    Examples
    --------
    >>> median_interval(np.arange(1.0, 101.0))
    (50.5, 40.0, 61.0)
    """
    from scipy import stats

    x = np.asarray(values, dtype=float)
    if x.ndim != 1 or x.size < 6:
        raise ValueError(f"values must be a 1-D array of at least 6 numbers, got shape {x.shape}")
    if np.any(x == -np.inf):
        raise ValueError("values must not hold -inf")
    confidence = check_real("confidence", confidence)
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    x = np.sort(np.where(np.isnan(x), np.inf, x))
    n, a = x.size, (1.0 - confidence) / 2
    lo = int(stats.binom.ppf(a, n, 0.5))  # P(Bin(n, 1/2) < lo) <= a: x_(lo) is below the median
    hi = n - lo + 1  # symmetric
    lo, hi = max(lo, 1), min(hi, n)
    return float(np.median(x)), float(x[lo - 1]), float(x[hi - 1])


def quantile_interval(values: ArrayLike, q: float, *, confidence: float = 0.95
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""The ``q``-quantile over runs (axis 0) with its distribution-free order-statistic interval.

    ``values`` has one row per run (shape ``(runs,)`` or ``(runs, records)``); each column is
    treated separately. The interval :math:`[x_{(l)}, x_{(u)}]` takes :math:`l, u` from the
    binomial law :math:`\mathrm{Bin}(n, q)` and covers the population quantile with probability at
    least ``confidence``, column by column. For running maxima (nondecreasing along a run) the
    three curves are nondecreasing, so the first record where each reaches a level brackets the
    first record where the population quantile does.

    Returns ``(estimate, low, high)``, each of the shape of one row (``np.quantile``'s linear
    interpolation for the estimate).

    Examples
    --------
    >>> [round(float(v), 2) for v in quantile_interval(np.arange(1.0, 101.0), 0.9)]
    [90.1, 84.0, 96.0]
    """
    from scipy import stats

    x = np.asarray(values, dtype=float)
    if x.ndim not in (1, 2) or x.shape[0] < 10 or not np.all(np.isfinite(x)):
        raise ValueError(f"values must be a finite array of shape (runs,) or (runs, records), runs >= 10, "
                         f"got shape {x.shape}")
    q = check_real("q", q)
    if not 0 < q < 1:
        raise ValueError(f"q must be in (0, 1), got {q!r}")
    confidence = check_real("confidence", confidence)
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    n, a = x.shape[0], (1.0 - confidence) / 2
    lo = max(int(stats.binom.ppf(a, n, q)), 1)
    hi = min(int(stats.binom.ppf(1 - a, n, q)) + 1, n)
    ordered = np.sort(x, axis=0)
    return np.quantile(x, q, axis=0), ordered[lo - 1], ordered[hi - 1]
