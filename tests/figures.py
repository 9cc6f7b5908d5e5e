"""The lab's figures (plain data, :data:`lib.figures.style.Figure`) read in tests
through plotly's own figure class, which validates every property and raises on
a bad one: ``validated(charts.rmse_bars)(...)`` is a ``go.Figure``."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from lib.figures.style import plain


def validated(builder: Callable[..., Any]) -> Callable[..., go.Figure]:
    """``builder`` whose figure comes back as ``go.Figure(figure)``: validated, and read
    as ``fig.data[0].x``."""

    @functools.wraps(builder)
    def build(*args: Any, **kwargs: Any) -> go.Figure:
        return go.Figure(builder(*args, **kwargs))

    return build


def _is_plain(node: Any) -> bool:
    if isinstance(node, dict):
        return all(isinstance(k, str) and _is_plain(v) for k, v in node.items())
    if isinstance(node, list | tuple):
        return all(_is_plain(v) for v in node)
    return node is None or isinstance(node, str | int | float | np.ndarray | np.generic)


def assert_plain_and_valid(fig: Any) -> None:
    """``fig`` is plain data (no plotly objects inside) that plotly's own validation
    accepts, and what a browser is sent of it (:func:`~lib.figures.style.plain`) is
    what plotly makes of it (named colour scales spelled out, every property as
    plotly.js reads it)."""
    assert isinstance(fig, dict) and set(fig) == {"data", "layout"}
    assert _is_plain(fig)
    validated = go.Figure(fig)  # raises on a bad property
    sent = json.loads(pio.to_json(plain(fig), validate=False))
    assert sent == json.loads(pio.to_json(validated, validate=False))
