"""Every sentence the lab writes from numbers is true of those numbers.

One property test per sentence function, over a grid of the settings its page
offers (worlds and their presets, strengths and seeds; tables with and without
declared causes; the Black box's sizes and sparsities). Each test reads the
claim's numbers back out of the sentence and checks them against numbers it
computes itself, never against wording typed here.
"""

from __future__ import annotations

import math
import re
from functools import cache

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.attribution import pair
from lib.attribution.credit import rashomon_ranges
from lib.attribution.stability import two_input_condition, two_input_vif
from lib.blackbox import illusions, lesions, superposition
from lib.blackbox.network import (
    behaviour_targets,
    forward,
    parameter_count,
    r_squared,
    sample_inputs,
    train_network,
)
from lib.fitting.experiments import OBSERVATIONAL, ratio_table, run_experiment
from lib.tables.datasets import list_datasets, load_dataset
from lib.tables.fit import holdout_fit, loeo_sentence, loeo_summary, table_loeo
from lib.tables.setup import TableSetup
from lib.text.numbers import format_number, format_r2, ratio_text
from lib.ui.lab import clue_sentence, clues, predictive_inputs_text, takeaway
from lib.ui.models_view import FAMILY_NOTES, score_note
from lib.ui.pages.attribution import DRIVES, EPSILONS, RHOS
from lib.ui.pages.blackbox import (
    COMPONENTS,
    NEURON_TAUS,
    NEW_INPUTS,
    PATCHED,
    RECORDINGS,
    SPARSITIES,
    UNIT_COUNTS,
)
from lib.words import attribution as aw
from lib.words import blackbox as bb
from lib.words.narration import (
    EDGE,
    MENTIONED,
    explain_outcome,
    range_exits,
    share_text,
    verdict,
)
from lib.world.causal import causal_inputs, invariance_guaranteed
from lib.world.scenarios import list_scenarios, load_scenario, scenario_from_toml

WORLDS = list_scenarios()
SEEDS = (0, 1)
STRENGTHS = (0.0, 0.5, 1.0)
ROWS = 1000

#: The issue's user world: rain uniform on [0, 10], set to 0 (the edge of its range).
RAIN = """
id = "rain"
title = "Rain"
target = "wet"
features = ["rain", "umbrellas"]

[nodes.rain]
equation = "uniform(0, 10)"

[nodes.umbrellas]
equation = "2 * rain + normal(0, 3)"

[nodes.wet]
equation = "rain + normal(0, 1)"

[presets."Set rain to 0"]
interventions = [{ kind = "do", node = "rain", value = 0.0 }]

[presets."Set rain to 20"]
interventions = [{ kind = "do", node = "rain", value = 20.0 }]
"""


@cache
def world(sid: str):
    return scenario_from_toml(RAIN) if sid == "rain" else load_scenario(sid)


@cache
def experiment(sid: str, seed: int):
    return run_experiment(world(sid), ROWS, seed)


def _code(text: str) -> list[str]:
    """The names a sentence quotes as code, in order."""
    return re.findall(r"`([^`]+)`", text)


# ----------------------------------------------------------------------------- Interventions


def _paragraphs(text: str, names: list[str]) -> dict[str, str]:
    return {
        name: next(p for p in text.split("\n\n") if p.startswith(f"**{name}**")) for name in names
    }


#: "`x` left the range it was trained on in 3% of the cases, `y` in 5% and `z` in all",
#: and "`w` went just past the edge of ... (by at most 0.010, ...) in all of the cases".
_SHARE = r"(all|more than 99\.9%|[\d.]+%)"
_LEFT = re.compile(rf"`([^`]+)` left the range it was trained on in {_SHARE} of the cases")
_MORE = re.compile(rf"(?:, | and )`([^`]+)` in {_SHARE}")
_EDGE = re.compile(
    r"`([^`]+)` went just past the edge of (?:its own range|the range it was trained on) "
    rf"\(by at most ([^,]+), within 1% of its width\) in {_SHARE} of the cases"
)


def _intervention_cases() -> list[tuple[str, str, float, int]]:
    cases = []
    for sid in [*WORLDS, "rain"]:
        for preset in world(sid).presets:
            for strength in STRENGTHS:
                for seed in SEEDS:
                    cases.append((sid, preset, strength, seed))
    return cases


INTERVENTION_CASES = _intervention_cases()


