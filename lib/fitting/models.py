"""Predictive and causal models with the scikit-learn contract.

Both kinds are ordinary regressions; what makes one *causal* is only which
inputs it is allowed to use (see :mod:`lib.world.causal`). ``fit`` returns the model,
learned attributes end in ``_``. Linear models come from statsmodels and report
coefficients with 95% confidence intervals as a tidy DataFrame.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import ClassVar

import lightgbm
import numpy as np
import pandas as pd
import statsmodels.api as sm
from sklearn.linear_model import LassoLarsIC, RidgeCV, lars_path
from threadpoolctl import ThreadpoolController

from lib.errors import DataError
from lib.fitting.scores import r2_score, rmse
from lib.fitting.trees import tree_tables

__all__ = [
    "BoostedTreesModel",
    "LinearModel",
    "Model",
    "FAMILY_LABELS",
    "PENALTIES",
    "PenalisedModel",
    "ModelSpec",
    "NO_INPUTS_WARNING",
    "ROLES",
    "one_thread",
    "r2_score",
    "rmse",
]

#: A model's role: a predictive model may use any clue, a causal one only causes.
ROLES = ("predictive", "causal")
#: Model families, as the pages name them.
FAMILY_LABELS = {"linear": "Linear", "trees": "Trees", "mean": "Intercept only"}

#: Fewest rows per input a fit accepts (plus two).
MIN_ROWS_PER_FEATURE = 2
#: What a model without inputs says about itself.
NO_INPUTS_WARNING = (
    "it has no inputs: it predicts the average target of its training rows for every row "
    "(an intercept-only model)."
)

_controller: ThreadpoolController | None = None


@contextmanager
def one_thread() -> Iterator[None]:
    """Run the block with one OpenMP thread, in the calling thread.

    Every model fits and predicts inside this block. OpenMP settings belong to
    the thread that makes them, and a web server runs each session's script in
    a thread of its own, so a limit set once at import time would not reach
    them; on a small machine shared by several sessions, the default thread
    pools make a boosted-trees fit several times slower than one thread
    (measured in ``bench/bench_threads.py``). The libraries are scanned once,
    on first use; the limit itself costs microseconds.

    BLAS is left alone: its thread count is one number for the whole process,
    and changing it from several session threads at once races (each block
    restores what another set) and is not thread-safe inside BLAS. The linear
    fits here are far too small for BLAS to start threads.
    """
    global _controller
    if _controller is None:
        _controller = ThreadpoolController()
    with _controller.select(user_api="openmp").limit(limits=1):
        yield


def _design(df: pd.DataFrame, features: Sequence[str], target: str | None) -> tuple:
    missing = [c for c in [*features, *([target] if target else [])] if c not in df.columns]
    if missing:
        raise DataError(f"the data has no column(s) {', '.join(missing)}.")
    # Column by column: a pandas selection of several columns costs about 1 ms.
    X = np.empty((len(df), len(features)), dtype=float)
    for j, name in enumerate(features):
        X[:, j] = df[name].to_numpy(dtype=float)
    y = df[target].to_numpy(dtype=float) if target else None
    if not np.all(np.isfinite(X)) or (y is not None and not np.all(np.isfinite(y))):
        raise DataError("the data has missing or infinite values; drop them before fitting.")
    return X, y


@dataclass
class Model:
    """Base class: a named regression of ``target`` on ``features``.

    Parameters
    ----------
    name : str
        Shown in tables and legends.
    kind : {"predictive", "causal"}
    features : sequence of str
    target : str
    """

    name: str
    kind: str
    features: tuple[str, ...]
    target: str
    warnings_: list[str] = field(default_factory=list, init=False)

    #: ``"linear"`` or ``"trees"`` (set by each subclass); see :attr:`family`.
    estimator_family: ClassVar[str] = "linear"

    def __post_init__(self) -> None:
        if self.kind not in ROLES:
            raise ValueError(f"kind must be 'predictive' or 'causal', not {self.kind!r}")
        self.features = tuple(self.features)
        if not self.features and not self.allows_no_inputs:
            raise DataError(f"{self.name}: a model needs at least one input.")

    #: Whether the model can be fitted without inputs (it then predicts the mean).
    allows_no_inputs: ClassVar[bool] = False

    @property
    def family(self) -> str:
        """``"linear"``, ``"trees"``, or ``"mean"`` for a model without inputs.

        A field of the model, never read from its name: pages pick, label and
        colour models by it.
        """
        return self.estimator_family if self.features else "mean"

    def _check_rows(self, X: np.ndarray) -> None:
        need = MIN_ROWS_PER_FEATURE * len(self.features) + 2
        if X.shape[0] < need:
            raise DataError(
                f"{self.name}: need at least {need} rows to fit on {len(self.features)} "
                f"input(s); the data has {X.shape[0]}."
            )

    def fit(self, df: pd.DataFrame) -> Model:  # pragma: no cover - abstract
        raise NotImplementedError

    def predict(self, df: pd.DataFrame) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def predict_finite(self, df: pd.DataFrame) -> np.ndarray:
        """:meth:`predict`, refusing predictions that overflow.

        Raises
        ------
        DataError
            If a prediction is not a finite number (inputs pushed to huge values).
        """
        pred = self.predict(df)
        bad = int(np.count_nonzero(~np.isfinite(pred)))
        if bad:
            raise DataError(
                f"{self.name}: {bad:,} of {len(pred):,} predictions are not finite numbers: "
                f"the inputs are too large for the model (try a smaller intervention)."
            )
        return pred

    def score(self, df: pd.DataFrame) -> dict[str, float]:
        """RMSE and R² on ``df``."""
        y = df[self.target].to_numpy(dtype=float)
        pred = self.predict_finite(df)
        return {"rmse": rmse(y, pred), "r2": r2_score(y, pred)}


@dataclass
class LinearModel(Model):
    """Ordinary least squares with an intercept (statsmodels).

    Without inputs it is the intercept-only model: it predicts the mean of the
    target's training rows (its coefficient table has one row, the intercept),
    and says so in :attr:`warnings_`.
    """

    estimator_family: ClassVar[str] = "linear"
    allows_no_inputs: ClassVar[bool] = True

    def fit(self, df: pd.DataFrame) -> LinearModel:
        """Fit by OLS; records a warning when inputs are collinear or constant."""
        X, y = _design(df, self.features, self.target)
        self._check_rows(X)
        self.warnings_ = []
        if not self.features:
            self.warnings_.append(NO_INPUTS_WARNING)
        const_cols = [f for f, s in zip(self.features, X.std(axis=0), strict=True) if s == 0]
        if const_cols:
            self.warnings_.append(
                f"{', '.join(const_cols)} is constant: its coefficient cannot be estimated "
                f"and is left blank."
            )
        Xc = sm.add_constant(X, has_constant="add")
        rank = np.linalg.matrix_rank(Xc)
        collinear = self._collinear_terms(X, const_cols) if rank < Xc.shape[1] else []
        if collinear:
            self.warnings_.append(
                f"{', '.join(collinear)} are perfectly collinear: their coefficients are not "
                f"identified (many combinations predict equally well) and are left blank."
            )
        self.aliased_ = tuple(dict.fromkeys([*const_cols, *collinear]))
        with warnings.catch_warnings():  # recorded above in words a student can act on
            warnings.simplefilter("ignore")
            self.result_ = sm.OLS(y, Xc).fit()
        self.coef_ = np.asarray(self.result_.params[1:], dtype=float)
        self.x_std_ = X.std(axis=0, ddof=1)
        self.intercept_ = float(self.result_.params[0])
        return self

    def _collinear_terms(self, X: np.ndarray, constant: list[str]) -> list[str]:
        """Inputs that take part in an exact linear dependence (after centring)."""
        keep = [j for j, f in enumerate(self.features) if f not in constant]
        if not keep:
            return []
        Z = X[:, keep] - X[:, keep].mean(axis=0)
        Z = Z / np.linalg.norm(Z, axis=0)
        _, s, vt = np.linalg.svd(Z, full_matrices=False)
        null = vt[s <= s.max() * max(Z.shape) * np.finfo(float).eps * 10]
        involved = np.any(np.abs(null) > 1e-6, axis=0) if len(null) else np.zeros(len(keep), bool)
        return [self.features[keep[j]] for j in np.flatnonzero(involved)]

    def predict(self, df: pd.DataFrame) -> np.ndarray:
        """Predictions for the rows of ``df``."""
        X, _ = _design(df, self.features, None)
        with np.errstate(over="ignore", invalid="ignore"):  # checked by predict_finite
            return self.intercept_ + X @ self.coef_

    def coef_table(self, alpha: float = 0.05, per_sd: bool = False) -> pd.DataFrame:
        """Coefficients with (1 - alpha) confidence intervals.

        Parameters
        ----------
        alpha : float
            1 - confidence level.
        per_sd : bool
            If true, each input's coefficient, standard error and interval are
            multiplied by that input's standard deviation in the training data:
            the change in the target for a typical (one-SD) change of the input,
            comparable across inputs with different units. The intercept row is
            left out. p-values do not change.

        Returns
        -------
        pandas.DataFrame
            Columns ``term, coef, std_err, ci_low, ci_high, p_value``; the first
            row is the intercept, ``term == "const"`` (unless ``per_sd``). The
            row of an input whose coefficient is not identified (constant, or
            perfectly collinear with others: ``aliased_``) holds NaN, never a
            number that looks like an estimate.
        """
        ci = np.asarray(self.result_.conf_int(alpha))
        table = pd.DataFrame(
            {
                "term": ["const", *self.features],
                "coef": np.asarray(self.result_.params, dtype=float),
                "std_err": np.asarray(self.result_.bse, dtype=float),
                "ci_low": ci[:, 0],
                "ci_high": ci[:, 1],
                "p_value": np.asarray(self.result_.pvalues, dtype=float),
            }
        )
        blank = table["term"].isin(getattr(self, "aliased_", ()))
        if blank.any():
            table.loc[blank, ["coef", "std_err", "ci_low", "ci_high", "p_value"]] = np.nan
        if not per_sd:
            return table
        table = table.iloc[1:].reset_index(drop=True)
        for col in ("coef", "std_err", "ci_low", "ci_high"):
            table[col] = table[col] * self.x_std_
        return table


#: The penalised linear models, as the pages name them.
PENALTIES = {"ridge": "Ridge", "lasso": "Lasso"}
#: Penalties ridge tries, on inputs scaled to unit variance (leave-one-out, closed form).
RIDGE_ALPHAS: tuple[float, ...] = tuple(float(a) for a in np.logspace(-3, 3, 25))


@dataclass
class PenalisedModel(Model):
    """A linear model whose coefficients are shrunk: ridge (squared penalty) or
    lasso (absolute penalty, which sets some coefficients to exactly 0).

    The inputs are scaled to unit variance before the fit, so the penalty treats
    them alike; the penalty's size is chosen on the training rows (ridge by
    leave-one-out error in closed form, scikit-learn's ``RidgeCV``; lasso by the
    Bayesian information criterion along its exact path, ``LassoLarsIC``, whose
    coefficients are ``Lasso(alpha_)``'s and which costs a tenth of 5-fold
    cross-validation). ``coef_`` is per unit of each input, like
    :class:`LinearModel`'s. Both estimators' choices and fits are computed by
    their own steps without their checks of the input (``_ridge_loo`` and
    ``_lasso_bic``: the same penalty, and coefficients equal to rounding, in a
    twentieth and a fifth of the time on two inputs).
    """

    penalty: str = "ridge"
    estimator_family: ClassVar[str] = "linear"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.penalty not in PENALTIES:
            raise ValueError(f"penalty must be 'ridge' or 'lasso', not {self.penalty!r}")

    def fit(self, df: pd.DataFrame) -> PenalisedModel:
        """Choose the penalty's size on the training rows and fit."""
        X, y = _design(df, self.features, self.target)
        self._check_rows(X)
        self.warnings_ = []
        scale = X.std(axis=0)
        if np.any(scale == 0):
            raise DataError(f"{self.name}: an input is constant; drop it before fitting.")
        Z = X / scale
        with one_thread():
            solve = _ridge_loo if self.penalty == "ridge" else _lasso_bic
            alpha, coef, intercept = solve(Z, y)
        self.alpha_ = alpha
        self.coef_ = coef / scale
        self.intercept_ = intercept
        self.x_std_ = scale
        return self

    def predict(self, df: pd.DataFrame) -> np.ndarray:
        """Predictions for the rows of ``df``."""
        X, _ = _design(df, self.features, None)
        with one_thread(), np.errstate(over="ignore", invalid="ignore"):
            return self.intercept_ + X @ self.coef_


