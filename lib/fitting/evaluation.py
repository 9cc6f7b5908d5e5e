"""The evaluation core: roles, one model set, one scoring function, one leave-one-out.

Every page compares the same two kinds of model, whatever the data are:

* the **roles** (:class:`Roles`): the target, the predictive model's features,
  the causal model's inputs and, where there is one, the environment column.
  A simulated world reads its causal inputs off the graph
  (:meth:`Roles.from_scenario`); a table takes the causes its user declared
  (:meth:`Roles.from_setup`);
* one **model set** (:func:`model_specs`): linear and boosted trees on the
  features (predictive), linear and trees on the causal inputs (causal), and
  the intercept-only model when the causal role has no input;
* one **scoring function** (:func:`score`): each model's RMSE and R² on each
  named test set;
* one **leave-one-environment-out** (:func:`leave_one_environment_out`).

Only the test data differ between sources: a world feeds fresh samples (or
pooled environments), a table held-out rows (or held-out environments).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lib.errors import DataError
from lib.fitting.models import FAMILY_LABELS, Model, ModelSpec
from lib.fitting.scores import r2_score, rmse

__all__ = [
    "NO_INPUTS_TEXT",
    "SCORE_COLUMNS",
    "Roles",
    "fit_models",
    "leave_one_environment_out",
    "model_specs",
    "predict_all",
    "predict_arrays",
    "score",
    "score_predictions",
]

#: The ``features`` cell of a model without inputs.
NO_INPUTS_TEXT = "none (the average)"
#: Columns of :func:`score`'s table.
SCORE_COLUMNS = ["model", "kind", "family", "features", "inputs", "test", "rmse", "r2", "n_test"]


@dataclass(frozen=True)
class Roles:
    """Who plays which part: what to predict, from what, and from which causes.

    Attributes
    ----------
    target : str
        The variable to predict.
    features : tuple of str
        The predictive model's inputs (every observed clue the user allows).
    causal : tuple of str
        The causal model's inputs (may be empty: the causal model is then the
        intercept-only model).
    environment : str or None
        A column naming each row's environment, where the data have one.
    declared : bool
        Whether the causal inputs were declared by a person (a table) rather
        than read off a known graph (a simulated world); only the models'
        names differ.
    """

    target: str
    features: tuple[str, ...]
    causal: tuple[str, ...]
    environment: str | None = None
    declared: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "features", tuple(self.features))
        object.__setattr__(self, "causal", tuple(self.causal))

    @classmethod
    def from_scenario(cls, sc: Any, environment: str | None = None) -> Roles:
        """A simulated world's roles: the causal inputs are read off its graph."""
        return cls(sc.target, tuple(sc.features), tuple(sc.causal_features), environment)

    @classmethod
    def from_setup(cls, setup: Any) -> Roles:
        """A table's roles (a :class:`lib.tables.setup.TableSetup`): the declared causes."""
        return cls(setup.target, setup.features, setup.parents, setup.environment, declared=True)

    @property
    def causal_label(self) -> str:
        """How the causal model's inputs are named: "causes only" or "declared causes"."""
        return "declared causes" if self.declared else "causes only"


def model_specs(roles: Roles) -> list[ModelSpec]:
    """The lab's model set for these roles, predictive first.

    Linear and boosted trees on every feature (predictive); linear and trees on
    the causal inputs (causal). When the causal role has no input, the causal
    model is the intercept-only model (it predicts the training mean) and
    there is no causal trees model.
    """
    feats, causal = roles.features, roles.causal
    specs = [
        ModelSpec(f"{FAMILY_LABELS['linear']} · all features", "predictive", feats, "linear"),
        ModelSpec(f"{FAMILY_LABELS['trees']} · all features", "predictive", feats, "trees"),
    ]
    if causal:
        label = roles.causal_label
        specs += [
            ModelSpec(f"{FAMILY_LABELS['linear']} · {label}", "causal", causal, "linear"),
            ModelSpec(f"{FAMILY_LABELS['trees']} · {label}", "causal", causal, "trees"),
        ]
    else:
        nothing = "no declared causes" if roles.declared else "no observed causes"
        specs.append(ModelSpec(f"{FAMILY_LABELS['mean']} · {nothing}", "causal", (), "linear"))
    return specs


