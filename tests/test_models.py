"""Models against reference answers: numpy least squares and statsmodels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from sklearn.metrics import r2_score as sklearn_r2

from lib.errors import DataError
from lib.fitting.models import BoostedTreesModel, LinearModel, ModelSpec
from lib.fitting.scores import r2_score, rmse


def make_data(n: int = 500, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    b = rng.normal(size=n)
    y = 1.5 + 2.0 * a - 0.5 * b + rng.normal(scale=0.3, size=n)
    return pd.DataFrame({"a": a, "b": b, "y": y})


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_linear_model_matches_lstsq_and_statsmodels(seed: int) -> None:
    df = make_data(seed=seed)
    m = LinearModel("lin", "predictive", ("a", "b"), "y").fit(df)
    X = np.column_stack([np.ones(len(df)), df["a"], df["b"]])
    beta, *_ = np.linalg.lstsq(X, df["y"].to_numpy(), rcond=None)
    np.testing.assert_allclose([m.intercept_, *m.coef_], beta, rtol=1e-10)
    ref = sm.OLS(df["y"].to_numpy(), X).fit()
    table = m.coef_table()
    assert list(table["term"]) == ["const", "a", "b"]
    np.testing.assert_allclose(table[["ci_low", "ci_high"]].to_numpy(), ref.conf_int(0.05))
    np.testing.assert_allclose(table["std_err"], ref.bse)
    assert (table["ci_low"] < table["coef"]).all() and (table["coef"] < table["ci_high"]).all()
    np.testing.assert_allclose(m.predict(df), X @ beta)


def test_interval_covers_truth_at_about_95_percent() -> None:
    hits = 0
    for seed in range(200):
        t = LinearModel("lin", "causal", ("a", "b"), "y").fit(make_data(60, seed)).coef_table()
        row = t[t["term"] == "a"].iloc[0]
        hits += row["ci_low"] <= 2.0 <= row["ci_high"]
    assert 0.90 <= hits / 200 <= 0.99


def test_metrics() -> None:
    y = np.array([1.0, 2.0, 3.0, 4.0])
    assert rmse(y, y) == 0.0 and r2_score(y, y) == 1.0
    assert rmse(y, y + 2) == pytest.approx(2.0)
    assert r2_score(y, np.full(4, y.mean())) == pytest.approx(0.0)


def test_collinear_and_constant_inputs_warn() -> None:
    df = make_data()
    df["a2"] = 2 * df["a"]
    m = LinearModel("lin", "predictive", ("a", "a2"), "y").fit(df)
    assert any("collinear" in w for w in m.warnings_)
    df["c"] = 1.0
    m = LinearModel("lin", "predictive", ("a", "c"), "y").fit(df)
    assert any("constant" in w for w in m.warnings_)


def test_too_few_rows_and_missing_values_are_refused() -> None:
    df = make_data(5)
    with pytest.raises(DataError, match="need at least 6 rows"):
        LinearModel("lin", "predictive", ("a", "b"), "y").fit(df)
    df = make_data(50)
    df.loc[3, "a"] = np.nan
    with pytest.raises(DataError, match="missing"):
        LinearModel("lin", "predictive", ("a", "b"), "y").fit(df)
    with pytest.raises(DataError, match="no column"):
        LinearModel("lin", "predictive", ("zz",), "y").fit(df)


def test_trees_fit_and_cannot_extrapolate() -> None:
    df = make_data(2000)
    m = BoostedTreesModel("trees", "predictive", ("a", "b"), "y").fit(df)
    assert m.score(df)["r2"] > 0.95
    far = pd.DataFrame({"a": [10.0, 20.0], "b": [0.0, 0.0]})
    pred = m.predict(far)
    assert abs(pred[0] - pred[1]) < 1e-9  # flat beyond the training range


def test_model_spec_builds() -> None:
    assert isinstance(ModelSpec("x", "causal", ("a",), "trees").build("y"), BoostedTreesModel)
    assert isinstance(ModelSpec("x", "causal", ("a",)).build("y"), LinearModel)
    with pytest.raises(ValueError):
        LinearModel("x", "oracle", ("a",), "y")


def test_metrics_do_not_overflow_and_predictions_must_be_finite() -> None:
    y = np.array([1.0, 2.0, 3.0])
    assert rmse(y, y + 1e300) == pytest.approx(1e300)
    assert r2_score(y, y + 1e100) < -1e190 and r2_score(y, y + 1e200) == -np.inf
    m = LinearModel("lin", "predictive", ("a", "b"), "y").fit(make_data())
    huge = pd.DataFrame({"a": [1e308, 1.0], "b": [-1e308, 0.0]})
    with pytest.raises(DataError, match="1 of 2 predictions are not finite"):
        m.predict_finite(huge)


def test_per_sd_coefficients_are_scaled_by_the_input_spread() -> None:
    df = make_data(seed=3)
    df["a"] = df["a"] * 1000  # a in different units: per-unit weight shrinks 1000×
    m = LinearModel("lin", "predictive", ("a", "b"), "y").fit(df)
    raw, std = m.coef_table(), m.coef_table(per_sd=True)
    assert list(std["term"]) == ["a", "b"]
    sd = df[["a", "b"]].std().to_numpy()
    np.testing.assert_allclose(std["coef"], raw["coef"].iloc[1:] * sd)
    np.testing.assert_allclose(std["ci_low"], raw["ci_low"].iloc[1:] * sd)
    np.testing.assert_allclose(std["p_value"], raw["p_value"].iloc[1:])
    assert std["coef"].iloc[0] == pytest.approx(2.0, rel=0.1)  # 2 per unit SD of the original a


def test_coefficients_that_are_not_identified_are_left_blank() -> None:
    df = make_data()
    df["a2"] = 2 * df["a"]
    m = LinearModel("lin", "predictive", ("a", "a2", "b"), "y").fit(df)
    table = m.coef_table().set_index("term")
    assert m.aliased_ == ("a", "a2")
    assert table.loc[["a", "a2"]].isna().all().all()
    assert table.loc["b"].notna().all() and table.loc["const"].notna().all()
    assert np.isfinite(m.predict(df)).all()
    assert m.coef_table(per_sd=True).set_index("term").loc["a2"].isna().all()
    df["c"] = 1.0
    m = LinearModel("lin", "predictive", ("a", "c"), "y").fit(df)
    assert m.aliased_ == ("c",)
    assert m.coef_table().set_index("term").loc["c"].drop("term", errors="ignore").isna().all()
    # an ordinary fit leaves nothing blank
    m = LinearModel("lin", "predictive", ("a", "b"), "y").fit(make_data())
    assert m.aliased_ == () and m.coef_table().notna().all().all()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_r2_score_agrees_with_scikit_learn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    y = rng.normal(3.0, 2.0, 200)
    for pred in (y + rng.normal(0, 1, 200), rng.normal(0, 5, 200), np.full(200, 7.0)):
        assert r2_score(y, pred) == pytest.approx(sklearn_r2(y, pred), rel=1e-12, abs=1e-12)
    # float32 in, float64 inside; a large offset costs no precision (centred first)
    y32, p32 = y.astype(np.float32), (y + 0.5).astype(np.float32)
    assert r2_score(y32, p32) == pytest.approx(sklearn_r2(y32.astype(float), p32.astype(float)))
    assert r2_score(1e9 + y, 1e9 + y + 0.5) == pytest.approx(sklearn_r2(y, y + 0.5), rel=1e-6)


def test_r2_score_of_huge_values_does_not_overflow() -> None:
    """R² is unchanged by scale; squares of 1e200 overflow a naive sum of squares."""
    rng = np.random.default_rng(5)
    y, pred = rng.normal(size=50), rng.normal(size=50)
    with np.errstate(over="ignore", invalid="ignore"):
        naive = 1 - np.sum((1e200 * (y - pred)) ** 2) / np.sum((1e200 * (y - y.mean())) ** 2)
    assert not np.isfinite(naive)  # what the figures' own R² used to do
    assert r2_score(1e200 * y, 1e200 * pred) == pytest.approx(sklearn_r2(y, pred), rel=1e-12)
    assert rmse(1e200 * y, 1e200 * pred) == pytest.approx(1e200 * rmse(y, pred), rel=1e-12)


def test_r2_score_of_a_constant_target_is_undefined() -> None:
    assert np.isnan(r2_score(np.full(5, 2.0), np.arange(5.0)))
    assert np.isnan(r2_score(np.full(5, 2.0), np.full(5, 2.0)))


def test_the_lab_has_one_r2() -> None:
    """The figures, the fitting and the black box all score with lib.fitting.scores."""
    from lib.blackbox.network import r_squared
    from lib.figures.charts import predicted_vs_actual

    rng = np.random.default_rng(9)
    truth = rng.normal(size=(40, 2))
    pred = truth + rng.normal(size=(40, 2))
    table = r_squared(truth, pred, ("a", "b"))
    assert table.to_list() == [r2_score(truth[:, 0], pred[:, 0]), r2_score(truth[:, 1], pred[:, 1])]
    fig = predicted_vs_actual(1e200 * truth[:, 0], 1e200 * pred[:, 0], "predictive", "m")
    names = " ".join(str(trace["name"]) for trace in fig["data"])
    assert f"R² {r2_score(truth[:, 0], pred[:, 0]):.2f}" in names


@pytest.mark.parametrize("seed", range(12))
def test_penalised_fits_are_scikit_learn_s(seed: int) -> None:
    """Ridge and lasso choose the penalty ``RidgeCV`` and ``LassoLarsIC`` choose, and fit
    the same coefficients (to rounding), on correlated inputs of several sizes."""
    from sklearn.linear_model import LassoLarsIC, RidgeCV

    from lib.fitting.models import RIDGE_ALPHAS, PenalisedModel

    rng = np.random.default_rng(seed)
    n, p = (30, 100, 500, 2000)[seed % 4], (1, 2, 3, 5)[seed % 3 + (seed > 8)]
    rho = (0.0, 0.5, 0.9, 0.99, 0.999)[seed % 5]
    shared = rng.normal(size=n)
    x = np.sqrt(rho) * shared[:, None] + np.sqrt(1 - rho) * rng.normal(size=(n, p))
    y = 10 + x @ rng.normal(size=p) * (0.0, 0.1, 1.0, 5.0)[seed % 4] + rng.normal(size=n)
    names = tuple(f"x{j}" for j in range(p))
    frame = pd.DataFrame({**dict(zip(names, x.T, strict=True)), "y": y})
    scale = x.std(axis=0)
    for penalty, reference in (
        ("ridge", RidgeCV(alphas=RIDGE_ALPHAS)),
        ("lasso", LassoLarsIC(criterion="bic")),
    ):
        model = PenalisedModel(penalty, "predictive", names, "y", penalty=penalty).fit(frame)
        reference.fit(x / scale, y)
        assert model.alpha_ == reference.alpha_
        np.testing.assert_allclose(model.coef_ * scale, reference.coef_, rtol=1e-9, atol=1e-12)
        assert model.intercept_ == pytest.approx(reference.intercept_, rel=1e-12)
