"""Invariance: ICP keeps the predictors whose relation to the target is the same everywhere."""

from lib.ui.sections import render

render("Invariance")  # its sections, in order: lib/ui/pages/invariance.py
