"""How the suite spreads over the cores (pytest-xdist), and which tests stay together.

Every test is a unit of its own, handed to whichever worker is free, except the
browser tests of ``scripts/serve.sh``: they share one balancer (HAProxy and two
Streamlit workers, about half a minute of CPU to start and warm), so they go to
one worker together, first, while the other workers start on the rest.

pytest-xdist's own grouping (``--dist loadgroup`` with ``xdist_group`` marks)
tells the scheduler a test's group through a suffix on its node id, which
pytest 9.2's structured node ids no longer take (pytest-xdist issue 1386): the
marks are silently ignored. :func:`group_scheduling` groups by the test's id
instead; tests/browser/conftest.py checks that every test that starts a balancer
is named so (:func:`in_balancer_group`).
"""

from __future__ import annotations

from typing import Any

BALANCER_GROUP = "balancer"
_BALANCER_FILE = "tests/browser/test_balancer.py::"


def in_balancer_group(nodeid: str) -> bool:
    """Whether the test with this id runs with the balancer's group.

    The tests of tests/browser/test_balancer.py, and every browser test whose name
    says ``balancer`` (``test_a_class_through_the_balancer``).
    """
    path, _, name = nodeid.partition("::")
    return nodeid.startswith(_BALANCER_FILE) or (
        path.startswith("tests/browser/") and BALANCER_GROUP in name
    )


def group_scheduling(config: Any, log: Any) -> Any:
    """pytest-xdist's scheduler for the suite: one test per unit of work, except the
    balancer's group, one unit handed out first (LoadScopeScheduling sends the largest
    units first)."""
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if "@" in nodeid.rpartition("]")[2]:  # pytest-xdist's own group suffix
                return nodeid.rpartition("@")[2]
            return BALANCER_GROUP if in_balancer_group(nodeid) else nodeid

    return GroupScheduling(config, log)
