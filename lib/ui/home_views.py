"""The home page's sections: what the lab is, where to start, and the world's story."""

from __future__ import annotations

from typing import Any

import streamlit as st

from lib.ui import table_views
from lib.ui.declare import own_world
from lib.ui.glossary_views import WORDS_ANCHOR
from lib.ui.pages import PAGES
from lib.ui.state import Lab, page_link
from lib.ui.widgets import causal_graph, page_header

__all__ = [
    "FOLLOWERS",
    "header_section",
    "start_section",
    "story_section",
    "words_link",
    "world_pages_sentence",
]

#: The pages that draw the world picked in the sidebar.
FOLLOWERS = ("Data", "Models", "Interventions", "Invariance")


def world_pages_sentence() -> str:
    """Which pages follow the sidebar's world, and which have worlds of their own (those
    that say so at their top, :func:`lib.ui.declare.own_world`)."""
    own = [p.menu_label for p in PAGES.values() if own_world(p)]
    names = list(FOLLOWERS)
    text = (
        "Pick another world in the sidebar: the "
        + ", ".join(names[:-1])
        + f" and {names[-1]} pages follow it"
    )
    if own:
        shown = own[0] if len(own) == 1 else ", ".join(own[:-1]) + f" and {own[-1]}"
        text += f"; {shown} " + (
            "has a world of its own" if len(own) == 1 else "have worlds of their own"
        )
    return text + "."


def header_section(lab: Lab, data: Any) -> None:
    """The lab's name, and predicting against explaining in three sentences."""
    page_header(
        "Predict or Explain",
        "A model that <b>predicts</b> well has learned what goes with the outcome. "
        "A model that <b>explains</b> has learned what causes it. "
        "In the data you trained on, both look good — change the world, and only one keeps working.",
        trusted_html=True,
    )


def start_section(lab: Lab, data: Any) -> None:
    """Where to start: the three steps, for a world or for a table."""
    sc = lab.scenario
    if lab.table is not None:
        table_views.home_view(lab.table)
        st.subheader("Start here", anchor=False)
        table_steps = [
            (
                "Data",
                "1 · Set up the table",
                "Choose the target, the features, the environments, and draw the causes.",
            ),
            (
                "Models",
                "2 · Fit two models",
                "All your columns against only the causes you declared.",
            ),
            (
                "Interventions",
                "3 · Move to a new environment",
                "Leave one environment out and see which model travels.",
            ),
        ]
        for column, (page, title, text) in zip(
            st.columns(3, gap="medium"), table_steps, strict=True
        ):
            with column.container(border=True):
                page_link(page, label=title)
                st.markdown(text)
        words_link()
        return

    st.subheader("Start here", anchor=False)
    first_preset = next(iter(sc.presets), None)
    steps = [
        (
            "Data",
            "1 · See the world",
            "Its causal graph, a sample of its data, and what goes with what.",
        ),
        (
            "Models",
            "2 · Fit two models",
            "A predictive model uses every clue; a causal one only the causes.",
        ),
        (
            "Interventions",
            "3 · Change the world",
            f"Apply “{first_preset}” and watch which model breaks."
            if first_preset
            else "Change one variable and watch which model breaks.",
        ),
    ]
    # the third card always opens its preset at full strength, whatever was chosen last
    opens: dict[str, dict[str, Any]] = (
        {"Interventions": {"preset": first_preset, "strength": 1.0}} if first_preset else {}
    )
    for column, (page, title, text) in zip(st.columns(3, gap="medium"), steps, strict=True):
        with column.container(border=True):
            page_link(page, label=title, **opens.get(page, {}))
            st.markdown(text)
    st.caption(world_pages_sentence())
    page_link(
        "Lessons",
        label="Or follow a lesson: predict what happens, then see what the lab computes",
    )
    page_link("Class", label="In a class? Join your teacher's live class with its code")
    words_link()


def words_link() -> None:
    """The way to the list of every word the lab uses, further down this page."""
    st.markdown(
        f"New to these words? [Words used here](#{WORDS_ANCHOR}), at the bottom of this page, "
        "explains each one in a sentence or two."
    )


def story_section(lab: Lab, data: Any) -> None:
    """The chosen world's story and causal graph."""
    sc = lab.scenario
    st.divider()

    st.subheader(f"The story: {sc.title}", anchor=False)
    st.markdown(sc.story or sc.summary)
    st.subheader("Its causal graph", anchor=False)
    causal_graph(sc)
