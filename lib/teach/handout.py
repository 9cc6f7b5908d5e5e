"""Handouts: a view of the lab as one self-contained web page.

A handout is a single HTML file that opens offline, from a USB stick or an
e-mail attachment: its style, plotly.js (inlined once, however many figures)
and every figure's data are inside it, and nothing in it asks the network for
anything. It starts with a title and a table of the settings that made the view
(world, rows, seed, intervention, strength ... and a link back to the live
view), followed by :class:`Section` s. It prints well: page breaks between
sections, figures sized for the paper, no toolbars.

A page of the lab is a handout of a few sections; a lesson is a handout whose
sections are its steps (a question, the learner's answer and the reveal)::

    from lib.teach.handout import Graph, Plot, Section, build_handout

    html = build_handout(
        "L-DOPA: the Tylenol test",
        {"World": "L-DOPA", "Rows": "2,000", "Seed": "0"},
        [
            Section("The world", story_markdown, figures=[Graph(dot, "The causal graph.")]),
            Section(
                "Step 1 · Predict",
                question="What happens to the side-effect model when patients take Tylenol?",
                answer=learners_answer,
                reveal="Its error grows **four times**: ...",
                figures=[Plot(bars, "Error before and after.")],
            ),
        ],
        link="http://localhost:8501/Interventions?scenario=ldopa&preset=Tylenol",
    )
    Path("handout.html").write_text(html, encoding="utf-8")

Every piece of text is escaped: headings, settings, captions, notes and the
learner's answer are plain text; ``markdown``, ``question`` and ``reveal`` are
Markdown rendered by :func:`lib.teach.markdown.markdown_html`, which lets no
HTML through.
"""

from __future__ import annotations

import html
import json
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from lib.figures.style import Figure, plain
from lib.teach.markdown import markdown_html

__all__ = [
    "APP_NAME",
    "Graph",
    "Plot",
    "Section",
    "Table",
    "build_handout",
    "graph_svg",
    "plotly_js",
]

APP_NAME = "Predict or Explain"

#: Plotly's options in a handout: the toolbar shows on hover, no logo, no links out.
PLOTLY_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "responsive": True,
    "showLink": False,
    "showSendToCloud": False,
    "showEditInChartStudio": False,
}
#: Most characters of a DOT source a handout renders (a world's graph is a few thousand).
MAX_DOT_CHARS = 200_000


@dataclass(frozen=True)
class Plot:
    """A plotly figure in a handout, drawn interactive, with its caption.

    Attributes
    ----------
    figure : plotly.graph_objects.Figure or dict
        Drawn as it is (a copy of its data; the figure is not changed).
    caption : str
        Plain text under the figure ("" for none).
    """

    figure: Any
    caption: str = ""


@dataclass(frozen=True)
class Graph:
    """A causal graph in a handout, as Graphviz DOT source, with its caption.

    Drawn as SVG when Graphviz can be run from Python (the ``graphviz`` package
    and its ``dot`` program); otherwise the handout shows the DOT source, which
    any Graphviz viewer draws.

    Attributes
    ----------
    dot : str
        DOT source, e.g. from :func:`lib.figures.graph.graph_dot`.
    caption : str
        Plain text under the graph.
    edges : sequence of (str, str)
        The arrows, cause first: without Graphviz the handout lists them
        ("dose → dopamine") above the DOT source, so the graph still reads.
    """

    dot: str
    caption: str = ""
    edges: Sequence[tuple[str, str]] = ()


@dataclass(frozen=True)
class Table:
    """A small table in a handout (a model's scores, a ratio table), with its caption.

    Attributes
    ----------
    frame : pandas.DataFrame
        Shown without its index; names and cells are plain text.
    caption : str
        Plain text under the table.
    digits : int
        Significant digits of floating-point cells.
    """

    frame: pd.DataFrame
    caption: str = ""
    digits: int = 4


#: What a section's ``figures`` may hold.
Item: TypeAlias = Plot | Graph | Table | go.Figure | Figure


