"""The L-DOPA experiment behaves as the story says, at the default settings."""

from __future__ import annotations

import numpy as np
import pytest

from lib.fitting.experiments import OBSERVATIONAL, compare_models, run_experiment, strength_sweep
from lib.fitting.models import ModelSpec
from lib.words.narration import explain_outcome
from lib.world.interventions import Shift
from lib.world.scenarios import list_scenarios, load_scenario


def ratios(res, test):
    obs = res[res.test == OBSERVATIONAL].set_index("model")
    after = res[res.test == test].set_index("model")
    return after["rmse"] / obs["rmse"], obs["kind"]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_tylenol_breaks_every_predictive_model_and_no_causal_one(seed: int) -> None:
    sc = load_scenario("ldopa")
    res = compare_models(sc, n=sc.default_n, seed=seed, tests={"Tylenol": sc.presets["Tylenol"]})
    assert list(res.columns) == [
        "model",
        "kind",
        "family",
        "features",
        "inputs",
        "test",
        "rmse",
        "r2",
        "n_test",
    ]
    assert dict(zip(res.model, res.family, strict=True)) == {
        "Linear · all features": "linear",
        "Trees · all features": "trees",
        "Linear · causes only": "linear",
        "Trees · causes only": "trees",
    }
    assert (res.n_test == sc.default_n).all()
    assert set(res.test) == {OBSERVATIONAL, "Tylenol"}
    r, kind = ratios(res, "Tylenol")
    assert set(kind) == {"predictive", "causal"}
    for model, ratio in r.items():
        if kind[model] == "predictive":
            assert ratio >= 2.0, (model, ratio)
        else:
            assert ratio <= 1.15, (model, ratio)
    pred = res[(res.kind == "predictive") & (res.test == OBSERVATIONAL)]
    assert pred.features.str.contains("headache").all()
    causal = res[res.kind == "causal"]
    assert not causal.features.str.contains("headache|dyskinesia").any()


@pytest.mark.parametrize("seed", [0, 1])
def test_agonist_breaks_a_model_on_dose_alone(seed: int) -> None:
    sc = load_scenario("ldopa")
    specs = [ModelSpec("dose only", "causal", ("dose",))]
    res = compare_models(sc, 2000, seed, {"agonist": sc.presets["Dopamine agonist"]}, specs)
    r, _ = ratios(res, "agonist")
    assert r["dose only"] >= 1.5


def test_predictive_models_fit_better_in_distribution() -> None:
    sc = load_scenario("ldopa")
    res = compare_models(sc, 2000, 0)
    obs = res.set_index("model")["rmse"]
    assert obs["Linear · all features"] < obs["Linear · causes only"]


#: The two-neuron world tells another story: its non-cause is not a shortcut that a
#: model must use, only one it may use by chance (the Attribution page; tested below).
NO_SHORTCUT = ("neurons",)


@pytest.mark.parametrize("sid", [s for s in list_scenarios() if s not in NO_SHORTCUT])
def test_every_scenario_has_a_preset_that_breaks_a_spurious_predictor(sid: str) -> None:
    sc = load_scenario(sid)
    res = compare_models(sc, sc.default_n, 0, dict(sc.presets))
    broke = False
    for name in sc.presets:
        r, kind = ratios(res, name)
        pred_break = all(r[m] >= 2.0 for m in r.index if kind[m] == "predictive")
        causal_hold = all(r[m] <= 1.15 for m in r.index if kind[m] == "causal")
        broke |= pred_break and causal_hold
    assert broke


def test_in_the_neurons_world_least_squares_on_both_neurons_survives_the_experiments() -> None:
    # with the file's 500 rows at correlation 0.95, least squares credits A and gives B
    # little: driving or silencing B leaves it predicting (the page's Rashomon model,
    # which credits B, breaks: tests/test_attribution_pair.py)
    sc = load_scenario("neurons")
    res = compare_models(sc, sc.default_n, 0, dict(sc.presets))
    for name in ("Drive B", "Silence B"):
        r, _ = ratios(res, name)
        assert r["Linear · all features"] < 1.15


def test_strength_sweep_goes_from_no_change_to_full() -> None:
    sc = load_scenario("ldopa")
    exp = run_experiment(sc, 2000, 0)
    sweep = strength_sweep(exp, sc.presets["Tylenol"])
    assert set(sweep.columns) == {"model", "kind", "strength", "rmse", "r2"}
    assert sorted(sweep.strength.unique()) == pytest.approx([i / 10 for i in range(11)])
    obs = exp.evaluate().set_index("model")["rmse"]
    lin = sweep[sweep.model == "Linear · all features"].set_index("strength")["rmse"]
    assert lin[0.0] == pytest.approx(obs["Linear · all features"])
    assert lin.is_monotonic_increasing and lin[1.0] > 2 * lin[0.0]
    causal = sweep[sweep.model == "Linear · causes only"]["rmse"]
    assert causal.max() / causal.min() < 1.01


