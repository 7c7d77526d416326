"""RS returns and nearest neighbours: loaded as published, indicators worked out by hand, bad files refused."""

from __future__ import annotations

import math

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data import load
from data.__main__ import main as cli
from data.access import Actor
from data.db import connect
from metrics.benchmarking import NOT_AVAILABLE, NOT_FALLING, benchmark, indicator_values
from tests.support import rs_fixtures
from tests.support.load_files import csv_bytes

ADMIN = Actor("finance.bp@dorsetcouncil.example", "admin")


def count(db, sql: str, params: dict | None = None) -> int:
    with connect(db, read_only=True) as conn:
        return conn.execute(sql, params).fetchall()[0][0]


def load_bytes(db, name: str, content: bytes, kind: str | None = None):
    with connect(db, read_only=True) as conn:
        parsed = load.read(name, content, {}, kind)
        summary = load.preview(conn, parsed)
    with connect(db) as conn:
        return summary, load.apply(conn, parsed, ADMIN)


@pytest.fixture
def loaded(db_path, tmp_path):
    """The three years of returns and Dorset Council's neighbours, loaded through the command line."""
    rs_fixtures.load_all(tmp_path)
    return db_path


def values(db, code: str, year: str) -> dict[str, tuple[float, str]]:
    with connect(db, read_only=True) as conn:
        frame = indicator_values(conn)
    rows = frame[(frame["ons_code"] == code) & (frame["fiscal_year"] == year)]
    return {row.indicator: (row.value, row.status) for row in rows.itertuples()}


# --- loading three years as published ------------------------------------------------------------------


def test_three_years_in_their_published_layouts_land_with_unit_and_source(loaded):
    assert count(loaded, "SELECT count(DISTINCT fiscal_year) FROM returns") == 3
    # Cornwall's 31 March unallocated reserves in each year, wherever the column moved to
    with connect(loaded, read_only=True) as conn:
        rows = conn.execute(
            "SELECT fiscal_year, value_gbp_k, sheet, column_name FROM returns WHERE ons_code = 'E06000052' "
            "AND line = 916 AND balance_at = '31 March' ORDER BY fiscal_year"
        ).fetchall()
    assert [(r[0], r[1]) for r in rows] == [("2017/18", 21_000), ("2018/19", 20_500), ("2019/20", 19_000)]
    assert [r[2] for r in rows] == ["RS LA Data 2017-18", "RS LA Data 2018-19", "RS_LA_Data_2019-20"]
    assert {r[3] for r in rows} == {"Estimated unallocated financial reserves level at 31 March"}
    # the England row, the class total and the columns the loader does not read are not loaded
    assert count(loaded, "SELECT count(*) FROM returns WHERE authority IN ('England', 'Shire counties total')") == 0
    assert count(loaded, "SELECT count(DISTINCT line) FROM returns") == 6
    assert count(loaded, "SELECT count(*) FROM neighbours WHERE authority_code = 'E06000059'") == 15
    # the Data & sources page offers each of these loads for undo, as it does every load
    from metrics.loads import undoable_loads

    with connect(loaded, read_only=True) as conn:
        assert sorted(undoable_loads(conn)["kind"]) == ["neighbours", "returns", "returns", "returns"]


# --- indicators against values worked out by hand --------------------------------------------------------


def test_cornwall_2019_20_indicators_match_the_hand_worked_values(loaded):
    got = values(loaded, "E06000052", "2019/20")
    # (915 50,000 + 916 19,000) / 805 420,000
    assert got["reserves_share"][0] == pytest.approx(69_000 / 420_000 * 100)  # 16.43%
    assert got["unallocated_share"][0] == pytest.approx(19_000 / 420_000 * 100)  # 4.52%
    # 1 April 2017 (2017/18 return): 60,000 + 20,000 = 80,000; 31 March 2020: 69,000
    assert got["change_3y"][0] == pytest.approx(-13.75)
    # falls 11,000 over three years, 3,666.7 a year: 69,000 / 3,666.7 = 18.8 years
    assert got["sustainability"][0] == pytest.approx(69_000 / (11_000 / 3))


