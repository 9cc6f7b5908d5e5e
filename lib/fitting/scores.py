"""How far predictions are from the truth: RMSE and R², the lab's one definition of each.

Numpy only, so that figures and the black box can score without importing the
estimators. Both are computed in float64 and never overflow: squares of huge
errors are taken after dividing by the largest one, and R² compares the error
with the spread of the target about its own mean (centred first, so a large
offset costs no precision).
"""

from __future__ import annotations

import numpy as np

__all__ = ["r2_score", "rmse"]


def _scaled_rms(values: np.ndarray) -> float:
    """Root mean square without overflow for huge values."""
    top = float(np.max(np.abs(values))) if values.size else 0.0
    if top == 0.0 or not np.isfinite(top):
        return top
    scaled = values / top
    return top * float(np.sqrt(np.mean(scaled * scaled)))


def rmse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Root mean squared error, without overflow for huge errors.

    Parameters
    ----------
    y_true, y_pred : array_like
        The truth and the predictions, of one shape (any numeric dtype; float64 inside).

    Returns
    -------
    float
        ``sqrt(mean((y_true - y_pred)²))``; ``inf`` only when an error itself is.
    """
    diff = np.asarray(y_true, dtype=np.float64) - np.asarray(y_pred, dtype=np.float64)
    return _scaled_rms(diff)


def r2_score(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """The coefficient of determination, 1 − SSE/SST (scikit-learn's ``r2_score``).

    Negative when the predictions are worse than the target's own mean, as they
    often are out of distribution. Safe for any magnitude: the ratio SSE/SST is
    taken as the square of a ratio of root mean squares, each scaled by its
    largest term, so values near the float range do not overflow.

    Parameters
    ----------
    y_true, y_pred : array_like
        The truth and the predictions, of one shape (any numeric dtype; float64
        inside). A 2-D truth is scored as one flattened sample; score columns
        one at a time.

    Returns
    -------
    float
        R²; ``nan`` when the target is constant (no spread to explain; scikit-learn
        would say 1 or 0), ``-inf`` when the error is beyond the float range
        relative to the spread.

    Examples
    --------
    >>> r2_score([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    1.0
    >>> r2_score([1.0, 2.0, 3.0], [2.0, 2.0, 2.0])
    0.0
    """
    y = np.asarray(y_true, dtype=np.float64)
    err = _scaled_rms(y - np.asarray(y_pred, dtype=np.float64))
    spread = _scaled_rms(y - y.mean())
    if spread == 0:
        return float("nan")
    with np.errstate(over="ignore"):
        return float(1.0 - np.float64(err / spread) ** 2)  # -inf beyond float range
