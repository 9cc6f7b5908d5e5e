"""The Invariance page with AppTest: scenarios, tables, the strength slider, the power run."""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib.invariance import engine, sweeps
from lib.invariance.compare import sweep_start
from lib.invariance.sweeps import invariance_sweep
from lib.text.numbers import percent
from lib.ui import invariance_views as iv
from lib.ui import registry
from lib.ui.composer import starting_environments
from lib.words.invariance import sweep_caption
from lib.world.environments import OBSERVATIONAL_ENV, Environment
from lib.world.scenarios import list_scenarios, scenario_from_toml
from lib.world.scm import SCM
from tests.apptest import assert_clean, open_page, session, texts

INVARIANCE = "pages/4_Invariance.py"


def open_invariance(**params: str) -> AppTest:
    return open_page(INVARIANCE, **params)


def verdict(at: AppTest) -> str:
    """ICP's verdict in words (the bordered Markdown that opens section 2)."""
    found = [
        m.value
        for m in at.markdown
        if m.value.startswith(("**ICP's estimated", "**No set accepted", "**ICP cannot tell"))
    ]
    assert found, "no ICP verdict on the page"
    return found[0]


def local_verdict(at: AppTest) -> str:
    found = [m.value for m in at.markdown if m.value.startswith("At **")]
    assert found, "no strength verdict on the page"
    return found[0]


# ----------------------------------------------------------------------------- scenarios


def test_default_scenario_runs_clean_with_every_section() -> None:
    at = open_invariance()
    assert_clean(at)
    assert [t.value for t in at.title] == ["Invariance"]
    heads = [h.value for h in at.subheader]
    for start in ("1 ·", "2 ·", "3 ·", "4 ·", "5 ·", "6 ·"):
        assert any(h.startswith(start) for h in heads), heads
    verdict(at)
    # the composer starts from the scenario's environments, one row each
    state = at.session_state["lab_state"]
    start, _ = starting_environments(registry.get_scenario(state.scenario), state.n)
    composer = at.dataframe[0].value
    assert list(composer.columns) == ["environment", "intervention", "strength", "rows"]
    assert composer["environment"].tolist() == [e.name for e in start]
    assert composer["rows"].tolist() == [e.n for e in start]


def test_fever_names_exposure_as_the_cause() -> None:
    at = open_invariance(scenario="fever")
    assert_clean(at)
    assert verdict(at).startswith("**ICP's estimated causes of `infection`: `exposure`.**")
    # the target-changing preset is left out of the starting environments, and said so
    assert "`New variant`" in texts(at)
    # the fresh-sample section: the environments ICP saw, then the worlds none of them was
    assert any(
        h.value == "3 · Better on the worlds you have, broken on a new one" for h in at.subheader
    )
    held = caption_starting(at, "On ")
    assert "environments in ICP's data" in held and "`New variant`" in held


def test_ldopa_names_the_dose_though_dopamine_is_hidden() -> None:
    at = open_invariance(scenario="ldopa")
    assert_clean(at)
    assert verdict(at).startswith("**ICP's estimated causes of `relief`: `dose`.**")
    truth = caption_starting(at, "The truth, which only a simulation knows")
    assert "unobserved (`dopamine`)" in truth and "`dose` is still a cause" in truth


def test_mystery_authors_as_environments() -> None:
    at = open_invariance(scenario="mystery")
    assert_clean(at)
    # the authors shift the style, never how guilt comes about: ICP names both causes
    assert verdict(at).startswith(
        "**ICP's estimated causes of `guilt`: `motive` and `opportunity`.**"
    )


@pytest.mark.parametrize("scenario", list_scenarios())
def test_every_scenario_runs_clean(scenario: str) -> None:
    at = open_invariance(scenario=scenario)
    assert_clean(at)
    verdict(at)


BIG_WORLD = """
id = "big"
title = "Big"
summary = "x causes y"
target = "y"
features = ["x"]
default_n = 50000
[nodes.x]
equation = "normal(0, 1)"
[nodes.y]
equation = "2 * x + normal(0, 1)"
"""