def test_wiltshire_2019_20_indicators_match_the_hand_worked_values(loaded):
    got = values(loaded, "E06000054", "2019/20")
    assert got["reserves_share"][0] == pytest.approx(20.0)  # (50,000 + 14,000) / 320,000
    assert got["unallocated_share"][0] == pytest.approx(4.375)  # 14,000 / 320,000
    assert got["change_3y"][0] == pytest.approx(28.0)  # (64,000 - 50,000) / 50,000
    assert got["sustainability"][1] == NOT_FALLING and math.isnan(got["sustainability"][0])


def test_the_earlier_years_have_shares_but_no_three_year_change(loaded):
    got = values(loaded, "E06000052", "2018/19")
    assert got["reserves_share"][0] == pytest.approx((55_000 + 20_500) / 410_000 * 100)
    assert got["change_3y"][1] == NOT_AVAILABLE and got["sustainability"][1] == NOT_AVAILABLE


# --- predecessors and missing neighbours ------------------------------------------------------------------


def test_dorset_council_is_never_given_its_predecessors_returns(loaded):
    with connect(loaded, read_only=True) as conn:
        before = benchmark(conn, "E06000059", "2018/19")
        after = benchmark(conn, "E06000059", "2019/20")
    assert before.values[before.values["is_subject"]].empty
    assert "formed on 1 April 2019" in before.subject_missing and "Dorset County Council" in before.subject_missing
    # the county's own figures are there, as the county's, and only for the years before
    assert set(before.predecessor_values["ons_code"]) == {"E10000009"}
    assert set(before.predecessor_values["fiscal_year"]) == {"2017/18", "2018/19"}
    # three years back from 2019/20 reaches the county's 2017/18 return: not used, and the reason says why
    change = after.values[after.values["is_subject"] & (after.values["indicator"] == "change_3y")].iloc[0]
    assert change["status"] == NOT_AVAILABLE and "predecessors" in change["reason"]
    assert after.values[after.values["is_subject"] & (after.values["indicator"] == "reserves_share")].iloc[0][
        "value"
    ] == pytest.approx((30_000 + 28_000) / 300_000 * 100)


def test_a_neighbour_without_a_return_that_year_is_listed_with_the_reason(loaded):
    with connect(loaded, read_only=True) as conn:
        result = benchmark(conn, "E06000059", "2018/19")
    assert list(result.missing["ons_code"]) == ["E06000046"]
    assert "2018/19 return has no row" in result.missing.iloc[0]["why"]


def test_risk_is_said_in_words_against_the_neighbours_median(loaded):
    with connect(loaded, read_only=True) as conn:
        result = benchmark(conn, "E06000059", "2019/20")
    # Dorset 9.3% unallocated against neighbours whose unallocated shares have a lower median
    assert result.words["unallocated_share"].startswith("Lower risk than the neighbours' median (9.3% against")
    assert result.words["change_3y"].startswith("No comparison")


# --- reload and undo ----------------------------------------------------------------------------------------


def test_reloading_a_year_replaces_that_year_only_and_undo_puts_it_back(loaded):
    year = "2019-20"
    changed = rs_fixtures.authorities(year)
    changed[0].values["unallocated_end"] = 1.0
    from bench.rs_workbook import rs_workbook

    content = rs_workbook(year, changed, layout=0)
    held_by = count(loaded, "SELECT max(load_id) FROM returns WHERE fiscal_year = '2019/20'")
    summary, result = load_bytes(loaded, "RS_2019-20_data_by_LA_revised.xlsx", content)
    assert summary.changes.iloc[0]["authorities_held_now"] == 16
    assert summary.changes.iloc[0]["replaces_load"] == f"load {held_by}"
    held = (
        "SELECT value_gbp_k FROM returns WHERE ons_code = 'E06000052' AND line = 916 "
        "AND balance_at = '31 March' AND fiscal_year = $y"
    )
    assert count(loaded, held, {"y": "2019/20"}) == 1.0
    assert count(loaded, held, {"y": "2018/19"}) == 20_500
    assert count(loaded, "SELECT count(*) FROM returns WHERE fiscal_year = '2019/20'") == result.rows
    assert cli(["undo", str(result.load_id)]) == 0
    assert count(loaded, held, {"y": "2019/20"}) == 19_000
    assert count(loaded, "SELECT count(*) FROM returns_replaced") == 0


