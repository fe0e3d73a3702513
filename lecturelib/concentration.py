r"""Landscape concentration: the empirical signal against the population signal on caps.

For a fixed sample :math:`(x_i, y_i)_{i\le n}` (:class:`lecturelib.multipass.Sample`,
:math:`w_* = e_1`) the empirical loss is :math:`\hat L_n(w) = \frac1{2n}\sum_i (y_i - f(\lambda_i))^2`,
:math:`\lambda_i = \langle w, x_i\rangle`, with spherical gradient

.. math::

    \nabla_S \hat L_n(w) = -\frac1n\sum_i \kappa_i\,(x_i - \lambda_i w), \qquad
    \kappa_i = (y_i - f(\lambda_i))\,f'(\lambda_i).

The *empirical signal* is its component along the target, with the sign of a descent step,

.. math::

    \hat g_n(w) = \langle w_*, -\nabla_S \hat L_n(w)\rangle = \frac1n\sum_i \kappa_i\,(\langle w_*, x_i\rangle - \lambda_i m),

an average of :math:`n` i.i.d. terms with mean the population signal
:math:`\bar g(m) = (1 - m^2)\,\psi'(m)` (:math:`3m^2(1 - m^2)` for :math:`He_3/\sqrt6`). On the
band :math:`\tfrac14 d^{-\theta} \le m \le \tfrac12` the module measures how far below
:math:`\bar g` the empirical signal can be found, at random points and after a local search,
and the sample size above which :math:`\hat g_n \ge \bar g/2` at every point tried.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.polynomial.hermite_e import hermegauss

from ._validation import check_int, check_link, check_real, check_seed
from . import _multipass_kernels as _mk
from .multipass import Sample, _link_code, check_sample_size, draw_sample

__all__ = [
    "empirical_signal", "empirical_gradient", "population_signal", "signal_variance", "band", "band_points",
    "SignalCheck", "signal_check", "ThresholdScan", "benign_threshold", "DeviationScaling",
    "deviation_scaling", "pointwise_threshold", "wilson_interval", "OpenQuestionTable", "open_question_table", "median_interval",
]

CHUNK = 1 << 15
"""Samples processed at once (bounds the ``chunk x points`` temporaries)."""


def _check_sample(sample: object) -> Sample:
    if not isinstance(sample, Sample):
        raise TypeError(f"sample must be a Sample (see lecturelib.multipass.draw_sample), got {type(sample).__name__}")
    return sample


def _check_points(w: object, d: int) -> np.ndarray:
    w = np.asarray(w, dtype=float)
    if w.shape[-1:] != (d,):
        raise ValueError(f"w must have last dimension d={d}, got shape {w.shape}")
    norms = np.linalg.norm(w, axis=-1)
    if not np.allclose(norms, 1.0, atol=1e-9):
        raise ValueError("w must hold unit vectors (along the last axis)")
    return w


def _signal_and_gradient(link: object, sample: Sample, w: np.ndarray, gradient: bool):
    """``ĝ_n`` at the rows of ``w`` (P, d) and, if asked, its Euclidean gradient in ``w`` (compiled kernel)."""
    code, coef = _link_code(link)
    w = np.ascontiguousarray(w, dtype=float)
    g = np.zeros(w.shape[0])
    grad = np.zeros(w.shape if gradient else (0, 0))
    _mk.signal_sums(code, coef, sample.x, sample.y, w, gradient, g, grad)
    return g / sample.n, (grad / sample.n if gradient else None)


def empirical_signal(link: object, sample: Sample, w: object) -> float | np.ndarray:
    r""":math:`\hat g_n(w) = \frac1n\sum_i \kappa_i(\langle w_*, x_i\rangle - \lambda_i m)` for unit ``w`` of shape ``(..., d)``."""
    check_link(link)
    sample = _check_sample(sample)
    w = _check_points(w, sample.d)
    g, _ = _signal_and_gradient(link, sample, w.reshape(-1, sample.d), False)
    return float(g[0]) if w.ndim == 1 else g.reshape(w.shape[:-1])


def empirical_gradient(link: object, sample: Sample, w: object) -> np.ndarray:
    r"""The spherical gradient :math:`\nabla_S \hat L_n(w) = -\frac1n\sum_i \kappa_i (x_i - \lambda_i w)` at one unit ``w``."""
    check_link(link)
    sample = _check_sample(sample)
    w = _check_points(w, sample.d)
    if w.ndim != 1:
        raise ValueError(f"w must be one vector of shape (d,) = ({sample.d},), got shape {w.shape}")
    lam = sample.x @ w
    kappa = (sample.y - link.f(lam)) * link.df(lam)
    return -(kappa @ sample.x - (kappa @ lam) * w) / sample.n


def population_signal(link: object, m: object) -> float | np.ndarray:
    r""":math:`\bar g(m) = \mathbb E\,\hat g_n(w) = (1 - m^2)\,\psi'(m)`; :math:`3m^2(1-m^2)` for :math:`He_3/\sqrt6`."""
    check_link(link)
    return link.drift(m)


def signal_variance(link: object, m: float, *, nodes: int = 80) -> float:
    r"""Variance of one term :math:`g = \kappa\,\sqrt{1-m^2}\,\beta` of :math:`\hat g_n` at overlap ``m``.

    With :math:`\langle w_*, x\rangle = m\lambda + \sqrt{1-m^2}\beta` and :math:`\lambda, \beta`
    independent standard normals, :math:`\kappa = (f(m\lambda + \sqrt{1-m^2}\beta) - f(\lambda))f'(\lambda)`;
    computed by a two-dimensional Gauss--Hermite rule (exact for polynomial links of degree
    below about ``nodes/2``). For :math:`He_3/\sqrt6` at :math:`m = 0` it is
    :math:`E[f^2(\beta)\beta^2]E[f'^2] + E[f^2 f'^2] = 7\cdot 3 + 93 = 114`.
    """
    check_link(link)
    m = check_real("m", m)
    if not -1.0 <= m <= 1.0:
        raise ValueError(f"m must be a number in [-1, 1], got {m!r}")
    z, q = hermegauss(check_int("nodes", nodes, 2))
    q = q / q.sum()
    lam, beta = np.meshgrid(z, z, indexing="ij")
    weight = np.outer(q, q)
    s = math.sqrt(1.0 - m * m)
    g = (link.f(m * lam + s * beta) - link.f(lam)) * link.df(lam) * s * beta
    mean = float(np.sum(weight * g))
    return float(np.sum(weight * g * g) - mean * mean)


def band(d: int, theta: float) -> tuple[float, float]:
    r"""The band :math:`[\tfrac14 d^{-\theta}, \tfrac12]` of the cap :math:`\{m \ge d^{-\theta}\}`, :math:`0 \le \theta \le \tfrac12`."""
    d = check_int("d", d, 3)
    theta = check_real("theta", theta)
    if not 0.0 <= theta <= 0.5:
        raise ValueError(f"theta must be in [0, 1/2] (caps m >= d^-theta), got {theta!r}")
    return 0.25 * d ** (-theta), 0.5


def band_points(d: int, theta: float, size: int, *, seed: int | None = None) -> np.ndarray:
    r"""``size`` unit vectors with :math:`\log m` uniform on the band and the rest uniform on the orthogonal sphere."""
    lo, hi = band(d, theta)
    size = check_int("size", size, 1)
    rng = np.random.default_rng(check_seed(seed))
    m = np.exp(rng.uniform(math.log(lo), math.log(hi), size))
    return _with_overlap(m, rng.standard_normal((size, d - 1)))


def _with_overlap(m: np.ndarray, v: np.ndarray) -> np.ndarray:
    v = v / np.linalg.norm(v, axis=1, keepdims=True)
    return np.column_stack([m, np.sqrt(1.0 - m * m)[:, None] * v])


def _into_band(w: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Normalize the rows of ``w`` and move their overlap into ``[lo, hi]`` (rest rescaled)."""
    w = w / np.linalg.norm(w, axis=1, keepdims=True)
    m = np.clip(w[:, 0], lo, hi)
    return _with_overlap(m, w[:, 1:])


