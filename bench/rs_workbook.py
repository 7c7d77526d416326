"""Write an RS "data by LA" workbook in MHCLG's published layout, for the tests and the benchmark.

Built, not downloaded: no published RS workbook could be fetched here. The layout follows the published
files as docs/benchmarking.md describes them: several visible sheets, the data sheet named for the year,
a title row, a units row, rows of codes, a row of line numbers, the column names, an England row, then
one row per authority (E-code, ONS code, name, class). `layout` moves things the way the real files do
between years: an extra note row, columns in another order, the sheet name's spelling.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import escape

from openpyxl import Workbook

# (line, column name, section code). The lines the loader reads, by the names the returns give them.
READ_LINES = (
    (749, "NET CURRENT EXPENDITURE", "RS_netcurrexp"),
    (805, "NET REVENUE EXPENDITURE", "RS_netrevexp"),
    (911, "Estimated schools reserves level at 1 April", "RS_ressch_start"),
    (914, "Estimated public health reserves level at 1 April", "RS_resph_start"),
    (915, "Estimated other earmarked financial reserves level at 1 April", "RS_resoth_start"),
    (916, "Estimated unallocated financial reserves level at 1 April", "RS_resunall_start"),
    (911, "Estimated schools reserves level at 31 March", "RS_ressch_end"),
    (914, "Estimated public health reserves level at 31 March", "RS_resph_end"),
    (915, "Estimated other earmarked financial reserves level at 31 March", "RS_resoth_end"),
    (916, "Estimated unallocated financial reserves level at 31 March", "RS_resunall_end"),
)
# Columns the loader does not read (their line numbers are illustrative), there so that it must skip them.
OTHER_LINES = (
    (190, "Education services", "RS_edu"),
    (290, "Highways and transport services", "RS_hwy"),
    (790, "Revenue Support Grant", "RS_rsg"),
)
KEYS = {
    "nce": (749, None),
    "nre": (805, None),
    "schools_start": (911, "1 April"),
    "ph_start": (914, "1 April"),
    "earmarked_start": (915, "1 April"),
    "unallocated_start": (916, "1 April"),
    "schools_end": (911, "31 March"),
    "ph_end": (914, "31 March"),
    "earmarked_end": (915, "31 March"),
    "unallocated_end": (916, "31 March"),
}


@dataclass(frozen=True)
class Authority:
    ecode: str
    ons_code: str
    name: str
    authority_class: str
    values: dict[str, float | str | None]  # by KEYS name, £ thousand


def _line_key(line: int, name: str) -> tuple[int, str | None]:
    at = "1 April" if "1 April" in name else "31 March" if "31 March" in name else None
    return line, at


def rs_sheets(
    year: str,
    authorities: list[Authority],
    *,
    layout: int = 0,
    title_year: str | None = None,
    drop_lines: tuple[tuple[int, str | None], ...] = (),
    rename: dict[tuple[int, str | None], str] | None = None,
    sheet_name: str | None = None,
    reference_rows: int = 0,
) -> list[tuple[str, list[list[object]]]]:
    """The workbook's sheets in order, (name, rows). `year` as '2016-17'. layout 0, 1, 2: the published
    variations (see module). `reference_rows` puts that many rows of references between the line numbers
    and the column names, as the newer ODS releases do."""
    front = ("Front page" if layout != 1 else "Lookup", [
        [f"Local authority revenue expenditure and financing England: {year} individual local authority data"],
        [None],
        ["Revenue Outturn Summary (RS)"],
    ])  # fmt: skip
    notes = ("Notes" if layout != 1 else "Front page", [["Values are in £ thousand unless stated otherwise."]])
    name = sheet_name or (f"RS LA Data {year}" if layout != 2 else f"RS_LA_Data_{year}")
    lines = [entry for entry in READ_LINES if _line_key(entry[0], entry[1]) not in drop_lines]
    if layout == 1:  # reserves before the totals, the other columns last
        lines = [*lines[2:], *lines[:2]]
    columns = [*OTHER_LINES[:1], *lines, *OTHER_LINES[1:]] if layout != 2 else [*lines[::-1], *OTHER_LINES]
    rename = rename or {}
    names = [rename.get(_line_key(line, name), name) for line, name, _ in columns]
    ids = ["E-code", "ONS code", "Local authority", "Class"] if layout != 2 else [
        "E-code", "ONS Code", "Local authority", "Sub-class", "Class"
    ]  # fmt: skip
    rows: list[list[object]] = [
        [f"Revenue Outturn Summary (RS) {title_year or year}"],
        ["£ thousand"],
    ]
    if layout == 1:
        rows.append(["Figures are as returned by each authority; see the notes sheet."])
    rows.append([*[None] * len(ids), *["Reserves" if "reserves" in n.lower() else "Summary" for n in names]])
    rows.append([*[None] * len(ids), *[code for _, _, code in columns]])
    rows.append([*[None] * len(ids), *[line for line, _, _ in columns]])
    for reference in range(reference_rows):
        rows.append([*[None] * len(ids), *[f"{code.lower()}_{reference}" for _, _, code in columns]])
    rows.append([*ids, *names])
    rows.append([None, None, "England", *[None] * (len(ids) - 3), *[None] * len(columns)])
    for authority in authorities:
        start = [authority.ecode, authority.ons_code, authority.name]
        start += [authority.authority_class] if layout != 2 else ["", authority.authority_class]
        values = []
        for line, column_name, _ in columns:
            key = next((k for k, v in KEYS.items() if v == _line_key(line, column_name)), None)
            values.append(authority.values.get(key, 0.0) if key else 1000.0)
        rows.append([*start, *values])
    rows.append([None, None, "Shire counties total", None])
    data = (name, rows)
    return [front, data, notes] if layout == 1 else [front, notes, data]


def rs_workbook(year: str, authorities: list[Authority], **layout) -> bytes:
    """The XLSX workbook's bytes (see rs_sheets for the options)."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in rs_sheets(year, authorities, **layout):
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


