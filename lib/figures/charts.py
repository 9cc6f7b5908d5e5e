"""The lab's one plot style: pure functions from data to plotly figures.

Every chart in the lab comes from this module, so that the same idea always
looks the same: *predictive* models are orange, *causal* models are blue, on
every figure, and the palette is the colour-blind-safe Okabe–Ito set. Fonts
are large enough for a lecture hall.

Nothing here imports Streamlit; pages pass the returned figures to
``st.plotly_chart``. The causal graphs' drawing is :mod:`lib.figures.graph`.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from lib.fitting.scores import r2_score, rmse
from lib.text.escape import plotly_text
from lib.text.numbers import format_number

__all__ = [
    "legend_on_top",
    "page_heatmap",
    "per_sd_coefficients",
    "BASE_FONT_SIZE",
    "PROJECTOR_HEIGHT",
    "PROJECTOR_MIN_FONT",
    "for_projector",
    "CAUSAL_COLOR",
    "KIND_COLORS",
    "NEUTRAL",
    "OKABE_ITO",
    "PREDICTIVE_COLOR",
    "TITLE_FONT_SIZE",
    "coefficient_plot",
    "correlation_heatmap",
    "error_vs_strength",
    "kind_color",
    "label",
    "predicted_vs_actual",
    "rmse_bars",
    "scatter_matrix",
]

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

BASE_FONT_SIZE = 16
TITLE_FONT_SIZE = 20
SMALL_FONT_SIZE = 14  # the smallest text on any figure
FONT_FAMILY = "Helvetica, Arial, sans-serif"
TEMPLATE = "plotly_white"

# Diverging scale for correlations: ColorBrewer RdBu (colour-blind safe),
# reversed so that positive correlations are red and negative ones blue.
DIVERGING_SCALE = "RdBu_r"
# Sequential scale for a highlighted variable: cividis is designed to be read
# the same way with and without colour-vision deficiency.
SEQUENTIAL_SCALE = "Cividis"

# Ways to tell models of the same kind apart without changing the kind colour.
_PATTERNS = ["", "/", ".", "x", "\\", "+", "-", "|"]
_DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
_SYMBOLS = ["circle", "square", "diamond", "triangle-up", "cross", "star"]

_INTERCEPT_NAMES = {"const", "intercept", "(intercept)"}


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


#: The smallest text of a figure in the presenter view (ticks, legends), in px.
PROJECTOR_MIN_FONT = 22
#: The presenter view's figure height: it fits a 720 px screen with a title and a row of text.
PROJECTOR_HEIGHT = 290
#: A figure with more text labels (annotations) than this keeps their size on a projector.
MAX_GROWN_LABELS = 8


def for_projector(plain: Mapping[str, Any]) -> dict[str, Any]:
    """A figure's plain data (``fig.to_dict()``) with projector-sized type.

    Every font in the layout (the base font, titles, ticks, legends, colour
    bars and, unless there are more than :data:`MAX_GROWN_LABELS`, annotations) and
    every trace's own text (bar labels, colour bar ticks) is scaled by 1.5 and raised to at least
    :data:`PROJECTOR_MIN_FONT` px, text is dark, and the height is at most
    :data:`PROJECTOR_HEIGHT`. The data arrays are shared, not copied.

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
    layout["height"] = min(int(layout.get("height") or PROJECTOR_HEIGHT), PROJECTOR_HEIGHT)
    out = dict(plain)
    out["layout"] = layout
    out["data"] = [_grown_trace(trace) for trace in plain.get("data", ())]
    return out


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
    bar = (
        (trace.get("marker") or {}).get("colorbar")
        if isinstance(trace.get("marker"), Mapping)
        else None
    )
    if isinstance(bar, Mapping):
        bar = dict(bar)
        if isinstance(bar.get("tickfont"), Mapping):
            bar["tickfont"] = big(bar["tickfont"])
        else:
            bar["tickfont"] = {"size": PROJECTOR_MIN_FONT}
        title = bar.get("title")
        if isinstance(title, Mapping):
            bar["title"] = {**title, "font": big(title.get("font") or {"size": 14})}
        grown["marker"] = {**trace["marker"], "colorbar": bar}
    return grown


# --------------------------------------------------------------------------
# Private helpers
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


