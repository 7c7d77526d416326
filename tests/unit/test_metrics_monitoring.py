"""Monitoring metrics agree with an independent pandas computation; the sample tells the reported story."""

from __future__ import annotations

import pandas as pd
import pytest

from charts.all import load_catalogue
from charts.monitoring import cost_centres_chart, drift_chart, short_name, variance_chart
from charts.spec import SAMPLE_LABEL
from charts.style import narrow_figure
from metrics import monitoring
from metrics.figures import figures

YEAR = "2020/21"


@pytest.fixture(scope="module")
def lines(conn) -> pd.DataFrame:
    """The whole (small, 12,000-line) test table in pandas: the independent reference."""
    frame = conn.execute("SELECT * FROM monitoring").df()
    for column in ("annual_budget_gbp", "actual_ytd_gbp", "forecast_outturn_gbp"):
        frame[column] = frame[column].astype(float)
    frame["variance"] = frame["forecast_outturn_gbp"] - frame["annual_budget_gbp"]
    return frame


def reported(conn, figure_id: str) -> float:
    return conn.execute("SELECT value FROM reported_figures WHERE figure_id = $id", {"id": figure_id}).fetchone()[0]


def test_the_sample_p9_and_p12_council_totals_are_the_reported_forecast_and_outturn(conn):
    p9 = monitoring.council_total(conn, fiscal_year=YEAR, period=9, previous=8).iloc[0]
    p12 = monitoring.council_total(conn, fiscal_year=YEAR, period=12, previous=11).iloc[0]
    budget = figures(conn, ["net_budget"], fiscal_year=YEAR).iloc[0]["value"]
    assert p9["annual_budget_gbp"] == p12["annual_budget_gbp"] == pytest.approx(budget * 1e6)
    assert p9["variance_gbp"] == pytest.approx(reported(conn, "RF005") * 1e6)  # £18.6m at quarter 3
    assert p12["variance_gbp"] == pytest.approx(reported(conn, "RF003") * 1e6)  # £15m outturn
    central = monitoring.monitoring_table(
        conn, fiscal_year=YEAR, period=12, previous=11, level="service", directorate="Central budgets"
    ).set_index("name")
    assert central.loc["Capital financing", "variance_gbp"] == pytest.approx(-reported(conn, "RF006") * 1e6)
    assert central.loc["Contingency", "variance_gbp"] == pytest.approx(-reported(conn, "RF007") * 1e6)
    assert p12["sample_lines"] == p12["lines"] == 1000


def test_the_sample_savings_programme_is_the_reported_size(conn):
    held = monitoring.savings_snapshots(conn)
    assert set(held["fiscal_year"]) == {"2021/22"} and list(held["period"]) == [6, 4, 2]
    for period in (2, 4, 6):
        savings = monitoring.savings_by_directorate(conn, fiscal_year="2021/22", period=period)
        assert savings["target_gbp"].sum() == pytest.approx(reported(conn, "RF021") * 1e6)
        shortfall = savings["target_gbp"] - savings["forecast_delivery_gbp"]
        assert list(savings["undelivered_gbp"]) == pytest.approx(list(shortfall))


@pytest.mark.parametrize(("period", "previous"), [(9, 8), (6, 3), (1, None)])
@pytest.mark.parametrize("chosen", [None, ["Place", "Children's Services"]])
def test_the_table_matches_pandas(conn, lines, period, previous, chosen):
    table = monitoring.monitoring_table(
        conn, fiscal_year=YEAR, period=period, previous=previous, directorates=chosen
    ).set_index("name")
    subset = lines if not chosen else lines[lines["directorate"].isin(chosen)]
    now = subset[subset["period"] == period].groupby("directorate")
    before = subset[subset["period"] == previous].groupby("directorate")["variance"].sum()
    assert sorted(table.index) == sorted(now.groups)
    for directorate, group in now:
        row = table.loc[directorate]
        budget, variance = group["annual_budget_gbp"].sum(), group["variance"].sum()
        assert row["annual_budget_gbp"] == pytest.approx(budget)
        assert row["variance_gbp"] == pytest.approx(variance)
        assert row["variance_pct"] == pytest.approx(variance / budget * 100)
        if previous is None:
            assert pd.isna(row["movement_gbp"])
        else:
            assert row["movement_gbp"] == pytest.approx(variance - before[directorate])
    total = monitoring.council_total(conn, fiscal_year=YEAR, period=period, previous=previous, directorates=chosen)
    assert total.iloc[0]["variance_gbp"] == pytest.approx(table["variance_gbp"].sum())


