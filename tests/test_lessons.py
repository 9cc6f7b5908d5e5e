"""Lessons: the files, their views, the answers the lab computes, and the link.

Every built-in lesson is read, every step's view is checked against its world
(as a link would be: no notice), and every prediction's answer is computed
from the engine directly, the same numbers the pages show.
"""

from __future__ import annotations

import math

import pytest

from lib.errors import LessonError
from lib.figures import charts, style
from lib.fitting.experiments import compare_models, ratio_table, run_experiment
from lib.invariance import icp
from lib.teach.lessons import (
    MEASURES,
    NOTHING,
    Answer,
    Prediction,
    ViewNumbers,
    answer,
    judge,
    lesson_from_toml,
    list_lessons,
    load_lesson,
    options,
)
from lib.ui.invariance_sections import state_environments
from lib.ui.lab import choose
from lib.ui.params import ScenarioInfo, parse_query
from lib.ui.teach import TeachState, moved, parse_teach, teach_query
from lib.world.environments import ENV_COLUMN, pooled_sample
from lib.world.scenarios import list_scenarios, load_scenario

REQUIRED = {"tylenol", "confounder", "fever", "clinics", "detective"}
CATALOG = {sid: ScenarioInfo.from_scenario(load_scenario(sid)) for sid in list_scenarios()}


def engine_numbers(lesson_id: str, step: int) -> ViewNumbers:
    """The numbers at a step's view, straight from the engine (no Streamlit, no caches)."""
    lesson = load_lesson(lesson_id)
    s = lesson.steps[step - 1]
    state, notices = parse_query(lesson.view(step - 1), CATALOG)
    assert notices == []
    sc = load_scenario(state.scenario)
    exp = run_experiment(sc, state.n, state.seed)
    names = {(m.kind, m.family): m.name for m in exp.models}
    out: dict = {"names": names, "scores": exp.evaluate({})}
    if s.page == "Interventions":
        choice = choose(state, sc)
        out["ratios"] = ratio_table(exp.evaluate({choice.test: list(choice.applied)}), choice.test)
    out["sample"] = sc.scm.sample(state.n, state.seed)
    if s.page == "Invariance":
        envs = state_environments(sc, state.scenario, state.n, state.envs)
        df = pooled_sample(sc, envs, state.seed)
        res = icp(df, sc.target, ENV_COLUMN, state.alpha, candidates=list(sc.features))
        out["icp_causes"] = frozenset(res.causal_predictors)
    return ViewNumbers(**out)


def test_the_required_lessons_are_there_in_order() -> None:
    ids = list_lessons()
    assert set(ids) >= REQUIRED
    assert ids[0] == "tylenol"


@pytest.mark.parametrize("lesson_id", sorted(REQUIRED))
def test_every_step_fits_its_world_and_every_answer_is_computed(lesson_id: str) -> None:
    lesson = load_lesson(lesson_id)
    sc = load_scenario(lesson.scenario)
    assert lesson.summary and lesson.closing
    asked = 0
    for i, step in enumerate(lesson.steps, start=1):
        _, notices = parse_query(lesson.view(i - 1), CATALOG)
        assert notices == [], (lesson_id, i, notices)
        if step.predict is None:
            continue
        asked += 1
        for column in step.predict.columns:
            assert column in sc.scm.nodes, (lesson_id, i, column)
        truth = answer(step.predict, engine_numbers(lesson_id, i))
        assert truth.text
        if step.predict.kind == "choice":
            assert truth.value in options(step.predict, sc.features)
        elif step.predict.kind == "number":
            assert math.isfinite(truth.value)
    assert asked >= 3


def test_the_tylenol_answers_are_the_engines_ratios() -> None:
    """Step 3 asks for the predictive model's ratio: the same as compare_models gives."""
    lesson = load_lesson("tylenol")
    sc = load_scenario("ldopa")
    table = compare_models(sc, n=2000, seed=0, tests={"Tylenol": list(sc.presets["Tylenol"])})
    rmse = table.set_index(["model", "test"])["rmse"]
    name = "Linear · all features"
    expected = rmse[(name, "Tylenol")] / rmse[(name, "observational")]
    truth = answer(lesson.steps[1].predict, engine_numbers("tylenol", 2))
    assert truth.value == pytest.approx(expected, rel=1e-12)
    assert truth.value > 3  # the headache model breaks ...
    held = answer(lesson.steps[2].predict, engine_numbers("tylenol", 3))
    assert held.value == "held"  # ... and the causal one holds


