"""Causal graphs as Graphviz DOT: a world's graph, and the builder's draft.

Pages pass the DOT source to ``st.graphviz_chart``. Nodes are coloured by role
(the target green, features grey, intervened nodes vermillion) in the lab's
palette (:mod:`lib.figures.style`); every name is escaped.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Any

from lib.figures.style import mix
from lib.world.builder import BuildResult, cell_text, feature_list

__all__ = [
    "CUT_EDGE",
    "CUT_MARK",
    "EDGE_FONT_SIZE",
    "ERROR_COLOR",
    "FEATURE_FILL",
    "INTERVENED_FILL",
    "NODE_FONT_SIZE",
    "STALE_EDGE_COLOR",
    "TARGET_FILL",
    "draft_dot",
    "graph_dot",
]


TARGET_FILL = mix("#009E73", "#FFFFFF", 0.75)  # light bluish green
FEATURE_FILL = "#E6E6E6"  # light grey
INTERVENED_FILL = mix("#D55E00", "#FFFFFF", 0.75)  # light vermillion
CUT_EDGE = "#8C8C8C"  # grey dashed arrow of an edge an intervention cut
CUT_MARK = "#D55E00"  # vermillion × on it
_RANKDIRS = {"LR", "RL", "TB", "BT"}
#: A node's label size (the graph's own units: one per CSS pixel at the graph's natural size).
NODE_FONT_SIZE = 20
#: The size of an arrow's label (the × on a cut arrow).
EDGE_FONT_SIZE = 26


def _dot_text(text: Any) -> str:
    """Escape one line of user text for a quoted DOT string.

    Backslashes and double quotes are escaped; control characters (newlines,
    tabs ...) become spaces, so user text can never end the string, start an
    escape sequence such as ``\\N`` or ``\\l``, or become an HTML label.
    """
    s = "".join(" " if (ord(ch) < 32 or ord(ch) == 127) else ch for ch in str(text))
    return s.replace("\\", "\\\\").replace('"', '\\"')


def _dot_label(*lines: str) -> str:
    """A quoted DOT label whose lines are escaped user text."""
    return '"' + "\\n".join(_dot_text(x) for x in lines) + '"'


def _dot_attrs(attrs: Mapping[str, str]) -> str:
    """``[k="v", ...]``; values are already-quoted strings or plain numbers."""
    return "[" + ", ".join(f"{k}={v}" for k, v in attrs.items()) + "]"


def graph_dot(
    nodes: Sequence[str],
    edges: Sequence[tuple[str, str]],
    *,
    target: str | None = None,
    features: Sequence[str] = (),
    latent: Sequence[str] = (),
    intervened: Sequence[str] = (),
    cut_edges: Sequence[tuple[str, str]] = (),
    units: Mapping[str, str] | None = None,
    rankdir: str = "LR",
) -> str:
    """Graphviz DOT source of a causal graph, for ``st.graphviz_chart``.

    Parameters
    ----------
    nodes : Sequence[str]
        Node names (drawn in this order).
    edges : Sequence[tuple[str, str]]
        Directed edges ``(cause, effect)``.
    target : str or None, optional
        The variable to predict: bold, double border, light green.
    features : Sequence[str], optional
        Variables a model uses: light grey boxes.
    latent : Sequence[str], optional
        Unobserved variables: dashed border, oblique type, ``(unobserved)``.
    intervened : Sequence[str], optional
        Variables an intervention sets or changes: light red, with a
        ``✂ intervened`` line.
    cut_edges : Sequence[tuple[str, str]], optional
        Edges the intervention removed: dashed light grey with a ``×``. They
        may or may not also appear in ``edges``; each is drawn once.
    units : Mapping[str, str] or None, optional
        Node -> unit, shown on a second line as ``(unit)``.
    rankdir : str, optional
        Layout direction: ``"LR"``, ``"RL"``, ``"TB"`` or ``"BT"``.

    Returns
    -------
    str
        DOT source. Node identifiers are generated (``n0``, ``n1`` ...); names
        only ever appear inside escaped, quoted plain-text labels, never as
        HTML labels.

    Raises
    ------
    ValueError
        If ``nodes`` is empty or has duplicates, an edge or role names an
        unknown node, or ``rankdir`` is not valid.
    """
    names = [str(n) for n in nodes]
    if not names:
        raise ValueError("the graph has no nodes: there is nothing to draw")
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"node name(s) {', '.join(map(repr, dup))} appear more than once")
    if rankdir not in _RANKDIRS:
        raise ValueError(f"rankdir must be one of {sorted(_RANKDIRS)}, got {rankdir!r}")
    # Ids come from the names, so another graph's nodes never share an id with these:
    # the browser's renderer matches nodes by id when a chart is redrawn in place.
    ids = {n: "n" + hashlib.sha1(n.encode("utf-8")).hexdigest()[:12] for n in names}

    def check(name: Any, role: str) -> str:
        s = str(name)
        if s not in ids:
            raise ValueError(f"{role} {s!r} is not a node of the graph")
        return s

    def check_edges(es: Sequence[tuple[str, str]], role: str) -> list[tuple[str, str]]:
        out = []
        for e in es:
            if len(e) != 2:
                raise ValueError(f"{role} {e!r} must be a pair (cause, effect)")
            out.append((check(e[0], f"{role} end"), check(e[1], f"{role} end")))
        return out

    tgt = check(target, "target") if target is not None else None
    feats = {check(n, "feature") for n in features}
    lat = {check(n, "latent variable") for n in latent}
    intv = {check(n, "intervened variable") for n in intervened}
    cut = list(dict.fromkeys(check_edges(cut_edges, "cut edge")))
    cut_set = set(cut)
    normal = [e for e in dict.fromkeys(check_edges(edges, "edge")) if e not in cut_set]

    lines = [
        "digraph causal_graph {",
        f'  graph [rankdir="{rankdir}", bgcolor="transparent", fontname="Helvetica", '
        "fontsize=16, nodesep=0.25, ranksep=0.45];",
        f'  node [fontname="Helvetica", fontsize={NODE_FONT_SIZE}, shape=ellipse, style="solid", '
        'color="#222222", fontcolor="#222222", penwidth=1.2];',
        '  edge [fontname="Helvetica", fontsize=16, color="#222222", penwidth=1.4, arrowsize=0.8];',
    ]
    for n in names:
        text = [n]
        unit = (units or {}).get(n)
        if unit is not None and str(unit).strip():
            text.append(f"({unit})")
        styles: list[str] = []
        attrs: dict[str, str] = {}
        fill: str | None = None
        if n in feats:
            attrs["shape"] = "box"
            styles += ["rounded", "filled"]
            fill = FEATURE_FILL
        if n in lat:
            styles.append("dashed")
            attrs["fontname"] = '"Helvetica-Oblique"'
            text.append("(unobserved)")
        if n in intv:
            styles.append("filled")
            fill = INTERVENED_FILL
            text.append("✂ intervened")
        if n == tgt:
            styles += ["filled", "bold"]
            attrs["peripheries"] = "2"
            attrs["penwidth"] = "2"
            fill = fill if n in intv else TARGET_FILL
        attrs_out = {"label": _dot_label(*text), "tooltip": _dot_label(n)}
        attrs_out.update(attrs)
        if styles:
            attrs_out["style"] = '"' + ",".join(dict.fromkeys(styles)) + '"'
        if fill:
            attrs_out["fillcolor"] = f'"{fill}"'
        lines.append(f"  {ids[n]} {_dot_attrs(attrs_out)};")
    for a, b in normal:
        lines.append(f"  {ids[a]} -> {ids[b]};")
    for a, b in cut:
        cut_attrs = {
            "style": '"dashed"',
            "color": f'"{CUT_EDGE}"',
            "penwidth": "2",
            "arrowsize": "0.9",
            "fontsize": str(EDGE_FONT_SIZE),
            "fontcolor": f'"{CUT_MARK}"',
            "label": '"×"',
            "tooltip": _dot_label(f"{a} → {b} (cut by the intervention)"),
        }
        lines.append(f"  {ids[a]} -> {ids[b]} {_dot_attrs(cut_attrs)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


#: Outline of a node whose row has an error (the graph's own red; drawn thick).
ERROR_COLOR = "#C62828"
#: Arrows kept from a node's last valid equation while its equation is broken.
STALE_EDGE_COLOR = "#9E9E9E"
_NODE_LINE_RE = re.compile(r"^  (?!(?:graph|node|edge) \[)(\w+) \[", re.MULTILINE)


def _quoted(text: str) -> str:
    """A quoted DOT string (the names in it are identifiers; quotes are escaped anyway)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def draft_dot(result: BuildResult, meta: Mapping[str, Any]) -> str | None:
    """DOT source of the graph as it stands (``None`` when there is no node yet).

    The target and features are marked when they are nodes of the graph;
    unobserved nodes are dashed. A node whose row has an error is outlined in
    :data:`ERROR_COLOR`; the arrows kept from a broken equation's last valid
    version (``result.stale``) are dashed grey with an open head.
    """
    graph = result.graph
    if graph.number_of_nodes() == 0:
        return None
    nodes = list(graph.nodes)
    target = cell_text(meta.get("target")) if isinstance(meta, Mapping) else ""
    raw_features = meta.get("features") if isinstance(meta, Mapping) else None
    features = [f for f in feature_list(raw_features) if f in graph and f != target]
    fresh = [(a, b) for a, b, stale in graph.edges(data="stale", default=False) if not stale]
    dot = graph_dot(
        nodes,
        fresh,
        target=target if target in graph else None,
        features=features,
        latent=[n for n in nodes if not graph.nodes[n].get("observed", True)],
        units={n: graph.nodes[n].get("unit", "") for n in nodes},
    )
    ids = _NODE_LINE_RE.findall(dot.split(" -> ")[0])
    if len(ids) != len(nodes):  # pragma: no cover - graph_dot writes one line per node
        return dot
    node_id = dict(zip(nodes, ids, strict=True))
    extra: list[str] = []
    for n in nodes:
        if graph.nodes[n].get("error"):
            extra.append(
                f'  {node_id[n]} [color="{ERROR_COLOR}", penwidth=3.5, '
                f"tooltip={_quoted(f'{n} (its row has an error)')}];"
            )
    for a, b, stale in graph.edges(data="stale", default=False):
        if stale:
            tip = _quoted(f"{a} → {b} (from the last valid equation of {b})")
            extra.append(
                f'  {node_id[a]} -> {node_id[b]} [style="dashed", color="{STALE_EDGE_COLOR}", '
                f'penwidth=1.6, arrowhead="empty", tooltip={tip}];'
            )
    if not extra:
        return dot
    body = dot.rstrip().removesuffix("}")
    return body + "\n".join(extra) + "\n}\n"
