"""Chart functions: traces, statement titles computed from data, units, labels inside the figure."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd
import plotly.graph_objects as go
import pytest

from charts import budget as budget_charts
from charts import dsg as dsg_charts
from charts import overview as overview_charts
from charts import reserves as reserves_charts
from charts import style
from charts.catalogue import CATALOGUE
from charts.spec import DERIVED_LABEL, INTERPOLATED_LABEL, MODELLED_LABEL, Chart
from metrics import budget as budget_metrics
from metrics import dsg as dsg_metrics
from metrics import dsg_model
from metrics import reserves as reserves_metrics
from metrics.recommendations import status_counts

POSITION_CHARTS = {
    "net_budget_by_year", "overspend_by_year", "outturn_against_budget", "overspend_forecast_path",
    "overspend_bridge", "funding_assumptions", "savings_picture", "council_tax_collection",
    "reserves_against_dsg_deficit", "reserves_timeline", "dsg_trajectory", "dsg_scenario",
    "overview_action_status",
}  # fmt: skip


def figure_text(fig: go.Figure) -> str:
    """Everything a reader sees as text in the figure: title, annotations, legend names, bar and point text."""
    parts = [fig.layout.title.text or ""]
    parts += [annotation.text or "" for annotation in fig.layout.annotations]
    for trace in fig.data:
        if trace.showlegend is not False and trace.name:
            parts.append(trace.name)
        if trace.text is not None:
            parts += [str(text) for text in (trace.text if isinstance(trace.text, tuple | list) else [trace.text])]
    return " ".join(parts)


def source_annotation(fig: go.Figure) -> str:
    return next(a.text for a in fig.layout.annotations if (a.text or "").startswith("Source:"))


def test_importing_the_module_fills_the_catalogue_and_every_builder_works(conn):
    assert set(CATALOGUE) >= POSITION_CHARTS
    for chart_id in POSITION_CHARTS:
        chart = CATALOGUE[chart_id].build(conn)
        assert isinstance(chart, Chart)
        assert chart.chart_id == chart_id
        fig = chart.figure
        assert fig.layout.template.layout.colorway == tuple(style.PALETTE), chart_id
        # title, subtitle and source are inside the figure, so an exported image carries them
        assert chart.title.split()[0] in fig.layout.title.text, chart_id
        assert chart.subtitle.split(",")[0].split()[0] in fig.layout.title.text, chart_id
        assert "Dorset Council Cabinet, 5 October 2021" in source_annotation(fig), chart_id
        assert chart.alt_text and not chart.data.empty, chart_id
        for label in chart.labels:
            assert label in figure_text(fig).lower(), (chart_id, label)


def test_net_budget_chart(conn):
    chart = budget_charts.net_budget_chart(budget_metrics.net_budget_by_year(conn))
    assert len(chart.figure.data) == 1
    assert chart.title == "Net revenue budget rises from £304m in 2020/21 to c. £312m in 2021/22"
    assert chart.figure.layout.yaxis.tickprefix == "£" and chart.figure.layout.yaxis.ticksuffix == "m"
    assert chart.figure.layout.yaxis.rangemode == "tozero" or chart.figure.layout.template.layout.yaxis.rangemode
    assert list(chart.figure.data[0].x) == ["2020/21", "2021/22"]


def test_titles_follow_the_data_not_a_literal(conn):
    budget = budget_metrics.net_budget_by_year(conn)
    budget.loc[budget.index[-1], ["value", "qualifier"]] = [321.5, None]
    assert "£321.5m" in budget_charts.net_budget_chart(budget).title
    reserves = reserves_metrics.reserves(conn)
    points = dsg_metrics.dsg_known_points(conn)
    ratios = reserves_metrics.cover_ratios(conn)
    chart = reserves_charts.reserves_against_deficit_chart(reserves, points, ratios)
    assert "1.7 times" in chart.title and "0.8 times" in chart.title
    ratios.loc[ratios["reserve_measure"] == "usable_reserves", "cover_ratio"] *= 2
    assert "3.4 times" in reserves_charts.reserves_against_deficit_chart(reserves, points, ratios).title


def test_reserve_bars_say_each_qualifier_once(conn):
    chart = reserves_charts.reserves_against_deficit_chart(
        reserves_metrics.reserves(conn), dsg_metrics.dsg_known_points(conn), reserves_metrics.cover_ratios(conn)
    )
    names = [name.replace("<br>", " ") for name in chart.figure.data[0].x]
    assert names[-1] == "DSG deficit, 2021/22 forecast (derived)"  # was "2021/22 FORECAST (forecast, derived)"
    for name in names:
        words = re.findall(r"[a-z]+", name.lower())
        assert all(words.count(word) <= 1 for word in ("forecast", "derived", "projection")), name
    assert list(chart.data["Item"])[-1] == names[-1]  # the data behind it names the forecast as a forecast


def test_the_plan_table_says_a_forecast_once(db_path):
    from data.__main__ import main as data_cli

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "later_figures_sample.csv"
    assert data_cli(["load", str(fixture), "--db", str(db_path)]) == 0
    with duckdb.connect(str(db_path), read_only=True) as conn:
        kinds = dsg_metrics.plan_against_reported(conn).set_index("fiscal_year")["reported_kind"]
    assert kinds["2025/26"] == "forecast"  # was "forecast (forecast)"
    assert kinds["2023/24"] == "actual (year end)"


def test_overspend_and_forecast_charts(conn):
    overspend = budget_charts.overspend_by_year_chart(budget_metrics.overspend_by_year(conn))
    assert "£5m in 2019/20" in overspend.title and "£15m in 2020/21" in overspend.title
    path = budget_charts.forecast_path_chart(budget_metrics.forecast_path(conn, "2020/21"))
    assert path.title.startswith("The 2020/21 overspend came in £3.6m below the quarter 3 forecast of £18.6m")
    assert list(path.figure.data[0].x) == ["Quarter 3 forecast", "Outturn"]


def test_outturn_chart_labels_the_derived_outturn(conn):
    chart = budget_charts.outturn_against_budget_chart(budget_metrics.outturn_against_budget(conn, "2020/21"))
    assert chart.title == "2020/21 ended £15m over its £304m net budget"
    assert list(chart.figure.data[0].text) == ["£304m", "£319m (derived)"]
    assert DERIVED_LABEL in chart.labels


def test_bridge_is_a_waterfall_from_the_derived_gross_figure(conn):
    chart = budget_charts.overspend_bridge_chart(budget_metrics.overspend_bridge(conn, "2020/21"))
    (waterfall,) = chart.figure.data
    assert waterfall.type == "waterfall"
    assert list(waterfall.measure) == ["absolute", "relative", "relative", "total"]
    assert list(waterfall.y) == pytest.approx([24.95, -5.25, -4.7, 15])
    assert "(derived)" in waterfall.x[0].replace("<br>", " ")
    assert chart.title == "Underspends of £9.95m cut a £24.95m service overspend to £15m"
    source = source_annotation(chart.figure).replace("<br>", " ")
    assert "Derived: The £15m net overspend plus" in source and "RF003" not in source  # ids: in the data, not on screen


def test_funding_chart_marks_interpolation_and_plots_points_only_where_given(conn):
    chart = budget_charts.funding_assumptions_chart(budget_metrics.funding_assumptions(conn))
    fig = chart.figure
    assert len(fig.data) == 4
    lines = [t for t in fig.data if t.mode == "lines"]
    points = [t for t in fig.data if "markers" in t.mode]
    assert all(t.line.dash == style.DASH_INTERPOLATED and INTERPOLATED_LABEL in t.name for t in lines)
    assert all(list(t.x) == ["2021/22", "2025/26"] for t in points)
    assert list(fig.layout.xaxis.categoryarray) == ["2021/22", "2022/23", "2023/24", "2024/25", "2025/26"]
    assert "£30.4m" in chart.title and "just under £1m" in chart.title
    assert INTERPOLATED_LABEL in chart.labels


def test_savings_and_collection_charts(conn):
    savings = budget_charts.savings_chart(budget_metrics.savings_picture(conn))
    assert savings.title.startswith("A £42m budget gap for 2021/22 needs nearly £28m")
    assert list(savings.figure.data[0].text) == ["£42m", "nearly £28m", "£27m", "£7.4m", "£10m"]
    assert "both shown" in source_annotation(savings.figure)
    collection = budget_charts.collection_rate_chart(budget_metrics.collection_rates(conn))
    assert collection.title == "Council tax collection was 95.15% in 2020/21, down from 97.9% in 2019/20"
    low, high = collection.figure.layout.yaxis.range
    assert low == 0 and 100 <= high <= 115  # the whole percentage scale, and room above it for the bars' labels


def test_dsg_trajectory_draws_known_points_and_dashed_interpolation(conn):
    chart = dsg_charts.dsg_trajectory_chart(dsg_metrics.dsg_known_points(conn))
    fig = chart.figure
    assert chart.title == "DSG deficit heads for £110m by 2025/26 without mitigation, £70m with the recovery plan"
    dashed = [t for t in fig.data if t.mode == "lines" and t.line.dash == style.DASH_INTERPOLATED]
    assert len(dashed) == 2
    assert {tuple(t.y) for t in dashed} == {(54.9, 110), (54.9, 70)}
    assert any(INTERPOLATED_LABEL in (t.name or "").lower() and t.showlegend is not False for t in dashed)
    assert any(INTERPOLATED_LABEL in (a.text or "") for a in fig.layout.annotations)
    markers = [t for t in fig.data if "markers" in (t.mode or "")]
    assert sorted(y for t in markers for y in t.y) == [37.9, 54.9, 70, 110]
    assert "Forecast (derived)" in [t.name for t in markers]
    assert fig.layout.yaxis.tickprefix == "£"
    # Which forecast is derived: the later figures add a reported one, which the note once called derived too.
    assert chart.notes[0] == "Dashed lines are interpolated; the 2021/22 forecast they start from is derived."


def test_scenario_chart_labels_the_modelled_path(conn):
    points = dsg_metrics.dsg_known_points(conn)
    start = points[points["kind"] == "actual"].iloc[-1]
    defaults = dsg_metrics.dsg_defaults(conn)
    chart = dsg_charts.dsg_scenario_chart(points, dsg_model.project(defaults.unmitigated), start)
    scenario = chart.figure.data[0]
    assert MODELLED_LABEL in scenario.name and scenario.line.dash == style.DASH_MODELLED
    assert scenario.y[0] == 37.9 and scenario.y[-1] == pytest.approx(110)
    assert "£110.0m by 2025/26" in chart.title
    assert (chart.data["Basis"] == MODELLED_LABEL).all()
    higher = dsg_model.project(
        dsg_model.DsgScenario(
            defaults.unmitigated.start_year, defaults.unmitigated.start_deficit_gbp_m, defaults.unmitigated.years,
            tuple(v + 5 for v in defaults.unmitigated.in_year_overspend_gbp_m),
            defaults.unmitigated.mitigation_savings_gbp_m,
        )
    )  # fmt: skip
    assert "above both reported projections" in dsg_charts.dsg_scenario_chart(points, higher, start).title


def test_reserves_timeline_marks_the_override_and_the_modelled_paths(conn):
    chart = CATALOGUE["reserves_timeline"].build(conn)
    fig = chart.figure
    assert "in 2022/23 without mitigation" in chart.title and "in 2024/25 with the recovery plan" in chart.title
    paths = [t for t in fig.data if t.mode == "lines+markers"]
    assert len(paths) == 2 and all(t.line.dash == style.DASH_MODELLED and MODELLED_LABEL in t.name for t in paths)
    # The reserves are level lines named in the legend, not on the line, where the paths crossed the names.
    levels = {t.name: set(t.y) for t in fig.data if t.mode == "lines"}
    assert levels == {
        "General fund reserve, 31 Mar 2021: £31.5m": {31.5},
        "Usable reserves (no date given): £65m": {65.0},
    }
    assert not [a for a in fig.layout.annotations if "£" in (a.text or "")]
    band = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(band) == 1 and band[0].x1 - band[0].x0 == 1
    # calendar 2023 starts three quarters of the way through 2022/23 (category 2)
    assert band[0].x0 == pytest.approx(2.25)
    # Named in the legend, with a swatch of the band: a note in the band was struck through by a path or a reserve.
    named = [t for t in fig.data if t.name == "Shaded: statutory override due to expire in 2023"]
    assert len(named) == 1 and named[0].marker.color == band[0].fillcolor
    assert not [a for a in fig.layout.annotations if "expire" in (a.text or "")]
    assert "A shaded band marks the statutory override's expiry, due in 2023." in chart.alt_text


def test_a_timeline_saying_already_above_since_a_year_draws_that_year_reported(db_path):
    """On the later figures the title said "already above the usable reserves ... since 2024/25", over an axis
    that began at 2025/26, where the projection starts: the year it names was not on the chart."""
    from data.__main__ import main as data_cli

    later = Path(__file__).resolve().parents[1] / "fixtures" / "later_figures_sample.csv"
    assert data_cli(["load", str(later), "--db", str(db_path), "--kind", "figures"]) == 0
    with duckdb.connect(str(db_path), read_only=True) as conn:
        chart = CATALOGUE["reserves_timeline"].build(conn)
    assert "already above the usable reserves" in chart.title and "since 2024/25" in chart.title
    fig = chart.figure
    reported = next(t for t in fig.data if t.name == "Reported")
    assert reported.line.dash is None and list(reported.x) == ["2024/25", "2025/26"]  # joined to the start
    # The start is a forecast for a year end, not one: its hover says so (it read "(reported)" as a year end did).
    assert list(reported.customdata) == [
        "£104.6m, reported year end",
        "forecast for the end of 2025/26, £126.4m (reported 10 Nov 2025)",
    ]
    projection = next(t for t in fig.data if MODELLED_LABEL in (t.name or ""))
    assert reported.y[-1] == projection.y[0] and projection.x[0] == "2025/26"
    assert "2024/25 to 2030/31" in chart.subtitle
    assert "reported to 2024/25, modelled after" in chart.alt_text
    # The 2021 report's override expiry is before this axis: the alt text says so, and no band is drawn.
    assert "The statutory override was due to expire in 2023, before the years shown." in chart.alt_text
    assert not [s for s in fig.layout.shapes if s.type == "rect"]
    rows = chart.data[chart.data["Scenario"] == "reported"]
    assert list(rows["Financial year"]) == ["2024/25"] and set(rows["Basis"]) == {"reported"}
    assert "revenue outturn report 2024/25" in source_annotation(fig).replace("<br>", " ")
    # the projection's start and in-year overspend come from the quarter 2 monitoring: its source is named too
    assert "quarter 2 budget monitoring 2025/26" in chart.source


def test_action_status_bar_names_each_status_in_text(conn):
    chart = overview_charts.action_status_chart(status_counts(conn))
    assert len(chart.figure.data) == len(status_counts(conn))
    assert chart.figure.layout.barmode == "stack"
    names = [t.name for t in chart.figure.data]
    assert "Complete: 2" in names and all(":" in name for name in names)
    assert chart.title == "2 of the 48 peer challenge recommendations are complete"


def test_layout_leaves_room_for_the_header_and_footer(conn):
    for chart_id in ("dsg_trajectory", "savings_picture", "overspend_bridge"):
        fig = CATALOGUE[chart_id].build(conn).figure
        title_lines = fig.layout.title.text.count("<br>") + 1
        assert fig.layout.margin.t >= 20 + 19 * title_lines
        footer = source_annotation(fig)
        assert fig.layout.margin.b >= 58 + 16 * (footer.count("<br>") + 1)
        assert all(len(line) <= style.SOURCE_WRAP for line in footer.split("<br>"))


def test_every_source_line_fits_between_the_plot_s_left_edge_and_the_figure_s_right_edge(db_path):
    """The source line starts at the plot's left edge; written 100 characters wide it ran past the figure's
    right edge in a 650 px column ('RS_2016-17_data_by_LA.xls' cut off on the Benchmarking trend chart), and
    beside horizontal bars the plot starts after their row labels ('report a[nd]' cut off on the Action plan)."""
    from data.__main__ import main as data_cli

    later = Path(__file__).resolve().parents[1] / "fixtures" / "later_figures_sample.csv"
    assert data_cli(["load", str(later), "--db", str(db_path), "--kind", "figures"]) == 0
    with duckdb.connect(str(db_path), read_only=True) as conn:
        charts = {chart_id: entry.build(conn) for chart_id, entry in CATALOGUE.items()}
    for chart_id, chart in charts.items():
        fig = chart.figure
        left = max(style.MARGIN_LEFT if fig.layout.margin.l is None else fig.layout.margin.l, style.row_labels_px(fig))
        longest = max(len(line) for line in source_annotation(fig).split("<br>"))
        assert longest * style.SOURCE_CHAR_PX <= style.WIDE.column_px - left, (chart_id, longest, left)


def test_the_source_line_fits_beside_row_labels_whatever_plotlys_default_template(db_path, monkeypatch):
    """The row labels' width was read before the house template was applied: with Plotly's own default
    template (12 px ticks, as another test may leave it) the Action plan's source line ran past the edge."""
    import plotly.io as pio

    from charts.all import load_catalogue

    monkeypatch.setattr(pio.templates, "default", "plotly")
    with duckdb.connect(str(db_path), read_only=True) as conn:
        fig = load_catalogue()["action_status_by_theme"].build(conn).figure
    longest = max(len(line) for line in source_annotation(fig).split("<br>"))
    assert longest * style.SOURCE_CHAR_PX <= style.WIDE.column_px - style.row_labels_px(fig)


