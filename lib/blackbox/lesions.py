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
- :func:`recentred_lesions` and :func:`only_one_units`: each unit held at its
  mean instead of silenced, which tells a lesion that moved the outputs'
  operating point from one that removed a computation;
- :func:`subset_lesions` and :func:`pair_lesions`: every pair or triple of
  units, and the sets that break a behaviour no smaller set within them breaks
  (interactions single lesions miss); :func:`lesion_search` counts them;
- :func:`experiments_needed`: the 2^N subsets an exhaustive map would lesion.
"""

from __future__ import annotations

import itertools
import math
from typing import NamedTuple

import numpy as np
import pandas as pd

from lib.blackbox.network import Network, behaviour_targets, forward, hidden_activity
from lib.errors import DataError

__all__ = [
    "BROKEN_DAMAGE",
    "CHIP_TRANSISTORS",
    "MAX_EXPERIMENTS",
    "MAX_PAIRS",
    "Experiments",
    "OnlyOne",
    "Search",
    "SearchRow",
    "behaviour_errors",
    "experiments_needed",
    "lesion_counts",
    "lesion_search",
    "only_one_units",
    "pair_lesions",
    "recentred_lesions",
    "single_lesions",
    "subset_lesions",
    "units_within",
]

#: A behaviour is broken when a lesion costs more than this share of its variance.
BROKEN_DAMAGE = 0.1
#: Most pairs of units :func:`pair_lesions` lesions by default.
MAX_PAIRS = 5000
#: Most sets of units one exhaustive search lesions (every triple of 32 units is 4,960).
MAX_EXPERIMENTS = 10_000
#: Words for a set of units of each size.
_SET_NAMES = {2: "pair", 3: "triple"}
#: The 6502 chip's transistors that Jonas and Kording lesioned one by one.
CHIP_TRANSISTORS = 3510
#: Days in a year, for :func:`experiments_needed`.
DAYS_PER_YEAR = 365.25


def _damage(
    net: Network, x: np.ndarray, masks: np.ndarray, fill: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Mean squared error and damage per mask and behaviour, each shape (m, 3)."""
    truth = behaviour_targets(x, net.behaviours)
    intact = np.mean((forward(net, x) - truth) ** 2, axis=0)
    variance = truth.var(axis=0)
    mse = np.mean((forward(net, x, masks, fill) - truth[None]) ** 2, axis=1)
    return mse, (mse - intact) / variance


def _set_damage(net: Network, x: np.ndarray, sets: np.ndarray) -> np.ndarray:
    """Damage of silencing each row of ``sets`` together, shape (len(sets), 3).

    The output is linear in the hidden activity, so silencing a set S of units
    subtracts ``Σ_{u∈S} h_u W2[u]`` from every output, and the squared error of
    the lesioned network is a quadratic form in the set:

        MSE_S − MSE = Σ_{u,v∈S} W2[u] W2[v] ⟨h_u h_v⟩ − 2 Σ_{u∈S} W2[u] ⟨h_u r⟩

    (per behaviour; ⟨·⟩ the mean over ``x``, r the intact network's residual).
    One table of the units' products (hidden × hidden) then gives every set's
    error exactly, without running each lesioned network on every input.
    """
    truth = behaviour_targets(x, net.behaviours)
    h = hidden_activity(net, x)
    residual = h @ net.W2 + net.b2 - truth
    n = len(x)
    gram = h.T @ h / n  # ⟨h_u h_v⟩
    # quad[u, v, j] = W2[u, j] W2[v, j] ⟨h_u h_v⟩; lin[u, j] = W2[u, j] ⟨h_u r_j⟩
    quad = net.W2[:, None, :] * net.W2[None, :, :] * gram[:, :, None]
    lin = net.W2 * (h.T @ residual / n)
    extra = np.zeros((len(sets), truth.shape[1]))
    for a in range(sets.shape[1]):
        extra += quad[sets[:, a], sets[:, a]] - 2.0 * lin[sets[:, a]]
        for b in range(a + 1, sets.shape[1]):
            extra += 2.0 * quad[sets[:, a], sets[:, b]]
    return extra / truth.var(axis=0)


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
    return _unit_frame(net, _single_damage(net, x))


