"""Credit methods against scikit-learn, statsmodels, brute force and closed forms:
the lasso bootstrap, exact Shapley values, permutation importance, their
refitted comparison, and the stability of standardised coefficients on Longley."""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from sklearn.exceptions import ConvergenceWarning
from sklearn.inspection import permutation_importance
from sklearn.linear_model import Lasso
from statsmodels.datasets import longley

from lib.attribution.methods import permutation_credit, resampled_credit, shapley_values
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


def linear(beta: np.ndarray, intercept: float = 0.0):  # noqa: ANN201 - a predict function
    return lambda rows: intercept + rows @ beta


def ols_fitter(x: np.ndarray, y: np.ndarray):  # noqa: ANN201 - a predict function
    design = np.column_stack([np.ones(len(x)), x])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    return lambda rows: coef[0] + rows @ coef[1:]


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


# --- Shapley values --------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_shapley_values_of_a_linear_model_are_beta_times_the_gap_to_the_background(
    seed: int,
) -> None:
    rng = np.random.default_rng(seed)
    beta = np.array([2.0, -1.0, 0.5, 0.0])
    x, background = rng.standard_normal((30, 4)), rng.standard_normal((25, 4))
    phi = shapley_values(linear(beta, 7.0), x, background)
    assert phi == pytest.approx(beta * (x - background.mean(axis=0)), abs=1e-12)


