"""The Black box page's figures: a small network, its lesions and its illusions.

Each behaviour keeps one colour on every chart (:data:`BEHAVIOUR_COLORS`).
Pure functions from arrays and frames (computed by :mod:`lib.blackbox`) to
figures; this package does not import the engine. The figures of the network's
sections (1–6), made anew for every network, are plain data
(:data:`lib.figures.style.Figure`), built directly: a plotly figure's
validation cost more than the network's numbers behind it.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lib.figures.style import (
    DIVERGING_SCALE,
    NEUTRAL,
    OKABE_ITO,
    SEQUENTIAL_SCALE,
    Figure,
    add_hline,
    add_vline,
    colorscale,
    style,
    style_data,
    subsample,
    update_layout,
)

__all__ = [
    "BEHAVIOUR_COLORS",
    "BEHAVIOUR_LABELS",
    "arrows_figure",
    "barrier_figure",
    "dimensions_figure",
    "polysemantic_figure",
    "behaviour_maps",
    "extrapolation_figure",
    "eye_figure",
    "hold_figure",
    "importance_figure",
    "lesion_heatmap",
    "patch_bars",
    "patch_scatter",
    "pca_figure",
    "readout_bars",
    "recentring_figure",
    "stimuli_figure",
    "unit_map",
]

#: One colour per behaviour (Okabe–Ito), the same on every chart of the page.
BEHAVIOUR_COLORS: dict[str, str] = {
    "wave": OKABE_ITO[0],
    "product": OKABE_ITO[2],
    "bowl": OKABE_ITO[4],
}
#: What each behaviour computes, for titles and legends.
BEHAVIOUR_LABELS: dict[str, str] = {
    "wave": "wave: sin(πx₁)",
    "product": "product: x₁·x₂",
    "bowl": "bowl: x₂² − ⅓",
}
#: The line between a lesion that changes little and one that breaks a behaviour.
_THRESHOLD_COLOR = "#B22222"
_DAYS_PER_YEAR = 365.25
#: Points a scatter of inputs or activity draws per set (the numbers use them all).
SCATTER_POINTS = 300


def _r(values: object) -> np.ndarray:
    """An array as a figure sends it: in single precision (plotly sends arrays as
    binary; seven digits are more than a chart shows, at half the bytes a class
    downloads)."""
    return np.asarray(values, dtype=np.float32)


def _points(x: np.ndarray, seed: int = 0) -> np.ndarray:
    """At most :data:`SCATTER_POINTS` rows of ``x`` (a fixed subsample), in single precision."""
    return _r(np.asarray(x)[subsample(len(x), SCATTER_POINTS, seed)])


def _color(behaviour: str) -> str:
    return BEHAVIOUR_COLORS.get(behaviour, NEUTRAL)


def _label(behaviour: str) -> str:
    return BEHAVIOUR_LABELS.get(behaviour, behaviour)


def _log_line(fig: Figure, y: float, text: str, color: str, dash: str, width: float) -> None:
    """A labelled horizontal line on a log y axis (a label of ``add_hline`` lands at 10^y)."""
    add_hline(fig, y, {"color": color, "dash": dash, "width": width})
    fig["layout"].setdefault("annotations", []).append(
        {
            "font": {"size": 13, "color": color},
            "showarrow": False,
            "text": text,
            "x": 0,
            "xanchor": "left",
            "xref": "paper",
            "y": math.log10(y),
            "yanchor": "bottom",
            "yref": "y",
        }
    )


def _panels(titles: Sequence[str], gap: float, x_title: str | None = None) -> dict:
    """A layout of panels side by side, as ``make_subplots(rows=1, …)`` lays them out
    (which costs 17–40 ms a figure): the axes ``x``/``y``, ``x2``/``y2``, … and each
    panel's title above it. A trace goes in panel ``i`` with :func:`_axes`."""
    k = len(titles)
    width = (1 - gap * (k - 1)) / k
    layout: dict = {"annotations": []}
    for i, title in enumerate(titles):
        suffix = "" if i == 0 else str(i + 1)
        left = i * (width + gap)
        right = left + width
        layout[f"xaxis{suffix}"] = {"anchor": f"y{suffix}", "domain": [left, right]}
        if x_title is not None:
            layout[f"xaxis{suffix}"]["title"] = {"text": x_title}
        layout[f"yaxis{suffix}"] = {"anchor": f"x{suffix}", "domain": [0.0, 1.0]}
        layout["annotations"].append(
            {
                "font": {"size": 16},
                "showarrow": False,
                "text": title,
                "x": (left + right) / 2,
                "xanchor": "center",
                "xref": "paper",
                "y": 1.0,
                "yanchor": "bottom",
                "yref": "paper",
                "yshift": 12,  # clear of the top tick label, which reaches above the plot
            }
        )
    return layout


def _axes(i: int) -> dict[str, str]:
    """The axes of panel ``i`` (from 0) of :func:`_panels`, as a trace names them."""
    suffix = "" if i == 0 else str(i + 1)
    return {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}"}


