r"""Link functions of the single-index model and their population quantities.

A :class:`Link` describes the link ``f`` of :math:`y = f(\langle w_*, x\rangle)`,
:math:`x \sim N(0, I_d)`, trained with the single neuron :math:`f(\langle w, x\rangle)`,
:math:`\|w\| = \|w_*\| = 1`. Everything the population dynamics needs is a function of
the overlap :math:`m = \langle w, w_*\rangle`. With :math:`\mu_k = \mathbb{E}[f(G)He_k(G)]`,
Mehler's formula gives

.. math::

    \psi(m) = \mathbb{E}[f(\langle w_*, x\rangle)\, f(\langle w, x\rangle)]
            = \sum_{k \ge 0} \frac{\mu_k^2}{k!}\, m^k, \qquad
    L(m) = \tfrac12 \mathbb{E}\big[(f(\langle w_*,x\rangle) - f(\langle w,x\rangle))^2\big]
         = \psi(1) - \psi(m) = \sum_{k\ge1} \frac{\mu_k^2}{k!}(1 - m^k),

and the signal drift, minus the component of the spherical gradient along :math:`w_*`,

.. math::

    -\langle w_*, \nabla_S L(w)\rangle = (1 - m^2)\,\psi'(m).

Kinds of links (the field ``kind``):

``"hermite_series"``
    ``series`` holds the exact :math:`\mu_0, \dots, \mu_K` (``K <= 170``); everything is
    exact (polynomials in ``m``).
``"relu"``, ``"abs"``, ``"sign"``, ``"tanh"``, ``"sigmoid"`` (:data:`CLOSED_FORMS`)
    numpy closed forms, also implemented by name in the overlap engine. ReLU, ``|x|`` and
    ``sign`` have exact coefficients (from :math:`\mu_k = \mathbb{E}[f^{(k)}(G)]` in the sense
    of distributions) and closed-form correlations (arc-cosine kernels):

    * ReLU: :math:`\psi(m) = \big(\sqrt{1-m^2} + (\pi - \arccos m)\, m\big)/(2\pi)`;
    * ``|x|``: :math:`\psi(m) = \tfrac{2}{\pi}\big(\sqrt{1-m^2} + m \arcsin m\big)`;
    * ``sign``: :math:`\psi(m) = \tfrac{2}{\pi} \arcsin m`.

    ``tanh`` and ``sigmoid`` (the logistic :math:`1/(1+e^{-z})`) use quadrature coefficients
    up to ``kmax = 80``; the neglected tail :math:`\sum_{k>80}\mu_k^2/k!` is below ``4e-12``
    for ``tanh`` and below ``1e-15`` for ``sigmoid`` (measured), which bounds the error of
    :math:`\psi` and :math:`L` on ``[-1, 1]``.
``"callable"``
    any vectorized Python function (:meth:`Link.from_function`), with coefficients from
    :func:`lecturelib.hermite.hermite_coefficients` up to ``kmax`` (pass ``breakpoints`` for
    kinks); the correlation is the series truncated at ``kmax``, which misses
    :math:`\sum_{k>k_{\max}} \mu_k^2 |m|^k/k!`. Smooth functions lose nothing visible; a
    kink decays slowly (the tails at ``kmax = 80``: ReLU 5.9e-5, ``|x|`` 2.4e-4, ``sign``
    0.057), which is why those three have closed forms.

The derivative of ``sign`` is zero almost everywhere, so ``Link.named("sign").df`` is 0: a
per-sample gradient of the square loss vanishes almost surely, while the population drift
:math:`(1-m^2)\psi'(m) = \tfrac{2}{\pi}\sqrt{1-m^2}` is not zero -- the population drift of
``sign`` is *not* the mean of its per-sample gradients (the delta mass at the jump is lost).

A :class:`Link` is frozen and hashable (tuples, not arrays), so engines and widgets can
cache on it; two links built the same way compare equal.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from numbers import Integral
from types import MappingProxyType

import numpy as np
from numpy.polynomial import hermite_e
from numpy.polynomial import polynomial as poly
from numpy.typing import ArrayLike
from scipy.special import expit

from .hermite import (
    DEFAULT_TOL,
    _leading_index,
    _sqrt_factorials,
    gaussian_expectation,
    hermite_basis,
    hermite_coefficients,
    hermite_series,
)

__all__ = [
    "Link", "LossSample", "sample_population_loss", "directions_with_overlap",
    "conditional_hermite_norms", "binned_conditional_hermite_norms", "generative_exponent_of",
    "CLOSED_FORMS", "CATALOGUE", "KINDS", "LINK_KMAX", "MAX_SERIES_DEGREE",
]

CLOSED_FORMS: tuple[str, ...] = ("relu", "abs", "sign", "tanh", "sigmoid")
"""Links given by a numpy closed form (and implemented by name in the overlap engine)."""

KINDS: tuple[str, ...] = ("hermite_series", *CLOSED_FORMS, "callable")
"""Allowed values of :attr:`Link.kind`."""

CATALOGUE: tuple[str, ...] = (
    "relu", "abs", "sign", "tanh", "sigmoid",
    "he1", "he2", "he3", "he4", "quadratic", "cubic", "he3+he4",
)
r"""Names accepted by :meth:`Link.named` (``"he<k>"`` works for every ``1 <= k <= 170``).