@pytest.mark.parametrize(("sid", "preset", "strength", "seed"), INTERVENTION_CASES)
def test_the_explanation_of_an_intervention_is_true_of_its_numbers(
    sid: str, preset: str, strength: float, seed: int
) -> None:
    sc, exp = world(sid), experiment(sid, seed)
    base = sc.presets[preset]
    ivs = base if strength >= 1 else base.with_strength(strength)
    results = exp.evaluate({"T": ivs})
    test = exp.test_sample(ivs)
    exits = range_exits(exp.train, test, sc.features)
    text = explain_outcome(sc, results, "T", ivs, exits)
    obs = results[results["test"] == OBSERVATIONAL].set_index("model")
    after = results[results["test"] == "T"].set_index("model")
    graph = nx.compose(sc.scm.original_graph, sc.scm.intervene(*ivs).graph)
    changed = list(dict.fromkeys(iv.node for iv in ivs))
    if strength == 0:
        assert np.allclose(after["rmse"], obs["rmse"]), "at strength 0 nothing changes"
        return
    affected = set(changed).union(*(nx.descendants(graph, c) for c in changed))
    t = f"`{sc.target}`"
    assert (f"This acts on {t} itself" in text) == (sc.target in changed)
    for name, sentence in _paragraphs(text, list(obs.index)).items():
        if f"without changing {t}" in sentence:
            assert sc.target not in affected, sentence
        if f"also reaches {t}" in sentence:
            assert sc.target in affected, sentence
        relied = re.search(r"(?:relied on|it uses) (.+?), (?:which|whose)", sentence)
        if relied:
            for var in _code(relied.group(1)):
                assert var in affected and var not in sc.causal_features, sentence
        ratio = after.loc[name, "rmse"] / obs.loc[name, "rmse"]
        said = float(re.search(r"×(\d+\.\d+)", sentence).group(1))
        assert said == pytest.approx(ratio, abs=0.005), (name, sentence)
        outcome = verdict(ratio)
        assert ("— held" in sentence) == (outcome == "held"), sentence
        assert ("— degraded somewhat" in sentence) == (outcome == "degraded"), sentence
        assert (f"{said:.2f} error" in sentence) == (outcome == "broke"), sentence
        inputs = list(obs.loc[name, "inputs"])
        if "as the graph guarantees" in sentence or "although the mechanism it needs held" in (
            sentence
        ):
            assert invariance_guaranteed(graph, changed, sc.target, inputs), sentence
        named = {}
        for var, share in _LEFT.findall(sentence) + _MORE.findall(sentence):
            named[var] = share
            assert not exits[var].at_edge, (var, exits[var], sentence)
        for var, farthest, share in _EDGE.findall(sentence):
            named[var] = share
            assert exits[var].at_edge, (var, exits[var], sentence)
            assert farthest == format_number(exits[var].farthest)
        for var, share in named.items():
            assert var in inputs
            assert share == share_text(exits[var].share), (var, exits[var], sentence)
            assert exits[var].share > MENTIONED
        if named:  # a model that names where its inputs went names every one that went
            assert set(named) == {v for v in inputs if exits[v].share > MENTIONED}, sentence
        if "trained on" in sentence:
            assert named, sentence


def test_the_rain_world_at_the_edge_of_its_range() -> None:
    """The issue's case: do(rain = 0) is at the edge of rain's range; umbrellas stays
    mostly inside its own, and each is said with its own share."""
    sc, exp = world("rain"), experiment("rain", 0)
    ivs = sc.presets["Set rain to 0"]
    exits = range_exits(exp.train, exp.test_sample(ivs), sc.features)
    assert exits["rain"].share == 1.0 and exits["rain"].at_edge
    assert exits["umbrellas"].share < 0.5
    text = explain_outcome(sc, exp.evaluate({"T": ivs}), "T", ivs, exits)
    assert "`rain` left the range" not in text
    far = sc.presets["Set rain to 20"]
    exits = range_exits(exp.train, exp.test_sample(far), sc.features)
    assert exits["rain"].share == 1.0 and not exits["rain"].at_edge


def test_edge_and_share_words() -> None:
    assert share_text(1.0) == "all" and share_text(0.999) == "99.9%"
    assert share_text(0.9996) == "more than 99.9%" and share_text(0.03) == "3%"
    assert EDGE < 0.05


# ----------------------------------------------------------------------------- Data


def _clue_truth(graph: nx.DiGraph, target: str, name: str) -> str:
    if name in nx.descendants(graph, target):
        return "effect"
    if name in nx.ancestors(graph, target):
        return "cause"
    return "neither"


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sid", [*WORLDS, "rain"])
def test_the_strongest_clue_of_a_world(sid: str, seed: int) -> None:
    sc = world(sid)
    df = sc.scm.sample(ROWS, seed)
    observed = [c for c in sc.scm.observed if c != sc.target]
    table = clues(df, sc.target, observed, sc.causal_features)
    text = clue_sentence(table, sc.target, graph=sc.scm.original_graph)
    r = df[observed].corrwith(df[sc.target])
    top = r.abs().idxmax()
    assert _code(text)[0] == top
    assert float(re.search(r"r = (-?\d\.\d\d)", text).group(1)) == pytest.approx(r[top], abs=5e-3)
    truth = _clue_truth(sc.scm.original_graph, sc.target, top)
    if top in sc.causal_features:
        assert "causal model's inputs" in text
    else:
        said = "effect" if "**effect**" in text else "cause" if "is a cause" in text else "neither"
        assert said == truth, text


@st.composite
def _tables(draw):
    n_cols = draw(st.integers(2, 5))
    rows = draw(st.integers(20, 60))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, n_cols))
    mix = rng.normal(size=n_cols)
    y = x @ mix + rng.normal(size=rows)
    cols = [f"c{i}" for i in range(n_cols)]
    df = pd.DataFrame(x, columns=cols).assign(y=y)
    declared = draw(st.lists(st.sampled_from(cols), unique=True, max_size=n_cols))
    return df, cols, tuple(declared)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_tables())
def test_the_strongest_clue_of_a_table_says_only_what_is_declared(case) -> None:
    df, cols, declared = case
    table = clues(df, "y", cols, declared)
    text = clue_sentence(table, "y", declared=bool(declared))
    r = df[cols].corrwith(df["y"])
    top = r.abs().idxmax()
    assert _code(text)[0] == top
    assert float(re.search(r"r = (-?\d\.\d\d)", text).group(1)) == pytest.approx(r[top], abs=5e-3)
    assert "not** a cause" not in text and "is a cause" not in text  # a table says no more
    if not declared:
        assert "no cause is declared" in text
    elif top in declared:
        assert "one of the causes you declared" in text
    else:
        assert "not among the causes you declared" in text


