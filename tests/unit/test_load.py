"""The loader: good files land exactly; bad files are refused with row and column and change nothing."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from decimal import Decimal

import pytest

from data import load
from data.__main__ import main as cli
from data.access import Actor, PermissionDenied
from data.db import connect
from metrics.figures import figures
from tests.support.load_files import MONITORING_HEADER, csv_bytes, table_checksums, xlsx_bytes

ADMIN = Actor("finance.bp@dorsetcouncil.example", "admin")
GOOD_ROWS = [
    ["2021/22", "P1", "Place", "Highways", "PL-1", "1000", "1100.50", "1050"],
    ["2021/22", "P1", "adults and housing", "Housing", "AH-1", "£2,000.00", "(1,900.25)", "£1,950"],
    ["2021/22", "2", "Children’s Services", "Care & Protection", "CS-1", "3000", "-£3,100.10", "3050.5"],
]


def lines(db, where: str = "basis = 'reported'") -> list[tuple]:
    with connect(db, read_only=True) as conn:
        return conn.execute(
            "SELECT fiscal_year, period, directorate, service, cost_centre, annual_budget_gbp, actual_ytd_gbp, "
            f"forecast_outturn_gbp, load_id FROM monitoring WHERE {where} ORDER BY cost_centre, period"
        ).fetchall()


def count(db, sql: str, params: dict | None = None) -> int:
    with connect(db, read_only=True) as conn:
        return conn.execute(sql, params).fetchall()[0][0]


def load_bytes(db, name: str, content: bytes, kind: str | None = None, actor: Actor = ADMIN):
    with connect(db, read_only=True) as conn:
        parsed = load.read(name, content, load.directorate_aliases(conn), kind)
        summary = load.preview(conn, parsed)
    with connect(db) as conn:
        return summary, load.apply(conn, parsed, actor)


# --- good files ------------------------------------------------------------------------------------


def test_csv_with_pound_signs_brackets_periods_and_aliases_lands_exactly(store):
    summary, result = load_bytes(store, "p2.csv", csv_bytes(GOOD_ROWS))
    assert result.rows == 3 and result.kind == "monitoring"
    assert summary.changes["lines_added"].sum() == 3
    got = lines(store)
    assert [(r[1], r[2], r[4], r[5], r[6], r[7]) for r in got] == [
        (1, "Adults & Housing", "AH-1", Decimal("2000.00"), Decimal("-1900.25"), Decimal("1950.00")),
        (2, "Children's Services", "CS-1", Decimal("3000.00"), Decimal("-3100.10"), Decimal("3050.50")),
        (1, "Place", "PL-1", Decimal("1000.00"), Decimal("1100.50"), Decimal("1050.00")),
    ]
    assert {r[8] for r in got} == {result.load_id}
    with connect(store, read_only=True) as conn:
        row = conn.execute(
            "SELECT kind, file_name, sha256, row_count, loaded_by FROM loads WHERE load_id = $id",
            {"id": result.load_id},
        ).fetchall()[0]
    assert row[:2] == ("monitoring", "p2.csv") and row[3] == 3 and row[4] == ADMIN.identity
    assert len(row[2]) == 64
    # Sample lines are for 2020/21 only, so none were replaced.
    assert count(store, "SELECT count(*) FROM monitoring WHERE basis = 'sample'") == 12_000


def test_xlsx_with_numeric_cells_lands_the_same_lines(store):
    rows = [
        ["2021/22", 1, "Place", "Highways", "PL-1", 1000, 1100.5, 1050],
        ["2021/22", "P3", "Place", "ICT", 4001, 0.1, 0.2, 0.3],
    ]
    _, result = load_bytes(store, "p3.xlsx", xlsx_bytes(rows))
    got = lines(store)
    assert [(r[1], r[4], r[5], r[6], r[7]) for r in got] == [
        (3, "4001", Decimal("0.10"), Decimal("0.20"), Decimal("0.30")),
        (1, "PL-1", Decimal("1000.00"), Decimal("1100.50"), Decimal("1050.00")),
    ]
    assert result.rows == 2


def test_a_load_replaces_its_directorate_months_and_undo_puts_them_back(store):
    _, first = load_bytes(store, "a.csv", csv_bytes(GOOD_ROWS))
    second_rows = [
        ["2021/22", "P1", "Place", "Highways", "PL-1", "10", "11", "12"],  # replaces PL-1
        ["2021/22", "P1", "Place", "Waste", "PL-2", "20", "21", "22"],  # new in the same slice
    ]
    summary, second = load_bytes(store, "b.csv", csv_bytes(second_rows))
    place = summary.changes.set_index("directorate").loc["Place"]
    assert (place["lines_in_file"], place["lines_added"], place["lines_replaced"]) == (2, 1, 1)
    assert second.lines_replaced == 1
    assert {(r[4], r[8]) for r in lines(store)} == {
        ("PL-1", second.load_id),
        ("PL-2", second.load_id),
        ("AH-1", first.load_id),
        ("CS-1", first.load_id),
    }
    with connect(store) as conn, pytest.raises(ValueError, match="undo the later load first"):
        load.undo(conn, first.load_id, ADMIN)
    with connect(store) as conn:
        undone = load.undo(conn, second.load_id, ADMIN)
    assert (undone.rows_removed, undone.lines_restored) == (2, 1)
    assert {(r[4], r[8]) for r in lines(store)} == {(r[4], first.load_id) for r in GOOD_ROWS}
    with connect(store) as conn:
        load.undo(conn, first.load_id, ADMIN)
    assert lines(store) == []
    assert (
        count(
            store,
            "SELECT count(*) FROM loads WHERE undone_at IS NOT NULL AND undone_by = 'finance.bp@dorsetcouncil.example'",
        )
        == 2
    )


def test_real_lines_replace_the_sample_for_their_year_say_so_and_undo_restores_it(store):
    before = table_checksums(store)
    rows = [["2020/21", "P1", "Place", "Highways", "PL-1", "1", "2", "3"]]
    summary, result = load_bytes(store, "real-2020.csv", csv_bytes(rows))
    assert summary.sample_lines_replaced == 12_000
    assert summary.sample_lines_by_year == {"2020/21": 12_000}
    assert any("replace the 12,000 sample lines for 2020/21" in message for message in summary.sample_messages())
    assert result.sample_lines_replaced == 12_000
    assert count(store, "SELECT count(*) FROM monitoring WHERE basis = 'sample'") == 0
    with connect(store) as conn:
        load.undo(conn, result.load_id, ADMIN)
    after = table_checksums(store)
    assert after["monitoring"] == before["monitoring"]
    assert after["monitoring_replaced"] == before["monitoring_replaced"]


def test_loading_the_same_file_twice_is_detected_until_undone(store):
    content = csv_bytes(GOOD_ROWS)
    _, first = load_bytes(store, "same.csv", content)
    before = table_checksums(store)
    with connect(store, read_only=True) as conn:
        parsed = load.read("renamed.csv", content, load.directorate_aliases(conn))
        assert load.preview(conn, parsed).duplicate_of == first.load_id
    with connect(store) as conn, pytest.raises(load.LoadRejected, match=f"already loaded as load {first.load_id}"):
        load.apply(conn, parsed, ADMIN)
    assert table_checksums(store) == before
    with connect(store) as conn:
        load.undo(conn, first.load_id, ADMIN)
    _, again = load_bytes(store, "same.csv", content)
    assert again.load_id > first.load_id


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_only_an_admin_may_load_or_undo(store, role):
    before = table_checksums(store)
    with pytest.raises(PermissionDenied):
        load_bytes(store, "x.csv", csv_bytes(GOOD_ROWS), actor=Actor("someone@x.example", role))
    assert table_checksums(store) == before
    _, result = load_bytes(store, "x.csv", csv_bytes(GOOD_ROWS))
    with connect(store) as conn, pytest.raises(PermissionDenied):
        load.undo(conn, result.load_id, Actor("someone@x.example", role))


def test_a_later_dsg_deficit_loads_beside_the_2021_figures(store):
    header = ["measure", "label", "fiscal_year", "period", "value", "unit", "basis", "as_at_date",
              "source_document", "source_section", "source_quote"]  # fmt: skip
    rows = [["dsg_cumulative_deficit", "DSG cumulative deficit", "2021/22", "outturn", "51.2", "gbp_m", "reported",
             "2022-03-31", "A later outturn report (test file)", "Section 4", "The DSG deficit stood at £51.2m"],
            ["dsg_cumulative_deficit", "DSG cumulative deficit", "2021/22", "forecast", "58", "gbp_m", "reported",
             "", "A later monitoring report (test file)", "Section 2", "forecast to reach £58m"]]  # fmt: skip
    summary, result = load_bytes(store, "outturn.csv", csv_bytes(rows, header))
    assert summary.kind == "figures" and result.kind == "figures"
    with connect(store, read_only=True) as conn:
        dsg = figures(conn, ["dsg_cumulative_deficit"])
    loaded = dsg[(dsg["load_id"] == result.load_id) & (dsg["period"] == "outturn")]
    assert len(loaded) == 1 and (dsg["load_id"] == result.load_id).sum() == 2
    assert loaded.iloc[0]["value"] == 51.2 and loaded.iloc[0]["source_quote"] == "The DSG deficit stood at £51.2m"
    assert loaded.iloc[0]["figure_id"].startswith("L")
    # The 2021 figures are still there: the 2021/22 forecast and the 2025/26 projections.
    assert {"forecast", "projection"} <= set(dsg.loc[dsg["load_id"].isna(), "period"])
    # The preview showed the figure already held for the same measure, year and period.
    held = summary.changes.set_index("period")["figures_already_held"]
    assert held.isna()["outturn"] and "54.9 (derived, 2021 report)" in held["forecast"]
    with connect(store) as conn:
        load.undo(conn, result.load_id, ADMIN)
    with connect(store, read_only=True) as conn:
        assert result.load_id not in set(figures(conn, ["dsg_cumulative_deficit"])["load_id"].dropna())


def test_the_templates_parse(db_path):
    from pathlib import Path

    templates = Path(load.__file__).parent.parent / "templates"
    with connect(db_path, read_only=True) as conn:
        names = load.directorate_aliases(conn)
    parsed = load.read("t.csv", (templates / "monitoring_template.csv").read_bytes(), names)
    assert len(parsed.frame) == 3 and parsed.kind == "monitoring"
    savings = load.read("s.csv", (templates / "savings_template.csv").read_bytes(), names)
    assert len(savings.frame) == 3 and savings.kind == "savings"
    # The figures template has a blank value on purpose: it must be filled in before it loads.
    with pytest.raises(load.LoadRejected, match="row 2, column value"):
        load.read("f.csv", (templates / "figures_template.csv").read_bytes(), names)


def test_cli_load_and_undo(store, tmp_path, capsys):
    file = tmp_path / "p1.csv"
    file.write_bytes(csv_bytes(GOOD_ROWS))
    assert cli(["load", str(file), "--kind", "monitoring", "--as", "ledger-p1.csv"]) == 0
    out = capsys.readouterr().out
    assert "loaded 3 rows of monitoring from ledger-p1.csv" in out
    load_id = count(store, "SELECT max(load_id) FROM loads")
    this_load = "SELECT count(*) FROM loads WHERE file_name = 'ledger-p1.csv' AND load_id = $id"
    assert count(store, this_load, {"id": load_id}) == 1
    assert cli(["load", str(file)]) == 1
    assert f"already loaded as load {load_id}" in capsys.readouterr().err
    assert cli(["undo", str(load_id)]) == 0
    assert lines(store) == []
    assert cli(["undo", str(load_id)]) == 1
    assert "already undone" in capsys.readouterr().err


# --- the bad-file corpus ---------------------------------------------------------------------------


def _rows_with(row: int, column: str, value: object) -> list[list[object]]:
    rows = [list(r) for r in GOOD_ROWS]
    rows[row - 2][MONITORING_HEADER.index(column)] = value
    return rows


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (120 * 1024 * 1024))
    return buffer.getvalue()


def _many_parts() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index in range(3000):
            archive.writestr(f"xl/worksheets/sheet{index + 1}.xml", "<worksheet/>")
    return buffer.getvalue()


def _xlsx_with_cell(row: int, column: str, value: object) -> bytes:
    return xlsx_bytes(_rows_with(row, column, value))


FIGURE_HEADER = ["measure", "label", "fiscal_year", "period", "value", "unit", "basis", "derivation",
                 "source_document", "source_section", "source_quote"]  # fmt: skip
FIGURE_ROW = ["dsg_cumulative_deficit", "DSG deficit", "2021/22", "outturn", "51.2", "gbp_m", "reported", "",
              "Later report", "S4", "The deficit was £51.2m"]  # fmt: skip


def _figure(column: str, value: object) -> bytes:
    row = list(FIGURE_ROW)
    row[FIGURE_HEADER.index(column)] = value
    return csv_bytes([row], FIGURE_HEADER)


LATIN_1 = csv_bytes(_rows_with(3, "annual_budget_gbp", "£5")).replace("£".encode(), b"\xa3")
HYPERLINK = '=HYPERLINK("http://x","y")'

# (case id, file name, content, expected row or None for the whole file, text the column must contain)
BUDGET, ACTUAL, FORECAST = "annual_budget_gbp", "actual_ytd_gbp", "forecast_outturn_gbp"
BAD_FILES = [
    ("missing column", "a.csv", csv_bytes([r[:7] for r in GOOD_ROWS], MONITORING_HEADER[:7]), 1, FORECAST),
    ("unexpected column", "a.csv", csv_bytes([[*r, "x"] for r in GOOD_ROWS], [*MONITORING_HEADER, "notes"]), 1, "I"),
    ("duplicate column", "a.csv", csv_bytes(GOOD_ROWS, [*MONITORING_HEADER[:7], BUDGET]), 1, "H"),
    ("empty header cell", "a.csv", csv_bytes(GOOD_ROWS, [*MONITORING_HEADER[:3], "", *MONITORING_HEADER[4:]]), 1, "D"),
    ("text in budget", "a.csv", csv_bytes(_rows_with(3, BUDGET, "two thousand")), 3, f"{BUDGET} (F)"),
    ("units in actual", "a.csv", csv_bytes(_rows_with(2, ACTUAL, "1100 GBP")), 2, f"{ACTUAL} (G)"),
    ("two decimal points", "a.csv", csv_bytes(_rows_with(4, FORECAST, "1.2.3")), 4, f"{FORECAST} (H)"),
    ("fractions of a penny", "a.csv", csv_bytes(_rows_with(2, BUDGET, "12.345")), 2, f"{BUDGET} (F)"),
    ("brackets and minus", "a.csv", csv_bytes(_rows_with(3, ACTUAL, "(-12)")), 3, f"{ACTUAL} (G)"),
    ("empty amount", "a.csv", csv_bytes(_rows_with(2, FORECAST, "")), 2, f"{FORECAST} (H)"),
    ("amount too large", "a.csv", csv_bytes(_rows_with(2, BUDGET, "1000000000000")), 2, f"{BUDGET} (F)"),
    ("unknown directorate", "a.csv", csv_bytes(_rows_with(3, "directorate", "Parks & Gardens")), 3, "directorate (C)"),
    ("empty directorate", "a.csv", csv_bytes(_rows_with(2, "directorate", "")), 2, "directorate (C)"),
    ("month 13", "a.csv", csv_bytes(_rows_with(2, "period", "13")), 2, "period (B)"),
    ("period P0", "a.csv", csv_bytes(_rows_with(3, "period", "P0")), 3, "period (B)"),
    ("month as a name", "a.csv", csv_bytes(_rows_with(4, "period", "April")), 4, "period (B)"),
    ("year without its end", "a.csv", csv_bytes(_rows_with(2, "fiscal_year", "2021")), 2, "fiscal_year (A)"),
    ("year out of sequence", "a.csv", csv_bytes(_rows_with(3, "fiscal_year", "2021/23")), 3, "fiscal_year (A)"),
    ("duplicate key", "a.csv", csv_bytes([*GOOD_ROWS, GOOD_ROWS[0]]), 5, "cost_centre (E)"),
    ("empty file", "a.csv", b"", 1, "A"),
    ("blank lines only", "a.csv", b"\n\n  \n", 1, "A"),
    ("header only", "a.csv", csv_bytes([]), 2, "A"),
    ("latin-1 pound sign", "a.csv", LATIN_1, 3, "F"),
    ("utf-16", "a.csv", csv_bytes(GOOD_ROWS).decode().encode("utf-16"), 1, "A"),
    ("formula in amount", "a.csv", csv_bytes(_rows_with(2, BUDGET, "=SUM(A1:A9)")), 2, f"{BUDGET} (F)"),
    ("formula in cost centre", "a.csv", csv_bytes(_rows_with(3, "cost_centre", HYPERLINK)), 3, "cost_centre (E)"),
    ("plus-prefixed text", "a.csv", csv_bytes(_rows_with(2, "service", "+cmd|' /C calc'!A0")), 2, "service (D)"),
    ("html in service", "a.csv", csv_bytes(_rows_with(3, "service", "<script>alert(1)</script>")), 3, "service (D)"),
    ("markdown link", "a.csv", csv_bytes(_rows_with(2, "service", "[Pay](https://x.example)")), 2, "service (D)"),
    ("html entity", "a.csv", csv_bytes(_rows_with(4, "service", "Care &amp; Support")), 4, "service (D)"),
    ("control character", "a.csv", csv_bytes(_rows_with(2, "cost_centre", "PL\x071")), 2, "cost_centre (E)"),
    ("text too long", "a.csv", csv_bytes(_rows_with(2, "service", "x" * 200)), 2, "service (D)"),
    ("value beyond the header", "a.csv", csv_bytes([GOOD_ROWS[0], [*GOOD_ROWS[1], "stray"]]), 3, "I"),
    ("blank rows above the header", "a.csv", b"\n\n" + csv_bytes(GOOD_ROWS), 1, "A"),
    ("oversize", "a.csv", csv_bytes(GOOD_ROWS) + b"#" * (load.MAX_FILE_BYTES + 1), None, None),
    ("unsupported type", "a.pdf", b"%PDF-1.7 not a table", None, None),
    ("xlsx extra sheets", "a.xlsx", xlsx_bytes(GOOD_ROWS, extra_sheets=2), None, None),
    ("xlsx formula", "a.xlsx", _xlsx_with_cell(3, ACTUAL, "=F3*1.1"), 3, f"{ACTUAL} (G)"),
    ("xlsx date in amount", "a.xlsx", _xlsx_with_cell(2, BUDGET, datetime(2021, 4, 1)), 2, f"{BUDGET} (F)"),
    ("xlsx text in number", "a.xlsx", _xlsx_with_cell(4, FORECAST, "n/a"), 4, f"{FORECAST} (H)"),
    ("xlsx zip bomb", "a.xlsx", _zip_bomb(), None, None),
    ("xlsx thousands of sheets", "a.xlsx", _many_parts(), None, None),
    ("csv named xlsx", "a.xlsx", csv_bytes(GOOD_ROWS), None, None),
    ("damaged xlsx", "a.xlsx", b"PK\x03\x04" + b"\x00" * 200, None, None),
    ("figures: unknown unit", "f.csv", _figure("unit", "gbp_bn"), 2, "unit (F)"),
    ("figures: sample basis", "f.csv", _figure("basis", "sample"), 2, "basis (G)"),
    ("figures: derived without derivation", "f.csv", _figure("basis", "derived"), 2, "derivation"),
    ("figures: empty quote", "f.csv", _figure("source_quote", ""), 2, "source_quote (K)"),
    ("figures: value with units", "f.csv", _figure("value", "£51.2m"), 2, "value (E)"),
    ("figures: missing source columns", "f.csv", csv_bytes([FIGURE_ROW[:8]], FIGURE_HEADER[:8]), 1, "source_quote"),
]  # fmt: skip


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory, built_db):
    """One copy of the built database for the whole corpus: every case must leave it unchanged."""
    import shutil

    path = tmp_path_factory.mktemp("corpus") / "finance.duckdb"
    shutil.copyfile(built_db, path)
    return path, table_checksums(path)


def test_the_corpus_has_at_least_30_bad_files():
    assert len(BAD_FILES) >= 30
    assert len({case[0] for case in BAD_FILES}) == len(BAD_FILES)


@pytest.mark.parametrize(("case", "name", "content", "row", "column"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_a_bad_file_is_refused_with_row_and_column_and_changes_nothing(
    corpus_db, tmp_path, capsys, case, name, content, row, column
):
    db, checksums = corpus_db
    file = tmp_path / name
    file.write_bytes(content)
    kind = "figures" if case.startswith("figures") else None
    assert cli(["load", str(file), "--db", str(db), *(["--kind", kind] if kind else [])]) == 1
    err = capsys.readouterr().err
    assert "nothing was loaded" in err
    problems = err.split("\n", 1)[1].splitlines()
    if row is None:
        assert any(p.startswith(f"{name}, whole file: ") for p in problems), err
    else:
        assert any(p.startswith(f"{name}, ") and f"row {row}, column {column}" in p for p in problems), err
    assert table_checksums(db) == checksums


@pytest.mark.parametrize("kind", ["monitoring", "figures", None])
def test_an_ods_file_outside_the_rs_returns_is_said_to_be_one_not_a_damaged_workbook(kind):
    """--kind monitoring on an .ods said "not a valid XLSX workbook (the part _rels/.rels is missing)"."""
    from pathlib import Path

    ods = (Path(__file__).resolve().parents[1] / "fixtures" / "published" / "RS_2023-24_data_by_LA.ods").read_bytes()
    with pytest.raises(load.LoadRejected) as refused:
        load.read("ledger.ods", ods, {}, kind)
    [problem] = refused.value.problems
    assert problem.file == "ledger.ods" and problem.message.startswith("an OpenDocument spreadsheet (.ods)")
    assert "_rels" not in problem.message
