"""Why the overlap engine draws from numpy Generators: the alternatives, measured.

The chain needs per step two normals and one chi-square draw. Candidates, all for the
He_3 chain (batch 1, projected, d = 1000), each run seeded on its own:

A. numba's Generator methods only (``standard_normal``, ``standard_gamma``);
B. numba's Generator normals and uniforms with an inline Marsaglia--Tsang gamma (the
   engine's choice);
C. a hand-written xoshiro256** with polar (Marsaglia) normals and the same gamma;
D. xoshiro256** with a 256-layer ziggurat and the same gamma;
E. D over runs with ``prange`` (``parallel=True``) instead of a thread pool.

A-D are the same minimal He_3 chain; the engine's own kernel (general links, mini-batches,
noise, records, stopping) is timed beside them. Prints compile time and steps per second
(one core; B and the engine over a 2-thread pool and E with prange on all cores).
Run: .venv/bin/python bench/bench_rng.py
"""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numba import njit, prange, uint64

from lecturelib import _kernels

STEPS, D, ETA = 2_000_000, 1000, 1e-6
SQ6 = math.sqrt(6.0)


@njit(inline="always")
def he3_step(m, lam, beta, zz):
    s = math.sqrt(max(0.0, 1.0 - m * m))
    t = m * lam + s * beta
    c = ETA * ((t**3 - 3 * t) - (lam**3 - 3 * lam)) / SQ6 * (3 * lam * lam - 3) / SQ6
    return (m + c * beta * s) / math.sqrt(1.0 + c * c * (beta * beta + zz))


@njit(nogil=True)
def chain_a(gen, steps):
    m = 0.1
    for _ in range(steps):
        lam, beta = gen.standard_normal(), gen.standard_normal()
        m = he3_step(m, lam, beta, 2.0 * gen.standard_gamma(0.5 * (D - 2)))
    return m


# --- xoshiro256** (Blackman & Vigna), state: 4 uint64 per run


@njit(inline="always")
def rotl(x, k):
    return (x << uint64(k)) | (x >> uint64(64 - k))


@njit(inline="always")
def next_u64(s):
    result = rotl(s[1] * uint64(5), 7) * uint64(9)
    t = s[1] << uint64(17)
    s[2] ^= s[0]
    s[3] ^= s[1]
    s[1] ^= s[2]
    s[0] ^= s[3]
    s[2] ^= t
    s[3] = rotl(s[3], 45)
    return result


@njit(inline="always")
def uniform(s):
    return float(next_u64(s) >> uint64(11)) * (1.0 / 9007199254740992.0)


@njit(inline="always")
def polar(s):
    while True:
        u, v = 2.0 * uniform(s) - 1.0, 2.0 * uniform(s) - 1.0
        q = u * u + v * v
        if 0.0 < q < 1.0:
            f = math.sqrt(-2.0 * math.log(q) / q)
            return u * f


def ziggurat_tables(r=3.6541528853610088, v=0.00492867323399):
    """Marsaglia--Tsang's 256-layer ziggurat: x_0 = v/f(r), x_1 = r, f(x_{i+1}) = f(x_i) + v/x_i."""
    x = np.zeros(257)
    x[0], x[1] = v / math.exp(-0.5 * r * r), r
    for i in range(1, 255):
        x[i + 1] = math.sqrt(-2.0 * math.log(math.exp(-0.5 * x[i] ** 2) + v / x[i]))
    return (np.floor(2.0**52 * x[1:] / x[:-1]).astype(np.uint64), x[:-1] / 2.0**52, np.exp(-0.5 * x * x), r)


ZK, ZW, ZF, ZR = ziggurat_tables()


