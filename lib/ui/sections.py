"""Draw a page from its declaration: its sections, in order (:mod:`lib.ui.pages`).

A page file is one call, ``render("Attribution")``: :func:`lib.ui.state.init_page`,
then every section the view shows. A section's computation (``needs``) runs once
per run however many sections share it; :func:`run` can draw any subset of a
page's sections, each with only what it needs, and a session can ask a page for
some of its sections only (:data:`ONLY_KEY`: what a test or a slide asks for;
``"next"`` among them asks for its "What next").

A new view costs what is seen:

- A section declared ``alone`` runs as a Streamlit fragment: its own widgets
  rerun it, not the page. If one of them changed a field that another section
  on the page was drawn with, the page runs again whole, so nothing stays stale.
- A section declared ``fold`` is drawn closed under its title and computed when
  the reader opens it (a fragment too: opening it runs only it). Open, it stays
  open for the session. The presenter view and a section asked for alone draw
  it open.

Under each section it draws, the words it uses with their definitions
(:func:`lib.ui.glossary_views.words_line`, from ``data/glossary.toml``); under
the page, where to go next and why (:func:`lib.ui.glossary_views.what_next`).
The presenter view, a slide deck, shows neither.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import streamlit as st

from lib.ui import slides
from lib.ui.declare import Section
from lib.ui.glossary_views import what_next, words_line
from lib.ui.pages import page
from lib.ui.slides import scroll_mark
from lib.ui.state import (
    Lab,
    add_notice,
    init_page,
    lab_state,
    set_teach,
    sync_url,
    teach_state,
)
from lib.ui.teach import page_slug
from lib.words.glossary import NEXT

__all__ = ["FOLD_PREFIX", "ONLY_KEY", "fold_key", "render", "run", "wanted"]

#: Session-state key: ``{page: (section keys)}``, the sections a page draws for this
#: session instead of all of them (with any earlier section they read).
ONLY_KEY = "lab_only_sections"
#: How a folded section's expander key starts (:func:`fold_key`); its value in the
#: session state is whether the reader opened it.
FOLD_PREFIX = "lab_open_"
#: Session-state key: ``{page: {section key: the LabState it was last drawn with}}``.
_DRAWN_KEY = "lab_drawn_sections"


def fold_key(page_name: str, section: str) -> str:
    """The expander key of a folded section (``lab_open_black_box_lesions``)."""
    return f"{FOLD_PREFIX}{page_slug(page_name)}_{section}"


def _own(s: Section, targets: set[str]) -> bool:
    """Whether ``s`` can run as a fragment: it reads no other section's drawing and
    no section reads its drawing."""
    return (s.alone or s.fold) and not isinstance(s.needs, str) and s.key not in targets


def run(lab: Lab, sections: Iterable[Section], *, unfold: bool = False, mark: str = "") -> None:
    """Draw ``sections`` for ``lab``'s view (those its ``when`` leaves out are skipped).

    ``unfold``: draw folded sections open (what a section asked for alone gets).
    ``mark``: the key of a section the page scrolls to (a link's ``section``).
    """
    sections = list(sections)
    targets = {s.needs for s in sections if isinstance(s.needs, str)}
    memo: dict[Any, Any] = {}
    drawn: dict[str, Any] = {}
    st.session_state.setdefault(_DRAWN_KEY, {})[lab.page] = drawn
    for s in sections:
        if not s.when(lab):
            continue
        drawn[s.key] = lab.state
        if s.key == mark:
            scroll_mark(s.key)
        if _own(s, targets):
            _fragment(lab.page, s.key, lab, memo, unfold)
        else:
            memo[("drawn", s.key)] = _section(lab, s, memo, unfold)


def _section(lab: Lab, s: Section, memo: dict[Any, Any], unfold: bool) -> Any:
    """Draw ``s`` (closed and not computed when folded and not opened)."""
    if s.fold and not unfold and not lab.present:
        label = f"**{s.title}** · {s.claim}" if s.claim else f"**{s.title}**"
        box = st.expander(label, key=fold_key(lab.page, s.key), on_change="rerun")
        if not box.open:
            return None
        with box:
            return _draw(lab, s, memo)
    return _draw(lab, s, memo)


def _draw(lab: Lab, s: Section, memo: dict[Any, Any]) -> Any:
    data = None
    if isinstance(s.needs, str):
        if ("drawn", s.needs) not in memo:  # what it reads was not drawn here
            return None
        data = memo[("drawn", s.needs)]
    elif s.needs is not None:
        if s.needs not in memo:
            memo[s.needs] = s.needs(lab)
        data = memo[s.needs]
    drawn = s.draw(lab, data)
    if not lab.present:
        words_line(lab, s.key)
    return drawn


def _stale_elsewhere(page_name: str, key: str, now: Any) -> bool:
    """Whether a section other than ``key`` was drawn with a field ``now`` changed."""
    drawn = st.session_state.get(_DRAWN_KEY, {}).get(page_name, {})
    sections = {s.key: s for s in page(page_name).sections}
    for other, state in drawn.items():
        if other == key or other not in sections:
            continue
        if any(getattr(state, f, None) != getattr(now, f, None) for f in sections[other].reads):
            return True
    return False


@st.fragment
def _fragment(page_name: str, key: str, lab: Lab, memo: dict[Any, Any], unfold: bool) -> Any:
    """One section as a fragment: in the page's run, and again alone when its widgets
    change (with the state they left; the whole page when another section shows
    what changed)."""
    s = next(x for x in page(page_name).sections if x.key == key)
    now = lab_state()
    if now is not lab.state:  # rerun alone, after a widget of this section changed the state
        if _stale_elsewhere(page_name, key, now):
            st.rerun()
        st.session_state[_DRAWN_KEY][page_name][key] = now
        lab, memo = replace(lab, state=now), {}
        sync_url(page_name)
    return _section(lab, s, memo, unfold)


def wanted(name: str, only: Iterable[str] | None) -> list[Section]:
    """The sections of page ``name`` to draw: all, or those in ``only`` and the earlier
    sections whose drawing they read."""
    sections = page(name).sections
    if only is None:
        return list(sections)
    keys = set(only)
    for s in reversed(sections):
        if s.key in keys and isinstance(s.needs, str):
            keys.add(s.needs)
    return [s for s in sections if s.key in keys]


def render(name: str) -> Lab:
    """Start the page ``name`` and draw its sections; returns the page's :class:`Lab`.

    In the presenter view a page with slides draws one (:mod:`lib.ui.slides`): the
    bar, then the slide's section with the earlier ones it reads. Elsewhere a link's
    ``section`` is drawn open and scrolled to.
    """
    lab = init_page(name)
    only = st.session_state.get(ONLY_KEY, {}).get(name)
    if lab.present and only is None and page(name).slides:
        run(lab, wanted(name, [slides.show(lab)]), unfold=True)
        return lab
    mark = _asked(lab) if only is None else ""
    run(lab, wanted(name, only), unfold=only is not None, mark=mark)
    if not lab.present and (only is None or NEXT in only):
        what_next(lab)
    return lab


def _asked(lab: Lab) -> str:
    """The section a link asks this page for (opened, to scroll to), or ``""``; a key
    the page does not show now is a notice."""
    teach = teach_state()
    if not teach.section or teach.where != lab.page:
        return ""
    spec = page(lab.page)
    shown = [s.key for s in spec.sections if s.key != "header" and s.when(lab)]
    if teach.section not in shown:
        add_notice(
            f"Link parameter `section={teach.section!r}` is not a section {lab.page} shows "
            f"now (its sections: {', '.join(shown)}); showing the page from its top."
        )
        set_teach(replace(teach, section="", where=""))
        sync_url(lab.page)
        return ""
    if spec.section(teach.section).fold:
        st.session_state[fold_key(lab.page, teach.section)] = True
    return teach.section
