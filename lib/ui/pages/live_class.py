"""The Live class page: a student joins with the teacher's code and answers with the room.

Its link is the class and the student's seat (:func:`lib.ui.live.live_query`),
not the lab's view: the lesson's steps set the view.
"""

from __future__ import annotations

from lib.ui.declare import Page, Section, bare, lazy

__all__ = ["PAGE"]

PAGE = Page(
    name="Class",
    file="pages/9_Class.py",
    icon=":material/groups:",
    label="Live class",
    sidebar="collapsed",  # a student's phone shows the class, not the lab's controls
    own_link=lazy("lib.ui.live", "live_query"),
    sections=(
        Section(
            "class",
            "Live class",
            reads=(),
            draw=bare(lazy("lib.ui.live_views", "show_class")),
            claim="Join with the teacher's code; answer; see the reveal with the room.",
        ),
    ),
)
