"""Lessons in the real app: predict, then reveal, by clicks and by a clicker's keys.

The presenter view is checked at 1280×720 and 1920×1080: no scrollbar on any
screen of a lesson, no text cut, body type of at least 28 px and chart ticks
of at least 20 px. Screenshots of each screen go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from lib.teach.lessons import load_lesson
from tests.browser.chart_fit import CHARTS_DRAWN_JS
from tests.browser.conftest import SCREENSHOT_DIR, cut_off, wait_for_layout


def query(page: Any) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(page.url).query).items()}


def press(page: Any, key: str, wait_for_app: Any) -> None:
    page.locator(f".st-key-{key} button:visible").click()
    wait_for_app(page)


def answer_text(page: Any) -> str:
    box = page.locator(".st-key-lesson_answer")
    expect(box).to_be_visible(timeout=30_000)
    return " ".join(box.inner_text().split())


def test_a_lesson_by_clicks_answers_before_the_reveal(
    page: Any, server_url: str, wait_for_app: Any, assert_no_errors: Any, screenshot: Any
) -> None:
    page.goto(server_url + "/Lessons")
    wait_for_app(page)
    screenshot(page, "lessons-list")
    press(page, "lesson_start_tylenol", wait_for_app)
    assert query(page)["lesson"] == "tylenol" and query(page)["step"] == "0"
    page.get_by_text("…may or may not be a cause", exact=True).click()  # a question before
    wait_for_app(page)
    press(page, "lesson_next", wait_for_app)  # Begin
    assert query(page)["step"] == "1"

    # The answer stays hidden, and the reveal waits for a prediction.
    reveal = page.locator(".st-key-lesson_reveal button:visible")
    expect(reveal).to_be_disabled()
    expect(page.locator(".st-key-lesson_answer")).to_have_count(0)
    page.get_by_text("The predictive model", exact=True).click()
    wait_for_app(page)
    expect(reveal).to_be_enabled()
    press(page, "lesson_reveal", wait_for_app)
    assert_no_errors(page)
    assert "You said: the predictive model. Right." in answer_text(page)
    screenshot(page, "lesson-tylenol-1-revealed")

    press(page, "lesson_next", wait_for_app)
    assert query(page)["step"] == "2"
    # A clicker's key does not skip a question the learner has not answered.
    page.keyboard.press("PageDown")
    wait_for_app(page)
    assert query(page)["step"] == "2"
    expect(page.locator(".st-key-lesson_answer")).to_have_count(0)
    guess = page.get_by_placeholder("Your guess")
    guess.fill("2")
    guess.press("Enter")
    wait_for_app(page)
    page.keyboard.press("r")  # typed into the answer box: not a key for the lesson
    page.evaluate("() => document.activeElement.blur()")
    page.keyboard.press("r")  # reveal by key
    wait_for_app(page)
    text = answer_text(page)
    assert "You said ×2: not within a factor of 1.5." in text
    ratio = re.search(r"×(\d+\.\d\d): it broke", text)
    assert ratio, text
    screenshot(page, "lesson-tylenol-2-revealed")

    # The same view on the Interventions page shows the same number.
    page.get_by_text("Explore this view on the Interventions page").click()
    wait_for_app(page)
    assert query(page)["preset"] == "Tylenol"
    expect(page.get_by_text(f"×{ratio.group(1)}").first).to_be_visible(timeout=30_000)

    # Progress survives the page switch, answers included.
    page.locator('[data-testid="stSidebar"]').get_by_text("Lessons", exact=True).click()
    wait_for_app(page)
    assert query(page)["step"] == "2"
    assert answer_text(page) == text


def test_a_shared_lesson_link_reproduces_the_numbers(
    page: Any, server_url: str, wait_for_app: Any, assert_no_errors: Any
) -> None:
    page.goto(server_url + "/Lessons?lesson=tylenol&step=2")
    wait_for_app(page)
    assert_no_errors(page)
    guess = page.get_by_placeholder("Your guess")
    guess.fill("5")
    guess.press("Enter")
    wait_for_app(page)
    press(page, "lesson_reveal", wait_for_app)
    text = answer_text(page)
    assert "You said ×5: close" in text
    assert "went from 1.27 to 6.77, ×5.32: it broke" in text


SIZES = [(1280, 720), (1920, 1080)]

_LAYOUT_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const cut = [];
  for (const e of main.querySelectorAll('p, h1, h2, h3, label, button')) {
    const r = e.getBoundingClientRect();
    if (r.width === 0) continue;
    if (e.scrollWidth > e.clientWidth + 1 || r.right > window.innerWidth + 1) cut.push(e.innerText);
  }
  const body = Array.from(main.querySelectorAll('[data-testid="stMarkdownContainer"] p'))
    .filter(p => p.getBoundingClientRect().width > 0 && !p.closest('[data-testid="stMetricValue"]'))
    .map(p => parseFloat(getComputedStyle(p).fontSize));
  const ticks = Array.from(main.querySelectorAll('.xtick text, .ytick text, text.bartext, .colorbar text'))
    .map(t => parseFloat(getComputedStyle(t).fontSize));
  return {scroll: main.scrollHeight, height: main.clientHeight, cut,
          body: Math.min(...body), ticks: ticks.length ? Math.min(...ticks) : null,
          sidebar: !!document.querySelector('[data-testid="stSidebar"]:not([aria-hidden])')
                   && getComputedStyle(document.querySelector('[data-testid="stSidebar"]')).display !== 'none'};
}"""


