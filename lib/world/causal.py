"""Which observed variables a causal model may use, read off the graph.

A causal model of a target uses only its causes: the target's observed parents;
where a parent is latent (not observed), the observed measurements of that
parent and its observed causes, walking further up through latent causes.
Effects of the target, and other effects of its causes (side effects), are
left out however well they predict: their relation to the target is not a
mechanism and breaks when they are intervened on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import networkx as nx

from lib.errors import ScenarioError

__all__ = ["CausalSet", "causal_inputs", "hidden_confounders", "invariance_guaranteed"]


@dataclass(frozen=True)
class CausalSet:
    """The inputs a causal model uses, and why.

    Attributes
    ----------
    features : tuple of str
        The observed variables, in the order given by ``observed``.
    reasons : tuple of str
        One sentence per chosen variable (Markdown).
    excluded : tuple of str
        One sentence per observed variable left out.
    """

    features: tuple[str, ...]
    reasons: tuple[str, ...]
    excluded: tuple[str, ...]


def causal_inputs(
    graph: nx.DiGraph,
    target: str,
    observed: Iterable[str],
    measures: Mapping[str, str | None] | None = None,
    latent: Iterable[str] = (),
) -> CausalSet:
    """Choose a causal model's inputs from the graph.

    Parameters
    ----------
    graph : networkx.DiGraph
        The causal graph (before any intervention).
    target : str
        The variable to predict.
    observed : iterable of str
        Variables a model may use (the candidate features).
    measures : mapping, optional
        ``{node: measured_node}`` for nodes that are noisy measurements.
    latent : iterable of str, optional
        Nodes no study observes (said so in the reasons); other nodes outside
        ``observed`` are "not among the inputs".

    Returns
    -------
    CausalSet

    Raises
    ------
    ScenarioError
        If the target is not in the graph.
    """
    if target not in graph:
        raise ScenarioError(f"the target `{target}` is not a node of the graph.")
    candidates = [v for v in observed if v != target]
    available = set(candidates)
    measures = dict(measures or {})
    measured_by: dict[str, list[str]] = {}
    for node, measured in measures.items():
        if measured and node in available:
            measured_by.setdefault(measured, []).append(node)
    descendants = nx.descendants(graph, target)
    chosen: dict[str, str] = {}
    unobserved = set(latent)

    def hidden(node: str) -> str:
        return "not observed" if node in unobserved else "not among the inputs"

    def stand_ins(latent: str, via: str, seen: set[str]) -> None:
        if latent in seen:
            return
        seen.add(latent)
        for m in measured_by.get(latent, []):
            if m not in descendants:
                chosen.setdefault(
                    m, f"`{m}` measures `{latent}` ({hidden(latent)}){via}: it stands in for it."
                )
        for cause in sorted(graph.predecessors(latent)):
            if cause in descendants:
                continue
            if cause in available:
                chosen.setdefault(
                    cause,
                    f"`{cause}` causes `{latent}` ({hidden(latent)}){via}: "
                    f"it carries the part of `{latent}` that its causes set.",
                )
            else:
                stand_ins(cause, f", a cause of `{latent}`{via}", seen)

    seen: set[str] = set()
    for parent in sorted(graph.predecessors(target)):
        if parent in available:
            chosen.setdefault(parent, f"`{parent}` is a direct cause of `{target}`.")
        else:
            stand_ins(parent, f", a direct cause of `{target}`", seen)

    features = tuple(v for v in candidates if v in chosen)
    excluded = []
    ancestors = nx.ancestors(graph, target)
    for v in candidates:
        if v in chosen:
            continue
        if v in descendants:
            why = f"`{v}` is an effect of `{target}`, not a cause."
        elif v in ancestors:
            why = f"`{v}` acts on `{target}` only through the variables already used."
        elif ancestors & nx.ancestors(graph, v):
            why = (
                f"`{v}` is not a cause of `{target}`: it shares causes with it "
                f"(it may predict `{target}`, but changing it would not change `{target}`)."
            )
        else:
            why = f"`{v}` is neither a cause nor an effect of `{target}`."
        excluded.append(why)
    return CausalSet(features, tuple(chosen[v] for v in features), tuple(excluded))


def invariance_guaranteed(
    graph: nx.DiGraph, changed: Iterable[str], target: str, inputs: Iterable[str]
) -> bool:
    """Whether the graph guarantees that ``P(target | inputs)`` survives the change.

    The standard criterion: add an intervention indicator pointing into every
    changed node; the conditional distribution of the target given the inputs
    is invariant when the indicator is d-separated from the target given the
    inputs. If the target itself is changed it never is.

    Parameters
    ----------
    graph : networkx.DiGraph
        The graph before the intervention.
    changed : iterable of str
        Nodes whose mechanisms the intervention changes.
    target : str
    inputs : iterable of str
        The model's inputs.
    """
    changed = list(changed)
    if target in changed:
        return False
    inputs = set(inputs)
    augmented = nx.DiGraph(graph)
    indicator = "__intervention__"
    augmented.add_edges_from((indicator, c) for c in changed)
    return nx.is_d_separator(augmented, {indicator}, {target}, inputs)


def hidden_confounders(
    graph: nx.DiGraph, target: str, inputs: Iterable[str], latent: Iterable[str]
) -> dict[str, tuple[str, ...]]:
    """Direct causes among ``inputs`` whose weight mixes in an unobserved common cause.

    For each input that is a parent of ``target``, the back-door test: remove
    the input's outgoing edges; if the input and the target are still
    d-connected given the other inputs, a back-door path is open and a
    regression weight on that input is not its causal effect. The unobserved
    nodes that are ancestors of both (the usual culprits) are named.

    Returns
    -------
    dict of str to tuple of str
        Input -> the latent common causes it shares with the target (empty
        tuple when the open path runs through something else); inputs whose
        weight is a causal effect are not listed.
    """
    inputs = [x for x in inputs if x in graph]
    hidden = set(latent)
    out: dict[str, tuple[str, ...]] = {}
    target_ancestors = nx.ancestors(graph, target)
    for x in inputs:
        if not graph.has_edge(x, target):
            continue
        cut = nx.DiGraph(graph)
        cut.remove_edges_from(list(graph.out_edges(x)))
        others = set(inputs) - {x}
        if nx.is_d_separator(cut, {x}, {target}, others):
            continue
        shared = nx.ancestors(cut, x) & target_ancestors & hidden
        out[x] = tuple(sorted(shared))
    return out
