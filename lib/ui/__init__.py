"""The lab's Streamlit layer: shared sidebar, state, URL, caches and widgets.

The only place in ``lib`` that imports Streamlit. Every page starts with::

    from lib.ui.state import init_page

    lab = init_page("Data")

Pure helpers (no Streamlit) live in :mod:`lib.ui.params` (the URL),
:mod:`lib.ui.lab` (what the pages show) and :mod:`lib.ui.composer` (the
Invariance page's environments composer).
"""
