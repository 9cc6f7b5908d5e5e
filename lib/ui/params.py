"""The lab's state as plain values, and its round trip through the URL.

Pure functions, no Streamlit: the pages keep a :class:`LabState` in session
state, keep :func:`to_query` in ``st.query_params`` on every run, and read a
copied link back with :func:`parse_query` on the first run of a session. A bad
parameter never stops the page: it falls back to its default and produces a
notice naming the parameter and the value.

>>> info = ScenarioInfo("ldopa", "L-DOPA", 2000, ("Tylenol",), ("dose", "headache"), "headache")
>>> state, notices = parse_query({"preset": "Tylenol", "strength": "0.5"}, {"ldopa": info})
>>> state.preset, state.strength, notices
('Tylenol', 0.5, [])
>>> to_query(state, "Interventions")["strength"]
'0.5'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = [
    "CUSTOM",
    "DEFAULT_SEED",
    "FAMILIES",
    "IV_KINDS",
    "MAX_EQUATION_CHARS",
    "N_OPTIONS",
    "SEED_MAX",
    "STRENGTH_STEP",
    "UNLIMITED_N",
    "LabState",
    "ScenarioInfo",
    "MAX_AMOUNT",
    "default_amount",
    "default_state",
    "n_options",
    "normalize",
    "parse_query",
    "snap_strength",
    "switch_scenario",
    "to_query",
]

#: Preset value meaning "the user builds their own intervention".
CUSTOM = "custom"
#: Rows offered in the sidebar (a scenario's default is added when missing).
N_OPTIONS: tuple[int, ...] = (200, 500, 1000, 2000, 5000, 10_000, 20_000)
#: :attr:`ScenarioInfo.max_n` of a world that can sample any offered count.
UNLIMITED_N = 5_000_000
#: Largest seed.
SEED_MAX = 999_999
DEFAULT_SEED = 0
#: The strength slider's step.
STRENGTH_STEP = 0.05
#: Kinds a user can build, as named in scenario files and in the URL.
IV_KINDS: tuple[str, ...] = ("do", "shift", "scale_noise", "replace")
#: Model families whose plots the pages show.
FAMILIES: tuple[str, ...] = ("linear", "trees")
#: Longest equation accepted from a link.
MAX_EQUATION_CHARS = 500
#: Largest size of an intervention amount (value, shift or noise factor).
MAX_AMOUNT = 1e6

#: A sensible starting amount for each kind.
_KIND_DEFAULT_AMOUNT = {"do": 0.0, "shift": 1.0, "scale_noise": 3.0, "replace": 0.0}


@dataclass(frozen=True)
class ScenarioInfo:
    """What the URL parser needs to know about one scenario.

    Attributes
    ----------
    id, title : str
    default_n : int
    presets : tuple of str
        Preset names, in the scenario's order.
    nodes : tuple of str
        Nodes a user may intervene on.
    default_node : str
        The node the "build your own" form starts with.
    equations : mapping of str to str
        Each node's equation (the starting text of a "replace").
    max_n : int
        Most rows one sample of the world should have (see
        :meth:`lib.world.scm.SCM.max_rows`): larger row counts are not offered.
    """

    id: str
    title: str
    default_n: int
    presets: tuple[str, ...]
    nodes: tuple[str, ...]
    default_node: str
    equations: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    max_n: int = UNLIMITED_N

    @classmethod
    def from_scenario(cls, sc: Any) -> ScenarioInfo:
        """Build from a :class:`lib.world.scenarios.Scenario` (duck-typed).

        The default rows are lowered to the largest offered count when the
        world cannot sample that many quickly.
        """
        nodes = tuple(sc.scm.nodes)
        features = tuple(sc.features)
        max_n = int(sc.scm.max_rows())
        default_n = int(sc.default_n)
        if default_n > max_n:
            default_n = max(_allowed(max_n))
        return cls(
            id=sc.id,
            title=sc.title,
            default_n=default_n,
            presets=tuple(sc.presets),
            nodes=nodes,
            default_node=features[0] if features else nodes[0],
            equations={name: spec.equation for name, spec in sc.scm.specs.items()},
            max_n=max_n,
        )


@dataclass(frozen=True)
class LabState:
    """Everything that decides what a page shows.

    Attributes
    ----------
    scenario : str
        Scenario id.
    n, seed : int
        Rows and seed of the samples.
    preset : str
        A preset name of the scenario, or :data:`CUSTOM`.
    node, kind : str
        The "build your own" intervention: which node, which kind.
    amount : float
        Its value (do), delta (shift) or noise factor (scale_noise).
    equation : str
        Its new mechanism (replace).
    strength : float
        0 (no intervention) to 1 (the full intervention).
    family : str
        ``"linear"`` or ``"trees"``: which models the before/after plots show.
    """

    scenario: str
    n: int
    seed: int = DEFAULT_SEED
    preset: str = CUSTOM
    node: str = ""
    kind: str = "do"
    amount: float = 0.0
    equation: str = ""
    strength: float = 1.0
    family: str = "linear"


def _allowed(max_n: int) -> tuple[int, ...]:
    """Options of :data:`N_OPTIONS` up to ``max_n`` (the smallest one always)."""
    return tuple(o for o in N_OPTIONS if o <= max_n) or N_OPTIONS[:1]


def n_options(info: ScenarioInfo) -> tuple[int, ...]:
    """The row counts offered for a scenario (its default included).

    Counts above the world's :attr:`~ScenarioInfo.max_n` are left out (the
    smallest is always offered).
    """
    return tuple(sorted({*_allowed(info.max_n), info.default_n}))


def default_amount(kind: str) -> float:
    """A sensible starting amount for an intervention kind."""
    return _KIND_DEFAULT_AMOUNT.get(kind, 0.0)


def snap_strength(value: float) -> float:
    """Round a strength to the slider's grid and clip it to [0, 1]."""
    steps = round(min(1.0, max(0.0, float(value))) / STRENGTH_STEP)
    return round(steps * STRENGTH_STEP, 2)


