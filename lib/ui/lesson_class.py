"""The teacher's side of a live class on the Lessons page: its controls and its summary.

Start a class of the lesson (one at a time: a running class of another lesson is
never lost), its code, the teacher's single-use link and the way to end it; at
the lesson's end, how the room did at each question.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from lib.errors import ClassError
from lib.live.join import spaced, teacher_url
from lib.live.room import matched
from lib.teach.lessons import Lesson, ViewNumbers, answer
from lib.ui.live import (
    class_store,
    end_class,
    make_teacher_link,
    start_class,
    teacher,
    teacher_link,
    teaching,
)
from lib.ui.room_views import class_link

__all__ = ["class_controls", "class_summary"]


def class_summary(lesson: Lesson, code: str, numbers: Callable[[Lesson, int], ViewNumbers]) -> None:
    """How the room did at each question: how many answered, how many matched the lab
    (``numbers(lesson, step)``: the lab's numbers at a step, which its answer reads)."""
    lines = []
    try:
        store = class_store()
        for i, s in enumerate(lesson.steps, start=1):
            if s.predict is None:
                continue
            tally = store.tally(code, i)
            truth = answer(s.predict, numbers(lesson, i))
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


def class_controls(lesson: Lesson, step: int) -> None:
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
