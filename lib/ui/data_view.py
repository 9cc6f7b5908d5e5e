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
import plotly.graph_objects as go
import streamlit as st

from lib.errors import DataError
from lib.ui import compute, table_views, tables
from lib.ui import table_compute as tc
from lib.ui.lab import clues, data_columns, node_table
from lib.ui.state import Lab
from lib.ui.widgets import causal_graph

__all__ = ["DataSource", "data_top", "lead"]


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
    pairs_caption : str
    """

    rows_title: str
    rows: pd.DataFrame
    rows_caption: str
    csv: Any
    file_name: str
    column_config: dict[str, Any] | None
    heatmap: Callable[[], go.Figure] | None
    heatmap_caption: str
    clues: pd.DataFrame | None
    cause_help: str
    target: str
    pairs: Callable[[], go.Figure] | None = None
    pairs_caption: str = ""


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
        pairs=lambda: compute.pairs_figure(sid, n, seed, pairs),
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
    )