@pytest.mark.parametrize("sid", [*WORLDS, "rain"])
def test_why_the_predictive_model_uses_what_it_uses(sid: str) -> None:
    sc = world(sid)
    text = predictive_inputs_text(sc)
    observed = [n for n in sc.scm.observed if n != sc.target]
    every = "Every observed variable except the target" in text
    assert every == (set(sc.features) == set(observed))
    for name in _code(text):
        assert name in sc.scm.nodes


@pytest.mark.parametrize("sid", [*WORLDS, "rain"])
def test_the_causal_models_reasons_are_read_off_the_graph(sid: str) -> None:
    sc = world(sid)
    graph, target = sc.scm.original_graph, sc.target
    chosen = causal_inputs(
        graph, target, sc.features, {n: s.measures for n, s in sc.scm.specs.items()}, sc.scm.latent
    )
    _check_reasons(graph, target, chosen, {n: s.measures for n, s in sc.scm.specs.items()})


def _check_reasons(graph, target, chosen, measures) -> None:
    up, down = nx.ancestors(graph, target), nx.descendants(graph, target)
    for reason in chosen.reasons:
        names = _code(reason)
        if "is a direct cause of" in reason:
            assert graph.has_edge(names[0], target), reason
        elif " measures " in reason:
            assert measures.get(names[0]) == names[1], reason
        else:
            assert graph.has_edge(names[0], names[1]), reason
    for why in chosen.excluded:
        v = _code(why)[0]
        if "is an effect of" in why:
            assert v in down, why
        elif "acts on" in why:
            assert v in up, why
        elif "shares causes" in why:
            assert v not in up and up & nx.ancestors(graph, v), why
        else:
            assert v not in up and v not in down, why


@st.composite
def _dags(draw):
    n = draw(st.integers(3, 7))
    names = [f"v{i}" for i in range(n)]
    edges = [(names[i], names[j]) for i in range(n) for j in range(i + 1, n) if draw(st.booleans())]
    graph = nx.DiGraph(edges)
    graph.add_nodes_from(names)
    target = draw(st.sampled_from(names))
    latent = draw(st.lists(st.sampled_from(names), unique=True, max_size=2))
    latent = [v for v in latent if v != target]
    observed = [v for v in names if v not in latent]
    return graph, target, observed, latent


@settings(max_examples=80, deadline=None)
@given(_dags())
def test_the_causal_models_reasons_on_any_graph(case) -> None:
    graph, target, observed, latent = case
    chosen = causal_inputs(graph, target, observed, {}, latent)
    _check_reasons(graph, target, chosen, {})


# ----------------------------------------------------------------------------- Models


def _families_said(text: str) -> set[str]:
    return {f for f, note in FAMILY_NOTES.items() if note.split(" = ")[0] + " =" in text}


def _check_caption(scores: pd.DataFrame) -> None:
    text = score_note("Held-out rows.", scores)
    assert _families_said(text) == set(scores["family"])
    assert ("R² below 0" in text) == bool((scores["r2"] < 0).any())


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sid", [*WORLDS, "rain"])
def test_the_models_caption_and_takeaway_of_a_world(sid: str, seed: int) -> None:
    sc, exp = world(sid), experiment(sid, seed)
    scores = exp.evaluate()
    _check_caption(scores)
    _check_takeaway(scores, sc.target)


def _check_takeaway(scores: pd.DataFrame, target: str) -> None:
    text = takeaway(scores, target)
    best = scores.groupby("kind")["rmse"].min()
    if len(best) < 2:
        assert "Only one kind" in text
        return
    first, second = re.findall(r"RMSE (\S+) vs (\S+?)[\s)]", text)[0]
    if "predictive model fits better" in text:
        assert best["predictive"] < best["causal"]
        assert (first, second) == (
            format_number(best["predictive"]),
            format_number(best["causal"]),
        )
    else:
        assert best["causal"] <= best["predictive"]
        assert (first, second) == (
            format_number(best["causal"]),
            format_number(best["predictive"]),
        )


def _table_cases() -> list[tuple[str, bool]]:
    return [(d.id, declared) for d in list_datasets() for declared in (True, False)]


@cache
def _table(dataset_id: str):
    return load_dataset(dataset_id)


def _setup(dataset_id: str, declared: bool) -> TableSetup:
    d = next(d for d in list_datasets() if d.id == dataset_id)
    edges = tuple((p, d.target) for p in d.parents) if declared else ()
    return TableSetup(d.target, tuple(d.features), d.environment, edges)


@pytest.mark.parametrize(("dataset_id", "declared"), _table_cases())
def test_the_models_caption_takeaway_and_clue_of_a_table(dataset_id: str, declared: bool) -> None:
    table, setup = _table(dataset_id), _setup(dataset_id, declared)
    fit = holdout_fit(table, setup, seed=0)
    _check_caption(fit.scores)
    assert ("Intercept only" in score_note("", fit.scores)) == (not declared)
    _check_takeaway(fit.scores, setup.target)
    from lib.tables.read import numeric_frame

    data, _ = numeric_frame(table, [setup.target, *setup.features])
    text = clue_sentence(
        clues(data, setup.target, list(setup.features), setup.parents),
        setup.target,
        declared=declared,
    )
    assert ("no cause is declared" in text) == (not declared)
    assert "not** a cause" not in text


