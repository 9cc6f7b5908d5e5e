"""The lab's state as plain values, and its round trip through the URL.

Pure functions, no Streamlit: the pages keep a :class:`LabState` in session
state, keep :func:`to_query` in ``st.query_params`` on every run, and read a
copied link back with :func:`parse_query` on the first run of a session. A bad
parameter never stops the page: it falls back to its default and produces a
notice naming the parameter and the value.

No field has code of its own here: each is declared once, with its options,
default and link text, by the page it belongs to (:mod:`lib.ui.pages`), and
these functions go over the declarations (:data:`lib.ui.pages.FIELDS`).

>>> info = ScenarioInfo("ldopa", "L-DOPA", 2000, ("Tylenol",), ("dose", "headache"), "headache")
>>> state, notices = parse_query({"preset": "Tylenol", "strength": "0.5"}, {"ldopa": info})
>>> state.preset, state.strength, notices
('Tylenol', 0.5, [])
>>> to_query(state, "Interventions")["strength"]
'0.5'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from lib.ui.composer import environment_rows, spurious_preset
from lib.ui.fields import Ctx, Field, Refused, quote
from lib.ui.pages import FIELDS, link_fields
from lib.ui.pages import attribution as att
from lib.ui.pages import blackbox as bb
from lib.ui.pages import invariance as inv
from lib.ui.pages.interventions import CUSTOM
from lib.ui.pages.world import DEFAULT_SEED, UNLIMITED_N, allowed_rows, n_options

__all__ = [
    "LabState",
    "ScenarioInfo",
    "changed",
    "default_state",
    "field_query",
    "n_options",
    "normalize",
    "parse_query",
    "switch_scenario",
    "to_query",
    "world_free",
]


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
            default_n = max(allowed_rows(max_n))
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

    The attributes are the fields the pages declare (:data:`lib.ui.pages.FIELDS`,
    where each one's options and link text live); a test keeps the two the same.

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
    alpha: float = inv.DEFAULT_ALPHA
    envs: tuple[inv.EnvRow, ...] | None = None
    sweep: str = ""
    sweep_strength: float | None = None
    bend: float | None = None
    reps: int = inv.POWER_REPS[0]
    rho: float = att.DEFAULT_RHO
    b_effect: float = 0.0
    pair_n: int = att.DEFAULT_PAIR_ROWS
    epsilon: float = att.DEFAULT_EPSILON
    drive: str = att.DRIVES[0]
    credit: str = att.CREDIT_SOURCES[0]
    units: int = bb.DEFAULT_UNITS
    net_seed: int = 0
    unit: int = 0
    components: int = bb.DEFAULT_COMPONENTS
    recorded: str = bb.RECORDINGS[0]
    new_inputs: str = bb.NEW_INPUTS[0]
    patched: str = bb.PATCHED[0]
    att_units: int = bb.DEFAULT_ATTRACTOR_UNITS
    neuron_tau: int = bb.DEFAULT_NEURON_TAU
    mistuning: float = bb.DEFAULT_MISTUNING
    lesioned: int = -1
    sparsity: float = bb.DEFAULT_SPARSITY


def _values(state: LabState) -> dict[str, Any]:
    """The state's fields by name (``scenario`` aside: every field is checked against it)."""
    return {name: getattr(state, name) for name in FIELDS}


def default_state(info: ScenarioInfo) -> LabState:
    """A scenario's starting state: every field at its default in this world."""
    values: dict[str, Any] = {}
    ctx = Ctx(info, values)
    for f in FIELDS.values():
        values[f.name] = f.default(ctx)
    return LabState(scenario=info.id, **values)


def _follow(f: Field, value: Any, old: Any, values: dict[str, Any], ctx: Ctx) -> None:
    """Set ``f`` to ``value`` in ``values``, and the fields that follow it."""
    values[f.name] = value
    values.update(f.sets(value, old, ctx))


def normalize(state: LabState, info: ScenarioInfo) -> LabState:
    """Make every field valid for ``info``, keeping whatever already is.

    Fields are repaired in declaration order: a field that follows another
    (a node's equation) is set by it, then checked itself.
    """
    values = _values(state)
    ctx = Ctx(info, values)
    for f in FIELDS.values():
        value = values[f.name]
        if not f.valid(value, ctx):
            _follow(f, f.default(ctx), value, values, ctx)
        elif f.clean is not None:
            values[f.name] = f.clean(value)
    return replace(state, scenario=info.id, **values)


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


def changed(state: LabState, name: str, value: Any, info: ScenarioInfo) -> LabState:
    """The state after the user moved ``name``'s widget to ``value`` (for callbacks):
    the fields that follow it follow, and those its widget resets start again."""
    f = FIELDS[name]
    values = _values(state)
    ctx = Ctx(info, values)
    _follow(f, value, values[name], values, ctx)
    for other in f.widget_resets:
        values[other] = FIELDS[other].default(ctx)
    return normalize(replace(state, **values), info)


# ---------------------------------------------------------------------------- URL


def _last(value: Any) -> str | None:
    """The value of one parameter: the last one when it is repeated."""
    if isinstance(value, list | tuple):
        value = value[-1] if value else None
    if value is None:
        return None
    return str(value).strip()


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
                quote(value),
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

    values = _values(state)
    ctx = Ctx(info, values)
    for f in FIELDS.values():
        text = params.get(f.name)
        if text is None:
            continue
        try:
            value = f.read(text, ctx)
        except Refused as refused:
            shown = quote(text)
            bad(f.name, shown, refused.why, refused.instead)
            continue
        if f.note is not None and (note := f.note(text, value)):
            notices.append(note)
        _follow(f, value, values[f.name], values, ctx)
    return normalize(replace(state, **values), info), notices


def field_query(state: LabState, names: Any) -> dict[str, str]:
    """The link parameters of the fields ``names`` that ``state``'s link carries."""
    out = {}
    for name in names:
        f = FIELDS[name]
        if f.in_link(state):
            out[name] = f.write(getattr(state, name))
    return out


def to_query(state: LabState, page: str | None) -> dict[str, str]:
    """The URL parameters that reproduce what ``page`` shows.

    Every page, the home page included (it tells the chosen scenario's story),
    keeps ``scenario``, ``n`` and ``seed``; then each field the page's
    declaration names (:attr:`lib.ui.pages.Page.link`) that its link carries
    at this state (an equation only for a custom "replace", the composed
    environments only when they are not the world's starting ones, …).
    """
    out = {"scenario": state.scenario}
    out.update(field_query(state, [f.name for f in link_fields(page)]))
    return out


def world_free(page: str | None) -> tuple[str, ...]:
    """The fields of ``page``'s link that do not belong to a simulated world: what a
    table's link keeps (the Invariance page's level, the Attribution page's neurons)."""
    return tuple(f.name for f in link_fields(page) if not f.world)
