"""The Black box page's sections: a neuroscientist's tools on a small network.

Each function draws one numbered section of ``pages/6_Black_box.py`` (the
illusions, sections 4 and 5, are :mod:`lib.ui.illusion_views`'s). What
costs is cached for every session by the network's settings (hidden units and
seed): training it, lesioning every unit, pair and triple, the principal
components, the patches and the surrogate trees. A class that opens the page
at its defaults trains one network once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from lib.blackbox import lesions, surrogate
from lib.blackbox.network import (
    TRAIN_ITERATIONS,
    TRAIN_ROWS,
    Network,
    behaviour_targets,
    forward,
    hidden_activity,
    input_grid,
    parameter_count,
    r_squared,
    sample_inputs,
    train_network,
)
from lib.figures import blackbox as figs
from lib.figures.style import Figure
from lib.ui.pages.blackbox import UNIT_COUNTS
from lib.ui.state import Lab, lab_state, synced
from lib.ui.widgets import chart, data_frame, section_heading
from lib.words import blackbox as words

__all__ = [
    "NETS",
    "PATCH_ROWS",
    "STIMULUS_ROWS",
    "NetView",
    "barrier_section",
    "lesion_section",
    "network_at",
    "network_section",
    "surrogate_section",
    "view_of",
]

#: Networks (units × seed) the caches keep; one costs about 2 MB with its figures
#: (the illusions' caches, :mod:`lib.ui.illusion_views`, keep as many).
NETS = 32
#: Held-out inputs the network is scored and lesioned on.
TEST_ROWS = 1000
LESION_ROWS = 500
#: Points along each side of the maps of the input square.
GRID_STEPS = 25
#: Inputs of each set of stimuli in the dimensionality-reduction section.
STIMULUS_ROWS = 1000
#: Base inputs of the patching section.
PATCH_ROWS = 500


@dataclass(frozen=True)
class NetView:
    """A trained network of the page, with the inputs it is tested on."""

    net: Network
    seconds: float
    test: np.ndarray
    lesion: np.ndarray

    @property
    def key(self) -> tuple[int, int]:
        return (self.net.hidden, self.net.seed)


# ----------------------------------------------------------------------------- caches


@st.cache_resource(max_entries=NETS, show_spinner=False)
def network_at(units: int, seed: int) -> NetView:
    """The page's network with ``units`` hidden units trained from ``seed`` (cached)."""
    start = time.perf_counter()
    net = train_network(seed, hidden=units)
    seconds = time.perf_counter() - start
    return NetView(
        net,
        seconds,
        sample_inputs(TEST_ROWS, seed + 1),
        sample_inputs(LESION_ROWS, seed + 2),
    )


@st.cache_resource(max_entries=NETS, show_spinner=False)
def _fit_scores(key: tuple[int, int]) -> dict[str, float]:
    view = network_at(*key)
    truth = behaviour_targets(view.test)
    out = forward(view.net, view.test)
    return r_squared(truth, out, view.net.behaviours).to_dict()


@st.cache_resource(max_entries=NETS, show_spinner=False)
def _grid(key: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray, Figure]:
    """The maps of the square: outputs and hidden activity on a grid, and the outputs' figure."""
    view = network_at(*key)
    axis, x = input_grid(GRID_STEPS)
    outputs = forward(view.net, x).reshape(GRID_STEPS, GRID_STEPS, -1)
    activity = hidden_activity(view.net, x).reshape(GRID_STEPS, GRID_STEPS, -1)
    return axis, outputs, activity, figs.behaviour_maps(axis, outputs, view.net.behaviours)


@st.cache_resource(max_entries=4 * NETS, show_spinner=False)
def _unit_figure(key: tuple[int, int], unit: int) -> Figure:
    view = network_at(*key)
    axis, _, activity, _ = _grid(key)
    weights = dict(zip(view.net.behaviours, view.net.W2[unit].tolist(), strict=True))
    return figs.unit_map(axis, activity[:, :, unit], unit, weights)


@dataclass(frozen=True)
class LesionView:
    """Every unit silenced and re-centred, counted and drawn."""

    counts: dict[str, int]
    only: list[dict[str, object]]
    heatmap: Figure
    recentring: Figure | None


