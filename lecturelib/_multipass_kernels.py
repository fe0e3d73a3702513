r"""Numba kernel of batch-1 multi-pass SGD on a fixed sample (private; :mod:`lecturelib.multipass` wraps it).

One step on sample :math:`i`: with :math:`\lambda = \langle w, x_i\rangle` and
:math:`c = \eta\,(y_i - f(\lambda))\,f'(\lambda)`,

.. math::

    w' = \frac{(1 - c\lambda)\,w + c\,x_i}{N}, \qquad N^2 = 1 + c^2(\|x_i\|^2 - \lambda^2)

for a unit :math:`w` (the tangent step :math:`c(x_i - \lambda w)` is orthogonal to :math:`w`).
The kernel stores :math:`w = s\,v` with a scalar :math:`s`, so that a step is one dot product
(:math:`\lambda = s\langle v, x_i\rangle`) and one axpy (:math:`v \leftarrow v + a\,x_i`,
:math:`a = c/(s(1 - c\lambda))`, :math:`s \leftarrow s(1 - c\lambda)/N`): :math:`O(d)` work and no
pass for the normalization. The squared norms :math:`\|x_i\|^2` are computed once; ``v`` is
renormalized exactly every ``RENORMALIZE`` steps (and whenever :math:`|1 - c\lambda|` is small),
so rounding cannot accumulate. The target is :math:`w_* = e_1`, so :math:`m = s\,v_1`.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ._kernels import link_value, series_roots

RENORMALIZE = 1024
FINISHED, ESCAPED, DIVERGED = 0, 1, 2


@njit(cache=True, nogil=True)
def _renormalize(v: np.ndarray, s: float) -> float:
    """Fold ``s`` into ``v`` and make ``v`` a unit vector; returns the new scale 1."""
    total = 0.0
    for j in range(v.shape[0]):
        v[j] *= s
        total += v[j] * v[j]
    inv = 1.0 / math.sqrt(total)
    for j in range(v.shape[0]):
        v[j] *= inv
    return 1.0


@njit(cache=True, nogil=True)
def multipass_chain(
    gen: np.random.Generator,
    kind: int,
    coef: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    x_sq: np.ndarray,
    w: np.ndarray,
    eta: float,
    steps: int,
    replacement: bool,
    stop_at: float,
    even: bool,
    record_every: int,
    out_overlap: np.ndarray,
    seen: np.ndarray,
) -> tuple[int, int, int]:
    """Run one multi-pass chain from the unit vector ``w`` (overwritten with the final iterate).

    With ``replacement`` each step draws an index uniformly from ``0..n-1``; otherwise the
    sample is visited in epochs, each a fresh uniform permutation (Fisher--Yates). ``seen``
    (zeros on entry) marks the indices used. Returns ``(status, last step, reused steps)``,
    where a step is *reused* if its index had been used before.
    """
    n, d = x.shape
    root = series_roots(coef.shape[0])
    order = np.arange(n)
    position = n  # forces a shuffle before the first step of an epoch
    s = 1.0
    m = w[0]
    out_overlap[0] = m
    record = 0
    reused = 0
    status = FINISHED
    if (abs(m) if even else m) >= stop_at:
        out_overlap[:] = m
        return ESCAPED, 0, 0
    t = 0
    while t < steps:
        if replacement:
            i = gen.integers(0, n)
        else:
            if position == n:
                for j in range(n - 1, 0, -1):
                    r = gen.integers(0, j + 1)
                    order[j], order[r] = order[r], order[j]
                position = 0
            i = order[position]
            position += 1
        if seen[i]:
            reused += 1
        else:
            seen[i] = True
        dot = 0.0
        for j in range(d):
            dot += w[j] * x[i, j]
        lam = s * dot
        f_lam, df_lam = link_value(kind, coef, root, lam)
        c = eta * (y[i] - f_lam) * df_lam
        shrink = 1.0 - c * lam
        norm = math.sqrt(1.0 + c * c * max(0.0, x_sq[i] - lam * lam))
        if abs(shrink) < 1e-3 or not math.isfinite(norm):
            # Direct update: w' = (shrink * s v + c x_i) / ||.||.
            total = 0.0
            for j in range(d):
                w[j] = shrink * s * w[j] + c * x[i, j]
                total += w[j] * w[j]
            inv = 1.0 / math.sqrt(total)
            for j in range(d):
                w[j] *= inv
            s = 1.0
        else:
            a = c / (s * shrink)
            for j in range(d):
                w[j] += a * x[i, j]
            s = s * shrink / norm
        t += 1
        if t % RENORMALIZE == 0:
            s = _renormalize(w, s)
        m = s * w[0]
        if not math.isfinite(m):
            return DIVERGED, t, reused
        if t % record_every == 0:
            record += 1
            out_overlap[record] = m
        if (abs(m) if even else m) >= stop_at:
            status = ESCAPED
            break
    s = _renormalize(w, s)
    for r in range(record + 1, out_overlap.shape[0]):
        out_overlap[r] = m
    return status, t, reused


@njit(cache=True, nogil=True)
def dot_axpy_rows(x: np.ndarray, order: np.ndarray, w: np.ndarray, a: float) -> float:
    """The benchmark's baseline: per step one dot product and one axpy of length ``d`` on row
    ``order[t]`` of ``x``, in the same compiled code as :func:`multipass_chain`."""
    d = x.shape[1]
    acc = 0.0
    for t in range(order.shape[0]):
        i = order[t]
        dot = 0.0
        for j in range(d):
            dot += w[j] * x[i, j]
        acc += dot
        b = a / (1.0 + abs(dot))
        for j in range(d):
            w[j] += b * x[i, j]
    return acc


@njit(cache=True, nogil=True)
def signal_sums(
    kind: int, coef: np.ndarray, x: np.ndarray, y: np.ndarray, w: np.ndarray, gradient: bool,
    g_out: np.ndarray, grad_out: np.ndarray,
) -> None:
    r"""Add :math:`\sum_i \kappa_i (x_{i1} - \lambda_i w_1)` over the rows of ``x`` to ``g_out[p]`` for each
    point ``w[p]`` and, if ``gradient``, its Euclidean gradient in ``w[p]`` to ``grad_out[p]``:
    :math:`\sum_i [\kappa'_i a_i x_i - \kappa_i (w_1 x_i + \lambda_i e_1)]`, :math:`a_i = x_{i1} - \lambda_i w_1`,
    :math:`\kappa' = -f'^2 + (y - f) f''` (:math:`f''` by a central difference of :math:`f'`).
    The caller divides by :math:`n`. Cost :math:`O(d)` per (sample, point)."""
    n, d = x.shape
    root = series_roots(coef.shape[0])
    for i in range(n):  # sample-major: each row of x is read once, the points stay in cache
        for p in range(w.shape[0]):
            w1 = w[p, 0]
            lam = 0.0
            for j in range(d):
                lam += w[p, j] * x[i, j]
            # One call site of the inlined link_value for f, f' at lam and f' at lam +- h
            # (three inlined copies more than doubled the compilation time: 2.8 s against 1.2 s of CPU).
            h = 1e-4 * max(1.0, abs(lam))
            f_lam = df_lam = df_plus = df_minus = 0.0
            for q in range(3 if gradient else 1):
                value, slope = link_value(kind, coef, root, lam + (0.0, h, -h)[q])
                if q == 0:
                    f_lam, df_lam = value, slope
                elif q == 1:
                    df_plus = slope
                else:
                    df_minus = slope
            res = y[i] - f_lam
            kappa = res * df_lam
            a = x[i, 0] - lam * w1
            g_out[p] += kappa * a
            if gradient:
                ddf = (df_plus - df_minus) / (2.0 * h)
                b = (-df_lam * df_lam + res * ddf) * a - kappa * w1
                for j in range(d):
                    grad_out[p, j] += b * x[i, j]
                grad_out[p, 0] -= kappa * lam
