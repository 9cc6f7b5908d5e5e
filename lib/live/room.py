"""Where the room stood: a live class's answers to one question, counted.

A bar per option for a choice, a bar per variable for a set (how many picked
it), a bin per range for a number. After the reveal the lab's answer is
marked: its option, its variables, or the bin of the true number. The chart
itself is :func:`lib.figures.live.room_figure`, fed the plain counts made here.

>>> from lib.teach.lessons import Prediction
>>> r = room(Prediction("verdict", "Does it hold?"), ["broke", "broke", "held"], truth="broke")
>>> r.counts, r.marked, r.answered
([1, 0, 2], frozenset({2}), 3)
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from lib.teach.lessons import (
    NOTHING,
    Answer,
    Prediction,
    judge,
    number_range,
    option_label,
    options,
)

__all__ = ["RATIO_EDGES", "Room", "matched", "room", "room_counts"]

#: Edges of a ratio's bins: ×0 to ×1000, ×0.8 to ×1.25 for "it holds", then doubling.
RATIO_EDGES = (0.0, 0.8, 1.25, 2, 4, 8, 16, 50, 1000)
#: Bins of an R² (5) and of a correlation (8).
_LEVEL_BINS = {"r2": 5, "correlation": 8}


@dataclass(frozen=True)
class Room:
    """The room's answers to one question, ready to draw.

    Attributes
    ----------
    labels : list of str
        One per bar, as the learner read the options (or a bin's range).
    counts : list of int
        Students per bar.
    marked : frozenset of int
        The bars of the lab's answer (empty before the reveal).
    answered : int
        How many answers were counted.
    note : str
        The lab's answer in a few words, for a number (``""`` otherwise).
    """

    labels: list[str]
    counts: list[int]
    marked: frozenset[int]
    answered: int
    note: str = ""


def room_counts(
    pred: Prediction, answers: Sequence[Any], features: Sequence[str] = ()
) -> dict[str, int]:
    """How many students gave each option (a choice) or picked each variable (a set),
    in the question's order, zeros included; for a number, each bin's count."""
    if pred.kind == "choice":
        got = Counter(a for a in answers if isinstance(a, str))
        return {o: got.get(o, 0) for o in options(pred, features)}
    if pred.kind == "set":
        got = Counter(v for a in answers if isinstance(a, list | tuple) for v in a)
        return {o: got.get(o, 0) for o in options(pred, features)}
    labels, counts, _ = _number_bins(pred, _numbers(answers))
    return dict(zip(labels, counts, strict=True))


def _numbers(answers: Sequence[Any]) -> np.ndarray:
    values = [float(a) for a in answers if isinstance(a, int | float) and not isinstance(a, bool)]
    return np.array([v for v in values if math.isfinite(v)], dtype=np.float64)


def _level(x: float) -> str:
    """An R² or a correlation as a bin's edge reads: ``0.25``, ``−0.5``, ``1``."""
    return f"{x:g}".replace("-", "−")


def _number_bins(pred: Prediction, values: np.ndarray) -> tuple[list[str], list[int], np.ndarray]:
    """Bins of a number's answers: labels, counts and edges."""
    if pred.measure == "ratio":
        edges = np.array(RATIO_EDGES, dtype=np.float64)
        labels = [f"×{a:g} to ×{b:g}" for a, b in zip(edges[:-1], edges[1:], strict=True)]
        labels[0], labels[-1] = f"under ×{edges[1]:g}", f"×{edges[-2]:g} or more"
    else:
        low, high, _ = number_range(pred)
        edges = np.round(np.linspace(low, high, _LEVEL_BINS.get(pred.measure, 5) + 1), 10)
        labels = [f"{_level(a)} to {_level(b)}" for a, b in zip(edges[:-1], edges[1:], strict=True)]
    counts, _ = np.histogram(np.clip(values, edges[0], edges[-1]), bins=edges)
    return labels, [int(c) for c in counts], edges


def room(
    pred: Prediction, answers: Sequence[Any], features: Sequence[str] = (), truth: Any = None
) -> Room:
    """The room's answers to ``pred``, with the lab's answer ``truth`` marked once it
    is revealed (``None`` before).

    Parameters
    ----------
    pred : Prediction
        The step's question.
    answers : sequence
        Every student's answer, as the store keeps it.
    features : sequence of str
        The candidates of an ``icp_causes`` question.
    truth : optional
        The lab's answer's value: an option, a set of variables or a number.
    """
    if pred.kind == "number":
        labels, counts, edges = _number_bins(pred, _numbers(answers))
        marked: set[int] = set()
        note = ""
        if truth is not None and math.isfinite(float(truth)):
            t = float(truth)
            at = int(np.searchsorted(edges, t, side="right")) - 1
            marked = {min(max(at, 0), len(edges) - 2)}
            note = f"The lab: ×{t:.2f}" if pred.measure == "ratio" else f"The lab: {t:+.2f}"
        return Room(labels, counts, frozenset(marked), len(answers), note)
    got = room_counts(pred, answers, features)
    marked = set()
    if truth is not None:
        right = set(truth) if pred.kind == "set" else {truth}
        if pred.kind == "set" and not right:
            right = {NOTHING}
        marked = {i for i, o in enumerate(got) if o in right}
    return Room(
        [option_label(pred, o) for o in got],
        list(got.values()),
        frozenset(marked),
        len(answers),
    )


def matched(pred: Prediction, answers: Sequence[Any], truth: Answer) -> int:
    """How many of the room's ``answers`` match the lab's answer, judged as one
    learner's is (:func:`lib.teach.lessons.judge`: a number within its margin)."""
    return sum(1 for a in answers if judge(pred, truth, a)[0])
