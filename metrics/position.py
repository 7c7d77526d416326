"""The council's financial position as the pages chart it: budget, outturn, reserves and the DSG deficit.

Every function reads `reported_figures` (newest load wins for the same measure, year, period and
scenario) and returns a DataFrame that carries each figure's basis and source quote, so a chart's
"show the data" table and CSV say where every number comes from. Money is in £ millions.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from metrics import dsg_model

PROVENANCE = ["basis", "qualifier", "derivation", "as_at_date", "source_document", "source_section", "source_quote"]
_PERIOD_ORDER = {"budget": 0, "q1": 1, "q2": 2, "q3": 3, "forecast": 4, "outturn": 5, "plan": 6, "projection": 7}


class FigureMissing(LookupError):
    """A figure a chart needs is not in the database."""


def latest_figures(conn: duckdb.DuckDBPyConnection, measures: list[str]) -> pd.DataFrame:
    """Council-wide figures for some measures, the newest load's row for each measure/year/period/scenario."""
    return conn.execute(
        """
        SELECT figure_id, measure, label, fiscal_year, period, scenario, value AS value_gbp_m, unit,
               qualifier, basis, derivation, as_at_date, source_document, source_section, source_quote
        FROM reported_figures
        WHERE list_contains($measures, measure) AND directorate IS NULL
        QUALIFY row_number() OVER (
            PARTITION BY measure, fiscal_year, period, scenario ORDER BY load_id DESC NULLS LAST, figure_id DESC
        ) = 1
        ORDER BY measure, fiscal_year NULLS FIRST, period, scenario NULLS FIRST
        """,
        {"measures": measures},
    ).df()


def _one(
    frame: pd.DataFrame, measure: str, fiscal_year: str | None, period: str, scenario: str | None = None
) -> pd.Series:
    match = frame[
        (frame["measure"] == measure)
        & (frame["fiscal_year"].isna() if fiscal_year is None else frame["fiscal_year"] == fiscal_year)
        & (frame["period"] == period)
        & (frame["scenario"].isna() if scenario is None else frame["scenario"] == scenario)
    ]
    if match.empty:
        raise FigureMissing(
            f"no {measure} figure for {fiscal_year or 'no year'} ({period}, {scenario or 'no scenario'})"
        )
    return match.iloc[0]


def _rows(rows: list[pd.Series], **extra: list) -> pd.DataFrame:
    frame = pd.DataFrame(rows).reset_index(drop=True)
    for column, values in extra.items():
        frame[column] = values
    return frame


def _by_period(frame: pd.DataFrame) -> pd.DataFrame:
    return (
        frame.assign(_order=frame["period"].map(_PERIOD_ORDER))
        .sort_values(["fiscal_year", "_order"])
        .drop(columns="_order")
    )


# ---- Budget and outturn -------------------------------------------------------------------------


