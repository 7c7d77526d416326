"""Budget monitoring as a council reports it: period-close snapshots of the forecast outturn.

Every function filters and aggregates in DuckDB (parameterised SQL); none reads the whole `monitoring`
table into pandas. The filters are the same everywhere:

- `fiscal_year` ('2020/21') and `period` (1 = P1, April ... 12 = P12, March): the snapshot at that period close;
- `directorates` (names; None or empty = every directorate);
- `directorate`, `service` (None = all) for drilling down.

Money is in pounds. variance_gbp = forecast outturn - annual budget: positive means a forecast overspend.
variance_pct is that as a percentage of the annual budget. movement_gbp is the change in the variance
since the previous period held for the year (`previous_period`); positive means the position worsened.
`sample_lines` counts the lines behind a figure that are sample data, so pages and charts can label them.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import duckdb
import pandas as pd

from data.vocab import RAG_AMBER, RAG_GREEN, RAG_RED, period_label

LEVELS = ("directorate", "service", "cost_centre")


@dataclass(frozen=True)
class RagThresholds:
    """RAG on the forecast variance as a % of annual budget: Red at or above `red_pct`, Amber at or above
    `amber_pct`, otherwise Green (underspends are Green). Set MONITORING_RAG_AMBER_PCT and
    MONITORING_RAG_RED_PCT to change them; a line with no budget is Red if it forecasts any overspend."""

    amber_pct: float = 1.0
    red_pct: float = 3.0

    def rate(self, variance_gbp: float, variance_pct: float | None) -> str:
        if variance_pct is None or (isinstance(variance_pct, float) and math.isnan(variance_pct)):
            return RAG_RED if variance_gbp > 0 else RAG_GREEN
        if variance_pct >= self.red_pct:
            return RAG_RED
        if variance_pct >= self.amber_pct:
            return RAG_AMBER
        return RAG_GREEN

    def describe(self) -> str:
        return (
            f"RAG on the forecast variance as a share of the annual budget: Red at {self.red_pct:g}% over or more, "
            f"Amber at {self.amber_pct:g}% to {self.red_pct:g}%, Green below {self.amber_pct:g}% or under budget."
        )


def rag_thresholds() -> RagThresholds:
    """The configured thresholds (environment variables), or the defaults if unset or not sensible."""
    try:
        amber = float(os.environ.get("MONITORING_RAG_AMBER_PCT", RagThresholds.amber_pct))
        red = float(os.environ.get("MONITORING_RAG_RED_PCT", RagThresholds.red_pct))
    except ValueError:
        return RagThresholds()
    if not (math.isfinite(amber) and math.isfinite(red)) or amber < 0 or red < amber:
        return RagThresholds()
    return RagThresholds(amber, red)


def directorate_names(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Every directorate in display order."""
    return [r[0] for r in conn.execute("SELECT directorate FROM directorates ORDER BY sort_order").fetchall()]


