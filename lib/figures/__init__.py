"""Figures: the lab's style, its charts and the causal-graph drawing (plotly, graphviz DOT).

:mod:`~lib.figures.charts` holds the style (colours by model kind, type sizes)
and every chart of the world and table pages; :mod:`~lib.figures.invariance`
the Invariance page's charts.
"""
