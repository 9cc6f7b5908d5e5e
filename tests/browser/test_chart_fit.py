"""Every chart fits its screen: the presenter view at 1280×720, a phone at 390×844.

On every page with charts, every screen (each slide in the presenter view, the
whole page with its folded sections opened on a phone) is measured by
:func:`tests.browser.chart_fit.chart_problems`: no text box of a chart overlaps
another, none is cut by the chart's box, and projected graph and chart text is
at least 20 px.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.chart_fit import visit

#: The pages with charts, by path.
PAGES = ["", "Data", "Models", "Interventions", "Invariance", "Attribution", "Black_box", "Builder"]


@pytest.mark.parametrize("size", ["presenter", "phone"])
@pytest.mark.parametrize("path", PAGES, ids=[p or "Home" for p in PAGES])
def test_every_chart_fits_its_screen(
    page: Any,
    server_url: str,
    wait_for_app: Any,
    wait_for_layout: Any,
    unfold: Any,
    assert_no_errors: Any,
    screenshot: Any,
    path: str,
    size: str,
) -> None:
    faults = []
    walk = visit(
        page,
        f"{server_url}/{path}",
        presenter=size == "presenter",
        wait=wait_for_app,
        settle=wait_for_layout,
        unfold=unfold,
    )
    for where, found in walk:
        assert_no_errors(page)
        faults += [f"{where}: {f}" for f in found]
    if faults:
        screenshot(page, f"chart-fit-{path or 'Home'}-{size}")
    assert not faults, f"{len(faults)} faults:\n" + "\n".join(faults)
