"""The Live class page: a student joins with a code and follows the teacher.

A student sees the step the teacher shows: its text and question, and an
answer widget whose answer goes to the class's store (checked first by
:func:`lib.live.answers.check_answer`); after the teacher's reveal, their own
answer judged, the lab's answer and figure (the same as the Lessons page's),
and where the room stood. The screen looks for the teacher's moves every
:data:`~lib.ui.room_views.POLL_S` seconds (a small fragment that reruns the
page only when the class changed). Nothing names a student: a seat is a
random token in the page's link, so a reloaded phone keeps its answers.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from lib.errors import ClassError, LessonError, ScenarioError
from lib.live.answers import check_answer
from lib.live.join import spaced
from lib.live.store import ClassInfo, normalise_code
from lib.teach.lessons import Lesson, Prediction, answer, judge, load_lesson
from lib.ui.lesson_views import answer_widget, has_answer, step_figure, view_numbers
from lib.ui.live import Seat, class_store, forget_student, set_student, student
from lib.ui.room_views import POLL_S, room_now
from lib.ui.state import page_link
from lib.ui.widgets import page_header
from lib.world.scenarios import load_scenario

__all__ = ["show_class"]

_NOTE = "lab_live_note"  # why the last answer was refused, shown once
_LOOKS = "lab_live_looks"  # how many times this page looked for the teacher's moves


def _join_code() -> None:
    typed = str(st.session_state.get("class_code_input") or "").strip()
    if not typed:
        return
    code = normalise_code(typed)
    if code is None:
        st.session_state[_NOTE] = (
            "That is not a class code: a code is six letters and digits, like K7Q X4M."
        )
        return
    set_student(Seat(code))


def _join_form(problem: str = "", *, ended: bool = False) -> None:
    """The page's title, why the student is here again (``problem``: an error, or the
    news that the class ``ended``), and the way in."""
    page_header(
        "Live class",
        "Join your teacher's class: predict at each step, then see the lab's answer and "
        "where the room stood.",
    )
    if problem and ended:
        st.info(problem, icon=":material/done_all:")
    elif problem:
        st.error(problem, icon=":material/error:")
    st.markdown("Your teacher shows a **class code** of six letters and digits on the screen.")
    narrow, _ = st.columns([1, 2])  # a code's width on a laptop; a phone's whole width
    with narrow, st.form("class_join", border=False, enter_to_submit=True):
        st.text_input(
            "Class code",
            max_chars=12,
            placeholder="e.g. K7Q X4M",
            key="class_code_input",
        )
        st.form_submit_button(
            "Join the class", type="primary", icon=":material/login:", on_click=_join_code
        )
    st.caption(
        "Nothing you type here names you: the class sees only how many answered what. "
        "Teachers: open a lesson on the Lessons page and press **Start a live class**."
    )
    page_link("Lessons")


def _send(code: str, seat: str, step: int, key: str, pred: Prediction, features: Any) -> None:
    """Send the student's answer to the store (a widget's callback)."""
    value = st.session_state.get(key)
    if not has_answer(value):
        return
    try:
        kept = check_answer(pred, value, features)
        class_store().answer(code, seat, step, kept)
    except ClassError as exc:
        st.session_state[_NOTE] = str(exc)
        # the widget shows what the class has, not an answer it refused
        try:
            mine = class_store().my_answer(code, seat, step)
        except ClassError:
            mine = None
        if mine is None:
            st.session_state.pop(key, None)
        else:
            st.session_state[key] = mine


def _question(lesson: Lesson, info: ClassInfo, seat: str, pred: Prediction) -> None:
    """The answer widget, what the student answered so far, and why an answer was refused."""
    store = class_store()
    features = load_scenario(lesson.scenario).features
    key = f"class_answer_{info.code}_{info.step}"
    mine = store.my_answer(info.code, seat, info.step)
    if key not in st.session_state and mine is not None:  # a reloaded phone
        st.session_state[key] = mine
    answer_widget(
        pred,
        features,
        key,
        on_change=_send,
        args=(info.code, seat, info.step, key, pred, features),
    )
    note = st.session_state.pop(_NOTE, None)
    if note:
        st.warning(f"Your answer was not taken: {note}", icon=":material/error:")
    elif mine is not None:
        st.success(
            "Your answer is in. You can change it until your teacher reveals the answer.",
            icon=":material/check_circle:",
        )
    else:
        st.caption("Answer, then wait for your teacher to reveal what the lab found.")


def _revealed(lesson: Lesson, info: ClassInfo, seat: str, pred: Prediction) -> None:
    """The student's answer judged, the lab's answer and figure, and the room."""
    with st.spinner("Computing the lab's answer…"):
        truth = answer(pred, view_numbers(lesson, info.step))
    mine = class_store().my_answer(info.code, seat, info.step)
    with st.container(border=True, key="class_answer"):
        if has_answer(mine):
            right, said = judge(pred, truth, mine)
            (st.success if right else st.warning)(
                said, icon=":material/check_circle:" if right else ":material/lightbulb:"
            )
        else:
            st.caption("You did not answer this one.")
        st.markdown(truth.text)
        s = lesson.steps[info.step - 1]
        if s.reveal:
            st.markdown(s.reveal)
    features = load_scenario(lesson.scenario).features
    room_now(info.code, info.step, pred, features, truth.value, False)
    step_figure(lesson, info.step, True)  # a phone's figures: ICP's top sets, no graph


def _screen(lesson: Lesson, info: ClassInfo, seat: str) -> None:
    """What the teacher shows now, from a student's side."""
    last = len(lesson.steps) + 1
    step = min(info.step, last)
    if step == 0:
        st.subheader(lesson.title, anchor=False)
        st.success("You are in. Your teacher will start in a moment.", icon=":material/groups:")
        st.markdown(lesson.summary)
    elif step == last:
        st.subheader(f"{lesson.title}: the end", anchor=False)
        st.markdown(lesson.closing or "That is the end of the lesson.")
    else:
        s = lesson.steps[step - 1]
        st.subheader(f"{step} · {s.title}", anchor=False)
        st.markdown(s.text)
        pred = s.predict
        if pred is None:
            step_figure(lesson, step, True)
        elif step in info.revealed:
            st.markdown(f"**{pred.question}**")
            _revealed(lesson, info, seat, pred)
        else:
            _question(lesson, info, seat, pred)
    st.caption(f"Class {spaced(info.code)} · {lesson.title} · your screen follows your teacher's.")


