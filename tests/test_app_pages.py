"""Page tests with Streamlit's AppTest: every page runs clean; widgets change what they should.

Each test starts a fresh session on ``app.py`` (the entry point, as the server does),
optionally with URL query parameters, and moves between the files in ``pages/`` with
``AppTest.switch_page`` (the helpers are in tests/apptest.py).
"""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from lib.world.scenarios import list_scenarios, load_scenario
from tests.apptest import (
    DATA,
    INTERVENTIONS,
    MODELS,
    PAGE_FILES,
    ROOT,
    assert_clean,
    go,
    open_page,
    texts,
)


def explanation(at: AppTest) -> str:
    """The Interventions page's plain explanation (the Markdown that names every model)."""
    found = [m.value for m in at.markdown if "causes only" in m.value and "×" in m.value]
    assert found, "no explanation on the page"
    return found[0]


def preview(at: AppTest):
    """The Data page's sample preview (the dataframe with the target's column)."""
    sc = load_scenario(at.session_state["lab_state"].scenario)
    frames = [d.value for d in at.dataframe if sc.target in d.value.columns]
    assert frames, "no data preview"
    return frames[0]


def state(at: AppTest):
    return at.session_state["lab_state"]


# ----------------------------------------------------------------------------- smoke


@pytest.mark.parametrize("page", [None, *PAGE_FILES])
def test_every_page_runs_clean(page: str | None) -> None:
    at = open_page(page)
    assert_clean(at)
    assert at.title, "every page has a title"


def test_every_page_file_is_covered() -> None:
    """Every file in pages/ is in the lab's menu, is run above, and is opened in a real browser."""
    from lib.ui.state import PAGES

    menu = {path for name, path in PAGES.items() if name != "Home"}
    assert menu == set(PAGE_FILES), "the menu and the pages/ folder list different pages"
    assert len(PAGE_FILES) >= 5
    browser_tests = " ".join(
        f.read_text(encoding="utf-8") for f in (ROOT / "tests" / "browser").glob("test_*.py")
    )
    for name, path in PAGES.items():
        url = "/" if name == "Home" else f"/{name.replace(' ', '_')}"
        assert f'"{url}' in browser_tests, f"no browser test opens {path} ({url})"


@pytest.mark.parametrize("scenario", list_scenarios())
def test_every_scenario_on_every_page(scenario: str) -> None:
    at = open_page(None, scenario=scenario)
    for page in PAGE_FILES:
        go(at, page)
        assert_clean(at)
        assert state(at).scenario == scenario
    # ...and every preset of it
    go(at, INTERVENTIONS)
    for preset in load_scenario(scenario).presets:
        at.radio(key="w_preset").set_value(preset).run()
        assert_clean(at)
        assert preset in explanation(at)


# ----------------------------------------------------------------------------- Data


def test_changing_the_scenario_changes_the_data_page() -> None:
    ids = list_scenarios()
    assert len(ids) >= 2, "the lab ships several scenarios"
    at = open_page(DATA)
    first = load_scenario(ids[0])
    assert first.title in texts(at)
    before = list(preview(at).columns)

    at.sidebar.selectbox(key="w_scenario").set_value(ids[1]).run()
    assert_clean(at)
    second = load_scenario(ids[1])
    assert state(at).scenario == ids[1]
    assert second.title in texts(at)
    assert first.title not in texts(at)
    assert list(preview(at).columns) != before
    assert at.query_params["scenario"] == ids[1]


def test_the_download_marks_unobserved_columns() -> None:
    from lib.ui import compute

    at = open_page(DATA)
    assert_clean(at)
    header = compute.sample_csv("ldopa", 2000, 0).decode("utf-8").splitlines()[0].split(",")
    assert "dopamine (unobserved)" in header and "dopamine" not in header
    assert "relief" in header
    assert "unobserved columns included and marked" in texts(at)


def test_the_scatter_matrix_says_how_many_rows_it_draws() -> None:
    at = open_page(DATA, n="5000")
    assert "1,000 of the 5,000 rows are drawn" in texts(at)
    at.sidebar.select_slider(key="w_n").set_value(500).run()
    assert "rows are drawn" not in texts(at)


