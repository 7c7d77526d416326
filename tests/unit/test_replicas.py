"""Several app processes on one shared store: concurrent writes all land, a killed writer breaks nothing.

Each replica is a separate Python process (tests/support/replica_worker.py) writing through the app's own write
functions (data.actions, data.load) to a DuckLake whose catalog is the throwaway PostgreSQL.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from data import load
from data.access import Actor
from data.db import connect
from data.load import writes
from data.version import data_version, store_identity
from tests.conftest import PROJECT_DIR
from tests.support.helpers import assert_store_consistent
from tests.support.load_files import csv_bytes

WRITERS_PER_REPLICA = 10
UPDATES_PER_WRITER = 20  # 20 writers at once make the contention; longer runs add time, not cases
COUNT_IN_A_NEW_PROCESS = """
from data.db import connect
with connect(read_only=True) as conn:
    print(conn.execute("SELECT count(*) FROM action_updates WHERE updated_by LIKE '%-w%'").fetchone()[0])
"""
DIRECTORATES = ["Place", "Adults & Housing", "Children's Services", "Corporate Development", "Central budgets"]


def monitoring_file(path: Path, lines: int) -> Path:
    rows = [
        ["2021/22", "P3", DIRECTORATES[i % 5], f"Service {i % 7}", f"RP-{i:05d}", "1000", "1100", "1050"]
        for i in range(lines)
    ]
    path.write_bytes(csv_bytes(rows))
    return path


def replica(name: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.replica_worker", name, *args],
        cwd=PROJECT_DIR,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen, timeout: float = 1800) -> dict:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err[-3000:]
    return json.loads(out.strip().splitlines()[-1])


def replica_updates(conn) -> dict[str, list[int]]:
    """Each replica writer's recorded steps, in update_id order."""
    rows = conn.execute(
        "SELECT updated_by, note FROM action_updates WHERE updated_by LIKE '%-w%@example.org' ORDER BY update_id"
    ).fetchall()
    steps: dict[str, list[int]] = {}
    for who, note in rows:
        steps.setdefault(who, []).append(int(note.rsplit(" ", 1)[1]))
    return steps


def test_two_replicas_twenty_writers_and_a_load_lose_nothing(lake_store, tmp_path):
    file = monitoring_file(tmp_path / "p3.csv", 2_000)
    common = ["--writers", str(WRITERS_PER_REPLICA), "--updates", str(UPDATES_PER_WRITER)]
    first = replica("A", *common, "--load", str(file))
    second = replica("B", *common)
    results = [finish(first), finish(second)]
    assert all(result["failures"] == [] for result in results)
    for name in ("A", "B"):
        # Each replica process reads back what both wrote.
        reader = subprocess.run(
            [sys.executable, "-c", COUNT_IN_A_NEW_PROCESS],
            cwd=PROJECT_DIR, capture_output=True, text=True, timeout=300, check=True,
        )  # fmt: skip
        assert int(reader.stdout) == 2 * WRITERS_PER_REPLICA * UPDATES_PER_WRITER, name
    with connect(lake_store, read_only=True) as conn:
        steps = replica_updates(conn)
        assert len(steps) == 2 * WRITERS_PER_REPLICA
        assert all(done == list(range(UPDATES_PER_WRITER)) for done in steps.values()), "nothing lost or reordered"
        assert conn.execute("SELECT count(*) FROM monitoring WHERE load_id = $id", {"id": results[0]["load_id"]})
        assert_store_consistent(conn)


def test_a_replica_killed_mid_write_leaves_the_store_consistent_and_the_other_serving(lake_store, tmp_path):
    doomed = replica("K", "--writers", "4", "--forever", "--load", str(monitoring_file(tmp_path / "big.csv", 20_000)))
    survivor = replica("S", "--writers", "2", "--updates", "15")
    try:
        # Kill while the load or the updates are in flight: as soon as its first update has landed, or
        # after a few seconds if the load is still being written.
        deadline = time.monotonic() + 120
        with connect(lake_store, read_only=True) as conn:
            while time.monotonic() < deadline:
                if conn.execute("SELECT count(*) FROM action_updates WHERE updated_by LIKE 'K-%'").fetchone()[0]:
                    break
                time.sleep(0.2)
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=30)
        assert doomed.returncode == -signal.SIGKILL
        result = finish(survivor)
    finally:
        for process in (doomed, survivor):
            if process.poll() is None:
                process.kill()
                process.communicate()
    assert result["failures"] == []
    with connect(lake_store, read_only=True) as conn:
        assert_store_consistent(conn)
        steps = replica_updates(conn)
        assert steps["S-w0@example.org"] == list(range(15)) and steps["S-w1@example.org"] == list(range(15))
        for who, done in steps.items():
            if who.startswith("K-"):
                assert done == list(range(len(done))), "the killed replica's updates are a clean prefix"


OTHER_REPLICA_DELETES = """
from data.db import connect
with connect() as conn:
    conn.execute("DELETE FROM monitoring WHERE basis = 'sample' AND period = 1")
"""


def test_a_load_that_conflicts_with_another_replicas_write_is_refused_whole(lake_store, tmp_path, monkeypatch):
    real_commit = writes._commit

    def another_replica_commits_first(conn):
        subprocess.run([sys.executable, "-c", OTHER_REPLICA_DELETES], cwd=PROJECT_DIR, check=True, timeout=300)
        real_commit(conn)

    monkeypatch.setattr(writes, "_commit", another_replica_commits_first)
    rows = [["2020/21", "P2", "Place", "Highways", "PL-1", "1000", "1100", "1050"]]
    with connect(lake_store, read_only=True) as conn:
        parsed = load.read("p2.csv", csv_bytes(rows), load.directorate_aliases(conn), "monitoring")
        loads_before = conn.execute("SELECT count(*) FROM loads").fetchone()[0]
    with connect(lake_store) as conn, pytest.raises(load.LoadRejected, match="at the same moment"):
        load.apply(conn, parsed, Actor("loader@example.org", "admin"))
    with connect(lake_store, read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM loads").fetchone()[0] == loads_before
        assert conn.execute("SELECT count(*) FROM monitoring WHERE basis = 'reported'").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM monitoring WHERE period = 1").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM monitoring WHERE basis = 'sample'").fetchone()[0] > 0
        assert_store_consistent(conn)


def test_the_cache_key_changes_when_another_replica_writes(lake_store):
    """ui/cache.py keys charts on the store and its data version: another process's update must change it."""
    with connect(lake_store, read_only=True) as conn:
        before = (store_identity(conn), data_version(conn))
    assert finish(replica("C", "--writers", "1", "--updates", "1"))["failures"] == []
    with connect(lake_store, read_only=True) as conn:
        after = (store_identity(conn), data_version(conn))
    assert after[0] == before[0] and after[1] != before[1]
