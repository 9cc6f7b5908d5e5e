"""Figures: the lab's style, its charts and the causal-graph drawing (plotly, graphviz DOT).

:mod:`~lib.figures.style` is the one style (the palette with its colours by
model kind, the type sizes, ``style``, ``subsample``, the presenter view's
type) that every other module here imports; :mod:`~lib.figures.charts` holds
every chart of the world and table pages; :mod:`~lib.figures.invariance` the
Invariance page's charts; :mod:`~lib.figures.graph` the causal graphs.
"""
