"""The Invariance page's sections, each drawn by one function.

The page (``pages/4_Invariance.py``) reads as the list of its sections; each
function here draws one of them for a simulated world, with the cached
computations of :mod:`lib.ui.invariance_views` (the environments composer is
:mod:`lib.ui.invariance_composer`'s). The page teaches three things in order:
ICP picks out the causes' set (§2); a predictor that is better on the worlds you
have can be the one that breaks on a new one (§3); invariance reaches only as far
as the interventions checked (§4, §5). §6 counts how often ICP gets it right.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from lib.figures.invariance import PVALUE_FLOOR, power_curve
from lib.invariance.compare import bend_start, sweep_start
from lib.teach.handout import Plot
from lib.text.escape import code_list, code_span
from lib.text.numbers import percent
from lib.ui import invariance_table
from lib.ui import invariance_views as iv
from lib.ui.composer import touches_target
from lib.ui.handout_views import handout_control
from lib.ui.invariance_composer import (
    PageEnvironments,
    apply_editor_changes,
    environments_section,
    page_environments,
    state_environments,
)
from lib.ui.registry import get_scenario
from lib.ui.state import Lab, lab_state, synced, teach_state, widget_key
from lib.ui.widgets import chart, page_header, section_heading, stacking_columns
from lib.words.invariance import (
    BREAKS,
    bend_sentence,
    far_error_sentence,
    local_error_caption,
    local_verdict,
    measured_sentence,
    set_sweep_sentence,
    sets_sentence,
    sweep_caption,
    truth_sentence,
)
from lib.world.environments import Environment
from lib.world.scenarios import Scenario

__all__ = [
    "ALPHA_KEY",
    "PageEnvironments",
    "alpha_control",
    "apply_editor_changes",
    "bend_section",
    "environments_section",
    "fresh_section",
    "handout_section",
    "header_section",
    "icp_section",
    "lesson_numbers",
    "local_section",
    "page_environments",
    "power_section",
    "state_environments",
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
        help="The test's level. A set passes the invariance test when its p-value is above α. "
        "ICP's promise: with probability at least 1 − α, every predictor it names is a cause.",
        **synced("alpha"),
    )
    return float(lab_state().alpha)


def header_section(lab: Lab, data: Any) -> None:
    """The title, what ICP does, and what the page shows in order."""
    page_header(
        "Invariance",
        "A cause predicts the same way in every environment. Invariant Causal Prediction "
        "(ICP) turns this around: it tries every set of predictors, keeps each set whose "
        "regression is the same in all environments, and names what those sets share.",
    )
    if lab.table is None:
        st.markdown(
            "In order: **§2** ICP picks out the causes' set; **§3** a model that predicts "
            "better on the worlds you have can be the one that breaks on a new one; **§4–5** "
            "invariance reaches only as far as the interventions that were checked; **§6** how "
            "often ICP gets it right."
        )


def table_section(lab: Lab, data: Any) -> None:
    """A table: ICP on its environments, with the level α."""
    assert lab.table is not None
    _, pick = st.columns([3, 1], vertical_alignment="bottom")
    with pick:
        alpha = alpha_control()
    invariance_table.table_view(lab.table, alpha)


def _icp(lab: Lab, pooled: PageEnvironments, alpha: float) -> Any:
    """ICP on the view's environments, or None (with the reason shown)."""
    if pooled.envs is None:
        return None
    sid, _, seed = lab.key
    try:
        with st.spinner("Sampling the environments and testing every set…"):
            return iv.icp_fit(sid, seed, iv.env_key(pooled.envs), alpha, pooled.envs)
    except ValueError as exc:
        st.error(f"ICP cannot run on these environments: {exc}", icon=":material/error:")
    return None


