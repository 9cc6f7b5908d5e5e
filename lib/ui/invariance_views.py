"""The Invariance page's cached computations and the parts it draws.

Everything that costs is cached once for all sessions: pooled samples and ICP
results with ``st.cache_resource`` (large, shared read-only), error tables and
sweeps with ``st.cache_data``. Keys are the scenario id, the seed, the level
and the environments as text (:func:`env_key`); the environments themselves
travel as underscore arguments. Runs a user starts with a button (the power
simulation, ICP on many candidates) are kept in a shared store keyed the
same way, so that they are computed once and survive reruns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from lib.figures import invariance as ip
from lib.figures.style import Figure, label, update_axes
from lib.invariance.compare import (
    ICP_MODEL,
    ICP_NONE,
    NONLINEAR_SHIFT_SDS,
    POOLED,
    fresh_errors,
    fresh_worlds,
    nonlinear_scenario,
    predictor_table,
)
from lib.invariance.engine import NO_SET_NOTE, ICPResult, icp
from lib.invariance.sweeps import icp_power, invariance_sweeps, visible_causes
from lib.text.escape import code_span, inert
from lib.text.numbers import percent
from lib.ui.lab import interventions_key
from lib.ui.pages import invariance as page
from lib.ui.registry import get_scenario
from lib.ui.state import teach_state
from lib.ui.widgets import chart, data_frame, wide_and_narrow
from lib.words.invariance import held_out_sentence, icp_sentence, unchecked_reason
from lib.world.environments import (
    ENV_COLUMN,
    OBSERVATIONAL_ENV,
    Environment,
    pooled_sample,
)
from lib.world.scenarios import list_scenarios

__all__ = [
    "ALPHAS",
    "EXACT_AUTO",
    "POWER_REPS",
    "STRENGTHS",
    "SWEEP_N",
    "env_key",
    "held_out",
    "icp_fit",
    "show_icp",
    "sweep",
]

_SPIN = False
#: Levels offered for ICP; strengths of the "invariance is local" sweep (they live with
#: the lab's state, which a link carries: lib.ui.pages.invariance).
ALPHAS = page.ALPHAS
STRENGTHS = page.SWEEP_STRENGTHS
#: Rows of each environment in the sweep. With 300, the spurious set's p-value went back
#: above α at full strength on some worlds and seeds; with 1,000 it stays below α from
#: where it first falls there, on every world's first sweep and seeds 0-5 (about 0.15 s).
SWEEP_N = 1000
#: The nonlinear example: how far its environments shift the dose, as a share of
#: NONLINEAR_SHIFT_SDS; ICP sees the observational world and the dose shifted by half
#: and all of the chosen share (three environments of BEND_N rows).
BEND_STRENGTHS = page.BEND_STRENGTHS
BEND_STEPS = (0.5, 1.0)
BEND_N = 300
#: Repetitions offered for the power simulation, its strengths, rows and time bound.
POWER_REPS = page.POWER_REPS
POWER_STRENGTHS = (0.0, 0.1, 0.25, 0.5, 0.75, 1.0)
POWER_N = 300
POWER_SECONDS = 12.0
#: Candidates up to which ICP runs by itself on every rerun (2**14 subsets: ~0.1 s).
EXACT_AUTO = 14

EnvKey = tuple[tuple[str, tuple[str, ...], int], ...]


def env_key(envs: Sequence[Environment]) -> EnvKey:
    """A hashable, exact key for a list of environments (for caches)."""
    return tuple((e.name, interventions_key(e.interventions), e.n) for e in envs)


# ----------------------------------------------------------------------------- scenario: cached


@st.cache_resource(max_entries=16, show_spinner=_SPIN)
def node_sds(scenario_id: str) -> dict[str, float]:
    """Each node's observational standard deviation (sizes custom shifts)."""
    df = get_scenario(scenario_id).scm.sample(2000, 0)
    return {c: float(df[c].std()) for c in df.columns}


