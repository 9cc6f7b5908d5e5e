"""Figures of the Invariance page, in the lab's one style (see :mod:`lib.figures.style`).

* :func:`lattice_figure` — every subset of the candidates, smallest at the left,
  coloured by its invariance p-value, accepted sets outlined and ticked;
* :func:`ranked_sets_figure` — the same p-values as a ranked bar chart, for
  more candidates than a lattice can show;
* :func:`pvalue_vs_strength` — the p-value of chosen sets as an intervention
  grows: "looks invariant" under a mild shift, rejected under a strong one;
* :func:`ood_error_vs_strength` — each model's error on a shifted environment;
* :func:`power_curve` — how often ICP recovers the true parents;
* :func:`environment_error_bars` — each model's error on each held-out environment;
* :func:`fresh_world_bars` — the same, the worlds in ICP's data apart from the new ones.

The pooled all-features model is orange (predictive), ICP and the oracle are
blue (causal); the palette is Okabe–Ito; type is 16 px and never under 14 px.
Every figure is plain data (:data:`lib.figures.style.Figure`), built directly.
Nothing here imports Streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from plotly.colors import sample_colorscale

from lib.figures.charts import error_vs_strength, rmse_bars
from lib.figures.fit import legend_below, wrapped
from lib.figures.style import (
    BASE_FONT_SIZE,
    CAUSAL_COLOR,
    NEUTRAL,
    OKABE_ITO,
    SMALL_FONT_SIZE,
    Figure,
    add_hline,
    add_hrect,
    add_vline,
    legend_on_top,
    require_frame,
    style,
    update_axes,
    update_layout,
)
from lib.text.escape import plotly_text

__all__ = [
    "ACCEPTED_EDGE",
    "OKABE_ITO",
    "BOX_NAME_CHARS",
    "LATTICE_MAX_CANDIDATES",
    "PVALUE_FLOOR",
    "PVALUE_SCALE",
    "box_names",
    "environment_error_bars",
    "fresh_world_bars",
    "lattice_figure",
    "ood_error_vs_strength",
    "power_curve",
    "pvalue_color",
    "pvalue_vs_strength",
    "ranked_sets_figure",
    "set_label",
    "shortened_names",
]

#: Most candidates drawn as a lattice (2**5 = 32 boxes); beyond, a ranked chart.
LATTICE_MAX_CANDIDATES = 5
#: p-values below this share the palest colour (and the bottom of log axes).
PVALUE_FLOOR = 1e-4
#: Colour of a set by its p-value: pale grey (rejected beyond doubt) to the
#: causal blue (fits every environment).
PVALUE_SCALE: list[list[Any]] = [[0.0, "#F2F2F2"], [0.55, "#9CC3DD"], [1.0, CAUSAL_COLOR]]
#: Outline of an accepted set.
ACCEPTED_EDGE = "#000000"
_REJECTED_EDGE = "#9A9A9A"
_EDGE_LINE = "#C8C8C8"
#: Colours of the sets followed across strengths (Okabe–Ito, not the kind colours).
_SET_COLORS = [OKABE_ITO[5], OKABE_ITO[2], OKABE_ITO[6], OKABE_ITO[7], OKABE_ITO[1]]
_SET_DASHES = ["solid", "dash", "dot", "dashdot", "longdash"]
_SET_SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x"]
#: Tick labels of p-value axes: decimals, never SI prefixes ("100μ").
_PVALUE_TICKS = {PVALUE_FLOOR: "≤ 0.0001", 1e-3: "0.001", 0.01: "0.01", 0.1: "0.1", 1.0: "1"}
#: Top of the p-value axis (log10): room above p = 1 for the "you are here" label.
_HEADROOM_LOG = 0.6
#: A light backing behind labels drawn over lines.
_LABEL_BACKING = "rgba(255, 255, 255, 0.85)"
#: Longest line of an axis title or legend entry: a phone's chart is about 350 px wide,
#: a projected chart under 300 px tall (a y title longer than the plot is cut).
TITLE_LINE_CHARS = 30
#: Longest line of an x axis title (16 px type on a phone's 350 px).
X_TITLE_CHARS = 36
#: Most ticks on a y axis of a short chart (a projected one: 22 px ticks).
Y_NTICKS = 3


def set_label(names: Sequence[str] | frozenset[str], order: Sequence[str] = ()) -> str:
    """A set of predictors as text: ``"dose, headache"``; ``"∅ (none)"`` for the empty set.

    Names are in the order of ``order`` (then alphabetical).
    """
    pos = {n: i for i, n in enumerate(order)}
    shown = sorted(names, key=lambda n: (pos.get(n, len(pos)), n))
    return ", ".join(map(str, shown)) if shown else "∅ (none)"


#: Longest name shown whole in a lattice box (longer ones are shortened; hover has them all).
BOX_NAME_CHARS = 14


def box_names(names: Sequence[str]) -> dict[str, str]:
    """Short, distinct names for the lattice's boxes.

    A name longer than :data:`BOX_NAME_CHARS` keeps its leading ``_``-separated
    words that fit, then "…" (``"sinister_description"`` -> ``"sinister…"``);
    if two short names collide, both keep their first characters instead.
    """
    out: dict[str, str] = {}
    for name in names:
        text = str(name)
        if len(text) <= BOX_NAME_CHARS:
            out[name] = text
            continue
        words = text.split("_")
        short = words[0]
        for w in words[1:]:
            if len(short) + 1 + len(w) > BOX_NAME_CHARS - 1:
                break
            short += "_" + w
        out[name] = (short if len(short) < BOX_NAME_CHARS else text[: BOX_NAME_CHARS - 1]) + "…"
    values = list(out.values())
    for i, (name, short) in enumerate(list(out.items())):
        if values.count(short) > 1:  # tell them apart by their ends, then by position
            text = str(name)
            out[name] = text[:5] + "…" + text[-5:]
            if [str(n)[:5] + "…" + str(n)[-5:] for n in out].count(out[name]) > 1:
                out[name] = f"{text[:8]}…#{i + 1}"
    return out


def shortened_names(names: Sequence[str]) -> dict[str, str]:
    """The names :func:`box_names` shortens: short form -> full name (empty if none is).

    A page prints this key under the lattice, so that no name is only ever seen cut.
    """
    return {short: str(full) for full, short in box_names(names).items() if short != str(full)}


def _scale_position(p: float) -> float:
    """Where a p-value sits on the colour scale (0 = floor or less, 1 = p of 1)."""
    if not math.isfinite(p) or p <= PVALUE_FLOOR:
        return 0.0
    lo = math.log10(PVALUE_FLOOR)
    return float(min(1.0, max(0.0, (math.log10(min(p, 1.0)) - lo) / -lo)))


def pvalue_color(p: float) -> str:
    """The colour of a set with p-value ``p`` (``rgb(...)``)."""
    return str(sample_colorscale(PVALUE_SCALE, [_scale_position(p)])[0])


def _text_color(position: float) -> str:
    return "#FFFFFF" if position > 0.62 else "#222222"


def _pvalue_text(p: float) -> str:
    if not math.isfinite(p):
        return "n/a"
    if p < PVALUE_FLOOR:
        return f"< {PVALUE_FLOOR:g}"
    return f"{p:.2g}" if p < 0.1 else f"{p:.2f}"


def _items(set_pvalues: Mapping[frozenset[str], float]) -> list[tuple[frozenset[str], float]]:
    return [(frozenset(s), float(v)) for s, v in set_pvalues.items()]


def _check_alpha(alpha: float) -> float:
    a = float(alpha)
    if not 0.0 < a < 1.0:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha!r}")
    return a


def _colorbar(alpha: float) -> dict[str, Any]:
    ticks = [PVALUE_FLOOR, 1e-3, 0.01, alpha, 0.5]
    ticks = sorted(set(ticks))
    return {
        "title": {"text": "p-value", "side": "top", "font": {"size": SMALL_FONT_SIZE}},
        "tickvals": [_scale_position(t) for t in ticks],
        "ticktext": [
            (f"α = {t:g}" if t == alpha else ("≤ " + f"{t:g}" if t == PVALUE_FLOOR else f"{t:g}"))
            for t in ticks
        ],
        "tickfont": {"size": SMALL_FONT_SIZE},
        "thickness": 16,
        "len": 0.8,
        "y": 0.42,
        "yanchor": "middle",
    }


def lattice_figure(
    set_pvalues: Mapping[frozenset[str], float],
    candidates: Sequence[str],
    alpha: float,
    title: str = "",
) -> Figure:
    """Every subset of the candidates, by size, coloured by its invariance p-value.

    Parameters
    ----------
    set_pvalues : mapping of frozenset of str to float
        Each subset's p-value (e.g. :attr:`lib.invariance.engine.ICPResult.set_pvalues`);
        subsets that are missing are drawn white with "not tested".
    candidates : sequence of str
        At most :data:`LATTICE_MAX_CANDIDATES`.
    alpha : float
        Level: a set with p-value above it is accepted (outlined in black and ticked).
    title : str, optional

    Returns
    -------
    Figure
        One box (an annotation) per subset, in columns by size (the empty set
        at the left, all candidates at the right); grey lines join a set to
        the sets one predictor larger. A marker trace under the boxes carries
        the hover text and the colour bar. ``layout.meta`` holds
        ``{"accepted": [labels of accepted sets]}``.

    Raises
    ------
    ValueError
        For more than :data:`LATTICE_MAX_CANDIDATES` candidates, a repeated
        candidate, or alpha outside (0, 1).
    """
    a = _check_alpha(alpha)
    names = [str(c) for c in candidates]
    p = len(names)
    if p > LATTICE_MAX_CANDIDATES:
        raise ValueError(
            f"a lattice of {2**p} sets is unreadable; use ranked_sets_figure for more than "
            f"{LATTICE_MAX_CANDIDATES} candidates"
        )
    if len(set(names)) != p:
        raise ValueError("a candidate is listed twice")
    values = {s: v for s, v in _items(set_pvalues)}
    short = box_names(names)
    levels = [[frozenset(c) for c in combinations(names, k)] for k in range(p + 1)]
    widest = max(len(level) for level in levels)
    row = 1.0
    pos: dict[frozenset[str], tuple[float, float]] = {}
    half = (widest - 1) / 2 * row
    for k, level in enumerate(levels):
        m = len(level)
        # each column spread over the tallest column's height (more room for fewer boxes)
        spread = np.linspace(half, -half, m) if m > 1 else np.zeros(1)
        if m > 1 and m < widest:
            spread = spread * (1 - 0.5 / m)
        for i, s in enumerate(level):
            pos[s] = (float(k), float(spread[i]))

    traces: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    # lines from each set to the sets one predictor larger
    ex: list[float | None] = []
    ey: list[float | None] = []
    for k in range(p):
        for s in levels[k]:
            for extra in names:
                if extra in s:
                    continue
                bigger = s | {extra}
                (x0, y0), (x1, y1) = pos[s], pos[bigger]
                ex += [x0, x1, None]
                ey += [y0, y1, None]
    if ex:
        traces.append(
            {
                "type": "scatter",
                "x": ex,
                "y": ey,
                "mode": "lines",
                "line": {"color": _EDGE_LINE, "width": 1},
                "hoverinfo": "skip",
                "showlegend": False,
            }
        )
    xs, ys, cs, hover = [], [], [], []
    accepted_labels = []
    for s, (x, y) in pos.items():
        v = values.get(s, float("nan"))
        tested = s in values
        t = _scale_position(v) if tested else 0.0
        ok = tested and v > a
        lab = set_label(s, names)
        if ok:
            accepted_labels.append(lab)
        lines = [short[n] for n in names if n in s] or ["∅ none"]
        text = "<br>".join(plotly_text(n) for n in lines)
        if ok:
            text = "✓ " + text
        annotations.append(
            {
                "x": x,
                "y": y,
                "text": text,
                "showarrow": False,
                "font": {
                    "size": SMALL_FONT_SIZE if p >= 4 else BASE_FONT_SIZE,
                    "color": _text_color(t) if tested else NEUTRAL,
                },
                "bgcolor": pvalue_color(v) if tested else "#FFFFFF",
                "bordercolor": ACCEPTED_EDGE if ok else _REJECTED_EDGE,
                "borderwidth": 3 if ok else 1,
                "borderpad": 5,
                "align": "center",
            }
        )
        xs.append(x)
        ys.append(y)
        cs.append(t)
        verdict = "accepted: looks invariant" if ok else ("rejected" if tested else "not tested")
        hover.append(
            f"<b>{plotly_text(lab)}</b><br>p-value {_pvalue_text(v) if tested else 'n/a'}"
            f"<br>{verdict}"
        )
    traces.append(
        {
            "type": "scatter",
            "x": xs,
            "y": ys,
            "mode": "markers",
            "marker": {
                "size": 26,
                "color": cs,
                "colorscale": PVALUE_SCALE,
                "cmin": 0.0,
                "cmax": 1.0,
                "showscale": True,
                "colorbar": _colorbar(a),
                "opacity": 0.01,
            },
            "hovertext": hover,
            "hovertemplate": "%{hovertext}<extra></extra>",
            "showlegend": False,
        }
    )
    layout = {
        "annotations": annotations,
        "xaxis": {
            "range": [-0.55, p + 0.55],
            "tickvals": list(range(p + 1)),
            "ticktext": [str(k) for k in range(p + 1)],
            "showgrid": False,
            "zeroline": False,
        },
        "yaxis": {"range": [-half - 0.7, half + 0.7], "visible": False, "fixedrange": True},
        "meta": {"accepted": accepted_labels},
        "hovermode": "closest",
    }
    fig = {"data": traces, "layout": layout}
    line_height = 19 if p >= 4 else 21
    box = max(2, p // 2 + 1) * line_height + 18
    height = int(min(900, max(320, 110 + widest * box)))
    return style(fig, title, "predictors in the set (how many)", None, height)


def ranked_sets_figure(
    set_pvalues: Mapping[frozenset[str], float] | pd.DataFrame,
    candidates: Sequence[str],
    alpha: float,
    top: int = 15,
    title: str = "",
    line_chars: int | None = None,
) -> Figure:
    """The ``top`` subsets with the largest p-values, as horizontal bars on a log axis.

    Parameters
    ----------
    set_pvalues : mapping of frozenset to float, or pandas.DataFrame
        Each subset's p-value; or an already ranked table with columns ``set``
        (text) and ``pvalue`` (as :meth:`lib.invariance.engine.SetPValues.table`).
    candidates : sequence of str
        For the order of the names in each label.
    alpha : float
    top : int, optional
    title : str, optional
    line_chars : int, optional
        Each set's name broken at its commas into lines of at most this many
        characters (a phone's narrow chart); one line when not given.

    Returns
    -------
    Figure
        One bar trace (largest p-value at the top); accepted sets in the
        causal blue, rejected ones grey; a dashed line at ``alpha``.
    """
    a = _check_alpha(alpha)
    if top < 1:
        raise ValueError(f"top must be at least 1, got {top}")
    if isinstance(set_pvalues, pd.DataFrame):
        require_frame(set_pvalues, "the ranked sets", ["set", "pvalue"])
        ranked = sorted(
            zip(set_pvalues["set"].astype(str), set_pvalues["pvalue"].astype(float), strict=True),
            key=lambda r: -r[1],
        )
        ranked = [(lab.replace("∅", "∅ (none)") if lab == "∅" else lab, v) for lab, v in ranked]
    else:
        items = _items(set_pvalues)
        if not items:
            raise ValueError("no subset was tested: there is nothing to plot")
        items.sort(key=lambda r: -r[1])
        ranked = [(set_label(s, candidates), v) for s, v in items]
    ranked = ranked[:top]
    labels = [lab for lab, _ in ranked]
    vals = np.array([max(v, PVALUE_FLOOR) for _, v in ranked])
    raw = [v for _, v in ranked]
    colors = [CAUSAL_COLOR if v > a else "#BDBDBD" for v in raw]
    bars = {
        "type": "bar",
        "x": vals,
        "y": [plotly_text(lab) for lab in labels],
        "orientation": "h",
        "marker": {"color": colors, "line": {"color": "#333333", "width": 1}},
        "text": [_pvalue_text(v) for v in raw],
        "textposition": "outside",
        "textfont": {"size": SMALL_FONT_SIZE},
        "cliponaxis": False,
        "hovertemplate": "<b>%{y}</b><br>p-value %{text}<extra></extra>",
        "showlegend": False,
    }
    # a narrow chart (names wrapped) has room for three ticks
    ticks = (
        [PVALUE_FLOOR, 1e-3, 0.01, 0.1, 1.0] if line_chars is None else [PVALUE_FLOOR, 0.01, 1.0]
    )
    shown = [plotly_text(lab) for lab in labels]
    layout = {
        "xaxis": {
            "type": "log",
            # half a decade below the floor: a set at the floor is a visible stub, not nothing
            "range": [math.log10(PVALUE_FLOOR) - 0.5, 0.35],
            "tickvals": ticks,
            "ticktext": [_PVALUE_TICKS[t] for t in ticks],
        },
        "yaxis": {
            "autorange": "reversed",
            "categoryorder": "array",
            "categoryarray": shown,
            "tickvals": shown,
            "ticktext": shown if line_chars is None else [wrapped(x, line_chars) for x in labels],
        },
    }
    fig: Figure = {"data": [bars], "layout": layout}
    add_vline(
        fig,
        a,
        {"color": NEUTRAL, "dash": "dash", "width": 2},
        annotation={"text": f"α = {a:g}", "font": {"size": SMALL_FONT_SIZE}},
        annotation_position="top",
    )
    if max(raw) < PVALUE_FLOOR:
        fig["layout"]["annotations"].append(
            {
                "text": f"Every set shown has p < {PVALUE_FLOOR:g}:<br>all rejected, none invariant",
                "xref": "paper",
                "yref": "paper",
                "x": 0.55,
                "y": 0.5,
                "showarrow": False,
                "font": {"size": BASE_FONT_SIZE, "color": NEUTRAL},
                "bgcolor": _LABEL_BACKING,
            }
        )
    lines = 1
    if line_chars is not None:
        lines = max(len(wrapped(x, line_chars).split("<br>")) for x in labels)
    height = int(
        min(900 + 100 * (lines - 1), max(320, 120 + (34 + 17 * (lines - 1)) * len(labels)))
    )
    x_title = (
        "invariance p-value (log scale)<br>right of α: accepted"
        if line_chars is None
        else "p-value (log scale)<br>right of α: accepted"
    )
    return style(fig, title, x_title, "set", height)


def pvalue_vs_strength(
    sweep: pd.DataFrame,
    alpha: float,
    *,
    strength_label: str = "intervention strength (0 = none, 1 = full)",
    at: float | None = None,
    title: str = "",
) -> Figure:
    """The invariance p-value of some sets as an intervention grows.

    Parameters
    ----------
    sweep : pandas.DataFrame
        Columns ``strength``, ``set`` (a label) and ``pvalue``; one row per
        set × strength.
    alpha : float
        A dashed line marks it; the band below is labelled "rejected".
    strength_label : str, optional
        x axis title.
    at : float, optional
        A dotted line at the strength the user chose ("you are here").
    title : str, optional

    Returns
    -------
    Figure
        One lines+markers trace per set (order of first appearance), on a log
        y axis from :data:`PVALUE_FLOOR` to 1.
    """
    a = _check_alpha(alpha)
    require_frame(sweep, "the sweep", ["strength", "set", "pvalue"])
    traces = []
    sets = list(dict.fromkeys(sweep["set"].astype(str)))
    for i, name in enumerate(sets):
        rows = sweep[sweep["set"].astype(str) == name].sort_values("strength", kind="stable")
        y = np.clip(rows["pvalue"].to_numpy(dtype=float), PVALUE_FLOOR, 1.0)
        traces.append(
            {
                "type": "scatter",
                "x": rows["strength"].to_numpy(dtype=float),
                "y": y,
                "mode": "lines+markers",
                "name": wrapped(name, TITLE_LINE_CHARS),
                "line": {
                    "color": _SET_COLORS[i % len(_SET_COLORS)],
                    "dash": _SET_DASHES[i % len(_SET_DASHES)],
                    "width": 3,
                },
                "marker": {"symbol": _SET_SYMBOLS[i % len(_SET_SYMBOLS)], "size": 9},
                "customdata": [_pvalue_text(v) for v in rows["pvalue"].to_numpy(dtype=float)],
                "hovertemplate": (
                    f"<b>{plotly_text(name)}</b><br>strength %{{x:.2f}}<br>"
                    "p-value %{customdata}<extra></extra>"
                ),
            }
        )
    s = sweep["strength"].to_numpy(dtype=float)
    lo, hi = min(0.0, float(s.min())), max(1.0, float(s.max()))
    fig: Figure = {"data": traces, "layout": {}}
    add_hrect(fig, PVALUE_FLOOR, a, fillcolor="#D55E00", opacity=0.07, line={"width": 0})
    add_hline(fig, a, {"color": NEUTRAL, "dash": "dash", "width": 2})
    # annotations on a log axis take log10 positions. Both labels sit inside the plot at
    # the strong end (curves cross α at mild strengths), left of the "you are here" line
    # when it is there, on a light backing, away from the tick labels.
    label_x = float(at) if at is not None and at > lo + 0.6 * (hi - lo) else hi
    for text, anchor, color in ((f"α = {a:g}", "bottom", NEUTRAL), ("rejected", "top", "#9A3F00")):
        fig["layout"].setdefault("annotations", []).append(
            {
                "x": label_x,
                "xref": "x",
                "y": math.log10(a),
                "yref": "y",
                "text": text,
                "showarrow": False,
                "xanchor": "right",
                "yanchor": anchor,
                "xshift": -6,
                "bgcolor": _LABEL_BACKING,
                "font": {"size": SMALL_FONT_SIZE, "color": color},
            }
        )
    pad = 0.03 * (hi - lo)
    update_axes(fig, "x", {"range": [lo - pad, hi + pad]})
    update_axes(
        fig,
        "y",
        {
            "type": "log",
            "range": [math.log10(PVALUE_FLOOR) - 0.1, _HEADROOM_LOG],
            "tickvals": list(_PVALUE_TICKS),
            "ticktext": list(_PVALUE_TICKS.values()),
        },
    )
    if at is not None:
        _you_are_here(fig, float(at), lo, hi, _HEADROOM_LOG)
    legend_on_top(fig)
    x_title = wrapped(strength_label, X_TITLE_CHARS)
    return style(fig, title, x_title, "invariance p-value<br>(log scale)", 440)


def ood_error_vs_strength(
    sweep: pd.DataFrame,
    *,
    strength_label: str = "intervention strength (0 = none, 1 = full)",
    at: float | None = None,
    unit: str = "",
    title: str = "",
    kinds_named: bool = True,
) -> Figure:
    """Each model's error on a shifted environment as the shift grows.

    Parameters
    ----------
    sweep : pandas.DataFrame
        Columns ``model, kind, strength, rmse`` (pooled model predictive, ICP
        and oracle causal).
    strength_label : str, optional
    at : float, optional
        A dotted line at the strength the user chose.
    unit : str, optional
        The target's unit, for the y axis title.
    title : str, optional
    kinds_named : bool, optional
        Each legend entry ends with the model's kind ("(predictive)"); ``False`` for
        models named by what they are (legend entries wrap at :data:`TITLE_LINE_CHARS`).
    """
    fig = error_vs_strength(sweep, title=title, strength_label=strength_label)
    y_title = f"RMSE{f' ({unit})' if unit else ''}<br>on the shifted environment"
    update_axes(fig, "y", {"title": {"text": y_title}, "nticks": Y_NTICKS})
    update_axes(fig, "x", {"title": {"text": wrapped(strength_label, X_TITLE_CHARS)}})
    for trace in fig["data"]:
        name = str(trace["name"]) if kinds_named else str(trace["name"]).rsplit(" (", 1)[0]
        trace["name"] = wrapped(name, TITLE_LINE_CHARS)
    legend_on_top(fig)
    if at is not None:
        top = float(np.nanmax(sweep["rmse"].to_numpy(dtype=float)))
        top = top if math.isfinite(top) and top > 0 else 1.0
        update_axes(fig, "y", {"range": [0.0, top * 1.25]})
        s = sweep["strength"].to_numpy(dtype=float)
        _you_are_here(
            fig, float(at), min(0.0, float(s.min())), max(1.0, float(s.max())), top * 1.25
        )
    return fig


def _you_are_here(fig: Figure, at: float, lo: float, hi: float, top: float) -> None:
    """A dotted line at the chosen strength, labelled in the headroom above the data
    (clear of lines at the top of the data and of the tick labels)."""
    add_vline(fig, at, {"color": NEUTRAL, "dash": "dot", "width": 2})
    right = at < lo + 0.6 * (hi - lo)
    fig["layout"].setdefault("annotations", []).append(
        {
            "x": at,
            "y": top,
            "xref": "x",
            "yref": "y",
            "text": "you are here",
            "showarrow": False,
            "xanchor": "left" if right else "right",
            "yanchor": "top",
            "xshift": 4 if right else -4,
            "yshift": -2,
            "bgcolor": _LABEL_BACKING,
            "font": {"size": SMALL_FONT_SIZE, "color": NEUTRAL},
        }
    )


def power_curve(
    power: pd.DataFrame,
    *,
    strength_label: str = "intervention strength (0 = none, 1 = full)",
    alpha: float | None = None,
    title: str = "",
) -> Figure:
    """How often ICP recovers the true parents, and how often it errs, by shift strength.

    Parameters
    ----------
    power : pandas.DataFrame
        Columns ``strength``, ``outcome`` (a label such as "found every parent")
        and ``rate`` (a fraction, 0 to 1); optionally ``reps`` (repetitions per
        point), which adds a 95% Wilson interval around each rate.
    strength_label : str, optional
    alpha : float, optional
        A dashed line at ``alpha`` (ICP's promised bound on naming a non-parent).
    title : str, optional

    Returns
    -------
    Figure
        One lines+markers trace per outcome; the first is in the causal blue.
    """
    require_frame(power, "the power table", ["strength", "outcome", "rate"])
    colors = [CAUSAL_COLOR, OKABE_ITO[5], NEUTRAL, OKABE_ITO[2], OKABE_ITO[6]]
    traces = []
    for i, outcome in enumerate(dict.fromkeys(power["outcome"].astype(str))):
        rows = power[power["outcome"].astype(str) == outcome].sort_values("strength")
        x = rows["strength"].to_numpy(dtype=float)
        r = rows["rate"].to_numpy(dtype=float)
        err: dict[str, Any] | None = None
        if "reps" in rows:
            reps = rows["reps"].to_numpy(dtype=float)
            lo, hi = _wilson(r, reps)
            err = {
                "type": "data",
                "symmetric": False,
                "array": hi - r,
                "arrayminus": r - lo,
                "thickness": 1.5,
                "width": 4,
                "color": colors[i % len(colors)],
            }
        trace = {
            "type": "scatter",
            "x": x,
            "y": r,
            "mode": "lines+markers",
            "name": wrapped(outcome, TITLE_LINE_CHARS),
            "line": {
                "color": colors[i % len(colors)],
                "width": 3 if i == 0 else 2.5,
                "dash": _SET_DASHES[i % len(_SET_DASHES)],
            },
            "marker": {"size": 9, "symbol": _SET_SYMBOLS[i % len(_SET_SYMBOLS)]},
            "hovertemplate": (
                f"<b>{plotly_text(outcome)}</b><br>strength %{{x:.2f}}<br>"
                "%{y:.0%} of the repetitions<extra></extra>"
            ),
        }
        if err is not None:
            trace["error_y"] = err
        traces.append(trace)
    fig: Figure = {"data": traces, "layout": {}}
    if alpha is not None:
        a = _check_alpha(alpha)
        add_hline(
            fig,
            a,
            {"color": NEUTRAL, "dash": "dash", "width": 1.5},
            annotation={"text": f"α = {a:g}", "font": {"size": SMALL_FONT_SIZE}},
            annotation_position="top left",
        )
    s = power["strength"].to_numpy(dtype=float)
    lo_x, hi_x = min(0.0, float(s.min())), max(1.0, float(s.max()))
    pad = 0.03 * (hi_x - lo_x)
    update_axes(fig, "x", {"range": [lo_x - pad, hi_x + pad]})
    update_axes(fig, "y", {"range": [-0.03, 1.05], "tickformat": ".0%"})
    legend_on_top(fig)
    x_title = wrapped(strength_label, X_TITLE_CHARS)
    return style(fig, title, x_title, "share of repetitions (%)", 440)


def _wilson(rate: np.ndarray, n: np.ndarray, z: float = 1.959964) -> tuple[np.ndarray, np.ndarray]:
    """95% Wilson score interval of a binomial proportion."""
    n = np.maximum(n, 1.0)
    denom = 1 + z**2 / n
    centre = (rate + z**2 / (2 * n)) / denom
    half = z * np.sqrt(rate * (1 - rate) / n + z**2 / (4 * n**2)) / denom
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def environment_error_bars(
    results: pd.DataFrame, *, environment_label: str = "held-out environment", unit: str = ""
) -> Figure:
    """Each model's error (RMSE) on each held-out environment, as grouped bars.

    Parameters
    ----------
    results : pandas.DataFrame
        Columns ``model, kind, test, rmse`` (``test`` is the environment), as
        :func:`lib.invariance.compare.environment_errors` returns.
    environment_label : str, optional
        x axis title.
    unit : str, optional
        The target's unit, for the y axis title.
    """
    fig = rmse_bars(results, title="")
    update_axes(fig, "x", {"title": {"text": environment_label}})
    update_axes(
        fig, "y", {"title": {"text": f"RMSE{f' ({unit})' if unit else ''}<br>lower is better"}}
    )
    return legend_on_top(fig)


#: Longest line of a world's name under its bars on a projector (names wrap at spaces,
#: the lines stay level: seven worlds fit 1,200 px at 22 px type); elsewhere a name
#: is one line, turned upright on a phone's narrow chart.
TICK_LINE_CHARS = 10


def fresh_world_bars(
    results: pd.DataFrame,
    seen: Sequence[str],
    new: Sequence[str],
    *,
    unit: str = "",
    projector: bool = False,
) -> Figure:
    """Each model's error on fresh samples of the worlds in ICP's data (left) and of
    worlds none of its environments was (right, past a dotted line), as grouped bars.

    Parameters
    ----------
    results : pandas.DataFrame
        Columns ``model, kind, test, rmse``; ``test`` is a world of ``seen`` or ``new``.
    seen, new : sequence of str
        The worlds in ICP's data, then the new ones, in the order shown.
    unit : str, optional
        The target's unit, for the y axis title.
    projector : bool, optional
        Laid out for a short, wide chart (the presenter view): the worlds' names in
        level lines of at most :data:`TICK_LINE_CHARS` characters, the legend in one
        row. Else each name is one line (plotly turns the lines when they crowd),
        the legend grouped by kind, the bars' labels upright (they keep their size
        on a phone's narrow bars). The legend is below the bars, the two groups'
        names above them.
    """
    order = [*seen, *new]
    ranked = results.assign(_at=results["test"].map({w: i for i, w in enumerate(order)}))
    ranked = ranked.sort_values("_at", kind="stable").drop(columns="_at")
    fig = environment_error_bars(ranked, environment_label="", unit=unit)
    shown = [plotly_text(w) for w in order]
    ticks: dict[str, Any] = {
        "categoryorder": "array",
        "categoryarray": shown,
        "tickvals": shown,
        "ticktext": [wrapped(w, TICK_LINE_CHARS) for w in order] if projector else shown,
    }
    # the legend below: the two groups' names take the top
    legend_below(fig, traceorder="normal" if projector else "grouped")
    if projector:  # one row of entries (the names say the kinds), a y title that fits
        ticks["tickangle"] = 0
        for trace in fig["data"]:
            trace.pop("legendgrouptitle", None)
        update_axes(fig, "y", {"title": {"text": "RMSE"}})
    else:  # upright bar labels keep their size on a phone's narrow bars; one line of y title
        for trace in fig["data"]:
            trace["textangle"] = -90
        update_layout(fig, {"uniformtext": {"minsize": 12, "mode": "hide"}})  # never tiny
        update_axes(fig, "y", {"title": {"text": f"RMSE{f' ({unit})' if unit else ''}"}})
        # room for the upright names under a plot taller than its y title
        update_layout(fig, {"height": max(540, int(fig["layout"].get("height") or 0))})
    update_axes(fig, "x", ticks)
    update_axes(fig, "y", {"nticks": Y_NTICKS})
    top = float(results["rmse"].max())
    update_axes(fig, "y", {"range": [0.0, 1.22 * top if top > 0 else 1.0]})  # room for the labels
    if seen and new:
        add_vline(fig, len(seen) - 0.5, {"color": NEUTRAL, "dash": "dot", "width": 2})
    # the two groups named above the plot, clear of the bars' labels
    update_layout(fig, {"margin": {"t": 40}})
    for text, x0, x1 in (
        ("in ICP's data", 0, len(seen)),
        ("new to the models", len(seen), len(order)),
    ):
        if x1 > x0:
            fig["layout"].setdefault("annotations", []).append(
                {
                    "x": (x0 + x1 - 1) / 2,
                    "xref": "x",
                    "y": 1.0,
                    "yref": "paper",
                    "yanchor": "bottom",
                    "text": f"<b>{text}</b>",
                    "showarrow": False,
                    "font": {"size": SMALL_FONT_SIZE, "color": NEUTRAL},
                }
            )
    return fig
