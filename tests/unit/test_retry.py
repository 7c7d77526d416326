"""data.retry: one policy for every retry; a transient error is tried again, a permanent one is not."""

from __future__ import annotations

import duckdb
import pytest
from tenacity import RetryError

from data import db, retry

LOCKED = duckdb.IOException('IO Error: Could not set lock on file "finance.duckdb": Conflicting lock is held')
READ_ONLY = duckdb.IOException("IO Error: Cannot open file: Permission denied")


class Flaky:
    """Fails with each of `failures` in turn, then returns 'done'."""

    def __init__(self, *failures: BaseException) -> None:
        self.failures, self.calls = list(failures), 0

    def __call__(self, *args) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return "done"


def quick(**limits) -> retry.Retrying:
    return retry.policy(db._is_transient, first_wait=0.001, max_wait=0.004, **limits)


def test_a_transient_error_is_tried_again_until_the_call_succeeds():
    flaky = Flaky(LOCKED, LOCKED)
    assert quick(attempts=5)(flaky) == "done"
    assert flaky.calls == 3


def test_a_permanent_error_is_raised_at_once_as_itself():
    flaky = Flaky(READ_ONLY)
    with pytest.raises(duckdb.IOException, match="Permission denied"):
        quick(attempts=5)(flaky)
    assert flaky.calls == 1


def test_the_tries_stop_at_the_limit_with_the_last_failure_kept():
    flaky = Flaky(*[LOCKED] * 10)
    with pytest.raises(RetryError) as gave_up:
        quick(attempts=4)(flaky)
    assert flaky.calls == 4
    assert gave_up.value.last_attempt.exception() is LOCKED


def test_each_wait_doubles_from_the_first_up_to_the_most():
    waits: list[float] = []
    policy = retry.policy(db._is_transient, first_wait=0.02, max_wait=0.1, attempts=6).copy(sleep=waits.append)
    with pytest.raises(RetryError):
        policy(Flaky(*[LOCKED] * 10))
    assert waits == pytest.approx([0.02, 0.04, 0.08, 0.1, 0.1])


def test_jitter_stretches_each_wait_by_at_most_double():
    waits: list[float] = []
    policy = retry.policy(db._is_transient, first_wait=0.02, max_wait=0.1, attempts=4, jitter=True)
    with pytest.raises(RetryError):
        policy.copy(sleep=waits.append)(Flaky(*[LOCKED] * 10))
    for wait, base in zip(waits, [0.02, 0.04, 0.08], strict=True):
        assert base <= wait < 2 * base


def test_opening_a_locked_file_waits_for_the_lock(tmp_path, monkeypatch):
    real_connect = duckdb.connect
    flaky = Flaky(LOCKED, LOCKED)
    monkeypatch.setattr(duckdb, "connect", lambda path: flaky() and real_connect(path))
    db._open(tmp_path / "f.duckdb", wait_seconds=5).close()
    assert flaky.calls == 3


def test_opening_a_file_locked_for_too_long_says_the_database_is_busy(tmp_path, monkeypatch):
    flaky = Flaky(*[LOCKED] * 1000)
    monkeypatch.setattr(duckdb, "connect", flaky)
    with pytest.raises(db.DatabaseBusy, match="in use by another process") as busy:
        db._open(tmp_path / "f.duckdb", wait_seconds=0.1)
    assert busy.value.__cause__ is LOCKED
    assert flaky.calls > 1


def test_opening_a_file_that_cannot_be_opened_fails_at_once(tmp_path, monkeypatch):
    flaky = Flaky(READ_ONLY)
    monkeypatch.setattr(duckdb, "connect", flaky)
    with pytest.raises(duckdb.IOException, match="Permission denied"):
        db._open(tmp_path / "f.duckdb", wait_seconds=5)
    assert flaky.calls == 1
