"""The bootstrap of a linear fit: vectorised against a loop of refits (the peer).

Run from the repository root::

    python bench/bench_attribution.py

For two inputs with correlation 0.99 and n rows, ``reps`` bootstrap resamples are
refitted twice on the same resamples: by :func:`lib.attribution.stability.bootstrap_ols`
(one batched solve) and by a loop of statsmodels OLS fits, the naive way. The table
gives the median of 5 runs of each, their ratio, and the largest difference of
the coefficients (they must agree).

The same for the lasso: :func:`lib.attribution.stability.bootstrap_lasso` against
a loop of scikit-learn ``Lasso`` fits on the resampled rows (default settings, the
naive way), and the largest difference from a loop refitted to ``tol=1e-12``.

Then :func:`lib.attribution.methods.shapley_values` of a histogram gradient
boosting model (scikit-learn) with two inputs: 200 rows explained against 100
background rows, beside the model's own predict on the same stacked rows.

Last, the Attribution page itself (Streamlit's AppTest, in process): the CPU
time of each section on a new seed (a seed no run has used, so nothing of the
two-neuron world is cached) and on a warm rerun (the correlation slider between
two values already seen), the median over ``--seeds`` new seeds. A section's
time is its computation (``needs``, counted in the first section that asks for
it) and its drawing, measured on the thread that runs the page. "Trees" is the
part of the new seed spent fitting boosted trees. ``--page`` runs only this::

    python bench/bench_attribution.py --page --seeds 5
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import statsmodels.api as sm
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import Lasso

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lib.attribution.methods import shapley_values  # noqa: E402
from lib.attribution.stability import (  # noqa: E402
    bootstrap_indices,
    bootstrap_lasso,
    bootstrap_ols,
    correlated_pair,
)


def _median_time(work, repeats: int = 5) -> float:  # noqa: ANN001 - a callable
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _lasso_loop(x: np.ndarray, y: np.ndarray, idx: np.ndarray, alpha: float, **kw) -> np.ndarray:  # noqa: ANN003
    fits = (Lasso(alpha=alpha, **kw).fit(x[rows], y[rows]) for rows in idx)
    return np.array([np.r_[fit.intercept_, fit.coef_] for fit in fits])


def bench_lasso(alpha: float = 0.05) -> None:
    print(f"\nlasso, alpha = {alpha}")
    print(
        f"{'n':>6} {'reps':>5} {'vectorised':>11} {'loop':>9} {'ratio':>6} "
        f"{'max diff':>9} {'defaults':>9} {'dropped':>8}"
    )
    for n, reps in ((500, 200), (2000, 500)):
        x = correlated_pair(n, 0.99, 0)
        y = x[:, 0] + np.random.default_rng(1).standard_normal(n)
        idx = bootstrap_indices(n, reps, 2)

        def fast(x=x, y=y, idx=idx) -> np.ndarray:  # noqa: ANN001 - bound now
            return bootstrap_lasso(x, y, alpha, indices=idx)

        def slow(x=x, y=y, idx=idx) -> np.ndarray:  # noqa: ANN001 - bound now
            return _lasso_loop(x, y, idx, alpha)

        ours, peer = _median_time(fast), _median_time(slow, repeats=3)
        exact = _lasso_loop(x, y, idx, alpha, tol=1e-12, max_iter=100_000)
        diff = float(np.max(np.abs(fast() - exact)))
        loose = float(np.max(np.abs(slow() - exact)))  # the loop at default settings
        dropped = int(np.sum(np.any(exact[:, 1:] == 0, axis=1)))
        print(
            f"{n:>6} {reps:>5} {ours * 1e3:>9.1f}ms {peer * 1e3:>7.0f}ms {peer / ours:>5.0f}× "
            f"{diff:>9.1e} {loose:>9.1e} {dropped:>8}"
        )


def bench_shapley() -> None:
    n = 2000
    x = correlated_pair(n, 0.9, 3)
    y = np.sin(x[:, 0]) + x[:, 1] ** 2 + 0.3 * np.random.default_rng(4).standard_normal(n)
    model = HistGradientBoostingRegressor(random_state=0).fit(x, y)
    explained, background = x[:200], x[200:300]
    stacked = np.repeat(x[:800], 100, axis=0)  # as many rows as the Shapley values predict

    def values() -> np.ndarray:
        return shapley_values(model.predict, explained, background)

    def predict_only() -> np.ndarray:
        return model.predict(stacked)

    ours, predict = _median_time(values), _median_time(predict_only)
    print("\nShapley values, gradient boosting, 2 inputs, 200 rows x 100 background (80,000 rows)")
    print(f"shapley_values {ours * 1e3:.0f} ms; the model's predict alone {predict * 1e3:.0f} ms")


class _Timed:
    """A section's ``needs`` or ``draw`` that adds its thread CPU time to ``spent[key]``."""

    def __init__(self, inner: Callable[..., Any], key: str, spent: dict[str, float]) -> None:
        self.inner, self.key, self.spent = inner, key, spent

    def __call__(self, *args: Any) -> Any:
        started = time.thread_time()
        try:
            return self.inner(*args)
        finally:
            self.spent[self.key] += time.thread_time() - started


