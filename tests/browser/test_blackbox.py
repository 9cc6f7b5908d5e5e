"""The Black box page in headless Chromium: every section drawn, a link's own network."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

SECTIONS = (
    "1 · A small network, trained here",
    "2 · Lesion every unit",
    "3 · The exponential barrier",
    "4 · The dimensionality-reduction illusion",
    "5 · The subspace-patching illusion",
    "6 · A second black box",
    "7 · When explanation works: the line attractor",
    "8 · Features that share neurons: superposition",
)


def test_the_page_draws_every_section(
    page: Any,
    server_url: str,
    wait_for_app: Any,
    assert_no_errors: Any,
    screenshot: Any,
    unfold: Any,
) -> None:
    page.goto(server_url + "/Black_box")
    wait_for_app(page)
    assert unfold(page) == 7  # sections 2 to 8, each computed when opened
    assert_no_errors(page)
    for heading in SECTIONS:
        expect(page.get_by_text(heading, exact=True)).to_be_visible(timeout=90_000)
    charts = page.locator('[data-testid="stPlotlyChart"] .main-svg')
    expect(charts.nth(11)).to_be_attached(timeout=90_000)
    expect(
        page.get_by_text("A model that predicts a black box is a second black box")
    ).to_be_visible()
    screenshot(page, "black-box")


def test_a_link_opens_its_own_network(
    page: Any,
    server_url: str,
    wait_for_app: Any,
    assert_no_errors: Any,
    screenshot: Any,
    unfold: Any,
) -> None:
    page.goto(
        server_url
        + "/Black_box?units=16&net_seed=2&patched=wave&components=5&lesioned=4&sparsity=0"
    )
    wait_for_app(page)
    unfold(page)
    expect(page.get_by_text("Of 16 units", exact=False)).to_be_visible(timeout=90_000)
    expect(page.get_by_text("Patching along v moves the wave output", exact=False)).to_be_visible(
        timeout=90_000
    )
    expect(page.get_by_text("5 components explain", exact=False)).to_be_visible()
    expect(page.get_by_text("Silencing unit 4", exact=False)).to_be_visible(timeout=60_000)
    expect(page.get_by_text("keeps 2 of 5 features", exact=False)).to_be_visible(timeout=60_000)
    wait_for_app(page)
    assert_no_errors(page)
    assert "units=16" in page.url and "net_seed=2" in page.url
    screenshot(page, "black-box-link")
