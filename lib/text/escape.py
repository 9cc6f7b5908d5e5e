"""Names and user text made safe for Markdown, HTML and plotly, and joined for sentences.

Every sentence the lab shows that quotes a name (a node, a column, an
environment) goes through these helpers, so that a name holding a backtick,
``<script>`` or ``$x$`` is shown as typed and never breaks the page.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

__all__ = ["code_list", "code_span", "inert", "plotly_text"]

_BIDI = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F], None)
_ASCII_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def code_span(name: Any, limit: int | None = 60) -> str:
    """A name as a Markdown code span that nothing in the name can break out of.

    A backtick becomes ``'``, runs of white space one space, and a name longer
    than ``limit`` characters is cut with ``…``; a blank name reads ``(blank)``.

    >>> code_span("dose")
    '`dose`'
    >>> code_span("a`b")
    "`a'b`"
    """
    text = " ".join(str(name).replace("`", "'").split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
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
    if max_chars is not None and len(text) > max_chars:
        text = text[: max(0, max_chars - 1)] + "…"
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
