"""The scenario builder's engine: tables in, a scenario or per-row errors out."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.errors import ScenarioError
from lib.figures.graph import draft_dot
from lib.world.builder import (
    MAX_TABLE_ROWS,
    NODE_COLUMNS,
    PRESET_COLUMNS,
    BuildResult,
    blank_meta,
    build_scenario,
    changed_equations,
    draft_notes,
    equation_problems,
    find_rename,
    meta_from,
    nodes_frame,
    presets_frame,
    remember_parents,
    rename_node,
    scenario_from_upload,
)
from lib.world.scenarios import list_scenarios, load_scenario, scenario_from_toml, scenario_to_toml
from lib.world.scm import MAX_NODES, SCM

BUILTINS = list_scenarios()


def build(nodes: pd.DataFrame | None = None, presets=None, **meta) -> BuildResult:
    m = blank_meta()
    m.update(meta)
    return build_scenario(
        m,
        nodes_frame(None) if nodes is None else nodes,
        presets_frame(None) if presets is None else presets,
    )


def node_table(*rows: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame(
        [dict(zip(("name", "equation", "unit", "description"), r, strict=False)) for r in rows],
        columns=list(NODE_COLUMNS),
    )


def preset_table(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(
        [dict(zip(PRESET_COLUMNS, r, strict=False)) for r in rows], columns=list(PRESET_COLUMNS)
    )


def assert_same_samples(a, b, seed: int) -> None:
    pd.testing.assert_frame_equal(a.scm.sample(500, seed=seed), b.scm.sample(500, seed=seed))
    assert list(a.presets) == list(b.presets)
    for name, preset in a.presets.items():
        pd.testing.assert_frame_equal(
            a.scm.sample(500, seed=seed, interventions=preset),
            b.scm.sample(500, seed=seed, interventions=b.presets[name]),
        )


# -- the starter world and copies of the built-in worlds ---------------------------------
def test_blank_template_is_a_valid_two_node_world() -> None:
    result = build()
    assert result.ok and not result.messages()
    sc = result.scenario
    assert sc.scm.nodes == ("x", "y")
    assert sc.target == "y" and sc.features == ("x",)
    assert list(result.graph.edges) == [("x", "y")]
    df = sc.scm.sample(20_000, seed=3)
    assert abs(np.polyfit(df["x"], df["y"], 1)[0] - 2.0) < 0.05  # y = 2x + noise
    assert list(sc.presets) == ["Set x to 1"]
    assert (sc.scm.sample(10, seed=0, interventions=sc.presets["Set x to 1"])["x"] == 1.0).all()


@pytest.mark.parametrize("sid", BUILTINS)
@pytest.mark.parametrize("seed", [0, 7])
def test_a_copy_of_every_builtin_gives_identical_samples(sid: str, seed: int) -> None:
    original = load_scenario(sid)
    result = build_scenario(meta_from(original), nodes_frame(original), presets_frame(original))
    assert result.ok, result.messages()
    assert_same_samples(original, result.scenario, seed)
    assert scenario_to_toml(result.scenario) == scenario_to_toml(original)
    assert result.scenario.causal_features == original.causal_features
    assert result.scenario.scm.latent == original.scm.latent


@pytest.mark.parametrize("sid", BUILTINS)
def test_toml_round_trip_gives_identical_samples(sid: str) -> None:
    original = load_scenario(sid)
    text = scenario_to_toml(original)
    assert_same_samples(original, scenario_from_toml(text), seed=11)
    uploaded = scenario_from_upload(text.encode("utf-8"))
    assert_same_samples(original, uploaded, seed=11)
    # and back into the editor tables, and built again
    again = build_scenario(meta_from(uploaded), nodes_frame(uploaded), presets_frame(uploaded))
    assert again.ok and scenario_to_toml(again.scenario) == text


def test_edited_copies_change_only_what_was_edited() -> None:
    original = load_scenario("ldopa")
    nodes = nodes_frame(original)
    nodes.loc[nodes["name"] == "relief", "equation"] = "3 * dopamine + normal(0, 1)"
    result = build_scenario(meta_from(original), nodes, presets_frame(original))
    assert result.ok
    a, b = original.scm.sample(300, seed=1), result.scenario.scm.sample(300, seed=1)
    pd.testing.assert_frame_equal(a.drop(columns="relief"), b.drop(columns="relief"))
    np.testing.assert_allclose(b["relief"] - a["relief"], a["dopamine"])  # the paired noise


# -- per-row errors on nodes ----------------------------------------------------------------
def test_a_typo_gives_a_row_error_with_did_you_mean_and_the_graph_still_draws() -> None:
    nodes = node_table(
        ("dopamine", "normal(0, 1)"),
        ("headache", "0.8 * dopmine + normal(0, 0.3)"),
        ("relief", "2 * dopamine + normal(0, 1)"),
    )
    result = build(nodes, preset_table(), target="relief", features=["headache"])
    assert not result.ok and result.scenario is None
    assert set(result.row_errors) == {1}
    assert "unknown name `dopmine`; did you mean `dopamine`?" in result.row_errors[1]
    assert "Allowed:" not in result.row_errors[1]  # the long list is shown once, not per row
    assert any(m.startswith("Node row 2, `headache`: ") for m in result.messages())
    assert set(result.graph.nodes) == {"dopamine", "headache", "relief"}
    assert list(result.graph.edges) == [("dopamine", "relief")]
    dot = draft_dot(result, {"target": "relief", "features": ["headache"]})
    assert dot is not None and "headache" in dot and "relief" in dot
    nodes.loc[1, "equation"] = "0.8 * dopamine + normal(0, 0.3)"
    fixed = build(nodes, preset_table(), target="relief", features=["headache"])
    assert fixed.ok and ("dopamine", "headache") in fixed.graph.edges


TRIAL_TYPO = "2 * dopamine - 0.5 * headach + normal(0, 1"  # unclosed bracket and a typo


def test_every_problem_of_an_equation_is_listed_even_when_it_does_not_parse() -> None:
    names = ["dose", "dopamine", "headache", "relief"]
    problems = equation_problems(TRIAL_TYPO, names)
    assert len(problems) == 2
    assert "'(' was never closed" in problems[0]
    assert problems[1] == "unknown name `headach`; did you mean `headache`?"
    # it parses, but two names are wrong: the compiler names the first, the scan the other
    both = equation_problems("2 * dopmine + headach", names)
    assert "unknown name `dopmine`; did you mean `dopamine`?" in both[0]
    assert both[1:] == ["unknown name `headach`; did you mean `headache`?"]
    # a misspelt function, a far name, numbers, keyword arguments, constants: said once or not
    mixed = equation_problems("nromal(0, 1e-3) + 2.5E4 * qqqq + normal(loc=pi, sd=1) + (", names)
    assert any("unknown function `nromal`; did you mean `normal`?" in p for p in mixed)
    assert "unknown name `qqqq`." in mixed
    assert not any(w in " ".join(mixed) for w in ("`e`", "`E4`", "`loc`", "`sd`", "`pi`"))
    assert sum("nromal" in p for p in mixed) == 1  # not repeated after the compiler's own
    assert equation_problems("2 * dopamine + normal(0, 1)", names) == []


def test_many_unknown_names_are_capped() -> None:
    text = " + ".join(f"zz{i}" for i in range(12)) + " +"
    problems = equation_problems(text, ["x"])
    assert len(problems) == 1 + 5 + 1 and problems[-1] == "7 more unknown name(s)."


def test_a_broken_row_reports_all_its_problems_and_keeps_its_last_valid_arrows() -> None:
    original = load_scenario("ldopa")
    meta, nodes, presets = meta_from(original), nodes_frame(original), presets_frame(original)
    valid = build_scenario(meta, nodes, presets)
    memory = remember_parents({}, valid)
    assert memory["relief"] == ("dopamine",) and memory["dyskinesia"] == ("dopamine", "dose")
    row = int(nodes.index[nodes["name"] == "relief"][0])
    nodes.loc[row, "equation"] = TRIAL_TYPO
    broken = build_scenario(meta, nodes, presets, memory)
    message = broken.row_errors[row]
    assert "'(' was never closed" in message
    assert "Also: unknown name `headach`; did you mean `headache`?" in message
    # relief is not left without causes: its last valid arrow is drawn, marked stale
    assert broken.stale == {"relief": ("dopamine",)}
    assert broken.graph.edges["dopamine", "relief"]["stale"] is True
    assert broken.graph.nodes["relief"]["error"] and not broken.graph.nodes["dopamine"]["error"]
    assert "relief" not in broken.parents and broken.parents["headache"] == ("dopamine",)
    assert not any(d.get("stale") for a, b, d in broken.graph.edges(data=True) if b != "relief")
    assert draft_notes(broken) == [
        "`relief`: showing its last valid equation's arrows (dashed grey) until its equation "
        "is fixed."
    ]
    # the memory keeps relief's last valid parents while it stays broken
    assert remember_parents(memory, broken)["relief"] == ("dopamine",)
    # without a memory (e.g. a world uploaded broken), no arrows, and the note says so
    bare = build_scenario(meta, nodes, presets)
    assert bare.stale == {"relief": ()} and bare.graph.in_degree("relief") == 0
    assert draft_notes(bare) == ["`relief`: no arrows into it until its equation is fixed."]
    # fixed: new arrows, none stale, and the memory follows the new equation
    nodes.loc[row, "equation"] = "2 * dopamine - 0.5 * headache + normal(0, 1)"
    fixed = build_scenario(meta, nodes, presets, memory)
    assert fixed.ok and fixed.stale == {} and draft_notes(fixed) == []
    assert remember_parents(memory, fixed)["relief"] == ("dopamine", "headache")
    assert not any(d.get("stale") for *_, d in fixed.graph.edges(data=True))


def test_remembered_parents_that_are_no_longer_nodes_are_not_drawn() -> None:
    nodes = node_table(("a", "normal()"), ("b", "normal()"), ("y", "a + b"))
    memory = remember_parents({}, build(nodes, target="y", features=["a"]))
    nodes.loc[1, "name"] = "b2"  # renamed: y's equation now reads an unknown name
    result = build_scenario(
        {**blank_meta(), "target": "y", "features": ["a"]}, nodes, preset_table(), memory
    )
    assert "unknown name `b`; did you mean `b2`?" in result.row_errors[2]
    assert result.stale == {"y": ("a",)}
    assert set(result.graph.in_edges("y")) == {("a", "y")}
    # the memory forgets b (gone from the table) and keeps y's old parents
    assert remember_parents(memory, result) == {"a": (), "b2": (), "y": ("a", "b")}
    # a memory of the wrong shape is ignored, never an error
    odd = build_scenario(blank_meta(), nodes, preset_table(), {"y": "a", "zz": 3})  # type: ignore[dict-item]
    assert odd.stale == {"y": ("a",)}


def test_a_row_with_a_bad_unit_still_draws_its_arrows_and_reports_both_problems() -> None:
    nodes = node_table(("x", "normal()"), ("y", "2 * x + zz", "<b>kg</b>"))
    result = build(nodes)
    assert "HTML tag" in result.row_errors[1] and "Also: " in result.row_errors[1]
    assert "unknown name `zz`" in result.row_errors[1]
    nodes.loc[1, "equation"] = "2 * x"
    result = build(nodes)
    assert "HTML tag" in result.row_errors[1] and ("x", "y") in result.graph.edges
    assert result.graph.nodes["y"]["error"] and result.stale == {}


def test_the_drawn_graph_marks_broken_nodes_and_stale_arrows() -> None:
    nodes = node_table(("x", "normal()"), ("w", "normal()"), ("y", "2 * x + w"))
    meta = {"target": "y", "features": ["x"]}
    memory = remember_parents({}, build(nodes, **meta))
    clean = draft_dot(build(nodes, **meta), meta)
    assert clean is not None and "dashed" not in clean and "#C62828" not in clean
    nodes.loc[2, "equation"] = "2 * x + (w"
    result = build_scenario({**blank_meta(), **meta}, nodes, preset_table(), memory)
    dot = draft_dot(result, meta)
    assert dot is not None and dot.rstrip().endswith("}")
    ids = dict(re.findall(r'^  (\w+) \[label="(\w+)', dot, re.MULTILINE))
    by_name = {name: i for i, name in ids.items()}
    assert set(by_name) == {"x", "w", "y"}
    y = by_name["y"]
    # y is outlined in the error colour (a later statement adds to its attributes)
    assert re.search(rf'^  {y} \[color="#C62828", penwidth=3\.5', dot, re.MULTILINE)
    for parent in ("x", "w"):
        line = next(ln for ln in dot.splitlines() if ln.startswith(f"  {by_name[parent]} -> {y}"))
        assert 'style="dashed"' in line and 'arrowhead="empty"' in line
    assert dot.count(" -> ") == 2  # each stale arrow drawn once, no plain copy of it


def test_a_cycle_is_named_and_its_rows_marked() -> None:
    nodes = node_table(("x", "y + 1"), ("y", "x * 2"), ("z", "normal()"))
    result = build(nodes, preset_table(), target="z", features=["x"])
    assert not result.ok
    (cycle,) = [e for e in result.errors if "cycle" in e]
    assert "`x`" in cycle and "`y`" in cycle and "→" in cycle
    assert set(result.row_errors) == {0, 1}
    assert {("x", "y"), ("y", "x")} <= set(result.graph.edges)


def test_a_self_reference_is_a_cycle() -> None:
    result = build(node_table(("x", "x + 1"), ("y", "x")))
    assert any("cycle: `x` → `x`" in e for e in result.errors)


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("", "give this node a name"),
        ("2x", "is not valid"),
        ("blood pressure", "is not valid"),
        ("exp", "reserved"),
        ("lambda", "reserved"),
        ("<script>alert(1)</script>", "is not valid"),
        ("[x](javascript:alert(1))", "is not valid"),
        ("a" * 41, "is not valid"),
    ],
)
def test_bad_names_are_row_errors_shown_inert(name: str, fragment: str) -> None:
    result = build(node_table(("x", "normal()"), (name, "2 * x"), ("y", "x")))
    assert fragment in result.row_errors[1]
    msg = result.row_errors[1]
    assert "<script>" not in msg and "](javascript" not in msg
    assert "y" in result.graph and "x" in result.graph


def test_duplicate_names_are_a_row_and_model_error() -> None:
    result = build(node_table(("x", "normal()"), ("y", "x"), ("x", "1")))
    assert "already the name of row 1" in result.row_errors[2]
    assert any("defined twice (rows 1 and 3)" in e for e in result.errors)


@pytest.mark.parametrize(
    ("equation", "fragment"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("x +", "at the end"),
        ("(x + 1", "character 1"),
        ("__import__('os')", "unknown function"),
        ("x.__class__", "attribute access"),
        ("log(0)", "not a finite number"),
    ],
)
def test_bad_equations_point_at_the_row_and_column(equation: str, fragment: str) -> None:
    result = build(node_table(("x", "normal()"), ("y", equation)))
    assert fragment in result.row_errors[1]


def test_rows_that_give_nan_in_a_trial_sample_are_reported() -> None:
    result = build(node_table(("x", "normal()"), ("y", "log(x)")))
    assert "not finite" in result.row_errors[1] and result.scenario is None
    negative_sd = build(node_table(("x", "normal()"), ("y", "normal(0, x)")))
    assert any("`sd` must be ≥ 0" in e for e in negative_sd.errors)


def test_measures_and_observed_columns() -> None:
    nodes = node_table(("z", "normal()"), ("x", "z + normal()"), ("y", "z"))
    nodes["observed"] = [False, True, True]
    nodes["measures"] = ["", "z", ""]
    result = build(nodes, preset_table())
    assert result.ok
    assert result.scenario.scm.latent == ("z",)
    assert result.scenario.causal_features == ("x",)  # a measurement stands in for its cause
    nodes["measures"] = ["", "zz", ""]
    bad = build(nodes, preset_table())
    assert "which is not a node; did you mean `z`?" in bad.row_errors[1]
    nodes["measures"] = ["", "x", ""]
    assert "cannot measure itself" in build(nodes, preset_table()).row_errors[1]


def test_blank_rows_from_the_editor_are_ignored_and_missing_columns_read_blank() -> None:
    nodes = nodes_frame(None).astype(object)  # as the editor gives it, with new empty rows
    nodes.loc[2] = [None, None, None, None, None, None]
    nodes.loc[3] = [np.nan, np.nan, "", "", np.nan, np.nan]
    assert build(nodes).ok
    only_two_columns = pd.DataFrame({"name": ["x", "y"], "equation": ["normal()", "x"]})
    result = build(only_two_columns, preset_table())
    assert result.ok and result.scenario.units == {"x": "", "y": ""}


def test_too_many_nodes() -> None:
    rows = [(f"x{i}", "normal()") for i in range(MAX_NODES + 1)]
    result = build(node_table(*rows), preset_table(), target="x0", features=["x1"])
    assert any(f"at most {MAX_NODES} nodes" in e for e in result.errors)


# -- texts shown on pages -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("title", "<b>x</b>", "HTML tag"),
        ("title", "[x](javascript:alert(1))", "link to a script"),
        ("title", "**bold**", "may only use"),
        ("title", "$x^2$", "may only use"),
        ("title", "", "give the world a title"),
        ("title", "x" * 101, "at most 100"),
        ("story", "hello <script>alert(1)</script>", "HTML tag"),
        ("story", "[x](javascript:alert(1))", "link to a script"),
        ("summary", "<img src=x onerror=alert(1)>", "HTML tag"),
    ],
)
def test_markup_in_the_worlds_texts_is_refused(field: str, value: str, fragment: str) -> None:
    result = build(**{field: value})
    assert not result.ok
    assert any(fragment in e for e in result.errors), result.errors
    for e in result.errors:
        assert "<script>" not in e and "](javascript" not in e


def test_markdown_stays_allowed_where_it_is_meant() -> None:
    story = "Heat raises *both*:\n\n- ice cream\n- drownings, when x < 3"
    assert build(story=story).ok
    assert build(title="L-DOPA and the Tylenol test (2nd try)").ok


def test_markup_in_units_and_descriptions_is_a_row_error() -> None:
    nodes = nodes_frame(None)
    nodes.loc[0, "unit"] = "<i>mg</i>"
    nodes.loc[1, "description"] = "see [here](javascript:alert(1))"
    result = build(nodes)
    assert "HTML tag" in result.row_errors[0] and "link to a script" in result.row_errors[1]


def test_target_and_features_must_be_nodes() -> None:
    assert "choose the target" in " ".join(build(target="").errors)
    assert "the target `yy` is not a node; did you mean `y`?" in build(target="yy").errors
    result = build(features=["x", "w"])
    assert any("`w` are not nodes" in e for e in result.errors)
    result = build(features=["y"])  # the target itself
    assert any("cannot also be a feature" in e for e in result.errors)
    result = build(features=[])
    assert any("at least one feature" in e for e in result.errors)


def test_an_id_is_made_from_the_title_when_there_is_none() -> None:
    result = build(id="", title="Sleep & Coffee: a world!")
    assert result.ok and result.scenario.id == "sleep_coffee_a_world"
    assert build(id="Not An Id!").scenario.id == "not_an_id"


# -- presets --------------------------------------------------------------------------------
def test_presets_group_rows_by_name_in_order() -> None:
    presets = preset_table(
        ("Both", "do", "x", "1", 1.0, "x set and y shifted", "because"),
        ("Both", "shift", "y", "2.5", np.nan, "", ""),
        ("Half", "scale_noise", "y", "3", 0.5, "", ""),
        ("New y", "replace", "y", "-x + normal(0, 1)", 1.0, "", ""),
    )
    result = build(nodes_frame(None), presets)
    assert result.ok, result.messages()
    sc = result.scenario
    assert list(sc.presets) == ["Both", "Half", "New y"]
    assert [iv.kind for iv in sc.presets["Both"]] == ["do", "shift"]
    assert sc.presets["Both"].description == "x set and y shifted"
    assert sc.preset_why["Both"] == "because"
    assert sc.presets["Half"][0].strength == 0.5
    base = sc.scm.sample(100, seed=0)
    both = sc.scm.sample(100, seed=0, interventions=sc.presets["Both"])
    np.testing.assert_allclose(both["y"] - base["y"], 2 * (1 - base["x"]) + 2.5)


@pytest.mark.parametrize(
    ("row", "fragment"),
    [
        (("", "do", "x", "1"), "give this preset a name"),
        (("P", "shfit", "x", "1"), "did you mean `shift`?"),
        (("P", "", "x", "1"), "the kind must be one of"),
        (("P", "do", "xx", "1"), "`xx` is not a node; did you mean `x`?"),
        (("P", "do", "", "1"), "say which node"),
        (("P", "do", "<b>x</b>", "1"), "is not a node"),
        (("P", "do", "x", ""), "the amount is missing"),
        (("P", "do", "x", "one"), "must be a number"),
        (("P", "do", "x", "1,5"), "must be a number"),
        (("P", "shift", "x", "1e999"), "finite"),
        (("P", "scale_noise", "x", "-2"), "must be ≥ 0"),
        (("P", "do", "x", "1", 1.5), "between 0 and 1"),
        (("P", "do", "x", "1", "lots"), "strength must be a number"),
        (("P", "replace", "y", "2 * xz"), "did you mean `x`?"),
        (("P", "replace", "x", "y + 1"), "cycle"),
        (("<script>", "do", "x", "1"), "HTML tag"),
        (("P", "replace", "y", "log(x)"), "not finite"),
    ],
)
def test_bad_preset_rows_say_what_is_wrong(row: tuple, fragment: str) -> None:
    result = build(nodes_frame(None), preset_table(row))
    assert not result.ok
    assert fragment in result.preset_errors.get(0, ""), result.messages()
    for m in result.messages():
        assert "<script>" not in m and "<b>" not in m


def test_conflicting_preset_descriptions() -> None:
    presets = preset_table(
        ("P", "do", "x", "1", 1.0, "first"), ("P", "shift", "y", "1", 1.0, "second")
    )
    result = build(nodes_frame(None), presets)
    assert "already has a description (row 1)" in result.preset_errors[1]


def test_preset_rows_are_checked_while_the_target_is_still_missing() -> None:
    result = build(nodes_frame(None), preset_table(("P", "replace", "x", "y")), target="")
    assert "cycle" in result.preset_errors[0]


def test_a_default_row_count_the_world_cannot_sample_quickly_is_refused() -> None:
    eq = " + ".join(["student_t(1) * exp(sin(normal(0, 1)))"] * 8)
    nodes = pd.DataFrame([{"name": f"v{i}", "equation": eq} for i in range(60)])
    meta = {**blank_meta(), "target": "v59", "features": ["v0"], "default_n": 100_000}
    result = build_scenario(meta, nodes, presets_frame(None).iloc[:0])
    assert not result.ok
    (message,) = result.errors
    most = SCM.from_dict({"nodes": {f"v{i}": eq for i in range(60)}}).max_rows()
    assert "100,000 rows by default is too many" in message and f"at most {most:,} rows" in message
    meta["default_n"] = 5000
    assert most >= 5000 and build_scenario(meta, nodes, presets_frame(None).iloc[:0]).ok


# -- upload ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"\xff\xfe\x00x", "not UTF-8"),
        (b"id = [", "not a valid scenario file"),
        (b"data/scenarios/ldopa.toml", "not a valid scenario file"),  # never a path
        (b'id = "x"\ntitle = "t"\n', "[nodes]"),
        (b"x" * 300_000, "at most 200,000"),
        ("[a]\n" + "b = [" * 2000, "not a valid scenario file"),
        # tomllib recurses once per level: deep nesting must not leak a RecursionError
        (("a=" + "[" * 5000 + "]" * 5000).encode(), "nested too deeply"),
        ("a=" + "{b=" * 2000 + "1" + "}" * 2000, "nested too deeply"),
    ],
)
def test_bad_uploads_raise_scenario_error(data, fragment: str) -> None:
    with pytest.raises(ScenarioError) as info:
        scenario_from_upload(data)
    assert fragment in str(info.value)


def test_upload_with_a_bom_is_read() -> None:
    text = scenario_to_toml(load_scenario("ldopa"))
    sc = scenario_from_upload(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert sc.id == "ldopa"


# -- never raises --------------------------------------------------------------------------
cells = st.one_of(
    st.none(),
    st.just(np.nan),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=True),
    st.sampled_from(["x", "y", "z", "normal()", "x +", "2 * x", "do", "shift", "replace", "1"]),
    st.text(max_size=12),
)


@settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    st.lists(st.lists(cells, min_size=6, max_size=6), max_size=5),
    st.lists(st.lists(cells, min_size=7, max_size=7), max_size=4),
    st.dictionaries(
        st.sampled_from(["id", "title", "summary", "story", "target", "features", "default_n"]),
        cells,
    ),
)
def test_build_never_raises_on_any_cells(node_rows, preset_rows, meta) -> None:
    nodes = pd.DataFrame(node_rows, columns=list(NODE_COLUMNS))
    presets = pd.DataFrame(preset_rows, columns=list(PRESET_COLUMNS))
    result = build_scenario(meta, nodes, presets)
    assert result.ok == (result.scenario is not None)
    if not result.ok:
        assert result.messages()
    draft_dot(result, meta)


def test_build_never_raises_on_wrong_types() -> None:
    for nodes, presets, meta in [
        (None, None, None),
        ("nodes", 3, {}),
        ({"name": ["x"], "equation": ["normal()"]}, [], {"title": 5, "target": "x"}),
    ]:
        result = build_scenario(meta, nodes, presets)  # type: ignore[arg-type]
        assert not result.ok and result.messages()


def test_a_pasted_sheet_of_thousands_of_rows_is_capped_before_it_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only the first MAX_TABLE_ROWS rows are read: 5,000 rows cost what 200 do."""
    import lib.world.builder as builder_module

    compiled: list[str] = []
    compile_ = builder_module.compile_equation

    def counting_compile(text, names=()):  # noqa: ANN001, ANN202 - the engine's own types
        compiled.append(text)
        return compile_(text, names)

    monkeypatch.setattr(builder_module, "compile_equation", counting_compile)
    rows = [(f"x{i}", "normal()") for i in range(5000)]
    result = build(node_table(*rows), preset_table(), target="x0", features=["x1"])
    assert any(f"at most {MAX_TABLE_ROWS} are read" in e for e in result.errors)
    assert any(f"at most {MAX_NODES} nodes" in e for e in result.errors)
    assert 0 < len(compiled) <= MAX_TABLE_ROWS
    # a sheet of just MAX_TABLE_ROWS rows does the same work
    compiled_200 = len(compiled)
    compiled.clear()
    build(node_table(*rows[:MAX_TABLE_ROWS]), preset_table(), target="x0", features=["x1"])
    assert len(compiled) == compiled_200


