"""The "Handout" control at the bottom of the world pages that declare a handout.

Two downloads: the view as one web page that works offline
(:func:`lib.teach.handout.build_handout`), and a Python script that reproduces
its numbers (:func:`lib.teach.reproduce.reproduce_script`). The page's own cached
figures and tables go into the handout; the files are made only when a button is
pressed: Streamlit calls the button's function then, outside the page's run, and
it reads the page's caches (a page run only reads the view's link).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from lib.fitting.experiments import OBSERVATIONAL
from lib.teach.handout import Graph, Plot, Section, Table, build_handout
from lib.teach.reproduce import script_file_name
from lib.text.escape import code_list
from lib.ui import compute
from lib.ui import invariance_views as iv
from lib.ui.lab import (
    Choice,
    choose,
    clue_sentence,
    clues,
    data_columns,
    family_models,
    interventions_key,
    node_table,
    predictive_inputs_text,
)
from lib.ui.pages import page as page_spec
from lib.ui.params import to_query
from lib.ui.state import Lab
from lib.ui.widgets import scenario_dot
from lib.words.invariance import truth_sentence
from lib.world.environments import Environment
from lib.world.scenarios import Scenario

__all__ = [
    "data_handout",
    "handout_control",
    "handout_section",
    "handout_sections",
    "interventions_handout",
    "invariance_handout",
    "models_handout",
    "view_link",
    "view_settings",
]

HTML_LABEL = "This view as a web page (HTML, works offline)"
SCRIPT_LABEL = "Python script that reproduces these numbers"


def view_link(page: str, lab: Lab) -> str | None:
    """The address of this view (the page's URL with the view's parameters), if known."""
    try:
        base = st.context.url
    except Exception:  # noqa: BLE001 - no browser behind this run (a test, a bare run)
        base = None
    if not base:
        return None
    return f"{base.split('?', 1)[0]}?{urlencode(to_query(lab.state, page))}"


def view_settings(page: str, lab: Lab, choice: Choice | None = None) -> list[tuple[str, str]]:
    """What made the view, as (name, value) rows for the handout's settings table."""
    sc, state = lab.scenario, lab.state
    rows = [
        ("Page", page),
        ("World", f"{sc.title} ({sc.id})"),
        ("Rows", f"{state.n:,}"),
        ("Seed", str(state.seed)),
    ]
    if choice is not None:
        rows += [
            ("Intervention", f"{choice.test}: {choice.description}"),
            ("Strength", f"{100 * choice.strength:.0f}%"),
        ]
    if "family" in page_spec(page).link:
        rows.append(("Models in the plots", state.family.capitalize()))
    return rows


def _data_sections(sc: Scenario, lab: Lab) -> list[Section]:
    sid, n, seed = lab.key
    df = compute.sample(sid, n, seed)
    observed, _ = data_columns(sc)
    clue_table = clues(df, sc.target, [c for c in observed if c != sc.target], sc.causal_features)
    return [
        Section(
            "The world",
            sc.story,  # the summary is the handout's lead
            figures=[
                Graph(
                    scenario_dot(sc),
                    "The causal graph: an arrow points from a cause to "
                    "what it causes. The target is green.",
                    edges=list(sc.scm.original_graph.edges),
                ),
                Table(
                    node_table(sc),
                    "Each node is computed from its causes, plus its own "
                    "random part. Unobserved nodes are simulated but hidden from every model.",
                ),
            ],
        ),
        Section(
            "What goes with what",
            clue_sentence(clue_table, sc.target, graph=sc.scm.original_graph),
            figures=[
                Plot(
                    compute.heatmap_figure(sid, n, seed, tuple(observed)),
                    "Correlations between the observed variables: red positive, blue negative.",
                ),
                Table(
                    clue_table.rename(columns={"r": "correlation r", "causal input": "a cause?"}),
                    f"Clues to {sc.target}, strongest first.",
                ),
                Plot(
                    compute.pairs_figure(sid, n, seed, (sc.target, *sc.features)),
                    "Each panel "
                    f"plots one pair of variables; colour shows {sc.target}. A tight cloud says "
                    "one predicts the other, not which causes which.",
                ),
            ],
        ),
    ]


