"""The live-class store, on SQLite and on PostgreSQL (every test runs on both).

The PostgreSQL runs need ``$LAB_TEST_POSTGRES`` (see ``tests/conftest.py``);
each gets a schema of its own. Times are passed as ``now`` so expiry and the
rate limit are tested without waiting.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import lib.live.store as store_module
from lib.errors import ClassError
from lib.live.settings import DEFAULT_HOURS, LiveSettings, default_url, load_settings
from lib.live.store import (
    CODE_ALPHABET,
    HANDOVER_S,
    MAX_ANSWER_CHARS,
    RATE_BURST,
    RATE_PER_S,
    ClassInfo,
    ClassStore,
    Tally,
    normalise_code,
    open_store,
)

T0 = 1_000_000.0
HOURS = 2.0
_URL = pytest.StashKey[str]()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ClassStore]:
    """A store with no classes: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        url = "sqlite:///" + str(tmp_path / "classes" / "live.sqlite3")
    else:
        url = request.getfixturevalue("postgres_schema")
    request.node.stash[_URL] = url
    opened = open_store(url, hours=HOURS)
    assert opened.kind == request.param
    yield opened
    opened.close_connection()


@pytest.fixture
def reopen(request: pytest.FixtureRequest, store: ClassStore) -> Iterator[Callable[[], ClassStore]]:
    """Open another store on the same database, as another worker process would."""
    opened: list[ClassStore] = []

    def another() -> ClassStore:
        opened.append(open_store(request.node.stash[_URL], hours=HOURS))
        return opened[-1]

    yield another
    for each in opened:
        each.close_connection()


def count(store: ClassStore, table: str) -> int:
    """Rows in one of the store's tables, counted in the database itself."""
    row = store._read(lambda tx: tx.one(f"SELECT COUNT(*) FROM {table}"))
    assert row is not None
    return int(row[0])


def started(store: ClassStore, steps: int = 3, now: float = T0) -> tuple[ClassInfo, str]:
    return store.start(lesson="tylenol", steps=steps, now=now)


# --------------------------------------------------------------------------- classes


def test_start_gives_a_code_and_a_secret_token(store: ClassStore) -> None:
    info, token = started(store)
    assert len(info.code) == 6 and set(info.code) <= set(CODE_ALPHABET)
    assert (info.lesson, info.steps, info.step, info.revealed, info.closed) == (
        "tylenol",
        3,
        0,
        frozenset(),
        False,
    )
    assert info.created == T0 and info.expires == T0 + HOURS * 3600
    assert store.info(info.code, now=T0 + 1) == info
    assert store.is_teacher(info.code, token, now=T0)
    assert not store.is_teacher(info.code, token + "x", now=T0)
    assert not store.is_teacher(info.code, "", now=T0)
    # only the token's digest is stored
    row = store._read(lambda tx: tx.one("SELECT teacher FROM live_class"))
    assert row is not None and token not in row[0] and len(row[0]) == 64
    other, _ = started(store)
    assert other.code != info.code


def test_code_normalisation(store: ClassStore) -> None:
    info, _ = started(store)
    code = info.code
    typed = f" {code[:4].lower()}-{code[4:].lower()} "
    assert normalise_code(" k7qx-4m ") == "K7QX4M"
    assert store.info(typed, now=T0) == info
    seat = store.join(typed, now=T0)
    assert store.seated(f"{code[:3]} {code[3:]}", seat, now=T0)
    for junk in ["", "K7QX", "K7QX4M5", "O0O0O0", "K7QX4M'; DROP TABLE live_class; --"]:
        assert store.info(junk, now=T0) is None
        with pytest.raises(ClassError):
            store.join(junk, now=T0)


def test_join_gives_distinct_seats(store: ClassStore) -> None:
    info, _ = started(store)
    seats = {store.join(info.code, now=T0) for _ in range(3)}
    assert len(seats) == 3
    assert all(store.seated(info.code, seat, now=T0) for seat in seats)
    assert not store.seated(info.code, "not-a-seat", now=T0)
    assert not store.seated(info.code, "", now=T0)
    other, _ = started(store)
    assert not store.seated(other.code, next(iter(seats)), now=T0)
    assert store.tally(info.code, 0, now=T0) == Tally(3, 0, ())


