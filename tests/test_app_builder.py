"""The Builder page with Streamlit's AppTest: build a world, see its graph, download, upload back.

Edits to ``st.data_editor`` are made as the browser sends them: by assigning the
editor's edit state (``edited_rows``, ``added_rows``, ``deleted_rows``) before a run.
The download's bytes are caught where Streamlit stores them (its in-memory media
file storage), so the test uploads back exactly what a user would have saved.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pandas as pd
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from lib.world.scenarios import load_scenario, scenario_from_toml, scenario_to_toml
from lib.world.scm import SCM
from tests.apptest import MODELS, assert_clean, open_page

BUILDER = "pages/7_Builder.py"


def open_builder() -> AppTest:
    return open_page(BUILDER)


def edit(at: AppTest, what: str, **delta: Any) -> AppTest:
    """Apply one edit to the node (``what="nodes"``) or preset table, then rerun."""
    state: dict[str, Any] = {"edited_rows": {}, "added_rows": [], "deleted_rows": []}
    state.update(delta)
    version = at.session_state["builder_version"]
    at.session_state[f"builder_{what}_editor_{version}"] = state
    return at.run()


def errors(at: AppTest) -> str:
    return "\n".join(e.value for e in at.error)


def _walk(node: Any) -> Iterator[Any]:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def graph(at: AppTest) -> str:
    """The DOT source of the page's graph."""
    specs = [n.proto.spec for n in _walk(at._tree) if getattr(n, "type", None) == "graphviz_chart"]
    assert len(specs) == 1, "expected one graph on the page"
    return specs[0]


