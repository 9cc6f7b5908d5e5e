"""Invariance: Invariant Causal Prediction and what the Invariance page compares.

:mod:`~lib.invariance.engine` is the exact ICP engine (Peters, Bühlmann &
Meinshausen 2016); :mod:`~lib.invariance.compare` compares the pooled, ICP and
oracle models on environments they never saw.
"""

from lib.invariance.engine import ICPResult, icp

__all__ = ["ICPResult", "icp"]
