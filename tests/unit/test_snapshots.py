"""`python -m data expire-snapshots`: the shared store's recovery window, and the embedded file's clear refusal."""

from __future__ import annotations

import itertools
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from data.__main__ import main as cli
from data.access import Actor
from data.actions import record_update
from data.build import build
from data.db import LakeStore, connect
from data.snapshots import expire_snapshots, snapshot_count
from tests.support.load_files import table_checksums

EDITOR = Actor("jane.doe@example.org", "editor")
UPDATE = {"status": "blocked", "percent_complete": 5, "revised_due_date": None, "note": "x", "evidence_url": None}
_names = itertools.count()


@pytest.fixture
def private_lake(postgres_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LakeStore:
    """A shared store with its own data folder: expiring deletes data files, which `lake_store` copies share."""
    store = LakeStore(postgres_server.create_database(f"snapshots_{os.getpid()}_{next(_names)}"), f"{tmp_path}/lake/")
    build(store, sample_rows=300, built_by="pytest")
    monkeypatch.setenv("FINANCE_STORE", "ducklake")
    monkeypatch.setenv("FINANCE_CATALOG", store.catalog)
    monkeypatch.setenv("FINANCE_DATA_PATH", store.data_path)
    return store


def data_files(store: LakeStore) -> set[Path]:
    return {path for path in Path(store.data_path).rglob("*") if path.is_file()}


def test_the_embedded_file_keeps_no_snapshots_and_says_so(db_path, capsys):
    before = table_checksums(db_path)
    assert cli(["expire-snapshots", "--older-than-days", "30"]) == 2
    err = capsys.readouterr().err
    assert "embedded file, which keeps no snapshots" in err and "FINANCE_STORE=ducklake" in err
    assert table_checksums(db_path) == before


def test_a_forced_rebuild_can_be_read_back_until_its_snapshots_expire(private_lake, capsys):
    with connect(private_lake) as conn:
        record_update(conn, EDITOR, 7, **UPDATE)
        version_with_update = conn.execute("SELECT max(snapshot_id) FROM finance_lake.snapshots()").fetchone()[0]
    build(private_lake, force=True, sample_rows=300, built_by="pytest")  # deletes the recorded update
    files_before = data_files(private_lake)
    current = table_checksums(private_lake)

    # Within the recovery window the update is still there, at its snapshot.
    back_in_time = "SELECT count(*) FROM action_updates AT (VERSION => $v) WHERE updated_by = 'jane.doe@example.org'"
    with connect(private_lake, read_only=True) as conn:
        assert conn.execute(back_in_time, {"v": version_with_update}).fetchone()[0] == 1
        held = snapshot_count(conn)

    # A dry run counts and changes nothing; the command refuses a window under a day.
    assert cli(["expire-snapshots", "--older-than-days", "30", "--dry-run"]) == 0
    assert "would expire 0 snapshots" in capsys.readouterr().out
    assert cli(["expire-snapshots", "--older-than-days", "0"]) == 2
    assert "at least 1" in capsys.readouterr().err

    # Two days on, a one-day window expires every snapshot but the newest and deletes the files only they held.
    summary = expire_snapshots(private_lake, 1, now=datetime.now(UTC) + timedelta(days=2))
    assert summary.expired == held - 1 and summary.kept == 1
    assert summary.files_deleted > 0
    assert len(data_files(private_lake)) < len(files_before)
    assert table_checksums(private_lake) == current  # the data as it stands is untouched
    with connect(private_lake, read_only=True) as conn, pytest.raises(duckdb.Error, match=r"(?i)snapshot"):
        conn.execute(back_in_time, {"v": version_with_update}).fetchone()


KILLED_MID_WRITE = """
import sys
from data.db import connect
with connect() as conn:
    conn.execute("BEGIN TRANSACTION")
    conn.execute("INSERT INTO monitoring SELECT * FROM monitoring")  # written to a data file before the commit
    print("written", flush=True)
    sys.stdin.read()  # killed here, before COMMIT
"""


def test_files_left_by_a_killed_write_are_deleted_by_expire_snapshots_once_a_day_old(private_lake, capsys):
    """Issue 24, finding 16: killed and failed writes left orphaned Parquet files that nothing removed."""
    import signal
    import subprocess
    import sys

    from data.db import PROJECT_DIR

    before = data_files(private_lake)
    current = table_checksums(private_lake)
    writer = subprocess.Popen(
        [sys.executable, "-c", KILLED_MID_WRITE], cwd=PROJECT_DIR, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert writer.stdout.readline().strip() == "written"
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.communicate()
    orphaned = data_files(private_lake) - before
    assert orphaned, "the killed write left its data file behind"

    # Today the file may still be a write in progress: kept, and the dry run says so.
    assert cli(["expire-snapshots", "--older-than-days", "30", "--dry-run"]) == 0
    assert "delete 0 orphaned files" in capsys.readouterr().out
    assert cli(["expire-snapshots", "--older-than-days", "30"]) == 0
    assert "and 0 orphaned files left by failed or killed writes" in capsys.readouterr().out
    assert orphaned <= data_files(private_lake)

    # Two days on it is an orphan: deleted, and nothing the store holds goes with it.
    summary = expire_snapshots(private_lake, 30, now=datetime.now(UTC) + timedelta(days=2))
    assert summary.orphans == len(orphaned)
    assert not orphaned & data_files(private_lake)
    assert before <= data_files(private_lake)
    assert table_checksums(private_lake) == current
