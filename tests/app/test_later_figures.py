"""Keeping the dashboard current: the measures catalogue, sources that follow loads, newest wins
with history kept, the as-at date, and the sample fixture of later figures loaded through the CLI."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from charts.all import load_catalogue
from data.__main__ import main as data_cli
from data.measures import catalogue
from metrics import budget as budget_metrics
from metrics import dsg as dsg_metrics
from metrics import reserves as reserves_metrics
from metrics.figures import REPORT_DATE, figures_as_at, headline_position, source_documents
from tests.support.helpers import open_page
from tests.support.load_files import csv_bytes, table_checksums

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "later_figures_sample.csv"
DATA_DIR = Path(__file__).resolve().parents[2] / "data"
HEADER = ["measure", "label", "fiscal_year", "period", "value", "unit", "basis", "source_document",
          "source_date", "source_section", "source_quote"]  # fmt: skip


def figure_row(measure: str = "net_budget", **changes: str) -> list[str]:
    row = {
        "measure": measure, "label": "Net revenue budget", "fiscal_year": "2024/25", "period": "budget",
        "value": "380.5", "unit": "gbp_m", "basis": "reported", "source_document": "Budget report 2024/25 (test)",
        "source_date": "2024-02-20", "source_section": "Table 1", "source_quote": "a net budget of £380.5m",
    }  # fmt: skip
    row.update(changes)
    return [row[column] for column in HEADER]


def load_cli(db_path: Path, path: Path) -> int:
    return data_cli(["load", str(path), "--db", str(db_path)])


def sidebar_text(at) -> str:
    return " ".join(caption.value for caption in at.sidebar.caption)


# ---- the catalogue ------------------------------------------------------------------------------------


def test_every_2021_figure_fits_the_catalogue():
    measures = catalogue()
    with (DATA_DIR / "reported_figures.csv").open(encoding="utf-8") as file:
        for row in csv.DictReader(file):
            measure = measures[row["measure"]]
            assert row["unit"] == measure.unit, row["figure_id"]
            assert row["period"] in measure.periods, row["figure_id"]
            assert (row["scenario"] or None) in (*measure.scenarios, None), row["figure_id"]


def test_the_measures_table_holds_the_catalogue(conn):
    keys = {row[0] for row in conn.execute("SELECT measure FROM measures").fetchall()}
    assert keys == set(catalogue())
    aliases = conn.execute("SELECT aliases FROM measures WHERE measure = 'net_budget'").fetchone()[0]
    assert "net_revenue_budget" in aliases


@pytest.mark.parametrize(
    ("measure", "suggested"),
    [
        ("net_revnue_budget", "net_budget"),
        ("net_budgte", "net_budget"),
        ("dsg_cumulative_defict", "dsg_cumulative_deficit"),
    ],
)
def test_an_unknown_measure_is_refused_naming_file_row_column_and_the_nearest_key(
    db_path, tmp_path, capsys, measure, suggested
):
    before = table_checksums(db_path)
    file = tmp_path / "later.csv"
    file.write_bytes(csv_bytes([figure_row(), figure_row(measure, fiscal_year="2025/26")], HEADER))
    assert load_cli(db_path, file) == 1
    error = capsys.readouterr().err
    assert "later.csv, row 3, column measure (A)" in error
    assert f"did you mean `{suggested}`" in error
    assert "nothing was loaded" in error
    assert table_checksums(db_path) == before


def test_an_alias_is_stored_under_the_catalogue_key(db_path, tmp_path):
    file = tmp_path / "alias.csv"
    file.write_bytes(csv_bytes([figure_row("Net_Revenue_Budget")], HEADER))
    assert load_cli(db_path, file) == 0
    with duckdb.connect(str(db_path), read_only=True) as conn:
        stored = conn.execute("SELECT measure FROM reported_figures WHERE load_id IS NOT NULL").fetchall()
    assert stored == [("net_budget",)]


@pytest.mark.parametrize(
    ("changes", "column", "message"),
    [
        ({"unit": "pct"}, "unit (F)", "the catalogue gives net_budget in 'gbp_m'"),
        ({"period": "q2"}, "period (D)", "does not apply to net_budget"),
    ],
)
def test_a_row_outside_its_measures_catalogue_entry_is_refused(db_path, tmp_path, capsys, changes, column, message):
    before = table_checksums(db_path)
    file = tmp_path / "wrong.csv"
    file.write_bytes(csv_bytes([figure_row(**changes)], HEADER))
    assert load_cli(db_path, file) == 1
    error = capsys.readouterr().err
    assert f"row 2, column {column}" in error and message in error
    assert table_checksums(db_path) == before


# ---- sources follow loads, newest wins, undo -----------------------------------------------------------


def test_a_figures_load_registers_its_documents_and_moves_the_sidebar_date_and_undo_moves_it_back(db_path, app_test):
    at = app_test.run()
    assert "Figures as at:** 5 October 2021" in sidebar_text(at)
    assert load_cli(db_path, FIXTURE) == 0
    with duckdb.connect(str(db_path), read_only=True) as conn:
        sources = source_documents(conn)
        load_id = conn.execute("SELECT max(load_id) FROM loads").fetchone()[0]
        assert len(sources) == 5
        assert sources["title"].iloc[0].startswith("SAMPLE (synthetic")
        assert figures_as_at(conn) == date(2026, 2, 20)
        url = conn.execute("SELECT url FROM sources WHERE title LIKE '%quarter 2 budget monitoring%'").fetchone()[0]
        assert url == "https://example.org/sample/q2-2025-26"
    at = app_test.run()
    assert "Figures as at:** 20 February 2026" in sidebar_text(at)
    assert data_cli(["undo", str(load_id), "--db", str(db_path)]) == 0
    with duckdb.connect(str(db_path), read_only=True) as conn:
        assert len(source_documents(conn)) == 1
    at = app_test.run()
    assert "Figures as at:** 5 October 2021" in sidebar_text(at)


def test_newest_wins_with_history_kept(db_path):
    assert load_cli(db_path, FIXTURE) == 0
    with duckdb.connect(str(db_path), read_only=True) as conn:
        reserves = reserves_metrics.reserves_by_year(conn).set_index(["measure", "fiscal_year"])
        # The 2023 accounts restate the 2020/21 general fund reserve: the newer figure is shown ...
        assert reserves.loc[("general_fund_reserve", "2020/21"), "value"] == 31.2
        assert "31.5" in reserves.loc[("general_fund_reserve", "2020/21"), "earlier"]
        # ... and the 2021 report's figure is still held, as a revision.
        held = conn.execute(
            "SELECT value FROM reported_figures WHERE measure = 'general_fund_reserve' AND fiscal_year = '2020/21' "
            "ORDER BY value"
        ).fetchall()
        assert held == [(31.2,), (31.5,)]


# ---- plan against what happened, and derived values ----------------------------------------------------


def test_later_figures_are_set_against_the_2021_plan(db_path):
    assert load_cli(db_path, FIXTURE) == 0
    with duckdb.connect(str(db_path), read_only=True) as conn:
        plan = dsg_metrics.plan_against_reported(conn).set_index("fiscal_year")
        assert plan.loc["2023/24", "reported_gbp_m"] == 85.1
        assert plan.loc["2023/24", "against"] == "above both paths"
        # 2021/22's figure is the report's derived forecast (£37.9m plus £17m), not a reported one
        assert plan.loc["2021/22", "reported_kind"] == "forecast, derived"
        assert plan.loc["2023/24", "reported_kind"] == "actual (year end)"
        assert plan.loc["2022/23", "against"] == "between the paths"
        # The plan itself does not move: it starts from what was known on 5 October 2021.
        assert dsg_metrics.dsg_reported(conn).start_year == "2020/21"
        outturn = budget_metrics.budget_and_outturn(conn).set_index(["fiscal_year", "item"])
        assert outturn.loc[("2022/23", "outturn"), "value"] == pytest.approx(329.9 + 13.8)
        assert outturn.loc[("2022/23", "outturn"), "basis"] == "derived"
        # its derivation in money, as every other sentence says it ('the 329.9 net budget' read as a bare number)
        assert "the £329.9m net budget plus the £13.8m overspend" in outturn.loc[("2022/23", "outturn"), "derivation"]
        assert ("2024/25", "outturn") not in outturn.index  # no budget for 2024/25: nothing derived
        cover = reserves_metrics.cover_by_year(conn).set_index(["fiscal_year", "reserve_measure"])
        assert cover.loc[("2024/25", "usable_reserves"), "cover_ratio"] == pytest.approx(71.5 / 104.6)
        trajectory = load_catalogue()["dsg_trajectory"].build(conn)
        assert "above both paths projected" in trajectory.title


# ---- as at a date ----------------------------------------------------------------------------------------


def headline_and_titles(conn, as_at=None):
    headline = headline_position(conn, as_at=as_at)[["measure", "fiscal_year", "period", "value"]]
    titles = {
        chart_id: entry.chart(conn, as_at=as_at).title
        for chart_id, entry in load_catalogue().items()
        if not chart_id.startswith(("monitoring", "action_"))
    }
    return headline.to_dict("records"), titles


def test_as_at_5_october_2021_shows_what_a_database_without_later_loads_shows(built_db, db_path):
    with duckdb.connect(str(built_db), read_only=True) as conn:
        before = headline_and_titles(conn)
    assert load_cli(db_path, FIXTURE) == 0
    with duckdb.connect(str(db_path), read_only=True) as conn:
        assert headline_and_titles(conn, REPORT_DATE) == before
        assert headline_and_titles(conn) != before


@pytest.mark.parametrize("page_file", ["pages/overview.py", "pages/reserves.py", "pages/dsg.py"])
def test_the_as_at_date_in_the_url_reproduces_the_2021_screens(app_test, db_path, page_file):
    plain = open_page(app_test, page_file)
    expected = [(metric.label, metric.value) for metric in plain.metric]
    assert load_cli(db_path, FIXTURE) == 0
    later = open_page(app_test, page_file, as_at="2021-10-05")
    assert [(metric.label, metric.value) for metric in later.metric] == expected
    assert not later.error


def test_exports_state_the_as_at_date(db_path, tmp_path):
    from pptx import Presentation

    from exports.__main__ import main as exports_cli

    assert load_cli(db_path, FIXTURE) == 0
    out = tmp_path / "pack.pptx"
    code = exports_cli(["briefing", "--out", str(out), "--db", str(db_path), "--charts", "net_budget_by_year",
                        "--as-at", "2021-10-05"])  # fmt: skip
    assert code == 0
    text = " ".join(
        shape.text_frame.text
        for slide in Presentation(str(out)).slides
        for shape in slide.shapes
        if shape.has_text_frame
    )
    assert "as at 5 October 2021" in text
    assert "SAMPLE" not in text  # the later documents are not known on that date


def test_an_as_at_date_in_the_url_shows_the_2021_trajectory(app_test, db_path):
    assert load_cli(db_path, FIXTURE) == 0
    at = open_page(app_test, "pages/overview.py", as_at="2021-10-05")
    titles = [json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in at.get("plotly_chart")]
    assert any("DSG deficit heads for £110m" in title for title in titles)


def test_a_database_built_before_the_catalogue_is_upgraded_in_place(db_path):
    from data.build import upgrade

    with duckdb.connect(str(db_path)) as conn:
        conn.execute("DROP TABLE measures")
        conn.execute("ALTER TABLE reported_figures DROP COLUMN source_id")
        conn.execute("ALTER TABLE sources DROP COLUMN url")
        conn.execute("ALTER TABLE sources DROP COLUMN load_id")
    assert len(upgrade(db_path)) == 3
    assert upgrade(db_path) == []
    assert load_cli(db_path, FIXTURE) == 0
    with duckdb.connect(str(db_path), read_only=True) as conn:
        assert figures_as_at(conn) == date(2026, 2, 20)
        assert conn.execute("SELECT count(*) FROM reported_figures WHERE source_id IS NULL").fetchone()[0] == 0


def test_the_dsg_page_says_the_deficit_and_the_exposure_pass_reserves_in_the_same_year(app_test, db_path):
    """The later figures start the model from a deficit (£126.4m, 2025/26) already above usable reserves
    (£71.5m): with the default policy (no override, no grant) the exposure is the deficit, and says so too. Both
    name the year the Reserves page and the Overview give, 2024/25 (the page once said "already above in
    2025/26", the model's start, beside a reported £104.6m at the end of 2024/25)."""
    assert load_cli(db_path, FIXTURE) == 0
    at = open_page(app_test, "pages/dsg.py")
    passes = {metric.label: metric.value for metric in at.metric if "passes usable reserves" in metric.label.lower()}
    assert len(passes) == 2, passes
    assert set(passes.values()) == {"already above since 2024/25 (reported)"}, passes
    assert "Passes usable reserves of £71.5m, end 2024/25" in passes  # not "(modelled)": nothing modelled is needed
    at.switch_page("pages/reserves.py").run()
    titles = [json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in at.get("plotly_chart")]
    assert any("already above the usable reserves" in t and "since 2024/25" in t for t in titles), titles
