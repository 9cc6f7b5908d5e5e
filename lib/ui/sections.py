"""Draw a page from its declaration: its sections, in order (:mod:`lib.ui.pages`).

A page file is one call, ``render("Attribution")``: :func:`lib.ui.state.init_page`,
then every section the view shows. A section's computation (``needs``) runs once
per run however many sections share it; :func:`run` can draw any subset of a
page's sections, each with only what it needs, and a session can ask a page for
some of its sections only (:data:`ONLY_KEY`: what a test or a slide asks for).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import streamlit as st

from lib.ui.declare import Section
from lib.ui.pages import page
from lib.ui.state import Lab, init_page

__all__ = ["ONLY_KEY", "render", "run", "wanted"]

#: Session-state key: ``{page: (section keys)}``, the sections a page draws for this
#: session instead of all of them (with any earlier section they read).
ONLY_KEY = "lab_only_sections"


def run(lab: Lab, sections: Iterable[Section]) -> None:
    """Draw ``sections`` for ``lab``'s view (those its ``when`` leaves out are skipped)."""
    memo: dict[Any, Any] = {}
    for s in sections:
        if not s.when(lab):
            continue
        data = None
        if isinstance(s.needs, str):
            if ("drawn", s.needs) not in memo:  # what it reads was not drawn here
                continue
            data = memo[("drawn", s.needs)]
        elif s.needs is not None:
            if s.needs not in memo:
                memo[s.needs] = s.needs(lab)
            data = memo[s.needs]
        memo[("drawn", s.key)] = s.draw(lab, data)


def wanted(name: str, only: Iterable[str] | None) -> list[Section]:
    """The sections of page ``name`` to draw: all, or those in ``only`` and the earlier
    sections whose drawing they read."""
    sections = page(name).sections
    if only is None:
        return list(sections)
    keys = set(only)
    for s in reversed(sections):
        if s.key in keys and isinstance(s.needs, str):
            keys.add(s.needs)
    return [s for s in sections if s.key in keys]


def render(name: str) -> Lab:
    """Start the page ``name`` and draw its sections; returns the page's :class:`Lab`."""
    lab = init_page(name)
    only = st.session_state.get(ONLY_KEY, {}).get(name)
    run(lab, wanted(name, only))
    return lab
