"""A class at once: K students against the real server, over Streamlit's own websocket.

Each simulated student does what a browser does when a teacher says "everyone
open the link now": it fetches the page (and so gets the balancer's cookie, if
there is a balancer), opens ``/_stcore/stream`` and asks for the first run with
the link's query string. Then it makes five moves with pauses of 1-3 s, each a
``BackMsg`` like the browser sends, timed from sending to the server's
``script_finished``:

1. a new seed (the sidebar's *Seed* input),
2. a page change (the sidebar's link to *Models*),
3. a new seed,
4. a page change (the link back to *Interventions*),
5. another intervention preset (the *Intervention* radio).

``--seeds class`` (the default) steps every student's seed by one, as a class
does when the teacher says "press + on the seed"; ``--seeds random`` gives each
student seeds of their own, the worst case: nothing is shared between them.
``--hostile K`` makes K more students open a link to a custom intervention with a
costly equation of their own; they must get a clear refusal while the others
stay within budget. ``--cycles N`` instead measures memory: N students one after
another connect, load the first page and disconnect.

The client talks to the loopback interface only, and is bounded: at most
:data:`MAX_STUDENTS` students and :data:`MAX_SECONDS` seconds per run.

Run (after ``streamlit run app.py`` or ``scripts/serve.sh --workers 2``)::

    python bench/loadtest.py --url http://127.0.0.1:8501 --students 25

It prints p50/p95/max per kind of move, the errors, the first-load times, the
bytes each move receives, and the servers' memory (``--pid``, or every local
``streamlit run`` process found in ``/proc``). ``--json FILE`` writes the same
figures for ``docs/deployment.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.cookiejar
import ipaddress
import json
import os
import random
import statistics
import sys
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput

#: Most students one run may simulate.
MAX_STUDENTS = 200
#: Longest one run may take (seconds), whatever else happens.
MAX_SECONDS = 900.0
#: Most connect/disconnect cycles one ``--cycles`` run may make.
MAX_CYCLES = 2000
#: Longest one script run may take before the client counts it as an error.
RUN_TIMEOUT = 120.0

#: The cookie HAProxy sets to keep a browser on its worker (deploy/haproxy.cfg.template).
BALANCER_COOKIE = "lab_worker"
#: The link a teacher shares: the L-DOPA world at n = 2000, on Interventions.
DEFAULT_LINK = "/Interventions?scenario=ldopa&n=2000&seed=0&preset=Tylenol"
#: A costly equation for ``--hostile``: as many transcendental calls per row as an
#: equation may hold (about 300 operations), on the most rows a world offers.
HOSTILE_EQUATION = "+".join(f"sin(exp(cos(dose*{k})))" for k in range(1, 40))
HOSTILE_ROWS = 20_000

_FINISHED = {
    ForwardMsg.FINISHED_SUCCESSFULLY: "ok",
    ForwardMsg.FINISHED_WITH_COMPILE_ERROR: "compile error",
}


def _check_loopback(url: str) -> urllib.parse.SplitResult:
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if host != "localhost":
        try:
            if not ipaddress.ip_address(host).is_loopback:
                raise ValueError
        except ValueError:
            raise SystemExit(f"the load test talks to this machine only, not to {host!r}") from None
    if parts.scheme not in ("http", "https"):
        raise SystemExit(f"--url must start with http:// (got {url!r})")
    return parts


@dataclass
class Run:
    """One script run as the client saw it."""

    kind: str
    seconds: float
    received_bytes: int
    errors: list[str]


@dataclass
class Student:
    """One browser: cookies, a websocket, and what the last run drew."""

    base: str
    name: str
    hostile: bool = False
    #: The balancer's cookie for this browser (its worker), "" without a balancer.
    worker: str = ""
    runs: list[Run] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    _ws: Any = None
    _reader: asyncio.Task[None] | None = None
    _finished: asyncio.Queue[str] | None = None
    _bytes: int = 0
    _errors: list[str] = field(default_factory=list)
    _widgets: dict[str, tuple[str, Any]] = field(default_factory=dict)
    _links: dict[str, tuple[str, str]] = field(default_factory=dict)
    _page_hash: str = ""
    _query: str = ""

    # ------------------------------------------------------------------ connection

    def _fetch_page(self, path: str) -> tuple[str, str]:
        """GET the page like a browser; return (Cookie header, XSRF token)."""
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(jar)
        )
        with opener.open(self.base + path, timeout=RUN_TIMEOUT) as response:
            response.read()
        with opener.open(self.base + "/_stcore/host-config", timeout=RUN_TIMEOUT) as response:
            response.read()
        cookies = {c.name: c.value for c in jar}
        self.worker = cookies.get(BALANCER_COOKIE, "")
        header = "; ".join(f"{k}={v}" for k, v in cookies.items())
        return header, cookies.get("_streamlit_xsrf", "")

    async def connect(self, link: str) -> None:
        """Open the link: page, cookies, websocket, and the first run (timed as one)."""
        started = time.perf_counter()
        parts = urllib.parse.urlsplit(link)
        cookie, xsrf = await asyncio.to_thread(self._fetch_page, parts.path or "/")
        ws_url = self.base.replace("http", "ws", 1) + "/_stcore/stream"
        protocols = ["streamlit", xsrf or "PLACEHOLDER_AUTH_TOKEN"]
        self._ws = await websockets.connect(
            ws_url,
            subprotocols=protocols,  # type: ignore[arg-type]
            additional_headers={"Cookie": cookie, "Origin": self.base} if cookie else None,
            max_size=None,
            open_timeout=RUN_TIMEOUT,
        )
        self._finished = asyncio.Queue()
        self._reader = asyncio.create_task(self._read())
        page = parts.path.strip("/")
        await self._run("first load", parts.query, page_name=page, started=started)

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader

    async def _read(self) -> None:
        assert self._finished is not None
        try:
            async for raw in self._ws:
                self._bytes += len(raw)
                msg = ForwardMsg()
                msg.ParseFromString(raw)
                what = msg.WhichOneof("type")
                if what == "delta" and msg.delta.WhichOneof("type") == "new_element":
                    self._see(msg.delta.new_element)
                elif what == "page_info_changed":
                    self._query = msg.page_info_changed.query_string
                elif what == "navigation":
                    self._page_hash = msg.navigation.page_script_hash
                elif what == "script_finished":
                    status = _FINISHED.get(msg.script_finished)
                    if status is not None:
                        await self._finished.put(status)
        except websockets.ConnectionClosed as exc:
            await self._finished.put(f"connection closed ({exc.code})")

    def _see(self, element: Any) -> None:
        kind = element.WhichOneof("type")
        body = getattr(element, kind)
        if kind == "alert" and body.format == Alert.ERROR:
            self._errors.append(" ".join(body.body.split())[:300])
        elif kind == "exception":
            self._errors.append(f"{body.type}: {body.message}"[:300])
        elif kind == "page_link":
            self._links[body.label] = (body.page_script_hash, body.query_string)
        elif hasattr(body, "id") and hasattr(body, "label") and body.id:
            self._widgets[body.label] = (kind, body)

    # ------------------------------------------------------------------ runs

    async def _run(
        self,
        kind: str,
        query: str,
        *,
        page_hash: str = "",
        page_name: str = "",
        widgets: Sequence[tuple[str, str, Any]] = (),
        started: float | None = None,
    ) -> None:
        assert self._finished is not None
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self._query = query
        state.page_script_hash = page_hash
        state.page_name = page_name
        for widget_id, value_field, value in widgets:
            ws = state.widget_states.widgets.add()
            ws.id = widget_id
            setattr(ws, value_field, value)
        self._errors, self._bytes = [], 0
        self._widgets, self._links = {}, {}
        started = time.perf_counter() if started is None else started
        await self._ws.send(msg.SerializeToString())
        try:
            status = await asyncio.wait_for(self._finished.get(), RUN_TIMEOUT)
        except TimeoutError:
            status = f"no answer within {RUN_TIMEOUT:g} s"
        seconds = time.perf_counter() - started
        errors = list(self._errors)
        if status != "ok":
            errors.append(status)
        self.runs.append(Run(kind, seconds, self._bytes, errors))
        if status.startswith(("connection closed", "no answer")):
            raise ConnectionError(status)

    def _check(self, ok: bool, problem: str) -> None:
        """Count a move that did not do what it should as an error of that move."""
        if not ok and self.runs:
            self.runs[-1].errors.append(problem)

    async def new_seed(self, seed: int) -> None:
        _, body = self._widgets["Seed"]
        field_name = "int_value" if body.data_type == NumberInput.INT else "double_value"
        await self._run(
            "new seed",
            self._query,
            page_hash=self._page_hash,
            widgets=[(body.id, field_name, seed)],
        )
        shown = self._widgets.get("Seed", ("", None))[1]
        self._check(shown is not None and shown.value == seed, f"the seed did not become {seed}")

    async def rerun(self) -> None:
        """Run the page again with nothing changed (what the browser's *Rerun* does)."""
        await self._run("warm rerun", self._query, page_hash=self._page_hash)

    async def go_to(self, page: str) -> None:
        page_hash, query = self._links[page]
        await self._run("page change", query, page_hash=page_hash)
        self._check(self._page_hash == page_hash, f"the page did not change to {page}")

    def presets(self) -> tuple[list[str], str]:
        """The Intervention radio's presets (not "build your own", its last option)
        and the one chosen now."""
        _, body = self._widgets["Intervention"]
        return list(body.options)[:-1], body.raw_value

    async def choose_preset(self, option: str, kind: str = "other preset") -> None:
        """Pick ``option`` in the Intervention radio."""
        _, body = self._widgets["Intervention"]
        await self._run(
            kind,
            self._query,
            page_hash=self._page_hash,
            widgets=[(body.id, "string_value", option)],
        )
        shown = self._widgets.get("Intervention", ("", None))[1]
        self._check(
            shown is not None and shown.raw_value == option, f"the preset did not become {option}"
        )

    async def other_preset(self, rng: random.Random) -> None:
        options, current = self.presets()
        await self.choose_preset(rng.choice([o for o in options if o != current] or options))


async def _student(
    base: str,
    index: int,
    link: str,
    seeds: str,
    pause: tuple[float, float],
    rng_seed: int,
    hostile: bool,
) -> Student:
    student = Student(base, f"student {index + 1}", hostile=hostile)
    rng = random.Random(rng_seed * 1000 + index)
    try:
        if hostile:
            query = urllib.parse.urlencode(
                {
                    "scenario": "ldopa",
                    "n": str(HOSTILE_ROWS),
                    "seed": "0",
                    "preset": "custom",
                    "node": "headache",
                    "kind": "replace",
                    "equation": HOSTILE_EQUATION,
                }
            )
            await student.connect(f"/Interventions?{query}")
            return student
        await student.connect(link)
        start_seed = int(
            urllib.parse.parse_qs(urllib.parse.urlsplit(link).query).get("seed", ["0"])[0]
        )
        seed_list = (
            [start_seed + 1, start_seed + 2]
            if seeds == "class"
            else [rng.randrange(1, 1_000_000) for _ in range(2)]
        )
        moves = [
            lambda: student.new_seed(seed_list[0]),
            lambda: student.go_to("Models"),
            lambda: student.new_seed(seed_list[1]),
            lambda: student.go_to("Interventions"),
            lambda: student.other_preset(rng),
        ]
        for move in moves:
            await asyncio.sleep(rng.uniform(*pause))
            await move()
    except Exception as exc:  # one student's failure is a figure, not a crash
        student.failures.append(f"{type(exc).__name__}: {exc}")
    finally:
        await student.close()
    return student


# ----------------------------------------------------------------------------- memory


def server_pids(url: str | None = None) -> list[int]:
    """The local ``streamlit run`` processes (the workers), from /proc.

    With ``url``, the one started with that port (``--server.port``) when there
    is one; behind a balancer the port is the balancer's, so every worker counts.
    """
    found: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        if any("streamlit" in part for part in cmd) and "run" in cmd:
            found[int(entry.name)] = cmd
    port = str(urllib.parse.urlsplit(url).port) if url else None
    on_port = [
        pid
        for pid, cmd in found.items()
        if any(a == port or a == f"--server.port={port}" for a in cmd)
    ]
    return sorted(on_port or found)


def rss_mb(pids: list[int]) -> float:
    """Resident memory of ``pids`` together, in MB."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total / 1e6


async def _watch_memory(pids: list[int], peak: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], rss_mb(pids))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)


# ----------------------------------------------------------------------------- report


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def summarise(students: list[Student]) -> dict[str, Any]:
    """p50/p95/max per kind of run, bytes received, and every error seen."""
    by_kind: dict[str, list[Run]] = {}
    for s in students:
        for r in s.runs:
            by_kind.setdefault(r.kind, []).append(r)
    kinds = {}
    for kind, runs in by_kind.items():
        seconds = [r.seconds for r in runs]
        kinds[kind] = {
            "count": len(runs),
            "p50_s": _pct(seconds, 50),
            "p95_s": _pct(seconds, 95),
            "max_s": max(seconds),
            "kb_p50": statistics.median(r.received_bytes for r in runs) / 1e3,
        }
    moves = [r.seconds for s in students for r in s.runs if r.kind != "first load"]
    errors = [f"{s.name}, {r.kind}: {e}" for s in students for r in s.runs for e in r.errors] + [
        f"{s.name}: {f}" for s in students for f in s.failures
    ]
    return {
        "students": len(students),
        "kinds": kinds,
        "moves": {
            "count": len(moves),
            "p50_s": _pct(moves, 50),
            "p95_s": _pct(moves, 95),
            "max_s": max(moves) if moves else float("nan"),
        },
        "errors": errors,
    }


def print_report(report: dict[str, Any]) -> None:
    print(f"{'run':<14} {'count':>5} {'p50 s':>7} {'p95 s':>7} {'max s':>7} {'kB p50':>8}")
    for kind, k in report["kinds"].items():
        print(
            f"{kind:<14} {k['count']:>5} {k['p50_s']:>7.2f} {k['p95_s']:>7.2f} "
            f"{k['max_s']:>7.2f} {k['kb_p50']:>8.0f}"
        )
    m = report["moves"]
    print(
        f"{'all moves':<14} {m['count']:>5} {m['p50_s']:>7.2f} {m['p95_s']:>7.2f} {m['max_s']:>7.2f}"
    )
    if "memory" in report:
        mem = report["memory"]
        print(
            f"server memory: {mem['before_mb']:.0f} MB before, {mem['peak_mb']:.0f} MB peak, "
            f"{mem['after_mb']:.0f} MB after ({mem['processes']} process(es))"
        )
    if "hostile" in report:
        print(f"hostile students: {report['hostile']}")
    print(f"students per worker: {report['per_worker']}")
    print(f"errors: {len(report['errors'])}")
    for e in report["errors"][:20]:
        print(f"  {e}")


# ----------------------------------------------------------------------------- runs


async def run_class(
    url: str,
    students: int,
    *,
    link: str = DEFAULT_LINK,
    seeds: str = "class",
    pause: tuple[float, float] = (1.0, 3.0),
    arrival: float = 1.0,
    rng_seed: int = 0,
    hostile: int = 0,
    pids: list[int] | None = None,
) -> dict[str, Any]:
    """Run the class script for ``students`` (plus ``hostile``) students; return the figures.

    Students arrive spread over ``arrival`` seconds (a class opening a link is
    not one instant); each then moves as the module docstring says.
    """
    base = url.rstrip("/")
    _check_loopback(base)
    if not 1 <= students + hostile <= MAX_STUDENTS:
        raise ValueError(f"between 1 and {MAX_STUDENTS} students")
    pids = server_pids(base) if pids is None else pids
    peak, stop = [rss_mb(pids)], asyncio.Event()
    before = peak[0]
    watcher = asyncio.create_task(_watch_memory(pids, peak, stop))
    rng = random.Random(rng_seed)

    async def arrive(i: int, is_hostile: bool) -> Student:
        await asyncio.sleep(rng.uniform(0, arrival))
        return await _student(base, i, link, seeds, pause, rng_seed, is_hostile)

    tasks = [arrive(i, False) for i in range(students)]
    tasks += [arrive(students + i, True) for i in range(hostile)]
    done = await asyncio.wait_for(asyncio.gather(*tasks), MAX_SECONDS)
    stop.set()
    await watcher
    report = summarise([s for s in done if not s.hostile])
    # A costly equation may be refused (an error box: expected); a lost connection may not.
    report["errors"] += [
        f"{s.name} (costly equation): {f}" for s in done if s.hostile for f in s.failures
    ]
    if hostile:
        report["hostile"] = [
            {"seconds": round(r.seconds, 2), "refused": bool(r.errors), "message": r.errors[:1]}
            for s in done
            if s.hostile
            for r in s.runs
        ]
    report["per_worker"] = dict(Counter(s.worker or "(one server)" for s in done))
    report["memory"] = {
        "processes": len(pids),
        "before_mb": before,
        "peak_mb": peak[0],
        "after_mb": rss_mb(pids),
    }
    return report


async def run_cycles(url: str, cycles: int, link: str = DEFAULT_LINK) -> dict[str, Any]:
    """Connect, load the first page, disconnect, ``cycles`` times; memory along the way."""
    base = url.rstrip("/")
    _check_loopback(base)
    if not 1 <= cycles <= MAX_CYCLES:
        raise ValueError(f"between 1 and {MAX_CYCLES:,} cycles")
    pids = server_pids(base)
    memory = [(0, rss_mb(pids))]
    errors: list[str] = []
    for i in range(1, cycles + 1):
        s = Student(base, f"visitor {i}")
        try:
            await s.connect(link)
            errors += [e for r in s.runs for e in r.errors]
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            await s.close()
        if i % 50 == 0 or i == cycles:
            memory.append((i, rss_mb(pids)))
    return {"cycles": cycles, "memory_mb": memory, "errors": errors, "processes": len(pids)}


#: The pages a single student visits in ``--pages`` mode (URL path, label).
PAGES = ("", "Data", "Models", "Interventions", "Invariance", "Builder")


async def run_pages(
    url: str, repeats: int = 5, query: str = "scenario=ldopa&n=2000&seed=0"
) -> dict[str, Any]:
    """One student alone: per page, the first load, warm reruns and new seeds.

    A warm rerun changes nothing (everything is cached); a new seed draws a
    sample nobody asked for before (seeds from a random start, so that a second
    run against the same server does not find them cached), so its models are fitted.
    """
    base = url.rstrip("/")
    _check_loopback(base)
    rows: dict[str, dict[str, float]] = {}
    errors: list[str] = []
    next_seed = random.SystemRandom().randrange(1000, 900_000)  # the lab allows up to 999,999
    for page in PAGES:
        s = Student(base, page or "Home")
        try:
            await s.connect(f"/{page}?{query}")
            for _ in range(repeats):
                await s.rerun()
            for _ in range(repeats):
                await s.new_seed(next_seed)
                next_seed += 1
        finally:
            await s.close()
        errors += [f"{s.name}, {r.kind}: {e}" for r in s.runs for e in r.errors]
        row: dict[str, float] = {}
        for kind in ("first load", "warm rerun", "new seed"):
            runs = [r for r in s.runs if r.kind == kind]
            row[f"{kind} p50_ms"] = 1000 * _pct([r.seconds for r in runs], 50)
            row[f"{kind} max_ms"] = 1000 * max(r.seconds for r in runs)
            row[f"{kind} kB"] = statistics.median(r.received_bytes for r in runs) / 1e3
        rows[s.name] = row
    return {"pages": rows, "errors": errors}


def print_pages(report: dict[str, Any]) -> None:
    print(
        f"{'page':<14} {'first load':>11} {'warm p50':>9} {'warm max':>9} {'seed p50':>9} "
        f"{'seed max':>9} {'kB/run':>7}"
    )
    for page, r in report["pages"].items():
        print(
            f"{page:<14} {r['first load p50_ms']:>9.0f}ms {r['warm rerun p50_ms']:>7.0f}ms "
            f"{r['warm rerun max_ms']:>7.0f}ms {r['new seed p50_ms']:>7.0f}ms "
            f"{r['new seed max_ms']:>7.0f}ms {r['warm rerun kB']:>7.0f}"
        )
    print(f"errors: {len(report['errors'])}")
    for e in report["errors"][:20]:
        print(f"  {e}")


async def run_warm(url: str, worlds: list[str] | None = None) -> dict[str, Any]:
    """Open every page of every world once, and every preset, at the default settings.

    What a class opens first is then already computed (fits, figures) when the
    first student asks: ``scripts/serve.sh`` runs this on each worker before the
    balancer lets anyone in. Returns the seconds it took and the errors seen.
    """
    base = url.rstrip("/")
    _check_loopback(base)
    if worlds is None:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from lib.world.scenarios import list_scenarios

        worlds = list_scenarios()
    started = time.perf_counter()
    errors: list[str] = []
    for world in worlds:
        for page in PAGES:
            s = Student(base, f"{world} {page or 'Home'}")
            try:
                await s.connect(f"/{page}?scenario={world}")
                if page == "Interventions":
                    options, current = s.presets()
                    for option in options:
                        if option != current:
                            await s.choose_preset(option, kind="preset")
            except Exception as exc:
                errors.append(f"{s.name}: {type(exc).__name__}: {exc}")
            finally:
                await s.close()
            errors += [f"{s.name}, {r.kind}: {e}" for r in s.runs for e in r.errors]
    return {"seconds": time.perf_counter() - started, "errors": errors}


def _bounded(coro: Any) -> dict[str, Any]:
    """Run one mode, stopped after :data:`MAX_SECONDS` whatever happens."""
    return asyncio.run(asyncio.wait_for(coro, MAX_SECONDS))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", default="http://127.0.0.1:8501")
    p.add_argument("--students", type=int, default=10)
    p.add_argument("--link", default=DEFAULT_LINK, help="the page and query the class opens")
    p.add_argument("--seeds", choices=("class", "random"), default="class")
    p.add_argument("--arrival", type=float, default=1.0, help="seconds over which students arrive")
    p.add_argument("--hostile", type=int, default=0, help="students with a costly equation")
    p.add_argument("--cycles", type=int, default=0, help="measure memory over N connect cycles")
    p.add_argument("--pages", action="store_true", help="one student, every page's timings")
    p.add_argument("--warm", action="store_true", help="open every page of every world once")
    p.add_argument("--repeats", type=int, default=5, help="runs per page in --pages")
    p.add_argument("--rng-seed", type=int, default=0)
    p.add_argument("--pid", type=int, action="append", help="server process to watch")
    p.add_argument("--json", type=Path, help="write the figures to this file")
    args = p.parse_args(argv)
    if args.warm:
        report = _bounded(run_warm(args.url))
        print(f"warmed {args.url} in {report['seconds']:.1f} s; errors: {len(report['errors'])}")
        for e in report["errors"][:20]:
            print(f"  {e}")
    elif args.pages:
        report = _bounded(run_pages(args.url, args.repeats))
        print_pages(report)
    elif args.cycles:
        report = _bounded(run_cycles(args.url, args.cycles, args.link))
        for i, mb in report["memory_mb"]:
            print(f"after {i:>4} cycles: {mb:7.0f} MB")
        print(f"errors: {len(report['errors'])}")
    else:
        report = _bounded(
            run_class(
                args.url,
                args.students,
                link=args.link,
                seeds=args.seeds,
                arrival=args.arrival,
                rng_seed=args.rng_seed,
                hostile=args.hostile,
                pids=args.pid,
            )
        )
        print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
