"""Checking every cell of a read file against the table it is for. Writes nothing."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb
import pandas as pd

from data.load._model import (
    AMOUNT_COLUMNS,
    FIGURE_OPTIONAL,
    FIGURE_REQUIRED,
    KINDS,
    MAX_AMOUNT,
    MAX_FILE_BYTES,
    MAX_PROBLEMS_LISTED,
    MAX_QUOTE_CHARS,
    MAX_TEXT_CHARS,
    MONITORING_COLUMNS,
    LoadRejected,
    ParsedFile,
    Problem,
    RawTable,
    column_letter,
)
from data.load.files import is_blank, parse, too_large
from data.vocab import (
    LOADABLE_BASES,
    PERIODS,
    QUALIFIERS,
    SCENARIOS,
    UNITS,
    month_label,
    name_key,
    parse_fiscal_year,
    parse_period,
)

FORMULA_STARTS = ("=", "+", "-", "@")
_HTML = re.compile(r"<\s*/?\s*[A-Za-z!?][^>]*>|&[A-Za-z]+;|&#\d+;")
_MARKDOWN_LINK = re.compile(r"\[[^\]]*\]\s*\(")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_AMOUNT = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?|\d+(\.\d+)?|\.\d+")
_MEASURE = re.compile(r"[a-z][a-z0-9_]*")


class _CellError(ValueError):
    pass


def _text(value: object, *, required: bool = True, limit: int = MAX_TEXT_CHARS) -> str | None:
    if is_blank(value):
        if required:
            raise _CellError("is empty; expected text")
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        raise _CellError("holds a date; expected text")
    text = str(value).strip()
    if text.startswith(FORMULA_STARTS):
        raise _CellError(f"starts with {text[0]!r}, which a spreadsheet would run as a formula; expected plain text")
    if _HTML.search(text):
        raise _CellError("contains HTML markup; expected plain text")
    if _MARKDOWN_LINK.search(text):
        raise _CellError("contains a Markdown link; expected plain text")
    if _CONTROL.search(text):
        raise _CellError("contains control characters; expected plain text")
    if len(text) > limit:
        raise _CellError(f"is {len(text)} characters long; the limit is {limit}")
    return text


def _formula_check(value: object) -> None:
    if isinstance(value, str) and value.strip().startswith("="):
        raise _CellError(f"holds a formula ({value.strip()[:30]}); paste values only")


def fiscal_year(value: object) -> str:
    """'2021/22' from '2021/22', '2021-22' or '2021/2022'."""
    _formula_check(value)
    text = "" if value is None else str(value).strip()
    year = parse_fiscal_year(text)
    if year:
        return year
    raise _CellError(f"is {text!r}; expected a financial year such as 2021/22")


def period_month(value: object) -> int:
    """1–12 (1 = April) from 7, '7', 'P7' or 'p07'."""
    _formula_check(value)
    if isinstance(value, bool):
        raise _CellError("expected a month 1–12 (1 = April) or P1–P12")
    if isinstance(value, int | float) and float(value).is_integer():
        month = int(value)
    else:
        month = parse_period("" if value is None else str(value)) or 0
    if not 1 <= month <= 12:
        raise _CellError(f"is {'' if value is None else value!s:.30}; expected a month 1–12 (1 = April) or P1–P12")
    return month


def amount_gbp(value: object) -> Decimal:
    """Pounds: 1234.5, '£1,234.50', '-£12', '(1,234.50)' (negative)."""
    _formula_check(value)
    if is_blank(value):
        raise _CellError("is empty; expected an amount in pounds (write 0 for none)")
    if isinstance(value, bool | datetime | date):
        raise _CellError("expected an amount in pounds such as 1234.50, £1,234.50 or (1,234.50)")
    if isinstance(value, int | float):
        if (isinstance(value, float) and value != value) or value in (float("inf"), float("-inf")):
            raise _CellError("expected an amount in pounds")
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if number != number.quantize(Decimal("0.01")) and abs(number - number.quantize(Decimal("0.01"))) < Decimal(
            "0.000001"
        ):
            number = number.quantize(Decimal("0.01"))  # Excel's binary floating point, not extra pence
    else:
        text = str(value).strip()
        negative = False
        if text.startswith("(") and text.endswith(")"):
            negative, text = True, text[1:-1].strip()
        if text.startswith("-"):
            if negative:
                raise _CellError(f"is {value!s:.30}; use either brackets or a minus sign")
            negative, text = True, text[1:].strip()
        text = text.removeprefix("£").strip()
        if text.startswith("-") and not negative:
            negative, text = True, text[1:].strip()
        if not _AMOUNT.fullmatch(text):
            raise _CellError(f"is {value!s:.30}; expected an amount in pounds such as 1234.50, £1,234.50 or (1,234.50)")
        try:
            number = Decimal(text.replace(",", ""))
        except InvalidOperation as error:
            raise _CellError(f"is {value!s:.30}; expected an amount in pounds") from error
        number = -number if negative else number
    if number != number.quantize(Decimal("0.01")):
        raise _CellError(f"is {value!s:.30}; amounts have at most two decimal places (pence)")
    if abs(number) >= MAX_AMOUNT:
        raise _CellError(f"is {value!s:.30}; amounts must be under £1,000,000,000,000")
    return number.quantize(Decimal("0.01"))


def _number(value: object) -> float:
    _formula_check(value)
    if isinstance(value, bool) or is_blank(value):
        raise _CellError("expected a number")
    if isinstance(value, int | float):
        number = float(value)
    else:
        try:
            number = float(str(value).strip().replace(",", ""))
        except ValueError as error:
            raise _CellError(f"is {value!s:.30}; expected a number such as 37.9 (no units)") from error
    if number != number or number in (float("inf"), float("-inf")):
        raise _CellError("expected a finite number")
    return number


def _choice(value: object, options: tuple[str, ...], *, required: bool) -> str | None:
    text = _text(value, required=required)
    if text is None:
        return None
    if text.lower() not in options:
        raise _CellError(f"is {text!r}; expected one of {', '.join(options)}")
    return text.lower()


def _date(value: object) -> date | None:
    _formula_check(value)
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as error:
        raise _CellError(f"is {value!s:.30}; expected a date as YYYY-MM-DD") from error


def directorate_aliases(conn: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Lower-case name or alias -> the directorate's name, from the `directorates` table."""
    names: dict[str, str] = {}
    for directorate, aliases in conn.execute("SELECT directorate, aliases FROM directorates").fetchall():
        names[name_key(directorate)] = directorate
        for alias in aliases:
            names[name_key(alias)] = directorate
    return names


