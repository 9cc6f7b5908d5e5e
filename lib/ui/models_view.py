"""What the Models page shows, for a simulated world and for a table alike.

The page has one body; the two sources differ only in where the rows come from
(a world's training sample and a fresh test sample, or a table split into
rows to learn from and rows held out), in how the causal model's inputs were
chosen (read off the graph, or declared by the user) and in the caches that
hold the fits. :class:`ModelsSource` carries exactly those differences.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st

from lib.errors import DataError
from lib.figures.style import Figure, label
from lib.fitting.experiments import OBSERVATIONAL
from lib.fitting.models import LinearModel, Model
from lib.text.escape import code_list, code_span, inert, plotly_text
from lib.text.numbers import format_number
from lib.ui import compute
from lib.ui import table_compute as tc
from lib.ui.lab import (
    coefficient_display,
    family_models,
    negative_r2_note,
    predictive_inputs_text,
    takeaway,
)
from lib.ui.registry import get_scenario
from lib.ui.state import Lab
from lib.ui.tables import setup_warnings, text_cell_notes
from lib.ui.widgets import (
    chart,
    data_frame,
    heading_with_family_picker,
    kind_heading,
    kind_metric,
    model_scores,
    page_header,
    stacking_columns,
)
from lib.world.causal import hidden_confounders

__all__ = [
    "ModelsSource",
    "coefficients_section",
    "fit_section",
    "header_section",
    "lesson_numbers",
    "models_source",
    "score_note",
    "scores_section",
    "step_figure",
    "uses_section",
]

#: The Models page's lead sentence for a table.
TABLE_LEAD = (
    "Two models learn the same target from the same rows. The predictive model may use every "
    "column you chose; the causal model only the causes you declared."
)


@dataclass
class ModelsSource:
    """Everything the Models page needs from its data source.

    Attributes
    ----------
    lead : str
        The page's lead sentence.
    target : str
    target_label : str
        The target with its unit, for chart captions (plain text).
    unit : str
    models : list of Model
        Fitted, predictive first.
    scores : pandas.DataFrame
        :func:`lib.fitting.evaluation.score` on the held-out rows.
    uses : dict of str to str
        Per kind, what the model uses and why (Markdown).
    headings : dict of str to str
        Per kind, the heading beside the kind's badge.
    where : str
        What the held-out rows are (the caption under the scores).
    notices : list of str
        Warnings about the causal model's inputs (a hidden common cause...).
    data_notes : list of str
        Warnings about the cells of the columns the models use (text in a column
        of numbers), shown under the title.
    coef_figure, fit_figure : callable
        Model name -> its (cached) per-SD coefficient chart, or its predicted
        against actual chart.
    """

    lead: str
    target: str
    target_label: str
    unit: str
    models: list[Model]
    scores: pd.DataFrame
    uses: dict[str, str]
    headings: dict[str, str]
    where: str
    coef_figure: Callable[[str], Figure]
    fit_figure: Callable[[str], Figure]
    notices: list[str] = field(default_factory=list)
    data_notes: list[str] = field(default_factory=list)

    def score_note(self) -> str:
        """The caption under the scores: where they were measured, and R² below 0."""
        return score_note(self.where, self.scores)


#: What each family shown in the scores is, in the caption under them.
FAMILY_NOTES = {
    "linear": "Linear = least squares",
    "trees": "Trees = gradient-boosted trees, which can bend but cannot extrapolate",
    "mean": "Intercept only = no inputs, it predicts the average of the target",
}


def score_note(where: str, scores: pd.DataFrame) -> str:
    """The caption under the scores: where they were measured, what each family shown
    is (only the families among ``scores``), and R² below 0."""
    shown = [f for f in FAMILY_NOTES if (scores["family"] == f).any()]
    families = "; ".join(FAMILY_NOTES[f] for f in shown)
    return f"{where} {families}." + negative_r2_note(scores) if families else where


def models_source(lab: Lab) -> ModelsSource:
    """The Models page's source: the sidebar's world, or its table (fitted, under a spinner).

    A table whose setup is not usable shows what is wrong and stops the page.
    """
    if lab.table is None:
        return _world(lab)
    return _table(lab)


def _world(lab: Lab) -> ModelsSource:
    sc = lab.scenario
    sid, n, seed = lab.key
    with st.spinner("Fitting the models…"):
        exp = compute.experiment(sid, n, seed)
        results = compute.evaluate(sid, n, seed, OBSERVATIONAL, (), ())
    causal = "**Why these**\n" + "".join(f"\n- {r}" for r in sc.causal.reasons)
    if sc.causal.excluded:
        causal += "\n\n**Left out**\n" + "".join(f"\n- {r}" for r in sc.causal.excluded)
    target = code_span(sc.target)
    notices = [
        f"`{x}` and {target} share a hidden cause"
        + (f" ({code_list(via)}, unobserved)" if via else "")
        + f": the causal model's weight on `{x}` mixes its effect with that cause's. It "
        f"is not `{x}`'s causal effect, and the model may break when `{x}` is changed."
        for x, via in hidden_confounders(
            sc.scm.original_graph, sc.target, sc.causal_features, sc.scm.latent
        ).items()
    ]
    return ModelsSource(
        lead=f"Two models learn to predict {sc.target} from the same {n:,} rows. The "
        f"predictive model may use every observed variable; the causal model uses only the "
        f"causes of {sc.target}.",
        target=sc.target,
        target_label=label(sc.target, sc.units),
        unit=sc.units.get(sc.target, ""),
        models=list(exp.models),
        scores=results[results["test"] == OBSERVATIONAL],
        uses={
            "predictive": f"**Uses** {code_list(sc.features)}.\n\n{predictive_inputs_text(sc)}",
            "causal": f"**Uses** {code_list(sc.causal_features)}.\n\n{causal}",
        },
        headings={"predictive": "model · all features", "causal": "model · causes only"},
        where=f"Errors on a fresh sample of {n:,} rows from the same world (seed {seed + 1}).",
        notices=notices,
        coef_figure=lambda name: compute.coefficient_figure(sid, n, seed, name),
        fit_figure=lambda name: compute.fit_figure(sid, n, seed, name),
    )


def _table(lab: Lab) -> ModelsSource:
    choice = lab.table
    assert choice is not None
    setup, seed = choice.setup, lab.state.seed
    # The page keeps its title above what is wrong.
    if setup_warnings(setup, choice.data.columns, header=lambda: page_header("Models", TABLE_LEAD)):
        st.stop()
    try:
        with st.spinner("Fitting the models…"):
            fit = tc.holdout(choice.key, setup, choice.policy, seed, _choice=choice)
    except DataError as exc:
        page_header("Models", TABLE_LEAD)
        st.error(f"The models cannot be fitted: {exc}", icon=":material/error:")
        st.stop()
    dropped = (
        f" {fit.dropped:,} rows with missing or non-numeric cells are left out."
        if fit.dropped
        else ""
    )
    causal = (
        f"**Uses** {code_list(setup.parents)}: the causes you declared on the Data page."
        if setup.parents
        else "**Uses** nothing: you declared no cause, so it predicts the average. Draw "
        "arrows into the target on the Data page."
    )
    args = (choice.key, setup, choice.policy, seed)
    return ModelsSource(
        lead=TABLE_LEAD,
        target=setup.target,
        target_label=plotly_text(setup.target),
        unit="",
        models=list(fit.models),
        scores=fit.scores,
        uses={
            "predictive": f"**Uses** {code_list(setup.features)}: every column you chose.",
            "causal": causal,
        },
        headings={"predictive": "model · all features", "causal": "model · declared causes"},
        where=f"Errors on a random {fit.test_share:.0%} of the rows held out from fitting "
        f"({fit.n_test:,} rows, seed {seed}): rows from the same environments as the training "
        f"rows, so this says how well each model predicts, not whether it explains." + dropped,
        coef_figure=lambda name: tc.coefficient_figure(*args, name, _choice=choice),
        fit_figure=lambda name: tc.fit_figure(*args, name, _choice=choice),
        data_notes=text_cell_notes(choice, [setup.target, *setup.features]),
    )


# ----------------------------------------------------------------------------- sections

KINDS = ("predictive", "causal")


def header_section(lab: Lab, src: ModelsSource) -> None:
    """The title, what the two models are, and the takeaway."""
    page_header("Models", src.lead)
    for note in src.data_notes:
        st.warning(note, icon=":material/text_fields:")
    _takeaway(src)


def uses_section(lab: Lab, src: ModelsSource) -> None:
    """1 · What each model may use, and why the causal one uses only these."""
    for column, kind in zip(st.columns(2, gap="large"), KINDS, strict=True):
        with column:
            kind_heading(kind, src.headings[kind])
            st.markdown(src.uses[kind])
            if kind == "causal":
                for notice in src.notices:
                    st.warning(notice, icon=":material/visibility_off:")


def scores_section(lab: Lab, src: ModelsSource) -> None:
    """2 · How well they predict cases they never saw."""
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
    if lab.present:  # a slide: the page's header, which says it, is the slide's bar there
        _takeaway(src)


def _takeaway(src: ModelsSource) -> None:
    """What the scores say, in one sentence."""
    st.info(takeaway(src.scores, src.target, {src.target: src.unit}), icon=":material/lightbulb:")


def _target(lab: Lab, src: ModelsSource) -> str:
    return f"`{src.target}`" if lab.table is None else inert(src.target)


def coefficients_section(lab: Lab, src: ModelsSource) -> None:
    """3 · What the linear models learned: each input's weight, with its interval."""
    st.subheader("What the linear models learned", anchor=False)
    target = _target(lab, src)
    unit = f" ({src.unit})" if src.unit else ""
    per_sd = (
        f"Change in {target}{unit} for a one-SD change of each input (a typical difference "
        f"between two cases), the others held fixed, with 95% interval."
    )
    captions = {
        "predictive": f"{per_sd} A weight on a variable that is not a cause is a correlation, "
        f"not a lever: changing that variable would not move {target}.",
        "causal": f"{per_sd} Its inputs are causes (or stand for them): the relation to "
        f"{target} is a mechanism, so it survives interventions that leave that mechanism "
        f"alone.",
    }
    linear = {
        m.kind: m
        for m in reversed(src.models)
        if m.family in ("linear", "mean") and isinstance(m, LinearModel)
    }
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
                data_frame(
                    coefficient_display(m.coef_table()),
                    hide_index=True,
                    width="stretch",
                    column_config={
                        c: st.column_config.NumberColumn(format="%.3g")
                        for c in ("coefficient", "95% low", "95% high")
                    }
                    | {"p-value": st.column_config.NumberColumn(format="%.2g")},
                )


