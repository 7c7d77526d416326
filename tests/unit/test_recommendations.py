"""The action plan: 48 recommendations, their themes, and the source's faults kept visible."""

from __future__ import annotations

import csv
import datetime as dt

import duckdb
import pandas as pd
import pytest

from data import extract_recommendations as extract
from metrics.recommendations import recommendations_with_status, status_counts
from tests.support.source_text import normalise, normalised_source

THEME_SIZES = {
    "Key recommendations": 10,
    "Financial leadership": 6,
    "Financial planning, strategy and forecasting": 5,
    "Decision making and governance": 6,
    "Financial outcomes and reporting": 6,
    "Partnerships and innovation": 5,
    "DSG deficit and high needs block review": 10,
}


@pytest.fixture(scope="module")
def recs(built_db):
    with duckdb.connect(str(built_db), read_only=True) as conn:
        return recommendations_with_status(conn).set_index("rec_no", drop=False)


def test_there_are_48_in_seven_themes_of_the_documented_sizes(recs):
    assert list(recs["rec_no"]) == list(range(1, 49))
    assert recs["theme"].value_counts().to_dict() == THEME_SIZES
    # The themes follow the order of Appendix 1.
    assert list(dict.fromkeys(recs["theme"])) == list(THEME_SIZES)


def test_every_recommendation_has_a_latest_status(recs):
    assert recs["status"].notna().all()
    assert set(recs["status"]) <= {"not_started", "in_progress", "complete", "ongoing", "blocked"}


def test_appendices(recs):
    assert (recs.loc[1:38, "source_appendix"] == 2).all()
    assert (recs.loc[39:48, "source_appendix"] == 3).all()


def test_the_committed_csv_is_what_the_extractor_makes_from_the_source():
    text = extract.SOURCE_TEXT.read_text(encoding="utf-8")
    expected = [{k: str(v) for k, v in r.items()} for r in extract.extract(text)]
    with extract.RECOMMENDATIONS_CSV.open(encoding="utf-8") as handle:
        assert list(csv.DictReader(handle)) == expected


def found_in_pieces(text: str, source: str, max_pieces: int = 3) -> bool:
    """True if `text` is the source split in at most `max_pieces` runs (a cell broken by a page break)."""
    pieces = 0
    while text:
        pieces += 1
        if pieces > max_pieces:
            return False
        low, high = 0, len(text)
        while low < high:  # the longest prefix of `text` that occurs in the source
            mid = (low + high + 1) // 2
            if text[:mid] in source:
                low = mid
            else:
                high = mid - 1
        if low < 10 and low < len(text):
            return False
        text = text[low:]
    return True


def test_recommendation_and_response_text_is_the_source_text(recs):
    source = normalised_source(strip_markup=True)
    for row in recs.itertuples():
        assert found_in_pieces(normalise(row.recommendation), source), row.rec_no
        if isinstance(row.response, str):
            assert found_in_pieces(normalise(row.response), source), row.rec_no


def test_the_piece_check_rejects_text_not_in_the_source():
    source = normalised_source(strip_markup=True)
    assert not found_in_pieces(normalise("Deliver a balanced budget by selling County Hall."), source)


def test_month_timelines_fall_due_at_the_end_of_the_month(recs):
    assert recs.loc[1, "timeline_text"] == "October 2021"
    assert recs.loc[1, "due_date"] == dt.date(2021, 10, 31) or str(recs.loc[1, "due_date"])[:10] == "2021-10-31"
    assert str(recs.loc[24, "due_date"])[:10] == "2021-07-31"
    assert str(recs.loc[33, "due_date"])[:10] == "2021-11-30"


def test_autumn_is_due_at_the_end_of_november(recs):
    assert recs.loc[40, "timeline_kind"] == "season"
    assert recs.loc[40, "timeline_text"] == "Autumn 2021"
    assert str(recs.loc[40, "due_date"])[:10] == "2021-11-30"


def test_ongoing_and_complete_have_no_due_date(recs):
    assert recs.loc[6, "timeline_kind"] == "ongoing"
    assert recs.loc[23, "timeline_kind"] == "complete"
    assert recs.loc[recs["timeline_kind"].isin(["ongoing", "complete"]), "due_date"].isna().all()


def test_rec_46_timeline_holds_a_lead_and_is_marked_invalid(recs):
    row = recs.loc[46]
    assert row["timeline_kind"] == "invalid"
    assert row["timeline_text"] == "Children's Services, Children's Accountancy Team"
    assert row["timeline_text"] == row["lead"]
    assert pd.isna(row["due_date"]) or str(row["due_date"]) in ("NaT", "None")
    assert "not a timeline" in row["source_issues"]


@pytest.mark.parametrize("rec_no", [13, 36, 38])
def test_blank_cells_are_null_and_flagged(recs, rec_no):
    row = recs.loc[rec_no]
    assert row["timeline_kind"] == "missing"
    assert pd.isna(row["timeline_text"])
    assert pd.isna(row["lead"])
    assert "timeline cell blank in source" in row["source_issues"]
    assert "lead cell blank in source" in row["source_issues"]


def test_rec_38_has_no_response_and_is_not_started(recs):
    assert pd.isna(recs.loc[38, "response"])
    assert recs.loc[38, "status"] == "not_started"


def test_rec_15_response_is_blank_and_flagged(recs):
    row = recs.loc[15]
    assert pd.isna(row["response"])
    assert "response cell blank in source" in row["source_issues"]
    assert row["timeline_kind"] == "ongoing"


def test_rec_3_lead_split_across_a_page_break_is_joined_and_flagged(recs):
    row = recs.loc[3]
    assert row["lead"] == "Executive Director Corporate Development"
    assert "page break" in row["source_issues"]
    assert row["recommendation"].endswith("and the Financial Strategic Narrative.")


def test_cross_references_are_parsed(recs):
    assert list(recs.loc[13, "see_also"]) == [7]
    assert list(recs.loc[36, "see_also"]) == [35]
    assert list(recs.loc[43, "see_also"]) == [41]
    assert list(recs.loc[10, "see_also"]) == [6]
    assert list(recs.loc[1, "see_also"]) == []


def test_seeded_status_follows_the_timeline(recs):
    assert recs.loc[23, "status"] == "complete" and recs.loc[23, "percent_complete"] == 100
    assert recs.loc[6, "status"] == "ongoing"
    assert recs.loc[1, "status"] == "in_progress"
    assert (recs["updated_by"] == "source document").all()
    assert (recs["updated_at"].astype(str).str.startswith("2021-10-05")).all()


def test_status_counts_add_up_to_48(built_db):
    with duckdb.connect(str(built_db), read_only=True) as conn:
        counts = status_counts(conn)
    assert counts["recommendations"].sum() == 48
    assert counts.set_index("status").loc["complete", "recommendations"] == 2
