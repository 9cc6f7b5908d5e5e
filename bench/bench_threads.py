"""The engine from a plain Python process against the same with one OpenMP thread.

Each model limits its own threads inside ``fit`` and ``predict``, so a notebook,
a test or a server thread gets the same speed without setting anything. This
benchmark times ``compare_models`` (L-DOPA, n = 2000, every preset as a test)
in two fresh processes: one with the environment as it is, one with
``OMP_NUM_THREADS=1``. The ratio is the cost of threads a caller did not ask
for (goal: at most 1.3x).

Run from the repository root::

    python bench/bench_threads.py            # 9 timed runs per process
    python bench/bench_threads.py --runs 21
    python bench/bench_threads.py --busy     # another process keeps one core busy
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_CHILD = """
import json, sys, time
sys.path.insert(0, {root!r})
from lib.fitting.experiments import compare_models
from lib.world.scenarios import load_scenario
sc = load_scenario("ldopa")
tests = dict(sc.presets)
compare_models(sc, n=2000, seed=0, tests=tests)  # warm-up: imports, compiled equations
times = []
for seed in range({runs}):
    t0 = time.perf_counter()
    compare_models(sc, n=2000, seed=seed + 1, tests=tests)
    times.append(time.perf_counter() - t0)
print(json.dumps(times))
"""


def run(runs: int, one_thread: bool) -> list[float]:
    env = dict(os.environ)
    env.pop("OMP_NUM_THREADS", None)
    if one_thread:
        env["OMP_NUM_THREADS"] = "1"
    out = subprocess.run(
        [sys.executable, "-c", _CHILD.format(root=str(ROOT), runs=runs)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def busy_core() -> subprocess.Popen[bytes]:
    """Another program using one core (as on a shared server), for at most 10 minutes."""
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time\nend = time.time() + 600\nwhile time.time() < end: pass",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--busy", action="store_true", help="keep one core busy meanwhile")
    args = parser.parse_args()
    hog = busy_core() if args.busy else None
    try:
        plain = run(args.runs, one_thread=False)
        single = run(args.runs, one_thread=True)
    finally:
        if hog is not None:
            hog.kill()
    a, b = statistics.median(plain), statistics.median(single)
    where = "one core busy with another program" if args.busy else "quiet machine"
    print(f"compare_models, L-DOPA, n = 2000, {len(plain)} runs each (median), {where}")
    print(f"  plain process          {a * 1000:8.1f} ms")
    print(f"  OMP_NUM_THREADS=1      {b * 1000:8.1f} ms")
    print(f"  ratio plain / one      {a / b:8.2f}x  (goal <= 1.3x)")


if __name__ == "__main__":
    main()
