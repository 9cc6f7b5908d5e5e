"""Errors a user can cause.

Every error that bad input (an equation, a scenario file, a table) can cause is a
subclass of :class:`ValueError` defined here, with a message a student can act on.
Pages show these with ``st.error``; anything else is a bug.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class ExpressionError(ValueError):
    """An equation that cannot be compiled or evaluated safely."""


class ScenarioError(ValueError):
    """A structural causal model or scenario that is not valid."""


class DataError(ValueError):
    """A table that cannot be read or used."""


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """Return ``"; did you mean `x`?"`` for the closest option, or ``""``.

    Parameters
    ----------
    word : str
        What the user typed.
    options : iterable of str
        The names that would have been allowed.
    """
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"; did you mean `{close[0]}`?" if close else ""
