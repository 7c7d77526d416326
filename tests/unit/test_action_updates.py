"""The write path for progress updates: append-only, validated, role-checked, safe under concurrency."""

from __future__ import annotations

import re
import threading
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from data import actions as write
from data import db
from data.access import Actor, PermissionDenied
from data.actions import UpdateInvalid, WriteConflict, record_update
from data.build import SCHEMA_SQL
from data.db import connect
from data.vocab import STATUS_KEYS
from metrics import actions

EDITOR = Actor("jane.doe@example.org", "editor")
VALID = {
    "status": "in_progress",
    "percent_complete": 40,
    "revised_due_date": None,
    "note": "Draft paper to SLT",
    "evidence_url": "https://example.org/papers/slt-1",
}


def all_updates(write_conn) -> list[tuple]:
    return write_conn.execute("SELECT * FROM action_updates ORDER BY update_id").fetchall()


@pytest.fixture
def write_conn(store):
    """Here a connection to each store in turn: the embedded file, then the shared store."""
    with connect(store) as connection:
        yield connection


@pytest.fixture
def embedded_conn(db_path):
    with duckdb.connect(str(db_path)) as connection:
        yield connection


def test_recording_appends_exactly_one_row_and_changes_no_earlier_row(write_conn):
    before = all_updates(write_conn)
    at = datetime(2026, 11, 29, 10, 15)
    update_id = record_update(write_conn, EDITOR, 9, now=at, **VALID)
    after = all_updates(write_conn)
    assert after[: len(before)] == before
    assert len(after) == len(before) + 1
    row = write_conn.execute("SELECT * FROM action_updates WHERE update_id = $id", {"id": update_id}).df().iloc[0]
    assert (row["rec_no"], row["status"], row["percent_complete"]) == (9, "in_progress", 40)
    assert (row["note"], row["evidence_url"]) == (VALID["note"], VALID["evidence_url"])
    assert (row["updated_by"], row["updated_at"].to_pydatetime()) == (EDITOR.identity, at)
    latest = write_conn.execute("SELECT update_id FROM recommendation_status WHERE rec_no = 9").fetchone()[0]
    assert latest == update_id


def test_a_revised_due_date_with_a_note_is_recorded(write_conn):
    update_id = record_update(
        write_conn, EDITOR, 9, **{**VALID, "revised_due_date": date(2027, 3, 31), "note": "Moved to next budget round"}
    )
    stored = write_conn.execute("SELECT revised_due_date FROM action_updates WHERE update_id = $id", {"id": update_id})
    assert stored.fetchone()[0] == date(2027, 3, 31)


INVALID = [
    ("percent_complete", {"percent_complete": -1}),
    ("percent_complete", {"percent_complete": 101}),
    ("percent_complete", {"percent_complete": None}),
    ("percent_complete", {"percent_complete": 50.5}),
    ("percent_complete", {"percent_complete": True}),
    ("percent_complete", {"status": "complete", "percent_complete": 90}),
    ("status", {"status": "done"}),
    ("evidence_url", {"evidence_url": "javascript:alert(1)"}),
    ("evidence_url", {"evidence_url": "ftp://example.org/file"}),
    ("evidence_url", {"evidence_url": "https://"}),
    ("evidence_url", {"evidence_url": "https://example.org/a file"}),
    ("evidence_url", {"evidence_url": "https://example.org/" + "a" * write.URL_MAX_CHARS}),
    ("note", {"note": "x" * (write.NOTE_MAX_CHARS + 1)}),
    ("note", {"revised_due_date": date(2027, 1, 31), "note": "   "}),
    ("note", {"revised_due_date": date(2027, 1, 31), "note": None}),
    ("revised_due_date", {"revised_due_date": date(2019, 1, 1), "note": "typo"}),
    ("revised_due_date", {"revised_due_date": "2027-01-01", "note": "a string is not a date"}),
]


@pytest.mark.parametrize(("field", "change"), INVALID, ids=[f"{f}-{i}" for i, (f, _) in enumerate(INVALID)])
def test_invalid_updates_name_the_field_and_append_nothing(write_conn, field, change):
    before = all_updates(write_conn)
    with pytest.raises(UpdateInvalid) as raised:
        record_update(write_conn, EDITOR, 9, **{**VALID, **change})
    assert isinstance(raised.value, ValueError)
    assert raised.value.errors.get(field)
    assert all_updates(write_conn) == before


@pytest.mark.parametrize("rec_no", [0, 49, -3])
def test_an_unknown_recommendation_is_refused(write_conn, rec_no):
    before = all_updates(write_conn)
    with pytest.raises(UpdateInvalid) as raised:
        record_update(write_conn, EDITOR, rec_no, **VALID)
    assert "rec_no" in raised.value.errors
    assert all_updates(write_conn) == before


def test_several_problems_are_reported_together(write_conn):
    with pytest.raises(UpdateInvalid) as raised:
        record_update(
            write_conn,
            EDITOR,
            9,
            **{
                **VALID,
                "percent_complete": 150,
                "evidence_url": "data:text/html,hi",
                "revised_due_date": date(2027, 1, 1),
                "note": "",
            },
        )
    assert set(raised.value.errors) == {"percent_complete", "evidence_url", "note"}


