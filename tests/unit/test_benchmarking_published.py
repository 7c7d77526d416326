"""MHCLG's published RS 2017-18 workbook, loaded as published; values checked against its cells by hand.

Where the file came from: tests/fixtures/README.md.
"""

from __future__ import annotations

import contextlib
import io
import math
import shutil
from pathlib import Path

import pytest

from data.__main__ import main as cli
from data.db import connect
from metrics.benchmarking import indicator_values

PUBLISHED = Path(__file__).resolve().parents[1] / "fixtures" / "published" / "RS_2017-18_data_by_LA.xlsx"
YEAR = "2017/18"


@pytest.fixture(scope="module")
def loaded(built_db, tmp_path_factory):
    """The published workbook loaded once through the command line; the tests only read it."""
    db = tmp_path_factory.mktemp("published") / "finance.duckdb"
    shutil.copyfile(built_db, db)
    said = io.StringIO()
    with contextlib.redirect_stdout(said):
        assert cli(["load", str(PUBLISHED), "--kind", "returns", "--db", str(db)]) == 0
    return db, said.getvalue()


def held(db, code: str) -> dict[tuple[int, str | None], tuple[float | None, str]]:
    with connect(db, read_only=True) as conn:
        rows = conn.execute(
            "SELECT line, balance_at, value_gbp_k, cell FROM returns WHERE ons_code = $c AND fiscal_year = $y",
            {"c": code, "y": YEAR},
        ).fetchall()
    return {(line, at): (value, cell) for line, at, value, cell in rows}


def test_every_council_in_the_published_workbook_lands_and_the_bodies_it_cannot_use_are_named(loaded):
    db, said = loaded
    with connect(db, read_only=True) as conn:
        assert conn.execute("SELECT count(DISTINCT ons_code) FROM returns").fetchone()[0] == 444
        assert conn.execute("SELECT DISTINCT sheet FROM returns").fetchall() == [("RS LA Data 2017-18",)]
    # Copeland sent no return (its cells read "…"; the row is marked "Grossed"); Lee Valley has no ONS code.
    assert "row 220, Copeland (marked 'Grossed'" in said
    assert "row 451, Lee Valley Regional Park Authority (no ONS code)" in said
    assert "nothing held for this year" in said  # the preview's "replaces" column, never None
    assert all(value is None for value, _ in held(db, "E07000029").values())


def test_dorset_county_councils_2017_18_lines_are_the_cells_of_row_88(loaded):
    db, _ = loaded
    lines = held(db, "E10000009")
    # Read off the published sheet by hand: row 88, columns AJ (749), BG (805), BU/BV (1 April), BY/BZ (31 March).
    assert lines[(749, None)] == (507973.0, "AJ88")
    assert lines[(805, None)] == (289393.0, "BG88")
    assert lines[(915, "1 April")] == (pytest.approx(54222.57016), "BU88")
    assert lines[(916, "1 April")] == (pytest.approx(14977.50825), "BV88")
    assert lines[(915, "31 March")] == (pytest.approx(40199.57016), "BY88")
    assert lines[(916, "31 March")] == (pytest.approx(12374.50825), "BZ88")


@pytest.mark.parametrize(
    ("code", "reserves_share", "unallocated_share"),
    [
        # Dorset County Council: (40,199.57 + 12,374.51) / 289,393 = 18.17%; 12,374.51 / 289,393 = 4.28%
        ("E10000009", 100 * (40199.57016 + 12374.50825) / 289393, 100 * 12374.50825 / 289393),
        # Bournemouth (row 65): (22,909 + 8,357) / 132,052.44 = 23.68%; 8,357 / 132,052.44 = 6.33%
        ("E06000028", 100 * (22909 + 8357) / 132052.435497, 100 * 8357 / 132052.435497),
    ],
)
def test_the_shares_of_net_revenue_expenditure_are_the_hand_worked_values(loaded, code, reserves_share,
                                                                          unallocated_share):  # fmt: skip
    db, _ = loaded
    with connect(db, read_only=True) as conn:
        frame = indicator_values(conn, [code])
    got = {row.indicator: row for row in frame[frame["fiscal_year"] == YEAR].itertuples()}
    assert got["reserves_share"].value == pytest.approx(reserves_share)
    assert got["unallocated_share"].value == pytest.approx(unallocated_share)
    assert round(got["reserves_share"].value, 2) == {"E10000009": 18.17, "E06000028": 23.68}[code]
    # One year held: no three-year change, said with a reason rather than a number.
    assert math.isnan(got["change_3y"].value) and got["change_3y"].reason


def test_an_excel_97_2003_rs_workbook_is_refused_with_the_reason_and_nothing_changes(db_path, tmp_path, capsys):
    # The 2014-15 and earlier RS workbooks are .xls: an OLE2 compound document. Its signature is enough here.
    old = tmp_path / "Revenue_Outturn_Summary__RS__data_2014-15_by_LA_-_02-Feb-2016.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    with connect(db_path, read_only=True) as conn:
        before = conn.execute("SELECT count(*) FROM loads").fetchone()[0]
    assert cli(["load", str(old), "--kind", "returns", "--db", str(db_path)]) != 0
    said = capsys.readouterr()
    assert "Excel 97-2003 (.xls) RS workbook" in said.out + said.err
    assert "Traceback" not in said.out + said.err
    assert cli(["load", str(old), "--db", str(db_path)]) != 0
    assert "save it as .xlsx" in "".join(capsys.readouterr())
    with connect(db_path, read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM loads").fetchone()[0] == before


def test_dorset_county_council_is_never_shown_as_plain_dorset_the_name_of_its_successor(loaded):
    """MHCLG's workbook names Dorset County Council (E10000009) "Dorset"; beside Dorset Council that read as the
    dashboard's own council. A predecessor the dashboard knows is shown under its full name."""
    from metrics.benchmarking import authorities, benchmark

    db, _ = loaded
    with connect(db, read_only=True) as conn:
        assert conn.execute("SELECT DISTINCT authority FROM returns WHERE ons_code = 'E10000009'").fetchall() == [
            ("Dorset",)
        ]
        held = authorities(conn)
        own = benchmark(conn, "E10000009", YEAR)
        successor = benchmark(conn, "E06000059", YEAR)
    assert held.loc[held["ons_code"] == "E10000009", "authority"].tolist() == ["Dorset County Council"]
    assert own.authority_name == "Dorset County Council"
    shown = dict(zip(successor.predecessor_values["ons_code"], successor.predecessor_values["authority"], strict=True))
    assert shown["E10000009"] == "Dorset County Council"
    assert "Dorset" not in set(successor.predecessor_values["authority"])
