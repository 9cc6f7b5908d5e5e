"""A Python script that reproduces the numbers of a view of the lab.

The script stands alone: it uses the lab's engine (``from lib import ...``, the
public names of ``docs/architecture.md``), runs from the lab's folder, and prints
what the page showed, so that a student can check it, change it and go further
in a notebook:

- **Data**: the correlations between the observed variables, and each one's
  correlation with the target (the page's heatmap and its clues);
- **Models**: every model's error (RMSE) and R² on fresh rows, and the linear
  models' coefficients;
- **Interventions**: every model's error before and after the intervention, and
  their ratio;
- **Invariance**: ICP's verdict on the pooled environments (the names it
  gives, every tested set's p-value), the environments written into the script.

A built-in world is loaded by its id; a world a user built is written into the
script as its scenario file (TOML), so the script needs nothing else.

    >>> from lib.ui.params import LabState
    >>> script = reproduce_script("Interventions", LabState("ldopa", 2000, preset="Tylenol"))
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from lib.errors import ScenarioError
from lib.world.environments import Environment
from lib.world.scenarios import Scenario, load_scenario, scenario_to_toml

__all__ = [
    "PAGES",
    "SCRIPTS",
    "ViewState",
    "data_script",
    "interventions_script",
    "invariance_script",
    "models_script",
    "reproduce_script",
    "script_file_name",
]

#: The value of ``preset`` that means the "build your own" intervention.
CUSTOM = "custom"
#: The test name of a user-built intervention (as the Interventions page names it).
CUSTOM_TEST = "Your intervention"
#: Intervention kind -> (class name, the field its amount fills).
_KINDS = {
    "do": ("Do", "value"),
    "shift": ("Shift", "delta"),
    "scale_noise": ("ScaleNoise", "factor"),
    "replace": ("Replace", "equation"),
}
#: Significant digits the script prints.
DIGITS = 6


class ViewState(Protocol):
    """What a view of the lab is (:class:`lib.ui.params.LabState` has these fields)."""

    @property
    def scenario(self) -> str: ...
    @property
    def n(self) -> int: ...
    @property
    def seed(self) -> int: ...
    @property
    def preset(self) -> str: ...
    @property
    def node(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def amount(self) -> float: ...
    @property
    def equation(self) -> str: ...
    @property
    def strength(self) -> float: ...


def script_file_name(page: str, state: ViewState) -> str:
    """A file name for the script, e.g. ``ldopa-interventions-n2000-seed0.py``."""
    sid = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in state.scenario)[:40]
    return f"{sid}-{page.lower()}-n{state.n}-seed{state.seed}.py"


def _builtin(sc: Scenario) -> bool:
    """Whether ``sc`` is the built-in world of its id, exactly as its file says."""
    try:
        return scenario_to_toml(load_scenario(sc.id)) == scenario_to_toml(sc)
    except (ScenarioError, OSError):
        return False


def _comment(text: Any) -> str:
    """One line of text for a comment or docstring: no line breaks, quotes or backslashes."""
    flat = " ".join(str(text).split())
    return flat.replace("\\", "/").replace('"""', "'''")


def _load_lines(sc: Scenario) -> list[str]:
    if _builtin(sc):
        return [f"sc = load_scenario({sc.id!r})"]
    lines = ["# The world, as its scenario file (made in the lab's Builder).", "WORLD = ("]
    lines += [f"    {line!r}" for line in scenario_to_toml(sc).splitlines(keepends=True)]
    lines += [")", "sc = scenario_from_toml(WORLD)"]
    return lines


def _intervention_lines(state: ViewState, sc: Scenario) -> tuple[list[str], str, set[str]]:
    """Code that sets ``interventions``, the test's name and the names it imports."""
    s = float(state.strength)
    if state.preset != CUSTOM and state.preset in sc.presets:
        at = "" if s >= 1.0 else f".with_strength({s!r})"
        test = state.preset if s >= 1.0 else f"{state.preset} at {100 * s:.0f}%"
        return [f"interventions = sc.presets[{state.preset!r}]{at}"], test, set()
    if state.kind not in _KINDS:
        raise ScenarioError(f"unknown intervention kind {state.kind!r}.")
    cls, _field = _KINDS[state.kind]
    amount = state.equation if state.kind == "replace" else float(state.amount)
    if state.kind == "replace" and not str(amount).strip():
        raise ScenarioError(f"type a new equation for `{state.node}`.")
    at = "" if s >= 1.0 else f".with_strength({s!r})"
    return [f"interventions = [{cls}({state.node!r}, {amount!r}){at}]"], CUSTOM_TEST, {cls}


