r"""The one-step drift of projected online SGD: exact by quadrature, and its expansion.

One step of the overlap chain (``DESIGN.md``, :func:`lecturelib.sgd.online_sgd`) from
overlap :math:`m`, with :math:`s = \sqrt{1 - m^2}`, is

.. math::

    m' = \frac{m + \eta\kappa\beta s}{\sqrt{1 + \eta^2\kappa^2(\beta^2 + Z)}}, \qquad
    \kappa = \big(f(m\lambda + s\beta) - f(\lambda)\big) f'(\lambda),

with :math:`\lambda, \beta \sim N(0, 1)` and :math:`Z \sim \chi^2_{d-2}` independent. Its
conditional mean :math:`\mathbb{E}[m' - m \mid m]` is a three-dimensional integral, computed
here by a product Gauss rule: Gauss--Hermite in :math:`\lambda` and :math:`\beta`, and the
Gauss rule of the Gamma law in :math:`Z` (:func:`chi_square_rule`). Expanding the square
root to first order in :math:`q = \eta^2\kappa^2(\beta^2 + Z)` gives

.. math::

    \mathbb{E}[m' - m \mid m] = \eta\,(1 - m^2)\,\psi'(m)
    - \frac{\eta^2}{2}\Big(\mathbb{E}[\kappa^2]\,(d - 2) + \mathbb{E}[\kappa^2\beta^2]\Big)\, m
    + R,

where the first term is exact (Stein's lemma) and the moments of :math:`\kappa` are taken at
the current :math:`m` (:func:`kappa_moments`). The consequences measured in Lecture 4: the
threshold :math:`\eta d < 1/3` for :math:`h_2` (:func:`equator_threshold`), and the
barrier :math:`m_c` of :math:`k \ge 3` (:func:`barrier`, :func:`barrier_estimate`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.polynomial.hermite_e import hermegauss
from numpy.typing import ArrayLike
from scipy.linalg import eigh_tridiagonal
from scipy.optimize import brentq

from ._validation import check_int, check_link, check_overlap, check_real

__all__ = [
    "KappaMoments",
    "kappa_moments",
    "chi_square_rule",
    "exact_drift",
    "drift_expansion",
    "equator_slope",
    "equator_threshold",
    "barrier",
    "barrier_estimate",
]

HERMITE_NODES = 64
"""Gauss--Hermite nodes per axis (``λ``, ``β``): exact for polynomials of degree < 128."""
CHI_NODES = 24
"""Nodes of the Gauss rule of :math:`\\chi^2_{d-2}`."""


def _overlaps(m: ArrayLike) -> np.ndarray:
    arr = np.asarray(m, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(np.abs(arr) > 1.0):
        raise ValueError(f"m must hold overlaps in [-1, 1], got {m!r}")
    return arr


def _hermite_rule(nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of E[g(G)], G ~ N(0, 1) (weights sum to 1)."""
    x, w = hermegauss(nodes)
    return x, w / math.sqrt(2.0 * math.pi)


def _kappa(link: object, m: float, lam: np.ndarray, beta: np.ndarray) -> np.ndarray:
    s = math.sqrt(max(0.0, 1.0 - m * m))
    return (np.asarray(link.f(m * lam + s * beta)) - np.asarray(link.f(lam))) * np.asarray(link.df(lam))


@dataclass(frozen=True)
class KappaMoments:
    r"""Moments of the per-sample factor :math:`\kappa` at overlaps :math:`m`.

    Attributes
    ----------
    m : numpy.ndarray
    kappa2 : numpy.ndarray
        :math:`\mathbb{E}[\kappa^2]` (with label noise :math:`\sigma`:
        :math:`+\,\sigma^2\,\mathbb{E}[f'(G)^2]`).
    kappa2_beta2 : numpy.ndarray
        :math:`\mathbb{E}[\kappa^2\beta^2]` (with noise: :math:`+\,\sigma^2\,\mathbb{E}[f'(G)^2]`).
    noise : float
    """

    m: np.ndarray
    kappa2: np.ndarray
    kappa2_beta2: np.ndarray
    noise: float


