"""Cached fits and figures for tables.

Keyed by the table's key (a dataset id or a hash of the uploaded bytes), its
setup, the missing-cells policy and the seed; the table itself travels as an
underscore argument, so it is never hashed or copied. Cached objects are
shared between sessions and never modified.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.figures import charts
from lib.figures.style import Figure, legend_on_top
from lib.tables.fit import HoldoutFit, holdout_fit, table_loeo
from lib.tables.read import numeric_frame
from lib.tables.setup import TableSetup
from lib.text.escape import plotly_text
from lib.ui.lab import clues
from lib.ui.tables import TableChoice

__all__ = ["clue_table", "coefficient_figure", "fit_figure", "heatmap", "holdout", "loeo"]


@st.cache_resource(max_entries=32, show_spinner=False)
def holdout(
    key: str, setup: TableSetup, policy: str, seed: int, _choice: TableChoice
) -> HoldoutFit:
    """Both models fitted on a random part of the table, scored on the rest."""
    return holdout_fit(_choice.table, setup, policy=policy, seed=seed)


@st.cache_resource(max_entries=64, show_spinner=False)
def fit_figure(
    key: str, setup: TableSetup, policy: str, seed: int, model: str, _choice: TableChoice
) -> Figure:
    """Predicted against actual on the held-out rows, for one model."""
    fit = holdout(key, setup, policy, seed, _choice=_choice)
    kind = str(fit.scores.set_index("model").loc[model, "kind"])
    fig = charts.predicted_vs_actual(
        fit.predictions["actual"],
        fit.predictions[model],
        kind,
        title="",
        units_label=plotly_text(setup.target),
        max_points=800,
        seed=seed,
    )
    return legend_on_top(fig)  # the RMSE and R² in the legend, as for a world


@st.cache_resource(max_entries=64, show_spinner=False)
def coefficient_figure(
    key: str, setup: TableSetup, policy: str, seed: int, model: str, _choice: TableChoice
) -> Figure:
    """Per-SD coefficients of a linear model (:func:`lib.figures.charts.per_sd_coefficients`)."""
    fit = holdout(key, setup, policy, seed, _choice=_choice)
    linear = [m for m in fit.models if m.family == "linear"]
    chosen = next(m for m in fit.models if m.name == model)
    return charts.per_sd_coefficients(chosen, linear, plotly_text(setup.target))


@st.cache_data(max_entries=32, show_spinner=False)
def loeo(key: str, setup: TableSetup, policy: str, seed: int, _choice: TableChoice) -> pd.DataFrame:
    """Leave-one-environment-out errors of every model."""
    return table_loeo(_choice.table, setup, seed=seed, policy=policy)


@st.cache_resource(max_entries=32, show_spinner=False)
def heatmap(key: str, columns: tuple[str, ...], policy: str, _choice: TableChoice) -> Figure:
    """Correlations between the chosen columns (rows with missing cells left out)."""
    data, _ = numeric_frame(_choice.table, list(columns), policy=policy)  # type: ignore[arg-type]
    return charts.page_heatmap(data.rename(columns=plotly_text))


@st.cache_data(max_entries=32, show_spinner=False)
def clue_table(key: str, setup: TableSetup, policy: str, _choice: TableChoice) -> pd.DataFrame:
    """Each feature's correlation with the target (:func:`lib.ui.lab.clues`), declared causes marked."""
    columns = list(dict.fromkeys([setup.target, *setup.features]))
    data, _ = numeric_frame(_choice.table, columns, policy=policy)  # type: ignore[arg-type]
    return clues(data, setup.target, list(setup.features), setup.parents)
