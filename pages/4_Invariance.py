"""Invariance: ICP keeps the predictors whose relation to the target is the same everywhere."""

import streamlit as st

from lib.ui import invariance_views as iv
from lib.ui.handout_views import handout_control
from lib.ui.invariance_sections import (
    alpha_control,
    bend_section,
    environments_section,
    icp_section,
    local_section,
    power_section,
)
from lib.ui.state import init_page
from lib.ui.widgets import page_header

lab = init_page("Invariance")
page_header(
    "Invariance",
    "A cause predicts the same way in every environment. Invariant Causal Prediction (ICP) "
    "turns this around: it keeps every set of predictors whose regression is the same in all "
    "environments, and names what those sets share.",
)

if lab.table is not None:
    head, pick = st.columns([3, 1], vertical_alignment="bottom")
    with pick:
        alpha = alpha_control()
    iv.table_view(lab.table, alpha)
    st.stop()

sc = lab.scenario
sid, n, seed = lab.key
envs = environments_section(sc, sid, n)  # 1 · the environments
res, alpha = icp_section(sc, sid, n, seed, envs)  # 2 · what ICP concludes, 3 · fresh samples
local_section(sc, sid, seed, alpha)  # 4 · invariance is local
bend_section(seed, alpha)  # 5 · a mechanism that bends
power_section(sc, sid, seed, envs, alpha)  # 6 · how often ICP finds the causes
if envs is not None and res is not None:
    handout_control(lab, environments=envs)  # the view as a web page, and a script
