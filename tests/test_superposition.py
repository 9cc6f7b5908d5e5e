"""The toy model of superposition, checked at fixed seeds against its known phases."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from lib.blackbox.superposition import (
    DAMAGED,
    PENTAGON,
    ToyModel,
    default_importance,
    lesion_dimension,
    loss_and_gradient,
    polysemantic,
    reconstruct,
    rotate,
    sample_features,
    sparsity_sweep,
    train_toy,
    training_set,
)
from lib.errors import DataError

SEEDS = (0, 1, 2)


@cache
def _model(sparsity: float, seed: int) -> ToyModel:
    return train_toy(sparsity, seed)


def _loss(model: ToyModel, X: np.ndarray) -> float:
    """The loss written out, one feature at a time."""
    out = np.maximum(X @ model.W.T @ model.W + model.b, 0.0)
    return float(sum(model.importance[i] * np.mean((X[:, i] - out[:, i]) ** 2) for i in range(5)))


# --- the data -------------------------------------------------------------------------


def test_sample_features_are_zero_with_the_sparsity_and_uniform_otherwise() -> None:
    X = sample_features(40_000, 0.8, seed=3)
    assert X.shape == (40_000, 5)
    zero = X == 0
    assert np.allclose(zero.mean(axis=0), 0.8, atol=0.01)
    active = X[~zero]
    assert active.min() >= 0 and active.max() < 1
    assert abs(active.mean() - 0.5) < 0.01 and abs(active.var() - 1 / 12) < 0.003


@pytest.mark.parametrize("sparsity", [0.0, 0.9, 0.99])
def test_training_set_estimates_the_loss_over_sampled_inputs(sparsity: float) -> None:
    # Every row but the last has an active feature; the last is the all-zero rows,
    # weighted by their expected count; the weighted loss matches a large plain sample.
    data = training_set(sparsity, seed=0)
    assert (data.X[:-1] > 0).any(axis=1).all() and not data.X[-1].any()
    assert np.allclose(data.weights[:-1], 1.0)
    share = sparsity**5
    assert data.weights[-1] == pytest.approx(len(data.X[:-1]) * share / (1 - share))
    per_feature_active = (data.X[:-1] > 0).sum(axis=0)
    assert per_feature_active.min() >= 400  # about rows / n or more, at any sparsity
    rng = np.random.default_rng(5)
    params = np.concatenate([rng.normal(0, 0.6, 10), rng.normal(-0.1, 0.1, 5)])
    imp = default_importance()
    weighted = loss_and_gradient(params, data.X, imp, data.weights)[0]
    plain = loss_and_gradient(params, sample_features(400_000, sparsity, seed=9), imp)[0]
    assert weighted == pytest.approx(plain, rel=0.03)


# --- the gradient -----------------------------------------------------------------------


@pytest.mark.parametrize("weighted", [False, True])
def test_gradient_matches_central_differences(weighted: bool) -> None:
    rng = np.random.default_rng(11)
    X = sample_features(300, 0.5, seed=12)
    params = np.concatenate([rng.normal(0, 0.7, 10), rng.normal(0, 0.3, 5)])
    W, b = params[:10].reshape(2, 5), params[10:]
    # no pre-activation near the ReLU's kink, so the loss is smooth around the point
    assert np.abs(X @ W.T @ W + b).min() > 1e-4
    weights = rng.uniform(0.5, 2.0, len(X)) if weighted else None
    imp = default_importance()
    loss, grad = loss_and_gradient(params, X, imp, weights)
    h = 1e-6
    numeric = np.empty_like(params)
    for k in range(params.size):
        step = np.zeros_like(params)
        step[k] = h
        up = loss_and_gradient(params + step, X, imp, weights)[0]
        down = loss_and_gradient(params - step, X, imp, weights)[0]
        numeric[k] = (up - down) / (2 * h)
    assert np.linalg.norm(numeric - grad) / np.linalg.norm(grad) < 1e-5
    assert np.abs(numeric - grad).max() < 1e-7
    # the loss itself is the written-out one
    model = ToyModel(W, b, 0.5, imp, np.nan, 0)
    if not weighted:
        assert loss == pytest.approx(_loss(model, X), rel=1e-12)


# --- the two phases -------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_dense_features_keep_the_two_most_important_on_orthogonal_axes(seed: int) -> None:
    model = _model(0.0, seed)
    norms = model.norms
    assert (norms[:2] > 0.99).all(), norms
    assert (norms[2:] < 0.02).all(), norms
    assert model.represented.tolist() == [True, True, False, False, False]
    assert model.angular_order in ((0, 1), (1, 0))
    assert np.allclose(sorted(model.neighbour_angles), [90, 270], atol=1)
    # the dropped features are predicted by their mean, 1/2
    assert np.allclose(model.b[2:], 0.5, atol=0.01)
    assert model.dimensions_per_feature == pytest.approx(1.0, abs=0.01)
    assert np.allclose(model.feature_dimensionality[:2], 1.0, atol=0.01)
    # the population loss of that answer: each dropped feature's importance × Var(x) = 1/12
    assert model.loss == pytest.approx(default_importance()[2:].sum() / 12, rel=1e-3)


@pytest.mark.parametrize("seed", SEEDS)
def test_sparse_features_make_a_regular_pentagon(seed: int) -> None:
    model = _model(PENTAGON, seed)
    assert model.represented.all()
    assert (model.norms > 1.05).all() and (model.norms < 1.2).all(), model.norms
    angles = model.neighbour_angles
    assert len(angles) == 5 and angles.sum() == pytest.approx(360)
    assert np.abs(angles - 72).max() < 3, angles
    # the negative biases filter the interference each feature leaks onto its neighbours
    assert (model.b < -0.2).all(), model.b
    # each feature overlaps its two neighbours by cos 72° and the next two by cos 144°
    cosines = model.interference / np.outer(model.norms, model.norms)
    expected = np.cos(np.radians([144, 144, 72, 72]))
    for i, row in enumerate(cosines):
        assert np.allclose(np.sort(np.delete(row, i)), expected, atol=0.06), row


def test_the_pentagon_is_missing_at_moderate_sparsity() -> None:
    # at S = 0.7 the model keeps four features as two antipodal pairs, 90° apart
    model = _model(0.7, 0)
    assert model.represented.sum() == 4
    assert np.allclose(model.neighbour_angles, 90, atol=2)
    assert model.dimensions_per_feature == pytest.approx(0.5, abs=0.02)


@pytest.mark.parametrize("seed", SEEDS)
def test_dimensions_per_feature_of_the_pentagon(seed: int) -> None:
    model = _model(PENTAGON, seed)
    # D* = 2 / ‖W‖_F² with columns about 1.13 long: below the 2/5 of unit columns
    assert model.dimensions_per_feature == pytest.approx(2 / np.sum(model.norms**2))
    assert 0.29 < model.dimensions_per_feature < 0.33
    # each feature's own dimensionality does not depend on the norms: 2/5
    assert np.allclose(model.feature_dimensionality, 0.4, atol=0.015)


def test_sparsity_sweep_from_dense_to_sparse() -> None:
    sweep = sparsity_sweep([0.0, 0.7, PENTAGON, 0.99], seed=0)
    assert list(sweep.columns) == [
        "sparsity",
        "density_inverse",
        "loss",
        *[f"norm_{i}" for i in range(5)],
        "represented",
        "dimensions_per_feature",
    ]
    assert sweep["represented"].tolist() == [2, 4, 5, 5]
    assert sweep["density_inverse"].to_numpy() == pytest.approx([1, 1 / 0.3, 20, 100])
    d_star = sweep["dimensions_per_feature"].to_numpy()
    assert d_star[0] == pytest.approx(1.0, abs=0.01)
    assert (np.diff(d_star) < 0).all(), d_star
    assert d_star[-1] < 0.31
    # the loss falls as the inputs get sparser (there is less to rebuild)
    assert (np.diff(sweep["loss"].to_numpy()) < 0).all()
    # the sweep's rows are train_toy's models
    assert sweep.loc[2, "norm_3"] == pytest.approx(_model(PENTAGON, 0).norms[3])


# --- the illusion -----------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_each_dimension_of_the_pentagon_carries_several_features(seed: int) -> None:
    model = _model(PENTAGON, seed)
    frame = polysemantic(model)
    assert frame["dimension"].tolist() == [0, 1]
    assert np.allclose(frame[[f"feature_{i}" for i in range(5)]].to_numpy(), model.W)
    assert (frame["responds"] >= 4).all()
    assert [len(f) for f in frame["features"]] == frame["responds"].tolist()
    # and no choice of axes helps: every rotation leaves each dimension four features or more
    for degrees in range(0, 180, 2):
        assert (polysemantic(rotate(model, degrees))["responds"] >= 4).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_the_dense_model_has_axes_with_one_feature_each(seed: int) -> None:
    # Without superposition a rotation makes the dimensions monosemantic:
    # turn feature 0 onto dimension 0.
    model = _model(0.0, seed)
    turned = rotate(model, -np.degrees(np.arctan2(model.W[1, 0], model.W[0, 0])))
    frame = polysemantic(turned)
    assert frame["responds"].tolist() == [1, 1]
    assert sorted(frame["features"]) == [(0,), (1,)]


def test_rotation_changes_nothing_the_model_computes() -> None:
    model = _model(PENTAGON, 0)
    turned = rotate(model, 37.0)
    X = sample_features(500, 0.5, seed=4)
    assert np.allclose(reconstruct(turned, X), reconstruct(model, X))
    assert np.allclose(turned.norms, model.norms)
    assert np.allclose(turned.neighbour_angles, model.neighbour_angles)
    assert not np.allclose(turned.W, model.W)


@pytest.mark.parametrize("seed", SEEDS)
def test_lesioning_one_dimension_damages_several_features(seed: int) -> None:
    model = _model(PENTAGON, seed)
    X = sample_features(50_000, PENTAGON, seed=seed + 100)
    for dimension in range(2):
        frame = lesion_dimension(model, dimension, X)
        assert frame["feature"].tolist() == list(range(5))
        assert (frame["increase"] >= -1e-12).all()
        assert frame["damaged"].sum() >= 3, frame
        assert (frame.loc[frame["damaged"], "damage"] > DAMAGED).all()
        # the damage is the feature's share of what dropping it would cost
        drop = model.importance * np.mean(X**2, axis=0)
        assert np.allclose(frame["damage"], frame["increase"] / drop)
        assert np.allclose(frame["intact"].sum(), _loss(model, X))


def test_lesioning_a_dense_models_axis_damages_one_feature() -> None:
    # the same lesion in the turned dense model breaks exactly the feature on that axis
    model = _model(0.0, 0)
    turned = rotate(model, -np.degrees(np.arctan2(model.W[1, 0], model.W[0, 0])))
    frame = lesion_dimension(turned, 0, sample_features(20_000, 0.0, seed=7))
    assert frame["damaged"].tolist() == [True, False, False, False, False]
    assert frame.loc[0, "damage"] == pytest.approx(1.0, abs=0.05)


# --- determinism and bad input -----------------------------------------------------------


def test_same_seed_same_model_and_other_seeds_differ() -> None:
    a = train_toy(0.9, seed=4, restarts=2)
    b = train_toy(0.9, seed=4, restarts=2)
    assert np.array_equal(a.W, b.W) and np.array_equal(a.b, b.b) and a.loss == b.loss
    c = train_toy(0.9, seed=5, restarts=2)
    assert not np.allclose(a.W, c.W)
    assert np.array_equal(training_set(0.9, 3).X, training_set(0.9, 3).X)
    assert np.array_equal(sample_features(10, 0.5, 3), sample_features(10, 0.5, 3))


def test_other_shapes_train() -> None:
    model = train_toy(0.9, seed=0, n=6, m=3, importance=np.ones(6), rows=512, restarts=2)
    assert model.W.shape == (3, 6) and model.b.shape == (6,)
    assert np.isnan(model.angles).all() and model.neighbour_angles.size == 0
    with pytest.raises(DataError, match="two hidden dimensions"):
        rotate(model, 10)


@pytest.mark.parametrize("sparsity", [-0.1, 1.0, 1.5, float("nan"), "dense", None])
def test_sparsity_outside_zero_to_one_is_refused(sparsity: object) -> None:
    with pytest.raises(DataError, match="sparsity"):
        train_toy(sparsity)  # type: ignore[arg-type]
    with pytest.raises(DataError, match="sparsity"):
        sample_features(10, sparsity, seed=0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n": 5, "m": 5}, "fewer than its 5 features"),
        ({"n": 3, "m": 4}, "fewer than its 3 features"),
        ({"m": 0}, "at least one hidden dimension"),
        ({"n": 1, "m": 1}, "between 2 and"),
        ({"n": 50}, "between 2 and"),
        ({"importance": [1.0, 1.0]}, "5 positive numbers"),
        ({"importance": [1.0, 1.0, -1.0, 1.0, 1.0]}, "5 positive numbers"),
        ({"restarts": 0}, "random start"),
        ({"rows": 0}, "row"),
    ],
)
def test_bad_shapes_are_refused(kwargs: dict, match: str) -> None:
    with pytest.raises(DataError, match=match):
        train_toy(0.5, **kwargs)


def test_bad_lesions_and_inputs_are_refused() -> None:
    model = _model(0.0, 0)
    X = sample_features(10, 0.5, seed=0)
    for dimension in (-1, 2):
        with pytest.raises(DataError, match="hidden dimensions 0 to 1"):
            lesion_dimension(model, dimension, X)
    with pytest.raises(DataError, match=r"shape \(rows, 5\)"):
        lesion_dimension(model, 0, X[:, :4])
    with pytest.raises(DataError, match="finite"):
        reconstruct(model, np.full((2, 5), np.nan))
    with pytest.raises(DataError, match="at least one sparsity"):
        sparsity_sweep([])