def icp_section(lab: Lab, pooled: PageEnvironments) -> None:
    """2 · What ICP concludes (with the level α beside it), and why those sets."""
    sc, envs = lab.scenario, pooled.envs
    sid, _, seed = lab.key
    head, pick = st.columns([3, 1], vertical_alignment="bottom")
    section_heading("2 · What ICP concludes", head)
    with pick:
        alpha = alpha_control()
    res = _icp(lab, pooled, alpha)
    if res is None or envs is None:
        return
    on_target = touches_target(envs, sc.target)
    if on_target:
        st.warning(
            f"{code_list(on_target)} intervene(s) on {code_span(sc.target)} itself: ICP's "
            f"guarantee does not hold there, and the causes' set is usually rejected too.",
            icon=":material/warning:",
        )
    ekey = iv.env_key(envs)
    if teach_state().present:  # a projected chart is short: the top sets, not the lattice
        iv.show_icp(
            res,
            sc.units,
            figure=iv.top_sets_figure(sid, seed, ekey, alpha, envs),
            why=sets_sentence(res),
        )
    else:
        iv.show_icp(
            res,
            sc.units,
            figure=iv.result_figure(sid, seed, ekey, alpha, envs),
            why=sets_sentence(res),
            narrow=iv.narrow_sets_figure(sid, seed, ekey, alpha, envs),
        )
    st.caption(
        " ".join(
            t
            for t in (truth_sentence(sc, res.causal_predictors, envs), measured_sentence(sc, res))
            if t
        )
    )
    if not res.causal_predictors and "mystery" in iv.scenario_ids():
        st.caption(
            "To watch ICP name causes, pick *Mystery novels* in the sidebar: its environments "
            "are authors, and motive and opportunity are observed."
        )


def fresh_section(lab: Lab, pooled: PageEnvironments) -> None:
    """3 · Better where you looked, broken where you did not: the two models on fresh worlds."""
    sc, envs, alpha = lab.scenario, pooled.envs, lab.state.alpha
    sid, _, seed = lab.key
    section_heading("3 · Better on the worlds you have, broken on a new one")
    if envs is None:
        st.info("Compose valid environments above to compare the models.", icon=":material/info:")
        return
    key = iv.env_key(envs)
    try:
        res = iv.icp_fit(sid, seed, key, alpha, envs)
    except ValueError:  # §2 says why ICP cannot run
        return
    named = "" if res.causal_predictors else "; none here, so it predicts the average"
    st.markdown(
        f"Two linear regressions fitted on the pooled environments: the **pooled** one on every "
        f"feature (orange: it uses any clue that predicts {code_span(sc.target)}), and ICP's, on "
        f"the causes ICP named (blue{named}). Each predicts fresh rows (none it was fitted on) "
        f"of every environment in ICP's data, and of each world none of them was (the "
        f"observational world, a preset at full strength)."
    )
    try:
        with st.spinner("Testing the models on fresh samples…"):
            unit = sc.units.get(sc.target, "")
            present = teach_state().present
            figure, words = iv.held_out_view(sid, seed, key, alpha, unit, envs, present)
    except ValueError as exc:
        st.error(f"The models cannot be compared: {exc}", icon=":material/error:")
        return
    chart(
        figure,
        f"{words} A model breaks on a world when its error there is at least "
        f"{BREAKS:g} times its average on the worlds in ICP's data.",
        key="held_out",
    )


def local_section(lab: Lab, data: Any) -> None:
    """4 · Invariance is local: one intervention's strength swept."""
    sc, alpha = lab.scenario, lab.state.alpha
    sid, _, seed = lab.key
    section_heading("4 · Invariance is local")
    presets = list(sc.presets)
    if not presets:
        st.info("This scenario has no preset to sweep.", icon=":material/info:")
        return
    causes = iv.parents_text(sc)
    st.markdown(
        "ICP can only check invariance under the interventions in its data, at the strengths "
        f"in its data. Here it sees two environments, {iv.SWEEP_N:,} rows each: the "
        "observational world, and one intervention at the strength you choose. Two sets are "
        "tested: every feature, and "
        + (
            f"the causes' set ({causes}: the features that cause {code_span(sc.target)}, "
            f"directly or through hidden steps)."
            if causes
            else f"no predictor at all (no feature is a cause of {code_span(sc.target)})."
        )
    )
    c1, c2 = st.columns([1, 2], gap="large")
    c1.selectbox("Intervention to sweep", presets, **synced("sweep"))
    preset = lab_state().sweep
    try:
        with st.spinner("Sweeping the strength…"):
            table = iv.sweep(sid, preset, seed, alpha)
            full = iv.sweep_full(sid, preset, seed, alpha)
    except ValueError as exc:
        st.error(f"The sweep cannot run: {exc}", icon=":material/error:")
        return
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
    unit = sc.units.get(sc.target, "")
    pv_fig, err_fig = iv.sweep_figures(sid, preset, seed, alpha, strength, unit)
    at_now = table[table["strength"] == strength].set_index("set")
    at_full = full[full["strength"] == strength].set_index("set")
    with st.container(border=True, key="inv_local_verdict"):
        st.markdown(
            local_verdict(
                strength=strength,
                preset=preset,
                features=list(sc.features),
                pvalue=float(at_now.loc["all features", "pvalue"]),
                alpha=alpha,
                rmse_checked=float(at_now.loc["all features", "rmse"]),
                rmse_full=float(at_full.loc["all features", "rmse"]),
                floor=PVALUE_FLOOR,
            )
        )
    left, right = stacking_columns(2, "local", gap="large")
    with left:
        chart(pv_fig, sweep_caption(table, alpha, preset=preset, target=sc.target), key="local_pv")
    with right:
        chart(
            err_fig,
            local_error_caption(
                preset=preset,
                strength=strength,
                checked=float(at_now.loc["all features", "rmse"]),
                full=float(at_full.loc["all features", "rmse"]),
                causes=(
                    (f"the causes' set {{{causes}}}", float(at_full.loc["causal parents", "rmse"]))
                    if causes
                    else None
                ),
                unit=unit,
            ),
            key="local_err",
        )


