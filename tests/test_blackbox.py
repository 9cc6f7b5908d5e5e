"""The black box's network and lesions, recomputed independently at fixed seeds."""

from __future__ import annotations

import itertools
from functools import cache

import numpy as np
import pandas as pd
import pytest

from lib.blackbox.lesions import (
    BROKEN_DAMAGE,
    behaviour_errors,
    experiments_needed,
    lesion_counts,
    lesion_search,
    only_one_units,
    pair_lesions,
    recentred_lesions,
    single_lesions,
    subset_lesions,
    units_within,
)
from lib.blackbox.network import (
    Network,
    SmallMLP,
    behaviour_targets,
    fit_mlp,
    fit_mlp_reference,
    forward,
    input_grid,
    network_from_mlp,
    r_squared,
    sample_inputs,
    train_network,
)
from lib.errors import DataError

SEEDS = (0, 1, 2)


@cache
def _trained(seed: int):  # type: ignore[no-untyped-def]
    mlp = fit_mlp(seed)
    return mlp, network_from_mlp(mlp, seed)


def _inputs(seed: int) -> np.ndarray:
    return sample_inputs(1000, seed + 1000)


def _loop_outputs(
    net: Network, x: np.ndarray, keep: np.ndarray, fill: np.ndarray | None = None
) -> np.ndarray:
    """One forward pass written out: a lesioned unit's activity is replaced by its fill (0)."""
    h = np.tanh(x @ net.W1 + net.b1)
    for u in np.flatnonzero(keep == 0):
        h[:, u] = 0.0 if fill is None else fill[u]
    return h @ net.W2 + net.b2


def _truth(x: np.ndarray) -> np.ndarray:
    return np.column_stack([np.sin(np.pi * x[:, 0]), x[:, 0] * x[:, 1], x[:, 1] ** 2 - 1 / 3])


def _loop_damage(
    net: Network, x: np.ndarray, keep: np.ndarray, fill: np.ndarray | None = None
) -> np.ndarray:
    truth = _truth(x)
    intact = ((_loop_outputs(net, x, np.ones(net.hidden)) - truth) ** 2).mean(axis=0)
    lesioned = ((_loop_outputs(net, x, keep, fill) - truth) ** 2).mean(axis=0)
    return (lesioned - intact) / truth.var(axis=0)


def _quadratic_damage(net: Network, x: np.ndarray, silenced: tuple[int, ...]) -> np.ndarray:
    """Damage in closed form: the output is linear in the hidden units, so silencing a set
    S subtracts Σ_{k∈S} h_k w_k, and the error is a quadratic form in the set's units."""
    h = np.tanh(x @ net.W1 + net.b1)
    truth = _truth(x)
    r = h @ net.W2 + net.b2 - truth  # the intact network's residual
    s = list(silenced)
    gram = h[:, s].T @ h[:, s] / len(x)  # E[h_k h_l]
    cross = h[:, s].T @ r / len(x)  # E[h_k r_j]
    w = net.W2[s]
    extra = np.einsum("kj,kl,lj->j", w, gram, w) - 2 * np.einsum("kj,kj->j", w, cross)
    return extra / truth.var(axis=0)


@pytest.mark.parametrize("seed", SEEDS)
def test_forward_equals_the_regressors_predict(seed: int) -> None:
    mlp, net = _trained(seed)
    x = _inputs(seed)
    assert np.max(np.abs(forward(net, x) - mlp.predict(x))) < 1e-10
    assert net.activation == "tanh" and net.seed == seed
    assert net.behaviours == ("wave", "product", "bowl")


def test_the_network_fits_its_behaviours_well() -> None:
    _, net = _trained(0)
    x = _inputs(0)
    truth = behaviour_targets(x)
    r2 = 1 - ((forward(net, x) - truth) ** 2).mean(axis=0) / truth.var(axis=0)
    assert np.all(r2 > 0.99)


def test_training_is_reproducible() -> None:
    again = train_network(0)
    _, net = _trained(0)
    assert np.array_equal(again.W1, net.W1) and np.array_equal(again.W2, net.W2)


# 16 is the seed whose network differs most from the reference's, of the page's 1-99
@pytest.mark.parametrize("seed", (1, 16))
def test_the_trainer_behaves_as_the_reference_trainer(seed: int) -> None:
    """Equal behaviours: the page's network and scikit-learn's, run to convergence on
    2,000 points, give the same outputs (R² ≥ 0.99) on the page's inputs."""
    _, net = _trained(seed)
    reference = fit_mlp_reference(seed)
    x = np.vstack([sample_inputs(1000, seed + 1), input_grid(25)[1]])
    r2 = r_squared(reference.predict(x), forward(net, x), net.behaviours)
    assert (r2 >= 0.99).all(), r2.to_dict()


