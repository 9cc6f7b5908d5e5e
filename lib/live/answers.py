"""A student's answer in a live class: checked against the step's question.

The class's store keeps any small JSON value; what a value may be is the
lesson's business. :func:`check_answer` turns what a student's widget sent into
the one form the store keeps (a choice as its option, a set as a sorted list,
a number as a float), or refuses it with a :class:`~lib.errors.ClassError`.
Everything a student sends goes through it before the store sees it.

>>> from lib.teach.lessons import Prediction
>>> check_answer(Prediction("verdict", "Does it hold?"), "broke")
'broke'
>>> check_answer(Prediction("icp_causes", "Which?"), ["b", "a"], features=("a", "b"))
['a', 'b']
>>> check_answer(Prediction("ratio", "How many times?"), "4.5")
4.5
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from lib.errors import ClassError
from lib.teach.lessons import NOTHING, Prediction, number_range, options

__all__ = ["check_answer"]


def check_answer(pred: Prediction, value: Any, features: Sequence[str] = ()) -> Any:
    """The answer to keep for ``pred``, or a :class:`ClassError` saying why not.

    Parameters
    ----------
    pred : Prediction
        The step's question.
    value : Any
        What the student sent: an option (a choice), a list of options (a set)
        or a number (a number, or text that reads as one).
    features : sequence of str
        The candidates of an ``icp_causes`` question.

    Returns
    -------
    str, list of str or float
        A choice's option; a set's options, sorted, without duplicates;
        a finite number within :func:`~lib.teach.lessons.number_range`.
    """
    if pred.kind == "choice":
        allowed = options(pred, features)
        if not isinstance(value, str) or value not in allowed:
            raise ClassError("That is not one of the answers to choose from.", name=str(value)[:40])
        return value
    if pred.kind == "set":
        allowed = options(pred, features)
        if isinstance(value, str) or not isinstance(value, Sequence | set | frozenset):
            raise ClassError("Pick one or more of the variables.")
        picked = sorted({str(v) for v in value})
        unknown = [v for v in picked if v not in allowed]
        if unknown:
            raise ClassError(f"`{unknown[0][:40]}` is not one of the variables.", name=unknown[0])
        if not picked:
            raise ClassError("Pick one or more of the variables.")
        if NOTHING in picked and len(picked) > 1:
            raise ClassError("“Nothing” cannot go with a variable: pick one or the other.")
        return picked
    low, high, _ = number_range(pred)
    if isinstance(value, bool):
        raise ClassError("The answer is a number.")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ClassError("The answer is a number.") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise ClassError(f"The answer is a number from {low:g} to {high:g}.")
    return number