@dataclass(frozen=True, eq=False)
class SignalCheck:
    r"""The empirical signal against the population signal on one sample.

    Attributes
    ----------
    d, n : int
    theta : float
    band : tuple of float
        :math:`(\tfrac14 d^{-\theta}, \tfrac12)`.
    m, g_hat, g_bar : numpy.ndarray
        Overlap, :math:`\hat g_n(w)` and :math:`\bar g(m)` at the random points.
    search_m, search_g_hat, search_g_bar : numpy.ndarray
        The same at the end points of the local search.
    worst_ratio_random, worst_ratio : float
        :math:`\min \hat g_n/\bar g` over the random points, and over all points tried.
    deviation_random, deviation : float
        :math:`\max |\hat g_n - \bar g|` over the random points, and over all points tried.
    """

    d: int
    n: int
    theta: float
    band: tuple[float, float]
    m: np.ndarray
    g_hat: np.ndarray
    g_bar: np.ndarray
    search_m: np.ndarray
    search_g_hat: np.ndarray
    search_g_bar: np.ndarray

    @property
    def worst_ratio_random(self) -> float:
        return float(np.min(self.g_hat / self.g_bar))

    @property
    def worst_ratio(self) -> float:
        both = np.concatenate([self.g_hat / self.g_bar, self.search_g_hat / self.search_g_bar])
        return float(np.min(both))

    @property
    def deviation_random(self) -> float:
        return float(np.max(np.abs(self.g_hat - self.g_bar)))

    @property
    def deviation(self) -> float:
        return float(max(self.deviation_random, np.max(np.abs(self.search_g_hat - self.search_g_bar), initial=0.0)))

    @property
    def benign(self) -> bool:
        r"""Whether :math:`\hat g_n \ge \bar g/2` at every point tried."""
        return self.worst_ratio >= 0.5


