"""The Action plan's tracker and committee report come from the figure cache (ui/cache.py): built once per data
version, and afresh after a write. Not timed: the cost of a visit is in bench/visits_bench.py."""

from __future__ import annotations

from collections import Counter

from data.access import local_actor
from data.actions import record_update
from data.db import connect
from metrics import actions, report
from tests.support import helpers
from tests.support.helpers import counting

PAGE = "pages/action_plan.py"


def test_the_tracker_and_report_are_built_once_per_data_version_and_again_after_an_update(
    app_test, db_path, monkeypatch
):
    calls: Counter = Counter()
    counting(monkeypatch, actions, "tracker_state", calls)
    counting(monkeypatch, report, "committee_report", calls)
    at = helpers.open_page(app_test, PAGE)
    built = calls.copy()
    assert built["tracker_state"] >= 1 and built["committee_report"] == 1

    at.run()
    assert not at.exception
    assert calls == built, "a second run with nothing written is served from the cache"

    with connect(db_path) as conn:
        record_update(
            conn,
            local_actor(),
            9,
            status="blocked",
            percent_complete=35,
            revised_due_date=None,
            note="Cache test",
            evidence_url=None,
        )
    at.run()
    assert not at.exception
    assert calls["tracker_state"] > built["tracker_state"]
    assert calls["committee_report"] == built["committee_report"] + 1
    rows = at.dataframe(key="tracker_table").value.set_index("Rec")
    assert (rows.loc[9, "Status"], rows.loc[9, "% complete"]) == ("Blocked", 35)


def test_a_visit_makes_no_report_file_until_its_download_is_pressed(app_test, monkeypatch):
    """Both report files were made in every run: a third of the page's server time, for a download most
    visits never take. They are made when the button is pressed, stamped with that moment."""
    from datetime import datetime

    from exports import committee

    calls: Counter = Counter()
    counting(monkeypatch, committee, "xlsx_bytes", calls)
    counting(monkeypatch, committee, "html_document", calls)
    at = helpers.open_page(app_test, PAGE)
    at.run()
    assert not at.exception
    assert calls == Counter(), "no report file is made by a page run"

    from ui.action_plan import made_when_pressed

    stamped = []
    meta = committee.ReportMeta("t", datetime(2026, 1, 1).date(), datetime(2025, 1, 1).date(), "s", (), {}, "me",
                                datetime(2020, 1, 1))  # fmt: skip
    make = made_when_pressed(lambda report, meta: stamped.append(meta.generated_at) or "<p>made</p>", None, meta)
    before = datetime.now()
    assert make() == b"<p>made</p>"
    assert stamped[0] >= before, "stamped when pressed, not when the page ran"


def test_a_report_file_that_cannot_be_made_raises_with_a_reference_and_no_trace(caplog):
    from datetime import datetime

    from exports import committee
    from ui.action_plan import made_when_pressed

    meta = committee.ReportMeta("t", datetime(2026, 1, 1).date(), datetime(2025, 1, 1).date(), "s", (), {}, "me",
                                datetime(2020, 1, 1))  # fmt: skip

    def broken(report, meta):
        raise ValueError("secret detail")

    make = made_when_pressed(broken, None, meta)
    try:
        make()
    except RuntimeError as error:
        said = str(error)
    assert said.startswith("the report could not be made (reference ") and "secret" not in said
    assert "secret detail" in caplog.text  # the trace is in the server's log, under the same reference