#: Two candidates' scores closer than this share of the best are a tie the closed forms
#: below leave to scikit-learn's own estimator (rounding could order them either way).
_TIE = 1e-9


def _ridge_loo(Z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray, float]:
    """Ridge with the penalty of :data:`RIDGE_ALPHAS` whose leave-one-out error is least,
    as scikit-learn's ``RidgeCV(alphas=RIDGE_ALPHAS)`` chooses and fits it: ``(alpha,
    coef, intercept)``.

    The same closed form (the intercept unpenalised: the hat matrix of the centred
    inputs plus 1/n), for every penalty at once from one eigendecomposition of the
    centred inputs' cross-products: equal to ``RidgeCV``'s to rounding
    (``tests/test_models.py``), without its checks of the input, which cost ten times
    the arithmetic on two inputs. A near tie between two penalties is left to ``RidgeCV``.
    """
    n = len(y)
    x_mean, y_mean = Z.mean(axis=0), y.mean()
    Zc, yc = Z - x_mean, y - y_mean
    values, vectors = np.linalg.eigh(Zc.T @ Zc)
    Q = Zc @ vectors
    qy = Q.T @ yc
    alphas = np.asarray(RIDGE_ALPHAS)
    shrink = 1.0 / (values[None, :] + alphas[:, None])  # one row per penalty
    fitted = Q @ (shrink * qy).T
    leverage = 1.0 / n + (Q * Q) @ shrink.T
    scores = np.mean(((yc[:, None] - fitted) / (1.0 - leverage)) ** 2, axis=0)
    best = int(np.argmin(scores))
    second = np.partition(scores, 1)[1] if len(scores) > 1 else np.inf
    if not np.all(np.isfinite(scores)) or second - scores[best] <= _TIE * abs(scores[best]):
        estimator = RidgeCV(alphas=RIDGE_ALPHAS).fit(Z, y)
        return (
            float(estimator.alpha_),
            np.asarray(estimator.coef_, dtype=float),
            float(estimator.intercept_),
        )
    coef = vectors @ (shrink[best] * qy)
    return float(alphas[best]), coef, float(y_mean - x_mean @ coef)