#: The layout every chart of the page ends with, so that it fits a phone (about 300 px
#: wide) and a projector (its type half as large again, 290 px high): the title from the
#: chart's left edge (not the plot's), small margins that the axes' titles and ticks
#: push out as far as they need (``automargin``), and the legend in rows along the
#: chart's bottom edge, under the x axis' title, where plotly keeps room for it.
FIT: dict[str, Any] = {
    "title": {"xref": "container", "x": 0, "pad": {"l": 8}},
    "margin": {"l": 8, "r": 12, "b": 8},
    "xaxis": {"ticklabelstandoff": 8},
    "yaxis": {"nticks": 4, "ticklabelstandoff": 8},
    "legend": {
        "orientation": "h",
        "xref": "container",
        "yref": "container",
        "x": 0,
        "y": 0,
        "xanchor": "left",
        "yanchor": "bottom",
    },
}


def _fit(top: int = 64, **more: Any) -> dict[str, Any]:
    """:data:`FIT` with a top margin of ``top`` px (room for the title, and for panel
    titles under it), merged with ``more`` (a layout's own keys, merged as plotly's
    ``update_layout`` would)."""
    layout = copy.deepcopy(FIT)
    layout["margin"]["t"] = top
    update_layout({"layout": layout}, more)
    return layout


def behaviour_maps(axis: np.ndarray, outputs: np.ndarray, names: Sequence[str]) -> Figure:
    """The network's outputs over the input square, one heatmap per behaviour.

    Parameters
    ----------
    axis : ndarray, shape (steps,)
        The grid's coordinates, the same on both inputs.
    outputs : ndarray, shape (steps, steps, k)
        ``outputs[i, j, b]``: behaviour ``b`` at x₂ = ``axis[i]``, x₁ = ``axis[j]``.
    names : sequence of str
        The behaviours, in the outputs' order.
    """
    layout = _panels(list(names), 0.06, "x₁")
    traces = []
    for b, name in enumerate(names):
        z = outputs[:, :, b]
        top = float(np.max(np.abs(z))) or 1.0
        traces.append(
            {
                "type": "heatmap",
                "x": _r(axis),
                "y": _r(axis),
                "z": _r(z),
                "zsmooth": "best",
                "zmin": -top,
                "zmax": top,
                "colorscale": colorscale(DIVERGING_SCALE),
                "showscale": False,
                "hovertemplate": f"x₁ %{{x:.2f}}, x₂ %{{y:.2f}}<br>{name}: %{{z:.2f}}<extra></extra>",
                **_axes(b),
            }
        )
        x_name = _axes(b)["xaxis"]
        ticks = {"tickvals": [-1, 0, 1], "tickangle": 0}
        layout[x_name.replace("x", "xaxis")].update(constrain="domain", **ticks)
        layout[x_name.replace("x", "yaxis")].update(
            scaleanchor=x_name, constrain="domain", showticklabels=b == 0, **ticks
        )
    layout["yaxis"]["title"] = {"text": "x₂"}
    return style_data(traces, layout, "The three outputs", None, None, 340, _fit(top=100))


def unit_map(
    axis: np.ndarray, activity: np.ndarray, unit: int, weights: Mapping[str, float]
) -> Figure:
    """One hidden unit's activity over the input square (its "tuning"), with its weights
    to the outputs in the hover (the page writes them beside the chart: a title that
    long would not fit a phone).

    Parameters
    ----------
    axis : ndarray, shape (steps,)
    activity : ndarray, shape (steps, steps)
        The unit's activity at x₂ = ``axis[i]``, x₁ = ``axis[j]``.
    unit : int
    weights : mapping of behaviour to float
        The unit's outgoing weight to each output.
    """
    said = ", ".join(f"{b} {w:+.2f}" for b, w in weights.items())
    trace = {
        "type": "heatmap",
        "x": _r(axis),
        "y": _r(axis),
        "z": _r(activity),
        "zsmooth": "best",
        "zmin": -1.0,
        "zmax": 1.0,
        "colorscale": colorscale(DIVERGING_SCALE),
        "colorbar": {
            "title": {"text": "activity", "side": "right"},
            "thickness": 14,
            "tickvals": [-1, 0, 1],
        },
        "hovertemplate": "x₁ %{x:.2f}, x₂ %{y:.2f}<br>activity %{z:.2f}"
        f"<br>weights out: {said}<extra></extra>",
    }
    ticks = {"tickvals": [-1, 0, 1], "tickangle": 0, "constrain": "domain"}
    layout = {"xaxis": ticks, "yaxis": {"scaleanchor": "x", **ticks}}
    return style_data([trace], layout, f"Unit {unit}: its tuning", "x₁", "x₂", 360, _fit())


