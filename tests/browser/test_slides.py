"""Sections as slides in a real browser: a talk of three sections from three pages,
stepped forward and back by the clicker's keys from a fresh load, and a link's
section opened and scrolled into view outside the presenter view."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

DECK = "interventions.outcome,invariance.icp,attribution.settle"
#: Each slide of the deck: its page's path, section, the slide's heading.
SLIDES = [
    ("/Interventions", "outcome", "What happened"),
    ("/Invariance", "icp", "What ICP concludes"),
    ("/Attribution", "settle", "The experiment that settles it"),
]


def query(page: Any) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(page.url).query).items()}


def on_slide(page: Any, wait_for_app: Any, at: int) -> None:
    """The deck's slide ``at`` (0-based) is shown, and the address bar names it."""
    path, section, heading = SLIDES[at]
    bar = page.locator('[data-testid="stMain"] h1')
    expect(bar).to_have_text(f"{path[1:]} · slide {at + 1} of {len(SLIDES)}", timeout=60_000)
    wait_for_app(page)
    expect(page.locator('[data-testid="stMain"] h3').first).to_have_text(heading)
    assert urlsplit(page.url).path.endswith(path), page.url
    q = query(page)
    assert (q["section"], q["deck"], q["present"]) == (section, DECK, "1"), q


def test_a_talk_of_three_pages_follows_the_clicker_from_a_fresh_load(
    browser: Any, server_url: str, wait_for_app: Any, assert_no_errors: Any, screenshot: Any
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        page.goto(
            f"{server_url}/Interventions?preset=Tylenol&present=1&section=outcome&deck={DECK}"
        )
        wait_for_app(page)
        on_slide(page, wait_for_app, 0)
        # nothing clicked first: the keys go to the page
        for key, at in [("PageDown", 1), ("ArrowRight", 2), ("PageUp", 1), ("ArrowLeft", 0)]:
            page.keyboard.press(key)
            on_slide(page, wait_for_app, at)
            assert_no_errors(page)
            screenshot(page, f"slides-deck-{at + 1}-after-{key}")
        assert query(page)["preset"] == "Tylenol"  # the view went along
        expect(page.locator(".st-key-slide_back button:visible")).to_be_disabled()
    finally:
        context.close()


def test_a_link_s_section_opens_a_folded_section_and_scrolls_to_it(
    browser: Any, server_url: str, wait_for_app: Any, assert_no_errors: Any, screenshot: Any
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        page.goto(f"{server_url}/Invariance?section=power")
        wait_for_app(page)
        assert_no_errors(page)
        heading = page.get_by_role("heading", name="6 · How often does ICP find the causes?")
        expect(heading).to_be_visible(timeout=60_000)  # drawn open: folded, it has no heading
        expect(heading).to_be_in_viewport(timeout=30_000)
        box = heading.bounding_box()
        assert box is not None and 0 <= box["y"] <= 720 / 2, box  # near the top, not a screen early
        screenshot(page, "slides-section-link-power")
    finally:
        context.close()