def years(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Fiscal years with snapshots, newest first: lines, sample lines, the latest period held."""
    return conn.execute(
        """
        SELECT fiscal_year, count(*) AS lines, count(*) FILTER (WHERE basis = 'sample') AS sample_lines,
               max(period) AS last_period
        FROM monitoring GROUP BY fiscal_year ORDER BY fiscal_year DESC
        """
    ).df()


def periods(conn: duckdb.DuckDBPyConnection, *, fiscal_year: str) -> list[int]:
    """The periods held for a year, in order."""
    return [
        int(r[0])
        for r in conn.execute(
            "SELECT DISTINCT period FROM monitoring WHERE fiscal_year = $fiscal_year ORDER BY period",
            {"fiscal_year": fiscal_year},
        ).fetchall()
    ]


def previous_period(held: list[int], period: int) -> int | None:
    """The latest period before `period` among those held: what 'movement since' compares with."""
    earlier = [p for p in held if p < period]
    return max(earlier) if earlier else None


# The variance query, written once: the figures at the period close (and the variance at the previous period
# held, for movement) over the monitoring lines `m` in view. The table, the largest cost centres and the
# council total below differ only in how they choose and group these lines.
_VARIANCE_FIGURES = """
       CAST(sum(annual_budget_gbp) FILTER (WHERE period = $period) AS DOUBLE) AS annual_budget_gbp,
       CAST(sum(actual_ytd_gbp) FILTER (WHERE period = $period) AS DOUBLE) AS actual_ytd_gbp,
       CAST(sum(forecast_outturn_gbp) FILTER (WHERE period = $period) AS DOUBLE) AS forecast_outturn_gbp,
       CAST(sum(forecast_outturn_gbp - annual_budget_gbp) FILTER (WHERE period = $period) AS DOUBLE)
           AS variance_gbp,
       CAST(sum(forecast_outturn_gbp - annual_budget_gbp) FILTER (WHERE period = $previous) AS DOUBLE)
           AS previous_variance_gbp,
       count(*) FILTER (WHERE period = $period) AS lines,
       count(*) FILTER (WHERE period = $period AND basis = 'sample') AS sample_lines
"""
_LINES_IN_VIEW = """
WHERE fiscal_year = $fiscal_year AND (period = $period OR period = $previous)
  AND ($directorates IS NULL OR list_contains($directorates, m.directorate))
  AND ($directorate IS NULL OR m.directorate = $directorate)
  AND ($service IS NULL OR m.service = $service)
"""


def _variance_query(select: str, source: str, group: str = "", *, with_: str = "") -> str:
    """The variance query: `with_` (a WITH clause), then SELECT `select` (the grouping columns, each followed
    by a comma), the figures, `source` (FROM the monitoring lines as `m`), the lines in view, then `group`.
    Every part is SQL text written in this module; values are always parameters."""
    return with_ + "SELECT " + select + _VARIANCE_FIGURES + source + _LINES_IN_VIEW + group


_TABLE_SQL = _variance_query(
    """CASE $level WHEN 'directorate' THEN m.directorate WHEN 'service' THEN m.service ELSE m.cost_centre END
           AS name,
       any_value(m.directorate) AS directorate, any_value(m.service) AS service, min(d.sort_order) AS sort_order,""",
    "FROM monitoring m LEFT JOIN directorates d USING (directorate)",
    """GROUP BY name
HAVING count(*) FILTER (WHERE period = $period) > 0
""",
)


# The largest cost centres: ranked line by line at the period (the grain is one line per cost centre and
# period), then summed with the previous period for just those. At 10M lines this is a top-N scan rather
# than a grouping of 830,000 long names, which took a second of CPU.
_CENTRES_SQL = _variance_query(
    "m.cost_centre AS name, any_value(m.directorate) AS directorate, any_value(m.service) AS service,",
    "FROM monitoring m SEMI JOIN top USING (cost_centre)",
    """GROUP BY m.cost_centre
HAVING count(*) FILTER (WHERE period = $period) > 0
ORDER BY abs(variance_gbp) DESC, name
""",
    with_="""
WITH top AS (
    SELECT DISTINCT cost_centre FROM (
        SELECT cost_centre FROM monitoring
        WHERE fiscal_year = $fiscal_year AND period = $period
          AND ($directorates IS NULL OR list_contains($directorates, directorate))
          AND ($directorate IS NULL OR directorate = $directorate)
          AND ($service IS NULL OR service = $service)
        ORDER BY abs(forecast_outturn_gbp - annual_budget_gbp) DESC, cost_centre
        LIMIT $limit
    )
)
""",
)
_TOTAL_SQL = _variance_query("", "FROM monitoring m")


def _finish_table(frame: pd.DataFrame, thresholds: RagThresholds) -> pd.DataFrame:
    budget = frame["annual_budget_gbp"]
    frame["variance_pct"] = (frame["variance_gbp"] / budget.where(budget != 0) * 100).astype("float64")
    frame["movement_gbp"] = frame["variance_gbp"] - frame["previous_variance_gbp"]
    frame["rag"] = [
        thresholds.rate(v, None if math.isnan(p) else p)
        for v, p in zip(frame["variance_gbp"], frame["variance_pct"], strict=True)
    ]
    return frame


def monitoring_table(
    conn: duckdb.DuckDBPyConnection,
    *,
    fiscal_year: str,
    period: int,
    previous: int | None,
    directorates: list[str] | None = None,
    level: str = "directorate",
    directorate: str | None = None,
    service: str | None = None,
    limit: int | None = None,
    thresholds: RagThresholds | None = None,
) -> pd.DataFrame:
    """One row per directorate (or service, or cost centre) at the period close, with variance, %, movement, RAG.

    Directorates come in display order; services and cost centres largest variance first, `limit` rows.
    movement_gbp is NaN where the row had no lines at the previous period.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    params = {
        "fiscal_year": fiscal_year,
        "period": period,
        "previous": previous,
        "directorates": list(directorates) if directorates else None,
        "directorate": directorate,
        "service": service,
    }
    if level == "cost_centre" and limit is not None:
        frame = conn.execute(_CENTRES_SQL, {**params, "limit": limit}).df()
        return _finish_table(frame, thresholds or rag_thresholds())
    order = (
        " ORDER BY sort_order, name"
        if level == "directorate"
        else " ORDER BY abs(variance_gbp) DESC, name LIMIT coalesce($limit, 1000000000)"
    )
    frame = conn.execute(
        _TABLE_SQL + order, {**params, "level": level, **({} if level == "directorate" else {"limit": limit})}
    ).df()
    return _finish_table(frame.drop(columns="sort_order"), thresholds or rag_thresholds())


def council_total(
    conn: duckdb.DuckDBPyConnection,
    *,
    fiscal_year: str,
    period: int,
    previous: int | None,
    directorates: list[str] | None = None,
    thresholds: RagThresholds | None = None,
) -> pd.DataFrame:
    """One row: the total of the directorates chosen (the whole council when none is chosen)."""
    frame = conn.execute(
        _TOTAL_SQL,
        {
            "fiscal_year": fiscal_year,
            "period": period,
            "previous": previous,
            "directorates": list(directorates) if directorates else None,
            "directorate": None,
            "service": None,
        },
    ).df()
    frame = frame.fillna({"annual_budget_gbp": 0.0, "actual_ytd_gbp": 0.0, "forecast_outturn_gbp": 0.0,
                          "variance_gbp": 0.0})  # fmt: skip
    return _finish_table(frame, thresholds or rag_thresholds())


def drift(conn: duckdb.DuckDBPyConnection, *, fiscal_year: str, directorates: list[str] | None = None) -> pd.DataFrame:
    """Each directorate's forecast variance at every period held for the year (display order, then period)."""
    return conn.execute(
        """
        SELECT m.directorate, period,
               CAST(sum(annual_budget_gbp) AS DOUBLE) AS annual_budget_gbp,
               CAST(sum(forecast_outturn_gbp) AS DOUBLE) AS forecast_outturn_gbp,
               CAST(sum(forecast_outturn_gbp - annual_budget_gbp) AS DOUBLE) AS variance_gbp,
               count(*) AS lines, count(*) FILTER (WHERE basis = 'sample') AS sample_lines
        FROM monitoring m LEFT JOIN directorates d USING (directorate)
        WHERE fiscal_year = $fiscal_year
          AND ($directorates IS NULL OR list_contains($directorates, m.directorate))
        GROUP BY m.directorate, d.sort_order, period
        ORDER BY d.sort_order, m.directorate, period
        """,
        {"fiscal_year": fiscal_year, "directorates": list(directorates) if directorates else None},
    ).df()


def savings_snapshots(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """(fiscal_year, period) pairs with savings held, newest first, with their sample lines."""
    return conn.execute(
        """
        SELECT fiscal_year, period, count(*) AS schemes, count(*) FILTER (WHERE basis = 'sample') AS sample_lines
        FROM savings GROUP BY fiscal_year, period ORDER BY fiscal_year DESC, period DESC
        """
    ).df()


@dataclass(frozen=True)
class SavingsChoice:
    """The savings tracker that goes with monitoring at one year and period close.

    `period` is the tracker's period close (None: none is shown); `note` says why, in words for the page."""

    period: int | None
    note: str


def savings_for_monitoring(
    snapshots: pd.DataFrame, *, fiscal_year: str, period: int, monitoring_is_sample: bool
) -> SavingsChoice:
    """The tracker to show under monitoring at (`fiscal_year`, `period`): the latest held for that year at or
    before the period. A tracker from another year is never shown, nor sample savings under loaded monitoring.

    `snapshots` is `savings_snapshots`; `monitoring_is_sample` is True when every monitoring line in view is sample.
    """
    same_year = snapshots[(snapshots["fiscal_year"] == fiscal_year) & (snapshots["period"] <= period)]
    at = f"{fiscal_year} {period_label(period)}"
    if same_year.empty:
        return SavingsChoice(None, f"No savings tracker is loaded for {at}.")
    newest = same_year.sort_values("period").iloc[-1]
    tracker_period = int(newest["period"])
    if int(newest["sample_lines"]) and not monitoring_is_sample:
        return SavingsChoice(
            None,
            f"No savings tracker is loaded for {at}: only sample savings are held, and they are not shown "
            "beside loaded monitoring.",
        )
    if tracker_period == period:
        return SavingsChoice(tracker_period, f"The savings tracker at {at}.")
    return SavingsChoice(
        tracker_period,
        f"The savings tracker at {period_label(tracker_period)} {fiscal_year}, the latest held at or before "
        f"{period_label(period)}.",
    )


def savings_by_directorate(
    conn: duckdb.DuckDBPyConnection, *, fiscal_year: str, period: int, directorates: list[str] | None = None
) -> pd.DataFrame:
    """Per directorate: target, forecast delivery, undelivered (carried in the forecast outturn) and by status."""
    return conn.execute(
        """
        SELECT s.directorate,
               CAST(sum(target_gbp) AS DOUBLE) AS target_gbp,
               CAST(sum(forecast_delivery_gbp) AS DOUBLE) AS forecast_delivery_gbp,
               CAST(sum(target_gbp - forecast_delivery_gbp) AS DOUBLE) AS undelivered_gbp,
               CAST(sum(forecast_delivery_gbp) / nullif(sum(target_gbp), 0) * 100 AS DOUBLE) AS delivery_pct,
               count(*) AS schemes,
               count(*) FILTER (WHERE status = 'delivered') AS delivered,
               count(*) FILTER (WHERE status = 'on_track') AS on_track,
               count(*) FILTER (WHERE status = 'at_risk') AS at_risk,
               count(*) FILTER (WHERE status = 'not_deliverable') AS not_deliverable,
               count(*) FILTER (WHERE basis = 'sample') AS sample_lines
        FROM savings s LEFT JOIN directorates d USING (directorate)
        WHERE fiscal_year = $fiscal_year AND period = $period
          AND ($directorates IS NULL OR list_contains($directorates, s.directorate))
        GROUP BY s.directorate, d.sort_order
        ORDER BY d.sort_order, s.directorate
        """,
        {"fiscal_year": fiscal_year, "period": period, "directorates": list(directorates) if directorates else None},
    ).df()


def savings_schemes(
    conn: duckdb.DuckDBPyConnection, *, fiscal_year: str, period: int, directorates: list[str] | None = None
) -> pd.DataFrame:
    """Every scheme at the period close, largest shortfall first."""
    return conn.execute(
        """
        SELECT directorate, scheme, status, CAST(target_gbp AS DOUBLE) AS target_gbp,
               CAST(forecast_delivery_gbp AS DOUBLE) AS forecast_delivery_gbp,
               CAST(target_gbp - forecast_delivery_gbp AS DOUBLE) AS undelivered_gbp, basis
        FROM savings
        WHERE fiscal_year = $fiscal_year AND period = $period
          AND ($directorates IS NULL OR list_contains($directorates, directorate))
        ORDER BY undelivered_gbp DESC, directorate, scheme
        """,
        {"fiscal_year": fiscal_year, "period": period, "directorates": list(directorates) if directorates else None},
    ).df()
