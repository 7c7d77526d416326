"""A throwaway PostgreSQL cluster for the shared-store tests and bench: temporary data directory, loopback port.

PostgreSQL refuses to run as root, so as root (CI, `make test`) the server runs as the unprivileged
`nobody` user through setpriv. The Makefile installs Debian's postgresql when it is missing.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from bench.serving import free_port


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL server's bin folder (Debian keeps them under /usr/lib/postgresql)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


@dataclass
class ThrowawayPostgres:
    bin_dir: Path
    root: Path
    port: int

    @property
    def as_user(self) -> list[str]:
        if os.geteuid() != 0:
            return []
        return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]

    def run(self, tool: str, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*self.as_user, str(self.bin_dir / tool), *args],
            cwd=self.root,
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def conninfo(self, dbname: str) -> str:
        return f"dbname={dbname} host=127.0.0.1 port={self.port} user=postgres"

    def create_database(self, name: str, template: str | None = None) -> str:
        args = ["-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"]
        if template:
            args += ["-T", template]
        self.run("createdb", *args, name)
        return self.conninfo(name)

    @property
    def options(self) -> str:
        # fsync off: a test cluster never needs to survive a power cut, and it keeps commits fast.
        return f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"

    def pause(self) -> None:
        """Stop the server, keeping its data: an outage, for tests of what the app does meanwhile."""
        self.run("pg_ctl", "-D", str(self.root / "data"), "-m", "fast", "-w", "stop")

    def resume(self) -> None:
        """Start the server again after `pause`, on the same port and data."""
        self.run("pg_ctl", "-D", str(self.root / "data"), "-l", str(self.root / "server.log"), "-o", self.options,
                 "-w", "start")  # fmt: skip

    def stop(self) -> None:
        try:
            with suppress(subprocess.CalledProcessError):  # already stopped: a test's outage (`pause`) failed midway
                self.run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def start(bin_dir: Path) -> ThrowawayPostgres:
    root = Path(tempfile.mkdtemp(prefix="finance-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "nobody", "nogroup")
    server = ThrowawayPostgres(bin_dir, root, free_port())
    try:
        server.run("initdb", "-D", str(root / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale")
        server.resume()
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return server
