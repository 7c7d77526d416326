"""Command line: briefing packs for scheduled jobs, and the list of chart ids.

    python -m exports briefing --out FILE.pptx|FILE.pdf [--charts ID ...] [--db PATH] [--no-headline-figures]
    python -m exports list

Exit status: 0 written, 1 could not build (no database, no Chromium, rendering failed), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from charts.all import load_catalogue
from data import db as data_db
from data.command_line import file_path, plausible_date, run
from exports import briefing
from exports.images import ExportFailed, ExportUnavailable
from metrics.current import current_position
from metrics.figures import source_documents


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m exports", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    pack = commands.add_parser("briefing", help="write a briefing pack as PowerPoint or PDF")
    pack.add_argument("--out", required=True, type=file_path, help="the file to write: .pptx or .pdf")
    pack.add_argument("--charts", nargs="+", metavar="ID", help="chart ids in slide order (default: every chart)")
    pack.add_argument("--db", type=file_path, help="the database (default: $FINANCE_DB or data/finance.duckdb)")
    pack.add_argument("--no-headline-figures", action="store_true", help="leave out the headline figures slide")
    pack.add_argument(
        "--as-at",
        type=plausible_date,
        metavar="YYYY-MM-DD",
        help="the pack as the dashboard stood on this date: only figures known then (default: everything held)",
    )
    commands.add_parser("list", help="list the chart ids a pack can include")
    return parser


def _write_atomically(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _briefing(args: argparse.Namespace) -> int:
    kind = args.out.suffix.lower().lstrip(".")
    if kind not in ("pptx", "pdf"):
        print(f"error: --out must end in .pptx or .pdf; got {args.out.name}", file=sys.stderr)
        return 2
    catalogue = load_catalogue()
    chart_ids = list(args.charts) if args.charts else list(catalogue)
    unknown = [chart_id for chart_id in chart_ids if chart_id not in catalogue]
    if unknown:
        known = ", ".join(catalogue) or "none yet"
        noun = "id" if len(unknown) == 1 else "ids"
        print(f"error: unknown chart {noun}: {', '.join(unknown)}. Known ids: {known}", file=sys.stderr)
        return 2
    if not chart_ids and args.no_headline_figures:
        print("error: nothing to put in the pack: no charts and --no-headline-figures", file=sys.stderr)
        return 2
    try:
        with data_db.connect(args.db, read_only=True) as conn:
            info = briefing.pack_info(source_documents(conn, as_at=args.as_at), as_at=args.as_at)
            items: list[briefing.PackItem] = []
            if not args.no_headline_figures:
                headline = current_position(conn, as_at=args.as_at)
                items.append(briefing.HeadlineSlide(tuple(briefing.headline_figures(headline))))
            items += [catalogue[chart_id].chart(conn, as_at=args.as_at) for chart_id in chart_ids]
        content = briefing.build_pack(items, info, kind)
    except (data_db.DatabaseMissing, data_db.DatabaseBusy, ExportUnavailable, ExportFailed, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    _write_atomically(args.out, content)
    print(f"Wrote {args.out}: a title page and {_count(len(items), 'item')} ({_count(len(chart_ids), 'chart')}).")
    return 0


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "list":
        for entry in load_catalogue().values():
            print(f"{entry.chart_id}\t{entry.name}\t({entry.page})")
        return 0
    return _briefing(args)


if __name__ == "__main__":
    sys.exit(run(main))