def test_changing_the_seed_changes_the_data_preview() -> None:
    at = open_page(DATA)
    before = preview(at).copy()
    at.sidebar.number_input(key="w_seed").set_value(42).run()
    assert_clean(at)
    after = preview(at)
    assert state(at).seed == 42
    assert not before.equals(after)
    assert at.query_params["seed"] == "42"


def test_changing_rows_changes_the_caption() -> None:
    at = open_page(DATA)
    at.sidebar.select_slider(key="w_n").set_value(500).run()
    assert_clean(at)
    assert state(at).n == 500
    assert "of 500 rows" in texts(at)


# ----------------------------------------------------------------------------- Models


def test_models_page_shows_both_kinds_and_why() -> None:
    at = open_page(MODELS)
    assert_clean(at)
    sc = load_scenario("ldopa")
    page = texts(at)
    assert "fits better in distribution" in page
    for reason in sc.causal.reasons + sc.causal.excluded:
        assert reason in page
    labels = [m.label for m in at.metric]
    assert labels.count("Linear · RMSE") == 2 and labels.count("Trees · R²") == 2
    # the figures of each kind sit under a heading that names the kind
    headings = [m.value for m in at.markdown if "lab-kind-heading" in m.value]
    assert sum("Predictive" in h for h in headings) >= 2
    assert sum("Causal" in h for h in headings) >= 2