@pytest.mark.parametrize("activation", ["tanh", "relu", "logistic"])
def test_the_small_trainer_learns_with_every_activation(activation: str) -> None:
    x = sample_inputs(200, 0)
    y = behaviour_targets(x)
    start = SmallMLP(8, activation, max_iter=1).fit(x, y)
    mlp = SmallMLP(8, activation, max_iter=100).fit(x, y)
    error = ((mlp.predict(x) - y) ** 2).mean()
    assert error < ((start.predict(x) - y) ** 2).mean() / 10
    w1, w2 = mlp.coefs_
    penalty = mlp.alpha * ((w1**2).sum() + (w2**2).sum())
    assert mlp.loss_ == pytest.approx(0.5 * (3 * error * len(x) + penalty) / len(x))


def test_the_small_trainer_without_an_activation_is_least_squares() -> None:
    """A linear network at convergence predicts what ordinary least squares does."""
    x = sample_inputs(200, 0)
    y = behaviour_targets(x)
    mlp = SmallMLP(4, "identity", alpha=0.0, max_iter=1000).fit(x, y)
    design = np.column_stack([np.ones(len(x)), x])
    ols = design @ np.linalg.lstsq(design, y, rcond=None)[0]
    assert np.max(np.abs(mlp.predict(x) - ols)) < 1e-4


@pytest.mark.parametrize("seed", SEEDS)
def test_masked_forward_equals_a_loop_of_forward_passes(seed: int) -> None:
    _, net = _trained(seed)
    x = _inputs(seed)
    rng = np.random.default_rng(seed)
    masks = (rng.random((40, net.hidden)) < 0.7).astype(float)
    masks[0] = 1.0
    out = forward(net, x, masks)
    assert out.shape == (40, len(x), 3)
    for i, keep in enumerate(masks):
        assert np.allclose(out[i], _loop_outputs(net, x, keep), atol=1e-12)
    assert np.allclose(out[0], forward(net, x), atol=1e-12)


def test_masked_forward_chunks_give_the_same_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    import lib.blackbox.network as network

    _, net = _trained(0)
    x = _inputs(0)
    masks = (np.random.default_rng(5).random((25, net.hidden)) < 0.5).astype(float)
    whole = forward(net, x, masks)
    monkeypatch.setattr(network, "CHUNK_ELEMENTS", 3 * len(x) * 3)  # three masks a chunk
    assert np.array_equal(forward(net, x, masks), whole)


def test_masks_of_the_wrong_shape_are_refused() -> None:
    _, net = _trained(0)
    with pytest.raises(DataError, match="shape"):
        forward(net, _inputs(0), np.ones((2, net.hidden + 1)))


@pytest.mark.parametrize("seed", SEEDS)
def test_lesion_counts_follow_from_the_forward_pass(seed: int) -> None:
    _, net = _trained(seed)
    x = _inputs(seed)
    damage = np.array(
        [_loop_damage(net, x, 1.0 - np.eye(net.hidden)[u]) for u in range(net.hidden)]
    )
    frame = single_lesions(net, x)
    assert np.allclose(frame["damage"].to_numpy().reshape(net.hidden, 3), damage, atol=1e-9)
    broken = damage > BROKEN_DAMAGE
    per_unit = broken.sum(axis=1)
    expected = {
        "none": int((per_unit == 0).sum()),
        "only wave": int(((per_unit == 1) & broken[:, 0]).sum()),
        "only product": int(((per_unit == 1) & broken[:, 1]).sum()),
        "only bowl": int(((per_unit == 1) & broken[:, 2]).sum()),
        "two": int((per_unit == 2).sum()),
        "all": int((per_unit == 3).sum()),
    }
    counts = lesion_counts(frame)
    assert counts.to_dict() == expected
    assert counts.sum() == net.hidden
    # the chip paper's pattern: some lesions do nothing, some break everything
    assert counts["none"] > 0 and counts["all"] > 0


