"""The council's financial position as the pages chart it: budget, outturn, reserves and the DSG deficit.

Every function reads the council-wide figures known on `as_at` (None = everything held), the newest
document winning for the same measure, year, period and scenario (see metrics.figures), and returns a
DataFrame that carries each figure's basis and source quote, so a chart's "show the data" table and CSV
say where every number comes from. Money is in £ millions. A function whose figures are not held raises
FigureMissing, which pages and charts show as "not reported" in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from data import vocab
from data.measures import YEAR_END_PERIODS
from metrics import dsg_model, dsg_plan, vintage
from metrics.figures import figures as newest_figures
from metrics.figures import figures_as_at

PROVENANCE = ["basis", "qualifier", "derivation", "as_at_date", "source_document", "source_section", "source_quote"]
_PERIOD_ORDER = {
    "budget": 0, "q1": 1, "q2": 2, "q3": 3, "forecast": 4, "as_at": 5, "outturn": 6, "plan": 7, "projection": 8,
}  # fmt: skip
QUARTERS = ("q1", "q2", "q3")


class FigureMissing(LookupError):
    """A figure a chart needs is not in the database."""


def latest_figures(conn: duckdb.DuckDBPyConnection, measures: list[str], *, as_at: date | None = None) -> pd.DataFrame:
    """Council-wide figures for some measures, the newest document's row for each measure/year/period/scenario."""
    frame = newest_figures(conn, measures, as_at=as_at, newest_only=True)
    return frame.drop(columns=["directorate", "is_latest", "load_id"]).reset_index(drop=True)


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


def _yearly(frame: pd.DataFrame, period: str) -> pd.DataFrame:
    frame = frame[(frame["period"] == period) & frame["fiscal_year"].notna() & frame["scenario"].isna()]
    return frame.sort_values("fiscal_year").reset_index(drop=True)


