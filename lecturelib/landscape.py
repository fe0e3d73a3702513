r"""The population landscape on the sphere and the law of a random start.

A link :math:`f = \sum_k \mu_k He_k/k!` (a :class:`~lecturelib.links.Link`) defines on the
unit sphere :math:`\mathbb S^{d-1}` the population loss

.. math::

    L(w) = \tfrac12\,\mathbb E\big[(f(\langle w_*, x\rangle) - f(\langle w, x\rangle))^2\big]
         = \psi(1) - \psi(m), \qquad
    \psi(m) = \sum_{k\ge0} \frac{\mu_k^2}{k!}\, m^k, \quad m = \langle w, w_*\rangle .

It depends on :math:`w` only through :math:`m`, so its spherical (Riemannian) gradient is

.. math::

    \nabla_S L(w) = (I - w w^\top)\,\nabla L(w) = -\psi'(m)\,(w_* - m\, w), \qquad
    \langle w_*, \nabla_S L(w)\rangle = -(1 - m^2)\,\psi'(m), \qquad
    \|\nabla_S L(w)\| = |\psi'(m)|\sqrt{1 - m^2}.

For :math:`He_k/\sqrt{k!}`: :math:`L = 1 - m^k` and :math:`\nabla_S L = -k m^{k-1}(w_* - m w)`.

The start :math:`w^0 \sim \mathrm{Unif}(\mathbb S^{d-1})` has the overlap
:math:`m_0 = \langle w^0, w_*\rangle` with density

.. math::

    p_d(m) = \frac{(1 - m^2)^{(d-3)/2}}{B(\tfrac12, \tfrac{d-1}{2})}, \qquad -1 < m < 1,

(:math:`m_0^2 \sim \mathrm{Beta}(\tfrac12, \tfrac{d-1}{2})`, :math:`\mathbb E m_0^2 = 1/d`),
so :math:`\sqrt d\, m_0 \to N(0, 1)` and a random start lands in the band
:math:`|m| \lesssim 1/\sqrt d`, where :math:`\|\nabla_S L\| \approx d^{-(k_*-1)/2}`.

Critical points: :math:`\nabla_S L(w) = 0` iff :math:`m = \pm 1` or :math:`\psi'(m) = 0`.
The equator :math:`m = 0` is stationary iff :math:`\mu_1 = 0`, i.e. :math:`k_* \ge 2`; it is
then a set of maxima of :math:`L` for even :math:`k_*` (global ones for :math:`He_k`) and a
degenerate saddle for odd :math:`k_* \ge 3` (:func:`classify_equator`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from numpy.typing import ArrayLike
from numpy.polynomial.legendre import leggauss
from scipy.optimize import brentq
from scipy.special import betaincc, betaincinv, erfc, poch

from ._validation import check_int, check_link, check_seed
from .hermite import _check_points
from .links import Link, _check_overlap

__all__ = [
    "loss",
    "spherical_gradient",
    "signal_component",
    "gradient_norm",
    "start_overlap_normalizer",
    "start_overlap_density",
    "sample_start_overlap",
    "uniform_sphere",
    "start_overlap_tail",
    "start_overlap_tail_limit",
    "start_overlap_tail_bound",
    "start_band",
    "expected_start_gradient_norm",
    "StartGradients",
    "start_gradients",
    "GradientScaling",
    "start_gradient_scaling",
    "CriticalOverlap",
    "critical_overlaps",
    "EquatorType",
    "classify_equator",
    "SphereGrid",
    "sphere_grid",
    "LandscapeProfile",
    "landscape_profile",
    "DEFAULT_W_STAR",
]

_UNIT_TOL = 1e-9  # |‖w‖ - 1| allowed for a "unit" vector built in floating point
_CHUNK = 2_000_000  # floats drawn at a time when sampling explicit vectors (~16 MB)
_S_MAX = 40.0  # |theta| > 40/sqrt(d) has weight cos(theta)^(d-2) < 1e-300 (d >= 650; below, all of it is kept)
_GL_NODES = 20
_ROOT_GRID = 2000  # even: the grid that brackets zeros of psi' never contains m = 0 itself
_SIDE = 1e-6  # how far inside (-1, 1) the sign of psi' is read next to the poles

DEFAULT_W_STAR: tuple[float, float, float] = (
    math.cos(math.radians(40)) * math.cos(math.radians(-35)),
    math.cos(math.radians(40)) * math.sin(math.radians(-35)),
    math.sin(math.radians(40)),
)
"""The target of the pictures on :math:`\\mathbb S^2`: latitude 40°, longitude -35°."""


# --------------------------------------------------------------------------- validation


def _check_dimension(d: object) -> int:
    if isinstance(d, bool) or not isinstance(d, Integral):
        raise TypeError(f"d must be an integer >= 2 (the sphere S^(d-1)), got {d!r}")
    if d < 2:
        raise ValueError(f"d must be an integer >= 2 (the sphere S^(d-1)), got {d!r}")
    return int(d)


def _check_unit(name: str, v: ArrayLike, *, single: bool) -> np.ndarray:
    arr = _check_points(name, v)
    if arr.ndim == 0 or (single and arr.ndim != 1) or arr.shape[-1] < 2:
        allowed = "a 1-D unit vector" if single else "unit vectors along the last axis"
        raise ValueError(f"{name} must be {allowed} of length d >= 2, got shape {arr.shape}")
    norms = np.linalg.norm(arr, axis=-1)
    if np.any(np.abs(norms - 1.0) > _UNIT_TOL):
        bad = norms[np.abs(norms - 1.0) > _UNIT_TOL].ravel()[0]
        raise ValueError(f"{name} must have unit norm (within {_UNIT_TOL:g}), got a norm {bad!r}")
    return arr


def _check_pair(w: ArrayLike, w_star: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    w_star = _check_unit("w_star", w_star, single=True)
    w = _check_unit("w", w, single=False)
    if w.shape[-1] != w_star.shape[0]:
        raise ValueError(
            f"w must have the dimension of w_star ({w_star.shape[0]}) along its last axis, got shape {w.shape}"
        )
    return w, w_star


def _check_probability(name: str, p: object) -> float:
    if isinstance(p, bool) or not isinstance(p, Real) or not 0.0 < float(p) < 1.0:
        raise ValueError(f"{name} must be a number in (0, 1), got {p!r}")
    return float(p)


def _frozen(a: ArrayLike) -> np.ndarray:
    a = np.array(a, dtype=float)
    a.setflags(write=False)
    return a


def _scalar_or_array(values: np.ndarray) -> float | np.ndarray:
    return float(values) if np.ndim(values) == 0 else values


# --------------------------------------------------------------------------- loss and gradient


def _overlap(w: np.ndarray, w_star: np.ndarray) -> np.ndarray:
    return np.clip(w @ w_star, -1.0, 1.0)


def loss(w: ArrayLike, w_star: ArrayLike, link: Link) -> float | np.ndarray:
    r"""Population loss :math:`L(w) = \psi(1) - \psi(\langle w, w_*\rangle)` on the sphere.

    Parameters
    ----------
    w : array_like, shape (..., d)
        Unit vectors (along the last axis).
    w_star : array_like, shape (d,)
        The unit target :math:`w_*`.
    link : Link

    Returns
    -------
    float or numpy.ndarray of shape ``w.shape[:-1]``
    """
    check_link(link)
    w, w_star = _check_pair(w, w_star)
    return link.population_loss(_overlap(w, w_star))


def spherical_gradient(w: ArrayLike, w_star: ArrayLike, link: Link) -> np.ndarray:
    r"""Spherical gradient :math:`\nabla_S L(w) = (I - ww^\top)\nabla L(w) = -\psi'(m)\,(w_* - m\,w)`.

    With :math:`m = \langle w, w_*\rangle`; for :math:`He_k/\sqrt{k!}` it is
    :math:`-k\,m^{k-1}(w_* - m\,w)`. It is tangent to the sphere at ``w`` and vanishes at
    :math:`w = \pm w_*` (also for ``sign``, whose :math:`\psi'` is infinite there).

    Parameters
    ----------
    w : array_like, shape (..., d)
        Unit vectors (along the last axis).
    w_star : array_like, shape (d,)
    link : Link

    Returns
    -------
    numpy.ndarray, shape of ``w``
    """
    check_link(link)
    w, w_star = _check_pair(w, w_star)
    m = _overlap(w, w_star)
    tangent = w_star - m[..., None] * w
    pole = np.abs(m) == 1.0
    slope = np.asarray(link.correlation_derivative(np.where(pole, 0.0, m)))
    return np.where(pole[..., None], 0.0, -slope[..., None] * tangent)


def signal_component(m: ArrayLike, link: Link) -> float | np.ndarray:
    r"""Component of the gradient along the target: :math:`\langle w_*, \nabla_S L(w)\rangle = -(1 - m^2)\,\psi'(m)`.

    For :math:`He_k/\sqrt{k!}` it is :math:`-k\,m^{k-1}(1 - m^2)`. Negative means that a
    gradient step moves toward :math:`w_*`; its negative is the drift of the gradient flow.

    Parameters
    ----------
    m : array_like
        Overlaps in ``[-1, 1]``.
    link : Link
    """
    check_link(link)
    return _scalar_or_array(-np.asarray(link.drift(_check_overlap(m))))


def gradient_norm(m: ArrayLike, link: Link) -> float | np.ndarray:
    r"""Norm of the spherical gradient at overlap ``m``: :math:`\|\nabla_S L\| = |\psi'(m)|\sqrt{1 - m^2}`.

    For :math:`He_k/\sqrt{k!}` it is :math:`k\,|m|^{k-1}\sqrt{1 - m^2}`; it is 0 at :math:`|m| = 1`.
    """
    check_link(link)
    m = _check_overlap(m)
    pole = np.abs(m) == 1.0
    slope = np.asarray(link.correlation_derivative(np.where(pole, 0.0, m)))
    return _scalar_or_array(np.where(pole, 0.0, np.abs(slope) * np.sqrt((1.0 - m) * (1.0 + m))))


# --------------------------------------------------------------------------- the random start


def start_overlap_normalizer(d: int) -> float:
    r"""Normalizing constant :math:`b_d = 1/B(\tfrac12, \tfrac{d-1}{2}) = \Gamma(\tfrac d2)/(\sqrt\pi\,\Gamma(\tfrac{d-1}{2}))`.

    It is the density of :math:`m_0` at 0, the maximum for ``d >= 3``; :math:`b_d \le \sqrt{(d-1)/(2\pi)}`
    (log-convexity of :math:`\Gamma`) and :math:`b_d/\sqrt d \to 1/\sqrt{2\pi}`.
    """
    d = _check_dimension(d)
    # poch(a, 1/2) = Gamma(a + 1/2)/Gamma(a) keeps full precision where lgamma differences lose ~1e-10.
    return float(poch(0.5 * (d - 1), 0.5)) / math.sqrt(math.pi)


def start_overlap_density(m: ArrayLike, d: int) -> float | np.ndarray:
    r"""Density of :math:`m_0 = \langle w^0, w_*\rangle` for :math:`w^0 \sim \mathrm{Unif}(\mathbb S^{d-1})`.

    .. math:: p_d(m) = b_d\,(1 - m^2)^{(d-3)/2}, \qquad b_d = 1/B(\tfrac12, \tfrac{d-1}{2}).

    ``d = 2`` is the arcsine law (infinite at :math:`\pm1`), ``d = 3`` the uniform law on
    ``[-1, 1]`` (Archimedes).

    Parameters
    ----------
    m : array_like
        Points of ``[-1, 1]``.
    d : int
        Dimension, ``d >= 2``.
    """
    d = _check_dimension(d)
    m = _check_overlap(m)
    with np.errstate(divide="ignore"):
        values = start_overlap_normalizer(d) * ((1.0 - m) * (1.0 + m)) ** (0.5 * (d - 3))
    return _scalar_or_array(values)


def sample_start_overlap(d: int, size: int, seed: int | None = None) -> np.ndarray:
    r"""Draw ``size`` independent overlaps :math:`m_0 = \langle w^0, w_*\rangle`, :math:`w^0 \sim \mathrm{Unif}(\mathbb S^{d-1})`.

    Exact in law at :math:`O(1)` cost per draw: with :math:`w^0 = g/\|g\|`,
    :math:`g \sim N(0, I_d)` and :math:`w_* = e_1`, :math:`m_0 = g_1/\sqrt{g_1^2 + \chi^2_{d-1}}`.

    Parameters
    ----------
    d : int
        Dimension, ``d >= 2``.
    size : int
        Number of draws, ``>= 1``.
    seed : int or None
        Seed of ``numpy.random.default_rng``.
    """
    d = _check_dimension(d)
    size = check_int("size", size, 1)
    rng = np.random.default_rng(check_seed(seed))
    g = rng.standard_normal(size)
    return g / np.sqrt(g * g + rng.chisquare(d - 1, size))


def uniform_sphere(d: int, size: int, seed: int | None = None) -> np.ndarray:
    r"""``size`` independent uniform points of :math:`\mathbb S^{d-1}`, as rows :math:`g/\|g\|`, :math:`g \sim N(0, I_d)`."""
    d = _check_dimension(d)
    size = check_int("size", size, 1)
    g = np.random.default_rng(check_seed(seed)).standard_normal((size, d))
    return g / np.linalg.norm(g, axis=1, keepdims=True)


def start_overlap_tail(c: ArrayLike, d: int) -> float | np.ndarray:
    r"""Exact :math:`P(m_0 \ge c/\sqrt d)` for :math:`w^0 \sim \mathrm{Unif}(\mathbb S^{d-1})`.

    With :math:`t = c/\sqrt d` and :math:`I_x(a, b)` the regularized incomplete beta function,

    .. math::

        P(m_0 \ge t) = \tfrac12\,\big(1 - I_{t^2}(\tfrac12, \tfrac{d-1}{2})\big) \quad (0 \le t \le 1),

    :math:`1 - P(m_0 \ge |t|)` for :math:`-1 \le t < 0`, 0 above 1 and 1 below -1, because
    :math:`m_0` is symmetric and :math:`m_0^2 \sim \mathrm{Beta}(\tfrac12, \tfrac{d-1}{2})`.
    Here ``c`` is the start constant :math:`c_0` of the lectures (:math:`m_0 = c_0/\sqrt d`). The
    spherical-cap bound :math:`P(m_0 \ge t) \le e^{-d t^2/2}` (Ball 1997, Lemma 2.2) holds for every
    :math:`t \ge 0` (Lecture 2 checks it for ``d = 3 .. 1000``).

    Parameters
    ----------
    c : array_like
        Finite real numbers.
    d : int
        Dimension, ``d >= 2``.
    """
    d = _check_dimension(d)
    c = _check_points("c", c)
    t = c / math.sqrt(d)
    upper = 0.5 * betaincc(0.5, 0.5 * (d - 1), np.minimum(t * t, 1.0))
    return _scalar_or_array(np.where(t >= 0.0, upper, 1.0 - upper))


def start_overlap_tail_limit(c: ArrayLike) -> float | np.ndarray:
    r"""The :math:`d \to \infty` limit of :math:`P(m_0 \ge c/\sqrt d)`: :math:`1 - \Phi(c) = \tfrac12\operatorname{erfc}(c/\sqrt2)`."""
    c = _check_points("c", c)
    return _scalar_or_array(0.5 * erfc(c / math.sqrt(2.0)))


def start_overlap_tail_bound(c: ArrayLike) -> float | np.ndarray:
    r"""The lower bound :math:`P(m_0 \ge c/\sqrt d) \ge \tfrac12 - \varepsilon(c)`, :math:`\varepsilon(c) = c/\sqrt{2\pi}`, for every ``d >= 3``, ``c >= 0``.

    Proof: :math:`P(m_0 \ge 0) = \tfrac12` and the density is at most :math:`b_d \le \sqrt{(d-1)/(2\pi)}`
    on :math:`[0, c/\sqrt d]`.
    """
    c = _check_points("c", c)
    if np.any(c < 0):
        raise ValueError(f"c must be >= 0 for the bound 1/2 - c/sqrt(2 pi), got a value {c[c < 0].ravel()[0]}")
    return _scalar_or_array(0.5 - c / math.sqrt(2.0 * math.pi))


def start_band(d: int, probability: float = 0.95) -> float:
    r"""Half-width :math:`q` of the band where a random start lands: :math:`P(|m_0| \le q) = ` ``probability``.

    :math:`q = \sqrt{I^{-1}_{p}(\tfrac12, \tfrac{d-1}{2})}` (inverse regularized incomplete
    beta); :math:`q\sqrt d \to \Phi^{-1}((1 + p)/2)` (1.96 for ``p = 0.95``).
    """
    d = _check_dimension(d)
    p = _check_probability("probability", probability)
    return math.sqrt(float(betaincinv(0.5, 0.5 * (d - 1), p)))


def _start_expectation(
    g: Callable[[np.ndarray], ArrayLike], d: int, breaks: tuple[float, ...] = ()
) -> float:
    r"""E[g(m0)] for a vectorized ``g``, by composite Gauss--Legendre quadrature in :math:`\theta = \arcsin m`.

    :math:`\mathbb E g(m_0) = b_d \int_{-\pi/2}^{\pi/2} g(\sin\theta)\cos^{d-2}\theta\, d\theta`: the
    integrand is smooth up to the ends for every ``d >= 2``. Panels of width at most
    :math:`0.5/\sqrt d` cover :math:`|\theta| \le 40/\sqrt d` (beyond, the weight is below
    ``1e-300``), cut at 0 and at ``breaks`` (kinks of ``g``), with 20 nodes each.
    """
    half = min(0.5 * math.pi, _S_MAX / math.sqrt(d))
    cuts = {-half, 0.0, half} | {math.asin(b) for b in breaks if abs(math.asin(b)) < half}
    edges = sorted(cuts)
    width = 0.5 / math.sqrt(d)
    x, wts = leggauss(_GL_NODES)
    theta, weight = [], []
    for a, b in zip(edges[:-1], edges[1:]):
        panels = max(1, math.ceil((b - a) / width))
        left = a + (b - a) * np.arange(panels) / panels
        h = (b - a) / panels
        theta.append((left[:, None] + 0.5 * h * (x + 1.0)).ravel())
        weight.append(np.tile(0.5 * h * wts, panels))
    theta, weight = np.concatenate(theta), np.concatenate(weight)
    density = start_overlap_normalizer(d) * np.exp((d - 2) * np.log(np.cos(theta)))
    return float(np.sum(weight * density * np.asarray(g(np.sin(theta)))))


def _single_hermite(link: Link) -> tuple[int, float] | None:
    """(k, mu_k^2/k!) when the link is one term mu_k He_k/k! with k >= 1, else None."""
    if link.kind != "hermite_series":
        return None
    nonzero = [k for k, mu in enumerate(link.series) if mu != 0.0]
    if len(nonzero) != 1 or nonzero[0] == 0:
        return None
    k = nonzero[0]
    return k, float(link.normalized_coefficients[k] ** 2)


def expected_start_gradient_norm(link: Link, d: int) -> float:
    r""":math:`\mathbb E\,\|\nabla_S L(w^0)\|` for :math:`w^0 \sim \mathrm{Unif}(\mathbb S^{d-1})`.

    It equals :math:`\mathbb E[|\psi'(m_0)|\sqrt{1 - m_0^2}]`. For a single Hermite term
    :math:`\psi(m) = a\, m^k` (e.g. :math:`He_k/\sqrt{k!}`, :math:`a = 1`) it is exact,

    .. math::

        \mathbb E\|\nabla_S L(w^0)\| = a\,k\,\frac{B(\tfrac k2, \tfrac d2)}{B(\tfrac12, \tfrac{d-1}{2})}
        \sim a\,k\,\mathbb E|G|^{k-1}\, d^{-(k-1)/2}, \qquad
        \mathbb E|G|^{k-1} = \frac{2^{(k-1)/2}\Gamma(k/2)}{\sqrt\pi};

    otherwise it is computed by composite Gauss--Legendre quadrature against :math:`p_d`, cut
    at the zeros of :math:`\psi'` (relative error below ``1e-10`` against the closed form).

    Parameters
    ----------
    link : Link
    d : int
        Dimension, ``d >= 2``.
    """
    check_link(link)
    d = _check_dimension(d)
    single = _single_hermite(link)
    if single is not None:
        k, a = single
        # B(k/2, d/2)/B(1/2, (d-1)/2) = Gamma(k/2)/sqrt(pi) * poch((d-1)/2, 1/2)/poch(d/2, k/2)
        return a * k * math.gamma(0.5 * k) * start_overlap_normalizer(d) / float(poch(0.5 * d, 0.5 * k))
    kinks = tuple(p.m for p in critical_overlaps(link) if abs(p.m) < 1.0)
    return _start_expectation(lambda m: gradient_norm(m, link), d, kinks)


@dataclass(frozen=True, eq=False)
class StartGradients:
    r"""Spherical gradients at independent uniform starts in :math:`\mathbb R^d` (see :func:`start_gradients`).

    Attributes
    ----------
    link : Link
    d : int
    samples : int
    seed : int
    m0 : numpy.ndarray
        The overlaps :math:`\langle w^0, w_*\rangle`, one per start.
    norm : numpy.ndarray
        :math:`\|\nabla_S L(w^0)\|`, computed from the gradient vectors in :math:`\mathbb R^d`.
    signal : numpy.ndarray
        :math:`\langle w_*, \nabla_S L(w^0)\rangle`.
    mean, stderr : float
        Sample mean of ``norm`` and its standard error.
    expected : float
        :func:`expected_start_gradient_norm` ``(link, d)``.
    """

    link: Link
    d: int
    samples: int
    seed: int
    m0: np.ndarray
    norm: np.ndarray
    signal: np.ndarray
    mean: float
    stderr: float
    expected: float


def start_gradients(link: Link, d: int, samples: int = 1000, seed: int = 0) -> StartGradients:
    r"""Draw ``samples`` starts :math:`w^0 \sim \mathrm{Unif}(\mathbb S^{d-1})` and measure :math:`\nabla_S L(w^0)`.

    Explicit vectors: a uniform target :math:`w_*` and uniform starts :math:`w^0 = g/\|g\|`
    in :math:`\mathbb R^d`, the gradient vector :math:`-\psi'(m)(w_* - m w^0)` of
    :func:`spherical_gradient`, then its norm and its component along :math:`w_*`. The
    inputs are drawn in chunks of about 2e6 numbers, so memory stays bounded for large ``d``.

    Parameters
    ----------
    link : Link
    d : int
        Dimension, ``d >= 2``.
    samples : int, default 1000
        Number of starts, ``>= 2``.
    seed : int, default 0
        Seed (``>= 0``) of ``numpy.random.default_rng``.
    """
    check_link(link)
    d = _check_dimension(d)
    samples = check_int("samples", samples, 2)
    seed = check_int("seed", seed, 0)
    rng = np.random.default_rng(seed)
    w_star = rng.standard_normal(d)
    w_star /= np.linalg.norm(w_star)
    m0, norm, signal = (np.empty(samples) for _ in range(3))
    rows = max(1, _CHUNK // d)
    for start in range(0, samples, rows):
        block = slice(start, min(samples, start + rows))
        w0 = rng.standard_normal((block.stop - block.start, d))
        w0 /= np.linalg.norm(w0, axis=1, keepdims=True)
        grad = spherical_gradient(w0, w_star, link)
        m0[block], norm[block], signal[block] = w0 @ w_star, np.linalg.norm(grad, axis=1), grad @ w_star
    return StartGradients(
        link=link, d=d, samples=samples, seed=seed, m0=_frozen(m0), norm=_frozen(norm),
        signal=_frozen(signal), mean=float(norm.mean()), stderr=float(norm.std(ddof=1) / math.sqrt(samples)),
        expected=expected_start_gradient_norm(link, d),
    )


@dataclass(frozen=True, eq=False)
class GradientScaling:
    r"""The gradient norm at a random start against the dimension, with fitted power laws.

    Attributes
    ----------
    link : Link
    dims : numpy.ndarray
        The dimensions ``d``.
    samples : int
        Starts per dimension.
    seed : int
        Root seed (one child seed per dimension).
    mean, stderr : numpy.ndarray
        Measured :math:`\mathbb E\|\nabla_S L(w^0)\|` and its standard error, per ``d``.
    expected : numpy.ndarray
        :func:`expected_start_gradient_norm` per ``d``.
    slope, intercept : float
        Least-squares fit :math:`\log(\text{mean}) = \text{intercept} + \text{slope}\,\log d`.
    expected_slope : float
        The same fit to ``expected`` (the exact finite-``d`` curve).
    theory_slope : float
        :math:`-(k_*-1)/2`, the exponent of :math:`d^{-(k_*-1)/2}`.
    """

    link: Link
    dims: np.ndarray
    samples: int
    seed: int
    mean: np.ndarray
    stderr: np.ndarray
    expected: np.ndarray
    slope: float
    intercept: float
    expected_slope: float
    theory_slope: float


def start_gradient_scaling(
    link: Link, dims: ArrayLike = (30, 100, 300, 1000, 3000, 10000), samples: int = 1000, seed: int = 0
) -> GradientScaling:
    r"""Measure :math:`\mathbb E\|\nabla_S L(w^0)\|` at several ``d`` and fit its power of ``d``.

    Each dimension runs :func:`start_gradients` with its own child seed of
    ``numpy.random.SeedSequence(seed)``; the slope of :math:`\log` mean against
    :math:`\log d` is compared with :math:`-(k_*-1)/2`.

    Parameters
    ----------
    link : Link
    dims : array_like of int
        At least two distinct dimensions, each ``>= 2``.
    samples : int, default 1000
        Starts per dimension, ``>= 2``.
    seed : int, default 0
        Root seed, ``>= 0``.
    """
    check_link(link)
    dims_list = list(np.atleast_1d(np.asarray(dims, dtype=object)).ravel())
    if not all(isinstance(d, Integral) and not isinstance(d, bool) and d >= 2 for d in dims_list):
        raise ValueError(f"dims must be integers >= 2, got {dims!r}")
    dims_list = [int(d) for d in dims_list]
    if len(set(dims_list)) < 2:
        raise ValueError(f"dims must hold at least two distinct dimensions, got {dims!r}")
    samples = check_int("samples", samples, 2)
    seed = check_int("seed", seed, 0)
    children = np.random.SeedSequence(seed).spawn(len(dims_list))
    runs = [start_gradients(link, d, samples, int(child.generate_state(1)[0]))
            for d, child in zip(dims_list, children)]
    mean = np.array([r.mean for r in runs])
    expected = np.array([r.expected for r in runs])
    log_d = np.log(dims_list)
    slope, intercept = np.polyfit(log_d, np.log(mean), 1)
    return GradientScaling(
        link=link, dims=_frozen(dims_list), samples=samples, seed=seed, mean=_frozen(mean),
        stderr=_frozen([r.stderr for r in runs]), expected=_frozen(expected), slope=float(slope),
        intercept=float(intercept), expected_slope=float(np.polyfit(log_d, np.log(expected), 1)[0]),
        theory_slope=-(link.information_exponent - 1) / 2.0,
    )


# --------------------------------------------------------------------------- critical points


@dataclass(frozen=True)
class CriticalOverlap:
    r"""A critical set :math:`\{w \in \mathbb S^{d-1} : \langle w, w_*\rangle = m\}` of :math:`L`.

    A single point for :math:`m = \pm1`; a :math:`(d-2)`-sphere for :math:`|m| < 1`.

    Attributes
    ----------
    m : float
        The overlap.
    loss : float
        :math:`L` there.
    kind : str
        ``"global minimum"``, ``"local minimum"``, ``"global maximum"``, ``"local maximum"``
        or ``"saddle"``.
    """

    m: float
    loss: float
    kind: str


def _kind(phi_below: float, phi_above: float) -> str:
    """Type of a zero of psi' from its sign on each side; L' = -psi'."""
    if phi_below > 0.0 and phi_above < 0.0:
        return "minimum"
    if phi_below < 0.0 and phi_above > 0.0:
        return "maximum"
    return "saddle"