def test_behaviour_errors_of_the_intact_network_have_no_damage() -> None:
    _, net = _trained(0)
    x = _inputs(0)
    frame = behaviour_errors(net, x, np.ones((2, net.hidden)))
    assert list(frame.columns) == ["mask", "behaviour", "mse", "damage", "broken"]
    assert np.allclose(frame["damage"], 0.0, atol=1e-12)
    assert not frame["broken"].any()
    silenced = behaviour_errors(net, x, np.zeros((1, net.hidden)))
    truth = behaviour_targets(x)
    assert np.allclose(silenced["mse"], ((net.b2 - truth) ** 2).mean(axis=0))


@pytest.mark.parametrize("seed", SEEDS)
def test_redundant_pairs_are_redundant(seed: int) -> None:
    _, net = _trained(seed)
    x = _inputs(seed)
    pairs = pair_lesions(net, x)
    assert len(pairs) > 0
    names = list(net.behaviours)
    for row in pairs.itertuples():
        j = names.index(row.behaviour)
        alone_a = _loop_damage(net, x, 1.0 - np.eye(net.hidden)[row.unit_a])[j]
        alone_b = _loop_damage(net, x, 1.0 - np.eye(net.hidden)[row.unit_b])[j]
        keep = np.ones(net.hidden)
        keep[[row.unit_a, row.unit_b]] = 0.0
        together = _loop_damage(net, x, keep)[j]
        assert alone_a <= BROKEN_DAMAGE and alone_b <= BROKEN_DAMAGE
        assert together > BROKEN_DAMAGE
        assert np.isclose(together, row.damage_pair, atol=1e-9)


def test_pair_search_misses_no_redundant_pair() -> None:
    _, net = _trained(0)
    x = _inputs(0)[:300]
    single = np.array(
        [_loop_damage(net, x, 1.0 - np.eye(net.hidden)[u]) for u in range(net.hidden)]
    )
    expected = set()
    for a, b in itertools.combinations(range(net.hidden), 2):
        keep = np.ones(net.hidden)
        keep[[a, b]] = 0.0
        pair = _loop_damage(net, x, keep)
        for j in range(3):
            if pair[j] > BROKEN_DAMAGE and max(single[a, j], single[b, j]) <= BROKEN_DAMAGE:
                expected.add((a, b, net.behaviours[j]))
    found = pair_lesions(net, x)
    assert set(zip(found["unit_a"], found["unit_b"], found["behaviour"], strict=True)) == expected


def test_the_pair_cap_raises_a_data_error() -> None:
    _, net = _trained(0)
    with pytest.raises(DataError, match="496 experiments") as err:
        pair_lesions(net, _inputs(0), max_pairs=100)
    assert "at most 14 hidden units" in str(err.value)


def test_experiments_needed() -> None:
    ten = experiments_needed(10)
    assert ten.experiments == 1024
    assert ten.years == pytest.approx(1024 / 365.25)
    assert ten.log10_years == pytest.approx(np.log10(1024 / 365.25))
    chip = experiments_needed(3510)
    assert chip.experiments == 2**3510
    assert chip.years == np.inf
    assert chip.log10_years == pytest.approx(3510 * np.log10(2) - np.log10(365.25))
    with pytest.raises(DataError):
        experiments_needed(-1)


def test_lesion_counts_of_a_hand_made_frame() -> None:
    frame = pd.DataFrame(
        {
            "unit": np.repeat([0, 1, 2, 3], 3),
            "behaviour": ["wave", "product", "bowl"] * 4,
            "broken": [False] * 3 + [True, False, False] + [True, True, False] + [True] * 3,
        }
    )
    counts = lesion_counts(frame)
    assert counts.to_dict() == {
        "none": 1,
        "only wave": 1,
        "only product": 0,
        "only bowl": 0,
        "two": 1,
        "all": 1,
    }


def test_forward_with_a_fill_equals_a_loop() -> None:
    _, net = _trained(0)
    x = _inputs(0)
    fill = np.random.default_rng(3).normal(size=net.hidden)
    masks = (np.random.default_rng(4).random((12, net.hidden)) < 0.6).astype(float)
    out = forward(net, x, masks, fill)
    for i, keep in enumerate(masks):
        assert np.allclose(out[i], _loop_outputs(net, x, keep, fill), atol=1e-12)
    with pytest.raises(DataError, match="one value per hidden unit"):
        forward(net, x, masks, fill[:-1])


