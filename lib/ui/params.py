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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import unquote

from lib.attribution.pair import RHO_OPTIONS
from lib.text.escape import code_text
from lib.ui.composer import MAX_ENV_ROWS_UI, MIN_ENV_ROWS, environment_rows, spurious_preset
from lib.world.environments import MAX_ENVIRONMENTS

__all__ = [
    "ALPHAS",
    "BEND_STRENGTHS",
    "DEFAULT_ALPHA",
    "ENV_NAME_CHARS",
    "EnvRow",
    "POWER_REPS",
    "SWEEP_STRENGTHS",
    "decode_envs",
    "encode_envs",
    "env_token",
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
    "envs_problem",
    "ATTRIBUTION_KEYS",
    "OWN_KEYS",
    "PAGE_FIELDS",
    "attribution_query",
    "own_query",
    "invariance_query",
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

# ---- the Invariance page's settings (the page's own module re-exports them)
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
# ---- the Attribution page's settings
#: Correlations of the two neurons the page offers (fine near 1).
RHOS: tuple[float, ...] = RHO_OPTIONS
DEFAULT_RHO = 0.99
#: B's own effect on the grip (newtons per SD of its rate); 0: B does nothing.
B_EFFECTS: tuple[float, ...] = (-1.0, -0.5, 0.0, 0.5, 1.0, 2.0)
#: Rows of the two-neuron recording.
PAIR_ROWS: tuple[int, ...] = (100, 200, 500, 1000, 2000, 5000)
DEFAULT_PAIR_ROWS = 500
#: How much worse than the best a model of the Rashomon set may be (a share of its error).
EPSILONS: tuple[float, ...] = (0.01, 0.02, 0.05, 0.1, 0.2)
DEFAULT_EPSILON = 0.05
#: The experiments on the neurons (the presets of ``data/scenarios/neurons.toml``).
DRIVES: tuple[str, ...] = ("Drive B", "Silence B", "Silence A")
#: Real data whose credit the page resamples: statsmodels' Longley, or the lab's
#: current data (the sidebar's world or table).
CREDIT_SOURCES: tuple[str, ...] = ("longley", "lab")
# ---- the Black box page's settings
#: Hidden units of the page's network.
UNIT_COUNTS: tuple[int, ...] = (8, 16, 24, 32, 48, 64)
DEFAULT_UNITS = 32
#: Seeds of the page's network (its training inputs and first weights).
NET_SEEDS: tuple[int, ...] = tuple(range(100))
#: Which hidden unit the page's first section shows (up to the largest network).
UNIT_INDICES: tuple[int, ...] = tuple(range(max(UNIT_COUNTS)))
#: Principal components the dimensionality-reduction section keeps.
COMPONENTS: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 8, 10)
DEFAULT_COMPONENTS = 3
#: The stimuli the recording was made on, and the new inputs the summary meets
#: (names of :data:`lib.blackbox.illusions.STIMULI`).
RECORDINGS: tuple[str, ...] = ("diagonal", "square")
NEW_INPUTS: tuple[str, ...] = ("anti-diagonal", "square", "wider")
#: The behaviour whose output the patching section moves.
PATCHED: tuple[str, ...] = ("bowl", "wave", "product")
#: The line attractor's units, neuron time constant (ms), mistuning of its feedback
#: (% of the tuned value) and the unit lesioned (-1: none).
ATTRACTOR_UNITS: tuple[int, ...] = (2, 5, 10, 20, 50, 100)
DEFAULT_ATTRACTOR_UNITS = 20
NEURON_TAUS: tuple[int, ...] = (5, 20, 50, 100, 200)
DEFAULT_NEURON_TAU = 100
MISTUNINGS: tuple[float, ...] = (-5.0, -2.0, -1.0, -0.5, -0.2, 0.0, 0.2, 0.5, 1.0)
DEFAULT_MISTUNING = -1.0
LESIONED: tuple[int, ...] = tuple(range(-1, max(ATTRACTOR_UNITS)))
#: Sparsities of the toy model of superposition's features.
SPARSITIES: tuple[float, ...] = (0.0, 0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 0.99)
DEFAULT_SPARSITY = 0.95

#: Longest environment name the composer takes.
ENV_NAME_CHARS = 40

