"""Errors a user can cause, with the fields that say where.

Every error that bad input (an equation, a scenario file, a table) can cause is a
subclass of :class:`ValueError` defined here, with a message a student can act on.
Pages show these with ``st.error``; anything else is a bug.

Besides its message, an error carries fields: which ``node``, ``preset``,
``environment`` or table ``row`` it is about, the ``column`` (the place of a
character, counted from 1, in the text that was typed; messages say "character 5")
and the ``allowed`` values (a paragraph a page may show apart). Code that needs
to know where an error belongs reads these fields and never parses the message:

>>> err = ExpressionError("character 5: unknown name `xx`.", column=5)
>>> outer = err.within("node `y`", ScenarioError, node="y")
>>> str(outer), outer.node, outer.column, outer.after("node")
('node `y`: character 5: unknown name `xx`.', 'y', 5, 'character 5: unknown name `xx`.')
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any, TypeVar

__all__ = [
    "ClassError",
    "DataError",
    "ExpressionError",
    "GlossaryError",
    "LabError",
    "ScenarioError",
    "LessonError",
    "did_you_mean",
]

_E = TypeVar("_E", bound="LabError")

#: The fields an error may carry (besides its message).
FIELDS = ("scenario", "node", "preset", "environment", "row", "column", "name")


class LabError(ValueError):
    """A user error: a message a student can act on, and where it happened.

    Parameters
    ----------
    message : str
        The whole message, as shown (without the ``allowed`` paragraph).
    scenario, node, preset, environment, name : str, optional
        What the error is about (``name``: a name the user typed, e.g. an unknown one).
    row : int, optional
        A 0-based row of a table the user typed or uploaded.
    column : int, optional
        A 1-based position in the text the user typed.
    allowed : str, optional
        What would have been allowed, as a paragraph (``"Allowed: ..."``). It is
        part of ``str(error)``; pages may show it apart.
    """

    def __init__(
        self,
        message: str,
        *,
        scenario: str | None = None,
        node: str | None = None,
        preset: str | None = None,
        environment: str | None = None,
        row: int | None = None,
        column: int | None = None,
        name: str | None = None,
        allowed: str = "",
    ) -> None:
        super().__init__(f"{message} {allowed}".strip() if allowed else message)
        self.message = message
        self.scenario = scenario
        self.node, self.preset, self.environment = node, preset, environment
        self.row, self.column, self.name = row, column, name
        self.allowed = allowed
        #: field -> the message as it read where that field was attached
        self._after: dict[str, str] = {f: message for f in FIELDS if getattr(self, f) is not None}

    def fields(self) -> dict[str, Any]:
        """The fields that are set, by name."""
        return {f: getattr(self, f) for f in FIELDS if getattr(self, f) is not None}

    def after(self, field: str) -> str:
        """The message as it read where ``field`` was attached, without what came before.

        E.g. for ``scenario `s`, preset `p`: the factor must be ≥ 0``, ``after("preset")``
        is ``the factor must be ≥ 0``. Falls back to the whole message.
        """
        return self._after.get(field, self.message)

    def within(self, prefix: str, cls: type[_E] | None = None, **fields: Any) -> _E:
        """The same error seen from an enclosing place: ``"prefix: message"``, more fields.

        Parameters
        ----------
        prefix : str
            Where, in words (e.g. ``"node `y`"``); may be empty.
        cls : type, optional
            The class of the new error (default: the same class).
        **fields
            Fields to add (those already set are kept).
        """
        kind = cls or type(self)
        merged = {**{k: v for k, v in fields.items() if v is not None}, **self.fields()}
        message = f"{prefix}: {self.message}" if prefix else self.message
        new = LabError.__new__(kind)
        LabError.__init__(new, message, allowed=self.allowed, **merged)
        new._after = {**{f: self.message for f in fields if fields[f] is not None}, **self._after}
        # a subclass's own attributes (a NonFiniteError's count) survive the new place
        new.__dict__.update({k: v for k, v in self.__dict__.items() if k not in new.__dict__})
        return new  # type: ignore[return-value]

    def __reduce__(self) -> tuple[Any, ...]:
        # keep the fields and a subclass's own attributes through pickling
        return (_rebuild, (type(self), self.message, self.allowed, self.fields(), self.__dict__))


def _rebuild(
    cls: type[LabError], message: str, allowed: str, fields: dict[str, Any], state: dict
) -> LabError:
    new = LabError.__new__(cls)
    LabError.__init__(new, message, allowed=allowed, **fields)
    new.__dict__.update(state)
    return new


class ExpressionError(LabError):
    """An equation that cannot be compiled or evaluated safely."""


class ScenarioError(LabError):
    """A structural causal model or scenario that is not valid."""


class DataError(LabError):
    """A table that cannot be read or used."""


class LessonError(ScenarioError):
    """A lesson file that is not valid (its step, field and what would be allowed)."""


class GlossaryError(ScenarioError):
    """A glossary file that is not valid (its term, field and what would be allowed)."""


class ClassError(LabError):
    """A live class that cannot do what was asked: an unknown or ended class, an
    answer out of range or too fast, a move by someone who is not the teacher."""


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