def _style(
    fig: go.Figure,
    title: str,
    x_title: str | None,
    y_title: str | None,
    height: int,
) -> go.Figure:
    """The lab's house style applied to ``fig``; returns the styled figure.

    ``x_title``/``y_title`` of ``None`` leave the axis titles alone (for
    figures whose traces label their own axes, such as a scatter matrix).

    The style is merged into the figure's plain data and the figure made again
    from it without plotly's validation (the same result as ``update_layout``,
    ``update_xaxes`` and ``update_yaxes``, which validated every property again
    and cost about 25 ms a figure: a tenth of what a new seed costs a page).
    The style is the lab's own constant data; the figures' own parts were
    validated when they were added.
    """
    # Plain data with the arrays kept as arrays (``to_dict`` would encode them).
    spec = {
        "data": [trace.to_plotly_json() for trace in fig.data],
        "layout": fig.layout.to_plotly_json(),
    }
    layout = spec["layout"]
    layout["template"] = copy.deepcopy(_template())
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
        # Every axis the layout has, and the first one, which plotly always has.
        names = {k for k in layout if re.fullmatch(f"{letter}axis[0-9]*", k)} | {f"{letter}axis"}
        for name in sorted(names):
            style: dict = {
                "title": {"font": {"size": BASE_FONT_SIZE}},
                "tickfont": {"size": SMALL_FONT_SIZE},
                "automargin": True,
            }
            if axis_title is not None:
                style["title"]["text"] = axis_title
            _merge(layout.setdefault(name, {}), style)
    return go.Figure(spec, _validate=False)


def _hex_to_rgb(color: str) -> tuple[int, int, int]:
    c = color.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def _mix(color: str, other: str, weight: float) -> str:
    """Blend ``color`` towards ``other`` by ``weight`` (0 = color, 1 = other)."""
    a, b = _hex_to_rgb(color), _hex_to_rgb(other)
    r, g, bl = (round(x + (y - x) * weight) for x, y in zip(a, b, strict=True))
    return f"#{r:02X}{g:02X}{bl:02X}"


def _darker(color: str, amount: float = 0.35) -> str:
    return _mix(color, "#000000", amount)


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


def _require_frame(df: Any, name: str, columns: Sequence[str] = ()) -> pd.DataFrame:
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


def _subsample(n: int, max_points: int, seed: int) -> np.ndarray:
    """Sorted row indices of a deterministic subsample of at most ``max_points``."""
    if max_points < 1:
        raise ValueError(f"max_points must be at least 1, got {max_points}")
    if n <= max_points:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n, size=max_points, replace=False))


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


def legend_on_top(fig: go.Figure) -> go.Figure:
    """Put the legend in one row above the plot, so that charts in half-width columns
    keep their room (returns the same figure)."""
    fig.update_layout(
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.02,
            "xanchor": "left",
            "x": 0.0,
            "title": {"text": ""},
        }
    )
    return fig


def correlation_heatmap(df: pd.DataFrame, title: str = "Correlations") -> go.Figure:
    """Heatmap of the Pearson correlations between the numeric columns.

    Parameters
    ----------
    df : pandas.DataFrame
        Data; non-numeric columns are ignored.
    title : str, optional
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        One heatmap trace, diverging colour scale fixed to [-1, 1], each cell
        labelled with its correlation (2 decimals; ``n/a`` for a constant
        column).

    Raises
    ------
    ValueError
        If ``df`` is empty or has no numeric column.
    """
    _require_frame(df, "the data")
    num = df.select_dtypes(include="number")
    if num.shape[1] == 0:
        raise ValueError("the data has no numeric column to correlate")
    corr = num.corr(method="pearson")
    names = [str(c) for c in corr.columns]
    z = corr.to_numpy(dtype=np.float64)
    text = [[_two_decimals(v) for v in row] for row in z]
    k = len(names)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=names,
            y=names,
            zmin=-1.0,
            zmax=1.0,
            zmid=0.0,
            colorscale=DIVERGING_SCALE,
            text=text,
            texttemplate="%{text}",
            textfont={"size": max(SMALL_FONT_SIZE, 18 - k // 2)},
            hovertemplate="%{y} & %{x}: r = %{text}<extra></extra>",
            colorbar={"title": {"text": "r"}, "thickness": 16},
        )
    )
    fig.update_yaxes(autorange="reversed", scaleanchor="x", constrain="domain")
    fig.update_xaxes(constrain="domain", tickangle=-30 if k > 4 else 0)
    height = int(min(900, max(380, 140 + 70 * k)))
    return _style(fig, title, "variable", "variable", height)


