"""Server-side rerun time of every page after a widget change (Streamlit AppTest).

Budget (docs/performance.md): median <= 100 ms per page at default sizes.

For each page, a session opens the page, then changes one widget N times and
times each ``AppTest.run()``:

- warm: the widget alternates between two values already seen, so every
  cached result (fit, evaluation, figures) is reused - what a class sees when
  a teacher flips back and forth;
- new strength (Interventions only): a strength not seen before - the fit is
  cached, the evaluation and the figures are not;
- new ρ (Attribution only): a correlation of the two neurons not seen before -
  a new recording, four fits, the bootstraps and the experiment (at most one
  run per correlation the page offers);
- new seed: a seed not seen before - a new sample and, on Models and
  Interventions, four new fits (on Attribution also the sweep over six
  correlations).

Run from the repository root::

    python bench/bench_rerun.py            # 15 reruns per case
    python bench/bench_rerun.py --reruns 31

``--cpu`` measures instead the process's CPU time (``time.process_time``: every
thread, the script's included; steadier than the wall clock on a shared machine)
of a warm rerun and of a new seed on the pages that compute per (world, seed):
Data, Models, Interventions, Invariance and Attribution (issue 23's budget: a new
view costs at most about twice a warm rerun), with every folded section open (the
whole page, as a reader who opens them all causes it). Each page draws seeds of its
own, so no page finds another's samples in the shared caches; ``--only`` measures
some of them; ``--profile`` adds the top costs of a few new seeds (cProfile of the
script's thread)::

    python bench/bench_rerun.py --cpu --reruns 5
    python bench/bench_rerun.py --cpu --reruns 5 --only Interventions,Attribution
    python bench/bench_rerun.py --cpu --reruns 5 --profile Interventions,Attribution
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import platform
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from lib.ui.state import PAGES  # noqa: E402  (the lab's own menu: every page)

BUDGET_MS = 100.0
#: Pages measured again with a table as the data source (the Builder has no table view).
TABLE_PAGES = ("Home", "Data", "Models", "Interventions", "Invariance")
#: Two sample tables with an environment column: switching between them is the
#: table pages' "warm" change; a table opened for the first time is the "new table".
TABLES = ("ldopa_clinics", "icecream_towns")


def open_page(page_file: str, *, unfold: bool = False, **params: str) -> AppTest:
    """A session on ``page_file`` after its first run; ``unfold``: its folded sections
    opened first, as a reader who opens them all (the whole page is computed)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update(params)
    if unfold:
        from lib.ui.pages import PAGES as SPECS
        from lib.ui.sections import fold_key

        for name, spec in SPECS.items():
            for s in spec.sections:
                if s.fold:
                    at.session_state[fold_key(name, s.key)] = True
    at.switch_page(page_file)
    at.run()
    if at.exception:
        raise SystemExit(f"{page_file} raised: {at.exception[0].message}")
    return at


def timed_reruns(
    at: AppTest,
    change: Callable[[AppTest, int], None],
    reruns: int,
    clock: Callable[[], float] = time.perf_counter,
) -> list[float]:
    """Milliseconds of each rerun after ``change(at, i)`` for i in range(reruns), by ``clock``."""
    out = []
    for i in range(reruns):
        change(at, i)
        start = clock()
        at.run()
        out.append(1000 * (clock() - start))
        if at.exception:
            raise SystemExit(f"rerun raised: {at.exception[0].message}")
    return out


def set_seed(value: Callable[[int], int]) -> Callable[[AppTest, int], None]:
    return lambda at, i: at.sidebar.number_input(key="w_seed").set_value(value(i))


def set_strength(value: Callable[[int], float]) -> Callable[[AppTest, int], None]:
    return lambda at, i: at.slider(key="w_strength").set_value(value(i))


def set_table(value: Callable[[int], str]) -> Callable[[AppTest, int], None]:
    return lambda at, i: at.sidebar.selectbox(key="w_table").set_value(f"dataset:{value(i)}")


def table_cases() -> dict[str, Callable[[AppTest, int], None]]:
    """Switch between two tables already seen (every fit cached)."""
    return {"warm table": set_table(lambda i: TABLES[i % 2])}


def set_rho(value: Callable[[int], float]) -> Callable[[AppTest, int], None]:
    return lambda at, i: at.select_slider(key="w_rho").set_value(value(i))


def set_builder_title(at: AppTest, i: int) -> None:
    at.text_input[0].input(f"My world {i % 2}")


def cases(page: str) -> dict[str, Callable[[AppTest, int], None]]:
    fresh = iter(range(10_000, 10**6))
    out: dict[str, Callable[[AppTest, int], None]] = {}
    if page == "Builder":  # the builder redraws its tables, graph and checks on every edit
        return {"warm": set_builder_title}
    if page == "Attribution":
        from lib.ui.pages.attribution import DEFAULT_RHO, RHOS

        out["warm"] = set_rho(lambda i: (DEFAULT_RHO, 0.9)[i % 2])
        fresh_rhos = [r for r in RHOS if r not in (DEFAULT_RHO, 0.9)]
        out["new ρ"] = set_rho(lambda i: fresh_rhos[i % len(fresh_rhos)])
    elif page == "Interventions":
        out["warm"] = set_strength(lambda i: (1.0, 0.5)[i % 2])
        strengths = [round(0.05 * k, 2) for k in range(1, 20) if k != 10]
        out["new strength"] = set_strength(lambda i: strengths[i % len(strengths)])
    else:
        out["warm"] = set_seed(lambda i: i % 2)
    out["new seed"] = set_seed(lambda i: next(fresh))
    return out


