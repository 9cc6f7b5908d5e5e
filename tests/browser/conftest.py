"""Browser-test harness: the real Streamlit server, driven by headless Chromium.

A test in this folder asks for ``page`` and ``server_url`` and uses the helper
fixtures ``wait_for_app``, ``assert_no_errors`` and ``screenshot``::

    def test_home(page, server_url, wait_for_app, assert_no_errors, screenshot):
        page.goto(server_url)
        wait_for_app(page)
        assert_no_errors(page)
        screenshot(page, "home")

Every test here is marked ``browser`` (``pytest -m "not browser"`` skips them).
Chromium is found through ``$CHROMIUM``, ``/usr/bin/chromium`` or ``chromium``
on ``PATH``. Without it the tests are skipped, except when ``$CI`` is set: then
they fail. Screenshots and the server log go to ``test-artifacts/``; a failing
test leaves a screenshot named ``FAILED-<test>.png`` there.

``balancer_url`` serves the same app through ``scripts/serve.sh`` (HAProxy in
front of two workers; its output goes to ``test-artifacts/balancer-<worker>.log``).
Without HAProxy its tests are skipped, or fail when ``$CI`` is set.

Under pytest-xdist every worker process starts its own server (and, for the
tests that ask for it, its own balancer) on free ports, with its own class store
and log files, named after the worker (``gw0``, ``gw1``, …; ``main`` without
xdist). The tests that use the balancer run on one worker (tests/parallel.py),
so only one balancer starts.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.parallel import in_balancer_group

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts"
SCREENSHOT_DIR = ARTIFACTS_DIR / "screenshots"
#: This test process's name: the pytest-xdist worker's id, or ``main`` without xdist.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


def artifact(name: str, suffix: str) -> Path:
    """A file in test-artifacts/ of this test process alone: ``<name>-<worker><suffix>``."""
    return ARTIFACTS_DIR / f"{name}-{WORKER}{suffix}"


SERVER_LOG = artifact("streamlit-server", ".log")

#: The live classes' store of every server these tests start (one SQLite file that
#: the balancer's workers share, as on a class server); tests open it to check what
#: students sent. A fresh file per test process.
CLASS_STORE = artifact(f"live-classes-{os.getpid()}", ".sqlite3")
CLASS_STORE_URL = f"sqlite:///{CLASS_STORE}"
SERVER_START_TIMEOUT_S = 60.0
APP_IDLE_TIMEOUT_S = 30.0
VIEWPORT = {"width": 1400, "height": 900}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

_HERE = Path(__file__).resolve().parent
_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


# --------------------------------------------------------------------------- markers


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test under tests/browser/ with ``browser``.

    A test that starts the balancer must run with the balancer's group (one worker
    runs them all under pytest-xdist, see tests/parallel.py): in test_balancer.py,
    or named ``..._balancer``.
    """
    misplaced = []
    for item in items:
        if _HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)
            uses_balancer = "balancer_url" in getattr(item, "fixturenames", ())
            if uses_balancer and not in_balancer_group(item.nodeid):
                misplaced.append(item.nodeid)
    if misplaced:
        raise pytest.UsageError(
            "these tests use balancer_url but are not in the balancer's group (move them "
            "to tests/browser/test_balancer.py or put `balancer` in their name): "
            + ", ".join(misplaced)
        )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """Keep each phase's report on the item so ``page`` can see a failure."""
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


# --------------------------------------------------------------------------- Chromium


