"""Three consecutive years of MHCLG's published RS workbooks (2015-16, 2016-17, 2017-18), loaded as published.

Every expected value is worked out here by hand from cells read off the files (row and column named at
each number). Where each file came from: tests/fixtures/README.md.
"""

from __future__ import annotations

import math

import pytest

from data.db import connect
from metrics.benchmarking import NOT_AVAILABLE, benchmark
from tests.support.published_returns import KEYS, PUBLISHED, held_lines, indicators_by_key, load_releases

FILES = {
    "2015/16": PUBLISHED / "RS_2015-16_data_by_LA_-_Revision.xlsx",  # sheet 'RS LA Data 2015-16'
    "2016/17": PUBLISHED / "RS_2016-17_data_by_LA.xlsx",  # sheet 'RS LA Data 2016-17'
    "2017/18": PUBLISHED / "RS_2017-18_data_by_LA.xlsx",  # sheet 'RS LA Data 2017-18'
}
DORSET_COUNTY, BOURNEMOUTH = "E10000009", "E06000028"

# Cells read by hand, £ thousand. 2015-16: Bournemouth row 72, Dorset row 73; 805 in BF, 915/916 at 1 April in
# BS/BT, at 31 March in BW/BX. 2016-17: same rows; 805 in BG, 1 April BT/BU, 31 March BX/BY. 2017-18: Bournemouth
# row 65, Dorset row 88; 805 in BG, 1 April BU/BV, 31 March BY/BZ. Columns move between the years; rows too.
CELLS = {
    DORSET_COUNTY: {
        "2015/16": {"805": 278346.84655, "915 1 April": 62392, "916 1 April": 18490,
                    "915 31 March": 53477.57016, "916 31 March": 17335.50825},
        "2016/17": {"805": 275518.626, "915 1 April": 53477.57016, "916 1 April": 17335.50825,
                    "915 31 March": 54222.57016, "916 31 March": 14977.50825},
        "2017/18": {"805": 289393, "915 1 April": 54222.57016, "916 1 April": 14977.50825,
                    "915 31 March": 40199.57016, "916 31 March": 12374.50825},
    },
    BOURNEMOUTH: {
        "2015/16": {"805": 142070.71253, "915 1 April": 38021, "916 1 April": 10434,
                    "915 31 March": 25980, "916 31 March": 9847},
        "2016/17": {"805": 141897.00002, "915 1 April": 25982, "916 1 April": 9847,
                    "915 31 March": 24335, "916 31 March": 8245},
        # Its 1 April 2017 earmarked balance (24,373) is not its 31 March 2017 one (24,335): restated.
        "2017/18": {"805": 132052.435497, "915 1 April": 24373, "916 1 April": 8245,
                    "915 31 March": 22909, "916 31 March": 8357},
    },
}  # fmt: skip
WHERE = {
    (DORSET_COUNTY, "2015/16"): ("BF73", "BS73", "BT73", "BW73", "BX73"),
    (DORSET_COUNTY, "2016/17"): ("BG73", "BT73", "BU73", "BX73", "BY73"),
    (DORSET_COUNTY, "2017/18"): ("BG88", "BU88", "BV88", "BY88", "BZ88"),
    (BOURNEMOUTH, "2015/16"): ("BF72", "BS72", "BT72", "BW72", "BX72"),
    (BOURNEMOUTH, "2016/17"): ("BG72", "BT72", "BU72", "BX72", "BY72"),
    (BOURNEMOUTH, "2017/18"): ("BG65", "BU65", "BV65", "BY65", "BZ65"),
}


@pytest.fixture(scope="module")
def loaded(built_db, tmp_path_factory):
    """The three workbooks loaded once each through the command line, oldest first; the tests only read."""
    # Neighbours for one view of the page (not a published list): North Yorkshire under its 2016-17 code.
    neighbours = f"authority_code,neighbour_code\n{DORSET_COUNTY},E10000023\n{DORSET_COUNTY},{BOURNEMOUTH}\n"
    return load_releases(built_db, tmp_path_factory.mktemp("three_years"), FILES, neighbours)


@pytest.fixture(scope="module")
def indicators(loaded):
    return indicators_by_key(loaded[0], [DORSET_COUNTY, BOURNEMOUTH])


def test_each_year_lands_from_its_own_sheet_with_the_bodies_it_cannot_use_named(loaded):
    db, said = loaded
    with connect(db, read_only=True) as conn:
        counts = dict(conn.execute("SELECT fiscal_year, count(DISTINCT ons_code) FROM returns GROUP BY 1").fetchall())
        sheets = dict(conn.execute("SELECT DISTINCT fiscal_year, sheet FROM returns").fetchall())
    assert counts == {"2015/16": 443, "2016/17": 445, "2017/18": 444}
    assert sheets == {"2015/16": "RS LA Data 2015-16", "2016/17": "RS LA Data 2016-17", "2017/18": "RS LA Data 2017-18"}
    # 2016-17 marks two rows "Grossed" (MHCLG's estimates); every year lists Lee Valley with no ONS code.
    assert "row 291, Isles of Scilly (marked 'Grossed'" in said["2016/17"]
    assert "row 423, Dorset Police and Crime Commissioner and Chief Constable (marked 'Grossed'" in said["2016/17"]
    assert "row 414, Lee Valley Regional Park Authority (no ONS code)" in said["2015/16"]