@dataclass(frozen=True)
class Section:
    """One part of a handout: a heading, text, figures and a note.

    The same type serves a page of the lab (a heading, what it shows, its
    figures) and a step of a lesson (a question, the learner's answer and what
    the lab revealed). The parts are drawn in this order: heading, markdown,
    question, answer, figures, reveal, note; empty ones are left out.

    Parameters
    ----------
    heading : str
        Plain text.
    markdown : str
        The section's text, Markdown (rendered safely: no HTML gets through).
    figures : sequence of Plot, Graph, Table or figure
        In order; a bare figure (plotly's, or plain data) is a :class:`Plot`
        without a caption.
    note : str, optional
        Plain text in a small box after everything else (a caveat, a source).
    question : str, optional
        Markdown, in a box marked "Question".
    answer : str, optional
        The learner's answer, plain text as typed (line breaks kept), in a box
        marked "Your answer". An empty answer reads "(no answer)" when there is a
        question.
    reveal : str, optional
        Markdown, in a box marked "What the lab shows".
    """

    heading: str
    markdown: str = ""
    figures: Sequence[Item] = ()
    note: str | None = None
    question: str | None = None
    answer: str | None = None
    reveal: str | None = None


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """plotly.js, minified, as shipped with the installed plotly (about 4.8 MB)."""
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs())


def graph_svg(dot: str) -> str | None:
    """``dot`` drawn as an SVG element by Graphviz, or ``None`` when that is not possible.

    Needs the ``graphviz`` Python package and Graphviz's ``dot`` program. The
    XML prolog and doctype are removed so that the SVG sits inside HTML.
    """
    if len(dot) > MAX_DOT_CHARS or shutil.which("dot") is None:
        return None
    try:
        import graphviz
    except ImportError:
        return None
    try:
        svg = graphviz.Source(dot).pipe(format="svg", encoding="utf-8")
    except (graphviz.ExecutableNotFound, graphviz.CalledProcessError, subprocess.SubprocessError):
        return None
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else None


def _text(value: Any) -> str:
    """Plain text, escaped for HTML."""
    return html.escape(str(value), quote=True)


def _multiline(value: str) -> str:
    """Plain text whose line breaks are kept."""
    return "<br>".join(_text(line) for line in str(value).splitlines()) or ""


def _safe_href(url: str) -> str | None:
    """``url`` for an ``href`` when it is an http(s) address, else ``None``."""
    url = url.strip()
    return html.escape(url, quote=True) if url.lower().startswith(("http://", "https://")) else None


def _figure_json(figure: Any) -> str:
    """A figure as JSON that cannot end the ``<script>`` element holding it."""
    # A plotly figure or plain data (lib.figures.style.Figure), its arrays in
    # plotly.js's typed-array form either way.
    text = pio.to_json(plain(figure), validate=False)
    # "<" only occurs inside JSON strings, where \u003c is the same character.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _cell(value: Any, digits: int) -> str:
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, float | np.floating):
        return "" if np.isnan(value) else f"{float(value):.{digits}g}"
    return _text(value)


def _table_html(table: Table) -> str:
    frame = table.frame
    head = "".join(f"<th scope='col'>{_text(c)}</th>" for c in frame.columns)
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td class='num'>{_cell(v, table.digits)}</td>"
            if num
            else f"<td>{_cell(v, table.digits)}</td>"
            for v, num in zip(row, numeric, strict=True)
        )
        + "</tr>"
        for row in frame.itertuples(index=False, name=None)
    )
    return (
        "<figure class='handout-figure'><table class='handout-table'>"
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
        f"{_caption(table.caption)}</figure>"
    )


def _caption(text: str) -> str:
    return f"<figcaption>{_text(text)}</figcaption>" if text else ""


class _Figures:
    """Numbers the plotly figures of a handout and keeps their data."""

    def __init__(self) -> None:
        self.count = 0

    def html(self, item: Item) -> str:
        if isinstance(item, Table):
            return _table_html(item)
        if isinstance(item, Graph):
            svg = graph_svg(item.dot)
            if svg is not None:
                body = f"<div class='handout-graph'>{svg}</div>"
            else:
                arrows = "".join(f"<li>{_text(a)} → {_text(b)}</li>" for a, b in item.edges)
                listed = (
                    f"<p class='handout-label'>Arrows (cause → effect)</p><ul>{arrows}</ul>"
                    if arrows
                    else ""
                )
                body = (
                    f"<div class='handout-dot'>{listed}<details><summary>The graph in "
                    "Graphviz's DOT language (any Graphviz viewer draws it)</summary>"
                    f"<pre>{_text(item.dot)}</pre></details></div>"
                )
            return f"<figure class='handout-figure'>{body}{_caption(item.caption)}</figure>"
        plot = item if isinstance(item, Plot) else Plot(item)
        self.count += 1
        fid = f"handout-plot-{self.count}"
        return (
            f"<figure class='handout-figure'><div id='{fid}' class='handout-plot'></div>"
            f"<script type='application/json' class='handout-plot-data' data-target='{fid}'>"
            f"{_figure_json(plot.figure)}</script>{_caption(plot.caption)}</figure>"
        )