def plotly_specs(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def values(array: object) -> list:
    """A plotly array from a figure's JSON: a list, or a typed array in base64."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), array["dtype"]).tolist()
    return list(array)


@pytest.mark.parametrize("scenario", ["ldopa", "icecream"])
def test_coefficient_charts_are_per_sd(scenario: str) -> None:
    from lib.ui import compute

    at = open_page(MODELS, scenario=scenario)
    assert_clean(at)
    sc = load_scenario(scenario)
    charts = [s for s in plotly_specs(at) if "one-SD" in s["layout"]["xaxis"]["title"]["text"]]
    assert len(charts) == 2, "one per-SD coefficient chart per kind"
    exp = compute.experiment(scenario, sc.default_n, 0)
    linear = [m for m in exp.models if m.name.startswith("Linear")]
    for spec, m in zip(charts, linear, strict=True):
        table = m.coef_table(per_sd=True)
        trace = spec["data"][0]
        assert trace["y"] == list(table["term"])  # no intercept row
        assert values(trace["x"]) == pytest.approx(list(table["coef"]))
        assert sc.target in spec["layout"]["xaxis"]["title"]["text"]
    # both charts share one x range, so that they can be compared
    assert charts[0]["layout"]["xaxis"]["range"] == charts[1]["layout"]["xaxis"]["range"]
    assert "one-SD change of each input" in texts(at)
    if scenario == "icecream":
        # per SD, ice cream is the predictive model's big lever, as the story says
        pred = next(m for m in linear if m.kind == "predictive").coef_table(per_sd=True)
        top = pred.set_index("term")["coef"].abs().idxmax()
        assert top == "ice_cream"


# ----------------------------------------------------------------------------- Interventions


def test_choosing_tylenol_explains_the_headache() -> None:
    at = open_page(INTERVENTIONS)
    radio = at.radio(key="w_preset")
    others = [o for o in radio.options if o not in ("Tylenol", "custom")]
    radio.set_value(others[0]).run()  # start from another preset
    assert "headache" not in explanation(at).split("\n\n")[0]

    at.radio(key="w_preset").set_value("Tylenol").run()
    assert_clean(at)
    text = explanation(at)
    assert text.startswith("**Tylenol**")
    assert "`headache`" in text
    assert at.query_params["preset"] == "Tylenol"


def test_changing_the_strength_changes_the_metrics() -> None:
    at = open_page(INTERVENTIONS, preset="Tylenol")
    full = [m.value for m in at.metric]
    at.slider(key="w_strength").set_value(0.5).run()
    assert_clean(at)
    half = [m.value for m in at.metric]
    assert len(full) == len(half) == 4
    assert full != half
    assert at.query_params["strength"] == "0.5"
    at.slider(key="w_strength").set_value(0.0).run()
    assert all(m.delta == "×1.00" for m in at.metric)


def test_build_your_own_intervention() -> None:
    at = open_page(INTERVENTIONS)
    at.radio(key="w_preset").set_value("custom").run()
    at.selectbox(key="w_node").set_value("headache").run()
    at.selectbox(key="w_kind").set_value("do").run()
    at.number_input(key="w_amount").set_value(0.0).run()
    assert_clean(at)
    assert "set `headache` to 0" in explanation(at)
    params = at.query_params
    assert (params["preset"], params["node"], params["kind"], params["amount"]) == (
        "custom",
        "headache",
        "do",
        "0",
    )


def test_a_bad_equation_shows_its_problem_first_and_the_allowed_list_apart() -> None:
    at = open_page(
        INTERVENTIONS, preset="custom", node="headache", kind="replace", equation="foo(dopamine)"
    )
    assert not at.exception
    assert len(at.error) == 1
    message = at.error[0].value
    assert "unknown function `foo`" in message and "Allowed" not in message
    assert any(c.value.startswith("Allowed:") for c in at.caption)


def test_custom_amount_shows_the_nodes_unit() -> None:
    at = open_page(INTERVENTIONS, preset="custom", node="headache", kind="do", amount="0")
    assert_clean(at)
    assert at.number_input(key="w_amount").label == "Value (severity score)"
    assert "Your intervention" in explanation(at)


def test_a_bad_equation_is_a_clear_error_and_is_kept() -> None:
    at = open_page(INTERVENTIONS, preset="custom", node="headache", kind="replace")
    assert_clean(at)
    at.text_input(key="w_equation").input("0.5 * dopmine +").run()
    assert not at.exception
    assert at.error, "a bad equation shows st.error"
    assert "headache" in at.error[0].value
    assert at.text_input(key="w_equation").value == "0.5 * dopmine +"
    # fixing it brings the page back
    at.text_input(key="w_equation").input("0.5 * dopamine + normal(0, 0.4)").run()
    assert_clean(at)
    assert "replace the mechanism of `headache`" in explanation(at)


def test_family_switch_changes_the_before_after_plots() -> None:
    at = open_page(INTERVENTIONS, family="trees")
    assert_clean(at)
    assert state(at).family == "trees"
    assert "Trees · all features: faded dots" in texts(at)
    assert at.query_params["family"] == "trees"


# ----------------------------------------------------------------------------- URL


def test_a_deep_link_is_honoured() -> None:
    at = open_page(
        INTERVENTIONS, scenario="ldopa", n="2000", seed="3", preset="Tylenol", strength="0.5"
    )
    assert_clean(at)
    assert not at.warning
    s = state(at)
    assert (s.scenario, s.n, s.seed, s.preset, s.strength) == ("ldopa", 2000, 3, "Tylenol", 0.5)
    assert at.slider(key="w_strength").value == 0.5
    assert at.radio(key="w_preset").value == "Tylenol"
    assert at.sidebar.number_input(key="w_seed").value == 3
    assert explanation(at).startswith("**Tylenol at 50%**")
    assert at.query_params == {
        "scenario": "ldopa",
        "n": "2000",
        "seed": "3",
        "preset": "Tylenol",
        "strength": "0.5",
        "family": "linear",
    }


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"n": "abc"}, ["`n='abc'`"]),
        ({"scenario": "nope"}, ["`scenario='nope'`"]),
        ({"scenario": "nope", "n": "abc", "seed": "-4"}, ["scenario", "`n='abc'`", "seed"]),
        ({"preset": "Aspirin", "strength": "7"}, ["preset", "strength"]),
    ],
)
def test_bad_link_parameters_fall_back_with_a_warning(params: dict, names: list[str]) -> None:
    at = open_page(INTERVENTIONS, **params)
    assert_clean(at)
    warnings = "\n".join(w.value for w in at.warning)
    for name in names:
        assert name in warnings
    s = state(at)
    default = load_scenario(list_scenarios()[0])
    if "scenario" in params:
        assert s.scenario == default.id
    if "n" in params:
        assert s.n == load_scenario(s.scenario).default_n
    if "strength" in params:
        assert s.strength == 1.0
    # the URL now holds the values in use
    assert at.query_params["n"] == str(s.n)
    assert at.query_params["scenario"] == s.scenario


def test_the_url_is_read_only_on_the_first_run() -> None:
    at = open_page(DATA, seed="5")
    at.sidebar.number_input(key="w_seed").set_value(6).run()
    assert state(at).seed == 6
    go(at, MODELS)
    assert state(at).seed == 6


# ----------------------------------------------------------------------------- sessions


def test_settings_persist_across_pages() -> None:
    at = open_page(DATA)
    at.sidebar.number_input(key="w_seed").set_value(7).run()
    at.sidebar.select_slider(key="w_n").set_value(500).run()

    go(at, MODELS)
    assert_clean(at)
    assert at.sidebar.number_input(key="w_seed").value == 7
    assert at.sidebar.select_slider(key="w_n").value == 500
    assert "500 rows" in texts(at)

    go(at, INTERVENTIONS)
    at.radio(key="w_preset").set_value("Amantadine").run()
    at.slider(key="w_strength").set_value(0.3).run()
    go(at, DATA)
    go(at, INTERVENTIONS)
    assert_clean(at)
    assert at.radio(key="w_preset").value == "Amantadine"
    assert at.slider(key="w_strength").value == pytest.approx(0.3)
    assert at.sidebar.number_input(key="w_seed").value == 7
    assert at.query_params["preset"] == "Amantadine"

    go(at, "app.py")
    assert_clean(at)
    assert state(at).seed == 7


def test_home_links_to_every_page() -> None:
    at = open_page()
    links = [link.proto.page for link in at.get("page_link")]
    assert links[:3] == ["Data", "Models", "Interventions"]


def test_home_tells_the_selected_scenarios_story() -> None:
    at = open_page()
    ldopa, ice = load_scenario("ldopa"), load_scenario("icecream")
    assert ldopa.title in texts(at)
    assert "Apply “Tylenol” and watch which model breaks." in texts(at)

    at.sidebar.selectbox(key="w_scenario").set_value("icecream").run()
    assert_clean(at)
    page = texts(at)
    assert f"The story: {ice.title}" in page
    assert ldopa.title not in page and "Tylenol" not in page
    assert "Apply “Ice cream ban” and watch which model breaks." in page
    graph = at.get("graphviz_chart")[0].proto.spec
    assert "drownings" in graph and "relief" not in graph


def test_home_mirrors_its_state_in_the_url() -> None:
    at = open_page()
    assert at.query_params == {"scenario": "ldopa", "n": "2000", "seed": "0"}
    at.sidebar.number_input(key="w_seed").set_value(9).run()
    assert at.query_params["seed"] == "9"
    # a reload of that address keeps the view
    again = open_page(None, **dict(at.query_params))
    assert_clean(again)
    assert (state(again).scenario, state(again).seed) == ("ldopa", 9)
    ice = open_page(None, scenario="icecream", n="500", seed="4")
    assert (state(ice).scenario, state(ice).n, state(ice).seed) == ("icecream", 500, 4)
    assert load_scenario("icecream").title in texts(ice)


def test_page_links_carry_the_view_so_one_page_is_one_history_entry() -> None:
    at = open_page(DATA, seed="3")
    links = {link.proto.page: link.proto.query_string for link in at.get("page_link")}
    assert parse_qs(links["Models"]) == {
        "scenario": ["ldopa"],
        "n": ["2000"],
        "seed": ["3"],
        "family": ["linear"],
    }
    assert parse_qs(links["Interventions"])["preset"] == ["Tylenol"]
    assert parse_qs(links["Data"]) == {"scenario": ["ldopa"], "n": ["2000"], "seed": ["3"]}


def follow(at: AppTest, link) -> AppTest:
    """Click a page link as the browser does: the new page runs with the link's query."""
    at.query_params.clear()
    for key, values in parse_qs(link.proto.query_string).items():
        at.query_params[key] = values[-1]
    page = next(f for f in PAGE_FILES if f.endswith(f"_{link.proto.page}.py"))
    return go(at, page)


def test_the_home_card_applies_the_first_preset_at_full_strength() -> None:
    """ "3 · Change the world" opens Tylenol at 100%, whatever was chosen last; the rest of
    the view (seed, family) stays."""
    at = open_page(INTERVENTIONS, seed="4")
    at.radio(key="w_preset").set_value("Amantadine").run()
    at.slider(key="w_strength").set_value(0.3).run()
    go(at, "app.py")
    card = next(link for link in at.get("page_link") if link.proto.label == "3 · Change the world")
    assert parse_qs(card.proto.query_string)["preset"] == ["Tylenol"]
    follow(at, card)
    assert_clean(at)
    assert at.radio(key="w_preset").value == "Tylenol"
    assert at.slider(key="w_strength").value == 1.0
    assert (state(at).preset, state(at).strength, state(at).seed) == ("Tylenol", 1.0, 4)
    assert at.query_params["preset"] == "Tylenol" and at.query_params["strength"] == "1"
    # the sidebar's own link to the page keeps the view it was left in
    at.radio(key="w_preset").set_value("Amantadine").run()
    go(at, "app.py")
    sidebar = next(
        link
        for link in at.get("page_link")
        if link.proto.page == "Interventions" and link.proto.label == "Interventions"
    )
    follow(at, sidebar)
    assert state(at).preset == "Amantadine"


def test_editing_a_scenario_file_drops_cached_fits(monkeypatch: pytest.MonkeyPatch) -> None:
    from lib.ui import compute
    from lib.ui import state as ui_state

    at = open_page(MODELS)
    before = compute.experiment("ldopa", 2000, 0)
    assert compute.experiment("ldopa", 2000, 0) is before  # cached
    files = ui_state._scenario_files()
    monkeypatch.setattr(ui_state, "_scenario_files", lambda: (*files, ("new.toml", 1.0)))
    at.run()
    assert_clean(at)
    assert compute.experiment("ldopa", 2000, 0) is not before


@pytest.mark.parametrize(
    "params",
    [
        # the applied model is valid at strength 0, but the sweep reaches a bad strength
        {"kind": "replace", "node": "headache", "equation": "log(dose - 500)", "strength": "0"},
        {"kind": "shift", "node": "dopamine", "amount": "1e308", "strength": "0"},
        {"kind": "do", "node": "headache", "amount": "1.5e308"},
        {"kind": "shift", "node": "headache", "amount": "9e5"},
        {"kind": "replace", "node": "headache", "equation": "exp(dopamine * 300)"},
    ],
)
def test_hostile_custom_interventions_never_show_a_traceback(params: dict) -> None:
    at = open_page(INTERVENTIONS, preset="custom", **params)
    assert not at.exception, [e.message for e in at.exception]


def test_link_notices_stay_inert_text() -> None:
    at = open_page(DATA, seed="1`![p](https://evil.example/p.png)`")
    assert not at.exception
    notices = "\n".join(w.value for w in at.warning)
    assert "seed" in notices and "`![p]" not in notices


def test_two_sessions_do_not_cross_over() -> None:
    a = open_page(INTERVENTIONS, scenario="ldopa", seed="5", preset="Tylenol")
    b = open_page(INTERVENTIONS, scenario="icecream", seed="6", preset="Ice cream ban")
    a.slider(key="w_strength").set_value(0.5).run()
    b.run()
    assert_clean(a)
    assert_clean(b)
    assert (state(a).scenario, state(a).seed, state(a).strength) == ("ldopa", 5, 0.5)
    assert (state(b).scenario, state(b).seed, state(b).strength) == ("icecream", 6, 1.0)
    assert "`headache`" in explanation(a) and "`ice_cream`" in explanation(b)
    assert "`ice_cream`" not in explanation(a)


def test_the_data_models_and_interventions_pages_draw_the_training_sample_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One sample per (world, rows, seed): the Data page's sample is the one the models of
    the Models and Interventions pages learn from (a seed no other test uses, so that the
    worker's caches start empty for it)."""
    from lib.world.scm import SCM

    seed = 918_273
    drawn: list[tuple[int, int]] = []
    original = SCM.sample

    def counting(self: SCM, n: int, seed: int = 0, interventions=()):  # noqa: ANN001, ANN202
        if not self.interventions and not tuple(interventions):
            drawn.append((n, seed))
        return original(self, n, seed, interventions)

    monkeypatch.setattr(SCM, "sample", counting)
    at = open_page(DATA, scenario="ldopa", seed=str(seed))
    assert_clean(at)
    for page in (MODELS, INTERVENTIONS):
        assert_clean(go(at, page))
    n = state(at).n
    assert drawn.count((n, seed)) == 1, drawn
