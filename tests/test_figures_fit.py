"""Invariance and Attribution charts laid out to fit a projector and a phone.

The browser measures the charts themselves (tests/browser/test_chart_fit.py); these
tests keep what makes them fit: legends below the plot (their height reserved by
plotly) or beside it, short lines in titles, legends and tick labels, few ticks,
and the ICP lattice replaced where its boxes cannot fit (a projector, a narrow
column). Numbers a chart writes (the noise on the experiment's y axis) are read back.
"""

from __future__ import annotations

import json
from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from lib.figures import attribution as fa
from lib.figures import invariance as ip
from lib.figures.charts import rmse_bars
from lib.figures.fit import LEGEND_BELOW, legend_below, wrapped
from tests.figures import assert_plain_and_valid


def lines(text: str) -> list[str]:
    """A label's lines as they read (plotly's escapes undone)."""
    raw = str(text)
    for code, char in (("&#123;", "{"), ("&#125;", "}"), ("&lt;", "<"), ("&gt;", ">")):
        raw = raw.replace(code, char)
    return raw.replace("&amp;", "&").split("<br>")


@pytest.mark.parametrize("chars", [8, 16, 30])
def test_wrapped_lines_fit_unless_a_word_is_longer(chars: int) -> None:
    text = "the causes' set {motive, opportunity}, on the full intervention <b>"
    out = wrapped(text, chars)
    assert "<b>" not in out and "&#123;" in out  # each line made inert for plotly
    for line in lines(out):
        assert len(line) <= chars or " " not in line
    assert out.replace("<br>", " ").count("motive") == 1


def test_legend_below_reserves_its_height_under_the_chart() -> None:
    fig = legend_below({"data": [], "layout": {}}, traceorder="normal")
    legend = fig["layout"]["legend"]
    assert legend["yref"] == "container" and legend["y"] == 0 and legend["yanchor"] == "bottom"
    assert legend["traceorder"] == "normal" and fig["layout"]["margin"]["b"] < 20
    assert LEGEND_BELOW["orientation"] == "h"


def _worlds() -> tuple[pd.DataFrame, list[str], list[str]]:
    seen = ["clinic A: no Tylenol", "clinic B: 40% take Tylenol", "clinic D: 40% take amantadine"]
    new = ["Tylenol", "Dopamine agonist"]
    rows = [
        {"model": m, "kind": k, "test": w, "rmse": 1.0 + i + j}
        for i, w in enumerate(seen + new)
        for j, (m, k) in enumerate([("Pooled", "predictive"), ("ICP", "causal")])
    ]
    return pd.DataFrame(rows), seen, new


def test_fresh_world_bars_on_a_projector_keep_level_short_lines_and_one_legend_row() -> None:
    results, seen, new = _worlds()
    fig = ip.fresh_world_bars(results, seen, new, unit="UPDRS points", projector=True)
    assert_plain_and_valid(fig)
    x = fig["layout"]["xaxis"]
    assert x["tickangle"] == 0
    assert all(len(line) <= ip.TICK_LINE_CHARS for t in x["ticktext"] for line in lines(t))
    assert not any("legendgrouptitle" in t for t in fig["data"])
    assert fig["layout"]["legend"]["traceorder"] == "normal"
    assert fig["layout"]["yaxis"]["nticks"] <= 3
    # the groups' names above the plot, the legend below it
    groups = [a for a in fig["layout"]["annotations"] if a.get("yref") == "paper"]
    assert [a["yanchor"] for a in groups] == ["bottom", "bottom"]
    assert fig["layout"]["legend"]["yref"] == "container"


def test_fresh_world_bars_elsewhere_name_each_world_on_one_line() -> None:
    results, seen, new = _worlds()
    fig = ip.fresh_world_bars(results, seen, new, unit="UPDRS points")
    assert_plain_and_valid(fig)
    assert not any("<br>" in t for t in fig["layout"]["xaxis"]["ticktext"])
    assert "tickangle" not in fig["layout"]["xaxis"]  # plotly turns them upright on a phone
    assert fig["layout"]["legend"]["traceorder"] == "grouped"