def _search(link, sample, w, lo, hi, steps, objective):
    """Projected normalized-gradient descent of ``objective`` ("ratio": ĝ/ḡ, "gap": ĝ - ḡ), keeping the best point."""
    best = w.copy()
    g, _ = _signal_and_gradient(link, sample, best, False)

    def value(g, m):
        bar = np.asarray(link.drift(m))
        return g / bar if objective == "ratio" else g - bar

    best_value = value(g, best[:, 0])
    step = np.full(w.shape[0], 0.3)
    current = best.copy()
    for _ in range(steps):
        g, grad = _signal_and_gradient(link, sample, current, True)
        m = current[:, 0]
        bar = np.asarray(link.drift(m))
        dbar = np.asarray(link.drift(np.clip(m + 1e-6, -1, 1)) - link.drift(np.clip(m - 1e-6, -1, 1))) / 2e-6
        if objective == "ratio":
            grad = grad / bar[:, None]
            grad[:, 0] -= g * dbar / bar**2
        else:
            grad[:, 0] -= dbar
        grad -= np.einsum("pd,pd->p", grad, current)[:, None] * current
        norm = np.linalg.norm(grad, axis=1, keepdims=True)
        trial = _into_band(current - step[:, None] * grad / np.where(norm > 0, norm, 1.0), lo, hi)
        g_trial, _ = _signal_and_gradient(link, sample, trial, False)
        v_trial = value(g_trial, trial[:, 0])
        better = v_trial < best_value
        best[better], best_value[better] = trial[better], v_trial[better]
        current = np.where(better[:, None], trial, best)
        step = np.where(better, step * 1.2, step * 0.5)
    g, _ = _signal_and_gradient(link, sample, best, False)
    return best, g


def signal_check(
    link: object, sample: Sample, theta: float, *, points: int = 64, search_starts: int = 4, search_steps: int = 10,
    objective: str = "ratio", seed: int | None = 0,
) -> SignalCheck:
    r"""Compare :math:`\hat g_n` with :math:`\bar g` on the band :math:`\tfrac14 d^{-\theta} \le m \le \tfrac12`.

    ``points`` random points (:func:`band_points`), then a local search from the
    ``search_starts`` worst of them: ``search_steps`` projected gradient steps that lower
    :math:`\hat g_n/\bar g` (``objective="ratio"``) or :math:`\hat g_n - \bar g` (``"gap"``),
    each accepted only if it improves. The worst value found *lower-bounds* the worst over the
    band: a search cannot certify a supremum.
    """
    check_link(link)
    sample = _check_sample(sample)
    if objective not in ("ratio", "gap"):
        raise ValueError(f"objective must be one of ('ratio', 'gap'), got {objective!r}")
    search_starts = check_int("search_starts", search_starts, 0)
    search_steps = check_int("search_steps", search_steps, 0)
    lo, hi = band(sample.d, theta)
    w = band_points(sample.d, theta, points, seed=seed)
    g_hat, _ = _signal_and_gradient(link, sample, w, False)
    g_bar = np.asarray(link.drift(w[:, 0]))
    score = g_hat / g_bar if objective == "ratio" else g_hat - g_bar
    starts = w[np.argsort(score)[: min(search_starts, points)]]
    if search_starts and search_steps:
        found, g_found = _search(link, sample, starts, lo, hi, search_steps, objective)
    else:
        found, g_found = starts[:0], np.zeros(0)
    frozen = [np.asarray(a) for a in (w[:, 0], g_hat, g_bar, found[:, 0], g_found, np.asarray(link.drift(found[:, 0])))]
    for a in frozen:
        a.setflags(write=False)
    return SignalCheck(sample.d, sample.n, float(theta), (lo, hi), *frozen)