def _unit_frame(net: Network, damage: np.ndarray) -> pd.DataFrame:
    """A tidy frame of unit × behaviour from a (hidden, behaviours) damage array."""
    k = len(net.behaviours)
    return pd.DataFrame(
        {
            "unit": np.repeat(np.arange(net.hidden), k),
            "behaviour": np.tile(np.array(net.behaviours, dtype=object), net.hidden),
            "damage": damage.ravel(),
            "broken": damage.ravel() > BROKEN_DAMAGE,
        }
    )


def recentred_lesions(net: Network, x: np.ndarray) -> pd.DataFrame:
    """Hold each hidden unit at its mean activity instead of silencing it.

    Silencing a unit removes two things from the output layer: what the unit
    computes (its variation across inputs) and the constant level it feeds
    downstream (its mean activity times its output weights), which sets the
    outputs' operating point. Re-centring removes only the first. A lesion
    that re-centring rescues broke the behaviour by moving the operating
    point, not by removing a computation the behaviour needs.

    Parameters
    ----------
    net : Network
        The trained network.
    x : ndarray, shape (n, 2)
        The inputs the behaviours are measured on (the means are taken over them).

    Returns
    -------
    DataFrame
        :func:`single_lesions`'s columns, plus ``mean_activity`` (the unit's
        mean over ``x``), for the re-centred units.
    """
    means = hidden_activity(net, x).mean(axis=0)
    damage = _damage(net, x, 1.0 - np.eye(net.hidden), fill=means)[1]
    frame = _unit_frame(net, damage)
    frame["mean_activity"] = np.repeat(means, len(net.behaviours))
    return frame


class OnlyOne(NamedTuple):
    """A unit whose silencing breaks exactly one behaviour, looked at twice.

    Attributes
    ----------
    unit : int
    behaviour : str
        The one behaviour its silencing breaks.
    silenced, recentred : float
        Its damage on that behaviour when silenced and when held at its mean.
    others : float
        The largest damage its silencing does to the other behaviours (under
        :data:`BROKEN_DAMAGE`, by definition, yet seldom zero).
    rescued : bool
        Re-centring leaves the behaviour unbroken.
    """

    unit: int
    behaviour: str
    silenced: float
    recentred: float
    others: float
    rescued: bool


def only_one_units(silenced: pd.DataFrame, recentred: pd.DataFrame) -> list[OnlyOne]:
    """The units whose silencing breaks one behaviour only, with their re-centred damage.

    Parameters
    ----------
    silenced : DataFrame
        :func:`single_lesions`'s frame.
    recentred : DataFrame
        :func:`recentred_lesions`'s frame of the same network and inputs.

    Returns
    -------
    list of OnlyOne
        In unit order.
    """
    behaviours = list(dict.fromkeys(silenced["behaviour"]))
    cut = silenced.pivot(index="unit", columns="behaviour", values="damage")[behaviours]
    held = recentred.pivot(index="unit", columns="behaviour", values="damage")[behaviours]
    out = []
    for unit, row in cut.iterrows():
        broken = [b for b in behaviours if row[b] > BROKEN_DAMAGE]
        if len(broken) != 1:
            continue
        b = broken[0]
        others = max((float(row[o]) for o in behaviours if o != b), default=0.0)
        after = float(held.loc[unit, b])
        out.append(OnlyOne(int(unit), b, float(row[b]), after, others, after <= BROKEN_DAMAGE))
    return out


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


def _subsets(hidden: int, size: int) -> np.ndarray:
    """Every set of ``size`` units as sorted rows, shape (C(hidden, size), size)."""
    combos = itertools.combinations(range(hidden), size)
    flat = np.fromiter(itertools.chain.from_iterable(combos), dtype=np.intp)
    return flat.reshape(-1, size)


