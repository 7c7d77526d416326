"""Property-based: over figure sets spanning 2019/20 to 2028/29 with gaps, from sources of several
dates (one undated), with and without the 2021 plan, the statements reason from the latest figures.

- no statement names a modelled crossing in a year at or before the latest reported deficit;
- every derived value's inputs carry their dates;
- no table cell is None or nan;
- the projection starts at the latest reported year-end deficit.
"""

from __future__ import annotations

import math
from datetime import date

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics import dsg as dsg_metrics
from metrics import held, vintage
from metrics import reserves as reserves_metrics
from tests.app.test_any_figures import SOURCES, database_with, empty_figures_db  # noqa: F401 - a fixture
from ui.tables import readable

YEARS = [f"{start}/{(start + 1) % 100:02d}" for start in range(2019, 2029)]
PLAN_SOURCE = SOURCES[0]  # dated 5 October 2021
YEAR_END_ORDER = {"outturn": 0, "as_at": 1, "forecast": 2}
COUNTER = iter(range(10**9))


def row(measure, year, period, value, source, *, scenario=None, unit="gbp_m", basis="reported") -> dict:
    return {
        "measure": measure, "label": measure.replace("_", " ").capitalize(), "fiscal_year": year, "period": period,
        "scenario": scenario, "directorate": None, "value": value, "unit": unit, "basis": basis, "source": source,
    }  # fmt: skip


money = st.floats(0, 400, allow_nan=False).map(lambda value: round(value, 1))


@st.composite
def figure_sets(draw) -> list[dict]:
    rows = []
    for year in draw(st.lists(st.sampled_from(YEARS), unique=True, max_size=6)):
        period = draw(st.sampled_from(["outturn", "outturn", "as_at", "q2", "forecast"]))
        rows.append(row("dsg_cumulative_deficit", year, period, draw(money), draw(st.sampled_from(SOURCES))))
    for measure in ("general_fund_reserve", "usable_reserves"):
        for year in draw(st.lists(st.sampled_from([*YEARS, None]), unique=True, max_size=3)):
            period = "as_at" if year is None else draw(st.sampled_from(["outturn", "as_at"]))
            rows.append(row(measure, year, period, draw(money), draw(st.sampled_from(SOURCES))))
    for year in draw(st.lists(st.sampled_from(YEARS), unique=True, max_size=3)):
        period = draw(st.sampled_from(["outturn", "forecast", "q2"]))
        rows.append(row("dsg_in_year_deficit", year, period, draw(money), draw(st.sampled_from(SOURCES))))
    if draw(st.booleans()):  # the 2021 plan: a start, the next year's predicted overspend and two projections
        start, low, high = draw(money), draw(money), draw(money)
        rows += [
            row("dsg_cumulative_deficit", "2020/21", "outturn", start, PLAN_SOURCE),
            row("dsg_in_year_deficit", "2021/22", "forecast", draw(money), PLAN_SOURCE),
            row("dsg_cumulative_deficit", "2025/26", "projection", min(low, high), PLAN_SOURCE, scenario="mitigated"),
            row("dsg_cumulative_deficit", "2025/26", "projection", max(low, high), PLAN_SOURCE, scenario="unmitigated"),
        ]
    if draw(st.booleans()):
        year = float(draw(st.integers(2022, 2032)))
        rows.append(
            row("dsg_statutory_override_expiry", None, "as_at", year, draw(st.sampled_from(SOURCES)), unit="year")
        )
    return rows


def latest_year_end(rows: list[dict]) -> dict | None:
    """The newest document's figure for each year and period, then the latest year end (outturn first)."""
    held: dict[tuple, dict] = {}
    order = {source: index for index, source in enumerate(sorted(SOURCES, key=lambda s: s[2] or date.max))}
    for figure in rows:
        if figure["measure"] == "dsg_cumulative_deficit" and figure["scenario"] is None:
            key = (figure["fiscal_year"], figure["period"])
            if key not in held or order[figure["source"]] >= order[held[key]["source"]]:
                held[key] = figure
    year_ends = [figure for figure in held.values() if figure["period"] in YEAR_END_ORDER]
    if not year_ends:
        return None
    latest = max(figure["fiscal_year"] for figure in year_ends)
    return min((f for f in year_ends if f["fiscal_year"] == latest), key=lambda f: YEAR_END_ORDER[f["period"]])


