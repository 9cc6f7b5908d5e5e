"""Small building blocks every page draws the same way.

A chart always comes with a caption that tells its story; a model always has
its kind's colour (orange predictive, blue causal, as in :mod:`lib.plots`); a
causal graph always has the same legend.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from html import escape

import plotly.graph_objects as go
import streamlit as st

from lib import plots
from lib.scenarios import Scenario

__all__ = [
    "GRAPH_LEGEND",
    "causal_graph",
    "graph_legend",
    "chart",
    "kind_badge",
    "kind_color_name",
    "kind_heading",
    "page_header",
]

_PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}

#: What each mark on a causal graph means (Markdown).
GRAPH_LEGEND: tuple[str, ...] = (
    "**Arrow** — a cause: the variable at its tip is computed from the one at its tail.",
    "**Double green outline** — the **target** the models predict.",
    "**Grey box** — a **feature** the predictive model may use.",
    "**Dashed outline** — **unobserved**: simulated, but no study sees it.",
)
GRAPH_LEGEND_INTERVENED: tuple[str, ...] = (
    "**Red** — **intervened** on: its mechanism is changed.",
    "**Light dashed arrow with ×** — **cut** by the intervention.",
)
_KIND_TEXT = {"predictive": "Predictive", "causal": "Causal"}


def page_header(title: str, lead: str, *, trusted_html: bool = False) -> None:
    """The page title and one or two sentences saying what the page is for.

    ``lead`` is escaped unless ``trusted_html`` (text written in the pages). Notices
    about a bad link (see :func:`lib.ui.state.init_page`) follow it.
    """
    from lib.ui.state import pop_notices  # state imports this module

    st.title(title, anchor=False)
    body = lead if trusted_html else escape(lead)
    st.markdown(f"<p class='lab-lead'>{body}</p>", unsafe_allow_html=True)
    for message in pop_notices():
        st.warning(message, icon=":material/link_off:")


def chart(fig: go.Figure, caption: str, key: str | None = None) -> None:
    """A Plotly figure in the lab's own style, then its story in one caption."""
    st.plotly_chart(fig, width="stretch", theme=None, config=_PLOTLY_CONFIG, key=key)
    if caption:
        st.caption(caption)


def kind_color_name(kind: str) -> str:
    """Streamlit's named colour closest to a kind's colour (for Markdown ``:color[...]``)."""
    return {"predictive": "orange", "causal": "blue"}[kind]


def kind_badge(kind: str) -> str:
    """Inline HTML: a coloured dot and the kind's name (trusted text only)."""
    color = plots.kind_color(kind)
    return (
        f"<span class='lab-kind' style='color:{color}'>"
        f"<span class='lab-dot' style='background:{color}'></span>{_KIND_TEXT[kind]}</span>"
    )


def kind_heading(kind: str, text: str) -> None:
    """A section heading in the colour of a model kind, e.g. "Predictive model"."""
    color = plots.kind_color(kind)
    st.markdown(
        f"<div class='lab-kind-heading' style='border-color:{color}'>"
        f"{kind_badge(kind)} <span class='lab-kind-rest'>{escape(text)}</span></div>",
        unsafe_allow_html=True,
    )


def causal_graph(
    sc: Scenario,
    *,
    intervened: Sequence[str] = (),
    cut_edges: Sequence[tuple[str, str]] = (),
    legend: str = "caption",
) -> None:
    """The scenario's causal graph, target and features marked, with a legend.

    ``legend`` is ``"caption"`` (one small paragraph below), ``"list"`` (a
    bullet list below) or ``"none"`` (the page draws :func:`graph_legend`).
    """
    dot = plots.graph_dot(
        sc.scm.nodes,
        list(sc.scm.original_graph.edges),
        target=sc.target,
        features=sc.features,
        latent=sc.scm.latent,
        intervened=intervened,
        cut_edges=cut_edges,
        units=sc.units,
    )
    st.graphviz_chart(dot, width="stretch")
    if legend != "none":
        graph_legend(intervened=bool(intervened or cut_edges), as_list=legend == "list")


def graph_legend(*, intervened: bool = False, as_list: bool = True) -> None:
    """What the marks on the causal graph mean."""
    items = GRAPH_LEGEND + (GRAPH_LEGEND_INTERVENED if intervened else ())
    if as_list:
        st.markdown("\n".join(f"- {item}" for item in items))
    else:
        st.caption(" ".join(items))


_CSS = """
<style>
.lab-lead { font-size: 1.2rem; line-height: 1.5; color: #333; max-width: 60rem; margin-bottom: 0.5rem; }
.lab-kind { font-weight: 700; white-space: nowrap; }
.lab-dot { display: inline-block; width: 0.8em; height: 0.8em; border-radius: 50%;
           margin-right: 0.35em; vertical-align: -0.05em; }
.lab-kind-heading { font-size: 1.45rem; font-weight: 600; border-left: 6px solid;
                    padding: 0.1rem 0 0.1rem 0.7rem; margin: 0.2rem 0 0.6rem 0; }
.lab-kind-rest { color: #222; }
[data-testid="stCaptionContainer"] { font-size: 0.95rem; }
[data-testid="stMainBlockContainer"] { padding-top: 2.5rem; }
[data-testid="stMain"] [data-testid="stPageLink"] p { font-size: 1.15rem; font-weight: 600; }
[data-testid="stMetricValue"] { font-size: 2rem; }
</style>
"""


def style() -> None:
    """The lab's few style rules (larger lead text and captions, kind colours)."""
    st.html(_CSS)


@contextmanager
def shown_errors(action: str) -> Iterator[None]:
    """Show a user error raised inside the block with ``st.error``, not a traceback.

    Errors a user can cause are ``ValueError`` subclasses from ``lib``; the rest
    of the page keeps working.
    """
    try:
        yield
    except ValueError as exc:
        st.error(f"{action}: {exc}", icon=":material/error:")