def bend_section(lab: Lab, data: Any) -> None:
    """5 · A mechanism that bends: invariance checked only for the shifts seen."""
    seed, alpha = lab.state.seed, lab.state.alpha
    sds = iv.NONLINEAR_SHIFT_SDS
    section_heading("5 · A mechanism that bends")
    st.markdown(
        f"In a small world of its own, the response rises with the dose and levels off "
        f"(2·tanh(dose) + noise), and ICP tests a straight line. It sees three environments of "
        f"{iv.BEND_N} rows: the observational world, and the dose shifted by half and by all of "
        f"the share you choose of {sds:g} standard deviations (SD). Then the line meets the "
        f"full {sds:g}-SD shift."
    )
    try:
        with st.spinner("Sampling the dose shifts…"):
            nl_table = iv.nonlinear_sweep(seed, alpha)
    except ValueError as exc:
        st.error(f"The example cannot run: {exc}", icon=":material/error:")
        return
    moved = lab_state().bend
    s_now = float(moved if moved is not None else bend_start(nl_table, alpha))
    st.select_slider(
        "How far ICP's environments shift the dose",
        options=list(iv.BEND_STRENGTHS),
        format_func=lambda v: f"{percent(v)} (up to {sds * v:.2g} SD)",
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
                s_now, float(row["pvalue"]), alpha, rmse_far=float(row["rmse"]), rmse_near=rmse_near
            )
        )
    left, right = stacking_columns(2, "bend", gap="large")
    grid = line["strength"].to_list()
    with left:
        chart(
            nl_pv,
            "The straight line's invariance p-value as the shifts ICP sees grow. "
            + set_sweep_sentence("The line", grid, line["pvalue"].to_list(), alpha),
            key="bend_pv",
        )
    with right:
        chart(
            nl_err,
            f"The same line, fitted on ICP's environments: its error on a fresh sample at the "
            f"strongest shift ICP saw (green) and on the full {sds:g}-SD shift (red), where the "
            f"response has levelled off and a straight line cannot. "
            + far_error_sentence(
                grid,
                line["rmse"].to_list(),
                near["rmse"].to_list(),
                line["pvalue"].to_list(),
                alpha,
            ),
            key="bend_err",
        )
    st.caption(
        f"Invariance was checked only for shifts of the dose up to {sds * s_now:.2g} SD, for a "
        f"linear model with additive noise, by comparing residual means and variances: it says "
        f"nothing about doses beyond that."
    )


def power_section(lab: Lab, pooled: PageEnvironments) -> None:
    """6 · How often does ICP find the causes?"""
    sc, envs, alpha = lab.scenario, pooled.envs, lab.state.alpha
    sid, _, seed = lab.key
    ss = st.session_state
    target = code_span(sc.target)
    section_heading("6 · How often does ICP find the causes?")
    if envs is None:
        st.info("Compose valid environments above to simulate ICP's power.", icon=":material/info:")
        return
    causes = iv.parents_text(sc)
    right = (
        f"names exactly the causes of {target} it can see ({causes}: the features that cause "
        f"{target}, directly or through hidden steps)"
        if causes
        else f"names nothing, the right answer here: no feature is a cause of {target}"
    )
    st.markdown(
        f"Repeat the experiment many times: sample the environments above ({iv.POWER_N} rows "
        f"each) with every intervention at a given strength, run ICP, and count how often it "
        f"{right}. ICP's **power** is how often it names the causes."
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
    if power is None:
        if not run:
            st.caption("Not run yet: it takes a few seconds.")
        return
    chart(
        power_curve(
            iv.power_long(power, iv.power_outcomes(sc)),
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
