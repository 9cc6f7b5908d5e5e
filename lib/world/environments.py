"""Environments: named sets of interventions, and samples pooled across them.

An *environment* is one setting the data come from — a clinic, an author, a
season — written as the interventions that make it differ from the
observational world, and the number of rows it contributes:

>>> from lib.world.interventions import Shift
>>> envs = [Environment("clinic A"), Environment("clinic B", (Shift("dose", 100.0),), n=500)]
>>> df = pooled_sample(scm, envs, seed=0)  # doctest: +SKIP

The pooled table carries an ``env`` column naming each row's environment; it is
what :func:`lib.invariance.icp` takes (the sweeps that vary an environment's
strength live in :mod:`lib.invariance.sweeps`).
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from lib.errors import ScenarioError
from lib.world.interventions import Intervention, intervention_from_dict
from lib.world.scm import MAX_ROWS, SCM

if TYPE_CHECKING:  # pragma: no cover - lib.world.scenarios imports this module
    from lib.world.scenarios import Scenario

#: Fewest rows per environment (also ICP's minimum: lib.invariance.engine uses this one).
MIN_ROWS_PER_ENV = 3

__all__ = [
    "ENV_COLUMN",
    "MAX_ENVIRONMENTS",
    "OBSERVATIONAL_ENV",
    "Environment",
    "check_environments",
    "default_environments",
    "environment_from_dict",
    "environment_sample",
    "pooled_sample",
    "stack_environments",
    "true_parents",
]

#: Default name of the environment column.
ENV_COLUMN = "env"
#: Name of the environment without intervention.
OBSERVATIONAL_ENV = "observational"
#: Most environments in one scenario file or pooled sample.
MAX_ENVIRONMENTS = 20
#: Most rows per environment.
MAX_ENV_ROWS = 1_000_000
_ENV_FIELDS = {"n", "description", "interventions", "default"}


@dataclass(frozen=True)
class Environment:
    """One setting the data come from: a name, its interventions, its rows.

    Attributes
    ----------
    name : str
        Shown in tables and legends, and stored in the environment column.
    interventions : tuple of Intervention
        What differs from the observational world (empty: observational).
    n : int
        Rows this environment contributes.
    description : str
        One line of story (e.g. "Arthur hides the murderer until the last chapter").
    default : bool
        Whether a scenario's Invariance page starts with this environment
        (``False``: declared for a lesson's twist, offered but not pooled until
        someone adds it; see :func:`default_environments`).
    """

    name: str
    interventions: tuple[Intervention, ...] = ()
    n: int = 1000
    description: str = field(default="", compare=False)
    default: bool = field(default=True, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ScenarioError("an environment needs a name.")
        object.__setattr__(self, "interventions", tuple(self.interventions))
        for iv in self.interventions:
            if not isinstance(iv, Intervention):
                raise ScenarioError(
                    f"environment `{self.name}`: {iv!r} is not an intervention (Do, Shift, "
                    f"ScaleNoise or Replace)."
                )
        n = self.n
        if isinstance(n, bool) or not isinstance(n, int | np.integer):
            raise ScenarioError(f"environment `{self.name}`: `n` must be a whole number.")
        if not MIN_ROWS_PER_ENV <= int(n) <= MAX_ENV_ROWS:
            raise ScenarioError(
                f"environment `{self.name}`: `n` must be from {MIN_ROWS_PER_ENV} to "
                f"{MAX_ENV_ROWS:,}, not {n}."
            )
        object.__setattr__(self, "n", int(n))

    def with_strength(self, strength: float) -> Environment:
        """The same environment with every intervention at ``strength`` (0 to 1)."""
        return Environment(
            self.name,
            tuple(iv.with_strength(strength) for iv in self.interventions),
            self.n,
            self.description,
            self.default,
        )

    def with_n(self, n: int) -> Environment:
        """The same environment with ``n`` rows."""
        return Environment(self.name, self.interventions, n, self.description, self.default)

    def describe(self) -> str:
        """What differs in this environment, in words."""
        if not self.interventions:
            return "no intervention (the observational world)"
        return "; ".join(iv.describe() for iv in self.interventions)

    def to_dict(self) -> dict[str, Any]:
        """A plain dict, as written in scenario files (without the name)."""
        out: dict[str, Any] = {"n": self.n}
        if self.description:
            out["description"] = self.description
        if not self.default:
            out["default"] = False
        out["interventions"] = [iv.to_dict() for iv in self.interventions]
        return out


def environment_from_dict(
    name: Any, spec: Any, scm: SCM | None = None, where: str = "environment"
) -> Environment:
    """Build and validate an environment from a scenario file's table.

    Parameters
    ----------
    name : str
        The table's key, e.g. ``"clinic A"``.
    spec : mapping
        ``n`` (whole number, optional, default 1000), ``description`` (text,
        optional), ``interventions`` (a list of intervention tables as in
        presets, optional; empty means observational) and ``default`` (true or
        false, optional, default true: whether the Invariance page starts with it).
    scm : SCM, optional
        If given, every intervention is checked against it (nodes exist,
        equations compile).
    where : str
        Where the table came from, for error messages.

    Raises
    ------
    ScenarioError
        Naming the environment and the field.
    """
    if not isinstance(name, str) or not name.strip():
        raise ScenarioError(f"{where}: an environment needs a non-empty name.")
    ewhere = f"{where} `{name}`"
    if not isinstance(spec, Mapping):
        raise ScenarioError(f"{ewhere}: expected a table with `n` and `interventions`.")
    extra = sorted(set(spec) - _ENV_FIELDS)
    if extra:
        raise ScenarioError(
            f"{ewhere}: unknown field(s) {', '.join(extra)}; allowed: "
            f"{', '.join(sorted(_ENV_FIELDS))}."
        )
    n = spec.get("n", 1000)
    if isinstance(n, bool) or not isinstance(n, int):
        raise ScenarioError(f"{ewhere}: `n` must be a whole number, not {n!r}.")
    description = spec.get("description", "")
    if not isinstance(description, str):
        raise ScenarioError(f"{ewhere}: `description` must be text.")
    default = spec.get("default", True)
    if not isinstance(default, bool):
        raise ScenarioError(f"{ewhere}: `default` must be true or false, not {default!r}.")
    raw = spec.get("interventions", [])
    if not isinstance(raw, list):
        raise ScenarioError(f"{ewhere}: `interventions` must be a list of intervention tables.")
    ivs = tuple(intervention_from_dict(iv, ewhere) for iv in raw)
    if scm is not None and ivs:
        try:
            scm.intervene(*ivs)
        except ScenarioError as exc:
            raise exc.within(ewhere, environment=name) from None
    try:
        return Environment(name, ivs, n, description, default)
    except ScenarioError as exc:
        raise exc.within(where, environment=name) from None


def _env_seed(seed: int, name: str) -> int:
    """A seed for one environment, derived from the sample's seed and its name."""
    state = np.random.SeedSequence([int(seed), zlib.crc32(name.encode("utf-8"))])
    return int(state.generate_state(1, np.uint64)[0] >> np.uint64(1))


