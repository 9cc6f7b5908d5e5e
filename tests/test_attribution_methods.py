"""Credit methods against scikit-learn, statsmodels and closed forms: the lasso
bootstrap, and the stability of standardised coefficients on Longley."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso
from statsmodels.datasets import longley

from lib.attribution.stability import (
    bootstrap_indices,
    bootstrap_lasso,
    bootstrap_ols,
    coefficient_stability,
    correlated_pair,
    stability_summary,
)
from lib.errors import DataError

LONGLEY_INPUTS = ["GNPDEFL", "GNP", "UNEMP", "ARMED", "POP", "YEAR"]


def sklearn_lasso(x: np.ndarray, y: np.ndarray, alpha: float) -> np.ndarray:
    fit = Lasso(alpha=alpha, tol=1e-12, max_iter=100_000).fit(x, y)
    return np.r_[fit.intercept_, fit.coef_]


# --- the lasso bootstrap -------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("alpha", [0.01, 0.1, 0.5])
def test_the_lasso_bootstrap_is_scikit_learns_lasso_on_each_resample(
    alpha: float, seed: int
) -> None:
    n, reps = 150, 30
    rng = np.random.default_rng(seed)
    x = np.column_stack([rng.standard_normal(n), 3.0 + 2.0 * rng.standard_normal(n)])
    x = np.column_stack([x, rng.standard_normal(n)])
    y = 1.5 + x @ np.array([1.0, -0.3, 0.05]) + rng.standard_normal(n)
    idx = bootstrap_indices(n, reps, seed + 10)
    fast = bootstrap_lasso(x, y, alpha, indices=idx)
    assert fast.shape == (reps, 4)
    for r, rows in enumerate(idx):
        assert fast[r] == pytest.approx(sklearn_lasso(x[rows], y[rows], alpha), abs=1e-6)


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_the_lasso_bootstrap_drops_one_of_a_correlated_pair_as_scikit_learn_does(
    seed: int,
) -> None:
    n, reps, alpha = 200, 40, 0.05
    x = correlated_pair(n, 0.99, seed)
    y = x[:, 0] + np.random.default_rng(seed + 20).standard_normal(n)
    idx = bootstrap_indices(n, reps, seed + 30)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # the defaults are enough
        fast = bootstrap_lasso(x, y, alpha, indices=idx)
    slow = np.array([sklearn_lasso(x[rows], y[rows], alpha) for rows in idx])
    assert fast == pytest.approx(slow, abs=1e-6)
    dropped = np.any(slow[:, 1:] == 0, axis=1)
    assert 0 < dropped.sum() < reps  # some resamples drop an input, others keep both
    assert np.array_equal(np.any(fast[:, 1:] == 0, axis=1), dropped)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("rho", [0.0, 0.9, 0.99])
def test_the_lasso_bootstrap_without_a_penalty_is_the_ols_bootstrap(rho: float, seed: int) -> None:
    x = correlated_pair(120, rho, seed)
    y = 2.0 - x[:, 0] + 0.5 * x[:, 1] + np.random.default_rng(seed).standard_normal(120)
    lasso = bootstrap_lasso(x, y, 0.0, reps=50, seed=seed)
    assert lasso == pytest.approx(bootstrap_ols(x, y, reps=50, seed=seed), abs=1e-9)


def test_a_large_penalty_leaves_only_each_resamples_mean() -> None:
    x = correlated_pair(80, 0.5, 1)
    y = x[:, 0] + np.random.default_rng(2).standard_normal(80)
    idx = bootstrap_indices(80, 10, 3)
    fit = bootstrap_lasso(x, y, 100.0, indices=idx)
    assert np.all(fit[:, 1:] == 0)
    assert fit[:, 0] == pytest.approx(y[idx].mean(axis=1), rel=1e-12)


def test_the_lasso_bootstrap_warns_when_it_has_not_converged() -> None:
    x = correlated_pair(100, 0.999, 4)
    y = x[:, 0] + x[:, 1] + np.random.default_rng(5).standard_normal(100)
    with pytest.warns(ConvergenceWarning):
        bootstrap_lasso(x, y, 0.001, reps=5, seed=6, max_iter=2)
    with pytest.raises(ValueError):
        bootstrap_lasso(x, y, -1.0)


def test_an_input_constant_in_a_resample_gets_no_lasso_coefficient_there() -> None:
    rng = np.random.default_rng(15)
    rare = np.zeros(40)
    rare[7] = 1.0  # one row only: some resamples never draw it
    x = np.column_stack([rng.standard_normal(40), rare])
    y = x[:, 0] + 3.0 * rare + rng.standard_normal(40)
    idx = bootstrap_indices(40, 30, 16)
    fast = bootstrap_lasso(x, y, 0.01, indices=idx)
    missing = ~np.any(idx == 7, axis=1)
    assert missing.any() and np.all(fast[missing, 2] == 0)
    for r, rows in enumerate(idx):
        assert fast[r] == pytest.approx(sklearn_lasso(x[rows], y[rows], 0.01), abs=1e-6)


# --- standardised coefficients on a real table ------------------------------------


@pytest.fixture(scope="module")
def longley_data() -> pd.DataFrame:
    return longley.load_pandas().data.astype("float64")


def test_all_rows_coefficients_are_statsmodels_ols_on_z_scores(longley_data: pd.DataFrame) -> None:
    long = coefficient_stability(longley_data, "TOTEMP", LONGLEY_INPUTS, reps=50)
    z = (longley_data - longley_data.mean()) / longley_data.std()
    fit = sm.OLS(z["TOTEMP"], sm.add_constant(z[LONGLEY_INPUTS])).fit()
    whole = long[long["kind"] == "all rows"].set_index("input")["coefficient"]
    assert whole[LONGLEY_INPUTS].to_numpy() == pytest.approx(
        fit.params[LONGLEY_INPUTS].to_numpy(), rel=1e-9
    )
    assert list(long.columns) == ["kind", "label", "input", "coefficient"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_longleys_coefficients_swing_and_flip_across_resamples(
    longley_data: pd.DataFrame, seed: int
) -> None:
    long = coefficient_stability(longley_data, "TOTEMP", LONGLEY_INPUTS, reps=500, seed=seed)
    summary = stability_summary(long).set_index("input")
    resamples = long[long["kind"] == "resample"]
    assert len(resamples) == 6 * resamples["label"].nunique()
    assert resamples["label"].nunique() >= 495  # a few may have too few distinct rows
    width = summary["high"] - summary["low"]
    assert (width > 2 * summary["all_rows"].abs()).sum() >= 3  # wide, relative to the fit
    assert width.max() > 2.0  # standard deviations of employment per standard deviation
    assert (summary["sign_flips"] > 0.1).sum() >= 2  # GNPDEFL and POP, about half the time
    assert (
        (summary["low"] <= summary["all_rows"]) & (summary["all_rows"] <= summary["high"])
    ).all()


def test_a_resample_with_fewer_distinct_rows_than_coefficients_is_skipped(
    longley_data: pd.DataFrame,
) -> None:
    idx = bootstrap_indices(16, 500, 2)
    distinct = np.array([len(set(rows)) for rows in idx])
    assert distinct.min() == 6  # seed 2 draws one: 6 rows cannot fit 7 coefficients
    long = coefficient_stability(longley_data, "TOTEMP", LONGLEY_INPUTS, reps=500, seed=2)
    labels = set(long.loc[long["kind"] == "resample", "label"])
    assert labels == {str(r + 1) for r in np.flatnonzero(distinct >= 7)}


def test_the_jackknife_leaves_each_row_out_once(longley_data: pd.DataFrame) -> None:
    long = coefficient_stability(longley_data, "TOTEMP", LONGLEY_INPUTS, reps=20)
    left = long[long["kind"] == "left out"]
    assert left["label"].nunique() == 16 and len(left) == 16 * 6
    # one of them, against a refit without that row
    label = left["label"].iloc[0]
    z = (longley_data - longley_data.mean()) / longley_data.std()
    rest = z.drop(index=z.index[[str(i) for i in z.index].index(label)])
    fit = sm.OLS(rest["TOTEMP"], sm.add_constant(rest[LONGLEY_INPUTS])).fit()
    mine = left[left["label"] == label].set_index("input")["coefficient"]
    assert mine[LONGLEY_INPUTS].to_numpy() == pytest.approx(
        fit.params[LONGLEY_INPUTS].to_numpy(), rel=1e-6
    )
    summary = stability_summary(long).set_index("input")
    assert (summary["left_out_low"] <= summary["all_rows"]).all()
    assert (summary["all_rows"] <= summary["left_out_high"]).all()


def test_leaving_each_environment_out(longley_data: pd.DataFrame) -> None:
    data = longley_data.assign(era=np.repeat(["1947-50", "1951-54", "1955-58", "1959-62"], 4))
    long = coefficient_stability(data, "TOTEMP", LONGLEY_INPUTS, reps=20, environment="era")
    left = long[long["kind"] == "left out"]
    assert sorted(left["label"].unique()) == ["1947-50", "1951-54", "1955-58", "1959-62"]
    z = (longley_data - longley_data.mean()) / longley_data.std()
    rest = z[data["era"] != "1955-58"]
    fit = sm.OLS(rest["TOTEMP"], sm.add_constant(rest[LONGLEY_INPUTS])).fit()
    mine = left[left["label"] == "1955-58"].set_index("input")["coefficient"]
    assert mine[LONGLEY_INPUTS].to_numpy() == pytest.approx(
        fit.params[LONGLEY_INPUTS].to_numpy(), rel=1e-6
    )


@pytest.mark.parametrize(
    ("change", "features", "environment", "message"),
    [
        (None, ["GNP", "NOPE"], None, "no column `NOPE`"),
        ("text", ["GNP", "POP"], None, "not numeric"),
        ("missing", ["GNP", "POP"], None, "missing value"),
        (None, ["GNP"], None, "two or more inputs"),
        ("constant", ["GNP", "POP"], None, "constant"),
        ("short", LONGLEY_INPUTS, None, "at least 9 rows"),
        ("one era", ["GNP", "POP"], "era", "fewer than two environments"),
        (None, ["TOTEMP", "POP"], None, "target"),
    ],
)
def test_tables_that_cannot_be_used_are_refused_with_a_reason(
    longley_data: pd.DataFrame,
    change: str | None,
    features: list[str],
    environment: str | None,
    message: str,
) -> None:
    data = longley_data.copy()
    if change == "text":
        data["GNP"] = data["GNP"].astype(str)
    elif change == "missing":
        data.loc[data.index[3], "POP"] = np.nan
    elif change == "constant":
        data["POP"] = 1.0
    elif change == "short":
        data = data.iloc[:8]
    elif change == "one era":
        data["era"] = "all"
    with pytest.raises(DataError, match=message):
        coefficient_stability(data, "TOTEMP", features, reps=5, environment=environment)
