"""Attribution's engine against certified and closed-form answers.

The Longley reference values are NIST's certified results (Statistical Reference
Datasets, "Longley", https://www.itl.nist.gov/div898/strd/lls/data/Longley.shtml),
the same values statsmodels keeps beside its own tests.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.datasets import longley

from lib.attribution.credit import error_after_drive, rashomon_extreme, rashomon_ranges
from lib.attribution.stability import (
    bootstrap_indices,
    bootstrap_ols,
    bootstrap_ridge,
    condition_number,
    correlated_pair,
    two_input_condition,
    two_input_vif,
    vifs,
)
from lib.errors import DataError

# NIST StRD certified values for Longley: y = TOTEMP on GNPDEFL, GNP, UNEMP, ARMED,
# POP, YEAR and a constant.
NIST_PARAMS = {
    "const": -3482258.63459582,
    "GNPDEFL": 15.0618722713733,
    "GNP": -0.358191792925910e-01,
    "UNEMP": -2.02022980381683,
    "ARMED": -1.03322686717359,
    "POP": -0.511041056535807e-01,
    "YEAR": 1829.15146461355,
}
NIST_BSE = {
    "const": 890420.383607373,
    "GNPDEFL": 84.9149257747669,
    "GNP": 0.334910077722432e-01,
    "UNEMP": 0.488399681651699,
    "ARMED": 0.214274163161675,
    "POP": 0.226073200069370,
    "YEAR": 455.478499142212,
}


def log_relative_error(value: float, certified: float) -> float:
    """NIST's measure: how many significant digits agree (LRE)."""
    if value == certified:
        return 15.0
    return -math.log10(abs(value - certified) / abs(certified))


def test_longley_matches_nists_certified_fit_to_seven_digits() -> None:
    data = longley.load_pandas().data.astype("float64")
    inputs = data[["GNPDEFL", "GNP", "UNEMP", "ARMED", "POP", "YEAR"]]
    fit = sm.OLS(data["TOTEMP"], sm.add_constant(inputs)).fit()
    for name, certified in NIST_PARAMS.items():
        assert log_relative_error(float(fit.params[name]), certified) >= 7, name
    for name, certified in NIST_BSE.items():
        assert log_relative_error(float(fit.bse[name]), certified) >= 7, name
    # the raw design matrix is ill-conditioned (the "near 5e9")
    assert 1e9 < condition_number(sm.add_constant(inputs).to_numpy()) < 1e10


@pytest.mark.parametrize("rho", [0.0, 0.3, -0.5, 0.9, 0.99, 0.999])
def test_the_two_input_condition_number_is_the_closed_form(rho: float) -> None:
    corr = np.array([[1.0, rho], [rho, 1.0]])
    assert condition_number(corr) == pytest.approx(two_input_condition(rho), rel=1e-9)
    assert two_input_condition(rho) == pytest.approx((1 + abs(rho)) / (1 - abs(rho)))


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("rho", [0.0, 0.6, 0.95])
def test_vifs_of_two_inputs_are_one_over_one_minus_r_squared(rho: float, seed: int) -> None:
    x = correlated_pair(3000, rho, seed)
    r = float(np.corrcoef(x.T)[0, 1])
    got = vifs(pd.DataFrame(x, columns=["A", "B"]))
    assert got["A"] == pytest.approx(1 / (1 - r * r), rel=1e-9)
    assert got["B"] == pytest.approx(got["A"], rel=1e-9)
    assert two_input_vif(rho) == pytest.approx(1 / (1 - rho * rho))


@pytest.mark.parametrize("rho", [0.0, 0.5, -0.8, 0.99])
def test_the_pair_has_the_correlation_asked_for(rho: float) -> None:
    x = correlated_pair(200_000, rho, 3)
    assert np.corrcoef(x.T)[0, 1] == pytest.approx(rho, abs=0.01)
    assert x.std(axis=0) == pytest.approx([1.0, 1.0], abs=0.01)


def test_the_vectorised_bootstrap_equals_a_loop_of_refits() -> None:
    x = correlated_pair(120, 0.9, 4)
    y = 2.0 * x[:, 0] + np.random.default_rng(5).standard_normal(120)
    idx = bootstrap_indices(120, 40, seed=6)
    fast = bootstrap_ols(x, y, indices=idx)
    for r in range(40):
        rows = idx[r]
        slow = sm.OLS(y[rows], sm.add_constant(x[rows])).fit().params
        assert fast[r] == pytest.approx(slow, rel=1e-8, abs=1e-10)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_the_bootstrap_spread_is_the_analytic_error_and_grows_like_the_closed_form(
    seed: int,
) -> None:
    n, reps = 2000, 400
    spreads = {}
    for rho in (0.0, 0.9, 0.99):
        x = correlated_pair(n, rho, seed)
        y = 1.0 * x[:, 0] + np.random.default_rng(seed + 100).standard_normal(n)
        boot = bootstrap_ols(x, y, reps=reps, seed=seed + 200)
        spreads[rho] = float(boot[:, 1].std(ddof=1))
        if rho == 0.0:  # the analytic standard error of A's coefficient (statsmodels)
            bse = float(sm.OLS(y, sm.add_constant(x)).fit().bse[1])
            # the bootstrap's own sampling error: about 1/sqrt(2 reps) = 3.5 %
            assert spreads[rho] == pytest.approx(bse, rel=0.15)
    for rho in (0.9, 0.99):
        expected = 1 / math.sqrt(1 - rho * rho)  # sqrt of the variance inflation
        assert spreads[rho] / spreads[0.0] == pytest.approx(expected, rel=0.2)


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError):
        two_input_condition(1.0)
    with pytest.raises(ValueError):
        correlated_pair(10, -1.0, 0)
    with pytest.raises(DataError):
        vifs(pd.DataFrame({"A": [1.0, 2.0, 3.0]}))