def lesion_heatmap(frame: pd.DataFrame, threshold: float) -> Figure:
    """Each unit's lesion damage on each behaviour; broken cells marked ✕.

    Parameters
    ----------
    frame : DataFrame
        ``unit``, ``behaviour``, ``damage`` (:func:`lib.blackbox.lesions.single_lesions`).
    threshold : float
        Damage above which a behaviour counts as broken.
    """
    behaviours = list(dict.fromkeys(frame["behaviour"]))
    wide = frame.pivot(index="behaviour", columns="unit", values="damage").loc[behaviours]
    z = wide.to_numpy(dtype=float)
    units = [str(u) for u in wide.columns]
    traces: list[dict[str, Any]] = [
        {
            "type": "heatmap",
            "x": units,
            "y": behaviours,
            "z": np.clip(z, 0.0, 1.0),
            "zmin": 0.0,
            "zmax": 1.0,
            "colorscale": colorscale(SEQUENTIAL_SCALE),
            "reversescale": True,
            "customdata": z,
            "colorbar": {
                "title": {"text": "damage", "side": "right"},
                "tickvals": [threshold, 0.5, 1.0],
                "ticktext": [f"{threshold:g}: broken", "0.5", "≥ 1"],
                "thickness": 14,
            },
            "hovertemplate": "unit %{x} silenced<br>%{y}: damage %{customdata:.3f}<extra></extra>",
            "xgap": 1,
            "ygap": 1,
        }
    ]
    # ✕ on every broken cell, white on the dark (heavily damaged) cells, black on the
    # light: a marker, not a letter, so that 64 units' marks on a phone never print over
    # each other as text
    for dark, color in ((True, "#FFFFFF"), (False, "#000000")):
        b, u = np.nonzero((z > threshold) & ((z > 0.5) == dark))
        traces.append(
            {
                "type": "scatter",
                "x": [units[i] for i in u],
                "y": [behaviours[i] for i in b],
                "mode": "markers",
                "marker": {"symbol": "x-thin", "size": 9, "line": {"color": color, "width": 2}},
                "showlegend": False,
                "hoverinfo": "skip",
            }
        )
    layout = {"xaxis": {"type": "category", "tickangle": 0}, "yaxis": {"autorange": "reversed"}}
    return style_data(
        traces,
        layout,
        "What each lesion costs",
        "hidden unit silenced",
        None,
        300,
        _fit(),
    )


def recentring_figure(rows: Sequence[Mapping[str, object]], threshold: float) -> Figure:
    """Damage of the "only one" units silenced and held at their mean, on a log axis.

    Parameters
    ----------
    rows : sequence of mappings
        One per unit: ``unit``, ``behaviour``, ``silenced``, ``recentred`` and
        ``others`` (the largest damage silencing does to the other behaviours).
    threshold : float
        Damage above which a behaviour counts as broken (a red line).
    """
    # each unit's number in the colour of the one behaviour it breaks (a second row of
    # names would not fit twenty units on a phone; numbers alone thin out when crowded)
    names = [
        f"<span style='color:{_color(str(r['behaviour']))}'><b>{r['unit']}</b></span>" for r in rows
    ]
    said = [f"unit {r['unit']} breaks the {r['behaviour']}" for r in rows]
    floor = threshold / 100

    def shown(v: object) -> float:
        return max(float(v), floor)  # type: ignore[arg-type]

    traces = []
    for key, label, color in (
        ("silenced", "silenced (activity 0)", OKABE_ITO[5]),
        ("recentred", "held at its mean activity", OKABE_ITO[1]),
        ("others", "silenced: worst damage to the other two", NEUTRAL),
    ):
        values = [float(r[key]) for r in rows]  # type: ignore[arg-type]
        traces.append(
            {
                "type": "bar",
                "x": names,
                "y": [shown(v) for v in values],
                "name": label,
                "marker": {"color": color},
                "customdata": values,
                "text": said,
                "textposition": "none",
                "hovertemplate": f"%{{text}}<br>{label}: damage %{{customdata:.3f}}<extra></extra>",
            }
        )
    layout = {
        "xaxis": {"type": "category", "tickangle": 0},
        "yaxis": {"type": "log", "tickformat": "~g", "dtick": 1},
    }
    fig = style_data(
        traces,
        layout,
        "The “only one” units",
        "units: "
        + " · ".join(
            f"<span style='color:{_color(b)}'><b>{b}</b></span>" for b in BEHAVIOUR_COLORS
        ),
        "damage (log)",
        400,
        _fit(barmode="group"),
    )
    _log_line(fig, threshold, f"broken above {threshold:g}", _THRESHOLD_COLOR, "dash", 2)
    return fig


