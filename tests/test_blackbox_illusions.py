"""The black box's illusions, recomputed independently at fixed seeds."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from lib.blackbox.illusions import (
    BAND_WIDTH,
    MIRRORS,
    PATCHES,
    STIMULI,
    mirror_inputs,
    patch_activity,
    patch_directions,
    patch_effects,
    patched_outputs,
    pca_readout,
    stimuli,
)
from lib.blackbox.network import (
    TRAIN_ROWS,
    Network,
    behaviour_targets,
    forward,
    parameter_count,
    sample_inputs,
    train_network,
)
from lib.blackbox.surrogate import (
    IMPORTANCE_REPEATS,
    INPUTS,
    TREE_ITERATIONS,
    Surrogate,
    fit_surrogate,
    permutation_importance,
    surrogate_outputs,
)
from lib.errors import DataError

SEEDS = (0, 1, 2)


@cache
def _net(seed: int) -> Network:
    return train_network(seed)


@cache
def _surrogate(seed: int) -> Surrogate:
    return fit_surrogate(_net(seed), seed)


def _outputs(net: Network, h: np.ndarray) -> np.ndarray:
    return h @ net.W2 + net.b2


def _activity(net: Network, x: np.ndarray) -> np.ndarray:
    return np.tanh(x @ net.W1 + net.b1)


# --------------------------------------------------------------------------- stimuli


def test_stimulus_sets() -> None:
    diagonal = stimuli("diagonal", 500, 0)
    anti = stimuli("anti-diagonal", 500, 0)
    assert diagonal.shape == anti.shape == (500, 2)
    assert np.all(np.abs(diagonal) <= 1) and np.all(np.abs(anti) <= 1)
    assert np.all(np.abs(diagonal[:, 0] - diagonal[:, 1]) <= BAND_WIDTH + 1e-12)
    assert np.all(np.abs(anti[:, 0] + anti[:, 1]) <= BAND_WIDTH + 1e-12)
    assert np.array_equal(stimuli("square", 50, 3), sample_inputs(50, 3))
    wider = stimuli("wider", 500, 0)
    assert np.all(np.abs(wider) <= 2) and np.mean(np.abs(wider).max(axis=1) > 1) > 0.5
    assert np.array_equal(stimuli("diagonal", 20, 7), stimuli("diagonal", 20, 7))
    assert set(STIMULI) == {"diagonal", "anti-diagonal", "square", "wider"}
    with pytest.raises(DataError, match="Unknown stimulus set `circle`"):
        stimuli("circle", 10, 0)


# --------------------------------------------------------------------------- PCA readout


@pytest.mark.parametrize("seed", SEEDS)
def test_the_readout_convinces_on_the_recording_and_fails_on_new_inputs(seed: int) -> None:
    net = _net(seed)
    result = pca_readout(
        net, stimuli("diagonal", 1000, seed), stimuli("anti-diagonal", 1000, seed + 1), 3
    )
    assert result.variance_in >= 0.99
    assert (result.r2_in >= 0.9).all()
    assert result.r2_in.mean() - result.r2_new.mean() >= 1.0
    assert list(result.r2_in.index) == list(net.behaviours)
    assert result.scores_in.shape == (1000, 2) and result.scores_new.shape == (1000, 2)
    assert result.predicted_new.shape == result.outputs_new.shape == (1000, 3)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_readout_equals_a_pca_and_regression_written_out(seed: int) -> None:
    net, k = _net(seed), 3
    x_in, x_new = stimuli("diagonal", 600, seed), stimuli("square", 400, seed + 1)
    result = pca_readout(net, x_in, x_new, k)

    h_in, h_new = _activity(net, x_in), _activity(net, x_new)
    mean = h_in.mean(axis=0)
    _, sing, vt = np.linalg.svd(h_in - mean, full_matrices=False)
    basis = vt[:k]
    assert result.variance_in == pytest.approx(np.sum(sing[:k] ** 2) / np.sum(sing**2), abs=1e-10)
    rebuilt = mean + (h_new - mean) @ basis.T @ basis
    total = np.sum((h_new - h_new.mean(axis=0)) ** 2)
    assert result.variance_new == pytest.approx(
        1 - np.sum((h_new - rebuilt) ** 2) / total, abs=1e-10
    )

    def design(h: np.ndarray) -> np.ndarray:
        return np.column_stack([np.ones(len(h)), (h - mean) @ basis.T])

    y_in, y_new = _outputs(net, h_in), _outputs(net, h_new)
    coef = np.linalg.lstsq(design(h_in), y_in, rcond=None)[0]
    for x_y, x_pred, r2 in (
        (y_in, design(h_in) @ coef, result.r2_in),
        (y_new, design(h_new) @ coef, result.r2_new),
    ):
        expected = 1 - ((x_y - x_pred) ** 2).sum(axis=0) / ((x_y - x_y.mean(axis=0)) ** 2).sum(
            axis=0
        )
        assert np.allclose(r2.to_numpy(), expected, atol=1e-8)
    assert np.allclose(result.predicted_in, design(h_in) @ coef, atol=1e-8)
    # the scores are the projections on the first two components (up to each one's sign)
    assert np.allclose(np.abs(result.scores_in), np.abs((h_in - mean) @ vt[:2].T), atol=1e-8)


def test_the_number_of_components_is_checked() -> None:
    net = _net(0)
    x = stimuli("diagonal", 100, 0)
    for k in (0, 11, -1):
        with pytest.raises(DataError, match="between 1 and 10"):
            pca_readout(net, x, x, k)
    one = pca_readout(net, x, x, 1)
    assert one.scores_in.shape == (100, 2) and one.variance_ratio.shape == (1,)
    with pytest.raises(DataError, match="shape"):
        pca_readout(net, x[:, :1], x, 2)


# --------------------------------------------------------------------------- patching


def test_the_mirrors_leave_their_behaviour_unchanged() -> None:
    x = sample_inputs(500, 0)
    names = ("wave", "product", "bowl")
    for j, behaviour in enumerate(names):
        mirrored = mirror_inputs(behaviour, x)
        assert not np.allclose(mirrored, x)
        assert np.allclose(behaviour_targets(mirrored)[:, j], behaviour_targets(x)[:, j])
    assert set(MIRRORS) == set(names)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_patch_along_v_changes_what_the_whole_layer_does_not(seed: int) -> None:
    net = _net(seed)
    dirs = patch_directions(net, "bowl")
    effects = patch_effects(net, dirs, sample_inputs(500, seed))
    change = effects.set_index(["patch", "behaviour"])["change"]
    assert list(dict.fromkeys(effects["patch"])) == list(PATCHES)
    assert change["along v", "bowl"] > 1.0
    assert change["the whole layer", "bowl"] < 0.05
    # the mirror flips the product's sign, and the whole layer carries that
    assert change["the whole layer", "product"] > 1.0
    assert (effects.loc[effects["patch"] == "along d only", "rms"] < 1e-9).all()
    assert dirs.activity_sd["u"] < 0.01 * dirs.activity_sd["d"]
    assert dirs.readout["u"] > 0.5 and abs(dirs.readout["d"]) < 1e-9


@pytest.mark.parametrize("seed", SEEDS)
def test_the_patch_along_v_written_out(seed: int) -> None:
    net = _net(seed)
    dirs = patch_directions(net, "bowl")
    d, u, v = dirs.d, dirs.u, dirs.v
    # d is disconnected from every output; d and u are orthonormal; v is their mean direction
    assert np.allclose(net.W2.T @ d, 0.0, atol=1e-12)
    assert np.allclose([d @ d, u @ u, d @ u], [1.0, 1.0, 0.0], atol=1e-12)
    assert np.allclose(v, (d + u) / np.sqrt(2), atol=1e-12)

    x_train = sample_inputs(TRAIN_ROWS, seed)  # the network's training inputs
    y_train = _outputs(net, _activity(net, x_train))
    assert np.allclose(dirs.output_sd.to_numpy(), y_train.std(axis=0), atol=1e-12)

    x_base = sample_inputs(300, seed + 10)
    x_source = np.column_stack([x_base[:, 0], -x_base[:, 1]])
    h_base, h_source = _activity(net, x_base), _activity(net, x_source)
    expected = np.empty(3)
    for j in range(3):
        base = h_base @ net.W2[:, j] + net.b2[j]
        patched = np.empty(len(x_base))
        for i in range(len(x_base)):
            h = h_base[i] + v * (v @ (h_source[i] - h_base[i]))
            patched[i] = h @ net.W2[:, j] + net.b2[j]
        expected[j] = np.sqrt(np.mean((patched - base) ** 2)) / y_train[:, j].std()
    effects = patch_effects(net, dirs, x_base, x_source)
    along_v = effects[effects["patch"] == "along v"]
    assert np.allclose(along_v["change"].to_numpy(), expected, atol=1e-10)
    default_source = patch_effects(net, dirs, x_base)
    assert np.allclose(default_source["change"], effects["change"], atol=1e-12)

    scatter = patched_outputs(net, dirs, x_base)
    bowl = scatter[scatter["behaviour"] == "bowl"]
    assert len(scatter) == 3 * len(x_base)
    assert np.allclose(bowl["base"], h_base @ net.W2[:, 2] + net.b2[2], atol=1e-12)
    assert np.allclose(bowl["source"], h_source @ net.W2[:, 2] + net.b2[2], atol=1e-12)
    rms = np.sqrt(np.mean((bowl["patched"] - bowl["base"]) ** 2)) / y_train[:, 2].std()
    assert rms == pytest.approx(expected[2], abs=1e-10)


def test_patching_the_whole_layer_is_running_the_source() -> None:
    rng = np.random.default_rng(0)
    h_base, h_source = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    assert np.allclose(patch_activity(h_base, h_source, np.eye(4)), h_source)
    q = np.linalg.qr(rng.normal(size=(4, 2)))[0]
    twice = patch_activity(patch_activity(h_base, h_source, q[:, 0]), h_source, q[:, 1])
    assert np.allclose(patch_activity(h_base, h_source, q), twice)


def test_bad_names_are_refused() -> None:
    net = _net(0)
    with pytest.raises(DataError, match="Unknown behaviour `tilt`") as err:
        patch_directions(net, "tilt")
    assert "bowl" in str(err.value)
    with pytest.raises(DataError, match="Unknown behaviour"):
        mirror_inputs("tilt", sample_inputs(3, 0))
    dirs = patch_directions(net, "bowl")
    with pytest.raises(DataError, match="Unknown patch"):
        patched_outputs(net, dirs, sample_inputs(3, 0), patch="sideways")
    with pytest.raises(DataError, match="one source input"):
        patch_effects(net, dirs, sample_inputs(3, 0), sample_inputs(4, 0))


# --------------------------------------------------------------------------- surrogate


@pytest.mark.parametrize("seed", (0, 1))
def test_the_trees_copy_the_network_inside_the_square_only(seed: int) -> None:
    net, copy = _net(seed), _surrogate(seed)
    assert (copy.r2_test >= 0.97).all()
    assert (copy.r2_test - copy.r2_new).max() >= 0.2
    assert list(copy.r2_test.index) == list(net.behaviours)
    x_test, x_new = sample_inputs(1000, seed + 1), stimuli("wider", 1000, seed + 2)
    for x, r2 in ((x_test, copy.r2_test), (x_new, copy.r2_new)):
        y, pred = forward(net, x), surrogate_outputs(copy, x)
        expected = 1 - ((y - pred) ** 2).sum(axis=0) / ((y - y.mean(axis=0)) ** 2).sum(axis=0)
        assert np.allclose(r2.to_numpy(), expected, atol=1e-12)


@pytest.mark.parametrize("seed", (0, 1))
def test_the_copy_is_bigger_than_the_network(seed: int) -> None:
    net, copy = _net(seed), _surrogate(seed)
    assert copy.network_parameters == parameter_count(net) == 2 * 32 + 32 + 32 * 3 + 3
    assert copy.trees == 3 * TREE_ITERATIONS
    assert copy.leaves is not None and copy.leaves > copy.network_parameters


@pytest.mark.parametrize("seed", (0, 1))
def test_the_copy_says_what_the_inputs_already_said(seed: int) -> None:
    copy = _surrogate(seed)
    table = copy.importance.pivot_table(
        index=["behaviour", "input"], columns="model", values="importance"
    )
    for behaviour, matters in (("wave", "x₁"), ("bowl", "x₂")):
        for model in ("network", "trees"):
            assert table.loc[behaviour, model].idxmax() == matters
    # the product needs both inputs, in either model
    shares = copy.importance.set_index(["model", "behaviour", "input"])["share"]
    for model in ("network", "trees"):
        assert 0.3 < shares[model, "product", "x₁"] < 0.7
    assert np.allclose(copy.importance.groupby(["model", "behaviour"])["share"].sum(), 1.0)


def test_permutation_importance_written_out() -> None:
    net, seed = _net(0), 4
    x = sample_inputs(200, 9)
    target = forward(net, x)
    rng = np.random.default_rng(seed)
    expected = np.zeros((len(INPUTS), 3))
    for c in range(len(INPUTS)):
        for _ in range(IMPORTANCE_REPEATS):
            shuffled = x.copy()
            shuffled[:, c] = x[rng.permutation(len(x)), c]
            expected[c] += ((forward(net, shuffled) - target) ** 2).mean(axis=0)
    expected /= IMPORTANCE_REPEATS
    found = permutation_importance(lambda z: forward(net, z), x, target, seed)
    assert np.allclose(found, expected, atol=1e-12)


def test_leaves_are_none_when_the_trees_cannot_be_read() -> None:
    from lib.blackbox.surrogate import _leaves

    assert _leaves(object()) is None  # type: ignore[arg-type]
    with pytest.raises(DataError, match="shape"):
        fit_surrogate(_net(0), 0, x_train=np.zeros((10, 3)))