@pytest.mark.parametrize("preset", ["Tylenol", "Double the dose"])
def test_predictions_over_many_tests_are_each_tests_own(preset: str) -> None:
    """One predict call per model over a sweep's tests gives each test's own predictions,
    bit for bit; a model whose inputs no strength changes predicts one test's rows."""
    from lib.fitting.evaluation import predict_all

    sc = load_scenario("ldopa")
    exp = run_experiment(sc, 400, 2)
    tests = {
        f"{s:g}": exp.test_sample([iv.with_strength(float(s)) for iv in sc.presets[preset]])
        for s in (0.0, 0.3, 1.0)
    }
    tests[OBSERVATIONAL] = exp.test_sample()
    rows: dict[str, list[int]] = {}
    for m in exp.models:
        original = m.predict

        def counted(df, m=m, original=original):  # noqa: ANN001, ANN202
            rows.setdefault(m.name, []).append(len(df))
            return original(df)

        m.predict = counted  # type: ignore[method-assign]  # an instance attribute
    got = predict_all(exp.models, tests)
    for name, test in tests.items():
        assert list(got[name].columns) == [sc.target, *(m.name for m in exp.models)]
        assert np.array_equal(got[name][sc.target].to_numpy(), test[sc.target].to_numpy())
        for m in exp.models:
            assert np.array_equal(got[name][m.name].to_numpy(), type(m).predict(m, test))
    assert all(len(calls) == 1 for calls in rows.values()), rows
    # the causal models' inputs (dose) are the same under Tylenol; observational = strength 0
    causal = next(m.name for m in exp.models if m.kind == "causal")
    predictive = next(m.name for m in exp.models if m.kind == "predictive")
    assert rows[causal] == [400 if preset == "Tylenol" else 3 * 400]
    assert rows[predictive] == [3 * 400]


@pytest.mark.parametrize("sid", ["ldopa", "fever", "icecream", "mystery"])
def test_a_sweep_given_its_ends_is_the_sweep_drawn_whole(sid: str) -> None:
    """The predictions of the observational test and of the full intervention, handed
    to the sweep as its strengths 0 and 1, give the sweep it draws for itself."""
    from lib.fitting.evaluation import predict_all

    sc = load_scenario(sid)
    exp = run_experiment(sc, 300, 2)
    customs = [[Shift(sc.features[0], 1.5)]]
    for ivs in [*(list(p) for p in sc.presets.values()), *customs]:
        ends = predict_all(exp.models, {"none": exp.test_sample(()), "full": exp.test_sample(ivs)})
        given = strength_sweep(exp, ivs, known={0.0: ends["none"], 1.0: ends["full"]})
        drawn = strength_sweep(exp, ivs)
        assert list(given["model"]) == list(drawn["model"])
        np.testing.assert_array_equal(given["strength"], drawn["strength"])
        np.testing.assert_allclose(given["rmse"], drawn["rmse"], rtol=1e-12)
        np.testing.assert_allclose(given["r2"], drawn["r2"], rtol=1e-12)


def test_explanations_name_the_culprit() -> None:
    sc = load_scenario("ldopa")
    tests = {k: sc.presets[k] for k in ("Tylenol", "Dopamine agonist", "Double the dose")}
    res = compare_models(sc, 2000, 0, tests)
    text = explain_outcome(sc, res, "Tylenol", sc.presets["Tylenol"])
    assert "relied on `headache`" in text and "without changing `relief`" in text
    assert "held, as the graph guarantees" in text
    agonist = explain_outcome(sc, res, "Dopamine agonist", sc.presets["Dopamine agonist"])
    assert "which no model observes directly" in agonist and "*which* intervention" in agonist
    dose = explain_outcome(sc, res, "Double the dose", sc.presets["Double the dose"])
    assert "trees predict flat" in dose


def test_custom_intervention_tests() -> None:
    sc = load_scenario("icecream")
    res = compare_models(sc, 500, 1, {"hot": [Shift("temperature", 4.0)]})
    assert len(res) == 8 and res.rmse.gt(0).all()


def test_partial_strength_is_said() -> None:
    sc = load_scenario("ldopa")
    half = sc.presets["Tylenol"].with_strength(0.5)
    res = compare_models(sc, 500, 0, {"Tylenol": half})
    text = explain_outcome(sc, res, "Tylenol", half)
    assert "partial strength" in text and "50%" in text


def test_explanations_stay_true_for_custom_interventions() -> None:
    from lib.world.interventions import Do, ScaleNoise

    sc = load_scenario("ldopa")
    tests = {
        "quiet headache": [ScaleNoise("headache", 0.0)],
        "relief nudged": [Do("relief", 5.0, strength=0.05)],
    }
    res = compare_models(sc, 2000, 0, tests)
    quiet = explain_outcome(sc, res, "quiet headache", tests["quiet headache"])
    assert "leaned little" not in quiet
    nudged = explain_outcome(sc, res, "relief nudged", tests["relief nudged"])
    assert "acts on `relief` itself" in nudged
    assert "along a path" not in nudged
