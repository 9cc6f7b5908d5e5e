"""The Attribution page's figures: equal prediction, unstable credit.

Each model keeps one colour on every chart (:data:`MODEL_COLORS`); the truth
from the world's equations is black (a star, or a dashed line). Pure functions
from the engine's frames (:mod:`lib.attribution`) to figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lib.figures.fit import BELOW_MARGIN, LEGEND_BELOW, legend_below, wrapped
from lib.figures.style import (
    CAUSAL_COLOR,
    NEUTRAL,
    OKABE_ITO,
    Figure,
    copy_figure,
    style,
    style_plain,
    update_axes,
    update_layout,
)
from lib.text.escape import plotly_text

__all__ = [
    "MODEL_COLORS",
    "TRUTH_COLOR",
    "coefficient_clouds",
    "credit_share_figure",
    "experiment_bars",
    "log_ticks",
    "r2_sweep_figure",
    "rashomon_figure",
    "spread_figure",
    "stability_figure",
    "with_noise_floor",
]

#: One colour per model, the same on every chart of the page (Okabe–Ito).
MODEL_COLORS: dict[str, str] = {
    "Least squares": OKABE_ITO[0],
    "Ridge": OKABE_ITO[6],
    "Lasso": OKABE_ITO[1],
    "Boosted trees": OKABE_ITO[2],
}
#: The truth read off the world's equations.
TRUTH_COLOR = "#000000"
#: Methods of crediting an input, as the charts name them.
METHOD_LABELS = {"permutation": "permutation importance", "shapley": "Shapley value"}


def _color(model: str) -> str:
    return MODEL_COLORS.get(model, CAUSAL_COLOR)


def _plain(traces: list[dict[str, Any]], layout: dict[str, Any] | None = None) -> go.Figure:
    """A figure made of plain traces (each with its ``type``) and layout, not validated
    again (:func:`lib.figures.style.style_plain`). Arrays go in as numpy arrays, as
    the validated traces keep them."""
    return go.Figure({"data": traces, "layout": layout or {}}, _validate=False)


def _array(values: pd.Series | np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)


def _truth_star(truth: Sequence[float], **where: object) -> dict[str, Any]:
    """The world's own coefficients, a black star in the plane of credit to A and B."""
    return {
        "type": "scatter",
        "x": [truth[0]],
        "y": [truth[1]],
        "mode": "markers",
        "marker": {"color": TRUTH_COLOR, "size": 20, "symbol": "star"},
        "name": "the truth (the equations)",
        "hovertemplate": "truth: %{x:g}, %{y:g}<extra></extra>",
        **where,
    }


def _rho_axis(rhos: Sequence[float], rho: float, label_at: str = "top") -> dict[str, Any]:
    """Evenly spaced correlations (they crowd near 1), the slider's one marked (between
    two ticks when the sweep does not have it): the layout's x axis, line and label
    (at the plot's ``label_at``, "top" or "bottom": where the data leave room)."""
    at = float(np.interp(rho, rhos, range(len(rhos))))
    right = at < len(rhos) / 2  # the label on the line's right in the left half
    return {
        "xaxis": {
            "tickmode": "array",
            "tickvals": list(range(len(rhos))),
            "ticktext": [f"{r:g}" for r in rhos],
            "tickangle": 0,
            "range": [-0.4, len(rhos) - 0.6],
            "title": {"text": "correlation of A and B (ρ)"},
        },
        "shapes": [
            {
                "line": {"color": NEUTRAL, "dash": "dot", "width": 2},
                "type": "line",
                "x0": at,
                "x1": at,
                "xref": "x",
                "y0": 0,
                "y1": 1,
                "yref": "y domain",
            }
        ],
        "annotations": [
            {
                "showarrow": False,
                "text": f"ρ = {rho:g} (the slider)",
                "x": at,
                "xanchor": "left" if right else "right",
                "xref": "x",
                "y": 1 if label_at == "top" else 0,
                "yanchor": label_at,
                "yref": "y domain",
            }
        ],
    }


