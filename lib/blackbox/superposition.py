"""The toy model of superposition: more features than dimensions, packed when sparse.

Elhage et al. (2022), *Toy Models of Superposition*. A network must pass
``n`` features through ``m < n`` hidden dimensions and rebuild them:

    x' = ReLU(Wᵀ W x + b),   W ∈ R^{m×n},  b ∈ R^n.

Each feature is 0 with probability ``S`` (the *sparsity*) and otherwise uniform
on [0, 1]; feature ``i`` matters with importance ``I_i = 0.9^i``, and the loss
is the importance-weighted squared error, averaged over inputs:

    L = mean over inputs of Σ_i I_i (x_i − x'_i)².

Column ``W_i`` is where feature ``i`` lives in the hidden space. With dense
features (S = 0) the model keeps the ``m`` most important features on
orthogonal directions and drops the rest (their columns near zero): a
principal-components answer. With sparse features two features are seldom
active together, so the model can afford to let them share directions. In
between (S near 0.7 for the default model) it keeps four features as two
antipodal pairs, each pair on one axis with opposite signs; from S ≈ 0.85 on
it keeps all five, and from S ≈ 0.9 on as a regular pentagon, 72° apart
(within 4°, and 2° at :data:`PENTAGON`), with a negative bias that filters
out the interference each feature leaks onto its neighbours. The columns then grow a little longer than 1 (about 1.13 at
S = 0.95), to make up for what the bias takes off each feature's own output.

The consequence for interpretation is the illusion this module is here for:
each hidden dimension of the pentagon carries four or five unrelated features
(:func:`polysemantic`), and silencing one dimension damages several features
at once (:func:`lesion_dimension`). Reading a unit as "the detector of X"
fails, because the model's features are not its units' directions. Nor is it
a bad choice of units: the loss does not change when the hidden space is
rotated (:func:`rotate`), so the dense model can be turned until each
dimension carries one feature, but every rotation of the pentagon leaves each
dimension with a weight above :data:`RESPONDS` on four or five features.

- :func:`sample_features` draws inputs; :func:`training_set` draws the
  training inputs (quasi-random rows with an active feature, and the
  all-zero rows as one weighted row);
- :func:`loss_and_gradient`: the loss and its analytic gradient;
- :func:`train_toy` fits one model (BFGS from a few seeded starts, the
  lowest loss kept) into a frozen :class:`ToyModel`, whose properties measure
  its geometry: column norms, angles, interference, dimensions per feature;
- :func:`sparsity_sweep` trains one model per sparsity and tabulates them;
- :func:`reconstruct`, :func:`polysemantic`, :func:`lesion_dimension` and
  :func:`rotate` look inside a trained model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.stats import qmc

from lib.errors import DataError

__all__ = [
    "DAMAGED",
    "DECAY",
    "FEATURES",
    "HIDDEN",
    "MAX_FEATURES",
    "PENTAGON",
    "REPRESENTED",
    "RESPONDS",
    "RESTARTS",
    "SWEEP",
    "TRAIN_ROWS",
    "ToyModel",
    "TrainingSet",
    "default_importance",
    "fewest_responding",
    "lesion_dimension",
    "loss_and_gradient",
    "polysemantic",
    "reconstruct",
    "rotate",
    "sample_features",
    "sparsity_sweep",
    "sweep_frame",
    "train_toy",
    "training_set",
]

#: Features of the default model.
FEATURES = 5
#: Hidden dimensions of the default model.
HIDDEN = 2
#: Feature ``i`` has importance ``DECAY ** i``.
DECAY = 0.9
#: Most features a model may have (the sweep must stay quick in a page).
MAX_FEATURES = 20
#: Training rows with at least one active feature (the all-zero rows come on top, as one row).
TRAIN_ROWS = 2048
#: Random starts of each fit; the one with the lowest loss is kept.
RESTARTS = 4
#: A sparsity at which the default model is a regular pentagon (each neighbour
#: angle within 2° of 72° on seeds 0 to 9; within 4° at 0.9, 6° at 0.85).
PENTAGON = 0.95
#: Sparsities of a sweep from dense to very sparse (1 / (1 − S) from 1 to 100).
SWEEP = (0.0, 0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 0.99)
#: A feature is represented when its column's norm exceeds this.
REPRESENTED = 0.5
#: A hidden dimension responds to a feature when its weight on it exceeds this in size.
RESPONDS = 0.25
#: A lesion damages a feature when it costs more than this share of the feature's loss if dropped.
DAMAGED = 0.1
#: BFGS's iteration cap and gradient tolerance (on the loss scaled so the zero model scores 1).
_MAXITER = 2000
_GTOL = 1e-8


@dataclass(frozen=True, eq=False)
class ToyModel:
    """A trained toy model of superposition, as plain arrays.

    Attributes
    ----------
    W : ndarray, shape (m, n)
        Column ``i`` is feature ``i``'s direction in the hidden space.
    b : ndarray, shape (n,)
        The output biases.
    sparsity : float
        The probability that a feature is zero, in the training inputs.
    importance : ndarray, shape (n,)
        Each feature's weight in the loss.
    loss : float
        The training loss (importance-weighted squared error per input) at ``W`` and ``b``.
    seed : int
        The seed of the training inputs and of the random starts.
    """

    W: np.ndarray
    b: np.ndarray
    sparsity: float
    importance: np.ndarray
    loss: float
    seed: int

    @property
    def n(self) -> int:
        """The number of features."""
        return int(self.W.shape[1])

    @property
    def m(self) -> int:
        """The number of hidden dimensions."""
        return int(self.W.shape[0])

    @property
    def norms(self) -> np.ndarray:
        """Each feature's column norm ‖W_i‖, shape (n,): about 1 if kept, 0 if dropped."""
        return np.linalg.norm(self.W, axis=0)

    @property
    def represented(self) -> np.ndarray:
        """Whether each feature's norm exceeds :data:`REPRESENTED`, shape (n,)."""
        return self.norms > REPRESENTED

    @property
    def dimensions_per_feature(self) -> float:
        """Elhage's D* = m / ‖W‖_F²: hidden dimensions per represented feature.

        ‖W‖_F² is the sum of the squared column norms, which counts the
        kept features when their norms are 1: D* is then 1 when ``m``
        features have a dimension each and 2/5 for five features in a plane.
        The pentagon's columns are a little longer than 1, so its D* is
        lower, about 0.31 at S = 0.95; :attr:`feature_dimensionality`, which
        does not depend on the norms, is 2/5 for each of its features.
        """
        return float(self.m / np.sum(self.W**2))

    @property
    def feature_dimensionality(self) -> np.ndarray:
        """Each feature's share of a dimension, D_i = ‖W_i‖⁴ / Σ_j (W_i · W_j)², shape (n,).

        1 for a feature alone on its direction, 1/2 for two antipodal
        features, 2/5 for each vertex of a pentagon; 0 for a dropped feature.
        """
        gram = self.W.T @ self.W
        diag = np.diag(gram)
        overlaps = np.sum(gram**2, axis=1)
        out = np.zeros(self.n)
        np.divide(diag**2, overlaps, out=out, where=overlaps > 0)
        return out

    @property
    def interference(self) -> np.ndarray:
        """The off-diagonal of WᵀW, shape (n, n): how much feature j leaks into i's output."""
        gram = self.W.T @ self.W
        np.fill_diagonal(gram, 0.0)
        return gram

    @property
    def angles(self) -> np.ndarray:
        """Each feature's direction in the plane, in degrees in [0, 360), shape (n,).

        Defined for two hidden dimensions only (NaN elsewhere); NaN for a
        feature that is not :attr:`represented`.
        """
        if self.m != 2:
            return np.full(self.n, np.nan)
        deg = np.degrees(np.arctan2(self.W[1], self.W[0])) % 360.0
        return np.where(self.represented, deg, np.nan)

    @property
    def angular_order(self) -> tuple[int, ...]:
        """The represented features in counter-clockwise order from angle 0."""
        angles = self.angles
        kept = np.flatnonzero(~np.isnan(angles))
        return tuple(int(i) for i in kept[np.argsort(angles[kept], kind="stable")])

    @property
    def neighbour_angles(self) -> np.ndarray:
        """The angle from each represented feature to the next, counter-clockwise, in degrees.

        In :attr:`angular_order`; they add up to 360 (empty with fewer than
        two represented features). A regular pentagon gives five angles of 72°.
        """
        order = list(self.angular_order)
        if len(order) < 2:
            return np.empty(0)
        angles = self.angles[order]
        return np.diff(np.append(angles, angles[0] + 360.0))