def critical_overlaps(link: Link) -> tuple[CriticalOverlap, ...]:
    r"""All overlaps :math:`m` where :math:`\nabla_S L = -\psi'(m)(w_* - m w)` vanishes, classified.

    They are :math:`m = \pm 1` and the zeros of :math:`\psi'` in :math:`(-1, 1)`:

    * :math:`m = 0` when :math:`k_* \ge 2` (then :math:`\psi'(m) \approx k_* a_{k_*}^2 m^{k_*-1}`
      changes sign at 0 iff :math:`k_*` is even);
    * every sign change of :math:`\psi'` on a grid of 2000 points, refined by Brent's method.
      A zero where :math:`\psi'` touches 0 without changing sign away from :math:`m = 0` is
      not found (it does not occur in the catalogue).

    Since :math:`L' = -\psi'`, a zero where :math:`\psi'` goes from + to - is a minimum of
    :math:`L`, from - to + a maximum, and one without sign change a saddle. At :math:`m = 1`
    the sign of :math:`\psi'` just below 1 decides (:math:`\psi'(1) = \sum k a_k^2 > 0`: a minimum),
    at :math:`m = -1` the sign just above. "global" marks the extremes of :math:`L` over all
    critical sets, i.e. over the sphere.

    Returns
    -------
    tuple of CriticalOverlap, sorted by ``m``.
    """
    check_link(link)
    phi = link.correlation_derivative
    grid = np.linspace(-1.0 + _SIDE, 1.0 - _SIDE, _ROOT_GRID)
    values = np.asarray(phi(grid))
    found: dict[float, str] = {}
    for i in np.flatnonzero(np.sign(values[:-1]) * np.sign(values[1:]) < 0):
        root = brentq(phi, grid[i], grid[i + 1], xtol=1e-14)
        found[root] = _kind(values[i], values[i + 1])
    if link.information_exponent >= 2:
        found = {m: kind for m, kind in found.items() if abs(m) > 1e-8}
        found[0.0] = "maximum" if link.information_exponent % 2 == 0 else "saddle"
    # A pole has one side: the rate at which L rises when m moves inward decides (L' = -psi').
    rise = {-1.0: -float(phi(-1.0 + _SIDE)), 1.0: float(phi(1.0 - _SIDE))}
    for pole, rate in rise.items():
        found[pole] = "minimum" if rate > 0.0 else ("maximum" if rate < 0.0 else "saddle")
    losses = {m: float(link.population_loss(m)) for m in found}
    low, high = min(losses.values()), max(losses.values())
    scale = 1e-12 * max(1.0, abs(high))

    def label(m: float) -> str:
        kind = found[m]
        if kind == "minimum":
            return ("global " if losses[m] <= low + scale else "local ") + kind
        if kind == "maximum":
            return ("global " if losses[m] >= high - scale else "local ") + kind
        return kind

    return tuple(CriticalOverlap(m=float(m), loss=losses[m], kind=label(m)) for m in sorted(found))


