r"""Probabilists' Hermite polynomials, Hermite coefficients and the information exponent.

Notation (as in the lectures): :math:`G \sim N(0, 1)`, :math:`\gamma` its law, and
:math:`He_k` the probabilists' Hermite polynomials, the monic orthogonal polynomials of
:math:`\gamma`,

.. math::

    He_0 = 1,\quad He_1 = x,\quad He_{k+1}(x) = x\,He_k(x) - k\,He_{k-1}(x),
    \qquad \mathbb{E}[He_j(G)\,He_k(G)] = k!\,\mathbf{1}[j = k].

The normalized polynomials :math:`h_k = He_k/\sqrt{k!}` are an orthonormal basis of
:math:`L^2(\gamma)`. Every :math:`f \in L^2(\gamma)` expands as

.. math::

    f = \sum_{k \ge 0} \frac{\mu_k(f)}{k!} He_k = \sum_{k\ge 0} \frac{\mu_k(f)}{\sqrt{k!}}\, h_k,
    \qquad \mu_k(f) = \mathbb{E}[f(G)\,He_k(G)],

and the information exponent of ``f`` is :math:`k_* = \min\{k \ge 1 : \mu_k(f) \ne 0\}`.

Quadrature (used by :func:`gaussian_expectation` and :func:`hermite_coefficients`):

* without breakpoints, Gauss--Hermite quadrature for the weight :math:`\gamma`
  (``numpy.polynomial.hermite_e.hermegauss``, weights divided by :math:`\sqrt{2\pi}`) with
  ``n = min(360, max(200, 2 * kmax + 100))`` nodes. It is exact for polynomials of degree
  ``<= 2n - 1`` and converges fast for functions analytic in a strip (``tanh``, ``cos``).
* with ``breakpoints`` (the kinks or jumps of ``f``, e.g. ``(0.0,)`` for ReLU, ``|x|``,
  ``sign``), composite Gauss--Legendre quadrature of :math:`f\,He_k\,\varphi` on the truncated
  line :math:`[-L, L]`, :math:`L = 12 + 2\sqrt{k_{\max} + 1}` (beyond ``L`` the Gaussian
  factor is below :math:`10^{-30}` relative to the bulk of :math:`h_k^2\varphi`), cut at every
  breakpoint and into panels of width at most 1 with 24 nodes each. Each panel sees a smooth
  integrand, so the error is at the level of rounding.

Measured accuracy of the normalized coefficients :math:`\mu_k/\sqrt{k!}` against their
closed forms, ``k <= 60`` (``tests/test_hermite.py`` checks these bounds with margin):

* ``cos``, ``sin`` (Gauss--Hermite): max absolute error 4e-16;
* monomials :math:`x^p`, ``p <= 12``: relative error (to the largest coefficient) 1e-15;
* ReLU, ``|x|``, ``sign`` with ``breakpoints=(0.0,)``: max absolute error 3e-16, 3e-16, 3e-16;
* the same three *without* breakpoints: 7.5e-4, 1.5e-3, 4.0e-3 -- Gauss--Hermite converges only
  algebraically across a kink or a jump, which is why breakpoints exist;
* ``tanh``: the two rules agree to 2e-15.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import lru_cache
from numbers import Integral, Real

import numpy as np
from numpy.polynomial.hermite_e import hermegauss
from numpy.polynomial.legendre import leggauss
from numpy.typing import ArrayLike

__all__ = [
    "hermite",
    "hermite_basis",
    "hermite_monomials",
    "hermite_derivative",
    "hermite_series",
    "gaussian_expectation",
    "correlated_expectation",
    "hermite_coefficients",
    "information_exponent",
    "mehler",
    "DEFAULT_KMAX",
    "DEFAULT_TOL",
]

DEFAULT_KMAX = 20
"""Default highest degree searched by :func:`information_exponent`."""

DEFAULT_TOL = 1e-8
r"""Default relative threshold of :func:`information_exponent`: :math:`|\mu_k|/\sqrt{k!} > \mathrm{tol}\,\|f\|`."""

_GH_MAX_NODES = 360
_GL_NODES_PER_PANEL = 24
_GL_PANEL_WIDTH = 1.0
_SQRT_2PI = math.sqrt(2.0 * math.pi)


# --------------------------------------------------------------------------- validation


def _check_order(name: str, k: object) -> int:
    """Return ``k`` as a Python int if it is a non-negative integer, else raise."""
    if isinstance(k, bool) or not isinstance(k, Integral):
        raise TypeError(f"{name} must be a non-negative integer, got {k!r} of type {type(k).__name__}")
    if k < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {k}")
    return int(k)


def _check_points(name: str, x: ArrayLike) -> np.ndarray:
    """Return ``x`` as a float array if every entry is a finite real number, else raise."""
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be real numbers (array-like), got {x!r}") from exc
    if not np.all(np.isfinite(arr)):
        bad = arr[~np.isfinite(arr)].ravel()[0]
        raise ValueError(f"{name} must be finite, got a value {bad} (allowed: finite real numbers)")
    return arr


def _check_callable(name: str, f: object) -> Callable[[np.ndarray], ArrayLike]:
    if not callable(f):
        raise TypeError(f"{name} must be a callable of one array argument, got {type(f).__name__}")
    return f


def _check_breakpoints(breakpoints: Sequence[float] | None) -> tuple[float, ...] | None:
    if breakpoints is None:
        return None
    try:
        points = tuple(float(b) for b in breakpoints)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"breakpoints must be a sequence of real numbers or None, got {breakpoints!r}"
        ) from exc
    if not all(math.isfinite(b) for b in points):
        raise ValueError(f"breakpoints must be finite real numbers, got {breakpoints!r}")
    return tuple(sorted(set(points)))


def _check_tol(tol: object) -> float:
    if isinstance(tol, bool) or not isinstance(tol, Real) or not (0.0 < float(tol) < 1.0):
        raise ValueError(f"tol must be a real number in (0, 1), got {tol!r}")
    return float(tol)


def _sqrt_factorial(k: int) -> float:
    """:math:`\\sqrt{k!}` to a few ulps; ``inf`` once it exceeds the float range (k > 300)."""
    if k <= 170:
        return math.sqrt(math.factorial(k))
    log_value = 0.5 * math.lgamma(k + 1.0)
    return math.inf if log_value > 709.0 else math.exp(log_value)


def _sqrt_factorials(kmax: int) -> np.ndarray:
    return np.array([_sqrt_factorial(k) for k in range(kmax + 1)])


# --------------------------------------------------------------------------- polynomials


def hermite_basis(kmax: int, x: ArrayLike, normalized: bool = False) -> np.ndarray:
    r"""All Hermite polynomials of degree ``0 .. kmax`` at the points ``x``.

    The normalized polynomials :math:`h_k = He_k/\sqrt{k!}` are computed by the recurrence

    .. math:: h_0 = 1,\quad h_1 = x,\quad
              h_{k+1} = \frac{x\,h_k - \sqrt{k}\,h_{k-1}}{\sqrt{k+1}},

    which never forms :math:`k!` and stays of moderate size (for ``|x| <= 10`` and
    ``k <= 60``, :math:`|h_k(x)| < 10^{12}`). The plain polynomials use
    :math:`He_{k+1} = x\,He_k - k\,He_{k-1}` (exact for small integer ``x``); where that
    overflows they are :math:`He_k = \sqrt{k!}\,h_k`. They grow like :math:`\sqrt{k!}` and
    overflow to ``inf`` once :math:`\sqrt{k!}` leaves the float range (``k > 300``) or for
    astronomically large ``|x|`` -- overflowing entries are returned as :math:`\pm\infty`
    with the sign of :math:`x^k`, never ``nan``.

    Parameters
    ----------
    kmax : int
        Highest degree, ``kmax >= 0``.
    x : array_like
        Finite evaluation points, any shape.
    normalized : bool, default False
        Return :math:`h_k = He_k/\sqrt{k!}` instead of :math:`He_k`.

    Returns
    -------
    numpy.ndarray
        Shape ``(kmax + 1, *np.shape(x))``; entry ``[k]`` is :math:`He_k(x)` (or :math:`h_k(x)`).

    Examples
    --------
    >>> hermite_basis(3, 2.0).round(12).tolist()
    [1.0, 2.0, 3.0, 2.0]
    """
    kmax = _check_order("kmax", kmax)
    x = _check_points("x", x)
    out = _recurrence(kmax, x, normalized)
    bad = ~np.isfinite(out)
    if not normalized and np.any(bad):
        # The plain recurrence overflowed; the normalized one did not, so rescale it.
        with np.errstate(over="ignore", invalid="ignore"):
            scaled = _recurrence(kmax, x, True) * _sqrt_factorials(kmax).reshape(
                (kmax + 1,) + (1,) * x.ndim
            )
        out = np.where(bad, scaled, out)
        bad = ~np.isfinite(out)
    if np.any(bad):
        # Only for |x| beyond ~1e150 or k > 300: He_k(x) ~ x^k there, so the overflow is signed.
        degrees = np.arange(kmax + 1).reshape((kmax + 1,) + (1,) * x.ndim)
        signs = np.where((np.signbit(x) & (degrees % 2 == 1)), -1.0, 1.0)
        out = np.where(bad, signs * np.inf, out)
    return out


def _recurrence(kmax: int, x: np.ndarray, normalized: bool) -> np.ndarray:
    out = np.empty((kmax + 1, *x.shape))
    out[0] = 1.0
    if kmax >= 1:
        out[1] = x
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(1, kmax):
            if normalized:
                out[k + 1] = (x * out[k] - math.sqrt(k) * out[k - 1]) / math.sqrt(k + 1)
            else:
                out[k + 1] = x * out[k] - k * out[k - 1]
    return out


def hermite(k: int, x: ArrayLike, normalized: bool = False) -> np.ndarray:
    r"""Probabilists' Hermite polynomial :math:`He_k(x)`, or :math:`He_k(x)/\sqrt{k!}`.

    :math:`He_0 = 1`, :math:`He_1 = x`, :math:`He_{k+1} = x He_k - k He_{k-1}`, so that
    :math:`\mathbb{E}[He_j(G) He_k(G)] = k!\,\mathbf{1}[j=k]` for :math:`G \sim N(0,1)`.
    Evaluated by the recurrences of :func:`hermite_basis` (finite for every ``k`` when
    ``normalized=True``; the plain value overflows to :math:`\pm\infty` for ``k > 300``).

    Parameters
    ----------
    k : int
        Degree, ``k >= 0``.
    x : array_like
        Finite evaluation points, any shape.
    normalized : bool, default False
        Return :math:`h_k = He_k/\sqrt{k!}` (orthonormal in :math:`L^2(N(0,1))`).

    Returns
    -------
    numpy.ndarray
        Same shape as ``x``.

    Examples
    --------
    >>> float(hermite(3, 2.0))  # 2**3 - 3*2
    2.0
    >>> round(float(hermite(2, 3.0, normalized=True)), 12)  # (9 - 1)/sqrt(2)
    5.656854249492
    """
    k = _check_order("k", k)
    return hermite_basis(k, x, normalized)[k]


def hermite_monomials(k: int) -> tuple[int, ...]:
    r"""Exact integer coefficients :math:`(c_0, \dots, c_k)` of :math:`He_k(x) = \sum_j c_j x^j`.

    From the explicit formula

    .. math:: He_k(x) = k! \sum_{m=0}^{\lfloor k/2 \rfloor}
              \frac{(-1)^m}{m!\,(k-2m)!\,2^m}\, x^{k-2m},

    computed in integer arithmetic -- independent of the recurrence, so it can be used to
    check the recurrence and the derivative identity exactly.

    Examples
    --------
    >>> hermite_monomials(4)
    (3, 0, -6, 0, 1)
    """
    k = _check_order("k", k)
    coeffs = [0] * (k + 1)
    for m in range(k // 2 + 1):
        coeffs[k - 2 * m] = (-1) ** m * (
            math.factorial(k) // (math.factorial(m) * math.factorial(k - 2 * m) * 2**m)
        )
    return tuple(coeffs)


def hermite_derivative(
    k: int, x: ArrayLike, order: int = 1, normalized: bool = False
) -> np.ndarray:
    r"""The ``order``-th derivative of :math:`He_k` (or of :math:`h_k = He_k/\sqrt{k!}`).

    From :math:`He_k' = k\,He_{k-1}`:

    .. math:: \frac{d^r}{dx^r} He_k = \frac{k!}{(k-r)!}\, He_{k-r}, \qquad
              \frac{d^r}{dx^r} h_k = \sqrt{\frac{k!}{(k-r)!}}\; h_{k-r},

    and zero when :math:`r > k`.

    Parameters
    ----------
    k : int
        Degree, ``k >= 0``.
    x : array_like
        Finite evaluation points.
    order : int, default 1
        Order of the derivative, ``order >= 0``.
    normalized : bool, default False
        Differentiate :math:`h_k` instead of :math:`He_k`.

    Examples
    --------
    >>> float(hermite_derivative(3, 2.0))  # 3 He_2(2) = 3 * 3
    9.0
    """
    k = _check_order("k", k)
    order = _check_order("order", order)
    x = _check_points("x", x)
    if order > k:
        return np.zeros_like(x)
    factor = math.prod(range(k - order + 1, k + 1))
    if normalized:
        return math.sqrt(factor) * hermite(k - order, x, normalized=True)
    return factor * hermite(k - order, x)


def hermite_series(coefficients: ArrayLike, x: ArrayLike, normalized: bool = False) -> np.ndarray:
    r"""Evaluate a Hermite expansion at ``x``.

    With ``normalized=False`` (coefficients :math:`\mu_k`, as returned by
    :func:`hermite_coefficients`), returns :math:`\sum_{k=0}^{K} \frac{\mu_k}{k!} He_k(x)`;
    with ``normalized=True`` (coefficients :math:`a_k = \mu_k/\sqrt{k!}`), returns
    :math:`\sum_k a_k\, h_k(x)` -- the same function. Truncating the coefficients gives the
    partial sums of the expansion.

    Parameters
    ----------
    coefficients : array_like
        1-D, finite, at least one entry: :math:`\mu_0, \dots, \mu_K` (or :math:`c_0, \dots, c_K`).
    x : array_like
        Finite evaluation points, any shape.
    normalized : bool, default False
        Whether ``coefficients`` are the normalized :math:`a_k`.

    Examples
    --------
    >>> # x**3 = He_3 + 3 He_1: mu_1 = 3, mu_3 = 3! * 1
    >>> round(float(hermite_series([0.0, 3.0, 0.0, 6.0], 2.0)), 12)
    8.0
    """
    c = _check_coefficients("coefficients", coefficients)
    x = _check_points("x", x)
    if not normalized:
        c = c / _sqrt_factorials(c.size - 1)
    basis = hermite_basis(c.size - 1, x, normalized=True)
    return np.tensordot(c, basis, axes=(0, 0))


def _check_coefficients(name: str, coefficients: ArrayLike) -> np.ndarray:
    try:
        c = np.asarray(coefficients, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a 1-D array of real numbers, got {coefficients!r}") from exc
    if c.ndim != 1 or c.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {c.shape}")
    if not np.all(np.isfinite(c)):
        raise ValueError(f"{name} must be finite, got {c.tolist()}")
    return c


# --------------------------------------------------------------------------- quadrature


@lru_cache(maxsize=16)
def _gauss_hermite_rule(n: int) -> tuple[np.ndarray, np.ndarray]:
    nodes, weights = hermegauss(n)
    weights = weights / _SQRT_2PI
    nodes.setflags(write=False)
    weights.setflags(write=False)
    return nodes, weights


@lru_cache(maxsize=64)
def _piecewise_rule(breakpoints: tuple[float, ...], half_width: float) -> tuple[np.ndarray, np.ndarray]:
    """Composite Gauss--Legendre rule for the Gaussian measure on ``[-L, L]`` cut at the breakpoints."""
    unit_nodes, unit_weights = leggauss(_GL_NODES_PER_PANEL)
    cuts = sorted({-half_width, half_width, *(b for b in breakpoints if abs(b) < half_width)})
    nodes, weights = [], []
    for a, b in zip(cuts[:-1], cuts[1:]):
        panels = max(1, math.ceil((b - a) / _GL_PANEL_WIDTH))
        edges = np.linspace(a, b, panels + 1)
        half = 0.5 * np.diff(edges)[:, None]
        mid = 0.5 * (edges[1:] + edges[:-1])[:, None]
        nodes.append((mid + half * unit_nodes).ravel())
        weights.append((half * unit_weights).ravel())
    x = np.concatenate(nodes)
    w = np.concatenate(weights) * np.exp(-0.5 * x * x) / _SQRT_2PI
    x.setflags(write=False)
    w.setflags(write=False)
    return x, w


def _rule(kmax: int, breakpoints: tuple[float, ...] | None) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights integrating ``g * He_k`` against N(0,1) for ``k <= kmax``."""
    if breakpoints is None:
        # numpy's Golub--Welsch rule loses its weights to overflow beyond about 370 nodes.
        return _gauss_hermite_rule(min(_GH_MAX_NODES, max(200, 2 * kmax + 100)))
    return _piecewise_rule(breakpoints, 12.0 + 2.0 * math.sqrt(kmax + 1.0))


