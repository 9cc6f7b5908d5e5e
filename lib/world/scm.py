"""Structural causal models: a graph plus one mechanism per node.

>>> scm = SCM.from_dict(
...     {"nodes": {"x": {"equation": "normal(0, 1)"}, "y": {"equation": "2 * x + normal(0, 1)"}}}
... )
>>> scm.nodes
('x', 'y')
>>> df = scm.sample(1000, seed=0)

The graph is derived from the names each equation reads; a cycle is a
:class:`~lib.errors.ScenarioError` naming it. Models are immutable:
:meth:`SCM.intervene` returns a new model and leaves the original untouched.
"""

from __future__ import annotations

import keyword
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from lib.errors import ExpressionError, ScenarioError, did_you_mean
from lib.world.expressions import CONSTANTS, FUNCTIONS, NOISE, compile_equation
from lib.world.interventions import Intervention
from lib.world.mechanisms import (
    BlendMechanism,
    ConstantMechanism,
    EquationMechanism,
    Mechanism,
    ShiftedMechanism,
    node_rng,
)
from lib.world.toml_io import read_toml

__all__ = [
    "MAX_NODES",
    "MAX_ROWS",
    "MAX_SAMPLE_SECONDS",
    "MAX_SAMPLE_WORK",
    "SCM",
    "NodeSpec",
    "NonFiniteError",
    "ScenarioError",
    "check_name",
]

#: Most nodes in one model.
MAX_NODES = 60
#: Most rows in one sample.
MAX_ROWS = 5_000_000
#: Most CPU time a whole sample may use, in seconds of the sampling thread's CPU
#: time (each equation also has its own limit); never the wall clock, which runs
#: on while a busy server serves other sessions.
MAX_SAMPLE_SECONDS = 10.0
#: Work one sample of a world should cost at most (the cost per row of all its
#: equations times rows, in the units of :data:`lib.world.expressions.MAX_WORK`). One
#: unit is about 0.4 ns of numpy time on a 2-core machine, so this is about 0.2 s:
#: a page that draws several samples still answers within seconds.
#: :meth:`SCM.max_rows` turns it into the most rows a page should offer.
MAX_SAMPLE_WORK = 5e8
_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")


class NonFiniteError(ScenarioError):
    """Sampling produced NaN or infinite values in some node."""

    node: str  # always set

    def __init__(self, node: str, count: int, n: int, equation: str) -> None:
        super().__init__(
            f"node `{node}`: {count:,} of {n:,} rows are not finite numbers (NaN or ±inf) "
            f"from `{equation}`. Check for log or sqrt of negative numbers, division by "
            f"zero, or values too large (e.g. exp of a big number).",
            node=node,
        )
        self.count, self.n, self.equation = count, n, equation


@dataclass(frozen=True)
class NodeSpec:
    """One node as written in a scenario.

    Attributes
    ----------
    name : str
        A short identifier (letters, digits, underscores).
    equation : str
        Its mechanism, e.g. ``"0.8 * dopamine + normal(0, 0.3)"``.
    unit : str
        Unit shown on axes, e.g. ``"mg/day"``.
    description : str
        One line saying what it is.
    observed : bool
        False for a latent variable: it is simulated, but a real study would
        not see it, so no model may use it.
    measures : str or None
        Name of the node this one is a (noisy) measurement of, if any.
    """

    name: str
    equation: str
    unit: str = ""
    description: str = ""
    observed: bool = True
    measures: str | None = None


def check_name(name: Any) -> str:
    """Return ``name`` if it is a valid node name, else raise a ScenarioError saying why."""
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        raise ScenarioError(
            f"node name {name!r} is not valid: use a letter then letters, digits or "
            f"underscores (at most 40), e.g. `blood_pressure`."
        )
    if keyword.iskeyword(name) or name in FUNCTIONS or name in NOISE or name in CONSTANTS:
        raise ScenarioError(f"node name `{name}` is reserved (a keyword, function or constant).")
    return name


