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

from lib.ui.declare import Page
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

__all__ = ["FIELDS", "PAGES", "link_fields", "page"]


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
