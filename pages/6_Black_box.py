"""Inside the black box: a neuroscientist's tools on a network we know completely."""

from lib.ui.sections import render

render("Black box")  # its sections, in order: lib/ui/pages/blackbox.py
