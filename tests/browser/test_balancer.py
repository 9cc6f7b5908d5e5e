"""The lab behind HAProxy (``scripts/serve.sh --workers 2``): pages, sticky sessions,
an upload and a download, each reaching the worker that holds the browser's session.

HAProxy names the worker that answered in the ``X-Lab-Worker`` header and keeps a
browser on it with a cookie (``deploy/haproxy.cfg.template``).
"""

from __future__ import annotations

import os
import re
import signal
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import REPO_ROOT, VIEWPORT, artifact, group_alive, start_serve

TEMPLATE = REPO_ROOT / "deploy" / "haproxy.cfg.template"
COOKIE = re.search(r"^\s*cookie\s+(\S+)\s+insert\b", TEMPLATE.read_text(), re.M)
assert COOKIE, "deploy/haproxy.cfg.template has no `cookie <name> insert` line"
COOKIE_NAME = COOKIE.group(1)
WORKERS = {"w1", "w2"}


def worker_cookie(context: Any) -> str | None:
    values = [c["value"] for c in context.cookies() if c["name"] == COOKIE_NAME]
    return values[0] if values else None


def served_by(page: Any) -> list[str]:
    """Record the worker of every HTTP answer the page gets from now on."""
    workers: list[str] = []

    def note(response: Any) -> None:
        worker = response.headers.get("x-lab-worker")
        if worker:
            workers.append(worker)

    page.on("response", note)
    return workers


def test_pages_load_and_navigate_through_the_balancer(
    page: Any, balancer_url: str, wait_for_app: Any, assert_no_errors: Any, screenshot: Any
) -> None:
    workers = served_by(page)
    page.goto(balancer_url)
    wait_for_app(page)
    assert_no_errors(page)
    expect(page.get_by_text("Predict or Explain", exact=True).first).to_be_visible()

    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Models").click()
    page.wait_for_url("**/Models**")
    wait_for_app(page)
    assert_no_errors(page)
    expect(page.get_by_text("What the linear models learned", exact=True).first).to_be_visible(
        timeout=30_000
    )
    screenshot(page, "balancer-models")
    assert set(workers) == {worker_cookie(page.context)}, workers


def test_sessions_stick_to_one_worker_and_spread_over_both(
    browser: Any, balancer_url: str, wait_for_app: Any
) -> None:
    contexts = []
    try:
        cookies = []
        for _ in range(4):  # each browser keeps its session (and websocket) open
            context = browser.new_context(viewport=VIEWPORT)
            contexts.append(context)
            page = context.new_page()
            workers = served_by(page)
            page.goto(balancer_url)
            wait_for_app(page)
            cookie = worker_cookie(context)
            assert cookie in WORKERS
            page.reload()
            wait_for_app(page)
            # The same worker answered every request, and the cookie did not change.
            assert worker_cookie(context) == cookie
            assert workers and set(workers) == {cookie}, workers
            cookies.append(cookie)
        assert set(cookies) == WORKERS, f"new browsers all went to one worker: {cookies}"
    finally:
        for context in contexts:
            context.close()


def test_an_upload_reaches_the_worker_of_the_session(
    page: Any, balancer_url: str, wait_for_app: Any, assert_no_errors: Any, tmp_path: Path
) -> None:
    csv = tmp_path / "small.csv"
    rows = [f"{i % 3},{i * 0.5:.1f},{i * 1.1 + (i % 5):.2f}" for i in range(40)]
    csv.write_text("group,x,y\n" + "\n".join(rows) + "\n")

    page.goto(balancer_url + "/Data")
    wait_for_app(page)
    page.locator('[data-testid="stSidebar"]').get_by_role("radio", name="A table").click()
    page.wait_for_url("**source=table**")
    wait_for_app(page)
    workers = served_by(page)
    with page.expect_response(lambda r: "/_stcore/upload_file/" in r.url) as upload:
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(csv))
    assert upload.value.ok, upload.value.status
    wait_for_app(page)
    assert_no_errors(page)
    expect(page.get_by_text("The table: Uploaded: small.csv").first).to_be_visible(timeout=30_000)
    assert set(workers) == {worker_cookie(page.context)}, workers


def test_a_download_reaches_the_worker_of_the_session(
    page: Any, balancer_url: str, wait_for_app: Any, assert_no_errors: Any
) -> None:
    page.goto(balancer_url + "/Data?scenario=ldopa")
    wait_for_app(page)
    assert_no_errors(page)
    with page.expect_download() as download:
        page.locator('[data-testid="stDownloadButton"]').get_by_role("button").click()
    url = download.value.url
    assert "/media/" in url, url

    response = page.context.request.get(url)  # carries the browser's cookies
    assert response.status == 200, response.status
    assert response.headers.get("x-lab-worker") == worker_cookie(page.context)
    header = response.text().splitlines()[0]
    assert "relief" in header.split(","), header

    # The file lives only in that worker's memory: sent to the other worker, it is not there.
    other = (WORKERS - {worker_cookie(page.context)}).pop()
    request = urllib.request.Request(url, headers={"Cookie": f"{COOKIE_NAME}={other}"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open(request, timeout=10)
    assert refused.value.code == 404


def test_the_balancer_gzips_the_browser_app_s_chart_code(balancer_url: str) -> None:
    """The 4.6 MB plotly chart code reaches a class's browsers gzipped."""
    import gzip

    from lib.ui.chart_code import chart_chunks

    plotly = next(name for name in chart_chunks() if name.startswith("PlotlyChart"))
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    url = f"{balancer_url}/static/js/{plotly}"
    with opener.open(urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})) as r:
        assert r.headers.get("Content-Encoding") == "gzip"
        sent = r.read()
    with opener.open(url) as plain:  # a client that asks for no compression gets none
        assert plain.headers.get("Content-Encoding") is None
        body = plain.read()
    assert gzip.decompress(sent) == body
    assert len(sent) < 0.5 * len(body), (len(sent), len(body))  # 4.7 MB -> 2.2 MB


def test_stopping_serve_sh_stops_haproxy_and_every_worker() -> None:
    proc, _ = start_serve(1, artifact("balancer-stop", ".log"), warm=False)
    try:
        proc.send_signal(signal.SIGTERM)  # to the script alone, as `kill <pid>` does
        assert proc.wait(timeout=30) != 0
        # HAProxy and the worker are in the script's process group.
        deadline = time.monotonic() + 10
        while group_alive(proc.pid):
            assert time.monotonic() < deadline, "a process outlived scripts/serve.sh"
            time.sleep(0.1)
    finally:
        if group_alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
