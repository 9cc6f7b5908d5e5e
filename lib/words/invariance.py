"""What the Invariance page's numbers say: ICP's verdict, what was checked, the sweeps.

Every sentence is written from the numbers it is given (an :class:`ICPResult`,
a sweep's table, the environments), and its claims are tested against them.
The numbers themselves are :mod:`lib.invariance`'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import networkx as nx
import pandas as pd

from lib.errors import DataError
from lib.invariance.compare import NONLINEAR_SHIFT_SDS
from lib.invariance.engine import ICPResult
from lib.invariance.sweeps import set_rows
from lib.text.escape import code_list, code_span
from lib.text.numbers import percent
from lib.world.environments import Environment
from lib.world.interventions import Intervention
from lib.world.scenarios import Scenario

__all__ = [
    "bend_sentence",
    "exposed",
    "held_out_caption",
    "icp_sentence",
    "local_sentence",
    "set_sweep_sentence",
    "strength_runs",
    "sweep_caption",
    "truth_sentence",
]


def icp_sentence(res: ICPResult) -> str:
    """ICP's outcome in words (Markdown), one of three cases.

    * some predictor in every accepted set: "ICP's estimated causes of …";
    * no set accepted: the model is misspecified or hidden variables act;
    * accepted sets that share nothing: ICP cannot tell.
    """
    target = code_span(res.target)
    conf = f"{1 - res.alpha:.0%}"
    if res.no_set_accepted:
        return (
            f"**No set accepted:** every regression of {target} on these candidates changes "
            f"between environments. The model is misspecified (a nonlinear mechanism, an "
            f"intervention on {target} itself) or hidden variables act: ICP names no cause."
        )
    k = len(res.accepted_sets)
    accepted = "one set" if k == 1 else f"{k:,} sets"
    if not res.causal_predictors:
        return (
            f"**ICP cannot tell:** {accepted} of {len(res.set_pvalues):,} passed the invariance "
            f"test and they share no predictor, so ICP names no cause of {target}. The "
            f"environments did not shift enough to rule out the alternatives; that is not "
            f"evidence that nothing is a cause."
        )
    names = [c for c in res.candidates if c in res.causal_predictors]
    verb = "is" if len(names) == 1 else "are"
    them = "it" if len(names) == 1 else "them"
    passed = (
        f"The one set that passed the invariance test contains {them}"
        if k == 1
        else f"Each of the {k:,} sets that passed the invariance test contains {them}"
    )
    return (
        f"**ICP's estimated causes of {target}: {code_list(names)}.** {passed}; "
        f"with probability at least {conf}, {code_list(names)} {verb} among the causes of "
        f"{target} (if its mechanism is linear with additive noise and no environment "
        f"intervened on {target} itself)."
    )


def truth_sentence(sc: Scenario, causes: frozenset[str], envs: Sequence[Environment] = ()) -> str:
    """What only a simulation knows about the target's causes, beside ICP's verdict (Markdown).

    The observed direct causes when there are some. When every direct cause is
    hidden (ldopa's dopamine), ICP can still name a cause further up the chain
    (the dose) as long as no environment intervenes on a hidden cause; the
    sentence says which case the environments ``envs`` are in.
    """
    target = code_span(sc.target)
    graph = sc.scm.original_graph
    parents = [f for f in sc.features if graph.has_edge(f, sc.target)]
    head = "The truth, which only a simulation knows: "
    if parents:
        return f"{head}{target}'s observed direct causes are {code_list(parents)}."
    hidden = [p for p in graph.predecessors(sc.target) if p not in sc.features]
    text = f"{head}every direct cause of {target} is unobserved" + (
        f" ({code_list(hidden)})." if hidden else "."
    )
    hit = [e.name for e in envs if any(iv.node in hidden for iv in e.interventions)]
    if hit:
        return (
            f"{text} {code_list(hit)} intervene{'s' if len(hit) == 1 else ''} on it: no "
            f"regression on the observed features stays the same there, so the best ICP can "
            f"do is name nothing."
        )
    ancestors = nx.ancestors(graph, sc.target)
    named = [f for f in sc.features if f in causes and f in ancestors]
    if named:
        verb = "is" if len(named) == 1 else "are"
        return (
            f"{text} {code_list(named)} {verb} still a cause: it acts on {target} through "
            f"{code_list(hidden) if hidden else 'hidden variables'}, which no environment here "
            f"intervenes on, so the regression on it is the same everywhere."
        )
    return (
        f"{text} ICP can then name a cause further up the chain, when the environments shift "
        f"it and leave the hidden causes alone; otherwise the best it can do is name nothing."
    )


def local_sentence(
    environments: Sequence[tuple[str, str]],
    *,
    target: str,
    strength: float | None = None,
    shifted: str | None = None,
) -> str:
    """What "invariant" was checked under: which interventions, how strong, which assumptions.

    Parameters
    ----------
    environments : sequence of (name, description)
        Each environment ICP saw and what was done in it ("" or "no
        intervention" for the observational one).
    target : str
    strength : float, optional
        The strength of the swept intervention, if any (0 to 1).
    shifted : str, optional
        The swept intervention's name.

    Returns
    -------
    str
        Markdown.
    """
    parts = []
    for name, what in environments:
        what = what.strip() or "no intervention"
        parts.append(f"{code_span(name)} ({what})")
    checked = "; ".join(parts) if parts else "no environment"
    text = f"Invariance was checked only across these environments: {checked}."
    if strength is not None and shifted:
        text += (
            f" The swept intervention, {code_span(shifted)}, is at {percent(strength)} of its "
            f"full strength."
        )
    text += (
        f" A set that looks invariant here may break under a stronger or a different "
        f"intervention. ICP assumes a linear mechanism for {code_span(target)} with additive "
        f"noise, no hidden cause of {code_span(target)} that the environments move, and no "
        f"intervention on {code_span(target)} itself."
    )
    return text


def _and(parts: Sequence[str]) -> str:
    parts = list(parts)
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def strength_runs(strengths: Sequence[float], mask: Sequence[bool]) -> str:
    """The strengths where ``mask`` holds, as runs of neighbours: ``"1–3% and 100%"``.

    Parameters
    ----------
    strengths : sequence of float
        The grid, in increasing order (0 to 1).
    mask : sequence of bool
        One flag per strength.

    Returns
    -------
    str
        "" when no flag is set.
    """
    runs: list[tuple[float, float]] = []
    start: float | None = None
    prev = 0.0
    for s, m in zip(strengths, mask, strict=True):
        if m and start is None:
            start = s
        if not m and start is not None:
            runs.append((start, prev))
            start = None
        prev = s
    if start is not None:
        runs.append((start, prev))
    if not runs:
        return ""
    return _and(
        [percent(a) if a == b else f"{100 * a:g}–{100 * b:g}%" for a, b in runs]  # noqa: RUF001
    )


def set_sweep_sentence(
    name: str, strengths: Sequence[float], pvalues: Sequence[float], alpha: float
) -> str:
    """Where along a sweep a set passes the invariance test (p > alpha) and where it fails.

    Parameters
    ----------
    name : str
        The set, as the sentence's subject (Markdown), e.g. "The set of every feature".
    strengths : sequence of float
        Increasing.
    pvalues : sequence of float
        The set's p-value at each strength.
    alpha : float

    Returns
    -------
    str
        One sentence, true of the numbers given: "… passes up to 3% and is
        rejected from 5% on.", "… passes at every strength shown (1–100%).",
        or, for a pattern that goes back and forth, both lists of strengths.
    """
    grid = [float(s) for s in strengths]
    ok = [float(p) > alpha for p in pvalues]
    if not grid:
        raise DataError("the sweep has no strength.")
    every = strength_runs(grid, [True] * len(grid))
    if all(ok):
        return f"{name} passes at every strength shown ({every})."
    if not any(ok):
        return f"{name} is rejected at every strength shown ({every})."
    first_bad = ok.index(False)
    if all(ok[:first_bad]) and not any(ok[first_bad:]):
        return (
            f"{name} passes up to {percent(grid[first_bad - 1])} and is rejected from "
            f"{percent(grid[first_bad])} on."
        )
    first_ok = ok.index(True)
    if not any(ok[:first_ok]) and all(ok[first_ok:]):
        return (
            f"{name} is rejected up to {percent(grid[first_ok - 1])} and passes from "
            f"{percent(grid[first_ok])} on."
        )
    return (
        f"{name} passes at {strength_runs(grid, ok)} and is rejected at "
        f"{strength_runs(grid, [not o for o in ok])}."
    )


def exposed(strengths: Sequence[float], pvalues: Sequence[float], alpha: float) -> bool:
    """True when the set passes at some strength and is rejected at a stronger one."""
    ok = [float(p) > alpha for p in pvalues]
    return any(ok[i] and not ok[j] for i in range(len(ok)) for j in range(i + 1, len(ok)))


def sweep_caption(table: pd.DataFrame, alpha: float, *, preset: str, target: str) -> str:
    """The caption of the "invariance is local" p-value chart, true of the numbers shown.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`lib.invariance.sweeps.invariance_sweep`'s table.
    alpha : float
    preset : str
        The swept intervention's name.
    target : str

    Returns
    -------
    str
        Markdown: where the set of every feature and the true parents' set
        pass, and what that shows (only what the numbers support).
    """
    every = set_rows(table, "all features")
    parents = set_rows(table, "causal parents")
    grid = every["strength"].to_list()
    p_all = every["pvalue"].to_list()
    p_par = parents["pvalue"].to_list()
    feats = str(every["features"].iloc[0])
    par = str(parents["features"].iloc[0])
    text = (
        f"The invariance p-value of two sets as {code_span(preset)} grows (log scale); above the "
        f"dashed line (α = {alpha:g}) a set passes the test. "
    )
    text += set_sweep_sentence("The set of every feature", grid, p_all, alpha)
    if feats == par:
        text += " Every feature is one of the true parents here, so the two sets are the same."
        return text
    parents_name = (
        "The true parents' set" if par else "The empty set (every parent is hidden: no input)"
    )
    text += " " + set_sweep_sentence(parents_name, grid, p_par, alpha)
    if exposed(grid, p_all, alpha):
        text += (
            " A mild shift lets the set with a non-cause pass; a stronger one exposes it: a "
            "verdict of invariance holds only up to the strengths in the data."
        )
    elif all(float(p) > alpha for p in p_all):
        text += (
            f" This intervention does not move the relation between the features and "
            f"{code_span(target)} enough for the test to see, at any strength shown."
        )
    if any(float(p) <= alpha for p in p_par):
        text += (
            f" A true parents' set is rejected by chance in about a share α of samples, or "
            f"when the intervention changes how {code_span(target)} responds to its parents (a "
            f"mechanism that is not a straight line, or an intervention on {code_span(target)})."
        )
    return text


def bend_sentence(
    strength: float,
    pvalue: float,
    alpha: float,
    *,
    rmse_far: float,
    rmse_near: float,
    shift_sds: float = NONLINEAR_SHIFT_SDS,
    unit: str = "points",
) -> str:
    """The nonlinear example's verdict at one strength, true of its numbers.

    Parameters
    ----------
    strength : float
        How far ICP's environments shift the dose (1 = ``shift_sds`` SD).
    pvalue : float
        The straight line's invariance p-value there.
    alpha : float
    rmse_far : float
        The line's error on the full shift.
    rmse_near : float
        Its error at the strongest shift it was fitted on.
    """
    sd = shift_sds * strength
    shown = f"< {1e-4:g}" if pvalue < 1e-4 else f"= {pvalue:.2g}"
    reach = f"With the dose shifted by up to {sd:.2g} SD"
    if strength >= 1.0:
        far = (
            f"Fitted on these environments, its error on the full {shift_sds:g}-SD shift is "
            f"{rmse_far:.2f} {unit}."
        )
    else:
        far = (
            f"Fitted on these environments, its error on the full {shift_sds:g}-SD shift is "
            f"{rmse_far:.2f} {unit}, against {rmse_near:.2f} at the strongest shift it saw "
            f"({sd:.2g} SD)."
        )
    if pvalue > alpha:
        lesson = (
            " ICP found nothing wrong with the line, yet it fails far away: invariance was "
            "checked only for the doses these environments reached."
            if rmse_far > 1.25 * rmse_near and strength < 1.0
            else ""
        )
        return (
            f"{reach}, the straight line **passes** the invariance test (p {shown}, α = "
            f"{alpha:g}). {far}{lesson}"
        )
    return (
        f"{reach}, the environments reach doses where the response levels off, and the "
        f"straight line **is rejected** (p {shown}, α = {alpha:g}): no one straight line fits "
        f"all three environments alike. {far}"
    )


def held_out_caption(
    tests: Mapping[str, Sequence[Intervention]], envs: Sequence[Environment], target: str
) -> str:
    """Which fresh samples of the held-out chart are worlds that were in ICP's data.

    Parameters
    ----------
    tests : mapping of str to interventions
        Each fresh sample's world (e.g. the observational world and every
        preset at full strength).
    envs : sequence of Environment
        The environments ICP and the models were fitted on.
    target : str

    Returns
    -------
    str
        Markdown.
    """
    seen: dict[str, str] = {}
    for name, ivs in tests.items():
        for env in envs:
            if tuple(env.interventions) == tuple(ivs):
                seen[name] = env.name
                break
    new = [name for name in tests if name not in seen]
    text = (
        f"Three linear models fitted on the pooled environments above, each predicting "
        f"{code_span(target)} in a fresh sample (rows none of them was fitted on) of "
        f"{len(tests)} worlds: the observational one and every preset at full strength."
    )
    if seen:
        same = [
            code_span(t) if t == e else f"{code_span(t)} (as {code_span(e)})"
            for t, e in seen.items()
        ]
        verb = "was" if len(same) == 1 else "were"
        text += f" {_and(same)} {verb} also among ICP's environments"
        text += (
            f"; {_and([code_span(t) for t in new])} {'was' if len(new) == 1 else 'were'} not."
            if new
            else "."
        )
    else:
        text += " None of these worlds was among ICP's environments."
    text += (
        " Orange: the regression on every feature. Blue: on ICP's causes, and (hatched) on "
        "the causes the scenario declares (or their measurements). A model with no input "
        "predicts the average."
    )
    return text
