"""Charts that fit their screen: the style's helpers that wrap titles, thin projected ticks,
let a figure be taller on a projector, and lay a scatter matrix's pairs out as panels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from lib.figures import charts, style
from tests.figures import assert_plain_and_valid


def _lines(text: str) -> list[str]:
    return text.split("<br>")


@pytest.mark.parametrize(
    "text",
    [
        "intervention strength (0 = none, 1 = full)",
        "test sample: before the change, and after it",
        "change in relief (UPDRS points)<br>per one-SD change",
        "a-very-long-single-word-that-cannot-be-broken-anywhere",
        "short",
    ],
)
@pytest.mark.parametrize("width", [18, 30, 40])
def test_a_wrapped_title_keeps_its_words_and_fits_where_a_space_allows(text: str, width: int):
    wrapped = style.wrap_title(text, width)
    assert wrapped.replace("<br>", " ").split() == text.replace("<br>", " ").split()
    for line in _lines(wrapped):
        assert len(line) <= width or " " not in line  # only an unbreakable word is longer


def test_a_title_breaks_before_its_unit_first():
    assert style.wrap_title("predicted relief (UPDRS points)", 18) == (
        "predicted relief<br>(UPDRS points)"
    )


def test_fit_titles_wraps_every_axis_and_leaves_the_figure_alone():
    fig = {
        "data": [{"type": "scatter", "x": [1, 2], "y": [3, 4], "xaxis": "x2", "yaxis": "y2"}],
        "layout": {
            "xaxis": {"title": {"text": "x " * 30}},
            "xaxis2": {"title": {"text": "intervention strength (0 = none, 1 = full)"}},
            "yaxis2": {"title": {"text": "RMSE (lower is better)"}},
        },
    }
    before = repr(fig)
    fitted = style.fit_titles(fig, x_chars=30, y_chars=18)
    assert repr(fig) == before
    assert fitted["layout"]["xaxis2"]["title"]["text"] == (
        "intervention strength<br>(0 = none, 1 = full)"
    )
    assert fitted["layout"]["yaxis2"]["title"]["text"] == "RMSE<br>(lower is better)"
    assert all(len(line) <= 30 for line in _lines(fitted["layout"]["xaxis"]["title"]["text"]))
    go.Figure(fitted)  # plotly accepts it


def _bars(height: int) -> style.Figure:
    fig = {"data": [{"type": "bar", "x": ["a", "b"], "y": np.array([1.0, 9.0])}], "layout": {}}
    return style.style(fig, "", "test", "RMSE (lower is better)", height)


@pytest.mark.parametrize("height", [300, 460, 800])
def test_projected_y_ticks_fit_one_above_the_other(height: int):
    big = style.for_projector(style.plain(_bars(height)))
    layout = big["layout"]
    room = max(60, layout["height"] - 130)
    font = layout["yaxis"]["tickfont"]["size"]
    assert 2 <= layout["yaxis"]["nticks"] <= max(2, room / (2 * font))
    assert "nticks" not in layout["xaxis"]  # the categories keep every label
    assert_plain_and_valid(big)


def test_a_figure_may_ask_for_more_height_on_a_projector():
    fig = _bars(480)
    assert style.for_projector(style.plain(fig))["layout"]["height"] == style.PROJECTOR_HEIGHT
    style.projector_height(fig, 460)
    assert style.for_projector(style.plain(fig))["layout"]["height"] == 460
    assert_plain_and_valid(fig)


def test_a_colour_bar_in_a_row_stands_upright_on_a_projector():
    fig = charts.page_heatmap(pd.DataFrame({"a": [1.0, 2, 3], "b": [2.0, 1, 0], "c": [0, 1, 3]}))
    assert fig["data"][0]["colorbar"]["orientation"] == "h"
    big = style.for_projector(style.plain(fig))
    bar = big["data"][0]["colorbar"]
    assert "orientation" not in bar and bar["tickfont"]["size"] >= style.PROJECTOR_MIN_FONT
    assert big["layout"]["height"] > style.PROJECTOR_HEIGHT
    assert_plain_and_valid(big)


@pytest.mark.parametrize(("per_row", "width", "scale"), [(2, 340, 1.0), (5, 1180, 1.5)])
def test_pair_panels_show_every_pair_of_the_matrix(per_row: int, width: int, scale: float):
    rng = np.random.default_rng(3)
    df = pd.DataFrame(rng.normal(size=(300, 4)), columns=["a", "b", "c", "t"])
    columns = ["a", "b", "c", "t"]
    matrix = charts.scatter_matrix(df, columns, {"a": "mg"}, highlight="t", max_points=200)
    panels = charts.pair_panels(
        df, columns, {"a": "mg"}, "t", per_row, width, scale, max_points=200
    )
    assert_plain_and_valid(panels)
    assert_plain_and_valid(style.for_projector(style.plain(panels)))
    dims = matrix["data"][0]["dimensions"]
    pairs = [(trace["x"], trace["y"]) for trace in panels["data"]]
    expected = [(dims[i]["values"], dims[j]["values"]) for i in range(4) for j in range(i + 1, 4)]
    assert len(pairs) == len(expected) == 6
    for (x, y), (ex, ey) in zip(pairs, expected, strict=True):
        np.testing.assert_array_equal(x, ex)
        np.testing.assert_array_equal(y, ey)
    layout = panels["layout"]
    assert layout["xaxis"]["title"]["text"] == "a<br>(mg)"
    # panels of a row never share their room
    for n in range(1, 6):
        left, right = layout[f"xaxis{n}" if n > 1 else "xaxis"], layout[f"xaxis{n + 1}"]
        if right["domain"][0] > left["domain"][0]:
            assert left["domain"][1] < right["domain"][0]


def test_pair_panels_need_a_row():
    df = pd.DataFrame({"a": [1.0, 2], "b": [2.0, 3]})
    with pytest.raises(ValueError, match="per_row"):
        charts.pair_panels(df, ["a", "b"], per_row=0)
