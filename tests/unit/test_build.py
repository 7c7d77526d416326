"""Building the database: from the CSVs, refusing to destroy recorded work, all or nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from data import build as build_module
from data.db import connect, database_path

PROJECT_DIR = Path(__file__).resolve().parents[2]


def table_counts(store) -> dict[str, int]:
    with connect(store, read_only=True) as conn:
        return {
            table: conn.table(table).aggregate("count(*)").fetchall()[0][0]
            for table in (
                "reported_figures",
                "recommendations",
                "action_updates",
                "directorates",
                "monitoring",
                "loads",
            )
        }


def record_update(store) -> None:
    with connect(store) as conn:
        conn.execute(
            "INSERT INTO action_updates (update_id, rec_no, status, updated_by, updated_at) "
            "VALUES (10000, 1, 'complete', 'officer@example.gov.uk', now())"
        )


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "data", *args], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120
    )


def test_build_makes_every_table(tmp_path):
    summary = build_module.build(tmp_path / "f.duckdb", sample_rows=0)
    counts = table_counts(summary.path)
    assert counts["recommendations"] == 48
    assert counts["action_updates"] == 48
    assert counts["directorates"] == 5
    assert counts["reported_figures"] == summary.figures > 30
    assert counts["monitoring"] == 0


def test_finance_db_overrides_the_default_path(monkeypatch, tmp_path):
    monkeypatch.setenv("FINANCE_DB", str(tmp_path / "elsewhere.duckdb"))
    assert database_path() == tmp_path / "elsewhere.duckdb"
    monkeypatch.delenv("FINANCE_DB")
    assert database_path() == PROJECT_DIR / "data" / "finance.duckdb"


def test_rebuild_over_recorded_progress_is_refused_and_changes_nothing(store):
    record_update(store)
    before = table_counts(store)
    result = run_cli("build")
    assert result.returncode == 1
    assert "1 recorded progress update " in result.stderr
    assert "--force" in result.stderr
    assert table_counts(store) == before


def test_forced_rebuild_replaces_recorded_progress(store):
    record_update(store)
    result = run_cli("build", "--force", "--sample-rows", "0")
    assert result.returncode == 0, result.stderr
    assert table_counts(store)["action_updates"] == 48


def test_rebuild_without_recorded_work_is_allowed(store):
    result = run_cli("build", "--sample-rows", "240")
    assert result.returncode == 0, result.stderr
    assert table_counts(store)["monitoring"] == 240


def test_if_absent_keeps_an_existing_database(store):
    record_update(store)
    result = run_cli("build", "--if-absent")
    assert result.returncode == 0
    assert table_counts(store)["action_updates"] == 49


def test_a_failed_build_leaves_the_previous_database(store, monkeypatch):
    before = table_counts(store)

    def fail(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(build_module.sample, "fill", fail)
    monkeypatch.setattr(build_module.sample, "fill_lines", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        build_module.build(store, sample_rows=240)
    assert table_counts(store) == before


def test_a_reader_and_a_writer_in_one_process_do_not_refuse_each_other(db_path):
    from data.db import connect

    with connect(db_path, read_only=True) as reader, connect(db_path) as writer:
        writer.execute(
            "INSERT INTO action_updates (rec_no, status, updated_by, updated_at) VALUES (2, 'blocked', 'x', now())"
        )
        assert reader.execute("SELECT count(*) FROM action_updates").fetchone()[0] == 49


def test_reading_a_missing_database_names_it_and_creates_nothing(tmp_path):
    from data.db import DatabaseMissing, connect

    missing = tmp_path / "absent.duckdb"
    with pytest.raises(DatabaseMissing, match=r"absent\.duckdb"), connect(missing, read_only=True):
        pass
    assert not missing.exists()
