"""The Invariance page's environments: the composer, and the environments it pools.

A world's environments are rows of a data editor (name, intervention, strength,
rows) kept in the lab's state (``envs``), so they travel in the link; every
section of the page that reads environments reads :func:`page_environments`.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from lib.errors import ScenarioError
from lib.text.escape import code_span
from lib.ui import invariance_views as iv
from lib.ui.composer import (
    CUSTOM_NOISE_FACTOR,
    CUSTOM_SHIFT_SDS,
    MAX_ENV_ROWS_UI,
    MIN_ENV_ROWS,
    NO_INTERVENTION,
    ROW_COLUMNS,
    environment_rows,
    environments_from_rows,
    intervention_options,
    new_row_defaults,
    starting_environments,
)
from lib.ui.pages.invariance import ENV_NAME_CHARS, EnvRow, env_token
from lib.ui.state import Lab, set_fields
from lib.ui.widgets import section_heading
from lib.world.environments import ENV_COLUMN, Environment
from lib.world.scenarios import Scenario

__all__ = [
    "PageEnvironments",
    "apply_editor_changes",
    "composer_labels",
    "composer_rows",
    "editor_key",
    "environments_section",
    "page_environments",
    "state_environments",
]


# ----------------------------------------------------------------------------- the composer


def composer_labels(sc: Scenario, named: Mapping[str, Sequence[Any]]) -> dict[str, str]:
    """The composer's intervention choices (its labels) by the link's word for each
    (:func:`lib.ui.params.env_token`)."""
    out = {env_token("none"): NO_INTERVENTION}
    out.update({env_token("preset", p): p for p in sc.presets})
    out.update({env_token("env", e): f"as in the scenario: {e}" for e in named})
    for node in sc.scm.nodes:
        out[env_token("shift", node)] = f"shift {node} by {CUSTOM_SHIFT_SDS:g} SD"
        out[env_token("noise", node)] = f"noise of {node} ×{CUSTOM_NOISE_FACTOR:g}"
    return out


def _cell(value: Any) -> Any:
    """A cell of the editor as plain Python (None for an empty one)."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value.item() if hasattr(value, "item") else value


def _env_row(row: Sequence[Any], tokens: Mapping[str, str]) -> EnvRow:
    """One composer row (its labels) as the state's row (the link's words)."""
    name, label, strength, n = (_cell(v) for v in row)
    strength = None if strength is None else min(1.0, max(0.0, float(strength)))
    n = None if n is None else int(round(float(n)))
    return (
        "" if name is None else str(name).strip(),
        tokens.get(str(label or ""), ""),
        strength,
        n,
    )


def apply_editor_changes(
    rows: Sequence[Sequence[Any]], changes: Mapping[str, Any]
) -> list[list[Any]]:
    """The rows a data editor shows after ``changes`` (its session-state value).

    As Streamlit applies them: cell edits by row position, then deletions by
    position, then added rows (by column name) at the end.
    """
    out = [list(r) for r in rows]
    for pos, edits in (changes.get("edited_rows") or {}).items():
        i = int(pos)
        if 0 <= i < len(out):
            for column, value in edits.items():
                if column in ROW_COLUMNS:
                    out[i][ROW_COLUMNS.index(column)] = value
    gone = {int(i) for i in changes.get("deleted_rows") or []}
    out = [r for i, r in enumerate(out) if i not in gone]
    for added in changes.get("added_rows") or []:
        out.append([added.get(c) for c in ROW_COLUMNS])
    return out


def _store_envs(key: str, rows: list[list[Any]], tokens: dict[str, str]) -> None:
    """``on_change`` of the composer: its rows into the lab's state (and so the link)."""
    edited = apply_editor_changes(rows, st.session_state.get(key) or {})
    set_fields(envs=tuple(_env_row(r, tokens) for r in edited))


def composer_rows(
    sc: Scenario, n: int, kept: tuple[EnvRow, ...] | None
) -> tuple[pd.DataFrame, tuple[EnvRow, ...], dict[str, Any], dict[str, str], dict[str, str]]:
    """The composer's rows for the state's ``envs`` (None: the world's starting ones).

    Returns the rows as the editor shows them, the rows as stored, the world's
    named environments, and the token → label map and its inverse.
    """
    start, _ = starting_environments(sc, n)
    named = environment_rows(list(sc.environments), sc)[1]  # every one of the world's own
    labels = composer_labels(sc, named)
    tokens = {label: token for token, label in labels.items()}
    if kept is None:
        first, _ = environment_rows(start, sc)
        if len(first) == 1 and sc.features:  # a world without presets: start with a shift
            feature = sc.features[0]
            shift = f"shift {feature} by {CUSTOM_SHIFT_SDS:g} SD"
            first.loc[len(first)] = [f"{feature} shifted", shift, 1.0, int(first["rows"].iloc[0])]
        kept = tuple(_env_row(r, tokens) for r in first.itertuples(index=False, name=None))
    shown = [[name, labels.get(token), strength, rows] for name, token, strength, rows in kept]
    rows = pd.DataFrame(shown, columns=ROW_COLUMNS)
    rows["strength"] = rows["strength"].astype(float)
    if rows["rows"].notna().all():
        rows["rows"] = rows["rows"].astype(int)
    return rows, kept, named, labels, tokens


