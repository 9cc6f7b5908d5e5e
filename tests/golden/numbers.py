"""Every number the pages show, at fixed seeds: the refactor's yardstick.

``python -m tests.golden.numbers`` (from the project root) writes
``tests/golden/golden.json``; ``tests/test_golden.py`` recomputes the same
numbers and compares them (to floating-point rounding). The file was written
before the engine was reshaped, so a move that changes a number a student sees
fails the test.

What is recorded:

* ``compare_models`` on every built-in scenario, under every preset;
* the strength sweep of every preset;
* ICP on each scenario's default environments;
* the Invariance page's pooled / ICP / oracle comparison, held out environment
  by environment, on each scenario;
* on each bundled table: the held-out-rows fit and leave-one-environment-out;
* the builder's validation of a few worlds (valid and broken).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

GOLDEN = Path(__file__).with_name("golden.json")

#: Rows and seed of the recorded experiments (small, so that the test is quick).
N, SEED = 400, 3


def _num(x: Any) -> Any:
    if isinstance(x, float | np.floating):
        x = float(x)
        return x if math.isfinite(x) else str(x)
    if isinstance(x, np.integer):
        return int(x)
    return x


def _records(df: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    return [{c: _num(row[c]) for c in columns} for _, row in df[columns].iterrows()]


def scenario_numbers() -> dict[str, Any]:
    """compare_models, sweeps and ICP on every built-in scenario."""
    from lib.fitting.experiments import compare_models, run_experiment, strength_sweep
    from lib.invariance.compare import comparison_models, icp_loeo
    from lib.invariance.engine import icp
    from lib.world.environments import default_environments, pooled_sample
    from lib.world.scenarios import list_scenarios, load_scenario

    out: dict[str, Any] = {}
    for sid in list_scenarios():
        sc = load_scenario(sid)
        tests = {name: preset for name, preset in sc.presets.items()}
        cols = ["model", "kind", "features", "test", "rmse", "r2"]
        entry: dict[str, Any] = {
            "compare_models": _records(compare_models(sc, n=N, seed=SEED, tests=tests), cols)
        }
        exp = run_experiment(sc, N, SEED)
        entry["sweeps"] = {
            name: _records(
                strength_sweep(exp, list(preset), [0.0, 0.5, 1.0]),
                ["model", "kind", "strength", "rmse", "r2"],
            )
            for name, preset in sc.presets.items()
        }
        df = pooled_sample(sc.scm, default_environments(sc, n=300), seed=SEED)
        res = icp(df, sc.target, "env", 0.05, candidates=list(sc.features))
        entry["icp"] = {
            "accepted": sorted(sorted(s) for s in res.accepted_sets),
            "causal": sorted(res.causal_predictors),
            "set_pvalues": {
                ",".join(sorted(s)) or "{}": _num(p)
                for s, p in sorted(res.set_pvalues.items(), key=lambda kv: sorted(kv[0]))
            },
            "pvalues": {k: _num(v) for k, v in sorted(res.pvalues.items())},
        }
        parents = sorted(set(sc.scm.original_graph.predecessors(sc.target)) & set(sc.features))
        models = comparison_models(sc.features, res.causal_predictors, parents)
        loeo, note = icp_loeo(
            df,
            sc.target,
            "env",
            list(sc.features),
            parents,
            0.05,
            full_icp=res.causal_predictors,
        )
        entry["invariance_loeo"] = {
            "models": [[m.name, m.kind, list(m.features)] for m in models],
            "rows": _records(loeo, ["model", "kind", "features", "test", "rmse", "r2"]),
            "note": note,
        }
        out[sid] = entry
    return out


def table_numbers() -> dict[str, Any]:
    """Held-out rows and leave-one-environment-out on every bundled table."""
    from lib.tables.datasets import list_datasets, load_dataset
    from lib.tables.fit import holdout_fit, table_loeo
    from lib.tables.setup import TableSetup

    out: dict[str, Any] = {}
    for ds in list_datasets():
        table = load_dataset(ds.id)
        edges = tuple((p, ds.target) for p in ds.parents)
        setup = TableSetup(ds.target, ds.features, ds.environment, edges)
        fit = holdout_fit(table, setup, seed=SEED)
        entry: dict[str, Any] = {
            "holdout": _records(fit.scores, ["model", "kind", "features", "rmse", "r2"]),
            "coefficients": {
                kind: _records(t, ["term", "coef", "std_err"])
                for kind, t in fit.coefficients.items()
            },
        }
        no_causes = TableSetup(ds.target, ds.features, ds.environment, ())
        entry["holdout_no_causes"] = _records(
            holdout_fit(table, no_causes, seed=SEED).scores,
            ["model", "kind", "features", "rmse", "r2"],
        )
        if ds.environment:
            loeo = table_loeo(table, setup, seed=SEED)
            entry["loeo"] = _records(
                loeo.assign(held_out=loeo["held_out"].astype(str)),
                ["held_out", "model", "kind", "rmse", "r2", "rmse_in", "ratio"],
            )
        out[ds.id] = entry
    return out


#: Worlds typed into the builder: (name, node rows, preset rows, target, features).
BUILDER_WORLDS: list[tuple[str, list[tuple[str, str]], list[tuple], str, list[str]]] = [
    (
        "valid",
        [("x", "normal(0, 1)"), ("y", "2 * x + normal(0, 0.5)"), ("z", "y + normal(0, 0.5)")],
        [("push", "shift", "x", "1.5")],
        "y",
        ["x", "z"],
    ),
    (
        "unknown name",
        [("x", "normal(0, 1)"), ("y", "2 * xx + normal(0, 0.5)")],
        [],
        "y",
        ["x"],
    ),
    (
        "cycle",
        [("x", "y + 1"), ("y", "x * 2")],
        [],
        "y",
        ["x"],
    ),
    (
        "bad preset",
        [("x", "normal(0, 1)"), ("y", "x + normal(0, 1)")],
        [("oops", "do", "w", "1"), ("strong", "scale_noise", "x", "-2")],
        "y",
        ["x"],
    ),
    (
        "broken syntax",
        [("x", "normal(0, 1) +"), ("y", "log(x) + (")],
        [],
        "y",
        ["x"],
    ),
]


def builder_numbers() -> dict[str, Any]:
    """The builder's verdict (errors by row) on a few worlds."""
    from lib.world.builder import PRESET_COLUMNS, blank_meta, build_scenario, nodes_frame

    out: dict[str, Any] = {}
    for name, nodes, presets, target, features in BUILDER_WORLDS:
        frame = nodes_frame(None).iloc[0:0]
        frame = pd.concat(
            [frame, pd.DataFrame([{"name": a, "equation": b} for a, b in nodes])],
            ignore_index=True,
        )
        for col in ("unit", "description", "measures"):
            frame[col] = frame[col].fillna("") if col in frame else ""
        frame["observed"] = True
        pframe = pd.DataFrame(
            [dict(zip(PRESET_COLUMNS, r, strict=False)) for r in presets],
            columns=list(PRESET_COLUMNS),
        )
        meta = blank_meta()
        meta.update(target=target, features=features, title=f"golden {name}")
        res = build_scenario(meta, frame, pframe)
        out[name] = {
            "ok": res.ok,
            "messages": res.messages(),
            "row_errors": {str(k): v for k, v in sorted(res.row_errors.items())},
            "preset_errors": {str(k): v for k, v in sorted(res.preset_errors.items())},
            "edges": sorted(list(e) for e in res.graph.edges),
        }
    return out


def golden_numbers() -> dict[str, Any]:
    """Everything above, one dict."""
    return {
        "scenarios": scenario_numbers(),
        "tables": table_numbers(),
        "builder": builder_numbers(),
    }


def main() -> None:
    """Write the golden file."""
    GOLDEN.write_text(json.dumps(golden_numbers(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {GOLDEN}")


if __name__ == "__main__":
    main()
