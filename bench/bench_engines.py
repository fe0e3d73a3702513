"""Performance figures of the two SGD engines (printed, never asserted).

Prints:
1. numba compile time of the overlap kernel, cold (empty cache) and warm (cache on disk);
2. overlap-chain steps per second on one core and on all cores;
3. run-steps per second of both engines at d = 100 ... 100000 in one run, and their ratio;
4. the full engine's time over the time numpy needs to draw the same Gaussians;
5. the full engine's peak extra memory on a long run.

Run: .venv/bin/python bench/bench_engines.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import tracemalloc

import numpy as np

from lecturelib import Link, online_sgd
from lecturelib import sgd as sgd_module

CORES = os.cpu_count() or 1
FIRST_CALL = (
    "import time; t0 = time.perf_counter(); from lecturelib import Link, online_sgd; "
    "t1 = time.perf_counter(); online_sgd(Link.hermite(3), 50, 0.01, 10, seed=0); "
    "print(f'{t1 - t0:.2f} {time.perf_counter() - t1:.2f}')"
)


def first_call_seconds(cache_dir: str | None) -> tuple[float, float]:
    """(import time, first online_sgd call) in a fresh interpreter."""
    env = dict(os.environ)
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = cache_dir
    out = subprocess.run([sys.executable, "-c", FIRST_CALL], env=env, capture_output=True, text=True, check=True)
    imp, call = out.stdout.split()
    return float(imp), float(call)


def best_time(task, repeats: int = 3) -> float:
    """Smallest wall time of a few repetitions (the machine is shared: the minimum is the signal)."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        task()
        times.append(time.perf_counter() - t0)
    return min(times)


def chain_rate(link: Link, threads: int, steps: int = 1_000_000, runs: int = 8) -> float:
    """Chain steps per second (d = 1000, small eta so no run stops early)."""
    online_sgd(link, 1000, 1e-6, 10, runs=2, seed=0)  # compiled and loaded before timing
    seconds = best_time(lambda: online_sgd(link, 1000, 1e-6, steps, runs=runs, seed=0, record_every=steps,
                                           threads=threads))
    return runs * steps / seconds


def full_rate(link: Link, d: int, runs: int, steps: int) -> tuple[float, float]:
    """Run-steps per second of the full engine, and its time over numpy's draws alone."""
    t_full = best_time(lambda: online_sgd(link, d, 1e-4, steps, runs=runs, seed=0, engine="full",
                                          record_every=steps))
    t_draw = best_time(lambda: draw_like_the_full_engine(d, runs, steps))
    return runs * steps / t_full, t_full / t_draw


def draw_like_the_full_engine(d: int, runs: int, steps: int) -> None:
    """The full engine's Gaussians alone: per-run streams, the same blocks and chunks."""
    block = max(1, sgd_module.CHUNK_BYTES // (8 * d))
    for lo in range(0, runs, block):
        n_runs = min(block, runs - lo)
        gens = [np.random.default_rng(i) for i in range(n_runs)]
        chunk = max(1, min(steps, sgd_module.CHUNK_BYTES // (8 * n_runs * d)))
        buf = np.empty((chunk, 1, d))
        done = 0
        while done < steps:
            n = min(chunk, steps - done)
            for g in gens:
                g.standard_normal(out=buf[:n])
            done += n


def main() -> None:
    print(f"machine: {CORES} cores; load average {os.getloadavg()[0]:.1f} at start")
    with tempfile.TemporaryDirectory() as empty:
        imp, cold = first_call_seconds(empty)
    _, warm = first_call_seconds(None)
    print(f"1. first online_sgd call: cold (compiling) {cold:.2f} s, warm (numba cache) {warm:.2f} s;"
          f" import lecturelib {imp:.2f} s")

    print("2. overlap chain, steps/s (d = 1000):")
    for name in ("he3", "relu", "tanh"):
        one, all_ = chain_rate(Link.named(name), 1), chain_rate(Link.named(name), CORES)
        print(f"   {name:5s} one core {one:.3g}   {CORES} cores {all_:.3g}")

    print("3-4. run-steps/s by engine (He_3, 64 runs; full engine single-threaded numpy):")
    link = Link.hermite(3)
    chain = chain_rate(link, 1)
    for d, runs, steps in ((100, 64, 2000), (1000, 64, 300), (10000, 64, 30), (100000, 64, 16)):
        rate, over_draw = full_rate(link, d, runs, steps)
        print(f"   d = {d:6d}: overlap (1 core) {chain:.3g}   full {rate:.3g}   ratio {chain / rate:,.0f}x"
              f"   full / numpy draws alone {over_draw:.2f}")
    rate, over_draw = full_rate(link, 1000, 1, 2000)
    print(f"   d =  1000, 1 run: full {rate:.3g} run-steps/s, full / draws alone {over_draw:.2f}"
          " (one run: Python's per-step overhead shows)")

    steps, runs, d = 10000, 16, 1000
    tracemalloc.start()
    t0 = time.perf_counter()
    online_sgd(link, d, 1e-4, steps, runs=runs, seed=0, engine="full", record_every=1000)
    seconds = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    drawn = steps * runs * d * 8 / 2**30
    print(f"5. full engine, d = {d}, {runs} runs, {steps} steps ({drawn:.1f} GiB of Gaussians, {seconds:.1f} s):"
          f" peak traced memory {peak / 2**20:.1f} MiB (state {runs * d * 8 / 2**20:.2f} MiB)")


if __name__ == "__main__":
    main()
