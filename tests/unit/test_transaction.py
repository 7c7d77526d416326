"""data.db.transaction: the one BEGIN/COMMIT/ROLLBACK every write goes through."""

import duckdb
import pytest

from data import db


@pytest.fixture
def conn():
    connection = duckdb.connect()
    connection.execute("CREATE TABLE t (x INTEGER)")
    yield connection
    connection.close()


def rows(conn) -> list[int]:
    return [x for (x,) in conn.execute("SELECT x FROM t ORDER BY x").fetchall()]


def test_a_block_that_ends_normally_is_committed(conn):
    with db.transaction(conn):
        conn.execute("INSERT INTO t VALUES (1), (2)")
    assert rows(conn) == [1, 2]
    conn.execute("BEGIN TRANSACTION")  # no transaction is left open
    conn.execute("ROLLBACK")


def test_a_block_that_raises_is_rolled_back_whole_and_the_error_comes_out_unchanged(conn):
    failure = ValueError("refused")
    with pytest.raises(ValueError) as raised, db.transaction(conn):
        conn.execute("INSERT INTO t VALUES (1)")
        raise failure
    assert raised.value is failure
    assert rows(conn) == []
    conn.execute("BEGIN TRANSACTION")  # the failed transaction was ended
    conn.execute("ROLLBACK")


def test_a_failed_commit_is_reported_as_itself_not_as_the_rollback_after_it(conn):
    def commit_fails(connection):
        connection.execute("COMMIT")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"), db.transaction(conn, commit=commit_fails):
        conn.execute("INSERT INTO t VALUES (1)")


def test_a_returned_value_from_inside_the_block_still_commits(conn):
    def write() -> int:
        with db.transaction(conn):
            conn.execute("INSERT INTO t VALUES (7)")
            return 7

    assert write() == 7
    assert rows(conn) == [7]
