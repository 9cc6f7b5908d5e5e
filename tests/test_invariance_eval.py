"""Tests for the Invariance page: held-out errors per environment (lib.invariance.compare),
its sentences (lib.words.invariance) and the environments composer (lib.ui.composer)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from lib.errors import DataError
from lib.fitting.models import ModelSpec
from lib.invariance.compare import (
    DECLARED,
    ICP_MODEL,
    LOEO_RERUN_WORK,
    NO_INTERVENTION_WORLD,
    ORACLE,
    POOLED,
    bend_start,
    comparison_models,
    environment_errors,
    fresh_worlds,
    icp_loeo,
    loeo_work,
    nonlinear_scenario,
    predictor_table,
    sweep_start,
)
from lib.invariance.engine import icp
from lib.ui.composer import (
    MAX_ENV_ROWS_UI,
    MIN_ENV_ROWS,
    NO_INTERVENTION,
    environment_rows,
    environments_from_rows,
    intervention_options,
    new_row_defaults,
    spurious_preset,
    starting_environments,
)
from lib.words.invariance import (
    bend_sentence,
    exposed,
    icp_sentence,
    local_sentence,
    set_sweep_sentence,
    strength_runs,
    sweep_caption,
)
from lib.world.interventions import ScaleNoise, Shift
from lib.world.scenarios import load_scenario


def world(n: int, seed: int, shift_y_child: float = 0.0, do_x: float | None = None) -> pd.DataFrame:
    """x -> y -> z; environments shift z's mechanism (the spurious child) or set x."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, n) if do_x is None else np.full(n, do_x) + rng.normal(0, 0.3, n)
    y = 2.0 * x + rng.normal(0, 1, n)
    z = y + shift_y_child + rng.normal(0, 0.5, n) * (1 + abs(shift_y_child))
    return pd.DataFrame({"x": x, "y": y, "z": z})


@pytest.fixture
def pooled() -> pd.DataFrame:
    parts = [world(800, 1).assign(env="A"), world(800, 2, do_x=2.0).assign(env="B")]
    return pd.concat(parts, ignore_index=True)


# ----------------------------------------------------------------------------- models


def test_comparison_models_order_kinds_and_features() -> None:
    models = comparison_models(["a", "b", "c"], frozenset({"c", "a"}), ["b"])
    assert [m.name for m in models] == [POOLED, ICP_MODEL, ORACLE]
    assert [m.kind for m in models] == ["predictive", "causal", "causal"]
    assert models[1].features == ("a", "c")  # in the order of the features
    assert models[2].features == ("b",)
    assert len(comparison_models(["a"], frozenset(), None)) == 2


