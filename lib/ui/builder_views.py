"""The Builder page's parts: where to start, the two tables, and "use it".

Each function draws one part of ``pages/7_Builder.py`` from a
:class:`lib.ui.builder_state.BuilderState`; the page reads as their list.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any, cast

import pandas as pd
import streamlit as st

from lib.errors import ScenarioError
from lib.figures.graph import draft_dot
from lib.ui import tables
from lib.ui.builder_state import BLANK, BuilderState, key
from lib.ui.state import Lab, add_user_scenario, page_link, user_scenarios
from lib.ui.widgets import graph_legend, page_header, stacking_columns
from lib.world.builder import (
    AMOUNT_MEANING,
    NODE_COLUMNS,
    PRESET_COLUMNS,
    BuildResult,
    changed_equations,
    draft_notes,
    find_rename,
    scenario_from_upload,
    scenario_to_toml,
)
from lib.world.expressions import allowed_summary
from lib.world.interventions import KINDS
from lib.world.scenarios import list_scenarios, load_scenario

__all__ = [
    "builder_section",
    "node_editor",
    "preset_editor",
    "ready_text",
    "rename_notice",
    "start_section",
    "use_section",
    "world_summary",
]

# Column widths (px) so that every column fits the table's ~900 px at a 1400 px window
# (sidebar open), and name, equation and unit (or preset, kind, node and amount) stay
# in view at 1024 px (~620 px); longer text is cut with "…" and shown whole when edited.
NODE_WIDTHS = {
    "name": 116,
    "equation": 352,
    "unit": 96,
    "description": 150,
    "observed": 92,
    "measures": 92,
}
PRESET_WIDTHS = {
    "preset": 120,
    "kind": 96,
    "node": 104,
    "amount": 250,
    "strength": 92,
    "description": 126,
    "why": 110,
}


def start_options() -> dict[str, str]:
    """Where the builder can start: the blank world, a copy of each world."""
    options = {BLANK: "a blank world (x → y)"}
    for sid in list_scenarios():
        options[sid] = f"a copy of “{load_scenario(sid).title}”"
    for sid, sc in user_scenarios().items():
        options[sid] = f"a copy of your world “{sc.title}”"
    return options


def _start_from_choice(state: BuilderState) -> None:
    choice = st.session_state[key("start_choice")]
    mine = user_scenarios()
    copied = None if choice == BLANK else mine.get(choice) or load_scenario(choice)
    builtin = choice != BLANK and choice not in mine
    state.start(copied, copied=copied is not None, new_id=f"{choice}_copy" if builtin else None)
    state.message("notice", f"Started from {start_options()[choice]}.")


def start_section(state: BuilderState) -> None:
    """Start from a blank world, a copy of a scenario, or a file; then the one-time notices."""
    with st.expander("Start from a blank world, a copy of a scenario, or a file", expanded=False):
        pick_col, upload_col = stacking_columns([1, 1], "builder_start", gap="large")
        with pick_col:
            options = start_options()
            if st.session_state.get(key("start_choice")) not in options:
                st.session_state[key("start_choice")] = BLANK
            st.selectbox(
                "Start from",
                list(options),
                format_func=lambda sid: options[sid],
                key=key("start_choice"),
            )
            st.button(
                "Start",
                on_click=_start_from_choice,
                args=(state,),
                icon=":material/restart_alt:",
                help="Replaces everything in the builder (download your world first to keep it).",
            )
        with upload_col:
            upload = st.file_uploader(
                "Load a scenario file (.toml)",
                type=["toml"],
                key=key("upload"),
                help="A file downloaded from this page, or one written by hand "
                "(see the scenario format in the docs).",
            )
            if upload is not None and state.first_sight(upload.file_id):
                try:
                    loaded = scenario_from_upload(upload.getvalue())
                except ScenarioError as exc:
                    state.upload_error = f"{tables.code(upload.name)} was not loaded: {exc}"
                else:
                    state.upload_error = None
                    state.start(loaded)
                    state.message("notice", f"Loaded {tables.code(upload.name)}.")
                    st.rerun()
            if upload is None:
                state.upload_error = None
            if state.upload_error:
                st.error(state.upload_error + " Your world is unchanged.", icon=":material/error:")
    if notice := state.message("notice"):
        st.success(notice, icon=":material/check_circle:")
    if used := state.message("used"):
        st.success(used, icon=":material/check_circle:")
        links = st.columns(3)
        for col, page in zip(links, ("Data", "Models", "Interventions"), strict=True):
            with col:
                page_link(page, label=f"See it on {page}")


def node_editor(state: BuilderState) -> pd.DataFrame:
    """The table of variables and their equations; returns it as edited."""
    return st.data_editor(
        state.table("nodes"),
        key=state.editor_key("nodes"),
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_order=NODE_COLUMNS,
        column_config={
            "name": st.column_config.TextColumn(
                "Name",
                default="",
                help="A letter, then letters, digits or _ (e.g. `blood_pressure`).",
                max_chars=40,
                width=NODE_WIDTHS["name"],
            ),
            "equation": st.column_config.TextColumn(
                "Equation",
                default="",
                help="How this variable is made from its causes, e.g. `2 * x + normal(0, 1)`.",
                width=NODE_WIDTHS["equation"],
                max_chars=1000,
            ),
            "unit": st.column_config.TextColumn(
                "Unit", max_chars=30, default="", width=NODE_WIDTHS["unit"]
            ),
            "description": st.column_config.TextColumn(
                "Description", max_chars=300, default="", width=NODE_WIDTHS["description"]
            ),
            "observed": st.column_config.CheckboxColumn(
                "Observed",
                default=True,
                width=NODE_WIDTHS["observed"],
                help="Untick for a variable a real study cannot see: it is simulated, "
                "but no model may use it.",
            ),
            "measures": st.column_config.TextColumn(
                "Measures",
                default="",
                help="If this variable is a noisy measurement of another one, that one's name.",
                max_chars=40,
                width=NODE_WIDTHS["measures"],
            ),
        },
    )


def preset_editor(state: BuilderState, nodes: list[str]) -> pd.DataFrame:
    """The table of presets (named interventions), whose node cells offer ``nodes``
    (:func:`lib.ui.builder_state.node_options`); returns it as edited."""
    AMOUNT_SHORT = {
        "do": "the new value",
        "shift": "what is added",
        "scale_noise": "the noise factor",
        "replace": "the new equation",
    }
    amounts = [f"{AMOUNT_SHORT.get(k, AMOUNT_MEANING[k])} (`{k}`)" for k in KINDS]
    st.caption(
        "One row per intervention; rows with the same preset name make one preset. The amount is "
        + ", ".join(amounts[:-1])
        + f" or {amounts[-1]}; the strength goes from 0 (no change) to 1 (the full intervention)."
    )
    return st.data_editor(
        state.table("presets"),
        key=state.editor_key("presets"),
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_order=PRESET_COLUMNS,
        column_config={
            "preset": st.column_config.TextColumn(
                "Preset", max_chars=40, default="", width=PRESET_WIDTHS["preset"]
            ),
            "kind": st.column_config.SelectboxColumn(
                "Kind", options=list(KINDS), default="do", width=PRESET_WIDTHS["kind"]
            ),
            "node": st.column_config.SelectboxColumn(
                "Node",
                options=nodes,
                width=PRESET_WIDTHS["node"],
            ),
            "amount": st.column_config.TextColumn(
                "Amount",
                default="",
                help="; ".join(f"`{k}`: {AMOUNT_MEANING[k]}" for k in KINDS) + ".",
                max_chars=1000,
                width=PRESET_WIDTHS["amount"],
            ),
            "strength": st.column_config.NumberColumn(
                "Strength",
                min_value=0.0,
                max_value=1.0,
                step=0.05,
                default=1.0,
                width=PRESET_WIDTHS["strength"],
            ),
            "description": st.column_config.TextColumn(
                "Description", max_chars=300, default="", width=PRESET_WIDTHS["description"]
            ),
            "why": st.column_config.TextColumn(
                "Why",
                max_chars=500,
                default="",
                help="Why the preset does what it does (shown on the Interventions page).",
                width=PRESET_WIDTHS["why"],
            ),
        },
    )


def rename_notice(old: str, new: str, places: list[str]) -> str:
    """What a rename changed besides the name's own cell (Markdown)."""
    said = f"Renamed `{old}` to `{new}`"
    if not places:
        return said + "."
    where = places[0] if len(places) == 1 else ", ".join(places[:-1]) + f" and {places[-1]}"
    return f"{said} everywhere it was used: {where}."


