"""What the page tests share: sessions of the app under Streamlit's AppTest, and readers.

Each test starts a fresh session on ``app.py`` (the entry point, as the server
does), optionally with URL query parameters, and moves between the files in
``pages/`` with ``AppTest.switch_page``::

    at = open_page("pages/2_Models.py", scenario="fever")
    assert_clean(at)
    assert "fever" in texts(at)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
PAGE_FILES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))
DATA, MODELS, INTERVENTIONS = (
    "pages/1_Data.py",
    "pages/2_Models.py",
    "pages/3_Interventions.py",
)
#: Seconds one run of a page may take before AppTest gives up. It only stops a run
#: that hangs; it is not a budget (those are measured in bench/, never asserted), so
#: it is generous: a Black box network trains on a machine busy with other tests.
TIMEOUT = 120


def session(*, unfold: bool = True, **params: str) -> AppTest:
    """A new session on ``app.py`` with a URL's query parameters, not run yet.

    ``unfold``: every page's folded sections open, as for a reader who opens them
    all (:func:`unfold_sections`); ``False`` for what a new reader first sees.
    """
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update(params)
    if unfold:
        unfold_sections(at)
    return at


def open_page(page: str | None = None, *, unfold: bool = True, **params: str) -> AppTest:
    """A new session whose first run is ``page`` (``None``: the home page), with a URL."""
    at = session(unfold=unfold, **params)
    if page is not None:
        at.switch_page(page)
    return at.run()


def unfold_sections(at: AppTest, page_name: str | None = None) -> AppTest:
    """Open every folded section of ``page_name`` (of every page when ``None``)."""
    from lib.ui.pages import PAGES
    from lib.ui.sections import fold_key

    for name, spec in PAGES.items():
        if page_name in (None, name):
            for s in spec.sections:
                if s.fold:
                    at.session_state[fold_key(name, s.key)] = True
    return at


def go(at: AppTest, page: str) -> AppTest:
    """Move the same session to another page (like clicking it in the sidebar)."""
    return at.switch_page(page).run()


def assert_clean(at: AppTest) -> None:
    """No exception and no ``st.error`` box on the page."""
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def texts(at: AppTest, *, alerts: bool = False) -> str:
    """All Markdown, captions, headings and info boxes of the current page, joined.

    ``alerts=True`` adds the success, warning and error boxes.
    """
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [h.value for h in at.title] + [h.value for h in at.subheader]
    parts += [i.value for i in at.info]
    if alerts:
        parts += [e.value for e in (*at.success, *at.warning, *at.error)]
    return "\n".join(str(p) for p in parts)


def sentence(at: AppTest, start: str) -> str:
    """The first Markdown block that starts with ``start`` (fails without one)."""
    found = [m.value for m in at.markdown if m.value.startswith(start)]
    assert found, f"no sentence starting {start!r}"
    return found[0]


def button(at: AppTest, key: str) -> Any:
    """The button with widget key ``key``."""
    return next(b for b in at.button if b.key == key)


def metrics(at: AppTest) -> dict[str, str]:
    """Every ``st.metric`` of the page, label to value."""
    return {m.label: m.value for m in at.metric}