def pooled_sample(
    world: Scenario | SCM,
    environments: Sequence[Environment],
    seed: int = 0,
    env_column: str = ENV_COLUMN,
    *,
    latent: bool = False,
) -> pd.DataFrame:
    """Sample every environment and stack the rows, with a column naming each one.

    What a multi-site study would record: by default only the observed
    variables (as :meth:`lib.world.scenarios.Scenario.sample`).

    >>> from lib.world.scenarios import load_scenario
    >>> sc = load_scenario("ldopa")
    >>> df = pooled_sample(sc, default_environments(sc, n=100))
    >>> "dopamine" in df.columns, df["env"].nunique() == len(default_environments(sc))
    (False, True)

    Parameters
    ----------
    world : Scenario or SCM
        The observational world (a scenario, like :func:`default_environments`
        takes, or its SCM).
    environments : sequence of Environment
        At least one; names must differ.
    seed : int
        Each environment draws with its own seed, derived from ``seed`` and
        its name: environments are independent samples, and adding or removing
        one leaves the others' rows unchanged.
    env_column : str
        Name of the environment column (must not be a node).
    latent : bool
        Also keep the unobserved nodes' columns (the simulator's truth).

    Returns
    -------
    pandas.DataFrame
        One column per observed node (per node with ``latent=True``), then
        ``env_column`` (a categorical in the order the environments were
        given); ``sum(env.n)`` rows, environment by environment.
        ``frame.attrs["latent"]`` names the unobserved nodes.

    Raises
    ------
    ScenarioError
        For no environments, a repeated name, an environment column that is
        also a node, too many rows, or an intervention the model cannot take.
    """
    scm = world if isinstance(world, SCM) else world.scm
    envs = list(environments)
    check_environments(scm, envs, env_column)
    frames = [environment_sample(scm, env, seed) for env in envs]
    return stack_environments(scm, envs, frames, env_column, latent=latent)


