"""The class table of docs/deployment.md: K students against one worker and against N.

For every (workers, students) pair it starts a fresh server, so no run finds
what an earlier run computed: one worker is ``streamlit run app.py`` (then
warmed like ``scripts/serve.sh`` warms its workers); more are
``scripts/serve.sh --workers N`` (HAProxy in front). Then it runs the class
script of ``bench/loadtest.py`` and stops the server. Run from the repository
root (HAProxy needed for N >= 2)::

    python bench/class_table.py --students 1 10 25 60 --workers 1 2
    python bench/class_table.py --students 60 --workers 2 --seeds random

It prints one Markdown row per run; ``--json FILE`` keeps every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import loadtest  # noqa: E402

START_TIMEOUT = 180.0


def _free_ports(count: int) -> int:
    """A port P with P..P+count-1 free on the loopback interface."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            first = s.getsockname()[1]
        if first + count > 65535:
            continue
        try:
            for p in range(first, first + count):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", p))
        except OSError:
            continue
        return first
    raise RuntimeError("no free ports")


def _healthy(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url + "/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def start(workers: int, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A fresh server: one plain worker, or ``scripts/serve.sh`` with ``workers``."""
    port = _free_ports(workers + 1)
    if workers == 1:
        cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
        cmd += ["--server.address", "127.0.0.1"]
    else:
        cmd = [str(ROOT / "scripts" / "serve.sh"), "--workers", str(workers)]
        cmd += ["--port", str(port), "--address", "127.0.0.1"]
    env = {**os.environ, "PYTHON": sys.executable}
    with log.open("ab") as out:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    while not _healthy(url):
        if proc.poll() is not None or time.monotonic() > deadline:
            stop(proc)
            raise RuntimeError(f"the server did not start; see {log}")
        time.sleep(0.3)
    if workers == 1:
        warm = asyncio.run(loadtest.run_warm(url))
        if warm["errors"]:
            raise RuntimeError(f"warm-up errors: {warm['errors'][:3]}")
    return proc, url


def stop(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


def row(workers: int, report: dict[str, Any]) -> str:
    first = report["kinds"]["first load"]
    moves = report["moves"]
    return (
        f"| {workers} | {report['students']} | {first['p50_s']:.2f} / {first['p95_s']:.2f} / "
        f"{first['max_s']:.2f} s | {moves['p50_s']:.2f} / {moves['p95_s']:.2f} / "
        f"{moves['max_s']:.2f} s | {len(report['errors'])} | "
        f"{report['memory']['peak_mb']:.0f} MB |"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--students", type=int, nargs="+", default=[1, 10, 25, 60])
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    p.add_argument("--seeds", choices=("class", "random"), default="class")
    p.add_argument("--hostile", type=int, default=0)
    p.add_argument("--json", type=Path)
    args = p.parse_args(argv)
    log = ROOT / "test-artifacts" / "class_table.log"
    log.parent.mkdir(exist_ok=True)
    print(f"seeds: {args.seeds}; server output in {log.relative_to(ROOT)}")
    print(
        "| workers | students | first load p50 / p95 / max | moves p50 / p95 / max | errors "
        "| server memory (peak) |"
    )
    print("|---:|---:|---|---|---:|---:|")
    results = []
    for workers in args.workers:
        for students in args.students:
            proc, url = start(workers, log)
            try:
                report = asyncio.run(
                    loadtest.run_class(url, students, seeds=args.seeds, hostile=args.hostile)
                )
            finally:
                stop(proc)
            report["workers"] = workers
            results.append(report)
            print(row(workers, report), flush=True)
            for e in report["errors"][:5]:
                print(f"    error: {e}")
            if "hostile" in report:
                print(f"    hostile: {report['hostile']}")
            if workers > 1:
                print(f"    students per worker: {report['per_worker']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
