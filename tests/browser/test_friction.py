"""Friction a student met that only a browser shows: the custom form's number, typed."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect


def test_a_number_outside_the_range_is_refused_in_words_on_the_page(
    page: Any, server_url: str, wait_for_app: Any, screenshot: Any
) -> None:
    """Found by a student: 1e12 gave a red box "Press Enter to apply", its reason only
    in a tooltip a phone cannot open."""
    page.goto(
        server_url + "/Interventions?scenario=ldopa&preset=custom&node=headache&kind=do&amount=1"
    )
    wait_for_app(page)
    expect(page.get_by_text("Any number from −1,000,000 to 1,000,000.")).to_be_visible(
        timeout=30_000
    )
    value = page.get_by_label("Value (severity score)")
    value.fill("1e12")
    value.press("Enter")
    wait_for_app(page)
    expect(page.get_by_text("Not applied: 1e+12 is outside what this form takes.")).to_be_visible()
    screenshot(page, "interventions-refused")
    value.fill("-5")
    value.press("Enter")
    wait_for_app(page)
    expect(page.get_by_text("Not applied")).to_have_count(0)
    expect(page.get_by_text("-5 is below every value of")).to_be_visible()
