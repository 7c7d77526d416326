"""In Chromium, the business partner's month end: two period closes loaded through the Data & sources
page, each preview's totals in pounds read before confirming, then the later one undone, its tick cleared after."""

from __future__ import annotations

import pytest

from data.db import connect
from tests.support.helpers import TEST_OUTPUT, choose_option, open_data_sources, table_rows, wait_for_app
from tests.support.load_files import POUND_HEADINGS, two_period_files

pytestmark = pytest.mark.browser


def preview_then_load(page, path) -> list[tuple[str, ...]]:
    """Upload `path`, read the preview in pounds, confirm; the table as the browser showed it."""
    page.wait_for_function(  # after a load the page swaps in a fresh, empty uploader
        "() => document.querySelectorAll('[data-testid=stFileUploader]').length === 1"
        " && !document.querySelector('[data-testid=stFileUploaderFile]')",
        timeout=90_000,
    )
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(path))
    page.get_by_text("In pounds: the file beside what is held now").wait_for(timeout=30_000)
    wait_for_app(page)
    # With the preview open, the rest of the page is still there to read: the history, sources and measures.
    main = page.inner_text("[data-testid='stMain']")
    assert "Something went wrong" not in main
    assert page.get_by_role("heading", name="Catalogue of measures").count() == 1
    rows = table_rows(page)
    page.get_by_role("button", name="Load 4 lines").click()
    page.get_by_text(f"Loaded 4 lines from {path.name}").wait_for(timeout=30_000)
    wait_for_app(page)
    return rows


def test_two_period_closes_previewed_in_pounds_loaded_and_the_later_one_undone(page, live_app, db_path, tmp_path):
    TEST_OUTPUT.mkdir(exist_ok=True)
    p4, p6 = two_period_files(tmp_path)
    open_data_sources(page, live_app)

    at_p4 = preview_then_load(page, p4)
    assert at_p4[0] == POUND_HEADINGS
    assert at_p4[-1] == ("2021/22", "P4", "Total", "45,000,000", "0", "46,150,000", "0", "1,150,000", "0")
    at_p6 = preview_then_load(page, p6)
    assert at_p6[-1] == ("2021/22", "P6", "Total", "45,000,000", "0", "46,000,000", "0", "1,000,000", "0")
    assert [row[2] for row in at_p6[1:]] == ["Adults & Housing", "Children's Services", "Place", "Total"]

    with connect(db_path, read_only=True) as conn:
        [(p6_load,)] = conn.execute("SELECT load_id FROM loads WHERE file_name = $f", {"f": p6.name}).fetchall()
    form = page.locator("[data-testid='stForm']")
    choose_option(page, form.locator("[data-testid='stSelectbox']"), f"load {p6_load} · {p6.name}", exact=False)
    tick = form.get_by_role("checkbox", name="Remove what this load added and put back the lines it replaced")
    tick.check(force=True)
    form.get_by_role("button", name="Undo load").click()
    page.get_by_text(f"Undid load {p6_load}").wait_for(timeout=30_000)
    wait_for_app(page)
    assert not tick.is_checked()
    page.screenshot(path=str(TEST_OUTPUT / "data-page-after-undo-1400.png"), full_page=True)

    form.get_by_role("button", name="Undo load").click()  # one more click undoes nothing
    page.get_by_text("Choose the load to undo").wait_for(timeout=30_000)
    with connect(db_path, read_only=True) as conn:
        in_use = conn.execute("SELECT file_name FROM loads WHERE undone_at IS NULL AND kind = 'monitoring'").fetchall()
    assert in_use == [(p4.name,)]