def net_budget_by_year(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The net revenue budget, one row per year the document gives."""
    frame = latest_figures(conn, ["net_budget"])
    return frame[frame["period"] == "budget"].sort_values("fiscal_year").reset_index(drop=True)


def overspend_by_year(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The net overspend against budget at outturn, one row per year."""
    frame = latest_figures(conn, ["net_overspend"])
    return frame[frame["period"] == "outturn"].sort_values("fiscal_year").reset_index(drop=True)


def outturn_against_budget(conn: duckdb.DuckDBPyConnection, fiscal_year: str) -> pd.DataFrame:
    """Budget, outturn and overspend for one year: rows `item` = budget, outturn, overspend."""
    frame = latest_figures(conn, ["net_budget", "net_outturn", "net_overspend"])
    rows = [
        _one(frame, "net_budget", fiscal_year, "budget"),
        _one(frame, "net_outturn", fiscal_year, "outturn"),
        _one(frame, "net_overspend", fiscal_year, "outturn"),
    ]
    return _rows(rows, item=["budget", "outturn", "overspend"])


def forecast_path(conn: duckdb.DuckDBPyConnection, fiscal_year: str) -> pd.DataFrame:
    """The year's forecast overspend at each quarter the document gives, then the outturn, in order."""
    frame = latest_figures(conn, ["net_overspend"])
    frame = frame[(frame["fiscal_year"] == fiscal_year) & frame["period"].isin(["q1", "q2", "q3", "outturn"])]
    if frame.empty:
        raise FigureMissing(f"no forecast or outturn overspend for {fiscal_year}")
    return _by_period(frame).reset_index(drop=True)


def overspend_bridge(conn: duckdb.DuckDBPyConnection, fiscal_year: str) -> pd.DataFrame:
    """From the gross service overspend to the net overspend: one row per step, underspends negative.

    `step` is `start` (gross overspend), `change` (an underspend, negative) or `total` (the net overspend).
    Raises ValueError if the steps do not add up to the reported net overspend.
    """
    frame = latest_figures(
        conn, ["gross_service_overspend", "capital_financing_underspend", "contingency_underspend", "net_overspend"]
    )
    gross = _one(frame, "gross_service_overspend", fiscal_year, "outturn")
    capital = _one(frame, "capital_financing_underspend", fiscal_year, "outturn")
    contingency = _one(frame, "contingency_underspend", fiscal_year, "outturn")
    net = _one(frame, "net_overspend", fiscal_year, "outturn")
    bridge = _rows([gross, capital, contingency, net], step=["start", "change", "change", "total"])
    bridge["signed_gbp_m"] = [
        gross["value_gbp_m"],
        -capital["value_gbp_m"],
        -contingency["value_gbp_m"],
        net["value_gbp_m"],
    ]
    steps = bridge.loc[bridge["step"] != "total", "signed_gbp_m"].sum()
    if abs(steps - net["value_gbp_m"]) > 0.005:
        raise ValueError(
            f"the {fiscal_year} bridge does not add up: gross less underspends is {steps:.2f}, "
            f"net overspend is {net['value_gbp_m']:.2f}"
        )
    return bridge


def funding_assumptions(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The medium-term plan's income assumptions, only at the years the document gives (no interpolation)."""
    frame = latest_figures(conn, ["council_tax_income", "business_rates_income"])
    frame = frame[frame["period"] == "plan"].sort_values(["measure", "fiscal_year"]).reset_index(drop=True)
    frame["stream"] = frame["measure"].map(
        {"council_tax_income": "Council tax", "business_rates_income": "Business rates"}
    )
    return frame


def savings_picture(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The budget gap and the savings set against it, in the order a reader meets them."""
    order = ["budget_gap", "tactical_transformational_savings", "net_service_savings", "convergence_savings"]
    frame = latest_figures(conn, order)
    frame["_order"] = frame["measure"].map(order.index)
    return (
        frame.sort_values(["_order", "fiscal_year"], na_position="last").drop(columns="_order").reset_index(drop=True)
    )


def collection_rates(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Council tax collected as a share of that due, by year (value_gbp_m holds the percentage here)."""
    frame = latest_figures(conn, ["council_tax_collection_rate"])
    return frame.rename(columns={"value_gbp_m": "value_pct"}).sort_values("fiscal_year").reset_index(drop=True)


# ---- Reserves and the DSG deficit ---------------------------------------------------------------


def reserves(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The general fund reserve (31 March 2021) and usable reserves (no date in the source)."""
    frame = latest_figures(conn, ["general_fund_reserve", "usable_reserves"])
    frame = frame[frame["period"] == "as_at"]
    if set(frame["measure"]) != {"general_fund_reserve", "usable_reserves"}:
        raise FigureMissing("the general fund reserve and usable reserves are both needed")
    return frame.sort_values("value_gbp_m").reset_index(drop=True)


def dsg_known_points(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every cumulative DSG deficit the document gives or derives, with `kind` = actual, forecast or projection."""
    frame = latest_figures(conn, ["dsg_cumulative_deficit"])
    frame["kind"] = frame["period"].map({"outturn": "actual", "forecast": "forecast", "projection": "projection"})
    frame = frame[frame["kind"].notna()]
    return frame.sort_values(["fiscal_year", "scenario"], na_position="first").reset_index(drop=True)


def dsg_in_year(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The high needs block's in-year overspend, actual and predicted."""
    return latest_figures(conn, ["dsg_in_year_deficit"]).sort_values("fiscal_year").reset_index(drop=True)


def statutory_override_expiry(conn: duckdb.DuckDBPyConnection) -> pd.Series:
    """The year the DSG statutory override is due to expire, with its source (value_gbp_m holds the year)."""
    frame = latest_figures(conn, ["dsg_statutory_override_expiry"])
    if frame.empty:
        raise FigureMissing("no statutory override expiry year")
    return frame.iloc[0].rename({"value_gbp_m": "year"})


@dataclass(frozen=True)
class DsgReported:
    """The reported DSG figures the scenario model starts from and is checked against."""

    start_year: str
    start_deficit_gbp_m: float
    first_year: str
    first_year_overspend_gbp_m: float
    end_year: str
    end_mitigated_gbp_m: float
    end_unmitigated_gbp_m: float


def dsg_reported(conn: duckdb.DuckDBPyConnection) -> DsgReported:
    """The last actual cumulative deficit, the next year's predicted overspend and the two projections."""
    points = dsg_known_points(conn)
    actual = points[points["kind"] == "actual"].iloc[-1]
    in_year = dsg_in_year(conn)
    next_year = dsg_model.next_fiscal_year(actual["fiscal_year"])
    predicted = in_year[(in_year["fiscal_year"] == next_year) & (in_year["period"] == "forecast")]
    projections = points[points["kind"] == "projection"]
    if predicted.empty or set(projections["scenario"]) != {"mitigated", "unmitigated"}:
        raise FigureMissing("the DSG model needs next year's predicted overspend and both projections")
    end_year = projections["fiscal_year"].max()
    ends = projections[projections["fiscal_year"] == end_year].set_index("scenario")["value_gbp_m"]
    return DsgReported(
        start_year=actual["fiscal_year"],
        start_deficit_gbp_m=float(actual["value_gbp_m"]),
        first_year=next_year,
        first_year_overspend_gbp_m=float(predicted["value_gbp_m"].iloc[0]),
        end_year=end_year,
        end_mitigated_gbp_m=float(ends["mitigated"]),
        end_unmitigated_gbp_m=float(ends["unmitigated"]),
    )


def dsg_defaults(conn: duckdb.DuckDBPyConnection) -> dsg_model.ReportedDefaults:
    """Scenario-model inputs that reproduce the two reported 2025/26 projections."""
    reported = dsg_reported(conn)
    return dsg_model.reported_defaults(
        start_year=reported.start_year,
        start_deficit_gbp_m=reported.start_deficit_gbp_m,
        first_year_overspend_gbp_m=reported.first_year_overspend_gbp_m,
        end_year=reported.end_year,
        end_unmitigated_gbp_m=reported.end_unmitigated_gbp_m,
        end_mitigated_gbp_m=reported.end_mitigated_gbp_m,
    )


def modelled_paths(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The default modelled deficit per year for both scenarios, starting from the last actual year.

    Columns: scenario, fiscal_year, cumulative_deficit_gbp_m, basis ('reported' at the start and the
    reported end point, 'derived' for the 2021/22 forecast, 'modelled' between).
    """
    defaults = dsg_defaults(conn)
    reported = dsg_reported(conn)
    frames = []
    for scenario, inputs in (("mitigated", defaults.mitigated), ("unmitigated", defaults.unmitigated)):
        path = dsg_model.project(inputs)[["fiscal_year", "cumulative_deficit_gbp_m"]]
        start = pd.DataFrame(
            {"fiscal_year": [reported.start_year], "cumulative_deficit_gbp_m": [reported.start_deficit_gbp_m]}
        )
        path = pd.concat([start, path], ignore_index=True)
        path["basis"] = "modelled"
        path.loc[path["fiscal_year"] == reported.start_year, "basis"] = "reported"
        path.loc[path["fiscal_year"] == reported.first_year, "basis"] = "derived"
        path.loc[path["fiscal_year"] == reported.end_year, "basis"] = "reported"
        path.insert(0, "scenario", scenario)
        frames.append(path)
    return pd.concat(frames, ignore_index=True)


def cover_ratios(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """How many times each reserve covers the cumulative DSG deficit (reserve / deficit).

    One row per reserve and per known deficit that is not a projection (end 2020/21 actual, end 2021/22
    forecast).
    """
    reserve_rows = reserves(conn)
    points = dsg_known_points(conn)
    points = points[points["kind"].isin(["actual", "forecast"])]
    rows = []
    for _, reserve in reserve_rows.iterrows():
        for _, deficit in points.iterrows():
            rows.append(
                {
                    "reserve": reserve["label"],
                    "reserve_measure": reserve["measure"],
                    "reserve_gbp_m": reserve["value_gbp_m"],
                    "deficit_year": deficit["fiscal_year"],
                    "deficit_kind": deficit["kind"],
                    "deficit_basis": deficit["basis"],
                    "deficit_gbp_m": deficit["value_gbp_m"],
                    "cover_ratio": reserve["value_gbp_m"] / deficit["value_gbp_m"],
                }
            )
    return pd.DataFrame(rows)


def years_deficit_exceeds_reserves(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per scenario and reserve, the first year the modelled cumulative deficit is above the reserve.

    Uses the modelled paths (the document gives only the end points), and assumes each reserve stays at
    the level the document reports. `first_year_above` is None where the deficit stays below it; `basis`
    is the basis of the deficit in that year (reported, derived or modelled).
    """
    paths = modelled_paths(conn)
    rows = []
    for _, reserve in reserves(conn).iterrows():
        for scenario, path in paths.groupby("scenario", sort=True):
            year = dsg_model.first_year_above(path, reserve["value_gbp_m"])
            basis = path.loc[path["fiscal_year"] == year, "basis"].iloc[0] if year else "modelled"
            rows.append(
                {
                    "scenario": scenario,
                    "reserve": reserve["label"],
                    "reserve_measure": reserve["measure"],
                    "reserve_gbp_m": reserve["value_gbp_m"],
                    "first_year_above": year,
                    "basis": basis,
                }
            )
    return pd.DataFrame(rows)
