"""Fitting on a loaded table: a declared causal graph, and shifts between environments.

A real table comes without its structural causal model, so the user says what
causes what. The predictive model uses every chosen feature; the causal model
only the declared parents of the target. An "intervention" on real data is a
shift between environments (hospitals, batches, firms): train on some, test on
the one held out.

>>> setup = TableSetup("y", ("a", "b"), environment="site", edges=(("a", "y"),))
>>> setup.parents
('a',)
>>> parse_edges("a, b -> y", ["a", "b", "y"])
(('a', 'y'), ('b', 'y'))
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from lib.errors import DataError, did_you_mean
from lib.text.escape import code_span

__all__ = [
    "MAX_EDGES_TEXT",
    "MAX_TABLE_ENVIRONMENTS",
    "TableSetup",
    "adjacency_frame",
    "check_setup",
    "edges_from_adjacency",
    "edges_to_text",
    "parse_edges",
    "require_setup",
]

#: Most distinct values a table's environment column may have (a simulated world's
#: limit is lib.world.environments.MAX_ENVIRONMENTS; the composer's
#: lib.ui.composer.MAX_UI_ENVIRONMENTS).
MAX_TABLE_ENVIRONMENTS = 50
#: Longest edge list text accepted.
MAX_EDGES_TEXT = 20_000
_ARROWS = ("->", "→", "⟶", "=>")


@dataclass(frozen=True)
class TableSetup:
    """What to predict from what, where the environments are, and the declared graph.

    Attributes
    ----------
    target : str
        The column to predict.
    features : tuple of str
        Columns the predictive model uses.
    environment : str or None
        A column whose values mark environments (e.g. hospital); text or numbers.
    edges : tuple of (str, str)
        The declared causal graph among columns, as (cause, effect) pairs.
    """

    target: str
    features: tuple[str, ...]
    environment: str | None = None
    edges: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "features", tuple(self.features))
        object.__setattr__(self, "edges", tuple((str(a), str(b)) for a, b in self.edges))

    @property
    def parents(self) -> tuple[str, ...]:
        """Declared parents of the target among the features, in feature order."""
        causes = {a for a, b in self.edges if b == self.target}
        return tuple(f for f in self.features if f in causes)


# ----------------------------------------------------------------------------- edges


def _split_names(part: str, where: str) -> list[str]:
    """Names separated by commas; a name in backticks may hold commas or arrows."""
    names: list[str] = []
    pos = 0
    part = part.strip()
    while pos < len(part):
        if part[pos] == "`":
            end = part.find("`", pos + 1)
            if end < 0:
                raise DataError(f"{where}: a backtick (`) opens a name and is never closed.")
            names.append(part[pos + 1 : end])
            pos = end + 1
            rest = part[pos:].lstrip()
            if rest and not rest.startswith(","):
                raise DataError(f"{where}: expected a comma after the quoted name.")
            pos = len(part) - len(rest) + (1 if rest else 0)
        else:
            end = part.find(",", pos)
            end = len(part) if end < 0 else end
            name = part[pos:end].strip()
            if not name:
                raise DataError(f"{where}: a name is missing (two commas in a row?).")
            names.append(name)
            pos = end + 1
        while pos < len(part) and part[pos] == " ":
            pos += 1
    if not names:
        raise DataError(f"{where}: a name is missing on one side of the arrow.")
    return names


def _split_arrows(line: str, where: str) -> list[str]:
    """Split a line at arrows that are outside backticks."""
    parts: list[str] = []
    buf: list[str] = []
    quoted, i = False, 0
    while i < len(line):
        ch = line[i]
        if ch == "`":
            quoted = not quoted
        if not quoted:
            arrow = next((a for a in _ARROWS if line.startswith(a, i)), None)
            if arrow:
                parts.append("".join(buf))
                buf = []
                i += len(arrow)
                continue
        buf.append(ch)
        i += 1
    if quoted:
        raise DataError(f"{where}: a backtick (`) opens a name and is never closed.")
    parts.append("".join(buf))
    return parts


def _check_acyclic(edges: Iterable[tuple[str, str]]) -> None:
    graph = nx.DiGraph(list(edges))
    try:
        cycle = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return
    path = " → ".join([code_span(a) for a, _ in cycle] + [code_span(cycle[0][0])])
    raise DataError(f"the edges form a cycle: {path}. A cause cannot depend on its own effect.")


def parse_edges(text: str, columns: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """Read a declared causal graph from lines like ``a, b -> y``.

    Each line lists causes, an arrow (``->``, ``→`` or ``=>``) and effects;
    chains (``a -> b -> y``) are allowed; blank lines and lines starting with
    ``#`` are skipped. A name holding a comma or an arrow goes in backticks.

    Parameters
    ----------
    text : str
    columns : sequence of str
        The table's columns: every name must be one of them.

    Returns
    -------
    tuple of (str, str)
        (cause, effect) pairs, in the order written, without repeats.

    Raises
    ------
    DataError
        Naming the line for an unknown column (with a "did you mean"), a
        missing arrow or name, a self-loop; naming the cycle if there is one.
    """
    if not isinstance(text, str):
        raise DataError("the edge list must be text.")
    if len(text) > MAX_EDGES_TEXT:
        raise DataError(f"the edge list is longer than {MAX_EDGES_TEXT:,} characters.")
    known = [str(c) for c in columns]
    known_set = set(known)
    edges: dict[tuple[str, str], None] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"line {number}"
        parts = _split_arrows(line, where)
        if len(parts) < 2:
            raise DataError(
                f"{where}: no arrow. Write causes, an arrow, then effects, e.g. `dose -> relief`."
            )
        groups = [_split_names(p, where) for p in parts]
        for group in groups:
            for name in group:
                if name not in known_set:
                    raise DataError(
                        f"{where}: {code_span(name)} is not a column{did_you_mean(name, known) or '.'}"
                    )
        for causes, effects in zip(groups, groups[1:], strict=False):
            for a in causes:
                for b in effects:
                    if a == b:
                        raise DataError(f"{where}: {code_span(a)} cannot cause itself.")
                    edges[(a, b)] = None
    _check_acyclic(edges)
    return tuple(edges)


def _quote_name(name: str) -> str:
    if (
        name != name.strip()
        or not name
        or "," in name
        or name.startswith("#")
        or any(a in name for a in _ARROWS)
    ) and "`" not in name:
        return f"`{name}`"
    return name


def edges_to_text(edges: Iterable[tuple[str, str]]) -> str:
    """Write edges as lines ``a, b -> y``, one line per effect (:func:`parse_edges` reads it back)."""
    by_effect: dict[str, list[str]] = {}
    for a, b in edges:
        causes = by_effect.setdefault(b, [])
        if a not in causes:
            causes.append(a)
    return "\n".join(
        f"{', '.join(_quote_name(a) for a in causes)} -> {_quote_name(b)}"
        for b, causes in by_effect.items()
    )


def adjacency_frame(edges: Iterable[tuple[str, str]], columns: Sequence[str]) -> pd.DataFrame:
    """A boolean adjacency table: ``frame.loc[cause, effect]`` is True for each edge.

    Edges that name columns not in ``columns`` are left out.
    """
    cols = [str(c) for c in columns]
    frame = pd.DataFrame(False, index=pd.Index(cols, name="cause"), columns=cols)
    frame.columns.name = "effect"
    for a, b in edges:
        if a in frame.index and b in frame.columns:
            frame.loc[a, b] = True
    return frame


def edges_from_adjacency(frame: pd.DataFrame) -> tuple[tuple[str, str], ...]:
    """The edges of an adjacency table (rows = cause, columns = effect).

    Cells may be booleans, 0/1 or empty (``None``/NaN, read as no edge).

    Raises
    ------
    DataError
        For a self-loop (a ticked diagonal cell) or a cycle (naming it).
    """
    rows = [str(r) for r in frame.index]
    cols = [str(c) for c in frame.columns]
    values = frame.to_numpy(dtype=object)
    edges: list[tuple[str, str]] = []
    for i, a in enumerate(rows):
        for j, b in enumerate(cols):
            cell = values[i, j]
            if cell is None or (isinstance(cell, float) and np.isnan(cell)) or cell is pd.NA:
                continue
            if bool(cell):
                if a == b:
                    raise DataError(
                        f"{code_span(a)} cannot cause itself: untick its diagonal cell."
                    )
                edges.append((a, b))
    _check_acyclic(edges)
    return tuple(edges)


# ----------------------------------------------------------------------------- setup


def check_setup(setup: TableSetup, columns: Sequence[str]) -> list[str]:
    """Problems with a setup, as sentences (empty when it can be used).

    Checks: the target, features, environment and edges name columns; the
    target is not also a feature; the environment is neither the target nor a
    feature; there is at least one feature; the edges have no cycle.
    """
    known = [str(c) for c in columns]
    known_set = set(known)
    problems: list[str] = []

    def unknown(what: str, name: str) -> None:
        problems.append(
            f"{what} {code_span(name)} is not a column of the table{did_you_mean(name, known) or '.'}"
        )

    if not setup.target:
        problems.append("choose a target to predict.")
    elif setup.target not in known_set:
        unknown("the target", setup.target)
    if not setup.features:
        problems.append("choose at least one feature to predict from.")
    for f in setup.features:
        if f not in known_set:
            unknown("the feature", f)
    if len(set(setup.features)) != len(setup.features):
        problems.append("a feature is chosen twice.")
    if setup.target and setup.target in setup.features:
        problems.append(
            f"the target {code_span(setup.target)} is also a feature: a model cannot predict a "
            f"column from itself."
        )
    env = setup.environment
    if env is not None:
        if env not in known_set:
            unknown("the environment column", env)
        if env == setup.target:
            problems.append(
                f"the environment column {code_span(env)} is the target: choose another column "
                f"to mark environments."
            )
        if env in setup.features:
            problems.append(
                f"the environment column {code_span(env)} is also a feature: the models would "
                f"be told which environment each row comes from."
            )
    for a, b in setup.edges:
        for name in (a, b):
            if name not in known_set:
                unknown("the edge list names", name)
    try:
        _check_acyclic(setup.edges)
    except DataError as exc:
        problems.append(str(exc))
    return list(dict.fromkeys(problems))


def require_setup(setup: TableSetup, columns: Sequence[str]) -> None:
    problems = check_setup(setup, columns)
    if problems:
        raise DataError(" ".join(p[0].upper() + p[1:] for p in problems))
