"""The Interventions page: change the world, and see which model still predicts.

Its fields are the intervention (a preset, or one built by hand: a node, a kind,
an amount or an equation), its strength, and the models the plots show (the
Models page's ``family``).
"""

from __future__ import annotations

import math
from typing import Any

from lib.ui.declare import HANDOUT, Page, Section, for_table, for_world, lazy
from lib.ui.fields import Ctx, Field, Refused, choice, fmt_float, parse_float

__all__ = [
    "CUSTOM",
    "IV_KINDS",
    "MAX_AMOUNT",
    "MAX_EQUATION_CHARS",
    "PAGE",
    "STRENGTH_STEP",
    "default_amount",
    "snap_strength",
]

#: Preset value meaning "the user builds their own intervention".
CUSTOM = "custom"
#: Kinds a user can build, as named in scenario files and in the URL.
IV_KINDS: tuple[str, ...] = ("do", "shift", "scale_noise", "replace")
#: Longest equation accepted from a link.
MAX_EQUATION_CHARS = 500
#: Largest size of an intervention amount (value, shift or noise factor).
MAX_AMOUNT = 1e6
#: The strength slider's step.
STRENGTH_STEP = 0.05
#: A sensible starting amount for each kind.
_KIND_DEFAULT_AMOUNT = {"do": 0.0, "shift": 1.0, "scale_noise": 3.0, "replace": 0.0}


def default_amount(kind: str) -> float:
    """A sensible starting amount for an intervention kind."""
    return _KIND_DEFAULT_AMOUNT.get(kind, 0.0)


def snap_strength(value: float) -> float:
    """Round a strength to the slider's grid and clip it to [0, 1]."""
    steps = round(min(1.0, max(0.0, float(value))) / STRENGTH_STEP)
    return round(steps * STRENGTH_STEP, 2)


def _custom(state: Any) -> bool:
    return bool(state.preset == CUSTOM)


def _presets_why(ctx: Ctx) -> str:
    names = ", ".join(ctx.info.presets) or "none"
    return f"is not a preset of `{ctx.info.id}` (presets: {names}; or `{CUSTOM}`)"


PRESET = choice(
    "preset",
    lambda ctx: (*ctx.info.presets, CUSTOM),
    lambda ctx: ctx.info.presets[0] if ctx.info.presets else CUSTOM,
    "A preset intervention of the world, or `custom` to build one.",
    why=_presets_why,
    instead=lambda ctx: f"`{ctx.get('preset')}`",
)
NODE = choice(
    "node",
    lambda ctx: ctx.info.nodes,
    lambda ctx: ctx.info.default_node,
    "The node a custom intervention changes.",
    why=lambda ctx: f"is not a node of `{ctx.info.id}`",
    instead=lambda ctx: f"`{ctx.get('node')}`",
    in_link=_custom,
    sets=lambda value, old, ctx: {"equation": ctx.info.equations.get(value, "")},
)
KIND = choice(
    "kind",
    IV_KINDS,
    "do",
    "What a custom intervention does: set, shift, scale the noise or replace the equation.",
    why=lambda ctx: f"is not one of {', '.join(IV_KINDS)}",
    instead=lambda ctx: f"`{ctx.get('kind')}`",
    in_link=_custom,
    sets=lambda value, old, ctx: {"amount": default_amount(value)},
)


def _read_amount(text: str, ctx: Ctx) -> float:
    amount = parse_float(text)
    instead = f"{default_amount(ctx.get('kind')):g}"
    if amount is None or abs(amount) > MAX_AMOUNT:
        raise Refused(f"is not a number between -{MAX_AMOUNT:g} and {MAX_AMOUNT:g}", instead)
    if ctx.get("kind") == "scale_noise" and amount < 0:
        raise Refused("is a negative noise factor", instead)
    return amount


AMOUNT = Field(
    "amount",
    "A custom intervention's value (do), change (shift) or noise factor (scale_noise).",
    default=lambda ctx: default_amount(ctx.get("kind")),
    valid=lambda value, ctx: isinstance(value, int | float) and math.isfinite(value),
    read=_read_amount,
    write=fmt_float,
    in_link=lambda state: _custom(state) and state.kind != "replace",
)