def _check_search(hidden: int, size: int, max_experiments: int) -> int:
    """The experiments a search of every set of ``size`` units runs, or a DataError."""
    if size not in (2, 3):
        raise DataError("An exhaustive search here lesions pairs (2) or triples (3) of units.")
    count = math.comb(hidden, size)
    if count > max_experiments:
        raise DataError(
            f"Lesioning every {_SET_NAMES[size]} of {hidden} units means {count:,} "
            f"experiments, more than the {max_experiments:,} allowed here.",
            allowed=f"Use a network of at most {units_within(max_experiments, size)} hidden units.",
        )
    return count


def subset_lesions(
    net: Network, x: np.ndarray, size: int, max_experiments: int = MAX_EXPERIMENTS
) -> pd.DataFrame:
    """Silence every set of ``size`` units; keep the sets single lesions miss.

    Every set's error comes from one table of the units' products over ``x``
    (the output is linear in the hidden activity, so a lesioned network's
    squared error is a quadratic form in the set it silences). A set is kept for a
    behaviour when it breaks the behaviour (damage above :data:`BROKEN_DAMAGE`)
    while no smaller set of its units does: neither unit of a pair, and no
    unit nor pair of a triple.

    Parameters
    ----------
    net : Network
        The trained network.
    x : ndarray, shape (n, 2)
        The inputs the behaviours are measured on.
    size : int
        2 (pairs) or 3 (triples).
    max_experiments : int
        Most sets to lesion; more raises :class:`~lib.errors.DataError`.

    Returns
    -------
    DataFrame
        One row per set and behaviour: ``units`` (a tuple), ``behaviour``,
        ``damage`` (the set's), ``largest_part`` (the largest damage of a
        smaller set within it), ``sum_alone`` (the units' damages alone, added)
        and ``excess`` (``damage − sum_alone``). Sorted by ``damage``, largest
        first. The error is squared, so units whose contributions to an output
        point the same way give a positive excess without covering for each
        other: two equal contributions cost about four times either alone.
    """
    _check_search(net.hidden, size, max_experiments)
    return lesion_search(net, x, max_experiments, largest=size).found[size]


def _new_breaks(
    net: Network, sets: np.ndarray, damage: np.ndarray, part: np.ndarray, single: np.ndarray
) -> pd.DataFrame:
    """The sets that break a behaviour no smaller set within them breaks, as a frame."""
    kept = (damage > BROKEN_DAMAGE) & (part <= BROKEN_DAMAGE)
    p, k = np.nonzero(kept)
    frame = pd.DataFrame(
        {
            "units": [tuple(int(u) for u in row) for row in sets[p]],
            "behaviour": np.array(net.behaviours, dtype=object)[k],
            "damage": damage[p, k],
            "largest_part": part[p, k],
            "sum_alone": single[sets[p]].sum(axis=1)[np.arange(len(p)), k],
        }
    )
    frame["excess"] = frame["damage"] - frame["sum_alone"]
    return frame.sort_values("damage", ascending=False, kind="stable").reset_index(drop=True)


def pair_lesions(net: Network, x: np.ndarray, max_pairs: int = MAX_PAIRS) -> pd.DataFrame:
    """Silence every pair of hidden units; keep the pairs single lesions miss.

    :func:`subset_lesions` of size 2, with each pair's units in columns.

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
        ``excess`` (the pair's damage minus the sum of the two alone). Sorted
        by ``excess``, largest first.
    """
    found = subset_lesions(net, x, 2, max_pairs)
    single = _single_damage(net, x)
    names = list(net.behaviours)
    a = np.array([u[0] for u in found["units"]], dtype=np.intp)
    b = np.array([u[1] for u in found["units"]], dtype=np.intp)
    k = np.array([names.index(v) for v in found["behaviour"]], dtype=np.intp)
    frame = pd.DataFrame(
        {
            "unit_a": a,
            "unit_b": b,
            "behaviour": found["behaviour"].to_numpy(dtype=object),
            "damage_a": single[a, k],
            "damage_b": single[b, k],
            "damage_pair": found["damage"].to_numpy(),
            "excess": found["excess"].to_numpy(),
        }
    )
    return frame.sort_values("excess", ascending=False, kind="stable").reset_index(drop=True)


