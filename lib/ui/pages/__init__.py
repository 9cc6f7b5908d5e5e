"""The registry of pages: each page's fields and sections, declared once.

A page is a :class:`~lib.ui.declare.Page`: its file, menu icon and label, the
fields its link carries (:mod:`lib.ui.fields`) and its sections in order. A
section names the fields it reads, the cached computation it needs, how it
draws and the one claim it makes. The page, where it has them, gives its
numbers and figure for a lesson step (and the presenter view), its handout and
its reproducing script. Everything generic asks the registry instead of
switching on a page's name: the URL parser and the state's repairs
(:mod:`lib.ui.params`), the menu and the links (:mod:`lib.ui.state`), the page
runner (:mod:`lib.ui.sections`), lessons (:mod:`lib.ui.lesson_views`), handouts
and scripts (:mod:`lib.ui.handout_views`).

What a page and a section are is :mod:`lib.ui.declare`; this package is pure at
import time (no Streamlit), so :mod:`lib.ui.params` can read the fields without
importing any view. Adding a page or a section touches its
page module (``lib/ui/pages/<page>.py``) and its tests; see
``docs/architecture.md``, "Adding a section".
"""

from __future__ import annotations

from lib.ui.declare import Next, Page
from lib.ui.fields import Field
from lib.ui.pages import (
    attribution,
    blackbox,
    builder,
    data,
    home,
    interventions,
    invariance,
    lessons,
    live_class,
    models,
)
from lib.ui.pages.world import WORLD_FIELDS

__all__ = ["FIELDS", "PAGES", "WHAT_NEXT", "link_fields", "page"]


#: The pages' modules, in the menu's order (the home page first).
_MODULES = (
    home,
    data,
    models,
    interventions,
    invariance,
    attribution,
    blackbox,
    builder,
    lessons,
    live_class,
)

#: Every page, in the menu's order (the home page first).
PAGES: dict[str, Page] = {m.PAGE.name: m.PAGE for m in _MODULES}


#: Where each page sends a reader when it ends, and why: the one table of the ways on
#: (drawn under every page by :func:`lib.ui.glossary_views.what_next`).
WHAT_NEXT: dict[str, Next] = {
    "Home": Next(
        "Data",
        "Data: see the world",
        "Start with the data: the world's causal graph, its rows, and which variables go together.",
        "Start with the table: choose its target and features, and draw the causes you believe in.",
    ),
    "Data": Next(
        "Models",
        "Models: fit a predictive and a causal model",
        "Next, fit two models to these rows: a predictive one that may use every feature, "
        "and a causal one that uses only the target's causes.",
        "Next, fit two models to these rows: a predictive one that may use every feature, "
        "and a causal one that uses only the causes you declared.",
    ),
    "Models": Next(
        "Interventions",
        "Interventions: which model still predicts after a change?",
        "Both models were scored on a fresh sample from the same world they learned from. "
        "Change the world, and see which one still predicts.",
        "Both models were scored on held-out rows like the rows they learned from. Hold out a "
        "whole environment instead (the table needs an environment column), and see which "
        "one still predicts there.",
    ),
    "Interventions": Next(
        "Invariance",
        "Invariance: test which inputs predict the same way in every environment",
        "One intervention is one test. Invariance compares many environments at once and "
        "keeps the sets of inputs that predict the target the same way in all of them.",
        "One held-out environment is one test. Invariance compares all the table's "
        "environments at once and keeps the sets of inputs that predict the target the same "
        "way in all of them.",
    ),
    "Invariance": Next(
        "Attribution",
        "Attribution: equal prediction, different explanations",
        "Knowing which inputs predict is not knowing how much each one does. Attribution "
        "shows, in a world of its own with two correlated inputs, how equally good models "
        "give them different credit.",
    ),
    "Attribution": Next(
        "Black box",
        "Black box: a neuroscientist's tools on a network we know completely",
        "The same questions asked of a small neural network: do lesions, PCA and patching "
        "find out how it works?",
    ),
    "Black box": Next(
        "Builder",
        "Builder: write your own world",
        "Write a world of your own as a table of equations, with the causes you choose, and "
        "try every page on it.",
    ),
    "Builder": Next(
        "Data",
        "Data: see your world",
        "Once you press “Use this world”, it is the sidebar's world: see its rows and causal "
        "graph on the Data page first.",
    ),
    "Lessons": Next(
        "Data",
        "Data: explore on your own",
        "Explore on your own: pick any world in the sidebar, and follow it from its data to "
        "its causes.",
    ),
    "Class": Next(
        "Home",
        "Home: explore the lab on your own",
        "After class, explore on your own: Home tells a world's story, draws its causal graph, "
        "and starts you on its three steps.",
        "After class, explore on your own: Home starts you on the table's three steps.",
    ),
}


def _fields() -> dict[str, Field]:
    out = {f.name: f for f in WORLD_FIELDS}
    for p in PAGES.values():
        for f in p.fields:
            if f.name in out:
                raise ValueError(f"the field {f.name!r} is declared twice")
            out[f.name] = f
    return out


#: Every field of every page, by name, in declaration order (the world's first).
FIELDS: dict[str, Field] = _fields()


def page(name: str) -> Page:
    """A page by name."""
    return PAGES[name]


def link_fields(name: str | None) -> tuple[Field, ...]:
    """The fields a page's link carries besides ``scenario``, in order."""
    own = PAGES[name].link if name in PAGES else ()
    return (*WORLD_FIELDS, *(FIELDS[f] for f in own))
