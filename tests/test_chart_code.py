"""The chart code's progress and early loading (lib/ui/chart_code.py), without a browser."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from lib.ui import chart_code
from tests.apptest import open_page

ROOT = Path(__file__).resolve().parents[1]


def test_streamlits_chart_code_is_found() -> None:
    # A Streamlit upgrade that renames its chart code would silently stop the early
    # loading (the progress would still show): this test says so instead.
    chunks = chart_code.chart_chunks()
    assert [c.split(".")[0] for c in chunks] == ["PlotlyChart", "GraphVizChart"]
    js = Path(st.__file__).parent / "static" / "static" / "js"
    main = "".join(p.read_text(errors="replace") for p in js.glob("index.*.js"))
    for chunk in chunks:
        assert f"./{chunk}" in main  # Streamlit imports it by this address


def test_the_preload_script_names_the_chunks_and_waits_for_the_page() -> None:
    script = chart_code.preload_script()
    assert script is not None
    for chunk in chart_code.chart_chunks():
        assert f'"./{chunk}"' in script
    assert "requestIdleCallback" in script
    assert ".stPrintGraphic" in script  # waits while a chart waits to be drawn
    # a slip in the script stops it silently in the browser: at least its brackets pair up
    body = script.split("<script>")[1].split("</script>")[0]
    for opening, closing in ("()", "{}", "[]"):
        assert body.count(opening) == body.count(closing), (opening, closing)


def test_progress_css_says_what_is_happening() -> None:
    css = chart_code.progress_css()
    assert f'"{chart_code.DRAWING}"' in css
    assert "@keyframes lab-drawing-spin" in css
    assert ".st-key-lab_chart_code" in css  # the script's container takes no room


def test_every_page_draws_the_progress_style_and_the_script_once() -> None:
    at = open_page("pages/2_Models.py")
    assert not at.exception
    scripts = [h for h in at.get("html") if "__labChartCode" in h.proto.body]
    assert len(scripts) == 1 and scripts[0].proto.unsafe_allow_javascript
    styles = [h for h in at.get("html") if chart_code.DRAWING in h.proto.body]
    assert len(styles) == 1
