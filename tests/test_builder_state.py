"""The Builder page's state class, with a plain dict as the session state."""

from __future__ import annotations

import pandas as pd

from lib.ui.builder_state import BuilderState, key
from lib.world.builder import NODE_COLUMNS, nodes_frame
from lib.world.scenarios import load_scenario


def table(*rows: tuple[str, str, bool]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"name": n, "equation": e, "unit": "", "description": "", "observed": o, "measures": ""}
            for n, e, o in rows
        ],
        columns=list(NODE_COLUMNS),
    )


def test_starts_on_the_starter_world_and_keeps_fields_across_pages() -> None:
    ss: dict = {}
    BuilderState(ss)
    assert ss[key("target")] == "y" and ss[key("features")] == ["x"]
    del ss[key("title")]  # a widget's value, forgotten on another page
    BuilderState(ss)
    assert ss[key("title")] == ss[key("saved_title")]


def test_new_observed_nodes_join_the_features_and_renamed_ones_leave() -> None:
    ss: dict = {}
    state = BuilderState(ss)
    nodes = table(
        ("x", "normal()", True),
        ("y", "2 * x", True),
        ("z", "y + normal()", True),
        ("h", "normal()", False),
    )
    result = state.build(nodes, state.saved_presets())
    assert state.sync_roles(result)
    assert ss[key("features")] == ["x", "z"]  # h is unobserved
    ss[key("features")] = ["x"]  # the user takes z out: it stays out
    assert not state.sync_roles(state.build(nodes, state.saved_presets()))
    renamed = table(("u", "normal()", True), ("y", "2 * u", True), ("z", "y", True))
    state.sync_roles(state.build(renamed, state.saved_presets()))
    assert ss[key("features")] == ["u"]  # x is gone; u is new


def test_a_copy_gets_its_own_id_title_and_original_equations() -> None:
    ss: dict = {}
    state = BuilderState(ss)
    sc = load_scenario("ldopa")
    version = state.version
    state.start(sc, copied=True, new_id="ldopa_copy")
    assert state.version == version + 1
    assert state.meta()["id"] == "ldopa_copy" and ss[key("title")] == f"My {sc.title}"
    assert state.original == {n: s.equation for n, s in sc.scm.specs.items()}
    assert list(state.table("nodes")["name"]) == list(nodes_frame(sc)["name"])
    assert ss[key("features")] == list(sc.features)


def test_a_rename_carries_through_the_tables_roles_and_remembered_arrows() -> None:
    ss: dict = {}
    state = BuilderState(ss)
    ss[key("target")], ss[key("parents")] = "x", {"y": ("x",), "x": ()}
    nodes = state.saved_nodes().copy()
    nodes.loc[0, "name"] = "rain"
    places = state.rename("x", "rain", nodes)
    assert places == [
        "the equation of `y`",
        "the preset “Set x to 1”",
        "the target",
        "the features",
    ]
    assert list(ss[key("nodes")]["equation"]) == ["normal(0, 1)", "2 * rain + normal(0, 1)"]
    assert ss[key("saved_nodes")] is ss[key("nodes")]
    assert list(ss[key("presets")]["node"]) == ["rain"]
    assert ss[key("target")] == "rain" and ss[key("features")] == ["rain"]
    assert ss[key("parents")] == {"y": ("rain",), "rain": ()}


def test_the_preset_editor_starts_from_its_edits_when_its_node_options_change() -> None:
    ss: dict = {}
    state = BuilderState(ss)
    assert state.offer_nodes(["x", "y"]) == ["x", "y"]
    edited = state.saved_presets().copy()
    edited.loc[0, "node"] = "y"
    edited.loc[0, "amount"] = "2.0"
    state.save_table("presets", edited)
    # the same nodes: the same offer, and the editor keeps its own edits
    assert state.offer_nodes(["x", "y"]) == ["x", "y"]
    assert ss[key("presets")].loc[0, "amount"] == "1.0"
    # new nodes: a new editor, from the edited table; a name a preset holds stays offered
    assert state.offer_nodes(["x", "z"]) == ["x", "z", "y"]
    assert ss[key("presets")].loc[0, "amount"] == "2.0"
