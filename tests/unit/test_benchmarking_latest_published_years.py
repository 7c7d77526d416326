"""Dorset Council's own years from MHCLG's RS releases: 2021-22 and 2022-23 (XLSX copies) and 2023-24 (the ODS as
published), loaded through the command line with its nearest neighbours.

Every expected value is worked out here by hand from cells read off the files (row and column named at
each number). Where each file came from: tests/fixtures/README.md.
"""

from __future__ import annotations

import hashlib
import re

import pytest

from data.authorities import NEIGHBOURS_FILE
from data.db import connect
from metrics.benchmarking import NOT_FALLING, benchmark
from tests.support.published_returns import KEYS, PUBLISHED, held_lines, indicators_by_key, load_releases

FILES = {
    "2021/22": PUBLISHED / "rs2021_22.xlsx",  # sheet 'RS_LA_Data_2021-22': form cells (C1R749), no line numbers
    "2022/23": PUBLISHED / "rs2022_23.xlsx",  # sheet 'RS_LA_Data_2022-23'
    "2023/24": PUBLISHED / "RS_2023-24_data_by_LA.ods",  # sheet 'RS_LA_Data_2023-24', byte for byte
}
ODS_SHA256 = "c6f3fa9fb13f6f2a698523d62574a09cb5bdb4c3ad7c687c4754875d040d4f88"
DORSET, SHROPSHIRE = "E06000059", "E06000051"

# Cells read by hand, £ thousand; line 915 from MHCLG's adjusted column. 2021-22: Dorset row 111, Shropshire
# row 318; 805 in BT, 915 (adjusted, the unnumbered column after CS and DF) in CT and DG, 916 in DP and DQ.
# 2022-23: Dorset row 73, Shropshire 227; 805 in BU, 915b in CO and DC, 916 in DL and DM. 2023-24: Dorset row
# 108 ("Dorset UA"), Shropshire 306; the same columns as 2022-23.
CELLS = {
    DORSET: {
        "2021/22": (399537, 108480, 31515, 123359, 33194),
        "2022/23": (359834, 123359, 33194, 127963, 34733),
        "2023/24": (393105, 127963, 34753, 106310, 37686),
    },
    SHROPSHIRE: {
        "2021/22": (247160, 64812, 14091, 64636, 11522),
        "2022/23": (275639, 64636, 11522, 37769, 7093),
        "2023/24": (281524, 37769, 7093, 24847, 8237),
    },
}
WHERE = {
    (DORSET, "2021/22"): ("BT111", "CT111", "DP111", "DG111", "DQ111"),
    (DORSET, "2022/23"): ("BU73", "CO73", "DL73", "DC73", "DM73"),
    (DORSET, "2023/24"): ("BU108", "CO108", "DL108", "DC108", "DM108"),
    (SHROPSHIRE, "2021/22"): ("BT318", "CT318", "DP318", "DG318", "DQ318"),
    (SHROPSHIRE, "2022/23"): ("BU227", "CO227", "DL227", "DC227", "DM227"),
    (SHROPSHIRE, "2023/24"): ("BU306", "CO306", "DL306", "DC306", "DM306"),
}


@pytest.fixture(scope="module")
def loaded(built_db, tmp_path_factory):
    """The three releases loaded once each through the command line, oldest first, and Oflog's neighbours list."""
    return load_releases(built_db, tmp_path_factory.mktemp("latest_years"), FILES, NEIGHBOURS_FILE)


@pytest.fixture(scope="module")
def indicators(loaded):
    return indicators_by_key(loaded[0], [DORSET, SHROPSHIRE])


def test_the_ods_fixture_is_the_published_file_byte_for_byte():
    assert hashlib.sha256(FILES["2023/24"].read_bytes()).hexdigest() == ODS_SHA256


def test_each_year_lands_from_its_own_sheet_and_the_second_table_is_not_read(loaded):
    db, said = loaded
    with connect(db, read_only=True) as conn:
        counts = dict(conn.execute("SELECT fiscal_year, count(DISTINCT ons_code) FROM returns GROUP BY 1").fetchall())
        sheets = dict(conn.execute("SELECT DISTINCT fiscal_year, sheet FROM returns").fetchall())
        # The Greater London Authority is listed again under the sheet's second table (totals by class).
        london = conn.execute(
            "SELECT fiscal_year, list(DISTINCT cell[3:]) FROM returns WHERE ons_code = 'E12000007' GROUP BY 1"
        ).fetchall()
    assert counts == {"2021/22": 425, "2022/23": 425, "2023/24": 410}
    assert sheets == {"2021/22": "RS_LA_Data_2021-22", "2022/23": "RS_LA_Data_2022-23", "2023/24": "RS_LA_Data_2023-24"}
    assert dict(london) == {"2021/22": ["155"], "2022/23": ["347"], "2023/24": ["151"]}
    # Lee Valley Regional Park Authority has no ONS code: from 2020-21 its E-code stands in that column.
    for year, row in (("2021/22", 210), ("2022/23", 402), ("2023/24", 204)):
        assert f"row {row}, Lee Valley Regional Park Authority (no ONS code)" in said[year]
    # The second table is not read, and the preview says so.
    for year in FILES:
        assert re.search(r"rows \d+-\d+, the sheet's second table \(totals by class\)", said[year]), said[year]


