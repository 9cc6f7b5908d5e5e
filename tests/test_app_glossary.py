"""The glossary against what the pages show (AppTest), and every page's "What next".

Each section of each page is drawn alone (``sections.ONLY_KEY``), for the default
world and for the default table, and its text is read back (``shown_texts``: the
glossary's own markup left out). The places ``data/glossary.toml`` lists for a
term on a page are exactly the sections whose text uses it (not counting an
earlier section a section reads and brings along), limited to ``:world`` or
``:table`` where a section drawn for both uses it for one only. A failure says
which entries of the file to add or remove.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.ui.glossary_views import glossary
from lib.ui.pages import PAGES, WHAT_NEXT
from lib.ui.sections import ONLY_KEY, wanted
from lib.words.glossary import NEXT, find_terms
from tests.apptest import APP, TIMEOUT, assert_clean, shown_texts, unfold_sections

#: The views each section is read in: the default world, and the default table.
VIEWS = ({}, {"source": "table"})


@cache
def section_texts(page: str, view: int) -> dict[str, str]:
    """Each section's text (and the What next's, as ``next``), drawn alone in one session."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update(VIEWS[view])
    unfold_sections(at)
    out = {}
    for key in [*(s.key for s in PAGES[page].sections), NEXT]:
        at.session_state[ONLY_KEY] = {page: (key,)}
        if PAGES[page].file != "app.py":
            at.switch_page(PAGES[page].file)
        at.run()
        assert_clean(at)
        texts = shown_texts(at.main)
        folded = [s for s in PAGES[page].sections if s.key == key and s.fold]
        if folded and texts:  # alone it is drawn open; on the page its label shows these
            texts += [folded[0].title, folded[0].claim]
        out[key] = "\n".join(texts)
    return out


def _brought(page: str, key: str) -> list[str]:
    """The earlier sections drawn when ``key`` is asked for alone (those it reads)."""
    return [] if key == NEXT else [s.key for s in wanted(page, [key]) if s.key != key]


def expected_places(page: str) -> dict[str, set[str]]:
    """Where each glossary term is shown on ``page``, read off its sections' texts, as
    ``shown`` writes it: ``"Page/section"``, with ``:world`` or ``:table`` when a section
    drawn for both shows it for one only."""
    terms = glossary().terms
    texts = [section_texts(page, view) for view in range(len(VIEWS))]
    found = [{k: {t.name for t in find_terms(v, terms)} for k, v in tx.items()} for tx in texts]
    out: dict[str, set[str]] = {}
    for key in texts[0]:
        drawn = [bool(tx[key].strip()) for tx in texts]
        per_view = []
        for view in range(len(VIEWS)):
            earlier = set().union(*(found[view][b] for b in _brought(page, key)))
            per_view.append(found[view][key] - earlier if drawn[view] else set())
        for name in per_view[0] | per_view[1]:
            only = ""
            if all(drawn) and name not in per_view[1]:
                only = ":world"
            elif all(drawn) and name not in per_view[0]:
                only = ":table"
            out.setdefault(name, set()).add(f"{page}/{key}{only}")
    return out


@pytest.mark.parametrize("page", list(PAGES))
def test_the_words_under_each_section_are_the_words_it_shows(page: str) -> None:
    expected = expected_places(page)
    problems = []
    for term in glossary().terms:
        listed = {str(p) for p in term.shown if p.page == page}
        want = expected.get(term.name, set())
        problems += [f"{term.name!r}: add {p!r} to its `shown`" for p in sorted(want - listed)]
        problems += [f"{term.name!r}: remove {p!r} from its `shown`" for p in sorted(listed - want)]
    assert not problems, "data/glossary.toml:\n" + "\n".join(problems)


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_ends_with_what_next(page: str) -> None:
    """The last thing a page draws is the link on, to a page of the menu, with its why."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    if PAGES[page].file != "app.py":
        at.switch_page(PAGES[page].file)
    at.run()
    assert_clean(at)
    nxt = WHAT_NEXT[page]
    box = at.main.get_by_key("lab_what_next")
    links = box.get("page_link")
    file = PAGES[nxt.page].file  # a link names its page by its file: "" for app.py
    target = "" if file == "app.py" else Path(file).stem.split("_", 1)[1]
    assert [(e.proto.page, e.proto.label) for e in links] == [(target, nxt.label)]
    assert any(nxt.why in str(m.value) for m in box.get("markdown"))
    # nothing of the page comes after it
    last = list(at.main.children.values())[-1]
    assert getattr(last, "key", None) == "lab_what_next" or box in list(last)


def test_the_presenter_view_shows_neither_words_nor_what_next() -> None:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update({"present": "1"})
    at.switch_page(PAGES["Models"].file).run()
    assert_clean(at)
    assert not [m for m in at.markdown if "lab-words" in str(m.value)]
    with pytest.raises(KeyError):
        at.main.get_by_key("lab_what_next")