@st.cache_resource(max_entries=32, show_spinner=_SPIN)
def pooled(scenario_id: str, seed: int, key: EnvKey, _envs: Sequence[Environment]) -> pd.DataFrame:
    """The pooled sample of the composed environments (shared, never modified)."""
    return pooled_sample(get_scenario(scenario_id).scm, list(_envs), seed)


@st.cache_resource(max_entries=64, show_spinner=_SPIN)
def icp_fit(
    scenario_id: str, seed: int, key: EnvKey, alpha: float, _envs: Sequence[Environment]
) -> ICPResult:
    """ICP on the pooled sample, the scenario's features as candidates."""
    sc = get_scenario(scenario_id)
    df = pooled(scenario_id, seed, key, _envs)
    return icp(df, sc.target, ENV_COLUMN, alpha, candidates=list(sc.features))


@st.cache_resource(max_entries=64, show_spinner=_SPIN)
def result_figure(
    scenario_id: str, seed: int, key: EnvKey, alpha: float, _envs: Sequence[Environment]
) -> Figure:
    res = icp_fit(scenario_id, seed, key, alpha, _envs)
    return icp_figure(res)


@st.cache_resource(max_entries=64, show_spinner=_SPIN)
def top_sets_figure(
    scenario_id: str, seed: int, key: EnvKey, alpha: float, _envs: Sequence[Environment]
) -> Figure:
    """The five sets with the largest p-values as bars: ICP's verdict for a projector,
    where the lattice's many small boxes would be too small to read."""
    res = icp_fit(scenario_id, seed, key, alpha, _envs)
    return ip.ranked_sets_figure(res.set_pvalues.table(top=5), res.candidates, res.alpha, top=5)


#: Most sets the lattice's narrow stand-in ranks (a lattice has at most 32).
NARROW_SETS = 16
#: Longest line of a set's name in the narrow stand-in.
NARROW_LINE_CHARS = 22


@st.cache_resource(max_entries=64, show_spinner=_SPIN)
def narrow_sets_figure(
    scenario_id: str, seed: int, key: EnvKey, alpha: float, _envs: Sequence[Environment]
) -> Figure:
    """The lattice's sets ranked as bars, their names on short lines: the lattice's
    stand-in in a narrow column (a phone), where its boxes would overlap."""
    res = icp_fit(scenario_id, seed, key, alpha, _envs)
    top = min(NARROW_SETS, len(res.set_pvalues))
    return ip.ranked_sets_figure(
        res.set_pvalues.table(top=top),
        res.candidates,
        res.alpha,
        top=top,
        line_chars=NARROW_LINE_CHARS,
    )


def icp_figure(res: ICPResult) -> Figure:
    """The lattice for few candidates, the ranked sets beyond."""
    if len(res.candidates) <= ip.LATTICE_MAX_CANDIDATES:
        return ip.lattice_figure(res.set_pvalues, res.candidates, res.alpha)
    return ip.ranked_sets_figure(res.set_pvalues.table(top=15), res.candidates, res.alpha)


@st.cache_data(max_entries=64, show_spinner=_SPIN)
def held_out(
    scenario_id: str, seed: int, key: EnvKey, alpha: float, _envs: Sequence[Environment]
) -> tuple[pd.DataFrame, tuple[str, ...], tuple[str, ...]]:
    """The pooled and the ICP models fitted on the pooled sample, on a fresh sample of each
    environment and of each world none of them is (:func:`lib.invariance.compare.fresh_errors`)."""
    res = icp_fit(scenario_id, seed, key, alpha, _envs)
    train = pooled(scenario_id, seed, key, _envs)
    return fresh_errors(get_scenario(scenario_id), train, _envs, res.causal_predictors, seed)


def icp_model_name(errors: pd.DataFrame) -> str:
    """The ICP model's name in :func:`held_out`'s errors."""
    return ICP_NONE if ICP_NONE in set(errors["model"]) else ICP_MODEL


