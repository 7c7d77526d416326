"""What the Data & sources page shows about the file formats (Markdown, kept beside the rules it describes)."""

from __future__ import annotations

FORMAT_HELP = """
**Monitoring: the period-close extract**: one row per cost centre at a period close, CSV (UTF-8) or XLSX
with one sheet, header in row 1:

| column | what it holds |
| --- | --- |
| `fiscal_year` | the financial year, `2021/22` |
| `period` | the period closed: `P1`–`P12` or 1–12; **P1 = April** |
| `directorate` | a directorate's name or a recognised alias (e.g. "Adults and Housing") |
| `service`, `cost_centre` | plain text; one line per cost centre and period |
| `annual_budget_gbp` | the cost centre's current budget for the whole year |
| `actual_ytd_gbp` | spend to the end of the period |
| `forecast_outturn_gbp` | the forecast for the whole year as it stood at the period close |

Amounts in pounds: `1234.50`, `£1,234.50`, `(1,234.50)` = negative. Each directorate and period in a file
is taken as complete: it replaces the reported lines already held for that directorate and period, and
nothing else. Real lines for a year replace the sample lines of that year.

*The earlier monthly format* (`period_month`, `budget_gbp`, `actual_gbp`, `forecast_gbp`, one row per
cost centre and month) is still accepted and converted: each cost centre needs all 12 months; at
period P its annual budget is the sum of the 12 monthly budgets, its actual to date the actuals of
months 1 to P, and its forecast outturn those actuals plus the forecasts of the months after P.

**Savings**: one row per savings scheme at a period close: `fiscal_year`, `period`, `directorate`,
`scheme`, `target_gbp` (the saving in the budget), `forecast_delivery_gbp` (the saving now forecast
to be delivered this year), `status` (Delivered, On track, At risk or Not deliverable). Each directorate
and period in the file replaces the schemes held for it.

**Reported figures**: the columns of the `reported_figures` table (`measure`, `label`, `fiscal_year`,
`period`, `scenario`, `directorate`, `value`, `unit`, `qualifier`, `basis`, `derivation`, `as_at_date`,
`source_document`, `source_section`, `source_quote`), plus the optional `source_date` (the document's date,
YYYY-MM-DD) and `source_url`; every row needs its source and the sentence it quotes. `measure` must be a key
(or an alias) in the catalogue of measures listed at the foot of this page, with that measure's unit and one of
its periods. Each document a file cites is added to the sources: pages name it and date their figures by it.
Where a newer document gives the same measure, year, period, scenario and directorate, pages show the newer
figure and keep the older one as an earlier figure.

**RS returns** (`--kind returns`): MHCLG's Revenue Outturn Summary "data by LA" workbook for one year, as
published (`RS_2019-20_data_by_LA.xlsx`; a file named `RS_...`, or an XLSX workbook with a sheet named as below, is
recognised). The sheet "RS LA Data
2019-20" (or `RS_LA_Data_2019-20`) is read: its title must name that year, a row above the data must say
"£ thousand", and each line is found by its number in the row of line numbers and checked by its column
name: 749 net current expenditure, 805 net revenue expenditure, 915 other earmarked and 916 unallocated
reserves at 1 April and at 31 March (911 schools and 914 public health when present); line 915 is MHCLG's
adjusted figure where the release gives one. Rows without an
E-code (England and class totals, notes) are skipped; a blank or `[x]` cell is held as no figure; text in
a number cell is refused. A year's workbook replaces every return held for that year. XLSX or ODS, as
published. The revenue outturn time-series CSV (`year_ending`, `ONS_code`, `LA_name`, `status`, ...) is
read for lines 749, 805 and 916 (`RS_netcurrtot_net_exp`, `RS_netrevexp_net_exp`, `RS_resunall_start_cy`,
`RS_resunall_end_cy`) and 915 where it has it (`RS_resoth_start_cy`, `RS_resoth_end_cy`, adjusted
`RS_resoth_adj_...`), and replaces each year it holds.

**Nearest neighbours** (`--kind neighbours`): `authority_code, neighbour_code` and an optional `rank`,
ONS codes (E06000059). Each authority in the file has its list replaced. Dorset Council's list ships as
`data/benchmarking/dorset_nearest_neighbours.csv`."""