@pytest.mark.parametrize("code", [DORSET, SHROPSHIRE])
@pytest.mark.parametrize("year", list(FILES))
def test_the_lines_held_are_the_cells_read_by_hand(loaded, code, year):
    held = held_lines(loaded[0], code, year)
    for key, value, cell in zip(KEYS, CELLS[code][year], WHERE[code, year], strict=True):
        assert held[key] == (value, cell), key


def test_line_915_is_mhclgs_adjusted_figure_where_the_council_reported_one(loaded):
    db, said = loaded
    with connect(db, read_only=True) as conn:
        held = conn.execute(
            "SELECT column_name LIKE '%(adjusted)', count(value_gbp_k), count(*) FROM returns WHERE line = 915 "
            "GROUP BY ALL ORDER BY 1"
        ).fetchall()
        thurrock = conn.execute(
            "SELECT balance_at, value_gbp_k, cell FROM returns "
            "WHERE line = 915 AND ons_code = 'E06000034' AND fiscal_year = '2021/22' ORDER BY 1"
        ).fetchall()
    # every figure held is the adjusted one; the rows read as reported are councils with no return ("…")
    assert held == [(False, 0, 38), (True, 2482, 2482)]
    # Thurrock made no 2021-22 return ("…" in every reserves cell) but its adjusted 31 March cell, DG381,
    # holds 24,564: not a figure the council reported, so none is held
    assert thurrock == [("1 April", None, "CS381"), ("31 March", None, "DF381")]
    for year in FILES:
        assert "read from MHCLG's adjusted column (915b)" in said[year]


def test_dorset_councils_2023_24_indicators_worked_out_by_hand(indicators):
    # 31 March 2024: 106,310 + 37,686 = 143,996; NRE 393,105: 36.6% and 37,686 ÷ 393,105 = 9.6%.
    # 1 April 2021 (the 2021-22 return, CT111 + DP111): 108,480 + 31,515 = 139,995.
    # Change: (143,996 − 139,995) ÷ 139,995 = +2.9%: risen, so the sustainability is "not falling".
    got = {key: indicators[DORSET, "2023/24", key] for key in
           ("reserves_share", "unallocated_share", "change_3y", "sustainability")}  # fmt: skip
    assert got["reserves_share"].value == pytest.approx(100 * 143996 / 393105)
    assert got["unallocated_share"].value == pytest.approx(100 * 37686 / 393105)
    assert got["change_3y"].value == pytest.approx(100 * (143996 - 139995) / 139995)
    assert got["sustainability"].status == NOT_FALLING
    assert [round(got[key].value, 1) for key in ("reserves_share", "unallocated_share", "change_3y")] == [
        36.6,
        9.6,
        2.9,
    ]


def test_shropshires_2023_24_indicators_worked_out_by_hand(indicators):
    # 31 March 2024: 24,847 + 8,237 = 33,084; NRE 281,524: 11.8% and 8,237 ÷ 281,524 = 2.9%.
    # 1 April 2021 (CT318 + DP318): 64,812 + 14,091 = 78,903. Change: (33,084 − 78,903) ÷ 78,903 = −58.1%.
    # Average fall 45,819 ÷ 3 = 15,273 a year; 33,084 ÷ 15,273 = 2.2 years.
    got = {key: indicators[SHROPSHIRE, "2023/24", key].value for key in
           ("reserves_share", "unallocated_share", "change_3y", "sustainability")}  # fmt: skip
    assert got["change_3y"] == pytest.approx(100 * (33084 - 78903) / 78903)
    assert got["sustainability"] == pytest.approx(33084 / (45819 / 3))
    assert {key: round(value, 1) for key, value in got.items()} == {
        "reserves_share": 11.8,
        "unallocated_share": 2.9,
        "change_3y": -58.1,
        "sustainability": 2.2,
    }


def test_the_page_names_dorset_council_and_finds_every_neighbour_in_2023_24(loaded):
    db, _ = loaded
    with connect(db, read_only=True) as conn:
        result = benchmark(conn, DORSET, "2023/24")
    assert result.authority_name == "Dorset Council"  # the return calls it "Dorset UA"
    assert result.missing.empty
    assert result.levels["reserves_share"] and "36.6%" in result.words["reserves_share"]


