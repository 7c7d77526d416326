"""Reading MHCLG's revenue outturn time-series CSV (every year, one row per authority). Writes nothing.

The file starts `year_ending, ONS_code, LA_LGF_code, LA_name, status, LA_class, LA_subclass`, then one
column per line code (about 2,580). `year_ending` is YYYYMM (202003 = 2019-20); `status` is `submitted`,
`not submitted` or `total` (the England row). Only the columns whose codes were confirmed against published
readers of the file are taken (`CODES`); the rest are never kept, so memory stays small whatever the width.
"""

from __future__ import annotations

import csv
import io
import re

import pandas as pd

from data.load._model import MAX_ROWS, LoadRejected, ParsedFile, Problem, column_letter
from data.load.cells import _CellError, _text
from data.load.returns import RETURNS_COLUMNS, SUPPRESSED, takes_adjusted
from data.vocab import counted

# Column code -> (RS line, balance date, name), each confirmed by public readers of the published file (see
# docs/benchmarking.md); every one must be in the file.
CODES: dict[str, tuple[int, str | None, str]] = {
    "rs_netcurrtot_net_exp": (749, None, "NET CURRENT EXPENDITURE"),
    "rs_netrevexp_net_exp": (805, None, "NET REVENUE EXPENDITURE"),
    "rs_resunall_start_cy": (916, "1 April", "Estimated unallocated financial reserves level at 1 April"),
    "rs_resunall_end_cy": (916, "31 March", "Estimated unallocated financial reserves level at 31 March"),
}
# Line 915 (other earmarked reserves), read where the file has it: MHCLG's adjusted figure (915b, which nets off
# the COVID business rates relief grants) where the council reported a figure and the row gives one, else the
# figure as reported (the workbook reader's rule). The codes are those
# in the hidden row of codes of MHCLG's 2023-24 RS workbook (RS-resoth-adj-end-cy ...), "-" written "_" as the
# time series writes the codes confirmed above.
EARMARKED: dict[str, tuple[tuple[str, str], ...]] = {
    "1 April": (
        ("rs_resoth_adj_start_cy", "Estimated other earmarked financial reserves level at 1 April (adjusted)"),
        ("rs_resoth_start_cy", "Estimated other earmarked financial reserves level at 1 April (unadjusted)"),
    ),
    "31 March": (
        ("rs_resoth_adj_end_cy", "Estimated other earmarked financial reserves level at 31 March (adjusted)"),
        ("rs_resoth_end_cy", "Estimated other earmarked financial reserves level at 31 March (unadjusted)"),
    ),
}
ID_COLUMNS = ("year_ending", "ons_code", "la_name", "status")
_YEAR_ENDING = re.compile(r"(\d{4})(\d{2})")
_ONS_CODE = re.compile(r"[EWSN]\d{8}")


def is_time_series(content: bytes) -> bool:
    """A CSV whose first line starts with `year_ending`."""
    return content.lstrip(b"\xef\xbb\xbf")[:40].lower().startswith(b"year_ending")


def _number(text: str) -> float | None:
    text = text.strip()
    if not text or text.lower() in SUPPRESSED:
        return None
    try:
        return float(text.replace(",", ""))
    except ValueError:
        raise ValueError(f"holds the text {text[:40]!r}; expected a number in £ thousand") from None


