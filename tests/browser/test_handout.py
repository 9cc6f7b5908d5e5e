"""Handouts in the real app: the downloaded web page draws its figures offline.

The handout is downloaded from the page's Handout popover, opened from a
``file://`` URL in a context where every other request is aborted, and must
draw every plotly figure. Printing the app itself hides its sidebar and widgets.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from lib.ui.handout_views import HTML_LABEL, SCRIPT_LABEL
from tests.browser.conftest import cut_off

#: Longest wait for one thing to show (ms): the machine may be busy with other tests.
WAIT = 30_000
VIEWS = [
    ("/Interventions?scenario=ldopa&n=2000&seed=3&preset=Tylenol&strength=0.5", "interventions"),
    ("/Data?scenario=icecream", "data"),
]


def open_popover(page: Any) -> None:
    page.locator('[class*="st-key-lab_handout"] [data-testid="stPopover"] button').first.click()
    expect(page.get_by_role("button", name=re.compile(SCRIPT_LABEL))).to_be_visible(timeout=WAIT)


def download(page: Any, label: str, folder: Path) -> Path:
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=re.compile(re.escape(label))).click()
    target = folder / info.value.suggested_filename
    info.value.save_as(target)
    return target


@pytest.mark.parametrize(("path", "name"), VIEWS, ids=[v[1] for v in VIEWS])
def test_the_downloaded_handout_draws_its_figures_offline(
    page: Any,
    browser: Any,
    server_url: str,
    wait_for_app: Any,
    assert_no_errors: Any,
    screenshot: Any,
    tmp_path: Path,
    path: str,
    name: str,
) -> None:
    page.goto(server_url + path)
    wait_for_app(page)
    assert_no_errors(page)
    open_popover(page)
    handout = download(page, HTML_LABEL, tmp_path)
    assert handout.suffix == ".html"
    text = handout.read_text(encoding="utf-8")
    plots = len(re.findall(r"<div id='handout-plot-\d+' class='handout-plot'>", text))
    assert plots >= 2

    offline, asked = cut_off(
        browser, lambda url: url.startswith("file://"), viewport={"width": 1000, "height": 900}
    )
    try:
        view = offline.new_page()
        errors: list[str] = []
        view.on("pageerror", lambda exc: errors.append(str(exc)))
        view.goto(handout.resolve().as_uri())
        drawn = view.locator(".js-plotly-plot .main-svg")
        expect(view.locator(".js-plotly-plot")).to_have_count(plots, timeout=WAIT)
        drawn.first.wait_for(state="visible")
        assert view.locator(".js-plotly-plot").evaluate_all(
            "els => els.every(e => e.querySelector('.main-svg') && e.offsetHeight > 100)"
        )
        assert not errors, errors
        assert not asked, f"the handout asked the network for {asked}"
        screenshot(view, f"handout-{name}")
    finally:
        offline.close()


def test_the_script_downloads_as_python(
    page: Any, server_url: str, wait_for_app: Any, tmp_path: Path
) -> None:
    page.goto(server_url + "/Models?scenario=ldopa&seed=2")
    wait_for_app(page)
    open_popover(page)
    script = download(page, SCRIPT_LABEL, tmp_path)
    assert script.name == "ldopa-models-n2000-seed2.py"
    source = script.read_text(encoding="utf-8")
    compile(source, script.name, "exec")
    assert "run_experiment(sc, n=2000, seed=2)" in source


def test_printing_a_page_hides_the_sidebar_and_widgets(
    page: Any, server_url: str, wait_for_app: Any
) -> None:
    page.goto(server_url + "/Interventions?scenario=ldopa&preset=Tylenol")
    wait_for_app(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar).to_be_visible(timeout=WAIT)
    expect(page.locator('[data-testid="stPlotlyChart"]').first).to_be_visible(timeout=WAIT)
    page.emulate_media(media="print")
    for test_id in ("stSidebar", "stHeader", "stSlider", "stRadio", "stPopover"):
        expect(page.locator(f'[data-testid="{test_id}"]').first).to_be_hidden(timeout=WAIT)
    expect(page.get_by_text("What happened", exact=True).first).to_be_visible(timeout=WAIT)
    expect(page.locator('[data-testid="stPlotlyChart"]').first).to_be_visible(timeout=WAIT)
    page.emulate_media(media="screen")
    expect(sidebar).to_be_visible(timeout=WAIT)
