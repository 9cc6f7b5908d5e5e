"""The sentences the pages show about what happened to each model, and why.

Written from the lab's own numbers and the world's graph, never typed by hand:
one source of truth per sentence, tested per intervention kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from lib.fitting.experiments import OBSERVATIONAL
from lib.text.escape import code_list, code_span
from lib.text.numbers import format_number
from lib.world.causal import invariance_guaranteed
from lib.world.interventions import Intervention, describe_all
from lib.world.scenarios import Scenario

__all__ = [
    "BROKE_RATIO",
    "EDGE",
    "HELD_RATIO",
    "MENTIONED",
    "RangeExit",
    "explain_outcome",
    "range_exits",
    "share_text",
    "verdict",
]

#: An error ratio at or above this is "broke"; at or below HELD_RATIO "held".
BROKE_RATIO = 1.5
HELD_RATIO = 1.15


def verdict(ratio: float) -> str:
    """What an error ratio (after / before) means: ``"broke"``, ``"held"`` or ``"degraded"``.

    The one place the pages' thresholds live (:data:`BROKE_RATIO`, :data:`HELD_RATIO`).

    >>> verdict(5.3), verdict(1.0), verdict(1.3)
    ('broke', 'held', 'degraded')
    """
    if ratio >= BROKE_RATIO:
        return "broke"
    if ratio <= HELD_RATIO:
        return "held"
    return "degraded"


#: What an intervention on the target itself did, by kind: why no input can foresee it.
_ON_TARGET = {
    "do": "`{t}` was set by hand, whatever its causes",
    "shift": "every case's `{t}` was moved by the same amount (its mechanism kept)",
    "scale_noise": "the random part of `{t}` was scaled (its mechanism kept)",
    "replace": "the mechanism of `{t}` was replaced",
}


#: A share of cases outside the training range above this is said; below it, not.
MENTIONED = 0.01
#: Beyond the training range by at most this share of its width is "just past the edge".
EDGE = 0.01


@dataclass(frozen=True)
class RangeExit:
    """How far one input's test values left the range it was trained on.

    Attributes
    ----------
    share : float
        The share of test rows strictly outside ``[low, high]``.
    farthest : float
        The largest distance from a test value to the range (0 when none is outside).
    low, high : float
        The training range.
    """

    share: float
    farthest: float
    low: float
    high: float

    @property
    def at_edge(self) -> bool:
        """Outside by at most :data:`EDGE` of the range's width (a set value at its end)."""
        return self.farthest <= EDGE * (self.high - self.low)


def range_exits(
    train: pd.DataFrame, test: pd.DataFrame, features: Iterable[str]
) -> dict[str, RangeExit]:
    """Per feature, how the test rows left the training range (:class:`RangeExit`)."""
    out = {}
    for f in features:
        lo, hi = float(train[f].min()), float(train[f].max())
        x = test[f].to_numpy(dtype=float)
        gap = np.maximum(lo - x, 0.0) + np.maximum(x - hi, 0.0)
        out[f] = RangeExit(
            share=float(np.mean(gap > 0)) if len(x) else 0.0,
            farthest=float(gap.max()) if len(x) else 0.0,
            low=lo,
            high=hi,
        )
    return out


def share_text(share: float) -> str:
    """A share of cases: ``all``, ``3%``; never rounds a share below 1 up to 100%."""
    if share >= 1.0:
        return "all"
    text = f"{100 * share:.0f}%"
    if text == "100%":
        text = f"{100 * share:.1f}%"
    return "more than 99.9%" if text == "100.0%" else text


def _exits(outside: Mapping[str, RangeExit | float] | None) -> dict[str, RangeExit]:
    """Read plain shares (no distances) as exits that went well past the range."""
    out = {}
    for name, value in (outside or {}).items():
        if isinstance(value, RangeExit):
            out[name] = value
        else:
            out[name] = RangeExit(float(value), np.inf if value else 0.0, 0.0, 0.0)
    return out


