"""The Attribution page in Streamlit's AppTest: its sections, sliders, link and button."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import TIMEOUT, assert_clean, open_page, sentence, texts

PAGE = "pages/5_Attribution.py"


def open_attribution(**params: str) -> AppTest:
    return open_page(PAGE, **params)


@pytest.fixture(scope="module")
def page() -> AppTest:
    return open_attribution()


def test_the_page_tells_the_whole_story(page: AppTest) -> None:
    assert_clean(page)
    heads = [h.value for h in page.subheader]
    for number in range(1, 8):
        assert any(h.startswith(f"{number} · ") for h in heads), heads
    assert "grip force = 10 + 2 · A + 0 · B" in texts(page)
    assert "prediction does not notice the correlation" in texts(page)
    # flat R², spreading coefficients, the clouds, the ellipse, the bars, the real data
    assert len(page.get("plotly_chart")) >= 6
    assert page.query_params["rho"] == "0.99"


def test_the_correlation_slider_changes_the_numbers(page: AppTest) -> None:
    at = open_attribution()
    before = sentence(at, "At ρ = 0.99")
    at.select_slider(key="w_rho").set_value(0.5).run()
    assert_clean(at)
    after = sentence(at, "At ρ = 0.5")
    assert before != after and "condition number is 3" in after
    assert at.query_params["rho"] == "0.5"


def test_a_link_opens_the_view_it_names() -> None:
    at = open_attribution(rho="0.999", b_effect="1", drive="Silence B", epsilon="0.2")
    assert_clean(at)
    assert "grip force = 10 + 2 · A + 1 · B" in texts(at)
    assert "After `Silence B`" in texts(at)
    assert "within 20% of the best error" in texts(at)


def test_a_bad_link_keeps_the_default_and_says_why() -> None:
    at = open_attribution(rho="2")
    assert_clean(at)
    assert any("rho" in w.value for w in at.warning)
    assert at.session_state["lab_state"].rho == 0.99


def test_the_credit_button_draws_every_model_s_credit() -> None:
    at = open_attribution(pair_n="200")
    charts = len(at.get("plotly_chart"))
    assert "Not run yet" in texts(at)
    at.button(key="attr_credit_run").click().run()
    assert_clean(at)
    assert len(at.get("plotly_chart")) == charts + 1
    assert "Not run yet" not in texts(at)
    # kept for the next run and for other sessions
    again = open_attribution(pair_n="200")
    assert len(again.get("plotly_chart")) == charts + 1
    assert again.button(key="attr_credit_run").disabled


def test_real_data_shows_longley_then_the_lab_s_world() -> None:
    at = open_attribution()
    assert "GNPDEFL" in texts(at) or "`GNP`" in texts(at)
    at.radio(key="w_credit").set_value("lab").run()
    assert_clean(at)
    picker = at.multiselect[0]
    from lib.world.scenarios import load_scenario

    assert picker.value == list(load_scenario("ldopa").features)
    picker.set_value(["headache"]).run()
    assert_clean(at)
    assert any("two or more inputs" in i.value for i in at.info)


def test_the_attribution_lesson_settles_it_with_an_experiment() -> None:
    from lib.teach.lessons import answer, load_lesson
    from lib.ui.lesson_views import view_numbers_at
    from lib.ui.params import ScenarioInfo, parse_query
    from lib.world.scenarios import list_scenarios, load_scenario

    catalog = {sid: ScenarioInfo.from_scenario(load_scenario(sid)) for sid in list_scenarios()}
    lesson = load_lesson("attribution")
    said = {}
    for i, step in enumerate(lesson.steps, start=1):
        if step.predict is None:
            continue
        state, notices = parse_query(lesson.view(i - 1), catalog)
        assert notices == []
        said[i] = answer(step.predict, view_numbers_at(lesson, i, state)).value
    assert abs(said[1] - 0.95) < 0.02  # the neurons' correlation
    assert said[2] == "same"  # both neurons, or A alone: they predict alike
    assert said[4] == "broke"  # the model that credited B most, once B is driven
    assert said[5] == "held"  # the causal model


def test_the_lesson_handout_draws_the_attribution_steps() -> None:
    def script() -> None:
        import streamlit as st

        from lib.teach.lessons import load_lesson
        from lib.ui import lesson_views as lv

        lesson = load_lesson("attribution")
        lv._revealed().update((lesson.id, i) for i in range(1, len(lesson.steps) + 1))
        page = lv._lesson_handout(lesson)().decode()
        st.write(f"bytes {len(page)}")
        st.write(f"broke {'<strong>broke</strong>' in page}")
        st.write(f"ellipse {'within 5% of the best error' in page}")

    at = AppTest.from_function(script, default_timeout=TIMEOUT).run()
    assert_clean(at)
    said = " ".join(m.value for m in at.markdown)
    assert "broke True" in said and "ellipse True" in said


def test_a_table_s_link_keeps_the_page_s_own_settings() -> None:
    at = open_attribution(source="table", table="grunfeld", credit="lab", rho="0.5")
    assert_clean(at)
    assert at.session_state["lab_state"].credit == "lab"
    assert at.query_params["rho"] == "0.5" and at.query_params["credit"] == "lab"
    # section 7 credits the table's inputs, left out firm by firm
    assert any("grunfeld" in str(o).lower() for o in at.radio(key="w_credit").options)
    assert "with one environment left out at a time" in texts(at)
