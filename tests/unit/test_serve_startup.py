"""A setting that would fail every request stops the server at start, in one plain line; a good one starts
the server on the event loop and HTTP parser requirements.txt names."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench.serving import free_port, start_server, stop
from tests.support.helpers import LOCAL_TOKEN, PROJECT_DIR


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


def test_the_server_runs_on_uvloop_and_httptools(tmp_path):
    # Streamlit and uvicorn use them when they can be imported and fall back without a word when not; with
    # them a fresh visit costs the server about a quarter less CPU (docs/benchmarks.md).
    env = {**os.environ, "FINANCE_LOCAL_TOKEN": LOCAL_TOKEN, "FINANCE_DB": str(tmp_path / "absent.duckdb")}
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.headless", "true",
               "--server.address", "127.0.0.1", "--server.port", str(port)]  # fmt: skip
    process = start_server(command, env, port, tmp_path / "server.log")
    try:
        mapped = (Path("/proc") / str(process.pid) / "maps").read_text()
    finally:
        stop(process)
    assert "/uvloop/loop." in mapped
    assert "/httptools/parser/parser." in mapped