@st.cache_resource(max_entries=NETS, show_spinner=False)
def _lesions(key: tuple[int, int]) -> LesionView:
    view = network_at(*key)
    silenced = lesions.single_lesions(view.net, view.lesion)
    recentred = lesions.recentred_lesions(view.net, view.lesion)
    only = [o._asdict() for o in lesions.only_one_units(silenced, recentred)]
    counts = {k: int(v) for k, v in lesions.lesion_counts(silenced).items()}
    return LesionView(
        counts,
        only,
        figs.lesion_heatmap(silenced, lesions.BROKEN_DAMAGE),
        figs.recentring_figure(only, lesions.BROKEN_DAMAGE) if only else None,
    )


@dataclass(frozen=True)
class BarrierView:
    """The exhaustive search of pairs and triples, timed."""

    rows: list[dict[str, object]]
    seconds: float
    examples: pd.DataFrame
    problem: str | None
    figure: Figure


@st.cache_resource(max_entries=NETS, show_spinner=False)
def _barrier(key: tuple[int, int]) -> BarrierView:
    view = network_at(*key)
    start = time.perf_counter()
    search = lesions.lesion_search(view.net, view.lesion)
    seconds = time.perf_counter() - start
    rows = [r._asdict() for r in search.rows]
    found = [frame.head(4) for frame in search.found.values()]
    examples = pd.concat(found, ignore_index=True) if found else pd.DataFrame()
    problem = search.problem
    return BarrierView(rows, seconds, examples, problem, _barrier_figure(view.net.hidden))


@st.cache_resource(max_entries=len(UNIT_COUNTS), show_spinner=False)
def _barrier_figure(units: int) -> Figure:
    """The barrier's chart, the same for every network of ``units`` units (45 ms to draw)."""
    return figs.barrier_figure(units)


# ----------------------------------------------------------------------------- sections


def view_of(lab: Lab) -> NetView:
    """The view's network, trained (cached per units and seed for every session)."""
    state = lab.state
    with st.spinner(f"Training a network of {state.units} units…"):
        return network_at(state.units, state.net_seed)


def network_section(lab: Lab) -> None:
    """1 · A small network, trained here: what it does, and one unit's tuning (trained
    below its controls, under a spinner)."""
    section_heading("1 · A small network, trained here")
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.markdown(
            "A network of *tanh* units learned three behaviours of a point (x₁, x₂) in the "
            "square from −1 to 1: a **wave** along x₁, the **product** of both inputs, and a "
            "**bowl** along x₂. Like the 6502 chip that Jonas and Kording put under a "
            "neuroscientist's tools, it is a system we can inspect completely: every "
            "weight and every activation can be read. The question is what the tools "
            "find inside."
        )
    with right:
        st.select_slider(
            "Hidden units",
            options=list(UNIT_COUNTS),
            help="The network's size. Larger networks train for longer.",
            **synced("units"),
        )
        st.number_input(
            "Network seed",
            min_value=0,
            max_value=99,
            step=1,
            help="Draws the training inputs and the first weights: another seed, another network.",
            **synced("net_seed"),
        )
    view = view_of(lab)
    with st.spinner("Drawing its outputs…"):
        r2 = _fit_scores(view.key)
        axis, _, _, maps = _grid(view.key)
    chart(
        maps,
        "The network's three outputs over the input square (red high, blue low). "
        f"Trained by full-batch L-BFGS ({TRAIN_ITERATIONS} iterations) on {TRAIN_ROWS:,} "
        f"points in {view.seconds:.2f} s.",
        key="bb_maps",
    )
    st.markdown(words.network_sentence(r2, view.net.hidden, parameter_count(view.net)))
    pick, shown = st.columns([1, 3], gap="large")
    with pick:
        st.selectbox(
            "Look at unit",
            options=list(range(view.net.hidden)),
            help="Its activity over the square: what a single-unit recording would show.",
            **synced("unit"),
        )
        unit = lab_state().unit
        weights = ", ".join(
            f"{b} {w:+.2f}" for b, w in zip(view.net.behaviours, view.net.W2[unit], strict=True)
        )
        st.markdown(f"Unit {unit}'s weights to the outputs: {weights}.")
        st.caption(
            "A unit's tuning is what an electrode would record. Try a few: most respond to "
            "both inputs, and their weights feed all three outputs."
        )
    with shown:
        chart(
            _unit_figure(view.key, lab_state().unit),
            "The unit's activity (−1 to 1) at each point of the square.",
            key="bb_unit",
        )
    with st.expander("Every weight and bias"):
        data_frame(_weights(view.net), hide_index=True, width="stretch")
        st.caption(
            "One row per hidden unit: its weights from the two inputs, its bias, and its "
            "weights to the three outputs (whose own biases are "
            + ", ".join(f"{b:.3f}" for b in view.net.b2)
            + "). The network is all here, and none of it reads as an explanation."
        )