def test_an_earlier_load_cannot_be_undone_under_a_later_one_that_replaced_it(loaded):
    first = count(loaded, "SELECT min(load_id) FROM loads WHERE kind = 'returns'")
    # A corrected return: the same bytes again would be refused as a duplicate (and the workbook's zip
    # timestamps make rebuilt bytes equal or not by the second).
    corrected = rs_fixtures.authorities("2017-18")
    corrected[0].values["unallocated_end"] = 2.0
    from bench.rs_workbook import rs_workbook

    content = rs_workbook("2017-18", corrected, layout=rs_fixtures.LAYOUTS["2017-18"])
    _, result = load_bytes(loaded, "RS_2017-18_again.xlsx", content)
    assert cli(["undo", str(first)]) == 1
    assert cli(["undo", str(result.load_id)]) == 0
    assert cli(["undo", str(first)]) == 0
    assert count(loaded, "SELECT count(*) FROM returns WHERE fiscal_year = '2017/18'") == 0


# --- bad files ---------------------------------------------------------------------------------------------


def _refused(db, tmp_path, capsys, name: str, content: bytes) -> str:
    before = count(db, "SELECT count(*) FROM returns") + count(db, "SELECT count(*) FROM loads")
    path = tmp_path / name
    path.write_bytes(content)
    assert cli(["load", str(path), "--kind", "returns"]) == 1
    assert count(db, "SELECT count(*) FROM returns") + count(db, "SELECT count(*) FROM loads") == before
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


def test_a_workbook_that_is_not_an_rs_return_is_refused(loaded, tmp_path, capsys):
    from tests.support.load_files import xlsx_bytes

    err = _refused(loaded, tmp_path, capsys, "RS_budget.xlsx", xlsx_bytes([[1, 2]], header=["a", "b"]))
    assert "RS_budget.xlsx, whole file: this is not an RS 'data by LA' workbook" in err


def test_a_period_close_loaded_as_a_return_says_what_a_return_is(loaded, tmp_path, capsys):
    """It said "not a valid XLSX workbook (the file is damaged or not Excel)" of a sound CSV."""
    extract = (
        b"fiscal_year,period,directorate,service,cost_centre,annual_budget_gbp,actual_ytd_gbp,forecast_outturn_gbp\n"
    )
    err = _refused(loaded, tmp_path, capsys, "p3.csv", extract + b"2024/25,P3,Place,Highways,PL-1,1000,50,900\n")
    assert "p3.csv, whole file: not an RS return: a return is MHCLG's revenue outturn 'data by LA' workbook" in err
    assert "not a valid XLSX" not in err


def test_a_missing_line_is_refused_naming_the_line_and_the_row_of_line_numbers(loaded, tmp_path, capsys):
    content = rs_fixtures.workbook("2017-18", drop_lines=((916, "31 March"),))
    err = _refused(loaded, tmp_path, capsys, "RS_2017-18_data_by_LA.xlsx", content)
    assert "sheet 'RS LA Data 2017-18', row 5: line 916 (unallocated at 31 March) is missing" in err


def test_a_title_for_another_year_is_refused(loaded, tmp_path, capsys):
    content = rs_fixtures.workbook("2018-19", title_year="2017-18")
    err = _refused(loaded, tmp_path, capsys, "RS_2018-19_data_by_LA.xlsx", content)
    assert "sheet 'RS LA Data 2018-19', row 1, column A: the title says 2017-18" in err


def test_text_in_a_number_cell_is_refused_naming_row_and_column(loaded, tmp_path, capsys):
    authorities = rs_fixtures.authorities("2017-18")
    authorities[1].values["nre"] = "see note"
    from bench.rs_workbook import rs_workbook

    err = _refused(loaded, tmp_path, capsys, "RS_2017-18_data_by_LA.xlsx", rs_workbook("2017-18", authorities))
    # layout 0: E-code, ONS code, name, class, one other column, then 805 in column G; Wiltshire on row 9
    assert "sheet 'RS LA Data 2017-18', row 9, column G: line 805 holds the text 'see note'" in err