def button(at: AppTest, label: str) -> Any:
    (found,) = [b for b in at.button if b.label == label]
    return found


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """File name -> bytes of every file a download button offered."""
    got: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def spy(self, path_or_data, mimetype, kind, filename=None):  # noqa: ANN001, ANN202
        if isinstance(path_or_data, bytes) and filename:
            got[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", spy)
    return got


def test_the_page_opens_on_a_valid_starter_world() -> None:
    at = open_builder()
    assert_clean(at)
    assert at.selectbox(key="builder_target").value == "y"
    assert at.multiselect(key="builder_features").value == ["x"]
    assert not button(at, "Use this world").disabled
    assert "->" in graph(at) and "x" in graph(at)


def test_a_new_observed_variable_joins_the_features() -> None:
    """Found by a new user: `z = y + noise` was never a feature, yet every page said the
    predictive model used every observed variable."""
    z = {"name": "z", "equation": "y + normal(0, 0.5)"}
    h = {"name": "h", "equation": "normal(0, 1)", "observed": False}
    at = edit(open_builder(), "nodes", added_rows=[z])  # each edit: the rows added so far
    assert_clean(at)
    assert at.multiselect(key="builder_features").value == ["x", "z"]
    # an unobserved one does not join, and one the user takes out stays out
    at = edit(at, "nodes", added_rows=[z, h])
    assert at.multiselect(key="builder_features").value == ["x", "z"]
    at.multiselect(key="builder_features").set_value(["x"]).run()
    at = edit(at, "nodes", added_rows=[z, h], edited_rows={0: {"unit": "cm"}})
    assert at.multiselect(key="builder_features").value == ["x"]
    button(at, "Use this world").click().run()
    assert_clean(at)
    at.switch_page(MODELS)
    at.run()
    assert_clean(at)
    text = " ".join(m.value for m in at.markdown)
    assert "Every observed variable except the target" not in text
    assert "`z`: observed, but not among this world's features" in text


def test_new_rows_start_with_empty_text_not_none() -> None:
    """Text columns default to "" so that a new row shows blank cells, not a grey None."""
    at = open_builder()
    editors = [n for n in _walk(at._tree) if getattr(n, "type", None) == "dataframe"]
    assert len(editors) == 2
    for editor in editors:
        columns = json.loads(editor.proto.columns)
        text = [c for c in columns.values() if c.get("type_config", {}).get("type") == "text"]
        assert text and all(c.get("default") == "" for c in text), columns


def test_build_a_two_node_world_see_its_graph_download_and_upload_it_back(
    downloads: dict[str, bytes],
) -> None:
    at = open_builder()
    at.text_input(key="builder_title").set_value("Sleep and grades").run()
    # rename the starter's nodes and rewrite the equations, as a person types them
    at = edit(
        at,
        "nodes",
        edited_rows={
            0: {"name": "sleep", "equation": "normal(7, 1)", "unit": "hours"},
            1: {"name": "grade", "equation": "50 + 5 * sleep + normal(0, 5)"},
        },
    )
    # the preset still names `x`, which is like no node: a plain error
    assert "Preset row 1 (Set x to 1): `x` is not a node." in errors(at)
    # a near miss gets a "did you mean", then the fix clears it
    at = edit(at, "presets", edited_rows={0: {"node": "sleeep"}})
    assert "`sleeep` is not a node; did you mean `sleep`?" in errors(at)
    at = edit(at, "presets", edited_rows={0: {"preset": "More sleep", "node": "sleep"}})
    assert_clean(at)
    assert at.selectbox(key="builder_target").value == "grade"
    at.multiselect(key="builder_features").set_value(["sleep"]).run()
    assert_clean(at)
    dot = graph(at)
    assert "sleep" in dot and "grade" in dot and "hours" in dot and "->" in dot
    button(at, "Use this world").click().run()
    assert_clean(at)
    (mine,) = at.session_state["lab_user_scenarios"].values()

    files = {k: v for k, v in downloads.items() if k.endswith(".toml")}
    assert "sleep_and_grades.toml" in files
    text = files["sleep_and_grades.toml"].decode("utf-8")
    built = scenario_from_toml(text)
    assert built.scm.nodes == ("sleep", "grade") and built.target == "grade"
    assert list(built.presets) == ["More sleep"]

    # upload it back in a new session: the same world, the same samples
    other = open_builder()
    other.get("file_uploader")[0].upload("sleep_and_grades.toml", text.encode("utf-8")).run()
    assert_clean(other)
    assert other.text_input(key="builder_title").value == "Sleep and grades"
    assert any("Loaded" in s.value for s in other.success)
    assert "grade" in graph(other)
    saved = other.session_state["builder_nodes"]
    assert list(saved["name"]) == ["sleep", "grade"]
    other.run()  # the same file is not loaded again on the next run
    assert_clean(other)
    button(other, "Use this world").click().run()
    assert_clean(other)
    (theirs,) = other.session_state["lab_user_scenarios"].values()
    assert theirs.id == mine.id  # content ids: the very same world
    typed = SCM.from_dict(
        {"nodes": {"sleep": "normal(7, 1)", "grade": "50 + 5 * sleep + normal(0, 5)"}}
    )
    for seed in (0, 7):
        sample = theirs.scm.sample(500, seed=seed)
        pd.testing.assert_frame_equal(sample, mine.scm.sample(500, seed=seed))
        pd.testing.assert_frame_equal(sample, typed.sample(500, seed=seed))
    assert not theirs.scm.sample(500, seed=0).equals(theirs.scm.sample(500, seed=7))


def test_a_typo_shows_did_you_mean_per_row_and_nothing_breaks() -> None:
    at = open_builder()
    at = edit(at, "nodes", edited_rows={1: {"equation": "2 * xx + normal(0, 1)"}})
    assert not at.exception
    assert "Node row 2, `y`" in errors(at) and "did you mean `x`?" in errors(at)
    assert button(at, "Use this world").disabled
    assert "x" in graph(at)  # the graph still draws what parses
    at = edit(at, "nodes", edited_rows={1: {"equation": "2 * x + normal(0, 1)"}})
    assert_clean(at)


def test_new_rows_extend_the_graph_and_a_cycle_is_named() -> None:
    at = open_builder()
    at = edit(at, "nodes", added_rows=[{"name": "z", "equation": "y - x"}])
    assert_clean(at)
    assert "z" in at.selectbox(key="builder_target").options
    at = edit(
        at,
        "nodes",
        edited_rows={0: {"equation": "z + normal()"}},
        added_rows=[{"name": "z", "equation": "y - 1"}],
    )
    assert "cycle" in errors(at) and "`x` → `y` → `z` → `x`" in errors(at)


def test_a_bad_upload_is_an_error_and_nothing_is_lost() -> None:
    at = open_builder()
    at.text_input(key="builder_title").set_value("Mine").run()
    at.get("file_uploader")[0].upload("bad.toml", b"id = [").run()
    assert not at.exception
    assert "bad.toml" in errors(at) and "not a valid scenario file" in errors(at)
    assert at.text_input(key="builder_title").value == "Mine"
    assert list(at.session_state["builder_saved_nodes"]["name"]) == ["x", "y"]


@pytest.mark.parametrize(
    "text",
    ["a=" + "[" * 5000 + "]" * 5000, "a=" + "{b=" * 2000 + "1" + "}" * 2000],
    ids=["arrays", "tables"],
)
def test_a_deeply_nested_upload_is_an_error_not_a_traceback(text: str) -> None:
    at = open_builder()
    at.get("file_uploader")[0].upload("deep.toml", text.encode(), "application/toml").run()
    assert not at.exception, [e.message for e in at.exception]
    assert "deep.toml" in errors(at) and "nested too deeply" in errors(at)
    assert list(at.session_state["builder_saved_nodes"]["name"]) == ["x", "y"]


def _heavy_toml(default_n: int) -> str:
    """A valid world of 60 costly equations (one sample of 100,000 rows takes seconds)."""
    eq = " + ".join(["student_t(1)*exp(sin(normal(0,1)))"] * 8)
    nodes = "".join(f'[nodes.v{i}]\nequation = "{eq}"\n' for i in range(60))
    return (
        f'id = "heavy"\ntitle = "Heavy"\nsummary = "s"\nstory = ""\ntarget = "v59"\n'
        f'features = ["v0"]\ndefault_n = {default_n}\n{nodes}'
    )


def test_a_costly_world_must_lower_its_default_rows_and_then_offers_only_those() -> None:
    at = open_builder()
    at.get("file_uploader")[0].upload("heavy.toml", _heavy_toml(100_000).encode()).run()
    assert not at.exception, [e.message for e in at.exception]
    assert "100,000 rows by default is too many for this world" in errors(at)
    assert button(at, "Use this world").disabled
    at.number_input(key="builder_default_n").set_value(5000).run()
    assert_clean(at)
    button(at, "Use this world").click().run()
    assert_clean(at)
    most = scenario_from_toml(_heavy_toml(5000)).scm.max_rows()
    at.switch_page("pages/1_Data.py").run()
    assert_clean(at)
    rows = at.select_slider(key="w_n")
    offered = [int(o.replace(",", "")) for o in rows.options]  # shown as "5,000"
    assert max(offered) <= most < 20_000 and 200 in offered and rows.value == 5000


def test_copy_a_builtin_and_use_it_on_every_page() -> None:
    at = open_builder()
    at.selectbox(key="builder_start_choice").set_value("ldopa")
    button(at, "Start").click().run()
    assert_clean(at)
    original = load_scenario("ldopa")
    # a copy is a new world: "My …", so that the sidebar tells the two apart
    assert at.text_input(key="builder_title").value == f"My {original.title}"
    assert at.selectbox(key="builder_target").value == original.target
    at = edit(at, "nodes", edited_rows={5: {"equation": "3 * dopamine + normal(0, 1)"}})
    assert_clean(at)
    button(at, "Use this world").click().run()
    assert_clean(at)
    sid = at.session_state["lab_state"].scenario
    assert sid.startswith("user-")
    assert any("is now the world on every page" in s.value for s in at.success)
    for page in ("pages/1_Data.py", "pages/2_Models.py", "pages/3_Interventions.py"):
        at.switch_page(page).run()
        assert_clean(at)
        assert at.session_state["lab_state"].scenario == sid
    # back on the builder, the edits are still there
    at.switch_page(BUILDER).run()
    assert_clean(at)
    nodes = at.session_state["builder_saved_nodes"]
    assert nodes.loc[nodes["name"] == "relief", "equation"].item() == "3 * dopamine + normal(0, 1)"


def test_a_copy_downloads_the_same_toml_as_the_builtin(downloads: dict[str, bytes]) -> None:
    at = open_builder()
    at.selectbox(key="builder_start_choice").set_value("icecream")
    button(at, "Start").click().run()
    assert_clean(at)
    # the same world under its own id and title, so the file never replaces the built-in one
    builtin = load_scenario("icecream")
    expected = scenario_to_toml(replace(builtin, id="icecream_copy", title=f"My {builtin.title}"))
    assert downloads["icecream_copy.toml"].decode("utf-8") == expected


def test_a_broken_equation_keeps_its_last_arrows_marked_and_lists_every_problem() -> None:
    at = open_builder()
    at.selectbox(key="builder_start_choice").set_value("ldopa")
    button(at, "Start").click().run()
    assert_clean(at)
    assert "#C62828" not in graph(at) and "last valid" not in graph(at)
    at = edit(
        at, "nodes", edited_rows={5: {"equation": "2 * dopamine - 0.5 * headach + normal(0, 1"}}
    )
    assert not at.exception
    # every problem of the row, not only the first
    assert "Node row 6, `relief`" in errors(at)
    assert "'(' was never closed" in errors(at)
    assert "unknown name `headach`; did you mean `headache`?" in errors(at)
    # relief still has its arrow from dopamine, drawn dashed, and is outlined in red
    dot = graph(at)
    stale = [ln for ln in dot.splitlines() if " -> " in ln and "dashed" in ln]
    assert len(stale) == 1 and "dopamine → relief" in stale[0]
    assert 'color="#C62828"' in dot
    captions = "\n".join(c.value for c in at.caption)
    assert "`relief`: showing its last valid equation's arrows" in captions
    # another run (e.g. another widget) keeps the same marks
    at.run()
    assert "dopamine → relief" in graph(at)
    # fixed: the new arrows, no marks
    at = edit(
        at, "nodes", edited_rows={5: {"equation": "2 * dopamine - 0.5 * headache + normal(0, 1)"}}
    )
    assert_clean(at)
    dot = graph(at)
    assert "#C62828" not in dot and "last valid" not in dot
    assert dot.count(" -> ") == 7  # relief now reads headache too
    assert "showing its last valid" not in "\n".join(c.value for c in at.caption)


# The tables' inner width in Chromium with the sidebar open (measured: the grid's scroller
# is 938 px wide at a 1400 px window, 658 px at 1024 px), less the row markers (~34 px).
COLUMNS_AT_1400 = 938 - 34
COLUMNS_AT_1024 = 658 - 34
PRESET_FIRST = ("preset", "kind", "node", "amount")  # the columns to keep in view at 1024 px


def test_every_table_column_has_a_width_and_they_fit_a_1400_px_window() -> None:
    at = open_builder()
    editors = [n for n in _walk(at._tree) if getattr(n, "type", None) == "dataframe"]
    nodes, presets = (json.loads(e.proto.columns) for e in editors)
    for columns, first in ((nodes, ("name", "equation", "unit")), (presets, PRESET_FIRST)):
        widths = {k: c.get("width") for k, c in columns.items() if k != "_index"}
        assert all(isinstance(w, int) and w >= 80 for w in widths.values()), widths
        assert sum(widths.values()) <= COLUMNS_AT_1400, widths
        assert sum(widths[k] for k in first) <= COLUMNS_AT_1024, widths
    assert nodes["equation"]["width"] == max(c["width"] for k, c in nodes.items() if k != "_index")


NOTICE = "The story and the presets' explanations were written for the original world"


def warnings(at: AppTest) -> str:
    return "\n".join(w.value for w in at.warning)


def test_a_copy_whose_equations_change_says_its_story_may_no_longer_be_true() -> None:
    at = open_builder()
    assert NOTICE not in warnings(at)  # the starter world has no story to keep
    at.selectbox(key="builder_start_choice").set_value("ldopa")
    button(at, "Start").click().run()
    assert_clean(at)
    assert NOTICE not in warnings(at)  # a faithful copy: its story is still true
    # only the spacing changes: still the same equations
    at = edit(at, "nodes", edited_rows={5: {"equation": "2*dopamine+normal(0,1)"}})
    assert NOTICE not in warnings(at)
    # relief now reads headache: "Tylenol ... leaves relief untouched" may be false
    at = edit(
        at, "nodes", edited_rows={5: {"equation": "2 * dopamine - 0.5 * headache + normal(0, 1)"}}
    )
    assert_clean(at)
    assert NOTICE in warnings(at) and "check them" in warnings(at)
    assert "Equations changed since the copy: `relief`." in warnings(at)
    # it stays after a visit to another page, and goes when the equation is as before
    at.switch_page("pages/1_Data.py").run()
    at.switch_page(BUILDER).run()
    assert NOTICE in warnings(at)
    at = edit(at, "nodes", edited_rows={5: {"equation": "2 * dopamine + normal(0, 1)"}})
    assert NOTICE not in warnings(at)
    # a deleted node is a change too
    at = edit(at, "nodes", deleted_rows=[2])
    assert "`dopamine_scan`" in warnings(at)
    # a new blank world or an uploaded file has no original to compare with
    at.selectbox(key="builder_start_choice").set_value("blank")
    button(at, "Start").click().run()
    assert NOTICE not in warnings(at)


def test_the_story_notice_is_plain_text_even_for_odd_rows() -> None:
    at = open_builder()
    at.selectbox(key="builder_start_choice").set_value("icecream")
    button(at, "Start").click().run()
    odd = [
        {"name": "<b>x</b>", "equation": "1", "observed": True},
        {"name": "z", "equation": "[a](javascript:1)", "observed": True},
    ]
    at = edit(at, "nodes", added_rows=odd)
    assert NOTICE in warnings(at) and "since the copy: `z`." in warnings(at)
    assert "<b>" not in warnings(at) and "javascript" not in warnings(at)


def test_the_preset_caption_names_every_kind_of_intervention() -> None:
    from lib.world.interventions import KINDS

    at = open_builder()
    (caption,) = [c.value for c in at.caption if "One row per intervention" in c.value]
    assert all(f"(`{k}`)" in caption for k in KINDS), caption
    assert len(caption) < 300  # two lines at 1400 px, not four


def test_renaming_a_node_carries_the_name_into_equations_presets_and_roles() -> None:
    """Found by a student: renaming x to rain left the preset "Set x to 1" on a node
    that no longer existed, its cell blank, while the top said every equation was
    checked and "Use this world" was greyed out."""
    at = edit(open_builder(), "nodes", edited_rows={0: {"name": "rain"}})
    assert_clean(at)
    nodes = at.session_state["builder_saved_nodes"]
    presets = at.session_state["builder_saved_presets"]
    assert list(nodes["name"]) == ["rain", "y"]
    assert nodes.loc[1, "equation"] == "2 * rain + normal(0, 1)"
    assert list(presets["node"]) == ["rain"]
    assert at.multiselect(key="builder_features").value == ["rain"]
    said = " ".join(s.value for s in at.success)
    assert (
        "Renamed `x` to `rain` everywhere it was used: the equation of `y`, "
        "the preset “Set x to 1” and the features." in said
    )
    assert not button(at, "Use this world").disabled
    assert "2 variables and 1 preset, every equation checked" in " ".join(
        c.value for c in at.caption
    )


def node_cell_options(at: AppTest) -> list[Any]:
    """What the preset table's node cells offer."""
    editors = [n for n in _walk(at._tree) if getattr(n, "type", None) == "dataframe"]
    columns = [json.loads(e.proto.columns) for e in editors]
    (node,) = [c["node"] for c in columns if "node" in c]
    return [o.get("value", o) if isinstance(o, dict) else o for o in node["type_config"]["options"]]


def test_the_summary_under_the_equations_lists_the_presets_problems_too() -> None:
    z = {"name": "z", "equation": "normal(0, 1)"}
    at = edit(open_builder(), "nodes", added_rows=[z])
    at = edit(at, "presets", edited_rows={0: {"node": "z"}})
    assert_clean(at)
    at = edit(at, "nodes", added_rows=[])  # z deleted: the preset acts on a node that is gone
    assert button(at, "Use this world").disabled
    assert "every equation checked" not in " ".join(c.value for c in at.caption)
    top = at.error[0].value  # the first error box: under the table of equations
    assert top.startswith("**Fix these to use the world:**")
    assert "Preset row 1 (Set x to 1): `z` is not a node" in top
    assert "(in the presets below)" in top
    # the cell shows what it holds, beside the world's nodes (not a blank cell)
    assert node_cell_options(at) == ["x", "y", "z"]
    assert list(at.session_state["builder_saved_presets"]["node"]) == ["z"]