@pytest.mark.parametrize("dataset_id", [d.id for d in list_datasets() if d.environment is not None])
def test_how_a_tables_models_travelled(dataset_id: str) -> None:
    table, setup = _table(dataset_id), _setup(dataset_id, True)
    summary = loeo_summary(table_loeo(table, setup, seed=0))
    text = loeo_sentence(summary, setup.environment)
    for kind in ("predictive", "causal"):
        row = summary[summary["kind"] == kind].iloc[0]
        part = re.search(rf"\*\*{kind}\*\* model \((.+?)\) makes (.+?) its usual error", text)
        assert part.group(1) == row["model"]
        assert part.group(2) == ratio_text(row["median_ratio"])
        assert f"{ratio_text(row['worst_ratio'])} on the hardest one" in text


# ----------------------------------------------------------------------------- Black box


#: The page's toy-model seed and silenced dimension (lib/ui/circuit_views.py), and the
#: inputs the damage is measured on there.
TOY_SEED, SILENCED, LESION_INPUTS = 0, 0, 20_000
TOY_SEEDS = (0, 1)
NET_CASES = [(units, 0) for units in UNIT_COUNTS] + [(16, 1)]


@cache
def toy(sparsity: float, seed: int):
    trained = superposition.train_toy(sparsity, seed)
    return superposition.rotate(trained, -float(trained.angles[0]))


@pytest.mark.parametrize("seed", TOY_SEEDS)
@pytest.mark.parametrize("sparsity", SPARSITIES)
def test_what_each_hidden_dimension_carries(sparsity: float, seed: int) -> None:
    """The page's toy model at every sparsity it offers: the counts per dimension as
    drawn, the fewest any turn of the plane can leave, the damage of a silenced one."""
    model = toy(sparsity, seed)
    weights = superposition.polysemantic(model)
    damage = superposition.lesion_dimension(
        model, SILENCED, superposition.sample_features(LESION_INPUTS, sparsity, seed + 1)
    )
    kept = int(model.represented.sum())
    fewest, turn = superposition.fewest_responding(model)
    text = bb.superposition_sentence(
        sparsity,
        kept,
        model.n,
        model.m,
        [float(a) for a in model.neighbour_angles] if kept > model.m else [],
        model.dimensions_per_feature,
        float(np.mean(model.norms[model.represented])) if kept else 0.0,
        [int(r) for r in weights["responds"]],
        int(damage["damaged"].sum()),
        SILENCED,
        superposition.RESPONDS,
        fewest,
    )
    assert re.search(r"keeps (\d+) of (\d+) features", text).groups() == (str(kept), "5")
    counts = weights["responds"].tolist()
    each = re.search(r"each dimension answers to (\d+) feature", text)
    said = (
        [int(each.group(1))] * model.m
        if each
        else [int(c) for c in re.findall(r"dimension \d+ answers to (\d+) feature", text)]
    )
    assert said == counts, text
    assert int(re.search(r"damages (\d+) feature", text).group(1)) == damage["damaged"].sum()
    # However the plane is turned: never fewer than `fewest`, and one turn reaches it.
    turns = np.radians(np.arange(0.0, 180.0, 0.05))
    rows = np.cos(turns)[:, None] * model.W[0] - np.sin(turns)[:, None] * model.W[1]
    low = int((np.abs(rows) > superposition.RESPONDS).sum(axis=1).min())  # dimension 0, turned
    assert low >= fewest
    assert superposition.polysemantic(superposition.rotate(model, turn))["responds"][0] == fewest
    fewer = re.search(r"fewer than (\d+) feature", text)
    down = re.search(r"a turn can leave a dimension answering to (\d+) feature", text)
    if fewer:
        assert int(fewer.group(1)) == fewest >= 2
    if down:
        assert int(down.group(1)) == fewest
    if "however the plane is turned" in text:
        raise AssertionError(text)
    if kept <= model.m:  # "the most important ones, at right angles"
        assert model.represented[:kept].all()
        if kept == 2:
            cos = model.W[:, 0] @ model.W[:, 1] / np.prod(model.norms[:2])
            assert abs(cos) < 0.1, cos
    shape = re.search(r"superposition: (.+?) \(", text)
    if shape and shape.group(1) == "a regular pentagon":
        assert np.all(np.abs(model.neighbour_angles - 72) < 5)
    dims = re.search(r"(\d\.\d\d) dimensions per feature", text)
    if dims:
        assert float(dims.group(1)) == pytest.approx(model.dimensions_per_feature, abs=0.005)


@cache
def network(units: int, seed: int):
    net = train_network(seed, hidden=units)
    return net, sample_inputs(1000, seed + 1), sample_inputs(500, seed + 2)


