"""The predictive and the causal model on a table, scored on rows they never saw.

With a table there is no known world to sample a fresh test set from, so the
rows are split at random (seeded): the models learn from one part and are
scored on the other. This measures prediction in the same environments; the
shift to a new environment is :func:`table_loeo` (leave one environment out).
Both go through the evaluation core (:mod:`lib.fitting.evaluation`): the same
roles, model set and scoring as a simulated world.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lib.errors import DataError
from lib.fitting.evaluation import (
    Roles,
    fit_models,
    leave_one_environment_out,
    model_specs,
    predict_all,
    score_predictions,
)
from lib.fitting.models import LinearModel, Model
from lib.tables.read import MIN_ROWS, Table, numeric_frame
from lib.tables.setup import MAX_TABLE_ENVIRONMENTS, TableSetup, check_setup, require_setup
from lib.text.escape import code_span, inert
from lib.text.numbers import ratio_text

__all__ = [
    "IN_SAMPLE_SHARE",
    "HoldoutFit",
    "TEST_SHARE",
    "fit_table_models",
    "holdout_fit",
    "loeo_sentence",
    "loeo_summary",
    "table_loeo",
]

#: Share of the rows held out for scoring.
TEST_SHARE = 0.3
#: Share of the training environments' rows held back to measure in-distribution error.
IN_SAMPLE_SHARE = 0.2
#: Columns of :func:`table_loeo`.
LOEO_COLUMNS = [
    "held_out",
    "n_test",
    "n_train",
    "model",
    "kind",
    "family",
    "features",
    "rmse",
    "r2",
    "rmse_in",
    "ratio",
]
#: The environment column's name inside the evaluation (never a column of the table).
ENV_KEY = "__environment__"


@dataclass(frozen=True)
class HoldoutFit:
    """Scores on the held-out rows and what the linear models learned.

    Attributes
    ----------
    scores : pandas.DataFrame
        Columns ``model, kind, features, rmse, r2``.
    dropped : int
        Rows left out for missing or non-numeric cells.
    n_train, n_test : int
    test_share : float
    warnings : list of str
        The fits' warnings (collinear or constant inputs, few rows), named by model.
    predictions : pandas.DataFrame
        The held-out rows' actual target (column ``"actual"``) and each model's
        prediction (one column per model name).
    models : tuple of Model
        The fitted models, predictive first.
    """

    scores: pd.DataFrame
    dropped: int
    n_train: int
    n_test: int
    test_share: float = TEST_SHARE
    warnings: list[str] = field(default_factory=list)
    predictions: pd.DataFrame = field(default_factory=pd.DataFrame)
    models: tuple[Model, ...] = ()

    @property
    def coefficients(self) -> dict[str, pd.DataFrame]:
        """``"predictive"`` / ``"causal"``: the first linear model's
        :meth:`~lib.fitting.models.LinearModel.coef_table` (intercept first)."""
        out: dict[str, pd.DataFrame] = {}
        for model in self.models:
            if isinstance(model, LinearModel) and model.kind not in out:
                out[model.kind] = model.coef_table()
        return out


def holdout_fit(
    df: pd.DataFrame | Table,
    setup: TableSetup,
    *,
    policy: str = "drop",
    seed: int = 0,
    test_share: float = TEST_SHARE,
) -> HoldoutFit:
    """Fit the lab's model set on a random part of the rows and score them on the rest.

    Parameters
    ----------
    df : pandas.DataFrame or lib.tables.read.Table
        The table (a ``Table`` lets errors quote the first bad cell as read).
    setup : TableSetup
        Target, features and declared causes.
    policy : {"drop", "fail"}
        What to do with rows whose chosen cells are missing or not numbers.
    seed : int
        Seeds the split and the trees.
    test_share : float
        Share of rows held out (0.1 to 0.5).

    Raises
    ------
    lib.errors.DataError
        Too few rows, or (``policy="fail"``) cells that are not numbers.
    """
    if not 0.1 <= test_share <= 0.5:
        raise DataError(f"the held-out share must be from 0.1 to 0.5, not {test_share:g}.")
    frame = df.data if isinstance(df, Table) else df
    problems = check_setup(setup, [str(c) for c in frame.columns])
    if problems:
        raise DataError(" ".join(problems))
    columns = list(dict.fromkeys([setup.target, *setup.features]))
    data, dropped = numeric_frame(df, columns, policy=policy)  # type: ignore[arg-type]
    n = len(data)
    n_test = int(round(test_share * n))
    if n - n_test < MIN_ROWS or n_test < 2:
        raise DataError(
            f"need at least {int(np.ceil(MIN_ROWS / (1 - test_share)))} usable rows to fit on "
            f"one part and test on another; there are {n}."
        )
    order = np.random.default_rng(seed).permutation(n)
    test = data.iloc[order[:n_test]]
    train = data.iloc[order[n_test:]]
    models = fit_models(model_specs(Roles.from_setup(setup)), train, setup.target, seed)
    predicted = predict_all(models, {"held-out": test})["held-out"]
    scores = score_predictions(models, {"held-out": predicted})
    warnings = [f"{model.name}: {w}" for model in models for w in model.warnings_]
    predictions = {"actual": predicted[setup.target].to_numpy()}
    predictions.update({m.name: predicted[m.name].to_numpy() for m in models})
    return HoldoutFit(
        scores=scores.drop(columns=["test", "n_test"]),
        dropped=int(dropped),
        n_train=len(train),
        n_test=n_test,
        test_share=test_share,
        warnings=warnings,
        predictions=pd.DataFrame(predictions),
        models=tuple(models),
    )


def loeo_summary(results: pd.DataFrame) -> pd.DataFrame:
    """One row per model from a leave-one-environment-out table: how it travelled.

    Parameters
    ----------
    results : pandas.DataFrame
        From :func:`lib.tables.setup.leave_one_environment_out` (columns ``held_out,
        model, kind, rmse, rmse_in, ratio``).

    Returns
    -------
    pandas.DataFrame
        Columns ``model, kind, median_ratio, worst_ratio, worst_env, mean_rmse``, in
        the models' order: ``ratio`` is the held-out error over the error on
        unseen rows of the environments it was trained on.
    """
    rows = []
    for model, group in results.groupby("model", sort=False):
        worst = group.loc[group["ratio"].idxmax()]
        rows.append(
            {
                "model": model,
                "kind": group["kind"].iloc[0],
                "median_ratio": float(group["ratio"].median()),
                "worst_ratio": float(worst["ratio"]),
                "worst_env": worst["held_out"],
                "mean_rmse": float(group["rmse"].mean()),
            }
        )
    return pd.DataFrame(rows)


def loeo_sentence(summary: pd.DataFrame, env: str) -> str:
    """A plain sentence comparing how the linear predictive and causal models travelled.

    ``env`` and the environments' values come from the user's table: they are
    escaped (:func:`lib.tables.read.inert`) so that the sentence is safe Markdown.
    """
    parts = []
    env = inert(env, max_chars=40)
    for kind in ("predictive", "causal"):
        rows = summary[summary["kind"] == kind]
        if rows.empty:
            continue
        row = rows.iloc[0]
        parts.append(
            f"the **{kind}** model ({row['model']}) makes {ratio_text(row['median_ratio'])} its "
            f"usual error on a typical new {env}, and {ratio_text(row['worst_ratio'])} on the "
            f"hardest one ({inert(str(row['worst_env']), 40)})"
        )
    if not parts:
        return ""
    return (
        f"On a {env} it never saw, "
        + "; ".join(parts)
        + f". (Usual error: on new rows of a {env} that was part of its training.)"
    )


# ----------------------------------------------------------------------------- whole table


def _frame(
    df: pd.DataFrame | Table, setup: TableSetup, policy: str
) -> tuple[pd.DataFrame, int, pd.DataFrame]:
    data = df.data if isinstance(df, Table) else df
    if not data.index.is_unique:
        data = data.reset_index(drop=True)
        df = data
    require_setup(setup, [str(c) for c in data.columns])
    cols = [setup.target, *setup.features]
    frame, dropped = numeric_frame(df, cols, policy=policy)  # type: ignore[arg-type]
    return frame, dropped, data


def fit_table_models(
    df: pd.DataFrame | Table, setup: TableSetup, seed: int = 0, policy: str = "drop"
) -> dict[str, Model]:
    """Fit the predictive and causal models on every usable row.

    Parameters
    ----------
    df : pandas.DataFrame or Table
    setup : TableSetup
    seed : int
        Seed of the boosted trees.
    policy : {"drop", "fail"}
        What to do with rows that have missing or non-numeric cells in the
        chosen columns (see :func:`lib.tables.read.numeric_frame`).

    Returns
    -------
    dict of str to Model
        Model name -> fitted model, predictive first. When rows were dropped,
        each model's ``warnings_`` says how many.

    Raises
    ------
    DataError
        For a setup that :func:`check_setup` rejects, unusable cells with
        ``policy="fail"``, or too few rows.
    """
    frame, dropped, _ = _frame(df, setup, policy)
    out: dict[str, Model] = {}
    for model in fit_models(model_specs(Roles.from_setup(setup)), frame, setup.target, seed):
        if dropped:
            model.warnings_.append(
                f"{dropped:,} rows with missing or non-numeric cells were left out."
            )
        out[model.name] = model
    return out


def _environments(data: pd.DataFrame, column: str, index: pd.Index) -> pd.Series:
    env = data.loc[index, column]
    values = env.dropna()
    distinct = values.unique()
    if len(distinct) > MAX_TABLE_ENVIRONMENTS:
        raise DataError(
            f"the environment column {code_span(column)} has {len(distinct):,} distinct values; "
            f"at most {MAX_TABLE_ENVIRONMENTS} can be environments. Choose a column that marks "
            f"groups (a hospital, a batch, a firm)."
        )
    if len(distinct) < 2:
        raise DataError(
            f"the environment column {code_span(column)} has a single environment where several "
            f"are needed: to test on an environment the models never saw, the table needs "
            f"rows from at least two."
        )
    return env


def _env_order(values: Iterable[object]) -> list[object]:
    uniq = list(dict.fromkeys(values))
    try:
        return sorted(uniq)  # type: ignore[type-var]
    except TypeError:
        return sorted(uniq, key=str)


def table_loeo(
    df: pd.DataFrame | Table, setup: TableSetup, seed: int = 0, policy: str = "drop"
) -> pd.DataFrame:
    """Train on all environments but one, test on the one held out; for each in turn.

    In every round each model is fitted on every row of the other environments;
    ``rmse`` is its error on the held-out environment. The yardstick
    ``rmse_in`` is the error the same kind of model makes on that environment
    when it has seen it: fitted once on all environments with a random 20% of
    each environment's rows held back, and scored on the held-out
    environment's held-back rows. ``ratio = rmse / rmse_in``: well above 1
    means the model broke when the environment was new to it. (A yardstick
    from the pooled training rows would mislead on panels whose environments
    differ in scale, such as firms of very different sizes.)

    Parameters
    ----------
    df : pandas.DataFrame or Table
    setup : TableSetup
        Needs an ``environment`` column (text or numbers) with 2 to
        :data:`MAX_TABLE_ENVIRONMENTS` distinct values.
    seed : int
        Seed of the held-back rows and of the boosted trees.
    policy : {"drop", "fail"}
        Rows with missing or non-numeric cells: left out (counted) or an error.

    Returns
    -------
    pandas.DataFrame
        Columns ``held_out, n_test, n_train, model, kind, features, rmse, r2,
        rmse_in, ratio``; one row per held-out environment and model.
        ``frame.attrs["notes"]`` lists sentences about skipped environments and
        dropped rows; ``frame.attrs["dropped_rows"]`` counts the dropped rows.

    Raises
    ------
    DataError
        Without an environment column, with a single environment (or more than
        :data:`MAX_TABLE_ENVIRONMENTS`), when no environment has enough rows, or for
        a setup :func:`check_setup` rejects.
    """
    if setup.environment is None:
        raise DataError(
            "choose an environment column (e.g. hospital, batch, firm): leave-one-environment-"
            "out needs several environments, and a single table is a single environment where "
            "several are needed."
        )
    frame, dropped, data = _frame(df, setup, policy)
    env = _environments(data, setup.environment, frame.index)
    notes: list[str] = []
    if dropped:
        notes.append(f"{dropped:,} rows with missing or non-numeric cells were left out.")
    no_env = env.isna().to_numpy()
    if no_env.any():
        notes.append(
            f"{int(no_env.sum()):,} rows without an environment value were left out of every test."
        )
        frame, env = frame.loc[~no_env], env.loc[~no_env]
    try:
        out = leave_one_environment_out(
            frame.assign(**{ENV_KEY: env.to_numpy()}),
            setup.target,
            ENV_KEY,
            model_specs(Roles.from_setup(setup)),
            seed=seed,
            order=_env_order(env.tolist()),
            min_rows=MIN_ROWS,
            yardstick_share=IN_SAMPLE_SHARE,
            skip_failures=True,
        )
    except DataError as exc:
        raise DataError(f"{exc} {' '.join(notes)}".strip()) from None
    out = out[LOEO_COLUMNS].reset_index(drop=True)
    out.attrs["notes"] = notes + out.attrs.get("notes", [])
    out.attrs["dropped_rows"] = dropped
    return out
