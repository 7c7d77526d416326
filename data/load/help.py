"""What the Data & sources page shows about the file formats (Markdown, kept beside the rules it describes)."""

from __future__ import annotations

FORMAT_HELP = """
**Monitoring lines**: one row per cost centre and month, CSV (UTF-8) or XLSX with one sheet, header in row 1:

| column | what it holds |
| --- | --- |
| `fiscal_year` | the financial year, `2021/22` |
| `period_month` | the month: 1–12 or `P1`–`P12`; **1 = April** |
| `directorate` | a directorate's name or a recognised alias (e.g. "Adults and Housing") |
| `service`, `cost_centre` | plain text; one line per cost centre and month |
| `budget_gbp`, `actual_gbp`, `forecast_gbp` | pounds: `1234.50`, `£1,234.50`, `(1,234.50)` = negative |

Each directorate and month in a file is taken as complete: it replaces the reported lines already held
for that directorate and month. Real lines for a year replace the sample lines of that year.

**Reported figures**: the columns of the `reported_figures` table (`measure`, `label`, `fiscal_year`,
`period`, `scenario`, `directorate`, `value`, `unit`, `qualifier`, `basis`, `derivation`, `as_at_date`,
`source_document`, `source_section`, `source_quote`); every row needs its source and the sentence it quotes."""
