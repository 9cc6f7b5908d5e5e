"""The room of a live class, as the teacher's screen shows it: how to join, who
has joined and answered, and the room's answers as a chart.

These parts redraw themselves every :data:`POLL_S` seconds (a Streamlit
fragment), so students who join or answer appear without the teacher doing
anything; the rest of the page stays as it is.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import plotly.graph_objects as go
import streamlit as st

from lib.errors import ClassError
from lib.figures.live import room_figure
from lib.live.join import join_url, lan_address, qr_png, spaced
from lib.live.room import room
from lib.live.store import Tally
from lib.teach.lessons import Prediction
from lib.ui.live import class_store
from lib.ui.widgets import chart

__all__ = ["POLL_S", "class_link", "join_box", "room_chart", "room_count", "room_now"]

#: How often the teacher's counts and chart, and a student's screen, look for news (s).
POLL_S = 1.0
_LOOPBACK = ("localhost", "127.0.0.1", "::1")  # urlsplit drops an IPv6 address's brackets


def class_link(code: str) -> tuple[str, str | None]:
    """The link students open, and a note when the teacher's own address would not
    reach them (the lab opened as ``localhost``: the machine's network address is
    used instead)."""
    base = st.context.url or "http://localhost:8501/"
    parts = urlsplit(base)
    if parts.hostname in _LOOPBACK:
        ip = lan_address()
        if ip is None:
            return join_url(base, code), (
                "This machine has no network address that students could reach: "
                "connect it to the room's network, or let students use another device's lab."
            )
        port = f":{parts.port}" if parts.port else ""
        base = parts._replace(netloc=f"{ip}{port}").geturl()
        return join_url(base, code), None
    return join_url(base, code), None


@st.cache_data(max_entries=64, show_spinner=False)
def _qr(url: str) -> bytes:
    return qr_png(url)


def join_box(code: str, present: bool) -> None:
    """The code, the link and its QR code, large enough to read from the back."""
    url, note = class_link(code)
    words, qr = st.columns([3, 2] if present else [3, 1], vertical_alignment="center")
    with words:
        st.markdown(f"Join on a phone or laptop:  \n**{url}**")
        st.markdown(
            f"or open the lab's **Live class** page and type the code\n\n"
            f"<div class='lab-class-code'>{spaced(code)}</div>",
            unsafe_allow_html=True,
        )
        room_count(code, 0, show_answered=False)
        if note:
            st.warning(note, icon=":material/wifi_off:")
    with qr:
        st.image(_qr(url), width=380 if present else 180, caption=None)


@functools.lru_cache(maxsize=256)
def _figure(
    labels: tuple[str, ...], counts: tuple[int, ...], marked: frozenset[int], note: str, height: int
) -> go.Figure:
    """The room's figure, one per distinct room: after a reveal every student of the
    class draws the same one, and :func:`~lib.ui.widgets.chart` keeps its plain data."""
    return room_figure(labels, counts, marked, note=note, height=height)


def _height(rows: int, present: bool) -> int:
    """A room chart's height: enough for every row's label at the type size shown."""
    if present:  # 8 rows of 22 px labels fit 270 px, and a reveal's screen fits 720 px
        return max(150, min(270, 24 + 36 * rows))
    return max(150, min(340, 24 + 34 * rows))


def _tally_line(code: str, step: int, show_answered: bool = True) -> Tally | None:
    """Write ``N joined · M answered`` of class ``code`` at ``step`` and return the
    tally (``None``, with a caption saying why, when the class cannot be read)."""
    try:
        tally = class_store().tally(code, step)
    except ClassError as exc:
        st.caption(f"The class cannot be read: {exc}")
        return None
    said = f"**{tally.joined}** joined"
    if show_answered:
        said += f" · **{tally.answered}** answered"
    st.markdown(said)
    return tally


@st.fragment(run_every=POLL_S)
def room_count(code: str, step: int, show_answered: bool = True) -> None:
    """``N joined · M answered`` of class ``code`` at ``step``, kept up to date."""
    _tally_line(code, step, show_answered)


@st.fragment(run_every=POLL_S)
def room_chart(
    code: str,
    step: int,
    pred: Prediction,
    features: Sequence[str],
    truth: Any,
    present: bool,
) -> None:
    """How many joined and answered, and the room's answers to ``pred`` as a chart;
    ``truth`` (the lab's answer, once revealed) is marked on it."""
    room_now(code, step, pred, features, truth, present)


def room_now(
    code: str,
    step: int,
    pred: Prediction,
    features: Sequence[str],
    truth: Any,
    present: bool,
) -> None:
    """:func:`room_chart` drawn once (the room after the reveal, when answers are closed)."""
    tally = _tally_line(code, step)
    if tally is None:
        return
    r = room(pred, tally.answers, features, truth)
    fig = _figure(
        tuple(r.labels), tuple(r.counts), r.marked, r.note, _height(len(r.labels), present)
    )
    chart(
        fig,
        "Each bar counts the students who gave that answer"
        + ("; the lab's answer is in green." if truth is not None else "; the answer is hidden."),
        key=f"room_{code}_{step}",
    )
