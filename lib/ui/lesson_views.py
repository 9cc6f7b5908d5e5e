"""The Lessons page: a lesson's start, its steps (predict, then reveal) and its end.

Each step sets the lab's view (the lab state, so the sidebar, the link and the
other pages follow), asks the learner to commit to a prediction while the
answer stays hidden, then shows the lab's answer, computed from the same cached
numbers the step's page shows (:func:`view_numbers`), and the step's figure.
The learner's answers live in the session; the lesson and step are in the
link. The presenter view (``present=1``) shows one idea per screen: a step's
question, then, on the next press, its answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from lib.errors import LessonError, ScenarioError
from lib.teach.handout import Section, build_handout
from lib.teach.lessons import (
    Lesson,
    Prediction,
    Step,
    ViewNumbers,
    answer,
    judge,
    lesson_problems,
    load_lesson,
    number_range,
    option_label,
    options,
)
from lib.ui import tables
from lib.ui.clicker import keys
from lib.ui.lesson_class import class_controls, class_summary
from lib.ui.live import (
    class_info,
    class_moved,
    class_problem,
    class_revealed,
    taken_over,
    teaching,
)
from lib.ui.pages import page
from lib.ui.params import parse_query
from lib.ui.room_views import join_box, room_chart, room_count, room_now
from lib.ui.state import (
    lesson_steps,
    page_link,
    session_catalog,
    set_state,
    set_teach,
    teach_state,
)
from lib.ui.teach import TeachState, moved
from lib.ui.widgets import page_header
from lib.world.scenarios import load_scenario

__all__ = ["lessons_section", "show_lessons", "step_figure", "view_numbers", "view_numbers_at"]

_ANSWERS = "lab_lesson_answers"  # (lesson, where) -> the learner's answer
_REVEALED = "lab_lesson_revealed"  # {(lesson, step)} whose answer is shown
_SKIP = "lab_lesson_skip"  # (lesson, step) whose Next was pressed before an answer


def _answers() -> dict[tuple[str, Any], Any]:
    return st.session_state.setdefault(_ANSWERS, {})


def _revealed() -> set[tuple[str, int]]:
    return st.session_state.setdefault(_REVEALED, set())


# ----------------------------------------------------------------------------- the view


def _go(lesson: Lesson, step: int) -> None:
    """Show ``step`` of ``lesson`` and set the lab's view to it."""
    st.session_state.pop(_SKIP, None)
    teach = teach_state()
    set_teach(TeachState(lesson.id, step, teach.present))
    if 1 <= step <= len(lesson.steps):
        _apply_view(lesson, step)
    class_moved(lesson.id, step)  # a live class follows its teacher


def _apply_view(lesson: Lesson, step: int) -> None:
    """Set the lab's state to step ``step``'s view (its page's link parameters)."""
    state = _step_state(lesson, step)
    if tables.source() != tables.SCENARIO:
        tables.set_source(tables.SCENARIO)
    set_state(state)


def _step_state(lesson: Lesson, step: int) -> Any:
    """The lab state of step ``step``'s view (a :class:`~lib.ui.params.LabState`).

    Raises
    ------
    lib.errors.LessonError
        When the lesson's world is not there, or the view does not fit it.
    """
    catalog, _ = session_catalog()
    if lesson.scenario not in catalog:
        raise LessonError(f"Lesson `{lesson.id}` needs the world `{lesson.scenario}`.")
    state, notices = parse_query(lesson.view(step - 1), catalog)
    if notices:
        raise LessonError(f"Lesson `{lesson.id}`, step {step}: " + " ".join(notices))
    return state


def view_numbers(lesson: Lesson, step: int) -> ViewNumbers:
    """The lab's numbers at step ``step``'s view, from the caches the pages use."""
    return view_numbers_at(lesson, step, _step_state(lesson, step))


def view_numbers_at(lesson: Lesson, step: int, state: Any) -> ViewNumbers:
    """:func:`view_numbers` for a step whose state is known (no session needed).

    The step's page says what its numbers are (:attr:`lib.ui.pages.Page.numbers`).
    """
    spec = page(lesson.steps[step - 1].page)
    return ViewNumbers(**(spec.numbers(state) if spec.numbers is not None else {}))