def _evaluate_on_nodes(f: Callable[[np.ndarray], ArrayLike], nodes: np.ndarray, name: str) -> np.ndarray:
    """``f(nodes)`` as a float array of the nodes' shape; raise if it is not finite."""
    try:
        values = np.asarray(f(nodes.copy()), dtype=float)
    except TypeError as exc:
        raise TypeError(
            f"{name} must accept a numpy array and return an array of the same shape "
            f"(wrap a scalar function with numpy.vectorize); calling it failed with: {exc}"
        ) from exc
    if values.shape == ():
        values = np.full(nodes.shape, float(values))
    if values.shape != nodes.shape:
        raise ValueError(
            f"{name} must return an array of the shape of its argument, "
            f"got shape {values.shape} for an argument of shape {nodes.shape}"
        )
    bad = ~np.isfinite(values)
    if np.any(bad):
        where = nodes[bad][0]
        raise ValueError(
            f"{name} returned non-finite values (e.g. {values[bad][0]} at x = {where:.6g}) on "
            f"{int(bad.sum())} of {nodes.size} quadrature nodes spanning "
            f"[{nodes.min():.3g}, {nodes.max():.3g}]; {name} must be finite and "
            f"square-integrable under N(0, 1)"
        )
    return values


def gaussian_expectation(
    g: Callable[[np.ndarray], ArrayLike],
    *,
    breakpoints: Sequence[float] | None = None,
) -> float:
    r""":math:`\mathbb{E}[g(G)]` for :math:`G \sim N(0, 1)`, by quadrature.

    Uses the rule described in the module docstring: Gauss--Hermite (200 nodes) for smooth
    ``g``, composite Gauss--Legendre cut at ``breakpoints`` when ``g`` has kinks or jumps.

    Parameters
    ----------
    g : callable
        Vectorized function of one array argument; must be finite on the nodes.
    breakpoints : sequence of float, optional
        Points where ``g`` is not smooth (e.g. ``(0.0,)`` for ``|x|``).

    Examples
    --------
    >>> round(gaussian_expectation(lambda x: x**4), 12)
    3.0
    >>> round(gaussian_expectation(np.abs, breakpoints=(0.0,)), 12)  # sqrt(2/pi)
    0.797884560803
    """
    g = _check_callable("g", g)
    nodes, weights = _rule(0, _check_breakpoints(breakpoints))
    return float(weights @ _evaluate_on_nodes(g, nodes, "g"))