def scatter_matrix(
    df: pd.DataFrame,
    columns: Sequence[str],
    units: Mapping[str, str] | None = None,
    highlight: str | None = None,
    max_points: int = 1500,
    seed: int = 0,
) -> go.Figure:
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
    plotly.graph_objects.Figure
        One ``Splom`` trace; each dimension's label (``"name (unit)"``) is
        the title of its axes.

    Raises
    ------
    ValueError
        On empty data, fewer than two columns, or unknown/non-numeric columns.
    """
    cols = [str(c) for c in columns]
    _require_frame(df, "the data", cols + ([highlight] if highlight else []))
    if len(cols) < 2:
        raise ValueError("a scatter matrix needs at least two columns")
    if len(set(cols)) != len(cols):
        raise ValueError("each column may appear only once in a scatter matrix")
    for c in cols + ([highlight] if highlight else []):
        if not pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c]):
            raise ValueError(f"column {c!r} is not numeric")
    rows = _subsample(len(df), max_points, seed)
    sub = df.iloc[rows]
    marker: dict[str, Any] = {"size": 4, "opacity": 0.45, "line": {"width": 0}}
    if highlight:
        marker.update(
            color=sub[highlight].to_numpy(dtype=np.float64),
            colorscale=SEQUENTIAL_SCALE,
            showscale=True,
            colorbar={"title": {"text": label(highlight, units), "side": "right"}},
        )
    else:
        marker["color"] = NEUTRAL
    dims = [{"label": label(c, units), "values": sub[c].to_numpy(dtype=np.float64)} for c in cols]
    fig = go.Figure(
        go.Splom(
            dimensions=dims,
            marker=marker,
            diagonal={"visible": False},
            showupperhalf=False,
            name="data",
        )
    )
    k = len(cols)
    height = int(min(1000, max(420, 210 * (k - 1) + 120)))
    fig.update_layout(hovermode="closest")
    shown = "" if len(df) <= max_points else f" ({len(rows):,} of {len(df):,} rows shown)"
    return _style(fig, f"Pairwise scatter{shown}", None, None, height)


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
) -> go.Figure:
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
    plotly.graph_objects.Figure
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

    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[lo, hi],
            y=[lo, hi],
            mode="lines",
            name="perfect prediction",
            line={"color": NEUTRAL, "dash": "dash", "width": 2},
            hoverinfo="skip",
        )
    )
    two = len(sets) == 2
    for i, (name, t, p) in enumerate(sets):
        error, r2 = rmse(t, p), r2_score(t, p)
        rows = _subsample(t.size, max_points, seed + i)
        after = two and i == 1
        fig.add_trace(
            go.Scatter(
                x=t[rows],
                y=p[rows],
                mode="markers",
                name=f"{name}: RMSE {format_number(error)}, R² {_two_decimals(r2)}",
                marker={
                    "color": _darker(color) if after else color,
                    "symbol": "diamond" if after else "circle",
                    "size": 7 if after else 6,
                    "opacity": 0.7 if after else (0.25 if two else 0.5),
                    "line": {"width": 0},
                },
                hovertemplate="actual %{x:.3g}<br>predicted %{y:.3g}<extra>" + name + "</extra>",
            )
        )
    fig.update_xaxes(range=[lo, hi], constrain="domain")
    fig.update_yaxes(range=[lo, hi], scaleanchor="x", scaleratio=1, constrain="domain")
    x_title = f"actual {units_label}".strip()
    y_title = f"predicted {units_label}".strip()
    return _style(fig, title, x_title, y_title, 480)


def coefficient_plot(table: pd.DataFrame, kind: str, title: str) -> go.Figure:
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
    plotly.graph_objects.Figure
        One horizontal scatter trace with error bars, terms top to bottom in
        table order, and a dashed vertical line at zero.

    Raises
    ------
    ValueError
        If the table is empty (or holds only the intercept), lacks a column,
        or ``kind`` is unknown.
    """
    color = kind_color(kind)
    _require_frame(table, "the coefficient table", ["term", "coef", "ci_low", "ci_high"])
    mask = ~table["term"].astype(str).str.strip().str.lower().isin(_INTERCEPT_NAMES)
    t = table.loc[mask]
    if t.empty:
        raise ValueError("the coefficient table has no coefficient besides the intercept")
    terms = t["term"].astype(str).tolist()
    coef = t["coef"].to_numpy(dtype=np.float64)
    low = t["ci_low"].to_numpy(dtype=np.float64)
    high = t["ci_high"].to_numpy(dtype=np.float64)
    fig = go.Figure(
        go.Scatter(
            x=coef,
            y=terms,
            mode="markers",
            name=f"{kind} model",
            marker={"color": color, "size": 12, "symbol": "circle"},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": np.maximum(high - coef, 0.0),
                "arrayminus": np.maximum(coef - low, 0.0),
                "color": color,
                "thickness": 3,
                "width": 6,
            },
            customdata=np.column_stack([low, high]),
            hovertemplate=(
                "%{y}: %{x:.3g}<br>95% interval [%{customdata[0]:.3g}, "
                "%{customdata[1]:.3g}]<extra></extra>"
            ),
            showlegend=False,
        )
    )
    fig.add_vline(x=0, line={"color": NEUTRAL, "dash": "dash", "width": 1.5})
    fig.update_yaxes(categoryorder="array", categoryarray=terms[::-1])
    height = int(min(800, max(300, 120 + 48 * len(terms))))
    return _style(fig, title, "coefficient (95% interval)", "term", height)


