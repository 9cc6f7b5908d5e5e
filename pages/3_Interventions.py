"""Interventions: change the world, and see which model still predicts."""

from lib.ui.sections import render

render("Interventions")  # its sections, in order: lib/ui/pages/interventions.py
