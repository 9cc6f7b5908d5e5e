"""Attribution: equal prediction, different explanations."""

from lib.ui.sections import render

render("Attribution")  # its sections, in order: lib/ui/pages/attribution.py