def test_changed_equations_names_rewritten_added_and_removed_nodes() -> None:
    original = load_scenario("ldopa")
    equations = {n: spec.equation for n, spec in original.scm.specs.items()}
    nodes = nodes_frame(original)
    assert changed_equations(equations, nodes) == []
    nodes.loc[5, "equation"] = "  2*dopamine +normal( 0,1 ) "  # spacing only
    assert changed_equations(equations, nodes) == []
    nodes.loc[5, "equation"] = "2 * dopamine - 0.5 * headache + normal(0, 1)"
    assert changed_equations(equations, nodes) == ["relief"]
    nodes.loc[1, "name"] = "dopa mine"  # not a valid name: dopamine is gone
    nodes.loc[6] = ["extra", "normal()", "", "", True, ""]
    nodes.loc[7] = [None] * len(NODE_COLUMNS)  # the editor's blank row
    assert changed_equations(equations, nodes) == ["relief", "extra", "dopamine"]
    # words stay apart: `not x` is not `notx`
    assert changed_equations({"y": "not x"}, node_table(("y", "notx"))) == ["y"]


def test_a_rename_is_one_valid_name_changed_for_a_new_one() -> None:
    before = nodes_frame(None)
    after = before.copy()
    after.loc[0, "name"] = "rain"
    assert find_rename(before, after) == ("x", "rain")
    after.loc[0, "name"] = "y"  # already a name: a duplicate, not a rename
    assert find_rename(before, after) is None
    after.loc[0, "name"] = "9x"  # not a valid name
    assert find_rename(before, after) is None
    grown = pd.concat([before, node_table(("z", "normal()"))], ignore_index=True)
    assert find_rename(before, grown) is None  # a new row is not a rename
    assert find_rename(before, before) is None


