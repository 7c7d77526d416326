"""Checking every cell of a read file against the table it is for. Writes nothing."""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb
import pandas as pd

from data.load import staged, staged_xlsx
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
    MONTHLY_AMOUNT_COLUMNS,
    MONTHLY_COLUMNS,
    SAVINGS_COLUMNS,
    LoadRejected,
    ParsedFile,
    Problem,
    RawTable,
    column_letter,
)
from data.load.files import is_blank, parse, too_large
from data.measures import Measure, catalogue, suggestions
from data.measures import names as measure_names
from data.text import FORMULA_STARTS, UNICODE_CONTROLS
from data.vocab import (
    HAPPENED_PERIODS,
    LOADABLE_BASES,
    PERIODS,
    QUALIFIERS,
    SAVINGS_STATUSES,
    SCENARIOS,
    UNITS,
    counted,
    implausible_date,
    month_label,
    name_key,
    parse_fiscal_year,
    parse_period,
    period_label,
    year_not_begun,
)

_HTML = re.compile(r"<\s*/?\s*[A-Za-z!?][^>]*>|&[A-Za-z]+;|&#\d+;")
# Inline links `[text](url)`, reference links `[text][r]` and `[text][]`, and link definitions `[r]: url`
# (anywhere: text from several cells may be joined onto one line).
_MARKDOWN_LINK = re.compile(r"\[[^\]]*\]\s*[(\[]|\[[^\]]+\]:")
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029{UNICODE_CONTROLS}]")
_AMOUNT = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?|\d+(\.\d+)?|\.\d+")
_MEASURE = re.compile(r"[a-z][a-z0-9_]*")
_URL = re.compile(r"https?://[^\s<>\"'`]+")


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


def begun_fiscal_year(value: object) -> str:
    """A financial year that has begun: a period close (monitoring lines, savings progress) reports a month
    already closed."""
    year = fiscal_year(value)
    today = date.today()
    why = year_not_begun(year, today)
    if why:
        raise _CellError(f"{why}, after today ({today:%-d %B %Y}): a period close is of a month already closed")
    return year


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


def _amount_in_range(number: Decimal, value: object) -> None:
    """Checked before any rounding: Decimal cannot round a number of more than 28 digits to pence."""
    if not number.is_finite() or abs(number) >= MAX_AMOUNT:
        raise _CellError(f"is {value!s:.30}; amounts must be under £1,000,000,000,000")


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
        _amount_in_range(number, value)
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
    _amount_in_range(number, value)
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
        found = value.date()
    elif isinstance(value, date):
        found = value
    else:
        try:
            found = date.fromisoformat(str(value).strip())
        except ValueError as error:
            raise _CellError(f"is {value!s:.30}; expected a date as YYYY-MM-DD") from error
    problem = implausible_date(found)  # a source's date and an as-at date are both already passed
    if problem:
        raise _CellError(problem)
    return found


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


def _savings_status(value: object) -> str:
    text = _text(value)
    wanted = name_key(text).replace("_", " ")
    for status in SAVINGS_STATUSES:
        if wanted in (status.key.replace("_", " "), name_key(status.label)):
            return status.key
    raise _CellError(f"is {text!r}; expected one of {', '.join(s.label for s in SAVINGS_STATUSES)}")


