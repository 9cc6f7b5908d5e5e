"""Sections as slides: the presenter view's one section per screen, and a talk.

In the presenter view (``present=1``) a page that declares a ``lead``
(:class:`lib.ui.declare.Page`) shows one of its slides per screen, under a slim
bar that says where the speaker is ("Invariance · 2 of 6") with Back and Next
(keyed ``slide_back`` and ``slide_next``; the clicker's keys press them,
:mod:`lib.ui.clicker`). The link names the slide (``section=icp``); the lead
section comes first, the others in page order (:func:`lib.ui.teach.slide_order`).

A talk is a deck of slides from any pages (``deck=interventions.outcome,
invariance.icp``), made on Home (:func:`talk_section`): Next and Back follow the
deck across pages, and the bar counts the deck's slides.

Outside the presenter view a link's ``section`` opens that section and scrolls
to it (:func:`scroll_mark`).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import streamlit as st

from lib.ui.clicker import keys
from lib.ui.pages import PAGES, page
from lib.ui.state import (
    Lab,
    go_to,
    offered_slides,
    pop_notices,
    set_teach,
    sync_url,
    teach_state,
    view_query,
)
from lib.ui.teach import (
    TeachState,
    deck_entry,
    deck_neighbour,
    page_slug,
    pick_section,
    slide_order,
)

__all__ = ["deck_link", "scroll_mark", "show", "slide_keys", "talk_options", "talk_section"]


def slide_keys(lab: Lab) -> list[str]:
    """The slides ``lab``'s page shows now, in a talk's order (the lead first)."""
    spec = page(lab.page)
    return slide_order([s.key for s in spec.slides if s.when(lab)], spec.lead)


def _entry_page(entry: str) -> tuple[str, str]:
    """A deck entry's page name and section key."""
    slug, _, key = entry.partition(".")
    name = next(n for n in PAGES if page_slug(n) == slug)
    return name, key


def show(lab: Lab) -> str:
    """Draw the slide bar of ``lab``'s page and return the key of the slide to draw."""
    order = slide_keys(lab)
    teach = teach_state()
    key, notices = pick_section(teach.section if teach.where == lab.page else "", order, lab.page)
    if (teach.section, teach.where) != (key, lab.page):
        set_teach(replace(teach, section=key, where=lab.page))
        sync_url(lab.page)  # the link names the slide shown
    _bar(lab, order, key, notices)
    return key


def _bar(lab: Lab, order: list[str], key: str, notices: list[str]) -> None:
    """Where the speaker is, Back and Next, and the link's notices."""
    deck = teach_state().deck
    here = deck_entry(lab.page, key)
    name = page(lab.page).menu_label
    back: tuple[str, str] | None
    forward: tuple[str, str] | None
    if here in deck:  # a talk: the deck's slides, across pages
        where = f"{name} · slide {deck.index(here) + 1} of {len(deck)}"
        before, after = deck_neighbour(deck, here, -1), deck_neighbour(deck, here, 1)
        back = _entry_page(before) if before else None
        forward = _entry_page(after) if after else None
    else:
        at = order.index(key)
        where = f"{name} · {at + 1} of {len(order)}"
        back = (lab.page, order[at - 1]) if at > 0 else None
        forward = (lab.page, order[at + 1]) if at + 1 < len(order) else None
    with st.container(key="slide_bar"):
        title, left, right = st.columns([6, 1.4, 1.4], vertical_alignment="center")
        title.title(where, anchor=False)
        left.button(
            "Back",
            key="slide_back",
            icon=":material/arrow_back:",
            disabled=back is None,
            on_click=go_to,
            args=back or (lab.page, key),
            width="stretch",
        )
        right.button(
            "Next",
            key="slide_next",
            icon=":material/arrow_forward:",
            disabled=forward is None,
            on_click=go_to,
            args=forward or (lab.page, key),
            width="stretch",
        )
    for message in [*pop_notices(), *notices]:
        st.warning(message, icon=":material/link_off:")
    keys()