def test_join_refuses_an_unknown_code_and_a_closed_class(store: ClassStore) -> None:
    with pytest.raises(ClassError, match="no live class"):
        store.join("ABCDEF", now=T0)
    info, token = started(store)
    store.close(info.code, token, now=T0 + 1)
    with pytest.raises(ClassError, match="has ended") as caught:
        store.join(info.code, now=T0 + 2)
    assert caught.value.name == info.code


def test_a_full_class_refuses_to_join(store: ClassStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "MAX_SEATS", 3)
    info, _ = started(store)
    for _ in range(3):
        store.join(info.code, now=T0)
    with pytest.raises(ClassError, match="full"):
        store.join(info.code, now=T0)


def test_at_most_max_classes_live(store: ClassStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "MAX_CLASSES", 3)
    for _ in range(3):
        started(store)
    with pytest.raises(ClassError, match="3 live classes"):
        started(store, now=T0 + 1)
    # expired classes make room (start purges them)
    started(store, now=T0 + HOURS * 3600)
    assert count(store, "live_class") == 1


def test_start_refuses_bad_lessons_and_steps(store: ClassStore) -> None:
    for lesson, steps in [("", 3), ("x" * 201, 3), ("tylenol", 0), ("tylenol", True), ("t", 2.0)]:
        with pytest.raises(ClassError):
            store.start(lesson=lesson, steps=steps, now=T0)  # type: ignore[arg-type]
    assert count(store, "live_class") == 0


# --------------------------------------------------------------------------- answers


def test_answer_once(store: ClassStore) -> None:
    info, _ = started(store)
    seat = store.join(info.code, now=T0)
    assert store.my_answer(info.code, seat, 0, now=T0) is None
    store.answer(info.code, seat, 0, "yes", now=T0 + 1)
    assert store.my_answer(info.code, seat, 0, now=T0 + 1) == "yes"
    assert store.tally(info.code, 0, now=T0 + 1) == Tally(1, 1, ("yes",))
    assert store.tally(info.code, 1, now=T0 + 1) == Tally(1, 0, ())


def test_changing_an_answer_replaces_it(store: ClassStore) -> None:
    info, _ = started(store)
    seat = store.join(info.code, now=T0)
    store.answer(info.code, seat, 0, "yes", now=T0)
    store.answer(info.code, seat, 0, ["no", "maybe"], now=T0 + 1)
    assert store.my_answer(info.code, seat, 0, now=T0 + 1) == ["no", "maybe"]
    assert store.tally(info.code, 0, now=T0 + 1) == Tally(1, 1, (["no", "maybe"],))
    assert count(store, "live_answer") == 1


def test_answers_of_every_json_kind_round_trip(store: ClassStore) -> None:
    info, _ = started(store)
    for value in ["é ✓ 🎓", 2.5, -3, ["a", "b"], None, {"x": 1.25}]:
        seat = store.join(info.code, now=T0)
        store.answer(info.code, seat, 0, value, now=T0)
        assert store.my_answer(info.code, seat, 0, now=T0) == value


def test_answers_that_cannot_be_stored_are_refused(store: ClassStore) -> None:
    info, _ = started(store)
    seat = store.join(info.code, now=T0)
    too_long = "x" * (MAX_ANSWER_CHARS - 1)  # with its quotes: one too many
    for value in [math.nan, math.inf, [1.0, -math.inf], object(), {1, 2}, too_long]:
        with pytest.raises(ClassError):
            store.answer(info.code, seat, 0, value, now=T0)
    store.answer(info.code, seat, 0, "x" * (MAX_ANSWER_CHARS - 2), now=T0)
    assert store.tally(info.code, 0, now=T0).answered == 1


def test_answer_after_reveal_is_refused(store: ClassStore) -> None:
    info, token = started(store)
    seat = store.join(info.code, now=T0)
    store.answer(info.code, seat, 0, "yes", now=T0)
    store.reveal(info.code, token, now=T0 + 1)
    with pytest.raises(ClassError, match="revealed"):
        store.answer(info.code, seat, 0, "no", now=T0 + 2)
    assert store.my_answer(info.code, seat, 0, now=T0 + 2) == "yes"