def _section_html(section: Section, figures: _Figures) -> str:
    parts = [f"<h2>{_text(section.heading)}</h2>"]
    if section.markdown:
        parts.append(f"<div class='handout-text'>{markdown_html(section.markdown)}</div>")
    if section.question:
        parts.append(
            "<div class='handout-box handout-question'><p class='handout-label'>Question</p>"
            f"{markdown_html(section.question)}</div>"
        )
    if section.question is not None or section.answer is not None:
        answer = (section.answer or "").strip()
        shown = _multiline(answer) if answer else "<em>(no answer)</em>"
        parts.append(
            "<div class='handout-box handout-answer'><p class='handout-label'>Your answer</p>"
            f"<p>{shown}</p></div>"
        )
    parts.extend(figures.html(item) for item in section.figures)
    if section.reveal:
        parts.append(
            "<div class='handout-box handout-reveal'><p class='handout-label'>What the lab "
            f"shows</p>{markdown_html(section.reveal)}</div>"
        )
    if section.note:
        parts.append(f"<p class='handout-note'>{_multiline(section.note)}</p>")
    return "<section class='handout-section'>" + "\n".join(parts) + "</section>"


def _settings_html(
    settings: Mapping[str, Any] | Sequence[tuple[str, Any]], link: str | None
) -> str:
    rows = list(settings.items()) if isinstance(settings, Mapping) else list(settings)
    cells = [f"<tr><th scope='row'>{_text(k)}</th><td>{_text(v)}</td></tr>" for k, v in rows]
    if link:
        href = _safe_href(link)
        shown = f"<a class='handout-link' href='{href}'>{_text(link)}</a>" if href else _text(link)
        cells.append(f"<tr><th scope='row'>This view in the lab</th><td>{shown}</td></tr>")
    return "<table class='handout-settings'><tbody>" + "".join(cells) + "</tbody></table>"


_STYLE = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
       sans-serif; color: #1f1f1f; background: #fff; margin: 0; line-height: 1.5; }
main { max-width: 700px; margin: 0 auto; padding: 2rem 1.25rem 3rem; }
h1 { font-size: 1.9rem; line-height: 1.2; margin: 0 0 0.4rem; }
h2 { font-size: 1.4rem; margin: 2.2rem 0 0.6rem; border-bottom: 2px solid #e3e3e3;
     padding-bottom: 0.2rem; }