def default_importance(n: int = FEATURES) -> np.ndarray:
    """The importances ``DECAY ** i`` of ``n`` features, shape (n,)."""
    return DECAY ** np.arange(n, dtype=float)


def _check_sparsity(sparsity: float) -> float:
    """The sparsity as a float in [0, 1), or a DataError."""
    try:
        s = float(sparsity)
    except (TypeError, ValueError):
        raise DataError(f"The sparsity must be a number in [0, 1); got {sparsity!r}.") from None
    if not (np.isfinite(s) and 0.0 <= s < 1.0):
        raise DataError(
            f"The sparsity must be in [0, 1): the probability that a feature is zero; got {s}."
        )
    return s


def _check_shape(n: int, m: int) -> None:
    """A DataError unless 1 ≤ m < n ≤ MAX_FEATURES."""
    if not 2 <= n <= MAX_FEATURES:
        raise DataError(f"The model needs between 2 and {MAX_FEATURES} features; got {n}.")
    if not 1 <= m < n:
        raise DataError(
            f"The model needs at least one hidden dimension and fewer than its {n} features "
            f"(superposition is about more features than dimensions); got {m}."
        )


def _check_features(n: int) -> int:
    """The number of features as an int in [1, MAX_FEATURES], or a DataError."""
    if not 1 <= int(n) <= MAX_FEATURES:
        raise DataError(f"Inputs have between 1 and {MAX_FEATURES} features; got {n}.")
    return int(n)


