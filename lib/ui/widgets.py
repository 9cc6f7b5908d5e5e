"""Small building blocks every page draws the same way.

A chart always comes with a caption that tells its story; a model always has
its kind's colour (orange predictive, blue causal, as in :mod:`lib.figures.style`); a
causal graph always has the same legend.
"""

from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from html import escape
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from lib.figures import graph
from lib.figures.style import Figure, fit_titles, for_projector, kind_color
from lib.figures.style import plain as to_plain
from lib.fitting.models import FAMILY_LABELS
from lib.text.numbers import format_number, format_r2
from lib.ui.state import lab_state, pop_notices, synced, teach_state
from lib.words.narration import HELD_RATIO, verdict
from lib.world.scenarios import Scenario

__all__ = [
    "GRAPH_LEGEND",
    "GRAPH_LEGEND_INTERVENED",
    "causal_graph",
    "chart",
    "graph_legend",
    "kind_badge",
    "kind_heading",
    "kind_metric",
    "model_scores",
    "ratio_metrics",
    "rows_section",
    "page_header",
    "scenario_dot",
    "stacking_columns",
    "data_frame",
    "projected_frame",
    "section_heading",
    "wide_and_narrow",
]

_PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}


def _swatch(fill: str, border: str = "#222222", style: str = "solid", width: int = 1) -> str:
    """A small box drawn like a node of the causal graph (trusted HTML)."""
    return (
        f"<span class='lab-swatch' style='background:{fill};"
        f"border:{width}px {style} {border}'></span>"
    )


_EDGE = "<span class='lab-edge'>→</span>"
_CUT = f"<span class='lab-edge lab-cut' style='color:{graph.CUT_EDGE}'>- × →</span>"

#: What each mark on a causal graph means (trusted HTML with Markdown), drawn
#: with the same fills and lines as :func:`lib.figures.graph.graph_dot`.
GRAPH_LEGEND: tuple[str, ...] = (
    f"{_EDGE} **Arrow** — a cause: the variable at its tip is computed from the one at its tail.",
    f"{_swatch(graph.TARGET_FILL, style='double', width=3)} **Green, double outline** — the "
    f"**target** the models predict.",
    f"{_swatch(graph.FEATURE_FILL)} **Grey box** — a **feature** the predictive model may use.",
    f"{_swatch('#FFFFFF', style='dashed')} **Dashed outline** — **unobserved**: simulated, "
    f"but no study sees it.",
)
GRAPH_LEGEND_INTERVENED: tuple[str, ...] = (
    f"{_swatch(graph.INTERVENED_FILL)} **Peach fill, “✂ intervened”** — **intervened** on: "
    f"its mechanism is changed.",
    f"{_CUT} **Grey dashed arrow with ×** — **cut** by the intervention.",
)
_KIND_TEXT = {"predictive": "Predictive", "causal": "Causal"}


def section_heading(text: str, where: Any = None) -> None:
    """A section's heading, numbered in page order (``"2 · What ICP concludes"``).

    In the presenter view a section is a slide, and the slide's bar counts the slides
    in the speaker's order (the result first): the page-order number is left off there,
    so a slide never reads "2 · …" under "1 of 6". ``where``: a container (``st``).

    >>> _NUMBERED.sub("", "2 · What ICP concludes")
    'What ICP concludes'
    """
    shown = _NUMBERED.sub("", text) if teach_state().present else text
    (where or st).subheader(shown, anchor=False)


#: A heading's page-order number (``"2 · "``).
_NUMBERED = re.compile(r"^[0-9]+ · ")


def page_header(title: str, lead: str, *, trusted_html: bool = False, own_world: str = "") -> None:
    """The page title and one or two sentences saying what the page is for.

    ``lead`` is escaped unless ``trusted_html`` (text written in the pages).
    ``own_world``: a page that does not use the sidebar's world says so, in one
    sentence under the lead. Notices about a bad link (see
    :func:`lib.ui.state.init_page`) follow it.
    """
    st.title(title, anchor=False)
    body = lead if trusted_html else escape(lead)
    st.markdown(f"<p class='lab-lead'>{body}</p>", unsafe_allow_html=True)
    if own_world:
        st.info(own_world, icon=":material/public_off:")
    for message in pop_notices():
        st.warning(message, icon=":material/link_off:")