def test_a_row_label_wider_than_the_column_still_gives_a_chart():
    """A label of 90 characters beside a bar once made the source line's width negative (ValueError)."""
    import plotly.graph_objects as go

    for fit in (style.WIDE, style.NARROW):
        fig = go.Figure(go.Bar(x=[1], y=["x" * 90], orientation="h"))
        style.finish(fig, title="t", subtitle="s", source="Source: " + "word " * 60, fit=fit)
        lines = source_annotation(fig).split("<br>")
        assert min(len(line) for line in lines[:-1]) >= style.MIN_SOURCE_WRAP - 5


def test_a_deficit_read_during_its_year_says_so(db_path):
    """The later figures' £115m is the deficit at quarter 2 of 2025/26, drawn on that year among year-end
    actuals: its description and its hover said "2025/26 actual £115m", as if it were the year end."""
    from data.__main__ import main as data_cli

    later = Path(__file__).resolve().parents[1] / "fixtures" / "later_figures_sample.csv"
    assert data_cli(["load", str(later), "--db", str(db_path), "--kind", "figures"]) == 0
    with duckdb.connect(str(db_path), read_only=True) as conn:
        chart = CATALOGUE["dsg_trajectory"].build(conn)
        cover = reserves_metrics.cover_ratios(conn)
    # the Reserves page's cover table: "Deficit for 2025/26 | Deficit is actual" read as the year end
    assert "2025/26 quarter 2" in set(cover["deficit_when"]) and "end 2024/25" in set(cover["deficit_when"])
    assert "2025/26 actual at quarter 2 £115m" in chart.alt_text
    assert "2024/25 actual £104.6m" in chart.alt_text  # a year end reads as before
    with duckdb.connect(str(db_path), read_only=True) as conn:
        forecasts = CATALOGUE["forecasts_against_outturn"].build(conn)
    # four years have a quarter forecast; 2025/26 has no outturn yet, so three are compared
    assert forecasts.title.startswith("In 3 of 3 years with a quarter forecast and an outturn,"), forecasts.title
    actual = next(t for t in chart.figure.data if t.name == "Actual")
    assert "£115m at quarter 2" in actual.customdata and "%{customdata}" in actual.hovertemplate