``relu`` :math:`\max(z, 0)`; ``abs`` :math:`|z|`; ``sign`` (``df = 0`` almost everywhere:
its population drift is not the mean of its per-sample gradients); ``tanh``; ``sigmoid``
:math:`1/(1+e^{-z})`; ``he<k>`` :math:`He_k/\sqrt{k!}`; ``quadratic`` :math:`(z^2-1)/\sqrt2`;
``cubic`` :math:`z^3 = He_3 + 3He_1`; ``he3+he4``
:math:`(He_3/\sqrt{3!} + He_4/\sqrt{4!})/\sqrt2`.
"""

LINK_KMAX = 80
"""Degree up to which quadrature coefficients of ``tanh``, ``sigmoid`` and callables are kept."""

MAX_SERIES_DEGREE = 170
"""Highest degree of a Hermite-series link (``k!`` stays a finite float)."""

_SQRT_2PI = math.sqrt(2.0 * math.pi)
_M_SLACK = 1e-12  # overlaps of unit vectors computed in floating point may exceed 1 by ulps


# --------------------------------------------------------------------------- closed forms


def _relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0)


def _relu_df(z: np.ndarray) -> np.ndarray:
    return (z > 0.0).astype(float)


def _sign_df(z: np.ndarray) -> np.ndarray:
    return np.zeros_like(z)


def _tanh_df(z: np.ndarray) -> np.ndarray:
    return 1.0 - np.tanh(z) ** 2


def _sigmoid_df(z: np.ndarray) -> np.ndarray:
    s = expit(z)
    return s * (1.0 - s)


_FUNCTIONS = MappingProxyType({
    "relu": (_relu, _relu_df),
    "abs": (np.abs, np.sign),
    "sign": (np.sign, _sign_df),
    "tanh": (np.tanh, _tanh_df),
    "sigmoid": (expit, _sigmoid_df),
})

_BREAKPOINTS = MappingProxyType({"relu": (0.0,), "abs": (0.0,), "sign": (0.0,)})


def _kink_coefficients(kind: str, kmax: int) -> np.ndarray:
    r"""Exact :math:`\mu_k/\sqrt{k!}` of ReLU, ``|x|``, ``sign`` for ``k = 0..kmax``.

    ``relu'' = \delta_0`` and :math:`\mathbb{E}[\delta_0^{(n)}(G)] = He_n(0)/\sqrt{2\pi}`, so
    :math:`\mu_k(\mathrm{relu}) = He_{k-2}(0)/\sqrt{2\pi}` for ``k >= 2`` and
    :math:`\mu_k/\sqrt{k!} = h_{k-2}(0)/\sqrt{2\pi k(k-1)}`; ``sign' = 2\delta_0`` gives
    :math:`\mu_k/\sqrt{k!} = 2 h_{k-1}(0)/\sqrt{2\pi k}`; and ``|x| = relu(x) + relu(-x)``.
    """
    h0 = hermite_basis(kmax, 0.0, normalized=True)
    k = np.arange(kmax + 1, dtype=float)
    c = np.zeros(kmax + 1)
    if kind == "sign":
        c[1:] = 2.0 * h0[:-1] / (_SQRT_2PI * np.sqrt(k[1:]))
        return c
    c[0] = 1.0 / _SQRT_2PI
    if kmax >= 1:
        c[1] = 0.5
    c[2:] = h0[:-2] / (_SQRT_2PI * np.sqrt(k[2:] * (k[2:] - 1.0)))
    if kind == "abs":
        c = np.where(np.arange(kmax + 1) % 2 == 0, 2.0 * c, 0.0)
    return c


def _closed_correlation(kind: str, m: np.ndarray) -> np.ndarray:
    root = np.sqrt(1.0 - m * m)
    if kind == "relu":
        return (root + (np.pi - np.arccos(m)) * m) / (2.0 * np.pi)
    if kind == "abs":
        return 2.0 / np.pi * (root + m * np.arcsin(m))
    return 2.0 / np.pi * np.arcsin(m)  # sign


def _closed_correlation_derivative(kind: str, m: np.ndarray) -> np.ndarray:
    if kind == "relu":
        return (np.pi - np.arccos(m)) / (2.0 * np.pi)
    if kind == "abs":
        return 2.0 / np.pi * np.arcsin(m)
    with np.errstate(divide="ignore"):
        return 2.0 / np.pi / np.sqrt(1.0 - m * m)  # sign: infinite at m = +-1


# --------------------------------------------------------------------------- validation


@functools.lru_cache(maxsize=32)
def _smooth_closed_form_coefficients(kind: str, kmax: int) -> np.ndarray:
    """Quadrature coefficients of ``tanh`` or ``sigmoid``: a function of (kind, kmax) only,
    so they are computed once per process instead of once per :class:`Link` instance."""
    return _read_only(hermite_coefficients(_FUNCTIONS[kind][0], kmax, normalized=True))


def _check_overlap(m: ArrayLike) -> np.ndarray:
    try:
        arr = np.asarray(m, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"m must be real numbers (array-like), got {m!r}") from exc
    bad = ~np.isfinite(arr) | (np.abs(arr) > 1.0 + _M_SLACK)
    if np.any(bad):
        raise ValueError(f"m must be an overlap in [-1, 1], got a value {arr[bad].ravel()[0]}")
    return np.clip(arr, -1.0, 1.0)


def _scalar_or_array(values: np.ndarray) -> float | np.ndarray:
    return float(values) if values.ndim == 0 else values


def _check_degree(name: str, k: object, low: int) -> int:
    if isinstance(k, bool) or not isinstance(k, Integral):
        raise TypeError(f"{name} must be an integer in [{low}, {MAX_SERIES_DEGREE}], got {k!r}")
    if not low <= k <= MAX_SERIES_DEGREE:
        raise ValueError(f"{name} must be an integer in [{low}, {MAX_SERIES_DEGREE}], got {k}")
    return int(k)


def _read_only(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float)
    a.setflags(write=False)
    return a


# --------------------------------------------------------------------------- Link


@dataclass(frozen=True)
class Link:
    r"""A link function ``f`` with its derivative, Hermite coefficients and population quantities.

    Build one with :meth:`hermite`, :meth:`relu`, :meth:`named`, :meth:`from_hermite_series`
    or :meth:`from_function` rather than by hand.

    Attributes
    ----------
    name : str
        Display name (``"he3"``, ``"relu"``, ...).
    kind : str
        ``"hermite_series"``, one of :data:`CLOSED_FORMS`, or ``"callable"``.
    series : tuple of float or None
        For ``kind == "hermite_series"``: exact :math:`\mu_0, \dots, \mu_K` with
        :math:`f = \sum_k \mu_k He_k/k!`; ``None`` otherwise.
    breakpoints : tuple of float or None
        Kinks or jumps of ``f`` used by the quadrature (``(0.0,)`` for ReLU, ``|x|``, sign).
    kmax : int
        Degree up to which numerical coefficients are computed (``kind`` not a series).
    function, derivative : callable or None
        For ``kind == "callable"``: the user's ``f`` and ``f'`` (``None`` = central
        differences).
    """

    name: str
    kind: str
    series: tuple[float, ...] | None = None
    breakpoints: tuple[float, ...] | None = None
    kmax: int = LINK_KMAX
    function: Callable[[np.ndarray], ArrayLike] | None = field(default=None, repr=False)
    derivative: Callable[[np.ndarray], ArrayLike] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"name must be a non-empty string, got {self.name!r}")
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        _check_degree("kmax", self.kmax, 1)
        if (self.kind == "hermite_series") != (self.series is not None):
            raise ValueError(
                f"series must be given exactly when kind == 'hermite_series', got kind={self.kind!r} "
                f"and series={self.series!r}"
            )
        if self.series is not None:
            if not isinstance(self.series, tuple) or not all(isinstance(c, float) for c in self.series):
                raise TypeError(f"series must be a tuple of floats, got {self.series!r}")
            if not 1 <= len(self.series) <= MAX_SERIES_DEGREE + 1 or not all(
                math.isfinite(c) for c in self.series
            ):
                raise ValueError(
                    f"series must hold 1 to {MAX_SERIES_DEGREE + 1} finite coefficients, got {self.series!r}"
                )
        if self.kind == "callable" and not callable(self.function):
            raise TypeError(f"function must be callable for kind 'callable', got {self.function!r}")
        if self.kind != "callable" and (self.function is not None or self.derivative is not None):
            raise ValueError(f"function/derivative are only for kind 'callable', got kind={self.kind!r}")
        if self.derivative is not None and not callable(self.derivative):
            raise TypeError(f"derivative must be callable or None, got {self.derivative!r}")
        if self.breakpoints is not None and not (
            isinstance(self.breakpoints, tuple)
            and all(isinstance(b, float) and math.isfinite(b) for b in self.breakpoints)
        ):
            raise TypeError(f"breakpoints must be None or a tuple of finite floats, got {self.breakpoints!r}")

    # ----------------------------------------------------------------- constructors

    @classmethod
    def hermite(cls, k: int) -> Link:
        r"""The normalized Hermite link :math:`f = He_k/\sqrt{k!}`.

        Its series has the single coefficient :math:`\mu_k = \sqrt{k!}`, so
        :math:`\mathbb{E}f(G)^2 = 1`, :math:`\psi(m) = m^k`, :math:`L(m) = 1 - m^k` and the
        information exponent is ``k``.

        Parameters
        ----------
        k : int
            Degree, ``1 <= k <= 170``.
        """
        k = _check_degree("k", k, 1)
        return cls(name=f"he{k}", kind="hermite_series",
                   series=(0.0,) * k + (math.sqrt(math.factorial(k)),))

    @classmethod
    def relu(cls) -> Link:
        r"""ReLU :math:`f(z) = \max(z, 0)`, with the arc-cosine kernel as correlation."""
        return cls(name="relu", kind="relu", breakpoints=_BREAKPOINTS["relu"])

    @classmethod
    def from_hermite_series(
        cls, coefficients: ArrayLike, name: str | None = None, *, normalized: bool = False
    ) -> Link:
        r"""The link :math:`f = \sum_{k=0}^{K} \mu_k He_k/k!` from its coefficients.

        Parameters
        ----------
        coefficients : array_like
            :math:`\mu_0, \dots, \mu_K` (1-D, finite, ``K <= 170``), or with
            ``normalized=True`` the :math:`a_k = \mu_k/\sqrt{k!}` (so that
            :math:`f = \sum a_k h_k` and :math:`\mathbb{E} f^2 = \sum a_k^2`).
        name : str, optional
            Display name; default ``"hermite_series"``.
        normalized : bool, default False
            Whether ``coefficients`` are the normalized :math:`a_k`.

        Examples
        --------
        >>> Link.from_hermite_series([0.0, 3.0, 0.0, 6.0]).information_exponent  # z**3
        1
        """
        try:
            c = np.asarray(coefficients, dtype=float)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"coefficients must be a 1-D array of real numbers, got {coefficients!r}") from exc
        if c.ndim != 1 or not 1 <= c.size <= MAX_SERIES_DEGREE + 1:
            raise ValueError(
                f"coefficients must be 1-D with 1 to {MAX_SERIES_DEGREE + 1} entries, got shape {c.shape}"
            )
        if not np.all(np.isfinite(c)):
            raise ValueError(f"coefficients must be finite, got {c.tolist()}")
        if normalized:
            c = c * _sqrt_factorials(c.size - 1)
        return cls(name=name or "hermite_series", kind="hermite_series",
                   series=tuple(float(v) for v in c))

    @classmethod
    def from_function(
        cls,
        f: Callable[[np.ndarray], ArrayLike],
        df: Callable[[np.ndarray], ArrayLike] | None = None,
        name: str | None = None,
        *,
        breakpoints: Sequence[float] | None = None,
        kmax: int = LINK_KMAX,
    ) -> Link:
        r"""A link from a vectorized Python function ``f`` (kind ``"callable"``).

        Parameters
        ----------
        f : callable
            Vectorized, square-integrable under :math:`N(0,1)`, finite on the real line.
        df : callable, optional
            Its derivative. If omitted, ``df`` uses central differences with step
            :math:`h = \epsilon^{1/3}\max(1, |z|)` (relative error about ``1e-10`` for
            smooth ``f``).
        name : str, optional
            Display name; default ``f.__name__`` (or ``"custom"`` for a lambda).
        breakpoints : sequence of float, optional
            Kinks or jumps of ``f``, passed to the quadrature of the coefficients.
        kmax : int, default 80
            Coefficients :math:`\mu_0..\mu_{k_{\max}}` are computed; the correlation is the
            series truncated there.
        """
        if not callable(f):
            raise TypeError(f"f must be a callable of one array argument, got {type(f).__name__}")
        if df is not None and not callable(df):
            raise TypeError(f"df must be callable or None, got {type(df).__name__}")
        if name is None:
            name = getattr(f, "__name__", "custom")
            name = "custom" if name == "<lambda>" else name
        probe = np.linspace(-3.0, 3.0, 7)
        values = np.asarray(f(probe), dtype=float)
        if values.shape not in ((), probe.shape) or not np.all(np.isfinite(values)):
            raise ValueError(
                f"f must map an array to finite values of the same shape; f(linspace(-3, 3, 7)) "
                f"returned {values!r}"
            )
        if breakpoints is not None:
            try:
                breakpoints = tuple(sorted({float(b) for b in breakpoints}))
            except (TypeError, ValueError) as exc:
                raise TypeError(f"breakpoints must be a sequence of real numbers, got {breakpoints!r}") from exc
        return cls(name=name, kind="callable", breakpoints=breakpoints, kmax=kmax,
                   function=f, derivative=df)

    @classmethod
    def named(cls, name: str) -> Link:
        """The catalogue link called ``name`` (see :data:`CATALOGUE`; also ``"he<k>"``).

        Examples
        --------
        >>> Link.named("abs").information_exponent
        2
        """
        if not isinstance(name, str):
            raise TypeError(f"name must be a string from {CATALOGUE}, got {name!r}")
        if name in CLOSED_FORMS:
            return cls(name=name, kind=name, breakpoints=_BREAKPOINTS.get(name))
        match = re.fullmatch(r"he(\d+)", name)
        if match:
            return cls.hermite(int(match.group(1)))
        if name == "quadratic":
            return cls.from_hermite_series([0.0, 0.0, math.sqrt(2.0)], name="quadratic")
        if name == "cubic":
            return cls.from_hermite_series([0.0, 3.0, 0.0, 6.0], name="cubic")
        if name == "he3+he4":
            r = 1.0 / math.sqrt(2.0)
            return cls.from_hermite_series([0.0, 0.0, 0.0, r, r], name="he3+he4", normalized=True)
        raise ValueError(f"name must be one of {CATALOGUE} or 'he<k>', got {name!r}")

    # ----------------------------------------------------------------- the function

    def f(self, z: ArrayLike) -> np.ndarray:
        """The link evaluated at ``z`` (vectorized)."""
        z = np.asarray(z, dtype=float)
        if self.kind == "hermite_series":
            return hermite_e.hermeval(z, self._monomial_weights)
        if self.kind == "callable":
            return np.broadcast_to(np.asarray(self.function(z), dtype=float), z.shape).copy()
        return _FUNCTIONS[self.kind][0](z)

    def df(self, z: ArrayLike) -> np.ndarray:
        """The derivative ``f'`` at ``z`` (vectorized; 0 almost everywhere for ``sign``)."""
        z = np.asarray(z, dtype=float)
        if self.kind == "hermite_series":
            # (sum mu_k He_k/k!)' = sum mu_{k+1} He_k/k!: the series shifted by one.
            return hermite_e.hermeval(z, self._monomial_weights[1:] * np.arange(1, len(self.series)))
        if self.kind == "callable":
            if self.derivative is not None:
                return np.broadcast_to(np.asarray(self.derivative(z), dtype=float), z.shape).copy()
            step = np.finfo(float).eps ** (1.0 / 3.0) * np.maximum(1.0, np.abs(z))
            step = (z + step) - z  # a step that is exactly representable around z
            return (self.f(z + step) - self.f(z - step)) / (2.0 * step)
        return _FUNCTIONS[self.kind][1](z)

    def partial_sum(self, z: ArrayLike, order: int) -> np.ndarray:
        r"""The Hermite partial sum :math:`\sum_{k=0}^{\mathrm{order}} \frac{\mu_k}{k!} He_k(z)`."""
        order = _check_degree("order", order, 0)
        return hermite_series(self.normalized_coefficients[: order + 1], z, normalized=True)

    @cached_property
    def _monomial_weights(self) -> np.ndarray:
        """``mu_k / k!``, the weights of ``He_k`` in ``f`` (series links)."""
        return np.array([mu / math.factorial(k) for k, mu in enumerate(self.series)])

    # ----------------------------------------------------------------- coefficients

    @cached_property
    def normalized_coefficients(self) -> np.ndarray:
        r""":math:`\mu_k/\sqrt{k!}` for ``k = 0..K`` (read-only; ``K = len(series) - 1`` or ``kmax``)."""
        if self.kind == "hermite_series":
            return _read_only(np.asarray(self.series) / _sqrt_factorials(len(self.series) - 1))
        if self.kind in _BREAKPOINTS:
            return _read_only(_kink_coefficients(self.kind, self.kmax))
        if self.kind in CLOSED_FORMS:
            return _smooth_closed_form_coefficients(self.kind, self.kmax)
        return _read_only(
            hermite_coefficients(self.f, self.kmax, breakpoints=self.breakpoints, normalized=True)
        )

    @cached_property
    def coefficients(self) -> np.ndarray:
        r""":math:`\mu_k = \mathbb{E}[f(G)He_k(G)]` for ``k = 0..K`` (read-only)."""
        if self.kind == "hermite_series":
            return _read_only(self.series)
        return _read_only(self.normalized_coefficients * _sqrt_factorials(self.kmax))

    @cached_property
    def second_moment(self) -> float:
        r""":math:`\mathbb{E}[f(G)^2] = \psi(1)` (exact for series and kinks, quadrature otherwise)."""
        if self.kind == "hermite_series" or self.kind in _BREAKPOINTS:
            return float(self.correlation(1.0))
        return gaussian_expectation(lambda z: self.f(z) ** 2, breakpoints=self.breakpoints)

    @cached_property
    def information_exponent(self) -> int:
        r"""Smallest ``k >= 1`` with :math:`|\mu_k|/\sqrt{k!} > 10^{-8}\,\|f\|_{L^2}`.

        Raises ``ValueError`` for a constant link (no exponent) or one whose exponent
        exceeds the stored degree.
        """
        k_star = _leading_index(self.normalized_coefficients, math.sqrt(self.second_moment), DEFAULT_TOL)
        if k_star is None:
            raise ValueError(
                f"link {self.name!r} has no nonzero Hermite coefficient of degree 1.."
                f"{self.normalized_coefficients.size - 1}: it is constant or its information "
                f"exponent exceeds the stored degree"
            )
        return k_star

    @cached_property
    def generative_exponent(self) -> int:
        r"""Smallest ``j >= 1`` with :math:`\mathbb{E}_y[\zeta_j(y)^2] > 10^{-8}`, where
        :math:`\zeta_j(y) = \mathbb{E}[h_j(z) \mid f(z) = y]`, :math:`z \sim N(0,1)`
        (Damian, Pillaud-Vivien, Lee and Bruna 2024); see :func:`conditional_hermite_norms`.

        At most :attr:`information_exponent`; at most 2 for a polynomial link. Raises
        ``ValueError`` if no ``j <= 8`` qualifies.
        """
        return generative_exponent_of(self)

    @cached_property
    def is_even(self) -> bool:
        """Whether ``f(-z) == f(z)``; then ``+w_*`` and ``-w_*`` are equivalent (escape uses ``|m|``)."""
        if self.kind == "hermite_series":
            return all(c == 0.0 for c in self.series[1::2])
        if self.kind in CLOSED_FORMS:
            return self.kind == "abs"
        z = np.linspace(-8.0, 8.0, 161)
        values = self.f(z)
        return bool(np.allclose(values, values[::-1], rtol=1e-12, atol=1e-12 * (1.0 + np.abs(values).max())))

    # ----------------------------------------------------------------- population quantities

    def correlation(self, m: ArrayLike) -> float | np.ndarray:
        r""":math:`\psi(m) = \mathbb{E}[f(\langle w_*,x\rangle) f(\langle w,x\rangle)] = \sum_k \frac{\mu_k^2}{k!} m^k`.

        Closed forms for ReLU, ``|x|``, ``sign`` (see the module docstring); the (truncated)
        series otherwise. ``m`` must lie in ``[-1, 1]`` (up to ``1e-12``).
        """
        m = _check_overlap(m)
        if self.kind in _BREAKPOINTS:
            return _scalar_or_array(_closed_correlation(self.kind, m))
        return _scalar_or_array(poly.polyval(m, self._squared_coefficients))

    def correlation_derivative(self, m: ArrayLike) -> float | np.ndarray:
        r""":math:`\psi'(m) = \sum_{k \ge 1} k\,\frac{\mu_k^2}{k!}\, m^{k-1}` (``inf`` at ``|m| = 1`` for ``sign``)."""
        m = _check_overlap(m)
        if self.kind in _BREAKPOINTS:
            return _scalar_or_array(_closed_correlation_derivative(self.kind, m))
        return _scalar_or_array(poly.polyval(m, poly.polyder(self._squared_coefficients)))

    def population_loss(self, m: ArrayLike) -> float | np.ndarray:
        r""":math:`L(m) = \tfrac12\mathbb{E}[(f(\langle w_*,x\rangle) - f(\langle w,x\rangle))^2] = \psi(1) - \psi(m) = \sum_{k\ge1}\frac{\mu_k^2}{k!}(1-m^k)`."""
        m = _check_overlap(m)
        return _scalar_or_array(np.asarray(self.correlation(1.0) - self.correlation(m)))

    def drift(self, m: ArrayLike) -> float | np.ndarray:
        r"""Signal drift :math:`(1 - m^2)\,\psi'(m) = -\langle w_*, \nabla_S L(w)\rangle`.

        For :math:`He_k/\sqrt{k!}` this is :math:`k\,m^{k-1}(1 - m^2)`. At ``|m| = 1`` it is 0
        (also for ``sign``, where :math:`\psi'` blows up but the product tends to 0).
        """
        m = _check_overlap(m)
        slope = np.asarray(self.correlation_derivative(m))
        with np.errstate(invalid="ignore"):
            values = np.where(np.abs(m) == 1.0, 0.0, (1.0 - m * m) * slope)
        return _scalar_or_array(values)

    @cached_property
    def _squared_coefficients(self) -> np.ndarray:
        return self.normalized_coefficients**2


