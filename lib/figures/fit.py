"""Layouts that fit a projector's short charts and a phone's narrow ones.

The presenter view draws a chart at most :data:`lib.figures.style.PROJECTOR_HEIGHT`
px tall with type half as large again; a phone gives a chart about 350 px of
width. A legend placed by a fraction of the plot (``y = -0.25``) lands on the x
axis's title once the type grows, and a long title or axis title is cut. These
helpers place what plotly can place for itself:

* :func:`legend_below` — the legend in rows at the bottom of the chart, under the
  x axis and its title: plotly reserves the legend's own height there, whatever
  the type size and width (``yref="container"``);
* :func:`wrapped` — a label broken at spaces into lines of at most so many
  characters (``<br>``), each line made inert for plotly.

Plain data in, the same figure out (:data:`lib.figures.style.Figure`); nothing
here imports Streamlit.
"""

from __future__ import annotations

from typing import Any

from lib.figures.style import Figure, fill_words, update_layout
from lib.text.escape import plotly_text

__all__ = ["BELOW_MARGIN", "LEGEND_BELOW", "legend_below", "wrapped"]

#: A horizontal legend at the bottom of the chart (its height reserved under the x axis).
LEGEND_BELOW: dict[str, Any] = {
    "orientation": "h",
    "xref": "paper",
    "x": 0.0,
    "xanchor": "left",
    "yref": "container",
    "y": 0.0,
    "yanchor": "bottom",
    "title": {"text": ""},
}


#: The chart's bottom margin under such a legend: plotly adds the legend's height and
#: the x axis's labels to it (the house style's 64 px would leave a gap above the legend).
BELOW_MARGIN: dict[str, Any] = {"b": 8}


def legend_below(fig: Figure, **legend: Any) -> Figure:
    """Put ``fig``'s legend in rows at the bottom of the chart, below the x axis's title,
    with ``legend``'s other settings (changes ``fig``; returns it).

    >>> legend_below({"data": [], "layout": {}})["layout"]["legend"]["yref"]
    'container'
    """
    return update_layout(fig, {"legend": {**LEGEND_BELOW, **legend}, "margin": BELOW_MARGIN})


def wrapped(text: str, chars: int) -> str:
    """``text`` broken at spaces into lines of at most ``chars`` characters (a longer
    word keeps a line of its own), joined by ``<br>``; each line made inert for plotly.

    >>> wrapped("clinic D: 40% take amantadine", 16)
    'clinic D: 40%<br>take amantadine'
    """
    return "<br>".join(plotly_text(line) for line in fill_words(str(text), chars))
