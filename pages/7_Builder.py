"""Builder: write your own world as a table of equations, and use it on every page."""

from lib.ui.sections import render

render("Builder")  # its sections, in order: lib/ui/pages/builder.py
