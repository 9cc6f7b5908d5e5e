"""Where live classes are stored, and for how long: environment, file, defaults.

The environment wins (``LAB_CLASS_STORE``, the store's URL, and
``LAB_CLASS_HOURS``), then the ``[store]`` table of ``.streamlit/live.toml``
(``url``, ``hours``), then the defaults: a SQLite file in the system's
temporary folder, which every worker on this machine shares, and 3 hours.

>>> load_settings(path=Path("no-such-file.toml"), environ={"LAB_CLASS_HOURS": "1.5"}).hours
1.5
"""

from __future__ import annotations

import math
import os
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from lib.errors import ClassError
from lib.live.store import store_kind

__all__ = ["DEFAULT_HOURS", "DEFAULT_PATH", "LiveSettings", "default_url", "load_settings"]

#: The settings file, relative to the folder the lab runs from (as Streamlit's own).
DEFAULT_PATH = Path(".streamlit") / "live.toml"
#: How long a class lives, by default.
DEFAULT_HOURS = 3.0
#: A class lives at most this long (a week).
MAX_HOURS = 24.0 * 7

URL_ENV = "LAB_CLASS_STORE"
HOURS_ENV = "LAB_CLASS_HOURS"


@dataclass(frozen=True)
class LiveSettings:
    """Where the live classes are stored and how long they live.

    Attributes
    ----------
    url : str
        The store's URL, for :func:`lib.live.store.open_store`.
    hours : float
        How long a class lives after it starts.
    """

    url: str
    hours: float


def default_url() -> str:
    """The default store: a SQLite file in a folder of this user's in the system's
    temporary folder (``predict-or-explain-<user id>``: on a shared machine another
    user cannot make the folder first and edit the classes)."""
    owner = os.getuid() if hasattr(os, "getuid") else os.getlogin()
    folder = Path(tempfile.gettempdir()) / f"predict-or-explain-{owner}"
    return "sqlite:///" + str(folder / "live-classes.sqlite3")


def _url(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ClassError(f"{where} must be a non-empty text (a store URL).", name=where)
    url = value.strip()
    try:
        store_kind(url)
    except ClassError as exc:
        raise ClassError(f"{where}: {exc.message}", name=where) from None
    return url


def _hours(value: object, where: str) -> float:
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = math.nan
    elif isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        number = math.nan
    if not (math.isfinite(number) and 0 < number <= MAX_HOURS):
        raise ClassError(
            f"{where} must be a number of hours greater than 0 and at most {MAX_HOURS:g} "
            f"(not {value!r}).",
            name=where,
        )
    return number


def _read_file(path: Path) -> dict[str, object]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ClassError(f"Cannot read {path}: {exc.strerror}.", name=str(path)) from exc
    try:
        table = tomllib.loads(text).get("store", {})
    except tomllib.TOMLDecodeError as exc:
        raise ClassError(f"{path} is not valid TOML: {exc}.", name=str(path)) from exc
    if not isinstance(table, dict):
        raise ClassError(f"In {path}, `store` must be a table ([store]).", name=str(path))
    unknown = sorted(set(table) - {"url", "hours"})
    if unknown:
        raise ClassError(
            f"In {path}, [store] has unknown settings: {', '.join(unknown)}.",
            name=str(path),
            allowed="Allowed: url, hours.",
        )
    return table


def load_settings(
    path: Path = DEFAULT_PATH, environ: Mapping[str, str] | None = None
) -> LiveSettings:
    """The live-class settings: environment, then the TOML file, then defaults.

    Parameters
    ----------
    path : Path
        The TOML file (``[store] url = "..."``, ``hours = 3``); a missing file
        means defaults.
    environ : mapping, optional
        The environment (default ``os.environ``); an empty variable counts as unset.

    Raises
    ------
    ClassError
        When a setting is not valid; its ``name`` is the variable or file.
    """
    env = os.environ if environ is None else environ
    table = _read_file(Path(path))
    url_env, hours_env = env.get(URL_ENV, "").strip(), env.get(HOURS_ENV, "").strip()
    if url_env:
        url = _url(url_env, URL_ENV)
    elif "url" in table:
        url = _url(table["url"], f"{path}: [store] url")
    else:
        url = default_url()
    if hours_env:
        hours = _hours(hours_env, HOURS_ENV)
    elif "hours" in table:
        hours = _hours(table["hours"], f"{path}: [store] hours")
    else:
        hours = DEFAULT_HOURS
    return LiveSettings(url=url, hours=hours)
