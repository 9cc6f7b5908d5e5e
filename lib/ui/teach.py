"""Where a learner is in a lesson, and whether the lab is presenting: in the link.

Pure functions, no Streamlit, like :mod:`lib.ui.params`. The lesson and its
step are in the Lessons page's link (``lesson=tylenol&step=2``), and
``present=1`` on every page, so a copied link reopens the same screen, on a
projector too. Step 0 is a lesson's start (its questions before), steps 1 to
N its steps, N + 1 its end (the same questions again).

>>> state, notices = parse_teach({"lesson": "tylenol", "step": "2", "present": "1"}, {"tylenol": 4})
>>> state, notices
(TeachState(lesson='tylenol', step=2, present=True), [])
>>> teach_query(state, "Lessons")
{'lesson': 'tylenol', 'step': '2', 'present': '1'}
>>> teach_query(state, "Models")
{'present': '1'}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

__all__ = ["TeachState", "parse_teach", "teach_query", "moved"]


@dataclass(frozen=True)
class TeachState:
    """The lesson shown on the Lessons page, its step, and the presenter view.

    Attributes
    ----------
    lesson : str
        A lesson id, or ``""`` for the list of lessons.
    step : int
        0 (the start), 1 to N (a step), N + 1 (the end).
    present : bool
        The presenter view: no sidebar, large type, one idea per screen.
    """

    lesson: str = ""
    step: int = 0
    present: bool = False


def _last(value: Any) -> str | None:
    if isinstance(value, list | tuple):
        value = value[-1] if value else None
    return None if value is None else str(value).strip()


def parse_teach(raw: Mapping[str, Any], lessons: Mapping[str, int]) -> tuple[TeachState, list[str]]:
    """Read ``lesson``, ``step`` and ``present`` from a link.

    Parameters
    ----------
    raw : mapping
        The query parameters.
    lessons : mapping of str to int
        Each lesson's id and number of steps.

    Returns
    -------
    state : TeachState
    notices : list of str
        One sentence per bad parameter (it falls back to its default).
    """
    notices: list[str] = []
    present = _last(raw.get("present"))
    on = present in ("1", "true", "yes")
    if present is not None and present not in ("0", "1", "true", "false", "yes", "no", ""):
        notices.append(f"Link parameter `present={present[:20]!r}` is not 1 or 0; using 0.")
    lesson = _last(raw.get("lesson")) or ""
    if lesson and lesson not in lessons:
        notices.append(
            f"Link parameter `lesson={lesson[:40]!r}` is not a lesson "
            f"(lessons: {', '.join(lessons)}); showing the list of lessons."
        )
        lesson = ""
    step = 0
    value = _last(raw.get("step"))
    if lesson and value is not None:
        last = lessons[lesson] + 1
        if value.isdigit() and 0 <= int(value) <= last:
            step = int(value)
        else:
            notices.append(
                f"Link parameter `step={value[:20]!r}` is not a step from 0 to {last}; "
                "starting at the lesson's start."
            )
    return TeachState(lesson, step, on), notices


def teach_query(state: TeachState, page: str | None) -> dict[str, str]:
    """The link parameters of ``state`` on ``page`` (the lesson only on the Lessons page)."""
    out: dict[str, str] = {}
    if page == "Lessons" and state.lesson:
        out["lesson"] = state.lesson
        out["step"] = str(state.step)
    if state.present:
        out["present"] = "1"
    return out


def moved(state: TeachState, by: int, steps: int) -> TeachState:
    """The state ``by`` steps on (clipped to the lesson's start and end)."""
    return replace(state, step=min(max(state.step + by, 0), steps + 1))