def _lasso_bic(Z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray, float]:
    """The lasso on the point of its exact path (``lars_path``) with the least Bayesian
    information criterion, as scikit-learn's ``LassoLarsIC(criterion="bic")`` chooses
    and fits it: ``(alpha, coef, intercept)``.

    The estimator's own steps (centre, the path, the noise variance from least
    squares, the criterion) without its checks of the input, which cost ten times
    the arithmetic on two inputs: equal to it to rounding (``tests/test_models.py``).
    A near tie along the path is left to ``LassoLarsIC``.
    """
    n, p = Z.shape
    x_mean, y_mean = Z.mean(axis=0), y.mean()
    Zc, yc = Z - x_mean, y - y_mean
    alphas, _, path = lars_path(
        Zc.copy(), yc.copy(), Gram="auto", alpha_min=0.0, method="lasso", max_iter=500
    )
    rss = np.sum((yc[:, None] - Zc @ path) ** 2, axis=0)
    df = np.count_nonzero(np.abs(path) > np.finfo(float).eps, axis=0)
    ols, *_ = np.linalg.lstsq(Zc, yc, rcond=None)
    noise = float(np.sum((yc - Zc @ ols) ** 2) / (n - p - 1))
    criterion = n * np.log(2 * np.pi * noise) + rss / noise + np.log(n) * df
    best = int(np.argmin(criterion))
    ordered = np.sort(criterion)
    tie = len(ordered) > 1 and ordered[1] - ordered[0] <= _TIE * abs(ordered[0])
    if tie or not np.all(np.isfinite(criterion)) or noise <= 0:
        estimator = LassoLarsIC(criterion="bic").fit(Z, y)
        return (
            float(estimator.alpha_),
            np.asarray(estimator.coef_, dtype=float),
            float(estimator.intercept_),
        )
    coef = np.asarray(path[:, best], dtype=float)
    return float(alphas[best]), coef, float(y_mean - x_mean @ coef)


