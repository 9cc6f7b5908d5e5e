"""Where the room stood: a live class's answers to one question, as one chart.

Bars of how many students gave each answer (counted by :mod:`lib.live.room`);
the bars of the lab's answer, once revealed, in the lab's green, and for a
number the true value beside its bar. The bars are rows: long labels stay
level and readable in half a projector's width.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import plotly.graph_objects as go

from lib.figures.style import NEUTRAL, OKABE_ITO, style
from lib.text.escape import plotly_text

__all__ = ["ANSWER_COLOR", "ROOM_COLOR", "room_figure"]

#: Bars of the room's answers.
ROOM_COLOR = "#9AA5B1"
#: The lab's answer, once revealed (Okabe–Ito bluish green).
ANSWER_COLOR = OKABE_ITO[2]


def room_figure(
    labels: Sequence[str],
    counts: Sequence[int],
    marked: Collection[int] = (),
    *,
    note: str = "",
    height: int = 320,
) -> go.Figure:
    """The room's answers as bars, one row each, the first answer on top, each
    labelled with its count (the question says what the rows are: no axis titles).

    Parameters
    ----------
    labels, counts : sequences
        One bar each: what it is and how many students.
    marked : collection of int
        The bars of the lab's answer (empty before the reveal).
    note : str
        Said beside the first marked bar's count (a number's true value).
    height : int
        The figure's height in px.
    """
    colors = [ANSWER_COLOR if i in marked else ROOM_COLOR for i in range(len(labels))]
    # the lab's answer is named in its label too: a bar of 0 has no colour to show
    names = [("✓ " if i in marked else "") + plotly_text(str(v)) for i, v in enumerate(labels)]
    first = min(marked) if marked else -1
    text = [
        (f"{c}  ← {plotly_text(note)}" if i == first and note else str(c))
        for i, c in enumerate(counts)
    ]
    top = max([*counts, 1])
    bar = go.Bar(
        x=list(counts),
        y=names,
        orientation="h",
        marker={"color": colors, "line": {"color": NEUTRAL, "width": 1}},
        text=text,
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{y}: %{x}<extra></extra>",
    )
    fig = style(go.Figure(bar), "", None, None, height)
    fig.update_yaxes(autorange="reversed", title=None, ticksuffix=" ")
    # the counts are written on the bars; room on the right for the longest text
    fig.update_xaxes(range=[0, top * (2.2 if note else 1.25)], visible=False)
    fig.update_layout(showlegend=False, bargap=0.3, margin={"t": 8, "b": 8, "r": 8})
    return fig