def nonlinear(rows: np.ndarray) -> np.ndarray:
    return rows[:, 0] * rows[:, 1] + np.sin(rows[:, 2]) * rows[:, 0] ** 2 + np.exp(rows[:, 1] / 3)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_shapley_values_add_up_to_the_prediction_minus_the_background_mean(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x, background = rng.standard_normal((20, 3)), rng.standard_normal((15, 3))
    phi = shapley_values(nonlinear, x, background)
    assert phi.sum(axis=1) == pytest.approx(nonlinear(x) - nonlinear(background).mean(), abs=1e-10)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_duplicated_input_gets_the_same_credit_as_its_twin(seed: int) -> None:
    rng = np.random.default_rng(seed)
    base, back = rng.standard_normal((10, 2)), rng.standard_normal((12, 2))
    x = np.column_stack([base[:, 0], base[:, 0], base[:, 1]])
    background = np.column_stack([back[:, 0], back[:, 0], back[:, 1]])

    def model(rows: np.ndarray) -> np.ndarray:  # symmetric in inputs 0 and 1
        return np.tanh(rows[:, 0] + rows[:, 1]) * rows[:, 2] + rows[:, 0] * rows[:, 1]

    phi = shapley_values(model, x, background)
    assert phi[:, 0] == pytest.approx(phi[:, 1], abs=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_shapley_values_are_the_mean_over_all_orderings(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x, background = rng.standard_normal((6, 3)), rng.standard_normal((9, 3))

    def value(row: np.ndarray, members: set[int]) -> float:
        rows = background.copy()
        for j in members:
            rows[:, j] = row[j]
        return float(nonlinear(rows).mean())

    brute = np.zeros_like(x)
    for i, row in enumerate(x):
        for order in itertools.permutations(range(3)):
            before: set[int] = set()
            for j in order:
                brute[i, j] += value(row, before | {j}) - value(row, before)
                before.add(j)
    brute /= math.factorial(3)
    assert shapley_values(nonlinear, x, background) == pytest.approx(brute, abs=1e-12)


def test_shapley_values_call_the_model_in_few_large_batches() -> None:
    calls = []

    def model(rows: np.ndarray) -> np.ndarray:
        calls.append(len(rows))
        return rows.sum(axis=1)

    x = np.random.default_rng(0).standard_normal((200, 2))
    shapley_values(model, x, x[:100])
    assert calls == [200 * 100 * 4]


def test_too_large_shapley_problems_are_refused_with_a_reason() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(DataError, match="at most 10 inputs"):
        shapley_values(np.sum, rng.standard_normal((2, 11)), rng.standard_normal((2, 11)))
    with pytest.raises(DataError, match="explain fewer rows"):
        shapley_values(np.sum, rng.standard_normal((100, 8)), rng.standard_normal((200, 8)))
    with pytest.raises(DataError, match="inputs"):
        shapley_values(np.sum, rng.standard_normal((2, 3)), rng.standard_normal((2, 2)))


# --- permutation importance ---------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_permutation_credit_is_a_hand_made_shuffle_with_the_same_random_state(seed: int) -> None:
    rng = np.random.default_rng(seed + 40)
    beta = np.array([1.0, -2.0, 0.3])
    x = rng.standard_normal((60, 3))
    y = x @ beta + rng.standard_normal(60)
    predict = linear(beta, 0.1)
    got = permutation_credit(predict, x, y, repeats=4, seed=seed)

    # scikit-learn draws one seed from the RandomState, and every column's shuffles
    # start again from that seed; each repeat shuffles the shuffling index further
    column_seed = np.random.RandomState(seed).randint(np.iinfo(np.int32).max + 1)
    baseline = np.mean((y - predict(x)) ** 2)
    expected = []
    for j in range(3):
        state = np.random.RandomState(column_seed)
        shuffled, order, rises = x.copy(), np.arange(60), []
        for _ in range(4):
            state.shuffle(order)
            shuffled[:, j] = shuffled[order, j]
            rises.append(np.mean((y - predict(shuffled)) ** 2) - baseline)
        expected.append(np.mean(rises))
    assert got == pytest.approx(expected, rel=1e-12)


def test_permutation_credit_is_scikit_learns_with_the_mse_score() -> None:
    from sklearn.linear_model import LinearRegression

    rng = np.random.default_rng(3)
    x = rng.standard_normal((80, 3))
    y = x @ np.array([1.0, 0.5, 0.0]) + rng.standard_normal(80)
    fit = LinearRegression().fit(x, y)
    theirs = permutation_importance(
        fit, x, y, scoring="neg_mean_squared_error", n_repeats=5, random_state=7
    )
    ours = permutation_credit(fit.predict, x, y, repeats=5, seed=7)
    assert ours == pytest.approx(theirs["importances_mean"], rel=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_permutation_credit_of_a_linear_model_is_twice_beta_squared_times_the_variance(
    seed: int,
) -> None:
    rng = np.random.default_rng(seed)
    n = 20_000
    sd = np.array([1.0, 2.0, 0.5])
    beta = np.array([1.0, 0.5, -2.0])
    x = rng.standard_normal((n, 3)) * sd
    y = x @ beta + rng.standard_normal(n)
    got = permutation_credit(linear(beta), x, y, repeats=5, seed=seed)
    assert got == pytest.approx(2 * beta**2 * sd**2, rel=0.05)


# --- refitted credit -----------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1])
def test_refitted_credit_of_a_linear_fit_is_near_the_closed_forms(seed: int) -> None:
    rng = np.random.default_rng(seed)
    beta, sd = np.array([1.0, -0.5, 0.0]), np.array([1.0, 2.0, 1.0])
    x = rng.standard_normal((1000, 3)) * sd
    y = x @ beta + rng.standard_normal(1000)
    x_test = rng.standard_normal((3000, 3)) * sd
    y_test = x_test @ beta + rng.standard_normal(3000)
    long = resampled_credit(
        {"linear": ols_fitter}, x, y, x_test, y_test, ["A", "B", "C"], reps=4, seed=seed
    )
    assert list(long.columns) == ["resample", "model", "method", "input", "credit", "share"]
    assert len(long) == 4 * 1 * 2 * 3
    mean = long.groupby(["method", "input"])["credit"].mean()
    permutation = 2 * beta**2 * sd**2
    shapley = np.abs(beta) * sd * math.sqrt(2 / math.pi)  # E|β (x − mean)| for a normal x
    for j, name in enumerate(["A", "B"]):
        assert mean["permutation", name] == pytest.approx(permutation[j], rel=0.1)
        assert mean["shapley", name] == pytest.approx(shapley[j], rel=0.15)
    assert mean["permutation", "C"] < 0.01 and mean["shapley", "C"] < 0.05
    shares = long.groupby(["resample", "model", "method"])["share"].sum()
    assert shares.to_numpy() == pytest.approx(1.0)


def test_refitted_credit_stops_when_cancelled_and_reports_progress() -> None:
    rng = np.random.default_rng(8)
    x = rng.standard_normal((100, 2))
    y = x[:, 0] + rng.standard_normal(100)
    seen: list[float] = []
    args = ({"linear": ols_fitter}, x, y, x[:50], y[:50], ["A", "B"])
    long = resampled_credit(*args, reps=10, progress=seen.append, cancel=lambda: len(seen) >= 3)
    assert sorted(long["resample"].unique()) == [0, 1, 2]
    assert seen == pytest.approx([0.1, 0.2, 0.3])
    seen.clear()
    resampled_credit(*args, reps=5, progress=seen.append)
    assert seen[-1] == 1.0 and len(seen) == 5


def test_a_zero_credit_has_no_share() -> None:
    rng = np.random.default_rng(9)
    x = rng.standard_normal((40, 2))

    def constant(xs: np.ndarray, ys: np.ndarray):  # noqa: ANN202 - a predict function
        return lambda rows: np.zeros(len(rows))

    long = resampled_credit({"flat": constant}, x, x[:, 0], x, x[:, 0], ["A", "B"], reps=2)
    assert (long["credit"] == 0).all() and long["share"].isna().all()


def test_refitted_credit_refuses_mismatched_names_and_huge_shapley_problems() -> None:
    rng = np.random.default_rng(10)
    x = rng.standard_normal((50, 9))
    y = x[:, 0]
    fits = []

    def fitter(xs: np.ndarray, ys: np.ndarray):  # noqa: ANN202 - a predict function
        fits.append(1)
        return ols_fitter(xs, ys)

    with pytest.raises(DataError):
        resampled_credit({"linear": fitter}, x, y, x, y, ["A", "B"])
    with pytest.raises(DataError, match="predictions"):
        resampled_credit({"linear": fitter}, x, y, x, y, list("ABCDEFGHI"), max_shapley_rows=1000)
    assert not fits  # refused before fitting anything


def test_correlated_inputs_share_credit_unstably_across_refits() -> None:
    """The point of the comparison: at ρ = 0.99 the refitted least-squares models
    predict alike but split the credit between A and B far more variably than at
    ρ = 0."""
    spread = {}
    for rho in (0.0, 0.99):
        x = correlated_pair(300, rho, 11)
        y = x[:, 0] + np.random.default_rng(12).standard_normal(300)
        x_test = correlated_pair(500, rho, 13)
        y_test = x_test[:, 0] + np.random.default_rng(14).standard_normal(500)
        long = resampled_credit(
            {"linear": ols_fitter}, x, y, x_test, y_test, ["A", "B"], reps=15, repeats=2
        )
        shapley = long[(long["method"] == "shapley") & (long["input"] == "A")]
        spread[rho] = float(shapley["share"].std())
    assert spread[0.99] > 5 * spread[0.0]


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
