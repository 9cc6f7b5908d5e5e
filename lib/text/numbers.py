"""Numbers as the lab writes them: errors, ratios, strengths.

One format per kind of number, so that a figure, a metric and a sentence
never show the same value two ways.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["RATIO_SHOWN_MAX", "format_number", "format_r2", "percent", "ratio_text"]


def format_number(value: float) -> str:
    """Format a number the way every figure in the lab shows it.

    Two decimals from 1 upwards (``1.31``, ``12.50``), two significant digits
    below 1 (``0.50``, ``0.012``).

    Parameters
    ----------
    value : float
        The number.

    Returns
    -------
    str
        The formatted number; ``"n/a"`` for NaN, ``"∞"`` for infinities.
    """
    x = float(value)
    if math.isnan(x):
        return "n/a"
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if x == 0:
        return "0.00"
    if abs(x) >= 1:
        return f"{x:.2f}"
    return f"{x:#.2g}"


#: Error ratios above this are shown as "more than" it (an almost perfect fit where
#: the model was trained makes the ratio explode without meaning more).
RATIO_SHOWN_MAX = 1000.0


def ratio_text(ratio: float) -> str:
    """An error ratio as a learner reads it: ``×1.19``, ``more than ×1,000``."""
    if not np.isfinite(ratio) or ratio > RATIO_SHOWN_MAX:
        return f"more than ×{RATIO_SHOWN_MAX:,.0f}"
    return f"×{ratio:.2f}"


def percent(strength: float) -> str:
    """A strength (0 to 1) as a percentage: ``0.075`` -> ``"7.5%"``."""
    return f"{100 * float(strength):g}%"


def format_r2(value: float) -> str:
    """R² with two decimals, never ``-0.00`` (a model no better than the average reads 0.00).

    >>> format_r2(-0.001), format_r2(0.8731), format_r2(-1.5)
    ('0.00', '0.87', '-1.50')
    """
    x = float(value)
    if math.isnan(x):
        return "n/a"
    text = f"{x:.2f}"
    return "0.00" if text == "-0.00" else text
