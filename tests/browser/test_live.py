"""A live class in real browsers, through the balancer: a teacher and two students,
one of them on the other worker. Students answer, the teacher's chart counts both
answers, the teacher's moves and reveal reach both phones, and the end reaches
them too. The store is the SQLite file the balancer's two workers share
(``CLASS_STORE_URL``); the test reads it to check what was kept.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from lib.live.store import open_store
from lib.teach.lessons import load_lesson, options
from lib.world.scenarios import load_scenario

from .conftest import CLASS_STORE_URL, VIEWPORT
from .test_lessons import assert_fits_a_projector, query

COOKIE = "lab_worker"  # deploy/haproxy.cfg.template's cookie
PHONE = {"width": 390, "height": 844}
#: Students' screens look for news every second; a move must show within a few.
FOLLOW_MS = 8_000


def open_on(browser: Any, base: str, worker: str, viewport: dict[str, int]) -> Any:
    """A new browser whose first request goes to ``worker`` (the balancer's cookie)."""
    context = browser.new_context(viewport=viewport)
    context.add_cookies([{"name": COOKIE, "value": worker, "url": base}])
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page


def served_by(page: Any) -> set[str]:
    seen: set[str] = set()
    page.on("response", lambda r: seen.add(r.headers.get("x-lab-worker") or ""))
    return seen


def room_answers(page: Any) -> int:
    """How many answers the teacher's room chart counts (the bars' sum)."""
    return int(
        page.evaluate(
            """() => {
              const box = document.querySelector('[class*="st-key-room_"] .js-plotly-plot')
                || Array.from(document.querySelectorAll('.js-plotly-plot'))
                     .find((p) => p.data && p.data[0] && p.data[0].orientation === 'h');
              if (!box || !box.data) return -1;
              return box.data[0].x.reduce((a, b) => a + b, 0);
            }"""
        )
    )


def test_a_class_through_the_balancer(
    browser: Any, balancer_url: str, wait_for_app: Any, assert_no_errors: Any, screenshot: Any
) -> None:
    teacher = open_on(browser, balancer_url, "w1", VIEWPORT)
    phones = [open_on(browser, balancer_url, w, PHONE) for w in ("w2", "w1")]
    workers = [served_by(p) for p in (teacher, *phones)]
    try:
        teacher.goto(f"{balancer_url}/Lessons?lesson=tylenol&step=0")
        wait_for_app(teacher)
        teacher.get_by_role("button", name="Start a live class").click()
        code_box = teacher.locator(".lab-class-code")
        expect(code_box).to_be_visible()
        code = re.sub(r"\s", "", code_box.inner_text())
        link = teacher.locator(f'a[href$="/Class?code={code}"]').first
        expect(link).to_be_visible()
        expect(teacher.get_by_role("img").first).to_be_visible()  # the QR code
        screenshot(teacher, "live-teacher-start")

        for phone in phones:
            phone.goto(f"{balancer_url}/Class?code={code}")
            wait_for_app(phone)
            expect(phone.get_by_text("You are in.")).to_be_visible()
            assert_no_errors(phone)
        expect(teacher.get_by_text("2 joined")).to_be_visible(timeout=FOLLOW_MS)

        # The teacher begins; both phones follow to the first question.
        teacher.get_by_role("button", name="Begin").click()
        wait_for_app(teacher)
        for phone in phones:
            expect(phone.get_by_text("The causal model", exact=True)).to_be_visible(
                timeout=FOLLOW_MS
            )
        screenshot(phones[0], "live-phone-question")
        phones[0].get_by_text("The causal model", exact=True).click()
        phones[1].get_by_text("The predictive model", exact=True).click()
        for phone in phones:
            expect(phone.get_by_text("Your answer is in.", exact=False)).to_be_visible()

        expect(teacher.get_by_text("2 answered", exact=False)).to_be_visible(timeout=FOLLOW_MS)
        teacher.wait_for_function(
            """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
                 .some((p) => p.data && p.data[0] && p.data[0].orientation === 'h'
                      && p.data[0].x.reduce((a, b) => a + b, 0) === 2)""",
            timeout=FOLLOW_MS,
        )
        assert room_answers(teacher) == 2
        screenshot(teacher, "live-teacher-question")

        teacher.get_by_role("button", name="Reveal the answer").click()
        wait_for_app(teacher)
        expect(
            phones[0].get_by_text("You said: the causal model. Not what happened.")
        ).to_be_visible(timeout=FOLLOW_MS)
        expect(phones[1].get_by_text("You said: the predictive model. Right.")).to_be_visible(
            timeout=FOLLOW_MS
        )
        for phone in phones:
            assert_no_errors(phone)
        screenshot(phones[1], "live-phone-revealed")
        screenshot(teacher, "live-teacher-revealed")

        store = open_store(CLASS_STORE_URL)
        tally = store.tally(code, 1)
        assert (tally.joined, sorted(tally.answers)) == (2, ["causal", "predictive"])

        teacher.get_by_role("button", name="End the class").click()
        for phone in phones:
            expect(phone.get_by_text("This class has ended.", exact=False)).to_be_visible(
                timeout=FOLLOW_MS
            )
        assert store.tally(code, 1).answered == 0
        store.close_connection()
        # The teacher and one student were on different workers all along.
        assert workers[0] - {""} == {"w1"}
        assert workers[1] - {""} == {"w2"}
    finally:
        for page in (teacher, *phones):
            page.context.close()


def test_a_wrong_code_on_a_phone_says_so_and_keeps_the_form(
    browser: Any, server_url: str, wait_for_app: Any, screenshot: Any
) -> None:
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(f"{server_url}/Class?code=ZZZ999")
        wait_for_app(page)
        assert page.locator('[data-testid="stException"]').count() == 0
        expect(page.get_by_text("No class with the code", exact=False)).to_be_visible()
        expect(page.get_by_label("Class code")).to_be_visible()
        screenshot(page, "live-phone-join")
    finally:
        context.close()


@pytest.mark.parametrize("lesson_id", ["tylenol", "clinics"])
def test_a_class_on_a_projector_fits_every_screen(
    browser: Any,
    server_url: str,
    wait_for_app: Any,
    assert_no_errors: Any,
    screenshot: Any,
    lesson_id: str,
) -> None:
    """The presenter view of a class at 1280×720: the way in, each question with the
    room's answers, each reveal with the room; no scrollbar, nothing cut, projector type."""
    lesson = load_lesson(lesson_id)
    features = load_scenario(lesson.scenario).features
    store = open_store(CLASS_STORE_URL)
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        page.goto(f"{server_url}/Lessons?lesson={lesson_id}&step=0")
        wait_for_app(page)
        page.get_by_role("button", name="Start a live class").click()
        wait_for_app(page)
        code = re.sub(r"\s", "", page.locator(".lab-class-code").inner_text())
        seats = [store.join(code) for _ in range(3)]
        page.locator(".st-key-lesson_present button").click()
        wait_for_app(page)
        for step in range(len(lesson.steps) + 2):
            assert query(page)["step"] == str(step)
            pred = lesson.steps[step - 1].predict if 1 <= step <= len(lesson.steps) else None
            if pred is not None:  # the room answers
                first = options(pred, features)[0] if pred.kind != "number" else 2.0
                for seat in seats:
                    store.answer(code, seat, step, [first] if pred.kind == "set" else first)
                expect(page.get_by_text("3 answered", exact=False)).to_be_visible(timeout=FOLLOW_MS)
            for phase in ("ask", "reveal"):
                assert_no_errors(page)
                assert_fits_a_projector(page, f"class {lesson_id} step {step} {phase}")
                screenshot(page, f"live-present-{lesson_id}-{step}-{phase}")
                if phase == "ask" and pred is not None:
                    page.keyboard.press("PageDown")  # reveal
                    wait_for_app(page)
                    expect(page.locator(".st-key-lesson_answer")).to_be_visible()
                else:
                    break
            if step == 0:
                assert page.locator(".lab-class-code").is_visible()
            if step <= len(lesson.steps):
                page.keyboard.press("PageDown")
                wait_for_app(page)
                assert store.info(code).step == step + 1  # the class followed the key
        assert "matched the lab" in page.locator('[data-testid="stMain"]').inner_text()
    finally:
        store.close_connection()
        context.close()


def test_a_phone_whose_polling_stopped_comes_back_by_itself(
    browser: Any, server_url: str, wait_for_app: Any
) -> None:
    """The page's watchdog: when its looks for the teacher's moves stop (Streamlit can
    drop a page's timer when an answer and a look cross), it presses the hidden
    refresh button, and the page follows the class again."""
    store = open_store(CLASS_STORE_URL)
    info, token = store.start("tylenol", 3)
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(f"{server_url}/Class?code={info.code}")
        wait_for_app(page)
        looks = page.locator(".lab-follow").first
        first = looks.get_attribute("data-looks")
        page.wait_for_function(
            f"() => document.querySelector('.lab-follow').dataset.looks !== '{first}'",
            timeout=FOLLOW_MS,
        )  # it looks every second
        # The looks seem to stop: a frozen mark comes first in the page.
        page.evaluate(
            """() => {
              window.__refreshed = false;
              document.querySelector('.st-key-class_refresh button')
                .addEventListener('click', () => { window.__refreshed = true; });
              const frozen = document.createElement('span');
              frozen.className = 'lab-follow';
              frozen.dataset.looks = 'frozen';
              document.body.prepend(frozen);
            }"""
        )
        page.wait_for_function("() => window.__refreshed === true", timeout=15_000)
        store.move(info.code, token, 1)
        expect(page.get_by_text("The causal model", exact=True)).to_be_visible(timeout=FOLLOW_MS)
    finally:
        store.close_connection()
        context.close()
