"""The registry of pages (lib/ui/pages): fields declared once, sections that each run alone."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.ui.declare import references
from lib.ui.fields import Ctx
from lib.ui.pages import FIELDS, PAGES, link_fields
from lib.ui.params import LabState, ScenarioInfo, default_state, parse_query, to_query
from lib.ui.sections import ONLY_KEY, wanted
from lib.world.scenarios import list_scenarios, load_scenario

ROOT = Path(__file__).resolve().parents[1]
CATALOG = {sid: ScenarioInfo.from_scenario(load_scenario(sid)) for sid in list_scenarios()}
LDOPA = CATALOG["ldopa"]


def _all_references():
    for page in PAGES.values():
        hooks = (page.handout, page.script, page.words, page.numbers, page.step_figure)
        for hook in (*hooks, page.step_plots, page.own_link):
            for ref in references(hook):
                yield f"{page.name}", ref
        for s in page.sections:
            for ref in [*references(s.draw), *references(s.needs)]:
                yield f"{page.name}/{s.key}", ref


@pytest.mark.parametrize(("where", "ref"), list(_all_references()), ids=str)
def test_every_reference_of_the_registry_resolves(where: str, ref) -> None:
    assert callable(ref.resolve()), f"{where}: {ref!r}"


def test_the_state_has_exactly_the_declared_fields() -> None:
    names = [f.name for f in dataclasses.fields(LabState)]
    assert sorted(names) == sorted(["scenario", *FIELDS]), "LabState and lib.ui.pages.FIELDS differ"


def test_the_states_own_defaults_are_the_fields_defaults() -> None:
    """LabState's defaults and the fields' agree wherever a default does not depend on
    the world (those follow the world: a scenario's rows, its first preset, ...)."""
    plain = LabState(LDOPA.id, LDOPA.default_n)
    start = default_state(LDOPA)
    for f in FIELDS.values():
        if not f.world:
            assert getattr(plain, f.name) == getattr(start, f.name), f.name


@pytest.mark.parametrize("name", list(PAGES))
def test_every_section_reads_declared_fields_and_has_a_claim(name: str) -> None:
    known = {"scenario", *FIELDS}
    keys = [s.key for s in PAGES[name].sections]
    assert len(keys) == len(set(keys)), keys
    for s in PAGES[name].sections:
        assert set(s.reads) <= known, (s.key, set(s.reads) - known)
        assert s.claim, f"{name}/{s.key} says what it shows"
        if isinstance(s.needs, str):  # what an earlier section drew
            assert s.needs in keys[: keys.index(s.key)], (s.key, s.needs)


@pytest.mark.parametrize("name", list(PAGES))
def test_a_page_file_is_its_declaration_rendered(name: str) -> None:
    """app.py and every file in pages/ is one call: render(its name)."""
    tree = ast.parse((ROOT / PAGES[name].file).read_text(encoding="utf-8"))
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert [ast.unparse(c) for c in calls] == [f"render({name!r})"]


def _values(f, ctx: Ctx) -> list:
    """Every value a field takes in a world: its options when it has a list of them."""
    start = f.default(ctx)
    out = [start]
    for option in (
        *ctx.info.presets,
        *ctx.info.nodes,
        "do",
        "shift",
        "scale_noise",
        "replace",
        0.05,
        0.5,
        0.99,
        0.999,
        1.0,
        -1.0,
        2.0,
        3,
        10,
        25,
        50,
        64,
        "lab",
        "square",
        "wave",
        "Silence A",
    ):
        try:
            ok = f.valid(option, ctx)
        except TypeError:
            ok = False
        if ok and f.clean is not None:  # a value the field keeps as it is (on the grid)
            ok = f.clean(option) == option
        if ok and option not in out:
            out.append(option)
    return out


@pytest.mark.parametrize("sid", ["ldopa", "icecream", "neurons"])
@pytest.mark.parametrize("name", [n for n in PAGES if PAGES[n].link])
def test_every_field_of_a_pages_link_reads_back(name: str, sid: str) -> None:
    """Each value a field takes, written into the page's link, reads back the same."""
    info = CATALOG[sid]
    base = default_state(info)
    for f in link_fields(name):
        ctx = Ctx(info, {x: getattr(base, x) for x in FIELDS})
        for value in _values(f, ctx):
            state = dataclasses.replace(base, **{f.name: value})
            if f.name in ("node", "kind", "amount", "equation"):  # a custom intervention's
                state = dataclasses.replace(state, preset="custom")
            if f.name == "equation":  # the link carries it for a "replace" only
                state = dataclasses.replace(state, kind="replace")
            back, notices = parse_query(to_query(state, name), CATALOG)
            assert notices == [], (f.name, value, notices)
            assert getattr(back, f.name) == getattr(state, f.name), (f.name, value)


@pytest.mark.parametrize("name", [n for n in PAGES if PAGES[n].link])
def test_a_bad_value_of_any_field_falls_back_with_a_notice(name: str) -> None:
    """A value no field takes gives one notice naming the parameter, and the default."""
    start = default_state(LDOPA)
    for f in link_fields(name):
        if f.name == "equation":  # any text is an equation until it is compiled
            continue
        state, notices = parse_query({"scenario": "ldopa", f.name: "§nope§"}, CATALOG)
        assert len(notices) == 1 and f"`{f.name}=" in notices[0], (f.name, notices)
        assert getattr(state, f.name) == getattr(start, f.name), f.name


_ALONE = [(name, s.key) for name, page in PAGES.items() for s in page.sections]


@pytest.mark.parametrize(("page", "key"), _ALONE, ids=lambda x: str(x))
def test_a_section_runs_alone(page: str, key: str) -> None:
    """Every section can be drawn on its own (with an earlier one whose drawing it reads)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state[ONLY_KEY] = {page: (key,)}
    at.switch_page(PAGES[page].file).run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_only_the_asked_sections_are_drawn() -> None:
    """A page asked for one section draws that one: the Models page's scores, no chart."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state[ONLY_KEY] = {"Models": ("scores",)}
    at.switch_page(PAGES["Models"].file).run()
    heads = [h.value for h in at.subheader]
    assert heads == ["How well they predict cases they never saw"], heads
    assert not at.get("plotly_chart") and not at.title


def test_a_section_that_reads_an_earlier_one_brings_it() -> None:
    assert [s.key for s in wanted("Data", ["rows"])] == ["source", "rows"]
    assert [s.key for s in wanted("Data", None)] == [s.key for s in PAGES["Data"].sections]


def test_the_interventions_page_ends_on_the_way_to_invariance() -> None:
    """Its "What next" (lib.ui.pages.WHAT_NEXT), asked for alone, is the link on."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state[ONLY_KEY] = {"Interventions": ("next",)}
    at.switch_page(PAGES["Interventions"].file).run()
    links = [e for e in at.get("page_link") if "Invariance" in e.proto.page]
    assert links and "invariance" in links[-1].proto.label.lower()


def test_sections_that_need_one_computation_share_one_call_per_run() -> None:
    """Two references to one function are equal, and ``run`` calls a shared need once."""
    from types import SimpleNamespace

    from lib.ui.declare import Section, lazy
    from lib.ui.sections import run

    assert lazy("lib.ui.compute", "sample") == lazy("lib.ui.compute", "sample")
    assert len({lazy("lib.ui.compute", "sample"), lazy("lib.ui.compute", "sample")}) == 1
    calls: list[str] = []
    drawn: list[tuple[str, int]] = []

    def need(lab):
        calls.append("need")
        return 7

    sections = [
        Section(k, k, (), needs=need, draw=lambda lab, d, k=k: drawn.append((k, d)), claim=k)
        for k in ("a", "b", "c")
    ]
    run(SimpleNamespace(page="Data", table=None, state=None, present=False), sections)
    assert calls == ["need"] and drawn == [("a", 7), ("b", 7), ("c", 7)]
    for name, page in PAGES.items():  # the registry's own: one reference per computation
        needs = [s.needs for s in page.sections if s.needs is not None]
        assert len(set(map(repr, needs))) == len(set(needs)), name


@pytest.mark.parametrize("name", list(PAGES))
def test_a_page_with_a_handout_section_declares_what_it_holds(name: str) -> None:
    spec = PAGES[name]
    if any(s.key == "handout" for s in spec.sections):
        assert spec.handout is not None and spec.script is not None, name


def test_a_field_that_follows_another_is_repaired_after_it() -> None:
    """``normalize`` repairs fields in declaration order: a field read by another's
    default or check comes first (the menu's order of pages decides it)."""
    order = list(FIELDS)
    for first, then in [
        ("node", "equation"),
        ("kind", "amount"),
        ("preset", "node"),
        ("units", "unit"),
        ("att_units", "lesioned"),
        ("sweep", "sweep_strength"),
    ]:
        assert order.index(first) < order.index(then), (first, then)
