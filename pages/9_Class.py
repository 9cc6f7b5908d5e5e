"""Live class: a student joins with the teacher's code and answers with the room."""

from lib.ui.sections import render

render("Class")  # its sections, in order: lib/ui/pages/live_class.py
