"""Models: a predictive and a causal model, side by side, on the same data."""

from lib.ui.sections import render

render("Models")  # its sections, in order: lib/ui/pages/models.py