@njit(inline="always")
def ziggurat(s):
    while True:
        bits = next_u64(s)
        i = np.intp(bits & uint64(0xFF))
        negative = (bits >> uint64(8)) & uint64(1)
        mantissa = bits >> uint64(12)
        x = float(mantissa) * ZW[i]
        if negative:
            x = -x
        if mantissa < ZK[i]:
            return x
        if i == 0:  # the tail beyond r
            while True:
                xx = -math.log1p(-uniform(s)) / ZR
                if -2.0 * math.log1p(-uniform(s)) > xx * xx:
                    return -(ZR + xx) if negative else ZR + xx
        if ZF[i] + uniform(s) * (ZF[i + 1] - ZF[i]) < math.exp(-0.5 * x * x):
            return x


@njit(inline="always")
def gen_normal(gen):
    return gen.standard_normal()


@njit(inline="always")
def gen_uniform(gen):
    return gen.random()


def make_chain(normal, uniform):
    @njit(inline="always")
    def gamma_mt(s, shift, scale):
        while True:
            x = normal(s)
            v = 1.0 + scale * x
            if v <= 0.0:
                continue
            v = v * v * v
            u = uniform(s)
            if u < 1.0 - 0.0331 * x**4 or math.log(u) < 0.5 * x * x + shift * (1.0 - v + math.log(v)):
                return shift * v

    @njit(nogil=True)
    def chain(s, steps):
        shift = 0.5 * (D - 2) - 1.0 / 3.0
        scale = 1.0 / math.sqrt(9.0 * shift)
        m = 0.1
        for _ in range(steps):
            lam, beta = normal(s), normal(s)
            m = he3_step(m, lam, beta, 2.0 * gamma_mt(s, shift, scale))
        return m

    return chain


chain_b = make_chain(gen_normal, gen_uniform)
chain_c, chain_d = make_chain(polar, uniform), make_chain(ziggurat, uniform)


@njit(parallel=True)
def chain_e(states, steps):
    out = np.empty(states.shape[0])
    for r in prange(states.shape[0]):
        out[r] = chain_d(states[r], steps)
    return out


def seconds(task):
    t0 = time.perf_counter()
    task()
    return time.perf_counter() - t0


def engine_kernel(gen, steps):
    out, no_norm = np.empty(1), np.empty(0)
    coef = np.array([0.0, 0.0, 0.0, 1.0])
    return _kernels.overlap_chain(gen, 0, coef, D, ETA, steps, 1, 0.0, 0, True, False, 0.1, math.inf, False, steps,
                                  out, no_norm)


def main() -> None:
    states = np.array([np.random.SeedSequence(i).generate_state(4, np.uint64) for i in range(4)])
    gens = [np.random.default_rng(i) for i in range(4)]
    cases = [("A numba Generator, its standard_gamma", chain_a, gens[0]),
             ("B numba Generator + inline gamma", chain_b, gens[1]),
             ("C xoshiro256** + polar normals", chain_c, states[0].copy()),
             ("D xoshiro256** + ziggurat", chain_d, states[1].copy()),
             ("engine kernel (= B, general)", engine_kernel, gens[2])]
    for name, kernel, arg in cases:
        compile_s = seconds(lambda: kernel(arg, 10))
        rate = STEPS / min(seconds(lambda: kernel(arg, STEPS)) for _ in range(3))
        print(f"{name:42s} compile {compile_s:5.2f} s   one core {rate:.3g} steps/s")
    for name, kernel in (("B", chain_b), ("engine kernel", engine_kernel)):
        with ThreadPoolExecutor(2) as pool:
            best = min(seconds(lambda: list(pool.map(lambda g: kernel(g, STEPS), gens))) for _ in range(3))
        print(f"{name + ' over a 2-thread pool (4 runs)':42s} {'':15s}   all cores {4 * STEPS / best:.3g} steps/s")
    compile_s = seconds(lambda: chain_e(states.copy(), 10))
    rate = 4 * STEPS / min(seconds(lambda: chain_e(states.copy(), STEPS)) for _ in range(3))
    print(f"{'E = D with prange (4 runs)':42s} compile {compile_s:5.2f} s   all cores {rate:.3g} steps/s")


if __name__ == "__main__":
    main()
