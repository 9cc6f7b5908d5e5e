"""The words the pages show, apart from the maths.

:mod:`~lib.words.escape` makes names and user text inert in Markdown, HTML and
plotly and joins them for sentences; :mod:`~lib.words.numbers` formats errors,
ratios and strengths; :mod:`~lib.words.narration` writes what happened to each
model under an intervention, and why.
"""