@st.cache_resource(max_entries=64, show_spinner=_SPIN)
def held_out_view(
    scenario_id: str,
    seed: int,
    key: EnvKey,
    alpha: float,
    unit: str,
    _envs: Sequence[Environment],
    projector: bool = False,
) -> tuple[Figure, str]:
    """:func:`held_out`'s errors as bars (the worlds in ICP's data apart from the new ones;
    ``projector``: laid out for the presenter view) and in words
    (:func:`lib.words.invariance.held_out_sentence`); built once, shared."""
    sc = get_scenario(scenario_id)
    errors, seen, new = held_out(scenario_id, seed, key, alpha, _envs)
    _, worlds = fresh_worlds(sc, _envs)
    reasons = {w: unchecked_reason(sc, worlds[w]) for w in new}
    words = held_out_sentence(
        errors, seen, reasons, pooled=POOLED, icp_model=icp_model_name(errors)
    )
    return ip.fresh_world_bars(errors, seen, new, unit=unit, projector=projector), words


@st.cache_resource(max_entries=64, show_spinner=_SPIN)
def _sweeps(scenario_id: str, preset: str, seed: int, alpha: float) -> tuple[pd.DataFrame, ...]:
    """The "invariance is local" sweep: observational + the preset at each strength, the
    models tested at that strength and on the full preset (one ICP run and fit per
    strength serve both; shared read-only, :func:`sweep` and :func:`sweep_full` copy)."""
    sc = get_scenario(scenario_id)
    return tuple(
        invariance_sweeps(
            sc,
            [Environment(OBSERVATIONAL_ENV, (), SWEEP_N)],
            preset,
            STRENGTHS,
            n=SWEEP_N,
            seed=seed,
            alpha=alpha,
            test_strengths=(None, 1.0),
        )
    )


def sweep(scenario_id: str, preset: str, seed: int, alpha: float) -> pd.DataFrame:
    """The sweep, each strength's models tested at that strength."""
    return _sweeps(scenario_id, preset, seed, alpha)[0].copy()


def sweep_full(scenario_id: str, preset: str, seed: int, alpha: float) -> pd.DataFrame:
    """The sweep, each strength's models tested on the full preset."""
    return _sweeps(scenario_id, preset, seed, alpha)[1].copy()


