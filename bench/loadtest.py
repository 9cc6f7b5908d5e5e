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

``--explore`` makes the class a room that explores instead: students arrive
over 10 s (``--arrival``), open the link, then each makes five moves drawn at
random (:func:`explore_moves`): a new seed of their own, never another
student's (the *Network seed* on Black box, the sidebar's *Seed* elsewhere), a
page change to any page of the menu, or, on Interventions, another preset.
Both kinds of class run the same code; only their moves and arrival differ.

Some sections are computed only when the browser shows them: an
``st.expander(..., on_change="rerun", key="lab_open_...")``, closed at first.
After each run the client opens every such section the run drew closed, in one
rerun (the expander's widget state set to ``bool_value`` true), as a browser
does when the reader scrolls to them; a move is timed for its "first screen"
(the run it asked for) and its "whole page" (with those reruns). On a page
without lazy sections both are the same and nothing more is sent.

``--pages`` has one student alone visit every page: first load, warm reruns and
new seeds, each timed and charged with the server's CPU meanwhile (user +
system time of the server at ``--url`` from /proc, or of ``--pid``), medians
over ``--repeats``, for the first screen and the whole page, and the ratio of
a new seed's CPU to a warm rerun's: what a new view costs in redraws of the page.

``--live`` plays a live class instead (:func:`run_live`): the load client opens
the class store itself (``--store``, by default the servers' own
``LAB_CLASS_STORE`` or ``.streamlit/live.toml``) and plays the teacher through
it: start, move, reveal, close (one teacher costs nothing measurable). Each
student opens ``/Class?code=...`` (its "join", timed like a first load), then
behaves like a browser: it reruns the page's polling fragment at the interval
the server asks for (``auto_rerun``), reads each full run the fragment triggers,
and answers each question 1-5 s after it appears ("answer": from the widget's
message to ``script_finished``). "follow" is from the moment the teacher's call
to the store returned to the end of the student's full run that shows the new
step ("follow (move)") or the revealed answer ("follow (reveal)").

The client talks to the loopback interface only, and is bounded: at most
:data:`MAX_STUDENTS` students and :data:`MAX_SECONDS` seconds per run.

Run (after ``streamlit run app.py`` or ``scripts/serve.sh --workers 2``)::

    python bench/loadtest.py --url http://127.0.0.1:8501 --students 25
    python bench/loadtest.py --url http://127.0.0.1:8501 --students 60 --live
    python bench/loadtest.py --url http://127.0.0.1:8501 --pages --repeats 5
    python bench/loadtest.py --url http://127.0.0.1:8501 --students 25 --explore

