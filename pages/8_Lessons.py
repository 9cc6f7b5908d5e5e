"""Lessons: predict, then see what the lab computes, one step at a time."""

from lib.ui.lesson_views import show_lessons
from lib.ui.state import init_page, teach_state
from lib.ui.widgets import page_header

lab = init_page("Lessons")
if not lab.present and not teach_state().lesson:
    page_header(
        "Lessons",
        "Short guided stories through the lab. At each step, commit to a prediction before "
        "the lab shows what happened and why.",
    )
show_lessons()