def world_summary(result: BuildResult) -> None:
    """Under the table of equations: every problem of the world, the presets' too (they
    are listed again beside their table), or that it is ready."""
    if result.ok:
        assert result.scenario is not None
        st.caption(ready_text(result))
        return
    lines = [*result.errors, *result.node_messages()]
    lines += [f"{m} (in the presets below)" for m in result.preset_messages()]
    st.error(
        "**Fix these to use the world:**\n\n" + "\n".join(f"- {m}" for m in lines),
        icon=":material/error:",
    )


def ready_text(result: BuildResult) -> str:
    """What a world without a problem is: its variables and presets, every one checked."""
    assert result.scenario is not None
    nodes, presets = len(result.scenario.scm.nodes), len(result.scenario.presets)
    return (
        f"{nodes} variable{'s' if nodes != 1 else ''} and {presets} "
        f"preset{'s' if presets != 1 else ''}, every equation checked: "
        "ready to use (below)."
    )


def use_section(state: BuilderState, result: BuildResult) -> None:
    """Use the world on every page, or download it as a scenario file."""
    st.subheader("Use it", anchor=False)
    if not result.ok:
        st.caption("Fix the errors above to use or download this world.")
    actions = st.container(
        horizontal=True, gap="medium"
    )  # the two buttons side by side, at the left
    with actions:
        if st.button(
            "Use this world",
            type="primary",
            disabled=not result.ok,
            icon=":material/public:",
            help="Every page (Data, Models, Interventions) then uses this world; "
            "it is listed in the sidebar as yours.",
        ):
            assert result.scenario is not None
            add_user_scenario(result.scenario)
            tables.set_source(tables.SCENARIO)
            state.message(
                "used",
                f"“{result.scenario.title}” is now the world on every page "
                "(listed in the sidebar as yours).",
            )
            st.rerun()
    with actions:
        st.download_button(
            "Download scenario (TOML)",
            data=scenario_to_toml(result.scenario) if result.scenario is not None else "",
            file_name=f"{result.scenario.id if result.scenario is not None else 'world'}.toml",
            mime="application/toml",
            disabled=not result.ok,
            icon=":material/download:",
            on_click="ignore",
        )