It prints p50/p95/max per kind of move (first screen and whole page), the
errors, the first-load times, the bytes each move receives, the servers' CPU
over the class and their memory (``--pid``, or every local
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
from collections import Counter, deque
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
#: Moves a student makes in ``--explore``, and the seconds over which students arrive.
EXPLORE_MOVES = 5
EXPLORE_ARRIVAL = 10.0
#: Longest one script run may take before the client counts it as an error.
RUN_TIMEOUT = 120.0

#: A section computed only when the browser shows it: an ``st.expander`` with
#: ``on_change="rerun"`` and a key starting with this, closed at first. The client
#: opens each one the first screen drew closed, as a browser does when the reader
#: scrolls to it.
LAZY_PREFIX = "lab_open_"
#: Most reruns that open lazy sections after one move (a section opened may hold more).
MAX_OPENINGS = 5

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


def lazy_key(widget_id: str) -> str:
    """The user's key in a widget id (Streamlit writes ``$$ID-<hash>-<key>``) when it
    is a lazy section's (it starts with :data:`LAZY_PREFIX`), else ""."""
    key = widget_id.split("-", 2)[-1] if widget_id.startswith("$$ID-") else ""
    return key if key.startswith(LAZY_PREFIX) else ""


def rerun_message(
    query: str,
    page_hash: str = "",
    page_name: str = "",
    widgets: Sequence[tuple[str, str, Any]] = (),
    fragment_id: str = "",
) -> BackMsg:
    """The ``BackMsg`` a browser sends for a rerun: the page (its script hash, or its
    name in the URL), the query string, and the widgets whose value changed (id,
    value field, value; an expander opened is ``bool_value`` True). Widgets not named
    keep the value the server holds. With ``fragment_id`` (a widget drawn inside a
    fragment changed) the server reruns that fragment only."""
    msg = BackMsg()
    state = msg.rerun_script
    state.query_string = query
    state.page_script_hash = page_hash
    state.page_name = page_name
    state.fragment_id = fragment_id
    for widget_id, value_field, value in widgets:
        ws = state.widget_states.widgets.add()
        ws.id = widget_id
        setattr(ws, value_field, value)
    return msg


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
    """One script run as the client saw it.

    ``seconds`` and ``cpu_s`` are the first screen: the run the move asked for.
    ``whole_seconds`` and ``whole_cpu_s`` are the whole page: that run and the
    ``openings`` reruns that opened its lazy sections (:data:`LAZY_PREFIX`), the
    same as the first screen when it had none closed. The CPU is the server's
    (its processes' user + system time from /proc) while the client waited, NaN
    when the student does not watch the server (in a class, runs overlap).
    """

    kind: str
    seconds: float
    received_bytes: int
    errors: list[str]
    cpu_s: float = float("nan")
    whole_seconds: float = float("nan")
    whole_cpu_s: float = float("nan")
    openings: int = 0

    def __post_init__(self) -> None:
        if self.whole_seconds != self.whole_seconds:  # NaN: the first screen is the page
            self.whole_seconds = self.seconds
        if self.whole_cpu_s != self.whole_cpu_s:
            self.whole_cpu_s = self.cpu_s


@dataclass
class Student:
    """One browser: cookies, a websocket, and what the last run drew."""

    base: str
    name: str
    hostile: bool = False
    #: The server processes whose CPU each run is charged with (one student alone),
    #: or None: not measured.
    pids: list[int] | None = None
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
    #: The lazy sections the last run drew: expander widget id -> (drawn open, the
    #: fragment that drew it, "" outside any).
    _lazy: dict[str, tuple[bool, str]] = field(default_factory=dict)
    #: Whether the run awaited is a fragment's (its end is a fragment run's end).
    _fragment_run: bool = False
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
        cookies = {c.name: c.value or "" for c in jar}
        self.worker = cookies.get(BALANCER_COOKIE, "")
        header = "; ".join(f"{k}={v}" for k, v in cookies.items())
        return header, cookies.get("_streamlit_xsrf", "")

    async def connect(self, link: str) -> None:
        """Open the link: page, cookies, websocket, and the first run (timed as one)."""
        started, cpu = time.perf_counter(), self._cpu()
        parts = urllib.parse.urlsplit(link)
        await self._open(parts.path or "/")
        self._finished = asyncio.Queue()
        self._reader = asyncio.create_task(self._read())
        page = parts.path.strip("/")
        await self._run("first load", parts.query, page_name=page, started=(started, cpu))

    async def _open(self, path: str) -> None:
        """Fetch the page like a browser (cookies) and open the websocket."""
        cookie, xsrf = await asyncio.to_thread(self._fetch_page, path)
        ws_url = self.base.replace("http", "ws", 1) + "/_stcore/stream"
        protocols = ["streamlit", xsrf or "PLACEHOLDER_AUTH_TOKEN"]
        self._ws = await websockets.connect(
            ws_url,
            subprotocols=protocols,  # type: ignore[arg-type]
            additional_headers={"Cookie": cookie, "Origin": self.base} if cookie else None,
            max_size=None,
            open_timeout=RUN_TIMEOUT,
        )

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
                elif what == "delta" and msg.delta.WhichOneof("type") == "add_block":
                    self._see_block(msg.delta.add_block, msg.delta.fragment_id)
                elif what == "page_info_changed":
                    self._query = msg.page_info_changed.query_string
                elif what == "navigation":
                    self._page_hash = msg.navigation.page_script_hash
                elif what == "script_finished":
                    status = _FINISHED.get(msg.script_finished)
                    if (
                        self._fragment_run
                        and msg.script_finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
                    ):
                        status = "ok"
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

    def _see_block(self, block: Any, fragment_id: str = "") -> None:
        """Note a lazy section: a stateful expander (it has a widget id) whose key
        starts with :data:`LAZY_PREFIX`, whether the run drew it open, and the
        fragment that drew it ("" outside any)."""
        if block.WhichOneof("type") != "expandable":
            return
        widget_id = block.expandable.id
        if widget_id and lazy_key(widget_id):
            self._lazy[widget_id] = (block.expandable.expanded, fragment_id)

    def closed_sections(self) -> list[str]:
        """The widget ids of the lazy sections the last run drew closed."""
        return [widget_id for widget_id, (expanded, _) in self._lazy.items() if not expanded]

    def _cpu(self) -> float:
        """The watched server processes' CPU seconds so far (NaN when not watched)."""
        if not self.pids:
            return float("nan")
        return sum(cpu_seconds(self.pids).values())

    # ------------------------------------------------------------------ runs

    async def _run(
        self,
        kind: str,
        query: str,
        *,
        page_hash: str = "",
        page_name: str = "",
        widgets: Sequence[tuple[str, str, Any]] = (),
        started: tuple[float, float] | None = None,
    ) -> None:
        """Ask for a run and wait for it; then open the lazy sections it drew closed
        (:meth:`_open_sections`), as a browser does when they scroll into view.

        ``started`` is when the move began (``time.perf_counter()``, and the
        server's CPU seconds then), by default now.
        """
        began, cpu = (time.perf_counter(), self._cpu()) if started is None else started
        status = await self._rerun_and_wait(query, page_hash, page_name, widgets)
        errors = list(self._errors)
        if status != "ok":
            errors.append(status)
        run = Run(kind, time.perf_counter() - began, self._bytes, errors, self._cpu() - cpu)
        self.runs.append(run)
        if status.startswith(("connection closed", "no answer")):
            raise ConnectionError(status)
        if status == "ok":
            await self._open_sections(run, began, cpu)

    async def _open_sections(self, run: Run, began: float, cpu: float) -> None:
        """Open every lazy section the page drew closed, as a browser does when the
        reader reaches it: a section drawn inside a fragment reruns only that
        fragment, one rerun each; those outside any fragment open together in one
        rerun of the page (a section opened may draw more of them: up to
        :data:`MAX_OPENINGS` rounds). The whole page's time and CPU go to ``run``.
        Nothing happens on a page without any."""
        for _ in range(MAX_OPENINGS):
            closed = self.closed_sections()
            if not closed:
                break
            by_fragment: dict[str, list[str]] = {}
            for widget_id in closed:
                by_fragment.setdefault(self._lazy[widget_id][1], []).append(widget_id)
            for fragment_id, ids in by_fragment.items():
                for widget_id in ids:  # the fragment's run draws them again, open
                    del self._lazy[widget_id]
                status = await self._rerun_and_wait(
                    self._query,
                    self._page_hash,
                    "",
                    [(w, "bool_value", True) for w in ids],
                    fragment_id=fragment_id,
                )
                run.openings += 1
                run.received_bytes += self._bytes
                run.errors += self._errors
                if status != "ok":
                    run.errors.append(f"opening its lazy sections: {status}")
                    if status.startswith(("connection closed", "no answer")):
                        raise ConnectionError(status)
                    break
            else:
                continue
            break
        else:
            if self.closed_sections():
                run.errors.append(f"lazy sections still closed after {MAX_OPENINGS} reruns")
        if run.openings:
            run.whole_seconds = time.perf_counter() - began
            run.whole_cpu_s = self._cpu() - cpu

    async def _rerun_and_wait(
        self,
        query: str,
        page_hash: str,
        page_name: str,
        widgets: Sequence[tuple[str, str, Any]],
        fragment_id: str = "",
    ) -> str:
        """Send one rerun (``widgets``: their id, value field and new value; with
        ``fragment_id``, of that fragment only) and wait for its ``script_finished``;
        return its status ("ok", or what went wrong). A fragment's run redraws only
        the fragment, so what the client knows of the rest of the page stays."""
        assert self._finished is not None
        msg = rerun_message(query, page_hash, page_name, widgets, fragment_id)
        self._query = query
        self._errors, self._bytes = [], 0
        self._fragment_run = bool(fragment_id)
        if not fragment_id:
            self._widgets, self._links, self._lazy = {}, {}, {}
        await self._ws.send(msg.SerializeToString())
        try:
            return await asyncio.wait_for(self._finished.get(), RUN_TIMEOUT)
        except TimeoutError:
            return f"no answer within {RUN_TIMEOUT:g} s"

    def _check(self, ok: bool, problem: str) -> None:
        """Count a move that did not do what it should as an error of that move."""
        if not ok and self.runs:
            self.runs[-1].errors.append(problem)

    async def new_seed(self, seed: int, label: str = "Seed") -> None:
        """Type ``seed`` into the number input ``label`` (the sidebar's seed by default)."""
        _, body = self._widgets[label]
        field_name = "int_value" if body.data_type == NumberInput.INT else "double_value"
        await self._run(
            "new seed",
            self._query,
            page_hash=self._page_hash,
            widgets=[(body.id, field_name, seed)],
        )
        shown = self._widgets.get(label, ("", None))[1]
        self._check(shown is not None and shown.value == seed, f"the seed did not become {seed}")

    async def rerun(self) -> None:
        """Run the page again with nothing changed (what the browser's *Rerun* does)."""
        await self._run("warm rerun", self._query, page_hash=self._page_hash)

    async def go_to(self, page: str) -> None:
        """Follow the link labelled ``page`` that the page drew; without one, ask for
        the page by its name in the URL (:data:`MENU`), keeping the query, as the
        first run of a link does."""
        if page in self._links:
            page_hash, query = self._links[page]
            await self._run("page change", query, page_hash=page_hash)
            self._check(self._page_hash == page_hash, f"the page did not change to {page}")
            return
        before = self._page_hash
        await self._run("page change", self._query, page_name=MENU.get(page, page))
        self._check(self._page_hash != before, f"the page did not change to {page}")

    async def make(self, move: Move, rng: random.Random) -> None:
        """Make one move (its kind is the kind of its run)."""
        if move.kind == "new seed":
            await self.new_seed(move.seed, move.label)
        elif move.kind == "page change":
            await self.go_to(move.page)
        elif move.kind == "other preset":
            await self.other_preset(rng)
        else:
            raise ValueError(f"no such move: {move.kind!r}")

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


@dataclass(frozen=True)
class Move:
    """One move of a student's; its ``kind`` is the kind of the run it makes."""

    #: "new seed", "page change" or "other preset" (the Intervention radio).
    kind: str
    #: A page change: the label of the page's link (a key of :data:`MENU`).
    page: str = ""
    #: A new seed: the seed, and the number input it is typed into.
    seed: int = 0
    label: str = "Seed"

    def __str__(self) -> str:
        if self.kind == "new seed":
            return f"new seed {self.seed}" + ("" if self.label == "Seed" else f" ({self.label})")
        if self.kind == "page change":
            return f"page change to {self.page}"
        return self.kind


def class_moves(link: str, seeds: str, rng: random.Random) -> list[Move]:
    """The class's five moves (the module docstring): with ``seeds="class"`` the link's
    seed plus one and plus two, with ``"random"`` two seeds of the student's own."""
    start_seed = int(urllib.parse.parse_qs(urllib.parse.urlsplit(link).query).get("seed", ["0"])[0])
    seed_list = (
        [start_seed + 1, start_seed + 2]
        if seeds == "class"
        else [rng.randrange(1, 1_000_000) for _ in range(2)]
    )
    return [
        Move("new seed", seed=seed_list[0]),
        Move("page change", page="Models"),
        Move("new seed", seed=seed_list[1]),
        Move("page change", page="Interventions"),
        Move("other preset"),
    ]


def own_seed(rng: random.Random, index: int, students: int, top: int, used: set[int]) -> int:
    """A seed in 1..``top`` that no other student of ``students`` draws (student
    ``index`` draws among ``index + 1 + students * j`` only), at random, one this
    student has not had while any is left; at random in 1..``top`` when the range
    is too small for everyone to have seeds of their own."""
    choices = range(index + 1, top + 1, max(1, students))
    if not choices:
        seed = rng.randint(1, top)
    else:
        for _ in range(100):
            seed = rng.choice(choices)
            if seed not in used:
                break
    used.add(seed)
    return seed


def explore_moves(
    rng: random.Random, first_page: str, index: int, students: int, count: int = EXPLORE_MOVES
) -> list[Move]:
    """A student exploring on their own, from ``first_page`` (its name in the URL):
    ``count`` moves, each drawn uniformly among a new seed of their own (the page's
    own seed on a page of :data:`OWN_SEEDS`, else the sidebar's; never another
    student's: :func:`own_seed`), a page change to any other page of the menu
    (:data:`MENU`), and, on Interventions only, another preset."""
    page, moves, used = first_page, [], set[int]()
    for _ in range(count):
        kinds = ["new seed", "page change"] + (["other preset"] if page == "Interventions" else [])
        kind = rng.choice(kinds)
        if kind == "page change":
            label = rng.choice([name for name, path in MENU.items() if path != page])
            moves.append(Move(kind, page=label))
            page = MENU[label]
        elif kind == "new seed":
            label, top = OWN_SEEDS.get(page, ("Seed", MAX_SEED))
            moves.append(Move(kind, seed=own_seed(rng, index, students, top, used), label=label))
        else:
            moves.append(Move(kind))
    return moves


async def _student(
    base: str,
    index: int,
    link: str,
    moves: Sequence[Move],
    pause: tuple[float, float],
    rng: random.Random,
    hostile: bool,
) -> Student:
    """One student: open ``link``, then make ``moves`` with a pause drawn in ``pause``
    before each (a hostile student opens a costly equation instead, and stops)."""
    student = Student(base, f"student {index + 1}", hostile=hostile)
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
        for move in moves:
            await asyncio.sleep(rng.uniform(*pause))
            await student.make(move, rng)
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


def summarise(students: Sequence[Student]) -> dict[str, Any]:
    """p50/p95/max per kind of run, bytes received, and every error seen."""
    by_kind: dict[str, list[Run]] = {}
    for s in students:
        for r in s.runs:
            by_kind.setdefault(r.kind, []).append(r)
    kinds = {}
    for kind, runs in by_kind.items():
        seconds = [r.seconds for r in runs]
        whole = [r.whole_seconds for r in runs]
        kinds[kind] = {
            "count": len(runs),
            "p50_s": _pct(seconds, 50),
            "p95_s": _pct(seconds, 95),
            "max_s": max(seconds),
            "kb_p50": statistics.median(r.received_bytes for r in runs) / 1e3,
            # the whole page: with the reruns that opened its lazy sections
            "whole_p50_s": _pct(whole, 50),
            "whole_p95_s": _pct(whole, 95),
            "whole_max_s": max(whole),
            "opened": sum(1 for r in runs if r.openings),
        }
    moves = [r for s in students for r in s.runs if r.kind != "first load"]
    errors = [f"{s.name}, {r.kind}: {e}" for s in students for r in s.runs for e in r.errors] + [
        f"{s.name}: {f}" for s in students for f in s.failures
    ]
    return {
        "students": len(students),
        "kinds": kinds,
        "moves": _spread([r.seconds for r in moves]),
        "moves_whole": _spread([r.whole_seconds for r in moves]),
        "errors": errors,
    }


def _spread(seconds: list[float]) -> dict[str, Any]:
    return {
        "count": len(seconds),
        "p50_s": _pct(seconds, 50),
        "p95_s": _pct(seconds, 95),
        "max_s": max(seconds) if seconds else float("nan"),
    }


def print_report(report: dict[str, Any]) -> None:
    """The class's figures: per kind of run its first screen (p50, p95, max), the
    bytes, and its whole page (with the reruns that opened lazy sections; "opened":
    how many runs had some to open)."""
    print(
        f"{'run':<14} {'count':>5} {'p50 s':>7} {'p95 s':>7} {'max s':>7} {'kB p50':>8} | "
        f"{'whole p50':>9} {'p95':>6} {'max':>6} {'opened':>6}"
    )
    for kind, k in report["kinds"].items():
        print(
            f"{kind:<14} {k['count']:>5} {k['p50_s']:>7.2f} {k['p95_s']:>7.2f} "
            f"{k['max_s']:>7.2f} {k['kb_p50']:>8.0f} | {k['whole_p50_s']:>9.2f} "
            f"{k['whole_p95_s']:>6.2f} {k['whole_max_s']:>6.2f} {k['opened']:>6}"
        )
    m, w = report["moves"], report["moves_whole"]
    print(
        f"{'all moves':<14} {m['count']:>5} {m['p50_s']:>7.2f} {m['p95_s']:>7.2f} "
        f"{m['max_s']:>7.2f} {'':>8} | {w['p50_s']:>9.2f} {w['p95_s']:>6.2f} {w['max_s']:>6.2f}"
    )
    if "cpu" in report:
        cpu = report["cpu"]
        print(
            f"server CPU: {cpu['class_s']:.1f} s in {cpu['seconds']:.0f} s "
            f"({', '.join(f'{v:.1f}' for v in cpu['per_worker_s'].values())})"
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
    explore: bool = False,
) -> dict[str, Any]:
    """Run the class script for ``students`` (plus ``hostile``) students; return the figures.

    Students arrive spread over ``arrival`` seconds (a class opening a link is
    not one instant); each then moves as the module docstring says
    (:func:`class_moves`), or with ``explore`` as a student exploring alone
    (:func:`explore_moves`). The two differ in their moves only. The report
    holds each student's moves (``plans``) and the servers' CPU over the class.
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
    first_page = urllib.parse.urlsplit(link).path.strip("/")
    plans: dict[str, list[str]] = {}

    def plan(own: random.Random, i: int) -> list[Move]:
        if explore:
            return explore_moves(own, first_page, i, students)
        return class_moves(link, seeds, own)

    async def arrive(i: int, is_hostile: bool) -> Student:
        await asyncio.sleep(rng.uniform(0, arrival))
        own = random.Random(rng_seed * 1000 + i)
        moves = [] if is_hostile else plan(own, i)
        plans[f"student {i + 1}"] = [str(m) for m in moves]
        return await _student(base, i, link, moves, pause, own, is_hostile)

    tasks = [arrive(i, False) for i in range(students)]
    tasks += [arrive(students + i, True) for i in range(hostile)]
    started, cpu_start = time.perf_counter(), cpu_seconds(pids)
    done = await asyncio.wait_for(asyncio.gather(*tasks), MAX_SECONDS)
    seconds, cpu_spent = time.perf_counter() - started, _spent(cpu_start, cpu_seconds(pids))
    stop.set()
    await watcher
    report = summarise([s for s in done if not s.hostile])
    report["mode"] = "explore" if explore else "class"
    report["rng_seed"] = rng_seed
    report["plans"] = {name: plans[name] for name in sorted(plans, key=lambda n: int(n.split()[1]))}
    report["cpu"] = {
        "seconds": seconds,
        "class_s": sum(cpu_spent.values()),
        "per_worker_s": {str(p): c for p, c in cpu_spent.items()},
    }
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
PAGES = ("", "Data", "Models", "Interventions", "Invariance", "Attribution", "Black_box", "Builder")
#: The pages of the menu: the label of each one's link, and its name in the URL.
MENU = {(page.replace("_", " ") or "Home"): page for page in PAGES}
#: Pages whose "new seed" is a seed of their own (widget label, largest seed): the
#: Black box page trains a new network on one.
OWN_SEEDS = {"Black_box": ("Network seed", 99)}
#: The largest seed of the sidebar's *Seed*.
MAX_SEED = 999_999


async def run_pages(
    url: str,
    repeats: int = 5,
    query: str = "scenario=ldopa&n=2000&seed=0",
    pids: list[int] | None = None,
) -> dict[str, Any]:
    """One student alone: per page, the first load, warm reruns and new seeds.

    A warm rerun changes nothing (everything is cached); a new seed draws a
    sample nobody asked for before (seeds from a random start, so that a second
    run against the same server does not find them cached), so its models are fitted.
    Each run's wall time and the server's CPU meanwhile (``pids``, by default the
    server at ``url``: :func:`server_pids`) are taken for the first screen and for
    the whole page (with the reruns that open its lazy sections); medians over the
    ``repeats``, and the ratio of a new seed's CPU to a warm rerun's (:func:`cpu_ratio`).
    """
    base = url.rstrip("/")
    _check_loopback(base)
    pids = server_pids(base) if pids is None else pids
    rows: dict[str, dict[str, Any]] = {}
    errors: list[str] = []
    next_seed = random.SystemRandom().randrange(1000, 900_000)  # the lab allows up to 999,999
    for page in PAGES:
        s = Student(base, page or "Home", pids=pids)
        try:
            await s.connect(f"/{page}?{query}")
            for _ in range(repeats):
                await s.rerun()
            if page in OWN_SEEDS:  # seeds of its own, few: drawn at random among them
                label, top = OWN_SEEDS[page]
                for seed in random.SystemRandom().sample(range(1, top + 1), repeats):
                    await s.new_seed(seed, label)
            else:
                for _ in range(repeats):
                    await s.new_seed(next_seed)
                    next_seed += 1
        finally:
            await s.close()
        errors += [f"{s.name}, {r.kind}: {e}" for r in s.runs for e in r.errors]
        rows[s.name] = page_row(s.runs)
    return {"pages": rows, "errors": errors, "processes": len(pids)}


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def cpu_ratio(new_seed_cpu_s: float, warm_cpu_s: float) -> float | None:
    """A new view's cost in warm reruns: new seed CPU ÷ warm rerun CPU, or None when
    the warm rerun's CPU is not known or too small to measure (zero clock ticks)."""
    if not warm_cpu_s > 0 or new_seed_cpu_s != new_seed_cpu_s:
        return None
    return new_seed_cpu_s / warm_cpu_s


def page_row(runs: list[Run]) -> dict[str, Any]:
    """One page's figures in ``--pages``: per kind of run the wall time (p50, max) and
    the server's CPU (median), for the first screen and the whole page, the bytes,
    the reruns that opened lazy sections, and the new seed ÷ warm rerun CPU ratios."""
    row: dict[str, Any] = {}
    for kind in ("first load", "warm rerun", "new seed"):
        these = [r for r in runs if r.kind == kind]
        if not these:
            continue
        row[f"{kind} p50_ms"] = 1000 * _pct([r.seconds for r in these], 50)
        row[f"{kind} max_ms"] = 1000 * max(r.seconds for r in these)
        row[f"{kind} cpu_ms"] = 1000 * _median([r.cpu_s for r in these])
        row[f"{kind} whole p50_ms"] = 1000 * _pct([r.whole_seconds for r in these], 50)
        row[f"{kind} whole max_ms"] = 1000 * max(r.whole_seconds for r in these)
        row[f"{kind} whole cpu_ms"] = 1000 * _median([r.whole_cpu_s for r in these])
        row[f"{kind} openings"] = max(r.openings for r in these)
        row[f"{kind} kB"] = statistics.median(r.received_bytes for r in these) / 1e3
    if "warm rerun cpu_ms" in row and "new seed cpu_ms" in row:
        row["cpu ratio"] = cpu_ratio(row["new seed cpu_ms"], row["warm rerun cpu_ms"])
        row["whole cpu ratio"] = cpu_ratio(
            row["new seed whole cpu_ms"], row["warm rerun whole cpu_ms"]
        )
    return row


def _ms(value: float) -> str:
    return "-" if value != value else f"{value:.0f}"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def print_pages(report: dict[str, Any]) -> None:
    """The pages' table: wall times (ms), then the server's CPU (ms, medians) per warm
    rerun and per new seed and their ratio; "whole" adds the reruns that opened the
    page's lazy sections (the same as the first screen on a page without any)."""
    print(
        f"{'page':<14} {'first load':>10} {'warm p50':>8} {'warm max':>8} {'seed p50':>8} "
        f"{'seed max':>8} {'kB/run':>6} | {'warm cpu':>8} {'seed cpu':>8} {'ratio':>5} | "
        f"{'whole: warm':>11} {'seed':>6} {'warm cpu':>8} {'seed cpu':>8} {'ratio':>5} "
        f"{'opened':>6}"
    )
    for page, r in report["pages"].items():
        print(
            f"{page:<14} {_ms(r['first load p50_ms']):>10} {_ms(r['warm rerun p50_ms']):>8} "
            f"{_ms(r['warm rerun max_ms']):>8} {_ms(r['new seed p50_ms']):>8} "
            f"{_ms(r['new seed max_ms']):>8} {r['warm rerun kB']:>6.0f} | "
            f"{_ms(r['warm rerun cpu_ms']):>8} {_ms(r['new seed cpu_ms']):>8} "
            f"{_ratio(r['cpu ratio']):>5} | {_ms(r['warm rerun whole p50_ms']):>11} "
            f"{_ms(r['new seed whole p50_ms']):>6} {_ms(r['warm rerun whole cpu_ms']):>8} "
            f"{_ms(r['new seed whole cpu_ms']):>8} {_ratio(r['whole cpu ratio']):>5} "
            f"{max(r['warm rerun openings'], r['new seed openings']):>6}"
        )
    print(
        f"(ms; CPU: the server's {report.get('processes', '?')} process(es), user + system, "
        "medians; ratio: new seed CPU ÷ warm rerun CPU)"
    )
    print(f"errors: {len(report['errors'])}")
    for e in report["errors"][:20]:
        print(f"  {e}")


async def run_warm(url: str, worlds: list[str] | None = None) -> dict[str, Any]:
    """Open every page of every world once, and every preset, at the default settings,
    then every built-in lesson step's view (:func:`lesson_views`).

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
    for link in lesson_views():  # what a lesson's reveal reads, in class all at once
        s = Student(base, f"lesson view {link}")
        try:
            await s.connect(link)
        except Exception as exc:
            errors.append(f"{s.name}: {type(exc).__name__}: {exc}")
        finally:
            await s.close()
        errors += [f"{s.name}, {r.kind}: {e}" for r in s.runs for e in r.errors]
    return {"seconds": time.perf_counter() - started, "errors": errors}


def lesson_views() -> list[str]:
    """Every built-in lesson step's view, as the link of its page (``/Invariance?...``):
    opening it computes what the step's reveal shows (the same caches)."""
    _lab_on_path()
    from lib.teach.lessons import list_lessons, load_lesson

    links = []
    for name in list_lessons():
        lesson = load_lesson(name)
        for i, step in enumerate(lesson.steps):
            links.append(f"/{step.page}?{urllib.parse.urlencode(lesson.view(i))}")
    return list(dict.fromkeys(links))


# ----------------------------------------------------------------------------- a live class

#: A student that shows the teacher's move or reveal later than this (s) did not follow.
FOLLOW_TIMEOUT = 10.0
#: The Live class page's watchdog (``STALE_S`` in lib/ui/live_views.py): after this
#: many seconds without a run while nothing runs, the page presses its hidden
#: refresh button. Each student here does the same.
WATCH_STALE_S = 6.0
#: How long the teacher waits for every answer to a question (s).
ANSWER_TIMEOUT = 30.0
#: A student answers a question this long after it appears (s, uniform).
ANSWER_PAUSE = (1.0, 5.0)
#: What the Live class page says (lib/ui/live_views.py) when an answer was taken or
#: refused, and when the class has ended.
_ANSWER_IN = "Your answer is in"
_ANSWER_REFUSED = "Your answer was not taken"
_CLASS_ENDED = "This class has ended"
_REPO = Path(__file__).resolve().parents[1]


def _lab_on_path() -> None:
    if str(_REPO) not in sys.path:
        sys.path.insert(0, str(_REPO))


def default_store() -> str:
    """The store the servers use: ``LAB_CLASS_STORE``, ``.streamlit/live.toml``, or the
    default SQLite file (the lab's own settings, read the same way)."""
    _lab_on_path()
    from lib.live.settings import DEFAULT_PATH, load_settings

    return load_settings(_REPO / DEFAULT_PATH, os.environ).url


def _check_store(url: str) -> None:
    """A SQLite file, or PostgreSQL on this machine: the load client stays local."""
    _lab_on_path()
    from lib.live.store import store_kind

    if store_kind(url) == "postgresql":
        host = urllib.parse.urlsplit(url).hostname or ""
        if host and host != "localhost":
            try:
                if not ipaddress.ip_address(host).is_loopback:
                    raise ValueError
            except ValueError:
                raise SystemExit(
                    f"the load test uses a store on this machine only, not on {host!r}"
                ) from None


@dataclass
class Screen:
    """What one full run of the Live class page drew."""

    headings: list[str] = field(default_factory=list)
    markdown: set[str] = field(default_factory=set)
    answered: bool = False
    refused: str = ""
    ended: bool = False


def _detail(msg: ForwardMsg, what: str) -> str:
    if what == "new_session":
        return ",".join(f[:8] for f in msg.metadata.run.fragment_ids) or "full"
    if what == "script_finished":
        return ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
    if what == "delta" and msg.delta.WhichOneof("type") == "new_element":
        element = msg.delta.new_element
        kind = element.WhichOneof("type") or ""
        return f"{kind}: {getattr(getattr(element, kind), 'body', '')}"[:60]
    return ""


@dataclass(frozen=True)
class LiveLesson:
    """What the load client needs of a lesson: its headings and its questions."""

    name: str
    title: str
    #: Per step 1..N, the question's text and kind ("choice", "number", "set"), or None.
    questions: tuple[tuple[str, str] | None, ...]

    @classmethod
    def load(cls, name: str) -> LiveLesson:
        _lab_on_path()
        from lib.teach.lessons import load_lesson

        lesson = load_lesson(name)
        questions = tuple(
            None if s.predict is None else (s.predict.question, s.predict.kind)
            for s in lesson.steps
        )
        return cls(lesson.id, lesson.title, questions)

    @property
    def steps(self) -> int:
        return len(self.questions)

    def question(self, step: int) -> tuple[str, str] | None:
        return self.questions[step - 1] if 1 <= step <= self.steps else None

    def step_of(self, screen: Screen) -> int | None:
        """The step a screen shows (its heading, as lib/ui/live_views.py writes it)."""
        for heading in screen.headings:
            if heading == self.title:
                return 0
            if heading == f"{self.title}: the end":
                return self.steps + 1
            number, dot, _ = heading.partition(" · ")
            if dot and number.isdigit():
                return int(number)
        return None

    def revealed(self, screen: Screen, step: int) -> bool:
        """Whether a screen shows step ``step``'s answer (its question, in bold, above it)."""
        q = self.question(step)
        return q is not None and f"**{q[0]}**" in screen.markdown


@dataclass
class LiveStudent(Student):
    """A phone in a live class: it polls like a browser and reads every full run."""

    #: Fragment reruns this student sent (the browser's timer) and the server ran.
    polls_sent: int = 0
    polls_run: int = 0
    #: Full runs finished, and what the last one drew and when.
    full_runs: int = 0
    screen: Screen = field(default_factory=Screen)
    screen_at: float = 0.0
    lost: str = ""
    #: The teacher's moves this student is through ((kind, step)) and the steps it answered.
    through: set[tuple[str, int]] = field(default_factory=set)
    answered: set[int] = field(default_factory=set)
    _step_hint: int | None = None
    #: The last messages sent and received (time, type, detail), for a student in trouble,
    #: and the trace at each answer that was not shown.
    trace: deque[tuple[float, str, str]] = field(default_factory=lambda: deque(maxlen=60))
    troubles: list[list[tuple[float, str, str]]] = field(default_factory=list)
    #: Full runs whose ``script_finished`` never came (the next run started instead).
    unfinished_runs: int = 0
    #: Times the page's watchdog pressed the refresh button (no run for WATCH_STALE_S).
    refreshes: int = 0
    _heard: float = 0.0
    _watchdog: asyncio.Task[None] | None = None
    _drawing: Screen = field(default_factory=Screen)
    _full: bool = True
    _drawing_full: bool = False
    _cond: asyncio.Condition | None = None
    _timers: dict[str, tuple[float, asyncio.Task[None]]] = field(default_factory=dict)
    #: Widget states the browser holds (id -> field, value), sent with every rerun.
    _states: dict[str, tuple[str, Any]] = field(default_factory=dict)

    async def join(self, link: str) -> None:
        """Open the class's link (timed as "join", like a first load)."""
        started = time.perf_counter()
        parts = urllib.parse.urlsplit(link)
        await self._open(parts.path)
        self._cond = asyncio.Condition()
        self._reader = asyncio.create_task(self._read())
        self._query = parts.query
        await self._send(page_name=parts.path.strip("/"))
        at = await self._wait(lambda s: True, after=0, timeout=RUN_TIMEOUT)
        self._record("join", at - started)
        self._watchdog = asyncio.create_task(self._watch())

    async def close(self) -> None:
        self._stop_timers()
        if self._watchdog is not None:
            self._watchdog.cancel()
        await super().close()

    async def _watch(self) -> None:
        """What the page's watchdog does in a browser (lib/ui/live_views.py): when no run
        has finished for :data:`WATCH_STALE_S` seconds and none is drawing the page,
        press the hidden refresh button (a full run, which sets the timers again)."""
        with contextlib.suppress(websockets.ConnectionClosed):
            while True:
                await asyncio.sleep(1.0)
                stale = time.perf_counter() - self._heard > WATCH_STALE_S
                found = self._widgets.get("Refresh")
                if stale and not self._drawing_full and found is not None:
                    self.refreshes += 1
                    self._heard = time.perf_counter()
                    self.trace.append((round(self._heard, 3), "watchdog", "refresh"))
                    await self._send(trigger=found[1].id)

    # ------------------------------------------------------------------ the wire

    async def _send(self, *, fragment_id: str = "", page_name: str = "", trigger: str = "") -> None:
        self.trace.append((round(time.perf_counter(), 3), "sent rerun", fragment_id[:8]))
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self._query
        state.page_script_hash = self._page_hash
        state.page_name = page_name
        if fragment_id:
            state.fragment_id = fragment_id
            state.is_auto_rerun = True
        for widget_id, (value_field, value) in self._states.items():
            ws = state.widget_states.widgets.add()
            ws.id = widget_id
            setattr(ws, value_field, value)
        if trigger:  # a button press, sent once
            ws = state.widget_states.widgets.add()
            ws.id = trigger
            ws.trigger_value = True
        await self._ws.send(msg.SerializeToString())

    async def _read(self) -> None:
        assert self._cond is not None
        try:
            async for raw in self._ws:
                self._bytes += len(raw)
                msg = ForwardMsg()
                msg.ParseFromString(raw)
                what = msg.WhichOneof("type")
                self.trace.append(
                    (round(time.perf_counter(), 3), what or "", _detail(msg, what or ""))
                )
                if what == "new_session":
                    if self._full and self._drawing_full:
                        # A run starts before the full run drawing the page said it
                        # finished (Streamlit may drop that script_finished when a
                        # fragment rerun comes right after it): the browser shows what
                        # it drew, and so does this student.
                        self.unfinished_runs += 1
                        self._show()
                        async with self._cond:
                            self._cond.notify_all()
                    # A full run (no fragment ids): the browser drops its timers and
                    # the page's elements; the run asks for its timers again.
                    self._full = not msg.metadata.run.fragment_ids
                    self._drawing_full = self._full
                    if self._full:
                        self._stop_timers()
                        self._drawing, self._widgets, self._links = Screen(), {}, {}
                elif what == "delta" and msg.delta.WhichOneof("type") == "new_element":
                    self._see(msg.delta.new_element)
                elif what == "page_info_changed":
                    self._query = msg.page_info_changed.query_string
                elif what == "navigation":
                    self._page_hash = msg.navigation.page_script_hash
                elif what == "auto_rerun":
                    self._start_timer(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
                elif what == "stop_auto_rerun":
                    for fragment_id in msg.stop_auto_rerun.fragment_ids:
                        self._stop_timer(fragment_id)
                elif what == "script_finished":
                    await self._finish(msg.script_finished)
        except websockets.ConnectionClosed as exc:
            self.lost = f"connection closed ({exc.code})"
        finally:
            self._stop_timers()
            if not self.lost:
                self.lost = "connection closed"
            async with self._cond:
                self._cond.notify_all()

    def _see(self, element: Any) -> None:
        super()._see(element)
        kind = element.WhichOneof("type")
        body = getattr(element, kind)
        if kind == "heading":
            self._drawing.headings.append(body.body)
        elif kind == "markdown":
            self._drawing.markdown.add(body.body)
        elif kind == "alert":
            if body.body.startswith(_ANSWER_IN):
                self._drawing.answered = True
            elif body.body.startswith(_ANSWER_REFUSED):
                self._drawing.refused = " ".join(body.body.split())[:300]
            elif body.body.startswith(_CLASS_ENDED):
                self._drawing.ended = True

    async def _finish(self, status: int) -> None:
        assert self._cond is not None
        self._heard = time.perf_counter()
        if status == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
            self.polls_run += 1
        elif status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
            self._errors.append("compile error")
        elif status == ForwardMsg.FINISHED_SUCCESSFULLY and self._full and self._drawing_full:
            self._show()
        elif status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            self._drawing_full = False  # stopped half-way: the next run draws the page
        if self._errors:  # an error box or a traceback, in any run
            where = f"step {self._step_hint}" if self._step_hint is not None else "a run"
            self.failures += [f"{where}: {e}" for e in self._errors]
            self._errors = []
        async with self._cond:
            self._cond.notify_all()

    def _show(self) -> None:
        """The full run being drawn is the screen now."""
        self._drawing_full = False
        self.full_runs += 1
        self.screen, self.screen_at = self._drawing, time.perf_counter()
        # The browser forgets the state of widgets no longer on the page.
        shown = {body.id for _, body in self._widgets.values()}
        self._states = {k: v for k, v in self._states.items() if k in shown}

    # ------------------------------------------------------------------ the fragment's timer

    def _start_timer(self, fragment_id: str, interval: float) -> None:
        """What the browser does with ``auto_rerun``: rerun the fragment every ``interval`` s
        (a timer already running at that interval goes on)."""
        running = self._timers.get(fragment_id)
        if running is not None and running[0] == interval:
            return
        self._stop_timer(fragment_id)
        task = asyncio.create_task(self._poll(fragment_id, interval))
        self._timers[fragment_id] = (interval, task)

    async def _poll(self, fragment_id: str, interval: float) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            while True:
                await asyncio.sleep(interval)
                self.polls_sent += 1
                await self._send(fragment_id=fragment_id)

    def _stop_timer(self, fragment_id: str) -> None:
        running = self._timers.pop(fragment_id, None)
        if running is not None:
            running[1].cancel()

    def _stop_timers(self) -> None:
        for fragment_id in list(self._timers):
            self._stop_timer(fragment_id)

    # ------------------------------------------------------------------ what a student does

    async def _wait(self, ok: Any, *, after: int, timeout: float) -> float:
        """When the first full run after the ``after``-th that satisfies ``ok`` finished."""
        assert self._cond is not None
        deadline = time.perf_counter() + timeout
        async with self._cond:
            while not (self.full_runs > after and ok(self.screen)):
                if self.lost:
                    raise ConnectionError(self.lost)
                left = deadline - time.perf_counter()
                if left <= 0:
                    raise TimeoutError
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._cond.wait(), left)
        return self.screen_at

    def _record(self, kind: str, seconds: float, errors: list[str] | None = None) -> None:
        self.runs.append(Run(kind, max(0.0, seconds), self._bytes, errors or []))
        self._bytes = 0

    async def follow(self, kind: str, ok: Any, since: float) -> bool:
        """Wait until a full run shows what ``ok`` looks for; time it from ``since``."""
        try:
            at = await self._wait(ok, after=0, timeout=FOLLOW_TIMEOUT)
        except TimeoutError:
            self.failures.append(f"{kind}: did not follow within {FOLLOW_TIMEOUT:g} s")
            return False
        self._record(kind, at - since)
        return True

    async def answer(self, question: tuple[str, str], rng: random.Random) -> bool:
        """Answer the question shown (a random option or number); whether it was taken."""
        text, _ = question
        found = self._widgets.get(text)
        if found is None:
            self.failures.append(f"step {self._step_hint}: no answer widget")
            return False
        kind, body = found
        if kind == "radio":
            value_field, value = "string_value", rng.choice(list(body.options))
        elif kind == "number_input":
            low = body.min if body.has_min else 0.0
            high = min(body.max if body.has_max else low + 10.0, low + 10.0)
            if body.data_type == NumberInput.INT:
                value_field, value = "int_value", rng.randint(int(low), int(high))
            else:
                value_field, value = "double_value", round(rng.uniform(low, high), 1)
        else:
            self.failures.append(f"step {self._step_hint}: cannot answer a {kind}")
            return False
        self._states[body.id] = (value_field, value)
        before, started = self.full_runs, time.perf_counter()
        await self._send()
        try:
            at = await self._wait(
                lambda s: s.answered or bool(s.refused), after=before, timeout=FOLLOW_TIMEOUT
            )
        except TimeoutError:
            self._record(
                "answer", time.perf_counter() - started, [f"not shown within {FOLLOW_TIMEOUT:g} s"]
            )
            self.troubles.append(list(self.trace))
            return False
        refused = [self.screen.refused] if self.screen.refused else []
        self._record("answer", at - started, refused)
        return not refused


@dataclass(frozen=True)
class TeacherMove:
    """What the teacher just did (``move``, ``reveal``, ``close``) and when the store's
    call returned (``time.perf_counter()``)."""

    kind: str
    step: int
    at: float


async def _live_student(
    student: LiveStudent,
    code: str,
    lesson: LiveLesson,
    moves: asyncio.Queue[TeacherMove],
    delay: float,
    pause: tuple[float, float],
    rng: random.Random,
) -> None:
    """One student through the class: join, then follow every move of the teacher's
    (``moves``), answering each question; ``student.through`` says how far it got."""
    try:
        await asyncio.sleep(delay)
        try:
            await student.join(f"/Class?code={code}")
            if lesson.step_of(student.screen) != 0:
                student.failures.append("join: the class's first screen was not shown")
        finally:
            student.through.add(("join", 0))
        while True:
            move = await moves.get()
            student._step_hint = move.step
            try:
                if move.kind == "move":
                    followed = await student.follow(
                        "follow (move)",
                        lambda s, m=move: (
                            lesson.step_of(s) == m.step and not lesson.revealed(s, m.step)
                        ),
                        move.at,
                    )
                    question = lesson.question(move.step)
                    if followed and question is not None:
                        await asyncio.sleep(rng.uniform(*pause))
                        if await student.answer(question, rng):
                            student.answered.add(move.step)
                elif move.kind == "reveal":
                    await student.follow(
                        "follow (reveal)",
                        lambda s, m=move: (
                            lesson.step_of(s) == m.step and lesson.revealed(s, m.step)
                        ),
                        move.at,
                    )
                else:
                    await student.follow("follow (close)", lambda s: s.ended, move.at)
                    return
            finally:
                student.through.add((move.kind, move.step))
    except Exception as exc:  # one student's failure is a figure, not a crash
        student.failures.append(f"{type(exc).__name__}: {exc}")
    finally:
        await student.close()


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """CPU seconds (user + system) each process has used so far, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return found


def _spent(before: dict[int, float], after: dict[int, float]) -> dict[int, float]:
    return {pid: after[pid] - before.get(pid, 0.0) for pid in after}


async def run_live(
    url: str,
    students: int,
    store_url: str | None = None,
    *,
    lesson: str = "tylenol",
    arrival: float = 1.0,
    pause: tuple[float, float] = ANSWER_PAUSE,
    idle: float = 5.0,
    linger: tuple[float, float] = (1.5, 3.0),
    rng_seed: int = 0,
    pids: list[int] | None = None,
) -> dict[str, Any]:
    """A live class of ``students``; return the figures.

    The load client plays the teacher through the store (``store_url``, by default
    the servers' own: :func:`default_store`). Students arrive spread over ``arrival``
    seconds; once all are in, the class sits at its first screen for ``idle``
    seconds (what the servers spend then is the polling alone), then the teacher
    shows each step, waits for every answer to a question (at most
    :data:`ANSWER_TIMEOUT`), reveals it, waits until everyone follows and a random
    ``linger`` more (so that its next move falls anywhere in the students' polling
    second, as a teacher's does), shows the end and closes the class.
    """
    base = url.rstrip("/")
    _check_loopback(base)
    if not 1 <= students <= MAX_STUDENTS:
        raise ValueError(f"between 1 and {MAX_STUDENTS} students")
    store_url = store_url or default_store()
    _check_store(store_url)
    plan = LiveLesson.load(lesson)
    from lib.errors import ClassError
    from lib.live.store import open_store

    pids = server_pids(base) if pids is None else pids
    peak, stop = [rss_mb(pids)], asyncio.Event()
    memory_before = peak[0]
    watcher = asyncio.create_task(_watch_memory(pids, peak, stop))
    store = await asyncio.to_thread(open_store, store_url)
    rng = random.Random(rng_seed)
    queues: list[asyncio.Queue[TeacherMove]] = [asyncio.Queue() for _ in range(students)]
    crowd = [LiveStudent(base, f"student {i + 1}") for i in range(students)]
    steps: list[dict[str, Any]] = []
    phases: list[dict[str, Any]] = []
    errors: list[str] = []

    def call(what: str, *args: Any) -> Any:
        result = getattr(store, what)(*args)
        return result, time.perf_counter()  # when the teacher's call returned

    async def teacher(kind: str, step: int, *args: Any) -> None:
        _, at = await asyncio.to_thread(call, kind, code, token, *args)
        for q in queues:
            q.put_nowait(TeacherMove(kind, step, at))

    async def everyone(kind: str, step: int, timeout: float) -> None:
        """Wait until every student still in the class is through ``kind`` at ``step``;
        note how long it took and the workers' CPU meanwhile."""
        began, cpu = time.perf_counter(), cpu_seconds(pids)
        deadline = began + timeout
        while time.perf_counter() < deadline and not all(
            (kind, step) in s.through or t.done() for s, t in zip(crowd, tasks, strict=True)
        ):
            await asyncio.sleep(0.05)
        phases.append(
            {
                "teacher": kind,
                "step": step,
                "seconds": time.perf_counter() - began,
                "cpu_s": sum(_spent(cpu, cpu_seconds(pids)).values()),
            }
        )

    def polls() -> int:
        return sum(s.polls_run for s in crowd)

    info, token = await asyncio.to_thread(store.start, plan.name, plan.steps)
    code = info.code
    started = time.perf_counter()
    cpu_start = cpu_seconds(pids)
    tasks = [
        asyncio.create_task(
            _live_student(
                student,
                code,
                plan,
                queue,
                rng.uniform(0, arrival),
                pause,
                random.Random(rng_seed * 1000 + i),
            )
        )
        for i, (student, queue) in enumerate(zip(crowd, queues, strict=True))
    ]
    cpu_joined = cpu_idle = cpu_start
    polls_joined = polls_idle = 0
    try:
        await everyone("join", 0, RUN_TIMEOUT + arrival)
        joined = sum(1 for s in crowd if s.full_runs)
        tally = await asyncio.to_thread(store.tally, code, 0)
        if tally.joined != joined:
            errors.append(f"join: the store counts {tally.joined} students, {joined} joined")
        cpu_joined, polls_joined = cpu_seconds(pids), polls()
        await asyncio.sleep(idle)
        cpu_idle, polls_idle = cpu_seconds(pids), polls()
        for step in range(1, plan.steps + 2):
            await teacher("move", step, step)
            question = plan.question(step)
            if question is None:
                await everyone("move", step, FOLLOW_TIMEOUT + 1)
                await asyncio.sleep(rng.uniform(*linger))
                continue
            await everyone("move", step, ANSWER_TIMEOUT)
            tally = await asyncio.to_thread(store.tally, code, step)
            sent = sum(1 for s in crowd if step in s.answered)
            steps.append(
                {
                    "step": step,
                    "kind": question[1],
                    "expected": students,
                    "sent": sent,
                    "counted": tally.answered,
                    "all_counted": tally.answered == sent == students,
                }
            )
            if not tally.answered == sent == students:
                errors.append(
                    f"step {step}: {tally.answered} answers counted of {students} students "
                    f"({sent} sent and taken)"
                )
            await teacher("reveal", step, step)
            await everyone("reveal", step, FOLLOW_TIMEOUT + 1)
            await asyncio.sleep(rng.uniform(*linger))
    finally:
        with contextlib.suppress(ClassError):
            await teacher("close", plan.steps + 2)
        _, late = await asyncio.wait(tasks, timeout=FOLLOW_TIMEOUT + 5)
        for task in late:
            task.cancel()
        seconds = time.perf_counter() - started
        cpu_end = cpu_seconds(pids)
        stop.set()
        await watcher
        await asyncio.to_thread(store.close_connection)
    report = summarise(crowd)
    report.pop("moves")
    report["mode"] = "live"
    report["lesson"] = plan.name
    report["code"] = code
    report["steps"] = steps
    report["phases"] = phases
    report["errors"] = errors + report["errors"]
    report["seconds"] = {  # every timing, for other statistics
        kind: sorted(round(r.seconds, 4) for s in crowd for r in s.runs if r.kind == kind)
        for kind in report["kinds"]
    }
    sent = sum(s.polls_sent for s in crowd)
    report["unfinished_runs"] = sum(s.unfinished_runs for s in crowd)
    report["watchdog_refreshes"] = sum(s.refreshes for s in crowd)
    report["troubles"] = {s.name: s.troubles for s in crowd if s.troubles}
    report["polls"] = {
        "sent": sent,
        "run": polls(),
        "per_student_per_s": sent / students / seconds,
    }
    idle_cpu = sum(_spent(cpu_joined, cpu_idle).values())
    class_cpu = _spent(cpu_start, cpu_end)
    report["cpu"] = {
        "seconds": seconds,
        "class_s": sum(class_cpu.values()),
        "per_worker_s": {str(p): s for p, s in class_cpu.items()},
        "idle_seconds": idle,
        "idle_s": idle_cpu,
        "idle_polls": polls_idle - polls_joined,
        "idle_ms_per_student_s": 1000 * idle_cpu / students / idle if idle else float("nan"),
        "idle_ms_per_poll": 1000 * idle_cpu / max(1, polls_idle - polls_joined),
    }
    report["per_worker"] = dict(Counter(s.worker or "(one server)" for s in crowd))
    report["memory"] = {
        "processes": len(pids),
        "before_mb": memory_before,
        "peak_mb": peak[0],
        "after_mb": rss_mb(pids),
    }
    return report


def print_live(report: dict[str, Any]) -> None:
    print(f"live class {report['code']} ({report['lesson']}), {report['students']} students")
    print(f"{'':<16} {'count':>5} {'p50 s':>7} {'p95 s':>7} {'max s':>7}")
    for kind in ("join", "answer", "follow (move)", "follow (reveal)", "follow (close)"):
        k = report["kinds"].get(kind)
        if k:
            print(
                f"{kind:<16} {k['count']:>5} {k['p50_s']:>7.2f} {k['p95_s']:>7.2f} "
                f"{k['max_s']:>7.2f}"
            )
    for s in report["steps"]:
        print(
            f"step {s['step']} ({s['kind']}): {s['counted']} answers counted, "
            f"{s['sent']} sent, {s['expected']} expected"
        )
    for ph in report["phases"]:
        print(
            f"{ph['teacher']} {ph['step']}: everyone through in {ph['seconds']:.1f} s, "
            f"workers' CPU {ph['cpu_s']:.2f} s"
        )
    cpu, polls = report["cpu"], report["polls"]
    print(
        f"workers' CPU: {cpu['class_s']:.1f} s in {cpu['seconds']:.0f} s "
        f"({', '.join(f'{v:.1f}' for v in cpu['per_worker_s'].values())}); polling alone "
        f"({cpu['idle_seconds']:g} s at the first screen): {cpu['idle_ms_per_student_s']:.1f} ms "
        f"of CPU per student per second"
    )
    print(
        f"fragment reruns: {polls['sent']} sent, {polls['run']} run "
        f"({polls['per_student_per_s']:.2f} per student per second)"
    )
    mem = report["memory"]
    print(
        f"server memory: {mem['before_mb']:.0f} MB before, {mem['peak_mb']:.0f} MB peak "
        f"({mem['processes']} process(es))"
    )
    print(f"students per worker: {report['per_worker']}")
    print(f"full runs without script_finished (shown anyway): {report['unfinished_runs']}")
    print(
        f"pages brought back by their watchdog (no run for {WATCH_STALE_S:g} s): {report['watchdog_refreshes']}"
    )
    print(f"errors: {len(report['errors'])}")
    for e in report["errors"][:20]:
        print(f"  {e}")


def _bounded(coro: Any) -> dict[str, Any]:
    """Run one mode, stopped after :data:`MAX_SECONDS` whatever happens."""
    return asyncio.run(asyncio.wait_for(coro, MAX_SECONDS))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", default="http://127.0.0.1:8501")
    p.add_argument("--students", type=int, default=10)
    p.add_argument("--link", default=DEFAULT_LINK, help="the page and query the class opens")
    p.add_argument("--seeds", choices=("class", "random"), default="class")
    p.add_argument(
        "--arrival",
        type=float,
        help=f"seconds over which students arrive (1, or {EXPLORE_ARRIVAL:g} with --explore)",
    )
    p.add_argument(
        "--explore", action="store_true", help="students exploring alone, each on their own seeds"
    )
    p.add_argument("--hostile", type=int, default=0, help="students with a costly equation")
    p.add_argument("--cycles", type=int, default=0, help="measure memory over N connect cycles")
    p.add_argument("--pages", action="store_true", help="one student, every page's timings")
    p.add_argument("--warm", action="store_true", help="open every page of every world once")
    p.add_argument("--repeats", type=int, default=5, help="runs per page in --pages")
    p.add_argument(
        "--rng-seed", type=int, help="the students' randomness (0; with --explore, at random)"
    )
    p.add_argument("--live", action="store_true", help="a live class (the teacher via --store)")
    p.add_argument("--store", help="the live classes' store (default: the servers' own)")
    p.add_argument("--lesson", default="tylenol", help="the live class's lesson")
    p.add_argument("--pid", type=int, action="append", help="server process to watch")
    p.add_argument("--json", type=Path, help="write the figures to this file")
    args = p.parse_args(argv)
    if args.arrival is None:
        args.arrival = EXPLORE_ARRIVAL if args.explore else 1.0
    if args.rng_seed is None:  # explorers' seeds are new to the server on every run
        args.rng_seed = random.SystemRandom().randrange(1_000_000) if args.explore else 0
    if args.warm:
        report = _bounded(run_warm(args.url))
        print(f"warmed {args.url} in {report['seconds']:.1f} s; errors: {len(report['errors'])}")
        for e in report["errors"][:20]:
            print(f"  {e}")
    elif args.live:
        report = _bounded(
            run_live(
                args.url,
                args.students,
                args.store,
                lesson=args.lesson,
                arrival=args.arrival,
                rng_seed=args.rng_seed,
                pids=args.pid,
            )
        )
        print_live(report)
    elif args.pages:
        report = _bounded(run_pages(args.url, args.repeats, pids=args.pid))
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
                explore=args.explore,
            )
        )
        if args.explore:
            print(f"{args.students} students exploring (--rng-seed {args.rng_seed})")
        print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
