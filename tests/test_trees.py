"""The boosted trees: as accurate as before the change of library, and deterministic.

The lab's trees moved from scikit-learn's ``HistGradientBoostingRegressor`` to
LightGBM's ``LGBMRegressor`` with the same settings, because a fit costs a
third of the time (``bench/bench_trees.py``). These tests keep what the change
promised: the trees' held-out error on fresh observational samples stays within
2% of the old implementation's in every world, and the same rows give the same
trees, whether or not another thread is fitting at the same time.
"""

from __future__ import annotations

import os
import statistics
import threading
import warnings

import numpy as np
import pandas as pd
import pytest

from lib.fitting.experiments import default_model_specs, run_experiment
from lib.fitting.models import BoostedTreesModel
from lib.world.scenarios import list_scenarios, load_scenario

#: Seeds of the held-out comparison: train on seed s, test on seed s + 1.
SEEDS = range(10)
#: Within this share of the reference, either way.
TOLERANCE = 0.02

#: Mean held-out RMSE of the lab's trees (``run_experiment`` at the world's
#: default n, observational test, seeds 0-9) with the implementation the lab used
#: before, scikit-learn's ``HistGradientBoostingRegressor`` (30 rounds, 15
#: leaves, learning rate 0.3, scikit-learn 1.9.1), computed once at the commit
#: before the change; ``python bench/bench_trees.py`` prints the same numbers
#: (its "reference" lines). A world added later records its own reference.
REFERENCE_RMSE: dict[str, dict[str, float]] = {
    "ldopa": {"predictive": 1.362138, "causal": 2.737307},
    "icecream": {"predictive": 4.946734, "causal": 5.759508},
    "fever": {"predictive": 0.740628, "causal": 1.521310},
    "mystery": {"predictive": 0.748221, "causal": 1.062914},
    "neurons": {"predictive": 1.106528, "causal": 1.073460},
}


def test_every_world_has_a_reference() -> None:
    assert set(REFERENCE_RMSE) == set(list_scenarios())


@pytest.mark.parametrize("world", sorted(REFERENCE_RMSE))
def test_held_out_error_stays_within_two_percent(world: str) -> None:
    sc = load_scenario(world)
    specs = [s for s in default_model_specs(sc) if s.family == "trees"]
    errors: dict[str, list[float]] = {}
    for seed in SEEDS:
        scores = run_experiment(sc, sc.default_n, seed, models=specs).evaluate()
        for kind, err in zip(scores["kind"], scores["rmse"], strict=True):
            errors.setdefault(kind, []).append(float(err))
    assert set(errors) == set(REFERENCE_RMSE[world])
    for kind, ref in REFERENCE_RMSE[world].items():
        ratio = statistics.fmean(errors[kind]) / ref
        assert abs(ratio - 1) <= TOLERANCE, f"{world}, {kind} trees: {ratio:.4f} × the reference"


def _data(seed: int, n: int = 2000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(2, n))
    y = np.sin(2 * a) + 0.5 * b**2 + rng.normal(scale=0.3, size=n)
    return pd.DataFrame({"a": a, "b": b, "y": y})


def _fit_predict(seed: int) -> np.ndarray:
    model = BoostedTreesModel("trees", "predictive", ("a", "b"), "y", random_state=seed)
    return model.fit(_data(seed)).predict(_data(seed + 100))


