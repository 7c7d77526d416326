"""data.db: a process waiting to open the embedded file gets its turn, however busy the process holding it.

The app holds the file while any page run is going (ui.common.held_database). With runs overlapping, as they
do with several users, it never let go, and a command-line load (or an update from another process) gave up
after LOCK_WAIT_SECONDS with "in use by another process". Now a process waiting to open the file takes the
file's turn (a lock on a file beside it), and a process holding the file lets new users wait while someone
else's turn is taken, so its connection closes and the waiting process gets in.
"""

from __future__ import annotations

import fcntl
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from data import db, retry
from tests.support.helpers import PROJECT_DIR

# Three threads, each holding the file for 0.2 s of every 0.25 s, started 0.08 s apart: never all out at once.
BUSY_READERS = """
import sys, threading, time
from data import db, retry
path, seconds = sys.argv[1], float(sys.argv[2])
seen, reads, lock = [], [0], threading.Lock()
def read(start):
    time.sleep(start)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        with db.connect(path, read_only=True) as conn:
            rows = conn.execute("SELECT count(*) FROM notes").fetchone()[0]
            time.sleep(0.2)
        with lock:
            reads[0] += 1
            seen.append(rows)
        time.sleep(0.05)
threads = [threading.Thread(target=read, args=(0.08 * i,)) for i in range(3)]
for thread in threads:
    thread.start()
print("reading", flush=True)
for thread in threads:
    thread.join()
print(reads[0], max(seen), flush=True)
"""


def make_database(path: Path) -> None:
    with duckdb.connect(str(path)) as conn:
        conn.execute("CREATE TABLE notes (note VARCHAR)")


def test_a_writer_gets_in_while_another_process_is_never_without_a_reader(tmp_path):
    path = tmp_path / "finance.duckdb"
    make_database(path)
    readers = subprocess.Popen(
        [sys.executable, "-c", BUSY_READERS, str(path), "12"],
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert readers.stdout.readline().strip() == "reading"
        time.sleep(1)  # the readers hold the file now, and overlap
        started = time.monotonic()
        with db.connect(path, wait_seconds=8) as conn:
            conn.execute("INSERT INTO notes VALUES ('written while the other process reads')")
        waited = time.monotonic() - started
        reads, most_seen = readers.communicate(timeout=60)[0].split()
    finally:
        readers.kill()
    assert waited < 8
    assert int(most_seen) == 1  # the readers went on, and saw the write
    assert int(reads) > 10


class TurnTaken:
    """Another process's waiting open, as this process sees it: the file's turn held on a file of its own."""

    def __init__(self, path: Path) -> None:
        self.turn = db._turn_file(path).open("a")

    def __enter__(self) -> TurnTaken:
        fcntl.flock(self.turn, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return self

    def __exit__(self, *exc) -> None:
        self.turn.close()


def recording_give_way(monkeypatch, seconds: float) -> list[float]:
    """db's give-way wait, `seconds` long, recording when each wait ended."""
    ended: list[float] = []
    policy = retry.policy(
        lambda error: isinstance(error, db._GivingWay), first_wait=0.005, max_wait=0.05, seconds=seconds
    )

    def give_way(*args, **kwargs):
        try:
            return policy(*args, **kwargs)
        finally:
            ended.append(time.monotonic())

    monkeypatch.setattr(db, "_GIVING_WAY", give_way)
    return ended


def test_a_block_inside_a_block_joins_at_once_while_another_process_waits(tmp_path, monkeypatch):
    """A page run holds the file for the whole run and opens blocks inside it: waiting would wait on itself."""
    path = tmp_path / "finance.duckdb"
    make_database(path)
    gave_way = recording_give_way(monkeypatch, seconds=3)
    with db.connect(path) as outer, TurnTaken(path):
        assert db._others_waiting(path)
        with db.connect(path, read_only=True) as inner:
            assert inner.execute("SELECT count(*) FROM notes").fetchone() == (0,)
        outer.execute("INSERT INTO notes VALUES ('still held')")
    assert gave_way == []


def test_a_new_user_gives_way_to_a_waiting_process_then_joins_if_the_holder_never_lets_go(tmp_path, monkeypatch):
    path = tmp_path / "finance.duckdb"
    make_database(path)
    gave_way = recording_give_way(monkeypatch, seconds=0.5)
    joined: list[tuple[int, ...]] = []

    def new_user() -> None:
        with db.connect(path, read_only=True) as conn:
            joined.append(conn.execute("SELECT count(*) FROM notes").fetchone())

    with db.connect(path), TurnTaken(path):
        started = time.monotonic()
        other = threading.Thread(target=new_user)
        other.start()
        other.join(timeout=30)
    assert joined == [(0,)]
    assert len(gave_way) == 1 and gave_way[0] - started >= 0.5


def test_without_a_writable_folder_for_the_turn_the_file_opens_as_before(tmp_path, monkeypatch):
    path = tmp_path / "finance.duckdb"
    make_database(path)
    monkeypatch.setattr(db, "_turn_file", lambda path: tmp_path / "no such folder" / "finance.duckdb.turn")
    with db.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM notes").fetchone() == (0,)
        assert not db._others_waiting(path)


def test_a_turn_never_given_says_the_database_is_busy(tmp_path):
    path = tmp_path / "finance.duckdb"
    make_database(path)
    with TurnTaken(path), pytest.raises(db.DatabaseBusy, match="in use by another process; tried for 1 s"):
        db._open_in_turn(path, wait_seconds=1)
