"""Tests for lib.figures.charts and lib.figures.style: the lab's one plot style."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from lib.figures import charts, style
from lib.figures.graph import graph_dot
from lib.figures.style import (
    CAUSAL_COLOR,
    KIND_COLORS,
    NEUTRAL,
    OKABE_ITO,
    PREDICTIVE_COLOR,
    label,
)
from lib.text.escape import plotly_text
from lib.text.numbers import format_number
from tests.figures import validated

# Every figure read back through plotly's own (validating) figure class.
coefficient_plot = validated(charts.coefficient_plot)
correlation_heatmap = validated(charts.correlation_heatmap)
error_vs_strength = validated(charts.error_vs_strength)
predicted_vs_actual = validated(charts.predicted_vs_actual)
rmse_bars = validated(charts.rmse_bars)
scatter_matrix = validated(charts.scatter_matrix)

# --------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------


@pytest.fixture
def ldopa() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 4000
    dose = rng.uniform(100, 1000, n)
    dopamine = 0.01 * dose + rng.normal(0, 0.5, n)
    headache = 0.8 * dopamine + rng.normal(0, 0.3, n)
    relief = dopamine + rng.normal(0, 0.5, n)
    return pd.DataFrame(
        {
            "dose": dose,
            "dopamine": dopamine,
            "headache": headache,
            "relief": relief,
            "patient": [f"p{i}" for i in range(n)],  # non-numeric, ignored
        }
    )


@pytest.fixture
def results() -> pd.DataFrame:
    rows = [
        ("side effects", "predictive", ("headache",), "observational", 0.61, 0.74),
        ("side effects", "predictive", ("headache",), "Tylenol", 2.345, -3.2),
        ("everything", "predictive", ("headache", "dose"), "observational", 0.55, 0.79),
        ("everything", "predictive", ("headache", "dose"), "Tylenol", 1.9, -1.5),
        ("dopamine", "causal", ("dopamine",), "Tylenol", 0.503, 0.8),
        ("dopamine", "causal", ("dopamine",), "observational", 0.5, 0.81),
    ]
    return pd.DataFrame(rows, columns=["model", "kind", "features", "test", "rmse", "r2"])


@pytest.fixture
def sweep() -> pd.DataFrame:
    rows = []
    for model, kind, slope in [
        ("side effects", "predictive", 3.0),
        ("everything", "predictive", 2.0),
        ("dopamine", "causal", 0.0),
    ]:
        for s in [1.0, 0.0, 0.5, 0.25, 0.75]:  # unsorted on purpose
            rows.append((model, kind, s, 0.5 + slope * s))
    return pd.DataFrame(rows, columns=["model", "kind", "strength", "rmse"])


def _assert_style(fig: go.Figure) -> None:
    layout = fig.layout
    assert layout.template.layout.to_plotly_json()  # a template is applied
    assert layout.font.size >= 14
    assert layout.title.font.size >= 18
    assert layout.height >= 300


# --------------------------------------------------------------------------
# palette, labels, numbers
# --------------------------------------------------------------------------


def test_palette_constants() -> None:
    assert PREDICTIVE_COLOR == "#E69F00"
    assert CAUSAL_COLOR == "#0072B2"
    assert KIND_COLORS == {"predictive": "#E69F00", "causal": "#0072B2"}
    assert NEUTRAL == "#555555"
    assert len(OKABE_ITO) == 8
    assert PREDICTIVE_COLOR in OKABE_ITO and CAUSAL_COLOR in OKABE_ITO


def test_label() -> None:
    assert label("dose", {"dose": "mg/day"}) == "dose (mg/day)"
    assert label("dose") == "dose"
    assert label("dose", {"other": "kg"}) == "dose"
    assert label("dose", {"dose": ""}) == "dose"


def test_kind_color_rejects_unknown_kind() -> None:
    assert style.kind_color("causal") == CAUSAL_COLOR
    with pytest.raises(ValueError, match="unknown model kind"):
        style.kind_color("oracle")


@pytest.mark.parametrize(
    ("value", "text"),
    [(1.3149, "1.31"), (12.5, "12.50"), (0.5, "0.50"), (0.01234, "0.012"), (0, "0.00")],
)
def test_format_number(value: float, text: str) -> None:
    assert format_number(value) == text


# --------------------------------------------------------------------------
# correlation heatmap
# --------------------------------------------------------------------------


def test_correlation_heatmap(ldopa: pd.DataFrame) -> None:
    fig = correlation_heatmap(ldopa)
    assert isinstance(fig, go.Figure)
    assert len(fig.data) == 1
    hm = fig.data[0]
    assert isinstance(hm, go.Heatmap)
    assert list(hm.x) == ["dose", "dopamine", "headache", "relief"]  # numeric only
    assert hm.zmin == -1 and hm.zmax == 1
    expected = ldopa.drop(columns="patient").corr().to_numpy()
    np.testing.assert_allclose(np.asarray(hm.z, dtype=float), expected)
    assert hm.text[0][1] == f"{expected[0, 1]:.2f}"
    assert hm.text[0][0] == "1.00"
    assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text
    assert fig.layout.title.text == "Correlations"
    _assert_style(fig)


def test_correlation_heatmap_constant_column() -> None:
    fig = correlation_heatmap(pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1.0, 1.0, 1.0]}))
    assert fig.data[0].text[0][1] == "n/a"


def test_correlation_heatmap_empty() -> None:
    with pytest.raises(ValueError, match="empty"):
        correlation_heatmap(pd.DataFrame())
    with pytest.raises(ValueError, match="numeric"):
        correlation_heatmap(pd.DataFrame({"a": ["x", "y"]}))


# --------------------------------------------------------------------------
# scatter matrix
# --------------------------------------------------------------------------


def test_scatter_matrix(ldopa: pd.DataFrame) -> None:
    units = {"dose": "mg/day", "relief": "points"}
    fig = scatter_matrix(
        ldopa, ["dose", "dopamine", "headache"], units=units, highlight="relief", max_points=500
    )
    assert len(fig.data) == 1
    splom = fig.data[0]
    labels = [d.label for d in splom.dimensions]
    assert labels == ["dose (mg/day)", "dopamine", "headache"]
    assert all(len(d.values) == 500 for d in splom.dimensions)
    assert splom.marker.showscale is True
    assert splom.marker.colorbar.title.text == "relief (points)"
    assert splom.marker.opacity < 1
    # the colour values belong to the same rows as the points
    rows = ldopa.set_index("dose").loc[np.asarray(splom.dimensions[0].values)]
    np.testing.assert_allclose(rows["relief"].to_numpy(), np.asarray(splom.marker.color))
    _assert_style(fig)


def test_scatter_matrix_subsample_is_deterministic(ldopa: pd.DataFrame) -> None:
    a = scatter_matrix(ldopa, ["dose", "relief"], max_points=300, seed=4)
    b = scatter_matrix(ldopa, ["dose", "relief"], max_points=300, seed=4)
    c = scatter_matrix(ldopa, ["dose", "relief"], max_points=300, seed=5)
    va, vb, vc = (np.asarray(f.data[0].dimensions[0].values) for f in (a, b, c))
    np.testing.assert_array_equal(va, vb)
    assert not np.array_equal(va, vc)
    small = scatter_matrix(ldopa.head(100), ["dose", "relief"])
    assert len(small.data[0].dimensions[0].values) == 100
    assert small.data[0].marker.color == NEUTRAL


def test_scatter_matrix_errors(ldopa: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="empty"):
        scatter_matrix(ldopa.iloc[0:0], ["dose", "relief"])
    with pytest.raises(ValueError, match="at least two"):
        scatter_matrix(ldopa, ["dose"])
    with pytest.raises(ValueError, match="missing column"):
        scatter_matrix(ldopa, ["dose", "dopmine"])
    with pytest.raises(ValueError, match="not numeric"):
        scatter_matrix(ldopa, ["dose", "patient"])


# --------------------------------------------------------------------------
# predicted vs actual
# --------------------------------------------------------------------------


def _rmse(t: np.ndarray, p: np.ndarray) -> float:
    return float(np.sqrt(np.mean((t - p) ** 2)))


def _r2(t: np.ndarray, p: np.ndarray) -> float:
    return 1 - float(np.sum((t - p) ** 2) / np.sum((t - t.mean()) ** 2))


@pytest.mark.parametrize("kind", ["predictive", "causal"])
def test_predicted_vs_actual_single(kind: str) -> None:
    rng = np.random.default_rng(3)
    t = rng.normal(5, 2, 3000)
    p = t + rng.normal(0, 0.7, 3000)
    fig = predicted_vs_actual(t, p, kind, "Relief", units_label="relief (points)")
    assert len(fig.data) == 2
    identity, pts = fig.data
    assert identity.name == "perfect prediction"
    assert identity.line.dash == "dash"
    assert identity.line.color == NEUTRAL
    assert list(identity.x) == list(identity.y)  # y = x
    assert pts.marker.color == KIND_COLORS[kind]
    assert len(pts.x) == 1500  # subsampled ...
    rmse = _rmse(t, p)  # ... but the metrics use every point
    assert f"RMSE {rmse:.2f}" in pts.name
    assert f"R² {_r2(t, p):.2f}" in pts.name
    assert fig.layout.xaxis.title.text == "actual relief (points)"
    assert fig.layout.yaxis.title.text == "predicted relief (points)"
    assert tuple(fig.layout.xaxis.range) == tuple(fig.layout.yaxis.range)
    lo, hi = fig.layout.xaxis.range
    assert lo <= min(t.min(), p.min()) and hi >= max(t.max(), p.max())
    assert fig.layout.title.text == "Relief"
    _assert_style(fig)


def test_predicted_vs_actual_before_after() -> None:
    rng = np.random.default_rng(7)
    t = rng.normal(0, 1, 800)
    p = t + rng.normal(0, 0.3, 800)
    ta = rng.normal(0, 1, 600)
    pa = ta + 2.5 + rng.normal(0, 0.3, 600)
    fig = predicted_vs_actual(t, p, "predictive", "Tylenol", y_pred_after=pa, y_true_after=ta)
    assert len(fig.data) == 3
    names = [tr.name for tr in fig.data]
    assert names[0] == "perfect prediction"
    before, after = fig.data[1], fig.data[2]
    assert before.name.startswith("before intervention: ")
    assert after.name.startswith("after intervention: ")
    assert f"RMSE {_rmse(t, p):.2f}" in before.name
    assert f"RMSE {_rmse(ta, pa):.2f}" in after.name
    assert f"R² {_r2(ta, pa):.2f}" in after.name
    assert before.marker.color == PREDICTIVE_COLOR
    assert after.marker.color != before.marker.color
    assert after.marker.symbol != before.marker.symbol
    assert before.marker.opacity < after.marker.opacity  # before is faded
    # the same range on both axes covers both sets
    lo, hi = fig.layout.xaxis.range
    assert tuple(fig.layout.yaxis.range) == (lo, hi)
    assert hi >= pa.max() and lo <= min(t.min(), ta.min())
    assert fig.layout.xaxis.title.text == "actual"


def test_predicted_vs_actual_known_rmse() -> None:
    t = np.array([1.0, 2.0, 3.0, 4.0])
    p = np.array([2.0, 1.0, 4.0, 3.0])  # every error is 1: RMSE exactly 1
    fig = predicted_vs_actual(t, p, "causal", "x")
    assert fig.data[1].name == "predictions: RMSE 1.00, R² 0.20"


def test_predicted_vs_actual_errors() -> None:
    with pytest.raises(ValueError, match="empty"):
        predicted_vs_actual([], [], "causal", "x")
    with pytest.raises(ValueError, match="match"):
        predicted_vs_actual([1, 2, 3], [1, 2], "causal", "x")
    with pytest.raises(ValueError, match="unknown model kind"):
        predicted_vs_actual([1, 2], [1, 2], "magic", "x")
    with pytest.raises(ValueError, match="both"):
        predicted_vs_actual([1, 2], [1, 2], "causal", "x", y_pred_after=[1, 2])
    with pytest.raises(ValueError, match="missing or infinite"):
        predicted_vs_actual([1, np.nan], [1, 2], "causal", "x")


# --------------------------------------------------------------------------
# coefficient plot
# --------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "intercept"), [("causal", "const"), ("predictive", "Intercept")])
def test_coefficient_plot(kind: str, intercept: str) -> None:
    table = pd.DataFrame(
        {
            "term": [intercept, "headache", "dyskinesia"],
            "coef": [0.3, 1.2, -0.4],
            "ci_low": [0.1, 1.0, -0.9],
            "ci_high": [0.5, 1.5, 0.2],
        }
    )
    fig = coefficient_plot(table, kind, "Coefficients")
    assert len(fig.data) == 1
    tr = fig.data[0]
    assert list(tr.y) == ["headache", "dyskinesia"]  # intercept left out
    np.testing.assert_allclose(tr.x, [1.2, -0.4])
    np.testing.assert_allclose(tr.error_x.array, [0.3, 0.6])
    np.testing.assert_allclose(tr.error_x.arrayminus, [0.2, 0.5])
    assert tr.marker.color == KIND_COLORS[kind]
    assert tr.error_x.color == KIND_COLORS[kind]
    zero = [s for s in fig.layout.shapes if s.x0 == 0 and s.x1 == 0]
    assert len(zero) == 1 and zero[0].line.dash == "dash"
    assert "coefficient" in fig.layout.xaxis.title.text
    assert fig.layout.yaxis.title.text == "term"
    assert list(fig.layout.yaxis.categoryarray) == ["dyskinesia", "headache"]  # top = first
    _assert_style(fig)


def test_coefficient_plot_errors() -> None:
    with pytest.raises(ValueError, match="empty"):
        coefficient_plot(pd.DataFrame(columns=["term", "coef", "ci_low", "ci_high"]), "causal", "x")
    only_const = pd.DataFrame({"term": ["const"], "coef": [1], "ci_low": [0], "ci_high": [2]})
    with pytest.raises(ValueError, match="intercept"):
        coefficient_plot(only_const, "causal", "x")
    with pytest.raises(ValueError, match="ci_high"):
        coefficient_plot(pd.DataFrame({"term": ["a"], "coef": [1], "ci_low": [0]}), "causal", "x")


# --------------------------------------------------------------------------
# RMSE bars
# --------------------------------------------------------------------------


def test_rmse_bars(results: pd.DataFrame) -> None:
    fig = rmse_bars(results)
    assert len(fig.data) == 3  # one trace per model
    by_name = {tr.name: tr for tr in fig.data}
    assert set(by_name) == {"side effects", "everything", "dopamine"}
    for tr in fig.data:
        assert isinstance(tr, go.Bar)
    assert by_name["side effects"].marker.color == PREDICTIVE_COLOR
    assert by_name["everything"].marker.color == PREDICTIVE_COLOR
    assert by_name["dopamine"].marker.color == CAUSAL_COLOR
    # two predictive models stay distinguishable by their pattern
    assert (
        by_name["side effects"].marker.pattern.shape != by_name["everything"].marker.pattern.shape
    )
    assert fig.layout.barmode == "group"
    assert list(fig.layout.xaxis.categoryarray)[0] == "observational"
    assert fig.layout.yaxis.title.text == "RMSE (lower is better)"
    assert fig.layout.xaxis.title.text
    se = by_name["side effects"]
    assert dict(zip(se.x, se.text, strict=True)) == {"observational": "0.61", "Tylenol": "2.35"}
    dop = by_name["dopamine"]
    assert dict(zip(dop.x, dop.text, strict=True)) == {"observational": "0.50", "Tylenol": "0.50"}
    assert fig.layout.yaxis.range[1] > results["rmse"].max()  # room for the labels
    assert fig.layout.title.text == "Prediction error by test"
    _assert_style(fig)


def test_rmse_bars_errors(results: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="empty"):
        rmse_bars(results.iloc[0:0])
    with pytest.raises(ValueError, match="rmse"):
        rmse_bars(results.drop(columns="rmse"))
    bad = results.copy()
    bad.loc[0, "kind"] = "oracle"
    with pytest.raises(ValueError, match="unknown model kind"):
        rmse_bars(bad)
    with pytest.raises(ValueError, match="more than one row"):
        rmse_bars(pd.concat([results, results.head(1)]))


def test_rmse_bars_hover_escapes_model_names(results: pd.DataFrame) -> None:
    r = results.copy()
    r["model"] = r["model"].replace({"dopamine": "<b>%{x}</b>"})
    fig = rmse_bars(r)
    hostile = next(tr for tr in fig.data if tr.name == "<b>%{x}</b>")
    assert "%{x}</b>" not in hostile.hovertemplate
    assert "&lt;b&gt;" in hostile.hovertemplate


# --------------------------------------------------------------------------
# error vs strength
# --------------------------------------------------------------------------


def test_error_vs_strength(sweep: pd.DataFrame) -> None:
    fig = error_vs_strength(sweep, "Tylenol dose")
    assert len(fig.data) == 3
    colors = [tr.line.color for tr in fig.data]
    assert colors == [PREDICTIVE_COLOR, PREDICTIVE_COLOR, CAUSAL_COLOR]
    assert [tr.marker.color for tr in fig.data] == colors
    assert fig.data[0].line.dash != fig.data[1].line.dash  # same kind, different dash
    for tr in fig.data:
        assert tr.mode == "lines+markers"
        assert list(tr.x) == sorted(tr.x)
    np.testing.assert_allclose(fig.data[0].y, 0.5 + 3.0 * np.array([0, 0.25, 0.5, 0.75, 1]))
    lo, hi = fig.layout.xaxis.range
    assert lo <= 0 and hi >= 1
    assert fig.layout.yaxis.title.text == "RMSE (lower is better)"
    assert fig.layout.xaxis.title.text == "intervention strength (0 = none, 1 = full)"
    custom = error_vs_strength(sweep, "t", strength_label="Tylenol (fraction of a tablet)")
    assert custom.layout.xaxis.title.text == "Tylenol (fraction of a tablet)"
    _assert_style(fig)


def test_error_vs_strength_errors(sweep: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="empty"):
        error_vs_strength(sweep.iloc[0:0], "t")
    with pytest.raises(ValueError, match="strength"):
        error_vs_strength(sweep.drop(columns="strength"), "t")


# --------------------------------------------------------------------------
# graph_dot: a small DOT reader for the subset graph_dot writes
# --------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<arrow>->)
  | (?P<punct>[{}\[\];,=])
  | (?P<qstr>"(?:[^"\\]|\\.)*")
  | (?P<num>-?(?:\d+\.?\d*|\.\d+))
  | (?P<id>[A-Za-z_][A-Za-z_0-9]*)
    """,
    re.VERBOSE | re.DOTALL,
)


