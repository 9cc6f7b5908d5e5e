"""TOML text read into plain data, with the errors a scenario's author can act on.

The one place the world parses TOML: :meth:`lib.world.scm.SCM.from_toml` and
:func:`lib.world.scenarios.scenario_from_toml` read a path or text through
:func:`read_toml`, the Builder's upload (:func:`lib.world.builder.scenario_from_upload`)
its text through :func:`parse_toml`.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from lib.errors import ScenarioError

__all__ = ["parse_toml", "read_toml"]


def parse_toml(text: str, what: str = "TOML") -> dict[str, Any]:
    """Parse TOML text, raising a :class:`~lib.errors.ScenarioError` a student can act on.

    Parameters
    ----------
    text : str
        The TOML text.
    what : str, optional
        What the text should be, as the messages name it: ``"TOML"`` ("this is
        not valid TOML: …") or a kind of file, e.g. ``"scenario file"`` ("this is
        not a valid scenario file (TOML): …").

    Returns
    -------
    dict
        The parsed tables.

    Raises
    ------
    ScenarioError
        When the text is not TOML (with tomllib's line and column), or is
        nested so deeply that the parser runs out of stack.
    """
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        valid = "valid TOML" if what == "TOML" else f"a valid {what} (TOML)"
        raise ScenarioError(f"this is not {valid}: {exc}.") from None
    except (RecursionError, MemoryError):
        # tomllib parses nested arrays and tables recursively: ``a = [[[[...`` hundreds
        # deep exhausts the stack before it can say the text is wrong.
        raise ScenarioError(
            f"this {what} is nested too deeply (arrays or tables inside one another, "
            "hundreds of levels deep); a scenario file needs only a few levels."
        ) from None


def read_toml(path_or_text: str | Path) -> dict[str, Any]:
    """Parse TOML from a file's path or from text (see :func:`parse_toml`).

    Parameters
    ----------
    path_or_text : str or Path
        A :class:`~pathlib.Path`, or a one-line string ending in ``.toml``, is a
        path; anything else is the TOML text itself.

    Returns
    -------
    dict
        The parsed tables.

    Raises
    ------
    ScenarioError
        When the file cannot be read, or its text is not TOML.
    """
    if isinstance(path_or_text, Path) or (
        isinstance(path_or_text, str)
        and "\n" not in path_or_text
        and path_or_text.endswith(".toml")
    ):
        path = Path(path_or_text)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ScenarioError(f"cannot read {path.name}: {exc.strerror}.") from None
    else:
        text = str(path_or_text)
    return parse_toml(text)
