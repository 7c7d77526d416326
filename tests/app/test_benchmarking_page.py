"""The Benchmarking page under AppTest: deep links, predecessors labelled, neighbours without a return named."""

from __future__ import annotations

import pytest

from charts import benchmarking as benchmark_charts
from data.db import connect
from metrics.benchmarking import INDICATORS, benchmark
from tests.support import rs_fixtures
from tests.support.helpers import open_page

PAGE = "pages/benchmarking.py"


@pytest.fixture
def loaded(db_path, tmp_path):
    """The three years of returns and Dorset Council's neighbours, loaded through the command line."""
    rs_fixtures.load_all(tmp_path)
    return db_path


def texts(at) -> str:
    """Every text on the page, Markdown escapes dropped."""
    return " ".join(
        [m.value for m in at.markdown] + [c.value for c in at.caption] + [w.value for w in at.warning]
        + [i.value for i in at.info]
    ).replace("\\", "")  # fmt: skip


def test_without_returns_the_page_says_how_to_load_them(app_test):
    at = open_page(app_test, PAGE)
    assert "No RS returns are loaded yet" in at.info[-1].value


def test_default_is_the_council_and_the_latest_year_with_each_formula_on_screen(app_test, loaded):
    at = open_page(app_test, PAGE)
    assert at.query_params["authority"] == "E06000059" and at.query_params["year"] == "2019/20"
    shown = texts(at)
    assert "Dorset Council, 2019/20: 19.3%** (derived). Higher risk than the neighbours' median" in shown
    for indicator in INDICATORS:
        assert f"Formula: {indicator.formula}" in shown
    assert "but Dorset Council was formed on 1 April 2019" in shown  # why the three-year change is missing


def test_a_year_before_the_council_was_formed_shows_its_predecessors_apart(app_test, loaded):
    at = open_page(app_test, PAGE, authority="E06000059", year="2018/19")
    shown = texts(at)
    assert "Dorset Council has no return for 2018/19: formed on 1 April 2019" in shown
    assert "Dorset Council, 2018/19: no return**. No comparison" in shown  # nothing to call derived
    assert "never as Dorset Council's and never added together" in shown
    assert list(at.table[0].value.index) == ["E06000046"]  # the Isle of Wight: no row in the 2018/19 return
    assert "the 2018/19 return has no row for it" in at.table[0].value.iloc[0]["Why"]
    predecessors = at.dataframe[-1].value
    indicators = [indicator.short for indicator in INDICATORS]  # in the order they are declared, not A-Z
    assert list(predecessors.columns) == ["Predecessor", "Financial year", *indicators]
    assert set(predecessors["Predecessor"]) == {"Dorset County Council"} and set(predecessors["Financial year"]) == {
        "2017/18",
        "2018/19",
    }


def test_a_deep_link_reproduces_another_authority_and_year(app_test, loaded):
    at = open_page(app_test, PAGE, authority="E06000052", year="2019-20")
    assert at.query_params["authority"] == "E06000052" and at.query_params["year"] == "2019/20"
    assert "Cornwall, 2019/20: 16.4%** (derived)" in texts(at)


def test_charts_are_a_strip_with_the_authority_picked_out_and_label_derived_and_predecessors(loaded):
    with connect(loaded, read_only=True) as conn:
        result = benchmark(conn, "E06000059", "2019/20")
    strip = benchmark_charts.dot_strip_chart(result, "reserves_share")
    assert [trace.name for trace in strip.figure.data] == ["Nearest neighbours", "Dorset Council"]
    assert len(strip.figure.data[0].x) == 15 and strip.figure.data[1].x == (pytest.approx(58_000 / 3_000),)
    assert "higher risk than its neighbours' median" in strip.title and "derived" in strip.labels
    # neighbours on the same value are stacked, not drawn on top of one another: every dot can be seen
    unallocated = benchmark_charts.dot_strip_chart(result, "unallocated_share").figure.data[0]
    assert len(set(unallocated.x)) < 15 and len(set(zip(unallocated.x, unallocated.y, strict=True))) == 15
    trend = benchmark_charts.trend_chart(result, "reserves_share")
    names = [trace.name for trace in trend.figure.data]
    assert names == ["Neighbours' median", "Dorset Council", "Dorset County Council (E10000009), predecessor's figures"]
    assert "not added together" in " ".join(a.text for a in trend.figure.layout.annotations)


def test_an_rs_workbook_uploaded_on_the_data_page_is_previewed_loaded_and_undone(app_test, db_path):
    app_test.run()
    at = app_test.switch_page("pages/data_sources.py").run()
    content = rs_fixtures.workbook("2019-20")
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    at.file_uploader[0].set_value(("RS_2019-20_data_by_LA.xlsx", content, mime)).run()
    assert not at.exception
    assert "revenue outturn summary (rs) returns" in at.subheader[0].value.lower()
    assert list(at.dataframe[0].value["Year"]) == ["2019/20"]
    next(b for b in at.button if b.label == "Load 160 values").click().run()
    assert "Loaded 160 values from RS_2019-20_data_by_LA.xlsx" in at.success[0].value.replace("\\", "")
    at.checkbox[0].check()
    next(b for b in at.button if b.label == "Undo load").click().run()
    assert any("Undid load" in s.value for s in at.success)
    with connect(db_path, read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM returns").fetchone() == (0,)
