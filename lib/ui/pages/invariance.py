"""The Invariance page: ICP on composed environments, and how far invariance reaches.

Its fields are ICP's level ``alpha`` (kept on a table's link too), the composed
environments ``envs`` (:func:`encode_envs`: rows of name, intervention,
strength and rows), the preset the "invariance is local" section sweeps, where
the sweep's and the nonlinear example's sliders stand, and the power
simulation's repetitions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote

from lib.ui.composer import MAX_ENV_ROWS_UI, MIN_ENV_ROWS
from lib.ui.declare import Page, Section, for_table, for_world, lazy
from lib.ui.fields import Ctx, Field, Refused, choice, fmt_float, parse_float, parse_int, quote
from lib.world.environments import MAX_ENVIRONMENTS

__all__ = [
    "ALPHAS",
    "BEND_STRENGTHS",
    "DEFAULT_ALPHA",
    "ENV_NAME_CHARS",
    "EnvRow",
    "PAGE",
    "POWER_REPS",
    "SWEEP_STRENGTHS",
    "decode_envs",
    "encode_envs",
    "env_token",
    "envs_problem",
    "sweep_default",
]

#: Levels offered for ICP, and the one a page starts with.
ALPHAS: tuple[float, ...] = (0.01, 0.05, 0.1, 0.2)
DEFAULT_ALPHA = 0.05
#: Strengths of the "invariance is local" sweep: fine where the verdict turns. No 0%:
#: two identical environments only show the test's noise.
SWEEP_STRENGTHS: tuple[float, ...] = (
    0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1.0
)  # fmt: skip
#: How far the nonlinear example's environments shift the dose (a share of its shift).
BEND_STRENGTHS: tuple[float, ...] = (0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1.0)
#: Repetitions offered for the power simulation.
POWER_REPS: tuple[int, ...] = (10, 25, 50)
#: Longest environment name the composer takes.
ENV_NAME_CHARS = 40

#: One row of the environments composer: name, intervention token (:func:`env_token`),
#: strength (0 to 1, None when the cell is empty) and rows (None when empty).
EnvRow = tuple[str, str, float | None, int | None]


#: Kinds of intervention a composer row can name, as written in a link: ``none``,
#: ``preset:<name>``, ``env:<name>`` (one of the world's own environments),
#: ``shift:<node>`` and ``noise:<node>`` (the composer's custom changes).
_TOKEN_KINDS = ("preset", "env", "shift", "noise")
#: Characters that separate a link's environments (``;``) and their fields (``~``).
_ROW_SEP, _FIELD_SEP = ";", "~"


def env_token(kind: str, name: str = "") -> str:
    """The link's word for a composer row's intervention (``env_token("preset", "Tylenol")``)."""
    return "none" if kind == "none" else f"{kind}:{name}"


def _token_problem(token: str, info: Any) -> str | None:
    if token in ("", "none"):
        return None
    kind, _, name = token.partition(":")
    if kind not in _TOKEN_KINDS:
        return (
            f"has the intervention `{quote(token)}`, which is not none, preset:, env:, "
            f"shift: or noise: followed by a name"
        )
    known = {
        "preset": info.presets,
        "env": info.environments,
        "shift": info.nodes,
        "noise": info.nodes,
    }[kind]
    if name not in known:
        what = "node" if kind in ("shift", "noise") else kind
        if kind == "env":
            what = "environment of its own"
        return f"has the intervention `{quote(token)}`, but `{info.id}` has no such {what}"
    return None


def _row_problem(row: Sequence[Any], info: Any) -> str | None:
    if len(row) != 4:
        return "needs a name, an intervention, a strength and rows"
    name, token, strength, rows = row
    if not isinstance(name, str) or len(name) > ENV_NAME_CHARS:
        return f"has a name longer than {ENV_NAME_CHARS} characters"
    if not isinstance(token, str):
        return "has no intervention"
    problem = _token_problem(token, info)
    if problem:
        return problem
    if strength is not None and not (
        isinstance(strength, int | float) and 0.0 <= float(strength) <= 1.0
    ):
        return "has a strength outside 0 to 1"
    if rows is not None and not (
        isinstance(rows, int)
        and not isinstance(rows, bool)
        and MIN_ENV_ROWS <= rows <= MAX_ENV_ROWS_UI
    ):
        return f"has rows outside {MIN_ENV_ROWS} to {MAX_ENV_ROWS_UI:,}"
    return None


def envs_problem(rows: Sequence[Sequence[Any]], info: Any) -> str | None:
    """Why composer rows cannot stand for ``info``'s world (None when they can).

    Only what the composer itself never lets through: at most
    :data:`~lib.world.environments.MAX_ENVIRONMENTS` rows, names up to
    :data:`ENV_NAME_CHARS` characters, interventions of this world, strengths from
    0 to 1, rows in the composer's range. Fewer than two environments or a
    repeated name are the page's to say (as when a user types them).
    """
    if not rows:
        return "has no environment"
    if len(rows) > MAX_ENVIRONMENTS:
        return f"has more than {MAX_ENVIRONMENTS} environments"
    for i, row in enumerate(rows, start=1):
        problem = _row_problem(row, info)
        if problem:
            return f"row {i} {problem}"
    return None


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace(_ROW_SEP, "%3B").replace(_FIELD_SEP, "%7E")


def encode_envs(rows: Sequence[EnvRow]) -> str:
    """Composer rows as one link parameter: ``name~token~strength~rows;...``.

    ``%``, ``;`` and ``~`` inside a field are written ``%25``, ``%3B`` and
    ``%7E``; an empty cell is an empty field.
    """
    out = []
    for name, token, strength, n in rows:
        fields = [name, token, "" if strength is None else fmt_float(float(strength))]
        fields.append("" if n is None else str(n))
        out.append(_FIELD_SEP.join(_escape(f) for f in fields))
    return _ROW_SEP.join(out)


def decode_envs(text: str, info: Any) -> tuple[tuple[EnvRow, ...] | None, str | None]:
    """Read :func:`encode_envs`'s text back: the rows, or None and why not."""
    if len(text) > 200 * MAX_ENVIRONMENTS:
        return None, "is too long"
    rows: list[EnvRow] = []
    for i, part in enumerate(text.split(_ROW_SEP), start=1):
        fields = [unquote(f) for f in part.split(_FIELD_SEP)]
        if len(fields) != 4:
            return None, f"row {i} needs a name, an intervention, a strength and rows"
        name, token, strength_text, rows_text = fields
        strength = None
        if strength_text:
            strength = parse_float(strength_text)
            if strength is None:
                return None, f"row {i} has a strength that is not a number"
        n = None
        if rows_text:
            n = parse_int(rows_text)
            if n is None:
                return None, f"row {i} has rows that are not a whole number"
        rows.append((name.strip(), token, strength, n))
    problem = envs_problem(rows, info)
    return (None, problem) if problem else (tuple(rows), None)