_ODS_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def _ods_cell(value: object) -> str:
    if value is None or value == "":
        return "<table:table-cell/>"
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = f'office:value-type="float" office:value="{value!r}"'
        return f"<table:table-cell {number}><text:p>{value}</text:p></table:table-cell>"
    return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'


def rs_ods(year: str, authorities: list[Authority], **layout) -> bytes:
    """The same workbook as an ODS spreadsheet, padded as spreadsheet programs pad them (an empty cell
    repeated to the last column, an empty row repeated to the last row)."""
    tables = []
    for name, rows in rs_sheets(year, authorities, **layout):
        cells = "".join(
            "<table:table-row>" + "".join(_ods_cell(v) for v in row)
            + '<table:table-cell table:number-columns-repeated="1000"/></table:table-row>'
            for row in rows
        )  # fmt: skip
        padding = (
            '<table:table-row table:number-rows-repeated="1048000">'
            '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
        )
        tables.append(f'<table:table table:name="{escape(name)}">{cells}{padding}</table:table>')
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NAMESPACES} office:version="1.2">'
        f"<office:body><office:spreadsheet>{''.join(tables)}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def synthetic_authorities(count: int, seed: int = 7) -> list[Authority]:
    """`count` made-up authorities with plausible values, for the benchmark only (never shown as real)."""
    authorities = []
    for number in range(count):
        base = 50_000 + (number * 7919 + seed * 104729) % 900_000
        authorities.append(
            Authority(
                ecode=f"E{number:04d}",
                ons_code=f"E99{number:06d}",  # no real authority has an E99 code
                name=f"Authority {number}",
                authority_class="UA",
                values={
                    "nce": base * 1.1,
                    "nre": float(base),
                    "earmarked_start": base * 0.12,
                    "earmarked_end": base * 0.11,
                    "unallocated_start": base * 0.05,
                    "unallocated_end": base * 0.045,
                    "schools_start": base * 0.01,
                    "schools_end": base * 0.01,
                    "ph_start": base * 0.002,
                    "ph_end": base * 0.002,
                },
            )
        )
    return authorities
