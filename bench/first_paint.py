"""First paint: how long a fresh browser waits for each page's first chart.

Starts the real server (``streamlit run app.py`` on a free loopback port) and
opens each page with charts in headless Chromium (Playwright). A chart counts as
drawn when a plotly chart's SVG (``.js-plotly-plot .main-svg``) or the Graphviz
SVG of a causal graph is in the page with a non-zero size. Times are taken in
the page itself (``performance.now()``, from the start of the navigation) by a
script added before the app's own code runs.

Three cases per page:

- **cold**: a fresh server and a fresh browser context for every visit, so both
  sides start with empty caches (the server imports, samples and fits; the
  browser downloads and compiles the chart code);
- **warm**: one server whose caches hold the page already, and a fresh browser
  context (a new student on a warmed class server);
- **again**: the same context's second visit (the chart code in the browser's
  HTTP cache);
- **next**: a fresh context opens the Home page, stays :data:`READ_HOME` seconds,
  then clicks the sidebar's link to the page (timed from the click): the usual
  way in, a student following the lab's steps.

For each visit it records when the page's title was shown, when progress (a spinner or
the lab's "Drawing the charts" placeholder) was first shown, when the server's
run finished, when the first chart was drawn and when the last one was; then
prints medians over ``--repeats`` visits, and the longest time the page showed
neither progress nor a chart after its title (the "blank" wait)::

    python bench/first_paint.py --repeats 5
    python bench/first_paint.py --pages Models --cases warm,again --trace

``--baseline DIR`` measures another checkout too (say, the commit before a
change), its server and this one's taking turns, so that both see the same
load on a shared machine. ``--trace`` prints, for each visit, when the chart code was requested, arrived
and was drawn. Everything stays on the loopback interface; one run is bounded by
:data:`MAX_SECONDS`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parents[1]

#: The pages with charts, and where each one's first chart is.
PAGES = {
    "Home": "/",
    "Data": "/Data",
    "Models": "/Models",
    "Interventions": "/Interventions",
    "Invariance": "/Invariance",
}
CASES = ("cold", "warm", "again", "next")
#: Seconds a student spends on the Home page before the "next" case clicks on.
READ_HOME = 3.0
#: Longest one run of the benchmark may take (seconds).
MAX_SECONDS = 1800.0
#: Longest one visit may wait for its charts (seconds).
VISIT_TIMEOUT = 60.0
#: A page is done when its run has finished and no new chart was drawn for this long (s).
SETTLE = 1.5
VIEWPORT = {"width": 1400, "height": 900}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]

#: Runs in the page before Streamlit's own code: one check per animation frame.
#: ``window.__paint`` holds the times (ms from the navigation's start).
WATCH_JS = """
(() => {
  const PLOTLY = '.js-plotly-plot .main-svg';
  const CHARTS = PLOTLY + ', [data-testid="stGraphVizChart"] svg';
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  };
  const anyShown = (sel) => Array.from(document.querySelectorAll(sel)).some(shown);
  // progress: a spinner, or a chart's slot that says it is being drawn (its
  // ::before or ::after text starts with "Drawing")
  const SLOTS = '.stPrintGraphic, .stPrintGraphic [data-testid="stSkeleton"], '
    + '[data-testid="stPlotlyChart"], [data-testid="stGraphVizChart"]';
  const says = (el) => /Drawing/.test(
    getComputedStyle(el, '::before').content + getComputedStyle(el, '::after').content);
  const progressShown = () => anyShown('[data-testid="stSpinner"]')
    || Array.from(document.querySelectorAll(SLOTS)).some((el) => shown(el) && says(el));
  let marks = {};
  let base = 0;
  let oldTitle = null;
  // a new measurement from now (for a move to another page in the same tab)
  window.__paintReset = () => {
    // the charts already drawn (the page before) do not count
    document.querySelectorAll(CHARTS).forEach((e) => e.setAttribute('data-paint-old', ''));
    const h1 = document.querySelector('h1');
    oldTitle = h1 ? h1.textContent : null;
    base = performance.now();
    marks = {charts: 0, blank: 0};
    window.__paint = marks;
  };
  window.__paintReset();
  oldTitle = null;
  base = 0;
  window.__paintNow = () => performance.now() - base;
  window.__paintBase = () => base;
  let lastBlankCheck = null;
  const tick = () => {
    const now = performance.now() - base;
    const h1 = document.querySelector('h1');
    if (marks.title === undefined && h1 && shown(h1) && h1.textContent !== oldTitle) {
      marks.title = now;
    }
    const app = document.querySelector('[data-testid="stApp"]');
    const state = app && app.getAttribute('data-test-script-state');
    if (state === 'running') marks.ran = true;
    // (a quick run can start and end between two frames: then the new title tells)
    const ended = marks.ran || marks.title !== undefined;
    if (ended && state === 'notRunning' && marks.finished === undefined) marks.finished = now;
    const drawn = Array.from(document.querySelectorAll(CHARTS))
      .filter((e) => !e.hasAttribute('data-paint-old') && shown(e)).length;
    if (drawn > 0 && marks.first === undefined && marks.title !== undefined) marks.first = now;
    if (marks.plotly === undefined && anyShown(PLOTLY)) marks.plotly = now;
    if (drawn > marks.charts) { marks.charts = drawn; marks.last = now; }
    const progress = progressShown();
    if (progress && marks.progress === undefined) marks.progress = now;
    // blank: the title is shown, but no chart and no progress yet
    const blank = marks.title !== undefined && marks.first === undefined && !progress;
    if (blank && lastBlankCheck !== null) marks.blank += now - lastBlankCheck;
    lastBlankCheck = blank ? now : null;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
"""

#: When the chart code (the lazy chunk of Streamlit's plotly or Graphviz element)
#: was requested and arrived, from the browser's resource timings.
CHUNKS_JS = """() => performance.getEntriesByType('resource')
  .filter(e => /(PlotlyChart|GraphVizChart)[^/]*\\.js/.test(e.name))
  .map(e => ({name: e.name.split('/').pop().split('.')[0], start: e.startTime - __paintBase(),
              end: e.responseEnd - __paintBase(), kB: e.transferSize / 1024}))"""


# --------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def healthy(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url + "/_stcore/health", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@contextmanager
def server(root: Path, extra: Sequence[str] = ()) -> Iterator[str]:
    """``streamlit run app.py`` in ``root`` on a free loopback port; yields its base URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
    cmd += ["--server.port", str(port), "--server.address", "127.0.0.1"]
    cmd += ["--browser.gatherUsageStats", "false", *extra]
    proc = subprocess.Popen(cmd, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start ({' '.join(cmd)})")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --------------------------------------------------------------------------- a visit


def settle(page: Any, trace: bool, plotly: bool) -> dict[str, Any]:
    """Wait until the page's run has finished and its charts (``plotly``: a plotly
    chart among them) are drawn; return the marks."""
    deadline = time.monotonic() + VISIT_TIMEOUT
    marks: dict[str, Any] = {}
    while time.monotonic() < deadline:
        page.wait_for_timeout(100)
        marks = page.evaluate("() => window.__paint ? {...window.__paint} : {}")
        last = marks.get("last", marks.get("first"))
        done = marks.get("finished")
        if last is not None and done is not None and (marks.get("plotly") or not plotly):
            now = page.evaluate("() => __paintNow()")
            if now - max(last, done) > SETTLE * 1000:
                break
    else:
        marks["timeout"] = 1.0
    if trace:
        marks["chunks"] = page.evaluate(CHUNKS_JS)
    return marks


def visit(page: Any, url: str, trace: bool) -> dict[str, Any]:
    """Open ``url`` in ``page`` (a new document); return the marks (ms from the navigation)."""
    page.goto(url, wait_until="commit")
    return settle(page, trace, plotly=urlsplit(url).path not in ("", "/"))


def move(page: Any, name: str, trace: bool) -> dict[str, Any]:
    """Click the sidebar's link to page ``name``; return the marks (ms from the click)."""
    link = page.locator('[data-testid="stSidebar"]').get_by_role("link", name=name, exact=True)
    page.evaluate("() => __paintReset()")
    link.click()
    return settle(page, trace, plotly=True)


def new_context(browser: Any) -> Any:
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(WATCH_JS)
    return context


# --------------------------------------------------------------------------- reporting

COLUMNS = [
    ("title", "title"),
    ("progress", "progress"),
    ("finished", "run done"),
    ("first", "first chart"),
    ("plotly", "first plotly"),
    ("last", "last chart"),
    ("blank", "blank"),
]


def fmt(values: list[float]) -> str:
    if not values:
        return "–"
    return f"{statistics.median(values) / 1000:.2f}"


Results = dict[tuple[str, str, str], list[dict[str, Any]]]


def report(results: Results, repeats: int) -> None:
    trees = sorted({tree for tree, _, _ in results}, reverse=True)
    head = (["tree"] if len(trees) > 1 else []) + ["page", "case"]
    head += [label for _, label in COLUMNS] + ["timeouts"]
    print()
    print(f"medians over {repeats} visits, seconds from the navigation (next: from the click)")
    print("| " + " | ".join(head) + " |")
    print(
        "|"
        + "|".join(["---"] * (len(head) - len(COLUMNS) - 1) + ["---:"] * (len(COLUMNS) + 1))
        + "|"
    )
    for (tree, name, case), visits in results.items():
        cells = ([tree] if len(trees) > 1 else []) + [name, case]
        for key, _ in COLUMNS:
            cells.append(fmt([float(v[key]) for v in visits if key in v]))
        cells.append(str(sum(1 for v in visits if "timeout" in v)))
        print("| " + " | ".join(cells) + " |")


def show_trace(tree: str, name: str, case: str, marks: dict[str, Any]) -> None:
    chunks = ", ".join(
        f"{c['name']} {c['start'] / 1000:.2f}→{c['end'] / 1000:.2f} s ({c['kB']:.0f} kB)"
        for c in marks.get("chunks", [])
    )
    times = ", ".join(f"{label} {marks[key] / 1000:.2f}" for key, label in COLUMNS if key in marks)
    print(
        f"  {tree:<6} {name:<13} {case:<5} {times}; chart code: {chunks or 'none fetched'}",
        flush=True,
    )


# --------------------------------------------------------------------------- main


def find_chromium() -> str:
    from_env = os.environ.get("CHROMIUM", "").strip()
    found = shutil.which(from_env) if from_env else None
    found = found or shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and os.access("/usr/bin/chromium", os.X_OK):
        found = "/usr/bin/chromium"
    if found is None:
        raise SystemExit("Chromium not found: set $CHROMIUM or put `chromium` on PATH.")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="visits per page and case")
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated page names")
    parser.add_argument("--cases", default=",".join(CASES), help=", ".join(CASES))
    parser.add_argument("--trace", action="store_true", help="print each visit's timeline")
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="DIR",
        help="another checkout of the lab (e.g. the commit before a change): its server is "
        "measured too, taking turns with this one's, so that both see the same load",
    )
    parser.add_argument(
        "--server-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="one more argument for `streamlit run` (repeatable), e.g. --server-arg=--foo=bar",
    )
    args = parser.parse_args()
    pages = [p.strip() for p in args.pages.split(",") if p.strip()]
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = [p for p in pages if p not in PAGES] + [c for c in cases if c not in CASES]
    if unknown:
        parser.error(f"unknown page or case: {unknown}")
    repeats = max(1, args.repeats)
    started = time.monotonic()

    from playwright.sync_api import sync_playwright

    trees = {"this": REPO_ROOT}
    if args.baseline is not None:
        trees["before"] = args.baseline.resolve()
        if not (trees["before"] / "app.py").is_file():
            parser.error(f"no app.py in {args.baseline}")
    results: Results = {
        (tree, p, c): []
        for tree in trees
        for c in cases
        for p in pages
        if not (c == "next" and p == "Home")
    }

    def record(tree: str, name: str, case: str, marks: dict[str, Any]) -> None:
        results[(tree, name, case)].append(marks)
        if args.trace:
            show_trace(tree, name, case, marks)
        if time.monotonic() - started > MAX_SECONDS:
            raise SystemExit("stopped: the run took too long")

    with sync_playwright() as playwright, ExitStack() as servers:
        browser = playwright.chromium.launch(
            executable_path=find_chromium(), headless=True, args=CHROMIUM_ARGS
        )
        servers.callback(browser.close)
        # cold: a fresh server for every visit; the trees take turns
        for _ in range(repeats if "cold" in cases else 0):
            for name in pages:
                for tree, root in trees.items():
                    with server(root, args.server_arg) as url:
                        context = new_context(browser)
                        marks = visit(context.new_page(), url + PAGES[name], args.trace)
                        context.close()
                    record(tree, name, "cold", marks)
        warm_cases = [c for c in cases if c != "cold"]
        urls: dict[str, str] = {}
        if warm_cases:
            urls = {
                tree: servers.enter_context(server(root, args.server_arg))
                for tree, root in trees.items()
            }
            for url in urls.values():  # fill each server's caches
                context = new_context(browser)
                for name in PAGES:
                    visit(context.new_page(), url + PAGES[name], False)
                context.close()
        for _ in range(repeats if warm_cases else 0):
            for name in pages:
                for tree, url in urls.items():
                    if "warm" in cases or "again" in cases:
                        context = new_context(browser)
                        page = context.new_page()
                        marks = visit(page, url + PAGES[name], args.trace)
                        if "warm" in cases:
                            record(tree, name, "warm", marks)
                        if "again" in cases:
                            page.goto("about:blank")
                            record(tree, name, "again", visit(page, url + PAGES[name], args.trace))
                        context.close()
                    if "next" in cases and name != "Home":
                        context = new_context(browser)
                        page = context.new_page()
                        visit(page, url + PAGES["Home"], False)
                        page.wait_for_timeout(READ_HOME * 1000)
                        record(tree, name, "next", move(page, name, args.trace))
                        context.close()
    report(results, repeats)
    print(f"\nmachine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} at the end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
