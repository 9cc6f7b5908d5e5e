"""Tests for lib.figures.invariance: the Invariance page's figures."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from lib.figures import invariance as ip
from lib.figures.invariance import (
    ACCEPTED_EDGE,
    LATTICE_MAX_CANDIDATES,
    PVALUE_FLOOR,
    box_names,
    pvalue_color,
    set_label,
)
from lib.figures.style import BASE_FONT_SIZE, CAUSAL_COLOR, PREDICTIVE_COLOR, SMALL_FONT_SIZE
from lib.invariance.engine import icp
from tests.figures import validated

# Every figure read back through plotly's own (validating) figure class.
environment_error_bars = validated(ip.environment_error_bars)
lattice_figure = validated(ip.lattice_figure)
ood_error_vs_strength = validated(ip.ood_error_vs_strength)
power_curve = validated(ip.power_curve)
pvalue_vs_strength = validated(ip.pvalue_vs_strength)
ranked_sets_figure = validated(ip.ranked_sets_figure)


def all_sets(names: list[str], value=lambda s: 0.5) -> dict[frozenset[str], float]:
    return {
        frozenset(c): value(frozenset(c))
        for k in range(len(names) + 1)
        for c in combinations(names, k)
    }


def fonts(fig: go.Figure) -> list[float]:
    """Every explicit font size in the figure (layout, axes, annotations, traces)."""
    sizes: list[float] = []

    def walk(obj: object) -> None:
        if isinstance(obj, dict):
            for k, v in obj.items():
                named = k in ("font", "tickfont", "title_font", "textfont")
                if named and isinstance(v, dict) and v.get("size") is not None:
                    sizes.append(float(v["size"]))
                walk(v)
        elif isinstance(obj, list | tuple):
            for v in obj:
                walk(v)

    walk(fig.to_plotly_json())
    return sizes


# ----------------------------------------------------------------------------- lattice


def test_set_label_orders_names_and_names_the_empty_set() -> None:
    assert set_label(frozenset({"b", "a"}), ["b", "a"]) == "b, a"
    assert set_label(frozenset()) == "∅ (none)"


def test_box_names_shorten_long_names_and_stay_distinct() -> None:
    short = box_names(["motive", "sinister_description", "chapter_of_first_appearance"])
    assert short == {
        "motive": "motive",
        "sinister_description": "sinister…",
        "chapter_of_first_appearance": "chapter_of…",
    }
    clash = box_names(["first_part_a_long_name", "first_part_b_long_name", "same_start_xx_end"])
    assert len(set(clash.values())) == 3
    twins = box_names(["abcdefghij_klmnop_1", "abcdefghij_klmnop_2"])
    assert len(set(twins.values())) == 2


def test_pvalue_colours_run_from_pale_to_causal_blue() -> None:
    assert pvalue_color(1.0) == pvalue_color(1.0)
    top = pvalue_color(1.0).replace(" ", "")
    r, g, b = (int(x) for x in top[4:-1].split(","))
    assert (r, g, b) == tuple(int(CAUSAL_COLOR[i : i + 2], 16) for i in (1, 3, 5))
    assert pvalue_color(PVALUE_FLOOR / 10) == pvalue_color(0.0)  # clipped at the floor
    assert pvalue_color(float("nan")) == pvalue_color(0.0)


def test_lattice_has_one_box_per_subset_and_highlights_accepted_ones() -> None:
    names = ["x", "y", "z"]
    values = all_sets(names, lambda s: 0.6 if "x" in s else 0.001)
    fig = lattice_figure(values, names, 0.05)
    boxes = fig.layout.annotations
    assert len(boxes) == 2 ** len(names)
    accepted = [a for a in boxes if a.bordercolor == ACCEPTED_EDGE]
    assert len(accepted) == 4  # every set with x
    assert all(a.text.startswith("✓") and "x" in a.text for a in accepted)
    assert sorted(fig.layout.meta["accepted"]) == sorted(["x", "x, y", "x, z", "x, y, z"])
    # columns by size: the empty set at x = 0, the full set at x = 3
    empty = next(a for a in boxes if "none" in a.text)
    assert empty.x == 0
    assert max(a.x for a in boxes) == len(names)
    # the hover trace carries the colour bar, with alpha marked on it
    markers = [t for t in fig.data if t.mode == "markers"][0]
    assert markers.marker.showscale
    assert any("α = 0.05" in t for t in markers.marker.colorbar.ticktext)


def test_lattice_edges_join_sets_one_predictor_apart() -> None:
    names = ["a", "b", "c", "d"]
    fig = lattice_figure(all_sets(names), names, 0.05)
    lines = [t for t in fig.data if t.mode == "lines"][0]
    n_edges = sum(1 for v in lines.x if v is None)
    assert n_edges == len(names) * 2 ** (len(names) - 1)  # edges of a hypercube


def test_lattice_refuses_too_many_candidates() -> None:
    names = [f"v{i}" for i in range(LATTICE_MAX_CANDIDATES + 1)]
    with pytest.raises(ValueError, match="ranked"):
        lattice_figure({}, names, 0.05)


def test_lattice_marks_untested_sets_and_escapes_names() -> None:
    fig = lattice_figure({frozenset(): 0.2}, ["<b>x</b>"], 0.05)
    texts = [a.text for a in fig.layout.annotations]
    assert any("&lt;b&gt;" in t for t in texts)
    hover = [t for t in fig.data if t.mode == "markers"][0].hovertext
    assert any("not tested" in h for h in hover)


def test_lattice_from_a_real_icp_result() -> None:
    rng = np.random.default_rng(0)
    parts = []
    for e, dx in enumerate([0.0, 2.0, -1.0]):
        x = dx + rng.normal(0, 1, 600)
        y = 1.5 * x + rng.normal(0, 1, 600)
        z = y + rng.normal(0, 0.5 + e, 600)
        parts.append(pd.DataFrame({"x": x, "y": y, "z": z, "env": e}))
    res = icp(pd.concat(parts, ignore_index=True), "y", "env")
    fig = lattice_figure(res.set_pvalues, res.candidates, res.alpha)
    assert fig.layout.meta["accepted"] == ["x"]
    assert min(fonts(fig)) >= SMALL_FONT_SIZE
    assert fig.layout.font.size == BASE_FONT_SIZE
    assert fig.layout.xaxis.title.text  # an axis title


# ----------------------------------------------------------------------------- ranked


def test_ranked_sets_largest_first_coloured_by_verdict() -> None:
    names = [f"v{i}" for i in range(7)]
    values = all_sets(names, lambda s: 0.9 if s == {"v0"} else (0.2 if "v0" in s else 1e-9))
    fig = ranked_sets_figure(values, names, 0.05, top=5)
    bar = fig.data[0]
    assert len(bar.y) == 5
    assert bar.y[0] == "v0"
    assert list(bar.marker.color).count(CAUSAL_COLOR) == 5
    assert min(bar.x) >= PVALUE_FLOOR
    assert fig.layout.xaxis.type == "log"


def test_ranked_sets_from_a_table_and_input_checks() -> None:
    table = pd.DataFrame({"set": ["a", "∅"], "pvalue": [0.01, 0.5]})
    fig = ranked_sets_figure(table, ["a"], 0.05)
    assert list(fig.data[0].y) == ["∅ (none)", "a"]
    assert list(fig.data[0].marker.color) == [CAUSAL_COLOR, "#BDBDBD"]
    with pytest.raises(ValueError):
        ranked_sets_figure({}, [], 0.05)
    with pytest.raises(ValueError):
        ranked_sets_figure(table, ["a"], 1.5)


# ----------------------------------------------------------------------------- sweeps


def test_pvalue_vs_strength_one_line_per_set_clipped_on_a_log_axis() -> None:
    sweep = pd.DataFrame(
        {
            "strength": [0, 0.5, 1, 0, 0.5, 1],
            "set": ["spurious"] * 3 + ["causal"] * 3,
            "pvalue": [0.6, 0.01, 0.0, 0.7, 0.5, 0.8],
        }
    )
    fig = pvalue_vs_strength(sweep, 0.05, at=0.5)
    assert [t.name for t in fig.data] == ["spurious", "causal"]
    assert min(fig.data[0].y) == PVALUE_FLOOR  # a p-value of 0 stays on the log axis
    assert fig.layout.yaxis.type == "log"
    shapes = fig.layout.shapes
    assert any(s.type == "line" and s.y0 == 0.05 for s in shapes)  # alpha
    assert any(s.type == "line" and s.x0 == 0.5 for s in shapes)  # you are here
    with pytest.raises(ValueError):
        pvalue_vs_strength(sweep.drop(columns="pvalue"), 0.05)


def annotation(fig: go.Figure, text: str):  # noqa: ANN201 - a plotly annotation
    found = [a for a in fig.layout.annotations if a.text == text]
    assert found, [a.text for a in fig.layout.annotations]
    return found[0]


@pytest.mark.parametrize("at", [0.05, 1.0])
def test_pvalue_chart_labels_stay_clear_of_ticks_and_lines(at: float) -> None:
    """Seen at 1024 px: "you are here" over the p = 1 line and the "1" tick, "α = 0.05"
    over the tick labels, "100μ" for 1e-4."""
    sweep = pd.DataFrame(
        {
            "strength": [0.05, 0.5, 1.0] * 2,
            "set": ["every feature"] * 3 + ["true parents"] * 3,
            "pvalue": [0.6, 1e-9, 0.003, 1.0, 1.0, 1.0],
        }
    )
    fig = pvalue_vs_strength(sweep, 0.05, at=at)
    assert list(fig.layout.yaxis.ticktext) == ["≤ 0.0001", "0.001", "0.01", "0.1", "1"]
    assert not any("μ" in t for t in fig.layout.yaxis.ticktext)
    here = annotation(fig, "you are here")
    assert here.yref == "y" and here.y > 0.3  # above p = 1 (log10 = 0), in the headroom
    assert here.yanchor == "top" and fig.layout.yaxis.range[1] >= here.y
    for text in ("α = 0.05", "rejected"):
        label = annotation(fig, text)
        # inside the plot (data x), never on the tick labels, left of "you are here"
        assert label.xref == "x" and 0.0 <= label.x <= 1.0 and label.xanchor == "right"
        assert label.x <= max(at, 1.0)
        if at > 0.6:
            assert label.x == at


def test_error_charts_label_above_the_data_and_keep_titles_short() -> None:
    sweep = pd.DataFrame(
        {
            "model": ["every feature"] * 2 + ["true parents"] * 2,
            "kind": ["predictive"] * 2 + ["causal"] * 2,
            "strength": [0.05, 1.0] * 2,
            "rmse": [1.0, 1.5, 6.2, 6.2],
        }
    )
    fig = ood_error_vs_strength(sweep, at=1.0, unit="UPDRS points")
    here = annotation(fig, "you are here")
    assert here.y > 6.2 and fig.layout.yaxis.range[1] >= here.y
    bars = environment_error_bars(
        pd.DataFrame(
            {
                "model": ["pooled", "icp"],
                "kind": ["predictive", "causal"],
                "test": ["A", "A"],
                "rmse": [2.0, 1.0],
            }
        ),
        unit="UPDRS points",
    )
    for title in (fig.layout.yaxis.title.text, bars.layout.yaxis.title.text):
        assert "UPDRS points" in title
        # a 440 px chart fits about 30 characters of 16 px type along its y axis
        assert max(len(line) for line in title.split("<br>")) <= 30, title


def test_ood_error_keeps_the_kind_colours() -> None:
    sweep = pd.DataFrame(
        {
            "model": ["pooled", "pooled", "icp", "icp"],
            "kind": ["predictive", "predictive", "causal", "causal"],
            "strength": [0, 1, 0, 1],
            "rmse": [1.0, 3.0, 1.2, 1.2],
        }
    )
    fig = ood_error_vs_strength(sweep, at=0.3, unit="UPDRS points")
    colors = {t.name: t.line.color for t in fig.data}
    assert colors["pooled (predictive)"] == PREDICTIVE_COLOR
    assert colors["icp (causal)"] == CAUSAL_COLOR
    assert "UPDRS points" in fig.layout.yaxis.title.text


def test_power_curve_rates_with_wilson_intervals() -> None:
    power = pd.DataFrame(
        {
            "strength": [0, 0.5, 1, 0, 0.5, 1],
            "outcome": ["found the parents"] * 3 + ["named a non-parent"] * 3,
            "rate": [0.0, 0.5, 1.0, 0.0, 0.05, 0.02],
            "reps": [20] * 6,
        }
    )
    fig = power_curve(power, alpha=0.05)
    first = fig.data[0]
    assert first.line.color == CAUSAL_COLOR
    up, down = np.asarray(first.error_y.array), np.asarray(first.error_y.arrayminus)
    assert np.all(up >= 0) and np.all(down >= 0)
    assert up[0] > 0 and down[0] == 0  # 0 of 20: the interval is [0, ~0.16]
    assert up[0] == pytest.approx(0.1611, abs=1e-3)
    assert fig.layout.yaxis.tickformat == ".0%"


def test_environment_bars_label_the_environments() -> None:
    results = pd.DataFrame(
        {
            "model": ["pooled", "icp"],
            "kind": ["predictive", "causal"],
            "test": ["clinic C", "clinic C"],
            "rmse": [2.0, 1.0],
        }
    )
    fig = environment_error_bars(results, environment_label="held-out clinic", unit="points")
    assert fig.layout.xaxis.title.text == "held-out clinic"
    assert [t.marker.color for t in fig.data] == [PREDICTIVE_COLOR, CAUSAL_COLOR]


def test_ranked_sets_all_below_the_floor_still_show_bars_and_say_so() -> None:
    """RAND's chart had 15 bars all below 0.0001 and showed nothing."""
    import math

    pvals = {frozenset({f"x{i}"}): 1e-9 * (i + 1) for i in range(15)}
    fig = ranked_sets_figure(pvals, [f"x{i}" for i in range(15)], 0.05)
    low = fig.layout.xaxis.range[0]
    assert low < math.log10(PVALUE_FLOOR)  # the bars at the floor have a visible length
    assert any("all rejected" in a.text for a in fig.layout.annotations)
    some = ranked_sets_figure({frozenset({"a"}): 0.3, frozenset(): 1e-6}, ["a"], 0.05)
    assert not any("all rejected" in (a.text or "") for a in some.layout.annotations)
