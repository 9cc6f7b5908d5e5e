"""The Invariance page's sections, each drawn by one function.

The page (``pages/4_Invariance.py``) reads as the list of its sections; each
function here draws one of them for a simulated world, with the cached
computations of :mod:`lib.ui.invariance_views`.
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
from lib.figures.invariance import PVALUE_FLOOR, power_curve
from lib.invariance.compare import bend_start, sweep_start
from lib.teach.handout import Plot
from lib.text.escape import code_span
from lib.text.numbers import percent
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
    touches_target,
)
from lib.ui.handout_views import handout_control
from lib.ui.pages.invariance import ENV_NAME_CHARS, EnvRow, env_token
from lib.ui.registry import get_scenario
from lib.ui.state import Lab, lab_state, set_fields, synced, widget_key
from lib.ui.widgets import chart, page_header, stacking_columns
from lib.words.invariance import (
    bend_sentence,
    held_out_caption,
    local_sentence,
    set_sweep_sentence,
    sweep_caption,
    truth_sentence,
)
from lib.world.environments import ENV_COLUMN, Environment
from lib.world.scenarios import Scenario

__all__ = [
    "ALPHA_KEY",
    "PageEnvironments",
    "alpha_control",
    "apply_editor_changes",
    "composer_labels",
    "bend_section",
    "environments_section",
    "handout_section",
    "header_section",
    "icp_section",
    "lesson_numbers",
    "local_section",
    "page_environments",
    "power_section",
    "step_figure",
    "step_plots",
    "table_section",
    "view_words",
]

#: The widget key of the level α (shared by every section and by tables; the level
#: itself is the lab state's ``alpha``, which the link carries).
ALPHA_KEY = widget_key("alpha")


def alpha_control() -> float:
    """The level α, as a select slider (kept in the lab's state: across pages, in the link)."""
    st.select_slider(
        "Level α",
        options=list(iv.ALPHAS),
        help="A set passes the invariance test when its p-value is above α. ICP's promise: "
        "with probability at least 1 − α, every predictor it names is a cause.",
        **synced("alpha"),
    )
    return float(lab_state().alpha)


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


def _composer_rows(
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
        kept = tuple(_env_row(r, tokens) for r in first.itertuples(index=False))
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
    rows, _, named, _, _ = _composer_rows(sc, n, kept)
    return environments_from_rows(rows, sc, named, iv.node_sds(sid))


@dataclass(frozen=True)
class PageEnvironments:
    """The environments the view's ``envs`` names, pooled, or why they cannot be used."""

    envs: list[Environment] | None
    problem: str = ""
    composer: tuple[Any, ...] = ()  # _composer_rows's rows, kept, named, labels, tokens


def _editor_key(sid: str, kept: tuple[EnvRow, ...]) -> str:
    """The composer's key: it names the rows it starts from, so new rows draw a new editor."""
    return f"inv_envs_{sid}_{zlib.crc32(repr(kept).encode('utf-8')):08x}"


def _plain(rows: pd.DataFrame) -> list[list[Any]]:
    """The editor's rows as plain lists (None for an empty cell)."""
    return rows.astype(object).where(rows.notna(), None).values.tolist()


def page_environments(lab: Lab) -> PageEnvironments:
    """The Invariance page's environments at the lab's view: what the composer shows.

    That is the state's rows, with the editor's own edits on top when the state
    could not keep them (rows that cannot stand, such as none at all, leave the
    state as it was, and the editor showing them): then they are what is wrong.
    """
    sc = lab.scenario
    sid, n, _ = lab.key
    composer = _composer_rows(sc, n, lab.state.envs)
    rows, kept, named, _, _ = composer
    edits = st.session_state.get(_editor_key(sid, kept))
    if edits:
        rows = pd.DataFrame(apply_editor_changes(_plain(rows), edits), columns=ROW_COLUMNS)
    try:
        envs = environments_from_rows(rows, sc, named, iv.node_sds(sid))
    except ScenarioError as exc:
        return PageEnvironments(None, str(exc), composer)
    return PageEnvironments(envs, "", composer)


def header_section(lab: Lab, data: Any) -> None:
    """The title, and what ICP does."""
    page_header(
        "Invariance",
        "A cause predicts the same way in every environment. Invariant Causal Prediction "
        "(ICP) turns this around: it keeps every set of predictors whose regression is the "
        "same in all environments, and names what those sets share.",
    )


def table_section(lab: Lab, data: Any) -> None:
    """A table: ICP on its environments, with the level α."""
    assert lab.table is not None
    _, pick = st.columns([3, 1], vertical_alignment="bottom")
    with pick:
        alpha = alpha_control()
    iv.table_view(lab.table, alpha)


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
    st.subheader("1 · The environments", anchor=False)
    _, left_out = starting_environments(sc, n)
    rows, kept, named, labels, tokens = pooled.composer or _composer_rows(sc, n, lab.state.envs)
    st.markdown(
        f"Each environment is the same world with some interventions — a clinic that hands out "
        f"Tylenol, an author with a habit. Edit, add or delete rows; the pooled data carry an "
        f"{code_span(ENV_COLUMN)} column naming each row's environment."
    )
    defaults = new_row_defaults(sc, rows)
    key = _editor_key(sid, kept)
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


def icp_section(lab: Lab, pooled: PageEnvironments) -> None:
    """2 · What ICP concludes (with the level α beside it), and 3 · on fresh samples."""
    sc, envs = lab.scenario, pooled.envs
    sid, n, seed = lab.key
    target = code_span(sc.target)
    # --- 2. What ICP concludes ---------------------------------------------------------------
    head, pick = st.columns([3, 1], vertical_alignment="bottom")
    head.subheader("2 · What ICP concludes", anchor=False)
    with pick:
        alpha = alpha_control()
    res = None
    if envs is not None:
        key = iv.env_key(envs)
        try:
            with st.spinner("Sampling the environments and testing every set…"):
                res = iv.icp_fit(sid, seed, key, alpha, envs)
        except ValueError as exc:
            st.error(f"ICP cannot run on these environments: {exc}", icon=":material/error:")
    if res is not None and envs is not None:
        on_target = touches_target(envs, sc.target)
        if on_target:
            st.warning(
                f"{', '.join(code_span(x) for x in on_target)} intervene(s) on {target} itself: ICP's "
                f"guarantee does not hold there, and the causes' set is usually rejected too.",
                icon=":material/warning:",
            )
        iv.show_icp(res, sc.units, figure=iv.result_figure(sid, seed, key, alpha, envs))
        st.caption(truth_sentence(sc, res.causal_predictors, envs))
        if not res.causal_predictors and "mystery" in iv.scenario_ids():
            st.caption(
                "To watch ICP name causes, pick *Mystery novels* in the sidebar: its environments "
                "are authors, and motive and opportunity are observed."
            )

        # --- 3. On fresh samples of each world ---------------------------------------------------
        st.subheader("3 · On fresh samples of each world", anchor=False)
        try:
            with st.spinner("Testing the models on fresh samples…"):
                figure = iv.held_out_figure(
                    sid, seed, key, alpha, n, sc.units.get(sc.target, ""), envs
                )
        except ValueError as exc:
            st.error(f"The models cannot be compared: {exc}", icon=":material/error:")
        else:
            chart(
                figure,
                held_out_caption(iv.test_environments(sc, n), envs, sc.target),
                key="held_out",
            )


def local_section(lab: Lab, data: Any) -> None:
    """4 · Invariance is local: one intervention's strength swept."""
    sc, alpha = lab.scenario, lab.state.alpha
    sid, _, seed = lab.key
    target = code_span(sc.target)
    # --- 4. Invariance is local ----------------------------------------------------------------
    st.subheader("4 · Invariance is local", anchor=False)
    st.markdown(
        "ICP can only check invariance under the interventions in the data, at the strengths in the "
        "data. Two environments — the observational world and one intervention at the strength you "
        f"choose, {iv.SWEEP_N:,} rows each — and the set of every feature:"
    )
    presets = list(sc.presets)
    if not presets:
        st.info("This scenario has no preset to sweep.", icon=":material/info:")
    else:
        c1, c2 = st.columns([1, 2], gap="large")
        c1.selectbox("Intervention to sweep", presets, **synced("sweep"))
        preset = lab_state().sweep
        table = None
        try:
            with st.spinner("Sweeping the strength…"):
                table = iv.sweep(sid, preset, seed, alpha)
        except ValueError as exc:
            st.error(f"The sweep cannot run: {exc}", icon=":material/error:")
        if table is not None:
            # until the user moves it, the slider starts where the story shows (sweep_start);
            # a new preset, world or seed starts it there again (lib.ui.state)
            moved = lab_state().sweep_strength
            strength = float(moved if moved is not None else sweep_start(table, alpha))
            c2.select_slider(
                "Strength of the intervention",
                options=list(iv.STRENGTHS),
                format_func=percent,
                help="1% = a faint trace of the intervention; 100% = the full intervention.",
                **synced("sweep_strength", strength),
            )
            pv_fig, err_fig = iv.sweep_figures(
                sid, preset, seed, alpha, strength, sc.units.get(sc.target, "")
            )
            at_now = table[table["strength"] == strength].set_index("set")
            p = float(at_now.loc["all features", "pvalue"])
            shown = f"< {PVALUE_FLOOR:g}" if p < PVALUE_FLOOR else f"= {p:.2g}"
            verdict = "looks invariant" if p > alpha else "is rejected"
            feats = ", ".join(code_span(f) for f in sc.features)
            with st.container(border=True, key="inv_local_verdict"):
                st.markdown(
                    f"At **{percent(strength)}** of {code_span(preset)}, the set of every feature "
                    f"({feats}) **{verdict}** (p {shown}, α = {alpha:g})."
                )
            left, right = stacking_columns(2, "local", gap="large")
            with left:
                chart(
                    pv_fig,
                    sweep_caption(table, alpha, preset=preset, target=sc.target),
                    key="local_pv",
                )
            unit = sc.units.get(sc.target, "")
            errs = ", ".join(
                f"{name} {float(at_now.loc[s, 'rmse']):.2f}"
                for s, name in (
                    ("all features", "every feature"),
                    ("causal parents", "true parents"),
                    ("ICP estimate", "ICP's estimate"),
                )
            )
            icp_rows = table[table["set"] == "ICP estimate"]
            empty = [
                float(s)
                for s, f in zip(icp_rows["strength"], icp_rows["features"], strict=True)
                if not f
            ]
            averages = (
                f" Where ICP names no cause ({', '.join(percent(s) for s in empty)}), its model "
                f"has no inputs and predicts the average of {target}."
                if empty
                else ""
            )
            with right:
                chart(
                    err_fig,
                    f"Error of linear models fitted on the two environments, predicting {target} in "
                    f"a fresh sample with the intervention at the same strength. At "
                    f"{percent(strength)}: {errs}{f' ({unit})' if unit else ''}.{averages}",
                    key="local_err",
                )
            st.caption(
                local_sentence(
                    iv.local_words(sc, preset, strength),
                    target=sc.target,
                    strength=strength,
                    shifted=preset,
                )
            )


def bend_section(lab: Lab, data: Any) -> None:
    """5 · A mechanism that bends: invariance checked only for the shifts seen."""
    seed, alpha = lab.state.seed, lab.state.alpha
    # --- 5. A mechanism that bends -------------------------------------------------------------
    st.subheader("5 · A mechanism that bends", anchor=False)
    st.markdown(
        f"In a small world of its own, the response rises with the dose and levels off "
        f"(2·tanh(dose) + noise), and ICP tests a straight line: it sees the observational world "
        f"and the dose shifted by half and all of the share you choose of "
        f"{iv.NONLINEAR_SHIFT_SDS:g} standard deviations ({iv.BEND_N} rows each); then the line "
        f"meets the full {iv.NONLINEAR_SHIFT_SDS:g}-SD shift."
    )
    nl_table = None
    try:
        with st.spinner("Sampling the dose shifts…"):
            nl_table = iv.nonlinear_sweep(seed, alpha)
    except ValueError as exc:
        st.error(f"The example cannot run: {exc}", icon=":material/error:")
    if nl_table is not None:
        moved = lab_state().bend
        s_now = float(moved if moved is not None else bend_start(nl_table, alpha))
        st.select_slider(
            "How far ICP's environments shift the dose",
            options=list(iv.BEND_STRENGTHS),
            format_func=lambda v: f"{percent(v)} (up to {iv.NONLINEAR_SHIFT_SDS * v:.2g} SD)",
            **synced("bend", s_now),
        )
        nl_pv, nl_err = iv.nonlinear_figures(seed, alpha, s_now)
        line = nl_table[nl_table["set"] == "all features"]
        near = iv.nonlinear_sweep_same(seed, alpha)
        near = near[near["set"] == "all features"]
        row = line[line["strength"] == s_now].iloc[0]
        rmse_near = float(near.loc[near["strength"] == s_now, "rmse"].iloc[0])
        with st.container(border=True, key="inv_bend_verdict"):
            st.markdown(
                bend_sentence(
                    s_now,
                    float(row["pvalue"]),
                    alpha,
                    rmse_far=float(row["rmse"]),
                    rmse_near=rmse_near,
                )
            )
        left, right = stacking_columns(2, "bend", gap="large")
        with left:
            chart(
                nl_pv,
                "The straight line's invariance p-value as the shifts ICP sees grow. "
                + set_sweep_sentence(
                    "The line",
                    line["strength"].to_list(),
                    line["pvalue"].to_list(),
                    alpha,
                ),
                key="bend_pv",
            )
        with right:
            chart(
                nl_err,
                f"The same line's error on a fresh sample at the strongest shift ICP saw (green) "
                f"and on the full {iv.NONLINEAR_SHIFT_SDS:g}-SD shift (red), where the response has "
                f"levelled off and the line keeps climbing.",
                key="bend_err",
            )
        st.caption(
            f"Invariance was checked only for shifts of the dose up to "
            f"{iv.NONLINEAR_SHIFT_SDS * s_now:.2g} SD, for a linear model with additive noise, by "
            f"comparing residual means and variances: it says nothing about doses beyond that."
        )


def power_section(lab: Lab, pooled: PageEnvironments) -> None:
    """6 · How often does ICP find the causes?"""
    sc, envs, alpha = lab.scenario, pooled.envs, lab.state.alpha
    sid, _, seed = lab.key
    ss = st.session_state
    target = code_span(sc.target)
    # --- 6. Power ----------------------------------------------------------------------------------
    st.subheader("6 · How often does ICP find the causes?", anchor=False)
    if envs is None:
        st.info("Compose valid environments above to simulate ICP's power.", icon=":material/info:")
    else:
        parents = iv.parents_text(sc)
        st.markdown(
            f"Repeat the experiment many times: sample the environments above ({iv.POWER_N} rows "
            f"each) with every intervention at a given strength, run ICP, and count how often it "
            f"names exactly {target}'s observed direct causes ({parents or 'none: all are hidden'})."
        )
        a, b = st.columns([1, 2], vertical_alignment="bottom")
        a.select_slider("Repetitions per strength", options=list(iv.POWER_REPS), **synced("reps"))
        reps = lab_state().reps
        pkey = iv.power_key(sid, iv.env_key(envs), int(reps), seed, alpha)
        power = iv.power_result(pkey)
        run = b.button(
            "Run the simulation",
            key="inv_power_run",
            icon=":material/play_arrow:",
            disabled=power is not None,
            help=f"At most about {iv.POWER_SECONDS:.0f} seconds; the result is kept.",
        )
        if run and power is None:
            ss["inv_power_cancel"] = False
            bar = st.progress(0.0, text="Simulating…")

            def progress(f: float) -> None:
                bar.progress(min(1.0, f), text=f"Simulating… {f:.0%}")

            st.button(
                "Cancel",
                key="inv_power_cancel_btn",
                on_click=lambda: ss.__setitem__("inv_power_cancel", True),
            )
            try:
                power = iv.run_power(
                    pkey,
                    sid,
                    envs,
                    int(reps),
                    seed,
                    alpha,
                    progress=progress,
                    cancel=lambda: bool(ss.get("inv_power_cancel")),
                )
            except ValueError as exc:
                st.error(f"The simulation cannot run: {exc}", icon=":material/error:")
                power = None
            bar.empty()
        if power is not None:
            chart(
                power_curve(
                    iv.power_long(power),
                    alpha=alpha,
                    strength_label="strength of every environment's interventions",
                ),
                f"Share of {int(power['reps'].max())} repetitions per strength (bars: 95% intervals). "
                f"With weak interventions the environments look alike and ICP names little; as they "
                f"grow, it names the causes more often. It should almost never name a non-cause.",
                key="power",
            )
            if bool(power["stopped_early"].any()):
                st.caption(
                    f"Stopped early (time limit or cancel): {int(power['reps'].min())} repetitions "
                    f"per strength."
                )
        elif not run:
            st.caption("Not run yet: it takes a few seconds.")


def handout_section(lab: Lab, pooled: PageEnvironments) -> None:
    """The view as a web page, and a script (when ICP could run on its environments)."""
    envs = pooled.envs
    if envs is None:
        return
    sid, _, seed = lab.key
    try:
        iv.icp_fit(sid, seed, iv.env_key(envs), lab.state.alpha, envs)
    except ValueError:  # the page says why ICP cannot run: no handout of it
        return
    handout_control(lab, environments=envs)


# ----------------------------------------------------------------------------- lessons


def _step_envs(state: Any) -> tuple[Scenario, list[Environment]]:
    sc = get_scenario(state.scenario)
    return sc, state_environments(sc, state.scenario, state.n, state.envs)


def lesson_numbers(state: Any) -> dict[str, Any]:
    """ICP's verdict at the view (a lesson step's numbers on this page)."""
    _, envs = _step_envs(state)
    res = iv.icp_fit(state.scenario, state.seed, iv.env_key(envs), state.alpha, envs)
    return {"icp_causes": frozenset(res.causal_predictors)}


def step_figure(step: Any, state: Any, present: bool) -> None:
    """Every set and its p-value (the top sets only, on a projector)."""
    _, envs = _step_envs(state)
    figure = iv.top_sets_figure if present else iv.result_figure
    chart(
        figure(state.scenario, state.seed, iv.env_key(envs), state.alpha, envs),
        "Each set of predictors and its p-value: a set is accepted when its p-value is "
        f"above α = {state.alpha:g}. ICP names what every accepted set shares. "
        f"Environments: {', '.join(e.name for e in envs)}.",
    )


def step_plots(step: Any, state: Any) -> list[Plot]:
    """A lesson handout's figure for a step here: every set and its p-value."""
    _, envs = _step_envs(state)
    return [Plot(iv.result_figure(state.scenario, state.seed, iv.env_key(envs), state.alpha, envs))]


def view_words(state: Any) -> str:
    """The view in a few words: rows, seed, the level and the environments."""
    envs = (
        "the world's starting environments"
        if state.envs is None
        else (", ".join(row[0] for row in state.envs))
    )
    return (
        f"Invariance: {state.n:,} rows, seed {state.seed}, α = {state.alpha:g}, "
        f"environments: {envs}"
    )
