"""Figures of many vintages. Dates that mean what they say, balances at outturn, tables a person
reads (no None, nan or raw floats), derived values that name their inputs' dates, and a projection and
crossing years that start from the latest reported figures.

The later figures are a labelled synthetic sample (tests/fixtures/later_figures_vintages_sample.csv).
"""

from __future__ import annotations

import json
import math
import re
from datetime import date
from pathlib import Path

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from charts.all import load_catalogue
from data.measures import YEAR_END_PERIODS, balances, catalogue
from metrics import dsg as dsg_metrics
from metrics import reserves as reserves_metrics
from metrics import vintage
from metrics.figures import known_figures
from metrics.held import FigureMissing
from tests.support import helpers

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "later_figures_vintages_sample.csv"
LATER_FIGURES = FIXTURE.with_name("later_figures_sample.csv")
AS_AT = date(2026, 12, 5)


def load_fixture(db_path: Path) -> None:
    from data.__main__ import main as data_cli

    assert data_cli(["load", str(FIXTURE), "--db", str(db_path)]) == 0


@pytest.fixture
def later(db_path):
    load_fixture(db_path)
    with duckdb.connect(str(db_path), read_only=True) as conn:
        yield conn


# ---- balances and flows (item 7) -------------------------------------------------------------------


def test_the_catalogue_says_which_measures_are_balances_and_which_are_flows():
    measures = catalogue()
    assert set(balances()) == {"general_fund_reserve", "usable_reserves", "dsg_cumulative_deficit"}
    assert measures["net_budget"].stock_or_flow == "flow"
    assert measures["dsg_in_year_deficit"].stock_or_flow == "flow"
    for key in balances():
        assert set(YEAR_END_PERIODS) <= set(measures[key].periods), key  # outturn means the year-end balance


def test_a_general_fund_reserve_at_outturn_is_its_year_end_balance(later):
    # Refused before: "period 'outturn' does not apply to general_fund_reserve".
    held = reserves_metrics.reserves(later).set_index("measure")
    assert held.loc["general_fund_reserve", "value"] == 31.6
    assert held.loc["general_fund_reserve", "fiscal_year"] == "2024/25"
    by_year = reserves_metrics.reserves_by_year(later)
    assert "2024/25" in set(by_year.loc[by_year["measure"] == "general_fund_reserve", "fiscal_year"])


# ---- dates (item 6) --------------------------------------------------------------------------------


def test_reported_shows_the_sources_date_and_an_undated_source_says_so(later):
    rows = known_figures(later, ["dsg_in_year_deficit", "net_budget"])
    undated = rows[(rows["measure"] == "dsg_in_year_deficit") & (rows["fiscal_year"] == "2025/26")].iloc[0]
    loaded = f"{undated['known_on']:%-d %b %Y}"
    assert vintage.reported_when(undated) == f"source undated; loaded {loaded}"
    dated = rows[(rows["measure"] == "net_budget") & (rows["fiscal_year"] == "2026/27")].iloc[0]
    assert vintage.reported_when(dated) == "Reported 20 Feb 2026"


def test_the_overview_headline_dates_are_the_sources_not_the_load(app_test, db_path):
    load_fixture(db_path)
    at = helpers.open_page(app_test, "pages/overview.py")
    captions = [caption.value for caption in at.caption]
    # the general fund reserve at the 2024/25 outturn, marked as old against the newest document (Nov 2026)
    assert "Reported 15 Jul 2025; dated 31 Mar 2025, over 12 months old" in captions
    today = f"Reported {date.today():%-d %b %Y}"
    assert not any(caption.startswith(today) for caption in captions)


# ---- tables (item 8) -------------------------------------------------------------------------------

RAW_FLOAT = re.compile(r"^-?\d+\.\d{3,}$")


def shown_cells(at) -> list[object]:
    """Every cell of the page's tables: static ones (short, on a wide window) and data grids."""
    return [cell for frame in [*at.table, *at.dataframe] for cell in frame.value.to_numpy().ravel()]