def rmse_bars(results: pd.DataFrame, title: str = "Prediction error by test") -> go.Figure:
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
    plotly.graph_objects.Figure
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
    _require_frame(results, "the results", ["model", "kind", "test", "rmse"])
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
    fig = go.Figure()
    for model, kind in pairs:
        rows = results[results["model"] == model]
        color = kind_color(kind)
        v = variants[model]
        errors = rows["rmse"].to_numpy(dtype=np.float64)
        r2 = rows["r2"].to_numpy(dtype=np.float64) if "r2" in rows else np.full(len(rows), np.nan)
        feats = (
            [_features_text(f) for f in rows["features"]]
            if "features" in rows
            else [""] * len(rows)
        )
        fig.add_trace(
            go.Bar(
                x=rows["test"].astype(str).tolist(),
                y=errors,
                name=str(model),
                legendgroup=kind,
                legendgrouptitle={"text": f"{kind} models"},
                marker={
                    "color": color,
                    "line": {"color": _darker(color, 0.3), "width": 1.5},
                    "pattern": {
                        "shape": _PATTERNS[v % len(_PATTERNS)],
                        "fillmode": "overlay",
                        "fgcolor": "#FFFFFF",
                        "fgopacity": 0.75,
                        "size": 8,
                        "solidity": 0.3,
                    },
                },
                text=[format_number(x) for x in errors],
                textposition="outside",
                textfont={"size": SMALL_FONT_SIZE},
                cliponaxis=False,
                customdata=np.column_stack([[_two_decimals(x) for x in r2], feats]),
                hovertemplate=(
                    f"<b>{plotly_text(model)}</b> ({kind})<br>test %{{x}}<br>"
                    "RMSE %{text}<br>R² %{customdata[0]}<br>"
                    "features: %{customdata[1]}<extra></extra>"
                ),
            )
        )
    fig.update_layout(
        barmode="group", bargap=0.25, bargroupgap=0.06, legend={"groupclick": "toggleitem"}
    )
    fig.update_xaxes(categoryorder="array", categoryarray=tests)
    fig.update_yaxes(range=[0, ymax * 1.18 if ymax > 0 else 1.0], rangemode="tozero")
    return _style(fig, title, "test", "RMSE (lower is better)", 460)


def error_vs_strength(
    sweep: pd.DataFrame,
    title: str,
    strength_label: str = "intervention strength (0 = none, 1 = full)",
) -> go.Figure:
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
    plotly.graph_objects.Figure
        One lines+markers trace per model (order of first appearance), in its
        kind's colour; models of the same kind differ by dash and symbol.
        The x axis spans at least 0 to 1.

    Raises
    ------
    ValueError
        On empty input, a missing column or an unknown kind.
    """
    _require_frame(sweep, "the sweep", ["model", "kind", "strength", "rmse"])
    pairs = _model_kinds(sweep)
    variants = _variants(pairs)
    fig = go.Figure()
    for model, kind in pairs:
        rows = sweep[sweep["model"] == model].sort_values("strength", kind="stable")
        v = variants[model]
        fig.add_trace(
            go.Scatter(
                x=rows["strength"].to_numpy(dtype=np.float64),
                y=rows["rmse"].to_numpy(dtype=np.float64),
                mode="lines+markers",
                name=f"{model} ({kind})",
                legendgroup=kind,
                line={"color": kind_color(kind), "dash": _DASHES[v % len(_DASHES)], "width": 3},
                marker={
                    "color": kind_color(kind),
                    "symbol": _SYMBOLS[v % len(_SYMBOLS)],
                    "size": 9,
                },
                hovertemplate=(
                    f"<b>{plotly_text(model)}</b><br>strength %{{x:.2f}}<br>"
                    "RMSE %{y:.3g}<extra></extra>"
                ),
            )
        )
    s = sweep["strength"].to_numpy(dtype=np.float64)
    lo, hi = min(0.0, float(s.min())), max(1.0, float(s.max()))
    pad = 0.03 * (hi - lo)
    fig.update_xaxes(range=[lo - pad, hi + pad])
    fig.update_yaxes(rangemode="tozero")
    return _style(fig, title, strength_label, "RMSE (lower is better)", 440)


def per_sd_coefficients(model: Any, linear_models: Sequence[Any], target_label: str) -> go.Figure:
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
        fig.update_xaxes(range=[lo - pad, hi + pad])
    fig.update_xaxes(title_text=f"change in {target_label}<br>per one-SD change")
    fig.update_yaxes(title_text="input")
    return fig


def page_heatmap(df: pd.DataFrame) -> go.Figure:
    """The Data page's correlation heatmap, for a world's sample and a table alike.

    The cells are labelled with the variables' names, so an axis title says
    nothing more; slanted names never run into each other, however few the columns.
    """
    fig = correlation_heatmap(df, title="")
    fig.update_xaxes(title_text="", tickangle=-30)
    fig.update_yaxes(title_text="")
    return fig
