"""The project's own checks: ruff (lint and format) and mypy on lib/."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize("command", [("ruff", "check", "."), ("ruff", "format", "--check", ".")])
def test_ruff(command: tuple[str, ...]) -> None:
    result = run(*command)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_on_lib() -> None:
    result = run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_scenario_doc_mentions_every_function_and_noise() -> None:
    from lib.world.expressions import FUNCTIONS, NOISE

    doc = (ROOT / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    missing = [name for name in [*FUNCTIONS, *NOISE] if name not in doc]
    assert not missing, f"docs/scenario-format.md does not mention {missing}"
