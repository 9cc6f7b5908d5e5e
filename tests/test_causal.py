"""Causal input sets and the invariance criterion, on graphs with known answers."""

from __future__ import annotations

import networkx as nx

from lib.world.causal import causal_inputs, hidden_confounders, invariance_guaranteed
from lib.world.scenarios import load_scenario


def test_observed_parents_are_used_and_effects_are_not() -> None:
    g = nx.DiGraph([("a", "y"), ("b", "y"), ("y", "c"), ("a", "d")])
    cs = causal_inputs(g, "y", ["a", "b", "c", "d"])
    assert cs.features == ("a", "b")
    assert any("`c` is an effect" in e for e in cs.excluded)
    assert any("`d` is not a cause" in e for e in cs.excluded)


def test_latent_parent_is_replaced_by_its_measurement_and_causes() -> None:
    g = nx.DiGraph([("dose", "dop"), ("dop", "scan"), ("dop", "head"), ("dop", "relief")])
    cs = causal_inputs(g, "relief", ["dose", "scan", "head"], {"scan": "dop"})
    assert cs.features == ("dose", "scan")
    assert len(cs.reasons) == 2


def test_latent_chain_is_walked_upwards() -> None:
    g = nx.DiGraph([("u", "h1"), ("h1", "h2"), ("h2", "y"), ("h1", "side")])
    assert causal_inputs(g, "y", ["u", "side"]).features == ("u",)


def test_scenarios_choose_the_expected_causal_sets() -> None:
    assert load_scenario("ldopa").causal_features == ("dose", "dopamine_scan")
    assert load_scenario("icecream").causal_features == ("thermometer",)
    assert load_scenario("fever").causal_features == ("exposure",)


def test_invariance_criterion() -> None:
    g = nx.DiGraph([("dose", "dop"), ("dop", "head"), ("dop", "relief"), ("dop", "scan")])
    # Tylenol on headache: a model using headache is not protected, one using dose/scan is
    assert not invariance_guaranteed(g, ["head"], "relief", ["dose", "head"])
    assert invariance_guaranteed(g, ["head"], "relief", ["dose", "scan"])
    # an intervention on dose is blocked by conditioning on dose
    assert invariance_guaranteed(g, ["dose"], "relief", ["dose", "scan", "head"])
    # an intervention on the latent dopamine is not
    assert not invariance_guaranteed(g, ["dop"], "relief", ["dose", "scan"])
    # changing the target's own mechanism is never safe
    assert not invariance_guaranteed(g, ["relief"], "relief", ["dose"])


def test_reasons_are_true_for_unrelated_and_unlisted_nodes() -> None:
    g = nx.DiGraph([("a", "y"), ("h", "y"), ("u", "z")])
    cs = causal_inputs(g, "y", ["a", "z"], latent=())
    assert any("`z` is neither a cause nor an effect" in e for e in cs.excluded)
    g = nx.DiGraph([("u", "h"), ("h", "y")])
    cs = causal_inputs(g, "y", ["u"], latent=["h"])
    assert "(not observed)" in cs.reasons[0]
    cs = causal_inputs(g, "y", ["u"])
    assert "(not among the inputs)" in cs.reasons[0]


def test_target_without_parents_has_no_causal_inputs() -> None:
    g = nx.DiGraph([("y", "a"), ("y", "b")])
    cs = causal_inputs(g, "y", ["a", "b"])
    assert cs.features == () and len(cs.excluded) == 2


def test_a_direct_cause_sharing_a_hidden_cause_with_the_target_is_flagged():
    g = nx.DiGraph(
        [
            ("dose", "dopamine"),
            ("dopamine", "headache"),
            ("dopamine", "relief"),
            ("headache", "relief"),
            ("dopamine", "scan"),
        ]
    )
    flagged = hidden_confounders(g, "relief", ["dose", "scan", "headache"], ["dopamine"])
    assert flagged == {"headache": ("dopamine",)}
    # observed, the confounder is adjusted for: nothing to flag
    assert hidden_confounders(g, "relief", ["dopamine", "headache"], []) == {}
    # stand-ins that are not direct causes are never flagged
    assert hidden_confounders(g, "relief", ["dose", "scan"], ["dopamine"]) == {}


def test_the_builtin_worlds_have_no_hidden_confounding_of_their_causal_inputs():
    from lib.world.scenarios import list_scenarios, load_scenario

    for sid in list_scenarios():
        sc = load_scenario(sid)
        graph = sc.scm.original_graph
        assert hidden_confounders(graph, sc.target, sc.causal_features, sc.scm.latent) == {}, sid
