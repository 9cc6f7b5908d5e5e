"""What the Invariance page shows, worked out without Streamlit.

Three linear models are compared on environments none of them was fitted on:

* the **pooled** regression on every feature (a predictive model: it uses any
  clue, spurious ones included),
* the **ICP** model: a regression on the predictors Invariant Causal Prediction
  names as causes (:func:`lib.invariance.engine.icp`), and
* the **oracle**: a regression on the true causal parents (known in a simulated
  world; the parents the user declared for a table).

Besides the errors, this module makes the per-predictor table, the nonlinear
example's world and where the sweeps' sliders start. The page's sentences are
:mod:`lib.words.invariance`'s; the environments composer's rows are
:mod:`lib.ui.composer`'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

import pandas as pd

from lib.errors import DataError
from lib.fitting.evaluation import fit_models, leave_one_environment_out, score
from lib.fitting.models import ModelSpec
from lib.invariance.engine import ICPResult, icp
from lib.invariance.sweeps import set_rows
from lib.text.escape import code_list
from lib.world.environments import Environment
from lib.world.interventions import Intervention
from lib.world.scenarios import SCENARIO_DIR, Scenario, scenario_from_toml

__all__ = [
    "DECLARED",
    "ICP_MODEL",
    "LOEO_RERUN_WORK",
    "NONLINEAR_FILE",
    "NONLINEAR_SHIFT_SDS",
    "ORACLE",
    "POOLED",
    "bend_start",
    "comparison_models",
    "NO_INTERVENTION_WORLD",
    "environment_errors",
    "ICP_NONE",
    "fresh_errors",
    "fresh_worlds",
    "icp_loeo",
    "loeo_work",
    "nonlinear_scenario",
    "predictor_table",
    "sweep_start",
]

#: Model names, as the page's charts and tables show them.
POOLED = "Pooled · all features"
ICP_MODEL = "ICP · its causes"
ORACLE = "Oracle · known causes"
DECLARED = "Declared causes"


def comparison_models(
    all_features: Sequence[str],
    icp_set: Sequence[str] | frozenset[str],
    parents: Sequence[str] | None,
    *,
    parents_name: str = ORACLE,
) -> list[ModelSpec]:
    """The pooled, ICP and oracle models (linear, :class:`~lib.fitting.models.ModelSpec`), in that order.

    Parameters
    ----------
    all_features : sequence of str
        Inputs of the pooled model (its order is kept for the other two).
    icp_set : collection of str
        ICP's estimated causes (may be empty).
    parents : sequence of str or None
        The true (or declared) parents; ``None`` leaves the oracle out.
    parents_name : str
        The oracle's name (``"Declared causes"`` for a table).
    """
    order = {f: i for i, f in enumerate(all_features)}

    def ordered(names: Sequence[str] | frozenset[str]) -> tuple[str, ...]:
        return tuple(sorted(names, key=lambda f: (order.get(f, len(order)), f)))

    out = [
        ModelSpec(POOLED, "predictive", tuple(all_features)),
        ModelSpec(ICP_MODEL, "causal", ordered(icp_set)),
    ]
    if parents is not None:
        out.append(ModelSpec(parents_name, "causal", ordered(parents)))
    return out


#: The observational world's name among the fresh worlds when no environment is it (not
#: "observational", which the bar charts always put first).
NO_INTERVENTION_WORLD = "no intervention"


def fresh_worlds(
    scenario: Scenario, envs: Sequence[Environment]
) -> tuple[dict[str, tuple[Intervention, ...]], dict[str, tuple[Intervention, ...]]]:
    """The worlds the Invariance page tests its models on: those in ICP's data, and new ones.

    Returns
    -------
    (dict, dict)
        Each environment by its name, with its interventions (the worlds in the
        data); then every world no environment is: the observational one
        (:data:`NO_INTERVENTION_WORLD`) and each preset at full strength, by its
        name (with " (preset)" when an environment has that name).
    """
    seen = {e.name: tuple(e.interventions) for e in envs}
    new: dict[str, tuple[Intervention, ...]] = {}
    worlds = {NO_INTERVENTION_WORLD: (), **{k: tuple(v) for k, v in scenario.presets.items()}}
    for name, ivs in worlds.items():
        if any(ivs == had for had in seen.values()):
            continue
        new[f"{name} (preset)" if name in seen else name] = ivs
    return seen, new


#: The ICP model's name when ICP names no cause (it has no input: it predicts the average).
ICP_NONE = "ICP · names nothing: the average"


def fresh_errors(
    scenario: Scenario,
    train: pd.DataFrame,
    envs: Sequence[Environment],
    causes: frozenset[str],
    seed: int,
) -> tuple[pd.DataFrame, tuple[str, ...], tuple[str, ...]]:
    """The pooled model and ICP's, fitted on ``train``, on fresh samples of every world.

    The worlds are :func:`fresh_worlds`'s (the environments, then the new ones),
    each sampled anew (seeds ``seed + 1``, ``seed + 2``, …) with as many rows as
    the largest environment. ICP's model is named :data:`ICP_NONE` when
    ``causes`` is empty.

    Returns
    -------
    (pandas.DataFrame, tuple of str, tuple of str)
        :func:`environment_errors`'s rows, and the worlds in the data and the new ones.
    """
    seen, new = fresh_worlds(scenario, envs)
    rows = max(e.n for e in envs)
    worlds = {**seen, **new}
    tests = {
        name: scenario.scm.sample(rows, seed + 1 + i, ivs)
        for i, (name, ivs) in enumerate(worlds.items())
    }
    models = comparison_models(scenario.features, causes, None)
    if not causes:
        models[1] = ModelSpec(ICP_NONE, models[1].kind, ())
    return environment_errors(train, tests, scenario.target, models), tuple(seen), tuple(new)


def environment_errors(
    train: pd.DataFrame,
    tests: Mapping[str, pd.DataFrame],
    target: str,
    models: Sequence[ModelSpec],
) -> pd.DataFrame:
    """Fit on ``train``, then the error of every model on every test environment.

    Parameters
    ----------
    train : pandas.DataFrame
        The pooled training data.
    tests : mapping of str to pandas.DataFrame
        Environment name -> its rows (never seen in fitting).
    target : str
    models : sequence of ModelSpec

    Returns
    -------
    pandas.DataFrame
        Columns ``model, kind, family, features, test, rmse, r2, n_test``, one
        row per model × environment (environments in the order given). The layout of
        :func:`lib.fitting.evaluation.score`, so :func:`lib.figures.charts.rmse_bars`
        draws it.

    Raises
    ------
    DataError
        When a model cannot be fitted or a prediction is not finite.
    """
    if not tests:
        raise DataError("there is no held-out environment to test on.")
    if target not in train.columns:
        raise DataError(f"the data has no column `{target}`.")
    return score(fit_models(models, train, target), tests)


#: Most work (:func:`loeo_work`) for which :func:`icp_loeo` reruns
#: ICP without each held-out environment: a second or two (10 environments and 14
#: candidates: 1.5 s; 10 sites and 20 candidates took 50 s, 100 environments 11 s).
LOEO_RERUN_WORK = 2**21


def loeo_work(n_environments: int, n_candidates: int) -> float:
    """The cost of rerunning ICP once per held-out environment, in set tests.

    Each of the ``E`` runs sees ``E - 1`` environments and tests ``2^p`` sets
    against each; comparing each environment with the rest also costs about
    as much as 25 set tests per pair of environments (measured: 100
    environments and 3 candidates took 11 s, as long as 10 and 14 would).
    """
    e, p = float(n_environments), min(n_candidates, 60)
    return e * (e - 1) * (2.0**p + 25 * (e - 1))


def icp_loeo(
    df: pd.DataFrame,
    target: str,
    environment: str,
    candidates: Sequence[str],
    parents: Sequence[str] | None,
    alpha: float = 0.05,
    *,
    full_icp: frozenset[str] | None = None,
    rerun_icp: bool | None = None,
) -> tuple[pd.DataFrame, str]:
    """Each environment in turn held out: fit on the others, predict it.

    With at least three environments, ICP is run again on the environments
    left in (so the held-out one plays no part in choosing the ICP model's
    inputs). With two, ICP cannot run on one environment, so ``full_icp``
    (ICP on all the data) is used and the note says so. Rerunning costs about
    ``E² · 2^p`` set tests for ``E`` environments and ``p`` candidates; beyond
    :data:`LOEO_RERUN_WORK` (about a second) ``full_icp`` is used too, and
    the note says so.

    Parameters
    ----------
    df : pandas.DataFrame
        Rows of every environment; numeric target and candidates without
        missing values.
    target, environment : str
    candidates : sequence of str
        The pooled model's inputs and ICP's candidates.
    parents : sequence of str or None
        Declared causes (the third model), or ``None``.
    alpha : float
    full_icp : frozenset of str, optional
        ICP's set on all the data (needed with two environments).
    rerun_icp : bool, optional
        Force (True) or forbid (False) rerunning ICP without each held-out
        environment; by default, rerun when the work is within
        :data:`LOEO_RERUN_WORK`.

    Returns
    -------
    (pandas.DataFrame, str)
        The rows of :func:`environment_errors` for every held-out environment
        (``test`` is the environment's label as text), and a note for the page
        ("" when there is nothing to add).

    Raises
    ------
    DataError
        For fewer than two environments, or a fit that cannot be made.
    """
    labels = list(pd.unique(df[environment].dropna()))
    if len(labels) < 2:
        raise DataError(
            f"the column `{environment}` holds fewer than two environments: nothing can be "
            f"held out."
        )
    note = ""
    failed: list[str] = []
    if rerun_icp is None:
        rerun_icp = loeo_work(len(labels), len(candidates)) <= LOEO_RERUN_WORK
    if len(labels) >= 3 and not rerun_icp:
        note = (
            f"With {len(candidates)} candidates and {len(labels)} environments, rerunning ICP "
            f"without each held-out environment would test about "
            f"{loeo_work(len(labels), len(candidates)):,.0f} sets, so the ICP model uses the "
            f"set found on all the data: its held-out error is a little optimistic."
        )
    if len(labels) < 3:
        note = (
            "With two environments ICP cannot be run on one alone, so the ICP model "
            "uses the set found on both: its held-out error is a little optimistic."
        )
    fallback = full_icp if full_icp is not None else frozenset()

    def models_for(label: object, train: pd.DataFrame) -> list[ModelSpec]:
        """This round's models: ICP rerun without the held-out environment, when it can."""
        chosen = fallback
        if len(labels) >= 3 and rerun_icp:
            try:
                found = icp(train, target, environment, alpha, candidates=list(candidates))
                chosen = found.causal_predictors
            except DataError:
                failed.append(str(label))
        return comparison_models(candidates, chosen, parents, parents_name=DECLARED)

    out = leave_one_environment_out(df, target, environment, models_for, order=labels)
    if failed:
        note = (
            f"ICP could not run without {code_list(failed)}; the set found on all the data "
            f"was used there."
        )
    return out.drop(columns=["held_out", "n_train"]), note


# ----------------------------------------------------------------------------- ICP's table


def predictor_table(res: ICPResult) -> pd.DataFrame:
    """One row per candidate: in ICP's set, its p-value and confidence interval.

    Returns
    -------
    pandas.DataFrame
        Columns ``predictor, estimated cause, p-value, CI low, CI high``, ordered
        by p-value (strongest evidence first). The interval is the union over
        accepted sets of the coefficient's interval (NaN when no set is accepted).
    """
    rows = []
    for c in res.candidates:
        lo, hi = res.conf_int.get(c, (float("nan"), float("nan")))
        rows.append(
            {
                "predictor": c,
                "estimated cause": c in res.causal_predictors,
                "p-value": float(res.pvalues.get(c, float("nan"))),
                "CI low": float(lo),
                "CI high": float(hi),
            }
        )
    table = pd.DataFrame(
        rows, columns=["predictor", "estimated cause", "p-value", "CI low", "CI high"]
    )
    return table.sort_values("p-value", kind="stable").reset_index(drop=True)


# ----------------------------------------------------------------------------- nonlinear example

#: The file of a world whose mechanism saturates: a straight line fits it near the
#: usual doses and fails far from them.
NONLINEAR_FILE = SCENARIO_DIR / "examples" / "saturation.toml"
#: The nonlinear example's shift of the dose at full strength, in SDs.
NONLINEAR_SHIFT_SDS = 3.0


def nonlinear_scenario() -> Scenario:
    """The saturating world of the nonlinear example (see :data:`NONLINEAR_FILE`)."""
    return _nonlinear()


@lru_cache(maxsize=1)
def _nonlinear() -> Scenario:
    return scenario_from_toml(NONLINEAR_FILE)


# ----------------------------------------------------------------------------- where the sweeps' sliders start


def sweep_start(table: pd.DataFrame, alpha: float) -> float:
    """Where the sweep's slider starts: the strongest strength at which the set of every
    feature still passes when a stronger one rejects it (invariance checked too mildly);
    else the full intervention if it rejects the set, else the strength where that set's
    p-value is lowest."""
    every = set_rows(table, "all features")
    ok = [float(p) > alpha for p in every["pvalue"]]
    strengths = [float(s) for s in every["strength"]]
    if ok[0] and not all(ok):
        return strengths[ok.index(False) - 1]
    last = every.iloc[-1]
    if float(last["pvalue"]) <= alpha:
        return float(last["strength"])
    return float(every.loc[every["pvalue"].idxmin(), "strength"])


def bend_start(table: pd.DataFrame, alpha: float) -> float:
    """Where the nonlinear example's slider starts: the strongest shift at which the
    straight line still passes (else the mildest shift)."""
    rows = set_rows(table, "all features")
    passing = rows[rows["pvalue"] > alpha]
    if passing.empty:
        return float(rows["strength"].iloc[0])
    return float(passing["strength"].iloc[-1])
