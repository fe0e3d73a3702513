"""The theorem's table reproduced, timed: escape time against d for He_1, He_2, He_3.

Runs lecturelib.experiments.theorem_table (64 runs per d, runs stopped at escape) in a fresh
interpreter, once with an empty numba cache (compilation included) and once with the cache
on disk, and prints the wall times and the fitted laws with their 95 % bootstrap intervals.

Run: .venv/bin/python bench/bench_sweep.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

SWEEP = r"""
import time
t0 = time.perf_counter()
from lecturelib.experiments import theorem_table
table = theorem_table(runs=64, seed=0)
seconds = time.perf_counter() - t0
for sweep in table.sweeps:
    times = ", ".join(f"{m:.4g}" for m in sweep.median)
    print(f"   {sweep.link.name}: d = {sweep.d.tolist()}, eta = {sweep.eta_scale} d^-{sweep.eta_exponent:g}")
    print(f"       median escape step {times}; censored at most {sweep.censored_fraction.max():.0%}")
for row in table.rows():
    lo, hi = row["exponent_ci"]
    line = f"   k = {row['k']} (T ~ {row['predicted']}): exponent {row['exponent']:.3f} [{lo:.3f}, {hi:.3f}]"
    if row["k"] == 2:
        lo, hi = row["log_slope_ci"]
        line += (f"; slope of T/d on ln d {row['log_slope']:.2f} [{lo:.2f}, {hi:.2f}],"
                 f" drift's prediction {row['log_slope_predicted']:.2f}")
    print(line)
print(f"   wall time {seconds:.1f} s")
"""


def run(cache_dir: str | None) -> str:
    env = dict(os.environ)
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = cache_dir
    return subprocess.run([sys.executable, "-c", SWEEP], env=env, capture_output=True, text=True, check=True).stdout


def main() -> None:
    print(f"machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at start")
    with tempfile.TemporaryDirectory() as empty:
        cold = run(empty)
    print("theorem table, empty numba cache (compilation included):")
    print(cold.splitlines()[-1])
    print("theorem table, numba cache on disk:")
    print(run(None), end="")


if __name__ == "__main__":
    main()