@pytest.mark.parametrize(("seed", "rows", "inputs"), [(0, 500, 2), (1, 2000, 4), (2, 60, 1)])
def test_the_trees_are_the_estimators_own(seed: int, rows: int, inputs: int) -> None:
    """The booster trained directly (and kept as trained) predicts what scikit-learn's
    ``LGBMRegressor`` with the lab's settings predicts, bit for bit."""
    from lightgbm import LGBMRegressor

    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, inputs))
    y = np.sin(2 * x[:, 0]) + x[:, -1] ** 2 + rng.normal(scale=0.3, size=rows)
    names = tuple(f"x{j}" for j in range(inputs))
    frame = pd.DataFrame({**dict(zip(names, x.T, strict=True)), "y": y})
    model = BoostedTreesModel("trees", "predictive", names, "y", random_state=seed).fit(frame)
    reference = LGBMRegressor(
        n_estimators=model.max_iter,
        learning_rate=model.learning_rate,
        num_leaves=model.MAX_LEAVES,
        min_child_samples=model.MIN_LEAF_ROWS,
        max_bin=model.MAX_BINS,
        random_state=seed,
        n_jobs=1,
        deterministic=True,
        force_col_wise=True,
        verbose=-1,
    ).fit(x, y)
    fresh = rng.normal(scale=1.5, size=(3 * rows, inputs))
    np.testing.assert_array_equal(
        model.predict(pd.DataFrame(dict(zip(names, fresh.T, strict=True)))),
        reference.booster_.predict(fresh, num_threads=1),
    )


@pytest.mark.parametrize("seed", range(8))
def test_the_trees_tables_predict_what_the_booster_predicts(seed: int) -> None:
    """The trees read into tables (lib.fitting.trees) give the booster's predictions bit
    for bit: on rows inside and far outside the training range, on thresholds' own
    values, on zeros and on values LightGBM reads as zero."""
    from lib.fitting.trees import tree_tables

    rng = np.random.default_rng(seed)
    rows, inputs = (60, 500, 2000, 5000)[seed % 4], (1, 2, 4, 6)[seed % 4]
    x = rng.normal(size=(rows, inputs)) * (1e-3, 1.0, 100.0)[seed % 3]
    if seed % 2:
        x = np.round(x, 1)  # ties: many rows on a threshold's own value
    y = np.sin(x[:, 0]) + x[:, -1] ** 2 + rng.normal(size=rows)
    names = tuple(f"x{j}" for j in range(inputs))
    frame = pd.DataFrame({**dict(zip(names, x.T, strict=True)), "y": y})
    model = BoostedTreesModel("trees", "predictive", names, "y", random_state=seed).fit(frame)
    tables = tree_tables(model.booster_)
    assert tables is not None
    fresh = np.concatenate(
        [3 * x.std(axis=0) * rng.normal(size=(3000, inputs)), x, np.zeros((2, inputs)),
         np.full((1, inputs), 1e-36), np.full((1, inputs), -1e-36)]
    )  # fmt: skip
    np.testing.assert_array_equal(tables.predict(fresh), model.booster_.predict(fresh))
    assert tables.predict(np.full((1, inputs), np.nan)) is None  # left to the booster
    many = np.tile(fresh, (2, 1))  # a call with enough rows reads the trees into tables
    assert len(many) >= model.TABLE_ROWS
    np.testing.assert_array_equal(
        model.predict(pd.DataFrame(dict(zip(names, many.T, strict=True)))),
        model.booster_.predict(many),
    )
    assert model.tables_ is not None


def test_the_same_rows_give_the_same_trees() -> None:
    first, again = _fit_predict(3), _fit_predict(3)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, _fit_predict(4))


def test_two_threads_fitting_at_once_give_what_one_gives() -> None:
    """Two sessions' fits at the same time, each in a thread of its own."""
    seeds = [0, 1, 2, 3]
    alone = {s: _fit_predict(s) for s in seeds}
    together: dict[tuple[int, int], np.ndarray] = {}
    start = threading.Barrier(2)

    def session(worker: int) -> None:
        start.wait()
        for s in seeds:
            together[worker, s] = _fit_predict(s)

    threads = [threading.Thread(target=session, args=(w,)) for w in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(together) == 2 * len(seeds)
    for (_, s), pred in together.items():
        np.testing.assert_array_equal(pred, alone[s])


def test_fit_and_predict_do_not_warn() -> None:
    """No "X does not have valid feature names" (nor anything else) on numpy rows."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pred = _fit_predict(5)
    assert pred.dtype == np.float64 and pred.shape == (2000,)


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts threads from /proc")
def test_a_fit_starts_no_threads() -> None:
    _fit_predict(6)  # the library's first call made
    before = len(os.listdir("/proc/self/task"))
    _fit_predict(7)
    assert len(os.listdir("/proc/self/task")) == before
