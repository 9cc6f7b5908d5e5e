"""Models: a predictive and a causal model, side by side, on the same data."""

import streamlit as st

from lib.text.escape import inert
from lib.ui.handout_views import handout_control
from lib.ui.lab import coefficient_display, family_models, takeaway
from lib.ui.models_view import models_source
from lib.ui.state import init_page, page_link
from lib.ui.widgets import (
    chart,
    heading_with_family_picker,
    kind_heading,
    model_scores,
    page_header,
    stacking_columns,
)

KINDS = ("predictive", "causal")

lab = init_page("Models")
src = models_source(lab)  # a simulated world, or a table: only the data differ
page_header("Models", src.lead)
target = f"`{src.target}`" if lab.table is None else inert(src.target)
st.info(takeaway(src.scores, src.target, {src.target: src.unit}), icon=":material/lightbulb:")

# --- What each model may use ----------------------------------------------------
for column, kind in zip(st.columns(2, gap="large"), KINDS, strict=True):
    with column:
        kind_heading(kind, src.headings[kind])
        st.markdown(src.uses[kind])
        if kind == "causal":
            for notice in src.notices:
                st.warning(notice, icon=":material/visibility_off:")

# --- How well they fit, in distribution ------------------------------------------
st.subheader("How well they predict cases they never saw", anchor=False)
for column, kind in zip(st.columns(2, gap="large"), KINDS, strict=True):
    with column:
        kind_heading(kind, src.headings[kind])
        model_scores(src.scores, kind, key="obs", unit=src.unit, where="held-out rows")
        for m in src.models:
            if m.kind == kind:
                for warning in m.warnings_:  # they may quote a table's column names
                    st.warning(f"{m.name}: {inert(warning)}", icon=":material/warning:")
st.caption(src.score_note())

# --- What they learned -------------------------------------------------------------
st.subheader("What the linear models learned", anchor=False)
unit = f" ({src.unit})" if src.unit else ""
per_sd = (
    f"Change in {target}{unit} for a one-SD change of each input (a typical difference "
    f"between two cases), the others held fixed, with 95% interval."
)
captions = {
    "predictive": f"{per_sd} A weight on a variable that is not a cause is a correlation, "
    f"not a lever: changing that variable would not move {target}.",
    "causal": f"{per_sd} Its inputs are causes (or stand for them): the relation to {target} "
    f"is a mechanism, so it survives interventions that leave that mechanism alone.",
}
linear = {m.kind: m for m in reversed(src.models) if m.family in ("linear", "mean")}
for column, kind in zip(stacking_columns(2, "coef", gap="large"), KINDS, strict=True):
    m = linear.get(kind)
    if m is None:
        continue
    with column:
        kind_heading(kind, src.headings[kind])
        if not m.features:
            st.caption(f"{m.name}: no inputs, only an intercept (the average of {target}).")
            continue
        chart(src.coef_figure(m.name), captions[kind], key=f"coef_{kind}")
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
pred, caus = family_models(src.models, family)
for column, m in zip(stacking_columns(2, "fit", gap="large"), (pred, caus), strict=True):
    if m is None:
        continue
    with column:
        chart(
            src.fit_figure(m.name),
            f"{m.name}: each dot is a case the model never saw, actual {target} across, "
            f"predicted up. On the dashed line the prediction is perfect.",
            key=f"fit_{m.kind}",
        )
page_link("Interventions", label=src.next_label, icon=":material/arrow_forward:")
handout_control(lab)  # the view as a web page, and a script of its numbers