@pytest.mark.parametrize(("units", "seed"), NET_CASES)
def test_the_lesion_sentences_count_what_the_lesions_did(units: int, seed: int) -> None:
    """Black box §1–2 at every size the page offers (and two more seeds)."""
    net, test, lesion_x = network(units, seed)
    r2 = r_squared(behaviour_targets(test), forward(net, test), net.behaviours).to_dict()
    text = bb.network_sentence(r2, net.hidden, parameter_count(net))
    said = re.findall(r"(-?\d+\.\d\d) \((\w+)\)", text)
    assert {b: float(v) for v, b in said} == pytest.approx(r2, abs=0.005)
    assert f"{units} hidden units and {parameter_count(net):,} weights" in text

    silenced = lesions.single_lesions(net, lesion_x)
    recentred = lesions.recentred_lesions(net, lesion_x)
    only = [o._asdict() for o in lesions.only_one_units(silenced, recentred)]
    counts = {k: int(v) for k, v in lesions.lesion_counts(silenced).items()}
    broken = (silenced["damage"] > lesions.BROKEN_DAMAGE).groupby(silenced["unit"]).sum()
    example = None
    if only:
        top = max(only, key=lambda o: float(o["silenced"]))
        example = (int(top["unit"]), str(top["behaviour"]))
    text = bb.lesion_sentence(counts, net.hidden, example)
    head = re.search(
        r"Of (\d+) units, (\d+) units? can be silenced without breaking any behaviour, (\d+) "
        r"break all three, (\d+) break two, and (\d+) break only one",
        text,
    )
    n, none, every, two, one = (int(g) for g in head.groups())
    assert n == units
    assert (none, every, two, one) == (
        int((broken == 0).sum()),
        int((broken == 3).sum()),
        int((broken == 2).sum()),
        int((broken == 1).sum()),
    )
    for count, behaviour in re.findall(r"(\d+) only (\w+)", text):
        hit = silenced[silenced["behaviour"] == behaviour].set_index("unit")["damage"]
        alone = [u for u in broken.index if broken[u] == 1 and hit[u] > lesions.BROKEN_DAMAGE]
        assert int(count) == len(alone)
    unit = re.search(r"call unit (\d+) “the (\w+) unit”", text)
    if unit:
        u, behaviour = int(unit.group(1)), unit.group(2)
        assert broken[u] == 1
        rows = silenced[silenced["unit"] == u].set_index("behaviour")["damage"]
        assert rows[behaviour] > lesions.BROKEN_DAMAGE

    text = bb.recentring_sentence(only, lesions.BROKEN_DAMAGE)
    if not only:
        return
    total = len(only)
    rescued = re.search(r"(\d+) of the (\d+) “only one” units no longer break", text)
    assert int(rescued.group(2)) == total
    assert int(rescued.group(1)) == sum(
        float(o["recentred"]) <= lesions.BROKEN_DAMAGE for o in only
    )
    touched = re.search(
        r"And (\d+) of the \d+ also change the other behaviours, by up to (\S+) of", text
    )
    others = [float(o["others"]) for o in only]
    if touched:
        assert int(touched.group(1)) == sum(o >= 0.01 for o in others)
        assert touched.group(2) == format_number(max(others))
        assert max(others) <= lesions.BROKEN_DAMAGE  # "under the line"
    else:
        assert max(others) < 0.01


# ----------------------------------------------------------------------------- Attribution


PAIR_CASES = [(rho, b) for rho in (0.0, 0.7, 0.99, 0.999) for b in (0.0, 1.0)]


