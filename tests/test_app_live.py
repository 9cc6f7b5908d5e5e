"""A live class with Streamlit's AppTest: a teacher starts one from a lesson, students
join with the code, answer, see the reveal, and cannot act as the teacher. Every test
runs on SQLite and on PostgreSQL (skipped without ``$LAB_TEST_POSTGRES``, failed in CI)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import unquote

import pytest
from streamlit.testing.v1 import AppTest

from lib.errors import ClassError
from lib.live.store import RATE_BURST, ClassStore, open_store
from tests.apptest import button, open_page, texts

LESSONS = "pages/8_Lessons.py"
CLASS = "pages/9_Class.py"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """The pages' store: a new SQLite file, or a new PostgreSQL schema (tests/conftest.py)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'classes.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_schema")
    monkeypatch.setenv("LAB_CLASS_STORE", url)
    return url


@pytest.fixture
def store(store_url: str) -> ClassStore:
    return open_store(store_url)


def class_code(at: AppTest) -> str:
    found = re.search(r"lab-class-code'>([A-Z0-9]{3}) ([A-Z0-9]{3})<", texts(at, alerts=True))
    assert found, texts(at, alerts=True)
    return found.group(1) + found.group(2)


def handover(teacher: AppTest) -> str:
    """Make a teacher link in ``teacher``'s browser; return its single-use secret."""
    button(teacher, "class_make_link").click().run()
    link = next(c.value for c in teacher.code if "handover=" in c.value)
    return unquote(re.search(r"handover=([^&\s]+)", link).group(1))


def start_class(lesson: str = "tylenol") -> tuple[AppTest, str]:
    teacher = open_page(LESSONS, lesson=lesson, step="0")
    button(teacher, "class_start").click().run()
    assert not teacher.exception
    return teacher, class_code(teacher)


def test_a_class_runs_from_start_to_end(store: ClassStore) -> None:
    teacher, code = start_class()
    assert store.info(code).lesson == "tylenol"
    assert "/Class?code=" + code in texts(teacher, alerts=True)

    students = [open_page(CLASS, code=code) for _ in range(2)]
    for s in students:
        assert not s.exception
        assert "You are in" in texts(s, alerts=True)
        assert s.query_params["seat"]  # a reload keeps the seat
    assert store.tally(code, 0).joined == 2

    button(teacher, "lesson_next").click().run()  # step 1: which model predicts better
    assert store.info(code).step == 1
    for s, choice in zip(students, ["predictive", "causal"], strict=True):
        s.run()
        s.radio[0].set_value(choice).run()
        assert not s.exception
        assert "Your answer is in" in texts(s, alerts=True)
    tally = store.tally(code, 1)
    assert (tally.answered, sorted(tally.answers)) == (2, ["causal", "predictive"])

    teacher.run()
    assert "**2** answered" in texts(teacher, alerts=True)
    button(teacher, "lesson_reveal").click().run()
    assert 1 in store.info(code).revealed
    first, second = (s.run() for s in students)
    assert "You said: the predictive model. Right." in texts(first, alerts=True)
    assert "Not what happened" in texts(second, alerts=True)
    assert first.get("plotly_chart")  # the room's answers and the lab's figure

    for _ in range(3):  # to the end: the room, question by question
        button(teacher, "lesson_next").click().run()
    assert store.info(code).step == 4
    said = texts(teacher, alerts=True)
    assert "**1 · Two models of relief**: 2 answered, 1 matched the lab (50%)" in said
    assert "0 answered, 0 matched the lab" in said

    button(teacher, "class_end").click().run()
    assert store.info(code).closed
    assert store.tally(code, 1).answered == 0  # answers deleted at the end
    assert "This class has ended" in texts(students[0].run(), alerts=True)


