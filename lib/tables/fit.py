"""The predictive and the causal model on a table, scored on rows they never saw.

With a table there is no known world to sample a fresh test set from, so the
rows are split at random (seeded): the models learn from one part and are
scored on the other. This measures prediction in the same environments; the
shift to a new environment is :func:`lib.tables.setup.leave_one_environment_out`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lib.errors import DataError
from lib.fitting.models import LinearModel, r2_score, rmse
from lib.tables.read import MIN_ROWS, Table, numeric_frame
from lib.tables.setup import TableSetup, check_setup, table_model_specs
from lib.words.escape import inert
from lib.words.numbers import ratio_text

__all__ = ["HoldoutFit", "TEST_SHARE", "holdout_fit", "loeo_sentence", "loeo_summary"]

#: Share of the rows held out for scoring.
TEST_SHARE = 0.3


@dataclass(frozen=True)
class HoldoutFit:
    """Scores on the held-out rows and what the linear models learned.

    Attributes
    ----------
    scores : pandas.DataFrame
        Columns ``model, kind, features, rmse, r2``.
    coefficients : dict of str to pandas.DataFrame
        ``"predictive"`` / ``"causal"``: the linear model's
        :meth:`~lib.fitting.models.LinearModel.coef_table` (intercept first).
    dropped : int
        Rows left out for missing or non-numeric cells.
    n_train, n_test : int
    test_share : float
    warnings : list of str
        The fits' warnings (collinear or constant inputs, few rows), named by model.
    predictions : pandas.DataFrame
        The held-out rows' actual target (column ``"actual"``) and each model's
        prediction (one column per model name).
    """

    scores: pd.DataFrame
    coefficients: dict[str, pd.DataFrame]
    dropped: int
    n_train: int
    n_test: int
    test_share: float = TEST_SHARE
    warnings: list[str] = field(default_factory=list)
    predictions: pd.DataFrame = field(default_factory=pd.DataFrame)


def holdout_fit(
    df: pd.DataFrame | Table,
    setup: TableSetup,
    *,
    policy: str = "drop",
    seed: int = 0,
    test_share: float = TEST_SHARE,
) -> HoldoutFit:
    """Fit :func:`lib.tables.setup.table_model_specs` on a random part of the rows and score them on the rest.

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
    rows = []
    coefficients: dict[str, pd.DataFrame] = {}
    warnings: list[str] = []
    y = test[setup.target].to_numpy()
    predictions = {"actual": y}
    for model in table_model_specs(setup, seed):
        model.fit(train)
        pred = model.predict_finite(test)
        predictions[model.name] = pred
        rows.append(
            {
                "model": model.name,
                "kind": model.kind,
                "features": ", ".join(model.features),
                "rmse": rmse(y, pred),
                "r2": r2_score(y, pred),
            }
        )
        warnings.extend(f"{model.name}: {w}" for w in model.warnings_)
        if isinstance(model, LinearModel) and model.kind not in coefficients:
            coefficients[model.kind] = model.coef_table()
    return HoldoutFit(
        scores=pd.DataFrame(rows),
        coefficients=coefficients,
        dropped=int(dropped),
        n_train=len(train),
        n_test=n_test,
        test_share=test_share,
        warnings=warnings,
        predictions=pd.DataFrame(predictions),
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
