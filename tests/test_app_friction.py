"""Friction a student met, each held by a page test: a number outside the form's range
said in words, a value beyond what was observed called extrapolation, text in a column of
numbers said up front, and the pages with worlds of their own saying so."""

from __future__ import annotations

import re
from typing import Any

from streamlit.testing.v1 import AppTest

from lib.text.numbers import format_number
from lib.ui.declare import own_world
from lib.ui.home_views import FOLLOWERS, world_pages_sentence
from lib.ui.pages import PAGES
from lib.world.scenarios import load_scenario
from tests.apptest import DATA, INTERVENTIONS, MODELS, go, open_page
from tests.test_app_tables import hospitals_csv, table_session, upload


def _walk(node: Any, inside: bool = False) -> list[tuple[Any, bool]]:
    """Every element, and whether it is inside a folded section (an expander)."""
    out = [(node, inside)]
    folded = inside or getattr(node, "type", None) == "expander"
    for child in getattr(node, "children", {}).values():
        out += _walk(child, folded)
    return out


def custom(**params: str) -> AppTest:
    return open_page(INTERVENTIONS, preset="custom", **params)


def test_a_number_outside_the_forms_range_is_said_in_words_not_hovered() -> None:
    at = custom(scenario="ldopa", node="headache", kind="do", amount="1")
    captions = " ".join(c.value for c in at.caption)
    assert "Any number from −1,000,000 to 1,000,000." in captions
    at.number_input(key="w_amount").set_value(1e12).run()
    assert not at.exception
    said = " ".join(e.value for e in at.error)
    assert "Not applied: 1e+12 is outside what this form takes." in said
    assert "This intervention cannot be applied: 1e+12 is outside" in said
    at.number_input(key="w_amount").set_value(2.0).run()
    assert not at.error


def test_a_value_beyond_what_was_observed_is_called_extrapolation() -> None:
    sc = load_scenario("ldopa")
    at = custom(scenario="ldopa", node="headache", kind="do", amount="-5")
    (note,) = [w.value for w in at.warning if "extrapolation" in w.value]
    seen = sc.scm.sample(sc.default_n, 0)["headache"]  # the page's sample: default rows, seed 0
    low, high = re.search(r"\(([-\d.,]+) to ([-\d.,]+)\)", note).groups()  # type: ignore[union-attr]
    assert (low, high) == (format_number(seen.min()), format_number(seen.max()))
    assert note.startswith("-5 is below every value of `headache`") and seen.min() > -5
    # inside the range: no word of extrapolation
    middle = float(seen.median())
    at.number_input(key="w_amount").set_value(round(middle, 2)).run()
    assert not [w for w in at.warning if "extrapolation" in w.value]


def test_text_in_a_column_of_numbers_is_said_up_front_where_the_table_is_used() -> None:
    lines = hospitals_csv().decode().splitlines()
    cells = lines[4].split(";")
    cells[1] = "n/a?"
    lines[4] = ";".join(cells)
    at = upload(table_session(DATA), "\n".join(lines).encode(), "typo.csv")
    shown = [
        (n.value, inside) for n, inside in _walk(at._tree) if getattr(n, "type", None) == "warning"
    ]
    up_front = [v for v, inside in shown if "holds text" in str(v) and not inside]
    assert up_front, shown
    assert "Column `x` holds numbers, but 1 cell holds text; the first, in row 4" in up_front[0]
    assert "left out of any model that uses this column" in up_front[0]
    at.multiselect(key="w_t_features").set_value(["x", "s"]).run()
    go(at, MODELS)
    assert any("Column `x` holds numbers" in w.value for w in at.warning)


def test_pages_with_worlds_of_their_own_say_so_and_home_names_them() -> None:
    own = [p.menu_label for p in PAGES.values() if own_world(p)]
    assert own == ["Attribution", "Black box"]
    sentence = world_pages_sentence()
    assert all(name in sentence for name in [*own, *FOLLOWERS])
    at = open_page()
    assert sentence in [c.value for c in at.caption]
    at = open_page("pages/5_Attribution.py")
    assert own_world(PAGES["Attribution"]) in [i.value for i in at.info]


def test_the_barriers_time_spans_are_named_beside_the_plot_not_across_its_curves() -> None:
    """Found by a student: "the age of the universe" and "a year of daily experiments"
    were written over the curves (and the network's line) at a phone's width."""
    import math

    from lib.figures.blackbox import barrier_figure
    from lib.figures.style import as_figure

    fig = as_figure(barrier_figure(32))
    inside = [a for a in fig.layout.annotations if a.xref == "paper" and a.yref == "y"]
    assert not inside  # no label drawn in the plot's area
    right = fig.layout.yaxis2
    assert right.side == "right" and right.overlaying == "y" and right.type == "log"
    assert tuple(right.range) == tuple(fig.layout.yaxis.range)
    lines = sorted(s.y0 for s in fig.layout.shapes if s.y0 == s.y1 and s.y0 > 1)
    assert sorted(right.tickvals) == lines  # a name at each dotted line's height
    # "a year" is not named: on a projector its name printed over "a career"'s
    assert [t.replace("<br>", " ") for t in right.ticktext] == [
        "a career",
        "the age of the universe",
    ]
    assert math.isclose(lines[0], 40 * 365.25)
