"""docs/notebook.md runs as written, and says what it prints."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "notebook.md"


def test_the_notebook_tour_runs_and_prints_what_the_doc_says() -> None:
    blocks = re.findall(r"^```python\n(.*?)^```", DOC.read_text(encoding="utf-8"), re.M | re.S)
    assert len(blocks) == 1
    code = blocks[0]
    lines = [line for line in code.splitlines() if line.strip()]
    assert len(lines) <= 10, "the tour is ten lines"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(DOC), "exec"), {})  # noqa: S102 - our own documentation
    printed = out.getvalue()
    assert "6.77" in printed and "1.27" in printed and "2.59" in printed
    assert "frozenset({'dose'})" in printed
    assert "motive" in printed and "opportunity" in printed


def test_no_latent_column_reaches_icp_by_default() -> None:
    from lib import icp, load_scenario

    sc = load_scenario("ldopa")
    raw = sc.scm.sample(400, 0)  # the simulator's truth: dopamine included
    assert "dopamine" in raw.columns
    res = icp(raw.assign(env=[i % 2 for i in range(400)]), sc.target, "env")
    assert "dopamine" not in res.candidates
    assert "dopamine" not in sc.sample(50).columns
    assert "dopamine" in sc.sample(50, latent=True).columns


def test_every_public_name_of_the_architecture_map_comes_from_lib() -> None:
    """The map's table of public names: each is importable from ``lib`` and is the
    object its module defines."""
    import importlib

    import lib

    doc = (DOC.parent / "architecture.md").read_text(encoding="utf-8")
    section = doc.split("## The design's public names", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (`.*?) \| `(lib[\w.]*)`", section, re.M)
    assert len(rows) >= 10
    for names, module in rows:
        for name in re.findall(r"`(\w+)`", names):
            defined = getattr(importlib.import_module(module), name)
            assert getattr(lib, name) is defined, f"lib.{name} is not {module}.{name}"
            assert name in lib.__all__ and name in dir(lib)


def test_compile_equation_comes_from_lib() -> None:
    import numpy as np

    from lib import compile_equation

    eq = compile_equation("2 * dose + 1", ["dose"])
    np.testing.assert_allclose(eq.evaluate({"dose": np.array([1.0, 2.0])}, 2), [3.0, 5.0])