def _directorate(value: object, names: dict[str, str], *, required: bool) -> str | None:
    text = _text(value, required=required)
    if text is None:
        return None
    if name_key(text) not in names:
        known = sorted(set(names.values()))
        raise _CellError(f"is {text!r}, not a directorate; expected one of {', '.join(known)}")
    return names[name_key(text)]


def _columns(raw: RawTable, expected: tuple[str, ...], optional: tuple[str, ...] = ()) -> tuple[dict, list[Problem]]:
    problems = []
    positions: dict[str, int] = {}
    for index, name in enumerate(raw.header):
        letter = column_letter(index)
        if not name:
            problems.append(Problem(raw.file_name, 1, letter, "the header cell is empty", raw.sheet))
        elif name in positions:
            problems.append(
                Problem(raw.file_name, 1, letter, f"column {name!r} appears twice (also column "
                        f"{column_letter(positions[name])})", raw.sheet)
            )  # fmt: skip
        elif name not in expected and name not in optional:
            problems.append(
                Problem(
                    raw.file_name,
                    1,
                    letter,
                    f"unexpected column {name!r}; expected the columns {', '.join(expected)}",
                    raw.sheet,
                )
            )
        else:
            positions[name] = index
    for name in expected:
        if name not in positions:
            problems.append(
                Problem(raw.file_name, 1, name, f"the column {name!r} is missing from the header row", raw.sheet)
            )
    return positions, problems


def _cell(cells: list[object], index: int) -> object:
    return cells[index] if index < len(cells) else None


def _extra_cells(raw: RawTable, row_number: int, cells: list[object]) -> list[Problem]:
    return [
        Problem(raw.file_name, row_number, column_letter(i), "a value outside the header's columns", raw.sheet)
        for i in range(len(raw.header), len(cells))
        if not is_blank(cells[i])
    ][:1]


def validate_monitoring(raw: RawTable, names: dict[str, str]) -> ParsedFile:
    positions, problems = _columns(raw, MONITORING_COLUMNS)
    if problems:
        raise LoadRejected(problems)
    if not raw.rows:
        raise LoadRejected([Problem(raw.file_name, 2, "A", "no data rows below the header", raw.sheet)])
    checks = {
        "fiscal_year": fiscal_year,
        "period_month": period_month,
        "directorate": lambda v: _directorate(v, names, required=True),
        "service": _text,
        "cost_centre": _text,
        **{name: amount_gbp for name in AMOUNT_COLUMNS},
    }
    records = []
    first_seen: dict[tuple, int] = {}
    for row_number, cells in raw.rows:
        record: dict[str, object] = {}
        problems.extend(_extra_cells(raw, row_number, cells))
        for name, check in checks.items():
            try:
                record[name] = check(_cell(cells, positions[name]))
            except _CellError as error:
                problems.append(
                    Problem(raw.file_name, row_number, f"{name} ({column_letter(positions[name])})",
                            f"{name} {error}", raw.sheet)
                )  # fmt: skip
        if len(record) == len(checks):
            key = (record["fiscal_year"], record["period_month"], record["cost_centre"])
            if key in first_seen:
                problems.append(
                    Problem(
                        raw.file_name,
                        row_number,
                        f"cost_centre ({column_letter(positions['cost_centre'])})",
                        f"cost centre {key[2]!r} for {key[0]} {month_label(key[1])} is already on row "
                        f"{first_seen[key]}; expected one line per cost centre and month",
                        raw.sheet,
                    )
                )
            else:
                first_seen[key] = row_number
                records.append(record)
        if len(problems) > MAX_PROBLEMS_LISTED * 5:
            break
    if problems:
        raise LoadRejected(problems)
    frame = pd.DataFrame.from_records(records, columns=list(MONITORING_COLUMNS))
    frame["period_month"] = frame["period_month"].astype("int32")
    for name in AMOUNT_COLUMNS:
        frame[name] = frame[name].map(str)  # exact decimal text; DuckDB casts to DECIMAL(14, 2)
    return ParsedFile("monitoring", raw.file_name, raw.sha256, frame)