def test_environment_errors_match_statsmodels_ols(pooled: pd.DataFrame) -> None:
    test = world(500, 7, shift_y_child=3.0)
    models = [ModelSpec("m", "predictive", ("x", "z"))]
    out = environment_errors(pooled, {"shifted": test}, "y", models)
    X = sm.add_constant(pooled[["x", "z"]].to_numpy())
    fit = sm.OLS(pooled["y"].to_numpy(), X).fit()
    pred = fit.predict(sm.add_constant(test[["x", "z"]].to_numpy(), has_constant="add"))
    expected = float(np.sqrt(np.mean((test["y"].to_numpy() - pred) ** 2)))
    assert out.loc[0, "rmse"] == pytest.approx(expected, rel=1e-10)
    assert list(out.columns) == [
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
    assert out.loc[0, "n_test"] == 500


def test_empty_model_predicts_the_training_mean(pooled: pd.DataFrame) -> None:
    test = world(300, 9)
    out = environment_errors(pooled, {"t": test}, "y", [ModelSpec("none", "causal", ())])
    expected = float(np.sqrt(np.mean((test["y"] - pooled["y"].mean()) ** 2)))
    assert out.loc[0, "rmse"] == pytest.approx(expected)
    assert out.loc[0, "features"].startswith("none")


def test_the_spurious_child_breaks_the_pooled_model_not_the_parent_model(
    pooled: pd.DataFrame,
) -> None:
    tests = {"calm": world(2000, 11), "shifted": world(2000, 12, shift_y_child=4.0)}
    models = comparison_models(["x", "z"], frozenset({"x"}), ["x"])
    out = environment_errors(pooled, tests, "y", models).set_index(["model", "test"])["rmse"]
    # with the child in calm water, using it helps; under the shift it hurts
    assert out[(POOLED, "calm")] < out[(ORACLE, "calm")]
    assert out[(POOLED, "shifted")] > 2 * out[(ORACLE, "shifted")]
    # the causal model's error does not move
    assert out[(ORACLE, "shifted")] == pytest.approx(out[(ORACLE, "calm")], rel=0.15)


def test_environment_errors_needs_a_test(pooled: pd.DataFrame) -> None:
    with pytest.raises(DataError):
        environment_errors(pooled, {}, "y", comparison_models(["x"], frozenset(), None))


def test_non_finite_predictions_are_refused(pooled: pd.DataFrame) -> None:
    bad = world(50, 3)
    bad.loc[0, ["x", "z"]] = np.finfo(float).max  # finite inputs, overflowing prediction
    with pytest.raises(DataError, match="not finite"):
        environment_errors(pooled, {"bad": bad}, "y", [ModelSpec("m", "causal", ("x", "z"))])


# ----------------------------------------------------------------------------- leave one out


def three_envs(seed: int = 0) -> pd.DataFrame:
    parts = [
        world(400, seed).assign(env="A"),
        world(400, seed + 1, do_x=2.0).assign(env="B"),
        world(400, seed + 2, shift_y_child=2.0).assign(env="C"),
    ]
    return pd.concat(parts, ignore_index=True)


def test_leave_one_out_reruns_icp_without_the_held_out_environment() -> None:
    df = three_envs()
    out, note = icp_loeo(df, "y", "env", ["x", "z"], ["x"], 0.05)
    assert set(out["test"]) == {"A", "B", "C"}
    assert set(out["model"]) == {POOLED, ICP_MODEL, DECLARED}
    assert note == ""
    # holding out C (the shifted child), the pooled model breaks and the declared causes hold
    c = out[out["test"] == "C"].set_index("model")["rmse"]
    assert c[POOLED] > 1.5 * c[DECLARED]


def test_leave_one_out_reuses_the_full_set_when_rerunning_would_cost_too_much() -> None:
    df = three_envs()
    # forced: no ICP rerun, the full-data set everywhere, and a note that says why
    out, note = icp_loeo(
        df, "y", "env", ["x", "z"], None, full_icp=frozenset({"z"}), rerun_icp=False
    )
    assert (out[out["model"] == ICP_MODEL]["features"] == "z").all()
    assert "set found on all the data" in note and "3 environments" in note
    # by default: small problems rerun, large ones do not (p = 20 on 10 sites took 50 s)
    assert loeo_work(3, 2) <= LOEO_RERUN_WORK
    assert loeo_work(10, 14) <= LOEO_RERUN_WORK < loeo_work(10, 15)
    assert loeo_work(100, 3) > LOEO_RERUN_WORK  # many environments cost too
    rng = np.random.default_rng(0)
    many = pd.concat(
        [world(20, i, shift_y_child=float(i % 3)).assign(env=f"e{i}") for i in range(60)],
        ignore_index=True,
    )
    many["w"] = rng.normal(size=len(many))
    out, note = icp_loeo(many, "y", "env", ["x", "z", "w"], None, full_icp=frozenset({"x"}))
    assert "60 environments" in note
    assert (out[out["model"] == ICP_MODEL]["features"] == "x").all()


def test_leave_one_out_with_two_environments_uses_the_full_set_and_says_so(
    pooled: pd.DataFrame,
) -> None:
    out, note = icp_loeo(pooled, "y", "env", ["x", "z"], None, full_icp=frozenset({"x"}))
    assert "two environments" in note
    assert (out[out["model"] == ICP_MODEL]["features"] == "x").all()


def test_leave_one_out_needs_two_environments() -> None:
    with pytest.raises(DataError, match="fewer than two"):
        icp_loeo(world(100, 0).assign(env="A"), "y", "env", ["x"], None)


# ----------------------------------------------------------------------------- sentences


def test_icp_sentence_names_the_causes() -> None:
    df = three_envs(5)
    res = icp(df, "y", "env", candidates=["x", "z"])
    assert res.causal_predictors == frozenset({"x"})
    text = icp_sentence(res)
    assert text.startswith("**ICP's estimated causes of `y`: `x`.**")
    assert "95%" in text


def test_icp_sentence_when_nothing_is_accepted() -> None:
    # the environments intervene on the target itself: nothing can be invariant
    rng = np.random.default_rng(0)
    parts = []
    for e, shift in enumerate([0.0, 5.0]):
        x = rng.normal(0, 1, 500)
        y = x + shift + rng.normal(0, 1 + 2 * e, 500)
        parts.append(pd.DataFrame({"x": x, "y": y, "env": e}))
    res = icp(pd.concat(parts, ignore_index=True), "y", "env")
    assert res.no_set_accepted
    assert icp_sentence(res).startswith("**No set accepted:**")
    assert "hidden variables" in icp_sentence(res)


def test_icp_sentence_when_the_accepted_sets_share_nothing() -> None:
    # no shift at all: every set is invariant, the empty one included
    parts = [world(400, 1).assign(env="A"), world(400, 2).assign(env="B")]
    res = icp(pd.concat(parts, ignore_index=True), "y", "env", alpha=0.01)
    assert not res.no_set_accepted and not res.causal_predictors
    assert icp_sentence(res).startswith("**ICP cannot tell:**")


def test_icp_sentence_writes_large_counts_with_thousands_separators() -> None:
    # x causes y and the environments shift x; eleven unrelated columns ride along, so
    # about 2**11 sets contain x and pass
    rng = np.random.default_rng(0)
    parts = []
    for e, shift in enumerate([0.0, 3.0]):
        x = rng.normal(shift, 1 + e, 600)
        cols = {f"w{i}": rng.normal(0, 1, 600) for i in range(11)}
        parts.append(pd.DataFrame({"x": x, **cols, "y": x + rng.normal(0, 1, 600), "env": e}))
    res = icp(pd.concat(parts, ignore_index=True), "y", "env")
    k = len(res.accepted_sets)
    assert k >= 1000 and res.causal_predictors == frozenset({"x"})
    assert f"Each of the {k:,} sets" in icp_sentence(res) and "," in f"{k:,}"
    # no shift: the accepted sets share nothing, out of 4,096 tried
    same = parts[0].assign(env=np.arange(len(parts[0])) % 2)  # one world split in two
    text = icp_sentence(icp(same, "y", "env", alpha=0.01))
    assert text.startswith("**ICP cannot tell:**") and " of 4,096 passed" in text


def test_sentences_keep_names_inert() -> None:
    text = local_sentence([("`A`<script>", "")], target="y`x")
    assert "<script>" in text  # shown as code, never as a live tag
    assert "`'A'<script>`" in text
    assert "`y'x`" in text


def test_local_sentence_says_what_was_checked() -> None:
    text = local_sentence(
        [("clinic A", ""), ("clinic B", "Tylenol at 40%")],
        target="relief",
        strength=0.4,
        shifted="Tylenol",
    )
    assert "`clinic A` (no intervention)" in text
    assert "Tylenol at 40%" in text
    assert "40% of its full strength" in text
    assert "linear mechanism" in text
    # the same percentage as the page's verdict (7.5%, not a rounded 8%)
    assert "is at 7.5% of its full strength" in local_sentence(
        [], target="y", strength=0.075, shifted="P"
    )


def test_predictor_table_orders_by_evidence() -> None:
    res = icp(three_envs(5), "y", "env", candidates=["x", "z"])
    table = predictor_table(res)
    assert list(table.columns) == ["predictor", "estimated cause", "p-value", "CI low", "CI high"]
    assert table.loc[0, "predictor"] == "x"
    assert bool(table.loc[0, "estimated cause"])
    lo, hi = table.loc[0, "CI low"], table.loc[0, "CI high"]
    assert lo < 2.0 < hi  # the true coefficient


# ----------------------------------------------------------------------------- composer


def test_starting_environments_leave_out_interventions_on_the_target() -> None:
    sc = load_scenario("fever")
    envs, left_out = starting_environments(sc, 500)
    assert left_out == ["New variant"]
    assert all(e.n == 500 for e in envs)
    assert all(iv.node != sc.target for e in envs for iv in e.interventions)


@pytest.mark.parametrize("n", [50_000, 5])
@pytest.mark.parametrize("declared", [False, True])
def test_starting_environments_fit_the_composers_row_range(n: int, declared: bool) -> None:
    # a world's default rows (up to 100,000) or its declared environments may be larger
    sc = load_scenario("ldopa" if declared else "fever")
    if declared:
        sc = replace(sc, environments=tuple(e.with_n(n) for e in sc.environments))
    envs, _ = starting_environments(sc, n)
    assert {e.n for e in envs} == {min(max(n, MIN_ENV_ROWS), MAX_ENV_ROWS_UI)}
    rows, named = environment_rows(envs, sc)
    assert environments_from_rows(rows, sc, named, {}) == envs  # no "rows must be from" error


def test_rows_round_trip_presets_and_declared_environments() -> None:
    for sid in ("fever", "ldopa"):
        sc = load_scenario(sid)
        envs, _ = starting_environments(sc, 300)
        rows, named = environment_rows(envs, sc)
        assert set(rows["intervention"]) <= set(intervention_options(sc, named))
        assert environments_from_rows(rows, sc, named, {}) == envs


def test_custom_rows_become_shifts_and_noise_at_their_strength() -> None:
    sc = load_scenario("fever")
    rows = pd.DataFrame(
        [
            ["calm", NO_INTERVENTION, 1.0, 100],
            ["shifted", "shift fever by 2 SD", 0.5, 100],
            ["noisy", "noise of cough ×3", 1.0, 100],
        ],
        columns=["environment", "intervention", "strength", "rows"],
    )
    envs = environments_from_rows(rows, sc, {}, {"fever": 0.4})
    assert envs[1].interventions == (Shift("fever", 0.8, strength=0.5),)
    assert envs[2].interventions == (ScaleNoise("cough", 3.0),)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["b", "Paracetamol", 1.5, 100], "strength"),
        (["b", "Paracetamol", 1.0, 5], "rows"),
        (["b", "Paracetamol", 1.0, 10.5], "whole number"),
        (["b", "not an option", 1.0, 100], "choose an intervention"),
        (["a", "Paracetamol", 1.0, 100], "twice"),
    ],
)
def test_bad_rows_are_named(row: list, message: str) -> None:
    sc = load_scenario("fever")
    rows = pd.DataFrame(
        [["a", NO_INTERVENTION, 1.0, 100], row],
        columns=["environment", "intervention", "strength", "rows"],
    )
    with pytest.raises(ValueError, match=message):
        environments_from_rows(rows, sc, {}, {})


