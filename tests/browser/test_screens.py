"""The page's chrome on each screen: the chart toolbar on a desktop only, the sidebar out
of a phone's way on a first visit, and a "working" label at the top while a run goes on."""

from __future__ import annotations

from typing import Any

import pytest

from lib.ui.css import WORKING
from tests.browser.chart_fit import CHARTS_DRAWN_JS, PHONE, PRESENTER

# Whether each plotly chart's toolbar may show (plotly shows it on hover; hidden is `none`).
_TOOLBARS_JS = """() => Array.from(document.querySelectorAll(
  '[data-testid="stPlotlyChart"] .modebar-container'))
  .map(m => getComputedStyle(m).display !== 'none')"""


@pytest.mark.parametrize(
    ("size", "query", "shown"),
    [
        ({"width": 1400, "height": 900}, "", True),
        (PRESENTER, "?present=1&section=fit", False),  # a slide with charts
        (PHONE, "", False),
    ],
    ids=["desktop", "presenter", "phone"],
)
def test_the_chart_toolbar_is_for_a_desktop_only(
    page: Any, server_url: str, wait_for_app: Any, size: dict, query: str, shown: bool
) -> None:
    page.set_viewport_size(size)
    page.goto(f"{server_url}/Models{query}")
    wait_for_app(page)
    page.wait_for_function(CHARTS_DRAWN_JS, timeout=30_000)
    page.locator('[data-testid="stPlotlyChart"] .modebar-container').first.wait_for(
        state="attached"
    )
    toolbars = page.evaluate(_TOOLBARS_JS)
    assert toolbars and all(t is shown for t in toolbars)


@pytest.mark.parametrize("path", ["", "Interventions"], ids=["Home", "Interventions"])
def test_a_phones_first_visit_sees_the_page_not_the_sidebar(
    page: Any, server_url: str, wait_for_app: Any, path: str
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(f"{server_url}/{path}")
    wait_for_app(page)
    page.locator('[data-testid="stSidebar"]').wait_for(state="attached")
    assert page.locator('[data-testid="stSidebar"][data-collapsed="true"]').count() == 1
    # a wide screen still opens it
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{server_url}/{path}")
    wait_for_app(page)
    page.locator('[data-testid="stSidebar"][data-collapsed="false"]').wait_for(state="visible")


# The label the top of the screen shows while the app is marked as running.
_WORKING_JS = """(running) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const was = app.getAttribute('data-test-script-state');
  app.setAttribute('data-test-script-state', running ? 'running' : 'notRunning');
  const after = getComputedStyle(app, '::after');
  const seen = {content: after.content, position: after.position, top: after.top,
                delay: after.animationDelay};
  app.setAttribute('data-test-script-state', was);
  return seen;
}"""


_WORKING_RULE_JS = """() => Array.from(document.styleSheets).some(s => { try {
  return Array.from(s.cssRules).some(r => (r.cssText || '').includes('lab-working-show'));
} catch (e) { return false; } })"""


@pytest.mark.parametrize("query", ["", "?present=1"], ids=["phone", "presenter"])
def test_a_long_run_says_it_is_working_at_the_top(
    page: Any, server_url: str, wait_for_app: Any, query: str
) -> None:
    page.set_viewport_size(PRESENTER if query else PHONE)
    page.goto(f"{server_url}/Models{query}")
    wait_for_app(page)
    page.wait_for_function(CHARTS_DRAWN_JS, timeout=30_000)
    # the lab's style sheet is in place (a rerun may draw it again)
    page.wait_for_function(_WORKING_RULE_JS, timeout=30_000)
    running = page.evaluate(_WORKING_JS, True)
    assert running["content"] == f'"{WORKING}"'
    assert running["position"] == "fixed" and running["top"] == "0px"
    assert running["delay"] == "0.5s"  # shown only for a run of more than half a second
    assert page.evaluate(_WORKING_JS, False)["content"] in ("none", "normal")
