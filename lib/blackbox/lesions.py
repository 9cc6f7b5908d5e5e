"""Lesions of a network's hidden units: what each breaks, and what pairs break.

A lesion silences hidden units (their activity is set to zero, see
:func:`lib.blackbox.network.forward`). Its effect on each behaviour is measured
on a set of inputs ``x`` against the behaviour's true function:

    damage = (MSE after the lesion − MSE of the intact network) / Var(behaviour on x)

that is, the share of the behaviour's variance the lesion costs. It is 0 for a
lesion that changes nothing, and 1 for a lesion that adds as much error as
replacing a perfect fit by the behaviour's mean. A ratio to the
intact network's error would be unstable: a network that fits well has a tiny
error, and any lesion multiplies it. A behaviour is **broken** when the damage
exceeds :data:`BROKEN_DAMAGE` (a tenth of its variance).

- :func:`behaviour_errors`: the error and damage of any set of masks;
- :func:`single_lesions` and :func:`lesion_counts`: every unit alone, and how
  many units break no behaviour, one, two or all three (the chip paper's counts);
- :func:`pair_lesions`: every pair of units, and the pairs that break a
  behaviour neither unit breaks alone (interactions single lesions miss);
- :func:`experiments_needed`: the 2^N subsets an exhaustive map would lesion.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import pandas as pd

from lib.blackbox.network import Network, behaviour_targets, forward
from lib.errors import DataError

__all__ = [
    "BROKEN_DAMAGE",
    "MAX_PAIRS",
    "Experiments",
    "behaviour_errors",
    "experiments_needed",
    "lesion_counts",
    "pair_lesions",
    "single_lesions",
]

#: A behaviour is broken when a lesion costs more than this share of its variance.
BROKEN_DAMAGE = 0.1
#: Most pairs of units :func:`pair_lesions` lesions by default.
MAX_PAIRS = 5000
#: Days in a year, for :func:`experiments_needed`.
DAYS_PER_YEAR = 365.25


def _damage(net: Network, x: np.ndarray, masks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean squared error and damage per mask and behaviour, each shape (m, 3)."""
    truth = behaviour_targets(x, net.behaviours)
    intact = np.mean((forward(net, x) - truth) ** 2, axis=0)
    variance = truth.var(axis=0)
    mse = np.mean((forward(net, x, masks) - truth[None]) ** 2, axis=1)
    return mse, (mse - intact) / variance


def behaviour_errors(net: Network, x: np.ndarray, masks: np.ndarray) -> pd.DataFrame:
    """Each lesioned network's error and damage on each behaviour.

    Parameters
    ----------
    net : Network
        The trained network.
    x : ndarray, shape (n, 2)
        The inputs the behaviours are measured on.
    masks : ndarray, shape (m, hidden)
        One row per lesion: 1 keeps a unit, 0 silences it.

    Returns
    -------
    DataFrame
        One row per mask and behaviour: ``mask`` (the row of ``masks``),
        ``behaviour``, ``mse`` (against the behaviour's true function),
        ``damage`` (the share of the behaviour's variance lost, see the module)
        and ``broken`` (damage above :data:`BROKEN_DAMAGE`).
    """
    mse, damage = _damage(net, x, masks)
    m, k = mse.shape
    return pd.DataFrame(
        {
            "mask": np.repeat(np.arange(m), k),
            "behaviour": np.tile(np.array(net.behaviours, dtype=object), m),
            "mse": mse.ravel(),
            "damage": damage.ravel(),
            "broken": damage.ravel() > BROKEN_DAMAGE,
        }
    )


def _single_damage(net: Network, x: np.ndarray) -> np.ndarray:
    """Damage of silencing each unit alone, shape (hidden, 3)."""
    return _damage(net, x, 1.0 - np.eye(net.hidden))[1]


def single_lesions(net: Network, x: np.ndarray) -> pd.DataFrame:
    """Silence each hidden unit alone: a tidy frame of unit × behaviour.

    Parameters
    ----------
    net : Network
        The trained network.
    x : ndarray, shape (n, 2)
        The inputs the behaviours are measured on.

    Returns
    -------
    DataFrame
        One row per unit and behaviour: ``unit``, ``behaviour``, ``damage`` and
        ``broken`` (damage above :data:`BROKEN_DAMAGE`).
    """
    damage = _single_damage(net, x)
    k = len(net.behaviours)
    return pd.DataFrame(
        {
            "unit": np.repeat(np.arange(net.hidden), k),
            "behaviour": np.tile(np.array(net.behaviours, dtype=object), net.hidden),
            "damage": damage.ravel(),
            "broken": damage.ravel() > BROKEN_DAMAGE,
        }
    )


