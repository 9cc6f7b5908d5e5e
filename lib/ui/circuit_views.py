"""The Black box page's last two sections: when explanation works, and when
features share neurons.

Section 7 runs the oculomotor line attractor (:mod:`lib.blackbox.attractor`):
the circuit model's prediction is drawn beside every unit's simulation.
Section 8 trains the toy model of superposition
(:mod:`lib.blackbox.superposition`). Both are cached for every session by
their settings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lib.blackbox import attractor, superposition
from lib.errors import DataError
from lib.figures import blackbox as figs
from lib.fitting.models import one_thread
from lib.ui.pages.blackbox import ATTRACTOR_UNITS, MISTUNINGS, NEURON_TAUS, SPARSITIES
from lib.ui.state import lab_state, synced
from lib.ui.widgets import chart, section_heading
from lib.words import blackbox as words

__all__ = ["attractor_section", "attractor_view", "superposition_section", "toy_view"]

#: The saccade targets (degrees) and how long the eye holds each (s).
TARGETS = (10.0, -10.0, 15.0)
FIXATIONS = (3.0, 3.0, 6.0)
#: When the lesion happens: about 2 s into the last fixation.
LESION_AT = 8.5
#: Seung's hold time (s): how long gaze must stay put between saccades.
SEUNG_HOLD = 20.0
#: Seed of the units' tunings.
TUNING_SEED = 0
_KEPT = 64


@dataclass(frozen=True)
class AttractorView:
    """One run of the integrator at the sliders' settings, its prediction and its words."""

    figure: go.Figure
    hold: go.Figure
    sentence: str
    predicted: float
    measured: float


def _seconds_after(t: np.ndarray, start: float) -> tuple[float, float]:
    """The fit window: from two saccade pulses after ``start`` to the end of the run."""
    return start + 2 * attractor.SACCADE_PULSE, float(t[-1])


@st.cache_resource(max_entries=_KEPT, show_spinner=False)
def attractor_view(units: int, tau_ms: int, mistuning: float, lesioned: int) -> AttractorView:
    """The integrator with ``units`` units, τ in ms, the feedback mistuned by a percentage,
    and one unit lesioned 2 s into the last fixation (-1: none)."""
    tau = tau_ms / 1000
    net = attractor.make_integrator(units, tau=tau, mistuning=mistuning / 100, seed=TUNING_SEED)
    t, v = attractor.saccade_commands(TARGETS, fixation=FIXATIONS)
    lesion = {"lesion_at": LESION_AT, "lesioned": (lesioned,)} if lesioned >= 0 else {}
    with one_thread():
        run = attractor.simulate(net, t, v, **lesion)  # type: ignore[arg-type]
        predicted_eye = attractor.predicted_trace(net, t, v, **lesion)  # type: ignore[arg-type]
    after = attractor.lesion(net, lesioned) if lesioned >= 0 else net
    last_saccade = float(t[np.flatnonzero(v)[-1]])
    start = LESION_AT if lesioned >= 0 else last_saccade
    lo, hi = _seconds_after(t, start)
    eye = run["eye"].to_numpy()
    window = (t >= lo) & (t <= hi)
    try:
        measured = attractor.fit_time_constant(t, eye, start=lo, stop=hi)
    except DataError:  # a trace that crosses zero or holds exactly: no drift to fit
        measured = math.inf
    held_at = float(eye[np.searchsorted(t, start) - 1])
    lost = 1.0 - after.gain
    sentence = words.attractor_sentence(
        tau,
        net.w,
        after.eigenvalue,
        after.time_constant,
        measured,
        after.lesioned,
        lost,
        held_at,
        float(eye[window][-1] - eye[window][0]),
        round(hi - lo, 1),
        attractor.tuning_needed(tau, SEUNG_HOLD),
    )
    return AttractorView(
        figs.eye_figure(
            t,
            run["target"].to_numpy(),
            eye,
            predicted_eye,
            LESION_AT if lesioned >= 0 else None,
        ),
        figs.hold_figure(tau, 1.0 - after.eigenvalue, attractor.tuning_needed(tau, SEUNG_HOLD)),
        sentence,
        after.time_constant,
        measured,
    )


def attractor_section() -> None:
    """7 · When explanation works: the oculomotor line attractor."""
    section_heading("7 · When explanation works: the line attractor")
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.markdown(
            "Between saccades the eyes hold still, although the brainstem receives only a "
            "brief velocity command for each jump. A recurrent network integrates the command "
            "into a position and holds it: its positive feedback w is tuned so that activity "
            "stays on a **line of fixed points** (Seung 1996). The model is linear, "
            "τ dr/dt = −r + w·u uᵀ r + τ·u v(t), and the eye reads E = uᵀ r. Everything a "
            "lesion or a mistuning will do follows from one eigenvalue."
        )
    state = lab_state()
    with right:
        st.select_slider("Units", options=list(ATTRACTOR_UNITS), **synced("att_units"))
        st.select_slider(
            "Neuron time constant τ (ms)",
            options=list(NEURON_TAUS),
            **synced("neuron_tau"),
        )
        st.select_slider(
            "Mistuning of the feedback w (%)",
            options=list(MISTUNINGS),
            format_func=lambda m: f"{m:+g}%" if m else "0 (tuned)",
            help="w = 1 + mistuning: below 1 the eye leaks back, above 1 it runs away.",
            **synced("mistuning"),
        )
        net = attractor.make_integrator(state.att_units, seed=TUNING_SEED)
        st.selectbox(
            f"Lesion a unit at {LESION_AT:g} s",
            options=[-1, *range(state.att_units)],
            format_func=lambda k: (
                "none"
                if k < 0
                else f"unit {k} (its share of the readout: {100 * net.u[k] ** 2:.1f}%)"
            ),
            **synced("lesioned"),
        )
    state = lab_state()
    with st.spinner("Running the network…"):
        view = attractor_view(state.att_units, state.neuron_tau, state.mistuning, state.lesioned)
    left, right = st.columns([3, 2], gap="medium")
    with left:
        chart(
            view.figure,
            "Three saccades (10°, −10°, 15°) and the fixations between them. Blue: every unit "
            "of the network simulated exactly (1 ms steps). Dashed: the eye as the circuit "
            "model predicted it from the eigenvalue alone, before the run.",
            key="bb_eye",
        )
    with right:
        chart(
            view.hold,
            "How long gaze holds (τ/|1 − λ|) against how far the feedback's eigenvalue λ is "
            "from 1, for this τ (λ = w, or w(1 − u_k²) after a lesion). Dotted: Seung's 20 s.",
            key="bb_hold",
        )
    m1, m2 = st.columns(2)
    m1.metric("Drift time constant, predicted", _constant(view.predicted))
    m2.metric("Drift time constant, simulated", _constant(view.measured))
    st.markdown(view.sentence)


