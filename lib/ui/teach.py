"""Where a learner is in a lesson, and whether the lab is presenting: in the link.

Pure functions, no Streamlit, like :mod:`lib.ui.params`. The lesson and its
step are in the Lessons page's link (``lesson=tylenol&step=2``), and
``present=1`` on every page, so a copied link reopens the same screen, on a
projector too. Step 0 is a lesson's start (its questions before), steps 1 to
N its steps, N + 1 its end (the same questions again).

>>> state, notices = parse_teach({"lesson": "tylenol", "step": "2", "present": "1"}, {"tylenol": 4})
>>> state.lesson, state.step, state.present, notices
('tylenol', 2, True, [])
>>> teach_query(state, "Lessons")
{'lesson': 'tylenol', 'step': '2', 'present': '1'}
>>> teach_query(state, "Models")
{'present': '1'}

A page's sections are slides in the presenter view, and the link names the one
shown (``section=icp``); a talk is a deck of slides from any pages
(``deck=interventions.outcome,invariance.icp``), each entry a page's
:func:`page_slug` and a section's key:

>>> offered = {"interventions": ("outcome", "changed"), "invariance": ("icp", "fresh")}
>>> state, notices = parse_teach(
...     {"present": "1", "section": "icp", "deck": "interventions.outcome,invariance.icp"},
...     {},
...     offered,
...     page="Invariance",
... )
>>> state.section, state.where, state.deck, notices
('icp', 'Invariance', ('interventions.outcome', 'invariance.icp'), [])
>>> teach_query(state, "Invariance")
{'present': '1', 'section': 'icp', 'deck': 'interventions.outcome,invariance.icp'}
>>> teach_query(state, "Models")
{'present': '1', 'deck': 'interventions.outcome,invariance.icp'}
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

__all__ = [
    "TeachState",
    "deck_entry",
    "deck_neighbour",
    "moved",
    "page_slug",
    "parse_deck",
    "parse_teach",
    "pick_section",
    "slide_order",
    "teach_query",
]

#: Longest section key or deck a link may carry (longer is cut before it is quoted).
_MAX_KEY = 40
_MAX_DECK = 60


@dataclass(frozen=True)
class TeachState:
    """The lesson shown on the Lessons page, its step, and the presenter view.

    Attributes
    ----------
    lesson : str
        A lesson id, or ``""`` for the list of lessons.
    step : int
        0 (the start), 1 to N (a step), N + 1 (the end).
    present : bool
        The presenter view: no sidebar, large type, one idea per screen.
    section : str
        The section the link names (``""``: none): the slide shown in the presenter
        view; elsewhere the section the page scrolls to, opened.
    where : str
        The page ``section`` belongs to (a page's name; another page drops it).
    deck : tuple of str
        A talk: slides from any pages, in order (:func:`deck_entry`), stepped through
        with Next and Back in the presenter view.
    """

    lesson: str = ""
    step: int = 0
    present: bool = False
    section: str = ""
    where: str = ""
    deck: tuple[str, ...] = ()


def _last(value: Any) -> str | None:
    if isinstance(value, list | tuple):
        value = value[-1] if value else None
    return None if value is None else str(value).strip()


def page_slug(name: str) -> str:
    """A page's name as a deck entry and a key spell it.

    >>> page_slug("Black box"), page_slug("Interventions")
    ('black_box', 'interventions')
    """
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def deck_entry(page: str, section: str) -> str:
    """One slide of a deck: ``page_slug(page) + "." + section``.

    >>> deck_entry("Black box", "lesions")
    'black_box.lesions'
    """
    return f"{page_slug(page)}.{section}"


def parse_deck(
    value: str, offered: Mapping[str, Sequence[str]]
) -> tuple[tuple[str, ...], list[str]]:
    """The entries of a ``deck=`` parameter that name a slide of ``offered``.

    Parameters
    ----------
    value : str
        Comma-separated entries, ``page.section`` (:func:`deck_entry`).
    offered : mapping of str to sequence of str
        Each page's slug and the keys of its slides.

    Returns
    -------
    deck : tuple of str
        The good entries, in order; one that comes again is kept once.
    notices : list of str
        One sentence per entry dropped, naming what is offered.

    >>> parse_deck("data.source, data.nope,nope.x,data.source", {"data": ("source", "rows")})
    (('data.source',), ["Link parameter `deck`: 'data.nope' is not a slide of data (its slides: source, rows); left out.", "Link parameter `deck`: 'nope.x' is not a page with slides (pages: data); left out.", "Link parameter `deck`: 'data.source' comes twice; shown once."])
    """
    deck: list[str] = []
    notices: list[str] = []
    for raw in value.split(",")[:_MAX_DECK]:
        entry = raw.strip()
        if not entry:
            continue
        slug, _, key = entry.partition(".")
        shown = repr(entry[: _MAX_KEY * 2])
        if slug not in offered:
            notices.append(
                f"Link parameter `deck`: {shown} is not a page with slides "
                f"(pages: {', '.join(offered)}); left out."
            )
        elif key not in offered[slug]:
            notices.append(
                f"Link parameter `deck`: {shown} is not a slide of {slug} "
                f"(its slides: {', '.join(offered[slug])}); left out."
            )
        elif entry in deck:
            notices.append(f"Link parameter `deck`: {shown} comes twice; shown once.")
        else:
            deck.append(entry)
    return tuple(deck), notices


def slide_order(keys: Sequence[str], lead: str) -> list[str]:
    """A page's slides in the order a talk shows them: ``lead`` (the section that
    states the page's result) first, then the rest in page order.

    >>> slide_order(["environments", "icp", "fresh"], "icp")
    ['icp', 'environments', 'fresh']
    >>> slide_order(["source", "rows"], "missing")
    ['source', 'rows']
    """
    return [lead, *(k for k in keys if k != lead)] if lead in keys else list(keys)


def pick_section(requested: str, order: Sequence[str], page: str) -> tuple[str, list[str]]:
    """The slide to show: ``requested`` when it is one of ``order``, else the first
    slide, with a notice naming the page's sections.

    >>> pick_section("icp", ["icp", "fresh"], "Invariance")
    ('icp', [])
    >>> pick_section("", ["icp", "fresh"], "Invariance")
    ('icp', [])
    >>> pick_section("nope", ["icp", "fresh"], "Invariance")
    ('icp', ["Link parameter `section='nope'` is not a section Invariance shows now (its sections: icp, fresh); showing the first."])
    """
    if requested in order or not order:
        return (requested if requested in order else ""), []
    if not requested:
        return order[0], []
    return order[0], [
        f"Link parameter `section={requested[:_MAX_KEY]!r}` is not a section {page} shows "
        f"now (its sections: {', '.join(order)}); showing the first."
    ]


def deck_neighbour(deck: Sequence[str], entry: str, by: int) -> str | None:
    """The deck's entry ``by`` slides from ``entry`` (None past either end or when
    ``entry`` is not in the deck).

    >>> deck = ("interventions.outcome", "invariance.icp")
    >>> deck_neighbour(deck, "interventions.outcome", 1), deck_neighbour(deck, "invariance.icp", 1)
    ('invariance.icp', None)
    """
    if entry not in deck:
        return None
    at = deck.index(entry) + by
    return deck[at] if 0 <= at < len(deck) else None


def parse_teach(
    raw: Mapping[str, Any],
    lessons: Mapping[str, int],
    offered: Mapping[str, Sequence[str]] | None = None,
    *,
    page: str = "",
) -> tuple[TeachState, list[str]]:
    """Read ``lesson``, ``step``, ``present``, ``section`` and ``deck`` from a link.

    Parameters
    ----------
    raw : mapping
        The query parameters.
    lessons : mapping of str to int
        Each lesson's id and number of steps.
    offered : mapping of str to sequence of str, optional
        Each page's slug and its slides' keys, against which a deck is checked
        (without it a deck is left out). Whether ``section`` is a section the page
        shows is known only when the page runs (:func:`pick_section`).
    page : str
        The page the link opens (``section`` belongs to it).

    Returns
    -------
    state : TeachState
    notices : list of str
        One sentence per bad parameter (it falls back to its default).
    """
    notices: list[str] = []
    present = _last(raw.get("present"))
    on = present in ("1", "true", "yes")
    if present is not None and present not in ("0", "1", "true", "false", "yes", "no", ""):
        notices.append(f"Link parameter `present={present[:20]!r}` is not 1 or 0; using 0.")
    lesson = _last(raw.get("lesson")) or ""
    if lesson and lesson not in lessons:
        notices.append(
            f"Link parameter `lesson={lesson[:40]!r}` is not a lesson "
            f"(lessons: {', '.join(lessons)}); showing the list of lessons."
        )
        lesson = ""
    step = 0
    value = _last(raw.get("step"))
    if lesson and value is not None:
        last = lessons[lesson] + 1
        if value.isdigit() and 0 <= int(value) <= last:
            step = int(value)
        else:
            notices.append(
                f"Link parameter `step={value[:20]!r}` is not a step from 0 to {last}; "
                "starting at the lesson's start."
            )
    section = (_last(raw.get("section")) or "")[:_MAX_KEY]
    deck: tuple[str, ...] = ()
    value = _last(raw.get("deck"))
    if value and offered is not None:
        deck, more = parse_deck(value, offered)
        notices += more
    return TeachState(lesson, step, on, section, page if section else "", deck), notices


def teach_query(state: TeachState, page: str | None) -> dict[str, str]:
    """The link parameters of ``state`` on ``page`` (the lesson only on the Lessons page,
    the section only on its own page, the deck only in the presenter view)."""
    out: dict[str, str] = {}
    if page == "Lessons" and state.lesson:
        out["lesson"] = state.lesson
        out["step"] = str(state.step)
    if state.present:
        out["present"] = "1"
    if state.section and state.where == page:
        out["section"] = state.section
    if state.present and state.deck:
        out["deck"] = ",".join(state.deck)
    return out


def moved(state: TeachState, by: int, steps: int) -> TeachState:
    """The state ``by`` steps on (clipped to the lesson's start and end)."""
    return replace(state, step=min(max(state.step + by, 0), steps + 1))