@dataclass(frozen=True, eq=False)
class ThresholdScan:
    r"""A scan over sample sizes of :func:`signal_check` (a fresh sample per ``n``).

    Attributes
    ----------
    d : int
    theta : float
    n : numpy.ndarray
        The sample sizes scanned (increasing; the scan stops after ``confirm`` benign ones).
    worst_ratio, worst_ratio_random : numpy.ndarray
        :math:`\min \hat g_n/\bar g` at each ``n`` (all points tried; random points only).
    confirm : int
    threshold : float
        The first ``n`` of the final run of ``confirm`` consecutive benign samples
        (:math:`\hat g_n \ge \bar g/2` at every point tried); ``nan`` if the scan ran out first.
    """

    d: int
    theta: float
    n: np.ndarray
    worst_ratio: np.ndarray
    worst_ratio_random: np.ndarray
    confirm: int

    @property
    def threshold(self) -> float:
        ok = self.worst_ratio >= 0.5
        if ok.size < self.confirm or not ok[-self.confirm:].all():
            return math.nan
        bad = np.flatnonzero(~ok)
        return float(self.n[0] if bad.size == 0 else self.n[bad[-1] + 1])


def benign_threshold(
    link: object, d: int, theta: float, n_values: Sequence[int], *, confirm: int = 2, points: int = 32,
    search_starts: int = 2, search_steps: int = 6, seed: int = 0, progress: bool = False,
) -> ThresholdScan:
    """Scan ``n_values`` (increasing), a fresh sample each, until ``confirm`` consecutive ones are benign.

    See :class:`ThresholdScan`; each sample is checked by :func:`signal_check`.
    """
    check_link(link)
    n_values = [check_sample_size(n, d)[0] for n in n_values]
    if not n_values or any(b <= a for a, b in zip(n_values, n_values[1:])):
        raise ValueError(f"n_values must be a non-empty increasing sequence, got {n_values!r}")
    confirm = check_int("confirm", confirm, 1)
    seeds = np.random.SeedSequence(check_seed(seed)).spawn(len(n_values))
    it = zip(n_values, seeds)
    if progress:
        from tqdm.auto import tqdm
        it = tqdm(list(it), desc=f"d={d}, theta={theta:g}")
    scanned, worst, worst_random = [], [], []
    for n, s in it:
        a, b = (int(v) for v in s.generate_state(2))
        check = signal_check(link, draw_sample(link, d, n, seed=a), theta, points=points, search_starts=search_starts,
                             search_steps=search_steps, seed=b)
        scanned.append(n)
        worst.append(check.worst_ratio)
        worst_random.append(check.worst_ratio_random)
        if len(worst) >= confirm and all(r >= 0.5 for r in worst[-confirm:]):
            break
    return ThresholdScan(d, float(theta), np.asarray(scanned), np.asarray(worst), np.asarray(worst_random), confirm)


def pointwise_threshold(link: object, d: int, theta: float, z: float) -> float:
    r"""The sample size at which :math:`z` standard deviations of one :math:`\hat g_n(w)` equal :math:`\bar g/2` at the band's lower edge.

    :math:`n = z^2\,\mathrm{Var}\,g(m_-)\,/\,(\bar g(m_-)/2)^2` with :math:`m_- = \tfrac14 d^{-\theta}`: the
    prediction for random points, whose worst deviation is :math:`z` standard deviations
    (:math:`z \approx \sqrt{2\ln P}` for :math:`P` points). For :math:`He_3` it grows like
    :math:`d^{2\theta(k-1)} = d^{4\theta}`; a bound uniform over the band costs
    :math:`z^2 \approx d\ln d` instead, hence :math:`d^{1 + 2\theta(k-1)}` up to logs.
    """
    lo, _ = band(d, theta)
    z = check_real("z", z, positive=True)
    return z * z * signal_variance(link, lo) / (0.5 * float(link.drift(lo))) ** 2