class _Plain(go.Figure):
    """A figure already turned into plain data, handed to ``st.plotly_chart`` as is.

    ``st.plotly_chart`` asks a figure for ``to_dict()``, which deep-copies every
    array, on every run of every session: a third of a warm Interventions run;
    and it validates a figure given as a dict with plotly's constructor. The
    caches' figures never change after they are built, so their plain data is
    made once and this stand-in returns it. It is never drawn on or changed;
    made without plotly's constructor, it is cheap.
    """

    _plain: dict[str, Any]

    @classmethod
    def of(cls, fig: Figure | go.Figure, projector: bool = False) -> _Plain:
        """The figure's plain data (:func:`lib.figures.style.plain`) with its axis titles
        wrapped to fit a phone (:func:`lib.figures.style.fit_titles`), made once;
        ``projector``: with projector-sized type (:func:`lib.figures.style.for_projector`),
        made once too."""
        if projector:  # titles wrapped for the projector's own type and sizes
            plain = _made(fig, "projector", lambda: for_projector(to_plain(fig)))
        else:
            plain = _made(fig, "plain", lambda: fit_titles(to_plain(fig)))
        made = cls.__new__(cls)
        object.__setattr__(made, "_plain", plain)
        return made

    def to_dict(self) -> dict[str, Any]:
        return self._plain


#: The plain data of the figures drawn lately, by ``id``: (figure, what, data).
#: A figure given as a dict cannot keep it on itself; the figure is held here, so
#: that its ``id`` is never another figure's while it is. The figures of the views
#: drawn lately (a miss costs about a millisecond a figure).
_MADE: OrderedDict[tuple[int, str], tuple[Any, dict[str, Any]]] = OrderedDict()
_MADE_MAX = 256
_MADE_LOCK = threading.Lock()


