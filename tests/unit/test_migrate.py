"""`python -m data migrate`: the embedded file into the shared store and back, nothing lost or changed."""

from __future__ import annotations

import subprocess
import sys
import time

from data.__main__ import main as cli
from data.access import Actor
from data.actions import record_update
from data.db import PROJECT_DIR, connect, next_id
from tests.support.load_files import table_checksums

EDITOR = Actor("jane.doe@example.org", "editor")
UPDATE = {"status": "blocked", "percent_complete": 5, "revised_due_date": None, "note": "x", "evidence_url": None}


def test_embedded_to_shared_and_back_copies_every_row_and_ids_continue(db_path, lake_store, tmp_path, capsys):
    with connect(db_path) as conn:
        record_update(conn, EDITOR, 7, **UPDATE)
    embedded = table_checksums(db_path)

    assert cli(["migrate", "to-shared", "--db", str(db_path)]) == 0, capsys.readouterr().err
    assert table_checksums(lake_store) == embedded
    with connect(lake_store) as conn:
        copied_max = conn.execute("SELECT max(update_id) FROM action_updates").fetchone()[0]
        assert record_update(conn, EDITOR, 8, **UPDATE) > copied_max

    # The shared store now holds recorded work: copying over it again is refused unless forced.
    assert cli(["migrate", "to-shared", "--db", str(db_path)]) == 1
    assert "--force" in capsys.readouterr().err

    back = tmp_path / "back.duckdb"
    assert cli(["migrate", "to-embedded", "--db", str(back)]) == 0, capsys.readouterr().err
    shared = table_checksums(lake_store)
    assert table_checksums(back) == shared
    with connect(back) as conn:
        highest_update, highest_load = conn.execute(
            "SELECT (SELECT max(update_id) FROM action_updates), (SELECT max(load_id) FROM loads)"
        ).fetchone()
        assert record_update(conn, EDITOR, 9, **UPDATE) > highest_update
        assert next_id(conn, "load_id") > highest_load


def test_migrating_into_the_shared_store_is_refused_while_a_replica_can_write(db_path, lake_store, capsys):
    """Issue 24, finding 14: `migrate to-shared --force` run while a replica was recording updates made
    updates the replica had been told were recorded vanish. With any other dashboard process attached,
    migrate refuses, even forced, and changes nothing; once the replica has stopped it goes ahead."""
    from tests.unit.test_replicas import replica

    writer = replica("M", "--writers", "1", "--forever")
    try:
        assert writer.stdout.readline().strip() == "started"
        with connect(lake_store, read_only=True) as conn:
            while not conn.execute("SELECT count(*) FROM action_updates WHERE updated_by LIKE 'M-%'").fetchone()[0]:
                time.sleep(0.2)
        assert cli(["migrate", "to-shared", "--db", str(db_path), "--force"]) == 1
        err = capsys.readouterr().err
        assert "1 other dashboard process(es) are attached" in err and "Nothing was changed" in err
        with connect(lake_store, read_only=True) as conn:
            assert conn.execute("SELECT count(*) FROM action_updates WHERE updated_by LIKE 'M-%'").fetchone()[0]
    finally:
        writer.kill()
        writer.communicate()
    # PostgreSQL ends a killed client's backend when it notices the closed socket: at once, or nearly.
    deadline = time.monotonic() + 30
    while cli(["migrate", "to-shared", "--db", str(db_path), "--force"]) != 0:
        assert time.monotonic() < deadline, capsys.readouterr().err
        time.sleep(0.5)
    assert table_checksums(lake_store) == table_checksums(db_path)


def test_a_replica_that_attaches_during_the_copy_stops_the_commit(db_path, lake_store, monkeypatch, capsys):
    """The check runs again inside the copy's transaction, just before it commits: a replica started during
    the copy could write before the commit, so the copy is rolled back whole."""
    from data import migrate as migrate_module

    before = table_checksums(lake_store)
    started: list[subprocess.Popen] = []
    copy_rows = migrate_module._copy_rows

    def a_replica_starts_meanwhile(source, target):
        rows = copy_rows(source, target)
        started.append(
            subprocess.Popen(
                [sys.executable, "-c", HOLD_THE_STORE],
                cwd=PROJECT_DIR,
                stdout=subprocess.PIPE,
                stdin=subprocess.PIPE,
                text=True,
            )
        )
        assert started[0].stdout.readline().strip() == "attached"
        return rows

    monkeypatch.setattr(migrate_module, "_copy_rows", a_replica_starts_meanwhile)
    try:
        assert cli(["migrate", "to-shared", "--db", str(db_path), "--force"]) == 1
    finally:
        for process in started:
            process.kill()
            process.communicate()
    assert "1 other dashboard process(es) are attached" in capsys.readouterr().err
    assert table_checksums(lake_store) == before


HOLD_THE_STORE = """
import sys
from data.db import connect
with connect() as conn:
    conn.execute("SELECT count(*) FROM loads").fetchall()
print("attached", flush=True)
sys.stdin.read()
"""