def barrier_figure(units: int, max_units: int = 64) -> Figure:
    """Experiments an exhaustive lesion map needs against the number of units, on a log
    axis, with how long each takes at one experiment a day.

    Parameters
    ----------
    units : int
        The page's network (a marker on each curve).
    max_units : int
        The axis' last number of units.
    """
    n = np.arange(1, max_units + 1)
    curves = (
        ("one unit at a time (N)", n.astype(float), OKABE_ITO[1]),
        ("every pair", np.array([math.comb(int(k), 2) for k in n], float), OKABE_ITO[2]),
        ("every triple", np.array([math.comb(int(k), 3) for k in n], float), OKABE_ITO[0]),
        ("every subset (2ᴺ)", 2.0**n, OKABE_ITO[5]),
    )
    traces: list[dict[str, Any]] = []
    for name, values, color in curves:
        shown = np.where(values >= 1, values, np.nan)
        traces.append(
            {
                "type": "scatter",
                "x": n.astype(np.int16),
                "y": _r(shown),
                "name": name,
                "mode": "lines",
                "line": {"color": color, "width": 3},
                "hovertemplate": f"{name}<br>N = %{{x}}: %{{y:,.0f}} experiments<extra></extra>",
            }
        )
        traces.append(
            {
                "type": "scatter",
                "x": [units],
                "y": [float(values[units - 1])],
                "mode": "markers",
                "marker": {"color": color, "size": 11, "line": {"color": "#222222", "width": 1}},
                "showlegend": False,
                "hovertemplate": f"this network, {name}: %{{y:,.0f}}<extra></extra>",
            }
        )
    # The time spans are named at the right edge, as ticks of a second axis: inside the
    # plot a label would cross a curve or the line of this network at some width.
    spans = (
        (40 * _DAYS_PER_YEAR, "a career"),
        (13.8e9 * _DAYS_PER_YEAR, "the age of<br>the universe"),
    )
    top = [0, math.log10(2.0**max_units)]
    traces.append(  # an invisible point: an axis with no trace is not drawn
        {
            "type": "scatter",
            "x": [1],
            "y": [1],
            "yaxis": "y2",
            "mode": "markers",
            "marker": {"opacity": 0},
            "showlegend": False,
            "hoverinfo": "skip",
        }
    )
    layout = {"yaxis": {"type": "log", "exponentformat": "power", "range": top, "dtick": 6}}
    fig = style_data(
        traces,
        layout,
        "Experiments for a full map",
        "hidden units N",
        "experiments",
        420,
        {
            **_fit(),
            "yaxis2": {
                "overlaying": "y",
                "side": "right",
                "type": "log",
                "range": top,
                "tickvals": [days for days, _ in spans],
                "ticktext": [text for _, text in spans],
                "showgrid": False,
                "zeroline": False,
                "showline": False,
                "ticks": "",
                "automargin": True,
                "tickfont": {"size": 13, "color": NEUTRAL},
            },
        },
    )
    for days, _ in spans:
        add_hline(fig, days, {"color": NEUTRAL, "dash": "dot", "width": 1.5})
    add_vline(fig, units, {"color": NEUTRAL, "width": 1})
    return fig


def _scatter(x: np.ndarray, y: np.ndarray, name: str, color: str, hover: str) -> dict[str, Any]:
    """A cloud of points (WebGL), as the page's scatters draw them."""
    return {
        "type": "scattergl",
        "x": x,
        "y": y,
        "mode": "markers",
        "name": name,
        "marker": {"color": color, "size": 5, "opacity": 0.6},
        "hovertemplate": hover,
    }


def stimuli_figure(
    sets: Mapping[str, np.ndarray], colors: Mapping[str, str] | None = None
) -> Figure:
    """Points of the input plane, one colour per named set of stimuli.

    Parameters
    ----------
    sets : mapping of label to ndarray, shape (n, 2)
    colors : mapping of label to colour, optional
    """
    palette = [OKABE_ITO[1], OKABE_ITO[5], OKABE_ITO[2]]
    traces = []
    for i, (name, x) in enumerate(sets.items()):
        color = (colors or {}).get(name, palette[i % len(palette)])
        shown = _points(x, i)
        hover = "x₁ %{x:.2f}, x₂ %{y:.2f}<extra></extra>"
        traces.append(_scatter(shown[:, 0], shown[:, 1], name, color, hover))
    square = {
        "line": {"color": "#222222", "dash": "dash", "width": 1.5},
        "type": "rect",
        "x0": -1,
        "x1": 1,
        "y0": -1,
        "y1": 1,
    }
    layout = {"shapes": [square], "yaxis": {"scaleanchor": "x", "constrain": "domain"}}
    return style_data(
        traces,
        layout,
        "The inputs",
        "x₁",
        "x₂",
        380,
        _fit(),
    )


def pca_figure(scores: Mapping[str, np.ndarray], variance: Sequence[float]) -> Figure:
    """The hidden activity on its first two principal components, one colour per set.

    Parameters
    ----------
    scores : mapping of label to ndarray, shape (n, ≥ 2)
        Each set's scores on the components (fitted on the first set).
    variance : sequence of float
        Share of the recorded activity's variance of each component (the first two used).
    """
    palette = [OKABE_ITO[1], OKABE_ITO[5]]
    traces = []
    for i, (name, s) in enumerate(scores.items()):
        shown = _points(s, i)
        y = shown[:, 1] if shown.shape[1] > 1 else np.zeros(len(shown))
        hover = "PC1 %{x:.2f}, PC2 %{y:.2f}<extra></extra>"
        traces.append(_scatter(shown[:, 0], y, name, palette[i % 2], hover))
    second = f"PC2 ({100 * variance[1]:.0f}%)" if len(variance) > 1 else "PC2 (not kept)"
    return style_data(
        traces,
        {},
        "The activity, summarised",
        f"PC1 ({100 * variance[0]:.1f}% of variance)",
        second,
        380,
        _fit(),
    )