@dataclass(frozen=True)
class EquatorType:
    r"""What the equator :math:`\{m = 0\}` is for the landscape of a link (see :func:`classify_equator`).

    Attributes
    ----------
    link_name : str
    information_exponent : int
        :math:`k_*`.
    stationary : bool
        Whether :math:`\nabla_S L = 0` on the equator, i.e. :math:`\psi'(0) = \mu_1^2 = 0`.
    kind : str
        ``"not stationary"`` (:math:`k_* = 1`), ``"maximum"`` (even :math:`k_*`) or
        ``"degenerate saddle"`` (odd :math:`k_* \ge 3`).
    gradient_norm : float
        :math:`\|\nabla_S L\|` on the equator, :math:`|\psi'(0)| = a_1^2`.
    transverse_hessian : float
        Second derivative of :math:`L` along the great circle from the equator toward
        :math:`w_*`: :math:`L''(0) = -2a_2^2 = -\mu_2^2` (the Hessian is 0 along the equator).
    degenerate : bool
        Whether the Hessian vanishes on the equator (``stationary`` and :math:`k_* \ge 3`).
    global_maximum : bool
        Whether :math:`L(0)` is the largest value of :math:`L` on the sphere.
    """

    link_name: str
    information_exponent: int
    stationary: bool
    kind: str
    gradient_norm: float
    transverse_hessian: float
    degenerate: bool
    global_maximum: bool