@dataclass(frozen=True, eq=False)
class DeviationScaling:
    r"""Worst deviation :math:`\max|\hat g_n - \bar g|` found on a grid of ``(d, n)``, with fitted exponents.

    Attributes
    ----------
    d, n : numpy.ndarray
        The grid axes.
    theta : float
    random, searched : numpy.ndarray
        Shape ``(len(d), len(n))``: over the random points, and over all points tried.
    n_exponent, d_exponent : float
        Least-squares slopes of :math:`\log` ``searched`` on :math:`\log n` and :math:`\log d`
        (jointly). The uniform bound :math:`\sqrt{d\log d/n}` has slopes :math:`-1/2` and
        about :math:`+1/2`.
    n_exponent_random, d_exponent_random : float
        The same for ``random``.
    """

    d: np.ndarray
    n: np.ndarray
    theta: float
    random: np.ndarray
    searched: np.ndarray

    def _fit(self, values: np.ndarray) -> tuple[float, float]:
        dd, nn = np.meshgrid(np.log(self.d), np.log(self.n), indexing="ij")
        design = np.column_stack([np.ones(dd.size), nn.ravel(), dd.ravel()])
        coef, *_ = np.linalg.lstsq(design, np.log(values).ravel(), rcond=None)
        return float(coef[1]), float(coef[2])

    @property
    def n_exponent(self) -> float:
        return self._fit(self.searched)[0]

    @property
    def d_exponent(self) -> float:
        return self._fit(self.searched)[1]

    @property
    def n_exponent_random(self) -> float:
        return self._fit(self.random)[0]

    @property
    def d_exponent_random(self) -> float:
        return self._fit(self.random)[1]


def deviation_scaling(
    link: object, d_values: Sequence[int], n_values: Sequence[int], *, theta: float = 0.0, points: int = 64,
    search_starts: int = 4, search_steps: int = 10, seed: int = 0,
) -> DeviationScaling:
    r"""Worst :math:`|\hat g_n - \bar g|` over the band (random points, then a search that lowers :math:`\hat g_n - \bar g`) on a grid."""
    check_link(link)
    d_values = [check_int("d", d, 3) for d in d_values]
    n_values = [check_int("n", n, 1) for n in n_values]
    seeds = np.random.SeedSequence(check_seed(seed)).spawn(len(d_values) * len(n_values))
    random = np.empty((len(d_values), len(n_values)))
    searched = np.empty_like(random)
    for i, d in enumerate(d_values):
        for j, n in enumerate(n_values):
            a, b = (int(v) for v in seeds[i * len(n_values) + j].generate_state(2))
            check = signal_check(link, draw_sample(link, d, n, seed=a), theta, points=points,
                                 search_starts=search_starts, search_steps=search_steps, objective="gap", seed=b)
            random[i, j], searched[i, j] = check.deviation_random, check.deviation
    for a in (random, searched):
        a.setflags(write=False)
    return DeviationScaling(np.asarray(d_values), np.asarray(n_values), float(theta), random, searched)


# --------------------------------------------------------------------------- the open question (stored sweep)


def wilson_interval(successes: object, trials: object, *, z: float = 1.959963984540054) -> tuple[np.ndarray, np.ndarray]:
    r"""Wilson score interval of a binomial proportion (95 % for the default ``z``).

    With :math:`\hat p = k/N`: centre :math:`(\hat p + z^2/2N)/(1 + z^2/N)` and half-width
    :math:`\frac{z}{1 + z^2/N}\sqrt{\hat p(1-\hat p)/N + z^2/4N^2}`; unlike
    :math:`\hat p \pm z\sqrt{\hat p(1-\hat p)/N}` it does not collapse at :math:`\hat p \in \{0, 1\}`.
    Returns ``(low, high)`` arrays.
    """
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    if np.any(n < 1) or np.any(k < 0) or np.any(k > n):
        raise ValueError(f"successes must lie in [0, trials] and trials must be >= 1, got {k!r} of {n!r}")
    z = check_real("z", z, positive=True)
    p = k / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