def kappa_moments(link: object, m: ArrayLike, *, noise: float = 0.0, nodes: int = HERMITE_NODES) -> KappaMoments:
    r""":math:`\mathbb{E}[\kappa^2]` and :math:`\mathbb{E}[\kappa^2\beta^2]` at each overlap ``m``.

    .. math::

        \kappa = \big(f(m\lambda + \sqrt{1-m^2}\,\beta) + \sigma\varepsilon - f(\lambda)\big) f'(\lambda),

    by a ``nodes x nodes`` Gauss--Hermite rule (exact for polynomial links). At ``m = 0``
    for :math:`h_1, \dots, h_4`: :math:`\mathbb{E}[\kappa^2] = 2, 12, 96, 856` and
    :math:`\mathbb{E}[\kappa^2\beta^2] = 4, 12, 114, 888`.

    Examples
    --------
    >>> from lecturelib import Link
    >>> kappa_moments(Link.hermite(2), 0.0).kappa2.round(9).item()
    12.0
    """
    check_link(link)
    noise = check_real("noise", noise, nonnegative=True)
    nodes = check_int("nodes", nodes, 2)
    m_arr = _overlaps(m)
    x, w = _hermite_rule(nodes)
    lam, beta = x[:, None], x[None, :]
    df2 = float(w @ np.asarray(link.df(x)) ** 2)
    k2 = np.empty(m_arr.size)
    k2b2 = np.empty(m_arr.size)
    for i, mi in enumerate(m_arr.ravel()):
        kap2 = _kappa(link, float(mi), lam, beta) ** 2
        k2[i] = w @ kap2 @ w
        k2b2[i] = w @ (kap2 * beta**2) @ w
    extra = noise**2 * df2  # E[eps^2 f'(lam)^2 (1 or beta^2)]: eps and beta independent of lam
    return KappaMoments(m=m_arr, kappa2=(k2 + extra).reshape(m_arr.shape),
                        kappa2_beta2=(k2b2 + extra).reshape(m_arr.shape), noise=noise)


def chi_square_rule(dof: int, nodes: int = CHI_NODES) -> tuple[np.ndarray, np.ndarray]:
    r"""Nodes :math:`z_j` and weights :math:`w_j` with :math:`\sum_j w_j g(z_j) \approx \mathbb{E}\,g(Z)`,
    :math:`Z \sim \chi^2_{\text{dof}}`: exact for polynomials of degree ``< 2 nodes``.

    The Gauss rule of the generalized Laguerre weight :math:`z^{a-1}e^{-z}`, :math:`a = \text{dof}/2`,
    from the eigen-decomposition of its Jacobi matrix (Golub--Welsch; stable for large
    ``dof``), rescaled by 2.
    """
    dof = check_int("dof", dof, 1)
    nodes = check_int("nodes", nodes, 1)
    alpha = 0.5 * dof - 1.0
    i = np.arange(nodes, dtype=float)
    diagonal = 2.0 * i + alpha + 1.0
    off = np.sqrt((i[1:]) * (i[1:] + alpha))
    z, vectors = eigh_tridiagonal(diagonal, off)
    return 2.0 * z, vectors[0] ** 2


def exact_drift(
    link: object, d: int, eta: float, m: ArrayLike, *, nodes: int = HERMITE_NODES, chi_nodes: int = CHI_NODES
) -> np.ndarray:
    r"""The exact one-step mean :math:`\mathbb{E}[m' - m \mid m]` of projected online SGD (batch 1, no noise).

    .. math::

        \mathbb{E}\Big[\frac{m + \eta\kappa\beta s}{\sqrt{1 + \eta^2\kappa^2(\beta^2 + Z)}}\Big] - m,
        \qquad s = \sqrt{1-m^2},\ Z \sim \chi^2_{d-2},

    by a product Gauss rule (``nodes`` Gauss--Hermite nodes for each of :math:`\lambda, \beta`,
    ``chi_nodes`` for :math:`Z`). The difference is formed without cancellation:
    :math:`(1+q)^{-1/2} - 1 = -q/(\sqrt{1+q}\,(1 + \sqrt{1+q}))`.

    Parameters
    ----------
    link : Link
    d : int
        Dimension, ``>= 3``.
    eta : float
        Step size, positive.
    m : array_like
        Overlaps in ``[-1, 1]``.
    """
    check_link(link)
    d = check_int("d", d, 3)
    eta = check_real("eta", eta, positive=True)
    nodes = check_int("nodes", nodes, 2)
    chi_nodes = check_int("chi_nodes", chi_nodes, 1)
    m_arr = _overlaps(m)
    x, w = _hermite_rule(nodes)
    z, wz = chi_square_rule(d - 2, chi_nodes)
    lam, beta = x[:, None, None], x[None, :, None]
    weights = w[:, None, None] * w[None, :, None] * wz[None, None, :]
    out = np.empty(m_arr.size)
    for i, mi in enumerate(m_arr.ravel()):
        mi = float(mi)
        s = math.sqrt(max(0.0, 1.0 - mi * mi))
        step = eta * _kappa(link, mi, lam, beta)
        q = step**2 * (beta**2 + z[None, None, :])
        root = np.sqrt(1.0 + q)
        change = -mi * q / (root * (1.0 + root)) + step * beta * s / root
        out[i] = np.sum(weights * change)
    return out.reshape(m_arr.shape)