def test_a_line_number_over_a_column_of_another_name_is_refused(loaded, tmp_path, capsys):
    content = rs_fixtures.workbook("2017-18", rename={(805, None): "REVENUE EXPENDITURE"})
    err = _refused(loaded, tmp_path, capsys, "RS_2017-18_data_by_LA.xlsx", content)
    assert "row 6, column G: line 805's column is named 'REVENUE EXPENDITURE'" in err


def test_a_neighbours_list_naming_an_authority_as_its_own_neighbour_is_refused(loaded):
    rows = [["authority_code", "neighbour_code"], ["E06000059", "E06000059"], ["E06000059", "X1"]]
    with pytest.raises(load.LoadRejected) as refused:
        load.read("n.csv", csv_bytes(rows[1:], header=rows[0]), {}, "neighbours")
    text = str(refused.value)
    assert "row 2, column neighbour_code (B): E06000059 is listed as its own neighbour" in text
    assert "row 3, column neighbour_code (B): neighbour_code is 'X1'" in text


# --- ODS, as the newer releases are published -------------------------------------------------------------


def test_an_ods_release_lands_the_same_values_as_the_xlsx_and_its_padding_is_not_read(db_path):
    from bench.rs_workbook import rs_ods

    year = "2019-20"
    content = rs_ods(year, rs_fixtures.authorities(year), layout=2, sheet_name="RS_LA_Data_201920")
    _, result = load_bytes(db_path, "RS_LA_Data_2019-20_data_by_LA.ods", content)
    assert result.rows == 16 * 10  # 16 authorities, 10 lines; the 1,048,000 padding rows are not rows
    got = values(db_path, "E06000052", "2019/20")
    assert got["reserves_share"][0] == pytest.approx(69_000 / 420_000 * 100)
    cell = "SELECT cell FROM returns WHERE ons_code = 'E06000052' AND line = 805"
    assert count(db_path, cell) == "N8"  # as a spreadsheet program shows it


_SECTION_PREFIXED = {
    # As the 2024-25 release names them: the section, " - ", the column's own name. The section of the last
    # one names 1 April although the column is the 31 March balance: the column's own name decides.
    (915, "1 April"): "Reserves at 1 April 2019 - Estimated other earmarked financial reserves level at 1 April",
    (915, "31 March"): "Reserves (continued) - Estimated other earmarked financial reserves level at 31 March",
    (916, "31 March"): "Reserves at 1 April 2019 - Estimated unallocated financial reserves level at 31 March",
}


def test_an_ods_with_reference_rows_under_the_line_numbers_and_section_prefixed_names_lands_the_same(db_path):
    from bench.rs_workbook import rs_ods

    year = "2019-20"
    content = rs_ods(year, rs_fixtures.authorities(year), layout=2, reference_rows=2, rename=_SECTION_PREFIXED)
    _, result = load_bytes(db_path, "RS_LA_Data_2019-20_data_by_LA.ods", content)
    assert result.rows == 16 * 10
    got = values(db_path, "E06000052", "2019/20")
    assert got["reserves_share"][0] == pytest.approx(69_000 / 420_000 * 100)
    balance = "SELECT value_gbp_k FROM returns WHERE ons_code = 'E06000052' AND line = 916 AND balance_at = $at"
    assert count(db_path, balance, {"at": "31 March"}) != count(db_path, balance, {"at": "1 April"})


def test_a_reserves_column_naming_both_dates_in_its_own_name_is_refused_saying_so():
    from bench.rs_workbook import rs_workbook

    both = "Estimated unallocated financial reserves level at 1 April and at 31 March"
    content = rs_workbook("2019-20", rs_fixtures.authorities("2019-20"), rename={(916, "31 March"): both})
    with pytest.raises(load.LoadRejected) as refused:
        load.read("RS_2019-20_data_by_LA.xlsx", content, {}, "returns")
    assert f"line 916's column {both!r} says both 'at 1 April' and 'at 31 March'" in str(refused.value)


