"""A live class in the session: the shared store, who this browser is, and the link.

The store (:mod:`lib.live.store`) is shared by every session of a worker and,
through its database, by every worker. A session is at most one class's
**teacher** (it holds the class's secret token, never in the address bar) and
one class's **student** (an anonymous seat, in the Class page's link so that a
reloaded phone keeps its seat). The teacher's secret link
(``/Lessons?...&class=K7QX4M&handover=...``) hands the controls to another
browser: it works once, within minutes, and gives that browser a new token (the
first browser lets go), so a copy left in a browser's history opens nothing.
"""

from __future__ import annotations

import contextlib
import functools
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from lib.errors import ClassError
from lib.live.settings import HOURS_ENV, URL_ENV, LiveSettings, load_settings
from lib.live.store import ClassInfo, ClassStore, normalise_code, open_store

__all__ = [
    "SETTINGS_FILE",
    "Seat",
    "Teacher",
    "class_info",
    "class_moved",
    "class_problem",
    "class_revealed",
    "class_store",
    "end_class",
    "forget_student",
    "forget_teacher",
    "live_query",
    "make_teacher_link",
    "read_live_link",
    "set_student",
    "set_teacher",
    "start_class",
    "student",
    "taken_over",
    "teacher",
    "teacher_link",
    "teaching",
]

#: The live class's settings (the store's address, how long a class lives).
SETTINGS_FILE = Path(__file__).resolve().parents[2] / ".streamlit" / "live.toml"
_TEACHER_KEY = "lab_live_teacher"
_STUDENT_KEY = "lab_live_student"
_LINK_READ = "lab_live_link_read"  # pages whose link this session has read
_PROBLEM_KEY = "lab_live_problem"  # a message about the class, shown once
_HANDOVER_KEY = "lab_live_handover"  # (code, secret) of the last teacher link made
_TAKEN_KEY = "lab_live_taken"  # (lesson, step) of a class taken over by a teacher link


@dataclass(frozen=True)
class Teacher:
    """This session runs class ``code`` of lesson ``lesson`` with the secret ``token``."""

    code: str
    token: str
    lesson: str


@dataclass(frozen=True)
class Seat:
    """This session is a student of class ``code`` in seat ``seat`` (``""``: not seated yet)."""

    code: str
    seat: str = ""


@st.cache_resource(show_spinner=False)
def _store(url: str, hours: float) -> ClassStore:
    return open_store(url, hours=hours)


def _settings() -> LiveSettings:
    """The settings, read again only when the environment or the file changed (every
    student's screen asks for the store once a second)."""
    try:
        mtime: float | None = SETTINGS_FILE.stat().st_mtime
    except OSError:
        mtime = None
    return _read_settings(os.environ.get(URL_ENV), os.environ.get(HOURS_ENV), mtime)


@functools.lru_cache(maxsize=8)
def _read_settings(url: str | None, hours: str | None, mtime: float | None) -> LiveSettings:
    given = {URL_ENV: url, HOURS_ENV: hours}
    return load_settings(SETTINGS_FILE, {k: v for k, v in given.items() if v is not None})


def class_store() -> ClassStore:
    """The worker's store of live classes, from the settings.

    Raises
    ------
    lib.errors.ClassError
        When the settings are wrong or the store cannot be opened.
    """
    settings = _settings()
    try:
        store = _store(settings.url, settings.hours)
        _purge_now_and_then(store)
        return store
    except ClassError:
        raise
    except Exception as exc:  # the database's own errors: a server down, a path not writable
        raise ClassError(
            f"The live-class store cannot be opened ({type(exc).__name__}: {exc}). "
            "Check `LAB_CLASS_STORE` or `.streamlit/live.toml` (docs/deployment.md)."
        ) from exc


#: How often a worker deletes expired classes with their answers (s).
PURGE_EVERY_S = 60.0
_purged: dict[int, float] = {}


def _purge_now_and_then(store: ClassStore) -> None:
    """Delete expired classes and their answers, at most once a minute per store: an
    expired class's answers go within a minute of the lab's next use, not only when
    a new class starts."""
    now = time.monotonic()
    if now - _purged.get(id(store), -PURGE_EVERY_S) >= PURGE_EVERY_S:
        _purged[id(store)] = now
        with contextlib.suppress(ClassError):  # a busy moment: the next minute's purge
            store.purge()


def teacher() -> Teacher | None:
    """The class this session teaches, if any."""
    return st.session_state.get(_TEACHER_KEY)


def set_teacher(value: Teacher) -> None:
    st.session_state[_TEACHER_KEY] = value


def forget_teacher() -> None:
    st.session_state.pop(_TEACHER_KEY, None)


def student() -> Seat | None:
    """The class this session attends, if any."""
    return st.session_state.get(_STUDENT_KEY)


def set_student(value: Seat) -> None:
    st.session_state[_STUDENT_KEY] = value


def forget_student() -> None:
    st.session_state.pop(_STUDENT_KEY, None)


def _last(value: Any) -> str:
    if isinstance(value, list | tuple):
        value = value[-1] if value else ""
    return str(value or "").strip()[:64]


