"""The real app in headless Chromium: every page loads clean; Tylenol breaks the predictor.

Uses the harness in ``conftest.py`` (the server, the browser, ``wait_for_app``,
``assert_no_errors`` and ``screenshot``). Screenshots go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

PAGES = [
    ("/", "home", "Predict or Explain"),
    ("/Data", "data", "The causal graph"),
    ("/Models", "models", "What the linear models learned"),
    ("/Interventions", "interventions", "What happened"),
]
DEEP_LINK = "/Interventions?scenario=ldopa&n=2000&seed=3&preset=Tylenol&strength=0.5"


def explanation(page: Any) -> str:
    """The Interventions page's plain explanation (it names every model with its ×ratio)."""
    box = page.locator('[data-testid="stMarkdownContainer"]').filter(
        has_text=re.compile(r"causes only.*×\d", re.S)
    )
    box.first.wait_for(state="visible")
    return " ".join(box.first.inner_text().split())


def query(page: Any) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(page.url).query).items()}


@pytest.mark.parametrize(("path", "name", "heading"), PAGES, ids=[p[1] for p in PAGES])
def test_every_page_loads_clean(
    page: Any,
    server_url: str,
    wait_for_app: Any,
    assert_no_errors: Any,
    screenshot: Any,
    path: str,
    name: str,
    heading: str,
) -> None:
    page.goto(server_url + path)
    wait_for_app(page)
    assert_no_errors(page)
    # Wait for what the test is about (is_visible() would not wait): under load the
    # sidebar can be drawn a moment after the script reports it has finished.
    expect(page.get_by_text(heading, exact=True).first).to_be_visible(timeout=30_000)
    # the shared sidebar is on every page
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_text("Scenario").first).to_be_visible(timeout=30_000)
    screenshot(page, name)


def test_clicking_tylenol_breaks_the_predictive_model(
    page: Any, server_url: str, wait_for_app: Any, assert_no_errors: Any, screenshot: Any
) -> None:
    page.goto(server_url + "/Interventions?preset=Amantadine")
    wait_for_app(page)
    assert_no_errors(page)
    assert explanation(page).startswith("Amantadine")

    radios = page.locator('[data-testid="stRadio"]')
    radios.get_by_text("Tylenol", exact=True).click()
    wait_for_app(page)
    assert_no_errors(page)
    text = explanation(page)
    assert text.startswith("Tylenol")
    assert "headache" in text
    assert "held" in text  # the causal models
    assert query(page)["preset"] == "Tylenol"
    screenshot(page, "interventions-tylenol")


def test_the_home_card_opens_the_first_preset_at_full_strength(
    page: Any, server_url: str, wait_for_app: Any, assert_no_errors: Any
) -> None:
    """ "3 · Change the world" applies Tylenol at 100% even after another preset was used."""
    page.goto(server_url + "/Interventions?scenario=ldopa&seed=2&preset=Amantadine&strength=0.3")
    wait_for_app(page)
    assert explanation(page).startswith("Amantadine at 30%")
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Home").click()
    wait_for_app(page)
    page.get_by_role("link", name="3 · Change the world").click()
    wait_for_app(page)
    assert_no_errors(page)
    assert explanation(page).startswith("Tylenol")
    assert not explanation(page).startswith("Tylenol at")  # at full strength
    assert {"preset": "Tylenol", "strength": "1", "seed": "2"}.items() <= query(page).items()
    strength = page.get_by_role("slider", name="Strength")
    assert float(strength.input_value()) == pytest.approx(1.0)


def test_a_deep_link_reopens_the_same_view(
    page: Any, browser: Any, server_url: str, wait_for_app: Any, assert_no_errors: Any
) -> None:
    page.goto(server_url + DEEP_LINK)
    wait_for_app(page)
    assert_no_errors(page)
    text = explanation(page)
    assert text.startswith("Tylenol at 50%")
    strength = page.get_by_role("slider", name="Strength")
    assert float(strength.input_value()) == pytest.approx(0.5)
    expected = {"scenario": "ldopa", "n": "2000", "seed": "3", "preset": "Tylenol"}
    assert expected.items() <= query(page).items()

    # the address bar, copied into a fresh session, shows the same view
    other = browser.new_context(viewport=page.viewport_size).new_page()
    try:
        other.goto(page.url)
        wait_for_app(other)
        assert_no_errors(other)
        assert explanation(other) == text
    finally:
        other.context.close()


def test_a_bad_link_parameter_falls_back_with_a_notice(
    page: Any, server_url: str, wait_for_app: Any, assert_no_errors: Any, screenshot: Any
) -> None:
    page.goto(server_url + "/Data?n=abc&scenario=nope")
    wait_for_app(page)
    assert_no_errors(page)
    alerts = page.locator('[data-testid="stAlertContentWarning"]')
    notices = " ".join(alerts.all_inner_texts())
    assert "n='abc'" in notices and "scenario='nope'" in notices
    assert query(page)["n"] == "2000"
    screenshot(page, "data-bad-link")


def test_back_goes_back_one_page_per_press(
    page: Any, server_url: str, wait_for_app: Any, assert_no_errors: Any
) -> None:
    page.goto(server_url + "/Data?scenario=ldopa&n=2000&seed=4")
    wait_for_app(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    visited = ["Data"]
    for name in ("Models", "Interventions", "Home"):
        sidebar.get_by_role("link", name=name).click()
        wait_for_app(page)
        assert_no_errors(page)
        assert query(page)["seed"] == "4"  # the link carried the view
        visited.append(name)
    headings = {"Data": "Data", "Models": "Models", "Interventions": "Interventions"}
    for name in reversed(visited[:-1]):
        page.go_back()
        wait_for_app(page)
        assert page.locator("h1").first.inner_text().strip() == headings[name]
        assert query(page)["seed"] == "4"


# Text Streamlit cuts with "…" when it does not fit (metric labels and deltas, page
# links, buttons, select boxes): any visible element of the page whose text overflows
# while its style says "ellipsis".
_CUT_TEXT_JS = """() => Array.from(document.querySelectorAll('[data-testid="stMain"] *'))
  .filter(e => e.offsetParent !== null
    && getComputedStyle(e).textOverflow === 'ellipsis'
    && e.scrollWidth > e.clientWidth + 1)
  .map(e => (e.innerText || '').trim()).filter(t => t)"""

NARROW_VIEWS = [
    "/?scenario=icecream",
    "/Data?scenario=icecream",
    "/Models",
    "/Interventions?preset=Tylenol",
    "/Interventions?scenario=icecream&preset=Ice+cream+ban",
    "/Interventions?preset=custom&node=headache&kind=do&amount=0",
]


@pytest.mark.parametrize("path", NARROW_VIEWS)
@pytest.mark.parametrize("size", [(1024, 768), (1280, 720)], ids=["1024", "1280"])
def test_nothing_is_cut_on_a_projector(
    page: Any,
    wait_for_layout: Any,
    server_url: str,
    wait_for_app: Any,
    assert_no_errors: Any,
    screenshot: Any,
    path: str,
    size: tuple[int, int],
) -> None:
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(server_url + path)
    wait_for_app(page)
    assert_no_errors(page)
    expect(page.locator('[data-testid="stSidebar"]')).to_be_visible(timeout=30_000)
    wait_for_layout(page)  # the sidebar has slid in, the main section has its width
    cut = page.evaluate(_CUT_TEXT_JS)
    assert not cut, f"text cut at {size[0]} px: {cut}"
    if size[0] == 1024:
        screenshot(page, "narrow-" + re.sub(r"\W+", "-", path).strip("-"))