def test_a_new_row_starts_with_defaults_and_counts_at_once() -> None:
    """Found by a new user: a new row started as None / None / None and the results went
    stale until every cell was filled."""
    sc = load_scenario("fever")
    rows = pd.DataFrame(
        [["a", NO_INTERVENTION, 1.0, 100]],
        columns=["environment", "intervention", "strength", "rows"],
    )
    defaults = new_row_defaults(sc, rows)
    assert defaults == {"intervention": "Paracetamol", "strength": 1.0, "rows": 100}
    rows.loc[1] = [None, defaults["intervention"], defaults["strength"], defaults["rows"]]
    envs = environments_from_rows(rows, sc, {}, {})
    assert [e.name for e in envs] == ["a", "environment 2"]
    assert envs[1].interventions == tuple(sc.presets["Paracetamol"])


def test_one_environment_is_not_enough_and_blank_rows_are_skipped() -> None:
    sc = load_scenario("fever")
    rows = pd.DataFrame(
        [["a", NO_INTERVENTION, 1.0, 100], [None, None, None, None]],
        columns=["environment", "intervention", "strength", "rows"],
    )
    with pytest.raises(ValueError, match="at least two"):
        environments_from_rows(rows, sc, {}, {})


def test_the_sweep_starts_with_a_preset_on_a_non_cause() -> None:
    assert spurious_preset(load_scenario("fever")) == "Paracetamol"
    assert spurious_preset(load_scenario("icecream")) == "Ice cream ban"