def validate_figures(raw: RawTable, names: dict[str, str]) -> ParsedFile:
    positions, problems = _columns(raw, FIGURE_REQUIRED, FIGURE_OPTIONAL)
    if problems:
        raise LoadRejected(problems)
    if not raw.rows:
        raise LoadRejected([Problem(raw.file_name, 2, "A", "no data rows below the header", raw.sheet)])

    def optional_year(value: object) -> str | None:
        return None if is_blank(value) else fiscal_year(value)

    def measure(value: object) -> str:
        text = _text(value)
        if not _MEASURE.fullmatch(text):
            raise _CellError(f"is {text!r}; expected a snake_case key such as dsg_cumulative_deficit")
        return text

    checks = {
        "measure": measure,
        "label": _text,
        "fiscal_year": optional_year,
        "period": lambda v: _choice(v, PERIODS, required=True),
        "scenario": lambda v: _choice(v, SCENARIOS, required=False),
        "directorate": lambda v: _directorate(v, names, required=False),
        "value": _number,
        "unit": lambda v: _choice(v, UNITS, required=True),
        "qualifier": lambda v: _choice(v, QUALIFIERS, required=False),
        "basis": lambda v: _choice(v, LOADABLE_BASES, required=True),
        "derivation": lambda v: _text(v, required=False, limit=MAX_QUOTE_CHARS),
        "as_at_date": _date,
        "source_document": lambda v: _text(v, limit=500),
        "source_section": _text,
        "source_quote": lambda v: _text(v, limit=MAX_QUOTE_CHARS),
    }
    records = []
    first_seen: dict[tuple, int] = {}
    for row_number, cells in raw.rows:
        problems.extend(_extra_cells(raw, row_number, cells))
        record: dict[str, object] = {}
        failed = False
        for name, check in checks.items():
            where = f"{name} ({column_letter(positions[name])})" if name in positions else name
            try:
                record[name] = check(_cell(cells, positions[name]) if name in positions else None)
            except _CellError as error:
                failed = True
                problems.append(Problem(raw.file_name, row_number, where, f"{name} {error}", raw.sheet))
        if failed:
            continue
        if record["basis"] == "derived" and not record["derivation"]:
            problems.append(
                Problem(raw.file_name, row_number, "derivation", "a derived figure needs its derivation", raw.sheet)
            )
        key = tuple(record[k] for k in ("measure", "fiscal_year", "period", "scenario", "directorate"))
        if key in first_seen:
            problems.append(
                Problem(
                    raw.file_name,
                    row_number,
                    f"measure ({column_letter(positions['measure'])})",
                    f"the same measure, year, period, scenario and directorate is already on row {first_seen[key]}",
                    raw.sheet,
                )
            )
        else:
            first_seen[key] = row_number
            records.append(record)
    if problems:
        raise LoadRejected(problems)
    frame = pd.DataFrame.from_records(records, columns=list(checks))
    return ParsedFile("figures", raw.file_name, raw.sha256, frame)


def detect_kind(raw: RawTable) -> str:
    return "figures" if "source_quote" in raw.header or "measure" in raw.header else "monitoring"


def read(file_name: str, content: bytes, names: dict[str, str], kind: str | None = None) -> ParsedFile:
    """Parse and validate a file; raise LoadRejected listing every problem. Writes nothing."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    file_name = Path(file_name).name
    raw, problems = parse(file_name, content)
    if problems:
        raise LoadRejected(problems)
    kind = kind or detect_kind(raw)
    if kind == "monitoring":
        return validate_monitoring(raw, names)
    return validate_figures(raw, names)


def read_path(
    path: Path, names: dict[str, str], kind: str | None = None, *, file_name: str | None = None
) -> ParsedFile:
    """`read` for a file on disk, refusing an oversize file before reading it."""
    name = file_name or path.name
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise LoadRejected([too_large(name, size)])
    return read(name, path.read_bytes(), names, kind)
