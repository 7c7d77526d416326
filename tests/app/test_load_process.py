"""Loads as separate processes: killed mid-transaction, and run while the app holds the database."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import duckdb

from data.db import connect
from metrics import monitoring
from tests.support.helpers import PROJECT_DIR
from tests.support.load_files import csv_bytes, table_checksums

DIRECTORATES = ["Adults & Housing", "Children's Services", "Place", "Corporate Development", "Central budgets"]


def big_file(path, lines: int = 20_000, year: str = "2020/21") -> None:
    """A period-close file for `year`: `lines` cost-centre periods across every directorate."""
    rows = [
        [year, f"P{i % 12 + 1}", DIRECTORATES[i // 12 % 5], f"Service {i // 12 % 7}", f"CC-{i // 12:06d}",
         f"{1000 + i % 97}.25", f"{1010 + i % 89}.50", f"{1005 + i % 83}.75"]
        for i in range(lines)
    ]  # fmt: skip
    path.write_bytes(csv_bytes(rows))


# `python -m data load`, paused for a minute just before its COMMIT so the test can kill it there.
PAUSED_LOAD = """
import sys, time
import data.load.writes as writes_module
from data.__main__ import main
commit = writes_module._commit
def pause_then_commit(conn):
    print("load: paused inside the transaction", file=sys.stderr, flush=True)
    time.sleep(60)
    commit(conn)
writes_module._commit = pause_then_commit
sys.exit(main(sys.argv[1:]))
"""


def test_sigkill_inside_the_load_transaction_leaves_the_previous_contents(db_path, tmp_path):
    file = tmp_path / "ledger-2020-21.csv"
    big_file(file)
    before = table_checksums(db_path)
    env = {**os.environ, "FINANCE_DB": str(db_path)}
    process = subprocess.Popen(
        [sys.executable, "-c", PAUSED_LOAD, "load", str(file)],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Wait until the process has deleted the sample lines and inserted the new ones, uncommitted.
        line = process.stderr.readline()
        assert "paused inside the transaction" in line, line + process.stderr.read()
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    assert table_checksums(db_path) == before
    with duckdb.connect(str(db_path), read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM monitoring WHERE basis = 'sample'").fetchall()[0][0] == 12_000
    # The database is whole: the same load now completes.
    done = subprocess.run(
        [sys.executable, "-m", "data", "load", str(file), "--db", str(db_path)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    with duckdb.connect(str(db_path), read_only=True) as conn:
        assert conn.execute("SELECT count(*), count(DISTINCT basis) FROM monitoring").fetchall()[0] == (20_000, 1)


HOLDER = """
import sys, time
from data.db import connect
with connect(sys.argv[1], read_only=True) as conn:
    conn.execute("SELECT count(*) FROM monitoring").fetchall()
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_a_command_line_load_while_the_app_holds_the_database_waits_then_shows_in_the_app(db_path, tmp_path):
    """The app reads per interaction; a load that meets a page run in progress waits for it, then lands."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PROJECT_DIR / "app.py"), default_timeout=60)
    at.query_params["year"] = "2021/22"
    at.run()
    at.switch_page("pages/directorates.py").run()
    assert not at.exception
    assert [s.value for s in at.selectbox if s.label == "Financial year"] == ["2020/21"]  # no 2021/22 lines yet

    file = tmp_path / "p1.csv"
    rows = [["2021/22", "P1", "Place", "Highways", f"HW-{i}", "10000", "13000.50", "12000"] for i in range(50)]
    file.write_bytes(csv_bytes(rows))
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db_path), "3"], cwd=PROJECT_DIR, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "data", "load", str(file), "--db", str(db_path)],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            timeout=120,
        )
        waited = time.monotonic() - started
    finally:
        holder.wait(timeout=30)
    assert result.returncode == 0, result.stderr
    assert "loaded 50 rows of monitoring" in result.stdout
    assert waited > 1.0, "the load should have waited for the app's unit of work to finish"

    # The running app session shows the new lines on its next interaction, with no restart.
    at.run()
    assert not at.exception
    year_box = next(s for s in at.selectbox if s.label == "Financial year")
    assert year_box.options == ["2021/22", "2020/21"]
    year_box.set_value("2021/22").run()
    with connect(db_path, read_only=True) as conn:
        expected = monitoring.council_total(conn, fiscal_year="2021/22", period=1, previous=None).iloc[0]
    assert expected["lines"] == 50 and expected["sample_lines"] == 0
    values = {m.label: m.value for m in at.metric}
    assert values["Annual budget"] == "£0.50m"  # 50 lines of £10,000
    assert values["Forecast outturn"] == "£0.60m" and values["Forecast variance"] == "£0.10m"
    assert next(m for m in at.metric if m.label == "Forecast variance").delta == "over budget"
    assert expected["variance_gbp"] == 50 * 2000
    assert not any("lines behind these figures" in w.value for w in at.warning)  # the 2021/22 savings are sample
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert "sample data" not in json.dumps(spec.get("layout", {}).get("annotations", []))
