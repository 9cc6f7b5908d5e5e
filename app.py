"""Home: what the lab shows, the L-DOPA story, and where to start."""

import streamlit as st

from lib.scenarios import load_scenario
from lib.ui.state import PAGE_ICONS, PAGES, init_page
from lib.ui.widgets import causal_graph, page_header

init_page("Home")

page_header(
    "Predict or Explain",
    "A model that <b>predicts</b> well has learned what goes with the outcome. "
    "A model that <b>explains</b> has learned what causes it. "
    "In the data you trained on, both look good — change the world, and only one keeps working.",
    trusted_html=True,
)

st.subheader("Start here", anchor=False)
steps = [
    ("Data", "1 · See the world", "Its causal graph, a sample of patients, and what correlates."),
    (
        "Models",
        "2 · Fit two models",
        "A predictive model uses every clue; a causal one only the causes.",
    ),
    (
        "Interventions",
        "3 · Change the world",
        "Give everyone Tylenol, and watch which model breaks.",
    ),
]
for column, (page, title, text) in zip(st.columns(3, gap="medium"), steps, strict=True):
    with column.container(border=True):
        st.page_link(PAGES[page], label=title, icon=PAGE_ICONS[page])
        st.markdown(text)

st.divider()

ldopa = load_scenario("ldopa")
story, graph = st.columns([1, 1], gap="large")
with story:
    st.subheader(f"The story: {ldopa.title}", anchor=False)
    st.markdown(ldopa.story)
with graph:
    st.subheader("Its causal graph", anchor=False)
    causal_graph(ldopa)
