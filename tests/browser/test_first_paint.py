"""A fresh visit shows progress in a chart's place until the chart is drawn.

Streamlit's browser app loads the code that draws plotly charts and Graphviz
graphs only when a page first shows one. These tests hold that code back (with
Playwright's routing) so that the wait is long and certain, and check what a
student sees meanwhile: a box with a spinner and :data:`lib.ui.chart_code.DRAWING`,
gone once the chart is drawn. The last test checks that the Home page loads the
plotly code once its graph is drawn, and not before.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError
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
_CHUNK_REQUESTED_JS = """(name) => performance.getEntriesByType('resource')
  .some((e) => e.name.includes('/' + name + '.'))"""

_GRAPH = '[data-testid="stGraphVizChart"] svg'
_PLOTLY = ".js-plotly-plot .main-svg"
# (path, the chart code held back, what it draws, what else the page draws first)
VIEWS = [
    ("/Interventions", "PlotlyChart", _PLOTLY, _GRAPH),
    ("/Data", "PlotlyChart", _PLOTLY, _GRAPH),
    ("/", "GraphVizChart", _GRAPH, None),
]


class Held:
    """Requests for one chunk of chart code, held back until :meth:`release`."""

    def __init__(self, page: Any, chunk: str) -> None:
        self.routes: list[Any] = []
        self.released = False
        page.context.route(f"**/{chunk}.*.js", self._handle)

    def _handle(self, route: Any) -> None:
        if self.released:
            route.continue_()
        else:
            self.routes.append(route)

    def release(self) -> None:
        self.released = True
        for route in self.routes:
            with contextlib.suppress(PlaywrightError):  # a request the page gave up
                route.continue_()


@pytest.mark.parametrize(("path", "chunk", "drawn", "other"), VIEWS, ids=[v[0] for v in VIEWS])
def test_progress_is_shown_until_the_chart_is_drawn(
    page: Any,
    server_url: str,
    wait_for_app: Any,
    assert_no_errors: Any,
    path: str,
    chunk: str,
    drawn: str,
    other: str | None,
) -> None:
    held = Held(page, chunk)
    page.goto(server_url + path)
    wait_for_app(page)  # the server's run has finished; the chart code has not arrived
    assert_no_errors(page)
    if other is not None:  # the page's other charts are drawn
        expect(page.locator(other).first).to_be_visible(timeout=30_000)
    assert held.routes, f"the page never asked for its chart code ({chunk})"
    assert page.locator(drawn).count() == 0
    slot = page.locator('.stPrintGraphic > [data-testid="stSkeleton"]').first
    expect(slot).to_be_attached()

    # the box is laid out a frame or two after its place is attached: wait for it
    with contextlib.suppress(PlaywrightError):
        page.wait_for_function(f"() => ({_WAITING_TEXT_JS})().length > 0", timeout=10_000)
    waiting = page.evaluate(_WAITING_TEXT_JS)
    assert waiting, "no chart's place says that it is being drawn"
    assert all(DRAWING in w["text"] for w in waiting)
    assert all(w["height"] >= 150 for w in waiting), waiting  # a box, not a faint bar
    # the first one is on screen when scrolled to, with its spinner turning
    slot.scroll_into_view_if_needed()
    expect(slot).to_be_visible()
    spinner = slot.evaluate("(e) => getComputedStyle(e, '::before').animationName")
    assert spinner == "lab-drawing-spin"

    held.release()
    expect(page.locator(drawn).first).to_be_visible(timeout=30_000)
    wait_for_app(page)
    deadline = time.monotonic() + 30
    while page.evaluate(_WAITING_TEXT_JS) and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert page.evaluate(_WAITING_TEXT_JS) == [], "progress still shown after the charts"
    assert_no_errors(page)


def test_home_loads_the_plotly_code_after_its_graph(
    page: Any, server_url: str, wait_for_app: Any
) -> None:
    held = Held(page, "GraphVizChart")
    page.goto(server_url + "/")
    wait_for_app(page)
    page.wait_for_timeout(1500)
    # the graph is not drawn yet: the plotly code must not compete with it
    assert held.routes
    assert not page.evaluate(_CHUNK_REQUESTED_JS, "PlotlyChart")
    held.release()
    expect(page.locator(_GRAPH).first).to_be_visible(timeout=30_000)
    # then, with no plotly chart on the page, the browser fetches the plotly code
    deadline = time.monotonic() + 15
    while not page.evaluate(_CHUNK_REQUESTED_JS, "PlotlyChart"):
        assert time.monotonic() < deadline, "the Home page never loaded the plotly code"
        page.wait_for_timeout(100)
