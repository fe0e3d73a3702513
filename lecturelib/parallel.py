r"""Sweeps on any :class:`concurrent.futures.Executor`: blocks of runs, seeded per run.

A sweep is a list of *settings* (one dimension, step size and horizon each), every one with
``runs`` independent runs. With ``executor=`` a setting's runs are cut into blocks of
``block`` runs, ``r = lo, ..., hi - 1``; each block is one task, run by
:func:`lecturelib.sgd.online_sgd` on the runs ``lo .. hi - 1`` of the setting's root seed:
run ``r`` draws from child ``r`` of ``SeedSequence(seed)``, exactly as in one call with all
runs. The blocks are submitted to the executor and reassembled in order, so

.. math::

    \text{result}(\text{executor}, \text{workers}, \text{block}) = \text{result}(\text{serial})

bit for bit, on the same versions of numpy and numba and the same kind of CPU (floating
point is not reordered across runs: each run is one independent chain). Any executor works:
:class:`~concurrent.futures.ThreadPoolExecutor`, :class:`~concurrent.futures.ProcessPoolExecutor`
or Dask's ``distributed.Client(...).get_executor()``. Progress is the number of completed
tasks over their total (tqdm).

A task that leaves the process carries its link by pickle: a link built with
:meth:`lecturelib.links.Link.from_function` from a lambda or a function defined in a notebook
cannot travel, and :func:`check_portable` refuses it before anything is submitted.
"""

from __future__ import annotations

import math
import pickle
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validation import check_int

__all__ = ["EscapeJob", "check_executor", "check_portable", "map_ordered", "escape_times_blocks", "DEFAULT_BLOCK"]

DEFAULT_BLOCK = 16
"""Runs per task when ``block=None``: small enough to balance two to a few dozen workers,
large enough that a task's overhead (milliseconds on a local cluster) is negligible."""


def check_executor(executor: object) -> Executor | None:
    """``None`` or a :class:`concurrent.futures.Executor` (Dask's ``Client.get_executor()`` is one)."""
    if executor is not None and not isinstance(executor, Executor):
        raise TypeError(
            "executor must be None or a concurrent.futures.Executor (a ThreadPoolExecutor, a "
            f"ProcessPoolExecutor, or distributed.Client(...).get_executor()), got {type(executor).__name__}"
        )
    return executor


def check_block(block: object, runs: int) -> int:
    """Runs per task: ``None`` gives ``min(runs, DEFAULT_BLOCK)``; else an integer ``>= 1``."""
    return min(runs, DEFAULT_BLOCK) if block is None else check_int("block", block, 1)


def check_portable(link: object, executor: Executor | None) -> None:
    """Refuse a link that cannot be pickled when the executor may send it to another process.

    Threads share the link (``None`` and :class:`~concurrent.futures.ThreadPoolExecutor`
    need no check); every other executor pickles a task's arguments.
    """
    if executor is None or isinstance(executor, ThreadPoolExecutor):
        return
    try:
        pickle.dumps(link)
    except (pickle.PicklingError, AttributeError, TypeError) as exc:
        raise TypeError(
            f"link {getattr(link, 'name', link)!r} cannot be sent to another process: it cannot be pickled "
            f"({exc}); a link built with Link.from_function from a lambda or a function defined in a notebook "
            "lives only in this session. Use a Hermite series (Link.from_hermite_series(...)) or a catalogue "
            "link (Link.named(...)), define the function in an importable module, or run with executor=None "
            "or a ThreadPoolExecutor"
        ) from None


def map_ordered(fn: Callable[..., Any], tasks: Sequence[tuple], *, executor: Executor, progress: bool = False,
                desc: str = "tasks") -> list[Any]:
    """``[fn(*t) for t in tasks]`` computed on ``executor``, in the order of ``tasks``.

    Progress (``progress=True``) counts completed tasks over ``len(tasks)``. If a task raises,
    the remaining ones are cancelled and the exception propagates.
    """
    futures = [executor.submit(fn, *t) for t in tasks]
    index = {f: i for i, f in enumerate(futures)}
    done: Iterable = as_completed(futures)
    if progress:
        from tqdm.auto import tqdm

        done = tqdm(done, total=len(futures), desc=desc, unit="task")
    out: list[Any] = [None] * len(futures)
    try:
        for f in done:
            out[index[f]] = f.result()
    except BaseException:
        for f in futures:
            f.cancel()
        raise
    return out


@dataclass(frozen=True)
class EscapeJob:
    """One setting of a sweep: ``online_sgd(link, d, eta, steps, seed=seed, stop_at=level,
    record_every=record_every, **dict(options))``, of which :func:`escape_times` is kept."""

    link: object
    d: int
    eta: float
    steps: int
    seed: int
    level: float
    record_every: int
    options: tuple[tuple[str, object], ...] = ()


def _escape_block(job: EscapeJob, first: int, stop: int) -> np.ndarray:
    from .sgd import _online_sgd_runs, escape_times

    result = _online_sgd_runs(first, stop, job.link, job.d, job.eta, job.steps, seed=job.seed,
                              stop_at=job.level, record_every=job.record_every, threads=1, **dict(job.options))
    return escape_times(result, job.level)


def escape_times_blocks(jobs: Sequence[EscapeJob], runs: int, *, executor: Executor, block: int | None = None,
                        progress: bool = False, desc: str = "sweep") -> np.ndarray:
    """Escape times, shape ``(len(jobs), runs)``, of every job cut into blocks of ``block`` runs.

    Identical bit for bit to ``escape_times(online_sgd(..., runs=runs))`` per job, whatever
    ``executor`` and ``block``.
    """
    executor = check_executor(executor)
    runs = check_int("runs", runs, 1)
    block = check_block(block, runs)
    for link in {id(j.link): j.link for j in jobs}.values():
        check_portable(link, executor)
    tasks = [(job, lo, min(runs, lo + block)) for job in jobs for lo in range(0, runs, block)]
    parts = map_ordered(_escape_block, tasks, executor=executor, progress=progress, desc=desc)
    per_job = math.ceil(runs / block)
    times = np.empty((len(jobs), runs))
    for i in range(len(jobs)):
        times[i] = np.concatenate(parts[i * per_job : (i + 1) * per_job])
    return times
