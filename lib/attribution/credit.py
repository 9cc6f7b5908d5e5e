"""Credit that prediction cannot settle, and the intervention that does.

Two closed forms for linear models of correlated inputs:

- the **Rashomon set**: every linear model whose held-out mean squared error is
  within a share ε of the best one's. Around the best coefficients β* the
  error grows as ``(β − β*)ᵀ S (β − β*)``, with ``S`` the inputs' covariance on
  the held-out rows, so the set is an ellipse and the credit input ``j`` can
  get ranges over ``β*_j ± sqrt(ε · MSE* · (S⁻¹)_jj)`` (:func:`rashomon_ranges`).
  For two inputs with correlation ρ, ``(S⁻¹)_jj`` is ``1 / (var_j (1 − ρ²))``:
  the range widens like 1/√(1 − ρ²) while every model in it predicts as well.
- the **error after an intervention** that drives each input independently
  (:func:`error_after_drive`): with truth ``y = Σ b_j x_j + e``, a model ``β``
  errs by ``var(e) + Σ (β_j − b_j)² var_j``. Only the models that credited the
  right input keep predicting.

>>> import numpy as np
>>> round(error_after_drive(np.array([0.0, 1.0]), np.array([1.0, 0.0]), 1.0, np.ones(2)), 6)
3.0
"""

from __future__ import annotations

import numpy as np

__all__ = ["error_after_drive", "rashomon_ellipse", "rashomon_extreme", "rashomon_ranges"]


def rashomon_ranges(
    x: np.ndarray, y: np.ndarray, epsilon: float
) -> tuple[np.ndarray, np.ndarray, float]:
    """The best linear model on rows ``(x, y)`` (with an intercept) and the range of
    credit each input gets across the models within ``epsilon`` of its error.

    Parameters
    ----------
    x : array, shape (n, p)
        The inputs of the rows the models are judged on.
    y : array, shape (n,)
        The target.
    epsilon : float
        How much worse a model may be: its mean squared error at most
        ``(1 + epsilon)`` times the best one's.

    Returns
    -------
    best : array, shape (p,)
        The best model's coefficients.
    half_width : array, shape (p,)
        Each coefficient ranges over ``best ± half_width`` in the set.
    mse : float
        The best model's mean squared error.
    """
    if epsilon < 0:
        raise ValueError("epsilon is zero or more.")
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    centred = x - x.mean(axis=0)
    target = y - y.mean()
    best, *_ = np.linalg.lstsq(centred, target, rcond=None)
    mse = float(np.mean((target - centred @ best) ** 2))
    cov = centred.T @ centred / x.shape[0]
    half = np.sqrt(epsilon * mse * np.diag(np.linalg.inv(cov)))
    return best, half, mse


def rashomon_extreme(x: np.ndarray, y: np.ndarray, epsilon: float, j: int) -> np.ndarray:
    """The model of the Rashomon set (:func:`rashomon_ranges`) that gives input ``j``
    the most credit: the ellipse's point ``β* + sqrt(ε·MSE*) · S⁻¹e_j / sqrt((S⁻¹)_jj)``.
    It predicts the judged rows within ``epsilon`` of the best model."""
    best, _, mse = rashomon_ranges(x, y, epsilon)
    x = np.asarray(x, dtype=np.float64)
    centred = x - x.mean(axis=0)
    inverse = np.linalg.inv(centred.T @ centred / x.shape[0])
    return best + np.sqrt(epsilon * mse) * inverse[:, j] / np.sqrt(inverse[j, j])


def rashomon_ellipse(x: np.ndarray, y: np.ndarray, epsilon: float, points: int = 121) -> np.ndarray:
    """The boundary of the Rashomon set of two-input linear models (:func:`rashomon_ranges`):
    ``β* + sqrt(ε·MSE*) · S^(-1/2) u`` for ``u`` around the unit circle.

    Returns
    -------
    numpy.ndarray, shape (points, 2)
        Coefficients of A and B on the boundary (the first point repeated last).
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError("the ellipse is drawn for two inputs.")
    best, _, mse = rashomon_ranges(x, y, epsilon)
    centred = x - x.mean(axis=0)
    values, vectors = np.linalg.eigh(centred.T @ centred / x.shape[0])
    inverse_root = vectors @ np.diag(1.0 / np.sqrt(values)) @ vectors.T
    t = np.linspace(0.0, 2.0 * np.pi, points)
    circle = np.column_stack([np.cos(t), np.sin(t)])
    return best + np.sqrt(epsilon * mse) * circle @ inverse_root.T


def error_after_drive(
    model: np.ndarray, truth: np.ndarray, noise_var: float, input_var: np.ndarray
) -> float:
    """The mean squared error of a linear ``model`` once every input is driven
    independently (variances ``input_var``, means as before), when the target is
    ``truth · x`` plus noise of variance ``noise_var``."""
    gap = np.asarray(model, dtype=np.float64) - np.asarray(truth, dtype=np.float64)
    return float(noise_var + np.sum(gap**2 * np.asarray(input_var, dtype=np.float64)))
