r"""Stored sweeps: experiments larger than a notebook's minute, run once, stored, verified.

A *sweep* is declared once, in the module of the lecture that shows it
(:mod:`lecturelib.sweeps.lecture04`, ...), by :func:`declare`: a name, a *cell function*, the
parameters of each cell, the runs per cell and a root seed. ``make sweeps`` (or
:func:`run`) computes it on a Dask cluster, or on any :class:`concurrent.futures.Executor`, and
writes one file ``data/sweeps/<name>.npz`` with :mod:`lecturelib.results`; the lectures read
it with :func:`load`, and the tests recompute a sample of its runs (:func:`verify`).

The cell function's contract, which is what makes a sweep splittable and checkable::

    fn(first, stop, *, seed, **cell) -> dict[str, numpy.ndarray]

returns, for the runs ``first .. stop - 1`` of one cell, arrays whose first axis is the run;
run ``r`` draws from child ``r`` of ``numpy.random.SeedSequence(seed)`` whatever the block, so
blocks reassemble bit for bit into one call, and a single run can be recomputed alone. Cell
``i`` of a sweep gets the seed ``SeedSequence(sweep.seed).spawn(cells)[i].generate_state(1)[0]``.

What a stored file must match to be *fresh* (else :func:`load` refuses it as *stale*, and says
to run ``make sweeps SWEEP=name``): the cells' parameters, the runs, the seed, and the
*source hash*, a SHA-256 of the source text of every function the sweep declares it runs
(the cell function, the engine's entry points and the numba kernels), so that an edit of a
docstring elsewhere does not invalidate a sweep, and any edit of the code it ran does. Its
header also records the numpy and numba versions, the CPU model, the workers, the scheduler,
and the wall and CPU time.

Results are identical bit for bit on the same kind of CPU with the same numpy and numba; on
another CPU numba may compile to other instructions (fused multiply-adds), and :func:`verify`
then compares in law.
"""

from __future__ import annotations

import datetime
import ast
import hashlib
import importlib
import importlib.util
import json
import math
import os
import platform
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._validation import check_int, check_seed
from ..parallel import check_executor, map_ordered

__all__ = [
    "Sweep", "StoredSweep", "StaleSweepError", "declare", "registry", "get", "data_folder", "path_of",
    "source_hash", "status", "run", "load", "verify", "cpu_model", "cell_seeds",
]

DECLARING_MODULES = ("lecture04", "lecture05", "lecture06")
"""Modules of :mod:`lecturelib.sweeps` that declare sweeps (imported by :func:`registry`)."""

_REGISTRY: dict[str, Sweep] = {}


class StaleSweepError(RuntimeError):
    """A stored sweep is missing or does not match its declaration."""


@dataclass(frozen=True)
class Sweep:
    r"""The declaration of one stored sweep.

    Attributes
    ----------
    name : str
        File name (``data/sweeps/<name>.npz``) and the argument of ``make sweeps SWEEP=name``.
    lecture : str
        The lecture that shows it (e.g. ``"04-online-sgd"``).
    description : str
        One sentence: what it measures.
    function : callable
        The cell function ``fn(first, stop, *, seed, **cell) -> dict[str, ndarray]``, defined
        at module level (it travels to the workers by reference).
    cells : tuple of dict
        The parameters of each cell (JSON values only: int, float, str, bool).
    runs : int
        Independent runs per cell.
    seed : int
        Root seed.
    sources : tuple of str
        ``"module:qualname"`` of every function whose code the results depend on (the cell
        function is added automatically).
    block : int
        Runs per task on the executor.
    """

    name: str
    lecture: str
    description: str
    function: Callable[..., dict[str, np.ndarray]]
    cells: tuple[dict[str, Any], ...]
    runs: int
    seed: int
    sources: tuple[str, ...]
    block: int = 16

    @property
    def function_ref(self) -> str:
        """``"module:qualname"`` of the cell function."""
        return f"{self.function.__module__}:{self.function.__qualname__}"

    def all_sources(self) -> tuple[str, ...]:
        """The cell function and the declared sources, sorted, without repeats."""
        return tuple(sorted({self.function_ref, *self.sources}))