def _made(fig: Any, what: str, make: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """``make()``'s data for ``fig``, made once per figure (sessions share the caches' figures)."""
    if isinstance(fig, go.Figure):  # plotly keeps attributes that start with "_"
        attr = f"_lab_{what}"
        data = fig.__dict__.get(attr)
        if data is None:
            data = make()
            setattr(fig, attr, data)
        return data
    key = (id(fig), what)
    with _MADE_LOCK:
        entry = _MADE.get(key)
        if entry is not None and entry[0] is fig:
            _MADE.move_to_end(key)
            return entry[1]
    data = make()
    with _MADE_LOCK:
        _MADE[key] = (fig, data)
        while len(_MADE) > _MADE_MAX:
            _MADE.popitem(last=False)
    return data


def _presenting() -> bool:
    return teach_state().present


def chart(fig: Figure | go.Figure, caption: str, key: str | None = None) -> None:
    """A figure in the lab's own style, then its story in one caption.

    ``fig`` is plain data (:data:`lib.figures.style.Figure`, as :mod:`lib.figures.charts`
    and :mod:`lib.figures.invariance` build them) or a plotly figure.

    ``fig`` must not change after it is drawn here (the figures the caches
    share never do): its plain data is made on the first call and reused. In
    the presenter view the figure's type is projector-sized
    (:func:`lib.figures.style.for_projector`), made once per figure too.
    """
    presenting = _presenting()
    plain = _Plain.of(fig, projector=presenting)
    st.plotly_chart(plain, width="stretch", theme=None, config=_PLOTLY_CONFIG, key=key)
    if caption and not presenting:  # on a projector the speaker tells the story
        st.caption(caption)


def kind_metric(kind: str, key: str, label: str, value: str, **kwargs: Any) -> None:
    """``st.metric`` whose label starts with a dot in the kind's colour.

    The dot is drawn by the lab's style rules (see :func:`style`) on a container
    keyed by the kind, so it has exactly the charts' colour and stays out of the
    label's text. ``key`` must be unique on the page.
    """
    with st.container(key=f"kind_{kind}_{key}"):
        st.metric(label, value, **kwargs)


def model_scores(
    scores: pd.DataFrame, kind: str, *, key: str, unit: str = "", where: str = "held-out rows"
) -> None:
    """RMSE and R² of one kind's models, one row of two metrics per model.

    ``scores`` has the columns of :func:`lib.fitting.evaluation.score`
    (``model, kind, family, rmse, r2``); each metric is labelled by the model's
    family (a field, never read from its name): "Linear", "Trees" or
    "Intercept only". The same widget serves a world and a table.
    """
    for row in scores[scores["kind"] == kind].itertuples(index=False):
        family = FAMILY_LABELS[str(row.family)]
        rmse_col, r2_col = st.columns(2)
        with rmse_col:
            kind_metric(
                kind,
                f"{key}_{row.family}_rmse",
                f"{family} · RMSE",
                format_number(float(row.rmse)),
                help=f"{row.model}: typical prediction error, in "
                f"{unit or 'the units of the target'} (root mean squared error on "
                f"{where}). Lower is better.",
            )
        with r2_col:
            kind_metric(
                kind,
                f"{key}_{row.family}_r2",
                f"{family} · R²",
                format_r2(float(row.r2)),
                help=f"{row.model}: share of the variation in the target the model accounts "
                f"for (1 = all; 0 = no better than always predicting the average).",
            )


def ratio_metrics(table: pd.DataFrame) -> None:
    """Each model's error after a change, and how many times its error before that is.

    ``table`` has the columns of :func:`lib.fitting.experiments.ratio_table` (``model, kind,
    before, after, ratio``); two metrics a row, coloured by
    :func:`lib.words.narration.verdict` (red broke, green held, orange between).
    """
    rows = list(table.itertuples(index=False))
    cells = [c for _ in range(0, len(rows), 2) for c in st.columns(2)]
    colors = {"broke": "red", "held": "green", "degraded": "orange"}
    for i, (cell, row) in enumerate(zip(cells, rows, strict=False)):
        outcome = verdict(row.ratio)
        arrow = (
            "up" if row.ratio > HELD_RATIO else ("down" if row.ratio < 1 / HELD_RATIO else "off")
        )
        with cell:
            kind_metric(
                row.kind,
                f"result_{i}",
                row.model,
                format_number(row.after),
                delta=f"×{row.ratio:.2f}",
                delta_color=colors[outcome],
                delta_arrow=arrow,
                delta_description="the error before — held"
                if outcome == "held"
                else "the error before",
                help=f"RMSE after the change; before it was {format_number(row.before)}.",
                border=True,
            )


#: The most rows a table shows in the presenter view (the rest are on the page).
PROJECTED_ROWS = 10


def _cell(value: Any, kind: str, fmt: str | None) -> str:
    """One cell as a grid column of ``kind`` with format ``fmt`` would show it."""
    if kind == "checkbox":
        return "✓" if bool(value) else ""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if fmt == "percent":
            return f"{100 * value:.0f}%"
        if fmt and fmt.startswith("%"):
            return fmt % value
        return f"{value:.4g}" if isinstance(value, float) else str(value)
    return str(value)


def projected_frame(
    frame: pd.DataFrame, column_config: dict[str, Any] | None = None
) -> pd.DataFrame:
    """``frame`` as text for a projected table: each column formatted as its
    ``column_config`` entry formats it in the grid (a printf format, ``percent``, a
    checkbox as ✓), named by the entry's label; other numbers to four figures.

    >>> import streamlit as st
    >>> df = pd.DataFrame({"p": [0.01234, 0.5], "cause": [True, False], "n": [3, 4]})
    >>> cfg = {
    ...     "p": st.column_config.NumberColumn("p-value", format="%.2g"),
    ...     "cause": st.column_config.CheckboxColumn("a cause?"),
    ... }
    >>> projected_frame(df, cfg).to_dict("list")
    {'p-value': ['0.012', '0.5'], 'a cause?': ['✓', ''], 'n': ['3', '4']}
    """
    config = column_config or {}
    out = {}
    for column in frame.columns:
        entry = config.get(column) or {}
        typed = entry.get("type_config") or {}
        kind, fmt = typed.get("type", ""), typed.get("format")
        out[entry.get("label") or column] = [_cell(v, kind, fmt) for v in frame[column].tolist()]
    return pd.DataFrame(out)


def data_frame(
    frame: pd.DataFrame,
    *,
    column_config: dict[str, Any] | None = None,
    total: int | None = None,
    **kwargs: Any,
) -> None:
    """A table: the grid (``st.dataframe``, sortable, scrolling) on a screen; in the
    presenter view the first :data:`PROJECTED_ROWS` rows as a plain table in
    projector-sized type (a grid is drawn on a canvas the style sheets cannot size).
    ``total``: how many rows ``frame`` is the start of (its own length when not given)."""
    if not teach_state().present:
        st.dataframe(frame, column_config=column_config, **kwargs)
        return
    st.table(projected_frame(frame.head(PROJECTED_ROWS), column_config), hide_index=True)
    total = len(frame) if total is None else total
    if total > PROJECTED_ROWS:
        st.caption(f"The first {PROJECTED_ROWS} of {total:,} rows.")


def rows_section(
    title: str,
    frame: pd.DataFrame,
    caption: str,
    *,
    csv: Any,
    file_name: str,
    column_config: dict[str, Any] | None = None,
) -> None:
    """The Data page's rows, for a world's sample and a table alike: the first 200, a
    caption that says what they are, and a download of them all (``csv``: bytes, or
    a function that makes them when the button is pressed)."""
    st.subheader(title, anchor=False)
    data_frame(
        frame.head(200),
        total=len(frame),
        width="stretch",
        height=260,
        hide_index=True,
        column_config=column_config,
    )
    st.caption(caption)
    st.download_button(
        "Download as CSV",
        data=csv,
        file_name=file_name,
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
    )


def kind_badge(kind: str) -> str:
    """Inline HTML: a coloured dot and the kind's name (trusted text only)."""
    color = kind_color(kind)
    return (
        f"<span class='lab-kind' style='color:{color}'>"
        f"<span class='lab-dot' style='background:{color}'></span>{_KIND_TEXT[kind]}</span>"
    )


def kind_heading(kind: str, text: str) -> None:
    """A section heading in the colour of a model kind, e.g. "Predictive model"."""
    color = kind_color(kind)
    st.markdown(
        f"<div class='lab-kind-heading' style='border-color:{color}'>"
        f"{kind_badge(kind)} <span class='lab-kind-rest'>{escape(text)}</span></div>",
        unsafe_allow_html=True,
    )


def scenario_dot(
    sc: Scenario,
    *,
    intervened: Sequence[str] = (),
    cut_edges: Sequence[tuple[str, str]] = (),
) -> str:
    """The DOT source :func:`causal_graph` draws (a handout embeds the same graph)."""
    return graph.graph_dot(
        sc.scm.nodes,
        list(sc.scm.original_graph.edges),
        target=sc.target,
        features=sc.features,
        latent=sc.scm.latent,
        intervened=intervened,
        cut_edges=cut_edges,
        units=sc.units,
    )


def causal_graph(
    sc: Scenario,
    *,
    intervened: Sequence[str] = (),
    cut_edges: Sequence[tuple[str, str]] = (),
    legend: str = "side",
    key: str = "main",
) -> None:
    """The scenario's causal graph, target and features marked, with a legend.

    ``legend`` is ``"side"`` (a list beside the graph, or under it in a narrow
    main area), ``"caption"`` (one small paragraph below) or ``"none"``. The
    graph takes most of the page's width, up to a size where its type reads like
    body text on a projector (see :func:`style`). ``key`` must be unique on the page.
    """
    dot = scenario_dot(sc, intervened=intervened, cut_edges=cut_edges)
    marked = bool(intervened or cut_edges)
    if legend == "side":
        graph_col, legend_col = stacking_columns(
            [5, 2], f"graph_{key}", gap="medium", vertical_alignment="center"
        )
    else:
        graph_col = legend_col = st.container()
    with graph_col, st.container(key=f"lab_graph_{key}"):
        st.graphviz_chart(dot, width="stretch")
    if legend != "none":
        with legend_col:
            graph_legend(intervened=marked, as_list=legend == "side", key=key)


def graph_legend(
    *, intervened: bool = False, as_list: bool = True, key: str = "main", unobserved: bool = True
) -> None:
    """What the marks on the causal graph mean, with swatches drawn like the graph.

    ``unobserved=False`` leaves out the dashed outline (a table's graph has no hidden node).
    """
    items = (GRAPH_LEGEND if unobserved else GRAPH_LEGEND[:-1]) + (
        GRAPH_LEGEND_INTERVENED if intervened else ()
    )
    if as_list:
        with st.container(key=f"lab_legend_{key}"):
            st.markdown("\n\n".join(items), unsafe_allow_html=True)
    else:
        st.caption(" ".join(items), unsafe_allow_html=True)


def stacking_columns(spec: Any, key: str, **kwargs: Any) -> list[DeltaGenerator]:
    """``st.columns`` that stack, one under the other, in a narrow main area.

    Side by side when the page's content is wider than about 760 px (a laptop or
    a projector at 1280 px and more); stacked below that (1024 px with the
    sidebar open), so that charts and tables keep a readable size. ``key`` must
    be unique on the page.
    """
    box = st.container(key=f"stack_{key}")
    return list(box.columns(spec, **kwargs))


def wide_and_narrow(key: str) -> tuple[DeltaGenerator, DeltaGenerator]:
    """Two places for one thing drawn two ways: the first shown on a wide screen, the
    second on a phone (below 640 px; the lab's style rules switch them). ``key`` must be
    unique on the page."""
    return st.container(key=f"lab_wide_{key}"), st.container(key=f"lab_narrow_{key}")


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


def heading_with_family_picker(title: str) -> str:
    """A section heading with the Linear / Trees switch beside it; returns the family."""
    head, pick = st.columns([3, 1], vertical_alignment="bottom")
    head.subheader(title, anchor=False)
    pick.segmented_control(
        "Model family",
        ["linear", "trees"],
        format_func=str.capitalize,
        required=True,
        width="stretch",
        **synced("family"),
    )
    return lab_state().family
