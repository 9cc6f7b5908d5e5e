"""What the Invariance page's numbers say: ICP's verdict, what was checked, the sweeps.

Every sentence is written from the numbers it is given (an :class:`ICPResult`,
a sweep's table, the environments), and its claims are tested against them.
The numbers themselves are :mod:`lib.invariance`'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeAlias

import networkx as nx
import pandas as pd

from lib.errors import DataError
from lib.invariance.compare import NONLINEAR_SHIFT_SDS
from lib.invariance.engine import ICPResult
from lib.invariance.sweeps import set_rows
from lib.text.escape import code_list, code_span
from lib.text.numbers import format_number, percent
from lib.words.narration import BROKE_RATIO, verdict
from lib.world.environments import Environment
from lib.world.interventions import Intervention
from lib.world.scenarios import Scenario

__all__ = [
    "BREAKS",
    "bend_sentence",
    "broken",
    "far_error_sentence",
    "local_error_caption",
    "local_verdict",
    "measured_sentence",
    "set_text",
    "sets_sentence",
    "unchecked_reason",
    "exposed",
    "held_out_sentence",
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
        text += " Every feature is a cause here, so the two sets are the same."
        return text
    parents_name = (
        f"The causes' set {{{', '.join(code_span(f) for f in par.split(', '))}}}"
        if par
        else "The set of no predictor (no feature is a cause of it)"
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
            f" A causes' set is rejected by chance in about a share α of samples, or when the "
            f"intervention changes how {code_span(target)} responds to its causes (a mechanism "
            f"that is not a straight line, an intervention on {code_span(target)} itself or on a "
            f"hidden cause of it)."
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


# ----------------------------------------------------------------------------- §2: the sets


def set_text(names: Sequence[str] | frozenset[str], order: Sequence[str] = ()) -> str:
    """A set of predictors as a sentence shows it: ``{`dose`, `dopamine_scan`}``, ``{}``."""
    rank = {f: i for i, f in enumerate(order)}
    ordered = sorted(names, key=lambda f: (rank.get(f, len(rank)), f))
    return "{" + ", ".join(code_span(f) for f in ordered) + "}"


#: Accepted sets listed by name up to this many (then counted).
SETS_LISTED = 4


def sets_sentence(res: ICPResult) -> str:
    """Which sets passed and which predictors no passing set holds, from ICP's result.

    Returns "" when no set passed (:func:`icp_sentence` says so). Claims: the sets
    listed are the accepted ones (all of them, or the count); every set holding a
    predictor said to be "in no set that passed" was rejected; a predictor said to
    be in "some but not all" is in at least one accepted set and missing from one.
    """
    accepted = sorted(res.accepted_sets, key=lambda s: (len(s), sorted(s)))
    if not accepted:
        return ""
    order = list(res.candidates)
    if len(accepted) <= SETS_LISTED:
        listed = _and([set_text(s, order) for s in accepted])
        text = f"The set{'s' if len(accepted) > 1 else ''} that passed: {listed}."
    else:
        text = f"{len(accepted):,} sets passed."
    held = frozenset().union(*accepted)
    never = [c for c in order if c not in held]
    some = [c for c in order if c in held and c not in res.causal_predictors]
    if never:
        text += f" Every set holding {code_list(never, last=' or ')} was rejected."
    if some:
        verb = "is" if len(some) == 1 else "are"
        text += (
            f" {code_list(some)} {verb} in some of the sets that passed but not in all, so ICP "
            f"does not name {'it' if len(some) == 1 else 'them'}."
        )
    return text


def measured_sentence(sc: Scenario, res: ICPResult) -> str:
    """Why a noisy measurement of a hidden cause can sit in a passing set without being named.

    For every candidate that is in an accepted set, is not named, and measures a
    hidden node (the scenario's ``measures``): L-DOPA's ``dopamine_scan`` beside
    ``dose``. "" when there is none.
    """
    specs = sc.scm.specs
    held = frozenset().union(*res.accepted_sets) if res.accepted_sets else frozenset()
    parts = []
    for f in res.candidates:
        hidden = getattr(specs.get(f), "measures", None)
        if f in held and f not in res.causal_predictors and hidden and hidden not in sc.features:
            parts.append(
                f"{code_span(f)} is a noisy reading of the hidden {code_span(hidden)}: added to "
                f"a set that passes, it says the same about {code_span(hidden)} in every "
                f"environment, so that set passes with it too; a set that passes without it "
                f"keeps it out of ICP's answer."
            )
    return " ".join(parts)


# ----------------------------------------------------------------------------- §3: fresh samples

#: A model "breaks" on a world when its error there is at least this many times its
#: average error on the worlds in ICP's data: the lab's one threshold of "broke"
#: (:func:`lib.words.narration.verdict`).
BREAKS = BROKE_RATIO


Errors: TypeAlias = pd.DataFrame | Mapping[tuple[str, str], float]


def _table(errors: Errors) -> Mapping[tuple[str, str], float]:
    """Each (model, world)'s error, read once from the frame's columns."""
    if isinstance(errors, pd.DataFrame):
        return {
            (str(m), str(t)): float(r)
            for m, t, r in zip(errors["model"], errors["test"], errors["rmse"], strict=True)
        }
    return errors


def _errors(errors: Errors, model: str, worlds: Sequence[str]) -> list[float]:
    table = _table(errors)
    return [table[(model, w)] for w in worlds]


def _span(values: Sequence[float]) -> str:
    lo, hi = format_number(min(values)), format_number(max(values))
    return lo if lo == hi else f"{lo}–{hi}"  # noqa: RUF001


def broken(errors: Errors, model: str, seen: Sequence[str], world: str) -> bool:
    """Whether ``model`` breaks on ``world``: its error there is at least :data:`BREAKS`
    times its average error on the ``seen`` worlds."""
    usual = sum(_errors(errors, model, seen)) / len(seen)
    return verdict(_errors(errors, model, [world])[0] / usual) == "broke"


def held_out_sentence(
    errors: pd.DataFrame,
    seen: Sequence[str],
    new: Mapping[str, str],
    *,
    pooled: str,
    icp_model: str,
) -> str:
    """What the fresh-sample chart shows: which model is better where, and which breaks.

    Parameters
    ----------
    errors : pandas.DataFrame
        Columns ``model, test, rmse``: each model's error on each world.
    seen : sequence of str
        The worlds that are ICP's environments (fresh samples of them).
    new : mapping of str to str
        The worlds no environment had, each with what it moves that ICP never
        checked ("" when nothing to say): the reason ICP's model may break there.
    pooled, icp_model : str
        The two models' names in ``errors``.

    Returns
    -------
    str
        Markdown. Claims, each read back by a test: how many of the ``seen``
        worlds each model is better on (lower error) and their error ranges; on
        which new world each model breaks (:func:`broken`), with both errors
        where the pooled model breaks and which of the two is lower there.
    """
    if not seen:
        raise DataError("there is no world from ICP's data to compare with.")
    errors = _table(errors)
    p_seen, i_seen = _errors(errors, pooled, seen), _errors(errors, icp_model, seen)
    wins = sum(p < i for p, i in zip(p_seen, i_seen, strict=True))
    k = len(seen)
    where = "the environment" if k == 1 else f"the {k} environments"
    pooled_name = "the regression on every feature"
    if wins == k:
        lead = f"On {where} in ICP's data, {pooled_name} is the better predictor"
    elif wins == 0:
        lead = f"On {where} in ICP's data, ICP's model is the better predictor"
    else:
        lead = f"On {where} in ICP's data, {pooled_name} is better on {wins} and ICP's model on {k - wins}"
    text = f"{lead} (errors {_span(p_seen)} against {_span(i_seen)})."
    if not new:
        return text + (
            " Every world here was in ICP's data: add a world none of the environments had "
            "(a preset at full strength) to see where a model breaks."
        )
    p_break = [w for w in new if broken(errors, pooled, seen, w)]
    i_break = [w for w in new if broken(errors, icp_model, seen, w)]
    for w in p_break:
        p, i = (format_number(_errors(errors, m, [w])[0]) for m in (pooled, icp_model))
        text += f" On {code_span(w)}, a world no environment had, "
        if w in i_break:
            why = new.get(w, "")
            text += f"both break: error {p} for the pooled model and {i} for ICP's" + (
                f" ({why})." if why else "."
            )
        elif _errors(errors, pooled, [w])[0] > _errors(errors, icp_model, [w])[0]:
            text += f"it breaks: error {p}, against {i} for ICP's model."
        else:
            text += f"it breaks (error {p}), though ICP's model does worse still ({i})."
    for w in i_break:
        if w not in p_break:
            why = new.get(w, "")
            text += f" ICP's model breaks on {code_span(w)}" + (f": {why}." if why else ".")
    held = [w for w in new if w not in p_break and w not in i_break]
    if held:
        text += f" Neither breaks on {code_list(held)}."
    return text


def unchecked_reason(sc: Scenario, interventions: Sequence[Intervention]) -> str:
    """What a world's interventions move that no invariance test on observed sets covers.

    The target itself, or a hidden cause of it (a node that is neither observed
    nor the target, from which the target can be reached). "" otherwise.
    """
    nodes = [iv.node for iv in interventions]
    if sc.target in nodes:
        return f"it changes how {code_span(sc.target)} itself comes about"
    graph = sc.scm.original_graph
    ancestors = nx.ancestors(graph, sc.target)
    hidden = [n for n in nodes if n in ancestors and n not in sc.scm.observed]
    if hidden:
        return (
            f"it moves {code_list(hidden)}, a hidden cause of {code_span(sc.target)} that no "
            f"environment moved, so no invariance ICP checked covers it"
        )
    return ""


# ----------------------------------------------------------------------------- §4 and §5


def local_verdict(
    *,
    strength: float,
    preset: str,
    features: Sequence[str],
    pvalue: float,
    alpha: float,
    rmse_checked: float,
    rmse_full: float,
    floor: float = 1e-4,
) -> str:
    """The "invariance is local" verdict at the slider's strength (Markdown).

    Claims: the set of every feature passes (p > alpha) or is rejected; fitted on
    the two environments, its error at this strength and on the full intervention
    (``rmse_checked``, ``rmse_full``), and, below full strength, whether the full
    intervention breaks it (at least :data:`BREAKS` times the checked error).
    """
    shown = f"< {floor:g}" if pvalue < floor else f"= {pvalue:.2g}"
    passes = "looks invariant" if pvalue > alpha else "is rejected"
    text = (
        f"At **{percent(strength)}** of {code_span(preset)}, the set of every feature "
        f"({code_list(list(features))}) **{passes}** (p {shown}, α = {alpha:g}). "
    )
    if strength >= 1.0:
        return text + (
            f"Fitted on the two environments, its error on a fresh sample of the full "
            f"{code_span(preset)} is {format_number(rmse_full)}."
        )
    text += (
        f"Fitted on the two environments, its error is {format_number(rmse_checked)} where "
        f"ICP checked it and {format_number(rmse_full)} on the full {code_span(preset)}"
    )
    if verdict(rmse_full / rmse_checked) == "broke":
        return text + (
            ": it breaks under an intervention stronger than the one checked."
            if pvalue > alpha
            else "."
        )
    return text + "."


def far_error_sentence(
    strengths: Sequence[float],
    rmse_far: Sequence[float],
    rmse_near: Sequence[float],
    pvalues: Sequence[float],
    alpha: float,
    *,
    shift_sds: float = NONLINEAR_SHIFT_SDS,
) -> str:
    """The bend's error chart in words, read off its two curves.

    Claims: the line's error on the full shift at the mildest and at the widest
    shifts ICP saw (and whether it fell or rose between them); at the strengths
    where the line passes the test, its error on the full shift against the error
    where it was checked (the smallest ratio).
    """
    s = [float(x) for x in strengths]
    far = [float(x) for x in rmse_far]
    near = [float(x) for x in rmse_near]
    if not s:
        raise DataError("the sweep has no strength.")
    first, last = far[0], far[-1]
    move = "falls" if last < first else "rises" if last > first else "stays"
    text = (
        f"Its error on the full {shift_sds:g}-SD shift (red) {move} from "
        f"{format_number(first)} when ICP saw shifts up to {shift_sds * s[0]:.2g} SD to "
        f"{format_number(last)} when it saw shifts up to {shift_sds * s[-1]:.2g} SD"
    )
    steady = all(b <= a for a, b in zip(far, far[1:], strict=False))
    text += (
        ": the farther the doses it was fitted on reach, the better it does there."
        if move == "falls" and steady
        else "."
    )
    passing = [i for i, p in enumerate(pvalues) if float(p) > alpha and s[i] < 1.0]
    ratio = min((far[i] / near[i] for i in passing), default=0.0)
    if ratio >= 1.1:  # a ratio worth a sentence
        where = strength_runs(s, [i in passing for i in range(len(s))])
        text += (
            f" Wherever it passes the test below the full shift ({where}), "
            f"its error on the full shift is at least {ratio:.1f} times the error at the "
            f"strongest shift it saw (green)."
        )
    return text


def local_error_caption(
    *,
    preset: str,
    strength: float,
    checked: float,
    full: float,
    causes: tuple[str, float] | None,
    unit: str = "",
) -> str:
    """The caption of the "invariance is local" error chart, with its numbers at the slider.

    ``causes``: the causes' model's name and its error on the full intervention
    (None when no feature is a cause: that line is not drawn).
    """
    u = f" {unit}" if unit else ""
    text = (
        f"The model on every feature, fitted on the two environments at each strength: its "
        f"error on a fresh sample at that strength, where ICP checked it (purple), and on the "
        f"full {code_span(preset)} (red)"
    )
    text += (
        f"; green: the model on {causes[0]}, on the full {code_span(preset)}." if causes else "."
    )
    text += (
        f" At {percent(strength)}: {format_number(checked)}{u} where checked, "
        f"{format_number(full)}{u} on the full {code_span(preset)}"
    )
    text += f", {format_number(causes[1])}{u} for {causes[0]}." if causes else "."
    return text