def test_reported_reserves_and_deficits_are_not_drawn_in_the_modelled_style(conn):
    """The reserves-by-year chart drew the reported DSG deficits dotted: the next chart's style for modelled paths."""
    chart = CATALOGUE["reserves_by_year"].build(conn)
    lines = [t for t in chart.figure.data if t.mode == "lines+markers"]
    assert lines and not [t.name for t in lines if t.line.dash == style.DASH_MODELLED]
    deficit = next(t for t in lines if t.name == "DSG cumulative deficit")
    assert deficit.marker.symbol == "diamond"  # told apart without its colour


def test_reserves_by_year_draws_no_line_across_a_year_not_reported(db_path):
    """On the later figures the general fund reserve's line ran from 2020/21 to 2022/23 straight through
    2021/22, which the chart marks "not reported"."""
    from data.__main__ import main as data_cli

    later = Path(__file__).resolve().parents[1] / "fixtures" / "later_figures_sample.csv"
    assert data_cli(["load", str(later), "--db", str(db_path), "--kind", "figures"]) == 0
    with duckdb.connect(str(db_path), read_only=True) as conn:
        chart = CATALOGUE["reserves_by_year"].build(conn)
    general = next(t for t in chart.figure.data if t.name == "General fund reserve")
    by_year = dict(zip(general.x, general.y, strict=True))
    assert by_year["2021/22"] is None and by_year["2020/21"] == 31.2 and by_year["2022/23"] == 30.2
    assert not general.connectgaps  # Plotly stops the line at the missing year
    assert "2021/22" not in set(chart.data["Financial year"][chart.data["Figure"] == "General fund reserve"])