def r2_sweep_figure(sweep: pd.DataFrame, rho: float) -> go.Figure:
    """Held-out R² of each model against the correlation, with the best any model can
    reach (from the equations) as a dashed black line.

    Parameters
    ----------
    sweep : pandas.DataFrame
        :func:`lib.attribution.pair.prediction_sweep`'s frame.
    rho : float
        The correlation the page's slider is at.
    """
    rhos = sorted(sweep["rho"].unique())
    pos = {r: i for i, r in enumerate(rhos)}
    traces = []
    for model, rows in sweep.groupby("model", sort=False):
        traces.append(
            {
                "type": "scatter",
                "x": [pos[r] for r in rows["rho"]],
                "y": _array(rows["r2"]),
                "name": str(model),
                "mode": "lines+markers",
                "line": {"color": _color(str(model)), "width": 3},
                "marker": {"size": 9},
                "hovertemplate": f"{model}<br>ρ %{{customdata:g}}: R² %{{y:.3f}}<extra></extra>",
                "customdata": _array(rows["rho"]),
            }
        )
    best = sweep.drop_duplicates("rho")
    traces.append(
        {
            "type": "scatter",
            "x": [pos[r] for r in best["rho"]],
            "y": _array(best["best_r2"]),
            "name": "best possible",
            "mode": "lines",
            "line": {"color": TRUTH_COLOR, "dash": "dash", "width": 2},
            "hovertemplate": "best possible R² %{y:.3f}<extra></extra>",
        }
    )
    # the R² lines run near the top: the slider's label at the bottom
    layout = {**_rho_axis(rhos, rho, "bottom"), "yaxis": {"range": [0, 1.05], "nticks": 3}}
    return style_plain(
        traces,
        layout,
        "Prediction: held-out R²",
        None,
        "R² (fresh rows)",
        380,
        then={"legend": LEGEND_BELOW, "margin": BELOW_MARGIN},
    )


#: Tick values of a log axis: 1, 2 and 5 per decade; 1 and 3; 1 alone.
_NICE = tuple(m * 10.0**e for e in range(-4, 5) for m in (1, 2, 5))
_THIRDS = tuple(m * 10.0**e for e in range(-4, 5) for m in (1, 3))
_DECADES = tuple(10.0**e for e in range(-4, 5))
#: Most ticks on a log axis: a projected chart is under 300 px tall, its ticks 22 px.
MAX_LOG_TICKS = 3


def log_ticks(low: float, high: float) -> list[float]:
    """Ticks of a log axis from ``low`` to ``high``: 1, 2 and 5 per decade when at most
    :data:`MAX_LOG_TICKS` of them fall in the range, else 1 and 3, else the decades.

    >>> log_ticks(0.03, 1.5)
    [0.1, 1.0]
    >>> log_ticks(0.02, 0.5)
    [0.03, 0.1, 0.3]
    >>> log_ticks(0.15, 0.6)
    [0.2, 0.5]
    """
    for grid in (_NICE, _THIRDS, _DECADES):
        ticks = [t for t in grid if low <= t <= high]
        if len(ticks) <= MAX_LOG_TICKS:
            break
    return [float(f"{t:.3g}") for t in ticks]


