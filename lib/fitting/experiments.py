"""Experiments: fit predictive and causal models, then intervene on the world.

Models are trained on an observational sample and tested on a fresh sample
("observational") and on samples drawn after interventions. Test samples share
the seed, so every test row is the same unit before and after the
intervention: what changes is only what the intervention changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from lib.fitting.models import Model, ModelSpec, r2_score, rmse
from lib.world.causal import invariance_guaranteed
from lib.world.interventions import Intervention, describe_all
from lib.world.scenarios import Scenario

__all__ = [
    "OBSERVATIONAL",
    "code_list",
    "Experiment",
    "compare_models",
    "default_model_specs",
    "explain_outcome",
    "run_experiment",
    "score_table",
    "strength_sweep",
]

#: Name of the test without intervention; always included.
OBSERVATIONAL = "observational"
#: An error ratio at or above this is "broke"; at or below HELD_RATIO "held".
BROKE_RATIO = 1.5
HELD_RATIO = 1.15


def default_model_specs(sc: Scenario) -> list[ModelSpec]:
    """Two predictive models (all features) and two causal ones (causes only)."""
    allf, causal = tuple(sc.features), tuple(sc.causal_features)
    specs = [
        ModelSpec("Linear · all features", "predictive", allf, "linear"),
        ModelSpec("Trees · all features", "predictive", allf, "trees"),
    ]
    if causal:
        specs += [
            ModelSpec("Linear · causes only", "causal", causal, "linear"),
            ModelSpec("Trees · causes only", "causal", causal, "trees"),
        ]
    return specs


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
        return _score_table(self.models, datasets)


def score_table(models: Sequence[Model], predictions: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Every model's error on every test, from predictions already made.

    Parameters
    ----------
    models : sequence of Model
    predictions : mapping of str to DataFrame
        Test name -> a frame with the actual target column and one column of
        predictions per model name.

    Returns
    -------
    pandas.DataFrame
        Columns ``model, kind, features, test, rmse, r2``.
    """
    rows = []
    for test, df in predictions.items():
        for m in models:
            y = df[m.target].to_numpy()
            pred = df[m.name].to_numpy()
            rows.append(
                {
                    "model": m.name,
                    "kind": m.kind,
                    "features": ", ".join(m.features),
                    "test": test,
                    "rmse": rmse(y, pred),
                    "r2": r2_score(y, pred),
                }
            )
    return pd.DataFrame(rows, columns=["model", "kind", "features", "test", "rmse", "r2"])


