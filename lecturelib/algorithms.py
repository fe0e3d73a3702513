r"""Algorithms that learn a single-index model with fewer samples than vanilla online SGD, measured side by side.

Each :class:`Algorithm` is online SGD of the single neuron with one change -- the loss, or
how often each sample is used -- and a step size and horizon given as powers of ``d``,
:math:`\eta = c\,d^{-a}` and :math:`T = C d^{\,b}` (in steps). :func:`algorithm_sweep` runs
it over a range of dimensions on the exact overlap chain, stops each run at escape
(:math:`|m| \ge 1/2` for even links, :math:`m \ge 1/2` otherwise), and fits the median
escape time **in samples** (steps divided by ``reuse``) against ``d`` with a 95 % bootstrap
interval, as :func:`lecturelib.experiments.escape_sweep` does for vanilla SGD (which it
calls for the square loss).

The catalogue :data:`ALGORITHMS` holds the settings of Lecture 7; ``stated`` is the exponent
that the lecture states for each (its claim test checks the fit against it, within 0.2).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from ._validation import check_choice, check_int, check_seed
from .experiments import RECORDS, EscapeSweep, _fit, censored_median, escape_sweep
from .links import Link
from .parallel import EscapeJob, check_executor, escape_times_blocks
from .sgd import escape_times, online_sgd

__all__ = ["Algorithm", "ALGORITHMS", "AlgorithmSweep", "Comparison", "algorithm_sweep", "compare_algorithms",
           "escape_sample_counts", "TrajectoryComparison", "compare_trajectories", "WIDGET_ALGORITHMS",
           "SmoothingVariance", "smoothing_variance", "l1_loss_coefficients"]


@dataclass(frozen=True)
class Algorithm:
    r"""One variant of online SGD with its step size and horizon laws.

    Attributes
    ----------
    name, label : str
        Key in :data:`ALGORITHMS` and legend text.
    link : str
        Catalogue name of the link (teacher and student).
    loss : str
        ``loss=`` of :func:`lecturelib.sgd.online_sgd`.
    reuse : int
        Consecutive steps per sample.
    eta_scale, eta_exponent : float
        :math:`\eta = c\, d^{-a}`.
    horizon_scale, horizon_exponent : float
        Horizon :math:`\lfloor C d^b\rfloor` steps.
    d_values : tuple of int
        Dimensions of the lecture's sweep.
    runs : int
        Runs per dimension.
    stated : float
        Exponent of the median escape time (in samples) that the lecture states.
    theory : str
        The law the literature predicts for it.
    """

    name: str
    label: str
    link: str
    loss: str
    reuse: int
    eta_scale: float
    eta_exponent: float
    horizon_scale: float
    horizon_exponent: float
    d_values: tuple[int, ...]
    runs: int
    stated: float
    theory: str


ALGORITHMS: dict[str, Algorithm] = {a.name: a for a in (
    Algorithm("vanilla", "online SGD, square loss", "he3", "l2", 1, 0.05, 1.5, 80.0, 2.0,
              (50, 100, 200), 64, 2.0, "d^(k-1) = d^2"),
    Algorithm("smoothed", "smoothed correlation loss, exact average", "he3", "smoothed", 1, 0.5, 0.5, 50.0, 1.5,
              (100, 200, 400, 800, 1600), 32, 1.5, "d^(k/2) = d^1.5"),
    Algorithm("smoothed_random", "smoothed, one random direction", "he3", "smoothed_random", 1, 0.5, 1.5, 40.0,
              2.5, (25, 50, 100), 16, 2.5, "none (variance about d/2 times larger)"),
    Algorithm("l1", "L1 loss", "he3", "l1", 1, 0.1, 1.0, 150.0, 1.0,
              (100, 400, 1600, 6400), 32, 1.0, "d (k_gen = 1)"),
    Algorithm("l1_he4", "L1 loss, He_4", "he4", "l1", 1, 0.05, 1.0, 200.0, 1.2,
              (100, 200, 400, 800, 1600), 32, 1.2, "d log d (k_gen = 2)"),
    Algorithm("reuse", "each sample used twice", "he3", "l2", 2, 0.05, 1.5, 80.0, 2.0,
              (50, 100, 200), 64, 2.0, "d^2 (single neuron)"),
)}
r"""The algorithms of Lecture 7 (``k = 3`` unless the name says otherwise). The smoothed
losses use :math:`\rho = d^{1/4}`."""


@dataclass(frozen=True, eq=False)
class AlgorithmSweep:
    """An :class:`Algorithm` and its :class:`~lecturelib.experiments.EscapeSweep` (times in samples)."""

    algorithm: Algorithm
    sweep: EscapeSweep

    def row(self) -> dict[str, object]:
        """Name, law, stated and fitted exponents, interval and largest censored fraction."""
        fit = self.sweep.exponent
        return {"name": self.algorithm.name, "label": self.algorithm.label, "theory": self.algorithm.theory,
                "stated": self.algorithm.stated, "exponent": fit.slope, "ci": (fit.ci_low, fit.ci_high),
                "d": tuple(int(v) for v in self.sweep.d),
                "max_censored_fraction": float(self.sweep.censored_fraction.max())}


def escape_sample_counts(algorithm: Algorithm, d: int, *, runs: int, seed: int, horizon: int | None = None,
                         level: float = 0.5) -> np.ndarray:
    """Samples used by each run of ``algorithm`` in dimension ``d`` until escape (``nan`` if censored)."""
    eta = algorithm.eta_scale * float(d) ** -algorithm.eta_exponent
    steps = horizon if horizon is not None else max(1, int(algorithm.horizon_scale * float(d) ** algorithm.horizon_exponent))
    result = online_sgd(Link.named(algorithm.link), int(d), eta, steps, runs=runs, seed=seed, loss=algorithm.loss,
                        reuse=algorithm.reuse, record_every=max(1, steps // RECORDS), stop_at=level)
    return np.ceil(escape_times(result, level) / algorithm.reuse)


def algorithm_sweep(algorithm: Algorithm | str, *, d_values: Sequence[int] | None = None, runs: int | None = None,
                    seed: int = 0, n_boot: int = 2000, progress: bool = False, executor: object = None,
                    block: int | None = None) -> AlgorithmSweep:
    r"""Median escape time in samples against ``d`` for one algorithm, with the fitted exponent.

    Vanilla SGD (square loss, one step per sample) goes through
    :func:`lecturelib.experiments.escape_sweep`; the others follow the same protocol (seed
    of dimension ``i`` = child ``i`` of ``SeedSequence(seed)``, escape resolved to
    ``T/4000``, censored runs kept, percentile bootstrap over runs). ``executor`` and ``block``
    as in :func:`~lecturelib.experiments.escape_sweep` (same result whatever the executor).
    """
    if isinstance(algorithm, str):
        algorithm = ALGORITHMS[check_choice("algorithm", algorithm, tuple(ALGORITHMS))]
    if not isinstance(algorithm, Algorithm):
        raise TypeError(f"algorithm must be an Algorithm or one of {tuple(ALGORITHMS)}, got {algorithm!r}")
    d_values = algorithm.d_values if d_values is None else tuple(d_values)
    runs = algorithm.runs if runs is None else check_int("runs", runs, 1)
    seed = check_seed(seed) or 0
    if algorithm.loss == "l2" and algorithm.reuse == 1:
        sweep = escape_sweep(Link.named(algorithm.link), d_values, eta_scale=algorithm.eta_scale,
                             eta_exponent=algorithm.eta_exponent, horizon_scale=algorithm.horizon_scale,
                             horizon_exponent=algorithm.horizon_exponent, runs=runs, seed=seed, n_boot=n_boot,
                             progress=progress, executor=executor, block=block)
        return AlgorithmSweep(algorithm, sweep)
    d = np.array([check_int("d_values entry", v, 3) for v in d_values], dtype=np.int64)
    if np.unique(d).size < 2:
        raise ValueError(f"d_values must hold at least two distinct dimensions, got {d_values!r}")
    children = np.random.SeedSequence(seed).spawn(d.size + 1)
    seeds = tuple(int(s.generate_state(1)[0]) for s in children[:-1])
    indices = range(d.size) if check_executor(executor) is None else ()
    times = np.empty((d.size, runs))
    if executor is not None:
        steps = [max(1, int(algorithm.horizon_scale * float(v) ** algorithm.horizon_exponent)) for v in d]
        jobs = [EscapeJob(Link.named(algorithm.link), int(v), algorithm.eta_scale * float(v) ** -algorithm.eta_exponent,
                          t, s, 0.5, max(1, t // RECORDS), (("loss", algorithm.loss), ("reuse", algorithm.reuse)))
                for v, t, s in zip(d, steps, seeds)]
        times = np.ceil(escape_times_blocks(jobs, runs, executor=executor, block=block, progress=progress,
                                            desc=f"sweep ({algorithm.name})") / algorithm.reuse)
    elif progress:
        from tqdm.auto import tqdm

        indices = tqdm(indices, desc=f"sweep ({algorithm.name})", unit="d")
    for i in indices:
        times[i] = escape_sample_counts(algorithm, int(d[i]), runs=runs, seed=seeds[i])
    median, censored = censored_median(times)
    rng = np.random.default_rng(children[-1])
    log_d = np.log(d.astype(float))
    exponent = _fit(log_d, lambda t, dd: np.log(t), d, times, 0.95, n_boot, rng)
    log_slope = _fit(log_d, lambda t, dd: t / dd, d, times, 0.95, n_boot, rng)
    times.setflags(write=False)
    eta = algorithm.eta_scale * d.astype(float) ** -algorithm.eta_exponent
    horizon = np.maximum(1, np.floor(algorithm.horizon_scale * d.astype(float) ** algorithm.horizon_exponent))
    sweep = EscapeSweep(
        link=Link.named(algorithm.link), d=d, eta=eta, horizon=horizon.astype(np.int64), level=0.5, times=times,
        median=median, censored_fraction=censored, exponent=exponent, log_slope=log_slope, seeds=seeds,
        eta_scale=algorithm.eta_scale, eta_exponent=algorithm.eta_exponent, horizon_scale=algorithm.horizon_scale,
        horizon_exponent=algorithm.horizon_exponent, engine="overlap",
    )
    return AlgorithmSweep(algorithm, sweep)


@dataclass(frozen=True, eq=False)
class Comparison:
    """Sweeps of several algorithms, in order."""

    sweeps: tuple[AlgorithmSweep, ...]

    def rows(self) -> list[dict[str, object]]:
        """One :meth:`AlgorithmSweep.row` per algorithm."""
        return [s.row() for s in self.sweeps]


def compare_algorithms(names: Sequence[str] = tuple(ALGORITHMS), *, seed: int = 0, n_boot: int = 2000,
                       progress: bool = False) -> Comparison:
    """:func:`algorithm_sweep` for each named algorithm with its lecture settings."""
    return Comparison(tuple(algorithm_sweep(name, seed=seed, n_boot=n_boot, progress=progress) for name in names))


WIDGET_ALGORITHMS: tuple[str, ...] = ("vanilla", "smoothed", "l1", "reuse")
"""The algorithms compared by :func:`compare_trajectories` (and the widget of Lecture 7)."""


def _for_degree(algorithm: Algorithm, k: int) -> Algorithm:
    r"""The same algorithm for :math:`He_k`, ``k`` in ``{3, 4}``: :math:`\eta = c\,d^{-k/2}` for the square
    loss (``c = 0.05, 0.02``), :math:`0.5\,d^{-(k-2)/2}` smoothed, and :math:`c/d` for L1."""
    if algorithm.loss == "l2":
        return replace(algorithm, link=f"he{k}", eta_scale=0.05 if k == 3 else 0.02, eta_exponent=k / 2)
    if algorithm.loss == "smoothed":
        return replace(algorithm, link=f"he{k}", eta_exponent=(k - 2) / 2)
    return replace(algorithm, link=f"he{k}", eta_scale=0.1 if k == 3 else 0.05)


@dataclass(frozen=True, eq=False)
class TrajectoryComparison:
    r"""Median :math:`|m|` against samples for several algorithms at one ``(k, d)``.

    Attributes
    ----------
    k, d, runs, seed : int
    samples : numpy.ndarray
        Sample counts of the records.
    median : dict of str to numpy.ndarray
        Per algorithm label, the median over runs of :math:`|m|` at those counts.
    """

    k: int
    d: int
    runs: int
    seed: int
    samples: np.ndarray
    median: dict[str, np.ndarray]


def compare_trajectories(k: int, d: int, *, samples: int = 200_000, runs: int = 12, seed: int = 0) -> TrajectoryComparison:
    """Run each of :data:`WIDGET_ALGORITHMS` for ``samples`` samples on :math:`He_k` in dimension ``d``."""
    k = check_int("k", k, 3)
    if k > 4:
        raise ValueError(f"k must be 3 or 4, got {k}")
    d = check_int("d", d, 3)
    samples = check_int("samples", samples, 400)
    runs = check_int("runs", runs, 1)
    seed = check_seed(seed) or 0
    every = samples // 400
    grid = np.arange(401) * every
    median = {}
    for name in WIDGET_ALGORITHMS:
        algorithm = _for_degree(ALGORITHMS[name], k)
        eta = algorithm.eta_scale * float(d) ** -algorithm.eta_exponent
        result = online_sgd(Link.named(algorithm.link), d, eta, 400 * every * algorithm.reuse, runs=runs, seed=seed,
                            loss=algorithm.loss, reuse=algorithm.reuse, record_every=every * algorithm.reuse)
        median[algorithm.label] = np.median(np.abs(result.overlap), axis=0)
    return TrajectoryComparison(k=k, d=d, runs=runs, seed=seed, samples=grid, median=median)


@dataclass(frozen=True)
class SmoothingVariance:
    r"""Second moments of the per-sample factor :math:`\kappa` at the equator (:math:`m = 0`).

    Attributes
    ----------
    d : int
    rho : float
    exact, random : float
        :math:`\mathbb{E}[\kappa^2]` of the exact average and of one random direction.
    ratio : float
        ``random / exact``.
    exact_se, random_se : float
        Standard errors of the two means (sample standard deviation of :math:`\kappa^2` over
        :math:`\sqrt{\text{samples}}`). :math:`\kappa^2` is heavy-tailed, so these understate the
        error of a single estimate.
    """

    d: int
    rho: float
    exact: float
    random: float
    ratio: float
    exact_se: float = float("nan")
    random_se: float = float("nan")


def smoothing_variance(link_name: str, d: int, *, samples: int = 20_000, seed: int = 0) -> SmoothingVariance:
    r"""Monte Carlo :math:`\mathbb{E}[\kappa^2]` of the two smoothed losses at :math:`m = 0`, :math:`\rho = d^{1/4}`.

    Draws :math:`\lambda, z_* \sim N(0,1)` (:math:`y = f(z_*)` is independent of
    :math:`\lambda` at the equator), :math:`q = \|x\|^2 - \lambda^2 = z_*^2 + \chi^2_{d-2}`
    (``q`` contains the target coordinate, so it is not independent of ``y``) and, for the
    random direction, :math:`s = g/\sqrt{g^2 + \chi^2_{d-2}}`.
    """
    from .sgd import smoothed_kappa

    link = Link.named(link_name)
    d = check_int("d", d, 4)
    rng = np.random.default_rng(seed)
    rho = d**0.25
    lam = rng.standard_normal(samples)
    z_star = rng.standard_normal(samples)
    y = link.f(z_star)
    q = z_star * z_star + rng.chisquare(d - 2, samples)
    g = rng.standard_normal(samples)
    s = g / np.sqrt(g * g + rng.chisquare(d - 2, samples))
    scale = 1.0 / np.sqrt(1.0 + rho * rho)
    exact = smoothed_kappa(link, d, rho, lam, q, y)
    random = y * link.df((lam + rho * np.sqrt(q) * s) * scale) * scale * (1.0 - lam * rho * s / np.sqrt(q))
    e, r = float(np.mean(exact**2)), float(np.mean(random**2))
    root = math.sqrt(samples)
    return SmoothingVariance(d=d, rho=float(rho), exact=e, random=r, ratio=r / e,
                             exact_se=float(np.std(exact**2) / root), random_se=float(np.std(random**2) / root))


def l1_loss_coefficients(link_name: str, k_max: int, *, nodes: int = 2001, half_width: float = 8.5) -> np.ndarray:
    r"""Coefficients :math:`c_k`, :math:`k = 1 .. k_{\max}`, of the L1 population loss
    :math:`\ell(m) = \mathbb E|f(a) - f(b)| = \sum_{k \ge 0} c_k m^k` (:math:`(a, b)` standard Gaussians of
    correlation :math:`m`).

    By Mehler's formula :math:`c_k = \mathbb E\,|f(z) - f(z')|\,h_k(z)\,h_k(z')` for independent
    :math:`z, z'`, that is :math:`\mathbb E|y - y'|\,\zeta_k(y)\,\zeta_k(y')`; computed by the
    trapezoidal rule on ``nodes`` points of :math:`[-L, L]` in each variable (``half_width`` = L).
    """
    link = Link.named(link_name)
    k_max = check_int("k_max", k_max, 1)
    nodes = check_int("nodes", nodes, 101)
    half_width = float(half_width)
    if not half_width > 0:
        raise ValueError(f"half_width must be positive, got {half_width!r}")
    z = np.linspace(-half_width, half_width, nodes)
    weight = np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi) * (z[1] - z[0])
    f = np.asarray(link.f(z), dtype=float)
    basis = np.empty((k_max, nodes))
    prev, cur = np.ones_like(z), z.copy()  # He_0, He_1
    for k in range(1, k_max + 1):
        basis[k - 1] = cur / math.sqrt(math.factorial(k)) * weight
        prev, cur = cur, z * cur - k * prev
    out = np.zeros(k_max)
    for lo in range(0, nodes, 512):
        gap = np.abs(f[lo:lo + 512, None] - f[None, :])
        out += np.einsum("ki,ij,kj->k", basis[:, lo:lo + 512], gap, basis)
    return out
