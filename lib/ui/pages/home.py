"""The home page: what the lab is, where to start, and the chosen world's story.

Its link keeps the chosen world (``scenario``, ``n``, ``seed``): no fields of its own.
"""

from __future__ import annotations

from typing import Any

from lib.ui.declare import Page, Section, for_world, lazy

__all__ = ["PAGE"]


def _views(name: str) -> Any:
    return lazy("lib.ui.home_views", name)


PAGE = Page(
    name="Home",
    file="app.py",
    icon=":material/home:",
    tab="Predict or Explain",
    sections=(
        Section(
            "header",
            "Predict or Explain",
            reads=(),
            draw=_views("header_section"),
            claim="A model that predicts has learned what goes with the outcome; one that "
            "explains, what causes it.",
        ),
        Section(
            "start",
            "Start here",
            reads=(),
            draw=_views("start_section"),
            claim="See the world, fit two models, change the world.",
        ),
        Section(
            "story",
            "The story and its causal graph",
            reads=(),
            draw=_views("story_section"),
            when=for_world,
            claim="The chosen world's story, and what causes what in it.",
        ),
        Section(
            "words",
            "Words used here",
            reads=(),
            draw=lazy("lib.ui.glossary_views", "words_section"),
            claim="Every technical word the lab uses, in a sentence or two, and where it is shown.",
        ),
        Section(
            "talk",
            "Make a talk",
            reads=(),
            draw=lazy("lib.ui.slides", "talk_section"),
            claim="Slides from any pages, in order, as one link for the presenter view.",
            slide=False,  # a tool for the speaker, not a slide
        ),
    ),
    # the first slide: the chosen world's story and what causes what in it, the ground
    # every other page stands on (for a table, where there is no story, "start" is first)
    lead="story",
)
