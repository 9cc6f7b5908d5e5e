"""The lab's Streamlit layer: shared sidebar, state, URL, caches and widgets.

The only place in ``lib`` that imports Streamlit. Every page is declared once
in :mod:`lib.ui.pages` (its fields and sections), and its file is one call::

    from lib.ui.sections import render

    render("Data")

Pure helpers (no Streamlit) live in :mod:`lib.ui.fields` and :mod:`lib.ui.params`
(the fields and the URL), :mod:`lib.ui.declare` and :mod:`lib.ui.pages` (pages and
sections), :mod:`lib.ui.lab` (what the pages show) and :mod:`lib.ui.composer` (the
Invariance page's environments composer).
"""
