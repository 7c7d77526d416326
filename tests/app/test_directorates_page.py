"""The Directorates and Data & sources pages under AppTest: filters, the URL, loads and undo."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from data import load
from data.access import Actor
from data.db import connect
from metrics import monitoring
from tests.support.helpers import PROJECT_DIR, open_every_panel
from tests.support.load_files import (
    TWO_PERIOD_NUMBERS_AT_P6,
    TWO_PERIOD_TABLE_AT_P6,
    csv_bytes,
    table_checksums,
    two_period_extract,
)
from ui.document import NARROW_KEY

YEAR = "2020/21"

# AppTest drops the sidebar when it switches pages, so the sidebar filter is exercised through the
# real sidebar and the real page, with the page as the default.
FRAME = f"""
import streamlit as st
from ui import sidebar
navigation = st.navigation([st.Page({str(PROJECT_DIR / "pages" / "directorates.py")!r}, default=True)])
sidebar.render()
navigation.run()
"""


def shown_metrics(at) -> dict[str, str]:
    return {m.label.removesuffix(" (sample data)"): m.value for m in at.metric}


def chart_specs(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def values(data) -> list:
    """Plotly may send numbers as a typed array ({"dtype", "bdata"}); decode it."""
    if isinstance(data, dict) and "bdata" in data:
        return list(np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"]))
    return list(data)


def open_directorates(at: AppTest) -> AppTest:
    at.run()
    return at.switch_page("pages/directorates.py").run()


def load_two_periods(db) -> None:
    admin = Actor("finance.bp@dorsetcouncil.example", "admin")
    for period in (4, 6):
        with connect(db) as conn:
            parsed = load.read(f"p{period}.csv", two_period_extract(period), load.directorate_aliases(conn))
            load.apply(conn, parsed, admin)


def test_two_periods_of_a_small_extract_give_the_variances_worked_out_by_hand(db_path):
    load_two_periods(db_path)
    with connect(db_path, read_only=True) as conn:
        held = monitoring.periods(conn, fiscal_year="2021/22")
        previous = monitoring.previous_period(held, 6)
        table = monitoring.monitoring_table(conn, fiscal_year="2021/22", period=6, previous=previous)
        total = monitoring.council_total(conn, fiscal_year="2021/22", period=6, previous=previous)
    assert (held, previous) == ([4, 6], 4)
    got = {r["name"]: (r["variance_gbp"], r["variance_pct"], r["movement_gbp"]) for _, r in table.iterrows()}
    got["Council total"] = tuple(total.iloc[0][["variance_gbp", "variance_pct", "movement_gbp"]])
    for name, expected in TWO_PERIOD_NUMBERS_AT_P6.items():
        assert got[name] == pytest.approx(expected), name
    assert list(table["rag"]) == ["Amber", "Red", "Green"] and total.iloc[0]["rag"] == "Amber"


def test_on_a_phone_the_monitoring_table_is_the_data_grid(db_path):
    """At 390 px seven columns in a static table broke names and amounts mid-word ("£115.|5m", "Direct|orate");
    the data grid keeps each cell whole and scrolls sideways."""
    load_two_periods(db_path)
    at = AppTest.from_string(FRAME, default_timeout=60)
    at.query_params["year"] = "2021/22"
    at.session_state[NARROW_KEY] = True  # what the browser's width check sets (ui.document)
    at.run()
    assert not at.exception and not at.table
    grid = at.dataframe[0].value
    assert list(grid.columns)[:2] == ["Directorate", "Annual budget"]
    assert [tuple(r) for r in grid.itertuples(index=False)] == TWO_PERIOD_TABLE_AT_P6


def test_the_monitoring_table_under_apptest_shows_variance_percent_movement_and_rag(db_path):
    load_two_periods(db_path)
    at = AppTest.from_string(FRAME, default_timeout=60)
    at.query_params["year"] = "2021/22"
    at.run()
    assert not at.exception
    assert {s.label: s.value for s in at.selectbox}["Period close"] == 6
    assert at.query_params["year"] == "2021/22" and at.query_params["period"] == "P6"
    table = at.table[0].value
    assert list(table.columns) == ["Directorate", "Annual budget", "Forecast outturn", "Variance",
                                   "Variance % of budget", "Movement since P4", "RAG"]  # fmt: skip
    assert [tuple(r) for r in table.itertuples(index=False)] == TWO_PERIOD_TABLE_AT_P6
    movement = next(m for m in at.metric if m.label == "Movement since P4")
    assert (movement.value, movement.delta) == ("£0.15m", "better")
    assert not any("lines behind these figures" in w.value for w in at.warning)  # only the savings are sample
    titles = [spec["layout"]["title"]["text"] for spec in chart_specs(at)]
    assert any("Children's Services moved most since P4: worse by £0.60m" in t.replace("<br>", " ") for t in titles)

    # P4: no earlier period, so no movement column; the URL follows.
    next(s for s in at.selectbox if s.label == "Period close").set_value(4).run()
    assert not at.exception and at.query_params["period"] == "P4"
    table = at.table[0].value
    assert "Movement since P4" not in table.columns
    assert list(table["Variance"]) == [
        "£0.90m over",
        "£0.10m over",
        "£0.15m over",
        "£1.1m over",
    ]  # £1,150,000 to one decimal
    assert list(table["RAG"]) == ["Red", "Green", "Amber", "Amber"]


def test_choosing_a_directorate_narrows_the_table_and_the_total(db_path):
    load_two_periods(db_path)
    at = AppTest.from_string(FRAME, default_timeout=60)
    at.query_params["year"] = "2021/22"
    at.run()
    at.sidebar.multiselect[0].set_value(["Children's Services"]).run()
    assert not at.exception
    assert at.query_params["directorate"] == "Children's Services"
    table = at.table[0].value
    assert list(table["Directorate"]) == ["Children's Services", "Total of the chosen directorates"]
    assert list(table["Variance"]) == ["£0.70m over", "£0.70m over"]


def test_a_copied_link_reopens_year_period_directorate_and_drill_down(app_test, db_path):
    load_two_periods(db_path)
    app_test.query_params["directorate"] = "Adults & Housing"
    app_test.query_params["year"] = "2021/22"
    app_test.query_params["period"] = "P4"
    app_test.query_params["drill"] = "Adults & Housing"
    app_test.query_params["service"] = "Housing"
    at = open_directorates(app_test)
    assert not at.exception
    boxes = {s.label: s.value for s in at.selectbox}
    assert boxes["Financial year"] == "2021/22" and boxes["Period close"] == 4
    assert boxes["Drill into a directorate"] == "Adults & Housing" and boxes["Service"] == "Housing"
    assert list(at.table[1].value["Service"]) == ["Adult Care & Support", "Housing"]
    centres = at.dataframe[0].value
    assert list(centres["Cost centre"]) == ["AH-2"] and list(centres["Variance"]) == ["£0.10m under"]
    assert at.query_params["period"] == "P4" and at.query_params["drill"] == "Adults & Housing"
    # The caption counted 200 cost centres above a table of one.
    assert "The service's one cost centre." in [caption.value for caption in at.caption]


def test_a_bad_link_falls_back_to_defaults_with_a_notice(app_test):
    app_test.query_params["directorate"] = ["Nowhere", "place"]
    app_test.query_params["year"] = "1999/00"
    app_test.query_params["period"] = "P13"
    app_test.query_params["drill"] = "<b>x</b>"
    app_test.run()
    assert not app_test.exception
    notices = " ".join(w.value for w in app_test.warning).replace("\\", "")
    assert "'Nowhere'" in notices and "not a directorate" in notices
    at = app_test.switch_page("pages/directorates.py").run()
    assert not at.exception
    notices = " ".join(w.value for w in at.warning).replace("\\", "")
    assert "'1999/00' is not available" in notices and "'P13' is not available" in notices
    assert "'<b>x</b>' is not available" in notices
    assert list(at.table[0].value["Directorate"]) == ["Place", "Total of the chosen directorates"]


def test_the_sample_p9_and_p12_council_totals_are_the_reported_figures(app_test):
    app_test.query_params["period"] = "P9"
    at = open_directorates(app_test)
    assert not at.exception
    total = at.table[0].value.iloc[-1]
    assert (total["Directorate"], total["Annual budget"], total["Variance"]) == (
        "Council total",
        "£304.0m",
        "£18.6m over",
    )
    next(s for s in at.selectbox if s.label == "Period close").set_value(12).run()
    total = at.table[0].value.iloc[-1]
    assert (total["Forecast outturn"], total["Variance"]) == ("£319.0m", "£15.0m over")


def test_the_page_says_sample_data_on_screen_and_in_the_charts(app_test):
    at = open_directorates(app_test)
    assert any("Sample data" in w.value for w in at.warning)
    assert all(m.label.endswith("(sample data)") for m in at.metric)
    specs = chart_specs(at)
    assert len(specs) == 3  # variance, drift, cost centres: the sample savings are for 2021/22, not 2020/21
    assert any("No savings tracker is loaded for 2020/21 P12" in i.value for i in at.info)
    for spec in specs:
        assert "SAMPLE DATA" in spec["layout"]["title"]["text"]
        assert "sample data" in json.dumps(spec["layout"]["annotations"]).replace("<br>", " ")
    assert not at.get("download_button"), "a chart's download menu is drawn when opened"
    at = open_every_panel(at)
    assert len(at.get("download_button")) == 5 * len(specs)


def test_directorate_notice_for_whole_council_pages(db_path):
    script = """
