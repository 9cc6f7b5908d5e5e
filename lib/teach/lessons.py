"""Lessons: steps that set a view, ask the learner to predict, then reveal.

A lesson is a TOML file in ``data/lessons/`` (format: ``docs/lesson-format.md``)
that a teacher can write without Python. Each step names a page and a view of
the lab (the same parameters as the address bar), a short text, and
optionally a **prediction** the learner commits to while the answer stays
hidden. The answer is never typed into the file: it is computed from the
lab's own numbers at that view (:func:`answer`, fed a :class:`ViewNumbers`),
so a lesson stays right when a scenario's equations change. Optional
questions, asked before and again after the lesson, show the learner what
changed in their own answers.

>>> lesson = load_lesson("tylenol")
>>> lesson.scenario, len(lesson.steps) >= 3
('ldopa', True)
>>> [s.page for s in lesson.steps][:2]
['Models', 'Interventions']
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from lib.errors import LessonError, did_you_mean
from lib.text.numbers import format_number
from lib.words.narration import BROKE_RATIO, HELD_RATIO, verdict

__all__ = [
    "LESSON_DIR",
    "MEASURES",
    "PAGES",
    "VIEW_KEYS",
    "Answer",
    "Lesson",
    "Prediction",
    "Question",
    "Step",
    "ViewNumbers",
    "answer",
    "judge",
    "lesson_from_toml",
    "lesson_problems",
    "list_lessons",
    "load_lesson",
    "number_range",
    "options",
]

#: Where the built-in lessons live.
LESSON_DIR = Path(__file__).resolve().parents[2] / "data" / "lessons"
#: The link parameters a step's view may set (those the lab's pages read).
VIEW_KEYS = (
    "n",
    "seed",
    "preset",
    "node",
    "kind",
    "amount",
    "equation",
    "strength",
    "family",
    "alpha",
    "envs",
    "sweep",
    "sweep_strength",
    "bend",
    "reps",
    "rho",
    "b_effect",
    "pair_n",
    "epsilon",
    "drive",
    "credit",
)
#: Pages a step may show.
PAGES = ("Data", "Models", "Interventions", "Invariance", "Attribution")
#: What a prediction may ask, and the kind of answer the learner gives.
MEASURES: dict[str, str] = {
    "better_model": "choice",  # which model predicts better before any change (Models)
    "verdict": "choice",  # does this model hold or break under the intervention
    "ratio": "number",  # how many times this model's error grows
    "r2": "number",  # this model's R² on fresh cases of the training world
    "correlation": "number",  # the correlation of two columns in the sample (Data)
    "icp_causes": "set",  # which variables ICP names as causes (Invariance)
}
#: Which page can compute each measure.
_MEASURE_PAGES = {
    "better_model": ("Models", "Interventions"),
    "verdict": ("Interventions", "Attribution"),
    "ratio": ("Interventions", "Attribution"),
    "r2": ("Models", "Interventions"),
    "correlation": ("Data", "Models", "Interventions"),
    "icp_causes": ("Invariance",),
}
_KINDS = ("predictive", "causal")
_FAMILIES = ("linear", "trees")
_ID_RE = re.compile(r"[a-z][a-z0-9_-]{0,39}")
_MAX_STEPS = 20
_MAX_TEXT = 4000
_TOP = {"id", "title", "scenario", "summary", "minutes", "order", "questions", "steps", "closing"}
_STEP = {"title", "page", "view", "text", "predict", "reveal"}
_PREDICT = {"measure", "question", "model", "family", "columns"}
_QUESTION = {"text", "choices", "note"}
#: Within what a numeric guess counts as close.
RATIO_CLOSE = 1.5  # a factor either way
LEVEL_CLOSE = 0.15  # an R² or a correlation
#: Two models "predict about the same" when their errors differ by less than this share.
SAME_SHARE = 0.05
#: "Nothing": ICP names no variable.
NOTHING = "nothing"

VERDICT_OPTIONS = {
    "held": f"It holds (error ×{HELD_RATIO:g} or less)",
    "degraded": "It gets somewhat worse",
    "broke": f"It breaks (error ×{BROKE_RATIO:g} or more)",
}
BETTER_OPTIONS = {
    "predictive": "The predictive model",
    "causal": "The causal model",
    "same": "About the same",
}


@dataclass(frozen=True)
class Prediction:
    """What the learner commits to before the reveal.

    Attributes
    ----------
    measure : str
        One of :data:`MEASURES`.
    question : str
        The question, as the learner reads it (Markdown).
    model : str
        ``"predictive"`` or ``"causal"``: the model a ``verdict``, ``ratio`` or
        ``r2`` is about.
    family : str
        ``"linear"`` or ``"trees"``.
    columns : tuple of str
        The two columns of a ``correlation``.
    """

    measure: str
    question: str
    model: str = "predictive"
    family: str = "linear"
    columns: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        """``"choice"``, ``"number"`` or ``"set"``: how the learner answers."""
        return MEASURES[self.measure]


@dataclass(frozen=True)
class Step:
    """One screen of a lesson.

    Attributes
    ----------
    title, text : str
        A short title and Markdown text.
    page : str
        The page whose view the step shows (one of :data:`PAGES`).
    view : mapping of str to str
        Address-bar parameters of that view (``seed``, ``n``, ``preset``,
        ``strength``...); the lesson's scenario is added.
    predict : Prediction or None
    reveal : str
        Markdown shown with the answer: what happened and why.
    """

    title: str
    page: str
    view: Mapping[str, str]
    text: str
    predict: Prediction | None = None
    reveal: str = ""


@dataclass(frozen=True)
class Question:
    """A question asked before and again after the lesson (no right answer is typed).

    ``note`` is shown after the second answer: what the lesson suggests.
    """

    text: str
    choices: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class Lesson:
    """A lesson: a scenario, steps and optional before/after questions."""

    id: str
    title: str
    scenario: str
    summary: str
    steps: tuple[Step, ...]
    questions: tuple[Question, ...] = ()
    minutes: int = 10
    order: int = 100
    closing: str = ""

    def view(self, index: int) -> dict[str, str]:
        """The address-bar parameters of step ``index`` (the scenario included)."""
        return {"scenario": self.scenario, **self.steps[index].view}


@dataclass(frozen=True)
class ViewNumbers:
    """The lab's numbers at one view, as the page shows them.

    Attributes
    ----------
    names : mapping of (kind, family) to str
        Each model's display name.
    ratios : DataFrame, optional
        Per model: ``model, kind, before, after, ratio`` (the Interventions page).
    scores : DataFrame, optional
        Per model on fresh cases of the training world: ``model, kind, rmse, r2``.
    sample : DataFrame, optional
        The training sample (correlations).
    icp_causes : frozenset of str, optional
        The variables ICP names at the view (empty: none).
    """

    names: Mapping[tuple[str, str], str] = field(default_factory=dict)
    ratios: pd.DataFrame | None = None
    scores: pd.DataFrame | None = None
    sample: pd.DataFrame | None = None
    icp_causes: frozenset[str] | None = None


@dataclass(frozen=True)
class Answer:
    """The lab's answer: its value and one sentence that says it."""

    value: Any
    text: str


