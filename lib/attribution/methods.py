"""Credit for any model: Shapley values and permutation importance, refitted.

Two ways to credit the inputs of a fitted model, whatever the model:

- **interventional Shapley values** (:func:`shapley_values`): the game's value of
  a set ``S`` of inputs, for a row ``x``, is the model's mean prediction over
  background rows ``z`` with ``x``'s values put in for ``S``, ``f(x_S, z_−S)``;
  each input gets its Shapley share of ``f(x) − mean f(z)``, computed exactly
  over all 2^p sets. For a linear model it is ``β_j (x_j − mean z_j)``.
- **permutation importance** (:func:`permutation_credit`): how much the mean
  squared error rises when one input's column is shuffled (scikit-learn's
  ``permutation_importance``). For a linear model with independent inputs it is
  about ``2 β_j² var(x_j)``.

:func:`resampled_credit` refits each model on bootstrap resamples and credits
the inputs both ways each time: with correlated inputs, models that predict
equally well can share the credit very differently.

>>> import numpy as np
>>> x = np.array([[1.0, 2.0]])
>>> background = np.array([[0.0, 0.0], [2.0, 2.0]])
>>> shapley_values(lambda rows: 3 * rows[:, 0] - rows[:, 1], x, background).round(6)
array([[ 0., -1.]])
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
from sklearn.inspection import permutation_importance

from lib.attribution.stability import bootstrap_indices
from lib.errors import DataError

__all__ = ["permutation_credit", "resampled_credit", "shapley_values"]

#: A fitted model's prediction: an ``(k, p)`` array of rows in, ``k`` predictions out.
Predict = Callable[[np.ndarray], np.ndarray]

#: The most inputs whose 2^p sets :func:`shapley_values` enumerates.
MAX_SHAPLEY_INPUTS = 10

#: The most rows :func:`shapley_values` hands the model in one call.
_CHUNK_ROWS = 500_000


def _as_rows(values: np.ndarray, what: str) -> np.ndarray:
    rows = np.asarray(values, dtype=np.float64)
    if rows.ndim == 1:
        rows = rows[:, None]
    if rows.ndim != 2 or rows.shape[0] == 0:
        raise DataError(f"The {what} must be a table with at least one row.")
    return rows


def _shapley_weights(p: int) -> np.ndarray:
    """The ``(2^p, p)`` matrix ``M`` with ``φ = v @ M``: for set ``S`` (bit ``j`` set
    when input ``j`` is in it) and input ``j``, ``+w(|S| − 1)`` when ``j ∈ S`` and
    ``−w(|S|)`` otherwise, with ``w(s) = s! (p − s − 1)! / p!``."""
    masks = (np.arange(2**p)[:, None] >> np.arange(p)[None, :]) & 1
    size = masks.sum(axis=1)
    w = np.array([math.factorial(s) * math.factorial(p - s - 1) for s in range(p)], dtype=float)
    w /= math.factorial(p)
    inside = w[np.clip(size - 1, 0, p - 1)][:, None]
    outside = w[np.clip(size, 0, p - 1)][:, None]
    return np.where(masks == 1, inside, -outside)


def _check_shapley_size(m: int, b: int, p: int, max_rows: int) -> None:
    if p > MAX_SHAPLEY_INPUTS:
        raise DataError(
            f"Exact Shapley values weigh every set of inputs: {p} inputs make 2^{p} sets, "
            f"too many. Choose at most {MAX_SHAPLEY_INPUTS} inputs."
        )
    total = m * b * 2**p
    if total > max_rows:
        raise DataError(
            f"Exact Shapley values for {m} rows against {b} background rows and {p} inputs "
            f"need {total:,} predictions, more than the {max_rows:,} allowed; explain fewer "
            "rows, use a smaller background, or choose fewer inputs."
        )


def shapley_values(
    predict: Predict,
    x_explain: np.ndarray,
    background: np.ndarray,
    *,
    max_rows: int = 4_000_000,
) -> np.ndarray:
    """Exact interventional Shapley values of a model's predictions.

    The value of a set ``S`` of inputs for row ``x`` is the mean, over the
    background rows ``z``, of ``predict`` on ``x``'s values for ``S`` and
    ``z``'s for the rest. Every one of the 2^p sets is evaluated for every
    explained row against every background row: the stacked rows go to
    ``predict`` in a few large calls. The values add up to
    ``f(x) − mean f(background)`` for each row (efficiency), inputs that play
    the same part get the same value (symmetry), and an input the model
    ignores gets zero.

    Parameters
    ----------
    predict : callable
        The model: an ``(k, p)`` array of rows in, ``k`` predictions out.
    x_explain : array, shape (m, p)
        The rows to explain.
    background : array, shape (b, p)
        The rows whose values stand in for the inputs outside a set.
    max_rows : int
        The most rows (``m · b · 2^p``) the model may be asked to predict.

    Returns
    -------
    numpy.ndarray, shape (m, p)
        Each explained row's credit for each input, in the target's units.

    Raises
    ------
    lib.errors.DataError
        With more than 10 inputs, more than ``max_rows`` rows to predict, or
        explained and background rows with different inputs.
    """
    x = _as_rows(x_explain, "rows to explain")
    z = _as_rows(background, "background")
    m, p = x.shape
    b = z.shape[0]
    if z.shape[1] != p:
        raise DataError(f"The background has {z.shape[1]} inputs but the rows to explain have {p}.")
    _check_shapley_size(m, b, p, max_rows)
    sets = 2**p
    masks = ((np.arange(sets)[:, None] >> np.arange(p)[None, :]) & 1).astype(bool)
    per_row = b * sets
    step = max(1, _CHUNK_ROWS // per_row)
    values = np.empty((m, sets))
    for start in range(0, m, step):
        chunk = x[start : start + step]
        k = chunk.shape[0]
        # rows ordered as (explained row, set, background row)
        stacked = np.where(masks[None, :, None, :], chunk[:, None, None, :], z[None, None, :, :])
        out = np.asarray(predict(stacked.reshape(k * per_row, p)), dtype=np.float64).reshape(-1)
        if out.shape[0] != k * per_row:
            raise ValueError(
                f"predict returned {out.shape[0]} values for {k * per_row} rows; "
                "it must return one prediction a row."
            )
        values[start : start + k] = out.reshape(k, sets, b).mean(axis=2)
    return values @ _shapley_weights(p)


class _Fitted:
    """A prediction function dressed as a fitted scikit-learn estimator (what
    ``permutation_importance`` asks for: ``fit`` and ``predict``)."""

    def __init__(self, predict: Predict) -> None:
        self._predict = predict

    def fit(self, x: np.ndarray, y: np.ndarray) -> _Fitted:
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self._predict(x), dtype=np.float64).reshape(-1)


def _negative_mse(estimator: _Fitted, x: np.ndarray, y: np.ndarray) -> float:
    return -float(np.mean((np.asarray(y, dtype=np.float64) - estimator.predict(x)) ** 2))


def permutation_credit(
    predict: Predict,
    x_test: np.ndarray,
    y_test: np.ndarray,
    *,
    repeats: int = 5,
    seed: int = 0,
) -> np.ndarray:
    """Each input's permutation importance: how much the mean squared error on
    the test rows rises when that input's column is shuffled.

    This is scikit-learn's ``permutation_importance`` (its ``importances_mean``)
    with the score the negative mean squared error: the same shuffles for the
    same ``seed``. For a linear model with independent inputs it is about
    ``2 β_j² var(x_j)``: the shuffled column adds ``β_j (x_j − x'_j)`` to the
    error, whose variance is twice ``β_j² var(x_j)``.

    Parameters
    ----------
    predict : callable
        The fitted model: an ``(k, p)`` array of rows in, ``k`` predictions out.
    x_test : array, shape (n, p)
        The rows it is judged on.
    y_test : array, shape (n,)
        Their target.
    repeats : int
        How many shuffles of each column (their mean is returned).
    seed : int
        The seed of the shuffles.

    Returns
    -------
    numpy.ndarray, shape (p,)
        Each input's mean rise in mean squared error.
    """
    x = _as_rows(x_test, "test rows")
    y = np.asarray(y_test, dtype=np.float64).reshape(-1)
    if y.shape[0] != x.shape[0]:
        raise DataError(f"There are {x.shape[0]} test rows but {y.shape[0]} target values.")
    if x.shape[0] < 2:
        raise DataError("Shuffling a column needs at least two test rows.")
    result = permutation_importance(
        _Fitted(predict), x, y, scoring=_negative_mse, n_repeats=repeats, random_state=seed
    )
    return np.asarray(result["importances_mean"], dtype=np.float64)


def resampled_credit(
    fitters: Mapping[str, Callable[[np.ndarray, np.ndarray], Predict]],
    x: np.ndarray,
    y: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    inputs: list[str],
    *,
    reps: int = 20,
    seed: int = 0,
    background_rows: int = 100,
    explain_rows: int = 200,
    repeats: int = 5,
    max_shapley_rows: int = 4_000_000,
    progress: Callable[[float], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> pd.DataFrame:
    """Refit each model on bootstrap resamples and credit its inputs two ways.

    For each of ``reps`` resamples of the training rows
    (:func:`~lib.attribution.stability.bootstrap_indices` with ``seed``) and each
    model, the model is fitted on the resample, then each input is credited by
    its permutation importance on the test rows (:func:`permutation_credit`)
    and by its mean absolute Shapley value over up to ``explain_rows`` test rows
    against ``background_rows`` others (:func:`shapley_values`). The shuffles,
    the explained rows and the background (all chosen with ``seed``) are the
    same for every resample and model, so the spread of the credit is the
    refits' alone.

    Parameters
    ----------
    fitters : mapping of str to callable
        Model name to a function that fits on ``(x, y)`` and returns the fitted
        model's prediction function.
    x, y : arrays, shapes (n, p) and (n,)
        The training rows.
    x_test, y_test : arrays, shapes (k, p) and (k,)
        The rows the credit is measured on.
    inputs : list of str
        The inputs' names, one per column.
    reps, seed : int
        How many resamples, and the seed of everything random.
    background_rows, explain_rows : int
        How many test rows (at most) make the Shapley background, and how many
        are explained.
    repeats : int
        How many shuffles of each column for the permutation importance.
    max_shapley_rows : int
        The most rows one Shapley computation may predict (checked before any
        fit).
    progress : callable, optional
        Called with the share of resamples done after each one.
    cancel : callable, optional
        Asked before each resample; when it returns true the resamples done so
        far are returned.

    Returns
    -------
    pandas.DataFrame
        One row per resample, model, method and input, with columns
        ``resample`` (from 0), ``model``, ``method`` ("permutation" or
        "shapley"), ``input``, ``credit`` and ``share`` (the input's credit over
        the sum of the inputs' for that resample, model and method; missing when
        that sum is 0).

    Raises
    ------
    lib.errors.DataError
        When the names, columns and rows do not match, there is no model, or
        the Shapley values would be too large to compute
        (:func:`shapley_values`).
    """
    x = _as_rows(x, "training rows")
    x_test = _as_rows(x_test, "test rows")
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    y_test = np.asarray(y_test, dtype=np.float64).reshape(-1)
    names = [str(name) for name in inputs]
    p = x.shape[1]
    if not fitters:
        raise DataError("Choose at least one model to credit.")
    if len(names) != p or x_test.shape[1] != p:
        raise DataError(
            f"There are {len(names)} input names, {p} training columns and "
            f"{x_test.shape[1]} test columns; they must be the same."
        )
    if y.shape[0] != x.shape[0] or y_test.shape[0] != x_test.shape[0]:
        raise DataError("Each row needs one target value, in training and in test.")
    if reps < 1 or background_rows < 1 or explain_rows < 1:
        raise ValueError("reps, background_rows and explain_rows are one or more.")
    rng = np.random.default_rng(seed)
    k = x_test.shape[0]
    background = x_test[rng.choice(k, size=min(background_rows, k), replace=False)]
    explained = x_test[rng.choice(k, size=min(explain_rows, k), replace=False)]
    _check_shapley_size(len(explained), len(background), p, max_shapley_rows)

    resamples = bootstrap_indices(x.shape[0], reps, seed)
    pieces: list[pd.DataFrame] = []
    for r in range(reps):
        if cancel is not None and cancel():
            break
        rows = resamples[r]
        for model, fit in fitters.items():
            predict = fit(x[rows], y[rows])
            credits = {
                "permutation": permutation_credit(
                    predict, x_test, y_test, repeats=repeats, seed=seed
                ),
                "shapley": np.abs(
                    shapley_values(predict, explained, background, max_rows=max_shapley_rows)
                ).mean(axis=0),
            }
            for method, credit in credits.items():
                total = float(credit.sum())
                share = credit / total if total != 0 else np.full(p, np.nan)
                pieces.append(
                    pd.DataFrame(
                        {
                            "resample": r,
                            "model": model,
                            "method": method,
                            "input": names,
                            "credit": credit,
                            "share": share,
                        }
                    )
                )
        if progress is not None:
            progress((r + 1) / reps)
    if not pieces:
        return pd.DataFrame(
            {
                "resample": pd.Series(dtype="int64"),
                "model": pd.Series(dtype=object),
                "method": pd.Series(dtype=object),
                "input": pd.Series(dtype=object),
                "credit": pd.Series(dtype="float64"),
                "share": pd.Series(dtype="float64"),
            }
        )
    return pd.concat(pieces, ignore_index=True)
