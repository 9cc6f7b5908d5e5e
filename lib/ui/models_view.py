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

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lib.errors import DataError
from lib.figures.style import label
from lib.fitting.experiments import OBSERVATIONAL
from lib.fitting.models import Model
from lib.text.escape import code_list, code_span, plotly_text
from lib.ui import compute
from lib.ui import table_compute as tc
from lib.ui.lab import negative_r2_note, predictive_inputs_text
from lib.ui.state import Lab
from lib.ui.tables import setup_warnings
from lib.ui.widgets import page_header
from lib.world.causal import hidden_confounders

__all__ = ["ModelsSource", "models_source"]

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
    coef_figure, fit_figure : callable
        Model name -> its (cached) per-SD coefficient chart, or its predicted
        against actual chart.
    next_label : str
        The link to the Interventions page.
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
    coef_figure: Callable[[str], go.Figure]
    fit_figure: Callable[[str], go.Figure]
    next_label: str
    notices: list[str] = field(default_factory=list)

    def score_note(self) -> str:
        """The caption under the scores: where they were measured, and R² below 0."""
        return (
            f"{self.where} Linear = least squares; Trees = gradient-boosted trees, which can "
            f"bend but cannot extrapolate; Intercept only = the average of the target."
            + negative_r2_note(self.scores)
        )


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
        next_label="Next: change the world, and see which model still holds",
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
        next_label="Next: move to an environment the models never saw",
    )