def test_answer_to_a_step_that_is_not_current_is_refused(store: ClassStore) -> None:
    info, token = started(store)
    seat = store.join(info.code, now=T0)
    with pytest.raises(ClassError, match="class is at step 0"):
        store.answer(info.code, seat, 1, "early", now=T0)
    store.move(info.code, token, 1, now=T0 + 1)
    with pytest.raises(ClassError, match="class is at step 1"):
        store.answer(info.code, seat, 0, "late", now=T0 + 2)
    store.answer(info.code, seat, 1, "now", now=T0 + 3)
    assert store.tally(info.code, 0, now=T0 + 3).answered == 0
    assert store.tally(info.code, 1, now=T0 + 3).answers == ("now",)


def test_answer_needs_a_seat_of_this_class(store: ClassStore) -> None:
    info, _ = started(store)
    other, _ = started(store)
    seat = store.join(other.code, now=T0)
    for wrong in [seat, "not-a-seat", ""]:
        with pytest.raises(ClassError, match="not joined"):
            store.answer(info.code, wrong, 0, "yes", now=T0)
    with pytest.raises(ClassError, match="no live class"):
        store.answer("ABCDEF", seat, 0, "yes", now=T0)
    assert count(store, "live_answer") == 0


def test_rate_limit(store: ClassStore) -> None:
    info, _ = started(store)
    seat = store.join(info.code, now=T0)
    for i in range(RATE_BURST):
        store.answer(info.code, seat, 0, i, now=T0)
    with pytest.raises(ClassError, match="too fast"):
        store.answer(info.code, seat, 0, "sixth", now=T0)
    store.answer(info.code, seat, 0, "later", now=T0 + 1 / RATE_PER_S)  # one more token
    with pytest.raises(ClassError, match="too fast"):
        store.answer(info.code, seat, 0, "again", now=T0 + 1 / RATE_PER_S)
    assert store.my_answer(info.code, seat, 0, now=T0 + 1 / RATE_PER_S) == "later"
    # a long rest fills the bucket to the burst, no more
    for i in range(RATE_BURST):
        store.answer(info.code, seat, 0, i, now=T0 + 1000)
    with pytest.raises(ClassError, match="too fast"):
        store.answer(info.code, seat, 0, "one more", now=T0 + 1000)
    # another seat has a bucket of its own
    store.answer(info.code, store.join(info.code, now=T0), 0, "other", now=T0 + 1000)


def test_tally_counts_joined_and_answered(store: ClassStore) -> None:
    info, token = started(store)
    seats = [store.join(info.code, now=T0) for _ in range(5)]
    for seat, value in zip(seats[:3], ["a", "b", "a"], strict=True):
        store.answer(info.code, seat, 0, value, now=T0 + 1)
    store.answer(info.code, seats[0], 0, "c", now=T0 + 2)  # changes her mind
    tally = store.tally(f" {info.code.lower()} ", 0, now=T0 + 2)
    assert (tally.joined, tally.answered) == (5, 3)
    assert sorted(tally.answers) == ["a", "b", "c"]
    store.move(info.code, token, 1, now=T0 + 3)
    store.answer(info.code, seats[4], 1, 7.5, now=T0 + 4)
    assert store.tally(info.code, 1, now=T0 + 4) == Tally(5, 1, (7.5,))
    assert store.tally("ABCDEF", 0, now=T0) == Tally(0, 0, ())


# --------------------------------------------------------------------------- the teacher


@pytest.mark.parametrize("who", ["seat", "wrong", "empty", "other teacher"])
def test_only_the_teacher_can_move_reveal_or_close(store: ClassStore, who: str) -> None:
    info, token = started(store)
    other, other_token = started(store)
    seat = store.join(info.code, now=T0)
    store.answer(info.code, seat, 0, "yes", now=T0)
    tokens = {"seat": seat, "wrong": token[:-1], "empty": "", "other teacher": other_token}
    bad = tokens[who]
    assert not store.is_teacher(info.code, bad, now=T0)
    with pytest.raises(ClassError, match="Only the teacher can move"):
        store.move(info.code, bad, 1, now=T0 + 1)
    with pytest.raises(ClassError, match="Only the teacher can reveal"):
        store.reveal(info.code, bad, now=T0 + 1)
    with pytest.raises(ClassError, match="Only the teacher can end"):
        store.close(info.code, bad, now=T0 + 1)
    assert store.info(info.code, now=T0 + 2) == info
    assert store.tally(info.code, 0, now=T0 + 2) == Tally(1, 1, ("yes",))


