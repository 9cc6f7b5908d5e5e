"""The browser's chart code: progress while it loads, and loading it early.

Streamlit's browser app loads the code that draws a plotly chart (about 4.6 MB
of JavaScript, compiled in about a second on a slow laptop) and a Graphviz
graph only when a page first shows one, and until then leaves the chart's place
empty but for a faint 40-pixel bar. On a fresh visit a page's text is
there a second or more before its first chart. Two remedies, drawn by
:func:`prepare` at the start of every page:

- **progress**: a chart that is not drawn yet (its code still loading, or
  plotly still drawing it) shows a spinner and the sentence :data:`DRAWING`
  in a box of a chart's height, so the page says what it is doing;
- **early loading**: once nothing else on the page waits to be drawn (the
  Home page's run has finished and its graph is drawn, or a page has been
  computing on the server for a second), the browser fetches and compiles the
  chart code, so that the next chart, on this page or the next, is drawn
  without that wait.

The chart code's files are found in Streamlit's own static folder by their
names; if a Streamlit version names them otherwise, nothing is loaded early
(and the progress still shows).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import streamlit as st

__all__ = ["DRAWING", "chart_chunks", "prepare", "preload_script", "progress_css"]

#: What a chart's place says until the chart is drawn.
DRAWING = "Drawing the chart…"

#: The lazily loaded parts of Streamlit's browser app that draw charts.
_CHUNK_NAMES = ("PlotlyChart", "GraphVizChart")
_CHUNK_FILE = re.compile(r"^[A-Za-z]+\.[A-Za-z0-9_-]+\.js$")

# A chart not drawn yet: Streamlit's placeholder while the chart's code loads
# (a skeleton in a graphic element's container), then the chart element before
# plotly or Graphviz has drawn its SVG. Both get a box of a chart's height with
# a spinner (::before) and the sentence (::after).
_WAITING = (
    '.stPrintGraphic > [data-testid="stSkeleton"]',
    '[data-testid="stPlotlyChart"]:not(:has(.main-svg))',
    '[data-testid="stGraphVizChart"]:not(:has(svg))',
)


def progress_css() -> str:
    """The style rules that show progress in a chart's place until it is drawn."""
    waiting = ",\n".join(_WAITING)
    before = ",\n".join(f"{s}::before" for s in _WAITING)
    after = ",\n".join(f"{s}::after" for s in _WAITING)
    return f"""
{waiting} {{
  position: relative; min-height: 14rem; height: auto; border-radius: 0.5rem;
  background: #f6f7f9; animation: none; opacity: 1; }}
{before} {{
  content: ""; position: absolute; left: calc(50% - 0.9rem); top: calc(50% - 2.2rem);
  width: 1.8rem; height: 1.8rem; box-sizing: border-box; border-radius: 50%;
  border: 3px solid #d0d5dd; border-top-color: #2563eb;
  animation: lab-drawing-spin 0.9s linear infinite; }}
{after} {{
  content: {json.dumps(DRAWING, ensure_ascii=False)}; position: absolute; left: 0; right: 0; top: calc(50% + 0.4rem);
  text-align: center; color: #555; font-size: 0.95rem; }}
@keyframes lab-drawing-spin {{ to {{ transform: rotate(360deg); }} }}
.st-key-lab_chart_code, .stLayoutWrapper:has(> .st-key-lab_chart_code) {{ display: none; }}
"""


@cache
def chart_chunks() -> tuple[str, ...]:
    """File names of Streamlit's chart code (e.g. ``PlotlyChart.<hash>.js``), if found."""
    folder = Path(st.__file__).parent / "static" / "static" / "js"
    found: list[str] = []
    for name in _CHUNK_NAMES:
        matches = sorted(p.name for p in folder.glob(f"{name}.*.js"))
        if len(matches) == 1 and _CHUNK_FILE.match(matches[0]):
            found.append(matches[0])
    return tuple(found)


# Runs once per browser tab. The chunks are imported by the same address as
# Streamlit's own lazy import (next to its main script), so the browser loads
# and compiles each once and Streamlit's import finds it ready.
_PRELOAD_JS = """
<script>
(() => {
  if (window.__labChartCode) return;
  window.__labChartCode = true;
  const files = %s;
  const main = document.querySelector('script[type="module"][src*="/js/index."]');
  if (!main || !files.length) return;
  const waiting = '%s';
  const started = performance.now();
  const load = () => files.forEach((f) => import(new URL(f, main.src).href).catch(() => {}));
  const idle = window.requestIdleCallback || ((f) => setTimeout(f, 50));
  const busy = () => {
    try { return !!document.querySelector(waiting); } catch (e) { return false; }
  };
  const app = document.querySelector('[data-testid="stApp"]');
  const running = () => !!app && app.getAttribute('data-test-script-state') === 'running';
  const check = () => {
    // Wait until the page has nothing left to draw: its run has finished (or has
    // computed for a second on the server) and no chart waits for its code.
    const waited = performance.now() - started;
    if ((busy() || (running() && waited < 1000)) && waited < 8000) {
      setTimeout(check, 150);
    } else {
      idle(load, {timeout: 1000});
    }
  };
  setTimeout(check, 150);
})();
</script>
"""


def preload_script() -> str | None:
    """The script that loads the chart code early, or ``None`` without its files."""
    files = chart_chunks()
    if not files:
        return None
    waiting = ", ".join(_WAITING).replace("'", "\\'")
    return _PRELOAD_JS % (json.dumps([f"./{f}" for f in files]), waiting)


def prepare() -> None:
    """Show progress in charts' places, and load the chart code early (every page)."""
    st.html(f"<style>{progress_css()}</style>")
    script = preload_script()
    if script is not None:
        with st.container(key="lab_chart_code"):
            st.html(script, unsafe_allow_javascript=True)
