"""The Interventions page's sections, and what a lesson step on it shows.

The page (:mod:`lib.ui.pages.interventions`) is: the intervention (a preset, or
one built by hand, at a strength), what happened to each model's error, the
changed world with the errors before and after, the predictions before and
after, the error as the strength grows, and the way on to Invariance. On a
table, the move to an environment the models never saw. Every section works out
the intervention from the lab's state (:func:`outcome`, once per run for the
sections that need it), so each can be drawn alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from lib.teach.handout import Plot
from lib.ui import compute, table_views
from lib.ui.lab import (
    CUSTOM_LABEL,
    KIND_LABELS,
    Choice,
    amount_label,
    amount_range_text,
    build_intervention,
    choose,
    family_models,
    interventions_key,
    negative_r2_note,
    outside_note,
    split_error,
)
from lib.ui.models_view import lesson_numbers as models_numbers
from lib.ui.pages.interventions import CUSTOM, IV_KINDS, MAX_EQUATION_CHARS
from lib.ui.state import Lab, synced
from lib.ui.widgets import (
    causal_graph,
    chart,
    heading_with_family_picker,
    page_header,
    ratio_metrics,
    shown_errors,
    stacking_columns,
)
from lib.world.scenarios import load_scenario

__all__ = [
    "Outcome",
    "changed_section",
    "header_section",
    "intervention_section",
    "lesson_numbers",
    "outcome",
    "outcome_section",
    "predictions_section",
    "step_figure",
    "step_plots",
    "strength_section",
    "table_section",
    "view_words",
]


@dataclass(frozen=True)
class Outcome:
    """The view's intervention and its cache key, or why it cannot be applied."""

    choice: Choice | None
    key: Any = None
    problem: str = ""
    allowed: str = ""


def outcome(lab: Lab) -> Outcome:
    """The intervention the state names, worked out once per run."""
    try:
        choice = choose(lab.state, lab.scenario)
        return Outcome(choice, interventions_key(choice.applied))
    except ValueError as exc:
        problem, allowed = split_error(exc)
        return Outcome(None, problem=problem, allowed=allowed or "")


def header_section(lab: Lab, data: Any) -> None:
    """The title, and what the page does (a world's or a table's)."""
    if lab.table is not None:
        page_header(
            "Interventions",
            "On a table nobody can set a variable by hand: the change you can test is a move "
            "to an environment the models never saw.",
        )
        return
    page_header(
        "Interventions",
        f"Change the world, then ask both models to predict {lab.scenario.target} again. They "
        f"were trained before the change and are not refitted.",
    )


def table_section(lab: Lab, data: Any) -> None:
    """A table: the models on an environment they never saw."""
    assert lab.table is not None
    table_views.interventions_view(lab.table, lab.state.seed)


def intervention_section(lab: Lab, data: Any) -> None:
    """1 · The intervention: a preset or one built by hand, and its strength."""
    sc, state = lab.scenario, lab.state
    presets = list(sc.presets)
    if lab.present:  # one row of buttons, so that the slide stays one screen
        st.subheader("The intervention", anchor=False)
        st.segmented_control(
            "Intervention",
            [*presets, CUSTOM],
            format_func=lambda o: CUSTOM_LABEL if o == CUSTOM else o,
            required=True,
            label_visibility="collapsed",
            **synced("preset"),
        )
        if state.preset == CUSTOM or state.strength < 1:  # their controls are not on this screen
            with shown_errors("This intervention cannot be applied"):
                words = choose(state, sc).description
                st.caption(words[:1].upper() + words[1:])
        return
    st.subheader("The intervention", anchor=False)
    pick_col, tune_col = st.columns(2, gap="large")
    with pick_col:
        st.radio(
            "Intervention",
            [*presets, CUSTOM],
            format_func=lambda o: CUSTOM_LABEL if o == CUSTOM else o,
            captions=[sc.presets[p].description for p in presets] + ["Pick a node and change it."],
            label_visibility="collapsed",
            **synced("preset"),
        )
    with tune_col:
        if state.preset == CUSTOM:
            with st.container(border=True):
                st.selectbox(
                    "Node",
                    list(sc.scm.nodes),
                    format_func=lambda v: (
                        v
                        + (" (target)" if v == sc.target else "")
                        + (" (unobserved)" if v in sc.scm.latent else "")
                    ),
                    **synced("node"),
                )
                st.selectbox(
                    "What to do",
                    list(IV_KINDS),
                    format_func=lambda k: KIND_LABELS.get(k, k),
                    **synced("kind"),
                )
                if state.kind == "replace":
                    st.text_input(
                        f"New equation for {state.node}",
                        max_chars=MAX_EQUATION_CHARS,
                        help="Numbers, node names, + − × ÷ **, functions such as exp, log, "
                        "sqrt, and noise such as normal(0, 1).",
                        **synced("equation"),
                    )
                else:
                    # No range in the widget: a browser refuses a number outside it with
                    # a hint only a mouse can read. The range is said here, and a number
                    # outside it is refused below, in words.
                    st.number_input(
                        amount_label(state.kind, sc.units.get(state.node, "")),
                        step=0.1,
                        **synced("amount"),
                    )
                    st.caption(amount_range_text(state.kind))
                    _amount_notes(lab)
        st.slider(
            "Strength",
            min_value=0.0,
            max_value=1.0,
            step=0.05,
            help="0 = no change; 1 = the full intervention. In between, the world moves "
            "part of the way.",
            **synced("strength"),
        )


