"""The shared store of a live class, in SQLite or PostgreSQL.

A teacher starts a class from a lesson (:meth:`ClassStore.start`) and gets a
short code and a secret token; students join with the code, anonymously
(:meth:`ClassStore.join` gives each a seat token), and answer the current step
(:meth:`ClassStore.answer`). The teacher moves the class on, reveals a step's
answer and ends the class; every teacher action bumps the class's ``version``,
so a student's screen polls :meth:`ClassStore.info` (one primary-key read) and
compares one integer. Classes expire after ``hours``; :meth:`ClassStore.purge`
deletes expired classes with their seats and answers.

Several Streamlit workers on one machine share one SQLite file (WAL mode);
several machines share a PostgreSQL database (the driver, psycopg 3, is
imported only for a PostgreSQL URL). Inside a process, Streamlit runs each
session in its own thread, so one store object holds one connection guarded
by a lock. Only SHA-256 digests of the teacher's and the seats' tokens are
stored.

>>> store = open_store(":memory:")
>>> info, token = store.start(lesson="tylenol", steps=2, now=0.0)
>>> seat = store.join(info.code, now=1.0)
>>> store.answer(info.code, seat, 0, "yes", now=2.0)
>>> store.tally(info.code, 0, now=3.0)
Tally(joined=1, answered=1, answers=('yes',))
>>> store.reveal(info.code, token, now=4.0).shown
True
>>> store.close_connection()
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import math
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from lib.errors import ClassError

if TYPE_CHECKING:
    import psycopg

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "HANDOVER_S",
    "MAX_ANSWER_CHARS",
    "MAX_CLASSES",
    "MAX_LESSON_CHARS",
    "MAX_SEATS",
    "MAX_STEPS",
    "RATE_BURST",
    "RATE_PER_S",
    "ClassInfo",
    "ClassStore",
    "Tally",
    "normalise_code",
    "open_store",
    "store_kind",
]

#: The characters of a class code: no 0/O, no 1/I, which a projector blurs.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
#: How many characters a class code has.
CODE_LENGTH = 6
#: At most this many unexpired classes at once (closed ones count until they expire).
MAX_CLASSES = 200
#: At most this many students join one class.
MAX_SEATS = 500
#: A seat may write this many answers at once (a student picking six variables one
#: by one, or stepping a number up, sends an answer per click) ...
RATE_BURST = 10
#: ... and then this many per second (a token bucket per seat).
RATE_PER_S = 1.0
#: An answer is stored as JSON text of at most this many characters.
MAX_ANSWER_CHARS = 2000
#: At most this many steps in a class (the lesson's steps; the class runs 0..steps+1).
MAX_STEPS = 200
#: A lesson name is at most this long.
MAX_LESSON_CHARS = 200
#: A handover (a teacher link) can be used once, within this many seconds.
HANDOVER_S = 600.0

Kind = Literal["sqlite", "postgresql"]
_T = TypeVar("_T")

# Every statement is written once, with ``?`` placeholders and ``{least}``,
# ``{greatest}``, ``{for_share}`` and ``{for_update}`` where the dialects differ
# (see _Dialect).
_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS live_class (
        code TEXT PRIMARY KEY,
        lesson TEXT NOT NULL,
        steps INTEGER NOT NULL,
        step INTEGER NOT NULL,
        revealed TEXT NOT NULL,
        closed INTEGER NOT NULL,
        created DOUBLE PRECISION NOT NULL,
        expires DOUBLE PRECISION NOT NULL,
        version INTEGER NOT NULL,
        teacher TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS live_class_expires ON live_class (expires)",
    """CREATE TABLE IF NOT EXISTS live_seat (
        code TEXT NOT NULL REFERENCES live_class (code) ON DELETE CASCADE,
        seat TEXT NOT NULL,
        tokens DOUBLE PRECISION NOT NULL,
        refilled DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (code, seat)
    )""",
    """CREATE TABLE IF NOT EXISTS live_answer (
        code TEXT NOT NULL,
        seat TEXT NOT NULL,
        step INTEGER NOT NULL,
        value TEXT NOT NULL,
        at DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (code, seat, step),
        FOREIGN KEY (code, seat) REFERENCES live_seat (code, seat) ON DELETE CASCADE
    )""",
    "CREATE INDEX IF NOT EXISTS live_answer_step ON live_answer (code, step)",
    # single-use secrets that hand a class's controls to another browser
    """CREATE TABLE IF NOT EXISTS live_handover (
        secret TEXT PRIMARY KEY,
        code TEXT NOT NULL REFERENCES live_class (code) ON DELETE CASCADE,
        expires DOUBLE PRECISION NOT NULL
    )""",
)

_CLASS_COLUMNS = "code, lesson, steps, step, revealed, closed, created, expires, version"
_INFO = f"SELECT {_CLASS_COLUMNS} FROM live_class WHERE code = ? AND expires > ?"
_LOCK_CLASS = f"SELECT {_CLASS_COLUMNS}, teacher FROM live_class WHERE code = ? AND expires > ?"
_COUNT_LIVE = "SELECT COUNT(*) FROM live_class WHERE expires > ?"
_INSERT_CLASS = (
    f"INSERT INTO live_class ({_CLASS_COLUMNS}, teacher) VALUES (?, ?, ?, 0, '[]', 0, ?, ?, 0, ?) "
    "ON CONFLICT (code) DO NOTHING"
)
_TEACHER = "SELECT teacher FROM live_class WHERE code = ? AND expires > ?"
_COUNT_SEATS = "SELECT COUNT(*) FROM live_seat WHERE code = ?"
_INSERT_SEAT = "INSERT INTO live_seat (code, seat, tokens, refilled) VALUES (?, ?, ?, ?)"
_SEATED = (
    "SELECT 1 FROM live_seat s JOIN live_class c ON c.code = s.code "
    "WHERE s.code = ? AND s.seat = ? AND c.expires > ?"
)
_SEAT = "SELECT 1 FROM live_seat WHERE code = ? AND seat = ?"
# Refill the seat's bucket for the time since its last write and take one
# token, in one statement: it matches no row when the bucket holds less than one.
_TAKE_TOKEN = (
    "UPDATE live_seat "
    "SET tokens = {least}(?, tokens + {greatest}(0, ? - refilled) * ?) - 1, "
    "refilled = {greatest}(refilled, ?) "
    "WHERE code = ? AND seat = ? AND {least}(?, tokens + {greatest}(0, ? - refilled) * ?) >= 1"
)
_UPSERT_ANSWER = (
    "INSERT INTO live_answer (code, seat, step, value, at) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (code, seat, step) DO UPDATE SET value = excluded.value, at = excluded.at"
)
_MY_ANSWER = (
    "SELECT a.value FROM live_answer a JOIN live_class c ON c.code = a.code "
    "WHERE a.code = ? AND a.seat = ? AND a.step = ? AND c.expires > ?"
)
_TALLY_JOINED = (
    "SELECT COUNT(*) FROM live_seat s JOIN live_class c ON c.code = s.code "
    "WHERE s.code = ? AND c.expires > ?"
)
_TALLY_ANSWERS = (
    "SELECT a.value FROM live_answer a JOIN live_class c ON c.code = a.code "
    "WHERE a.code = ? AND a.step = ? AND c.expires > ? ORDER BY a.at, a.seat"
)
_INSERT_HANDOVER = "INSERT INTO live_handover (secret, code, expires) VALUES (?, ?, ?)"
_TAKE_HANDOVER = "DELETE FROM live_handover WHERE secret = ? AND code = ? AND expires > ?"
_OLD_HANDOVERS = "DELETE FROM live_handover WHERE code = ? AND expires <= ?"
_NEW_TEACHER = "UPDATE live_class SET teacher = ? WHERE code = ?"
_MOVE = "UPDATE live_class SET step = ?, version = version + 1 WHERE code = ?"
_REVEAL = "UPDATE live_class SET revealed = ?, version = version + 1 WHERE code = ?"
_CLOSE = "UPDATE live_class SET closed = 1, version = version + 1 WHERE code = ?"
_DELETE_SEATS = "DELETE FROM live_seat WHERE code = ?"  # their answers go with them
_PURGE = "DELETE FROM live_class WHERE expires <= ?"  # seats and answers go with them

#: The PostgreSQL advisory lock that serialises creating the tables and starting classes.
_PG_LOCK_KEY = 0x6C697665  # "live"


@dataclass(frozen=True)
class ClassInfo:
    """What everyone may know about a live class (never its teacher's token).

    Attributes
    ----------
    code : str
        The class code (``CODE_LENGTH`` characters of ``CODE_ALPHABET``).
    lesson : str
        The lesson's name.
    steps : int
        The lesson's number of steps N; the class's step runs from 0 to N + 1.
    step : int
        The current step.
    revealed : frozenset of int
        The steps whose answers the teacher revealed.
    closed : bool
        Whether the teacher ended the class.
    created, expires : float
        When the class started and when it expires (seconds since the epoch).
    version : int
        Bumped by every teacher action, so pollers compare one integer.
    """

    code: str
    lesson: str
    steps: int
    step: int
    revealed: frozenset[int]
    closed: bool
    created: float
    expires: float
    version: int

    @property
    def shown(self) -> bool:
        """Whether the current step has been revealed."""
        return self.step in self.revealed


@dataclass(frozen=True)
class Tally:
    """The answers to one step of a class.

    Attributes
    ----------
    joined : int
        How many students joined the class.
    answered : int
        How many of them answered the step (``len(answers)``).
    answers : tuple
        The decoded answers, one per student who answered, oldest first.
    """

    joined: int
    answered: int
    answers: tuple[Any, ...]


@dataclass(frozen=True)
class _Dialect:
    """Where SQLite and PostgreSQL differ; everything else is the same SQL."""

    kind: Kind
    placeholder: str
    least: str
    greatest: str
    for_share: str
    for_update: str

    def sql(self, text: str) -> str:
        """A statement written with ``?`` and ``{least}``... in this dialect."""
        text = text.format(least=self.least, greatest=self.greatest)
        return text.replace("?", self.placeholder)


_SQLITE = _Dialect("sqlite", "?", "min", "max", "", "")
_POSTGRESQL = _Dialect("postgresql", "%s", "LEAST", "GREATEST", " FOR SHARE", " FOR UPDATE")


def _database_error(exc: BaseException) -> bool:
    """Whether ``exc`` is the database's own error (sqlite3's or psycopg's), not a bug."""
    if isinstance(exc, sqlite3.Error):
        return True
    return type(exc).__module__.split(".")[0] == "psycopg" and isinstance(exc, Exception)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalise_code(code: object) -> str | None:
    """A class code as typed, made canonical; ``None`` when it cannot be a code.

    Spaces and dashes go, letters are upper-cased (``" k7qx-4m "`` is
    ``"K7QX4M"``).

    Parameters
    ----------
    code : object
        What a student typed (anything; only a string can be a code).
    """
    if not isinstance(code, str) or len(code) > 4 * CODE_LENGTH:
        return None
    text = re.sub(r"[\s\-]+", "", code).upper()
    if len(text) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in text):
        return None
    return text