# --------------------------------------------------------------------------- Monte Carlo check


@dataclass(frozen=True)
class LossSample:
    r"""A Monte Carlo estimate of the population loss at explicit weights (see :func:`sample_population_loss`).

    Attributes
    ----------
    link : Link
    d : int
        Dimension of the inputs.
    samples : int
        Number of inputs ``x`` (the same inputs for every overlap).
    seed : int
    m : numpy.ndarray
        The overlaps :math:`\langle w, w_*\rangle` of the weight vectors used.
    mean, stderr : numpy.ndarray
        Sample mean of :math:`\tfrac12 (f(\langle w_*,x\rangle) - f(\langle w,x\rangle))^2` and its
        standard error, one per overlap.
    formula : numpy.ndarray
        ``link.population_loss(m)``.
    """

    link: Link
    d: int
    samples: int
    seed: int
    m: np.ndarray
    mean: np.ndarray
    stderr: np.ndarray
    formula: np.ndarray


def _directions(d: int, m: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    w_star = rng.standard_normal(d)
    w_star /= np.linalg.norm(w_star)
    u = rng.standard_normal(d)
    u -= (u @ w_star) * w_star
    u /= np.linalg.norm(u)
    return w_star, m[:, None] * w_star + np.sqrt(1.0 - m * m)[:, None] * u


def _overlaps(weights: np.ndarray, w_star: np.ndarray) -> np.ndarray:
    """``weights @ w_star`` rounded to 12 digits: an overlap of 0 must not print as ``-0.00``.

    The dot product of orthogonal vectors is of order 1e-17 with a sign that depends on the
    BLAS summation order (threads, SIMD path, CPU), which made stored outputs flaky.
    """
    return np.round(weights @ w_star, 12) + 0.0  # + 0.0 turns -0.0 into 0.0


def directions_with_overlap(d: int, m: ArrayLike, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    r"""Explicit unit vectors with prescribed overlaps: :math:`w_*` and one :math:`w` per overlap.

    :math:`w_*` is uniform on :math:`\mathbb S^{d-1}`; with one fixed uniform unit vector
    :math:`u \perp w_*`, row ``i`` of the second array is
    :math:`w_i = m_i\, w_* + \sqrt{1 - m_i^2}\, u`, so :math:`\langle w_i, w_*\rangle = m_i`.

    Parameters
    ----------
    d : int
        Dimension, ``d >= 2``.
    m : array_like
        Overlaps in ``[-1, 1]`` (a number or a 1-D array).
    seed : int, default 0
        Seed of ``numpy.random.default_rng``, ``seed >= 0``.

    Returns
    -------
    w_star : numpy.ndarray, shape (d,)
    w : numpy.ndarray, shape (len(m), d)
    """
    m = np.atleast_1d(_check_overlap(m))
    if m.ndim != 1:
        raise ValueError(f"m must be a number or a 1-D array of overlaps, got shape {m.shape}")
    _check_counts(d=(d, 2), seed=(seed, 0))
    return _directions(int(d), m, np.random.default_rng(seed))


def _check_counts(**values: tuple[object, int]) -> None:
    for name, (value, low) in values.items():
        if isinstance(value, bool) or not isinstance(value, Integral) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")


def sample_population_loss(
    link: Link, m: ArrayLike, *, d: int = 50, samples: int = 100_000, seed: int = 0
) -> LossSample:
    r"""Estimate :math:`L(w) = \tfrac12\mathbb{E}[(f(\langle w_*,x\rangle) - f(\langle w,x\rangle))^2]` by sampling in :math:`\mathbb{R}^d`.

    Draws a uniform unit vector :math:`w_*` and, for each overlap :math:`m`, the explicit unit
    vector :math:`w = m\,w_* + \sqrt{1-m^2}\,u` with a fixed uniform unit :math:`u \perp w_*`;
    then ``samples`` inputs :math:`x \sim N(0, I_d)` (shared by all overlaps) and averages the
    one-sample loss. Nothing here uses the Hermite expansion, so comparing ``mean`` with
    ``formula`` checks :math:`L = \sum_{k\ge1}\mu_k^2/k!\,(1 - m^k)`.

    Parameters
    ----------
    link : Link
    m : array_like
        Overlaps in ``[-1, 1]``.
    d : int, default 50
        Dimension, ``d >= 2``.
    samples : int, default 100000
        Number of inputs, ``samples >= 2``.
    seed : int, default 0
        Seed of ``numpy.random.default_rng``, ``seed >= 0``.
    """
    if not isinstance(link, Link):
        raise TypeError(f"link must be a Link, got {type(link).__name__}")
    m = np.atleast_1d(_check_overlap(m))
    if m.ndim != 1:
        raise ValueError(f"m must be a number or a 1-D array of overlaps, got shape {m.shape}")
    _check_counts(d=(d, 2), samples=(samples, 2), seed=(seed, 0))
    rng = np.random.default_rng(seed)
    w_star, weights = _directions(int(d), m, rng)
    total = np.zeros(m.size)
    total_sq = np.zeros(m.size)
    chunk = max(1, 2_000_000 // d)  # bounded memory: at most ~16 MB of inputs at a time
    for start in range(0, samples, chunk):
        x = rng.standard_normal((min(chunk, samples - start), d))
        loss = 0.5 * (link.f(x @ w_star)[:, None] - link.f(x @ weights.T)) ** 2
        total += loss.sum(axis=0)
        total_sq += (loss**2).sum(axis=0)
    mean = total / samples
    var = np.maximum(total_sq / samples - mean**2, 0.0) * samples / (samples - 1)
    return LossSample(
        link=link, d=int(d), samples=int(samples), seed=int(seed), m=_overlaps(weights, w_star),
        mean=mean, stderr=np.sqrt(var / samples), formula=np.atleast_1d(link.population_loss(m)),
    )


# --------------------------------------------------------------------------- generative exponent

GENERATIVE_JMAX = 8
"""Highest degree searched by :attr:`Link.generative_exponent`."""

GENERATIVE_TOL = 1e-8
r"""Threshold on :math:`\mathbb{E}_y[\zeta_j(y)^2]` (each :math:`\zeta_j` has norm at most 1)."""

_LEVEL_HALF_WIDTH = 12.0


def _atom_hermite_means(a: float, b: float, jmax: int) -> tuple[float, np.ndarray]:
    r""":math:`P(a < G < b)` and :math:`\mathbb{E}[h_j(G) \mid a < G < b]`, ``j = 0..jmax``.

    From :math:`h_j\varphi = -\frac{1}{\sqrt j}(h_{j-1}\varphi)'`:
    :math:`\int_a^b h_j\varphi = (h_{j-1}(a)\varphi(a) - h_{j-1}(b)\varphi(b))/\sqrt j`.
    """
    from scipy.stats import norm

    mass = float(norm.cdf(b) - norm.cdf(a))
    ends = np.array([a, b], dtype=float)
    h = hermite_basis(jmax, np.clip(ends, -40.0, 40.0), normalized=True)  # shape (jmax+1, 2)
    dens = np.where(np.isfinite(ends), np.exp(-0.5 * np.clip(ends, -40.0, 40.0) ** 2) / _SQRT_2PI, 0.0)
    means = np.empty(jmax + 1)
    means[0] = 1.0
    for j in range(1, jmax + 1):
        means[j] = (h[j - 1, 0] * dens[0] - h[j - 1, 1] * dens[1]) / math.sqrt(j) / mass
    return mass, means


def _flat_pieces(link: Link) -> tuple[tuple[float, float], ...]:
    """Intervals on which the link is constant (atoms of the law of ``y``)."""
    if link.kind == "relu":
        return ((-math.inf, 0.0),)
    if link.kind == "sign":
        return ((-math.inf, 0.0), (0.0, math.inf))
    if link.kind == "hermite_series":
        if all(c == 0.0 for c in link.series[1:]):
            return ((-math.inf, math.inf),)
        return ()
    if link.kind == "callable":
        z = np.linspace(-_LEVEL_HALF_WIDTH, _LEVEL_HALF_WIDTH, 4801)
        flat = np.abs(np.diff(link.f(z))) <= 1e-13 * (1.0 + np.abs(link.f(z)).max())
        pieces, start = [], None
        for i, is_flat in enumerate(np.append(flat, False)):
            if is_flat and start is None:
                start = i
            elif not is_flat and start is not None:
                if i - start >= 4:  # at least four grid cells: a piece, not a critical point
                    lo = -math.inf if start == 0 else float(z[start])
                    hi = math.inf if i == flat.size else float(z[i])
                    pieces.append((lo, hi))
                start = None
        return tuple(pieces)
    return ()


def _polynomial(link: Link) -> np.ndarray:
    """Power-basis coefficients of a Hermite-series link (trailing zeros removed)."""
    c = hermite_e.herme2poly(link._monomial_weights)
    return poly.polytrim(c, tol=0.0)


def _critical_points(link: Link) -> tuple[float, ...]:
    if link.kind != "hermite_series":
        return ()
    p = _polynomial(link)
    if p.size < 3:
        return ()
    roots = poly.polyroots(poly.polyder(p))
    return tuple(float(r.real) for r in roots if abs(r.imag) < 1e-9 * (1.0 + abs(r)))


def _level_roots(link: Link, y: float, flats: tuple[tuple[float, float], ...]) -> np.ndarray:
    r"""The isolated real solutions of :math:`f(z) = y` (outside the flat pieces)."""
    kind = link.kind
    if kind == "relu":
        return np.array([y]) if y > 0.0 else np.empty(0)
    if kind == "abs":
        return np.array([-y, y]) if y > 0.0 else np.empty(0)
    if kind == "sign":
        return np.empty(0)
    if kind == "tanh":
        return np.array([math.atanh(y)]) if abs(y) < 1.0 else np.empty(0)
    if kind == "sigmoid":
        return np.array([math.log(y / (1.0 - y))]) if 0.0 < y < 1.0 else np.empty(0)
    if kind == "hermite_series":
        p = _polynomial(link).copy()
        p[0] -= y
        roots = poly.polyroots(p)
        real = roots[np.abs(roots.imag) < 1e-7 * (1.0 + np.abs(roots))].real
        if real.size:  # one Newton step polishes the real parts
            slope = poly.polyval(real, poly.polyder(p))
            ok = np.abs(slope) > 1e-12
            real = np.where(ok, real - poly.polyval(real, p) / np.where(ok, slope, 1.0), real)
        return real
    # callable: sign changes of f - y on a grid, refined by bisection
    z = np.linspace(-_LEVEL_HALF_WIDTH, _LEVEL_HALF_WIDTH, 4801)
    g = link.f(z) - y
    out = []
    for i in np.flatnonzero(np.sign(g[:-1]) * np.sign(g[1:]) < 0):
        lo, hi, glo = z[i], z[i + 1], g[i]
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            gm = float(link.f(np.array([mid]))[0]) - y
            if (gm < 0) == (glo < 0):
                lo, glo = mid, gm
            else:
                hi = mid
        root = 0.5 * (lo + hi)
        if not any(a < root < b for a, b in flats):
            out.append(root)
    return np.array(out)


def conditional_hermite_norms(link: Link, jmax: int = GENERATIVE_JMAX) -> np.ndarray:
    r""":math:`\mathbb{E}_y[\zeta_j(y)^2]` for ``j = 0..jmax``, with
    :math:`\zeta_j(y) = \mathbb{E}[h_j(z) \mid f(z) = y]` and :math:`z \sim N(0, 1)`.

    The law of :math:`z` given :math:`y` has two parts. Where ``f`` is constant on an
    interval :math:`I` (ReLU on :math:`z < 0`, ``sign`` on each half-line) the value
    :math:`y = f(I)` is an atom and :math:`\zeta_j = \mathbb{E}[h_j(G) \mid G \in I]`
    (closed form, :func:`_atom_hermite_means`). Elsewhere, by the coarea formula,

    .. math::

        \zeta_j(y) = \frac{\sum_{f(z_i) = y} h_j(z_i)\,\varphi(z_i)/|f'(z_i)|}
                          {\sum_{f(z_i) = y} \varphi(z_i)/|f'(z_i)|},

    a sum over the roots of :math:`f(z) = y`, and
    :math:`\mathbb{E}_y[\zeta_j^2] = \int \zeta_j(f(z))^2\,\varphi(z)\,dz` over the
    non-flat part, computed by composite Gauss--Legendre quadrature cut at the kinks and
    critical points of ``f``. Each entry lies in ``[0, 1]``, with 1 at ``j = 0``
    (:math:`\sum_j \mathbb{E}\zeta_j^2` is the squared norm of the projection of the
    :math:`h_j` onto functions of :math:`y`).
    """
    if not isinstance(link, Link):
        raise TypeError(f"link must be a Link, got {type(link).__name__}")
    jmax = _check_degree("jmax", jmax, 1)
    flats = _flat_pieces(link)
    total = np.zeros(jmax + 1)
    for a, b in flats:
        mass, means = _atom_hermite_means(a, b, jmax)
        total += mass * means**2
    if len(flats) == 1 and flats[0] == (-math.inf, math.inf):
        return total
    critical = _critical_points(link)
    # zeta_j(f(z)) jumps where the number of roots of f = y changes: at the preimages of the
    # critical values (for He_4 at z = +-sqrt(6), where f(z) = f(0)), not only at the critical
    # points themselves; a Gauss--Legendre panel across such a jump loses about 1e-2.
    preimages = [float(r) for c in critical for r in _level_roots(link, float(link.f(np.array([c]))[0]), flats)
                 if min(abs(r - c2) for c2 in critical) > 1e-6]
    cuts = tuple(sorted({*(link.breakpoints or ()), *critical, *preimages,
                         *(e for piece in flats for e in piece if math.isfinite(e))}))
    from .hermite import _piecewise_rule

    nodes, weights = _piecewise_rule(cuts, _LEVEL_HALF_WIDTH)
    inside_flat = np.zeros(nodes.size, dtype=bool)
    for a, b in flats:
        inside_flat |= (nodes > a) & (nodes < b)
    values = link.f(nodes)
    for z0, w0, y in zip(nodes[~inside_flat], weights[~inside_flat], values[~inside_flat]):
        roots = _level_roots(link, float(y), flats)
        if roots.size == 0:
            roots = np.array([z0])
        slope = np.abs(link.df(roots))
        dens = np.exp(-0.5 * roots**2) / np.where(slope > 0.0, slope, np.inf)
        if not dens.sum() > 0.0:
            continue
        zeta = hermite_basis(jmax, roots, normalized=True) @ dens / dens.sum()
        total += w0 * zeta**2
    return total


def generative_exponent_of(link: Link, *, jmax: int = GENERATIVE_JMAX, tol: float = GENERATIVE_TOL) -> int:
    r"""The generative exponent :math:`k_{\mathrm{gen}} = \min\{j \ge 1 : \mathbb{E}_y[\zeta_j(y)^2] > \mathrm{tol}\}`."""
    norms = conditional_hermite_norms(link, jmax)
    hits = np.flatnonzero(norms[1:] > tol)
    if hits.size == 0:
        raise ValueError(
            f"link {link.name!r} has E[zeta_j(y)^2] <= {tol} for every j = 1..{jmax}: its generative "
            f"exponent exceeds {jmax} (or the link is constant)"
        )
    return int(hits[0]) + 1


def binned_conditional_hermite_norms(
    link: Link, jmax: int = 4, *, samples: int = 400_000, bins: int = 400, seed: int = 0
) -> np.ndarray:
    r"""Monte Carlo check of :func:`conditional_hermite_norms` by binning the labels.

    Draws :math:`z_1..z_N \sim N(0,1)`, sorts them by :math:`y = f(z)` (ties, the atoms, in
    random order) and cuts the sorted sample into ``bins`` groups of equal size; the
    estimate is :math:`\sum_b \frac{N_b}{N}(\bar h_{j,b}^2 - s^2_{j,b}/N_b)`, where
    :math:`\bar h_{j,b}` and :math:`s^2_{j,b}` are the mean and variance of
    :math:`h_j(z)` in bin ``b`` (the subtraction removes the bias of a squared mean). It
    uses no roots and no derivatives of ``f``; its error is of order
    :math:`\sqrt{\text{bins}}/N` plus the variation of :math:`\zeta_j` within a bin.
    """
    if not isinstance(link, Link):
        raise TypeError(f"link must be a Link, got {type(link).__name__}")
    jmax = _check_degree("jmax", jmax, 1)
    _check_counts(samples=(samples, 2), bins=(bins, 1), seed=(seed, 0))
    if bins > samples // 2:
        raise ValueError(f"bins must be at most samples // 2 = {samples // 2}, got {bins}")
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(samples)
    order = np.argsort(link.f(z), kind="stable")  # z is in random order: ties are shuffled
    h = hermite_basis(jmax, z[order], normalized=True)
    total = np.zeros(jmax + 1)
    for group in np.array_split(np.arange(samples), bins):
        block = h[:, group]
        n_b = group.size
        total += n_b / samples * (block.mean(axis=1) ** 2 - block.var(axis=1, ddof=1) / n_b)
    return total
