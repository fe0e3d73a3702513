"""Stored sweeps: one named sub-sweep serial and on a two-worker Dask LocalCluster, and the
CPU time of every stored sweep (read from its header; nothing is recomputed).

The sub-sweep is the cell k = 3, d = 100 of ``theorem-table`` (64 runs, blocks of 8: 8 tasks),
through the same ``lecturelib.sweeps.run`` that ``make sweeps`` uses, written to a temporary
folder. Printed: wall times, speedup, overhead per task (cluster wall time minus half the
serial time, over the tasks), and whether the two results are equal bit for bit.

    .venv/bin/python bench/bench_sweeps.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from lecturelib import sweeps
from lecturelib.sweeps.lecture04 import escape_cell, theorem_cells

RUNS, BLOCK = 64, 8


def main() -> None:
    import distributed

    cell = [c for c in theorem_cells() if c["k"] == 3 and c["d"] == 100]
    name = "bench-k3-d100"
    sweeps.declare(name, lecture="bench", description="bench", function=escape_cell, cells=cell, runs=RUNS,
                   seed=11, sources=(), block=BLOCK)
    escape_cell(0, 1, seed=0, k=3, d=40, eta=1e-3, horizon=100)  # load the numba cache
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        serial = sweeps.run(name, folder=folder, progress=False)
        serial_t = time.perf_counter() - start
        with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
                                      dashboard_address=":0") as cluster, distributed.Client(cluster) as client:
            executor = client.get_executor()
            client.run(lambda: escape_cell(0, 1, seed=0, k=3, d=40, eta=1e-3, horizon=100))  # warm the workers
            start = time.perf_counter()
            remote = sweeps.run(name, folder=folder, executor=executor, progress=False, workers=2)
            dask_t = time.perf_counter() - start
    tasks = RUNS // BLOCK
    same = np.array_equal(serial.arrays[0]["escape"], remote.arrays[0]["escape"], equal_nan=True)
    print(f"sub-sweep theorem-table k = 3, d = 100: {RUNS} runs in {tasks} tasks of {BLOCK}")
    print(f"  serial                        {serial_t:7.2f} s wall")
    print(f"  Dask LocalCluster, 2 workers  {dask_t:7.2f} s wall, speedup {serial_t / dask_t:4.2f}, overhead per "
          f"task {(dask_t - serial_t / 2) / tasks * 1e3:7.1f} ms, equal bit for bit: {same}")
    print("stored sweeps (from their headers):")
    for key, sweep in sorted(sweeps.registry().items()):
        if sweep.lecture == "bench":
            continue
        state, _ = sweeps.status(key)
        if state == "missing":
            print(f"  {key:24s} missing")
            continue
        p = sweeps.load(key, quiet=True).provenance
        print(f"  {key:24s} {p['cpu_seconds'] / 60:7.1f} CPU min, {p['wall_seconds'] / 60:6.1f} min wall on "
              f"{p['workers']} workers ({p['scheduler']}), {state}")


if __name__ == "__main__":
    main()
