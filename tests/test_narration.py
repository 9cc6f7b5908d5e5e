"""The explanation of an intervention never contradicts itself: one sentence per case, per kind."""

from __future__ import annotations

import re

import pytest

from lib.fitting.experiments import run_experiment
from lib.words.narration import BROKE_RATIO, HELD_RATIO, explain_outcome, range_exits, verdict
from lib.world.interventions import Do, Replace, ScaleNoise, Shift
from lib.world.scenarios import load_scenario


@pytest.fixture(scope="module")
def ldopa():
    sc = load_scenario("ldopa")
    return sc, run_experiment(sc, 2000, 0)


def explain(ldopa, ivs) -> tuple[str, dict[str, str]]:
    sc, exp = ldopa
    res = exp.evaluate({"T": ivs})
    text = explain_outcome(
        sc, res, "T", ivs, range_exits(exp.train, exp.test_sample(ivs), sc.features)
    )
    per_model = {
        m.name: next(p for p in text.split("\n\n") if p.startswith(f"**{m.name}**"))
        for m in exp.models
    }
    return text, per_model


@pytest.mark.parametrize(
    ("iv", "says", "never"),
    [
        (Shift("relief", 5.0), "moved by the same amount (its mechanism kept)", "mechanism of"),
        (ScaleNoise("relief", 3.0), "random part of `relief` was scaled", "mechanism of"),
        (Do("relief", 0.0), "`relief` was set by hand", "mechanism of"),
        (
            Replace("relief", "2 * dopamine"),
            "the mechanism of `relief` was replaced",
            "set by hand",
        ),
    ],
    ids=["shift", "scale_noise", "do", "replace"],
)
def test_an_intervention_on_the_target_is_described_by_its_kind(ldopa, iv, says, never) -> None:
    text, per_model = explain(ldopa, (iv,))
    assert "acts on `relief` itself" in text
    for sentence in per_model.values():
        if "held" not in sentence:
            assert says in sentence, sentence
        assert never not in sentence, sentence


def test_inputs_pushed_out_of_range_are_named_for_every_model_that_the_graph_protects(
    ldopa,
) -> None:
    """do(dose = 0): every model's inputs leave the training range; none 'just holds'."""
    _, per_model = explain(ldopa, (Do("dose", 0.0),))
    for name, sentence in per_model.items():
        assert "left the range it was trained on" in sentence, (name, sentence)
        if "Trees" in name:  # a test may read names; the engine never does
            assert "trees predict flat there" in sentence


def test_the_verdict_words_follow_the_ratio(ldopa) -> None:
    _, per_model = explain(ldopa, load_scenario("ldopa").presets["Tylenol"])
    for sentence in per_model.values():
        ratio = float(re.search(r"×(\d+\.\d+)", sentence).group(1))
        outcome = verdict(ratio)
        if outcome == "broke":
            assert " error" in sentence and "held" not in sentence
        elif outcome == "held":
            assert "held" in sentence and " error:" not in sentence
        else:
            assert "degraded somewhat" in sentence
    assert verdict(BROKE_RATIO) == "broke" and verdict(HELD_RATIO) == "held"