def net_budget_by_year(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.DataFrame:
    """The net revenue budget, one row per year held."""
    return _yearly(latest_figures(conn, ["net_budget"], as_at=as_at), "budget")


def overspend_by_year(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.DataFrame:
    """The net overspend against budget at outturn, one row per year."""
    return _yearly(latest_figures(conn, ["net_overspend"], as_at=as_at), "outturn")


def _derived_outturn(budget: pd.Series, overspend: pd.Series) -> pd.Series:
    """Net outturn = net budget + net overspend, labelled derived, citing both figures."""
    row = overspend.copy()
    row["figure_id"] = f"{budget['figure_id']}+{overspend['figure_id']}"
    row["measure"] = "net_outturn"
    row["label"] = "Net revenue outturn"
    row["value"] = float(budget["value"]) + float(overspend["value"])
    row["qualifier"] = None
    row["basis"] = "derived"
    row["derivation"] = (
        f"{budget['figure_id']} + {overspend['figure_id']}: the {budget['value']:g} net budget plus the "
        f"{overspend['value']:g} overspend at outturn ({budget['fiscal_year']})"
    )
    row["earlier"] = ""
    row["inputs_dated"] = _inputs_dated(("net budget", budget), ("overspend", overspend))
    row["derivation"] += f"; inputs: {row['inputs_dated']}"
    return row


def _inputs_dated(*inputs: tuple[str, pd.Series]) -> str:
    """A derived value's inputs with their dates: 'net budget 2024/25 budget (reported 15 Jul 2025); ...'."""
    return "; ".join(f"{name} {vintage.dated(row)}" for name, row in inputs)


def budget_and_outturn(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.DataFrame:
    """Every year held: `item` = budget, outturn (reported, else derived from budget + overspend), overspend."""
    frame = latest_figures(conn, ["net_budget", "net_outturn", "net_overspend"], as_at=as_at)
    by_item = {
        "budget": _yearly(frame[frame["measure"] == "net_budget"], "budget"),
        "outturn": _yearly(frame[frame["measure"] == "net_outturn"], "outturn"),
        "overspend": _yearly(frame[frame["measure"] == "net_overspend"], "outturn"),
    }
    years = sorted(set().union(*(set(rows["fiscal_year"]) for rows in by_item.values())))
    rows, items = [], []
    for year in years:
        found = {item: rows_[rows_["fiscal_year"] == year] for item, rows_ in by_item.items()}
        if found["outturn"].empty and not found["budget"].empty and not found["overspend"].empty:
            found["outturn"] = _derived_outturn(found["budget"].iloc[0], found["overspend"].iloc[0]).to_frame().T
        for item in ("budget", "outturn", "overspend"):
            if not found[item].empty:
                rows.append(found[item].iloc[0])
                items.append(item)
    if not rows:
        raise FigureMissing("no net budget or outturn figures")
    return _rows(rows, item=items)


def latest_outturn_year(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> str:
    """The latest year with both a net budget and an outturn (reported or derivable)."""
    frame = budget_and_outturn(conn, as_at=as_at)
    years = sorted(
        set(frame.loc[frame["item"] == "budget", "fiscal_year"])
        & set(frame.loc[frame["item"] == "outturn", "fiscal_year"])
    )
    if not years:
        raise FigureMissing("no year with both a net budget and an outturn")
    return years[-1]


def outturn_against_budget(
    conn: duckdb.DuckDBPyConnection, fiscal_year: str, *, as_at: date | None = None
) -> pd.DataFrame:
    """Budget, outturn and overspend for one year: rows `item` = budget, outturn, overspend."""
    frame = budget_and_outturn(conn, as_at=as_at)
    frame = frame[frame["fiscal_year"] == fiscal_year]
    items = set(frame["item"])
    if not {"budget", "outturn"} <= items:
        raise FigureMissing(f"no net budget and outturn for {fiscal_year}")
    if "overspend" not in items:
        budget = frame[frame["item"] == "budget"].iloc[0]
        outturn = frame[frame["item"] == "outturn"].iloc[0]
        overspend = outturn.copy()
        overspend["measure"], overspend["item"] = "net_overspend", "overspend"
        overspend["value"] = float(outturn["value"]) - float(budget["value"])
        overspend["basis"] = "derived"
        overspend["inputs_dated"] = _inputs_dated(("outturn", outturn), ("net budget", budget))
        overspend["derivation"] = (
            f"{outturn['figure_id']} - {budget['figure_id']}: outturn less net budget; "
            f"inputs: {overspend['inputs_dated']}"
        )
        frame = pd.concat([frame, overspend.to_frame().T], ignore_index=True)
    order = {"budget": 0, "outturn": 1, "overspend": 2}
    return frame.sort_values("item", key=lambda s: s.map(order)).reset_index(drop=True)


def forecast_path(conn: duckdb.DuckDBPyConnection, fiscal_year: str, *, as_at: date | None = None) -> pd.DataFrame:
    """The year's forecast overspend at each quarter held, then the outturn, in order."""
    frame = latest_figures(conn, ["net_overspend"], as_at=as_at)
    frame = frame[
        (frame["fiscal_year"] == fiscal_year) & frame["period"].isin([*QUARTERS, "outturn"]) & frame["scenario"].isna()
    ]
    if frame.empty:
        raise FigureMissing(f"no forecast or outturn overspend for {fiscal_year}")
    return _by_period(frame).reset_index(drop=True)


def forecasts_against_outturn(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.DataFrame:
    """Every year's quarter forecasts of the overspend beside its outturn (plan against what happened)."""
    frame = latest_figures(conn, ["net_overspend"], as_at=as_at)
    frame = frame[frame["period"].isin([*QUARTERS, "forecast", "outturn"]) & frame["fiscal_year"].notna()]
    frame = frame[frame["scenario"].isna()]
    if frame.empty:
        raise FigureMissing("no forecast or outturn overspend")
    return _by_period(frame).reset_index(drop=True)


def bridge_year(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> str:
    """The latest year with every figure of the gross-to-net bridge."""
    frame = latest_figures(conn, BRIDGE_MEASURES, as_at=as_at)
    frame = frame[frame["period"] == "outturn"]
    years = [year for year, rows in frame.groupby("fiscal_year") if set(rows["measure"]) >= set(BRIDGE_MEASURES)]
    if not years:
        raise FigureMissing("no year has the gross service overspend, both underspends and the net overspend")
    return sorted(years)[-1]


BRIDGE_MEASURES = ["gross_service_overspend", "capital_financing_underspend", "contingency_underspend", "net_overspend"]


def overspend_bridge(conn: duckdb.DuckDBPyConnection, fiscal_year: str, *, as_at: date | None = None) -> pd.DataFrame:
    """From the gross service overspend to the net overspend: one row per step, underspends negative.

    `step` is `start` (gross overspend), `change` (an underspend, negative) or `total` (the net overspend).
    Raises BridgeMismatch (a ValueError) if the steps do not add up to the reported net overspend.
    """
    frame = latest_figures(conn, BRIDGE_MEASURES, as_at=as_at)
    gross = _one(frame, "gross_service_overspend", fiscal_year, "outturn")
    capital = _one(frame, "capital_financing_underspend", fiscal_year, "outturn")
    contingency = _one(frame, "contingency_underspend", fiscal_year, "outturn")
    net = _one(frame, "net_overspend", fiscal_year, "outturn")
    bridge = _rows([gross, capital, contingency, net], step=["start", "change", "change", "total"])
    bridge["signed_gbp_m"] = [
        gross["value"],
        -capital["value"],
        -contingency["value"],
        net["value"],
    ]
    steps = bridge.loc[bridge["step"] != "total", "signed_gbp_m"].sum()
    if abs(steps - net["value"]) > 0.005:
        raise BridgeMismatch(
            f"the {fiscal_year} bridge does not add up: gross less underspends is {steps:.2f}, "
            f"net overspend is {net['value']:.2f}"
        )
    return bridge


class BridgeMismatch(ValueError, FigureMissing):
    """The bridge's figures are held but do not add up: shown in place, never drawn."""


def funding_assumptions(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.DataFrame:
    """The medium-term plan's income assumptions, only at the years given (no interpolation)."""
    frame = latest_figures(conn, ["council_tax_income", "business_rates_income"], as_at=as_at)
    frame = frame[(frame["period"] == "plan") & frame["fiscal_year"].notna()]
    frame = frame.sort_values(["measure", "fiscal_year"]).reset_index(drop=True)
    if frame.empty:
        raise FigureMissing("no council tax or business rates assumptions")
    frame["stream"] = frame["measure"].map(
        {"council_tax_income": "Council tax", "business_rates_income": "Business rates"}
    )
    return frame


SAVINGS_MEASURES = ["budget_gap", "tactical_transformational_savings", "net_service_savings", "convergence_savings"]


def savings_picture(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.DataFrame:
    """The budget gap and the savings set against it, in the order a reader meets them."""
    frame = latest_figures(conn, SAVINGS_MEASURES, as_at=as_at)
    if frame.empty:
        raise FigureMissing("no budget gap or savings figures")
    frame["_order"] = frame["measure"].map(SAVINGS_MEASURES.index)
    return (
        frame.sort_values(["_order", "fiscal_year"], na_position="last").drop(columns="_order").reset_index(drop=True)
    )


def collection_rates(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.DataFrame:
    """Council tax collected as a share of that due, by year (`value` in `unit` pct)."""
    frame = _yearly(latest_figures(conn, ["council_tax_collection_rate"], as_at=as_at), "outturn")
    if frame.empty:
        raise FigureMissing("no council tax collection rate")
    return frame


# ---- Reserves and the DSG deficit ---------------------------------------------------------------

RESERVE_MEASURES = ["general_fund_reserve", "usable_reserves"]


def year_end_balances(frame: pd.DataFrame) -> pd.DataFrame:
    """A balance's year-end value, given at outturn or as at a date (data.measures.YEAR_END_PERIODS): one row
    per measure and year, the newer document's where both are held (outturn first on the same date)."""
    frame = frame[frame["period"].isin(YEAR_END_PERIODS) & frame["scenario"].isna()]
    frame = frame.assign(_known=pd.to_datetime(frame["known_on"]), _outturn=frame["period"] == "outturn").sort_values(
        ["_known", "_outturn"], na_position="first"
    )
    frame = frame.groupby(["measure", frame["fiscal_year"].fillna("")], sort=False).tail(1)
    return frame.drop(columns=["_known", "_outturn"])


def reserves_by_year(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.DataFrame:
    """Every general fund and usable reserve balance held at a year end (undated ones first)."""
    frame = year_end_balances(latest_figures(conn, RESERVE_MEASURES, as_at=as_at))
    return frame.sort_values(["measure", "fiscal_year"], na_position="first").reset_index(drop=True)


def reserves(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.DataFrame:
    """The latest balance of each reserve (a dated year beats an undated figure), smallest first."""
    frame = reserves_by_year(conn, as_at=as_at)
    if frame.empty:
        raise FigureMissing("no general fund reserve or usable reserves figure")
    frame = frame.sort_values(["measure", "fiscal_year"], na_position="first").groupby("measure").tail(1)
    return frame.sort_values("value").reset_index(drop=True)


_DSG_KINDS = {
    "outturn": "actual", "as_at": "actual", "q1": "actual", "q2": "actual", "q3": "actual",
    "forecast": "forecast", "projection": "projection",
}  # fmt: skip


def dsg_known_points(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.DataFrame:
    """Every cumulative DSG deficit held, `kind` = actual (year end or a date in the year), forecast or projection."""
    frame = latest_figures(conn, ["dsg_cumulative_deficit"], as_at=as_at)
    frame = frame[frame["fiscal_year"].notna()].copy()
    frame["kind"] = frame["period"].map(_DSG_KINDS)
    frame = frame[frame["kind"].notna() & ((frame["kind"] == "projection") | frame["scenario"].isna())]
    frame = frame[(frame["kind"] != "projection") | frame["scenario"].notna()]
    frame["_order"] = frame["period"].map(_PERIOD_ORDER)
    frame = frame.sort_values(["fiscal_year", "_order", "scenario"], na_position="first")
    return frame.drop(columns="_order").reset_index(drop=True)


def dsg_in_year(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.DataFrame:
    """The high needs block's in-year overspend, actual and predicted."""
    frame = latest_figures(conn, ["dsg_in_year_deficit"], as_at=as_at)
    frame = frame[frame["fiscal_year"].notna() & frame["scenario"].isna()]
    return _by_period(frame).reset_index(drop=True)


def statutory_override_expiry(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.Series:
    """The year the DSG statutory override is due to expire, with its source (`year` holds it)."""
    frame = latest_figures(conn, ["dsg_statutory_override_expiry"], as_at=as_at)
    if frame.empty:
        raise FigureMissing("no statutory override expiry year")
    return frame.sort_values("known_on", na_position="first").iloc[-1].rename({"value": "year"})


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
    plan_known_on: date | None = None  # the date of the document the projections come from


def dsg_reported(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> DsgReported:
    """The plan: both projections, and the last year-end deficit and next year's predicted overspend
    known when the projections were made (so later actuals do not move the plan)."""
    points = dsg_known_points(conn, as_at=as_at)
    projections = points[points["kind"] == "projection"]
    complete = [
        year
        for year, rows in projections.groupby("fiscal_year")
        if {"mitigated", "unmitigated"} <= set(rows["scenario"])
    ]
    if not complete:
        raise FigureMissing("the DSG model needs both projections (with and without mitigation)")
    end_year = sorted(complete)[-1]
    ends = projections[projections["fiscal_year"] == end_year].set_index("scenario")
    known = pd.to_datetime(ends["known_on"]).max()
    plan_known = None if pd.isna(known) else known.date()
    plan_as_at = plan_known or as_at
    plan_points = dsg_known_points(conn, as_at=plan_as_at)
    actuals = plan_points[
        (plan_points["period"] == "outturn") & (plan_points["fiscal_year"] < end_year) & plan_points["scenario"].isna()
    ]
    if actuals.empty:
        raise FigureMissing(f"the DSG model needs a year-end deficit before {end_year}")
    actual = actuals.iloc[-1]
    in_year = dsg_in_year(conn, as_at=plan_as_at)
    next_year = dsg_model.next_fiscal_year(actual["fiscal_year"])
    predicted = in_year[(in_year["fiscal_year"] == next_year) & (in_year["period"] == "forecast")]
    if predicted.empty:
        raise FigureMissing(f"the DSG model needs the in-year overspend predicted for {next_year}")
    return DsgReported(
        start_year=actual["fiscal_year"],
        start_deficit_gbp_m=float(actual["value"]),
        first_year=next_year,
        first_year_overspend_gbp_m=float(predicted["value"].iloc[0]),
        end_year=end_year,
        end_mitigated_gbp_m=float(ends.loc["mitigated", "value"]),
        end_unmitigated_gbp_m=float(ends.loc["unmitigated", "value"]),
        plan_known_on=plan_known,
    )


def dsg_defaults(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> dsg_model.ReportedDefaults:
    """Scenario-model inputs that reproduce the two reported projections."""
    reported = dsg_reported(conn, as_at=as_at)
    try:
        return dsg_model.reported_defaults(
            start_year=reported.start_year,
            start_deficit_gbp_m=reported.start_deficit_gbp_m,
            first_year_overspend_gbp_m=reported.first_year_overspend_gbp_m,
            end_year=reported.end_year,
            end_unmitigated_gbp_m=reported.end_unmitigated_gbp_m,
            end_mitigated_gbp_m=reported.end_mitigated_gbp_m,
        )
    except ValueError as error:
        raise FigureMissing(f"the DSG projections cannot be modelled: {error}") from error


def plan_paths(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.DataFrame:
    """The plan's default modelled deficit per year for both scenarios, starting from the plan's last actual year.

    Columns: scenario, fiscal_year, cumulative_deficit_gbp_m, basis ('reported' at the start and the
    reported end point, 'derived' for the first forecast year, 'modelled' between).
    """
    defaults = dsg_defaults(conn, as_at=as_at)
    reported = dsg_reported(conn, as_at=as_at)
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


@dataclass(frozen=True)
class DsgProjection:
    """Where the DSG projection starts and what it assumes, from the latest reported figures.

    `from_plan` is True while the latest reported deficit is the plan's own start: the plan's two paths are
    then the projection. Otherwise `default` runs on from the latest reported year-end deficit with the
    same in-year overspend each year and no mitigation (the 2021 plan stays a layer of its own).
    """

    start_year: str
    start_deficit_gbp_m: float
    start_words: str  # the starting figure, its basis and date in words
    in_year_gbp_m: float
    in_year_words: str  # where the default in-year overspend comes from
    end_year: str
    from_plan: bool
    default: dsg_model.DsgScenario

    @property
    def in_words(self) -> str:
        return (
            f"The projection starts from the {self.start_words} and adds an in-year overspend of "
            f"{vocab.gbp_m(self.in_year_gbp_m, decimals=1)} a year ({self.in_year_words}), with no savings from "
            f"mitigation, to {self.end_year}: modelled."
        )


_YEAR_END_ORDER = {"outturn": 0, "as_at": 1, "forecast": 2}


def _projection_base(points: pd.DataFrame) -> pd.Series:
    """The latest reported cumulative deficit at a year end: actual (outturn, as at) before a year-end forecast."""
    rows = points[
        points["period"].isin(list(_YEAR_END_ORDER)) & points["scenario"].isna() & (points["basis"] == "reported")
    ]
    if rows.empty:
        raise FigureMissing("the DSG projection needs a reported year-end cumulative deficit")
    rows = rows.assign(_order=rows["period"].map(_YEAR_END_ORDER)).sort_values(
        ["fiscal_year", "_order"], ascending=[False, True]
    )
    return rows.iloc[0].drop(labels="_order")


def _base_words(row: pd.Series) -> str:
    kind = "forecast for the end of" if row["period"] == "forecast" else "reported deficit at the end of"
    return f"{kind} {row['fiscal_year']}, {vocab.gbp_m(row['value'])} ({vintage.reported_phrase(row)})"


_IN_YEAR_ORDER = {"outturn": 0, "forecast": 1, "q3": 2, "q2": 3, "q1": 4}


def latest_in_year(in_year: pd.DataFrame) -> pd.Series | None:
    """The latest reported in-year overspend: the newest year, its outturn before a forecast before a quarter."""
    rows = in_year[(in_year["basis"] == "reported") & in_year["period"].isin(list(_IN_YEAR_ORDER))]
    if rows.empty:
        return None
    rows = rows.assign(_order=rows["period"].map(_IN_YEAR_ORDER))
    return rows.sort_values(["fiscal_year", "_order"], ascending=[False, True]).iloc[0].drop(labels="_order")


def _default_in_year(in_year: pd.DataFrame, points: pd.DataFrame, base: pd.Series) -> tuple[float, str]:
    """The latest reported in-year overspend (from the year before the start or later), else the trend of the
    reported year-end deficits, else the latest in-year figure however old; each says which it is."""
    reported = in_year[(in_year["basis"] == "reported") & in_year["period"].isin(list(_IN_YEAR_ORDER))]
    reported = reported.assign(_order=reported["period"].map(_IN_YEAR_ORDER)).sort_values(
        ["fiscal_year", "_order"], ascending=[False, True]
    )
    recent = reported[reported["fiscal_year"] >= dsg_model.fiscal_year_label(int(base["fiscal_year"][:4]) - 1)]
    if not recent.empty:
        row = recent.iloc[0]
        return float(row["value"]), _in_year_words(row)
    year_ends = year_end_deficits(points)
    year_ends = year_ends[(year_ends["basis"] == "reported") & (year_ends["fiscal_year"] < base["fiscal_year"])]
    if not year_ends.empty:
        first = year_ends.iloc[0]
        rise = dsg_model.trend_per_year(first["fiscal_year"], first["value"], base["fiscal_year"], base["value"])
        return rise, (
            f"the trend of the reported deficits, {vocab.gbp_m(first['value'])} at the end of {first['fiscal_year']} "
            f"to {vocab.gbp_m(base['value'])} for {base['fiscal_year']}"
        )
    if not reported.empty:
        return float(reported["value"].iloc[0]), _in_year_words(reported.iloc[0])
    raise FigureMissing("the DSG projection needs an in-year overspend or two reported year-end deficits")


def _in_year_words(row: pd.Series) -> str:
    return f"the latest reported in-year overspend, {vintage.when(row)}, {vintage.reported_phrase(row)}"


def dsg_projection(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> DsgProjection:
    """The DSG projection's start and default inputs, from the latest reported figures (see DsgProjection)."""
    points = dsg_known_points(conn, as_at=as_at)
    base = _projection_base(points)
    try:
        plan = dsg_reported(conn, as_at=as_at)
    except FigureMissing:
        plan = None
    if plan is not None and plan.start_year >= base["fiscal_year"]:
        defaults = dsg_defaults(conn, as_at=as_at)
        return DsgProjection(
            start_year=plan.start_year,
            start_deficit_gbp_m=plan.start_deficit_gbp_m,
            start_words=f"reported deficit at the end of {plan.start_year}, {vocab.gbp_m(plan.start_deficit_gbp_m)}",
            in_year_gbp_m=plan.first_year_overspend_gbp_m,
            in_year_words=f"the overspend the plan predicts for {plan.first_year}",
            end_year=plan.end_year,
            from_plan=True,
            default=defaults.unmitigated,
        )
    try:
        expiry = int(statutory_override_expiry(conn, as_at=as_at)["year"])
    except FigureMissing:
        expiry = None
    in_year, in_year_words = _default_in_year(dsg_in_year(conn, as_at=as_at), points, base)
    end_year = dsg_model.projection_end(base["fiscal_year"], expiry)
    return DsgProjection(
        start_year=base["fiscal_year"],
        start_deficit_gbp_m=float(base["value"]),
        start_words=_base_words(base),
        in_year_gbp_m=in_year,
        in_year_words=in_year_words,
        end_year=end_year,
        from_plan=False,
        default=dsg_model.steady_scenario(base["fiscal_year"], float(base["value"]), in_year, end_year),
    )


@dataclass(frozen=True)
class ScenarioDefaults:
    """What the scenario model on the DSG page starts from and offers by default, in words and numbers."""

    projection: DsgProjection
    years: tuple[str, ...]
    first_year_overspend_gbp_m: float
    later_overspend_gbp_m: float
    mitigation_per_year_gbp_m: float
    default: dsg_model.DsgScenario  # the year-by-year defaults
    caption: str
    first_year_help: str
    target_name: str  # what the modelled end is set against: 'the recovery plan' or 'the default projection'
    target_gbp_m: float
    unmitigated_end_gbp_m: float | None  # the plan's projection without mitigation, when the plan is the base


def scenario_defaults(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> ScenarioDefaults:
    """The scenario model's defaults: the plan's (reproducing its two reported end points) while the plan starts
    from the latest reported deficit, else the projection from the latest figures (DsgProjection)."""
    projection = dsg_projection(conn, as_at=as_at)
    if projection.from_plan:
        reported = dsg_reported(conn, as_at=as_at)
        defaults = dsg_defaults(conn, as_at=as_at)
        return ScenarioDefaults(
            projection=projection,
            years=defaults.mitigated.years,
            first_year_overspend_gbp_m=reported.first_year_overspend_gbp_m,
            later_overspend_gbp_m=defaults.later_overspend_gbp_m,
            mitigation_per_year_gbp_m=defaults.mitigation_per_year_gbp_m,
            default=defaults.mitigated,
            caption=(
                f"{dsg_model.DEFAULTS_IN_WORDS} With the reported figures that is an in-year overspend of "
                f"{vocab.gbp_m(defaults.later_overspend_gbp_m, decimals=3)} a year after {reported.first_year}, "
                f"and savings from mitigation of {vocab.gbp_m(defaults.mitigation_per_year_gbp_m)} a year, giving "
                f"{vocab.gbp_m(reported.end_unmitigated_gbp_m)} and {vocab.gbp_m(reported.end_mitigated_gbp_m)} "
                f"in {reported.end_year}."
            ),
            first_year_help=f"The document predicts {vocab.gbp_m(reported.first_year_overspend_gbp_m)}.",
            target_name="the recovery plan",
            target_gbp_m=reported.end_mitigated_gbp_m,
            unmitigated_end_gbp_m=reported.end_unmitigated_gbp_m,
        )
    default_end = float(dsg_model.project(projection.default)["cumulative_deficit_gbp_m"].iloc[-1])
    return ScenarioDefaults(
        projection=projection,
        years=projection.default.years,
        first_year_overspend_gbp_m=projection.in_year_gbp_m,
        later_overspend_gbp_m=projection.in_year_gbp_m,
        mitigation_per_year_gbp_m=0.0,
        default=projection.default,
        caption=(
            f"{projection.in_words} Change the inputs below to ask what if; the earlier plan's projections stay "
            "on the chart as a layer of their own."
        ),
        first_year_help=f"Default: {projection.in_year_words}.",
        target_name="the default projection",
        target_gbp_m=default_end,
        unmitigated_end_gbp_m=None,
    )


def modelled_paths(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.DataFrame:
    """The projection per year from the latest reported deficit: the plan's two paths while the plan starts
    from the latest figure (plan_paths), else one path, scenario 'trend' (dsg_projection's default inputs).

    Columns: scenario, fiscal_year, cumulative_deficit_gbp_m, basis ('reported' at the start, 'modelled' after).
    """
    projection = dsg_projection(conn, as_at=as_at)
    if projection.from_plan:
        return plan_paths(conn, as_at=as_at)
    path = dsg_model.project(projection.default)[["fiscal_year", "cumulative_deficit_gbp_m"]]
    start = pd.DataFrame(
        {"fiscal_year": [projection.start_year], "cumulative_deficit_gbp_m": [projection.start_deficit_gbp_m]}
    )
    path = pd.concat([start, path], ignore_index=True)
    path["basis"] = ["reported"] + ["modelled"] * (len(path) - 1)
    path.insert(0, "scenario", "trend")
    return path


def _cover_deficits(points: pd.DataFrame) -> pd.DataFrame:
    """The latest actual deficit and the first forecast after it (the deficits reserves are set against)."""
    actuals = points[points["kind"] == "actual"]
    if actuals.empty:
        return points.iloc[0:0]
    latest = actuals.iloc[[-1]]
    year = latest["fiscal_year"].iloc[0]
    forecasts = points[(points["kind"] == "forecast") & (points["fiscal_year"] >= year)]
    forecasts = forecasts[forecasts["fiscal_year"] > year] if (forecasts["fiscal_year"] > year).any() else forecasts
    return pd.concat([latest, forecasts.iloc[:1]], ignore_index=True)


def year_end_deficits(points: pd.DataFrame) -> pd.DataFrame:
    """The actual cumulative deficit at each year end held (outturn, or as at the year end), one row a year."""
    rows = points[points["period"].isin(YEAR_END_PERIODS) & points["scenario"].isna()]
    return rows.groupby("fiscal_year").tail(1).reset_index(drop=True)


def same_vintage(reserve: pd.Series, deficit: pd.Series) -> bool:
    """A reserve and a deficit of the same year; an undated reserve goes with a deficit from its own document."""
    if isinstance(reserve["fiscal_year"], str):
        return reserve["fiscal_year"] == deficit["fiscal_year"]
    return reserve["source_document"] == deficit["source_document"]


def pairing(reserve: pd.Series, deficit: pd.Series) -> str:
    """How a reserve and a deficit are paired, in words: 'same year', 'same document', or the two vintages
    ('usable reserves at end 2021/22 (reported 30 Sep 2022) against the 2025/26 forecast deficit')."""
    if same_vintage(reserve, deficit):
        return "same year" if isinstance(reserve["fiscal_year"], str) else "same document"
    return f"{reserve['label'].lower()} {_at(reserve)} against the {_deficit_when(deficit)} deficit"


def _at(row: pd.Series) -> str:
    text = vintage.dated(row)
    return text if text.startswith("no year") else f"at {text}"


def _deficit_when(deficit: pd.Series) -> str:
    period = deficit["period"]
    if period in YEAR_END_PERIODS:
        return str(deficit["fiscal_year"])
    return f"{deficit['fiscal_year']} {vocab.PERIOD_WORDS.get(period, period)}"


def cover_ratio(reserve_gbp_m: float, deficit_gbp_m: float) -> float | None:
    """Reserve ÷ deficit; None where there is no deficit to cover."""
    return reserve_gbp_m / deficit_gbp_m if deficit_gbp_m > 0 else None


def reference_date(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> date:
    """The date the page's figures are as at (metrics.vintage.reference_date): what "over 12 months old" counts from."""
    return vintage.reference_date(as_at, figures_as_at(conn, as_at=as_at))


def _cover_row(reserve: pd.Series, deficit: pd.Series, reference: date) -> dict:
    return {
        "reserve": reserve["label"],
        "reserve_measure": reserve["measure"],
        "reserve_gbp_m": reserve["value"],
        "reserve_year": reserve["fiscal_year"],
        "reserve_dated": vintage.dated(reserve),
        "reserve_stale": vintage.stale_note(reserve, reference),
        "deficit_year": deficit["fiscal_year"],
        "deficit_kind": deficit["kind"],
        "deficit_period": deficit["period"],
        "deficit_basis": deficit["basis"],
        "deficit_gbp_m": deficit["value"],
        "deficit_dated": vintage.dated(deficit),
        "same_vintage": same_vintage(reserve, deficit),
        "pairing": pairing(reserve, deficit),
        "cover_ratio": cover_ratio(reserve["value"], deficit["value"]),
        "inputs_dated": f"{reserve['label']} {vintage.dated(reserve)}; DSG deficit {vintage.dated(deficit)}",
    }


def cover_ratios(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.DataFrame:
    """How many times each reserve's latest balance covers the DSG deficit (derived): against the latest actual
    and forecast deficit, and against the deficit of the reserve's own year. Every row names both inputs'
    dates and how they are paired; `headline` marks the row a page leads with for each reserve: the latest
    deficit of the reserve's own year (or document), else the latest actual, labelled as a cross-year pair."""
    reserve_rows = reserves(conn, as_at=as_at)
    points = dsg_known_points(conn, as_at=as_at)
    latest = _cover_deficits(points)
    if latest.empty:
        raise FigureMissing("no DSG deficit to set the reserves against")
    year_ends = year_end_deficits(points)
    reference = reference_date(conn, as_at=as_at)
    rows = []
    for _, reserve in reserve_rows.iterrows():
        own = year_ends[[same_vintage(reserve, deficit) for _, deficit in year_ends.iterrows()]]
        deficits = pd.concat([latest, own.iloc[-1:]], ignore_index=True).drop_duplicates(["fiscal_year", "period"])
        found = [_cover_row(reserve, deficit, reference) for _, deficit in deficits.iterrows()]
        actual = [row for row in found if row["deficit_kind"] == "actual"]
        paired = [row for row in actual if row["same_vintage"]]
        lead = max(paired or actual, key=lambda row: row["deficit_year"])
        rows += [{**row, "headline": row is lead} for row in found]
    return pd.DataFrame(rows)


def cover_statement(ratios: pd.DataFrame) -> str:
    """The cover in one sentence from the headline rows: both inputs' years said, a cross-year pair and an old
    reserve labelled as such."""
    lead = ratios[ratios["headline"]].set_index("reserve_measure")
    usable = lead.loc["usable_reserves"] if "usable_reserves" in lead.index else None
    general = lead.loc["general_fund_reserve"] if "general_fund_reserve" in lead.index else None
    held = [row for row in (usable, general) if row is not None]
    if not held:
        raise FigureMissing("no actual DSG deficit to set the reserves against")
    plain = all(row["same_vintage"] and not row["reserve_stale"] for row in held)
    if plain and len({row["deficit_year"] for row in held}) == 1:
        year = held[0]["deficit_year"]
        if len(held) == 2:
            text = (
                f"Usable reserves cover the {year} DSG deficit {vocab.times(usable['cover_ratio'])}, "
                f"the general fund reserve only {vocab.times(general['cover_ratio'])}"
            )
        else:
            text = (
                f"The {held[0]['reserve'].lower()} covers the {year} DSG deficit {vocab.times(held[0]['cover_ratio'])}"
            )
        forecast = ratios[
            (ratios["reserve_measure"] == "usable_reserves")
            & (ratios["deficit_kind"] == "forecast")
            & ratios["same_vintage"]
        ]
        if not forecast.empty:
            text += f"; {vocab.times(forecast['cover_ratio'].iloc[0])} by the end of {forecast['deficit_year'].iloc[0]}"
        return text
    parts = []
    for row in (general, usable):
        if row is None:
            continue
        if row["same_vintage"]:
            part = (
                f"the {row['reserve'].lower()} covered the {row['deficit_year']} DSG deficit "
                f"{vocab.times(row['cover_ratio'])}"
            )
        else:
            part = f"{row['pairing']}: {vocab.times(row['cover_ratio'])}"
        if row["reserve_stale"]:
            part += f" (reserve {row['reserve_stale']})"
        parts.append(part)
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def cover_by_year(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.DataFrame:
    """For every year with a reserve balance and a year-end DSG deficit: reserve ÷ deficit (derived)."""
    reserve_rows = reserves_by_year(conn, as_at=as_at)
    year_end = year_end_deficits(dsg_known_points(conn, as_at=as_at)).set_index("fiscal_year", drop=False)
    rows = []
    for _, reserve in reserve_rows[reserve_rows["fiscal_year"].notna()].iterrows():
        if reserve["fiscal_year"] not in year_end.index:
            continue
        deficit = year_end.loc[reserve["fiscal_year"]]
        rows.append(
            {
                "fiscal_year": reserve["fiscal_year"],
                "reserve": reserve["label"],
                "reserve_measure": reserve["measure"],
                "reserve_gbp_m": reserve["value"],
                "deficit_gbp_m": deficit["value"],
                "cover_ratio": cover_ratio(reserve["value"], deficit["value"]),
                "basis": "derived",
                "inputs_dated": f"{reserve['label']} {vintage.dated(reserve)}; DSG deficit {vintage.dated(deficit)}",
            }
        )
    columns = [
        "fiscal_year", "reserve", "reserve_measure", "reserve_gbp_m", "deficit_gbp_m", "cover_ratio", "basis",
        "inputs_dated",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def latest_reported_deficit_year(points: pd.DataFrame) -> str | None:
    """The latest year with a reported (not derived or modelled) cumulative deficit, actual or forecast."""
    reported = points[points["kind"].isin(["actual", "forecast"]) & (points["basis"] == "reported")]
    return None if reported.empty else str(reported["fiscal_year"].max())


def _already_above(reserve: pd.Series, history: pd.DataFrame, year_ends: pd.DataFrame) -> tuple[str, str] | None:
    """(since which year, basis) where reported year-end deficits are above this reserve, else None.

    First the pairs of the same year (or document): the run of paired years ending at the latest, all above.
    Else, for the reserve's latest balance, the reported deficits after its year: above it since the first
    of the run ending at the latest (basis says the reserve is from an earlier year)."""
    pairs = []
    for _, balance in history.iterrows():
        for _, deficit in year_ends.iterrows():
            if same_vintage(balance, deficit):
                pairs.append((deficit["fiscal_year"], deficit["value"] > balance["value"]))
    pairs.sort()
    if pairs and pairs[-1][1]:
        since = pairs[-1][0]
        for year, above in reversed(pairs):
            if not above:
                break
            since = year
        latest_paired = pairs[-1][0]
        if year_ends.empty or latest_paired >= year_ends["fiscal_year"].max():
            return since, "reported"
    year = reserve["fiscal_year"] if isinstance(reserve["fiscal_year"], str) else None
    later = year_ends if year is None else year_ends[year_ends["fiscal_year"] > year]
    if year is None:
        later = later[later["source_document"] != reserve["source_document"]]
    if later.empty or not later["value"].iloc[-1] > reserve["value"]:
        return (since, "reported") if pairs and pairs[-1][1] else None
    since = later["fiscal_year"].iloc[-1]
    for _, deficit in later.iloc[::-1].iterrows():
        if not deficit["value"] > reserve["value"]:
            break
        since = deficit["fiscal_year"]
    return since, "reported against an earlier reserve"


SCENARIO_WORDS = {
    "unmitigated": "without mitigation",
    "mitigated": "with the recovery plan",
    "trend": "on the latest trend",
}


def years_deficit_exceeds_reserves(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.DataFrame:
    """Per scenario and reserve, when the DSG deficit is (or would be) above the reserve: actuals first.

    `status` is 'already above' (reported year-end deficits above the reserve: `first_year_above` is the year
    since which, `basis` 'reported', or 'reported against an earlier reserve' where the reserve's latest balance
    is from before those deficits), else 'would pass' (the first modelled year after the latest reported
    figure whose deficit is above the reserve's latest balance, basis 'modelled') or 'not by' (none by the
    last modelled year, `first_year_above` None). `statement` says it in words with both inputs' dates.
    """
    points = dsg_known_points(conn, as_at=as_at)
    year_ends = year_end_deficits(points)
    history = reserves_by_year(conn, as_at=as_at)
    latest_year = latest_reported_deficit_year(points)
    reference = reference_date(conn, as_at=as_at)
    try:
        paths = modelled_paths(conn, as_at=as_at)
    except FigureMissing:
        paths = pd.DataFrame(columns=["scenario", "fiscal_year", "cumulative_deficit_gbp_m", "basis"])
    scenarios = list(dict.fromkeys(paths["scenario"])) or [None]
    rows = []
    for _, reserve in reserves(conn, as_at=as_at).iterrows():
        above = _already_above(reserve, history[history["measure"] == reserve["measure"]], year_ends)
        for scenario in scenarios:
            path = paths[paths["scenario"] == scenario]
            if latest_year is not None:
                path = path[path["fiscal_year"] > latest_year]
            reserve_words = (
                f"{reserve['label'].lower()} ({vocab.gbp_m(reserve['value'])}, {vintage.short(reserve, reference)})"
            )
            if above is not None:
                year, basis = above
                status = "already above"
                statement = (
                    f"is already above the {reserve_words} since {year} (reported)"
                    if basis == "reported"
                    else f"is above the {reserve_words} since {year} (reported deficits against an older reserve)"
                )
            else:
                year = dsg_model.first_year_above(path, reserve["value"]) if not path.empty else None
                basis = "modelled"
                status = "would pass" if year else "not by"
                scenario_words = SCENARIO_WORDS.get(scenario, "")
                last = path["fiscal_year"].max() if not path.empty else None
                statement = (
                    f"would pass the {reserve_words} in {year} {scenario_words} (modelled)"
                    if year
                    else f"would not pass the {reserve_words} by {last} {scenario_words} (modelled)"
                    if last
                    else f"is below the {reserve_words}; no projection is held"
                )
            rows.append(
                {
                    "scenario": scenario,
                    "reserve": reserve["label"],
                    "reserve_measure": reserve["measure"],
                    "reserve_gbp_m": reserve["value"],
                    "reserve_dated": vintage.dated(reserve),
                    "first_year_above": year,
                    "status": status,
                    "basis": basis,
                    "latest_reported_year": latest_year,
                    "statement": " ".join(statement.split()),
                }
            )
    return pd.DataFrame(rows)


def risk_in_one_line(crossings: pd.DataFrame) -> str | None:
    """The Overview's risk sentence about usable reserves (else the general fund reserve), from actuals first."""
    measure = "usable_reserves" if (crossings["reserve_measure"] == "usable_reserves").any() else "general_fund_reserve"
    rows = crossings[crossings["reserve_measure"] == measure]
    if rows.empty:
        return None
    by_scenario = rows.set_index("scenario")
    if set(rows["status"]) <= {"would pass", "not by"} and {"mitigated", "unmitigated"} <= set(rows["scenario"]):

        def crossing(scenario: str) -> str:
            year = by_scenario.loc[scenario, "first_year_above"]
            return f"in {year}" if isinstance(year, str) else "in no modelled year"

        return (
            "on the modelled paths between the reported figures, the DSG deficit would pass usable reserves "
            f"{crossing('unmitigated')} without mitigation and {crossing('mitigated')} with the recovery plan"
        )
    statements = list(dict.fromkeys(rows["statement"]))
    return "the DSG deficit " + " and ".join(statements)


PLAN_STANDING_WORDS = {
    "start": "the plan's starting figure",
    "above": "above both paths",
    "below": "below the recovery plan",
    "between": "between the paths",
}


def plan_against_reported(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.DataFrame:
    """Each year of the plan's modelled paths beside the deficit later reported for that year, if any.

    Columns: fiscal_year, mitigated_gbp_m, unmitigated_gbp_m (modelled, or reported at the end points),
    reported_gbp_m, reported_kind ('actual (year end)', 'forecast': the period said once), reported_source,
    against ('above both paths', 'between the paths', 'below the recovery plan' or 'not reported').
    """
    paths = plan_paths(conn, as_at=as_at)
    wide = paths.pivot(index="fiscal_year", columns="scenario", values="cumulative_deficit_gbp_m")
    basis = paths[paths["scenario"] == "mitigated"].set_index("fiscal_year")["basis"]
    points = dsg_known_points(conn, as_at=as_at)
    later = points[(points["kind"] != "projection")].groupby("fiscal_year").tail(1).set_index("fiscal_year")
    rows = []
    for year in wide.index:
        low, high = wide.loc[year, "mitigated"], wide.loc[year, "unmitigated"]
        row = {
            "fiscal_year": year,
            "path_basis": basis.get(year, "modelled"),
            "mitigated_gbp_m": low,
            "unmitigated_gbp_m": high,
            "reported_gbp_m": None,
            "reported_kind": None,
            "reported_source": None,
            "against": "not reported",
        }
        if year in later.index:
            actual = later.loc[year]
            value = float(actual["value"])
            row.update(
                reported_gbp_m=value,
                reported_kind=vocab.qualified(
                    actual["kind"], vocab.PERIOD_WORDS.get(actual["period"], actual["period"])
                ),
                reported_source=actual["source_document"],
                against=PLAN_STANDING_WORDS[dsg_plan.standing(value, low, high)],
            )
        rows.append(row)
    return pd.DataFrame(rows)
