"""Monitoring metrics agree with an independent pandas computation and with the reported position."""

from __future__ import annotations

import pandas as pd
import pytest

from charts.all import load_catalogue
from charts.monitoring import cost_centres_chart, services_chart, variance_trend_chart
from charts.spec import SAMPLE_LABEL
from metrics import monitoring
from metrics.figures import figures

YEAR = "2020/21"


@pytest.fixture(scope="module")
def lines(conn) -> pd.DataFrame:
    """The whole (small, 12,000-line) test table in pandas: the independent reference."""
    frame = conn.execute("SELECT * FROM monitoring").df()
    for column in ("budget_gbp", "actual_gbp", "forecast_gbp"):
        frame[column] = frame[column].astype(float)
    return frame


def test_the_sample_year_reconciles_to_the_reported_position(conn):
    total = monitoring.totals(conn, fiscal_year=YEAR).iloc[0]
    budget = figures(conn, ["net_budget"], fiscal_year=YEAR).iloc[0]["value"]
    overspend = figures(conn, ["net_overspend"], fiscal_year=YEAR).iloc[0]["value"]
    assert total["budget_gbp"] == pytest.approx(budget * 1e6)
    assert total["variance_gbp"] == pytest.approx(overspend * 1e6)
    assert total["sample_lines"] == total["lines"] == 12_000


@pytest.mark.parametrize("chosen", [["Place"], ["Children's Services", "Adults & Housing"], None])
@pytest.mark.parametrize("month", [3, 12, None])
def test_totals_and_breakdowns_match_pandas(conn, lines, chosen, month):
    subset = lines[lines["fiscal_year"] == YEAR]
    if chosen:
        subset = subset[subset["directorate"].isin(chosen)]
    if month:
        subset = subset[subset["period_month"] <= month]
    total = monitoring.totals(conn, fiscal_year=YEAR, directorates=chosen, month=month).iloc[0]
    assert total["budget_gbp"] == pytest.approx(subset["budget_gbp"].sum())
    assert total["actual_gbp"] == pytest.approx(subset["actual_gbp"].sum())
    assert total["forecast_variance_gbp"] == pytest.approx(subset["forecast_gbp"].sum() - subset["budget_gbp"].sum())
    assert total["lines"] == len(subset)

    services = monitoring.by_service(conn, fiscal_year=YEAR, directorates=chosen, month=month)
    reference = subset.groupby(["directorate", "service"])[["budget_gbp", "actual_gbp"]].sum()
    assert len(services) == len(reference)
    for _, row in services.iterrows():
        assert row["budget_gbp"] == pytest.approx(reference.loc[(row["directorate"], row["service"]), "budget_gbp"])
        assert row["variance_gbp"] == pytest.approx(
            reference.loc[(row["directorate"], row["service"]), "actual_gbp"]
            - reference.loc[(row["directorate"], row["service"]), "budget_gbp"]
        )
    assert list(services["variance_gbp"]) == sorted(services["variance_gbp"], reverse=True)

    trend = monitoring.variance_trend(conn, fiscal_year=YEAR, directorates=chosen, month=month)
    by_month = subset.assign(v=subset["actual_gbp"] - subset["budget_gbp"]).groupby("period_month")["v"].sum()
    assert list(trend["period_month"]) == list(by_month.index)
    assert list(trend["variance_gbp"]) == pytest.approx(list(by_month))
    assert list(trend["cumulative_variance_gbp"]) == pytest.approx(list(by_month.cumsum()))

    directorates = monitoring.by_directorate(conn, fiscal_year=YEAR, directorates=chosen, month=month)
    assert directorates["budget_gbp"].sum() == pytest.approx(total["budget_gbp"])
    assert set(directorates["directorate"]) == set(subset["directorate"])


