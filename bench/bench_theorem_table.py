"""The theorem's table for He_1 ... He_4 (lecturelib.experiments.theorem_table): wall time and exponents.

Runs the table with its default settings (64 runs per d) and a longer k = 4 sweep (d up to 96),
and prints, per k, the fitted exponent with its 95 % bootstrap interval, the k = 2 slope of
T/d on ln d with its prediction, the largest censored fraction and the wall time.

    PYTHONPATH=. python bench/bench_theorem_table.py
"""

from __future__ import annotations

import time

from lecturelib.experiments import theorem_table


def report(title: str, **kwargs: object) -> None:
    start = time.perf_counter()
    table = theorem_table(**kwargs)
    wall = time.perf_counter() - start
    print(f"{title}: {wall:.1f} s wall")
    for row, sweep in zip(table.rows(), table.sweeps):
        lo, hi = row["exponent_ci"]
        extra = ""
        if row["k"] == 2:
            slo, shi = row["log_slope_ci"]
            extra = f"; T/d on ln d {row['log_slope']:.2f} [{slo:.2f}, {shi:.2f}] vs {row['log_slope_predicted']:.2f}"
        print(f"  k = {row['k']} (d = {sweep.d[0]}..{sweep.d[-1]}, c = {sweep.eta_scale}, {sweep.runs} runs): "
              f"exponent {row['exponent']:.2f} [{lo:.2f}, {hi:.2f}]{extra}; "
              f"censored at most {row['max_censored_fraction']:.0%}")


if __name__ == "__main__":
    report("theorem table, default settings, 64 runs", runs=64, seed=0)
    report("k = 4, d = 17 ... 96, 64 runs", runs=64, seed=0, ks=(4,),
           settings={4: dict(d_values=(17, 24, 34, 48, 68, 96))})