def test_sweep_charts_wrap_their_titles_and_legend_entries() -> None:
    sweep = pd.DataFrame(
        {
            "strength": [0.0, 1.0] * 2,
            "set": ["every feature"] * 2 + ["the causes' set {motive, opportunity}"] * 2,
            "pvalue": [0.5, 1e-6, 0.6, 0.4],
        }
    )
    label = "strongest shift of the dose ICP saw (1 = 3 SD), in the environments"
    figs = [ip.pvalue_vs_strength(sweep, 0.05, strength_label=label, at=0.5)]
    err = sweep.rename(columns={"set": "model", "pvalue": "rmse"}).assign(kind="causal")
    figs.append(ip.ood_error_vs_strength(err, strength_label=label, at=0.5, kinds_named=False))
    for fig in figs:
        assert_plain_and_valid(fig)
        for line in lines(fig["layout"]["xaxis"]["title"]["text"]):
            assert len(line) <= ip.X_TITLE_CHARS
        for line in lines(fig["layout"]["yaxis"]["title"]["text"]):
            assert len(line) <= ip.TITLE_LINE_CHARS
        for trace in fig["data"]:
            if trace.get("name"):
                assert all(len(line) <= ip.TITLE_LINE_CHARS for line in lines(trace["name"]))
    names = [t["name"] for t in figs[1]["data"]]
    assert not any("(causal)" in n for n in names)  # kinds_named=False


def test_ranked_sets_narrow_wrap_names_and_grow_each_row() -> None:
    names = ["dose", "dopamine_scan", "headache", "dyskinesia"]
    pvals = {
        frozenset(c): 0.9 / (1 + k + i)
        for k in range(5)
        for i, c in enumerate(combinations(names, k))
    }
    wide = ip.ranked_sets_figure(pvals, names, 0.05, top=16)
    narrow = ip.ranked_sets_figure(pvals, names, 0.05, top=16, line_chars=22)
    for fig in (wide, narrow):
        assert_plain_and_valid(fig)
    assert narrow["layout"]["height"] > wide["layout"]["height"]
    text = narrow["layout"]["yaxis"]["ticktext"]
    assert all(len(line) <= 22 for t in text for line in lines(t))
    assert len(narrow["layout"]["xaxis"]["tickvals"]) == 3
    # the same sets, in the same order, as the bars
    assert narrow["layout"]["yaxis"]["tickvals"] == list(narrow["data"][0]["y"])


def test_log_ticks_are_few_and_inside_the_range() -> None:
    for low, high in [(0.03, 1.5), (0.02, 0.5), (0.15, 0.6), (0.001, 0.2), (0.2, 30.0)]:
        ticks = fa.log_ticks(low, high)
        assert len(ticks) <= fa.MAX_LOG_TICKS
        assert all(low <= t <= high for t in ticks)
        assert ticks == sorted(ticks)


def _scores() -> pd.DataFrame:
    models = [
        ("Least squares", "predictive"),
        ("Ridge", "predictive"),
        ("Rashomon set · most wrong about B", "predictive"),
        ("Least squares · A (the causes)", "causal"),
    ]
    return pd.DataFrame(
        [
            {"model": m, "kind": k, "test": t, "rmse": 1.0 + 0.5 * i * (t == "Drive B")}
            for t in ("observational", "Drive B")
            for i, (m, k) in enumerate(models)
        ]
    )


