"""What the Attribution page's numbers say, one sentence each.

Every sentence is written from the numbers the page shows (frames of
:mod:`lib.attribution`), never typed by hand: if the numbers change, the words do.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from lib.fitting.experiments import ratio_table
from lib.text.escape import code_span
from lib.text.numbers import format_number, format_r2, ratio_text
from lib.words.narration import BROKE_RATIO

__all__ = [
    "cloud_sentence",
    "condition_sentence",
    "rashomon_sentence",
    "settle_sentence",
    "stability_sentence",
    "sweep_sentence",
]


#: A Rashomon set whose credit ranges reach further than this either way (N per SD)
#: leaves the attribution open; a narrower one settles it.
RASHOMON_WIDE = 0.5


def _share(x: float) -> str:
    return f"{100 * x:.0f}%"


def _size(x: float) -> str:
    """A factor as people read it: ``199``, ``1,234``, ``7.09``."""
    return f"{x:,.0f}" if abs(x) >= 100 else format_number(x)


def sweep_sentence(sweep: pd.DataFrame, model: str = "Least squares") -> str:
    """How little prediction moved and how much attribution did, from the lowest
    correlation of the sweep to the highest. Prediction is judged against the best
    any model can do at each correlation (with B's own effect, that best moves)."""
    rows = sweep[sweep["model"] == model].sort_values("rho")
    first, last = rows.iloc[0], rows.iloc[-1]
    gap = (sweep["best_r2"] - sweep["r2"]).groupby(sweep["model"]).max()
    linear_gap = float(gap.drop(labels=[m for m in gap.index if "trees" in str(m).lower()]).max())
    best_moves = float(sweep["best_r2"].max() - sweep["best_r2"].min()) > 0.02
    grow = float(last["spread"]) / float(first["spread"])
    best = (
        f"the best possible R² itself moves from {format_r2(float(first['best_r2']))} to "
        f"{format_r2(float(last['best_r2']))} because B has an effect of its own, but "
        if best_moves
        else ""
    )
    return (
        f"From ρ = {first['rho']:g} to {last['rho']:g}, {best}the linear models stay within "
        f"{format_r2(max(linear_gap, 0.01))} of the best possible R² at every correlation, "
        f"while the "
        f"spread of A's coefficient grows {grow:.0f}-fold, from "
        f"{format_number(float(first['spread']))} to {format_number(float(last['spread']))} "
        f"N per SD: prediction does not notice the correlation, attribution is ruled by it."
    )


def cloud_sentence(boot: pd.DataFrame, truth: Sequence[float]) -> str:
    """What the resamples did to each linear model's credit: wrong signs, and
    which input lasso kept."""
    parts = []
    reps = int(boot["resample"].nunique())
    for (model, penalty), rows in boot.groupby(["model", "penalty"], sort=False):
        a, b = rows["a"].to_numpy(), rows["b"].to_numpy()
        if penalty == "lasso":
            only_a = float(np.mean((a != 0) & (b == 0)))
            only_b = float(np.mean((a == 0) & (b != 0)))
            both = float(np.mean((a != 0) & (b != 0)))
            parts.append(
                f"lasso kept only A in {_share(only_a)} of them, only B in {_share(only_b)} "
                f"and both in {_share(both)}"
            )
        else:
            wrong = _wrong_sign(b, truth[1])
            parts.append(
                f"{str(model).lower()} gave B {wrong[0]} in {_share(wrong[1])} of them "
                f"and A between {format_number(float(np.min(a)))} and "
                f"{format_number(float(np.max(a)))}"
            )
    return f"Across {reps} resamples of the same recording, " + "; ".join(parts) + "."


def _wrong_sign(b: np.ndarray, truth: float) -> tuple[str, float]:
    """How often B's credit has the wrong sign (or, when B does nothing, is far from 0)."""
    if truth > 0:
        return "a negative weight", float(np.mean(b < 0))
    if truth < 0:
        return "a positive weight", float(np.mean(b > 0))
    return "a weight beyond ±0.25 N per SD", float(np.mean(np.abs(b) > 0.25))


def condition_sentence(rho: float, condition: float, vif: float, r: float | None = None) -> str:
    """What the condition number and the variance inflation mean at ρ (the world's
    correlation; ``r``, the recording's own, is said beside it when given)."""
    if condition < 1.5:
        return (
            f"At ρ = {rho:g} the two neurons are (nearly) uncorrelated: the condition number "
            f"is {format_number(condition)} and each coefficient's variance is "
            f"{format_number(vif)} times the uncorrelated one. Nothing is inflated; each "
            f"coefficient is as well determined as the data allow."
        )
    own = (
        f" (this recording's r = {r:.{4 if abs(r) > 0.99 else 3}f} gives {_size((1 + abs(r)) / (1 - abs(r)))})"
        if r is not None
        else ""
    )
    return (
        f"At ρ = {rho:g} the correlation matrix's condition number is "
        f"{_size(condition)}{own}: a small wobble in the data can move the coefficients "
        f"up to {_size(condition)} times as much, relatively. Each coefficient's "
        f"variance is {_size(vif)} times what it would be with uncorrelated inputs, "
        f"so its spread is {_size(math.sqrt(vif))} times as wide."
    )


def rashomon_sentence(
    epsilon: float,
    best: Sequence[float] | np.ndarray,
    half: Sequence[float] | np.ndarray,
    truth: Sequence[float],
) -> str:
    """The range of credit each input gets across the Rashomon set."""
    lo = [b - h for b, h in zip(best, half, strict=True)]
    hi = [b + h for b, h in zip(best, half, strict=True)]
    verdict = (
        "The data alone cannot choose among them."
        if max(half) > RASHOMON_WIDE
        else "Here the set is small: the data pin each neuron's credit down."
    )
    return (
        f"Every linear model inside the ellipse predicts the held-out grip within "
        f"{epsilon:.0%} of the best error. Across them, A's credit runs from "
        f"{format_number(lo[0])} to {format_number(hi[0])} and B's from "
        f"{format_number(lo[1])} to {format_number(hi[1])} N per SD; the truth is "
        f"{format_number(truth[0])} and {format_number(truth[1])}. {verdict}"
    )


def settle_sentence(scores: pd.DataFrame, test: str, champion: str, causal: str) -> str:
    """What prediction could not tell, and what the experiment did.

    Parameters
    ----------
    scores : pandas.DataFrame
        :func:`lib.attribution.pair.settle`'s frame (``model``, ``kind``, ``test``, ``rmse``).
    test : str
        The experiment's name (a preset of the world).
    champion, causal : str
        The names of the Rashomon set's member most wrong about B, and of the causal model.
    """
    table = ratio_table(scores, test).set_index("model")
    before, ratio = table["before"], table["ratio"]
    alike = (
        f"Before the experiment every model erred alike (RMSE "
        f"{format_number(float(before.min()))} to {format_number(float(before.max()))} N)"
    )
    if float(ratio[champion]) < BROKE_RATIO:
        return (
            f"{alike}, and after {code_span(test)} the model most wrong about B errs "
            f"{ratio_text(float(ratio[champion]))} as much and the causal model "
            f"{ratio_text(float(ratio[causal]))}: at this correlation no model of the set "
            f"leans on B enough for this experiment to tell them apart."
        )
    worst = str(ratio.idxmax())
    return (
        f"{alike}: prediction could not tell which neuron moves the hand. After "
        f"{code_span(test)}, the model most wrong about B errs "
        f"{ratio_text(float(ratio[champion]))} as much and the causal model "
        f"{ratio_text(float(ratio[causal]))}"
        + (
            f"; of the others, {code_span(worst)} errs {ratio_text(float(ratio[worst]))}."
            if worst not in (champion, causal) and float(ratio[worst]) >= BROKE_RATIO
            else "."
        )
    )


def stability_sentence(summary: pd.DataFrame, reps: int, left_out: str) -> str:
    """How stable the credit of a real table's inputs is.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`lib.attribution.methods.stability_summary`'s frame.
    reps : int
        Bootstrap resamples.
    left_out : str
        What was left out in turn ("year", "environment").
    """
    flips = summary[summary["sign_flips"] > 0.1]
    widest = summary.assign(width=summary["high"] - summary["low"]).sort_values("width").iloc[-1]
    flipped = (
        f"{len(flips)} of {len(summary)} inputs change sign in more than 10% of {reps} "
        f"resamples ({', '.join(code_span(str(i)) for i in flips['input'])})"
        if len(flips)
        else f"No input changes sign in more than 10% of {reps} resamples"
    )
    return (
        f"{flipped}. {code_span(str(widest['input']))} swings most: from "
        f"{format_number(float(widest['low']))} to {format_number(float(widest['high']))} "
        f"SD per SD across resamples, and from {format_number(float(widest['left_out_low']))} "
        f"to {format_number(float(widest['left_out_high']))} with one {left_out} left out."
    )