import streamlit as st
from ui import filters
st.session_state[filters.DIRECTORATE_KEY] = ["Place"]
filters.directorate_notice()
"""
    at = AppTest.from_string(script).run()
    assert "does not apply on this page" in at.info[0].value and "Place" in at.info[0].value


# --- Data & sources --------------------------------------------------------------------------------


def open_data_page(app_test: AppTest) -> AppTest:
    app_test.run()
    return app_test.switch_page("pages/data_sources.py").run()


def test_upload_preview_confirm_and_undo(app_test, db_path):
    at = open_data_page(app_test)
    assert not at.exception
    rows = [["2020/21", "P1", "Place", "Highways", "PL-1", "£1,000", "(50)", "900"]]
    at.file_uploader[0].set_value(("ledger.csv", csv_bytes(rows), "text/csv")).run()
    assert not at.exception
    assert any("replace the 12,000 sample lines for 2020/21" in w.value for w in at.warning)
    preview = at.dataframe[0].value
    assert list(preview["Directorate"]) == ["Place"] and list(preview["New lines"]) == [1]
    with connect(db_path, read_only=True) as conn:
        assert monitoring.council_total(conn, fiscal_year=YEAR, period=1, previous=None).iloc[0]["sample_lines"] == 1000
    next(b for b in at.button if b.label.startswith("Load ")).click().run()
    assert not at.exception
    assert "Loaded 1 line from ledger.csv" in at.success[0].value.replace("\\", "")
    with connect(db_path, read_only=True) as conn:
        total = monitoring.council_total(conn, fiscal_year=YEAR, period=1, previous=None).iloc[0]
    assert (total["lines"], total["sample_lines"], total["actual_ytd_gbp"]) == (1, 0, -50.0)
    history = at.dataframe[0].value
    assert history.iloc[0]["File"] == "ledger.csv"

    at.checkbox[0].check()
    next(b for b in at.button if b.label == "Undo load").click().run()
    assert not at.exception
    assert any("Undid load" in s.value for s in at.success)
    with connect(db_path, read_only=True) as conn:
        assert monitoring.council_total(conn, fiscal_year=YEAR, period=1, previous=None).iloc[0]["sample_lines"] == 1000


def test_a_bad_upload_lists_its_problems_and_writes_nothing(app_test, db_path):
    before = table_checksums(db_path)
    at = open_data_page(app_test)
    rows = [["2021/22", "P14", "Parks", "Highways", "PL-1", "ten", "1", "1"]]
    at.file_uploader[0].set_value(("bad.csv", csv_bytes(rows), "text/csv")).run()
    assert not at.exception
    assert "bad.csv cannot be loaded: 3 problems" in at.error[0].value.replace("\\", "")
    problems = at.dataframe[0].value
    assert list(problems["row"]) == ["2", "2", "2"]
    assert list(problems["column"]) == ["period (B)", "directorate (C)", "annual_budget_gbp (F)"]
    assert not [b for b in at.button if b.label.startswith("Load ")]
    assert table_checksums(db_path) == before


def test_a_savings_tracker_loads_through_the_data_page_and_shows_under_its_own_year_and_period(app_test, db_path):
    load_two_periods(db_path)  # 2021/22 monitoring at P4 and P6
    at = open_data_page(app_test)
    rows = [
        ["2021/22", "P5", "Place", "Waste rounds", "£800,000", "£500,000", "At risk"],
        ["2021/22", "P5", "Children's Services", "Placements", "1000000", "1000000", "On track"],
    ]
    header = ["fiscal_year", "period", "directorate", "scheme", "target_gbp", "forecast_delivery_gbp", "status"]
    at.file_uploader[0].set_value(("savings-p5.csv", csv_bytes(rows, header), "text/csv")).run()
    assert not at.exception
    assert any("replace the 36 sample schemes for 2021/22" in w.value for w in at.warning)
    next(b for b in at.button if b.label == "Load 2 schemes").click().run()
    assert not at.exception
    assert "Loaded 2 schemes from savings-p5.csv" in at.success[0].value.replace("\\", "")
    at.query_params["year"] = "2021/22"
    at.switch_page("pages/directorates.py").run()
    assert not at.exception
    assert at.query_params["period"] == "P6"
    assert any("tracker at P5 2021/22, the latest held at or before P6" in c.value for c in at.caption)
    assert any("£0.30m" in m.value and "£1.8m" in m.value for m in at.markdown)
    assert not any("savings schemes are synthetic" in w.value for w in at.warning)
    next(s for s in at.selectbox if s.label == "Period close").set_value(4).run()
    assert not at.exception
    assert any("No savings tracker is loaded for 2021/22 P4" in i.value for i in at.info)
    assert not any("savings target is" in m.value for m in at.markdown)


def test_sample_savings_never_sit_under_loaded_monitoring(db_path):
    load_two_periods(db_path)  # loaded 2021/22 monitoring; the 2021/22 P6 savings are still the sample's
    at = AppTest.from_string(FRAME, default_timeout=60)
    at.query_params["year"] = "2021/22"
    at.run()
    assert not at.exception
    assert any("only sample savings are held" in i.value for i in at.info)
    assert not any("savings target is" in m.value for m in at.markdown)
    assert not any("savings schemes are synthetic" in w.value for w in at.warning)


def test_a_newer_figure_reported_for_the_chosen_directorate_is_named_above_an_older_period_close(db_path):
    """A business partner for Children's Services saw only the 2020/21 sample period close, while a 2025/26
    quarter 2 overspend was reported for the directorate: the page now names it, for that directorate only."""
    from pathlib import Path

    from data.__main__ import main as data_cli

    later = Path(PROJECT_DIR) / "tests" / "fixtures" / "later_figures_sample.csv"
    assert data_cli(["load", str(later), "--db", str(db_path), "--kind", "figures"]) == 0
    at = AppTest.from_string(FRAME, default_timeout=60).run()
    assert not at.exception

    def newer() -> list[str]:
        return [info.value.replace("\\", "") for info in at.info if "Newer figures are reported" in info.value]

    [note] = newer()
    assert note.startswith("**Newer figures are reported for single directorates** than this 2020/21 period close")
    assert "Forecast net overspend at quarter 2, Children's Services (2025/26 Q2): £4.0m, reported 10 Nov 2025" in note
    at.sidebar.multiselect[0].set_value(["Place"]).run()
    assert not at.exception and newer() == []
    at.sidebar.multiselect[0].set_value(["Children's Services"]).run()
    assert len(newer()) == 1