def test_an_ods_with_text_in_a_number_cell_is_refused_naming_sheet_row_and_column(db_path):
    from bench.rs_workbook import rs_ods

    authorities = rs_fixtures.authorities("2019-20")
    authorities[0].values["nre"] = "n/a"
    with pytest.raises(load.LoadRejected) as refused:
        load.read("RS_2019-20.ods", rs_ods("2019-20", authorities, layout=2), {}, "returns")
    assert "sheet 'RS_LA_Data_2019-20', row 8, column N: line 805 holds the text 'n/a'" in str(refused.value)


# --- any returns, never a crash -------------------------------------------------------------------------------

_CODES = ["E06000059", "E06000052", "E06000054", "E10000009", "E06000046", "E06000017"]
_LINES = [(805, None), (915, "1 April"), (915, "31 March"), (916, "1 April"), (916, "31 March"), (749, None)]
_amounts = st.one_of(st.none(), st.just(0.0), st.floats(-5e5, 5e6, allow_nan=False))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    returns=st.dictionaries(
        st.tuples(st.sampled_from(_CODES), st.sampled_from(["2016/17", "2017/18", "2018/19", "2019/20", "2021/22"])),
        st.lists(_amounts, min_size=len(_LINES), max_size=len(_LINES)),
        max_size=20,
    ),
    neighbours=st.lists(st.sampled_from(_CODES[1:]), unique=True, max_size=5),
    year=st.sampled_from(["2017/18", "2019/20", "2020/21"]),
)
def test_any_returns_give_indicators_words_and_charts_never_an_error(returns, neighbours, year):
    from charts import benchmarking as benchmark_charts
    from data.build import SCHEMA_SQL
    from metrics.benchmarking import INDICATORS, NOT_AVAILABLE, NOT_FALLING

    with duckdb.connect() as conn:
        conn.execute(SCHEMA_SQL.read_text(encoding="utf-8"))
        for (code, fiscal_year), amounts in returns.items():
            for (line, at), amount in zip(_LINES, amounts, strict=True):
                conn.execute(
                    "INSERT INTO returns VALUES ($y, $c, $c, 'UA', $l, 'x', $at, $v, 'f.xlsx', 's', 'x', 'A1', 1)",
                    {"y": fiscal_year, "c": code, "l": line, "at": at, "v": amount},
                )
        for neighbour in neighbours:
            conn.execute("INSERT INTO neighbours VALUES ('E06000059', $n, NULL, 2)", {"n": neighbour})
        result = benchmark(conn, "E06000059", year)
    assert set(result.values["status"]) <= {"value", NOT_FALLING, NOT_AVAILABLE}
    held = result.values[result.values["status"] == "value"]["value"]
    assert held.map(math.isfinite).all()
    assert not result.values["ons_code"].isin(["E10000009"]).any() or "E10000009" in neighbours
    for indicator in INDICATORS:
        assert result.words[indicator.key]
        for chart in (
            benchmark_charts.dot_strip_chart(result, indicator.key),
            benchmark_charts.trend_chart(result, indicator.key),
        ):
            assert chart.title and chart.alt_text
            assert not chart.figure.data or "derived" in chart.labels  # a chart of values says they are derived
            for note in chart.figure.layout.annotations:  # beside the median's line, never across it
                if note.text.startswith("Neighbours' median"):
                    assert note.xanchor in ("left", "right") and note.xshift * (1 if note.xanchor == "left" else -1) > 0


# --- the revenue outturn time series (CSV) --------------------------------------------------------------------

TIME_SERIES_HEADER = [
    "year_ending", "ONS_code", "LA_LGF_code", "LA_name", "status", "LA_class", "LA_subclass",
    "RS_edu_net_exp", "RS_netrevexp_net_exp", "RS_resunall_start_cy", "RS_resunall_end_cy", "RS_netcurrtot_net_exp",
]  # fmt: skip


def _time_series(rows: list[list[object]]) -> bytes:
    return csv_bytes(rows, header=TIME_SERIES_HEADER)