def default_state(info: ScenarioInfo) -> LabState:
    """A scenario's starting state: default rows, seed 0, its first preset."""
    node = info.default_node
    return LabState(
        scenario=info.id,
        n=info.default_n,
        seed=DEFAULT_SEED,
        preset=info.presets[0] if info.presets else CUSTOM,
        node=node,
        kind="do",
        amount=default_amount("do"),
        equation=info.equations.get(node, ""),
        strength=1.0,
        family="linear",
    )


def normalize(state: LabState, info: ScenarioInfo) -> LabState:
    """Make every field valid for ``info``, keeping whatever already is."""
    base = default_state(info)
    changes: dict[str, Any] = {"scenario": info.id}
    if state.n not in n_options(info):
        changes["n"] = base.n
    if not (isinstance(state.seed, int) and 0 <= state.seed <= SEED_MAX):
        changes["seed"] = base.seed
    if state.preset != CUSTOM and state.preset not in info.presets:
        changes["preset"] = base.preset
    if state.node not in info.nodes:
        changes["node"] = base.node
        changes["equation"] = base.equation
    if state.kind not in IV_KINDS:
        changes["kind"] = "do"
    if not (isinstance(state.amount, int | float) and math.isfinite(state.amount)):
        changes["amount"] = default_amount(changes.get("kind", state.kind))
    if not isinstance(state.equation, str) or len(state.equation) > MAX_EQUATION_CHARS:
        changes["equation"] = info.equations.get(changes.get("node", state.node), "")
    if not (isinstance(state.strength, int | float) and 0.0 <= state.strength <= 1.0):
        changes["strength"] = 1.0
    else:
        changes["strength"] = snap_strength(state.strength)
    if state.family not in FAMILIES:
        changes["family"] = "linear"
    return replace(state, **changes)


def switch_scenario(state: LabState, old: ScenarioInfo | None, new: ScenarioInfo) -> LabState:
    """The state after picking another scenario.

    Rows follow the new scenario's default unless the user had changed them;
    the seed, strength and model family stay; the intervention falls back to
    the new scenario's first preset when it does not exist there.
    """
    n = state.n
    if old is None or n == old.default_n or n not in n_options(new):
        n = new.default_n
    moved = replace(state, scenario=new.id, n=n)
    if moved.preset == CUSTOM and moved.node not in new.nodes:
        moved = replace(moved, preset=default_state(new).preset)
    return normalize(moved, new)


# ---------------------------------------------------------------------------- URL


def _last(value: Any) -> str | None:
    """The value of one parameter: the last one when it is repeated."""
    if isinstance(value, list | tuple):
        value = value[-1] if value else None
    if value is None:
        return None
    return str(value).strip()


def _quote(value: str, limit: int = 60) -> str:
    """``value`` for a notice that shows it inside a Markdown code span.

    Backticks are replaced so that a crafted link cannot close the code span
    and inject links or images into the page.
    """
    shown = value if len(value) <= limit else value[: limit - 1] + "…"
    return repr(shown.replace("`", "'"))


def _parse_int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        try:
            f = float(text)
        except ValueError:
            return None
        return int(f) if math.isfinite(f) and f.is_integer() else None


def _parse_float(text: str) -> float | None:
    try:
        f = float(text)
    except ValueError:
        return None
    return f if math.isfinite(f) else None