# ----------------------------------------------------------------------------- reading


def _need(table: Mapping[str, Any], key: str, where: str, lesson: str) -> Any:
    if key not in table:
        raise LessonError(f"{where}: `{key}` is missing.", name=lesson)
    return table[key]


def _text(value: Any, where: str, lesson: str, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise LessonError(f"{where} must be text.", name=lesson)
    if len(value) > _MAX_TEXT:
        raise LessonError(f"{where} is longer than {_MAX_TEXT} characters.", name=lesson)
    return value.strip()


def _unknown(table: Mapping[str, Any], allowed: set[str], where: str, lesson: str) -> None:
    for key in table:
        if key not in allowed:
            raise LessonError(
                f"{where}: unknown field `{key}`{did_you_mean(key, allowed)}.",
                name=lesson,
                allowed="Allowed: " + ", ".join(f"`{a}`" for a in sorted(allowed)) + ".",
            )


def _prediction(raw: Any, where: str, lesson: str) -> Prediction:
    if not isinstance(raw, Mapping):
        raise LessonError(f"{where}: `predict` must be a table.", name=lesson)
    _unknown(raw, _PREDICT, where, lesson)
    measure = _need(raw, "measure", where, lesson)
    if not isinstance(measure, str) or measure not in MEASURES:
        raise LessonError(
            f"{where}: unknown measure `{measure}`{did_you_mean(str(measure), MEASURES)}.",
            name=lesson,
            allowed="Allowed: " + ", ".join(f"`{m}`" for m in MEASURES) + ".",
        )
    model = raw.get("model", "predictive")
    family = raw.get("family", "linear")
    if model not in _KINDS:
        raise LessonError(f"{where}: `model` is `predictive` or `causal`.", name=lesson)
    if family not in _FAMILIES:
        raise LessonError(f"{where}: `family` is `linear` or `trees`.", name=lesson)
    columns = raw.get("columns", ())
    if not isinstance(columns, list | tuple):
        raise LessonError(f"{where}: `columns` is a list of two column names.", name=lesson)
    columns = tuple(columns)
    if measure == "correlation" and (
        len(columns) != 2 or not all(isinstance(c, str) for c in columns)
    ):
        raise LessonError(f"{where}: a correlation needs two `columns`.", name=lesson)
    question = _text(_need(raw, "question", where, lesson), f"{where}: `question`", lesson)
    return Prediction(measure, question, model, family, columns)


def _step(raw: Any, i: int, lesson: str) -> Step:
    where = f"lesson `{lesson}`, step {i + 1}"
    if not isinstance(raw, Mapping):
        raise LessonError(f"{where} must be a table.", name=lesson)
    _unknown(raw, _STEP, where, lesson)
    page = _need(raw, "page", where, lesson)
    if page not in PAGES:
        raise LessonError(
            f"{where}: unknown page `{page}`{did_you_mean(str(page), PAGES)}.",
            name=lesson,
            allowed="Allowed: " + ", ".join(f"`{p}`" for p in PAGES) + ".",
        )
    view = raw.get("view", {})
    if not isinstance(view, Mapping):
        raise LessonError(f"{where}: `view` must be a table of link parameters.", name=lesson)
    if "scenario" in view or "source" in view:
        raise LessonError(f"{where}: a step's view cannot change the world.", name=lesson)
    for key in view:
        if key not in VIEW_KEYS:
            raise LessonError(
                f"{where}: `view` has an unknown parameter `{key}`{did_you_mean(str(key), VIEW_KEYS)}.",
                name=lesson,
                allowed="Allowed: " + ", ".join(f"`{k}`" for k in VIEW_KEYS) + ".",
            )
    predict = _prediction(raw["predict"], where, lesson) if "predict" in raw else None
    if predict is not None and page not in _MEASURE_PAGES[predict.measure]:
        raise LessonError(
            f"{where}: `{predict.measure}` is not shown on the {page} page.",
            name=lesson,
            allowed="It is shown on: " + ", ".join(_MEASURE_PAGES[predict.measure]) + ".",
        )
    return Step(
        title=_text(_need(raw, "title", where, lesson), f"{where}: `title`", lesson),
        page=page,
        view={str(k): _view_value(v) for k, v in view.items()},
        text=_text(raw.get("text", ""), f"{where}: `text`", lesson, empty=True),
        predict=predict,
        reveal=_text(raw.get("reveal", ""), f"{where}: `reveal`", lesson, empty=True),
    )


def _view_value(value: Any) -> str:
    """A view's value as the address bar holds it."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def _question(raw: Any, i: int, lesson: str) -> Question:
    where = f"lesson `{lesson}`, question {i + 1}"
    if not isinstance(raw, Mapping):
        raise LessonError(f"{where} must be a table.", name=lesson)
    _unknown(raw, _QUESTION, where, lesson)
    choices = raw.get("choices")
    if (
        not isinstance(choices, list)
        or not 2 <= len(choices) <= 6
        or not all(isinstance(c, str) and c.strip() for c in choices)
        or len(set(choices)) != len(choices)
    ):
        raise LessonError(f"{where}: `choices` must be 2 to 6 different texts.", name=lesson)
    return Question(
        text=_text(_need(raw, "text", where, lesson), f"{where}: `text`", lesson),
        choices=tuple(c.strip() for c in choices),
        note=_text(raw.get("note", ""), f"{where}: `note`", lesson, empty=True),
    )


def lesson_from_toml(text: str, source: str = "lesson") -> Lesson:
    """Read and validate a lesson from TOML text.

    Checks the file's own fields; whether its views and columns fit the
    scenario is checked against the scenario by the lab (a test runs every
    built-in lesson).

    Raises
    ------
    lib.errors.LessonError
        With the step and field at fault.
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LessonError(f"{source}: not valid TOML ({exc}).", name=source) from None
    try:
        return _lesson(raw, source)
    except LessonError:
        raise
    except (TypeError, ValueError, AttributeError) as exc:  # a field of the wrong type
        raise LessonError(f"{source}: a field has the wrong type ({exc}).", name=source) from None


def _lesson(raw: Mapping[str, Any], source: str) -> Lesson:
    lesson = str(raw.get("id", source))
    if not _ID_RE.fullmatch(lesson):
        raise LessonError(
            f"{source}: `id` must be lower-case letters, digits, - or _.", name=source
        )
    _unknown(raw, _TOP, f"lesson `{lesson}`", lesson)
    steps = raw.get("steps")
    if not isinstance(steps, list) or not 1 <= len(steps) <= _MAX_STEPS:
        raise LessonError(f"lesson `{lesson}`: 1 to {_MAX_STEPS} `[[steps]]`.", name=lesson)
    questions = raw.get("questions", [])
    if not isinstance(questions, list) or len(questions) > 6:
        raise LessonError(f"lesson `{lesson}`: at most 6 `[[questions]]`.", name=lesson)
    order = raw.get("order", 100)
    if not isinstance(order, int) or isinstance(order, bool):
        raise LessonError(f"lesson `{lesson}`: `order` is a whole number.", name=lesson)
    minutes = raw.get("minutes", 10)
    if not isinstance(minutes, int) or not 1 <= minutes <= 120:
        raise LessonError(f"lesson `{lesson}`: `minutes` is a whole number, 1 to 120.", name=lesson)
    return Lesson(
        id=lesson,
        title=_text(_need(raw, "title", f"lesson `{lesson}`", lesson), "`title`", lesson),
        scenario=_text(_need(raw, "scenario", f"lesson `{lesson}`", lesson), "`scenario`", lesson),
        summary=_text(raw.get("summary", ""), "`summary`", lesson, empty=True),
        steps=tuple(_step(s, i, lesson) for i, s in enumerate(steps)),
        questions=tuple(_question(q, i, lesson) for i, q in enumerate(questions)),
        minutes=minutes,
        order=order,
        closing=_text(raw.get("closing", ""), "`closing`", lesson, empty=True),
    )


@lru_cache(maxsize=32)
def _load(path: str, mtime: float) -> Lesson:
    return lesson_from_toml(Path(path).read_text(encoding="utf-8"), Path(path).stem)


def load_lesson(lesson_id: str, directory: Path = LESSON_DIR) -> Lesson:
    """A built-in lesson by id (re-read when its file changes)."""
    if not _ID_RE.fullmatch(lesson_id):
        raise LessonError(f"There is no lesson `{lesson_id}`.", name=lesson_id)
    path = directory / f"{lesson_id}.toml"
    if not path.is_file():
        known = [p.stem for p in directory.glob("*.toml")]
        raise LessonError(
            f"There is no lesson `{lesson_id}`{did_you_mean(lesson_id, known)}.", name=lesson_id
        )
    return _load(str(path), path.stat().st_mtime)


def lesson_problems(directory: Path = LESSON_DIR) -> dict[str, str]:
    """Each lesson file that cannot be read, and why (the Lessons page shows them)."""
    problems = {}
    for path in sorted(directory.glob("*.toml")):
        try:
            load_lesson(path.stem, directory)
        except LessonError as exc:
            problems[path.name] = str(exc)
    return problems


def list_lessons(directory: Path = LESSON_DIR) -> list[str]:
    """Ids of the built-in lessons that can be read, in their ``order``."""
    found = []
    for path in directory.glob("*.toml"):
        try:
            found.append(load_lesson(path.stem, directory))
        except LessonError:
            continue
    return [lesson.id for lesson in sorted(found, key=lambda x: (x.order, x.title))]


# ----------------------------------------------------------------------------- answers


def options(pred: Prediction, features: Sequence[str] = ()) -> tuple[str, ...]:
    """What the learner chooses from (empty for a number).

    ``features`` are the candidates of an ``icp_causes`` question.
    """
    if pred.measure == "verdict":
        return tuple(VERDICT_OPTIONS)
    if pred.measure == "better_model":
        return tuple(BETTER_OPTIONS)
    if pred.measure == "icp_causes":
        return (*features, NOTHING)
    return ()


def number_range(pred: Prediction) -> tuple[float, float, float]:
    """The lowest and highest number a learner may give, and the widget's step.

    >>> number_range(Prediction("correlation", "?", columns=("a", "b")))
    (-1.0, 1.0, 0.05)
    """
    if pred.measure == "correlation":
        return -1.0, 1.0, 0.05
    if pred.measure == "r2":
        return 0.0, 1.0, 0.05
    return 0.0, 1000.0, 0.5  # a ratio of errors


def option_label(pred: Prediction, value: str) -> str:
    """How an option reads."""
    if pred.measure == "verdict":
        return VERDICT_OPTIONS.get(value, value)
    if pred.measure == "better_model":
        return BETTER_OPTIONS.get(value, value)
    if pred.measure == "icp_causes" and value == NOTHING:
        return "Nothing: no variable is named"
    return value


def _row(table: pd.DataFrame | None, name: str, what: str) -> pd.Series:
    if table is None or name not in set(table["model"]):
        raise LessonError(f"The {what} for `{name}` are not computed at this view.")
    return table[table["model"] == name].iloc[0]


def _sets(names: frozenset[str]) -> str:
    return ", ".join(f"`{n}`" for n in sorted(names)) if names else "nothing"


def answer(pred: Prediction, numbers: ViewNumbers) -> Answer:
    """The lab's answer to a prediction, from its numbers at the step's view."""
    name = numbers.names.get((pred.model, pred.family), f"{pred.family} {pred.model}")
    if pred.measure in ("verdict", "ratio"):
        row = _row(numbers.ratios, name, "errors")
        ratio = float(row["ratio"])
        said = verdict(ratio)
        text = (
            f"**{name}**: its error went from {format_number(float(row['before']))} to "
            f"{format_number(float(row['after']))}, ×{ratio:.2f}: it **{said}**."
        )
        return Answer(said if pred.measure == "verdict" else ratio, text)
    if pred.measure == "r2":
        row = _row(numbers.scores, name, "scores")
        r2 = float(row["r2"])
        return Answer(r2, f"**{name}** explains R² = {r2:.2f} of the target on fresh cases.")
    if pred.measure == "better_model":
        p = numbers.names.get(("predictive", pred.family), "")
        c = numbers.names.get(("causal", pred.family), "")
        rp = float(_row(numbers.scores, p, "scores")["rmse"])
        rc = float(_row(numbers.scores, c, "scores")["rmse"])
        if abs(rp - rc) <= SAME_SHARE * max(rp, rc):
            value = "same"
        else:
            value = "predictive" if rp < rc else "causal"
        text = (
            f"Typical error on fresh cases: **{p}** {format_number(rp)}, "
            f"**{c}** {format_number(rc)}."
        )
        return Answer(value, text)
    if pred.measure == "correlation":
        if numbers.sample is None:
            raise LessonError("The sample is not computed at this view.")
        a, b = pred.columns
        r = float(numbers.sample[a].corr(numbers.sample[b]))
        return Answer(r, f"The correlation of `{a}` and `{b}` in the sample is **{r:+.2f}**.")
    if pred.measure == "icp_causes":
        if numbers.icp_causes is None:
            raise LessonError("ICP is not computed at this view.")
        causes = frozenset(numbers.icp_causes)
        return Answer(causes, f"ICP names **{_sets(causes)}**.")
    raise LessonError(f"Unknown measure `{pred.measure}`.")  # pragma: no cover - validated


def judge(pred: Prediction, truth: Answer, guess: Any) -> tuple[bool, str]:
    """Whether the learner's guess matches the lab's answer, and a sentence that says so."""
    if pred.kind == "number":
        g = float(guess)
        t = float(truth.value)
        if pred.measure == "ratio":
            close = g > 0 and t > 0 and abs(math.log(g / t)) <= math.log(RATIO_CLOSE)
            said = f"×{g:g}"
            limit = f"within a factor of {RATIO_CLOSE:g}"
        else:
            close = abs(g - t) <= LEVEL_CLOSE
            said = f"{g:+.2f}" if pred.measure == "correlation" else f"{g:.2f}"
            limit = f"within {LEVEL_CLOSE:g}"
        if close:
            return True, f"You said {said}: close ({limit})."
        return False, f"You said {said}: not within {limit.removeprefix('within ')}."
    if pred.kind == "set":
        picked = frozenset(guess) - {NOTHING}
        right = picked == frozenset(truth.value)
        return right, f"You said {_sets(picked)}." + (" Right." if right else " Not quite.")
    right = guess == truth.value
    return right, f"You said: {option_label(pred, str(guess)).lower()}." + (
        " Right." if right else " Not what happened."
    )
