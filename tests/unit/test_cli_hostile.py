"""Every command-line command fed hostile values: a non-zero exit and a clear error line, never a traceback,
and never a password in what it prints (the commands run as people run them, `python -m data|exports ...`)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support.helpers import PROJECT_DIR

UNREACHABLE = "host=127.0.0.1 port=9 dbname=finance user=finance password=hunter2-not-shown"
DB = ["--db", "{db}"]
# (id, module, arguments, extra environment); "{dir}" is a folder, "{db}" a built database
HOSTILE = [
    ("expire: a million years", "data", ["expire-snapshots", "--older-than-days", "999999999"], "lake"),
    ("expire: negative days", "data", ["expire-snapshots", "--older-than-days", "-5"], "lake"),
    ("expire: not a number", "data", ["expire-snapshots", "--older-than-days", "1e9"], "lake"),
    ("migrate into a folder", "data", ["migrate", "to-embedded", "--db", "{dir}"], "lake"),
    ("migrate from an unreachable store", "data", ["migrate", "to-embedded", "--db", "{dir}/x.duckdb"], "lake"),
    ("build an unreachable store", "data", ["build"], "lake"),
    ("build into a folder", "data", ["build", "--db", "{dir}"], None),
    ("sample: too many rows", "data", ["sample", "--rows", "99999999999", "--db", "{db}"], None),
    ("sample: a seed beyond 32 bits", "data", ["sample", "--rows", "1200", "--seed", "-1", "--db", "{db}"], None),
    ("undo: an id beyond INTEGER", "data", ["undo", "99999999999", "--db", "{db}"], None),
    ("undo: no such load", "data", ["undo", "2147483647", "--db", "{db}"], None),
    ("load a folder", "data", ["load", "{dir}", "--db", "{db}"], None),
    ("load into a folder", "data", ["load", "{db}", "--db", "{dir}"], None),
    ("pack: as at the year 9999", "exports", ["briefing", "--out", "{dir}/p.pdf", "--as-at", "9999-12-31"], None),
    ("pack: as at the year 1", "exports", ["briefing", "--out", "{dir}/p.pdf", "--as-at", "0001-01-01"], None),
    ("pack: before any document", "exports", ["briefing", "--out", "{dir}/p.pptx", "--as-at", "2021-10-04", *DB], None),
    ("pack: out is a folder", "exports", ["briefing", "--out", "{dir}", "--db", "{db}"], None),
    ("pack: db is a folder", "exports", ["briefing", "--out", "{dir}/p.pptx", "--db", "{dir}"], None),
]


def run_command(module: str, arguments: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", module, *arguments],
        cwd=PROJECT_DIR,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(("case", "module", "arguments", "store"), HOSTILE, ids=[c[0] for c in HOSTILE])
def test_a_hostile_value_exits_non_zero_with_one_error_line_and_no_traceback(
    db_path, tmp_path, case, module, arguments, store
):
    arguments = [a.format(dir=tmp_path, db=db_path) for a in arguments]
    env = {"FINANCE_STORE": "ducklake", "FINANCE_CATALOG": UNREACHABLE, "FINANCE_DATA_PATH": str(tmp_path / "lake")}
    done = run_command(module, arguments, env if store == "lake" else None)
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "Traceback" not in output and 'File "' not in output, output
    assert "hunter2" not in output
    errors = [line for line in done.stderr.splitlines() if "error" in line.lower()]
    assert errors and errors[0].startswith(("error: ", f"python -m {module}")), output


def test_the_database_s_echo_of_the_connection_string_is_scrubbed_in_every_spelling(tmp_path):
    for catalog in (
        "host=127.0.0.1 port=9 password=hunter2-not-shown",
        "host=127.0.0.1 port=9 password = hunter2-not-shown",
        "host=127.0.0.1 port=9 password='hunter2 not shown'",
        "postgresql://finance:hunter2-not-shown@127.0.0.1:9/finance",
    ):
        env = {"FINANCE_STORE": "ducklake", "FINANCE_CATALOG": catalog, "FINANCE_DATA_PATH": str(tmp_path)}
        done = run_command("data", ["build"], env)
        assert done.returncode == 1 and "Connection refused" in done.stderr, done.stderr
        assert "hunter2" not in done.stdout + done.stderr, catalog
        assert "***" in done.stderr
