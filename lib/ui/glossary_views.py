"""The lab's words beside the sections that show them, the whole glossary, and "What next".

:mod:`lib.ui.sections` calls :func:`words_line` after each section it draws: the
terms the section shows (``data/glossary.toml``, :mod:`lib.words.glossary`) as a
row of words, each showing its definition on hover and on tap (a focused word
keeps it open; CSS in :mod:`lib.ui.css`, no rerun). Every page ends with
:func:`what_next` (:data:`lib.ui.pages.WHAT_NEXT`), and Home lists every term
(:func:`words_section`, reached from its "Start here").
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

import streamlit as st

from lib.errors import GlossaryError
from lib.ui.pages import PAGES, WHAT_NEXT
from lib.ui.state import Lab, page_link
from lib.words.glossary import NEXT, Glossary, Term, load_glossary

__all__ = [
    "WORDS_ANCHOR",
    "glossary",
    "glossary_html",
    "what_next",
    "words_html",
    "words_line",
    "words_section",
]

#: The anchor of Home's list of every word ("#words-used-here").
WORDS_ANCHOR = "words-used-here"
_SHOWN_ERROR = "lab_glossary_error_shown"


#: Every page's section keys: where a term may be shown.
_SECTIONS = {name: tuple(s.key for s in p.sections) for name, p in PAGES.items()}


def glossary() -> Glossary:
    """The lab's glossary, checked against the pages' sections (read once per change)."""
    return load_glossary(pages=_SECTIONS)


def words_html(terms: Sequence[Term]) -> str:
    """A row of words, each with its definition shown on hover and on tap (trusted HTML).

    A word is focusable (``tabindex``): a tap or a click focuses it and its
    definition stays open until the reader taps elsewhere; the keyboard's Tab
    reaches it too.
    """
    words = "".join(
        f'<span class="lab-term" tabindex="0" role="button" aria-label="{escape(t.name)}: '
        f'{escape(t.definition)}">{escape(t.name)}'
        f'<span class="lab-def" role="tooltip"><b>{escape(t.name)}</b>: '
        f"{escape(t.definition)}</span></span>"
        for t in terms
    )
    return f'<div class="lab-words"><span class="lab-words-label">Words here:</span>{words}</div>'


def glossary_html(terms: Sequence[Term]) -> str:
    """Every term as a definition list, with the pages that show it (trusted HTML)."""
    items = "".join(
        f'<dt id="word-{_slug(t.name)}">{escape(t.name)}</dt>'
        f"<dd>{escape(t.definition)} "
        f'<span class="lab-glossary-where">Shown on: {escape(", ".join(t.pages))}.</span></dd>'
        for t in terms
    )
    return f'<dl class="lab-glossary">{items}</dl>'


def _slug(name: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in name.lower()).split())


def _terms(page: str, section: str, table: bool) -> tuple[Term, ...]:
    """The terms a section shows (for a table or a world); a bad glossary file is said
    once per session, and the pages go on without it."""
    try:
        return glossary().on(page, section, table)
    except GlossaryError as err:
        if not st.session_state.get(_SHOWN_ERROR):
            st.session_state[_SHOWN_ERROR] = True
            st.error(f"The glossary could not be read, so words are not explained: {err}")
        return ()


def words_line(lab: Lab, section: str) -> None:
    """The words a section of ``lab``'s page shows, each with its definition on hover
    and on tap."""
    terms = _terms(lab.page, section, lab.table is not None)
    if terms:
        st.markdown(words_html(terms), unsafe_allow_html=True)


def what_next(lab: Lab) -> None:
    """Where to go when the page ends, and why (:data:`lib.ui.pages.WHAT_NEXT`)."""
    nxt = WHAT_NEXT.get(lab.page)
    if nxt is None:
        return
    st.divider()
    with st.container(key="lab_what_next"):
        st.markdown(f"**What next?** {nxt.reason(lab.table is not None)}")
        page_link(nxt.page, label=nxt.label, icon=":material/arrow_forward:")
        words_line(lab, NEXT)


def words_section(lab: Lab, data: Any) -> None:
    """Home's list of every word the lab uses, each in a sentence or two."""
    try:
        terms = glossary().terms
    except GlossaryError as err:
        st.error(f"The glossary could not be read: {err}")
        return
    st.divider()
    st.subheader("Words used here", anchor=WORDS_ANCHOR)
    st.markdown(
        f"The lab uses {len(terms)} technical words, each explained here in a sentence or two. "
        "On every page, the words a section uses are listed under it: hover over one, or "
        "tap it on a phone, to read what it means."
    )
    with st.expander(f"All {len(terms)} words, each in a sentence or two"):
        st.markdown(glossary_html(terms), unsafe_allow_html=True)