def state_environments(
    sc: Scenario, sid: str, n: int, kept: tuple[EnvRow, ...] | None
) -> list[Environment]:
    """The environments a state's ``envs`` names, as the Invariance page pools them.

    Raises
    ------
    lib.errors.ScenarioError
        When the rows cannot be used (the page shows why).
    """
    rows, _, named, _, _ = composer_rows(sc, n, kept)
    return environments_from_rows(rows, sc, named, iv.node_sds(sid))


@dataclass(frozen=True)
class PageEnvironments:
    """The environments the view's ``envs`` names, pooled, or why they cannot be used."""

    envs: list[Environment] | None
    problem: str = ""
    composer: tuple[Any, ...] = ()  # composer_rows's rows, kept, named, labels, tokens


def editor_key(sid: str, kept: tuple[EnvRow, ...]) -> str:
    """The composer's key: it names the rows it starts from, so new rows draw a new editor."""
    return f"inv_envs_{sid}_{zlib.crc32(repr(kept).encode('utf-8')):08x}"


def _plain(rows: pd.DataFrame) -> list[list[Any]]:
    """The editor's rows as plain lists (None for an empty cell, Python numbers)."""
    return [[_cell(v) for v in row] for row in rows.itertuples(index=False, name=None)]


def page_environments(lab: Lab) -> PageEnvironments:
    """The Invariance page's environments at the lab's view: what the composer shows.

    That is the state's rows, with the editor's own edits on top when the state
    could not keep them (rows that cannot stand, such as none at all, leave the
    state as it was, and the editor showing them): then they are what is wrong.
    """
    sc = lab.scenario
    sid, n, _ = lab.key
    composer = composer_rows(sc, n, lab.state.envs)
    rows, kept, named, _, _ = composer
    edits = st.session_state.get(editor_key(sid, kept))
    if edits:
        rows = pd.DataFrame(apply_editor_changes(_plain(rows), edits), columns=ROW_COLUMNS)
    try:
        envs = environments_from_rows(rows, sc, named, iv.node_sds(sid))
    except ScenarioError as exc:
        return PageEnvironments(None, str(exc), composer)
    return PageEnvironments(envs, "", composer)


def environments_section(lab: Lab, pooled: PageEnvironments) -> None:
    """1 · The environments: the composer, and why its rows cannot be used when they cannot.

    The rows live in the lab's state (``envs``, None for the world's starting
    ones), so they travel in the link and survive a visit to another page. The
    editor's key names its rows: an edit stores the new rows, and the next run
    draws a fresh editor holding them.
    """
    sc = lab.scenario
    sid, n, _ = lab.key
    target = code_span(sc.target)
    # --- 1. The environments -----------------------------------------------------------------
    section_heading("1 · The environments")
    _, left_out = starting_environments(sc, n)
    rows, kept, named, labels, tokens = pooled.composer or composer_rows(sc, n, lab.state.envs)
    st.markdown(
        f"Each environment is the same world with some interventions — a clinic that hands out "
        f"Tylenol, an author with a habit. Edit, add or delete rows. ICP and the models below "
        f"see the environments **pooled**: their rows stacked into one table, with an "
        f"{code_span(ENV_COLUMN)} column naming each row's environment."
    )
    defaults = new_row_defaults(sc, rows)
    key = editor_key(sid, kept)
    st.data_editor(
        rows,
        key=key,
        on_change=_store_envs,
        args=(key, _plain(rows), tokens),
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_config={
            "environment": st.column_config.TextColumn(
                "Environment",
                max_chars=ENV_NAME_CHARS,
                width="medium",
                help="A new row left blank is named after its place (environment 4).",
            ),
            "intervention": st.column_config.SelectboxColumn(
                "Intervention",
                options=intervention_options(sc, named),
                required=True,
                default=defaults["intervention"],
                width="medium",
                help=f"A preset of the scenario, or a custom change: a shift of a node by "
                f"{CUSTOM_SHIFT_SDS:g} standard deviations, or its noise ×{CUSTOM_NOISE_FACTOR:g}.",
            ),
            "strength": st.column_config.NumberColumn(
                "Strength",
                min_value=0.0,
                max_value=1.0,
                step=0.05,
                format="%.2f",
                width="small",
                default=defaults["strength"],
                help="0 = no change, 1 = the full intervention.",
            ),
            "rows": st.column_config.NumberColumn(
                "Rows",
                min_value=MIN_ENV_ROWS,
                max_value=MAX_ENV_ROWS_UI,
                step=50,
                format="%d",
                width="small",
                default=defaults["rows"],
            ),
        },
    )
    if n > MAX_ENV_ROWS_UI:
        st.caption(
            f"Each environment starts with {MAX_ENV_ROWS_UI:,} rows, the most one environment may "
            f"have (the sidebar asks for {n:,})."
        )
    if left_out:
        st.caption(
            f"Left out to start with: {', '.join(code_span(x) for x in left_out)} — it changes how "
            f"{target} itself comes about, and ICP assumes no environment does. Add it back to see "
            f"what happens then."
        )
    if pooled.envs is None:  # what the editor shows cannot be pooled (page_environments)
        st.error(f"These environments cannot be used: {pooled.problem}", icon=":material/error:")