@pytest.mark.parametrize("page_file", ["pages/dsg.py", "pages/reserves.py"])
def test_tables_show_no_none_nan_or_raw_floats(app_test, db_path, page_file):
    load_fixture(db_path)
    at = helpers.open_page(app_test, page_file)
    assert not at.exception
    cells = shown_cells(at)
    assert cells
    for cell in cells:
        assert cell is not None and not (isinstance(cell, float) and math.isnan(cell)), cell
        assert str(cell) not in ("None", "nan", "NaN", "<NA>"), cell
        assert not isinstance(cell, float), cell  # money is written as money
        assert not RAW_FLOAT.match(str(cell)), cell


def test_a_rounding_difference_is_said_as_council_reports_say_it():
    from data import vocab

    assert vocab.adds_up_when_rounded([1.24, 1.24], 2.48) is False  # shown 1.2 + 1.2, total 2.5
    assert vocab.adds_up_when_rounded([1.2, 1.3], 2.5) is True
    assert vocab.money_cell(58.675, basis="modelled") == "£58.7m"
    assert vocab.money_cell(5.25) == "£5.25m"  # a reported figure keeps the precision it was given
    assert vocab.money_cell(70) == "£70.0m"
    assert vocab.money_cell(None) == "not reported"


# ---- derived values carry their inputs' dates; pairs of one year by default (item 2) -----------------


def test_cover_pairs_a_reserve_with_the_deficit_of_its_own_year_by_default(later):
    ratios = reserves_metrics.cover_ratios(later)
    lead = ratios[ratios["headline"]].set_index("reserve_measure")
    assert lead.loc["general_fund_reserve", "deficit_year"] == "2024/25"  # not the 2020/21 or 2025/26 deficit
    assert lead.loc["general_fund_reserve", "cover_ratio"] == pytest.approx(31.6 / 104.6)
    assert lead.loc["usable_reserves", "deficit_year"] == "2021/22"
    for _, row in ratios.iterrows():
        assert row["reserve_year"] in row["inputs_dated"] and row["deficit_year"] in row["inputs_dated"]
        if not row["same_vintage"]:  # a pair across years says so, with both years
            assert row["reserve_year"] in row["pairing"] and row["deficit_year"] in row["pairing"]


def test_an_old_latest_figure_is_shown_with_its_date_and_marked(later):
    statement = reserves_metrics.cover_statement(reserves_metrics.cover_ratios(later))
    assert "1.7 times" in statement and "2021/22" in statement
    assert "dated 31 Mar 2022, over 12 months old" in statement  # usable reserves, four years before late 2026
    chart = load_catalogue()["reserves_against_dsg_deficit"].build(later)
    assert "over 12 months old" in chart.title


def test_the_cover_also_reasons_from_the_latest_deficit_labelled_as_a_pair_across_years(app_test, db_path):
    """On the later figures the newest deficit is an in-year one (2025/26 quarter 2, £115m): the statement pairs
    each reserve with its own year's deficit first, then says the cover of the latest deficit with both dates."""
    from data.__main__ import main as data_cli

    assert data_cli(["load", str(LATER_FIGURES), "--db", str(db_path)]) == 0
    with duckdb.connect(str(db_path), read_only=True) as conn:
        statement = reserves_metrics.cover_statement(reserves_metrics.cover_ratios(conn))
    assert statement == (
        "Usable reserves cover the 2024/25 DSG deficit 0.7 times, the general fund reserve only 0.3 times; "
        "usable reserves at end 2024/25 (reported 15 Jul 2025) cover the latest deficit "
        "(2025/26 quarter 2, £115m) 0.6 times"
    )
    at = helpers.open_page(app_test, "pages/reserves.py")
    assert any(
        "Against the latest deficit (2025/26 quarter 2): 0.6 times (derived)" in caption.value for caption in at.caption
    ), [caption.value for caption in at.caption]
    with duckdb.connect(str(db_path)) as conn:  # the general fund reserve alone: named once, then "it"
        conn.execute("DELETE FROM reported_figures WHERE measure = 'usable_reserves'")
        assert reserves_metrics.cover_statement(reserves_metrics.cover_ratios(conn)) == (
            "The general fund reserve covers the 2024/25 DSG deficit 0.3 times; at end 2024/25 (reported 15 Jul "
            "2025), it covers the latest deficit (2025/26 quarter 2, £115m) 0.2 times"
        )