def spread_figure(sweep: pd.DataFrame, rho: float) -> go.Figure:
    """How far least squares' coefficient of A wanders across bootstrap resamples
    (points) against the closed form σ / √(n (1 − ρ²)) (line), on a log scale."""
    ols = sweep.dropna(subset=["spread"]).sort_values("rho")
    rhos = list(ols["rho"])
    x = list(range(len(rhos)))
    traces = [
        {
            "type": "scatter",
            "x": x,
            "y": _array(ols["se"]),
            "name": "closed form σ / √(n (1 − ρ²))",
            "mode": "lines",
            "line": {"color": TRUTH_COLOR, "dash": "dash", "width": 2},
            "hovertemplate": "closed form %{y:.3g}<extra></extra>",
        },
        {
            "type": "scatter",
            "x": x,
            "y": _array(ols["spread"]),
            "name": "across bootstrap resamples",
            "mode": "markers",
            "marker": {"color": _color("Least squares"), "size": 12},
            "hovertemplate": "resamples: %{y:.3g}<extra></extra>",
        },
    ]
    values = np.concatenate([ols["se"].to_numpy(), ols["spread"].to_numpy()])
    ticks = log_ticks(float(values.min()) / 1.5, float(values.max()) * 1.5)
    layout = {
        **_rho_axis(rhos, rho),
        "yaxis": {"type": "log", "tickvals": ticks, "ticktext": [f"{t:g}" for t in ticks]},
    }
    return style_plain(
        traces,
        layout,
        "Attribution: A's spread",
        None,
        "SD (N per SD)",
        380,
        then={"legend": LEGEND_BELOW, "margin": BELOW_MARGIN},
    )


