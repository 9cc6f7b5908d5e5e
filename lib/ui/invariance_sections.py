"""The Invariance page's sections, each drawn by one function.

The page (``pages/4_Invariance.py``) reads as the list of its sections; each
function here draws one of them for a simulated world, with the cached
computations of :mod:`lib.ui.invariance_views`.
"""

from __future__ import annotations

import streamlit as st

from lib.errors import ScenarioError
from lib.figures.invariance import PVALUE_FLOOR, power_curve
from lib.invariance.compare import (
    CUSTOM_NOISE_FACTOR,
    CUSTOM_SHIFT_SDS,
    MAX_ENV_ROWS_UI,
    MIN_ENV_ROWS,
    bend_sentence,
    bend_start,
    environment_rows,
    environments_from_rows,
    held_out_caption,
    intervention_options,
    local_sentence,
    new_row_defaults,
    set_sweep_sentence,
    spurious_preset,
    starting_environments,
    sweep_caption,
    sweep_start,
    touches_target,
    truth_sentence,
)
from lib.invariance.engine import ICPResult
from lib.ui import invariance_views as iv
from lib.ui.widgets import chart, stacking_columns
from lib.words.escape import code_span
from lib.words.numbers import percent
from lib.world.environments import ENV_COLUMN, Environment
from lib.world.scenarios import Scenario

__all__ = [
    "ALPHA_KEY",
    "alpha_control",
    "bend_section",
    "environments_section",
    "icp_section",
    "local_section",
    "power_section",
]

#: The session-state key of the level α (shared by every section and by tables).
ALPHA_KEY = "inv_alpha"


def alpha_control(key: str = ALPHA_KEY) -> float:
    """The level α, as a select slider (kept across reruns and pages)."""
    st.session_state.setdefault(key, 0.05)
    st.select_slider(
        "Level α",
        options=list(iv.ALPHAS),
        key=key,
        help="A set passes the invariance test when its p-value is above α. ICP's promise: "
        "with probability at least 1 − α, every predictor it names is a cause.",
    )
    return float(st.session_state[key])


def environments_section(sc: Scenario, sid: str, n: int) -> list[Environment] | None:
    """1 · The environments: the composer; returns the environments, or None when invalid."""
    target = code_span(sc.target)
    # --- 1. The environments -----------------------------------------------------------------
    st.subheader("1 · The environments", anchor=False)
    start, left_out = starting_environments(sc, n)
    rows, named = environment_rows(start, sc)
    if len(rows) == 1 and sc.features:  # a world without presets: start with a shift to compare
        feature = sc.features[0]
        shift = f"shift {feature} by {CUSTOM_SHIFT_SDS:g} SD"
        rows.loc[len(rows)] = [f"{feature} shifted", shift, 1.0, int(rows["rows"].iloc[0])]
    st.markdown(
        f"Each environment is the same world with some interventions — a clinic that hands out "
        f"Tylenol, an author with a habit. Edit, add or delete rows; the pooled data carry an "
        f"{code_span(ENV_COLUMN)} column naming each row's environment."
    )
    defaults = new_row_defaults(sc, rows)
    edited = st.data_editor(
        rows,
        key=f"inv_envs_{sid}_{n}",
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_config={
            "environment": st.column_config.TextColumn(
                "Environment",
                max_chars=40,
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
    envs = None
    try:
        envs = environments_from_rows(edited, sc, named, iv.node_sds(sid))
    except ScenarioError as exc:
        st.error(f"These environments cannot be used: {exc}", icon=":material/error:")

    return envs


def icp_section(
    sc: Scenario, sid: str, n: int, seed: int, envs: list[Environment] | None
) -> tuple[ICPResult | None, float]:
    """2 · What ICP concludes (with the level α beside it), and 3 · on fresh samples.

    Returns ICP's result (None when it could not run) and the level α chosen.
    """
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

    return res, alpha


def local_section(sc: Scenario, sid: str, seed: int, alpha: float) -> None:
    """4 · Invariance is local: one intervention's strength swept."""
    ss = st.session_state
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
        first = spurious_preset(sc) or presets[0]
        if ss.get("inv_preset") not in presets:
            ss["inv_preset"] = first
        c1, c2 = st.columns([1, 2], gap="large")
        c1.selectbox("Intervention to sweep", presets, key="inv_preset")
        preset = ss["inv_preset"]
        table = None
        try:
            with st.spinner("Sweeping the strength…"):
                table = iv.sweep(sid, preset, seed, alpha)
        except ValueError as exc:
            st.error(f"The sweep cannot run: {exc}", icon=":material/error:")
        if table is not None:
            # start each preset (and world, seed) where its story shows: see sweep_start
            started = (sid, preset, seed)
            if ss.get("inv_strength_for") != started or ss.get("inv_strength") not in iv.STRENGTHS:
                ss["inv_strength_for"] = started
                ss["inv_strength"] = sweep_start(table, alpha)
            c2.select_slider(
                "Strength of the intervention",
                options=list(iv.STRENGTHS),
                key="inv_strength",
                format_func=percent,
                help="1% = a faint trace of the intervention; 100% = the full intervention.",
            )
            strength = float(ss["inv_strength"])
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


def bend_section(seed: int, alpha: float) -> None:
    """5 · A mechanism that bends: invariance checked only for the shifts seen."""
    ss = st.session_state
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
        if ss.get("inv_bend_for") != seed or ss.get("inv_bend") not in iv.BEND_STRENGTHS:
            ss["inv_bend_for"] = seed
            ss["inv_bend"] = bend_start(nl_table, alpha)
        st.select_slider(
            "How far ICP's environments shift the dose",
            options=list(iv.BEND_STRENGTHS),
            key="inv_bend",
            format_func=lambda v: f"{percent(v)} (up to {iv.NONLINEAR_SHIFT_SDS * v:.2g} SD)",
        )
        s_now = float(ss["inv_bend"])
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


def power_section(
    sc: Scenario, sid: str, seed: int, envs: list[Environment] | None, alpha: float
) -> None:
    """6 · How often does ICP find the causes?"""
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
        reps = a.select_slider(
            "Repetitions per strength",
            options=list(iv.POWER_REPS),
            value=iv.POWER_REPS[0],
            key="inv_power_reps",
        )
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
