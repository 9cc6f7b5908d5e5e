"""Lessons: predict, then see what the lab computes, one step at a time."""

from lib.ui.sections import render

render("Lessons")  # its sections, in order: lib/ui/pages/lessons.py
