"""The lab's figure style: palette, type sizes and the helpers every figure module shares.

Every chart of the lab (:mod:`~lib.figures.charts`, :mod:`~lib.figures.invariance`,
:mod:`~lib.figures.attribution`, :mod:`~lib.figures.blackbox`, :mod:`~lib.figures.live`,
and the graphs of :mod:`~lib.figures.graph`) takes its look from here, so that
the same idea always looks the same:

* **palette** — *predictive* models are orange (:data:`PREDICTIVE_COLOR`),
  *causal* models blue (:data:`CAUSAL_COLOR`), on every figure
  (:func:`kind_color`); other marks come from the colour-blind-safe Okabe–Ito
  set (:data:`OKABE_ITO`), :data:`NEUTRAL` grey, and the :data:`DIVERGING_SCALE`
  and :data:`SEQUENTIAL_SCALE` colour scales; :func:`mix` and :func:`darker` blend them;
* **type** — :data:`BASE_FONT_SIZE`, :data:`TITLE_FONT_SIZE` and
  :data:`SMALL_FONT_SIZE` (the smallest text on any figure), large enough for
  a lecture hall; :func:`for_projector` makes a figure's type larger still for
  the presenter view (:func:`projector_height` lets a figure that needs it be taller
  there);
* **fit** — :func:`wrap_title` breaks a long axis title into lines and :func:`fit_titles`
  does it to every axis of a figure, so that no title is cut on a phone or runs past its
  plot on a projector;
* **layout** — :func:`style` applies all of it to a figure, :func:`legend_on_top`
  puts a legend in a row above the plot, :func:`label` writes an axis label with
  its unit;
* **figures as data** — a figure is plain data, ``{"data": [trace dicts],
  "layout": {...}}`` (:data:`Figure`), built directly: plotly's figure classes
  validate every property on every build, which cost a new view a quarter of
  its time. :func:`update_layout`, :func:`update_axes`, :func:`add_vline`,
  :func:`add_hline` and :func:`add_hrect` do to such a figure what plotly's
  methods of the same names do to a ``go.Figure``; :func:`copy_figure` copies one
  for a change, :func:`plain` makes the data sent to a browser, and
  :func:`as_figure` a ``go.Figure`` for code that needs one. A test checks every
  figure against plotly's own validation (``go.Figure(figure)``);
* **data** — :func:`subsample` picks the points a scatter draws (deterministic),
  :func:`require_frame` checks a figure's table.

Pure functions, no Streamlit.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from _plotly_utils.utils import convert_to_base64

__all__ = [
    "BASE_FONT_SIZE",
    "LEGEND_ON_TOP",
    "Figure",
    "CAUSAL_COLOR",
    "DIVERGING_SCALE",
    "FONT_FAMILY",
    "KIND_COLORS",
    "MAX_GROWN_LABELS",
    "NEUTRAL",
    "OKABE_ITO",
    "PREDICTIVE_COLOR",
    "PROJECTOR_HEIGHT",
    "PROJECTOR_MIN_FONT",
    "SEQUENTIAL_SCALE",
    "SMALL_FONT_SIZE",
    "TEMPLATE",
    "TITLE_FONT_SIZE",
    "add_hline",
    "add_hrect",
    "add_vline",
    "AXIS_TITLE_CHARS",
    "PROJECTOR_X_TITLE_CHARS",
    "PROJECTOR_Y_TITLE_CHARS",
    "as_figure",
    "fill_words",
    "fit_titles",
    "projector_height",
    "colorscale",
    "copy_figure",
    "darker",
    "for_projector",
    "kind_color",
    "label",
    "legend_on_top",
    "mix",
    "plain",
    "require_frame",
    "style",
    "style_data",
    "style_plain",
    "subsample",
    "update_axes",
    "update_layout",
    "wrap_title",
]

#: A figure as plain data: ``{"data": [trace dicts], "layout": {...}}``, what
#: ``go.Figure(figure)`` reads (and validates). Never changed once drawn.
Figure = dict[str, Any]

# --------------------------------------------------------------------------
# Palette and type
# --------------------------------------------------------------------------

#: The Okabe–Ito palette (Okabe & Ito 2008), safe for the common forms of
#: colour-vision deficiency: orange, sky blue, bluish green, yellow, blue,
#: vermillion, reddish purple, black.
OKABE_ITO: list[str] = [
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#000000",
]

#: Colour of every *predictive* model, on every figure.
PREDICTIVE_COLOR = "#E69F00"
#: Colour of every *causal* model, on every figure.
CAUSAL_COLOR = "#0072B2"
#: Model kind -> colour.
KIND_COLORS: dict[str, str] = {"predictive": PREDICTIVE_COLOR, "causal": CAUSAL_COLOR}
#: Reference lines, identity lines, secondary marks.
NEUTRAL = "#555555"

#: Body text (axis titles) in px; large enough for a lecture hall.
BASE_FONT_SIZE = 16
#: A figure's title, in px.
TITLE_FONT_SIZE = 20
#: The smallest text on any figure (ticks, legends, hover labels), in px.
SMALL_FONT_SIZE = 14
#: The figures' typeface.
FONT_FAMILY = "Helvetica, Arial, sans-serif"
#: The plotly template under the style.
TEMPLATE = "plotly_white"

#: Diverging scale for correlations: ColorBrewer RdBu (colour-blind safe),
#: reversed so that positive correlations are red and negative ones blue.
DIVERGING_SCALE = "RdBu_r"
#: Sequential scale for a highlighted variable: cividis is designed to be read
#: the same way with and without colour-vision deficiency.
SEQUENTIAL_SCALE = "Cividis"


@lru_cache(maxsize=16)
def _colorscale(name: str) -> tuple[tuple[float, str], ...]:
    scale = go.Heatmap(colorscale=name).to_plotly_json()["colorscale"]
    return tuple((float(at), str(color)) for at, color in scale)


def colorscale(name: str) -> list[list[Any]]:
    """A named colour scale (:data:`DIVERGING_SCALE`, :data:`SEQUENTIAL_SCALE`) as the
    list of ``[position, colour]`` plotly makes of the name: plotly.js does not know
    every name plotly does (``"RdBu_r"``), and its own ``"RdBu"`` has other colours."""
    return [[at, color] for at, color in _colorscale(name)]


def label(name: str, units: Mapping[str, str] | None = None) -> str:
    """Return an axis label for a variable, with its unit when one is known.

    Parameters
    ----------
    name : str
        Variable name.
    units : Mapping[str, str] or None, optional
        Variable name -> unit. Missing or empty units are left out.

    Returns
    -------
    str
        ``"name (unit)"`` if ``units`` gives a unit for ``name``, else ``name``.

    Examples
    --------
    >>> label("dose", {"dose": "mg/day"})
    'dose (mg/day)'
    >>> label("relief")
    'relief'
    """
    unit = (units or {}).get(name)
    if unit is None or str(unit).strip() == "":
        return str(name)
    return f"{name} ({unit})"


def kind_color(kind: str) -> str:
    """Return the colour of a model kind.

    Parameters
    ----------
    kind : str
        ``"predictive"`` or ``"causal"``.

    Returns
    -------
    str
        Hex colour (:data:`PREDICTIVE_COLOR` or :data:`CAUSAL_COLOR`).

    Raises
    ------
    ValueError
        If ``kind`` is not a known kind.
    """
    try:
        return KIND_COLORS[kind]
    except (KeyError, TypeError):
        known = ", ".join(f'"{k}"' for k in KIND_COLORS)
        raise ValueError(f"unknown model kind {kind!r}; expected one of {known}") from None


def _hex_to_rgb(color: str) -> tuple[int, int, int]:
    c = color.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def mix(color: str, other: str, weight: float) -> str:
    """Blend ``color`` towards ``other`` by ``weight`` (0 = color, 1 = other).

    Parameters
    ----------
    color, other : str
        Hex colours (``"#RRGGBB"``).
    weight : float
        0 gives ``color``, 1 gives ``other``.

    Returns
    -------
    str
        A hex colour.

    >>> mix("#000000", "#FFFFFF", 0.5)
    '#808080'
    """
    a, b = _hex_to_rgb(color), _hex_to_rgb(other)
    r, g, bl = (round(x + (y - x) * weight) for x, y in zip(a, b, strict=True))
    return f"#{r:02X}{g:02X}{bl:02X}"


def darker(color: str, amount: float = 0.35) -> str:
    """``color`` blended towards black by ``amount`` (a model's "after" marks)."""
    return mix(color, "#000000", amount)


# --------------------------------------------------------------------------
# Layout
# --------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _template() -> dict:
    """The layout part of :data:`TEMPLATE` as plain data, made once.

    Assigning a template by name makes plotly validate the whole template
    (trace defaults included) on every figure; the layout alone is all the
    house style needs.
    """
    return {"layout": pio.templates[TEMPLATE].layout.to_plotly_json()}


def _merge(into: dict, update: Mapping) -> None:
    """Merge ``update`` into ``into`` key by key, as ``update_layout`` does."""
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = copy.deepcopy(value) if isinstance(value, Mapping) else value


def _styled(
    spec: Figure, title: str, x_title: str | None, y_title: str | None, height: int
) -> Figure:
    """The house style merged into ``spec``'s layout (changed in place); returns ``spec``."""
    layout = spec["layout"]
    _merge(
        layout,
        {
            "title": {
                "text": title,
                "font": {"size": TITLE_FONT_SIZE},
                "x": 0.0,
                "xanchor": "left",
                "xref": "paper",
            },
            "font": {"size": BASE_FONT_SIZE, "family": FONT_FAMILY, "color": "#222222"},
            "height": int(height),
            "margin": {"l": 70, "r": 20, "t": 64 if title else 24, "b": 64},
            "legend": {"font": {"size": SMALL_FONT_SIZE}},
            "hoverlabel": {"font": {"size": SMALL_FONT_SIZE}},
        },
    )
    for letter, axis_title in (("x", x_title), ("y", y_title)):
        axis: dict = {
            "title": {"font": {"size": BASE_FONT_SIZE}},
            "tickfont": {"size": SMALL_FONT_SIZE},
            "automargin": True,
        }
        if axis_title is not None:
            axis["title"]["text"] = axis_title
        update_axes(spec, letter, axis)
    return spec


def style(
    fig: Figure | go.Figure,
    title: str,
    x_title: str | None,
    y_title: str | None,
    height: int,
) -> Any:
    """The lab's house style applied to ``fig``; returns the styled figure.

    Every figure of the lab goes through here: the title at the top left in
    :data:`TITLE_FONT_SIZE`, body text in :data:`BASE_FONT_SIZE`, ticks, legends
    and hover labels in :data:`SMALL_FONT_SIZE`, on :data:`TEMPLATE`.

    Parameters
    ----------
    fig : Figure or plotly.graph_objects.Figure
        The figure with its traces (not changed): plain data (:data:`Figure`) or
        a plotly figure.
    title : str
        The figure's title ("" for none: the top margin shrinks).
    x_title, y_title : str or None
        Axis titles for every x and y axis; ``None`` leaves the axis titles alone (for
        figures whose traces label their own axes, such as a scatter matrix).
    height : int
        The figure's height in px.

    Returns
    -------
    Figure or plotly.graph_objects.Figure
        A new figure of the kind given: plain data for plain data (its traces
        shared with ``fig``, its layout new), a plotly figure for a plotly figure.

    Notes
    -----
    The style is declared once, as data merged into a figure's layout key by
    key, as ``update_layout``, ``update_xaxes`` and ``update_yaxes`` do. A plotly
    figure is turned into plain data, styled, and made again from it without
    plotly's validation (which validated every property again and cost about
    25 ms a figure); the style is the lab's own constant data, and the figures'
    own parts were validated when they were added.
    """
    if isinstance(fig, Mapping):
        spec = copy_figure(fig)
        spec["layout"]["template"] = _template()  # shared, read only
        return _styled(spec, title, x_title, y_title, height)
    # Plain data with the arrays kept as arrays (``to_dict`` would encode them).
    spec = {
        "data": [trace.to_plotly_json() for trace in fig.data],
        "layout": fig.layout.to_plotly_json(),
    }
    spec["layout"]["template"] = copy.deepcopy(_template())
    return go.Figure(_styled(spec, title, x_title, y_title, height), _validate=False)


#: The legend in one row above the plot (:func:`legend_on_top`).
LEGEND_ON_TOP: dict[str, Any] = {
    "orientation": "h",
    "yanchor": "bottom",
    "y": 1.02,
    "xanchor": "left",
    "x": 0.0,
    "title": {"text": ""},
}


def legend_on_top(fig: Any) -> Any:
    """Put the legend in one row above the plot, so that charts in half-width columns
    keep their room (returns the same figure, plain data or a plotly figure)."""
    if isinstance(fig, dict):
        return update_layout(fig, {"legend": LEGEND_ON_TOP})
    fig.update_layout(legend=copy.deepcopy(LEGEND_ON_TOP))
    return fig


# --------------------------------------------------------------------------
# Figures as data
# --------------------------------------------------------------------------


def copy_figure(fig: Mapping[str, Any]) -> Figure:
    """A copy of a figure to change: its layout copied (the template shared), its
    traces a new list of copied trace dicts whose arrays are shared."""
    layout = fig.get("layout", {})
    out_layout = {k: copy.deepcopy(v) for k, v in layout.items() if k != "template"}
    if "template" in layout:
        out_layout["template"] = layout["template"]
    return {"data": [_copy_tree(t) for t in fig.get("data", ())], "layout": out_layout}


def _copy_tree(node: Any) -> Any:
    """Dicts and lists copied, everything else (arrays, strings) shared."""
    if isinstance(node, Mapping):
        return {k: _copy_tree(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_copy_tree(v) for v in node]
    return node


def update_layout(fig: Figure, update: Mapping[str, Any]) -> Figure:
    """Merge ``update`` into ``fig``'s layout, key by key as ``go.Figure.update_layout``
    does (changes ``fig``; returns it)."""
    _merge(fig.setdefault("layout", {}), update)
    return fig


def update_axes(fig: Figure, letter: str, update: Mapping[str, Any]) -> Figure:
    """Merge ``update`` into every ``letter`` axis of ``fig`` (``"x"`` or ``"y"``), as
    ``update_xaxes`` and ``update_yaxes`` do: every axis the layout has, and the first
    one, which plotly always has (changes ``fig``; returns it)."""
    layout = fig.setdefault("layout", {})
    names = {k for k in layout if re.fullmatch(f"{letter}axis[0-9]*", k)} | {f"{letter}axis"}
    for name in sorted(names):
        _merge(layout.setdefault(name, {}), update)
    return fig


#: Where a line's label sits, as ``add_vline``/``add_hline``'s ``annotation_position``.
_VLINE_LABELS = {
    "top": {"y": 1, "yref": "y domain", "xanchor": "center", "yanchor": "bottom"},
    "top left": {"y": 1, "yref": "y domain", "xanchor": "right", "yanchor": "top"},
    "top right": {"y": 1, "yref": "y domain", "xanchor": "left", "yanchor": "top"},
}
_HLINE_LABELS = {"top left": {"x": 0, "xref": "x domain", "xanchor": "left", "yanchor": "bottom"}}


def _add(fig: Figure, key: str, item: dict[str, Any]) -> None:
    fig.setdefault("layout", {}).setdefault(key, []).append(item)


def _add_line(
    fig: Figure,
    shape: dict[str, Any],
    line: Mapping[str, Any],
    annotation: Mapping[str, Any] | None,
    label_at: dict[str, Any],
) -> Figure:
    """A line ``shape`` with its ``line`` style, and ``annotation`` placed by ``label_at``."""
    _add(fig, "shapes", {**shape, "line": dict(line)})
    if annotation is not None:
        _add(
            fig, "annotations", {**copy.deepcopy(dict(annotation)), "showarrow": False, **label_at}
        )
    return fig


def add_vline(
    fig: Figure,
    x: float,
    line: Mapping[str, Any],
    annotation: Mapping[str, Any] | None = None,
    annotation_position: str = "top",
) -> Figure:
    """A vertical line across the plot at ``x``, as ``go.Figure.add_vline`` draws it
    (with ``annotation`` at ``annotation_position``: ``"top"`` above the plot, ``"top left"``
    or ``"top right"`` inside it, beside the line); changes ``fig``."""
    shape = {"type": "line", "x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain"}
    label_at = {"x": x, "xref": "x", **_VLINE_LABELS[annotation_position]}
    return _add_line(fig, shape, line, annotation, label_at)


def add_hline(
    fig: Figure,
    y: float,
    line: Mapping[str, Any],
    annotation: Mapping[str, Any] | None = None,
    annotation_position: str = "top left",
) -> Figure:
    """A horizontal line across the plot at ``y``, as ``go.Figure.add_hline`` draws it
    (with ``annotation`` at ``annotation_position``: ``"top left"``); changes ``fig``."""
    shape = {"type": "line", "x0": 0, "x1": 1, "xref": "x domain", "y0": y, "y1": y, "yref": "y"}
    label_at = {"y": y, "yref": "y", **_HLINE_LABELS[annotation_position]}
    return _add_line(fig, shape, line, annotation, label_at)


def add_hrect(fig: Figure, y0: float, y1: float, **props: Any) -> Figure:
    """A band across the plot from ``y0`` to ``y1`` (``fillcolor``, ``opacity``, ``line``),
    as ``go.Figure.add_hrect`` draws it; changes ``fig``."""
    rect = {"type": "rect", "x0": 0, "x1": 1, "xref": "x domain", "y0": y0, "y1": y1, "yref": "y"}
    _add(fig, "shapes", {**rect, **copy.deepcopy(props)})
    return fig


def plain(fig: Any) -> dict[str, Any]:
    """What a browser is sent for ``fig``: plain data with every array as plotly.js's
    typed-array form, as ``go.Figure.to_dict`` gives (a plotly figure's own ``to_dict()``).

    A plain-data figure is not changed: its dicts and lists are copied (arrays
    shared, then encoded in the copy; the template shared).
    """
    if not isinstance(fig, Mapping):
        return dict(fig.to_dict())
    out = copy_figure(fig)
    template = out["layout"].pop("template", None)
    convert_to_base64(out)
    if template is not None:
        out["layout"]["template"] = template
    return out


def as_figure(fig: Any) -> go.Figure:
    """A plotly figure of ``fig``: itself if it is one, else made from the plain data
    without validating it again (the lab's figures are validated by its tests)."""
    if isinstance(fig, go.Figure):
        return fig
    return go.Figure(fig, _validate=False)


def style_data(
    traces: list[dict[str, Any]],
    layout: dict[str, Any],
    title: str,
    x_title: str | None,
    y_title: str | None,
    height: int,
    then: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """:func:`style` for traces and a layout given as plain data, with ``then`` merged
    over the style; the figure stays plain data."""
    spec = style({"data": traces, "layout": layout}, title, x_title, y_title, height)
    if then is not None:
        update_layout(spec, then)
    return spec


def style_plain(
    traces: list[dict[str, Any]],
    layout: dict[str, Any],
    title: str,
    x_title: str | None,
    y_title: str | None,
    height: int,
    then: Mapping[str, Any] | None = None,
) -> go.Figure:
    """:func:`style_data` made a plotly figure without validating it again (for
    figures that are drawn on afterwards, such as the Attribution page's)."""
    return as_figure(style_data(traces, layout, title, x_title, y_title, height, then))


# --------------------------------------------------------------------------
# Titles that fit
# --------------------------------------------------------------------------

#: The longest line of an axis title, in characters: a phone's plot is about 300 px
#: wide, some 36 characters of the lab's 16 px type.
AXIS_TITLE_CHARS = 30
#: The same in the presenter view, where type is half as large again: an x title under
#: a half-width plot, and a y title beside a plot of :data:`PROJECTOR_HEIGHT`.
PROJECTOR_X_TITLE_CHARS = 40
PROJECTOR_Y_TITLE_CHARS = 18
_TAG = re.compile(r"<[^>]*>")


def _chars(text: str) -> int:
    """How many characters a line of plotly text shows (its tags left out)."""
    return len(_TAG.sub("", text))


def _wrap_line(line: str, width: int) -> list[str]:
    """One line as lines of at most ``width`` characters where a space allows: a unit's
    ``(`` starts a new line if that is enough, else words fill each line."""
    if _chars(line) <= width:
        return [line]
    cut = line.rfind(" (")
    if cut > 0 and _chars(line[:cut]) <= width and _chars(line[cut + 1 :]) <= width:
        return [line[:cut], line[cut + 1 :]]
    return fill_words(line, width, _chars)


def fill_words(text: str, width: int, length: Callable[[str], int] = len) -> list[str]:
    """``text``'s words filled into lines of at most ``width`` characters, as ``length``
    counts them (a word longer than that keeps a line of its own).

    >>> fill_words("clinic D: 40% take amantadine", 16)
    ['clinic D: 40%', 'take amantadine']
    """
    lines: list[str] = []
    for word in text.split(" "):
        if lines and length(lines[-1]) + 1 + length(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def wrap_title(text: str, width: int = AXIS_TITLE_CHARS) -> str:
    """``text`` broken (``<br>``) into lines of at most ``width`` characters where a space
    allows; lines it already has are kept, and a word longer than ``width`` stays whole.

    >>> wrap_title("intervention strength (0 = none, 1 = full)")
    'intervention strength<br>(0 = none, 1 = full)'
    >>> wrap_title("RMSE (lower is better)", 30)
    'RMSE (lower is better)'
    """
    lines = re.split(r"<br\s*/?>", str(text), flags=re.IGNORECASE)
    return "<br>".join(part for line in lines for part in _wrap_line(line, width))


def fit_titles(
    fig: Mapping[str, Any], x_chars: int = AXIS_TITLE_CHARS, y_chars: int = AXIS_TITLE_CHARS
) -> dict[str, Any]:
    """A figure whose axis titles are wrapped (:func:`wrap_title`): x titles at ``x_chars``,
    y titles at ``y_chars`` characters a line. Only the axes' dicts are copied."""
    layout = dict(fig.get("layout", {}))
    for name in [k for k in layout if re.fullmatch("[xy]axis[0-9]*", k)]:
        axis = layout[name]
        title = axis.get("title") if isinstance(axis, Mapping) else None
        text = title.get("text") if isinstance(title, Mapping) else title
        if not isinstance(text, str) or not text:
            continue
        width = x_chars if name.startswith("x") else y_chars
        wrapped = wrap_title(text, width)
        if wrapped != text:
            new_title = {**title, "text": wrapped} if isinstance(title, Mapping) else wrapped
            layout[name] = {**axis, "title": new_title}
    return {**fig, "layout": layout}


# --------------------------------------------------------------------------
# The presenter view
# --------------------------------------------------------------------------

#: The smallest text of a figure in the presenter view (ticks, legends), in px.
PROJECTOR_MIN_FONT = 22
#: The presenter view's figure height: it fits a 720 px screen with a title and a row of text.
PROJECTOR_HEIGHT = 290
#: A figure with more text labels (annotations) than this keeps their size on a projector.
MAX_GROWN_LABELS = 8
#: The room a projected plot's margins take (title, x ticks and title), in px: what
#: is left of a figure's height is where its y ticks go.
_PROJECTOR_MARGINS = 130


def projector_height(fig: Figure, height: int) -> Figure:
    """Let ``fig`` be ``height`` px tall in the presenter view, where figures are at most
    :data:`PROJECTOR_HEIGHT` (a square plot, or a matrix of labelled cells, needs more to be
    read); changes ``fig`` and returns it. :func:`for_projector` reads it."""
    return update_layout(fig, {"meta": {"projector_height": int(height)}})


def _projector_cap(layout: Mapping[str, Any]) -> int:
    meta = layout.get("meta")
    asked = meta.get("projector_height") if isinstance(meta, Mapping) else None
    return int(asked) if isinstance(asked, int | float) and asked > 0 else PROJECTOR_HEIGHT


def _numeric(values: Any) -> bool:
    """Whether a trace's coordinates are numbers (an array, its typed-array form, a list)."""
    if isinstance(values, np.ndarray):
        return values.dtype.kind in "iuf"
    if isinstance(values, Mapping):  # plotly.js's typed array: {"dtype": "f8", "bdata": ...}
        return "bdata" in values
    if isinstance(values, list | tuple) and values:
        return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    return False


def _numeric_axes(data: Sequence[Mapping[str, Any]], letter: str) -> set[str]:
    """The ``letter`` axes (``"y"``, ``"y2"`` ...) whose every trace has numeric coordinates."""
    seen: dict[str, bool] = {}
    for trace in data:
        if letter not in trace:
            continue
        axis = str(trace.get(f"{letter}axis") or letter)
        seen[axis] = seen.get(axis, True) and _numeric(trace[letter])
    return {axis for axis, numeric in seen.items() if numeric}


def _fewer_ticks(layout: dict[str, Any], data: Sequence[Mapping[str, Any]]) -> None:
    """At most as many y ticks as projected labels fit one above the other with a gap,
    on the numeric y axes that do not set their own ticks (changes ``layout``)."""
    height = int(layout.get("height") or PROJECTOR_HEIGHT)
    for axis_id in _numeric_axes(data, "y"):
        name = "yaxis" + axis_id[1:]
        axis = layout.setdefault(name, {})
        if any(k in axis for k in ("nticks", "dtick", "tickvals")) or axis.get("type") in (
            "category",
            "multicategory",
        ):
            continue
        low, high = axis.get("domain") or (0.0, 1.0)
        room = max(60.0, height - _PROJECTOR_MARGINS) * (float(high) - float(low))
        font = float((axis.get("tickfont") or {}).get("size") or PROJECTOR_MIN_FONT)
        axis["nticks"] = max(2, int(room // (2.2 * font)))


def for_projector(plain: Mapping[str, Any]) -> dict[str, Any]:
    """A figure's plain data (``fig.to_dict()``) with projector-sized type.

    Every font in the layout (the base font, titles, ticks, legends, colour
    bars and, unless there are more than :data:`MAX_GROWN_LABELS`, annotations) and
    every trace's own text (bar labels, colour bar ticks) is scaled by 1.5 and raised to at least
    :data:`PROJECTOR_MIN_FONT` px, text is dark, and the height is at most
    :data:`PROJECTOR_HEIGHT` (or what :func:`projector_height` asked). A numeric y axis gets
    no more ticks than its labels fit one above the other, and axis titles are wrapped
    (:func:`fit_titles`: :data:`PROJECTOR_X_TITLE_CHARS`, :data:`PROJECTOR_Y_TITLE_CHARS`).
    The data arrays are shared, not copied.

    >>> big = for_projector({"data": [], "layout": {"xaxis": {"tickfont": {"size": 14}}}})
    >>> big["layout"]["xaxis"]["tickfont"]["size"], big["layout"]["font"]["size"]
    (22, 24)
    """
    layout = {k: copy.deepcopy(v) for k, v in plain.get("layout", {}).items() if k != "template"}
    if "template" in plain.get("layout", {}):
        layout["template"] = plain["layout"]["template"]  # shared: never changed here

    def grow(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key.endswith("font") and isinstance(value, dict) and value.get("size"):
                    value["size"] = max(PROJECTOR_MIN_FONT, round(1.5 * value["size"]))
                grow(value)
        elif isinstance(node, list):
            for item in node:
                grow(item)

    # A figure drawn with many labelled boxes (the set lattice) is laid out for its
    # own type size: larger labels would overlap there, so they keep theirs.
    crowded = len(layout.get("annotations", ())) > MAX_GROWN_LABELS
    grow(
        {k: v for k, v in layout.items() if k not in ("template", "annotations" if crowded else "")}
    )
    font = layout.setdefault("font", {})
    font["size"] = max(PROJECTOR_MIN_FONT + 2, int(font.get("size") or 0))
    font["color"] = "#111111"
    for name in [k for k in layout if re.fullmatch("[xy]axis[0-9]*", k)] or ["xaxis", "yaxis"]:
        tick = layout.setdefault(name, {}).setdefault("tickfont", {})
        tick["size"] = max(PROJECTOR_MIN_FONT, int(tick.get("size") or 0))
    legend = layout.setdefault("legend", {}).setdefault("font", {})
    legend["size"] = max(PROJECTOR_MIN_FONT, int(legend.get("size") or 0))
    layout["height"] = min(int(layout.get("height") or PROJECTOR_HEIGHT), _projector_cap(layout))
    _fewer_ticks(layout, plain.get("data", ()))
    out = dict(plain)
    out["layout"] = layout
    out["data"] = [_grown_trace(trace) for trace in plain.get("data", ())]
    return fit_titles(out, PROJECTOR_X_TITLE_CHARS, PROJECTOR_Y_TITLE_CHARS)


def _grown_trace(trace: Mapping[str, Any]) -> Mapping[str, Any]:
    """A trace with its own text (bar labels, a colour bar) projector-sized.

    Only the small dicts that hold fonts are copied: the data arrays stay shared.
    """

    def big(font: Mapping[str, Any]) -> dict[str, Any]:
        size = font.get("size")
        return {**font, "size": max(PROJECTOR_MIN_FONT, round(1.5 * size))} if size else dict(font)

    grown = dict(trace)
    if isinstance(trace.get("textfont"), Mapping):
        grown["textfont"] = big(trace["textfont"])
    marker_bar = (
        (trace.get("marker") or {}).get("colorbar")
        if isinstance(trace.get("marker"), Mapping)
        else None
    )
    if isinstance(marker_bar, Mapping):
        grown["marker"] = {**trace["marker"], "colorbar": _grown_bar(marker_bar, big)}
    if isinstance(trace.get("colorbar"), Mapping):
        grown["colorbar"] = _grown_bar(trace["colorbar"], big)
    return grown


def _grown_bar(
    bar: Mapping[str, Any], big: Callable[[Mapping[str, Any]], dict[str, Any]]
) -> dict[str, Any]:
    """A colour bar with projector-sized ticks and title, upright beside the plot (a bar
    laid in a row to spare a phone's width takes a projected plot's height instead)."""
    out = dict(bar)
    if out.get("orientation") == "h":
        for key in ("orientation", "x", "xanchor", "y", "yanchor", "len"):
            out.pop(key, None)
        if isinstance(out.get("title"), Mapping):
            out["title"] = {**out["title"], "side": "top"}
    if isinstance(out.get("tickfont"), Mapping):
        out["tickfont"] = big(out["tickfont"])
    else:
        out["tickfont"] = {"size": PROJECTOR_MIN_FONT}
    title = out.get("title")
    if isinstance(title, Mapping):
        out["title"] = {**title, "font": big(title.get("font") or {"size": 14})}
    return out


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------


def subsample(n: int, max_points: int, seed: int) -> np.ndarray:
    """Sorted row indices of a deterministic subsample of at most ``max_points``.

    A scatter of many points draws slowly in a browser and says no more; the
    same ``seed`` gives the same points on every machine.

    Parameters
    ----------
    n : int
        Rows there are.
    max_points : int
        Most rows to draw (at least 1).
    seed : int
        Seed of the choice.

    Returns
    -------
    numpy.ndarray
        All of ``range(n)`` when ``n <= max_points``, else ``max_points`` sorted indices.
    """
    if max_points < 1:
        raise ValueError(f"max_points must be at least 1, got {max_points}")
    if n <= max_points:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n, size=max_points, replace=False))


def require_frame(df: Any, name: str, columns: Sequence[str] = ()) -> pd.DataFrame:
    """``df`` itself, once it is a non-empty frame with ``columns``.

    Parameters
    ----------
    df : Any
        What a figure function was given.
    name : str
        How the messages name it ("the results").
    columns : sequence of str, optional
        The columns the figure reads.

    Raises
    ------
    ValueError
        Naming what is missing (a figure's input is the lab's own, so a plain
        ``ValueError``: a bug to fix, not a user's mistake).
    """
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"{name} must be a pandas DataFrame, got {type(df).__name__}")
    if df.empty:
        raise ValueError(f"{name} is empty: there is nothing to plot")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"{name} is missing column(s) {', '.join(map(repr, missing))}; "
            f"it has {', '.join(map(repr, map(str, df.columns)))}"
        )
    return df
