"""Interventions: values that turn one structural causal model into another.

``Do("headache", 0.0)`` sets a node to a value and cuts it off from its causes;
``Shift("dopamine", 1.5)`` adds a constant to a node's mechanism;
``ScaleNoise("x", 3.0)`` spreads a node's random part; ``Replace("headache",
"0.2 * dopamine + normal(0, 0.3)")`` swaps in a new mechanism (which may read
other parents). Each takes a ``strength`` between 0 (no change) and 1 (the full
intervention), which is what the strength sweeps vary.

Apply them with :meth:`lib.world.scm.SCM.intervene` or ``SCM.sample(...,
interventions=...)``; the original model is never changed.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from lib.errors import ScenarioError
from lib.world.expressions import CompiledEquation
from lib.world.mechanisms import (
    BlendMechanism,
    ConstantMechanism,
    EquationMechanism,
    Mechanism,
    ShiftedMechanism,
)

__all__ = [
    "KINDS",
    "Do",
    "Intervention",
    "Preset",
    "Replace",
    "ScaleNoise",
    "Shift",
    "describe_all",
    "intervention_from_dict",
]

Compiler = Callable[[str], CompiledEquation]


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool | str | bytes):
        raise ScenarioError(f"{what} must be a number, not {value!r}.")
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise ScenarioError(f"{what} must be a number, not {value!r}.") from None
    if not math.isfinite(out):
        raise ScenarioError(f"{what} must be a finite number, not {value!r}.")
    return out


def _check_common(node: Any, strength: Any) -> float:
    if not isinstance(node, str) or not node:
        raise ScenarioError(f"an intervention needs a node name, not {node!r}.")
    s = _number(strength, "the strength")
    if not 0.0 <= s <= 1.0:
        raise ScenarioError(f"the strength must be between 0 and 1, not {s:g}.")
    return s


def _pct(s: float) -> str:
    return f"{100 * s:.0f}%"


class Intervention(ABC):
    """Base class: a change to one node's mechanism."""

    kind: ClassVar[str]
    node: str
    strength: float

    @abstractmethod
    def apply(self, mechanism: Mechanism, compile: Compiler) -> Mechanism:
        """The node's new mechanism, given its current one."""

    @abstractmethod
    def describe(self) -> str:
        """One plain sentence saying what the intervention does."""

    @property
    def label(self) -> str:
        """A short label, e.g. ``do(headache = 0)``."""
        return self.describe()

    @property
    def cuts_edges(self) -> bool:
        """Whether the node's incoming edges are cut (the graph is mutilated)."""
        return False

    def with_strength(self, strength: float) -> Intervention:
        """The same intervention at another strength (0 = none, 1 = full)."""
        return replace(self, strength=strength)  # type: ignore[type-var]

    def to_dict(self) -> dict[str, Any]:
        """A plain dict, as written in scenario files."""
        out: dict[str, Any] = {"kind": self.kind}
        for key, value in self.__dict__.items():
            if key == "strength" and value == 1.0:
                continue
            out[key] = value
        return out


@dataclass(frozen=True)
class Do(Intervention):
    """Set ``node`` to ``value`` for every unit, cutting it from its causes.

    At strength ``s < 1`` the node moves the fraction ``s`` of the way from its
    natural value to ``value`` (a soft intervention; its causes still act).
    """

    node: str
    value: float
    strength: float = 1.0
    kind: ClassVar[str] = "do"

    def __post_init__(self) -> None:
        object.__setattr__(self, "strength", _check_common(self.node, self.strength))
        object.__setattr__(self, "value", _number(self.value, f"do({self.node}) value"))

    def apply(self, mechanism: Mechanism, compile: Compiler) -> Mechanism:
        target = ConstantMechanism(self.value)
        if self.strength >= 1.0:
            return target
        if self.strength <= 0.0:
            return mechanism
        return BlendMechanism(mechanism, target, self.strength)

    @property
    def label(self) -> str:
        s = "" if self.strength == 1.0 else f" at {_pct(self.strength)}"
        return f"do({self.node} = {self.value:g}){s}"

    def describe(self) -> str:
        if self.strength >= 1.0:
            return (
                f"set `{self.node}` to {self.value:g} for everyone, "
                f"cutting it off from its usual causes"
            )
        return (
            f"move `{self.node}` {_pct(self.strength)} of the way to {self.value:g} "
            f"(its usual causes still act)"
        )

    @property
    def cuts_edges(self) -> bool:
        return self.strength >= 1.0


@dataclass(frozen=True)
class Shift(Intervention):
    """Add ``delta`` (times the strength) to ``node``'s mechanism."""

    node: str
    delta: float
    strength: float = 1.0
    kind: ClassVar[str] = "shift"

    def __post_init__(self) -> None:
        object.__setattr__(self, "strength", _check_common(self.node, self.strength))
        object.__setattr__(self, "delta", _number(self.delta, f"shift({self.node}) amount"))

    def apply(self, mechanism: Mechanism, compile: Compiler) -> Mechanism:
        delta = self.delta * self.strength
        return mechanism if delta == 0 else ShiftedMechanism(mechanism, delta)

    @property
    def label(self) -> str:
        return f"shift({self.node} {self.delta * self.strength:+g})"

    def describe(self) -> str:
        d = self.delta * self.strength
        verb = "add" if d >= 0 else "subtract"
        return f"{verb} {abs(d):g} to `{self.node}`, keeping its mechanism"


