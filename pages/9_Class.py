"""Live class: a student joins with the teacher's code and answers with the room."""

from lib.ui.live_views import show_class
from lib.ui.state import init_page

init_page("Class")
show_class()
