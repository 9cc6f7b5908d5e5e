"""Pages on a table: upload, set-up, both models, leave-one-environment-out (AppTest)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib.tables.setup import TableSetup as TableSetup_
from tests.apptest import (
    DATA,
    INTERVENTIONS,
    MODELS,
    PAGE_FILES,
    assert_clean,
    go,
    open_page,
    texts,
)


def hospitals_csv(seed: int = 0, x_shift: float = 0.0) -> bytes:
    """x causes y; s is caused by y with a slope that differs by hospital.

    ``x_shift``: how far x's mean moves from one hospital to the next (ICP needs it).
    """
    rng = np.random.default_rng(seed)
    frames = []
    for k, (hospital, slope) in enumerate((("north", 1.0), ("south", 1.0), ("east", -1.5))):
        x = rng.normal(loc=k * x_shift, size=150)
        y = 2.0 * x + rng.normal(scale=0.5, size=150)
        s = slope * y + rng.normal(scale=0.2, size=150)
        frames.append(pd.DataFrame({"hospital": hospital, "x": x, "s": s, "y": y}))
    return pd.concat(frames).to_csv(index=False, sep=";").encode("utf-8")


def table_session(page: str | None = None, **params: str) -> AppTest:
    return open_page(page, **{"source": "table", **params})


def upload(at: AppTest, content: bytes, name: str = "hospitals.csv") -> AppTest:
    at.file_uploader[0].upload(name, content, "text/csv")
    return at.run()


def setup(at: AppTest, target: str, features: list[str], env: str, edges: str) -> AppTest:
    at.selectbox(key="w_t_target").set_value(target).run()
    at.multiselect(key="w_t_features").set_value(features).run()
    at.selectbox(key="w_t_env").set_value(env).run()
    area = next(t for t in at.text_area if str(t.key).startswith("w_t_edges_"))
    area.input(edges).run()
    return at


@pytest.mark.parametrize("page", [None, *PAGE_FILES])
def test_every_page_runs_on_a_table(page):
    at = table_session(page)
    assert_clean(at)
    assert at.sidebar.selectbox(key="w_table").value.startswith("dataset:")


def test_the_sidebar_switch_moves_every_page_to_a_table_and_back():
    at = open_page()
    at.sidebar.segmented_control(key="w_source").set_value("table").run()
    assert_clean(at)
    assert at.query_params["source"] == ["table"] or at.query_params["source"] == "table"
    go(at, DATA)
    assert at.file_uploader, "the Data page offers an upload for tables"
    at.sidebar.segmented_control(key="w_source").set_value("scenario").run()
    assert_clean(at)
    assert not at.file_uploader


def test_upload_setup_models_and_leave_one_environment_out():
    at = upload(table_session(DATA), hospitals_csv())
    assert_clean(at)
    assert at.sidebar.selectbox(key="w_table").value.startswith("upload:")
    report = texts(at)
    assert "450" in report  # rows read
    setup(at, "y", ["x", "s"], "hospital", "x -> y\ns")
    assert not at.exception
    # a line without an arrow is a clear error, and the graph keeps its last edges
    assert any("line 2" in e.value for e in at.error), [e.value for e in at.error]
    area = next(t for t in at.text_area if str(t.key).startswith("w_t_edges_"))
    area.input("x -> y\ny -> s").run()
    assert_clean(at)
    legend = " ".join(c.value for c in at.caption)
    assert "the **target** the models predict" in legend and "unobserved" not in legend

    go(at, MODELS)
    assert_clean(at)
    labels = [m.label for m in at.metric]
    assert any("RMSE" in label for label in labels)
    # the same page as a world's: coefficients and predicted against actual, both kinds
    keys = sorted(c.key for c in at.get("plotly_chart"))
    assert keys == ["coef_causal", "coef_predictive", "fit_causal", "fit_predictive"]
    assert "`x`" in texts(at)

    go(at, INTERVENTIONS)
    assert_clean(at)
    assert "it never saw" in "\n".join(i.value for i in at.info)
    table = at.dataframe[-1].value
    assert set(table["kind"]) == {"predictive", "causal"}
    held = table.columns[0]
    east = table[table[held] == "east"].set_index("model")
    assert (
        east.loc["Linear · all features", "rmse"] > 2 * east.loc["Linear · declared causes", "rmse"]
    )


def test_without_declared_causes_the_causal_model_is_labelled_intercept_only():
    """Its metrics say "Intercept only", never "Trees", and R² is never "-0.00"."""
    at = upload(table_session(DATA), hospitals_csv())
    setup(at, "y", ["x", "s"], "hospital", "")
    go(at, MODELS)
    assert_clean(at)
    labels = [m.label for m in at.metric]
    assert labels.count("Intercept only · RMSE") == 1, labels
    assert labels.count("Intercept only · R²") == 1, labels
    assert labels.count("Trees · RMSE") == 1  # the predictive trees only
    assert all(m.value != "-0.00" for m in at.metric), [m.value for m in at.metric]
    assert "predicts the average" in texts(at)


def test_a_bad_upload_keeps_the_table_that_was_open():
    at = upload(table_session(DATA), hospitals_csv())
    before = at.sidebar.selectbox(key="w_table").value
    at = upload(at, b"a,b\n1,2,3\n4\n", "broken.csv")
    assert any("broken.csv" in e.value for e in at.error)
    assert not at.exception
    assert at.sidebar.selectbox(key="w_table").value == before


def test_a_link_opens_a_real_panel_with_its_setup():
    at = table_session(INTERVENTIONS, table="grunfeld", target="invest", env="firm")
    assert_clean(at)
    assert at.sidebar.selectbox(key="w_table").value == "dataset:grunfeld"
    assert at.dataframe, "the leave-one-firm-out table is shown"


def test_a_bad_table_link_falls_back_with_a_notice():
    at = table_session(None, table="grunfeldd", target="nope")
    assert not at.exception
    assert any("grunfeld" in w.value for w in at.warning)


def hostile_csv() -> bytes:
    rng = np.random.default_rng(1)
    rows = []
    for site in ("[click me](https://evil.example)", "<b>north</b>", "plain"):
        x = rng.normal(size=40)
        for xi in x:
            rows.append(
                {
                    "**site** [l](https://e.x)": site,
                    "x": xi,
                    ":red[const]": 1.0,
                    "y": 2 * xi + rng.normal(),
                }
            )
    return pd.DataFrame(rows).to_csv(index=False).encode("utf-8")


_CODE_SPAN = re.compile(r"`[^`]*`")
#: A live Markdown link; the lab's own links within a page (Home's "[Words used here](#…)")
#: go nowhere else and are not a name's.
_LIVE_LINK = re.compile(r"(?<!\\)\]\((?!#[a-z-]+\))")


def page_markdown(at: AppTest) -> list[str]:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [h.value for h in at.subheader] + [h.value for h in at.title]
    for kind in (at.info, at.warning, at.error, at.success):
        parts += [e.value for e in kind]
    return [str(p) for p in parts]


def test_names_from_a_hostile_file_stay_inert_on_every_page():
    at = upload(table_session(DATA), hostile_csv(), "[fn](https://evil.example) **x**.csv")
    at.selectbox(key="w_t_target").set_value("y").run()
    at.multiselect(key="w_t_features").set_value(["x", ":red[const]"]).run()
    at.selectbox(key="w_t_env").set_value("**site** [l](https://e.x)").run()
    seen = []
    for page in [DATA, *PAGE_FILES, None]:
        if page is not None:
            go(at, page)
        else:
            at.switch_page("app.py").run()
        assert not at.exception, (page, [e.message for e in at.exception])
        for text in page_markdown(at):
            outside = _CODE_SPAN.sub("", text)
            assert not _LIVE_LINK.search(outside), (page, text)
            assert "<b>north" not in outside, (page, text)
            seen.append(text)
    # the names are shown (escaped), not dropped
    assert any("click me" in t for t in seen)
    assert any("site" in t for t in seen)


def test_a_link_cannot_pick_an_environment_column_the_pickers_cannot_offer():
    at = table_session(DATA, table="grunfeld", target="invest", features="capital", env="value")
    assert not at.exception
    assert any("cannot mark environments" in w.value for w in at.warning)
    # the link's other choices apply; the environment keeps the table's default
    assert at.selectbox(key="w_t_env").value == "firm"
    assert at.multiselect(key="w_t_features").value == ["capital"]
    assert "`firm`" in at.sidebar.caption[0].value


def test_the_edge_list_follows_when_a_column_is_no_longer_chosen():
    at = upload(table_session(DATA), hospitals_csv())
    setup(at, "y", ["x", "s"], "hospital", "x -> y\ny -> s")
    assert not at.error
    at.multiselect(key="w_t_features").set_value(["s"]).run()
    area = next(t for t in at.text_area if str(t.key).startswith("w_t_edges_"))
    assert "x" not in area.value.replace("->", "")
    assert not at.error, [e.value for e in at.error]


def test_stop_and_show_names_the_first_bad_cell_as_read():
    text = hospitals_csv().decode().splitlines()
    cells = text[4].split(";")
    cells[1] = "oops"
    text[4] = ";".join(cells)
    at = upload(table_session(DATA), "\n".join(text).encode(), "oops.csv")
    at.radio(key="w_t_policy").set_value("fail").run()
    go(at, MODELS)
    assert any("'oops'" in e.value for e in at.error), [e.value for e in at.error]


def test_icp_can_choose_the_causal_models_inputs():
    from lib.ui.invariance_table import icp_edges

    assert icp_edges(
        TableSetup_("y", ("x", "s"), "h", (("x", "s"), ("s", "y"))), frozenset({"x"})
    ) == (
        ("x", "s"),
        ("x", "y"),
    )
    at = upload(table_session(DATA), hospitals_csv(x_shift=1.0))
    setup(at, "y", ["x", "s"], "hospital", "s -> y")
    go(at, "pages/4_Invariance.py")
    assert not at.exception
    button = next(b for b in at.button if "Use ICP's causes" in b.label)
    assert "`x`" in button.label
    button.click().run()
    assert not at.exception
    go(at, MODELS)
    assert "**Uses** `x`: the causes you declared" in texts(at)


def test_the_data_page_is_one_body_a_table_gets_the_clues_too() -> None:
    """The rows, the heatmap and the clues are the same sections for a table as for a world."""
    at = upload(table_session(DATA), hospitals_csv())
    setup(at, "y", ["x", "s"], "hospital", "x -> y")
    assert_clean(at)
    clue = next(d.value for d in at.dataframe if "causal input" in d.value.columns)
    assert set(clue["variable"]) == {"x", "s"}
    assert dict(zip(clue["variable"], clue["causal input"], strict=True)) == {"x": True, "s": False}
    keys = {c.key for c in at.get("plotly_chart")}
    assert "heatmap" in keys and "pairs" not in keys  # a scatter matrix only for a world
    assert "Clues to `y`" in texts(at)


def test_the_strongest_clue_before_any_cause_is_declared_says_nothing_is_known() -> None:
    """Issue 24: before any arrow is drawn the clue is not called a non-cause."""
    at = upload(table_session(DATA), hospitals_csv())
    setup(at, "y", ["x", "s"], "hospital", "")
    assert_clean(at)
    said = next(t for t in texts(at).split("\n") if "The strongest clue" in t)
    assert "no cause is declared yet" in said and "not** a cause" not in said
    setup(at, "y", ["x", "s"], "hospital", "x -> y")
    said = next(t for t in texts(at).split("\n") if "The strongest clue" in t)
    assert "no cause is declared" not in said
