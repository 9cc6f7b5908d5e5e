"""Sampling throughput: 1e6 rows × 10 nodes, against sempler on the same linear SCM.

Run from the repository root::

    python bench/bench_sampling.py

Prints the median time of several runs for our sampler and for sempler's
``LGANM.sample`` (the peer), with and without interventions, their ratio, and
our peak memory (tracemalloc) relative to the output array. Both run with one
BLAS thread (sempler's matrix products are the only BLAS work).
Budget (DESIGN.md §6): ≤ 150 ms and peak ≤ 1.5 × the output array.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lib.world.interventions import Do, Shift  # noqa: E402
from lib.world.scm import SCM  # noqa: E402

N = 1_000_000
P = 10
REPEATS = 7


def chain_weights(p: int, seed: int = 0) -> np.ndarray:
    """A random DAG: each node has up to two earlier parents."""
    rng = np.random.default_rng(seed)
    W = np.zeros((p, p))
    for j in range(1, p):
        for i in rng.choice(j, size=min(2, j), replace=False):
            W[i, j] = round(float(rng.uniform(0.3, 0.9)), 2)
    return W


def our_scm(W: np.ndarray) -> SCM:
    nodes = {}
    for j in range(W.shape[0]):
        terms = [f"{W[i, j]} * x{i}" for i in range(W.shape[0]) if W[i, j] != 0]
        nodes[f"x{j}"] = " + ".join([*terms, "normal(0, 1)"])
    return SCM.from_dict({"nodes": nodes})


def timed(fn, repeats: int = REPEATS) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def main() -> None:
    warnings.filterwarnings("ignore")
    import sempler
    from threadpoolctl import threadpool_limits

    # One BLAS thread for both: sempler's matrix products otherwise race the
    # machine's other work and its timings swing several-fold between runs.
    threadpool_limits(1)

    W = chain_weights(P)
    ours = our_scm(W)
    peer = sempler.LGANM(W, np.zeros(P), np.ones(P))
    ivs = [Do("x3", 1.0), Shift("x6", 2.0)]

    rows = []
    ours_obs = timed(lambda: ours.sample(N, seed=1))
    peer_obs = timed(lambda: peer.sample(N, random_state=1))
    rows.append(("observational", ours_obs, peer_obs))
    ours_iv = timed(lambda: ours.sample(N, seed=1, interventions=ivs))
    peer_iv = timed(
        lambda: peer.sample(
            N, do_interventions={3: (1.0, 0.0)}, shift_interventions={6: (2.0, 0.0)}, random_state=1
        )
    )
    rows.append(("do + shift", ours_iv, peer_iv))

    tracemalloc.start()
    df = ours.sample(N, seed=1, interventions=ivs)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    out_bytes = df.to_numpy().nbytes
    del df

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    from importlib.metadata import version

    print(f"numpy {np.__version__}, sempler {version('sempler')}")
    print(f"sampling {N:,} rows x {P} nodes, median of {REPEATS}")
    print(f"{'case':<16}{'ours (ms)':>12}{'sempler (ms)':>15}{'sempler/ours':>15}")
    for name, a, b in rows:
        print(f"{name:<16}{a:>12.1f}{b:>15.1f}{b / a:>14.2f}x")
    print(
        f"peak memory (tracemalloc): {peak / 1e6:.1f} MB for a {out_bytes / 1e6:.1f} MB output "
        f"= {peak / out_bytes:.2f} x the output array"
    )


if __name__ == "__main__":
    main()
