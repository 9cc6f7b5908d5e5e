"""The Black box page in Streamlit's AppTest: its sections, widgets, link and numbers."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from lib.blackbox.lesions import lesion_counts, single_lesions
from lib.blackbox.network import sample_inputs, train_network
from tests.apptest import assert_clean, metrics, open_page, sentence, texts

PAGE = "pages/6_Black_box.py"


def open_blackbox(**params: str) -> AppTest:
    return open_page(PAGE, **params)


@pytest.fixture(scope="module")
def page() -> AppTest:
    return open_blackbox()


def test_the_page_tells_the_whole_story(page: AppTest) -> None:
    assert_clean(page)
    heads = [h.value for h in page.subheader]
    for number in range(1, 9):
        assert any(h.startswith(f"{number} · ") for h in heads), heads
    # outputs, a unit, lesions, re-centring, the barrier, stimuli, scores, readout,
    # patch bars and scatter, importance, extrapolation, the eye, the tuning, the arrows,
    # dimensions per feature, what a dimension carries
    assert len(page.get("plotly_chart")) >= 17
    assert page.query_params["units"] == "32" and page.query_params["patched"] == "bowl"
    for start in ("The network does all three", "Of 32 units", "Held at its mean",
                  "Exhaustively:", "On the recording", "Patching along v", "Boosted trees"):  # fmt: skip
        sentence(page, start)


def test_the_lesion_counts_are_the_engine_s(page: AppTest) -> None:
    """The counts on the page follow from the network the same seed trains."""
    net = train_network(0, hidden=32)
    counts = lesion_counts(single_lesions(net, sample_inputs(500, 2)))
    shown = metrics(page)
    assert shown["No effect"] == str(counts["none"])
    assert shown["All three"] == str(counts["all"])
    assert shown["Only wave"] == str(counts["only wave"])
    told = sentence(page, "Of 32 units")
    assert f"{counts['all']} break all three" in told


def test_the_illusions_read_their_numbers(page: AppTest) -> None:
    pca = sentence(page, "On the recording")
    shown = metrics(page)
    assert shown["Variance explained, recording"] in pca
    # the default recording convinces, and the new inputs break it
    r2 = [float(v) for v in re.findall(r"R² is (-?\d+\.\d+), (-?\d+\.\d+), (-?\d+\.\d+)", pca)[0]]
    assert min(r2) < 0
    patch = sentence(page, "Patching along v")
    moved = float(re.search(r"moves the bowl output by ([\d.]+) SD", patch).group(1))  # type: ignore[union-attr]
    whole = float(re.search(r"whole layer moves it by ([\d.]+) SD", patch).group(1))  # type: ignore[union-attr]
    assert moved > 1 > 0.05 > whole
    assert "2^32 = 4.3 billion experiments, 11.8 million years" in sentence(page, "Exhaustively")


def test_the_widgets_change_the_numbers() -> None:
    at = open_blackbox()
    at.select_slider(key="w_components").set_value(6).run()
    assert_clean(at)
    assert "6 components explain" in sentence(at, "On the recording")
    at.selectbox(key="w_patched").set_value("wave").run()
    assert_clean(at)
    assert "Patching along v moves the wave output" in texts(at)
    at.selectbox(key="w_unit").set_value(5).run()
    assert_clean(at)
    assert at.query_params["unit"] == "5"


def test_a_link_opens_its_own_network() -> None:
    at = open_blackbox(units="16", net_seed="3", recorded="square", new_inputs="wider")
    assert_clean(at)
    s = at.session_state["lab_state"]
    assert (s.units, s.net_seed, s.recorded, s.new_inputs) == (16, 3, "square", "wider")
    assert "Of 16 units" in texts(at)
    assert "with 16 hidden units" in sentence(at, "The network does all three")
    # 16 units: every triple is 560 experiments, searched
    assert "of 560 triples" in sentence(at, "Exhaustively")


def test_a_large_network_lists_the_triples_it_cannot_run() -> None:
    at = open_blackbox(units="64")
    assert_clean(at)
    assert "more than the 10,000 this page runs at once" in sentence(at, "Exhaustively")
    assert any("41,664 experiments" in i.value for i in at.info)
    table = [d.value for d in at.dataframe if "new breaks" in d.value.columns][0]
    assert table["new breaks"].tolist()[-1] == "not run"


def test_a_bad_link_keeps_the_default_and_says_why() -> None:
    at = open_blackbox(units="17", net_seed="1000", patched="nose")
    assert_clean(at)
    warned = " ".join(w.value for w in at.warning)
    assert "units" in warned and "net_seed" in warned and "patched" in warned
    s = at.session_state["lab_state"]
    assert (s.units, s.net_seed, s.patched) == (32, 0, "bowl")


def test_a_table_s_link_keeps_the_page_s_own_settings() -> None:
    at = open_blackbox(source="table", table="grunfeld", units="16", components="4")
    assert_clean(at)
    assert at.query_params["units"] == "16" and at.query_params["components"] == "4"
    assert at.query_params["source"] == "table"
    assert "Of 16 units" in texts(at)


def test_the_line_attractor_predicts_what_it_then_does(page: AppTest) -> None:
    shown = metrics(page)
    # the default: the feedback 1% short of 1 leaks with tau / (1 - w) = 0.1 / 0.01 = 10 s
    assert shown["Drift time constant, predicted"] == "10 s"
    assert shown["Drift time constant, simulated"] == "10 s"
    told = sentence(page, "With the feedback at w = 0.99")
    assert "τ/|1 − w| = 10.00 s" in told and "predicted, not merely observed" in told


def test_a_lesion_of_the_integrator_is_predicted() -> None:
    at = open_blackbox(att_units="10", mistuning="0.5", lesioned="2")
    assert_clean(at)
    shown = metrics(at)
    assert shown["Drift time constant, predicted"] == shown["Drift time constant, simulated"]
    assert shown["Drift time constant, predicted"] != "∞ (holds)"
    told = sentence(at, "Silencing unit 2")
    assert "a jump of the eye" in told and "back to the centre" in told
    at.select_slider(key="w_mistuning").set_value(0.0).run()
    at.selectbox(key="w_lesioned").set_value(-1).run()
    assert_clean(at)
    assert metrics(at)["Drift time constant, predicted"] == "∞ (holds)"
    assert "holds every target" in texts(at)


def test_superposition_packs_sparse_features_and_shares_dimensions(page: AppTest) -> None:
    told = sentence(page, "At sparsity 0.95")
    assert "keeps 5 of 5 features" in told and "regular pentagon" in told
    assert "silencing dimension 0 damages" in told
    at = open_blackbox(sparsity="0")
    assert_clean(at)
    dense = sentence(at, "At sparsity 0")
    assert "keeps 2 of 5 features" in dense and "at right angles" in dense
    assert "each dimension answers to 1 feature" in dense and "feature 0 lies along" in dense
    assert at.query_params["sparsity"] == "0"
