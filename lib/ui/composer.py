"""The Invariance page's environments composer: its rows, choices and defaults.

The composer is a table a student edits (an environment per row: a name, an
intervention, a strength and a number of rows); this module turns
environments into its rows and back (:func:`environment_rows`,
:func:`environments_from_rows`), offers its choices (:func:`intervention_options`,
:func:`new_row_defaults`) and picks what it starts with
(:func:`starting_environments`, :func:`spurious_preset`). Plain Python, no
Streamlit: the link's parameters (:mod:`lib.ui.params`) and the page
(:mod:`lib.ui.invariance_sections`) both use it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from lib.errors import ScenarioError
from lib.text.escape import code_span
from lib.world.environments import Environment, default_environments
from lib.world.interventions import Intervention, ScaleNoise, Shift
from lib.world.scenarios import Scenario

__all__ = [
    "CUSTOM_NOISE_FACTOR",
    "CUSTOM_SHIFT_SDS",
    "MAX_ENV_ROWS_UI",
    "MAX_UI_ENVIRONMENTS",
    "MIN_ENV_ROWS",
    "NO_INTERVENTION",
    "ROW_COLUMNS",
    "environment_rows",
    "environments_from_rows",
    "intervention_options",
    "new_row_defaults",
    "spurious_preset",
    "starting_environments",
    "touches_target",
]


#: The composer's option for an environment without intervention.
NO_INTERVENTION = "none (observational)"

#: How far a custom shift moves a node at full strength, in its standard deviations.
CUSTOM_SHIFT_SDS = 2.0

#: A custom noise scaling's factor at full strength.
CUSTOM_NOISE_FACTOR = 3.0

#: Columns of the environments composer.
ROW_COLUMNS = ["environment", "intervention", "strength", "rows"]

#: Fewest and most rows of one composed environment.
MIN_ENV_ROWS = 20

MAX_ENV_ROWS_UI = 20_000

#: Most environments the composer takes.
MAX_UI_ENVIRONMENTS = 8


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
