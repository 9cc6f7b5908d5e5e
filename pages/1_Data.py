"""Data: the scenario's world — its causal graph, its equations, and a sample."""

import streamlit as st

from lib.ui import compute, table_views
from lib.ui.lab import clue_sentence, clues, data_columns, node_table
from lib.ui.state import init_page
from lib.ui.widgets import causal_graph, chart, page_header, rows_section, stacking_columns

lab = init_page("Data")
if lab.table is not None:
    page_header(
        "Data", "Your table: load it, choose what to predict from what, and say what causes what."
    )
    table_views.data_view(lab.table)
    st.stop()
sc = lab.scenario
sid, n, seed = lab.key

page_header("Data", f"{sc.title}. {sc.summary}")
if sc.story:
    with st.expander("Read the story", icon=":material/menu_book:"):
        st.markdown(sc.story)

# --- The world: its graph and its equations -------------------------------------
st.subheader("The causal graph", anchor=False)
causal_graph(sc)

st.subheader("The equations", anchor=False)
st.table(node_table(sc), hide_index=True)
st.caption(
    "Each node is computed from its causes, in the order of the graph, plus its own random "
    "part: `normal(m, s)` is noise with mean m and spread s. Unobserved nodes are simulated "
    "but hidden from every model."
)

# --- The sample -----------------------------------------------------------------
df = compute.sample(sid, n, seed)
observed, latent = data_columns(sc)
shown = min(len(df), 200)
rows_section(
    "The sample",
    df[observed + latent],
    f"The first {shown:,} of {n:,} rows (seed {seed}): the rows both models learn from. "
    f"`{sc.target}` is the target. Change the rows or the seed in the sidebar. The download "
    f"holds all {n:,} rows"
    + (
        ", unobserved columns included and marked “(unobserved)” in their names." if latent else "."
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
)

# --- What goes with what ----------------------------------------------------------
st.subheader("What goes with what", anchor=False)
corr_col, clue_col = stacking_columns([1, 1], "corr", gap="large", vertical_alignment="center")
with corr_col:
    chart(
        compute.heatmap_figure(sid, n, seed, tuple(observed)),
        "Correlations between the observed variables: red is positive, blue negative, white "
        "none. Every strong cell is a clue a predictive model can use.",
    )
with clue_col:
    table = clues(df, sc.target, [c for c in observed if c != sc.target], sc.causal_features)
    st.markdown(f"**Clues to `{sc.target}`**, strongest first")
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "variable": st.column_config.TextColumn("variable"),
            "r": st.column_config.ProgressColumn(
                "correlation r", format="%.2f", min_value=-1.0, max_value=1.0
            ),
            "causal input": st.column_config.CheckboxColumn(
                "a cause?",
                help="Checked: the causal model uses it (it is a cause of the target, or "
                "measures one).",
                width="small",
            ),
        },
    )
    st.markdown(clue_sentence(table, sc.target))

pairs = (sc.target, *sc.features)
drawn = min(n, compute.PAIRS_MAX_POINTS)
chart(
    compute.pairs_figure(sid, n, seed, pairs),
    f"Each panel plots one pair of variables; colour shows `{sc.target}`. A tight cloud means "
    f"one variable predicts the other — it does not say which causes which."
    + (
        f" For speed, {drawn:,} of the {n:,} rows are drawn, chosen at random." if drawn < n else ""
    ),
)