def _models_sections(sc: Scenario, lab: Lab) -> list[Section]:
    sid, n, seed = lab.key
    exp = compute.experiment(sid, n, seed)
    results = compute.evaluate(sid, n, seed, OBSERVATIONAL, (), ())
    scores = results[results["test"] == OBSERVATIONAL][["model", "kind", "rmse", "r2"]]
    linear = [m for m in exp.models if m.family == "linear" and m.features]
    pred, caus = family_models(exp.models, lab.state.family)
    return [
        Section(
            "What each model may use",
            f"**Predictive model** uses {code_list(sc.features)}.\n\n"
            f"{predictive_inputs_text(sc)}\n\n"
            f"**Causal model** uses {code_list(sc.causal_features)}: the causes of "
            f"{code_list([sc.target])}.",
        ),
        Section(
            "How well they predict cases they never saw",
            figures=[
                Table(
                    scores.reset_index(drop=True),
                    f"Errors on a fresh sample of {n:,} rows "
                    f"from the same world (seed {seed + 1}). RMSE: typical error; R²: share of "
                    "the variation explained.",
                ),
            ],
        ),
        Section(
            "What the linear models learned",
            figures=[
                Plot(
                    compute.coefficient_figure(sid, n, seed, m.name),
                    f"{m.name}: change in "
                    f"{sc.target} for a one-SD change of each input, with 95% interval.",
                )
                for m in linear
            ],
        ),
        Section(
            "Predicted against actual, on held-out cases",
            figures=[
                Plot(
                    compute.fit_figure(sid, n, seed, m.name),
                    f"{m.name}: each dot is a case "
                    "the model never saw. On the dashed line the prediction is perfect.",
                )
                for m in (pred, caus)
                if m is not None
            ],
        ),
    ]


def _interventions_sections(sc: Scenario, lab: Lab, choice: Choice) -> list[Section]:
    sid, n, seed = lab.key
    key = interventions_key(choice.applied)
    ratios = compute.ratios(sid, n, seed, choice.test, key, choice.applied)
    table = pd.DataFrame(ratios).rename(columns={"before": "RMSE before", "after": "RMSE after"})
    changed = sc.scm.intervene(*choice.applied)
    exp = compute.experiment(sid, n, seed)
    pred, caus = family_models(exp.models, lab.state.family)
    base_key = interventions_key(choice.base)
    return [
        Section(
            "The intervention",
            f"**{choice.test}**: {choice.description}\n\n{choice.why}".strip(),
            figures=[
                Graph(
                    scenario_dot(
                        sc,
                        intervened=changed.intervened_nodes if choice.strength > 0 else (),
                        cut_edges=changed.cut_edges,
                    ),
                    "The changed world: intervened nodes are marked; cut arrows are dashed.",
                    edges=[e for e in sc.scm.original_graph.edges if e not in changed.cut_edges],
                )
            ],
        ),
        Section(
            "What happened",
            compute.explanation(sid, n, seed, choice.test, key, choice.applied),
            figures=[
                Table(
                    table,
                    "Each model's typical error (RMSE) before and after the change, "
                    "and the ratio. The models were trained before it and not refitted.",
                ),
                Plot(
                    compute.bars_figure(sid, n, seed, choice.test, key, choice.applied),
                    "Error of every model, without the intervention and with it.",
                ),
            ],
        ),
        Section(
            "Predicted against actual, before and after",
            figures=[
                Plot(
                    compute.before_after_figure(sid, n, seed, m.name, key, choice.applied),
                    f"{m.name}: faded dots before the intervention, dark diamonds the same "
                    "cases after it.",
                )
                for m in (pred, caus)
                if m is not None
            ],
        ),
        Section(
            "How strong before it breaks?",
            figures=[
                Plot(
                    compute.sweep_figure_at(sid, n, seed, base_key, choice.strength, choice.base),
                    "Error of each model as the intervention grows from none (0) to full (1).",
                ),
            ],
        ),
    ]


def _invariance_sections(sc: Scenario, lab: Lab, envs: Sequence[Environment]) -> list[Section]:
    sid, _, seed = lab.key
    alpha = lab.state.alpha
    key = iv.env_key(envs)
    res = iv.icp_fit(sid, seed, key, alpha, envs)
    table = pd.DataFrame(
        {
            "environment": [e.name for e in envs],
            "what differs": [e.describe() for e in envs],
            "rows": [e.n for e in envs],
        }
    )
    named = code_list(sorted(res.causal_predictors)) if res.causal_predictors else "nothing"
    return [
        Section(
            "The environments",
            "The same world, each with its own interventions; the pooled rows carry an "
            "`env` column naming each row's environment.",
            figures=[Table(table)],
        ),
        Section(
            "What ICP concludes",
            f"{res.verdict}\n\nNamed as causes of `{sc.target}`: {named}. "
            + truth_sentence(sc, res.causal_predictors, envs),
            figures=[
                Plot(
                    iv.result_figure(sid, seed, key, alpha, envs),
                    f"Every set of predictors and its p-value: accepted above α = {alpha:g}.",
                ),
                Table(res.set_pvalues.table(alpha), "Every tested set and its p-value."),
            ],
        ),
    ]


