"""The four position pages under AppTest: they render, show the expected figures, and the model responds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from data.__main__ import main as data_cli
from tests.support import helpers

LATER_FIGURES = Path(__file__).resolve().parents[1] / "fixtures" / "later_figures_sample.csv"


def page_text(at) -> str:
    parts = [element.value for kind in ("title", "header", "subheader", "markdown", "caption", "info")
             for element in getattr(at, kind)]  # fmt: skip
    parts += [f"{metric.label} {metric.value} {metric.proto.help}" for metric in at.metric]
    return " ".join(str(part) for part in parts)


def chart_specs(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def chart_titled(at, start: str) -> dict:
    matches = [spec for spec in chart_specs(at) if spec["layout"]["title"]["text"].startswith(f"<b>{start}")]
    assert len(matches) == 1, [spec["layout"]["title"]["text"][:60] for spec in chart_specs(at)]
    return matches[0]


def open_page(app_test, page_file):
    at = helpers.open_page(app_test, page_file)
    assert not at.error
    return at


def test_overview_shows_the_story(app_test):
    at = open_page(app_test, "pages/overview.py")
    text = page_text(at)
    for figure in ("£312", "£15", "£31.5", "£65", "£37.9"):
        assert figure in text
    assert "Dorset Council Cabinet, 5 October 2021" in text  # the as-at line
    titles = [spec["layout"]["title"]["text"] for spec in chart_specs(at)]
    assert len(titles) == 4
    assert any("£304m net budget" in title for title in titles)
    assert any("DSG deficit heads for £110m" in title for title in titles)
    assert any("recommendations are complete" in title for title in titles)
    assert "Action plan page" in text
    assert "2022/23" in text and "2024/25" in text  # when the deficit passes usable reserves


def test_budget_page_shows_outturn_bridge_and_plan(app_test):
    at = open_page(app_test, "pages/budget_outturn.py")
    text = page_text(at)
    for figure in ("£312", "£15m", "£18.6m", "95.15%"):
        assert figure in text, figure
    # Each of the four figures at the top says when it was reported, as on the Overview and Reserves.
    assert [caption.value for caption in at.caption].count("Reported 5 Oct 2021") == 4
    # Nine charts in four tabs (with net budget and outturn by year, and forecasts against outturn); only the
    # open tab's charts are built.
    counts = {"Budget and outturn": len(chart_specs(at))}
    for section in ("Quarter forecasts", "Medium-term plan and savings", "Council tax collection"):
        at.session_state["section"] = section
        at.run()
        assert not at.exception
        counts[section] = len(chart_specs(at))
        if section == "Quarter forecasts":
            bridge = chart_titled(at, "Underspends of")
            assert bridge["data"][0]["type"] == "waterfall"
            assert "derived" in " ".join(bridge["data"][0]["x"])
            assert "derived" in page_text(at).lower()
        if section == "Medium-term plan and savings":
            funding = chart_titled(at, "The plan relies on council tax")
            assert any("interpolated" in trace["name"] for trace in funding["data"])
    assert counts == {
        "Budget and outturn": 3,
        "Quarter forecasts": 3,
        "Medium-term plan and savings": 2,
        "Council tax collection": 1,
    }


def test_reserves_page_shows_cover_and_crossing_years(app_test):
    at = open_page(app_test, "pages/reserves.py")
    text = page_text(at)
    for figure in ("£31.5m", "£65m", "£37.9m", "1.7 times"):
        assert figure in text, figure
    assert "no date" in text
    # the 2021 report gives usable reserves no date: the card's year is the deficit's alone
    assert [m.label for m in at.metric if m.label.startswith("Usable reserves cover")] == [
        "Usable reserves cover the deficit (derived, 2020/21 deficit, reserves undated)"
    ]
    assert "2023" in text  # the statutory override
    # with the date of the figure: read in 2026, "was due to expire in 2023" alone read as today's position
    assert "(reported 5 Oct 2021, the latest figure held on it)" in text
    (crossings,) = [
        frame.value
        for frame in at.table  # a short table, its statements whole (the data grid cut them at 1400 px)
        if {"Scenario", "Reserve", "Reserve (£m)", "First year the deficit is above it", "Basis"}
        <= set(frame.value.columns)  # with the reserve's date and the crossing in words (issue 22)
    ]
    years = dict(
        zip(
            crossings["Scenario"] + "|" + crossings["Reserve"],
            crossings["First year the deficit is above it"],
            strict=True,
        )
    )
    assert years["Without mitigation|Usable reserves"] == "2022/23"
    assert years["With the recovery plan|Usable reserves"] == "2024/25"
    assert len(chart_specs(at)) == 3  # with reserves against the deficit, every year held


def scenario_end(at) -> float:
    spec = chart_titled(at, "This scenario")
    return spec["data"][0]["y"][-1]


def test_dsg_page_shows_the_projections_and_the_formula(app_test):
    at = open_page(app_test, "pages/dsg.py")
    text = page_text(at)
    for figure in ("£70", "£110", "£37.9m", "£17m"):
        assert figure in text, figure
    assert "Deficit at the end of a year = deficit at the end of the year before" in text
    # the four figures at the top (the two plan projections had none) each say when they were reported
    assert [caption.value for caption in at.caption].count("Reported 5 Oct 2021") == 4
    # default inputs reproduce the reported recovery-plan end point
    assert scenario_end(at) == pytest.approx(70)
    assert "£70.0m" in text


@pytest.mark.parametrize(
    ("key", "value", "direction"),
    [
        ("dsg_base", 20.0, "up"),
        ("dsg_first_year", 5.0, "down"),
        ("dsg_savings", 15.0, "down"),
        ("dsg_growth", 10, "up"),
    ],
)
def test_scenario_inputs_move_the_trajectory(app_test, key, value, direction):
    at = open_page(app_test, "pages/dsg.py")
    before = scenario_end(at)
    widget = at.slider(key=key) if key == "dsg_growth" else at.number_input(key=key)
    widget.set_value(value).run()
    assert not at.exception
    after = scenario_end(at)
    assert (after > before) if direction == "up" else (after < before)


def test_no_savings_reproduces_the_unmitigated_projection(app_test):
    at = open_page(app_test, "pages/dsg.py")
    at.number_input(key="dsg_savings").set_value(0.0).run()
    assert scenario_end(at) == pytest.approx(110)
    assert "2022/23" in page_text(at)  # passes usable reserves that year without mitigation


def test_year_by_year_mode_renders(app_test):
    at = open_page(app_test, "pages/dsg.py")
    at.radio(key="dsg_mode").set_value("Year by year").run()
    assert not at.exception
    assert scenario_end(at) == pytest.approx(70)


def test_the_overview_draws_its_tables_when_their_panels_are_opened(app_test):
    at = open_page(app_test, "pages/overview.py")
    assert not at.table and not at.dataframe, "the first screen is the figures and charts"
    assert not at.get("download_button"), "the download menus' items are drawn when a menu is opened"
    at = helpers.open_every_panel(at)
    assert not at.exception and not at.error
    charts = chart_specs(at)
    assert len(at.table) == len(charts), "'Show the data' under every chart"
    # the document and its date are in the downloads and in the source line, not again in every row on screen
    assert not [table for table in at.table if "source_document" in str(table.proto)], "wider than the page"
    assert len(at.get("download_button")) == 5 * len(charts), "PNG, SVG, PDF, CSV and Excel for every chart"
    columns = [list(frame.value.columns) for frame in at.dataframe]
    assert any("The document says" in names for names in columns), "the sources, with the sentence quoted"
    assert any("The report says" in names for names in columns), "the 2021 report's figures"


def test_the_dsg_scenario_reads_year_by_year_in_a_table_whose_headings_wrap(app_test):
    """A static table, not a data grid: on a phone the grid cut its third heading short."""
    at = open_page(app_test, "pages/dsg.py")
    (scenario,) = [
        table.value
        for table in at.table
        if list(table.value.columns) == ["Financial year", "Modelled deficit (£m)", "Council's exposure, scenario (£m)"]
    ]
    assert len(scenario) >= 2 and scenario["Modelled deficit (£m)"].str.startswith("£").all()
    assert not [frame for frame in at.dataframe if "Council's exposure, scenario (£m)" in frame.value.columns]


@pytest.mark.parametrize("later", [False, True], ids=["2021 report", "later figures"])
def test_the_dsg_scenarios_amounts_read_to_the_same_decimals(app_test, db_path, later):
    """With the later figures the first year's overspend read '21.80' beside the later years' '21.800': one
    amount, two precisions. The 2021 report's derived default (13.775) needs three decimals; then all have them."""
    if later:
        assert data_cli(["load", str(LATER_FIGURES), "--db", str(db_path)]) == 0
    at = open_page(app_test, "pages/dsg.py")
    boxes = [at.number_input(key=key) for key in ("dsg_first_year", "dsg_base", "dsg_savings")]
    assert len({box.proto.format for box in boxes}) == 1
    decimals = int(boxes[0].proto.format.removeprefix("%.").removesuffix("f"))
    assert all(box.value == pytest.approx(round(box.value, decimals), abs=1e-9) for box in boxes)  # shown whole
    assert decimals == (2 if later else 3)
