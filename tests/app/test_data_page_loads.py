"""The business partner: a preview in pounds to tick against the ledger before anything is written,
an undo that needs its own tick each time, and a load history that says first what each load did."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from data import load
from data.access import Actor
from data.db import connect
from tests.support.load_files import POUND_HEADINGS, table_checksums, two_period_extract

ADMIN = Actor("finance.bp@dorsetcouncil.example", "admin")


def open_data_page(app_test: AppTest) -> AppTest:
    app_test.run()
    return app_test.switch_page("pages/data_sources.py").run()


def load_file(db_path, name: str, content: bytes) -> int:
    with connect(db_path, read_only=True) as conn:
        parsed = load.read(name, content, load.directorate_aliases(conn), "monitoring")
    with connect(db_path) as conn:
        return load.apply(conn, parsed, ADMIN).load_id


def corrected_p4() -> bytes:
    """The P4 extract with Place's forecast corrected from £10.15m to £10.25m."""
    return two_period_extract(4).replace(b",10150000\n", b",10250000\n")


def test_the_preview_shows_each_directorates_pounds_beside_what_is_held_before_anything_is_written(app_test, db_path):
    load_file(db_path, "p4.csv", two_period_extract(4))
    before = table_checksums(db_path)
    at = open_data_page(app_test)
    at.file_uploader[0].set_value(("p4-corrected.csv", corrected_p4(), "text/csv")).run()
    assert not at.exception

    pounds = at.table[0].value
    pounds = pounds.set_index(pounds["Directorate"].str.replace("\\", ""))  # as Markdown shows the escaped text
    assert list(pounds.index) == ["Adults & Housing", "Children's Services", "Place", "Total"]
    assert tuple(pounds.columns) == POUND_HEADINGS
    place = pounds.loc["Place"]
    assert (place["Forecast outturn: in the file (£)"], place["Forecast outturn: held now (£)"]) == (
        10_250_000,
        10_150_000,
    )
    assert (place["Variance: in the file (£)"], place["Variance: held now (£)"]) == (250_000, 150_000)
    total = pounds.loc["Total"]
    assert (total["Annual budget: in the file (£)"], total["Variance: in the file (£)"]) == (45_000_000, 1_250_000)
    assert total["Variance: held now (£)"] == 1_150_000
    assert table_checksums(db_path) == before


def undo_form(at: AppTest):
    return at.selectbox(key="undo_choice"), at.checkbox(key="undo_confirm")


def test_an_undo_clears_its_tick_so_one_more_click_undoes_nothing(app_test, db_path):
    p4 = load_file(db_path, "p4.csv", two_period_extract(4))
    p6 = load_file(db_path, "p6.csv", two_period_extract(6))
    at = open_data_page(app_test)
    choice, confirm = undo_form(at)
    choice.select(p6)
    confirm.check()
    at.button(key="FormSubmitter:undo-Undo load").click().run()
    assert not at.exception
    assert any(f"Undid load {p6}" in s.value for s in at.success)
    choice, confirm = undo_form(at)
    assert confirm.value is False
    assert choice.value is None  # the next load is not chosen for the person

    at.button(key="FormSubmitter:undo-Undo load").click().run()
    assert any("Choose the load to undo" in e.value for e in at.error)
    choice, confirm = undo_form(at)
    choice.select(p4)
    at.button(key="FormSubmitter:undo-Undo load").click().run()
    assert any("Tick the box" in e.value for e in at.error)
    with connect(db_path, read_only=True) as conn:
        active = conn.execute("SELECT load_id FROM loads WHERE undone_at IS NULL ORDER BY 1").fetchall()
    assert (p4,) in active and (p6,) not in active


def test_the_load_history_says_first_whether_each_load_is_in_use_and_what_it_did(app_test, db_path):
    p4 = load_file(db_path, "p4.csv", two_period_extract(4))
    corrected = load_file(db_path, "p4-corrected.csv", corrected_p4())
    p6 = load_file(db_path, "p6.csv", two_period_extract(6))
    with connect(db_path) as conn:
        load.undo(conn, p6, ADMIN)
    at = open_data_page(app_test)
    history = at.dataframe[0].value
    assert list(history.columns[:4]) == ["Load", "Status", "What it did", "File"]
    assert list(history.columns)[-1] == "File fingerprint (SHA-256)"
    rows = history.set_index("Load")
    assert rows.loc[p6, "Status"] == "Undone" and rows.loc[p6, "Undone"].endswith(f"by {ADMIN.identity}")
    assert rows.loc[corrected, "Status"] == "In use"
    assert rows.loc[corrected, "What it did"] == "Added 4 monitoring lines, replacing 4 held"
    assert rows.loc[p4, "Status"] == f"Replaced by load {corrected}"
    assert rows.loc[p4, "What it did"] == "Added 4 monitoring lines"


def test_the_history_comes_from_the_cache_until_a_load_changes_the_data(app_test, db_path, monkeypatch):
    """The page read its five tables afresh in every run; they come from the figure cache, and a load made
    outside the page (the command line) shows at the next run."""
    from collections import Counter

    from metrics import loads as loads_metrics
    from tests.support.helpers import counting

    calls: Counter = Counter()
    counting(monkeypatch, loads_metrics, "load_history", calls)
    at = open_data_page(app_test)
    built = calls["load_history"]
    at.run()
    assert calls["load_history"] == built
    p4 = load_file(db_path, "p4.csv", two_period_extract(4))
    at.run()
    assert not at.exception
    assert calls["load_history"] == built + 1
    assert p4 in set(at.dataframe[0].value["Load"])


def sidebar_captions(at: AppTest) -> list[str]:
    return [caption.value.replace("\\", "") for caption in at.sidebar.caption]  # Markdown's escapes taken out


def test_after_an_undo_the_sidebar_names_the_undo_as_the_last_change_not_the_load(app_test, db_path):
    """After p6.csv was undone the sidebar still said "Last data change: p6.csv (monitoring), <its load time>",
    which reads as the figures in use."""
    load_file(db_path, "p4.csv", two_period_extract(4))
    p6 = load_file(db_path, "p6.csv", two_period_extract(6))
    at = open_data_page(app_test)
    assert any("Last data change:** p6.csv (monitoring), " in shown for shown in sidebar_captions(at))
    choice, confirm = undo_form(at)
    choice.select(p6)
    confirm.check()
    at.button(key="FormSubmitter:undo-Undo load").click().run()
    assert not at.exception
    [last] = [shown for shown in sidebar_captions(at) if "Last data change" in shown]
    assert f"Last data change:** load {p6}, p6.csv (monitoring), undone, " in last