def store_kind(url: str) -> Kind:
    """Which backend a store URL names: ``"sqlite"`` or ``"postgresql"``.

    Parameters
    ----------
    url : str
        ``"sqlite:///path"``, a plain file path, ``":memory:"``, or
        ``"postgresql://..."`` / ``"postgres://..."``.

    Raises
    ------
    ClassError
        When the URL is empty or names another kind of database.
    """
    if not isinstance(url, str) or not url.strip():
        raise ClassError("The class store URL is empty.")
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*)://", url)
    if scheme is None:
        return "sqlite"  # ":memory:" or a file path
    name = scheme.group(1).lower()
    if name == "sqlite":
        return "sqlite"
    if name in ("postgresql", "postgres"):
        return "postgresql"
    raise ClassError(
        f"The class store URL must start with `sqlite:///` or `postgresql://`, not `{name}://`.",
        name=name,
    )


def _sqlite_path(url: str) -> str:
    """The file of a SQLite URL (``sqlite:///path``, a path, or ``":memory:"``)."""
    if not url.lower().startswith("sqlite://"):
        return url
    rest = url[len("sqlite://") :]
    if re.match(r"/+[A-Za-z]:[\\/]", rest):  # sqlite:///C:\... on Windows
        return rest.lstrip("/")
    if rest.lstrip("/") == ":memory:":
        return ":memory:"
    # sqlite:///abs/path and sqlite:////abs/path both mean /abs/path
    return "/" + rest.lstrip("/")