def coefficient_clouds(
    boot: pd.DataFrame, truth: tuple[float, float], names: tuple[str, str] = ("A", "B")
) -> go.Figure:
    """Each linear model's credit to A (x) and B (y) across bootstrap resamples,
    one panel per model, with the truth as a black star and the line of models
    that predict alike when the two inputs move together (``a + b`` constant).

    The panels are laid out by hand (axes side by side, one shared y range):
    plotly's ``make_subplots`` cost more than the rest of the figure.

    Parameters
    ----------
    boot : pandas.DataFrame
        Columns ``model``, ``a``, ``b`` (:func:`lib.attribution.pair.coefficient_bootstrap`).
    truth : (float, float)
        The effects of A and B in the world's equations.
    """
    models = list(dict.fromkeys(boot["model"]))
    k = len(models)
    gap = 0.04
    width = (1 - gap * (k - 1)) / k
    lo = float(min(boot["a"].min(), boot["b"].min(), *truth)) - 0.2
    hi = float(max(boot["a"].max(), boot["b"].max(), *truth)) + 0.2
    total = truth[0] + truth[1]
    model_of = boot["model"].to_numpy()
    a, b = _array(boot["a"]), _array(boot["b"])
    traces: list[dict[str, Any]] = []
    layout: dict = {"annotations": []}
    for i, model in enumerate(models):
        suffix = "" if i == 0 else str(i + 1)
        axes = {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}"}
        rows = model_of == model
        traces += [
            {
                "type": "scatter",
                "x": [lo, hi],
                "y": [total - lo, total - hi],
                "mode": "lines",
                "line": {"color": NEUTRAL, "dash": "dot", "width": 1.5},
                "name": f"{names[0]} + {names[1]} = {total:g} (predict alike)",
                "showlegend": i == 0,
                "hoverinfo": "skip",
                **axes,
            },
            {
                "type": "scatter",
                "x": a[rows],
                "y": b[rows],
                "mode": "markers",
                "marker": {"color": _color(model), "size": 7, "opacity": 0.55},
                "name": plotly_text(model),
                "showlegend": False,
                "hovertemplate": f"{names[0]} %{{x:.2f}}, {names[1]} %{{y:.2f}}<extra></extra>",
                **axes,
            },
            _truth_star(truth, showlegend=i == 0, **axes),
        ]
        left = i * (width + gap)
        # few ticks: a panel is under 100 px wide on a phone
        axis = {"range": [lo, hi], "zeroline": True, "zerolinecolor": "#BBBBBB", "nticks": 4}
        layout[f"xaxis{suffix}"] = {**axis, "domain": [left, left + width], "anchor": f"y{suffix}"}
        layout[f"yaxis{suffix}"] = {
            **axis,
            "anchor": f"x{suffix}",
            **({} if i == 0 else {"matches": "y", "showticklabels": False}),
        }
        layout["annotations"].append(
            {
                "text": plotly_text(model),
                "x": left + width / 2,
                "y": 1.0,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 16},
            }
        )
    middle = "" if k < 2 else str((k + 1) // 2)
    return style_plain(
        traces,
        {},
        "",
        None,
        None,
        400,
        then={
            **layout,
            f"xaxis{middle}": {
                **layout[f"xaxis{middle}"],
                "title": {"text": f"credit to {names[0]} (N per SD)"},
            },
            "yaxis": {**layout["yaxis"], "title": {"text": f"credit to {names[1]} (N per SD)"}},
            "legend": LEGEND_BELOW,
            "margin": {"t": 40, "l": 70, **BELOW_MARGIN},
        },
    )


def rashomon_figure(
    ellipse: np.ndarray,
    best: Sequence[float] | np.ndarray,
    truth: Sequence[float],
    champions: Mapping[str, Sequence[float] | np.ndarray],
    epsilon: float,
    names: tuple[str, str] = ("A", "B"),
) -> go.Figure:
    """The Rashomon set of linear models: every (credit to A, credit to B) inside the
    ellipse predicts within ``epsilon`` of the best held-out error.

    Parameters
    ----------
    ellipse : array, shape (k, 2)
        Points on the set's boundary.
    best, truth : pairs of float
        The best model's coefficients and the world's.
    champions : mapping of str to a pair of float
        Members to mark, by what they are (e.g. "most credit to B").
    """
    traces: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "x": _array(ellipse[:, 0]),
            "y": _array(ellipse[:, 1]),
            "mode": "lines",
            "fill": "toself",
            "fillcolor": "rgba(120, 120, 120, 0.2)",
            "line": {"color": NEUTRAL, "width": 2},
            "name": f"within {epsilon:.0%} of the best error",
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "x": [best[0]],
            "y": [best[1]],
            "mode": "markers",
            "marker": {
                "color": OKABE_ITO[4],
                "size": 28,
                "symbol": "circle-open",
                "line": {"width": 3},
            },
            "name": "the best model on the held-out rows",
            "hovertemplate": f"best: {names[0]} %{{x:.2f}}, {names[1]} %{{y:.2f}}<extra></extra>",
        },
    ]
    symbols = ["diamond", "square", "triangle-up"]
    for k, (label, point) in enumerate(champions.items()):
        traces.append(
            {
                "type": "scatter",
                "x": [point[0]],
                "y": [point[1]],
                "mode": "markers",
                "marker": {"color": OKABE_ITO[6 if k else 2], "size": 15, "symbol": symbols[k % 3]},
                "name": plotly_text(label),
                "hovertemplate": (
                    f"{plotly_text(label)}: {names[0]} %{{x:.2f}}, {names[1]} %{{y:.2f}}"
                    "<extra></extra>"
                ),
            }
        )
    traces.append(_truth_star(truth))
    zero = {"zeroline": True, "zerolinecolor": "#BBBBBB"}
    return style_plain(
        traces,
        {},
        "",
        f"credit to {names[0]} (N per SD)",
        f"credit to {names[1]} (N per SD)",
        440,
        then={
            "yaxis": {"scaleanchor": "x", "scaleratio": 1, **zero},
            "xaxis": zero,
            "legend": {"orientation": "v", "x": 1.02, "y": 1},
            "margin": {"t": 16},
        },
    )


