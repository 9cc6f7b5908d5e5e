"""Data: where the rows come from, the rows themselves, and what goes with what."""

import streamlit as st

from lib.ui.data_view import data_top, lead
from lib.ui.handout_views import handout_control
from lib.ui.lab import clue_sentence
from lib.ui.state import init_page
from lib.ui.widgets import chart, page_header, rows_section, stacking_columns

lab = init_page("Data")
page_header("Data", lead(lab))
src = data_top(lab)  # a world's story, graph and equations; or a table's file, roles and graph

# --- The rows ---------------------------------------------------------------------
rows_section(
    src.rows_title,
    src.rows,
    src.rows_caption,
    csv=src.csv,
    file_name=src.file_name,
    column_config=src.column_config,
)

# --- What goes with what ----------------------------------------------------------
if src.heatmap is not None:
    st.subheader("What goes with what", anchor=False)
    corr_col, clue_col = stacking_columns([1, 1], "corr", gap="large", vertical_alignment="center")
    with corr_col:
        chart(src.heatmap(), src.heatmap_caption, key="heatmap")
    if src.clues is not None:
        with clue_col:
            st.markdown(f"**Clues to `{src.target}`**, strongest first")
            st.dataframe(
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
            st.markdown(clue_sentence(src.clues, src.target))
if src.pairs is not None:
    chart(src.pairs(), src.pairs_caption, key="pairs")

handout_control(lab)  # the view as a web page, and a script of its numbers
