"""Pure helpers behind the pages: what to show, worked out without Streamlit.

The pages stay a description of the UI; everything they compute — which
interventions the user chose, the node table, the one-line takeaways — lives
here and is unit-tested like the engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lib.errors import ScenarioError
from lib.fitting.experiments import OBSERVATIONAL
from lib.text.escape import code_list, code_span
from lib.text.numbers import format_number
from lib.ui.pages.interventions import CUSTOM, MAX_AMOUNT
from lib.ui.params import LabState
from lib.world.interventions import (
    KINDS,
    Do,
    Intervention,
    Preset,
    Replace,
    ScaleNoise,
    Shift,
    describe_all,
)

__all__ = [
    "CUSTOM_LABEL",
    "KIND_LABELS",
    "amount_label",
    "amount_range",
    "amount_range_text",
    "negative_r2_note",
    "outside_note",
    "predictive_inputs_text",
    "Choice",
    "build_intervention",
    "clue_sentence",
    "clues",
    "code_list",
    "coefficient_display",
    "choose",
    "data_columns",
    "family_models",
    "interventions_key",
    "mark_unobserved",
    "node_table",
    "split_error",
    "takeaway",
]

#: How the "build your own" option reads in the preset picker.
CUSTOM_LABEL = "Build your own"
#: Intervention kinds as a learner reads them.
KIND_LABELS: dict[str, str] = {
    "do": "Set a value (do)",
    "shift": "Add an amount (shift)",
    "scale_noise": "Scale its noise",
    "replace": "New equation (replace)",
}
#: What the amount means for each kind (the number input's label).
AMOUNT_LABELS: dict[str, str] = {
    "do": "Value",
    "shift": "Amount to add",
    "scale_noise": "Noise factor (×)",
}
#: The test name of a user-built intervention.
CUSTOM_TEST = "Your intervention"


def amount_label(kind: str, unit: str = "") -> str:
    """The custom form's number label, with the node's unit where the amount has one."""
    text = AMOUNT_LABELS[kind]
    if unit and kind in ("do", "shift"):
        return f"{text} ({unit})"
    return text


def predictive_inputs_text(sc: Any) -> str:
    """Why the predictive model uses what it uses, and what it leaves out (Markdown).

    Says "every observed variable" only when that is true: a world may list
    fewer features than it observes.
    """
    target = code_list([sc.target])
    observed = [n for n in sc.scm.observed if n != sc.target]
    unused = [n for n in observed if n not in sc.features]
    lines = ["**Why these**", ""]
    if unused:
        lines.append(
            "- The variables this world lists as features. A good predictor needs clues, not "
            f"reasons: anything that moves with {target} helps."
        )
    else:
        lines.append(
            "- Every observed variable except the target. A good predictor needs clues, not "
            f"reasons: anything that moves with {target} helps."
        )
    left_out = []
    if unused:
        left_out.append(
            f"- {code_list(unused)}: observed, but not among this world's features (add "
            f"{'it' if len(unused) == 1 else 'them'} in the Builder)."
        )
    if sc.scm.latent:
        left_out.append(
            f"- {code_list(sc.scm.latent)}: unobserved — simulated, but no study sees it, so "
            f"no model may use it."
        )
    if left_out:
        lines += ["", "**Left out**", "", *left_out]
    return "\n".join(lines)


def negative_r2_note(results: pd.DataFrame) -> str:
    """A caption note when some R² is below 0 ("" when none is)."""
    if (results["r2"] < 0).any():
        return " R² below 0: worse than always predicting the average."
    return ""


def amount_range(kind: str) -> tuple[float, float]:
    """The amounts the form takes for ``kind``: a noise factor from 0, any other
    amount from -:data:`MAX_AMOUNT`, both up to :data:`MAX_AMOUNT`."""
    return (0.0 if kind == "scale_noise" else -MAX_AMOUNT), MAX_AMOUNT


def amount_range_text(kind: str) -> str:
    """The amounts the form takes, in plain words (shown beside the input)."""
    low, high = amount_range(kind)
    if kind == "scale_noise":
        return f"Any factor from 0 to {high:,.0f} (1 keeps the noise as it is)."
    return f"Any number from −{-low:,.0f} to {high:,.0f}."


def build_intervention(kind: str, node: str, amount: float, equation: str) -> Intervention:
    """The intervention a user built in the form.

    Raises
    ------
    lib.errors.ScenarioError
        For an unknown kind or an amount outside :func:`amount_range` (the
        equation is checked when the model is intervened on).
    """
    if kind in AMOUNT_LABELS:
        low, high = amount_range(kind)
        if not low <= amount <= high:
            raise ScenarioError(
                f"{amount:,g} is outside what this form takes. {amount_range_text(kind)}"
            )
    if kind == "do":
        return Do(node, amount)
    if kind == "shift":
        return Shift(node, amount)
    if kind == "scale_noise":
        return ScaleNoise(node, amount)
    if kind == "replace":
        if not equation.strip():
            raise ScenarioError(f"type a new equation for `{node}`.")
        return Replace(node, equation)
    raise ScenarioError(f"unknown intervention kind {kind!r}; use one of {', '.join(KINDS)}.")


def outside_note(kind: str, node: str, amount: float, seen: Any) -> str:
    """What a custom intervention asks of the models beyond what they saw ("" when
    nothing): a value set (``do``) outside ``node``'s training range, or a shift that
    moves cases out of it.

    Parameters
    ----------
    kind, node, amount
        The form's intervention.
    seen : array-like
        ``node``'s values in the training sample.
    """
    values = np.asarray(seen, dtype=float)
    values = values[np.isfinite(values)]
    if kind not in ("do", "shift") or not values.size:
        return ""
    low, high = float(values.min()), float(values.max())
    span = f"{format_number(low)} to {format_number(high)}"
    meaning = (
        "the models are asked about cases unlike any they learned from, and what they "
        "predict there is extrapolation: a guess beyond the data, which no fit checked."
    )
    if kind == "do":
        if low <= amount <= high:
            return ""
        side = "below" if amount < low else "above"
        return (
            f"{amount:,g} is {side} every value of {code_span(node)} in the training sample "
            f"({span}): {meaning}"
        )
    moved = values + amount
    share = float(np.mean((moved < low) | (moved > high)))
    if share == 0:
        return ""
    shown = "under 1%" if share < 0.01 else "over 99%" if 0.99 < share < 1 else f"{share:.0%}"
    return (
        f"Shifted by {amount:,g}, {shown} of the cases leave the range of "
        f"{code_span(node)} in the training sample ({span}): for them, {meaning}"
    )


@dataclass(frozen=True)
class Choice:
    """The intervention a page shows.

    Attributes
    ----------
    test : str
        Its name in tables and charts ("Tylenol", "Tylenol at 50%").
    base : tuple of Intervention
        At full strength (what the strength sweep varies).
    applied : tuple of Intervention
        At the chosen strength (a :class:`Preset` for a preset, so that the
        explanation can use its description).
    strength : float
    why : str
        The scenario's reason for the preset's effect ("" for a custom one).
    description : str
        One sentence: what it does.
    """

    test: str
    base: tuple[Intervention, ...]
    applied: tuple[Intervention, ...]
    strength: float
    why: str
    description: str

    @property
    def nodes(self) -> tuple[str, ...]:
        """Nodes the intervention acts on."""
        return tuple(dict.fromkeys(iv.node for iv in self.base))


def _at(name: str, strength: float) -> str:
    return name if strength >= 1.0 else f"{name} at {100 * strength:.0f}%"


def choose(state: LabState, sc: Any) -> Choice:
    """Turn the state's preset (or custom form) into interventions.

    Raises
    ------
    lib.errors.ScenarioError
        When the custom form holds a bad value.
    """
    s = float(state.strength)
    if state.preset != CUSTOM and state.preset in sc.presets:
        base: Preset = sc.presets[state.preset]
        applied = base if s >= 1.0 else base.with_strength(s)
        desc = base.description or describe_all(base)
        if s < 1.0:
            desc = f"{desc} — at {100 * s:.0f}% strength"
        return Choice(
            test=_at(state.preset, s),
            base=base,
            applied=applied,
            strength=s,
            why=sc.preset_why.get(state.preset, ""),
            description=desc,
        )
    iv = build_intervention(state.kind, state.node, state.amount, state.equation)
    applied_iv = iv if s >= 1.0 else iv.with_strength(s)
    return Choice(
        test=CUSTOM_TEST,
        base=(iv,),
        applied=(applied_iv,),
        strength=s,
        why="",
        description=applied_iv.describe(),
    )


def interventions_key(interventions: Sequence[Intervention]) -> tuple[str, ...]:
    """A hashable, exact key for a list of interventions (for caches)."""
    return tuple(repr(iv) for iv in interventions)


def node_table(sc: Any) -> pd.DataFrame:
    """One row per node: its role, equation, unit, description, and whether it is observed."""
    rows = []
    features = set(sc.features)
    causal = set(sc.causal_features)
    for name in sc.scm.nodes:
        spec = sc.scm.specs[name]
        if name == sc.target:
            role = "target"
        elif name in causal:
            role = "input of both models"
        elif name in features:
            role = "input of the predictive model only"
        elif not spec.observed:
            role = "unobserved"
        else:
            role = "not used"
        rows.append(
            {
                "node": name,
                "role": role,
                "equation": spec.equation,
                "unit": spec.unit,
                "description": spec.description,
                "observed": "yes" if spec.observed else "no",
            }
        )
    return pd.DataFrame(
        rows, columns=["node", "role", "equation", "unit", "description", "observed"]
    )


def mark_unobserved(df: pd.DataFrame, latent: Sequence[str]) -> pd.DataFrame:
    """A copy of ``df`` whose unobserved columns are named ``"<name> (unobserved)"``."""
    hidden = set(latent)
    return df.rename(columns={c: f"{c} (unobserved)" for c in df.columns if c in hidden})


def data_columns(sc: Any) -> tuple[list[str], list[str]]:
    """(observed columns, latent columns) of a sample, target first."""
    observed = [sc.target, *[n for n in sc.scm.observed if n != sc.target]]
    return observed, list(sc.scm.latent)


def family_models(models: Sequence[Any], family: str) -> tuple[Any, Any | None]:
    """The (predictive, causal) models of one family (``"linear"``/``"trees"``).

    The intercept-only model (family ``"mean"``) counts as linear: it is the
    linear model without inputs.
    """

    def same(m: Any) -> bool:
        return m.family == family or (family == "linear" and m.family == "mean")

    pick = [m for m in models if same(m)] or list(models)
    pred = next((m for m in pick if m.kind == "predictive"), pick[0])
    caus = next((m for m in pick if m.kind == "causal"), None)
    return pred, caus


def takeaway(results: pd.DataFrame, target: str, units: Mapping[str, str] | None = None) -> str:
    """The Models page's one-line takeaway (Markdown), from the scores on held-out rows.

    ``results`` holds one test (a table's held-out rows) or several, of which
    the observational one is used (a world's fresh sample).
    """
    scores = results[results["test"] == OBSERVATIONAL] if "test" in results else results
    best = {
        kind: scores[scores["kind"] == kind].sort_values("rmse").iloc[0]
        for kind in ("predictive", "causal")
        if (scores["kind"] == kind).any()
    }
    if len(best) < 2:
        return f"Only one kind of model could be built for {code_span(target)}."
    p, c = best["predictive"], best["causal"]
    unit = (units or {}).get(target, "")
    unit = f" {unit}" if unit else ""
    if p["rmse"] < c["rmse"]:
        return (
            f"**The predictive model fits better in distribution** (RMSE {format_number(p['rmse'])} "
            f"vs {format_number(c['rmse'])}{unit}) — that is the point: it uses every clue, causes "
            f"or not. Whether it still holds when the world changes is what the **Interventions** "
            f"page tests."
        )
    return (
        f"**Here the causal model fits as well as the predictive one** (RMSE "
        f"{format_number(c['rmse'])} vs {format_number(p['rmse'])}{unit}): the extra clues add "
        f"little. The difference shows when the world changes — see **Interventions**."
    )


def coefficient_display(table: pd.DataFrame) -> pd.DataFrame:
    """A compact coefficient table: term, estimate, 95% interval, p-value."""
    t = table[table["term"] != "const"]
    return pd.DataFrame(
        {
            "term": t["term"].astype(str),
            "coefficient": t["coef"].astype(float),
            "95% low": t["ci_low"].astype(float),
            "95% high": t["ci_high"].astype(float),
            "p-value": t["p_value"].astype(float),
        }
    ).reset_index(drop=True)


def clues(
    df: pd.DataFrame, target: str, candidates: Sequence[str], causes: Sequence[str]
) -> pd.DataFrame:
    """How strongly each candidate correlates with the target, strongest first.

    Returns
    -------
    pandas.DataFrame
        Columns ``variable, r, causal input`` (True for the causal model's inputs).
    """
    r = df[list(candidates)].corrwith(df[target])
    out = pd.DataFrame(
        {"variable": list(candidates), "r": r.to_numpy(dtype=float)},
    )
    out["causal input"] = out["variable"].isin(list(causes))
    return out.reindex(out["r"].abs().sort_values(ascending=False).index).reset_index(drop=True)


def clue_sentence(table: pd.DataFrame, target: str) -> str:
    """One sentence on what the strongest clue is (Markdown)."""
    if table.empty:
        return ""
    top = table.iloc[0]
    if not top["causal input"]:
        return (
            f"The strongest clue, `{top['variable']}` (r = {top['r']:.2f}), is **not** a cause "
            f"of `{target}`: the causal model leaves it out. A model that leans on it predicts "
            f"well — for now."
        )
    return (
        f"The strongest clue, `{top['variable']}` (r = {top['r']:.2f}), is also one of the "
        f"causal model's inputs."
    )


def split_error(exc: Exception) -> tuple[str, str]:
    """A user error's sentence to show prominently, and its ``Allowed: ...`` paragraph.

    Read from the error's fields (:class:`lib.errors.LabError`); the paragraph
    is "" when there is none.
    """
    head = getattr(exc, "message", str(exc))
    allowed = getattr(exc, "allowed", "")
    if allowed and not head.endswith((".", "?", "!")):
        head += "."
    return head, allowed
