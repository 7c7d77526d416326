"""The period-close extract as XLSX is checked in DuckDB (data/load/staged_xlsx.py), and any workbook it
accepts is accepted by the cell-by-cell checks with exactly the same typed rows; anything else (a formula, a
date, an empty row, another column, a hidden sheet, a number openpyxl and DuckDB print differently) goes to
the cell-by-cell checks, whose messages are unchanged."""

from __future__ import annotations

import io
import re
import sys
import zipfile
from datetime import date
from xml.sax.saxutils import escape

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from data import load
from data.load import cells, staged_xlsx
from data.load._model import MONITORING_COLUMNS
from tests.support.load_files import hand_made_xlsx, peak_mb_of, sheet_xml, xlsx_bytes
from tests.unit.test_load_staged import (
    NAMES,
    amounts,
    directorates,
    ledger_line,
    one_cell_made_odd,
    periods,
    read_cell_by_cell,
    texts,
    years,
)

DRY_RUN_LINES = 100_000
DRY_RUN_PEAK_MB = 250
LINE = ["2021/22", "P6", "Place", "Highways", "PL-1", 1000, "400", 1100.5]

# Numbers as a spreadsheet holds them: pence, whole pounds, binary fractions (0.1 + 0.2), more decimals
# than pence, beyond the limit, minus zero; each cell of a line may be one.
numbers = st.one_of(
    st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False).map(float),
    st.integers(-(10**13), 10**13),
    st.sampled_from([0.1 + 0.2, 1234.5, -0.0, 12.0, 1e20, 1e-7, 1234.565, 123456789012.34001, 0.005, 6, 6.0]),
    st.floats(-(10**12), 10**12, allow_nan=False),
)
odd_cell = st.tuples(
    st.integers(0, 7),
    st.one_of(years, periods, directorates, texts, amounts, numbers, st.none(), st.just(date(2021, 9, 30))),
)
# Cost centres as numbers: whole, in floating point, too long for a double to print whole.
numbered_centres = st.one_of(st.none(), st.integers(0, 10**17), st.sampled_from([12.0, 7.5, 1e20, 0.1 + 0.2]))
# A ledger's lines with the amounts as numbers or as text, then at most one cell of the file made odd.
xlsx_line = st.tuples(ledger_line, st.lists(st.booleans(), min_size=3, max_size=3), numbered_centres).map(
    lambda drawn: [*drawn[0][:4], drawn[0][4] if drawn[2] is None else drawn[2], *[
        float(cell.replace("£", "").replace(",", "")) if as_number else cell
        for cell, as_number in zip(drawn[0][5:], drawn[1], strict=True)
    ]]
)  # fmt: skip
rows = one_cell_made_odd(xlsx_line, odd_cell)


def fast(content: bytes) -> load.ParsedFile | None:
    return staged_xlsx.monitoring_workbook("p6.xlsx", content, cells._monitoring_checks(NAMES))


def same_result_as_cell_by_cell(content: bytes) -> None:
    """load.read says exactly what the cell-by-cell path says, problems or lines."""
    raw, problems = load.parse("p6.xlsx", content)
    try:
        expected = problems or cells.validate_monitoring(raw, NAMES)
    except load.LoadRejected as rejected:
        expected = rejected.problems
    try:
        found = load.read("p6.xlsx", content, NAMES)
    except load.LoadRejected as rejected:
        assert rejected.problems == expected
    else:
        pd.testing.assert_frame_equal(found.frame, expected.frame)


def written_by_hand(rows: list[list[object]], header: list[str]) -> bytes:
    """As another program might write it: each number as Python prints it (0.30000000000000004, 12.0, 1e+20)."""
    cells = [[escape(cell) if isinstance(cell, str) else cell for cell in row] for row in [header, *rows]]
    return hand_made_xlsx([("Extract", "visible", "xl/worksheets/sheet1.xml", sheet_xml(cells))])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=rows, order=st.permutations(range(8)), write=st.sampled_from([xlsx_bytes, written_by_hand]))
def test_a_workbook_the_staged_checks_accept_is_accepted_cell_by_cell_with_the_same_rows(lines, order, write):
    header = [MONITORING_COLUMNS[i] for i in order]
    if write is written_by_hand and any(isinstance(cell, date) or cell is None for line in lines for cell in line):
        write = xlsx_bytes  # the hand-written sheet holds numbers and text only
    content = write([[line[i] for i in order] for line in lines], header)
    checked = fast(content)
    event("checked in DuckDB" if checked is not None else "left to the cell-by-cell checks")
    if checked is None:
        return
    slow = read_cell_by_cell("p6.xlsx", content)
    pd.testing.assert_frame_equal(checked.frame, slow.frame)
    assert (checked.kind, checked.file_name, checked.sha256) == (slow.kind, slow.file_name, slow.sha256)


def test_a_plain_workbook_is_checked_in_duckdb_not_cell_by_cell(monkeypatch):
    def cell_by_cell(*args, **kwargs):
        raise AssertionError("checked cell by cell")

    content = xlsx_bytes([LINE, ["2021-22", 6, "childrens", "Care", "CS-1", "(1,234.50)", -0.5, 0.1 + 0.2]])
    monkeypatch.setattr(cells, "_rows", cell_by_cell)
    parsed = load.read("p6.xlsx", content, NAMES)
    assert parsed.frame.values.tolist() == [
        ["2021/22", 6, "Place", "Highways", "PL-1", "1000.00", "400.00", "1100.50"],
        ["2021/22", 6, "Children's Services", "Care", "CS-1", "-1234.50", "-0.50", "0.30"],
    ]


