"""The Data page: where the rows come from, the rows themselves, and what goes with what."""

from __future__ import annotations

from typing import Any

from lib.ui.declare import HANDOUT, Page, Section, lazy

__all__ = ["PAGE"]


def _views(name: str) -> Any:
    return lazy("lib.ui.data_view", name)


PAGE = Page(
    name="Data",
    file="pages/1_Data.py",
    icon=":material/table_chart:",
    sections=(
        Section(
            "header",
            "Data",
            reads=(),
            draw=_views("header_section"),
            claim="The world's title and what it is about.",
        ),
        Section(
            "source",
            "Where the rows come from",
            reads=("n", "seed"),
            draw=_views("source_section"),
            claim="A world's story, graph and equations; or a table's file, roles and graph.",
        ),
        Section(
            "rows",
            "The rows",
            reads=("n", "seed"),
            needs="source",
            draw=_views("rows_section"),
            claim="Every row of the sample, to look at and download.",
        ),
        Section(
            "correlations",
            "What goes with what",
            reads=("n", "seed"),
            needs="source",
            draw=_views("correlations_section"),
            claim="Correlations say what goes with what, not which causes which.",
        ),
        HANDOUT,
    ),
    # the first slide: where the rows come from (the world's graph and equations); the
    # rows and the correlations draw it with them (they read its drawing), so it is the
    # one section whose slide is one screen of its own
    lead="source",
    numbers=_views("lesson_numbers"),
    step_figure=_views("step_figure"),
    step_plots=_views("step_plots"),
    handout=lazy("lib.ui.handout_views", "data_handout"),
    script=lazy("lib.teach.reproduce", "data_script"),
)