def test_the_time_series_loads_each_submitted_year_and_skips_totals_and_missing_returns(db_path):
    rows = [
        [202003, "E92000001", "E92", "England", "total", "", "", 1, 2, 3, 4, 5],
        [201903, "E06000052", "E0801", "Cornwall", "submitted", "UA", "UA", 5, 410000, 21000, 20500, 800000],
        [202003, "E06000052", "E0801", "Cornwall", "submitted", "UA", "UA", 5, 420000, 20500, 19000, 812000],
        [202003, "E06000046", "E0804", "Isle of Wight", "not submitted", "UA", "UA", "", "", "", "", ""],
    ]
    summary, result = load_bytes(db_path, "Revenue_Outturn_time_series_data_v3.1.csv", _time_series(rows))
    assert result.kind == "returns" and result.rows == 2 * 4  # two returns, four lines each
    assert list(summary.changes["fiscal_year"]) == ["2018/19", "2019/20"]
    assert "2 rows without a submitted return" in summary.notes[0]
    got = values(db_path, "E06000052", "2019/20")
    assert got["unallocated_share"][0] == pytest.approx(19_000 / 420_000 * 100)
    assert got["reserves_share"][1] == NOT_AVAILABLE  # line 915 is not read from the time series
    cell = "SELECT column_name || ' ' || cell FROM returns WHERE fiscal_year = '2019/20' AND line = 805"
    assert count(db_path, cell) == "RS_netrevexp_net_exp I4"  # the code as published, the cell as a reader sees it
    net_current = "SELECT value_gbp_k || ' ' || cell FROM returns WHERE fiscal_year = '2019/20' AND line = 749"
    assert count(db_path, net_current) == "812000.0 L4"  # RS_netcurrtot_net_exp, net current expenditure


def test_a_time_series_with_text_in_a_number_or_a_year_not_ending_in_march_is_refused():
    rows = [
        [202003, "E06000052", "E0801", "Cornwall", "submitted", "UA", "UA", 5, "see note", 1, 2, 3],
        [202006, "E06000054", "E0802", "Wiltshire", "submitted", "UA", "UA", 5, 1, 1, 2, 3],
    ]
    with pytest.raises(load.LoadRejected) as refused:
        load.read("rs_time_series.csv", _time_series(rows), {}, None)
    text = str(refused.value)
    assert "row 2, column I: line 805 (rs_netrevexp_net_exp) holds the text 'see note'" in text
    assert "row 3, column A: year_ending is '202006'" in text


# --- a database built before benchmarking --------------------------------------------------------------------


def test_a_database_built_before_benchmarking_is_upgraded_and_keeps_its_loads(db_path, tmp_path):
    from data.build import upgrade

    with connect(db_path) as conn:
        conn.execute("DROP TABLE returns; DROP TABLE returns_replaced; DROP TABLE neighbours")
        conn.execute("DROP TABLE neighbours_replaced")
        conn.execute("CREATE TABLE old_loads AS SELECT * FROM loads")
        conn.execute("DROP TABLE loads")
        conn.execute(
            "CREATE TABLE loads (load_id INTEGER PRIMARY KEY, kind VARCHAR NOT NULL CHECK (kind IN ('build', "
            "'sample', 'monitoring', 'figures', 'savings')), file_name VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, "
            "row_count INTEGER NOT NULL, loaded_at TIMESTAMP NOT NULL, loaded_by VARCHAR NOT NULL, "
            "undone_at TIMESTAMP, undone_by VARCHAR)"
        )
        conn.execute("INSERT INTO loads SELECT * FROM old_loads")
        conn.execute("DROP TABLE old_loads")
        before = conn.execute("SELECT * FROM loads ORDER BY load_id").fetchall()
    assert upgrade(db_path) == ["returns and neighbours: tables added, loads may record them"]
    assert upgrade(db_path) == []
    with connect(db_path, read_only=True) as conn:
        assert conn.execute("SELECT * FROM loads ORDER BY load_id").fetchall() == before
    rs_fixtures.load_all(tmp_path)
    assert count(db_path, "SELECT count(DISTINCT fiscal_year) FROM returns") == 3


# --- both stores ------------------------------------------------------------------------------------------------