def drift_expansion(link: object, d: int, eta: float, m: ArrayLike, *, noise: float = 0.0) -> np.ndarray:
    r"""The expansion of the one-step mean to second order in :math:`\eta`:

    .. math::

        \eta\,(1 - m^2)\psi'(m) - \frac{\eta^2}{2}\Big(\mathbb{E}[\kappa^2](d-2) + \mathbb{E}[\kappa^2\beta^2]\Big) m,

    with the moments of :func:`kappa_moments` at the current ``m``
    (:math:`\psi'(m) = k m^{k-1}` for :math:`h_k`).
    """
    check_link(link)
    d = check_int("d", d, 3)
    eta = check_real("eta", eta, positive=True)
    m_arr = _overlaps(m)
    moments = kappa_moments(link, m_arr, noise=noise)
    signal = np.asarray(link.drift(m_arr), dtype=float)
    return eta * signal - 0.5 * eta**2 * (moments.kappa2 * (d - 2) + moments.kappa2_beta2) * m_arr


def equator_slope(link: object, d: int, eta: float, *, h: float = 1e-3) -> float:
    r"""Slope :math:`\partial_m \mathbb{E}[m' - m \mid m]` at :math:`m = 0`, from the exact drift.

    The drift of an even link is odd in :math:`m`, so the symmetric quotient
    :math:`(\text{drift}(h) - \text{drift}(-h))/(2h)` is exact up to :math:`O(h^2)`.
    """
    h = check_real("h", h, positive=True)
    values = exact_drift(link, d, eta, np.array([-h, h]))
    return float((values[1] - values[0]) / (2.0 * h))


def equator_threshold(link: object, d: int, *, bracket: tuple[float, float] = (0.05, 1.5)) -> float:
    r"""The constant :math:`c^*(d)` with :math:`\eta = c^*/d` at which the exact drift's slope at the
    equator vanishes: below it the equator repels (escape), above it attracts.

    For :math:`h_2` the expansion gives :math:`2 - 6c` per unit :math:`\eta` near :math:`m = 0`,
    hence :math:`c^* \to 1/3` as :math:`d \to \infty`; at finite ``d`` the exact threshold is
    higher. Found by Brent's method on ``bracket``.
    """
    check_link(link)
    d = check_int("d", d, 3)
    return float(brentq(lambda c: equator_slope(link, d, c / d), *bracket, xtol=1e-6))


def barrier(link: object, d: int, eta: float, *, m_max: float = 0.99, grid: int = 200) -> float:
    r"""The smallest :math:`m \in (0, m_{\max}]` where the exact one-step mean changes sign from
    negative to positive: below it the normalization's pull wins, above it the signal.

    ``nan`` if the drift is positive on the whole grid (no barrier) or never turns positive.
    """
    check_link(link)
    m_max = check_real("m_max", m_max, positive=True)
    grid = check_int("grid", grid, 3)
    ms = np.linspace(m_max / grid, m_max, grid)
    values = exact_drift(link, d, eta, ms)
    if values[0] > 0 or not np.any(values > 0):
        return math.nan
    j = int(np.argmax(values > 0))
    return float(brentq(lambda x: float(exact_drift(link, d, eta, x)), ms[j - 1], ms[j], xtol=1e-10))


def barrier_estimate(link: object, d: int, eta: float) -> float:
    r""":math:`m_c \approx \big(\mathbb{E}[\kappa^2]_{m=0}\,\eta d / (2k)\big)^{1/(k-2)}` for :math:`h_k`, :math:`k \ge 3`.

    Equating the signal :math:`\eta k m^{k-1}` with the pull :math:`\frac{\eta^2}{2}\mathbb{E}[\kappa^2] d\, m`
    (small :math:`m`, :math:`d \gg 1`); with :math:`\eta = c\,d^{-k/2}` this is
    :math:`m_c = (\mathbb{E}[\kappa^2] c/(2k))^{1/(k-2)} d^{-1/2}` (``16 c/√d`` for ``k = 3``).
    """
    check_link(link)
    d = check_int("d", d, 3)
    eta = check_real("eta", eta, positive=True)
    k = link.information_exponent
    if k < 3:
        raise ValueError(f"the barrier exists for information exponent k >= 3, got link {link.name!r} with k = {k}")
    a2 = float(np.asarray(link.normalized_coefficients)[k] ** 2)
    kappa2 = float(kappa_moments(link, 0.0).kappa2)
    return (kappa2 * eta * d / (2.0 * k * a2)) ** (1.0 / (k - 2))
