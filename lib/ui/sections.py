"""Draw a page from its declaration: its sections, in order (:mod:`lib.ui.pages`).

A page file is one call, ``render("Attribution")``: :func:`lib.ui.state.init_page`,
then every section the view shows. A section's computation (``needs``) runs once
per run however many sections share it; :func:`run` can draw any subset of a
page's sections, each with only what it needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lib.ui.pages import Section, page
from lib.ui.state import Lab, init_page

__all__ = ["render", "run"]


def run(lab: Lab, sections: Iterable[Section]) -> None:
    """Draw ``sections`` for ``lab``'s view (those its ``when`` leaves out are skipped)."""
    memo: dict[Any, Any] = {}
    for s in sections:
        if not s.when(lab):
            continue
        data = None
        if isinstance(s.needs, str):
            data = memo[("drawn", s.needs)]
        elif s.needs is not None:
            if s.needs not in memo:
                memo[s.needs] = s.needs(lab)
            data = memo[s.needs]
        memo[("drawn", s.key)] = s.draw(lab, data)


def render(name: str) -> Lab:
    """Start the page ``name`` and draw its sections; returns the page's :class:`Lab`."""
    lab = init_page(name)
    run(lab, page(name).sections)
    return lab
