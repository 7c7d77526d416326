"""`python -m bench shared_store` (part of `make bench`): a directorate change on the shared store against the file.

Builds 1M sample lines into the embedded file and into a DuckLake whose catalog is a throwaway PostgreSQL
(bench/postgres.py, which `make test` uses too) and whose data files are on local disk, then times the metrics calls
of one Directorates page run (bench/directorates_bench.py's `run_metrics`) on each, in the same run, each
in its own process. No caching: every figure is computed from the store.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from bench.directorates_bench import run_child, run_metrics

LINES = 1_000_000
ROUNDS = 10


def child(store: str, env: dict[str, str]) -> dict:
    return run_child("bench.shared_store_bench", ["--child", store], env)


def _cell(stats: dict | None) -> str:
    return f"{stats['median_ms']} / {stats['p95_ms']}" if stats else ""


def report(results: dict, build_s: dict) -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        f"Directorate change at {LINES:,} lines, embedded file against the shared store (DuckLake, PostgreSQL "
        f"{results['postgres']} catalog on this machine, data files on local disk); {platform.machine()}, "
        f"{os.cpu_count()} cores, load average at the end {load}. Times in ms, median / p95. "
        f"Build: embedded {build_s['embedded']:.0f} s, shared {build_s['shared']:.0f} s.",
        "",
        "| call | embedded, one directorate | shared, one directorate | embedded, all | shared, all |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    embedded, shared = results["embedded"], results["shared"]
    for name in embedded["calls"]["one"]:
        lines.append(
            f"| {name} | {_cell(embedded['calls']['one'].get(name))} | {_cell(shared['calls']['one'].get(name))} "
            f"| {_cell(embedded['calls']['all'].get(name))} | {_cell(shared['calls']['all'].get(name))} |"
        )
    runs = [_cell(results[store]["page_run"][group]) for group in ("one", "all") for store in ("embedded", "shared")]
    lines.append(f"| **all the calls of one page run** | {' | '.join(runs)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = argv or []
    if argv and argv[0] == "--child":
        from data.db import configured_store

        print(json.dumps(run_metrics(configured_store(), ROUNDS)))
        return 0
    from bench import postgres
    from data.build import build
    from data.db import LakeStore, close_lakes

    bin_dir = postgres.postgres_bin()
    if bin_dir is None:
        print("PostgreSQL is not installed (make bench installs it as root); skipping the shared-store bench")
        return 1
    server = postgres.start(bin_dir)
    results: dict = {"postgres": bin_dir.parts[-2]}
    build_s = {}
    try:
        with tempfile.TemporaryDirectory(prefix="finance-bench-shared-") as folder:
            file = Path(folder) / "bench.duckdb"
            lake = LakeStore(server.create_database("bench"), f"{folder}/lake/")
            for name, store in (("embedded", file), ("shared", lake)):
                print(f"building {LINES:,} lines in the {name} store ...", flush=True)
                started = time.perf_counter()
                build(store, sample_rows=LINES, built_by="bench", force=True)
                build_s[name] = time.perf_counter() - started
            close_lakes()
            base = {k: v for k, v in os.environ.items() if not k.startswith("FINANCE_")}
            results["embedded"] = child("embedded", {**base, "FINANCE_DB": str(file)})
            results["shared"] = child(
                "shared",
                {
                    **base,
                    "FINANCE_STORE": "ducklake",
                    "FINANCE_CATALOG": lake.catalog,
                    "FINANCE_DATA_PATH": lake.data_path,
                },
            )
    finally:
        server.stop()
    print()
    print(report(results, build_s))
    print()
    print("raw results:", json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
