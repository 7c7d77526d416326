"""Starting and stopping the app's server (or any local server) for the benchmarks and the tests.

bench/ and tests/ both serve the app on a free loopback port and stop it with its whole process group; this
is the one copy (tests import bench, never the other way round, as they do bench/postgres.py).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A loopback port nothing listens on just now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_health(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    """Until Streamlit's `/_stcore/health` answers 200; raises if the process exits or the time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    raise TimeoutError(f"{url} did not become healthy in {timeout} s")


def stop(process: subprocess.Popen) -> None:
    """Stop the process and its children (its own session): politely, then after 15 s for good."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def start_server(
    command: list[str], env: dict[str, str], port: int, log_path: Path, timeout: float = 60
) -> subprocess.Popen:
    """Run `command` in the project folder, in its own session, its output in `log_path`; return once healthy."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command, cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        wait_for_health(f"http://127.0.0.1:{port}", process, timeout)
    except Exception as error:
        stop(process)
        error.add_note(f"server log: {log_path}")
        raise
    return process
