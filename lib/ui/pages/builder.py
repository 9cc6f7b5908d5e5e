"""The Builder page: write your own world as a table of equations, and use it everywhere.

Its view is the editor's (kept in the session, not the link): no fields of its own.
"""

from __future__ import annotations

from lib.ui.declare import Page, Section, lazy

__all__ = ["PAGE"]

PAGE = Page(
    name="Builder",
    file="pages/7_Builder.py",
    icon=":material/edit_note:",
    sections=(
        Section(
            "builder",
            "Builder",
            reads=(),
            draw=lazy("lib.ui.builder_views", "builder_section"),
            claim="A world is a table of equations; the graph follows from them.",
        ),
    ),
)