@pytest.mark.parametrize("with_preset", [True, False], ids=["preset", "no-preset"])
def test_a_users_world_with_many_default_rows_starts_within_the_composers_range(
    with_preset: bool,
) -> None:
    preset = '[presets.P]\ninterventions = [{ kind = "shift", node = "x", delta = 1.0 }]\n'
    sc = registry.register(scenario_from_toml(BIG_WORLD + (preset if with_preset else "")))
    at = session()
    at.session_state["lab_user_scenarios"] = {sc.id: sc}
    at.query_params["scenario"] = sc.id
    at.switch_page(INVARIANCE).run()
    assert_clean(at)  # was: "row 1 (`observational`): the number of rows must be from 20 to 20,000"
    assert at.session_state["lab_state"].n == 50_000
    assert any("starts with 20,000 rows" in c.value for c in at.caption)
    # the only cause is found (a world without presets starts with a shift of its feature)
    assert verdict(at).startswith("**ICP's estimated causes of `y`: `x`.**")


def sweep_of(scenario: str, preset: str) -> pd.DataFrame:
    """The page's sweep, computed here (seed 0, the page's sizes)."""
    sc = registry.get_scenario(scenario)
    return invariance_sweep(
        sc,
        [Environment(OBSERVATIONAL_ENV, (), iv.SWEEP_N)],
        preset,
        iv.STRENGTHS,
        n=iv.SWEEP_N,
        seed=0,
    )


def caption_starting(at: AppTest, start: str) -> str:
    found = [c.value for c in at.caption if c.value.startswith(start)]
    assert found, f"no caption starting {start!r}"
    return found[0]


def test_the_strength_slider_starts_where_the_set_still_passes_and_turns_the_verdict() -> None:
    at = open_invariance(scenario="fever")
    assert at.selectbox(key="w_sweep").value == "Paracetamol"
    slider = at.select_slider(key="w_sweep_strength")
    assert "0%" not in slider.options  # no trivial start with two identical environments
    table = sweep_of("fever", "Paracetamol")
    start = sweep_start(table, 0.05)
    assert slider.value == start < 1.0
    before = local_verdict(at)
    assert f"**{percent(start)}**" in before and "**looks invariant**" in before
    assert "it breaks under an intervention stronger than the one checked" in before
    # the chart's caption is the sentence of the numbers the page computed
    expected = sweep_caption(table, 0.05, preset="Paracetamol", target="infection")
    assert caption_starting(at, "The invariance p-value of two sets") == expected
    at.select_slider(key="w_sweep_strength").set_value(1.0).run()
    assert_clean(at)
    after = local_verdict(at)
    assert "**100%**" in after and "**is rejected**" in after


def test_mystery_sweep_never_reads_invariant_at_full_strength() -> None:
    """The review's case: with 300 rows the page said "At 100% of Arthur's habits, the set
    of every feature … looks invariant (p = 1)" after rejecting it at 30%."""
    at = open_invariance(scenario="mystery")
    assert at.selectbox(key="w_sweep").value == "Arthur's habits"
    at.select_slider(key="w_sweep_strength").set_value(1.0).run()
    assert "**is rejected**" in local_verdict(at)
    text = caption_starting(at, "The invariance p-value of two sets")
    assert "a stronger one exposes it" in text
    # another preset starts at its own strength, by the same rule
    at.selectbox(key="w_sweep").set_value("Everyone inherits").run()
    assert_clean(at)
    table = sweep_of("mystery", "Everyone inherits")
    assert at.select_slider(key="w_sweep_strength").value == sweep_start(table, 0.05)
    assert caption_starting(at, "The invariance p-value of two sets") == sweep_caption(
        table, 0.05, preset="Everyone inherits", target="guilt"
    )


def test_the_bend_has_its_own_section_slider_and_verdict() -> None:
    at = open_invariance(scenario="fever")
    assert any(h.value == "5 · A mechanism that bends" for h in at.subheader)
    slider = at.select_slider(key="w_bend")
    start = slider.value
    assert start < 0.75
    bend = [m.value for m in at.markdown if m.value.startswith("With the dose shifted")]
    assert bend and "**passes**" in bend[0]
    slider.set_value(1.0).run()
    assert_clean(at)
    bend = [m.value for m in at.markdown if m.value.startswith("With the dose shifted")]
    assert "**is rejected**" in bend[0] and "up to 3 SD" in bend[0]
    assert "is rejected from" in caption_starting(at, "The straight line's invariance p-value")


