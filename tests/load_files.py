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


# A small period-close extract with known variances, at P4 and P6 of 2021/22 (pounds).
# (directorate, service, cost centre, annual budget, forecast at P4, forecast at P6)
TWO_PERIOD_LINES = [
    ("Adults & Housing", "Adult Care & Support", "AH-1", 10_000_000, 11_000_000, 10_400_000),
    ("Adults & Housing", "Housing", "AH-2", 5_000_000, 4_900_000, 5_000_000),
    ("Children's Services", "Care & Protection", "CS-1", 20_000_000, 20_100_000, 20_700_000),
    ("Place", "Highways", "PL-1", 10_000_000, 10_150_000, 9_900_000),
]
# What the monitoring table shows at P6 (movement since P4), worked out by hand:
# (name, annual budget, forecast outturn, variance, variance %, movement since P4, RAG at 1% / 3%)
TWO_PERIOD_TABLE_AT_P6 = [
    ("Adults & Housing", "£15.0m", "£15.4m", "£0.40m over", "+2.7%", "better by £0.50m", "Amber"),
    ("Children's Services", "£20.0m", "£20.7m", "£0.70m over", "+3.5%", "worse by £0.60m", "Red"),
    ("Place", "£10.0m", "£9.9m", "£0.10m under", "-1.0%", "better by £0.25m", "Green"),
    ("Council total", "£45.0m", "£46.0m", "£1.0m over", "+2.2%", "better by £0.15m", "Amber"),
]
# The same in pounds and percent: (variance, variance % of budget, movement since P4)
TWO_PERIOD_NUMBERS_AT_P6 = {
    "Adults & Housing": (400_000, 400_000 / 15_000_000 * 100, -500_000),
    "Children's Services": (700_000, 3.5, 600_000),
    "Place": (-100_000, -1.0, -250_000),
    "Council total": (1_000_000, 1_000_000 / 45_000_000 * 100, -150_000),
}


def two_period_extract(period: int) -> bytes:
    """The P4 or P6 file of TWO_PERIOD_LINES, as a finance business partner would export it."""
    column = 4 if period == 4 else 5
    rows = [
        ["2021/22", f"P{period}", d, s, cc, str(budget), str(round(budget * period / 12)), str(line[column])]
        for line in TWO_PERIOD_LINES
        for d, s, cc, budget in [line[:4]]
    ]
    return csv_bytes(rows)
