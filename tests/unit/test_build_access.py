"""Rebuilding the database is an admin action, checked inside `build` itself, and records who rebuilt."""

from __future__ import annotations

import re
import subprocess
import sys

import duckdb
import pytest

from data.access import Actor, PermissionDenied, local_actor
from data.build import build
from tests.support.helpers import PROJECT_DIR


def builders(path) -> list[str]:
    with duckdb.connect(str(path), read_only=True) as conn:
        return [row[0] for row in conn.execute("SELECT loaded_by FROM loads ORDER BY load_id").fetchall()]


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_a_non_admin_cannot_rebuild_and_nothing_is_written(db_path, role):
    before = db_path.read_bytes()
    with pytest.raises(PermissionDenied, match=re.escape(f"({role}) may not rebuild the database")):
        build(db_path, force=True, actor=Actor(f"{role}@dorset.example.gov.uk", role))
    assert db_path.read_bytes() == before
    assert not db_path.with_name(db_path.name + ".building").exists()


def test_a_non_admin_cannot_create_a_database_either(tmp_path):
    target = tmp_path / "new.duckdb"
    with pytest.raises(PermissionDenied):
        build(target, actor=Actor("jane@dorset.example.gov.uk", "editor"))
    assert list(tmp_path.iterdir()) == []


def test_an_admins_rebuild_records_the_admins_identity(tmp_path):
    target = tmp_path / "f.duckdb"
    build(target, sample_rows=192, actor=Actor("finance.systems@dorset.example.gov.uk", "admin"))
    assert builders(target) == ["finance.systems@dorset.example.gov.uk"] * 2  # the build and the sample fill


def test_the_command_line_rebuilds_as_the_operating_system_user(tmp_path):
    target = tmp_path / "cli.duckdb"
    result = subprocess.run(
        [sys.executable, "-m", "data", "build", "--db", str(target), "--sample-rows", "0"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert builders(target) == [local_actor().identity]