def _find_chromium() -> str | None:
    from_env = os.environ.get("CHROMIUM", "").strip()
    if from_env:
        found = shutil.which(from_env)
        if found is None:
            pytest.fail(f"CHROMIUM={from_env!r} is not an executable file.")
        return found
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of the Chromium binary; skip (locally) or fail (in CI) without one."""
    path = _find_chromium()
    if path is None:
        message = (
            "Chromium not found (looked at $CHROMIUM, /usr/bin/chromium and `chromium` on "
            "PATH). Install it, e.g. `apt-get install chromium` on Debian/Ubuntu."
        )
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is required in CI. {message}")
        pytest.skip(message)
    return path


# --------------------------------------------------------------------------- server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_output(limit: int = 6000) -> str:
    try:
        text = SERVER_LOG.read_text(errors="replace")
    except OSError:
        return "(no server output)"
    return text[-limit:] if text.strip() else "(no server output)"


def _health_ok(url: str) -> bool:
    # No proxies: the server is on the loopback interface.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=2) as response:
            return bool(response.status == 200 and response.read().strip() == b"ok")
    except OSError:
        return False


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@pytest.fixture(scope="session")
def server_url(chromium_path: str) -> Iterator[str]:
    """Start ``streamlit run app.py`` from the repo root; yield its base URL."""
    if not (REPO_ROOT / "app.py").is_file():
        pytest.fail(f"app.py not found at the repository root ({REPO_ROOT}).")
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "LAB_CLASS_STORE": CLASS_STORE_URL}
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    with SERVER_LOG.open("wb") as log:
        proc = subprocess.Popen(cmd, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            deadline = time.monotonic() + SERVER_START_TIMEOUT_S
            while not _health_ok(f"{base_url}/_stcore/health"):
                if proc.poll() is not None:
                    pytest.fail(
                        f"The Streamlit server exited with code {proc.returncode} before it "
                        f"was healthy.\n--- server output ---\n{_server_output()}",
                        pytrace=False,
                    )
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"The Streamlit server did not answer {base_url}/_stcore/health within "
                        f"{SERVER_START_TIMEOUT_S:.0f} s.\n--- server output ---\n"
                        f"{_server_output()}",
                        pytrace=False,
                    )
                time.sleep(0.2)
            yield base_url
        finally:
            _stop(proc)


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    """One headless Chromium for the whole session.

    Playwright's ``expect`` waits for what it checks up to the same deadline as the
    rest of the harness (its own default, 5 s, is short for a rerun on a machine busy
    with other tests).
    """
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=APP_IDLE_TIMEOUT_S * 1000)

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh page in its own browser context, 1400x900."""
    context = browser.new_context(viewport=VIEWPORT)
    new_page = context.new_page()
    new_page.set_default_timeout(APP_IDLE_TIMEOUT_S * 1000)
    try:
        yield new_page
    finally:
        reports = request.node.stash.get(_REPORTS, {})
        if any(r.failed for r in reports.values()):
            try:
                screenshot(new_page, f"FAILED-{request.node.name}")
            except Exception as exc:  # a failed screenshot must not hide the real failure
                print(f"could not save the failure screenshot: {exc}", file=sys.stderr)
        context.close()


# --------------------------------------------------------------------------- helpers

# Streamlit (checked on 1.67) marks its run state on the root element:
#   <div data-testid="stApp" data-test-script-state="initial|running|notRunning|
#        rerunRequested|stopRequested|compilationError"
#        data-test-connection-state="INITIAL|PINGING_SERVER|CONNECTING|CONNECTED|...">
# The status widget's "Running..." icon (stStatusWidgetRunningIcon) only shows up
# about 0.5 s into a run, so the attribute is the primary signal and the icon a
# second one.
_APP_STATE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return {
    script: app ? app.getAttribute('data-test-script-state') : null,
    connection: app ? app.getAttribute('data-test-connection-state') : null,
    runningIcon: !!document.querySelector(
      '[data-testid="stStatusWidgetRunningIcon"], [data-testid="stStatusWidgetRunningManIcon"]'),
  };
}"""
_DONE_STATES = {"notRunning", "compilationError"}


def wait_for_app(page: Any, timeout: float = APP_IDLE_TIMEOUT_S, settle: float = 0.5) -> None:
    """Wait until Streamlit has finished running the script.

    The app must be connected, not running and without a running indicator for
    ``settle`` seconds in a row; the pause covers the moment between a click and
    the server starting the rerun it causes.
    """
    page.wait_for_selector('[data-testid="stApp"]', state="attached", timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    idle_since: float | None = None
    state: dict[str, Any] = {}
    while True:
        state = page.evaluate(_APP_STATE_JS)
        now = time.monotonic()
        if state["connection"] == "DISCONNECTED_FOREVER":
            pytest.fail(f"The app lost its server connection: {state}", pytrace=False)
        idle = (
            state["connection"] == "CONNECTED"
            and state["script"] in _DONE_STATES
            and not state["runningIcon"]
        )
        if not idle:
            idle_since = None
        elif idle_since is None:
            idle_since = now
        elif now - idle_since >= settle:
            return
        if now > deadline:
            pytest.fail(
                f"Streamlit was still busy after {timeout:.0f} s (last state: {state}).",
                pytrace=False,
            )
        page.wait_for_timeout(50)


def unfold(page: Any) -> int:
    """Open every folded section of the page, one click each, as a reader scrolling
    to the end would (each opening runs only that section); returns how many."""
    closed = page.locator('[class*="st-key-lab_open_"] details:not([open]) > summary')
    opened = 0
    while closed.count():
        closed.first.click()
        wait_for_app(page)
        opened += 1
    return opened


def assert_no_errors(page: Any) -> None:
    """Fail if the page shows a traceback (stException) or an ``st.error`` box."""
    problems = []
    for test_id in ("stException", "stAlertContentError"):
        for element in page.locator(f'[data-testid="{test_id}"]').all():
            text = " ".join(element.inner_text().split())
            problems.append(f"{test_id}: {text[:500]}")
    assert not problems, "The page shows errors:\n" + "\n".join(problems)


# The page's layout: the size of the scrolling main section and of every chart and
# table. wait_for_layout() waits until it has not changed for a few animation frames.
_LAYOUT_SIGNATURE_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]') || document.documentElement;
  const parts = [main.scrollHeight, main.clientWidth, main.clientHeight];
  for (const e of document.querySelectorAll(
      '.js-plotly-plot, [data-testid="stDataFrame"] .dvn-scroller, [data-testid="stExpander"]')) {
    const r = e.getBoundingClientRect();
    parts.push(Math.round(r.x), Math.round(r.y), Math.round(r.width), Math.round(r.height));
  }
  return parts.join(',');
}"""
_LAYOUT_STILL_JS = """(frames) => document.fonts.ready.then(() => new Promise(resolve => {
  let last = null, still = 0;
  const step = () => {
    const now = (SIGNATURE)();
    still = now === last ? still + 1 : 0;
    last = now;
    if (still >= frames) resolve(true); else requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
}))""".replace("(SIGNATURE)", "(" + _LAYOUT_SIGNATURE_JS + ")")


