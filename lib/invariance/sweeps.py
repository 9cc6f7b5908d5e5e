"""How ICP's verdicts and the models' errors change as an intervention grows.

:func:`invariance_sweep` and :func:`icp_power` make the Invariance page's two
lessons measurable: invariance is only ever checked under the interventions
made, at the strengths made, and ICP's power to find the causes grows with how
strongly the environments differ.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

import networkx as nx
import pandas as pd

from lib.errors import DataError, ScenarioError, did_you_mean
from lib.fitting.evaluation import fit_models
from lib.fitting.models import ModelSpec
from lib.fitting.scores import rmse
from lib.invariance.engine import icp
from lib.world.environments import (
    ENV_COLUMN,
    Environment,
    check_environments,
    default_environments,
    environment_sample,
    pooled_sample,
    stack_environments,
)
from lib.world.interventions import Intervention, Shift
from lib.world.scenarios import Scenario

__all__ = [
    "POWER_SECONDS",
    "SWEEP_COLUMNS",
    "icp_power",
    "invariance_sweep",
    "invariance_sweeps",
    "set_rows",
    "visible_causes",
]


def visible_causes(scenario: Scenario) -> frozenset[str]:
    """The target's causes that ICP can see: its direct causes once hidden steps are skipped.

    A feature counts when a directed path leads from it to the target through
    nodes that are not features (hidden ones, say): L-DOPA's ``dose`` acts on
    ``relief`` through the hidden ``dopamine``. A feature whose effect passes
    through another feature does not (that feature screens it off, so some
    invariant set does without it). With every direct cause observed, these are
    the target's parents among the features
    (:func:`lib.world.environments.true_parents`).
    """
    graph = scenario.scm.original_graph
    target = scenario.target
    features = set(scenario.features)
    through = graph.subgraph([n for n in graph.nodes if n not in features])
    found = set()
    for f in features:
        for child in graph.successors(f):
            if child == target or (child in through and nx.has_path(through, child, target)):
                found.add(f)
                break
    return frozenset(found)


def _resolve(
    scenario: Scenario,
    node_or_preset: str | Intervention | Sequence[Intervention],
    shift_sds: float,
) -> tuple[str, tuple[Intervention, ...]]:
    if isinstance(node_or_preset, Intervention):
        return node_or_preset.label, (node_or_preset,)
    if isinstance(node_or_preset, str):
        if node_or_preset in scenario.presets:
            return node_or_preset, tuple(scenario.presets[node_or_preset])
        if node_or_preset in scenario.scm.nodes:
            sd = float(scenario.scm.sample(2000, 0)[node_or_preset].std())
            delta = shift_sds * (sd if sd > 0 else 1.0)
            return f"shift {node_or_preset}", (Shift(node_or_preset, round(delta, 6)),)
        options = [*scenario.presets, *scenario.scm.nodes]
        raise ScenarioError(
            f"`{node_or_preset}` is neither a preset nor a node of `{scenario.id}`"
            f"{did_you_mean(node_or_preset, options) or '.'}"
        )
    ivs = tuple(node_or_preset)
    if not ivs or not all(isinstance(iv, Intervention) for iv in ivs):
        raise ScenarioError("give a preset name, a node name or a list of interventions.")
    return "; ".join(iv.label for iv in ivs), ivs


def _strengths(strengths: Sequence[float]) -> list[float]:
    out = [float(s) for s in strengths]
    if not out:
        raise DataError("give at least one strength.")
    for s in out:
        if not math.isfinite(s) or not 0.0 <= s <= 1.0:
            raise DataError(f"strengths must be between 0 and 1, not {s:g}.")
    return out


def invariance_sweep(
    scenario: Scenario,
    base_envs: Sequence[Environment],
    node_or_preset: str | Intervention | Sequence[Intervention],
    strengths: Sequence[float],
    *,
    n: int = 1000,
    seed: int = 0,
    alpha: float = 0.05,
    test_strength: float | None = None,
    shift_sds: float = 3.0,
    steps: Sequence[float] = (1.0,),
) -> pd.DataFrame:
    """How ICP's verdicts and each model's error change as one intervention grows.

    For each strength ``s``, the training data pool ``base_envs`` with one more
    environment, ``"shifted"``, in which the intervention acts at strength
    ``s`` (``n`` rows) — or, with several ``steps``, one environment per step
    ``f`` with the intervention at strength ``f·s`` (e.g. ``steps=(0.5, 1)``:
    half and full). ICP runs on the scenario's features; three linear
    models are fitted on the pooled data and scored on a fresh held-out
    environment with the intervention at ``test_strength`` (default: ``s``).

    Parameters
    ----------
    scenario : Scenario
    base_envs : sequence of Environment
        The environments that do not change (e.g. ``[Environment("observational")]``).
    node_or_preset : str, Intervention or sequence of Intervention
        A preset name, a list of interventions, or a node name (a shift of the
        node by ``shift_sds`` of its observational standard deviations at
        strength 1).
    strengths : sequence of float
        Between 0 (no change) and 1 (the full intervention).
    n : int
        Rows of each shifted environment and of the held-out test environment.
    seed : int
    alpha : float
        ICP's level.
    test_strength : float, optional
        Strength of the intervention in the test environment; default: the
        training strength.
    shift_sds : float
        Size of a node shift at strength 1, in standard deviations.
    steps : sequence of float
        Fractions (0 to 1) of each strength at which the shifted environments
        act, one environment per step, named ``"shifted"`` for a single step
        and ``"shifted ×f"`` otherwise (e.g. ``"shifted ×0.5"``).

    Returns
    -------
    pandas.DataFrame
        Three rows per strength, ``set`` in ``"all features"`` (the pooled
        predictive model's inputs: the spurious set when it holds a
        non-cause), ``"causal parents"`` (the target's causes ICP can see:
        :func:`visible_causes`) and ``"ICP estimate"`` (the intersection of accepted
        sets). Columns ``strength, set, features`` (comma-joined, "" for
        none), ``pvalue`` (ICP's p-value of that set; NaN for the ICP estimate
        when no set is accepted), ``accepted`` (p > alpha; for the ICP
        estimate: whether any set was accepted), ``rmse`` (out-of-distribution
        error of OLS on those features), ``n_accepted`` (sets accepted at that
        strength) and ``intervention`` (what was done, in words).
    """
    (table,) = invariance_sweeps(
        scenario,
        base_envs,
        node_or_preset,
        strengths,
        n=n,
        seed=seed,
        alpha=alpha,
        test_strengths=(test_strength,),
        shift_sds=shift_sds,
        steps=steps,
    )
    return table


#: Columns of :func:`invariance_sweep`'s table.
SWEEP_COLUMNS = [
    "strength",
    "set",
    "features",
    "pvalue",
    "accepted",
    "rmse",
    "n_accepted",
    "intervention",
]


def invariance_sweeps(
    scenario: Scenario,
    base_envs: Sequence[Environment],
    node_or_preset: str | Intervention | Sequence[Intervention],
    strengths: Sequence[float],
    *,
    n: int = 1000,
    seed: int = 0,
    alpha: float = 0.05,
    test_strengths: Sequence[float | None] = (None,),
    shift_sds: float = 3.0,
    steps: Sequence[float] = (1.0,),
) -> list[pd.DataFrame]:
    """:func:`invariance_sweep` at several test strengths, sharing what they share.

    One table per test strength (``None``: the training strength), each equal to
    :func:`invariance_sweep`'s with that ``test_strength``. The base environments are
    drawn once, and each strength's pooled sample, ICP run and fitted models serve every
    test strength; each test sample is drawn once per strength it is drawn at, and a set
    of features fitted once per strength (the ICP estimate is often the parents).
    """
    grid = _strengths(strengths)
    label, ivs = _resolve(scenario, node_or_preset, shift_sds)
    base = list(base_envs)
    if not base:
        raise DataError("give at least one base environment (e.g. the observational one).")
    fractions = _strengths(steps)
    if len(set(fractions)) != len(fractions):
        raise DataError("the steps must differ.")
    names = ["shifted"] if len(fractions) == 1 else [f"shifted ×{f:g}" for f in fractions]
    clash = sorted({e.name for e in base} & set(names))
    if clash:
        raise DataError(f"a base environment is called `{clash[0]}`; rename it.")
    tests = [None if t is None else float(t) for t in test_strengths]
    if not tests:
        raise DataError("give at least one test strength.")
    features = list(scenario.features)
    causes = visible_causes(scenario)
    parents = [f for f in features if f in causes]
    target = scenario.target
    scm = scenario.scm
    base_frames: list[pd.DataFrame] | None = None
    test_samples: dict[float, pd.DataFrame] = {}
    rows: list[list[dict]] = [[] for _ in tests]
    for s in grid:
        shifted = [
            Environment(name, tuple(iv.with_strength(f * s) for iv in ivs), n)
            for name, f in zip(names, fractions, strict=True)
        ]
        if base_frames is None:  # drawn once: they do not change with the strength
            check_environments(scm, [*base, *shifted])
            base_frames = [environment_sample(scm, e, seed) for e in base]
        frames = [*base_frames, *(environment_sample(scm, e, seed) for e in shifted)]
        train = stack_environments(scm, [*base, *shifted], frames)
        at = [s if t is None else t for t in tests]  # drawn before ICP runs, as always
        for ts in at:
            if ts not in test_samples:
                ivs_at = tuple(iv.with_strength(ts) for iv in ivs)
                test_samples[ts] = scm.sample(n, seed + 1, ivs_at)
        res = icp(train, target, ENV_COLUMN, alpha, candidates=features)
        estimate = [f for f in features if f in res.causal_predictors]
        strongest = shifted[fractions.index(max(fractions))]
        words = "; ".join(iv.describe() for iv in strongest.interventions) or "no intervention"
        sets = (
            ("all features", features, res.set_pvalues[frozenset(features)], None),
            ("causal parents", parents, res.set_pvalues[frozenset(parents)], None),
            (
                "ICP estimate",
                estimate,
                float("nan") if res.no_set_accepted else res.set_pvalues[frozenset(estimate)],
                not res.no_set_accepted,
            ),
        )
        models = {}
        for _, feats, _, _ in sets:
            if tuple(feats) not in models:
                spec = ModelSpec("sweep", "causal", tuple(feats))
                (models[tuple(feats)],) = fit_models([spec], train, target)
        for table, ts in zip(rows, at, strict=True):
            test = test_samples[ts]
            y = test[target].to_numpy(dtype=float)
            for name, feats, pv, acc in sets:
                table.append(
                    {
                        "strength": s,
                        "set": name,
                        "features": ", ".join(feats),
                        "pvalue": float(pv),
                        "accepted": bool(pv > alpha) if acc is None else acc,
                        "rmse": rmse(y, models[tuple(feats)].predict_finite(test)),
                        "n_accepted": len(res.accepted_sets),
                        "intervention": f"{label}: {words}",
                    }
                )
    return [pd.DataFrame(table, columns=SWEEP_COLUMNS) for table in rows]


def set_rows(table: pd.DataFrame, name: str) -> pd.DataFrame:
    """One set's rows of :func:`invariance_sweep`'s table, by increasing strength.

    Parameters
    ----------
    table : pandas.DataFrame
        The sweep's table.
    name : str
        The set: ``"all features"``, ``"causal parents"`` or another of its ``set`` values.

    Raises
    ------
    DataError
        When the table has no rows for the set.
    """
    rows = table[table["set"] == name].sort_values("strength", kind="stable")
    if rows.empty:
        raise DataError(f"the sweep has no rows for the set `{name}`.")
    return rows


#: Default bound on :func:`icp_power`'s running time, in seconds.
POWER_SECONDS = 20.0


def icp_power(
    scenario: Scenario,
    strengths: Sequence[float],
    reps: int,
    *,
    n: int = 500,
    seed: int = 0,
    alpha: float = 0.05,
    progress: Callable[[float], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    environments: Sequence[Environment] | None = None,
    max_seconds: float = POWER_SECONDS,
) -> pd.DataFrame:
    """Monte-Carlo power: how often ICP recovers the true parents, per strength.

    Each repetition samples the environments (by default
    :func:`default_environments`) with every intervention at strength ``s``
    and ``n`` rows each, runs ICP on the scenario's features, and compares
    its estimate with :func:`visible_causes` (the causes ICP can see).

    Parameters
    ----------
    scenario : Scenario
    strengths : sequence of float
        Between 0 and 1.
    reps : int
        Repetitions per strength (1 to 10 000).
    n : int
        Rows per environment.
    seed : int
        Repetition ``r`` uses seed ``seed + r`` at every strength (common
        random numbers: the curve is smoother than independent draws).
    alpha : float
    progress : callable, optional
        Called with the fraction of the planned repetitions done.
    cancel : callable, optional
        Checked between repetitions; stops early like the time bound.
    environments : sequence of Environment, optional
        Default: :func:`default_environments` of the scenario.
    max_seconds : float
        Time bound. Repetitions run round-robin over the strengths (one
        repetition at every strength, then the next), and no new round starts
        once ``max_seconds`` have passed, so every strength has the same
        number of repetitions and the total time is at most ``max_seconds``
        plus one round.

    Returns
    -------
    pandas.DataFrame
        One row per strength: ``strength, reps`` (repetitions done),
        ``exact`` (fraction with estimate == the visible causes), ``subset``
        (fraction with estimate ⊆ the visible causes: no false cause), ``empty``
        (fraction naming no parent), ``none_accepted`` (fraction with no set
        accepted), ``se_exact`` (binomial standard error of ``exact``) and
        ``stopped_early`` (True when the time bound or ``cancel`` cut the
        repetitions short).
    """

    grid = _strengths(strengths)
    if isinstance(reps, bool) or not isinstance(reps, int) or not 1 <= reps <= 10_000:
        raise DataError(f"reps must be a whole number from 1 to 10000, not {reps!r}.")
    envs = list(environments) if environments is not None else default_environments(scenario)
    if len(envs) < 2:
        raise DataError("a single environment where several are needed: ICP compares environments.")
    envs = [e.with_n(n) for e in envs]
    truth = visible_causes(scenario)
    features = list(scenario.features)
    counts = {s: {"exact": 0, "subset": 0, "empty": 0, "none": 0, "reps": 0} for s in grid}
    start = time.perf_counter()
    planned = reps * len(grid)
    done = 0
    stopped = False
    for r in range(reps):
        if r and (time.perf_counter() - start > max_seconds or (cancel is not None and cancel())):
            stopped = True
            break
        for s in grid:
            df = pooled_sample(scenario.scm, [e.with_strength(s) for e in envs], seed + r)
            res = icp(df, scenario.target, ENV_COLUMN, alpha, candidates=features)
            est = res.causal_predictors
            c = counts[s]
            c["reps"] += 1
            c["exact"] += est == truth
            c["subset"] += est <= truth
            c["empty"] += not est
            c["none"] += res.no_set_accepted
            done += 1
            if progress is not None:
                progress(done / planned)
    rows = []
    for s in grid:
        c = counts[s]
        k = max(c["reps"], 1)
        exact = c["exact"] / k
        rows.append(
            {
                "strength": s,
                "reps": c["reps"],
                "exact": exact,
                "subset": c["subset"] / k,
                "empty": c["empty"] / k,
                "none_accepted": c["none"] / k,
                "se_exact": math.sqrt(exact * (1 - exact) / k),
                "stopped_early": stopped,
            }
        )
    return pd.DataFrame(rows)