def test_the_nonlinear_world_saturates() -> None:
    sc = nonlinear_scenario()
    far = sc.scm.sample(4000, 0, (Shift("dose", 3.0),))
    assert 1.8 < far["response"].mean() < 2.05  # 2·tanh(3) ≈ 1.99, not 2·3


# ----------------------------------------------------------------------------- sweep sentences

GRID = [0.01, 0.02, 0.05, 0.1, 0.5, 1.0]


def test_strength_runs_group_neighbours() -> None:
    assert strength_runs(GRID, [True, True, False, False, True, True]) == "1–2% and 50–100%"
    assert strength_runs(GRID, [False, True, False, True, False, False]) == "2% and 10%"
    assert strength_runs(GRID, [False] * 6) == ""
    assert strength_runs(GRID, [True] * 6) == "1–100%"


@pytest.mark.parametrize(
    ("pvalues", "expected"),
    [
        ([0.9, 0.5, 0.2, 0.3, 0.6, 0.7], "S passes at every strength shown (1–100%)."),
        ([0.01, 0.0, 0.0, 0.0, 0.0, 0.04], "S is rejected at every strength shown (1–100%)."),
        ([0.9, 0.5, 0.01, 0.0, 0.0, 0.0], "S passes up to 2% and is rejected from 5% on."),
        ([0.01, 0.04, 0.2, 0.3, 0.6, 0.7], "S is rejected up to 2% and passes from 5% on."),
        # the old page's pattern: rejected in the middle, "invariant (p = 1)" at 100%
        (
            [0.9, 0.5, 0.01, 0.0, 0.016, 1.0],
            "S passes at 1–2% and 100% and is rejected at 5–50%.",
        ),
    ],
)
def test_set_sweep_sentence_says_only_what_the_numbers_show(
    pvalues: list[float], expected: str
) -> None:
    assert set_sweep_sentence("S", GRID, pvalues, 0.05) == expected


