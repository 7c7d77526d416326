"""Reading MHCLG's Revenue Outturn Summary (RS) "data by LA" workbook as published (XLSX or ODS). Writes nothing.

The workbook has several visible sheets (a front page, notes, a look-up); the data sheet is read by its
name, "RS LA Data 2016-17" (later years "RS_LA_Data_2018-19"). Above the data: a title row naming the
year, a units row ("£ thousand"), rows of codes, a row of RS line numbers (newer ODS releases put reference
rows after it), then the column names; each
data row starts with the authority's E-code, ONS code, name and class. Columns move between years, so each
line is found by its number and checked by its name, never by its position. Reserves lines (911 schools,
914 public health, 915 other earmarked, 916 unallocated) appear twice, told apart by "at 1 April" and
"at 31 March" in the column name (its own name, after any "Reserves at 1 April 2024 - " section prefix).
From 2021-22 line 915 also comes adjusted (915b, the COVID business rates relief grants netted off, as MHCLG's
notes advise for comparing years): the adjusted figure is held where the council reported a figure. The
2021-22 release gives form cells ("C1R749") in place of line numbers. The data end where the sheet's second
table (totals by class) starts.
Values stay in £ thousand, as published.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from data.load._model import LoadRejected, ParsedFile, Problem, column_letter
from data.load.cells import _CellError, _text
from data.load.files import is_blank, is_legacy_excel, parse_xlsx, visible_sheet_names
from data.load.ods import is_ods, parse_ods
from data.vocab import parse_fiscal_year

RETURNS_COLUMNS = (
    "fiscal_year",
    "ons_code",
    "authority",
    "authority_class",
    "line",
    "line_name",
    "balance_at",
    "value_gbp_k",
    "file_name",
    "sheet",
    "column_name",
    "cell",
)
# RS line -> words its column name must contain. Lines outside this list are not read.
LINES: dict[int, str] = {
    749: "net current expenditure",
    805: "net revenue expenditure",
    911: "school",
    914: "public health",
    915: "earmarked",
    916: "unallocated",
}
RESERVE_LINES = frozenset({911, 914, 915, 916})
BALANCE_DATES = ("1 April", "31 March")
REQUIRED: tuple[tuple[int, str | None], ...] = (
    (749, None),
    (805, None),
    (915, "1 April"),
    (915, "31 March"),
    (916, "1 April"),
    (916, "31 March"),
)
MAX_RS_COLUMNS = 512  # a year's RS sheet has about 200 columns
# Published markers for "no figure": the 2017-18 workbook uses "…" and "..." for an authority that sent no return.
SUPPRESSED = frozenset({"[x]", "[c]", "[z]", "[low]", "x", "..", "...", "…", "-", ":"})
# A row marked "Grossed" holds MHCLG's estimate for an authority that sent no return: not the council's figures.
_ESTIMATED_MARKS = frozenset({"grossed"})

_SHEET = re.compile(r"(?i)^\s*RS[ _]LA[ _]Data[ _](\d{4})[-_ ]?(\d{2})\s*$")
_YEAR = re.compile(r"(\d{4})\s*[-/]\s*(\d{2})(?!\d)")
_ECODE = re.compile(r"E\d{4}")
_LINE_CELL = re.compile(r"(?i)(?:C\d+R)?(\d{3,4})([a-z]?)")
ADJUSTED = "b"  # "915b": line 915 less the COVID business rates relief grants (items 1028, 1029), from 2022-23
ADJUSTED_LINE = 915
_ONS_CODE = re.compile(r"[EWSN]\d{8}")
_AT_1_APRIL = re.compile(r"(?i)\bat\s+1(st)?\s+april")
_AT_31_MARCH = re.compile(r"(?i)\bat\s+31(st)?\s+march")
_UNITS = re.compile(r"(?i)£\s*(thousands?|000|'000|k)\b")
_ID_COLUMNS = {
    "ecode": ("ecode",),
    "ons_code": ("onscode",),
    "authority": ("localauthority", "localauthorityname", "laname", "authority", "authorityname"),
    "authority_class": ("class",),
}


def takes_adjusted(reported: float | None, adjusted: float | None) -> bool:
    """Whether line 915 is read from MHCLG's adjusted figure: only where the council reported a figure and the
    adjusted one is given (an adjusted cell can hold a figure for a council that made no return)."""
    return reported is not None and adjusted is not None


def _key(value: object) -> str:
    return re.sub(r"[^a-z]", "", str(value).lower()) if value is not None else ""


def is_rs_workbook_name(file_name: str) -> bool:
    """A file named as MHCLG names the RS release (RS_2016-17_data_by_LA.xlsx, RS_LA_Data_2024-25...)."""
    return re.match(r"(?i)^RS[_ ]", file_name) is not None and file_name.lower().endswith((".xlsx", ".xlsm", ".ods"))


def has_rs_sheet(content: bytes) -> bool:
    """An XLSX workbook with a visible sheet named as MHCLG names the RS data sheet ('RS_LA_Data_2022-23'),
    whatever the file is called: a published copy saved as rs2022_23.xlsx is a return, not an extract."""
    return any(_is_rs_sheet(name) for name in visible_sheet_names(content))


@dataclass(frozen=True)
class _Column:
    index: int
    line: int
    balance_at: str | None
    name: str
    adjusted: bool = False


def _is_rs_sheet(name: str) -> bool:
    return _SHEET.match(name) is not None


def _no_rs_sheet(names: list[str]) -> str:
    """Why a workbook with these sheets is not one year's RS return."""
    listed = ", ".join(repr(name) for name in names) or "none"
    found = [name for name in names if _is_rs_sheet(name)]
    if len(found) > 1:
        return f"the workbook has {len(found)} RS data sheets ({listed}); expected one year's return"
    return (
        "this is not an RS 'data by LA' workbook: no visible sheet is named 'RS LA Data YYYY-YY' "
        f"(its sheets: {listed})"
    )