def correlated_expectation(
    f: Callable[[np.ndarray], ArrayLike],
    g: Callable[[np.ndarray], ArrayLike],
    rho: float,
    *,
    nodes: int = 80,
) -> float:
    r""":math:`\mathbb{E}[f(G_1)\,g(G_2)]` for standard Gaussians with correlation :math:`r` = ``rho``.

    Writes :math:`G_2 = r G_1 + \sqrt{1-r^2}\, G_3` with :math:`G_1, G_3` independent
    and applies the tensor product of two ``nodes``-point Gauss--Hermite rules, which is exact
    when ``f`` and ``g`` are polynomials of total degree ``<= 2 * nodes - 1``. Meant for smooth
    ``f, g`` (e.g. to check Mehler's formula); for kinks it converges slowly.

    Parameters
    ----------
    f, g : callable
        Vectorized functions of one array argument.
    rho : float
        Correlation, in ``[-1, 1]``.
    nodes : int, default 80
        Gauss--Hermite nodes per dimension, ``1 <= nodes <= 400``.

    Examples
    --------
    >>> round(correlated_expectation(lambda x: x**2 - 1, lambda x: x**2 - 1, 0.5), 12)
    0.5
    """
    f = _check_callable("f", f)
    g = _check_callable("g", g)
    rho = _check_correlation("rho", rho)
    if isinstance(nodes, bool) or not isinstance(nodes, Integral) or not 1 <= nodes <= 400:
        raise ValueError(f"nodes must be an integer in [1, 400], got {nodes!r}")
    x, w = _gauss_hermite_rule(int(nodes))
    g2 = rho * x[:, None] + math.sqrt(1.0 - rho * rho) * x[None, :]
    fv = _evaluate_on_nodes(f, x, "f")
    gv = _evaluate_on_nodes(g, g2.ravel(), "g").reshape(g2.shape)
    return float(w @ (fv[:, None] * gv) @ w)