def readout_bars(r2_in: pd.Series, r2_new: pd.Series, in_label: str, new_label: str) -> Figure:
    """R² of the low-dimensional readout per behaviour, on the recording and on new inputs.

    Values below −1 are drawn at −1 (the hover gives the number).
    """
    traces = []
    for values, name, color in (
        (r2_in, in_label, OKABE_ITO[1]),
        (r2_new, new_label, OKABE_ITO[5]),
    ):
        v = values.to_numpy(dtype=float)
        traces.append(
            {
                "type": "bar",
                "x": [str(b) for b in values.index],
                "y": np.maximum(v, -1.0),
                "name": name,
                "marker": {"color": color},
                "text": [f"{x:.2f}" for x in v],
                "textposition": ["inside" if x < -0.8 else "outside" for x in v],
                "textfont": {"size": 14},
                "cliponaxis": False,
                "customdata": v,
                "hovertemplate": f"{name}: R² %{{customdata:.3f}}<extra></extra>",
            }
        )
    fig = style_data(
        traces,
        {"yaxis": {"range": [-1.15, 1.3]}},
        "Read from the summary",
        None,
        "R²",
        380,
        _fit(barmode="group"),
    )
    return add_hline(fig, 0, {"color": "#222222", "width": 1})


def patch_bars(effects: pd.DataFrame) -> Figure:
    """How far each patch moves each output, in standard deviations of that output.

    Parameters
    ----------
    effects : DataFrame
        ``patch``, ``behaviour``, ``change`` (in SDs of the output,
        :func:`lib.blackbox.illusions.patch_effects`).
    """
    patches = list(dict.fromkeys(effects["patch"]))
    traces = []
    for behaviour, rows in effects.groupby("behaviour", sort=False):
        change = rows.set_index("patch").loc[patches, "change"].to_numpy(dtype=float)
        traces.append(
            {
                "type": "bar",
                "x": patches,
                "y": change,
                "name": str(behaviour),
                "marker": {"color": _color(str(behaviour))},
                "hovertemplate": "%{x}<br>moves the output by %{y:.3f} SD<extra></extra>",
            }
        )
    top = float(effects["change"].max())
    # each patch's name short and in lines of a word ("d only"), so that four fit a phone
    names = [p.removeprefix("along ").removeprefix("the ").replace(" ", "<br>") for p in patches]
    layout = {
        "xaxis": {"tickvals": patches, "ticktext": names, "tickangle": 0},
        "yaxis": {"range": [0, 1.1 * top if top > 0 else 1]},
    }
    return style_data(
        traces,
        layout,
        "What each patch moves",
        None,
        "change",
        380,
        _fit(barmode="group"),
    )


def patch_scatter(base: np.ndarray, patched: Mapping[str, np.ndarray], behaviour: str) -> Figure:
    """Each base input's output before (x) and after (y) a patch; the diagonal is no change.

    Parameters
    ----------
    base : ndarray, shape (n,)
        The behaviour's output on the base inputs.
    patched : mapping of patch name to ndarray, shape (n,)
        The same output after each patch.
    behaviour : str
    """
    palette = [OKABE_ITO[5], OKABE_ITO[1], OKABE_ITO[2], NEUTRAL]
    rows = subsample(len(base), SCATTER_POINTS, 0)
    hover = "before %{x:.2f}, after %{y:.2f}<extra></extra>"
    traces = [
        _scatter(_r(base[rows]), _r(values[rows]), name, palette[i % len(palette)], hover)
        for i, (name, values) in enumerate(patched.items())
    ]
    every = np.concatenate([base, *patched.values()])
    lo, hi = float(np.min(every)), float(np.max(every))
    traces.append(
        {
            "type": "scatter",
            "x": [lo, hi],
            "y": [lo, hi],
            "mode": "lines",
            "name": "no change",
            "line": {"color": "#222222", "dash": "dash", "width": 1.5},
            "hoverinfo": "skip",
        }
    )
    return style_data(
        traces,
        {},
        f"The {behaviour} output",
        "unpatched",
        "patched",
        380,
        _fit(yaxis={"nticks": 4}),
    )