def fit_models(
    specs: Sequence[ModelSpec], train: pd.DataFrame, target: str, seed: int = 0
) -> list[Model]:
    """Build and fit every spec on ``train`` (in order).

    Raises
    ------
    DataError
        For a missing column, missing values, or too few rows.
    """
    return [spec.build(target, seed).fit(train) for spec in specs]


def _features_text(model: Model) -> str:
    return ", ".join(model.features) or NO_INPUTS_TEXT


def score_predictions(
    models: Sequence[Model], predictions: Mapping[str, pd.DataFrame]
) -> pd.DataFrame:
    """Every model's error on every test, from predictions already made.

    Parameters
    ----------
    models : sequence of Model
    predictions : mapping of str to DataFrame
        Test name -> a frame with the actual target column and one column of
        predictions per model name (or a mapping of those names to arrays).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SCORE_COLUMNS`, tests in the order given, models in order
        within each test: ``features`` is the inputs as text (for people),
        ``inputs`` the same as a tuple of names (for code, never parsed).
    """
    rows = []
    for test, df in predictions.items():
        for m in models:
            y = np.asarray(df[m.target])
            pred = np.asarray(df[m.name])
            rows.append(
                {
                    "model": m.name,
                    "kind": m.kind,
                    "family": m.family,
                    "features": _features_text(m),
                    "inputs": tuple(m.features),
                    "test": str(test),
                    "rmse": rmse(y, pred),
                    "r2": r2_score(y, pred),
                    "n_test": len(y),
                }
            )
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)


class _Stacked:
    """The test frames stacked once, for the models that predict them all."""

    def __init__(self, frames: Sequence[pd.DataFrame]) -> None:
        self.frames = frames
        self._whole: pd.DataFrame | None = None

    def predictions(self, model: Model) -> list[np.ndarray]:
        """``model.predict_finite`` on the frames stacked, split back per frame."""
        if self._whole is None:
            self._whole = pd.concat(self.frames, ignore_index=True)
        whole = model.predict_finite(self._whole)
        return np.split(whole, np.cumsum([len(f) for f in self.frames])[:-1])


def _predict_distinct(
    model: Model, stacked: _Stacked, columns: Sequence[Mapping[str, np.ndarray]]
) -> list[np.ndarray]:
    """``model``'s predictions for each frame, one predict call for them all.

    ``columns`` holds each frame's columns as arrays. A frame whose inputs (the model's
    features) equal an earlier frame's reuses its predictions: a strength sweep of an
    intervention on a non-cause leaves the causal model's inputs the same at every
    strength, and its predictions are made once. The numbers are those of the model
    on the frames stacked (a prediction depends on its own row only).
    """
    frames = stacked.frames
    features = list(model.features)
    distinct: list[int] = []
    seen: dict[tuple, list[int]] = {}  # (rows, first row's inputs) -> frames with them
    first: list[int] = []  # per frame, the first frame with the same inputs
    for i, cols in enumerate(columns):
        n = len(frames[i])
        head = tuple(float(cols[f][0]) for f in features) if n else ()
        same = i
        for j in seen.setdefault((n, head), []):
            if all(np.array_equal(columns[j][f], cols[f]) for f in features):
                same = j
                break
        first.append(same)
        if same == i:
            seen[(n, head)].append(i)
            distinct.append(i)
    if len(distinct) == len(frames):
        return stacked.predictions(model)
    inputs = pd.DataFrame(
        {f: np.concatenate([columns[i][f] for i in distinct]) for f in features},
        index=pd.RangeIndex(sum(len(frames[i]) for i in distinct)),
    )
    try:
        predicted = model.predict_finite(inputs)
    except DataError:  # its message counts the rows: say it of the rows as given
        return stacked.predictions(model)
    bounds = np.cumsum([0, *(len(frames[i]) for i in distinct)])
    part = {i: predicted[bounds[k] : bounds[k + 1]] for k, i in enumerate(distinct)}
    return [part[j] for j in first]