def test_a_student_changes_their_answer_until_the_reveal(store: ClassStore) -> None:
    teacher, code = start_class()
    button(teacher, "lesson_next").click().run()
    s = open_page(CLASS, code=code)
    s.radio[0].set_value("predictive").run()
    s.radio[0].set_value("causal").run()
    assert store.tally(code, 1).answers == ("causal",)
    button(teacher, "lesson_reveal").click().run()
    s.run()
    assert not s.radio  # the question is closed: the answer is shown instead
    assert store.tally(code, 1).answers == ("causal",)


def test_a_reloaded_phone_keeps_its_seat_and_answer(store: ClassStore) -> None:
    teacher, code = start_class()
    button(teacher, "lesson_next").click().run()
    s = open_page(CLASS, code=code)
    s.radio[0].set_value("causal").run()
    seat = s.query_params["seat"]
    seat = seat[-1] if isinstance(seat, list) else seat
    again = open_page(CLASS, code=code, seat=seat)
    assert again.radio[0].value == "causal"
    assert store.tally(code, 1).joined == 1


def test_a_student_cannot_act_as_the_teacher(store: ClassStore) -> None:
    teacher, code = start_class()
    s = open_page(CLASS, code=code)
    seat = s.query_params["seat"]
    seat = seat[-1] if isinstance(seat, list) else seat
    # a student's hand-made teacher link: no controls, a notice, the class unchanged
    fake = open_page(LESSONS, lesson="tylenol", step="3", **{"class": code, "handover": seat})
    assert not fake.exception
    assert "does not open a running class" in texts(fake, alerts=True)
    assert not any(b.key == "class_end" for b in fake.button)
    button(fake, "lesson_next").click().run()
    assert store.info(code).step == 0
    assert "handover" not in fake.query_params  # never left in the address bar
    assert any(b.key == "class_end" for b in teacher.run().button)  # still the teacher


def test_the_teacher_link_hands_the_class_to_another_browser_once(store: ClassStore) -> None:
    teacher, code = start_class()
    secret = handover(teacher)
    other = open_page(LESSONS, lesson="tylenol", step="0", **{"class": code, "handover": secret})
    assert any(b.key == "class_end" for b in other.button)
    assert "handover" not in other.query_params
    button(other, "lesson_next").click().run()
    assert store.info(code).step == 1
    # the first browser let go, and the link opens nothing a second time
    button(teacher, "lesson_next").click().run()
    assert "is run from another browser now" in texts(teacher, alerts=True)
    assert store.info(code).step == 1
    again = open_page(LESSONS, lesson="tylenol", step="0", **{"class": code, "handover": secret})
    assert "used or is too old" in texts(again, alerts=True)
    assert not any(b.key == "class_end" for b in again.button)


def test_a_wrong_code_says_so_and_keeps_the_form(store: ClassStore) -> None:
    s = open_page(CLASS, code="ZZZ999")
    assert not s.exception
    assert "No class with the code **ZZZ 999**" in texts(s, alerts=True)
    assert s.text_input(key="class_code_input")


def test_the_join_form_takes_a_code_as_the_board_shows_it(store: ClassStore) -> None:
    _, code = start_class()
    s = open_page(CLASS)
    s.text_input(key="class_code_input").input(f" {code[:3].lower()} {code[3:]} ")
    s.button[0].click().run()  # the form's submit button
    assert not s.exception
    assert "You are in" in texts(s, alerts=True)
    assert store.tally(code, 0).joined == 1


