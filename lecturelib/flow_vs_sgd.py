r"""The gradient flow against its asymptotics, and online SGD against the flow (Lecture 3).

Everything here is built from the engines (:mod:`lecturelib.flow`, :mod:`lecturelib.sgd`);
it adds the measurements Lecture 3 states and its tests recompute.

* :func:`sphere_flow` -- the spherical gradient flow integrated in :math:`\mathbb{R}^d`, to
  check that its overlap obeys the scalar ODE.
* :func:`flow_curves` -- the exact flow of :math:`\dot m = k m^{k-1}(1 - m^2)`, its closed form
  against the numerical solution, and the small-overlap solution
  :math:`m^{-(k-2)} = m_0^{-(k-2)} - k(k-2)\tau` for :math:`k > 2`.
* :func:`flow_escape_table`, :func:`flow_escape_asymptote` -- escape times of the flow from
  :math:`m_0 = c_0/\sqrt d` against their leading behaviour: :math:`\operatorname{artanh}(\ell)`
  (``k = 1``), :math:`\tfrac14\ln d + O(1)` (``k = 2``) and
  :math:`d^{k/2-1}/(c_0^{k-2}k(k-2))` (``k >= 3``).
* :func:`sgd_flow_gap` -- online SGD with :math:`\eta = c/d` against the flow at time
  :math:`t\eta` (``t`` counts steps), and against the corrected ODE that SGD's mean follows.
* :func:`search_phase` -- per run, SGD's escape time against the flow's prediction from the
  same start.
* :func:`sgd_over_flow` -- a few SGD trajectories with the flow from each run's start (the
  widget of Lecture 3).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp
from scipy.stats import spearmanr

from ._validation import check_int, check_link, check_overlap, check_real, check_seed
from .experiments import censored_median
from .flow import effective_flow, flow_escape_time, gradient_flow, small_overlap_flow
from .links import Link
from .sgd import escape_times, online_sgd

__all__ = [
    "theorem_step_size",
    "loglog_slope",
    "SphereFlow",
    "sphere_flow",
    "FlowCurves",
    "flow_curves",
    "flow_escape_asymptote",
    "EscapeTable",
    "flow_escape_table",
    "FlowGap",
    "sgd_flow_gap",
    "SearchPhase",
    "search_phase",
    "Trajectories",
    "sgd_over_flow",
]


def _check_level(level: object) -> float:
    level = check_real("level", level)
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    return level


def _check_degrees(ks: Sequence[int]) -> tuple[int, ...]:
    if isinstance(ks, (str, bytes)) or not isinstance(ks, Sequence) or len(ks) == 0:
        raise TypeError(f"ks must be a non-empty sequence of integers >= 1, got {ks!r}")
    return tuple(check_int("ks entry", k, 1) for k in ks)


def _check_positive_array(name: str, values: object, minimum: float = 0.0) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a sequence of numbers, got {values!r}") from exc
    if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr <= minimum):
        raise ValueError(f"{name} must be a non-empty 1-D sequence of finite numbers > {minimum}, got {values!r}")
    return arr


def theorem_step_size(k: int, d: int, c: float) -> float:
    r"""The step size of the theorem of Ben Arous, Gheissari and Jagannath, with constant ``c``.

    .. math::

        \eta = c\, d^{-1} \quad (k \le 2), \qquad \eta = c\, d^{-k/2} \quad (k \ge 3).

    Parameters
    ----------
    k : int
        Information exponent, ``>= 1``.
    d : int
        Dimension, ``>= 3``.
    c : float
        Positive constant.
    """
    k = check_int("k", k, 1)
    d = check_int("d", d, 3)
    c = check_real("c", c, positive=True)
    return c / d if k <= 2 else c * d ** (-k / 2)


def loglog_slope(x: object, y: object) -> float:
    r"""Least-squares slope of :math:`\ln y` against :math:`\ln x`.

    Parameters
    ----------
    x, y : array_like
        Positive finite numbers, at least two distinct ``x``.
    """
    x = _check_positive_array("x", x)
    y = _check_positive_array("y", y)
    if x.shape != y.shape or np.unique(x).size < 2:
        raise ValueError(f"x and y must have the same length with at least two distinct x, got {x.size} and {y.size}")
    lx, ly = np.log(x), np.log(y)
    lx = lx - lx.mean()
    return float(lx @ (ly - ly.mean()) / (lx @ lx))


# --------------------------------------------------------------------------- the flow itself


@dataclass(frozen=True, eq=False)
class SphereFlow:
    r"""The spherical gradient flow computed in :math:`\mathbb{R}^d` (with :math:`w_* = e_1`).

    Attributes
    ----------
    link : Link
    d : int
    t : numpy.ndarray
        Times.
    overlap : numpy.ndarray
        :math:`\langle w(t), w_*\rangle`.
    norm : numpy.ndarray
        :math:`\|w(t)\|` (1 for the exact flow).
    """

    link: object
    d: int
    t: np.ndarray
    overlap: np.ndarray
    norm: np.ndarray


def sphere_flow(link: object, d: int, m0: float, t: object, seed: int = 0) -> SphereFlow:
    r"""Integrate :math:`dw/d\tau = -\nabla_S L(w) = \psi'(\langle w, w_*\rangle)\,(w_* - \langle w, w_*\rangle w)` in :math:`\mathbb{R}^d`.

    The start is :math:`w^0 = m_0 e_1 + \sqrt{1 - m_0^2}\, v` with :math:`v` a uniform unit
    vector orthogonal to :math:`w_* = e_1`; the ODE is solved with DOP853 (relative tolerance
    1e-11), without projecting back on the sphere, so ``norm`` measures how well the flow
    keeps :math:`\|w\| = 1` by itself.

    Parameters
    ----------
    link : Link
    d : int
        ``>= 2``.
    m0 : float
        In ``[-1, 1]``.
    t : array_like
        Increasing times ``>= 0``.
    seed : int, default 0
        Seed of the direction :math:`v`.
    """
    check_link(link)
    d = check_int("d", d, 2)
    m0 = check_overlap("m0", m0)
    t = np.asarray(t, dtype=float)
    if t.ndim != 1 or t.size == 0 or not np.all(np.isfinite(t)) or t[0] < 0 or np.any(np.diff(t) <= 0):
        raise ValueError(f"t must be a non-empty increasing 1-D array of finite times >= 0, got {t!r}")
    seed = check_seed(seed)
    v = np.random.default_rng(seed).standard_normal(d)
    v[0] = 0.0
    w0 = math.sqrt(1.0 - m0 * m0) * v / np.linalg.norm(v)
    w0[0] = m0
    w_star = np.zeros(d)
    w_star[0] = 1.0

    def minus_gradient(_: float, w: np.ndarray) -> np.ndarray:
        m = float(np.clip(w[0], -1.0, 1.0))
        return float(link.correlation_derivative(m)) * (w_star - m * w)

    sol = solve_ivp(minus_gradient, (0.0, float(t[-1])), w0, method="DOP853", t_eval=t, rtol=1e-11, atol=1e-13)
    if not sol.success:
        raise RuntimeError(f"the ODE solver failed (link={link.name!r}, d={d}, m0={m0}): {sol.message}")
    return SphereFlow(link, d, t, sol.y[0], np.linalg.norm(sol.y, axis=0))


@dataclass(frozen=True, eq=False)
class FlowCurves:
    r"""The flow of :math:`He_k/\sqrt{k!}` from one start, three ways.

    Attributes
    ----------
    k : tuple of int
    m0 : float
    t : tuple of numpy.ndarray
        Times, one grid per ``k``.
    closed : tuple of numpy.ndarray
        The exact solution (explicit for ``k = 1, 2``, the inverted implicit form for ``k >= 3``).
    numeric : tuple of numpy.ndarray
        The ODE integrated numerically (DOP853, relative tolerance 1e-11).
    small : tuple of numpy.ndarray
        The small-overlap solution (``inf`` after its blow-up).
    blowup : tuple of float
        Blow-up time :math:`\tau_* = m_0^{-(k-2)}/(k(k-2))` of the small-overlap solution for
        ``k >= 3``; ``nan`` for ``k <= 2``.
    """

    k: tuple[int, ...]
    m0: float
    t: tuple[np.ndarray, ...]
    closed: tuple[np.ndarray, ...]
    numeric: tuple[np.ndarray, ...]
    small: tuple[np.ndarray, ...]
    blowup: tuple[float, ...]

    @property
    def max_gap(self) -> tuple[float, ...]:
        """Per ``k``: :math:`\\max_t |m_{\\rm closed}(t) - m_{\\rm numeric}(t)|`."""
        return tuple(float(np.abs(c - n).max()) for c, n in zip(self.closed, self.numeric))


def flow_curves(ks: Sequence[int] = (1, 2, 3, 4), m0: float = 0.05, *, reach: float = 0.95,
                stretch: float = 1.3, points: int = 200) -> FlowCurves:
    r"""Solve :math:`\dot m = k m^{k-1}(1 - m^2)` from ``m0`` in closed form and numerically.

    Each ``k`` gets its own time grid, ``points`` times from 0 to ``stretch`` times the time
    the flow needs to reach ``reach``.

    Parameters
    ----------
    ks : sequence of int
        Exponents ``>= 1``.
    m0 : float
        Start, in ``(0, reach)``.
    reach : float, default 0.95
        Overlap in ``(0, 1)`` that fixes the horizon.
    stretch : float, default 1.3
        Horizon over the time to ``reach``, ``>= 1``.
    points : int, default 200
        Times per grid, ``>= 2``.
    """
    ks = _check_degrees(ks)
    reach = check_real("reach", reach)
    if not 0.0 < reach < 1.0:
        raise ValueError(f"reach must be in (0, 1), got {reach!r}")
    m0 = check_overlap("m0", m0)
    if not 0.0 < m0 < reach:
        raise ValueError(f"m0 must be in (0, reach={reach}), got {m0!r}")
    stretch = check_real("stretch", stretch)
    if stretch < 1.0:
        raise ValueError(f"stretch must be >= 1, got {stretch!r}")
    points = check_int("points", points, 2)
    t, closed, numeric, small, blowup = [], [], [], [], []
    for k in ks:
        link = Link.hermite(k)
        grid = np.linspace(0.0, stretch * flow_escape_time(link, m0, reach), points)
        t.append(grid)
        closed.append(gradient_flow(link, m0, grid, method="closed"))
        numeric.append(gradient_flow(link, m0, grid, method="numeric"))
        small.append(small_overlap_flow(link, m0, grid))
        blowup.append(m0 ** -(k - 2) / (k * (k - 2)) if k >= 3 else math.nan)
    return FlowCurves(tuple(ks), m0, tuple(t), tuple(closed), tuple(numeric), tuple(small), tuple(blowup))


def flow_escape_asymptote(k: int, d: object, c: float = 1.0, level: float = 0.5) -> np.ndarray:
    r"""Leading behaviour of the flow's escape time from :math:`m_0 = c_0/\sqrt d` for :math:`He_k`.

    .. math::

        \tau_{\rm esc}(d) \approx
        \begin{cases}
        \operatorname{artanh}(\ell) & k = 1 \quad (O(1)),\\
        \tfrac14 \ln\!\big(d\,\ell^2 / (c_0^2 (1 - \ell^2))\big) & k = 2 \quad (\tfrac12\ln(1/m_0) + O(1)),\\
        \dfrac{d^{k/2-1}}{c_0^{k-2}\, k (k-2)} & k \ge 3,
        \end{cases}

    with :math:`\ell` the level. For ``k = 1`` and ``k = 2`` the error is :math:`O(d^{-1/2})`
    and :math:`O(1/d)`; for ``k >= 3`` the relative error is :math:`O(d^{-1/2})` for ``k = 3``
    and :math:`O(\ln d / d^{k/2-1})` for ``k >= 4`` (the next terms of the antiderivative).

    Parameters
    ----------
    k : int
        ``>= 1``.
    d : array_like
        Dimensions ``> c^2`` (so that :math:`m_0 < 1`).
    c : float, default 1
        The start constant :math:`c_0`, positive.
    level : float, default 0.5
        In ``(0, 1)``.
    """
    k = check_int("k", k, 1)
    c = check_real("c", c, positive=True)
    level = _check_level(level)
    d = _check_positive_array("d", np.atleast_1d(d), minimum=c * c)
    if k == 1:
        return np.full(d.shape, math.atanh(level))
    if k == 2:
        return 0.25 * np.log(d * level**2 / (c * c * (1.0 - level**2)))
    return d ** (k / 2 - 1) / (c ** (k - 2) * k * (k - 2))


@dataclass(frozen=True, eq=False)
class EscapeTable:
    r"""Escape times of the flow of :math:`He_k/\sqrt{k!}` from :math:`m_0 = c_0/\sqrt d`.

    Attributes
    ----------
    k : tuple of int
    d : numpy.ndarray
        Dimensions.
    c : float
    level : float
    time : numpy.ndarray
        Shape ``(len(k), len(d))``: exact escape times (:func:`~lecturelib.flow.flow_escape_time`).
    asymptote : numpy.ndarray
        Same shape: :func:`flow_escape_asymptote`.
    """

    k: tuple[int, ...]
    d: np.ndarray
    c: float
    level: float
    time: np.ndarray
    asymptote: np.ndarray

    @property
    def ratio(self) -> np.ndarray:
        """Exact escape time over its leading behaviour (tends to 1 as ``d`` grows)."""
        return self.time / self.asymptote

    def _row(self, k: int, d_min: float) -> tuple[np.ndarray, np.ndarray]:
        if k not in self.k:
            raise ValueError(f"k must be one of {self.k}, got {k!r}")
        keep = self.d >= d_min
        if keep.sum() < 2:
            raise ValueError(f"d_min={d_min!r} leaves fewer than two dimensions of {self.d.tolist()}")
        return self.d[keep], self.time[self.k.index(k)][keep]

    def exponent(self, k: int, d_min: float = 0.0) -> float:
        r"""Least-squares slope of :math:`\ln T` on :math:`\ln d` over ``d >= d_min``."""
        d, time = self._row(k, d_min)
        return loglog_slope(d, time)

    def log_slope(self, k: int, d_min: float = 0.0) -> float:
        r"""Least-squares slope of :math:`T` on :math:`\ln d` over ``d >= d_min`` (``1/4`` for ``k = 2``)."""
        d, time = self._row(k, d_min)
        x = np.log(d) - np.log(d).mean()
        return float(x @ (time - time.mean()) / (x @ x))


def flow_escape_table(ks: Sequence[int] = (1, 2, 3, 4), d_values: object = np.logspace(1, 6, 11),
                      c: float = 1.0, level: float = 0.5) -> EscapeTable:
    r"""Escape times :math:`\tau_{\rm esc}(d)` of the flow from :math:`m_0 = c_0/\sqrt d` to ``level``, with the theory.

    Parameters
    ----------
    ks : sequence of int
        Exponents ``>= 1``.
    d_values : array_like
        Dimensions ``> c^2/level^2`` (the start lies below the level).
    c : float, default 1
        The start constant :math:`c_0`.
    level : float, default 0.5
    """
    ks = _check_degrees(ks)
    c = check_real("c", c, positive=True)
    level = _check_level(level)
    d = _check_positive_array("d_values", d_values, minimum=(c / level) ** 2)
    time = np.array([[flow_escape_time(Link.hermite(k), c / math.sqrt(di), level) for di in d] for k in ks])
    asymptote = np.array([flow_escape_asymptote(k, d, c, level) for k in ks])
    return EscapeTable(ks, d, c, level, time, asymptote)


# --------------------------------------------------------------------------- SGD against the flow


@dataclass(frozen=True, eq=False)
class FlowGap:
    r"""Online SGD with :math:`\eta = c/d` against the gradient flow at time :math:`\tau = t\eta`.

    For each ``c``: runs start at ``m0``, the overlap is recorded up to :math:`\tau_{\max}`,
    and the loss :math:`L(w^t)` is compared with :math:`L(w(t\eta))` of the flow and with
    :math:`L` of the corrected flow :func:`~lecturelib.flow.effective_flow` (for :math:`He_1`,
    :math:`dm/d\tau = (1 - m)(1 + m - c\,m)`).

    Attributes
    ----------
    link : Link
    d : int
    c : numpy.ndarray
        The constants :math:`c = \eta d`.
    eta : numpy.ndarray
        Step sizes :math:`c/d`.
    m0 : float
    runs : int
    seed : int
        The same seed for every ``c`` (common random numbers).
    tau_max : float
    tau : tuple of numpy.ndarray
        Recorded times :math:`t\eta`, one array per ``c``.
    mean : tuple of numpy.ndarray
        Mean overlap over runs.
    flow, corrected : tuple of numpy.ndarray
        Overlap of the flow and of the corrected flow at those times.
    error : numpy.ndarray
        Per ``c``: mean over runs of :math:`\sup_{t\eta \le \tau_{\max}} |L(w^t) - L(w(t\eta))|`.
    bias : numpy.ndarray
        :math:`\sup_t |\overline{L(w^t)} - L(w(t\eta))|`: the error of the mean loss.
    fluctuation : numpy.ndarray
        Mean over runs of :math:`\sup_t |L(w^t) - L(\tilde m(t\eta))|`, :math:`\tilde m` the
        corrected flow.
    predicted_bias : numpy.ndarray
        :math:`\sup_t |L(\tilde m(t\eta)) - L(w(t\eta))|`: the bias the corrected ODE predicts.
    """

    link: object
    d: int
    c: np.ndarray
    eta: np.ndarray
    m0: float
    runs: int
    seed: int
    tau_max: float
    tau: tuple[np.ndarray, ...]
    mean: tuple[np.ndarray, ...]
    flow: tuple[np.ndarray, ...]
    corrected: tuple[np.ndarray, ...]
    error: np.ndarray
    bias: np.ndarray
    fluctuation: np.ndarray
    predicted_bias: np.ndarray

    @property
    def scale(self) -> np.ndarray:
        r"""The shape :math:`\sqrt{d\eta} = \sqrt c` of the notes' bound."""
        return np.sqrt(self.d * self.eta)

    @property
    def bound_constant(self) -> float:
        r"""Fitted constant :math:`C`: the smallest with ``error <= C sqrt(d eta)`` at every ``c`` measured."""
        return float(np.max(self.error / self.scale))

    @property
    def error_exponent(self) -> float:
        """Log-log slope of ``error`` against :math:`d\\eta`."""
        return loglog_slope(self.c, self.error)

    @property
    def bias_exponent(self) -> float:
        """Log-log slope of ``bias`` against :math:`d\\eta` (1: the bias is linear in ``c``)."""
        return loglog_slope(self.c, self.bias)

    @property
    def fluctuation_exponent(self) -> float:
        """Log-log slope of ``fluctuation`` against :math:`d\\eta` (1/2: a fluctuation of size :math:`\\sqrt\\eta`)."""
        return loglog_slope(self.c, self.fluctuation)


