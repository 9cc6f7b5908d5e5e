"""Experiments: fit predictive and causal models, then intervene on the world.

Models are trained on an observational sample and tested on a fresh sample
("observational") and on samples drawn after interventions. Test samples share
the seed, so every test row is the same unit before and after the
intervention: what changes is only what the intervention changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lib.fitting.evaluation import (
    Roles,
    fit_models,
    model_specs,
    predict_arrays,
    score,
    score_predictions,
)
from lib.fitting.models import Model, ModelSpec
from lib.world.interventions import Intervention
from lib.world.scenarios import Scenario

__all__ = [
    "OBSERVATIONAL",
    "Experiment",
    "compare_models",
    "default_model_specs",
    "ratio_table",
    "run_experiment",
    "strength_sweep",
]

#: Name of the test without intervention; always included.
OBSERVATIONAL = "observational"


def default_model_specs(sc: Scenario) -> list[ModelSpec]:
    """The lab's model set for a world (:func:`lib.fitting.evaluation.model_specs`)."""
    return model_specs(Roles.from_scenario(sc))


@dataclass
class Experiment:
    """Fitted models and the data they were trained on.

    Attributes
    ----------
    scenario : Scenario
    n, seed : int
    train : pandas.DataFrame
        The observational training sample (seed ``seed``).
    models : list of Model
        Fitted, predictive first.
    """

    scenario: Scenario
    n: int
    seed: int
    train: pd.DataFrame
    models: list[Model]

    def test_sample(self, interventions: Iterable[Intervention] = ()) -> pd.DataFrame:
        """A held-out sample (seed ``seed + 1``), optionally after interventions."""
        return self.scenario.scm.sample(self.n, self.seed + 1, tuple(interventions))

    def outside_range(self, test: pd.DataFrame) -> dict[str, float]:
        """Per feature, the share of ``test``'s rows outside the range seen in training.

        Trees predict flat beyond that range and a fitted line extrapolates:
        the explanation of an intervention says so when it matters.
        """
        out = {}
        for f in self.scenario.features:
            lo, hi = float(self.train[f].min()), float(self.train[f].max())
            x = test[f].to_numpy()
            out[f] = float(np.mean((x < lo) | (x > hi))) if len(x) else 0.0
        return out

    def evaluate(self, tests: Mapping[str, Iterable[Intervention]] | None = None) -> pd.DataFrame:
        """Every model's error on the observational test and on each named test.

        Returns
        -------
        pandas.DataFrame
            Columns ``model, kind, features, test, rmse, r2``.
        """
        datasets = {OBSERVATIONAL: self.test_sample()}
        for name, ivs in (tests or {}).items():
            if name != OBSERVATIONAL:
                datasets[name] = self.test_sample(ivs)
        return score(self.models, datasets)


def run_experiment(
    sc: Scenario,
    n: int = 2000,
    seed: int = 0,
    models: Sequence[ModelSpec] | None = None,
    *,
    train: pd.DataFrame | None = None,
) -> Experiment:
    """Sample ``n`` observational rows with ``seed`` and fit the models.

    Parameters
    ----------
    sc : Scenario
    n : int
        Training (and test) rows.
    seed : int
    models : sequence of ModelSpec, optional
        Defaults to :func:`default_model_specs`.
    train : pandas.DataFrame, optional
        The training sample when it is already drawn: ``sc.scm.sample(n, seed)``
        (a cache's copy, which the page showing the data shares). Never modified.
    """
    if train is None:
        train = sc.scm.sample(n, seed)
    elif len(train) != n:
        raise ValueError(f"the training sample has {len(train)} rows, not n = {n}.")
    specs = list(models) if models is not None else default_model_specs(sc)
    fitted = fit_models(specs, train, sc.target)
    return Experiment(sc, n, seed, train, fitted)


def compare_models(
    sc: Scenario,
    n: int = 5000,
    seed: int = 0,
    tests: Mapping[str, Iterable[Intervention]] | None = None,
    models: Sequence[ModelSpec] | None = None,
) -> pd.DataFrame:
    """Fit predictive and causal models and test them under interventions.

    Parameters
    ----------
    sc : Scenario
    n : int
        Rows for training and for each test.
    seed : int
    tests : mapping of str to interventions, optional
        E.g. ``{"Tylenol": sc.presets["Tylenol"]}``. The test "observational"
        (a fresh sample, no intervention) is always included.
    models : sequence of ModelSpec, optional

    Returns
    -------
    pandas.DataFrame
        Columns ``model, kind, features, test, rmse, r2``.
    """
    return run_experiment(sc, n, seed, models).evaluate(tests)


def strength_sweep(
    experiment: Experiment,
    interventions: Sequence[Intervention],
    strengths: Sequence[float] | None = None,
    *,
    known: Mapping[float, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Each model's error as the interventions go from none (0) to full (1).

    Parameters
    ----------
    experiment : Experiment
        Fitted models (from :func:`run_experiment`).
    interventions : sequence of Intervention
        Applied at each strength with :meth:`Intervention.with_strength`.
    strengths : sequence of float, optional
        Defaults to 0, 0.1, ..., 1.
    known : mapping of float to DataFrame, optional
        Predictions already made at some of the strengths (the target's column and
        one column per model, as :func:`lib.fitting.evaluation.predict_all` makes
        them, on :meth:`Experiment.test_sample` at that strength): a page passes
        the observational test's (strength 0, where every intervention leaves its
        node's mechanism as it is) and the full intervention's (strength 1), which
        it has already made, and only the other strengths are drawn and predicted.

    Returns
    -------
    pandas.DataFrame
        Columns ``model, kind, strength, rmse, r2``.
    """
    grid = np.linspace(0.0, 1.0, 11) if strengths is None else np.asarray(strengths, dtype=float)
    known = known or {}
    datasets = {
        f"{i}": experiment.test_sample([iv.with_strength(float(s)) for iv in interventions])
        for i, s in enumerate(grid)
        if float(s) not in known
    }
    if known:
        made: Mapping[str, Any] = predict_arrays(experiment.models, datasets) if datasets else {}
        predicted = {
            f"{i}": known[float(s)] if float(s) in known else made[f"{i}"]
            for i, s in enumerate(grid)
        }
        table = score_predictions(experiment.models, predicted)
    else:
        table = score(experiment.models, datasets)
    table["strength"] = grid[table["test"].astype(int).to_numpy()]
    return table[["model", "kind", "strength", "rmse", "r2"]].reset_index(drop=True)


def ratio_table(results: pd.DataFrame, test: str, before: str = OBSERVATIONAL) -> pd.DataFrame:
    """Per model: its kind, its error before and after a test, and their ratio.

    The one before/after table of the lab: the Interventions page's metrics, a
    lesson's answer and the Attribution page's experiment all read it.

    Parameters
    ----------
    results : pandas.DataFrame
        Scores with the columns ``model, kind, test, rmse`` (as :func:`compare_models`
        or :func:`lib.fitting.evaluation.score` give them).
    test : str
        The test after the change (an intervention's name).
    before : str, optional
        The test before it (default the observational one).

    Returns
    -------
    pandas.DataFrame
        Columns ``model, kind, before, after, ratio`` (``ratio = after / before``),
        one row per model of the ``before`` test in its order; ``after`` is NaN for a
        model the ``test`` did not score.
    """
    first = results[results["test"] == before].set_index("model")
    after = results[results["test"] == test].set_index("model")
    out = pd.DataFrame(
        {
            "kind": first["kind"],
            "before": first["rmse"],
            "after": after["rmse"].reindex(first.index),
        }
    )
    out["ratio"] = out["after"] / out["before"]
    return out.reset_index()
