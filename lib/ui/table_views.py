"""What each page shows when its data is a table rather than a simulated world.

A table has no known structural causal model: the predictive model uses every
chosen column, the causal model only the causes the user declared, and the only
"intervention" available is the shift from one environment to another (train on
the others, test on the one held out). Each function draws one page's body.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from lib.errors import DataError
from lib.figures import charts, graph
from lib.figures.style import Figure, update_axes
from lib.tables.fit import loeo_sentence, loeo_summary
from lib.tables.setup import (
    TableSetup,
    adjacency_frame,
    edges_from_adjacency,
    edges_to_text,
    parse_edges,
)
from lib.text.escape import code_list, inert, plotly_text
from lib.text.numbers import ratio_text
from lib.ui import table_compute as tc
from lib.ui import tables
from lib.ui.tables import TableChoice, code
from lib.ui.widgets import chart, data_frame, graph_legend, stacking_columns

__all__ = ["home_view", "interventions_view", "needs_scenario", "table_top"]

_UPLOAD_TYPES = ["csv", "tsv", "txt", "parquet"]


def needs_scenario(page: str, offer: str) -> None:
    """Say that a page needs a simulated world, and what it offers for a table."""
    st.info(
        f"{page} needs a simulated world, where every cause is known. With a table, {offer}",
        icon=":material/info:",
    )


def _source_note(choice: TableChoice) -> None:
    ds = tables.datasets().get(choice.dataset or "")
    if ds is not None:
        st.markdown(ds.description)
        st.caption(f"Source: {ds.source}")
    else:
        st.caption(f"Uploaded file {code(choice.name)}: it stays in this browser session only.")


# ----------------------------------------------------------------------------- Home


def home_view(choice: TableChoice) -> None:
    """Home: which table is open, and where to go next."""
    st.subheader(f"The table: {inert(tables.table_label(choice))}", anchor=False)
    _source_note(choice)
    setup = choice.setup
    env = code(setup.environment) if setup.environment else "no environment column yet"
    st.markdown(
        f"**Predicting** {code(setup.target)} **from** {code_list(setup.features)}; "
        f"**declared causes:** {code_list(setup.parents)}; **environments:** {env}."
    )


# ----------------------------------------------------------------------------- Data


def _on_upload() -> None:
    file = st.session_state.get("w_upload")
    if file is None:
        return
    try:
        tables.upload(file.getvalue(), file.name)
        st.session_state.pop("lab_upload_error", None)
    except DataError as exc:
        st.session_state["lab_upload_error"] = f"{code(file.name)}: {exc}"


def _load_section() -> None:
    st.subheader("Load a table", anchor=False)
    st.file_uploader(
        "Upload a CSV, TSV, semicolon-separated or Parquet file",
        type=_UPLOAD_TYPES,
        key="w_upload",
        on_change=_on_upload,
        help="The separator and the text encoding are detected. Up to 50 MB, "
        "1,000,000 rows and 1,000 columns.",
    )
    error = st.session_state.pop("lab_upload_error", None)
    if error:
        st.error(
            f"The file could not be used — {error} The table you had is still open.",
            icon=":material/error:",
        )
    st.caption("Or pick a sample or a real dataset in the sidebar.")


def _setup_widgets(choice: TableChoice) -> TableSetup:
    """Target, features, environment and the missing-cells policy; returns the setup."""
    df = choice.data
    setup = choice.setup
    numeric = tables.numeric_columns(df)
    envs = tables.environment_columns(df)
    ss = st.session_state

    def usable(target: str, features: Sequence[str], env: str | None) -> TableSetup:
        """The setup with what the widgets can show, keeping the edges among its columns."""
        features = tuple(f for f in features if f != target and f in numeric)
        env = env if env in envs and env != target else None
        kept = (*features, target, env)
        edges = tuple((a, b) for a, b in setup.edges if a in kept and b in kept)
        return TableSetup(target, features, env, edges)

    def store() -> None:
        new = usable(ss["w_t_target"], ss["w_t_features"], ss["w_t_env"] or None)
        tables.set_setup(new)
        # the edge list follows: arrows from or to a column no longer chosen go away
        ss[f"w_t_edges_{choice.key}"] = edges_to_text(new.edges)

    if not numeric:
        st.error("The table has no numeric column to predict.", icon=":material/error:")
        st.stop()
    shown = usable(
        setup.target if setup.target in numeric else numeric[-1],
        setup.features,
        setup.environment,
    )
    if shown != setup:  # e.g. a link named a column the pickers cannot offer
        tables.set_setup(shown)
        ss[f"w_t_edges_{choice.key}"] = edges_to_text(shown.edges)
        setup = shown
    ss["w_t_target"] = setup.target
    ss["w_t_features"] = list(setup.features)
    ss["w_t_env"] = setup.environment or ""
    ss["w_t_policy"] = choice.policy
    left, mid, right = st.columns([1, 2, 1], gap="medium")
    left.selectbox(
        "Target (what to predict)",
        numeric,
        key="w_t_target",
        on_change=store,
        help="A numeric column.",
    )
    mid.multiselect(
        "Features (what the predictive model may use)",
        [c for c in numeric if c != ss["w_t_target"]],
        key="w_t_features",
        on_change=store,
    )
    right.selectbox(
        "Environment column",
        ["", *envs],
        format_func=lambda v: v or "none",
        key="w_t_env",
        on_change=store,
        help="Which hospital, batch, firm or condition each row comes from (2 to "
        f"{tables.MAX_TABLE_ENVIRONMENTS} distinct values). Needed to test the models on "
        "an environment they never saw.",
    )
    st.radio(
        "Rows with missing or non-numeric cells in the chosen columns",
        ["drop", "fail"],
        format_func={"drop": "Leave them out (counted)", "fail": "Stop and show them"}.get,
        key="w_t_policy",
        horizontal=True,
        on_change=lambda: tables.set_policy(ss["w_t_policy"]),
    )
    current = tables.current_table()
    return current.setup if current is not None else setup


def _dag_editor(choice: TableChoice) -> None:
    setup = choice.setup
    nodes = list(dict.fromkeys([*setup.features, setup.target]))
    if setup.environment:
        nodes.append(setup.environment)
    st.subheader("Your causal graph", anchor=False)
    st.markdown(
        f"A table does not say what causes what: you do. The causal model uses only the "
        f"columns you draw an arrow from into {code(setup.target)}."
        + (
            " Or let the data choose: with an environment column, the Invariance page can "
            "make ICP's causes the causal model's inputs."
            if setup.environment
            else ""
        )
    )
    edit_col, graph_col = stacking_columns([2, 3], "dag", gap="large")
    with edit_col:
        as_text, as_table = st.tabs(["Edge list", "Adjacency table"])
        with as_text:
            key = f"w_t_edges_{choice.key}"
            if key not in st.session_state:
                st.session_state[key] = edges_to_text(setup.edges)
            text = st.text_area(
                "One arrow per line: `cause -> effect` (or `a, b -> effect`)",
                key=key,
                height=160,
            )
            try:
                edges = parse_edges(text, nodes)
            except DataError as exc:
                st.error(f"The graph is not changed: {exc}", icon=":material/error:")
            else:
                if edges != setup.edges:
                    tables.set_setup(
                        TableSetup(setup.target, setup.features, setup.environment, edges)
                    )
                    setup = TableSetup(setup.target, setup.features, setup.environment, edges)
        with as_table:
            frame = adjacency_frame(setup.edges, nodes)
            edited = st.data_editor(
                frame,
                key=f"w_t_adj_{choice.key}_{hash(setup.edges)}",
                width="stretch",
            )
            st.caption("Tick a cell: the row's column causes the column's column.")
            if not edited.equals(frame):
                try:
                    edges = edges_from_adjacency(edited)
                except DataError as exc:
                    st.error(f"The graph is not changed: {exc}", icon=":material/error:")
                else:
                    tables.set_setup(
                        TableSetup(setup.target, setup.features, setup.environment, edges)
                    )
                    st.session_state[f"w_t_edges_{choice.key}"] = edges_to_text(edges)
                    st.rerun()
    with graph_col:
        dot = graph.graph_dot(
            nodes, list(setup.edges), target=setup.target, features=setup.features
        )
        with st.container(key="lab_graph_table"):  # sized like every causal graph (css.style)
            st.graphviz_chart(dot, width="stretch")
        graph_legend(as_list=False, key="table", unobserved=False)
        st.caption(
            f"Declared causes of {code(setup.target)}: {code_list(setup.parents)}. "
            + (
                "With none, the causal model predicts the average."
                if not setup.parents
                else "The causal model uses exactly these."
            )
            + (
                f" The plain oval, {code(setup.environment)}, marks the environments: you may "
                f"draw what it changes."
                if setup.environment
                else ""
            )
        )


def table_top(choice: TableChoice) -> tuple[TableChoice, list[str]]:
    """The Data page's top for a table: load, how it was read, the roles and the declared graph.

    Returns the table as set up now and the setup's problems (shown as warnings).
    """
    _load_section()
    choice = tables.current_table() or choice
    st.subheader(f"The table: {inert(tables.table_label(choice))}", anchor=False)
    _source_note(choice)
    for note in tables.text_cell_notes(choice):  # up front: the fold below says the rest
        st.warning(note, icon=":material/text_fields:")
    with st.expander("How the file was read", icon=":material/fact_check:"):
        st.markdown("\n".join(f"- {line}" for line in choice.table.report.lines()))

    st.subheader("What to predict from what", anchor=False)
    setup = _setup_widgets(choice)
    problems = tables.setup_warnings(setup, choice.data.columns)
    choice = tables.current_table() or choice
    _dag_editor(choice)
    return tables.current_table() or choice, problems  # with the causes just declared


# ----------------------------------------------------------------------------- Interventions


def _loeo_figure(results: pd.DataFrame, env: str) -> Figure:
    frame = results.rename(columns={"held_out": "test"}).copy()
    frame["test"] = frame["test"].astype(str)
    fig = charts.rmse_bars(frame, title="")
    update_axes(fig, "x", {"title": {"text": f"held-out {plotly_text(env)}"}})
    if frame["test"].nunique() > 4:  # numbers on every bar would be unreadably small
        for trace in fig["data"]:
            trace["textposition"] = "none"
    return fig


def interventions_view(choice: TableChoice, seed: int) -> None:
    """Interventions on a table: a shift between environments, one held out at a time."""
    setup = choice.setup
    if not setup.environment:
        needs_scenario(
            "Setting a variable by hand",
            "the one change the data can show is a move between environments (hospitals, "
            "batches, firms…). Pick an environment column on the Data page.",
        )
        return
    if tables.setup_warnings(setup, choice.data.columns):
        return
    st.subheader(f"Leave one {code(setup.environment)} out", anchor=False)
    st.markdown(
        f"Each model is fitted on every {code(setup.environment)} but one, then predicts the one "
        f"left out: a world it never saw. A model that only learned local clues breaks there; "
        f"one built on causes that hold everywhere keeps working."
    )
    try:
        with st.spinner("Fitting on all environments but one, for each one…"):
            results = tc.loeo(choice.key, setup, choice.policy, seed, _choice=choice)
    except DataError as exc:
        st.error(f"The comparison cannot be made: {exc}", icon=":material/error:")
        return
    summary = loeo_summary(results)
    st.info(loeo_sentence(summary, setup.environment), icon=":material/lightbulb:")
    for note in results.attrs.get("notes", []):
        st.caption(note)
    chart(
        _loeo_figure(results, setup.environment),
        "Prediction error (RMSE) on each held-out environment, in the target's own units. "
        "Lower is better; environments differ in scale (a big firm's errors are big), so "
        "compare the two kinds of model within each environment, and read the table below "
        "for how much worse each got.",
    )
    st.markdown(
        f"**How each model travelled**: its error on a held-out {code(setup.environment)} ÷ its "
        f"error on new rows of that {code(setup.environment)} when it was part of training. "
        f"The *worst* one is where that ratio is largest, not where the error is largest; "
        f"below ×1.00, the model did better there than on rows of a place it knew."
    )
    data_frame(
        pd.DataFrame(
            {
                "model": summary["model"],
                "kind": summary["kind"],
                "typical ×": summary["median_ratio"].map(ratio_text),
                "largest ×": summary["worst_ratio"].map(ratio_text),
                f"{setup.environment} with the largest ×": summary["worst_env"].astype(str),
            }
        ),
        hide_index=True,
        width="stretch",
    )
    shown = results[["held_out", "model", "kind", "n_test", "rmse", "r2", "ratio"]].rename(
        columns={
            "held_out": f"held out ({setup.environment})",
            "n_test": "rows",
            "ratio": "× error when seen",
        }
    )
    shown["× error when seen"] = shown["× error when seen"].map(ratio_text)
    with st.expander("Every held-out environment and model (table)"):
        data_frame(
            shown,
            hide_index=True,
            width="stretch",
            column_config={
                "rmse": st.column_config.NumberColumn("RMSE", format="%.3g"),
                "r2": st.column_config.NumberColumn("R²", format="%.2f"),
            },
        )
