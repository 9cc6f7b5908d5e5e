"""The scenario builder's engine: editable tables in, a validated scenario out.

A teacher writes a world as two tables, one row per node and one row per
intervention of a preset, plus a few fields (title, target, features...).
:func:`build_scenario` turns them into a :class:`~lib.world.scenarios.Scenario`
with the engine's own validation (:func:`lib.world.expressions.compile_equation`,
:func:`lib.world.scenarios.scenario_from_dict`), and maps every problem to the row
that caused it, so a page can show errors as the user types. It never raises
for user input.

>>> meta, nodes, presets = blank_meta(), nodes_frame(None), presets_frame(None)
>>> result = build_scenario(meta, nodes, presets)
>>> result.ok, result.scenario.scm.nodes
(True, ('x', 'y'))
>>> nodes.loc[1, "equation"] = "2 * xx + normal(0, 1)"
>>> build_scenario(meta, nodes, presets).row_errors[1]
'character 5: `xx`: unknown name `xx`; did you mean `x`?'

Text that a page shows (titles, units, descriptions, preset names) is checked
here too: HTML tags, ``javascript:`` links and (in one-line labels) Markdown
markup are refused, so that a world can never inject markup into a page.
"""

from __future__ import annotations

import keyword
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import pandas as pd

from lib.errors import ExpressionError, LabError, ScenarioError, did_you_mean
from lib.text.escape import inert
from lib.world.expressions import (
    CONSTANTS,
    FUNCTIONS,
    MAX_LENGTH,
    NOISE,
    CompiledEquation,
    compile_equation,
)
from lib.world.interventions import KINDS, Intervention, intervention_from_dict
from lib.world.scenarios import Scenario, scenario_from_dict, scenario_to_toml
from lib.world.scm import MAX_NODES, MAX_SAMPLE_WORK, SCM, NonFiniteError, check_name
from lib.world.toml_io import parse_toml

__all__ = [
    "AMOUNT_MEANING",
    "MAX_PRESET_ROWS",
    "MAX_TABLE_ROWS",
    "MAX_UPLOAD_BYTES",
    "NODE_COLUMNS",
    "PRESET_COLUMNS",
    "TRIAL_ROWS",
    "BuildResult",
    "blank_meta",
    "build_scenario",
    "cell_text",
    "changed_equations",
    "draft_notes",
    "equation_problems",
    "find_rename",
    "meta_from",
    "nodes_frame",
    "presets_frame",
    "remember_parents",
    "rename_node",
    "scenario_from_upload",
    "scenario_to_toml",
]

#: Columns of the node table.
NODE_COLUMNS = ("name", "equation", "unit", "description", "observed", "measures")
#: Columns of the preset table: one row per intervention; rows with the same
#: preset name form one preset, in order.
PRESET_COLUMNS = ("preset", "kind", "node", "amount", "strength", "description", "why")
#: What the ``amount`` column means for each kind of intervention.
AMOUNT_MEANING: dict[str, str] = {
    "do": "the value the node is set to",
    "shift": "how much is added to the node",
    "scale_noise": "the factor its noise spread is multiplied by",
    "replace": "the node's new equation",
}
_AMOUNT_FIELD = {"do": "value", "shift": "delta", "scale_noise": "factor", "replace": "equation"}
#: Most preset rows (interventions) in one world.
MAX_PRESET_ROWS = 100
#: Most rows read from either table (blank ones included): a pasted sheet cannot stall a rerun.
MAX_TABLE_ROWS = 200
#: Largest scenario file accepted for upload (bytes).
MAX_UPLOAD_BYTES = 200_000
#: Rows of the trial sample that checks a world (and each preset) gives finite numbers.
TRIAL_ROWS = 300

# Longest text per field, and whether the field is a one-line label (no Markdown).
_TEXT_FIELDS: dict[str, tuple[int, bool]] = {
    "title": (100, True),
    "summary": (400, False),
    "story": (10_000, False),
    "unit": (30, True),
    "description": (300, False),
    "preset": (40, True),
    "why": (500, False),
}
_LABEL_RE = re.compile(r"[\w .,;:/()%°'’+\-–—?!&=]*")
_HTML_RE = re.compile(r"<\s*[A-Za-z/!?]")
_SCHEME_RE = re.compile(r"(javascript|vbscript|data|file)\s*:", re.IGNORECASE)
_BLANK_META: dict[str, Any] = {
    "id": "",  # made from the title
    "title": "My world",
    "summary": "A world of my own: x causes y.",
    "story": "",
    "target": "y",
    "features": ["x"],
    "default_n": 2000,
    "order": 100,
}
_META_FIELDS = ("id", "title", "summary", "story", "target", "features", "default_n", "order")


