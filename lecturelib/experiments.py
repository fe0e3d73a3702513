r"""Sweeps over the dimension: escape times of online SGD and their scaling laws.

A sweep runs :func:`lecturelib.sgd.online_sgd` for each dimension ``d`` with the step size
and horizon given as powers of ``d``,

.. math::

    \eta = c\, d^{-a}, \qquad T = C\, d^{\,b},

stops each run once its overlap reaches the level, and fits the median escape time
:math:`\hat T(d)` two ways:

* the exponent :math:`\gamma` of :math:`\hat T \propto d^\gamma` (least squares of
  :math:`\ln \hat T` on :math:`\ln d`);
* the slope :math:`s` of :math:`\hat T/d = s \ln d + s_0` (the ``k = 2`` law
  :math:`T \approx d \log d`).

Confidence intervals come from a percentile bootstrap over runs (runs resampled within
each ``d``). A run that has not escaped by the horizon is *censored*, never dropped: the
median counts it as larger than every escape time, and is reported (not ``nan``) only
while fewer than half the runs are censored.

The theorem of Ben Arous, Gheissari and Jagannath (2021) gives, for :math:`He_k`, escape
after :math:`T \approx d` steps for :math:`k = 1`, :math:`d \log d` for :math:`k = 2` (both
with :math:`\eta \approx 1/d`) and :math:`d^{k-1}` for :math:`k \ge 3` (with
:math:`\eta \approx d^{-k/2}`); :func:`theorem_table` reproduces it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np

from ._validation import check_int, check_link, check_real, check_seed
from .parallel import EscapeJob, check_executor, escape_times_blocks
from .sgd import ENGINES, escape_times, online_sgd

__all__ = [
    "ExponentFit",
    "EscapeSweep",
    "TheoremTable",
    "censored_median",
    "escape_sweep",
    "theorem_table",
    "THEOREM_SETTINGS",
    "EscapeProbability",
    "escape_probability",
    "PhaseDiagram",
    "phase_diagram",
    "crossing_interval",
    "reach_probability",
    "median_interval",
]

RECORDS = 4000
"""Records per run in a sweep: escape times are resolved to ``horizon / RECORDS`` steps."""


@dataclass(frozen=True)
class ExponentFit:
    r"""A least-squares line :math:`y = \text{slope}\cdot x + \text{intercept}` with a bootstrap CI.

    Attributes
    ----------
    slope, intercept : float
        The fit to the medians (``nan`` if a median is censored).
    ci_low, ci_high : float
        Percentile-bootstrap confidence interval of the slope.
    confidence : float
        Level of the interval (e.g. 0.95).
    undefined_fraction : float
        Fraction of bootstrap replicates in which some median was censored; they are left
        out of the interval, which is then optimistic if this is not small.
    """

    slope: float
    intercept: float
    ci_low: float
    ci_high: float
    confidence: float
    undefined_fraction: float


@dataclass(frozen=True, eq=False)
class EscapeSweep:
    r"""Escape times of online SGD over a range of dimensions.

    Attributes
    ----------
    link : Link
    d : numpy.ndarray
        Dimensions (int).
    eta : numpy.ndarray
        Step sizes :math:`c\, d^{-a}`.
    horizon : numpy.ndarray
        Horizons :math:`\lfloor C d^b \rfloor` in steps (int).
    level : float
        Escape level of the overlap (of :math:`|m|` for even links).
    times : numpy.ndarray
        Shape ``(len(d), runs)``: escape steps, ``nan`` for a censored run.
    median : numpy.ndarray
        Median escape step per ``d`` (``nan`` when half the runs or more are censored).
    censored_fraction : numpy.ndarray
        Fraction of runs censored at the horizon, per ``d``.
    exponent : ExponentFit
        :math:`\ln \hat T = \gamma \ln d + \text{const}`.
    log_slope : ExponentFit
        :math:`\hat T / d = s \ln d + s_0`.
    seeds : tuple of int
        The seed of each ``d``'s call to :func:`~lecturelib.sgd.online_sgd`.
    eta_scale, eta_exponent, horizon_scale, horizon_exponent : float
        :math:`c, a, C, b`.
    engine : str
    """

    link: object
    d: np.ndarray
    eta: np.ndarray
    horizon: np.ndarray
    level: float
    times: np.ndarray
    median: np.ndarray
    censored_fraction: np.ndarray
    exponent: ExponentFit
    log_slope: ExponentFit
    seeds: tuple[int, ...]
    eta_scale: float
    eta_exponent: float
    horizon_scale: float
    horizon_exponent: float
    engine: str

    @property
    def runs(self) -> int:
        """Runs per dimension."""
        return self.times.shape[1]

    def rows(self) -> list[dict[str, float]]:
        """One tidy row per dimension: ``d``, ``eta``, ``horizon``, ``median``, ``censored_fraction``."""
        return [
            {"d": int(d), "eta": float(eta), "horizon": int(h), "median": float(med), "censored_fraction": float(cf)}
            for d, eta, h, med, cf in zip(self.d, self.eta, self.horizon, self.median, self.censored_fraction)
        ]


def censored_median(times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Median over the last axis counting ``nan`` (censored) as :math:`+\infty`.

    Returns ``(median, censored_fraction)``; the median is ``nan`` wherever at least half
    the runs are censored (it is not identified there).

    Examples
    --------
    >>> median, censored = censored_median(np.array([[1.0, 2.0, np.nan], [1.0, np.nan, np.nan]]))
    >>> median.tolist(), censored.round(3).tolist()
    ([2.0, nan], [0.333, 0.667])
    """
    t = np.asarray(times, dtype=float)
    censored = np.isnan(t)
    fraction = censored.mean(axis=-1)
    median = np.median(np.where(censored, np.inf, t), axis=-1)
    return np.where(fraction < 0.5, median, np.nan), fraction


