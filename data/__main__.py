"""Command line for the database: `python -m data build|sample ...`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from data import build as build_module
from data import sample
from data.access import PermissionDenied, local_actor
from metrics.db import DatabaseBusy, connect, database_path

DEFAULT_SAMPLE_ROWS = 12_000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    build_cmd = commands.add_parser("build", help="build the database from the CSVs in data/")
    build_cmd.add_argument("--db", type=Path, help="database file (default: $FINANCE_DB or data/finance.duckdb)")
    build_cmd.add_argument(
        "--force", action="store_true", help="rebuild even if recorded progress or loads would be lost"
    )
    build_cmd.add_argument(
        "--sample-rows", type=int, default=DEFAULT_SAMPLE_ROWS, help="sample monitoring lines to add (0 for none)"
    )
    build_cmd.add_argument("--if-absent", action="store_true", help="do nothing if the database file exists")

    sample_cmd = commands.add_parser("sample", help="replace the sample monitoring lines")
    sample_cmd.add_argument("--rows", type=int, required=True)
    sample_cmd.add_argument("--seed", type=int, default=sample.DEFAULT_SEED)
    sample_cmd.add_argument("--db", type=Path)

    args = parser.parse_args(argv)
    db = args.db or database_path()
    try:
        if args.command == "build":
            if args.if_absent and db.exists():
                print(f"{db} exists; not rebuilding")
                return 0
            summary = build_module.build(db, force=args.force, sample_rows=args.sample_rows, actor=local_actor())
            print(
                f"built {summary.path}: {summary.figures} reported figures, "
                f"{summary.recommendations} recommendations, {summary.sample_lines} sample monitoring lines"
            )
        elif args.command == "sample":
            if not db.exists():
                print(f"error: no database at {db}; run `python -m data build` first", file=sys.stderr)
                return 2
            with connect(db) as conn:
                load_id = sample.fill(
                    conn, rows=args.rows, seed=args.seed, loaded_by=build_module.operating_system_user()
                )
            print(f"replaced sample monitoring lines in {db} with {args.rows} lines (load {load_id})")
    except (build_module.RebuildRefused, DatabaseBusy, PermissionDenied, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
