"""The lab's charts of the world and table pages: pure functions from data to figures.

Every chart takes its look from :mod:`lib.figures.style` (predictive models
orange, causal models blue, on every figure; the colour-blind-safe Okabe–Ito
palette; type large enough for a lecture hall).

A figure is plain data (:data:`lib.figures.style.Figure`: ``{"data": [trace
dicts], "layout": {...}}``), built directly, never through plotly's figure
classes (which validate every property on every build); ``go.Figure(figure)``
reads and validates one. Nothing here imports Streamlit; pages draw the returned
figures with ``lib.ui.widgets.chart``. The causal graphs' drawing is :mod:`lib.figures.graph`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from lib.figures.style import (
    DIVERGING_SCALE,
    NEUTRAL,
    SEQUENTIAL_SCALE,
    SMALL_FONT_SIZE,
    Figure,
    add_vline,
    colorscale,
    darker,
    kind_color,
    label,
    projector_height,
    require_frame,
    style,
    subsample,
    update_axes,
    update_layout,
)
from lib.fitting.scores import r2_score, rmse
from lib.text.escape import plotly_text
from lib.text.numbers import format_number

__all__ = [
    "coefficient_plot",
    "correlation_heatmap",
    "error_vs_strength",
    "PANEL_LEFT_PX",
    "PANEL_PLOT_PX",
    "PANEL_TICKS_PX",
    "PANEL_UNDER_PX",
    "page_heatmap",
    "pair_panels",
    "per_sd_coefficients",
    "predicted_vs_actual",
    "rmse_bars",
    "scatter_matrix",
]

# --------------------------------------------------------------------------
# Marks
# --------------------------------------------------------------------------

# Ways to tell models of the same kind apart without changing the kind colour.
_PATTERNS = ["", "/", ".", "x", "\\", "+", "-", "|"]
_DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
_SYMBOLS = ["circle", "square", "diamond", "triangle-up", "cross", "star"]

_INTERCEPT_NAMES = {"const", "intercept", "(intercept)"}


# --------------------------------------------------------------------------
# Private helpers
# --------------------------------------------------------------------------


def _as_1d(values: Any, name: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers") from None
    if arr.size == 0:
        raise ValueError(f"{name} is empty: there is nothing to plot")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains missing or infinite values")
    return arr


def _two_decimals(value: float) -> str:
    """A correlation or R² with 2 decimals (``n/a`` when undefined)."""
    return "n/a" if not np.isfinite(value) else f"{value:.2f}"


def _ordered_unique(values: Sequence[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


def _model_kinds(df: pd.DataFrame) -> list[tuple[str, str]]:
    """(model, kind) in order of first appearance; checks every kind."""
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    for model, kind in zip(df["model"], df["kind"], strict=True):
        kind_color(kind)  # validates
        if model not in seen:
            seen.add(model)
            pairs.append((model, kind))
    return pairs


def _variants(pairs: Sequence[tuple[str, str]]) -> dict[str, int]:
    """Model -> index among the models of its kind (0 for the first one)."""
    counts: dict[str, int] = {}
    out: dict[str, int] = {}
    for model, kind in pairs:
        out[model] = counts.get(kind, 0)
        counts[kind] = out[model] + 1
    return out


def _features_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (Sequence, np.ndarray, set, frozenset)):
        return ", ".join(map(str, value))
    return str(value)


# --------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------


def correlation_heatmap(df: pd.DataFrame, title: str = "Correlations") -> Figure:
    """Heatmap of the Pearson correlations between the numeric columns.

    Parameters
    ----------
    df : pandas.DataFrame
        Data; non-numeric columns are ignored.
    title : str, optional
        Figure title.

    Returns
    -------
    Figure
        One heatmap trace, diverging colour scale fixed to [-1, 1], each cell
        labelled with its correlation (2 decimals; ``n/a`` for a constant
        column).

    Raises
    ------
    ValueError
        If ``df`` is empty or has no numeric column.
    """
    require_frame(df, "the data")
    num = df.select_dtypes(include="number")
    if num.shape[1] == 0:
        raise ValueError("the data has no numeric column to correlate")
    corr = num.corr(method="pearson")
    names = [str(c) for c in corr.columns]
    z = corr.to_numpy(dtype=np.float64)
    text = [[_two_decimals(v) for v in row] for row in z]
    k = len(names)
    heatmap = {
        "type": "heatmap",
        "z": z,
        "x": names,
        "y": names,
        "zmin": -1.0,
        "zmax": 1.0,
        "zmid": 0.0,
        "colorscale": colorscale(DIVERGING_SCALE),
        "text": text,
        "texttemplate": "%{text}",
        "textfont": {"size": max(SMALL_FONT_SIZE, 18 - k // 2)},
        "hovertemplate": "%{y} & %{x}: r = %{text}<extra></extra>",
        "colorbar": {"title": {"text": "r"}, "thickness": 16},
    }
    layout = {
        "yaxis": {"autorange": "reversed", "scaleanchor": "x", "constrain": "domain"},
        "xaxis": {"constrain": "domain", "tickangle": -30 if k > 4 else 0},
    }
    fig = {"data": [heatmap], "layout": layout}
    height = int(min(900, max(380, 140 + 70 * k)))
    return style(fig, title, "variable", "variable", height)


def scatter_matrix(
    df: pd.DataFrame,
    columns: Sequence[str],
    units: Mapping[str, str] | None = None,
    highlight: str | None = None,
    max_points: int = 1500,
    seed: int = 0,
) -> Figure:
    """Pair plot of ``columns`` (lower triangle, diagonal hidden).

    Parameters
    ----------
    df : pandas.DataFrame
        Data.
    columns : Sequence[str]
        Numeric columns to plot against each other (at least two).
    units : Mapping[str, str] or None, optional
        Column -> unit, appended to the axis labels.
    highlight : str or None, optional
        A numeric column (usually the target) to colour the points by; a
        colour bar shows its scale. It need not be one of ``columns``.
    max_points : int, optional
        At most this many rows are drawn, chosen with
        ``numpy.random.default_rng(seed)`` (same seed, same points).
    seed : int, optional
        Seed of the subsample.

    Returns
    -------
    Figure
        One ``Splom`` trace; each dimension's label (``"name (unit)"``) is
        the title of its axes.

    Raises
    ------
    ValueError
        On empty data, fewer than two columns, or unknown/non-numeric columns.
    """
    cols = [str(c) for c in columns]
    require_frame(df, "the data", cols + ([highlight] if highlight else []))
    if len(cols) < 2:
        raise ValueError("a scatter matrix needs at least two columns")
    if len(set(cols)) != len(cols):
        raise ValueError("each column may appear only once in a scatter matrix")
    for c in cols + ([highlight] if highlight else []):
        if not pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c]):
            raise ValueError(f"column {c!r} is not numeric")
    rows = subsample(len(df), max_points, seed)
    sub = df.iloc[rows]
    marker: dict[str, Any] = {"size": 4, "opacity": 0.45, "line": {"width": 0}}
    if highlight:
        marker.update(
            color=sub[highlight].to_numpy(dtype=np.float64),
            colorscale=colorscale(SEQUENTIAL_SCALE),
            showscale=True,
            colorbar={"title": {"text": label(highlight, units), "side": "right"}},
        )
    else:
        marker["color"] = NEUTRAL
    dims = [{"label": label(c, units), "values": sub[c].to_numpy(dtype=np.float64)} for c in cols]
    splom = {
        "type": "splom",
        "dimensions": dims,
        "marker": marker,
        "diagonal": {"visible": False},
        "showupperhalf": False,
        "name": "data",
    }
    k = len(cols)
    height = int(min(1000, max(420, 210 * (k - 1) + 120)))
    fig = {"data": [splom], "layout": {"hovermode": "closest"}}
    shown = "" if len(df) <= max_points else f" ({len(rows):,} of {len(df):,} rows shown)"
    return style(fig, f"Pairwise scatter{shown}", None, None, height)


#: Heights of one row of :func:`pair_panels`: the plot, and the room under it for its
#: ticks and two-line x title (px, at the lab's type; a projector's type is larger).
PANEL_PLOT_PX = 150
PANEL_UNDER_PX = 85
#: The room at a panel's left for its y ticks and two-line title (px, at the lab's type).
PANEL_LEFT_PX = 72
#: The part of it the y ticks take (left inside the plot where type is large).
PANEL_TICKS_PX = 30


def pair_panels(
    df: pd.DataFrame,
    columns: Sequence[str],
    units: Mapping[str, str] | None = None,
    highlight: str | None = None,
    per_row: int = 2,
    width: int = 340,
    type_scale: float = 1.0,
    max_points: int = 1500,
    seed: int = 0,
) -> Figure:
    """The pairs of :func:`scatter_matrix`, each in a panel of its own, ``per_row`` a row.

    The same points and pairs as the matrix's lower half (``x`` the earlier column, ``y``
    the later), but every panel has its own axis titles and few ticks, so that it reads
    where a matrix's panels are too narrow for their labels (a phone, a projector).

    Parameters
    ----------
    df, columns, units, highlight, max_points, seed
        As for :func:`scatter_matrix` (``highlight`` colours the points of every panel,
        with one colour bar in a row above them).
    per_row : int, optional
        Panels in a row (at least 1).
    width : int, optional
        The width in px the figure is laid out for (a phone's 340, a projector's 1180):
        each panel keeps room at its left for its y ticks and title.
    type_scale : float, optional
        How much larger than the lab's its type will be drawn (1.5 on a projector,
        :func:`lib.figures.style.for_projector`): the room for ticks and titles grows with it.

    Returns
    -------
    Figure
        One scatter trace per pair, on axes ``x``/``y``, ``x2``/``y2`` ...

    Raises
    ------
    ValueError
        As :func:`scatter_matrix`, or ``per_row`` below 1.
    """
    if per_row < 1:
        raise ValueError(f"per_row must be at least 1, got {per_row}")
    matrix = scatter_matrix(df, columns, units, highlight, max_points, seed)
    splom = matrix["data"][0]
    dims = splom["dimensions"]
    pairs = [(i, j) for i in range(len(dims)) for j in range(i + 1, len(dims))]
    rows = -(-len(pairs) // per_row)
    top = round(90 * type_scale) if highlight else 20
    under = round(PANEL_UNDER_PX * type_scale)
    row_px = PANEL_PLOT_PX + under
    height = top + rows * row_px
    # Room at a panel's left for its y ticks and two-line title, as a share of its column;
    # where type is large (a projector), the y ticks go inside the plot to leave it wide.
    inside = type_scale > 1
    left_px = (PANEL_LEFT_PX - PANEL_TICKS_PX if inside else PANEL_LEFT_PX) * type_scale
    left = min(0.6, left_px * per_row / width)
    marker = {k: v for k, v in splom["marker"].items() if k not in ("colorscale", "showscale")}
    marker.pop("colorbar", None)
    layout: dict[str, Any] = {"hovermode": "closest", "showlegend": False}
    if highlight:
        marker["coloraxis"] = "coloraxis"
        layout["coloraxis"] = {
            "colorscale": splom["marker"]["colorscale"],
            "colorbar": {
                "title": {"text": label(highlight, units), "side": "top"},
                "orientation": "h",
                "thickness": 12,
                "len": 0.6,
                "nticks": 4,
                "x": 0.0,
                "xanchor": "left",
                "y": 1.0 + 12 / height,
                "yanchor": "bottom",
            },
        }
    traces = []
    for n, (i, j) in enumerate(pairs):
        r, c = divmod(n, per_row)
        suffix = "" if n == 0 else str(n + 1)
        x0 = (c + left) / per_row
        x1 = (c + (0.85 if inside else 0.9)) / per_row
        y1 = 1 - r / rows
        y0 = y1 - PANEL_PLOT_PX / (rows * row_px)
        xname, yname = dims[i]["label"], dims[j]["label"]
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": dims[i]["values"],
                "y": dims[j]["values"],
                "xaxis": f"x{suffix}",
                "yaxis": f"y{suffix}",
                "marker": marker,
                "name": f"{xname} · {yname}",
                "hovertemplate": f"{plotly_text(xname)} %{{x:.3g}}<br>"
                f"{plotly_text(yname)} %{{y:.3g}}<extra></extra>",
            }
        )
        two_lines = {"text": xname.replace(" (", "<br>(", 1)}
        layout[f"xaxis{suffix}"] = {
            "domain": [x0, x1],
            "anchor": f"y{suffix}",
            "nticks": 3 if inside else 4,
            # a last tick label past its plot's end would run into the next panel's title
            "ticklabeloverflow": "hide past domain" if inside else "allow",
            "title": two_lines,
        }
        layout[f"yaxis{suffix}"] = {
            "domain": [max(0.0, y0), y1],
            "anchor": f"x{suffix}",
            "nticks": 4,
            "ticklabelposition": "inside" if inside else "outside",
            "title": {"text": yname.replace(" (", "<br>(", 1)},
        }
    fig = {"data": traces, "layout": layout}
    styled = style(fig, "", None, None, height)
    update_layout(styled, {"margin": {"t": top, "l": 10, "r": 10, "b": 10}})
    # A panel's y title beside its own ticks, in the room kept for it (a margin pushed out
    # for one panel would move every panel).
    update_axes(styled, "y", {"automargin": False, "title": {"standoff": 4}})
    update_axes(styled, "x", {"automargin": False, "title": {"standoff": 4}})
    return projector_height(styled, height)


def predicted_vs_actual(
    y_true: Any,
    y_pred: Any,
    kind: str,
    title: str,
    units_label: str = "",
    max_points: int = 1500,
    seed: int = 0,
    y_pred_after: Any = None,
    y_true_after: Any = None,
) -> Figure:
    """Scatter of actual (x) against predicted (y) values, with y = x.

    Parameters
    ----------
    y_true, y_pred : array-like
        Actual and predicted values (same length).
    kind : str
        ``"predictive"`` or ``"causal"``; sets the colour.
    title : str
        Figure title.
    units_label : str, optional
        What is predicted, e.g. ``"relief (points)"``; axis titles become
        ``"actual relief (points)"`` and ``"predicted relief (points)"``.
    max_points : int, optional
        At most this many points per set are drawn (deterministic subsample).
        RMSE and R² are always computed on all points.
    seed : int, optional
        Seed of the subsample.
    y_pred_after, y_true_after : array-like, optional
        Predictions and actual values after an intervention. Give both or
        neither. When given, the first set is drawn faded as
        ``"before intervention"`` and this one darker with a different symbol
        as ``"after intervention"``.

    Returns
    -------
    Figure
        Traces: the identity line ``"perfect prediction"``, then the points
        (one trace, or before and after). Legend names carry the metrics,
        e.g. ``"before intervention: RMSE 1.31, R² 0.87"``. Both axes share
        the same range.

    Raises
    ------
    ValueError
        On empty, non-finite or mismatched input, an unknown ``kind``, or only
        one of the ``*_after`` arrays.
    """
    color = kind_color(kind)
    yt = _as_1d(y_true, "the actual values")
    yp = _as_1d(y_pred, "the predictions")
    if yt.size != yp.size:
        raise ValueError(
            f"{yt.size} actual values but {yp.size} predictions: they must match one to one"
        )
    sets: list[tuple[str, np.ndarray, np.ndarray]] = []
    if (y_pred_after is None) != (y_true_after is None):
        raise ValueError("give both y_true_after and y_pred_after, or neither")
    if y_pred_after is None:
        sets.append(("predictions", yt, yp))
    else:
        yta = _as_1d(y_true_after, "the actual values after the intervention")
        ypa = _as_1d(y_pred_after, "the predictions after the intervention")
        if yta.size != ypa.size:
            raise ValueError(
                f"{yta.size} actual values but {ypa.size} predictions after the "
                "intervention: they must match one to one"
            )
        sets.append(("before intervention", yt, yp))
        sets.append(("after intervention", yta, ypa))

    all_vals = np.concatenate([np.concatenate([t, p]) for _, t, p in sets])
    lo, hi = float(all_vals.min()), float(all_vals.max())
    pad = 0.04 * (hi - lo) if hi > lo else max(1.0, abs(lo)) * 0.1
    lo, hi = lo - pad, hi + pad

    traces: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "x": [lo, hi],
            "y": [lo, hi],
            "mode": "lines",
            "name": "perfect prediction",
            "line": {"color": NEUTRAL, "dash": "dash", "width": 2},
            "hoverinfo": "skip",
        }
    ]
    two = len(sets) == 2
    for i, (name, t, p) in enumerate(sets):
        error, r2 = rmse(t, p), r2_score(t, p)
        rows = subsample(t.size, max_points, seed + i)
        after = two and i == 1
        traces.append(
            {
                "type": "scatter",
                "x": t[rows],
                "y": p[rows],
                "mode": "markers",
                "name": f"{name}: RMSE {format_number(error)}, R² {_two_decimals(r2)}",
                "marker": {
                    "color": darker(color) if after else color,
                    "symbol": "diamond" if after else "circle",
                    "size": 7 if after else 6,
                    "opacity": 0.7 if after else (0.25 if two else 0.5),
                    "line": {"width": 0},
                },
                "hovertemplate": "actual %{x:.3g}<br>predicted %{y:.3g}<extra>" + name + "</extra>",
            }
        )
    layout = {
        "xaxis": {"range": [lo, hi], "constrain": "domain"},
        "yaxis": {"range": [lo, hi], "scaleanchor": "x", "scaleratio": 1, "constrain": "domain"},
    }
    fig = {"data": traces, "layout": layout}
    x_title = f"actual {units_label}".strip()
    y_title = f"predicted {units_label}".strip()
    # A square plot with a legend above it: too small to read at the projector's usual height.
    return projector_height(style(fig, title, x_title, y_title, 480), 460)


def coefficient_plot(table: pd.DataFrame, kind: str, title: str) -> Figure:
    """Point-range plot of coefficients with their 95% intervals.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``term, coef, ci_low, ci_high``. A row whose term is
        ``const``/``Intercept``/``(Intercept)`` is left out.
    kind : str
        ``"predictive"`` or ``"causal"``; sets the colour.
    title : str
        Figure title.

    Returns
    -------
    Figure
        One horizontal scatter trace with error bars, terms top to bottom in
        table order, and a dashed vertical line at zero.

    Raises
    ------
    ValueError
        If the table is empty (or holds only the intercept), lacks a column,
        or ``kind`` is unknown.
    """
    color = kind_color(kind)
    require_frame(table, "the coefficient table", ["term", "coef", "ci_low", "ci_high"])
    mask = ~table["term"].astype(str).str.strip().str.lower().isin(_INTERCEPT_NAMES)
    t = table.loc[mask]
    if t.empty:
        raise ValueError("the coefficient table has no coefficient besides the intercept")
    terms = t["term"].astype(str).tolist()
    coef = t["coef"].to_numpy(dtype=np.float64)
    low = t["ci_low"].to_numpy(dtype=np.float64)
    high = t["ci_high"].to_numpy(dtype=np.float64)
    points = {
        "type": "scatter",
        "x": coef,
        "y": terms,
        "mode": "markers",
        "name": f"{kind} model",
        "marker": {"color": color, "size": 12, "symbol": "circle"},
        "error_x": {
            "type": "data",
            "symmetric": False,
            "array": np.maximum(high - coef, 0.0),
            "arrayminus": np.maximum(coef - low, 0.0),
            "color": color,
            "thickness": 3,
            "width": 6,
        },
        "customdata": np.column_stack([low, high]),
        "hovertemplate": (
            "%{y}: %{x:.3g}<br>95% interval [%{customdata[0]:.3g}, "
            "%{customdata[1]:.3g}]<extra></extra>"
        ),
        "showlegend": False,
    }
    fig = {
        "data": [points],
        "layout": {"yaxis": {"categoryorder": "array", "categoryarray": terms[::-1]}},
    }
    add_vline(fig, 0, {"color": NEUTRAL, "dash": "dash", "width": 1.5})
    height = int(min(800, max(300, 120 + 48 * len(terms))))
    return style(fig, title, "coefficient (95% interval)", "term", height)


def rmse_bars(results: pd.DataFrame, title: str = "Prediction error by test") -> Figure:
    """Grouped bars of RMSE: one group per test, one bar per model.

    Parameters
    ----------
    results : pandas.DataFrame
        Columns ``model, kind, test, rmse`` (``features`` and ``r2`` are shown
        on hover when present), one row per model × test, as returned by
        ``lib.fitting.experiments.compare_models``.
    title : str, optional
        Figure title.

    Returns
    -------
    Figure
        One bar trace per model (order of first appearance). Every bar has its
        kind's colour; a second, third ... model of the same kind gets a white
        hatch pattern (``marker.pattern.shape``) so models stay apart. The
        test ``"observational"`` comes first on the x axis. Bars are labelled
        with :func:`format_number`.

    Raises
    ------
    ValueError
        On empty input, a missing column, an unknown kind, or two rows for the
        same model and test.
    """
    require_frame(results, "the results", ["model", "kind", "test", "rmse"])
    if results.duplicated(["model", "test"]).any():
        raise ValueError("the results have more than one row for the same model and test")
    pairs = _model_kinds(results)
    variants = _variants(pairs)
    # Test names may come from a user's table: escaped, so plotly shows them as typed.
    results = results.assign(test=results["test"].astype(str).map(plotly_text))
    tests = _ordered_unique(results["test"].tolist())
    if "observational" in tests:
        tests.remove("observational")
        tests.insert(0, "observational")
    ymax = float(results["rmse"].max())
    traces = []
    by_model = dict(list(results.groupby("model", sort=False)))
    for model, kind in pairs:
        rows = by_model[model]
        color = kind_color(kind)
        v = variants[model]
        errors = rows["rmse"].to_numpy(dtype=np.float64)
        r2 = rows["r2"].to_numpy(dtype=np.float64) if "r2" in rows else np.full(len(rows), np.nan)
        feats = (
            [_features_text(f) for f in rows["features"]]
            if "features" in rows
            else [""] * len(rows)
        )
        traces.append(
            {
                "type": "bar",
                "x": rows["test"].astype(str).tolist(),
                "y": errors,
                "name": str(model),
                "legendgroup": kind,
                "legendgrouptitle": {"text": f"{kind} models"},
                "marker": {
                    "color": color,
                    "line": {"color": darker(color, 0.3), "width": 1.5},
                    "pattern": {
                        "shape": _PATTERNS[v % len(_PATTERNS)],
                        "fillmode": "overlay",
                        "fgcolor": "#FFFFFF",
                        "fgopacity": 0.75,
                        "size": 8,
                        "solidity": 0.3,
                    },
                },
                "text": [format_number(x) for x in errors],
                "textposition": "outside",
                "textfont": {"size": SMALL_FONT_SIZE},
                "cliponaxis": False,
                "customdata": np.column_stack([[_two_decimals(x) for x in r2], feats]),
                "hovertemplate": (
                    f"<b>{plotly_text(model)}</b> ({kind})<br>test %{{x}}<br>"
                    "RMSE %{text}<br>R² %{customdata[0]}<br>"
                    "features: %{customdata[1]}<extra></extra>"
                ),
            }
        )
    layout = {
        "barmode": "group",
        "bargap": 0.25,
        "bargroupgap": 0.06,
        "legend": {"groupclick": "toggleitem"},
        "xaxis": {"categoryorder": "array", "categoryarray": tests},
        "yaxis": {"range": [0, ymax * 1.18 if ymax > 0 else 1.0], "rangemode": "tozero"},
    }
    fig = {"data": traces, "layout": layout}
    return style(fig, title, "test", "RMSE (lower is better)", 460)


def error_vs_strength(
    sweep: pd.DataFrame,
    title: str,
    strength_label: str = "intervention strength (0 = none, 1 = full)",
) -> Figure:
    """RMSE of each model as an intervention grows from none to full.

    Parameters
    ----------
    sweep : pandas.DataFrame
        Columns ``model, kind, strength, rmse``, one row per model × strength.
    title : str
        Figure title.
    strength_label : str, optional
        x axis title.

    Returns
    -------
    Figure
        One lines+markers trace per model (order of first appearance), in its
        kind's colour; models of the same kind differ by dash and symbol.
        The x axis spans at least 0 to 1.

    Raises
    ------
    ValueError
        On empty input, a missing column or an unknown kind.
    """
    require_frame(sweep, "the sweep", ["model", "kind", "strength", "rmse"])
    pairs = _model_kinds(sweep)
    variants = _variants(pairs)
    traces = []
    for model, kind in pairs:
        rows = sweep[sweep["model"] == model].sort_values("strength", kind="stable")
        v = variants[model]
        traces.append(
            {
                "type": "scatter",
                "x": rows["strength"].to_numpy(dtype=np.float64),
                "y": rows["rmse"].to_numpy(dtype=np.float64),
                "mode": "lines+markers",
                "name": f"{model} ({kind})",
                "legendgroup": kind,
                "line": {
                    "color": kind_color(kind),
                    "dash": _DASHES[v % len(_DASHES)],
                    "width": 3,
                },
                "marker": {
                    "color": kind_color(kind),
                    "symbol": _SYMBOLS[v % len(_SYMBOLS)],
                    "size": 9,
                },
                "hovertemplate": (
                    f"<b>{plotly_text(model)}</b><br>strength %{{x:.2f}}<br>"
                    "RMSE %{y:.3g}<extra></extra>"
                ),
            }
        )
    s = sweep["strength"].to_numpy(dtype=np.float64)
    lo, hi = min(0.0, float(s.min())), max(1.0, float(s.max()))
    pad = 0.03 * (hi - lo)
    layout = {"xaxis": {"range": [lo - pad, hi + pad]}, "yaxis": {"rangemode": "tozero"}}
    fig = {"data": traces, "layout": layout}
    return style(fig, title, strength_label, "RMSE (lower is better)", 440)


def per_sd_coefficients(model: Any, linear_models: Sequence[Any], target_label: str) -> Figure:
    """A linear model's per-SD coefficients with 95% intervals, on a range shared by its peers.

    Each input's weight times its training SD: the change in the target for a
    typical change of that input, comparable across inputs with different
    units. Every model of ``linear_models`` shares one x range, so that the
    predictive and the causal chart can be read against each other.

    Parameters
    ----------
    model : LinearModel
        Fitted, with at least one input.
    linear_models : sequence of LinearModel
        The models whose charts are shown beside it (``model`` among them).
    target_label : str
        The target with its unit (:func:`label`), for the axis title.
    """
    fig = coefficient_plot(model.coef_table(per_sd=True), model.kind, title="")
    tables = [lm.coef_table(per_sd=True) for lm in linear_models if lm.features]
    lo = min(0.0, *(float(t["ci_low"].min()) for t in tables))
    hi = max(0.0, *(float(t["ci_high"].max()) for t in tables))
    if hi > lo:
        pad = 0.06 * (hi - lo)
        update_axes(fig, "x", {"range": [lo - pad, hi + pad]})
    update_axes(fig, "x", {"title": {"text": f"change in {target_label}<br>per one-SD change"}})
    return update_axes(fig, "y", {"title": {"text": "input"}})


def page_heatmap(df: pd.DataFrame) -> Figure:
    """The Data page's correlation heatmap, for a world's sample and a table alike.

    The cells are labelled with the variables' names, so an axis title says
    nothing more; upright names never run into each other, however narrow the cells
    (on a phone, on a projector). In the presenter view the matrix is tall enough for
    its cells' numbers at projector type.
    """
    fig = correlation_heatmap(df, title="")
    update_axes(fig, "x", {"title": {"text": ""}, "tickangle": -90})
    update_axes(fig, "y", {"title": {"text": ""}})
    # The colour bar in a row above the matrix (beside it, it takes a phone's cells' room),
    # and cell numbers in the smallest type, so that a phone's cells hold their numbers.
    heatmap = fig["data"][0]
    heatmap["colorbar"] = {
        "title": {"text": "r", "side": "top"},
        "orientation": "h",
        "thickness": 12,
        "len": 0.5,
        "tickvals": [-1, 0, 1],
        "x": 1.0,
        "xanchor": "right",
        "y": 1.02,
        "yanchor": "bottom",
    }
    heatmap["textfont"] = {"size": SMALL_FONT_SIZE}
    k = len(fig["data"][0]["x"])
    return projector_height(fig, min(560, 190 + 70 * k))