@pytest.mark.parametrize(
    ("value", "clause"),
    [
        ("45", "; usable reserves, no year given (reported 5 Oct 2021), cover the latest deficit "
               "(2021/22 quarter 2, £45m) 1.4 times"),
        ("-2", None),  # no deficit to cover: the clause is left out, not "not reported"
    ],
)  # fmt: skip
def test_the_latest_deficit_clause_names_an_undated_reserve_and_skips_a_surplus(app_test, db_path, tmp_path, value,
                                                                                clause):  # fmt: skip
    from data.__main__ import main as data_cli

    file = tmp_path / "q2.csv"
    file.write_text(
        "measure,label,fiscal_year,period,value,unit,basis,source_document,source_section,source_quote,source_date\n"
        f"dsg_cumulative_deficit,DSG deficit,2021/22,q2,{value},gbp_m,reported,Q2 report (test),S1,"
        f"The deficit was £{value}m,2021-11-15\n"
    )
    assert data_cli(["load", str(file), "--db", str(db_path), "--kind", "figures"]) == 0
    with duckdb.connect(str(db_path), read_only=True) as conn:
        statement = reserves_metrics.cover_statement(reserves_metrics.cover_ratios(conn))
    assert statement.startswith("Usable reserves cover the 2020/21 DSG deficit 1.7 times")
    if clause is None:
        assert "latest deficit" not in statement
    else:
        assert statement.endswith(clause)
    at = helpers.open_page(app_test, "pages/reserves.py")
    captions = " ".join(caption.value for caption in at.caption)
    assert ("Against the latest deficit" in captions) is (clause is not None)
    assert "not reported (derived)" not in captions


def test_the_2021_cover_reads_as_the_report_did(conn):
    statement = reserves_metrics.cover_statement(reserves_metrics.cover_ratios(conn))
    assert statement == (
        "Usable reserves cover the 2020/21 DSG deficit 1.7 times, the general fund reserve only 0.8 times; "
        "usable reserves 1.2 times by the end of 2021/22"
    )  # named: a bare "1.2 times" after the general fund reserve's 0.8 read as the general fund reserve's


# ---- crossing years from actuals first (item 3) ----------------------------------------------------


def test_a_deficit_already_above_a_reserve_says_since_when_not_a_modelled_year(later):
    crossings = reserves_metrics.years_deficit_exceeds_reserves(later)
    general = crossings[crossings["reserve_measure"] == "general_fund_reserve"]
    assert set(general["status"]) == {"already above"}
    # each year's own balance was passed, so today's balance is not said to apply in 2020/21
    assert all(
        text.startswith("has been above the general fund reserve at each year end held since 2020/21 (reported; ")
        for text in general["statement"]
    ), list(general["statement"])
    latest = crossings["latest_reported_year"].iloc[0]
    modelled = crossings[crossings["basis"] == "modelled"]
    assert all(year is None or year > latest for year in modelled["first_year_above"])


def test_the_risk_line_no_longer_names_past_years_from_the_2021_model(app_test, db_path):
    load_fixture(db_path)
    at = helpers.open_page(app_test, "pages/overview.py")
    (risk,) = [m.value for m in at.markdown if "risk in one line" in m.value]
    assert "in 2022/23 without mitigation" not in risk and "2024/25 with the recovery plan" not in risk
    assert "usable reserves" in risk and "2021/22" in risk  # the reserve named with its year