def _weights(net: Network) -> pd.DataFrame:
    """The network's parameters, one row per hidden unit."""
    frame = pd.DataFrame(
        {
            "unit": np.arange(net.hidden),
            "from x₁": net.W1[0],
            "from x₂": net.W1[1],
            "bias": net.b1,
        }
    )
    for j, b in enumerate(net.behaviours):
        frame[f"to {b}"] = net.W2[:, j]
    return frame.round(3)


def lesion_section(view: NetView) -> None:
    """2 · Lesion every unit, as the chip paper did; then ask what the lesions removed."""
    section_heading("2 · Lesion every unit")
    with st.spinner("Silencing every unit…"):
        les = _lesions(view.key)
    chart(
        les.heatmap,
        f"Damage: the share of a behaviour's variance a lesion costs, measured on "
        f"{LESION_ROWS} held-out points (0: no change; 1: as bad as predicting the behaviour's "
        f"average). ✕: broken (above {lesions.BROKEN_DAMAGE:g}).",
        key="bb_lesions",
    )
    labels = {"none": "No effect", "two": "Two", "all": "All three"}
    cols = st.columns(len(les.counts))
    for col, (name, count) in zip(cols, les.counts.items(), strict=True):
        col.metric(labels.get(name, name.capitalize()), count)
    example = None
    if les.only:
        top = max(les.only, key=lambda o: float(o["silenced"]))  # type: ignore[arg-type]
        example = (int(top["unit"]), str(top["behaviour"]))  # type: ignore[call-overload]
    st.markdown(words.lesion_sentence(les.counts, view.net.hidden, example))
    if les.recentring is not None:
        chart(
            les.recentring,
            "Each unit whose silencing breaks one behaviour only: its damage to that behaviour "
            "when silenced (activity 0) and when held at its mean activity (it keeps feeding "
            "its usual level downstream but stops varying), and the worst damage its silencing "
            "does to the other two behaviours.",
            key="bb_recentre",
        )
    st.markdown(words.recentring_sentence(les.only, lesions.BROKEN_DAMAGE))


def barrier_section(view: NetView) -> None:
    """3 · The exponential barrier: every pair and triple, and 2^N."""
    section_heading("3 · The exponential barrier")
    with st.spinner("Lesioning every pair and every triple of units…"):
        bar = _barrier(view.key)
    chart(
        bar.figure,
        "Experiments a complete lesion map needs, against the number of units: one at a "
        "time, every pair, every triple, every subset. Dotted lines: how many days a career "
        "and the age of the universe hold, at one experiment a day. Dots: this network.",
        key="bb_barrier",
    )
    left, right = st.columns([3, 2], gap="large")
    with left:
        table = pd.DataFrame(
            {
                "lesion": [
                    {1: "one unit", 2: "every pair", 3: "every triple"}[int(r["size"])]  # type: ignore[call-overload]
                    for r in bar.rows
                ],
                "experiments": [f"{int(r['experiments']):,}" for r in bar.rows],  # type: ignore[call-overload]
                "break a behaviour": [
                    f"{int(r['breaking']):,}" if r["searched"] else "not run"  # type: ignore[call-overload]
                    for r in bar.rows
                ],
                "new breaks": [
                    f"{int(r['new']):,}" if r["searched"] else "not run"  # type: ignore[call-overload]
                    for r in bar.rows
                ],
            }
        )
        data_frame(table, hide_index=True, width="stretch")
    with right:
        done = sum(int(r["experiments"]) for r in bar.rows if r["searched"])  # type: ignore[call-overload]
        st.caption(
            f"“New breaks”: sets that break a behaviour no smaller set within them breaks. "
            f"{done:,} lesioned networks, each measured on {LESION_ROWS} inputs, in "
            f"{1000 * bar.seconds:,.0f} ms: the output is linear in the units' activity, so "
            f"a lesioned network's error follows from one table of the units' products."
        )
        if bar.problem:
            st.info(bar.problem, icon=":material/info:")
    complete = lesions.experiments_needed(view.net.hidden)
    chip = lesions.experiments_needed(lesions.CHIP_TRANSISTORS)
    st.markdown(
        words.barrier_sentence(
            bar.rows,
            view.net.hidden,
            lesions.MAX_EXPERIMENTS,
            (complete.experiments, complete.log10_years),
            (lesions.CHIP_TRANSISTORS, chip.log10_years),
        )
    )
    if not bar.examples.empty:
        shown = bar.examples.assign(units=[" + ".join(map(str, u)) for u in bar.examples["units"]])[
            ["units", "behaviour", "largest_part", "sum_alone", "damage"]
        ]
        data_frame(
            shown.rename(
                columns={
                    "largest_part": "worst part alone",
                    "sum_alone": "units alone, added",
                    "damage": "together",
                }
            ).round(3),
            hide_index=True,
            width="stretch",
        )
        st.caption(
            "The strongest pairs and triples single lesions miss, as damage. Most cost more "
            "together than their units alone added: their contributions to the output point "
            "the same way, so their errors add before they are squared."
        )


