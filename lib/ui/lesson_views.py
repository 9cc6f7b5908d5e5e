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

import pandas as pd
import streamlit as st

from lib.attribution.pair import B_CHAMPION, MODEL_NAMES, causal_name
from lib.errors import ClassError, LessonError, ScenarioError
from lib.fitting.experiments import OBSERVATIONAL, ratio_table
from lib.live.join import spaced, teacher_url
from lib.live.room import matched
from lib.teach.handout import Plot, Section, build_handout
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
from lib.text.numbers import format_number
from lib.ui import attribution_views as av
from lib.ui import compute, tables
from lib.ui import invariance_views as iv
from lib.ui.invariance_sections import state_environments
from lib.ui.lab import choose, family_models, interventions_key
from lib.ui.live import (
    class_info,
    class_moved,
    class_problem,
    class_revealed,
    class_store,
    end_class,
    make_teacher_link,
    start_class,
    taken_over,
    teacher,
    teacher_link,
    teaching,
)
from lib.ui.params import parse_query
from lib.ui.room_views import class_link, join_box, room_chart, room_count, room_now
from lib.ui.state import (
    lesson_steps,
    page_link,
    session_catalog,
    set_state,
    set_teach,
    teach_state,
)
from lib.ui.teach import TeachState, moved
from lib.ui.widgets import causal_graph, chart, kind_metric, ratio_metrics
from lib.world.scenarios import load_scenario

__all__ = ["show_lessons"]

_ANSWERS = "lab_lesson_answers"  # (lesson, where) -> the learner's answer
_REVEALED = "lab_lesson_revealed"  # {(lesson, step)} whose answer is shown
#: Keys a presentation clicker sends, and what they press (docs/lesson-format.md).
_KEYS_JS = """
<script>
(() => {
  const doc = window.document;
  if (window.__labLessonKeys) doc.removeEventListener("keydown", window.__labLessonKeys);
  // a button with a tooltip has a hidden twin: use the one on screen
  const shown = (name) => Array.from(doc.querySelectorAll(`.st-key-${name} button`))
    .find((x) => x.offsetWidth > 0);
  const press = (names) => {
    for (const name of names) {
      const b = shown(name);
      if (b && !b.disabled) { b.click(); return true; }
    }
    return false;
  };
  window.__labLessonKeys = (e) => {
    const t = e.target;
    const typing = t && (t.tagName === "TEXTAREA" || t.isContentEditable ||
      (t.tagName === "INPUT" && !["radio", "checkbox"].includes(t.type)));
    const arrow = e.key.startsWith("Arrow");
    // a focused choice keeps its arrows (they move between the options)
    const choosing = t && t.tagName === "INPUT" && t.type === "radio" && arrow;
    if (typing || choosing || e.repeat || e.altKey || e.ctrlKey || e.metaKey) return;
    let done = false;
    if (["PageDown", "ArrowRight"].includes(e.key) || (e.key === " " && t === doc.body)) {
      const reveal = shown("lesson_reveal");
      // an unanswered question holds the lesson: the learner answers first
      done = reveal ? (reveal.disabled ? true : press(["lesson_reveal"])) : press(["lesson_next"]);
    } else if (["PageUp", "ArrowLeft"].includes(e.key)) {
      done = press(["lesson_back"]);
    } else if (e.key === "r" || e.key === "R") {
      done = press(["lesson_reveal"]);
    }
    if (done) e.preventDefault();
  };
  doc.addEventListener("keydown", window.__labLessonKeys);
})();
</script>
"""


def _answers() -> dict[tuple[str, Any], Any]:
    return st.session_state.setdefault(_ANSWERS, {})


def _revealed() -> set[tuple[str, int]]:
    return st.session_state.setdefault(_REVEALED, set())


# ----------------------------------------------------------------------------- the view


def _go(lesson: Lesson, step: int) -> None:
    """Show ``step`` of ``lesson`` and set the lab's view to it."""
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
    """:func:`view_numbers` for a step whose state is known (no session needed)."""
    s = lesson.steps[step - 1]
    sid, n, seed = state.scenario, state.n, state.seed
    sc = load_scenario(sid)
    numbers: dict[str, Any] = {}
    if s.page in ("Models", "Interventions"):  # only these pages fit models
        exp = compute.experiment(sid, n, seed)
        numbers["names"] = {(m.kind, m.family): m.name for m in exp.models}
        numbers["scores"] = compute.evaluate(sid, n, seed, OBSERVATIONAL, (), ())
    if s.page == "Interventions":
        choice = choose(state, sc)
        key = interventions_key(choice.applied)
        numbers["ratios"] = compute.ratios(sid, n, seed, choice.test, key, choice.applied)
    if s.page in ("Data", "Models", "Interventions"):
        numbers["sample"] = compute.sample(sid, n, seed)
    if s.page == "Invariance":
        envs = state_environments(sc, sid, n, state.envs)
        res = iv.icp_fit(sid, seed, iv.env_key(envs), state.alpha, envs)
        numbers["icp_causes"] = frozenset(res.causal_predictors)
    if s.page == "Attribution":
        numbers.update(_attribution_numbers(state))
    return ViewNumbers(**numbers)


