"""The Handout control on the Data, Models and Interventions pages (AppTest)."""

from __future__ import annotations

import html

import pytest
from streamlit.testing.v1 import AppTest

from lib.ui import handout_views
from lib.ui import invariance_views as iv
from lib.ui.handout_views import HTML_LABEL, SCRIPT_LABEL
from lib.ui.invariance_sections import state_environments
from lib.ui.pages.interventions import CUSTOM
from lib.ui.params import LabState, ScenarioInfo
from lib.ui.state import Lab
from lib.world.scenarios import load_scenario
from tests.apptest import open_page

PAGES = ["pages/1_Data.py", "pages/2_Models.py", "pages/3_Interventions.py"]
WORLD_PAGES = [*PAGES, "pages/4_Invariance.py"]


def download_labels(at: AppTest) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


@pytest.mark.parametrize("page", WORLD_PAGES)
def test_a_world_s_page_offers_the_handout_and_the_script(page: str) -> None:
    at = open_page(page, scenario="ldopa", preset="Tylenol", strength="0.5")
    assert not at.exception, [e.message for e in at.exception]
    labels = download_labels(at)
    assert HTML_LABEL in labels and SCRIPT_LABEL in labels


def test_a_custom_intervention_has_a_handout_too() -> None:
    at = open_page(
        "pages/3_Interventions.py",
        scenario="ldopa",
        preset="custom",
        node="headache",
        kind="shift",
        amount="2",
    )
    assert not at.exception
    assert SCRIPT_LABEL in download_labels(at)


@pytest.mark.parametrize("page", PAGES)
def test_a_table_says_what_is_possible(page: str) -> None:
    at = open_page(page, source="table")
    assert not at.exception, [e.message for e in at.exception]
    assert HTML_LABEL not in download_labels(at)
    assert any("made for simulated worlds" in c.value for c in at.caption)


@pytest.mark.parametrize(
    "page,state",
    [
        ("Data", LabState("ldopa", 2000)),
        ("Models", LabState("fever", 1000, seed=4, family="trees")),
        ("Interventions", LabState("ldopa", 2000, preset="Tylenol", strength=0.5)),
        (
            "Interventions",
            LabState("ldopa", 500, preset=CUSTOM, node="headache", kind="scale_noise", amount=3.0),
        ),
    ],
)
def test_the_button_s_function_makes_the_page_s_handout(page: str, state: LabState) -> None:
    """What the download button calls (outside the page's run): the view, from the caches."""
    sc = load_scenario(state.scenario)
    lab = Lab(page, state, sc, ScenarioInfo.from_scenario(sc))
    doc = handout_views._handout_maker(page, lab)().decode("utf-8")
    assert f"<title>{page} · {html.escape(sc.title, quote=True)}</title>" in doc
    assert "<th scope='row'>Seed</th><td>" + str(state.seed) in doc
    assert doc.count("class='handout-plot'") >= 2
    if page == "Interventions":
        assert "<th scope='row'>Strength</th>" in doc


def test_the_invariance_handout_holds_icp_s_verdict_and_environments() -> None:
    sc = load_scenario("ldopa")
    state = LabState("ldopa", 2000, seed=1)
    lab = Lab("Invariance", state, sc, ScenarioInfo.from_scenario(sc))
    envs = state_environments(sc, "ldopa", 2000, None)
    doc = handout_views._handout_maker("Invariance", lab, envs)().decode("utf-8")
    res = iv.icp_fit("ldopa", 1, iv.env_key(envs), state.alpha, envs)
    assert sorted(res.causal_predictors) == ["dose"]
    assert "Named as causes of" in doc and "dose" in doc
    for env in envs:
        assert html.escape(env.name, quote=True) in doc
    assert doc.count("class='handout-plot'") == 1
