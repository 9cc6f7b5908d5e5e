"""The Invariance page in headless Chromium: move the strength slider, see the verdict turn.

The sweep starts at the strongest strength where the set of every feature still passes (its
error on the full intervention beside it); the full intervention rejects it.

Uses the harness in ``conftest.py``. Screenshots go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from tests.browser.conftest import TWO_FRAMES_JS, unfold, wait_for_layout

WIDTHS = [1400, 1024]


def local_verdict(page: Any) -> str:
    """The local section's verdict (the section opened first, as a reader does)."""
    unfold(page)
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
    # §3: the worlds in ICP's data beside the new ones
    expect(page.get_by_text("new to the models", exact=False).first).to_be_attached()
    before = local_verdict(page)
    assert re.match(r"^At \d+(\.\d+)?% of", before) and not before.startswith("At 100%")
    assert "looks invariant" in before and "it breaks under an intervention stronger" in before
    screenshot(page, f"invariance-{width}-before")

    slider = strength_slider(page)
    slider.focus()
    slider.press("End")  # the full intervention
    wait_for_app(page, timeout=90)
    assert_no_errors(page)
    after = local_verdict(page)
    assert after.startswith("At 100% of")
    assert "is rejected" in after
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


def query(page: Any) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(page.url).query).items()}


def icp_verdict(page: Any) -> str:
    box = page.locator('[data-testid="stMarkdownContainer"]').filter(
        has_text=re.compile(r"^(ICP's estimated causes|No set accepted|ICP cannot tell)")
    )
    box.first.wait_for(state="visible")
    return " ".join(box.first.inner_text().split())


def alpha_shown(page: Any) -> str:
    slider = page.locator('[data-testid="stSlider"]').filter(has_text="Level α")
    return slider.get_by_role("slider").first.get_attribute("aria-valuetext") or ""


#: The agonist twist at half strength, two clinics, α = 0.1, Amantadine swept at 30%.
LINK = (
    "/Invariance?scenario=ldopa&n=2000&seed=3&alpha=0.1"
    "&envs=clinic+A~none~1~400%3Bclinic+B~env:clinic+B:+40%2525+take+Tylenol~1~400"
    "%3Btrial~preset:Dopamine+agonist~0.5~300"
    "&sweep=Amantadine&sweep_strength=0.3&bend=0.5&reps=25"
)


def test_a_link_reproduces_the_invariance_view_and_alpha_survives_a_visit_elsewhere(
    page: Any,
    browser: Any,
    server_url: str,
    wait_for_app: Any,
    assert_no_errors: Any,
    screenshot: Any,
) -> None:
    page.goto(server_url + LINK)
    wait_for_app(page, timeout=90)
    assert_no_errors(page)
    verdict, local = icp_verdict(page), local_verdict(page)
    assert verdict.startswith("No set accepted")  # the agonist trial shifts hidden dopamine
    assert local.startswith("At 30% of Amantadine") and "α = 0.1" in local
    assert alpha_shown(page) == "0.1"
    wanted = {"alpha": "0.1", "sweep": "Amantadine", "sweep_strength": "0.3", "bend": "0.5"}
    assert wanted.items() <= query(page).items()
    assert "trial~preset:Dopamine agonist~0.5~300" in query(page)["envs"]
    screenshot(page, "invariance-link")

    # the address bar in a fresh session: the same numbers
    other = browser.new_context(viewport=page.viewport_size).new_page()
    try:
        other.goto(page.url)
        wait_for_app(other, timeout=90)
        assert_no_errors(other)
        assert (icp_verdict(other), local_verdict(other)) == (verdict, local)
    finally:
        other.context.close()

    # leave for the Models page and come back through the sidebar: α and the rest stay
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_role("link", name="Models").click()
    wait_for_app(page, timeout=90)
    assert "alpha" not in query(page)
    sidebar.get_by_role("link", name="Invariance").click()
    wait_for_app(page, timeout=90)
    assert_no_errors(page)
    assert alpha_shown(page) == "0.1"
    assert (icp_verdict(page), local_verdict(page)) == (verdict, local)
    assert wanted.items() <= query(page).items()


def test_an_edit_in_the_composer_goes_into_the_link_and_stays(
    page: Any, server_url: str, wait_for_app: Any, assert_no_errors: Any
) -> None:
    """Type 300 rows into the first environment: the link carries the composed rows, and
    they are still there after a visit to another page."""
    page.goto(server_url + "/Invariance?scenario=fever")
    wait_for_app(page, timeout=90)
    assert "envs" not in query(page)  # the world's own environments: nothing to say
    grid = page.locator('[data-testid="stDataFrame"]').first
    editor = page.locator(".gdg-input")
    # The last column (rows) of the first row, under the header. The grid is a canvas:
    # on a busy machine a double click, or the edit's rerun, is sometimes lost, and
    # the page may still move under it; a person would look again and type again,
    # and so does this.
    for _ in range(4):
        grid.scroll_into_view_if_needed()
        wait_for_layout(page)
        box = grid.bounding_box()
        assert box is not None
        x, y = box["x"] + box["width"] - 40, box["y"] + 35 + 17
        page.mouse.click(x, y)
        page.evaluate(TWO_FRAMES_JS)  # the grid has drawn the selected cell
        page.mouse.dblclick(x, y)
        try:
            editor.first.wait_for(state="visible", timeout=5_000)
        except PlaywrightTimeoutError:
            page.keyboard.press("Escape")
            continue
        page.keyboard.press("Control+a")
        page.keyboard.type("300", delay=100)
        page.keyboard.press("Enter")
        try:  # the edit's rerun writes the composed rows into the address bar
            page.wait_for_function("() => location.search.includes('envs=')", timeout=30_000)
            break
        except PlaywrightTimeoutError:
            wait_for_app(page, timeout=90)
    else:
        pytest.fail("typing 300 into the first environment's rows never took effect")
    wait_for_app(page, timeout=90)
    assert_no_errors(page)
    envs = query(page).get("envs", "")
    assert envs.startswith("observational~none~1~300;Paracetamol~preset:Paracetamol~1~2000")
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_role("link", name="Data").click()
    wait_for_app(page, timeout=90)
    sidebar.get_by_role("link", name="Invariance").click()
    wait_for_app(page, timeout=90)
    assert_no_errors(page)
    assert query(page)["envs"] == envs