def _check_correlation(name: str, rho: object) -> float:
    if isinstance(rho, bool) or not isinstance(rho, Real) or not (-1.0 <= float(rho) <= 1.0):
        raise ValueError(f"{name} must be a real number in [-1, 1], got {rho!r}")
    return float(rho)


# --------------------------------------------------------------------------- coefficients


def hermite_coefficients(
    f: Callable[[np.ndarray], ArrayLike],
    kmax: int,
    *,
    breakpoints: Sequence[float] | None = None,
    normalized: bool = False,
) -> np.ndarray:
    r"""Hermite coefficients :math:`\mu_k(f) = \mathbb{E}[f(G)\,He_k(G)]`, ``k = 0 .. kmax``.

    So that :math:`f = \sum_k \frac{\mu_k}{k!} He_k` in :math:`L^2(N(0,1))`; when ``f`` is
    ``k`` times differentiable, :math:`\mu_k = \mathbb{E}[f^{(k)}(G)]` (Gaussian integration
    by parts). The normalized coefficients :math:`\mu_k/\sqrt{k!}` are computed directly, as
    :math:`\mathbb{E}[f(G)\,h_k(G)]`, so nothing overflows.

    Accuracy (measured up to ``k = 60``, see the module docstring and
    ``tests/test_hermite.py``): absolute error of :math:`\mu_k/\sqrt{k!}` about ``4e-16``
    for ``cos``, ``sin``; relative error ``1e-15`` for monomials; about ``3e-16`` for ReLU,
    ``|x|``, ``sign`` when their kink ``breakpoints=(0.0,)`` is given. Without breakpoints a
    kink costs accuracy (about ``1e-3`` for ReLU): pass them.

    Parameters
    ----------
    f : callable
        Vectorized function of one array argument, in :math:`L^2(N(0,1))`, finite on the
        quadrature nodes (which reach ``|x| ~ 30``).
    kmax : int
        Highest degree, ``kmax >= 0``.
    breakpoints : sequence of float, optional
        Points where ``f`` or a derivative jumps; the integral is split there.
    normalized : bool, default False
        Return :math:`\mu_k/\sqrt{k!}` instead of :math:`\mu_k`.

    Returns
    -------
    numpy.ndarray
        Shape ``(kmax + 1,)``.

    Raises
    ------
    ValueError
        If ``kmax < 0`` or ``f`` returns ``nan``/``inf`` on a quadrature node.

    Examples
    --------
    >>> mu = hermite_coefficients(lambda x: x**3, 3)  # x^3 = He_3 + 3 He_1
    >>> mu[[1, 3]].round(12).tolist()
    [3.0, 6.0]
    """
    f = _check_callable("f", f)
    kmax = _check_order("kmax", kmax)
    nodes, weights = _rule(kmax, _check_breakpoints(breakpoints))
    values = _evaluate_on_nodes(f, nodes, "f")
    normalized_mu = hermite_basis(kmax, nodes, normalized=True) @ (weights * values)
    if normalized:
        return normalized_mu
    with np.errstate(over="ignore"):
        return normalized_mu * _sqrt_factorials(kmax)