# ---- the projection starts from the latest figure (item 4) -------------------------------------------


def test_the_projection_starts_from_the_latest_reported_deficit_and_runs_to_the_override(later):
    projection = dsg_metrics.dsg_projection(later)
    assert not projection.from_plan
    assert (projection.start_year, projection.start_deficit_gbp_m) == ("2025/26", 126.4)  # the year-end forecast
    assert projection.in_year_gbp_m == 21.8  # the latest reported in-year figure, from the undated note
    assert "source undated" in projection.in_year_words
    assert projection.default.years[0] == "2026/27"
    assert projection.end_year == "2030/31"  # five years ahead; the override (2028) ends before that
    paths = dsg_metrics.modelled_paths(later)
    assert paths["cumulative_deficit_gbp_m"].iloc[0] == 126.4
    assert set(paths.loc[paths["fiscal_year"] > "2025/26", "basis"]) == {"modelled"}


def test_the_projection_runs_to_the_end_of_the_override_when_that_is_later():
    from metrics import dsg_model

    assert dsg_model.projection_end("2025/26") == "2030/31"
    assert dsg_model.projection_end("2025/26", 2033) == "2033/34"
    assert dsg_model.projection_end("2025/26", 2023) == "2030/31"


def test_with_only_the_2021_report_the_projection_is_the_plan(conn):
    projection = dsg_metrics.dsg_projection(conn)
    assert projection.from_plan and projection.start_year == "2020/21" and projection.end_year == "2025/26"
    assert set(dsg_metrics.modelled_paths(conn)["scenario"]) == {"mitigated", "unmitigated"}


def test_the_2021_plan_stays_on_the_scenario_chart_as_its_own_layer(later):
    chart = load_catalogue()["dsg_scenario"].build(later)
    names = [trace.name for trace in chart.figure.data]
    assert any(name.startswith("Plan of Dorset Council Cabinet, 5 October 2021") for name in names), names
    assert chart.title.startswith("This scenario takes the deficit from £126.4m at the end of 2025/26")


def test_the_dsg_page_models_from_the_latest_figure_and_its_policy_inputs_still_work(app_test, db_path):
    load_fixture(db_path)
    at = helpers.open_page(app_test, "pages/dsg.py")
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["In-year overspend predicted 2025/26"] == "£21.8m"  # not the plan's 2021/22 prediction
    assert metrics["Starts from the deficit 2025/26"] == "£126.4m"
    whole = metrics["Council's own exposure 2030/31 (scenario)"]
    at.slider(key="dsg_grant_share").set_value(50).run()
    halved = {metric.label: metric.value for metric in at.metric}["Council's own exposure 2030/31 (scenario)"]
    assert float(halved.strip("£m")) == pytest.approx(float(whole.strip("£m")) / 2, abs=0.1)


def test_without_an_in_year_figure_the_dsg_page_still_shows_the_plans_projections(app_test, db_path):
    """With no in-year overspend held the model cannot start from the plan, and the page said "The plan's
    projections: not reported" beside a chart drawing them. The projections need no in-year figure."""
    load_fixture(db_path)
    with duckdb.connect(str(db_path)) as conn:
        conn.execute("DELETE FROM reported_figures WHERE measure = 'dsg_in_year_deficit'")
    with duckdb.connect(str(db_path), read_only=True) as conn:
        with pytest.raises(FigureMissing):
            dsg_metrics.dsg_reported(conn)
        projections = dsg_metrics.plan_projections(conn)
    assert set(projections.index) == {"mitigated", "unmitigated"}
    at = helpers.open_page(app_test, "pages/dsg.py")
    assert not at.exception
    metrics = {metric.label: metric.value for metric in at.metric}
    assert "The plan's projections" not in metrics
    assert metrics["In-year overspend"] == "not reported"
    assert metrics["2025/26 with the recovery plan (plan of Oct 2021)"] == "£70m"
    assert metrics["2025/26 without mitigation (plan of Oct 2021)"] == "£110m"