def test_drill_to_service_and_cost_centre(conn, lines):
    services = monitoring.monitoring_table(
        conn, fiscal_year=YEAR, period=9, previous=8, level="service", directorate="Place"
    )
    place = lines[(lines["period"] == 9) & (lines["directorate"] == "Place")]
    assert set(services["name"]) == set(place["service"])
    assert services["variance_gbp"].sum() == pytest.approx(place["variance"].sum())
    centres = monitoring.monitoring_table(
        conn, fiscal_year=YEAR, period=9, previous=8, level="cost_centre", directorate="Place", service="Highways",
        limit=5,
    )  # fmt: skip
    highways = place[place["service"] == "Highways"].set_index("cost_centre")["variance"]
    assert list(centres["name"]) == list(highways.abs().sort_values(ascending=False).index[:5])


def test_drift_holds_every_period_per_directorate(conn, lines):
    drift = monitoring.drift(conn, fiscal_year=YEAR)
    reference = lines.groupby(["directorate", "period"])["variance"].sum()
    assert len(drift) == len(reference) == 5 * 12
    for _, row in drift.iterrows():
        assert row["variance_gbp"] == pytest.approx(reference[(row["directorate"], row["period"])])


def test_rag_thresholds_are_configurable_and_bad_settings_fall_back(monkeypatch):
    rate = monitoring.RagThresholds().rate
    assert [rate(1, 0.5), rate(1, 1.0), rate(1, 2.9), rate(1, 3.0), rate(-5, -20.0)] == [
        "Green", "Amber", "Amber", "Red", "Green",
    ]  # fmt: skip
    assert rate(1, None) == "Red" and rate(0, None) == "Green"  # no budget
    monkeypatch.setenv("MONITORING_RAG_AMBER_PCT", "2")
    monkeypatch.setenv("MONITORING_RAG_RED_PCT", "5")
    assert monitoring.rag_thresholds() == monitoring.RagThresholds(2.0, 5.0)
    monkeypatch.setenv("MONITORING_RAG_RED_PCT", "1")  # below amber: not sensible
    assert monitoring.rag_thresholds() == monitoring.RagThresholds()
    monkeypatch.setenv("MONITORING_RAG_RED_PCT", "lots")
    assert monitoring.rag_thresholds() == monitoring.RagThresholds()


# --- charts ----------------------------------------------------------------------------------------


def _all_text(chart) -> str:
    return (chart.figure.layout.title.text + " ".join(a.text for a in chart.figure.layout.annotations)).replace(
        "<br>", " "
    )


def test_charts_on_sample_lines_say_sample_data_inside_the_figure_and_in_the_data(conn):
    table = monitoring.monitoring_table(conn, fiscal_year=YEAR, period=9, previous=8)
    chart = variance_chart(table, fiscal_year=YEAR, period=9, scope="all directorates")
    assert SAMPLE_LABEL in _all_text(chart) and "SAMPLE DATA" in chart.figure.layout.title.text
    # and on a phone, where the figure's title block is laid out again (it lost the tag there)
    assert "SAMPLE DATA" in narrow_figure(chart).layout.title.text.replace("<br>", " ")
    assert chart.labels == (SAMPLE_LABEL,)
    assert set(chart.data["data_basis"]) == {"sample data"}
    assert all(" · " in t and t.split(" · ")[1] in ("Red", "Amber", "Green") for t in chart.figure.data[0].text)


