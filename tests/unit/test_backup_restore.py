"""ops/backup.sh and ops/restore.sh, as docs/operations.md tells an operator to run them.

The restore steps README gave failed as written (a password prompt from createdb, "database already exists",
rsync not installed, nothing said about stopping replicas or not expiring snapshots between the two copies).
Here the scripts run against a real PostgreSQL and a real data folder: a backup, then a forced rebuild and
an expiry that deletes the files the backup's catalog names, then a restore that brings every table back.
"""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from data import db
from data.access import Actor
from data.actions import record_update
from data.build import build
from data.snapshots import expire_snapshots
from tests.support.load_files import table_checksums

PROJECT_DIR = Path(__file__).resolve().parents[2]
EDITOR = Actor("jane.doe@example.org", "editor")
UPDATE = {"status": "blocked", "percent_complete": 5, "revised_due_date": None, "evidence_url": None}


def ops(script: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["sh", str(PROJECT_DIR / "ops" / script), *args], env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def backed_up_store(own_postgres, tmp_path, monkeypatch):
    store = db.LakeStore(own_postgres.create_database("finance"), f"{tmp_path}/lake/")
    build(store, sample_rows=300, built_by="pytest")
    env = {**os.environ, "FINANCE_CATALOG": store.catalog, "FINANCE_DATA_PATH": store.data_path,
           "FINANCE_LOCK": str(tmp_path / "store.lock")}  # fmt: skip
    return store, env


def test_a_backup_restores_every_table_after_a_rebuild_and_an_expiry_deleted_its_files(backed_up_store, tmp_path):
    store, env = backed_up_store
    with db.connect(store) as conn:
        record_update(conn, EDITOR, 7, note="before the backup", **UPDATE)
    backup = ops("backup.sh", str(tmp_path / "backups"), env=env)
    assert backup.returncode == 0, backup.stderr
    folder = backup.stdout.strip().splitlines()[-1]
    at_backup = table_checksums(store)

    # Then the worst that can happen short of losing the disk: everything replaced, its old files deleted.
    build(store, force=True, sample_rows=300, built_by="pytest")
    expire_snapshots(store, 30, now=datetime.now(UTC) + timedelta(days=40))
    assert table_checksums(store) != at_backup

    # The restore refuses while a dashboard process (here this one) is attached, and changes nothing.
    refused = ops("restore.sh", folder, env=env)
    assert refused.returncode == 1 and "stop every replica" in refused.stderr
    db.close_lakes()
    restored = ops("restore.sh", folder, env=env)
    assert restored.returncode == 0, restored.stderr
    assert table_checksums(store) == at_backup
    with db.connect(store) as conn:  # and the store is written to as before
        assert record_update(conn, EDITOR, 8, note="after the restore", **UPDATE) > 0
