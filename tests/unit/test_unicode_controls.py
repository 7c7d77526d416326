"""Unicode's invisible controls cleaned like ASCII's, by the one cleaning function (data/text.py): the
text-direction controls that make "Complete \u202e%05 enod\u202c" read "Complete done 50%", and the
zero-width characters that hide text inside text."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pytest

from data.__main__ import main as cli
from data.access import Actor
from data.actions import record_update
from data.text import without_control_characters
from exports.committee import ReportMeta, html_document
from metrics import actions
from metrics.report import committee_report, report_summary
from metrics.safe_text import neutralise_formula
from tests.support.load_files import csv_bytes, table_checksums

REVERSED = "Complete \u202e%05 enod\u202c"  # shows as "Complete done 50%"
INVISIBLE = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200B, 0x200C, 0x200D, 0x200E,
                              0x200F, 0x2060, 0xFEFF, 0x061C, 0x180E, 0x85, 0x9B)]  # fmt: skip


@pytest.mark.parametrize("character", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_each_invisible_control_is_dropped_like_an_ascii_one(character):
    assert without_control_characters(f"50{character}% done\x07") == "50% done"
    assert neutralise_formula(f"{character}=1+1") == "'=1+1"  # nor can it hide a formula from the check


def test_ordinary_text_in_any_script_is_kept_and_separators_become_line_breaks():
    text = "Café £312m – ‘quoted’ “Ürün” عربى 😀 50%\tend\r\n"
    assert without_control_characters(text) == text
    assert without_control_characters("a\u2028b\u2029c") == "a\nb\nc"


def test_a_note_is_stored_without_direction_controls(db_path):
    with duckdb.connect(str(db_path)) as conn:
        update_id = record_update(
            conn,
            Actor("jane.doe@example.org", "editor"),
            5,
            status="in_progress",
            percent_complete=50,
            revised_due_date=None,
            note=REVERSED,
            evidence_url=None,
        )
        stored = conn.execute("SELECT note FROM action_updates WHERE update_id = $id", {"id": update_id}).fetchone()
    assert stored[0] == "Complete %05 enod"


def test_the_committee_report_drops_the_controls_of_a_note_stored_before_cleaning(db_path):
    with duckdb.connect(str(db_path)) as conn:
        conn.execute(
            "INSERT INTO action_updates (update_id, rec_no, status, percent_complete, note, updated_by, updated_at) "
            "VALUES (nextval('update_id_seq'), 5, 'in_progress', 50, $note, 'old', $at)",
            {"note": REVERSED, "at": datetime(2026, 1, 5, 9)},
        )
        report = committee_report(conn, as_at=date(2026, 1, 6), previous=actions.REPORT_DATE)
    meta = ReportMeta("Action plan progress", date(2026, 1, 6), actions.REPORT_DATE, actions.ACTION_PLAN_SOURCE,
                      actions.RAG_RULES, report_summary(report), "pytest", datetime(2026, 1, 6, 12))  # fmt: skip
    page = html_document(report, meta)
    assert "Complete %05 enod" in page and not any(character in page for character in INVISIBLE)


def test_a_file_with_a_direction_control_in_a_cell_is_refused_and_changes_nothing(db_path, tmp_path, capsys):
    header = ["measure", "label", "fiscal_year", "period", "value", "unit", "basis", "source_document",
              "source_section", "source_quote"]  # fmt: skip
    row = ["dsg_cumulative_deficit", "DSG deficit", "2021/22", "outturn", "51.2", "gbp_m", "reported",
           "Outturn report", "S4", "The deficit was \u202e2.15£\u202c"]  # fmt: skip
    before = table_checksums(db_path)
    file = tmp_path / "figures.csv"
    file.write_bytes(csv_bytes([row], header))
    assert cli(["load", str(file), "--db", str(db_path)]) == 1
    assert "row 2, column source_quote (J)" in capsys.readouterr().err
    assert table_checksums(db_path) == before