def _choose_rs_sheet(sheets: list[tuple[str, str, str | None]]) -> tuple[str, str | None] | str:
    found = [(name, part) for name, state, part in sheets if _is_rs_sheet(name) and state == "visible"]
    return found[0] if len(found) == 1 else _no_rs_sheet([name for name, state, _ in sheets if state == "visible"])


def _line_numbers_row(above: list[tuple[int, list[object]]]) -> tuple[int, list[object]]:
    """The row above the column names holding the RS line numbers: the one with most of the lines read, the
    nearest on a tie. Usually the row just above; newer releases put reference rows between."""
    wanted = {line for line, _ in REQUIRED}

    def found(index: int) -> tuple[int, int]:
        return len(wanted & {_line_number(c) for c in above[index][1]}), index

    return above[max(range(len(above)), key=found)]


def _balance_dates(name: str) -> list[str]:
    """The balance dates a reserves column's name gives. Newer releases prefix the name with its section
    ("Reserves at 1 April 2024 - Estimated ... at 31 March"): when the whole names both, its own name decides."""
    patterns = (_AT_1_APRIL, _AT_31_MARCH)
    dates = [d for d, pattern in zip(BALANCE_DATES, patterns, strict=True) if pattern.search(name)]
    if len(dates) > 1 and " - " in name:
        return _balance_dates(name.rsplit(" - ", 1)[1])
    return dates


def _sheet_year(sheet: str) -> str:
    match = _SHEET.match(sheet)
    assert match is not None  # the sheet was chosen by this pattern
    return parse_fiscal_year(f"{match.group(1)}/{match.group(2)}")


