"""Scenarios: a structural causal model with a story, a target and presets.

Scenarios are TOML files in ``data/scenarios/`` (format: ``docs/scenario-format.md``),
so a teacher can write one without Python. Every field is validated with an
error that names the field.

>>> sc = load_scenario("ldopa")
>>> sc.target, sc.causal_features
('relief', ('dose', 'dopamine_scan'))
>>> tylenol = sc.presets["Tylenol"]
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from lib.errors import ScenarioError, did_you_mean
from lib.world.causal import CausalSet, causal_inputs
from lib.world.environments import MAX_ENVIRONMENTS, Environment, environment_from_dict
from lib.world.interventions import Intervention, Preset, intervention_from_dict
from lib.world.scm import SCM
from lib.world.toml_io import read_toml

__all__ = [
    "SCENARIO_DIR",
    "Scenario",
    "ScenarioError",
    "list_scenarios",
    "load_scenario",
    "scenario_problems",
    "scenario_from_toml",
    "scenario_to_toml",
]

#: Where the built-in scenarios live.
SCENARIO_DIR = Path(__file__).resolve().parents[2] / "data" / "scenarios"
_ID_RE = re.compile(r"[a-z][a-z0-9_-]{0,39}")
_TOP_FIELDS = {
    "id",
    "title",
    "summary",
    "story",
    "target",
    "features",
    "order",
    "default_n",
    "nodes",
    "presets",
    "environments",
}
_PRESET_FIELDS = {"description", "why", "interventions"}


@dataclass(frozen=True)
class Scenario:
    """A model with a story.

    Attributes
    ----------
    id, title, summary, story : str
        ``story`` is Markdown shown to the learner.
    scm : SCM
        The world.
    target : str
        What the models predict.
    features : tuple of str
        Observed variables a predictive model may use.
    presets : dict of str to Preset
        Named interventions from the story.
    preset_why : dict of str to str
        For each preset, the story's reason it does what it does (Markdown).
    default_n : int
        Rows the pages start with.
    order : int
        Position in the scenario picker.
    environments : tuple of Environment
        The scenario's environments for invariance (e.g. clinics, authors), in
        file order; empty when the file declares none (then
        :func:`lib.world.environments.default_environments` uses the presets).
        Those with ``default`` false are twists a lesson adds: offered on the
        Invariance page, not among the environments it starts with.
    """

    id: str
    title: str
    summary: str
    story: str
    scm: SCM = field(repr=False, compare=False)
    target: str
    features: tuple[str, ...]
    presets: dict[str, Preset] = field(repr=False, compare=False)
    preset_why: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    default_n: int = 2000
    order: int = 100
    environments: tuple[Environment, ...] = field(default=(), repr=False, compare=False)

    @cached_property
    def causal(self) -> CausalSet:
        """The causal model's inputs and the reasons, read off the graph."""
        specs = self.scm.specs
        return causal_inputs(
            self.scm.original_graph,
            self.target,
            self.features,
            {name: s.measures for name, s in specs.items()},
            self.scm.latent,
        )

    def sample(
        self,
        n: int | None = None,
        seed: int = 0,
        interventions: Iterable[Intervention] = (),
        *,
        latent: bool = False,
    ) -> pd.DataFrame:
        """What a study of this world would record: ``n`` rows of the observed variables.

        Parameters
        ----------
        n : int, optional
            Rows (default: the scenario's ``default_n``).
        seed : int
        interventions : iterable of Intervention
            E.g. ``sc.presets["Tylenol"]``.
        latent : bool
            Also return the unobserved columns (the simulator's truth, e.g.
            ``dopamine``), which no study sees.

        Returns
        -------
        pandas.DataFrame
            The observed columns in topological order (all nodes with
            ``latent=True``); the same rows as :meth:`lib.world.scm.SCM.sample`.
        """
        df = self.scm.sample(self.default_n if n is None else n, seed, interventions)
        return df if latent else df[list(self.scm.observed)]

    @property
    def causal_features(self) -> tuple[str, ...]:
        """Observed causes (or stand-ins) of the target."""
        return self.causal.features

    @property
    def units(self) -> dict[str, str]:
        """Unit of every node."""
        return self.scm.units


def _located(
    where: str, scenario: str | None, message: str, preset: str | None = None
) -> ScenarioError:
    """``where: message`` as an error whose fields say where (``after`` gives ``message``)."""
    return ScenarioError(message).within(where, scenario=scenario, preset=preset)


def _text(spec: Mapping[str, Any], key: str, where: str, required: bool = True) -> str:
    value = spec.get(key, None)
    if value is None:
        if required:
            raise _located(where, None, f"missing `{key}`.")
        return ""
    if not isinstance(value, str):
        raise _located(where, None, f"`{key}` must be text.")
    return value


