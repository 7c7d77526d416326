"""The position charts by topic: charts.budget (budget and outturn), charts.reserves, charts.dsg and
charts.overview, on the shared pieces in charts.yearly. This module names them all in one place for callers
that want the lot (pages, the briefing pack)."""

from __future__ import annotations

from charts.budget import (
    FORECAST_COLOURS,
    PERIOD_NAMES,
    SAVINGS_NAMES,
    budget_and_outturn_chart,
    build_budget_and_outturn,
    build_collection,
    build_forecast_path,
    build_forecasts_against_outturn,
    build_funding_assumptions,
    build_net_budget,
    build_outturn_against_budget,
    build_overspend_bridge,
    build_overspend_by_year,
    build_savings,
    collection_rate_chart,
    forecast_path_chart,
    forecasts_against_outturn_chart,
    funding_assumptions_chart,
    net_budget_chart,
    outturn_against_budget_chart,
    overspend_bridge_chart,
    overspend_by_year_chart,
    savings_chart,
)
from charts.dsg import (
    build_dsg_scenario_default,
    build_dsg_trajectory,
    dsg_scenario_chart,
    dsg_trajectory_chart,
)
from charts.overview import (
    STATUS_ORDER,
    action_status_chart,
    build_action_status,
)
from charts.reserves import (
    build_reserves_against_deficit,
    build_reserves_by_year,
    build_reserves_timeline,
    reserves_against_deficit_chart,
    reserves_by_year_chart,
    reserves_timeline_chart,
)

__all__ = [
    "FORECAST_COLOURS",
    "PERIOD_NAMES",
    "SAVINGS_NAMES",
    "STATUS_ORDER",
    "action_status_chart",
    "budget_and_outturn_chart",
    "build_action_status",
    "build_budget_and_outturn",
    "build_collection",
    "build_dsg_scenario_default",
    "build_dsg_trajectory",
    "build_forecast_path",
    "build_forecasts_against_outturn",
    "build_funding_assumptions",
    "build_net_budget",
    "build_outturn_against_budget",
    "build_overspend_bridge",
    "build_overspend_by_year",
    "build_reserves_against_deficit",
    "build_reserves_by_year",
    "build_reserves_timeline",
    "build_savings",
    "collection_rate_chart",
    "dsg_scenario_chart",
    "dsg_trajectory_chart",
    "forecast_path_chart",
    "forecasts_against_outturn_chart",
    "funding_assumptions_chart",
    "net_budget_chart",
    "outturn_against_budget_chart",
    "overspend_bridge_chart",
    "overspend_by_year_chart",
    "reserves_against_deficit_chart",
    "reserves_by_year_chart",
    "reserves_timeline_chart",
    "savings_chart",
]
