"""The Black box engine: training, the exhaustive lesion search, and a new network.

Run from the repository root::

    python bench/bench_blackbox.py

The script limits OpenMP and BLAS to one thread (``OMP_NUM_THREADS``,
``OPENBLAS_NUM_THREADS`` and ``MKL_NUM_THREADS`` set to 1 unless already set),
as ``scripts/serve.sh`` does for the app's workers. It prints Markdown tables:

1. Training, in CPU seconds (``time.process_time``): the page's trainer
   (:func:`lib.blackbox.network.train_network`: 200 iterations of full-batch
   L-BFGS on 500 points) and the reference it replaced
   (:func:`lib.blackbox.network.fit_mlp_reference`: scikit-learn's regressor on
   2,000 points, to convergence) at 8 to 64 hidden units, seeds 0, 1 and 2; the
   median and the range, and the smallest R² of the two networks' outputs
   against each other on the page's 1,000 test points and 25 × 25 grid.
2. The exhaustive lesion search at 32 units on the page's 500 inputs: every
   unit, pair and triple (32 + 496 + 4,960 masks), each network's damage
   computed from one vectorised :func:`lib.blackbox.network.forward` over all
   masks, against the peer, a loop of plain numpy forward passes (one a mask:
   ``np.tanh(x @ W1 + b1) * mask @ W2 + b2``) with the damage computed the same
   way. Median of 5 runs each, their ratio, and the largest difference of the
   damages (they must agree to about 1e-12). Then
   :func:`lib.blackbox.lesions.lesion_search` itself at 16, 24 and 32 units
   (median of 5 runs).
3. The surrogate trees (:func:`lib.blackbox.surrogate.fit_surrogate`, seeds 0,
   1 and 2) and the two illusions at the page's sizes: ``pca_readout`` on 1,000
   recorded and 1,000 new stimuli (3 components, the page's default sets),
   ``patch_directions`` for the bowl, and ``patch_effects`` on 500 base inputs
   (median of 5 runs).
4. A new network: what the page computes on a seed nobody used, part by part,
   in sequence (seeds 0, 1 and 2 at 32 units; median and range). The figures
   are not included.
5. A new network, the whole page in CPU time: every cached computation of the
   page's network sections (:mod:`lib.ui.blackbox_views`: training, scores,
   maps, a unit, lesions, the barrier, the PCA, the patch and the surrogate,
   figures included) with the caches cleared, for seeds 11 to 15 at 32 units
   (the barrier's chart, the same for every network of a size, drawn before);
   the median and range of each part and of the whole.

``python bench/bench_blackbox.py --page`` measures instead the whole page as
the server runs it: one AppTest session of the page with every folded section
open (what a reader who scrolls to the end causes), the "Network seed" set to
six seeds the process never trained (new networks) and flipped between two it
did (warm reruns); the process's CPU time per run, split by section (the time
inside each section's drawing: its computations, figures and elements).
``--page --profile`` adds cProfile's top costs of the new networks' runs (in
the script's thread; the profiler inflates the table's numbers then).
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import itertools  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lib.blackbox import illusions, lesions, surrogate  # noqa: E402
from lib.blackbox.network import (  # noqa: E402
    Network,
    behaviour_targets,
    fit_mlp_reference,
    forward,
    hidden_activity,
    input_grid,
    network_from_mlp,
    r_squared,
    sample_inputs,
    train_network,
)

SEEDS = (0, 1, 2)
#: The page's sizes (lib/ui/blackbox_views.py).
LESION_ROWS = 500
TEST_ROWS = 1000
GRID_STEPS = 41
STIMULUS_ROWS = 1000
PATCH_ROWS = 500
COMPONENTS = 3


def _median_time(work: Callable[[], object], repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _once(work: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def _spread(times: list[float], scale: float = 1.0, digits: int = 2) -> str:
    """``median (min–max)`` of ``times``, times ``scale``."""
    med, lo, hi = (scale * v for v in (statistics.median(times), min(times), max(times)))
    return f"{med:.{digits}f} ({lo:.{digits}f}–{hi:.{digits}f})"


# ----------------------------------------------------------------------------- 1 · training


def _cpu(work: Callable[[], object]) -> tuple[float, object]:
    started = time.process_time()
    result = work()
    return time.process_time() - started, result


def _agreement(net: Network, reference: Network) -> float:
    """The smallest R² of ``net``'s outputs against ``reference``'s on the page's inputs."""
    x = np.vstack([sample_inputs(TEST_ROWS, net.seed + 1), input_grid(25)[1]])
    return float(r_squared(forward(reference, x), forward(net, x), net.behaviours).min())