def sweep_table(p_all: list[float], p_par: list[float], parents: str = "a") -> pd.DataFrame:
    rows = []
    for s, pa, pp in zip(GRID, p_all, p_par, strict=True):
        rows.append({"strength": s, "set": "all features", "features": "a, b", "pvalue": pa})
        rows.append({"strength": s, "set": "causal parents", "features": parents, "pvalue": pp})
        rows.append({"strength": s, "set": "ICP estimate", "features": "a", "pvalue": pp})
    return pd.DataFrame(rows).assign(rmse=1.0)


def test_sweep_caption_claims_exposure_only_when_a_stronger_shift_rejects() -> None:
    good = sweep_table([0.9, 0.5, 0.01, 0.0, 0.0, 0.0], [0.5] * 6)
    text = sweep_caption(good, 0.05, preset="P", target="y")
    assert "passes up to 2% and is rejected from 5% on" in text
    assert "a stronger one exposes it" in text
    assert "The causes' set {`a`} passes at every strength shown" in text
    assert "by chance" not in text
    # rejected everywhere: nothing passed, so nothing was "exposed"
    never = sweep_table([0.01] * 6, [0.5] * 6)
    assert "exposes" not in sweep_caption(never, 0.05, preset="P", target="y")
    # passes everywhere: said so, never "a strong one rejects it"
    calm = sweep_caption(sweep_table([0.5] * 6, [0.5] * 6), 0.05, preset="P", target="y")
    assert "passes at every strength" in calm and "reject" not in calm.replace("rejected", "")
    assert "does not move" in calm
    # a rejected parents' set is reported, with the reasons it can happen
    bad = sweep_caption(sweep_table([0.5] * 6, [0.01] * 6), 0.05, preset="P", target="y")
    assert "The causes' set {`a`} is rejected at every strength" in bad and "by chance" in bad
    # no feature is a cause: the empty set, named as such (never "true parents")
    empty = sweep_caption(sweep_table([0.5] * 6, [0.5] * 6, ""), 0.05, preset="P", target="y")
    assert "The set of no predictor (no feature is a cause of it)" in empty
    assert "parents" not in empty
    assert exposed(GRID, [0.9, 0.01, 0.9, 0.9, 0.9, 0.9], 0.05)
    assert not exposed(GRID, [0.01, 0.9, 0.9, 0.9, 0.9, 0.9], 0.05)


