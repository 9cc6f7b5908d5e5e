"""The Black box network's figures are plain data, built directly: each one passes
plotly's own validation (``go.Figure(figure)`` raises on a bad property), and what a
browser is sent for it is what plotly makes of it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from lib.blackbox import illusions, lesions, surrogate
from lib.blackbox.network import forward, hidden_activity, input_grid, sample_inputs, train_network
from lib.figures import blackbox as figs
from tests.figures import assert_plain_and_valid


@pytest.fixture(scope="module")
def made() -> dict[str, Any]:
    """One small network's numbers, as the page's sections compute them."""
    net = train_network(3, hidden=8)
    x = sample_inputs(200, 5)
    silenced = lesions.single_lesions(net, x)
    only = [
        o._asdict() for o in lesions.only_one_units(silenced, lesions.recentred_lesions(net, x))
    ]
    axis, grid = input_grid(9)
    readout = illusions.pca_readout(
        net, illusions.stimuli("diagonal", 200, 1), illusions.stimuli("wider", 200, 2), 3
    )
    directions = illusions.patch_directions(net, "bowl")
    effects = illusions.patch_effects(net, directions, x)
    copy = surrogate.fit_surrogate(net, 3, x_train=x, x_test=x[:100], x_new=x[100:] * 2)
    t = np.linspace(-2.0, 2.0, 11)
    diagonal = np.column_stack([t, t])
    return {
        "net": net,
        "axis": axis,
        "outputs": forward(net, grid).reshape(9, 9, -1),
        "activity": hidden_activity(net, grid).reshape(9, 9, -1),
        "silenced": silenced,
        "only": only
        or [
            {"unit": 0, "behaviour": "wave", "silenced": 0.5, "recentred": 0.01, "others": 0.02}
        ],  # fmt: skip
        "readout": readout,
        "effects": effects,
        "x": x,
        "importance": copy.importance.assign(importance=copy.importance["share"]),
        "t": t,
        "curves": {
            "net": forward(net, diagonal),
            "trees": surrogate.surrogate_outputs(copy, diagonal),
        },
    }


BUILDS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "behaviour_maps": lambda m: figs.behaviour_maps(m["axis"], m["outputs"], m["net"].behaviours),
    "unit_map": lambda m: figs.unit_map(m["axis"], m["activity"][:, :, 2], 2, {"wave": 0.5}),
    "lesion_heatmap": lambda m: figs.lesion_heatmap(m["silenced"], lesions.BROKEN_DAMAGE),
    "recentring_figure": lambda m: figs.recentring_figure(m["only"], lesions.BROKEN_DAMAGE),
    "barrier_figure": lambda m: figs.barrier_figure(8),
    "stimuli_figure": lambda m: figs.stimuli_figure({"a": m["x"], "b": -m["x"]}),
    "pca_figure": lambda m: figs.pca_figure(
        {"in": m["readout"].scores_in, "new": m["readout"].scores_new},
        m["readout"].variance_ratio.tolist(),
    ),
    "readout_bars": lambda m: figs.readout_bars(m["readout"].r2_in, m["readout"].r2_new, "a", "b"),
    "patch_bars": lambda m: figs.patch_bars(m["effects"]),
    "patch_scatter": lambda m: figs.patch_scatter(
        m["outputs"][:, :, 0].ravel(), {"along v": m["outputs"][:, :, 1].ravel()}, "bowl"
    ),
    "importance_figure": lambda m: figs.importance_figure(m["importance"]),
    "extrapolation_figure": lambda m: figs.extrapolation_figure(
        m["t"], m["curves"], m["net"].behaviours
    ),
}


@pytest.mark.parametrize("name", list(BUILDS))
def test_a_network_figure_is_plain_data_that_plotly_validates(made, name: str) -> None:
    assert_plain_and_valid(BUILDS[name](made))


def test_the_log_lines_sit_at_their_values(made) -> None:
    """A labelled line on a log axis: the line at the value, its label at its log."""
    fig = figs.recentring_figure(made["only"], lesions.BROKEN_DAMAGE)
    (line,) = fig["layout"]["shapes"]
    (label,) = fig["layout"]["annotations"]
    assert line["y0"] == line["y1"] == lesions.BROKEN_DAMAGE
    assert label["y"] == pytest.approx(np.log10(lesions.BROKEN_DAMAGE))
    assert fig["layout"]["yaxis"]["type"] == "log"