def _leading_index(normalized_mu: np.ndarray, norm: float, tol: float) -> int | None:
    """Smallest ``k >= 1`` with ``|normalized_mu[k]| > tol * norm``; ``None`` if there is none."""
    above = np.nonzero(np.abs(normalized_mu[1:]) > tol * norm)[0]
    return int(above[0]) + 1 if above.size else None


def information_exponent(
    f: Callable[[np.ndarray], ArrayLike],
    kmax: int = DEFAULT_KMAX,
    tol: float = DEFAULT_TOL,
    *,
    breakpoints: Sequence[float] | None = None,
) -> int:
    r"""Information exponent :math:`k_* = \min\{k \ge 1 : \mu_k(f) \ne 0\}`.

    Numerically: the smallest ``1 <= k <= kmax`` with
    :math:`|\mu_k|/\sqrt{k!} > \mathrm{tol}\cdot\|f\|_{L^2}`, where
    :math:`\|f\|_{L^2}^2 = \mathbb{E}[f(G)^2]`. The constant term ``k = 0`` is excluded: it
    does not depend on the direction ``w``. The default ``tol = 1e-8`` sits far above the
    quadrature error (about ``1e-15`` relative to the coefficients) and far below any
    coefficient one would call nonzero in these lectures.

    Parameters
    ----------
    f : callable
        Vectorized function in :math:`L^2(N(0,1))`.
    kmax : int, default 20
        Highest degree searched, ``kmax >= 1``.
    tol : float, default 1e-8
        Relative threshold, in ``(0, 1)``.
    breakpoints : sequence of float, optional
        Kinks or jumps of ``f`` (see :func:`hermite_coefficients`).

    Raises
    ------
    ValueError
        If ``f`` is zero or constant (no exponent exists), or if no coefficient of degree
        ``1 .. kmax`` exceeds the threshold (the exponent, if any, is above ``kmax``).

    Examples
    --------
    >>> information_exponent(lambda x: x**3)  # x^3 = He_3 + 3 He_1
    1
    >>> information_exponent(lambda x: x**4 - 6 * x**2 + 3)  # He_4
    4
    """
    f = _check_callable("f", f)
    kmax = _check_order("kmax", kmax)
    if kmax < 1:
        raise ValueError(f"kmax must be at least 1 (k = 0 is excluded), got {kmax}")
    tol = _check_tol(tol)
    points = _check_breakpoints(breakpoints)
    mu = hermite_coefficients(f, kmax, breakpoints=points, normalized=True)
    norm = math.sqrt(gaussian_expectation(lambda x: np.asarray(f(x), dtype=float) ** 2, breakpoints=points))
    k_star = _leading_index(mu, norm, tol)
    if k_star is None:
        raise ValueError(
            f"f has no Hermite coefficient of degree 1..{kmax} above tol * ||f|| = {tol * norm:.3g}: "
            f"either f is constant (no information exponent) or its exponent exceeds kmax={kmax}; "
            f"raise kmax to search further"
        )
    return k_star


