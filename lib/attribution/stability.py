"""How stable is the credit a linear model gives each input?

Prediction is the forward problem, attribution the inverse one: when inputs are
correlated, the inverse of their correlation matrix turns a little sampling
noise into large swings of each coefficient while the fitted values barely
move. This module measures that, with the closed forms beside the numbers:

- the **condition number** of the inputs' correlation matrix; for two inputs
  with correlation ρ it is exactly (1 + ρ) / (1 − ρ) (:func:`two_input_condition`);
- **variance inflation factors** (statsmodels), 1 / (1 − ρ²) for two inputs;
- the **bootstrap** of ordinary least squares and of ridge, vectorised: one
  design matrix, many resamples as weights, all normal equations solved in one
  batched call (:func:`bootstrap_ols`, :func:`bootstrap_ridge`), equal to a
  loop of refits on the same resamples; the **lasso** by coordinate descent on
  those equations, every resample updated at once (:func:`bootstrap_lasso`);
- on a real table, each input's **standardised coefficient** on all rows, on
  bootstrap resamples and with one environment (or row) left out
  (:func:`coefficient_stability`, :func:`stability_summary`).

>>> round(two_input_condition(0.9), 6)
19.0
>>> import numpy as np
>>> round(condition_number(np.array([[1.0, 0.9], [0.9, 1.0]])), 6)
19.0
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from statsmodels.stats.outliers_influence import variance_inflation_factor

from lib.errors import DataError

__all__ = [
    "bootstrap_indices",
    "bootstrap_lasso",
    "bootstrap_ols",
    "bootstrap_ridge",
    "coefficient_stability",
    "condition_number",
    "credit_groups",
    "correlated_pair",
    "stability_summary",
    "two_input_condition",
    "two_input_vif",
    "vifs",
]


def two_input_condition(rho: float) -> float:
    """The condition number of ``[[1, ρ], [ρ, 1]]``: its eigenvalues are 1 ± ρ, so it
    is (1 + |ρ|) / (1 − |ρ|)."""
    r = abs(float(rho))
    if not 0.0 <= r < 1.0:
        raise ValueError("a correlation must be above -1 and below 1.")
    return (1.0 + r) / (1.0 - r)


def two_input_vif(rho: float) -> float:
    """The variance inflation factor of either of two inputs with correlation ρ:
    1 / (1 − ρ²), how many times the variance of its coefficient grows."""
    r = float(rho)
    if not -1.0 < r < 1.0:
        raise ValueError("a correlation must be above -1 and below 1.")
    return 1.0 / (1.0 - r * r)


def condition_number(corr: np.ndarray) -> float:
    """The 2-norm condition number of a (correlation) matrix: largest over smallest
    singular value."""
    return float(np.linalg.cond(np.asarray(corr, dtype=np.float64)))


def vifs(inputs: pd.DataFrame) -> pd.Series:
    """Each input's variance inflation factor (statsmodels), computed with an intercept.

    Raises
    ------
    lib.errors.DataError
        With fewer than two inputs, or fewer rows than inputs + 2.
    """
    x = np.asarray(inputs, dtype=np.float64)
    n, p = x.shape
    if p < 2 or n < p + 2:
        raise DataError("Variance inflation needs two or more inputs and more rows than inputs.")
    design = np.column_stack([np.ones(n), x])
    values = [variance_inflation_factor(design, j + 1) for j in range(p)]
    return pd.Series(values, index=list(inputs.columns), name="VIF")


def correlated_pair(n: int, rho: float, seed: int) -> np.ndarray:
    """``n`` rows of two standard normal inputs whose population correlation is ρ
    (both share a common input with weight √|ρ|), as an ``(n, 2)`` array."""
    if not -1.0 < rho < 1.0:
        raise ValueError("a correlation must be above -1 and below 1.")
    rng = np.random.default_rng(seed)
    shared = rng.standard_normal(n)
    own = rng.standard_normal((n, 2))
    w = np.sqrt(abs(rho))
    a = w * shared + np.sqrt(1 - abs(rho)) * own[:, 0]
    b = np.sign(rho) * w * shared + np.sqrt(1 - abs(rho)) * own[:, 1]
    return np.column_stack([a, b])


def bootstrap_indices(n: int, reps: int, seed: int) -> np.ndarray:
    """``reps`` bootstrap resamples of ``n`` rows, as row indices (``reps × n``)."""
    return np.random.default_rng(seed).integers(0, n, size=(reps, n))


def _normal_equations(
    x: np.ndarray, y: np.ndarray, indices: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Every resample's ``X'WX`` and ``X'Wy`` (with an intercept column), at once.

    Each resample is a vector of row counts ``W``; the products are the counts
    times each row's outer product ``x xᵀ`` and times each row's ``x y``: two
    matrix products, whatever the number of resamples.
    """
    n = x.shape[0]
    reps = indices.shape[0]
    flat = (np.arange(reps)[:, None] * n + indices).ravel()
    counts = np.bincount(flat, minlength=reps * n).reshape(reps, n).astype(np.float64)
    design = np.column_stack([np.ones(n), x])
    k = design.shape[1]
    outer = (design[:, :, None] * design[:, None, :]).reshape(n, k * k)
    return (counts @ outer).reshape(reps, k, k), counts @ (design * y[:, None])


