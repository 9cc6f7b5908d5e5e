"""Does every chart fit its screen? Measured in the browser, chart by chart.

:func:`chart_problems` reads every plotly chart and causal graph the page shows
and returns one sentence per fault:

- a text box of a chart (title, axis title, tick label, legend entry,
  annotation, bar label, colour bar) that overlaps another text box of the
  same chart;
- a text box cut by the chart's own box, by a clipping box around it (a
  scrolling legend, a column, the page) or by the window's edges;
- text smaller than ``min_px`` on screen (graph labels, chart text and table
  cells in the presenter view).

:func:`visit` walks a page as a reader would at one size: in the presenter
view every slide (pressing the slides' Next until there is none), elsewhere the
whole page with every folded section opened. ``python -m tests.browser.chart_fit
URL`` prints the faults of every page at both sizes against a running lab.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

#: The sizes a chart must fit: a projector in the presenter view, a phone.
PRESENTER = {"width": 1280, "height": 720}
PHONE = {"width": 390, "height": 844}
#: The smallest text a projected chart or graph may show, in CSS pixels.
PRESENTER_MIN_PX = 20.0

# Every chart's text boxes (screen coordinates) and its clipping boxes; then the faults.
CHART_FIT_JS = """(minPx) => {
  const faults = [];
  const vw = window.innerWidth;
  const visible = (e) => {
    for (let x = e; x && x.nodeType === 1; x = x.parentElement) {
      const s = getComputedStyle(x);
      if (s.display === 'none' || s.visibility === 'hidden' || parseFloat(s.opacity) === 0)
        return false;
    }
    return true;
  };
  const inter = (a, b) => ({left: Math.max(a.left, b.left), top: Math.max(a.top, b.top),
    right: Math.min(a.right, b.right), bottom: Math.min(a.bottom, b.bottom)});
  const area = (r) => Math.max(0, r.right - r.left) * Math.max(0, r.bottom - r.top);
  const rect = (e) => { const r = e.getBoundingClientRect();
    return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
  // the box an element can be seen in: its ancestors that clip, and the window's sides
  const clipOf = (e) => {
    let box = {left: 0, top: -1e9, right: vw, bottom: 1e9};
    // up to the page's scrolling section: what is above it clips the window, not the page
    const main = document.querySelector('[data-testid="stMain"]');
    for (let x = e.parentElement; x && x !== main && x !== document.body; x = x.parentElement) {
      const s = getComputedStyle(x);
      if (s.overflowX !== 'visible' || s.overflowY !== 'visible') {
        const r = rect(x);
        if (s.overflowX !== 'visible') { box.left = Math.max(box.left, r.left);
          box.right = Math.min(box.right, r.right); }
        if (s.overflowY !== 'visible' && s.overflowY !== 'auto' && s.overflowY !== 'scroll') {
          box.top = Math.max(box.top, r.top); box.bottom = Math.min(box.bottom, r.bottom); }
      }
    }
    return box;
  };
  const label = (t) => JSON.stringify((t.textContent || '').trim().slice(0, 40));
  const charts = Array.from(document.querySelectorAll(
    '[data-testid="stPlotlyChart"], [data-testid="stGraphVizChart"]'));
  charts.forEach((chart, i) => {
    if (!visible(chart)) return;
    const plot = chart.querySelector('.js-plotly-plot');
    const name = plot
      ? (plot.querySelector('.gtitle') || {}).textContent || `chart ${i + 1}`
      : `graph ${i + 1}`;
    const where = `${name.trim().slice(0, 50) || 'chart ' + (i + 1)}`;
    const own = plot ? rect(plot.querySelector('.main-svg') || plot) : rect(chart);
    const clip = clipOf(chart);
    const box = inter(own, clip);
    const texts = [];
    for (const t of chart.querySelectorAll('svg text')) {
      if (!(t.textContent || '').trim() || !visible(t)) continue;
      if (t.closest('.hoverlayer, .modebar, .zoomlayer')) continue;
      const r = rect(t);
      if (r.right - r.left < 1 || r.bottom - r.top < 1) continue;
      // a legend entry is seen inside its legend's box (a long legend scrolls)
      let seen = box;
      const legend = t.closest('.legend');
      if (legend) {
        const bg = legend.querySelector('rect.bg');
        if (bg) seen = inter(box, rect(bg));
      }
      texts.push({t, r, seen});
    }
    for (const {t, r, seen} of texts) {
      const cut = area(r) - area(inter(r, seen));
      if (cut > 0.15 * area(r) + 2 || r.right > seen.right + 3 || r.left < seen.left - 3)
        faults.push(`${where}: ${label(t)} is cut`);
      if (minPx) {
        const ctm = t.getScreenCTM();
        const px = parseFloat(getComputedStyle(t).fontSize) * (ctm ? Math.hypot(ctm.a, ctm.b) : 1);
        if (px < minPx - 0.5) faults.push(`${where}: ${label(t)} is ${px.toFixed(1)} px`);
      }
    }
    for (let a = 0; a < texts.length; a++) {
      for (let b = a + 1; b < texts.length; b++) {
        const o = inter(texts[a].r, texts[b].r);
        if (o.right - o.left > 2 && o.bottom - o.top > 2)
          faults.push(`${where}: ${label(texts[a].t)} overlaps ${label(texts[b].t)}`);
      }
    }
  });
  return faults;
}"""

# Every chart on the page has drawn (plotly has its svg, a graph its svg).
CHARTS_DRAWN_JS = """() => Array.from(document.querySelectorAll(
  '[data-testid="stPlotlyChart"], [data-testid="stGraphVizChart"]'))
  .every(c => c.querySelector('svg'))"""


# Table cells in type smaller than minPx (a grid is a canvas: tests/test_slides.py
# checks that no slide draws a read-only one).
TABLES_JS = """(minPx) => {
  const faults = [];
  for (const cell of document.querySelectorAll('[data-testid="stTable"] :is(th, td)')) {
    const px = parseFloat(getComputedStyle(cell).fontSize);
    if (cell.offsetWidth > 0 && (cell.textContent || '').trim() && px < minPx - 0.5)
      faults.push(`table cell ${JSON.stringify(cell.textContent.trim().slice(0, 30))} ` +
                  `is ${px.toFixed(1)} px`);
  }
  return faults;
}"""


def chart_problems(page: Any, min_px: float | None = None) -> list[str]:
    """The faults of every chart the page shows now (see the module's docstring); with
    ``min_px``, of its tables too."""
    page.wait_for_function(CHARTS_DRAWN_JS, timeout=30_000)
    faults = list(page.evaluate(CHART_FIT_JS, min_px or 0))
    if min_px:
        faults += page.evaluate(TABLES_JS, min_px)
    return faults


def _next_slide(page: Any) -> Any:
    buttons = page.locator(".st-key-slide_next button")
    for i in range(buttons.count()):
        b = buttons.nth(i)
        if b.is_visible() and b.is_enabled():
            return b
    return None


# How many elements the page shows, and whether any is stale (a run is under way).
_ELEMENTS_JS = """() => [document.querySelectorAll('[data-testid="stElementContainer"]').length,
  document.querySelectorAll('[data-stale="true"]').length]"""


def _drawn(page: Any, wait: Callable[[Any], None], still_s: float = 1.0) -> None:
    """Wait until the app is idle and its elements stop coming for ``still_s`` seconds
    (a page's first run may start a beat after the app reports itself idle)."""
    page.wait_for_selector('[data-testid="stMain"] :is(h1, h2)', timeout=60_000)
    last, since = None, time.monotonic()
    deadline = since + 60
    while time.monotonic() < deadline:
        wait(page)
        now = page.evaluate(_ELEMENTS_JS)
        if now != last or now[1]:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= still_s:
            return
        page.wait_for_timeout(100)


def _close_sidebar(page: Any, wait: Callable[[Any], None]) -> None:
    """Close the sidebar if it covers the page (a phone's first visit may open it)."""
    sidebar = page.locator('[data-testid="stSidebar"][data-collapsed="false"]')
    if sidebar.count() and sidebar.first.is_visible():
        page.locator('[data-testid="stSidebarCollapseButton"] button').first.click()
        page.locator('[data-testid="stSidebar"][data-collapsed="true"]').wait_for(
            state="attached", timeout=10_000
        )
        wait(page)


def visit(
    page: Any,
    url: str,
    *,
    presenter: bool,
    wait: Callable[[Any], None],
    settle: Callable[[Any], None],
    unfold: Callable[[Any], int],
    limit: int = 20,
) -> Iterator[tuple[str, list[str]]]:
    """Walk ``url`` as a reader would and yield ``(where, faults)`` per screen.

    ``presenter``: in the presenter view at 1280×720, one slide after another;
    else on a phone at 390×844, the whole page with its folded sections opened.
    ``wait`` waits for the app, ``settle`` for the layout, ``unfold`` opens the
    folded sections (the browser harness's helpers).
    """
    page.set_viewport_size(PRESENTER if presenter else PHONE)
    sep = "&" if "?" in url else "?"
    page.goto(url + (sep + "present=1" if presenter else ""))
    _drawn(page, wait)
    if presenter:
        for slide in range(1, limit + 1):
            settle(page)
            yield f"slide {slide}", chart_problems(page, PRESENTER_MIN_PX)
            button = _next_slide(page)
            if button is None:
                return
            button.click()
            _drawn(page, wait)
    else:
        _close_sidebar(page, wait)
        unfold(page)
        settle(page)
        yield "page", chart_problems(page)


def main(argv: list[str]) -> int:
    """Print every page's faults at both sizes: ``python -m tests.browser.chart_fit URL
    [PAGE ...]`` against a running lab (pages by path: ``Interventions``, ``""`` for Home)."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM_ARGS, _find_chromium, unfold, wait_for_app
    from tests.browser.conftest import wait_for_layout as settle

    base = argv[0].rstrip("/")
    pages = argv[1:] or [
        "",
        "Data",
        "Models",
        "Interventions",
        "Invariance",
        "Attribution",
        "Black_box",
    ]
    total = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_find_chromium(), args=CHROMIUM_ARGS)
        for name in pages:
            for presenter in (True, False):
                page = browser.new_page()
                walk = visit(
                    page,
                    f"{base}/{name}",
                    presenter=presenter,
                    wait=wait_for_app,
                    settle=settle,
                    unfold=unfold,
                )
                for where, faults in walk:
                    size = "presenter" if presenter else "phone"
                    total += len(faults)
                    print(f"{name or 'Home'} · {size} · {where}: {len(faults)} faults")
                    for fault in faults:
                        print("   ", fault)
                page.close()
        browser.close()
    print(f"total: {total}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