#: One row of the environments composer: name, intervention token (:func:`env_token`),
#: strength (0 to 1, None when the cell is empty) and rows (None when empty).
EnvRow = tuple[str, str, float | None, int | None]

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
    sweep_default : str
        The preset the Invariance page's strength sweep starts with ("" when
        there is none: then the first preset).
    environments : tuple of str
        The scenario's own environments that the composer offers by name
        ("as in the scenario: ..."), besides presets and custom changes.
    """

    id: str
    title: str
    default_n: int
    presets: tuple[str, ...]
    nodes: tuple[str, ...]
    default_node: str
    equations: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    max_n: int = UNLIMITED_N
    sweep_default: str = ""
    environments: tuple[str, ...] = ()

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
            sweep_default=spurious_preset(sc) or "",
            environments=tuple(environment_rows(list(sc.environments), sc)[1]),
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
    alpha : float
        The Invariance page's level, one of :data:`ALPHAS`.
    envs : tuple of EnvRow, or None
        The Invariance page's composed environments; None: the world's
        starting environments (they follow the rows ``n`` when the world
        declares none).
    sweep : str
        The preset the "invariance is local" section sweeps ("" without presets).
    sweep_strength, bend : float or None
        Where the sweep's and the nonlinear example's sliders stand; None: where
        the page starts them (worked out from the sweep, the same for a link).
    reps : int
        Repetitions of the power simulation, one of :data:`POWER_REPS`.
    rho, b_effect, pair_n : float, float, int
        The Attribution page's world: the neurons' correlation (:data:`RHOS`), B's
        own effect (:data:`B_EFFECTS`) and the recording's rows (:data:`PAIR_ROWS`).
    epsilon : float
        The Rashomon set's tolerance, one of :data:`EPSILONS`.
    drive : str
        The experiment on the neurons, one of :data:`DRIVES`.
    credit : str
        Whose credit the page resamples, one of :data:`CREDIT_SOURCES`.
    units, net_seed, unit : int
        The Black box page's network: hidden units (:data:`UNIT_COUNTS`), its
        seed (:data:`NET_SEEDS`) and the unit its first section shows.
    components : int
        Principal components the page keeps (:data:`COMPONENTS`).
    recorded, new_inputs : str
        The stimuli of the recording and the new inputs (:data:`RECORDINGS`,
        :data:`NEW_INPUTS`).
    patched : str
        The behaviour the patching section moves (:data:`PATCHED`).
    att_units, neuron_tau, mistuning, lesioned : int, int, float, int
        The line attractor: its units (:data:`ATTRACTOR_UNITS`), the neuron
        time constant in ms (:data:`NEURON_TAUS`), the feedback's mistuning in
        % (:data:`MISTUNINGS`) and the unit lesioned (-1: none).
    sparsity : float
        The toy model of superposition's sparsity (:data:`SPARSITIES`).
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
    alpha: float = DEFAULT_ALPHA
    envs: tuple[EnvRow, ...] | None = None
    sweep: str = ""
    sweep_strength: float | None = None
    bend: float | None = None
    reps: int = POWER_REPS[0]
    rho: float = DEFAULT_RHO
    b_effect: float = 0.0
    pair_n: int = DEFAULT_PAIR_ROWS
    epsilon: float = DEFAULT_EPSILON
    drive: str = DRIVES[0]
    credit: str = CREDIT_SOURCES[0]
    units: int = DEFAULT_UNITS
    net_seed: int = 0
    unit: int = 0
    components: int = DEFAULT_COMPONENTS
    recorded: str = RECORDINGS[0]
    new_inputs: str = NEW_INPUTS[0]
    patched: str = PATCHED[0]
    att_units: int = DEFAULT_ATTRACTOR_UNITS
    neuron_tau: int = DEFAULT_NEURON_TAU
    mistuning: float = DEFAULT_MISTUNING
    lesioned: int = -1
    sparsity: float = DEFAULT_SPARSITY


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
        sweep=_sweep_default(info),
    )


def _sweep_default(info: ScenarioInfo) -> str:
    if info.sweep_default in info.presets:
        return info.sweep_default
    return info.presets[0] if info.presets else ""


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
    if state.alpha not in ALPHAS:
        changes["alpha"] = DEFAULT_ALPHA
    if state.envs is not None and envs_problem(state.envs, info) is not None:
        changes["envs"] = None
    if state.sweep not in info.presets:
        changes["sweep"] = _sweep_default(info)
        changes["sweep_strength"] = None
    if state.sweep_strength is not None and state.sweep_strength not in SWEEP_STRENGTHS:
        changes["sweep_strength"] = None
    if state.bend is not None and state.bend not in BEND_STRENGTHS:
        changes["bend"] = None
    if state.reps not in POWER_REPS:
        changes["reps"] = POWER_REPS[0]
    for name, options, default in _OWN_FIELDS:
        if getattr(state, name) not in options:
            changes[name] = default
    if changes.get("unit", state.unit) >= changes.get("units", state.units):
        changes["unit"] = 0
    if changes.get("lesioned", state.lesioned) >= changes.get("att_units", state.att_units):
        changes["lesioned"] = -1
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
    if old is None or old.id != new.id:  # the composer and the sweep belong to a world
        moved = replace(moved, envs=None, sweep="", sweep_strength=None)
    if moved.preset == CUSTOM and moved.node not in new.nodes:
        moved = replace(moved, preset=default_state(new).preset)
    return normalize(moved, new)


# ---------------------------------------------------------------------------- environments

#: Kinds of intervention a composer row can name, as written in a link: ``none``,
#: ``preset:<name>``, ``env:<name>`` (one of the world's own environments),
#: ``shift:<node>`` and ``noise:<node>`` (the composer's custom changes).
_TOKEN_KINDS = ("preset", "env", "shift", "noise")
#: Characters that separate a link's environments (``;``) and their fields (``~``).
_ROW_SEP, _FIELD_SEP = ";", "~"


def env_token(kind: str, name: str = "") -> str:
    """The link's word for a composer row's intervention (``env_token("preset", "Tylenol")``)."""
    return "none" if kind == "none" else f"{kind}:{name}"


def _token_problem(token: str, info: ScenarioInfo) -> str | None:
    if token in ("", "none"):
        return None
    kind, _, name = token.partition(":")
    if kind not in _TOKEN_KINDS:
        return (
            f"has the intervention `{_quote(token)}`, which is not none, preset:, env:, "
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
        return f"has the intervention `{_quote(token)}`, but `{info.id}` has no such {what}"
    return None


def _row_problem(row: Sequence[Any], info: ScenarioInfo) -> str | None:
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


def envs_problem(rows: Sequence[Sequence[Any]], info: ScenarioInfo) -> str | None:
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
        fields = [name, token, "" if strength is None else _fmt_float(float(strength))]
        fields.append("" if n is None else str(n))
        out.append(_FIELD_SEP.join(_escape(f) for f in fields))
    return _ROW_SEP.join(out)


def decode_envs(text: str, info: ScenarioInfo) -> tuple[tuple[EnvRow, ...] | None, str | None]:
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
            strength = _parse_float(strength_text)
            if strength is None:
                return None, f"row {i} has a strength that is not a number"
        n = None
        if rows_text:
            n = _parse_int(rows_text)
            if n is None:
                return None, f"row {i} has rows that are not a whole number"
        rows.append((name.strip(), token, strength, n))
    problem = envs_problem(rows, info)
    return (None, problem) if problem else (tuple(rows), None)


# ---------------------------------------------------------------------------- URL


def _last(value: Any) -> str | None:
    """The value of one parameter: the last one when it is repeated."""
    if isinstance(value, list | tuple):
        value = value[-1] if value else None
    if value is None:
        return None
    return str(value).strip()


def _quote(value: str, limit: int = 60) -> str:
    """``value`` in quotes for a notice that shows it inside a Markdown code span
    (:func:`lib.text.escape.code_text`: a crafted link cannot close the span)."""
    return code_text(value, limit, quoted=True)


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
    base: LabState | None = None,
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
    base : LabState, optional
        The state to change (a link between pages): what the link does not
        name stays as it is (moved to the link's scenario when it names
        another). Without it, what the link does not name is the default.

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
    if base is not None and base.scenario in catalog:
        sid = base.scenario
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
    if base is None:
        state = default_state(info)
    elif base.scenario == sid:
        state = normalize(base, info)
    else:
        state = switch_scenario(base, catalog.get(base.scenario), info)
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

    _parse_invariance(params, info, state, changes, bad)
    _parse_own_fields(params, changes, bad)
    return normalize(replace(state, **changes), info), notices


def _pick(text: str, options: Sequence[float]) -> float | None:
    """The option a number in a link stands for (None when it is none of them)."""
    x = _parse_float(text)
    if x is None:
        return None
    return next((o for o in options if math.isclose(o, x, rel_tol=1e-9, abs_tol=1e-12)), None)


def _parse_invariance(
    params: Mapping[str, str | None],
    info: ScenarioInfo,
    state: LabState,
    changes: dict[str, Any],
    bad: Any,
) -> None:
    """The Invariance page's parameters (see :func:`to_query`), into ``changes``."""
    value = params.get("alpha")
    if value is not None:
        alpha = _pick(value, ALPHAS)
        if alpha is None:
            bad(
                "alpha",
                _quote(value),
                f"is not one of {', '.join(f'{a:g}' for a in ALPHAS)}",
                f"{DEFAULT_ALPHA:g}",
            )
        else:
            changes["alpha"] = alpha

    value = params.get("envs")
    if value is not None:
        rows, why = decode_envs(value, info)
        if rows is None:
            bad("envs", _quote(value), str(why), "the world's starting environments")
        else:
            changes["envs"] = rows

    sweep = state.sweep
    value = params.get("sweep")
    if value is not None:
        if value in info.presets:
            sweep = value
            changes["sweep"] = value
            if value != state.sweep:
                changes["sweep_strength"] = None
        else:
            names = ", ".join(info.presets) or "none"
            bad(
                "sweep",
                _quote(value),
                f"is not a preset of `{info.id}` (presets: {names})",
                f"`{sweep}`" if sweep else "none",
            )

    for name, options, what in (
        ("sweep_strength", SWEEP_STRENGTHS, "the sweep's"),
        ("bend", BEND_STRENGTHS, "the shifts'"),
    ):
        value = params.get(name)
        if value is not None:
            picked = _pick(value, options)
            if picked is None:
                bad(
                    name,
                    _quote(value),
                    f"is not one of {', '.join(f'{o:g}' for o in options)}",
                    f"{what} starting strength",
                )
            else:
                changes[name] = picked

    value = params.get("reps")
    if value is not None:
        reps = _parse_int(value)
        if reps not in POWER_REPS:
            bad(
                "reps",
                _quote(value),
                f"is not one of {', '.join(map(str, POWER_REPS))}",
                str(POWER_REPS[0]),
            )
        else:
            changes["reps"] = reps