def step_figure(lesson: Lesson, step: int, present: bool) -> None:
    """What the step's page shows of the answer: its metrics or its figure
    (:attr:`lib.ui.pages.Page.step_figure`)."""
    s = lesson.steps[step - 1]
    spec = page(s.page)
    if spec.step_figure is not None:
        spec.step_figure(s, _step_state(lesson, step), present)


# ----------------------------------------------------------------------------- answers


def _guess_widget(lesson: Lesson, step: int, pred: Prediction) -> str:
    """The learner's answer widget; returns its key."""
    key = f"lesson_guess_{lesson.id}_{step}"
    saved = _answers().get((lesson.id, step))
    if saved is not None:
        st.session_state[key] = saved
    answer_widget(
        pred,
        load_scenario(lesson.scenario).features,
        key,
        on_change=_keep_guess,
        args=(lesson.id, step, key),
    )
    return key


def answer_widget(
    pred: Prediction,
    features: tuple[str, ...] | list[str],
    key: str,
    *,
    on_change: Callable[..., None],
    args: tuple[Any, ...],
) -> None:
    """The widget a learner answers ``pred`` with (a choice, a set of variables or
    a number), empty until they answer; ``on_change(*args)`` keeps the answer."""
    if pred.kind == "choice":
        st.radio(
            pred.question,
            list(options(pred)),
            format_func=lambda v: option_label(pred, v),
            index=None,
            key=key,
            on_change=on_change,
            args=args,
        )
    elif pred.kind == "set":
        st.pills(
            pred.question,
            list(options(pred, features)),
            format_func=lambda v: option_label(pred, v),
            selection_mode="multi",
            key=key,
            on_change=on_change,
            args=args,
        )
    else:
        low, high, step_size = number_range(pred)
        st.number_input(
            pred.question,
            min_value=low,
            max_value=high,
            step=step_size,
            value=None,
            placeholder="Your guess",
            key=key,
            on_change=on_change,
            args=args,
        )


def _keep_guess(lesson_id: str, step: int, key: str) -> None:
    """Keep a guess in the session as soon as it is made (a widget's own state is
    forgotten when the learner moves to another step)."""
    value = st.session_state.get(key)
    if has_answer(value):
        _answers()[(lesson_id, step)] = list(value) if isinstance(value, list) else value
    else:
        _answers().pop((lesson_id, step), None)


def has_answer(value: Any) -> bool:
    return value is not None and value != [] and value != ()


def _reveal(lesson_id: str, step: int, key: str) -> None:
    _keep_guess(lesson_id, step, key)
    _revealed().add((lesson_id, step))
    class_revealed(lesson_id, step)


# ----------------------------------------------------------------------------- screens


def _lesson_list() -> None:
    st.markdown(
        "Each lesson sets the lab to a view, asks you to **predict** what will happen, and "
        "only then shows the lab's answer: computed from its own numbers, never typed in. "
        "Answer first — a wrong guess is where the learning is."
    )
    for name, problem in lesson_problems().items():
        st.error(f"The lesson file `{name}` is left out: {problem}", icon=":material/error:")
    ids = list(lesson_steps())
    for start in range(0, len(ids), 3):
        for column, lid in zip(st.columns(3, gap="medium"), ids[start : start + 3], strict=False):
            lesson = load_lesson(lid)
            with column.container(border=True):
                st.markdown(f"**{lesson.title}**")
                st.caption(
                    f"{lesson.summary} · {len(lesson.steps)} steps · about {lesson.minutes} min"
                )
                st.button(
                    "Start",
                    key=f"lesson_start_{lid}",
                    icon=":material/play_arrow:",
                    on_click=_go,
                    args=(lesson, 0),
                )


def _questions(lesson: Lesson, when: str) -> None:
    """The questions before (``when="before"``) or after the lesson."""
    for i, q in enumerate(lesson.questions):
        key = f"lesson_q_{lesson.id}_{when}_{i}"
        saved = _answers().get((lesson.id, (when, i)))
        if saved is not None:
            st.session_state[key] = saved
        st.radio(
            q.text,
            list(q.choices),
            index=None,
            key=key,
            on_change=_store_question,
            args=(lesson.id, when, i, key),
        )
        before = _answers().get((lesson.id, ("before", i)))
        after = _answers().get((lesson.id, ("after", i)))
        if when == "after" and after is not None:
            if before is None:
                st.caption(f"You did not answer this before the lesson. {q.note}")
            elif before == after:
                st.caption(f"Before the lesson you said the same. {q.note}")
            else:
                st.caption(f"Before the lesson you said “{before}”. {q.note}")


