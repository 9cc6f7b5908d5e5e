"""A small, safe Markdown renderer for handouts.

Handouts quote text the lab writes (a world's story, the explanation of an
intervention) and text users typed (a world's name, a learner's answer). Both
go through :func:`markdown_html`, which escapes every ``<``, ``>``, ``&`` and
quote first and only then adds the few tags the lab's own Markdown uses, so no
text can bring in HTML, a script or a request.

The subset: paragraphs; ``#`` headings (shifted down, as they sit inside a
section); ``-``, ``*``, ``+`` and ``1.`` lists (one level, with continuation
lines); ``>`` quotes; fenced code blocks; ``**bold**``, ``*italic*``,
``_italic_``, ```code```; backslash escapes of ASCII punctuation (as
:func:`lib.text.escape.inert` writes them); links ``[text](url)`` whose address
is ``http(s):``, ``mailto:`` or a ``#`` anchor (others keep their text only).
Streamlit's icons (``:material/name:``) are dropped and its colours
(``:red[text]``) keep their text.
"""

from __future__ import annotations

import html
import re
import unicodedata

__all__ = ["inline_html", "markdown_html"]

_ASCII_PUNCT = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
_TOKEN = "\x00{}\x00"
_TOKEN_RE = re.compile("\x00(\\d+)\x00")
#: A backslash escape or a code span, whichever comes first (as CommonMark reads them).
_LITERAL = re.compile(r"\\([" + re.escape(_ASCII_PUNCT) + r"])|(`+)(.+?)\2", re.DOTALL)
_ICON = re.compile(r":material/[a-z0-9_]+:")
_COLOUR = re.compile(
    r":(?:red|orange|yellow|green|blue|violet|gray|grey|rainbow|primary)\[([^\]]*)\]"
)
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__")
_ITALIC = re.compile(r"\*(?=\S)(.+?)(?<=\S)\*|(?<![\w])_(?=\S)(.+?)(?<=\S)_(?![\w])")
_SAFE_URL = re.compile(r"^(?:https?://|mailto:|#)", re.IGNORECASE)

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s{0,3}[-*+]\s+(.*)$")
_NUMBER = re.compile(r"^\s{0,3}\d{1,9}[.)]\s+(.*)$")
_QUOTE = re.compile(r"^\s{0,3}>\s?(.*)$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")


def _clean(text: str) -> str:
    """Text without control characters (tabs and newlines kept) or NUL tokens."""
    return "".join(
        ch if ch in "\n\t" or unicodedata.category(ch) != "Cc" else " " for ch in str(text)
    )


def inline_html(text: str) -> str:
    """One paragraph's Markdown as inline HTML (everything else escaped).

    >>> inline_html("**dose** <b>x</b> `a<b`")
    '<strong>dose</strong> &lt;b&gt;x&lt;/b&gt; <code>a&lt;b</code>'
    """
    kept: list[str] = []

    def keep(fragment: str) -> str:
        kept.append(fragment)
        return _TOKEN.format(len(kept) - 1)

    text = _clean(text).replace("\x00", " ")
    text = _LITERAL.sub(
        lambda m: (
            keep(html.escape(m.group(1)))
            if m.group(1) is not None
            else keep(f"<code>{html.escape(m.group(3).strip())}</code>")
        ),
        text,
    )
    text = _ICON.sub("", text)
    text = _COLOUR.sub(lambda m: m.group(1), text)
    text = html.escape(text, quote=True)

    def link(m: re.Match[str]) -> str:
        label, url = m.group(1), m.group(2)
        if _SAFE_URL.match(html.unescape(url)):
            return keep(f'<a href="{url}">') + label + keep("</a>")
        return label

    text = _LINK.sub(link, text)
    text = _BOLD.sub(lambda m: f"<strong>{m.group(1) or m.group(2)}</strong>", text)
    text = _ITALIC.sub(lambda m: f"<em>{m.group(1) or m.group(2)}</em>", text)
    while _TOKEN_RE.search(text):  # a kept fragment may hold another's token
        text = _TOKEN_RE.sub(lambda m: kept[int(m.group(1))], text)
    return text


def _paragraph(lines: list[str]) -> str:
    return f"<p>{inline_html(' '.join(line.strip() for line in lines))}</p>"


def markdown_html(text: str, *, heading_level: int = 3) -> str:
    """Markdown (the subset in the module's docstring) as safe HTML.

    Parameters
    ----------
    text : str
        Markdown from the lab or from a user; every HTML character in it is escaped.
    heading_level : int
        The tag a ``#`` heading becomes (``##`` one lower, down to ``h6``).

    Returns
    -------
    str
        HTML fragments (``<p>``, ``<ul>``, ``<ol>``, ``<blockquote>``, ``<pre>``,
        ``<h3>``...), with no attribute but a checked link's ``href``.

    Examples
    --------
    >>> markdown_html("Hi <script>\\n\\n- **a**\\n- b")
    '<p>Hi &lt;script&gt;</p>\\n<ul><li><strong>a</strong></li><li>b</li></ul>'
    """
    lines = _clean(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[str] = []
    para: list[str] = []
    i = 0

    def flush() -> None:
        if para:
            out.append(_paragraph(para))
            para.clear()

    while i < len(lines):
        line = lines[i]
        if not line.strip():
            flush()
            i += 1
            continue
        if fence := _FENCE.match(line):
            flush()
            body: list[str] = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(fence.group(1)):
                body.append(lines[i])
                i += 1
            out.append(f"<pre><code>{html.escape(chr(10).join(body))}</code></pre>")
            i += 1
            continue
        if heading := _HEADING.match(line):
            flush()
            level = min(6, heading_level + len(heading.group(1)) - 1)
            out.append(f"<h{level}>{inline_html(heading.group(2))}</h{level}>")
            i += 1
            continue
        if _QUOTE.match(line):
            flush()
            quoted = []
            while i < len(lines) and (m := _QUOTE.match(lines[i])):
                quoted.append(m.group(1))
                i += 1
            inner = markdown_html("\n".join(quoted), heading_level=heading_level)
            out.append(f"<blockquote>{inner}</blockquote>")
            continue
        pattern = _BULLET if _BULLET.match(line) else _NUMBER if _NUMBER.match(line) else None
        if pattern is not None:
            flush()
            tag = "ul" if pattern is _BULLET else "ol"
            items: list[list[str]] = []
            while i < len(lines) and lines[i].strip():
                m = pattern.match(lines[i])
                if m:
                    items.append([m.group(1)])
                elif lines[i].startswith((" ", "\t")) and items:
                    items[-1].append(lines[i])
                else:
                    break
                i += 1
            inner = "".join(
                f"<li>{inline_html(' '.join(s.strip() for s in it))}</li>" for it in items
            )
            out.append(f"<{tag}>{inner}</{tag}>")
            continue
        para.append(line)
        i += 1
    flush()
    return "\n".join(out)