def bench_training() -> None:
    print("\n### Training, CPU (one thread; seeds 0, 1, 2: median (range))\n")
    print("| hidden units | parameters | the page's trainer, s | reference, s | R², least |")
    print("|---:|---:|---:|---:|---:|")
    for hidden in (8, 16, 32, 48, 64):
        fast, slow, agree = [], [], []
        for seed in SEEDS:
            t, net = _cpu(lambda s=seed, h=hidden: train_network(s, hidden=h))
            r, mlp = _cpu(lambda s=seed, h=hidden: fit_mlp_reference(s, hidden=h))
            fast.append(t)
            slow.append(r)
            agree.append(_agreement(net, network_from_mlp(mlp, seed)))
        params = 2 * hidden + hidden + 3 * hidden + 3
        print(
            f"| {hidden} | {params} | {_spread(fast, 1, 3)} | {_spread(slow)} | {min(agree):.4f} |"
        )


# ----------------------------------------------------------------------------- 2 · lesions


def _all_masks(hidden: int) -> np.ndarray:
    """Every unit, pair and triple silenced: one 0/1 row per set."""
    rows = []
    for size in (1, 2, 3):
        for units in itertools.combinations(range(hidden), size):
            mask = np.ones(hidden)
            mask[list(units)] = 0.0
            rows.append(mask)
    return np.array(rows)