def test_largest_cost_centre_variances_are_the_largest_either_sign(conn, lines):
    centres = monitoring.cost_centre_variances(conn, fiscal_year=YEAR, directorates=["Place"], month=6, limit=10)
    subset = lines[(lines["directorate"] == "Place") & (lines["period_month"] <= 6)]
    reference = subset.assign(v=subset["actual_gbp"] - subset["budget_gbp"]).groupby("cost_centre")["v"].sum()
    top = reference.abs().sort_values(ascending=False).head(10)
    assert list(centres["cost_centre"]) == list(top.index)
    assert list(centres["variance_gbp"]) == pytest.approx(list(reference[top.index]))
    assert set(centres["directorate"]) == {"Place"}


def test_drill_down_to_service_and_cost_centre(conn, lines):
    service = "Highways"
    centres = monitoring.cost_centres(conn, fiscal_year=YEAR, directorates=["Place"], service=service)
    assert centres == sorted(lines.loc[lines["service"] == service, "cost_centre"].unique())
    one = centres[0]
    total = monitoring.totals(conn, fiscal_year=YEAR, directorates=["Place"], service=service, cost_centre=one)
    reference = lines[lines["cost_centre"] == one]
    assert total.iloc[0]["lines"] == len(reference) == 12
    assert total.iloc[0]["actual_gbp"] == pytest.approx(reference["actual_gbp"].sum())
    # A service outside the chosen directorate gives nothing, not the whole council.
    assert monitoring.totals(conn, fiscal_year=YEAR, directorates=["Place"], service="Housing").iloc[0]["lines"] == 0


def test_data_version_changes_with_loads(conn):
    assert monitoring.data_version(conn)[1] >= 2  # the build and the sample fill


# --- charts ----------------------------------------------------------------------------------------


def _annotations(chart) -> str:
    return " ".join(a.text for a in chart.figure.layout.annotations)


def test_charts_on_sample_lines_say_sample_data_inside_the_figure_and_in_the_data(conn):
    services = monitoring.by_service(conn, fiscal_year=YEAR, directorates=["Place"], month=6)
    chart = services_chart(services, fiscal_year=YEAR, month=6, directorates=["Place"])
    assert SAMPLE_LABEL in _annotations(chart)
    assert chart.labels == (SAMPLE_LABEL,)
    assert set(chart.data["data_basis"]) == {"sample data"}
    top = services.iloc[0]
    assert top["service"] in chart.title
    assert len(chart.figure.data) == 3
    assert list(chart.figure.data[0].x) == pytest.approx(list(services.sort_values("variance_gbp")["budget_gbp"] / 1e6))


def test_charts_on_reported_lines_carry_no_sample_label():
    trend = pd.DataFrame(
        {
            "period_month": [1, 2],
            "budget_gbp": [100.0, 100.0],
            "actual_gbp": [150.0, 90.0],
            "forecast_gbp": [120.0, 100.0],
            "variance_gbp": [50.0, -10.0],
            "cumulative_variance_gbp": [50.0, 40.0],
            "lines": [1, 1],
            "sample_lines": [0, 0],
        }
    )
    chart = variance_trend_chart(trend, fiscal_year="2021/22", scope="Place")
    assert SAMPLE_LABEL not in _annotations(chart)
    assert chart.labels == ()
    assert "over budget by P2 (May)" in chart.title
    centres = cost_centres_chart(
        trend.assign(cost_centre=["A", "B"], service="S", directorate="Place"), fiscal_year="2021/22", month=2,
        scope="Place",
    )  # fmt: skip
    assert set(centres.data["data_basis"]) == {"reported"}


def test_monitoring_charts_are_in_the_catalogue_and_follow_the_directorate_filter(conn):
    catalogue = load_catalogue()
    for chart_id in ("monitoring_services", "monitoring_variance_trend", "monitoring_cost_centres"):
        entry = catalogue[chart_id]
        assert entry.page == "Directorates"
        assert entry.build(conn).chart_id == chart_id  # the catalogue's call: every directorate
        chart = entry.build.__wrapped__(conn, ["Central budgets"])
        assert chart.chart_id == chart_id
        assert set(chart.data.get("directorate", pd.Series(["Central budgets"]))) == {"Central budgets"}
        assert SAMPLE_LABEL in chart.labels
