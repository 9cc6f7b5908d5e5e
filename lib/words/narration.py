"""The sentences the pages show about what happened to each model, and why.

Written from the lab's own numbers and the world's graph, never typed by hand:
one source of truth per sentence, tested per intervention kind.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import networkx as nx
import pandas as pd

from lib.fitting.experiments import OBSERVATIONAL
from lib.text.escape import code_list
from lib.world.causal import invariance_guaranteed
from lib.world.interventions import Intervention, describe_all
from lib.world.scenarios import Scenario

__all__ = ["BROKE_RATIO", "HELD_RATIO", "explain_outcome", "verdict"]

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


def _share(outside: Mapping[str, float] | None, names: Sequence[str]) -> str:
    """The largest share of cases outside the training range, as a percentage."""
    top = max((outside or {}).get(n, 0.0) for n in names) if names else 0.0
    return "all" if top >= 0.995 else f"up to {top:.0%}"


def _on_target(interventions: Sequence[Intervention], target: str) -> str:
    kinds = [iv.kind for iv in interventions if iv.node == target]
    return "; ".join(_ON_TARGET[k].format(t=target) for k in dict.fromkeys(kinds))


def explain_outcome(
    sc: Scenario,
    results: pd.DataFrame,
    test: str,
    interventions: Sequence[Intervention],
    outside: Mapping[str, float] | None = None,
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
    outside : mapping of str to float, optional
        Per input, the share of test rows outside the range the models were
        trained on (:meth:`lib.fitting.experiments.Experiment.outside_range`);
        without it, the sentences say only which inputs the intervention moved.

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
    for m in ratio:
        r = ratio[m]
        safe = invariance_guaranteed(graph, changed, target, feats[m])
        moved = [f for f in feats[m] if f in affected]
        spurious = [f for f in moved if f not in sc.causal_features]
        trees = families[m] == "trees"
        left = [f for f in feats[m] if (outside or {}).get(f, 0.0) > 0.01]
        beyond = (
            f"{code_list(left)} left the range it was trained on "
            f"({_share(outside, left)} of the cases)"
            if left
            else ""
        )
        if r >= BROKE_RATIO and safe:
            why = (
                beyond
                or f"its inputs ({code_list(moved)}) moved beyond the range it was trained on"
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
                        else "its straight line carried on beyond it."
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