def test_a_refused_answer_says_why_and_keeps_the_page(
    store: ClassStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    frozen = time.time()  # the seat's rate limit is counted at one instant
    monkeypatch.setattr(
        ClassStore, "_now", staticmethod(lambda now: frozen if now is None else now)
    )
    teacher, code = start_class("tylenol")
    button(teacher, "lesson_next").click().run()
    s = open_page(CLASS, code=code)
    choices = ["predictive", "same", "causal"] * 4
    for choice in choices:  # more answers at once than a seat may write
        s.radio[0].set_value(choice).run()
    assert not s.exception
    assert "Too many answers too fast" in texts(s, alerts=True)
    kept = store.tally(code, 1).answers
    assert kept == (choices[RATE_BURST - 1],) != (choices[-1],)
    assert s.radio[0].value == kept[0]  # the widget shows what the class has, not the refused


def test_an_expired_class_and_its_answers_are_deleted_when_the_lab_is_next_used(
    store: ClassStore,
) -> None:
    long_ago = time.time() - 4 * 3600  # classes live 3 hours
    info, token = store.start("tylenol", 3, now=long_ago)
    seat = store.join(info.code, now=long_ago)
    store.move(info.code, token, 1, now=long_ago)
    store.answer(info.code, seat, 1, "causal", now=long_ago)

    def rows(table: str) -> int:
        return int(store._read(lambda tx: tx.one(f"SELECT COUNT(*) FROM {table}"))[0])

    assert rows("live_answer") == 1
    s = open_page(CLASS, code=info.code)  # a student with the old code: the lab is used
    assert "No class with the code" in texts(s, alerts=True)
    assert (rows("live_class"), rows("live_seat"), rows("live_answer")) == (0, 0, 0)


def test_a_moment_of_trouble_keeps_the_teachers_controls(
    store: ClassStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    teacher, code = start_class()

    def busy(*args: object, **kwargs: object) -> None:
        raise ClassError("The class's database did not answer (OperationalError).")

    move = ClassStore.move
    monkeypatch.setattr(ClassStore, "move", busy)
    button(teacher, "lesson_next").click().run()
    assert "did not follow that step" in texts(teacher, alerts=True)
    assert any(b.key == "class_end" for b in teacher.button)  # still the teacher
    monkeypatch.setattr(ClassStore, "move", move)
    button(teacher, "lesson_next").click().run()
    assert store.info(code).step == 2


def test_a_class_ended_elsewhere_is_let_go(store: ClassStore) -> None:
    teacher, code = start_class()
    _, token = store.take_over(code, handover(teacher))  # another browser takes it ...
    store.close(code, token)  # ... and ends it
    button(teacher, "lesson_next").click().run()
    assert "has ended" in texts(teacher, alerts=True)
    assert not any(b.key == "class_end" for b in teacher.button)
    assert any(b.key == "class_start" for b in teacher.button)


def test_the_teacher_link_opens_where_the_class_is(store: ClassStore) -> None:
    teacher, code = start_class()
    secret = handover(teacher)
    button(teacher, "lesson_next").click().run()
    button(teacher, "lesson_next").click().run()
    button(teacher, "lesson_reveal").click().run()  # step 2 revealed in the first browser
    other = open_page(LESSONS, lesson="tylenol", step="0", **{"class": code, "handover": secret})
    assert other.header[0].value.startswith("2 · ")
    assert "×5.32: it **broke**" in texts(
        other, alerts=True
    )  # the reveal made elsewhere shows here
    button(other, "lesson_next").click().run()
    assert store.info(code).step == 3


def test_one_class_at_a_time_and_no_reset_during_it(store: ClassStore) -> None:
    teacher, code = start_class("tylenol")
    assert button(teacher, "lesson_reset").disabled
    button(teacher, "lesson_leave").click().run()
    button(teacher, "lesson_start_fever").click().run()
    assert not any(b.key == "class_start" for b in teacher.button)
    assert f"You are running the live class **{code[:3]} {code[3:]}**" in texts(
        teacher, alerts=True
    )
    button(teacher, "class_end_other").click().run()
    assert store.info(code).closed
    assert any(b.key == "class_start" for b in teacher.button)


def test_a_link_whose_code_is_not_one_is_not_shown_back(store: ClassStore) -> None:
    s = open_page(CLASS, code="[JOIN](HTTPS://EVIL.EXAMPLE)")
    assert not s.exception
    said = texts(s, alerts=True)
    assert "EVIL" not in said
    assert "That link's class code is not one" in said
    s.text_input(key="class_code_input").input("zz")
    s.button[0].click().run()
    assert "That is not a class code" in texts(s, alerts=True)
