"""Offline: no request leaves the machine, and every page still loads and draws.

Lecture halls and conference rooms often have no network. The browser here
aborts every request that does not go to the lab's own server and records it;
every page must load without errors, draw its charts, and make no such request.
Before the lab served its own tab icon, each page asked a font server on the
internet for it (``fonts.gstatic.com``), and this test failed.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import VIEWPORT, cut_off

# (path, what must be drawn on it)
PAGES = [
    ("/", '[data-testid="stGraphVizChart"] svg'),
    ("/Data", ".js-plotly-plot .main-svg"),
    ("/Models", ".js-plotly-plot .main-svg"),
    ("/Interventions?preset=Tylenol", ".js-plotly-plot .main-svg"),
    ("/Invariance", ".js-plotly-plot .main-svg"),
    ("/Builder", '[data-testid="stGraphVizChart"] svg'),
    ("/Lessons", '[data-testid="stMarkdownContainer"]'),
]
LOCAL_SCHEMES = {"data", "blob", "about"}


def _is_local(url: str, host: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or parts.hostname == host


@pytest.fixture
def offline_page(browser: Any, server_url: str) -> Any:
    """A page whose browser reaches only the lab's server; ``.blocked`` lists the rest."""
    host = urlsplit(server_url).hostname
    context, blocked = cut_off(browser, lambda url: _is_local(url, host), viewport=VIEWPORT)
    page = context.new_page()
    page.blocked = blocked
    yield page
    context.close()


@pytest.mark.parametrize(("path", "drawn"), PAGES, ids=[p[0] for p in PAGES])
def test_every_page_works_with_no_network(
    offline_page: Any,
    server_url: str,
    wait_for_app: Any,
    assert_no_errors: Any,
    path: str,
    drawn: str,
) -> None:
    page = offline_page
    page.goto(server_url + path)
    wait_for_app(page)
    assert_no_errors(page)
    expect(page.locator(drawn).first).to_be_visible(timeout=30_000)
    # the tab's icon is the lab's own file
    icon = page.locator('link[rel~="icon"]').first.get_attribute("href") or ""
    assert _is_local(icon if "://" in icon else server_url + icon, urlsplit(server_url).hostname)
    # the icon font is Streamlit's own copy: the sidebar's page icons are drawn
    assert page.evaluate(
        "() => Array.from(document.fonts).some("
        "f => f.family.includes('Material Symbols') && f.status === 'loaded')"
    )
    page.wait_for_timeout(500)  # late requests (fonts, icons) would be recorded by now
    assert page.blocked == [], f"requests left the machine: {page.blocked}"