def test_a_correlation_answer_is_numpys() -> None:
    numbers = engine_numbers("confounder", 1)
    pred = load_lesson("confounder").steps[0].predict
    a, b = pred.columns
    truth = answer(pred, numbers)
    x, y = numbers.sample[a].to_numpy(), numbers.sample[b].to_numpy()
    r = ((x - x.mean()) * (y - y.mean())).sum() / math.sqrt(
        ((x - x.mean()) ** 2).sum() * ((y - y.mean()) ** 2).sum()
    )
    assert truth.value == pytest.approx(r, abs=1e-12)


@pytest.mark.parametrize(
    ("guess", "truth", "close"),
    [(5.0, 5.32, True), (4.0, 5.32, True), (3.0, 5.32, False), (10.0, 5.32, False)],
)
def test_a_ratio_guess_is_close_within_a_factor(guess: float, truth: float, close: bool) -> None:
    pred = Prediction("ratio", "How many times?")
    right, said = judge(pred, Answer(truth, ""), guess)
    assert right is close
    assert f"×{guess:g}" in said


def test_set_and_choice_guesses() -> None:
    pred = Prediction("icp_causes", "Which?")
    truth = Answer(frozenset({"motive", "opportunity"}), "")
    assert judge(pred, truth, ["opportunity", "motive"])[0]
    assert not judge(pred, truth, ["motive"])[0]
    assert judge(pred, Answer(frozenset(), ""), [NOTHING])[0]
    verdict = Prediction("verdict", "Holds?")
    assert judge(verdict, Answer("broke", ""), "broke") == (
        True,
        "You said: it breaks (error ×1.5 or more). Right.",
    )
    assert not judge(verdict, Answer("held", ""), "broke")[0]


GOOD = """
id = "mine"
title = "Mine"
scenario = "ldopa"
[[steps]]
title = "One"
page = "Interventions"
view = { preset = "Tylenol", strength = 0.5 }
[steps.predict]
measure = "verdict"
question = "Holds?"
"""


def test_a_small_lesson_reads() -> None:
    lesson = lesson_from_toml(GOOD)
    assert lesson.view(0) == {"scenario": "ldopa", "preset": "Tylenol", "strength": "0.5"}
    assert lesson.steps[0].predict == Prediction("verdict", "Holds?")
    assert set(MEASURES) >= {"verdict", "ratio", "r2", "correlation", "icp_causes"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('measure = "verdict"', 'measure = "verdit"'), "unknown measure `verdit`; did you mean"),
        (('page = "Interventions"', 'page = "Builder"'), "unknown page `Builder`"),
        (('question = "Holds?"', ""), "`question` is missing"),
        (('page = "Interventions"', 'page = "Data"'), "`verdict` is not shown on the Data page"),
        (("strength = 0.5 }", 'strength = 0.5, scenario = "fever" }'), "cannot change the world"),
        (('title = "One"', 'title = "One"\ncolour = 1'), "unknown field `colour`"),
        (('id = "mine"', 'id = "Mine!"'), "`id` must be"),
        (("[steps.predict]", "[steps.predict]\nanswer = 3"), "unknown field `answer`"),
        (("strength = 0.5 }", "strenght = 0.5 }"), "unknown parameter `strenght`; did you mean"),
        (('measure = "verdict"', 'measure = ["verdict"]'), "unknown measure"),
        (('title = "Mine"', 'title = "Mine"\norder = "first"'), "`order` is a whole number"),
        (('question = "Holds?"', 'question = "Holds?"\ncolumns = 3'), "`columns` is a list"),
        (('title = "One"', "title = 1"), "must be text"),
    ],
)
def test_a_bad_lesson_says_where_and_what(change: tuple[str, str], message: str) -> None:
    with pytest.raises(LessonError) as err:
        lesson_from_toml(GOOD.replace(*change))
    assert message in str(err.value)