def data_handout(lab: Lab, environments: Sequence[Environment] = ()) -> tuple[list[Section], None]:
    """The Data page's handout: the world, and what goes with what."""
    return _data_sections(lab.scenario, lab), None


def models_handout(
    lab: Lab, environments: Sequence[Environment] = ()
) -> tuple[list[Section], None]:
    """The Models page's handout: what each model uses, their errors and what they learned."""
    return _models_sections(lab.scenario, lab), None


def interventions_handout(
    lab: Lab, environments: Sequence[Environment] = ()
) -> tuple[list[Section], Choice]:
    """The Interventions page's handout, and the intervention it shows.

    Raises
    ------
    ValueError
        When the view's intervention cannot be applied (the page shows why).
    """
    choice = choose(lab.state, lab.scenario)
    return _interventions_sections(lab.scenario, lab, choice), choice


def invariance_handout(
    lab: Lab, environments: Sequence[Environment] = ()
) -> tuple[list[Section], None]:
    """The Invariance page's handout on its pooled ``environments``."""
    return _invariance_sections(lab.scenario, lab, environments), None


def handout_sections(
    page: str, lab: Lab, environments: Sequence[Environment] = ()
) -> tuple[list[Section], Choice | None]:
    """The sections of a world's handout for ``page``, from the page's cached results
    (:attr:`lib.ui.pages.Page.handout`), and the intervention they show, if any.

    ``environments`` are the Invariance page's pooled environments.

    Raises
    ------
    ValueError
        For a page without a handout, or when the view's intervention cannot be
        applied (the page shows why).
    """
    make = page_spec(page).handout
    if make is None:
        raise ValueError(f"the {page} page has no handout.")
    sections, choice = make(lab, environments)
    return sections, choice


def _handout_maker(
    page: str, lab: Lab, environments: Sequence[Environment] = ()
) -> Callable[[], bytes]:
    """The handout, made when the button is pressed (outside the page's run).

    Only the link is read now (it needs the run's context); the sections come
    from the same caches the page drew from, so a click costs the page nothing
    and a page run costs no handout.
    """
    link = view_link(page, lab)
    title = f"{page} · {lab.scenario.title}"

    def make() -> bytes:
        sections, choice = handout_sections(page, lab, environments)
        settings = view_settings(page, lab, choice)
        html = build_handout(title, settings, sections, link=link, lead=lab.scenario.summary)
        return html.encode("utf-8")

    return make


def _script_maker(
    page: str, lab: Lab, environments: Sequence[Environment] = ()
) -> Callable[[], bytes]:
    state, sc, link = lab.state, lab.scenario, view_link(page, lab)
    script = page_spec(page).script
    if script is None:
        raise ValueError(f"the {page} page has no script.")
    return lambda: script(
        state, sc, link=link, environments=environments, alpha=state.alpha
    ).encode("utf-8")


def handout_section(lab: Lab, data: object) -> None:
    """The section that ends a world page: its Handout popover."""
    handout_control(lab)


def handout_control(lab: Lab, environments: Sequence[Environment] = ()) -> None:
    """The page's "Handout" popover: the view as a web page, and as a script.

    ``environments`` are the Invariance page's pooled environments.

    For a table the popover says what is possible instead (the rows can be
    downloaded on the Data page; handouts are made from simulated worlds).
    """
    page = lab.page
    with st.container(key="lab_handout"), st.popover("Handout", icon=":material/print:"):
        if lab.table is not None:
            st.caption(
                "Handouts and scripts are made for simulated worlds. For a table, download its "
                "rows on the Data page, and print this page from the browser."
            )
            return
        stem = script_file_name(page, lab.state).removesuffix(".py")
        st.download_button(
            HTML_LABEL,
            data=_handout_maker(page, lab, environments),
            file_name=f"{stem}.html",
            mime="text/html",
            icon=":material/description:",
            on_click="ignore",
            width="stretch",
            key="handout_html",
        )
        if page_spec(page).script is not None:
            st.download_button(
                SCRIPT_LABEL,
                data=_script_maker(page, lab, environments),
                file_name=f"{stem}.py",
                mime="text/x-python",
                icon=":material/code:",
                on_click="ignore",
                width="stretch",
                key="handout_script",
            )
        st.caption(
            "The web page holds this view's figures and numbers, opens without a network and "
            "prints one section a page. Run the script from the lab's folder to get the same "
            "numbers."
        )