def test_the_drift_title_names_who_moved_most_and_by_how_much():
    drift = pd.DataFrame(
        {
            "directorate": ["Place", "Place", "Children's Services", "Children's Services"],
            "period": [4, 6, 4, 6],
            "variance_gbp": [1_000_000.0, 500_000.0, 200_000.0, 1_800_000.0],
            "lines": 1,
            "sample_lines": 0,
        }
    )
    chart = drift_chart(drift, fiscal_year="2021/22", scope="all directorates")
    assert chart.title == "Children's Services moved most since P4: worse by £1.6m"
    assert chart.labels == () and SAMPLE_LABEL not in _all_text(chart)
    assert list(chart.figure.layout.xaxis.categoryarray) == ["P4", "P6"]
    one = drift_chart(drift[drift["period"] == 4], fiscal_year="2021/22", scope="Place")
    assert one.title == "Only P4 is held: no movement to show yet"
    empty = drift_chart(drift.iloc[0:0], fiscal_year="2021/22", scope="Place")
    assert empty.title == "No monitoring lines for this choice"


def test_long_cost_centre_names_are_cut_in_the_chart_and_whole_on_hover_and_in_the_data():
    name = "PL-HW-000123 Highways winter maintenance and gritting, north and west areas"
    centres = pd.DataFrame(
        {
            "name": [name, "B"],
            "directorate": "Place",
            "service": "Highways",
            "variance_gbp": [250_000.0, -40_000.0],
            "rag": ["Red", "Green"],  # as monitoring_table rates them
            "lines": 1,
            "sample_lines": 0,
        }
    )
    chart = cost_centres_chart(centres, fiscal_year="2021/22", period=6, scope="Place")
    shown = list(chart.figure.data[0].y)
    assert short_name(name) in shown and name not in shown and len(short_name(name)) <= 30
    assert short_name(name) == "PL-HW-000123 Highways winter…"  # between words, not "...winter mai…"
    # the title wraps, so it names the cost centre whole up to 70 characters ("...cost centr… is £0.52m under")
    assert (
        short_name("CE14-00043 Capital financing cost centre 44", 70) == "CE14-00043 Capital financing cost centre 44"
    )
    assert chart.title == "PL-HW-000123 Highways winter maintenance and gritting, north and west… is £0.25m over budget"
    assert [c[0] for c in chart.figure.data[0].customdata] == ["B", name]
    assert list(chart.data["name"]) == [name, "B"]
    assert chart.figure.data[0].cliponaxis is False
    low, high = chart.figure.layout.xaxis.range
    assert low < -0.04 and high > 0.25  # room for the labels outside the bars at both ends


def test_monitoring_charts_are_in_the_catalogue_and_follow_the_directorate_filter(conn):
    catalogue = load_catalogue()
    for chart_id in ("monitoring_variance_directorate", "monitoring_drift", "monitoring_cost_centres",
                     "monitoring_savings"):  # fmt: skip
        entry = catalogue[chart_id]
        assert entry.page == "Directorates"
        assert entry.build(conn).chart_id == chart_id  # the catalogue's call: every directorate
        chart = entry.build.__wrapped__(conn, ["Place"])
        assert chart.chart_id == chart_id
        assert set(chart.data["directorate"]) == {"Place"}
        assert SAMPLE_LABEL in chart.labels


def test_the_savings_shown_are_those_of_the_monitoring_year_and_period(conn):
    held = monitoring.savings_snapshots(conn)  # the sample: 2021/22 at P2, P4, P6
    choose = monitoring.savings_for_monitoring
    assert choose(held, fiscal_year="2022/23", period=6, monitoring_is_sample=True).period is None
    assert choose(held, fiscal_year="2020/21", period=12, monitoring_is_sample=True).period is None
    assert choose(held, fiscal_year="2021/22", period=1, monitoring_is_sample=True).period is None
    assert choose(held, fiscal_year="2021/22", period=6, monitoring_is_sample=True).period == 6
    earlier = choose(held, fiscal_year="2021/22", period=5, monitoring_is_sample=True)
    assert earlier.period == 4 and "latest held at or before P5" in earlier.note
    under_loaded = choose(held, fiscal_year="2021/22", period=6, monitoring_is_sample=False)
    assert under_loaded.period is None and "only sample savings" in under_loaded.note