def _amount_notes(lab: Lab) -> None:
    """Under the form's number: why it is refused, or what it asks beyond the data."""
    state = lab.state
    try:
        build_intervention(state.kind, state.node, state.amount, state.equation)
    except ValueError as exc:
        st.error(f"Not applied: {split_error(exc)[0]}", icon=":material/error:")
        return
    sid, n, seed = lab.key
    seen = compute.sample(sid, n, seed)[state.node]
    note = outside_note(state.kind, state.node, state.amount, seen)
    if note:
        st.warning(note, icon=":material/open_in_full:")


def outcome_section(lab: Lab, out: Outcome) -> None:
    """2 · What happened: each model's error after the change, and why.

    An intervention that cannot be applied says why and stops the page: the
    sections below it would say the same.
    """
    sc = lab.scenario
    sid, n, seed = lab.key
    problem, allowed = out.problem, out.allowed
    if out.choice is not None:
        choice, key = out.choice, out.key
        try:
            with st.spinner("Testing the models in the changed world…"):
                compute.evaluate(sid, n, seed, choice.test, key, choice.applied)
                explanation = compute.explanation(sid, n, seed, choice.test, key, choice.applied)
        except ValueError as exc:
            problem, allowed = split_error(exc)
    if problem or out.choice is None:
        st.error(f"This intervention cannot be applied: {problem}", icon=":material/error:")
        if allowed:
            st.caption(allowed)
        st.caption("Change it above: the results come back as soon as it is valid.")
        st.stop()
    st.subheader("What happened", anchor=False)
    st.caption(
        f"Each model's typical error (RMSE) predicting {sc.target} in the changed world, "
        f"and how many times its error before the change that is."
    )
    ratio_metrics(compute.ratios(sid, n, seed, choice.test, key, choice.applied))
    with st.container(border=True):
        st.markdown(explanation)
    if choice.why:
        st.info(choice.why, icon=":material/help:")


def changed_section(lab: Lab, out: Outcome) -> None:
    """3 · The changed world, and every model's error before and after."""
    if out.choice is None:
        return
    sc, choice, key = lab.scenario, out.choice, out.key
    sid, n, seed = lab.key
    with shown_errors("These results cannot be drawn for this intervention"):
        changed = sc.scm.intervene(*choice.applied)
        st.subheader("The changed world", anchor=False)
        causal_graph(
            sc,
            intervened=changed.intervened_nodes if choice.strength > 0 else (),
            cut_edges=changed.cut_edges,
        )
        st.subheader("Prediction error, before and after", anchor=False)
        chart(
            compute.bars_figure(sid, n, seed, choice.test, key, choice.applied),
            "Typical error (RMSE) of every model on fresh cases: without the intervention "
            "and with it. Orange bars are predictive models, blue bars causal ones; hatched "
            "bars are the trees.",
        )


