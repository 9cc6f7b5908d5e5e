"""A second black box: boosted trees that copy the network from its inputs and outputs.

A surrogate model is fitted to predict the network's outputs
(:func:`~lib.blackbox.network.forward`) from its inputs: one LightGBM
:class:`~lightgbm.LGBMRegressor` per behaviour (the scikit-learn API, as the
lab's other trees, :class:`lib.fitting.models.BoostedTreesModel`). It
copies the network almost perfectly inside the training square, and only
there: trees predict a constant beyond the last split, so on the wider square
they extrapolate flat where the network does not.

The copy is no easier to read than the original: it holds far more leaves than
the network has parameters. What it says about the network (which inputs
matter to which behaviour, by permutation importance) is what the inputs and
outputs already said: the network's own importances agree.

The trees are sized to fit and be measured in about a sixth of a second on one
core: 100 trees of at most 15 leaves per behaviour at a learning rate of 0.2
copy the network as closely as scikit-learn's histogram boosting with the same
settings did (the worst output's R² on held-out inputs 0.995 at the median of
seeds 0–99 in steps of 3, never below 0.987 on the seeds measured), at about a
third of its CPU time with the predictions made once
(``python bench/bench_blackbox.py``).

- :func:`fit_surrogate`: fit the trees and measure them (:class:`Surrogate`);
- :func:`surrogate_outputs`: the trees' predictions at any inputs;
- :func:`permutation_importance`: how much shuffling each input column costs
  any model of the inputs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from lightgbm import LGBMRegressor

from lib.blackbox.illusions import stimuli
from lib.blackbox.network import Network, forward, parameter_count, r_squared, sample_inputs
from lib.errors import DataError
from lib.fitting.models import one_thread

__all__ = [
    "IMPORTANCE_REPEATS",
    "INPUTS",
    "TEST_ROWS",
    "TREE_ITERATIONS",
    "TREE_LEAVES",
    "TREE_LEARNING_RATE",
    "TREE_MIN_LEAF_ROWS",
    "Surrogate",
    "fit_surrogate",
    "permutation_importance",
    "surrogate_outputs",
]

#: The inputs' names, in column order.
INPUTS = ("x₁", "x₂")
#: Boosting iterations (one tree each) per behaviour; no early stopping.
TREE_ITERATIONS = 100
#: Most leaves per tree.
TREE_LEAVES = 15
#: The boosting's learning rate (twice scikit-learn's default: half the trees reach the same R²).
TREE_LEARNING_RATE = 0.2
#: Fewest training rows a leaf holds (LightGBM's and scikit-learn's default).
TREE_MIN_LEAF_ROWS = 20
#: Held-out inputs drawn by default.
TEST_ROWS = 1000
#: Shuffles of each input column the permutation importance averages over (two: on
#: 1,000 points an input's share is within 2.3 points of five shuffles', seeds 0–56).
IMPORTANCE_REPEATS = 2


@dataclass(frozen=True, eq=False)
class Surrogate:
    """Boosted trees fitted to the network's outputs, and how well they copy it.

    Attributes
    ----------
    estimators : tuple of LGBMRegressor
        One fitted regressor per behaviour, in the network's order.
    behaviours : tuple of str
        The outputs' names, in order.
    seed : int
        The trees' ``random_state`` and the importance shuffles' seed.
    r2_test : Series
        R² of the trees against the network on the held-out inputs (from the
        training square), per behaviour.
    r2_new : Series
        The same on the new inputs (by default the wider square [−2, 2]²).
    trees : int
        Trees over all behaviours.
    leaves : int or None
        Leaves over all trees; ``None`` when the fitted model cannot be read
        (they are counted in LightGBM's text form of the model).
    network_parameters : int
        The network's weights and biases (:func:`lib.blackbox.network.parameter_count`).
    importance : DataFrame
        Permutation importance on the held-out inputs, one row per model
        (``"network"``, ``"trees"``), behaviour and input: ``model``,
        ``behaviour``, ``input`` (a name of :data:`INPUTS`), ``importance``
        (mean increase of the squared error against the network's outputs
        when that input is shuffled) and ``share`` (its share of the
        importances of that model and behaviour).
    """

    estimators: tuple[LGBMRegressor, ...]
    behaviours: tuple[str, ...]
    seed: int
    r2_test: pd.Series
    r2_new: pd.Series
    trees: int
    leaves: int | None
    network_parameters: int
    importance: pd.DataFrame


def _inputs(x: np.ndarray, what: str) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[1] != len(INPUTS) or x.shape[0] < 2:
        raise DataError(
            f"{what} must have shape (n, {len(INPUTS)}) with at least two rows; got {x.shape}."
        )
    if not np.all(np.isfinite(x)):
        raise DataError(f"{what} holds values that are not finite numbers.")
    return x


def _leaves(estimator: LGBMRegressor) -> int | None:
    """Leaves of a fitted regressor's trees, counted in LightGBM's text form of the model."""
    try:
        text = estimator.booster_.model_to_string()
        return int(sum(int(n) for n in re.findall(r"^num_leaves=(\d+)$", text, flags=re.M)))
    except (AttributeError, TypeError, ValueError):
        return None


def _predict(estimators: tuple[LGBMRegressor, ...], x: np.ndarray) -> np.ndarray:
    """Every estimator's predictions at ``x``, one column each (their boosters, one thread).

    The booster predicts directly: the estimator's own ``predict`` costs a
    little more and warns that a numpy array has no feature names.
    """
    with one_thread():
        return np.column_stack([e.booster_.predict(x, num_threads=1) for e in estimators])


def _shuffled(x: np.ndarray, seed: int, repeats: int) -> np.ndarray:
    """``x`` and its shuffled copies, stacked: shape ((1 + p · repeats) · n, p).

    The first ``n`` rows are ``x``; then, for each column in turn, ``repeats``
    copies of ``x`` with that column shuffled (the seed's permutations, in order).
    """
    if repeats < 1:
        raise DataError(f"The importance needs at least one shuffle; got {repeats}.")
    n, p = x.shape
    rng = np.random.default_rng(seed)
    shuffled = np.repeat(x[None], 1 + p * repeats, axis=0)  # (1 + p * repeats, n, p)
    for c in range(p):
        for r in range(repeats):
            shuffled[1 + c * repeats + r, :, c] = x[rng.permutation(n), c]
    return shuffled.reshape(-1, p)


def _importance(out: np.ndarray, target: np.ndarray, p: int, repeats: int) -> np.ndarray:
    """Mean MSE(shuffled) − MSE(intact) per input and output, from the outputs at
    :func:`_shuffled`'s rows, shape (p, k)."""
    out = np.asarray(out, dtype=float).reshape(1 + p * repeats, len(target), -1)
    mse = np.mean((out - target[None]) ** 2, axis=1)  # (1 + p * repeats, k)
    return (mse[1:] - mse[0]).reshape(p, repeats, -1).mean(axis=1)


def permutation_importance(
    predict: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    target: np.ndarray,
    seed: int,
    repeats: int = IMPORTANCE_REPEATS,
) -> np.ndarray:
    """How much shuffling each input column increases a model's squared error.

    Parameters
    ----------
    predict : callable
        Maps inputs of shape (m, p) to outputs of shape (m, k).
    x : ndarray, shape (n, p)
        The inputs.
    target : ndarray, shape (n, k)
        What the outputs are scored against.
    seed : int
        Seed of the shuffles (the same seed shuffles the same way for any model).
    repeats : int
        Shuffles per column, averaged over.

    Returns
    -------
    ndarray, shape (p, k)
        Mean over the shuffles of MSE(shuffled) − MSE(intact), per input and output.
    """
    x = np.asarray(x, dtype=float)
    target = np.asarray(target, dtype=float)
    # one call for the intact and every shuffled copy
    out = predict(_shuffled(x, seed, repeats))
    return _importance(out, target, x.shape[1], repeats)


def surrogate_outputs(surrogate: Surrogate, x: np.ndarray) -> np.ndarray:
    """The trees' predictions of the network's outputs at ``x``, shape (n, 3)."""
    return _predict(surrogate.estimators, np.asarray(x, dtype=float))


def fit_surrogate(
    net: Network,
    seed: int,
    x_train: np.ndarray | None = None,
    x_test: np.ndarray | None = None,
    x_new: np.ndarray | None = None,
) -> Surrogate:
    """Fit boosted trees to the network's outputs and measure the copy.

    Parameters
    ----------
    net : Network
        The network to copy.
    seed : int
        The trees' ``random_state`` and the seed of the default inputs and of
        the importance shuffles.
    x_train : ndarray, shape (n, 2), optional
        Inputs the trees learn from (default ``sample_inputs(2000, seed)``).
    x_test : ndarray, shape (m, 2), optional
        Held-out inputs (default ``sample_inputs(1000, seed + 1)``): R² and
        permutation importance are measured here.
    x_new : ndarray, shape (m, 2), optional
        New inputs (default ``stimuli("wider", 1000, seed + 2)``, mostly
        outside the training square).

    Returns
    -------
    Surrogate
        Fitted on one thread (:func:`lib.fitting.models.one_thread`) with
        :data:`TREE_ITERATIONS` trees of at most :data:`TREE_LEAVES` leaves per
        behaviour, without early stopping.
    """
    x_train = _inputs(sample_inputs(2000, seed) if x_train is None else x_train, "x_train")
    x_test = _inputs(sample_inputs(TEST_ROWS, seed + 1) if x_test is None else x_test, "x_test")
    x_new = _inputs(stimuli("wider", TEST_ROWS, seed + 2) if x_new is None else x_new, "x_new")
    y_train = forward(net, x_train)
    fitted = []
    with one_thread():
        for j in range(y_train.shape[1]):
            estimator = LGBMRegressor(
                n_estimators=TREE_ITERATIONS,
                num_leaves=TREE_LEAVES,
                learning_rate=TREE_LEARNING_RATE,
                min_child_samples=TREE_MIN_LEAF_ROWS,
                random_state=seed,
                n_jobs=1,  # a session's fit never starts threads of its own
                deterministic=True,
                force_col_wise=True,
                verbose=-1,
            )
            fitted.append(estimator.fit(x_train, y_train[:, j]))
    estimators = tuple(fitted)

    y_test, y_new = forward(net, x_test), forward(net, x_new)
    # The trees predict once: the held-out inputs, their shuffled copies and the new inputs.
    p, repeats = len(INPUTS), IMPORTANCE_REPEATS
    stacked = _shuffled(x_test, seed, repeats)
    out = _predict(estimators, np.vstack([stacked, x_new]))
    on_test, on_new = out[: len(x_test)], out[len(stacked) :]
    importance = {
        "network": permutation_importance(lambda x: forward(net, x), x_test, y_test, seed),
        "trees": _importance(out[: len(stacked)], y_test, p, repeats),
    }
    frames = []
    for model, table in importance.items():
        with np.errstate(divide="ignore", invalid="ignore"):
            share = table / table.sum(axis=0)
        frames.append(
            pd.DataFrame(
                {
                    "model": model,
                    "behaviour": np.tile(np.array(net.behaviours, dtype=object), len(INPUTS)),
                    "input": np.repeat(np.array(INPUTS, dtype=object), len(net.behaviours)),
                    "importance": table.ravel(),
                    "share": share.ravel(),
                }
            )
        )
    leaves = [_leaves(e) for e in estimators]
    return Surrogate(
        estimators=estimators,
        behaviours=net.behaviours,
        seed=int(seed),
        r2_test=r_squared(y_test, on_test, net.behaviours),
        r2_new=r_squared(y_new, on_new, net.behaviours),
        trees=int(sum(e.booster_.num_trees() for e in estimators)),
        leaves=None if any(n is None for n in leaves) else int(sum(n or 0 for n in leaves)),
        network_parameters=parameter_count(net),
        importance=pd.concat(frames, ignore_index=True),
    )