#: The Attribution page's fields: name, options, default.
_ATTRIBUTION_FIELDS: tuple[tuple[str, tuple[Any, ...], Any], ...] = (
    ("rho", RHOS, DEFAULT_RHO),
    ("b_effect", B_EFFECTS, 0.0),
    ("pair_n", PAIR_ROWS, DEFAULT_PAIR_ROWS),
    ("epsilon", EPSILONS, DEFAULT_EPSILON),
    ("drive", DRIVES, DRIVES[0]),
    ("credit", CREDIT_SOURCES, CREDIT_SOURCES[0]),
)
#: The Black box page's fields: name, options, default.
_BLACKBOX_FIELDS: tuple[tuple[str, tuple[Any, ...], Any], ...] = (
    ("units", UNIT_COUNTS, DEFAULT_UNITS),
    ("net_seed", NET_SEEDS, 0),
    ("unit", UNIT_INDICES, 0),
    ("components", COMPONENTS, DEFAULT_COMPONENTS),
    ("recorded", RECORDINGS, RECORDINGS[0]),
    ("new_inputs", NEW_INPUTS, NEW_INPUTS[0]),
    ("patched", PATCHED, PATCHED[0]),
    ("att_units", ATTRACTOR_UNITS, DEFAULT_ATTRACTOR_UNITS),
    ("neuron_tau", NEURON_TAUS, DEFAULT_NEURON_TAU),
    ("mistuning", MISTUNINGS, DEFAULT_MISTUNING),
    ("lesioned", LESIONED, -1),
    ("sparsity", SPARSITIES, DEFAULT_SPARSITY),
)
#: Pages whose settings are their own (a world of their own, whatever the sidebar's
#: data): their fields, which links carry also when the sidebar shows a table.
PAGE_FIELDS: dict[str, tuple[tuple[str, tuple[Any, ...], Any], ...]] = {
    "Attribution": _ATTRIBUTION_FIELDS,
    "Black box": _BLACKBOX_FIELDS,
}
_OWN_FIELDS = tuple(field for fields in PAGE_FIELDS.values() for field in fields)


