"""Sweeps on executors: serial, local thread pool, two-worker Dask LocalCluster; and k = 4 at larger d.

Prints, in one run, the same escape sweep (He_3, d = 40, 63, 16 runs per d) serial
(a one-thread executor), on a two-thread pool and on a LocalCluster of two
worker processes: wall time, speedup over serial, overhead per task (wall time minus the
serial time shared among the workers, over the tasks), and checks that the three results
are equal bit for bit. Then the k = 4 theorem table at d up to 96 (the lecture stops at 68)
on the cluster, with its fitted exponent (expected 3 = k - 1, inflated at small d).

    PYTHONPATH=. python bench/bench_cluster.py
"""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from lecturelib import Link
from lecturelib.experiments import escape_sweep, theorem_table

SWEEP = dict(eta_scale=0.05, eta_exponent=1.5, horizon_scale=60.0, horizon_exponent=2.0, runs=16, seed=1,
             n_boot=200)
D = (40, 63)
BLOCK = 4
K4_D = (34, 48, 68, 96)


def timed(**kwargs: object) -> tuple[float, object]:
    start = time.perf_counter()
    sweep = escape_sweep(Link.hermite(3), D, block=BLOCK, **SWEEP, **kwargs)
    return time.perf_counter() - start, sweep


def main() -> None:
    import distributed

    tasks = len(D) * math.ceil(SWEEP["runs"] / BLOCK)
    escape_sweep(Link.hermite(3), (20, 30), **(SWEEP | {"runs": 2}))  # compile / load the numba cache
    with ThreadPoolExecutor(max_workers=1) as one:
        serial_t, serial = timed(executor=one)
    with ThreadPoolExecutor(max_workers=2) as pool:
        pool_t, pooled = timed(executor=pool)
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
                                  dashboard_address=":0") as cluster, distributed.Client(cluster) as client:
        executor = client.get_executor()
        escape_sweep(Link.hermite(3), (20, 30), executor=executor, **(SWEEP | {"runs": 2}))  # warm the workers
        dask_t, on_dask = timed(executor=executor)
        print(f"He_3 sweep, d = {D}, {SWEEP['runs']} runs per d, {tasks} tasks of {BLOCK} runs:")
        for name, t, s in (("serial", serial_t, serial), ("thread pool, 2 threads", pool_t, pooled),
                           ("Dask LocalCluster, 2 workers", dask_t, on_dask)):
            same = np.array_equal(s.times, serial.times, equal_nan=True)
            overhead = (t - serial_t / 2) / tasks if s is not serial else 0.0
            print(f"  {name:30s} {t:6.2f} s wall, speedup {serial_t / t:4.2f}, overhead per task "
                  f"{overhead * 1e3:6.1f} ms, equal to serial bit for bit: {same}")
        start = time.perf_counter()
        table = theorem_table(ks=(4,), runs=16, settings={4: {"d_values": K4_D}}, executor=executor)
        wall = time.perf_counter() - start
    row, sweep = table.rows()[0], table.sweeps[0]
    lo, hi = row["exponent_ci"]
    print(f"k = 4 theorem table on the cluster, d = {K4_D[0]}..{K4_D[-1]}, 16 runs per d: exponent "
          f"{row['exponent']:.2f} [{lo:.2f}, {hi:.2f}] (theorem: 3), censored at most "
          f"{row['max_censored_fraction']:.0%}, {wall:.1f} s wall; medians {np.round(sweep.median).tolist()}")


if __name__ == "__main__":
    main()