def test_the_sweep_starts_where_the_set_still_passes_before_a_stronger_one_rejects_it() -> None:
    assert sweep_start(sweep_table([0.9, 0.5, 0.01, 0.0, 0.0, 0.03], [0.5] * 6), 0.05) == 0.02
    assert sweep_start(sweep_table([0.9, 0.5, 0.01, 1e-9, 0.2, 1.0], [0.5] * 6), 0.05) == 0.02
    # rejected from the mildest strength on: the full intervention
    assert sweep_start(sweep_table([0.01, 0.0, 0.0, 0.0, 0.0, 0.03], [0.5] * 6), 0.05) == 1.0
    # never rejected: the strength with the lowest p-value
    assert sweep_start(sweep_table([0.9, 0.5, 0.1, 0.06, 0.2, 1.0], [0.5] * 6), 0.05) == 0.1
    assert bend_start(sweep_table([0.9, 0.5, 0.3, 0.01, 0.0, 0.0], [0.5] * 6), 0.05) == 0.05
    assert bend_start(sweep_table([0.01] * 6, [0.5] * 6), 0.05) == 0.01


def test_bend_sentence_follows_the_verdict_and_the_errors() -> None:
    passed = bend_sentence(0.2, 0.06, 0.05, rmse_far=1.9, rmse_near=0.6)
    assert "**passes**" in passed and "p = 0.06" in passed and "0.6 SD" in passed
    assert "1.90 points, against 0.60" in passed and "fails far away" in passed
    # passing, but no worse far away: no claim that it fails there
    assert "fails far away" not in bend_sentence(0.2, 0.06, 0.05, rmse_far=0.7, rmse_near=0.6)
    rejected = bend_sentence(1.0, 1e-20, 0.05, rmse_far=0.75, rmse_near=0.75)
    assert "**is rejected**" in rejected and "p < 0.0001" in rejected
    assert "against" not in rejected  # at 100% the two test samples are the same


def test_fresh_worlds_are_the_environments_then_every_world_none_of_them_is() -> None:
    from lib.world.environments import Environment

    sc = load_scenario("ldopa")
    envs = [
        Environment("A"),
        Environment("Tylenol", tuple(sc.presets["Tylenol"])),
        Environment("half", tuple(iv.with_strength(0.5) for iv in sc.presets["Amantadine"])),
    ]
    seen, new = fresh_worlds(sc, envs)
    assert list(seen) == ["A", "Tylenol", "half"]
    # the observational world and Tylenol are environments; Amantadine at half is not the preset
    assert list(new) == ["Amantadine", "Dopamine agonist", "Double the dose"]
    seen, new = fresh_worlds(sc, envs[1:])
    assert list(new)[0] == NO_INTERVENTION_WORLD  # never "observational": charts put that first
    renamed = [Environment("Amantadine", tuple(sc.presets["Tylenol"])), envs[0]]
    assert "Amantadine (preset)" in fresh_worlds(sc, renamed)[1]


def test_a_declared_twist_is_offered_but_not_started() -> None:
    """A scenario environment with ``default = false`` is in the composer's list, not its
    rows: as its preset when it is one (ldopa's agonist trial is the "Dopamine agonist"
    preset), else as "as in the scenario: <name>"."""
    from lib.world.environments import Environment

    sc = load_scenario("ldopa")
    envs, _ = starting_environments(sc, 300)
    rows, named = environment_rows(envs, sc)
    assert "clinic E: agonist trial" not in set(rows["environment"])
    assert "Dopamine agonist" in intervention_options(sc, named)
    own = replace(
        sc,
        environments=(
            *sc.environments,
            Environment("clinic F", (Shift("dopamine", 1.0),), 300, default=False),
        ),
    )
    rows, named = environment_rows(envs, own)
    assert "as in the scenario: clinic F" in intervention_options(own, named)
    rows.loc[len(rows)] = ["trial", "as in the scenario: clinic F", 1.0, 300]
    added = environments_from_rows(rows, own, named, {})[-1]
    assert added.interventions == (Shift("dopamine", 1.0),)
