"""The figures of lib.figures.charts and lib.figures.invariance are plain data, built
directly: each one passes plotly's own validation (``go.Figure(figure)`` raises on a
bad property), and what a browser is sent for it is what plotly makes of it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

from lib import load_scenario, run_experiment
from lib.figures import charts
from lib.figures import invariance as ip
from lib.figures.style import as_figure, copy_figure, plain, update_axes
from lib.fitting.experiments import strength_sweep
from tests.figures import assert_plain_and_valid

FIVE = ["dose", "headache", "dyskinesia", "dopamine_scan", "age"]


@pytest.fixture(scope="module")
def world() -> dict[str, Any]:
    sc = load_scenario("ldopa")
    exp = run_experiment(sc, 300, 0)
    tylenol = list(sc.presets["Tylenol"])
    return {
        "sc": sc,
        "data": sc.scm.sample(300, 0),
        "exp": exp,
        "before": exp.test_sample(),
        "after": exp.test_sample(tylenol),
        "results": exp.evaluate({"Tylenol": tylenol}),
        "sweep": strength_sweep(exp, tylenol, strengths=[0.0, 0.5, 1.0]),
        "model": next(m for m in exp.models if m.family == "linear"),
        "linear": [m for m in exp.models if m.family == "linear"],
    }


def _subsets(names: list[str], value: Callable[[frozenset[str]], float]) -> dict:
    sets = [frozenset(c for k, c in enumerate(names) if m >> k & 1) for m in range(2 ** len(names))]
    return {s: value(s) for s in sets}


def _pvalues() -> pd.DataFrame:
    rows = [(s, name, 10 ** (-3 * s * (i + 1))) for i, name in enumerate("ab") for s in (0, 0.5, 1)]
    return pd.DataFrame(rows, columns=["strength", "set", "pvalue"])


def _ood() -> pd.DataFrame:
    rows = [
        (m, k, s, 1 + i * s)
        for i, (m, k) in enumerate([("pooled", "predictive"), ("ICP", "causal")])
        for s in (0, 0.5, 1)
    ]
    return pd.DataFrame(rows, columns=["model", "kind", "strength", "rmse"])


def _power(reps: bool) -> pd.DataFrame:
    rows = [(s, o, s / (i + 1), 40) for i, o in enumerate(["found", "wrong"]) for s in (0, 0.5, 1)]
    frame = pd.DataFrame(rows, columns=["strength", "outcome", "rate", "reps"])
    return frame if reps else frame.drop(columns="reps")


#: Every builder at the inputs the pages give it, and at each of its branches.
BUILDS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "correlation_heatmap": lambda w: charts.correlation_heatmap(w["data"], "Correlations"),
    "page_heatmap": lambda w: charts.page_heatmap(w["data"][["dose", "headache"]]),
    "scatter_matrix": lambda w: charts.scatter_matrix(
        w["data"], ["dose", "headache", "relief"], w["sc"].units, highlight="relief", max_points=100
    ),
    "scatter_matrix, no highlight": lambda w: charts.scatter_matrix(w["data"], ["dose", "relief"]),
    "predicted_vs_actual": lambda w: charts.predicted_vs_actual(
        w["before"]["relief"], w["model"].predict(w["before"]), "causal", "fit", "relief (points)"
    ),
    "predicted_vs_actual, after": lambda w: charts.predicted_vs_actual(
        w["before"]["relief"],
        w["model"].predict(w["before"]),
        "predictive",
        "",
        max_points=50,
        y_true_after=w["after"]["relief"],
        y_pred_after=w["model"].predict(w["after"]),
    ),
    "coefficient_plot": lambda w: charts.coefficient_plot(
        w["model"].coef_table(), w["model"].kind, "Coefficients"
    ),
    "per_sd_coefficients": lambda w: charts.per_sd_coefficients(w["model"], w["linear"], "relief"),
    "rmse_bars": lambda w: charts.rmse_bars(w["results"]),
    "error_vs_strength": lambda w: charts.error_vs_strength(w["sweep"], "Sweep"),
    "lattice_figure": lambda w: ip.lattice_figure(
        _subsets(FIVE, lambda s: 0.4 if len(s) == 2 else 1e-3), FIVE, 0.05, title="Sets"
    ),
    "lattice_figure, untested sets": lambda w: ip.lattice_figure(
        {frozenset(): 0.5}, ["a", "b"], 0.05
    ),
    "ranked_sets_figure": lambda w: ip.ranked_sets_figure(
        _subsets(FIVE, lambda s: 0.01 * len(s)), FIVE, 0.05
    ),
    "ranked_sets_figure, a table, all rejected": lambda w: ip.ranked_sets_figure(
        pd.DataFrame({"set": ["∅", "a"], "pvalue": [1e-6, 1e-7]}), ["a"], 0.05
    ),
    "pvalue_vs_strength": lambda w: ip.pvalue_vs_strength(_pvalues(), 0.05, at=0.8),
    "pvalue_vs_strength, no marker": lambda w: ip.pvalue_vs_strength(_pvalues(), 0.05),
    "ood_error_vs_strength": lambda w: ip.ood_error_vs_strength(_ood(), at=0.2, unit="points"),
    "ood_error_vs_strength, no marker": lambda w: ip.ood_error_vs_strength(_ood()),
    "power_curve": lambda w: ip.power_curve(_power(reps=True), alpha=0.05),
    "power_curve, no intervals": lambda w: ip.power_curve(_power(reps=False)),
    "environment_error_bars": lambda w: ip.environment_error_bars(w["results"], unit="points"),
}


@pytest.mark.parametrize("name", list(BUILDS))
def test_a_figure_is_plain_data_that_plotly_validates(world, name: str) -> None:
    assert_plain_and_valid(BUILDS[name](world))


def test_plain_and_copies_leave_the_figure_alone(world) -> None:
    fig = BUILDS["predicted_vs_actual, after"](world)
    before = repr(fig)
    sent = plain(fig)
    assert repr(fig) == before  # arrays encoded in the copy only
    assert "bdata" in sent["data"][1]["x"]
    changed = update_axes(copy_figure(fig), "x", {"title": {"text": "new"}})
    assert repr(fig) == before
    assert changed["data"][1]["x"] is fig["data"][1]["x"]  # arrays shared
    assert as_figure(fig).layout.xaxis.title.text == fig["layout"]["xaxis"]["title"]["text"]
