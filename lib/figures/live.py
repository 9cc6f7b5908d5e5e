"""Where the room stood: a live class's answers to one question, as one chart.

Bars of how many students gave each answer (counted by :mod:`lib.live.room`);
the bars of the lab's answer, once revealed, in the lab's green, and for a
number a note of the true value. Options are rows (long labels stay
readable in half a projector's width), a number's bins are columns.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence

import plotly.graph_objects as go

from lib.figures.charts import NEUTRAL, OKABE_ITO, _style
from lib.words.escape import plotly_text

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
    axis: str = "Answers",
    note: str = "",
    horizontal: bool = True,
    height: int = 320,
) -> go.Figure:
    """The room's answers as bars.

    Parameters
    ----------
    labels, counts : sequences
        One bar each: what it is and how many students.
    marked : collection of int
        The bars of the lab's answer (empty before the reveal).
    axis : str
        What the bars are (the category axis's title).
    note : str
        Shown above the marked bar (a number's true value).
    horizontal : bool
        Bars as rows (options) or columns (a number's bins).
    height : int
        The figure's height in px.
    """
    n_answers = int(sum(counts))
    colors = [ANSWER_COLOR if i in marked else ROOM_COLOR for i in range(len(labels))]
    names = [plotly_text(str(v)) for v in labels]
    top = max([*counts, 1])
    step = max(1, math.ceil(top / 5))
    bar = {
        "marker": {"color": colors, "line": {"color": NEUTRAL, "width": 1}},
        "text": [str(c) if c else "" for c in counts],
        "textposition": "outside",
        "cliponaxis": False,
        "hovertemplate": ("%{y}: %{x}" if horizontal else "%{x}: %{y}") + "<extra></extra>",
    }
    if horizontal:  # the first option on top, as the question lists them
        fig = go.Figure(go.Bar(x=list(counts), y=names, orientation="h", **bar))
        fig = _style(fig, "", "Students", None, height)
        fig.update_yaxes(autorange="reversed", title=None)
        fig.update_xaxes(range=[0, top * 1.25], dtick=step)
    else:
        fig = go.Figure(go.Bar(x=names, y=list(counts), **bar))
        fig = _style(fig, "", axis, "Students", height)
        fig.update_yaxes(range=[0, top * 1.35], dtick=step)
    if note and marked:
        where = names[min(marked)]
        fig.add_annotation(
            **(
                {"y": where, "x": top * 1.12, "xanchor": "left"}
                if horizontal
                else {"x": where, "y": top * 1.22}
            ),
            text=note,
            showarrow=False,
            font={"color": "#006b4f", "size": 16},
        )
    fig.update_layout(
        showlegend=False,
        bargap=0.3,
        meta={"answers": n_answers},
        margin={"t": 16},
    )
    return fig
