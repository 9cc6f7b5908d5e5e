"""The lab's figures (plain data, :data:`lib.figures.style.Figure`) read in tests
through plotly's own figure class, which validates every property and raises on
a bad one: ``validated(charts.rmse_bars)(...)`` is a ``go.Figure``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go


def validated(builder: Callable[..., Any]) -> Callable[..., go.Figure]:
    """``builder`` whose figure comes back as ``go.Figure(figure)``: validated, and read
    as ``fig.data[0].x``."""

    @functools.wraps(builder)
    def build(*args: Any, **kwargs: Any) -> go.Figure:
        return go.Figure(builder(*args, **kwargs))

    return build