def _check_rows(n_rows: int) -> int:
    if int(n_rows) < 1:
        raise DataError(f"At least one row is needed; got {n_rows}.")
    return int(n_rows)


def _check_importance(importance: np.ndarray | Sequence[float] | None, n: int) -> np.ndarray:
    """The importances as a float array of shape (n,), or a DataError."""
    if importance is None:
        return default_importance(n)
    imp = np.asarray(importance, dtype=float)
    if imp.shape != (n,) or not np.all(np.isfinite(imp)) or np.any(imp <= 0):
        raise DataError(f"The importances must be {n} positive numbers, one per feature.")
    return imp


def _check_inputs(X: np.ndarray, n: int) -> np.ndarray:
    """Inputs as a float array of shape (rows, n), or a DataError."""
    x = np.asarray(X, dtype=float)
    if x.ndim != 2 or x.shape[1] != n or len(x) == 0:
        raise DataError(
            f"Inputs must have shape (rows, {n}): one column per feature; got {x.shape}."
        )
    if not np.all(np.isfinite(x)):
        raise DataError("Inputs must be finite numbers.")
    return x


def sample_features(n_rows: int, sparsity: float, seed: int, n: int = FEATURES) -> np.ndarray:
    """Draw inputs: each feature independently 0 with probability ``sparsity``, else U[0, 1].

    Parameters
    ----------
    n_rows : int
        How many inputs.
    sparsity : float
        The probability that a feature is zero, in [0, 1).
    seed : int
        Seed of ``numpy.random.default_rng``.
    n : int
        Features per input.

    Returns
    -------
    ndarray, shape (n_rows, n)
    """
    s = _check_sparsity(sparsity)
    rows = _check_rows(n_rows)
    n = _check_features(n)
    rng = np.random.default_rng(seed)
    active = rng.random((rows, n)) >= s
    return np.where(active, rng.random((rows, n)), 0.0)


class TrainingSet(NamedTuple):
    """Training inputs with a weight per row.

    Attributes
    ----------
    X : ndarray, shape (rows + 1, n)
        ``rows`` inputs with at least one active feature, then one all-zero input.
    weights : ndarray, shape (rows + 1,)
        1 for each active row; for the zero row, the expected number of
        all-zero inputs per ``rows`` active ones, ``rows · Sⁿ / (1 − Sⁿ)``.
    """

    X: np.ndarray
    weights: np.ndarray