def lesion_counts(frame: pd.DataFrame) -> pd.Series:
    """How many units break no behaviour, only one (per behaviour), two, or all.

    Parameters
    ----------
    frame : DataFrame
        :func:`single_lesions`'s frame (``unit``, ``behaviour``, ``broken``).

    Returns
    -------
    Series
        Counts of units, indexed ``"none"``, ``"only <behaviour>"`` for each
        behaviour in the frame's order, ``"two"`` and ``"all"`` (when there
        are three behaviours; in general every count from two up to all but
        one is ``"<count>"``). The counts add up to the number of units.
    """
    behaviours = list(dict.fromkeys(frame["behaviour"]))
    broken = frame.pivot(index="unit", columns="behaviour", values="broken")[behaviours]
    broken = broken.astype(bool)
    per_unit = broken.sum(axis=1)
    counts: dict[str, int] = {"none": int((per_unit == 0).sum())}
    for b in behaviours:
        counts[f"only {b}"] = int(((per_unit == 1) & broken[b]).sum())
    names = {2: "two"}
    for c in range(2, len(behaviours)):
        counts[names.get(c, str(c))] = int((per_unit == c).sum())
    counts["all"] = int((per_unit == len(behaviours)).sum())
    return pd.Series(counts, name="units")


def pair_lesions(net: Network, x: np.ndarray, max_pairs: int = MAX_PAIRS) -> pd.DataFrame:
    """Silence every pair of hidden units; keep the pairs single lesions miss.

    Every pair's network runs in one vectorised forward pass over masks
    (chunked, :func:`lib.blackbox.network.forward`).

    Parameters
    ----------
    net : Network
        The trained network.
    x : ndarray, shape (n, 2)
        The inputs the behaviours are measured on.
    max_pairs : int
        Most pairs to lesion; more raises :class:`~lib.errors.DataError`.

    Returns
    -------
    DataFrame
        One row per pair and behaviour where the pair breaks the behaviour
        while neither unit alone does: ``unit_a``, ``unit_b``, ``behaviour``,
        ``damage_a``, ``damage_b`` (each unit alone), ``damage_pair`` and
        ``excess`` (the pair's damage minus the sum of the two alone). The
        error is squared, so two units whose contributions to an output point
        the same way give a positive excess without covering for each other:
        for equal contributions the pair costs about four times either alone.
        Sorted by ``excess``, largest first.

    Raises
    ------
    DataError
        When the network has more than ``max_pairs`` pairs of units.
    """
    h = net.hidden
    n_pairs = h * (h - 1) // 2
    if n_pairs > max_pairs:
        raise DataError(
            f"Lesioning every pair of {h} units means {n_pairs:,} experiments, "
            f"more than the {max_pairs:,} allowed here.",
            allowed=f"Use a network of at most {_units_within(max_pairs)} hidden units.",
        )
    a, b = np.triu_indices(h, k=1)
    masks = np.ones((n_pairs, h))
    rows = np.arange(n_pairs)
    masks[rows, a] = 0.0
    masks[rows, b] = 0.0
    pair = _damage(net, x, masks)[1]
    single = _single_damage(net, x)
    redundant = (pair > BROKEN_DAMAGE) & (single[a] <= BROKEN_DAMAGE) & (single[b] <= BROKEN_DAMAGE)
    p, k = np.nonzero(redundant)
    frame = pd.DataFrame(
        {
            "unit_a": a[p],
            "unit_b": b[p],
            "behaviour": np.array(net.behaviours, dtype=object)[k],
            "damage_a": single[a[p], k],
            "damage_b": single[b[p], k],
            "damage_pair": pair[p, k],
        }
    )
    frame["excess"] = frame["damage_pair"] - frame["damage_a"] - frame["damage_b"]
    return frame.sort_values("excess", ascending=False, kind="stable").reset_index(drop=True)


def _units_within(max_pairs: int) -> int:
    """The most units whose pairs number at most ``max_pairs``."""
    h = 1
    while (h + 1) * h // 2 <= max_pairs:
        h += 1
    return h


class Experiments(NamedTuple):
    """How long an exhaustive lesion map would take.

    Attributes
    ----------
    experiments : int
        Subsets of the units to lesion: 2^N (exact, however large).
    years : float
        At one experiment a day; ``inf`` when too large for a float.
    log10_years : float
        The same in powers of ten, finite for any N.
    """

    experiments: int
    years: float
    log10_years: float


def experiments_needed(n_units: int) -> Experiments:
    """The 2^N lesion experiments an exhaustive map of N units needs, in years.

    Parameters
    ----------
    n_units : int
        Units (or transistors) that could each be lesioned or not.

    Returns
    -------
    Experiments
        The number of experiments and the years at one experiment a day.
    """
    if n_units < 0:
        raise DataError("The number of units cannot be negative.")
    count = 2**n_units
    log10_years = n_units * math.log10(2) - math.log10(DAYS_PER_YEAR)
    years = count / DAYS_PER_YEAR if log10_years < 300 else math.inf
    return Experiments(experiments=count, years=years, log10_years=log10_years)
