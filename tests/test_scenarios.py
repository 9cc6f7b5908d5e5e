"""Built-in scenarios load, validate, and round-trip through TOML."""

from __future__ import annotations

import pandas as pd
import pytest

from lib.errors import ScenarioError
from lib.world.scenarios import list_scenarios, load_scenario, scenario_from_toml, scenario_to_toml

LDOPA_MIN = """
id = "tiny"
title = "Tiny"
target = "y"
[nodes.x]
equation = "normal(0, 1)"
[nodes.y]
equation = "x + normal(0, 1)"
"""


def test_at_least_three_scenarios_with_stories_and_presets() -> None:
    ids = list_scenarios()
    assert ids[0] == "ldopa" and len(ids) >= 3
    for sid in ids:
        sc = load_scenario(sid)
        assert sc.id == sid and sc.title and len(sc.story) > 200
        assert sc.presets and sc.features and sc.causal_features
        assert set(sc.causal_features) <= set(sc.features)
        for preset in sc.presets.values():
            assert preset.description, f"{sid}: preset {preset.name} needs a description"
            sc.scm.intervene(*preset)


def test_ldopa_matches_the_story() -> None:
    sc = load_scenario("ldopa")
    assert sc.target == "relief"
    assert {"headache", "dyskinesia", "dopamine_scan"} <= set(sc.features)
    assert "dopamine" in sc.scm.latent
    assert {"Tylenol", "Amantadine", "Dopamine agonist", "Double the dose"} <= set(sc.presets)
    g = sc.scm.graph
    assert nx_path(g, "dose", "dopamine") and nx_path(g, "dopamine", "relief")
    assert g.has_edge("dopamine", "headache") and not g.has_edge("headache", "relief")


def nx_path(g, a: str, b: str) -> bool:
    import networkx as nx

    return nx.has_path(g, a, b)


@pytest.mark.parametrize("sid", ["ldopa", "icecream", "fever", "mystery"])
def test_round_trip_gives_identical_samples(sid: str) -> None:
    sc = load_scenario(sid)
    again = scenario_from_toml(scenario_to_toml(sc))
    assert again.id == sc.id and again.features == sc.features and again.story == sc.story
    assert list(again.presets) == list(sc.presets)
    pd.testing.assert_frame_equal(sc.scm.sample(500, 4), again.scm.sample(500, 4))
    for name, preset in sc.presets.items():
        assert tuple(again.presets[name]) == tuple(preset)
        pd.testing.assert_frame_equal(
            sc.scm.sample(300, 2, preset), again.scm.sample(300, 2, again.presets[name])
        )
    assert again.environments == sc.environments
    assert [e.description for e in again.environments] == [e.description for e in sc.environments]


ENVS = """
[environments."clinic A"]
n = 200
interventions = []

[environments."clinic B"]
description = "x is pushed up"
interventions = [{ kind = "shift", node = "x", delta = 1.5, strength = 0.4 }]
"""


def test_environments_in_a_scenario_file() -> None:
    from lib.world.environments import Environment
    from lib.world.interventions import Shift

    sc = scenario_from_toml(LDOPA_MIN + ENVS)
    assert sc.environments == (
        Environment("clinic A", (), 200),
        Environment("clinic B", (Shift("x", 1.5, 0.4),), 1000),
    )
    assert sc.environments[1].description == "x is pushed up"
    assert scenario_from_toml(LDOPA_MIN).environments == ()
    again = scenario_from_toml(scenario_to_toml(sc))
    assert again.environments == sc.environments