def classify_equator(link: Link) -> EquatorType:
    r"""Classify the equator :math:`m = 0` of :math:`L(m) = \psi(1) - \psi(m)`.

    Near :math:`m = 0`, :math:`L(m) = L(0) - a_{k_*}^2 m^{k_*} + O(m^{k_*+1})` with
    :math:`a_k = \mu_k/\sqrt{k!}`, and :math:`\nabla_S L = -\psi'(0)\, w_*` on the equator. So:

    * :math:`k_* = 1` (:math:`He_1`, ReLU, tanh, ...): not stationary, :math:`\|\nabla_S L\| = a_1^2`;
    * even :math:`k_*`: every equator point is a strict maximum of :math:`L` along the great
      circle toward :math:`\pm w_*` -- a set of (local) maxima, global ones for
      :math:`He_k/\sqrt{k!}` where :math:`L = 1 - m^k \le 1`; non-degenerate across the
      equator for :math:`k_* = 2`, degenerate for :math:`k_* \ge 4`;
    * odd :math:`k_* \ge 3`: a degenerate saddle: :math:`L` decreases toward :math:`w_*` and
      increases toward :math:`-w_*`, and the Hessian vanishes.
    """
    check_link(link)
    k_star = link.information_exponent
    c = link.normalized_coefficients
    hessian = 0.0 - 2.0 * float(c[2]) ** 2 if c.size > 2 else 0.0  # 0.0 - : no "-0.0"
    stationary = k_star >= 2
    if not stationary:
        kind = "not stationary"
    else:
        kind = "maximum" if k_star % 2 == 0 else "degenerate saddle"
    top = max(p.loss for p in critical_overlaps(link))
    l0 = float(link.population_loss(0.0))
    return EquatorType(
        link_name=link.name, information_exponent=k_star, stationary=stationary, kind=kind,
        gradient_norm=abs(float(link.correlation_derivative(0.0))), transverse_hessian=hessian,
        degenerate=stationary and k_star >= 3,
        global_maximum=stationary and l0 >= top - 1e-12 * max(1.0, abs(top)),
    )


