"""The glossary file (data/glossary.toml), its reader, and each page's "What next"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lib.errors import GlossaryError, ScenarioError
from lib.ui.glossary_views import glossary_html, words_html
from lib.ui.pages import PAGES, WHAT_NEXT
from lib.words.glossary import (
    GLOSSARY_FILE,
    MAX_DEFINITION,
    NEXT,
    Place,
    find_terms,
    glossary_from_toml,
    load_glossary,
    read_glossary,
)

SECTIONS = {name: [s.key for s in p.sections] for name, p in PAGES.items()}

GOOD = """
[[term]]
name = "ICP"
forms = ["invariant causal prediction"]
definition = "A test that keeps the sets of inputs that predict the same way everywhere."
shown = ["Invariance/header", "Home/next"]

[[term]]
name = "α (significance level)"
definition = "How often a test may wrongly reject a true hypothesis."
shown = ["Invariance/header", "Home/start:table"]
"""


def test_the_labs_glossary_reads_and_names_only_real_sections() -> None:
    g = read_glossary(GLOSSARY_FILE, SECTIONS)
    assert len(g.terms) >= 30
    names = [t.name for t in g.terms]
    assert len(names) == len(set(names))
    for t in g.terms:
        assert t.definition and len(t.definition) <= MAX_DEFINITION, t.name
        assert t.shown, t.name


def test_each_definition_is_one_or_two_plain_sentences() -> None:
    for t in read_glossary().terms:
        sentences = [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z(“])", t.definition) if s]
        assert 1 <= len(sentences) <= 2, (t.name, sentences)
        assert t.definition.endswith((".", ")")), t.name


def test_a_good_file_reads_into_terms_and_places() -> None:
    g = glossary_from_toml(GOOD, SECTIONS)
    icp = g.term("ICP")
    assert icp.forms == ("ICP", "invariant causal prediction")
    assert icp.shown == (Place("Invariance", "header"), Place("Home", NEXT))
    assert icp.pages == ("Invariance", "Home")
    # a name's words before its parentheses are how a page writes it
    assert g.term("α (significance level)").forms == ("α",)
    assert [t.name for t in g.on("Invariance", "header")] == ["ICP", "α (significance level)"]
    assert g.on("Data", "rows") == ()
    # a place limited to one kind of data: ":table" is shown for a table only
    alpha = g.term("α (significance level)")
    assert alpha.shown[1] == Place("Home", "start", "table")
    assert str(alpha.shown[1]) == "Home/start:table"
    assert [t.name for t in g.on("Home", "start", table=True)] == ["α (significance level)"]
    assert g.on("Home", "start", table=False) == ()
    assert len(g.on("Home", "start")) == 1  # for either


def test_terms_are_found_as_whole_words_in_any_case_and_plural() -> None:
    g = glossary_from_toml(GOOD)
    found = lambda text: [t.name for t in find_terms(text, g.terms)]  # noqa: E731
    assert found("ICP keeps dose") == ["ICP"]
    assert found("two Invariant Causal Predictions") == ["ICP"]
    assert found("ICPs") == ["ICP"]
    assert found("PICP, icpx") == []
    assert found("at α = 0.05") == ["α (significance level)"]
    assert found("nothing here") == []


@pytest.mark.parametrize(
    ("text", "message", "field"),
    [
        ("[[term]\nname = 1", "not a valid glossary file (TOML)", None),
        ("[other]\nx = 1", "holds only `[[term]]` tables", "other"),
        ("x = 1", "holds only `[[term]]` tables", "x"),
        ('[[term]]\ndefinition = "d."\nshown = ["Home/header"]', "`name` is missing", None),
        ('[[term]]\nname = "a"\nshown = ["Home/header"]', "`definition` is missing", "a"),
        (
            '[[term]]\nname = "a"\ndefinition = "d."\nshown = ["Home/header"]\nshwn = []',
            "unknown field `shwn`; did you mean `shown`?",
            "a",
        ),
        ('[[term]]\nname = "a"\ndefinition = "d."', "`shown` lists the sections", "a"),
        ('[[term]]\nname = "a"\ndefinition = "d."\nshown = ["Home"]', '"Page/section"', "a"),
        (
            '[[term]]\nname = "a"\ndefinition = "d."\nshown = ["Invarance/header"]',
            "no page `Invarance`; did you mean `Invariance`?",
            "a",
        ),
        (
            '[[term]]\nname = "a"\ndefinition = "d."\nshown = ["Home/heder"]',
            "the Home page has no section `heder`; did you mean `header`?",
            "a",
        ),
        (
            '[[term]]\nname = "a"\ndefinition = "d."\nshown = ["Home/header", "Home/header"]',
            "names Home/header twice",
            "a",
        ),
        (
            '[[term]]\nname = "a"\ndefinition = "d."\nshown = ["Home/header", "Home/header:table"]',
            "names Home/header twice",
            "a",
        ),
        (
            '[[term]]\nname = "a"\ndefinition = "d."\nshown = ["Home/header:phone"]',
            "limited to `:world` or `:table`",
            "a",
        ),
        (
            f'[[term]]\nname = "a"\ndefinition = "{"x" * (MAX_DEFINITION + 1)}"\n'
            'shown = ["Home/header"]',
            "one or two plain sentences",
            "a",
        ),
        ('[[term]]\nname = "a"\ndefinition = ""\nshown = ["Home/header"]', "must be text", "a"),
        (
            '[[term]]\nname = "a"\ndefinition = "d."\nshown = ["Home/header"]\n'
            '[[term]]\nname = "b"\nforms = ["A"]\ndefinition = "d."\nshown = ["Home/header"]',
            "`A` is already a form of `a`",
            "b",
        ),
    ],
)
def test_a_bad_file_says_which_term_and_field(text: str, message: str, field: str | None) -> None:
    with pytest.raises(GlossaryError) as err:
        glossary_from_toml(text, SECTIONS)
    assert message in str(err.value)
    assert err.value.name == field
    assert isinstance(err.value, ScenarioError)  # shown as every file error is


def test_a_bad_or_missing_file_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "glossary.toml"
    bad.write_text('[[term]]\nname = "a"\n', encoding="utf-8")
    with pytest.raises(GlossaryError, match=r"^glossary\.toml: term `a`: `definition` is missing"):
        read_glossary(bad)
    with pytest.raises(GlossaryError, match="cannot be read"):
        load_glossary(tmp_path / "none.toml")


def test_the_glossary_is_read_again_when_its_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "glossary.toml"
    path.write_text(GOOD, encoding="utf-8")
    assert len(load_glossary(path).terms) == 2
    path.write_text(GOOD.split('\n[[term]]\nname = "α')[0], encoding="utf-8")
    import os

    os.utime(path, (1, 1))  # a different modification time, whatever the clock's resolution
    assert [t.name for t in load_glossary(path).terms] == ["ICP"]


def test_definitions_are_drawn_inert() -> None:
    g = glossary_from_toml(
        '[[term]]\nname = "<b>x</b>"\ndefinition = "a <script>alert(1)</script> & b."\n'
        'shown = ["Home/header"]'
    )
    for html in (words_html(g.terms), glossary_html(g.terms)):
        assert "<script>" not in html and "<b>x</b>" not in html
        assert "&lt;script&gt;" in html and "&amp; b." in html
    assert 'tabindex="0"' in words_html(g.terms)  # a tap focuses it: the definition opens


def test_every_page_says_what_next_and_links_to_another_page_of_the_menu() -> None:
    assert set(WHAT_NEXT) == set(PAGES)
    for name, nxt in WHAT_NEXT.items():
        assert nxt.page in PAGES and nxt.page != name, name
        assert nxt.label.startswith(PAGES[nxt.page].menu_label), (name, nxt.label)
        for why in (nxt.reason(False), nxt.reason(True)):
            sentences = re.split(r"(?<=[.?!])\s+", why)
            assert 1 <= len(sentences) <= 2 and why.endswith((".", "?")), (name, why)
