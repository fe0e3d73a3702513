r"""Gradient flow of the overlap, its closed forms, escape times, and the flow SGD follows.

For a link :math:`f = \sum_k \mu_k He_k/k!` the population loss on the sphere depends on
:math:`w` only through :math:`m = \langle w, w_*\rangle`, and the spherical gradient flow
:math:`dw/d\tau = -\nabla_S L(w)` moves the overlap by the ODE

.. math::

    \frac{dm}{d\tau} = (1 - m^2)\,\psi'(m), \qquad
    \psi(m) = \sum_{k \ge 1} \frac{\mu_k^2}{k!}\, m^k .

For the normalized Hermite link :math:`He_k/\sqrt{k!}` this is
:math:`\dot m = k m^{k-1}(1 - m^2)`, solved in closed form by

* :math:`k = 1`: :math:`m(\tau) = \tanh(\tau + \operatorname{artanh} m_0)`;
* :math:`k = 2`: :math:`m(\tau)^2 = m_0^2 / (m_0^2 + (1 - m_0^2) e^{-4\tau})`;
* :math:`k \ge 3`: implicitly, :math:`Q_k(m(\tau)) = Q_k(m_0) + k \tau` with
  :math:`Q_k(m) = \int dm / (m^{k-1}(1 - m^2))` (elementary: powers of :math:`m`, a
  logarithm and :math:`\operatorname{artanh}`), inverted numerically; while :math:`m` is
  small, :math:`m(\tau)^{-(k-2)} = m_0^{-(k-2)} - k(k-2)\tau`.

From :math:`m_0 = c_0/\sqrt d` (start constant :math:`c_0`) the flow time to reach a fixed
level is :math:`O(1)` for :math:`k = 1`, :math:`\approx \tfrac14 \ln d` for :math:`k = 2` and
:math:`\approx d^{k/2-1}/(c_0^{k-2} k (k-2))` for :math:`k \ge 3`.

Online SGD with step :math:`\eta` follows, to second order in :math:`\eta` and for large
:math:`d` with :math:`\eta d` fixed, the *effective* flow in time :math:`\tau = \eta t`

.. math::

    \frac{dm}{d\tau} = (1 - m^2)\psi'(m) - \frac{\eta d}{2}\,
    \mathbb{E}[\kappa^2]\, m, \qquad
    \kappa = (y - f(\lambda))\, f'(\lambda),

the second term being the pull of the normalization toward the equator (``DESIGN.md``).
For :math:`He_1` it reads :math:`dm/d\tau = (1 - m)(1 + m - \eta d\, m)`.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.polynomial.hermite_e import hermegauss
from numpy.typing import ArrayLike
from scipy.integrate import quad, solve_ivp
from scipy.optimize import brentq

from ._validation import check_choice, check_link, check_overlap, check_real, check_times

__all__ = [
    "gradient_flow",
    "flow_escape_time",
    "small_overlap_flow",
    "effective_drift",
    "effective_flow",
]

METHODS = ("auto", "closed", "numeric")
_RTOL = 1e-11
_ATOL = 1e-14
_QUADRATURE_NODES = 80
_ZERO_DRIFT = 1e-12  # a drift below this fraction of its maximum counts as a zero


def _single_term(link: object) -> tuple[int, float] | None:
    r"""``(k, a^2)`` when the link is :math:`\mu_0 + a\, He_k/\sqrt{k!}` (a closed form exists)."""
    if link.kind != "hermite_series":
        return None
    a = np.asarray(link.normalized_coefficients, dtype=float)[1:]
    nonzero = np.flatnonzero(a)
    if nonzero.size != 1:
        return None
    k = int(nonzero[0]) + 1
    return k, float(a[k - 1] ** 2)


def _antiderivative(k: int, m: float) -> float:
    r""":math:`Q_k(m) = \int dm/(m^{k-1}(1-m^2))` on :math:`0 < m < 1` (any :math:`|m| < 1` if k = 1).

    From :math:`\frac{1}{m^{k-1}(1-m^2)} = \sum_{j=0}^{J} m^{2j-k+1} + \frac{m^{2J+3-k}}{1-m^2}`
    with :math:`2J + 3 - k \in \{0, 1\}`.
    """
    J = (k - 3) // 2 if k % 2 else (k - 2) // 2
    g = math.atanh(m) if k % 2 else -0.5 * math.log1p(-m * m)
    for j in range(J + 1):
        p = 2 * j - k + 2
        g += math.log(m) if p == 0 else m**p / p
    return g


def _closed_form(k: int, a2: float, m0: float, t: np.ndarray) -> np.ndarray:
    """Exact flow of ``dm/dt = a2 k m^(k-1) (1 - m^2)``."""
    s = a2 * t
    if k == 1:
        with np.errstate(divide="ignore"):
            return np.tanh(s + np.arctanh(m0))
    if m0 == 0.0 or abs(m0) == 1.0:
        return np.full_like(t, m0)
    sign = math.copysign(1.0, m0)
    if k == 2:
        u0 = m0 * m0
        return sign * np.sqrt(u0 / (u0 + (1.0 - u0) * np.exp(-4.0 * s)))
    # Flow of n = |m|: it grows (direction +1) unless k is odd and m0 < 0, where the overlap
    # creeps up to the saddle m = 0 and n decays.
    direction = 1.0 if (k % 2 == 0 or m0 > 0) else -1.0
    n0 = abs(m0)
    g0 = _antiderivative(k, n0)
    top = 1.0 - 2.0**-53
    g_top = _antiderivative(k, top)
    out = np.empty_like(t)
    for i, si in enumerate(s.ravel()):
        target = g0 + direction * k * si
        if target >= g_top:
            out.flat[i] = 1.0
            continue
        lo, hi = (n0, top) if direction > 0 else (n0 / 2.0, n0)
        while _antiderivative(k, lo) > target:
            lo /= 2.0
        out.flat[i] = brentq(lambda n: _antiderivative(k, n) - target, lo, hi, xtol=1e-300, rtol=1e-15)
    return sign * out


def _numeric_flow(rhs: Callable[[float], float], m0: float, t: np.ndarray) -> np.ndarray:
    """Solve ``dm/dt = rhs(m)`` at the times ``t`` (any order) with DOP853."""
    flat = t.ravel()
    order = np.argsort(flat)
    t_sorted = flat[order]
    out = np.full(flat.shape, m0)
    if t_sorted.size and t_sorted[-1] > 0:
        sol = solve_ivp(
            # The stepper may probe just outside [-1, 1], where the drift is not defined.
            lambda _, y: [float(rhs(min(1.0, max(-1.0, y[0]))))],
            (0.0, float(t_sorted[-1])),
            [m0],
            method="DOP853",
            t_eval=t_sorted,
            rtol=_RTOL,
            atol=_ATOL,
        )
        if not sol.success:
            raise RuntimeError(f"the ODE solver failed from m0={m0}: {sol.message}")
        out[order] = np.clip(sol.y[0], -1.0, 1.0)
    return out.reshape(t.shape)


def gradient_flow(link: object, m0: float, t: ArrayLike, method: str = "auto") -> np.ndarray:
    r"""Overlap :math:`m(\tau)` of the spherical gradient flow started at :math:`m_0`.

    Solves :math:`dm/d\tau = (1 - m^2)\psi'(m)`, :math:`\psi(m) = \sum_k \mu_k^2 m^k/k!`.

    Parameters
    ----------
    link : Link
        The link function (the same for teacher and student).
    m0 : float
        Initial overlap, in ``[-1, 1]``.
    t : array_like
        Times ``>= 0`` (any shape, any order); the result has the same shape.
    method : {"auto", "closed", "numeric"}
        ``"closed"`` uses the exact solution, available for single-term Hermite links
        :math:`\mu_0 + a\, He_k/\sqrt{k!}` (then :math:`dm/d\tau = a^2 k m^{k-1}(1-m^2)`): explicit
        for ``k = 1, 2`` and the inverted implicit form for ``k >= 3``. ``"numeric"``
        integrates the ODE with DOP853 (relative tolerance 1e-11) for any link. ``"auto"``
        picks ``"closed"`` when it exists.

    Returns
    -------
    numpy.ndarray
        :math:`m(\tau)`.

    Examples
    --------
    >>> from lecturelib import Link
    >>> float(gradient_flow(Link.hermite(1), 0.0, 1.0).round(12))
    0.761594155956
    """
    check_link(link)
    m0 = check_overlap("m0", m0)
    t = check_times("t", t)
    method = check_choice("method", method, METHODS)
    term = _single_term(link)
    if method == "closed" and term is None:
        raise ValueError(
            f"method='closed' needs a single-term Hermite link a*He_k/sqrt(k!), got link {link.name!r}; "
            "use method='numeric' or 'auto'"
        )
    if method != "numeric" and term is not None:
        return _closed_form(*term, m0, t)
    return _numeric_flow(link.drift, m0, t)


def flow_escape_time(link: object, m0: float, level: float = 0.5) -> float:
    r"""Time for the gradient flow from :math:`m_0` to reach the overlap ``level``.

    .. math::

        \tau_{\rm esc} = \int_{m_0}^{\text{level}} \frac{dm}{(1 - m^2)\psi'(m)},

    computed exactly for single-term Hermite links (:math:`\tau_{\rm esc} = (Q_k(\text{level}) -
    Q_k(m_0))/(a^2 k)`, see the module docstring) and by adaptive quadrature (relative
    error about 1e-10) otherwise. For an even link the level is reached by :math:`|m|`.
    The result is ``0`` if the start is already at the level and ``inf`` if the flow never
    gets there (a zero of the drift on the way, e.g. :math:`m_0 = 0` when
    :math:`\mu_1 = 0`, or :math:`m_0 < 0` for odd :math:`k \ge 3`; numerically, a drift
    below 1e-12 of its maximum over the path counts as zero).

    Parameters
    ----------
    link : Link
    m0 : float
        Initial overlap in ``[-1, 1]``.
    level : float, default 0.5
        Target overlap, in ``(-1, 1)``.

    Examples
    --------
    >>> from lecturelib import Link
    >>> round(flow_escape_time(Link.hermite(3), 0.1), 6)  # (G(0.5) - G(0.1))/3, G(m) = -1/m + artanh(m)
    2.816324
    """
    check_link(link)
    m0 = check_overlap("m0", m0)
    level = check_real("level", level)
    if not -1.0 < level < 1.0:
        raise ValueError(f"level must be in (-1, 1), got {level!r}")
    if link.is_even:
        m0 = abs(m0)
    if m0 >= level:
        return 0.0
    term = _single_term(link)
    if term is not None:
        k, a2 = term
        if m0 == -1.0 or (k > 1 and m0 <= 0.0):
            return math.inf
        return (_antiderivative(k, level) - _antiderivative(k, m0)) / (a2 * k)
    # The flow climbs from m0 only while the drift stays positive: check on a fine grid
    # (0 included, where the drift vanishes whenever mu_1 = 0). Quadrature coefficients
    # leave ~1e-17 where a coefficient is exactly 0, hence the relative threshold.
    grid = np.unique(np.concatenate([np.linspace(m0, level, 4001), [0.0] if m0 < 0 < level else []]))
    drift = np.asarray(link.drift(grid))
    if np.any(drift <= _ZERO_DRIFT * np.abs(drift).max()):
        return math.inf
    # Geometric breakpoints resolve the steep integrand near a small start.
    points = [p for p in (m0 * 2.0 ** np.arange(1, 60)) if m0 > 0 and p < level]
    value, _ = quad(
        lambda m: 1.0 / float(link.drift(m)), m0, level, points=points or None, limit=500, epsabs=0.0, epsrel=1e-11
    )
    return value


def small_overlap_flow(link: object, m0: float, t: ArrayLike) -> np.ndarray:
    r"""The flow near the equator, keeping only the leading term of the drift.

    With :math:`k` the information exponent and :math:`a^2 = \mu_k^2/k!`, the drift is
    :math:`a^2 k m^{k-1} + O(m^k)`, whose flow is :math:`m_0 + a^2 \tau` (``k = 1``),
    :math:`m_0 e^{2a^2 \tau}` (``k = 2``), and for :math:`k \ge 3`

    .. math::

        |m(\tau)|^{-(k-2)} = |m_0|^{-(k-2)} - g\, a^2 k (k-2)\, \tau,

    with :math:`g = 1` except :math:`g = -1` for odd :math:`k` and :math:`m_0 < 0`. It blows
    up (``±inf`` here) at :math:`\tau_* = |m_0|^{-(k-2)}/(a^2 k (k-2))`, which approximates the
    escape time from a small start.

    Parameters
    ----------
    link : Link
    m0 : float
        Initial overlap in ``[-1, 1]``.
    t : array_like
        Times ``>= 0``.
    """
    check_link(link)
    m0 = check_overlap("m0", m0)
    t = check_times("t", t)
    k = int(link.information_exponent)
    a2 = float(np.asarray(link.normalized_coefficients, dtype=float)[k] ** 2)
    if k == 1:
        return m0 + a2 * t
    if k == 2:
        return m0 * np.exp(2.0 * a2 * t)
    if m0 == 0.0:
        return np.zeros_like(t)
    g = -1.0 if (k % 2 == 1 and m0 < 0) else 1.0
    bracket = abs(m0) ** -(k - 2) - g * a2 * k * (k - 2) * t
    with np.errstate(divide="ignore", invalid="ignore"):
        n = np.where(bracket > 0, np.abs(bracket) ** (-1.0 / (k - 2)), np.inf)
    return math.copysign(1.0, m0) * n


def _pull(link: object, noise: float) -> Callable[[float], float]:
    r"""The function :math:`m \mapsto \mathbb{E}[\kappa^2](m)` on the Gauss--Hermite grid."""
    x, w = hermegauss(_QUADRATURE_NODES)
    w = w / math.sqrt(2.0 * math.pi)
    lam, beta = x[:, None], x[None, :]
    f_lam = np.asarray(link.f(lam))
    df2 = np.asarray(link.df(lam)) ** 2

    def second_moment(m: float) -> float:
        residual = np.asarray(link.f(m * lam + math.sqrt(max(0.0, 1.0 - m * m)) * beta)) - f_lam
        return float(w @ ((residual**2 + noise**2) * df2) @ w)

    return second_moment


def effective_drift(link: object, m: ArrayLike, eta_d: float, noise: float = 0.0) -> np.ndarray:
    r"""Mean overlap change of one SGD step, per unit step size, for large :math:`d`.

    .. math::

        \frac{\mathbb{E}[m' - m \mid m]}{\eta} \approx (1 - m^2)\psi'(m)
        - \frac{\eta d}{2}\, \mathbb{E}[\kappa^2]\, m,
        \qquad \kappa = (f(m\lambda + \sqrt{1-m^2}\beta) + \sigma\varepsilon - f(\lambda))\,
        f'(\lambda),

    the expansion of the normalization to second order in :math:`\eta` with
    :math:`\eta d` fixed (terms :math:`O(\eta)` relative to these are dropped). The
    expectation over :math:`\lambda, \beta \sim N(0, 1)` uses an 80 x 80 Gauss--Hermite rule:
    exact for polynomial links of degree up to about 40, accurate to about 1e-3 for links
    with a kink (ReLU, ``|x|``). At :math:`m = 0` for :math:`He_1 \dots He_4`,
    :math:`\mathbb{E}\kappa^2 = 2, 12, 96, 856`: for :math:`k = 2` the drift near the
    equator is :math:`(2 - 6\eta d)m`, positive only when :math:`\eta d < 1/3`. The first
    term is the population drift; it equals the mean per-sample step for differentiable
    links (Stein's lemma) but not for ``sign``, whose per-sample gradient vanishes almost
    everywhere, so that SGD on ``sign`` does not move at all.

    Parameters
    ----------
    link : Link
    m : array_like
        Overlaps in ``[-1, 1]``.
    eta_d : float
        The product :math:`\eta d \ge 0` (0 gives the gradient-flow drift).
    noise : float, default 0
        Label-noise standard deviation :math:`\sigma \ge 0`.
    """
    check_link(link)
    eta_d = check_real("eta_d", eta_d, nonnegative=True)
    noise = check_real("noise", noise, nonnegative=True)
    m_arr = np.asarray(m, dtype=float)
    if np.any(np.abs(m_arr) > 1.0) or not np.all(np.isfinite(m_arr)):
        raise ValueError(f"m must hold overlaps in [-1, 1], got {m!r}")
    signal = np.asarray(link.drift(m_arr), dtype=float)
    if eta_d == 0.0:
        return signal
    second_moment = _pull(link, noise)
    pull = np.array([second_moment(mi) for mi in m_arr.ravel()]).reshape(m_arr.shape)
    return signal - 0.5 * eta_d * pull * m_arr


def effective_flow(
    link: object, m0: float, tau: ArrayLike, eta_d: float, noise: float = 0.0, method: str = "auto"
) -> np.ndarray:
    r"""Solution of :math:`dm/d\tau` = :func:`effective_drift`, the flow that SGD's mean follows.

    Time is :math:`\tau = \eta t` (steps times step size), so ``eta_d = 0`` gives
    :func:`gradient_flow`. For :math:`\mu_0 + a\,He_1` without noise the ODE
    :math:`dm/d\tau = a^2 (1 - m)(1 + A m)`, :math:`A = 1 - \eta d\, a^2`, has the closed form
    (used when :math:`A > -1`)

    .. math::

        m(\tau) = \frac{K - E}{K + A E}, \qquad K = \frac{1 + A m_0}{1 - m_0}, \quad
        E = e^{-(1+A) a^2 \tau}.

    Parameters
    ----------
    link : Link
    m0 : float
        Initial overlap in ``[-1, 1]``.
    tau : array_like
        Times :math:`\eta t \ge 0`.
    eta_d : float
        :math:`\eta d \ge 0`.
    noise : float, default 0
        Label-noise standard deviation.
    method : {"auto", "closed", "numeric"}
        As in :func:`gradient_flow`; the closed form exists for the case above.
    """
    check_link(link)
    m0 = check_overlap("m0", m0)
    tau = check_times("tau", tau)
    eta_d = check_real("eta_d", eta_d, nonnegative=True)
    noise = check_real("noise", noise, nonnegative=True)
    method = check_choice("method", method, METHODS)
    term = _single_term(link)
    closed = term is not None and term[0] == 1 and noise == 0.0 and 1.0 - eta_d * term[1] > -1.0
    if method == "closed" and not closed:
        raise ValueError(
            f"method='closed' needs a noiseless link a*He_1 with eta_d*a^2 < 2, got link {link.name!r}, "
            f"eta_d={eta_d!r}, noise={noise!r}; use method='numeric' or 'auto'"
        )
    if method != "numeric" and closed:
        a2 = term[1]
        A = 1.0 - eta_d * a2
        if m0 == 1.0:
            return np.ones_like(tau)
        K = (1.0 + A * m0) / (1.0 - m0)
        E = np.exp(-(1.0 + A) * a2 * tau)
        return (K - E) / (K + A * E)
    second_moment = _pull(link, noise)
    return _numeric_flow(lambda m: link.drift(m) - 0.5 * eta_d * second_moment(m) * m, m0, tau)
