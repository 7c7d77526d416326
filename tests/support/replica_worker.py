"""One app replica's writes, as a separate process for tests/unit/test_replicas.py.

`python -m tests.support.replica_worker NAME --writers 10 --updates 50 [--load FILE] [--forever]`: NAME's writer
threads each record `--updates` progress updates through data.actions (the app's write path), on the
store configured by the environment; `--load` applies a monitoring file through data.load first;
`--forever` keeps recording until the process is killed. Prints one JSON line of what it did.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path

from data import load
from data.access import Actor
from data.actions import record_update
from data.db import connect

ADMIN = Actor("loader@example.org", "admin")


def write_updates(name: str, writer: int, count: int | None, failures: list[str]) -> None:
    actor = Actor(f"{name}-w{writer}@example.org", "editor")
    step = 0
    while count is None or step < count:
        try:
            with connect() as conn:
                record_update(
                    conn,
                    actor,
                    1 + (writer + step) % 48,
                    status="in_progress",
                    percent_complete=step % 101,
                    revised_due_date=None,
                    note=f"{name} writer {writer} step {step}",
                    evidence_url=None,
                )
        except Exception as error:  # noqa: BLE001 - reported to the test, which fails on any
            failures.append(f"{type(error).__name__}: {error}")
            return
        step += 1


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("name")
    parser.add_argument("--writers", type=int, default=10)
    parser.add_argument("--updates", type=int, default=50)
    parser.add_argument("--load", type=Path)
    parser.add_argument("--forever", action="store_true")
    args = parser.parse_args()
    failures: list[str] = []
    result: dict[str, object] = {"name": args.name}
    if args.load:
        with connect(read_only=True) as conn:
            parsed = load.read_path(args.load, load.directorate_aliases(conn), "monitoring")
        with connect() as conn:
            result["load_id"] = load.apply(conn, parsed, ADMIN).load_id
    print("started", flush=True)
    threads = [
        threading.Thread(target=write_updates, args=(args.name, w, None if args.forever else args.updates, failures))
        for w in range(args.writers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result["failures"] = failures
    print(json.dumps(result), flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
