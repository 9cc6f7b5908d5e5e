"""Reading a 1e6-row × 20-column numeric CSV: read_table against plain pandas.read_csv.

Run from the repository root::

    python bench/bench_read_table.py [--rows 1000000]

Writes the CSV to a temporary file, then prints, for ``lib.tables.read.read_table``
and for ``pandas.read_csv`` on the same file (the peer):

- the median time of several runs, and the ratio;
- peak memory measured the same way for both: tracemalloc's peak (what
  Python and numpy allocate), and the rise of the process's resident-set
  high-water mark in a fresh subprocess (which also sees the C parser's own
  buffers).

The file is about 200 MB, above the default 50 MB upload limit, so read_table
runs with ``ReadLimits(max_bytes=...)`` raised to fit it.
Budget (issue 3): time ≤ 1.5 × and peak memory ≤ 2 × pandas.read_csv.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lib.tables.read import ReadLimits, read_table  # noqa: E402

COLUMNS = 20
REPEATS = 5
LIMITS = ReadLimits(max_bytes=2**31)


def write_csv(path: Path, rows: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.normal(size=(rows, COLUMNS)), columns=[f"x{j}" for j in range(COLUMNS)])
    df.to_csv(path, index=False, float_format="%.6g")


def run_ours(path: Path) -> pd.DataFrame:
    return read_table(path, limits=LIMITS).data


def run_pandas(path: Path) -> pd.DataFrame:
    return pd.read_csv(path)


READERS = {"read_table": run_ours, "pandas.read_csv": run_pandas}


def timed(fn, path: Path, repeats: int) -> float:
    fn(path)  # warm-up (page cache, imports)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(path)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def traced_peak(fn, path: Path) -> int:
    tracemalloc.start()
    df = fn(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del df
    return peak


def rss_rise(reader: str, path: Path) -> int:
    """Rise of the resident-set high-water mark while reading, in a fresh process (bytes)."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", reader, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(out.stdout.split()[-1])


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def child(reader: str, path: Path) -> None:
    # Reset the high-water mark (Linux: writing 5 to clear_refs), then read.
    Path("/proc/self/clear_refs").write_text("5")
    before = _status("VmRSS")
    df = READERS[reader](path)
    peak = _status("VmHWM")
    assert len(df)
    print(peak - before)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--child", nargs=2, metavar=("READER", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.csv"
        write_csv(path, args.rows)
        size = path.stat().st_size
        ours, peer = run_ours(path), run_pandas(path)
        pd.testing.assert_frame_equal(ours, peer.astype("float64"))
        out_bytes = peer.memory_usage(index=False).sum()
        del ours, peer

        times = {name: timed(fn, path, args.repeats) for name, fn in READERS.items()}
        traced = {name: traced_peak(fn, path) for name, fn in READERS.items()}
        rss = {name: rss_rise(name, path) for name in READERS}

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"pandas {pd.__version__}, numpy {np.__version__}")
    print(
        f"CSV: {args.rows:,} rows x {COLUMNS} columns, {size / 1e6:.0f} MB; "
        f"output {out_bytes / 1e6:.0f} MB; median of {args.repeats}"
    )
    print(f"{'reader':<18}{'time (s)':>10}{'tracemalloc peak (MB)':>24}{'RSS rise (MB)':>16}")
    for name in READERS:
        print(f"{name:<18}{times[name]:>10.2f}{traced[name] / 1e6:>24.0f}{rss[name] / 1e6:>16.0f}")
    a, b = "read_table", "pandas.read_csv"
    print(
        f"ratio read_table / pandas: time {times[a] / times[b]:.2f}x, "
        f"tracemalloc peak {traced[a] / traced[b]:.2f}x, RSS rise {rss[a] / rss[b]:.2f}x"
    )


if __name__ == "__main__":
    main()