def test_a_renamed_node_is_carried_into_equations_presets_and_new_equations() -> None:
    nodes = node_table(("x", "normal()"), ("xy", "2 * x + x**2 + normal(0, 1)"), ("m", "x"))
    nodes["measures"] = ["", "", "x"]
    presets = preset_table(
        ("Set x to 1", "do", "x", "1.0", 1.0),
        ("Swap", "replace", "xy", "3 * x + exp(x)", 1.0),
        ("Other", "shift", "xy", "2", 1.0),
    )
    nodes.loc[0, "name"] = "rain"
    new_nodes, new_presets, places = rename_node(nodes, presets, "x", "rain")
    assert list(new_nodes["equation"]) == ["normal()", "2 * rain + rain**2 + normal(0, 1)", "rain"]
    assert new_nodes.loc[2, "measures"] == "rain"
    assert list(new_presets["node"]) == ["rain", "xy", "xy"]  # `xy` is another name
    assert new_presets.loc[1, "amount"] == "3 * rain + exp(rain)"
    assert places == [
        "the equation of `xy`",
        "the equation of `m`",
        "the preset “Set x to 1”",
        "the preset “Swap”",
    ]
    # the tables given are not changed, and the renamed world builds
    assert nodes.loc[1, "equation"].startswith("2 * x")
    assert build(new_nodes, new_presets, target="xy", features=["rain"]).ok


def test_a_name_is_not_renamed_inside_longer_names_calls_or_keywords() -> None:
    nodes = node_table(("e", "normal()"), ("y", "exp(e) + e2 + normal(loc=e, scale=1) + 1e5"))
    new_nodes, _, _ = rename_node(nodes, preset_table(), "e", "k")
    assert new_nodes.loc[1, "equation"] == "exp(k) + e2 + normal(loc=k, scale=1) + 1e5"
