"""The two-neuron world of the Attribution page, its models, figures and sentences."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from sklearn.linear_model import Lasso, RidgeCV

from lib.attribution import pair
from lib.attribution.credit import rashomon_ellipse, rashomon_ranges
from lib.attribution.stability import bootstrap_indices, bootstrap_ols, bootstrap_ridge
from lib.figures import attribution as figs
from lib.figures.charts import rmse_bars
from lib.figures.style import as_figure
from lib.fitting.models import PenalisedModel
from lib.ui import params
from lib.ui.pages import attribution as att
from lib.words import attribution as words
from lib.world.scenarios import load_scenario


@pytest.fixture(scope="module")
def sc():
    return load_scenario(pair.PAIR_SCENARIO)


def test_the_file_writes_the_neurons_as_the_page_rewrites_them(sc) -> None:
    # the page's slider rewrites both neurons with this template: the file must match it
    for name in pair.INPUTS:
        assert sc.scm.specs[name].equation == pair.NEURON_EQUATION.format(rho=0.95)
    assert sc.target == "grip_force" and sc.features == pair.INPUTS
    assert sc.causal_features == ("neuron_a",)


def test_the_page_offers_the_world_s_own_experiments(sc) -> None:
    assert set(att.DRIVES) == set(sc.presets)
    assert att.RHOS == pair.RHO_OPTIONS


@pytest.mark.parametrize("rho", [0.0, 0.5, 0.9, 0.99])
def test_the_neurons_have_unit_variance_and_the_slider_s_correlation(sc, rho: float) -> None:
    world = pair.pair_world(sc, rho)
    df = world.scenario.sample(40_000, 3)
    a, b = df["neuron_a"], df["neuron_b"]
    se = (1 - rho**2) / math.sqrt(40_000)  # standard error of a sample correlation
    assert abs(a.corr(b) - rho) < 4 * se + 1e-3
    assert abs(a.var() - 1) < 0.03 and abs(b.var() - 1) < 0.03


@pytest.mark.parametrize("b_effect", [0.0, -0.5, 1.0])
def test_the_truth_is_read_off_the_equations(sc, b_effect: float) -> None:
    world = pair.pair_world(sc, 0.9, b_effect)
    assert world.truth == pytest.approx((2.0, b_effect), abs=1e-9)
    assert world.noise_sd == pytest.approx(1.0, abs=0.05)
    signal = 4 + b_effect**2 + 2 * 2 * b_effect * 0.9
    assert world.population_r2() == pytest.approx(signal / (signal + world.noise_sd**2), rel=1e-12)
    # B's own effect puts it among the grip's causes
    assert world.scenario.causal_features == (
        ("neuron_a", "neuron_b") if b_effect else ("neuron_a",)
    )


@pytest.mark.parametrize("rho", [-0.1, 1.0, 1.5])
def test_a_correlation_out_of_range_is_refused(sc, rho: float) -> None:
    with pytest.raises(ValueError, match="correlation"):
        pair.pair_world(sc, rho)


def test_the_file_s_world_is_left_untouched(sc) -> None:
    pair.pair_world(sc, 0.3, 1.0)
    assert load_scenario(pair.PAIR_SCENARIO).scm.specs["grip_force"].equation == (
        sc.scm.specs["grip_force"].equation
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ridge_is_scikit_learns_ridgecv_on_scaled_inputs(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(300, 2)) * [1.0, 5.0]
    y = x @ [1.0, 0.2] + rng.normal(size=300)
    df = pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "y": y})
    model = PenalisedModel("r", "predictive", ("a", "b"), "y", penalty="ridge").fit(df)
    scale = x.std(axis=0)
    ref = RidgeCV(alphas=np.logspace(-3, 3, 25)).fit(x / scale, y)
    assert model.alpha_ == pytest.approx(ref.alpha_)
    np.testing.assert_allclose(model.coef_, ref.coef_ / scale, rtol=1e-10)
    np.testing.assert_allclose(model.predict(df), ref.predict(x / scale), rtol=1e-10)


def test_lasso_drops_an_input_that_does_nothing() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 3))
    y = 2 * x[:, 0] + rng.normal(size=500)
    df = pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2], "y": y})
    model = PenalisedModel("l", "predictive", ("a", "b", "c"), "y", penalty="lasso").fit(df)
    assert model.coef_[0] == pytest.approx(2.0, abs=0.15)
    assert model.alpha_ > 0
    ref = Lasso(alpha=model.alpha_).fit(x / x.std(axis=0), y)
    np.testing.assert_allclose(model.coef_, ref.coef_ / x.std(axis=0), atol=1e-6)


def test_a_penalty_must_be_ridge_or_lasso() -> None:
    with pytest.raises(ValueError, match="penalty"):
        PenalisedModel("x", "predictive", ("a",), "y", penalty="elastic")


@pytest.fixture(scope="module")
def sweep(sc) -> pd.DataFrame:
    return pair.prediction_sweep(sc, 500, 0.0, 0)


def test_prediction_stays_flat_as_the_correlation_rises(sweep: pd.DataFrame) -> None:
    linear = sweep[sweep["model"] != pair.MODEL_NAMES[3]]
    assert linear["r2"].max() - linear["r2"].min() < 0.03
    assert (linear["r2"] - linear["best_r2"]).abs().max() < 0.03
    trees = sweep[sweep["model"] == pair.MODEL_NAMES[3]]
    assert trees["r2"].min() > 0.65


def test_the_spread_of_a_s_coefficient_follows_the_closed_form(sweep: pd.DataFrame) -> None:
    ols = sweep.dropna(subset=["spread"])
    assert len(ols) == len(pair.SWEEP_RHOS)
    # 200 resamples: the spread is known to about 5%; the closed form drops a
    # small-sample factor of about 1 + 2/n
    np.testing.assert_allclose(ols["spread"], ols["se"], rtol=0.15)
    grow = ols["spread"].iloc[-1] / ols["spread"].iloc[0]
    assert grow == pytest.approx(1 / math.sqrt(1 - 0.999**2), rel=0.15)


@pytest.fixture(scope="module")
def fitted(sc):
    world = pair.pair_world(sc, 0.99, 0.0)
    train, test = pair.sample_pair(world, 500, 0)
    return world, train, test, pair.fit_four(train, world, 0)


def test_the_bootstrap_of_each_linear_model_is_the_engine_s(fitted) -> None:
    world, train, _, models = fitted
    boot = pair.coefficient_bootstrap(train, world, models, 100, 4)
    assert list(dict.fromkeys(boot["model"])) == list(pair.MODEL_NAMES[:3])
    x = train[list(world.inputs)].to_numpy()
    y = train[world.target].to_numpy()
    idx = bootstrap_indices(len(y), 100, 4)
    ols = boot[boot["model"] == "Least squares"][["a", "b"]].to_numpy()
    np.testing.assert_allclose(ols, bootstrap_ols(x, y, indices=idx)[:, 1:])
    ridge_model = models[1]
    ridge = boot[boot["model"] == "Ridge"][["a", "b"]].to_numpy()
    expected = bootstrap_ridge(x / ridge_model.x_std_, y, ridge_model.alpha_, indices=idx)
    np.testing.assert_allclose(ridge, expected[:, 1:] / ridge_model.x_std_)
    lasso = boot[boot["model"] == "Lasso"][["a", "b"]].to_numpy()
    assert np.any(lasso == 0.0), "at rho 0.99 the lasso drops a neuron in some resamples"


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_driving_b_breaks_the_model_that_credited_b_and_not_the_causal_one(sc, seed) -> None:
    world = pair.pair_world(sc, 0.99, 0.0)
    train, _ = pair.sample_pair(world, 500, seed)
    models = pair.fit_four(train, world, seed)
    scores = pair.settle(world, models, 500, seed, "Drive B", 0.05)
    after = scores[scores["test"] == "Drive B"].set_index("model")["rmse"]
    before = scores[scores["test"] == "observational"].set_index("model")["rmse"]
    causal = str(scores.loc[scores["kind"] == "causal", "model"].iloc[0])
    assert after[pair.B_CHAMPION] >= 2 * after[causal]
    assert after[causal] / before[causal] < 1.05
    # before the experiment the champion predicted within 5% of the best (in MSE)
    assert before[pair.B_CHAMPION] ** 2 <= 1.05 * before[causal] ** 2 * 1.03


def test_settle_refuses_an_experiment_the_world_does_not_have(fitted) -> None:
    world, _, _, models = fitted
    with pytest.raises(ValueError, match="not an intervention"):
        pair.settle(world, models, 500, 0, "Stimulate C", 0.05)


def test_the_ellipse_is_the_set_s_boundary(fitted) -> None:
    world, _, test, _ = fitted
    x = test[list(world.inputs)].to_numpy()
    y = test[world.target].to_numpy()
    best, half, mse = rashomon_ranges(x, y, 0.05)
    ring = rashomon_ellipse(x, y, 0.05, points=721)
    centred = x - x.mean(axis=0)
    cov = centred.T @ centred / len(x)
    gap = ring - best
    np.testing.assert_allclose(np.einsum("ij,jk,ik->i", gap, cov, gap), 0.05 * mse, rtol=1e-9)
    # its extremes along each axis are the closed-form ranges
    np.testing.assert_allclose(ring.max(axis=0) - best, half, rtol=1e-4)
    with pytest.raises(ValueError, match="two inputs"):
        rashomon_ellipse(np.ones((5, 3)), np.ones(5), 0.05)


def test_the_sentences_say_the_numbers(sweep: pd.DataFrame, fitted) -> None:
    text = words.sweep_sentence(sweep)
    ols = sweep.dropna(subset=["spread"])
    assert f"{ols['spread'].iloc[-1] / ols['spread'].iloc[0]:.0f}-fold" in text
    world, train, _, models = fitted
    boot = pair.coefficient_bootstrap(train, world, models, 50, 0)
    cloud = words.cloud_sentence(boot, world.truth)
    assert cloud.startswith("Across 50 resamples") and "lasso kept only A in" in cloud
    cond = words.condition_sentence(0.99, 199.0, 50.25)
    assert "number is 199:" in cond and "7.09 times as wide" in cond
    own = words.condition_sentence(0.99, 199.0, 50.25, 0.992)
    assert "(this recording's r = 0.9920 gives 249)" in own
    scores = pair.settle(world, models, 500, 0, "Drive B", 0.05)
    causal = str(scores.loc[scores["kind"] == "causal", "model"].iloc[0])
    settle = words.settle_sentence(scores, "Drive B", pair.B_CHAMPION, causal)
    assert "could not tell" in settle and "×1.00" in settle


def test_the_stability_figure_draws_every_input_in_order() -> None:
    from statsmodels.datasets import longley

    from lib.attribution.stability import coefficient_stability, stability_summary

    data = longley.load_pandas().data
    inputs = ["GNPDEFL", "GNP", "UNEMP", "ARMED", "POP", "YEAR"]
    long = coefficient_stability(data, "TOTEMP", inputs, reps=100)
    summary = stability_summary(long)
    fig = figs.stability_figure(long, summary)
    bars, ticks, diamonds = fig.data
    assert list(bars.y) == inputs and list(fig.layout.yaxis.categoryarray) == inputs[::-1]
    np.testing.assert_allclose(bars.x - bars.error_x.arrayminus, summary["low"])
    np.testing.assert_allclose(bars.x + bars.error_x.array, summary["high"])
    assert len(ticks.x) == 16 * len(inputs)  # one year left out at a time
    np.testing.assert_allclose(diamonds.x, summary["all_rows"])


def test_the_stability_sentence_starts_with_a_capital() -> None:
    summary = pd.DataFrame(
        {
            "input": ["x", "y"],
            "all_rows": [0.5, 0.4],
            "low": [0.4, 0.3],
            "high": [0.6, 0.5],
            "sign_flips": [0.0, 0.0],
            "left_out_low": [0.45, 0.35],
            "left_out_high": [0.55, 0.45],
        }
    )
    text = words.stability_sentence(summary, 500, "row")
    assert text.startswith("No input changes sign")


def test_the_figures_draw_the_truth(sweep: pd.DataFrame, fitted) -> None:
    fig = figs.r2_sweep_figure(sweep, 0.99)
    names = [t.name for t in fig.data]
    assert names[:4] == list(pair.MODEL_NAMES) and "best possible" in names[-1]
    assert figs.spread_figure(sweep, 0.99).layout.yaxis.type == "log"
    world, train, test, models = fitted
    boot = pair.coefficient_bootstrap(train, world, models, 30, 0)
    clouds = figs.coefficient_clouds(boot, world.truth)
    stars = [t for t in clouds.data if t.marker.symbol == "star"]
    assert len(stars) == 3 and all(tuple(t.x) == (2.0,) for t in stars)
    x = test[list(world.inputs)].to_numpy()
    y = test[world.target].to_numpy()
    best, _, _ = rashomon_ranges(x, y, 0.05)
    ring = figs.rashomon_figure(rashomon_ellipse(x, y, 0.05), best, world.truth, {}, 0.05)
    assert ring.layout.yaxis.scaleanchor == "x"


def test_the_figures_made_as_plain_data_pass_plotly_s_validation_unchanged(
    sweep: pd.DataFrame, fitted
) -> None:
    """The page's figures skip plotly's validation for speed: validating them changes
    nothing and raises nothing."""
    world, train, test, models = fitted
    boot = pair.coefficient_bootstrap(train, world, models, 30, 0)
    x, y = pair.neurons_and_target(test, world)
    best, _, _ = rashomon_ranges(x, y, 0.05)
    scores = pair.settle(world, models, 500, 0, "Drive B", 0.05, samples=(train, test))
    made = [
        figs.r2_sweep_figure(sweep, 0.99),
        figs.r2_sweep_figure(sweep, 0.3),
        figs.spread_figure(sweep, 0.99),
        figs.coefficient_clouds(boot, world.truth),
        figs.rashomon_figure(
            rashomon_ellipse(x, y, 0.05), best, world.truth, {"most credit to B": best}, 0.05
        ),
        figs.with_noise_floor(as_figure(rmse_bars(scores, "")), world.noise_sd),
    ]
    for fig in made:
        assert json.loads(go.Figure(fig.to_dict()).to_json()) == json.loads(fig.to_json())


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [("rho", "0.999", 0.999), ("b_effect", "-0.5", -0.5), ("pair_n", "2000", 2000),
     ("epsilon", "0.1", 0.1), ("drive", "Silence A", "Silence A"), ("credit", "lab", "lab")],
)  # fmt: skip
def test_a_link_keeps_the_attribution_page_s_settings(name: str, value: str, expected) -> None:
    catalog = {
        sid: params.ScenarioInfo.from_scenario(load_scenario(sid))
        for sid in ("ldopa", pair.PAIR_SCENARIO)
    }
    state, notices = params.parse_query({name: value}, catalog)
    assert notices == [] and getattr(state, name) == expected
    assert params.to_query(state, "Attribution")[name] == value
    assert name not in params.to_query(state, "Models")


@pytest.mark.parametrize(("name", "value"), [("rho", "1"), ("pair_n", "7"), ("drive", "Zap")])
def test_a_bad_attribution_link_says_so_and_keeps_the_default(name: str, value: str) -> None:
    catalog = {"ldopa": params.ScenarioInfo.from_scenario(load_scenario("ldopa"))}
    state, notices = params.parse_query({name: value}, catalog)
    assert len(notices) == 1 and f"`{name}=" in notices[0]
    assert getattr(state, name) == getattr(params.LabState("ldopa", 2000), name)


@pytest.mark.parametrize("b_effect", [-1.0, 1.0])
def test_with_b_s_own_effect_the_champion_is_the_model_most_wrong_about_b(sc, b_effect) -> None:
    world = pair.pair_world(sc, 0.99, b_effect)
    train, test = pair.sample_pair(world, 500, 0)
    champion = pair.b_champion(test, world, 0.05)
    x = test[list(world.inputs)].to_numpy()
    y = test[world.target].to_numpy()
    best, half, _ = rashomon_ranges(x, y, 0.05)
    ends = (best[1] - half[1], best[1] + half[1])
    farthest = max(ends, key=lambda v: abs(v - b_effect))
    assert champion.coef[1] == pytest.approx(farthest, rel=1e-9)
    # the causes are both neurons now, and the causal model says so
    scores = pair.settle(world, pair.fit_four(train, world, 0), 500, 0, "Drive B", 0.05)
    assert pair.causal_name(("neuron_a", "neuron_b")) in set(scores["model"])


def test_the_truth_shares_follow_each_method_s_scale(sc) -> None:
    assert pair.truth_shares(pair.pair_world(sc, 0.9, 0.0)) == {"permutation": 1.0, "shapley": 1.0}
    shares = pair.truth_shares(pair.pair_world(sc, 0.9, 1.0))
    assert shares["permutation"] == pytest.approx(4 / 5) and shares["shapley"] == pytest.approx(
        2 / 3
    )


def test_the_true_model_s_credit_matches_the_truth_shares(sc) -> None:
    from lib.attribution.methods import permutation_credit, shapley_values

    world = pair.pair_world(sc, 0.9, 1.0)
    df = world.scenario.sample(20_000, 5)
    x = df[list(world.inputs)].to_numpy()
    y = df[world.target].to_numpy()
    truth = np.array(world.truth)

    def predict(rows: np.ndarray) -> np.ndarray:
        return 10 + rows @ truth

    perm = permutation_credit(predict, x, y, repeats=3)
    phi = np.abs(shapley_values(predict, x[:400], x[400:600])).mean(axis=0)
    shares = pair.truth_shares(world)
    assert perm[0] / perm.sum() == pytest.approx(shares["permutation"], abs=0.02)
    assert phi[0] / phi.sum() == pytest.approx(shares["shapley"], abs=0.03)


def test_at_rho_0_the_sentences_do_not_claim_what_did_not_happen(sc) -> None:
    world = pair.pair_world(sc, 0.0, 0.0)
    train, test = pair.sample_pair(world, 500, 0)
    models = pair.fit_four(train, world, 0)
    scores = pair.settle(world, models, 500, 0, "Drive B", 0.05)
    causal = pair.causal_name(world.scenario.causal_features)
    text = words.settle_sentence(scores, "Drive B", pair.B_CHAMPION, causal)
    assert "could not tell" not in text and "no model of the set leans on B" in text
    x = test[list(world.inputs)].to_numpy()
    y = test[world.target].to_numpy()
    best, half, _ = rashomon_ranges(x, y, 0.05)
    assert "pin each neuron's credit down" in words.rashomon_sentence(0.05, best, half, world.truth)
    assert "uncorrelated" in words.condition_sentence(0.0, 1.0, 1.0, 0.01)


def test_with_b_s_effect_the_sweep_sentence_measures_against_the_best(sc) -> None:
    sweep = pair.prediction_sweep(sc, 500, -1.0, 0, rhos=(0.0, 0.9, 0.99))
    text = words.sweep_sentence(sweep)
    assert "the best possible R² itself moves" in text
    assert "within 0.0" in text  # the linear models stay close to the best at every ρ


def test_a_big_table_is_subsampled_and_left_out_in_tenths() -> None:
    from lib.attribution.stability import STABILITY_ROWS, credit_groups

    big = pd.DataFrame({"x": np.arange(STABILITY_ROWS + 700.0)})
    frame, group, left_out, dropped = credit_groups(big, None)
    assert len(frame) == STABILITY_ROWS and dropped == 700 and group == "_tenth"
    assert frame["_tenth"].nunique() == 10 and left_out == "tenth of the rows"
    small, group, left_out, _ = credit_groups(big.head(16), None, row_word="year")
    assert group is None and left_out == "year" and len(small) == 16
    _, group, left_out, _ = credit_groups(big.assign(e=1), "e")
    assert group == "e" and left_out == "environment"


def test_the_error_bars_carry_the_truth_s_own_error(fitted) -> None:
    from lib.figures.charts import rmse_bars
    from lib.figures.style import as_figure

    world, _, _, models = fitted
    scores = pair.settle(world, models, 500, 0, "Drive B", 0.05)
    fig = figs.with_noise_floor(as_figure(rmse_bars(scores, "")), world.noise_sd)
    floors = [s for s in fig.layout.shapes if s.y0 == s.y1 == world.noise_sd]
    assert len(floors) == 1
    # no model beats the noise on fresh units (to sampling error)
    assert scores["rmse"].min() > 0.95 * world.noise_sd
