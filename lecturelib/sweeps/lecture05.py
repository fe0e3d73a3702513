r"""Stored sweep of Lecture 5 (``05-proof``): the martingale's running maximum on 20 000 runs.

``martingale-maxima``: the unprojected update for :math:`h_3` at ``d = 100``,
:math:`\eta = 10^{-4}`, ``T = 5000`` steps from :math:`\mu_0 = 0.2`, as in the lecture's
Doob section, on 20 000 runs: per run :math:`\max_{t \le T}|M_t|` and :math:`M_T`
(:func:`lecturelib.decomposition.decompose`). The lecture compares the empirical quantiles of
the maximum with Doob's bound and the Brownian maximum, with intervals that 2000 runs cannot
give in the tail (a probability of 0.002 is 4 exceedances there, 40 here).
"""

from __future__ import annotations

import numpy as np

from . import declare

__all__ = ["martingale_cell"]

_ENGINE = (
    "lecturelib.decomposition:decompose", "lecturelib.decomposition:_series",
    "lecturelib._decomposition_kernels:decomposition_chain", "lecturelib._kernels:chain_update",
    "lecturelib._kernels:link_value", "lecturelib._kernels:chi_square", "lecturelib._kernels:series_roots",
    "lecturelib.links:Link.hermite",
)


def martingale_cell(first: int, stop: int, *, seed: int, k: int, d: int, eta: float, steps: int,
                    m0: float) -> dict[str, np.ndarray]:
    r"""Runs ``first .. stop - 1`` of :func:`~lecturelib.decomposition.decompose` for :math:`h_k`:
    ``{"max_martingale": max_t |M_t|, "final_martingale": M_T, "final_overlap": <w_T, w_*>}``."""
    from ..decomposition import decompose
    from ..links import Link

    dec = decompose(Link.hermite(k), d, eta, steps, runs=stop - first, m0=m0, seed=seed, record_every=steps,
                    threads=1, _first_run=first)
    return {"max_martingale": np.array(dec.max_martingale, dtype=float),
            "final_martingale": np.array(dec.martingale[:, -1], dtype=float),
            "final_overlap": np.array(dec.overlap[:, -1], dtype=float)}


MARTINGALE_MAXIMA = declare(
    "martingale-maxima", lecture="05-proof",
    description="max_t |M_t| and M_T of the unprojected update, h_3, d = 100, eta = 1e-4, T = 5000, 20000 runs",
    function=martingale_cell, cells=[{"k": 3, "d": 100, "eta": 1e-4, "steps": 5000, "m0": 0.2}], runs=20000,
    seed=5, sources=_ENGINE, block=1000,
)


def proof_point_cell(first: int, stop: int, *, seed: int, k: int, d: int, eta: float, steps: int,
                     c0: float, level: float = 0.5) -> dict[str, np.ndarray]:
    r"""Runs ``first .. stop - 1`` of the unprojected update for :math:`h_k` from :math:`m_0 = c_0/\sqrt d`
    at one point :math:`(\eta, T)` of the proof's plane, as :func:`~lecturelib.decomposition.diagnose_point`:
    per run :math:`\max_{t \le T}|M_t|`, :math:`M_T`, :math:`D_T`, :math:`\|w_T\|`, :math:`m_T` and the first
    step with cosine :math:`\mu_t \ge` ``level`` (``nan`` if none by ``T``)."""
    import math

    from ..decomposition import decompose
    from ..links import Link

    dec = decompose(Link.hermite(k), d, eta, steps, runs=stop - first, m0=c0 / math.sqrt(d), seed=seed,
                    record_every=steps, level=level, threads=1, _first_run=first)
    return {"max_martingale": np.array(dec.max_martingale, dtype=float),
            "final_martingale": np.array(dec.martingale[:, -1], dtype=float),
            "final_drift": np.array(dec.drift[:, -1], dtype=float),
            "final_norm": np.array(dec.norm[:, -1], dtype=float),
            "final_overlap": np.array(dec.overlap[:, -1], dtype=float),
            "escape": np.array(dec.escape_step, dtype=float)}


PROOF_POINTS = declare(
    "proof-points", lecture="05-proof",
    description="the proof's four points (inside, corner, (A1) broken tenfold, (A2) broken), h_3, d = 100, "
                "m0 = 2/sqrt(d), 768 runs each",
    function=proof_point_cell,
    cells=[{"k": 3, "d": 100, "eta": eta, "steps": steps, "c0": 2.0}
           for eta, steps in ((1e-5, 600_000), (2e-5, 220_000), (2e-4, 220_000), (1e-5, 100_000))],
    runs=768, seed=31, sources=_ENGINE, block=64,
)
