"""Scenarios by id: the built-in files, and the worlds users built or uploaded.

A user's scenario gets an id made from its content (``user-`` and a hash of its
TOML text), so that every cache keyed by scenario id is safe to share between
sessions: the same id always means the same equations. The registry is
process-wide and bounded; each session keeps its own scenarios in its session
state and registers them again on every run (:func:`lib.ui.state.init_page`),
so an evicted entry comes back before anything looks it up.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import replace

from lib.world.scenarios import Scenario, load_scenario, scenario_to_toml

__all__ = ["USER_PREFIX", "find", "get_scenario", "is_user_scenario", "register", "user_id"]

#: Ids of user scenarios start with this.
USER_PREFIX = "user-"
#: Most user scenarios kept in the process-wide registry.
MAX_REGISTERED = 256

_lock = threading.Lock()
_registry: OrderedDict[str, Scenario] = OrderedDict()


def user_id(sc: Scenario) -> str:
    """The content id of a user's scenario (the same text gives the same id)."""
    text = scenario_to_toml(replace(sc, id="user"))
    return USER_PREFIX + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def is_user_scenario(scenario_id: str) -> bool:
    """Whether an id names a user's scenario rather than a built-in file."""
    return scenario_id.startswith(USER_PREFIX)


def register(sc: Scenario) -> Scenario:
    """Keep a user's scenario under its content id; return it with that id."""
    sid = user_id(sc)  # never trust an id from a file: it could name another's world
    with _lock:
        known = _registry.get(sid)
        if known is None:
            known = replace(sc, id=sid)
            _registry[sid] = known
            while len(_registry) > MAX_REGISTERED:
                _registry.popitem(last=False)
        else:
            _registry.move_to_end(sid)
    return known


def find(scenario_id: str) -> Scenario | None:
    """A registered user scenario by id, or ``None``."""
    with _lock:
        return _registry.get(scenario_id)


def get_scenario(scenario_id: str) -> Scenario:
    """A scenario by id: a registered user scenario, else a built-in file.

    Raises
    ------
    lib.errors.ScenarioError
        If there is no such scenario.
    """
    known = find(scenario_id)
    return known if known is not None else load_scenario(scenario_id)
