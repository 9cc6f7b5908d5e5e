"""The Builder page's parts: where to start, the two tables, and "use it".

Each function draws one part of ``pages/7_Builder.py`` from a
:class:`lib.ui.builder_state.BuilderState`; the page reads as their list.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.errors import ScenarioError
from lib.ui import tables
from lib.ui.builder_state import BLANK, BuilderState, key
from lib.ui.state import add_user_scenario, page_link, user_scenarios
from lib.ui.widgets import stacking_columns
from lib.world.builder import (
    AMOUNT_MEANING,
    NODE_COLUMNS,
    PRESET_COLUMNS,
    BuildResult,
    scenario_from_upload,
    scenario_to_toml,
)
from lib.world.interventions import KINDS
from lib.world.scenarios import list_scenarios, load_scenario

__all__ = ["node_editor", "preset_editor", "start_section", "use_section"]

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


def preset_editor(state: BuilderState, names: list[str]) -> pd.DataFrame:
    """The table of presets (named interventions); returns it as edited."""
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
                "Node", options=names or [""], width=PRESET_WIDTHS["node"]
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
