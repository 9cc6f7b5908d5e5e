"""A table in the real app: switch the source, upload a file, see leave-one-environment-out."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from playwright.sync_api import expect


def _csv(tmp_path: Any) -> Any:
    rng = np.random.default_rng(0)
    frames = []
    for hospital, slope in (("north", 1.0), ("south", 1.0), ("east", -1.5)):
        x = rng.normal(size=120)
        y = 2.0 * x + rng.normal(scale=0.5, size=120)
        frames.append(pd.DataFrame({"hospital": hospital, "x": x, "s": slope * y, "y": y}))
    path = tmp_path / "hospitals.csv"
    pd.concat(frames).to_csv(path, index=False, sep=";")
    return path


def test_upload_a_table_and_leave_one_hospital_out(
    page: Any,
    server_url: str,
    wait_for_app: Any,
    assert_no_errors: Any,
    screenshot: Any,
    tmp_path: Any,
) -> None:
    page.goto(server_url + "/Data")
    wait_for_app(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_role("radio", name="A table").click()
    page.wait_for_url("**source=table**")
    wait_for_app(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(_csv(tmp_path)))
    wait_for_app(page)
    assert_no_errors(page)
    expect(page.get_by_text("The table: Uploaded: hospitals.csv").first).to_be_visible(
        timeout=30_000
    )
    screenshot(page, "table-data-uploaded")

    page.get_by_role("combobox", name="Environment column").click()
    page.get_by_role("option", name="hospital").click()
    wait_for_app(page)
    page.get_by_label("One arrow per line").fill("x -> y")
    page.get_by_label("One arrow per line").press("Control+Enter")
    wait_for_app(page)
    assert_no_errors(page)

    sidebar.get_by_role("link", name="Interventions").click()
    page.get_by_text("it never saw").first.wait_for(timeout=60_000)
    wait_for_app(page)
    assert_no_errors(page)
    expect(page.get_by_text("it never saw").first).to_be_visible(timeout=30_000)
    screenshot(page, "table-interventions")
