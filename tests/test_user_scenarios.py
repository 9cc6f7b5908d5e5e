"""A user's own world: content ids, the shared registry, and every page using it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from lib.ui import registry
from lib.world.scenarios import load_scenario, scenario_from_toml, scenario_to_toml
from tests.apptest import MODELS, PAGE_FILES, assert_clean, go, open_page, session


def _edited(title: str = "My L-DOPA", factor: str = "0.8"):
    sc = load_scenario("ldopa")
    text = scenario_to_toml(sc).replace('title = "' + sc.title + '"', 'title = "' + title + '"', 1)
    return scenario_from_toml(text.replace("0.8 * dopamine", f"{factor} * dopamine"))


def test_the_same_content_gives_the_same_id_and_different_content_another():
    a, b, c = _edited(), _edited(), _edited(factor="0.5")
    assert registry.user_id(a) == registry.user_id(b) != registry.user_id(c)
    assert registry.user_id(a).startswith(registry.USER_PREFIX)


def test_an_id_written_in_a_file_is_never_trusted():
    mine = registry.register(_edited())
    forged = replace(_edited(factor="0.1"), id=mine.id)
    theirs = registry.register(forged)
    assert theirs.id != mine.id
    assert (
        registry.get_scenario(mine.id).scm.specs["headache"].equation
        == "maximum(0, 0.8 * dopamine + normal(0, 0.4))"
    )


def test_registered_scenarios_sample_like_the_original():
    sc = load_scenario("ldopa")
    copy = registry.register(scenario_from_toml(scenario_to_toml(sc)))
    assert registry.is_user_scenario(copy.id)
    assert copy.scm.sample(300, seed=4).equals(sc.scm.sample(300, seed=4))


def test_unknown_ids_fall_back_to_the_files_and_fail_clearly():
    assert registry.get_scenario("ldopa").id == "ldopa"
    assert registry.find("user-000000000000") is None
    with pytest.raises(ValueError):
        registry.get_scenario("user-000000000000")


@pytest.mark.parametrize("page", [None, *PAGE_FILES])
def test_every_page_runs_on_a_users_world(page):
    sc = registry.register(_edited(title="Tylenol world"))
    at = session()
    at.session_state["lab_user_scenarios"] = {sc.id: sc}
    at.query_params["scenario"] = sc.id
    if page is not None:
        at.switch_page(page)
    at.run()
    assert_clean(at)
    picker = at.sidebar.selectbox[0]
    assert picker.value == sc.id
    assert "Tylenol world (yours)" in picker.options


def test_models_page_warns_when_a_cause_shares_a_hidden_cause_with_the_target():
    text = scenario_to_toml(load_scenario("ldopa"))
    sc = load_scenario("ldopa")
    relief = sc.scm.specs["relief"].equation
    edited = scenario_from_toml(
        text.replace(relief, relief.replace("dopamine", "dopamine - 0.5 * headache", 1))
    )
    mine = registry.register(edited)
    at = session()
    at.session_state["lab_user_scenarios"] = {mine.id: mine}
    at.query_params["scenario"] = mine.id
    at.switch_page(MODELS).run()
    assert not at.exception
    assert any("share a hidden cause" in w.value and "`dopamine`" in w.value for w in at.warning)
    plain = go(open_page(), MODELS)
    assert not any("hidden cause" in w.value for w in plain.warning)
