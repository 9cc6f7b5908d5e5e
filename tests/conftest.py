"""Fixtures shared by the tests: a PostgreSQL server for the live-class store.

The suite runs on every core by default (pytest-xdist): without ``-n`` on the
command line, ``pytest`` means ``pytest -n auto --dist loadgroup``, scheduled as
tests/parallel.py says. ``-n 0`` or ``-p no:xdist`` runs everything in this one
process (for ``-s`` or a single test, say); ``--pdb`` alone does so too.

``postgres_url`` is ``$LAB_TEST_POSTGRES`` (a libpq URL such as
``postgresql://lab:lab@127.0.0.1:5432/lab_test``; ``.ci/run`` starts a server
and sets it). Without it the tests that need PostgreSQL are skipped, except when
``$CI`` is set: then they fail. ``postgres_schema`` gives a test a fresh,
empty schema of its own, dropped afterwards, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

POSTGRES_ENV = "LAB_TEST_POSTGRES"


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """Distribute over every core unless told otherwise (runs before pytest-xdist's hook)."""
    if not config.pluginmanager.hasplugin("xdist"):
        return  # -p no:xdist
    option = config.option
    if hasattr(config, "workerinput"):
        return  # inside a worker
    if option.numprocesses is None and not option.tx and not config.getoption("usepdb"):
        option.numprocesses = "auto"
    if option.dist == "no" and not option.distload:
        option.dist = "loadgroup"  # scheduled by tests/parallel.py


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Keep the balancer's browser tests on one worker (tests/parallel.py)."""
    if config.getvalue("dist") != "loadgroup":
        return None  # another --dist: pytest-xdist's own
    from tests.parallel import group_scheduling

    return group_scheduling(config, log)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The test PostgreSQL server's URL; skip (locally) or fail (in CI) without one."""
    url = os.environ.get(POSTGRES_ENV, "").strip()
    if not url:
        message = (
            f"${POSTGRES_ENV} is not set: set it to a PostgreSQL URL such as "
            "postgresql://lab:lab@127.0.0.1:5432/lab_test to test the PostgreSQL store."
        )
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI. {message}")
        pytest.skip(message)
    return url


@pytest.fixture
def postgres_schema(postgres_url: str) -> Iterator[str]:
    """A URL whose connections use a new, empty schema (dropped after the test)."""
    import psycopg

    schema = f"test_{secrets.token_hex(8)}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in postgres_url else "?"
    options = quote(f"-csearch_path={schema}", safe="")
    try:
        yield f"{postgres_url}{separator}options={options}"
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
