"""A real table instead of a simulated world: choosing it, setting it up, and its state.

The sidebar's "Data from" switch picks the source of every page: a simulated
world (a scenario) or a table (a sample file, a real dataset that ships with
statsmodels, or an upload). The table, what the user chose to predict from what,
and the causes they declared live in this session's state as one frozen
:class:`TableChoice`; widgets copy their values in and out of it (like the
scenario state in :mod:`lib.ui.state`), so they survive moving between pages.
Built-in tables are linkable (``?source=table&table=grunfeld&target=invest``);
an upload lives only in the session that uploaded it.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
import streamlit as st

from lib.errors import DataError
from lib.tables.datasets import Dataset, list_datasets, load_dataset
from lib.tables.read import Table, read_table, safe_csv
from lib.tables.setup import MAX_TABLE_ENVIRONMENTS, TableSetup, check_setup
from lib.text.escape import code_span as code

__all__ = [
    "SCENARIO",
    "TABLE",
    "TableChoice",
    "code",
    "current_table",
    "datasets",
    "default_setup",
    "numeric_columns",
    "parse_table_query",
    "set_source",
    "set_table",
    "source",
    "table_query",
    "text_cell_notes",
    "upload",
]

SCENARIO = "scenario"
TABLE = "table"
SOURCE_KEY = "lab_source"
_CHOICE_KEY = "lab_table_choice"
_UPLOADS_KEY = "lab_uploads"
#: Uploads a session keeps (the oldest is forgotten first).
MAX_UPLOADS = 3


@dataclass(frozen=True)
class TableChoice:
    """The table every page shows, and how the user set it up.

    Attributes
    ----------
    key : str
        Identifies the data for caches: ``"dataset:<id>"`` or a hash of an
        upload's bytes (the same bytes give the same key).
    table : lib.tables.read.Table
    dataset : str or None
        The built-in dataset's id (``None`` for an upload).
    setup : lib.tables.setup.TableSetup
    policy : str
        ``"drop"``: rows with missing or non-numeric cells in the chosen
        columns are left out (and counted); ``"fail"``: they stop the fits.
    """

    key: str
    table: Table
    dataset: str | None
    setup: TableSetup
    policy: str = "drop"

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def data(self) -> pd.DataFrame:
        return self.table.data


# ----------------------------------------------------------------------------- pure helpers


def numeric_columns(df: pd.DataFrame) -> list[str]:
    """Columns a model can use: numbers, or mostly numbers (some cells may be missing)."""
    out = []
    for column in df.columns:
        values = df[column]
        if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
            out.append(str(column))
            continue
        parsed = pd.to_numeric(values, errors="coerce")
        if parsed.notna().sum() >= 0.5 * max(1, values.notna().sum()):
            out.append(str(column))
    return out


def environment_columns(df: pd.DataFrame) -> list[str]:
    """Columns that could mark environments: 2 to :data:`MAX_TABLE_ENVIRONMENTS` distinct values."""
    out = []
    for column in df.columns:
        k = df[column].nunique(dropna=True)
        if 2 <= k <= MAX_TABLE_ENVIRONMENTS:
            out.append(str(column))
    return out


def default_setup(df: pd.DataFrame, dataset: Dataset | None = None) -> TableSetup:
    """A sensible first setup: the dataset's suggestion, else the last numeric column
    as the target, the other numeric columns as features, and the first text column
    with 2 to :data:`MAX_TABLE_ENVIRONMENTS` values as the environment column."""
    columns = [str(c) for c in df.columns]
    if dataset is not None and dataset.target in columns:
        parents = tuple(p for p in dataset.parents if p in dataset.features)
        return TableSetup(
            target=dataset.target,
            features=tuple(f for f in dataset.features if f in columns),
            environment=dataset.environment if dataset.environment in columns else None,
            edges=tuple((p, dataset.target) for p in parents),
        )
    numeric = numeric_columns(df)
    if not numeric:
        raise DataError("the table has no numeric column to predict.")
    target = numeric[-1]
    # A text column with a few values (hospital, batch, site) is most likely the environment.
    env = next(
        (c for c in environment_columns(df) if c not in numeric and c != target),
        None,
    )
    return TableSetup(
        target=target, features=tuple(c for c in numeric if c != target), environment=env
    )


def table_query(choice: TableChoice) -> dict[str, str]:
    """URL parameters that reopen a built-in table with the same setup (none for uploads)."""
    out = {"source": TABLE}
    if choice.dataset is None:
        return out
    setup = choice.setup
    out["table"] = choice.dataset
    out["target"] = setup.target
    out["features"] = ",".join(setup.features)
    if setup.environment:
        out["env"] = setup.environment
    if setup.edges:
        out["edges"] = ";".join(f"{a}>{b}" for a, b in setup.edges)
    return out


def _hint(word: str, options: Sequence[str]) -> str:
    """``"; did you mean `x`?"`` with the suggestion as an inert code span, or ``""``."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"; did you mean {code(close[0])}?" if close else ""