# ----------------------------------------------------------------------------- fields


def sweep_default(info: Any) -> str:
    """The preset a world's sweep starts with: its own choice, else its first preset."""
    if info.sweep_default in info.presets:
        return str(info.sweep_default)
    return info.presets[0] if info.presets else ""


ALPHA = choice(
    "alpha",
    ALPHAS,
    DEFAULT_ALPHA,
    "ICP's level: a set is accepted when its p-value is above it.",
    instead=lambda ctx: f"{DEFAULT_ALPHA:g}",
    world=False,  # a table's ICP has a level too
)


def _read_envs(text: str, ctx: Ctx) -> tuple[EnvRow, ...]:
    rows, why = decode_envs(text, ctx.info)
    if rows is None:
        raise Refused(str(why), "the world's starting environments")
    return rows


ENVS = Field(
    "envs",
    "The composed environments (None: the world's starting ones).",
    default=lambda ctx: None,
    valid=lambda value, ctx: value is None or envs_problem(value, ctx.info) is None,
    read=_read_envs,
    write=lambda rows: encode_envs(rows),
    in_link=lambda state: state.envs is not None,
)


def _sweep_why(ctx: Ctx) -> str:
    names = ", ".join(ctx.info.presets) or "none"
    return f"is not a preset of `{ctx.info.id}` (presets: {names})"


