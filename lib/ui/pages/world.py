"""The fields every page's link carries: the world's rows and seed.

The world itself (``scenario``) is read first by :func:`lib.ui.params.parse_query`,
since every other field is checked against it.
"""

from __future__ import annotations

from typing import Any

from lib.ui.fields import Ctx, Field, Refused, parse_int

__all__ = ["DEFAULT_SEED", "N_OPTIONS", "SEED_MAX", "UNLIMITED_N", "WORLD_FIELDS", "n_options"]

#: Rows offered in the sidebar (a scenario's default is added when missing).
N_OPTIONS: tuple[int, ...] = (200, 500, 1000, 2000, 5000, 10_000, 20_000)
#: :attr:`~lib.ui.params.ScenarioInfo.max_n` of a world that can sample any offered count.
UNLIMITED_N = 5_000_000
#: Largest seed.
SEED_MAX = 999_999
DEFAULT_SEED = 0


def allowed_rows(max_n: int) -> tuple[int, ...]:
    """Options of :data:`N_OPTIONS` up to ``max_n`` (the smallest one always)."""
    return tuple(o for o in N_OPTIONS if o <= max_n) or N_OPTIONS[:1]


def n_options(info: Any) -> tuple[int, ...]:
    """The row counts offered for a scenario (its default included).

    Counts above the world's :attr:`~lib.ui.params.ScenarioInfo.max_n` are left
    out (the smallest is always offered).
    """
    return tuple(sorted({*allowed_rows(info.max_n), info.default_n}))


def _read_n(text: str, ctx: Ctx) -> int:
    n = parse_int(text)
    options = n_options(ctx.info)
    instead = f"{ctx.get('n'):,} rows"
    if n is None:
        raise Refused("is not a whole number", instead)
    if n not in options:
        raise Refused(f"is not one of {', '.join(f'{o:,}' for o in options)}", instead)
    return n


def _read_seed(text: str, ctx: Ctx) -> int:
    seed = parse_int(text)
    if seed is None or not 0 <= seed <= SEED_MAX:
        raise Refused(f"is not a whole number from 0 to {SEED_MAX:,}", "seed 0")
    return seed


N = Field(
    "n",
    "Rows in the training sample and in each test sample.",
    default=lambda ctx: ctx.info.default_n,
    valid=lambda value, ctx: value in n_options(ctx.info),
    read=_read_n,
)
SEED = Field(
    "seed",
    "The seed of every sample: the same seed gives the same numbers.",
    default=lambda ctx: DEFAULT_SEED,
    valid=lambda value, ctx: isinstance(value, int) and 0 <= value <= SEED_MAX,
    read=_read_seed,
    # the Invariance sliders start again where the new sample's story shows
    widget_resets=("sweep_strength", "bend"),
)

#: The fields of every page's link after ``scenario``.
WORLD_FIELDS: tuple[Field, ...] = (N, SEED)
