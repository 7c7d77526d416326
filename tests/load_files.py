"""Helpers for the loader tests: table checksums and files built in the test."""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
from openpyxl import Workbook

MONITORING_HEADER = [
    "fiscal_year",
    "period",
    "directorate",
    "service",
    "cost_centre",
    "annual_budget_gbp",
    "actual_ytd_gbp",
    "forecast_outturn_gbp",
]


def table_checksums(path: Path) -> dict[str, tuple[int, str]]:
    """Row count and md5 of every base table's rows, in a fixed order. Equal dicts = identical tables."""
    with duckdb.connect(str(path), read_only=True) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' ORDER BY 1"
            ).fetchall()
        ]
        sums = {}
        for table in tables:
            sums[table] = tuple(
                conn.execute(
                    "SELECT count(*), md5(coalesce(string_agg(t::VARCHAR, '|' ORDER BY t::VARCHAR), '')) "
                    f"FROM {table} t"
                ).fetchall()[0]
            )
        sums["load_id_seq"] = conn.execute("SELECT max(load_id) FROM loads").fetchall()[0]
    return sums


def csv_bytes(rows: list[list[object]], header: list[str] = MONITORING_HEADER) -> bytes:
    lines = [",".join(header)]
    for row in rows:
        cells = []
        for cell in row:
            text = "" if cell is None else str(cell)
            cells.append('"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n') else text)
        lines.append(",".join(cells))
    return ("\n".join(lines) + "\n").encode("utf-8")


def xlsx_bytes(rows: list[list[object]], header: list[str] = MONITORING_HEADER, extra_sheets: int = 0) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "monitoring"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for index in range(extra_sheets):
        workbook.create_sheet(f"Notes {index + 1}").append(["a note"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