@st.fragment(run_every=POLL_S)
def _follow(code: str, version: int) -> None:
    """Look for the teacher's moves; rerun the page when the class changed.

    Each look leaves a mark that changes (:data:`_WATCH_JS` watches it)."""
    looks = st.session_state[_LOOKS] = st.session_state.get(_LOOKS, 0) + 1
    st.html(f"<span class='lab-follow' data-looks='{looks}'></span>")
    try:
        info = class_store().info(code)
    except ClassError:
        return  # the store is unreachable for a moment: look again next time
    if info is None or info.closed or info.version != version:
        st.rerun()


#: The browser's side of :func:`_follow`: if the page has not looked for the teacher's
#: moves for :data:`STALE_S` seconds while nothing runs (Streamlit can drop a page's
#: timer when a student's answer and a look cross on a busy server), it presses the
#: hidden refresh button, and the full run that follows sets the timer again.
STALE_S = 6
_WATCH_JS = f"""
<script>
(() => {{
  const doc = window.document;
  if (window.__labFollow) clearInterval(window.__labFollow);
  let last = null, since = Date.now();
  window.__labFollow = setInterval(() => {{
    const mark = doc.querySelector('.lab-follow');
    const now = mark ? mark.dataset.looks : null;
    if (now !== last) {{ last = now; since = Date.now(); return; }}
    const app = doc.querySelector('[data-testid="stApp"]');
    const idle = app && app.getAttribute('data-test-script-state') === 'notRunning';
    if (idle && Date.now() - since > {STALE_S * 1000}) {{
      const button = doc.querySelector('.st-key-class_refresh button');
      if (button) {{ since = Date.now(); button.click(); }}
    }}
  }}, 1000);
}})();
</script>
<style>.st-key-class_refresh {{ display: none; }}</style>
"""


def show_class() -> None:
    """Draw the Live class page for this session: the way in, or the class's step."""
    try:
        store = class_store()
    except ClassError as exc:
        _join_form(str(exc))
        return
    mine = student()
    if mine is None or not mine.code:  # no class, or a link whose code is not one
        if mine is not None:
            forget_student()
            st.query_params.clear()
            st.session_state[_NOTE] = (
                "That link's class code is not one: a code is six letters and digits."
            )
        note = st.session_state.pop(_NOTE, None)
        _join_form(note or "")
        return
    try:
        info = store.info(mine.code)
    except ClassError as exc:
        _join_form(str(exc))
        return
    if info is None or info.closed:
        forget_student()
        st.query_params.clear()
        if info is None:
            _join_form(
                f"No class with the code **{spaced(mine.code)}** is running. Check the code "
                "with your teacher: a class stops when its teacher ends it, or after a few hours."
            )
        else:
            _join_form("This class has ended. Thank you for taking part!", ended=True)
        return
    seat = mine.seat
    if not seat or not store.seated(info.code, seat):
        try:
            seat = store.join(info.code)
        except ClassError as exc:  # the class is full, or ended a moment ago
            forget_student()
            st.query_params.clear()
            _join_form(str(exc))
            return
        set_student(Seat(info.code, seat))
        st.query_params["seat"] = seat  # a reload keeps the seat
    try:
        lesson = load_lesson(info.lesson)
    except (LessonError, ScenarioError) as exc:
        st.error(f"This class's lesson cannot be shown: {exc}", icon=":material/error:")
        return
    _screen(lesson, info, seat)
    _follow(info.code, info.version)
    st.button("Refresh", key="class_refresh")  # pressed by _WATCH_JS only (hidden)
    st.html(_WATCH_JS, unsafe_allow_javascript=True)