def _header(page: str, state: ViewState, sc: Scenario, link: str | None, what: str) -> list[str]:
    lines = [
        "#!/usr/bin/env python3",
        f'"""Reproduce the numbers of the {page} page of Predict or Explain.',
        "",
        f"World: {_comment(sc.title)}; {state.n:,} rows, seed {state.seed}.",
    ]
    lines += [f"It prints {what}", ""]
    if link:
        lines += [f"The view in the lab: {_comment(link)}", ""]
    lines += [
        "Run it from the lab's folder (the one that holds lib/):",
        "",
        "    python this_file.py",
        '"""',
        "",
        "import os",
        "import sys",
        "",
        "import pandas as pd",
        "",
        "sys.path.insert(0, os.getcwd())  # the lab's engine, lib/, in the folder it runs from",
        "",
    ]
    return lines


def _print_setup() -> list[str]:
    return [
        "",
        f'pd.set_option("display.float_format", lambda x: f"{{x:.{DIGITS}g}}")',
        'pd.set_option("display.width", 200)',
        'pd.set_option("display.max_columns", 20)',
        "",
    ]


def _data_body(state: ViewState, sc: Scenario) -> list[str]:
    return [
        "# The rows both models learn from (the Data page's sample).",
        f"sample = sc.scm.sample({state.n}, seed={state.seed})",
        "observed = [sc.target, *[c for c in sc.scm.observed if c != sc.target]]",
        "",
        'print("Correlations between the observed variables (Pearson r):")',
        "print(sample[observed].corr().to_string())",
        "print()",
        "",
        "# Each candidate's correlation with the target, strongest first (the page's clues).",
        "candidates = [c for c in observed if c != sc.target]",
        "r = sample[candidates].corrwith(sample[sc.target])",
        "clues = pd.DataFrame({",
        '    "variable": candidates,',
        '    "r": r.to_numpy(dtype=float),',
        '    "causal input": [c in sc.causal_features for c in candidates],',
        "})",
        'clues = clues.reindex(clues["r"].abs().sort_values(ascending=False).index)',
        'print(f"Clues to {sc.target}, strongest first:")',
        "print(clues.to_string(index=False))",
    ]


def _models_body(state: ViewState, sc: Scenario) -> list[str]:
    return [
        "# Fit both kinds of model on the sample, then score them on fresh rows",
        f"# from the same world (seed {state.seed + 1}).",
        f"exp = run_experiment(sc, n={state.n}, seed={state.seed})",
        "scores = exp.evaluate()",
        "",
        'print(f"How well each model predicts {sc.target} on rows it never saw:")',
        'print(scores[["model", "kind", "rmse", "r2"]].to_string(index=False))',
        "",
        "# What the linear models learned: change in the target per unit of each input.",
        "for m in exp.models:",
        '    if m.family == "linear" and m.features:',
        "        print()",
        '        print(f"{m.name}: coefficients with 95% intervals")',
        '        print(m.coef_table()[["term", "coef", "ci_low", "ci_high", "p_value"]]'
        ".to_string(index=False))",
    ]


def _interventions_body(test: str) -> list[str]:
    return [
        "# Fit the models on the world as it is, then test them on fresh rows before",
        "# and after the intervention (the same units: only what it changes differs).",
        f"TEST = {test!r}",
        "results = compare_models(sc, n=N, seed=SEED, tests={TEST: interventions})",
        'before = results[results["test"] == "observational"].set_index("model")',
        'after = results[results["test"] == TEST].set_index("model")',
        "table = pd.DataFrame({",
        '    "kind": before["kind"],',
        '    "rmse before": before["rmse"],',
        '    "rmse after": after["rmse"].reindex(before.index),',
        "})",
        'table["ratio"] = table["rmse after"] / table["rmse before"]',
        "",
        'print("Intervention:", "; ".join(iv.describe() for iv in interventions))',
        'print(f"Each model\'s error predicting {sc.target}, before and after, and the ratio:")',
        "print(table.reset_index().to_string(index=False))",
    ]


def _invariance_body(seed: int, environments: Sequence[Environment], alpha: float) -> list[str]:
    specs = {e.name: e.to_dict() for e in environments}
    lines = [
        "# The environments the page pooled: the same world, each with its interventions.",
        "ENVIRONMENTS = {",
        *[f"    {name!r}: {spec!r}," for name, spec in specs.items()],
        "}",
        "envs = [environment_from_dict(name, spec, sc.scm) for name, spec in ENVIRONMENTS.items()]",
        f"SEED, ALPHA = {seed}, {alpha!r}",
        "",
        "# Sample every environment, stack the rows with an `env` column, and run ICP on",
        "# the world's features: it keeps every set whose regression is the same everywhere.",
        "pooled = pooled_sample(sc.scm, envs, SEED)",
        'res = icp(pooled, sc.target, "env", ALPHA, candidates=list(sc.features))',
        "",
        'print("Environments:", ", ".join(f"{e.name} ({e.n} rows)" for e in envs))',
        'print(f"ICP at alpha = {ALPHA}: {res.verdict}")',
        'print("Named as causes:", ", ".join(sorted(res.causal_predictors)) or "nothing")',
        "print()",
        'print("Every tested set and its p-value (accepted when above alpha):")',
        "print(res.set_pvalues.table(ALPHA).to_string(index=False))",
    ]
    return lines


