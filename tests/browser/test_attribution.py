"""The Attribution page in headless Chromium: every section drawn, the button's progress."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

SECTIONS = (
    "1 · Two neurons, one grip",
    "2 · As the correlation rises",
    "3 · Same data, different credit",
    "4 · Why: inverting a correlation",
    "5 · Many models, equally good",
    "6 · The experiment that settles it",
    "7 · On real data",
)


def test_the_page_draws_every_section(
    page: Any,
    server_url: str,
    wait_for_app: Any,
    assert_no_errors: Any,
    screenshot: Any,
    unfold: Any,
) -> None:
    page.goto(server_url + "/Attribution")
    wait_for_app(page)
    assert unfold(page) == 3  # Rashomon, the settling experiment, real data
    assert_no_errors(page)
    for heading in SECTIONS:
        expect(page.get_by_text(heading, exact=True)).to_be_visible(timeout=60_000)
    charts = page.locator('[data-testid="stPlotlyChart"] .main-svg')
    expect(charts.nth(5)).to_be_attached(timeout=60_000)
    expect(page.get_by_text("prediction does not notice the correlation")).to_be_visible()
    screenshot(page, "attribution")


def test_the_credit_button_shows_progress_then_the_chart(
    page: Any,
    server_url: str,
    wait_for_app: Any,
    assert_no_errors: Any,
    screenshot: Any,
    unfold: Any,
) -> None:
    page.goto(server_url + "/Attribution?rho=0.999&pair_n=1000&drive=Silence+B")
    wait_for_app(page)
    unfold(page)
    expect(page.get_by_text("After Silence B").first).to_be_visible(timeout=60_000)
    shares = page.locator('[data-testid="stPlotlyChart"]').filter(
        has_text="share of the credit given to A"
    )
    expect(shares).to_have_count(0)
    page.get_by_role("button", name="Credit all four models on 20 resamples").click()
    expect(page.get_by_text("Refitting and crediting")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("the share the equations give A", exact=False)).to_be_visible(
        timeout=90_000
    )
    wait_for_app(page)
    assert_no_errors(page)
    shares.scroll_into_view_if_needed()
    expect(shares).to_be_visible(timeout=30_000)
    # kept: the button now says the result is there
    expect(
        page.get_by_role("button", name="Credit all four models on 20 resamples")
    ).to_be_disabled()
    screenshot(page, "attribution-credit")
