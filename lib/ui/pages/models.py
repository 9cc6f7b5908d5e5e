"""The Models page: a predictive and a causal model, side by side, on the same data."""

from __future__ import annotations

from typing import Any

from lib.ui.declare import HANDOUT, Page, Section, lazy
from lib.ui.fields import choice

__all__ = ["FAMILIES", "FAMILY", "PAGE"]

#: Model families whose plots the pages show.
FAMILIES: tuple[str, ...] = ("linear", "trees")

FAMILY = choice(
    "family",
    FAMILIES,
    "linear",
    "Which models the predicted-against-actual plots show: linear models or boosted trees.",
)


def _views(name: str) -> Any:
    return lazy("lib.ui.models_view", name)


_SOURCE = _views("models_source")

PAGE = Page(
    name="Models",
    file="pages/2_Models.py",
    icon=":material/model_training:",
    fields=(FAMILY,),
    link=("family",),
    sections=(
        Section(
            "header",
            "Models",
            reads=("n", "seed"),
            needs=_SOURCE,
            draw=_views("header_section"),
            claim="Two models learn the same target from the same rows.",
        ),
        Section(
            "uses",
            "What each model may use",
            reads=("n", "seed"),
            needs=_SOURCE,
            draw=_views("uses_section"),
            claim="The predictive model uses every observed variable; the causal one only "
            "the causes.",
        ),
        Section(
            "scores",
            "How well they predict cases they never saw",
            reads=("n", "seed"),
            needs=_SOURCE,
            draw=_views("scores_section"),
            claim="In the world they learned from, the predictive model predicts as well or "
            "better.",
        ),
        Section(
            "coefficients",
            "What the linear models learned",
            reads=("n", "seed"),
            needs=_SOURCE,
            draw=_views("coefficients_section"),
            claim="A weight on a variable that is not a cause is a correlation, not a lever.",
        ),
        Section(
            "fit",
            "Predicted against actual, on held-out cases",
            reads=("n", "seed", "family"),
            needs=_SOURCE,
            draw=_views("fit_section"),
            claim="Each dot is a case the model never saw.",
        ),
        HANDOUT,
    ),
    # the first slide: in the world they learned from, the predictive model predicts as
    # well or better (the two models' held-out errors side by side)
    lead="scores",
    numbers=_views("lesson_numbers"),
    step_figure=_views("step_figure"),
    handout=lazy("lib.ui.handout_views", "models_handout"),
    script=lazy("lib.teach.reproduce", "models_script"),
)