def _quote(value: str, limit: int = 40) -> str:
    """A value from a link, in quotes, as an inert Markdown code span (it cannot close the span)."""
    return code(value, limit, quoted=True)


def parse_table_query(
    raw: Mapping[str, str],
    setup: TableSetup,
    columns: Sequence[str],
    env_columns: Sequence[str] | None = None,
) -> tuple[TableSetup, list[str]]:
    """Apply a link's ``target``, ``features``, ``env`` and ``edges`` to ``setup``.

    ``env_columns`` are the columns that can mark environments (see
    :func:`environment_columns`; default: any column). A bad value keeps the
    default and adds a notice naming it.
    """
    notices: list[str] = []
    cols = [str(c) for c in columns]
    envs = cols if env_columns is None else [str(c) for c in env_columns]
    changes: dict[str, Any] = {}

    def unknown(param: str, value: str) -> None:
        hint = _hint(value, cols)
        notices.append(
            f"Link parameter `{param}`: {_quote(value)} is not a column of this table"
            f"{hint}; it is left out."
        )

    target = raw.get("target")
    if target is not None:
        if target in cols:
            changes["target"] = target
        else:
            unknown("target", target)
    new_target = changes.get("target", setup.target)
    if raw.get("features") is not None:
        wanted = [f.strip() for f in raw["features"].split(",") if f.strip()]
        for f in wanted:
            if f not in cols:
                unknown("features", f)
        changes["features"] = tuple(
            dict.fromkeys(f for f in wanted if f in cols and f != new_target)
        )
    env = raw.get("env")
    if env is not None:
        if env in envs and env != new_target:
            changes["environment"] = env
        elif env in cols:
            notices.append(
                f"Link parameter `env`: {_quote(env)} cannot mark environments (it needs 2 to "
                f"{MAX_TABLE_ENVIRONMENTS} distinct values, and not to be the target); it is left out."
            )
        else:
            unknown("env", env)
    if raw.get("edges") is not None:
        edges = []
        for piece in raw["edges"].split(";"):
            if not piece.strip():
                continue
            a, sep, b = piece.partition(">")
            a, b = a.strip(), b.strip()
            if sep and a in cols and b in cols and a != b:
                edges.append((a, b))
            else:
                notices.append(f"Link parameter `edges`: {_quote(piece)} is left out.")
        changes["edges"] = tuple(dict.fromkeys(edges))
    new = replace(setup, **changes)
    problems = check_setup(new, cols)
    if problems:
        notices.extend(f"The link's table setup is not used: {p}" for p in problems)
        return setup, notices
    return new, notices


def setup_warnings(
    setup: TableSetup,
    columns: Sequence[Any],
    *,
    header: Callable[[], None] | None = None,
) -> list[str]:
    """What is wrong with a table's setup (:func:`lib.tables.setup.check_setup`), each
    problem shown as a warning; returns them (empty: the setup can be used).

    Parameters
    ----------
    setup : TableSetup
    columns : sequence
        The table's columns.
    header : callable, optional
        Drawn above the warnings when there are any (a page whose title is not
        drawn yet).

    Returns
    -------
    list of str
        The problems, as sentences (Markdown).
    """
    problems = check_setup(setup, [str(c) for c in columns])
    if problems and header is not None:
        header()
    for problem in problems:
        st.warning(problem, icon=":material/warning:")
    return problems


def text_cell_notes(choice: TableChoice, columns: Sequence[str] | None = None) -> list[str]:
    """Each column of numbers with text cells among ``columns`` (all when ``None``): how
    many, the first, and what the chosen policy does with their rows (Markdown)."""
    then = (
        " The models stop at it: “Stop and show them” is chosen on the Data page."
        if choice.policy == "fail"
        else " Rows with such a cell are left out of any model that uses this column."
    )
    return [line + then for line in choice.table.report.text_in_numbers(columns)]


def safe_table_csv(choice: TableChoice) -> bytes:
    """The table as CSV for download, with formula-like cells made inert."""
    return safe_csv(choice.data)


# ----------------------------------------------------------------------------- session state


