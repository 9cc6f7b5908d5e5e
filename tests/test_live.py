"""A live class's pure parts: answers checked, the way in (link, QR), the room's chart."""

from __future__ import annotations

import math

import numpy as np
import pytest
import segno

from lib.errors import ClassError
from lib.figures.live import ANSWER_COLOR, ROOM_COLOR, room_figure
from lib.live.answers import check_answer
from lib.live.join import join_url, lan_address, qr_png, spaced, teacher_url
from lib.live.room import matched, room, room_counts
from lib.teach.lessons import NOTHING, Prediction, load_lesson, number_range, options
from lib.world.scenarios import load_scenario

VERDICT = Prediction("verdict", "Does it hold?")
BETTER = Prediction("better_model", "Which predicts better?")
CAUSES = Prediction("icp_causes", "Which variables?")
RATIO = Prediction("ratio", "How many times?")
R2 = Prediction("r2", "How much?")
CORR = Prediction("correlation", "How strong?", columns=("a", "b"))
FEATURES = ("dose", "headache", "dopamine_scan")


# ----------------------------------------------------------------------------- answers


@pytest.mark.parametrize("pred", [VERDICT, BETTER])
def test_every_option_of_a_choice_is_kept_as_is(pred: Prediction) -> None:
    for option in options(pred):
        assert check_answer(pred, option) == option


@pytest.mark.parametrize("bad", ["exploded", "", None, 3, ["broke"], "Broke"])
def test_a_choice_outside_the_options_is_refused(bad: object) -> None:
    with pytest.raises(ClassError, match="not one of the answers"):
        check_answer(VERDICT, bad)


def test_a_set_is_sorted_and_deduplicated() -> None:
    assert check_answer(CAUSES, ["headache", "dose", "dose"], FEATURES) == ["dose", "headache"]
    assert check_answer(CAUSES, (NOTHING,), FEATURES) == [NOTHING]


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        (["dose", "relief"], "not one of the variables"),
        ([], "Pick one or more"),
        ("dose", "Pick one or more"),
        (3.0, "Pick one or more"),
        (["dose", NOTHING], "cannot go with a variable"),
    ],
)
def test_a_bad_set_is_refused(bad: object, match: str) -> None:
    with pytest.raises(ClassError, match=match):
        check_answer(CAUSES, bad, FEATURES)


@pytest.mark.parametrize("pred", [RATIO, R2, CORR])
def test_numbers_inside_the_widgets_range_are_kept(pred: Prediction) -> None:
    low, high, _ = number_range(pred)
    for value in (low, high, (low + high) / 2, str(high)):
        assert check_answer(pred, value) == float(value)


@pytest.mark.parametrize(
    ("pred", "bad"),
    [
        (RATIO, -0.5),
        (RATIO, 1000.5),
        (R2, 1.2),
        (CORR, -1.01),
        (CORR, math.nan),
        (RATIO, math.inf),
        (RATIO, "five"),
        (RATIO, None),
        (RATIO, True),
        (RATIO, [2.0]),
    ],
)
def test_numbers_outside_the_range_or_not_numbers_are_refused(
    pred: Prediction, bad: object
) -> None:
    with pytest.raises(ClassError, match="a number"):
        check_answer(pred, bad)


def test_every_built_in_question_accepts_its_own_options() -> None:
    for lid in ("tylenol", "confounder", "fever", "clinics", "detective"):
        lesson = load_lesson(lid)
        features = load_scenario(lesson.scenario).features
        for step in lesson.steps:
            pred = step.predict
            if pred is None:
                continue
            if pred.kind == "number":
                low, high, _ = number_range(pred)
                assert check_answer(pred, (low + high) / 2) == (low + high) / 2
            else:
                first = options(pred, features)[0]
                value = [first] if pred.kind == "set" else first
                assert check_answer(pred, value, features) == value


# ----------------------------------------------------------------------------- the way in


def test_spaced_codes_read_in_two_groups() -> None:
    assert spaced("K7QX4M") == "K7Q X4M"
    assert spaced("ABC") == "ABC"


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("http://10.0.0.5:8501/", "http://10.0.0.5:8501/Class?code=K7QX4M"),
        (
            "http://10.0.0.5:8501/Lessons?lesson=tylenol&step=2",
            "http://10.0.0.5:8501/Class?code=K7QX4M",
        ),
        ("https://lab.example.org/lab/Lessons", "https://lab.example.org/lab/Class?code=K7QX4M"),
    ],
)
def test_the_join_link_is_the_class_page_on_the_same_server(base: str, expected: str) -> None:
    assert join_url(base, "K7QX4M") == expected


def test_the_teacher_link_carries_the_lesson_the_step_and_the_handover() -> None:
    url = teacher_url("http://10.0.0.5:8501/Class?code=K7QX4M", "tylenol", 2, "K7QX4M", "s3cr/t+")
    assert url == (
        "http://10.0.0.5:8501/Lessons?lesson=tylenol&step=2&class=K7QX4M&handover=s3cr%2Ft%2B"
    )


