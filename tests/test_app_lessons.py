"""The Lessons page with Streamlit's AppTest: a link opens a step, the reveal waits for an
answer, the step sets the lab's view, and a bad link gives notices, not tracebacks."""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest

from tests.apptest import button, open_page

LESSONS = "pages/8_Lessons.py"


def open_lessons(**params: str) -> AppTest:
    return open_page(LESSONS, **params)


def param(at: AppTest, name: str) -> str:
    """A query parameter of the page's URL (the last one when repeated)."""
    value = at.query_params[name]
    return value[-1] if isinstance(value, list) else value


def test_a_linked_step_waits_for_an_answer_then_reveals_the_labs() -> None:
    at = open_lessons(lesson="tylenol", step="2")
    assert not at.exception
    assert button(at, "lesson_reveal").disabled
    at.number_input[0].set_value(5.0).run()
    assert not button(at, "lesson_reveal").disabled
    button(at, "lesson_reveal").click().run()
    assert not at.exception
    said = " ".join(s.value for s in at.success)
    assert "You said ×5: close" in said
    assert any("×5.32: it **broke**" in m.value for m in at.markdown)
    # the step set the lab's view: Interventions shows Tylenol at full strength
    at.switch_page("pages/3_Interventions.py").run()
    assert param(at, "preset") == "Tylenol"
    assert param(at, "strength") == "1"


def test_next_and_previous_move_through_the_lesson_and_the_link_follows() -> None:
    at = open_lessons(lesson="fever", step="0")
    button(at, "lesson_next").click().run()
    assert param(at, "step") == "1"
    button(at, "lesson_next").click().run()  # an unanswered question: said, not skipped
    assert param(at, "step") == "1"
    assert "Press Next again to skip it" in " ".join(w.value for w in at.warning)
    button(at, "lesson_next").click().run()
    assert param(at, "step") == "2"
    assert not at.warning
    button(at, "lesson_back").click().run()
    assert param(at, "step") == "1"
    button(at, "lesson_reset").click().run()
    assert param(at, "step") == "0"


def test_a_bad_lesson_link_shows_notices_and_the_list() -> None:
    at = open_lessons(lesson="nope", present="maybe")
    assert not at.exception
    notes = " ".join(w.value for w in at.warning)
    assert "`lesson='nope'` is not a lesson" in notes
    assert "`present='maybe'` is not 1 or 0" in notes
    assert any(b.key == "lesson_start_tylenol" for b in at.button)


def test_the_reveal_button_comes_after_the_question_and_an_answer_moves_on_at_once() -> None:
    at = open_lessons(lesson="tylenol", step="2")
    keys = [getattr(e, "key", None) for e in _elements(at)]
    guess = next(i for i, k in enumerate(keys) if k and str(k).startswith("lesson_guess_"))
    assert guess < keys.index("lesson_reveal")
    at.number_input[0].set_value(5.0).run()
    button(at, "lesson_next").click().run()  # answered, not revealed: Next moves on
    assert param(at, "step") == "3"


def _elements(at: AppTest) -> list[Any]:
    """Every element of the page, in the order drawn."""
    out: list[Any] = []

    def walk(node: Any) -> None:
        out.append(node)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return out
