"""The Attribution page: equal prediction, different explanations.

Its world is its own (two neurons, whatever the sidebar's data), so its fields
are kept on a table's link too.
"""

from __future__ import annotations

from typing import Any

from lib.attribution.pair import RHO_OPTIONS
from lib.ui.declare import Page, Section, header, lazy, on_data, on_lab
from lib.ui.fields import choice

__all__ = [
    "B_EFFECTS",
    "CREDIT_SOURCES",
    "DEFAULT_EPSILON",
    "DEFAULT_PAIR_ROWS",
    "DEFAULT_RHO",
    "DRIVES",
    "EPSILONS",
    "PAGE",
    "PAIR_ROWS",
    "RHOS",
]

#: Correlations of the two neurons the page offers (fine near 1).
RHOS: tuple[float, ...] = RHO_OPTIONS
DEFAULT_RHO = 0.99
#: B's own effect on the grip (newtons per SD of its rate); 0: B does nothing.
B_EFFECTS: tuple[float, ...] = (-1.0, -0.5, 0.0, 0.5, 1.0, 2.0)
#: Rows of the two-neuron recording.
PAIR_ROWS: tuple[int, ...] = (100, 200, 500, 1000, 2000, 5000)
DEFAULT_PAIR_ROWS = 500
#: How much worse than the best a model of the Rashomon set may be (a share of its error).
EPSILONS: tuple[float, ...] = (0.01, 0.02, 0.05, 0.1, 0.2)
DEFAULT_EPSILON = 0.05
#: The experiments on the neurons (the presets of ``data/scenarios/neurons.toml``).
DRIVES: tuple[str, ...] = ("Drive B", "Silence B", "Silence A")
#: Real data whose credit the page resamples: statsmodels' Longley, or the lab's
#: current data (the sidebar's world or table).
CREDIT_SOURCES: tuple[str, ...] = ("longley", "lab")

FIELDS = (
    choice("rho", RHOS, DEFAULT_RHO, "The neurons' correlation.", world=False),
    choice("b_effect", B_EFFECTS, 0.0, "B's own effect on the grip (N per SD).", world=False),
    choice("pair_n", PAIR_ROWS, DEFAULT_PAIR_ROWS, "Rows of the recording.", world=False),
    choice("epsilon", EPSILONS, DEFAULT_EPSILON, "The Rashomon set's tolerance.", world=False),
    choice("drive", DRIVES, DRIVES[0], "The experiment on the neurons.", world=False),
    choice("credit", CREDIT_SOURCES, CREDIT_SOURCES[0], "Whose credit is resampled.", world=False),
)
_PAIR = ("rho", "b_effect", "pair_n", "seed")


def _views(name: str) -> Any:
    return lazy("lib.ui.attribution_views", name)


_VIEW = _views("view_of")

PAGE = Page(
    name="Attribution",
    file="pages/5_Attribution.py",
    icon=":material/call_split:",
    fields=FIELDS,
    link=tuple(f.name for f in FIELDS),
    sections=(
        header(
            "Attribution",
            "Prediction is the forward problem, explanation the inverse one. When two inputs "
            "move together, many models predict equally well, yet what they credit to each "
            "input swings from one sample to the next. An experiment settles what the data "
            "cannot.",
            own_world="This page does not use the world picked in the sidebar: it has its own, "
            "two neurons recorded together (only its last section, “On real data”, can use the "
            "sidebar's world or table).",
        ),
        Section(
            "world",
            "Two neurons, one grip",
            reads=_PAIR,
            draw=on_lab(_views("world_section")),  # its sliders above the fit's spinner
            claim="Only neuron A drives the grip; B fires with A.",
        ),
        Section(
            "prediction",
            "As the correlation rises",
            reads=_PAIR,
            needs=_VIEW,
            draw=on_data(_views("prediction_section")),
            claim="Held-out R² stays flat while the coefficients' spread grows.",
        ),
        Section(
            "credit",
            "Same data, different credit",
            reads=_PAIR,
            needs=_VIEW,
            draw=on_data(_views("credit_section")),
            claim="Models that predict alike credit the neurons differently.",
        ),
        Section(
            "condition",
            "Why: inverting a correlation",
            reads=_PAIR,
            needs=_VIEW,
            draw=on_data(_views("condition_section")),
            claim="The condition number and variance inflation grow as 1/(1 − ρ).",
        ),
        Section(
            "rashomon",
            "Many models, equally good",
            reads=(*_PAIR, "epsilon"),
            needs=_VIEW,
            draw=on_data(_views("rashomon_section")),
            claim="Every model within ε of the best; each neuron's range of credit.",
            fold=True,
        ),
        Section(
            "settle",
            "The experiment that settles it",
            reads=(*_PAIR, "epsilon", "drive"),
            needs=_VIEW,
            draw=on_data(_views("settle_section")),
            claim="Driving B on its own settles what prediction could not.",
            fold=True,
        ),
        Section(
            "real",
            "On real data",
            reads=("credit", "scenario", "n", "seed"),  # the sidebar's world or table
            draw=on_lab(_views("real_data_section")),
            claim="The same resampling on Longley's series or the lab's data.",
            fold=True,
        ),
    ),
    # the first slide: the experiment settles what prediction could not (B's credit
    # against its error once driven); the correlated world and its credit follow
    lead="settle",
    numbers=_views("lesson_numbers"),
    step_figure=_views("step_figure"),
    step_plots=_views("step_plots"),
    words=_views("view_words"),
)