def mehler(j: int, k: int, rho: ArrayLike, normalized: bool = False) -> np.ndarray:
    r"""Mehler's formula: :math:`\mathbb{E}[He_j(G_1)\,He_k(G_2)] = k!\,r^k\,\mathbf{1}[j=k]`.

    For standard Gaussians :math:`G_1, G_2` with correlation :math:`r` = ``rho``. With
    ``normalized=True`` the polynomials are :math:`h_k = He_k/\sqrt{k!}` and the value is
    :math:`r^k\,\mathbf{1}[j=k]`. Summing over the expansion of ``f`` gives
    :math:`\mathbb{E}[f(G_1) f(G_2)] = \sum_k \frac{\mu_k^2}{k!}r^k`.

    Parameters
    ----------
    j, k : int
        Degrees, non-negative.
    rho : array_like
        Correlation(s) in ``[-1, 1]``.
    normalized : bool, default False
        Use :math:`h_k` instead of :math:`He_k`.

    Examples
    --------
    >>> float(mehler(3, 3, 0.5))  # 3! * 0.5**3
    0.75
    """
    j = _check_order("j", j)
    k = _check_order("k", k)
    rho = _check_points("rho", rho)
    if np.any(np.abs(rho) > 1.0):
        raise ValueError(f"rho must lie in [-1, 1], got a value {rho[np.abs(rho) > 1.0].ravel()[0]}")
    if j != k:
        return np.zeros_like(rho)
    scale = 1.0 if normalized else float(math.factorial(k))
    return scale * rho**k
