"""Predict or Explain: the engine behind the lab, usable from a notebook.

The names a notebook needs are importable from ``lib`` directly (each is
loaded on first use, so ``import lib`` costs nothing)::

    from lib import compare_models, default_environments, icp, load_scenario, pooled_sample

``docs/architecture.md`` maps the packages; ``docs/notebook.md`` is a
ten-line tour.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Public name -> the module that defines it.
_PUBLIC = {
    "SCM": "lib.world.scm",
    "Do": "lib.world.interventions",
    "Shift": "lib.world.interventions",
    "ScaleNoise": "lib.world.interventions",
    "Replace": "lib.world.interventions",
    "Scenario": "lib.world.scenarios",
    "list_scenarios": "lib.world.scenarios",
    "load_scenario": "lib.world.scenarios",
    "scenario_from_toml": "lib.world.scenarios",
    "scenario_to_toml": "lib.world.scenarios",
    "Environment": "lib.world.environments",
    "default_environments": "lib.world.environments",
    "pooled_sample": "lib.world.environments",
    "environment_from_dict": "lib.world.environments",
    "compile_equation": "lib.world.expressions",
    "compare_models": "lib.fitting.experiments",
    "run_experiment": "lib.fitting.experiments",
    "Roles": "lib.fitting.evaluation",
    "model_specs": "lib.fitting.evaluation",
    "score": "lib.fitting.evaluation",
    "leave_one_environment_out": "lib.fitting.evaluation",
    "icp": "lib.invariance.engine",
    "read_table": "lib.tables.read",
    "load_dataset": "lib.tables.datasets",
    "LabError": "lib.errors",
    "ExpressionError": "lib.errors",
    "ScenarioError": "lib.errors",
    "DataError": "lib.errors",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'lib' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