def predict_arrays(
    models: Sequence[Model], tests: Mapping[str, pd.DataFrame]
) -> dict[str, dict[str, np.ndarray]]:
    """:func:`predict_all`'s columns as arrays, per test: the target's and one per model
    (no frame is made; :func:`score_predictions` reads them as it reads frames)."""
    names = list(tests)
    frames = [tests[k] for k in names]
    stacked = _Stacked(frames)
    used = list(dict.fromkeys(f for m in models for f in m.features))
    if all(f in frame.columns for frame in frames for f in used):
        columns = [{f: frame[f].to_numpy(dtype=float) for f in used} for frame in frames]
        predicted = {m.name: _predict_distinct(m, stacked, columns) for m in models}
    else:  # a missing column: the model's own error names it
        predicted = {m.name: stacked.predictions(m) for m in models}
    targets = list(dict.fromkeys(m.target for m in models))
    out = {}
    for i, (name, df) in enumerate(zip(names, frames, strict=True)):
        frame = {t: df[t].to_numpy() for t in targets}
        frame.update({m.name: predicted[m.name][i] for m in models})
        out[name] = frame
    return out


def predict_all(
    models: Sequence[Model], tests: Mapping[str, pd.DataFrame]
) -> dict[str, pd.DataFrame]:
    """Each test's actual target and every model's predictions, one predict call per model.

    Tests on which a model's inputs are the same rows (a sweep's strengths that leave
    them unchanged) are predicted once for that model.

    Raises
    ------
    DataError
        When a prediction is not a finite number (naming the model).
    """
    return {name: pd.DataFrame(frame) for name, frame in predict_arrays(models, tests).items()}