def check_environments(
    scm: SCM, environments: Sequence[Environment], env_column: str = ENV_COLUMN
) -> None:
    """Raise a :class:`ScenarioError` if :func:`pooled_sample` would refuse these
    environments (none, too many, a repeated name, an environment column that is a node,
    too many rows in all)."""
    envs = list(environments)
    if not envs:
        raise ScenarioError("at least one environment is needed to sample.")
    if len(envs) > MAX_ENVIRONMENTS:
        raise ScenarioError(f"at most {MAX_ENVIRONMENTS} environments, not {len(envs)}.")
    names = [e.name for e in envs]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ScenarioError(f"environment names must differ; repeated: {', '.join(dupes)}.")
    if env_column in scm.nodes:
        raise ScenarioError(
            f"the environment column `{env_column}` is also a node; pick another name."
        )
    total = sum(e.n for e in envs)
    if total > MAX_ROWS:
        raise ScenarioError(f"{total:,} rows in all is more than the {MAX_ROWS:,} allowed.")


def environment_sample(scm: SCM, env: Environment, seed: int = 0) -> pd.DataFrame:
    """One environment's rows as :func:`pooled_sample` draws them (every node, no
    environment column): the same rows whatever other environments are pooled with it.

    Raises
    ------
    ScenarioError
        Naming the environment, for an intervention the model cannot take.
    """
    try:
        return scm.sample(env.n, _env_seed(seed, env.name), env.interventions)
    except ScenarioError as exc:
        raise exc.within(f"environment `{env.name}`", environment=env.name) from None


def stack_environments(
    scm: SCM,
    environments: Sequence[Environment],
    frames: Sequence[pd.DataFrame],
    env_column: str = ENV_COLUMN,
    *,
    latent: bool = False,
) -> pd.DataFrame:
    """Environments' samples (:func:`environment_sample`) stacked as :func:`pooled_sample`
    stacks them, for a caller that draws an environment once and pools it several times
    (a sweep's unchanging environments).

    Raises
    ------
    ScenarioError
        As :func:`pooled_sample` (:func:`check_environments`).
    """
    envs = list(environments)
    check_environments(scm, envs, env_column)
    names = [e.name for e in envs]
    columns = list(scm.nodes if latent else scm.observed)
    # Column by column (pandas' concatenation and selection cost ~10 ms a pool; a sweep
    # pools a dozen times): the same frame, float64 columns then the categorical.
    data: dict[str, Any] = {
        c: np.concatenate([frame[c].to_numpy(dtype=np.float64) for frame in frames])
        for c in columns
    }
    codes = np.repeat(np.arange(len(envs)), [e.n for e in envs])
    data[env_column] = pd.Categorical.from_codes(codes, categories=names)
    df = pd.DataFrame(data)
    df.attrs["latent"] = scm.latent
    return df


def default_environments(scenario: Scenario, n: int | None = None) -> list[Environment]:
    """The scenario's own environments, else the observational world and one per preset.

    Of the scenario's own environments, only those with ``default`` set (the
    others are twists a lesson adds; they stay in ``scenario.environments``).

    Parameters
    ----------
    scenario : Scenario
    n : int, optional
        Rows per environment; by default each declared environment's own
        ``n``, and the scenario's ``default_n`` for the preset-based ones.
    """
    declared = [e for e in getattr(scenario, "environments", ()) or () if e.default]
    if declared:
        return [e.with_n(n) if n is not None else e for e in declared]
    rows = int(n if n is not None else scenario.default_n)
    envs = [Environment(OBSERVATIONAL_ENV, (), rows, "no intervention")]
    for name, preset in scenario.presets.items():
        if name == OBSERVATIONAL_ENV:
            continue
        envs.append(Environment(name, tuple(preset), rows, preset.description))
    return envs


def true_parents(scenario: Scenario) -> frozenset[str]:
    """The target's direct causes among the scenario's features (read off the graph).

    This is what ICP can at best recover. Latent causes are not candidates,
    so a scenario whose target has only hidden causes has no observed
    parents.
    """
    graph = scenario.scm.original_graph
    return frozenset(graph.predecessors(scenario.target)) & frozenset(scenario.features)
