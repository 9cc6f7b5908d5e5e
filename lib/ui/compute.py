"""Everything that costs, cached once for all sessions.

Fitting is cached with ``st.cache_resource`` keyed by (scenario, n, seed);
evaluations, sweeps and figures are keyed by their parameters, interventions
included (as the exact text of each intervention, see
:func:`lib.ui.lab.interventions_key`). Cached objects are shared between
sessions and never modified after they are built.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from lib.figures import charts
from lib.figures.style import (
    NEUTRAL,
    SMALL_FONT_SIZE,
    Figure,
    add_vline,
    copy_figure,
    label,
    legend_on_top,
    update_axes,
    update_layout,
)
from lib.fitting.evaluation import score_predictions
from lib.fitting.experiments import (
    OBSERVATIONAL,
    Experiment,
    ratio_table,
    run_experiment,
    strength_sweep,
)
from lib.ui.lab import mark_unobserved
from lib.ui.registry import get_scenario
from lib.words.narration import explain_outcome, range_exits
from lib.world.interventions import Intervention

_SPIN = False  # pages show their own spinners with plain words

#: Distinct (world, rows, seed) views the caches keep. A class of 60 that tries
#: two seeds each needs about 120; a view costs about 2 MB (models 0.7 MB,
#: predictions and sweep 0.2 MB, figures 1 MB), so a full cache is about 250 MB.
#: Fewer entries made a class evict the views it was still looking at: each page
#: change then fitted the models again.
VIEWS = 128
#: Cached results keyed by a view and one more choice (an intervention or a model).
CHOICES = 4 * VIEWS

IvKey = tuple[str, ...]


@st.cache_resource(max_entries=VIEWS, show_spinner=_SPIN)
def sample(scenario_id: str, n: int, seed: int) -> pd.DataFrame:
    """The observational training sample (the same rows the models learn from)."""
    return get_scenario(scenario_id).scm.sample(n, seed)


@st.cache_resource(max_entries=VIEWS, show_spinner=_SPIN)
def experiment(scenario_id: str, n: int, seed: int) -> Experiment:
    """Fitted models for (scenario, n, seed): four fits, ~100 ms, on :func:`sample`'s rows
    (the Data page's: the training sample is drawn once for every page)."""
    return run_experiment(get_scenario(scenario_id), n, seed, train=sample(scenario_id, n, seed))


@st.cache_data(max_entries=VIEWS, show_spinner=_SPIN)
def sample_csv(scenario_id: str, n: int, seed: int) -> bytes:
    """The training sample as CSV bytes (for the download button).

    Unobserved columns are kept (a teacher may want them) but named
    ``"<name> (unobserved)"``, so that nobody fits a model on them by mistake.
    """
    sc = get_scenario(scenario_id)
    df = mark_unobserved(sample(scenario_id, n, seed), sc.scm.latent)
    return df.to_csv(index=False, float_format="%.6g").encode("utf-8")


@st.cache_resource(max_entries=CHOICES, show_spinner=_SPIN)
def predictions(
    scenario_id: str, n: int, seed: int, key: IvKey, _ivs: Sequence[Intervention]
) -> pd.DataFrame:
    """The held-out test sample under ``_ivs`` (keyed by ``key``; ``()`` is observational):
    the target's actual values and every model's predictions, one column per model.
    ``frame.attrs["outside"]``: per feature, how these rows left the training range
    (:func:`lib.words.narration.range_exits`).

    Shared read-only between sessions; the observational one is computed once.
    """
    exp = experiment(scenario_id, n, seed)
    test = exp.test_sample(_ivs)
    target = exp.scenario.target
    frame = pd.DataFrame(
        {target: test[target].to_numpy(), **{m.name: m.predict_finite(test) for m in exp.models}}
    )
    frame.attrs["outside"] = range_exits(exp.train, test, exp.scenario.features)
    return frame


@st.cache_resource(max_entries=CHOICES, show_spinner=_SPIN)
def evaluate(
    scenario_id: str, n: int, seed: int, test: str, key: IvKey, _ivs: Sequence[Intervention]
) -> pd.DataFrame:
    """Every model's error, observational and under ``_ivs`` (keyed by ``key``).

    The same table as :meth:`lib.fitting.experiments.Experiment.evaluate` (columns
    ``model, kind, features, test, rmse, r2``), from cached predictions. Shared
    read-only between sessions (a copy for each run cost more than the rest of it).
    """
    exp = experiment(scenario_id, n, seed)
    tests = {OBSERVATIONAL: predictions(scenario_id, n, seed, (), ())}
    if _ivs:
        tests[test] = predictions(scenario_id, n, seed, key, _ivs)
    return score_predictions(exp.models, tests)


@st.cache_resource(max_entries=CHOICES, show_spinner=_SPIN)
def ratios(
    scenario_id: str, n: int, seed: int, test: str, key: IvKey, _ivs: Sequence[Intervention]
) -> pd.DataFrame:
    """Per model, the error before and after ``_ivs`` and their ratio (:func:`lib.fitting.experiments.ratio_table`)."""
    return ratio_table(evaluate(scenario_id, n, seed, test, key, _ivs), test)


@st.cache_data(max_entries=CHOICES, show_spinner=_SPIN)
def explanation(
    scenario_id: str, n: int, seed: int, test: str, key: IvKey, _ivs: Sequence[Intervention]
) -> str:
    """The plain explanation of what ``_ivs`` did to every model (Markdown)."""
    results = evaluate(scenario_id, n, seed, test, key, _ivs)
    outside = predictions(scenario_id, n, seed, key, _ivs).attrs["outside"]  # no second sample
    return explain_outcome(get_scenario(scenario_id), results, test, _ivs, outside)


@st.cache_data(max_entries=CHOICES, show_spinner=_SPIN)
def sweep(
    scenario_id: str, n: int, seed: int, key: IvKey, _base: Sequence[Intervention]
) -> pd.DataFrame:
    """Errors as the interventions go from none to full (11 strengths); ``_base`` at full
    strength (keyed by ``key``). The ends are the predictions :func:`evaluate` reads
    (no intervention, and the full one), so only the nine strengths between are drawn."""
    ends = {0.0: predictions(scenario_id, n, seed, (), ())}
    if all(iv.strength == 1.0 for iv in _base):
        ends[1.0] = predictions(scenario_id, n, seed, key, _base)
    return strength_sweep(experiment(scenario_id, n, seed), list(_base), known=ends)


# ----------------------------------------------------------------------------- figures


#: Most points a scatter matrix draws (a random subset of the rows beyond that).
PAIRS_MAX_POINTS = 1000


@st.cache_resource(max_entries=VIEWS, show_spinner=_SPIN)
def heatmap_figure(scenario_id: str, n: int, seed: int, columns: tuple[str, ...]) -> Figure:
    return charts.page_heatmap(sample(scenario_id, n, seed)[list(columns)])


@st.cache_resource(max_entries=VIEWS, show_spinner=_SPIN)
def pairs_figure(scenario_id: str, n: int, seed: int, columns: tuple[str, ...]) -> Figure:
    sc = get_scenario(scenario_id)
    df = sample(scenario_id, n, seed)
    fig = charts.scatter_matrix(
        df, list(columns), sc.units, highlight=sc.target, max_points=PAIRS_MAX_POINTS, seed=seed
    )
    # Long axis titles of neighbouring panels run into each other: break them
    # before the unit, and give every panel's axes the same type sizes.
    splom = fig["data"][0]
    for dim in splom["dimensions"]:
        dim["label"] = dim["label"].replace(" (", "<br>(", 1)
    axes: dict[str, object] = {}
    for i in range(1, len(columns) + 1):
        suffix = "" if i == 1 else str(i)
        style = {"title": {"font": {"size": 15}}, "tickfont": {"size": 13}}
        axes[f"xaxis{suffix}"] = style
        axes[f"yaxis{suffix}"] = style
    # Room on the left for the first column's two-line axis titles.
    update_layout(fig, {"title": {"text": ""}, "margin": {"l": 110}, **axes})
    # The colour bar's title on two lines, above the bar, so that a long unit is never clipped.
    bar = splom["marker"].setdefault("colorbar", {})
    bar["title"] = {"text": label(sc.target, sc.units).replace(" (", "<br>(", 1), "side": "top"}
    bar["thickness"] = 16
    return fig


@st.cache_resource(max_entries=VIEWS, show_spinner=_SPIN)
def pair_panels_figure(
    scenario_id: str,
    n: int,
    seed: int,
    columns: tuple[str, ...],
    per_row: int,
    width: int,
    type_scale: float,
) -> Figure:
    """The pairs of :func:`pairs_figure` in panels of their own, ``per_row`` a row, laid out
    for ``width`` px and type ``type_scale`` times the lab's (a phone, a projector:
    :func:`lib.figures.charts.pair_panels`)."""
    sc = get_scenario(scenario_id)
    return charts.pair_panels(
        sample(scenario_id, n, seed),
        list(columns),
        sc.units,
        highlight=sc.target,
        per_row=per_row,
        width=width,
        type_scale=type_scale,
        max_points=PAIRS_MAX_POINTS,
        seed=seed,
    )


def _model(exp: Experiment, name: str):  # noqa: ANN202 - a lib.fitting.models.Model
    return next(m for m in exp.models if m.name == name)


@st.cache_resource(max_entries=CHOICES, show_spinner=_SPIN)
def coefficient_figure(scenario_id: str, n: int, seed: int, model: str) -> Figure:
    """Per-SD coefficients of a linear model (:func:`lib.figures.charts.per_sd_coefficients`)."""
    exp = experiment(scenario_id, n, seed)
    sc = exp.scenario
    linear = [m for m in exp.models if m.family == "linear"]
    return charts.per_sd_coefficients(_model(exp, model), linear, label(sc.target, sc.units))


def _fit_plot(
    scenario_id: str,
    n: int,
    seed: int,
    model: str,
    after: pd.DataFrame | None,
    max_points: int,
) -> Figure:
    sc = get_scenario(scenario_id)
    m = _model(experiment(scenario_id, n, seed), model)
    before = predictions(scenario_id, n, seed, (), ())
    fig = charts.predicted_vs_actual(
        before[sc.target],
        before[m.name],
        m.kind,
        title="",
        units_label=label(sc.target, sc.units),
        max_points=max_points,
        seed=seed,
        y_true_after=None if after is None else after[sc.target],
        y_pred_after=None if after is None else after[m.name],
    )
    return legend_on_top(fig)


@st.cache_resource(max_entries=CHOICES, show_spinner=_SPIN)
def fit_figure(scenario_id: str, n: int, seed: int, model: str) -> Figure:
    """Predicted vs actual on the held-out observational sample."""
    return _fit_plot(scenario_id, n, seed, model, None, max_points=800)


@st.cache_resource(max_entries=CHOICES, show_spinner=_SPIN)
def before_after_figure(
    scenario_id: str, n: int, seed: int, model: str, key: IvKey, _ivs: Sequence[Intervention]
) -> Figure:
    """Predicted vs actual before (faded) and after the interventions."""
    after = predictions(scenario_id, n, seed, key, _ivs)
    return _fit_plot(scenario_id, n, seed, model, after, max_points=600)


@st.cache_resource(max_entries=CHOICES, show_spinner=_SPIN)
def bars_figure(
    scenario_id: str, n: int, seed: int, test: str, key: IvKey, _ivs: Sequence[Intervention]
) -> Figure:
    results = evaluate(scenario_id, n, seed, test, key, _ivs)
    fig = legend_on_top(charts.rmse_bars(results, title=""))
    return update_axes(
        fig, "x", {"title": {"text": "test sample:<br>before the change, and after it"}}
    )


@st.cache_resource(max_entries=CHOICES, show_spinner=_SPIN)
def sweep_figure(
    scenario_id: str, n: int, seed: int, key: IvKey, _base: Sequence[Intervention]
) -> Figure:
    # The legend in a row above the plot: beside it, it squeezes a phone's plot to a sliver.
    return legend_on_top(
        charts.error_vs_strength(sweep(scenario_id, n, seed, key, _base), title="")
    )


@st.cache_resource(max_entries=CHOICES, show_spinner=_SPIN)
def sweep_figure_at(
    scenario_id: str, n: int, seed: int, key: IvKey, strength: float, _base: Sequence[Intervention]
) -> Figure:
    """The sweep with a marker at the strength the user chose; its label inside the plot, on
    the roomier side of the line (above the plot is the legend's row)."""
    fig = copy_figure(sweep_figure(scenario_id, n, seed, key, _base))
    return add_vline(
        fig,
        strength,
        {"color": NEUTRAL, "dash": "dot", "width": 2},
        annotation={"text": "you are here", "font": {"size": SMALL_FONT_SIZE}},
        annotation_position="top left" if strength > 0.5 else "top right",
    )
