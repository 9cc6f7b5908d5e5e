"""The Invariance page in headless Chromium: move the strength slider, see the verdict turn.

The sweep starts at the full intervention, where the set of every feature is rejected; the
mildest strength (1%) lets it pass in the fever world (seed 0: p = 0.7).

Uses the harness in ``conftest.py``. Screenshots go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

WIDTHS = [1400, 1024]


def local_verdict(page: Any) -> str:
    box = page.locator('[data-testid="stMarkdownContainer"]').filter(
        has_text=re.compile(r"^At \d+% of ")
    )
    box.first.wait_for(state="visible")
    return " ".join(box.first.inner_text().split())


def strength_slider(page: Any) -> Any:
    return (
        page.locator('[data-testid="stSlider"]')
        .filter(has_text="Strength of the intervention")
        .get_by_role("slider")
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_the_strength_slider_turns_the_verdict(
    page: Any,
    server_url: str,
    wait_for_app: Any,
    assert_no_errors: Any,
    screenshot: Any,
    width: int,
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(server_url + "/Invariance?scenario=fever")
    wait_for_app(page, timeout=90)
    assert_no_errors(page)
    expect(page.get_by_text("What ICP concludes", exact=False).first).to_be_visible(timeout=30_000)
    before = local_verdict(page)
    assert before.startswith("At 100% of")
    assert "is rejected" in before
    screenshot(page, f"invariance-{width}-before")

    slider = strength_slider(page)
    slider.focus()
    slider.press("Home")  # the mildest intervention
    wait_for_app(page, timeout=90)
    assert_no_errors(page)
    after = local_verdict(page)
    assert after.startswith("At 1% of")
    assert "looks invariant" in after
    screenshot(page, f"invariance-{width}-after")


def test_a_table_with_environments(
    page: Any, server_url: str, wait_for_app: Any, assert_no_errors: Any, screenshot: Any
) -> None:
    page.goto(server_url + "/Invariance?source=table&table=grunfeld")
    wait_for_app(page, timeout=90)
    assert_no_errors(page)
    expect(page.get_by_text("can and cannot conclude", exact=False).first).to_be_visible(
        timeout=30_000
    )
    screenshot(page, "invariance-grunfeld")