def sgd_flow_gap(link: object, d: int, c_values: object, *, tau_max: float = 3.0, runs: int = 100,
                 m0: float = 0.0, seed: int = 0, records: int = 300) -> FlowGap:
    r"""Measure how far online SGD with :math:`\eta = c/d` stays from the flow, for each ``c``.

    Runs ``runs`` trajectories of :func:`~lecturelib.sgd.online_sgd` (overlap engine) for
    :math:`\lceil \tau_{\max}/\eta\rceil` steps from ``m0`` and compares them with
    :func:`~lecturelib.flow.gradient_flow` at :math:`\tau = t\eta` and with
    :func:`~lecturelib.flow.effective_flow` (``eta_d = c``); see :class:`FlowGap`.

    Parameters
    ----------
    link : Link
        A link the overlap engine compiles.
    d : int
        Dimension, ``>= 3``.
    c_values : array_like
        Constants :math:`c = \eta d > 0`.
    tau_max : float, default 3
        Horizon in flow time :math:`t\eta`, positive.
    runs : int, default 100
    m0 : float, default 0
        The common start.
    seed : int, default 0
    records : int, default 300
        About this many records per run (``>= 2``).
    """
    check_link(link)
    d = check_int("d", d, 3)
    c = _check_positive_array("c_values", c_values)
    tau_max = check_real("tau_max", tau_max, positive=True)
    runs = check_int("runs", runs, 1)
    m0 = check_overlap("m0", m0)
    seed = check_seed(seed)
    if seed is None:
        raise TypeError("seed must be an integer >= 0, got None")
    records = check_int("records", records, 2)
    eta = c / d
    taus, means, flows, corrected = [], [], [], []
    error, bias, fluctuation, predicted = (np.empty(c.size) for _ in range(4))
    for i, (ci, eta_i) in enumerate(zip(c, eta)):
        steps = math.ceil(tau_max / eta_i)
        result = online_sgd(link, d, float(eta_i), steps, runs=runs, m0=m0, seed=seed,
                            record_every=max(1, steps // records))
        tau = result.steps * eta_i
        flow = gradient_flow(link, m0, tau)
        tilde = effective_flow(link, m0, tau, eta_d=float(ci))
        loss = np.asarray(link.population_loss(result.overlap))
        flow_loss = np.asarray(link.population_loss(flow))
        tilde_loss = np.asarray(link.population_loss(tilde))
        error[i] = np.abs(loss - flow_loss).max(axis=1).mean()
        bias[i] = np.abs(loss.mean(axis=0) - flow_loss).max()
        fluctuation[i] = np.abs(loss - tilde_loss).max(axis=1).mean()
        predicted[i] = np.abs(tilde_loss - flow_loss).max()
        taus.append(tau)
        means.append(result.overlap.mean(axis=0))
        flows.append(flow)
        corrected.append(tilde)
    return FlowGap(link, d, c, eta, m0, runs, seed, tau_max, tuple(taus), tuple(means), tuple(flows),
                   tuple(corrected), error, bias, fluctuation, predicted)


@dataclass(frozen=True, eq=False)
class SearchPhase:
    r"""Per run: the escape time of online SGD against the flow's prediction from the same start.

    Times are in flow units :math:`\tau = t\eta`.

    Attributes
    ----------
    link : Link
    d : int
    eta : float
    level : float
    tau_max : float
        Horizon; a run that has not escaped by then is censored.
    m0 : numpy.ndarray
        Start of each run (uniform on the sphere).
    sgd_time : numpy.ndarray
        :math:`\eta` times the first step with overlap (``|m|`` for even links) at the level;
        ``nan`` if censored.
    flow_time : numpy.ndarray
        :func:`~lecturelib.flow.flow_escape_time` from the run's start; ``inf`` where the flow
        never escapes (:math:`m_0 \le 0` for odd :math:`k \ge 3`).
    typical_flow_time : float
        The flow's escape time from the typical start :math:`1/\sqrt d`.
    """

    link: object
    d: int
    eta: float
    level: float
    tau_max: float
    m0: np.ndarray
    sgd_time: np.ndarray
    flow_time: np.ndarray
    typical_flow_time: float

    @property
    def censored_fraction(self) -> float:
        """Fraction of runs that had not escaped by the horizon."""
        return float(np.isnan(self.sgd_time).mean())

    @property
    def flow_never_fraction(self) -> float:
        """Fraction of starts from which the flow never reaches the level."""
        return float(np.isinf(self.flow_time).mean())

    @property
    def escaped_where_flow_never(self) -> float:
        """Among the starts where the flow never escapes, the fraction SGD escaped from (``nan`` if none)."""
        never = np.isinf(self.flow_time)
        return float(np.isfinite(self.sgd_time[never]).mean()) if never.any() else math.nan

    @property
    def median_sgd_time(self) -> float:
        """Median SGD escape time, censored runs counted as late (``nan`` if half are censored)."""
        return float(censored_median(self.sgd_time)[0])

    @property
    def rank_correlation(self) -> float:
        """Spearman correlation of SGD's and the flow's escape times over runs where both are finite."""
        both = np.isfinite(self.sgd_time) & np.isfinite(self.flow_time)
        if both.sum() < 3:
            return math.nan
        return float(spearmanr(self.sgd_time[both], self.flow_time[both])[0])


def search_phase(link: object, d: int, eta: float, *, tau_max: float, runs: int = 200, seed: int = 0,
                 level: float = 0.5, records: int = 4000) -> SearchPhase:
    r"""SGD's escape times from uniform starts, each with the flow's prediction from the same start.

    Runs are stopped at escape; escape times are resolved to ``tau_max / records``.

    Parameters
    ----------
    link : Link
    d : int
        Dimension, ``>= 3``.
    eta : float
        Step size, positive.
    tau_max : float
        Horizon in flow time :math:`t\eta`, positive.
    runs : int, default 200
    seed : int, default 0
    level : float, default 0.5
        In ``(0, 1)``.
    records : int, default 4000
        ``>= 2``.
    """
    check_link(link)
    d = check_int("d", d, 3)
    eta = check_real("eta", eta, positive=True)
    tau_max = check_real("tau_max", tau_max, positive=True)
    runs = check_int("runs", runs, 1)
    seed = check_seed(seed)
    if seed is None:
        raise TypeError("seed must be an integer >= 0, got None")
    level = _check_level(level)
    records = check_int("records", records, 2)
    steps = math.ceil(tau_max / eta)
    result = online_sgd(link, d, eta, steps, runs=runs, seed=seed, stop_at=level,
                        record_every=max(1, steps // records))
    m0 = result.overlap[:, 0].copy()
    flow_time = np.array([flow_escape_time(link, float(m), level) for m in m0])
    return SearchPhase(link, d, eta, level, tau_max, m0, escape_times(result, level) * eta, flow_time,
                       flow_escape_time(link, 1.0 / math.sqrt(d), level))


# --------------------------------------------------------------------------- the widget's computation


@dataclass(frozen=True, eq=False)
class Trajectories:
    r"""A few online SGD runs of :math:`He_k/\sqrt{k!}` with the flow from each run's start.

    Attributes
    ----------
    link : Link
    d : int
    eta : float
        :func:`theorem_step_size` of ``eta_scale``.
    eta_scale : float
    seed : int
    level : float
    tau : numpy.ndarray
        Recorded times :math:`t\eta`.
    overlap : numpy.ndarray
        Shape ``(runs, len(tau))``.
    flow : numpy.ndarray
        Same shape: the gradient flow from each run's start.
    truncated : bool
        Whether the horizon was cut to ``max_steps`` steps.
    """

    link: object
    d: int
    eta: float
    eta_scale: float
    seed: int
    level: float
    tau: np.ndarray
    overlap: np.ndarray
    flow: np.ndarray
    truncated: bool


def sgd_over_flow(k: int, d: int, eta_scale: float, seed: int = 0, *, runs: int = 6, level: float = 0.5,
                  tau_factor: float = 6.0, max_steps: int = 2_000_000, records: int = 400) -> Trajectories:
    r"""Online SGD for :math:`He_k/\sqrt{k!}` with the theorem's step size, and the flow from each start.

    The step is :math:`\eta` = :func:`theorem_step_size` ``(k, d, eta_scale)``; the horizon
    is ``tau_factor`` times the flow's escape time from :math:`1/\sqrt d`, in flow time
    :math:`t\eta`, cut at ``max_steps`` steps.

    Parameters
    ----------
    k : int
        ``>= 1``.
    d : int
        ``>= 3``.
    eta_scale : float
        The constant ``c`` of the step size, positive.
    seed : int, default 0
    runs : int, default 6
    level : float, default 0.5
        Escape level used for the horizon, in ``(0, 1)``.
    tau_factor : float, default 6
        Positive.
    max_steps : int, default 2_000_000
        ``>= 1``.
    records : int, default 400
        ``>= 2``.
    """
    eta = theorem_step_size(k, d, eta_scale)
    seed = check_seed(seed)
    if seed is None:
        raise TypeError("seed must be an integer >= 0, got None")
    runs = check_int("runs", runs, 1)
    level = _check_level(level)
    tau_factor = check_real("tau_factor", tau_factor, positive=True)
    max_steps = check_int("max_steps", max_steps, 1)
    records = check_int("records", records, 2)
    link = Link.hermite(k)
    horizon = tau_factor * flow_escape_time(link, 1.0 / math.sqrt(d), level)
    steps = math.ceil(horizon / eta)
    truncated = steps > max_steps
    steps = min(steps, max_steps)
    result = online_sgd(link, d, eta, steps, runs=runs, seed=seed, record_every=max(1, steps // records))
    tau = result.steps * eta
    flow = np.array([gradient_flow(link, float(m), tau, method="numeric") for m in result.overlap[:, 0]])
    return Trajectories(link, d, eta, float(eta_scale), seed, level, tau, result.overlap, flow, truncated)