def _read_equation(text: str, ctx: Ctx) -> str:
    instead = f"the equation of `{ctx.get('node')}`"
    if not text:
        raise Refused("is empty", instead)
    if len(text) > MAX_EQUATION_CHARS:
        raise Refused(f"is longer than {MAX_EQUATION_CHARS} characters", instead)
    return text


EQUATION = Field(
    "equation",
    "A custom intervention's new mechanism for its node (replace).",
    default=lambda ctx: ctx.info.equations.get(ctx.get("node"), ""),
    valid=lambda value, ctx: isinstance(value, str) and len(value) <= MAX_EQUATION_CHARS,
    read=_read_equation,
    in_link=lambda state: _custom(state) and state.kind == "replace",
)


def _read_strength(text: str, ctx: Ctx) -> float:
    s = parse_float(text)
    if s is None or not 0.0 <= s <= 1.0:
        raise Refused("is not a number from 0 to 1", "1")
    return snap_strength(s)


def _strength_note(text: str, value: float) -> str | None:
    s = parse_float(text)
    if s is not None and abs(value - s) > 1e-9:
        return (
            f"Link parameter `strength={text}` is rounded to {value:g} "
            f"(the slider moves in steps of {STRENGTH_STEP:g})."
        )
    return None


STRENGTH = Field(
    "strength",
    "How far the intervention goes: 0 (none) to 1 (the full intervention).",
    default=lambda ctx: 1.0,
    valid=lambda value, ctx: isinstance(value, int | float) and 0.0 <= value <= 1.0,
    read=_read_strength,
    write=lambda value: f"{value:g}",
    clean=snap_strength,
    note=_strength_note,
)


def _views(name: str) -> Any:
    return lazy("lib.ui.interventions_views", name)


_WORLD = ("n", "seed", "preset", "node", "kind", "amount", "equation", "strength")
_OUTCOME = _views("outcome")

PAGE = Page(
    name="Interventions",
    file="pages/3_Interventions.py",
    icon=":material/science:",
    fields=(PRESET, NODE, KIND, AMOUNT, EQUATION, STRENGTH),
    link=("preset", "node", "kind", "equation", "amount", "strength", "family"),
    sections=(
        Section(
            "header",
            "Interventions",
            reads=("scenario",),
            draw=_views("header_section"),
            claim="Change the world, then ask the models trained before the change.",
        ),
        Section(
            "table",
            "A move to an environment the models never saw",
            reads=("seed",),
            draw=_views("table_section"),
            when=for_table,
            claim="On a table the only intervention is a move to an unseen environment.",
        ),
        Section(
            "intervention",
            "The intervention",
            reads=_WORLD[2:],
            draw=_views("intervention_section"),
            when=for_world,
            claim="Pick a preset or build a change of one node, at any strength.",
        ),
        Section(
            "outcome",
            "What happened",
            reads=_WORLD,
            needs=_OUTCOME,
            draw=_views("outcome_section"),
            when=for_world,
            claim="The predictive model's error grows; the causal model's stays.",
        ),
        Section(
            "changed",
            "The changed world, and the errors before and after",
            reads=_WORLD,
            needs=_OUTCOME,
            draw=_views("changed_section"),
            when=for_world,
            claim="The intervention cuts the arrows into its node; the causes' relation to "
            "the target is left as it was.",
        ),
        Section(
            "predictions",
            "Predicted against actual, before and after",
            reads=(*_WORLD, "family"),
            needs=_OUTCOME,
            draw=_views("predictions_section"),
            when=for_world,
            claim="Predictions the change broke leave the diagonal.",
        ),
        Section(
            "strength",
            "How strong before it breaks?",
            reads=_WORLD,
            needs=_OUTCOME,
            draw=_views("strength_section"),
            when=for_world,
            claim="A flat line is invariant under this intervention; mild shifts can hide a break.",
            fold=True,
        ),
        HANDOUT,
    ),
    # the first slide: ×5.32 against ×1.00, the predictive model broken and the causal
    # one not, on one screen
    lead="outcome",
    numbers=_views("lesson_numbers"),
    step_figure=_views("step_figure"),
    step_plots=_views("step_plots"),
    handout=lazy("lib.ui.handout_views", "interventions_handout"),
    script=lazy("lib.teach.reproduce", "interventions_script"),
    words=_views("view_words"),
)