@pytest.mark.parametrize("code", [DORSET_COUNTY, BOURNEMOUTH])
@pytest.mark.parametrize("year", list(FILES))
def test_the_lines_held_are_the_cells_read_by_hand(loaded, code, year):
    held = held_lines(loaded[0], code, year)
    for key, cell in zip(KEYS, WHERE[code, year], strict=True):
        assert held[key] == (pytest.approx(CELLS[code][year][key]), cell), key


def _balance(code: str, year: str, at: str) -> float:
    return CELLS[code][year][f"915 {at}"] + CELLS[code][year][f"916 {at}"]


@pytest.mark.parametrize("code", [DORSET_COUNTY, BOURNEMOUTH])
@pytest.mark.parametrize("year", list(FILES))
def test_the_shares_of_net_revenue_expenditure_are_worked_out_by_hand(indicators, code, year):
    nre = CELLS[code][year]["805"]
    reserves = indicators[code, year, "reserves_share"]
    unallocated = indicators[code, year, "unallocated_share"]
    assert reserves.value == pytest.approx(100 * _balance(code, year, "31 March") / nre)
    assert unallocated.value == pytest.approx(100 * CELLS[code][year]["916 31 March"] / nre)


def test_dorset_county_councils_2017_18_indicators_in_round_figures(indicators):
    # 31 March 2018: 40,199.57 + 12,374.51 = 52,574.08; NRE 289,393.
    # 1 April 2015 (the 2015-16 return, BS73 + BT73): 62,392 + 18,490 = 80,882.
    # Change: (52,574.08 − 80,882) ÷ 80,882 = −35.0%. Average fall 28,307.92 ÷ 3 = 9,435.97 a year;
    # 52,574.08 ÷ 9,435.97 = 5.6 years.
    got = {key: round(indicators[DORSET_COUNTY, "2017/18", key].value, 1) for key in
           ("reserves_share", "unallocated_share", "change_3y", "sustainability")}  # fmt: skip
    assert got == {"reserves_share": 18.2, "unallocated_share": 4.3, "change_3y": -35.0, "sustainability": 5.6}


def test_bournemouths_2017_18_indicators_in_round_figures(indicators):
    # 31 March 2018: 22,909 + 8,357 = 31,266; NRE 132,052.44.
    # 1 April 2015 (the 2015-16 return, BS72 + BT72): 38,021 + 10,434 = 48,455.
    # Change: (31,266 − 48,455) ÷ 48,455 = −35.5%. Average fall 17,189 ÷ 3 = 5,729.67; 31,266 ÷ 5,729.67 = 5.5 years.
    got = {key: round(indicators[BOURNEMOUTH, "2017/18", key].value, 1) for key in
           ("reserves_share", "unallocated_share", "change_3y", "sustainability")}  # fmt: skip
    assert got == {"reserves_share": 23.7, "unallocated_share": 6.3, "change_3y": -35.5, "sustainability": 5.5}


@pytest.mark.parametrize("code", [DORSET_COUNTY, BOURNEMOUTH])
def test_the_three_year_change_and_sustainability_use_the_first_years_own_1_april_balance(indicators, code):
    start = _balance(code, "2015/16", "1 April")  # from the 2015-16 return, not the 2014-15 one's 31 March
    end = _balance(code, "2017/18", "31 March")
    change = indicators[code, "2017/18", "change_3y"]
    sustainability = indicators[code, "2017/18", "sustainability"]
    assert change.value == pytest.approx(100 * (end - start) / start)
    assert sustainability.value == pytest.approx(end / ((start - end) / 3))
    assert "1 April balance from the 2015/16 return" in change.derivation
    assert "RS LA Data 2015-16!" in change.derivation and "RS LA Data 2017-18!" in change.derivation


@pytest.mark.parametrize("year", ["2015/16", "2016/17"])
def test_without_the_return_of_two_years_earlier_the_change_is_not_given_and_says_why(indicators, year):
    for key in ("change_3y", "sustainability"):
        row = indicators[DORSET_COUNTY, year, key]
        assert math.isnan(row.value) and row.status == NOT_AVAILABLE
        assert "return, which is not held" in row.reason


def test_an_authority_whose_ons_code_changes_between_releases_is_named_in_the_preview(loaded):
    # North Yorkshire (E-code E2721) is E10000022 in the 2015-16 and 2017-18 workbooks, E10000023 in 2016-17's.
    _, said = loaded
    assert "North Yorkshire has the ONS code E10000023 in this file but E10000022 in the return held for 2015/16" in (
        " ".join(said["2016/17"].split())
    )
    assert "North Yorkshire has the ONS code E10000022 in this file but E10000023 in the return held for 2016/17" in (
        " ".join(said["2017/18"].split())
    )
    assert "ONS code" not in said["2015/16"].replace("(no ONS code)", "")


def test_a_neighbour_listed_under_another_ons_code_that_year_is_missing_with_that_reason(loaded):
    db, _ = loaded
    with connect(db, read_only=True) as conn:
        result = benchmark(conn, DORSET_COUNTY, "2017/18")
    why = dict(zip(result.missing["ons_code"], result.missing["why"], strict=True))
    assert why == {
        "E10000023": "the 2017/18 return lists North Yorkshire under another ONS code (E10000022); returns are "
        "joined by ONS code, so it is not counted as this authority's"
    }
