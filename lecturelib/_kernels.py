r"""Numba kernels of the exact overlap chain (private; :mod:`lecturelib.sgd` wraps them).

One step of online spherical SGD, seen through the overlap :math:`m = \langle w, w_*\rangle`
(see ``DESIGN.md``): for each sample :math:`i` of a mini-batch of size :math:`B`, draw
:math:`\lambda_i, \beta_i, \varepsilon_i \sim N(0, 1)`, set

.. math::

    y_i = f(m\lambda_i + \sqrt{1-m^2}\,\beta_i) + \sigma\varepsilon_i, \qquad
    c_i = \eta\,(y_i - f(\lambda_i))\,f'(\lambda_i),

then :math:`b = \frac1B\sum_i c_i\beta_i`, :math:`\|\bar z\|^2 = \frac{\sum_i c_i^2}{B^2}\,
\chi^2_{d-2}` and

.. math::

    m' = \frac{m + \sqrt{1-m^2}\, b}{\sqrt{1 + b^2 + \|\bar z\|^2}}.

The unprojected update carries :math:`r = \|w\|` as well: the cosine moves with step
:math:`c_i / r` and :math:`r'^2 = r^2 + b^2 + \|\bar z\|^2`.

The Euclidean step rule (``step="euclidean"``: :math:`w + \frac1B\sum_i c_i x_i`, then
normalized, instead of the tangent :math:`w + \frac1B\sum_i c_i (x_i - \lambda_i w)`) keeps
the radial part :math:`a = \frac1B\sum_i c_i\lambda_i` of the step, since
:math:`x_i = \lambda_i w + \beta_i u + z_i`:

.. math::

    m' = \frac{(1 + a)\,m + \sqrt{1-m^2}\, b}{\sqrt{(1 + a)^2 + b^2 + \|\bar z\|^2}}.

It is driven by the same scalars :math:`(\lambda_i, \beta_i, \varepsilon_i)` per sample and one
:math:`\chi^2_{d-2}` per step; the tangent rule is the case :math:`a = 0`.

The kernels are few and cached on disk (``cache=True``) because their compilation counts
against every notebook's time budget; the helpers are inlined (measured 15 % faster).
Randomness comes from a ``numpy.random.Generator`` per run, passed into a ``nogil``
kernel and run over a thread pool: numba's Generator normals (a ziggurat) were measured
as fast as a hand-written xoshiro256** with a ziggurat, faster than one with polar normals,
and they need no code of ours to trust (``bench/bench_rng.py``, ``bench/README.md``).

Link codes: 0 is a Hermite series given by its normalized coefficients
:math:`a_k = \mu_k/\sqrt{k!}` (so :math:`f = \sum_k a_k h_k`, :math:`h_k = He_k/\sqrt{k!}`),
evaluated with the normalized recurrence
:math:`h_{k+1} = (z h_k - \sqrt{k}\, h_{k-1})/\sqrt{k+1}` and :math:`h_k' = \sqrt{k}\,h_{k-1}`;
1..5 are the closed forms ``relu, abs, sign, tanh, sigmoid``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

SERIES = 0
LINK_CODES: dict[str, int] = {"hermite_series": SERIES, "relu": 1, "abs": 2, "sign": 3, "tanh": 4, "sigmoid": 5}
LOSS_CODES: dict[str, int] = {"l2": 0, "l1": 1, "smoothed": 2, "smoothed_random": 3}
"""Loss codes. ``l2`` runs in :func:`overlap_chain` (unchanged); the others, and sample reuse,
in :func:`variant_chain`."""

# Status codes returned by ``overlap_chain``.
FINISHED, ESCAPED, DIVERGED = 0, 1, 2


@njit(cache=True, nogil=True)
def series_roots(n: int) -> np.ndarray:
    """``root[0, k] = sqrt(k)`` and ``root[1, k] = 1/sqrt(k)`` (0 for k = 0), k < max(n, 2)."""
    # A scalar loop: the same numbers as np.sqrt on an arange, but numba compiles array
    # expressions slowly (measured 5.6 s of CPU against 0.4 s for this loop, cold cache).
    size = max(n, 2)
    root = np.empty((2, size))
    root[0, 0] = 0.0
    root[1, 0] = 0.0
    for k in range(1, size):
        r = math.sqrt(k)
        root[0, k] = r
        root[1, k] = 1.0 / r
    return root


@njit(cache=True, nogil=True, inline="always")
def link_value(kind: int, coef: np.ndarray, root: np.ndarray, z: float) -> tuple[float, float]:
    """``(f(z), f'(z))`` for link code ``kind``; ``root`` from :func:`series_roots`."""
    if kind == 0:
        f = coef[0]
        df = 0.0
        if coef.shape[0] > 1:
            h_prev = 1.0
            h = z
            f += coef[1] * z
            df += coef[1]
            for k in range(1, coef.shape[0] - 1):
                h_next = (z * h - root[0, k] * h_prev) * root[1, k + 1]
                df += coef[k + 1] * root[0, k + 1] * h
                f += coef[k + 1] * h_next
                h_prev = h
                h = h_next
        return f, df
    if kind == 1:
        return (z, 1.0) if z > 0.0 else (0.0, 0.0)
    if kind == 2:
        if z > 0.0:
            return z, 1.0
        return -z, (-1.0 if z < 0.0 else 0.0)
    if kind == 3:
        return (1.0 if z > 0.0 else (-1.0 if z < 0.0 else 0.0)), 0.0
    if kind == 4:
        t = math.tanh(z)
        return t, 1.0 - t * t
    # Logistic written so that exp never overflows.
    if z >= 0.0:
        s = 1.0 / (1.0 + math.exp(-z))
    else:
        e = math.exp(z)
        s = e / (1.0 + e)
    return s, s * (1.0 - s)


@njit(cache=True, nogil=True, inline="always")
def chi_square(gen: np.random.Generator, dof: int, shift: float, scale: float) -> float:
    r"""A :math:`\chi^2_{\text{dof}}` draw, exact.

    :math:`\chi^2_n = 2\,\Gamma(n/2)`; for ``n >= 2`` Marsaglia--Tsang's method for
    :math:`\Gamma(a)`, :math:`a \ge 1`, with ``shift = a - 1/3`` and
    ``scale = 1/sqrt(9 shift)`` computed once by the caller (numba's own
    ``standard_gamma`` recomputes them per call and was measured 2x slower); for ``n = 1``
    a squared normal.
    """
    if dof == 1:
        x = gen.standard_normal()
        return x * x
    while True:
        x = gen.standard_normal()
        v = 1.0 + scale * x
        if v <= 0.0:
            continue
        v = v * v * v
        u = gen.random()
        x2 = x * x
        if u < 1.0 - 0.0331 * x2 * x2 or math.log(u) < 0.5 * x2 + shift * (1.0 - v + math.log(v)):
            return 2.0 * shift * v


@njit(cache=True, nogil=True, inline="always")
def chain_update(m: float, r: float, a: float, b: float, zz: float, projected: bool) -> tuple[float, float]:
    r"""One step of the overlap chain from its sufficient statistics.

    ``a`` is the step along :math:`w` (:math:`\frac1B\sum c_i\lambda_i` for the Euclidean
    rule, 0 for the tangent rule), ``b`` the step along :math:`u` (:math:`\frac1B\sum
    c_i\beta_i`) and ``zz`` the squared norm of the step orthogonal to both :math:`w` and
    :math:`w_*`: :math:`m' = ((1+a)m + \sqrt{1-m^2}\,b)/\sqrt{(1+a)^2 + b^2 + zz}` (projected).
    The unprojected update is tangent (``a = 0``). Returns the new cosine and norm; the cosine
    is clipped to ``[-1, 1]`` against rounding.
    """
    s = math.sqrt(max(0.0, 1.0 - m * m))
    if projected:
        if a == 0.0:
            m_new = (m + s * b) / math.sqrt(1.0 + b * b + zz)
        else:
            p = 1.0 + a
            m_new = (p * m + s * b) / math.sqrt(p * p + b * b + zz)
        r_new = 1.0
    else:
        q = (b * b + zz) / (r * r)
        m_new = (m + s * b / r) / math.sqrt(1.0 + q)
        r_new = r * math.sqrt(1.0 + q)
    return min(1.0, max(-1.0, m_new)), r_new


@njit(cache=True, nogil=True)
def overlap_chain(
    gen: np.random.Generator,
    kind: int,
    coef: np.ndarray,
    d: int,
    eta: float,
    steps: int,
    batch: int,
    noise: float,
    loss: int,
    projected: bool,
    euclid: bool,
    m0: float,
    stop_at: float,
    even: bool,
    record_every: int,
    out_overlap: np.ndarray,
    out_norm: np.ndarray,
) -> tuple[int, int]:
    """Run one chain, recording into ``out_overlap`` (and ``out_norm`` if unprojected).

    The recorded overlap is :math:`\\langle w, w_*\\rangle = r m`. Once its value (its
    absolute value for an even link) reaches ``stop_at`` the run stops and the remaining
    records hold the value at escape. ``euclid`` selects the Euclidean step rule (projected
    only). Returns ``(status, step)``: ``FINISHED`` with ``steps``, ``ESCAPED`` with the
    exact escape step (the first ``t`` with the value at or past ``stop_at``, whatever
    ``record_every``), or ``DIVERGED`` with the first step whose state is not finite.
    """
    root = series_roots(coef.shape[0])
    shift = 0.5 * (d - 2) - 1.0 / 3.0
    scale = 1.0 / math.sqrt(9.0 * shift) if d > 3 else 0.0
    inv_b = 1.0 / batch
    m = m0
    r = 1.0
    out_overlap[0] = m
    if not projected:
        out_norm[0] = r
    status = FINISHED
    t = 0
    record = 0
    next_record = record_every
    value = m
    if (abs(value) if even else value) >= stop_at:
        status = ESCAPED
    while status == FINISHED and t < steps:
        s = math.sqrt(max(0.0, 1.0 - m * m))
        a = 0.0
        b = 0.0
        c2 = 0.0
        for _ in range(batch):
            lam = gen.standard_normal()
            beta = gen.standard_normal()
            y = link_value(kind, coef, root, m * lam + s * beta)[0]
            if noise > 0.0:
                y += noise * gen.standard_normal()
            f_lam, df_lam = link_value(kind, coef, root, lam)
            # loss code 0 (square loss): the only one so far; others add a branch here.
            c = eta * (y - f_lam) * df_lam
            if euclid:
                a += c * lam
            b += c * beta
            c2 += c * c
        a *= inv_b
        b *= inv_b
        zz = c2 * inv_b * inv_b * chi_square(gen, d - 2, shift, scale)
        t += 1
        # Checked before the update: clipping the cosine would turn a NaN into -1 or 1.
        if not math.isfinite(a + b * b + zz):
            return DIVERGED, t
        m, r = chain_update(m, r, a, b, zz, projected)
        value = r * m
        if not math.isfinite(value):
            return DIVERGED, t
        if t == next_record:  # a counter: an integer division per step costs ~10 % here
            record += 1
            next_record += record_every
            out_overlap[record] = value
            if not projected:
                out_norm[record] = r
        if (abs(value) if even else value) >= stop_at:
            status = ESCAPED
    if status == ESCAPED:
        for j in range(record + 1, out_overlap.shape[0]):
            out_overlap[j] = value
            if not projected:
                out_norm[j] = r
    return status, t


@njit(cache=True, nogil=True, inline="always")
def smoothed_factor(coef: np.ndarray, table: np.ndarray, weights: np.ndarray, lam: float, q: float,
                    rho: float) -> float:
    r"""Exact :math:`F_\lambda - 2\lambda F_q` of the smoothed link (Hermite series only).

    :math:`F(\lambda, q) = \mathbb{E}_s f(a + b s)` with :math:`a = \lambda/\sqrt{1+\rho^2}`,
    :math:`b^2 = \rho^2 q/(1+\rho^2)` and ``s`` the first coordinate of a uniform point of
    :math:`S^{d-2}`; :math:`F = \sum_j f^{(2j)}(a)\, b^{2j}\, M_j/(2j)!` is finite for a
    polynomial. ``table[p, k]`` is :math:`\sqrt{k!/(k-p)!}` (so
    :math:`f^{(p)} = \sum_k a_k\, \mathrm{table}[p,k]\, h_{k-p}`); ``weights[0, j]`` is
    :math:`M_j/(2j)!` and ``weights[1, j]`` is :math:`j M_j/(2j)!`.
    """
    n = coef.shape[0]
    scale = 1.0 / math.sqrt(1.0 + rho * rho)
    a = lam * scale
    b2 = rho * rho * q * scale * scale
    h = np.empty(n)
    h[0] = 1.0
    if n > 1:
        h[1] = a
    for k in range(1, n - 1):
        h[k + 1] = (a * h[k] - math.sqrt(k) * h[k - 1]) / math.sqrt(k + 1)
    d_lam = 0.0  # sum_j f^(2j+1)(a) b^(2j) M_j/(2j)!
    d_q = 0.0  # sum_{j>=1} f^(2j)(a) b^(2j-2) j M_j/(2j)!
    power = 1.0  # b^(2j)
    previous = 0.0  # b^(2j-2)
    for j in range(weights.shape[1]):
        p = 2 * j + 1
        odd = 0.0
        for k in range(p, n):
            odd += coef[k] * table[p, k] * h[k - p]
        d_lam += odd * power * weights[0, j]
        if j >= 1:
            p = 2 * j
            even = 0.0
            for k in range(p, n):
                even += coef[k] * table[p, k] * h[k - p]
            d_q += even * previous * weights[1, j]
        previous = power
        power *= b2
    # F_lam = scale * d_lam and F_q = rho^2 scale^2 d_q (b^2 = rho^2 scale^2 q)
    return d_lam * scale - 2.0 * lam * d_q * rho * rho * scale * scale


@njit(cache=True, nogil=True)
def variant_chain(
    gen: np.random.Generator,
    kind: int,
    coef: np.ndarray,
    table: np.ndarray,
    weights: np.ndarray,
    d: int,
    eta: float,
    steps: int,
    noise: float,
    loss: int,
    rho: float,
    reuse: int,
    euclid: bool,
    m0: float,
    stop_at: float,
    even: bool,
    record_every: int,
    out_overlap: np.ndarray,
) -> tuple[int, int]:
    r"""The exact overlap chain of projected online SGD with one sample per step, for the
    losses other than the plain square loss and for sample reuse.

    Each fresh sample is :math:`x = \lambda w + \beta u + z` with
    :math:`\lambda, \beta \sim N(0,1)`, :math:`\|z\|^2 \sim \chi^2_{d-2}`; in the
    orthonormal frame :math:`(w, u, z/\|z\|)` the iterate, the input and the target are
    the three-vectors :math:`(1,0,0)`, :math:`(\lambda, \beta, \|z\|)` and
    :math:`(m, \sqrt{1-m^2}, 0)`. Every step :math:`w \leftarrow (w + \eta\kappa(x -
    \lambda w))/\|\cdot\|`, :math:`\lambda = \langle w, x\rangle`, stays in their span, so
    ``reuse`` consecutive steps on the same sample are computed exactly in three
    coordinates, and the next sample sees only the new :math:`m`. The factor
    :math:`\kappa` (with :math:`q = \|x\|^2 - \lambda^2`):

    * ``l1``: :math:`\operatorname{sign}(y - f(\lambda))\,f'(\lambda)`;
    * ``smoothed``: :math:`y\,(F_\lambda - 2\lambda F_q)` (:func:`smoothed_factor`);
    * ``smoothed_random``: :math:`y\, f'(a + b s)\,(1 - \lambda\rho s/\sqrt q)/\sqrt{1+\rho^2}`
      with one draw of ``s`` per step, the first coordinate of a uniform point of
      :math:`S^{d-2}`: :math:`s = g/\sqrt{g^2 + \chi^2_{d-2}}`, an unbiased estimate of the
      exact factor;
    * ``l2``: :math:`(y - f(\lambda))f'(\lambda)` (used with ``reuse > 1``).

    With ``euclid`` the step is :math:`w + \eta\kappa x` (the Euclidean rule), then
    normalized. Records, stopping and the returned step as in :func:`overlap_chain`.
    """
    root = series_roots(coef.shape[0])
    shift = 0.5 * (d - 2) - 1.0 / 3.0
    scale = 1.0 / math.sqrt(9.0 * shift) if d > 3 else 0.0
    smooth = 1.0 / math.sqrt(1.0 + rho * rho)
    m = m0
    out_overlap[0] = m
    status = FINISHED
    t = 0
    record = 0
    next_record = record_every
    if (abs(m) if even else m) >= stop_at:
        status = ESCAPED
    w = np.empty(3)
    while status == FINISHED and t < steps:
        m_start = m
        s_m = math.sqrt(max(0.0, 1.0 - m * m))
        lam0 = gen.standard_normal()
        beta = gen.standard_normal()
        y = link_value(kind, coef, root, m * lam0 + s_m * beta)[0]
        if noise > 0.0:
            y += noise * gen.standard_normal()
        zn = math.sqrt(chi_square(gen, d - 2, shift, scale))
        x_sq = lam0 * lam0 + beta * beta + zn * zn
        w[0] = 1.0
        w[1] = 0.0
        w[2] = 0.0
        for _ in range(reuse):
            lam = w[0] * lam0 + w[1] * beta + w[2] * zn
            if loss == 0 or loss == 1:
                f_lam, df_lam = link_value(kind, coef, root, lam)
                r = y - f_lam
                if loss == 1:
                    r = 1.0 if r > 0.0 else (-1.0 if r < 0.0 else 0.0)
                kappa = r * df_lam
            else:
                q = max(0.0, x_sq - lam * lam)
                if loss == 2:
                    kappa = y * smoothed_factor(coef, table, weights, lam, q, rho)
                else:
                    g = gen.standard_normal()
                    s = g / math.sqrt(g * g + chi_square(gen, d - 2, shift, scale))
                    arg = (lam + rho * math.sqrt(q) * s) * smooth
                    df_arg = link_value(kind, coef, root, arg)[1]
                    kappa = y * df_arg * smooth * (1.0 - (lam * rho * s / math.sqrt(q) if q > 0.0 else 0.0))
            c = eta * kappa
            radial = 0.0 if euclid else lam  # the tangent rule removes the part along w
            w0 = w[0] + c * (lam0 - radial * w[0])
            w1 = w[1] + c * (beta - radial * w[1])
            w2 = w[2] + c * (zn - radial * w[2])
            norm = math.sqrt(w0 * w0 + w1 * w1 + w2 * w2)
            if not math.isfinite(norm) or norm == 0.0:
                return DIVERGED, t + 1
            w[0] = w0 / norm
            w[1] = w1 / norm
            w[2] = w2 / norm
            m = min(1.0, max(-1.0, w[0] * m_start + w[1] * s_m))
            t += 1
            if t == next_record:
                record += 1
                next_record += record_every
                out_overlap[record] = m
            if (abs(m) if even else m) >= stop_at:
                status = ESCAPED
                break
            if t >= steps:
                break
        # the next sample is fresh: only the overlap matters (rotation invariance)
    if status == ESCAPED:
        for j in range(record + 1, out_overlap.shape[0]):
            out_overlap[j] = m
    return status, t