def _score_table(models: Sequence[Model], datasets: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Score every model on every dataset, predicting all rows in one call per model."""
    names = list(datasets)
    everything = pd.concat([datasets[k] for k in names], ignore_index=True)
    predicted = {m.name: m.predict_finite(everything) for m in models}
    bounds = np.cumsum([0, *(len(datasets[k]) for k in names)])
    predictions = {}
    for name, start, stop in zip(names, bounds[:-1], bounds[1:], strict=True):
        frame = {m.target: everything[m.target].to_numpy()[start:stop] for m in models}
        frame.update({m.name: predicted[m.name][start:stop] for m in models})
        predictions[name] = pd.DataFrame(frame)
    return score_table(models, predictions)


def run_experiment(
    sc: Scenario, n: int = 2000, seed: int = 0, models: Sequence[ModelSpec] | None = None
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
    """
    train = sc.scm.sample(n, seed)
    specs = list(models) if models is not None else default_model_specs(sc)
    fitted = [spec.build(sc.target).fit(train) for spec in specs]
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

    Returns
    -------
    pandas.DataFrame
        Columns ``model, kind, strength, rmse, r2``.
    """
    grid = np.linspace(0.0, 1.0, 11) if strengths is None else np.asarray(strengths, dtype=float)
    datasets = {
        f"{i}": experiment.test_sample([iv.with_strength(float(s)) for iv in interventions])
        for i, s in enumerate(grid)
    }
    table = _score_table(experiment.models, datasets)
    table["strength"] = grid[table["test"].astype(int).to_numpy()]
    return table[["model", "kind", "strength", "rmse", "r2"]].reset_index(drop=True)


def code_list(names: Sequence[str]) -> str:
    """``a``, ``b`` and ``c`` — names as inline code, joined for a sentence."""
    items = [f"`{n}`" for n in names]
    if len(items) <= 1:
        return "".join(items) or "nothing"
    return ", ".join(items[:-1]) + " and " + items[-1]


def explain_outcome(
    sc: Scenario,
    results: pd.DataFrame,
    test: str,
    interventions: Sequence[Intervention],
) -> str:
    """Plain sentences saying what happened under a test, and why.

    Parameters
    ----------
    sc : Scenario
    results : pandas.DataFrame
        From :func:`compare_models` / :meth:`Experiment.evaluate`; must hold the
        observational test and ``test``.
    test : str
        The name of the intervention test.
    interventions : sequence of Intervention
        What was done in ``test``.

    Returns
    -------
    str
        Markdown, a few sentences.
    """
    obs = results[results["test"] == OBSERVATIONAL].set_index("model")
    after = results[results["test"] == test].set_index("model")
    ratio = (after["rmse"] / obs["rmse"]).to_dict()
    kinds = obs["kind"].to_dict()
    feats = {m: [f.strip() for f in obs.loc[m, "features"].split(",")] for m in obs.index}

    # Edges before and after: a replaced mechanism may read new parents.
    graph = nx.compose(sc.scm.original_graph, sc.scm.intervene(*interventions).graph)
    changed = list(dict.fromkeys(iv.node for iv in interventions))
    affected = set(changed)
    for node in changed:
        affected |= nx.descendants(graph, node)
    target = sc.target
    target_changed = target in changed
    target_moved = target in affected

    def verdict(model: str) -> str:
        return f"**{model}** ×{ratio[model]:.2f}"

    hidden = [c for c in changed if c not in sc.scm.observed]
    headline = getattr(interventions, "description", "") or describe_all(interventions)
    strengths = {iv.strength for iv in interventions}
    if headline != describe_all(interventions) and strengths != {1.0}:
        # the story's description is of the full intervention: say what was done
        headline = f"{headline}; here at partial strength: {describe_all(interventions)}"
    lines = [f"**{test}** — {headline}."]
    if all(iv.strength == 0 for iv in interventions):
        lines.append("At strength 0 nothing changes: every model's error is what it was.")
        return "\n\n".join(lines)
    if target_changed:
        lines.append(
            f"This acts on `{target}` itself, so no model's inputs can foresee it: no model "
            f"is protected, and how far each one drifts depends on what it learned."
        )
    for m in ratio:
        r = ratio[m]
        safe = invariance_guaranteed(graph, changed, target, feats[m])
        moved = [f for f in feats[m] if f in affected]
        spurious = [f for f in moved if f not in sc.causal_features]
        trees = "trees" in m.lower()
        if r >= BROKE_RATIO and safe:
            why = (
                f"its inputs ({code_list(moved)}) moved beyond the range it was trained on, "
                "and trees predict flat there"
                if trees
                else f"its inputs ({code_list(moved)}) moved into a range its fitted shape "
                "does not describe"
            )
            lines.append(f"{verdict(m)} error, although the mechanism it needs held: {why}.")
        elif r >= BROKE_RATIO:
            if target_changed:
                why = f"the mechanism of `{target}` changed"
            elif spurious and not target_moved:
                why = (
                    f"it relied on {code_list(spurious)}, which the intervention changed "
                    f"without changing `{target}`"
                )
            elif spurious:
                why = (
                    f"it relied on {code_list(spurious)}, whose relation to `{target}` the "
                    f"intervention changed"
                )
            elif hidden:
                why = (
                    f"the intervention acts on {code_list(hidden)}, which no model observes "
                    f"directly, so what it learned about how its inputs "
                    f"({code_list(feats[m])}) go with {code_list(hidden)} no longer holds"
                )
            else:
                why = f"the intervention changed how its inputs relate to `{target}`"
            lines.append(f"{verdict(m)} error: {why}.")
        elif r <= HELD_RATIO and safe:
            lines.append(
                f"{verdict(m)} — held, as the graph guarantees: the intervention leaves "
                f"the mechanisms linking {code_list(feats[m])} to `{target}` untouched."
            )
        elif r <= HELD_RATIO and target_changed:
            lines.append(
                f"{verdict(m)} — held here, although the intervention acts on `{target}` "
                f"itself: this change happened not to matter much for it."
            )
        elif r <= HELD_RATIO and spurious and not target_moved:
            lines.append(
                f"{verdict(m)} — held here, although it uses {code_list(spurious)}, which "
                f"the intervention changed: this change happened not to move its "
                f"predictions much. Nothing guarantees that for a stronger one."
            )
        elif r <= HELD_RATIO:
            lines.append(
                f"{verdict(m)} — held here, but nothing guarantees it: the intervention "
                f"also reaches `{target}` in a way its inputs do not fully capture."
            )
        else:
            lines.append(f"{verdict(m)} — degraded somewhat.")
    causal_broke = [m for m in ratio if ratio[m] >= BROKE_RATIO and kinds[m] == "causal"]
    if causal_broke and not target_changed and hidden:
        lines.append(
            "Invariance depends on *which* intervention: a model of causes is invariant "
            "under interventions that leave the mechanisms between its inputs and the "
            "target untouched, not under every intervention."
        )
    return "\n\n".join(lines)
