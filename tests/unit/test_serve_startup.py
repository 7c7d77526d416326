"""A setting that would fail every request stops the server at start, in one plain line."""

from __future__ import annotations

import os
import subprocess
import sys

from bench.serving import free_port
from tests.support.helpers import PROJECT_DIR


def test_a_local_token_too_short_stops_the_server_with_one_line_and_no_traceback(tmp_path):
    env = {**os.environ, "FINANCE_LOCAL_TOKEN": "short", "FINANCE_DB": str(tmp_path / "absent.duckdb")}
    run = subprocess.run(
        [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(free_port())],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    said = run.stdout + run.stderr
    assert run.returncode != 0, said
    assert "FINANCE_LOCAL_TOKEN must be at least 16 characters long; the server was not started." in said
    assert "Traceback" not in said