# --------------------------------------------------------------------------- pictures


@dataclass(frozen=True, eq=False)
class SphereGrid:
    r"""The landscape of a link on :math:`\mathbb S^2` on a latitude-longitude grid (see :func:`sphere_grid`).

    Attributes
    ----------
    link : Link
    w_star : tuple of float
        The unit target in :math:`\mathbb R^3`.
    lat, lon : numpy.ndarray
        Latitudes in :math:`[-\pi/2, \pi/2]` and longitudes in :math:`[-\pi, \pi]` (radians).
    points : numpy.ndarray, shape (len(lat), len(lon), 3)
        :math:`(\cos\text{lat}\cos\text{lon}, \cos\text{lat}\sin\text{lon}, \sin\text{lat})`.
    overlap, loss : numpy.ndarray, shape (len(lat), len(lon))
        :math:`m = \langle w, w_*\rangle` and :math:`L`.
    gradient : numpy.ndarray, shape (len(lat), len(lon), 3)
        :math:`\nabla_S L(w)`.
    """

    link: Link
    w_star: tuple[float, float, float]
    lat: np.ndarray
    lon: np.ndarray
    points: np.ndarray
    overlap: np.ndarray
    loss: np.ndarray
    gradient: np.ndarray


def sphere_grid(
    link: Link, w_star: ArrayLike = DEFAULT_W_STAR, n_lat: int = 91, n_lon: int = 181
) -> SphereGrid:
    r"""Evaluate :math:`L` and :math:`\nabla_S L` on a latitude-longitude grid of :math:`\mathbb S^2` (``d = 3``).

    Parameters
    ----------
    link : Link
    w_star : array_like, shape (3,), default :data:`DEFAULT_W_STAR`
        A unit vector.
    n_lat, n_lon : int
        Grid sizes, ``>= 3``.
    """
    check_link(link)
    w_star = _check_unit("w_star", w_star, single=True)
    if w_star.shape != (3,):
        raise ValueError(f"w_star must be a unit vector of R^3 for a picture on S^2, got shape {w_star.shape}")
    n_lat, n_lon = check_int("n_lat", n_lat, 3), check_int("n_lon", n_lon, 3)
    lat = np.linspace(-0.5 * np.pi, 0.5 * np.pi, n_lat)
    lon = np.linspace(-np.pi, np.pi, n_lon)
    la, lo = np.meshgrid(lat, lon, indexing="ij")
    points = np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)
    points /= np.linalg.norm(points, axis=-1, keepdims=True)
    return SphereGrid(
        link=link, w_star=tuple(float(v) for v in w_star), lat=_frozen(lat), lon=_frozen(lon),
        points=_frozen(points), overlap=_frozen(_overlap(points, w_star)),
        loss=_frozen(loss(points, w_star, link)), gradient=_frozen(spherical_gradient(points, w_star, link)),
    )