# ---- the Overview anchored to the current year (item 5) -------------------------------------------


def test_the_current_year_is_the_as_at_dates_or_the_latest_before_it_with_a_budget(later, conn):
    from metrics import current

    assert current.fiscal_year_of(date(2026, 12, 5)) == "2026/27"
    assert current.fiscal_year_of(date(2027, 3, 31)) == "2026/27"
    assert current.current_year(later, as_at=AS_AT).fiscal_year == "2026/27"
    assert current.current_year(conn, as_at=AS_AT).fiscal_year == "2021/22"  # only the 2021 report held
    headline = current.current_position(later, as_at=AS_AT).set_index("measure")
    assert headline.loc["net_budget", "fiscal_year"] == "2026/27"  # not 2027/28, a later year
    assert (headline.loc["net_overspend", "fiscal_year"], headline.loc["net_overspend", "period"]) == ("2026/27", "q2")


def test_the_overview_names_the_current_year_and_its_tiles_are_of_it(app_test, db_path):
    load_fixture(db_path)
    at = helpers.open_page(app_test, "pages/overview.py")
    labels = [metric.label for metric in at.metric]
    assert "Net budget, 2026/27" in labels and "Forecast overspend, 2026/27 Q2" in labels
    assert not any("2027/28" in label for label in labels)
    assert any("Current year: **2026/27**" in caption.value for caption in at.caption)


def test_the_budget_page_tile_and_chart_agree_on_the_latest_outturn(app_test, db_path):
    from data.__main__ import main as data_cli

    assert data_cli(["load", str(FIXTURE.with_name("later_figures_sample.csv")), "--db", str(db_path)]) == 0
    at = helpers.open_page(app_test, "pages/budget_outturn.py")
    labels = [metric.label for metric in at.metric]
    assert "Overspend 2024/25" in labels
    titles = [json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in at.get("plotly_chart")]
    assert any("latest outturn, 2024/25" in title for title in titles), titles


def test_the_interpolated_note_covers_only_years_with_no_reported_figure(later, conn):
    def notes(connection):
        chart = load_catalogue()["dsg_trajectory"].build(connection)
        return [a.x for a in chart.figure.layout.annotations if "gives no figures" in str(a.text)]

    assert notes(conn) == ["2023/24"]  # the 2021 report: amid the years between its figures, as before
    assert notes(later) == []  # every year of the plan now has a reported figure


# ---- one home for each rule (item 1) ---------------------------------------------------------------


@given(st.floats(-5e7, 5e7, allow_nan=False))
def test_the_tile_and_the_table_agree_on_every_movement(pounds):
    from data import vocab

    direction = vocab.movement_direction(pounds)  # the word under the Directorates tile
    assert vocab.movement_words(pounds).startswith(direction)  # the table's cell
    assert (direction == "no change") == (abs(pounds) < vocab.NO_CHANGE_BELOW_GBP)
    assert vocab.movement_words(0.3) == "no change" and vocab.movement_direction(0.3) == "no change"  # was "£0, worse"


def test_where_a_deficit_stands_against_the_plan_is_decided_once():
    from metrics import dsg_plan

    assert dsg_plan.standing(120, 70, 110) == "above"
    assert dsg_plan.standing(90, 70, 110) == "between"
    assert dsg_plan.standing(60, 70, 110) == "below"
    assert dsg_plan.standing(37.9, 37.9, 37.9) == "start"


def test_the_briefing_packs_headline_figures_are_the_overviews(later):
    """The pack's headline slide states the current year's figures, as the Overview does: never a future
    year's budget beside an older overspend."""
    from exports import briefing
    from metrics import current

    labels = [figure.label for figure in briefing.headline_figures(current.current_position(later, as_at=AS_AT))]
    budget = next(label for label in labels if label.startswith("Net revenue budget"))
    assert budget.endswith("2026/27"), labels
    assert not any(label.endswith("2027/28") for label in labels), labels
