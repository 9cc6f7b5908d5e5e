"""The Lessons page: predict, then see what the lab computes, one step at a time.

Its link holds the lesson, its step and the presenter view (:mod:`lib.ui.teach`);
a step's view is the page the step names, with that page's fields.
"""

from __future__ import annotations

from lib.ui.declare import Page, Section, lazy

__all__ = ["PAGE"]

PAGE = Page(
    name="Lessons",
    file="pages/8_Lessons.py",
    icon=":material/school:",
    own_exit=True,  # beside next and previous
    sections=(
        Section(
            "lessons",
            "Lessons",
            reads=(),
            draw=lazy("lib.ui.lesson_views", "lessons_section"),
            claim="Commit to a prediction before the lab shows what happened and why.",
        ),
    ),
)
