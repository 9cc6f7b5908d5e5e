"""A page's settings, declared once: each field's options, default and link text.

Pure Python, no Streamlit. A :class:`Field` says everything the lab needs to
know about one setting: which values are valid (for the current world), what it
starts at, how it reads from a link (with a notice naming the parameter when the
link's value is bad), how it is written into a link, when a link carries it, and
which other fields follow it (a node's equation follows the node). The pages
declare their fields in :mod:`lib.ui.pages`; :mod:`lib.ui.params` reads and
writes every link, and repairs every state, by going over those declarations,
with no code of its own for any one field.

>>> f = choice("family", ("linear", "trees"), "linear", "which models the plots show")
>>> f.read("trees", Ctx(None, {})), f.valid("forest", Ctx(None, {}))
('trees', False)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lib.text.escape import code_text

__all__ = [
    "Ctx",
    "Field",
    "Refused",
    "always",
    "choice",
    "fmt_float",
    "listed",
    "parse_float",
    "parse_int",
    "pick",
    "quote",
]


class Refused(ValueError):
    """A link's value a field cannot take: ``why`` it cannot, and what is used ``instead``."""

    def __init__(self, why: str, instead: str) -> None:
        super().__init__(why)
        self.why = why
        self.instead = instead


@dataclass
class Ctx:
    """What a field is checked against: the world (a :class:`~lib.ui.params.ScenarioInfo`)
    and the values of the other fields as they stand (changes of this link included)."""

    info: Any
    values: Mapping[str, Any]

    def get(self, name: str) -> Any:
        """The current value of another field."""
        return self.values[name]


def always(state: Any) -> bool:
    """A field every link of its page carries."""
    return True


def _no_sets(value: Any, old: Any, ctx: Ctx) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Field:
    """One setting of the lab, declared once.

    Attributes
    ----------
    name : str
        The :class:`~lib.ui.params.LabState` attribute and the link parameter.
    doc : str
        What it is, in a sentence.
    default : callable
        ``default(ctx)``: its starting value in a world.
    valid : callable
        ``valid(value, ctx)``: whether a value can stand (a state is repaired
        field by field, in declaration order, so ``ctx`` holds the fields
        declared before it already repaired).
    read : callable
        ``read(text, ctx)``: the value a link's text stands for; raises
        :class:`Refused` (its reason and the fallback, for the notice).
    write : callable
        ``write(value)``: the link's text (``read`` gives the same value back).
    in_link : callable
        ``in_link(state)``: whether the page's link carries it (an equation
        only for a custom "replace", say).
    sets : callable
        ``sets(value, old, ctx)``: fields that follow this one when it changes,
        by a link or a widget (a node's equation).
    widget_resets : tuple of str
        Fields set back to their defaults when the user moves this field's
        widget (not when a link sets it: the link carries them too).
    clean : callable or None
        ``clean(value)``: a valid value's canonical form (a strength on the slider's grid).
    world : bool
        Whether it belongs to a simulated world: a table's link leaves it out.
    note : callable or None
        ``note(text, value)``: a notice for a value that was taken but changed
        (a strength rounded to the slider's grid).
    """

    name: str
    doc: str
    default: Callable[[Ctx], Any]
    valid: Callable[[Any, Ctx], bool]
    read: Callable[[str, Ctx], Any]
    write: Callable[[Any], str] = str
    in_link: Callable[[Any], bool] = always
    sets: Callable[[Any, Any, Ctx], dict[str, Any]] = _no_sets
    widget_resets: tuple[str, ...] = ()
    clean: Callable[[Any], Any] | None = None
    world: bool = True
    note: Callable[[str, Any], str | None] | None = field(default=None)


# ----------------------------------------------------------------------------- helpers


def quote(value: str, limit: int = 60) -> str:
    """A value from a link as a notice shows it, in quotes inside the notice's code
    span (:func:`lib.text.escape.code_text`: a crafted link cannot close the span)."""
    return code_text(value, limit, quoted=True)


def parse_int(text: str) -> int | None:
    """A whole number from a link (``"12"`` or ``"12.0"``), or None."""
    try:
        return int(text)
    except ValueError:
        try:
            f = float(text)
        except ValueError:
            return None
        return int(f) if math.isfinite(f) and f.is_integer() else None


def parse_float(text: str) -> float | None:
    """A finite number from a link, or None."""
    try:
        f = float(text)
    except ValueError:
        return None
    return f if math.isfinite(f) else None


def pick(text: str, options: Sequence[float]) -> float | None:
    """The option a number in a link stands for (None when it is none of them)."""
    x = parse_float(text)
    if x is None:
        return None
    return next((o for o in options if math.isclose(o, x, rel_tol=1e-9, abs_tol=1e-12)), None)


def fmt_float(x: float) -> str:
    """Shortest text that reads back as the same float (``repr``), ``1`` for ``1.0``."""
    return f"{x:g}" if float(f"{x:g}") == x else repr(float(x))


def listed(options: Sequence[Any]) -> str:
    """The options of a field, as a message lists them."""
    if not options:
        return "none"
    if isinstance(options[0], str):
        return ", ".join(options)
    if isinstance(options[0], int) and len(options) > 12:
        return f"the whole numbers {options[0]} to {options[-1]}"
    if isinstance(options[0], int):
        return ", ".join(f"{o:,}" for o in options)
    return ", ".join(f"{o:g}" for o in options)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else f"{value:g}"


def choice(
    name: str,
    options: Sequence[Any] | Callable[[Ctx], Sequence[Any]],
    default: Any,
    doc: str,
    *,
    why: Callable[[Ctx], str] | None = None,
    instead: Callable[[Ctx], str] | None = None,
    optional: bool = False,
    **more: Any,
) -> Field:
    """A field that takes one of a list of values (strings, whole numbers or numbers).

    Parameters
    ----------
    options : sequence, or callable of the context
        The values it takes (in a world: ``lambda ctx: ctx.info.presets``).
    default : value, or callable of the context
    why, instead : callable, optional
        The notice's reason (default: "is not one of …") and fallback (default:
        the default value).
    optional : bool
        None stands too (the page decides), and a link leaves it out then.
    **more
        Other :class:`Field` attributes (``in_link``, ``sets``, ``world``, …).
    """
    opts: Callable[[Ctx], Sequence[Any]] = options if callable(options) else (lambda ctx: options)
    start: Callable[[Ctx], Any] = default if callable(default) else (lambda ctx: default)

    def read(text: str, ctx: Ctx) -> Any:
        allowed = opts(ctx)
        kind = start(ctx) if not allowed else allowed[0]
        if isinstance(kind, str):
            value: Any = text if text in allowed else None
        elif isinstance(kind, int) and not isinstance(kind, bool):
            number = parse_int(text)
            value = number if number in allowed else None
        else:
            value = pick(text, allowed)
        if value is None:
            reason = why(ctx) if why is not None else f"is not one of {listed(allowed)}"
            fallback = instead(ctx) if instead is not None else f"`{_text(start(ctx))}`"
            raise Refused(reason, fallback)
        return value

    more.setdefault("write", _text)
    if optional:
        more.setdefault("in_link", lambda state: getattr(state, name) is not None)
    return Field(
        name=name,
        doc=doc,
        default=start,
        valid=lambda value, ctx: (optional and value is None) or value in opts(ctx),
        read=read,
        **more,
    )