def fit_section(lab: Lab, src: ModelsSource) -> None:
    """4 · Predicted against actual, on held-out cases."""
    target = _target(lab, src)
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


# ----------------------------------------------------------------------------- lessons


def lesson_numbers(state: Any) -> dict[str, Any]:
    """The models' names and held-out scores, and the sample (a lesson step's numbers)."""
    sid, n, seed = state.scenario, state.n, state.seed
    exp = compute.experiment(sid, n, seed)
    return {
        "names": {(m.kind, m.family): m.name for m in exp.models},
        "scores": compute.evaluate(sid, n, seed, OBSERVATIONAL, (), ()),
        "sample": compute.sample(sid, n, seed),
    }


def step_figure(step: Any, state: Any, present: bool) -> None:
    """Each kind's typical error on fresh cases, one metric each (the family asked about)."""
    sid, n, seed = state.scenario, state.n, state.seed
    family = step.predict.family if step.predict is not None else "linear"
    scores = compute.evaluate(sid, n, seed, OBSERVATIONAL, (), ())
    target = get_scenario(sid).target
    rows = scores[(scores["test"] == scores["test"].iloc[0]) & (scores["family"] == family)]
    for column, row in zip(st.columns(2), rows.itertuples(index=False), strict=False):
        with column:
            kind_metric(
                row.kind,
                f"lesson_{row.kind}",
                row.model,
                format_number(row.rmse),
                help=f"Typical error (RMSE) predicting {target} on fresh cases; R² {row.r2:.2f}.",
                border=True,
            )