def with_noise_floor(fig: Figure | go.Figure, noise_sd: float) -> Figure | go.Figure:
    """An error chart with the truth's own error drawn in: the noise of the target's
    equation, which no model can beat (a dashed black line); a new figure, plain data
    for plain data (:data:`lib.figures.style.Figure`, never validated or copied into
    plotly's classes), a plotly figure for a plotly figure."""
    line = {"color": TRUTH_COLOR, "dash": "dash", "width": 2}
    given_plain = isinstance(fig, Mapping)
    spec = copy_figure(fig) if isinstance(fig, Mapping) else fig.to_plotly_json()
    layout = spec["layout"]
    layout["shapes"] = [
        *layout.get("shapes", ()),
        {
            "line": line,
            "type": "line",
            "x0": 0,
            "x1": 1,
            "y0": noise_sd,
            "y1": noise_sd,
            "xref": "x domain",
            "yref": "y",
        },
    ]
    # named in the legend: a label on the line would sit on the bars' own labels
    truth = {
        "type": "scatter",
        "x": [None],
        "y": [None],
        "mode": "lines",
        "line": line,
        "name": f"the noise ({noise_sd:.2f}): the truth's error",
        "legendgroup": "truth",
        "legendgrouptitle": {"text": "the truth"},
    }
    if given_plain:
        return {"data": [*spec["data"], truth], "layout": layout}
    return _plain([*spec["data"], truth], layout)