def _resample_inputs(
    what: str,
    x: np.ndarray,
    y: np.ndarray,
    alpha: float,
    reps: int,
    seed: int,
    indices: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A bootstrap's inputs as float arrays (one input may be a vector), its resamples
    (drawn when not given), and the check that the ``what`` penalty is not negative."""
    if alpha < 0:
        raise ValueError(f"a {what} penalty is zero or more.")
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    y = np.asarray(y, dtype=np.float64)
    if indices is None:
        indices = bootstrap_indices(x.shape[0], reps, seed)
    return x, y, indices


def bootstrap_ols(
    x: np.ndarray,
    y: np.ndarray,
    reps: int = 500,
    seed: int = 0,
    *,
    indices: np.ndarray | None = None,
) -> np.ndarray:
    """Ordinary least squares (with an intercept) refitted on bootstrap resamples.

    Vectorised: each resample is a vector of row counts; the normal equations
    ``X'WX β = X'Wy`` of every resample are two matrix products (the counts
    times each row's outer product, and times each row's ``x y``), solved in
    one batched call.

    Parameters
    ----------
    x : array, shape (n, p)
        The inputs.
    y : array, shape (n,)
        The target.
    reps, seed : int
        How many resamples, and their seed (:func:`bootstrap_indices`).
    indices : array, shape (reps, n), optional
        The resamples to use instead (row indices).

    Returns
    -------
    numpy.ndarray, shape (reps, p + 1)
        Each resample's intercept, then one coefficient per input.
    """
    return bootstrap_ridge(x, y, 0.0, reps, seed, indices=indices)


def bootstrap_ridge(
    x: np.ndarray,
    y: np.ndarray,
    alpha: float,
    reps: int = 500,
    seed: int = 0,
    *,
    indices: np.ndarray | None = None,
) -> np.ndarray:
    """Ridge regression refitted on bootstrap resamples, in closed form: the same
    normal equations as :func:`bootstrap_ols` with ``alpha`` added to every
    input's diagonal (the intercept is not penalised), as scikit-learn's
    ``Ridge(alpha)`` fitted with the resample's row counts as weights.

    Returns
    -------
    numpy.ndarray, shape (reps, p + 1)
        Each resample's intercept, then one coefficient per input.
    """
    x, y, indices = _resample_inputs("ridge", x, y, alpha, reps, seed, indices)
    gram, moment = _normal_equations(x, y, indices)
    if alpha:
        penalty = np.full(gram.shape[1], float(alpha))
        penalty[0] = 0.0  # the intercept
        gram = gram + np.diag(penalty)
    return np.linalg.solve(gram, moment[:, :, None])[:, :, 0]


#: How many coordinate-descent sweeps between two tries of the exact solution.
_POLISH_EVERY = 5


def _polish_lasso(g: np.ndarray, c: np.ndarray, threshold: np.ndarray, w: np.ndarray) -> None:
    """Replace, in place, each resample's coefficients ``w`` by the exact lasso
    solution wherever coordinate descent has found its inputs and signs.

    With the nonzero inputs ``A`` and their signs ``s`` known, the lasso's
    solution solves ``G_AA w_A = c_A − n·alpha·s_A`` (the rest zero). It is the
    solution when its signs are ``s`` and every other input's correlation with
    the residual, ``|c_j − G_j w|``, is at most ``n·alpha`` (the optimality
    conditions); resamples where it is not keep their coordinate-descent values.
    """
    active = w != 0
    signs = np.sign(w)
    both = active[:, :, None] & active[:, None, :]
    system = np.where(both, g, 0.0) + np.where(active, 0.0, 1.0)[:, :, None] * np.eye(g.shape[1])
    rhs = np.where(active, c - threshold[:, None] * signs, 0.0)
    try:
        exact = np.linalg.solve(system, rhs[:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:  # a tied pair (e.g. a duplicated input): keep descending
        return
    slack = 1e-9 * (threshold + np.max(np.abs(c), axis=1) + 1e-300)
    gradient = np.abs(c - np.einsum("rjk,rk->rj", g, exact))
    kept_signs = np.all(np.where(active, np.sign(exact) == signs, True), axis=1)
    inactive_ok = np.all(np.where(active, True, gradient <= (threshold + slack)[:, None]), axis=1)
    ok = kept_signs & inactive_ok & np.all(np.isfinite(exact), axis=1)
    w[ok] = exact[ok]


def bootstrap_lasso(
    x: np.ndarray,
    y: np.ndarray,
    alpha: float,
    reps: int = 500,
    seed: int = 0,
    *,
    indices: np.ndarray | None = None,
    max_iter: int = 1000,
    tol: float = 1e-10,
) -> np.ndarray:
    """The lasso refitted on bootstrap resamples, every resample at once.

    Each resample's fit is what scikit-learn's ``Lasso(alpha)`` gives on the
    resampled rows: it minimises ``(1 / 2n) ‖y − Xw − b‖² + alpha ‖w‖₁`` with the
    intercept ``b`` not penalised. Centred on the resample's own (count-weighted)
    means, that is ``(1 / 2n) (wᵀGw − 2cᵀw) + alpha ‖w‖₁`` with ``G`` and ``c`` the
    centred normal equations, made from the same row counts as
    :func:`bootstrap_ols`. Coordinate descent then updates one coefficient of
    every resample together, ``w_j ← S(c_j − Σ_{k≠j} G_jk w_k, n·alpha) / G_jj``
    (``S`` the soft threshold), until no coefficient moves by ``tol`` or more.
    Every few sweeps, each resample's exact solution for its current inputs and
    signs is solved for at once and kept where it meets the lasso's optimality
    conditions: two inputs correlated at 0.99, which plain coordinate descent
    needs about a thousand sweeps to settle (the error shrinks by r² a sweep),
    end after a few dozen, exact to rounding.

    Parameters
    ----------
    x : array, shape (n, p)
        The inputs.
    y : array, shape (n,)
        The target.
    alpha : float
        The penalty, zero or more (zero is ordinary least squares).
    reps, seed : int
        How many resamples, and their seed (:func:`bootstrap_indices`).
    indices : array, shape (reps, n), optional
        The resamples to use instead (row indices).
    max_iter : int
        The most sweeps over the coefficients.
    tol : float
        Stop once a sweep moves no coefficient of any resample by this much.

    Returns
    -------
    numpy.ndarray, shape (reps, p + 1)
        Each resample's intercept, then one coefficient per input.

    Warns
    -----
    sklearn.exceptions.ConvergenceWarning
        When ``max_iter`` sweeps were not enough (as scikit-learn warns).
    """
    x, y, indices = _resample_inputs("lasso", x, y, alpha, reps, seed, indices)
    # Shifting x and y by constants changes only the intercept; centring on the
    # whole sample first keeps the resamples' centring below from cancelling digits.
    x_shift, y_shift = x.mean(axis=0), y.mean()
    gram, moment = _normal_equations(x - x_shift, y - y_shift, indices)
    rows = gram[:, 0, 0]
    mean_x = gram[:, 0, 1:] / rows[:, None]
    mean_y = moment[:, 0] / rows
    g = gram[:, 1:, 1:] - rows[:, None, None] * mean_x[:, :, None] * mean_x[:, None, :]
    c = moment[:, 1:] - rows[:, None] * mean_x * mean_y[:, None]
    p = g.shape[1]
    diagonal = np.diagonal(g, axis1=1, axis2=2).copy()
    # an input constant in a resample (a spread of rounding errors) keeps a zero coefficient
    usable = diagonal > 1e-12 * x.shape[0] * x.var(axis=0)
    scale = np.where(usable, 1.0 / np.where(usable, diagonal, 1.0), 0.0)
    threshold = rows * float(alpha)
    w = np.zeros_like(c)
    for sweep in range(1, max_iter + 1):
        largest = 0.0
        for j in range(p):
            old = w[:, j].copy()
            partial = c[:, j] - np.einsum("rk,rk->r", g[:, j, :], w) + diagonal[:, j] * old
            shrunk = np.maximum(np.abs(partial) - threshold, 0.0)
            w[:, j] = np.sign(partial) * shrunk * scale[:, j]
            largest = max(largest, float(np.max(np.abs(w[:, j] - old), initial=0.0)))
        if largest < tol:
            break
        if sweep % _POLISH_EVERY == 0:
            _polish_lasso(g, c, threshold, w)
    else:
        warnings.warn(
            f"the lasso bootstrap stopped after {max_iter} sweeps with a coefficient still "
            f"moving by {largest:.1e}; raise max_iter or tol.",
            ConvergenceWarning,
            stacklevel=2,
        )
    intercept = (mean_y + y_shift) - np.einsum("rk,rk->r", mean_x + x_shift, w)
    return np.column_stack([intercept, w])


def _check_table(
    frame: pd.DataFrame, target: str, features: list[str], environment: str | None
) -> None:
    """Refuse a table :func:`coefficient_stability` cannot use, saying why."""
    if len(features) < 2:
        raise DataError("Choose two or more inputs: stability is about how they share credit.")
    if len(set(features)) != len(features):
        raise DataError("Each input can be chosen only once.")
    if target in features:
        raise DataError(f"`{target}` is the target; it cannot also be an input.")
    needed = [target, *features] + ([environment] if environment is not None else [])
    missing = [name for name in needed if name not in frame.columns]
    if missing:
        raise DataError(
            "The table has no column " + ", ".join(f"`{name}`" for name in missing) + "."
        )
    if environment is not None and environment in (target, *features):
        raise DataError(f"`{environment}` cannot be both the environment and a variable.")
    for name in (target, *features):
        column = frame[name]
        if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            raise DataError(f"Column `{name}` is not numeric; choose numeric columns only.")
        if column.isna().any():
            raise DataError(
                f"Column `{name}` has {int(column.isna().sum())} missing value(s); "
                "drop or fill those rows first."
            )
        if column.nunique() < 2:
            raise DataError(f"Column `{name}` is constant, so it cannot explain anything.")
    if len(frame) < len(features) + 3:
        raise DataError(
            f"{len(features)} inputs need at least {len(features) + 3} rows; "
            f"the table has {len(frame)}."
        )
    if environment is not None:
        if frame[environment].isna().any():
            raise DataError(f"Column `{environment}` has missing values; every row needs one.")
        if frame[environment].nunique() < 2:
            raise DataError(
                f"Column `{environment}` has fewer than two environments; leaving one out "
                "needs at least two."
            )


def _fit_standardised(gram: np.ndarray, moment: np.ndarray, what: list[str]) -> np.ndarray:
    """Solve a stack of normal equations, refusing any whose inputs are collinear."""
    k = gram.shape[-1]
    rank = np.linalg.matrix_rank(gram)
    if np.any(rank < k):
        bad = what[int(np.argmin(rank == k))]
        raise DataError(
            f"Without {bad} the remaining rows cannot tell the inputs apart "
            "(some inputs are collinear there); choose fewer inputs or other environments."
        )
    return np.linalg.solve(gram, moment[:, :, None])[:, 1:, 0]


def coefficient_stability(
    frame: pd.DataFrame,
    target: str,
    features: list[str],
    *,
    reps: int = 500,
    seed: int = 0,
    environment: str | None = None,
) -> pd.DataFrame:
    """Each input's standardised coefficient on a real table: on all rows, on
    bootstrap resamples, and with each environment (or each row) left out.

    The target and inputs are z-scored on the whole table first, so a
    coefficient reads "standard deviations of the target per standard deviation
    of the input", comparable across inputs. Then ordinary least squares (with
    an intercept) is fitted on all rows, on ``reps`` bootstrap resamples
    (vectorised, :func:`bootstrap_ols`), and once without each environment's
    rows, or, when ``environment`` is None, once without each row (the
    jackknife). A resample whose rows cannot tell the inputs apart (too few
    distinct rows) is skipped: its number is missing from the labels.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    target : str
        The column to predict.
    features : list of str
        Two or more input columns.
    reps, seed : int
        How many bootstrap resamples, and their seed.
    environment : str, optional
        A column naming each row's environment (two or more distinct values).

    Returns
    -------
    pandas.DataFrame
        One row per fit and input, with columns ``kind`` ("all rows",
        "resample" or "left out"), ``label`` (the resample's number as text, or
        the left-out environment's value or row label), ``input`` and
        ``coefficient``.

    Raises
    ------
    lib.errors.DataError
        For a missing, non-numeric, incomplete or constant column, fewer than
        two inputs, fewer rows than inputs + 3, fewer than two environments, or
        a left-out fit whose remaining rows cannot tell the inputs apart.
    """
    features = list(features)
    if reps < 1:
        raise ValueError("reps is one or more.")
    _check_table(frame, target, features, environment)
    data = frame[[target, *features]].astype(np.float64)
    z = ((data - data.mean()) / data.std()).to_numpy()
    y, x = z[:, 0], z[:, 1:]
    n = len(z)
    design = np.column_stack([np.ones(n), x])
    parts = []

    def block(kind: str, labels: list[str], coefficients: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "kind": kind,
                "label": np.repeat(np.array(labels, dtype=object), len(features)),
                "input": np.tile(np.array(features, dtype=object), len(labels)),
                "coefficient": coefficients.reshape(-1),
            }
        )

    full, *_ = np.linalg.lstsq(design, y, rcond=None)
    parts.append(block("all rows", ["all rows"], full[None, 1:]))

    indices = bootstrap_indices(n, reps, seed)
    gram, _ = _normal_equations(x, y, indices)
    usable = np.linalg.matrix_rank(gram) == design.shape[1]
    boot = bootstrap_ols(x, y, indices=indices[usable])[:, 1:]
    parts.append(block("resample", [str(r + 1) for r in np.flatnonzero(usable)], boot))

    outer = design[:, :, None] * design[:, None, :]
    cross = design * y[:, None]
    if environment is None:
        labels = [str(label) for label in frame.index]
        groups_gram, groups_cross = outer, cross
        names = [f"row {label}" for label in labels]
    else:
        codes, levels = pd.factorize(frame[environment], sort=True)
        labels = [str(level) for level in levels]
        onehot = np.zeros((len(levels), n))
        onehot[codes, np.arange(n)] = 1.0
        groups_gram = (onehot @ outer.reshape(n, -1)).reshape(len(levels), *outer.shape[1:])
        groups_cross = onehot @ cross
        names = [f"environment {label}" for label in labels]
    left_out = _fit_standardised(
        design.T @ design - groups_gram, design.T @ y - groups_cross, names
    )
    parts.append(block("left out", labels, left_out))
    return pd.concat(parts, ignore_index=True)


def stability_summary(long: pd.DataFrame) -> pd.DataFrame:
    """One row per input of a :func:`coefficient_stability` frame.

    Returns
    -------
    pandas.DataFrame
        Columns ``input``; ``all_rows`` (the coefficient on all rows); ``low`` and
        ``high`` (the 2.5th and 97.5th percentiles over the resamples);
        ``sign_flips`` (the share of resamples whose coefficient's sign differs
        from the all-rows one); ``left_out_low`` and ``left_out_high`` (the
        range over the left-out fits). Missing where a kind has no fits.
    """
    rows = []
    for name in pd.unique(long["input"]):
        mine = long[long["input"] == name]
        whole = mine.loc[mine["kind"] == "all rows", "coefficient"].to_numpy()
        boot = mine.loc[mine["kind"] == "resample", "coefficient"].to_numpy()
        out = mine.loc[mine["kind"] == "left out", "coefficient"].to_numpy()
        first = float(whole[0]) if len(whole) else np.nan
        rows.append(
            {
                "input": name,
                "all_rows": first,
                "low": float(np.percentile(boot, 2.5)) if len(boot) else np.nan,
                "high": float(np.percentile(boot, 97.5)) if len(boot) else np.nan,
                "sign_flips": float(np.mean(np.sign(boot) != np.sign(first)))
                if len(boot)
                else np.nan,
                "left_out_low": float(out.min()) if len(out) else np.nan,
                "left_out_high": float(out.max()) if len(out) else np.nan,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "input",
            "all_rows",
            "low",
            "high",
            "sign_flips",
            "left_out_low",
            "left_out_high",
        ],
    )


#: Rows of a table the resampling uses at most (a larger table is subsampled, seeded):
#: the bootstrap's counts are resamples × rows numbers.
STABILITY_ROWS = 5000
#: Up to this many rows, a table without environments leaves out one row at a time;
#: above it, one tenth of the rows at a time.
JACKKNIFE_ROWS = 100


def credit_groups(
    frame: pd.DataFrame,
    environment: str | None,
    *,
    row_word: str = "row",
    seed: int = 0,
) -> tuple[pd.DataFrame, str | None, str, int]:
    """What :func:`coefficient_stability` leaves out in turn, and the rows it uses.

    Returns
    -------
    frame : pandas.DataFrame
        The table, or :data:`STABILITY_ROWS` of its rows drawn with ``seed`` (in
        their order) when it is longer.
    group : str or None
        The column to leave out by: ``environment``, a column ``_tenth`` of ten
        consecutive blocks, or None (one row at a time, up to :data:`JACKKNIFE_ROWS` rows).
    left_out : str
        What one left-out fit leaves out, in words ("environment", ``row_word``,
        "tenth of the rows").
    dropped : int
        How many rows the subsample left out.
    """
    dropped = 0
    if len(frame) > STABILITY_ROWS:
        keep = np.sort(
            np.random.default_rng(seed).choice(len(frame), STABILITY_ROWS, replace=False)
        )
        dropped = len(frame) - STABILITY_ROWS
        frame = frame.iloc[keep]
    if environment is not None:
        return frame, environment, "environment", dropped
    if len(frame) <= JACKKNIFE_ROWS:
        return frame, None, row_word, dropped
    tenth = np.arange(len(frame)) * 10 // len(frame)
    return frame.assign(_tenth=tenth), "_tenth", "tenth of the rows", dropped