def test_alpha_changes_the_level_everywhere() -> None:
    at = open_invariance(scenario="fever")
    at.select_slider(key="w_alpha").set_value(0.2).run()
    assert_clean(at)
    assert "α = 0.2" in local_verdict(at)


def count_calls(
    monkeypatch: pytest.MonkeyPatch, owner: ModuleType | type, name: str
) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Record every call of ``owner.name`` (its arguments), wherever the lab imported it."""
    real = getattr(owner, name)
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append((args, kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counting)
    for loaded in list(sys.modules.values()):
        if loaded is not owner and getattr(loaded, name, None) is real:
            monkeypatch.setattr(loaded, name, counting)
    return calls


def test_power_runs_on_request_and_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_invariance(scenario="fever")
    assert not any("Share of" in c.value for c in at.caption)  # not computed on every run
    runs = count_calls(monkeypatch, sweeps, "icp_power")
    icps = count_calls(monkeypatch, engine, "icp")
    at.button(key="inv_power_run").click().run()
    assert_clean(at)
    assert any("Share of 10 repetitions" in c.value for c in at.caption)
    # one run, bounded by the page's time limit: 10 repetitions at each strength
    ((args, kwargs),) = runs
    assert args[2] == 10 and kwargs["max_seconds"] == iv.POWER_SECONDS
    assert len(icps) == 10 * len(iv.POWER_STRENGTHS)
    at.run()  # the result survives a rerun without the button, and is not computed again
    assert any("Share of 10 repetitions" in c.value for c in at.caption)
    assert len(runs) == 1 and len(icps) == 10 * len(iv.POWER_STRENGTHS)


def test_reruns_compute_nothing_once_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    """A rerun of the same view draws no sample and runs no ICP and no sweep again
    (the rerun's time is a benchmark: bench/bench_rerun.py)."""
    at = open_invariance(scenario="ldopa")
    samples = count_calls(monkeypatch, SCM, "sample")
    icps = count_calls(monkeypatch, engine, "icp")
    swept = count_calls(monkeypatch, sweeps, "invariance_sweep")
    for _ in range(3):
        at.run()
    assert_clean(at)
    verdict(at)
    assert (samples, icps, swept) == ([], [], [])
    # the counting sees work when there is some: a new seed draws and runs ICP anew
    at.sidebar.number_input(key="w_seed").set_value(5).run()
    assert_clean(at)
    assert samples and icps


# ----------------------------------------------------------------------------- tables


def test_a_table_with_an_environment_column() -> None:
    at = open_invariance(source="table", table="ldopa_clinics")
    assert_clean(at)
    verdict(at)
    assert any("held-out" in c.value or "left out" in c.value for c in at.caption)
    assert "clinic" in texts(at)


def test_a_table_without_an_environment_column_points_to_the_data_page() -> None:
    at = open_invariance(source="table", table="longley")
    assert_clean(at)
    assert any("no environment column" in i.value for i in at.info)


def test_grunfeld_says_what_icp_can_and_cannot_conclude() -> None:
    at = open_invariance(source="table", table="grunfeld")
    assert_clean(at)
    assert verdict(at).startswith("**No set accepted:**")
    assert any("can and cannot conclude" in i.value for i in at.info)


def test_many_candidates_on_many_sites_do_not_rerun_icp_per_held_out_site(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """15 candidates on 10 sites: ICP runs on request; the held-out section then reuses its
    set instead of rerunning exact ICP once per site (20 candidates took 50 s that way)."""
    import numpy as np

    from lib.tables.read import read_table
    from lib.tables.setup import TableSetup
    from lib.ui.tables import TableChoice

    p, sites, n = 15, 10, 2000
    rng = np.random.default_rng(0)
    site = np.repeat([f"s{i}" for i in range(sites)], n // sites)
    x = rng.normal(size=(n, p))
    x[:, 0] += (site == "s1") * 1.0
    x[:, 1] *= 1 + (site == "s2")
    df = pd.DataFrame(x, columns=[f"f{i}" for i in range(p)])
    df["y"] = x[:, 0] - x[:, 1] + rng.normal(size=n)
    df["site"] = site
    table = read_table(df.to_csv(index=False).encode(), name="sites.csv")
    setup = TableSetup("y", tuple(f"f{i}" for i in range(p)), "site")
    choice = TableChoice("upload:sites", table, None, setup)
    at = session()
    at.session_state["lab_source"] = "table"
    at.session_state["lab_table_choice"] = choice
    at.session_state["lab_uploads"] = {"upload:sites": choice}
    at.switch_page(INVARIANCE).run()
    assert_clean(at)
    icps = count_calls(monkeypatch, engine, "icp")
    at.button(key="inv_big_run").click().run()
    assert_clean(at)
    assert verdict(at).startswith("**ICP's estimated causes of `y`: `f0` and `f1`.**")
    held = caption_starting(at, "Each model is fitted on every")
    assert "uses the set found on all the data" in held
    assert "rerun without the held-out one" not in held
    print([(len(k.get("candidates") or []),) for a, k in icps])


# ----------------------------------------------------------------------------- the link


def shown_numbers(at: AppTest) -> dict[str, object]:
    """What the page computed: ICP's verdict, per-predictor p-values, the two sliders'
    verdicts (Markdown) and every setting's widget."""
    table = at.dataframe[1].value  # after the composer: the per-predictor table
    return {
        "verdict": verdict(at),
        "pvalues": dict(zip(table["predictor"], table["p-value"].round(12), strict=True)),
        "local": local_verdict(at),
        "bend": [m.value for m in at.markdown if m.value.startswith("With the dose shifted")],
        "composer": at.dataframe[0].value.to_dict("list"),
        "widgets": [
            at.select_slider(key=k).value
            for k in ("w_alpha", "w_sweep_strength", "w_bend", "w_reps")
        ]
        + [at.selectbox(key="w_sweep").value],
    }


TWIST = (
    "clinic A~none~1~400;clinic B~env:clinic B: 40%25 take Tylenol~1~400;"
    "trial~preset:Dopamine agonist~0.5~300"
)


def test_a_link_reproduces_every_invariance_setting_and_number() -> None:
    link = {
        "scenario": "ldopa",
        "seed": "3",
        "alpha": "0.1",
        "envs": TWIST,
        "sweep": "Amantadine",
        "sweep_strength": "0.3",
        "bend": "0.5",
        "reps": "25",
    }
    at = open_invariance(**link)
    assert_clean(at)
    assert not at.warning  # no notice: every parameter was taken
    assert {k: at.query_params[k] for k in link} == link  # the address bar is the link
    seen = shown_numbers(at)
    assert seen["widgets"] == [0.1, 0.3, 0.5, 25, "Amantadine"]
    assert seen["composer"]["environment"] == ["clinic A", "clinic B", "trial"]
    assert seen["composer"]["strength"] == [1.0, 1.0, 0.5]
    assert seen["verdict"].startswith("**No set accepted:**")  # the agonist twist
    assert "**30%** of `Amantadine`" in seen["local"] and "α = 0.1" in seen["local"]
    assert "`trial` intervenes on it" in caption_starting(at, "The truth")
    # another session opening the address bar's link sees the same numbers
    again = open_invariance(**dict(at.query_params))
    assert shown_numbers(again) == seen


def test_settings_survive_leaving_the_page_and_coming_back() -> None:
    at = open_invariance(scenario="fever")
    at.select_slider(key="w_alpha").set_value(0.2).run()
    at.selectbox(key="w_sweep").set_value("Cough syrup").run()
    at.select_slider(key="w_sweep_strength").set_value(0.05).run()
    at.select_slider(key="w_bend").set_value(0.75).run()
    before = shown_numbers(at)
    assert before["widgets"] == [0.2, 0.05, 0.75, 10, "Cough syrup"]
    at.switch_page("pages/2_Models.py").run()
    assert_clean(at)
    assert "alpha" not in at.query_params  # the Invariance settings stay off other pages' links
    at.switch_page(INVARIANCE).run()
    assert_clean(at)
    assert shown_numbers(at) == before
    assert at.query_params["alpha"] == "0.2" and at.query_params["bend"] == "0.75"


def test_a_new_seed_or_sweep_starts_the_sliders_where_the_story_shows() -> None:
    at = open_invariance(scenario="fever", sweep_strength="0.01", bend="1")
    assert at.select_slider(key="w_sweep_strength").value == 0.01
    at.sidebar.number_input(key="w_seed").set_value(1).run()
    assert_clean(at)
    state = at.session_state["lab_state"]
    assert (state.sweep_strength, state.bend) == (None, None)
    assert "sweep_strength" not in at.query_params and "bend" not in at.query_params


def test_bad_invariance_link_parameters_fall_back_with_a_notice() -> None:
    at = open_invariance(scenario="ldopa", alpha="0.3", envs="x~y", reps="7")
    assert_clean(at)
    notices = " ".join(w.value for w in at.warning)
    for name in ("alpha=", "envs=", "reps="):
        assert name in notices
    assert at.select_slider(key="w_alpha").value == 0.05
    assert verdict(at).startswith("**ICP's estimated causes of `relief`: `dose`.**")


def test_editing_the_composer_stores_its_rows_in_the_link() -> None:
    """The editor's changes (as Streamlit hands them to on_change) become the state's rows."""
    from lib.ui.invariance_sections import apply_editor_changes

    rows = [["A", "none (observational)", 1.0, 100], ["B", "Tylenol", 1.0, 100]]
    changes = {
        "edited_rows": {1: {"strength": 0.5}, 0: {"environment": "calm"}},
        "deleted_rows": [0],
        "added_rows": [{"environment": "C", "intervention": "Amantadine", "rows": 200}],
    }
    assert apply_editor_changes(rows, changes) == [
        ["B", "Tylenol", 0.5, 100],
        ["C", "Amantadine", None, 200],
    ]
    assert rows[1][2] == 1.0  # the base rows are left alone


def test_the_tables_level_is_in_its_link_too() -> None:
    at = open_invariance(source="table", table="ldopa_clinics", alpha="0.2")
    assert_clean(at)
    assert at.select_slider(key="w_alpha").value == 0.2
    assert at.query_params["alpha"] == "0.2" and at.query_params["source"] == "table"


def _pooled_after_edits(edits: dict) -> None:
    """A script: the Invariance page's environments when the composer holds ``edits``."""
    from types import SimpleNamespace

    import streamlit as st

    from lib.ui import invariance_composer as sections
    from lib.ui.params import ScenarioInfo, default_state
    from lib.world.scenarios import load_scenario

    sc = load_scenario("ldopa")
    state = default_state(ScenarioInfo.from_scenario(sc))
    lab = SimpleNamespace(scenario=sc, key=("ldopa", state.n, 0), state=state)
    _, kept, _, _, _ = sections.composer_rows(sc, state.n, None)
    st.session_state[sections.editor_key("ldopa", kept)] = edits
    pooled = sections.page_environments(lab)
    st.write(f"pooled: {None if pooled.envs is None else len(pooled.envs)}; {pooled.problem}")


@pytest.mark.parametrize(
    ("edits", "shown"),
    [
        ({}, "pooled: 4;"),
        ({"deleted_rows": [0, 1, 2, 3]}, "pooled: None;"),
        ({"deleted_rows": [3]}, "pooled: 3;"),
    ],
)
def test_the_pooled_environments_are_what_the_composer_shows(edits: dict, shown: str) -> None:
    """Edits the state cannot keep (every row deleted) stay in the editor: the page pools
    what the editor shows, and says why it cannot, instead of the rows it no longer shows."""
    at = AppTest.from_function(_pooled_after_edits, args=(edits,), default_timeout=120).run()
    assert not at.exception, [e.message for e in at.exception]
    (text,) = [m.value for m in at.markdown if m.value.startswith("pooled")]
    assert text.startswith(shown), text
    if "None" in shown:  # the reason the page shows
        assert "at least two environments" in text, text
