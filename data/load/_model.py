"""What every step of a load shares: limits, problems found in a file, and the results of each step."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd
import pyarrow as pa

from data.vocab import LOAD_KINDS, counted

KINDS = LOAD_KINDS
MAX_FILE_BYTES = 20 * 1024 * 1024  # the same as server.maxUploadSize in .streamlit/config.toml
MAX_XLSX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_XLSX_PARTS = 200
MAX_XLSX_OTHER_PART_BYTES = 16 * 1024 * 1024  # shared strings, styles...: read whole, so kept small
MAX_ROWS = 500_000
MAX_COLUMNS = 64  # a file may use columns A to BL; the loads need at most 15
MAX_BLANK_ROWS = 10_000  # an XLSX read stops after this many blank rows in a row
MAX_TEXT_CHARS = 120
MAX_QUOTE_CHARS = 2_000
MAX_PROBLEMS_LISTED = 100
MAX_AMOUNT = Decimal(10) ** 12  # DECIMAL(14, 2)

# The standard period-close extract: one row per cost centre at a period close.
MONITORING_COLUMNS = (
    "fiscal_year",
    "period",
    "directorate",
    "service",
    "cost_centre",
    "annual_budget_gbp",
    "actual_ytd_gbp",
    "forecast_outturn_gbp",
)
AMOUNT_COLUMNS = ("annual_budget_gbp", "actual_ytd_gbp", "forecast_outturn_gbp")
# The earlier monthly format (one row per cost centre and month), converted on reading (see cells.py).
MONTHLY_COLUMNS = (
    "fiscal_year",
    "period_month",
    "directorate",
    "service",
    "cost_centre",
    "budget_gbp",
    "actual_gbp",
    "forecast_gbp",
)
MONTHLY_AMOUNT_COLUMNS = ("budget_gbp", "actual_gbp", "forecast_gbp")
SAVINGS_COLUMNS = (
    "fiscal_year",
    "period",
    "directorate",
    "scheme",
    "target_gbp",
    "forecast_delivery_gbp",
    "status",
)
FIGURE_REQUIRED = (
    "measure",
    "label",
    "period",
    "value",
    "unit",
    "basis",
    "source_document",
    "source_section",
    "source_quote",
)
FIGURE_OPTIONAL = (
    "fiscal_year",
    "scenario",
    "directorate",
    "qualifier",
    "derivation",
    "as_at_date",
    "source_date",
    "source_url",
)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: how a spreadsheet names the column."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file. row/column are None only for problems with the file as a whole."""

    file: str
    row: int | None
    column: str | None
    message: str
    sheet: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        if self.row is None and self.column is None:
            where.append("whole file")
        return ", ".join(where) + f": {self.message}"


class LoadRejected(ValueError):
    """The file cannot be loaded; nothing was written. `problems` lists every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = [str(p) for p in problems[:MAX_PROBLEMS_LISTED]]
        if len(problems) > MAX_PROBLEMS_LISTED:
            shown.append(f"... and {len(problems) - MAX_PROBLEMS_LISTED} more problems")
        super().__init__(f"{counted(len(problems), 'problem')}; nothing was loaded.\n" + "\n".join(shown))


@dataclass
class RawTable:
    """A file's cells before validation: header and rows with their spreadsheet row numbers."""

    file_name: str
    sha256: str
    header: list[str]
    rows: list[tuple[int, list[object]]]
    sheet: str | None = None


@dataclass
class ParsedFile:
    """A validated file, ready to preview and apply. `frame` holds typed rows in the table's columns."""

    kind: str
    file_name: str
    sha256: str
    frame: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def arrow(self) -> pa.Table:
        """The rows for DuckDB to scan. A pandas frame of text columns is turned into Python strings on
        every scan (hundreds of MB at 500,000 lines); its Arrow table shares the frame's columns instead."""
        return pa.Table.from_pandas(self.frame, preserve_index=False)


@dataclass
class Preview:
    """What a load would do. Pages and the CLI show each field in its own way; none is matched by its text."""

    kind: str
    file_name: str
    changes: pd.DataFrame  # monitoring, savings: per year/period/directorate; figures: one row per figure
    notes: list[str]  # plain statements of what the load adds and replaces
    duplicate_of: int | None  # the active load of the same file, if any
    sample_lines_by_year: dict[str, int] = field(default_factory=dict)  # sample lines the load replaces

    @property
    def sample_lines_replaced(self) -> int:
        return sum(self.sample_lines_by_year.values())

    def duplicate_message(self) -> str | None:
        if self.duplicate_of is None:
            return None
        return f"This file was already loaded as load {self.duplicate_of}. Undo that load first to load it again."

    def sample_messages(self) -> list[str]:
        noun = "schemes" if self.kind == "savings" else "lines"
        return [
            f"Real {noun} for {year} replace the {count:,} sample {noun} for {year}: the Directorates page "
            f"will no longer show sample data for {year}."
            for year, count in self.sample_lines_by_year.items()
        ]


@dataclass(frozen=True)
class LoadResult:
    load_id: int
    kind: str
    rows: int
    lines_replaced: int
    sample_lines_replaced: int


@dataclass(frozen=True)
class UndoResult:
    load_id: int
    rows_removed: int
    lines_restored: int
