"""Period-close snapshots and savings: the standard extract loads as it is, a period replaces only itself,
the monthly format converts by its documented rule, and bad files are refused changing nothing."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import duckdb
import pytest

from data import db, load
from data.__main__ import main as cli
from data.access import Actor
from data.db import connect
from tests.support.load_files import MONITORING_HEADER, csv_bytes, table_checksums, xlsx_bytes

ADMIN = Actor("finance.bp@dorsetcouncil.example", "admin")
SAVINGS_HEADER = ["fiscal_year", "period", "directorate", "scheme", "target_gbp", "forecast_delivery_gbp", "status"]
MONTHLY_HEADER = ["fiscal_year", "period_month", "directorate", "service", "cost_centre", "budget_gbp",
                  "actual_gbp", "forecast_gbp"]  # fmt: skip


def extract(period: str, place_forecast: str = "1300", children_forecast: str = "2100") -> list[list[str]]:
    return [
        ["2021/22", period, "Place", "Highways", "PL-1", "1000", "400", place_forecast],
        ["2021/22", period, "Children's Services", "Care & Protection", "CS-1", "2000", "900", children_forecast],
    ]


def load_bytes(db, name: str, content: bytes, kind: str | None = None):
    with connect(db, read_only=True) as conn:
        parsed = load.read(name, content, load.directorate_aliases(conn), kind)
        summary = load.preview(conn, parsed)
    with connect(db) as conn:
        return parsed, summary, load.apply(conn, parsed, ADMIN)


HELD = {
    "monitoring": "SELECT * EXCLUDE (basis) FROM monitoring WHERE basis = $basis ORDER BY ALL",
    "savings": "SELECT * EXCLUDE (basis) FROM savings WHERE basis = $basis ORDER BY ALL",
}


def held(db, table: str = "monitoring", basis: str = "reported") -> list[tuple]:
    with connect(db, read_only=True) as conn:
        return conn.execute(HELD[table], {"basis": basis}).fetchall()


def test_the_standard_extract_header_loads_as_it_is_from_csv_and_xlsx(db_path):
    assert MONITORING_HEADER == ["fiscal_year", "period", "directorate", "service", "cost_centre",
                                 "annual_budget_gbp", "actual_ytd_gbp", "forecast_outturn_gbp"]  # fmt: skip
    _, summary, first = load_bytes(db_path, "p4.csv", csv_bytes(extract("P4")))
    assert list(summary.changes["period"]) == ["P4", "P4"]
    _, _, second = load_bytes(db_path, "p5.xlsx", xlsx_bytes([[*r[:5], 1000, 500.5, 1250] for r in extract(5)[:1]]))
    assert held(db_path) == [
        ("2021/22", 4, "Children's Services", "Care & Protection", "CS-1", Decimal("2000.00"), Decimal("900.00"),
         Decimal("2100.00"), first.load_id),
        ("2021/22", 4, "Place", "Highways", "PL-1", Decimal("1000.00"), Decimal("400.00"), Decimal("1300.00"),
         first.load_id),
        ("2021/22", 5, "Place", "Highways", "PL-1", Decimal("1000.00"), Decimal("500.50"), Decimal("1250.00"),
         second.load_id),
    ]  # fmt: skip


def test_a_period_replaces_only_that_period_for_the_directorates_in_the_file_and_undo_restores(store):
    _, _, p4 = load_bytes(store, "p4.csv", csv_bytes(extract("P4")))
    _, _, p5 = load_bytes(store, "p5.csv", csv_bytes(extract("P5")))
    before = held(store)
    place_again = [["2021/22", "P5", "Place", "Highways", "PL-2", "50", "5", "70"]]
    _, summary, again = load_bytes(store, "p5-place.csv", csv_bytes(place_again))
    row = summary.changes.iloc[0]
    assert (row["lines_in_file"], row["lines_added"], row["lines_removed"]) == (1, 1, 1)
    after = {(r[1], r[2], r[4]): r[-1] for r in held(store)}
    assert after == {
        (4, "Place", "PL-1"): p4.load_id,  # P4 kept
        (4, "Children's Services", "CS-1"): p4.load_id,
        (5, "Children's Services", "CS-1"): p5.load_id,  # not in the file: kept
        (5, "Place", "PL-2"): again.load_id,  # P5 Place replaced as a whole
    }
    with connect(store) as conn:
        load.undo(conn, again.load_id, ADMIN)
    assert held(store) == before


def test_the_monthly_format_converts_by_the_documented_rule(db_path):
    rows = [
        ["2020/21", month, "Place", "Highways", "PL-9", "100", "110" if month <= 3 else "0", "120"]
        for month in range(1, 13)
    ]
    parsed, summary, result = load_bytes(db_path, "monthly.csv", csv_bytes(rows, MONTHLY_HEADER))
    assert any("converted to 12 period-close snapshot lines" in note for note in summary.notes)
    snapshots = {r[1]: r[5:8] for r in held(db_path)}
    assert len(snapshots) == 12
    # P3: budget 12 x 100; actual 3 x 110; forecast 330 + 9 months x 120.
    assert snapshots[3] == (Decimal("1200.00"), Decimal("330.00"), Decimal("1410.00"))
    assert snapshots[12] == (Decimal("1200.00"), Decimal("330.00"), Decimal("330.00"))
    assert snapshots[1] == (Decimal("1200.00"), Decimal("110.00"), Decimal("1430.00"))
    assert result.rows == 12 and parsed.kind == "monitoring"


def test_a_monthly_file_without_all_twelve_months_is_refused_naming_the_row_and_column(db_path, tmp_path, capsys):
    rows = [["2020/21", month, "Place", "Highways", "PL-9", "100", "110", "120"] for month in (1, 2, 3)]
    file = tmp_path / "three-months.csv"
    file.write_bytes(csv_bytes(rows, MONTHLY_HEADER))
    before = table_checksums(db_path)
    assert cli(["load", str(file), "--db", str(db_path)]) == 1
    err = capsys.readouterr().err
    assert "three-months.csv, row 2, column period_month (B): cost centre 'PL-9' for 2020/21 lacks months 4, 5" in err
    assert table_checksums(db_path) == before


SAVINGS_ROWS = [
    ["2021/22", "P4", "Place", "Waste rounds", "£800,000", "£600,000", "At risk"],
    ["2021/22", "P4", "Adults and Housing", "Home care review", "1500000", "1500000", "on track"],
]


def test_a_savings_file_loads_replaces_its_period_and_directorate_and_undoes(store):
    parsed, _, first = load_bytes(store, "savings-p4.csv", csv_bytes(SAVINGS_ROWS, SAVINGS_HEADER))
    assert parsed.kind == "savings" and first.kind == "savings"
    assert first.sample_lines_replaced == 36  # the sample's 2021/22 schemes
    assert held(store, "savings") == [
        ("2021/22", 4, "Adults & Housing", "Home care review", Decimal("1500000.00"), Decimal("1500000.00"),
         "on_track", first.load_id),
        ("2021/22", 4, "Place", "Waste rounds", Decimal("800000.00"), Decimal("600000.00"), "at_risk", first.load_id),
    ]  # fmt: skip
    replacement = [["2021/22", "P4", "Place", "Waste rounds", "800000", "700000", "At risk"]]
    _, _, second = load_bytes(store, "savings-p4-place.csv", csv_bytes(replacement, SAVINGS_HEADER))
    assert [(r[2], r[5], r[-1]) for r in held(store, "savings")] == [
        ("Adults & Housing", Decimal("1500000.00"), first.load_id),
        ("Place", Decimal("700000.00"), second.load_id),
    ]
    with connect(store) as conn:
        load.undo(conn, second.load_id, ADMIN)
        load.undo(conn, first.load_id, ADMIN)
    assert held(store, "savings") == []
    assert len(held(store, "savings", "sample")) == 36


def _savings_with(row: int, column: str, value: str) -> bytes:
    rows = [list(r) for r in SAVINGS_ROWS]
    rows[row - 2][SAVINGS_HEADER.index(column)] = value
    return csv_bytes(rows, SAVINGS_HEADER)


def _extract_with(row: int, column: str, value: str) -> bytes:
    rows = extract("P4")
    rows[row - 2][MONITORING_HEADER.index(column)] = value
    return csv_bytes(rows)


BAD = [
    ("extract: period 13", "a.csv", _extract_with(2, "period", "P13"), 2, "period (B)"),
    ("extract: text budget", "a.csv", _extract_with(3, "annual_budget_gbp", "lots"), 3, "annual_budget_gbp (F)"),
    ("extract: formula outturn", "a.csv", _extract_with(2, "forecast_outturn_gbp", "=F2"), 2,
     "forecast_outturn_gbp (H)"),
    ("extract: missing column", "a.csv", csv_bytes([r[:7] for r in extract("P4")], MONITORING_HEADER[:7]), 1,
     "forecast_outturn_gbp"),
    ("extract: duplicate cost centre", "a.csv", csv_bytes([*extract("P4"), extract("P4")[0]]), 4, "cost_centre (E)"),
    ("extract xlsx: date in actual", "a.xlsx", xlsx_bytes([[*extract("P4")[0][:6], datetime(2021, 4, 1), 1]]), 2,
     "actual_ytd_gbp (G)"),
    ("savings: unknown status", "s.csv", _savings_with(3, "status", "Maybe"), 3, "status (G)"),
    ("savings: pence fractions", "s.csv", _savings_with(2, "target_gbp", "1.005"), 2, "target_gbp (E)"),
    ("savings: unknown directorate", "s.csv", _savings_with(2, "directorate", "Parks"), 2, "directorate (C)"),
    ("savings: duplicate scheme", "s.csv", csv_bytes([*SAVINGS_ROWS, SAVINGS_ROWS[0]], SAVINGS_HEADER), 4,
     "scheme (D)"),
    ("savings: html scheme", "s.csv", _savings_with(2, "scheme", "<b>x</b>"), 2, "scheme (D)"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "name", "content", "row", "column"), BAD, ids=[c[0] for c in BAD])
def test_a_bad_extract_or_savings_file_is_refused_with_row_and_column_and_changes_nothing(
    db_path, tmp_path, capsys, case, name, content, row, column
):
    file = tmp_path / name
    file.write_bytes(content)
    before = table_checksums(db_path)
    assert cli(["load", str(file), "--db", str(db_path)]) == 1
    err = capsys.readouterr().err
    assert "nothing was loaded" in err
    if row is not None:
        where = f"row {row}, column {column}:"
        assert any(line.strip().startswith(f"{name}, ") and where in line for line in err.splitlines()), err
    assert table_checksums(db_path) == before


BREAKING_ROWS = {
    "savings": "INSERT INTO savings VALUES ('2021/22', 4, 'Place', 'X', 1, 1, 'maybe', 'reported', 999999)",
    "monitoring": "INSERT INTO monitoring VALUES ('2021/22', 13, 'Place', 'S', 'C', 1, 1, 1, 'reported', 999999)",
}


@pytest.mark.parametrize("table", BREAKING_ROWS)
def test_the_shared_store_refuses_a_row_that_breaks_schema_sql(lake_store, table):
    """DuckLake holds no CHECK constraints: the write path checks schema.sql's rules before it commits."""
    with connect(lake_store) as conn:
        conn.execute("BEGIN TRANSACTION")
        conn.execute(BREAKING_ROWS[table])
        with pytest.raises(duckdb.ConstraintException, match=f"CHECK constraint failed on {table}"):
            db.enforce_schema_rules(conn, table, 999999)
        db.roll_back(conn)
    with connect(lake_store, read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM savings WHERE load_id = 999999").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM monitoring WHERE load_id = 999999").fetchone()[0] == 0
