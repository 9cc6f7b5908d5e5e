"""Errors carry fields (node, preset, row, column, allowed) besides their message."""

from __future__ import annotations

import pickle

import pytest

from lib.errors import DataError, ExpressionError, LabError, ScenarioError
from lib.world.expressions import compile_equation
from lib.world.scenarios import load_scenario, scenario_from_toml, scenario_to_toml


def test_within_adds_a_place_and_keeps_the_inner_message() -> None:
    inner = ExpressionError("character 3: unknown name `q`.", column=3, allowed="Allowed: x.")
    outer = inner.within("node `y`", ScenarioError, node="y").within("scenario `s`", scenario="s")
    assert isinstance(outer, ScenarioError) and isinstance(outer, LabError)
    assert str(outer) == "scenario `s`: node `y`: character 3: unknown name `q`. Allowed: x."
    assert outer.message == "scenario `s`: node `y`: character 3: unknown name `q`."
    assert (outer.scenario, outer.node, outer.column) == ("s", "y", 3)
    assert outer.after("node") == "character 3: unknown name `q`."
    assert outer.after("scenario") == "node `y`: character 3: unknown name `q`."
    assert outer.allowed == "Allowed: x."


def test_fields_survive_pickling() -> None:
    err = DataError("row 4 is short.", row=3).within("file `a.csv`", name="a.csv")
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is DataError and str(back) == str(err)
    assert back.fields() == {"row": 3, "name": "a.csv"}
    assert back.after("name") == "row 4 is short."


def test_the_compiler_says_where_and_what_was_allowed() -> None:
    with pytest.raises(ExpressionError) as info:
        compile_equation("2 * dopmine + 1", names=["dopamine"])
    err = info.value
    assert err.column == 5 and err.name == "dopmine"
    assert "did you mean `dopamine`?" in err.message and "Allowed" not in err.message
    assert err.allowed.startswith("Allowed:")
    with pytest.raises(ExpressionError) as info:
        compile_equation("2 * (x + 1", names=["x"])
    assert info.value.column == 5 and not info.value.allowed


def test_a_scenario_error_names_its_node_and_its_preset() -> None:
    text = scenario_to_toml(load_scenario("ldopa")).replace("0.8 * dopamine", "0.8 * dopamin", 1)
    with pytest.raises(ScenarioError) as info:
        scenario_from_toml(text)
    assert info.value.node == "headache" and info.value.scenario == "ldopa"
    assert info.value.after("node").startswith("character ")
    bad_preset = scenario_to_toml(load_scenario("ldopa")).replace(
        'node = "headache"', 'node = "headach"', 1
    )
    with pytest.raises(ScenarioError) as info:
        scenario_from_toml(bad_preset)
    assert info.value.preset is not None and info.value.preset in load_scenario("ldopa").presets
    assert info.value.after("preset").startswith("cannot intervene on `headach`")


def test_a_subclass_keeps_its_own_fields_under_a_new_place_and_through_pickling() -> None:
    from lib.world.scm import NonFiniteError

    err = NonFiniteError("y", 3, 10, "log(x)").within("environment `a`", environment="a")
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is NonFiniteError
    assert (back.node, back.count, back.n, back.environment) == ("y", 3, 10, "a")
    assert str(back) == str(err) and back.after("environment") == err.after("environment")