@dataclass
class BoostedTreesModel(Model):
    """Gradient-boosted regression trees (LightGBM, the settings of its ``LGBMRegressor``).

    Flexible and accurate in distribution; trees cannot extrapolate, so they
    predict flat outside the range they were trained on.

    LightGBM replaced scikit-learn's ``HistGradientBoostingRegressor`` with the
    same settings (30 rounds of 15-leaf trees, a learning rate of 0.3, at least
    20 rows a leaf): a fit of 2,000 rows costs a third of the CPU time and the
    held-out error on fresh observational samples stays within 2% in every world
    (``bench/bench_trees.py``; ``tests/test_models.py`` keeps the error).

    The trees are grown by ``lightgbm.train`` with the parameters
    ``LGBMRegressor`` passes it (:meth:`params`), so they are the estimator's own
    (``tests/test_trees.py`` compares the predictions bit for bit), but the
    booster is kept as it was trained: the estimator writes every fitted booster
    out as text and reads it back, which cost as much as growing the trees of a
    small sample.
    """

    estimator_family: ClassVar[str] = "trees"

    #: 30 rounds of 15-leaf trees at a learning rate of 0.3: at classroom sizes
    #: (up to 20,000 rows) as accurate on fresh observational samples as 60 rounds
    #: at 0.15 (measured with scikit-learn's histogram GBM: mean held-out RMSE over
    #: the four worlds 3.496 against 3.493), at half the cost of a fit and a
    #: prediction (bench/loadtest.py, docs/deployment.md).
    max_iter: int = 30
    learning_rate: float = 0.3
    random_state: int = 0

    #: Leaves a tree, fewest rows a leaf, and bins an input is cut into.
    MAX_LEAVES: ClassVar[int] = 15
    MIN_LEAF_ROWS: ClassVar[int] = 20
    MAX_BINS: ClassVar[int] = 255

    def params(self) -> dict[str, object]:
        """The LightGBM parameters of the fit: what ``LGBMRegressor(n_estimators=max_iter,
        learning_rate=..., num_leaves=MAX_LEAVES, min_child_samples=MIN_LEAF_ROWS,
        max_bin=MAX_BINS, random_state=..., n_jobs=1, deterministic=True,
        force_col_wise=True, verbose=-1)`` hands ``lightgbm.train`` (its other
        settings are LightGBM's defaults, written out as the estimator writes them)."""
        return {
            "boosting_type": "gbdt",
            "colsample_bytree": 1.0,
            "learning_rate": self.learning_rate,
            "max_depth": -1,
            "min_child_samples": self.MIN_LEAF_ROWS,
            "min_child_weight": 0.001,
            "min_split_gain": 0.0,
            "num_leaves": self.MAX_LEAVES,
            "random_state": self.random_state,
            "reg_alpha": 0.0,
            "reg_lambda": 0.0,
            "subsample": 1.0,
            "subsample_for_bin": 200000,
            "subsample_freq": 0,
            "max_bin": self.MAX_BINS,
            "deterministic": True,
            "force_col_wise": True,
            "verbose": -1,
            "objective": "regression",
            # One thread, always: a session's fit never starts threads of its own.
            "num_threads": 1,
        }

    def fit(self, df: pd.DataFrame) -> BoostedTreesModel:
        """Fit the trees (one thread; the same rows give the same trees)."""
        X, y = _design(df, self.features, self.target)
        self._check_rows(X)
        self.warnings_ = []
        params = self.params()
        with one_thread():
            data = lightgbm.Dataset(X, y, params=params)
            self.booster_ = lightgbm.train(
                params, data, num_boost_round=self.max_iter, keep_training_booster=True
            )
        return self

    #: Rows of one call from which the trees are read into tables (:mod:`lib.fitting.trees`)
    #: and predicted from them: reading them costs about what the booster spends on
    #: 2,500 rows; on a sweep's 20,000 the tables take a fifth of its time.
    TABLE_ROWS: ClassVar[int] = 5000

    def predict(self, df: pd.DataFrame) -> np.ndarray:
        """Predictions for the rows of ``df``: the fitted booster's, on one thread, or
        the same numbers from its trees read into tables (:func:`lib.fitting.trees.tree_tables`)
        once a call has :attr:`TABLE_ROWS` rows."""
        X, _ = _design(df, self.features, None)
        tables = self.__dict__.get("tables_")
        if tables is None and len(X) >= self.TABLE_ROWS:
            tables = self.tables_ = tree_tables(self.booster_) or False
        if tables:
            out = tables.predict(X)
            if out is not None:
                return out
        with one_thread():
            return np.asarray(self.booster_.predict(X, num_threads=1), dtype=float)


@dataclass(frozen=True)
class ModelSpec:
    """A model to build: its name, role (``kind``), inputs and family.

    ``family`` is ``"linear"`` or ``"trees"``; a linear spec without inputs
    builds the intercept-only model.
    """

    name: str
    kind: str
    features: tuple[str, ...]
    family: str = "linear"

    def build(self, target: str, seed: int = 0) -> Model:
        """A fresh, unfitted model (``seed`` seeds the trees)."""
        if self.family == "trees":
            return BoostedTreesModel(self.name, self.kind, self.features, target, random_state=seed)
        if self.family == "linear":
            return LinearModel(self.name, self.kind, self.features, target)
        raise ValueError(f"family must be 'linear' or 'trees', not {self.family!r}")