def test_the_teacher_can_move_reveal_and_close(store: ClassStore) -> None:
    info, token = started(store)
    moved = store.move(info.code, token, 2, now=T0 + 1)
    assert (moved.step, moved.version) == (2, 1)
    assert store.info(info.code, now=T0 + 1) == moved
    shown = store.reveal(info.code, token, now=T0 + 2)
    assert shown.shown and shown.revealed == {2} and shown.version == 2
    last = store.move(info.code, token, info.steps + 1, now=T0 + 3)
    assert (last.step, last.shown, last.version) == (4, False, 3)
    store.close(info.code, token, now=T0 + 4)
    closed = store.info(info.code, now=T0 + 5)
    assert closed is not None and closed.closed and closed.version == 4
    for act in [
        lambda: store.move(info.code, token, 0, now=T0 + 6),
        lambda: store.reveal(info.code, token, now=T0 + 6),
        lambda: store.close(info.code, token, now=T0 + 6),
    ]:
        with pytest.raises(ClassError, match="has ended"):
            act()


def test_reveal_marks_the_step_and_bumps_the_version(store: ClassStore) -> None:
    info, token = started(store)
    assert not info.shown
    first = store.reveal(info.code, token, now=T0 + 1)
    assert first.revealed == {0} and first.shown and first.version == info.version + 1
    other = store.reveal(info.code, token, step=2, now=T0 + 2)
    assert other.revealed == {0, 2} and other.step == 0 and other.version == first.version + 1
    again = store.reveal(info.code, token, step=2, now=T0 + 3)
    assert again.revealed == {0, 2} and again.version == other.version + 1
    assert store.move(info.code, token, 2, now=T0 + 4).shown


def test_move_or_reveal_out_of_range_is_refused(store: ClassStore) -> None:
    info, token = started(store, steps=3)
    for step in [-1, 5, 100]:
        with pytest.raises(ClassError, match="out of range"):
            store.move(info.code, token, step, now=T0)
        with pytest.raises(ClassError, match="out of range"):
            store.reveal(info.code, token, step=step, now=T0)
    with pytest.raises(ClassError):
        store.move(info.code, token, 1.5, now=T0)  # type: ignore[arg-type]
    assert store.info(info.code, now=T0) == info
    assert store.move(info.code, token, 4, now=T0).step == 4


def test_teacher_actions_on_an_unknown_class_are_refused(store: ClassStore) -> None:
    _, token = started(store)
    for act in [
        lambda: store.move("ABCDEF", token, 1, now=T0),
        lambda: store.reveal("ABCDEF", token, now=T0),
        lambda: store.close("ABCDEF", token, now=T0),
    ]:
        with pytest.raises(ClassError, match="no live class"):
            act()


# --------------------------------------------------------------------------- ending


def test_close_deletes_seats_and_answers(store: ClassStore) -> None:
    info, token = started(store)
    kept, _ = started(store)
    for code in [info.code, kept.code]:
        for i in range(3):
            store.answer(code, store.join(code, now=T0), 0, i, now=T0)
    assert (count(store, "live_seat"), count(store, "live_answer")) == (6, 6)
    store.close(info.code, token, now=T0 + 1)
    assert (count(store, "live_seat"), count(store, "live_answer")) == (3, 3)
    assert store.tally(info.code, 0, now=T0 + 1) == Tally(0, 0, ())
    assert store.tally(kept.code, 0, now=T0 + 1).answered == 3
    closed = store.info(info.code, now=T0 + 1)
    assert closed is not None and closed.closed
    assert count(store, "live_class") == 2


def test_expiry_and_purge_delete_the_class_seats_and_answers(store: ClassStore) -> None:
    info, token = started(store)
    later, _ = started(store, now=T0 + 3600)
    seat = store.join(info.code, now=T0)
    store.answer(info.code, seat, 0, "yes", now=T0)
    store.answer(later.code, store.join(later.code, now=T0 + 3600), 0, "no", now=T0 + 3600)
    end = T0 + HOURS * 3600
    assert store.info(info.code, now=end - 1) is not None
    assert store.info(info.code, now=end) is None
    assert not store.is_teacher(info.code, token, now=end)
    assert not store.seated(info.code, seat, now=end)
    assert store.my_answer(info.code, seat, 0, now=end) is None
    assert store.tally(info.code, 0, now=end) == Tally(0, 0, ())
    for act in [
        lambda: store.join(info.code, now=end),
        lambda: store.answer(info.code, seat, 0, "late", now=end),
        lambda: store.move(info.code, token, 1, now=end),
    ]:
        with pytest.raises(ClassError, match="no live class"):
            act()
    assert (count(store, "live_class"), count(store, "live_answer")) == (2, 2)
    assert store.purge(now=end) == 1
    assert (count(store, "live_class"), count(store, "live_seat")) == (1, 1)
    assert count(store, "live_answer") == 1
    assert store.info(later.code, now=end) is not None
    assert store.purge(now=end) == 0
    assert store.purge(now=end + 3600) == 1
    assert (count(store, "live_class"), count(store, "live_seat")) == (0, 0)
    assert count(store, "live_answer") == 0