def scroll_mark(key: str) -> None:
    """A mark before section ``key`` that the page scrolls to once it is drawn (a link's
    ``section`` outside the presenter view), until the reader scrolls or types."""
    mark = f"lab-section-{key}"
    st.html(
        f"""<div id="{mark}" style="scroll-margin-top: 4rem"></div>
<script>
(() => {{
  let stop = false, n = 0;
  for (const ev of ["wheel", "touchstart", "keydown", "mousedown"])
    window.addEventListener(ev, () => {{ stop = true; }}, {{once: true, capture: true}});
  const go = () => {{
    if (stop || n++ > 40) return;
    const el = document.getElementById({json.dumps(mark)});
    if (el) el.scrollIntoView({{block: "start"}});
    setTimeout(go, 250);
  }};
  go();
}})();
</script>""",
        unsafe_allow_javascript=True,
    )


# ----------------------------------------------------------------------------- a talk


def talk_options() -> dict[str, str]:
    """Every slide a talk can show, as a deck entry, to its name ("Invariance · What ICP
    concludes"), page by page in the menu's order, each page's slides in a talk's order."""
    out: dict[str, str] = {}
    for slug, slides in offered_slides().items():
        name, _ = _entry_page(f"{slug}.")
        spec = page(name)
        for key in slide_order(list(slides), spec.lead):
            out[deck_entry(name, key)] = f"{spec.menu_label} · {spec.section(key).title}"
    return out


def _path(name: str) -> str:
    """The URL path of a page ("" for Home, ``Black_box``)."""
    file = page(name).file
    return "" if file == "app.py" else Path(file).stem.split("_", 1)[1]


def deck_link(deck: tuple[str, ...], view: dict[str, str], base: str = "") -> str:
    """The link that opens ``deck`` at its first slide in the presenter view.

    ``view`` is the first page's view (its world, seed and fields), ``base`` the lab's
    address (``""``: a link from the lab's root).

    >>> deck_link(("invariance.icp", "home.story"), {"scenario": "ldopa"}, "http://lab")
    'http://lab/Invariance?scenario=ldopa&present=1&section=icp&deck=invariance.icp,home.story'
    """
    name, key = _entry_page(deck[0])
    query = {**view, "present": "1", "section": key, "deck": ",".join(deck)}
    return f"{base.rstrip('/')}/{_path(name)}?{urlencode(query, safe=',')}"


def _start(deck: tuple[str, ...]) -> None:
    """Open the talk: the presenter view at the deck's first slide."""
    name, key = _entry_page(deck[0])
    set_teach(TeachState(present=True, deck=deck))
    go_to(name, key)


def talk_section(lab: Any, data: Any) -> None:
    """Home's "Make a talk": slides picked from any pages, in order, as one link."""
    st.subheader("Make a talk", anchor=False)
    st.markdown(
        "Pick slides from any pages, in the order you will show them. The link opens the "
        "first in the presenter view; Next and Back (or the clicker's PageDown and PageUp, "
        "the arrows and Space) step through the deck across pages, on this world and seed."
    )
    options = talk_options()
    picked = st.multiselect(
        "Slides, in the order picked",
        list(options),
        format_func=lambda entry: options.get(entry, entry),
        key="talk_pick",
        placeholder="Pick a page's section…",
    )
    if not picked:
        return
    deck = tuple(picked)
    name, _ = _entry_page(deck[0])
    url = urlsplit(str(st.context.url or ""))
    base = f"{url.scheme}://{url.netloc}{url.path}" if url.scheme else ""  # Home: the root
    st.code(deck_link(deck, view_query(name), base), language=None, wrap_lines=True)
    st.button(
        "Start the talk",
        key="talk_start",
        type="primary",
        icon=":material/co_present:",
        on_click=_start,
        args=(deck,),
    )
