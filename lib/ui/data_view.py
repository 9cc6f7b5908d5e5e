"""What the Data page shows, for a simulated world and for a table alike.

Only the top of the page differs: a world shows its story, causal graph and
equations; a table its file, how it was read, the roles the user chose and the
causes they declared. Below that the page is one body (:class:`DataSource`):
the rows, the correlations and the clues to the target.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from lib.errors import DataError
from lib.figures.style import Figure
from lib.teach.handout import Plot
from lib.ui import compute, table_views, tables
from lib.ui import table_compute as tc
from lib.ui.lab import clue_sentence, clues, data_columns, node_table
from lib.ui.registry import get_scenario
from lib.ui.state import Lab
from lib.ui.widgets import (
    causal_graph,
    chart,
    data_frame,
    page_header,
    stacking_columns,
    wide_and_narrow,
)
from lib.ui.widgets import rows_section as show_rows

__all__ = [
    "DataSource",
    "correlations_section",
    "data_top",
    "header_section",
    "lead",
    "lesson_numbers",
    "rows_section",
    "source_section",
    "step_figure",
    "step_plots",
]


#: How the pairs' panels are laid out (:func:`lib.figures.charts.pair_panels`): panels a
#: row, the width in px, the type's scale; on a phone, and in the presenter view.
PHONE_PANELS = (2, 340, 1.0)
PRESENTER_PANELS = (5, 1180, 1.5)


@dataclass
class DataSource:
    """The Data page below its top part.

    Attributes
    ----------
    rows_title, rows_caption : str
    rows : pandas.DataFrame
    csv : bytes or callable
        The download (made when the button is pressed, for a callable).
    file_name : str
    column_config : dict or None
    heatmap : callable or None
        The correlation heatmap (None when the setup has problems, or fewer
        than two columns are chosen).
    heatmap_caption : str
    clues : pandas.DataFrame or None
        :func:`lib.ui.lab.clues`: each candidate's correlation with the target,
        and whether the causal model uses it.
    cause_help : str
        What "a cause?" means for this source.
    target : str
    pairs : callable or None
        A scatter matrix (a world's; None for a table).
    pair_panels : callable or None
        ``pair_panels(per_row, width, type_scale)``: the same pairs in panels of their own (a phone's, a
        projector's version of the matrix).
    pairs_caption : str
    graph : networkx.DiGraph or None
        A world's causal graph (what the clue sentence reads causes off); None for a table.
    declared : bool
        For a table, whether any cause is declared yet.
    """

    rows_title: str
    rows: pd.DataFrame
    rows_caption: str
    csv: Any
    file_name: str
    column_config: dict[str, Any] | None
    heatmap: Callable[[], Figure] | None
    heatmap_caption: str
    clues: pd.DataFrame | None
    cause_help: str
    target: str
    pairs: Callable[[], Figure] | None = None
    pair_panels: Callable[[int, int, float], Figure] | None = None
    pairs_caption: str = ""
    graph: Any = None
    declared: bool = True


def lead(lab: Lab) -> str:
    """The page's lead sentence."""
    if lab.table is not None:
        return "Your table: load it, choose what to predict from what, and say what causes what."
    return f"{lab.scenario.title}. {lab.scenario.summary}"


def data_top(lab: Lab) -> DataSource:
    """Draw the part of the page that differs, and return the rest to draw."""
    return _world(lab) if lab.table is None else _table(lab)


def _world(lab: Lab) -> DataSource:
    sc = lab.scenario
    sid, n, seed = lab.key
    if sc.story:
        with st.expander("Read the story", icon=":material/menu_book:"):
            st.markdown(sc.story)
    st.subheader("The causal graph", anchor=False)
    causal_graph(sc)
    st.subheader("The equations", anchor=False)
    st.table(node_table(sc), hide_index=True)
    st.caption(
        "Each node is computed from its causes, in the order of the graph, plus its own random "
        "part: `normal(m, s)` is noise with mean m and spread s. Unobserved nodes are simulated "
        "but hidden from every model."
    )
    df = compute.sample(sid, n, seed)
    observed, latent = data_columns(sc)
    shown = min(len(df), 200)
    drawn = min(n, compute.PAIRS_MAX_POINTS)
    pairs = (sc.target, *sc.features)
    return DataSource(
        rows_title="The sample",
        rows=df[observed + latent],
        rows_caption=f"The first {shown:,} of {n:,} rows (seed {seed}): the rows both models "
        f"learn from. `{sc.target}` is the target. Change the rows or the seed in the sidebar. "
        f"The download holds all {n:,} rows"
        + (
            ", unobserved columns included and marked “(unobserved)” in their names."
            if latent
            else "."
        ),
        csv=lambda: compute.sample_csv(sid, n, seed),
        file_name=f"{sid}-n{n}-seed{seed}.csv",
        column_config={
            **{c: st.column_config.NumberColumn(c, format="%.2f") for c in observed},
            **{
                c: st.column_config.NumberColumn(
                    f"{c} (unobserved)",
                    help="Simulated but not observed: no model may use it.",
                    format="%.2f",
                )
                for c in latent
            },
        },
        heatmap=lambda: compute.heatmap_figure(sid, n, seed, tuple(observed)),
        heatmap_caption="Correlations between the observed variables: red is positive, blue "
        "negative, white none. Every strong cell is a clue a predictive model can use.",
        clues=clues(df, sc.target, [c for c in observed if c != sc.target], sc.causal_features),
        cause_help="Checked: the causal model uses it (it is a cause of the target, or "
        "measures one).",
        target=sc.target,
        graph=sc.scm.original_graph,
        pairs=lambda: compute.pairs_figure(sid, n, seed, pairs),
        pair_panels=lambda *how: compute.pair_panels_figure(sid, n, seed, pairs, *how),
        pairs_caption=f"Each panel plots one pair of variables; colour shows `{sc.target}`. A "
        f"tight cloud means one variable predicts the other — it does not say which causes "
        f"which."
        + (
            f" For speed, {drawn:,} of the {n:,} rows are drawn, chosen at random."
            if drawn < n
            else ""
        ),
    )


def _table(lab: Lab) -> DataSource:
    assert lab.table is not None
    choice, problems = table_views.table_top(lab.table)
    setup = choice.setup
    shown = min(len(choice.data), 200)
    columns = tuple(dict.fromkeys([setup.target, *setup.features]))
    usable = not problems and len(columns) >= 2
    clue_table = None
    if usable:
        try:
            clue_table = tc.clue_table(choice.key, setup, choice.policy, _choice=choice)
        except DataError as exc:
            st.error(str(exc), icon=":material/error:")
            usable = False
    return DataSource(
        rows_title="The rows",
        rows=choice.data,
        rows_caption=f"The first {shown:,} of {len(choice.data):,} rows, as read.",
        csv=lambda: tables.safe_table_csv(choice),
        file_name=f"{choice.dataset or 'table'}.csv",
        column_config=None,
        heatmap=(lambda: tc.heatmap(choice.key, columns, choice.policy, _choice=choice))
        if usable
        else None,
        heatmap_caption="Correlations between the chosen columns: red positive, blue negative. "
        "A strong cell is a clue for prediction, not evidence of a cause.",
        clues=clue_table,
        cause_help="Checked: a cause you declared, which the causal model uses.",
        target=setup.target,
        declared=bool(setup.parents),
    )


# ----------------------------------------------------------------------------- sections


def header_section(lab: Lab, data: Any) -> None:
    """The title, and the world's title and summary (or what a table is for)."""
    page_header("Data", lead(lab))


def source_section(lab: Lab, data: Any) -> DataSource:
    """1 · Where the rows come from: a world's story, graph and equations, or a table's
    file, roles and graph (its widgets decide the rows the sections below show)."""
    return data_top(lab)


def rows_section(lab: Lab, src: DataSource) -> None:
    """2 · The rows, to look at and to download."""
    show_rows(
        src.rows_title,
        src.rows,
        src.rows_caption,
        csv=src.csv,
        file_name=src.file_name,
        column_config=src.column_config,
    )


def correlations_section(lab: Lab, src: DataSource) -> None:
    """3 · What goes with what: correlations, the clues to the target, and the pairs."""
    if src.heatmap is not None:
        st.subheader("What goes with what", anchor=False)
        corr_col, clue_col = stacking_columns(
            [1, 1], "corr", gap="large", vertical_alignment="center"
        )
        with corr_col:
            chart(src.heatmap(), src.heatmap_caption, key="heatmap")
        if src.clues is not None:
            with clue_col:
                st.markdown(f"**Clues to `{src.target}`**, strongest first")
                data_frame(
                    src.clues,
                    hide_index=True,
                    width="stretch",
                    column_config={
                        "variable": st.column_config.TextColumn("variable"),
                        "r": st.column_config.ProgressColumn(
                            "correlation r", format="%.2f", min_value=-1.0, max_value=1.0
                        ),
                        "causal input": st.column_config.CheckboxColumn(
                            "a cause?", help=src.cause_help, width="small"
                        ),
                    },
                )
                st.markdown(
                    clue_sentence(src.clues, src.target, graph=src.graph, declared=src.declared)
                )
    if src.pairs is not None:
        pairs, panels = src.pairs, src.pair_panels
        if panels is None:
            chart(pairs(), src.pairs_caption, key="pairs")
        elif lab.present:  # a matrix's panels are too small for projected type
            chart(panels(*PRESENTER_PANELS), src.pairs_caption, key="pairs")
        else:
            wide, narrow = wide_and_narrow("pairs")
            with wide:
                chart(pairs(), src.pairs_caption, key="pairs")
            with narrow:
                chart(panels(*PHONE_PANELS), src.pairs_caption, key="pairs_narrow")


# ----------------------------------------------------------------------------- lessons


def lesson_numbers(state: Any) -> dict[str, Any]:
    """The sample (a lesson step's numbers on this page)."""
    return {"sample": compute.sample(state.scenario, state.n, state.seed)}


def step_figure(step: Any, state: Any, present: bool) -> None:
    """The pair of columns the step asks about, else the causal graph (not on a projector)."""
    pred = step.predict
    sid, n, seed = state.scenario, state.n, state.seed
    if pred is not None and pred.columns:
        a, b = pred.columns
        chart(
            compute.pairs_figure(sid, n, seed, (a, b)),
            f"Each dot is one row of the sample: `{a}` against `{b}`.",
        )
    elif not present:
        causal_graph(get_scenario(sid))


def step_plots(step: Any, state: Any) -> list[Plot]:
    """A lesson handout's figure for a step here: the pair of columns it asks about."""
    pred = step.predict
    if pred is None or not pred.columns:
        return []
    return [Plot(compute.pairs_figure(state.scenario, state.n, state.seed, tuple(pred.columns)))]
