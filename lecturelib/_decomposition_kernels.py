r"""Numba kernels of the drift-plus-martingale decomposition (private; :mod:`lecturelib.decomposition` wraps them).

The unprojected update :math:`w \leftarrow w + \eta\kappa\,(x - \hat\lambda\hat w)`, with
:math:`\hat w = w/\|w\|`, :math:`\hat\lambda = \langle\hat w, x\rangle` and
:math:`\kappa = (y - f(\hat\lambda))f'(\hat\lambda)`, is an exact chain in the cosine
:math:`\mu = \langle\hat w, w_*\rangle` and the norm :math:`r = \|w\|` (``DESIGN.md``). With
:math:`x = \hat\lambda\hat w + \beta u + z`, :math:`s = \sqrt{1-\mu^2}`, the signal increment is

.. math::

    g = \kappa\,\langle w_*, x - \hat\lambda\hat w\rangle = \kappa\, s\,\beta,
    \qquad \bar g = \mathbb{E}[g \mid \mu] = (1 - \mu^2)\,\psi'(\mu),

and the overlap :math:`m = \langle w, w_*\rangle = r\mu` moves by exactly :math:`\eta g`. The chain
step itself is :func:`lecturelib._kernels.chain_update` with :math:`b = \eta\kappa\beta`,
:math:`\|z\|^2`-part :math:`\eta^2\kappa^2\chi^2_{d-2}`; the link is evaluated by
:func:`lecturelib._kernels.link_value` (Hermite series only: :math:`\bar g` needs :math:`\psi'`).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ._kernels import chain_update, chi_square, link_value, series_roots

FINISHED, ESCAPED, DIVERGED = 0, 1, 2


@njit(cache=True, nogil=True, inline="always")
def mean_increment(slope: np.ndarray, mu: float) -> float:
    r""":math:`\bar g = (1-\mu^2)\psi'(\mu)`; ``slope[j]`` is the coefficient of :math:`\mu^j` in :math:`\psi'`."""
    value = 0.0
    for j in range(slope.shape[0] - 1, -1, -1):
        value = value * mu + slope[j]
    return (1.0 - mu * mu) * value


@njit(cache=True, nogil=True, inline="always")
def increment_step(
    kind: int, coef: np.ndarray, root: np.ndarray, slope: np.ndarray, eta: float,
    mu: float, r: float, lam: float, beta: float, chi2: float,
) -> tuple[float, float, float, float]:
    r"""One unprojected step from the chain's scalars :math:`(\hat\lambda, \beta, \|z\|^2)`.

    Returns :math:`(g, \bar g, \mu', r')`; the new overlap is :math:`r'\mu' = r\mu + \eta g`
    up to rounding.
    """
    s = math.sqrt(max(0.0, 1.0 - mu * mu))
    y = link_value(kind, coef, root, mu * lam + s * beta)[0]
    f_lam, df_lam = link_value(kind, coef, root, lam)
    kappa = (y - f_lam) * df_lam
    g = kappa * s * beta
    g_bar = mean_increment(slope, mu)
    c = eta * kappa
    mu_new, r_new = chain_update(mu, r, 0.0, c * beta, c * c * chi2, False)
    return g, g_bar, mu_new, r_new


@njit(cache=True, nogil=True)
def decomposition_chain(
    gen: np.random.Generator,
    kind: int,
    coef: np.ndarray,
    slope: np.ndarray,
    d: int,
    eta: float,
    steps: int,
    mu0: float,
    record_every: int,
    level: float,
    stop: bool,
    even: bool,
    out: np.ndarray,
) -> tuple[int, int, float, int, float]:
    r"""Run one unprojected chain and record its decomposition into ``out`` (shape ``(6, records)``).

    Rows of ``out`` at record ``i`` (step ``t = i * record_every``): the overlap
    :math:`m_t = r_t\mu_t`, the norm :math:`r_t`, :math:`D_t = \eta\sum_{s<t}\bar g_s`,
    :math:`M_t = \eta\sum_{s<t}(g_s - \bar g_s)`, and the increments :math:`g_t, \bar g_t` of the
    step from ``t`` (``nan`` where no step follows). Returns ``(status, steps done,
    max_{t} |M_t| over every step, first step with cosine (|cosine| if even) >= level or -1,
    max_t |m_t - m_0 - D_t - M_t| over every step)``. With ``stop`` the run ends at escape and
    later records keep the state at escape.
    """
    root = series_roots(coef.shape[0])
    shift = 0.5 * (d - 2) - 1.0 / 3.0
    scale = 1.0 / math.sqrt(9.0 * shift) if d > 3 else 0.0
    mu = mu0
    r = 1.0
    m0 = mu0
    drift = 0.0
    mart = 0.0
    max_mart = 0.0
    residual = 0.0
    escape = -1
    if (abs(mu) if even else mu) >= level:
        escape = 0
    record = 0
    t = 0
    n_rec = out.shape[1]
    status = FINISHED
    while t < steps:
        if escape >= 0 and stop:
            status = ESCAPED
            break
        lam = gen.standard_normal()
        beta = gen.standard_normal()
        chi2 = chi_square(gen, d - 2, shift, scale)
        g, g_bar, mu_new, r_new = increment_step(kind, coef, root, slope, eta, mu, r, lam, beta, chi2)
        if t == record * record_every:
            out[0, record] = r * mu
            out[1, record] = r
            out[2, record] = drift
            out[3, record] = mart
            out[4, record] = g
            out[5, record] = g_bar
            record += 1
        t += 1
        drift += eta * g_bar
        mart += eta * (g - g_bar)
        mu = mu_new
        r = r_new
        if not (math.isfinite(r) and math.isfinite(mu) and math.isfinite(g)):
            return DIVERGED, t, max_mart, escape, residual
        max_mart = max(max_mart, abs(mart))
        residual = max(residual, abs(r * mu - m0 - drift - mart))
        if escape < 0 and (abs(mu) if even else mu) >= level:
            escape = t
    for j in range(record, n_rec):
        out[0, j] = r * mu
        out[1, j] = r
        out[2, j] = drift
        out[3, j] = mart
        out[4, j] = np.nan
        out[5, j] = np.nan
    return status, t, max_mart, escape, residual