def _tokens(src: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(src):
        m = _TOKEN.match(src, pos)
        assert m is not None, f"invalid DOT near {src[pos : pos + 30]!r}"
        pos = m.end()
        if m.lastgroup != "ws":
            out.append((m.lastgroup, m.group()))
    return out


def _unquote(token: str) -> str:
    """Value of a quoted DOT string as Graphviz displays it in a label.

    ``\\"`` is a quote, ``\\\\`` a backslash, ``\\n`` a line break; any other
    escape (``\\N``, ``\\G``, ``\\l`` ...) would be expanded by Graphviz, so a
    label must not contain one.
    """
    body, out, i = token[1:-1], [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            nxt = body[i + 1]
            assert nxt in '"\\n', f"unexpected escape \\{nxt} in {token}"
            out.append({'"': '"', "\\": "\\", "n": "\n"}[nxt])
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _parse_dot(src: str) -> dict:
    """Parse ``digraph NAME { stmt; ... }``; return nodes, edges and attributes."""
    toks = _tokens(src)
    i = 0

    def take(kind: str | None = None, value: str | None = None) -> str:
        nonlocal i
        k, v = toks[i]
        assert kind is None or k == kind, f"expected {kind}, got {v!r}"
        assert value is None or v == value, f"expected {value!r}, got {v!r}"
        i += 1
        return v

    def attr_list() -> dict[str, str]:
        attrs: dict[str, str] = {}
        take("punct", "[")
        while toks[i][1] != "]":
            key = take("id")
            take("punct", "=")
            k, v = toks[i]
            assert k in {"qstr", "num", "id"}, f"bad attribute value {v!r}"
            i_val = take()
            attrs[key] = _unquote(i_val) if k == "qstr" else i_val
            if toks[i][1] == ",":
                take()
        take("punct", "]")
        return attrs

    take("id", "digraph")
    if toks[i][0] in {"id", "qstr"}:
        take()
    take("punct", "{")
    nodes: dict[str, dict[str, str]] = {}
    edges: list[tuple[str, str, dict[str, str]]] = []
    defaults: dict[str, dict[str, str]] = {}
    while toks[i][1] != "}":
        first = take("id")
        if first in {"graph", "node", "edge"}:
            defaults[first] = attr_list()
        elif toks[i][0] == "arrow":
            take()
            second = take("id")
            attrs = attr_list() if toks[i][1] == "[" else {}
            edges.append((first, second, attrs))
        else:
            nodes[first] = attr_list() if toks[i][1] == "[" else {}
        take("punct", ";")
    take("punct", "}")
    assert i == len(toks), "text after the closing brace"
    return {"nodes": nodes, "edges": edges, "defaults": defaults}


HOSTILE = 'a"b\\c'
SCRIPT = "<script>alert(1)</script>"
EDGES = [
    ("dose", "dopamine"),
    ("dopamine", "headache"),
    ("dopamine", "relief"),
    ("tylenol", "headache"),
    (HOSTILE, "relief"),
    (SCRIPT, "relief"),
]


@pytest.fixture
def dot() -> str:
    return graph_dot(
        ["dose", "dopamine", "headache", "tylenol", HOSTILE, SCRIPT, "relief"],
        EDGES,
        target="relief",
        features=["headache", HOSTILE],
        latent=[SCRIPT],
        intervened=["headache"],
        cut_edges=[("dopamine", "headache")],
        units={"dose": "mg/day", "relief": 'pts "x"'},
    )


def _by_label(parsed: dict) -> dict[str, tuple[str, dict[str, str]]]:
    return {a["label"].split("\n")[0]: (nid, a) for nid, a in parsed["nodes"].items()}


def test_graph_dot_parses(dot: str) -> None:
    assert dot.count("{") == dot.count("}")  # no braces in this graph's labels
    parsed = _parse_dot(dot)
    nodes = _by_label(parsed)
    assert set(nodes) == {"dose", "dopamine", "headache", "tylenol", HOSTILE, SCRIPT, "relief"}
    # every edge end is a declared node, edges keep their direction
    ids = {nid: name for name, (nid, _) in nodes.items()}
    named = {(ids[a], ids[b]) for a, b, _ in parsed["edges"]}
    assert named == set(EDGES)
    assert len(parsed["edges"]) == 6  # the cut edge is drawn once
    assert parsed["defaults"]["graph"]["rankdir"] == "LR"
    for kind in ("graph", "node", "edge"):
        assert parsed["defaults"][kind]["fontname"] == "Helvetica"
        assert float(parsed["defaults"][kind]["fontsize"]) >= 14


def test_graph_dot_escapes_hostile_names(dot: str) -> None:
    parsed = _parse_dot(dot)
    nodes = _by_label(parsed)
    # the label displays exactly the user's text, via escaped plain strings
    assert nodes[HOSTILE][1]["label"] == HOSTILE
    assert '"a\\"b\\\\c"' in dot
    assert nodes[SCRIPT][1]["label"] == SCRIPT + "\n(unobserved)"
    # no HTML labels anywhere, and user text never becomes an identifier
    assert "label=<" not in dot
    assert all(re.fullmatch(r"n[0-9a-f]{12}", nid) for nid in parsed["nodes"])
    assert nodes["relief"][1]["label"] == 'relief\n(pts "x")'


def test_graph_dot_neutralises_escapes_and_newlines() -> None:
    name = "x\\N\ny\\"  # \N would print the node id; trailing backslash
    parsed = _parse_dot(graph_dot([name, "z"], [(name, "z")]))
    labels = [a["label"] for a in parsed["nodes"].values()]
    assert "x\\N y\\" in labels  # shown literally, newline flattened


def test_graph_dot_roles(dot: str) -> None:
    parsed = _parse_dot(dot)
    nodes = _by_label(parsed)
    ids = {nid: name for name, (nid, _) in nodes.items()}

    target = nodes["relief"][1]
    assert target["peripheries"] == "2"
    assert "bold" in target["style"] and "filled" in target["style"]
    assert target["label"].startswith("relief\n")

    feat = nodes[HOSTILE][1]
    assert feat["shape"] == "box" and "filled" in feat["style"]

    latent = nodes[SCRIPT][1]
    assert "dashed" in latent["style"]
    assert "Oblique" in latent["fontname"] or "Italic" in latent["fontname"]
    assert latent["label"].endswith("(unobserved)")

    intv = nodes["headache"][1]
    assert "filled" in intv["style"]
    assert "intervened" in intv["label"]
    assert intv["fillcolor"] != feat["fillcolor"]
    assert intv["fillcolor"] != target["fillcolor"]

    assert nodes["dose"][1]["label"] == "dose\n(mg/day)"
    assert "style" not in nodes["tylenol"][1]  # a plain node

    cut = [(ids[a], ids[b], attrs) for a, b, attrs in parsed["edges"] if attrs]
    assert [(a, b) for a, b, _ in cut] == [("dopamine", "headache")]
    assert cut[0][2]["style"] == "dashed"
    assert cut[0][2]["label"] == "×"
    normal = [attrs for _, _, attrs in parsed["edges"] if not attrs]
    assert len(normal) == 5  # normal edges use the black default
    assert parsed["defaults"]["edge"]["color"] == "#222222"


def test_graph_dot_rankdir_and_errors() -> None:
    assert 'rankdir="TB"' in graph_dot(["a", "b"], [("a", "b")], rankdir="TB")
    with pytest.raises(ValueError, match="no nodes"):
        graph_dot([], [])
    with pytest.raises(ValueError, match="not a node"):
        graph_dot(["a"], [("a", "b")])
    with pytest.raises(ValueError, match="not a node"):
        graph_dot(["a"], [], target="b")
    with pytest.raises(ValueError, match="more than once"):
        graph_dot(["a", "a"], [])
    with pytest.raises(ValueError, match="rankdir"):
        graph_dot(["a"], [], rankdir="diagonal")


def test_graph_dot_parses_with_pydot(dot: str) -> None:
    """An independent DOT parser reads the output and finds the hostile labels intact."""
    import warnings

    import pydot

    with warnings.catch_warnings():  # pydot's own use of older pyparsing names
        warnings.simplefilter("ignore", DeprecationWarning)
        graphs = pydot.graph_from_dot_data(dot)
    assert graphs and len(graphs) == 1
    labels = [n.get_label() for n in graphs[0].get_nodes() if n.get_label()]
    assert any("<script>" in (lab or "") for lab in labels)
    assert graphs[0].get_edges()


def test_graph_dot_ids_differ_between_graphs() -> None:
    """Redrawn in place, a new graph must not inherit an old graph's node styles."""
    a = _parse_dot(graph_dot(["dose", "relief"], [("dose", "relief")], target="relief"))
    b = _parse_dot(graph_dot(["heat", "drownings"], [("heat", "drownings")], target="drownings"))
    assert not set(a["nodes"]) & set(b["nodes"])
    again = _parse_dot(graph_dot(["dose", "relief"], [("dose", "relief")], target="relief"))
    assert set(a["nodes"]) == set(again["nodes"])


def test_bar_labels_from_a_users_table_are_shown_as_typed():
    results = pd.DataFrame(
        {
            "model": ["m", "m"],
            "kind": ["predictive", "predictive"],
            "features": ["x", "x"],
            "test": ["<a href='https://e.x'>click</a>", "observational"],
            "rmse": [1.0, 2.0],
            "r2": [0.5, 0.1],
        }
    )
    fig = rmse_bars(results)
    xs = [x for trace in fig.data for x in trace.x]
    assert "&lt;a href='https://e.x'&gt;click&lt;/a&gt;" in xs
    assert not any("<a" in str(x) for x in xs)
    assert plotly_text("{x}<b>") == "&#123;x&#125;&lt;b&gt;"


def _style_by_plotly(fig: go.Figure, title: str, x_title, y_title, height: int) -> go.Figure:
    """The house style applied through plotly's own validated updates (the reference)."""
    import plotly.io as pio

    fig.update_layout(
        template=go.layout.Template(layout=pio.templates[style.TEMPLATE].layout),
        title={
            "text": title,
            "font": {"size": style.TITLE_FONT_SIZE},
            "x": 0.0,
            "xanchor": "left",
            "xref": "paper",
        },
        font={"size": style.BASE_FONT_SIZE, "family": style.FONT_FAMILY, "color": "#222222"},
        height=int(height),
        margin={"l": 70, "r": 20, "t": 64 if title else 24, "b": 64},
        legend={"font": {"size": style.SMALL_FONT_SIZE}},
        hoverlabel={"font": {"size": style.SMALL_FONT_SIZE}},
    )
    axis = {
        "title_font": {"size": style.BASE_FONT_SIZE},
        "tickfont": {"size": style.SMALL_FONT_SIZE},
        "automargin": True,
    }
    fig.update_xaxes(**axis)
    fig.update_yaxes(**axis)
    if x_title is not None:
        fig.update_xaxes(title_text=x_title)
    if y_title is not None:
        fig.update_yaxes(title_text=y_title)
    return fig


@pytest.mark.parametrize(
    ("title", "x_title", "y_title"), [("A title", "x (mg)", "y"), ("", None, None)]
)
def test_the_house_style_equals_plotlys_own_updates(title, x_title, y_title) -> None:
    """``_style`` skips plotly's validation for speed; the figure must be the same."""
    x, y = np.random.default_rng(0).normal(size=(2, 50))

    def figure() -> go.Figure:
        fig = go.Figure(go.Scatter(x=x, y=y, mode="markers"))
        fig.add_trace(go.Bar(x=["a", "b"], y=[1.0, 2.0], xaxis="x2", yaxis="y2"))
        fig.update_layout(margin={"l": 5}, xaxis2={"anchor": "y2"}, legend={"x": 0.5})
        fig.add_annotation(text="note", x=0, y=0)
        return fig

    ours = style.style(figure(), title, x_title, y_title, 420)
    reference = _style_by_plotly(figure(), title, x_title, y_title, 420)
    assert ours.to_dict() == reference.to_dict()
    assert isinstance(ours.data[0].x, np.ndarray | tuple)  # arrays stay arrays, not encoded
    # The same style on the figure as plain data (as lib.figures.charts builds them).
    fig = figure()
    data = {"data": [t.to_plotly_json() for t in fig.data], "layout": fig.layout.to_plotly_json()}
    styled = style.style(data, title, x_title, y_title, 420)
    assert isinstance(styled, dict) and "title" not in data["layout"]  # the input is left alone
    assert styled["data"][0]["x"] is data["data"][0]["x"]  # arrays shared, not copied
    assert go.Figure(styled).to_dict() == reference.to_dict()