#: The link parameters of the Attribution page.
ATTRIBUTION_KEYS: tuple[str, ...] = tuple(name for name, _, _ in _ATTRIBUTION_FIELDS)
#: The link parameters of every page with settings of its own.
OWN_KEYS: tuple[str, ...] = tuple(name for name, _, _ in _OWN_FIELDS)


def _listed(options: tuple[Any, ...]) -> str:
    """The options of a field, as a message lists them."""
    if isinstance(options[0], str):
        return ", ".join(options)
    if isinstance(options[0], int) and len(options) > 12:
        return f"the whole numbers {options[0]} to {options[-1]}"
    if isinstance(options[0], int):
        return ", ".join(f"{o:,}" for o in options)
    return ", ".join(f"{o:g}" for o in options)


def _parse_own_fields(params: Mapping[str, str | None], changes: dict[str, Any], bad: Any) -> None:
    """The parameters of the pages with settings of their own (:data:`PAGE_FIELDS`)."""
    for name, options, default in _OWN_FIELDS:
        value = params.get(name)
        if value is None:
            continue
        if isinstance(default, str):
            picked: Any = value if value in options else None
        elif isinstance(default, int) and not isinstance(default, bool):
            number = _parse_int(value)
            picked = number if number in options else None
        else:
            picked = _pick(value, options)
        if picked is None:
            bad(name, _quote(value), f"is not one of {_listed(options)}", f"`{default}`")
        else:
            changes[name] = picked


