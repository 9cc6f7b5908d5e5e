"""The lasso bootstrap against scikit-learn's Lasso refitted on each resample."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso

from lib.attribution.stability import (
    bootstrap_indices,
    bootstrap_lasso,
    bootstrap_ols,
    correlated_pair,
)


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