def declare(name: str, *, lecture: str, description: str, function: Callable[..., dict[str, np.ndarray]],
            cells: Sequence[Mapping[str, Any]], runs: int, seed: int, sources: Sequence[str] = (),
            block: int = 16) -> Sweep:
    """Declare (register) a sweep; see :class:`Sweep`. Returns it. A name is declared once."""
    if not isinstance(name, str) or not name or any(ch in name for ch in "/\\ "):
        raise ValueError(f"name must be a non-empty string without slashes or spaces, got {name!r}")
    if name in _REGISTRY:
        raise ValueError(f"a sweep named {name!r} is already declared (in {_REGISTRY[name].lecture})")
    if not callable(function) or "<locals>" in function.__qualname__ or function.__name__ == "<lambda>":
        raise TypeError(f"function must be a module-level function, got {function!r}")
    cells = tuple(dict(c) for c in cells)
    if not cells:
        raise ValueError(f"cells must hold at least one cell, got {cells!r}")
    for c in cells:
        json.dumps(c, allow_nan=False)  # JSON values only: they are compared with the stored header
    sweep = Sweep(name=name, lecture=lecture, description=description, function=function, cells=cells,
                  runs=check_int("runs", runs, 1), seed=check_seed(seed), sources=tuple(sources),
                  block=check_int("block", block, 1))
    for ref in sweep.all_sources():
        _resolve(ref)  # fail at declaration, not in the middle of a run
    _REGISTRY[name] = sweep
    return sweep