#: A legend beside the plot, one entry a line, from its top (at most as tall as the plot).
_LEGEND_BESIDE = {"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1, "yanchor": "top"}


def experiment_bars(
    bars: Figure, noise_sd: float, unit: str = "", projector: bool = False
) -> Figure:
    """The experiment's errors before and after (:func:`lib.figures.charts.rmse_bars`'s
    plain data) with the truth's own error (:func:`with_noise_floor`), laid out to fit
    a phone and a projected chart: the entries one after another, without the kinds'
    titles (the names say them; a column per kind would not fit under 300 px); below
    the bars, or beside them on a projector (``projector``: a short, wide chart, where
    the truth's error is named at its line on the y axis); the tests' names alone on
    the x axis, a y title short enough for a short chart."""
    fig = with_noise_floor(bars, noise_sd)
    assert isinstance(fig, dict)
    for trace in fig["data"]:
        trace.pop("legendgrouptitle", None)
    if projector:
        update_layout(fig, {"legend": {**_LEGEND_BESIDE, "traceorder": "normal"}})
    else:  # upright bar labels keep their size on a phone's narrow bars
        legend_below(fig, traceorder="normal")
        for trace in fig["data"]:
            if trace.get("type") == "bar":
                trace["textangle"] = -90
        update_layout(fig, {"uniformtext": {"minsize": 12, "mode": "hide"}})  # never tiny
    if projector:  # the plot as tall as the chart allows; the models alone in the legend,
        # the truth's error named on the y axis at the dashed line
        # wide bars: their labels keep the projector's type
        update_layout(fig, {"margin": {"t": 8, "b": 8}, "bargap": 0.06, "bargroupgap": 0.0})
        fig["data"][-1]["showlegend"] = False
        update_axes(
            fig,
            "y",
            {"tickvals": [0.0, noise_sd], "ticktext": ["0", f"noise {noise_sd:.2f}"]},
        )
    update_axes(fig, "x", {"title": {"text": ""}})
    update_axes(fig, "y", {"title": {"text": f"RMSE ({unit})" if unit else "RMSE"}, "nticks": 3})
    return fig


def credit_share_figure(
    credit: pd.DataFrame, truth: Mapping[str, float], name: str = "A"
) -> go.Figure:
    """The share of credit each model gives input ``name`` across resamples, by
    permutation importance and by Shapley value (boxes), with the share the true
    model gets by each method (dashed lines).

    Parameters
    ----------
    credit : pandas.DataFrame
        Columns ``model``, ``method``, ``input``, ``share``
        (:func:`lib.attribution.methods.resampled_credit`), rows of ``name`` only.
    truth : mapping of str to float
        Per method, the share the world's equations give it
        (:func:`lib.attribution.pair.truth_shares`).
    """
    fig = go.Figure()
    colors = {"permutation": OKABE_ITO[7], "shapley": OKABE_ITO[4]}
    for method, rows in credit.groupby("method", sort=False):
        fig.add_trace(
            go.Box(
                x=rows["model"],
                y=rows["share"],
                name=METHOD_LABELS.get(str(method), str(method)),
                marker={"color": colors.get(str(method), NEUTRAL)},
                boxpoints="all",
                jitter=0.4,
                pointpos=0,
                hovertemplate="%{x}: %{y:.0%}<extra></extra>",
            )
        )
    same = len({round(v, 4) for v in truth.values()}) == 1
    for k, (method, share) in enumerate(truth.items()):
        label = "the truth" if same else f"the truth, {METHOD_LABELS.get(method, method)}"
        fig.add_hline(
            y=share,
            line={
                "color": TRUTH_COLOR if same else colors.get(method, TRUTH_COLOR),
                "dash": "dash",
                "width": 2,
            },
            annotation_text=f"{label}: {share:.0%}",
            annotation_position="bottom left" if k else "top left",
        )
        if same:
            break
    fig = style(fig, "", None, f"share of the credit given to {name}", 400)
    fig.update_yaxes(range=[-0.05, 1.12], tickformat=".0%")
    fig.update_layout(boxmode="group", legend=LEGEND_BELOW, margin=BELOW_MARGIN)
    return fig


def stability_figure(
    long: pd.DataFrame, summary: pd.DataFrame, left_out: str = "group"
) -> go.Figure:
    """Each input's standardised coefficient: the middle 95% of bootstrap resamples
    (a bar), with one group left out in turn (ticks) and on all rows (a black diamond).

    Parameters
    ----------
    long : pandas.DataFrame
        Columns ``kind``, ``label``, ``input``, ``coefficient``
        (:func:`lib.attribution.stability.coefficient_stability`).
    summary : pandas.DataFrame
        :func:`lib.attribution.stability.stability_summary` of ``long``, one row per
        input in the order drawn (top first).
    left_out : str
        What each left-out fit leaves out ("year", "environment", ...).
    """
    inputs = [str(i) for i in summary["input"]]
    labels = {i: plotly_text(i) for i in inputs}
    y = [labels[i] for i in inputs]
    low, high = summary["low"].to_numpy(), summary["high"].to_numpy()
    middle = (low + high) / 2
    fig = go.Figure(
        go.Scatter(
            y=y,
            x=middle,
            mode="markers",
            marker={"size": 12, "color": OKABE_ITO[0], "symbol": "line-ew-open"},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": high - middle,
                "arrayminus": middle - low,
                "color": OKABE_ITO[0],
                "thickness": 10,
                "width": 0,
            },
            name="middle 95% of bootstrap resamples",
            customdata=np.column_stack([low, high]),
            hovertemplate="resamples: %{customdata[0]:.2f} to %{customdata[1]:.2f}<extra></extra>",
        )
    )
    out = long[long["kind"] == "left out"]
    fig.add_trace(
        go.Scatter(
            y=out["input"].astype(str).map(labels),
            x=out["coefficient"],
            mode="markers",
            name=f"one {left_out} left out",
            marker={
                "color": OKABE_ITO[4],
                "size": 18,
                "symbol": "line-ns-open",
                "line": {"width": 2},
            },
            customdata=out["label"].astype(str).map(plotly_text),
            hovertemplate="without %{customdata}: %{x:.2f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            y=y,
            x=summary["all_rows"],
            mode="markers",
            name="all rows",
            marker={"color": TRUTH_COLOR, "size": 14, "symbol": "diamond"},
            hovertemplate="all rows: %{x:.2f}<extra></extra>",
        )
    )
    fig.add_vline(x=0, line={"color": NEUTRAL, "dash": "dash", "width": 1.5})
    fig.update_yaxes(categoryorder="array", categoryarray=y[::-1])
    height = int(min(700, max(300, 130 + 56 * len(inputs))))
    x_title = wrapped("standardised coefficient (SD of target per SD of input)", 26)
    fig = style(fig, "", x_title, None, height)
    fig.update_layout(legend=LEGEND_BELOW, margin={"t": 16, **BELOW_MARGIN})
    return fig
