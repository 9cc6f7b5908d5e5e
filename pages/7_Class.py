"""Live class: a student joins with the teacher's code and answers with the room."""

from lib.ui.live import student
from lib.ui.live_views import show_class
from lib.ui.state import init_page
from lib.ui.widgets import page_header

init_page("Class")
if student() is None:  # in a class, a phone's screen is the step's
    page_header(
        "Live class",
        "Join your teacher's class: predict at each step, then see the lab's answer and "
        "where the room stood.",
    )
show_class()