def registry() -> dict[str, Sweep]:
    """Every declared sweep, by name (imports the declaring modules)."""
    for module in DECLARING_MODULES:
        try:
            importlib.import_module(f"{__name__}.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{module}":
                raise
    return dict(_REGISTRY)


def get(name: str) -> Sweep:
    """The declaration of sweep ``name``."""
    sweeps = registry()
    if name not in sweeps:
        raise ValueError(f"no sweep named {name!r}; declared: {', '.join(sorted(sweeps))}")
    return sweeps[name]


# --------------------------------------------------------------------------- fingerprints


def _resolve(ref: str) -> Any:
    module, _, qualname = ref.partition(":")
    obj: Any = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def _source_text(ref: str) -> str:
    """The source of ``ref`` as it is on disk now: decorators included, from the module's file.

    Read from the file by the syntax tree, not from the loaded function's line numbers: a
    long-running process whose module file was edited meanwhile would otherwise hash the
    wrong lines (``inspect.getsource`` pairs the old line numbers with the new file).
    """
    module, _, qualname = ref.partition(":")
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise ValueError(f"cannot find the source of module {module!r} (in {ref!r})")
    text = Path(spec.origin).read_text()
    body: list[ast.stmt] = ast.parse(text).body
    node: ast.AST | None = None
    for part in qualname.split("."):
        node = next((n for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                     and n.name == part), None)
        if node is None:
            raise ValueError(f"no function or class {qualname!r} in {spec.origin} (in {ref!r})")
        body = node.body
    start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    lines = text.splitlines(keepends=True)
    return "".join(lines[start - 1 : node.end_lineno])


def source_hash(sweep: Sweep) -> str:
    """SHA-256 over the source text of every function in ``sweep.all_sources()``."""
    h = hashlib.sha256()
    for ref in sweep.all_sources():
        h.update(ref.encode())
        h.update(b"\0")
        h.update(_source_text(ref).encode())
        h.update(b"\0")
    return h.hexdigest()


def cell_seeds(sweep: Sweep) -> tuple[int, ...]:
    """The root seed of each cell: child ``i`` of ``SeedSequence(sweep.seed)``."""
    return tuple(int(s.generate_state(1)[0]) for s in np.random.SeedSequence(sweep.seed).spawn(len(sweep.cells)))


def cpu_model() -> str:
    """This machine's CPU model name (``/proc/cpuinfo``), else the platform's processor string."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _versions() -> dict[str, str]:
    import numba

    from .. import __version__

    return {"numpy": np.__version__, "numba": numba.__version__, "python": platform.python_version(),
            "lecturelib": __version__}


# --------------------------------------------------------------------------- where the data live


def data_folder() -> Path:
    """The repository's folder of stored sweeps, ``<repository>/data/sweeps``.

    Found wherever a notebook runs: ``$COURSE_DATA`` if set; else the first ``data/sweeps``
    beside a ``_toc.yml`` in the working directory or one of its parents (``lectures/``,
    a student's ``my-lectures/``); else the repository that holds this package (an editable
    install: a temporary copy of a notebook, as in the JupyterLab check, still finds it).
    """
    env = os.environ.get("COURSE_DATA")
    if env:
        return Path(env)
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "_toc.yml").is_file() and (folder / "data" / "sweeps").is_dir():
            return folder / "data" / "sweeps"
    return Path(__file__).resolve().parents[2] / "data" / "sweeps"


def path_of(name: str, folder: Path | None = None) -> Path:
    """The stored file of sweep ``name``."""
    return (data_folder() if folder is None else Path(folder)) / f"{name}.npz"


# --------------------------------------------------------------------------- the stored result


@dataclass(frozen=True, eq=False)
class StoredSweep:
    r"""A sweep's results as stored: per cell, the arrays of every run.

    Attributes
    ----------
    name : str
    cells : tuple of dict
        The cells' parameters.
    runs : int
    seed : int
        Root seed; ``cell_seeds`` the seed of each cell.
    cell_seeds : tuple of int
    arrays : tuple of dict
        Per cell, ``{output name: array of shape (runs, ...)}``.
    provenance : dict
        ``source_hash``, ``sources``, versions, ``cpu``, ``workers``, ``scheduler``,
        ``wall_seconds``, ``cpu_seconds`` (sum over tasks), ``cell_seconds`` (per cell),
        ``created`` (UTC date).
    """

    name: str
    cells: tuple[dict[str, Any], ...]
    runs: int
    seed: int
    cell_seeds: tuple[int, ...]
    arrays: tuple[dict[str, np.ndarray], ...]
    provenance: dict[str, Any]

    def cell(self, **match: Any) -> int:
        """Index of the one cell whose parameters include ``match`` (e.g. ``cell(k=4, d=192)``)."""
        hits = [i for i, c in enumerate(self.cells) if all(c.get(k) == v for k, v in match.items())]
        if len(hits) != 1:
            raise KeyError(f"{len(hits)} cells of {self.name!r} match {match!r}")
        return hits[0]

    def select(self, **match: Any) -> list[int]:
        """Indices of the cells whose parameters include ``match``, in order."""
        return [i for i, c in enumerate(self.cells) if all(c.get(k) == v for k, v in match.items())]

    def stack(self, output: str, cells: Sequence[int]) -> np.ndarray:
        """``output`` of the given cells, stacked: shape ``(len(cells), runs, ...)``."""
        return np.stack([self.arrays[i][output] for i in cells])

    def describe(self) -> str:
        """One line: what it is, how big, where it came from, how to recompute it."""
        p = self.provenance
        minutes = p["cpu_seconds"] / 60.0
        return (f"stored sweep {self.name!r}: {len(self.cells)} cells x {self.runs} runs, seed {self.seed}; "
                f"computed {p['created']} on {p['workers']} workers ({minutes:.0f} CPU min); "
                f"recompute: make sweeps SWEEP={self.name}")


def _header_problems(sweep: Sweep, stored: StoredSweep) -> list[str]:
    problems = []
    if [dict(c) for c in stored.cells] != [dict(c) for c in sweep.cells]:
        problems.append("its cells' parameters differ from the declaration")
    if stored.runs != sweep.runs:
        problems.append(f"it has {stored.runs} runs per cell, the declaration {sweep.runs}")
    if stored.seed != sweep.seed:
        problems.append(f"its seed is {stored.seed}, the declaration's {sweep.seed}")
    if stored.provenance.get("source_hash") != source_hash(sweep):
        problems.append("the code it ran has changed since (source hash)")
    return problems


def _read(name: str, folder: Path | None = None) -> StoredSweep:
    from ..results import load as load_result

    return load_result(path_of(name, folder), StoredSweep)


def status(name: str, folder: Path | None = None) -> tuple[str, str]:
    """``("fresh" | "stale" | "missing", explanation)`` of sweep ``name``'s stored file."""
    sweep = get(name)
    path = path_of(name, folder)
    if not path.is_file():
        return "missing", f"no stored file {path}"
    try:
        stored = _read(name, folder)
    except (ValueError, KeyError, TypeError) as exc:
        return "stale", f"{path} cannot be read by this lecturelib ({exc})"
    problems = _header_problems(sweep, stored)
    if problems:
        return "stale", f"{path}: " + "; ".join(problems)
    return "fresh", f"{path} matches its declaration"


def load(name: str, *, folder: Path | None = None, quiet: bool = False) -> StoredSweep:
    """The stored results of sweep ``name``, refused if missing or stale.

    Prints one line (unless ``quiet``): runs, seed, where and when it was computed, how to
    recompute it.

    Raises
    ------
    StaleSweepError
        If the file is missing or does not match the declaration (parameters, runs, seed,
        source hash); the message says to run ``make sweeps SWEEP=name``.
    """
    state, why = status(name, folder)
    if state != "fresh":
        raise StaleSweepError(f"stored sweep {name!r} is {state}: {why}. Run `make sweeps SWEEP={name}` "
                              "(see the README, 'Bigger experiments') and commit data/sweeps/")
    stored = _read(name, folder)
    if not quiet:
        print(stored.describe())
    return stored


# --------------------------------------------------------------------------- running


def _run_task(function_ref: str, first: int, stop: int, seed: int, cell: dict[str, Any]
              ) -> tuple[dict[str, np.ndarray], float]:
    """One task on a worker: runs ``first .. stop - 1`` of one cell; returns the arrays and the CPU seconds."""
    fn = _resolve(function_ref)
    start = time.process_time()
    out = fn(first, stop, seed=seed, **_arguments(cell))
    return out, time.process_time() - start


def _check_outputs(sweep: Sweep, out: Any, runs: int) -> dict[str, np.ndarray]:
    if not isinstance(out, dict) or not out:
        raise TypeError(f"sweep {sweep.name!r}: the cell function must return a non-empty dict of arrays")
    for key, value in out.items():
        if not isinstance(value, np.ndarray) or value.ndim < 1 or value.shape[0] != runs:
            raise TypeError(f"sweep {sweep.name!r}: output {key!r} must be an array with {runs} runs on its first axis")
    return out


def _arguments(cell: dict[str, Any]) -> dict[str, Any]:
    """A cell's arguments of the cell function: its entries but the metadata (keys starting with ``_``)."""
    return {k: v for k, v in cell.items() if not k.startswith("_")}


def _cell_cost(cell: dict[str, Any]) -> float:
    return float(cell.get("_cost", 1.0))


def run(name: str, *, executor: Executor | None = None, progress: bool = True, folder: Path | None = None,
        workers: int | None = None, scheduler: str = "local") -> StoredSweep:
    """Compute sweep ``name`` on ``executor`` (``None``: serially here) and store it.

    Tasks are the blocks of ``sweep.block`` runs of every cell, submitted the most expensive
    first (a cell's ``_cost`` entry, when it has one: entries whose key starts with ``_`` are
    metadata, not arguments of the cell function), and reassembled in order: the stored
    arrays do not depend on the executor. Returns the stored result.
    """
    sweep = get(name)
    executor = check_executor(executor)
    seeds = cell_seeds(sweep)
    tasks = [(sweep.function_ref, lo, min(sweep.runs, lo + sweep.block), seeds[i], sweep.cells[i])
             for i in range(len(sweep.cells)) for lo in range(0, sweep.runs, sweep.block)]
    order = sorted(range(len(tasks)), key=lambda j: -_cell_cost(tasks[j][4]))
    before = source_hash(sweep)  # the code about to run
    start = time.perf_counter()
    if executor is None:
        iterator = order
        if progress:
            from tqdm.auto import tqdm

            iterator = tqdm(order, desc=name, unit="task")
        done = {j: _run_task(*tasks[j]) for j in iterator}
    else:
        results = map_ordered(_run_task, [tasks[j] for j in order], executor=executor, progress=progress, desc=name)
        done = dict(zip(order, results))
    wall = time.perf_counter() - start
    per_cell = math.ceil(sweep.runs / sweep.block)
    arrays, cell_seconds = [], []
    for i in range(len(sweep.cells)):
        parts = [done[i * per_cell + b] for b in range(per_cell)]
        keys = parts[0][0].keys()
        cell = {k: np.concatenate([p[0][k] for p in parts]) for k in keys}
        arrays.append(_check_outputs(sweep, cell, sweep.runs))
        cell_seconds.append(float(sum(p[1] for p in parts)))
    if source_hash(sweep) != before:
        raise StaleSweepError(f"sweep {name!r}: the source of a function it runs changed during the run "
                              f"({', '.join(sweep.all_sources())}); nothing was stored: run it again")
    provenance = {
        "source_hash": before, "sources": list(sweep.all_sources()), **_versions(),
        "cpu": cpu_model(), "workers": int(workers if workers is not None else (1 if executor is None else 0)),
        "scheduler": scheduler, "wall_seconds": round(wall, 1), "cpu_seconds": round(sum(cell_seconds), 1),
        "cell_seconds": [round(s, 3) for s in cell_seconds],
        "created": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"),
    }
    stored = StoredSweep(name=sweep.name, cells=sweep.cells, runs=sweep.runs, seed=sweep.seed, cell_seeds=seeds,
                         arrays=tuple(arrays), provenance=provenance)
    from ..results import save

    target = path_of(name, folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    save(stored, target)
    return stored


# --------------------------------------------------------------------------- verification


def verification_sample(stored: StoredSweep, *, budget_seconds: float = 10.0) -> list[tuple[int, int]]:
    """A deterministic sample of ``(cell, run)`` to recompute: three runs in each of the two
    cheapest cells and one in the most expensive cell whose mean run cost (from the stored
    CPU times) is under ``budget_seconds``."""
    per_run = np.array(stored.provenance["cell_seconds"]) / stored.runs
    order = np.argsort(per_run, kind="stable")
    rng = np.random.default_rng(np.random.SeedSequence([stored.seed, 2026]))
    picks = [(int(i), int(r)) for i in order[:2] for r in rng.choice(stored.runs, size=min(3, stored.runs),
                                                                      replace=False)]
    affordable = [int(i) for i in order if per_run[i] < budget_seconds]
    if affordable:
        big = affordable[-1]
        picks.append((big, int(rng.integers(stored.runs))))
    return sorted(set(picks))


def verify(name: str, *, folder: Path | None = None, budget_seconds: float = 10.0, law_runs: int = 64,
           alpha: float = 0.01) -> dict[str, Any]:
    """Recompute a sample of sweep ``name``'s runs and compare them with the stored ones.

    On the CPU model the sweep was computed on, every recomputed array must equal the stored
    one bit for bit. On another CPU, exact equality is tried first; where it fails, the first
    ``law_runs`` runs of the cheapest cell are recomputed and each output is compared with the
    stored runs by a two-sample Kolmogorov--Smirnov test at level ``alpha``.

    Returns a report: ``{"mode": "exact" | "law", "checked": [(cell, run), ...], ...}``;
    raises ``AssertionError`` on a mismatch and :class:`StaleSweepError` if the file is stale.
    """
    sweep = get(name)
    stored = load(name, folder=folder, quiet=True)
    same_cpu = stored.provenance.get("cpu") == cpu_model()
    picks = verification_sample(stored, budget_seconds=budget_seconds)
    mismatches = []
    for i, r in picks:
        out = _check_outputs(sweep, sweep.function(r, r + 1, seed=stored.cell_seeds[i], **_arguments(sweep.cells[i])), 1)
        for key, value in out.items():
            if not np.array_equal(value[0], stored.arrays[i][key][r], equal_nan=True):
                mismatches.append((i, r, key, value[0], stored.arrays[i][key][r]))
    if not mismatches:
        return {"mode": "exact", "checked": picks, "same_cpu": same_cpu}
    if same_cpu:
        i, r, key, new, old = mismatches[0]
        raise AssertionError(f"sweep {name!r}, cell {i} {sweep.cells[i]}, run {r}: {key} recomputed {new!r}, "
                             f"stored {old!r} (same CPU model: they must be equal bit for bit)")
    from scipy import stats

    cheapest = int(np.argmin(stored.provenance["cell_seconds"]))
    n = min(law_runs, stored.runs)
    fresh = sweep.function(0, n, seed=stored.cell_seeds[cheapest] + 1, **_arguments(sweep.cells[cheapest]))
    for key, value in fresh.items():
        a = np.nan_to_num(np.asarray(value, float).reshape(n, -1)[:, 0], nan=np.inf)
        b = np.nan_to_num(np.asarray(stored.arrays[cheapest][key], float).reshape(stored.runs, -1)[:, 0], nan=np.inf)
        p = stats.ks_2samp(a, b).pvalue
        if p <= alpha:
            raise AssertionError(f"sweep {name!r}, cell {cheapest}: {key} of {n} fresh runs differs in law from the "
                                 f"stored ones (KS p = {p:.2g} <= {alpha})")
    return {"mode": "law", "checked": [(cheapest, r) for r in range(n)], "same_cpu": same_cpu}


def describe_all(folder: Path | None = None) -> list[str]:
    """One line per declared sweep: name, lecture, state."""
    lines = []
    for name, sweep in sorted(registry().items()):
        state, why = status(name, folder)
        lines.append(f"{name:28s} {sweep.lecture:20s} {state:8s} {why}")
    return lines

