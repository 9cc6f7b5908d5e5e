"""LightGBM's trees as lookup tables: the booster's own predictions, vectorised over rows.

A fitted booster predicts a row by walking each tree from its root (one comparison
``x <= threshold`` per node) and adding the leaves' values, tree by tree, from 0.
On many rows (a strength sweep predicts 20,000) that walk costs about a
microsecond a row. Here each tree becomes a table: every input's thresholds in
the tree cut its axis into a few intervals, the intervals of the inputs a tree
splits on make a grid of cells, and each cell lies in one leaf. A row's cell is
found by one ``searchsorted`` per input over every tree's thresholds at once,
then one lookup per tree and input; the leaves' values are added in the trees'
order, from 0, as LightGBM adds them, so the predictions are the same numbers
(``tests/test_trees.py`` compares them bit for bit).

Only what the lab grows is tabled: numerical splits, no linear leaves, inputs
that are finite numbers; anything else (and a tree whose grid would be large) is
left to the booster (:func:`tree_tables` gives ``None``, :meth:`TreeTables.predict`
gives ``None`` for rows it cannot take).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["MAX_CELLS", "TreeTables", "tree_tables"]

#: Most cells a tree's table may have (a tree of 15 leaves on four inputs has at most 400).
MAX_CELLS = 1 << 14
#: LightGBM reads an input this close to zero as zero (its ``kZeroThreshold``, a float).
_ZERO = float(np.float32(1e-35))


@dataclass(frozen=True)
class _Tree:
    """One tree: per input it splits on, the offset of each interval of the whole
    booster's thresholds into its table; and its leaves' values by cell."""

    inputs: tuple[int, ...]
    offsets: tuple[np.ndarray, ...]
    table: np.ndarray


@dataclass(frozen=True)
class TreeTables:
    """A booster's trees as tables (:func:`tree_tables`).

    Attributes
    ----------
    cuts : dict of int to array
        Per input, every threshold any tree compares it with, sorted.
    trees : tuple
        The trees, in the booster's order.
    """

    cuts: dict[int, np.ndarray]
    trees: tuple[_Tree, ...]

    def predict(self, X: np.ndarray) -> np.ndarray | None:
        """The booster's predictions for the rows of ``X`` (float64, one column per
        input), or ``None`` when a value is not a finite number (the booster's own
        rules for missing values then apply)."""
        X = np.asarray(X, dtype=np.float64)
        if not np.all(np.isfinite(X)):
            return None
        X = np.where(np.abs(X) <= _ZERO, 0.0, X)
        interval = {j: np.searchsorted(cut, X[:, j], side="left") for j, cut in self.cuts.items()}
        out = np.zeros(X.shape[0])
        for tree in self.trees:
            if not tree.inputs:
                out += tree.table[0]
                continue
            cell = tree.offsets[0][interval[tree.inputs[0]]]
            for j, offset in zip(tree.inputs[1:], tree.offsets[1:], strict=True):
                cell += offset[interval[j]]
            out += tree.table[cell]
        return out


def _numbers(text: str, kind: type) -> np.ndarray:
    return np.array(text.split(), dtype=kind)


def _blocks(model: str) -> list[dict[str, str]]:
    """Each tree of a LightGBM model file as its ``key=value`` lines."""
    body = model.split("\nend of trees", 1)[0]
    out = []
    for block in body.split("\nTree=")[1:]:
        fields = {}
        for line in block.splitlines()[1:]:
            key, _, value = line.partition("=")
            fields[key] = value
        out.append(fields)
    return out


def tree_tables(booster: Any) -> TreeTables | None:
    """The trees of a fitted LightGBM ``Booster`` as tables, or ``None`` when one of them
    is not a plain tree of numerical splits (or its table would be too large)."""
    raw = []
    for fields in _blocks(booster.model_to_string()):
        leaves = int(fields["num_leaves"])
        values = _numbers(fields["leaf_value"], float)
        if int(fields.get("num_cat", "0")) or fields.get("is_linear", "0") != "0":
            return None
        if leaves == 1:
            raw.append((np.zeros(0, int), np.zeros(0), np.zeros(0, int), np.zeros(0, int), values))
            continue
        decision = _numbers(fields["decision_type"], int)
        # categorical (bit 0) or zero-as-missing (missing type 1, bits 2-3): not tabled
        if np.any(decision & 1) or np.any(((decision >> 2) & 3) == 1):
            return None
        raw.append(
            (
                _numbers(fields["split_feature"], int),
                _numbers(fields["threshold"], float),
                _numbers(fields["left_child"], int),
                _numbers(fields["right_child"], int),
                values,
            )
        )
    if not raw:
        return None
    features = np.concatenate([r[0] for r in raw])
    thresholds = np.concatenate([r[1] for r in raw])
    used = sorted(set(features.tolist()))
    cuts = {j: np.unique(thresholds[features == j]) for j in used}
    ranks = np.empty(len(features), dtype=np.int64)  # each split's threshold among the cuts
    for j in used:
        on = features == j
        ranks[on] = np.searchsorted(cuts[j], thresholds[on])
    intervals = {j: np.arange(len(cuts[j]) + 1) for j in used}
    trees = []
    start = 0
    for feature, _, left, right, values in raw:
        nodes = len(feature)
        if not nodes:
            trees.append(_Tree((), (), values[:1].copy()))
            continue
        split_on = feature.tolist()
        rank = ranks[start : start + nodes].tolist()
        start += nodes
        inputs = tuple(sorted(set(split_on)))
        own: dict[int, list[int]] = {j: [] for j in inputs}
        for f, r in zip(split_on, rank, strict=True):
            own[f].append(r)
        for j in inputs:
            own[j] = sorted(set(own[j]))
        sizes = [len(own[j]) + 1 for j in inputs]
        cells = 1
        for size in sizes:
            cells *= size
        if cells > MAX_CELLS:
            return None
        strides, step = [], 1
        for size in reversed(sizes):
            strides.append(step)
            step *= size
        strides.reverse()
        offsets = tuple(
            np.searchsorted(np.array(own[j]), intervals[j]) * stride
            for j, stride in zip(inputs, strides, strict=True)
        )
        where = {j: k for k, j in enumerate(inputs)}
        # per node: the grid's axis it cuts, and its last interval on the left
        axis = [where[f] for f in split_on]
        cuts_at = [own[f].index(r) for f, r in zip(split_on, rank, strict=True)]
        lefts, rights, leaf_values = left.tolist(), right.tolist(), values.tolist()
        grid = np.full(sizes, np.nan)
        stack: list[tuple[int, list[tuple[int, int]]]] = [(0, [(0, s - 1) for s in sizes])]
        while stack:
            node, box = stack.pop()
            if node < 0:  # a leaf: ~node
                grid[tuple([slice(lo, hi + 1) for lo, hi in box])] = leaf_values[~node]
                continue
            k, at = axis[node], cuts_at[node]
            lo, hi = box[k]
            if lo <= min(hi, at):  # x <= threshold: the intervals up to the threshold's
                inner = box.copy()
                inner[k] = (lo, min(hi, at))
                stack.append((lefts[node], inner))
            if max(lo, at + 1) <= hi:
                inner = box.copy()
                inner[k] = (max(lo, at + 1), hi)
                stack.append((rights[node], inner))
        if np.isnan(grid).any():
            return None
        trees.append(_Tree(inputs, offsets, grid.ravel()))
    return TreeTables(cuts, tuple(trees))
