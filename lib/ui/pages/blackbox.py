"""The Black box page: a neuroscientist's tools on a network we know completely.

Its network is its own (whatever the sidebar's data), so its fields are kept on
a table's link too.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from lib.ui.declare import Page, Section, bare, header, lazy, on_data, on_lab
from lib.ui.fields import Ctx, choice

__all__ = [
    "ATTRACTOR_UNITS",
    "COMPONENTS",
    "DEFAULT_ATTRACTOR_UNITS",
    "DEFAULT_COMPONENTS",
    "DEFAULT_MISTUNING",
    "DEFAULT_NEURON_TAU",
    "DEFAULT_SPARSITY",
    "DEFAULT_UNITS",
    "LESIONED",
    "MISTUNINGS",
    "NET_SEEDS",
    "NEURON_TAUS",
    "NEW_INPUTS",
    "PAGE",
    "PATCHED",
    "RECORDINGS",
    "SPARSITIES",
    "UNIT_COUNTS",
    "UNIT_INDICES",
]

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


def _below(name: str, options: tuple[int, ...], default: int, doc: str, size: str) -> Any:
    """A unit of a network: one of ``options`` and below the network's ``size`` field."""
    field = choice(name, options, default, doc, world=False)
    inside = field.valid
    return replace(field, valid=lambda value, ctx: inside(value, ctx) and value < _size(ctx, size))


def _size(ctx: Ctx, size: str) -> int:
    return int(ctx.get(size))


FIELDS = (
    choice("units", UNIT_COUNTS, DEFAULT_UNITS, "Hidden units of the network.", world=False),
    choice("net_seed", NET_SEEDS, 0, "The network's seed.", world=False),
    _below("unit", UNIT_INDICES, 0, "The unit whose tuning the first section shows.", "units"),
    choice("components", COMPONENTS, DEFAULT_COMPONENTS, "Principal components kept.", world=False),
    choice("recorded", RECORDINGS, RECORDINGS[0], "The recording's stimuli.", world=False),
    choice("new_inputs", NEW_INPUTS, NEW_INPUTS[0], "The new inputs.", world=False),
    choice("patched", PATCHED, PATCHED[0], "The behaviour the patch moves.", world=False),
    choice(
        "att_units",
        ATTRACTOR_UNITS,
        DEFAULT_ATTRACTOR_UNITS,
        "The integrator's units.",
        world=False,
    ),
    choice(
        "neuron_tau", NEURON_TAUS, DEFAULT_NEURON_TAU, "Neuron time constant (ms).", world=False
    ),
    choice("mistuning", MISTUNINGS, DEFAULT_MISTUNING, "Feedback mistuning (%).", world=False),
    _below("lesioned", LESIONED, -1, "The integrator's unit lesioned (-1: none).", "att_units"),
    choice("sparsity", SPARSITIES, DEFAULT_SPARSITY, "The toy model's sparsity.", world=False),
)
_NET = ("units", "net_seed")


def _bv(name: str) -> Any:
    return lazy("lib.ui.blackbox_views", name)


def _iv(name: str) -> Any:
    return lazy("lib.ui.illusion_views", name)


def _cv(name: str) -> Any:
    return lazy("lib.ui.circuit_views", name)


_VIEW = _bv("view_of")

PAGE = Page(
    name="Black box",
    file="pages/6_Black_box.py",
    icon=":material/neurology:",
    fields=FIELDS,
    link=tuple(f.name for f in FIELDS),
    sections=(
        header(
            "Inside the black box",
            "Lesions, single-unit tuning and dimensionality reduction, applied to a small "
            "network whose every weight we can read. Each tool finds something, and each "
            "finding invites a story the network does not bear out; then a circuit whose model "
            "does predict what a lesion will do, and features that share neurons.",
            own_world="This page does not use the world picked in the sidebar: it studies "
            "small networks of its own.",
        ),
        Section(
            "network",
            "A small network, trained here",
            reads=(*_NET, "unit"),
            draw=on_lab(_bv("network_section")),  # its controls above the training's spinner
            claim="A network whose every weight can be read.",
            alone=True,  # the unit shown; a new network runs the page again
        ),
        Section(
            "lesions",
            "Lesion every unit",
            reads=_NET,
            needs=_VIEW,
            draw=on_data(_bv("lesion_section")),
            claim="Most units that break one behaviour are not where it lives.",
            fold=True,
        ),
        Section(
            "barrier",
            "The exponential barrier",
            reads=_NET,
            needs=_VIEW,
            draw=on_data(_bv("barrier_section")),
            claim="A complete map of lesions takes 2^N experiments.",
            fold=True,
        ),
        Section(
            "pca",
            "The dimensionality-reduction illusion",
            reads=(*_NET, "components", "recorded", "new_inputs"),
            needs=_VIEW,
            draw=on_data(_iv("pca_section")),
            claim="A summary that convinces on the recording fails on new inputs.",
            fold=True,
        ),
        Section(
            "patch",
            "The subspace-patching illusion",
            reads=(*_NET, "patched"),
            needs=_VIEW,
            draw=on_data(_iv("patch_section")),
            claim="A patch moves a behaviour through a pathway the network does not use.",
            fold=True,
        ),
        Section(
            "surrogate",
            "A second black box",
            reads=_NET,
            needs=_VIEW,
            draw=on_data(_bv("surrogate_section")),
            claim="Trees copy the network almost perfectly and explain nothing more.",
            fold=True,
        ),
        Section(
            "attractor",
            "When explanation works: the line attractor",
            reads=("att_units", "neuron_tau", "mistuning", "lesioned"),
            draw=bare(_cv("attractor_section")),
            claim="A circuit model predicts what a lesion will do.",
            fold=True,
        ),
        Section(
            "superposition",
            "Features that share neurons: superposition",
            reads=("sparsity",),
            draw=bare(_cv("superposition_section")),
            claim="Sparse features share the hidden dimensions.",
            fold=True,
        ),
    ),
    # the first slide: most units that break one behaviour are not where it lives (every
    # unit lesioned, counted as the 6502's transistors were): the tools' first illusion
    lead="lesions",
)
