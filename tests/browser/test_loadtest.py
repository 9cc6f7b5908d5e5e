"""The class load test (``bench/loadtest.py``) against the real server, small.

Five students speak Streamlit's own websocket protocol to one worker and to
HAProxy with two workers: every first load and every move must finish, do what
it says (the seed, the page and the preset change) and show no error. Five
students also follow a live class through HAProxy, the teacher playing through
the store. The timings are benchmarks, written down in docs/deployment.md, not
asserted here.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from .conftest import CLASS_STORE_URL, REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "bench"))
import loadtest  # noqa: E402

STUDENTS = 5
MOVES = 5  # two new seeds, two page changes, one other preset


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run ``coro`` in a thread of its own (Playwright keeps an event loop in this one)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def small_class(url: str, **kwargs: Any) -> dict[str, Any]:
    return run(loadtest.run_class(url, STUDENTS, arrival=0.5, pause=(0.2, 0.6), **kwargs))


def assert_everyone_got_through(report: dict[str, Any]) -> None:
    assert report["errors"] == []
    assert report["kinds"]["first load"]["count"] == STUDENTS
    assert report["moves"]["count"] == STUDENTS * MOVES
    for kind in ("new seed", "page change", "other preset"):
        assert report["kinds"][kind]["count"] > 0, kind
    assert report["memory"]["processes"] >= 1
    assert report["memory"]["peak_mb"] > 0


def test_a_small_class_on_one_worker(server_url: str) -> None:
    assert_everyone_got_through(small_class(server_url))


def test_a_small_class_with_their_own_seeds(server_url: str) -> None:
    assert_everyone_got_through(small_class(server_url, seeds="random", rng_seed=7))


def test_a_small_class_through_the_balancer(balancer_url: str) -> None:
    report = small_class(balancer_url)
    assert_everyone_got_through(report)
    assert report["memory"]["processes"] >= 2  # both workers were watched


def test_a_costly_equation_is_bounded_and_the_class_goes_on(server_url: str) -> None:
    """A student's own equation at the most rows runs within its limits (or is
    refused with a message), while the class around it gets every move through."""
    report = small_class(server_url, hostile=1)
    assert_everyone_got_through(report)
    (hostile,) = report["hostile"]
    if hostile["refused"]:
        assert "computing" in hostile["message"][0] or "work" in hostile["message"][0]


def test_a_small_class_exploring(server_url: str) -> None:
    """Students exploring alone (``--explore``): each makes its five moves, drawn at
    random among seeds of its own, any page and presets, with no error; the report
    has the moves each student made and the server's CPU."""
    report = run(
        loadtest.run_class(server_url, 3, arrival=0.5, pause=(0.2, 0.6), rng_seed=5, explore=True)
    )
    assert report["errors"] == []
    assert report["mode"] == "explore"
    assert report["moves"]["count"] == report["moves_whole"]["count"] == 3 * MOVES
    assert sum(len(moves) for moves in report["plans"].values()) == 3 * MOVES
    assert report["cpu"]["class_s"] > 0


def test_the_pages_figures_with_the_servers_cpu(
    server_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--pages`` on one page: wall time and the server's CPU (found by its port) per
    run, first screen and whole page (the same: no lazy sections there), and the
    ratio of a new seed's CPU to a warm rerun's when the latter is measurable."""
    monkeypatch.setattr(loadtest, "PAGES", ("Interventions",))
    report = run(loadtest.run_pages(server_url, repeats=2))
    assert report["errors"] == []
    assert report["processes"] == 1
    row = report["pages"]["Interventions"]
    assert row["first load cpu_ms"] > 0
    for kind in ("warm rerun", "new seed"):
        assert row[f"{kind} openings"] == 0
        assert row[f"{kind} whole cpu_ms"] == row[f"{kind} cpu_ms"]
    assert row["cpu ratio"] == loadtest.cpu_ratio(row["new seed cpu_ms"], row["warm rerun cpu_ms"])


def test_the_load_test_notices_a_broken_move(server_url: str) -> None:
    """A move that does not do what it says counts as an error (the checks can fail)."""

    async def go() -> loadtest.Student:
        student = loadtest.Student(server_url.rstrip("/"), "checker")
        try:
            await student.connect(loadtest.DEFAULT_LINK)
            student._links["Models"] = ("not-a-page", "")  # a link to nowhere
            await student.go_to("Models")
        finally:
            await student.close()
        return student

    student = run(go())
    assert student.runs[0].errors == []
    assert any("did not change to Models" in e for e in student.runs[-1].errors)


def test_the_load_test_talks_to_this_machine_only() -> None:
    with pytest.raises(SystemExit, match="this machine only"):
        run(loadtest.run_class("http://example.org", 1))


def test_a_live_class_through_the_balancer(balancer_url: str) -> None:
    """Five students in a live class, the teacher through the store the workers
    share: every student joins, polls like a browser, follows every move and reveal
    and answers every question, and the store counts every answer."""
    report = run(
        loadtest.run_live(
            balancer_url,
            STUDENTS,
            CLASS_STORE_URL,
            arrival=0.5,
            pause=(0.2, 1.0),
            idle=1.0,
            linger=(0.2, 0.8),
        )
    )
    assert report["errors"] == []
    questions = loadtest.LiveLesson.load("tylenol").steps  # every step of it asks
    assert [s["step"] for s in report["steps"]] == list(range(1, questions + 1))
    for step in report["steps"]:
        assert step["counted"] == step["sent"] == STUDENTS, step
    kinds = report["kinds"]
    assert kinds["join"]["count"] == STUDENTS
    assert kinds["answer"]["count"] == STUDENTS * questions
    assert kinds["follow (move)"]["count"] == STUDENTS * (questions + 1)  # and the end
    assert kinds["follow (reveal)"]["count"] == STUDENTS * questions
    assert kinds["follow (close)"]["count"] == STUDENTS
    # Students poll the class's version like a browser (each full run restarts the timer).
    assert report["polls"]["run"] >= STUDENTS
    # HAProxy's leastconn spreads five arrivals; each worker at least once is the
    # usual case, but the spread is not promised: one worker may take them all.
    assert sum(report["per_worker"].values()) == STUDENTS
    print(f"students per worker: {report['per_worker']}")


def test_the_live_load_test_uses_this_machine_only() -> None:
    with pytest.raises(SystemExit, match="this machine only"):
        run(loadtest.run_live("http://127.0.0.1:1", 1, "postgresql://lab@db.example.org/lab"))


def test_the_load_clients_watchdog_is_the_pages() -> None:
    from lib.ui.live_views import STALE_S

    assert loadtest.WATCH_STALE_S == STALE_S
