"""The bootstrap of a linear fit: vectorised against a loop of refits (the peer).

Run from the repository root::

    python bench/bench_attribution.py

For two inputs with correlation 0.99 and n rows, ``reps`` bootstrap resamples are
refitted twice on the same resamples: by :func:`lib.attribution.stability.bootstrap_ols`
(one batched solve) and by a loop of statsmodels OLS fits, the naive way. The table
gives the median of 5 runs of each, their ratio, and the largest difference of
the coefficients (they must agree).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np
import statsmodels.api as sm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lib.attribution.stability import bootstrap_indices, bootstrap_ols, correlated_pair  # noqa: E402


def _median_time(work, repeats: int = 5) -> float:  # noqa: ANN001 - a callable
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    print(f"{'n':>6} {'reps':>5} {'vectorised':>11} {'loop':>9} {'ratio':>6} {'max diff':>9}")
    for n, reps in ((500, 200), (2000, 200), (2000, 1000), (10_000, 200)):
        x = correlated_pair(n, 0.99, 0)
        y = x[:, 0] + np.random.default_rng(1).standard_normal(n)
        idx = bootstrap_indices(n, reps, 2)
        design = sm.add_constant(x)

        def fast(x=x, y=y, idx=idx) -> np.ndarray:  # noqa: ANN001 - bound now
            return bootstrap_ols(x, y, indices=idx)

        def slow(y=y, design=design, idx=idx) -> np.ndarray:  # noqa: ANN001 - bound now
            return np.array([sm.OLS(y[r], design[r]).fit().params for r in idx])

        ours, peer = _median_time(fast), _median_time(slow, repeats=3)
        diff = float(np.max(np.abs(fast() - slow())))
        print(
            f"{n:>6} {reps:>5} {ours * 1e3:>9.1f}ms {peer * 1e3:>7.0f}ms {peer / ours:>5.0f}× {diff:>9.1e}"
        )


if __name__ == "__main__":
    main()
