r"""Stored sweep of Lecture 6 (``06-concentration``): the open question, measured properly.

``open-question``: for :math:`f = \mathrm{He}_3/\sqrt 6`, batch-1 multi-pass SGD with
replacement on :math:`n = r\,d^2` samples (each run its own sample and uniform start), beside
two references in every :math:`(c, d)`:

* ``kind="multipass"``: the trials (:func:`lecturelib.multipass.multipass_trials`);
* ``kind="null"``: the same on a *null* sample, labels :math:`y_i = f(z_i)` with
  :math:`z_i \sim N(0, 1)` independent of :math:`x_i` (``independent_labels=True``): whatever
  "succeeds" there is not learning;
* ``kind="online"``: online SGD with the same step size and horizon
  (:func:`lecturelib.sgd.online_sgd`, overlap engine).

Step size :math:`\eta = c\,d^{-3/2}` and horizon :math:`T = 40\,d^2` steps, **no early stop**.
Lecture 4's normalization barrier for :math:`k = 3` sits at :math:`m_c \approx 16c/\sqrt d`, the
level of a typical start at :math:`c = 1/16`; so ``c = 1/16`` is the largest constant the
barrier allows, and ``c = 1/4`` (barrier at :math:`4/\sqrt d`, above most starts) shows the
effect of a step size too large. Grid:

=========  ===================  ==========================================
``c``      ``d``                ``r = n/d^2``
=========  ===================  ==========================================
1/16       16, 32, 64, 128      1/16, 1/8, 1/4, 1/2, 1, 2
1/4        16, 32, 64           1/16, 1/8, 1/4, 1/2, 1, 2
=========  ===================  ==========================================

With ``d`` and ``r`` powers of 2, :math:`\alpha = n/d = r d` is constant along diagonals of the
table (:math:`\alpha = 8, 16, 32` appear at every ``d``), so the same cells compare at fixed
:math:`n/d^2` and at fixed :math:`\alpha`. 128 runs per cell, so a fraction carries a binomial
95 % interval of at most :math:`\pm 0.09`.

Per run (arrays of shape ``(runs,)`` unless said): ``final_overlap`` :math:`m_T`;
``max_overlap``, the largest overlap among the records every :math:`T/320` steps;
``first_reach``, the first recorded step with :math:`m \ge 0.9` (``nan`` if none);
``checkpoints``, shape ``(runs, 8)``, the overlap at :math:`jT/8`, :math:`j = 1..8`;
``train_loss`` :math:`\hat L_n` of the last iterate on its own sample and ``reuse_fraction``
(``nan`` for online SGD). *Success* is :math:`m_T \ge 0.9`: the run reached 0.9 and holds it
at the horizon.

Cost (measured on this course's 2-core machine while another sweep ran): a multi-pass step
costs about 110, 300 and 500 ns at ``d = 32, 64, 128`` (one dot product and one axpy of
length ``d`` on a sample that leaves the cache for large ``n``), a run at ``d = 128`` from 0.1 s
(``n = d^2/16``) to 0.45 s (``n = 2 d^2``); online runs cost milliseconds. The stored sweep took
9.6 CPU minutes (30 minutes wall on 2 workers sharing the machine), about two thirds of it at
``d = 128``, and its file is 1.5 MB; ``d = 256`` would cost about 8 times more per run and does
not fit the budget of about 20 CPU minutes.
"""

from __future__ import annotations

import math

import numpy as np

from . import declare

__all__ = ["open_question_cell", "open_question_cells", "LEVEL", "HORIZON", "CHECKPOINTS"]

LEVEL = 0.9
"""Success level: a run succeeds if its overlap at the horizon is at least this."""

HORIZON = 40
"""Horizon :math:`T = 40 d^2` steps."""

CHECKPOINTS = 8
"""Overlaps stored at :math:`jT/8`, :math:`j = 1 .. 8`."""

_RECORDS = 320

_ENGINE = (
    "lecturelib.multipass:multipass_trials", "lecturelib.multipass:draw_sample", "lecturelib.multipass:_one_run",
    "lecturelib.multipass:_start", "lecturelib.multipass:_check_run_args", "lecturelib.multipass:_link_code",
    "lecturelib.multipass:empirical_loss", "lecturelib.multipass:check_sample_size",
    "lecturelib._multipass_kernels:multipass_chain", "lecturelib._multipass_kernels:_renormalize",
    "lecturelib.sgd:online_sgd", "lecturelib.sgd:_run_overlap", "lecturelib.sgd:_overlap_link",
    "lecturelib._kernels:overlap_chain", "lecturelib._kernels:chain_update", "lecturelib._kernels:link_value",
    "lecturelib._kernels:chi_square", "lecturelib._kernels:series_roots", "lecturelib.links:Link.hermite",
)