def test_the_qr_code_is_a_png_of_the_link() -> None:
    url = "http://10.0.0.5:8501/Class?code=K7QX4M"
    png = qr_png(url, scale=4)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    # The PNG's size is the QR symbol's, with a quiet zone of 2 modules on each side.
    width = int.from_bytes(png[16:20], "big")
    assert width == (segno.make(url, error="m", micro=False).symbol_size(scale=4, border=2)[0])
    assert qr_png(url + "x", scale=4) != png


def test_no_network_means_no_address(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def unreachable(self: socket.socket, address: object) -> None:
        raise OSError("Network is unreachable")

    monkeypatch.setattr(socket.socket, "connect", unreachable)
    assert lan_address() is None


# ----------------------------------------------------------------------------- the room


def test_the_room_counts_every_option_zeros_included() -> None:
    got = room_counts(VERDICT, ["broke", "broke", "held"])
    assert got == {"held": 1, "degraded": 0, "broke": 2}
    got = room_counts(CAUSES, [["dose"], ["dose", "headache"], [NOTHING]], FEATURES)
    assert got == {"dose": 2, "headache": 1, "dopamine_scan": 0, NOTHING: 1}


def test_a_numbers_bins_count_every_answer_once() -> None:
    answers = [0.3, 1.0, 1.1, 4.0, 5.3, 5.9, 40.0, 999.0, 0.0]
    got = room_counts(RATIO, answers)
    assert sum(got.values()) == len(answers)
    assert list(got)[0] == "under ×0.8" and list(got)[-1] == "×50 or more"
    assert got["×4 to ×8"] == 3 and got["×0.8 to ×1.25"] == 2 and got["×50 or more"] == 1
    rng = np.random.default_rng(0)
    corr = rng.uniform(-1, 1, 200).tolist() + [-1.0, 1.0]
    assert sum(room_counts(CORR, corr).values()) == 202
    assert sum(room_counts(R2, [0.0, 1.0, 0.55]).values()) == 3


def test_the_truth_is_marked_only_after_the_reveal() -> None:
    answers = ["broke", "broke", "held"]
    before = room(VERDICT, answers)
    assert before.marked == frozenset() and before.counts == [1, 0, 2] and before.answered == 3
    after = room(VERDICT, answers, truth="broke")
    assert after.marked == {2}
    assert after.labels[2].startswith("It breaks")


def test_a_number_marks_the_bin_of_the_true_value() -> None:
    r = room(RATIO, [2.0, 5.5, 6.0], truth=5.32)
    assert [r.labels[i] for i in r.marked] == ["×4 to ×8"]
    assert r.note == "The lab: ×5.32"
    assert room(R2, [0.5], truth=0.61).labels == [
        "0 to 0.2",
        "0.2 to 0.4",
        "0.4 to 0.6",
        "0.6 to 0.8",
        "0.8 to 1",
    ]
    assert room(CORR, [], truth=-0.3).labels[1] == "−0.75 to −0.5"
    assert room(CORR, [], truth=-0.3).marked == {2}
    assert room(CORR, [0.1], truth=0.76).note == "The lab: +0.76"


def test_an_empty_set_truth_marks_nothing_as_the_answer() -> None:
    r = room(CAUSES, [[NOTHING], ["dose"]], FEATURES, truth=frozenset())
    assert [r.labels[i] for i in r.marked] == ["Nothing: no variable is named"]
    r = room(CAUSES, [["dose"]], FEATURES, truth=frozenset({"dose", "headache"}))
    assert sorted(r.labels[i] for i in r.marked) == ["dose", "headache"]


def test_the_room_figure_draws_the_counts_and_colours_the_answer() -> None:
    fig = room_figure(["a", "b", "c"], [1, 0, 2], {2})
    bar = fig.data[0]
    assert bar.orientation == "h" and list(bar.x) == [1, 0, 2] and list(bar.y) == ["a", "b", "✓ c"]
    assert list(bar.marker.color) == [ROOM_COLOR, ROOM_COLOR, ANSWER_COLOR]
    assert list(bar.text) == ["1", "0", "2"]
    assert fig.layout.yaxis.autorange == "reversed"  # the first option on top
    fig = room_figure(["×1 to ×2", "×4 to ×8"], [0, 3], {1}, note="The lab: ×5.32")
    assert list(fig.data[0].text) == ["0", "3  ← The lab: ×5.32"]
    assert list(fig.data[0].y) == ["×1 to ×2", "✓ ×4 to ×8"]  # named, even with no bar


def test_an_empty_room_draws() -> None:
    r = room(CORR, [])
    fig = room_figure(r.labels, r.counts, r.marked)
    assert sum(fig.data[0].x) == 0


def test_matched_judges_each_answer_as_a_learners() -> None:
    from lib.teach.lessons import Answer

    truth = Answer(5.32, "")
    # within a factor of 1.5 of ×5.32: 3.55 to 7.98
    assert matched(RATIO, [5.0, 4.0, 7.9, 8.0, 1.0, 3.5], truth) == 3
    assert matched(VERDICT, ["broke", "held", "broke"], Answer("broke", "")) == 2
    assert (
        matched(
            CAUSES, [["dose"], [NOTHING], ["dose", "headache"]], Answer(frozenset({"dose"}), "")
        )
        == 1
    )
