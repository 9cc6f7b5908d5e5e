"""The Black box page's two illusions: a summary that convinces, a patch that misleads.

Sections 4 and 5 of ``pages/6_Black_box.py``, on the network of
:mod:`lib.ui.blackbox_views` (cached per hidden units and seed): the principal
components of the hidden activity and a readout from them, per number of
components and stimulus sets; the patching directions and their effects, per
behaviour patched.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from lib.blackbox import illusions
from lib.blackbox.network import sample_inputs
from lib.figures import blackbox as figs
from lib.figures.style import Figure
from lib.ui.blackbox_views import NETS, PATCH_ROWS, STIMULUS_ROWS, NetView, network_at
from lib.ui.pages.blackbox import COMPONENTS, NEW_INPUTS, PATCHED, RECORDINGS
from lib.ui.state import lab_state, synced
from lib.ui.widgets import chart, section_heading
from lib.words import blackbox as words

__all__ = ["PatchView", "PcaView", "patch_section", "pca_section"]


@dataclass(frozen=True)
class PcaView:
    """The dimensionality-reduction section at one setting, drawn."""

    readout: illusions.PcaReadout
    stimuli: Figure
    scores: Figure
    bars: Figure


@st.cache_resource(max_entries=4 * NETS, show_spinner=False)
def _pca(key: tuple[int, int], k: int, recorded: str, new: str) -> PcaView:
    view = network_at(*key)
    seed = view.net.seed
    x_rec = illusions.stimuli(recorded, STIMULUS_ROWS, seed + 3)
    x_new = illusions.stimuli(new, STIMULUS_ROWS, seed + 4)
    readout = illusions.pca_readout(view.net, x_rec, x_new, min(k, view.net.hidden))
    names = {recorded: f"recorded: {recorded}", new: f"new: {new}"}
    if recorded == new:
        names = {recorded: f"recorded: {recorded}", new + " ": f"new: {new} (fresh points)"}
    labels = list(names.values())
    return PcaView(
        readout,
        figs.stimuli_figure(dict(zip(labels, (x_rec, x_new), strict=True))),
        figs.pca_figure(
            dict(zip(labels, (readout.scores_in, readout.scores_new), strict=True)),
            readout.variance_ratio.tolist(),
        ),
        figs.readout_bars(readout.r2_in, readout.r2_new, labels[0], labels[1]),
    )


def pca_section(view: NetView) -> None:
    """4 · The dimensionality-reduction illusion: a summary that convinces, then fails."""
    section_heading("4 · The dimensionality-reduction illusion")
    st.markdown(
        "A neuroscientist records the hidden layer while showing the stimuli of an "
        "experiment, summarises the activity with principal components (PCA), and reads the "
        "network's outputs back from the top few components with a linear readout. Then the "
        "network meets inputs the experiment did not show."
    )
    a, b, c = st.columns(3, gap="medium")
    with a:
        st.select_slider(
            "Components kept",
            options=list(COMPONENTS),
            help="How many principal components summarise the activity.",
            **synced("components"),
        )
    with b:
        st.selectbox(
            "Recorded on",
            options=list(RECORDINGS),
            format_func=lambda s: illusions.STIMULI[s],
            **synced("recorded"),
        )
    with c:
        st.selectbox(
            "New inputs",
            options=list(NEW_INPUTS),
            format_func=lambda s: illusions.STIMULI[s],
            **synced("new_inputs"),
        )
    state = lab_state()
    with st.spinner("Summarising the hidden activity…"):
        pca = _pca(view.key, state.components, state.recorded, state.new_inputs)
    left, right = st.columns(2, gap="medium")
    with left:
        chart(
            pca.stimuli,
            f"{STIMULUS_ROWS:,} recorded inputs and {STIMULUS_ROWS:,} new ones. The network "
            f"was trained on the whole dashed square.",
            key="bb_stimuli",
        )
    with right:
        chart(
            pca.scores,
            "The hidden activity of both sets on the first two principal components of the "
            "recording.",
            key="bb_scores",
        )
    left, right = st.columns(2, gap="medium")
    r = pca.readout
    with left:
        chart(
            pca.bars,
            f"R² of a linear readout of the network's own outputs from the top {r.k} "
            f"component(s), fitted on the recording (below −1 drawn at −1).",
            key="bb_readout",
        )
    with right:
        m1, m2 = st.columns(2)
        m1.metric("Variance explained, recording", f"{100 * r.variance_in:.1f}%")
        m2.metric(
            "Variance explained, new inputs",
            f"{100 * r.variance_new:.1f}%" if r.variance_new >= 0 else "none",
            help="Below zero: the summary rebuilds the new activity worse than its own mean.",
        )
        if state.components > view.net.hidden:
            st.caption(
                f"The network has {view.net.hidden} hidden units, so at most "
                f"{view.net.hidden} components: {r.k} kept."
            )
        st.markdown(
            words.pca_sentence(
                r.k,
                r.variance_in,
                r.variance_new,
                r.r2_in.to_dict(),
                r.r2_new.to_dict(),
                illusions.STIMULI[state.recorded],
                illusions.STIMULI[state.new_inputs],
            )
        )


@dataclass(frozen=True)
class PatchView:
    """The patching section for one behaviour, drawn."""

    directions: illusions.PatchDirections
    effects: pd.DataFrame
    bars: Figure
    scatter: Figure


@st.cache_resource(max_entries=4 * NETS, show_spinner=False)
def _patch(key: tuple[int, int], behaviour: str) -> PatchView:
    view = network_at(*key)
    directions = illusions.patch_directions(view.net, behaviour)
    x_base = sample_inputs(PATCH_ROWS, view.net.seed + 5)
    effects = illusions.patch_effects(view.net, directions, x_base)
    shown = {}
    base = None
    for patch in ("along v", "the whole layer"):
        out = illusions.patched_outputs(view.net, directions, x_base, patch=patch)
        out = out[out["behaviour"] == behaviour]
        base = out["base"].to_numpy()
        shown[patch] = out["patched"].to_numpy()
    assert base is not None
    return PatchView(
        directions,
        effects,
        figs.patch_bars(effects),
        figs.patch_scatter(base, shown, behaviour),
    )


def patch_section(view: NetView) -> None:
    """5 · The subspace-patching illusion: a direction that works through a dormant pathway."""
    section_heading("5 · The subspace-patching illusion")
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.markdown(
            "*Activation patching* asks whether a direction of the hidden layer carries a "
            "behaviour: run the network on a base input, copy the activity along that "
            "direction from a source input, and watch the output. Here each source is the "
            "base's mirror image with the **same** value of the behaviour (for the bowl, "
            "x₂ → −x₂), so a direction that carries the behaviour should change nothing. The "
            "direction v = (d + u)/√2 adds **d**, which the mirror moves a lot but no output "
            "reads, and **u**, which the output reads but along which the activity hardly "
            "moves (Makelov, Lange and Nanda, 2024)."
        )
    with right:
        st.selectbox(
            "Behaviour patched",
            options=list(PATCHED),
            format_func=lambda b: figs.BEHAVIOUR_LABELS.get(b, b),
            **synced("patched"),
        )
    behaviour = lab_state().patched
    with st.spinner("Patching…"):
        pv = _patch(view.key, behaviour)
    left, right = st.columns(2, gap="medium")
    with left:
        chart(
            pv.bars,
            f"Root-mean-square change of each output over {PATCH_ROWS} base inputs, in "
            f"standard deviations of that output. The mirror also changes one other output "
            f"(for the bowl, the product's sign), so the whole layer's patch moves that one: "
            f"that is the network doing its job.",
            key="bb_patch_bars",
        )
    with right:
        chart(
            pv.scatter,
            f"The {behaviour} output of each base input before and after the patch. On the "
            f"diagonal: no change.",
            key="bb_patch_scatter",
        )
    mine = pv.effects[pv.effects["behaviour"] == behaviour].set_index("patch")["change"]
    sd = pv.directions.activity_sd
    st.markdown(
        words.patch_sentence(
            behaviour,
            float(mine["along v"]),
            float(mine["the whole layer"]),
            float(mine["along d only"]),
            float(mine["along u only"]),
            float(sd["u"]),
            float(sd["d"]),
        )
    )