def own_query(state: LabState, page: str) -> dict[str, str]:
    """The parameters of a page with settings of its own (none for other pages)."""
    out = {}
    for name, _, _ in PAGE_FIELDS.get(page, ()):
        value = getattr(state, name)
        out[name] = value if isinstance(value, str) else f"{value:g}"
    return out


def attribution_query(state: LabState) -> dict[str, str]:
    """The Attribution page's own parameters."""
    return own_query(state, "Attribution")


def _fmt_float(x: float) -> str:
    """Shortest text that reads back as the same float (``repr``), ``1`` for ``1.0``."""
    return f"{x:g}" if float(f"{x:g}") == x else repr(float(x))


def to_query(state: LabState, page: str | None) -> dict[str, str]:
    """The URL parameters that reproduce what ``page`` shows.

    Every page, the home page included (it tells the chosen scenario's story),
    keeps ``scenario``, ``n`` and ``seed``; the Interventions page adds the
    intervention (a preset, or ``preset=custom`` with ``node``, ``kind`` and
    ``amount`` or ``equation``), its ``strength`` and the model ``family``; the
    Models page adds ``family``. The Invariance page adds its level ``alpha``,
    the composed environments ``envs`` (when they are not the world's starting
    ones, :func:`encode_envs`), the preset to ``sweep``, the sliders'
    ``sweep_strength`` and ``bend`` (when moved from where the page starts
    them) and the power simulation's ``reps``.
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
    if page == "Invariance":
        out.update(invariance_query(state))
    if page is not None:
        out.update(own_query(state, page))
    return out


def invariance_query(state: LabState) -> dict[str, str]:
    """The Invariance page's own parameters (also kept on a table's link: ``alpha``)."""
    out = {"alpha": f"{state.alpha:g}"}
    if state.envs is not None:
        out["envs"] = encode_envs(state.envs)
    if state.sweep:
        out["sweep"] = state.sweep
    if state.sweep_strength is not None:
        out["sweep_strength"] = f"{state.sweep_strength:g}"
    if state.bend is not None:
        out["bend"] = f"{state.bend:g}"
    out["reps"] = str(state.reps)
    return out