@dataclass(frozen=True)
class BuildResult:
    """What :func:`build_scenario` made of the tables.

    Attributes
    ----------
    scenario : Scenario or None
        The world, when there is no error at all.
    row_errors : dict of int to str
        Node-table row (0-based position) -> what is wrong with it.
    preset_errors : dict of int to str
        Preset-table row (0-based position) -> what is wrong with it.
    errors : list of str
        Problems of the whole model (cycle, duplicate names, target...).
    graph : networkx.DiGraph
        The graph of every row whose name is valid, with the edges of every
        equation that compiles: drawable even while other rows have errors.
        Node attributes: ``row``, ``unit``, ``observed``, ``error`` (its row
        has an error). A node whose equation does not compile keeps the
        arrows of its last valid equation (see ``stale``): those edges have
        the attribute ``stale=True``.
    names : dict of int to str
        Node-table row -> its valid node name.
    preset_names : dict of int to str
        Preset-table row -> its valid preset name.
    parents : dict of str to tuple of str
        Node -> the parents its equation reads, for every equation that
        compiles now (what a page remembers for :func:`remember_parents`).
    stale : dict of str to tuple of str
        Node whose equation does not compile -> the parents of its last valid
        equation that are still nodes (drawn dashed). Empty tuple when none
        is known.
    """

    scenario: Scenario | None
    row_errors: dict[int, str] = field(default_factory=dict)
    preset_errors: dict[int, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    graph: nx.DiGraph = field(default_factory=nx.DiGraph)
    names: dict[int, str] = field(default_factory=dict)
    preset_names: dict[int, str] = field(default_factory=dict)
    parents: dict[str, tuple[str, ...]] = field(default_factory=dict)
    stale: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the tables make a valid scenario."""
        return self.scenario is not None

    def messages(self) -> list[str]:
        """Every problem as one Markdown line: whole-model errors, then by row.

        Rows are numbered from 1, as a person counts them; names are shown in
        code style only when they are valid identifiers (inert).
        """
        return [*self.errors, *self.node_messages(), *self.preset_messages()]

    def node_messages(self) -> list[str]:
        """The node table's problems, one line per row (``Node row 2, `y`: ...``)."""
        return _by_row(self.row_errors, "Node", {i: f", `{n}`" for i, n in self.names.items()})

    def preset_messages(self) -> list[str]:
        """The preset table's problems, one line per row (``Preset row 1 (Tylenol): ...``)."""
        return _by_row(
            self.preset_errors, "Preset", {i: f" ({n})" for i, n in self.preset_names.items()}
        )


def _by_row(errors: dict[int, str], table: str, named: dict[int, str]) -> list[str]:
    """``<table> row <i + 1><its name>: <message>``, one line per row in order."""
    return [f"{table} row {i + 1}{named.get(i, '')}: {msg}" for i, msg in sorted(errors.items())]


# ----------------------------------------------------------------------------- frames


def blank_meta() -> dict[str, Any]:
    """The fields of the starter world (``x → y``)."""
    return {k: (list(v) if isinstance(v, list) else v) for k, v in _BLANK_META.items()}


def meta_from(sc: Scenario | None) -> dict[str, Any]:
    """The scenario's own fields (id, title, summary, story, target, features...).

    Fields the builder does not edit (e.g. tables added to the scenario format
    later) are kept under ``"extra"`` so that a copy keeps them.
    """
    if sc is None:
        return blank_meta()
    meta: dict[str, Any] = {
        "id": sc.id,
        "title": sc.title,
        "summary": sc.summary,
        "story": sc.story,
        "target": sc.target,
        "features": list(sc.features),
        "default_n": sc.default_n,
        "order": sc.order,
    }
    spec = parse_toml(scenario_to_toml(sc))
    extra = {k: v for k, v in spec.items() if k not in (*_META_FIELDS, "nodes", "presets")}
    if extra:
        meta["extra"] = extra
    return meta


def nodes_frame(sc: Scenario | None) -> pd.DataFrame:
    """The node table of a scenario (or of the starter world ``x → y``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`NODE_COLUMNS`, one row per node in the file's order;
        ``observed`` is a nullable boolean (a blank row reads <NA>), the others text.
    """
    rows: list[dict[str, Any]]
    if sc is None:
        rows = [
            {"name": "x", "equation": "normal(0, 1)", "description": "a cause"},
            {"name": "y", "equation": "2 * x + normal(0, 1)", "description": "its effect"},
        ]
    else:
        rows = [
            {
                "name": s.name,
                "equation": s.equation,
                "unit": s.unit,
                "description": s.description,
                "observed": s.observed,
                "measures": s.measures or "",
            }
            for s in sc.scm.specs.values()
        ]
    df = pd.DataFrame(rows, columns=list(NODE_COLUMNS))
    for col in NODE_COLUMNS:
        if col == "observed":
            df[col] = df[col].map(lambda v: True if v is None or v != v else bool(v))
            df[col] = df[col].astype("boolean")  # nullable: a new blank row holds <NA>
        else:
            df[col] = df[col].astype(object).where(df[col].notna(), "")
    return df


def _amount_text(iv: Intervention) -> str:
    value = iv.to_dict()[_AMOUNT_FIELD[iv.kind]]
    return value if isinstance(value, str) else repr(float(value))


def presets_frame(sc: Scenario | None) -> pd.DataFrame:
    """The preset table: one row per intervention, rows of a preset together.

    The preset's description and reason (``why``) are on its first row.
    The starter world has one preset, ``Set x to 1``.
    """
    rows: list[dict[str, Any]] = []
    if sc is None:
        rows.append(
            {
                "preset": "Set x to 1",
                "kind": "do",
                "node": "x",
                "amount": "1.0",
                "strength": 1.0,
                "description": "everyone gets x = 1",
                "why": "",
            }
        )
    else:
        for name, preset in sc.presets.items():
            for k, iv in enumerate(preset):
                rows.append(
                    {
                        "preset": name,
                        "kind": iv.kind,
                        "node": iv.node,
                        "amount": _amount_text(iv),
                        "strength": float(iv.strength),
                        "description": preset.description if k == 0 else "",
                        "why": sc.preset_why.get(name, "") if k == 0 else "",
                    }
                )
    df = pd.DataFrame(rows, columns=list(PRESET_COLUMNS))
    for col in PRESET_COLUMNS:
        if col == "strength":
            df[col] = df[col].astype(float)
        else:
            df[col] = df[col].astype(object).where(df[col].notna(), "")
    return df


# ----------------------------------------------------------------------------- cells


def cell_text(value: Any) -> str:
    """A table cell as stripped text ('' for None, NaN and friends)."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value).strip()


def _flag(value: Any, default: bool = True) -> bool:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return default
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("", "none", "nan"):
            return default
        return text not in ("false", "no", "0", "n", "f")
    try:
        return bool(value)
    except (TypeError, ValueError):
        return default


def _rows(df: Any, columns: tuple[str, ...], errors: list[str], what: str) -> list[dict[str, Any]]:
    """Rows of an edited table as dicts (missing columns read as blank).

    At most :data:`MAX_TABLE_ROWS` rows are read; more is an error in ``errors``.
    """
    if df is None:
        return []
    if not isinstance(df, pd.DataFrame):
        try:
            df = pd.DataFrame(df)
        except (TypeError, ValueError):
            return []
    if len(df) > MAX_TABLE_ROWS:
        errors.append(f"the {what} table has {len(df):,} rows; at most {MAX_TABLE_ROWS} are read.")
        df = df.iloc[:MAX_TABLE_ROWS]
    out = []
    for _, row in df.iterrows():
        out.append({c: (row[c] if c in df.columns else None) for c in columns})
    return out


def text_problem(value: str, what: str) -> str | None:
    """Why a piece of text cannot be shown on a page, or ``None``.

    Parameters
    ----------
    value : str
        The text.
    what : str
        Its field: ``title``, ``summary``, ``story``, ``unit``,
        ``description``, ``preset`` or ``why``.
    """
    limit, label = _TEXT_FIELDS[what]
    if len(value) > limit:
        return f"the {what} is {len(value):,} characters long; at most {limit:,} are allowed."
    if _HTML_RE.search(value):
        return f"the {what} contains an HTML tag (`<...`); write plain text."
    if _SCHEME_RE.search(value):
        return f"the {what} contains a link to a script or file; only plain text is allowed."
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in value):
        return f"the {what} contains a control character; retype it."
    if label:
        if "\n" in value:
            return f"the {what} must fit on one line."
        if not _LABEL_RE.fullmatch(value):
            bad = sorted({ch for ch in value if not _LABEL_RE.fullmatch(ch)})
            shown = " ".join(inert(ch) for ch in bad[:5])
            return (
                f"the {what} may only use letters, digits, spaces and . , ; : / ( ) % ° ' + - ? ! & =; "
                f"remove {shown}."
            )
    return None


def _short(exc: LabError) -> str:
    """An engine message without the long list of what is allowed (shown once on the page)."""
    return exc.message


# An identifier that is not part of a number (``1e5``) or an attribute (``np.sin``),
# and whether a call's bracket or a keyword argument's ``=`` follows it.
_WORD_RE = re.compile(r"(?<![\w.])([A-Za-z_]\w*)\s*(\(|=(?!=))?")
_QUOTED_RE = re.compile(r"\"[^\"]*\"?|'[^']*'?")
#: Most extra problems listed for one equation (after the compiler's own).
MAX_EXTRA_PROBLEMS = 5


def _compile_all(text: str, names: list[str]) -> tuple[CompiledEquation | None, list[str]]:
    """Compile an equation; on failure, every problem that can be found in it.

    The compiler stops at its first problem. When it fails, the text is also
    read with a tolerant tokenizer (it needs no valid syntax) and every unknown
    name or function is listed, with a "did you mean" where one is close.
    """
    try:
        return compile_equation(text, names), []
    except ExpressionError as exc:
        first, said = _short(exc), exc.name  # the name the compiler's message is about
    problems = [first]
    if len(text) > MAX_LENGTH:  # the compiler said so; nothing more to read
        return None, problems
    seen: set[str] = set()
    extra: list[str] = []
    for m in _WORD_RE.finditer(_QUOTED_RE.sub(" ", text)):
        word, after = m.group(1), m.group(2)
        if word in seen or keyword.iskeyword(word) or keyword.issoftkeyword(word):
            continue
        seen.add(word)
        if word == said or after == "=":  # already said, or a keyword argument
            continue
        if after == "(":
            if word not in FUNCTIONS and word not in NOISE:
                hint = did_you_mean(word, [*FUNCTIONS, *NOISE])
                extra.append(f"unknown function `{word}`{hint or '.'}")
        elif (
            word not in names
            and word not in CONSTANTS
            and word not in FUNCTIONS
            and (word not in NOISE)
        ):
            extra.append(f"unknown name `{word}`{did_you_mean(word, [*names, *CONSTANTS]) or '.'}")
    if len(extra) > MAX_EXTRA_PROBLEMS:
        more = len(extra) - MAX_EXTRA_PROBLEMS
        extra = [*extra[:MAX_EXTRA_PROBLEMS], f"{more} more unknown name(s)."]
    return None, problems + extra


def equation_problems(text: str, names: Iterable[str]) -> list[str]:
    """Every problem found in one equation (empty when it compiles).

    Parameters
    ----------
    text : str
        The equation as typed.
    names : iterable of str
        The names it may use.

    Returns
    -------
    list of str
        The compiler's message first (without the list of what is allowed),
        then each other unknown name or function, found even when the text
        does not parse.

    Examples
    --------
    >>> equation_problems("2 * dopamine - 0.5 * headach + normal(0, 1", ["dopamine", "headache"])
    ["character 38: '(' was never closed (check for a missing operand, an unbalanced bracket \
or a stray symbol).", 'unknown name `headach`; did you mean `headache`?']
    """
    return _compile_all(text, list(names))[1]


def _join(problems: list[str]) -> str:
    return " Also: ".join(problems)


def _add(row_errors: dict[int, str], i: int, message: str) -> None:
    """Record a problem of row ``i`` after any already found."""
    row_errors[i] = _join([row_errors[i], message]) if i in row_errors else message


# ----------------------------------------------------------------------------- build


def _node_rows(
    rows: list[dict[str, Any]],
) -> tuple[dict[int, dict[str, Any]], dict[int, str], dict[int, str], list[str]]:
    """Parse the node table: body per good row, row errors, valid names, model errors."""
    errors: list[str] = []
    row_errors: dict[int, str] = {}
    names: dict[int, str] = {}
    bodies: dict[int, dict[str, Any]] = {}
    first_row: dict[str, int] = {}
    for i, raw in enumerate(rows):
        cells = {c: cell_text(raw.get(c)) for c in NODE_COLUMNS if c != "observed"}
        if not any(cells.values()):
            continue  # a blank row (e.g. the editor's new empty row)
        name = cells["name"]
        if not name:
            row_errors[i] = "give this node a name (a letter, then letters, digits or _)."
            continue
        try:
            check_name(name)
        except ScenarioError as exc:
            if re.fullmatch(r"[A-Za-z0-9_]{1,40}", name):
                row_errors[i] = str(exc)
            else:
                row_errors[i] = (
                    f"the name “{inert(name, 40)}” is not valid: use a letter, then letters, "
                    "digits or underscores (at most 40), e.g. `blood_pressure`."
                )
            continue
        if name in first_row:
            row_errors[i] = f"`{name}` is already the name of row {first_row[name] + 1}."
            errors.append(
                f"node `{name}` is defined twice (rows {first_row[name] + 1} and {i + 1})."
            )
            continue
        first_row[name] = i
        names[i] = name
        body: dict[str, Any] = {"equation": cells["equation"]}
        for key in ("unit", "description"):
            problem = text_problem(cells[key], key) if cells[key] else None
            if problem:
                row_errors[i] = problem
            elif cells[key]:
                body[key] = cells[key]
        if not _flag(raw.get("observed")):
            body["observed"] = False
        if cells["measures"]:
            body["measures"] = cells["measures"]
        bodies[i] = body
    if len(names) > MAX_NODES:
        errors.append(f"a world can have at most {MAX_NODES} nodes, not {len(names)}.")
    return bodies, row_errors, names, errors


def _cycle_message(graph: nx.DiGraph) -> tuple[str, list[str]] | None:
    try:
        cycle = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return None
    members = [edge[0] for edge in cycle]
    path = " → ".join(f"`{n}`" for n in [*members, members[0]])
    return (
        f"the equations form a cycle: {path}. A cause cannot depend on its effect: "
        "remove one of these names from the equation that reads it.",
        members,
    )


def _parse_presets(
    rows: list[dict[str, Any]], names: list[str]
) -> tuple[
    dict[str, list[tuple[int, Intervention]]],
    dict[str, dict[str, Any]],
    dict[int, str],
    dict[int, str],
    list[str],
]:
    """Parse the preset table: interventions by preset, their texts, row errors."""
    errors: list[str] = []
    row_errors: dict[int, str] = {}
    pnames: dict[int, str] = {}
    groups: dict[str, list[tuple[int, Intervention]]] = {}
    texts: dict[str, dict[str, Any]] = {}
    used = 0
    for j, raw in enumerate(rows):
        cells = {c: cell_text(raw.get(c)) for c in PRESET_COLUMNS if c != "strength"}
        strength_raw = raw.get("strength")
        if not any(cells.values()):
            continue
        used += 1
        if used > MAX_PRESET_ROWS:
            errors.append(f"at most {MAX_PRESET_ROWS} preset rows are allowed.")
            break
        pname = cells["preset"]
        if not pname:
            row_errors[j] = "give this preset a name (rows with the same name form one preset)."
            continue
        problem = text_problem(pname, "preset")
        if problem:
            row_errors[j] = problem
            continue
        pnames[j] = pname
        kind = cells["kind"].lower().replace(" ", "_").replace("-", "_")
        if kind not in KINDS:
            hint = did_you_mean(kind, list(KINDS)) if kind else ""
            row_errors[j] = f"the kind must be one of {', '.join(f'`{k}`' for k in KINDS)}" + (
                hint or "."
            )
            continue
        node = cells["node"]
        if node not in names:
            if not node:
                row_errors[j] = "say which node this intervention changes."
            elif re.fullmatch(r"[A-Za-z0-9_]{1,40}", node):
                row_errors[j] = f"`{node}` is not a node{did_you_mean(node, names) or '.'}"
            else:
                row_errors[j] = f"“{inert(node, 40)}” is not a node."
            continue
        amount_text = cells["amount"]
        amount: Any = amount_text
        if not amount_text:
            row_errors[j] = f"the amount is missing: {AMOUNT_MEANING[kind]}."
            continue
        if kind == "replace":
            try:
                compile_equation(amount_text, names)
            except ExpressionError as exc:
                row_errors[j] = f"new equation for `{node}`: {_short(exc)}"
                continue
        else:
            try:
                amount = float(amount_text)
            except ValueError:
                row_errors[j] = (
                    f"the amount must be a number ({AMOUNT_MEANING[kind]}), e.g. `1.5`, "
                    f"not “{inert(amount_text, 30)}”."
                )
                continue
        strength: Any = 1.0
        if not (strength_raw is None or cell_text(strength_raw) == ""):
            try:
                strength = float(strength_raw)
            except (TypeError, ValueError):
                row_errors[j] = "the strength must be a number from 0 to 1."
                continue
        spec = {"kind": kind, "node": node, _AMOUNT_FIELD[kind]: amount}
        if strength != 1.0:
            spec["strength"] = strength
        try:
            iv = intervention_from_dict(spec, "this intervention")
        except ScenarioError as exc:
            row_errors[j] = str(exc).removeprefix("this intervention: ")
            continue
        mine = texts.setdefault(pname, {"row": j})
        for key in ("description", "why"):
            value = cells[key]
            if not value:
                continue
            problem = text_problem(value, "description" if key == "description" else "why")
            if problem:
                row_errors[j] = problem
            elif key in mine and mine[key] != value:
                row_errors[j] = (
                    f"the preset already has a {key} (row {mine['row'] + 1}); "
                    "leave this one blank or make them the same."
                )
            else:
                mine[key] = value
        groups.setdefault(pname, []).append((j, iv))
    return groups, texts, row_errors, pnames, errors


def build_scenario(
    meta: Mapping[str, Any],
    nodes: Any,
    presets: Any,
    last_parents: Mapping[str, Iterable[str]] | None = None,
) -> BuildResult:
    """Turn the builder's fields and tables into a scenario, or say per row what is wrong.

    Parameters
    ----------
    meta : mapping
        ``id`` (made from the title when blank), ``title``, ``summary``,
        ``story``, ``target``, ``features`` (a list of node names), and
        optionally ``default_n``, ``order`` and ``extra`` (other scenario
        fields, kept as they are).
    nodes : pandas.DataFrame
        The node table (:data:`NODE_COLUMNS`); blank rows are ignored.
    presets : pandas.DataFrame
        The preset table (:data:`PRESET_COLUMNS`); blank rows are ignored.
    last_parents : mapping of str to iterable of str, optional
        Node -> the parents of its last valid equation (what
        :func:`remember_parents` keeps between edits). A node whose equation
        does not compile now keeps these arrows in ``graph``, marked stale.

    Returns
    -------
    BuildResult
        The scenario when everything is valid, else ``None`` and the errors
        (by node row, by preset row, and for the whole model), with the graph
        of whatever parses. Never raises for bad input.
    """
    too_long: list[str] = []
    node_rows = _rows(nodes, NODE_COLUMNS, too_long, "node")
    bodies, row_errors, names_by_row, errors = _node_rows(node_rows)
    errors[:0] = too_long
    names = list(names_by_row.values())
    row_of = {name: i for i, name in names_by_row.items()}

    graph = nx.DiGraph()
    for i, name in names_by_row.items():
        body = bodies[i]
        graph.add_node(name, row=i, unit=body.get("unit", ""), observed=body.get("observed", True))
    parents: dict[str, tuple[str, ...]] = {}
    broken: list[str] = []
    for i, name in names_by_row.items():
        # Compiled even when the row has another problem (e.g. its unit), so that
        # its arrows are drawn and every problem of the row is said at once.
        eq, problems = _compile_all(bodies[i]["equation"], names)
        if eq is None:
            _add(row_errors, i, _join(problems))
            broken.append(name)
            continue
        parents[name] = tuple(sorted(eq.names))
        graph.add_edges_from((parent, name) for parent in parents[name])
        measures = bodies[i].get("measures")
        if measures is not None and measures not in row_of:
            shown = f"`{measures}`" if re.fullmatch(r"\w{1,40}", measures) else "that name"
            _add(
                row_errors,
                i,
                f"it measures {shown}, which is not a node{did_you_mean(measures, names) or '.'}",
            )
        elif measures == name:
            _add(row_errors, i, "a node cannot measure itself.")
    cycle = _cycle_message(graph)
    if cycle is not None:
        message, members = cycle
        errors.append(message)
        for n in members:
            row_errors.setdefault(row_of[n], "part of a cycle (see above).")
    # A node whose equation is broken keeps the arrows of its last valid one (marked).
    stale: dict[str, tuple[str, ...]] = {}
    for name in broken:
        known = (last_parents or {}).get(name, ())
        if isinstance(known, str):
            known = (known,)
        stale[name] = tuple(p for p in dict.fromkeys(known) if p in graph and p != name)
        graph.add_edges_from(((p, name) for p in stale[name]), stale=True)

    preset_rows = _rows(presets, PRESET_COLUMNS, errors, "preset")
    groups, texts, preset_errors, pnames, perrors = _parse_presets(preset_rows, names)
    errors.extend(perrors)

    meta_errors, spec = _meta_spec(meta, names)
    errors.extend(meta_errors)
    if not names and not row_errors:
        errors.append("the world has no nodes yet: add a row with a name and an equation.")

    def result(scenario: Scenario | None) -> BuildResult:
        for _, data in graph.nodes(data=True):
            data["error"] = data["row"] in row_errors
        return BuildResult(
            scenario,
            row_errors,
            preset_errors,
            errors,
            graph,
            names_by_row,
            pnames,
            parents,
            stale,
        )

    if errors or row_errors:
        # Presets can still be checked against the nodes that are valid.
        if not cycle and not row_errors:
            _check_presets_on(bodies, names_by_row, groups, preset_errors)
        return result(None)

    spec["nodes"] = {names_by_row[i]: bodies[i] for i in sorted(bodies)}
    spec["presets"] = {}
    for pname, items in groups.items():
        pbody: dict[str, Any] = {"interventions": [iv.to_dict() for _, iv in items]}
        for key in ("description", "why"):
            if texts[pname].get(key):
                pbody[key] = texts[pname][key]
        spec["presets"][pname] = pbody
    try:
        scenario = scenario_from_dict(spec)
    except ScenarioError as exc:
        # where it belongs, from the error's fields (never from its words)
        if exc.preset in groups:
            preset_errors[groups[exc.preset][0][0]] = exc.after("preset")
        elif exc.node in row_of:
            row_errors[row_of[exc.node]] = exc.after("node")
        else:
            errors.append(exc.after("scenario"))
        return result(None)
    most = scenario.scm.max_rows()
    if scenario.default_n > most:
        errors.append(
            f"{scenario.default_n:,} rows by default is too many for this world: its equations "
            f"cost about {scenario.scm.cost_per_row:,.0f} steps per row, so a sample may have at "
            f"most {most:,} rows (about {MAX_SAMPLE_WORK:,.0f} steps, a fraction of a second). "
            "Lower the default rows, or simplify the equations."
        )
        return result(None)
    _trial(scenario, row_of, groups, row_errors, preset_errors, errors)
    return result(None if (errors or row_errors or preset_errors) else scenario)


def _check_presets_on(
    bodies: dict[int, dict[str, Any]],
    names_by_row: dict[int, str],
    groups: dict[str, list[tuple[int, Intervention]]],
    preset_errors: dict[int, str],
) -> None:
    """Check each preset row against the model (e.g. a replacement that makes a cycle)."""
    try:
        scm = SCM.from_dict({"nodes": {names_by_row[i]: bodies[i] for i in bodies}})
    except ScenarioError:
        return
    for items in groups.values():
        for j, iv in items:
            if j in preset_errors:
                continue
            try:
                scm.intervene(iv)
            except ScenarioError as exc:
                preset_errors[j] = _short(exc)


def _meta_spec(meta: Mapping[str, Any], names: list[str]) -> tuple[list[str], dict[str, Any]]:
    """Check the scenario's own fields; the spec for :func:`scenario_from_dict`."""
    errors: list[str] = []
    if not isinstance(meta, Mapping):
        return ["the scenario's fields are missing."], {}
    spec: dict[str, Any] = {}
    extra = meta.get("extra")
    if isinstance(extra, Mapping):
        spec.update(extra)
    for key in ("title", "summary", "story"):
        value = cell_text(meta.get(key))
        if key == "story" and value:  # Markdown: keep its line breaks as written
            value = str(meta.get(key))
        problem = text_problem(value, key) if value else None
        if problem:
            errors.append(problem)
        spec[key] = value
    if not spec["title"]:
        errors.append("give the world a title.")
    sid = cell_text(meta.get("id")) or _slug(spec["title"])
    spec["id"] = sid if re.fullmatch(r"[a-z][a-z0-9_-]{0,39}", sid) else _slug(sid)
    target = cell_text(meta.get("target"))
    if not target:
        errors.append("choose the target: the node the models predict.")
    elif target not in names and names:
        shown = f"`{target}`" if re.fullmatch(r"\w{1,40}", target) else "the chosen target"
        errors.append(f"the target {shown} is not a node{did_you_mean(target, names) or '.'}")
    spec["target"] = target
    features = meta.get("features")
    if features is not None:
        features = feature_list(features)
        missing = [f for f in features if f not in names]
        if missing and names:
            shown = ", ".join(
                f"`{f}`" if re.fullmatch(r"\w{1,40}", f) else "(a bad name)" for f in missing
            )
            errors.append(f"feature(s) {shown} are not nodes; pick features from the table.")
        spec["features"] = features
    for key, default in (("default_n", 2000), ("order", 100)):
        value = meta.get(key, default)
        spec[key] = value if isinstance(value, int) and not isinstance(value, bool) else default
    return errors, spec


def feature_list(value: Any) -> list[str]:
    """Feature names from a list (or comma-separated text); anything else is none."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple | pd.Index | pd.Series):
        return []
    return [cell_text(f) for f in value if cell_text(f)]


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    if not slug or not slug[0].isalpha():
        slug = "world_" + slug
    return slug[:40].rstrip("_") or "my_world"


def _trial(
    sc: Scenario,
    row_of: dict[str, int],
    groups: dict[str, list[tuple[int, Intervention]]],
    row_errors: dict[int, str],
    preset_errors: dict[int, str],
    errors: list[str],
) -> None:
    """Sample a few rows, plain and under each preset: NaN, inf or a bad draw is an error."""
    try:
        sc.scm.sample(TRIAL_ROWS, seed=0)
    except NonFiniteError as exc:
        row_errors[row_of[exc.node]] = (
            f"gives {exc.count} of {exc.n} trial rows that are not finite numbers (NaN or "
            "±inf): check for log or sqrt of negative numbers, division by zero or huge values."
        )
        return
    except (ScenarioError, ExpressionError) as exc:
        errors.append(f"a trial sample of {TRIAL_ROWS} rows failed: {_short(exc)}")
        return
    for pname, preset in sc.presets.items():
        first = groups[pname][0][0]
        try:
            sc.scm.sample(TRIAL_ROWS, seed=0, interventions=preset)
        except NonFiniteError as exc:
            preset_errors[first] = (
                f"under this preset, `{exc.node}` gives {exc.count} of {exc.n} trial rows that "
                "are not finite numbers (NaN or ±inf)."
            )
        except (ScenarioError, ExpressionError) as exc:
            preset_errors[first] = f"a trial sample under this preset failed: {_short(exc)}"


def _same_text(equation: str) -> str:
    """An equation with its spacing made uniform (``2*x`` and ``2 * x`` read the same)."""
    return re.sub(r"\s*([^\w\s])\s*", r"\1", " ".join(equation.split()))


def changed_equations(original: Mapping[str, str], nodes: Any) -> list[str]:
    """Nodes whose equation differs from the original world's: rewritten, added or removed.

    A copied world keeps the original's story and preset explanations; once an
    equation changes, they may no longer be true, and a page says so.

    Parameters
    ----------
    original : mapping of str to str
        The original world's node -> equation.
    nodes : pandas.DataFrame
        The node table as edited (:data:`NODE_COLUMNS`); blank rows and rows
        without a valid name are ignored (so a renamed node is "removed").

    Returns
    -------
    list of str
        The names, in the table's order, then the removed ones in the
        original's order. Spacing differences are not changes.
    """
    now: dict[str, str] = {}
    for raw in _rows(nodes, NODE_COLUMNS, [], "node"):
        name = cell_text(raw.get("name"))
        try:
            check_name(name)
        except ScenarioError:
            continue
        now.setdefault(name, cell_text(raw.get("equation")))
    changed = [
        n for n, eq in now.items() if n not in original or _same_text(eq) != _same_text(original[n])
    ]
    return changed + [n for n in original if n not in now]


# ----------------------------------------------------------------------------- renaming


def _valid_name(text: str) -> bool:
    try:
        check_name(text)
    except ScenarioError:
        return False
    return True


def find_rename(before: Any, after: Any) -> tuple[str, str] | None:
    """The node renamed between two versions of the node table, or ``None``.

    A rename is one edit of one row's name, from a valid name to another valid
    one, that leaves the rest of the table's names as they were: the old name
    is gone, and the new one was not in the table before. Added or deleted
    rows are never renames.

    Examples
    --------
    >>> before = nodes_frame(None)
    >>> after = before.copy()
    >>> after.loc[0, "name"] = "rain"
    >>> find_rename(before, after)
    ('x', 'rain')
    """
    old_rows = [cell_text(r.get("name")) for r in _rows(before, NODE_COLUMNS, [], "node")]
    new_rows = [cell_text(r.get("name")) for r in _rows(after, NODE_COLUMNS, [], "node")]
    if len(old_rows) != len(new_rows):
        return None
    changed = [(a, b) for a, b in zip(old_rows, new_rows, strict=True) if a != b]
    if len(changed) != 1:
        return None
    old, new = changed[0]
    if not (_valid_name(old) and _valid_name(new)) or old in new_rows or new in old_rows:
        return None
    return old, new


def _rename_in(equation: str, old: str, new: str) -> str:
    """``equation`` with every use of the name ``old`` read as ``new`` (not a function's
    name, a keyword argument or part of a longer name)."""
    pattern = rf"(?<![\w.]){re.escape(old)}(?!\w)(?!\s*\()(?!\s*=(?!=))"
    return re.sub(pattern, new, equation)


def rename_node(
    nodes: pd.DataFrame, presets: pd.DataFrame, old: str, new: str
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Carry a node's new name everywhere the tables use its old one.

    Parameters
    ----------
    nodes, presets : pandas.DataFrame
        The node table (the row already renamed) and the preset table.
    old, new : str
        The node's old and new names (see :func:`find_rename`).

    Returns
    -------
    nodes, presets : pandas.DataFrame
        New tables: the equations and ``measures`` cells that read ``old``
        read ``new``; so do the presets' node cells and new equations.
    places : list of str
        Where the name was changed, as Markdown (``the equation of `y```,
        ``the preset “Set x to 1”``), each once, in the tables' order.
    """
    nodes, presets = nodes.copy(), presets.copy()
    places: list[str] = []
    for i in range(len(nodes)):
        row = nodes.index[i]
        name = cell_text(nodes.at[row, "name"]) if "name" in nodes else ""
        touched = False
        if "equation" in nodes:
            eq = cell_text(nodes.at[row, "equation"])
            if _rename_in(eq, old, new) != eq:
                nodes.at[row, "equation"], touched = _rename_in(eq, old, new), True
        if "measures" in nodes and cell_text(nodes.at[row, "measures"]) == old:
            nodes.at[row, "measures"], touched = new, True
        if touched and _valid_name(name):
            places.append(f"the equation of `{name}`")
    for j in range(len(presets)):
        row = presets.index[j]
        touched = False
        if "node" in presets and cell_text(presets.at[row, "node"]) == old:
            presets.at[row, "node"], touched = new, True
        if "amount" in presets and cell_text(presets.at[row, "kind"]) == "replace":
            amount = cell_text(presets.at[row, "amount"])
            if _rename_in(amount, old, new) != amount:
                presets.at[row, "amount"], touched = _rename_in(amount, old, new), True
        pname = cell_text(presets.at[row, "preset"]) if "preset" in presets else ""
        if touched and pname and text_problem(pname, "preset") is None:
            places.append(f"the preset “{pname}”")
    return nodes, presets, list(dict.fromkeys(places))


# ----------------------------------------------------------------------------- files and drawing


def scenario_from_upload(data: bytes | str) -> Scenario:
    """Read an uploaded scenario file (TOML text, UTF-8).

    Unlike :func:`lib.world.scenarios.scenario_from_toml`, the text is never taken
    for a file path.

    Raises
    ------
    ScenarioError
        If the file is too large, not UTF-8 text, not TOML, or not a valid
        scenario (naming the field).
    """
    if isinstance(data, bytes | bytearray):
        if len(data) > MAX_UPLOAD_BYTES:
            raise ScenarioError(
                f"the file is {len(data):,} bytes; a scenario file may have at most "
                f"{MAX_UPLOAD_BYTES:,}."
            )
        try:
            text = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ScenarioError(
                f"the file is not UTF-8 text (byte {exc.start + 1}); save it as UTF-8 "
                "and upload it again."
            ) from None
    elif isinstance(data, str):
        text = data
    else:
        raise ScenarioError("expected the contents of a .toml scenario file.")
    if len(text) > MAX_UPLOAD_BYTES:
        raise ScenarioError(f"the file is too long (at most {MAX_UPLOAD_BYTES:,} characters).")
    if not text.strip():
        raise ScenarioError("the file is empty.")
    spec = parse_toml(text, "scenario file")
    try:
        return scenario_from_dict(spec)
    except RecursionError:
        raise ScenarioError("this scenario file is nested too deeply.") from None


def remember_parents(
    memory: Mapping[str, Iterable[str]] | None, result: BuildResult
) -> dict[str, tuple[str, ...]]:
    """The parents to remember after this build, for the next :func:`build_scenario`.

    Every equation that compiles now replaces what was remembered of its node;
    a node whose equation is broken keeps its old entry; nodes that are no
    longer in the table are forgotten (the memory never grows past the table).

    Parameters
    ----------
    memory : mapping of str to iterable of str or None
        What was remembered before (node -> parents).
    result : BuildResult
        The latest build.
    """
    out: dict[str, tuple[str, ...]] = {}
    for name in result.graph.nodes:
        if name in result.parents:
            out[name] = result.parents[name]
        elif memory and name in memory and not isinstance(memory[name], str):
            out[name] = tuple(str(p) for p in memory[name])
    return out


def draft_notes(result: BuildResult) -> list[str]:
    """One Markdown line per node drawn with an error mark: what its marks mean.

    Names are valid identifiers (checked), shown in code style.
    """
    notes = []
    for name, data in result.graph.nodes(data=True):
        if name in result.stale:
            if result.stale[name]:
                notes.append(
                    f"`{name}`: showing its last valid equation's arrows (dashed grey) "
                    "until its equation is fixed."
                )
            else:
                notes.append(f"`{name}`: no arrows into it until its equation is fixed.")
        elif data.get("error"):
            notes.append(f"`{name}`: its row has an error (see above).")
    return notes