SWEEP = choice(
    "sweep",
    lambda ctx: ctx.info.presets,
    lambda ctx: sweep_default(ctx.info),
    'The preset whose strength the "invariance is local" section sweeps.',
    why=_sweep_why,
    instead=lambda ctx: f"`{ctx.get('sweep')}`" if ctx.get("sweep") else "none",
    in_link=lambda state: bool(state.sweep),
    # a new sweep starts its slider where its story shows
    sets=lambda value, old, ctx: {"sweep_strength": None} if value != old else {},
)
SWEEP_STRENGTH = choice(
    "sweep_strength",
    SWEEP_STRENGTHS,
    None,
    "Where the sweep's slider stands (None: where the page starts it).",
    instead=lambda ctx: "the sweep's starting strength",
    optional=True,
)
BEND = choice(
    "bend",
    BEND_STRENGTHS,
    None,
    "How far the nonlinear example shifts the dose (None: where the page starts it).",
    instead=lambda ctx: "the shifts' starting strength",
    optional=True,
)
REPS = choice(
    "reps",
    POWER_REPS,
    POWER_REPS[0],
    "Repetitions of the power simulation.",
    instead=lambda ctx: str(POWER_REPS[0]),
)


def _sections(name: str) -> Any:
    return lazy("lib.ui.invariance_sections", name)


_WORLD = ("n", "seed", "envs")

PAGE = Page(
    name="Invariance",
    file="pages/4_Invariance.py",
    icon=":material/balance:",
    fields=(ALPHA, ENVS, SWEEP, SWEEP_STRENGTH, BEND, REPS),
    link=("alpha", "envs", "sweep", "sweep_strength", "bend", "reps"),
    sections=(
        Section(
            "header",
            "Invariance",
            reads=(),
            draw=_sections("header_section"),
            claim="A cause predicts the same way in every environment.",
        ),
        Section(
            "table",
            "ICP on a table's environments",
            reads=("alpha",),
            draw=_sections("table_section"),
            when=for_table,
            claim="ICP keeps the sets of columns whose regression is the same in every "
            "environment of the table.",
        ),
        Section(
            "environments",
            "The environments",
            reads=_WORLD,
            needs=_sections("page_environments"),
            draw=_sections("environments_section"),
            when=for_world,
            claim="Environments are the world under different interventions.",
        ),
        Section(
            "icp",
            "What ICP concludes",
            reads=(*_WORLD, "alpha"),
            needs=_sections("page_environments"),
            draw=_sections("icp_section"),
            when=for_world,
            claim="ICP names the predictors every invariant set shares: the causes' set.",
        ),
        Section(
            "fresh",
            "Better on the worlds you have, broken on a new one",
            reads=(*_WORLD, "alpha"),
            needs=_sections("page_environments"),
            draw=_sections("fresh_section"),
            when=for_world,
            claim="A model that predicts better where you looked can be the one that breaks.",
        ),
        Section(
            "local",
            "Invariance is local",
            reads=("n", "seed", "alpha", "sweep", "sweep_strength"),
            draw=_sections("local_section"),
            when=for_world,
            claim="Invariance checked under mild shifts can fail under strong ones.",
            fold=True,
        ),
        Section(
            "bend",
            "A mechanism that bends",
            reads=("seed", "alpha", "bend"),
            draw=_sections("bend_section"),
            when=for_world,
            claim="A mechanism that is linear only where the data lie is invariant only there.",
            fold=True,
        ),
        Section(
            "power",
            "How often ICP finds the causes",
            reads=(*_WORLD, "alpha", "reps"),
            needs=_sections("page_environments"),
            draw=_sections("power_section"),
            when=for_world,
            claim="With few rows or weak shifts ICP says less, never something false.",
            fold=True,
        ),
        Section(
            "handout",
            "Handout",
            reads=(*_WORLD, "alpha"),
            needs=_sections("page_environments"),
            draw=_sections("handout_section"),
            when=for_world,
            claim="The view as a web page and as a script.",
            slide=False,
        ),
    ),
    # the first slide: ICP names the causes' set (the environments it read follow)
    lead="icp",
    numbers=_sections("lesson_numbers"),
    step_figure=_sections("step_figure"),
    step_plots=_sections("step_plots"),
    handout=lazy("lib.ui.handout_views", "invariance_handout"),
    script=lazy("lib.teach.reproduce", "invariance_script"),
    words=_sections("view_words"),
    wide_figure=True,
)
