"""Sections as slides: the link's section and deck, the slides' order, the presenter
view drawing one slide under its bar, a link that opens a section, and Home's talk."""

from __future__ import annotations

import doctest
from types import SimpleNamespace
from typing import Any

import pytest

import lib.ui.slides
import lib.ui.teach
from lib.ui.pages import PAGES
from lib.ui.teach import (
    TeachState,
    deck_entry,
    page_slug,
    parse_deck,
    parse_teach,
    pick_section,
    slide_order,
    teach_query,
)
from tests.apptest import assert_clean, button, open_page, session

INVARIANCE = "pages/4_Invariance.py"
INTERVENTIONS = "pages/3_Interventions.py"


@pytest.mark.parametrize("module", [lib.ui.teach, lib.ui.slides])
def test_the_doctests_hold(module: Any) -> None:
    failed, tried = doctest.testmod(module)
    assert tried > 0 and failed == 0


def _offered() -> dict[str, tuple[str, ...]]:
    return {page_slug(n): tuple(s.key for s in p.slides) for n, p in PAGES.items() if p.slides}


def test_the_pages_with_slides_lead_with_one_of_their_sections() -> None:
    slides = {n for n, p in PAGES.items() if p.slides}
    assert slides == {
        "Home",
        "Data",
        "Models",
        "Interventions",
        "Invariance",
        "Attribution",
        "Black box",
    }
    for name in slides:
        keys = [s.key for s in PAGES[name].slides]
        assert PAGES[name].lead in keys, name
        assert "header" not in keys and "handout" not in keys and "talk" not in keys, name
    assert PAGES["Interventions"].lead == "outcome" and PAGES["Invariance"].lead == "icp"


def test_a_section_and_a_deck_read_back_from_the_link() -> None:
    deck = ("interventions.outcome", "invariance.icp", "attribution.settle")
    raw = {"present": "1", "section": "icp", "deck": ",".join(deck)}
    state, notices = parse_teach(raw, {}, _offered(), page="Invariance")
    assert notices == []
    assert (state.section, state.where, state.deck) == ("icp", "Invariance", deck)
    query = teach_query(state, "Invariance")
    again, _ = parse_teach(query, {}, _offered(), page="Invariance")
    assert again == state
    # another page's link carries the deck but not this page's section
    assert "section" not in teach_query(state, "Attribution")
    # outside the presenter view a section stays, the deck does not
    flat = TeachState(section="power", where="Invariance", deck=deck)
    assert teach_query(flat, "Invariance") == {"section": "power"}


def test_a_bad_deck_entry_is_dropped_with_a_notice_naming_what_is_offered() -> None:
    offered = _offered()
    deck, notices = parse_deck("invariance.icp,invariance.nope,nowhere.icp", offered)
    assert deck == ("invariance.icp",)
    assert len(notices) == 2
    assert all(k in notices[0] for k in offered["invariance"])
    assert all(slug in notices[1] for slug in offered)


def test_the_lead_comes_first_and_a_bad_section_falls_back_to_it() -> None:
    keys = [s.key for s in PAGES["Invariance"].slides]
    order = slide_order(keys, "icp")
    assert order[0] == "icp" and sorted(order) == sorted(keys)
    assert [k for k in order[1:]] == [k for k in keys if k != "icp"]
    key, notices = pick_section("nope", order, "Invariance")
    assert key == "icp" and len(notices) == 1
    assert all(k in notices[0] for k in order)


# ----------------------------------------------------------------------------- pages


def _heads(at: Any) -> tuple[list[str], list[str]]:
    return [str(t.value) for t in at.title], [str(h.value) for h in at.subheader]


def _query(at: Any, name: str) -> str:
    value = at.query_params[name]
    return str(value[-1] if isinstance(value, list) else value)


def test_a_presenter_page_draws_its_lead_slide_under_the_bar() -> None:
    at = open_page(INVARIANCE, present="1")
    assert_clean(at)
    titles, heads = _heads(at)
    n = len([s for s in PAGES["Invariance"].slides if s.when(SimpleNamespace(table=None))])
    assert titles == [f"Invariance · 1 of {n}"]
    assert heads == ["What ICP concludes"]  # only its slide: no environments, no sweeps
    assert _query(at, "section") == "icp"
    assert button(at, "slide_back").disabled and not button(at, "slide_next").disabled
    button(at, "slide_next").click().run()
    assert _heads(at) == ([f"Invariance · 2 of {n}"], ["The environments"])
    assert _query(at, "section") == "environments"


def test_the_link_s_section_selects_its_slide_and_the_last_has_no_next() -> None:
    at = open_page(INVARIANCE, present="1", section="power")
    assert_clean(at)
    titles, heads = _heads(at)
    assert titles[0].endswith("6 of 6") and heads == ["How often does ICP find the causes?"]
    assert button(at, "slide_next").disabled