@pytest.mark.parametrize("noise", [1.0, 0.734])
def test_experiment_bars_on_a_projector_name_the_noise_at_its_line(noise: float) -> None:
    fig = fa.experiment_bars(rmse_bars(_scores(), ""), noise, "N", projector=True)
    assert_plain_and_valid(fig)
    y = fig["layout"]["yaxis"]
    assert y["tickvals"] == [0.0, noise]
    shown = float(y["ticktext"][1].split()[-1])
    assert shown == pytest.approx(noise, abs=0.005)  # the number on the axis is the noise
    line = [s for s in fig["layout"]["shapes"] if s.get("yref") == "y"]
    assert line[-1]["y0"] == noise
    assert fig["data"][-1]["showlegend"] is False
    assert fig["layout"]["legend"]["orientation"] == "v"
    assert not any("legendgrouptitle" in t for t in fig["data"])


def test_experiment_bars_elsewhere_keep_the_noise_in_the_legend_below() -> None:
    fig = fa.experiment_bars(rmse_bars(_scores(), ""), 1.0, "N")
    assert_plain_and_valid(fig)
    assert fig["layout"]["legend"]["yref"] == "container"
    assert "1.00" in fig["data"][-1]["name"]
    assert fig["layout"]["yaxis"]["title"]["text"] == "RMSE (N)"
    assert fig["layout"]["xaxis"]["title"]["text"] == ""


def test_attribution_sweep_charts_put_their_legends_below() -> None:
    rhos = [0.0, 0.5, 0.9, 0.99]
    sweep = pd.DataFrame(
        [
            {"rho": r, "model": m, "r2": 0.8, "best_r2": 0.81, "spread": 0.05 / np.sqrt(1 - r * r)}
            for r in rhos
            for m in ("Least squares", "Ridge")
        ]
    ).assign(se=lambda d: d["spread"] * 1.02)
    for fig in (fa.r2_sweep_figure(sweep, 0.99), fa.spread_figure(sweep, 0.99)):
        spec = json.loads(fig.to_json())
        assert spec["layout"]["legend"]["yref"] == "container"
        assert len(spec["layout"]["title"]["text"]) <= 24  # a phone's chart, 20 px type
    ticks = fa.spread_figure(sweep, 0.99).layout.yaxis.tickvals
    assert len(ticks) <= fa.MAX_LOG_TICKS


def _charts(at: object) -> dict[str, dict]:
    """The page's plotly charts by their widget key (the end of the element's id)."""
    out = {}
    for c in at.get("plotly_chart"):  # type: ignore[attr-defined]
        key = c.proto.id.split("-", 2)[-1] if c.proto.id else ""
        out[key] = json.loads(c.proto.spec)
    return out


def test_invariance_lattice_has_a_narrow_stand_in_and_top_sets_on_a_projector() -> None:
    from tests.apptest import assert_clean, open_page

    at = open_page("pages/4_Invariance.py")
    assert_clean(at)
    charts = _charts(at)
    lattice, narrow = charts["icp_fig_main"], charts["icp_narrow_main"]
    boxes = [a for a in lattice["layout"]["annotations"] if "borderwidth" in a]
    assert len(boxes) in (2, 4, 8, 16, 32)  # every set, one box each
    assert narrow["data"][0]["orientation"] == "h"
    assert len(narrow["data"][0]["y"]) == min(16, len(boxes))

    at = open_page("pages/4_Invariance.py", present="1")
    assert_clean(at)
    charts = _charts(at)
    assert "icp_narrow_main" not in charts
    top = charts["icp_fig_main"]
    assert top["data"][0]["type"] == "bar" and len(top["data"][0]["y"]) <= 5
    at = open_page("pages/4_Invariance.py", present="1", section="fresh")  # its own slide
    assert_clean(at)
    assert _charts(at)["held_out"]["layout"]["xaxis"]["tickangle"] == 0


def test_attribution_experiment_chart_on_a_projector_has_its_legend_beside() -> None:
    from tests.apptest import assert_clean, open_page

    at = open_page("pages/5_Attribution.py", present="1")
    assert_clean(at)
    settle = _charts(at)["attr_settle"]
    assert settle["layout"]["legend"]["orientation"] == "v"
    at = open_page("pages/5_Attribution.py")
    assert _charts(at)["attr_settle"]["layout"]["legend"]["yref"] == "container"
