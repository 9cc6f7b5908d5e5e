"""The Attribution page's sections: equal prediction, different explanations.

Each function draws one numbered section of ``pages/5_Attribution.py``. What
costs is cached for every session (the two-neuron world by its correlation,
B's effect, rows and seed; figures with their numbers), so a class that moves
the same slider computes each view once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lib.attribution import pair
from lib.attribution.credit import rashomon_ellipse, rashomon_extreme, rashomon_ranges
from lib.attribution.methods import resampled_credit
from lib.attribution.pair import B_CHAMPION, MODEL_NAMES, causal_name
from lib.attribution.stability import (
    coefficient_stability,
    condition_number,
    credit_groups,
    stability_summary,
    two_input_condition,
    two_input_vif,
    vifs,
)
from lib.errors import DataError
from lib.figures import attribution as figs
from lib.figures.charts import rmse_bars
from lib.figures.style import Figure
from lib.fitting.experiments import OBSERVATIONAL, ratio_table
from lib.fitting.models import Model, PenalisedModel
from lib.tables.datasets import load_dataset
from lib.tables.read import numeric_frame
from lib.teach.handout import Plot
from lib.text.escape import code_span, inert
from lib.ui import compute
from lib.ui.pages.attribution import B_EFFECTS, CREDIT_SOURCES, DRIVES, EPSILONS, PAIR_ROWS, RHOS
from lib.ui.registry import get_scenario
from lib.ui.state import Lab, lab_state, synced, teach_state
from lib.ui.widgets import causal_graph, chart, data_frame, ratio_metrics, section_heading
from lib.words import attribution as words

__all__ = [
    "PairView",
    "rashomon_view",
    "settle_figure",
    "settle_scores",
    "state_key",
    "view_at",
    "world_at",
    "condition_section",
    "credit_section",
    "prediction_section",
    "rashomon_section",
    "real_data_section",
    "settle_section",
    "world_section",
    "lesson_numbers",
    "step_figure",
    "step_plots",
    "view_of",
    "view_words",
]

#: Resamples of the permutation and Shapley credits (each refits all four models).
CREDIT_REPS = 20
#: Held-out rows whose Shapley values are averaged, and rows that fill a missing input.
SHAPLEY_EXPLAIN = 100
SHAPLEY_BACKGROUND = 50
#: Bootstrap resamples of a real table's coefficients.
TABLE_REPS = 500
_VIEWS = 64
#: Fitted worlds kept: a new seed fits the sweep's six correlations (the page's own
#: among them, when the slider is on one of them), each about 0.15 MB at 500 rows.
_FITTED = 4 * _VIEWS


@dataclass(frozen=True)
class PairView:
    """The two-neuron world as the sliders set it, fitted."""

    world: pair.PairWorld
    train: pd.DataFrame
    test: pd.DataFrame
    models: list[Model]
    n: int
    seed: int

    @property
    def key(self) -> tuple[float, float, int, int]:
        return (self.world.rho, self.world.b_effect, self.n, self.seed)


# ----------------------------------------------------------------------------- caches


def state_key(state: Any) -> tuple[float, float, int, int]:
    """The two-neuron view a state sets: (ρ, B's effect, rows, seed)."""
    return (state.rho, state.b_effect, state.pair_n, state.seed)


@st.cache_resource(max_entries=_FITTED, show_spinner=False)
def view_at(rho: float, b_effect: float, n: int, seed: int) -> PairView:
    """The two-neuron world at these settings, sampled and fitted (cached for every session;
    the sweep's correlations are views too)."""
    world, train, test, models = pair.fitted_pair(world_at(rho, b_effect), n, seed)
    return PairView(world, train, test, list(models), n, seed)


@st.cache_resource(max_entries=2 * _VIEWS, show_spinner=False)
def world_at(rho: float, b_effect: float) -> pair.PairWorld:
    """The two-neuron world at a correlation and B's effect (its equations compiled once,
    whatever the rows and seed)."""
    return pair.pair_world(get_scenario(pair.PAIR_SCENARIO), rho, b_effect)


def _fitted(b_effect: float, n: int, seed: int, rho: float) -> pair.Fitted:
    view = view_at(rho, b_effect, n, seed)
    return view.world, view.train, view.test, view.models


@st.cache_resource(max_entries=_VIEWS, show_spinner=False)
def _sweep(b_effect: float, n: int, seed: int) -> pd.DataFrame:
    sc = get_scenario(pair.PAIR_SCENARIO)
    return pair.prediction_sweep(sc, n, b_effect, seed, fitted=partial(_fitted, b_effect, n, seed))


@st.cache_resource(max_entries=_VIEWS, show_spinner=False)
def _sweep_sentence(b_effect: float, n: int, seed: int) -> str:
    """What the sweep shows, in words (written once per sweep, not on every run)."""
    return words.sweep_sentence(_sweep(b_effect, n, seed))


@st.cache_resource(max_entries=_VIEWS, show_spinner=False)
def _sweep_figures(b_effect: float, n: int, seed: int, rho: float) -> tuple[go.Figure, go.Figure]:
    sweep = _sweep(b_effect, n, seed)
    return figs.r2_sweep_figure(sweep, rho), figs.spread_figure(sweep, rho)


@st.cache_resource(max_entries=_VIEWS, show_spinner=False)
def _clouds(key: tuple[float, float, int, int]) -> tuple[pd.DataFrame, go.Figure, str]:
    """The linear models' bootstrap, its figure and its sentence."""
    view = view_at(*key)
    boot = pair.coefficient_bootstrap(
        view.train, view.world, view.models, pair.BOOTSTRAP_REPS, view.seed
    )
    truth = view.world.truth
    return boot, figs.coefficient_clouds(boot, truth), words.cloud_sentence(boot, truth)


@st.cache_resource(max_entries=_VIEWS, show_spinner=False)
def rashomon_view(key: tuple[float, float, int, int], epsilon: float) -> tuple[go.Figure, str]:
    """The Rashomon set's figure and sentence."""
    view = view_at(*key)
    x, y = pair.neurons_and_target(view.test, view.world)
    best, half, _ = rashomon_ranges(x, y, epsilon)
    champions = {
        "most credit to A": rashomon_extreme(x, y, epsilon, 0),
        "most credit to B": rashomon_extreme(x, y, epsilon, 1),
    }
    fig = figs.rashomon_figure(
        rashomon_ellipse(x, y, epsilon), best, view.world.truth, champions, epsilon
    )
    return fig, words.rashomon_sentence(epsilon, best, half, view.world.truth)


@st.cache_resource(max_entries=_VIEWS, show_spinner=False)
def settle_scores(key: tuple[float, float, int, int], drive: str, epsilon: float) -> pd.DataFrame:
    """Every model's error before and after the experiment ``drive`` (a lesson reads it too)."""
    view = view_at(*key)
    return pair.settle(
        view.world, view.models, view.n, view.seed, drive, epsilon, samples=(view.train, view.test)
    )


@st.cache_resource(max_entries=_VIEWS, show_spinner=False)
def settle_figure(
    key: tuple[float, float, int, int], drive: str, epsilon: float, projector: bool = False
) -> tuple[Figure, str]:
    """The errors before and after as bars (plain data; ``projector``: laid out for the
    presenter view), and the sentence that reads them."""
    scores = settle_scores(key, drive, epsilon)
    causal = pair.causal_name(view_at(*key).world.scenario.causal_features)
    sentence = words.settle_sentence(scores, drive, pair.B_CHAMPION, causal)
    world = view_at(*key).world
    unit = world.scenario.units.get(world.scenario.target, "")
    bars = rmse_bars(scores, "")
    return figs.experiment_bars(bars, world.noise_sd, unit, projector), sentence


@st.cache_resource(max_entries=_VIEWS, show_spinner=False)
def _conditioning(key: tuple[float, float, int, int]) -> tuple[float, float, float]:
    """The recording's correlation r, its correlation matrix's condition number and A's
    variance inflation factor (statsmodels), once per view."""
    view = view_at(*key)
    x = view.train[list(view.world.inputs)]
    corr = np.corrcoef(x.to_numpy(dtype=float), rowvar=False)
    return float(corr[0, 1]), condition_number(corr), float(vifs(x).iloc[0])


#: Most resampled credits a worker keeps (the oldest go first).
_CREDIT_KEPT = 256


@st.cache_resource(show_spinner=False)
def _credit_results() -> dict[tuple[float, float, int, int], go.Figure]:
    """The resampled credits' figures computed so far, by view, for every session."""
    return {}


@st.cache_resource(max_entries=8, show_spinner=False)
def _longley() -> pd.DataFrame:
    return load_dataset("longley").data.astype(float)


@dataclass(frozen=True)
class Stability:
    """What section 7 shows of one table and choice of inputs."""

    figure: go.Figure
    table: pd.DataFrame
    sentence: str
    design_condition: float
    correlation_condition: float
    left_out: str
    dropped: int


@st.cache_resource(max_entries=_VIEWS, show_spinner=False)
def _stability(
    source: str,
    target: str,
    inputs: tuple[str, ...],
    environment: str | None,
    row_word: str,
    _frame: pd.DataFrame,
) -> Stability:
    """The stability of a table's credit (``source`` names the data, ``_frame`` is it)."""
    frame, group, left_out, dropped = credit_groups(_frame, environment, row_word=row_word)
    long = coefficient_stability(frame, target, list(inputs), reps=TABLE_REPS, environment=group)
    summary = stability_summary(long)
    x = frame[list(inputs)].to_numpy(dtype=float)
    table = pd.DataFrame(
        {
            "input": summary["input"],
            "all rows": summary["all_rows"].round(2),
            "resamples, middle 95%": [
                f"{a:.2f} to {b:.2f}" for a, b in zip(summary["low"], summary["high"], strict=True)
            ],
            "sign flips": summary["sign_flips"],
            f"one {left_out} left out": [
                f"{a:.2f} to {b:.2f}"
                for a, b in zip(summary["left_out_low"], summary["left_out_high"], strict=True)
            ],
            "VIF": vifs(frame[list(inputs)]).round(1).to_numpy(),
        }
    )
    return Stability(
        figs.stability_figure(long, summary, left_out),
        table,
        words.stability_sentence(summary, TABLE_REPS, left_out),
        float(np.linalg.cond(np.column_stack([np.ones(len(x)), x]))),
        condition_number(np.corrcoef(x, rowvar=False)),
        left_out,
        dropped,
    )


# ----------------------------------------------------------------------------- sections


def view_of(lab: Lab) -> PairView:
    """The two-neuron world at the view's settings, fitted (cached for every session)."""
    with st.spinner("Fitting four models to the recording…"):
        return view_at(*state_key(lab.state))


def world_section(lab: Lab) -> None:
    """1 · The world: two neurons, the sliders, the causal graph (the world is fitted
    below the sliders, under a spinner)."""
    section_heading("1 · Two neurons, one grip")
    sc = get_scenario(pair.PAIR_SCENARIO)
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.markdown(sc.story)
    with right:
        st.select_slider(
            "Correlation of A and B (ρ)",
            options=list(RHOS),
            format_func=lambda r: f"{r:g}",
            help="How strongly the shared input ties the two neurons together.",
            **synced("rho"),
        )
        st.select_slider(
            "B's own effect on the grip (N per SD)",
            options=list(B_EFFECTS),
            format_func=lambda b: f"{b:g}",
            help="0: B only shares A's input and does nothing to the hand.",
            **synced("b_effect"),
        )
        st.select_slider(
            "Rows recorded",
            options=list(PAIR_ROWS),
            format_func=lambda n: f"{n:,}",
            **synced("pair_n"),
        )
    view = view_of(lab)
    a, b = view.world.truth
    st.markdown(
        f"**The truth, from the equations:** grip force = 10 + {a:g} · A "
        f"{'−' if b < 0 else '+'} {abs(b):g} · B + noise (SD {view.world.noise_sd:.2f} N). "
        f"The best any model can do is R² = {view.world.population_r2():.2f}. "
        f"Seed {view.seed} (sidebar)."
    )
    if b:
        st.info(
            f"With B's own effect at {b:g} N per SD, B projects to the hand too: the story's "
            f"“only A” no longer holds, the causes are A and B, and the causal model uses "
            f"both (and shares least squares' trouble telling them apart).",
            icon=":material/info:",
        )
    causal_graph(view.world.scenario, legend="caption", key="attribution")


def prediction_section(view: PairView) -> None:
    """2 · As the correlation rises: prediction flat, attribution spreading."""
    section_heading("2 · As the correlation rises")
    with st.spinner("Refitting the four models at six correlations…"):
        r2_fig, spread_fig = _sweep_figures(view.world.b_effect, view.n, view.seed, view.world.rho)
    left, right = st.columns(2, gap="medium")
    with left:
        chart(
            r2_fig,
            "Each model fitted on a fresh recording at each correlation and scored on 2,000 "
            "held-out rows. The models follow the best possible R² (dashed): correlated inputs "
            "do not hurt prediction.",
            key="attr_r2",
        )
    with right:
        chart(
            spread_fig,
            f"Standard deviation of least squares' coefficient of A across "
            f"{pair.BOOTSTRAP_REPS} bootstrap resamples (points), against the closed form "
            f"(dashed). It grows like 1/√(1 − ρ²).",
            key="attr_spread",
        )
    st.markdown(_sweep_sentence(view.world.b_effect, view.n, view.seed))


def credit_section(view: PairView) -> None:
    """3 · What each model credits to A and to B, across resamples."""
    section_heading("3 · Same data, different credit")
    _, fig, sentence = _clouds(view.key)
    chart(
        fig,
        f"Each point is one model refitted on one of {pair.BOOTSTRAP_REPS} bootstrap resamples "
        f"of the recording. Ridge and lasso keep the penalty each chose on the whole "
        f"recording ({_penalties(view)}). Points along the dotted line predict alike when A "
        f"and B move together.",
        key="attr_clouds",
    )
    st.markdown(sentence)
    _resampled_credit(view)


def _penalties(view: PairView) -> str:
    """The penalties ridge and lasso chose, in words (a lasso at 0 is least squares)."""
    parts = []
    for m in view.models:
        if isinstance(m, PenalisedModel):
            plain = " — plain least squares" if m.alpha_ == 0 else ""
            parts.append(f"{m.penalty} α = {m.alpha_:.3g}{plain}")
    return "; ".join(parts)


def _resampled_credit(view: PairView) -> None:
    """Permutation importance and Shapley values of all four models, on a button."""
    st.markdown(
        "**Beyond coefficients.** Boosted trees have no coefficients. Two ways to credit any "
        "model's inputs: scikit-learn's *permutation importance* (how much the held-out error "
        "rises when one input is shuffled) and *Shapley values*, computed exactly: with two "
        "inputs there are only four coalitions to evaluate, so the lab does not need the "
        "`shap` package (and its compiled dependencies) to get them right; each input "
        f"missing from a coalition is filled from {SHAPLEY_BACKGROUND} held-out rows "
        "(interventional Shapley "
        "values, as `shap`'s exact explainer with a background sample)."
    )
    ss = st.session_state
    store = _credit_results()
    done = store.get(view.key)
    run = st.button(
        f"Credit all four models on {CREDIT_REPS} resamples",
        key="attr_credit_run",
        icon=":material/play_arrow:",
        disabled=done is not None,
        help="Refits every model on each resample: a few seconds. The result is kept.",
    )
    if run and done is None:
        ss["attr_credit_cancel"] = False
        bar = st.progress(0.0, text="Refitting and crediting…")
        st.button(
            "Cancel",
            key="attr_credit_cancel_btn",
            on_click=lambda: ss.__setitem__("attr_credit_cancel", True),
        )

        def progress(f: float) -> None:
            bar.progress(min(1.0, f), text=f"Refitting and crediting… {f:.0%}")

        x, y = pair.neurons_and_target(view.train, view.world)
        xt, yt = pair.neurons_and_target(view.test, view.world)
        credit = resampled_credit(
            pair.array_fitters(),
            x,
            y,
            xt,
            yt,
            ["A", "B"],
            reps=CREDIT_REPS,
            seed=view.seed,
            background_rows=SHAPLEY_BACKGROUND,
            explain_rows=SHAPLEY_EXPLAIN,
            progress=progress,
            cancel=lambda: bool(ss.get("attr_credit_cancel")),
        )
        bar.empty()
        if credit["resample"].nunique() < CREDIT_REPS:  # cancelled: nothing half-done is kept
            st.caption("Cancelled: nothing was kept.")
            return
        shares = credit[credit["input"] == "A"]
        done = figs.credit_share_figure(shares, pair.truth_shares(view.world))
        while len(store) >= _CREDIT_KEPT:
            store.pop(next(iter(store)))
        store[view.key] = done
        st.rerun()  # draw the button as done, and the chart from the store
    if done is None:
        st.caption("Not run yet for these settings.")
        return
    chart(
        done,
        "A's share of each model's credit (A's credit over A's and B's) on each resample, "
        "by each method. The dashed line is the share the equations give A.",
        key="attr_shares",
    )


def condition_section(view: PairView) -> None:
    """4 · Why: the condition number and the variance inflation factors."""
    section_heading("4 · Why: inverting a correlation")
    rho = view.world.rho
    r, sample_cond, sample_vif = _conditioning(view.key)
    cols = st.columns(5)
    digits = 4 if abs(r) > 0.99 else 3
    cols[0].metric(
        "Correlation r (recording)", f"{r:.{digits}f}", help=f"The slider's ρ is {rho:g}."
    )
    cols[1].metric(
        "Condition number",
        f"{sample_cond:,.1f}",
        help="Largest over smallest eigenvalue of the recording's correlation matrix (numpy).",
    )
    cols[2].metric("(1 + r)/(1 − r)", f"{two_input_condition(r):,.1f}", help="Its closed form.")
    cols[3].metric(
        "Variance inflation",
        f"{sample_vif:,.1f}",
        help="How many times each coefficient's variance grows (statsmodels).",
    )
    cols[4].metric("1/(1 − r²)", f"{two_input_vif(r):,.1f}", help="Its closed form.")
    st.markdown(words.condition_sentence(rho, two_input_condition(rho), two_input_vif(rho), r))


def rashomon_section(view: PairView) -> None:
    """5 · The Rashomon set: many models, equally good."""
    section_heading("5 · Many models, equally good")
    st.select_slider(
        "How much worse than the best a model may be (ε)",
        options=list(EPSILONS),
        format_func=lambda e: f"{e:.0%}",
        **synced("epsilon"),
    )
    eps = lab_state().epsilon
    fig, sentence = rashomon_view(view.key, eps)
    chart(
        fig,
        "The linear models whose mean squared error on the 2,000 held-out rows is within "
        "ε of the best one's form an ellipse (its closed form). The more A and B are "
        "correlated, the longer its axis along the trade between A and B that the data "
        "cannot settle.",
        key="attr_rashomon",
    )
    st.markdown(sentence)


def settle_section(view: PairView) -> None:
    """6 · The experiment that settles it."""
    section_heading("6 · The experiment that settles it")
    sc = view.world.scenario
    st.radio(
        "Experiment",
        options=list(DRIVES),
        format_func=lambda d: f"{d}: {sc.presets[d].description}",
        **synced("drive"),
    )
    state = lab_state()
    fig, sentence = settle_figure(view.key, state.drive, state.epsilon, teach_state().present)
    chart(
        fig,
        f"Root-mean-square error of each model on 2,000 fresh units, before (observational) "
        f"and after the experiment. The Rashomon model is the one of section 5 whose credit to "
        f"B is farthest from the truth (ε = {state.epsilon:.0%}); the causal model uses the "
        f"grip's causes in the graph.",
        key="attr_settle",
    )
    st.markdown(sentence)


def _lab_name(lab: Lab) -> str:
    return lab.table.name if lab.table is not None else lab.scenario.title


def _lab_frame(lab: Lab) -> tuple[pd.DataFrame, str, list[str], str | None, str]:
    """The lab's current data: (frame, target, inputs, environment, cache key)."""
    if lab.table is not None:
        choice = lab.table
        setup = choice.setup
        used = [setup.target, *setup.features]
        frame, _ = numeric_frame(choice.table, used, policy="drop")
        if setup.environment:
            frame[setup.environment] = choice.table.data.loc[frame.index, setup.environment]
        key = f"{choice.key}:{setup.target}:{','.join(setup.features)}:{setup.environment}"
        return frame, setup.target, list(setup.features), setup.environment, key
    sc = lab.scenario
    sid, n, seed = lab.key
    frame = compute.sample(sid, n, seed)
    return frame, sc.target, list(sc.features), None, f"world:{sid}:{n}:{seed}"


def real_data_section(lab: Lab) -> None:
    """7 · On real data: how stable is each input's credit?"""
    section_heading("7 · On real data")
    labels = {
        "longley": "Longley's US economy, 1947–1962 (statsmodels)",
        "lab": f"the lab's data: {inert(_lab_name(lab))}",
    }
    st.radio(
        "Data", options=list(CREDIT_SOURCES), format_func=labels.__getitem__, **synced("credit")
    )
    try:
        if lab_state().credit == "longley":
            frame, target, env, key, row_word = _longley(), "TOTEMP", None, "longley", "year"
            inputs = [c for c in frame.columns if c != target]
            st.markdown(
                "Sixteen years of US employment (`TOTEMP`) with six economic series that all "
                "grew together. Its least-squares fit is a standard test of numerical "
                "accuracy: the raw inputs' design matrix has a condition number near 5 × 10⁹."
            )
        else:
            frame, target, inputs, env, key = _lab_frame(lab)
            row_word = "row"
        numeric = [c for c in inputs if pd.api.types.is_numeric_dtype(frame[c])]
        chosen = st.multiselect(
            f"Inputs to credit (target {code_span(target)})",
            options=numeric,
            default=numeric,
            key=f"attr_inputs_{key}",
        )
        if len(chosen) < 2:
            st.info("Pick two or more inputs.", icon=":material/info:")
            return
        with st.spinner("Resampling…"):
            result = _stability(key, target, tuple(chosen), env, row_word, frame)
    except DataError as exc:
        st.error(str(exc), icon=":material/error:")
        return
    cols = st.columns(2)
    cols[0].metric(
        "Condition number, raw design (with intercept)", f"{result.design_condition:.3g}"
    )
    cols[1].metric(
        "Condition number, inputs' correlation matrix", f"{result.correlation_condition:,.0f}"
    )
    subsample = (
        f" The table's {len(frame):,} rows were subsampled to {len(frame) - result.dropped:,} "
        f"(seeded) to keep the resampling quick."
        if result.dropped
        else ""
    )
    chart(
        result.figure,
        f"Standardised least-squares coefficients: the middle 95% of {TABLE_REPS} bootstrap "
        f"resamples (bars), with one {result.left_out} left out at a time (ticks), and on all "
        f"rows (diamonds). A bar that crosses the dashed zero line is credit whose sign the "
        f"data cannot settle.{subsample}",
        key="attr_stability",
    )
    data_frame(
        result.table,
        hide_index=True,
        column_config={"sign flips": st.column_config.NumberColumn(format="percent")},
    )
    st.markdown(result.sentence)


# ----------------------------------------------------------------------------- lessons


def _step_figure_and_words(
    state: Any, experiment: bool, present: bool = False
) -> tuple[Figure | go.Figure, str]:
    """An Attribution step's figure and the sentence that reads it: the experiment's
    errors when the step asks about it (``present``: laid out for a projector), else
    the Rashomon set."""
    key = state_key(state)
    if experiment:
        return settle_figure(key, state.drive, state.epsilon, present)
    return rashomon_view(key, state.epsilon)


def lesson_numbers(state: Any) -> dict[str, Any]:
    """The page's experiment as a lesson reads it.

    Its "predictive" model is the one of the Rashomon set most wrong about B
    (with B doing nothing: the one crediting B most), its causal one least
    squares on the causes.
    """
    key = state_key(state)
    scores = settle_scores(key, state.drive, state.epsilon)
    causal = causal_name(view_at(*key).world.scenario.causal_features)
    names = {
        ("predictive", "linear"): B_CHAMPION,
        ("causal", "linear"): causal,
        ("predictive", "trees"): MODEL_NAMES[3],
    }
    before = scores[scores["test"] == OBSERVATIONAL].set_index("model")
    ratios = ratio_table(scores, state.drive)
    return {"names": names, "ratios": ratios, "scores": before.reset_index()}


def step_figure(step: Any, state: Any, present: bool) -> None:
    """The model asked about, as the Interventions step shows it; and the experiment's
    errors (or the Rashomon set) beside it (not on a projector when a model is asked)."""
    pred = step.predict
    if pred is not None:
        numbers = lesson_numbers(state)
        asked = numbers["names"][(pred.model, pred.family)]
        table = numbers["ratios"]
        ratio_metrics(table[table["model"] == asked].reset_index(drop=True))
    if pred is None or not present:
        chart(*_step_figure_and_words(state, pred is not None, present))


def step_plots(step: Any, state: Any) -> list[Plot]:
    """A lesson handout's figure for a step here."""
    return [Plot(*_step_figure_and_words(state, step.predict is not None))]


def view_words(state: Any) -> str:
    """The view in a few words: the neurons' world, the experiment and ε."""
    return (
        f"Attribution: ρ = {state.rho:g}, {state.pair_n:,} rows, seed {state.seed}, "
        f"{state.drive}, ε = {state.epsilon:.0%}"
    )
