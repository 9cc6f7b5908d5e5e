"""Interventions: descriptions, strengths, validation, scenario-file form."""

from __future__ import annotations

import pickle

import pytest

from lib.errors import ScenarioError
from lib.world.interventions import (
    Do,
    Preset,
    Replace,
    ScaleNoise,
    Shift,
    describe_all,
    intervention_from_dict,
)


def test_descriptions_are_plain_sentences() -> None:
    assert "set `headache` to 0" in Do("headache", 0.0).describe()
    assert "cutting it off" in Do("headache", 0.0).describe()
    assert "40% of the way" in Do("headache", 0.0, strength=0.4).describe()
    assert Shift("dopamine", 1.5).describe() == "add 1.5 to `dopamine`, keeping its mechanism"
    assert "subtract 2" in Shift("x", -2.0).describe()
    assert "3× as spread out" in ScaleNoise("x", 3.0).describe()
    assert "2× as spread out" in ScaleNoise("x", 3.0, strength=0.5).describe()
    assert "replace the mechanism of `h`" in Replace("h", "0.2 * d").describe()
    assert describe_all([]) == "no intervention"


def test_cuts_edges_only_at_full_strength() -> None:
    assert Do("x", 1.0).cuts_edges and Replace("x", "1").cuts_edges
    assert not Do("x", 1.0, strength=0.5).cuts_edges
    assert not Shift("x", 1.0).cuts_edges and not ScaleNoise("x", 2.0).cuts_edges


def test_with_strength_returns_a_new_value() -> None:
    iv = Shift("x", 2.0)
    half = iv.with_strength(0.5)
    assert half.strength == 0.5 and iv.strength == 1.0
    assert half.label == "shift(x +1)"


@pytest.mark.parametrize(
    "make",
    [
        lambda: Do("x", float("nan")),
        lambda: Do("x", "abc"),
        lambda: Shift("x", 1.0, strength=1.5),
        lambda: ScaleNoise("x", -1.0),
        lambda: Do("", 1.0),
        lambda: Replace("x", 3),
    ],
)
def test_bad_interventions_raise_scenario_error(make) -> None:
    with pytest.raises(ScenarioError):
        make()


def test_from_dict_round_trip_and_errors() -> None:
    for iv in (Do("a", 1.0), Shift("a", -2.0, 0.5), ScaleNoise("a", 3.0), Replace("a", "2 * b")):
        assert intervention_from_dict(iv.to_dict()) == iv
    with pytest.raises(ScenarioError, match="unknown intervention kind 'cut'"):
        intervention_from_dict({"kind": "cut", "node": "a"})
    with pytest.raises(ScenarioError, match="needs `value`"):
        intervention_from_dict({"kind": "do", "node": "a"})
    with pytest.raises(ScenarioError, match="unknown field"):
        intervention_from_dict({"kind": "do", "node": "a", "value": 1, "equation": "1"})


def test_preset_is_a_named_immutable_list_that_pickles() -> None:
    p = Preset("Tylenol", [Do("h", 0.0)], "take Tylenol")
    assert p.name == "Tylenol" and p[0] == Do("h", 0.0) and len(p) == 1
    q = pickle.loads(pickle.dumps(p))
    assert q == p and q.name == "Tylenol" and q.description == "take Tylenol"
    assert p.with_strength(0.5)[0].strength == 0.5
    hash(p)