#: The smallest body type on the screen (as _LAYOUT_JS measures it), for waiting on.
_BODY_JS = """(least) => {
  const main = document.querySelector('[data-testid="stMain"]');
  const sizes = Array.from(main.querySelectorAll('[data-testid="stMarkdownContainer"] p'))
    .filter(p => p.getBoundingClientRect().width > 0 && !p.closest('[data-testid="stMetricValue"]'))
    .map(p => parseFloat(getComputedStyle(p).fontSize));
  return sizes.length > 0 && Math.min(...sizes) >= least;
}"""


def assert_fits_a_projector(page: Any, where: str) -> None:
    """One screen of the presenter view: no scrollbar, nothing cut, body type of at
    least 28 px, chart ticks and bar labels of at least 20 px, no sidebar."""
    # Under load a paragraph can be measured before the presenter style reaches it:
    # wait (with a deadline) for the type to be large, then measure and check it all.
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(_BODY_JS, arg=28, timeout=15_000)
    wait_for_layout(page)  # charts settle to their size
    layout = page.evaluate(_LAYOUT_JS)
    assert layout["scroll"] <= layout["height"] + 2, (where, layout)
    assert layout["cut"] == [], (where, layout["cut"])
    assert layout["body"] >= 28, (where, layout["body"])
    assert layout["ticks"] is None or layout["ticks"] >= 20, (where, layout)
    assert not layout["sidebar"], where


@pytest.mark.parametrize("lesson_id", ["tylenol", "clinics", "detective", "attribution"])
@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_presenter_view_fits_every_screen_and_follows_the_keys(
    browser: Any,
    server_url: str,
    wait_for_app: Any,
    assert_no_errors: Any,
    screenshot: Any,
    lesson_id: str,
    width: int,
    height: int,
) -> None:
    lesson = load_lesson(lesson_id)
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        page.goto(f"{server_url}/Lessons?lesson={lesson_id}&step=0&present=1")
        wait_for_app(page)
        screens = 0
        for step in range(len(lesson.steps) + 2):
            assert query(page)["step"] == str(step)
            for phase in ("ask", "reveal"):
                assert_no_errors(page)
                assert_fits_a_projector(
                    page, f"{lesson_id} step {step} {phase} at {width}x{height}"
                )
                screenshot(page, f"present-{lesson_id}-{width}x{height}-{step}-{phase}")
                screens += 1
                revealable = page.locator(".st-key-lesson_reveal button:visible").count() > 0
                if phase == "ask" and revealable:
                    page.keyboard.press("r" if step % 2 else "PageDown")  # reveal, by key
                    wait_for_app(page)
                    expect(page.locator(".st-key-lesson_answer")).to_be_visible()
                else:
                    break
            if step <= len(lesson.steps):
                page.keyboard.press("PageDown" if step % 2 else "ArrowRight")
                wait_for_app(page)
        # back by key, and the reset control goes to the start with answers forgotten
        page.keyboard.press("PageUp")
        wait_for_app(page)
        assert query(page)["step"] == str(len(lesson.steps))
        page.keyboard.press("ArrowLeft")
        wait_for_app(page)
        assert query(page)["step"] == str(len(lesson.steps) - 1)
        press(page, "lesson_reset_small", wait_for_app)
        assert query(page)["step"] == "0"
        assert screens >= len(lesson.steps) + 2
    finally:
        context.close()