def scenario_from_dict(spec: Mapping[str, Any], where: str = "scenario") -> Scenario:
    """Build and validate a scenario from parsed TOML.

    Raises
    ------
    ScenarioError
        Naming the field and what is wrong with it.
    """
    sid: str | None = None  # named in every error once known
    if not isinstance(spec, Mapping):
        raise _located(where, sid, "expected a table.")
    extra = sorted(set(spec) - _TOP_FIELDS)
    if extra:
        raise _located(
            where,
            sid,
            f"unknown field(s) {', '.join(extra)}; allowed: {', '.join(sorted(_TOP_FIELDS))}.",
        )
    sid = _text(spec, "id", where)
    if not _ID_RE.fullmatch(sid):
        raise _located(
            where, sid, f"id {sid!r} must be lower-case letters, digits, - or _ (at most 40)."
        )
    where = f"scenario `{sid}`"
    title = _text(spec, "title", where)
    try:
        scm = SCM.from_dict(spec)
    except ScenarioError as exc:
        raise exc.within(where, scenario=sid) from None
    nodes = list(scm.specs)
    target = _text(spec, "target", where)
    if target not in nodes:
        raise _located(
            where, sid, f"the target `{target}` is not a node{did_you_mean(target, nodes) or '.'}"
        )
    raw_features = spec.get("features")
    if raw_features is None:
        raw_features = [n for n in scm.observed if n != target]
    if not isinstance(raw_features, list) or not all(isinstance(f, str) for f in raw_features):
        raise _located(where, sid, "`features` must be a list of node names.")
    for f in raw_features:
        if f not in nodes:
            raise _located(
                where, sid, f"feature `{f}` is not a node{did_you_mean(f, nodes) or '.'}"
            )
        if f == target:
            raise _located(where, sid, f"the target `{f}` cannot also be a feature.")
        if not scm.specs[f].observed:
            raise _located(where, sid, f"feature `{f}` is marked unobserved (observed = false).")
    if len(set(raw_features)) != len(raw_features):
        raise _located(where, sid, "`features` lists a node twice.")
    if not raw_features:
        raise _located(where, sid, "at least one feature is needed.")
    if not scm.specs[target].observed:
        raise _located(where, sid, f"the target `{target}` must be observed.")
    features = tuple(n for n in scm.nodes if n in raw_features)

    presets: dict[str, Preset] = {}
    whys: dict[str, str] = {}
    raw_presets = spec.get("presets", {})
    if not isinstance(raw_presets, Mapping):
        raise _located(where, sid, "`presets` must be a table of named presets.")
    for name, body in raw_presets.items():
        pwhere = f"{where}, preset `{name}`"  # errors below also carry preset=name
        if not isinstance(body, Mapping):
            raise _located(pwhere, sid, "expected a table with `interventions`.", preset=name)
        extra = sorted(set(body) - _PRESET_FIELDS)
        if extra:
            raise _located(pwhere, sid, f"unknown field(s) {', '.join(extra)}.", preset=name)
        ivs_raw = body.get("interventions")
        if not isinstance(ivs_raw, list) or not ivs_raw:
            raise _located(pwhere, sid, "`interventions` must be a non-empty list.", preset=name)
        ivs = [intervention_from_dict(iv, pwhere) for iv in ivs_raw]
        try:
            scm.intervene(*ivs)
        except ScenarioError as exc:
            raise exc.within(pwhere, scenario=sid, preset=name) from None
        presets[name] = Preset(name, ivs, _text(body, "description", pwhere, required=False))
        whys[name] = _text(body, "why", pwhere, required=False)

    default_n = spec.get("default_n", 2000)
    if (
        isinstance(default_n, bool)
        or not isinstance(default_n, int)
        or not 50 <= default_n <= 100_000
    ):
        raise _located(where, sid, "`default_n` must be a whole number from 50 to 100000.")
    order = spec.get("order", 100)
    if isinstance(order, bool) or not isinstance(order, int):
        raise _located(where, sid, "`order` must be a whole number.")
    raw_envs = spec.get("environments", {})
    if not isinstance(raw_envs, Mapping):
        raise _located(
            where,
            sid,
            '`environments` must be a table of named environments, e.g. [environments."clinic A"].',
        )
    if len(raw_envs) == 1:
        raise _located(
            where,
            sid,
            "declare at least two environments (or none): invariance is checked "
            "by comparing environments.",
        )
    if len(raw_envs) > MAX_ENVIRONMENTS:
        raise _located(where, sid, f"at most {MAX_ENVIRONMENTS} environments.")
    environments = tuple(
        environment_from_dict(name, body, scm, f"{where}, environment")
        for name, body in raw_envs.items()
    )
    if environments and sum(e.default for e in environments) < 2:
        raise _located(
            where,
            sid,
            "at least two environments must start on the Invariance page (`default` "
            "true, as it is unless set): invariance is checked by comparing environments.",
        )
    return Scenario(
        id=sid,
        title=title,
        summary=_text(spec, "summary", where, required=False),
        story=_text(spec, "story", where, required=False),
        scm=scm,
        target=target,
        features=features,
        presets=presets,
        preset_why=whys,
        default_n=default_n,
        order=order,
        environments=environments,
    )


