"""The lab's words in headless Chromium: a definition on hover at 1400 px and on tap on a
phone (390×844, touch), inside the screen; Home's link to every word.

Screenshots go to ``test-artifacts/screenshots/`` (glossary-*.png).
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from lib.words.glossary import read_glossary

from .conftest import SCREENSHOT_DIR

PHONE = {"width": 390, "height": 844}
GLOSSARY = read_glossary()


def word(page: Any, name: str) -> Any:
    """The first word ``name`` under a section (its definition inside it)."""
    return page.locator(f'.lab-term[aria-label^="{name}:"]').first


def shot(page: Any, name: str) -> None:
    """The screen as the reader sees it now (a full-page shot would resize the window)."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"))


def inside_the_screen(page: Any, locator: Any) -> None:
    box = locator.bounding_box()
    width = page.viewport_size["width"]
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (box, width)


def test_hovering_a_word_shows_its_definition(
    page: Any, server_url: str, wait_for_app: Any, assert_no_errors: Any
) -> None:
    page.goto(server_url + "/Models")
    wait_for_app(page)
    assert_no_errors(page)
    rmse, r2 = word(page, "RMSE"), word(page, "R²")
    definition = rmse.locator(".lab-def")
    expect(definition).to_be_hidden()
    rmse.scroll_into_view_if_needed()
    rmse.hover()
    expect(definition).to_be_visible()
    expect(definition).to_contain_text(GLOSSARY.term("RMSE").definition)
    inside_the_screen(page, definition)
    shot(page, "glossary-hover-1400")
    r2.hover()  # the next word's definition replaces it
    expect(r2.locator(".lab-def")).to_be_visible()
    expect(definition).to_be_hidden()
    page.mouse.move(5, 5)
    expect(r2.locator(".lab-def")).to_be_hidden()


def test_tapping_a_word_on_a_phone_shows_its_definition(
    browser: Any, server_url: str, wait_for_app: Any, assert_no_errors: Any
) -> None:
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(server_url + "/Models")
        wait_for_app(page)
        assert_no_errors(page)
        sidebar = page.locator('[data-testid="stSidebar"]')
        if sidebar.get_attribute("data-collapsed") != "true":  # a phone reader closes it first
            page.locator('[data-testid="stSidebarCollapseButton"] button').tap()
            expect(sidebar).to_have_attribute("data-collapsed", "true")
        rmse, r2 = word(page, "RMSE"), word(page, "R²")
        rmse.scroll_into_view_if_needed()
        rmse.tap()
        definition = rmse.locator(".lab-def")
        expect(definition).to_be_visible()
        expect(definition).to_contain_text(GLOSSARY.term("RMSE").definition)
        inside_the_screen(page, definition)
        shot(page, "glossary-tap-390")
        r2.tap()  # another word: its definition, and only its
        expect(r2.locator(".lab-def")).to_be_visible()
        expect(definition).to_be_hidden()
        page.locator("h1").first.tap()  # a tap elsewhere closes it
        expect(r2.locator(".lab-def")).to_be_hidden()
    finally:
        context.close()


def test_home_links_to_every_word(
    page: Any, server_url: str, wait_for_app: Any, assert_no_errors: Any, screenshot: Any
) -> None:
    page.goto(server_url + "/")
    wait_for_app(page)
    assert_no_errors(page)
    page.get_by_role("link", name="Words used here").click()
    heading = page.get_by_role("heading", name="Words used here")
    expect(heading).to_be_in_viewport()
    page.get_by_text(f"All {len(GLOSSARY.terms)} words", exact=False).click()
    terms = page.locator(".lab-glossary dt")
    expect(terms).to_have_count(len(GLOSSARY.terms))
    expect(terms.first).to_be_visible()
    screenshot(page, "glossary-home")
