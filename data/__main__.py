"""Command line for the database: `python -m data build|sample|load|undo|migrate|expire-snapshots ...`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from data import build as build_module
from data import db as data_db
from data import load as load_module
from data import sample
from data.access import PermissionDenied, local_actor, require
from data.command_line import bounded_int, file_path, run
from data.db import DatabaseBusy, DatabaseMissing, StoreMisconfigured, configured_store, connect, failure_cause
from data.vocab import NUMBER_DECIMALS_AT_MOST, counted

DEFAULT_SAMPLE_ROWS = 12_000
MAX_SAMPLE_ROWS = 2_000_000  # 40 times the biggest council's ledger: past it memory runs out
MAX_ID = 2**31 - 1  # load ids are INTEGER
MAX_DAYS = 36_600  # a century of snapshots


def terminal_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A preview as a person reads it in a terminal: a missing value blank (not NaN or <NA>), pounds with
    thousands separators and pence ("1,000.50"), other numbers as given, without binary noise."""
    shown = frame.astype(object).where(frame.notna(), "")
    for column in frame.columns:
        if not pd.api.types.is_float_dtype(frame[column]):
            continue
        pounds = str(column).endswith("_gbp") or "_gbp_" in str(column)
        shown[column] = [
            ""
            if pd.isna(value)
            else f"{value:,.2f}"
            if pounds
            else np.format_float_positional(round(value, NUMBER_DECIMALS_AT_MOST), trim="-")  # every digit given
            for value in frame[column]
        ]
    return shown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    build_cmd = commands.add_parser("build", help="build the database from the CSVs in data/")
    build_cmd.add_argument(
        "--db", type=file_path, help="embedded database file (default: the configured store, see README)"
    )
    build_cmd.add_argument(
        "--force", action="store_true", help="rebuild even if recorded progress or loads would be lost"
    )
    build_cmd.add_argument(
        "--sample-rows",
        type=bounded_int(0, MAX_SAMPLE_ROWS),
        default=DEFAULT_SAMPLE_ROWS,
        help="sample monitoring lines to add (0 for none)",
    )
    build_cmd.add_argument("--if-absent", action="store_true", help="do nothing if the database file exists")

    sample_cmd = commands.add_parser("sample", help="replace the sample monitoring lines")
    sample_cmd.add_argument("--rows", type=bounded_int(0, MAX_SAMPLE_ROWS), required=True)
    sample_cmd.add_argument("--seed", type=bounded_int(0, 2**32 - 1), default=sample.DEFAULT_SEED)
    sample_cmd.add_argument("--db", type=file_path)

    load_cmd = commands.add_parser("load", help="load a monitoring or reported-figures file (CSV or XLSX)")
    load_cmd.add_argument("file", type=file_path)
    load_cmd.add_argument("--kind", choices=load_module.KINDS, help="default: worked out from the header row")
    load_cmd.add_argument("--db", type=file_path)
    load_cmd.add_argument("--as", dest="as_name", help="file name to record (default: the file's own name)")
    load_cmd.add_argument("--dry-run", action="store_true", help="validate and preview only; write nothing")

    undo_cmd = commands.add_parser("undo", help="undo a load by its id (see the Data & sources page)")
    undo_cmd.add_argument("load_id", type=bounded_int(1, MAX_ID))
    undo_cmd.add_argument("--db", type=file_path)

    migrate_cmd = commands.add_parser(
        "migrate", help="copy everything between the embedded file and the shared store (FINANCE_CATALOG etc.)"
    )
    migrate_cmd.add_argument("direction", choices=["to-shared", "to-embedded"])
    migrate_cmd.add_argument(
        "--db", type=file_path, help="the embedded file (default: $FINANCE_DB or data/finance.duckdb)"
    )
    migrate_cmd.add_argument("--force", action="store_true", help="overwrite a target holding recorded work")

    expire_cmd = commands.add_parser(
        "expire-snapshots", help="shared store only: forget old snapshots and delete the data files only they held"
    )
    expire_cmd.add_argument(
        "--older-than-days", type=bounded_int(0, MAX_DAYS), required=True, help="keep this many days of snapshots"
    )
    expire_cmd.add_argument("--dry-run", action="store_true", help="count what would be expired; change nothing")

    args = parser.parse_args(argv)
    if args.command == "migrate":
        return _migrate(args)
    if args.command == "expire-snapshots":
        return _expire_snapshots(args)
    try:
        db = args.db or configured_store()
    except StoreMisconfigured as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.command in ("load", "undo"):
        return _load_or_undo(args, db)
    try:
        if args.command == "build":
            if args.if_absent and data_db.exists(db):
                changed = build_module.upgrade(db)
                print(f"{db} exists; not rebuilding" + (f" (upgraded: {'; '.join(changed)})" if changed else ""))
                return 0
            summary = build_module.build(db, force=args.force, sample_rows=args.sample_rows, actor=local_actor())
            print(
                f"built {summary.path}: {summary.figures} reported figures, "
                f"{summary.recommendations} recommendations, {summary.sample_lines} sample monitoring lines"
            )
        elif args.command == "sample":
            if not data_db.exists(db):
                print(f"error: no database at {db}; run `python -m data build` first", file=sys.stderr)
                return 2
            with connect(db) as conn:
                load_id = sample.replace_sample(conn, local_actor(), rows=args.rows, seed=args.seed)
            print(f"replaced sample monitoring lines in {db} with {args.rows} lines (load {load_id})")
    except (build_module.RebuildRefused, DatabaseBusy, PermissionDenied, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except (duckdb.Error, OSError, DatabaseMissing) as error:
        return _write_failed(error, db)
    return 0


def _write_failed(error: BaseException, db: data_db.Store) -> int:
    """The real cause in words, then what the database said, instead of a traceback."""
    cause = failure_cause(error) or "The database could not be read or written."
    print(f"error: {cause} Nothing was written.\n({db}: {type(error).__name__}: {error})", file=sys.stderr)
    return 1


def _migrate(args: argparse.Namespace) -> int:
    from data.migrate import StoreInUse, migrate

    file = args.db or data_db.database_path()
    try:
        shared = data_db.shared_store()
        source, target = (file, shared) if args.direction == "to-shared" else (shared, file)
        summary = migrate(source, target, force=args.force)
    except (
        StoreMisconfigured,
        build_module.RebuildRefused,
        data_db.DatabaseMissing,
        DatabaseBusy,
        StoreInUse,
    ) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    copied = ", ".join(f"{rows:,} {table}" for table, rows in summary.rows.items())
    print(f"copied {summary.source} into {summary.target}: {copied}")
    return 0


def _expire_snapshots(args: argparse.Namespace) -> int:
    from data.snapshots import expire_snapshots

    try:
        store = configured_store()
    except StoreMisconfigured as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if not isinstance(store, data_db.LakeStore):
        print(
            f"error: {store} is the embedded file, which keeps no snapshots: expire-snapshots is for the shared "
            'store (FINANCE_STORE=ducklake, see README "Running several replicas"). The file\'s history is its '
            "load records, which are never expired. Nothing was changed.",
            file=sys.stderr,
        )
        return 2
    try:
        summary = expire_snapshots(store, args.older_than_days, dry_run=args.dry_run)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (duckdb.Error, OSError, DatabaseMissing) as error:
        return _write_failed(error, store)
    if summary.dry_run:
        print(
            f"dry run: would expire {counted(summary.expired, 'snapshot')} of {store}, keeping {summary.kept:,}, "
            f"and delete {counted(summary.orphans, 'orphaned file')} left by failed or killed writes; nothing changed"
        )
    else:
        print(
            f"expired {counted(summary.expired, 'snapshot')} of {store} and deleted "
            f"{counted(summary.files_deleted, 'data file')} and {counted(summary.orphans, 'orphaned file')} left by "
            f"failed or killed writes; {counted(summary.kept, 'snapshot')} kept, the oldest from {summary.oldest_kept}"
        )
    return 0


def _load_or_undo(args: argparse.Namespace, db: data_db.Store) -> int:
    """`load` and `undo`: validate outside the lock, then write in one short transaction."""
    if not data_db.exists(db):
        print(f"error: no database at {db}; run `python -m data build` first", file=sys.stderr)
        return 2
    actor = local_actor()
    try:
        if args.command == "undo":
            with connect(db) as conn:
                result = load_module.undo(conn, args.load_id, actor)
            print(
                f"undid load {result.load_id}: removed {counted(result.rows_removed, 'row')}, "
                f"put back {counted(result.lines_restored, 'replaced line')}"
            )
            return 0
        path: Path = args.file
        if not path.is_file():
            print(f"error: no file at {path}", file=sys.stderr)
            return 2
        require(actor, "admin", "load data")  # before a byte of the file is parsed
        with connect(db, read_only=True) as conn:
            names = load_module.directorate_aliases(conn)
        parsed = load_module.read_path(path, names, args.kind, file_name=args.as_name)
        with connect(db, read_only=True) as conn:
            summary = load_module.preview(conn, parsed)
        if summary.duplicate_of is not None:
            print(
                f"error: {parsed.file_name} was already loaded as load {summary.duplicate_of}; "
                f"undo load {summary.duplicate_of} to load it again. Nothing was written.",
                file=sys.stderr,
            )
            return 1
        for line in [*summary.notes, *summary.sample_messages()]:
            print(line)
        print(terminal_table(summary.changes).to_string(index=False, max_rows=60))
        if args.dry_run:
            print("dry run: nothing written")
            return 0
        with connect(db) as conn:
            result = load_module.apply(conn, parsed, actor, file_name=args.as_name)
        print(
            f"loaded {counted(result.rows, 'row')} of {result.kind} from {parsed.file_name} as load {result.load_id}"
            + (f"; replaced {counted(result.lines_replaced, 'reported line')}" if result.lines_replaced else "")
            + (
                f"; replaced {counted(result.sample_lines_replaced, 'sample line')}"
                if result.sample_lines_replaced
                else ""
            )
        )
    except load_module.LoadRejected as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except (PermissionDenied, DatabaseBusy, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except (duckdb.Error, OSError, DatabaseMissing) as error:
        return _write_failed(error, db)
    return 0


if __name__ == "__main__":
    sys.exit(run(main))