#: Pages whose view is computed per (world, rows, seed), measured by ``--cpu`` (the
#: Attribution page's two-neuron world by its rows and the sidebar's seed).
CPU_PAGES = ("Data", "Models", "Interventions", "Invariance", "Attribution")


def profile_new_seeds(page: str, seeds: range, top: int = 25) -> str:
    """The top costs (cumulative and own time) of ``page``'s runs at each of ``seeds``."""
    import lib.ui.sections as sections

    at = open_page(PAGES[page], unfold=True)
    profiler = cProfile.Profile()
    render = sections.render

    def profiled(name: str):  # noqa: ANN202 - the page's Lab
        profiler.enable()  # in the script's thread: the page's own work
        try:
            return render(name)
        finally:
            profiler.disable()

    sections.render = profiled  # each page file calls sections.render
    try:
        for seed in seeds:
            set_seed(lambda i, seed=seed: seed)(at, 0)
            at.run()
    finally:
        sections.render = render
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


def cpu_main(reruns: int, profile: list[str], only: list[str] | None = None) -> int:
    """CPU of a warm rerun and of a new seed per page (medians), and their ratio
    (of the pages in ``only``, all of :data:`CPU_PAGES` by default)."""
    unknown = [p for p in [*profile, *(only or [])] if p not in CPU_PAGES]
    if unknown:
        raise SystemExit(f"not measured by --cpu: {', '.join(unknown)} (pages: {CPU_PAGES})")
    print(f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs")
    print(f"process CPU per rerun, median of {reruns} (each new seed a seed no page drew)\n")
    header = f"{'page':<15} {'warm ms':>8} {'new seed ms':>12} {'ratio':>6}"
    print(header)
    print("-" * len(header))
    for k, page in enumerate(CPU_PAGES):
        if only and page not in only:
            continue
        at = open_page(PAGES[page], unfold=True)
        warm = set_seed(lambda i: i % 2)
        timed_reruns(at, warm, 2, time.process_time)  # both seeds cached
        warm_ms = statistics.median(timed_reruns(at, warm, max(reruns, 6), time.process_time))
        first = 200_000 + 1000 * k
        new = set_seed(lambda i, first=first: first + i)
        new_ms = statistics.median(timed_reruns(at, new, reruns, time.process_time))
        print(f"{page:<15} {warm_ms:>8.1f} {new_ms:>12.1f} {new_ms / warm_ms:>6.1f}")
    for page in profile:
        print(f"\n{page}: a new seed, three times (cProfile)\n")
        first = 300_000 + 1000 * CPU_PAGES.index(page)
        print(profile_new_seeds(page, range(first, first + 3)))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reruns", type=int, default=15, help="timed reruns per case")
    parser.add_argument("--cpu", action="store_true", help="process CPU of warm and new seeds")
    parser.add_argument(
        "--profile", default="", help="with --cpu: pages to profile, comma-separated"
    )
    parser.add_argument(
        "--only", default="", help="with --cpu: the pages to measure, comma-separated"
    )
    args = parser.parse_args()
    if args.cpu:
        only = [p for p in args.only.split(",") if p] or None
        return cpu_main(args.reruns, [p for p in args.profile.split(",") if p], only)

    print(f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs")
    print(f"median of {args.reruns} reruns after a widget change (budget {BUDGET_MS:.0f} ms)\n")
    header = f"{'page':<22} {'case':<13} {'median ms':>9} {'p90 ms':>8} {'max ms':>8}  budget"
    print(header)
    print("-" * len(header))
    worst_warm = 0.0
    for page, path in PAGES.items():
        if not (ROOT / path).is_file():
            continue
        for case, change in cases(page).items():
            at = open_page(path)
            if case == "warm":  # visit both values once so that both are cached
                timed_reruns(at, change, 2)
            reruns = min(args.reruns, 9) if case == "new ρ" else args.reruns  # 9 unseen
            times = sorted(timed_reruns(at, change, reruns))
            median = statistics.median(times)
            p90 = times[min(len(times) - 1, int(0.9 * len(times)))]
            verdict = "ok" if median <= BUDGET_MS else "OVER"
            if case == "warm":
                worst_warm = max(worst_warm, median)
            print(f"{page:<22} {case:<13} {median:>9.1f} {p90:>8.1f} {max(times):>8.1f}  {verdict}")
    for page in TABLE_PAGES:
        if not (ROOT / PAGES[page]).is_file():
            continue
        for case, change in table_cases().items():
            at = open_page(PAGES[page], source="table", table=TABLES[0])
            timed_reruns(at, change, 2)
            times = sorted(timed_reruns(at, change, args.reruns))
            median = statistics.median(times)
            p90 = times[min(len(times) - 1, int(0.9 * len(times)))]
            verdict = "ok" if median <= BUDGET_MS else "OVER"
            worst_warm = max(worst_warm, median)
            print(
                f"{page + ' (table)':<22} {case:<13} {median:>9.1f} {p90:>8.1f} {max(times):>8.1f}  {verdict}"
            )
    print(f"\nslowest warm median: {worst_warm:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