def _reference(net: Network, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The behaviours' truth, the intact network's MSE and the behaviours' variance on x."""
    truth = behaviour_targets(x, net.behaviours)
    intact = np.mean((forward(net, x) - truth) ** 2, axis=0)
    return truth, intact, truth.var(axis=0)


def damage_vectorised(net: Network, x: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """Damage of every mask from one masked forward pass, shape (m, 3)."""
    truth, intact, variance = _reference(net, x)
    mse = np.mean((forward(net, x, masks) - truth[None]) ** 2, axis=1)
    return (mse - intact) / variance


def damage_loop(net: Network, x: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """The peer: one plain forward pass a mask, the damage computed the same way."""
    truth, intact, variance = _reference(net, x)
    out = np.empty((len(masks), truth.shape[1]))
    for i, mask in enumerate(masks):
        y = np.tanh(x @ net.W1 + net.b1) * mask @ net.W2 + net.b2
        out[i] = (np.mean((y - truth) ** 2, axis=0) - intact) / variance
    return out


def bench_lesions(nets: dict[int, Network], x: np.ndarray) -> None:
    net = nets[32]
    masks = _all_masks(net.hidden)
    print(
        f"\n### Exhaustive lesions, 32 units, {len(x)} inputs: {len(masks):,} masks "
        "(median of 5 runs)\n"
    )
    print("| | vectorised `forward` | loop of forward passes | ratio | largest difference |")
    print("|---|---:|---:|---:|---:|")
    fast = _median_time(lambda: damage_vectorised(net, x, masks))
    slow = _median_time(lambda: damage_loop(net, x, masks))
    diff = float(np.max(np.abs(damage_vectorised(net, x, masks) - damage_loop(net, x, masks))))
    print(
        f"| singles + pairs + triples | {fast * 1e3:.0f} ms | {slow * 1e3:.0f} ms | "
        f"{slow / fast:.1f}× | {diff:.1e} |"
    )

    print("\n### `lesion_search` (median of 5 runs)\n")
    print("| hidden units | sets lesioned (1 + 2 + 3) | `lesion_search` |")
    print("|---:|---:|---:|")
    for hidden in (16, 24, 32):
        sets = sum(len(list(itertools.combinations(range(hidden), k))) for k in (1, 2, 3))
        t = _median_time(lambda h=hidden: lesions.lesion_search(nets[h], x))
        print(f"| {hidden} | {sets:,} | {t * 1e3:.0f} ms |")


# ----------------------------------------------------------------------------- 3 · the rest


def _pca(net: Network) -> illusions.PcaReadout:
    x_rec = illusions.stimuli("diagonal", STIMULUS_ROWS, net.seed + 3)
    x_new = illusions.stimuli("anti-diagonal", STIMULUS_ROWS, net.seed + 4)
    return illusions.pca_readout(net, x_rec, x_new, COMPONENTS)


def bench_surrogate_and_illusions(nets_by_seed: dict[int, Network]) -> None:
    print("\n### Surrogate trees and illusions, 32 units\n")
    print("| step | time |")
    print("|---|---:|")
    times = [
        _once(lambda n=n: surrogate.fit_surrogate(n, n.seed))[0] for n in nets_by_seed.values()
    ]
    print(f"| `fit_surrogate` (seeds 0, 1, 2: median (range)) | {_spread(times, 1e3, 0)} ms |")
    net = nets_by_seed[0]
    x_base = sample_inputs(PATCH_ROWS, net.seed + 5)
    directions = illusions.patch_directions(net, "bowl")
    steps = {
        f"`pca_readout` ({STIMULUS_ROWS:,} + {STIMULUS_ROWS:,} stimuli, k = {COMPONENTS})": (
            lambda: _pca(net)
        ),
        "`patch_directions` (bowl, the network's 500 training inputs)": (
            lambda: illusions.patch_directions(net, "bowl")
        ),
        f"`patch_effects` ({PATCH_ROWS} base inputs, 4 patches)": (
            lambda: illusions.patch_effects(net, directions, x_base)
        ),
    }
    for name, work in steps.items():
        print(f"| {name} (median of 5) | {_median_time(work) * 1e3:.1f} ms |")


# ----------------------------------------------------------------------------- 4 · a new network


def new_network(seed: int, hidden: int = 32) -> dict[str, float]:
    """What the page computes for a new (units, seed), part by part, in seconds."""
    parts: dict[str, float] = {}

    def timed(name: str, work: Callable[[], object]) -> object:
        started = time.perf_counter()
        result = work()
        parts[name] = parts.get(name, 0.0) + time.perf_counter() - started
        return result

    net = timed("train", lambda: train_network(seed, hidden=hidden))
    x_test, x_lesion = sample_inputs(TEST_ROWS, seed + 1), sample_inputs(LESION_ROWS, seed + 2)

    def maps() -> None:
        forward(net, x_test)
        _, grid = input_grid(GRID_STEPS)
        forward(net, grid)
        hidden_activity(net, grid)

    timed("scores and maps", maps)

    def single() -> None:
        silenced = lesions.single_lesions(net, x_lesion)
        recentred = lesions.recentred_lesions(net, x_lesion)
        lesions.only_one_units(silenced, recentred)
        lesions.lesion_counts(silenced)

    timed("single + re-centred lesions", single)
    timed("lesion_search (pairs and triples, once)", lambda: lesions.lesion_search(net, x_lesion))
    timed("pca_readout", lambda: _pca(net))

    def patch() -> None:
        directions = illusions.patch_directions(net, "bowl")
        x_base = sample_inputs(PATCH_ROWS, seed + 5)
        illusions.patch_effects(net, directions, x_base)
        for name in ("along v", "the whole layer"):
            illusions.patched_outputs(net, directions, x_base, patch=name)

    timed("patch (directions, effects, outputs)", patch)

    def trees() -> None:
        copy = surrogate.fit_surrogate(net, seed)
        t = np.linspace(-2.0, 2.0, 200)
        surrogate.surrogate_outputs(copy, np.column_stack([t, t]))

    timed("fit_surrogate", trees)
    return parts


def bench_new_network() -> None:
    runs = [new_network(seed) for seed in SEEDS]
    print("\n### A new network, 32 units, in sequence (seeds 0, 1, 2: median (range))\n")
    print("| part | time, ms |")
    print("|---|---:|")
    for name in runs[0]:
        print(f"| {name} | {_spread([r[name] for r in runs], 1e3, 0)} |")
    totals = [sum(r.values()) for r in runs]
    print(f"| **total** | **{_spread(totals, 1e3, 0)}** |")


def bench_circuits() -> None:
    """The line attractor's runs and the toy model of superposition's training."""
    from lib.blackbox import attractor, superposition

    print("\n### The line attractor: one page view (12.6 s of saccades at 1 ms, median of 5)\n")
    print("| units | simulate | simulate, a lesion at 8.5 s | predicted trace |")
    print("|---:|---:|---:|---:|")
    t, v = attractor.saccade_commands((10.0, -10.0, 15.0), fixation=(3.0, 3.0, 6.0))
    for n in (2, 20, 100):
        net = attractor.make_integrator(n, mistuning=-0.01)
        plain = _median_time(lambda net=net: attractor.simulate(net, t, v))
        lesioned = _median_time(
            lambda net=net: attractor.simulate(net, t, v, lesion_at=8.5, lesioned=(1,))
        )
        predicted = _median_time(lambda net=net: attractor.predicted_trace(net, t, v))
        print(
            f"| {n} | {1000 * plain:.1f} ms | {1000 * lesioned:.1f} ms | "
            f"{1000 * predicted:.1f} ms |"
        )
    print("\n### The toy model of superposition (4 starts each; seeds 0, 1, 2)\n")
    print("| sparsity | training, median (range) |")
    print("|---:|---:|")
    for sparsity in (0.0, 0.7, 0.95, 0.99):
        times = [
            _once(lambda s=sparsity, seed=seed: superposition.train_toy(s, seed))[0]
            for seed in SEEDS
        ]
        print(f"| {sparsity:g} | {_spread(times, 1000, 0)} ms |")
    sweep = [
        _once(lambda seed=seed: [superposition.train_toy(s, seed) for s in PAGE_SPARSITIES])[0]
        for seed in SEEDS
    ]
    print(f"| the page's {len(PAGE_SPARSITIES)} sparsities | {_spread(sweep, 1, 2)} s |")


#: The sparsities the page trains once (its slider's options).
PAGE_SPARSITIES = (0.0, 0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 0.99)


#: Seeds of the whole-page benchmark (a network nobody trained before in the process).
PAGE_SEEDS = (11, 12, 13, 14, 15)


def bench_page() -> None:
    """A new network's whole page, in CPU time, through the page's own caches."""
    import logging

    import streamlit as st

    from lib.ui import blackbox_views as views
    from lib.ui import illusion_views

    logging.disable(logging.WARNING)  # the caches warn outside a running app
    parts: dict[str, Callable[[tuple[int, int]], object]] = {
        "train": lambda k: views.network_at(*k),
        "scores": views._fit_scores,
        "maps of the square": views._grid,
        "one unit's map": lambda k: views._unit_figure(k, 0),
        "single and re-centred lesions": views._lesions,
        "the barrier (pairs and triples)": views._barrier,
        "PCA illusion": lambda k: illusion_views._pca(k, 3, "diagonal", "anti-diagonal"),
        "patching illusion": lambda k: illusion_views._patch(k, "bowl"),
        "surrogate trees": views._surrogate,
    }
    for work in parts.values():  # imports and first calls, on a network of its own
        work((32, 99))
    runs: dict[str, list[float]] = {name: [] for name in parts}
    for seed in PAGE_SEEDS:
        st.cache_resource.clear()
        views._barrier_figure(32)  # drawn once per network size
        for name, work in parts.items():
            runs[name].append(_cpu(lambda w=work, s=seed: w((32, s)))[0])
    print(
        "\n### A new network, the whole page, CPU with its figures "
        f"(32 units; seeds {PAGE_SEEDS[0]}–{PAGE_SEEDS[-1]}: median (range))\n"
    )
    print("| part | CPU, ms |")
    print("|---|---:|")
    for name, times in runs.items():
        print(f"| {name} | {_spread(times, 1e3, 0)} |")
    totals = [sum(times[i] for times in runs.values()) for i in range(len(PAGE_SEEDS))]
    print(f"| **total** | **{_spread(totals, 1e3, 0)}** |")


#: Network seeds the AppTest whole-page benchmark trains for the first time.
APPTEST_NEW_SEEDS = tuple(range(40, 48))
#: Network seeds it flips between for warm reruns (both trained first).
APPTEST_WARM_SEEDS = (0, 1)


def bench_page_apptest(runs: int = 6, profile: bool = False) -> None:
    """The whole page as a reader who opened every section causes it, in CPU time.

    One AppTest session of ``pages/6_Black_box.py`` with every folded section
    open (as :func:`tests.apptest.unfold_sections` opens them), the "Network
    seed" widget set to a seed the process never trained (a new network) or
    flipped between two trained ones (a warm rerun). Each run's process CPU
    (``time.process_time``: every thread) is split by section: the time inside
    each section's drawing (:func:`lib.ui.sections._draw`: its computation, its
    figures, its elements), the rest being the page's own (state, sidebar, link).
    """
    import cProfile
    import io
    import logging
    import pstats

    from streamlit.testing.v1 import AppTest

    import lib.ui.sections as sections
    from lib.ui.pages import PAGES

    logging.disable(logging.WARNING)
    root = Path(__file__).resolve().parents[1]
    at = AppTest.from_file(str(root / "app.py"), default_timeout=300)
    for s in PAGES["Black box"].sections:
        if s.fold:
            at.session_state[sections.fold_key("Black box", s.key)] = True
    at.switch_page("pages/6_Black_box.py")
    at.run()
    if at.exception:
        raise SystemExit(at.exception[0].message)
    keys = [s.key for s in PAGES["Black box"].sections]
    spent: dict[str, float] = dict.fromkeys(keys, 0.0)
    draw = sections._draw
    profiler = cProfile.Profile() if profile else None

    def timed(lab, s, memo):  # type: ignore[no-untyped-def]
        started = time.process_time()
        try:
            return draw(lab, s, memo)
        finally:
            spent[s.key] += time.process_time() - started

    def run_at(seed: int, profiled: bool = False) -> dict[str, float]:
        for key in spent:
            spent[key] = 0.0
        at.number_input(key="w_net_seed").set_value(seed)
        started = time.process_time()
        profiling[0] = profiled
        at.run()
        total = time.process_time() - started
        if at.exception:
            raise SystemExit(at.exception[0].message)
        out = {k: v for k, v in spent.items() if k in keys}
        out["(the page's own)"] = total - sum(out.values())
        out["total"] = total
        return out

    profiling = [False]
    render = sections.render

    def rendered(name: str):  # type: ignore[no-untyped-def]
        if profiler is None or not profiling[0]:
            return render(name)
        profiler.enable()  # in the script's thread: the page's own work
        try:
            return render(name)
        finally:
            profiler.disable()

    sections._draw = timed
    sections.render = rendered
    try:
        for seed in APPTEST_WARM_SEEDS:
            run_at(seed)
        warm = [run_at(APPTEST_WARM_SEEDS[i % 2]) for i in range(max(runs, 6))]
        new = [run_at(seed, profiled=True) for seed in APPTEST_NEW_SEEDS[:runs]]
    finally:
        sections._draw = draw
        sections.render = render
    print(
        "\n### The whole page at the AppTest, every section open, process CPU "
        f"(32 units; new networks: seeds {APPTEST_NEW_SEEDS[0]}–"
        f"{APPTEST_NEW_SEEDS[runs - 1]}; warm: seeds {APPTEST_WARM_SEEDS} in turn; "
        "median (range))\n"
    )
    print("| section | new network, ms | warm rerun, ms |")
    print("|---|---:|---:|")
    for name in new[0]:
        label = f"**{name}**" if name == "total" else name
        print(
            f"| {label} | {_spread([r[name] for r in new], 1e3, 0)} | "
            f"{_spread([r[name] for r in warm], 1e3, 0)} |"
        )
    if profiler is not None:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs()
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
        print(out.getvalue())


def main() -> None:
    if "--page" in sys.argv[1:]:  # the whole page at the AppTest only
        bench_page_apptest(profile="--profile" in sys.argv[1:])
        return
    started = time.perf_counter()
    bench_circuits()
    bench_training()
    x = sample_inputs(LESION_ROWS, 0 + 2)  # the page's lesion inputs for seed 0
    nets = {h: train_network(0, hidden=h) for h in (16, 24, 32)}
    bench_lesions(nets, x)
    by_seed = {0: nets[32], **{s: train_network(s) for s in SEEDS[1:]}}
    bench_surrogate_and_illusions(by_seed)
    bench_new_network()
    bench_page()
    print(f"\n(whole benchmark: {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
