"""The Invariance page for a table: ICP on its environment column, and held-out environments.

A table has no simulator behind it, so the page shows ICP's verdict on the
table's environments and each model's error on an environment left out; the
sweeps and the power simulation need a simulated world
(:mod:`lib.ui.invariance_sections`).
"""

from __future__ import annotations

import time
from dataclasses import replace

import pandas as pd
import streamlit as st

from lib.errors import DataError
from lib.figures import invariance as ip
from lib.invariance.compare import icp_loeo
from lib.invariance.engine import ICPCancelled, ICPResult, icp
from lib.tables.read import numeric_frame
from lib.tables.setup import TableSetup
from lib.text.escape import plotly_text
from lib.ui import invariance_views as iv
from lib.ui import tables
from lib.ui.tables import TableChoice, code
from lib.ui.widgets import chart

__all__ = ["big_icp", "icp_edges", "table_frame", "table_icp", "table_loeo", "table_view"]

_SPIN = False
#: Candidates up to which ICP runs by itself on every rerun (2**14 subsets: ~0.1 s).
EXACT_AUTO = iv.EXACT_AUTO


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
    done = iv.kept_results().get(rkey)
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
    iv.keep_result(rkey, res)
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
    iv.show_icp(res, key="table")
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
