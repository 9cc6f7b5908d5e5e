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

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import pandas as pd
import streamlit as st

from lib.errors import DataError
from lib.figures import invariance as ip
from lib.figures.style import Figure, label, update_axes
from lib.invariance.compare import (
    NONLINEAR_SHIFT_SDS,
    comparison_models,
    environment_errors,
    icp_loeo,
    nonlinear_scenario,
    predictor_table,
)
from lib.invariance.engine import NO_SET_NOTE, ICPCancelled, ICPResult, icp
from lib.invariance.sweeps import icp_power, invariance_sweep, invariance_sweeps
from lib.tables.read import numeric_frame
from lib.tables.setup import TableSetup
from lib.text.escape import code_span, inert, plotly_text
from lib.text.numbers import percent
from lib.ui import tables
from lib.ui.lab import interventions_key
from lib.ui.pages import invariance as page
from lib.ui.registry import get_scenario
from lib.ui.tables import TableChoice, code
from lib.ui.widgets import chart
from lib.words.invariance import icp_sentence
from lib.world.environments import (
    ENV_COLUMN,
    OBSERVATIONAL_ENV,
    Environment,
    pooled_sample,
    true_parents,
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
    "table_view",
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


def icp_figure(res: ICPResult) -> Figure:
    """The lattice for few candidates, the ranked sets beyond."""
    if len(res.candidates) <= ip.LATTICE_MAX_CANDIDATES:
        return ip.lattice_figure(res.set_pvalues, res.candidates, res.alpha)
    return ip.ranked_sets_figure(res.set_pvalues.table(top=15), res.candidates, res.alpha)


def test_environments(sc: Any, n: int) -> dict[str, tuple]:
    """Held-out environments: the observational world and every preset at full strength."""
    tests: dict[str, tuple] = {OBSERVATIONAL_ENV: ()}
    tests.update({name: tuple(p) for name, p in sc.presets.items()})
    return tests


@st.cache_data(max_entries=64, show_spinner=_SPIN)
def held_out(
    scenario_id: str, seed: int, key: EnvKey, alpha: float, n: int, _envs: Sequence[Environment]
) -> pd.DataFrame:
    """Pooled, ICP and oracle models fitted on the pooled sample, scored on fresh samples
    of the observational world and of every preset at full strength (seed + 1)."""
    sc = get_scenario(scenario_id)
    res = icp_fit(scenario_id, seed, key, alpha, _envs)
    train = pooled(scenario_id, seed, key, _envs)
    tests = {
        name: sc.scm.sample(n, seed + 1 + i, ivs)
        for i, (name, ivs) in enumerate(test_environments(sc, n).items())
    }
    models = comparison_models(sc.features, res.causal_predictors, sc.causal_features)
    return environment_errors(train, tests, sc.target, models)


@st.cache_resource(max_entries=64, show_spinner=_SPIN)
def held_out_figure(
    scenario_id: str,
    seed: int,
    key: EnvKey,
    alpha: float,
    n: int,
    unit: str,
    _envs: Sequence[Environment],
) -> Figure:
    """:func:`held_out`'s errors as bars, one group per fresh world (built once, shared)."""
    return ip.environment_error_bars(
        held_out(scenario_id, seed, key, alpha, n, _envs),
        environment_label="world (a fresh sample of each)",
        unit=unit,
    )


@st.cache_data(max_entries=64, show_spinner=_SPIN)
def sweep(scenario_id: str, preset: str, seed: int, alpha: float) -> pd.DataFrame:
    """The "invariance is local" sweep: observational + the preset at each strength."""
    sc = get_scenario(scenario_id)
    return invariance_sweep(
        sc,
        [Environment(OBSERVATIONAL_ENV, (), SWEEP_N)],
        preset,
        STRENGTHS,
        n=SWEEP_N,
        seed=seed,
        alpha=alpha,
    )


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


#: How the sweep's sets read in the legend and which kind of model each one is.
SET_NAMES = {
    "all features": ("every feature", "predictive"),
    "causal parents": ("true parents", "causal"),
    "ICP estimate": ("ICP's estimate", "causal"),
}


def sweep_views(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The sweep as the p-value chart's and the error chart's tables.

    A set with no observed member is named so ("true parents (none observed)"):
    its model has no inputs and predicts the average.
    """
    pv = table[table["set"] != "ICP estimate"].copy()
    pv["set"] = [
        f"{SET_NAMES[s][0]}" + (" (none observed)" if not f else "")
        for s, f in zip(pv["set"], pv["features"], strict=True)
    ]
    err = table.copy()
    no_parents = not any(
        f for s, f in zip(table["set"], table["features"], strict=True) if s == "causal parents"
    )
    err["model"] = [
        SET_NAMES[s][0] + (" (none observed)" if s == "causal parents" and no_parents else "")
        for s in err["set"]
    ]
    err["kind"] = [SET_NAMES[s][1] for s in err["set"]]
    return pv[["strength", "set", "pvalue"]], err[["model", "kind", "strength", "rmse"]]


@st.cache_resource(max_entries=64, show_spinner=_SPIN)
def sweep_figures(
    scenario_id: str, preset: str, seed: int, alpha: float, strength: float, unit: str
) -> tuple[Figure, Figure]:
    table = sweep(scenario_id, preset, seed, alpha)
    pv, err = sweep_views(table)
    return (
        ip.pvalue_vs_strength(pv, alpha, at=strength, strength_label=f"strength of {preset}"),
        ip.ood_error_vs_strength(
            err, at=strength, unit=unit, strength_label=f"strength of {preset}"
        ),
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
    x_title = f"strongest shift of the dose ICP saw (1 = {NONLINEAR_SHIFT_SDS:g} SD)"
    err_fig = ip.ood_error_vs_strength(err, at=strength, unit="points", strength_label=x_title)
    update_axes(err_fig, "y", {"title": {"text": "RMSE of the line (points)"}})
    # one model tested in two places: not a predictive/causal pair, so neutral colours
    for trace, color in zip(err_fig["data"], (ip.OKABE_ITO[5], ip.OKABE_ITO[2]), strict=False):
        trace["name"] = str(trace["name"]).rsplit(" (", 1)[0]
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


def show_icp(
    res: ICPResult,
    units: dict[str, str] | None = None,
    key: str = "main",
    figure: Figure | None = None,
) -> None:
    """ICP's verdict in words, the lattice (or ranked sets), and the per-predictor table."""
    with st.container(border=True):
        st.markdown(icp_sentence(res))
        note = res.note.replace(NO_SET_NOTE, "").strip()
        if note:
            st.caption(note)
    if len(res.candidates) <= ip.LATTICE_MAX_CANDIDATES:
        caption = (
            f"Every set of predictors ICP tried for {res.target}, from none (left) to all "
            f"(right). Blue means the regression on that set fits every environment alike "
            f"(high p-value); pale means it changes between environments. Sets with a black "
            f"outline and ✓ passed the test (p > α = {res.alpha:g}); ICP's causes are the "
            f"predictors they all share."
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
    chart(figure if figure is not None else icp_figure(res), caption, key=f"icp_fig_{key}")
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
    st.dataframe(table, hide_index=True, width="stretch", column_config=config)
    st.caption(text)


# ----------------------------------------------------------------------------- power


@st.cache_resource(show_spinner=_SPIN)
def _store() -> dict[tuple, Any]:
    """Results of runs started with a button, shared by all sessions (bounded)."""
    return {}


def _remember(key: tuple, value: Any) -> None:
    store = _store()
    store[key] = value
    while len(store) > 64:
        store.pop(next(iter(store)))


def power_key(scenario_id: str, key: EnvKey, reps: int, seed: int, alpha: float) -> tuple[Any, ...]:
    return ("power", scenario_id, key, reps, seed, alpha)


def power_result(pkey: tuple) -> pd.DataFrame | None:
    return _store().get(pkey)


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
        _remember(pkey, out)
    return out


#: The power table's outcomes as the chart's legend reads them.
POWER_OUTCOMES = {
    "exact": "named exactly the true parents",
    "subset": "named no false cause (ICP's promise: ≥ 1 − α)",
    "none_accepted": "rejected every set",
}


def power_long(power: pd.DataFrame) -> pd.DataFrame:
    """The power table in long form for :func:`lib.figures.invariance.power_curve`."""
    rows = []
    for col, name in POWER_OUTCOMES.items():
        for r in power.itertuples(index=False):
            rows.append(
                {"strength": r.strength, "outcome": name, "rate": getattr(r, col), "reps": r.reps}
            )
    return pd.DataFrame(rows)


def parents_text(sc: Any) -> str:
    parents = [f for f in sc.features if f in true_parents(sc)]
    return ", ".join(code_span(p) for p in parents) if parents else ""


# ----------------------------------------------------------------------------- tables


@st.cache_resource(max_entries=16, show_spinner=_SPIN)
def table_frame(
    key: str, setup: TableSetup, policy: str, _choice: TableChoice
) -> tuple[pd.DataFrame, int]:
    """The target, features and environment of a table, as numbers (rows without an
    environment or with unusable cells left out); and how many rows were left out."""
    env = setup.environment
    assert env is not None
    columns = list(dict.fromkeys([setup.target, *setup.features]))
    frame, dropped = numeric_frame(_choice.table, columns, policy=policy)  # type: ignore[arg-type]
    envs = _choice.data.loc[frame.index, env]
    keep = envs.notna()
    out = frame.loc[keep].copy()
    out[env] = envs[keep].astype(str).to_numpy()
    return out.reset_index(drop=True), dropped + int((~keep).sum())


@st.cache_resource(max_entries=32, show_spinner=_SPIN)
def table_icp(
    key: str, setup: TableSetup, policy: str, alpha: float, _choice: TableChoice
) -> ICPResult:
    frame, _ = table_frame(key, setup, policy, _choice)
    assert setup.environment is not None
    return icp(frame, setup.target, setup.environment, alpha, candidates=list(setup.features))


@st.cache_data(max_entries=32, show_spinner=_SPIN)
def table_loeo(
    key: str, setup: TableSetup, policy: str, alpha: float, _choice: TableChoice, _res: ICPResult
) -> tuple[pd.DataFrame, str]:
    frame, _ = table_frame(key, setup, policy, _choice)
    assert setup.environment is not None
    return icp_loeo(
        frame,
        setup.target,
        setup.environment,
        list(_res.candidates),
        list(setup.parents) if setup.parents else None,
        alpha,
        full_icp=_res.causal_predictors,
    )


def _cancel_flag(name: str) -> None:
    st.session_state[name] = True


def _start_flag(name: str) -> None:
    st.session_state[name] = True
    st.session_state[name + "_cancel"] = False


def big_icp(choice: TableChoice, setup: TableSetup, alpha: float) -> ICPResult | None:
    """ICP on many candidates: only on request, with a progress bar and a cancel button."""
    ss = st.session_state
    rkey = ("icp", choice.key, setup, choice.policy, alpha)
    done = _store().get(rkey)
    if done is not None:
        return done
    p = len(setup.features)
    st.info(
        f"{p} candidates: "
        + (
            f"{2**p:,} sets to test, which takes a while."
            if p <= 20
            else f"more than ICP can test exhaustively ({2**p:,} sets), so a lasso first "
            f"keeps the most predictive ones."
        ),
        icon=":material/hourglass:",
    )
    st.button("Run ICP", key="inv_big_run", on_click=_start_flag, args=("inv_big",), type="primary")
    if ss.pop("inv_big_cancel_shown", False) and ss.get("inv_big_cancel"):
        st.warning("ICP was cancelled. Run it again, or choose fewer features on the Data page.")
    if not ss.get("inv_big"):
        return None
    ss["inv_big"] = False
    frame, _ = table_frame(choice.key, setup, choice.policy, choice)
    bar = st.progress(0.0, text="Testing the sets of predictors…")
    st.button("Cancel", key="inv_big_cancel_btn", on_click=_cancel_flag, args=("inv_big_cancel",))
    ss["inv_big_cancel_shown"] = True
    last = [0.0, time.perf_counter()]

    def progress(fraction: float) -> None:
        now = time.perf_counter()
        if fraction - last[0] >= 0.01 and now - last[1] > 0.1:
            last[:] = [fraction, now]
            bar.progress(min(1.0, fraction), text=f"Testing the sets of predictors… {fraction:.0%}")

    try:
        assert setup.environment is not None
        res = icp(
            frame,
            setup.target,
            setup.environment,
            alpha,
            candidates=list(setup.features),
            progress=progress,
            cancel=lambda: bool(ss.get("inv_big_cancel")),
        )
    except ICPCancelled:
        bar.empty()
        st.warning("ICP was cancelled before it tested every set.")
        return None
    bar.empty()
    _remember(rkey, res)
    return res


_GRUNFELD = (
    "**What ICP can and cannot conclude here.** The environments are firms, and nobody "
    "intervened on them: General Motors and Diamond Match differ in size, industry and "
    "management, none of which is a column. Around one pooled regression, their residuals "
    "differ in level (General Electric invests far less than its value and capital predict, US "
    "Steel far more) and in spread (a standard deviation of 2 for Diamond Match, 127 for "
    "General Motors), so every set is rejected. That does not say that value and capital do not "
    "drive investment; it says that one linear equation with the same noise for every firm "
    "does not fit (hidden firm-level variables act), so ICP names no cause. The rows are also "
    "yearly time series (20 per firm, not independent draws), which the test assumes away. "
    "To learn something here, ICP would need environments that shift the inputs while leaving "
    "the investment mechanism alone — for instance policy changes that move firms' market value."
)


def icp_edges(setup: TableSetup, causes: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """The declared graph with the target's causes replaced by ICP's (other arrows kept)."""
    kept = tuple((a, b) for a, b in setup.edges if b != setup.target)
    return kept + tuple((f, setup.target) for f in setup.features if f in causes)


def _use_icp_causes(setup: TableSetup, res: ICPResult) -> None:
    """A button that makes ICP's estimated causes the causal model's inputs on every page."""
    causes = res.causal_predictors
    if not causes:
        return
    if set(setup.parents) == set(causes):
        st.caption(
            "The causal model on the Models and Interventions pages already uses ICP's causes."
        )
        return
    names = ", ".join(code(c) for c in setup.features if c in causes)
    if st.button(
        f"Use ICP's causes ({names}) as the causal model's inputs",
        icon=":material/call_merge:",
        help="Replaces the arrows into the target you declared on the Data page; the Models "
        "and Interventions pages then fit the causal model on ICP's causes.",
    ):
        tables.set_setup(replace(setup, edges=icp_edges(setup, causes)))
        st.rerun()


def table_view(choice: TableChoice, alpha: float) -> None:
    """The Invariance page for a table: ICP on its environment column, and held-out firms."""
    from lib.ui.state import page_link  # state imports widgets; avoid a cycle at import

    setup = choice.setup
    if not setup.environment:
        st.info(
            "ICP compares environments — hospitals, batches, firms, authors — and keeps the "
            "predictors whose relation to the target is the same in every one. This table has "
            "no environment column yet: pick one on the Data page.",
            icon=":material/info:",
        )
        page_link("Data", label="Choose an environment column on the Data page")
        return
    if tables.setup_warnings(setup, choice.data.columns):
        return
    if not setup.features:
        st.warning("Choose at least one feature on the Data page.", icon=":material/warning:")
        return
    st.subheader("What ICP concludes", anchor=False)
    st.markdown(
        f"Environments: the values of {code(setup.environment)}. Candidates: the features you "
        f"chose ({', '.join(code(f) for f in setup.features)})."
    )
    try:
        frame, dropped = table_frame(choice.key, setup, choice.policy, choice)
        if len(setup.features) > EXACT_AUTO:
            res = big_icp(choice, setup, alpha)
            if res is None:
                return
        else:
            res = table_icp(choice.key, setup, choice.policy, alpha, choice)
    except DataError as exc:
        st.error(f"ICP cannot run on this table: {exc}", icon=":material/error:")
        return
    if dropped:
        st.caption(f"{dropped:,} rows with a missing or non-numeric cell are left out.")
    show_icp(res, key="table")
    _use_icp_causes(setup, res)
    if choice.dataset == "grunfeld":
        st.info(_GRUNFELD, icon=":material/account_balance:")

    st.subheader(f"On a {code(setup.environment)} none of the models saw", anchor=False)
    try:
        with st.spinner("Fitting on all environments but one, for each one…"):
            errors, note = table_loeo(choice.key, setup, choice.policy, alpha, choice, res)
    except DataError as exc:
        st.error(f"The comparison cannot be made: {exc}", icon=":material/error:")
        return
    fig = ip.environment_error_bars(
        errors, environment_label=f"held-out {plotly_text(setup.environment)}"
    )
    chart(
        fig,
        f"Each model is fitted on every {code(setup.environment)} but one and predicts the one left "
        f"out. Orange: the regression on every feature; blue: ICP's causes"
        + ("" if note else " (ICP rerun without the held-out one)")
        + " and the causes you declared (hatched). With no cause named, a model predicts the "
        "average." + (f" {note}" if note else ""),
        key="table_loeo",
    )
    st.caption(
        "The strength sweep and the power simulation need a simulated world, where every "
        "cause is known: switch the sidebar to a simulated world to see them."
    )


def local_words(sc: Any, preset: str, strength: float) -> list[tuple[str, str]]:
    """The two environments of the sweep, in words."""
    desc = sc.presets[preset].description or preset
    return [
        (OBSERVATIONAL_ENV, "no intervention"),
        (preset, f"{desc}, at {percent(strength)} strength" if strength < 1 else desc),
    ]


def label_of(sc: Any) -> str:
    return label(sc.target, sc.units)
