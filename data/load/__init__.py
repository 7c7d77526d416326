"""Load period-close monitoring snapshots, savings and later reported figures from CSV or XLSX files.

Three steps, each usable alone (the app shows the preview and waits for a confirm; the command line
runs them in a row):

1. `parse` + `validate` (together `read`): every problem is collected, each naming the file, the row
   (as a spreadsheet counts rows: the header is row 1) and the column, with what was expected.
   Nothing is written.
2. `preview`: what the load would change, per fiscal year, period and directorate.
3. `apply`: one transaction. A monitoring (period-close) or savings file is the complete extract for
   each (year, period, directorate) it contains: reported rows already held for those slices are
   replaced, other periods are kept, and real rows for a fiscal year replace the sample rows of that
   year. Replaced rows are kept in `monitoring_replaced` / `savings_replaced`, so `undo` can put them back.

Every write takes an `Actor` and needs the admin role. The steps live in their own modules: `files`
(reading CSV and XLSX cells), `cells` (checking each cell), `writes` (preview, apply, undo) and `help`
(the format as the Data & sources page shows it); callers use the names re-exported here.
"""

from data.load._model import (
    KINDS,
    MAX_FILE_BYTES,
    LoadRejected,
    LoadResult,
    ParsedFile,
    Preview,
    Problem,
    RawTable,
    UndoResult,
    column_letter,
)
from data.load.cells import (
    amount_gbp,
    detect_kind,
    directorate_aliases,
    fiscal_year,
    period_month,
    read,
    read_path,
    validate_figures,
    validate_monitoring,
    validate_savings,
)
from data.load.files import parse
from data.load.help import FORMAT_HELP
from data.load.writes import apply, preview, undo

__all__ = [
    "FORMAT_HELP",
    "KINDS",
    "MAX_FILE_BYTES",
    "LoadRejected",
    "LoadResult",
    "ParsedFile",
    "Preview",
    "Problem",
    "RawTable",
    "UndoResult",
    "amount_gbp",
    "apply",
    "column_letter",
    "detect_kind",
    "directorate_aliases",
    "fiscal_year",
    "parse",
    "period_month",
    "preview",
    "read",
    "read_path",
    "undo",
    "validate_figures",
    "validate_monitoring",
    "validate_savings",
]