# --------------------------------------------------------------------------- sharing


def test_two_stores_on_one_database_see_each_others_writes(
    store: ClassStore, reopen: Callable[[], ClassStore]
) -> None:
    other = reopen()
    info, token = started(store)
    seat = other.join(info.code, now=T0)
    assert store.seated(info.code, seat, now=T0)
    other.answer(info.code, seat, 0, "yes", now=T0)
    assert store.tally(info.code, 0, now=T0) == Tally(1, 1, ("yes",))
    moved = store.move(info.code, token, 1, now=T0 + 1)
    assert other.info(info.code, now=T0 + 1) == moved
    assert other.is_teacher(info.code, token, now=T0 + 1)
    other.close(info.code, token, now=T0 + 2)
    assert store.tally(info.code, 0, now=T0 + 2) == Tally(0, 0, ())


def test_the_store_reconnects_after_losing_its_connection(
    store: ClassStore, reopen: Callable[[], ClassStore]
) -> None:
    info, _ = started(store)
    if store.kind == "postgresql":
        pid = store._conn.info.backend_pid
        killer = reopen()
        killer._read(lambda tx: tx.one("SELECT pg_terminate_backend(?)", (pid,)))
    else:
        store.close_connection()
    assert store.info(info.code, now=T0) == info
    assert store.join(info.code, now=T0)