def median_interval(times: np.ndarray, *, confidence: float = 0.95, n_boot: int = 2000,
                    seed: int = 0) -> np.ndarray:
    r"""Percentile-bootstrap interval of each row's censored median (:func:`censored_median`).

    For row :math:`i` with runs :math:`t_{i1}, \dots, t_{in}` (``nan`` = censored, counted as
    :math:`+\infty`), the runs are resampled with replacement ``n_boot`` times, the censored
    median :math:`\hat T^{*}_i` of each replicate computed, and the interval is
    :math:`[q_{\alpha/2}, q_{1-\alpha/2}]` of the replicates with :math:`\alpha = 1 - \text{confidence}`.
    A replicate whose median is not identified (half its runs censored or more) counts as
    :math:`+\infty`, so the upper end is ``nan`` when more than :math:`\alpha/2` of them are.
    Returns an array of shape ``(rows, 2)``; a 1-D ``times`` is one row.
    """
    t = np.asarray(times, dtype=float)
    if t.ndim == 1:
        t = t[None]
    if t.ndim != 2 or t.shape[1] == 0:
        raise ValueError(f"times must have shape (rows, runs) with runs >= 1, got shape {np.shape(times)}")
    confidence = check_real("confidence", confidence)
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    n_boot = check_int("n_boot", n_boot, 10)
    rng = np.random.default_rng(check_seed(seed))
    picks = rng.integers(0, t.shape[1], size=(n_boot, t.shape[0], t.shape[1]))
    boot, _ = censored_median(np.take_along_axis(t[None], picks, axis=2))
    boot = np.where(np.isnan(boot), np.inf, boot)
    alpha = (1.0 - confidence) / 2
    with np.errstate(invalid="ignore"):  # inf - inf between censored replicates
        out = np.quantile(boot, [alpha, 1.0 - alpha], axis=0).T
    return np.where(np.isfinite(out), out, np.nan)