@pytest.mark.parametrize("seed", SEEDS)
def test_recentring_holds_a_unit_at_its_mean(seed: int) -> None:
    _, net = _trained(seed)
    x = _inputs(seed)
    means = np.tanh(x @ net.W1 + net.b1).mean(axis=0)
    frame = recentred_lesions(net, x)
    expected = np.array(
        [_loop_damage(net, x, 1.0 - np.eye(net.hidden)[u], means) for u in range(net.hidden)]
    )
    assert np.allclose(frame["damage"].to_numpy().reshape(net.hidden, 3), expected, atol=1e-9)
    assert np.allclose(frame["mean_activity"].to_numpy()[::3], means)
    # holding a unit at its mean costs no more than silencing it, up to a term in the fit's
    # residual (2·w·E[residual·activity]): so in nearly every cell, not all
    silenced = single_lesions(net, x)["damage"].to_numpy()
    assert np.mean(frame["damage"].to_numpy() <= silenced + 1e-3) > 0.9


@pytest.mark.parametrize("seed", SEEDS)
def test_only_one_units_follow_from_both_frames(seed: int) -> None:
    _, net = _trained(seed)
    x = _inputs(seed)
    silenced, recentred = single_lesions(net, x), recentred_lesions(net, x)
    cut = silenced["damage"].to_numpy().reshape(net.hidden, 3)
    held = recentred["damage"].to_numpy().reshape(net.hidden, 3)
    found = only_one_units(silenced, recentred)
    expected = [u for u in range(net.hidden) if (cut[u] > BROKEN_DAMAGE).sum() == 1]
    assert [o.unit for o in found] == expected
    assert len(found) == lesion_counts(silenced)[[f"only {b}" for b in net.behaviours]].sum()
    for o in found:
        j = list(net.behaviours).index(o.behaviour)
        assert cut[o.unit, j] > BROKEN_DAMAGE and o.silenced == pytest.approx(cut[o.unit, j])
        assert o.recentred == pytest.approx(held[o.unit, j])
        assert o.others == pytest.approx(np.delete(cut[o.unit], j).max())
        assert o.rescued == (held[o.unit, j] <= BROKEN_DAMAGE)
    # some lesions break a behaviour only through the operating point they move
    assert any(o.rescued for o in found)


@pytest.mark.parametrize("seed", SEEDS)
def test_set_damage_matches_the_closed_form(seed: int) -> None:
    _, net = _trained(seed)
    x = _inputs(seed)
    triples = subset_lesions(net, x, 3)
    assert len(triples) > 0
    for row in triples.head(10).itertuples():
        j = list(net.behaviours).index(row.behaviour)
        assert row.damage == pytest.approx(_quadratic_damage(net, x, row.units)[j], abs=1e-9)
        assert row.damage > BROKEN_DAMAGE >= row.largest_part


def test_triple_search_misses_nothing() -> None:
    _, net = _trained(0)
    x = _inputs(0)[:200]
    broken = {}
    for size in (1, 2, 3):
        for units in itertools.combinations(range(net.hidden), size):
            broken[units] = _quadratic_damage(net, x, units) > BROKEN_DAMAGE
    expected = set()
    for units in itertools.combinations(range(net.hidden), 3):
        parts = [p for k in (1, 2) for p in itertools.combinations(units, k)]
        for j in range(3):
            if broken[units][j] and not any(broken[p][j] for p in parts):
                expected.add((units, net.behaviours[j]))
    found = subset_lesions(net, x, 3)
    assert set(zip(found["units"], found["behaviour"], strict=True)) == expected
    search = lesion_search(net, x)
    rows = search.rows
    assert [r.size for r in rows] == [1, 2, 3] and search.problem is None
    assert search.found[3].equals(found)
    assert rows[2].new == len({u for u, _ in expected})
    assert rows[1].new == pair_lesions(net, x)[["unit_a", "unit_b"]].drop_duplicates().shape[0]
    assert rows[0].breaking == sum(any(broken[(u,)]) for u in range(net.hidden))


def test_searches_over_the_cap_are_listed_not_run() -> None:
    _, net = _trained(0)
    x = _inputs(0)[:100]
    search = lesion_search(net, x, max_experiments=1000)
    rows = search.rows
    assert rows[1].searched and not rows[2].searched
    assert set(search.found) == {2} and "4,960 experiments" in str(search.problem)
    assert rows[2].experiments == 4960 and rows[2].new == 0
    with pytest.raises(DataError, match="every triple of 32 units means 4,960") as err:
        subset_lesions(net, x, 3, max_experiments=1000)
    assert f"at most {units_within(1000, 3)} hidden units" in str(err.value)
    assert units_within(1000, 3) == 19  # C(19, 3) = 969, C(20, 3) = 1,140
    with pytest.raises(DataError, match="pairs"):
        subset_lesions(net, x, 4)