def _timed_page(spent: dict[str, float]) -> Callable[[str], Any]:
    """``lib.ui.sections.page`` with the Attribution page's sections timed into ``spent``.

    Sections that share a ``needs`` share one timed wrapper (so the page still
    computes it once a run); its time goes to the first section that asks for it.
    """
    from lib.ui import pages

    original = pages.page
    needs: dict[Any, _Timed] = {}
    timed = []
    for s in original("Attribution").sections:
        need = s.needs
        if need is not None and not isinstance(need, str):
            need = needs.setdefault(need, _Timed(need, s.key, spent))
        timed.append(dataclasses.replace(s, needs=need, draw=_Timed(s.draw, s.key, spent)))
    attribution = dataclasses.replace(original("Attribution"), sections=tuple(timed))
    return lambda name: attribution if name == "Attribution" else original(name)


def _trees_cpu(spent: dict[str, float]) -> Callable[[], None]:
    """Count the boosted trees' fits' CPU time into ``spent["trees"]``; returns an undo."""
    from lib.fitting.models import BoostedTreesModel

    fit = BoostedTreesModel.fit

    def timed_fit(self: Any, df: Any) -> Any:
        started = time.thread_time()
        try:
            return fit(self, df)
        finally:
            spent["trees"] += time.thread_time() - started

    BoostedTreesModel.fit = timed_fit  # type: ignore[method-assign]
    return lambda: setattr(BoostedTreesModel, "fit", fit)


def bench_page(seeds: int = 5) -> None:
    """The Attribution page's CPU time per section: a new seed, and a warm rerun."""
    from streamlit.testing.v1 import AppTest

    from lib.ui import sections

    spent: dict[str, float] = defaultdict(float)
    sections.page = _timed_page(spent)  # type: ignore[assignment]
    undo = _trees_cpu(spent)
    root = Path(__file__).resolve().parents[1]
    at = AppTest.from_file(str(root / "app.py"), default_timeout=300)
    at.switch_page("pages/5_Attribution.py")
    at.run()

    def rerun(change: Callable[[], Any]) -> dict[str, float]:
        change()
        spent.clear()
        started = time.process_time()
        at.run()
        if at.exception:
            raise SystemExit(f"the Attribution page raised: {at.exception[0].message}")
        return {**spent, "whole run": time.process_time() - started}

    new, warm = [], []
    for i in range(seeds):
        seed = 1000 + i  # not seen by this process
        new.append(rerun(lambda seed=seed: at.sidebar.number_input(key="w_seed").set_value(seed)))
        for rho in (0.9, 0.99, 0.9, 0.99):  # both values seen once, then timed
            row = rerun(lambda rho=rho: at.select_slider(key="w_rho").set_value(rho))
        warm.append(row)
    undo()
    keys = [s.key for s in sections.page("Attribution").sections] + ["trees", "whole run"]

    def median(rows: list[dict[str, float]], key: str) -> float:
        return 1e3 * statistics.median(r.get(key, 0.0) for r in rows)

    print(f"\nThe Attribution page, CPU ms per section (median of {seeds} new seeds)")
    print(f"{'section':<12} {'new seed':>9} {'warm':>7}")
    for key in keys:
        print(f"{key:<12} {median(new, key):>9.1f} {median(warm, key):>7.1f}")
    whole = median(new, "whole run")
    print(f"{'without trees':<12} {whole - median(new, 'trees'):>9.1f}")
    print(f"new seed / warm rerun: {whole / median(warm, 'whole run'):.1f}×")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--page", action="store_true", help="only the Attribution page")
    parser.add_argument("--seeds", type=int, default=5, help="new seeds on the page")
    args = parser.parse_args()
    if not args.page:
        bench_engine()
    bench_page(args.seeds)


def bench_engine() -> None:
    print(f"{'n':>6} {'reps':>5} {'vectorised':>11} {'loop':>9} {'ratio':>6} {'max diff':>9}")
    for n, reps in ((500, 200), (2000, 200), (2000, 1000), (10_000, 200)):
        x = correlated_pair(n, 0.99, 0)
        y = x[:, 0] + np.random.default_rng(1).standard_normal(n)
        idx = bootstrap_indices(n, reps, 2)
        design = sm.add_constant(x)

        def fast(x=x, y=y, idx=idx) -> np.ndarray:  # noqa: ANN001 - bound now
            return bootstrap_ols(x, y, indices=idx)

        def slow(y=y, design=design, idx=idx) -> np.ndarray:  # noqa: ANN001 - bound now
            return np.array([sm.OLS(y[r], design[r]).fit().params for r in idx])

        ours, peer = _median_time(fast), _median_time(slow, repeats=3)
        diff = float(np.max(np.abs(fast() - slow())))
        print(
            f"{n:>6} {reps:>5} {ours * 1e3:>9.1f}ms {peer * 1e3:>7.0f}ms {peer / ours:>5.0f}× {diff:>9.1e}"
        )
    for alpha in (0.01, 0.05):
        bench_lasso(alpha)
    bench_shapley()


if __name__ == "__main__":
    main()
