"""Exact ICP speed: ours against causalicp, n = 1e5 rows, 2 environments.

Run from the repository root::

    python bench/bench_icp.py            # causalicp for p = 4, 6, 8, 10, 12 (several minutes)
    python bench/bench_icp.py --quick    # causalicp up to p = 8

For each number of candidates p, one dataset (a linear SCM: two parents of the
target, shifted in the second environment, the other candidates a mix of
independent noise and children of the target) is tested by both
implementations on the same arrays. The table gives the median time of ours
(several runs), causalicp's time (one run: it takes minutes at p = 12), their
ratio, and whether the accepted sets agree and the largest relative
difference of the per-predictor p-values. Then our time alone for p up to 20.
Budget (DESIGN.md §6): at p = 12, ≥ 100× faster than causalicp with the same
accepted sets; at p = 18, ≤ 1 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lib.invariance.engine import icp  # noqa: E402

N = 100_000


def dataset(p: int, seed: int = 0) -> pd.DataFrame:
    """Two environments of N/2 rows; x0, x1 cause y; x2.. are children of y or noise."""
    rng = np.random.default_rng(seed)
    env = np.repeat([0, 1], N // 2)
    X = rng.normal(size=(N, p))
    X[:, 0] += 0.3 * env
    if p > 1:
        X[:, 1] *= 1 + 0.2 * env
    y = X[:, 0] - 0.5 * X[:, 1] + rng.normal(size=N) if p > 1 else X[:, 0] + rng.normal(size=N)
    for j in range(2, p, 2):  # every other extra column is a child of y, shifted in env 1
        X[:, j] = 0.5 * y + rng.normal(size=N) + 0.3 * env
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(p)])
    df["y"] = y
    df["env"] = env
    return df


def ours(df: pd.DataFrame, repeats: int = 5) -> tuple[float, object]:
    res = icp(df, "y", "env")  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        res = icp(df, "y", "env")
        times.append(time.perf_counter() - start)
    return statistics.median(times), res


def reference(df: pd.DataFrame) -> tuple[float, object]:
    import causalicp

    p = df.shape[1] - 2
    data = [g[[*(f"x{j}" for j in range(p)), "y"]].to_numpy() for _, g in df.groupby("env")]
    start = time.perf_counter()
    res = causalicp.fit(data, p, alpha=0.05)
    return time.perf_counter() - start, res


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="causalicp only up to p = 8")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, ")
    print(f"python {platform.python_version()}, numpy {np.__version__}; n = {N:,}, 2 environments")
    print()
    print(
        "| p | subsets | ours (ms) | causalicp (s) | ratio | same accepted sets | max rel. diff of p-values |"
    )
    print("|---:|---:|---:|---:|---:|:---:|---:|")
    for p in [4, 6, 8] if args.quick else [4, 6, 8, 10, 12]:
        df = dataset(p)
        t_ours, res = ours(df)
        t_ref, ref = reference(df)
        names = [f"x{j}" for j in range(p)]
        same = sorted(sorted(s) for s in res.accepted_sets) == sorted(
            sorted(names[i] for i in S) for S in ref.accepted_sets
        )
        worst = max(
            abs(res.pvalues[names[i]] - float(ref.pvalues[i]))
            / max(abs(float(ref.pvalues[i])), 1e-12)
            for i in range(p)
        )
        print(
            f"| {p} | {2**p:,} | {t_ours * 1e3:.1f} | {t_ref:.2f} | {t_ref / t_ours:,.0f}× | "
            f"{'yes' if same else 'NO'} | {worst:.1e} |"
        )
    print()
    print("| p | subsets | ours (s) | estimate |")
    print("|---:|---:|---:|---|")
    for p in [12, 14, 16, 18, 20]:
        df = dataset(p)
        t_ours, res = ours(df, repeats=3 if p < 20 else 1)
        est = ", ".join(sorted(res.causal_predictors)) or "∅"
        print(f"| {p} | {2**p:,} | {t_ours:.3f} | {est} |")


if __name__ == "__main__":
    main()
