"""Builder: write your own world as a table of equations, and use it on every page."""

import streamlit as st

from lib.figures.graph import draft_dot
from lib.ui.builder_state import BuilderState, key
from lib.ui.builder_views import node_editor, preset_editor, start_section, use_section
from lib.ui.state import init_page
from lib.ui.widgets import graph_legend, page_header, stacking_columns
from lib.world.builder import changed_equations, draft_notes
from lib.world.expressions import allowed_summary

lab = init_page("Builder")
state = BuilderState(st.session_state)
page_header(
    "Builder",
    "Write your own world: one row per variable, with the equation that makes it from its "
    "causes. The graph follows as you type. Then use it on every page, or download it.",
)

# --- Where to start ------------------------------------------------------------------------
start_section(state)

# --- The world's name -----------------------------------------------------------------------
title_col, summary_col, rows_col = stacking_columns([2, 4, 1], "builder_meta", gap="medium")
title_col.text_input("Title", key=key("title"), max_chars=100)
summary_col.text_input(
    "One-line summary", key=key("summary"), max_chars=400, help="Shown under the title."
)
rows_col.number_input(
    "Rows by default",
    min_value=50,
    max_value=100_000,
    step=500,
    key=key("default_n"),
    help="Rows the pages start with. A world with many costly equations allows fewer.",
)

# --- Nodes ------------------------------------------------------------------------------------
st.subheader("Variables and their equations", anchor=False)
nodes = node_editor(state)
state.save_table("nodes", nodes)
result = state.build(nodes, state.saved_presets())
if state.sync_roles(result):  # target and features follow the rows; new variables join
    result = state.build(nodes, state.saved_presets())
names = list(result.graph.nodes)

node_messages = [*result.errors, *result.node_messages()]
if node_messages:
    st.error(
        "**Fix these to use the world:**\n\n" + "\n".join(f"- {m}" for m in node_messages),
        icon=":material/error:",
    )
else:
    st.caption(f"{len(names)} variables, every equation checked.")
with st.expander("What an equation may contain"):
    st.markdown(allowed_summary(names))

# --- Graph, target and features ---------------------------------------------------------------
st.subheader("The causal graph", anchor=False)
# Target and features above the graph: the graph gets the page's width, and the
# features' chips have room on one line.
if names:
    target_col, features_col = stacking_columns([1, 2], "builder_roles", gap="medium")
    target_col.selectbox(
        "Target (what the models predict)",
        names,
        key=key("target"),
    )
    features_col.multiselect(
        "Features (what a predictive model may use)",
        [n for n in names if n != st.session_state[key("target")]],
        key=key("features"),
        help="Observed variables only; the causal model picks its own from the graph.",
    )
else:
    st.info("Add a variable to the table to see the graph.")
dot = draft_dot(result, state.meta())
if dot is not None:
    # a small world is drawn at a modest size (lib.ui.css.style), not blown up
    size = "_small" if len(names) <= 4 else ""
    with st.container(key=f"lab_graph_builder{size}"):
        st.graphviz_chart(dot, width="stretch")
    notes = draft_notes(result)
    if notes:
        st.caption(
            ":red[**Outlined in red**]: a variable whose row has an error.  \n" + "  \n".join(notes)
        )
    hidden = any(not d.get("observed", True) for _, d in result.graph.nodes(data=True))
    graph_legend(as_list=False, key="builder", unobserved=hidden)

# --- Presets ------------------------------------------------------------------------------------
st.subheader("Presets: named interventions", anchor=False)
original = state.original
changed = changed_equations(original, nodes) if original else []
if changed:
    shown = ", ".join(f"`{n}`" for n in changed[:6]) + (" …" if len(changed) > 6 else "")
    st.warning(
        "The story and the presets' explanations were written for the original world; "
        f"check them. Equations changed since the copy: {shown}.",
        icon=":material/edit_note:",
    )
presets_before = state.saved_presets()
presets = preset_editor(state, names)
state.save_table("presets", presets)
if not presets.equals(presets_before):  # edited in this run: check the new rows
    result = state.build(nodes, presets)
preset_messages = result.preset_messages()
if preset_messages:
    st.error("\n".join(f"- {m}" for m in preset_messages), icon=":material/error:")

with st.expander("Story (Markdown, shown on the home page)"):
    st.text_area("Story", key=key("story"), height=200, max_chars=10_000)

# The arrows of every equation that compiles now, for drawing a broken one on the next run.
state.remember(result)

# --- Use it -------------------------------------------------------------------------------------
use_section(state, result)