def _workbook(rows: list[list[object]], *, hidden: bool = False) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    if hidden:
        workbook.create_sheet("Old").sheet_state = "hidden"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


HEADER = list(MONITORING_COLUMNS)
UNUSUAL = {
    "a formula": [HEADER, LINE, [*LINE[:5], "=1000+1", 1, 2]],
    "a date": [HEADER, LINE, [*LINE[:4], date(2021, 9, 30), *LINE[5:]]],
    "more than two decimals": [HEADER, LINE, [*LINE[:5], 1234.567, 1, 2]],
    "an empty row in the middle": [HEADER, LINE, [], [*LINE[:4], "PL-2", *LINE[5:]]],
    "another column": [HEADER, [*LINE, None, "note"]],
    "a header not the template's": [[*HEADER[:7], "forecast"], LINE],
    "a problem": [HEADER, [*LINE[:2], "Parks", *LINE[3:]]],
    "true as an amount": [HEADER, [*LINE[:5], True, 1, 2]],
}


@pytest.mark.parametrize("unusual", UNUSUAL)
def test_an_unusual_workbook_is_left_to_the_cell_by_cell_checks_with_the_same_words(unusual):
    content = _workbook(UNUSUAL[unusual])
    assert fast(content) is None
    same_result_as_cell_by_cell(content)


def _hand_made(rows: list[list[object]]) -> bytes:
    return hand_made_xlsx([("Extract", "visible", "xl/worksheets/sheet1.xml", sheet_xml(rows))])


@pytest.mark.parametrize(
    "content",
    [
        _workbook([HEADER, LINE], hidden=True),
        _hand_made([[], HEADER, LINE]),  # the header below a blank row
        _hand_made([HEADER, [*LINE[:4], 12.0, *LINE[5:]]]),  # <v>12.0</v>: openpyxl reads 12, DuckDB 12.0
        _hand_made([HEADER, [*LINE[:5], 1e20, 1, 2]]),  # <v>1e+20</v>
    ],
    ids=["a hidden sheet", "blank rows above the header", "12.0 as a cost centre", "1e+20 as an amount"],
)
def test_a_workbook_duckdb_and_openpyxl_might_read_apart_is_left_to_the_cell_by_cell_checks(content):
    assert fast(_hand_made([HEADER, LINE])) is not None  # the same workbook without the odd cell is not
    assert fast(content) is None
    same_result_as_cell_by_cell(content)


def test_a_100000_line_workbook_dry_run_peaks_under_250_mb_and_previews_every_line(db_path, tmp_path):
    extract = tmp_path / "p6_100k.xlsx"
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Extract")
    sheet.append(list(MONITORING_COLUMNS))
    for n in range(DRY_RUN_LINES):
        sheet.append(["2021/22", "P6", "Place", "Highways", f"C{n:06d}", f"{100 + n % 900}.50", n % 450, 102])
    workbook.save(extract)

    peak_mb, done = peak_mb_of([sys.executable, "-m", "data", "load", "--dry-run", "--db", str(db_path), str(extract)])

    print(f"peak memory of a {DRY_RUN_LINES:,}-line XLSX dry run: {peak_mb:.0f} MB")
    assert done.returncode == 0, done.stderr
    assert f"{DRY_RUN_LINES:,} line" in done.stdout
    assert "dry run: nothing written" in done.stdout
    assert peak_mb < DRY_RUN_PEAK_MB


def as_excel_writes_it(content: bytes, rich: bool = False) -> bytes:
    """The workbook with its text in a shared-strings part, as Excel saves it (openpyxl writes inline strings).

    `rich` writes each string as runs with a phonetic reading (openpyxl leaves the reading out; DuckDB 1.5.5
    does too, but the staged path does not rely on it).
    """
    source = zipfile.ZipFile(io.BytesIO(content))
    strings: list[str] = []

    def shared(match: re.Match) -> str:
        strings.append(match.group(1))
        return f't="s"><v>{len(strings) - 1}</v></c>'

    sheet = re.sub(
        r't="inlineStr"><is><t>([^<]*)</t></is></c>', shared, source.read("xl/worksheets/sheet1.xml").decode()
    )
    if rich:
        items = "".join(f"<si><r><t>{text}</t></r><rPh sb='0' eb='1'><t>x</t></rPh></si>" for text in strings)
    else:
        items = "".join(f"<si><t>{text}</t></si>" for text in strings)
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    parts = {
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": f'<sst xmlns="{main}" count="{len(strings)}">{items}</sst>',
        "xl/_rels/workbook.xml.rels": source.read("xl/_rels/workbook.xml.rels")
        .decode()
        .replace(
            "</Relationships>",
            '<Relationship Id="rIdStrings" Target="sharedStrings.xml" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/sharedStrings"/></Relationships>',
        ),
        "[Content_Types].xml": source.read("[Content_Types].xml")
        .decode()
        .replace(
            "</Types>",
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            archive.writestr(name, parts.get(name, source.read(name)))
        archive.writestr("xl/sharedStrings.xml", parts["xl/sharedStrings.xml"])
    return buffer.getvalue()


def test_shared_strings_as_excel_writes_them_are_checked_in_duckdb_and_rich_text_is_left_to_openpyxl():
    content = xlsx_bytes([LINE, ["2021-22", 6, "childrens", "Care", "CS-1", "(1,234.50)", -0.5, 0.3]])
    excel = as_excel_writes_it(content)
    checked = fast(excel)
    assert checked is not None
    pd.testing.assert_frame_equal(checked.frame, read_cell_by_cell("p6.xlsx", excel).frame)
    assert fast(as_excel_writes_it(content, rich=True)) is None
    same_result_as_cell_by_cell(as_excel_writes_it(content, rich=True))