def test_a_viewer_may_not_record_and_nothing_is_written(write_conn):
    before = all_updates(write_conn)
    with pytest.raises(PermissionDenied):
        record_update(write_conn, Actor("reader@example.org", "viewer"), 9, **VALID)
    assert all_updates(write_conn) == before


def test_two_updates_at_the_same_moment_both_land_in_order(write_conn):
    moment = datetime(2026, 11, 29, 12, 0, 0)
    first = record_update(write_conn, EDITOR, 12, now=moment, **{**VALID, "percent_complete": 10})
    second = record_update(
        write_conn, Actor("john@example.org", "editor"), 12, now=moment, **{**VALID, "percent_complete": 20}
    )
    assert second > first
    history = actions.history(write_conn, 12)
    assert list(history["update_id"][:2]) == [second, first]
    assert (
        write_conn.execute("SELECT percent_complete FROM recommendation_status WHERE rec_no = 12").fetchone()[0] == 20
    )


class ConflictingConnection:
    """A real connection that reports a DuckDB write-write conflict (or `error`) on its first `conflicts` INSERTs."""

    def __init__(self, write_conn: duckdb.DuckDBPyConnection, conflicts: int, error: Exception | None = None) -> None:
        self.write_conn, self.conflicts, self.inserts = write_conn, conflicts, 0
        self.error = error or duckdb.TransactionException("TransactionContext Error: Catalog write-write conflict")

    def execute(self, sql: str, params=None):
        if sql.lstrip().startswith("INSERT"):
            self.inserts += 1
            if self.inserts <= self.conflicts:
                raise self.error
        return self.write_conn.execute(sql, params)


def test_write_conflicts_are_retried_until_the_row_lands(write_conn, monkeypatch):
    monkeypatch.setattr(write, "FIRST_BACKOFF_SECONDS", 0.0)
    before = len(all_updates(write_conn))
    flaky = ConflictingConnection(write_conn, conflicts=3)
    record_update(flaky, EDITOR, 9, **VALID)
    assert flaky.inserts == 4
    assert len(all_updates(write_conn)) == before + 1


def test_endless_conflicts_give_up_cleanly_and_write_nothing(write_conn, monkeypatch):
    monkeypatch.setattr(write, "FIRST_BACKOFF_SECONDS", 0.0)
    before = all_updates(write_conn)
    flaky = ConflictingConnection(write_conn, conflicts=10_000)
    with pytest.raises(WriteConflict):
        record_update(flaky, EDITOR, 9, **VALID)
    assert flaky.inserts == write.MAX_ATTEMPTS
    assert all_updates(write_conn) == before


def test_a_commit_that_cannot_write_is_reported_once_as_itself_not_retried(write_conn):
    """A TransactionException that is not a write-write conflict (a full disk) would fail the same way again."""
    full = duckdb.TransactionException("TransactionContext Error: Failed to commit: No space left on device")
    flaky = ConflictingConnection(write_conn, conflicts=10_000, error=full)
    with pytest.raises(duckdb.TransactionException, match="No space left"):
        record_update(flaky, EDITOR, 9, **VALID)
    assert flaky.inserts == 1


def test_twenty_threads_recording_fifty_updates_each_all_land(embedded_conn):
    """Threads of one process on the embedded file; tests/unit/test_replicas.py does this across processes."""
    write_conn = embedded_conn
    threads_n, per_thread = 20, 50
    before = len(all_updates(write_conn))
    failures: list[BaseException] = []
    start = threading.Barrier(threads_n)

    def worker(index: int) -> None:
        cursor = write_conn.cursor()
        actor = Actor(f"editor{index}@example.org", "editor")
        try:
            start.wait()
            for step in range(per_thread):
                record_update(
                    cursor,
                    actor,
                    1 + (index + step) % 48,
                    status="in_progress",
                    percent_complete=step,
                    revised_due_date=None,
                    note=f"thread {index} step {step}",
                    evidence_url=None,
                )
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            failures.append(error)
        finally:
            cursor.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures[:3]
    rows = write_conn.execute(
        "SELECT updated_by, percent_complete, note, update_id FROM action_updates "
        "WHERE updated_by LIKE 'editor%@example.org' ORDER BY update_id"
    ).fetchall()
    assert len(all_updates(write_conn)) == before + threads_n * per_thread
    assert len(rows) == threads_n * per_thread
    assert len({row[2] for row in rows}) == threads_n * per_thread, "every update is its own row"
    for index in range(threads_n):
        steps = [row[1] for row in rows if row[0] == f"editor{index}@example.org"]
        assert steps == list(range(per_thread)), "each person's updates land in the order they were made"


def test_no_code_outside_the_tests_updates_or_deletes_progress_rows():
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in root.rglob("*.py"):
        if ".venv" in path.parts or "tests" in path.parts:
            continue
        text = " ".join(path.read_text(encoding="utf-8").split()).upper()
        if "UPDATE ACTION_UPDATES" in text or "DELETE FROM ACTION_UPDATES" in text:
            offenders.append(str(path.relative_to(root)))
    assert offenders == []


