"""The Builder page's state: the world being typed, kept across reruns and pages.

Streamlit forgets a widget's value when the user visits another page, and a
data editor keeps its edits under a key of its own; this class keeps one copy
of everything the builder holds (the node and preset tables, the title, the
target and features, the arrows of each node's last valid equation) in
``st.session_state`` under ``builder_*`` keys, and is the only code that reads
or writes them. The page reads like a description of what the user sees.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

import pandas as pd

from lib.world.builder import (
    BuildResult,
    build_scenario,
    cell_text,
    meta_from,
    nodes_frame,
    presets_frame,
    remember_parents,
    rename_node,
)
from lib.world.scenarios import Scenario

__all__ = ["BLANK", "META_KEYS", "BuilderState", "key", "node_options"]

#: The start option for the starter world (x → y).
BLANK = "blank"
#: The world's fields that widgets edit (the rest of its metadata is kept as it is).
META_KEYS = ("title", "summary", "story", "target", "features", "default_n")


def node_options(names: list[str], presets: pd.DataFrame) -> list[str]:
    """What a preset's node cell offers: the world's nodes, then any name a preset still
    holds that is no longer a node (shown as typed, beside its error, rather than blank)."""
    held = [cell_text(v) for v in presets.get("node", pd.Series(dtype=object))]
    gone = [n for n in dict.fromkeys(held) if n and n not in names]
    return [*names, *gone] or [""]


def key(name: str) -> str:
    """The session-state key of one of the builder's values (also a widget's key)."""
    return f"builder_{name}"


class BuilderState:
    """The builder's values in a session's state.

    Parameters
    ----------
    ss : mutable mapping
        ``st.session_state`` (any mapping in tests).
    """

    def __init__(self, ss: MutableMapping[str, Any]) -> None:
        self.ss = ss
        if key("version") not in ss:
            self.start(None)
        # Widgets forget their values when the user visits another page: bring them back.
        for k in META_KEYS:
            if key(k) not in ss:
                ss[key(k)] = ss[key(f"saved_{k}")]

    # ------------------------------------------------------------------ starting

    def start(
        self, sc: Scenario | None, *, copied: bool = False, new_id: str | None = None
    ) -> None:
        """Put a world (or the starter world) into every field and table.

        ``copied``: the world is a copy, whose story was written for its
        equations (the page warns when they change). ``new_id``: a copy of a
        built-in world gets its own id and a "My …" title, so that a download
        never replaces the original and the sidebar tells the two apart.
        """
        ss = self.ss
        meta = meta_from(sc)
        ss[key("version")] = ss.get(key("version"), 0) + 1
        ss[key("nodes")] = ss[key("saved_nodes")] = nodes_frame(sc)
        ss[key("presets")] = ss[key("saved_presets")] = presets_frame(sc)
        ss[key("fixed")] = {k: v for k, v in meta.items() if k not in META_KEYS}
        ss[key("parents")] = {}  # node -> parents of its last valid equation
        ss[key("original")] = None  # a copy's original equations (its story was written for them)
        ss[key("known")] = list(ss[key("nodes")]["name"])  # names seen: new ones join features
        for k in META_KEYS:
            ss[key(k)] = ss[key(f"saved_{k}")] = meta[k]
        if sc is not None and copied:
            ss[key("original")] = {n: spec.equation for n, spec in sc.scm.specs.items()}
        if sc is not None and new_id is not None:
            ss[key("fixed")]["id"] = new_id[:40]
            for k in ("title", "saved_title"):
                ss[key(k)] = f"My {ss[key(k)]}"[:100]

    @property
    def version(self) -> int:
        """Bumped at every start: the data editors' keys change, so they show the new tables."""
        return int(self.ss[key("version")])

    # ------------------------------------------------------------------ tables

    def table(self, which: str) -> pd.DataFrame:
        """The node or preset table to show (``which``: ``"nodes"`` or ``"presets"``).

        Back from another page, the data editor's own state is gone: the last
        edited table is shown.
        """
        editor = self.editor_key(which)
        if editor not in self.ss and key(f"saved_{which}") in self.ss:
            self.ss[key(which)] = self.ss[key(f"saved_{which}")]
        return self.ss[key(which)]

    def editor_key(self, which: str) -> str:
        """The data editor's key for this version of the table."""
        return key(f"{which}_editor_{self.version}")

    def save_table(self, which: str, frame: pd.DataFrame) -> None:
        """Keep the table as edited in this run."""
        self.ss[key(f"saved_{which}")] = frame

    def saved_presets(self) -> pd.DataFrame:
        """The preset table as last edited (before this run's preset editor)."""
        return self.ss.get(key("saved_presets"), self.ss[key("presets")])

    def saved_nodes(self) -> pd.DataFrame:
        """The node table as last edited (before this run's node editor)."""
        return self.ss.get(key("saved_nodes"), self.ss[key("nodes")])

    def offer_nodes(self, names: list[str]) -> list[str]:
        """What the preset table's node cells offer (:func:`node_options`), now that the
        world's nodes are ``names``.

        The offer changes only when the nodes do: a data editor whose options
        change is a new editor in the browser, which forgets the edits it held, so
        it then starts again from the table as last edited (a node-table edit is
        the run's only edit, so none is lost).
        """
        if self.ss.get(key("offered_for")) != names:
            self.ss[key("offered_for")] = list(names)
            self.ss[key("offered")] = node_options(names, self.saved_presets())
            self.ss[key("presets")] = self.saved_presets()
        return list(self.ss[key("offered")])

    def rename(self, old: str, new: str, nodes: pd.DataFrame) -> list[str]:
        """Carry a node's new name through the equations, the presets, the target and
        the features; returns where it was changed (Markdown).

        Both tables start again from their edited, renamed versions (the page reruns
        so that the editors show them).
        """
        ss = self.ss
        nodes, presets, places = rename_node(nodes, self.saved_presets(), old, new)
        ss[key("nodes")] = ss[key("saved_nodes")] = nodes
        ss[key("presets")] = ss[key("saved_presets")] = presets
        ss[key("offered_for")] = None  # the node cells offer the new name
        if ss.get(key("target")) == old:
            ss[key("target")] = new
            places.append("the target")
        features = list(ss.get(key("features")) or [])
        if old in features:
            ss[key("features")] = [new if f == old else f for f in features]
            places.append("the features")
        ss[key("known")] = [new if n == old else n for n in ss.get(key("known")) or []]
        parents = dict(ss.get(key("parents")) or {})
        if old in parents:
            parents[new] = parents.pop(old)
        ss[key("parents")] = {
            n: tuple(new if p == old else p for p in ps) for n, ps in parents.items()
        }
        return places

    # ------------------------------------------------------------------ the world

    def meta(self) -> dict[str, Any]:
        """The world's metadata: the fields the widgets edit, and the rest kept as it was."""
        meta = dict(self.ss[key("fixed")])
        meta.update({k: self.ss[key(k)] for k in META_KEYS})
        return meta

    def build(self, nodes: pd.DataFrame, presets: pd.DataFrame) -> BuildResult:
        """The world the tables make now (errors by row), drawing broken rows' last arrows."""
        return build_scenario(self.meta(), nodes, presets, self.ss.get(key("parents")))

    def sync_roles(self, result: BuildResult) -> bool:
        """Keep the target and features valid as rows change; True if they changed.

        A renamed or deleted node leaves the features; a **new observed node
        joins them** (a predictive model uses every observed clue unless the
        user takes it out); with every feature gone, the observed rest is
        offered.
        """
        ss = self.ss
        names = list(result.graph.nodes)
        before = (ss.get(key("target")), list(ss.get(key("features")) or []))
        if names and ss.get(key("target")) not in names:
            ss[key("target")] = names[-1]
        target = ss.get(key("target"))

        def observed(n: str) -> bool:
            return bool(result.graph.nodes[n].get("observed", True))

        known = set(ss.get(key("known")) or [])
        new = [n for n in names if n not in known and n != target and observed(n)]
        features = [f for f in before[1] if f in names and f != target]
        features += [n for n in new if n not in features]
        if before[1] and not features:  # every feature renamed or deleted: offer the rest
            features = [n for n in names if n != target and observed(n)]
        ss[key("features")] = features
        ss[key("known")] = list(dict.fromkeys([*known, *names]))
        return (ss.get(key("target")), features) != before

    def remember(self, result: BuildResult) -> None:
        """Keep the arrows of every equation that compiles, and the fields, for the next run."""
        self.ss[key("parents")] = remember_parents(self.ss.get(key("parents")), result)
        for k in META_KEYS:
            self.ss[key(f"saved_{k}")] = self.ss[key(k)]

    # ------------------------------------------------------------------ one-time messages

    def message(self, name: str, text: str | None = None) -> str | None:
        """Set (with ``text``) or take (without) a one-time message: ``"notice"``, ``"used"``."""
        if text is not None:
            self.ss[key(name)] = text
            return None
        return self.ss.pop(key(name), None)

    def first_sight(self, file_id: str) -> bool:
        """Whether an uploaded file is new (each upload is loaded once, not at every rerun)."""
        if self.ss.get(key("upload_seen")) == file_id:
            return False
        self.ss[key("upload_seen")] = file_id
        return True

    @property
    def upload_error(self) -> str | None:
        """Why the last uploaded file was not loaded (kept until the upload is removed)."""
        return self.ss.get(key("upload_error"))

    @upload_error.setter
    def upload_error(self, text: str | None) -> None:
        if text is None:
            self.ss.pop(key("upload_error"), None)
        else:
            self.ss[key("upload_error")] = text

    @property
    def original(self) -> dict[str, str] | None:
        """A copied world's original equations (its story was written for them)."""
        return self.ss.get(key("original"))
