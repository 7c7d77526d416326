"""Published RS releases (tests/fixtures/published) loaded through the command line, and what they hold, read
back for the tests that check them against cells read by hand."""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

from data.__main__ import main as cli
from data.db import connect
from metrics.benchmarking import indicator_values

PUBLISHED = Path(__file__).resolve().parents[1] / "fixtures" / "published"
# The order of the values in the tests' tables of cells read by hand.
KEYS = ("805", "915 1 April", "916 1 April", "915 31 March", "916 31 March")


def load_releases(built_db: Path, folder: Path, files: dict[str, Path], neighbours: str | Path) -> tuple[Path, dict]:
    """A copy of the built database with each file loaded, oldest first, and then the neighbours (a CSV's text or
    its path); returns the database and what each load said, its spacing made even."""
    db = folder / "finance.duckdb"
    shutil.copyfile(built_db, db)
    said = {}
    for year, path in files.items():
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert cli(["load", str(path), "--kind", "returns", "--db", str(db)]) == 0, out.getvalue()
        said[year] = " ".join(out.getvalue().split())
    if isinstance(neighbours, str):
        (folder / "neighbours.csv").write_text(neighbours)
        neighbours = folder / "neighbours.csv"
    with contextlib.redirect_stdout(io.StringIO()):
        assert cli(["load", str(neighbours), "--kind", "neighbours", "--db", str(db)]) == 0
    return db, said


def held_lines(db: Path, code: str, year: str) -> dict[str, tuple[float, str]]:
    """{"805": (value, cell), "915 1 April": ...} as held for one authority's return for one year."""
    with connect(db, read_only=True) as conn:
        rows = conn.execute(
            "SELECT line, balance_at, value_gbp_k, cell FROM returns WHERE ons_code = $c AND fiscal_year = $y",
            {"c": code, "y": year},
        ).fetchall()
    return {f"{line}{' ' + at if at else ''}": (value, cell) for line, at, value, cell in rows}


def indicators_by_key(db: Path, codes: list[str]) -> dict[tuple[str, str, str], object]:
    """Each indicator row for these authorities, by (ONS code, year, indicator)."""
    with connect(db, read_only=True) as conn:
        frame = indicator_values(conn, codes)
    return {(row.ons_code, row.fiscal_year, row.indicator): row for row in frame.itertuples()}