def predictions_section(lab: Lab, out: Outcome) -> None:
    """4 · Predicted against actual, before and after (the family's two models)."""
    if out.choice is None:
        return
    choice, key = out.choice, out.key
    sid, n, seed = lab.key
    with shown_errors("These results cannot be drawn for this intervention"):
        results = compute.evaluate(sid, n, seed, choice.test, key, choice.applied)
        family = heading_with_family_picker("Predicted against actual, before and after")
        pred, caus = family_models(compute.experiment(sid, n, seed).models, family)
        for column, m in zip(stacking_columns(2, "fit", gap="large"), (pred, caus), strict=True):
            if m is None:
                continue
            with column:
                chart(
                    compute.before_after_figure(sid, n, seed, m.name, key, choice.applied),
                    f"{m.name}: faded dots are cases before the intervention, dark diamonds "
                    f"the same cases after it. Dots that leave the dashed line are predictions "
                    f"the change broke.",
                )
        if note := negative_r2_note(results):
            st.caption(note.strip())


def strength_section(lab: Lab, out: Outcome) -> None:
    """5 · How strong before it breaks: every model's error as the strength grows."""
    if out.choice is None:
        return
    choice = out.choice
    sid, n, seed = lab.key
    with shown_errors("These results cannot be drawn for this intervention"):
        st.subheader("How strong before it breaks?", anchor=False)
        with st.spinner("Sweeping the strength from 0 to 1…"):
            base_key = interventions_key(choice.base)
            sweep_fig = compute.sweep_figure_at(
                sid, n, seed, base_key, choice.strength, choice.base
            )
        chart(
            sweep_fig,
            "Error of each model as the intervention grows from none (0) to full (1). A flat "
            "line is a model whose relation to the target is invariant under this "
            "intervention; a rising one depends on what the intervention changes. Mild shifts "
            "can hide a break that a strong one reveals.",
        )


# ----------------------------------------------------------------------------- lessons


def _applied(state: Any) -> tuple[Choice, Any]:
    """A step's intervention and its cache key."""
    choice = choose(state, load_scenario(state.scenario))
    return choice, interventions_key(choice.applied)


def _ratios(state: Any) -> tuple[Choice, pd.DataFrame]:
    """A step's intervention and every model's error before and after it."""
    choice, key = _applied(state)
    return choice, compute.ratios(
        state.scenario, state.n, state.seed, choice.test, key, choice.applied
    )


def lesson_numbers(state: Any) -> dict[str, Any]:
    """The models' names and scores, the sample, and every model's error ratio."""
    return {**models_numbers(state), "ratios": _ratios(state)[1]}


def step_figure(step: Any, state: Any, present: bool) -> None:
    """The error ratio of the model asked about (the other may be a later step's
    question), and the changed world's graph beside it (not on a projector)."""
    sid, n, seed = state.scenario, state.n, state.seed
    sc = load_scenario(sid)
    pred = step.predict
    family = pred.family if pred is not None else "linear"
    choice, table = _ratios(state)
    models = family_models(compute.experiment(sid, n, seed).models, family)
    shown = {m.name for m in models if m is not None and (pred is None or m.kind == pred.model)}
    ratio_metrics(table[table["model"].isin(shown)].reset_index(drop=True))
    if not present:
        causal_graph(sc, intervened=sc.scm.intervene(*choice.applied).intervened_nodes)


def step_plots(step: Any, state: Any) -> list[Plot]:
    """A lesson handout's figure for a step here: every model's error before and after."""
    sid, n, seed = state.scenario, state.n, state.seed
    choice, key = _applied(state)
    return [
        Plot(
            compute.bars_figure(sid, n, seed, choice.test, key, choice.applied),
            f"Typical error of every model before and after: {choice.test}.",
        )
    ]


def view_words(state: Any) -> str:
    """The view in a few words: rows, seed, the intervention and its strength."""
    what = state.preset if state.preset != CUSTOM else f"{state.kind} on {state.node}"
    return f"Interventions: {state.n:,} rows, seed {state.seed}, {what} at {state.strength:.0%}"