def read_live_link(page: str) -> None:
    """Read the class parameters of the address bar, on a session's first run of
    ``page`` (before the address bar is rewritten; later runs hold what the
    session wrote there).

    On the Class page ``code`` (and ``seat``) make this session a student of
    that class. On the Lessons page ``class`` and ``handover`` (a teacher link,
    :meth:`~lib.live.store.ClassStore.take_over`) make it the class's teacher; a
    used, old or wrong link only gets a notice.
    """
    read = st.session_state.setdefault(_LINK_READ, set())
    if page in read:  # later runs: the address bar holds what the session wrote
        return
    read.add(page)
    query = st.query_params
    if page == "Class" and "code" in query:
        # a code that cannot be one is kept as "" (never shown back as typed)
        code = normalise_code(_last(query.get("code"))) or ""
        seat = _last(query.get("seat"))
        mine = student()
        if mine is None or mine.code != code or (seat and seat != mine.seat):
            set_student(Seat(code, seat))
        return
    if page == "Lessons" and "handover" in query:
        code = normalise_code(_last(query.get("class"))) or ""
        secret = _last(query.get("handover"))
        try:
            info, token = class_store().take_over(code, secret)
        except ClassError as exc:
            # said on the Lessons page, above the lesson (a link's notices show on a list)
            st.session_state[_PROBLEM_KEY] = (
                f"This teacher link does not open a running class: {exc}"
                if code
                else "This teacher link does not open a running class."
            )
            return
        set_teacher(Teacher(info.code, token, info.lesson))
        # the lesson opens where the class is, not where the link was copied
        st.session_state[_TAKEN_KEY] = (info.lesson, info.step)


def taken_over() -> tuple[str, int] | None:
    """The lesson and step of a class whose controls a teacher link just gave this
    session (once), so the Lessons page shows where the class is."""
    return st.session_state.pop(_TAKEN_KEY, None)


def live_query(page: str) -> dict[str, str]:
    """The class parameters of ``page``'s link (a student's class and seat)."""
    mine = student()
    if page != "Class" or mine is None:
        return {}
    return {"code": mine.code, **({"seat": mine.seat} if mine.seat else {})}


# ----------------------------------------------------------------------------- the teacher's moves


def teaching(lesson_id: str) -> Teacher | None:
    """The class this session teaches with lesson ``lesson_id``, if any."""
    mine = teacher()
    return mine if mine is not None and mine.lesson == lesson_id else None


def start_class(lesson_id: str, steps: int, step: int) -> None:
    """Start a class of lesson ``lesson_id`` (``steps`` steps) at ``step`` (a callback)."""
    try:
        store = class_store()
        info, token = store.start(lesson_id, steps)
        if step:
            store.move(info.code, token, step)
    except ClassError as exc:
        st.session_state[_PROBLEM_KEY] = f"The class could not start: {exc}"
        return
    set_teacher(Teacher(info.code, token, lesson_id))


def _teacher_call(lesson_id: str, what: str, *args: Any) -> None:
    """``store.<what>(code, token, *args)`` for this session's class; a class that
    ended elsewhere (expired, closed in another browser) is forgotten, with a notice."""
    mine = teaching(lesson_id)
    if mine is None:
        return
    try:
        store = class_store()
        getattr(store, what)(mine.code, mine.token, *args)
    except ClassError as exc:
        gone = _class_gone(mine)
        if gone:
            forget_teacher()
            st.session_state[_PROBLEM_KEY] = f"The live class {mine.code} {gone}."
        else:  # a moment's trouble (the database busy): the class and its controls stay
            st.session_state[_PROBLEM_KEY] = (
                f"The live class {mine.code} did not follow that step: {exc} "
                "Move again to bring it along."
            )


def _class_gone(mine: Teacher) -> str:
    """How ``mine``'s class is gone from this browser (ended, expired, or run from
    another one), or ``""`` when it is not, or the store cannot say: a class is not
    given up on a hiccup."""
    try:
        store = class_store()
        info = store.info(mine.code)
        if info is None or info.closed:
            return "has ended"
        if not store.is_teacher(mine.code, mine.token):
            return "is run from another browser now (its teacher link was used)"
    except ClassError:
        pass
    return ""


def class_moved(lesson_id: str, step: int) -> None:
    """The teacher showed ``step``: the class follows."""
    _teacher_call(lesson_id, "move", step)


def class_revealed(lesson_id: str, step: int) -> None:
    """The teacher revealed ``step``'s answer: the class sees it."""
    _teacher_call(lesson_id, "reveal", step)


def end_class(lesson_id: str) -> None:
    """End this session's class: its answers are deleted, students see it ended.
    (If the store cannot be reached, the controls stay, to try again.)"""
    _teacher_call(lesson_id, "close")
    mine = teaching(lesson_id)
    if mine is not None and _class_gone(mine):
        forget_teacher()
        st.session_state.pop(_PROBLEM_KEY, None)  # ended as asked: nothing to warn about


def make_teacher_link(lesson_id: str) -> None:
    """Make a single-use teacher link for this session's class (a button's callback);
    :func:`teacher_link` gives it."""
    mine = teaching(lesson_id)
    if mine is None:
        return
    try:
        st.session_state[_HANDOVER_KEY] = (mine.code, class_store().handover(mine.code, mine.token))
    except ClassError as exc:
        st.session_state[_PROBLEM_KEY] = f"No teacher link could be made: {exc}"


def teacher_link(code: str) -> str | None:
    """The handover secret last made for class ``code`` in this session, if any."""
    made = st.session_state.get(_HANDOVER_KEY)
    return made[1] if made is not None and made[0] == code else None


def class_info(lesson_id: str) -> ClassInfo | None:
    """The store's view of this session's class of lesson ``lesson_id`` (its step and
    revealed steps), or ``None`` (no class, or the store cannot say just now)."""
    mine = teaching(lesson_id)
    if mine is None:
        return None
    try:
        return class_store().info(mine.code)
    except ClassError:
        return None


def class_problem() -> str | None:
    """A message about the class to show once (it could not start, it stopped)."""
    return st.session_state.pop(_PROBLEM_KEY, None)
