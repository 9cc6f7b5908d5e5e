"""The clicker's keys: one script for lessons and slides (docs/lesson-format.md).

A presentation clicker sends PageDown and PageUp (some send the arrows); a
keyboard adds Space and R. :func:`keys` draws one listener on the page that
presses the lab's own buttons, by their keys, so a key does exactly what a
click does:

- **next** (PageDown, →, Space on the page itself): a lesson's "Reveal the
  answer" while it is shown (an unanswered question holds the lesson), else
  the lesson's Next or the slide's Next;
- **back** (PageUp, ←): the lesson's Previous or the slide's Back;
- **R**: reveal.

It listens on the document, so it works on a fresh load, before anything was
clicked. Typing in a field, a focused radio or slider (whose arrows move it),
a repeated key and a key with a modifier are left alone.
"""

from __future__ import annotations

import streamlit as st

__all__ = ["BACK", "NEXT", "REVEAL", "keys"]

#: The buttons each key presses, the first shown and enabled one (widget keys).
NEXT = ("lesson_next", "slide_next")
BACK = ("lesson_back", "slide_back")
REVEAL = "lesson_reveal"

_KEYS_JS = """
<script>
(() => {
  const doc = window.document;
  if (window.__labKeys) doc.removeEventListener("keydown", window.__labKeys);
  // a button with a tooltip has a hidden twin: use the one on screen
  const shown = (name) => Array.from(doc.querySelectorAll(`.st-key-${name} button`))
    .find((x) => x.offsetWidth > 0);
  const press = (names) => {
    for (const name of names) {
      const b = shown(name);
      if (b && !b.disabled) { b.click(); return true; }
    }
    return false;
  };
  window.__labKeys = (e) => {
    const t = e.target;
    const typing = t && (t.tagName === "TEXTAREA" || t.isContentEditable ||
      (t.tagName === "INPUT" && !["radio", "checkbox"].includes(t.type)));
    const arrow = e.key.startsWith("Arrow");
    // a focused choice or slider keeps its arrows (they move it)
    const choosing = t && arrow && ((t.tagName === "INPUT" && t.type === "radio") ||
      (t.getAttribute && t.getAttribute("role") === "slider"));
    if (typing || choosing || e.repeat || e.altKey || e.ctrlKey || e.metaKey) return;
    let done = false;
    if (["PageDown", "ArrowRight"].includes(e.key) || (e.key === " " && t === doc.body)) {
      const reveal = shown(REVEAL);
      // an unanswered question holds the lesson: the learner answers first
      done = reveal ? (reveal.disabled ? true : press([REVEAL])) : press(NEXT);
    } else if (["PageUp", "ArrowLeft"].includes(e.key)) {
      done = press(BACK);
    } else if (e.key === "r" || e.key === "R") {
      done = press([REVEAL]);
    }
    if (done) e.preventDefault();
  };
  doc.addEventListener("keydown", window.__labKeys);
})();
</script>
"""


def script() -> str:
    """The listener, with the buttons' keys written in."""
    js = _KEYS_JS.replace("REVEAL", f'"{REVEAL}"')
    js = js.replace("press(NEXT)", "press([" + ", ".join(f'"{k}"' for k in NEXT) + "])")
    return js.replace("press(BACK)", "press([" + ", ".join(f'"{k}"' for k in BACK) + "])")


def keys() -> None:
    """Draw the listener (once per page run: a second one replaces the first)."""
    st.html(script(), unsafe_allow_javascript=True)