def _size(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else format_number(x)


@cache
def fitted(rho: float, b: float):
    return pair.fitted_pair(pair.pair_world(load_scenario(pair.PAIR_SCENARIO), rho, b), 500, 0)


@pytest.mark.parametrize("rho", RHOS)
def test_the_condition_sentence_at_every_correlation(rho: float) -> None:
    cond, vif = two_input_condition(rho), two_input_vif(rho)
    r = rho * 0.98
    text = aw.condition_sentence(rho, cond, vif, r)
    if cond < 1.5:
        assert f"condition number is {format_number(cond)}" in text
        assert vif < 1.5
        return
    assert f"condition number is {_size(cond)}" in text
    assert f"variance is {_size(vif)} times" in text
    assert f"spread is {_size(math.sqrt(vif))} times" in text
    assert f"gives {_size((1 + abs(r)) / (1 - abs(r)))})" in text


@pytest.mark.parametrize(("rho", "b"), PAIR_CASES)
def test_the_attribution_sentences_read_their_numbers(rho: float, b: float) -> None:
    world, train, test, models = fitted(rho, b)
    x, y = pair.neurons_and_target(test, world)
    for epsilon in EPSILONS:
        best, half, _ = rashomon_ranges(x, y, epsilon)
        text = aw.rashomon_sentence(epsilon, best, half, world.truth)
        lo_a, hi_a, lo_b, hi_b = re.search(
            r"A's credit runs from (\S+) to (\S+) and B's from (\S+) to (\S+) N", text
        ).groups()
        assert (lo_a, hi_a) == (format_number(best[0] - half[0]), format_number(best[0] + half[0]))
        assert (lo_b, hi_b) == (format_number(best[1] - half[1]), format_number(best[1] + half[1]))
        assert ("cannot choose" in text) == (max(half) > aw.RASHOMON_WIDE)
    boot = pair.coefficient_bootstrap(train, world, models, 50, 0)
    text = aw.cloud_sentence(boot, world.truth)
    assert int(re.search(r"Across (\d+) resamples", text).group(1)) == 50
    lasso = boot[boot["penalty"] == "lasso"]
    a, bb_ = lasso["a"].to_numpy(), lasso["b"].to_numpy()
    shares = re.search(r"kept only A in (\d+)% of them, only B in (\d+)% and both in (\d+)%", text)
    assert [int(s) for s in shares.groups()] == [
        round(100 * float(np.mean(m)))
        for m in ((a != 0) & (bb_ == 0), (a == 0) & (bb_ != 0), (a != 0) & (bb_ != 0))
    ]
    for drive in DRIVES:
        scores = pair.settle(world, models, 500, 0, drive, 0.05, samples=(train, test))
        causal = pair.causal_name(world.scenario.causal_features)
        text = aw.settle_sentence(scores, drive, pair.B_CHAMPION, causal)
        table = ratio_table(scores, drive).set_index("model")
        lo, hi = re.search(r"RMSE (\S+) to (\S+) N\)", text).groups()
        assert (lo, hi) == (
            format_number(table["before"].min()),
            format_number(table["before"].max()),
        )
        ratio = r"(more than ×[\d,]+|×\d+\.\d\d)"
        said = re.search(
            rf"most wrong about B errs {ratio} as much and the causal model {ratio}", text
        ).groups()
        assert said == (
            ratio_text(table.loc[pair.B_CHAMPION, "ratio"]),
            ratio_text(table.loc[causal, "ratio"]),
        )


# ----------------------------------------------------------------------------- Black box §7

ATTRACTOR_CASES = [
    (units, tau, mistuning, lesioned)
    for units in (2, 20, 100)
    for tau in (5, 100)
    for mistuning in (-5.0, -0.5, 0.0, 0.5, 1.0)
    for lesioned in (-1, 0)
]


@pytest.mark.parametrize(("units", "tau", "mistuning", "lesioned"), ATTRACTOR_CASES)
def test_the_line_attractor_did_what_its_sentence_says(
    units: int, tau: int, mistuning: float, lesioned: int
) -> None:
    """The page's own view (cached function, run here without a server): the predicted
    time constant matches the simulated one, and the drift goes the way it says."""
    from lib.ui.circuit_views import attractor_view

    view = attractor_view(units, tau, mistuning, lesioned)
    text = view.sentence
    predicted, measured = view.predicted, view.measured
    said = re.search(r"τ/\|1 − (?:w|λ)\| = (\S+) s", text)
    if said:
        assert said.group(1) == format_number(abs(predicted))
    ran = re.search(r"drifted with a time constant of (\S+) s", text)
    if ran:
        assert ran.group(1) == format_number(abs(measured))
        assert math.isfinite(predicted) and math.isfinite(measured)
        assert measured == pytest.approx(predicted, rel=0.05), text
    way = re.search(r"a drift (back to|away from) the centre", text)
    if way:
        assert (way.group(1) == "back to") == (predicted > 0)
        if ran:  # and the simulated eye went that way too
            assert (way.group(1) == "back to") == (measured > 0)


# ----------------------------------------------------------------------------- Black box §4


@pytest.mark.parametrize("units", UNIT_COUNTS)
def test_the_pca_sentence_at_every_setting_of_the_section(units: int) -> None:
    """Every recording and new inputs the section offers, at every size; the numbers of
    components taken in turn, so that the sizes between them cover every one."""
    net, _, _ = network(units, 0)
    pairs = [(rec, new) for rec in RECORDINGS for new in NEW_INPUTS]
    start = UNIT_COUNTS.index(units) * len(pairs)
    for i, (recorded, new) in enumerate(pairs):
        x_rec = illusions.stimuli(recorded, 1000, 3)
        x_new = illusions.stimuli(new, 1000, 4)
        k = COMPONENTS[(start + i) % len(COMPONENTS)]
        r = illusions.pca_readout(net, x_rec, x_new, min(k, units))
        text = bb.pca_sentence(
            r.k,
            r.variance_in,
            r.variance_new,
            r.r2_in.to_dict(),
            r.r2_new.to_dict(),
            illusions.STIMULI[recorded],
            illusions.STIMULI[new],
        )
        head = re.search(r"(\d+) components? explain (\d+\.\d)% of", text)
        assert int(head.group(1)) == r.k
        assert head.group(2) == f"{100 * r.variance_in:.1f}"
        seen = re.search(r"outputs with R² (-?\d+\.\d\d(?:, -?\d+\.\d\d)*)", text).group(1)
        assert seen == ", ".join(format_r2(v) for v in r.r2_in)
        convincing = min(r.r2_in) >= bb.CONVINCING_R2
        assert ("not a convincing summary" in text) == (not convincing)
        if not convincing:
            continue
        fell = max(r.r2_in - r.r2_new)
        after = ", ".join(format_r2(v) for v in r.r2_new)
        holds = re.search(r"still holds \(R² (.+?); (-?\d+)% of the activity", text)
        if holds:
            assert fell < 0.1
            assert holds.group(1) == after
            assert holds.group(2) == f"{100 * r.variance_new:.0f}"
            assert r.variance_new >= 0, text
            continue
        assert fell >= 0.1
        assert re.search(r"the readout's R² is (.+?)\. The network", text).group(1) == after
        share = re.search(r"the same components explain (-?\d+)% of", text)
        if share:
            assert share.group(1) == f"{100 * r.variance_new:.0f}"
            assert r.variance_new >= 0
        else:
            assert "explain none of the activity" in text and r.variance_new < 0


# ----------------------------------------------------------------------------- Black box §6


@pytest.mark.parametrize("units", (8, 32, 64))
def test_the_surrogate_sentence_says_which_input_each_copy_leans_on(units: int) -> None:
    from lib.blackbox import surrogate

    net, _, _ = network(units, 0)
    copy = surrogate.fit_surrogate(net, net.seed)
    share = copy.importance
    top = share.loc[share.groupby(["model", "behaviour"], sort=False)["share"].idxmax()]
    leans = {(r.model, r.behaviour): r.input for r in top.itertuples()}
    clear = set(top[(top["model"] == "network") & (top["share"] > 0.6)]["behaviour"])
    agree = all(leans["network", b] == leans["trees", b] for b in clear)
    text = bb.surrogate_sentence(
        copy.r2_test.to_dict(),
        copy.r2_new.to_dict(),
        copy.leaves,
        copy.trees,
        copy.network_parameters,
        net.hidden,
        agree,
    )
    inside = re.search(r"outputs with R² (.+?) on new points", text).group(1)
    assert inside == ", ".join(format_r2(v) for v in copy.r2_test)
    outside = re.search(r"part ways \(R² (.+?)\)", text).group(1)
    assert outside == ", ".join(format_r2(v) for v in copy.r2_new)
    assert min(copy.r2_new) < min(copy.r2_test)  # "they part ways"
    said = re.search(r"for the wave \((\S+)\) and the bowl \((\S+)\)", text)
    if said:
        for behaviour, name in zip(("wave", "bowl"), said.groups(), strict=True):
            assert leans["network", behaviour] == leans["trees", behaviour] == name, leans


# ----------------------------------------------------------------------------- Attribution §2, §7


@pytest.mark.parametrize("b", (0.0, 1.0))
def test_the_sweep_sentence_reads_the_sweep(b: float) -> None:
    sweep = pair.prediction_sweep(load_scenario(pair.PAIR_SCENARIO), 500, b, 0)
    text = aw.sweep_sentence(sweep)
    ols = sweep[sweep["model"] == "Least squares"].sort_values("rho")
    first, last = ols.iloc[0], ols.iloc[-1]
    assert re.search(r"From ρ = (\S+) to (\S+?),", text).groups() == (
        f"{first['rho']:g}",
        f"{last['rho']:g}",
    )
    within = float(re.search(r"stay within (\S+) of the best possible R²", text).group(1))
    linear = sweep[~sweep["model"].str.lower().str.contains("trees")]
    assert (linear["best_r2"] - linear["r2"]).max() <= within + 0.005
    moves = re.search(r"best possible R² itself moves from (\S+) to (\S+) because", text)
    assert bool(moves) == (sweep["best_r2"].max() - sweep["best_r2"].min() > 0.02)
    grow = re.search(r"grows (\d+)-fold, from (\S+) to (\S+) N per SD", text).groups()
    assert grow == (
        f"{last['spread'] / first['spread']:.0f}",
        format_number(first["spread"]),
        format_number(last["spread"]),
    )
    assert last["spread"] > first["spread"]  # "grows"


@pytest.mark.parametrize(
    "inputs", (("GNPDEFL", "GNP", "UNEMP", "ARMED", "POP", "YEAR"), ("GNP", "POP"))
)
def test_the_stability_sentence_reads_the_resamples(inputs: tuple[str, ...]) -> None:
    from lib.attribution.stability import (
        coefficient_stability,
        credit_groups,
        stability_summary,
    )

    data = load_dataset("longley").data.astype(float)
    frame, group, left_out, _ = credit_groups(data, None, row_word="year")
    long = coefficient_stability(frame, "TOTEMP", list(inputs), reps=200, environment=group)
    summary = stability_summary(long)
    text = aw.stability_sentence(summary, 200, left_out)
    flips = summary[summary["sign_flips"] > 0.1]
    counted = re.match(r"(\d+) of (\d+) inputs change sign", text)
    if counted:
        assert (int(counted.group(1)), int(counted.group(2))) == (len(flips), len(summary))
        assert set(_code(text.split(")")[0])) == set(flips["input"])
    else:
        assert flips.empty and text.startswith("No input changes sign")
    width = summary["high"] - summary["low"]
    widest = summary.loc[width.idxmax()]
    swings = re.search(r"`([^`]+)` swings most: from (\S+) to (\S+) SD per SD", text).groups()
    assert swings == (
        widest["input"],
        format_number(widest["low"]),
        format_number(widest["high"]),
    )


# ----------------------------------------------------------------------------- Black box §3


@pytest.mark.parametrize("units", UNIT_COUNTS)
def test_the_barrier_sentence_counts_the_search(units: int) -> None:
    net, _, lesion_x = network(units, 0)
    search = lesions.lesion_search(net, lesion_x)
    rows = [r._asdict() for r in search.rows]
    complete = lesions.experiments_needed(units)
    chip = lesions.experiments_needed(lesions.CHIP_TRANSISTORS)
    text = bb.barrier_sentence(
        rows,
        units,
        lesions.MAX_EXPERIMENTS,
        (complete.experiments, complete.log10_years),
        (lesions.CHIP_TRANSISTORS, chip.log10_years),
    )
    by_size = {r["size"]: r for r in rows}
    for size, word in ((2, "pairs"), (3, "triples")):
        if size not in by_size:
            continue
        row = by_size[size]
        assert row["experiments"] == math.comb(units, size)
        found = re.search(rf"of ([\d,]+) {word}, ([\d,]+) break", text)
        if found:
            assert row["searched"]
            assert int(found.group(1).replace(",", "")) == math.comb(units, size)
            assert int(found.group(2).replace(",", "")) == row["new"]
        else:
            assert not row["searched"] and row["experiments"] > lesions.MAX_EXPERIMENTS
            assert f"{math.comb(units, size):,} experiments" in text
    assert f"2^{units} = {bb.big_count(2**units)} experiments" in text
    assert 10**complete.log10_years * 365.25 == pytest.approx(2.0**units, rel=1e-6)
    assert bb.duration(complete.log10_years) in text


# ----------------------------------------------------------------------------- Black box §5


@pytest.mark.parametrize("units", (8, 32, 64))
def test_the_patch_sentence_at_every_behaviour(units: int) -> None:
    net, _, _ = network(units, 0)
    x_base = sample_inputs(500, net.seed + 5)
    for behaviour in PATCHED:
        directions = illusions.patch_directions(net, behaviour)
        effects = illusions.patch_effects(net, directions, x_base)
        mine = effects[effects["behaviour"] == behaviour].set_index("patch")["change"]
        sd = directions.activity_sd
        v, whole = float(mine["along v"]), float(mine["the whole layer"])
        text = bb.patch_sentence(
            behaviour,
            v,
            whole,
            float(mine["along d only"]),
            float(mine["along u only"]),
            float(sd["u"]),
            float(sd["d"]),
        )
        moved = re.search(r"Patching along v moves the \w+ output by (?:only )?(\S+) SD", text)
        assert moved.group(1) == format_number(v)
        if "no illusion to see" in text:
            assert v < 0.1
            continue
        whole_said = re.search(r"whole layer moves it (?:too \(|by )(\S+?) SD", text)
        assert whole_said.group(1) == format_number(whole)
        if "makes nothing of the difference" in text:
            assert whole < v / 5 and sd["u"] < sd["d"] / 10
            dormant = re.search(r"\(SD (\S+), against (\S+) along d\)", text).groups()
            assert dormant == (format_number(sd["u"]), format_number(sd["d"]))


# ----------------------------------------------------------------------------- numbers in words


@pytest.mark.parametrize("tau_ms", NEURON_TAUS)
def test_the_tuning_a_hold_needs(tau_ms: int) -> None:
    from lib.blackbox import attractor

    tau = tau_ms / 1000
    needed = attractor.tuning_needed(tau, 20.0)
    text = bb.tuning_needed_text(tau, needed)
    within = float(re.search(r"needs w within (\S+)% of 1", text).group(1)) / 100
    assert within == pytest.approx(needed, rel=0.05)  # two significant digits
    assert attractor.hold_time(tau, 1 - needed) == pytest.approx(20.0)
    assert f"with {tau_ms:g} ms neurons" in text


_WORDS = {"million": 1e6, "billion": 1e9}


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**40))
def test_a_big_count_in_words_is_the_count(count: int) -> None:
    text = bb.big_count(count)
    if count < 1_000_000:
        assert int(text.replace(",", "")) == count
        return
    value, word = text.split(" ", 1)
    if word in _WORDS:
        assert float(value) * _WORDS[word] == pytest.approx(count, rel=0.06)
    else:
        mantissa, exponent = re.fullmatch(r"(\S+) × 10\^([\d,]+)", text).groups()
        assert float(mantissa) * 10 ** int(exponent.replace(",", "")) == pytest.approx(
            count, rel=0.06
        )