@dataclass(frozen=True)
class ScaleNoise(Intervention):
    """Multiply the spread of ``node``'s noise by ``factor``.

    Each noise draw keeps its mean; its deviation from the mean is scaled, so
    a Gaussian's standard deviation is multiplied by the factor. At strength
    ``s`` the multiplier is ``1 + s * (factor - 1)``.
    """

    node: str
    factor: float
    strength: float = 1.0
    kind: ClassVar[str] = "scale_noise"

    def __post_init__(self) -> None:
        object.__setattr__(self, "strength", _check_common(self.node, self.strength))
        f = _number(self.factor, f"noise factor of {self.node}")
        if f < 0:
            raise ScenarioError(f"the noise factor of `{self.node}` must be ≥ 0, not {f:g}.")
        object.__setattr__(self, "factor", f)

    @property
    def effective_factor(self) -> float:
        """The multiplier at this strength."""
        return 1.0 + self.strength * (self.factor - 1.0)

    def apply(self, mechanism: Mechanism, compile: Compiler) -> Mechanism:
        k = self.effective_factor
        return mechanism if k == 1.0 else mechanism.scale_noise(k)

    @property
    def label(self) -> str:
        return f"noise({self.node}) × {self.effective_factor:g}"

    def describe(self) -> str:
        return f"make the random part of `{self.node}` {self.effective_factor:g}× as spread out"


@dataclass(frozen=True)
class Replace(Intervention):
    """Swap ``node``'s mechanism for a new ``equation``.

    At strength ``s < 1`` the node is ``(1 - s) * old + s * new``.
    """

    node: str
    equation: str
    strength: float = 1.0
    kind: ClassVar[str] = "replace"

    def __post_init__(self) -> None:
        object.__setattr__(self, "strength", _check_common(self.node, self.strength))
        if not isinstance(self.equation, str):
            raise ScenarioError(f"the new equation for `{self.node}` must be text.")

    def apply(self, mechanism: Mechanism, compile: Compiler) -> Mechanism:
        new = EquationMechanism(compile(self.equation))
        if self.strength >= 1.0:
            return new
        if self.strength <= 0.0:
            return mechanism
        return BlendMechanism(mechanism, new, self.strength)

    @property
    def label(self) -> str:
        s = "" if self.strength == 1.0 else f" at {_pct(self.strength)}"
        return f"{self.node} := {self.equation}{s}"

    def describe(self) -> str:
        if self.strength >= 1.0:
            return f"replace the mechanism of `{self.node}` by `{self.equation}`"
        return (
            f"blend the mechanism of `{self.node}` {_pct(self.strength)} of the way "
            f"towards `{self.equation}`"
        )

    @property
    def cuts_edges(self) -> bool:
        return self.strength >= 1.0


#: Intervention classes by their ``kind`` in scenario files.
KINDS: dict[str, type[Intervention]] = {
    "do": Do,
    "shift": Shift,
    "scale_noise": ScaleNoise,
    "replace": Replace,
}
_VALUE_FIELD = {"do": "value", "shift": "delta", "scale_noise": "factor", "replace": "equation"}


def intervention_from_dict(spec: Mapping[str, Any], where: str = "intervention") -> Intervention:
    """Build an intervention from a scenario file's inline table.

    Parameters
    ----------
    spec : mapping
        ``{kind = "do", node = "x", value = 0}``, ``{kind = "shift", node, delta}``,
        ``{kind = "scale_noise", node, factor}`` or ``{kind = "replace", node,
        equation}``; each may add ``strength`` (0 to 1).
    where : str
        Where the spec came from, for error messages.

    Raises
    ------
    ScenarioError
        For an unknown kind or a missing or extra field.
    """
    if not isinstance(spec, Mapping):
        raise ScenarioError(f"{where}: an intervention must be a table like {{ kind = ..., ... }}.")
    kind = spec.get("kind")
    if kind not in KINDS:
        raise ScenarioError(
            f"{where}: unknown intervention kind {kind!r}; use one of {', '.join(KINDS)}."
        )
    field_name = _VALUE_FIELD[kind]
    allowed = {"kind", "node", field_name, "strength"}
    extra = sorted(set(spec) - allowed)
    if extra:
        raise ScenarioError(
            f"{where}: unknown field(s) {', '.join(extra)} for a {kind} intervention; "
            f"it takes node, {field_name} and optionally strength."
        )
    for needed in ("node", field_name):
        if needed not in spec:
            raise ScenarioError(f"{where}: a {kind} intervention needs `{needed}`.")
    kwargs = {k: v for k, v in spec.items() if k != "kind"}
    try:
        return KINDS[kind](**kwargs)
    except ScenarioError as exc:
        raise exc.within(where) from None


class Preset(tuple):  # noqa: SLOT001 - a tuple with a name
    """A named, immutable list of interventions (a scenario's preset).

    Attributes
    ----------
    name : str
    description : str
        What the preset stands for in the story (e.g. "patients take Tylenol").
    """

    name: str
    description: str

    def __new__(
        cls, name: str, interventions: Sequence[Intervention], description: str = ""
    ) -> Preset:
        obj = super().__new__(cls, interventions)
        obj.name = name
        obj.description = description
        return obj

    def with_strength(self, strength: float) -> Preset:
        """Every intervention at ``strength``."""
        return Preset(self.name, [iv.with_strength(strength) for iv in self], self.description)

    def __reduce__(self):  # noqa: ANN204 - pickling for caches
        return (Preset, (self.name, tuple(self), self.description))


def describe_all(interventions: Sequence[Intervention]) -> str:
    """Join the descriptions of several interventions into one sentence."""
    parts = [iv.describe() for iv in interventions]
    if not parts:
        return "no intervention"
    return "; ".join(parts)