# Resolves once the browser has drawn two frames (e.g. a grid has drawn its selection).
TWO_FRAMES_JS = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def wait_for_layout(page: Any, frames: int = 5) -> None:
    """Wait until the fonts are loaded and charts, tables, expanders and the main section
    keep their size and place for ``frames`` animation frames in a row (after a resize,
    a scroll, the sidebar's or an expander's animation)."""
    page.evaluate(_LAYOUT_STILL_JS, frames)


# Streamlit scrolls inside <section data-testid="stMain">, not the document, so
# Playwright's full_page alone captures one viewport. Measure the tallest scroll
# container and grow the viewport to it for the shot.
_CONTENT_HEIGHT_JS = """() => Math.max(
  document.documentElement.scrollHeight,
  ...Array.from(document.querySelectorAll('*'))
    .filter(e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowY))
    .map(e => e.scrollHeight))"""
_MAX_SCREENSHOT_HEIGHT = 16_000


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page PNG to test-artifacts/screenshots/<name>.png; return its path."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "screenshot"
    path = SCREENSHOT_DIR / f"{safe}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    viewport = page.viewport_size or VIEWPORT
    height = min(int(page.evaluate(_CONTENT_HEIGHT_JS)), _MAX_SCREENSHOT_HEIGHT)
    if height > viewport["height"]:
        page.set_viewport_size({"width": viewport["width"], "height": height})
        wait_for_layout(page)  # let charts and layout follow the new size
    try:
        page.screenshot(path=str(path), full_page=True)
    finally:
        if height > viewport["height"]:
            page.set_viewport_size(viewport)
    return path


def cut_off(browser: Any, allowed: Callable[[str], bool], **options: Any) -> tuple[Any, list[str]]:
    """A browser context with no network but what ``allowed`` lets through.

    Every other request is aborted (as with no network) and its URL recorded in
    the list returned beside the context, which the caller closes.
    """
    context = browser.new_context(**options)
    refused: list[str] = []

    def guard(route: Any) -> None:
        if allowed(route.request.url):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", guard)
    return context, refused


@pytest.fixture(name="wait_for_app")
def _wait_for_app_fixture() -> Callable[..., None]:
    return wait_for_app


@pytest.fixture(name="wait_for_layout")
def _wait_for_layout_fixture() -> Callable[..., None]:
    return wait_for_layout