def source() -> str:
    """``"scenario"`` or ``"table"``: where every page's data comes from."""
    return st.session_state.get(SOURCE_KEY, SCENARIO)


def set_source(value: str) -> None:
    st.session_state[SOURCE_KEY] = TABLE if value == TABLE else SCENARIO


@st.cache_resource(show_spinner=False)
def datasets() -> dict[str, Dataset]:
    """The built-in tables, by id, in the picker's order."""
    return {d.id: d for d in list_datasets()}


@st.cache_resource(max_entries=16, show_spinner="Loading the table…")
def _dataset_table(dataset_id: str) -> Table:
    return load_dataset(dataset_id)


def uploads() -> dict[str, TableChoice]:
    """This session's uploaded tables, by key."""
    return st.session_state.setdefault(_UPLOADS_KEY, {})


def choice_for_dataset(dataset_id: str) -> TableChoice:
    """A fresh choice of a built-in table, with its suggested setup."""
    ds = datasets()[dataset_id]
    table = _dataset_table(dataset_id)
    return TableChoice(f"dataset:{dataset_id}", table, dataset_id, default_setup(table.data, ds))


def upload(data: bytes, name: str) -> TableChoice:
    """Read an upload into a choice (it becomes the current table).

    Raises
    ------
    lib.errors.DataError
        When the file cannot be read; the current table stays as it was.
    """
    key = "upload:" + hashlib.sha256(data).hexdigest()[:16]
    known = uploads().get(key)
    if known is None:
        table = read_table(data, name=name)
        known = TableChoice(key, table, None, default_setup(table.data))
        store = uploads()
        store[key] = known
        while len(store) > MAX_UPLOADS:
            store.pop(next(iter(store)))
    set_table(known)
    return known


def current_table() -> TableChoice | None:
    """The table every page shows, or ``None`` when the source is a scenario."""
    if source() != TABLE:
        return None
    choice = st.session_state.get(_CHOICE_KEY)
    if choice is None:
        first = next(iter(datasets()))
        choice = choice_for_dataset(first)
        st.session_state[_CHOICE_KEY] = choice
    return choice


def set_table(choice: TableChoice) -> None:
    """Make ``choice`` the current table (and the source a table)."""
    st.session_state[_CHOICE_KEY] = choice
    if choice.dataset is None:
        uploads()[choice.key] = choice
    set_source(TABLE)


def set_setup(setup: TableSetup) -> None:
    """Change the current table's setup."""
    choice = current_table()
    if choice is not None:
        set_table(replace(choice, setup=setup))


def set_policy(policy: str) -> None:
    choice = current_table()
    if choice is not None:
        set_table(replace(choice, policy="fail" if policy == "fail" else "drop"))


def table_options() -> dict[str, str]:
    """Picker value -> label: built-in tables, then this session's uploads.

    Two uploads with the same file name are told apart by the start of their
    content hash.
    """
    out = {f"dataset:{d.id}": d.title for d in datasets().values()}
    names = [c.name for c in uploads().values()]
    for key, c in uploads().items():
        tag = f" ({key.removeprefix('upload:')[:6]})" if names.count(c.name) > 1 else ""
        out[key] = f"Uploaded: {c.name}{tag}"
    return out


def table_label(choice: TableChoice) -> str:
    """How a table is named in headings (plain text: escape it for Markdown)."""
    return table_options().get(choice.key, choice.name)


def pick_table(key: str) -> None:
    """Switch to a table from :func:`table_options` (keeping its last setup)."""
    if key.startswith("dataset:"):
        current = st.session_state.get(_CHOICE_KEY)
        if current is not None and current.key == key:
            return
        set_table(choice_for_dataset(key.removeprefix("dataset:")))
    elif key in uploads():
        set_table(uploads()[key])


def start_from_link(query: Mapping[str, Any]) -> list[str]:
    """On a session's first run: open the table a link names. Returns notices."""
    if str(query.get("source", "")) != TABLE:
        return []
    set_source(TABLE)
    wanted = str(query.get("table", ""))
    known = datasets()
    if not wanted:
        return []
    if wanted not in known:
        first = next(iter(known))
        hint = _hint(wanted, list(known))
        return [
            f"Link parameter `table` = {_quote(wanted)} is not a built-in table{hint}; "
            f"showing `{first}` instead."
        ]
    choice = choice_for_dataset(wanted)
    raw = {k: str(v) for k, v in query.items()}
    setup, notices = parse_table_query(
        raw, choice.setup, list(choice.data.columns), environment_columns(choice.data)
    )
    set_table(replace(choice, setup=setup))
    return notices