def test_a_bad_section_falls_back_to_the_first_slide_with_a_notice() -> None:
    at = open_page(INVARIANCE, present="1", section="nope")
    assert_clean(at)
    assert _heads(at)[1] == ["What ICP concludes"]
    notes = [str(w.value) for w in at.warning]
    assert any("`section='nope'`" in n and "environments" in n and "power" in n for n in notes)
    assert _query(at, "section") == "icp"


def test_a_slide_that_reads_another_section_draws_it_along() -> None:
    at = open_page("pages/1_Data.py", present="1", section="rows")
    assert_clean(at)
    heads = _heads(at)[1]
    assert "The causal graph" in heads  # the source it reads
    assert "What goes with what" not in heads


def test_a_deck_steps_across_pages() -> None:
    deck = "interventions.outcome,invariance.icp,attribution.settle"
    at = open_page(INTERVENTIONS, present="1", section="outcome", deck=deck, preset="Tylenol")
    assert_clean(at)
    assert _heads(at) == (["Interventions · slide 1 of 3"], ["What happened"])
    button(at, "slide_next").click().run()
    assert_clean(at)
    assert _heads(at) == (["Invariance · slide 2 of 3"], ["What ICP concludes"])
    assert _query(at, "deck") == deck and _query(at, "scenario") == "ldopa"
    button(at, "slide_back").click().run()
    assert _heads(at)[0] == ["Interventions · slide 1 of 3"]
    assert _query(at, "preset") == "Tylenol"  # the session's view kept


def test_a_link_s_section_opens_a_folded_section_and_marks_it() -> None:
    at = session(unfold=False, section="power")
    at.switch_page(INVARIANCE).run()
    assert_clean(at)
    assert "6 · How often does ICP find the causes?" in _heads(at)[1]
    marks = [h for h in at.get("html") if "lab-section-power" in str(h.proto.body)]
    assert len(marks) == 1


def test_a_normal_run_has_no_mark() -> None:
    at = session(unfold=False)
    at.switch_page(INVARIANCE).run()
    assert_clean(at)
    assert not [h for h in at.get("html") if "lab-section-" in str(h.proto.body)]
    assert "6 · How often does ICP find the causes?" not in _heads(at)[1]  # still folded


def test_home_makes_a_talk_and_starts_it() -> None:
    at = open_page()
    assert_clean(at)
    picker = next(m for m in at.multiselect if m.key == "talk_pick")
    entries = [deck_entry("Invariance", "icp"), deck_entry("Interventions", "outcome")]
    picker.set_value(entries).run()
    code = [str(c.value) for c in at.code]
    assert any(
        "/Invariance?" in c
        and "present=1" in c
        and "section=icp" in c
        and "deck=invariance.icp,interventions.outcome" in c
        for c in code
    ), code
    button(at, "talk_start").click().run()
    assert_clean(at)
    assert _heads(at) == (["Invariance · slide 1 of 2"], ["What ICP concludes"])


def test_the_models_slide_says_what_the_header_says_elsewhere() -> None:
    """The header is the slide's bar in the presenter view: the scores slide carries
    its takeaway, the very sentence the page shows under its title."""
    page = open_page("pages/2_Models.py")
    slide = open_page("pages/2_Models.py", present="1")
    assert_clean(slide)
    assert _heads(slide)[1] == ["How well they predict cases they never saw"]
    said = [str(i.value) for i in page.info]
    assert said and [str(i.value) for i in slide.info] == said[:1]


def test_a_projected_table_is_plain_text_in_large_type_and_a_grid_elsewhere() -> None:
    """The presenter view draws a table as st.table (its type the style sheet sizes),
    formatted as the grid formats it; the page elsewhere keeps the grid."""
    at = open_page("pages/4_Invariance.py", present="1")  # the lead slide: ICP's verdict
    assert_clean(at)
    assert not at.dataframe
    table = at.table[0].value
    assert "ICP's cause?" in table.columns
    assert set(table["ICP's cause?"]) <= {"✓", ""} and "✓" in set(table["ICP's cause?"])
    at = open_page("pages/4_Invariance.py")
    assert at.dataframe and not at.table


@pytest.mark.parametrize("name", [n for n, spec in PAGES.items() if spec.slides])
def test_no_slide_draws_a_read_only_grid(name: str) -> None:
    """A grid is drawn on a canvas no style sheet can size: every slide shows its
    tables as plain tables in projector type (an editable grid, the environments
    composer, stays an editor)."""
    spec = PAGES[name]
    for key in slide_order([s.key for s in spec.slides], spec.lead):
        at = open_page(spec.file if spec.file != "app.py" else None, present="1", section=key)
        assert_clean(at)
        grids = [d for d in at.dataframe if d.proto.editing_mode == 0]  # 0: read-only
        assert not grids, f"{name} · {key}: {len(grids)} read-only grid(s)"