def _beyond(exits: Mapping[str, RangeExit], names: Sequence[str]) -> str:
    """The inputs that left their training range, each with its own share of the cases
    (``"`a` left the range it was trained on in 56% of the cases, `b` in 23%"``); an
    input that only went just past its edge is said apart, with how far."""
    left = [n for n in names if not exits[n].at_edge]
    parts = []
    if left:
        first, *more = left
        parts.append(
            f"{code_span(first)} left the range it was trained on in "
            f"{share_text(exits[first].share)} of the cases"
            + "".join(f", {code_span(n)} in {share_text(exits[n].share)}" for n in more[:-1])
            + "".join(f" and {code_span(n)} in {share_text(exits[n].share)}" for n in more[-1:])
        )
    for n in names:
        if exits[n].at_edge:
            parts.append(
                f"{code_span(n)} went just past the edge of "
                + ("its own range" if left else "the range it was trained on")
                + f" (by at most {format_number(exits[n].farthest)}, within {EDGE:.0%} of its "
                f"width) in {share_text(exits[n].share)} of the cases"
            )
    return "; ".join(parts)


def _on_target(interventions: Sequence[Intervention], target: str) -> str:
    kinds = [iv.kind for iv in interventions if iv.node == target]
    return "; ".join(_ON_TARGET[k].format(t=target) for k in dict.fromkeys(kinds))