@st.cache_resource(max_entries=16, show_spinner=_SPIN)
def _bend_sweeps(seed: int, alpha: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The saturating world: ICP checks shifts of the dose up to each strength (three
    environments: none, half, full); the line is tested on the full 3-SD shift, and at
    the strongest shift ICP saw. One pooled sample, ICP run and fit per strength serve
    both tests (shared read-only; :func:`nonlinear_sweep` and :func:`nonlinear_sweep_same`
    hand out copies)."""
    full, same = invariance_sweeps(
        nonlinear_scenario(),
        [Environment(OBSERVATIONAL_ENV, (), BEND_N)],
        "dose",
        BEND_STRENGTHS,
        n=BEND_N,
        seed=seed,
        alpha=alpha,
        test_strengths=(1.0, None),
        shift_sds=NONLINEAR_SHIFT_SDS,
        steps=BEND_STEPS,
    )
    return full, same


@st.cache_data(max_entries=16, show_spinner=_SPIN)
def nonlinear_sweep(seed: int, alpha: float) -> pd.DataFrame:
    """The saturating world, the line tested on the full 3-SD shift."""
    return _bend_sweeps(seed, alpha)[0]


def causes_name(table: pd.DataFrame) -> str:
    """The sweep's causes' set as the legend names it: its members, or "no predictor"."""
    rows = table[table["set"] == "causal parents"]
    feats = str(rows["features"].iloc[0]) if len(rows) else ""
    return f"the causes' set {{{feats}}}" if feats else "no predictor (the average)"


def causes_short(table: pd.DataFrame) -> str:
    """The causes' set as the error chart's legend names it: "causes {dose}"."""
    rows = table[table["set"] == "causal parents"]
    return f"causes {{{rows['features'].iloc[0]}}}" if len(rows) else "causes"


def sweep_views(table: pd.DataFrame, full: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The sweep as the p-value chart's and the error chart's tables.

    The p-value chart: the set of every feature and the causes' set (named by its
    members; "no predictor (the average)" when ICP can see no cause). The error
    chart: the model on every feature tested where ICP checked it ("where checked") and
    on the full intervention ("full strength"), and the causes' model on the full
    intervention (when it has inputs): names short enough for one line of a legend.
    """
    pv = table[table["set"] != "ICP estimate"].copy()
    pv["set"] = ["every feature" if s == "all features" else causes_name(table) for s in pv["set"]]
    every = table[table["set"] == "all features"]
    every_full = full[full["set"] == "all features"]
    parts = [
        every.assign(model="every feature, where checked", kind="causal"),
        every_full.assign(model="every feature, full strength", kind="predictive"),
    ]
    causes = full[full["set"] == "causal parents"]
    if len(causes) and str(causes["features"].iloc[0]):
        parts.append(causes.assign(model=f"{causes_short(table)}, full strength", kind="causal"))
    err = pd.concat(parts)
    return pv[["strength", "set", "pvalue"]], err[["model", "kind", "strength", "rmse"]]


@st.cache_resource(max_entries=64, show_spinner=_SPIN)
def sweep_figures(
    scenario_id: str, preset: str, seed: int, alpha: float, strength: float, unit: str
) -> tuple[Figure, Figure]:
    table, full = _sweeps(scenario_id, preset, seed, alpha)
    pv, err = sweep_views(table, full)
    err_fig = ip.ood_error_vs_strength(
        err,
        at=strength,
        unit=unit,
        strength_label=f"strength of {preset} in ICP's data",
        kinds_named=False,
    )
    update_axes(err_fig, "y", {"title": {"text": f"RMSE{f'<br>({unit})' if unit else ''}"}})
    colors = (ip.OKABE_ITO[6], ip.OKABE_ITO[5], ip.OKABE_ITO[2])  # the p-value chart's green
    for trace, color in zip(err_fig["data"], colors, strict=False):
        trace["line"]["color"] = color
        trace["marker"]["color"] = color
    return (
        ip.pvalue_vs_strength(pv, alpha, at=strength, strength_label=f"strength of {preset}"),
        err_fig,
    )


@st.cache_data(max_entries=16, show_spinner=_SPIN)
def nonlinear_sweep_same(seed: int, alpha: float) -> pd.DataFrame:
    """The saturating world, tested at the strongest shift ICP saw (for comparison)."""
    return _bend_sweeps(seed, alpha)[1]


@st.cache_resource(max_entries=32, show_spinner=_SPIN)
def nonlinear_figures(seed: int, alpha: float, strength: float) -> tuple[Figure, Figure]:
    full = nonlinear_sweep(seed, alpha)
    full = full[full["set"] == "all features"]
    same = nonlinear_sweep_same(seed, alpha)
    same = same[same["set"] == "all features"]
    pv = full[["strength", "pvalue"]].assign(set="a straight line in dose")
    err = pd.concat(
        [
            full.assign(model="tested on the full 3-SD shift", kind="predictive"),
            same.assign(model="tested at the strongest shift ICP saw", kind="causal"),
        ]
    )[["model", "kind", "strength", "rmse"]]
    x_title = f"ICP's largest shift (1 = {NONLINEAR_SHIFT_SDS:g} SD)"
    err_fig = ip.ood_error_vs_strength(
        err, at=strength, unit="points", strength_label=x_title, kinds_named=False
    )
    update_axes(err_fig, "y", {"title": {"text": "RMSE (points)"}})
    # one model tested in two places: not a predictive/causal pair, so neutral colours
    for trace, color in zip(err_fig["data"], (ip.OKABE_ITO[5], ip.OKABE_ITO[2]), strict=False):
        trace["line"]["color"] = color
        trace["marker"]["color"] = color
    return (
        ip.pvalue_vs_strength(pv, alpha, at=strength, strength_label=x_title),
        err_fig,
    )


def scenario_ids() -> list[str]:
    """Ids of the built-in scenarios (for pointers to another world)."""
    return list_scenarios()


# ----------------------------------------------------------------------------- drawing


#: The lattice on a wide screen, its ranked stand-in on a phone: the server does not
#: know the screen's width, so both are drawn and the lab's style rules show one
#: (:func:`lib.ui.widgets.wide_and_narrow`, below this width).
NARROW_PX = 640


def show_icp(
    res: ICPResult,
    units: dict[str, str] | None = None,
    key: str = "main",
    figure: Figure | None = None,
    why: str = "",
    narrow: Figure | None = None,
) -> None:
    """ICP's verdict in words (and ``why``: which sets passed), the lattice (or ranked
    sets), and the per-predictor table.

    ``narrow``: the lattice's stand-in (:func:`narrow_sets_figure`), drawn instead of it
    on a screen narrower than :data:`NARROW_PX` (a phone; built here when not given)."""
    with st.container(border=True):
        st.markdown(icp_sentence(res) + (f" {why}" if why else ""))
        note = res.note.replace(NO_SET_NOTE, "").strip()
        if note:
            st.caption(note)
    if len(res.candidates) <= ip.LATTICE_MAX_CANDIDATES:
        caption = (
            f"The p-value lattice: every set of predictors ICP tried for {res.target}, from none "
            f"(left) to all (right), one box each. A set's p-value says how likely differences "
            f"between the environments as large as these would be if its regression were the "
            f"same in all of them. Blue (high): it fits every environment alike; pale: it "
            f"changes between them. Sets with a black outline and ✓ passed the test: p above α = "
            f"{res.alpha:g}, the test's level (the risk ICP accepts of naming a non-cause). "
            f"ICP's causes are the predictors every passing set shares."
        )
        key_names = ip.shortened_names(res.candidates)
        if key_names:
            caption += (
                " In the boxes, "
                + "; ".join(
                    f"{inert(short)} is {code_span(full)}" for short, full in key_names.items()
                )
                + "."
            )
    else:
        caption = (
            f"The 15 sets with the highest p-values of the {len(res.set_pvalues):,} ICP "
            f"tried (too many for a lattice). "
            + (
                f"Blue bars passed the test (right of α = {res.alpha:g}); grey ones were rejected."
                if res.accepted_sets
                else f"All are grey: not one set passed the test (p > α = {res.alpha:g})."
            )
        )
    lattice = len(res.candidates) <= ip.LATTICE_MAX_CANDIDATES
    if figure is None and lattice and teach_state().present:  # a projected chart is short
        figure = ip.ranked_sets_figure(res.set_pvalues.table(top=5), res.candidates, res.alpha, 5)
    shown = figure if figure is not None else icp_figure(res)
    if lattice and narrow is None and figure is None:
        narrow = ip.ranked_sets_figure(
            res.set_pvalues.table(top=NARROW_SETS),
            res.candidates,
            res.alpha,
            top=NARROW_SETS,
            line_chars=NARROW_LINE_CHARS,
        )
    if narrow is None or not lattice:
        chart(shown, caption, key=f"icp_fig_{key}")
    else:
        wide, small = wide_and_narrow(f"icp_{key}")
        with wide:
            chart(shown, caption, key=f"icp_fig_{key}")
        with small:
            chart(
                narrow,
                f"The {min(NARROW_SETS, len(res.set_pvalues))} sets of predictors with the "
                f"highest p-values of the {len(res.set_pvalues):,} ICP tried for "
                f"{res.target} (the lattice, on a wider screen, shows them all by size). "
                f"Blue bars passed the test: p above α = {res.alpha:g}, the test's level. "
                f"ICP's causes are the predictors every passing set shares.",
                key=f"icp_narrow_{key}",
            )
    table = predictor_table(res)
    config: dict[str, Any] = {
        "estimated cause": st.column_config.CheckboxColumn("ICP's cause?"),
        "p-value": st.column_config.NumberColumn(format="%.2g"),
        "CI low": st.column_config.NumberColumn("interval: low", format="%.3g"),
        "CI high": st.column_config.NumberColumn("interval: high", format="%.3g"),
    }
    unit = (units or {}).get(res.target, "")
    text = (
        "Per predictor: a small p-value means every set without it was rejected — evidence "
        "that it is a cause."
    )
    if res.no_set_accepted:
        table = table.drop(columns=["CI low", "CI high"])
        text += " With no set accepted, every p-value is 1 and there is no interval."
    else:
        text += (
            f" The interval covers its coefficient ({unit + ' of ' if unit else ''}"
            f"{res.target} per unit of the predictor) in every accepted set; an interval "
            f"containing 0 means some accepted set does without it."
        )
    data_frame(table, hide_index=True, width="stretch", column_config=config)
    st.caption(text)


# ----------------------------------------------------------------------------- power


@st.cache_resource(show_spinner=_SPIN)
def kept_results() -> dict[tuple, Any]:
    """Results of runs started with a button, shared by all sessions (bounded)."""
    return {}


def keep_result(key: tuple, value: Any) -> None:
    store = kept_results()
    store[key] = value
    while len(store) > 64:
        store.pop(next(iter(store)))


def power_key(scenario_id: str, key: EnvKey, reps: int, seed: int, alpha: float) -> tuple[Any, ...]:
    return ("power", scenario_id, key, reps, seed, alpha)


def power_result(pkey: tuple) -> pd.DataFrame | None:
    return kept_results().get(pkey)


def run_power(
    pkey: tuple,
    scenario_id: str,
    envs: Sequence[Environment],
    reps: int,
    seed: int,
    alpha: float,
    progress: Callable[[float], None],
    cancel: Callable[[], bool],
) -> pd.DataFrame:
    """Run the Monte-Carlo power simulation (bounded in time) and keep its result."""
    out = icp_power(
        get_scenario(scenario_id),
        POWER_STRENGTHS,
        reps,
        n=POWER_N,
        seed=seed,
        alpha=alpha,
        progress=progress,
        cancel=cancel,
        environments=list(envs),
        max_seconds=POWER_SECONDS,
    )
    if not bool(out["stopped_early"].any()) or not cancel():
        keep_result(pkey, out)
    return out


def power_outcomes(sc: Any) -> dict[str, str]:
    """The power table's outcomes as the chart's legend reads them (the causes ICP can
    see by name: :func:`lib.invariance.sweeps.visible_causes`)."""
    causes = [f for f in sc.features if f in visible_causes(sc)]
    return {
        "exact": f"named exactly {{{', '.join(causes)}}}"
        if causes
        else "named nothing (right here)",
        "subset": "named no non-cause (ICP's promise: ≥ 1 − α)",
        "none_accepted": "rejected every set",
    }


def power_long(power: pd.DataFrame, outcomes: dict[str, str]) -> pd.DataFrame:
    """The power table in long form for :func:`lib.figures.invariance.power_curve`."""
    rows = []
    for col, name in outcomes.items():
        for r in power.itertuples(index=False):
            rows.append(
                {"strength": r.strength, "outcome": name, "rate": getattr(r, col), "reps": r.reps}
            )
    return pd.DataFrame(rows)


def parents_text(sc: Any) -> str:
    """The causes ICP can see, as code spans ("" for none)."""
    parents = [f for f in sc.features if f in visible_causes(sc)]
    return ", ".join(code_span(p) for p in parents) if parents else ""


def local_words(sc: Any, preset: str, strength: float) -> list[tuple[str, str]]:
    """The two environments of the sweep, in words."""
    desc = sc.presets[preset].description or preset
    return [
        (OBSERVATIONAL_ENV, "no intervention"),
        (preset, f"{desc}, at {percent(strength)} strength" if strength < 1 else desc),
    ]


def label_of(sc: Any) -> str:
    return label(sc.target, sc.units)
