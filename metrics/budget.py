"""Budget and outturn: net budgets, overspends and outturns by year, quarter forecasts, the gross-to-net
bridge, the medium-term plan's assumptions, savings and council tax collection."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from data import vocab
from metrics import vintage
from metrics.held import QUARTERS, FigureMissing, by_period, figure_rows, latest_figures, one_figure


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
        f"{budget['figure_id']} + {overspend['figure_id']}: the {vocab.gbp_m(budget['value'])} net budget plus the "
        f"{vocab.gbp_m(overspend['value'])} overspend at outturn ({budget['fiscal_year']})"
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
    return figure_rows(rows, item=items)


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


def later_overspends(conn: duckdb.DuckDBPyConnection, fiscal_year: str, *, as_at: date | None = None) -> pd.DataFrame:
    """Overspends at outturn of years after `fiscal_year` (the latest with both a budget and an outturn) that
    have no net budget held: the later years a chart of `fiscal_year` must name, so it is not read as the latest."""
    frame = budget_and_outturn(conn, as_at=as_at)
    budgeted = set(frame.loc[frame["item"] == "budget", "fiscal_year"])
    later = frame[
        (frame["item"] == "overspend") & (frame["fiscal_year"] > fiscal_year) & ~frame["fiscal_year"].isin(budgeted)
    ]
    return later.sort_values("fiscal_year").reset_index(drop=True)


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
    return by_period(frame).reset_index(drop=True)


def forecasts_against_outturn(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.DataFrame:
    """Every year's quarter forecasts of the overspend beside its outturn (plan against what happened)."""
    frame = latest_figures(conn, ["net_overspend"], as_at=as_at)
    frame = frame[frame["period"].isin([*QUARTERS, "forecast", "outturn"]) & frame["fiscal_year"].notna()]
    frame = frame[frame["scenario"].isna()]
    if frame.empty:
        raise FigureMissing("no forecast or outturn overspend")
    return by_period(frame).reset_index(drop=True)


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
    gross = one_figure(frame, "gross_service_overspend", fiscal_year, "outturn")
    capital = one_figure(frame, "capital_financing_underspend", fiscal_year, "outturn")
    contingency = one_figure(frame, "contingency_underspend", fiscal_year, "outturn")
    net = one_figure(frame, "net_overspend", fiscal_year, "outturn")
    bridge = figure_rows([gross, capital, contingency, net], step=["start", "change", "change", "total"])
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