@dataclass(frozen=True, eq=False)
class LandscapeProfile:
    r"""Everything a figure of :math:`L(m)` and its gradient needs (see :func:`landscape_profile`).

    Attributes
    ----------
    link : Link
    m : numpy.ndarray
        Overlaps on ``[-1, 1]``.
    loss : numpy.ndarray
        :math:`L(m)`.
    signal : numpy.ndarray
        :math:`\langle w_*, \nabla_S L\rangle = -(1 - m^2)\psi'(m)`.
    critical : tuple of CriticalOverlap
    equator : EquatorType
    d : int or None
        Dimension of the random start (``None``: no band).
    probability : float
        Mass of the band.
    band : float or None
        :func:`start_band` ``(d, probability)``.
    zoom_m, zoom_signal, zoom_density : numpy.ndarray or None
        On :math:`|m| \le 4/\sqrt d`: overlaps, signal component and density :math:`p_d`.
    expected_gradient_norm : float or None
        :func:`expected_start_gradient_norm` ``(link, d)``.
    """

    link: Link
    m: np.ndarray
    loss: np.ndarray
    signal: np.ndarray
    critical: tuple[CriticalOverlap, ...]
    equator: EquatorType
    d: int | None
    probability: float
    band: float | None
    zoom_m: np.ndarray | None
    zoom_signal: np.ndarray | None
    zoom_density: np.ndarray | None
    expected_gradient_norm: float | None


