"""Data: where the rows come from, the rows themselves, and what goes with what."""

from lib.ui.sections import render

render("Data")  # its sections, in order: lib/ui/pages/data.py