def _store_question(lesson_id: str, when: str, i: int, key: str) -> None:
    _answers()[(lesson_id, (when, i))] = st.session_state.get(key)


def _start(lesson: Lesson, present: bool) -> None:
    live = teaching(lesson.id)
    if live is not None:  # the class needs the way in more than the summary
        join_box(live.code, present)
        if present:
            return
    st.markdown(lesson.summary)
    sc = load_scenario(lesson.scenario)
    st.caption(f"World: {sc.title} · {len(lesson.steps)} steps · about {lesson.minutes} minutes.")
    if lesson.questions and not present:
        st.markdown("**Before you start**: what do you think now? (Your answers stay here.)")
        _questions(lesson, "before")


def _end(lesson: Lesson, present: bool) -> None:
    st.markdown(lesson.closing or "That is the end of the lesson.")
    live = teaching(lesson.id)
    if live is not None:
        class_summary(lesson, live.code, view_numbers)
    asked = [(i, s) for i, s in enumerate(lesson.steps, start=1) if s.predict is not None]
    right = sum(1 for i, _ in asked if _answers().get((lesson.id, ("right", i))))
    answered = sum(1 for i, _ in asked if (lesson.id, i) in _answers())
    if asked and not present:
        st.caption(
            f"You answered {answered} of {len(asked)} predictions; "
            f"{right} matched the lab's answer."
        )
    if lesson.questions and not present:
        st.markdown("**And now?** The same questions as at the start:")
        _questions(lesson, "after")


def _step(lesson: Lesson, step: int, present: bool) -> None:
    s: Step = lesson.steps[step - 1]
    pred = s.predict
    live = teaching(lesson.id)
    shown = pred is None or (lesson.id, step) in _revealed()
    if live is not None and not shown:  # revealed to the class, from this or another browser
        info = class_info(lesson.id)
        shown = info is not None and step in info.revealed
    if not (present and shown and pred is not None):
        st.markdown(s.text)
    if pred is not None:
        if shown:
            st.markdown(f"**{pred.question}**")
        else:
            key = f"lesson_guess_{lesson.id}_{step}"
            if live is None:  # the question, then the button that reveals its answer
                _guess_widget(lesson, step, pred)
                ask = st.container()
            else:  # the room answers; the teacher watches it happen beside the question
                ask, watch = st.columns([2, 3], gap="large")
                ask.markdown(f"**{pred.question}**")
                with watch:
                    features = load_scenario(lesson.scenario).features
                    room_chart(live.code, step, pred, features, None, present)
            guess = st.session_state.get(key)
            ask.button(
                "Reveal the answer",
                key="lesson_reveal",
                type="primary",
                icon=":material/visibility:",
                disabled=not (present or live or has_answer(guess)),
                help=None if (live or has_answer(guess)) else "Commit to an answer first.",
                on_click=_reveal,
                args=(lesson.id, step, key),
            )
            if st.session_state.get(_SKIP) == (lesson.id, step):
                ask.warning(
                    "You have not answered this question. Press Next again to skip it "
                    "(Previous brings you back to it).",
                    icon=":material/help:",
                )
            return
        with st.spinner("Computing the lab's answer…"):
            truth = answer(pred, view_numbers(lesson, step))
        guess = _answers().get((lesson.id, step))
        with st.container(border=True, key="lesson_answer"):
            if has_answer(guess):
                right, said = judge(pred, truth, guess)
                _answers()[(lesson.id, ("right", step))] = right
                (st.success if right else st.warning)(
                    said, icon=":material/check_circle:" if right else ":material/lightbulb:"
                )
            st.markdown(truth.text)
            if s.reveal:
                st.markdown(s.reveal)
        if live is not None:  # the lab's evidence beside where the room stood
            features = load_scenario(lesson.scenario).features
            if present and page(s.page).wide_figure:
                # the figure needs a projector's whole width, which the room takes here;
                # the answer above says what it shows
                room_now(live.code, step, pred, features, truth.value, present)
                return
            evidence, where = st.columns(2)
            with evidence:
                step_figure(lesson, step, present)
            with where:
                room_now(live.code, step, pred, features, truth.value, present)
            return
    step_figure(lesson, step, present)
    if live is not None:
        room_count(live.code, step, show_answered=False)
    if not present:
        page_link(s.page, label=f"Explore this view on the {s.page} page")