def explain_outcome(
    sc: Scenario,
    results: pd.DataFrame,
    test: str,
    interventions: Sequence[Intervention],
    outside: Mapping[str, RangeExit | float] | None = None,
) -> str:
    """Plain sentences saying what happened under a test, and why.

    One source of truth for every sentence about an intervention's effect on
    each model: the verdict comes from the error ratio (:func:`verdict`), the
    reason from the graph (is the model's relation to the target guaranteed
    to survive?), from the kind of intervention (on the target itself), and
    from the data (did the inputs leave the range the model was trained on?).

    Parameters
    ----------
    sc : Scenario
    results : pandas.DataFrame
        From :func:`compare_models` / :meth:`Experiment.evaluate`; must hold the
        observational test and ``test``.
    test : str
        The name of the intervention test.
    interventions : sequence of Intervention
        What was done in ``test``.
    outside : mapping of str to RangeExit (or float), optional
        Per input, how the test rows left the range the models were trained on
        (:func:`range_exits`; a plain share, as from
        :meth:`lib.fitting.experiments.Experiment.outside_range`, counts as well
        past it); without it, the sentences say only which inputs the
        intervention moved.

    Returns
    -------
    str
        Markdown, a few sentences.
    """
    obs = results[results["test"] == OBSERVATIONAL].set_index("model")
    after = results[results["test"] == test].set_index("model")
    ratio = (after["rmse"] / obs["rmse"]).to_dict()
    kinds = obs["kind"].to_dict()
    feats = {m: list(obs.loc[m, "inputs"]) for m in obs.index}
    families = obs["family"].to_dict()

    # Edges before and after: a replaced mechanism may read new parents.
    graph = nx.compose(sc.scm.original_graph, sc.scm.intervene(*interventions).graph)
    changed = list(dict.fromkeys(iv.node for iv in interventions))
    affected = set(changed)
    for node in changed:
        affected |= nx.descendants(graph, node)
    target = sc.target
    target_changed = target in changed
    target_moved = target in affected

    def verdict(model: str) -> str:
        return f"**{model}** ×{ratio[model]:.2f}"

    hidden = [c for c in changed if c not in sc.scm.observed]
    headline = getattr(interventions, "description", "") or describe_all(interventions)
    strengths = {iv.strength for iv in interventions}
    if headline != describe_all(interventions) and strengths != {1.0}:
        # the story's description is of the full intervention: say what was done
        headline = f"{headline}; here at partial strength: {describe_all(interventions)}"
    lines = [f"**{test}** — {headline}."]
    if all(iv.strength == 0 for iv in interventions):
        lines.append("At strength 0 nothing changes: every model's error is what it was.")
        return "\n\n".join(lines)
    if target_changed:
        lines.append(
            f"This acts on `{target}` itself, so no model's inputs can foresee it: no model "
            f"is protected, and how far each one drifts depends on what it learned."
        )
    on_target = _on_target(interventions, target)
    exits = _exits(outside)
    for m in ratio:
        r = ratio[m]
        safe = invariance_guaranteed(graph, changed, target, feats[m])
        moved = [f for f in feats[m] if f in affected]
        spurious = [f for f in moved if f not in sc.causal_features]
        trees = families[m] == "trees"
        left = [f for f in feats[m] if f in exits and exits[f].share > MENTIONED]
        beyond = _beyond(exits, left)
        if r >= BROKE_RATIO and safe:
            why = (
                beyond
                or (
                    f"the intervention moved its inputs ({code_list(moved)}) to values it had "
                    f"seldom seen"
                    if moved
                    else "its inputs took values it had seldom seen"
                )
            ) + (
                ", and trees predict flat there"
                if trees
                else ", where its fitted shape no longer describes the mechanism"
            )
            lines.append(f"{verdict(m)} error, although the mechanism it needs held: {why}.")
        elif r >= BROKE_RATIO:
            if target_changed:
                why = f"{on_target}, and none of its inputs shows that"
            elif spurious and not target_moved:
                why = (
                    f"it relied on {code_list(spurious)}, which the intervention changed "
                    f"without changing `{target}`"
                )
            elif spurious:
                why = (
                    f"it relied on {code_list(spurious)}, whose relation to `{target}` the "
                    f"intervention changed"
                )
            elif hidden:
                why = (
                    f"the intervention acts on {code_list(hidden)}, which no model observes "
                    f"directly, so what it learned about how its inputs "
                    f"({code_list(feats[m])}) go with {code_list(hidden)} no longer holds"
                )
            else:
                why = f"the intervention changed how its inputs relate to `{target}`"
            lines.append(f"{verdict(m)} error: {why}.")
        elif r <= HELD_RATIO and safe:
            lines.append(
                f"{verdict(m)} — held, as the graph guarantees: the intervention leaves "
                f"the mechanisms linking {code_list(feats[m])} to `{target}` untouched"
                + (
                    f". Yet {beyond}: "
                    + (
                        "trees predict flat there, which cost little this time."
                        if trees
                        else "its straight line carried on beyond the range."
                    )
                    if beyond
                    else "."
                )
            )
        elif r <= HELD_RATIO and target_changed:
            lines.append(
                f"{verdict(m)} — held here, although {on_target}: this change happened "
                f"not to matter much for it."
            )
        elif r <= HELD_RATIO and spurious and not target_moved:
            lines.append(
                f"{verdict(m)} — held here, although it uses {code_list(spurious)}, which "
                f"the intervention changed: this change happened not to move its "
                f"predictions much. Nothing guarantees that for a stronger one."
            )
        elif r <= HELD_RATIO:
            lines.append(
                f"{verdict(m)} — held here, but nothing guarantees it: the intervention "
                f"also reaches `{target}` in a way its inputs do not fully capture."
            )
        elif safe:
            lines.append(
                f"{verdict(m)} — degraded somewhat, although the mechanism it needs held: "
                + (
                    f"{beyond}" + (", and trees predict flat there." if trees else ".")
                    if beyond
                    else "its inputs took values it had rarely seen."
                )
            )
        elif target_changed:
            lines.append(f"{verdict(m)} — degraded somewhat: {on_target}.")
        else:
            lines.append(
                f"{verdict(m)} — degraded somewhat: the intervention changed how its inputs "
                f"relate to `{target}`, though not by much."
            )
    causal_broke = [m for m in ratio if ratio[m] >= BROKE_RATIO and kinds[m] == "causal"]
    if causal_broke and not target_changed and hidden:
        lines.append(
            "Invariance depends on *which* intervention: a model of causes is invariant "
            "under interventions that leave the mechanisms between its inputs and the "
            "target untouched, not under every intervention."
        )
    return "\n\n".join(lines)