h3, h4, h5, h6 { font-size: 1.1rem; margin: 1.2rem 0 0.4rem; }
.handout-lead { font-size: 1.1rem; color: #333; }
.handout-settings { border-collapse: collapse; margin: 1rem 0; width: 100%; }
.handout-settings th, .handout-settings td { text-align: left; vertical-align: top;
  border-bottom: 1px solid #e3e3e3; padding: 0.3rem 0.6rem 0.3rem 0; }
.handout-settings th { width: 11rem; font-weight: 600; color: #444; }
.handout-link { word-break: break-all; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
       background: #f3f3f3; padding: 0 0.2em; border-radius: 3px; font-size: 0.92em; }
pre { background: #f6f6f6; padding: 0.7rem; overflow-x: auto; font-size: 0.85rem;
      white-space: pre-wrap; word-break: break-word; }
blockquote { border-left: 4px solid #ddd; margin: 0.8rem 0; padding: 0 0 0 0.9rem; color: #444; }
.handout-figure { margin: 1.2rem 0; }
.handout-table { border-collapse: collapse; font-size: 0.92rem; }
.handout-table th, .handout-table td { border-bottom: 1px solid #e3e3e3; padding: 0.25rem 0.7rem;
  text-align: left; }
.handout-table td.num { text-align: right; font-variant-numeric: tabular-nums; }
.handout-plot { width: 100%; }
.handout-graph svg { max-width: 100%; height: auto; }
.handout-dot ul { columns: 2; margin: 0.3rem 0 0.6rem; }
.handout-dot summary { cursor: pointer; font-size: 0.9rem; color: #555; }
figcaption { font-size: 0.92rem; color: #555; margin-top: 0.3rem; }
.handout-box { border: 1px solid #ddd; border-left-width: 5px; border-radius: 4px;
               padding: 0.4rem 0.9rem; margin: 0.9rem 0; }
.handout-question { border-left-color: #0072B2; }
.handout-answer { border-left-color: #999; background: #fafafa; }
.handout-reveal { border-left-color: #009E73; }
.handout-label { font-weight: 700; margin: 0.2rem 0; font-size: 0.9rem; text-transform: uppercase;
                 letter-spacing: 0.04em; color: #555; }
.handout-note, .handout-small { font-size: 0.9rem; color: #555; }
.handout-note { border-top: 1px dashed #ccc; padding-top: 0.4rem; }
footer { font-size: 0.85rem; color: #777; margin-top: 3rem; border-top: 1px solid #e3e3e3;
         padding-top: 0.5rem; }
@page { size: A4; margin: 14mm; }
@media print {
  main { max-width: none; padding: 0; }
  .modebar, .modebar-container, button, input, select, textarea { display: none !important; }
  .handout-section { break-before: page; }
  .handout-section:first-of-type { break-before: auto; }
  h2, h3, figcaption { break-after: avoid; }
  .handout-figure, .handout-box, .handout-settings tr { break-inside: avoid; }
  .handout-plot { width: 180mm !important; max-width: 100%; }
  a.handout-link { color: inherit; text-decoration: none; }
  pre { white-space: pre-wrap; }
  .handout-dot details { display: none; }
}
"""

#: Draws every figure from its JSON, and again at paper width before printing.
_DRAW = """
(function () {
  var config = %s;
  var drawn = [];
  document.querySelectorAll("script.handout-plot-data").forEach(function (el) {
    var target = document.getElementById(el.getAttribute("data-target"));
    var fig = JSON.parse(el.textContent);
    Plotly.newPlot(target, fig.data || [], fig.layout || {}, config);
    drawn.push(target);
  });
  function resize() { drawn.forEach(function (t) { Plotly.Plots.resize(t); }); }
  window.addEventListener("beforeprint", resize);
  window.addEventListener("afterprint", resize);
})();
"""


def build_handout(
    title: str,
    settings: Mapping[str, Any] | Sequence[tuple[str, Any]],
    sections: Sequence[Section],
    *,
    link: str | None = None,
    lead: str = "",
    footer: str = "",
) -> str:
    """A self-contained HTML page: title, settings, then each section.

    Parameters
    ----------
    title : str
        The page's title and first heading (plain text).
    settings : mapping or sequence of (name, value)
        What made the view, in order, e.g. ``{"World": "L-DOPA", "Rows": "2,000",
        "Seed": "0", "Intervention": "Tylenol", "Strength": "100%"}``; values are
        shown as plain text.
    sections : sequence of Section
    link : str, optional
        The address of the view in the lab, shown as the last setting (a link
        when it is an ``http(s)`` address, else plain text).
    lead : str
        Markdown under the title.
    footer : str
        Plain text at the very end (by default, where the handout comes from).

    Returns
    -------
    str
        The HTML document. plotly.js is inlined once when a section holds a
        plotly figure (and not at all otherwise); there is no external script,
        style sheet, font or image.
    """
    figures = _Figures()
    body = "\n".join(_section_html(s, figures) for s in sections)
    scripts = ""
    if figures.count:
        scripts = (
            f"<script>{plotly_js()}</script>\n<script>{_DRAW % json.dumps(PLOTLY_CONFIG)}</script>"
        )
    footer_text = footer or (
        f"Made with {APP_NAME}, a lab on prediction and causal explanation. The figures are "
        "interactive: hover for values, drag to zoom, double-click to reset."
    )
    lead_html = f"<div class='handout-lead'>{markdown_html(lead)}</div>" if lead else ""
    return (
        "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>\n"
        f"<meta name='generator' content='{_text(APP_NAME)}'>\n"
        f"<title>{_text(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n<main>\n"
        f"<h1>{_text(title)}</h1>\n{lead_html}\n{_settings_html(settings, link)}\n"
        f"{body}\n<footer>{_text(footer_text)}</footer>\n</main>\n{scripts}\n</body>\n</html>\n"
    )