def _rows(
    raw: RawTable, columns: tuple[str, ...], checks: dict, key_columns: tuple[str, ...], duplicate_message
) -> list[dict]:
    """Check every cell of every row; refuse the file (every problem listed) or return the typed records."""
    positions, problems = _columns(raw, columns)
    if problems:
        raise LoadRejected(problems)
    if not raw.rows:
        raise LoadRejected([Problem(raw.file_name, 2, "A", "no data rows below the header", raw.sheet)])
    records = []
    first_seen: dict[tuple, int] = {}
    for row_number, cells in raw.rows:
        record: dict[str, object] = {"_row": row_number}
        problems.extend(_extra_cells(raw, row_number, cells))
        for name, check in checks.items():
            try:
                record[name] = check(_cell(cells, positions[name]))
            except _CellError as error:
                problems.append(
                    Problem(raw.file_name, row_number, f"{name} ({column_letter(positions[name])})",
                            f"{name} {error}", raw.sheet)
                )  # fmt: skip
        if len(record) == len(checks) + 1:
            key = tuple(record[k] for k in key_columns)
            if key in first_seen:
                column = key_columns[-1]
                problems.append(
                    Problem(
                        raw.file_name,
                        row_number,
                        f"{column} ({column_letter(positions[column])})",
                        duplicate_message(key, first_seen[key]),
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
    return records


def _snapshot_period(value: object) -> int:
    try:
        return period_month(value)
    except _CellError as error:
        raise _CellError(
            str(error).replace("a month 1–12 (1 = April) or P1–P12", "a period P1–P12 (P1 = April)")
        ) from None


def _monitoring_checks(names: dict[str, str]) -> dict:
    """Each column of the period-close extract and the check of its cells."""
    return {
        "fiscal_year": begun_fiscal_year,
        "period": _snapshot_period,
        "directorate": lambda v: _directorate(v, names, required=True),
        "service": _text,
        "cost_centre": _text,
        **{name: amount_gbp for name in AMOUNT_COLUMNS},
    }


def validate_monitoring(raw: RawTable, names: dict[str, str]) -> ParsedFile:
    """The period-close extract; a file in the earlier monthly format is converted (`_monthly_to_snapshots`)."""
    if "period_month" in raw.header and "period" not in raw.header:
        return _monthly_to_snapshots(raw, names)
    records = _rows(
        raw,
        MONITORING_COLUMNS,
        _monitoring_checks(names),
        ("fiscal_year", "period", "cost_centre"),
        lambda key, row: (
            f"cost centre {key[2]!r} for {key[0]} {period_label(key[1])} is already on row {row}; "
            "expected one line per cost centre and period"
        ),
    )
    return ParsedFile("monitoring", raw.file_name, raw.sha256, _frame(records, MONITORING_COLUMNS, AMOUNT_COLUMNS))


def _frame(records: list[dict], columns: tuple[str, ...], amounts: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=list(columns))
    frame["period"] = frame["period"].astype("int32")
    for name in amounts:
        frame[name] = frame[name].map(str)  # exact decimal text; DuckDB casts to DECIMAL(14, 2)
    return frame


def _monthly_to_snapshots(raw: RawTable, names: dict[str, str]) -> ParsedFile:
    """The earlier monthly format, converted to one period-close snapshot per cost centre and month held.

    The rule (README, data/README.md): each cost centre needs all twelve months of its year. Then at
    period P its annual budget is the sum of the twelve monthly budgets, its actual to date the sum of
    the actuals for months 1 to P, and its forecast outturn that actual plus the forecasts for months
    P+1 to 12. Directorate and service are taken from the month's own row.
    """
    checks = {
        "fiscal_year": begun_fiscal_year,
        "period_month": period_month,
        "directorate": lambda v: _directorate(v, names, required=True),
        "service": _text,
        "cost_centre": _text,
        **{name: amount_gbp for name in MONTHLY_AMOUNT_COLUMNS},
    }
    records = _rows(
        raw,
        MONTHLY_COLUMNS,
        checks,
        ("fiscal_year", "period_month", "cost_centre"),
        lambda key, row: (
            f"cost centre {key[2]!r} for {key[0]} {month_label(key[1])} is already on row {row}; "
            "expected one line per cost centre and month"
        ),
    )
    by_centre: dict[tuple[str, str], dict[int, dict]] = {}
    for record in records:
        by_centre.setdefault((record["fiscal_year"], record["cost_centre"]), {})[record["period_month"]] = record
    problems = []
    letter = column_letter(raw.header.index("period_month"))
    snapshots = []
    for (year, centre), months in by_centre.items():
        missing = [m for m in range(1, 13) if m not in months]
        if missing:
            first_row = min(r["_row"] for r in months.values())
            problems.append(
                Problem(
                    raw.file_name,
                    first_row,
                    f"period_month ({letter})",
                    f"cost centre {centre!r} for {year} lacks {'month' if len(missing) == 1 else 'months'} "
                    f"{', '.join(map(str, missing))}: a monthly "
                    "file is converted to period-close snapshots only when each cost centre has all 12 months "
                    "(the annual budget is the sum of the 12 monthly budgets). Use the period-close format "
                    "(period, annual_budget_gbp, actual_ytd_gbp, forecast_outturn_gbp) instead",
                    raw.sheet,
                )
            )
            continue
        annual_budget = sum(months[m]["budget_gbp"] for m in range(1, 13))
        for period in range(1, 13):
            actual = sum(months[m]["actual_gbp"] for m in range(1, period + 1))
            remaining = sum(months[m]["forecast_gbp"] for m in range(period + 1, 13))
            row = months[period]
            snapshots.append(
                {
                    "fiscal_year": year,
                    "period": period,
                    "directorate": row["directorate"],
                    "service": row["service"],
                    "cost_centre": centre,
                    "annual_budget_gbp": annual_budget,
                    "actual_ytd_gbp": actual,
                    "forecast_outturn_gbp": actual + remaining,
                }
            )
        if len(problems) > MAX_PROBLEMS_LISTED:
            break
    if problems:
        raise LoadRejected(problems)
    frame = _frame(snapshots, MONITORING_COLUMNS, AMOUNT_COLUMNS)
    for name in AMOUNT_COLUMNS:
        if any(abs(Decimal(v)) >= MAX_AMOUNT for v in frame[name]):
            raise LoadRejected(
                [Problem(raw.file_name, None, name, f"a converted {name} reaches £1,000,000,000,000", raw.sheet)]
            )
    note = (
        f"Monthly format: {counted(len(records), 'monthly line')} converted to "
        f"{counted(len(frame), 'period-close snapshot line')} "
        "(annual budget = the 12 monthly budgets; forecast outturn at P = actuals to P + forecasts after P)."
    )
    return ParsedFile("monitoring", raw.file_name, raw.sha256, frame, [note])


def validate_savings(raw: RawTable, names: dict[str, str]) -> ParsedFile:
    checks = {
        "fiscal_year": begun_fiscal_year,
        "period": _snapshot_period,
        "directorate": lambda v: _directorate(v, names, required=True),
        "scheme": _text,
        "target_gbp": amount_gbp,
        "forecast_delivery_gbp": amount_gbp,
        "status": _savings_status,
    }
    records = _rows(
        raw,
        SAVINGS_COLUMNS,
        checks,
        ("fiscal_year", "period", "directorate", "scheme"),
        lambda key, row: (
            f"scheme {key[3]!r} for {key[2]}, {key[0]} {period_label(key[1])} is already on row "
            f"{row}; expected one line per scheme and period"
        ),
    )
    frame = _frame(records, SAVINGS_COLUMNS, ("target_gbp", "forecast_delivery_gbp"))
    return ParsedFile("savings", raw.file_name, raw.sha256, frame)


def _measure_key(value: object, measures: dict[str, Measure]) -> str:
    """The catalogue key for a measure cell (a key or an alias, any case); unknown ones are refused."""
    text = _text(value)
    accepted = measure_names(measures)
    if text.lower() in accepted:
        return accepted[text.lower()]
    nearest = suggestions(text, measures)
    hint = f"did you mean {' or '.join(f'`{key}`' for key in nearest)}? " if nearest else ""
    raise _CellError(
        f"is {text!r}, which is not in the catalogue of measures; {hint}The catalogue (data/measures.csv, "
        "listed on the Data & sources page) is changed by a reviewed edit, not by a load"
    )


def _url(value: object) -> str | None:
    text = _text(value, required=False, limit=500)
    if text is not None and not _URL.fullmatch(text):
        raise _CellError(f"is {text[:40]!r}; expected a web address starting https:// (or leave it blank)")
    return text


def _fits_catalogue(record: dict[str, object], measure: Measure) -> list[tuple[str, str]]:
    """(column, message) for each way a row breaks its measure's catalogue entry."""
    wrong = []
    if record["unit"] != measure.unit:
        wrong.append(("unit", f"unit is {record['unit']!r}; the catalogue gives {measure.key} in {measure.unit!r}"))
    if record["period"] not in measure.periods:
        wrong.append(
            ("period", f"period {record['period']!r} does not apply to {measure.key}; expected one of "
                       f"{', '.join(measure.periods)}")
        )  # fmt: skip
    if record["scenario"] is not None and record["scenario"] not in measure.scenarios:
        allowed = ", ".join(measure.scenarios) if measure.scenarios else "none (leave it blank)"
        wrong.append(
            ("scenario", f"scenario {record['scenario']!r} does not apply to {measure.key}; expected {allowed}")
        )
    return wrong


def _reports_what_happened(record: dict[str, object], measure: Measure) -> bool:
    """A quarter's or a year end's figure, or a balance on a date: its year has begun when it is reported. A
    budget, forecast, plan or projection, or a non-balance given at a date (the override's expiry, a grant's
    share), may be for a later year."""
    period = record["period"]
    return period in HAPPENED_PERIODS and (period != "as_at" or measure.is_balance)


def validate_figures(raw: RawTable, names: dict[str, str], measures: dict[str, Measure] | None = None) -> ParsedFile:
    measures = catalogue() if measures is None else measures
    positions, problems = _columns(raw, FIGURE_REQUIRED, FIGURE_OPTIONAL)
    if problems:
        raise LoadRejected(problems)
    if not raw.rows:
        raise LoadRejected([Problem(raw.file_name, 2, "A", "no data rows below the header", raw.sheet)])

    def optional_year(value: object) -> str | None:
        return None if is_blank(value) else fiscal_year(value)

    def measure(value: object) -> str:
        text = _text(value)
        if not _MEASURE.fullmatch(text.lower()):
            raise _CellError(f"is {text!r}; expected a snake_case key such as dsg_cumulative_deficit")
        return _measure_key(text, measures)

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
        "source_date": _date,
        "source_url": _url,
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
        for column, message in _fits_catalogue(record, measures[record["measure"]]):
            where = f"{column} ({column_letter(positions[column])})" if column in positions else column
            problems.append(Problem(raw.file_name, row_number, where, message, raw.sheet))
        if record["as_at_date"] and record["source_date"] and record["as_at_date"] > record["source_date"]:
            where = f"as_at_date ({column_letter(positions['as_at_date'])})"
            message = f"as_at_date {record['as_at_date']} is after the source's date {record['source_date']}"
            problems.append(
                Problem(raw.file_name, row_number, where, message + ": a document reports what it knew", raw.sheet)
            )
        if _reports_what_happened(record, measures[record["measure"]]) and record["fiscal_year"]:
            on, what = date.today(), "today"  # the document's date, else the figure's own, else today
            for name, words in (("source_date", "the source's date"), ("as_at_date", "its as-at date")):
                if record[name]:
                    on, what = record[name], words
                    break
            why = year_not_begun(record["fiscal_year"], on)
            if why:
                problems.append(
                    Problem(raw.file_name, row_number, f"fiscal_year ({column_letter(positions['fiscal_year'])})",
                            f"fiscal_year {why}, after {what} ({on:%-d %B %Y}): a quarter's, a year end's or a "
                            "balance's figure says what has happened, so its year has begun; check the year",
                            raw.sheet)
                )  # fmt: skip
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
    if "neighbour_code" in raw.header:
        return "neighbours"
    if "source_quote" in raw.header or "measure" in raw.header:
        return "figures"
    return "savings" if "scheme" in raw.header else "monitoring"


def read(file_name: str, content: bytes, names: dict[str, str], kind: str | None = None) -> ParsedFile:
    """Parse and validate a file; raise LoadRejected listing every problem. Writes nothing."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    file_name = Path(file_name).name
    from data.load import neighbours, returns, returns_csv  # they build on this module's cell checks

    time_series = returns_csv.is_time_series(content)
    if kind == "returns" or (
        kind is None and (time_series or returns.is_rs_workbook_name(file_name) or returns.has_rs_sheet(content))
    ):
        if len(content) > MAX_FILE_BYTES:
            raise LoadRejected([too_large(file_name, len(content))])
        digest = hashlib.sha256(content).hexdigest()
        if time_series:
            return returns_csv.read_time_series(file_name, content, digest)
        return returns.read_returns(file_name, content, digest)
    if kind in (None, "monitoring"):  # the standard extract as CSV or XLSX: checked in DuckDB when it can be
        checks = _monitoring_checks(names)
        checked = staged.monitoring_extract(file_name, content, checks)
        if checked is None:
            checked = staged_xlsx.monitoring_workbook(file_name, content, checks)
        if checked is not None:
            return checked
    raw, problems = parse(file_name, content)
    if problems:
        raise LoadRejected(problems)
    kind = kind or detect_kind(raw)
    if kind == "neighbours":
        return neighbours.validate_neighbours(raw)
    if kind == "monitoring":
        return validate_monitoring(raw, names)
    if kind == "savings":
        return validate_savings(raw, names)
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