def scenario_from_toml(path_or_text: str | Path) -> Scenario:
    """Read a scenario from a TOML file path or TOML text."""
    return scenario_from_dict(read_toml(path_or_text))


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return (
            "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
        )
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def scenario_to_toml(sc: Scenario) -> str:
    """Write a scenario as TOML text; :func:`scenario_from_toml` reads it back."""
    lines = [
        f"id = {_toml_value(sc.id)}",
        f"title = {_toml_value(sc.title)}",
        f"summary = {_toml_value(sc.summary)}",
        f"target = {_toml_value(sc.target)}",
        f"features = {_toml_value(list(sc.features))}",
        f"default_n = {sc.default_n}",
        f"order = {sc.order}",
        f"story = {_toml_value(sc.story)}",
    ]
    for name, body in sc.scm.to_dict()["nodes"].items():
        lines.append("")
        lines.append(f"[nodes.{_toml_key(name)}]")
        lines.extend(f"{k} = {_toml_value(v)}" for k, v in body.items())
    for name, preset in sc.presets.items():
        lines.append("")
        lines.append(f"[presets.{_toml_key(name)}]")
        if preset.description:
            lines.append(f"description = {_toml_value(preset.description)}")
        if sc.preset_why.get(name):
            lines.append(f"why = {_toml_value(sc.preset_why[name])}")
        lines.append("interventions = [")
        lines.extend(f"  {_toml_value(iv.to_dict())}," for iv in preset)
        lines.append("]")
    for env in sc.environments:
        body = env.to_dict()
        lines.append("")
        lines.append(f"[environments.{_toml_key(env.name)}]")
        lines.append(f"n = {body['n']}")
        if "description" in body:
            lines.append(f"description = {_toml_value(body['description'])}")
        if "default" in body:
            lines.append(f"default = {_toml_value(body['default'])}")
        lines.append("interventions = [")
        lines.extend(f"  {_toml_value(iv)}," for iv in body["interventions"])
        lines.append("]")
    return "\n".join(lines) + "\n"


@lru_cache(maxsize=32)
def _load_builtin(path: Path, mtime: float) -> Scenario:
    try:
        return scenario_from_toml(path)
    except ScenarioError as exc:
        raise exc.within(path.name) from None


def _scan() -> tuple[list[str], dict[str, str]]:
    found, problems = [], {}
    for path in sorted(SCENARIO_DIR.glob("*.toml")):
        try:
            sc = _load_builtin(path, path.stat().st_mtime)
        except ScenarioError as exc:
            problems[path.name] = str(exc)
            continue
        found.append((sc.order, sc.id))
    return [sid for _, sid in sorted(found)], problems


def list_scenarios() -> list[str]:
    """Ids of the valid built-in scenarios, in picker order.

    A broken file is left out (see :func:`scenario_problems`) so that one bad
    file cannot take the others down.
    """
    return _scan()[0]


def scenario_problems() -> dict[str, str]:
    """File name -> error, for every built-in scenario file that does not load."""
    return _scan()[1]


def load_scenario(scenario_id: str) -> Scenario:
    """Load a built-in scenario by id (e.g. ``"ldopa"``).

    Raises
    ------
    ScenarioError
        If there is no such scenario (with a "did you mean").
    """
    path = SCENARIO_DIR / f"{scenario_id}.toml"
    if not isinstance(scenario_id, str) or not _ID_RE.fullmatch(scenario_id) or not path.is_file():
        known = list_scenarios()
        raise ScenarioError(
            f"no scenario `{scenario_id}`{did_you_mean(str(scenario_id), known) or '.'} "
            f"Available: {', '.join(known)}."
        )
    sc = _load_builtin(path, path.stat().st_mtime)
    if sc.id != scenario_id:
        raise ScenarioError(f"{path.name}: its id is `{sc.id}`, not `{scenario_id}`.")
    return sc
