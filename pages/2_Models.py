"""Models: a predictive and a causal model, side by side, on the same data."""

import streamlit as st

from lib.figures.charts import label
from lib.fitting.experiments import OBSERVATIONAL
from lib.ui import compute, table_views
from lib.ui.lab import (
    code_list,
    coefficient_display,
    family_models,
    negative_r2_note,
    observational_scores,
    predictive_inputs_text,
    takeaway,
)
from lib.ui.state import init_page, page_link
from lib.ui.widgets import (
    chart,
    heading_with_family_picker,
    kind_heading,
    model_scores,
    page_header,
    stacking_columns,
)
from lib.world.causal import hidden_confounders

lab = init_page("Models")
if lab.table is not None:
    page_header(
        "Models",
        "Two models learn the same target from the same rows. The predictive model may use "
        "every column you chose; the causal model only the causes you declared.",
    )
    table_views.models_view(lab.table, lab.state.seed)
    page_link(
        "Interventions",
        label="Next: move to an environment the models never saw",
        icon=":material/arrow_forward:",
    )
    st.stop()
sc = lab.scenario
sid, n, seed = lab.key
target = f"`{sc.target}`"

page_header(
    "Models",
    f"Two models learn to predict {sc.target} from the same {n:,} rows. The predictive "
    f"model may use every observed variable; the causal model uses only the causes of "
    f"{sc.target}.",
)

with st.spinner("Fitting the models…"):
    exp = compute.experiment(sid, n, seed)
    results = compute.evaluate(sid, n, seed, OBSERVATIONAL, (), ())
scores = observational_scores(results)
by_kind = {kind: [m for m in exp.models if m.kind == kind] for kind in ("predictive", "causal")}
linear = {
    kind: next(m for m in models if m.family == "linear")
    for kind, models in by_kind.items()
    if any(m.family == "linear" for m in models)
}

st.info(takeaway(results, sc.target, sc.units), icon=":material/lightbulb:")

# --- What each model may use ----------------------------------------------------
left, right = st.columns(2, gap="large")
with left:
    kind_heading("predictive", "model · all features")
    st.markdown(f"**Uses** {code_list(sc.features)}.")
    st.markdown(predictive_inputs_text(sc))
with right:
    kind_heading("causal", "model · causes only")
    st.markdown(f"**Uses** {code_list(sc.causal_features)}.")
    st.markdown("**Why these**\n" + "".join(f"\n- {r}" for r in sc.causal.reasons))
    if sc.causal.excluded:
        st.markdown("**Left out**\n" + "".join(f"\n- {r}" for r in sc.causal.excluded))
    for x, via in hidden_confounders(
        sc.scm.original_graph, sc.target, sc.causal_features, sc.scm.latent
    ).items():
        st.warning(
            f"`{x}` and {target} share a hidden cause"
            + (f" ({code_list(via)}, unobserved)" if via else "")
            + f": the causal model's weight on `{x}` mixes its effect with that cause's. It "
            f"is not `{x}`'s causal effect, and the model may break when `{x}` is changed.",
            icon=":material/visibility_off:",
        )

# --- How well they fit, in distribution ------------------------------------------
st.subheader("How well they predict new cases from the same world", anchor=False)
unit = sc.units.get(sc.target, "")
headings = {"predictive": "model · all features", "causal": "model · causes only"}
for column, kind in zip(st.columns(2, gap="large"), ("predictive", "causal"), strict=True):
    with column:
        kind_heading(kind, headings[kind])
        model_scores(
            results[results["test"] == OBSERVATIONAL],
            kind,
            key="obs",
            unit=unit,
            where="a held-out sample",
        )
        for m in by_kind[kind]:
            for warning in m.warnings_:
                st.warning(f"{m.name}: {warning}")
st.caption(
    f"Errors on a fresh sample of {n:,} rows from the same world (seed {seed + 1}). "
    f"Linear = least squares; Trees = gradient-boosted trees, which can bend but cannot "
    f"extrapolate." + negative_r2_note(results)
)

# --- What they learned -------------------------------------------------------------
st.subheader("What the linear models learned", anchor=False)
per_sd = (
    f"Change in {target}{f' ({unit})' if unit else ''} for a one-SD change of each input "
    f"(a typical difference between two cases), the others held fixed, with 95% interval."
)
captions = {
    "predictive": f"{per_sd} A weight on a variable that is not a cause is a correlation, "
    f"not a lever: changing that variable would not move {target}.",
    "causal": f"{per_sd} Its inputs are causes (or measure them): the relation to {target} "
    f"is a mechanism, so it survives interventions that leave that mechanism alone.",
}
for column, kind in zip(
    stacking_columns(2, "coef", gap="large"), ("predictive", "causal"), strict=True
):
    if kind not in linear:
        continue
    m = linear[kind]
    with column:
        kind_heading(kind, headings[kind])
        chart(compute.coefficient_figure(sid, n, seed, m.name), captions[kind])
        with st.expander("Per unit of each input (table)"):
            st.caption(
                f"{m.name}: change in {target} per unit of each input, in that input's own "
                f"unit, the others held fixed."
            )
            st.dataframe(
                coefficient_display(m.coef_table()),
                hide_index=True,
                width="stretch",
                column_config={
                    c: st.column_config.NumberColumn(format="%.3g")
                    for c in ("coefficient", "95% low", "95% high")
                }
                | {"p-value": st.column_config.NumberColumn(format="%.2g")},
            )

# --- Predicted vs actual ---------------------------------------------------------------
family = heading_with_family_picker("Predicted against actual, on held-out cases")
pred, caus = family_models(exp.models, family)
for column, m in zip(stacking_columns(2, "fit", gap="large"), (pred, caus), strict=True):
    if m is None:
        continue
    with column:
        chart(
            compute.fit_figure(sid, n, seed, m.name),
            f"{m.name}: each dot is a case the model never saw, actual "
            f"{label(sc.target, sc.units)} across, predicted up. On the dashed line the "
            f"prediction is perfect.",
        )
page_link(
    "Interventions",
    label="Next: change the world, and see which model still holds",
    icon=":material/arrow_forward:",
)