@dataclass(frozen=True)
class OpenQuestionTable:
    r"""Success fractions of the stored sweep ``open-question`` at one step-size constant ``c``.

    Attributes
    ----------
    c : float
    d : numpy.ndarray
        Dimensions (rows).
    ratio : numpy.ndarray
        :math:`n/d^2` (columns).
    runs : int
    multipass, null : numpy.ndarray
        Shape ``(len(d), len(ratio))``: fraction of runs with :math:`m_T \ge` ``level``
        (multi-pass SGD; the same on null samples, labels independent of :math:`x`).
    online : numpy.ndarray
        Shape ``(len(d),)``: the same for online SGD.
    multipass_ci, null_ci, online_ci : numpy.ndarray
        95 % Wilson intervals, shape ``(..., 2)``.
    null_touch : numpy.ndarray
        Fraction of null runs whose recorded overlap ever reached ``touch``.
    level, touch : float
    """

    c: float
    d: np.ndarray
    ratio: np.ndarray
    runs: int
    multipass: np.ndarray
    null: np.ndarray
    online: np.ndarray
    multipass_ci: np.ndarray
    null_ci: np.ndarray
    online_ci: np.ndarray
    null_touch: np.ndarray
    level: float
    touch: float

    def half_width(self, name: str) -> np.ndarray:
        """The larger side of the 95 % interval of ``multipass``, ``null`` or ``online``."""
        if name not in ("multipass", "null", "online"):
            raise ValueError(f"name must be 'multipass', 'null' or 'online', got {name!r}")
        p, ci = getattr(self, name), getattr(self, f"{name}_ci")
        return np.maximum(p - ci[..., 0], ci[..., 1] - p)


def open_question_table(stored: object, c: float, *, level: float = 0.9, touch: float = 0.5) -> OpenQuestionTable:
    r"""Tabulate the stored sweep ``open-question`` (:mod:`lecturelib.sweeps.lecture06`) at constant ``c``.

    A run *succeeds* if its overlap at the horizon is at least ``level`` (reached and held; no
    early stop). Returns an :class:`OpenQuestionTable`.
    """
    level = check_real("level", level)
    touch = check_real("touch", touch)
    cells = [cell for cell in stored.cells if cell["c"] == c]
    if not cells:
        raise ValueError(f"c must be one of the sweep's constants {sorted({cell['c'] for cell in stored.cells})}, got {c!r}")
    d = np.array(sorted({cell["d"] for cell in cells}))
    ratio = np.array(sorted({cell["ratio"] for cell in cells if cell["kind"] != "online"}))
    runs = int(stored.runs)

    def final(kind: str, di: int, r: float | None) -> np.ndarray:
        match = {"kind": kind, "d": int(di), "c": c} | ({} if r is None else {"ratio": r})
        return stored.arrays[stored.cell(**match)]

    shape = (d.size, ratio.size)
    multi, null, touched = np.empty(shape), np.empty(shape), np.empty(shape)
    online = np.empty(d.size)
    for i, di in enumerate(d):
        online[i] = np.mean(final("online", di, None)["final_overlap"] >= level)
        for j, r in enumerate(ratio):
            multi[i, j] = np.mean(final("multipass", di, float(r))["final_overlap"] >= level)
            arr = final("null", di, float(r))
            null[i, j] = np.mean(arr["final_overlap"] >= level)
            touched[i, j] = np.mean(arr["max_overlap"] >= touch)

    def ci(p: np.ndarray) -> np.ndarray:
        return np.stack(wilson_interval(np.round(p * runs), np.full(p.shape, runs)), axis=-1)

    return OpenQuestionTable(c=c, d=d, ratio=ratio, runs=runs, multipass=multi, null=null, online=online,
                             multipass_ci=ci(multi), null_ci=ci(null), online_ci=ci(online), null_touch=touched,
                             level=level, touch=touch)


def median_interval(values: object, *, level: float = 0.95) -> tuple[float, float, float]:
    r"""The sample median and a distribution-free confidence interval for the median.

    With the order statistics :math:`x_{(1)} \le \dots \le x_{(N)}`, the interval
    :math:`[x_{(j)}, x_{(N+1-j)}]` covers the median with probability at least ``level`` when
    :math:`P(\mathrm{Bin}(N, \frac12) < j) \le (1 - \text{level})/2`; ``j`` is the largest such
    index. Returns ``(median, low, high)``; ``nan`` bounds if :math:`N` is too small.
    """
    from scipy import stats

    x = np.sort(np.asarray(values, dtype=float).ravel())
    if x.size == 0 or not np.all(np.isfinite(x)):
        raise ValueError(f"values must be a non-empty array of finite numbers, got {x.size} values")
    level = check_real("level", level, positive=True)
    if level >= 1:
        raise ValueError(f"level must lie in (0, 1), got {level!r}")
    n = x.size
    j = int(stats.binom.ppf((1 - level) / 2, n, 0.5))  # P(Bin < j) <= (1 - level)/2 for this j
    while j > 0 and stats.binom.cdf(j - 1, n, 0.5) > (1 - level) / 2:
        j -= 1
    if j < 1:
        return float(np.median(x)), math.nan, math.nan
    return float(np.median(x)), float(x[j - 1]), float(x[n - j])
