"""Every number the pages show stays what it was before the engine was reshaped.

``tests/golden/golden.json`` was written by ``python -m tests.golden.numbers``
before any code moved; this test recomputes the same numbers through today's
code and compares them to floating-point rounding. Where a number changes on
purpose (a bug fixed), the file is rewritten in the same commit and the commit
says which number changed and why.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from tests.golden.numbers import GOLDEN, builder_numbers, scenario_numbers, table_numbers

#: Relative tolerance: floating-point rounding, nothing more.
RTOL = 1e-9


@pytest.fixture(scope="module")
def golden() -> dict[str, Any]:
    return json.loads(GOLDEN.read_text())


def _compare(old: Any, new: Any, path: str = "") -> list[str]:
    """Every place where ``new`` differs from ``old`` (numbers to RTOL)."""
    if isinstance(old, dict) and isinstance(new, dict):
        diffs = []
        if set(old) != set(new):
            diffs.append(f"{path}: keys {sorted(set(old) ^ set(new))} differ")
        for k in set(old) & set(new):
            diffs += _compare(old[k], new[k], f"{path}/{k}")
        return diffs
    if isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            return [f"{path}: {len(old)} items before, {len(new)} now"]
        return [
            d
            for i, (a, b) in enumerate(zip(old, new, strict=True))
            for d in _compare(a, b, f"{path}[{i}]")
        ]
    if isinstance(old, float) and isinstance(new, int | float) and not isinstance(new, bool):
        if math.isclose(old, new, rel_tol=RTOL, abs_tol=1e-12):
            return []
        return [f"{path}: {old!r} before, {new!r} now"]
    if old != new:
        return [f"{path}: {old!r} before, {new!r} now"]
    return []


def _roundtrip(value: Any) -> Any:
    return json.loads(json.dumps(value))


@pytest.mark.parametrize(
    ("section", "compute"),
    [("scenarios", scenario_numbers), ("tables", table_numbers), ("builder", builder_numbers)],
)
def test_numbers_unchanged(golden: dict[str, Any], section: str, compute: Any) -> None:
    diffs = _compare(golden[section], _roundtrip(compute()), section)
    assert not diffs, "\n".join(diffs[:30])


def test_compare_detects_a_change() -> None:
    """The comparison itself can fail: a changed number, a missing row, a new text."""
    assert _compare({"a": [1.0, 2.0]}, {"a": [1.0, 2.0 + 1e-6]})
    assert _compare({"a": [1.0, 2.0]}, {"a": [1.0]})
    assert _compare({"a": "x"}, {"a": "y"})
    assert not _compare({"a": [1.0]}, {"a": [1.0 + 1e-13]})