def _attribution_figure(state: Any, experiment: bool) -> tuple[Any, str]:
    """An Attribution step's figure and the sentence that reads it: the experiment's
    errors when the step asks about it, else the Rashomon set."""
    view = av.state_key(state)
    if experiment:
        return av.settle_figure(view, state.drive, state.epsilon)
    return av.rashomon_view(view, state.epsilon)


def _attribution_numbers(state: Any) -> dict[str, Any]:
    """The Attribution page's experiment: its "predictive" model is the one of the
    Rashomon set most wrong about B (with B doing nothing: the one crediting B most),
    its causal one least squares on the causes."""
    key = av.state_key(state)
    scores = av.settle_scores(key, state.drive, state.epsilon)
    causal = causal_name(av.view_at(*key).world.scenario.causal_features)
    names = {
        ("predictive", "linear"): B_CHAMPION,
        ("causal", "linear"): causal,
        ("predictive", "trees"): MODEL_NAMES[3],
    }
    before = scores[scores["test"] == OBSERVATIONAL].set_index("model")
    ratios = ratio_table(scores, state.drive)
    return {"names": names, "ratios": ratios, "scores": before.reset_index()}


def step_figure(lesson: Lesson, step: int, present: bool) -> None:
    """What the step's page shows of the answer: its metrics or its figure."""
    s = lesson.steps[step - 1]
    state = _step_state(lesson, step)
    sid, n, seed = state.scenario, state.n, state.seed
    sc = load_scenario(sid)
    pred = s.predict
    family = pred.family if pred is not None else "linear"
    if s.page == "Interventions":
        choice = choose(state, sc)
        key = interventions_key(choice.applied)
        table = compute.ratios(sid, n, seed, choice.test, key, choice.applied)
        models = family_models(compute.experiment(sid, n, seed).models, family)
        # only the model asked about: the other one may be a later step's question
        shown = {m.name for m in models if m is not None and (pred is None or m.kind == pred.model)}
        ratio_metrics(table[table["model"].isin(shown)].reset_index(drop=True))
        if not present:
            causal_graph(sc, intervened=sc.scm.intervene(*choice.applied).intervened_nodes)
    elif s.page == "Models":
        scores = compute.evaluate(sid, n, seed, OBSERVATIONAL, (), ())
        _score_metrics(scores, family, sc.target)
    elif s.page == "Data":
        if pred is not None and pred.columns:
            a, b = pred.columns
            chart(
                compute.pairs_figure(sid, n, seed, (a, b)),
                f"Each dot is one row of the sample: `{a}` against `{b}`.",
            )
        elif not present:
            causal_graph(sc)
    elif s.page == "Attribution":
        if pred is not None:  # the model asked about, as the Interventions step shows it
            numbers = _attribution_numbers(state)
            asked = numbers["names"][(pred.model, pred.family)]
            table = numbers["ratios"]
            ratio_metrics(table[table["model"] == asked].reset_index(drop=True))
        if pred is None or not present:
            chart(*_attribution_figure(state, pred is not None))
    elif s.page == "Invariance":
        envs = state_environments(sc, sid, n, state.envs)
        figure = iv.top_sets_figure if present else iv.result_figure
        chart(
            figure(sid, seed, iv.env_key(envs), state.alpha, envs),
            "Each set of predictors and its p-value: a set is accepted when its p-value is "
            f"above α = {state.alpha:g}. ICP names what every accepted set shares. "
            f"Environments: {', '.join(e.name for e in envs)}.",
        )


def _score_metrics(scores: pd.DataFrame, family: str, target: str) -> None:
    """Each kind's typical error on fresh cases, one metric each (the Models page's)."""
    rows = scores[(scores["test"] == scores["test"].iloc[0]) & (scores["family"] == family)]
    for column, row in zip(st.columns(2), rows.itertuples(index=False), strict=False):
        with column:
            kind_metric(
                row.kind,
                f"lesson_{row.kind}",
                row.model,
                format_number(row.rmse),
                help=f"Typical error (RMSE) predicting {target} on fresh cases; R² {row.r2:.2f}.",
                border=True,
            )


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
        _class_summary(lesson, live.code)
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


