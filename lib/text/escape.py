"""Names and user text made safe for Markdown, HTML and plotly, and joined for sentences.

Every sentence the lab shows that quotes a name (a node, a column, an
environment) goes through these helpers, so that a name holding a backtick,
``<script>`` or ``$x$`` is shown as typed and never breaks the page.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

__all__ = ["code_list", "code_span", "code_text", "inert", "plotly_text"]

_BIDI = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F], None)
_ASCII_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def code_text(value: Any, limit: int | None = 60, *, quoted: bool = False) -> str:
    """What goes between a Markdown code span's backticks: ``value``, unable to close it.

    The one place the lab makes text inert inside a code span (a name in a
    sentence, a link's bad value in a notice, a piece of a typed equation in
    its error). A backtick becomes ``'`` (nothing can close the span and start
    a link or an image), runs of white space one space (a line break cannot end
    the span either; a quoted value keeps its blanks and shows line breaks as
    ``\\n``), and text longer than ``limit`` characters is cut with ``…``.

    Parameters
    ----------
    value : Any
        A name, a user's value or a piece of text (``str()`` of it is shown).
    limit : int or None, optional
        Most characters shown (``None``: all).
    quoted : bool, optional
        Show the value in quotes, as Python writes it (``'  '``, ``'a\\tb'``): for a
        value typed by a user, whose blanks and quotes matter. The limit then
        applies to the value before it is quoted.

    Returns
    -------
    str
        The text, without the enclosing backticks (``""`` for a blank name).

    Examples
    --------
    >>> code_text("a`b")
    "a'b"
    >>> code_text("x" * 8, limit=5, quoted=True)
    "'xxxx…'"
    >>> code_text("a  b", quoted=True)
    "'a  b'"
    """
    text = str(value).replace("`", "'")
    if quoted:  # repr writes line breaks and other invisible characters as escapes
        return repr(_cut(text, limit))
    return _cut(" ".join(text.split()), limit)


def _cut(text: str, limit: int | None) -> str:
    return text if limit is None or len(text) <= limit else text[: max(0, limit - 1)] + "…"


def code_span(name: Any, limit: int | None = 60, *, quoted: bool = False) -> str:
    """A name as a Markdown code span that nothing in the name can break out of.

    The span around :func:`code_text` (a backtick becomes ``'``, runs of white
    space one space, a name longer than ``limit`` characters is cut with
    ``…``); a blank name reads ``(blank)``. ``quoted`` shows a user's value in
    quotes (see :func:`code_text`).

    >>> code_span("dose")
    '`dose`'
    >>> code_span("a`b")
    "`a'b`"
    >>> code_span(" ", quoted=True)
    "`' '`"
    """
    text = code_text(name, limit, quoted=quoted)
    return f"`{text}`" if text else "`(blank)`"


def inert(text: str, max_chars: int | None = None) -> str:
    """``text`` escaped so that Markdown, HTML and LaTeX show it as typed.

    Every ASCII punctuation character gets a backslash (CommonMark lets any of
    them be escaped), so ``<script>``, ``[x](javascript:...)``, ``$x^2$``,
    ``**bold**`` and ``:emoji:`` stay plain text. Line breaks and other control
    characters become spaces; invisible direction overrides are removed.

    Parameters
    ----------
    text : str
        Anything, e.g. a column name or a cell from an upload.
    max_chars : int, optional
        Longer text is cut to this many characters (before escaping) and ends in ``…``.

    Examples
    --------
    >>> print(inert("<b>x</b> $y$"))
    \\<b\\>x\\<\\/b\\> \\$y\\$
    """
    text = str(text).translate(_BIDI)
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    text = _cut(text, max_chars)
    return "".join("\\" + ch if ch in _ASCII_PUNCT else ch for ch in text)


def code_list(
    names: Sequence[Any], *, limit: int | None = None, last: str = " and ", empty: str = "nothing"
) -> str:
    """Names as code spans joined for a sentence: ```a`, `b` and `c```.

    Parameters
    ----------
    names : sequence
    limit : int, optional
        Show at most this many, then "and N more" (joined by commas).
    last : str
        What joins the last two (``" and "``; ``", "`` for a plain list).
    empty : str
        What an empty list reads as.
    """
    names = list(names)
    if not names:
        return empty
    if limit is not None and len(names) > limit:
        shown = [code_span(n) for n in names[:limit]]
        return ", ".join([*shown, f"and {len(names) - limit:,} more"])
    shown = [code_span(n) for n in names]
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + last + shown[-1]


def plotly_text(text: Any) -> str:
    """User text (a column name, a cell) made inert for any plotly label, title or hover.

    Plotly renders a few HTML tags in text (``<b>``, ``<a href>`` ...); escaping
    ``& < >`` shows them as typed, and ``{ }`` cannot start a template variable.
    """
    s = str(text)
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return s.replace("{", "&#123;").replace("}", "&#125;")