def no_missing_cells(frame: pd.DataFrame) -> None:
    for cell in frame.to_numpy().ravel():
        assert cell is not None and not (isinstance(cell, float) and math.isnan(cell)), frame
        assert str(cell) not in ("None", "nan", "<NA>", "NaT"), frame


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=figure_sets())
def test_statements_reason_from_the_latest_figures(empty_figures_db, tmp_path, rows):  # noqa: F811
    path = database_with(empty_figures_db, rows, tmp_path / str(next(COUNTER)))
    with duckdb.connect(str(path), read_only=True) as conn:
        points = dsg_metrics.dsg_known_points(conn)
        latest = dsg_metrics.latest_reported_deficit_year(points)
        try:
            crossings = reserves_metrics.years_deficit_exceeds_reserves(conn)
        except held.FigureMissing:
            crossings = pd.DataFrame()
        for _, crossing in crossings.iterrows():
            if crossing["basis"] == "modelled" and crossing["first_year_above"] is not None:
                assert latest is None or crossing["first_year_above"] > latest, crossing["statement"]
            no_missing_cells(
                readable(crossings.drop(columns=["first_year_above", "scenario"]), {"reserve_gbp_m": None})
            )

        try:
            ratios = reserves_metrics.cover_ratios(conn)
        except held.FigureMissing:
            ratios = pd.DataFrame()
        for _, ratio in ratios.iterrows():  # a derived value names both inputs and their dates
            inputs = ratio["inputs_dated"]
            assert "DSG deficit" in inputs and ratio["reserve"] in inputs
            assert inputs.count("reported ") + inputs.count("source undated") >= 2, inputs
            if not ratio["same_vintage"]:
                assert "against the" in ratio["pairing"]
        if not ratios.empty:
            shown = readable(ratios, {"reserve_gbp_m": None, "deficit_gbp_m": "deficit_basis"})
            no_missing_cells(shown.drop(columns=["reserve_year", "cover_ratio"]))
            reserves_metrics.cover_statement(ratios)
        for _, cover in reserves_metrics.cover_by_year(conn).iterrows():
            assert cover["fiscal_year"] in cover["inputs_dated"]

        expected = latest_year_end([figure for figure in rows if figure["basis"] == "reported"])
        try:
            projection = dsg_metrics.dsg_projection(conn)
        except held.FigureMissing:
            assert expected is None or not any(f["measure"] == "dsg_in_year_deficit" for f in rows)
            return
        assert expected is not None
        if not projection.from_plan:
            assert projection.start_year == expected["fiscal_year"]
            assert projection.start_deficit_gbp_m == pytest.approx(expected["value"])
            assert len(projection.default.years) >= 5
        else:
            assert projection.start_year >= expected["fiscal_year"]
        try:
            plan = dsg_metrics.plan_against_reported(conn)
        except held.FigureMissing:
            return
        no_missing_cells(
            readable(plan, {"mitigated_gbp_m": "path_basis", "unmitigated_gbp_m": "path_basis", "reported_gbp_m": None})
        )


@pytest.mark.parametrize(
    ("year", "period", "when", "in_year"),
    [
        ("2024/25", "outturn", "end 2024/25", None),
        ("2024/25", "as_at", "end 2024/25", None),
        ("2025/26", "q2", "2025/26 quarter 2", "quarter 2"),
        ("2025/26", None, "2025/26", None),
        (None, "q2", "no year given", None),
    ],
)
def test_a_figures_year_and_its_period_within_the_year_in_words(year, period, when, in_year):
    row = pd.Series({"fiscal_year": year, "period": period})
    assert vintage.when(row) == when
    assert vintage.in_year_period(row) == in_year


def test_figures_in_words_keeps_the_hedge_and_counts_the_rest():
    """A review found "circa £3.1m" said as "£3.1m" and "and 2 mores"."""
    from metrics.vintage import figures_in_words

    frame = pd.DataFrame(
        {
            "label": ["Forecast net overspend at quarter 2, Children's Services", "Savings", "Overspend", "Rate"],
            "directorate": ["Children's Services", "Place", "Place", "Place"],
            "fiscal_year": ["2025/26"] * 4,
            "period": ["q2", "q2", "outturn", "outturn"],
            "value": [4.0, 3.1, 2.1, 97.5],
            "unit": ["gbp_m", "gbp_m", "gbp_m", "pct"],
            "qualifier": [None, "circa", "nearly", None],
            "basis": ["reported"] * 4,
            "source_date": [date(2025, 11, 10)] * 4,
            "as_at_date": [None] * 4,
            "known_on": [date(2025, 11, 10)] * 4,
        }
    )
    words = figures_in_words(frame, at_most=2)
    assert words.startswith("Forecast net overspend at quarter 2, Children's Services (2025/26 Q2): £4.0m, reported")
    assert "Savings (Place, 2025/26 Q2): c. £3.1m" in words
    assert words.endswith("; and 2 more")