class SCM:
    """An immutable structural causal model.

    Parameters
    ----------
    specs : sequence of NodeSpec
        The nodes, in any order (the graph fixes the sampling order).

    Raises
    ------
    ScenarioError
        For a bad name, an equation error (which node, which column), or a cycle.
    """

    def __init__(self, specs: Sequence[NodeSpec]) -> None:
        specs = list(specs)
        if not specs:
            raise ScenarioError("a model needs at least one node.")
        if len(specs) > MAX_NODES:
            raise ScenarioError(f"a model can have at most {MAX_NODES} nodes, not {len(specs)}.")
        seen: set[str] = set()
        for spec in specs:
            check_name(spec.name)
            if spec.name in seen:
                raise ScenarioError(f"node `{spec.name}` is defined twice.", node=spec.name)
            seen.add(spec.name)
        names = [s.name for s in specs]
        for spec in specs:
            if spec.measures == spec.name:
                raise ScenarioError(f"node `{spec.name}` cannot measure itself.", node=spec.name)
            if spec.measures is not None and spec.measures not in seen:
                raise ScenarioError(
                    f"node `{spec.name}` measures `{spec.measures}`, which is not a node"
                    f"{did_you_mean(spec.measures, names)}",
                    node=spec.name,
                )
        mechanisms: dict[str, Mechanism] = {}
        for spec in specs:
            try:
                eq = compile_equation(spec.equation, names)
            except ExpressionError as exc:
                raise exc.within(f"node `{spec.name}`", ScenarioError, node=spec.name) from None
            mechanisms[spec.name] = EquationMechanism(eq)
        self._specs: dict[str, NodeSpec] = {s.name: s for s in specs}
        self._order_hint = {name: i for i, name in enumerate(names)}
        self._interventions: tuple[Intervention, ...] = ()
        self._intervened: dict[tuple[Intervention, ...], SCM] = {}
        self._set_mechanisms(mechanisms)
        self._original_graph = self._graph

    # -- construction -------------------------------------------------------
    def _set_mechanisms(self, mechanisms: dict[str, Mechanism]) -> None:
        graph = nx.DiGraph()
        graph.add_nodes_from(self._specs)
        for name, mech in mechanisms.items():
            graph.add_edges_from((parent, name) for parent in sorted(mech.parents))
        try:
            cycle = nx.find_cycle(graph)
        except nx.NetworkXNoCycle:
            cycle = None
        if cycle:
            path = " → ".join([edge[0] for edge in cycle] + [cycle[0][0]])
            raise ScenarioError(
                f"the equations form a cycle: {path}. A cause cannot depend on its effect."
            )
        self._mechanisms = mechanisms
        self._graph = nx.freeze(graph)
        self._nodes = tuple(
            nx.lexicographical_topological_sort(graph, key=lambda n: f"{self._order_hint[n]:05d}")
        )

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> SCM:
        """Build from ``{"nodes": {name: {"equation": ..., "unit": ...}, ...}}``.

        A node may also be given as just its equation text. Fields: ``equation``
        (required), ``unit``, ``description``, ``observed`` (default true),
        ``measures``.
        """
        if not isinstance(spec, Mapping) or "nodes" not in spec:
            raise ScenarioError("a model needs a [nodes] table, one entry per node.")
        nodes = spec["nodes"]
        if not isinstance(nodes, Mapping) or not nodes:
            raise ScenarioError("[nodes] must list at least one node.")
        return cls([_node_from_dict(name, body) for name, body in nodes.items()])

    @classmethod
    def from_toml(cls, path_or_text: str | Path) -> SCM:
        """Build from a TOML file path or TOML text with a ``[nodes.*]`` table per node."""
        return cls.from_dict(read_toml(path_or_text))

    def intervene(self, *interventions: Intervention) -> SCM:
        """A new model with the interventions applied in order; this one is untouched.

        Both are immutable, so the model keeps the last :data:`_INTERVENED_KEPT` it
        made and gives the same one for equal interventions (a sweep's strengths, a
        page's new seed: each compiled and checked once).

        Raises
        ------
        ScenarioError
            If an intervention names an unknown node, its new equation is
            invalid, or it creates a cycle.
        """
        if not interventions:
            return self
        kept = self.__dict__.setdefault("_intervened", {})  # (a copy made without __init__)
        try:  # the model is immutable: the same interventions give the same model
            return kept[interventions]
        except (KeyError, TypeError):  # not seen, or not hashable
            pass
        mechanisms = dict(self._mechanisms)
        names = list(self._specs)
        for iv in interventions:
            if not isinstance(iv, Intervention):
                raise ScenarioError(
                    f"{iv!r} is not an intervention (Do, Shift, ScaleNoise, Replace)."
                )
            if iv.node not in mechanisms:
                raise ScenarioError(
                    f"cannot intervene on `{iv.node}`: no such node"
                    f"{did_you_mean(iv.node, names) or '.'}",
                    name=iv.node,
                )

            def compile_for(text: str, node: str = iv.node) -> Any:
                try:
                    return compile_equation(text, names)
                except ExpressionError as exc:
                    raise exc.within(
                        f"new mechanism for `{node}`", ScenarioError, node=node
                    ) from None

            mechanisms[iv.node] = iv.apply(mechanisms[iv.node], compile_for)
        new = object.__new__(SCM)
        new._specs = self._specs
        new._order_hint = self._order_hint
        new._original_graph = self._original_graph
        new._interventions = self._interventions + tuple(interventions)
        new._intervened = {}
        new._set_mechanisms(mechanisms)
        try:
            while len(kept) >= _INTERVENED_KEPT:
                kept.pop(next(iter(kept)), None)
            kept[interventions] = new
        except (TypeError, RuntimeError, StopIteration):  # unhashable, or another thread's
            pass
        return new

    # -- what it is ------------------------------------------------------------
    @property
    def nodes(self) -> tuple[str, ...]:
        """Node names in topological order (causes before effects)."""
        return self._nodes

    @property
    def graph(self) -> nx.DiGraph:
        """The causal graph (frozen); after an intervention, the mutilated one."""
        return self._graph

    @property
    def original_graph(self) -> nx.DiGraph:
        """The graph before any intervention."""
        return self._original_graph

    @property
    def specs(self) -> dict[str, NodeSpec]:
        """The nodes as written (before interventions)."""
        return dict(self._specs)

    @property
    def interventions(self) -> tuple[Intervention, ...]:
        """Interventions applied so far, in order."""
        return self._interventions

    @property
    def intervened_nodes(self) -> tuple[str, ...]:
        """Nodes whose mechanism an intervention changed."""
        return tuple(dict.fromkeys(iv.node for iv in self._interventions))

    @property
    def cut_edges(self) -> list[tuple[str, str]]:
        """Edges of the original graph that interventions removed."""
        return [e for e in self._original_graph.edges if not self._graph.has_edge(*e)]

    @property
    def units(self) -> dict[str, str]:
        """Unit of each node (empty string when none)."""
        return {n: s.unit for n, s in self._specs.items()}

    @property
    def observed(self) -> tuple[str, ...]:
        """Observed nodes, in topological order."""
        return tuple(n for n in self._nodes if self._specs[n].observed)

    @property
    def latent(self) -> tuple[str, ...]:
        """Latent (unobserved) nodes, in topological order."""
        return tuple(n for n in self._nodes if not self._specs[n].observed)

    @property
    def cost_per_row(self) -> float:
        """Work one row of a sample costs: the sum of every mechanism's cost per row.

        In the units of :data:`lib.world.expressions.MAX_WORK` (about 0.4 ns each);
        interventions count (a ``Do`` costs nothing, a blend both its parts).
        """
        return float(sum(_mechanism_cost(m) for m in self._mechanisms.values()))

    def max_rows(self) -> int:
        """Most rows one sample should have, so that it costs at most :data:`MAX_SAMPLE_WORK`.

        At most :data:`MAX_ROWS`; at least 1.

        >>> SCM.from_dict({"nodes": {"x": "normal(0, 1)"}}).max_rows() == MAX_ROWS
        True
        """
        cost = self.cost_per_row
        if cost <= 0:
            return MAX_ROWS
        return max(1, min(MAX_ROWS, int(MAX_SAMPLE_WORK // cost)))

    def mechanism(self, node: str) -> str:
        """The current mechanism of ``node`` as a readable equation."""
        return self._mechanisms[node].describe()

    def to_dict(self) -> dict[str, Any]:
        """The original nodes as a plain dict (``from_dict`` round-trips it)."""
        out: dict[str, Any] = {}
        for name, s in self._specs.items():
            body: dict[str, Any] = {"equation": s.equation}
            if s.unit:
                body["unit"] = s.unit
            if s.description:
                body["description"] = s.description
            if not s.observed:
                body["observed"] = False
            if s.measures:
                body["measures"] = s.measures
            out[name] = body
        return {"nodes": out}

    def __repr__(self) -> str:
        extra = f", interventions={len(self._interventions)}" if self._interventions else ""
        return f"SCM(nodes={list(self._nodes)}{extra})"

    # -- sampling ---------------------------------------------------------------
    def sample(
        self,
        n: int,
        seed: int = 0,
        interventions: Iterable[Intervention] = (),
    ) -> pd.DataFrame:
        """Draw ``n`` units.

        Parameters
        ----------
        n : int
            Number of rows (1 to ``MAX_ROWS``).
        seed : int
            Non-negative seed; the same seed gives the same numbers everywhere.
            Each node has its own stream, so samples with and without an
            intervention share every node's noise: they are paired.
        interventions : iterable of Intervention
            Applied (to a copy) before sampling.

        Returns
        -------
        pandas.DataFrame
            One float64 column per node, in topological order: the simulator's
            whole truth, unobserved nodes included. ``frame.attrs["latent"]``
            names the unobserved columns, so that tools which pick columns by
            themselves (:func:`lib.invariance.icp`) leave them out. What a study
            would see is :meth:`lib.world.scenarios.Scenario.sample`.

        Raises
        ------
        NonFiniteError
            If a node produced NaN or infinite values (naming the node and count).
        """
        ivs = tuple(interventions)
        if ivs:
            return self.intervene(*ivs).sample(n, seed)
        n = _check_int(n, "n", 1, MAX_ROWS)
        seed = _check_int(seed, "seed", 0, 2**63 - 1)
        out = np.empty((n, len(self._nodes)), dtype=np.float64, order="F")
        env: dict[str, np.ndarray] = {}
        started = time.thread_time()
        for j, name in enumerate(self._nodes):
            # Each equation has its own limit (lib.world.expressions.MAX_EVAL_SECONDS); a
            # model with many slow equations must not hold the server either.
            if j and time.thread_time() - started > MAX_SAMPLE_SECONDS:
                raise ScenarioError(
                    f"sampling {n:,} rows took longer than {MAX_SAMPLE_SECONDS:g} s of computing "
                    f"and was "
                    f"stopped before node `{name}`: use fewer rows or simpler equations."
                )
            mech = self._mechanisms[name]
            values = mech.evaluate(env, n, partial(node_rng, seed, name))
            col = out[:, j]
            col[:] = values
            del values
            # A finite sum means every value is finite (NaN and inf propagate); only
            # count when it is not (or when huge values overflowed the sum).
            with np.errstate(over="ignore", invalid="ignore"):
                total = col.sum()
            if not np.isfinite(total):
                bad = n - int(np.count_nonzero(np.isfinite(col)))
                if bad:
                    raise NonFiniteError(name, bad, n, mech.describe())
            env[name] = col
        frame = pd.DataFrame(out, columns=list(self._nodes), copy=False)
        frame.attrs["latent"] = self.latent
        return frame


#: Intervened models each model keeps (:meth:`SCM.intervene` with the same interventions
#: returns the same model: a sweep over strengths, or a page's new seed, compiles and
#: checks each intervened model once).
_INTERVENED_KEPT = 64


def _mechanism_cost(mech: Mechanism) -> float:
    """Work per row of one mechanism (its equations' costs, see :data:`MAX_SAMPLE_WORK`)."""
    if isinstance(mech, EquationMechanism):
        return float(mech.equation.cost)
    if isinstance(mech, ShiftedMechanism):
        return _mechanism_cost(mech.inner) + 1.0
    if isinstance(mech, BlendMechanism):
        return _mechanism_cost(mech.old) + _mechanism_cost(mech.new) + 3.0
    if isinstance(mech, ConstantMechanism):
        return 1.0
    return 0.0


def _check_int(value: Any, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise ScenarioError(f"{what} must be a whole number, not {value!r}.")
    value = int(value)
    if not low <= value <= high:
        raise ScenarioError(f"{what} must be between {low:,} and {high:,}, not {value:,}.")
    return value


_NODE_FIELDS = {"equation", "unit", "description", "observed", "measures"}


def _node_from_dict(name: Any, body: Any) -> NodeSpec:
    name = check_name(name)
    if isinstance(body, str):
        return NodeSpec(name, body)
    if not isinstance(body, Mapping):
        raise ScenarioError(f"node `{name}`: expected a table with an `equation`.", node=name)
    extra = sorted(set(body) - _NODE_FIELDS)
    if extra:
        raise ScenarioError(
            node=name,
            message=f"node `{name}`: unknown field(s) {', '.join(extra)}; "
            f"allowed: {', '.join(sorted(_NODE_FIELDS))}.",
        )
    if "equation" not in body:
        raise ScenarioError(f"node `{name}`: missing `equation`.", node=name)
    for key in ("equation", "unit", "description"):
        if key in body and not isinstance(body[key], str):
            raise ScenarioError(f"node `{name}`: `{key}` must be text.", node=name)
    observed = body.get("observed", True)
    if not isinstance(observed, bool):
        raise ScenarioError(f"node `{name}`: `observed` must be true or false.", node=name)
    measures = body.get("measures")
    if measures is not None and not isinstance(measures, str):
        raise ScenarioError(f"node `{name}`: `measures` must be a node name.", node=name)
    return NodeSpec(
        name=name,
        equation=body["equation"],
        unit=body.get("unit", ""),
        description=body.get("description", ""),
        observed=observed,
        measures=measures,
    )