def _world(state: ViewState, scenario: Scenario | None) -> tuple[Scenario, set[str]]:
    """The view's world, and the names the script imports to load it."""
    sc = scenario if scenario is not None else load_scenario(state.scenario)
    return sc, ({"load_scenario"} if _builtin(sc) else {"scenario_from_toml"})


def _assemble(
    page: str,
    state: ViewState,
    sc: Scenario,
    link: str | None,
    names: set[str],
    what: str,
    body: list[str],
) -> str:
    lines = _header(page, state, sc, link, what)
    lines.append(f"from lib import {', '.join(sorted(names))}  # noqa: E402")
    lines += _print_setup()
    lines += _load_lines(sc)
    lines += ["", *body, ""]
    return "\n".join(lines)


def data_script(
    state: ViewState,
    scenario: Scenario | None = None,
    *,
    link: str | None = None,
    environments: Sequence[Environment] = (),
    alpha: float = 0.05,
) -> str:
    """The Data page's script: the correlations (see :func:`reproduce_script`)."""
    sc, names = _world(state, scenario)
    what = "the correlations between the observed variables and with the target."
    return _assemble("Data", state, sc, link, names, what, _data_body(state, sc))


def models_script(
    state: ViewState,
    scenario: Scenario | None = None,
    *,
    link: str | None = None,
    environments: Sequence[Environment] = (),
    alpha: float = 0.05,
) -> str:
    """The Models page's script: every model's error and the linear coefficients."""
    sc, names = _world(state, scenario)
    names.add("run_experiment")
    what = "every model's error (RMSE) and R² on fresh rows, and the linear coefficients."
    return _assemble("Models", state, sc, link, names, what, _models_body(state, sc))


def interventions_script(
    state: ViewState,
    scenario: Scenario | None = None,
    *,
    link: str | None = None,
    environments: Sequence[Environment] = (),
    alpha: float = 0.05,
) -> str:
    """The Interventions page's script: every model's error before and after, and the ratio.

    Raises
    ------
    lib.errors.ScenarioError
        For a bad custom intervention.
    """
    sc, names = _world(state, scenario)
    iv_lines, test, classes = _intervention_lines(state, sc)
    names |= classes | {"compare_models"}
    what = f"every model's error before and after {_comment(test)}, and the ratio."
    body = [*iv_lines, f"N, SEED = {state.n}, {state.seed}", "", *_interventions_body(test)]
    return _assemble("Interventions", state, sc, link, names, what, body)


def invariance_script(
    state: ViewState,
    scenario: Scenario | None = None,
    *,
    link: str | None = None,
    environments: Sequence[Environment] = (),
    alpha: float = 0.05,
) -> str:
    """The Invariance page's script: ICP's verdict on ``environments`` at ``alpha``.

    Raises
    ------
    ValueError
        With fewer than two environments.
    """
    if len(environments) < 2:
        raise ValueError("ICP needs at least two environments.")
    sc, names = _world(state, scenario)
    names |= {"environment_from_dict", "icp", "pooled_sample"}
    what = f"ICP's verdict at alpha = {alpha:g} and every tested set's p-value."
    body = _invariance_body(state.seed, environments, alpha)
    return _assemble("Invariance", state, sc, link, names, what, body)


#: The script of each page that has numbers to reproduce.
SCRIPTS = {
    "Data": data_script,
    "Models": models_script,
    "Interventions": interventions_script,
    "Invariance": invariance_script,
}
#: The pages with a script.
PAGES: tuple[str, ...] = tuple(SCRIPTS)


def reproduce_script(
    page: str,
    state: ViewState,
    scenario: Scenario | None = None,
    *,
    link: str | None = None,
    environments: Sequence[Environment] = (),
    alpha: float = 0.05,
) -> str:
    """A standalone Python script that prints the numbers ``page`` shows for ``state``.

    Parameters
    ----------
    page : {"Data", "Models", "Interventions", "Invariance"}
    state : ViewState
        The view: world id, rows, seed and (for Interventions) the preset or the
        user's own intervention and its strength, e.g. a
        :class:`lib.ui.params.LabState`.
    scenario : Scenario, optional
        The world (needed for a world a user built; loaded by ``state.scenario``
        otherwise). A world that is not the built-in one of its id is written
        into the script as TOML.
    link : str, optional
        The view's address in the lab, quoted in the script's docstring.
    environments : sequence of Environment
        For Invariance: the pooled environments (at least two).
    alpha : float
        For Invariance: ICP's level.

    Returns
    -------
    str
        Python source. Run from the lab's folder, it prints tables whose numbers
        (6 significant digits) are the page's.

    Raises
    ------
    ValueError
        For a page without numbers to reproduce; :class:`lib.errors.ScenarioError`
        for an unknown world or a bad custom intervention.
    """
    if page not in SCRIPTS:
        raise ValueError(f"no script for the page {page!r}; pages: {', '.join(PAGES)}.")
    return SCRIPTS[page](state, scenario, link=link, environments=environments, alpha=alpha)
