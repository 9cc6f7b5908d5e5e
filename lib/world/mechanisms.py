"""Mechanisms: how one node of a structural causal model gets its value.

A node's mechanism is an equation (compiled by :mod:`lib.world.expressions`); an
intervention turns it into another mechanism: a constant (``Do``), the same
mechanism plus a constant (``Shift``), the same mechanism with its noise spread
scaled (``ScaleNoise``), a new equation (``Replace``), or, at partial
strength, a blend of the old and the new.

Each node draws its noise from its own random stream, derived from the sample
seed and the node's name. So the same seed gives the same noise for every node
whatever is done to the other nodes, and "before" and "after" samples are
paired unit by unit: what differs is only what the intervention changed.
"""

from __future__ import annotations

import hashlib
import struct
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import numpy as np

from lib.world.expressions import CompiledEquation

__all__ = [
    "BlendMechanism",
    "ConstantMechanism",
    "EquationMechanism",
    "Mechanism",
    "ShiftedMechanism",
    "node_rng",
]

RngFactory = Callable[[], np.random.Generator]


def node_rng(seed: int, name: str) -> np.random.Generator:
    """The random stream of node ``name`` for sample ``seed``.

    Parameters
    ----------
    seed : int
        The sample's seed (non-negative).
    name : str
        The node's name.
    """
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return np.random.default_rng([int(seed), *struct.unpack("<4I", digest[:16])])


class Mechanism(ABC):
    """How a node's value is computed from its parents and its own noise."""

    @property
    @abstractmethod
    def parents(self) -> frozenset[str]:
        """Names the mechanism reads."""

    @abstractmethod
    def evaluate(self, env: Mapping[str, np.ndarray], n: int, rng: RngFactory) -> np.ndarray:
        """Values for ``n`` rows; ``rng()`` gives a fresh copy of the node's stream."""

    @abstractmethod
    def describe(self) -> str:
        """The mechanism as an equation a person can read."""

    @abstractmethod
    def scale_noise(self, factor: float) -> Mechanism:
        """A copy whose noise spread is multiplied by ``factor``."""


@dataclass(frozen=True)
class EquationMechanism(Mechanism):
    """A compiled equation, with a noise-spread multiplier."""

    equation: CompiledEquation
    noise_scale: float = 1.0

    @property
    def parents(self) -> frozenset[str]:
        return self.equation.names

    def evaluate(self, env: Mapping[str, np.ndarray], n: int, rng: RngFactory) -> np.ndarray:
        gen = rng() if self.equation.has_noise else None
        return self.equation.evaluate(env, n, gen, self.noise_scale)

    def describe(self) -> str:
        if self.noise_scale == 1.0 or not self.equation.has_noise:
            return self.equation.text
        return f"{self.equation.text}   [noise × {self.noise_scale:g}]"

    def scale_noise(self, factor: float) -> Mechanism:
        return replace(self, noise_scale=self.noise_scale * factor)


@dataclass(frozen=True)
class ConstantMechanism(Mechanism):
    """The same value for every unit (the result of a full ``Do``)."""

    value: float

    @property
    def parents(self) -> frozenset[str]:
        return frozenset()

    def evaluate(self, env: Mapping[str, np.ndarray], n: int, rng: RngFactory) -> np.ndarray:
        return np.full(n, self.value, dtype=np.float64)

    def describe(self) -> str:
        return f"{self.value:g}"

    def scale_noise(self, factor: float) -> Mechanism:
        return self


@dataclass(frozen=True)
class ShiftedMechanism(Mechanism):
    """Another mechanism plus a constant."""

    inner: Mechanism
    delta: float

    @property
    def parents(self) -> frozenset[str]:
        return self.inner.parents

    def evaluate(self, env: Mapping[str, np.ndarray], n: int, rng: RngFactory) -> np.ndarray:
        out = self.inner.evaluate(env, n, rng)
        return out + self.delta

    def describe(self) -> str:
        sign = "+" if self.delta >= 0 else "-"
        return f"({self.inner.describe()}) {sign} {abs(self.delta):g}"

    def scale_noise(self, factor: float) -> Mechanism:
        return replace(self, inner=self.inner.scale_noise(factor))


@dataclass(frozen=True)
class BlendMechanism(Mechanism):
    """``(1 - s) * old + s * new``: an intervention at partial strength ``s``.

    Both parts draw from the node's own stream from its start, so where they
    use the same kind of noise they share it, and the blend moves smoothly
    from the old mechanism to the new one.
    """

    old: Mechanism
    new: Mechanism
    strength: float

    @property
    def parents(self) -> frozenset[str]:
        return self.old.parents | self.new.parents

    def evaluate(self, env: Mapping[str, np.ndarray], n: int, rng: RngFactory) -> np.ndarray:
        s = self.strength
        out = self.old.evaluate(env, n, rng)
        out = out * (1.0 - s)
        out += s * self.new.evaluate(env, n, rng)
        return out

    def describe(self) -> str:
        s = self.strength
        return f"{1 - s:g} × ({self.old.describe()}) + {s:g} × ({self.new.describe()})"

    def scale_noise(self, factor: float) -> Mechanism:
        return replace(self, old=self.old.scale_noise(factor), new=self.new.scale_noise(factor))