@pytest.fixture(name="unfold")
def _unfold_fixture() -> Callable[[Any], int]:
    return unfold


@pytest.fixture(name="assert_no_errors")
def _assert_no_errors_fixture() -> Callable[[Any], None]:
    return assert_no_errors


@pytest.fixture(name="screenshot")
def _screenshot_fixture() -> Callable[[Any, str], Path]:
    return screenshot


# --------------------------------------------------------------------------- balancer

SERVE_SCRIPT = REPO_ROOT / "scripts" / "serve.sh"
BALANCER_LOG = artifact("balancer", ".log")
BALANCER_START_TIMEOUT_S = 120.0


def _ports_free(first: int, count: int) -> bool:
    for port in range(first, first + count):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


def _free_port_run(count: int) -> int:
    """A port P such that P .. P+count-1 are free (serve.sh puts its workers above P)."""
    for _ in range(50):
        port = _free_port()
        if port + count <= 65535 and _ports_free(port, count):
            return port
    pytest.fail(f"found no {count} free consecutive ports on 127.0.0.1")


def group_alive(pgid: int) -> bool:
    """Whether any process of the process group ``pgid`` is still alive."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _stop_group(proc: subprocess.Popen[bytes]) -> list[str]:
    """SIGTERM to the process group; return what was still alive after 20 s (then killed)."""
    if group_alive(proc.pid):
        os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    # poll() reaps the script itself: a zombie would count as alive.
    while (proc.poll() is None or group_alive(proc.pid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    left: list[str] = []
    if group_alive(proc.pid):
        left = subprocess.run(
            ["ps", "-o", "pid=,args=", "-s", str(proc.pid)], capture_output=True, text=True
        ).stdout.splitlines()
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=15)
    return left


def start_serve(
    workers: int, log_path: Path, *, warm: bool = True
) -> tuple[subprocess.Popen[bytes], str]:
    """Run ``scripts/serve.sh`` in its own process group; return it and the balancer's URL.

    ``warm=False`` passes ``--no-warm`` (the workers skip opening every page first).

    Skips (locally) or fails (in CI) without HAProxy. The output goes to ``log_path``.
    """
    # Debian puts haproxy in /usr/sbin, not on every user's PATH (serve.sh looks there too).
    if shutil.which("haproxy") is None and shutil.which("haproxy", path="/usr/sbin") is None:
        message = "HAProxy not found; install it, e.g. `apt-get install haproxy` on Debian/Ubuntu."
        if os.environ.get("CI"):
            pytest.fail(f"HAProxy is required in CI. {message}")
        pytest.skip(message)
    port = _free_port_run(workers + 1)
    base_url = f"http://127.0.0.1:{port}"
    cmd = [str(SERVE_SCRIPT), "--workers", str(workers), "--port", str(port)]
    cmd += ["--address", "127.0.0.1"] + ([] if warm else ["--no-warm"])
    env = {
        **os.environ,
        "PYTHON": sys.executable,
        "PYTHONUNBUFFERED": "1",
        "LAB_CLASS_STORE": CLASS_STORE_URL,
    }
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            cmd,
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    deadline = time.monotonic() + BALANCER_START_TIMEOUT_S
    while not _health_ok(f"{base_url}/_stcore/health"):
        if proc.poll() is not None or time.monotonic() > deadline:
            what = (
                f"exited with code {proc.returncode}"
                if proc.poll() is not None
                else f"did not answer within {BALANCER_START_TIMEOUT_S:.0f} s"
            )
            _stop_group(proc)
            output = log_path.read_text(errors="replace")[-6000:]
            pytest.fail(
                f"scripts/serve.sh {what}.\n--- its output ---\n{output}",
                pytrace=False,
            )
        time.sleep(0.2)
    return proc, base_url


@pytest.fixture(scope="session")
def balancer_url(chromium_path: str) -> Iterator[str]:
    """``scripts/serve.sh --workers 2`` (HAProxy and two workers); yield the balancer's URL.

    Its output goes to ``test-artifacts/balancer-<worker>.log``. At the end the whole process
    group gets SIGTERM; a process still alive 20 s later fails the teardown.
    """
    proc, base_url = start_serve(2, BALANCER_LOG)
    try:
        yield base_url
    finally:
        left = _stop_group(proc)
    assert not left, "processes outlived scripts/serve.sh:\n" + "\n".join(left)
