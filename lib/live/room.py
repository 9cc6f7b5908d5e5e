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

#: Edges of a ratio's bins: ×0 to ×1000, finer near ×1 where "it holds" lives.
RATIO_EDGES = (0.0, 0.5, 0.8, 1.25, 2, 3, 5, 8, 12, 20, 50, 100, 1000)


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
    axis : str
        What the bars are.
    note : str
        The lab's answer in a few words, for a number (``""`` otherwise).
    horizontal : bool
        Options read best as rows; a number's bins as columns.
    """

    labels: list[str]
    counts: list[int]
    marked: frozenset[int]
    answered: int
    axis: str
    note: str = ""
    horizontal: bool = True


def room_counts(pred: Prediction, answers: Sequence[Any], features: Sequence[str] = ()) -> dict:
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


def _number_bins(pred: Prediction, values: np.ndarray) -> tuple[list[str], list[int], np.ndarray]:
    """Bins of a number's answers: labels, counts and edges."""
    if pred.measure == "ratio":
        edges = np.array(RATIO_EDGES, dtype=np.float64)
        labels = [f"×{a:g}–{b:g}" for a, b in zip(edges[:-1], edges[1:], strict=True)]
    else:
        low, high, _ = number_range(pred)
        edges = np.round(np.linspace(low, high, 11), 10)
        form = "{:+.1f}" if low < 0 else "{:.1f}"
        labels = [
            f"{form.format(a)} to {form.format(b)}"
            for a, b in zip(edges[:-1], edges[1:], strict=True)
        ]
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
        axis = "Guesses (times the error before)" if pred.measure == "ratio" else "Guesses"
        return Room(labels, counts, frozenset(marked), len(answers), axis, note, horizontal=False)
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
        "Answers" if pred.kind == "choice" else "Variables picked",
    )


def matched(pred: Prediction, answers: Sequence[Any], truth: Answer) -> int:
    """How many of the room's ``answers`` match the lab's answer, judged as one
    learner's is (:func:`lib.teach.lessons.judge`: a number within its margin)."""
    return sum(1 for a in answers if judge(pred, truth, a)[0])