@settings(max_examples=200, deadline=None)
@given(st.floats(-3.0, 60.0))
def test_a_duration_in_words_is_the_duration(log10_years: float) -> None:
    text = bb.duration(log10_years)
    years = 10**log10_years
    days = re.fullmatch(r"([\d,]+) days?", text)
    if days:
        assert years < 1
        assert float(days.group(1).replace(",", "")) == pytest.approx(years * 365.25, abs=0.51)
        return
    plain = re.fullmatch(r"([\d,.]+) years", text)
    if plain:
        assert float(plain.group(1).replace(",", "")) == pytest.approx(years, rel=0.06)
        return
    words = re.fullmatch(r"(\S+) (million|billion) years", text)
    if words:
        assert float(words.group(1)) * _WORDS[words.group(2)] == pytest.approx(years, rel=0.06)
        return
    mantissa, exponent = re.fullmatch(r"(\S+) × 10\^([\d,]+) years", text).groups()
    assert float(mantissa) * 10 ** int(exponent.replace(",", "")) == pytest.approx(years, rel=0.06)


# ----------------------------------------------------------------------------- Data: how a file was read


@st.composite
def _csv_files(draw):
    rows = draw(st.integers(12, 40))
    cols = draw(st.integers(1, 4))
    cells = st.one_of(
        st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: f"{x:.3f}"),
        st.just(""),
        st.sampled_from(["n/a", "oops", "12 kg"]),
    )
    grid = [[draw(cells) for _ in range(cols)] for _ in range(rows)]
    header = ",".join(f"col{j}" for j in range(cols))
    return header + "\n" + "\n".join(",".join(r) for r in grid) + "\n", grid


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_csv_files())
def test_how_a_file_was_read_counts_its_cells(case) -> None:
    from lib.errors import DataError
    from lib.tables.read import read_table

    text, grid = case
    try:
        table = read_table(text.encode(), name="t.csv")
    except DataError:
        return  # refused, with a message (too few rows once empty rows go)
    lines = table.report.lines()
    shape = re.match(r"([\d,]+) rows × ([\d,]+) columns", lines[0]).groups()
    assert (int(shape[0].replace(",", "")), int(shape[1])) == table.data.shape
    said = {
        name: (int(k.replace(",", "")), int(t.replace(",", "")) if t else 0)
        for line in lines
        if line.startswith("Missing or unusable cells")
        for name, k, t in re.findall(r"`([^`]+)` ([\d,]+)(?: \(([\d,]+) of them text\))?", line)
    }
    data = table.data
    for name in data.columns:
        missing = int(data[name].isna().sum())
        if table.report.dtypes[name] == "number":
            assert said.get(name, (0, 0))[0] == missing, (name, lines)
    assert ("No missing cells." in lines) == (not said)
    if len(grid[0]) > 1:  # a blank line of a one-column file is no row at all
        kept = [r for r in grid if any(c not in ("", "n/a") for c in r)]  # n/a: a missing mark
        assert table.report.dropped_rows == len(grid) - len(kept)
        said = re.search(r"([\d,]+) completely empty rows? left out", " ".join(lines))
        assert (int(said.group(1)) if said else 0) == len(grid) - len(kept)


def test_a_row_of_text_alone_is_not_called_empty() -> None:
    """Found by the property test above: a row whose only cell was text in a column of
    numbers was left out as "completely empty" while its text was counted."""
    from lib.tables.read import read_table

    table = read_table(b"a,b\n" + b"1,2\n" * 12 + b",\n,oops\n", name="t.csv")
    assert table.report.dropped_rows == 1 and table.report.rows == 13
    assert table.report.missing["b"] == 1 and table.report.not_numbers["b"] == 1
    assert "1 completely empty row left out." in table.report.lines()
