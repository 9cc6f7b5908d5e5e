"""Invariant Causal Prediction (Peters, Bühlmann & Meinshausen, JRSS-B 2016).

A set ``S`` of predictors is *invariant* when the residuals of the pooled
regression of the target on ``S`` have the same distribution in every
environment. The causal parents of the target form such a set whenever the
environments do not intervene on the target itself, so the intersection of all
invariant sets that the data cannot reject is, with probability at least
``1 - alpha``, a subset of the causal parents.

>>> res = icp(df, target="relief", environment="env", alpha=0.05)  # doctest: +SKIP
>>> res.accepted_sets, res.causal_predictors, res.pvalues  # doctest: +SKIP

The test for one set is the one of the reference implementations (the R
package ``InvariantCausalPrediction`` and the Python package ``causalicp``):
for each environment against all the others, a Welch t-test of the residual
means and a two-sided F-test of the residual variances; the smallest of these
p-values times ``2 * (E - 1)`` (``E`` environments), capped at 1, is the set's
p-value, and the set is accepted when it exceeds ``alpha``. With two
environments the two comparisons coincide, so this is a Bonferroni correction
over the two tests made and the level holds. With ``E >= 3`` it multiplies by
less than the ``2 * E`` tests made (as the reference implementations do), so
the true set may be rejected a little more often than ``alpha`` (at most
``alpha * E / (E - 1)``; 0.069 measured at ``alpha = 0.05``, three
environments of 60 rows).

One departure: a set that fits the target exactly (a pooled residual sum of
squares below :data:`EXACT_FIT` times the target's sum of squares, i.e. residuals
that are rounding noise) gets p-value 1 — its residuals are zero in every
environment, and testing rounding noise against rounding noise gave p-values
like 7e-11 for ``y = x1 + 2·x2`` exactly.

The engine is exact and does no pass over the rows per subset: it computes,
once, each environment's size, mean and within-environment scatter matrix of
``[X, y]`` (after centring every column at its pooled mean), and derives the
pooled coefficients, each environment's residual mean and residual sum of
squares for every subset from those small matrices. Subsets are processed in
batches of equal size (one stacked solve per batch).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, ItemsView, Iterator, Mapping, Sequence, ValuesView
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import special, stats
from threadpoolctl import ThreadpoolController

from lib.errors import DataError, did_you_mean
from lib.world.environments import MIN_ROWS_PER_ENV

__all__ = [
    "ICPCancelled",
    "ICPResult",
    "MIN_ROWS_PER_ENV",
    "SetPValues",
    "icp",
    "icp_arrays",
]

#: Candidates kept by pre-selection (at most ``max_exact``).
PRESELECT_TO = 12
#: Rows used to fit the pre-selection model (a seeded subsample beyond this).
PRESELECT_ROWS = 20_000
#: Most matrix entries gathered per batch (bounds memory: 8 bytes each, a few copies).
_BATCH_ENTRIES = 2_000_000
#: Threads that test batches of subsets at once.
_WORKERS = 2
#: A pooled residual sum of squares at most this share of the target's (about the
#: centred target's sum of squares) is an exact fit: rounding leaves ~1e-16.
EXACT_FIT = 1e-12
#: Fewest subsets (2**p) worth spreading over threads.
_PARALLEL_FROM = 4096
#: Condition number of the candidates' correlation matrix beyond which they are
#: treated as perfectly collinear.
_MAX_CONDITION = 1e12

NO_SET_NOTE = (
    "No set of predictors was accepted: no regression on these candidates has the same "
    "residuals in every environment. Either the model is misspecified (e.g. a nonlinear "
    "mechanism or an intervention on the target itself) or hidden variables act."
)


class ICPCancelled(Exception):
    """Raised by :func:`icp` when its ``cancel`` callback returns true."""


class SetPValues(Mapping[frozenset[str], float]):
    """The p-value of every tested subset, as a read-only mapping.

    Behaves like a ``dict`` from ``frozenset`` of predictor names to p-value
    (``res.set_pvalues[frozenset({"x", "z"})]``, ``.items()``, ``len``), but is
    stored as two arrays so that a million subsets stay cheap to keep and to
    cache.

    Attributes
    ----------
    names : tuple of str
        The candidates; bit ``i`` of a mask stands for ``names[i]``.
    masks : numpy.ndarray of int64
        One bit mask per tested subset, in test order (by size, then lexically).
    pvals : numpy.ndarray of float
        The subsets' p-values, aligned with ``masks``.
    """

    def __init__(self, names: Sequence[str], masks: np.ndarray, pvals: np.ndarray) -> None:
        self.names = tuple(names)
        self.masks = np.asarray(masks, dtype=np.int64)
        self.pvals = np.asarray(pvals, dtype=float)
        self._bit = {name: 1 << i for i, name in enumerate(self.names)}

    @cached_property
    def _position(self) -> dict[int, int]:
        return {int(m): i for i, m in enumerate(self.masks.tolist())}

    def mask_of(self, subset: frozenset[str] | set[str]) -> int:
        """The bit mask of a set of candidate names (``KeyError`` for another name)."""
        return sum(self._bit[name] for name in subset)

    def subset(self, mask: int) -> frozenset[str]:
        """The set of names a bit mask stands for."""
        return frozenset(n for i, n in enumerate(self.names) if mask >> i & 1)

    def subsets(self, masks: np.ndarray) -> list[frozenset[str]]:
        """The sets of names many bit masks stand for (fast: two lookup tables)."""
        masks = np.asarray(masks, dtype=np.int64)
        half = (len(self.names) + 1) // 2
        low, high = self._halves(half)
        lo = (masks & ((1 << half) - 1)).tolist()
        hi = (masks >> half).tolist()
        return [low[a] | high[b] for a, b in zip(lo, hi, strict=True)]

    def _halves(self, half: int) -> tuple[list[frozenset[str]], list[frozenset[str]]]:
        def table(names: tuple[str, ...]) -> list[frozenset[str]]:
            return [
                frozenset(n for i, n in enumerate(names) if m >> i & 1)
                for m in range(1 << len(names))
            ]

        return table(self.names[:half]), table(self.names[half:])

    def __getitem__(self, key: frozenset[str]) -> float:
        try:
            pos = self._position[self.mask_of(key)]
        except (KeyError, TypeError):
            raise KeyError(key) from None
        return float(self.pvals[pos])

    def __iter__(self) -> Iterator[frozenset[str]]:
        return iter(self.subsets(self.masks))

    def __len__(self) -> int:
        return len(self.masks)

    def items(self) -> ItemsView[frozenset[str], float]:
        """(subset, p-value) pairs in test order (decoded in one pass)."""
        return _FastItems(self)

    def values(self) -> ValuesView[float]:
        """The p-values in test order."""
        return _FastValues(self)

    def __repr__(self) -> str:
        return f"SetPValues({len(self)} subsets of {len(self.names)} candidates)"

    def __reduce__(self) -> tuple[Any, ...]:
        return (SetPValues, (self.names, self.masks, self.pvals))

    def table(self, alpha: float | None = None, top: int | None = None) -> pd.DataFrame:
        """The subsets ranked by p-value, largest first.

        Parameters
        ----------
        alpha : float, optional
            If given, a column ``accepted`` (p-value > alpha) is added.
        top : int, optional
            Keep only the ``top`` highest-ranked subsets.

        Returns
        -------
        pandas.DataFrame
            Columns ``set`` (names joined by ", ", "∅" for the empty set),
            ``size``, ``pvalue`` and optionally ``accepted``.
        """
        order = np.argsort(-self.pvals, kind="stable")
        if top is not None:
            order = order[: max(int(top), 0)]
        masks = self.masks[order].tolist()
        sets = [", ".join(n for i, n in enumerate(self.names) if m >> i & 1) or "∅" for m in masks]
        out = pd.DataFrame(
            {
                "set": sets,
                "size": [int(m).bit_count() for m in masks],
                "pvalue": self.pvals[order],
            }
        )
        if alpha is not None:
            out["accepted"] = out["pvalue"] > alpha
        return out


class _FastItems(ItemsView[frozenset[str], float]):
    _mapping: SetPValues

    def __iter__(self) -> Iterator[tuple[frozenset[str], float]]:
        spv = self._mapping
        return zip(spv.subsets(spv.masks), spv.pvals.tolist(), strict=True)


class _FastValues(ValuesView[float]):
    _mapping: SetPValues

    def __iter__(self) -> Iterator[float]:
        return iter(self._mapping.pvals.tolist())


@dataclass(frozen=True)
class ICPResult:
    """The outcome of :func:`icp`.

    Attributes
    ----------
    target : str
    candidates : tuple of str
        The predictors whose subsets were tested (after any pre-selection).
    alpha : float
        Level of the test.
    set_pvalues : SetPValues
        Every tested subset (including the empty set) to its p-value; a
        read-only ``dict``-like mapping from ``frozenset`` of names.
    accepted_sets : list of frozenset of str
        The subsets with p-value > ``alpha`` (in test order: by size, then lexically).
    causal_predictors : frozenset of str
        The intersection of the accepted sets: the estimated causal parents.
        Empty when no set is accepted (see :attr:`no_set_accepted`) and when
        the accepted sets share no predictor (ICP then names no parent).
    pvalues : dict of str to float
        Per predictor, the largest p-value among the tested sets that do not
        contain it (the paper's and ``causalicp``'s definition): small means
        "every set without this predictor is rejected", i.e. evidence that it
        is a causal parent. All 1 when no set is accepted.
    conf_int : dict of str to (float, float)
        Per predictor, the union over accepted sets of the coefficient's
        confidence interval (a predictor outside an accepted set contributes
        the coefficient 0). The intervals are the reference implementations':
        ``coef ± z(1 - alpha/4) · se`` with the pooled residual variance. When
        no set is accepted, every interval is ``(nan, nan)``.
    n : int
        Rows used (after dropping rows with missing values).
    environments : tuple
        The environment labels, in order of first appearance.
    preselected : tuple of str or None
        The candidates kept by pre-selection, when it ran (see ``note``).
    note : str
        Plain sentences for the page: rows dropped, pre-selection, no set
        accepted. Empty when there is nothing to say.
    env_sizes : tuple of int
        Rows per environment, aligned with ``environments``.
    dropped : int
        Rows dropped for missing or infinite values.
    """

    target: str
    candidates: tuple[str, ...]
    alpha: float
    set_pvalues: SetPValues = field(repr=False)
    accepted_sets: list[frozenset[str]] = field(repr=False)
    causal_predictors: frozenset[str]
    pvalues: dict[str, float]
    conf_int: dict[str, tuple[float, float]] = field(repr=False)
    n: int
    environments: tuple
    preselected: tuple[str, ...] | None = None
    note: str = ""
    env_sizes: tuple[int, ...] = ()
    dropped: int = 0

    @property
    def no_set_accepted(self) -> bool:
        """True when every subset was rejected (model violation or hidden variables)."""
        return not self.accepted_sets

    @property
    def verdict(self) -> str:
        """One or two plain sentences stating the outcome (Markdown)."""
        if self.no_set_accepted:
            return NO_SET_NOTE
        k = len(self.accepted_sets)
        sets = f"{k} of {len(self.set_pvalues)} sets" if k > 1 else "one set"
        if not self.causal_predictors:
            shared = (
                "only the empty set passed the invariance test"
                if k == 1
                else f"{sets} passed the invariance test, and they share no predictor"
            )
            return (
                f"{shared[0].upper()}{shared[1:]}: ICP names no causal parent of "
                f"`{self.target}` at level {self.alpha:g} (the environments do not tell "
                f"the candidates apart)."
            )
        names = sorted(self.causal_predictors, key=self.candidates.index)
        listed = ", ".join(f"`{n}`" for n in names)
        return (
            f"{sets.capitalize()} passed the invariance test; every one contains {listed}. "
            f"With probability at least {1 - self.alpha:.0%}, {listed} "
            f"{'is a cause' if len(names) == 1 else 'are causes'} of `{self.target}` "
            f"(assuming a linear mechanism with additive noise and no intervention on "
            f"`{self.target}` itself)."
        )


# ---------------------------------------------------------------------------
# Input checks


def _numeric(series: pd.Series) -> bool:
    return bool(pd.api.types.is_numeric_dtype(series)) or bool(pd.api.types.is_bool_dtype(series))


def _columns(
    df: pd.DataFrame, target: str, environment: str, candidates: Sequence[str] | None
) -> list[str]:
    if not isinstance(df, pd.DataFrame):
        raise DataError("ICP needs a table (a pandas DataFrame).")
    cols = [str(c) for c in df.columns]
    for what, name in (("target", target), ("environment column", environment)):
        if name not in df.columns:
            raise DataError(
                f"the {what} `{name}` is not a column of the data"
                f"{did_you_mean(str(name), cols) or '.'}"
            )
    if target == environment:
        raise DataError("the target cannot also be the environment column.")
    if not _numeric(df[target]):
        raise DataError(
            f"the target `{target}` is not numeric (it holds {df[target].dtype} values); "
            f"ICP regresses it on the predictors, so pick a numeric column."
        )
    if candidates is None:  # every numeric column a study would see (never a latent one)
        hidden = set(df.attrs.get("latent", ()))
        return [
            c
            for c in df.columns
            if c not in (target, environment) and c not in hidden and _numeric(df[c])
        ]
    names = list(candidates)
    if len(set(names)) != len(names):
        raise DataError("a candidate predictor is listed twice.")
    for c in names:
        if c not in df.columns:
            raise DataError(
                f"the candidate `{c}` is not a column{did_you_mean(str(c), cols) or '.'}"
            )
        if c in (target, environment):
            raise DataError(
                f"`{c}` cannot be a candidate predictor: it is the {'target' if c == target else 'environment column'}."
            )
        if not _numeric(df[c]):
            raise DataError(f"the candidate `{c}` is not numeric; ICP needs numeric predictors.")
    return names


def _collinear(Z: np.ndarray, names: Sequence[str]) -> list[str]:
    """Names of candidates that are (near-)linear combinations of earlier ones."""
    sd = np.sqrt(np.diag(Z))
    R = Z / np.outer(sd, sd)
    kept: list[int] = []
    bad = []
    for j in range(len(names)):
        trial = [*kept, j]
        if np.linalg.cond(R[np.ix_(trial, trial)]) > _MAX_CONDITION:
            bad.append(names[j])
        else:
            kept.append(j)
    return bad


# ---------------------------------------------------------------------------
# Pre-selection


def _preselect(
    X: np.ndarray, y: np.ndarray, names: Sequence[str], keep: int, method: str
) -> list[str]:
    """Keep the ``keep`` most important candidates (lasso or boosting, pooled data)."""
    rng = np.random.default_rng(0)
    if len(y) > PRESELECT_ROWS:
        rows = np.sort(rng.choice(len(y), PRESELECT_ROWS, replace=False))
        X, y = X[rows], y[rows]
    Xs = (X - X.mean(0)) / X.std(0)
    ys = (y - y.mean()) / y.std()
    if method == "lasso":
        from sklearn.linear_model import LassoCV

        model = LassoCV(cv=5, alphas=40, random_state=0, max_iter=5000).fit(Xs, ys)
        score = np.abs(model.coef_)
    elif method == "boosting":
        from sklearn.ensemble import GradientBoostingRegressor

        gbm = GradientBoostingRegressor(
            n_estimators=100, max_depth=3, learning_rate=0.1, subsample=0.8, random_state=0
        ).fit(Xs, ys)
        score = gbm.feature_importances_
    else:
        raise DataError(f"unknown pre-selection {method!r}; use 'lasso' or 'boosting'.")
    order = [j for j in np.argsort(-score, kind="stable") if score[j] > 0][:keep]
    return [names[j] for j in sorted(order)]


# ---------------------------------------------------------------------------
# The engine


@dataclass
class _Stats:
    """Per-environment sufficient statistics of ``[X, y]`` (pooled-centred)."""

    counts: np.ndarray  # (E,)
    means: np.ndarray  # (E, p + 1)
    scatter: np.ndarray  # (E, p + 1, p + 1), within-environment
    pooled: np.ndarray  # (p + 1, p + 1), pooled scatter about the pooled mean


def _sufficient_stats(Z: np.ndarray, codes: np.ndarray, n_env: int) -> _Stats:
    Z = Z - Z.mean(axis=0)
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes, minlength=n_env)
    bounds = np.concatenate([[0], np.cumsum(counts)])
    Zs = Z[order]
    means = np.empty((n_env, Z.shape[1]))
    scatter = np.empty((n_env, Z.shape[1], Z.shape[1]))
    for e in range(n_env):
        block = Zs[bounds[e] : bounds[e + 1]]
        means[e] = block.mean(axis=0)
        D = block - means[e]
        scatter[e] = D.T @ D
    pooled = scatter.sum(axis=0) + np.einsum("e,ei,ej->ij", counts, means, means)
    return _Stats(counts.astype(float), means, scatter, pooled)


def _level(prev: np.ndarray, p: int) -> np.ndarray:
    """All subsets of size k + 1 (sorted index rows) from those of size k, lexically."""
    if prev.shape[1] == 0:
        return np.arange(p, dtype=np.intp)[:, None]
    last = prev[:, -1]
    counts = p - 1 - last  # children per parent
    rows = np.repeat(np.arange(len(prev)), counts)
    offset = np.arange(len(rows)) - np.repeat(np.cumsum(counts) - counts, counts)
    new = last[rows] + 1 + offset
    return np.hstack([prev[rows], new[:, None]])


def _batch_pvalues(
    idx: np.ndarray, st: _Stats, p: int, alpha: float, quantile: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """p-values of the subsets in ``idx`` (rows of sorted candidate indices).

    Returns p-values, coefficients spread to length p (zeros outside the
    set), and the lower and upper confidence limits (length p, zeros outside
    the set) of the accepted subsets (None if none).
    """
    m, k = idx.shape
    E = len(st.counts)
    y = p
    B = np.zeros((m, p))
    if k:
        A = st.pooled[idx[:, :, None], idx[:, None, :]]
        r = st.pooled[idx, y]
        b = np.linalg.solve(A, r[:, :, None])[:, :, 0]
        np.put_along_axis(B, idx, b, axis=1)
    n = st.counts
    N = n.sum()
    mu = np.empty((E, m))
    q = np.empty((E, m))
    for e in range(E):
        C = st.scatter[e]
        mu[e] = st.means[e, y] - B @ st.means[e, :p]
        q[e] = C[y, y] - 2.0 * (B @ C[:p, y]) + np.einsum("mi,mi->m", B @ C[:p, :p], B)
    np.maximum(q, 0.0, out=q)
    p_min = np.full(m, np.inf)
    # With two environments, "first against the rest" and "second against the
    # rest" are the same two-sided tests: compute them once.
    with np.errstate(divide="ignore", invalid="ignore"):
        for e in range(1 if E == 2 else E):
            others = [j for j in range(E) if j != e]
            n_r = N - n[e]
            mu_r = sum(n[j] * mu[j] for j in others) / n_r
            ss_r = sum(q[j] + n[j] * (mu[j] - mu_r) ** 2 for j in others)
            v_e = q[e] / (n[e] - 1)
            v_r = ss_r / (n_r - 1)
            # Welch t-test of the residual means (as scipy.stats.ttest_ind, equal_var=False)
            vn1, vn2 = v_e / n[e], v_r / n_r
            df = (vn1 + vn2) ** 2 / (vn1**2 / (n[e] - 1) + vn2**2 / (n_r - 1))
            df = np.where(np.isnan(df), 1.0, df)
            t = (mu[e] - mu_r) / np.sqrt(vn1 + vn2)
            p_mean = 2.0 * special.stdtr(df, -np.abs(t))
            # two-sided F-test of the residual variances
            F = v_e / v_r
            p_var = 2.0 * special.fdtr(n[e] - 1, n_r - 1, F)
            upper = ~(p_var <= 1.0)  # the upper tail is the smaller one (or F is NaN)
            if upper.any():
                p_var[upper] = 2.0 * special.fdtrc(n[e] - 1, n_r - 1, F[upper])
            p_min = np.fmin(p_min, np.fmin(p_mean, p_var))
    pval = np.minimum(1.0, p_min * 2 * (E - 1))
    pval = np.where(np.isnan(pval), 0.0, pval)
    # an exact fit: every residual is rounding noise, in every environment, so it is invariant
    exact = (q + n[:, None] * mu**2).sum(axis=0) <= EXACT_FIT * st.pooled[y, y]
    pval = np.where(exact, 1.0, pval)
    acc = pval > alpha
    if not k or not acc.any():
        return pval, B, None, None
    # confidence intervals of the accepted sets (pooled residual variance)
    rss = (q[:, acc] + n[:, None] * mu[:, acc] ** 2).sum(axis=0)
    sigma = rss / (N - k - 1)
    diag = np.diagonal(np.linalg.inv(A[acc]), axis1=1, axis2=2)
    delta = quantile * np.sqrt(sigma[:, None] * diag)
    lo_full = np.zeros((int(acc.sum()), p))
    hi_full = np.zeros_like(lo_full)
    np.put_along_axis(lo_full, idx[acc], b[acc] - delta, axis=1)
    np.put_along_axis(hi_full, idx[acc], b[acc] + delta, axis=1)
    return pval, B, lo_full, hi_full


@dataclass
class _Tally:
    """Running summaries over batches."""

    p: int
    masks: list[np.ndarray] = field(default_factory=list)
    values: list[np.ndarray] = field(default_factory=list)
    lo: np.ndarray | None = None
    hi: np.ndarray | None = None
    best_without: np.ndarray | None = None
    intersection: int = -1
    any_accepted: bool = False

    def add(
        self,
        idx: np.ndarray,
        pval: np.ndarray,
        alpha: float,
        lo: np.ndarray | None,
        hi: np.ndarray | None,
    ) -> None:
        p = self.p
        member = np.zeros((len(idx), p), dtype=bool)
        if idx.shape[1]:
            np.put_along_axis(member, idx, True, axis=1)
        weights = np.left_shift(np.int64(1), np.arange(p, dtype=np.int64))
        masks = member.astype(np.int64) @ weights if p else np.zeros(len(idx), np.int64)
        self.masks.append(masks)
        self.values.append(pval)
        without = np.where(member, -np.inf, pval[:, None]).max(axis=0) if len(idx) else None
        if without is not None:
            self.best_without = (
                without if self.best_without is None else np.maximum(self.best_without, without)
            )
        acc = pval > alpha
        if acc.any():
            self.any_accepted = True
            self.intersection &= int(np.bitwise_and.reduce(masks[acc]))
            # the empty set and predictors outside an accepted set contribute 0
            lo_b = np.zeros(p) if lo is None else lo.min(axis=0)
            hi_b = np.zeros(p) if hi is None else hi.max(axis=0)
            self.lo = lo_b if self.lo is None else np.minimum(self.lo, lo_b)
            self.hi = hi_b if self.hi is None else np.maximum(self.hi, hi_b)


def _batches(p: int) -> Iterator[np.ndarray]:
    """Every subset of ``range(p)`` as rows of sorted indices, in batches of one size."""
    level = np.zeros((1, 0), dtype=np.intp)
    for k in range(p + 1):
        if k:
            level = _level(level, p)
        step = max(1, _BATCH_ENTRIES // max(1, k * k + k * p))
        for start in range(0, len(level), step):
            yield level[start : start + step]


@lru_cache(maxsize=16)
def _quantile(alpha: float) -> float:
    """The normal quantile of the confidence intervals at level ``alpha`` (once per level:
    scipy's ``ppf`` costs a millisecond, and ICP runs a dozen times in a sweep)."""
    return float(stats.norm.ppf(1 - alpha / 4))


def _run_exact(
    st: _Stats,
    names: Sequence[str],
    alpha: float,
    progress: Callable[[float], None] | None,
    cancel: Callable[[], bool] | None,
) -> _Tally:
    p = len(names)
    total = 2**p
    done = 0
    quantile = _quantile(alpha)
    tally = _Tally(p)

    def work(idx: np.ndarray) -> tuple[np.ndarray, Any]:
        return idx, _batch_pvalues(idx, st, p, alpha, quantile)

    def collect(idx: np.ndarray, out: Any) -> None:
        nonlocal done
        pval, _, lo, hi = out
        tally.add(idx, pval, alpha, lo, hi)
        done += len(idx)
        if progress is not None:
            progress(done / total)

    def check() -> None:
        if cancel is not None and cancel():
            raise ICPCancelled("ICP was cancelled before it tested every subset.")

    # (os.cpu_count reads the system's CPUs each call: only asked when it matters)
    workers = min(_WORKERS, os.cpu_count() or 1) if total >= _PARALLEL_FROM else 1
    if workers < 2:
        for idx in _batches(p):
            check()
            collect(*work(idx))
        return tally
    # numpy's gathers, stacked solves and scipy's special functions release the
    # GIL, so batches overlap on several cores; results are tallied in order.
    pending: deque[Future] = deque()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        try:
            for idx in _batches(p):
                check()
                pending.append(pool.submit(work, idx))
                if len(pending) > 2 * workers:
                    collect(*pending.popleft().result())
            while pending:
                check()
                collect(*pending.popleft().result())
        finally:
            for fut in pending:
                fut.cancel()
    return tally


@lru_cache(maxsize=1)
def _blas_controller() -> ThreadpoolController:
    """The process's thread pools, scanned once (a scan costs about 5 ms; ICP runs
    many times in a sweep).

    Not shared with :func:`lib.fitting.models.one_thread`'s: a scan sees only the
    libraries loaded at that moment, and ICP may run before scikit-learn (and its
    OpenMP) is imported; BLAS, which this limits, is loaded with numpy."""
    return ThreadpoolController()


def icp_arrays(
    X: np.ndarray,
    y: np.ndarray,
    codes: np.ndarray,
    names: Sequence[str],
    alpha: float = 0.05,
    *,
    progress: Callable[[float], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> tuple[SetPValues, list[frozenset[str]], frozenset[str], dict, dict]:
    """The exact engine on arrays, without input checks (used by :func:`icp`).

    Parameters
    ----------
    X : numpy.ndarray, shape (n, p)
        Candidate predictors, finite.
    y : numpy.ndarray, shape (n,)
        Target, finite.
    codes : numpy.ndarray of int, shape (n,)
        Environment of each row, ``0 .. E-1``, each with at least
        :data:`MIN_ROWS_PER_ENV` rows, ``E >= 2``.
    names : sequence of str
        Names of the columns of ``X``.
    alpha : float
    progress, cancel : callable, optional
        As in :func:`icp`.

    Returns
    -------
    tuple
        ``(set_pvalues, accepted_sets, causal_predictors, pvalues, conf_int)``
        as in :class:`ICPResult`.
    """
    codes = np.asarray(codes, dtype=np.intp)
    n_env = int(codes.max()) + 1
    Z = np.column_stack([np.asarray(X, dtype=float).reshape(len(y), -1), np.asarray(y, float)])
    st = _sufficient_stats(Z, codes, n_env)
    # The per-batch matrix products are small and many: BLAS threads on top of
    # the batch threads oversubscribe the cores (measured 3-4x slower on 2 cores
    # under load), so BLAS runs single-threaded for the duration.
    with _blas_controller().select(user_api="blas").limit(limits=1):
        tally = _run_exact(st, names, alpha, progress, cancel)
    spv = SetPValues(names, np.concatenate(tally.masks), np.concatenate(tally.values))
    accepted = spv.subsets(spv.masks[spv.pvals > alpha])
    nan = float("nan")
    if tally.any_accepted:
        causal = spv.subset(tally.intersection & (2 ** len(names) - 1))
        assert tally.best_without is not None
        pvalues = {n: float(tally.best_without[i]) for i, n in enumerate(names)}
        assert tally.lo is not None and tally.hi is not None
        conf = {n: (float(tally.lo[i]), float(tally.hi[i])) for i, n in enumerate(names)}
    else:
        causal = frozenset()
        pvalues = {n: 1.0 for n in names}
        conf = {n: (nan, nan) for n in names}
    return spv, accepted, causal, pvalues, conf


def icp(
    df: pd.DataFrame,
    target: str,
    environment: str,
    alpha: float = 0.05,
    *,
    candidates: Sequence[str] | None = None,
    max_exact: int = 20,
    preselect: Literal["lasso", "boosting"] = "lasso",
    progress: Callable[[float], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    preselect_to: int = PRESELECT_TO,
) -> ICPResult:
    """Invariant Causal Prediction: which predictors' regression is the same everywhere?

    Parameters
    ----------
    df : pandas.DataFrame
        Pooled data from several environments.
    target : str
        The column to explain.
    environment : str
        The column naming each row's environment (any values; at least two
        distinct ones).
    alpha : float, default 0.05
        Level: a set is accepted when its p-value exceeds ``alpha``.
    candidates : sequence of str, optional
        Candidate predictors; by default every numeric column except the
        target, the environment and the columns ``df.attrs["latent"]`` names
        (the unobserved nodes of a simulated world, which no study sees:
        :meth:`lib.world.scm.SCM.sample` and
        :func:`lib.world.environments.pooled_sample` set it).
    max_exact : int, default 20
        With more candidates than this, a pre-selection step keeps the
        ``min(max_exact, preselect_to)`` most important ones first (said in
        ``note``).
    preselect : {"lasso", "boosting"}, default "lasso"
        Pre-selection: the largest absolute coefficients of a cross-validated
        lasso (scikit-learn ``LassoCV``) or the largest impurity importances of
        gradient-boosted trees, fitted on the pooled, standardised data (a
        seeded subsample of at most 20 000 rows).
    progress : callable, optional
        Called with the fraction of subsets tested so far (0 to 1).
    cancel : callable, optional
        Checked between batches; when it returns true, :class:`ICPCancelled`
        is raised.
    preselect_to : int, default 12
        Candidates kept by pre-selection (capped by ``max_exact``).

    Returns
    -------
    ICPResult

    Raises
    ------
    DataError
        For a missing or non-numeric column, a single environment, fewer than
        :data:`MIN_ROWS_PER_ENV` rows in an environment, no more rows than
        candidates + 1, a constant target or candidate, or perfectly collinear
        candidates.
    ICPCancelled
        When ``cancel()`` returns true.

    Notes
    -----
    Every subset of the candidates is tested exactly as the reference
    implementations do (see the module docstring); ``2**p`` subsets for ``p``
    candidates. Rows with a missing or infinite value in the target, a
    candidate or the environment are dropped and counted in ``note``.
    ICP's guarantee (the estimated set is inside the true parents with
    probability at least ``1 - alpha``) assumes a linear mechanism with
    additive noise for the target and no intervention on the target itself;
    after pre-selection it also needs the kept candidates to include the
    parents.
    """
    if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not 0 < alpha < 1:
        raise DataError(f"alpha must be a number between 0 and 1, not {alpha!r}.")
    alpha = float(alpha)
    names = _columns(df, target, environment, candidates)
    notes: list[str] = []

    X = np.empty((len(df), len(names)))  # column by column: a selection costs ~5 ms
    for j, name in enumerate(names):
        X[:, j] = df[name].to_numpy(dtype=float)
    y = df[target].to_numpy(dtype=float)
    env = df[environment]
    ok = np.isfinite(y) & np.isfinite(X).all(axis=1) & env.notna().to_numpy()
    dropped = int(len(y) - ok.sum())
    if dropped:
        X, y, env = X[ok], y[ok], env[ok]
        notes.append(
            f"{dropped:,} of {len(ok):,} rows were dropped because they have a missing or "
            f"infinite value in `{target}`, the candidates or `{environment}`."
        )
    codes, labels = pd.factorize(env, sort=False)
    envs = tuple(labels.tolist())
    if len(envs) < 2:
        only = f" (`{envs[0]}`)" if envs else ""
        raise DataError(
            f"the column `{environment}` holds a single environment{only} where several are "
            f"needed: ICP compares the residuals across environments."
        )
    sizes = np.bincount(codes, minlength=len(envs))
    small = [f"`{envs[i]}` has {sizes[i]}" for i in range(len(envs)) if sizes[i] < MIN_ROWS_PER_ENV]
    if small:
        raise DataError(
            f"every environment needs at least {MIN_ROWS_PER_ENV} rows; " + ", ".join(small) + "."
        )
    n = len(y)
    if np.ptp(y) == 0:
        raise DataError(f"the target `{target}` is constant: there is nothing to explain.")
    const = [c for j, c in enumerate(names) if np.ptp(X[:, j]) == 0]
    if const:
        raise DataError(
            f"the candidate(s) {', '.join(f'`{c}`' for c in const)} are constant in the pooled "
            f"data; drop them from the candidates."
        )

    preselected: tuple[str, ...] | None = None
    if len(names) > max_exact:
        keep = max(1, min(max_exact, preselect_to))
        kept = _preselect(X, y, names, keep, preselect)
        notes.append(
            f"{len(names)} candidates are more than the {max_exact} that every subset can be "
            f"tested for, so a {preselect} pre-selection on the pooled data kept {len(kept)}: "
            f"{', '.join(f'`{c}`' for c in kept) or 'none'}. ICP's guarantee then also "
            f"assumes that these include every causal parent."
        )
        cols = [names.index(c) for c in kept]
        X, names = X[:, cols], kept
        preselected = tuple(kept)
    p = len(names)
    if n <= p + 1:
        raise DataError(
            f"need more than {p + 1} rows for {p} candidate(s) (one coefficient each and an "
            f"intercept); the data has {n}."
        )
    if p:
        Xc = X - X.mean(axis=0)
        bad = _collinear(Xc.T @ Xc, names)
        if bad:
            raise DataError(
                f"the candidate(s) {', '.join(f'`{c}`' for c in bad)} are (almost) exact linear "
                f"combinations of the others: their coefficients cannot be told apart. Drop them "
                f"from the candidates."
            )

    spv, accepted, causal, pvalues, conf = icp_arrays(
        X, y, codes, names, alpha, progress=progress, cancel=cancel
    )
    if not accepted:
        notes.append(NO_SET_NOTE)
    return ICPResult(
        target=target,
        candidates=tuple(names),
        alpha=alpha,
        set_pvalues=spv,
        accepted_sets=accepted,
        causal_predictors=causal,
        pvalues=pvalues,
        conf_int=conf,
        n=n,
        environments=envs,
        preselected=preselected,
        note=" ".join(notes),
        env_sizes=tuple(int(s) for s in sizes),
        dropped=dropped,
    )