def training_set(
    sparsity: float, seed: int, n: int = FEATURES, rows: int = TRAIN_ROWS
) -> TrainingSet:
    """Draw the training inputs of one sparsity: the active rows, and the zero rows as one.

    Two things make a few thousand rows enough at any sparsity:

    - At high sparsity most inputs are entirely zero (95% of them at S = 0.99
      with five features), and a sample from :func:`sample_features` would
      spend almost all its rows there. An all-zero input's loss is the same
      every time, Σ_i I_i ReLU(b_i)², so here the zero inputs are one row
      weighted by their expected count, and ``rows`` inputs are drawn from
      the others, conditioned on at least one active feature: the first
      active feature with probability ∝ Sᵏ, the later ones independently.
      Each feature is then active in about ``rows / n`` rows or more, at
      any sparsity (``rows`` at S = 0).
    - The rows are quasi-random (scrambled Sobol points, seeded) rather than
      random: a random sample's chance correlations between features give
      the features a dense model drops small spurious columns (norms of
      0.1 to 0.2 with 2,500 random rows, still near 0.05 with 200,000); with
      2,048 quasi-random rows they are below 0.01.

    The weighted mean loss over this set estimates the mean loss over
    :func:`sample_features`'s inputs.

    Parameters
    ----------
    sparsity : float
        The probability that a feature is zero, in [0, 1).
    seed : int
        Seed of the scrambling.
    n : int
        Features per input.
    rows : int
        Inputs with at least one active feature, rounded up to a power of
        two (the points' balance holds for powers of two).

    Returns
    -------
    TrainingSet
    """
    s = _check_sparsity(sparsity)
    n = _check_features(n)
    count = 1 << max(0, int(np.ceil(np.log2(_check_rows(rows)))))
    # Columns of the quasi-random points: the first active feature, whether each
    # feature is active, and each feature's value.
    u = qmc.Sobol(2 * n + 1, scramble=True, seed=seed).random_base2(count.bit_length() - 1)
    first_odds = np.cumsum(s ** np.arange(n, dtype=float))
    first = np.minimum(np.searchsorted(first_odds / first_odds[-1], u[:, 0], side="right"), n - 1)
    columns = np.arange(n)
    active = (u[:, 1 : n + 1] >= s) & (columns[None, :] > first[:, None])
    active[np.arange(count), first] = True
    x = np.where(active, u[:, n + 1 :], 0.0)
    zero_share = s**n
    weights = np.ones(count + 1)
    weights[-1] = count * zero_share / (1.0 - zero_share)
    return TrainingSet(np.vstack([x, np.zeros((1, n))]), weights)


