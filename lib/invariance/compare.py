"""What the Invariance page shows, worked out without Streamlit.

Three linear models are compared on environments none of them was fitted on:

* the **pooled** regression on every feature (a predictive model: it uses any
  clue, spurious ones included),
* the **ICP** model: a regression on the predictors Invariant Causal Prediction
  names as causes (:func:`lib.invariance.engine.icp`), and
* the **oracle**: a regression on the true causal parents (known in a simulated
  world; the parents the user declared for a table).

Besides the errors, this module writes the page's sentences (the ICP verdict,
what "invariant" was checked under) and the per-predictor table, so that they
can be tested like the engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import networkx as nx
import pandas as pd

from lib.errors import DataError, ScenarioError
from lib.fitting.evaluation import fit_models, leave_one_environment_out, score
from lib.fitting.models import ModelSpec
from lib.invariance.engine import ICPResult, icp
from lib.text.escape import code_list, code_span
from lib.text.numbers import percent
from lib.world.environments import Environment, default_environments
from lib.world.interventions import Intervention, ScaleNoise, Shift
from lib.world.scenarios import SCENARIO_DIR, Scenario, scenario_from_toml

__all__ = [
    "ICP_MODEL",
    "ORACLE",
    "POOLED",
    "DECLARED",
    "comparison_models",
    "environment_errors",
    "icp_sentence",
    "icp_loeo",
    "LOEO_RERUN_WORK",
    "loeo_work",
    "local_sentence",
    "predictor_table",
    "NO_INTERVENTION",
    "NONLINEAR_SHIFT_SDS",
    "environment_rows",
    "environments_from_rows",
    "intervention_options",
    "new_row_defaults",
    "nonlinear_scenario",
    "spurious_preset",
    "starting_environments",
    "touches_target",
    "truth_sentence",
    "bend_sentence",
    "bend_start",
    "exposed",
    "held_out_caption",
    "set_sweep_sentence",
    "strength_runs",
    "sweep_caption",
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


# ----------------------------------------------------------------------------- sentences


def icp_sentence(res: ICPResult) -> str:
    """ICP's outcome in words (Markdown), one of three cases.

    * some predictor in every accepted set: "ICP's estimated causes of …";
    * no set accepted: the model is misspecified or hidden variables act;
    * accepted sets that share nothing: ICP cannot tell.
    """
    target = code_span(res.target)
    conf = f"{1 - res.alpha:.0%}"
    if res.no_set_accepted:
        return (
            f"**No set accepted:** every regression of {target} on these candidates changes "
            f"between environments. The model is misspecified (a nonlinear mechanism, an "
            f"intervention on {target} itself) or hidden variables act: ICP names no cause."
        )
    k = len(res.accepted_sets)
    accepted = "one set" if k == 1 else f"{k:,} sets"
    if not res.causal_predictors:
        return (
            f"**ICP cannot tell:** {accepted} of {len(res.set_pvalues):,} passed the invariance "
            f"test and they share no predictor, so ICP names no cause of {target}. The "
            f"environments did not shift enough to rule out the alternatives; that is not "
            f"evidence that nothing is a cause."
        )
    names = [c for c in res.candidates if c in res.causal_predictors]
    verb = "is" if len(names) == 1 else "are"
    them = "it" if len(names) == 1 else "them"
    passed = (
        f"The one set that passed the invariance test contains {them}"
        if k == 1
        else f"Each of the {k:,} sets that passed the invariance test contains {them}"
    )
    return (
        f"**ICP's estimated causes of {target}: {code_list(names)}.** {passed}; "
        f"with probability at least {conf}, {code_list(names)} {verb} among the causes of "
        f"{target} (if its mechanism is linear with additive noise and no environment "
        f"intervened on {target} itself)."
    )


def truth_sentence(sc: Scenario, causes: frozenset[str], envs: Sequence[Environment] = ()) -> str:
    """What only a simulation knows about the target's causes, beside ICP's verdict (Markdown).

    The observed direct causes when there are some. When every direct cause is
    hidden (ldopa's dopamine), ICP can still name a cause further up the chain
    (the dose) as long as no environment intervenes on a hidden cause; the
    sentence says which case the environments ``envs`` are in.
    """
    target = code_span(sc.target)
    graph = sc.scm.original_graph
    parents = [f for f in sc.features if graph.has_edge(f, sc.target)]
    head = "The truth, which only a simulation knows: "
    if parents:
        return f"{head}{target}'s observed direct causes are {code_list(parents)}."
    hidden = [p for p in graph.predecessors(sc.target) if p not in sc.features]
    text = f"{head}every direct cause of {target} is unobserved" + (
        f" ({code_list(hidden)})." if hidden else "."
    )
    hit = [e.name for e in envs if any(_touches(e.interventions, h) for h in hidden)]
    if hit:
        return (
            f"{text} {code_list(hit)} intervene{'s' if len(hit) == 1 else ''} on it: no "
            f"regression on the observed features stays the same there, so the best ICP can "
            f"do is name nothing."
        )
    ancestors = nx.ancestors(graph, sc.target)
    named = [f for f in sc.features if f in causes and f in ancestors]
    if named:
        verb = "is" if len(named) == 1 else "are"
        return (
            f"{text} {code_list(named)} {verb} still a cause: it acts on {target} through "
            f"{code_list(hidden) if hidden else 'hidden variables'}, which no environment here "
            f"intervenes on, so the regression on it is the same everywhere."
        )
    return (
        f"{text} ICP can then name a cause further up the chain, when the environments shift "
        f"it and leave the hidden causes alone; otherwise the best it can do is name nothing."
    )


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


def local_sentence(
    environments: Sequence[tuple[str, str]],
    *,
    target: str,
    strength: float | None = None,
    shifted: str | None = None,
) -> str:
    """What "invariant" was checked under: which interventions, how strong, which assumptions.

    Parameters
    ----------
    environments : sequence of (name, description)
        Each environment ICP saw and what was done in it ("" or "no
        intervention" for the observational one).
    target : str
    strength : float, optional
        The strength of the swept intervention, if any (0 to 1).
    shifted : str, optional
        The swept intervention's name.

    Returns
    -------
    str
        Markdown.
    """
    parts = []
    for name, what in environments:
        what = what.strip() or "no intervention"
        parts.append(f"{code_span(name)} ({what})")
    checked = "; ".join(parts) if parts else "no environment"
    text = f"Invariance was checked only across these environments: {checked}."
    if strength is not None and shifted:
        text += (
            f" The swept intervention, {code_span(shifted)}, is at {percent(strength)} of its "
            f"full strength."
        )
    text += (
        f" A set that looks invariant here may break under a stronger or a different "
        f"intervention. ICP assumes a linear mechanism for {code_span(target)} with additive "
        f"noise, no hidden cause of {code_span(target)} that the environments move, and no "
        f"intervention on {code_span(target)} itself."
    )
    return text


# ----------------------------------------------------------------------------- environments

#: The composer's option for an environment without intervention.
NO_INTERVENTION = "none (observational)"
#: How far a custom shift moves a node at full strength, in its standard deviations.
CUSTOM_SHIFT_SDS = 2.0
#: A custom noise scaling's factor at full strength.
CUSTOM_NOISE_FACTOR = 3.0
#: Columns of the environments composer.
ROW_COLUMNS = ["environment", "intervention", "strength", "rows"]


def _touches(env_ivs: Sequence[Intervention], node: str) -> bool:
    return any(iv.node == node for iv in env_ivs)


def starting_environments(sc: Scenario, n: int) -> tuple[list[Environment], list[str]]:
    """The composer's first environments, and the names of those left out.

    The scenario's declared environments (with their own sizes), else the
    observational world and one environment per preset with ``n`` rows
    (:func:`lib.world.environments.default_environments`). Environments that
    intervene on the target itself are left out: ICP assumes none does (the
    user can add them back). Each starts with :data:`MIN_ENV_ROWS` to
    :data:`MAX_ENV_ROWS_UI` rows, the composer's range (a world's default may
    be larger).
    """
    declared = bool(getattr(sc, "environments", ()))
    envs = default_environments(sc) if declared else default_environments(sc, n)
    envs = [e.with_n(min(max(e.n, MIN_ENV_ROWS), MAX_ENV_ROWS_UI)) for e in envs]
    kept = [e for e in envs if not _touches(e.interventions, sc.target)]
    dropped = [e.name for e in envs if _touches(e.interventions, sc.target)]
    if len(kept) < 2:  # nothing to compare without them: keep them all
        return envs, []
    return kept, dropped


def intervention_options(
    sc: Scenario, named: Mapping[str, Sequence[Intervention]] | None = None
) -> list[str]:
    """The composer's choices: none, the presets, named environments, custom shifts and noise."""
    out = [NO_INTERVENTION, *sc.presets]
    for name in named or {}:
        label = f"as in the scenario: {name}"
        if label not in out:
            out.append(label)
    for node in sc.scm.nodes:
        out.append(f"shift {node} by {CUSTOM_SHIFT_SDS:g} SD")
        out.append(f"noise of {node} ×{CUSTOM_NOISE_FACTOR:g}")
    return out


def new_row_defaults(sc: Scenario, rows: pd.DataFrame) -> dict[str, Any]:
    """What a row added to the composer starts with, so that it counts at once.

    The scenario's first preset (else a shift of its first feature), at full
    strength, with as many rows as the first environment; the name is left
    blank (:func:`environments_from_rows` names it after its row).
    """
    choice = next(iter(sc.presets), None) or f"shift {sc.features[0]} by {CUSTOM_SHIFT_SDS:g} SD"
    first = rows["rows"].dropna()
    n = int(first.iloc[0]) if len(first) else 1000
    return {"intervention": choice, "strength": 1.0, "rows": n}


def _strength_of(env: Environment, base: Sequence[Intervention]) -> float | None:
    """The strength at which ``base`` gives ``env``'s interventions (None if it does not)."""
    if len(env.interventions) != len(base) or not base:
        return None
    s = env.interventions[0].strength
    if all(iv == b.with_strength(s) for iv, b in zip(env.interventions, base, strict=True)):
        return float(s)
    return None


def environment_rows(
    envs: Sequence[Environment], sc: Scenario
) -> tuple[pd.DataFrame, dict[str, tuple[Intervention, ...]]]:
    """Environments as the composer's rows, and the named interventions they need.

    Returns
    -------
    (pandas.DataFrame, dict)
        Rows with columns :data:`ROW_COLUMNS`; and, for environments that are
        neither observational nor a preset, their interventions by environment
        name (offered as "as in the scenario: <name>"). The scenario's own
        environments that are not among ``envs`` (a lesson's twist, declared
        with ``default = false``) are offered too.
    """
    rows, named = [], {}
    for env in envs:
        choice, strength = NO_INTERVENTION, 1.0
        if env.interventions:
            for name, preset in sc.presets.items():
                s = _strength_of(env, tuple(preset))
                if s is not None:
                    choice, strength = name, s
                    break
            else:
                named[env.name] = tuple(iv.with_strength(1.0) for iv in env.interventions)
                choice = f"as in the scenario: {env.name}"
                strength = float(env.interventions[0].strength)
        rows.append([env.name, choice, strength, env.n])
    for env in getattr(sc, "environments", ()):  # twists a lesson adds: offered, not started
        is_preset = any(_strength_of(env, tuple(p)) is not None for p in sc.presets.values())
        if env.interventions and env.name not in named and not is_preset:
            named[env.name] = tuple(iv.with_strength(1.0) for iv in env.interventions)
    return pd.DataFrame(rows, columns=ROW_COLUMNS), named


def environments_from_rows(
    rows: pd.DataFrame,
    sc: Scenario,
    named: Mapping[str, Sequence[Intervention]],
    sds: Mapping[str, float],
) -> list[Environment]:
    """The composer's rows as environments.

    Parameters
    ----------
    rows : pandas.DataFrame
        Columns :data:`ROW_COLUMNS`; empty rows (no name and no intervention) are skipped.
    sc : Scenario
    named : mapping
        Interventions of "as in the scenario: <name>" choices.
    sds : mapping of str to float
        Each node's observational standard deviation (for custom shifts).

    A row with an intervention but no name is named ``environment <row>``.

    Raises
    ------
    ScenarioError
        Naming the row: a missing intervention, a strength outside [0, 1], a
        bad number of rows, a repeated name, fewer than two environments.
    """
    envs: list[Environment] = []
    seen: set[str] = set()
    given = {str(x).strip() for x in rows["environment"].dropna()}
    for i, row in enumerate(rows.itertuples(index=False), start=1):
        name = "" if pd.isna(row.environment) else str(row.environment).strip()
        choice = "" if pd.isna(row.intervention) else str(row.intervention)
        if not name and not choice:
            continue
        if not name:  # a new row: named after its place, so that it counts at once
            name = next(
                f"environment {k}"
                for k in range(i, i + len(rows) + 2)
                if f"environment {k}" not in given | seen
            )
        where = f"row {i}" + (f" ({code_span(name)})" if name else "")
        if name in seen:
            raise ScenarioError(f"{where}: the name {code_span(name)} is used twice.")
        seen.add(name)
        strength = 1.0 if pd.isna(row.strength) else float(row.strength)
        if not 0.0 <= strength <= 1.0:
            raise ScenarioError(f"{where}: the strength must be between 0 and 1.")
        if pd.isna(row.rows) or float(row.rows) != int(row.rows):
            raise ScenarioError(f"{where}: give a whole number of rows.")
        n = int(row.rows)
        if not MIN_ENV_ROWS <= n <= MAX_ENV_ROWS_UI:
            raise ScenarioError(
                f"{where}: the number of rows must be from {MIN_ENV_ROWS} to {MAX_ENV_ROWS_UI:,}."
            )
        ivs = _interventions_for(choice, sc, named, sds, where)
        envs.append(Environment(name, tuple(iv.with_strength(strength) for iv in ivs), n))
    if len(envs) < 2:
        raise ScenarioError(
            "compose at least two environments: invariance is checked by comparing them."
        )
    if len(envs) > MAX_UI_ENVIRONMENTS:
        raise ScenarioError(f"at most {MAX_UI_ENVIRONMENTS} environments, not {len(envs)}.")
    return envs


#: Fewest and most rows of one composed environment.
MIN_ENV_ROWS = 20
MAX_ENV_ROWS_UI = 20_000
#: Most environments the composer takes.
MAX_UI_ENVIRONMENTS = 8


def _interventions_for(
    choice: str,
    sc: Scenario,
    named: Mapping[str, Sequence[Intervention]],
    sds: Mapping[str, float],
    where: str,
) -> tuple[Intervention, ...]:
    if choice in ("", NO_INTERVENTION):
        return ()
    if choice in sc.presets:
        return tuple(sc.presets[choice])
    prefix = "as in the scenario: "
    if choice.startswith(prefix) and choice[len(prefix) :] in named:
        return tuple(named[choice[len(prefix) :]])
    for node in sc.scm.nodes:
        if choice == f"shift {node} by {CUSTOM_SHIFT_SDS:g} SD":
            sd = float(sds.get(node, 1.0)) or 1.0
            return (Shift(node, round(CUSTOM_SHIFT_SDS * sd, 6)),)
        if choice == f"noise of {node} ×{CUSTOM_NOISE_FACTOR:g}":
            return (ScaleNoise(node, CUSTOM_NOISE_FACTOR),)
    raise ScenarioError(f"{where}: choose an intervention from the list.")


def touches_target(envs: Sequence[Environment], target: str) -> list[str]:
    """Names of environments that intervene on the target itself (ICP assumes none does)."""
    return [e.name for e in envs if _touches(e.interventions, target)]


def spurious_preset(sc: Scenario) -> str | None:
    """The preset the "invariance is local" sweep starts with.

    The first preset that acts on an observed non-cause of the target (a
    feature that is not among its causes), else the first preset.
    """
    non_causes = set(sc.features) - set(sc.causal_features)
    for name, preset in sc.presets.items():
        if any(iv.node in non_causes for iv in preset):
            return name
    return next(iter(sc.presets), None)


# ----------------------------------------------------------------------------- nonlinear example

#: A world whose mechanism saturates: a straight line fits it near the usual
#: doses and fails far from them.
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


# ----------------------------------------------------------------------------- sweep sentences


def _and(parts: Sequence[str]) -> str:
    parts = list(parts)
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def strength_runs(strengths: Sequence[float], mask: Sequence[bool]) -> str:
    """The strengths where ``mask`` holds, as runs of neighbours: ``"1–3% and 100%"``.

    Parameters
    ----------
    strengths : sequence of float
        The grid, in increasing order (0 to 1).
    mask : sequence of bool
        One flag per strength.

    Returns
    -------
    str
        "" when no flag is set.
    """
    runs: list[tuple[float, float]] = []
    start: float | None = None
    prev = 0.0
    for s, m in zip(strengths, mask, strict=True):
        if m and start is None:
            start = s
        if not m and start is not None:
            runs.append((start, prev))
            start = None
        prev = s
    if start is not None:
        runs.append((start, prev))
    if not runs:
        return ""
    return _and(
        [percent(a) if a == b else f"{100 * a:g}–{100 * b:g}%" for a, b in runs]  # noqa: RUF001
    )


def set_sweep_sentence(
    name: str, strengths: Sequence[float], pvalues: Sequence[float], alpha: float
) -> str:
    """Where along a sweep a set passes the invariance test (p > alpha) and where it fails.

    Parameters
    ----------
    name : str
        The set, as the sentence's subject (Markdown), e.g. "The set of every feature".
    strengths : sequence of float
        Increasing.
    pvalues : sequence of float
        The set's p-value at each strength.
    alpha : float

    Returns
    -------
    str
        One sentence, true of the numbers given: "… passes up to 3% and is
        rejected from 5% on.", "… passes at every strength shown (1–100%).",
        or, for a pattern that goes back and forth, both lists of strengths.
    """
    grid = [float(s) for s in strengths]
    ok = [float(p) > alpha for p in pvalues]
    if not grid:
        raise DataError("the sweep has no strength.")
    every = strength_runs(grid, [True] * len(grid))
    if all(ok):
        return f"{name} passes at every strength shown ({every})."
    if not any(ok):
        return f"{name} is rejected at every strength shown ({every})."
    first_bad = ok.index(False)
    if all(ok[:first_bad]) and not any(ok[first_bad:]):
        return (
            f"{name} passes up to {percent(grid[first_bad - 1])} and is rejected from "
            f"{percent(grid[first_bad])} on."
        )
    first_ok = ok.index(True)
    if not any(ok[:first_ok]) and all(ok[first_ok:]):
        return (
            f"{name} is rejected up to {percent(grid[first_ok - 1])} and passes from "
            f"{percent(grid[first_ok])} on."
        )
    return (
        f"{name} passes at {strength_runs(grid, ok)} and is rejected at "
        f"{strength_runs(grid, [not o for o in ok])}."
    )


def _set_rows(table: pd.DataFrame, name: str) -> pd.DataFrame:
    rows = table[table["set"] == name].sort_values("strength", kind="stable")
    if rows.empty:
        raise DataError(f"the sweep has no rows for the set `{name}`.")
    return rows


def exposed(strengths: Sequence[float], pvalues: Sequence[float], alpha: float) -> bool:
    """True when the set passes at some strength and is rejected at a stronger one."""
    ok = [float(p) > alpha for p in pvalues]
    return any(ok[i] and not ok[j] for i in range(len(ok)) for j in range(i + 1, len(ok)))


def sweep_caption(table: pd.DataFrame, alpha: float, *, preset: str, target: str) -> str:
    """The caption of the "invariance is local" p-value chart, true of the numbers shown.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`lib.invariance.sweeps.invariance_sweep`'s table.
    alpha : float
    preset : str
        The swept intervention's name.
    target : str

    Returns
    -------
    str
        Markdown: where the set of every feature and the true parents' set
        pass, and what that shows (only what the numbers support).
    """
    every = _set_rows(table, "all features")
    parents = _set_rows(table, "causal parents")
    grid = every["strength"].to_list()
    p_all = every["pvalue"].to_list()
    p_par = parents["pvalue"].to_list()
    feats = str(every["features"].iloc[0])
    par = str(parents["features"].iloc[0])
    text = (
        f"The invariance p-value of two sets as {code_span(preset)} grows (log scale); above the "
        f"dashed line (α = {alpha:g}) a set passes the test. "
    )
    text += set_sweep_sentence("The set of every feature", grid, p_all, alpha)
    if feats == par:
        text += " Every feature is one of the true parents here, so the two sets are the same."
        return text
    parents_name = (
        "The true parents' set" if par else "The empty set (every parent is hidden: no input)"
    )
    text += " " + set_sweep_sentence(parents_name, grid, p_par, alpha)
    if exposed(grid, p_all, alpha):
        text += (
            " A mild shift lets the set with a non-cause pass; a stronger one exposes it: a "
            "verdict of invariance holds only up to the strengths in the data."
        )
    elif all(float(p) > alpha for p in p_all):
        text += (
            f" This intervention does not move the relation between the features and "
            f"{code_span(target)} enough for the test to see, at any strength shown."
        )
    if any(float(p) <= alpha for p in p_par):
        text += (
            f" A true parents' set is rejected by chance in about a share α of samples, or "
            f"when the intervention changes how {code_span(target)} responds to its parents (a "
            f"mechanism that is not a straight line, or an intervention on {code_span(target)})."
        )
    return text


def sweep_start(table: pd.DataFrame, alpha: float) -> float:
    """Where the sweep's slider starts: the full intervention if it rejects the set of
    every feature, else the strength where that set's p-value is lowest."""
    every = _set_rows(table, "all features")
    last = every.iloc[-1]
    if float(last["pvalue"]) <= alpha:
        return float(last["strength"])
    return float(every.loc[every["pvalue"].idxmin(), "strength"])


def bend_start(table: pd.DataFrame, alpha: float) -> float:
    """Where the nonlinear example's slider starts: the strongest shift at which the
    straight line still passes (else the mildest shift)."""
    rows = _set_rows(table, "all features")
    passing = rows[rows["pvalue"] > alpha]
    if passing.empty:
        return float(rows["strength"].iloc[0])
    return float(passing["strength"].iloc[-1])


def bend_sentence(
    strength: float,
    pvalue: float,
    alpha: float,
    *,
    rmse_far: float,
    rmse_near: float,
    shift_sds: float = NONLINEAR_SHIFT_SDS,
    unit: str = "points",
) -> str:
    """The nonlinear example's verdict at one strength, true of its numbers.

    Parameters
    ----------
    strength : float
        How far ICP's environments shift the dose (1 = ``shift_sds`` SD).
    pvalue : float
        The straight line's invariance p-value there.
    alpha : float
    rmse_far : float
        The line's error on the full shift.
    rmse_near : float
        Its error at the strongest shift it was fitted on.
    """
    sd = shift_sds * strength
    shown = f"< {1e-4:g}" if pvalue < 1e-4 else f"= {pvalue:.2g}"
    reach = f"With the dose shifted by up to {sd:.2g} SD"
    if strength >= 1.0:
        far = (
            f"Fitted on these environments, its error on the full {shift_sds:g}-SD shift is "
            f"{rmse_far:.2f} {unit}."
        )
    else:
        far = (
            f"Fitted on these environments, its error on the full {shift_sds:g}-SD shift is "
            f"{rmse_far:.2f} {unit}, against {rmse_near:.2f} at the strongest shift it saw "
            f"({sd:.2g} SD)."
        )
    if pvalue > alpha:
        lesson = (
            " ICP found nothing wrong with the line, yet it fails far away: invariance was "
            "checked only for the doses these environments reached."
            if rmse_far > 1.25 * rmse_near and strength < 1.0
            else ""
        )
        return (
            f"{reach}, the straight line **passes** the invariance test (p {shown}, α = "
            f"{alpha:g}). {far}{lesson}"
        )
    return (
        f"{reach}, the environments reach doses where the response levels off, and the "
        f"straight line **is rejected** (p {shown}, α = {alpha:g}): no one straight line fits "
        f"all three environments alike. {far}"
    )


def held_out_caption(
    tests: Mapping[str, Sequence[Intervention]], envs: Sequence[Environment], target: str
) -> str:
    """Which fresh samples of the held-out chart are worlds that were in ICP's data.

    Parameters
    ----------
    tests : mapping of str to interventions
        Each fresh sample's world (e.g. the observational world and every
        preset at full strength).
    envs : sequence of Environment
        The environments ICP and the models were fitted on.
    target : str

    Returns
    -------
    str
        Markdown.
    """
    seen: dict[str, str] = {}
    for name, ivs in tests.items():
        for env in envs:
            if tuple(env.interventions) == tuple(ivs):
                seen[name] = env.name
                break
    new = [name for name in tests if name not in seen]
    text = (
        f"Three linear models fitted on the pooled environments above, each predicting "
        f"{code_span(target)} in a fresh sample (rows none of them was fitted on) of "
        f"{len(tests)} worlds: the observational one and every preset at full strength."
    )
    if seen:
        same = [
            code_span(t) if t == e else f"{code_span(t)} (as {code_span(e)})"
            for t, e in seen.items()
        ]
        verb = "was" if len(same) == 1 else "were"
        text += f" {_and(same)} {verb} also among ICP's environments"
        text += (
            f"; {_and([code_span(t) for t in new])} {'was' if len(new) == 1 else 'were'} not."
            if new
            else "."
        )
    else:
        text += " None of these worlds was among ICP's environments."
    text += (
        " Orange: the regression on every feature. Blue: on ICP's causes, and (hatched) on "
        "the causes the scenario declares (or their measurements). A model with no input "
        "predicts the average."
    )
    return text
