"""The load client's own logic (``bench/loadtest.py``), without a server.

The explorers' moves, the CPU ratio of a new view, and the rerun that opens a
page's lazy sections (what goes on the wire). The client against the real
server is tested in tests/browser/test_loadtest.py.
"""

from __future__ import annotations

import asyncio
import random
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from streamlit.proto.Block_pb2 import Block

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import loadtest  # noqa: E402

STUDENTS = 10


def walk(moves: list[loadtest.Move], first_page: str) -> list[str]:
    """The page (its name in the URL) each move is made on."""
    pages, page = [], first_page
    for move in moves:
        pages.append(page)
        if move.kind == "page change":
            page = loadtest.MENU[move.page]
    return pages


def class_plans(rng_seed: int) -> list[list[loadtest.Move]]:
    return [
        loadtest.explore_moves(random.Random(rng_seed * 1000 + i), "Interventions", i, STUDENTS)
        for i in range(STUDENTS)
    ]


def test_a_seeded_explorer_makes_the_same_moves() -> None:
    first = class_plans(3)
    assert first == class_plans(3)
    assert first != class_plans(4)
    assert all(len(moves) == loadtest.EXPLORE_MOVES for moves in first)


def test_explorers_move_like_the_brief_says() -> None:
    """Presets on Interventions only, page changes to another page of the menu, the
    Black box page's own seed there, and seeds nobody else in the class draws."""
    seeds: dict[tuple[str, int], int] = {}  # (input, seed) -> student
    kinds: set[str] = set()
    visited: set[str] = set()
    for rng_seed in range(20):
        for i, moves in enumerate(class_plans(rng_seed)):
            for move, page in zip(moves, walk(moves, "Interventions"), strict=True):
                kinds.add(move.kind)
                if move.kind == "other preset":
                    assert page == "Interventions"
                elif move.kind == "page change":
                    assert move.page in loadtest.MENU
                    assert loadtest.MENU[move.page] != page
                    visited.add(move.page)
                else:
                    label, top = loadtest.OWN_SEEDS.get(page, ("Seed", loadtest.MAX_SEED))
                    assert move.label == label
                    assert 1 <= move.seed <= top
                    if rng_seed == 0:
                        assert seeds.setdefault((label, move.seed), i) == i, "a shared seed"
    assert kinds == {"new seed", "page change", "other preset"}
    assert visited == set(loadtest.MENU)
    assert {"Attribution", "Black box"} <= visited
    assert any(label == "Network seed" for label, _ in seeds)


def test_the_menu_is_every_page_by_its_links_label() -> None:
    assert loadtest.MENU == {
        "Home": "",
        "Data": "Data",
        "Models": "Models",
        "Interventions": "Interventions",
        "Invariance": "Invariance",
        "Attribution": "Attribution",
        "Black box": "Black_box",
        "Builder": "Builder",
    }


def test_the_class_makes_its_five_moves_as_before() -> None:
    moves = loadtest.class_moves(loadtest.DEFAULT_LINK, "class", random.Random(0))
    assert [str(m) for m in moves] == [
        "new seed 1",
        "page change to Models",
        "new seed 2",
        "page change to Interventions",
        "other preset",
    ]


def test_own_seeds_are_the_students_own() -> None:
    used: set[int] = set()
    rng = random.Random(1)
    drawn = [loadtest.own_seed(rng, 3, 10, 99, used) for _ in range(10)]
    assert sorted(drawn) == [4, 14, 24, 34, 44, 54, 64, 74, 84, 94]  # all of them, once each
    assert 1 <= loadtest.own_seed(rng, 150, 200, 99, set()) <= 99  # too many students: any


def test_the_cpu_ratio_of_a_new_view() -> None:
    assert loadtest.cpu_ratio(300.0, 100.0) == pytest.approx(3.0)
    assert loadtest.cpu_ratio(300.0, 0.0) is None  # below a clock tick: not measured
    assert loadtest.cpu_ratio(300.0, float("nan")) is None
    assert loadtest.cpu_ratio(float("nan"), 100.0) is None


def run(kind: str, seconds: float, cpu_s: float, **whole: Any) -> loadtest.Run:
    return loadtest.Run(kind, seconds, 1000, [], cpu_s, **whole)


def test_a_pages_row_takes_medians_and_the_whole_page() -> None:
    runs = [run("first load", 2.0, 1.5)]
    runs += [run("warm rerun", s, c) for s, c in ((0.10, 0.05), (0.30, 0.04), (0.20, 0.06))]
    runs += [
        run("new seed", 0.5, 0.20, whole_seconds=0.9, whole_cpu_s=0.40, openings=1),
        run("new seed", 0.6, 0.10, whole_seconds=1.1, whole_cpu_s=0.30, openings=1),
        run("new seed", 0.4, 0.15, whole_seconds=0.8, whole_cpu_s=0.35, openings=1),
    ]
    row = loadtest.page_row(runs)
    assert row["warm rerun p50_ms"] == pytest.approx(200)
    assert row["warm rerun cpu_ms"] == pytest.approx(50)
    assert row["warm rerun whole cpu_ms"] == pytest.approx(50)  # nothing to open
    assert row["warm rerun openings"] == 0
    assert row["new seed cpu_ms"] == pytest.approx(150)
    assert row["new seed whole p50_ms"] == pytest.approx(900)
    assert row["new seed whole cpu_ms"] == pytest.approx(350)
    assert row["new seed openings"] == 1
    assert row["cpu ratio"] == pytest.approx(3.0)
    assert row["whole cpu ratio"] == pytest.approx(7.0)