def _unpack(params: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``W`` (m, n) and ``b`` (n,) from the flat parameters ``[W.ravel(), b]``."""
    m = params.size // n - 1
    return params[: m * n].reshape(m, n), params[m * n :]


def loss_and_gradient(
    params: np.ndarray,
    X: np.ndarray,
    importance: np.ndarray,
    weights: np.ndarray | None = None,
) -> tuple[float, np.ndarray]:
    """The importance-weighted squared error and its gradient in the parameters.

    With Z = X WᵀW + b, Y = ReLU(Z) and R = Y − X, the loss is the (weighted)
    mean over rows of Σ_i I_i R_i². With G = 2 I ⊙ R ⊙ [Z > 0] · w / Σw
    (``w`` the row weights), ∂L/∂b = Σ_rows G and ∂L/∂W = W (XᵀG + GᵀX).

    Parameters
    ----------
    params : ndarray, shape (m·n + n,)
        ``W`` flattened row by row, then ``b``.
    X : ndarray, shape (rows, n)
        Inputs.
    importance : ndarray, shape (n,)
        Each feature's weight in the loss.
    weights : ndarray, shape (rows,), optional
        Each row's weight (default: equal weights, a plain mean).

    Returns
    -------
    loss : float
    gradient : ndarray, shape (m·n + n,)
        In the layout of ``params``.
    """
    n = X.shape[1]
    W, b = _unpack(params, n)
    Z = X @ (W.T @ W) + b
    active = Z > 0
    R = np.where(active, Z, 0.0) - X
    if weights is None:
        w = np.full(len(X), 1.0 / len(X))
    else:
        w = weights / np.sum(weights)
    IR = R * importance
    loss = float(w @ np.sum(IR * R, axis=1))
    G = np.where(active, 2.0 * IR, 0.0) * w[:, None]
    XtG = X.T @ G
    grad_W = W @ (XtG + XtG.T)
    return loss, np.concatenate([grad_W.ravel(), G.sum(axis=0)])


def _fit_once(
    start: np.ndarray, data: TrainingSet, importance: np.ndarray, scale: float
) -> tuple[np.ndarray, float]:
    """One BFGS fit from ``start``; the parameters and the (unscaled) loss."""

    def objective(params: np.ndarray) -> tuple[float, np.ndarray]:
        loss, grad = loss_and_gradient(params, data.X, importance, data.weights)
        return loss / scale, grad / scale

    result = minimize(
        objective,
        start,
        jac=True,
        method="BFGS",
        options={"maxiter": _MAXITER, "gtol": _GTOL},
    )
    return result.x, float(result.fun) * scale


def train_toy(
    sparsity: float,
    seed: int = 0,
    n: int = FEATURES,
    m: int = HIDDEN,
    importance: np.ndarray | Sequence[float] | None = None,
    rows: int = TRAIN_ROWS,
    restarts: int = RESTARTS,
) -> ToyModel:
    """Train the toy model at one sparsity.

    The inputs are :func:`training_set`'s at ``seed``. Each of ``restarts``
    fits starts from W drawn from N(0, 2 / (m + n)) (Glorot's scale) and
    b = 0, and runs BFGS with the analytic gradient
    (:func:`loss_and_gradient`) on the loss scaled so that the zero model
    scores 1; the fit with the lowest loss is kept.

    BFGS rather than L-BFGS-B: the default model has 15 parameters, so the
    full inverse Hessian is a 15 × 15 matrix, and scipy's BFGS is numpy code
    whose matrix products are too small to start threads. Scipy's L-BFGS-B
    calls the BLAS that scipy bundles (its own, with a thread per core), and
    on a busy machine those threads make a fit several times slower (a
    dense fit 0.3 s with BFGS, about 2 s with L-BFGS-B, on two cores with
    other work running); the BLAS thread count is one setting for the whole
    process, which this package leaves alone. From the same starts the two
    kept the same model in 29 of 36 fits checked (six sparsities from 0 to
    0.99, six seeds), and each found the lower loss in about half of the
    other seven. Several starts, because a
    ReLU model has poor local minima. At high sparsity between one start in
    four (S = 0.9) and one in ten (S = 0.99) ends with a feature or more
    dropped for good (its output went dead, with a negative bias, before its
    column grew), and most others with the five features in a worse order
    around the pentagon (a loss up to about 15% higher than the best order's).

    Parameters
    ----------
    sparsity : float
        The probability that a feature is zero, in [0, 1).
    seed : int
        Seed of the training inputs and of the random starts.
    n, m : int
        Features and hidden dimensions, 1 ≤ m < n ≤ :data:`MAX_FEATURES`.
    importance : array-like, shape (n,), optional
        Each feature's weight in the loss (default: :func:`default_importance`).
    rows : int
        Training inputs with at least one active feature.
    restarts : int
        Random starts.

    Returns
    -------
    ToyModel
    """
    s = _check_sparsity(sparsity)
    _check_shape(int(n), int(m))
    n, m = int(n), int(m)
    imp = _check_importance(importance, n)
    if int(restarts) < 1:
        raise DataError(f"At least one random start is needed; got {restarts}.")
    data = training_set(s, seed, n, rows)
    scale = loss_and_gradient(np.zeros(m * n + n), data.X, imp, data.weights)[0]
    rng = np.random.default_rng([int(seed), 1])
    std = np.sqrt(2.0 / (m + n))
    best_params, best_loss = np.zeros(m * n + n), np.inf
    for _ in range(int(restarts)):
        start = np.concatenate([rng.normal(0.0, std, m * n), np.zeros(n)])
        params, loss = _fit_once(start, data, imp, scale)
        if loss < best_loss:
            best_params, best_loss = params, loss
    W, b = _unpack(best_params, n)
    return ToyModel(
        W=W.copy(), b=b.copy(), sparsity=s, importance=imp, loss=best_loss, seed=int(seed)
    )


def sweep_frame(models: Sequence[ToyModel]) -> pd.DataFrame:
    """One row per model: its sparsity, loss and geometry.

    Parameters
    ----------
    models : sequence of ToyModel
        Models with the same number of features.

    Returns
    -------
    DataFrame
        ``sparsity``, ``density_inverse`` (1 / (1 − S), how many inputs per
        input in which a given feature is active), ``loss``, ``norm_0`` …
        ``norm_{n−1}`` (each feature's column norm), ``represented`` (how many
        norms exceed :data:`REPRESENTED`) and ``dimensions_per_feature`` (D*).
    """
    records = []
    for model in models:
        record: dict[str, float] = {
            "sparsity": model.sparsity,
            "density_inverse": 1.0 / (1.0 - model.sparsity),
            "loss": model.loss,
        }
        record.update({f"norm_{i}": float(v) for i, v in enumerate(model.norms)})
        record["represented"] = int(model.represented.sum())
        record["dimensions_per_feature"] = model.dimensions_per_feature
        records.append(record)
    return pd.DataFrame.from_records(records)


def sparsity_sweep(
    sparsities: Sequence[float] = SWEEP, seed: int = 0, n: int = FEATURES, m: int = HIDDEN
) -> pd.DataFrame:
    """Train one model per sparsity (:func:`train_toy`) and tabulate them (:func:`sweep_frame`)."""
    if len(sparsities) == 0:
        raise DataError("The sweep needs at least one sparsity.")
    return sweep_frame([train_toy(s, seed, n, m) for s in sparsities])


def reconstruct(model: ToyModel, X: np.ndarray) -> np.ndarray:
    """The model's output ReLU(X WᵀW + b) for inputs ``X``, shape (rows, n)."""
    x = _check_inputs(X, model.n)
    return np.maximum(x @ (model.W.T @ model.W) + model.b, 0.0)


def rotate(model: ToyModel, degrees: float) -> ToyModel:
    """The same model with its hidden plane rotated: W becomes R W.

    The output depends on W only through WᵀW, and (R W)ᵀ(R W) = WᵀW for a
    rotation R, so the rotated model computes exactly what the original does
    and has the same loss. Only the hidden dimensions' weights change: the
    hidden basis is not privileged (nothing acts on the hidden units one by
    one), and which features a "dimension" carries depends on an arbitrary
    choice of axes.

    Parameters
    ----------
    model : ToyModel
        A model with two hidden dimensions.
    degrees : float
        Counter-clockwise.

    Returns
    -------
    ToyModel
    """
    if model.m != 2:
        raise DataError(
            f"Rotation by an angle needs two hidden dimensions; the model has {model.m}."
        )
    theta = np.radians(float(degrees))
    c, s = np.cos(theta), np.sin(theta)
    turn = np.array([[c, -s], [s, c]])
    return ToyModel(
        turn @ model.W, model.b, model.sparsity, model.importance, model.loss, model.seed
    )


def polysemantic(model: ToyModel, threshold: float = RESPONDS) -> pd.DataFrame:
    """What each hidden dimension carries: its weight on every feature.

    Parameters
    ----------
    model : ToyModel
    threshold : float
        A dimension responds to a feature when ``|W_ji|`` exceeds this.

    Returns
    -------
    DataFrame
        One row per hidden dimension: ``dimension``, ``feature_0`` …
        ``feature_{n−1}`` (its weight ``W_ji`` on each feature, signed),
        ``responds`` (how many features its weight exceeds ``threshold`` on)
        and ``features`` (those features, a tuple). In the pentagon every
        dimension responds to four or five features, however the plane is
        turned (:func:`rotate`).
    """
    frame = pd.DataFrame(model.W, columns=[f"feature_{i}" for i in range(model.n)])
    strong = np.abs(model.W) > threshold
    frame.insert(0, "dimension", np.arange(model.m))
    frame["responds"] = strong.sum(axis=1)
    frame["features"] = [tuple(int(i) for i in np.flatnonzero(row)) for row in strong]
    return frame


def fewest_responding(model: ToyModel, threshold: float = RESPONDS) -> tuple[int, float]:
    """However the hidden plane is turned, the fewest features one dimension answers to.

    A turn of the plane (:func:`rotate`) can point a dimension along any
    direction ``u``; the dimension answers to feature ``i`` when
    ``|W_i · u| = ‖W_i‖ |cos(φ − θ_i)|`` exceeds ``threshold``. That count is
    constant between the angles where one feature crosses the threshold, so
    its minimum over every turn is read at the midpoints between them (exact,
    not a grid).

    Parameters
    ----------
    model : ToyModel
        A model with two hidden dimensions.
    threshold : float

    Returns
    -------
    (int, float)
        The fewest features, and a turn (degrees, for :func:`rotate`) that
        leaves dimension 0 answering to exactly that many.
    """
    if model.m != 2:
        raise DataError(f"Turning the plane needs two hidden dimensions; the model has {model.m}.")
    norms = model.norms
    theta = np.arctan2(model.W[1], model.W[0])
    live = norms > threshold
    # |cos(φ − θ)| = t / r at φ = θ ± arccos(t / r) (mod π): where feature i crosses.
    half = np.arccos(np.clip(threshold / norms[live], -1.0, 1.0))
    cuts = np.concatenate([theta[live] + half, theta[live] - half]) % np.pi
    cuts = np.unique(np.append(cuts, 0.0))
    mids = (cuts + np.diff(np.append(cuts, cuts[0] + np.pi)) / 2) % np.pi
    weights = np.abs(norms[None, :] * np.cos(mids[:, None] - theta[None, :]))
    counts = (weights > threshold).sum(axis=1)
    best = int(np.argmin(counts))
    # Rotating by −φ brings the direction φ onto dimension 0.
    return int(counts[best]), float(-np.degrees(mids[best]))


def lesion_dimension(model: ToyModel, dimension: int, X: np.ndarray) -> pd.DataFrame:
    """Silence one hidden dimension (zero row ``dimension`` of W): what each feature loses.

    Parameters
    ----------
    model : ToyModel
    dimension : int
        The hidden dimension to silence, 0 ≤ dimension < m.
    X : ndarray, shape (rows, n)
        The inputs the losses are measured on (e.g. :func:`sample_features`
        at the model's sparsity).

    Returns
    -------
    DataFrame
        One row per feature: ``feature``, ``importance``, ``weight`` (the
        silenced dimension's ``W_ji``), ``intact`` and ``lesioned`` (the
        feature's importance-weighted squared error per input), ``increase``
        (their difference), ``damage`` (the increase as a share of what
        dropping the feature would cost, I_i · mean x_i²: about 1 for a
        feature lost entirely) and ``damaged`` (damage above :data:`DAMAGED`).
    """
    x = _check_inputs(X, model.n)
    if not 0 <= int(dimension) < model.m:
        raise DataError(f"The model has hidden dimensions 0 to {model.m - 1}; got {dimension}.")
    W = model.W.copy()
    W[int(dimension)] = 0.0
    lesioned_model = ToyModel(W, model.b, model.sparsity, model.importance, np.nan, model.seed)
    intact = model.importance * np.mean((reconstruct(model, x) - x) ** 2, axis=0)
    lesioned = model.importance * np.mean((reconstruct(lesioned_model, x) - x) ** 2, axis=0)
    dropped = model.importance * np.mean(x**2, axis=0)
    damage = np.full(model.n, np.nan)
    np.divide(lesioned - intact, dropped, out=damage, where=dropped > 0)
    return pd.DataFrame(
        {
            "feature": np.arange(model.n),
            "importance": model.importance,
            "weight": model.W[int(dimension)],
            "intact": intact,
            "lesioned": lesioned,
            "increase": lesioned - intact,
            "damage": damage,
            "damaged": damage > DAMAGED,
        }
    )