def _number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ClassError(f"{what} must be a number, not {type(value).__name__}.")
    number = float(value)
    if not math.isfinite(number):
        raise ClassError(f"{what} must be a finite number.")
    return number


def _whole(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ClassError(f"{what} must be a whole number, not {type(value).__name__}.")
    return value


def _encode(value: Any) -> str:
    try:
        text = json.dumps(value, allow_nan=False, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError) as exc:
        raise ClassError(
            "This answer cannot be stored: it must be text, a number or a list of them "
            "(and a number must be finite)."
        ) from exc
    if len(text) > MAX_ANSWER_CHARS:
        raise ClassError(
            f"This answer is too long ({len(text):,} characters; at most {MAX_ANSWER_CHARS:,})."
        )
    return text


class _Tx:
    """Runs statements on one connection, in the store's dialect."""

    def __init__(self, conn: Any, dialect: _Dialect) -> None:
        self._conn = conn
        self._dialect = dialect

    def run(self, sql: str, args: tuple[Any, ...] = (), **parts: str) -> int:
        """Run a statement; return how many rows it changed."""
        return int(self._execute(sql, args, parts).rowcount)

    def one(self, sql: str, args: tuple[Any, ...] = (), **parts: str) -> tuple[Any, ...] | None:
        """The first row of a query, or ``None``."""
        row = self._execute(sql, args, parts).fetchone()
        return None if row is None else tuple(row)

    def all(self, sql: str, args: tuple[Any, ...] = (), **parts: str) -> list[tuple[Any, ...]]:
        """Every row of a query."""
        return [tuple(row) for row in self._execute(sql, args, parts).fetchall()]

    def _execute(self, sql: str, args: tuple[Any, ...], parts: dict[str, str]) -> Any:
        return self._conn.execute(self._dialect.sql(sql + "".join(parts.values())), args)


def _info(row: tuple[Any, ...]) -> ClassInfo:
    code, lesson, steps, step, revealed, closed, created, expires, version = row[:9]
    return ClassInfo(
        code=code,
        lesson=lesson,
        steps=int(steps),
        step=int(step),
        revealed=frozenset(int(s) for s in json.loads(revealed)),
        closed=bool(closed),
        created=float(created),
        expires=float(expires),
        version=int(version),
    )


class ClassStore:
    """The live classes of one database, shared by every thread of a process.

    Use :func:`open_store` to make one. Every method takes ``now`` (seconds
    since the epoch; default ``time.time()``) so tests can drive expiry and the
    rate limit.

    Parameters
    ----------
    url : str
        The database (see :func:`open_store`).
    hours : float
        How long a class lives after it starts.
    """

    def __init__(self, url: str, *, hours: float = 3.0) -> None:
        self.kind: Kind = store_kind(url)
        hours = _number(hours, "The hours a class lives")
        if hours <= 0:
            raise ClassError("The hours a class lives must be greater than 0.")
        self.hours = hours
        self._url = url
        self._dialect = _SQLITE if self.kind == "sqlite" else _POSTGRESQL
        self._lock = threading.Lock()
        self._conn: Any = None
        with self._lock:
            self._connection()

    # ------------------------------------------------------------------ connection

    def _connection(self) -> Any:
        if self._conn is not None and self.kind == "postgresql" and self._conn.closed:
            self._drop()  # psycopg saw the server go away: connect again
        if self._conn is None:
            self._conn = self._connect_sqlite() if self.kind == "sqlite" else self._connect_pg()
        return self._conn

    def _connect_sqlite(self) -> sqlite3.Connection:
        path = _sqlite_path(self._url)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # isolation_level=None: autocommit; write transactions are explicit (BEGIN IMMEDIATE)
        conn = sqlite3.connect(path, timeout=10.0, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA busy_timeout = 10000")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _SCHEMA:
                    conn.execute(statement)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except BaseException:
            conn.close()
            raise
        return conn

    def _connect_pg(self) -> psycopg.Connection[Any]:
        import psycopg

        extra: dict[str, Any] = {}
        if "connect_timeout" not in self._url:
            extra["connect_timeout"] = 10
        conn = psycopg.connect(self._url, autocommit=True, **extra)
        try:
            with conn.transaction():
                # two workers starting at once must not both create the tables
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_PG_LOCK_KEY,))
                for statement in _SCHEMA:
                    conn.execute(statement)
        except BaseException:
            conn.close()
            raise
        return conn

    def _lost(self, exc: BaseException) -> bool:
        """Whether ``exc`` means the PostgreSQL connection is gone (then reconnect)."""
        if self.kind != "postgresql" or self._conn is None:
            return False
        import psycopg

        return isinstance(exc, psycopg.OperationalError) and bool(
            self._conn.closed or self._conn.broken
        )

    def _call(self, work: Callable[[Any], _T]) -> _T:
        """Run ``work(connection)`` under the lock; once more on a new connection if
        a PostgreSQL connection was lost (e.g. the server restarted)."""
        with self._lock:
            try:
                try:
                    return work(self._connection())
                except Exception as exc:
                    if not self._lost(exc):
                        raise
                    self._drop()
                return work(self._connection())
            except Exception as exc:
                if _database_error(exc):  # a server down, a file locked too long
                    raise ClassError(
                        f"The class's database did not answer ({type(exc).__name__}); "
                        "try again in a moment."
                    ) from exc
                raise

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):  # a lost connection may fail to close
                conn.close()

    def close_connection(self) -> None:
        """Close the connection (a later call opens a new one; ``":memory:"`` starts empty)."""
        with self._lock:
            self._drop()

    def __enter__(self) -> ClassStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close_connection()

    def _read(self, work: Callable[[_Tx], _T]) -> _T:
        """Run ``work`` on single statements (autocommit)."""
        return self._call(lambda conn: work(_Tx(conn, self._dialect)))

    def _write(self, work: Callable[[_Tx], _T]) -> _T:
        """Run ``work`` in one write transaction (SQLite: ``BEGIN IMMEDIATE``)."""

        def run(conn: Any) -> _T:
            with self._transaction(conn):
                return work(_Tx(conn, self._dialect))

        return self._call(run)

    @contextmanager
    def _transaction(self, conn: Any) -> Iterator[None]:
        if self.kind == "postgresql":
            with conn.transaction():
                yield
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # a failed COMMIT too: never leave one open
                conn.execute("ROLLBACK")
            raise

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _now(now: float | None) -> float:
        return time.time() if now is None else _number(now, "The time")

    @staticmethod
    def _code(code: object) -> str:
        canonical = normalise_code(code)
        if canonical is None:
            raise ClassError(
                f"That is not a class code: a code is {CODE_LENGTH} letters and digits."
            )
        return canonical

    def _live(self, tx: _Tx, code: str, now: float, *, lock: str) -> tuple[Any, ...]:
        """The class's row (with its teacher digest), locked; ClassError when unknown or expired."""
        row = tx.one(_LOCK_CLASS, (code, now), lock=lock)
        if row is None:
            raise ClassError(f"There is no live class with the code {code}.", name=code)
        return row

    def _teacher_row(
        self, tx: _Tx, code: str, token: object, now: float, action: str
    ) -> tuple[Any, ...]:
        row = self._live(tx, code, now, lock=self._dialect.for_update)
        if not (isinstance(token, str) and token):
            raise ClassError(f"Only the teacher can {action}.", name=code)
        if not hmac.compare_digest(_digest(token), row[9]):
            raise ClassError(f"Only the teacher can {action}.", name=code)
        if row[5]:
            raise ClassError(f"The class {code} has ended.", name=code)
        return row

    # ------------------------------------------------------------------ classes

    def start(self, lesson: str, steps: int, now: float | None = None) -> tuple[ClassInfo, str]:
        """Start a class; return its info and the teacher's secret token.

        Parameters
        ----------
        lesson : str
            The lesson's name.
        steps : int
            The lesson's number of steps N (the class's step runs 0..N+1).
        now : float, optional
            Seconds since the epoch.

        Raises
        ------
        ClassError
            When the lesson or steps are not valid, or ``MAX_CLASSES`` classes are live.
        """
        at = self._now(now)
        if not isinstance(lesson, str) or not lesson.strip() or len(lesson) > MAX_LESSON_CHARS:
            raise ClassError(f"A lesson name must be 1 to {MAX_LESSON_CHARS} characters.")
        steps = _whole(steps, "The number of steps")
        if not 1 <= steps <= MAX_STEPS:
            raise ClassError(f"A class has 1 to {MAX_STEPS} steps, not {steps}.")
        token = secrets.token_urlsafe(24)

        def work(tx: _Tx) -> ClassInfo:
            if self.kind == "postgresql":  # SQLite's BEGIN IMMEDIATE already serialises
                tx.run("SELECT pg_advisory_xact_lock(?)", (_PG_LOCK_KEY,))
            tx.run(_PURGE, (at,))
            row = tx.one(_COUNT_LIVE, (at,))
            if row is not None and int(row[0]) >= MAX_CLASSES:
                raise ClassError(
                    f"This server already runs {MAX_CLASSES} live classes; "
                    "try again when one has ended."
                )
            for _ in range(20):
                code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
                expires = at + self.hours * 3600.0
                args = (code, lesson, steps, at, expires, _digest(token))
                if tx.run(_INSERT_CLASS, args) == 1:
                    return ClassInfo(code, lesson, steps, 0, frozenset(), False, at, expires, 0)
            raise ClassError("Could not find a free class code; try again.")  # pragma: no cover

        return self._write(work), token

    def info(self, code: str, now: float | None = None) -> ClassInfo | None:
        """The class with this code, or ``None`` when it is unknown or expired.

        One primary-key read: cheap enough for every student's screen to poll.

        Parameters
        ----------
        code : str
            The class code as typed (spaces, dashes and case do not matter).
        now : float, optional
            Seconds since the epoch.
        """
        at = self._now(now)
        canonical = normalise_code(code)
        if canonical is None:
            return None
        row = self._read(lambda tx: tx.one(_INFO, (canonical, at)))
        return None if row is None else _info(row)

    def is_teacher(self, code: str, token: str, now: float | None = None) -> bool:
        """Whether ``token`` is the teacher's token of this (unexpired) class."""
        at = self._now(now)
        canonical = normalise_code(code)
        if canonical is None or not isinstance(token, str) or not token:
            return False
        row = self._read(lambda tx: tx.one(_TEACHER, (canonical, at)))
        return row is not None and hmac.compare_digest(_digest(token), row[0])

    def purge(self, now: float | None = None) -> int:
        """Delete every expired class with its seats and answers; return how many classes."""
        at = self._now(now)
        return self._write(lambda tx: tx.run(_PURGE, (at,)))

    # ------------------------------------------------------------------ students

    def join(self, code: str, now: float | None = None) -> str:
        """Take a new anonymous seat in a class; return its secret seat token.

        Raises
        ------
        ClassError
            When the class is unknown, expired, closed or full (``MAX_SEATS``).
        """
        at = self._now(now)
        canonical = self._code(code)
        seat = secrets.token_urlsafe(16)

        def work(tx: _Tx) -> None:
            row = self._live(tx, canonical, at, lock=self._dialect.for_update)
            if row[5]:
                raise ClassError(f"The class {canonical} has ended.", name=canonical)
            count = tx.one(_COUNT_SEATS, (canonical,))
            if count is not None and int(count[0]) >= MAX_SEATS:
                raise ClassError(
                    f"The class {canonical} is full ({MAX_SEATS} students).", name=canonical
                )
            tx.run(_INSERT_SEAT, (canonical, _digest(seat), float(RATE_BURST), at))

        self._write(work)
        return seat

    def seated(self, code: str, seat: str, now: float | None = None) -> bool:
        """Whether ``seat`` is a seat of this (unexpired) class."""
        at = self._now(now)
        canonical = normalise_code(code)
        if canonical is None or not isinstance(seat, str) or not seat:
            return False
        row = self._read(lambda tx: tx.one(_SEATED, (canonical, _digest(seat), at)))
        return row is not None

    def answer(self, code: str, seat: str, step: int, value: Any, now: float | None = None) -> None:
        """Store a seat's answer to the current step (replacing its earlier one).

        Parameters
        ----------
        code, seat : str
            The class code and the student's seat token.
        step : int
            The step answered: must be the class's current step, not yet revealed.
        value : JSON-serialisable
            Text, a number or a list of them; at most ``MAX_ANSWER_CHARS`` as JSON.
        now : float, optional
            Seconds since the epoch.

        Raises
        ------
        ClassError
            When the class is unknown, expired or closed; the seat is not of this
            class; the step is not the current one or is revealed; the value
            cannot be stored; or the seat answers too fast (more than
            ``RATE_BURST`` at once, then ``RATE_PER_S`` per second).
        """
        at = self._now(now)
        canonical = self._code(code)
        step = _whole(step, "The step")
        text = _encode(value)
        if not isinstance(seat, str) or not seat:
            raise ClassError("You have not joined this class; join it with its code.")
        digest = _digest(seat)

        def work(tx: _Tx) -> None:
            # FOR SHARE (PostgreSQL): a reveal waits until this answer is in, or
            # this answer sees the reveal
            info = _info(self._live(tx, canonical, at, lock=self._dialect.for_share))
            if info.closed:
                raise ClassError(f"The class {canonical} has ended.", name=canonical)
            if tx.one(_SEAT, (canonical, digest)) is None:
                raise ClassError(
                    "You have not joined this class; join it with its code.", name=canonical
                )
            if step != info.step:
                raise ClassError(
                    f"Step {step} is not open for answers: the class is at step {info.step}.",
                    name=canonical,
                )
            if info.shown:
                raise ClassError(
                    "The answer to this step has been revealed: answers are closed.",
                    name=canonical,
                )
            rate = (float(RATE_BURST), at, RATE_PER_S, at, canonical, digest)
            if tx.run(_TAKE_TOKEN, (*rate, float(RATE_BURST), at, RATE_PER_S)) != 1:
                raise ClassError(
                    "Too many answers too fast: wait a few seconds and try again.",
                    name=canonical,
                )
            tx.run(_UPSERT_ANSWER, (canonical, digest, step, text, at))

        self._write(work)

    def my_answer(self, code: str, seat: str, step: int, now: float | None = None) -> Any | None:
        """The seat's stored answer to ``step`` (decoded), or ``None``."""
        at = self._now(now)
        canonical = normalise_code(code)
        if canonical is None or not isinstance(seat, str) or not seat:
            return None
        args = (canonical, _digest(seat), _whole(step, "The step"), at)
        row = self._read(lambda tx: tx.one(_MY_ANSWER, args))
        return None if row is None else json.loads(row[0])

    def tally(self, code: str, step: int, now: float | None = None) -> Tally:
        """How many joined, how many answered ``step``, and their answers.

        An unknown, expired or closed class has no seats: ``Tally(0, 0, ())``.
        """
        at = self._now(now)
        canonical = normalise_code(code)
        if canonical is None:
            return Tally(0, 0, ())
        step = _whole(step, "The step")

        def work(tx: _Tx) -> Tally:
            joined = tx.one(_TALLY_JOINED, (canonical, at))
            rows = tx.all(_TALLY_ANSWERS, (canonical, step, at))
            answers = tuple(json.loads(row[0]) for row in rows)
            return Tally(int(joined[0]) if joined else 0, len(answers), answers)

        return self._read(work)

    # ------------------------------------------------------------------ teacher

    def move(self, code: str, token: str, step: int, now: float | None = None) -> ClassInfo:
        """Set the class's current step (0..steps+1); return the new info.

        Raises
        ------
        ClassError
            When the class is unknown, expired or closed, ``token`` is not the
            teacher's, or the step is out of range.
        """
        at = self._now(now)
        canonical = self._code(code)
        step = _whole(step, "The step")

        def work(tx: _Tx) -> ClassInfo:
            row = self._teacher_row(tx, canonical, token, at, "move the class")
            steps = int(row[2])
            if not 0 <= step <= steps + 1:
                raise ClassError(
                    f"Step {step} is out of range: this class has steps 0 to {steps + 1}.",
                    name=canonical,
                )
            tx.run(_MOVE, (step, canonical))
            return _info(self._live(tx, canonical, at, lock=""))

        return self._write(work)

    def handover(self, code: str, token: str, now: float | None = None) -> str:
        """A single-use secret that hands the class's controls to another browser
        (:meth:`take_over`), valid for :data:`HANDOVER_S` seconds; only a digest is kept.

        Raises
        ------
        ClassError
            When the class is unknown, expired or closed, or ``token`` is not the teacher's.
        """
        at = self._now(now)
        canonical = self._code(code)
        secret = secrets.token_urlsafe(16)

        def work(tx: _Tx) -> None:
            self._teacher_row(tx, canonical, token, at, "hand the class over")
            tx.run(_OLD_HANDOVERS, (canonical, at))
            tx.run(_INSERT_HANDOVER, (_digest(secret), canonical, at + HANDOVER_S))

        self._write(work)
        return secret

    def take_over(self, code: str, secret: str, now: float | None = None) -> tuple[ClassInfo, str]:
        """Use a handover secret: the class gets a new teacher token, returned with its
        info; the secret and the old token stop working.

        Raises
        ------
        ClassError
            When the secret is unknown, used or expired, or the class ended.
        """
        at = self._now(now)
        canonical = self._code(code)
        token = secrets.token_urlsafe(24)

        def work(tx: _Tx) -> ClassInfo:
            row = self._live(tx, canonical, at, lock=self._dialect.for_update)
            used = isinstance(secret, str) and secret != ""
            if not used or tx.run(_TAKE_HANDOVER, (_digest(secret), canonical, at)) != 1:
                raise ClassError(
                    "This teacher link has been used or is too old: make a new one in the "
                    "browser that runs the class.",
                    name=canonical,
                )
            if row[5]:
                raise ClassError(f"The class {canonical} has ended.", name=canonical)
            tx.run(_NEW_TEACHER, (_digest(token), canonical))
            return _info(row[:9])

        return self._write(work), token

    def reveal(
        self, code: str, token: str, step: int | None = None, now: float | None = None
    ) -> ClassInfo:
        """Mark a step (default: the current one) revealed; return the new info.

        Raises
        ------
        ClassError
            As :meth:`move`.
        """
        at = self._now(now)
        canonical = self._code(code)
        chosen = None if step is None else _whole(step, "The step")

        def work(tx: _Tx) -> ClassInfo:
            info = _info(self._teacher_row(tx, canonical, token, at, "reveal the answer"))
            which = info.step if chosen is None else chosen
            if not 0 <= which <= info.steps + 1:
                raise ClassError(
                    f"Step {which} is out of range: this class has steps 0 to {info.steps + 1}.",
                    name=canonical,
                )
            tx.run(_REVEAL, (json.dumps(sorted(info.revealed | {which})), canonical))
            return _info(self._live(tx, canonical, at, lock=""))

        return self._write(work)

    def close(self, code: str, token: str, now: float | None = None) -> None:
        """End the class: delete its seats and answers now; the class stays, closed,
        until it expires (so students see that it has ended).

        Raises
        ------
        ClassError
            When the class is unknown, expired or already closed, or ``token``
            is not the teacher's.
        """
        at = self._now(now)
        canonical = self._code(code)

        def work(tx: _Tx) -> None:
            self._teacher_row(tx, canonical, token, at, "end the class")
            tx.run(_DELETE_SEATS, (canonical,))
            tx.run(_CLOSE, (canonical,))

        self._write(work)


def open_store(url: str, *, hours: float = 3.0) -> ClassStore:
    """Open (and create, if need be) the store of live classes.

    Parameters
    ----------
    url : str
        ``"sqlite:///abs/path.db"`` or a plain file path (SQLite; the folder is
        created), ``":memory:"`` (one connection's own database, for tests), or
        ``"postgresql://..."`` / ``"postgres://..."`` (a libpq URL; needs psycopg 3).
    hours : float
        How long a class lives after it starts.

    Raises
    ------
    ClassError
        When the URL names another kind of database or ``hours`` is not positive.
    """
    return ClassStore(url, hours=hours)