@pytest.mark.parametrize("stores", [1, 2])
def test_concurrent_answers_are_all_counted(
    store: ClassStore, reopen: Callable[[], ClassStore], stores: int
) -> None:
    threads, per_thread = 8, 20
    # opening stores at once, as workers starting together do, is safe
    opened: list[ClassStore] = []
    openers = [threading.Thread(target=lambda: opened.append(reopen())) for _ in range(stores)]
    for opener in openers:
        opener.start()
    for opener in openers:
        opener.join()
    pool = [store, *opened][:stores]
    info, token = started(store)
    seats = [store.join(info.code, now=T0) for _ in range(threads * per_thread)]
    errors: list[BaseException] = []

    def answer(i: int) -> None:
        mine = pool[i % stores]
        try:
            for k, seat in enumerate(seats[i * per_thread : (i + 1) * per_thread]):
                mine.answer(info.code, seat, 0, f"t{i}-{k}", now=T0 + 1)
                mine.tally(info.code, 0, now=T0 + 1)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    workers = [threading.Thread(target=answer, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors
    tally = store.tally(info.code, 0, now=T0 + 2)
    assert (tally.joined, tally.answered) == (threads * per_thread, threads * per_thread)
    assert len(set(tally.answers)) == threads * per_thread
    assert store.reveal(info.code, token, now=T0 + 3).shown


# --------------------------------------------------------------------------- settings


def test_settings_env_beats_file_beats_default(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    assert load_settings(path=missing, environ={}) == LiveSettings(default_url(), DEFAULT_HOURS)
    assert default_url().startswith("sqlite:///")
    file = tmp_path / "live.toml"
    file.write_text('[store]\nurl = "postgresql://db/lab"\nhours = 5\n', encoding="utf-8")
    assert load_settings(path=file, environ={}) == LiveSettings("postgresql://db/lab", 5.0)
    env = {"LAB_CLASS_STORE": "sqlite:///x.db", "LAB_CLASS_HOURS": "0.5"}
    assert load_settings(path=file, environ=env) == LiveSettings("sqlite:///x.db", 0.5)
    only_hours = {"LAB_CLASS_HOURS": "1", "LAB_CLASS_STORE": " "}
    assert load_settings(path=file, environ=only_hours) == LiveSettings("postgresql://db/lab", 1.0)
    file.write_text("[store]\n# url = 'x'\n", encoding="utf-8")
    assert load_settings(path=file, environ={}) == LiveSettings(default_url(), DEFAULT_HOURS)


def test_settings_refuse_bad_values(tmp_path: Path) -> None:
    file = tmp_path / "live.toml"
    for hours in ["0", "-1", "abc", "nan", "inf", "1000"]:
        with pytest.raises(ClassError, match="LAB_CLASS_HOURS") as caught:
            load_settings(path=file, environ={"LAB_CLASS_HOURS": hours})
        assert caught.value.name == "LAB_CLASS_HOURS"
    with pytest.raises(ClassError, match="LAB_CLASS_STORE.*postgresql://"):
        load_settings(path=file, environ={"LAB_CLASS_STORE": "mysql://u:secret@db/lab"})
    for text, match in [
        ('[store]\nhours = "three"\n', "hours"),
        ("[store]\nhours = true\n", "hours"),
        ("[store]\nurl = 3\n", "url"),
        ('[store]\nadress = "x"\n', "unknown settings: adress"),
        ("[store\n", "not valid TOML"),
    ]:
        file.write_text(text, encoding="utf-8")
        with pytest.raises(ClassError, match=match):
            load_settings(path=file, environ={})


def test_the_project_settings_file_holds_the_defaults() -> None:
    path = Path(__file__).resolve().parents[1] / ".streamlit" / "live.toml"
    assert load_settings(path=path, environ={}) == LiveSettings(default_url(), DEFAULT_HOURS)


def test_urls_of_each_kind(tmp_path: Path) -> None:
    for url in [
        "sqlite:///" + str(tmp_path / "a" / "one.db"),
        "sqlite://" + str(tmp_path / "b" / "two.db"),
        str(tmp_path / "c" / "three.db"),
        ":memory:",
    ]:
        with open_store(url) as opened:
            assert opened.kind == "sqlite"
    assert sorted(p.name for p in tmp_path.glob("*/*.db")) == ["one.db", "three.db", "two.db"]
    for url in ["", "mysql://db/x"]:
        with pytest.raises(ClassError):
            open_store(url)
    for hours in [0, -1.0, math.nan]:
        with pytest.raises(ClassError):
            open_store(":memory:", hours=hours)


def test_a_broken_database_file_is_a_class_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "classes.sqlite3"
    s = open_store(f"sqlite:///{path}")
    info, _ = s.start("tylenol", 3)
    s.close_connection()
    path.write_bytes(b"this is not a database " * 200)  # e.g. a wrong file in the settings
    with pytest.raises(ClassError, match="database did not answer"):
        s.info(info.code)


def test_a_handover_gives_the_class_to_one_other_browser_once(store: ClassStore) -> None:
    info, token = started(store)
    seat = store.join(info.code, now=T0)
    with pytest.raises(ClassError, match="Only the teacher"):
        store.handover(info.code, seat, now=T0)  # a student cannot make one
    secret = store.handover(info.code, token, now=T0)
    assert count(store, "live_handover") == 1
    taken, new = store.take_over(info.code, secret, now=T0 + 1)
    assert taken.code == info.code and new != token
    with pytest.raises(ClassError, match="Only the teacher"):
        store.move(info.code, token, 1, now=T0 + 1)  # the old browser has let go
    assert store.move(info.code, new, 1, now=T0 + 1).step == 1
    with pytest.raises(ClassError, match="used or is too old"):
        store.take_over(info.code, secret, now=T0 + 2)  # once only
    late = store.handover(info.code, new, now=T0 + 3)
    with pytest.raises(ClassError, match="used or is too old"):
        store.take_over(info.code, late, now=T0 + 3 + HANDOVER_S + 1)
    with pytest.raises(ClassError, match="used or is too old"):
        store.take_over(info.code, "", now=T0 + 3)
    assert store.is_teacher(info.code, new, now=T0 + 4)


def test_a_handover_ends_with_its_class(store: ClassStore) -> None:
    info, token = started(store)
    secret = store.handover(info.code, token, now=T0)
    store.close(info.code, token, now=T0)
    with pytest.raises(ClassError, match="has ended"):
        store.take_over(info.code, secret, now=T0)
    store.purge(now=T0 + HOURS * 3600 + 1)
    assert count(store, "live_handover") == 0