def score(models: Sequence[Model], tests: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The one scoring function: every fitted model's RMSE and R² on every test set.

    Parameters
    ----------
    models : sequence of Model
        Fitted models (they may have different inputs and kinds).
    tests : mapping of str to pandas.DataFrame
        Test name -> rows none of the models was fitted on (fresh samples of a
        world, a world after an intervention, held-out rows or a held-out
        environment of a table).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SCORE_COLUMNS`.

    Raises
    ------
    DataError
        With no test, or when a prediction is not a finite number.
    """
    if not tests:
        raise DataError("there is no test set to score the models on.")
    return score_predictions(models, predict_arrays(models, tests))  # arrays: no frame per test


SpecsFor = Callable[[Any, pd.DataFrame], Sequence[ModelSpec]]


def leave_one_environment_out(
    data: pd.DataFrame,
    target: str,
    environment: str,
    specs: Sequence[ModelSpec] | SpecsFor,
    *,
    seed: int = 0,
    order: Sequence[Any] | None = None,
    min_rows: int = 0,
    yardstick_share: float | None = None,
    skip_failures: bool = False,
) -> pd.DataFrame:
    """Each environment in turn held out: fit on the others, score on it.

    Parameters
    ----------
    data : pandas.DataFrame
        Numeric target and inputs without missing values, and the environment
        column (rows without an environment value are left out: neither
        trained on nor tested).
    target, environment : str
    specs : sequence of ModelSpec, or callable
        The models; or ``specs(held_out, train)`` giving each round's models
        from its training rows (e.g. ICP rerun without the held-out
        environment).
    seed : int
        Seeds the trees and the yardstick's held-back rows.
    order : sequence, optional
        The environments to hold out, in order; default: every value, in order
        of first appearance.
    min_rows : int
        An environment with fewer rows, or whose others have fewer, is not
        tested (a note says so).
    yardstick_share : float, optional
        With a share (e.g. 0.2), each model is also fitted once on every
        environment with that share of each environment's rows held back, and
        ``rmse_in`` is its error on the held-out environment's held-back rows:
        the error it makes on a place it has seen. ``ratio = rmse / rmse_in``.
    skip_failures : bool
        Note a model that cannot be fitted (or predicts non-finite numbers) and
        go on, instead of raising.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`score` (``test`` is the held-out environment as
        text) plus ``held_out`` (its value), ``n_train`` and, with a
        yardstick, ``rmse_in`` and ``ratio``. ``frame.attrs["notes"]`` lists
        sentences about environments not tested and models not fitted.

    Raises
    ------
    DataError
        When no environment could be tested, or (without ``skip_failures``)
        when a model cannot be fitted.
    """
    from lib.text.escape import code_span

    data = data[data[environment].notna().to_numpy()]  # rows without an environment: never used
    env = data[environment]
    values = env.astype(object).to_numpy()
    labels = list(order) if order is not None else list(pd.unique(env))
    notes: list[str] = []
    y = data[target].to_numpy(dtype=float)

    def specs_for(held: Any, train: pd.DataFrame) -> Sequence[ModelSpec]:
        return specs(held, train) if callable(specs) else specs

    seen_pred: dict[str, np.ndarray] = {}
    back = np.zeros(len(data), dtype=bool)
    if yardstick_share is not None:
        # Each model fitted on every environment (a random share of each one's rows
        # held back), scored on each environment's held-back rows: the error it makes
        # on a place it has seen. Holding that place out is the shift.
        rng = np.random.default_rng([seed, 0])
        for value in dict.fromkeys(values.tolist()):
            members = np.flatnonzero(values == value)
            k = max(2, int(round(yardstick_share * len(members))))
            if len(members) >= max(min_rows, k):
                back[rng.choice(members, size=k, replace=False)] = True
        for spec in specs_for(None, data):
            try:
                model = spec.build(target, seed).fit(data.iloc[np.flatnonzero(~back)])
                seen_pred[spec.name] = model.predict_finite(data)
            except DataError as exc:
                if not skip_failures:
                    raise
                notes.append(f"{spec.name} could not be fitted on every environment: {exc}")

    frames = []
    for held in labels:
        test_mask = values == held
        n_test = int(test_mask.sum())
        train_idx = np.flatnonzero(~test_mask)
        if n_test < min_rows:
            notes.append(
                f"Environment {code_span(held)} has only {n_test:,} usable rows (fewer than "
                f"{min_rows}): it is not tested."
            )
            continue
        if len(train_idx) < min_rows:
            notes.append(
                f"Without {code_span(held)} only {len(train_idx):,} rows remain to train on: "
                f"it is not tested."
            )
            continue
        train, test = data.iloc[train_idx], data[test_mask]
        models: list[Model] = []
        predicted = {target: test[target].to_numpy()}
        for spec in specs_for(held, train):
            try:  # a prediction that overflows is noted like a failed fit
                model = spec.build(target, seed).fit(train)
                predicted[model.name] = model.predict_finite(test)
            except DataError as exc:
                if not skip_failures:
                    raise
                notes.append(f"Environment {code_span(held)}, {spec.name}: {exc}")
            else:
                models.append(model)
        if not models:
            continue
        table = score_predictions(models, {str(held): pd.DataFrame(predicted)})
        table.insert(0, "held_out", [held] * len(table))
        table["n_train"] = len(train_idx)
        if yardstick_share is not None:
            seen_mask = test_mask & back
            rmse_in = [
                rmse(y[seen_mask], seen_pred[m.name][seen_mask])
                if m.name in seen_pred and seen_mask.any()
                else float("nan")
                for m in models
            ]
            table["rmse_in"] = rmse_in
            table["ratio"] = [
                err / ref if ref > 0 else float("inf")
                for err, ref in zip(table["rmse"], rmse_in, strict=True)
            ]
        frames.append(table)
    if not frames:
        raise DataError(
            "no environment could be tested: each needs at least "
            f"{min_rows} usable rows, and the others enough rows to train on. " + " ".join(notes)
        )
    out = pd.concat(frames, ignore_index=True)
    out.attrs["notes"] = notes
    return out
