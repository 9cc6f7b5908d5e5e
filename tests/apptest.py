"""What the page tests share: sessions of the app under Streamlit's AppTest, and readers.

Each test starts a fresh session on ``app.py`` (the entry point, as the server
does), optionally with URL query parameters, and moves between the files in
``pages/`` with ``AppTest.switch_page``::

    at = open_page("pages/2_Models.py", scenario="fever")
    assert_clean(at)
    assert "fever" in texts(at)
"""

from __future__ import annotations

import json
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


#: Markup of the lab's own glossary (the words under a section, Home's list of every
#: word): left out of what a page shows, so that a page test reads the page's own words.
GLOSSARY_MARKUP = ('class="lab-words"', 'class="lab-glossary"')


def _plotly_texts(spec: str) -> list[str]:
    """The words a plotly figure shows: titles, axis titles, annotations, trace names."""
    fig = json.loads(spec)
    out: list[str] = []

    def title(obj: Any) -> None:
        t = obj.get("title") if isinstance(obj, dict) else None
        if isinstance(t, dict):
            t = t.get("text")
        if isinstance(t, str):
            out.append(t)

    layout = fig.get("layout", {})
    title(layout)
    title(layout.get("legend", {}))
    for key, value in layout.items():
        if key.startswith(("xaxis", "yaxis")) and isinstance(value, dict):
            title(value)
    out += [str(a.get("text", "")) for a in layout.get("annotations", []) or []]
    for trace in fig.get("data", []):
        if trace.get("showlegend", True) is not False and isinstance(trace.get("name"), str):
            out.append(trace["name"])
    return out


def shown_texts(node: Any) -> list[str]:
    """Every piece of text a page (or a block of it, e.g. ``at.main``) shows a reader.

    Markdown, captions, headings, alerts, metric labels, widget labels and options,
    expander and tab labels, page links, and the words of plotly charts; not the
    lab's glossary markup (:data:`GLOSSARY_MARKUP`), nor graphs' node names, tables'
    cells or code.
    """
    out: list[str] = []
    for item in node:
        kind = getattr(item, "type", "")
        if kind in ("expander", "tab"):
            out.append(str(item.label))
        elif kind == "popover":
            out.append(str(item.proto.popover.label))
        elif kind in ("markdown", "caption", "title", "header", "subheader", "text", "latex"):
            value = str(item.value)
            if not any(mark in value for mark in GLOSSARY_MARKUP):
                out.append(value)
        elif kind in ("error", "warning", "info", "success"):
            out.append(str(item.value))
        elif kind == "metric":
            out.append(str(item.label))
        elif kind == "page_link":
            out.append(str(item.proto.label))
        elif kind == "plotly_chart":
            out += _plotly_texts(item.proto.spec)
        elif kind in ("button", "download_button", "checkbox", "toggle", "text_input"):
            out.append(str(item.label))
        elif kind in ("radio", "selectbox", "select_slider", "multiselect", "slider"):
            out.append(str(item.label))
            out += [str(o) for o in getattr(item, "options", [])]
        elif kind == "button_group":
            out += [str(o.content) for o in item.proto.options]
        elif kind == "number_input":
            out.append(str(item.label))
    return out