def _line_and_variant(value: object) -> tuple[int, str] | None:
    """(line, variant) from a cell of the row of line numbers: 915, "915b" (MHCLG's adjusted line 915), or a
    form cell such as "C2R915b" (column 2, row 915b), which the 2021-22 release gives in place of line numbers."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value, ""
    if isinstance(value, float) and value.is_integer():
        return int(value), ""
    match = _LINE_CELL.fullmatch(str(value).strip())
    return (int(match.group(1)), match.group(2).lower()) if match else None


def _unnumbered_adjusted(name: str, before: _Column | None) -> tuple[int, str] | None:
    """The 2021-22 release gives line 915's adjusted column no number: it is the column just after line 915's,
    named as it is with "(adjusted)" for "(unadjusted)"."""
    if before is None or before.adjusted or "(unadjusted)" not in before.name.lower():
        return None
    same = name.lower() == before.name.lower().replace("(unadjusted)", "(adjusted)")
    return (before.line, ADJUSTED) if same else None


def _line_number(value: object) -> int | None:
    found = _line_and_variant(value)
    return found[0] if found and found[1] in ("", ADJUSTED) else None


def _value(value: object) -> float | None:
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise _CellError("holds TRUE/FALSE; expected a number in £ thousand")
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    if text.lower() in SUPPRESSED:
        return None
    raise _CellError(f"holds the text {text[:40]!r}; expected a number in £ thousand")


def read_returns(file_name: str, content: bytes, sha256: str) -> ParsedFile:
    """One year's RS workbook as rows of `returns`; raise LoadRejected listing every problem found."""
    if is_legacy_excel(content):
        # RS workbooks up to 2014-15 came as .xls, with no row of line numbers: re-saving does not make them readable.
        raise LoadRejected(
            [
                Problem(
                    file_name,
                    None,
                    None,
                    "an Excel 97-2003 (.xls) RS workbook: MHCLG published these (2014-15 and earlier) without the "
                    "row of RS line numbers each value is found by, so it is not read; load those years from "
                    "MHCLG's revenue outturn time-series CSV",
                )
            ]
        )
    if not content.startswith(b"PK\x03\x04"):  # neither an XLSX nor an ODS (both are zip files)
        raise LoadRejected(
            [
                Problem(
                    file_name,
                    None,
                    None,
                    "not an RS return: a return is MHCLG's revenue outturn 'data by LA' workbook (.xlsx or .ods) "
                    "or its revenue outturn time-series CSV, as downloaded; this file is neither. A period close, "
                    "savings or figures file is loaded with its own kind",
                )
            ]
        )
    if is_ods(content):
        rows, problems, sheet = parse_ods(file_name, content, _is_rs_sheet, _no_rs_sheet, max_columns=MAX_RS_COLUMNS)
    else:
        rows, problems, sheet = parse_xlsx(file_name, content, choose=_choose_rs_sheet, max_columns=MAX_RS_COLUMNS)
    if problems:
        raise LoadRejected(problems)
    assert sheet is not None
    year = _sheet_year(sheet)

    def problem(row: int | None, column: str | None, message: str) -> Problem:
        return Problem(file_name, row, column, message, sheet)

    header_at = next(
        (i for i, (_, cells) in enumerate(rows[:40]) if {"ecode", "onscode"} <= {_key(c) for c in cells}), None
    )
    if header_at is None:
        raise LoadRejected(
            [problem(None, None, "no row of column names with 'E-code' and 'ONS code'; is this an RS return?")]
        )
    header_row, header = rows[header_at]
    above = rows[:header_at]
    problems = []
    # The title: the first row above the data; it names the year, which must be the sheet's.
    title_row, title_cells = above[0] if above else (header_row, [])
    title_text = " ".join(str(c) for c in title_cells if not is_blank(c))
    # Financial years only (2019-20, 2019/20): a date such as 2025-12 in the title is not a year.
    title_years = [m for m in _YEAR.finditer(title_text) if int(m.group(2)) == (int(m.group(1)) + 1) % 100]
    if not title_years:
        problems.append(problem(title_row, "A", f"the title {title_text[:80]!r} names no year; expected {year}"))
    elif all(parse_fiscal_year(f"{m.group(1)}/{m.group(2)}") != year for m in title_years):
        problems.append(
            problem(
                title_row,
                "A",
                f"the title says {title_years[0].group(0)} but the sheet is {sheet!r}; which year is it?",
            )
        )
    if not any(_UNITS.search(str(c)) for _, cells in above for c in cells if not is_blank(c)):
        problems.append(problem(None, None, "no row above the data says the values are in '£ thousand'"))
    ids: dict[str, int] = {}
    for index, name in enumerate(header):
        for field, keys in _ID_COLUMNS.items():
            if _key(name) in keys and field not in ids:
                ids[field] = index
    for field in ("ecode", "ons_code", "authority"):
        if field not in ids:
            problems.append(problem(header_row, None, f"no column for the authority's {field.replace('_', ' ')}"))
    numbers_row, numbers = _line_numbers_row(above) if above else (header_row, [])
    columns: dict[tuple[int, str | None, bool], _Column] = {}  # (line, balance date, adjusted)
    by_index: dict[int, _Column] = {}
    for index, name in enumerate(header):
        found = _line_and_variant(numbers[index]) if index < len(numbers) else None
        text = re.sub(r"\s+", " ", str(name or "")).strip()
        if found is None:
            found = _unnumbered_adjusted(text, by_index.get(index - 1))
        if found is None or found[0] not in LINES or found[1] not in ("", ADJUSTED):
            continue
        line, adjusted = found[0], found[1] == ADJUSTED
        if adjusted and line != ADJUSTED_LINE:
            continue  # only line 915 has an adjusted figure to read; another "b" column is not read
        letter = column_letter(index)
        if LINES[line] not in text.lower():
            problems.append(
                problem(header_row, letter, f"line {line}'s column is named {text[:80]!r}; expected {LINES[line]!r}")
            )
            continue
        balance_at = None
        if line in RESERVE_LINES:
            dates = _balance_dates(text)
            if len(dates) != 1:
                says = "both" if dates else "neither"
                problems.append(
                    problem(
                        header_row,
                        letter,
                        f"line {line}'s column {text[:80]!r} says {says} 'at 1 April' {'and' if dates else 'nor'} "
                        "'at 31 March'",
                    )
                )
                continue
            balance_at = dates[0]
        key = (line, balance_at, adjusted)
        if key in columns:
            first = column_letter(columns[key].index)
            which = f"{line}{'b' if adjusted else ''}{' at ' + balance_at if balance_at else ''}"
            problems.append(problem(header_row, letter, f"line {which} appears twice (also column {first})"))
            continue
        columns[key] = by_index[index] = _Column(index, line, balance_at, text, adjusted)
    # Each line read from its column as reported; line 915 from MHCLG's adjusted column too, where there is one.
    lines_read: dict[tuple[int, str | None], tuple[_Column, _Column | None]] = {}
    for (line, balance_at, adjusted), column in columns.items():
        reported = columns.get((line, balance_at, False))
        if not adjusted:
            lines_read[line, balance_at] = (column, columns.get((line, balance_at, True)))
        elif reported is None:
            lines_read[line, balance_at] = (column, None)
    for line, balance_at in REQUIRED:
        if (line, balance_at) not in lines_read:
            at = f" at {balance_at}" if balance_at else ""
            problems.append(
                problem(numbers_row, None, f"line {line} ({LINES[line]}{at}) is missing from the row of line numbers")
            )
    if problems:
        raise LoadRejected(problems)

    records: list[tuple] = []
    seen: dict[str, int] = {}
    unread: list[str] = []  # rows of the published sheet not read, said in the preview
    for row_number, cells in rows[header_at + 1 :]:

        def cell(index: int, cells: list[object] = cells) -> object:
            return cells[index] if index < len(cells) else None

        ecode = str(cell(ids["ecode"]) or "").strip()
        if _key(ecode) == "ecode":
            # The sheet's second table (totals by class, the GLA again) starts under its own column names.
            unread.append(f"rows {row_number}-{rows[-1][0]}, the sheet's second table (totals by class)")
            break
        if not _ECODE.fullmatch(ecode):
            continue  # England and class totals, footnotes: not an authority's return
        ons = str(cell(ids["ons_code"]) or "").strip()
        if not ons or ons == ecode:
            # Published sheets list a few bodies with no ONS code (Lee Valley Regional Park Authority), from
            # 2020-21 with the E-code repeated in its place: not a council.
            unread.append(f"row {row_number}, {_plain(cell(ids['authority']))} (no ONS code)")
            continue
        if not _ONS_CODE.fullmatch(ons):
            problems.append(
                problem(
                    row_number,
                    column_letter(ids["ons_code"]),
                    f"the ONS code {ons[:20]!r} is not a code like E06000059",
                )
            )
            continue
        if ons in seen:
            problems.append(
                problem(row_number, column_letter(ids["ons_code"]), f"{ons} already has a row (row {seen[ons]})")
            )
            continue
        seen[ons] = row_number
        try:
            authority = _text(cell(ids["authority"]))
            authority_class = _text(cell(ids["authority_class"]), required=False) if "authority_class" in ids else None
        except _CellError as error:
            problems.append(problem(row_number, column_letter(ids["authority"]), f"the authority's name {error}"))
            continue
        estimated = any(_key(c) in _ESTIMATED_MARKS for c in cells[: ids["authority"] + 4] if isinstance(c, str))
        if estimated:
            unread.append(f"row {row_number}, {authority} (marked 'Grossed': MHCLG's estimate, not a return)")
        for reported, adjusted in lines_read.values():
            read: list[float | None] = []
            for column in (reported, adjusted):
                try:
                    read.append(None if estimated or column is None else _value(cell(column.index)))
                except _CellError as error:
                    problems.append(problem(row_number, column_letter(column.index), f"line {column.line} {error}"))
            if len(read) < 2:
                continue
            value, better = read
            # the adjusted figure where the council reported one; a council that made no return has none
            column = adjusted if adjusted is not None and takes_adjusted(value, better) else reported
            value = better if column is adjusted else value
            records.append(
                (year, ons, authority, authority_class, column.line, column.name, column.balance_at, value,
                 file_name, sheet, column.name, f"{column_letter(column.index)}{row_number}")
            )  # fmt: skip
    if not seen:
        problems.append(
            problem(header_row + 1, "A", "no authority rows (an E-code such as E0933) below the column names")
        )
    if problems:
        raise LoadRejected(problems)
    frame = pd.DataFrame.from_records(records, columns=list(RETURNS_COLUMNS))
    frame["line"] = frame["line"].astype("int64")
    frame["value_gbp_k"] = frame["value_gbp_k"].astype("float64")
    notes = [f"{len(seen)} authorities' returns for {year} from the sheet {sheet!r}, in £ thousand."]
    if any(adjusted is not None for _, adjusted in lines_read.values()):
        notes.append(
            "Other earmarked reserves (line 915) are read from MHCLG's adjusted column (915b), which nets off the "
            "COVID business rates relief grants so that reserves compare across years, as its notes advise."
        )

    if unread:
        notes.append(f"Not read as a council's return: {'; '.join(unread)}.")
    return ParsedFile("returns", file_name, sha256, frame, notes)


def _plain(value: object) -> str:
    return re.sub(r"\s+", " ", str(value or "")).strip()[:80] or "an unnamed body"
