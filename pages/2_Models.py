"""Models: a predictive and a causal model, side by side, on the same data."""

import streamlit as st

from lib.experiments import OBSERVATIONAL
from lib.plots import format_number, label
from lib.ui import compute
from lib.ui.lab import (
    code_list,
    coefficient_display,
    family_models,
    observational_scores,
    takeaway,
)
from lib.ui.state import init_page, synced
from lib.ui.widgets import chart, kind_heading, page_header

lab = init_page("Models")
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
    kind: next(m for m in models if m.name.startswith("Linear"))
    for kind, models in by_kind.items()
    if models
}

st.info(takeaway(results, sc.target, sc.units), icon=":material/lightbulb:")

# --- What each model may use ----------------------------------------------------
left, right = st.columns(2, gap="large")
with left:
    kind_heading("predictive", "model · all features")
    st.markdown(f"**Uses** {code_list(sc.features)}.")
    st.markdown(
        f"**Why these**\n\n- Every observed variable except the target. A good predictor "
        f"needs clues, not reasons: anything that moves with {target} helps."
    )
    if sc.scm.latent:
        st.markdown(
            f"**Left out**\n\n- {code_list(sc.scm.latent)}: unobserved — simulated, but no "
            f"study sees it, so no model may use it."
        )
with right:
    kind_heading("causal", "model · causes only")
    st.markdown(f"**Uses** {code_list(sc.causal_features)}.")
    st.markdown("**Why these**\n" + "".join(f"\n- {r}" for r in sc.causal.reasons))
    if sc.causal.excluded:
        st.markdown("**Left out**\n" + "".join(f"\n- {r}" for r in sc.causal.excluded))

# --- How well they fit, in distribution ------------------------------------------
st.subheader("How well they predict new cases from the same world", anchor=False)
unit = sc.units.get(sc.target, "")
for column, kind in zip(st.columns(2, gap="large"), ("predictive", "causal"), strict=True):
    with column:
        for m in by_kind[kind]:
            family = "Linear" if m.name.startswith("Linear") else "Trees"
            s = scores[m.name]
            cells = st.columns(2)
            cells[0].metric(
                f"{family} · RMSE",
                format_number(s["rmse"]),
                help=f"Typical prediction error, in {unit or 'the units of the target'} "
                f"(root mean squared error on a held-out sample). Lower is better.",
            )
            cells[1].metric(
                f"{family} · R²",
                f"{s['r2']:.2f}",
                help="Share of the variation in the target the model accounts for (1 = all).",
            )
        for m in by_kind[kind]:
            for warning in m.warnings_:
                st.warning(f"{m.name}: {warning}")
st.caption(
    f"Errors on a fresh sample of {n:,} rows from the same world (seed {seed + 1}). "
    f"Linear = least squares; Trees = gradient-boosted trees, which can bend but cannot "
    f"extrapolate."
)

# --- What they learned -------------------------------------------------------------
st.subheader("What the linear models learned", anchor=False)
captions = {
    "predictive": f"Change in {target} per unit of each input, the others held fixed, with "
    f"95% intervals. A weight on a variable that is not a cause is a correlation, not a "
    f"lever: changing that variable would not move {target}.",
    "causal": f"Inputs that are causes (or measure them): the relation to {target} is a "
    f"mechanism, so it survives interventions that leave that mechanism alone.",
}
for column, kind in zip(st.columns(2, gap="large"), ("predictive", "causal"), strict=True):
    if kind not in linear:
        continue
    m = linear[kind]
    with column:
        chart(compute.coefficient_figure(sid, n, seed, m.name), captions[kind])
        with st.expander("Coefficient table"):
            st.dataframe(
                coefficient_display(m.coef_table()),
                hide_index=True,
                width="stretch",
                column_config={
                    c: st.column_config.NumberColumn(format="%.3f")
                    for c in ("coefficient", "95% low", "95% high")
                }
                | {"p-value": st.column_config.NumberColumn(format="%.2g")},
            )

# --- Predicted vs actual ---------------------------------------------------------------
head, pick = st.columns([3, 1], vertical_alignment="bottom")
head.subheader("Predicted against actual, on held-out cases", anchor=False)
pick.segmented_control(
    "Model family",
    ["linear", "trees"],
    format_func=str.capitalize,
    required=True,
    width="stretch",
    **synced("family"),
)
pred, caus = family_models(exp.models, lab.state.family)
for column, m in zip(st.columns(2, gap="large"), (pred, caus), strict=True):
    if m is None:
        continue
    with column:
        chart(
            compute.fit_figure(sid, n, seed, m.name),
            f"{m.name}: each dot is a case the model never saw, actual "
            f"{label(sc.target, sc.units)} across, predicted up. On the dashed line the "
            f"prediction is perfect.",
        )
st.page_link(
    "pages/3_Interventions.py",
    label="Next: change the world, and see which model still holds",
    icon=":material/arrow_forward:",
)
