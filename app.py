"""Home: what the lab shows, the chosen scenario's story and graph, and where to start."""

from lib.ui.sections import render

render("Home")  # its sections, in order: lib/ui/pages/home.py