def _class_summary(lesson: Lesson, code: str) -> None:
    """How the room did at each question: how many answered, how many matched the lab."""
    lines = []
    try:
        store = class_store()
        for i, s in enumerate(lesson.steps, start=1):
            if s.predict is None:
                continue
            tally = store.tally(code, i)
            truth = answer(s.predict, view_numbers(lesson, i))
            right = matched(s.predict, tally.answers, truth)
            share = f" ({right / tally.answered:.0%})" if tally.answered else ""
            lines.append(
                f"- **{i} · {s.title}**: {tally.answered} answered, {right} matched the lab{share}"
            )
    except ClassError as exc:
        st.caption(f"The class's answers cannot be read: {exc}")
        return
    if lines:
        st.markdown("**The room, question by question:**\n" + "\n".join(lines))


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
            ask = st.container()
            if live is None:
                _guess_widget(lesson, step, pred)
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
            if present and s.page == "Invariance":
                # ICP's sets need a projector's whole width, which the room takes here;
                # the answer above names what ICP found
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
    teach = moved(teach_state(), by, len(lesson.steps))
    _go(lesson, teach.step)


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
            sid, n, seed = state.scenario, state.n, state.seed
            figures: list[Any] = []
            if s.page == "Interventions":
                choice = choose(state, sc)
                key = interventions_key(choice.applied)
                figures.append(
                    Plot(
                        compute.bars_figure(sid, n, seed, choice.test, key, choice.applied),
                        f"Typical error of every model before and after: {choice.test}.",
                    )
                )
            elif s.page == "Data" and s.predict is not None and s.predict.columns:
                figures.append(Plot(compute.pairs_figure(sid, n, seed, tuple(s.predict.columns))))
            elif s.page == "Invariance":
                envs = state_environments(sc, sid, n, state.envs)
                figures.append(
                    Plot(iv.result_figure(sid, seed, iv.env_key(envs), state.alpha, envs))
                )
            elif s.page == "Attribution":
                figures.append(Plot(*_attribution_figure(state, s.predict is not None)))
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
    words = f"{step.page}: {state.n:,} rows, seed {state.seed}"
    if step.page == "Interventions":
        what = state.preset if state.preset != "custom" else f"{state.kind} on {state.node}"
        words += f", {what} at {state.strength:.0%}"
    elif step.page == "Attribution":
        words = (
            f"Attribution: ρ = {state.rho:g}, {state.pair_n:,} rows, seed {state.seed}, "
            f"{state.drive}, ε = {state.epsilon:.0%}"
        )
    elif step.page == "Invariance":
        envs = (
            "the world's starting environments"
            if state.envs is None
            else (", ".join(row[0] for row in state.envs))
        )
        words += f", α = {state.alpha:g}, environments: {envs}"
    return words


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


def _class_controls(lesson: Lesson, step: int) -> None:
    """Start a live class of this lesson, or, during one, its code, the teacher's
    secret link and the way to end it."""
    live = teaching(lesson.id)
    other = teacher()
    if live is None and other is not None:  # one class at a time: never lose a running one
        with st.container(border=True, key="class_controls"):
            what, end = st.columns([5, 2], vertical_alignment="center")
            what.markdown(
                f"You are running the live class **{spaced(other.code)}** of another lesson "
                f"(`{other.lesson}`). End it to start one of this lesson."
            )
            end.button(
                "End that class",
                key="class_end_other",
                icon=":material/stop_circle:",
                on_click=end_class,
                args=(other.lesson,),
                width="stretch",
            )
        return
    if live is None:
        st.button(
            "Start a live class",
            key="class_start",
            icon=":material/groups:",
            on_click=start_class,
            args=(lesson.id, len(lesson.steps), step),
            help="Students join from their phones with a code or a QR code, nothing that "
            "names them. They answer each question; you see the room's answers, and your "
            "steps and reveals reach their screens.",
        )
        return
    with st.container(border=True, key="class_controls"):
        what, secret, end = st.columns([3, 2, 2], vertical_alignment="center")
        what.markdown(
            f"**Live class {spaced(live.code)}**: the students' screens follow your steps "
            "and reveals."
        )
        with secret.popover("Teacher link", icon=":material/key:", width="stretch"):
            st.markdown(
                "A link that hands this class to another browser (a laptop at the "
                "front, or this one after a reload). It works **once, within 10 minutes**; "
                "the browser that opens it runs the class, and this one lets go. "
                "**Do not show it on the projector.**"
            )
            st.button(
                "Make a teacher link",
                key="class_make_link",
                icon=":material/key:",
                on_click=make_teacher_link,
                args=(lesson.id,),
            )
            secret_made = teacher_link(live.code)
            if secret_made is not None:
                base, _ = class_link(live.code)
                st.code(teacher_url(base, lesson.id, step, live.code, secret_made), language=None)
        end.button(
            "End the class",
            key="class_end",
            icon=":material/stop_circle:",
            on_click=end_class,
            args=(lesson.id,),
            help="Students see that the class has ended; their answers are deleted.",
            width="stretch",
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
    st.html(_KEYS_JS, unsafe_allow_javascript=True)
    with st.container(key="lesson_body"):
        if step == 0:
            _start(lesson, teach.present)
        elif step == last:
            _end(lesson, teach.present)
        else:
            _step(lesson, step, teach.present)
    _nav(lesson, step, teach.present)
    if not teach.present:
        _class_controls(lesson, step)
        _controls(lesson)
