"""Text helpers at the bottom of the engine: they import nothing from ``lib``.

:mod:`~lib.text.escape` makes names and user text inert in Markdown, HTML and
plotly and joins them for sentences; :mod:`~lib.text.numbers` formats errors,
R², ratios and strengths. Every layer may use them (the world's error messages
as much as the pages' sentences); the sentences themselves live in
:mod:`lib.words`, a layer above the world and the fitting.
"""