def _nav(lesson: Lesson, step: int, present: bool) -> None:
    """Previous and next (the keys press them), where the learner is, and in the
    presenter view the reset and the way out (the sidebar is hidden there)."""
    last = len(lesson.steps) + 1
    spec = [2, 3, 1, 1, 2] if present else [1, 2, 1]
    cells = st.columns(spec, vertical_alignment="center")
    back, where, forward = cells[0], cells[1], cells[-1]
    with back:
        st.button(
            "Previous",
            key="lesson_back",
            icon=":material/arrow_back:",
            disabled=step == 0,
            on_click=_move,
            args=(lesson, -1),
            width="stretch",
        )
    place = "Start" if step == 0 else ("End" if step == last else f"Step {step} of {last - 1}")
    where.caption(f"{place} · keys: → next, ← back, R reveal")
    if present:
        cells[2].button(
            "",
            key="lesson_reset_small",
            icon=":material/restart_alt:",
            disabled=teaching(lesson.id) is not None,
            help="Reset to the story's start (answers forgotten; not during a live class)",
            on_click=_restart,
            args=(lesson,),
            width="stretch",
        )
        cells[3].button(
            "",
            key="lesson_unpresent",
            icon=":material/close_fullscreen:",
            help="Leave the presenter view",
            on_click=_toggle_present,
            width="stretch",
        )
    with forward:
        st.button(
            "Finish" if step == last - 1 else ("Begin" if step == 0 else "Next"),
            key="lesson_next",
            icon=":material/arrow_forward:",
            disabled=step == last,
            on_click=_move,
            args=(lesson, 1),
            width="stretch",
        )


def _toggle_present() -> None:
    teach = teach_state()
    set_teach(TeachState(teach.lesson, teach.step, not teach.present))


def _move(lesson: Lesson, by: int) -> None:
    now = teach_state()
    if by > 0 and _unanswered(lesson, now.step, now.present):  # say so before skipping
        st.session_state[_SKIP] = (lesson.id, now.step)
        return
    teach = moved(now, by, len(lesson.steps))
    _go(lesson, teach.step)


def _unanswered(lesson: Lesson, step: int, present: bool) -> bool:
    """Whether Next would leave a learner's question unanswered without a word: a step
    with a question, neither answered nor revealed, the learner not told yet (a
    presenter and a live class move on as they please)."""
    if present or not 1 <= step <= len(lesson.steps) or lesson.steps[step - 1].predict is None:
        return False
    if (lesson.id, step) in _revealed() or (lesson.id, step) in _answers():
        return False
    if st.session_state.get(_SKIP) == (lesson.id, step):
        return False
    return teaching(lesson.id) is None


def _restart(lesson: Lesson) -> None:
    """Back to the lesson's start, the learner's answers forgotten."""
    answers = _answers()
    for done in [a for a in answers if a[0] == lesson.id]:
        del answers[done]
    _revealed().difference_update({r for r in _revealed() if r[0] == lesson.id})
    prefixes = (f"lesson_guess_{lesson.id}_", f"lesson_q_{lesson.id}_")
    for key in [str(k) for k in st.session_state if str(k).startswith(prefixes)]:
        del st.session_state[key]
    _go(lesson, 0)


def _lesson_handout(lesson: Lesson) -> Callable[[], bytes]:
    """The whole lesson as one offline web page, made when the button is pressed.

    Each step is a section: its text, the question, the learner's answer (as
    given so far), the lab's answer and why, and the step's figure. The
    states and answers are read now (they live in the session); the numbers
    and figures come from the caches when the file is made.
    """
    states = [_step_state(lesson, i) for i in range(1, len(lesson.steps) + 1)]
    given = dict(_answers())
    revealed = {step for lid, step in _revealed() if lid == lesson.id}
    sc = load_scenario(lesson.scenario)

    def make() -> bytes:
        sections = [Section(lesson.title, lesson.summary)]
        for i, (s, state) in enumerate(zip(lesson.steps, states, strict=True), start=1):
            plots = page(s.page).step_plots
            figures: list[Any] = plots(s, state) if plots is not None else []
            question = answered = reveal = None
            if s.predict is not None:
                question = s.predict.question
                guess = given.get((lesson.id, i))
                if i not in revealed:  # a handout never gives away an answer not yet seen
                    figures = []
                    answered = "Not revealed yet: answer it in the lab, then reveal it."
                else:
                    truth = answer(s.predict, view_numbers_at(lesson, i, state))
                    if has_answer(guess):
                        answered = judge(s.predict, truth, guess)[1]
                    reveal = f"{truth.text}\n\n{s.reveal}".strip()
            elif s.reveal:
                reveal = s.reveal
            sections.append(
                Section(
                    f"{i} · {s.title}",
                    s.text,
                    figures=figures,
                    question=question,
                    answer=answered,
                    reveal=reveal,
                )
            )
        sections.append(Section("What the lesson showed", lesson.closing))
        settings = [("World", sc.title), ("Steps", str(len(lesson.steps)))]
        settings += [
            (f"Step {i}", _view_words(step, st_))
            for i, (step, st_) in enumerate(zip(lesson.steps, states, strict=True), start=1)
        ]
        return build_handout(lesson.title, settings, sections, lead=lesson.summary).encode()

    return make


