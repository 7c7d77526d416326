"""The Directorates and Data & sources pages under AppTest: filters, the URL, loads and undo."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from data import vocab
from data.db import connect
from metrics import monitoring
from tests.helpers import PROJECT_DIR
from tests.load_files import csv_bytes, table_checksums

YEAR = "2020/21"
METRICS = {
    "Budget": "budget_gbp",
    "Actual": "actual_gbp",
    "Variance": "variance_gbp",
    "Forecast": "forecast_gbp",
    "Forecast variance": "forecast_variance_gbp",
}

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


def expected_metrics(db, **filters) -> dict[str, str]:
    with connect(db, read_only=True) as conn:
        total = monitoring.totals(conn, fiscal_year=YEAR, **filters).iloc[0]
    return {label: vocab.gbp_m(total[column] / 1e6, decimals=2) for label, column in METRICS.items()}


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


def test_choosing_a_directorate_narrows_every_figure_on_the_page(db_path):
    at = AppTest.from_string(FRAME, default_timeout=60).run()
    assert not at.exception
    everything = shown_metrics(at)
    assert everything == expected_metrics(db_path, month=12)
    service_labels_all = chart_specs(at)[0]["data"][0]["y"]

    at.sidebar.multiselect[0].set_value(["Children's Services"]).run()
    assert not at.exception
    narrowed = shown_metrics(at)
    assert narrowed == expected_metrics(db_path, directorates=["Children's Services"], month=12)
    for label in ("Budget", "Actual", "Forecast"):
        assert narrowed[label] != everything[label]
    assert at.query_params["directorate"] == "Children's Services"
    specs = chart_specs(at)
    with connect(db_path, read_only=True) as conn:
        services = monitoring.by_service(conn, fiscal_year=YEAR, directorates=["Children's Services"], month=12)
        centres = monitoring.cost_centre_variances(
            conn, fiscal_year=YEAR, directorates=["Children's Services"], month=12
        )
    assert sorted(specs[0]["data"][0]["y"]) == sorted(services["service"])
    assert len(specs[0]["data"][0]["y"]) < len(service_labels_all)
    trend_total = sum(values(specs[1]["data"][0]["y"]))
    assert trend_total * 1e6 == pytest.approx(services["variance_gbp"].sum())
    assert [label.split(" · ")[0] for label in specs[2]["data"][0]["y"]] == list(centres["cost_centre"])[::-1]
    assert any("Children's Services" in caption.value.replace("\\", "") for caption in at.caption)


def test_query_params_set_before_the_run_reopen_the_view(app_test, db_path):
    app_test.query_params["directorate"] = "Place"
    app_test.query_params["year"] = YEAR
    app_test.query_params["month"] = "P6"
    app_test.query_params["service"] = "Highways"
    at = open_directorates(app_test)
    assert not at.exception
    boxes = {s.label: s.value for s in at.selectbox}
    assert boxes["Financial year"] == YEAR and boxes["To month"] == 6 and boxes["Service"] == "Highways"
    assert shown_metrics(at) == expected_metrics(db_path, directorates=["Place"], month=6, service="Highways")
    assert any("Place › Highways" in c.value and "P6 (Sep)" in c.value for c in at.caption)
    assert at.query_params["directorate"] == "Place" and at.query_params["month"] == "6"


def test_a_bad_link_falls_back_to_defaults_with_a_notice(app_test, db_path):
    app_test.query_params["directorate"] = ["Nowhere", "place"]
    app_test.query_params["year"] = "1999/00"
    app_test.query_params["month"] = "13"
    app_test.query_params["service"] = "<b>x</b>"
    app_test.run()
    assert not app_test.exception
    notices = " ".join(w.value for w in app_test.warning).replace("\\", "")
    assert "'Nowhere'" in notices and "not a directorate" in notices
    at = app_test.switch_page("pages/directorates.py").run()
    assert not at.exception
    notices = " ".join(w.value for w in at.warning).replace("\\", "")
    assert "'1999/00' is not available" in notices and "'13' is not available" in notices
    assert "'<b>x</b>' is not available" in notices
    assert shown_metrics(at) == expected_metrics(db_path, directorates=["Place"], month=12)


def test_the_page_says_sample_data_on_screen_and_in_the_charts(app_test):
    at = open_directorates(app_test)
    assert any("Sample data" in w.value for w in at.warning)
    assert all(m.label.endswith("(sample data)") for m in at.metric)
    for spec in chart_specs(at):
        assert "sample data" in json.dumps(spec["layout"]["annotations"])
    csv_downloads = [d for d in at.get("download_button")]
    assert csv_downloads


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
    assert list(preview["directorate"]) == ["Place"] and list(preview["lines_added"]) == [1]
    with connect(db_path, read_only=True) as conn:
        assert monitoring.totals(conn, fiscal_year=YEAR).iloc[0]["sample_lines"] == 12_000  # nothing written yet
    next(b for b in at.button if b.label.startswith("Load ")).click().run()
    assert not at.exception
    assert "Loaded 1 monitoring row(s) from ledger.csv" in at.success[0].value.replace("\\", "")
    with connect(db_path, read_only=True) as conn:
        total = monitoring.totals(conn, fiscal_year=YEAR).iloc[0]
    assert (total["lines"], total["sample_lines"], total["actual_gbp"]) == (1, 0, -50.0)
    history = at.dataframe[0].value
    assert history.iloc[0]["file_name"] == "ledger.csv"

    at.checkbox[0].check()
    next(b for b in at.button if b.label == "Undo load").click().run()
    assert not at.exception
    assert any("Undid load" in s.value for s in at.success)
    with connect(db_path, read_only=True) as conn:
        assert monitoring.totals(conn, fiscal_year=YEAR).iloc[0]["sample_lines"] == 12_000


def test_a_bad_upload_lists_its_problems_and_writes_nothing(app_test, db_path):
    before = table_checksums(db_path)
    at = open_data_page(app_test)
    rows = [["2021/22", "P14", "Parks", "Highways", "PL-1", "ten", "1", "1"]]
    at.file_uploader[0].set_value(("bad.csv", csv_bytes(rows), "text/csv")).run()
    assert not at.exception
    assert "bad.csv cannot be loaded: 3 problem(s)" in at.error[0].value.replace("\\", "")
    problems = at.dataframe[0].value
    assert list(problems["row"]) == ["2", "2", "2"]
    assert list(problems["column"]) == ["period_month (B)", "directorate (C)", "budget_gbp (F)"]
    assert not [b for b in at.button if b.label.startswith("Load ")]
    assert table_checksums(db_path) == before