def _line(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares slopes and intercepts of each row of ``y`` against ``x``."""
    xc = x - x.mean()
    slope = (y - y.mean(axis=-1, keepdims=True)) @ xc / (xc @ xc)
    return slope, y.mean(axis=-1) - slope * x.mean()


def _fit(x: np.ndarray, transform: Callable[[np.ndarray, np.ndarray], np.ndarray], d: np.ndarray,
         times: np.ndarray, confidence: float, n_boot: int, rng: np.random.Generator) -> ExponentFit:
    median, _ = censored_median(times)
    slope, intercept = _line(x, transform(median, d))
    runs = times.shape[1]
    picks = rng.integers(0, runs, size=(n_boot, len(d), runs))
    boot_median, _ = censored_median(np.take_along_axis(times[None], picks, axis=2))
    boot_slope, _ = _line(x, transform(boot_median, d))
    ok = np.isfinite(boot_slope)
    tail = 50.0 * (1.0 - confidence)
    low, high = np.percentile(boot_slope[ok], [tail, 100.0 - tail]) if ok.any() else (math.nan, math.nan)
    return ExponentFit(float(slope), float(intercept), float(low), float(high), confidence, float(1.0 - ok.mean()))


def escape_sweep(
    link: object,
    d_values: Sequence[int],
    *,
    eta_scale: float,
    eta_exponent: float,
    horizon_scale: float,
    horizon_exponent: float,
    runs: int = 64,
    level: float = 0.5,
    seed: int = 0,
    engine: str = "overlap",
    confidence: float = 0.95,
    n_boot: int = 2000,
    progress: bool = False,
    executor: Executor | None = None,
    block: int | None = None,
) -> EscapeSweep:
    r"""Escape times over dimensions with :math:`\eta = c\,d^{-a}` and horizon :math:`T = C d^b`.

    For each ``d``, ``runs`` runs start uniformly on the sphere and stop at the first step
    where the overlap reaches ``level`` (``|m|`` for even links); escape steps are resolved
    to ``T / 4000``. The median escape time is fitted against ``d`` (see the module
    docstring) with percentile-bootstrap intervals over runs.

    Parameters
    ----------
    link : Link
    d_values : sequence of int
        At least two distinct dimensions ``>= 3``.
    eta_scale, eta_exponent : float
        :math:`c > 0` and :math:`a` in :math:`\eta = c\, d^{-a}`.
    horizon_scale, horizon_exponent : float
        :math:`C > 0` and :math:`b` in :math:`T = \lfloor C d^b\rfloor` (at least 1 step).
    runs : int, default 64
    level : float, default 0.5
        In ``(0, 1)``.
    seed : int, default 0
        Root seed; dimension ``i`` uses child ``i`` of ``SeedSequence(seed)``.
    engine : {"overlap", "full"}
    confidence : float, default 0.95
        Level of the bootstrap intervals, in ``(0, 1)``.
    n_boot : int, default 2000
        Bootstrap replicates.
    progress : bool, default False
        Show a tqdm bar over the dimensions (with ``executor``: over completed tasks).
    executor : concurrent.futures.Executor or None
        ``None`` (default): the local thread pool of :func:`~lecturelib.sgd.online_sgd`. Else
        tasks of ``block`` runs of one ``d`` are submitted to it (e.g. Dask's
        ``Client(...).get_executor()``); the result is the same bit for bit
        (:mod:`lecturelib.parallel`).
    block : int or None
        Runs per task with ``executor`` (default :data:`lecturelib.parallel.DEFAULT_BLOCK`).

    Returns
    -------
    EscapeSweep
    """
    check_link(link)
    try:
        d = np.array([check_int("d_values entry", v, 3) for v in d_values], dtype=np.int64)
    except TypeError as exc:
        raise TypeError(f"d_values must be a sequence of integers >= 3, got {d_values!r}") from exc
    if np.unique(d).size < 2:
        raise ValueError(f"d_values must hold at least two distinct dimensions, got {d_values!r}")
    c = check_real("eta_scale", eta_scale, positive=True)
    a = check_real("eta_exponent", eta_exponent)
    big_c = check_real("horizon_scale", horizon_scale, positive=True)
    b = check_real("horizon_exponent", horizon_exponent)
    runs = check_int("runs", runs, 1)
    level = check_real("level", level)
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    seed = check_seed(seed)
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    confidence = check_real("confidence", confidence)
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    n_boot = check_int("n_boot", n_boot, 1)
    if not isinstance(progress, bool):
        raise TypeError(f"progress must be a bool, got {progress!r}")

    eta = c * d.astype(float) ** -a
    horizon = np.maximum(1, np.floor(big_c * d.astype(float) ** b)).astype(np.int64)
    seeds = tuple(int(s.generate_state(1)[0]) for s in np.random.SeedSequence(seed).spawn(d.size))
    times = np.empty((d.size, runs))
    indices = range(d.size) if check_executor(executor) is None else ()
    if executor is not None:
        times = escape_times_blocks(
            [EscapeJob(link, int(d[i]), float(eta[i]), int(horizon[i]), seeds[i], level,
                       max(1, int(horizon[i]) // RECORDS), (("engine", engine),)) for i in range(d.size)],
            runs, executor=executor, block=block, progress=progress, desc=f"escape sweep ({link.name})")
    elif progress:
        from tqdm.auto import tqdm

        indices = tqdm(indices, desc=f"escape sweep ({link.name})", unit="d")
    for i in indices:
        result = online_sgd(
            link, int(d[i]), float(eta[i]), int(horizon[i]), runs=runs, seed=seeds[i], engine=engine,
            record_every=max(1, int(horizon[i]) // RECORDS), stop_at=level,
        )
        times[i] = escape_times(result, level)
    median, censored = censored_median(times)
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(d.size + 1)[-1])
    log_d = np.log(d.astype(float))
    exponent = _fit(log_d, lambda t, dd: np.log(t), d, times, confidence, n_boot, rng)
    log_slope = _fit(log_d, lambda t, dd: t / dd, d, times, confidence, n_boot, rng)
    times.setflags(write=False)
    return EscapeSweep(
        link=link, d=d, eta=eta, horizon=horizon, level=level, times=times, median=median,
        censored_fraction=censored, exponent=exponent, log_slope=log_slope, seeds=seeds,
        eta_scale=c, eta_exponent=a, horizon_scale=big_c, horizon_exponent=b, engine=engine,
    )


_DECADES = tuple(int(round(10 ** (2 + i / 4))) for i in range(9))  # 100 ... 10000

THEOREM_SETTINGS: dict[int, dict[str, object]] = {
    1: dict(d_values=_DECADES, eta_scale=0.5, eta_exponent=1.0, horizon_scale=20.0, horizon_exponent=1.0),
    2: dict(d_values=_DECADES, eta_scale=0.1, eta_exponent=1.0, horizon_scale=40.0, horizon_exponent=1.25),
    3: dict(d_values=(40, 63, 100, 158, 251), eta_scale=0.05, eta_exponent=1.5, horizon_scale=60.0,
            horizon_exponent=2.0),
    4: dict(d_values=(17, 24, 34, 48, 68), eta_scale=0.02, eta_exponent=2.0, horizon_scale=30.0,
            horizon_exponent=3.0),
}
r"""Settings of :func:`theorem_table` for :math:`He_k`: :math:`\eta = c/d` for ``k <= 2``
(``c = 0.1 < 1/3`` for ``k = 2``) over ``d = 100 ... 10^4``, and
:math:`\eta = c\, d^{-k/2}` for ``k >= 3``: ``c = 0.05`` over ``d = 40 ... 251`` for ``k = 3``
(the normalization's barrier :math:`m_c \approx 16 c/\sqrt d = 0.8/\sqrt d` then sits at the
typical start) and ``c = 0.02`` over ``d = 17 ... 68`` for ``k = 4`` (barrier
:math:`m_c \approx \sqrt{107\, c}/\sqrt d = 1.46/\sqrt d`; the steps
:math:`\approx 10 d^3` per run keep larger ``d`` out of a lecture's budget). Horizons
:math:`20d`, :math:`40 d^{5/4}`, :math:`60 d^2` and :math:`30 d^3`; for ``k >= 3`` the escape
times have a heavy right tail (odd ``k``: starts with :math:`m_0 < 0` must first cross the
equator), and up to about a quarter of the runs can be censored: the median counts them."""

PREDICTED = {1: "d", 2: "d log d", 3: "d^2", 4: "d^3"}


@dataclass(frozen=True)
class TheoremTable:
    r"""The theorem's table reproduced: one :class:`EscapeSweep` per :math:`He_k`.

    Attributes
    ----------
    sweeps : tuple of EscapeSweep
        For each ``k`` of the table (``1, 2, 3, 4`` by default), in order.
    """

    sweeps: tuple[EscapeSweep, ...]

    def rows(self) -> list[dict[str, object]]:
        r"""One tidy row per ``k``: predicted law, fitted exponent with its interval, and for
        ``k = 2`` the slope of :math:`\hat T/d` against :math:`\ln d` with the drift's
        prediction :math:`1/(2c(2 - 6c))`."""
        rows = []
        for sweep in self.sweeps:
            k = sweep.link.information_exponent
            c = sweep.eta_scale
            rows.append({
                "k": k,
                "predicted": PREDICTED.get(k, f"d^{k - 1}"),
                "exponent": sweep.exponent.slope,
                "exponent_ci": (sweep.exponent.ci_low, sweep.exponent.ci_high),
                "log_slope": sweep.log_slope.slope,
                "log_slope_ci": (sweep.log_slope.ci_low, sweep.log_slope.ci_high),
                "log_slope_predicted": 1.0 / (2.0 * c * (2.0 - 6.0 * c)) if k == 2 else math.nan,
                "max_censored_fraction": float(sweep.censored_fraction.max()),
            })
        return rows


def theorem_table(
    *, runs: int = 64, seed: int = 0, progress: bool = False, ks: Sequence[int] = (1, 2, 3, 4),
    settings: dict[int, dict[str, object]] | None = None, executor: Executor | None = None,
    block: int | None = None,
) -> TheoremTable:
    r"""Escape time against ``d`` for :math:`He_k`, ``k`` in ``ks``, with the theorem's step sizes.

    Runs :func:`escape_sweep` with :data:`THEOREM_SETTINGS` (9 dimensions over two decades
    for ``k = 1, 2``, 5 over ``d = 40 ... 251`` for ``k = 3``, 5 over ``d = 17 ... 68`` for ``k = 4``;
    ``runs`` runs each, stopped at escape to ``|m| >= 0.5``). Expected: exponent 1 for
    ``k = 1``; for ``k = 2`` the slope of :math:`\hat T/d` against :math:`\ln d` near
    :math:`1/(2c(2-6c))`; exponent ``k - 1`` for ``k >= 3`` (for ``k = 4`` inflated at these
    small ``d`` by corrections of order ``1/d``).

    Parameters
    ----------
    runs : int, default 64
    seed : int, default 0
    progress : bool, default False
        Show tqdm bars.
    ks : sequence of int, default (1, 2, 3, 4)
        Information exponents, each a key of :data:`THEOREM_SETTINGS`.
    settings : dict, optional
        Per ``k``, entries that replace those of :data:`THEOREM_SETTINGS` (e.g.
        ``{4: {"d_values": (16, 32, 64)}}``).
    executor, block
        As in :func:`escape_sweep` (same result whatever the executor).
    """
    from .links import Link

    settings = {} if settings is None else settings
    if not isinstance(settings, dict):
        raise TypeError(f"settings must be a dict of k to a dict of escape_sweep arguments, got {settings!r}")
    ks = tuple(ks)
    for k in (*ks, *settings):
        if k not in THEOREM_SETTINGS:
            raise ValueError(f"ks and settings must use k in {tuple(THEOREM_SETTINGS)}, got {k!r}")
    return TheoremTable(tuple(
        escape_sweep(Link.hermite(k), runs=runs, seed=seed, progress=progress, executor=executor, block=block,
                     **(THEOREM_SETTINGS[k] | settings.get(k, {})))
        for k in ks
    ))


@dataclass(frozen=True, eq=False)
class EscapeProbability:
    r"""Fraction of runs escaped by the horizon, over dimensions and step-size constants.

    Attributes
    ----------
    link : Link
    d : numpy.ndarray
        Dimensions (int).
    c : numpy.ndarray
        Step-size constants, :math:`\eta = c\, d^{-a}`.
    eta_exponent : float
        :math:`a`.
    horizon : numpy.ndarray
        Horizon in steps per ``d`` (int).
    runs : int
    level : float
    probability : numpy.ndarray
        Shape ``(len(d), len(c))``: fraction of runs with :math:`|m|` (or :math:`m`) reaching
        ``level`` within the horizon.
    crossing : numpy.ndarray
        Per ``d``, the ``c`` at which the probability falls through 1/2 (linear
        interpolation between grid points; ``nan`` if it does not).
    seed : int
    """

    link: object
    d: np.ndarray
    c: np.ndarray
    eta_exponent: float
    horizon: np.ndarray
    runs: int
    level: float
    probability: np.ndarray
    crossing: np.ndarray
    seed: int


def _crossing(c: np.ndarray, p: np.ndarray) -> float:
    """First ``c`` where ``p`` falls through 1/2, interpolated linearly."""
    below = np.nonzero(p < 0.5)[0]
    if below.size == 0 or below[0] == 0:
        return math.nan
    j = int(below[0])
    return float(c[j - 1] + (p[j - 1] - 0.5) / (p[j - 1] - p[j]) * (c[j] - c[j - 1]))


def escape_probability(
    link: object,
    d_values: Sequence[int],
    c_values: Sequence[float],
    *,
    eta_exponent: float = 1.0,
    horizon_scale: float,
    horizon_exponent: float = 1.0,
    runs: int = 64,
    level: float = 0.5,
    seed: int = 0,
    progress: bool = False,
    executor: Executor | None = None,
    block: int | None = None,
) -> EscapeProbability:
    r"""Escape probability within :math:`T = C d^b` steps for :math:`\eta = c\, d^{-a}`, on a grid of ``(d, c)``.

    Each ``(d, c)`` runs ``runs`` runs from a uniform start, stopped at escape. Used for the
    threshold :math:`\eta d < 1/3` of :math:`He_2` (``a = 1``), where the crossing of 1/2
    moves toward 1/3 as ``d`` grows.

    Parameters
    ----------
    link : Link
    d_values : sequence of int
        Dimensions ``>= 3``.
    c_values : sequence of float
        Increasing positive constants.
    eta_exponent, horizon_scale, horizon_exponent : float
        :math:`a`, :math:`C > 0`, :math:`b`.
    runs : int, default 64
    level : float, default 0.5
        In ``(0, 1)``.
    seed : int, default 0
        Cell ``(i, j)`` uses child ``i * len(c_values) + j`` of ``SeedSequence(seed)``.
    progress : bool, default False
    executor, block
        As in :func:`escape_sweep` (same result whatever the executor).
    """
    check_link(link)
    d = np.array([check_int("d_values entry", v, 3) for v in d_values], dtype=np.int64)
    c = np.array([check_real("c_values entry", v, positive=True) for v in c_values])
    if d.size < 1 or c.size < 2 or np.any(np.diff(c) <= 0):
        raise ValueError(f"need at least one d and two increasing c values, got d={d_values!r}, c={c_values!r}")
    a = check_real("eta_exponent", eta_exponent)
    big_c = check_real("horizon_scale", horizon_scale, positive=True)
    b = check_real("horizon_exponent", horizon_exponent)
    runs = check_int("runs", runs, 1)
    level = check_real("level", level)
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    seed = check_seed(seed)
    horizon = np.maximum(1, np.floor(big_c * d.astype(float) ** b)).astype(np.int64)
    children = np.random.SeedSequence(seed).spawn(d.size * c.size)
    cells = [(i, j) for i in range(d.size) for j in range(c.size)]
    prob = np.empty((d.size, c.size))
    if check_executor(executor) is not None:
        times = escape_times_blocks(
            [EscapeJob(link, int(d[i]), float(c[j] * float(d[i]) ** -a), int(horizon[i]),
                       int(children[i * c.size + j].generate_state(1)[0]), level, max(1, int(horizon[i]) // RECORDS))
             for i, j in cells], runs, executor=executor, block=block, progress=progress,
            desc=f"escape probability ({link.name})")
        prob[...] = np.isfinite(times).mean(axis=1).reshape(d.size, c.size)
        cells = []
    elif progress:
        from tqdm.auto import tqdm

        cells = tqdm(cells, desc=f"escape probability ({link.name})", unit="cell")
    for i, j in cells:
        result = online_sgd(link, int(d[i]), float(c[j] * float(d[i]) ** -a), int(horizon[i]), runs=runs,
                            seed=int(children[i * c.size + j].generate_state(1)[0]),
                            record_every=max(1, int(horizon[i]) // RECORDS), stop_at=level)
        prob[i, j] = np.isfinite(escape_times(result, level)).mean()
    crossing = np.array([_crossing(c, row) for row in prob])
    return EscapeProbability(link=link, d=d, c=c, eta_exponent=a, horizon=horizon, runs=runs, level=level,
                             probability=prob, crossing=crossing, seed=seed)


@dataclass(frozen=True, eq=False)
class PhaseDiagram:
    r"""Escape probability over the step-size constant and the horizon, at one ``d``.

    Attributes
    ----------
    link : Link
    d : int
    c : numpy.ndarray
        Constants of :math:`\eta = c\, d^{-k/2}`.
    times : numpy.ndarray
        Shape ``(len(c), runs)``: escape steps (``nan`` censored at the horizon).
    horizon : int
        Largest horizon, in steps.
    time_scale : float
        :math:`d^{k-1}`: the horizon axis is :math:`T / d^{k-1}`.
    grid : numpy.ndarray
        Horizons :math:`T/d^{k-1}` at which ``probability`` is evaluated.
    probability : numpy.ndarray
        Shape ``(len(c), len(grid))``: fraction of runs escaped by :math:`T`.
    level : float
    seed : int
    """

    link: object
    d: int
    c: np.ndarray
    times: np.ndarray
    horizon: int
    time_scale: float
    grid: np.ndarray
    probability: np.ndarray
    level: float
    seed: int


def phase_diagram(
    link: object, d: int, c_values: Sequence[float], *, horizon_scale: float = 40.0, runs: int = 48,
    level: float = 0.5, points: int = 60, seed: int = 0, progress: bool = False,
    executor: Executor | None = None, block: int | None = None,
) -> PhaseDiagram:
    r"""Escape probability :math:`P(T_{\rm esc} \le T)` over :math:`(c, T/d^{k-1})` for :math:`\eta = c\,d^{-k/2}`.

    One run set per ``c`` with horizon ``horizon_scale * d^(k-1)``; the probability at every
    shorter horizon is the empirical distribution function of the escape times (runs are
    stopped at escape, so the longer horizon costs nothing for them). ``executor`` and
    ``block`` as in :func:`escape_sweep` (same result whatever the executor).
    """
    check_link(link)
    d = check_int("d", d, 3)
    c = np.array([check_real("c_values entry", v, positive=True) for v in c_values])
    if c.size < 2:
        raise ValueError(f"c_values must hold at least two constants, got {c_values!r}")
    big_c = check_real("horizon_scale", horizon_scale, positive=True)
    runs = check_int("runs", runs, 1)
    points = check_int("points", points, 2)
    seed = check_seed(seed)
    k = link.information_exponent
    scale = float(d) ** (k - 1)
    horizon = max(1, int(big_c * scale))
    children = np.random.SeedSequence(seed).spawn(c.size)
    indices = range(c.size) if check_executor(executor) is None else ()
    times = np.empty((c.size, runs))
    etas = [float(c[j]) * float(d) ** (-k / 2) if k >= 3 else float(c[j]) / d for j in range(c.size)]
    if executor is not None:
        times = escape_times_blocks(
            [EscapeJob(link, d, etas[j], horizon, int(children[j].generate_state(1)[0]), level,
                       max(1, horizon // RECORDS)) for j in range(c.size)],
            runs, executor=executor, block=block, progress=progress, desc=f"phase diagram ({link.name}, d = {d})")
    elif progress:
        from tqdm.auto import tqdm

        indices = tqdm(indices, desc=f"phase diagram ({link.name}, d = {d})", unit="c")
    for j in indices:
        eta = etas[j]
        result = online_sgd(link, d, eta, horizon, runs=runs, seed=int(children[j].generate_state(1)[0]),
                            record_every=max(1, horizon // RECORDS), stop_at=level)
        times[j] = escape_times(result, level)
    grid = np.geomspace(big_c / 1000.0, big_c, points)
    with np.errstate(invalid="ignore"):
        probability = (times[:, :, None] <= grid[None, None, :] * scale).mean(axis=1)
    times.setflags(write=False)
    return PhaseDiagram(link=link, d=d, c=c, times=times, horizon=horizon, time_scale=scale, grid=grid,
                        probability=probability, level=level, seed=seed)


def crossing_interval(probability: EscapeProbability, *, n_boot: int = 2000, seed: int = 0,
                      confidence: float = 0.95) -> np.ndarray:
    r"""Percentile interval of each row's crossing of 1/2, by a parametric bootstrap of the counts.

    Each fraction :math:`\hat p_{ij}` of ``runs`` runs is redrawn as :math:`\mathrm{Bin}(n, \hat p_{ij})/n`
    (the runs of different cells are independent) and the crossing recomputed; returns an array of
    shape ``(len(d), 2)``. A fraction of 0 or 1 is redrawn as itself: the interval ignores the
    uncertainty of cells where no run (or every run) escaped.
    """
    if not isinstance(probability, EscapeProbability):
        raise TypeError(f"probability must be an EscapeProbability, got {type(probability).__name__}")
    n_boot = check_int("n_boot", n_boot, 10)
    confidence = check_real("confidence", confidence)
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    rng = np.random.default_rng(seed)
    n = probability.runs
    out = np.empty((probability.d.size, 2))
    for i, row in enumerate(probability.probability):
        draws = rng.binomial(n, row, size=(n_boot, row.size)) / n
        crossings = np.array([_crossing(probability.c, p) for p in draws])
        crossings = crossings[np.isfinite(crossings)]
        alpha = (1.0 - confidence) / 2
        out[i] = np.quantile(crossings, [alpha, 1 - alpha]) if crossings.size else (np.nan, np.nan)
    return out


def reach_probability(link: object, d: int, c_values: Sequence[float], *, horizon_scale: float, runs: int,
                      level: float, seed: int = 0) -> np.ndarray:
    r"""Fraction of runs that reach ``level`` by the horizon, on the draws of :func:`phase_diagram`.

    Same seeds, step sizes :math:`\eta = c\,d^{-k/2}` and horizon ``horizon_scale * d^(k-1)`` as
    :func:`phase_diagram`: the chain draws the same random numbers whatever the stopping level, so
    run ``r`` here is run ``r`` of the diagram, followed past its first touch of 1/2. Odd links count
    :math:`m_t \ge` ``level``, even links :math:`|m_t|`.
    """
    check_link(link)
    d = check_int("d", d, 3)
    c = np.array([check_real("c_values entry", v, positive=True) for v in c_values])
    scale = float(d) ** (link.information_exponent - 1)
    horizon = max(1, int(check_real("horizon_scale", horizon_scale, positive=True) * scale))
    runs = check_int("runs", runs, 1)
    level = check_real("level", level, positive=True)
    k = link.information_exponent
    children = np.random.SeedSequence(check_seed(seed)).spawn(c.size)
    out = np.empty(c.size)
    for j in range(c.size):
        eta = float(c[j]) * float(d) ** (-k / 2) if k >= 3 else float(c[j]) / d
        result = online_sgd(link, d, eta, horizon, runs=runs, seed=int(children[j].generate_state(1)[0]),
                            record_every=max(1, horizon // RECORDS), stop_at=level)
        out[j] = np.isfinite(escape_times(result, level)).mean()
    return out