def importance_figure(importance: pd.DataFrame) -> Figure:
    """Which input each behaviour depends on, by the network and by its copy.

    Parameters
    ----------
    importance : DataFrame
        ``model``, ``behaviour``, ``input`` and ``importance`` (a share of the
        behaviour's total, 0 to 1).
    """
    models = list(dict.fromkeys(importance["model"]))
    behaviours = list(dict.fromkeys(importance["behaviour"]))
    layout = _panels([str(b) for b in behaviours], 0.05)
    for j in range(len(behaviours)):
        y_name = "yaxis" + ("" if j == 0 else str(j + 1))
        layout[y_name].update(range=[0, 1.05], tickformat=".0%")
        if j > 0:  # shared with the first panel's
            layout[y_name].update(matches="y", showticklabels=False)
    layout["yaxis"]["title"] = {"text": "importance"}
    palette = [OKABE_ITO[1], OKABE_ITO[0]]
    traces = []
    for j, behaviour in enumerate(behaviours):
        for i, model in enumerate(models):
            rows = importance[
                (importance["model"] == model) & (importance["behaviour"] == behaviour)
            ]
            traces.append(
                {
                    "type": "bar",
                    "x": [str(v) for v in rows["input"]],
                    "y": rows["importance"].to_numpy(dtype=float),
                    "name": model,
                    "marker": {"color": palette[i % 2]},
                    "showlegend": j == 0,
                    "legendgroup": model,
                    "hovertemplate": f"{model}<br>%{{x}}: %{{y:.0%}}<extra></extra>",
                    **_axes(j),
                }
            )
    return style_data(
        traces, layout, "Which input matters", None, None, 340, _fit(top=100, barmode="group")
    )


def extrapolation_figure(
    t: np.ndarray, curves: Mapping[str, np.ndarray], names: Sequence[str]
) -> Figure:
    """Outputs along the diagonal x₁ = x₂ = t, inside the training square and beyond it.

    Parameters
    ----------
    t : ndarray, shape (m,)
        Positions along the diagonal.
    curves : mapping of model name to ndarray, shape (m, k)
        Each model's outputs there (the first drawn solid, the second dashed).
    names : sequence of str
        The behaviours, in the outputs' order.
    """
    layout = _panels(list(names), 0.04, "x₁ = x₂")
    layout["shapes"] = []
    for b in range(len(names)):
        suffix = "" if b == 0 else str(b + 1)
        layout[f"xaxis{suffix}"].update(tickvals=[-2, 0, 2])
        if b > 0:  # shared with the first panel's, which alone is labelled
            layout[f"yaxis{suffix}"].update(matches="y", showticklabels=False)
    dashes = ["solid", "dash", "dot"]
    traces: list[dict[str, Any]] = []
    for b, name in enumerate(names):
        for i, (model, values) in enumerate(curves.items()):
            traces.append(
                {
                    "type": "scatter",
                    "x": _r(t),
                    "y": _r(values[:, b]),
                    "name": model,
                    "mode": "lines",
                    "line": {"color": _color(name), "width": 3, "dash": dashes[i % 3]},
                    "showlegend": False,
                    "hovertemplate": f"{model}<br>t %{{x:.2f}}: %{{y:.2f}}<extra></extra>",
                    **_axes(b),
                }
            )
        axes = _axes(b)
        layout["shapes"].append(
            {
                "fillcolor": "#DDDDDD",
                "line": {"width": 0},
                "opacity": 0.35,
                "type": "rect",
                "x0": -1,
                "x1": 1,
                "xref": axes["xaxis"],
                "y0": 0,
                "y1": 1,
                "yref": f"{axes['yaxis']} domain",
            }
        )
    for i, model in enumerate(curves):  # the line styles' legend, in a neutral colour
        traces.append(
            {
                "type": "scatter",
                "x": [None],
                "y": [None],
                "name": model,
                "mode": "lines",
                "line": {"color": NEUTRAL, "width": 3, "dash": dashes[i % 3]},
                **_axes(0),
            }
        )
    # three panels under their titles leave a projector little height: three ticks at most
    return style_data(
        traces, layout, "Beyond the square", None, None, 360, _fit(top=100, yaxis={"nticks": 3})
    )


#: The eye chart's reach (degrees): a human eye turns about 50° either way.
EYE_LIMIT = 45.0