@dataclass(frozen=True)
class SurrogateView:
    """The surrogate trees, measured and drawn."""

    copy: surrogate.Surrogate
    agree: bool
    importance: Figure
    extrapolation: Figure


#: An input's share of a behaviour's importance that makes it the one the behaviour uses.
CLEAR_SHARE = 0.6
#: Points along the diagonal the extrapolation chart draws.
_DIAGONAL_STEPS = 61


@st.cache_resource(max_entries=NETS, show_spinner=False)
def _surrogate(key: tuple[int, int]) -> SurrogateView:
    view = network_at(*key)
    copy = surrogate.fit_surrogate(view.net, view.net.seed)
    shares = copy.importance.assign(importance=copy.importance["share"])
    shares["model"] = shares["model"].map({"network": "the network", "trees": "the trees"})
    top = shares.loc[shares.groupby(["model", "behaviour"], sort=False)["share"].idxmax()]
    # only where the network leans clearly on one input (the product uses both alike)
    clear = top[(top["model"] == "the network") & (top["share"] > CLEAR_SHARE)]["behaviour"]
    ranked = top[top["behaviour"].isin(clear)].pivot(
        index="behaviour", columns="model", values="input"
    )
    t = np.linspace(-2.0, 2.0, _DIAGONAL_STEPS)
    x = np.column_stack([t, t])
    curves = {
        "the network": forward(view.net, x),
        "the trees": surrogate.surrogate_outputs(copy, x),
    }
    return SurrogateView(
        copy,
        bool((ranked["the network"] == ranked["the trees"]).all()),
        figs.importance_figure(shares),
        figs.extrapolation_figure(t, curves, view.net.behaviours),
    )


def surrogate_section(view: NetView) -> None:
    """6 · A second black box: trees that copy the network, and what they explain."""
    section_heading("6 · A second black box")
    st.markdown(
        "Fit a model to predict the network from its inputs, and read the model instead. "
        "Here: gradient-boosted trees (LightGBM), one set per output, trained on the "
        "network's answers at 2,000 points of the square."
    )
    with st.spinner("Fitting boosted trees to the network's outputs…"):
        sv = _surrogate(view.key)
    c = sv.copy
    m1, m2, m3 = st.columns(3)
    m1.metric("R² inside the square (worst output)", f"{c.r2_test.min():.3f}")
    m2.metric("Trees · leaves", f"{c.trees:,} · {c.leaves:,}" if c.leaves else f"{c.trees:,}")
    m3.metric("The network's weights and biases", f"{c.network_parameters:,}")
    left, right = st.columns(2, gap="medium")
    with left:
        chart(
            sv.importance,
            "Permutation importance on 1,000 held-out points: how much each output's error "
            "grows when one input is shuffled, as a share of both.",
            key="bb_importance",
        )
    with right:
        chart(
            sv.extrapolation,
            "The network and the trees along the diagonal x₁ = x₂ from −2 to 2. Inside the "
            "training square (grey) they agree; outside, the trees go flat.",
            key="bb_extrapolation",
        )
    st.markdown(
        words.surrogate_sentence(
            c.r2_test.to_dict(),
            c.r2_new.to_dict(),
            c.leaves,
            c.trees,
            c.network_parameters,
            view.net.hidden,
            sv.agree,
        )
    )