def test_an_environment_can_be_declared_without_starting_on_the_page() -> None:
    """``default = false``: kept in the file (a lesson's twist), not among the defaults."""
    from lib.world.environments import default_environments

    twist = '\n[environments."clinic C"]\ndefault = false\ninterventions = []\n'
    sc = scenario_from_toml(LDOPA_MIN + ENVS + twist)
    assert [e.name for e in sc.environments] == ["clinic A", "clinic B", "clinic C"]
    assert [e.default for e in sc.environments] == [True, True, False]
    assert [e.name for e in default_environments(sc)] == ["clinic A", "clinic B"]
    again = scenario_from_toml(scenario_to_toml(sc))
    assert [e.default for e in again.environments] == [True, True, False]
    with pytest.raises(ScenarioError, match="`default` must be true or false"):
        scenario_from_toml(LDOPA_MIN + ENVS + twist.replace("false", '"no"'))
    one_left = ENVS.replace("n = 200", "n = 200\ndefault = false")
    with pytest.raises(ScenarioError, match="at least two environments must start"):
        scenario_from_toml(LDOPA_MIN + one_left + twist)


def test_ldopa_keeps_the_agonist_trial_as_a_twist() -> None:
    sc = load_scenario("ldopa")
    twists = [e for e in sc.environments if not e.default]
    assert [e.name for e in twists] == ["clinic E: agonist trial"]
    assert [iv.node for iv in twists[0].interventions] == ["dopamine"]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("n = 200", "n = 2"), "environment `clinic A`.*`n` must be from 3"),
        (lambda t: t.replace("n = 200", 'n = "lots"'), "`n` must be a whole number"),
        (lambda t: t.replace("n = 200", "rows = 200"), "clinic A.*unknown field.*rows"),
        (lambda t: t.replace('node = "x"', 'node = "w"'), "clinic B"),
        (lambda t: t.replace("delta", "amount"), "clinic B.*unknown field.*amount"),
        (lambda t: t.replace("interventions = []", "interventions = 3"), "must be a list"),
        (lambda t: t.split('[environments."clinic B"]')[0], "at least two environments"),
        (lambda t: "environments = 3\n" + t.split("[environments")[0], "table of named"),
    ],
)
def test_invalid_environments_name_the_problem(edit, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        scenario_from_toml(edit(LDOPA_MIN + ENVS))


def test_minimal_scenario_defaults() -> None:
    sc = scenario_from_toml(LDOPA_MIN)
    assert sc.features == ("x",) and sc.presets == {} and sc.default_n == 2000


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace('target = "y"', 'target = "why"'), "target `why` is not a node"),
        (lambda t: t.replace('id = "tiny"', 'id = "Tiny Id"'), "id 'Tiny Id'"),
        (lambda t: t + 'features = ["z"]\n', "Invalid|feature"),
        (lambda t: t.replace("x + normal", "xx + normal"), "node `y`.*did you mean `x`"),
        (lambda t: t + "\n[presets.P]\ninterventions = []\n", "non-empty list"),
        (
            lambda t: t + '\n[presets.P]\ninterventions = [{kind = "do", node = "q", value = 1}]\n',
            "preset `P`.*no such node",
        ),
        (lambda t: t.replace('title = "Tiny"', "colour = 3"), "unknown field|missing `title`"),
        (lambda t: t.replace('equation = "normal(0, 1)"', "equation = 3"), "must be text"),
        (lambda t: t + "\n[nodes.x.extra]\n", "unknown field"),
        (lambda t: "id = ", "not valid TOML"),
    ],
)
def test_invalid_scenarios_name_the_problem(edit, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        scenario_from_toml(edit(LDOPA_MIN))


def test_unknown_scenario_suggests() -> None:
    with pytest.raises(ScenarioError, match="did you mean `ldopa`"):
        load_scenario("ldopaa")
    with pytest.raises(ScenarioError, match="Available"):
        load_scenario("../etc/passwd")


def test_a_broken_file_does_not_hide_the_others(tmp_path, monkeypatch) -> None:
    import shutil

    import lib.world.scenarios as scenarios

    for path in scenarios.SCENARIO_DIR.glob("*.toml"):
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "broken.toml").write_text('id = "broken"\ntitle = 3\n', encoding="utf-8")
    monkeypatch.setattr(scenarios, "SCENARIO_DIR", tmp_path)
    assert "ldopa" in scenarios.list_scenarios()
    assert "broken" not in scenarios.list_scenarios()
    assert "broken.toml" in scenarios.scenario_problems()
