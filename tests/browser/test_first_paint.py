"""A fresh visit shows progress in a chart's place until the chart is drawn.

Streamlit's browser app loads the code that draws plotly charts and Graphviz
graphs only when a page first shows one. These tests hold that code back (with
Playwright's routing) so that the wait is long and certain, and check what a
student sees meanwhile: a box with a spinner and :data:`lib.ui.chart_code.DRAWING`,
gone once the chart is drawn. The last test checks that the Home page loads the
plotly code once its graph is drawn, and not before.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import expect

from lib.ui.chart_code import DRAWING

# The chart places that still wait (the same selectors as lib/ui/chart_code.py), with
# what their ::after says: the test reads what the browser shows, not the style sheet.
_WAITING_TEXT_JS = """() => Array.from(document.querySelectorAll(
    '.stPrintGraphic > [data-testid="stSkeleton"], [data-testid="stPlotlyChart"], '
    + '[data-testid="stGraphVizChart"]'))
  .filter((e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; })
  .map((e) => ({text: getComputedStyle(e, '::after').content,
                height: e.getBoundingClientRect().height}))
  .filter((w) => w.text.includes('Drawing'))"""
_DRAWN = '.js-plotly-plot .main-svg, [data-testid="stGraphVizChart"] svg'
_CHUNK_REQUESTED_JS = """(name) => performance.getEntriesByType('resource')
  .some((e) => e.name.includes('/' + name + '.'))"""

VIEWS = [
    ("/Interventions", "PlotlyChart"),
    ("/Data", "PlotlyChart"),
    ("/", "GraphVizChart"),
]


def _hold(page: Any, chunk: str) -> list[Any]:
    """Hold every request for the chart code ``chunk`` until released; return them."""
    held: list[Any] = []
    page.context.route(f"**/{chunk}.*.js", held.append)
    return held


def _release(held: list[Any], page: Any, chunk: str) -> None:
    page.context.unroute(f"**/{chunk}.*.js")
    for route in held:
        route.continue_()


@pytest.mark.parametrize(("path", "chunk"), VIEWS, ids=[v[0] for v in VIEWS])
def test_progress_is_shown_until_the_chart_is_drawn(
    page: Any, server_url: str, wait_for_app: Any, assert_no_errors: Any, path: str, chunk: str
) -> None:
    held = _hold(page, chunk)
    page.goto(server_url + path)
    wait_for_app(page)  # the server's run has finished; the chart code has not arrived
    assert_no_errors(page)
    assert held, f"the page never asked for its chart code ({chunk})"
    assert page.locator(_DRAWN).count() == 0

    waiting = page.evaluate(_WAITING_TEXT_JS)
    assert waiting, "no chart's place says that it is being drawn"
    assert all(DRAWING in w["text"] for w in waiting)
    assert all(w["height"] >= 150 for w in waiting), waiting  # a box, not a faint bar
    # the first one is on screen when scrolled to, with its spinner turning
    slot = page.locator('.stPrintGraphic > [data-testid="stSkeleton"]').first
    slot.scroll_into_view_if_needed()
    expect(slot).to_be_visible()
    spinner = slot.evaluate("(e) => getComputedStyle(e, '::before').animationName")
    assert spinner == "lab-drawing-spin"

    _release(held, page, chunk)
    expect(page.locator(_DRAWN).first).to_be_visible(timeout=30_000)
    wait_for_app(page)
    deadline = time.monotonic() + 30
    while page.evaluate(_WAITING_TEXT_JS) and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert page.evaluate(_WAITING_TEXT_JS) == [], "progress still shown after the charts"
    assert_no_errors(page)


def test_home_loads_the_plotly_code_after_its_graph(
    page: Any, server_url: str, wait_for_app: Any
) -> None:
    held = _hold(page, "GraphVizChart")
    page.goto(server_url + "/")
    wait_for_app(page)
    page.wait_for_timeout(1500)
    # the graph is not drawn yet: the plotly code must not compete with it
    assert not page.evaluate(_CHUNK_REQUESTED_JS, "PlotlyChart")
    _release(held, page, "GraphVizChart")
    expect(page.locator('[data-testid="stGraphVizChart"] svg').first).to_be_visible()
    # then, with no plotly chart on the page, the browser fetches the plotly code
    deadline = time.monotonic() + 15
    while not page.evaluate(_CHUNK_REQUESTED_JS, "PlotlyChart"):
        assert time.monotonic() < deadline, "the Home page never loaded the plotly code"
        page.wait_for_timeout(100)
