"""CPU to build each figure of the world and Invariance pages, and the figures' share of a new seed.

Two measurements:

- **per figure**: every builder of :mod:`lib.figures.charts` and
  :mod:`lib.figures.invariance` at the lab's default size (the L-DOPA world,
  n = 2000; the Invariance figures at the sizes the page draws), the median
  CPU time (``time.process_time``) over ``--repeats`` builds;
- **a new seed on Interventions** (``--page``): the page opened in Streamlit's
  AppTest, then a seed not seen before, ``--reruns`` times; the median CPU of
  a rerun, and under a profiler the share of it spent in the figure modules
  and plotly's figure classes and validators (``plotly.io``, the JSON sent to
  the browser, is not counted: it is the drawing, not the building).

Run from the repository root::

    python bench/bench_figures.py                 # per figure only
    python bench/bench_figures.py --page --reruns 9
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from lib import load_scenario, run_experiment  # noqa: E402
from lib.figures import charts  # noqa: E402
from lib.figures import invariance as ip  # noqa: E402
from lib.fitting.experiments import strength_sweep  # noqa: E402

#: The lab's default sample size.
N = 2000


def _sweep_frame(names: list[str], kinds: list[str], column: str) -> pd.DataFrame:
    strengths = np.linspace(0.0, 1.0, 11)
    rows = [
        (name, kind, s, 0.5 + i * s + 0.01 * j)
        for i, (name, kind) in enumerate(zip(names, kinds, strict=True))
        for j, s in enumerate(strengths)
    ]
    return pd.DataFrame(rows, columns=["model", "kind", "strength", column])


def cases(seed: int = 0) -> dict[str, Callable[[], Any]]:
    """Figure name -> a call that builds it, at the inputs the pages give it."""
    sc = load_scenario("ldopa")
    exp = run_experiment(sc, N, seed)
    data = sc.scm.sample(N, seed)
    tylenol = list(sc.presets["Tylenol"])
    before, after = exp.test_sample(), exp.test_sample(tylenol)
    results = exp.evaluate({"Tylenol": tylenol})
    sweep = strength_sweep(exp, tylenol)
    linear = [m for m in exp.models if m.family == "linear"]
    model = next(m for m in exp.models if m.kind == "predictive" and m.family == "linear")
    target = sc.target
    cols = [*sc.features, target]

    rng = np.random.default_rng(seed)
    five = ["dose", "headache", "dyskinesia", "dopamine_scan", "age"]
    subsets = [frozenset(c for k, c in enumerate(five) if mask >> k & 1) for mask in range(32)]
    pvalues = {s: float(rng.uniform(0, 0.3) if len(s) != 2 else 0.4) for s in subsets}
    pv = pd.DataFrame(
        [
            (s, name, float(10 ** (-3 * s * (i + 1))))
            for i, name in enumerate(["dose", "dose, headache", "headache"])
            for s in np.linspace(0.0, 1.0, 11)
        ],
        columns=["strength", "set", "pvalue"],
    )
    ood = _sweep_frame(
        ["pooled", "ICP", "oracle"], ["predictive", "causal", "causal"], column="rmse"
    )
    power = pd.DataFrame(
        [
            (s, outcome, min(1.0, s * (i + 1) / 3), 50)
            for i, outcome in enumerate(["found every parent", "named a non-parent", "empty"])
            for s in np.linspace(0.0, 1.0, 6)
        ],
        columns=["strength", "outcome", "rate", "reps"],
    )
    envs = results.assign(test=results["test"].map({"observational": "world", "Tylenol": "T"}))

    return {
        "page_heatmap": lambda: charts.page_heatmap(data[cols]),
        "scatter_matrix": lambda: charts.scatter_matrix(
            data, cols, sc.units, highlight=target, max_points=1000, seed=seed
        ),
        "predicted_vs_actual": lambda: charts.predicted_vs_actual(
            before[target], model.predict(before), "predictive", "", max_points=800
        ),
        "predicted_vs_actual (after)": lambda: charts.predicted_vs_actual(
            before[target],
            model.predict(before),
            "predictive",
            "",
            max_points=600,
            y_true_after=after[target],
            y_pred_after=model.predict(after),
        ),
        "per_sd_coefficients": lambda: charts.per_sd_coefficients(model, linear, "relief"),
        "rmse_bars": lambda: charts.rmse_bars(results, title=""),
        "error_vs_strength": lambda: charts.error_vs_strength(sweep, title=""),
        "lattice_figure": lambda: ip.lattice_figure(pvalues, five, 0.05),
        "ranked_sets_figure": lambda: ip.ranked_sets_figure(pvalues, five, 0.05),
        "pvalue_vs_strength": lambda: ip.pvalue_vs_strength(pv, 0.05, at=0.5),
        "ood_error_vs_strength": lambda: ip.ood_error_vs_strength(ood, at=0.8, unit="points"),
        "power_curve": lambda: ip.power_curve(power, alpha=0.05),
        "environment_error_bars": lambda: ip.environment_error_bars(envs, unit="points"),
    }


def cpu_ms(call: Callable[[], Any], repeats: int) -> float:
    """Median CPU milliseconds of ``call()`` over ``repeats`` runs (after one warm-up)."""
    call()
    times = []
    for _ in range(repeats):
        start = time.process_time()
        call()
        times.append(1000 * (time.process_time() - start))
    return statistics.median(times)


#: Where the building of figures happens (own time under the profiler).
_FIGURE_CODE = ("lib/figures/", "plotly/basedatatypes", "plotly/graph_objs", "_plotly_utils")


def page_share(reruns: int) -> tuple[float, float]:
    """(median CPU ms of a new seed on Interventions, share of it building figures)."""
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner
    from streamlit.testing.v1 import AppTest

    from lib.ui.state import PAGES

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page(PAGES["Interventions"])
    at.run()
    seeds = iter(range(50_000, 60_000))

    def rerun() -> None:
        at.sidebar.number_input(key="w_seed").set_value(next(seeds))
        at.run()
        if at.exception:
            raise SystemExit(f"rerun raised: {at.exception[0].message}")

    median = cpu_ms(rerun, reruns)
    # The script runs in a thread of its own: profile it there.
    profile = cProfile.Profile()
    run_script = ScriptRunner._run_script

    def profiled(self: ScriptRunner, rerun_data: Any) -> None:
        profile.enable()
        try:
            run_script(self, rerun_data)
        finally:
            profile.disable()

    ScriptRunner._run_script = profiled  # type: ignore[method-assign]
    try:
        for _ in range(reruns):
            rerun()
    finally:
        ScriptRunner._run_script = run_script  # type: ignore[method-assign]
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    total = sum(row[2] for row in stats.values())
    figures = sum(
        row[2]
        for (path, _, _), row in stats.items()
        if any(part in path.replace(os.sep, "/") for part in _FIGURE_CODE)
        and "plotly/io" not in path.replace(os.sep, "/")
    )
    return median, figures / total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=31, help="builds per figure")
    parser.add_argument("--page", action="store_true", help="also a new seed on Interventions")
    parser.add_argument("--reruns", type=int, default=9, help="new seeds on the page")
    args = parser.parse_args()

    print(f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs")
    print(f"median CPU of {args.repeats} builds (time.process_time), n = {N}\n")
    total = 0.0
    for name, call in cases().items():
        ms = cpu_ms(call, args.repeats)
        total += ms
        print(f"{name:<30} {ms:>8.2f} ms")
    print(f"{'all of them':<30} {total:>8.2f} ms")
    if args.page:
        median, share = page_share(args.reruns)
        print(f"\nInterventions, new seed: median {median:.0f} ms CPU a rerun; ", end="")
        print(f"{100 * share:.0f}% of it (profiled) building figures")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