def test_the_collection_title_reasons_from_the_latest_year_not_the_end_points():
    """97.9% (2019/20), 95.15%, 96.8%, 97.3% (2024/25) once read "fell from 97.9% to 97.3%", while the last
    years rose: the latest year is set against the one before it, and the first is named beside them."""
    rates = pd.DataFrame(
        {"fiscal_year": ["2019/20", "2020/21", "2022/23", "2024/25"], "value": [97.9, 95.15, 96.8, 97.3]}
    )
    assert budget_charts.collection_title(rates) == (
        "Council tax collection was 97.3% in 2024/25, up from 96.8% in 2022/23 (97.9% in 2019/20, the first year held)"
    )
    assert budget_charts.collection_title(rates.iloc[[0, 3]]) == (
        "Council tax collection was 97.3% in 2024/25, down from 97.9% in 2019/20"
    )
    assert budget_charts.collection_title(rates.iloc[[3]]) == "Council tax collection was 97.3% in 2024/25"
    same = rates.assign(value=[97.3, 96.0, 97.30000000000001, 97.3])  # the same as shown
    assert budget_charts.collection_title(same).startswith("Council tax collection was 97.3% in 2024/25, the same as")


def test_the_budget_chart_names_a_later_years_overspend_held_without_its_budget(db_path, conn):
    """The Overview's first chart shows 2023/24, the latest year with both a budget and an outturn, while 2024/25
    ended £9.5m over budget: a note says so, so the chart is not read as the latest year."""
    from data.__main__ import main as data_cli

    assert not any(note.startswith("Later:") for note in CATALOGUE["outturn_against_budget"].build(conn).notes)
    later = Path(__file__).resolve().parents[1] / "fixtures" / "later_figures_sample.csv"
    assert data_cli(["load", str(later), "--db", str(db_path), "--kind", "figures"]) == 0
    with duckdb.connect(str(db_path), read_only=True) as later_conn:
        chart = CATALOGUE["outturn_against_budget"].build(later_conn)
    assert chart.title.startswith("2023/24 ended £6.2m over")
    assert (
        "Later: 2024/25 ended £9.5m over budget (reported 15 Jul 2025). No net budget is held for 2024/25, so this "
        "chart shows 2023/24, the latest year with both." in chart.notes
    )
    assert "2024/25 ended £9.5m over budget" in source_annotation(chart.figure).replace("<br>", " ")


def test_the_overspend_title_reasons_from_the_latest_year_where_three_or_more_are_held():
    """Five years of overspends (£5m, £15m, £3.1m, £6.2m, £9.5m) read "was £5m in 2019/20 and £9.5m in 2024/25",
    the end points alone; two years keep "grew 3-fold" (the 2021 report's own comparison)."""
    years = ["2019/20", "2020/21", "2021/22", "2023/24", "2024/25"]
    frame = pd.DataFrame({"fiscal_year": years, "value": [5.0, 15.0, 3.1, 6.2, 9.5], "qualifier": [None] * 5,
                          "basis": ["reported"] * 5})  # fmt: skip
    for column in ("source_document", "source_section", "source_quote", "derivation"):
        frame[column] = "test"
    frame["source_date"] = None
    chart = budget_charts.overspend_by_year_chart(frame)
    assert chart.title == (
        "The net overspend at outturn was £9.5m in 2024/25, up from £6.2m in 2023/24 (£5m in 2019/20, the first "
        "year held)"
    )
    assert budget_charts.overspend_by_year_chart(frame.iloc[:2]).title.startswith("The overspend grew 3-fold")
