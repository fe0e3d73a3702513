"""Cost per step of the multi-pass SGD kernel against one dot product plus one axpy of length d.

Both loops are compiled by numba in the same module (``lecturelib._multipass_kernels``) and read
the rows of the same sample matrix in the same (uniformly random) order, so the ratio isolates
what the kernel adds to the two vector passes it cannot avoid: the index draw, the link, the
scalar bookkeeping of the normalization. Printed: nanoseconds per step and the ratio, at
d = 100 and 1000, for a sample that fits in cache (n = 200) and one that does not
(n = 20 000, 16 MB at d = 100, 160 MB at d = 1000). Best of three repetitions.
"""

from __future__ import annotations

import math
import time

import numpy as np

from lecturelib import Link
from lecturelib import _multipass_kernels as mk
from lecturelib.multipass import draw_sample

STEPS = 200_000


def best_of(fn, repeat: int = 3) -> float:
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    link = Link.hermite(3)
    coef = np.ascontiguousarray(link.normalized_coefficients)
    print(f"{'d':>5} {'n':>7} {'kernel ns/step':>15} {'dot+axpy ns/step':>17} {'ratio':>6}")
    for d in (100, 1000):
        for n in (200, 20_000):
            sample = draw_sample(link, d, n, seed=0)
            x_sq = np.einsum("ij,ij->i", sample.x, sample.x)
            order = np.random.default_rng(1).integers(0, n, STEPS)
            eta = d ** -1.5

            def kernel():
                w = np.zeros(d)
                w[1] = 1.0
                mk.multipass_chain(np.random.default_rng(2), 0, coef, sample.x, sample.y, x_sq, w, eta, STEPS, True,
                                   math.inf, False, STEPS, np.empty(2), np.zeros(n, dtype=np.bool_))

            def baseline():
                w = np.zeros(d)
                w[1] = 1.0
                mk.dot_axpy_rows(sample.x, order, w, 1e-3)

            kernel()
            baseline()  # compile outside the timings
            t_kernel = best_of(kernel) / STEPS * 1e9
            t_base = best_of(baseline) / STEPS * 1e9
            print(f"{d:5d} {n:7d} {t_kernel:15.1f} {t_base:17.1f} {t_kernel / t_base:6.2f}")


if __name__ == "__main__":
    main()