def parse_query(
    raw: Mapping[str, Any],
    catalog: Mapping[str, ScenarioInfo],
    default_scenario: str | None = None,
) -> tuple[LabState, list[str]]:
    """Read a link's query parameters into a valid state.

    Parameters
    ----------
    raw : mapping
        Parameter name to value (``str``, or a list of them when repeated; the
        last one wins, as in ``st.query_params``).
    catalog : mapping of str to ScenarioInfo
        The scenarios, in picker order.
    default_scenario : str, optional
        Used when the link names none (or a bad one); defaults to the first.

    Returns
    -------
    state : LabState
    notices : list of str
        One plain sentence per bad parameter, naming it, its value and what
        is used instead. Unknown parameters are ignored.
    """
    if not catalog:
        raise ValueError("there is no scenario to show.")
    notices: list[str] = []
    params = {str(k): _last(v) for k, v in raw.items()}

    def bad(name: str, value: str, why: str, instead: Any) -> None:
        notices.append(f"Link parameter `{name}={value}` {why}; using {instead} instead.")

    sid: str = (
        default_scenario
        if default_scenario is not None and default_scenario in catalog
        else next(iter(catalog))
    )
    value = params.get("scenario")
    if value is not None:
        if value in catalog:
            sid = value
        else:
            bad(
                "scenario",
                _quote(value),
                f"is not a scenario (available: {', '.join(catalog)})",
                f"`{sid}`",
            )
    info = catalog[sid]
    state = default_state(info)
    changes: dict[str, Any] = {}

    value = params.get("n")
    if value is not None:
        n = _parse_int(value)
        options = n_options(info)
        if n is None:
            bad("n", _quote(value), "is not a whole number", f"{state.n:,} rows")
        elif n not in options:
            allowed = ", ".join(f"{o:,}" for o in options)
            bad("n", _quote(value), f"is not one of {allowed}", f"{state.n:,} rows")
        else:
            changes["n"] = n

    value = params.get("seed")
    if value is not None:
        seed = _parse_int(value)
        if seed is None or not 0 <= seed <= SEED_MAX:
            bad("seed", _quote(value), f"is not a whole number from 0 to {SEED_MAX:,}", "seed 0")
        else:
            changes["seed"] = seed

    value = params.get("preset")
    if value is not None:
        if value == CUSTOM or value in info.presets:
            changes["preset"] = value
        else:
            names = ", ".join(info.presets) or "none"
            bad(
                "preset",
                _quote(value),
                f"is not a preset of `{sid}` (presets: {names}; or `{CUSTOM}`)",
                f"`{state.preset}`",
            )

    node = state.node
    value = params.get("node")
    if value is not None:
        if value in info.nodes:
            node = value
            changes["node"] = value
            changes["equation"] = info.equations.get(value, "")
        else:
            bad("node", _quote(value), f"is not a node of `{sid}`", f"`{node}`")

    kind = state.kind
    value = params.get("kind")
    if value is not None:
        if value in IV_KINDS:
            kind = value
            changes["kind"] = value
            changes["amount"] = default_amount(value)
        else:
            bad("kind", _quote(value), f"is not one of {', '.join(IV_KINDS)}", f"`{kind}`")

    value = params.get("amount")
    if value is not None:
        amount = _parse_float(value)
        if amount is None or abs(amount) > MAX_AMOUNT:
            bad(
                "amount",
                _quote(value),
                f"is not a number between -{MAX_AMOUNT:g} and {MAX_AMOUNT:g}",
                f"{default_amount(kind):g}",
            )
        elif kind == "scale_noise" and amount < 0:
            bad("amount", _quote(value), "is a negative noise factor", f"{default_amount(kind):g}")
        else:
            changes["amount"] = amount

    value = params.get("equation")
    if value is not None:
        if not value:
            bad("equation", "''", "is empty", f"the equation of `{node}`")
        elif len(value) > MAX_EQUATION_CHARS:
            bad(
                "equation",
                _quote(value),
                f"is longer than {MAX_EQUATION_CHARS} characters",
                f"the equation of `{node}`",
            )
        else:
            changes["equation"] = value

    value = params.get("strength")
    if value is not None:
        s = _parse_float(value)
        if s is None or not 0.0 <= s <= 1.0:
            bad("strength", _quote(value), "is not a number from 0 to 1", "1")
        else:
            snapped = snap_strength(s)
            if abs(snapped - s) > 1e-9:
                notices.append(
                    f"Link parameter `strength={value}` is rounded to {snapped:g} "
                    f"(the slider moves in steps of {STRENGTH_STEP:g})."
                )
            changes["strength"] = snapped

    value = params.get("family")
    if value is not None:
        if value in FAMILIES:
            changes["family"] = value
        else:
            bad("family", _quote(value), f"is not one of {', '.join(FAMILIES)}", "`linear`")

    return normalize(replace(state, **changes), info), notices


def _fmt_float(x: float) -> str:
    """Shortest text that reads back as the same float (``repr``), ``1`` for ``1.0``."""
    return f"{x:g}" if float(f"{x:g}") == x else repr(float(x))


def to_query(state: LabState, page: str | None) -> dict[str, str]:
    """The URL parameters that reproduce what ``page`` shows.

    Every page, the home page included (it tells the chosen scenario's story),
    keeps ``scenario``, ``n`` and ``seed``; the Interventions page adds the
    intervention (a preset, or ``preset=custom`` with ``node``, ``kind`` and
    ``amount`` or ``equation``), its ``strength`` and the model ``family``; the
    Models page adds ``family``.
    """
    out = {"scenario": state.scenario, "n": str(state.n), "seed": str(state.seed)}
    if page == "Models":
        out["family"] = state.family
    if page == "Interventions":
        out["preset"] = state.preset
        if state.preset == CUSTOM:
            out["node"] = state.node
            out["kind"] = state.kind
            if state.kind == "replace":
                out["equation"] = state.equation
            else:
                out["amount"] = _fmt_float(state.amount)
        out["strength"] = f"{state.strength:g}"
        out["family"] = state.family
    return out