def read_time_series(file_name: str, content: bytes, sha256: str) -> ParsedFile:
    """Every submitted return in the file, for the lines in CODES; raise LoadRejected listing the problems."""
    text = content.decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    published = [cell.strip() for cell in next(reader, [])]
    header = [cell.lower() for cell in published]
    where = {name: index for index, name in enumerate(header)}
    problems = [
        Problem(file_name, 1, None, f"the column {name!r} is missing; is this the revenue outturn time series?")
        for name in (*ID_COLUMNS, *CODES)
        if name not in where
    ]
    if problems:
        raise LoadRejected(problems)
    wanted = [(code, where[code]) for code in CODES]
    earmarked = {at: [(code, name) for code, name in codes if code in where] for at, codes in EARMARKED.items()}
    records: list[tuple] = []
    seen: dict[tuple[str, str], int] = {}
    skipped = 0
    for row_number, cells in enumerate(reader, start=2):
        if row_number > MAX_ROWS:
            raise LoadRejected([Problem(file_name, row_number, None, f"more than {MAX_ROWS:,} rows")])

        def cell(name: str, cells: list[str] = cells) -> str:
            index = where[name]
            return cells[index].strip() if index < len(cells) else ""

        if cell("status").lower() != "submitted":
            skipped += 1  # the England total, and authorities that made no return that year
            continue
        year_ending, ons = cell("year_ending"), cell("ons_code")
        match = _YEAR_ENDING.fullmatch(year_ending)
        if match is None or match.group(2) != "03":
            message = f"year_ending is {year_ending[:12]!r}; expected YYYYMM ending in March, such as 202003"
            problems.append(Problem(file_name, row_number, column_letter(where["year_ending"]), message))
            continue
        end = int(match.group(1))
        year = f"{end - 1}/{end % 100:02d}"
        if not _ONS_CODE.fullmatch(ons):
            message = f"the ONS code {ons[:20]!r} is not a code like E06000059"
            problems.append(Problem(file_name, row_number, column_letter(where["ons_code"]), message))
            continue
        if (year, ons) in seen:
            message = f"{ons} already has a row for {year} (row {seen[year, ons]})"
            problems.append(Problem(file_name, row_number, column_letter(where["ons_code"]), message))
            continue
        seen[year, ons] = row_number
        try:
            authority = _text(cell("la_name"))
            authority_class = _text(cell("la_class"), required=False) if "la_class" in where else None
        except _CellError as error:
            message = f"the authority's name or class {error}"
            problems.append(Problem(file_name, row_number, column_letter(where["la_name"]), message))
            continue
        for code, index in wanted:
            line, balance_at, name = CODES[code]
            letter = column_letter(index)
            try:
                value = _number(cells[index] if index < len(cells) else "")
            except ValueError as error:
                problems.append(Problem(file_name, row_number, letter, f"line {line} ({code}) {error}"))
                continue
            records.append(
                (year, ons, authority, authority_class, line, name, balance_at, value, file_name, None,
                 published[index], f"{letter}{row_number}")
            )  # fmt: skip
        for balance_at, codes in earmarked.items():
            if not codes:
                continue  # the file has no column for line 915 at this date: the preview says so
            read: dict[str, float | None] = {}
            for code, _ in codes:
                try:
                    read[code] = _number(cells[where[code]] if where[code] < len(cells) else "")
                except ValueError as error:
                    problems.append(
                        Problem(file_name, row_number, column_letter(where[code]), f"line 915 ({code}) {error}")
                    )
            if len(read) < len(codes):
                continue
            # the adjusted figure (listed first) where the council reported one; with no reported figure, none
            (adjusted, _), (reported, _) = codes if len(codes) == 2 else (codes[0], codes[0])
            code = adjusted if takes_adjusted(read[reported], read[adjusted]) else reported
            name = dict(codes)[code]
            records.append(
                (year, ons, authority, authority_class, 915, name, balance_at, read[code], file_name, None,
                 published[where[code]], f"{column_letter(where[code])}{row_number}")
            )  # fmt: skip
        if len(problems) > 500:
            break
    if not seen and not problems:
        problems.append(Problem(file_name, 2, None, "no submitted returns in the file"))
    if problems:
        raise LoadRejected(problems)
    frame = pd.DataFrame.from_records(records, columns=list(RETURNS_COLUMNS))
    frame["line"] = frame["line"].astype("int64")
    frame["value_gbp_k"] = frame["value_gbp_k"].astype("float64")
    years = sorted({year for year, _ in seen})
    notes = [
        f"{counted(len(seen), 'return')} for {counted(len(years), 'year')} ({years[0]} to {years[-1]}) from the "
        f"time series, in £ thousand; {counted(skipped, 'row')} without a submitted return (the England total, "
        "returns not made) skipped.",
    ]
    missing = [at for at, codes in earmarked.items() if not codes]
    if missing:
        notes.append(
            f"The file has no column for other earmarked reserves (line 915) at {' or '.join(missing)} "
            "(RS_resoth_start_cy, RS_resoth_end_cy): for the years it replaces, indicators that need it are "
            "not available."
        )
    if any(code.startswith("rs_resoth_adj_") for codes in earmarked.values() for code, _ in codes):
        notes.append(
            "Other earmarked reserves (line 915) are MHCLG's adjusted figures (RS_resoth_adj_...) where a council "
            "reported one, else the figures as reported."
        )
    return ParsedFile("returns", file_name, sha256, frame, notes)