def test_returns_load_replace_and_undo_on_either_store(store, tmp_path, capsys):
    """The embedded file and the shared store (DuckLake, whose rules are checked before each commit)."""
    rs_fixtures.load_all(tmp_path)
    path = tmp_path / "RS_2019-20_again.xlsx"
    from bench.rs_workbook import rs_workbook

    # the same year laid out as another year's file: other bytes, the same values
    path.write_bytes(rs_workbook("2019-20", rs_fixtures.authorities("2019-20"), layout=0))
    capsys.readouterr()
    assert cli(["load", str(path), "--kind", "returns"]) == 0
    assert "loaded 160 rows of returns" in capsys.readouterr().out
    load_id = count(store, "SELECT max(load_id) FROM loads")
    assert count(store, "SELECT count(*) FROM returns_replaced WHERE replaced_by = $id", {"id": load_id}) == 160
    assert cli(["undo", str(load_id)]) == 0
    assert count(store, "SELECT count(*) FROM returns WHERE fiscal_year = '2019/20'") == 160
    assert count(store, "SELECT count(*) FROM returns_replaced") == 0
    with connect(store, read_only=True) as conn:
        result = benchmark(conn, "E06000059", "2019/20")
    assert result.words["reserves_share"].startswith("Higher risk than the neighbours' median (19.3%")


def test_the_time_series_gives_line_915_adjusted_where_a_row_has_it_else_as_reported(db_path):
    """The codes are those of the 2023-24 RS workbook's row of codes (RS-resoth-adj-end-cy ...), written as the
    time series writes the others; years before the COVID relief grants have no adjusted figure."""
    header = [*TIME_SERIES_HEADER, "RS_resoth_start_cy", "RS_resoth_adj_start_cy", "RS_resoth_end_cy",
              "RS_resoth_adj_end_cy"]  # fmt: skip
    rows = [
        [202003, "E06000052", "E0801", "Cornwall", "submitted", "UA", "UA", 5, 420000, 20500, 19000, 812000,
         60000, "", 58000, ""],
        [202303, "E06000052", "E0801", "Cornwall", "submitted", "UA", "UA", 5, 450000, 19000, 18000, 850000,
         90000, 70000, 85000, 66000],
        # no figure reported, but an adjusted one in its place: not the council's, so none is held
        [202203, "E06000052", "E0801", "Cornwall", "submitted", "UA", "UA", 5, 440000, 19000, 19000, 840000,
         "", 71000, "", 67000],
    ]  # fmt: skip
    summary, _ = load_bytes(db_path, "Revenue_Outturn_time_series_data_v3.1.csv", csv_bytes(rows, header=header))
    assert any("adjusted figures (RS_resoth_adj_...) where a council reported one" in note for note in summary.notes)
    assert not any("no column for other earmarked reserves" in note for note in summary.notes)
    assert values(db_path, "E06000052", "2021/22")["reserves_share"][1] == NOT_AVAILABLE
    assert values(db_path, "E06000052", "2019/20")["reserves_share"][0] == pytest.approx((58_000 + 19_000) / 4200)
    assert values(db_path, "E06000052", "2022/23")["reserves_share"][0] == pytest.approx((66_000 + 18_000) / 4500)
    used = (
        "SELECT string_agg(column_name, ' ' ORDER BY fiscal_year) FROM returns "
        "WHERE line = 915 AND balance_at = '31 March'"
    )
    assert count(db_path, used) == "RS_resoth_end_cy RS_resoth_end_cy RS_resoth_adj_end_cy"  # as published


def test_a_time_series_with_line_915_as_reported_only_says_what_it_has():
    header = [*TIME_SERIES_HEADER, "RS_resoth_start_cy"]
    rows = [[202003, "E06000052", "E0801", "Cornwall", "submitted", "UA", "UA", 5, 420000, 20500, 19000, 812000, 60]]
    parsed = load.read("ts.csv", csv_bytes(rows, header=header), {}, None)
    assert not any("adjusted" in note for note in parsed.notes)
    assert any("no column for other earmarked reserves (line 915) at 31 March" in note for note in parsed.notes)
    held = parsed.frame[parsed.frame["line"] == 915]
    assert list(zip(held["balance_at"], held["value_gbp_k"], strict=True)) == [("1 April", 60.0)]