@pytest.fixture(scope="module")
def trend_with_a_gap(built_db, tmp_path_factory):
    """The reserves trend for Dorset Council with 2017-18 (its predecessors' year) and 2023-24 held."""
    from charts.benchmarking import trend_chart

    files = {"2017/18": PUBLISHED / "RS_2017-18_data_by_LA.xlsx", "2023/24": FILES["2023/24"]}
    db, _ = load_releases(built_db, tmp_path_factory.mktemp("gap"), files, NEIGHBOURS_FILE)
    with connect(db, read_only=True) as conn:
        return trend_chart(benchmark(conn, DORSET, "2023/24"), "reserves_share")


def test_years_with_no_returns_held_are_a_gap_on_the_trend_not_a_short_step(trend_with_a_gap):
    """With 2017-18 and 2023-24 held, the trend's axis had the two side by side and a line straight between
    them; every year between is on the axis, the lines break there, and the chart says none is held."""
    chart = trend_with_a_gap
    between = ["2018/19", "2019/20", "2020/21", "2021/22", "2022/23"]
    assert list(chart.figure.layout.xaxis.categoryarray) == ["2017/18", *between, "2023/24"]
    median = next(trace for trace in chart.figure.data if trace.name == "Neighbours' median")
    assert median.connectgaps is False
    assert [value is None for value in median.y] == [False, *[True] * 5, False]
    footer = next(note.text for note in chart.figure.layout.annotations if note.name == "source")
    assert f"No returns are held for {', '.join(between)}." in footer.replace("<br>", " ")


def test_on_a_phone_the_trends_long_legend_names_break_onto_lines_that_fit(trend_with_a_gap):
    """'Weymouth and Portland Borough Council (E07000053), predecessor's figures' ran off a phone's figure."""
    from charts import style

    chart = trend_with_a_gap
    fits = (style.NARROW_COLUMN_PX - style.LEGEND_SYMBOL_PX) / (style.BAR_TEXT_EM * style.NARROW_LEGEND_PX)
    narrow = style.narrow_figure(chart)
    names = [trace.name for trace in narrow.data]
    assert any("<br>" in name for name in names)
    # one entry a row on a phone, each as tall as its lines: the room above the plot counts every line
    assert style.legend_rows(narrow, style.NARROW.legend_width) == sum(name.count("<br>") + 1 for name in names)
    assert all(len(line) <= fits for name in names for line in name.split("<br>"))
    assert [trace.name for trace in chart.figure.data] == [name.replace("<br>", " ") for name in names]


def _edited_2022_23(tmp_path, edits: dict[str, object]):
    """The 2022-23 copy with some cells changed (row 12 is its row of line numbers, 13 its column names)."""
    import openpyxl

    book = openpyxl.load_workbook(FILES["2022/23"])
    sheet = book["RS_LA_Data_2022-23"]
    for where, value in edits.items():
        sheet[where] = value
    path = tmp_path / "RS_2022-23_data_by_LA.xlsx"
    book.save(path)
    return path


def test_a_blank_adjusted_figure_falls_back_to_the_reported_one_and_only_line_915_has_one(tmp_path):
    """Dorset Council's adjusted 1 April cell (CO73) blanked: its reported figure (CN73) is held, from CN73.
    A column numbered 805b named as net revenue expenditure is not read in place of line 805 (BU)."""
    from data import load

    path = _edited_2022_23(tmp_path, {"CO73": None, "BV12": "805b", "BV13": "NET REVENUE EXPENDITURE (memo)"})
    parsed = load.read(path.name, path.read_bytes(), {}, "returns")
    rows = parsed.frame[parsed.frame["ons_code"] == DORSET].set_index(["line", "balance_at"], drop=False)
    assert (rows.loc[(915, "1 April"), "value_gbp_k"], rows.loc[(915, "1 April"), "cell"]) == (138018, "CN73")
    assert rows.loc[(915, "31 March"), "cell"] == "DC73"  # still the adjusted figure where one is given
    assert rows.loc[(805, None), "cell"] == "BU73"


def test_line_915_twice_beside_its_adjusted_column_is_refused_naming_both(tmp_path):
    from data import load

    path = _edited_2022_23(
        tmp_path, {"BV12": 915, "BV13": "Estimated other earmarked financial reserves level at 31 March (unadjusted)"}
    )
    with pytest.raises(load.LoadRejected) as refused:
        load.read(path.name, path.read_bytes(), {}, "returns")
    assert "line 915 at 31 March appears twice (also column BV)" in str(refused.value)


def test_a_published_workbook_saved_under_another_name_is_read_as_a_return():
    """rs2022_23.xlsx, left to "work it out", was refused as a workbook of four sheets, with the advice to delete
    three of them: its file name is not MHCLG's, but its data sheet's name ('RS_LA_Data_2022-23') is."""
    from data import load

    content = FILES["2022/23"].read_bytes()
    for name in ("rs2022_23.xlsx", "download (3).xlsx"):
        assert load.read(name, content, {}).kind == "returns"