@pytest.mark.parametrize("alpha", [0.5, 10.0, 300.0])
def test_the_vectorised_ridge_bootstrap_is_scikit_learns_ridge(alpha: float) -> None:
    from sklearn.linear_model import Ridge

    x = correlated_pair(150, 0.95, 7)
    y = x[:, 0] + 0.5 * np.random.default_rng(8).standard_normal(150)
    idx = bootstrap_indices(150, 25, seed=9)
    fast = bootstrap_ridge(x, y, alpha, indices=idx)
    for r in range(25):
        weights = np.bincount(idx[r], minlength=150).astype(float)
        ref = Ridge(alpha=alpha).fit(x, y, sample_weight=weights)
        assert fast[r, 0] == pytest.approx(ref.intercept_, rel=1e-7, abs=1e-9)
        assert fast[r, 1:] == pytest.approx(ref.coef_, rel=1e-7, abs=1e-9)


def test_ridge_shrinks_the_swings_that_ols_shows() -> None:
    x = correlated_pair(300, 0.99, 10)
    y = x[:, 0] + np.random.default_rng(11).standard_normal(300)
    ols = bootstrap_ols(x, y, reps=300, seed=12)
    ridge = bootstrap_ridge(x, y, 50.0, reps=300, seed=12)
    assert ridge[:, 1].std() < ols[:, 1].std() / 2
    with pytest.raises(ValueError):
        bootstrap_ridge(x, y, -1.0)


@pytest.mark.parametrize("rho", [0.0, 0.9])
def test_the_rashomon_ranges_are_those_of_a_brute_force_search(rho: float) -> None:
    x = correlated_pair(400, rho, 13)
    y = x[:, 0] + np.random.default_rng(14).standard_normal(400)
    best, half, mse = rashomon_ranges(x, y, 0.05)
    # every model on a fine grid: its held-out error, and the credit of those within 5 %
    grid = np.linspace(-1.5, 1.5, 601)
    ba, bb = np.meshgrid(best[0] + grid, best[1] + grid, indexing="ij")
    xc, yc = x - x.mean(axis=0), y - y.mean()
    errs = (
        np.mean(yc**2)
        - 2 * (ba * np.mean(xc[:, 0] * yc) + bb * np.mean(xc[:, 1] * yc))
        + ba**2 * np.mean(xc[:, 0] ** 2)
        + 2 * ba * bb * np.mean(xc[:, 0] * xc[:, 1])
        + bb**2 * np.mean(xc[:, 1] ** 2)
    )
    inside = errs <= 1.05 * mse
    step = grid[1] - grid[0]
    assert ba[inside].max() - best[0] == pytest.approx(half[0], abs=step)
    assert best[1] - bb[inside].min() == pytest.approx(half[1], abs=step)


def test_the_rashomon_range_widens_like_the_closed_form() -> None:
    widths = {}
    for rho in (0.0, 0.99):
        x = correlated_pair(50_000, rho, 15)
        y = x[:, 0] + np.random.default_rng(16).standard_normal(50_000)
        _, half, _ = rashomon_ranges(x, y, 0.05)
        widths[rho] = half[0]
    assert widths[0.99] / widths[0.0] == pytest.approx(1 / math.sqrt(1 - 0.99**2), rel=0.05)


def test_the_error_after_a_drive_is_what_a_sample_shows() -> None:
    rng = np.random.default_rng(17)
    n = 400_000
    a, b = rng.standard_normal(n), 2.0 * rng.standard_normal(n)  # B driven on its own
    y = 1.0 * a + 0.0 * b + rng.standard_normal(n)
    model = np.array([0.4, 0.3])
    simulated = float(np.mean((y - (model[0] * a + model[1] * b)) ** 2))
    closed = error_after_drive(model, np.array([1.0, 0.0]), 1.0, np.array([1.0, 4.0]))
    assert simulated == pytest.approx(closed, rel=0.01)


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_driving_b_breaks_the_model_that_credited_b(seed: int) -> None:
    """The issue's check: at ρ = 0.99 and B's true effect 0, the model that puts most
    credit on B among those predicting within 5 % of the best (the Rashomon set) errs
    at least twice as much as the causal one (A only) once B is driven on its own;
    before the drive, it predicted the held-out rows as well."""
    n = 2000
    x = correlated_pair(n, 0.99, seed)
    y = x[:, 0] + np.random.default_rng(seed + 50).standard_normal(n)
    held_x = correlated_pair(n, 0.99, seed + 1000)
    held_y = held_x[:, 0] + np.random.default_rng(seed + 1050).standard_normal(n)
    most_b = rashomon_extreme(held_x, held_y, 0.05, 1)
    _, _, best_mse = rashomon_ranges(held_x, held_y, 0.05)
    xc, yc = held_x - held_x.mean(axis=0), held_y - held_y.mean()
    assert np.mean((yc - xc @ most_b) ** 2) == pytest.approx(1.05 * best_mse, rel=1e-9)
    whole = np.arange(n)[None, :]  # the whole sample, as one "resample"
    causal = np.array([bootstrap_ols(x[:, :1], y, indices=whole)[0, 1], 0.0])
    truth, spread = np.array([1.0, 0.0]), np.ones(2)
    assert most_b[1] > 1.0  # B gets more credit than A's true effect
    assert error_after_drive(most_b, truth, 1.0, spread) >= 2 * error_after_drive(
        causal, truth, 1.0, spread
    )