def _view_words(step: Step, state: Any) -> str:
    """The step's page and what made its view, in a few words."""
    words = page(step.page).words
    if words is not None:
        return words(state)
    return f"{step.page}: {state.n:,} rows, seed {state.seed}"


def _handout_button(lesson: Lesson) -> None:
    st.download_button(
        "The lesson as a handout (HTML, works offline)",
        data=_lesson_handout(lesson),
        file_name=f"lesson-{lesson.id}.html",
        mime="text/html",
        icon=":material/print:",
        on_click="ignore",
        width="stretch",
        key="lesson_handout",
    )


def _controls(lesson: Lesson) -> None:
    """Reset, the presenter view, back to the list, and the lesson as a handout."""
    reset, present, leave, handout = st.columns(4)
    live = teaching(lesson.id) is not None
    reset.button(
        "Reset to the story's start",
        key="lesson_reset",
        icon=":material/restart_alt:",
        disabled=live,
        help="A live class keeps its answers and reveals: end it first." if live else None,
        on_click=_restart,
        args=(lesson,),
        width="stretch",
    )
    teach = teach_state()
    present.button(
        "Leave the presenter view" if teach.present else "Presenter view",
        key="lesson_present",
        icon=":material/co_present:",
        on_click=_toggle_present,
        width="stretch",
    )
    leave.button(
        "All lessons",
        key="lesson_leave",
        icon=":material/list:",
        on_click=lambda: set_teach(TeachState("", 0, teach.present)),
        width="stretch",
    )
    with handout:
        _handout_button(lesson)


def lessons_section(lab: Any, data: Any) -> None:
    """The Lessons page: its title (on the list of lessons), then the lesson."""
    if not lab.present and not teach_state().lesson:
        page_header(
            "Lessons",
            "Short guided stories through the lab. At each step, commit to a prediction "
            "before the lab shows what happened and why.",
        )
    show_lessons()


def show_lessons() -> None:
    """Draw the Lessons page for the session's lesson state."""
    taken = taken_over()
    if taken is not None:  # a teacher link: the lesson opens where its class is
        set_teach(TeachState(taken[0], taken[1], teach_state().present))
        if taken[0] in lesson_steps() and 1 <= taken[1] <= lesson_steps()[taken[0]]:
            _apply_view(load_lesson(taken[0]), taken[1])
    teach = teach_state()
    if not teach.lesson:
        _lesson_list()
        return
    try:
        lesson = load_lesson(teach.lesson)
        step = min(teach.step, len(lesson.steps) + 1)
        if 1 <= step <= len(lesson.steps):
            _step_state(lesson, step)  # the step's view must fit its world
    except (LessonError, ScenarioError) as exc:
        st.error(f"This lesson cannot be shown: {exc}", icon=":material/error:")
        set_teach(TeachState("", 0, teach.present))
        return
    last = len(lesson.steps) + 1
    if step == 0:
        title = lesson.title
    elif step == last:
        title = f"{lesson.title}: what changed"
    else:
        title = f"{step} · {lesson.steps[step - 1].title}"
    st.header(title, anchor=False)
    problem = class_problem()
    if problem:
        st.warning(problem, icon=":material/groups:")
    keys()
    with st.container(key="lesson_body"):
        if step == 0:
            _start(lesson, teach.present)
        elif step == last:
            _end(lesson, teach.present)
        else:
            _step(lesson, step, teach.present)
    _nav(lesson, step, teach.present)
    if not teach.present:
        class_controls(lesson, step)
        _controls(lesson)