# ----------------------------------------------------------------------------- lazy sections

LAZY = "$$ID-0123abcd-lab_open_sweep"
OTHER = "$$ID-4567cdef-details"


def expander(widget_id: str, expanded: bool) -> Block:
    block = Block()
    block.expandable.label = "a section"
    block.expandable.expanded = expanded
    if widget_id:
        block.expandable.id = widget_id
    return block


def test_a_lazy_sections_key() -> None:
    assert loadtest.lazy_key(LAZY) == "lab_open_sweep"
    assert loadtest.lazy_key(OTHER) == ""
    assert loadtest.lazy_key("$$ID-0123abcd-None") == ""
    assert loadtest.lazy_key("lab_open_but_not_an_id") == ""


def test_the_client_sees_only_closed_lazy_sections() -> None:
    student = loadtest.Student("http://127.0.0.1:1", "reader")
    student._see_block(expander(LAZY, False), "frag")
    student._see_block(expander(LAZY.replace("sweep", "open_already"), True))
    student._see_block(expander(OTHER, False))  # stateful, but not lazy
    student._see_block(expander("", False))  # an expander without state
    column = Block()
    column.column.weight = 1.0
    student._see_block(column)
    assert student.closed_sections() == [LAZY]
    assert student._lazy[LAZY] == (False, "frag")


def test_the_opening_rerun_sets_each_lazy_expander_open() -> None:
    msg = loadtest.rerun_message(
        "scenario=ldopa", "hash", "", [(LAZY, "bool_value", True), (OTHER, "bool_value", True)]
    )
    state = msg.rerun_script
    assert state.query_string == "scenario=ldopa"
    assert state.page_script_hash == "hash"
    assert [(w.id, w.WhichOneof("value"), w.bool_value) for w in state.widget_states.widgets] == [
        (LAZY, "bool_value", True),
        (OTHER, "bool_value", True),
    ]
    assert state.fragment_id == ""
    in_fragment = loadtest.rerun_message("q", "hash", "", [(LAZY, "bool_value", True)], "frag")
    assert in_fragment.rerun_script.fragment_id == "frag"


class Wire:
    """A websocket that keeps what the client sends; every run it asks for finishes."""

    def __init__(self, finished: asyncio.Queue[str]) -> None:
        self.sent: list[bytes] = []
        self.finished = finished

    async def send(self, data: bytes) -> None:
        self.sent.append(data)
        self.finished.put_nowait("ok")


def open_sections(lazy: dict[str, tuple[bool, str]]) -> tuple[loadtest.Run, list[bytes]]:
    async def go() -> tuple[loadtest.Run, list[bytes]]:
        student = loadtest.Student("http://127.0.0.1:1", "reader")
        student._finished = asyncio.Queue()
        wire = Wire(student._finished)
        student._ws, student._lazy = wire, dict(lazy)
        student._page_hash, student._query = "hash", "seed=3"
        first = run("new seed", 0.5, 0.1)
        await student._open_sections(first, 0.0, float("nan"))
        return first, wire.sent

    # A thread of its own: a browser test before this one on the same worker may have
    # left an event loop running in this thread (Playwright's sync API).
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, go()).result()


def sent_reruns(sent: list[bytes]) -> list[tuple[str, set[tuple[str, bool]]]]:
    """Each rerun sent: its fragment and the expanders it opens."""
    out = []
    for raw in sent:
        msg = loadtest.BackMsg()
        msg.ParseFromString(raw)
        assert msg.rerun_script.page_script_hash == "hash"
        assert msg.rerun_script.query_string == "seed=3"
        opened = {(w.id, w.bool_value) for w in msg.rerun_script.widget_states.widgets}
        out.append((msg.rerun_script.fragment_id, opened))
    return out


def test_the_client_opens_the_closed_lazy_sections_outside_fragments_in_one_rerun() -> None:
    more = "$$ID-89ab-lab_open_more"
    first, sent = open_sections({LAZY: (False, ""), more: (False, ""), OTHER: (True, "")})
    assert first.openings == 1
    assert sent_reruns(sent) == [("", {(LAZY, True), (more, True)})]
    assert first.whole_seconds > first.seconds  # the whole page: from the move's start
    assert first.errors == []


def test_a_section_in_a_fragment_opens_with_a_rerun_of_its_fragment_only() -> None:
    more = "$$ID-89ab-lab_open_more"
    first, sent = open_sections({LAZY: (False, "frag-a"), more: (False, "frag-b")})
    assert first.openings == 2
    assert sorted(sent_reruns(sent)) == [
        ("frag-a", {(LAZY, True)}),
        ("frag-b", {(more, True)}),
    ]


def test_opening_lazy_sections_is_a_no_op_on_a_page_without_any() -> None:
    first, sent = open_sections({LAZY: (True, "")})  # drawn open already
    assert sent == [] and first.openings == 0
    assert (first.whole_seconds, first.whole_cpu_s) == (first.seconds, first.cpu_s)
    first, sent = open_sections({})
    assert sent == [] and first.openings == 0
