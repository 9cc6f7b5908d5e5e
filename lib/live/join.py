"""How students reach a live class: its code, its link and the link's QR code.

The QR code is made here, offline (segno, no service is asked), as a PNG.

>>> spaced("K7QX4M")
'K7Q X4M'
>>> join_url("http://10.0.0.5:8501/Lessons?lesson=tylenol", "K7QX4M")
'http://10.0.0.5:8501/Class?code=K7QX4M'
>>> qr_png("http://10.0.0.5:8501/Class?code=K7QX4M")[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
"""

from __future__ import annotations

import io
import socket
from urllib.parse import urlencode, urlsplit, urlunsplit

import segno

__all__ = ["CLASS_PAGE", "join_url", "lan_address", "qr_png", "spaced", "teacher_url"]

#: The path of the page where students join.
CLASS_PAGE = "Class"


def spaced(code: str) -> str:
    """A class code as it is read aloud or written on a board: two groups of three."""
    return f"{code[:3]} {code[3:]}" if len(code) == 6 else code


def _at(base: str, path: str, query: dict[str, str]) -> str:
    parts = urlsplit(base)
    root = parts.path.rsplit("/", 1)[0]  # the app's own prefix, if it is served under one
    return urlunsplit((parts.scheme, parts.netloc, f"{root}/{path}", urlencode(query), ""))


def join_url(base: str, code: str) -> str:
    """The link students open to join class ``code``.

    Parameters
    ----------
    base : str
        Any page's address on the same server, as the teacher's browser sees it.
    code : str
        The class code.
    """
    return _at(base, CLASS_PAGE, {"code": code})


def teacher_url(base: str, lesson: str, step: int, code: str, handover: str) -> str:
    """The secret link that hands the teacher's controls of class ``code`` to the
    browser that opens it (once: ``handover`` is a single-use secret)."""
    query = {"lesson": lesson, "step": str(step), "class": code, "handover": handover}
    return _at(base, "Lessons", query)


def qr_png(text: str, *, scale: int = 8) -> bytes:
    """A QR code of ``text`` as PNG bytes (error correction M, a quiet zone of 2)."""
    out = io.BytesIO()
    segno.make(text, error="m", micro=False).save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


def lan_address() -> str | None:
    """This machine's address on its network (the interface of its default route),
    or ``None`` when it has none. No packet is sent: connecting a UDP socket only
    picks the route."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.254.254.254", 1))
            address = str(probe.getsockname()[0])
        except OSError:
            return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address