def test_an_unknown_lesson_suggests_one() -> None:
    with pytest.raises(LessonError, match="did you mean `tylenol`"):
        load_lesson("tylenl")


def test_the_lesson_and_presenter_view_round_trip_through_the_link() -> None:
    lessons = {"tylenol": 3}
    state = TeachState("tylenol", 3, True)
    query = teach_query(state, "Lessons")
    assert parse_teach(query, lessons) == (state, [])
    assert teach_query(state, "Interventions") == {"present": "1"}
    assert parse_teach({}, lessons) == (TeachState(), [])


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ({"lesson": "nope"}, "`lesson='nope'` is not a lesson"),
        ({"lesson": "tylenol", "step": "9"}, "is not a step from 0 to 4"),
        ({"lesson": "tylenol", "step": "-1"}, "is not a step"),
        ({"present": "maybe"}, "`present='maybe'` is not 1 or 0"),
    ],
)
def test_a_bad_lesson_link_falls_back_with_a_notice(query: dict, fragment: str) -> None:
    state, notices = parse_teach(query, {"tylenol": 3})
    assert len(notices) == 1 and fragment in notices[0]
    assert state.step == 0 and not state.present


def test_moving_stays_between_start_and_end() -> None:
    s = TeachState("tylenol", 0)
    assert moved(s, -1, 4).step == 0
    assert moved(TeachState("tylenol", 5), 1, 4).step == 5
    assert moved(s, 2, 4).step == 2


def test_projector_figures_have_large_type_and_leave_the_original_alone() -> None:
    fig = charts.rmse_bars(
        compare_models(load_scenario("ldopa"), n=300, seed=0, tests={}), title="Errors"
    )
    plain = style.plain(fig)
    before = repr(plain["layout"])
    big = style.for_projector(plain)
    assert repr(plain["layout"]) == before
    assert all(
        b["y"] is p["y"] for b, p in zip(big["data"], plain["data"], strict=True)
    )  # the arrays are shared
    sizes = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k.endswith("font") and isinstance(v, dict) and "size" in v:
                    sizes.append(v["size"])
                walk(v)

    walk({k: v for k, v in big["layout"].items() if k != "template"})
    assert sizes and min(sizes) >= style.PROJECTOR_MIN_FONT
    assert big["layout"]["xaxis"]["tickfont"]["size"] >= 20
    assert big["layout"]["height"] <= style.PROJECTOR_HEIGHT


def test_the_view_keys_are_the_links_parameters() -> None:
    """A step's view may set exactly what the lab's links hold (and parse_query reads)."""
    from lib.teach.lessons import VIEW_KEYS
    from lib.ui.params import LabState, to_query

    custom = LabState("ldopa", 2000, preset="custom", node="headache", kind="replace")
    written = set(to_query(custom, "Interventions")) | set(
        to_query(LabState("ldopa", 2000, preset="custom", kind="do"), "Interventions")
    )
    envs = (("a", "none", 1.0, 500), ("b", "preset:Tylenol", 1.0, 500))
    sliders = LabState("ldopa", 2000, envs=envs, sweep_strength=0.5, bend=0.5)
    written |= set(to_query(sliders, "Invariance"))
    assert written - {"scenario"} <= set(VIEW_KEYS)
    for key in VIEW_KEYS:  # each is read: a bad value gives a notice naming it
        bad = "" if key == "equation" else "\u2603"  # any text is an equation, but not none
        _, notices = parse_query({"scenario": "ldopa", key: bad}, CATALOG)
        assert any(f"`{key}=" in n for n in notices), key


def test_a_broken_lesson_file_is_listed_as_a_problem(tmp_path) -> None:
    from lib.teach.lessons import lesson_problems

    (tmp_path / "good.toml").write_text(GOOD.replace('id = "mine"', 'id = "good"'))
    (tmp_path / "bad.toml").write_text(GOOD.replace('id = "mine"', 'id = "bad"\norder = "x"'))
    assert list_lessons(tmp_path) == ["good"]
    assert list(lesson_problems(tmp_path)) == ["bad.toml"]