def test_validate_checks_every_rule_schema_sql_puts_on_action_updates():
    """On the shared store record_update relies on validate() for these rules instead of scanning the table;
    a rule added to schema.sql must be added to validate() too."""
    reference = duckdb.connect()
    reference.execute(SCHEMA_SQL.read_text(encoding="utf-8"))
    rules = {
        expression
        for (expression,) in reference.execute(
            "SELECT expression FROM duckdb_constraints() "
            "WHERE table_name = 'action_updates' AND constraint_type = 'CHECK'"
        ).fetchall()
    }
    status_rule = next(rule for rule in rules if rule.startswith("(status IN ("))
    assert set(re.findall(r"'(\w+)'", status_rule)) == set(STATUS_KEYS)
    assert rules == {status_rule, "(percent_complete BETWEEN 0 AND 100)"}


def count_rows(write_conn) -> int:
    return write_conn.execute("SELECT count(*) FROM action_updates").fetchone()[0]


def test_the_same_form_submission_sent_again_is_stored_once(write_conn):
    """Issue 24, finding 17: a form sent again (its first commit's answer lost) is recognised by its key."""
    first = record_update(write_conn, EDITOR, 9, submission_id="form-1", **VALID)
    before = count_rows(write_conn)
    # Even with the text edited since, the same submission is the same update: nothing more is stored.
    with pytest.raises(write.AlreadyRecorded) as again:
        record_update(write_conn, EDITOR, 9, submission_id="form-1", **{**VALID, "note": "edited"})
    assert again.value.update_id == first and "not stored twice" in str(again.value)
    assert count_rows(write_conn) == before
    assert record_update(write_conn, EDITOR, 9, submission_id="form-2", **{**VALID, "note": "edited"}) > first


def test_the_same_persons_identical_update_entered_again_within_the_hour_is_not_stored_twice(write_conn):
    """Finding 17 as it happened: the replica died after the commit, before "Recorded update"; the person,
    now on another replica with a fresh form (a new submission id), enters the same update again."""
    at = datetime(2026, 11, 29, 10, 15)
    first = record_update(write_conn, EDITOR, 9, now=at, submission_id="lost-with-the-replica", **VALID)
    before = count_rows(write_conn)
    with pytest.raises(write.AlreadyRecorded) as again:
        record_update(write_conn, EDITOR, 9, now=at.replace(minute=20), submission_id="new-form", **VALID)
    assert again.value.update_id == first
    assert count_rows(write_conn) == before
    # Not a repeat: another note, another person, another recommendation, or an hour later.
    record_update(write_conn, EDITOR, 9, now=at.replace(minute=21), **{**VALID, "note": "Paper sent"})
    record_update(write_conn, Actor("john@example.org", "editor"), 9, now=at.replace(minute=22), **VALID)
    record_update(write_conn, EDITOR, 10, now=at.replace(minute=23), **VALID)
    record_update(write_conn, EDITOR, 9, now=at.replace(hour=11, minute=16), **VALID)
    assert count_rows(write_conn) == before + 4


def test_a_submission_id_is_unique_in_the_table(store):
    """The key holds below the write function too: the file's UNIQUE constraint, the shared store's rule check."""
    with connect(store) as conn:
        record_update(conn, EDITOR, 9, submission_id="form-1", **VALID)
        conn.execute("BEGIN TRANSACTION")
        try:
            with pytest.raises(duckdb.ConstraintException, match=r"submission_id|Duplicate key"):
                conn.execute(
                    "INSERT INTO action_updates (update_id, rec_no, status, updated_by, updated_at, submission_id) "
                    "VALUES (999999, 9, 'in_progress', 'x', now(), 'form-1')"
                )
                db.enforce_schema_rules(conn, "action_updates")
        finally:
            conn.execute("ROLLBACK")


def test_a_store_built_before_submission_ids_is_upgraded_by_make_run(store, monkeypatch, capsys):
    """`make run` runs `build --if-absent`, which adds the column to a file or a shared store built without it."""
    from data.__main__ import main as data_cli

    with connect(store) as conn:
        if isinstance(store, Path):  # the file's column has a UNIQUE constraint, which cannot be dropped
            conn.execute("CREATE TEMP TABLE old_rows AS SELECT * EXCLUDE (submission_id) FROM action_updates")
            conn.execute("DROP TABLE action_updates")
            conn.execute("CREATE TABLE action_updates AS SELECT * FROM old_rows")
            monkeypatch.setenv("FINANCE_DB", str(store))
        else:
            conn.execute("ALTER TABLE action_updates DROP COLUMN submission_id")
    assert data_cli(["build", "--if-absent"]) == 0
    assert "upgraded: action_updates: submission_id added" in capsys.readouterr().out
    with connect(store) as conn:
        record_update(conn, EDITOR, 9, submission_id="form-1", **VALID)
        with pytest.raises(write.AlreadyRecorded):
            record_update(conn, EDITOR, 9, submission_id="form-1", **VALID)