def landscape_profile(
    link: Link, d: int | None = None, probability: float = 0.95, points: int = 801
) -> LandscapeProfile:
    r"""Tabulate :math:`L(m)`, :math:`\langle w_*, \nabla_S L\rangle`, the critical sets and, given ``d``, the start band.

    Parameters
    ----------
    link : Link
    d : int or None
        Dimension of the random start (``>= 2``), or ``None`` for the landscape alone.
    probability : float, default 0.95
        Mass of the band :math:`|m| \le q` marked as "where starts land".
    points : int, default 801
        Grid size on ``[-1, 1]`` (and in the zoom), ``>= 3``.
    """
    check_link(link)
    probability = _check_probability("probability", probability)
    points = check_int("points", points, 3)
    m = np.linspace(-1.0, 1.0, points)
    band = zoom_m = zoom_signal = zoom_density = expected = None
    if d is not None:
        d = _check_dimension(d)
        band = start_band(d, probability)
        zoom_m = np.linspace(-1.0, 1.0, points) * min(1.0, 4.0 / math.sqrt(d))
        zoom_signal = _frozen(signal_component(zoom_m, link))
        zoom_density = _frozen(start_overlap_density(zoom_m, d))
        zoom_m = _frozen(zoom_m)
        expected = expected_start_gradient_norm(link, d)
    return LandscapeProfile(
        link=link, m=_frozen(m), loss=_frozen(link.population_loss(m)), signal=_frozen(signal_component(m, link)),
        critical=critical_overlaps(link), equator=classify_equator(link), d=d, probability=probability,
        band=band, zoom_m=zoom_m, zoom_signal=zoom_signal, zoom_density=zoom_density,
        expected_gradient_norm=expected,
    )
