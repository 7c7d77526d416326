"""Helpers for the loader tests: table checksums and files built in the test."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

from openpyxl import Workbook

from data.db import connect
from tests.support.helpers import PROJECT_DIR

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


def table_checksums(store) -> dict[str, tuple[int, str]]:
    """Row count and md5 of every base table's rows, in a fixed order. Equal dicts = identical tables."""
    with connect(store, read_only=True) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
                "AND table_catalog = current_database() ORDER BY 1"
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


# The preview in pounds on the Data & sources page, as headed there.
POUND_HEADINGS = (
    "Year",
    "Period",
    "Directorate",
    "Annual budget: in the file (£)",
    "Annual budget: held now (£)",
    "Forecast outturn: in the file (£)",
    "Forecast outturn: held now (£)",
    "Variance: in the file (£)",
    "Variance: held now (£)",
)


def two_period_extract(period: int) -> bytes:
    """The P4 or P6 file of TWO_PERIOD_LINES, as a finance business partner would export it."""
    column = 4 if period == 4 else 5
    rows = [
        ["2021/22", f"P{period}", d, s, cc, str(budget), str(round(budget * period / 12)), str(line[column])]
        for line in TWO_PERIOD_LINES
        for d, s, cc, budget in [line[:4]]
    ]
    return csv_bytes(rows)


def two_period_files(folder: Path) -> tuple[Path, Path]:
    """The P4 and P6 files written into `folder`, named as a business partner would name them."""
    p4, p6 = folder / "ledger-2021-22-p4.csv", folder / "ledger-2021-22-p6.csv"
    p4.write_bytes(two_period_extract(4))
    p6.write_bytes(two_period_extract(6))
    return p4, p6


def _inline_row(number: int, values: list[object]) -> str:
    cells = []
    for index, value in enumerate(values):
        reference = f"{chr(65 + index)}{number}"
        if isinstance(value, int | float):
            cells.append(f'<c r="{reference}"><v>{value}</v></c>')
        else:
            cells.append(f'<c r="{reference}" t="inlineStr"><is><t>{value}</t></is></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


def sheet_xml(rows: list[list[object]], *, dimension: str | None = None, extra: str = "") -> str:
    """A worksheet part written by hand: inline strings, so no shared-strings part is needed."""
    body = "".join(_inline_row(number, values) for number, values in enumerate(rows, start=1))
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{declared}<sheetData>{body}{extra}</sheetData></worksheet>"
    )


def hand_made_xlsx(sheets: list[tuple[str, str, str, str]]) -> bytes:
    """A workbook from (sheet name, state, part name, worksheet XML), listed in that order.

    Built by hand so a test can make what Excel would not write itself: a declared size far beyond
    the cells, a hidden first sheet, a sheet stored outside xl/worksheets/.
    """
    rel_ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    listed = "".join(
        f'<sheet name="{name}" sheetId="{index}" r:id="rId{index}"'
        + ("" if state == "visible" else f' state="{state}"')
        + "/>"
        for index, (name, state, _, _) in enumerate(sheets, start=1)
    )
    relationships = "".join(
        f'<Relationship Id="rId{index}" Type="{rel_ns}/worksheet" Target="/{part}"/>'
        for index, (_, _, part, _) in enumerate(sheets, start=1)
    )
    overrides = "".join(
        f'<Override PartName="/{part}" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for _, _, part, _ in sheets
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{overrides}</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel_ns}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'xmlns:r="{rel_ns}"><sheets>{listed}</sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{relationships}'
            "</Relationships>",
        )
        for _, _, part, xml in sheets:
            archive.writestr(part, xml)
    return buffer.getvalue()


def peak_mb_of(command: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    """Peak memory (MB) of `command` alone: ru_maxrss of RUSAGE_CHILDREN in a fresh parent holds only it."""
    measure = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=False); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", measure, *command], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=600
    )
    *_, peak_kib = done.stderr.split()
    return int(peak_kib) / 1024, done