def eye_figure(
    t: np.ndarray,
    target: np.ndarray,
    eye: np.ndarray,
    predicted: np.ndarray,
    lesion_at: float | None,
) -> go.Figure:
    """Eye position over time: the saccade targets, the network's run and the circuit
    model's prediction made before it.

    Parameters
    ----------
    t : ndarray
        Seconds.
    target, eye, predicted : ndarray
        Degrees: where a perfect integrator would hold, the simulated eye, the
        closed-form prediction.
    lesion_at : float or None
        When units were lesioned (a vertical line).
    """
    step = max(1, len(t) // 600)  # a point every 20 ms or so: saccades still show as jumps
    fig = go.Figure()
    for y, name, line in (
        # short names: the legend's one row leaves a projector's chart its height
        (target, "targets", {"color": NEUTRAL, "dash": "dot", "width": 2}),
        (eye, "simulated", {"color": OKABE_ITO[4], "width": 4}),
        (predicted, "predicted", {"color": "#000000", "dash": "dash", "width": 2}),
    ):
        fig.add_trace(
            go.Scatter(
                x=_r(t[::step]),
                y=_r(y[::step]),
                name=name,
                mode="lines",
                line=line,
                hovertemplate=f"{name}<br>%{{x:.2f}} s: %{{y:.2f}}°<extra></extra>",
            )
        )
    if np.max(np.abs(eye)) > EYE_LIMIT:  # a runaway: keep the saccades in view
        fig.update_yaxes(range=[-EYE_LIMIT, EYE_LIMIT], tickvals=[-40, 0, 40])
        fig.add_annotation(  # inside the plot, where a phone has room for it
            text=f"the eye runs off the chart<br>(to {eye[-1]:,.3g}°)",
            xref="paper",
            yref="paper",
            x=0,
            y=1.0,
            xanchor="left",
            yanchor="top",
            align="left",
            bgcolor="rgba(255, 255, 255, 0.85)",
            showarrow=False,
            font={"size": 13, "color": _THRESHOLD_COLOR},
        )
    if lesion_at is not None:
        fig.add_vline(
            x=lesion_at,
            line={"color": _THRESHOLD_COLOR, "width": 2},
            annotation_text="lesion",
            annotation_position="top right",
        )
    fig = style(fig, "Eye position", "time (s)", "eye (°)", 380)
    fig.update_layout(_fit())
    return fig


def hold_figure(tau: float, mistuning: float, needed: float, hold: float = 20.0) -> go.Figure:
    """How long gaze holds against how far the feedback is from 1: τ / |1 − w|, log-log.

    Parameters
    ----------
    tau : float
        The neurons' time constant (s).
    mistuning : float
        The network's 1 − λ (λ its feedback eigenvalue; a marker, none at 0).
    needed : float
        The largest |1 − w| that holds gaze ``hold`` seconds (a dotted line).
    hold : float
        A hold time to mark (Seung's 20 s).
    """
    m = np.logspace(-4, -1, 61)
    fig = go.Figure(
        go.Scatter(
            x=_r(100 * m),
            y=_r(tau / m),
            mode="lines",
            name=f"τ = {1000 * tau:g} ms",
            line={"color": OKABE_ITO[4], "width": 3},
            hovertemplate="mistuned by %{x:.2g}%: holds %{y:.3g} s<extra></extra>",
        )
    )
    need = needed
    # a label a decade, or every other decade when the times span more than four
    held = [tau / m[0], tau / m[-1], hold] + ([tau / abs(mistuning)] if mistuning else [])
    low, high = math.log10(min(held)) - 0.2, math.log10(max(held)) + 0.8
    # the note on the roomier side of its line (above it, unless the line is high)
    above = math.log10(hold) < (low + high) / 2
    fig.add_hline(y=hold, line={"color": NEUTRAL, "dash": "dot", "width": 1.5})
    fig.add_vline(x=100 * need, line={"color": NEUTRAL, "dash": "dot", "width": 1.5})
    fig.add_annotation(
        x=math.log10(100 * need),
        y=math.log10(hold),
        text=f"{hold:g} s needs<br>|1 − w| ≤ {100 * need:.2g}%",
        showarrow=False,
        align="left",
        xanchor="left",
        yanchor="bottom" if above else "top",
        font={"size": 13, "color": NEUTRAL},
    )
    if mistuning:
        fig.add_trace(
            go.Scatter(
                x=[100 * abs(mistuning)],
                y=[tau / abs(mistuning)],
                mode="markers",
                name="this network",
                marker={
                    "color": OKABE_ITO[5],
                    "size": 13,
                    "line": {"color": "#222222", "width": 1},
                },
                hovertemplate="this network: holds %{y:.3g} s<extra></extra>",
            )
        )
    # 0.01% to 100%: |1 − λ| is at most 1 (a lesion scales λ down, never below 0)
    fig.update_xaxes(type="log", dtick=1, range=[-2, 2.05])
    fig.update_yaxes(type="log", range=[low, high], dtick=1 if high - low <= 4.5 else 2)
    fig = style(fig, "How finely tuned?", "mistuning |1 − w| (%)", "gaze holds (s)", 380)
    fig.update_layout(_fit())
    return fig


#: The toy model's features, one Okabe–Ito colour each (in order of importance).
_FEATURE_COLORS = (OKABE_ITO[4], OKABE_ITO[5], OKABE_ITO[2], OKABE_ITO[0], OKABE_ITO[6])


def _feature_colors(n: int) -> list[str]:
    """One colour per feature (grey beyond the palette)."""
    return [_FEATURE_COLORS[i] if i < len(_FEATURE_COLORS) else NEUTRAL for i in range(n)]


#: An arrow shorter than this is a dropped feature's and has no label (its label would
#: sit on the other dropped features' at the origin; the hover names it).
_LABELLED = 0.2


def arrows_figure(W: np.ndarray, importance: np.ndarray) -> go.Figure:
    """Each feature's column of W as an arrow in the hidden plane.

    Parameters
    ----------
    W : ndarray, shape (2, n)
        The toy model's weights.
    importance : ndarray, shape (n,)
        Each feature's importance (in the legend).
    """
    n = W.shape[1]
    colors = _feature_colors(n)
    fig = go.Figure()
    for i in range(n):
        x, y = float(W[0, i]), float(W[1, i])
        fig.add_trace(
            go.Scatter(
                x=[0.0, x],
                y=[0.0, y],
                mode="lines+markers+text",
                name=f"feature {i}",
                showlegend=False,
                line={"color": colors[i], "width": 5},
                marker={"size": [0, 14], "symbol": "arrow", "angleref": "previous"},
                text=["", f" {i}" if math.hypot(x, y) > _LABELLED else ""],
                textposition="middle right",
                textfont={"size": 16, "color": "#222222"},
                hovertemplate=(
                    f"feature {i} (importance {importance[i]:.2f}): "
                    f"‖W‖ = {math.hypot(x, y):.2f}<extra></extra>"
                ),
            )
        )
    top = max(1.0, float(np.max(np.abs(W)))) * 1.25
    fig.update_xaxes(range=[-top, top], zeroline=True, constrain="domain")
    fig.update_yaxes(range=[-top, top], zeroline=True, scaleanchor="x", constrain="domain")
    fig = style(fig, "5 features in 2 dimensions", "dimension 0", "dimension 1", 420)
    fig.update_layout(_fit())
    return fig


def dimensions_figure(sweep: pd.DataFrame, sparsity: float) -> go.Figure:
    """Dimensions per feature (m / ‖W‖²_F) against 1/(1 − S), with the features kept.

    Parameters
    ----------
    sweep : DataFrame
        ``sparsity``, ``density_inverse``, ``dimensions_per_feature`` and
        ``represented`` (:func:`lib.blackbox.superposition.sweep_frame`).
    sparsity : float
        The slider's sparsity (a marker).
    """
    fig = go.Figure(
        go.Scatter(
            x=sweep["density_inverse"],
            y=sweep["dimensions_per_feature"],
            mode="lines+markers+text",
            text=[f"{k}" for k in sweep["represented"]],
            textposition="top center",
            textfont={"size": 14},
            cliponaxis=False,
            line={"color": OKABE_ITO[4], "width": 3},
            marker={"size": 9},
            name="dimensions per feature",
            customdata=sweep["sparsity"],
            hovertemplate="S = %{customdata:g}: %{y:.2f} dimensions per feature<extra></extra>",
        )
    )
    at = sweep[np.isclose(sweep["sparsity"], sparsity)]
    if not at.empty:
        fig.add_trace(
            go.Scatter(
                x=at["density_inverse"],
                y=at["dimensions_per_feature"],
                mode="markers",
                marker={
                    "color": OKABE_ITO[5],
                    "size": 15,
                    "line": {"color": "#222222", "width": 1},
                },
                name=f"S = {sparsity:g} (the slider)",
                hoverinfo="skip",
            )
        )
    fig.update_xaxes(type="log", dtick=1)
    top = float(sweep["dimensions_per_feature"].max())
    fig.update_yaxes(range=[0, 1.3 * top])
    fig = style(fig, "Dimensions per feature", "1 / (1 − S), log (S: sparsity)", "m / ‖W‖²", 420)
    fig.update_layout(_fit())
    return fig


def polysemantic_figure(weights: pd.DataFrame, damage: pd.DataFrame, dimension: int) -> go.Figure:
    """What each hidden dimension carries (|weight| per feature), and what silencing one
    dimension costs each feature.

    Parameters
    ----------
    weights : DataFrame
        One row per hidden dimension with ``feature_0`` … columns
        (:func:`lib.blackbox.superposition.polysemantic`).
    damage : DataFrame
        ``feature``, ``damage`` (:func:`lib.blackbox.superposition.lesion_dimension`).
    dimension : int
        The dimension silenced.
    """
    features = [c for c in weights.columns if c.startswith("feature_")]
    n = len(features)
    colors = _feature_colors(n)
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=["Weights", f"Silence dim. {dimension}"],
        horizontal_spacing=0.2,
    )
    for i, col in enumerate(features):
        fig.add_trace(
            go.Bar(
                x=[str(d) for d in weights["dimension"]],
                y=_r(np.abs(weights[col].to_numpy())),
                name=f"feature {i}",
                marker={"color": colors[i]},
                hovertemplate=f"feature {i}: |weight| %{{y:.2f}}<extra></extra>",
            ),
            row=1,
            col=1,
        )
    fig.add_trace(
        go.Bar(
            x=[str(i) for i in damage["feature"]],
            y=_r(damage["damage"].to_numpy()),
            marker={"color": colors},
            showlegend=False,
            hovertemplate="%{x}: damage %{y:.2f}<extra></extra>",
        ),
        row=1,
        col=2,
    )
    fig.update_yaxes(title_text="|weight|", row=1, col=1)
    fig.update_yaxes(title_text="damage", row=1, col=2)
    fig.update_yaxes(nticks=4)
    fig.update_xaxes(title_text="hidden dimension", type="category", row=1, col=1)
    fig.update_xaxes(title_text="feature", type="category", row=1, col=2)
    fig.update_annotations(yshift=6)
    fig.update_xaxes(ticklabelstandoff=6)
    fig = style(fig, "One dimension, many features", None, None, 380)
    fig.update_layout(_fit(top=100, barmode="group"))
    return fig
