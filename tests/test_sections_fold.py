"""Folded sections: drawn closed under their title, computed when the reader opens them."""

from __future__ import annotations

import pytest

from lib.ui.pages import PAGES
from lib.ui.sections import FOLD_PREFIX, fold_key
from tests.apptest import assert_clean, open_page, unfold_sections


def test_fold_keys_are_distinct_and_named_for_the_client() -> None:
    keys = [fold_key(name, s.key) for name, p in PAGES.items() for s in p.sections if s.fold]
    assert keys and len(keys) == len(set(keys))
    assert all(k.startswith(FOLD_PREFIX) and k.isidentifier() for k in keys)
    assert fold_key("Black box", "lesions") == "lab_open_black_box_lesions"


@pytest.mark.parametrize(
    ("file", "name", "inside"),
    [
        ("pages/3_Interventions.py", "Interventions", "How strong before it breaks?"),
        ("pages/6_Black_box.py", "Black box", "2 · Lesion every unit"),
    ],
)
def test_a_folded_section_is_computed_only_once_opened(file: str, name: str, inside: str) -> None:
    at = open_page(file, unfold=False)
    assert_clean(at)
    folded = [s for s in PAGES[name].sections if s.fold]
    labels = [e.label for e in at.expander]
    for s in folded:  # each closed under its title, with its claim
        assert any(s.title in label and s.claim in label for label in labels), (s.title, labels)
    assert inside not in [h.value for h in at.subheader]
    unfold_sections(at, name).run()
    assert_clean(at)
    assert inside in [h.value for h in at.subheader]