#: A drift slower than this (s) is shown as a hold: over a lecture it does not move.
_HOLDS = 1e5


def _constant(x: float) -> str:
    if math.isinf(x) or abs(x) > _HOLDS:
        return "∞ (holds)"
    return f"{abs(x):.3g} s" + (" (runs away)" if x < 0 else "")


@dataclass(frozen=True)
class ToyView:
    """The toy model at one sparsity, drawn, with its sentence."""

    arrows: go.Figure
    dimensions: go.Figure
    polysemantic: go.Figure
    sentence: str
    kept: int


#: The toy model's seed (its training inputs and random starts), and the hidden
#: dimension the page silences.
TOY_SEED = 0
SILENCED = 0
#: Inputs the lesion's damage is measured on.
LESION_ROWS = 20_000


@st.cache_resource(max_entries=2, show_spinner=False)
def _toy_models() -> tuple[dict[float, superposition.ToyModel], pd.DataFrame]:
    """The toy model trained at every sparsity the slider offers (one sweep, cached)."""
    with one_thread():
        models = [superposition.train_toy(s, TOY_SEED) for s in SPARSITIES]
    return {float(m.sparsity): m for m in models}, superposition.sweep_frame(models)


@st.cache_resource(max_entries=len(SPARSITIES), show_spinner=False)
def toy_view(sparsity: float) -> ToyView:
    """The toy model at ``sparsity``: its arrows, the sweep, what a dimension carries."""
    models, sweep = _toy_models()
    trained = models[float(sparsity)]
    # The loss does not change when the hidden plane is turned, so the axes a fit ends
    # on are arbitrary: turn every model so that feature 0 lies along dimension 0.
    model = superposition.rotate(trained, -float(trained.angles[0]))
    weights = superposition.polysemantic(model)
    x = superposition.sample_features(LESION_ROWS, sparsity, TOY_SEED + 1)
    damage = superposition.lesion_dimension(model, SILENCED, x)
    kept = int(model.represented.sum())
    sentence = words.superposition_sentence(
        float(sparsity),
        kept,
        model.n,
        model.m,
        [float(a) for a in model.neighbour_angles] if kept > model.m else [],
        model.dimensions_per_feature,
        float(np.mean(model.norms[model.represented])) if kept else 0.0,
        [int(r) for r in weights["responds"]],
        int(damage["damaged"].sum()),
        SILENCED,
        superposition.RESPONDS,
        superposition.fewest_responding(model)[0],
    )
    return ToyView(
        figs.arrows_figure(model.W, model.importance),
        figs.dimensions_figure(sweep, float(sparsity)),
        figs.polysemantic_figure(weights, damage, SILENCED),
        sentence,
        kept,
    )


def superposition_section() -> None:
    """8 · Features that share neurons: the toy model of superposition."""
    section_heading("8 · Features that share neurons: superposition")
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.markdown(
            "A network asked to represent more features than it has dimensions can pack "
            "them in **superposition** when the features are sparse (Elhage et al. 2022). "
            "The toy model: five features, each zero with probability S (the sparsity) and "
            "otherwise uniform on [0, 1], of importance 0.9ⁱ, squeezed into two hidden "
            "dimensions and read back as ReLU(WᵀW x + b), trained here (scipy, the analytic "
            "gradient, four seeded starts)."
        )
    with right:
        st.select_slider(
            "Sparsity S",
            options=list(SPARSITIES),
            format_func=lambda s: f"{s:g}",
            help="The probability that a feature is zero in an input.",
            **synced("sparsity"),
        )
    with st.spinner("Training the toy model at every sparsity…"):
        view = toy_view(lab_state().sparsity)
    left, right = st.columns(2, gap="medium")
    with left:
        chart(
            view.arrows,
            "Each feature's column of W (feature 0 the most important, 4 the least): the "
            "direction it is written along in the two hidden dimensions, and its length "
            "(about 1 if kept, 0 if dropped).",
            key="bb_arrows",
        )
    with right:
        chart(
            view.dimensions,
            "Dimensions per feature, m / ‖W‖²_F (W's Frobenius norm), at every sparsity (labels: features "
            "kept). Dense features: one dimension each; sparse ones: shared.",
            key="bb_dimensions",
        )
    chart(
        view.polysemantic,
        "Left: how strongly each hidden dimension is written by each feature. Right: the "
        "share of each feature's reconstruction lost when one dimension is silenced "
        "(1: as if the feature were dropped).",
        key="bb_polysemantic",
    )
    st.markdown(view.sentence)