def builder_section(lab: Lab, data: Any) -> None:
    """The Builder: where to start, the world's name, its variables and equations (checked
    per row as they are typed), the graph drawn live, the presets, and how to use it.

    One section: every part reads the table of equations the part above it edited.
    """
    state = BuilderState(cast(MutableMapping[str, Any], st.session_state))
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
    before = state.saved_nodes()
    nodes = node_editor(state)
    renamed = find_rename(before, nodes)
    if renamed is not None:  # the new name goes wherever the old one was used
        places = state.rename(*renamed, nodes)
        old, new = renamed
        state.message("notice", rename_notice(old, new, places))
        st.rerun()
    state.save_table("nodes", nodes)
    result = state.build(nodes, state.saved_presets())
    if state.sync_roles(result):  # target and features follow the rows; new variables join
        result = state.build(nodes, state.saved_presets())
    names = list(result.graph.nodes)
    # What is wrong with the world (presets included), written once the presets are read.
    summary = st.empty()
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
                ":red[**Outlined in red**]: a variable whose row has an error.  \n"
                + "  \n".join(notes)
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
    presets = preset_editor(state, state.offer_nodes(names))
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
    with summary.container():
        world_summary(result)

    # --- Use it -------------------------------------------------------------------------------------
    use_section(state, result)
