"""Interventions: change the world, and see which model still predicts."""

import streamlit as st

from lib.ui import compute, table_views
from lib.ui.handout_views import handout_control
from lib.ui.lab import (
    CUSTOM_LABEL,
    KIND_LABELS,
    amount_label,
    choose,
    family_models,
    interventions_key,
    negative_r2_note,
    split_error,
)
from lib.ui.params import CUSTOM, IV_KINDS, MAX_AMOUNT, MAX_EQUATION_CHARS
from lib.ui.state import init_page, synced
from lib.ui.widgets import (
    causal_graph,
    chart,
    heading_with_family_picker,
    page_header,
    ratio_metrics,
    shown_errors,
    stacking_columns,
)

lab = init_page("Interventions")
if lab.table is not None:
    page_header(
        "Interventions",
        "On a table nobody can set a variable by hand: the change you can test is a move to an "
        "environment the models never saw.",
    )
    table_views.interventions_view(lab.table, lab.state.seed)
    handout_control(lab)
    st.stop()
sc, state = lab.scenario, lab.state
sid, n, seed = lab.key

page_header(
    "Interventions",
    f"Change the world, then ask both models to predict {sc.target} again. They were "
    f"trained before the change and are not refitted.",
)

# --- 1. The intervention ------------------------------------------------------------
presets = list(sc.presets)
if lab.present:  # one row of buttons, so that the result is on the same screen
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
else:
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
                    "What to do", list(IV_KINDS), format_func=KIND_LABELS.get, **synced("kind")
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
                    st.number_input(
                        amount_label(state.kind, sc.units.get(state.node, "")),
                        min_value=0.0 if state.kind == "scale_noise" else -MAX_AMOUNT,
                        max_value=MAX_AMOUNT,
                        step=0.1,
                        **synced("amount"),
                    )
        st.slider(
            "Strength",
            min_value=0.0,
            max_value=1.0,
            step=0.05,
            help="0 = no change; 1 = the full intervention. In between, the world moves "
            "part of the way.",
            **synced("strength"),
        )

# --- 2. What happened ---------------------------------------------------------------
try:
    choice = choose(state, sc)
    key = interventions_key(choice.applied)
    with st.spinner("Testing the models in the changed world…"):
        results = compute.evaluate(sid, n, seed, choice.test, key, choice.applied)
        changed = sc.scm.intervene(*choice.applied)
        explanation = compute.explanation(sid, n, seed, choice.test, key, choice.applied)
except ValueError as exc:
    problem, allowed = split_error(exc)
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

with shown_errors("These results cannot be drawn for this intervention"):
    # --- 3. The changed world and the errors --------------------------------------------
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
        "and with it. Orange bars are predictive models, blue bars causal ones; hatched bars "
        "are the trees.",
    )

    # --- 4. Predictions, before and after -------------------------------------------------
    family = heading_with_family_picker("Predicted against actual, before and after")
    pred, caus = family_models(compute.experiment(sid, n, seed).models, family)
    for column, m in zip(stacking_columns(2, "fit", gap="large"), (pred, caus), strict=True):
        if m is None:
            continue
        with column:
            chart(
                compute.before_after_figure(sid, n, seed, m.name, key, choice.applied),
                f"{m.name}: faded dots are cases before the intervention, dark diamonds the "
                f"same cases after it. Dots that leave the dashed line are predictions the "
                f"change broke.",
            )
    if note := negative_r2_note(results):
        st.caption(note.strip())

    # --- 5. How strong before it breaks? ---------------------------------------------------
    st.subheader("How strong before it breaks?", anchor=False)
    with st.spinner("Sweeping the strength from 0 to 1…"):
        base_key = interventions_key(choice.base)
        sweep_fig = compute.sweep_figure_at(sid, n, seed, base_key, choice.strength, choice.base)
    chart(
        sweep_fig,
        "Error of each model as the intervention grows from none (0) to full (1). A flat line "
        "is a model whose relation to the target is invariant under this intervention; a "
        "rising one depends on what the intervention changes. Mild shifts can hide a break "
        "that a strong one reveals.",
    )

handout_control(lab)  # the view as a web page, and a script of its numbers