def open_question_cell(first: int, stop: int, *, seed: int, kind: str, d: int, ratio: float, c: float,
                       horizon: int) -> dict[str, np.ndarray]:
    r"""Runs ``first .. stop - 1`` of one cell of ``open-question`` (module docstring).

    ``kind`` is ``"multipass"``, ``"null"`` (labels independent of :math:`x`) or ``"online"``
    (``ratio`` is then ignored); :math:`n = \text{round}(\text{ratio}\cdot d^2)`,
    :math:`\eta = c\,d^{-3/2}`, :math:`T = \text{horizon}\cdot d^2`.
    Run ``r`` draws from child ``r`` of ``SeedSequence(seed)`` whatever the block.
    """
    from .. import multipass as mp
    from ..links import Link
    from ..sgd import online_sgd

    if kind not in ("multipass", "null", "online"):
        raise ValueError(f"kind must be 'multipass', 'null' or 'online', got {kind!r}")
    link = Link.hermite(3)
    eta = c * d ** -1.5
    steps = horizon * d * d
    every = steps // _RECORDS
    if every < 1 or steps % (CHECKPOINTS * every) != 0:
        raise ValueError(f"horizon * d**2 = {steps} must be a positive multiple of {_RECORDS} (d={d}, horizon={horizon})")
    runs = stop - first
    n = int(round(ratio * d * d))
    if kind == "online":
        res = online_sgd(link, d, eta, steps, runs=runs, seed=seed, record_every=every, threads=1,
                         _first_run=first)
        train = np.full(runs, np.nan)
        reuse = np.full(runs, np.nan)
    else:
        res = mp.multipass_trials(link, d, n, eta, steps, runs=runs, seed=seed, record_every=every,
                                  independent_labels=kind == "null", _first_run=first)
        train = np.array(res.train_loss, dtype=float)
        reuse = np.array(res.reuse_fraction, dtype=float)
    overlap = np.asarray(res.overlap, dtype=float)
    steps_rec = np.asarray(res.steps)
    hit = overlap >= LEVEL
    first_reach = np.where(hit.any(axis=1), steps_rec[np.argmax(hit, axis=1)], np.nan).astype(float)
    marks = [j * _RECORDS // CHECKPOINTS for j in range(1, CHECKPOINTS + 1)]  # records at j T / 8
    return {"final_overlap": overlap[:, -1].copy(), "max_overlap": overlap.max(axis=1),
            "first_reach": first_reach, "checkpoints": overlap[:, marks].copy(),
            "train_loss": train, "reuse_fraction": reuse}


RATIOS = (1 / 16, 1 / 8, 1 / 4, 1 / 2, 1, 2)
GRID = {1 / 16: (16, 32, 64, 128), 1 / 4: (16, 32, 64)}


def open_question_cells() -> list[dict[str, object]]:
    """The cells of ``open-question``: per ``(c, d)`` online SGD, then multi-pass and null per ratio."""
    cells: list[dict[str, object]] = []
    for c, dims in GRID.items():
        for d in dims:
            steps = HORIZON * d * d
            cells.append({"kind": "online", "d": d, "c": c, "horizon": HORIZON, "ratio": 0.0,
                          "_cost": steps * 30})
            for r in RATIOS:
                n = int(round(r * d * d))
                for kind in ("multipass", "null"):
                    cells.append({"kind": kind, "d": d, "c": c, "horizon": HORIZON, "ratio": r,
                                  "_cost": steps * (d + 40) + n * d * 20})
    return cells


OPEN_QUESTION = declare(
    "open-question", lecture="06-concentration",
    description=("He3, multi-pass SGD on n = r d^2 samples, a null with labels independent of x, and online SGD; "
                 "eta = c d^-1.5, T = 40 d^2, no early stop; success = overlap >= 0.9 at T"),
    function=open_question_cell, cells=open_question_cells(), runs=128, seed=2024, sources=_ENGINE, block=16,
)