def units_within(max_experiments: int, size: int = 2) -> int:
    """The most units whose sets of ``size`` number at most ``max_experiments``."""
    h = size
    while math.comb(h + 1, size) <= max_experiments:
        h += 1
    return h


class SearchRow(NamedTuple):
    """One size of an exhaustive lesion search.

    Attributes
    ----------
    size : int
        Units silenced together.
    experiments : int
        Sets of that size: C(N, size).
    breaking : int
        Sets that break at least one behaviour.
    new : int
        Sets that break a behaviour no smaller set within them breaks.
    searched : bool
        False when the search was over the cap and not run (counts are 0).
    """

    size: int
    experiments: int
    breaking: int
    new: int
    searched: bool


class Search(NamedTuple):
    """An exhaustive lesion search: its counts, what it found, and what it left out.

    Attributes
    ----------
    rows : list of SearchRow
        Sizes 1 up to the largest asked for.
    found : dict of int to DataFrame
        For each size from 2 that was searched, the sets that break a behaviour
        no smaller set within them breaks (the columns of :func:`subset_lesions`).
    problem : str or None
        Why a size was not searched (over the cap), in words.
    """

    rows: list[SearchRow]
    found: dict[int, pd.DataFrame]
    problem: str | None


def lesion_search(
    net: Network, x: np.ndarray, max_experiments: int = MAX_EXPERIMENTS, largest: int = 3
) -> Search:
    """Single units, pairs and triples, each searched exhaustively within the cap.

    Each size's networks are measured once, every set's error from one table of
    the units' products (equal to running each lesioned network on ``x``, to
    rounding); the triples reuse the pairs' damages to find what no smaller set
    breaks.

    Parameters
    ----------
    net : Network
        The trained network.
    x : ndarray, shape (n, 2)
        The inputs the behaviours are measured on.
    max_experiments : int
        Most sets of one size to lesion; a size over it is listed unsearched.
    largest : int
        2 (up to pairs) or 3 (up to triples).

    Returns
    -------
    Search
    """
    h = net.hidden
    single = _single_damage(net, x)
    alone = int((single > BROKEN_DAMAGE).any(axis=1).sum())
    rows = [SearchRow(1, h, alone, alone, True)]
    found: dict[int, pd.DataFrame] = {}
    problem = None
    pair_damage = None  # (h, h, behaviours): the damage of each pair, by its two units
    for size in range(2, largest + 1):
        count = math.comb(h, size)
        try:
            _check_search(h, size, max_experiments)
        except DataError as exc:
            rows.append(SearchRow(size, count, 0, 0, False))
            problem = str(exc)
            break
        sets = _subsets(h, size)
        damage = _set_damage(net, x, sets)
        part = single[sets].max(axis=1)  # the largest damage of one unit alone
        if size == 2:
            pair_damage = np.zeros((h, h, single.shape[1]))
            pair_damage[sets[:, 0], sets[:, 1]] = damage
        else:
            assert pair_damage is not None
            for i, j in ((0, 1), (0, 2), (1, 2)):
                part = np.maximum(part, pair_damage[sets[:, i], sets[:, j]])
        broken = damage > BROKEN_DAMAGE
        new = (broken & (part <= BROKEN_DAMAGE)).any(axis=1)
        rows.append(SearchRow(size, count, int(broken.any(axis=1).sum()), int(new.sum()), True))
        found[size] = _new_breaks(net, sets, damage, part, single)
    return Search(rows, found, problem)


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