def test_the_tylenol_moment_is_on_the_first_screen_of_a_projector(
    browser: Any, server_url: str, wait_for_app: Any, assert_no_errors: Any, screenshot: Any
) -> None:
    """At 1280×720 in the presenter view, Interventions shows ×5.32 against ×1.00 unscrolled."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        page.goto(server_url + "/Interventions?preset=Tylenol&present=1")
        wait_for_app(page)
        assert_no_errors(page)
        for ratio in ("×5.32", "×1.00"):
            box = page.get_by_text(ratio, exact=True).first.bounding_box()
            assert box is not None and box["y"] + box["height"] <= 720, (ratio, box)
        page.screenshot(path=str(SCREENSHOT_DIR / "present-interventions-1280x720-fold.png"))
        page.locator(".st-key-leave_present button:visible").click()
        wait_for_app(page)
        assert "present" not in query(page)
        expect(page.locator('[data-testid="stSidebar"]')).to_be_visible()
    finally:
        context.close()


def test_the_lesson_handout_holds_the_answers_and_opens_offline(
    page: Any, browser: Any, server_url: str, wait_for_app: Any, tmp_path: Any
) -> None:
    from tests.browser.test_handout import download

    page.goto(server_url + "/Lessons?lesson=tylenol&step=2")
    wait_for_app(page)
    guess = page.get_by_placeholder("Your guess")
    guess.fill("5")
    guess.press("Enter")
    wait_for_app(page)
    press(page, "lesson_reveal", wait_for_app)
    handout = download(page, "The lesson as a handout", tmp_path)
    text = handout.read_text(encoding="utf-8")
    assert "You said ×5: close (within a factor of 1.5)." in text
    assert "×5.32: it <strong>broke</strong>" in text  # the revealed step's answer ...
    assert "its error went from 2.59" not in text  # ... but not the causal step's, not revealed
    assert text.count("Not revealed yet") == 2  # steps 1 and 3
    assert text.count("class='handout-plot'") == 1

    offline, asked = cut_off(browser, lambda url: url.startswith("file://"))
    try:
        view = offline.new_page()
        view.goto(handout.resolve().as_uri())
        expect(view.locator(".js-plotly-plot .main-svg").first).to_be_visible(timeout=30_000)
        assert asked == []
    finally:
        offline.close()


_TYPE_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const graph = [];
  for (const svg of main.querySelectorAll('[data-testid="stGraphVizChart"] svg')) {
    const scale = svg.getScreenCTM().a;
    for (const t of svg.querySelectorAll('text'))
      graph.push(parseFloat(t.getAttribute('font-size') || '14') * scale);
  }
  const ticks = Array.from(main.querySelectorAll('.xtick text, .ytick text, text.bartext, .colorbar text'))
    .map(t => parseFloat(getComputedStyle(t).fontSize));
  const body = Array.from(main.querySelectorAll('[data-testid="stMarkdownContainer"] p'))
    .filter(p => p.getBoundingClientRect().width > 0 && !p.closest('[data-testid="stMetricValue"]'))
    .map(p => parseFloat(getComputedStyle(p).fontSize));
  return {graph: graph.length ? Math.min(...graph) : null, graphs: graph.length,
          ticks: ticks.length ? Math.min(...ticks) : null, nticks: ticks.length,
          body: Math.min(...body)};
}"""
PRESENTED = ["/", "/Data", "/Models", "/Interventions?preset=Tylenol", "/Invariance"]


@pytest.mark.parametrize("path", PRESENTED)
def test_every_page_in_the_presenter_view_has_projector_type(
    browser: Any, server_url: str, wait_for_app: Any, assert_no_errors: Any, path: str
) -> None:
    """Body type of 28 px, chart ticks and causal-graph labels of 20 px or more, no
    sidebar: on every slide of the page (Next pressed until the last)."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        page.goto(server_url + path + ("&" if "?" in path else "?") + "present=1")
        wait_for_app(page)
        name = path.strip("/").split("?")[0] or "home"
        drawn = 0
        for slide in range(1, 12):
            assert_no_errors(page)
            expect(page.locator('[data-testid="stSidebar"]')).to_be_hidden()
            expect(page.locator('[data-testid="stMain"] h1')).to_contain_text(f"· {slide} of")
            page.wait_for_function(CHARTS_DRAWN_JS, timeout=30_000)
            wait_for_layout(page)
            sizes = page.evaluate(_TYPE_JS)
            assert sizes["body"] >= 28, (slide, sizes)
            assert sizes["graph"] is None or sizes["graph"] >= 20, (slide, sizes)
            assert sizes["ticks"] is None or sizes["ticks"] >= 20, (slide, sizes)
            drawn += sizes["graphs"] + sizes["nticks"]
            page.screenshot(path=str(SCREENSHOT_DIR / f"present-page-{name}-{slide}-1280x720.png"))
            forward = page.locator(".st-key-slide_next button:visible")
            if forward.is_disabled():
                break
            forward.click()
            wait_for_app(page)
            wait_for_layout(page)
        assert drawn > 0, "no chart or graph on any slide"
    finally:
        context.close()
